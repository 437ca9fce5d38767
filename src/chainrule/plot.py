"""Plots of a function and its derivatives, computed by autograd (needs matplotlib).

>>> import chainrule as torch
>>> fig = torch.plot.derivatives(lambda x: x**3 - 3 * x**2 + 4, -5, 5)
>>> [line.get_label() for line in fig.axes[0].get_lines()][:2]
['f(x)', "f'(x)"]
"""

from __future__ import annotations

PRIMES = ("", "'", "''", "'''")


def _name(order: int) -> str:
    return f"f{PRIMES[order]}(x)" if order < len(PRIMES) else f"f^({order})(x)"


def derivative_values(f, start: float, stop: float, order: int = 1, steps: int = 201):
    """``x`` and ``[f(x), f'(x), ..., f^(order)(x)]`` on a grid, as NumPy arrays.

    Each derivative is the autograd gradient of the previous one (``create_graph=True``),
    summed over the grid points: ``f`` must act elementwise.

    >>> xs, (f, df) = derivative_values(lambda x: x**2, 0, 1, steps=3)
    >>> df.tolist()
    [0.0, 1.0, 2.0]
    """
    import chainrule as torch

    if int(order) != order or order < 0:
        raise ValueError(f"order must be a non-negative integer, got {order}")
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")
    x = torch.linspace(float(start), float(stop), int(steps), requires_grad=True)
    values = [f(x)]
    if not isinstance(values[0], torch.Tensor) or values[0].shape != x.shape:
        raise ValueError("f must map a tensor of points to a tensor of the same shape")
    for n in range(int(order)):
        current = values[-1]
        if not current.requires_grad:  # a constant: every further derivative is zero
            values.append(torch.zeros_like(x))
            continue
        (grad,) = torch.autograd.grad(
            current.sum(), x, create_graph=n + 1 < order, allow_unused=True
        )
        values.append(torch.zeros_like(x) if grad is None else grad)
    return x.detach().numpy(), [v.detach().numpy() for v in values]


def derivatives(
    f, start: float, stop: float, order: int = 1, steps: int = 201, title: str | None = None
):
    """A matplotlib figure of ``f`` and its derivatives up to ``order`` on ``[start, stop]``.

    The axes are labelled, a zero line is drawn and a legend names each curve.

    >>> import chainrule as torch
    >>> fig = torch.plot.derivatives(torch.sin, 0, 3.14, order=2, title="sin")
    >>> len(fig.axes[0].get_lines())
    4
    """
    from matplotlib.figure import Figure

    xs, curves = derivative_values(f, start, stop, order, steps)
    fig = Figure(figsize=(7, 4.5))
    ax = fig.add_subplot()
    for n, ys in enumerate(curves):
        style = "-" if n == 0 else "--" if n == 1 else ":"
        ax.plot(xs, ys, style, linewidth=2, label=_name(n))
    ax.axhline(0, color="grey", linewidth=0.8, label="_zero line")  # "_": not in the legend
    ax.set_xlabel("x")
    ax.set_ylabel("value")
    ax.set_title(title or "f and its derivatives (by autograd)")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def save(fig, path) -> str:
    """Save a figure; the format (PNG, SVG, PDF) comes from the file name."""
    import os

    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext not in (".png", ".svg", ".pdf"):
        raise ValueError(f"unknown picture format '{ext}': use .png, .svg or .pdf")
    fig.savefig(path, dpi=120)
    return path
