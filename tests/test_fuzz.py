"""The differential fuzzer (tools/fuzz_against_torch.py, tools/fuzzing/) on fixed programs.

Program families: chains of statements with in-place ops on views and non-leaves, advanced
indexing with repeated indices, dtype mixes (int/bool/float16/32/64, 0-d tensors, Python
numbers), reductions over dim tuples, scans, nn.functional, linalg with gradients, the
autograd API and programs built to raise. Each is compared on values, reprs, grad_fn names,
version counters, recorded values, warnings, first and second derivatives, and exception
types and messages. The torch behaviour chainrule does not follow is listed in
fuzzing.ALLOWED_DIFFERENCES; defects being fixed on other branches in fuzzing.PENDING.
Run ``python tools/fuzz_against_torch.py --many 5000`` for the long run.
"""

import importlib.util
import os
import re

import pytest

pytest.importorskip("torch")

PATH = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "tools", "fuzz_against_torch.py"
)
spec = importlib.util.spec_from_file_location("fuzz_against_torch", PATH)
fuzz = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fuzz)

BLOCKS = 20
PER_BLOCK = 100


@pytest.mark.parametrize("block", range(BLOCKS))
def test_random_programs_agree_with_torch(block):
    seeds = range(block * PER_BLOCK, (block + 1) * PER_BLOCK)
    problems = [(seed, fuzz.check(seed)) for seed in seeds]
    assert [p for p in problems if p[1]] == []


# per family: fragments its programs must contain (over the first 600 seeds)
EXERCISED = {
    "chain": ("_()", "] = ", "v = z", "u = v", "+= ", "no_grad", ".split(1)[0]", ".unfold("),
    "indexing": ("index_add", "index_put", "accumulate=True", "gather", "scatter", "z[idx] ="),
    "dtypes": ("int64", "int32", "> 0", "float16", "b = 2", "a // b", "_(b)"),
    "reductions": ("keepdim=True", "keepdim=False", "std", "var", "logsumexp", "amax", "norm"),
    "scans": ("cumsum", "cumprod", "cummax", "cummin", "logcumsumexp"),
    "nn": (
        "F.gelu",
        "F.cross_entropy",
        "F.layer_norm",
        "F.batch_norm",
        "F.conv2d",
        "_pool",
        "F.instance_norm",
    ),
    "linalg": (
        "linalg.inv",
        "linalg.det",
        "slogdet",
        "linalg.solve",
        "cholesky",
        "linalg.qr",
        "svd",
        "matrix_power",
        "linalg.norm",
    ),
    "autograd": (
        "allow_unused",
        "retain_graph",
        "grad_outputs",
        "retain_grad",
        "register_hook",
        "detach_",
        "requires_grad_",
    ),
    "raising": ("z = x",),
}


def test_programs_exercise_every_family():
    """The generator really produces what the comparison is meant to cover."""
    assert set(EXERCISED) == set(fuzz.CATEGORIES)
    outcomes = []
    for name, fragments in EXERCISED.items():
        programs = [fuzz.generate(seed, name) for seed in range(120)]
        text = "\n".join("\n".join(lines) for lines, _, _ in programs)
        for fragment in fragments:
            assert fragment in text, (name, fragment)
        ran = sum(outcome[0] == "ok" for _, _, outcome in programs)
        if name == "raising":  # built to raise, and they do
            assert ran <= 0.1 * len(programs)
        elif name not in ("chain", "autograd", "dtypes"):  # built to run
            assert ran >= 0.8 * len(programs), name
        outcomes += [outcome for _, _, outcome in programs]
    ok = [o for o in outcomes if o[0] == "ok"]
    assert sum("second" in o[1] for o in ok) >= 300
    assert sum(bool(o[1]["records"]) for o in ok) >= 60
    assert sum(o[0] == "raised" for o in outcomes) >= 200


def test_pending_switch_keeps_programs_out(monkeypatch):
    """While a pending name is set, the programs it names are not generated."""
    fuzzing = fuzz.fuzzing
    pattern = r"F\.instance_norm"
    seeds = [seed for seed in range(300) if fuzzing.category_of(seed) == "nn"]
    before = ["\n".join(fuzz.generate(seed)[0]) for seed in seeds]
    assert any(re.search(pattern, text) for text in before)  # generated while allowed
    monkeypatch.setitem(fuzzing.KNOWN_DEFECTS, "test-switch", {"avoid": (pattern,)})
    monkeypatch.setattr(fuzzing, "PENDING", fuzzing.PENDING | {"test-switch"})
    assert pattern in fuzzing._pending()[0]
    for seed in seeds:
        assert not re.search(pattern, "\n".join(fuzz.generate(seed)[0])), seed


def test_a_difference_is_reported():
    """compare() is not blind: a changed gradient, repr, record or error is caught."""
    for seed in range(50):
        lines, values, outcome = fuzz.generate(seed)
        if outcome[0] == "ok" and "grads" in outcome[1]:
            break
    changed = dict(outcome[1])
    changed["grads"] = [None if g is None else g + 1.0 for g in changed["grads"]]
    assert fuzz.compare(outcome, ("ok", changed), lines) is not None
    changed = dict(outcome[1], repr=outcome[1]["repr"] + " ")
    assert fuzz.compare(outcome, ("ok", changed), lines) is not None
    changed = dict(outcome[1], records=(1.0,))
    assert fuzz.compare(outcome, ("ok", changed), lines) is not None
    changed = dict(outcome[1], warnings=["UserWarning: x"])
    assert fuzz.compare(outcome, ("ok", changed), lines) is not None
    assert fuzz.compare(("raised", 3, "RuntimeError", "x"), ("raised", 3, "IndexError", "x"))
    assert fuzz.compare(("raised", 3, "RuntimeError", "x"), ("raised", 3, "RuntimeError", "y"))
    assert (
        fuzz.compare(("raised", 3, "RuntimeError", "x"), ("raised", 3, "RuntimeError", "x")) is None
    )


def test_messages_are_normalised_only_for_addresses():
    from fuzzing.outcome import message

    error = RuntimeError(
        "node <AddBackward0 object at 0x7f12ab> (Triggered internally at /a/b.cpp:3.)"
    )
    assert message(error) == "node <AddBackward0 object at 0x...>"
