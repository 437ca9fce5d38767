"""Op specs of ops/selection.py, ops/combine.py and ops/products.py (see op_specs.py)."""

import numpy as np
from op_specs import (
    ALL_DTYPES,
    DISTINCT,
    FLOATS,
    INT_DTYPES,
    SHAPE,
    TORCH_RAISES,
    Const,
    In,
    Sample,
    skip,
    spec,
)

_RAISES = TORCH_RAISES
_IDX = Const([2, 0, 2], "int64")
_MASK = [[True, False, True], [False, False, True]]

# --------------------------------------------------------------------------- selection.py


def _index_select_ref(x, dim, index):
    return np.take(x, index, axis=dim)


spec(
    "index_select",
    [
        Sample(In(2, 3), 1, _IDX),
        Sample(In(3, 2), 0, _IDX),
        Sample(In(3, 2), -2, Const([1], "int32")),
        Sample(In(3, 2), 0, Const(np.zeros(0, np.int64), "int64")),
    ],
    _index_select_ref,
    **SHAPE,
)


def _index_add_ref(x, dim, index, source, alpha=1):
    out = x.copy()
    moved = np.moveaxis(out, dim, 0)
    np.add.at(moved, index, np.moveaxis(source, dim, 0) * alpha)
    return out


spec(
    "index_add",
    [
        Sample(In(2, 3), 1, _IDX, In(2, 3)),
        Sample(In(3, 2), 0, _IDX, In(3, 2), alpha=2, dtypes=INT_DTYPES),
        Sample(In(3, 2), -1, Const([1], "int64"), In(3, 1)),
    ],
    _index_add_ref,
    dtypes=INT_DTYPES,
)
spec(
    "index_add_",
    [
        Sample(
            In(2, 3),
            1,
            _IDX,
            In(2, 3),
            call=lambda lib, x, d, i, s: (x * 1).index_add_(d, i, s),
            label="on a copy",
        ),
    ],
    _index_add_ref,
    forms=("method",),
    dtypes=INT_DTYPES,
)


def _masked_fill_ref(x, mask, value):
    return np.where(mask, value, x).astype(x.dtype)


spec(
    "masked_fill",
    [
        Sample(In(2, 3), Const(_MASK, "bool"), 0.5, dtypes=FLOATS),
        Sample(In(2, 3), Const(_MASK, "bool"), 2),
        Sample(In(2, 3), Const([True, False, True], "bool"), In()),
        Sample(In(3), Const(_MASK, "bool"), -1.0, dtypes=FLOATS),
        Sample(In(), Const(True, "bool"), 3),
    ],
    _masked_fill_ref,
    dtypes=INT_DTYPES,
)
spec(
    "masked_fill_",
    [
        Sample(
            In(2, 3),
            Const(_MASK, "bool"),
            In(),
            call=lambda lib, x, m, v: (x * 1).masked_fill_(m, v),
            label="tensor value",
        ),
        Sample(
            In(2, 3),
            Const(_MASK, "bool"),
            1.5,
            call=lambda lib, x, m, v: (x * 1).masked_fill_(m, v),
            label="number value",
        ),
    ],
    _masked_fill_ref,
    forms=("method",),
)
spec(
    "masked_select",
    [
        Sample(In(2, 3), Const(_MASK, "bool")),
        Sample(In(3), Const(_MASK, "bool")),
        Sample(In(2, 3), Const([True, False, True], "bool")),
        Sample(In(2, 3), Const(np.zeros((2, 3), bool), "bool")),
    ],
    lambda x, m: np.broadcast_to(x, np.broadcast_shapes(x.shape, m.shape))[
        np.broadcast_to(m, np.broadcast_shapes(x.shape, m.shape))
    ],
    **SHAPE,
)
spec(
    "take",
    [
        Sample(In(2, 3), Const([[0, 5], [-1, 2]], "int64")),
        Sample(In(4), Const([3, 3, 0], "int64")),
        Sample(In(), Const([0], "int64")),
    ],
    lambda x, i: x.reshape(-1)[i],
    **SHAPE,
)


def _take_along_ref(x, idx, dim=None):
    if dim is None:
        return np.take_along_axis(x.reshape(-1), idx.reshape(-1), 0)
    return np.take_along_axis(x, idx, dim)


spec(
    "take_along_dim",
    [
        Sample(In(2, 3), Const([[0, 2], [1, 1]], "int64"), 1),
        Sample(In(2, 3), Const([[2], [0]], "int64"), dim=-1),
        Sample(In(2, 3), Const([4, 0, 5], "int64")),
        Sample(In(2, 3), Const([[1, 0, 2]], "int64"), 1, ref=lambda x, i, d: x[:, [1, 0, 2]]),
    ],
    _take_along_ref,
    **SHAPE,
)


def _sort_ref(x, dim=-1, descending=False, stable=False):
    if x.ndim == 0:
        return x, np.zeros((), np.int64)
    order = np.argsort(-x if descending else x, axis=dim, kind="stable")
    return np.take_along_axis(x, order, dim), order


_DISTINCT_INTS = In(values=[[3.0, -1.0, 2.0, 0.0], [1.0, -2.0, 4.0, 5.0]])
spec(
    "sort",
    [
        Sample(_DISTINCT_INTS),
        Sample(In(values=np.array([[3.0, -1.0, 2.0, 0.0], [1.0, -2.0, 4.0, 5.0]]).T), 0),
        Sample(_DISTINCT_INTS, descending=True),
        Sample(In(4), stable=True),
        Sample(In()),
        Sample(In(0, 3), 1),
        Sample(
            In(values=[3.0, 1.0, 3.0, 1.0, 2.0]),
            stable=True,
            label="ties",
            skip={"gradcheck": "ties", "gradgrad": "ties", "batched": "ties"},
        ),
    ],
    _sort_ref,
    domain=DISTINCT,
    dtypes=INT_DTYPES,
)
spec(
    "argsort",
    [Sample(_DISTINCT_INTS), Sample(_DISTINCT_INTS, 0, descending=True), Sample(In())],
    lambda *a, **k: _sort_ref(*a, **k)[1],
    domain=DISTINCT,
    dtypes=INT_DTYPES,
    grad=False,
    out_dtype="int64",
)


def _topk_ref(x, k, dim=-1, largest=True, sorted=True):
    values, order = _sort_ref(x, dim, descending=largest)
    keep = [slice(None)] * x.ndim
    keep[dim] = slice(0, k)
    return values[tuple(keep)], order[tuple(keep)]


spec(
    "topk",
    [
        Sample(_DISTINCT_INTS, 2),
        Sample(In(values=np.array([[3.0, -1.0, 2.0, 0.0], [1.0, -2.0, 4.0, 5.0]]).T), 3, 0),
        Sample(_DISTINCT_INTS, 2, largest=False),
        Sample(_DISTINCT_INTS, 0),
        Sample(_DISTINCT_INTS, 5, label="k too large", skip=_RAISES),
    ],
    _topk_ref,
    domain=DISTINCT,
    dtypes=INT_DTYPES,
)


def _kthvalue_ref(x, k, dim=-1, keepdim=False):
    values, order = _sort_ref(x, dim)
    return (
        np.take(values, [k - 1], axis=dim).squeeze(None if keepdim else dim)
        if not keepdim
        else np.take(values, [k - 1], axis=dim),
        np.take(order, [k - 1], axis=dim) if keepdim else np.take(order, k - 1, axis=dim),
    )


spec(
    "kthvalue",
    [
        Sample(_DISTINCT_INTS, 2),
        Sample(In(values=np.array([[3.0, -1.0, 2.0, 0.0], [1.0, -2.0, 4.0, 5.0]]).T), 1, 0),
        Sample(_DISTINCT_INTS, 4, keepdim=True),
        Sample(_DISTINCT_INTS, 0, label="k too small", skip=_RAISES),
    ],
    _kthvalue_ref,
    domain=DISTINCT,
    dtypes=INT_DTYPES,
)


def _unique_ref(x, sorted=True, return_inverse=False, return_counts=False, dim=None):
    values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True, axis=dim)
    out = [values]
    if return_inverse:
        out.append(inverse.reshape(x.shape) if dim is None else inverse.reshape(-1))
    if return_counts:
        out.append(counts)
    return out[0] if len(out) == 1 else tuple(out)


_REPEATED = Const([[1.0, 2.0, 1.0], [0.0, 2.0, 1.0]])
spec(
    "unique",
    [
        Sample(_REPEATED),
        Sample(_REPEATED, return_inverse=True, return_counts=True),
        Sample(_REPEATED, return_counts=True),
        Sample(Const([[1.0, 2.0], [1.0, 2.0], [0.0, 1.0]]), dim=0, return_inverse=True),
    ],
    _unique_ref,
    dtypes=INT_DTYPES,
    grad=False,
)
spec(
    "nonzero",
    [
        Sample(Const([[1.0, 0.0, 2.0], [0.0, 0.0, 3.0]])),
        Sample(Const([[1.0, 0.0, 2.0], [0.0, 0.0, 3.0]]), as_tuple=True),
        Sample(Const(2.0)),
        Sample(Const(0.0), as_tuple=True),
    ],
    lambda x, as_tuple=False: (
        (np.nonzero(x) if x.ndim else (np.zeros(int(x != 0), np.int64),))
        if as_tuple
        else (np.argwhere(x) if x.ndim else np.zeros((int(x != 0), 0), np.int64))
    ),
    dtypes=ALL_DTYPES,
    grad=False,
    out_dtype="int64",
)


def _roll_ref(x, shifts, dims=None):
    if dims is None:
        return np.roll(x.reshape(-1), shifts).reshape(x.shape)
    return np.roll(x, shifts, dims)


spec(
    "roll",
    [
        Sample(In(2, 3), 1),
        Sample(In(2, 3), 1, 0),
        Sample(In(2, 3), (1, -1), (0, 1)),
        Sample(In(2, 3), -2, dims=-1),
        Sample(In(2, 3), (1, 2), 0, label="misaligned", skip=_RAISES),
    ],
    _roll_ref,
    **SHAPE,
)
spec(
    "rot90",
    [
        Sample(In(2, 3)),
        Sample(In(2, 3), 2),
        Sample(In(2, 3, 2), -1, (2, 0)),
        Sample(In(2, 3), 0),
        Sample(In(3), label="1-d", skip=_RAISES),
    ],
    lambda x, k=1, dims=(0, 1): np.rot90(x, k, dims),
    **SHAPE,
)


def _repeat_interleave_ref(x, repeats=None, dim=None):
    if repeats is None:
        return np.repeat(np.arange(x.size), x)
    return np.repeat(x, repeats, axis=dim)


spec(
    "repeat_interleave",
    [
        Sample(In(2, 3), 2),
        Sample(In(2, 3), 2, dim=0),
        Sample(In(2, 3), Const([1, 0, 2], "int64"), dim=1),
        Sample(In(2, 3), Const([3], "int64"), dim=-2),
        Sample(In(), 3),
        Sample(
            Const([1, 2, 0], "int64"),
            call=lambda lib, r: lib.repeat_interleave(r),
            ref=lambda r: np.repeat(np.arange(r.size), r),
            label="repeats only",
            out_dtype="int64",
        ),
    ],
    _repeat_interleave_ref,
    **SHAPE,
)


def _cross_ref(a, b, dim=None):
    return np.cross(a, b, axis=-1 if dim is None else dim)


spec(
    "cross",
    [
        Sample(In(2, 3), In(2, 3), dim=1),
        Sample(In(3, 2), In(3, 2), dim=0),
        Sample(In(2, 3), In(1, 3), dim=-1),
        Sample(In(2, 3), In(3), dim=-1, label="ndims differ", skip=_RAISES),
    ],
    _cross_ref,
    dtypes=INT_DTYPES,
)


def _cdist_ref(a, b, p=2.0):
    diff = np.abs(a[..., :, None, :] - b[..., None, :, :])
    return (diff**p).sum(-1) ** (1 / p)


spec(
    "cdist",
    [
        Sample(In(3, 2), In(4, 2)),
        Sample(In(2, 3, 2), In(2, 1, 2)),
        Sample(In(3, 2), In(2, 2), p=1.0),
        Sample(In(3, 2), In(2, 2), p=3.0),
    ],
    _cdist_ref,
    forms=("function",),
    gradgrad=skip("torch has no double backward for cdist (_cdist_backward is not differentiable)"),
)

# --------------------------------------------------------------------------- combine.py

spec(
    "movedim",
    [
        Sample(In(2, 3, 4), 0, 2),
        Sample(In(2, 3, 4), (0, 1), (2, 0)),
        Sample(In(2, 3), -1, 0),
        Sample(In(), 0, 0),
    ],
    lambda x, s, d: np.moveaxis(x, s, d) if x.ndim else x,
    **SHAPE,
)
spec(
    "moveaxis",
    [Sample(In(2, 3, 4), 0, 2), Sample(In(2, 3, 4), [2, 0], [0, 1])],
    lambda x, s, d: np.moveaxis(x, s, d),
    **SHAPE,
)
_TRI = [
    Sample(In(3, 4)),
    Sample(In(3, 4), 1),
    Sample(In(2, 3, 3), -1),
    Sample(In(3, 4), diagonal=-5),
    Sample(In(3), label="1-d", skip=_RAISES),
]
spec("tril", _TRI, lambda x, diagonal=0: np.tril(x, diagonal), **SHAPE)
spec("triu", _TRI, lambda x, diagonal=0: np.triu(x, diagonal), **SHAPE)


def _diag_ref(x, diagonal=0):
    return np.diag(x, diagonal)


spec(
    "diag",
    [
        Sample(In(3)),
        Sample(In(3), 1),
        Sample(In(3, 4)),
        Sample(In(3, 4), -1),
        Sample(In(2, 2, 2), label="3-d", skip=_RAISES),
    ],
    _diag_ref,
    **SHAPE,
)
spec(
    "diagonal",
    [
        Sample(In(3, 4)),
        Sample(In(3, 4), 1),
        Sample(In(2, 3, 4), -1, 2, 0),
        Sample(In(2, 3, 4), dim1=-1, dim2=-2),
        Sample(In(3, 3), 5),
    ],
    lambda x, offset=0, dim1=0, dim2=1: np.diagonal(x, offset, dim1, dim2),
    **SHAPE,
)


def _diag_embed_ref(x, offset=0, dim1=-2, dim2=-1):
    n = x.shape[-1] + abs(offset)
    out = np.zeros(x.shape[:-1] + (n, n), x.dtype)
    idx = np.arange(x.shape[-1])
    rows, cols = (idx, idx + offset) if offset >= 0 else (idx - offset, idx)
    out[..., rows, cols] = x
    return np.moveaxis(out, (-2, -1), (dim1, dim2))


spec(
    "diag_embed",
    [
        Sample(In(3)),
        Sample(In(2, 3), 1),
        Sample(In(2, 3), -1, 0, 2),
    ],
    _diag_embed_ref,
    **SHAPE,
)
spec(
    "trace",
    [Sample(In(3, 3)), Sample(In(2, 4)), Sample(In(3), label="1-d", skip=_RAISES)],
    lambda x: np.trace(x),
    dtypes=INT_DTYPES,
)
spec(
    "tile",
    [Sample(In(2, 3), (2,)), Sample(In(3), (2, 2)), Sample(In(), (3,))],
    lambda x, *reps: np.tile(x, reps[0] if len(reps) == 1 else reps),
    **SHAPE,
)
spec(
    "broadcast_to",
    [Sample(In(3), (2, 3)), Sample(In(2, 1), (2, 4)), Sample(In(), (3,))],
    lambda x, s: np.broadcast_to(x, s),
    **SHAPE,
)
spec(
    "broadcast_tensors",
    [Sample(In(2, 3), In(3)), Sample(In(2, 1), In(1, 3), In()), Sample(In(3), In(3))],
    lambda *ts: np.broadcast_arrays(*ts),
    forms=("function",),
    **SHAPE,
)
spec(
    "meshgrid",
    [
        Sample(In(2), In(3), indexing="ij"),
        Sample(In(2), In(3), In(4), indexing="xy"),
        Sample([In(2), In()], indexing="ij"),
    ],
    lambda *ts, indexing="ij": np.meshgrid(
        *(ts[0] if isinstance(ts[0], list) else ts), indexing=indexing
    ),
    forms=("function",),
    **SHAPE,
)
spec(
    "atleast_1d",
    [Sample(In()), Sample(In(2, 3)), Sample(In(), In(3))],
    lambda *ts: np.atleast_1d(*ts),
    forms=("function",),
    **SHAPE,
)
spec(
    "atleast_2d",
    [Sample(In()), Sample(In(3)), Sample(In(2, 3)), Sample([In(), In(3)])],
    lambda *ts: np.atleast_2d(*(ts[0] if isinstance(ts[0], list) else ts)),
    forms=("function",),
    **SHAPE,
)
spec(
    "atleast_3d",
    [Sample(In()), Sample(In(3)), Sample(In(2, 3)), Sample(In(2, 3, 1, 2))],
    lambda *ts: np.atleast_3d(*ts),
    forms=("function",),
    **SHAPE,
)
_STACKS = [
    Sample([In(2, 3), In(2, 2)], label="2-d"),
    Sample([In(3), In(2)], label="1-d"),
    Sample([In(), In()], label="0-d"),
]
spec("hstack", _STACKS, lambda ts: np.hstack(ts), forms=("function",), **SHAPE)
spec(
    "vstack",
    [Sample([In(2, 3), In(1, 3)]), Sample([In(3), In(3)]), Sample([In(), In()])],
    lambda ts: np.vstack(ts),
    forms=("function",),
    **SHAPE,
)
spec(
    "dstack",
    [Sample([In(2, 3), In(2, 3)]), Sample([In(3), In(3)]), Sample([In(2, 3, 1), In(2, 3, 2)])],
    lambda ts: np.dstack(ts),
    forms=("function",),
    **SHAPE,
)
spec(
    "column_stack",
    [Sample([In(3), In(3, 2)]), Sample([In(3), In(3)]), Sample([In(), In()])],
    lambda ts: np.column_stack(ts),
    forms=("function",),
    **SHAPE,
)


def _tensordot_ref(a, b, dims=2):
    if isinstance(dims, int):
        return np.tensordot(a, b, dims)
    return np.tensordot(a, b, (list(dims[0]), list(dims[1])))


spec(
    "tensordot",
    [
        Sample(In(2, 3, 4), In(3, 4, 2)),
        Sample(In(2, 3), In(3, 2), dims=1),
        Sample(In(2, 3), In(2, 4), dims=([0], [0])),
        Sample(In(2, 3, 4), In(4, 3), dims=([1, 2], [1, 0])),
        Sample(In(2), In(3), dims=0),
    ],
    _tensordot_ref,
    forms=("function",),
    dtypes=INT_DTYPES,
)
spec(
    "kron",
    [
        Sample(In(2, 3), In(2, 2)),
        Sample(In(2), In(3)),
        Sample(In(2), In(2, 3)),
        Sample(In(), In(2)),
    ],
    np.kron,
    dtypes=INT_DTYPES,
)
spec(
    "einsum",
    [
        Sample("ij,jk->ik", In(2, 3), In(3, 4)),
        Sample("ij,j->i", In(2, 3), In(3)),
        Sample("ii->i", In(3, 3)),
        Sample("ii", In(3, 3)),
        Sample("ij->ji", In(2, 3)),
        Sample("i,j->ij", In(2), In(3)),
        Sample("bij,bjk->bik", In(2, 2, 3), In(2, 3, 2)),
        Sample("...ij,...jk", In(2, 2, 3), In(3, 2)),
        Sample("ij,jk,kl->il", In(2, 3), In(3, 2), In(2, 2)),
        Sample("ij->", In(2, 3)),
        Sample("ijk,ik->j", In(2, 3, 2), In(2, 2)),
        Sample("i,i->", In(3), In(3)),
        Sample("ij,ij->ij", In(2, 3), In(2, 3)),
        Sample("ij->i", In(2, 3)),
        Sample("bi,bj->bij", In(2, 3), In(1, 2)),
        Sample("ij,jk->ik", In(2, 3), In(4, 2), label="mismatch", skip=_RAISES),
    ],
    lambda eq, *ops: np.einsum(eq, *ops),
    forms=("function",),
    dtypes=INT_DTYPES,
)
