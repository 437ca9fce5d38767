"""Generate tests/golden/half_bits.json: torch's float16 bits for every op of the op table.

Run from the repository root with torch installed:

    python tools/gen_half_golden.py          # write the golden file
    python tools/gen_half_golden.py --diff   # list where chainrule differs (writes nothing)

tests/half_cases.py finds, for each registered op, a way to call it on float16 tensors that
torch accepts, and records the bits of the result and of the gradients of its inputs (see
its docstring for the inputs). The file stores those calls and torch's outcomes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "golden" / "half_bits.json"
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

import half_cases  # noqa: E402


def main() -> None:
    import torch

    import chainrule
    from chainrule._registry import OPS

    calls = half_cases.signatures(torch, sorted(OPS))
    expected = half_cases.run(torch, calls)
    if "--diff" in sys.argv:
        got = half_cases.run(chainrule, calls)
        wrong = sorted(k for k in expected.keys() | got.keys() if got.get(k) != expected.get(k))
        ops = sorted({k.split("|")[0] for k in wrong})
        print(f"{len(calls) - len(ops)} / {len(calls)} ops bit-identical in float16")
        for key in wrong:
            print(f"{key}: torch {expected.get(key)!r}, chainrule {got.get(key)!r}")
        return
    golden = {"torch": torch.__version__, "calls": calls, "outcomes": expected}
    OUT.write_text(json.dumps(golden, indent=0, sort_keys=True) + "\n")
    print(f"wrote {len(calls)} ops, {len(expected)} outcomes to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
