"""Generate tests/golden/dtype_grid.json: torch's result dtype, bits and errors on the dtype grid.

Run from the repository root with torch installed:

    python tools/gen_dtype_golden.py          # write the golden file
    python tools/gen_dtype_golden.py --diff   # count where chainrule differs (writes nothing)

The cases live in tests/dtype_cases.py (every binary op on every dtype pair, tensor / 0-d /
Python number on either side, in-place forms, and Python numbers stored into tensors). The
file keeps each distinct outcome once and one index per case, in the order of the cases;
the test rebuilds the keys from the same case list.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "golden" / "dtype_grid.json"
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

import dtype_cases  # noqa: E402


def main() -> None:
    import torch

    expected = dtype_cases.grid(torch)
    if "--diff" in sys.argv:
        import chainrule

        got = dtype_cases.grid(chainrule)
        wrong = [k for k in expected if got[k] != expected[k]]
        print(f"{len(expected) - len(wrong)} / {len(expected)} cases agree with torch")
        print(Counter(k.split("|")[0] for k in wrong).most_common())
        return
    golden = {"torch": torch.__version__, **dtype_cases.pack(expected)}
    OUT.write_text(json.dumps(golden, separators=(",", ":")) + "\n")
    print(f"wrote {len(expected)} cases to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
