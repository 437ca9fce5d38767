"""Where chainrule's time goes on the workloads whose targets it misses (see bench/PROFILE.md).

    python bench/profile_overhead.py            # print the report
    python bench/profile_overhead.py --write    # and write bench/PROFILE.md
    python bench/profile_overhead.py --quick    # a seconds-long smoke run (small sizes)

Each row times one piece in isolation (best of several repeats, garbage collector off unless
the row says otherwise), so the pieces of a workload can be set against its target:

1. one scalar op, split into the NumPy kernels it runs and the Python around them;
2. the garbage collector's share of a long scalar chain (W2's spread over N);
3. W7's passes over the data against the hand-written NumPy gradient;
4. W4's matrix products against the rest of a training step.

torch is timed in the same process where it is installed.
"""

from __future__ import annotations

import argparse
import gc
import math
import platform
import sys
import timeit
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from bench import data, libs  # noqa: E402
from bench import workloads as w  # noqa: E402

libs.add_source_path()
import numpy as np  # noqa: E402

import chainrule as cr  # noqa: E402

try:
    import torch
except ImportError:  # the report says "n/a" for torch's columns
    torch = None


# --quick shrinks every count and size by this factor (a smoke run, not a measurement)
SCALE = {"factor": 1.0}


def scaled(count: int) -> int:
    return max(1, int(count * SCALE["factor"]))


def best(fn, number: int, repeat: int = 7, gc_on: bool = False) -> float:
    """Seconds per call: the minimum over ``repeat`` runs of ``number`` calls."""
    setup = "gc.enable()" if gc_on else "pass"
    number = scaled(number)
    repeat = max(2, scaled(repeat))
    return min(timeit.repeat(fn, setup, number=number, repeat=repeat, globals={"gc": gc})) / number


def us(seconds: float) -> str:
    return f"{seconds * 1e6:.2f} µs"


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms"


# --------------------------------------------------------------------------- 1. one scalar op


def scalar_op_rows() -> list[tuple[str, str]]:
    a = np.array(0.5, np.float32)
    g = cr.tensor(0.5)
    x = cr.tensor(0.5, requires_grad=True)
    number = 0.5

    def kernel_sin(v):  # what chainrule's sin runs: float32 computed in double, rounded once
        return np.sin(v.astype(np.float64), out=...).astype(np.float32)

    pieces = [
        ("NumPy kernel: 0-d float32 × Python float", lambda: a * 1.0001),
        ("NumPy kernel: 0-d float32 × 0-d float32", lambda: np.multiply(a, a, out=...)),
        ("NumPy kernels of sin (to double, sin, to float32)", lambda: kernel_sin(a)),
        ("Python floats: x * 1.0001 (what a pure-Python engine pays)", lambda: number * 1.0001),
        ("chainrule y * 1.0001, nothing requires grad", lambda: g * 1.0001),
        ("chainrule y * 1.0001, recorded (node, edge, saved values)", lambda: x * 1.0001),
        ("chainrule sin(y), recorded", lambda: cr.sin(x)),
    ]
    rows = [(label, us(best(fn, 200_000))) for label, fn in pieces]

    chain = x
    for _ in range(1000):
        chain = chain + 1.0  # AddBackward0 passes g through: the engine's own cost per node
    engine = best(lambda: chain.backward(retain_graph=True), 20) / 1000
    rows.append(("backward engine per node (a chain whose rules return g)", us(engine)))

    cycle_fwd, cycle_total = _w2_cycle_costs()
    rows.append(("W2 per op, forward only", us(cycle_fwd)))
    rows.append(("W2 per op, forward + backward (GC off)", us(cycle_total)))
    if torch is not None:
        torch_w2 = _per_op(w.w2_scalar_chain(1000)(torch), 1000)
        rows.append(("torch: W2 per op, forward + backward", us(torch_w2)))
        rows.append(("target: 0.4 × torch", us(0.4 * torch_w2)))
    return rows


def _per_op(step, n_ops: int) -> float:
    step()
    return best(step, 5) / n_ops


def _w2_cycle_costs() -> tuple[float, float]:
    sin, tanh = cr.sin, cr.tanh

    def forward():
        x = cr.tensor(data.W2_START, requires_grad=True)
        y = x
        for _ in range(250):
            y = sin(y * 1.0001 + 0.001)
            y = tanh(y)
        return y

    def both():
        forward().backward()

    return best(forward, 5) / 1000, best(both, 5) / 1000


class _Scalar:
    """A minimal pure-Python reverse-mode scalar (Python floats, one closure per op): the
    shape of engine the W1/W2 targets were set from. No dtypes, views, hooks or versions."""

    __slots__ = ("value", "grad", "parents", "local")

    def __init__(self, value, parents=(), local=()):
        self.value, self.grad, self.parents, self.local = value, 0.0, parents, local

    def __add__(self, other):
        return _Scalar(self.value + other.value, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        if not isinstance(other, _Scalar):
            return _Scalar(self.value * other, (self,), (other,))
        return _Scalar(self.value * other.value, (self, other), (other.value, self.value))

    __rmul__ = __mul__

    def __pow__(self, k):
        return _Scalar(self.value**k, (self,), (k * self.value ** (k - 1),))

    def exp(self):
        e = math.exp(self.value)
        return _Scalar(e, (self,), (e,))

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((parent, False) for parent in node.parents)
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in zip(node.parents, node.local):
                parent.grad += local * node.grad


def w1_rows() -> list[tuple[str, str]]:
    def minimal():
        x = _Scalar(1.0)
        z = (2 * x**3 + x).exp()
        z.backward()
        return x.grad

    rows = [
        ("W1 with a 40-line pure-Python scalar engine (above)", us(best(minimal, 20_000))),
        ("W1 with chainrule", us(best(w.w1_seed_scalar(cr), 20_000))),
    ]
    if torch is not None:
        torch_w1 = best(w.w1_seed_scalar(torch), 20_000)
        rows.append(("W1 with torch", us(torch_w1)))
        rows.append(("target: 0.25 × torch", us(0.25 * torch_w1)))
    return rows


# --------------------------------------------------------------------------- 2. GC


def gc_rows() -> list[tuple[str, str, str, str]]:
    rows = []
    for n in (1_000, 10_000, 100_000)[: 2 if SCALE["factor"] < 1 else 3]:
        step = w.w2_scalar_chain(n)(cr)
        step()
        number = max(1, 20_000 // n)
        on = best(step, number, repeat=5, gc_on=True) / n
        off = best(step, number, repeat=5) / n
        rows.append((f"{n:,}", us(on), us(off), f"{1 - off / on:.0%}"))
    return rows


def tracked_objects_per_op() -> float:
    """Objects the garbage collector tracks that a W2 op leaves alive in the graph."""
    x = cr.tensor(0.5, requires_grad=True)
    y = x * 1.0
    gc.collect()
    before = len(gc.get_objects())
    for _ in range(1000):
        y = cr.tanh(cr.sin(y * 1.0001 + 0.001))
    gc.collect()
    return (len(gc.get_objects()) - before) / 4000


# --------------------------------------------------------------------------- 3. W7


def w7_rows(n: int = 1_000_000) -> list[tuple[str, str]]:
    n = scaled(n)
    x0, y0 = data.regression(n)
    x, y = cr.tensor(x0), cr.tensor(y0)
    b0v, b1v = (np.float32(v) for v in data.W7_START)

    def forward():
        b0 = cr.tensor(data.W7_START[0], requires_grad=True)
        b1 = cr.tensor(data.W7_START[1], requires_grad=True)
        return ((y - (b0 + b1 * x)) ** 2).sum()

    def both():
        forward().backward()

    def hand():
        r = y0 - (b0v + b1v * x0)
        return -2 * r.sum(), -2 * (r * x0).sum()

    def one_pass():
        return x0 * b1v

    rows = [
        ("one pass over the data (x * b1, a new array)", ms(best(one_pass, 20))),
        ("hand-written NumPy gradient (about 6 passes)", ms(best(hand, 20))),
        ("chainrule forward (5 passes: mul, add, sub, square, sum)", ms(best(forward, 20))),
        ("chainrule forward + backward (about 11 passes)", ms(best(both, 20))),
    ]
    if torch is not None:
        torch_time = best(w.w7_regression(n)(torch), 20)
        rows.append(("torch forward + backward", ms(torch_time)))
        rows.append(("target: 0.35 × torch", ms(0.35 * torch_time)))
    return rows


# --------------------------------------------------------------------------- 4. W4


def w4_rows() -> list[tuple[str, str]]:
    sizes, batch = (784, 512, 512, 10), 256
    (w1, _, w2, _, w3, _), x0, _ = data.mlp(sizes, batch)
    h1 = np.maximum(x0 @ w1, 0)
    h2 = np.maximum(h1 @ w2, 0)
    g3 = np.ones((batch, sizes[-1]), np.float32)

    def products():
        """The step's 8 matrix products: 3 forward, 5 backward (x needs no gradient)."""
        x0 @ w1, h1 @ w2, h2 @ w3  # noqa: B018 -- timed for their cost
        g2 = g3 @ w3.T
        h2.T @ g3, h1.T @ g2  # noqa: B018
        g1 = g2 @ w2.T
        return x0.T @ g1

    step = w.w4_mlp(sizes, batch)(cr)
    step()
    rows = [
        ("the step's matrix products alone (NumPy, 8 products)", ms(best(products, 10))),
        ("chainrule training step", ms(best(step, 10))),
    ]
    if torch is not None:
        torch_step = w.w4_mlp(sizes, batch)(torch)
        torch_step()
        rows.append(("torch training step", ms(best(torch_step, 10))))
    return rows


# --------------------------------------------------------------------------- report


def _table(header: tuple[str, ...], rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def report() -> str:
    machine = f"{platform.processor() or platform.machine()}, Python {platform.python_version()}"
    machine += f", NumPy {np.__version__}"
    if torch is not None:
        machine += f", torch {torch.__version__}"
    parts = [
        "# Where the time goes",
        "",
        "Generated by `python bench/profile_overhead.py --write` "
        f"({machine}). Best of several repeats; GC off unless stated.",
        "",
        "## One scalar op (W1, W2, W3, W9)",
        "",
        _table(("piece", "time"), scalar_op_rows()),
        "",
        "## W1 against a minimal scalar engine",
        "",
        _table(("piece", "time"), w1_rows()),
        "",
        "## The garbage collector on long chains (W2's spread)",
        "",
        _table(("W2 ops", "per op, GC on", "GC off", "GC share"), gc_rows()),
        "",
        f"Objects tracked by the collector per W2 op kept in the graph: "
        f"{tracked_objects_per_op():.2f}.",
        "",
        f"## W7: passes over {scaled(1_000_000):,} points",
        "",
        _table(("piece", "time"), w7_rows()),
        "",
        "## W4: matrix products against the rest of the step",
        "",
        _table(("piece", "time"), w4_rows()),
        "",
    ]
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="also write bench/PROFILE.md")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check that it runs")
    args = parser.parse_args()
    if args.quick:
        SCALE["factor"] = 0.01
    text = report()
    print(text)
    if args.write:
        target = HERE / "PROFILE.md"
        previous = target.read_text() if target.exists() else ""
        notes = previous.split("<!-- notes -->", 1)[1] if "<!-- notes -->" in previous else ""
        target.write_text(text + "\n<!-- notes -->" + notes)


if __name__ == "__main__":
    main()
