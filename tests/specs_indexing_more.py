"""Op specs of ops/indexing_more.py: index_fill, index_copy, masked_scatter, scatter_reduce,
put and index_put (see op_specs.py for the vocabulary)."""

import numpy as np
from op_specs import INT_DTYPES, Const, In, Sample, spec

_IDX = Const([2, 0], "int64")
_MASK = Const([True, False, True, True], "bool")


def _index_fill_ref(x, dim, index, value):
    out = x.copy()
    np.moveaxis(out, dim, 0)[index] = value
    return out


spec(
    "index_fill",
    [
        Sample(In(3, 4), 1, _IDX, 2.0),
        Sample(In(3, 4), 0, _IDX, In(), label="tensor value"),
        Sample(In(3), -1, Const([1], "int64"), -1.5),
    ],
    _index_fill_ref,
)


def _index_copy_ref(x, dim, index, source):
    out = x.copy()
    np.moveaxis(out, dim, 0)[index] = np.moveaxis(source, dim, 0)
    return out


spec(
    "index_copy",
    [
        Sample(In(3, 4), 1, _IDX, In(3, 2)),
        Sample(In(3, 4), 0, _IDX, In(2, 4)),
    ],
    _index_copy_ref,
    dtypes=INT_DTYPES,
)


def _masked_scatter_ref(x, mask, source):
    shape = np.broadcast_shapes(x.shape, mask.shape)
    out = np.array(np.broadcast_to(x, shape))
    keep = np.broadcast_to(mask, shape)
    out[keep] = source.reshape(-1)[: keep.sum()]
    return out


spec(
    "masked_scatter",
    [
        Sample(In(3, 4), _MASK, In(3, 4)),
        Sample(In(4), _MASK, In(2, 3), label="larger source"),
    ],
    _masked_scatter_ref,
)

_SR_INDEX = Const([[0, 1, 0], [3, 3, 1], [2, 2, 2]], "int64")


def _scatter_reduce_ref(reduce, include_self=True):
    def ref(x, dim, index, src, reduce_name=None, include_self=include_self):
        out = x.copy()
        buckets = {}
        for pos in np.ndindex(*index.shape):
            target = list(pos)
            target[dim] = index[pos]
            buckets.setdefault(tuple(target), []).append(src[pos])
        for target, values in buckets.items():
            values = ([x[target]] if include_self else []) + values
            func = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "amax": np.max}
            out[target] = func.get(reduce, np.min)(values)
        return out

    return ref


def _sr(reduce, include_self=True):
    return Sample(
        In(3, 4),
        1,
        _SR_INDEX,
        In(3, 3),
        reduce,
        include_self=include_self,
        ref=_scatter_reduce_ref(reduce, include_self),
        label=f"{reduce},include_self={include_self}",
    )


spec(
    "scatter_reduce",
    [_sr(r, s) for r in ("sum", "prod", "mean", "amax", "amin") for s in (True, False)],
    None,
)


def _put_ref(x, index, source, accumulate=False):
    out = x.copy().reshape(-1)
    if accumulate:
        np.add.at(out, index, source.reshape(-1))
    else:
        out[index] = source.reshape(-1)
    return out.reshape(x.shape)


spec(
    "put",
    [
        Sample(In(3, 4), Const([1, 5, -1], "int64"), In(3)),
        Sample(In(3, 4), Const([1, 5, 1], "int64"), In(3), accumulate=True, label="accumulate"),
    ],
    _put_ref,
)


def _index_put_ref(x, indices, values, accumulate=False):
    out = x.copy()
    if accumulate:
        np.add.at(out, tuple(indices), values)
    else:
        out[tuple(indices)] = values
    return out


spec(
    "index_put",
    [
        Sample(In(3, 4), (Const([0, 2], "int64"), Const([1, 3], "int64")), In(2)),
        Sample(In(3, 4), (Const([0, 0], "int64"),), In(4), accumulate=True, label="accumulate"),
        Sample(In(3, 4), (Const([True, False, True], "bool"),), In(), label="mask, 0-d value"),
    ],
    _index_put_ref,
)
