"""Forward-mode transforms: jvp, jacfwd, hessian.

They run the function on dual tensors (``autograd.forward_ad``) at a level of their own,
so they nest with each other and with the reverse transforms (``hessian`` is
``jacfwd(jacrev(f))``). Inputs are lifted into tensors that require grad while the function
runs, so every op records and derives its tangent (see forward_ad).
"""

from __future__ import annotations

import functools

from .._backend import xp
from .._graph import enable_grad
from .._tensor import Tensor, make
from ..autograd import forward_ad
from ._common import check_argnums, lift, outer_active, settle, zeros_like
from ._pytree import tree_flatten, tree_map, tree_unflatten

__all__ = ["jvp", "jacfwd", "hessian"]


def _structure_error(primals_spec, tangents_spec):
    return RuntimeError(
        "jvp(f, primals, tangents): Expected primals and tangents to have the same python "
        "structure. For example, if primals is a tuple of 3 tensors, tangents also must be. "
        f"Got primals with structure {primals_spec!r} and tangents with structure "
        f"{tangents_spec!r}"
    )


def _jvp(func, primal_leaves, primal_spec, tangent_leaves, has_aux, kwargs=None):
    """Run ``func`` on dual tensors: (output leaves, their tangents, output spec, aux)."""
    keep = outer_active(primal_leaves + tangent_leaves)
    level = forward_ad._open_level()
    try:
        with enable_grad():
            duals = []
            for p, t in zip(primal_leaves, tangent_leaves):
                if not isinstance(p, Tensor) or not isinstance(t, Tensor):
                    bad = p if not isinstance(p, Tensor) else t
                    raise RuntimeError(f"Expected tensors, got unsupported type {type(bad)}")
                duals.append(forward_ad.make_dual(lift(p), t, level=level))
            output = func(*tree_unflatten(duals, primal_spec), **(kwargs or {}))
            aux = None
            if has_aux:
                if not (isinstance(output, tuple) and len(output) == 2):
                    raise RuntimeError(
                        "jvp(f, primals, tangents): output of function f should be a tuple: "
                        "(output, aux) if has_aux is True"
                    )
                output, aux = output
            out_leaves, out_spec = tree_flatten(output)
            primals_out, tangents_out = [], []
            for o in out_leaves:
                if not isinstance(o, Tensor):
                    raise RuntimeError(
                        "jvp(f, primals, tangents): Expected f(*primals) to return only tensors"
                        f", got unsupported type {type(o)}"
                    )
                primal, tangent = forward_ad.unpack_dual(o, level=level)
                if tangent is None:
                    tangent = zeros_like(o)
                primals_out.append(primal)
                tangents_out.append(tangent)
    finally:
        forward_ad._close_level(level)
    keep = keep or outer_active([])
    primals_out = [settle(p, keep) for p in primals_out]
    tangents_out = [settle(t, keep) for t in tangents_out]
    if aux is not None:
        aux = tree_map(lambda a: settle(a, keep), aux)
    return primals_out, tangents_out, out_spec, aux


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """``(func(*primals), J @ tangents)``: the Jacobian-vector product by forward mode.

    >>> import chainrule as torch
    >>> jvp(torch.sin, (torch.tensor([0.0]),), (torch.tensor([2.0]),))
    (tensor([0.]), tensor([2.]))
    """
    if not isinstance(primals, tuple):
        raise RuntimeError(
            "jvp(f, primals, tangents): Expected primals to be a tuple. E.g. it should be "
            "valid to call f(*primals)."
        )
    primal_leaves, primal_spec = tree_flatten(primals)
    tangent_leaves, tangent_spec = tree_flatten(tangents)
    if primal_spec != tangent_spec:
        raise _structure_error(primal_spec, tangent_spec)
    outs, tans, spec, aux = _jvp(
        lambda *args: func(*args), primal_leaves, primal_spec, tangent_leaves, has_aux
    )
    result = (tree_unflatten(outs, spec), tree_unflatten(tans, spec))
    return result + (aux,) if has_aux else result


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """The Jacobian by forward mode: one JVP per input element (column).

    Same result structure as :func:`~chainrule.func.jacrev`. Columns are computed one
    at a time (tangents are not batched), so prefer jacrev for many inputs, few outputs.

    >>> import chainrule as torch
    >>> jacfwd(lambda x: x ** 2)(torch.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])
    """
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            f"Only allowed values for randomness are 'error', 'different', or 'same'. Got "
            f"{randomness}"
        )

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        positions = check_argnums(argnums, len(args))
        args = list(args)
        trees = tuple(args[p] for p in positions)
        in_leaves, in_spec = tree_flatten(trees)

        def call(*leaves):
            rebuilt = tree_unflatten(list(leaves), in_spec)
            full = list(args)
            for p, tree in zip(positions, rebuilt):
                full[p] = tree
            return func(*full, **kwargs)

        columns = []  # per input leaf: list of tangent-output lists, one per element
        out_leaves = out_spec = aux = None
        for j, x in enumerate(in_leaves):
            if not isinstance(x, Tensor):
                raise RuntimeError(f"Expected tensors, got unsupported type {type(x)}")
            per_element = []
            for k in range(x.numel()):
                tangents = [zeros_like(leaf) for leaf in in_leaves]
                basis = xp.zeros(x._data.size, x._dtype.np)
                basis[k] = 1
                tangents[j] = make(basis.reshape(x._data.shape), x._dtype)
                outs, tans, out_spec, aux = _jvp(call, in_leaves, in_spec, tangents, has_aux)
                out_leaves = outs
                per_element.append(tans)
            columns.append(per_element)
        if out_leaves is None:  # no input element at all: run once for the structure
            outs, _, out_spec, aux = _jvp(call, in_leaves, in_spec, list(in_leaves), has_aux)
            out_leaves = outs
        per_output = []
        for i, o in enumerate(out_leaves):
            blocks = []
            for x, per_element in zip(in_leaves, columns):
                blocks.append(_assemble(o, x, [tans[i] for tans in per_element]))
            tree = tree_unflatten(blocks, in_spec)
            per_output.append(tree[0] if isinstance(argnums, int) else tree)
        result = tree_unflatten(per_output, out_spec)
        return (result, aux) if has_aux else result

    return wrapper


def _assemble(out, x, cols):
    """Columns d out / d x_k (each out-shaped) as one out.shape + x.shape block."""
    if not cols:
        return make(xp.zeros(out._data.shape + x._data.shape, out._dtype.np), out._dtype)
    from ..ops.joining import stack

    return stack(cols, -1).reshape(out._data.shape + x._data.shape)


def hessian(func, argnums=0):
    """The Hessian of ``func`` with respect to the ``argnums`` arguments.

    torch composes ``jacfwd(jacrev(func))``; the numbers are the same as reverse over
    reverse, which chainrule computes with two batched backward passes (every row at once)
    instead of one forward pass per input element.

    >>> import chainrule as torch
    >>> hessian(lambda x: (x ** 3).sum())(torch.tensor([1.0, 2.0]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    from ._reverse import jacrev

    return jacrev(jacrev(func, argnums), argnums)
