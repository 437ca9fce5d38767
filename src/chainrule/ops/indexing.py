"""Selecting parts of a tensor: select, narrow, indexing (x[...] and x[...] = v), gather,
scatter.

Basic indexing (ints, slices, None, ...) gives views, recorded step by step as torch does
(SelectBackward0, SliceBackward0, UnsqueezeBackward0); advanced indexing (integer or bool
tensors, lists) copies and is one IndexBackward0.
"""

from __future__ import annotations

from .. import _backend, _registry
from .._backend import xp
from .._registry import defop, export, lead, record
from .._tensor import Tensor, make, wrap_dim
from .shape import _fmt_shape, unsqueeze, view_of

__all__ = []


def _export(name, func, **kw):
    __all__.append(name)
    return export(name, func, **kw)


# --------------------------------------------------------------------------- select / slice


def _select_vjp(node, g):
    shape, dim, index = node._args
    return (_embed(g, shape, dim, index),)


def _slice_vjp(node, g):
    shape, dim, sl = node._args
    return (_embed(g, shape, dim, sl),)


SelectNode = defop("SelectBackward0", _select_vjp)
SliceNode = defop("SliceBackward0", _slice_vjp)


def _embed_vjp(node, g):
    shape, dim, where_ = node._args
    index = (Ellipsis, where_) + (slice(None),) * (-dim - 1)
    return (g[index],)


EmbedNode = defop("SliceBackward0", _embed_vjp)  # its own backward is a select/slice again


def _embed(g, shape, dim, where_):
    """Zeros of ``shape`` with ``g`` placed at ``where_`` along ``dim`` (counted from the end)."""
    data = xp.zeros(lead(g) + shape, g._data.dtype)
    data[(Ellipsis, where_) + (slice(None),) * (-dim - 1)] = g._data
    return record(EmbedNode, make(data, g._dtype), (g,), None, (shape, dim, where_))


def select(input, dim, index):
    """The slice at ``index`` along ``dim`` (a view with that dim removed)."""
    return _select(input, dim, index)


def _select(input, dim, index, position=None):
    """select; ``position``: where x[...] had this index (its error names that dim, as torch's)."""
    data = input._data
    if data.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, data.ndim)
    size = data.shape[d]
    index = int(index)
    if index < -size or index >= size:
        if position is not None:
            raise IndexError(
                f"index {index} is out of bounds for dimension {position} with size {size}"
            )
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {_fmt_shape(data.shape)} "
            f"at dimension {d}"
        )
    if index < 0:
        index += size
    result = data[(slice(None),) * d + (index, Ellipsis)]  # Ellipsis: a 0-d view, not a copy
    args = (data.shape, d - data.ndim, index)
    return record(SelectNode, view_of(input, result, SelectNode), (input,), None, args)


def narrow(input, dim, start, length):
    """Elements start..start+length along ``dim`` (a view)."""
    data = input._data
    if data.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    length = int(length)
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    d = wrap_dim(dim, data.ndim)
    size = data.shape[d]
    start = int(start._data) if isinstance(start, Tensor) else int(start)
    if start < -size or start > size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return _slice(input, d, slice(start, start + length))


def _slice(input, d, sl):
    data = input._data
    if sl.step is not None and sl.step <= 0:
        raise ValueError("step must be greater than zero")
    start, stop, step = sl.indices(data.shape[d])
    norm = slice(start, max(stop, start), step)
    result = data[(slice(None),) * d + (norm,)]
    args = (data.shape, d - data.ndim, norm)
    return record(SliceNode, view_of(input, result, SliceNode), (input,), None, args)


# --------------------------------------------------------------------------- indexing


def _is_advanced(item) -> bool:
    if isinstance(item, Tensor):
        return not (item._data.ndim == 0 and item._dtype.kind == _backend.INT)
    return isinstance(item, (list, range, xp.ndarray)) or item is True or item is False


def _expand_ellipsis(index, ndim):
    used = sum(1 for i in index if i is not None and i is not Ellipsis and not isinstance(i, bool))
    used += sum(
        i._data.ndim - 1
        for i in index
        if isinstance(i, Tensor) and i._dtype is _backend.bool_ and i._data.ndim != 1
    )
    if used > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    out = []
    seen = False
    for item in index:
        if item is Ellipsis:
            if seen:
                raise IndexError("an index can only have a single ellipsis ('...')")
            seen = True
            out.extend([slice(None)] * (ndim - used))
        else:
            out.append(item)
    return out


def getitem(input, index):
    """x[index]: ints, slices, None, Ellipsis (views); int/bool tensors and lists (copies)."""
    if not isinstance(index, tuple):
        if input._data.ndim == 0:
            _check_0d_index(index)
        index = (index,)
    if any(_is_advanced(i) for i in index):
        return _advanced_index(input, index)
    out = input
    dim = 0
    items = _expand_ellipsis(index, input._data.ndim)
    # each item's position in the index as written (an ellipsis's slices share its position)
    positions = []
    for pos, item in enumerate(index):
        positions.extend([pos] * (len(items) - len(index) + 1) if item is Ellipsis else [pos])
    for item, pos in zip(items, positions):
        if item is None:
            out = unsqueeze(out, dim)
            dim += 1
        elif isinstance(item, slice):
            if not (item.start in (None, 0) and item.stop is None and item.step in (None, 1)):
                out = _slice(out, dim, item)
            dim += 1
        else:
            out = _select(out, dim, _as_int(item), pos)
    if out is input:  # x[:] or x[...]: torch returns a new view, recorded as an alias
        out = _slice(input, 0, slice(None)) if input._data.ndim else _alias(input)
    return out


def _check_0d_index(item):
    """torch's messages for x[i] and x[a:b] on a 0-d tensor (not for tuples or tensors)."""
    if isinstance(item, slice):
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    if isinstance(item, (Tensor, bool)) or not hasattr(item, "__index__"):
        return
    index = item.__index__()
    if index == 0:
        raise IndexError(
            "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
            "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
        )
    raise IndexError(f"index {index} is out of bounds for dimension 0 with size 0")


AliasNode = defop("AliasBackward0", lambda node, g: (g,))


def _alias(input):
    return record(AliasNode, view_of(input, input._data.view(), AliasNode), (input,))


def _as_int(item):
    if isinstance(item, Tensor):
        return int(item._data)
    try:
        return item.__index__()
    except AttributeError:
        raise IndexError(
            "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
            "valid indices (got " + type(item).__name__ + ")"
        ) from None


def _numpy_index(input, index):
    """Translate a torch index into a NumPy one, checking bounds and mask shapes as torch does."""
    items = _expand_ellipsis(index, input._data.ndim)
    shape = input._data.shape
    out = []
    dim = 0
    for item in items:
        if isinstance(item, Tensor):
            item = item._data
        elif isinstance(item, (list, range)):  # a range is a sequence of indices, as in torch
            item = xp.asarray(item)
            if item.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        if isinstance(item, xp.ndarray):
            if item.dtype == xp.bool_:
                for k, size in enumerate(item.shape):
                    if dim + k >= len(shape) or shape[dim + k] != size:
                        raise IndexError(
                            f"The shape of the mask {_fmt_shape(item.shape)} at index {k} does "
                            f"not match the shape of the indexed tensor {_fmt_shape(shape)} at "
                            f"index {dim + k}"
                        )
                dim += item.ndim
            else:
                if item.dtype.kind not in "iu":
                    raise IndexError(
                        "tensors used as indices must be long, int, byte or bool tensors"
                    )
                size = shape[dim]
                if item.size and (item.max() >= size or item.min() < -size):
                    bad = item.max() if item.max() >= size else item.min()
                    raise IndexError(
                        f"index {bad} is out of bounds for dimension {dim} with size {size}"
                    )
                dim += 1
        elif item is None or isinstance(item, bool):  # a bool adds a dim, as None does
            pass
        elif isinstance(item, slice):
            dim += 1
        else:
            item = _as_int(item)
            size = shape[dim]
            if item < -size or item >= size:
                raise IndexError(
                    f"index {item} is out of bounds for dimension {dim} with size {size}"
                )
            dim += 1
        out.append(item)
    return tuple(out)


def _index_vjp(node, g):
    shape, index = node._args
    return (_index_put_zeros(g, shape, index),)


def _index_put_vjp(node, g):
    shape, index = node._args
    return (_raw_index(g, index),)


IndexNode = defop("IndexBackward0", _index_vjp, batchable=False)
IndexPutNode = defop("IndexPutBackward0", _index_put_vjp, batchable=False)


def _raw_index(t, index):
    result = t._data[index]
    out = make(xp.array(result, copy=True), t._dtype)
    return record(IndexNode, out, (t,), None, (t._data.shape, index))


def _index_put_zeros(g, shape, index):
    """Zeros of ``shape`` with ``g`` added at ``index`` (repeated indices accumulate)."""
    data = xp.zeros(shape, g._data.dtype)
    xp.add.at(data, index, g._data)
    return record(IndexPutNode, make(data, g._dtype), (g,), None, (shape, index))


def _advanced_index(input, index):
    np_index = _numpy_index(input, index)
    return _raw_index(input, np_index)


def setitem(input, index, value):
    """x[index] = value, in place (recorded so gradients flow to x's history and to value)."""
    from .inplace import assign_index

    if not isinstance(index, tuple) and input._data.ndim == 0:
        _check_0d_index(index)  # torch's messages for x[0] = v on a 0-d x
    assign_index(input, index, value)


Tensor.__getitem__ = getitem
Tensor.__setitem__ = setitem

# --------------------------------------------------------------------------- gather / scatter


def _gather_vjp(node, g):
    _ = node.saved  # torch saves the input: changing it in place breaks backward there too
    shape, dim, index = node._args
    return (g.new_zeros(shape).scatter_add(dim, index, g),)


def _scatter_add_vjp(node, g):
    dim = node._args
    if node.needs_input_grad(2):
        (index,) = node.saved  # saved only for src's gradient, as in torch
    return (
        g if node.needs_input_grad(0) else None,
        None,
        g.gather(dim, index) if node.needs_input_grad(2) else None,
    )


def _scatter_vjp(node, g):
    (index,) = node.saved  # saved, as torch saves it: freed after backward
    dim = node._args
    return (
        g.scatter(dim, index, 0.0) if node.needs_input_grad(0) else None,
        None,
        g.gather(dim, index) if node.needs_input_grad(2) else None,
    )


GatherNode = defop("GatherBackward0", _gather_vjp, batchable=False)
ScatterAddNode = defop("ScatterAddBackward0", _scatter_add_vjp, batchable=False)
ScatterNode = defop("ScatterBackward0", _scatter_vjp, batchable=False)  # src a tensor
ScatterValueNode = defop("ScatterBackward1", _scatter_vjp, batchable=False)  # src a number


_INDEX_DTYPES = (_backend.int64, _backend.int32)


def check_gather_scatter(name, input, dim, index, src=None) -> int:
    """torch's checks for gather / scatter*, in its order, before anything is computed:
    the dim, the dtypes, the ranks, the index's sizes against self (and src), then each
    index value (the first bad one in order is named). Returns the wrapped dim."""
    data = input._data
    d = wrap_dim(dim, data.ndim)
    if not isinstance(index, Tensor) or index._dtype not in _INDEX_DTYPES:
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    has_src = isinstance(src, Tensor)
    if has_src and src._dtype is not input._dtype:
        raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
    idx = index._data
    if not idx.size:
        return d
    self_shape, index_shape = data.shape or (1,), idx.shape or (1,)
    if len(index_shape) != len(self_shape):
        which = "input" if name == "gather" else "self"
        raise RuntimeError(
            f"Index tensor must have the same number of dimensions as {which} tensor"
        )
    if has_src:
        _check_scatter_sizes(d, self_shape, index_shape, src._data.shape or (1,))
    else:
        _check_sizes(name, d, self_shape, index_shape)
    size = self_shape[d]
    bad = (idx < 0) | (idx >= size)
    if bad.any():
        first = int(idx.reshape(-1)[bad.reshape(-1).argmax()])
        raise RuntimeError(f"index {first} is out of bounds for dimension {d} with size {size}")
    return d


def _check_sizes(name, d, self_shape, index_shape):
    for i, (n_index, n_self) in enumerate(zip(index_shape, self_shape)):
        if i != d and n_index > n_self:
            prefix = (
                f"Size does not match at dimension {i} expected"
                if name == "gather"
                else ("Expected")
            )
            raise RuntimeError(
                f"{prefix} index {list(index_shape)} to be no larger than self "
                f"{list(self_shape)} apart from dimension {d}"
            )


def _check_scatter_sizes(d, self_shape, index_shape, src_shape):
    if len(src_shape) != len(index_shape):
        if len(src_shape) < len(index_shape):  # torch asks src for a dim it lacks
            wrap_dim(len(src_shape), len(src_shape))
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    for i, n_index in enumerate(index_shape):
        if n_index > src_shape[i] or (i != d and n_index > self_shape[i]):
            raise RuntimeError(
                f"Expected index {list(index_shape)} to be no larger than self "
                f"{list(self_shape)} apart from dimension {d} and to be no larger size than "
                f"src {list(src_shape)}"
            )


def gather(input, dim, index):
    """Values of ``input`` at ``index`` along ``dim``.

    For dim 0: out[i][j] = input[index[i][j]][j].
    """
    d = check_gather_scatter("gather", input, dim, index)
    data = input._data
    idx = index._data
    if not idx.size:
        result = xp.zeros(idx.shape, data.dtype)
    elif data.ndim and idx.ndim:
        # torch lets the index be smaller than input in the other dims: use that corner
        corner = tuple(slice(None) if i == d else slice(0, n) for i, n in enumerate(idx.shape))
        result = xp.take_along_axis(data[corner], idx, axis=d)
    else:  # torch counts a 0-d tensor as one element along dim 0; the index gives the shape
        result = data.reshape(-1)[idx.reshape(-1)].reshape(idx.shape)
    return record(
        GatherNode, make(result, input._dtype), (input,), (input,), (data.shape, d, index)
    )


def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim`` (accumulating)."""
    d = check_gather_scatter("scatter", input, dim, index, src)
    data = _backend.opmath(input._data).copy()  # half: accumulated in float32, rounded once
    positions = _scatter_positions(index._data, d)
    src_data = src._data[tuple(slice(0, s) for s in index._data.shape)]
    xp.add.at(data, positions, src_data)
    data = data.astype(input._dtype.np, copy=False)
    # only src's gradient (and tangent) needs the index
    saved = (index,) if src._requires_grad or _registry.dual_depth else None
    return record(ScatterAddNode, make(data, input._dtype), (input, None, src), saved, d)


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of ``input`` with ``src`` (a tensor or number) written at ``index`` along ``dim``."""
    if src is None:
        src = value
    d = check_gather_scatter("scatter", input, dim, index, src)
    data = input._data.copy()
    positions = _scatter_positions(index._data, d)
    if isinstance(src, Tensor):
        data[positions] = src._data[tuple(slice(0, s) for s in index._data.shape)]
        inputs, node = (input, None, src), ScatterNode
    else:
        src = _backend.fit_scalar(src, input._dtype)
        data[positions] = src
        inputs, node = (input, None, None), ScatterValueNode
    return record(node, make(data, input._dtype), inputs, (index,), d)


def _scatter_positions(idx, d):
    if idx.ndim == 0:  # a 0-d tensor has one position
        return ()
    grids = list(xp.indices(idx.shape, sparse=True))
    grids[d] = idx
    return tuple(grids)


# --------------------------------------------------------------------------- publish

for _name, _func, _grad_fns in (
    ("select", select, ("SelectBackward0",)),
    ("narrow", narrow, ("SliceBackward0",)),
    ("gather", gather, ("GatherBackward0",)),
    ("scatter", scatter, ("ScatterBackward0", "ScatterBackward1")),
    ("scatter_add", scatter_add, ("ScatterAddBackward0",)),
):
    _export(_name, _func, grad_fns=_grad_fns)

from . import indexing_more  # noqa: E402, F401  (index_fill, put, scatter_reduce, ...)
