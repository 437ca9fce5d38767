"""More writes at indices: index_fill, index_copy, masked_scatter, scatter_reduce, put, index_put.

Each is an out-of-place op with its rule (the in-place ``name_`` forms are installed by
ops/inplace.py from these). Rules use chainrule ops, so second derivatives work.
"""

from __future__ import annotations

from .. import _backend
from .._backend import xp
from .._registry import defop, export, record, sum_to_shape
from .._tensor import Tensor, make, wrap_dim

__all__ = []


def _export(name, func, **kw):
    __all__.append(name)
    return export(name, func, **kw)


def _index_vector(index, name):
    if not isinstance(index, Tensor) or index._dtype.name not in ("int64", "int32"):
        raise IndexError(f"{name}(): Expected dtype int32/int64 for index")
    if index._data.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")
    return index._data.reshape(-1).astype(xp.int64)


def _check_bounds(idx, size, dim, prefix="", negative_ok=True):
    """torch's IndexError for the first index outside the dim (index_fill counts from the
    end for a negative index, index_copy_ does not)."""
    if idx.size and not size:  # torch fails deeper here, with a RuntimeError
        raise RuntimeError(
            f"index {int(idx.flat[0])} is out of bounds for dimension {dim} with size 0"
        )
    bad = (idx >= size) | (idx < (-size if negative_ok else 0))
    if bad.any():
        first = int(idx.reshape(-1)[bad.reshape(-1).argmax()])
        raise IndexError(
            f"{prefix}index {first} is out of bounds for dimension {dim} with size {size}"
        )


def _along(ndim, d, idx):
    return (slice(None),) * d + (idx,)


# --------------------------------------------------------------------------- index_fill


def _index_fill_vjp(node, g):
    dim = node._args
    (index,) = node.saved  # saved, as torch saves it: freed after backward
    grad_input = g.index_fill(dim, index, 0) if node.needs_input_grad(0) else None
    grad_value = None
    if len(node.next_functions) > 3 and node.needs_input_grad(3):
        picked = g.index_select(dim, index)
        dims = tuple(range(_lead(g) - g.dim(), 0))
        grad_value = picked.sum(dims) if dims else picked
    return (grad_input, None, None, grad_value)[: len(node.next_functions)]


def _lead(g):
    from .._graph import grad_state

    return grad_state.batch_ndim


IndexFillNode = defop("IndexFillBackward0", _index_fill_vjp)
IndexFillTensorNode = defop("IndexFillBackward1", _index_fill_vjp)


def index_fill(input, dim, index, value):
    """A copy of ``input`` with the slices at ``index`` along ``dim`` set to ``value``.

    >>> zeros(2, 3).index_fill(1, tensor([0, 2]), 5.)
    tensor([[5., 0., 5.],
            [5., 0., 5.]])
    """
    idx = _index_vector(index, "index_fill_")
    data = input._data
    ndim = max(data.ndim, 1)
    d = wrap_dim(dim, ndim)
    view = data.reshape(data.shape or (1,))
    _check_bounds(idx, view.shape[d], d)
    value_is_tensor = isinstance(value, Tensor)
    if value_is_tensor and value._data.ndim != 0:
        raise RuntimeError(
            "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{value._data.ndim} dimension(s)."
        )
    if not value_is_tensor:
        value = _backend.fit_scalar(value, input._dtype)
    out = view.copy()
    out[_along(ndim, d, idx)] = value._data if value_is_tensor else value
    result = make(out.reshape(data.shape), input._dtype)
    saved = (make(idx, _backend.int64),)
    if value_is_tensor:
        return record(IndexFillTensorNode, result, (input, None, None, value), saved, d - ndim)
    return record(IndexFillNode, result, (input, None, None), saved, d - ndim)


# --------------------------------------------------------------------------- index_copy


def _index_copy_vjp(node, g):
    dim = node._args
    index, _ = node.saved  # torch saves the source too: changing it breaks backward
    return (
        g.index_fill(dim, index, 0) if node.needs_input_grad(0) else None,
        None,
        g.index_select(dim, index) if node.needs_input_grad(2) else None,
    )


IndexCopyNode = defop("IndexCopyBackward0", _index_copy_vjp)


def index_copy(input, dim, index, source):
    """A copy of ``input`` with ``source``'s i-th slice written at ``index[i]`` along ``dim``.

    >>> zeros(3).index_copy(0, tensor([2, 0]), tensor([1., 2.]))
    tensor([2., 0., 1.])
    """
    idx = _index_vector(index, "index_copy_")
    data = input._data
    ndim = max(data.ndim, 1)
    d = wrap_dim(dim, ndim)
    view = data.reshape(data.shape or (1,))
    src = source._data.reshape(source._data.shape or (1,))
    if src.ndim != view.ndim or src.shape[d] != idx.size:
        raise IndexError(
            f"index_copy_(): Number of indices ({idx.size}) should be equal to "
            f"source.size(dim) ({src.shape[d] if src.ndim > d else 1})"
        )
    _check_bounds(idx, view.shape[d], d, "index_copy_(): ", negative_ok=False)
    out = view.copy()
    out[_along(ndim, d, idx)] = src
    result = make(out.reshape(data.shape), input._dtype)
    saved = (make(idx, _backend.int64), source)
    return record(IndexCopyNode, result, (input, None, source), saved, d - ndim)


# --------------------------------------------------------------------------- masked_scatter


def _masked_scatter_vjp(node, g):
    (mask,) = node.saved
    source_shape = node._args
    grad_input = g.masked_fill(mask, 0) if node.needs_input_grad(0) else None
    grad_source = None
    if node.needs_input_grad(2):
        picked = g.masked_select(mask)  # the values taken from source, in order
        numel = int(xp.prod(source_shape, dtype=xp.int64))
        rest = picked.new_zeros((numel - picked.shape[0],))
        grad_source = _concat(picked, rest)
        grad_source = grad_source.reshape(source_shape)
    return (grad_input, None, grad_source)


def _concat(a, b):
    from .joining import cat

    return cat([a, b])


MaskedScatterNode = defop("MaskedScatterBackward0", _masked_scatter_vjp, batchable=False)


def masked_scatter(input, mask, source):
    """A copy of ``input`` with ``source``'s values (in order) where ``mask`` is True.

    >>> zeros(4).masked_scatter(tensor([True, False, True, False]), tensor([1., 2., 3.]))
    tensor([1., 0., 2., 0.])
    """
    from .._registry import broadcast_shape

    if mask._dtype is not _backend.bool_:
        raise RuntimeError(
            f"masked_scatter_ only supports boolean masks, but got mask with dtype "
            f"{mask._dtype.name}"
        )
    shape = broadcast_shape(input._data.shape, mask._data.shape)
    keep = xp.broadcast_to(mask._data, shape)
    count = int(keep.sum())
    if count > source._data.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    out = xp.array(xp.broadcast_to(input._data, shape))
    out[keep] = source._data.reshape(-1)[:count]
    result = make(out, input._dtype)
    mask_t = make(xp.ascontiguousarray(keep), _backend.bool_)
    shapes = (input._data.shape if input._data.shape != shape else None, None, None)
    inputs = (input, None, source)
    return record(MaskedScatterNode, result, inputs, (mask_t,), source._data.shape, shapes)


# --------------------------------------------------------------------------- scatter_reduce

_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def _scatter_reduce_vjp(node, g):
    dim, index, reduce, include_self = node._args
    input, src, result = node.saved
    grad_input = grad_src = None
    if reduce == "sum":
        grad_input = g if include_self else g.scatter(dim, index, 0.0)
        grad_src = g.gather(dim, index)
    elif reduce == "mean":
        ones = src.new_ones(src.shape)
        counts = input.new_ones(input.shape) if include_self else input.new_zeros(input.shape)
        counts = counts.scatter_add(dim, index, ones).clamp(min=1)
        scaled = g / counts
        grad_input = scaled if include_self else scaled.scatter(dim, index, 0.0)
        grad_src = scaled.gather(dim, index)
    elif reduce in ("amax", "amin"):
        # torch's order: counts include input's ties even where include_self=False, no
        # clamp (a nan result matches nothing: 0 / 0 = nan), masks multiply, and the written
        # positions are zeroed (+0.) last
        hit_input = (input == result).to(g.dtype)
        hit_src = (src == result.gather(dim, index)).to(g.dtype)
        share = g / hit_input.scatter_add(dim, index, hit_src)
        grad_input = hit_input * share
        if not include_self:
            grad_input = grad_input.scatter(dim, index, 0.0)
        grad_src = hit_src * share.gather(dim, index)
    else:  # prod: the product of the other contributors, exact where some are zero
        grad_input, grad_src = _prod_grads(g, input, src, result, dim, index, include_self)
    return (
        grad_input if node.needs_input_grad(0) else None,
        None,
        None,
        grad_src if node.needs_input_grad(3) else None,
    )


def _prod_grads(g, input, src, result, dim, index, include_self):
    """The product of the other contributors, as torch forms it: zeros replaced by ones
    and the product taken again (exact where one contributor is zero), otherwise
    g * result / element; infinities and nan follow from that order."""
    from .elementwise import where

    masked_input = input.masked_fill(input == 0, 1.0)
    others = masked_input.scatter_reduce(dim, index, src, "prod", include_self=include_self)
    grad_input = g * others / masked_input
    if not include_self:
        grad_input = grad_input.scatter(dim, index, 0.0)
    src_zero = src == 0
    zeros = input.new_zeros(input.shape).scatter_add(dim, index, src_zero.to(g.dtype))
    single_zero = src_zero & (zeros.gather(dim, index) == 1)
    masked_src = src.masked_fill(single_zero, 1.0)
    partners = input.scatter_reduce(dim, index, masked_src, "prod", include_self=include_self)
    grad_src = where(
        single_zero,
        (g * partners).gather(dim, index),
        (g * result).gather(dim, index) / src.masked_fill(src_zero, 1.0),
    )
    return grad_input, grad_src


ScatterReduceNode = defop("ScatterReduceBackward0", _scatter_reduce_vjp, batchable=False)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """Reduce ``src`` into a copy of ``input`` at ``index`` along ``dim``.

    ``reduce`` is "sum", "prod", "mean", "amax" or "amin"; with include_self=False the
    values of ``input`` at the written positions are left out of the reduction.

    >>> tensor([0., 0.]).scatter_reduce(0, tensor([0, 0, 1]), tensor([1., 3., 2.]), "amax")
    tensor([3., 2.])
    """
    from .indexing import _scatter_positions, check_gather_scatter

    if reduce not in _REDUCTIONS:
        raise RuntimeError(
            "reduce argument must be either sum, prod, mean, amax or amin, got " + str(reduce)
        )
    d = check_gather_scatter("scatter", input, dim, index, src)
    data = input._data
    idx = index._data
    positions = _scatter_positions(idx, d)
    values = src._data[tuple(slice(0, s) for s in idx.shape)].astype(data.dtype, copy=False)
    out = data.copy()
    if not include_self or reduce == "mean":
        touched = xp.zeros(data.shape, bool)
        touched[positions] = True
    if not include_self:
        neutral = {"sum": 0, "mean": 0, "prod": 1}
        if reduce in neutral:
            out[touched] = neutral[reduce]
        else:
            out[touched] = _extreme(data.dtype, reduce)
    ufunc = {"sum": xp.add, "mean": xp.add, "prod": xp.multiply}.get(reduce)
    if ufunc is None:
        ufunc = xp.maximum if reduce == "amax" else xp.minimum
    with xp.errstate(all="ignore"):  # nan and inf combine silently, as in torch
        ufunc.at(out, positions, values)
    if reduce == "mean":
        counts = xp.zeros(data.shape, xp.int64) + (1 if include_self else 0)
        xp.add.at(counts, positions, 1)
        counts = xp.maximum(counts, 1)
        out = out / counts if data.dtype.kind == "f" else out // counts
        out = out.astype(data.dtype)
    result = make(out, input._dtype)
    saved = (input, src, result)
    args = (d - max(data.ndim, 1), index, reduce, include_self)
    return record(ScatterReduceNode, result, (input, None, None, src), saved, args)


def _extreme(dtype, reduce):
    if dtype.kind == "f":
        return -xp.inf if reduce == "amax" else xp.inf
    info = xp.iinfo(dtype) if dtype.kind in "iu" else None
    if info is None:
        return reduce != "amax"
    return info.min if reduce == "amax" else info.max


# --------------------------------------------------------------------------- put / index_put


def _put_vjp(node, g):
    flat_index, _ = node.saved  # torch saves the source too
    accumulate, source_shape = node._args
    batch = g.shape[: _lead(g)]
    flat = g.reshape(tuple(batch) + (-1,))
    grad_input = None
    if node.needs_input_grad(0):
        grad_input = g
        if not accumulate:
            grad_input = flat.index_fill(-1, flat_index, 0).reshape(g.shape)
    grad_source = None
    if node.needs_input_grad(2):
        grad_source = flat.index_select(-1, flat_index).reshape(tuple(batch) + source_shape)
    return (grad_input, None, grad_source)


PutNode = defop("PutBackward0", _put_vjp)


def put(input, index, source, accumulate=False):
    """A copy of ``input`` (seen as 1-D) with ``source`` written at ``index``.

    >>> zeros(2, 2).put(tensor([0, 3]), tensor([1., 2.]))
    tensor([[1., 0.],
            [0., 2.]])
    """
    idx = index._data.reshape(-1).astype(xp.int64)
    numel = input._data.size
    if idx.size and (idx.max() >= numel or idx.min() < -numel):
        bad = int(idx.max()) if idx.max() >= numel else int(idx.min())
        raise IndexError(
            f"out of range: tried to access index {bad} on a tensor of {numel} elements."
        )
    if idx.size != source._data.size:
        raise RuntimeError(
            f"put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {source._data.size}, index.numel() = {idx.size}"
        )
    idx = idx % max(numel, 1)
    out = input._data.copy().reshape(-1)
    values = source._data.reshape(-1).astype(out.dtype, copy=False)
    if accumulate:
        xp.add.at(out, idx, values)
    else:
        out[idx] = values
    result = make(out.reshape(input._data.shape), input._dtype)
    saved = (make(idx, _backend.int64), source)
    args = (bool(accumulate), source._data.shape)
    return record(PutNode, result, (input, None, source), saved, args)


def _index_put_vjp(node, g):
    _ = node.saved  # the index tensors, saved as torch saves them: freed after backward
    index, accumulate, values_shape = node._args
    from .indexing import _raw_index

    grad_input = None
    if node.needs_input_grad(0):
        grad_input = g
        if not accumulate:
            kept = xp.ones(g._data.shape[_lead(g) :], bool)
            kept[index] = False
            grad_input = g.masked_fill(make(~kept, _backend.bool_), 0)
    grad_values = None
    if node.needs_input_grad(2):
        grad_values = sum_to_shape(_raw_index(g, index), values_shape)
    return (grad_input, None, grad_values)


IndexPutNode = defop("IndexPutBackward0", _index_put_vjp, batchable=False)


def check_index_put_dtypes(input, values):
    """torch's index_put_ writes values of the destination's dtype only."""
    if isinstance(values, Tensor) and values._dtype is not input._dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{input._dtype.scalar_name} for the destination and {values._dtype.scalar_name} "
            "for the source."
        )


def index_put(input, indices, values, accumulate=False):
    """A copy of ``input`` with ``values`` at ``input[indices]`` (added with accumulate=True).

    >>> zeros(3).index_put((tensor([0, 2]),), tensor(1.))
    tensor([1., 0., 1.])
    """
    from .indexing import _numpy_index

    if not isinstance(indices, (tuple, list)):
        raise TypeError("index_put(): argument 'indices' must be tuple of Tensors")
    np_index = _numpy_index(input, tuple(indices))
    out = input._data.copy()
    target = out[np_index]
    try:
        raw = xp.broadcast_to(values._data.astype(out.dtype, copy=False), target.shape)
    except ValueError:
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(values._data.shape)} cannot be "
            f"broadcast to indexing result of shape {list(target.shape)}"
        ) from None
    check_index_put_dtypes(input, values)  # after the shapes, as torch
    if accumulate:
        xp.add.at(out, np_index, raw)
    else:
        out[np_index] = raw
    result = make(out, input._dtype)
    args = (np_index, bool(accumulate), values._data.shape)
    saved = tuple(i for i in indices if isinstance(i, Tensor)) or None
    return record(IndexPutNode, result, (input, None, values), saved, args)


for _name, _func, _grad_fns in (
    ("index_fill", index_fill, ("IndexFillBackward0", "IndexFillBackward1")),
    ("index_copy", index_copy, ("IndexCopyBackward0",)),
    ("masked_scatter", masked_scatter, ("MaskedScatterBackward0",)),
    ("scatter_reduce", scatter_reduce, ("ScatterReduceBackward0",)),
    ("put", put, ("PutBackward0",)),
    ("index_put", index_put, ("IndexPutBackward0",)),
):
    _export(_name, _func, grad_fns=_grad_fns)
