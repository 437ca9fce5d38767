"""Generate tests/golden/higher_order.json: torch's derivatives of every op up to order 4.

Run from the repository root with torch installed:

    python tools/gen_higher_golden.py          # write the golden file
    python tools/gen_higher_golden.py --diff   # list where chainrule differs (writes nothing)

The cases, the inputs and the weighting of each order come from tests/higher_audit.py
(which draws them from the op-spec table); tests/test_higher_order.py replays them with
chainrule and compares with this file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "src")]
OUT = ROOT / "tests" / "golden" / "higher_order.json"


def _rounded(record):
    """Values to 15 significant digits (the test's tolerance is far looser): a smaller file."""
    for order in record.get("orders", ()):
        for grad in order.get("grads", ()):
            if grad is not None:
                grad["values"] = [float(f"{v:.15g}") for v in grad["values"]]
    return record


def main(argv) -> int:
    import higher_audit
    import torch

    records = {
        case_id: _rounded(higher_audit.run_case(torch, case_id, spec, sample))
        for case_id, spec, sample in higher_audit.audited_cases()
    }
    if "--diff" in argv:
        import chainrule

        for case_id, spec, sample in higher_audit.audited_cases():
            got = higher_audit.run_case(chainrule, case_id, spec, sample)
            for order, why in enumerate(higher_audit.compare_case(got, records[case_id]), 1):
                if why:
                    print(f"{case_id} order {order}: {why}")
        return 0
    text = json.dumps({"torch": torch.__version__, "cases": records}, separators=(",", ":"))
    OUT.write_text(text + "\n")
    print(f"wrote {OUT} ({len(records)} cases, {len(text) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
