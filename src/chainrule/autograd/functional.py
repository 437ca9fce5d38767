"""torch.autograd.functional: vjp, jvp, jacobian, hessian, hvp, vhp.

Jacobians are computed with batched cotangents: one backward pass carries every row of
the identity at once (rules see gradients with a leading batch dim), instead of one
backward per output element.
"""

from __future__ import annotations

from .._backend import xp
from .._graph import enable_grad
from .._tensor import Tensor, make

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _as_tuple(value, arg_name, fn_name):
    """Normalise to a tuple of tensors, remembering whether the user gave a tuple."""
    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for index, v in enumerate(values):
        if not isinstance(v, Tensor):
            if is_tuple:
                raise TypeError(
                    f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                    f"Tensors but the value at index {index} has type {type(v)}."
                )
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors "
                f"but the given {arg_name} has type {type(value)}."
            )
    return is_tuple, values


def _prepare(inputs, create_graph):
    """Fresh leaves that require grad (views of the user's tensors under create_graph)."""
    out = []
    for t in inputs:
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))
        else:
            out.append(t.detach().requires_grad_(True))
    return tuple(out)


def _finish(values, create_graph):
    if create_graph:
        return values
    return tuple(v.detach() if isinstance(v, Tensor) else v for v in values)


def _check_outputs(outputs, strict, fn_name, inputs_count):
    for i, out in enumerate(outputs):
        if strict and not out.requires_grad:
            raise RuntimeError(
                f"Output {i} of the user-provided function does not require gradients. The "
                "outputs must be computed in a differentiable manner from the input when running "
                "in strict mode."
            )


def _grad(outputs, inputs, grad_outputs, create_graph, batched=False, retain_graph=None):
    """autograd.grad over the outputs that require grad; zeros for the rest."""
    from . import grad

    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    outs, grads = zip(*pairs)
    return grad(
        outs,
        inputs,
        grads,
        retain_graph=True if retain_graph is None else retain_graph,
        create_graph=create_graph,
        allow_unused=True,
        is_grads_batched=batched,
    )


def _zeros_for(grads, inputs, lead=()):
    return tuple(
        g if g is not None else make(xp.zeros(lead + t._data.shape, t._data.dtype), t._dtype)
        for g, t in zip(grads, inputs)
    )


def _strict_unused(grads, strict):
    """vjp/jvp in strict mode: every input must reach the output."""
    if strict:
        for j, g in enumerate(grads):
            if g is None:
                raise RuntimeError(
                    f"The output of the user-provided function is independent of input {j}. This "
                    "is not allowed in strict mode."
                )


def _strict_hessian(grads, strict):
    """hessian/hvp/vhp in strict mode: the gradient must depend on every input."""
    if strict:
        for j, g in enumerate(grads):
            if g is None or not g.requires_grad:
                raise RuntimeError(
                    "While computing the hessian, found that the jacobian of the user-provided "
                    f"function with respect to input {j} is independent of the input. This is not "
                    "allowed in strict mode. You should ensure that your function is twice "
                    "differentiable and that the jacobian depends on the inputs (this would be "
                    "violated by a linear function for example)."
                )


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the vector-Jacobian product at ``inputs``."""
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph)
        out_tuple, outputs = _as_tuple(
            func(*inputs), "outputs of the user-provided function", "vjp"
        )
        _check_outputs(outputs, strict, "vjp", len(inputs))
        if v is None:
            for out in outputs:
                if out.numel() != 1:
                    raise RuntimeError(
                        "The vector v can only be None if the user-provided function returns a "
                        "single Tensor with a single element."
                    )
            v = tuple(out.new_ones(out.shape) for out in outputs)
        else:
            _, v = _as_tuple(v, "v", "vjp")
            _check_v(v, outputs, out_tuple)
        grads = _grad(outputs, inputs, v, create_graph)
        _strict_unused(grads, strict)
        grads = _zeros_for(grads, inputs)
    outputs = _finish(outputs, create_graph)
    grads = _finish(grads, create_graph)
    return (outputs if out_tuple else outputs[0]), (grads if in_tuple else grads[0])


def _check_v(v, like, like_tuple):
    """v must match ``like`` (outputs for vjp, inputs for jvp/hvp/vhp), in torch's words."""
    if len(v) != len(like):
        if not like_tuple:
            raise RuntimeError("The given v should contain a single Tensor.")
        raise RuntimeError(
            f"v is a tuple of invalid length: should be {len(like)} but got {len(v)}."
        )
    for i, (vi, ref) in enumerate(zip(v, like)):
        if vi.shape != ref.shape:
            where = f"Entry {i} in v" if like_tuple else "v"
            raise RuntimeError(
                f"{where} has invalid size: should be {ref.shape} but got {vi.shape}."
            )


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the Jacobian-vector product, by the double-backward trick."""
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph)
        if v is None:
            if len(inputs) != 1 or inputs[0].numel() != 1:
                raise RuntimeError(
                    "The vector v can only be None if the input to the user-provided function is "
                    "a single Tensor with a single element."
                )
            v = (inputs[0].new_ones(inputs[0].shape),)
        else:
            _, v = _as_tuple(v, "v", "jvp")
            _check_v(v, inputs, in_tuple)
        out_tuple, outputs = _as_tuple(
            func(*inputs), "outputs of the user-provided function", "jvp"
        )
        _check_outputs(outputs, strict, "jvp", len(inputs))
        dummies = tuple(out.new_zeros(out.shape).requires_grad_(True) for out in outputs)
        grads = _grad(outputs, inputs, dummies, create_graph=True)
        _strict_unused(grads, strict)
        used = [(g, vi) for g, vi in zip(grads, v) if g is not None and g.requires_grad]
        if used:
            from . import grad

            result = grad(
                [g for g, _ in used],
                dummies,
                [vi for _, vi in used],
                create_graph=create_graph,
                allow_unused=True,
            )
        else:
            result = (None,) * len(outputs)
        result = _zeros_for(result, outputs)
    outputs = _finish(outputs, create_graph)
    result = _finish(result, create_graph)
    return (outputs if out_tuple else outputs[0]), (result if out_tuple else result[0])


def jacobian(
    func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"
):
    """The Jacobian of ``func`` at ``inputs``, with torch's tuple conventions.

    Every row is computed in one batched backward pass (``vectorize`` is accepted for
    compatibility; chainrule always batches).

    >>> jacobian(lambda x: x ** 2, tensor([1., 2.]))
    tensor([[2., 0.],
            [0., 4.]])
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more performant. '
            'Otherwise, prefer to use "reverse-mode".'
        )
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`create_graph=False` or `strategy="reverse-mode"`.'
            )
        if strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`strict=False` or `strategy="reverse-mode"`.'
            )
        if not vectorize:
            raise NotImplementedError(FORWARD_NEEDS_VECTORIZE)
    if strict and vectorize:
        raise RuntimeError(
            "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
            "supported together. Please either set `strict=False` or `vectorize=False`."
        )
    if strategy == "forward-mode":
        return _forward_jacobian(func, inputs)
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prepare(inputs, create_graph)
        out_tuple, outputs = _as_tuple(
            func(*inputs), "outputs of the user-provided function", "jacobian"
        )
        _check_outputs(outputs, strict, "jacobian", len(inputs))
        blocks = [
            _jacobian_rows(out, i, inputs, create_graph, strict, vectorize)
            for i, out in enumerate(outputs)
        ]
    blocks = [_finish(row, create_graph) for row in blocks]
    return _arrange(blocks, out_tuple, in_tuple)


def _jacobian_rows(out, index, inputs, create_graph, strict, vectorize=False):
    """d out / d each input, from one backward with the identity as batched cotangents."""
    n = out.numel()
    if n == 0:
        # torch stacks one gradient per output element, and stacking none fails
        if vectorize:
            raise IndexError("index 0 is out of bounds for dimension 0 with size 0")
        raise RuntimeError("stack expects a non-empty TensorList")
    if not out.requires_grad:
        grads = (None,) * len(inputs)
    else:
        eye = make(xp.eye(n, dtype=out._data.dtype).reshape((n,) + out._data.shape), out._dtype)
        grads = _grad((out,), inputs, (eye,), create_graph, batched=True)
    if strict:
        for j, g in enumerate(grads):
            if g is None:
                raise RuntimeError(
                    f"Output {index} of the user-provided function is independent of input {j}. "
                    "This is not allowed in strict mode."
                )
    grads = _zeros_for(grads, inputs, (n,))
    return tuple(g.reshape(out.shape + t.shape) for g, t in zip(grads, inputs))


def _forward_jacobian(func, inputs):
    """The Jacobian by forward mode: one JVP per input element, all in one dual level.

    The inputs are made to require grad while ``func`` runs, so that every op records and
    derives its tangent (see forward_ad).
    """
    from . import forward_ad

    in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    columns = [[] for _ in inputs]  # per input: per element, the output tangents
    outputs = out_tuple = None
    level = forward_ad._open_level()
    try:
        with enable_grad():
            for j, x in enumerate(inputs):
                for k in range(x.numel()):
                    duals = []
                    for i, t in enumerate(inputs):
                        tangent = xp.zeros(t._data.size, t._data.dtype)
                        if i == j:
                            tangent[k] = 1
                        primal = t.detach().requires_grad_(t.dtype.is_floating_point)
                        tangent = make(tangent.reshape(t._data.shape), t._dtype)
                        duals.append(forward_ad.make_dual(primal, tangent, level=level))
                    out_tuple, outputs = _as_tuple(
                        func(*duals), "outputs of the user-provided function", "jacobian"
                    )
                    columns[j].append(
                        [forward_ad.unpack_dual(o, level=level).tangent for o in outputs]
                    )
            if outputs is None:  # no input element: the outputs' structure from one call
                out_tuple, outputs = _as_tuple(
                    func(*inputs), "outputs of the user-provided function", "jacobian"
                )
    finally:
        forward_ad._close_level(level)
    blocks = []
    for i, out in enumerate(outputs):
        row = []
        for x, per_element in zip(inputs, columns):
            shape = out._data.shape + x._data.shape
            cols = [c[i] if c[i] is not None else out.new_zeros(out.shape) for c in per_element]
            if cols:
                block = _stack_last(cols).reshape(shape).detach()
            else:
                block = make(xp.zeros(shape, out._data.dtype), out._dtype)
            row.append(block)
        blocks.append(row)
    # torch's forward mode hands back lists where the inputs were a tuple
    if in_tuple:
        return blocks if out_tuple else blocks[0]
    return tuple(row[0] for row in blocks) if out_tuple else blocks[0][0]


def _stack_last(tensors):
    from ..ops.joining import stack

    return stack(tensors, -1)


def _arrange(blocks, out_tuple, in_tuple):
    """torch's nesting: J[i][j] for outputs i and inputs j, unwrapped where not tuples."""
    if out_tuple:
        return tuple(row if in_tuple else row[0] for row in blocks)
    return blocks[0] if in_tuple else blocks[0][0]


FORWARD_NEEDS_VECTORIZE = (
    "Computing Jacobian using forward-AD or forward-over-reverse Hessian isonly implemented for "
    "`vectorize=True`."  # sic: torch's message
)


def hessian(
    func,
    inputs,
    create_graph=False,
    strict=False,
    vectorize=False,
    outer_jacobian_strategy="reverse-mode",
):
    """The Hessian of a scalar ``func`` at ``inputs`` (a Jacobian of its gradient, batched).

    >>> hessian(lambda x: (x ** 3).sum(), tensor([1., 2.]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')
    if outer_jacobian_strategy == "forward-mode" and not vectorize:
        raise NotImplementedError(FORWARD_NEEDS_VECTORIZE)
    in_tuple, inputs_t = _as_tuple(inputs, "inputs", "hessian")

    def gradient(*xs):
        out = func(*xs)
        is_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        if is_tuple or len(outs) != 1:
            raise RuntimeError("The function given to hessian should return a single Tensor")
        out = outs[0]
        if out.numel() != 1:
            raise RuntimeError(
                "The Tensor returned by the function given to hessian should contain a single "
                "element"
            )
        out = out.reshape(())
        _check_outputs((out,), strict, "hessian", len(xs))
        grads = _grad((out,), xs, (out.new_ones(()),), create_graph=True)
        _strict_hessian(grads, strict)
        return _zeros_for(grads, xs)

    result = jacobian(
        gradient,
        inputs_t,
        create_graph=create_graph,
        strict=strict,
        vectorize=vectorize,
        strategy=outer_jacobian_strategy,
    )
    if in_tuple:
        return result
    return result[0][0]


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) for a scalar ``func``."""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H) for a scalar ``func`` (equal to hvp: H is symmetric)."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def _hessian_product(func, inputs, v, create_graph, strict, name):
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", name)
        inputs = _prepare(inputs, create_graph)
        if v is None:
            if len(inputs) != 1 or inputs[0].numel() != 1:
                raise RuntimeError(
                    "The vector v can only be None if the input to the user-provided function is "
                    "a single Tensor with a single element."
                )
            v = (inputs[0].new_ones(inputs[0].shape),)
        else:
            _, v = _as_tuple(v, "v", name)
            _check_v(v, inputs, in_tuple)
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", name)
        if out_tuple:
            raise RuntimeError(f"The function given to {name} should return a single Tensor")
        if outputs[0].numel() != 1:
            raise RuntimeError(
                f"The Tensor returned by the function given to {name} should contain a single "
                "element"
            )
        _check_outputs(outputs, strict, name, len(inputs))
        out = outputs[0]
        grads = _grad((out,), inputs, (out.new_ones(out.shape),), create_graph=True)
        _strict_unused(grads, strict)
        _strict_hessian(grads, strict)
        used = [(g, vi) for g, vi in zip(grads, v) if g is not None and g.requires_grad]
        if used:
            result = _grad([g for g, _ in used], inputs, [vi for _, vi in used], create_graph)
        else:
            result = (None,) * len(inputs)
        result = _zeros_for(result, inputs)
    out = _finish((out,), create_graph)[0]
    result = _finish(result, create_graph)
    return out, (result if in_tuple else result[0])
