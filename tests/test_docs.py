"""docs/tutorial.md: every Python block prints what follows it; every command too."""

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys

import pytest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
TUTORIAL = os.path.join(ROOT, "docs", "tutorial.md")
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.S)


def blocks():
    return [(kind, body) for kind, body in BLOCK.findall(open(TUTORIAL, encoding="utf-8").read())]


def test_python_blocks_print_the_text_below_them(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    found = blocks()
    namespace = {}
    checked = 0
    for (kind, body), (next_kind, expected) in zip(found, found[1:] + [("", "")]):
        if kind != "python":
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(body, "tutorial.md", "exec"), namespace)
        assert next_kind == "text"
        assert out.getvalue() == expected, body
        checked += 1
    assert checked >= 9
    assert (tmp_path / "graph.svg").exists() and (tmp_path / "f_and_df.png").exists()


def test_console_blocks_show_what_the_command_prints():
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    commands = 0
    for kind, body in blocks():
        if kind != "console":
            continue
        for chunk in re.split(r"^\$ ", body, flags=re.M)[1:]:
            command, _, expected = chunk.partition("\n")
            args = shlex.split(command)
            assert args[0] == "chainrule"
            done = subprocess.run(
                [sys.executable, "-m", "chainrule", *args[1:]],
                capture_output=True,
                text=True,
                env=env,
                timeout=120,
            )
            assert done.returncode == 0, done.stderr
            assert done.stdout == expected, command
            commands += 1
    assert commands >= 6


def test_pictures_referenced_by_the_tutorial_exist():
    text = open(TUTORIAL, encoding="utf-8").read()
    pictures = re.findall(r"\]\((img/[^)]+)\)", text)
    assert len(pictures) >= 5
    for picture in pictures:
        data = open(os.path.join(ROOT, "docs", picture), "rb").read()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"


def test_api_page_is_generated_from_the_current_op_table():
    done = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "make_api_docs.py"), "--check"],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src")),
    )
    assert done.returncode == 0, done.stdout + done.stderr
