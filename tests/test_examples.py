"""The examples run end to end: examples/linear_regression.py and examples/mnist_like.py."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import chainrule

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None


def _run(script: str, *args: str, cwd: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), MPLBACKEND="Agg")
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _check_png(path: Path) -> None:
    if HAS_MATPLOTLIB:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert not path.exists()


def test_linear_regression_fits_the_homework_data_three_ways(tmp_path):
    plot = tmp_path / "fit.png"
    out = _run("linear_regression.py", "--plot", str(plot), cwd=tmp_path)
    assert "HW 1.2  grad g at (1.0, 0.5): tensor([  94.5796, -159.6058])" in out
    lines = re.findall(
        r"^\s*(by hand|nn.Linear \+ SGD|closed form): y = (\S+) \+ (\S+) x$", out, re.M
    )
    assert [name for name, _, _ in lines] == ["by hand", "nn.Linear + SGD", "closed form"]
    for _, b0, b1 in lines:
        assert float(b0) == pytest.approx(-1.1823, abs=2e-4)
        assert float(b1) == pytest.approx(1.7149, abs=2e-4)
    _check_png(plot)


def test_linear_regression_default_plot_goes_to_the_current_directory(tmp_path):
    _run("linear_regression.py", "--epochs", "20", cwd=tmp_path)
    _check_png(tmp_path / "linear_regression.png")


def test_mnist_like_reaches_95_percent(tmp_path):
    if importlib.util.find_spec("sklearn") is None:
        pytest.skip("examples/mnist_like.py needs scikit-learn (pip install scikit-learn)")
    plot = tmp_path / "digits.png"
    out = _run("mnist_like.py", "--plot", str(plot), cwd=tmp_path)
    results = dict(re.findall(r"^(\w+) final test accuracy: ([\d.]+)%$", out, re.M))
    assert float(results["MLP"]) >= 95.0
    if hasattr(chainrule.nn, "Conv2d"):
        assert float(results["CNN"]) >= 95.0
    seconds = float(re.search(r"done in ([\d.]+) s", out).group(1))
    assert seconds < 60
    _check_png(plot)
