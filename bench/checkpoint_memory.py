"""Peak memory of a backward with and without activation checkpointing, chainrule vs torch.

    python bench/checkpoint_memory.py   # a table; each measurement in a fresh process

The model: 16 blocks of ``tanh(x * 1.01 + 0.01)`` on a 1024x1024 float32 leaf (4 MiB per
activation). Without checkpointing every block keeps its activations for backward; with
``checkpoint(block, x, use_reentrant=False)`` per group of 4 blocks only the group inputs
are kept and each group is recomputed during backward. Reported: peak RSS growth of one
forward+backward over the process's size after creating the leaf (see bench/probes.py).
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS, GROUP, SIZE = 16, 4, 1024


def _measure(module: str, use_checkpoint: bool) -> float:
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    from bench.probes import _peak_kb, _start_peak_window

    t = importlib.import_module(module)
    checkpoint = importlib.import_module(module + ".utils.checkpoint").checkpoint

    def group(x):
        for _ in range(GROUP):
            x = (x * 1.01 + 0.01).tanh()
        return x

    def run(x):
        for _ in range(LAYERS // GROUP):
            x = checkpoint(group, x, use_reentrant=False) if use_checkpoint else group(x)
        x.sum().backward()

    run(t.ones(8, 8, requires_grad=True))  # lazy initialisation outside the window
    leaf = t.full((SIZE, SIZE), 0.5, requires_grad=True)
    base, _ = _start_peak_window()
    run(leaf)
    return max(0, _peak_kb() - base) / 1024


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--probe":
        print(json.dumps(_measure(sys.argv[2], sys.argv[3] == "1")))
        return
    sys.path[:0] = [str(ROOT)]
    from bench import libs
    from bench.probes import run_probe_script

    libs.add_source_path()  # chainrule from src/ when it is not installed, as run.py does

    print(f"{LAYERS} tanh blocks on {SIZE}x{SIZE} float32, checkpoint every {GROUP} blocks")
    print(f"{'library':<10} {'plain MiB':>10} {'checkpoint MiB':>15} {'ratio':>6}")
    for module in ("chainrule", "torch"):
        try:
            importlib.import_module(module)
        except ImportError:
            continue
        peaks = [run_probe_script(__file__, module, flag) for flag in ("0", "1")]
        print(f"{module:<10} {peaks[0]:>10.1f} {peaks[1]:>15.1f} {peaks[1] / peaks[0]:>6.2f}")


if __name__ == "__main__":
    main()
