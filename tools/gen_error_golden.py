"""Generate tests/golden/errors.json: what PyTorch raises for the calls of tests/error_cases.py.

Run from the repository root with torch installed (``pip install torch==2.13.0``):

    python tools/gen_error_golden.py           # record torch's outcomes (the golden file)
    python tools/gen_error_golden.py --gaps    # record where chainrule still differs
    python tools/gen_error_golden.py --diff    # print where chainrule differs (writes nothing)
    python tools/gen_error_golden.py --diff --src OLD/src   # ... for another checkout's src

The golden file lists every case with torch's outcome; the gap file lists the cases where
chainrule's outcome is not torch's, with chainrule's outcome, so tests/test_error_table.py
can require every other case to agree and every listed one to still differ.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "errors.json"
GAPS = ROOT / "tests" / "golden" / "errors_gaps.json"
sys.path.insert(0, str(ROOT / "tests"))

import error_cases  # noqa: E402


def torch_outcomes() -> dict:
    import torch
    import torch.nn.functional as F

    cases = {}
    for case_id, op, index, mutation in error_cases.generated_cases():
        if mutation == "expanded_inplace" and not hasattr(torch.Tensor, op + "_"):
            continue  # torch has no in-place form to refuse
        try:
            call = error_cases.build_generated(torch, op, index, mutation)
        except Exception:  # noqa: BLE001  (a sample torch cannot even build: not a case)
            continue
        expect = error_cases.outcome(call)
        cases[case_id] = {"op": op, "sample": index, "mutation": mutation, "expect": expect}
    for name, code in error_cases.HAND:
        call = error_cases.build_hand(torch, F, code)
        cases["hand/" + name] = {"code": code, "expect": error_cases.outcome(call)}
    return {"torch": torch.__version__, "cases": cases}


def chainrule_outcome(entry) -> list:
    import chainrule
    import chainrule.nn.functional as F

    if "code" in entry:
        call = error_cases.build_hand(chainrule, F, entry["code"])
    else:
        try:
            call = error_cases.build_generated(
                chainrule, entry["op"], entry["sample"], entry["mutation"]
            )
        except Exception as error:  # noqa: BLE001
            return ["build failed", f"{type(error).__name__}: {error}"]
    return error_cases.outcome(call)


def differences() -> dict:
    golden = json.loads(GOLDEN.read_text())["cases"]
    found = {}
    for case_id, entry in golden.items():
        got = chainrule_outcome(entry)
        if got != entry["expect"]:
            found[case_id] = got
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gaps", action="store_true")
    parser.add_argument("--diff", action="store_true")
    parser.add_argument("--src", default=str(ROOT / "src"))
    options = parser.parse_args()
    if options.gaps or options.diff:
        sys.path.insert(0, options.src)
        found = differences()
        golden = json.loads(GOLDEN.read_text())["cases"]
        if options.diff:
            for case_id, got in found.items():
                print(f"{case_id}\n  torch:     {golden[case_id]['expect']}\n  chainrule: {got}")
        same_type = sum(1 for k, got in found.items() if got[0] == golden[k]["expect"][0])
        print(
            f"{len(golden)} cases: {len(golden) - len(found)} agree, {len(found)} differ "
            f"({same_type} of those only in the message)"
        )
        if options.gaps:
            GAPS.write_text(json.dumps(dict(sorted(found.items())), indent=1) + "\n")
        return
    data = torch_outcomes()
    GOLDEN.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {len(data['cases'])} cases to {GOLDEN.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
