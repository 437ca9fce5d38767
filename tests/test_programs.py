"""Whole user programs, written for torch, run with chainrule standing in for torch.

Each program in tests/programs prints what it computes; tests/golden holds what real
torch printed (regenerate with: python tests/programs/NAME.py > tests/golden/NAME.txt).
"""

import contextlib
import importlib
import io
import os
import subprocess
import sys

import pytest

import chainrule

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = sorted(f[:-3] for f in os.listdir(os.path.join(HERE, "programs")) if f.endswith(".py"))


SUBMODULES = (
    "nn",
    "nn.functional",
    "nn.init",
    "nn.utils",
    "nn.parameter",
    "optim",
    "optim.lr_scheduler",
    "utils",
    "utils.data",
    "autograd",
    "autograd.functional",
    "autograd.function",
    "func",
    "linalg",
    "special",
)


def run_with_chainrule(name: str) -> str:
    code = open(os.path.join(HERE, "programs", name + ".py"), encoding="utf-8").read()
    mapping = {"torch": chainrule}
    for sub in SUBMODULES:
        mapping["torch." + sub] = importlib.import_module("chainrule." + sub)
    saved = {key: sys.modules.get(key) for key in mapping}
    sys.modules.update(mapping)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, name, "exec"), {"__name__": "__main__"})
    finally:
        for key, module in saved.items():
            if module is None:
                del sys.modules[key]
            else:
                sys.modules[key] = module
    return out.getvalue()


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_prints_what_torch_printed(name):
    golden = open(os.path.join(HERE, "golden", name + ".txt"), encoding="utf-8").read()
    assert run_with_chainrule(name) == golden


@pytest.mark.parametrize("name", PROGRAMS)
def test_golden_is_current(name):
    pytest.importorskip("torch")
    path = os.path.join(HERE, "programs", name + ".py")
    result = subprocess.run([sys.executable, path], capture_output=True, text=True, timeout=120)
    golden = open(os.path.join(HERE, "golden", name + ".txt"), encoding="utf-8").read()
    assert result.stdout == golden
