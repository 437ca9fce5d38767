"""Errors against torch over the op table: the same bad calls, the same exception type and text.

tests/golden/errors.json holds torch's outcome for every case of tests/error_cases.py
(generated from the op-spec table, plus hand-written snippets); tools/gen_error_golden.py
writes it with real torch. tests/golden/errors_gaps.json lists the cases where chainrule is
known to differ still: every other case must agree exactly, and a listed case must still
differ (when one is fixed, regenerate the list with ``--gaps``), so the list only shrinks
on purpose. The live variant at the bottom runs the same cases against installed torch.
"""

import json
from pathlib import Path

import pytest
from error_cases import HAND, build_generated, build_hand, generated_cases, outcome

import chainrule
import chainrule.nn.functional as F

GOLDEN_DIR = Path(__file__).parent / "golden"
GOLDEN = json.loads((GOLDEN_DIR / "errors.json").read_text())["cases"]
GAPS = json.loads((GOLDEN_DIR / "errors_gaps.json").read_text())


def chainrule_outcome(entry) -> list:
    if "code" in entry:
        return outcome(build_hand(chainrule, F, entry["code"]))
    call = build_generated(chainrule, entry["op"], entry["sample"], entry["mutation"])
    return outcome(call)


AGREEING = sorted(case for case in GOLDEN if case not in GAPS)


def test_golden_covers_the_current_cases():
    """The golden file was made from the cases this checkout defines (else regenerate it)."""
    generated = {case_id for case_id, *_ in generated_cases()}
    recorded = {case for case in GOLDEN if not case.startswith("hand/")}
    assert recorded <= generated, sorted(recorded - generated)[:10]
    assert {"hand/" + name for name, _ in HAND} == set(GOLDEN) - recorded
    assert set(GAPS) <= set(GOLDEN)


@pytest.mark.parametrize("case", AGREEING)
def test_same_outcome_as_torch(case):
    entry = GOLDEN[case]
    assert chainrule_outcome(entry) == entry["expect"]


@pytest.mark.parametrize("case", sorted(GAPS))
def test_known_gap_still_differs(case):
    """A case listed as a gap that now agrees must leave the list (run --gaps)."""
    assert chainrule_outcome(GOLDEN[case]) != GOLDEN[case]["expect"]


def test_agreement_does_not_fall():
    """Regenerating the gap list must not quietly accept regressions."""
    assert len(AGREEING) >= 1829, (len(AGREEING), len(GOLDEN))


@pytest.mark.parametrize("name", [name for name, _ in HAND])
def test_hand_cases_against_live_torch(name):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as torch_f

    code = dict(HAND)[name]
    expected = outcome(build_hand(torch, torch_f, code))
    assert expected == GOLDEN["hand/" + name]["expect"], "golden file is stale: regenerate it"
    if "hand/" + name not in GAPS:
        assert outcome(build_hand(chainrule, F, code)) == expected


def test_generated_golden_is_torchs():
    torch = pytest.importorskip("torch")
    stale = []
    for case, entry in GOLDEN.items():
        if "code" not in entry:
            call = build_generated(torch, entry["op"], entry["sample"], entry["mutation"])
            if outcome(call) != entry["expect"]:
                stale.append(case)
    assert not stale, f"golden file is stale, regenerate it: {stale[:5]}"
