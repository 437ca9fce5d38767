"""Joining and splitting: cat, stack, split, chunk, unbind."""

from __future__ import annotations

from .. import _graph
from .._backend import xp
from .._registry import defop, export, lead, record, record_multi, result_dtype
from .._tensor import Tensor, make, wrap_dim
from .shape import _fmt_shape, view_of

__all__ = []


def _export(name, func, **kw):
    __all__.append(name)
    return export(name, func, **kw)


# --------------------------------------------------------------------------- cat / stack / split


def _cat_vjp(node, g):
    dim, sizes = node._args
    grads = []
    start = 0
    for size in sizes:
        if size is None:  # a skipped legacy empty 1-d input: its gradient is empty too
            grads.append(g.new_zeros(lead(g) + (0,)))
            continue
        grads.append(g.narrow(dim, start, size))
        start += size
    return tuple(grads)


CatNode = defop("CatBackward0", _cat_vjp)


def _common_dtype(tensors):
    dtype = tensors[0]._dtype
    for t in tensors[1:]:
        if t._dtype is not dtype:
            dtype = result_dtype(make(xp.zeros(1, dtype.np), dtype), t)
    return dtype


def cat(tensors, dim=0, *, out=None):
    """Join tensors along an existing dim.

    >>> cat([tensor([1., 2.]), tensor([3.])]).tolist()
    [1.0, 2.0, 3.0]
    """
    tensors = _tensor_list(tensors, "cat")
    # legacy: 1-d empty tensors are skipped
    parts = [t for t in tensors if not (t._data.ndim == 1 and t._data.shape[0] == 0)] or tensors[:1]
    ref = parts[0]._data
    if ref.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = wrap_dim(dim, ref.ndim)
    for i, t in enumerate(parts):
        shape = t._data.shape
        if len(shape) != ref.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ref.ndim} and {len(shape)}"
            )
        for k in range(ref.ndim):
            if k != d and shape[k] != ref.shape[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{ref.shape[k]} but got size {shape[k]} for tensor number {i} in the list."
                )
    dtype = _common_dtype(parts)
    result = xp.concatenate([t._data.astype(dtype.np, copy=False) for t in parts], axis=d)
    sizes = tuple(t._data.shape[d] if t._data.ndim == ref.ndim else None for t in tensors)
    return record(CatNode, make(result, dtype), tuple(tensors), None, (d - ref.ndim, sizes))


def _tensor_list(tensors, name):
    if isinstance(tensors, Tensor):
        raise TypeError(
            f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor"
        )
    tensors = list(tensors)
    if not tensors:
        if name == "cat":  # torch checks this one in Python
            raise ValueError("torch.cat(): expected a non-empty list of Tensors")
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {tensors.index(t)} in argument 0, but got "
                f"{type(t).__name__}"
            )
    return tensors


def _stack_vjp(node, g):
    dim, count = node._args
    return tuple(g.select(dim, i) for i in range(count))


StackNode = defop("StackBackward0", _stack_vjp)


def stack(tensors, dim=0, *, out=None):
    """Join same-shaped tensors along a new dim."""
    tensors = _tensor_list(tensors, "stack")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {_fmt_shape(shape)} at "
                f"entry 0 and {_fmt_shape(t._data.shape)} at entry {i}"
            )
    d = wrap_dim(dim, len(shape) + 1)
    dtype = _common_dtype(tensors)
    result = xp.stack([t._data.astype(dtype.np, copy=False) for t in tensors], axis=d)
    args = (d - len(shape) - 1, len(tensors))
    return record(StackNode, make(result, dtype), tuple(tensors), None, args)


def _pieces_vjp(node, grads):
    """split/chunk/unbind: missing gradients are zeros; the pieces are joined back."""
    shape, dim, sizes, stacked = node._args
    if isinstance(grads, Tensor):  # one piece: the engine passes a single gradient
        grads = [grads]
    like = next(g for g in grads if g is not None)
    filled = []
    for g, size in zip(grads, sizes):
        if g is None:
            piece_shape = list(shape)
            if stacked:
                del piece_shape[dim]
            else:
                piece_shape[dim] = size
            g = like.new_zeros(lead(like) + tuple(piece_shape))
        filled.append(g)
    from_end = dim - len(shape)
    return (stack(filled, from_end) if stacked else cat(filled, from_end),)


SplitNode = defop("SplitBackward0", _pieces_vjp)
SplitSizesNode = defop("SplitWithSizesBackward0", _pieces_vjp)
UnbindNode = defop("UnbindBackward0", _pieces_vjp)


def split(tensor, split_size_or_sections, dim=0):
    """Views of consecutive pieces along ``dim``: of a given size, or of the listed sizes."""
    if not isinstance(tensor, Tensor):  # torch.split calls tensor.split
        raise AttributeError(f"'{type(tensor).__name__}' object has no attribute 'split'")
    data = tensor._data
    if data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, data.ndim)
    length = data.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step < 0:
            raise RuntimeError(
                f"split expects split_size be non-negative, but got split_size={step}"
            )
        if step == 0 and length:
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got "
                f"dimension size of {length}"
            )
        sizes = [min(step, length - s) for s in range(0, length, step)] if step else [0]
        sizes = sizes or [0]  # an empty dim still gives one (empty) piece
        node = SplitNode
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != length:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {length} (input tensor's "
                f"size at dimension {d}), but got split_sizes={sizes}"
            )
        node = SplitSizesNode
    return _pieces(tensor, d, sizes, node)


def _pieces(tensor, d, sizes, node):
    data = tensor._data
    outs = []
    start = 0
    for size in sizes:
        piece = data[(slice(None),) * d + (slice(start, start + size),)]
        outs.append(view_of(tensor, piece, multi_output=True))
        start += size
    return tuple(record_multi(node, outs, (tensor,), None, (data.shape, d, tuple(sizes), False)))


def chunk(input, chunks, dim=0):
    """Split into ``chunks`` nearly equal pieces (the last may be smaller)."""
    if input._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    length = input._data.shape[wrap_dim(dim, input._data.ndim)]
    if not length:  # torch: ``chunks`` empty pieces
        return split(input, [0] * chunks, dim)
    return split(input, -(-length // chunks), dim)


def unbind(input, dim=0):
    """All slices along ``dim``, as a tuple of views."""
    data = input._data
    if data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, data.ndim)
    outs = [
        view_of(input, data[(slice(None),) * d + (i,)], multi_output=True)
        for i in range(data.shape[d])
    ]
    sizes = (1,) * data.shape[d]
    return tuple(record_multi(UnbindNode, outs, (input,), None, (data.shape, d, sizes, True)))


# --------------------------------------------------------------------------- publish

for _name, _func, _grad_fns in (
    ("cat", cat, ("CatBackward0",)),
    ("concat", cat, ("CatBackward0",)),
    ("concatenate", cat, ("CatBackward0",)),
    ("stack", stack, ("StackBackward0",)),
    ("split", split, ("SplitBackward0", "SplitWithSizesBackward0")),
    ("chunk", chunk, ("SplitBackward0",)),
    ("unbind", unbind, ("UnbindBackward0",)),
):
    _export(
        _name,
        _func,
        method=_name not in ("cat", "concat", "concatenate", "stack"),
        grad_fns=_grad_fns,
    )

_graph.stack_rows = stack  # the engine stacks per-row results of non-batchable rules
