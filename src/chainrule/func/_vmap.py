"""vmap: map a function over a dimension of its inputs.

This vmap runs the function once per batch element and stacks the results (with ``stack``,
a differentiable op, so ``grad`` of ``vmap`` and ``vmap`` of ``grad`` work). It checks its
arguments and raises torch's errors, but it is a loop: the speed of a batched kernel is
not there. ``chunk_size`` is accepted (the loop already goes one element at a time).
"""

from __future__ import annotations

import functools

from .._tensor import Tensor
from ._pytree import broadcast_prefix, tree_flatten, tree_unflatten

__all__ = ["vmap"]

RANDOM_ERROR = (
    "vmap: called random operation while in randomness error mode. Please either use the "
    "'same' or 'different' randomness flags on vmap or perform the randomness operation out "
    "of vmap"
)


def _fn_name(func) -> str:
    return getattr(func, "__name__", repr(func))


def _check_dims_arg(value, name, func):
    if value is None or isinstance(value, int):
        return
    if isinstance(value, (tuple, list, dict)):
        for v in tree_flatten(value)[0]:
            if v is not None and not isinstance(v, int):
                break
        else:
            return
    where = f"{name}={value!r}, ..." if name == "in_dims" else f"..., {name}={value!r}"
    raise ValueError(
        f"vmap({_fn_name(func)}, {where})(<inputs>): expected `{name}` to be int or a "
        "(potentially nested) tuple matching the structure of inputs, got: "
        f"{type(value)}."
    )


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Vectorise ``func`` over dimension ``in_dims`` of its inputs.

    ``in_dims`` and ``out_dims`` are an int, None (not mapped) or a tree matching the
    inputs/outputs; inputs and outputs may be nested tuples, lists and dicts. With
    ``randomness="error"`` a random op inside raises; ``"different"`` draws anew for every
    element and ``"same"`` repeats the first element's draws.

    >>> import chainrule as torch
    >>> vmap(torch.dot)(torch.ones(3, 2), torch.ones(3, 2))
    tensor([2., 2., 2.])
    """
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            f"Only allowed values for randomness are 'error', 'different', or 'same'. Got "
            f"{randomness}"
        )
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size <= 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")
    _check_dims_arg(in_dims, "in_dims", func)
    _check_dims_arg(out_dims, "out_dims", func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        name = _fn_name(func)
        if isinstance(in_dims, tuple) and not isinstance(args, tuple):
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): bad inputs")
        leaves, spec = tree_flatten(args)
        message = (
            f"vmap({name}, in_dims={in_dims!r}, ...)(<inputs>): in_dims is not compatible "
            f"with the structure of `inputs`. in_dims has structure "
            f"{tree_flatten(in_dims)[1]!r} but inputs has structure {spec!r}."
        )
        if isinstance(in_dims, tuple) and len(in_dims) != len(args):
            raise ValueError(message)
        dims = broadcast_prefix(in_dims, args, message)
        size = _batch_size(name, in_dims, leaves, dims)
        return _run(func, name, args, kwargs, leaves, spec, dims, size, out_dims, randomness)

    return wrapper


def _batch_size(name, in_dims, leaves, dims) -> int:
    sizes = []
    for leaf, dim in zip(leaves, dims):
        if dim is None:
            continue
        if not isinstance(leaf, Tensor):
            raise ValueError(
                f"vmap({name}, in_dims={in_dims!r}, ...)(<inputs>): Got in_dim={dim} for an "
                f"input but the input is of type {type(leaf)}. We cannot vmap over non-Tensor "
                "arguments, please use None as the respective in_dim"
            )
        ndim = leaf.dim()
        if not -ndim <= dim < ndim:
            raise ValueError(
                f"vmap({name}, in_dims={in_dims!r}, ...)(<inputs>): Got in_dim={dim} for some "
                f"input, but that input is a Tensor of dimensionality {ndim} so expected in_dim "
                f"to satisfy -{ndim} <= in_dim < {ndim}."
            )
        sizes.append(leaf.shape[dim])
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError(
            "vmap: Expected all tensors to have the same size in the mapped dimension, got "
            f"sizes {sizes} for the mapped dimension"
        )
    return sizes[0]


def _element(leaves, dims, index):
    """The inputs of one batch element (index None: a zero stand-in for an empty batch)."""
    element = []
    for leaf, dim in zip(leaves, dims):
        if dim is None:
            element.append(leaf)
        elif index is None:
            shape = leaf.shape[:dim] + leaf.shape[dim + 1 :] if dim >= 0 else None
            if shape is None:
                dim = dim + leaf.dim()
                shape = leaf.shape[:dim] + leaf.shape[dim + 1 :]
            element.append(leaf.new_zeros(shape))
        else:
            element.append(leaf.select(dim, index))
    return element


class _Randomness:
    """Random ops under vmap: refused ("error") or replayed per element ("same")."""

    def __init__(self, mode):
        from ..ops import creation

        self.mode = mode
        self.creation = creation
        self.state = creation.default_generator.get_state()

    def __enter__(self):
        if self.mode == "error":
            self.original = self.creation._rng

            def refuse(generator):
                raise RuntimeError(RANDOM_ERROR)

            self.creation._rng = refuse
        return self

    def element(self):
        if self.mode == "same":
            self.creation.default_generator.set_state(self.state)

    def __exit__(self, *exc):
        if self.mode == "error":
            self.creation._rng = self.original


def _run(func, name, args, kwargs, leaves, spec, dims, size, out_dims, randomness):
    from ..ops.joining import stack

    results = []
    with _Randomness(randomness) as random:
        for index in range(max(size, 1)):
            random.element()
            element = _element(leaves, dims, index if size else None)
            results.append(func(*tree_unflatten(element, spec), **kwargs))
    out_leaves, out_spec = tree_flatten(results[0])
    message = (
        f"vmap({name}, ..., out_dims={out_dims!r})(<inputs>): out_dims is not compatible with "
        f"the structure of `outputs`. out_dims has structure {tree_flatten(out_dims)[1]!r} "
        f"but outputs has structure {out_spec!r}."
    )
    odims = broadcast_prefix(out_dims, results[0], message)
    per_element = [tree_flatten(r)[0] for r in results]
    stacked = []
    for k, (leaf, dim) in enumerate(zip(out_leaves, odims)):
        if dim is None:
            stacked.append(leaf)
            continue
        if not isinstance(leaf, Tensor):
            raise ValueError(
                f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(leaf)}. "
                "Did you mean to set out_dims= to None for output?"
            )
        parts = [p[k] for p in per_element]
        ndim = leaf.dim() + 1
        if not -ndim <= dim < ndim:
            raise IndexError(
                "Dimension out of range (expected to be in range of "
                f"[{-ndim}, {ndim - 1}], but got {dim})"
            )
        out = stack(parts, dim)
        if not size:  # nothing to map over: the shape of one element, batch of zero
            out = out.narrow(dim, 0, 0)
        stacked.append(out)
    return tree_unflatten(stacked, out_spec)
