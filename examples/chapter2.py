"""The derivatives chapter, cell by cell, with chainrule standing in for PyTorch.

Run:  python examples/chapter2.py  [--plot PATH]

Each step prints what it computes, the result (exactly as PyTorch prints it) and a
one-line explanation. The last step plots f(x) = x^3 - 3x^2 + 4 and f'(x) computed by
autograd (needs matplotlib: pip install "chainrule[plot]").
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import chainrule as torch  # noqa: E402


def step(title: str, value, why: str) -> None:
    print(f"\n# {title}")
    print(value)
    print(f"  -> {why}")


def derivatives() -> None:
    x = torch.tensor(1.0, requires_grad=True)
    y = 2 * x**3 + x
    y.backward()
    step("dy/dx of y = 2x^3 + x at x = 1", x.grad, "6x^2 + 1 = 7 at x = 1")

    x = torch.tensor(1.0, requires_grad=True)
    y = 2 * x**3 + x
    z = torch.exp(y)
    z.backward()
    step("dz/dx of z = exp(2x^3 + x) at x = 1", x.grad, "chain rule: exp(y) * (6x^2 + 1) = e^3 * 7")
    step("the leaf x", x, "a leaf created by the user, tracked because requires_grad=True")
    step("x.data", x.data, "the same numbers without the history")
    step("x.is_leaf, x.requires_grad", (x.is_leaf, x.requires_grad), "leaves collect .grad")
    step("y.grad_fn", y.grad_fn, "y was made by an addition: its backward node is AddBackward0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        step("y.grad", y.grad, "non-leaf tensors do not keep .grad (PyTorch warns when you ask)")
    try:
        x.numpy()
    except RuntimeError as error:
        step("x.numpy()", error, "detach first: x.detach().numpy()")


def partial_derivatives() -> None:
    u = torch.tensor(2.0, requires_grad=True)
    v = torch.tensor(1.0, requires_grad=True)
    f = u * v + (u * v) ** 2
    f.backward()
    step(
        "df/du, df/dv of f = uv + (uv)^2 at (2, 1)",
        (u.grad, v.grad),
        "df/du = v + 2uv^2 = 5, df/dv = u + 2u^2 v = 10",
    )

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.exp(2 * x[0]) + x[1] ** 2
    y.backward()
    step("grad of y = exp(2 x1) + x2^2 at (1, 2)", x.grad, "(2 e^2, 2 x2) = (14.7781, 4)")

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = torch.math.exp(2 * x[0])
    step(
        "torch.math.exp(2 * x[0])",
        type(y).__name__,
        "math.exp turns the tensor into a plain float: the graph is cut, no .backward()",
    )


def chain_rule() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    f = (x[0] + 2 * x[1] ** 3) ** 2
    f.backward()
    step(
        "grad of f = (x1 + 2 x2^3)^2 at (1, 2)", x.grad, "2(x1 + 2x2^3) * (1, 6x2^2) = 34 * (1, 24)"
    )

    t = torch.tensor([1.0], requires_grad=True)
    g = torch.sin(t) ** 2 + 2 * torch.cos(t)
    g.backward()
    step("d/dt of sin(t)^2 + 2cos(t) at t = 1", t.grad, "2 sin t cos t - 2 sin t")


def jacobian() -> None:
    def myftn(x, y):
        return 2 * torch.exp(x) + 3 * y

    inputs = (torch.tensor([0.3463]), torch.tensor([0.5210]))
    step(
        "Jacobian of 2 exp(x) + 3y",
        torch.autograd.functional.jacobian(myftn, inputs),
        "one block per input: (2 exp(x), 3)",
    )


X_DATA = [
    -3.0,
    -2.7,
    -2.4,
    -2.1,
    -1.8,
    -1.5,
    -1.2,
    -0.9,
    -0.6,
    -0.3,
    -2.3842e-08,
    0.3,
    0.6,
    0.9,
    1.2,
    1.5,
    1.8,
    2.1,
    2.4,
    2.7,
]
Y_DATA = [
    -7.1452,
    -5.4253,
    -5.1977,
    -3.6225,
    -3.8022,
    -4.4101,
    -4.6622,
    -3.1932,
    -1.7325,
    -1.8879,
    -1.0742,
    -0.2320,
    1.8226,
    1.5453,
    -1.5535,
    0.8857,
    1.7537,
    3.1607,
    1.8912,
    4.0895,
]


def linear_regression() -> None:
    X, Y = torch.tensor(X_DATA), torch.tensor(Y_DATA)
    r = Y - (1.0 + 0.5 * X)
    step(
        "HW1.1 grad g by hand at (1, 0.5)",
        torch.stack([-2 * r.sum(), -2 * (r * X).sum()]),
        "dg/db0 = -2 sum(r), dg/db1 = -2 sum(r x)",
    )

    beta = torch.tensor([1.0, 0.5], requires_grad=True)
    ((Y - (beta[0] + beta[1] * X)) ** 2).sum().backward()
    step("HW1.2 the same by autograd", beta.grad, "identical to the hand computation")

    XX = X.reshape(20, 1)
    beta = torch.tensor([1.0, 0.5], requires_grad=True)
    ((Y.reshape(20, 1) - (beta[0] + beta[1] * XX)) ** 2).sum().backward()
    step("HW1.3 with X reshaped to [20, 1]", (XX.shape, beta.grad), "shapes change, not the answer")

    data = torch.stack([X, Y], dim=1)
    beta = torch.tensor([1.0, 0.5], requires_grad=True)
    ((data[:, 1] - (beta[0] + beta[1] * data[:, 0])) ** 2).sum().backward()
    step("HW1.4 with stack([X, Y], dim=1)", (data.shape, beta.grad), "columns picked by indexing")

    data2 = torch.cat([X.reshape(-1, 1), Y.reshape(-1, 1)], dim=1)
    step(
        "HW1.5 cat of the reshaped columns equals the stack",
        torch.equal(data, data2),
        "cat joins along an existing dim, stack makes a new one",
    )


def f_and_derivative(plot_path: str | None) -> None:
    x = torch.linspace(-5, 5, 101, requires_grad=True)
    f = x**3 - 3 * x**2 + 4
    f.backward(torch.ones_like(f))
    step("HW2 f'(x) at x = -5 and x = 5 by autograd", x.grad[[0, 100]], "f'(x) = 3x^2 - 6x")
    if plot_path is None:
        return
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("  (matplotlib is not installed: pip install 'chainrule[plot]' to draw the plot)")
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(x.detach(), f.detach(), label="f(x) = x^3 - 3x^2 + 4")
    ax.plot(x.detach(), x.grad, label="f'(x) by autograd")
    ax.axhline(0, color="grey", linewidth=0.5)
    ax.legend()
    ax.set_xlabel("x")
    fig.savefig(plot_path, dpi=100)
    print(f"  plot saved to {plot_path}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--plot",
        default="chapter2_f_and_df.png",
        help="where to save the plot of f and f' ('' to skip)",
    )
    args = parser.parse_args(argv)
    print("chainrule", torch.__version__, "- the derivatives chapter")
    derivatives()
    partial_derivatives()
    chain_rule()
    jacobian()
    linear_regression()
    f_and_derivative(args.plot or None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
