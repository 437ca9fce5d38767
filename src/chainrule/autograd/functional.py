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
    for v in values:
        if not isinstance(v, Tensor):
            if is_tuple:
                raise TypeError(
                    f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                    f"Tensors but the value at index {values.index(v)} has type {type(v)}."
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
    return grad(outs, inputs, grads, retain_graph=True if retain_graph is None else retain_graph,
                create_graph=create_graph, allow_unused=True,
                is_grads_batched=batched)  # fmt: skip


def _zeros_for(grads, inputs, lead=()):
    return tuple(
        g if g is not None else make(xp.zeros(lead + t._data.shape, t._data.dtype), t._dtype)
        for g, t in zip(grads, inputs)
    )


def _strict_unused(grads, strict, what, output_index):
    if strict:
        for j, g in enumerate(grads):
            if g is None:
                raise RuntimeError(
                    f"The {what} for output {output_index} is independent of input {j}. This is "
                    "not allowed in strict mode."
                )


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the vector-Jacobian product at ``inputs``."""
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph)
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       "vjp")  # fmt: skip
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
            _check_v(v, outputs)
        grads = _grad(outputs, inputs, v, create_graph)
        _strict_unused(grads, strict, "gradient", 0)
        grads = _zeros_for(grads, inputs)
    outputs = _finish(outputs, create_graph)
    grads = _finish(grads, create_graph)
    return (outputs if out_tuple else outputs[0]), (grads if in_tuple else grads[0])


def _check_v(v, outputs):
    if len(v) != len(outputs):
        raise RuntimeError(
            f"v is a tuple of invalid length: should be {len(outputs)} but got {len(v)}."
        )
    for i, (vi, out) in enumerate(zip(v, outputs)):
        if vi.shape != out.shape:
            raise RuntimeError(
                f"Entry {i} in v has invalid size: should be {out.shape} but got {vi.shape}."
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
            _check_v(v, inputs)
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       "jvp")  # fmt: skip
        _check_outputs(outputs, strict, "jvp", len(inputs))
        dummies = tuple(out.new_zeros(out.shape).requires_grad_(True) for out in outputs)
        grads = _grad(outputs, inputs, dummies, create_graph=True)
        used = [(g, vi) for g, vi in zip(grads, v) if g is not None and g.requires_grad]
        if used:
            from . import grad

            result = grad([g for g, _ in used], dummies, [vi for _, vi in used],
                          create_graph=create_graph, allow_unused=True)  # fmt: skip
        else:
            result = (None,) * len(outputs)
        result = _zeros_for(result, outputs)
    outputs = _finish(outputs, create_graph)
    result = _finish(result, create_graph)
    return (outputs if out_tuple else outputs[0]), (result if out_tuple else result[0])


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):  # fmt: skip
    """The Jacobian of ``func`` at ``inputs``, with torch's tuple conventions.

    Every row is computed in one batched backward pass (``vectorize`` is accepted for
    compatibility; chainrule always batches).

    >>> jacobian(lambda x: x ** 2, tensor([1., 2.]))
    tensor([[2., 0.],
            [0., 4.]])
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError(
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
        if not vectorize:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `strategy=\"forward-mode\"` requires "
                "`vectorize=True`."
            )
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prepare(inputs, create_graph)
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       "jacobian")  # fmt: skip
        _check_outputs(outputs, strict, "jacobian", len(inputs))
        blocks = [_jacobian_rows(out, i, inputs, create_graph, strict)
                  for i, out in enumerate(outputs)]  # fmt: skip
    blocks = [_finish(row, create_graph) for row in blocks]
    return _arrange(blocks, out_tuple, in_tuple)


def _jacobian_rows(out, index, inputs, create_graph, strict):
    """d out / d each input, from one backward with the identity as batched cotangents."""
    n = out.numel()
    if not out.requires_grad:
        grads = (None,) * len(inputs)
    elif n == 0:
        grads = tuple(make(xp.zeros((0,) + t._data.shape, t._data.dtype), t._dtype)
                      for t in inputs)  # fmt: skip
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


def _arrange(blocks, out_tuple, in_tuple):
    """torch's nesting: J[i][j] for outputs i and inputs j, unwrapped where not tuples."""
    if out_tuple:
        return tuple(row if in_tuple else row[0] for row in blocks)
    return blocks[0] if in_tuple else blocks[0][0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):  # fmt: skip
    """The Hessian of a scalar ``func`` at ``inputs`` (a Jacobian of its gradient, batched).

    >>> hessian(lambda x: (x ** 3).sum(), tensor([1., 2.]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    if outer_jacobian_strategy == "forward-mode" and not vectorize:
        raise NotImplementedError(
            "torch.autograd.functional.hessian: `outer_jacobian_strategy=\"forward-mode\"` "
            "requires `vectorize=True`."
        )
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
        if strict and not out.requires_grad:
            raise RuntimeError(
                "The output of the user-provided function does not require gradients. The "
                "outputs must be computed in a differentiable manner from the input when running "
                "in strict mode."
            )
        grads = _grad((out,), xs, (out.new_ones(()),), create_graph=True)
        _strict_unused(grads, strict, "gradient", 0)
        return _zeros_for(grads, xs)

    result = jacobian(gradient, inputs_t, create_graph=create_graph, strict=strict)
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
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       name)  # fmt: skip
        if out_tuple or outputs[0].numel() != 1:
            raise RuntimeError(
                f"The function given to {name} should return a single Tensor with a single "
                "element" if not out_tuple else
                f"The function given to {name} should return a single Tensor"
            )
        if v is None:
            if len(inputs) != 1 or inputs[0].numel() != 1:
                raise RuntimeError(
                    "The vector v can only be None if the input to the user-provided function is "
                    "a single Tensor with a single element."
                )
            v = (inputs[0].new_ones(inputs[0].shape),)
        else:
            _, v = _as_tuple(v, "v", name)
            _check_v(v, inputs)
        out = outputs[0]
        grads = _grad((out,), inputs, (out.new_ones(out.shape),), create_graph=True)
        used = [(g, vi) for g, vi in zip(grads, v) if g is not None and g.requires_grad]
        if used:
            result = _grad([g for g, _ in used], inputs, [vi for _, vi in used], create_graph)
        else:
            result = (None,) * len(inputs)
        result = _zeros_for(result, inputs)
    out = _finish((out,), create_graph)[0]
    result = _finish(result, create_graph)
    return out, (result if in_tuple else result[0])
