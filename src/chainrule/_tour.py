"""``chainrule tour``: the derivatives chapter, one step at a time.

Each step is a few lines of PyTorch-style code (run with ``torch`` = chainrule), what they
print, and one sentence on why. The code is fixed text shipped with the package and run
in one namespace, as the cells of a notebook are.
"""

from __future__ import annotations

import contextlib
import io
import warnings

STEPS = [
    (
        "The derivative of y = 2x^3 + x at x = 1",
        """\
x = torch.tensor(1., requires_grad=True)   # track every operation on x
y = 2 * x ** 3 + x
y.backward()                               # dy/dx, stored in x.grad
print(x.grad)""",
        "dy/dx = 6x^2 + 1, which is 7 at x = 1: backward() ran the recorded graph in reverse.",
    ),
    (
        "A chain: z = exp(y) with y = 2x^3 + x",
        """\
x = torch.tensor(1., requires_grad=True)
y = 2 * x ** 3 + x
z = torch.exp(y)
z.backward()
print(x.grad)""",
        "dz/dx = exp(y) * dy/dx = e^3 * 7: the chain rule multiplies the local derivatives.",
    ),
    (
        "The chain rule in numbers: torch.explain",
        """\
x = torch.tensor(1., requires_grad=True)
z = torch.exp(2 * x ** 3 + x)
print(torch.explain(z, names={"x": x}))""",
        "Each node multiplies the gradient flowing in by its local derivative and passes it on.",
    ),
    (
        "Leaves and non-leaves: data, grad, grad_fn, is_leaf",
        """\
print(x, x.is_leaf, x.requires_grad)
print(y.grad_fn, y.is_leaf)
print('data:', y.data)""",
        "x was made by you (a leaf, it keeps .grad); y was made by an addition (AddBackward0).",
    ),
    (
        "Partial derivatives of f = uv + (uv)^2 at u = 2, v = 1",
        """\
u = torch.tensor(2., requires_grad=True)
v = torch.tensor(1., requires_grad=True)
f = u * v + (u * v) ** 2
f.backward()
print(u.grad, v.grad)""",
        "df/du = v + 2uv^2 = 5 and df/dv = u + 2u^2 v = 10: one backward fills every leaf.",
    ),
    (
        "A gradient: y = exp(2 x1) + x2^2 at (1, 2)",
        """\
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = torch.exp(2 * x[0]) + x[1] ** 2
y.backward()
print(x.grad)""",
        "The gradient (2 e^2, 2 x2) has one entry per element of x; indexing is differentiable.",
    ),
    (
        "Why torch.math.exp does not work",
        """\
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = torch.math.exp(2 * x[0])
print(type(y).__name__, hasattr(y, 'backward'))""",
        "math.exp turns the tensor into a Python float: the graph is cut; use torch.exp.",
    ),
    (
        "The chain rule with a vector: f = (x1 + 2 x2^3)^2 at (1, 2)",
        """\
x = torch.tensor([1.0, 2.0], requires_grad=True)
f = (x[0] + 2 * x[1] ** 3) ** 2
f.backward()
print(x.grad)""",
        "df/dx = 2(x1 + 2x2^3) * (1, 6x2^2) = 34 * (1, 24): outer derivative times inner.",
    ),
    (
        "A composition: f(g(t)) with g(t) = (sin t, cos t), f = g1^2 + 2 g2",
        """\
t = torch.tensor([1.0], requires_grad=True)
g = [torch.sin(t), torch.cos(t)]
f = g[0] ** 2 + 2 * g[1]
f.backward()
print(t.grad)""",
        "df/dt = 2 sin t cos t - 2 sin t: the gradients along both paths from t are added.",
    ),
    (
        "A Jacobian: 2 exp(x) + 3y",
        """\
def myftn(x, y):
    return 2 * torch.exp(x) + 3 * y

inputs = (torch.tensor([0.3463]), torch.tensor([0.5210]))
print(torch.autograd.functional.jacobian(myftn, inputs))""",
        "One block per input: d/dx = 2 exp(x) and d/dy = 3.",
    ),
    (
        "Homework 1: the gradient of a squared loss, by autograd",
        """\
X = torch.linspace(-3, 2.7, 20)
Y = torch.tensor([-7.1452, -5.4253, -5.1977, -3.6225, -3.8022, -4.4101, -4.6622,
                  -3.1932, -1.7325, -1.8879, -1.0742, -0.2320, 1.8226, 1.5453,
                  -1.5535, 0.8857, 1.7537, 3.1607, 1.8912, 4.0895])
beta = torch.tensor([1.0, 0.5], requires_grad=True)
g = ((Y - (beta[0] + beta[1] * X)) ** 2).sum()
g.backward()
r = Y - (1.0 + 0.5 * X)
print(beta.grad, torch.stack([-2 * r.sum(), -2 * (r * X).sum()]))""",
        "autograd agrees with the hand formula (-2 sum r, -2 sum r x) for r = y - (b0 + b1 x).",
    ),
    (
        "Homework 2: f'(x) of f = x^3 - 3x^2 + 4 on a grid",
        """\
x = torch.linspace(-5, 5, 11, requires_grad=True)
f = x ** 3 - 3 * x ** 2 + 4
f.backward(torch.ones_like(f))
print(x.grad)""",
        "Backward with a vector of ones gives f'(x) = 3x^2 - 6x at every point at once.",
    ),
    (
        "A classic mistake: .numpy() on a tensor that requires grad",
        """\
try:
    x.numpy()
except RuntimeError as error:
    print(error)
    print(*getattr(error, '__notes__', []), sep='\\n')""",
        "NumPy cannot record operations: detach first, x.detach().numpy().",
    ),
]

PLOT_HINT = 'chainrule plot "x**3 - 3*x**2 + 4" --from -5 --to 5 --output f.png'


def _run_code(code: str, namespace: dict) -> str:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(code, "<tour>", "exec"), namespace)  # fixed text shipped with chainrule
    return buffer.getvalue()


def run_tour(out, step: int | None = None, listing: bool = False, plot_path=None) -> None:
    """Print the tour (or one step, or the list of steps) to ``out``."""
    import chainrule

    if listing:
        for number, (title, _, _) in enumerate(STEPS, 1):
            out.write(f"{number:2d}. {title}\n")
        return
    if step is not None and not 1 <= step <= len(STEPS):
        raise ValueError(f"--step must be between 1 and {len(STEPS)}")
    out.write(f"chainrule {chainrule.__version__}: a tour of the derivatives chapter\n")
    out.write("(torch below is chainrule: import chainrule as torch)\n")
    namespace = {"torch": chainrule}
    for number, (title, code, why) in enumerate(STEPS, 1):
        output = _run_code(code, namespace)  # every step runs: later steps reuse names
        if step is not None and number != step:
            continue
        out.write(f"\n== {number}. {title} ==\n")
        for line in code.splitlines():  # as the Python prompt shows it
            out.write(f"... {line}\n" if not line or line[0] == " " else f">>> {line}\n")
        out.write(output)
        out.write(f"why: {why}\n")
    if plot_path:
        from . import plot

        fig = plot.derivatives(lambda x: x**3 - 3 * x**2 + 4, -5, 5, title="f(x) = x^3 - 3x^2 + 4")
        plot.save(fig, plot_path)
        out.write(f"\nthe plot of f and f' is in {plot_path}\n")
    elif step is None:
        out.write(f"\nnext: draw f and f' with\n  {PLOT_HINT}\n")
