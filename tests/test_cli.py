"""The chainrule command, run as a real subprocess (python -m chainrule)."""

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"), MPLBACKEND="Agg")
    return subprocess.run(
        [sys.executable, "-m", "chainrule", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def ok(*args, cwd=None) -> str:
    done = run(*args, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_diff_prints_f_and_its_derivative():
    out = ok("diff", "2*x**3 + x", "--at", "x=1")
    assert out.splitlines() == [
        "f = 2*x**3 + x   at x = tensor(1.)",
        "f     = tensor(3.)",
        "df/dx = tensor(7.)",
    ]


def test_diff_order_and_json():
    out = ok("diff", "2*x**3 + x", "--at", "x=1", "--order", "4")
    assert "d2f/dx2 = tensor(12.)" in out and "d3f/dx3 = tensor(12.)" in out
    assert "d4f/dx4 = tensor(0.)" in out
    data = json.loads(ok("diff", "x**2 * y", "--at", "x=3", "y=2", "--wrt", "x", "--json"))
    assert data == {
        "expression": "x**2 * y",
        "at": {"x": 3.0, "y": 2.0},
        "wrt": "x",
        "derivatives": [18.0, 12.0],
    }


def test_grad_scalars_and_vectors():
    out = ok("grad", "u*v + (u*v)**2", "--at", "u=2", "v=1")
    assert "df/du = tensor(5.)" in out and "df/dv = tensor(10.)" in out
    out = ok("grad", "exp(2*x[0]) + x[1]**2", "--at", "x=[1, 2]")
    assert "df/dx = tensor([14.7781,  4.0000])" in out
    data = json.loads(ok("grad", "u*v + (u*v)**2", "--at", "u=2", "v=1", "--json"))
    assert data["grad"] == {"u": 5.0, "v": 10.0} and data["value"] == 6.0


def test_jacobian_and_hessian():
    out = ok("jacobian", "[sin(t), cos(t)]", "--at", "t=1")
    assert "df/dt =\ntensor([ 0.5403, -0.8415])" in out
    data = json.loads(ok("jacobian", "[x*y, x+y]", "--at", "x=1", "y=2", "--json"))
    assert data["jacobian"] == {"x": [2.0, 1.0], "y": [1.0, 1.0]}
    out = ok("hessian", "x**2*y + y**3", "--at", "x=1", "y=2")
    assert "Hessian (rows and columns: x, y) =\ntensor([[ 4.,  2.],\n        [ 2., 12.]])" in out
    data = json.loads(ok("hessian", "x**2*y + y**3", "--at", "x=1", "y=2", "--json"))
    assert data["hessian"] == [[4.0, 2.0], [2.0, 12.0]]
    out = ok("hessian", "sum(x**3)", "--at", "x=[1, 2]")
    assert "d2f/dxdx =\ntensor([[ 6.,  0.],\n        [ 0., 12.]])" in out


def test_explain_prints_the_chain_rule_table():
    out = ok("explain", "(x1 + 2*x2**3)**2", "--at", "x1=1", "x2=2")
    lines = out.splitlines()
    assert lines[0] == "f = (x1 + 2*x2**3)**2   at x1 = tensor(1.), x2 = tensor(2.)"
    rows = [line.split() for line in lines if line[:1].isdigit()]
    assert [r[1] for r in rows] == [
        "PowBackward0",
        "AddBackward0",
        "AccumulateGrad",
        "MulBackward0",
        "PowBackward0",
        "AccumulateGrad",
    ]
    assert rows[4][-4:] == ["x2", "12.", "68.", "816."]
    assert lines[-2:] == ["  x1.grad = tensor(34.)", "  x2.grad = tensor(816.)"]
    data = json.loads(ok("explain", "exp(2*x**3 + x)", "--at", "x=1", "--json"))
    assert data["gradients"] == {"x": pytest.approx(140.5988, rel=1e-6)}
    assert data["steps"][0]["node"] == "ExpBackward0"


def test_graph_writes_svg_png_and_dot(tmp_path):
    ok("graph", "(x1 + 2*x2**3)**2", "--at", "x1=1", "x2=2", "--output", "g.svg", cwd=tmp_path)
    root = ET.parse(tmp_path / "g.svg").getroot()
    assert root.tag.endswith("svg")
    assert "grad = 816." in (tmp_path / "g.svg").read_text()
    ok("graph", "exp(2*x**3 + x)", "--at", "x=1", "-o", str(tmp_path / "g.png"))
    assert (tmp_path / "g.png").read_bytes()[:8] == PNG_MAGIC
    ok("graph", "u*v", "--at", "u=2", "v=1", "-o", str(tmp_path / "g.dot"), "--no-values")
    dot = (tmp_path / "g.dot").read_text()
    assert dot.startswith("digraph") and "value =" not in dot and "grad = 2." in dot


def test_plot_writes_png_svg_and_pdf(tmp_path):
    pytest.importorskip("matplotlib")
    out = ok(
        "plot", "x**3 - 3*x**2 + 4", "--from", "-5", "--to", "5", "--output", "f.png", cwd=tmp_path
    )
    assert "written to f.png" in out
    assert (tmp_path / "f.png").read_bytes()[:8] == PNG_MAGIC
    ok(
        "plot",
        "sin(x)",
        "--from",
        "0",
        "--to",
        "2*pi",
        "--order",
        "2",
        "-o",
        str(tmp_path / "s.svg"),
    )
    svg = (tmp_path / "s.svg").read_text()
    ET.fromstring(svg)
    assert "f''(x)" in svg or "f&#39;&#39;(x)" in svg
    ok("plot", "t**2", "-o", str(tmp_path / "t.pdf"))
    assert (tmp_path / "t.pdf").read_bytes()[:5] == b"%PDF-"


def test_tour_runs_the_chapter():
    out = ok("tour")
    assert "tensor(7.)" in out and "tensor(140.5988)" in out
    assert "tensor(5.) tensor(10.)" in out and "tensor([14.7781,  4.0000])" in out
    assert "tensor([ 34., 816.])" in out and "tensor([-0.7736])" in out
    assert "tensor([  94.5796, -159.6058]) tensor([  94.5796, -159.6058])" in out
    assert out.count("why: ") == out.count("\n== ") >= 12
    listing = ok("tour", "--list")
    assert listing.splitlines()[0].startswith(" 1. The derivative")
    one = ok("tour", "--step", "8")
    assert one.count("== ") == 1 and "tensor([ 34., 816.])" in one


def test_tour_plot(tmp_path):
    pytest.importorskip("matplotlib")
    ok("tour", "--step", "1", "--plot", str(tmp_path / "tour.png"))
    assert (tmp_path / "tour.png").read_bytes()[:8] == PNG_MAGIC


@pytest.mark.parametrize(
    "args, status, message",
    [
        (["diff", "x + y", "--at", "x=1"], 2, "variable 'y' is used but not given a value"),
        (["grad", "x.real", "--at", "x=1"], 2, "attribute access is not allowed"),
        (["grad", "exq(x)", "--at", "x=1"], 2, "did you mean 'exp'?"),
        (["diff", "x*y", "--at", "x=1", "y=2"], 1, "diff needs one variable"),
        (["grad", "[x, x]", "--at", "x=1"], 1, "grad needs an expression with one value"),
        (["grad", "x", "--at", "x=1", "z=2"], 1, "does not use"),
        (["grad", "x", "--at", "x"], 2, "--at takes NAME=VALUE"),
        (["grad", "x", "--at", "exp=1"], 2, "cannot be a variable name"),
        (["plot", "x*y"], 1, "plot needs an expression of one variable"),
        (["plot", "x", "--from", "2", "--to", "1"], 1, "must be less than"),
        (["graph", "x", "--at", "x=1", "-o", "g.jpg"], 1, "unknown picture format"),
        (["tour", "--step", "99"], 1, "--step must be between"),
    ],
)
def test_errors_have_exit_codes_and_messages(args, status, message, tmp_path):
    done = run(*args, cwd=tmp_path)
    assert done.returncode == status
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_the_caret_points_at_the_offending_column():
    done = run("grad", "x + y.z", "--at", "x=1", "y=2")
    assert done.stderr.splitlines()[-2:] == ["  x + y.z", "       ^"]


def test_help_everywhere_with_examples():
    assert "examples:" in ok("--help")
    for command in ("diff", "grad", "jacobian", "hessian", "plot", "graph", "explain", "tour"):
        text = ok(command, "--help")
        assert "examples:" in text and f"chainrule {command}" in text
    done = run()
    assert done.returncode == 2 and "usage: chainrule" in done.stderr
    assert ok("--version").strip().startswith("chainrule ")


def test_console_script_is_declared_and_works_when_installed():
    text = open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8").read()
    assert 'chainrule = "chainrule.cli:main"' in text
    script = shutil.which("chainrule")
    if script is not None:  # installed with pip install -e .
        done = subprocess.run(
            [script, "grad", "u*v + (u*v)**2", "--at", "u=2", "v=1"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0 and "df/dv = tensor(10.)" in done.stdout


def test_a_repeated_sub_expression_names_both_of_its_nodes(tmp_path):
    out = ok("explain", "u*v + (u*v)**2", "--at", "u=2", "v=1")
    rows = [line.split() for line in out.splitlines() if line[:1].isdigit()]
    assert [r[2] for r in rows if r[1] == "MulBackward0"] == ["u*v", "u*v"]
    assert out.splitlines()[-2:] == ["  u.grad = tensor(5.)", "  v.grad = tensor(10.)"]
    ok("graph", "u*v + (u*v)**2", "--at", "u=2", "v=1", "-o", str(tmp_path / "g.dot"))
    dot = (tmp_path / "g.dot").read_text()
    assert dot.count('label="u*v\\nMulBackward0\\nvalue = 2.') == 2


# --------------------------------------------------------------------------- bounded work

NEST_59 = "sin(" * 59 + "x" + ")" * 59
ONES_499 = "[" + ",".join(["1"] * 499) + "]"  # 999 characters: a value at the length limit


def refused(*args, status=1, timeout=30):
    """The command fails fast, with one line on stderr (no traceback)."""
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"), MPLBACKEND="Agg")
    done = subprocess.run(
        [sys.executable, "-m", "chainrule", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,  # before the bounds, the first case below ran for 74 s
    )
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr


def test_a_deep_nest_at_a_high_order_is_refused_at_once():
    import time

    from chainrule.cli import main

    message = refused("diff", NEST_59, "--at", "x=1", "--order", "10")
    assert len(message.splitlines()) == 1
    assert message.startswith("chainrule diff: error: derivatives up to order 10 of this ")
    assert "graph nodes (the limit is 30,000): lower --order or simplify" in message
    docs = open(os.path.join(ROOT, "docs", "cli.md"), encoding="utf-8").read()
    projected = re.compile(r"about [\d,]+ graph")  # the estimate moves if the rules change
    assert projected.sub("about N graph", message) in projected.sub("about N graph", docs)
    start = time.perf_counter()
    assert main(["diff", NEST_59, "--at", "x=1", "--order", "10"]) == 1
    assert time.perf_counter() - start < 5  # projected from the first steps, not computed


def test_derivatives_within_the_limits_still_run():
    out = ok("diff", NEST_59, "--at", "x=1", "--order", "4")
    assert out.splitlines()[-1] == "d4f/dx4 = tensor(-0.5250)"  # torch: -0.5250 (float32)
    out = ok("diff", "sin(x)", "--at", "x=1", "--order", "10")
    assert out.splitlines()[-1] == "d10f/dx10 = tensor(-0.8415)"


def test_plot_derivatives_are_bounded_by_nodes_times_points(tmp_path):
    pytest.importorskip("matplotlib")
    message = refused("plot", NEST_59, "--order", "5", "--points", "100000", "-o", "f.png")
    assert "on 100,000 elements would build" in message and "node-elements" in message
    assert not (tmp_path / "f.png").exists()
    message = refused("plot", "x", "--from", "-1e308", "--to", "1e308")
    assert "--from and --to must be finite numbers" in message


@pytest.mark.parametrize(
    "expression, shown",
    [
        ("x**10**10", "(|1e+10| > 1000)"),
        ("x**10**10**10", "(|inf| > 1000)"),
        ("x**" + "9" * 400, "(|inf| > 1000)"),  # an integer too large for a float
        ("x**(2*600)", "(|1200| > 1000)"),
    ],
)
def test_huge_constant_exponents_are_refused_before_any_work(expression, shown):
    message = refused("diff", expression, "--at", "x=2", status=2)
    assert message.splitlines()[0] == f"chainrule diff: error: the exponent is too large {shown}"


def test_values_too_large_after_broadcasting_are_refused_before_they_are_made():
    column = "[" + ",".join(["[1]"] * 240) + "]"  # shape [240, 1]
    message = refused("grad", "sum(x*y)", "--at", f"x={column}", f"y={ONES_499}", status=2)
    assert "the result would have 119,760 elements (shape [240, 499]; the limit is 100,000)" in (
        message
    )


def test_jacobian_and_hessian_sizes_are_bounded():
    column = "[" + ",".join(["[1]"] * 100) + "]"
    message = refused("jacobian", "x*y", "--at", f"x={column}", f"y={ONES_499}")
    assert "the Jacobian would have 29,890,100 entries (49,900 x 599" in message
    at = [f"{name}={ONES_499}" for name in ("x", "y", "w")]
    message = refused("hessian", "sum(x)+sum(y)+sum(w)", "--at", *at)
    assert "the Hessian would have 2,241,009 entries (1,497 x 1,497" in message


def test_all_the_at_values_together_are_bounded():
    letters = "abcdfghjklmnpqrtuvwxyz"  # no two of them make a keyword (as, if, in, is, or)
    names = [a + b for a in letters for b in letters][:210]
    at = [f"{name}={ONES_499}" for name in names]
    message = refused("grad", "sum([" + ",".join(names) + "])", "--at", *at, status=2)
    assert "the --at values have more than 100,000 elements in all" in message


def test_limits_are_documented_in_the_help():
    text = ok("--help")
    assert "limits (a command past one stops at once" in text
    assert "at most 30,000 graph nodes" in text and "diff --order at most 10" in text
    assert "limits: see 'chainrule --help'" in ok("diff", "--help")


# --------------------------------------------------------------------------- leading dashes


def test_an_expression_that_starts_with_a_minus_is_an_expression():
    assert ok("diff", "-x**2", "--at", "x=-1").splitlines() == [
        "f = -x**2   at x = tensor(-1.)",
        "f     = tensor(-1.)",
        "df/dx = tensor(2.)",
    ]
    data = json.loads(ok("grad", "-x*y", "--at", "x=-1", "y=-2", "--json"))
    assert data["value"] == -2.0 and data["grad"] == {"x": 2.0, "y": 1.0}
    assert ok("hessian", "-x**3", "--at", "x=-1").splitlines()[-1] == "tensor([[6.]])"
    assert "f = tensor([-1., -2.])" in ok("jacobian", "-x", "--at", "x=[1, 2]")
    assert "x.grad = tensor(-4.)" in ok("explain", "-x**2", "--at", "x=2")
    assert ok("diff", "--x", "--at", "x=3").splitlines()[-1] == "df/dx = tensor(1.)"


def test_option_values_that_start_with_a_minus(tmp_path):
    pytest.importorskip("matplotlib")
    out = ok("plot", "-x", "--from", "-pi", "--to", "-1", "-o", "p.png", cwd=tmp_path)
    assert out == "plot of f and 1 derivative(s) on [-3.14159, -1] written to p.png\n"
    ok("plot", "sin(x)", "--from=-pi", "--title", "-sin", "-o", "-f.svg", cwd=tmp_path)
    svg = (tmp_path / "-f.svg").read_text()
    assert "-sin" in svg
    ok("graph", "-x*2", "--at", "x=-1", "-o", str(tmp_path / "g.dot"))
    assert "MulBackward0" in (tmp_path / "g.dot").read_text()


def test_real_options_still_win_and_help_stays_readable():
    out = ok("diff", "-x", "--at", "x=1", "--ord", "2")  # an abbreviated option
    assert out.splitlines()[-1] == "d2f/dx2 = tensor(0.)"
    assert ok("diff", "-h").startswith("usage: chainrule diff [-h]")
    text = ok("diff", "--help")
    assert "--order ORDER" in text and "expression" in text
    assert 'chainrule diff "-x**2" --at x=-1' in ok("--help")
    done = run("diff", "x", "--at", "x=1", "--order")
    assert done.returncode == 2 and "argument --order: expected one argument" in done.stderr
    assert ok("diff", "--at", "x=1", "--", "-x").splitlines()[-1] == "df/dx = tensor(-1.)"


def test_protect_dashes_rewrites_only_values():
    from chainrule._cli_argv import protect_dashes
    from chainrule.cli import OPTIONS, _parser

    _parser()  # fills OPTIONS
    assert protect_dashes(["diff", "-x", "--at", "x=-1", "-y=2"], OPTIONS) == [
        "diff",
        " -x",
        "--at",
        "x=-1",
        " -y=2",
    ]
    assert protect_dashes(["plot", "x", "--from", "-pi", "-o", "-a.png"], OPTIONS) == [
        "plot",
        "x",
        "--from=-pi",
        "-o-a.png",
    ]
    assert protect_dashes(["plot", "x", "--fr", "-1", "--to", "--title"], OPTIONS) == [
        "plot",
        "x",
        "--fr=-1",
        "--to",
        "--title",
    ]
    assert protect_dashes(["--version"], OPTIONS) == ["--version"]
    assert protect_dashes(["grad", "--", "-x"], OPTIONS) == ["grad", "--", "-x"]
