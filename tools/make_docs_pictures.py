"""Regenerate the pictures of docs/ (docs/img/*.png, *.svg) from the chapter's examples.

    python tools/make_docs_pictures.py            # writes docs/img/
    python tools/make_docs_pictures.py --out DIR  # somewhere else

Needs matplotlib (pip install -e ".[plot]"). The graphs are drawn by chainrule.viz's
built-in layout, so the pictures do not depend on whether Graphviz is installed.
"""

from __future__ import annotations

import argparse
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "src"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import chainrule as torch  # noqa: E402


def chain_rule_example_1(out: str) -> list:
    """f = (x1 + 2 x2^3)^2 at (1, 2): the chapter's chain-rule example 1."""
    x1 = torch.tensor(1.0, requires_grad=True)
    x2 = torch.tensor(2.0, requires_grad=True)
    cube = x2**3
    inner = x1 + 2 * cube
    f = inner**2
    names = {"x1": x1, "x2": x2, "x2**3": cube, "x1 + 2*x2**3": inner, "f": f}
    paths = []
    for ext in ("svg", "png"):
        path = os.path.join(out, f"graph_example1.{ext}")
        torch.viz.draw(f, path, names=names, engine="builtin")
        paths.append(path)
    return paths


def exp_chain(out: str) -> list:
    """z = exp(2x^3 + x) at x = 1: the chapter's first chain."""
    x = torch.tensor(1.0, requires_grad=True)
    y = 2 * x**3 + x
    z = torch.exp(y)
    path = os.path.join(out, "graph_exp_chain.png")
    torch.viz.draw(z, path, names={"x": x, "y = 2*x**3 + x": y, "z = exp(y)": z}, engine="builtin")
    return [path]


def gradient_example(out: str) -> list:
    """y = exp(2 x[0]) + x[1]^2 with x = [1, 2]: indexing in the graph."""
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.exp(2 * x[0]) + x[1] ** 2
    path = os.path.join(out, "graph_exercise2.png")
    torch.viz.draw(y, path, names={"x": x, "y": y}, engine="builtin")
    return [path]


def plots(out: str) -> list:
    """HW 2: f(x) = x^3 - 3x^2 + 4 and f'(x) on [-5, 5]; and with f''."""
    f = lambda x: x**3 - 3 * x**2 + 4  # noqa: E731
    paths = []
    for order, name in ((1, "f_and_df.png"), (2, "f_df_d2f.png")):
        fig = torch.plot.derivatives(f, -5, 5, order=order, title="f(x) = x^3 - 3x^2 + 4")
        path = os.path.join(out, name)
        torch.plot.save(fig, path)
        paths.append(path)
    return paths


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "img"))
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    for make in (chain_rule_example_1, exp_chain, gradient_example, plots):
        for path in make(args.out):
            print("wrote", os.path.relpath(path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
