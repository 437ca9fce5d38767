"""Differential tests: small snippets run with chainrule must behave as they do with PyTorch.

Each snippet in ``tests/golden/behaviour.json`` was run with real torch by
``tools/gen_behaviour_golden.py``, which recorded what it printed (object addresses
normalised), the exception it raised (type and message) and the warnings it emitted
(category and message, without torch's "(Triggered internally at ...)" suffix).

``test_snippet`` replays every snippet with ``torch`` bound to chainrule and compares it with
the golden record, so the suite runs without torch. ``test_snippet_live`` re-runs the snippets
against the installed torch (skipped when torch is missing) to catch a stale golden file.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import pickle
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import chainrule

GOLDEN = Path(__file__).resolve().parent / "golden" / "behaviour.json"

_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
_TRIGGERED = re.compile(r"\s*\(Triggered internally at [^)]*\)\.?")


def normalise(text: str) -> str:
    """Replace object addresses, which differ from run to run."""
    return _ADDRESS.sub("0x?", text)


def _builtin_name(cls: type) -> str:
    """The name of the first builtin class in ``cls``'s MRO (torch.AcceleratorError -> ...)."""
    for klass in cls.__mro__:
        if klass.__module__ == "builtins":
            return klass.__name__
    return cls.__name__


def _reset(lib) -> None:
    """Undo global state a snippet may have changed."""
    lib.set_default_dtype(lib.float32)
    lib.set_grad_enabled(True)
    lib.set_printoptions(profile="default")


def run_snippet(lib, code: str) -> dict:
    """Run ``code`` with ``torch`` bound to ``lib``; what it printed, raised and warned."""
    namespace = {"torch": lib, "np": np, "math": math, "__name__": "__snippet__"}
    out = io.StringIO()
    error = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(code, "<snippet>", "exec"), namespace)
        except Exception as exc:  # noqa: BLE001 -- recording the exception is the point
            error = [_builtin_name(type(exc)), normalise(str(exc))]
        finally:
            _reset(lib)
    warned = [
        [_builtin_name(w.category), normalise(_TRIGGERED.sub("", str(w.message)))] for w in caught
    ]
    return {"stdout": normalise(out.getvalue()), "error": error, "warnings": warned}


def run_snippet_isolated(lib, code: str) -> dict:
    """Like run_snippet, in a forked child: torch warns some warnings only once per process."""
    if not hasattr(os, "fork"):
        return run_snippet(lib, code)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        try:
            os.close(read)
            payload = pickle.dumps(run_snippet(lib, code))
            with os.fdopen(write, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        payload = pipe.read()
    os.waitpid(pid, 0)
    return pickle.loads(payload)


def _load():
    return json.loads(GOLDEN.read_text())["snippets"] if GOLDEN.exists() else []


SNIPPETS = _load()
IDS = [s["id"] for s in SNIPPETS]


def _explain(code: str, got: dict, expected: dict) -> str:
    return f"\n--- snippet ---\n{code}\n--- torch ---\n{expected}\n--- chainrule ---\n{got}"


def test_enough_snippets():
    assert len(SNIPPETS) >= 150
    assert len(set(IDS)) == len(IDS)


def test_golden_records_are_complete():
    for s in SNIPPETS:
        assert set(s) >= {"id", "code", "stdout", "error", "warnings"}, s["id"]
        # a snippet that neither prints nor fails nor warns checks nothing
        assert s["stdout"] or s["error"] or s["warnings"], s["id"]
        # the name torch is rebound to chainrule: an import would reach the real torch
        assert "import torch" not in s["code"] and "from torch" not in s["code"], s["id"]


@pytest.mark.parametrize("snippet", SNIPPETS, ids=IDS)
def test_snippet(snippet):
    got = run_snippet(chainrule, snippet["code"])
    expected = {k: snippet[k] for k in ("stdout", "error", "warnings")}
    assert got == expected, _explain(snippet["code"], got, expected)


def torch_records(codes: list[str]) -> list[dict]:
    """Run the snippets with real torch, each in a fork of a fresh process.

    The forks come from a new interpreter that has imported torch but run nothing: forking a
    process whose torch thread pools are already running can deadlock the child.
    """
    here = Path(__file__).resolve().parent
    child = (
        "import json, sys; sys.path[:0] = sys.argv[1:3]; import torch;"
        "from test_differential import run_snippet_isolated as run;"
        "codes = json.load(sys.stdin);"
        "json.dump([run(torch, code) for code in codes], sys.stdout)"
    )
    done = subprocess.run(
        [sys.executable, "-c", child, str(here), str(here.parent / "src")],
        input=json.dumps(codes),
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def live_torch():
    pytest.importorskip(
        "torch", reason="torch is not installed: golden file only", exc_type=ImportError
    )
    records = torch_records([s["code"] for s in SNIPPETS])
    return {s["id"]: record for s, record in zip(SNIPPETS, records)}


@pytest.mark.parametrize("snippet", SNIPPETS, ids=IDS)
def test_snippet_live(snippet, live_torch):
    expected = live_torch[snippet["id"]]
    assert expected == {k: snippet[k] for k in ("stdout", "error", "warnings")}, (
        f"golden record of {snippet['id']} is stale: rerun tools/gen_behaviour_golden.py"
    )
    got = run_snippet(chainrule, snippet["code"])
    assert got == expected, _explain(snippet["code"], got, expected)
