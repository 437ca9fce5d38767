"""Picking elements: index_select, masked_fill, take, sort, topk, unique, nonzero, roll, ...

Rules are written with chainrule ops (index_select and index_add are each other's VJP,
sort/topk/kthvalue scatter the gradient back to where the values came from), so
double backward works. Index bookkeeping that cannot count dims from the end is declared
``batchable=False`` and the engine runs it once per row.
"""

from __future__ import annotations

from .. import _backend
from .._backend import xp
from .._registry import broadcast_shape, defop, export, record
from .._tensor import Tensor, make, wrap_dim
from . import _tie_order
from .indexing import _index_put_zeros
from .inplace import inplace
from .reduce import _named_result

__all__ = []


def _export(name, func, **kw):
    __all__.append(name)
    return export(name, func, **kw)


_TYPE_NAMES = {
    "float32": "Float",
    "float64": "Double",
    "float16": "Half",
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "bool": "Bool",
}


# --------------------------------------------------------------------------- index_select/add


def _index_vector(index, name):
    if not isinstance(index, Tensor) or index._dtype not in (_backend.int64, _backend.int32):
        raise RuntimeError(f"{name}(): Expected dtype int32 or int64 for index")
    if index._data.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")
    return index._data.reshape(-1)


def _index_select_vjp(node, g):
    (index,) = node.saved  # saved, as torch saves it: freed after backward
    shape, dim = node._args
    zeros = g.new_zeros(g.shape[: g.dim() - len(shape)] + tuple(shape))
    return (zeros.index_add(dim, index, g),)


IndexSelectNode = defop("IndexSelectBackward0", _index_select_vjp)


def index_select(input, dim, index):
    """The slices of ``input`` at the positions ``index`` along ``dim`` (a copy).

    >>> tensor([[1, 2, 3]]).index_select(1, tensor([2, 0])).tolist()
    [[3, 1]]
    """
    idx = _index_vector(index, "index_select")
    data = input._data
    if data.ndim == 0:
        if idx.size > 1:
            raise RuntimeError(
                f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)"
            )
        data = data.reshape(1)
    d = wrap_dim(dim, data.ndim)
    size = data.shape[d]
    if idx.size and (idx.max() >= size or idx.min() < 0):
        bad = idx.max() if idx.max() >= size else idx.min()
        if d == 1:  # torch's kernels for dim 1 and for other dims word it differently
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={size}")
        raise IndexError("index out of range in self")
    result = xp.take(data, idx, axis=d)
    if input._data.ndim == 0:
        result = result.reshape(())
    args = (input._data.shape, d - data.ndim)
    return record(IndexSelectNode, make(result, input._dtype), (input,), (index,), args)


def _index_add_vjp(node, g):
    dim, index, alpha = node._args
    _ = node.saved  # torch saves the source: changing it in place breaks backward there too
    source_grad = None
    if node.needs_input_grad(2):
        source_grad = g.index_select(dim, index)
        if alpha != 1:
            source_grad = source_grad * alpha
    return (g if node.needs_input_grad(0) else None, None, source_grad)


IndexAddNode = defop("IndexAddBackward0", _index_add_vjp)


def _check_index_add_source(shape, source_shape, count, d):
    """torch's checks: one index per slice of source along d, and source shaped like self
    apart from d (a 0-d self takes a 0-d or one-element source)."""
    if source_shape and len(source_shape) > d and source_shape[d] != count:
        raise RuntimeError(
            f"index_add_(): Number of indices ({count}) should be equal to source.size(dim): "
            f"({source_shape[d]}), for dim: {d}"
        )
    if not shape:
        return
    same = len(source_shape) == len(shape) and all(
        a == b for k, (a, b) in enumerate(zip(shape, source_shape)) if k != d
    )
    if not same:
        raise RuntimeError(
            "source tensor shape must match self tensor shape, excluding the specified "
            f"dimension. Got self.shape = {list(shape)} source.shape = {list(source_shape)}"
        )


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of ``input`` with ``alpha * source`` added at ``index`` along ``dim``."""
    idx = _index_vector(index, "index_add")
    if source._dtype is not input._dtype:
        raise RuntimeError(
            f"index_add_(): self ({_dtype_of(input)}) and source ({_dtype_of(source)}) must "
            "have the same scalar type"
        )
    d = wrap_dim(dim, max(input._data.ndim, 1))
    _check_index_add_source(input._data.shape, source._data.shape, idx.size, d)
    data = _backend.opmath(input._data).copy()  # half: accumulated in float32, rounded once
    src = source._data.astype(data.dtype, copy=False)
    if alpha != 1:
        src = src * alpha
    view = data if data.ndim else data.reshape(1)
    if idx.size and (idx.min() < 0 or idx.max() >= view.shape[d]):
        raise IndexError("index out of range in self")
    src = src.reshape(view.shape[:d] + (idx.size,) + view.shape[d + 1 :])
    xp.add.at(view, (slice(None),) * d + (idx,), src)
    args = (d - max(data.ndim, 1), index, alpha)
    out = make(data.astype(input._dtype.np, copy=False), input._dtype)
    return record(IndexAddNode, out, (input, None, source), (source,), args)


# --------------------------------------------------------------------------- masked_fill / select


def _check_mask(mask):
    if mask._dtype is not _backend.bool_:
        kind = {"int64": "long int", "int32": "int"}.get(mask._dtype.name, mask._dtype.name)
        raise RuntimeError(
            f"masked_fill_ only supports boolean masks, but got mask with dtype {kind}"
        )


def _masked_fill_vjp(node, g):
    (mask,) = node.saved  # saved, as torch saves it: freed after backward
    value_is_tensor, ndim = node._args
    input_grad = g.masked_fill(mask, 0.0) if node.needs_input_grad(0) else None
    value_grad = None
    if value_is_tensor and node.needs_input_grad(2):
        kept = g.masked_fill(mask.logical_not(), 0.0)
        dims = tuple(range(-1, -ndim - 1, -1))
        value_grad = kept.sum(dims) if dims else kept
    return (input_grad, None, value_grad)


MaskedFillNode = defop("MaskedFillBackward0", _masked_fill_vjp)  # value a number
MaskedFillTensorNode = defop("MaskedFillBackward1", _masked_fill_vjp)  # value a 0-d tensor


def masked_fill(input, mask, value):
    """A copy of ``input`` with ``value`` where ``mask`` is True (mask broadcasts)."""
    _check_mask(mask)
    value_is_tensor = isinstance(value, Tensor)
    if value_is_tensor and value._data.ndim != 0:
        raise RuntimeError(
            "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{value._data.ndim} dimension(s)."
        )
    if not value_is_tensor:
        value = _backend.fit_scalar(value, input._dtype)
    shape = broadcast_shape(mask._data.shape, input._data.shape)
    data = xp.array(xp.broadcast_to(input._data, shape))
    fill = value._data if value_is_tensor else value
    data[xp.broadcast_to(mask._data, shape)] = fill
    out = make(data, input._dtype)
    in_shape = input._data.shape
    shapes = (in_shape if in_shape != shape else None, None, None)
    node = MaskedFillTensorNode if value_is_tensor else MaskedFillNode
    inputs = (input, None, value if value_is_tensor else None)
    return record(node, out, inputs, (mask,), (value_is_tensor, len(shape)), shapes)


def _masked_select_vjp(node, g):
    _ = node.saved  # torch saves the input, as for gather
    shape, mask = node._args
    return (_index_put_zeros(g, shape, mask), None)


MaskedSelectNode = defop("MaskedSelectBackward0", _masked_select_vjp, batchable=False)


def masked_select(input, mask):
    """The elements of ``input`` where ``mask`` is True, as a 1-d tensor (they broadcast)."""
    if mask._dtype is not _backend.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = broadcast_shape(input._data.shape, mask._data.shape)
    full_mask = xp.broadcast_to(mask._data, shape)
    result = xp.broadcast_to(input._data, shape)[full_mask]
    in_shape = input._data.shape
    shapes = (in_shape if in_shape != shape else None, None)
    out = make(xp.ascontiguousarray(result), input._dtype)
    args = (shape, full_mask)
    return record(MaskedSelectNode, out, (input, None), (input,), args, shapes)


# --------------------------------------------------------------------------- take / take_along_dim


def _take_vjp(node, g):
    _ = node.saved  # torch saves the input, as for gather
    shape, idx = node._args
    size = 1
    for s in shape:
        size *= s
    return (_index_put_zeros(g, (size,), (idx,)).reshape(shape), None)


TakeNode = defop("TakeBackward0", _take_vjp, batchable=False)


def take(input, index):
    """Elements of ``input`` seen as 1-d, at ``index`` (the result has index's shape)."""
    if not isinstance(index, Tensor) or index._dtype is not _backend.int64:
        raise RuntimeError("take(): Expected a long tensor for index, but got " + _dtype_of(index))
    flat = input._data.reshape(-1)
    idx = index._data
    n = flat.size
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    idx = xp.where(idx < 0, idx + n, idx)
    out = make(flat[idx], input._dtype)
    return record(TakeNode, out, (input, None), (input,), (input._data.shape, idx))


def _dtype_of(t):
    return _TYPE_NAMES.get(t._dtype.name, t._dtype.name) if isinstance(t, Tensor) else "other"


def take_along_dim(input, indices, dim=None):
    """Values of ``input`` at ``indices`` along ``dim`` (gather, with broadcasting)."""
    if not isinstance(indices, Tensor) or indices._dtype.kind != _backend.INT:
        raise RuntimeError(
            "torch.take_along_dim(): dtype of indices should be int but got " + _dtype_of(indices)
        )
    if dim is None:
        return input.reshape(-1).gather(0, indices.reshape(-1))
    ndim = input._data.ndim
    if ndim != indices._data.ndim:
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {ndim} dimensions for input, and {indices._data.ndim} "
            "dimensions for indices"
        )
    d = wrap_dim(dim, ndim)
    in_shape, idx_shape = list(input._data.shape), list(indices._data.shape)
    in_shape[d] = idx_shape[d] = 1
    shape = list(broadcast_shape(tuple(in_shape), tuple(idx_shape)))
    want_in = shape[:d] + [input._data.shape[d]] + shape[d + 1 :]
    want_idx = shape[:d] + [indices._data.shape[d]] + shape[d + 1 :]
    if tuple(want_in) != input._data.shape:
        input = input.expand(want_in)
    if tuple(want_idx) != indices._data.shape:
        indices = indices.expand(want_idx)
    if indices._dtype is not _backend.int64:
        indices = indices.long()
    return input.gather(d, indices)


# --------------------------------------------------------------------------- sort / topk / kthvalue


def _scatter_back_vjp(node, g):
    (indices,) = node.saved  # saved, as torch saves it: freed after backward
    shape, dim, keepdim = node._args
    if not shape:
        return (g,)
    if not keepdim:
        g = g.unsqueeze(dim)
        indices = indices.unsqueeze(dim)
    return (g.new_zeros(shape).scatter(dim, indices, g),)


SortNode = defop("SortBackward0", _scatter_back_vjp, batchable=False)
SortStableNode = defop("SortBackward1", _scatter_back_vjp, batchable=False)  # stable= given
TopkNode = defop("TopkBackward0", _scatter_back_vjp, batchable=False)
KthvalueNode = defop("KthvalueBackward0", _scatter_back_vjp, batchable=False)


_UNSET = object()


def _argsort_array(data, axis, descending):
    """A stable argsort; descending keeps equal elements in their original order (NaN largest)."""
    if not descending:
        return xp.argsort(data, axis=axis, kind="stable")
    n = data.shape[axis]
    flipped = xp.argsort(xp.flip(data, axis), axis=axis, kind="stable")
    return n - 1 - xp.flip(flipped, axis)


def _sorted(input, dim, descending):
    data = input._data
    if data.ndim == 0:
        return data.copy(), xp.zeros((), xp.int64), 0
    d = wrap_dim(dim, data.ndim)
    order = _argsort_array(data, d, descending).astype(xp.int64)
    return xp.take_along_axis(data, order, axis=d), order, d


def sort(input, dim=-1, descending=False, stable=_UNSET):
    """Values sorted along ``dim`` and the indices they came from (a stable sort).

    >>> sort(tensor([3., 1., 2.])).indices.tolist()
    [1, 2, 0]
    """
    values, order, d = _sorted(input, dim, descending)
    indices = make(order, _backend.int64)
    out = make(values, input._dtype)
    node = SortNode if stable is _UNSET else SortStableNode
    record(node, out, (input,), (indices,), (input._data.shape, d, True))
    return _named_result("sort")(out, indices)


def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort ``input`` along ``dim``."""
    return make(_sorted(input, dim, descending)[1], _backend.int64)


def _replay_ties(data, order, d, pick):
    """Replace, in the rows along ``d`` that have ties or NaN, the selected indices ``order``
    (same dims as data, the selection along d) by ``pick(row)`` (a list, or None to keep)."""
    rows = xp.moveaxis(data, d, -1).reshape(-1, data.shape[d])
    flagged = _tie_order.rows_with_ties_or_nan(rows)
    if not flagged:
        return order
    moved = xp.moveaxis(order, d, -1)
    chosen = moved.reshape(-1, moved.shape[-1]).copy()
    for r in flagged:
        picked = pick(rows[r])
        if picked is not None:
            chosen[r] = picked
    return xp.moveaxis(chosen.reshape(moved.shape), -1, d)


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or smallest) values along ``dim`` and their indices."""
    data = input._data
    d = wrap_dim(dim, max(data.ndim, 1))
    size = data.shape[d] if data.ndim else 1
    if k < 0 or k > size:
        raise RuntimeError("selected index k out of range")
    values, order, _ = _sorted(input, d, largest)
    if data.ndim:
        keep = (slice(None),) * d + (slice(0, k),)
        values, order = values[keep], order[keep]
        if k:  # ties and NaN: the indices torch's nth_element and sort leave
            pick = lambda row: _tie_order.topk_indices(row, k, largest)  # noqa: E731
            order = _replay_ties(data, order, d, pick)
            values = xp.take_along_axis(data, order, axis=d)
    indices = make(order.copy(), _backend.int64)
    out = make(values.copy(), input._dtype)
    record(TopkNode, out, (input,), (indices,), (data.shape, d, True))
    return _named_result("topk")(out, indices)


def kthvalue(input, k, dim=-1, keepdim=False):
    """The ``k``-th smallest value along ``dim`` (1-based) and its index."""
    data = input._data
    d = wrap_dim(dim, max(data.ndim, 1))
    size = data.shape[d] if data.ndim else 1
    if k < 1 or k > size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    values, order, _ = _sorted(input, d, False)
    if data.ndim:
        pick = (slice(None),) * d + (slice(k - 1, k),)
        values, order = values[pick], order[pick]
        # ties and NaN: the index torch's quickselect leaves at k - 1
        order = _replay_ties(data, order, d, lambda row: [_tie_order.quickselect_index(row, k - 1)])
        values = xp.take_along_axis(data, order, axis=d)
        if not keepdim:
            values, order = values.squeeze(d), order.squeeze(d)
    indices = make(order.copy(), _backend.int64)
    out = make(values.copy(), input._dtype)
    keep = keepdim or not data.ndim
    record(KthvalueNode, out, (input,), (indices,), (data.shape, d, keep))
    return _named_result("kthvalue")(out, indices)


# --------------------------------------------------------------------------- unique / nonzero


def _no_derivative(name):
    def vjp(node, g):
        raise NotImplementedError(f"the derivative for '{name}' is not implemented.")

    return vjp


Unique2Node = defop("Unique2Backward0", _no_derivative("_unique2"))
UniqueDimNode = defop("UniqueDimBackward0", _no_derivative("unique_dim"))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values (sorted), optionally with the inverse indices and the counts."""
    data = input._data
    if dim is None:
        values, inverse, counts = xp.unique(data, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(data.shape)
        node = Unique2Node
    else:
        d = wrap_dim(dim, data.ndim)
        values, inverse, counts = xp.unique(data, return_inverse=True, return_counts=True, axis=d)
        inverse = inverse.reshape(-1)
        node = UniqueDimNode
    out = record(node, make(values, input._dtype), (input,))
    results = [out]
    if return_inverse:
        results.append(make(inverse.astype(xp.int64), _backend.int64))
    if return_counts:
        results.append(make(counts.astype(xp.int64), _backend.int64))
    return results[0] if len(results) == 1 else tuple(results)


def nonzero(input, *, as_tuple=False):
    """The indices of the non-zero elements: an (n, ndim) tensor, or one 1-d tensor per dim."""
    data = input._data
    if as_tuple:
        if data.ndim == 0:
            return (make(xp.zeros(int(data != 0), xp.int64), _backend.int64),)
        return tuple(make(i.astype(xp.int64), _backend.int64) for i in xp.nonzero(data))
    if data.ndim == 0:
        return make(xp.zeros((int(data != 0), 0), xp.int64), _backend.int64)
    return make(xp.argwhere(data).astype(xp.int64), _backend.int64)


# --------------------------------------------------------------------------- roll / rot90


def _roll_vjp(node, g):
    shifts, dims, shape = node._args
    if dims is None:
        lead = tuple(g.shape[: g.dim() - len(shape)])
        flat = g.reshape(lead + (-1,)).roll(tuple(-s for s in shifts), -1)
        return (flat.reshape(lead + tuple(shape)),)
    return (g.roll(tuple(-s for s in shifts), dims),)


RollNode = defop("RollBackward0", _roll_vjp)


def roll(input, shifts, dims=None):
    """Shift elements circularly along ``dims`` (over the flattened tensor when dims is None)."""
    shifts = (shifts,) if isinstance(shifts, int) else tuple(int(s) for s in shifts)
    data = input._data
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        result = xp.roll(data.reshape(-1), shifts[0]).reshape(data.shape)
        args = (shifts, None, data.shape)
    else:
        dims = (dims,) if isinstance(dims, int) else tuple(dims)
        if len(shifts) != len(dims):
            raise RuntimeError(
                f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}"
            )
        if data.ndim == 0:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        nd = data.ndim
        dims = tuple(wrap_dim(d, nd) for d in dims)
        result = xp.roll(data, shifts, dims) if data.ndim else data.copy()
        args = (shifts, tuple(d - nd for d in dims), data.shape)
    return record(RollNode, make(result, input._dtype), (input,), None, args)


def _rot90_vjp(node, g):
    k, dims = node._args
    return (g.rot90(-k, dims),)


Rot90Node = defop("Rot90Backward0", _rot90_vjp)


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane of ``dims`` (first dim towards second)."""
    dims = tuple(dims)
    data = input._data
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if data.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {data.ndim}")
    d0, d1 = (wrap_dim(d, data.ndim) for d in dims)
    if d0 == d1:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}"
        )
    result = xp.rot90(data, k, (d0, d1)).copy()  # k=0 too: never the input's memory
    args = (k, (d0 - data.ndim, d1 - data.ndim))
    return record(Rot90Node, make(result, input._dtype), (input,), None, args)


# --------------------------------------------------------------------------- repeat_interleave


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element ``repeats`` times along ``dim`` (of the flattened tensor when None).

    >>> repeat_interleave(tensor([1, 2]), 2).tolist()
    [1, 1, 2, 2]
    """
    if repeats is None:  # torch.repeat_interleave(repeats): the indices repeated
        counts = input._data.reshape(-1)
        positions = xp.repeat(xp.arange(counts.size, dtype=xp.int64), counts)
        return make(positions, _backend.int64)
    if dim is None:
        input = input.reshape(-1)
        dim = 0
    data = input._data
    d = wrap_dim(dim, max(data.ndim, 1))
    if isinstance(repeats, Tensor):
        counts = repeats._data.reshape(-1)
        size = data.shape[d] if data.ndim else 1
        if counts.size not in (1, size):
            raise RuntimeError(
                "repeats must have the same size as input along dim, but got "
                f"repeats.size(0) = {counts.size} and input.size({d}) = {size}"
            )
        if counts.size and counts.min() < 0:
            raise RuntimeError("repeats can not be negative")
        counts = xp.broadcast_to(counts, (size,))
        positions = xp.repeat(xp.arange(size, dtype=xp.int64), counts)
        return input.index_select(d, make(positions, _backend.int64))
    repeats = int(repeats)
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    if data.ndim == 0:
        input = input.reshape(1)
        data = input._data
    shape = data.shape
    expanded = input.unsqueeze(d + 1).expand(shape[: d + 1] + (repeats,) + shape[d + 1 :])
    merged = shape[:d] + (shape[d] * repeats,) + shape[d + 1 :]
    return expanded.contiguous().view(merged)


# --------------------------------------------------------------------------- publish

for _name, _func, _grad_fns in (
    ("index_select", index_select, ("IndexSelectBackward0",)),
    ("index_add", index_add, ("IndexAddBackward0",)),
    ("masked_fill", masked_fill, ("MaskedFillBackward0", "MaskedFillBackward1")),
    ("masked_select", masked_select, ("MaskedSelectBackward0",)),
    ("take", take, ("TakeBackward0",)),
    ("take_along_dim", take_along_dim, ("GatherBackward0",)),
    ("sort", sort, ("SortBackward0", "SortBackward1")),
    ("topk", topk, ("TopkBackward0",)),
    ("kthvalue", kthvalue, ("KthvalueBackward0",)),
    ("roll", roll, ("RollBackward0",)),
    ("rot90", rot90, ("Rot90Backward0",)),
    ("repeat_interleave", repeat_interleave, ("ViewBackward0", "IndexSelectBackward0")),
):
    _export(_name, _func, grad_fns=_grad_fns)
for _name, _func in (("argsort", argsort), ("unique", unique), ("nonzero", nonzero)):
    _export(_name, _func, differentiable=False)

Tensor.index_add_ = inplace(index_add)
Tensor.masked_fill_ = inplace(masked_fill)
_export(
    "index_add_", Tensor.index_add_, function=False, method=False, grad_fns=("IndexAddBackward0",)
)
_export(
    "masked_fill_",
    Tensor.masked_fill_,
    function=False,
    method=False,
    grad_fns=("MaskedFillBackward0", "MaskedFillBackward1"),
)
