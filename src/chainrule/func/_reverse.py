"""Reverse-mode transforms: grad, grad_and_value, vjp, jacrev.

Each call lifts the differentiated inputs into fresh tensors that require grad, runs the
function with grad mode on, and asks the engine for gradients. When an outer transform
(or plain autograd) differentiates the result, the backward is recorded (create_graph), so
transforms nest: ``grad(grad(f))``, ``jacfwd(jacrev(f))``.
"""

from __future__ import annotations

import functools

from .. import autograd
from .._backend import xp
from .._graph import enable_grad
from .._tensor import Tensor, make
from ._common import check_argnums, lift_args, outer_active, settle
from ._pytree import tree_flatten, tree_map, tree_unflatten

__all__ = ["grad", "grad_and_value", "vjp", "jacrev"]


def _split_aux(output, has_aux, name):
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(
            f"{name}(f)(*args): output of function f should be a tuple: (output, aux) if "
            "has_aux is True"
        )
    return output


def _outer_active(args, argnums) -> bool:
    """Do the differentiated arguments take part in an outer differentiation?"""
    positions = check_argnums(argnums, len(args))
    return outer_active([leaf for p in positions for leaf in tree_flatten(args[p])[0]])


def _call_lifted(func, args, kwargs, argnums, has_aux, name):
    """Run ``func`` with the ``argnums`` arguments lifted to fresh leaves (call under grad
    mode); returns the output, the aux value and the lifted argument trees."""
    lifted_args, trees = lift_args(args, check_argnums(argnums, len(args)))
    output, aux = _split_aux(func(*lifted_args, **kwargs), has_aux, name)
    return output, aux, trees


def _gradients(outputs, cotangents, inputs, create_graph, batched=False):
    """autograd.grad over the outputs that require grad; zeros where nothing flows."""
    pairs = [(o, c) for o, c in zip(outputs, cotangents) if o._requires_grad]
    found = [None] * len(inputs)
    if pairs:
        outs, cots = zip(*pairs)
        found = autograd.grad(
            outs,
            inputs,
            cots,
            retain_graph=True,
            create_graph=create_graph,
            allow_unused=True,
            is_grads_batched=batched,
        )
    lead = (cotangents[0]._data.shape[0],) if batched and cotangents else ()
    return [
        g if g is not None else make(xp.zeros(lead + x._data.shape, x._dtype.np), x._dtype)
        for g, x in zip(found, inputs)
    ]


def grad_and_value(func, argnums=0, has_aux=False):
    """Like :func:`grad`, returning ``(gradient, value)`` (``((gradient, value), aux)``...).

    >>> import chainrule as torch
    >>> grad_and_value(lambda x: (x ** 2).sum())(torch.tensor([1.0, 2.0]))
    (tensor([2., 4.]), tensor(5.))
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        keep = _outer_active(args, argnums)
        with enable_grad():
            output, aux, trees = _call_lifted(
                func, args, kwargs, argnums, has_aux, "grad_and_value"
            )
            if not isinstance(output, Tensor):
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got "
                    f"{type(output)}"
                )
            if output.dim() != 0:
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, "
                    f"got tensor with {output.dim()} dims. Maybe you wanted to use the vjp or "
                    "jacrev APIs instead?"
                )
            leaves, spec = tree_flatten(tuple(trees))
            seed = make(xp.ones((), output._dtype.np), output._dtype)
            grads = _gradients([output], [seed], leaves, keep)
        grads = [settle(g, keep) for g in grads]
        result = tree_unflatten(grads, spec)
        if isinstance(argnums, int):
            result = result[0]
        value = settle(output, keep)
        if has_aux:
            return result, (value, tree_map(lambda a: settle(a, keep), aux))
        return result, value

    return wrapper


def grad(func, argnums=0, has_aux=False):
    """The gradient of a function returning a scalar tensor, as a function.

    ``argnums`` picks the inputs (int or tuple); inputs may be nested tuples, lists and
    dicts of tensors, and the gradient has the same structure. With ``has_aux``, ``func``
    returns ``(output, aux)`` and the transform returns ``(gradient, aux)``.

    >>> import chainrule as torch
    >>> grad(lambda x: x.sin().sum())(torch.tensor([0.0]))
    tensor([1.])
    >>> grad(grad(lambda x: x ** 3))(torch.tensor(2.0))
    tensor(12.)
    """
    transform = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        result, rest = transform(*args, **kwargs)
        if has_aux:
            return result, rest[1]
        return result

    return wrapper


def vjp(func, *primals, has_aux=False):
    """``(output, vjp_fn)``: ``vjp_fn(cotangents)`` is the vector-Jacobian product.

    ``vjp_fn`` returns a tuple with one gradient per primal and may be called many times.

    >>> import chainrule as torch
    >>> out, vjp_fn = vjp(torch.sin, torch.tensor([0.0, 1.0]))
    >>> vjp_fn(torch.tensor([1.0, 1.0]))
    (tensor([1.0000, 0.5403]),)
    """
    in_leaves, _ = tree_flatten(primals)
    keep = outer_active(in_leaves)
    with enable_grad():
        lifted, _ = lift_args(primals, range(len(primals)))
        output, aux = _split_aux(func(*lifted), has_aux, "vjp")
    out_leaves, out_spec = tree_flatten(output)
    for leaf in out_leaves:
        if not isinstance(leaf, Tensor):
            raise RuntimeError(
                "vjp(f, *primals): Expected f to be a function that has non-empty output and "
                f"returns a Tensor or a pytree of Tensors, got {type(leaf)}"
            )
    flat_in, in_spec = tree_flatten(tuple(lifted))

    def vjp_fn(cotangents, *, retain_graph=True, create_graph=None):
        cot_leaves, cot_spec = tree_flatten(cotangents)
        if cot_spec != out_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                f"outputs to the function. cotangents: {cot_spec!r}, primal output: "
                f"{out_spec!r}"
            )
        for i, (c, o) in enumerate(zip(cot_leaves, out_leaves)):
            if c.shape != o.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {c.shape} and "
                    f"output[{i}] has a shape of {o.shape}."
                )
        create = keep or bool(create_graph) or outer_active(cot_leaves)
        with enable_grad():
            grads = _gradients(out_leaves, cot_leaves, flat_in, create)
        return tree_unflatten([settle(g, create) for g in grads], in_spec)

    output = tree_map(lambda o: settle(o, keep), output)
    if has_aux:
        return output, vjp_fn, tree_map(lambda a: settle(a, keep), aux)
    return output, vjp_fn


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None):
    """The Jacobian by reverse mode: all rows of each output in one batched backward.

    The result mirrors the output's structure; each leaf holds ``output.shape +
    input.shape`` blocks (a tuple of them for a tuple ``argnums``). ``chunk_size`` splits
    the rows into backward passes of that many rows.

    >>> import chainrule as torch
    >>> jacrev(lambda x: x ** 2)(torch.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])
    """
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size <= 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        keep = _outer_active(args, argnums)
        with enable_grad():
            output, aux, trees = _call_lifted(func, args, kwargs, argnums, has_aux, "jacrev")
            out_leaves, out_spec = tree_flatten(output)
            in_leaves, in_spec = tree_flatten(tuple(trees))
            blocks = [_jacobian_of(o, in_leaves, keep, chunk_size) for o in _tensors(out_leaves)]
        per_output = []
        for row in blocks:
            tree = tree_unflatten([settle(b, keep) for b in row], in_spec)
            per_output.append(tree[0] if isinstance(argnums, int) else tree)
        result = tree_unflatten(per_output, out_spec)
        if has_aux:
            return result, tree_map(lambda a: settle(a, keep), aux)
        return result

    return wrapper


def _tensors(leaves):
    for leaf in leaves:
        if not isinstance(leaf, Tensor):
            raise RuntimeError(
                f"jacrev(f, ...)(*args): Expected f to return Tensors, got {type(leaf)}"
            )
    return leaves


def _jacobian_of(out, inputs, create, chunk_size):
    """d out / d input for each input: out.shape + input.shape, rows in batched backwards."""
    n = out.numel()
    if n == 0 or not out._requires_grad:
        return [
            make(xp.zeros(out._data.shape + x._data.shape, x._dtype.np), x._dtype) for x in inputs
        ]
    eye = xp.eye(n, dtype=out._dtype.np).reshape((n,) + out._data.shape)
    step = chunk_size or n
    parts = []
    for start in range(0, n, step):
        rows = make(eye[start : start + step], out._dtype)
        parts.append(_gradients([out], [rows], inputs, create, batched=True))
    blocks = []
    for j, x in enumerate(inputs):
        column = [p[j] for p in parts]
        joined = column[0] if len(column) == 1 else autograd_cat(column)
        blocks.append(joined.reshape(out._data.shape + x._data.shape))
    return blocks


def autograd_cat(tensors):
    from ..ops.joining import cat

    return cat(tensors, 0)
