"""Generate tests/golden/edge_gradients.json: torch's first derivatives at special inputs.

Run from the repository root with torch installed:

    python tools/gen_edge_golden.py          # write the golden file
    python tools/gen_edge_golden.py --diff   # list where chainrule differs (writes nothing)

The cases (every op-spec sample with its inputs filled with signed zeros, infinities, nan,
ties and kinks, plus a few hand-written ones) come from tests/edge_audit.py;
tests/test_edge_gradients.py replays them with chainrule and compares with this file.
The file is JSON with NaN and Infinity (as Python's json module writes and reads them).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "src")]
OUT = ROOT / "tests" / "golden" / "edge_gradients.json"


def main(argv) -> int:
    import edge_audit
    import torch

    cases = list(edge_audit.cases())
    records = {case_id: run(torch) for case_id, run in cases}
    if "--diff" in argv:
        import chainrule

        for case_id, run in cases:
            why = edge_audit.compare(run(chainrule), records[case_id])
            if why:
                print(f"{case_id}: {why}")
        return 0
    text = json.dumps({"torch": torch.__version__, "cases": records}, separators=(",", ":"))
    OUT.write_text(text + "\n")
    print(f"wrote {OUT} ({len(records)} cases, {len(text) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
