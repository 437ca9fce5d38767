"""Shape and view ops, copies and dtype conversions: reshape, permute, expand, cat, ...

Views share storage and the version counter with their base, as in torch; their rules
are the inverse reshaping of the output gradient.
"""

from __future__ import annotations

from .. import _backend, _graph
from .._backend import xp
from .._registry import defop, export, lead, record, record_multi, result_dtype, sum_to_shape
from .._tensor import Size, Tensor, make, wrap_dim

__all__ = []


def _export(name, func, **kw):
    __all__.append(name)
    return export(name, func, **kw)


def view_of(base: Tensor, data) -> Tensor:
    """A tensor over ``data`` (a view of base's array) sharing base's version counter."""
    out = make(data, base._dtype)
    out._vbox = base._vbox
    return out


def _sizes(args) -> tuple:
    """Accept f(2, 3), f((2, 3)), f([2, 3]) and f(torch.Size([2, 3]))."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(int(a) for a in args)


# --------------------------------------------------------------------------- reshape / view


def _reshape_vjp(node, g):
    return (g.reshape(lead(g) + node._args),)


ViewNode = defop("ViewBackward0", _reshape_vjp)
UnsafeViewNode = defop("UnsafeViewBackward0", _reshape_vjp)
ReshapeAliasNode = defop("ReshapeAliasBackward0", _reshape_vjp)  # a view of a non-contiguous input


def _infer_shape(shape, numel) -> tuple:
    unknown = None
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if unknown is not None:
                raise RuntimeError("only one dimension can be inferred")
            unknown = i
        elif s < -1:
            raise RuntimeError(
                f"invalid shape dimension {s} at index {i} of shape {_fmt_shape(shape)}"
            )
        else:
            known *= s
    if unknown is not None:
        if known == 0 and numel == 0:
            raise RuntimeError(
                f"cannot reshape tensor of 0 elements into shape {_fmt_shape(shape)} because the "
                "unspecified dimension size -1 can be any value and is ambiguous"
            )
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{_fmt_shape(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{_fmt_shape(shape)}' is invalid for input of size {numel}")
    return shape


def _fmt_shape(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def reshape(input, *shape):
    """The same elements in a new shape (a view when possible, else a copy).

    >>> reshape(arange(6.), (2, 3)).shape
    torch.Size([2, 3])
    """
    data = input._data
    shape = _infer_shape(_sizes(shape), data.size)
    try:
        result = data.reshape(shape, copy=False)
        node = ViewNode if data.flags.c_contiguous else ReshapeAliasNode
        out = view_of(input, result)
    except ValueError:
        input = input.clone()
        out = make(input._data.reshape(shape), input._dtype)
        node = UnsafeViewNode
    return record(node, out, (input,), None, data.shape)


def view(input, *shape):
    """A view with a new shape; the data must be laid out compatibly (else RuntimeError)."""
    if len(shape) == 1 and isinstance(shape[0], _backend.dtype):
        raise NotImplementedError("view(dtype) is not supported")
    data = input._data
    shape = _infer_shape(_sizes(shape), data.size)
    try:
        result = data.reshape(shape, copy=False)
    except ValueError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None
    return record(ViewNode, view_of(input, result), (input,), None, data.shape)


def view_as(input, other):
    return view(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one."""
    ndim = input._data.ndim
    if ndim == 0:
        return reshape(input, (1,))
    start, end = wrap_dim(start_dim, ndim), wrap_dim(end_dim, ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    shape = input._data.shape
    return reshape(input, shape[:start] + (-1,) + shape[end + 1 :])


def unflatten(input, dim, sizes):
    """Split one dim into several."""
    shape = input._data.shape
    if not shape:
        raise RuntimeError(
            f"unflatten got an unexpected error:\nDimension specified as {dim} but "
            "tensor has no dimensions"
        )
    d = wrap_dim(dim, len(shape))
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    try:
        inferred = _infer_shape(sizes, shape[d])
    except RuntimeError as exc:
        if not str(exc).startswith("shape '"):
            raise RuntimeError(f"unflatten got an unexpected error:\n{exc}") from None
        inferred = None
    if inferred is None:
        raise RuntimeError(
            f"unflatten: Provided sizes {_fmt_shape(sizes)} don't multiply up to the size of dim "
            f"{d} ({shape[d]}) in the input tensor"
        )
    return view(input, shape[:d] + inferred + shape[d + 1 :])


# --------------------------------------------------------------------------- squeeze / unsqueeze

SqueezeNode = defop("SqueezeBackward0", _reshape_vjp)
SqueezeDimNode = defop("SqueezeBackward1", _reshape_vjp)
SqueezeDimsNode = defop("SqueezeBackward2", _reshape_vjp)


def squeeze(input, dim=None):
    """Remove dims of size 1 (all of them, or only those in ``dim``)."""
    data = input._data
    if dim is None:
        node = SqueezeNode
        axes = tuple(i for i, s in enumerate(data.shape) if s == 1)
    else:
        node = SqueezeDimsNode if isinstance(dim, (tuple, list)) else SqueezeDimNode
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        axes = tuple(
            d for d in (wrap_dim(d, data.ndim) for d in dims) if data.ndim and data.shape[d] == 1
        )
    result = data.squeeze(axes) if axes else data.view()
    return record(node, view_of(input, result), (input,), None, data.shape)


def _unsqueeze_vjp(node, g):
    return (g.squeeze(node._args),)


UnsqueezeNode = defop("UnsqueezeBackward0", _unsqueeze_vjp)


def unsqueeze(input, dim):
    """Insert a dim of size 1 at ``dim``."""
    data = input._data
    d = wrap_dim(dim, data.ndim + 1)
    return record(
        UnsqueezeNode, view_of(input, xp.expand_dims(data, d)), (input,), None, d - data.ndim - 1
    )


# --------------------------------------------------------------------------- transpose / permute


def _transpose_vjp(node, g):
    d0, d1 = node._args
    return (g.transpose(d0, d1) if d0 != d1 else g,)


TransposeNode = defop("TransposeBackward0", _transpose_vjp)


def _t_vjp(node, g):
    return (g.transpose(-2, -1) if node._args == 2 else g,)


TNode = defop("TBackward0", _t_vjp)


def _permute_vjp(node, g):
    dims = node._args
    batch = len(lead(g))
    inverse = list(range(batch)) + [0] * len(dims)
    for i, d in enumerate(dims):
        inverse[batch + d] = batch + i
    return (g.permute(inverse),)


PermuteNode = defop("PermuteBackward0", _permute_vjp)


def transpose(input, dim0, dim1):
    """Swap two dims (a view)."""
    data = input._data
    ndim = data.ndim
    d0, d1 = wrap_dim(dim0, ndim), wrap_dim(dim1, ndim)
    result = xp.swapaxes(data, d0, d1) if ndim else data.view()
    return record(
        TransposeNode,
        view_of(input, result),
        (input,),
        None,
        (d0 - ndim, d1 - ndim) if ndim else (0, 0),
    )


def t(input):
    """Transpose of a tensor with at most 2 dims."""
    data = input._data
    if data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {data.ndim}D")
    return record(TNode, view_of(input, data.T), (input,), None, data.ndim)


def permute(input, *dims):
    """Reorder the dims (a view)."""
    data = input._data
    dims = tuple(wrap_dim(d, data.ndim) for d in _sizes(dims))
    if len(dims) != data.ndim:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {data.ndim} is not "
            f"equal to len(dims) = {len(dims)}"
        )
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return record(PermuteNode, view_of(input, data.transpose(dims)), (input,), None, dims)


def _T(input):
    ndim = input._data.ndim
    if ndim != 2 and ndim != 0:
        import warnings

        warnings.warn(
            "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
            "to reverse the dimensions of a tensor.",
            UserWarning,
            stacklevel=2,
        )
    return permute(input, tuple(range(ndim - 1, -1, -1)))


def _mT(input):
    if input._data.ndim < 2:
        raise RuntimeError(
            "tensor.mT is only supported on matrices or batches of matrices. Got "
            f"{input._data.ndim}-D tensor."
        )
    return transpose(input, -2, -1)


Tensor.T = property(_T)
Tensor.mT = property(_mT)
Tensor.H = property(_T)
Tensor.mH = property(_mT)

# --------------------------------------------------------------------------- expand / repeat / flip


def _expand_vjp(node, g):
    return (sum_to_shape(g, node._args),)


ExpandNode = defop("ExpandBackward0", _expand_vjp)


def expand(input, *sizes):
    """Broadcast to a larger shape without copying (-1 keeps a dim)."""
    data = input._data
    sizes = _sizes(sizes)
    if len(sizes) < data.ndim:
        raise RuntimeError(
            f"expand({input.type()}{{{_fmt_shape(data.shape)}}}, size={_fmt_shape(sizes)}):"
            " the number of sizes provided (" + str(len(sizes)) + ") must be greater or equal to "
            f"the number of dimensions in the tensor ({data.ndim})"
        )
    lead = len(sizes) - data.ndim
    target = list(sizes)
    for i, s in enumerate(data.shape):
        want = sizes[lead + i]
        if want == -1:
            target[lead + i] = s
        elif s != want and s != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({want}) must match the existing size ({s}) at "
                f"non-singleton dimension {lead + i}.  Target sizes: {_fmt_shape(sizes)}.  "
                f"Tensor sizes: {_fmt_shape(data.shape)}"
            )
    result = xp.broadcast_to(data, tuple(target))
    return record(ExpandNode, view_of(input, result), (input,), None, data.shape)


def expand_as(input, other):
    return expand(input, other.shape)


def _repeat_vjp(node, g):
    in_shape, reps = node._args
    batch = lead(g)
    shape = (1,) * (len(reps) - len(in_shape)) + tuple(in_shape)
    split = list(batch)
    for r, s in zip(reps, shape):
        split += [r, s]
    g = g.reshape(split).sum(tuple(range(len(batch), len(split), 2)))
    return (g.reshape(batch + in_shape),)


RepeatNode = defop("RepeatBackward0", _repeat_vjp)


def repeat(input, *sizes):
    """Tile the tensor ``sizes[i]`` times along each dim (copies)."""
    data = input._data
    reps = _sizes(sizes)
    if len(reps) < data.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor"
        )
    result = xp.tile(data, reps)
    return record(RepeatNode, make(result, input._dtype), (input,), None, (data.shape, reps))


FlipNode = defop("FlipBackward0", lambda node, g: (g.flip(node._args),))


def flip(input, *dims):
    """Reverse the order of elements along ``dims``."""
    data = input._data
    dims = tuple(wrap_dim(d, data.ndim) for d in _sizes(dims))
    result = xp.flip(data, dims).copy() if data.ndim else data.copy()
    from_end = tuple(d - data.ndim for d in dims)
    return record(FlipNode, make(result, input._dtype), (input,), None, from_end)


# --------------------------------------------------------------------------- copies, dtypes

CloneNode = defop("CloneBackward0", lambda node, g: (g,))


def _to_copy_vjp(node, g):
    return (g.to(node._args),)


ToCopyNode = defop("ToCopyBackward0", _to_copy_vjp)


def clone(input, *, memory_format=None):
    """A copy that stays in the graph (gradient passes straight through)."""
    return record(CloneNode, make(input._data.copy(), input._dtype), (input,))


def contiguous(input, memory_format=None):
    """self if already contiguous, else a contiguous copy."""
    if input._data.flags.c_contiguous:
        return input
    out = make(xp.ascontiguousarray(input._data), input._dtype)
    return record(CloneNode, out, (input,))


def _convert(input, dtype, copy=False):
    if dtype is input._dtype and not copy:
        return input
    out = make(input._data.astype(dtype.np), dtype)
    if dtype.kind != _backend.FLOAT:
        return out
    return record(ToCopyNode, out, (input,), None, input._dtype)


def to(input, *args, **kwargs):
    """Convert dtype (and device: only "cpu" here): ``x.to(torch.float64)``, ``x.to(other)``."""
    from .._tensor import check_device

    dtype = kwargs.get("dtype")
    copy = kwargs.get("copy", False)
    check_device(kwargs.get("device"))
    for arg in args:
        if isinstance(arg, _backend.dtype):
            dtype = arg
        elif isinstance(arg, Tensor):
            dtype = arg._dtype
        elif arg is not None and not isinstance(arg, bool):
            check_device(arg)
    if dtype is None:
        return input.clone() if copy else input
    return _convert(input, dtype, copy)


def _converter(dtype):
    def convert(input, memory_format=None):
        return _convert(input, dtype)

    return convert


for _name, _dtype in (
    ("float", _backend.float32),
    ("double", _backend.float64),
    ("half", _backend.float16),
    ("long", _backend.int64),
    ("int", _backend.int32),
    ("short", _backend.int16),
    ("char", _backend.int8),
    ("byte", _backend.uint8),
    ("bool", _backend.bool_),
):
    setattr(Tensor, _name, _converter(_dtype))


def type_as(input, other):
    return _convert(input, other._dtype)


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
    return record(SelectNode, view_of(input, result), (input,), None, args)


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
    return record(SliceNode, view_of(input, result), (input,), None, args)


# --------------------------------------------------------------------------- indexing


def _is_advanced(item) -> bool:
    if isinstance(item, Tensor):
        return not (item._data.ndim == 0 and item._dtype.kind == _backend.INT)
    return isinstance(item, (list, xp.ndarray)) or item is True or item is False


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
    return record(AliasNode, view_of(input, input._data.view()), (input,))


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
        elif isinstance(item, list):
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

    assign_index(input, index, value)


Tensor.__getitem__ = getitem
Tensor.__setitem__ = setitem

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
    data = tensor._data
    d = wrap_dim(dim, data.ndim)
    length = data.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and length:
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got "
                f"dimension size of {length}"
            )
        sizes = [min(step, length - s) for s in range(0, length, step)] if step else [0]
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
        outs.append(view_of(tensor, piece))
        start += size
    return tuple(record_multi(node, outs, (tensor,), None, (data.shape, d, tuple(sizes), False)))


def chunk(input, chunks, dim=0):
    """Split into ``chunks`` nearly equal pieces (the last may be smaller)."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    length = input._data.shape[wrap_dim(dim, input._data.ndim)]
    step = -(-length // chunks) if length else 1
    return split(input, step, dim)


def unbind(input, dim=0):
    """All slices along ``dim``, as a tuple of views."""
    data = input._data
    if data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, data.ndim)
    outs = [view_of(input, data[(slice(None),) * d + (i,)]) for i in range(data.shape[d])]
    sizes = (1,) * data.shape[d]
    return tuple(record_multi(UnbindNode, outs, (input,), None, (data.shape, d, sizes, True)))


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


def _check_index(index, name):
    if not isinstance(index, Tensor) or index._dtype is not _backend.int64:
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")


def gather(input, dim, index):
    """Values of ``input`` at ``index`` along ``dim``.

    For dim 0: out[i][j] = input[index[i][j]][j].
    """
    _check_index(index, "gather")
    data = input._data
    d = wrap_dim(dim, data.ndim)
    idx = index._data
    size = data.shape[d] if data.ndim else 1
    if idx.size and (idx.max() >= size or idx.min() < -size):
        raise RuntimeError(
            f"index {int(idx.max())} is out of bounds for dimension {d} with size {size}"
        )
    result = xp.take_along_axis(data, idx, axis=d) if data.ndim else data.copy()
    return record(
        GatherNode, make(result, input._dtype), (input,), (input,), (data.shape, d, index)
    )


def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim`` (accumulating)."""
    _check_index(index, "scatter_add")
    d = wrap_dim(dim, input._data.ndim)
    data = input._data.copy()
    positions = _scatter_positions(index._data, d)
    src_data = src._data[tuple(slice(0, s) for s in index._data.shape)]
    xp.add.at(data, positions, src_data)
    saved = (index,) if src._requires_grad else None  # only src's gradient needs the index
    return record(ScatterAddNode, make(data, input._dtype), (input, None, src), saved, d)


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of ``input`` with ``src`` (a tensor or number) written at ``index`` along ``dim``."""
    _check_index(index, "scatter")
    if src is None:
        src = value
    d = wrap_dim(dim, input._data.ndim)
    data = input._data.copy()
    positions = _scatter_positions(index._data, d)
    if isinstance(src, Tensor):
        data[positions] = src._data[tuple(slice(0, s) for s in index._data.shape)]
        inputs, node = (input, None, src), ScatterNode
    else:
        data[positions] = src
        inputs, node = (input, None, None), ScatterValueNode
    return record(node, make(data, input._dtype), inputs, (index,), d)


def _scatter_positions(idx, d):
    grids = list(xp.indices(idx.shape, sparse=True))
    grids[d] = idx
    return tuple(grids)


# --------------------------------------------------------------------------- publish

for _name, _func, _grad_fns in (
    ("reshape", reshape, ("ViewBackward0", "UnsafeViewBackward0", "ReshapeAliasBackward0")),
    ("flatten", flatten, ("ViewBackward0", "UnsafeViewBackward0", "ReshapeAliasBackward0")),
    ("unflatten", unflatten, ("ViewBackward0",)),
    ("squeeze", squeeze, ("SqueezeBackward0", "SqueezeBackward1", "SqueezeBackward2")),
    ("unsqueeze", unsqueeze, ("UnsqueezeBackward0",)),
    ("transpose", transpose, ("TransposeBackward0",)),
    ("swapaxes", transpose, ("TransposeBackward0",)),
    ("swapdims", transpose, ("TransposeBackward0",)),
    ("t", t, ("TBackward0",)),
    ("permute", permute, ("PermuteBackward0",)),
    ("flip", flip, ("FlipBackward0",)),
    ("clone", clone, ("CloneBackward0",)),
    ("select", select, ("SelectBackward0",)),
    ("narrow", narrow, ("SliceBackward0",)),
    ("cat", cat, ("CatBackward0",)),
    ("concat", cat, ("CatBackward0",)),
    ("concatenate", cat, ("CatBackward0",)),
    ("stack", stack, ("StackBackward0",)),
    ("split", split, ("SplitBackward0", "SplitWithSizesBackward0")),
    ("chunk", chunk, ("SplitBackward0",)),
    ("unbind", unbind, ("UnbindBackward0",)),
    ("gather", gather, ("GatherBackward0",)),
    ("scatter", scatter, ("ScatterBackward0", "ScatterBackward1")),
    ("scatter_add", scatter_add, ("ScatterAddBackward0",)),
):
    _export(
        _name,
        _func,
        method=_name not in ("cat", "concat", "concatenate", "stack"),
        grad_fns=_grad_fns,
    )
for _name, _func, _grad_fns in (
    ("view", view, ("ViewBackward0",)),
    ("view_as", view_as, ("ViewBackward0",)),
    ("reshape_as", reshape_as, ("ViewBackward0", "UnsafeViewBackward0", "ReshapeAliasBackward0")),
    ("expand", expand, ("ExpandBackward0",)),
    ("expand_as", expand_as, ("ExpandBackward0",)),
    ("repeat", repeat, ("RepeatBackward0",)),
    ("contiguous", contiguous, ("CloneBackward0",)),
    ("to", to, ("ToCopyBackward0",)),
    ("type_as", type_as, ("ToCopyBackward0",)),
):
    _export(_name, _func, function=False, grad_fns=_grad_fns)
__all__ = [
    n
    for n in __all__
    if n
    not in (
        "view",
        "view_as",
        "reshape_as",
        "expand",
        "expand_as",
        "repeat",
        "contiguous",
        "to",
        "type_as",
    )
]
_graph.stack_rows = stack  # the engine stacks per-row results of non-batchable rules
Size  # noqa: B018 (re-exported by __init__)
