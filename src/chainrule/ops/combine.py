"""Diagonals, triangles and ways of combining tensors: tril, diagonal, meshgrid, hstack, ...

Most of these are compositions of the primitives in shape.py and linalg.py (so their grad_fn
is the one torch shows: movedim is a permute, hstack a cat, tile a repeat).
The primitives here are tril/triu, diagonal/diag_embed and trace.
"""

from __future__ import annotations

from .. import _backend
from .._backend import xp
from .._registry import broadcast_shape, defop, export, lead, record
from .._tensor import Tensor, make, wrap_dim
from .elementwise import where
from .indexing import _alias
from .joining import cat
from .shape import _sizes, expand, permute, view_of

__all__ = []


def _export(name, func, **kw):
    __all__.append(name)
    return export(name, func, **kw)


# --------------------------------------------------------------------------- movedim


def movedim(input, source, destination):
    """Move the dims ``source`` to the positions ``destination`` (a permuted view)."""
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
            f"contain the same number of dims as destination ({list(dst)} dims)"
        )
    ndim = input._data.ndim
    nd = max(ndim, 1)
    src = tuple(wrap_dim(d, nd) for d in src)
    dst = tuple(wrap_dim(d, nd) for d in dst)
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(source)})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(destination)})")
    if ndim == 0:
        return _alias(input)
    order = [d for d in range(ndim) if d not in src]
    for s, d in sorted(zip(dst, src)):
        order.insert(s, d)
    return permute(input, order)


# --------------------------------------------------------------------------- tril / triu


def _check_matrix(input, name):
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")


TrilNode = defop("TrilBackward0", lambda node, g: (g.tril(node._args),))
TriuNode = defop("TriuBackward0", lambda node, g: (g.triu(node._args),))


def tril(input, diagonal=0):
    """The lower triangle of the last two dims (elements above ``diagonal`` set to zero)."""
    _check_matrix(input, "tril")
    out = make(xp.tril(input._data, diagonal), input._dtype)
    return record(TrilNode, out, (input,), None, diagonal)


def triu(input, diagonal=0):
    """The upper triangle of the last two dims (elements below ``diagonal`` set to zero)."""
    _check_matrix(input, "triu")
    out = make(xp.triu(input._data, diagonal), input._dtype)
    return record(TriuNode, out, (input,), None, diagonal)


# --------------------------------------------------------------------------- diagonal / diag_embed


def _diagonal_view(data, offset, d1, d2):
    """A writable view of a diagonal (NumPy's own is read-only)."""
    result = data.diagonal(offset, d1, d2)
    result.setflags(write=data.flags.writeable)
    return result


def _embed_diagonal(g, shape, offset, d1, d2):
    """Zeros of ``shape`` (with g's batch dims) holding ``g`` on the given diagonal."""
    data = xp.zeros(lead(g) + tuple(shape), g._data.dtype)
    _diagonal_view(data, offset, d1, d2)[...] = g._data
    return record(DiagonalBackwardNode, make(data, g._dtype), (g,), None, (offset, d1, d2))


def _diagonal_vjp(node, g):
    shape, offset, d1, d2 = node._args
    return (_embed_diagonal(g, shape, offset, d1, d2),)


def _diagonal_backward_vjp(node, g):
    offset, d1, d2 = node._args
    return (g.diagonal(offset, d1, d2),)


DiagonalNode = defop("DiagonalBackward0", _diagonal_vjp)
DiagonalCopyNode = defop("DiagonalBackward0_copy", _diagonal_vjp)
DiagonalBackwardNode = defop("DiagonalBackwardBackward0", _diagonal_backward_vjp)


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal of the dims ``dim1``, ``dim2`` as the last dim (a view)."""
    data = input._data
    d1, d2 = wrap_dim(dim1, data.ndim), wrap_dim(dim2, data.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    result = _diagonal_view(data, offset, d1, d2)
    args = (data.shape, offset, d1 - data.ndim, d2 - data.ndim)
    return record(DiagonalNode, view_of(input, result, DiagonalNode), (input,), None, args)


def _diag_embed_vjp(node, g):
    offset, d1, d2 = node._args
    return (g.diagonal(offset, d1, d2),)


DiagEmbedNode = defop("DiagEmbedBackward0", _diag_embed_vjp)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Tensors whose diagonal (of dims ``dim1``, ``dim2``) is the last dim of ``input``."""
    data = input._data
    out_ndim = data.ndim + 1
    d1, d2 = wrap_dim(dim1, out_ndim), wrap_dim(dim2, out_ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = (data.shape[-1] if data.ndim else 1) + abs(offset)
    shape = list(data.shape[:-1])
    for d in sorted((d1, d2)):
        shape.insert(d, n)
    result = xp.zeros(shape, data.dtype)
    _diagonal_view(result, offset, d1, d2)[...] = data
    args = (offset, d1 - out_ndim, d2 - out_ndim)
    return record(DiagEmbedNode, make(result, input._dtype), (input,), None, args)


def diag(input, diagonal=0):
    """A 1-d input: the matrix with it on a diagonal; a 2-d input: that diagonal (a copy)."""
    data = input._data
    if data.ndim == 1:
        return diag_embed(input, diagonal, 0, 1)
    if data.ndim != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {data.ndim}D")
    result = data.diagonal(diagonal).copy()
    args = (data.shape, diagonal, -2, -1)
    return record(DiagonalCopyNode, make(result, input._dtype), (input,), None, args)


def _trace_vjp(node, g):
    shape = node._args
    on_diagonal = make(xp.eye(shape[0], shape[1], dtype=bool), _backend.bool_)
    # where, not a multiply by the identity: a nan gradient stays on the diagonal, as in torch
    return (where(on_diagonal, g.unsqueeze(-1).unsqueeze(-1), 0.0),)


TraceNode = defop("TraceBackward0", _trace_vjp)


def trace(input):
    """The sum of the main diagonal of a matrix."""
    data = input._data
    if data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {data.ndim}")
    if input._dtype is _backend.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    dtype = input._dtype if input._dtype.kind == _backend.FLOAT else _backend.int64
    result = xp.asarray(data.trace(dtype=dtype.np))
    return record(TraceNode, make(result, dtype), (input,), None, data.shape)


# --------------------------------------------------------------------------- tile / broadcasting


def tile(input, *dims):
    """Repeat the tensor along each dim (missing leading dims count as 1)."""
    reps = _sizes(dims)
    reps = (1,) * (input._data.ndim - len(reps)) + tuple(reps)
    return input.repeat(reps)


def broadcast_to(input, size):
    """``input`` expanded to ``size`` (a view)."""
    return expand(input, size)


def broadcast_tensors(*tensors):
    """Views of the tensors expanded to their common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = broadcast_shape(*(t._data.shape for t in tensors))
    return tuple(t if t._data.shape == shape else expand(t, shape) for t in tensors)


_meshgrid_warned = []


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-d tensors ('ij': matrix indexing, 'xy': Cartesian)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None and not _meshgrid_warned:
        _meshgrid_warned.append(True)  # torch warns once per process
        _backend.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument."
        )
    indexing = indexing or "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}'
        )
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(
                f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}"
            )
    order = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        order[0], order[1] = 1, 0
    sizes = [t.numel() for t in tensors]
    shape = tuple(sizes[k] for k in order)
    grids = []
    for i, t in enumerate(tensors):
        where = order.index(i)
        view_shape = [1] * len(tensors)
        view_shape[where] = sizes[i]
        grids.append(t.view(view_shape).expand(shape))
    return tuple(grids)


# --------------------------------------------------------------------------- atleast / stacks


def _each(tensors, one):
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        return one(tensors[0])
    if len(tensors) == 1:
        tensors = tensors[0]
    return tuple(one(t) for t in tensors)


def _at_least_1d(t):
    return t.reshape(1) if t._data.ndim == 0 else t


def _at_least_2d(t):
    ndim = t._data.ndim
    return t.reshape(1, 1) if ndim == 0 else t.unsqueeze(0) if ndim == 1 else t


def _at_least_3d(t):
    ndim = t._data.ndim
    if ndim == 0:
        return t.reshape(1, 1, 1)
    if ndim == 1:
        return t.unsqueeze(0).unsqueeze(-1)
    return t.unsqueeze(-1) if ndim == 2 else t


def atleast_1d(*tensors):
    """The tensor(s) with at least one dim (0-d becomes shape (1,))."""
    return _each(tensors, _at_least_1d)


def atleast_2d(*tensors):
    """The tensor(s) with at least two dims (a 1-d tensor becomes a row)."""
    return _each(tensors, _at_least_2d)


def atleast_3d(*tensors):
    """The tensor(s) with at least three dims."""
    return _each(tensors, _at_least_3d)


def _stack_list(tensors, name):
    if isinstance(tensors, Tensor):
        raise TypeError(
            f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor"
        )
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    return tensors


def hstack(tensors, *, out=None):
    """Join along the second dim (the first for 1-d tensors)."""
    tensors = [_at_least_1d(t) for t in _stack_list(tensors, "hstack")]
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors, *, out=None):
    """Join along the first dim, 1-d tensors becoming rows."""
    return cat([_at_least_2d(t) for t in _stack_list(tensors, "vstack")], 0)


def dstack(tensors, *, out=None):
    """Join along the third dim."""
    return cat([_at_least_3d(t) for t in _stack_list(tensors, "dstack")], 2)


def column_stack(tensors, *, out=None):
    """Join as columns: 0-d and 1-d tensors become columns, then hstack."""
    tensors = _stack_list(tensors, "column_stack")
    columns = [t.reshape(t.numel(), 1) if t._data.ndim <= 1 else t for t in tensors]
    return cat(columns, 1)


# --------------------------------------------------------------------------- publish

for _name, _func, _grad_fns, _method in (
    ("movedim", movedim, ("PermuteBackward0", "AliasBackward0"), True),
    ("moveaxis", movedim, ("PermuteBackward0", "AliasBackward0"), True),
    ("tril", tril, ("TrilBackward0",), True),
    ("triu", triu, ("TriuBackward0",), True),
    ("diag", diag, ("DiagEmbedBackward0", "DiagonalBackward0_copy"), True),
    ("diagonal", diagonal, ("DiagonalBackward0",), True),
    ("diag_embed", diag_embed, ("DiagEmbedBackward0",), True),
    ("trace", trace, ("TraceBackward0",), True),
    ("tile", tile, ("RepeatBackward0",), True),
    ("broadcast_to", broadcast_to, ("ExpandBackward0",), True),
    ("broadcast_tensors", broadcast_tensors, ("ExpandBackward0",), False),
    ("meshgrid", meshgrid, ("ExpandBackward0",), False),
    ("atleast_1d", atleast_1d, ("ViewBackward0",), False),
    ("atleast_2d", atleast_2d, ("ViewBackward0", "UnsqueezeBackward0"), False),
    ("atleast_3d", atleast_3d, ("ViewBackward0", "UnsqueezeBackward0"), False),
    ("hstack", hstack, ("CatBackward0",), False),
    ("vstack", vstack, ("CatBackward0",), False),
    ("dstack", dstack, ("CatBackward0",), False),
    ("column_stack", column_stack, ("CatBackward0",), False),
):
    _export(_name, _func, method=_method, grad_fns=_grad_fns)
