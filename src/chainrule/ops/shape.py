"""Shape and view ops, copies and dtype conversions: reshape, permute, expand, clone, to.

Views share storage and the version counter with their base, as in torch; their rules
are the inverse reshaping of the output gradient.
"""

from __future__ import annotations

from weakref import ref as _weakref

from .. import _backend
from .._backend import xp
from .._graph import grad_state
from .._registry import defop, export, lead, record, sum_to_shape
from .._tensor import Tensor, make, wrap_dim

__all__ = []

NO_GRAD_VIEW = "no_grad"
MULTI_OUTPUT_VIEW = "multi_output"


def _export(name, func, **kw):
    __all__.append(name)
    return export(name, func, **kw)


def made_in_no_grad(flag) -> bool:
    """Was the view (or the view it was made from) made in no_grad mode?"""
    return flag == NO_GRAD_VIEW or type(flag) is tuple


def view_of(base: Tensor, data, node=None, multi_output: bool = False) -> Tensor:
    """A tensor over ``data`` (a view of base's array) sharing base's version counter.

    The view remembers its base (the first tensor of the chain that is not a view), so an
    in-place change through it can rebase the base's history (see ops/inplace.py), and how
    it was made: in no_grad mode, or as one of several views returned by one op (split);
    torch forbids recorded in-place changes to those. A view made with grad mode on of a
    view made in no_grad mode keeps the view op's node class (``node``) for torch's message.
    """
    out = make(data, base._dtype)
    out._vbox = base._vbox
    info = getattr(base, "_viewof", None)
    root, flag = (base, None) if info is None else (info[0], info[1])
    if not grad_state.enabled:
        flag = flag or NO_GRAD_VIEW
    elif multi_output:
        flag = MULTI_OUTPUT_VIEW
    elif flag is not None and node is not None and flag != MULTI_OUTPUT_VIEW:
        flag = (NO_GRAD_VIEW, node)  # a view of a no_grad view: torch names this view's op
    out._viewof = [root, flag, None]  # base, creation flag, cached positions in the base
    views = getattr(root, "_views", None)
    if views is None:
        root._views = [_weakref(out)]
    else:
        views.append(_weakref(out))
        if not len(views) & 63:  # drop references to dead views now and then
            views[:] = [r for r in views if r() is not None]
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
        out = view_of(input, result, node)
    except ValueError:
        input = input.clone()
        out = make(input._data.reshape(shape), input._dtype)
        node = UnsafeViewNode
    return record(node, out, (input,), None, data.shape)


def view(input, *shape, dtype=None):
    """A view with a new shape; the data must be laid out compatibly (else RuntimeError).
    ``view(dtype)``: the same bytes read as another dtype (see ops/storage.py)."""
    if dtype is None and len(shape) == 1 and isinstance(shape[0], _backend.dtype):
        dtype, shape = shape[0], ()
    if dtype is not None and not shape:
        from .storage import view_dtype

        return view_dtype(input, dtype)
    data = input._data
    shape = _infer_shape(_sizes(shape), data.size)
    try:
        result = data.reshape(shape, copy=False)
    except ValueError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None
    return record(ViewNode, view_of(input, result, ViewNode), (input,), None, data.shape)


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
    merged = 1  # counted, not -1: an empty tensor has no size to infer
    for size in shape[start : end + 1]:
        merged *= size
    return reshape(input, shape[:start] + (merged,) + shape[end + 1 :])


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
    return record(node, view_of(input, result, node), (input,), None, data.shape)


def _unsqueeze_vjp(node, g):
    return (g.squeeze(node._args),)


UnsqueezeNode = defop("UnsqueezeBackward0", _unsqueeze_vjp)


def unsqueeze(input, dim):
    """Insert a dim of size 1 at ``dim``."""
    data = input._data
    d = wrap_dim(dim, data.ndim + 1)
    return record(
        UnsqueezeNode,
        view_of(input, xp.expand_dims(data, d), UnsqueezeNode),
        (input,),
        None,
        d - data.ndim - 1,
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
        view_of(input, result, TransposeNode),
        (input,),
        None,
        (d0 - ndim, d1 - ndim) if ndim else (0, 0),
    )


def t(input):
    """Transpose of a tensor with at most 2 dims."""
    data = input._data
    if data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {data.ndim}D")
    return record(TNode, view_of(input, data.T, TNode), (input,), None, data.ndim)


def permute(input, *dims):
    """Reorder the dims (a view)."""
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    data = input._data
    dims = _sizes(dims)
    if len(dims) != data.ndim:  # checked before the dims are wrapped, as torch does
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {data.ndim} is not "
            f"equal to len(dims) = {len(dims)}"
        )
    dims = tuple(wrap_dim(d, data.ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return record(
        PermuteNode, view_of(input, data.transpose(dims), PermuteNode), (input,), None, dims
    )


def _T(input):
    ndim = input._data.ndim
    if ndim != 2 and ndim != 0:
        _backend.warn(
            "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
            "to reverse the dimensions of a tensor."
        )
    return permute(input, tuple(range(ndim - 1, -1, -1)))


def _mT(input):
    if input._data.ndim == 0:  # torch: the identity, with a deprecation warning
        _backend.warn(
            "Tensor.mT is deprecated on 0-D tensors. This function is the identity in these cases."
        )
        return input
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
    for i in range(lead):
        if sizes[i] == -1:
            raise RuntimeError(
                "The expanded size of the tensor (-1) isn't allowed in a leading, non-existing "
                f"dimension {i}"
            )
    target = list(sizes)
    for i in reversed(range(data.ndim)):  # torch reports the last mismatching dim
        s, want = data.shape[i], sizes[lead + i]
        if want == -1:
            target[lead + i] = s
        elif s != want and s != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({want}) must match the existing size ({s}) at "
                f"non-singleton dimension {lead + i}.  Target sizes: {_fmt_shape(sizes)}.  "
                f"Tensor sizes: {_fmt_shape(data.shape)}"
            )
    if any(n < 0 for n in target):  # torch's element count of the result overflows
        raise RuntimeError("numel: integer multiplication overflow")
    result = xp.broadcast_to(data, tuple(target))
    return record(ExpandNode, view_of(input, result, ExpandNode), (input,), None, data.shape)


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
    padded = (1,) * (len(reps) - data.ndim) + data.shape
    sizes = [n * r for n, r in zip(padded, reps)]
    negative = [n for n in sizes if n < 0]
    if negative:
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {negative[0]}: {sizes}"
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
    out = make(_backend.cast(input._data, dtype.np), dtype)
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
):
    _export(_name, _func, grad_fns=_grad_fns)
# methods only (no torch.view etc.)
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
