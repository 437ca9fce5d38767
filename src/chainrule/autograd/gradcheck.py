"""gradcheck / gradgradcheck: compare analytical derivatives with central differences.

On a mismatch the report says more than torch's: the worst entry (which output element,
which input element, analytical vs numerical) and the backward nodes of the graph, most
recent first, so the rule most likely at fault is easy to find.
"""

from __future__ import annotations

from .. import _backend
from .._backend import xp
from .._graph import AccumulateGrad
from .._tensor import Tensor, make

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical derivatives disagree."""


def _tuple(value):
    return value if isinstance(value, (tuple, list)) else (value,)


def _differentiable_outputs(func, inputs):
    outputs = _tuple(func(*inputs))
    return [o for o in outputs if isinstance(o, Tensor) and o._dtype.is_floating_point]


def _numerical_jacobian(func, inputs, index, output_index, eps):
    """d outputs[output_index] / d inputs[index] by central differences (rows: outputs)."""
    target = inputs[index]
    flat = target._data.reshape(-1)  # a view: perturbing it perturbs the input
    columns = []
    # grad mode stays on: gradgradcheck's func itself calls autograd.grad
    for k in range(flat.size):
        original = flat[k].item()
        flat[k] = original + eps
        plus = _differentiable_outputs(func, inputs)[output_index]._data.astype(xp.float64)
        flat[k] = original - eps
        minus = _differentiable_outputs(func, inputs)[output_index]._data.astype(xp.float64)
        flat[k] = original
        columns.append(((plus - minus) / (2 * eps)).reshape(-1))
    rows = columns[0].size if columns else 0
    return xp.stack(columns, axis=1) if columns else xp.zeros((rows, 0))


def _analytical_jacobian(output, inputs, index):
    """One backward per output element: the reference way, independent of batching."""
    from . import grad

    target = inputs[index]
    n = output.numel()
    rows = []
    for k in range(n):
        seed = xp.zeros(n, output._data.dtype)
        seed[k] = 1
        cotangent = make(seed.reshape(output._data.shape), output._dtype)
        (g,) = grad(output, target, cotangent, retain_graph=True, allow_unused=True)
        rows.append(
            xp.zeros(target._data.size) if g is None else g._data.astype(xp.float64).reshape(-1)
        )
    return xp.stack(rows) if rows else xp.zeros((0, target._data.size))


def _graph_nodes(output) -> list:
    names, stack, seen = [], [output.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if type(node) is not AccumulateGrad:
            names.append((node._seq, type(node).__name__))
        stack.extend(nxt for nxt, _ in node.next_functions)
    return [name for _, name in sorted(names, reverse=True)]


def _mismatch_report(i, j, numerical, analytical, output, dtype):
    diff = xp.abs(numerical - analytical)
    row, col = xp.unravel_index(int(diff.argmax()), diff.shape)
    to_tensor = lambda a: make(a.astype(dtype.np), dtype)  # noqa: E731
    nodes = " -> ".join(_graph_nodes(output)) or "(no graph)"
    return (
        f"Jacobian mismatch for output {i} with respect to input {j},\n"
        f"numerical:{to_tensor(numerical)!r}\nanalytical:{to_tensor(analytical)!r}\n"
        f"largest difference at output element {row}, input element {col}: analytical "
        f"{float(analytical[row, col])!r} vs numerical {float(numerical[row, col])!r}\n"
        f"backward nodes, most recent first (a wrong rule is usually among them): {nodes}\n"
    )


def gradcheck(
    func,
    inputs,
    *,
    eps=1e-6,
    atol=1e-5,
    rtol=1e-3,
    raise_exception=True,
    nondet_tol=0.0,
    check_undefined_grad=True,
    check_grad_dtypes=False,
    check_batched_grad=False,
    check_batched_forward_grad=False,
    check_forward_ad=False,
    check_backward_ad=True,
    fast_mode=False,
    masked=None,
) -> bool:
    """True when the analytical Jacobian of ``func`` matches finite differences at ``inputs``.

    >>> x = tensor([1., 2.], dtype=float64, requires_grad=True)
    >>> gradcheck(lambda a: (a ** 3).sum(), (x,))
    True
    """
    inputs = tuple(_tuple(inputs))
    for k, t in enumerate(inputs):
        if isinstance(t, Tensor) and t.requires_grad and t.dtype.name != "float64":
            _backend.warn(
                f"Input #{k} requires gradient and is not a double precision floating point or "
                "complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex."
            )
    outputs = _differentiable_outputs(func, inputs)
    for i, output in enumerate(outputs):
        for j, target in enumerate(inputs):
            if not (isinstance(target, Tensor) and target.requires_grad):
                continue
            numerical = _numerical_jacobian(func, inputs, j, i, eps)
            checks = []
            if check_backward_ad:
                if output.requires_grad:
                    checks.append(("", _analytical_jacobian(output, inputs, j)))
                else:
                    checks.append(("", xp.zeros_like(numerical)))
            if check_forward_ad:
                checks.append(
                    (" computed with forward mode", _forward_jacobian(func, inputs, j, i))
                )
            for mode, analytical in checks:
                if not xp.allclose(analytical, numerical, rtol=rtol, atol=atol):
                    if raise_exception:
                        report = _mismatch_report(i, j, numerical, analytical, output, target.dtype)
                        raise GradcheckError(report.replace("Jacobian", "Jacobian" + mode, 1))
                    return False
    return True


def _forward_jacobian(func, inputs, index, output_index):
    """d outputs[output_index] / d inputs[index] by forward mode: one JVP per input element."""
    from . import forward_ad

    target = inputs[index]
    columns = []
    with forward_ad.dual_level():
        for k in range(target.numel()):
            duals = []
            for i, t in enumerate(inputs):
                if not (isinstance(t, Tensor) and t.requires_grad):
                    duals.append(t)
                    continue
                tangent = xp.zeros(t._data.size, t._data.dtype)
                if i == index:
                    tangent[k] = 1
                tangent = make(tangent.reshape(t._data.shape), t._dtype)
                duals.append(forward_ad.make_dual(t, tangent))
            output = _differentiable_outputs(func, duals)[output_index]
            tangent = forward_ad.unpack_dual(output).tangent
            column = xp.zeros(output._data.size) if tangent is None else tangent._data
            columns.append(column.astype(xp.float64).reshape(-1))
    if not columns:
        return xp.zeros((_differentiable_outputs(func, inputs)[output_index].numel(), 0))
    return xp.stack(columns, axis=1)


def gradgradcheck(
    func,
    inputs,
    grad_outputs=None,
    *,
    eps=1e-6,
    atol=1e-5,
    rtol=1e-3,
    gen_non_contig_grad_outputs=False,
    raise_exception=True,
    nondet_tol=0.0,
    check_undefined_grad=True,
    check_grad_dtypes=False,
    check_batched_grad=False,
    check_fwd_over_rev=False,
    check_rev_over_rev=True,
    fast_mode=False,
    masked=False,
) -> bool:
    """gradcheck of the gradient: second derivatives against finite differences."""
    from . import grad

    inputs = tuple(_tuple(inputs))
    outputs = _differentiable_outputs(func, inputs)
    if grad_outputs is None:
        rng = xp.random.default_rng(0)
        grad_outputs = tuple(
            make(rng.standard_normal(o._data.shape).astype(o._data.dtype), o._dtype).requires_grad_(
                True
            )
            for o in outputs
        )
    grad_outputs = tuple(_tuple(grad_outputs))
    n_inputs = len(inputs)
    wanted = [k for k, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]

    def first_derivatives(*args):
        xs, vs = args[:n_inputs], args[n_inputs:]
        outs = [o for o in _differentiable_outputs(func, xs) if o.requires_grad]
        pairs = [(o, v) for o, v in zip(outs, vs)]
        if not pairs:
            return tuple(xs[k].new_zeros(xs[k].shape) for k in wanted)
        grads = grad(
            [o for o, _ in pairs],
            [xs[k] for k in wanted],
            [v for _, v in pairs],
            create_graph=True,
            allow_unused=True,
        )
        return tuple(
            g if g is not None else xs[k].new_zeros(xs[k].shape) for g, k in zip(grads, wanted)
        )

    return gradcheck(
        first_derivatives,
        inputs + grad_outputs,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
    )
