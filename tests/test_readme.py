"""The README's tour runs and prints what its comments say."""

import contextlib
import io
import os
import re

README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "README.md")


def tour_block() -> str:
    text = open(README, encoding="utf-8").read()
    section = text.split("## A tour", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_tour_prints_what_it_says():
    code = tour_block()
    expected = [
        line.split("#", 1)[1].strip()
        for line in code.splitlines()
        if line.startswith("print(") and "#" in line
    ]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue().strip().splitlines() == expected
    assert len(expected) >= 5


def test_readme_names_the_two_setup_commands():
    text = open(README, encoding="utf-8").read()
    assert 'pip install -e ".[plot]" && chainrule tour' in text
    assert "python examples/chapter2.py" in text
    assert os.path.exists(os.path.join(os.path.dirname(README), "examples", "chapter2.py"))
    assert 'pip install -e ".[test]" && python -m pytest tests' in text
    ci = open(os.path.join(os.path.dirname(README), ".ci", "run"), encoding="utf-8").read()
    assert 'pip install -e ".[test]" && python -m pytest tests' in ci


def learner_section() -> str:
    text = open(README, encoding="utf-8").read()
    return text.split("## Learner tools", 1)[1].split("\n## ", 1)[0]


def test_readme_learner_commands_print_what_they_show():
    import shlex
    import subprocess
    import sys

    root = os.path.dirname(README)
    console = re.search(r"```console\n(.*?)```", learner_section(), re.S).group(1)
    env = dict(os.environ, PYTHONPATH=os.path.join(root, "src"))
    chunks = re.split(r"^\$ ", console, flags=re.M)[1:]
    assert len(chunks) >= 2
    for chunk in chunks:
        command, _, expected = chunk.partition("\n")
        args = shlex.split(command)
        done = subprocess.run(
            [sys.executable, "-m", "chainrule", *args[1:]],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout == expected


def test_readme_learner_python_example(tmp_path, monkeypatch):
    import pytest

    pytest.importorskip("matplotlib")
    code = re.search(r"```python\n(.*?)```", learner_section(), re.S).group(1)
    expected = [
        line.split("#", 1)[1].strip() for line in code.splitlines() if line.startswith("print(")
    ]
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue().strip().splitlines() == expected
    assert (tmp_path / "graph.png").read_bytes()[:4] == b"\x89PNG"
