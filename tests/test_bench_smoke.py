"""The benchmark suite cannot rot: a smoke run (tiny budgets, no targets) in every test run.

It checks that each workload runs for chainrule and that chainrule's gradients agree with
the reference library's (torch where installed). Times are not asserted: speed is reported
by ``python bench/run.py``, never tested.
"""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMOKE = "W1,W2-1k,W3,W4-small,W5,W6,W9"


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    cmd = [sys.executable, "bench/run.py", "--quick", "--budget", "0.05", "--only", SMOKE]
    done = subprocess.run(
        [*cmd, "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return json.loads((out / "results.json").read_text())


def test_every_smoke_workload_ran_for_chainrule(smoke):
    keys = {case["key"] for case in smoke["cases"]}
    assert {"W1", "W3", "W5", "W6", "W9"} <= {k.split("-")[0] for k in keys}
    for case in smoke["cases"]:
        for entry in case["entries"]:
            if entry["lib"] == "chainrule":
                assert entry["error"] is None, (case["key"], entry["error"])
                assert entry["median"] > 0


def test_chainrule_gradients_agree_with_the_reference(smoke):
    checked = 0
    for case in smoke["cases"]:
        for entry in case["entries"]:
            if entry["lib"] == "chainrule" and entry.get("grad_err") is not None:
                assert entry["grad_err"] <= entry["rtol"], (case["key"], entry["grad_err"])
                checked += 1
    assert checked >= 5


def test_the_profile_script_runs_and_reports_every_section():
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    done = subprocess.run(
        [sys.executable, "bench/profile_overhead.py", "--quick"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    for heading in ("One scalar op", "garbage collector", "W7: passes", "W4: matrix products"):
        assert heading in done.stdout
    assert "chainrule y * 1.0001, recorded" in done.stdout
    assert " µs |" in done.stdout and " ms |" in done.stdout
