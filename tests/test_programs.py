"""Whole user programs, written for torch, run with chainrule standing in for torch.

Each program in tests/programs prints what it computes; tests/golden holds what real
torch printed (regenerate with: python tests/programs/NAME.py > tests/golden/NAME.txt).
"""

import contextlib
import importlib
import io
import os
import pkgutil
import subprocess
import sys

import pytest

import chainrule

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = sorted(f[:-3] for f in os.listdir(os.path.join(HERE, "programs")) if f.endswith(".py"))


def _chainrule_modules() -> dict:
    """torch.X -> chainrule.X for every chainrule submodule, so that ``import torch.nn as nn``
    or ``import torch.autograd.forward_ad`` gets the already loaded module (a second copy
    would have its own state)."""
    mapping = {"torch": chainrule}
    prefix = chainrule.__name__ + "."
    for info in pkgutil.walk_packages(chainrule.__path__, prefix):
        if info.name.rsplit(".", 1)[-1].startswith("_") or info.name.endswith("__main__"):
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional extra (plotting) that is not installed
            continue
        mapping["torch." + info.name[len(prefix) :]] = module
    return mapping


def run_with_chainrule(name: str) -> str:
    code = open(os.path.join(HERE, "programs", name + ".py"), encoding="utf-8").read()
    mapping = _chainrule_modules()
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
