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
    assert 'pip install -e ".[plot]" && python examples/chapter2.py' in text
    assert 'pip install -e ".[test]" && python -m pytest tests' in text
    ci = open(os.path.join(os.path.dirname(README), ".ci", "run"), encoding="utf-8").read()
    assert 'pip install -e ".[test]" && python -m pytest tests' in ci
