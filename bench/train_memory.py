"""Peak memory of one training step (forward, backward, SGD update), chainrule vs torch.

    python bench/train_memory.py    # a table; each measurement in a fresh process

The steps are W4's (bench/workloads.py): the 784-512-512-10 MLP at batch 256 and the small
CNN. Reported: peak RSS growth during one step over the process's size after the model and
data exist and one step has run (lazy initialisation; see bench/probes.py).
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEPS = {"mlp": ("w4_mlp", ((784, 512, 512, 10), 256)), "cnn": ("w4_cnn", (32,))}


def _measure(module: str, step_name: str) -> float:
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    import gc

    from bench import workloads
    from bench.probes import _peak_kb, _start_peak_window

    factory, args = STEPS[step_name]
    step = getattr(workloads, factory)(*args)(importlib.import_module(module))
    step()
    gc.collect()
    base, _ = _start_peak_window()
    step()
    return max(0, _peak_kb() - base) / 1024


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--probe":
        print(json.dumps(_measure(sys.argv[2], sys.argv[3])))
        return
    sys.path[:0] = [str(ROOT)]
    from bench.probes import run_probe_script

    print(f"{'step':<6} {'chainrule MiB':>14} {'torch MiB':>10} {'ratio':>6}")
    for step_name in STEPS:
        peaks = [run_probe_script(__file__, module, step_name) for module in ("chainrule", "torch")]
        print(f"{step_name:<6} {peaks[0]:>14.1f} {peaks[1]:>10.1f} {peaks[0] / peaks[1]:>6.2f}")


if __name__ == "__main__":
    main()
