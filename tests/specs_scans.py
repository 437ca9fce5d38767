"""Op specs of the ops/scans.py family (see op_specs.py for the table's vocabulary)."""

import numpy as np
from op_specs import (
    _NO_DOF,
    ALL_DTYPES,
    DISTINCT,
    FLOATS,
    INT_DTYPES,
    TORCH_RAISES,
    Const,
    Domain,
    In,
    Lib,
    Sample,
    _axis,
    _reduce_ref,
    _sum_result,
    spec,
)

_NAN = float("nan")
_NAN_ROWS = [[1.0, 3.0, _NAN, 2.0], [_NAN, 1.0, _NAN, 0.0], [2.0, 0.5, 1.5, -1.0]]
_KINKS = {
    "gradcheck": "ties are kinks: compared with torch only",
    "gradgrad": "ties are kinks",
    "batched": "ties are kinks",
}


_ERROR = TORCH_RAISES
_NAN_GRAD = {
    check: "NaN input: central differences are NaN; gradients compared with torch only"
    for check in ("gradcheck", "gradgrad", "batched")
}


def _moved(x, dim):
    return np.moveaxis(x, dim, -1)


# =========================================================================== scans


def _cumprod_ref(x, dim, dtype=None):
    return np.cumprod(x, axis=dim, dtype=dtype) if x.ndim else x.astype(dtype or x.dtype)


spec(
    "cumprod",
    [
        Sample(In(2, 3), 0),
        Sample(In(2, 3), -1),
        Sample(In(4), 0),
        Sample(In(), 0),
        Sample(In(0), 0),
        Sample(In(values=[[0.5, 0.0, 2.0, 1.5], [0.0, 1.5, 0.0, -1.0]]), 1, label="zeros"),
        Sample(In(values=[[0.0, 2.0], [1.5, 0.0], [2.0, 3.0]]), 0, label="zeros,dim=0"),
        Sample(In(2, 3), 1, dtype=Lib("float64"), out_dtype="float64", dtypes=FLOATS),
    ],
    _cumprod_ref,
    dtypes=ALL_DTYPES,
    out_dtype=_sum_result,
)


def _cum_extreme_ref(better):
    def ref(x, dim):
        if x.ndim == 0:
            return x, np.zeros((), np.int64)
        rows = np.moveaxis(x, dim, 0)
        values, indices = np.empty_like(rows), np.zeros(rows.shape, np.int64)
        for i in range(rows.shape[0]):
            if i == 0:
                values[0] = rows[0]
                continue
            take = better(rows[i], values[i - 1]) | np.isnan(rows[i])
            values[i] = np.where(take, rows[i], values[i - 1])
            indices[i] = np.where(take, i, indices[i - 1])
        return np.moveaxis(values, 0, dim), np.moveaxis(indices, 0, dim)

    return ref


CUM_EXTREME_SAMPLES = [
    Sample(In(2, 4), 1),
    Sample(In(3, 2), 0),
    Sample(In(), 0),
    Sample(In(0, 2), 0),
    Sample(In(values=[[1.0, 1.0, 0.5, 2.0, 2.0]]), 1, label="ties", skip=_KINKS),
    Sample(Const(_NAN_ROWS), 1, label="nan", dtypes=FLOATS),
    Sample(In(3), 0, dtypes=("bool",)),
]
spec(
    "cummax",
    CUM_EXTREME_SAMPLES,
    _cum_extreme_ref(np.greater_equal),
    domain=DISTINCT,
    dtypes=INT_DTYPES,
)
spec(
    "cummin",
    CUM_EXTREME_SAMPLES,
    _cum_extreme_ref(np.less_equal),
    domain=DISTINCT,
    dtypes=INT_DTYPES,
)


def _logcumsumexp_ref(x, dim):
    return np.logaddexp.accumulate(x, axis=dim) if x.ndim else x


spec(
    "logcumsumexp",
    [
        Sample(In(2, 3), 1),
        Sample(In(3, 2), 0),
        Sample(In(4), -1),
        Sample(In(), 0),
        Sample(In(0, 2), 1),
        Sample(In(2, 3, domain=Domain(50.0, 60.0)), 1, label="large"),
        Sample(In(2, 3, domain=Domain(-60.0, -50.0)), 1, label="very negative"),
        Sample(In(3), 0, dtypes=("int64",)),
    ],
    _logcumsumexp_ref,
    dtypes=FLOATS,
)


def _diff_ref(x, n=1, dim=-1, prepend=None, append=None):
    parts = [p for p in (prepend, x, append) if p is not None]
    x = np.concatenate(parts, axis=dim) if len(parts) > 1 else x
    for _ in range(n):
        later = np.take(x, np.arange(1, x.shape[dim]), axis=dim)
        earlier = np.take(x, np.arange(0, max(x.shape[dim] - 1, 0)), axis=dim)
        x = np.logical_xor(later, earlier) if x.dtype == np.bool_ else later - earlier
    return x


spec(
    "diff",
    [
        Sample(In(5)),
        Sample(In(2, 4), 2),
        Sample(In(3, 2), dim=0),
        Sample(In(3, 4), 3, 1),
        Sample(In(2, 3), prepend=In(2, 1), append=In(2, 2)),
        Sample(In(3, 2), 1, 0, In(1, 2)),
        Sample(In(0, 3), dim=0),
        Sample(In(2, 3), 0),
        Sample(In(2, 3), 5, 1),
        Sample(In(2)),
        Sample(In(), skip=_ERROR),
        Sample(In(3), -1, skip=_ERROR),
        Sample(In(3), prepend=In(1, 1), skip=_ERROR),
    ],
    _diff_ref,
    dtypes=ALL_DTYPES,
)


# =========================================================================== order statistics


def _median_ref(ignore_nan):
    def position(row):
        nan = np.isnan(row)
        if nan.all() or (not ignore_nan and nan.any()):
            return int(np.argmax(nan)) if nan.any() else 0
        order = np.argsort(row, kind="stable")
        return int(order[(row.size - nan.sum() - 1) // 2])

    def ref(x, dim=None, keepdim=False):
        x = x.astype(np.float64) if x.dtype.kind == "f" else x
        if dim is None:
            if x.size == 0:
                return np.array(np.nan if x.dtype.kind == "f" else np.iinfo(x.dtype).min, x.dtype)
            flat = x.reshape(-1).astype(np.float64)
            return flat[position(flat)]
        if x.ndim == 0:
            return x, np.zeros((), np.int64)
        moved = _moved(x, dim)
        rows = moved.reshape(-1, moved.shape[-1]).astype(np.float64)
        picks = np.array([position(r) for r in rows], np.int64).reshape(moved.shape[:-1])
        indices = np.expand_dims(picks, dim)
        values = np.take_along_axis(x, indices, dim)
        if not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        return values, indices

    return ref


_EMPTY_GRADGRAD = {"gradgrad": "empty: 0 / 0 makes the second derivative NaN (torch's too)"}
MEDIAN_SAMPLES = [
    Sample(In(2, 3)),
    Sample(In(2, 4)),
    Sample(In()),
    Sample(In(0), skip=_EMPTY_GRADGRAD),
    Sample(In(2, 3), 1),
    Sample(In(2, 4), 1),
    Sample(In(3, 2), 0, keepdim=True),
    Sample(In(2, 3), dim=-1),
    Sample(In(), 0),
    Sample(In(0, 3), 1),
    Sample(In(2, 0), 1, skip=_ERROR),
    Sample(In(values=[[1.0, 3.0, 3.0], [-1.0, 2.0, 2.0]]), label="ties", skip=_KINKS),
    Sample(Const(_NAN_ROWS), label="nan", dtypes=FLOATS),
    Sample(Const(_NAN_ROWS), 1, label="nan,dim=1", dtypes=FLOATS),
    Sample(Const([[_NAN, _NAN], [1.0, 2.0]]), 1, label="all nan row", dtypes=FLOATS),
    Sample(In(3), dtypes=("bool",)),
]
MEDIAN = dict(domain=DISTINCT, dtypes=INT_DTYPES)
spec("median", MEDIAN_SAMPLES, _median_ref(False), **MEDIAN)
spec("nanmedian", MEDIAN_SAMPLES, _median_ref(True), **MEDIAN)


def _mode_ref(x, dim=-1, keepdim=False):
    if x.ndim == 0:
        return x, np.zeros((), np.int64)
    moved = _moved(x, dim)
    rows = moved.reshape(-1, moved.shape[-1])
    picks = []
    for row in rows:
        values, counts = np.unique(row, return_counts=True)
        value = values[np.argmax(counts)]
        picks.append(row.size - 1 - int(np.argmax((row == value)[::-1])))
    indices = np.expand_dims(np.array(picks, np.int64).reshape(moved.shape[:-1]), dim)
    values = np.take_along_axis(x, indices, dim)
    if not keepdim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    return values, indices


spec(
    "mode",
    [
        Sample(In(2, 5)),
        Sample(In(3, 2), 0, keepdim=True),
        Sample(In(2, 6, domain=Domain(-2.0, 2.0, integral=True)), label="repeats", skip=_KINKS),
        Sample(In(), 0),
        Sample(In(0, 3), 1),
        Sample(In(2, 0), 1, skip=_ERROR),
        Sample(Const([[3.0, 2.0, 2.0, 3.0], [1.0, 5.0, 5.0, 1.0]]), label="tied counts"),
    ],
    _mode_ref,
    domain=DISTINCT,
    dtypes=ALL_DTYPES,
)


def _quantile_ref(ignore_nan):
    def ref(x, q, dim=None, keepdim=False, *, interpolation="linear"):
        func = np.nanquantile if ignore_nan else np.quantile
        method = {"midpoint": "midpoint", "nearest": "nearest"}.get(interpolation, interpolation)
        with np.errstate(all="ignore"):
            return func(x, q, axis=dim, keepdims=keepdim, method=method)

    return ref


QUANTILE_SAMPLES = [
    Sample(In(2, 5), 0.3),
    Sample(In(2, 5), 0.3, 1),
    Sample(In(3, 4), 0.75, 0, keepdim=True),
    Sample(In(2, 3), 0.5, keepdim=True),
    Sample(In(2, 5), Const([0.1, 0.5, 0.9]), 1),
    Sample(In(2, 5), Const([0.25, 0.8]), dim=0, keepdim=True),
    Sample(In(6), Const(0.4)),
    Sample(In(), 0.2),
    Sample(In(4), 1.0),
    Sample(In(4), 0.0),
    Sample(In(2, 5), 0.3, 1, interpolation="lower"),
    Sample(In(2, 5), 0.3, 1, interpolation="higher"),
    Sample(In(2, 5), 0.3, 1, interpolation="midpoint"),
    Sample(In(5), Const([0.125, 0.375, 0.625, 0.875]), interpolation="nearest"),
    Sample(Const(_NAN_ROWS), 0.4, 1, label="nan", dtypes=FLOATS),
    Sample(Const([[_NAN, _NAN], [1.0, 2.0]]), 0.5, 1, label="all nan row", dtypes=FLOATS),
]
_QUANTILE_ERRORS = [
    Sample(In(3), 1.5, label="q>1", skip=_ERROR),
    Sample(In(3), Const([0.2, -0.1]), label="q<0", skip=_ERROR),
    Sample(In(3), Const([[0.2]]), label="2-d q", skip=_ERROR),
    Sample(In(3), Const([0.2], "float32"), label="q dtype", dtypes=("float64",), skip=_ERROR),
    Sample(In(0), 0.5, label="empty", skip=_ERROR),
    Sample(In(3), 0.5, interpolation="cubic", skip=_ERROR),
    Sample(In(3, dtype="int64"), 0.5, label="int input", skip=_ERROR),
]
QUANTILE = dict(domain=DISTINCT, grad_tol=(1e-3, 1e-5))
spec("quantile", QUANTILE_SAMPLES + _QUANTILE_ERRORS, _quantile_ref(False), **QUANTILE)
spec("nanquantile", QUANTILE_SAMPLES + _QUANTILE_ERRORS, _quantile_ref(True), **QUANTILE)


# =========================================================================== logical reductions


def _logical_ref(func):
    def ref(x, dim=None, keepdim=False):
        axis = None if dim is None else (dim if dim != () else ())
        out = func(x.astype(bool), axis=_axis(axis, x.ndim) if dim != () else (), keepdims=keepdim)
        return out.astype(np.uint8) if x.dtype == np.uint8 else out

    return ref


LOGICAL_SAMPLES = [
    Sample(In(2, 3)),
    Sample(In(2, 3), 1),
    Sample(In(2, 3, 2), (0, 2), keepdim=True),
    Sample(In(2, 3), dim=()),
    Sample(In(), 0),
    Sample(In(0)),
    Sample(In(0, 3), 0),
    Sample(Const([[1.0, 0.0, _NAN], [2.0, 1.0, 3.0]]), -1, label="nan", dtypes=FLOATS),
    Sample(Const([[1, 0], [1, 1]], "uint8"), 1, label="uint8", dtypes=("int64",)),
]
LOGICAL = dict(domain=Domain(-1.0, 1.0, integral=True), dtypes=ALL_DTYPES, grad=False)
spec("all", LOGICAL_SAMPLES, _logical_ref(np.all), out_dtype=None, **LOGICAL)
spec("any", LOGICAL_SAMPLES, _logical_ref(np.any), out_dtype=None, **LOGICAL)


def _count_nonzero_ref(x, dim=None):
    return np.count_nonzero(x, axis=_axis(dim, x.ndim) if dim is not None else None)


spec(
    "count_nonzero",
    [
        Sample(In(2, 3)),
        Sample(In(2, 3), 1),
        Sample(In(2, 3, 2), (0, 2)),
        Sample(In(2, 3), dim=-1),
        Sample(In()),
        Sample(In(0, 3), 0),
        Sample(In(2, 3), 2, label="bad dim", skip=_ERROR),
    ],
    _count_nonzero_ref,
    domain=Domain(-1.0, 1.0, integral=True),
    dtypes=ALL_DTYPES,
    grad=False,
    out_dtype="int64",
)


# =========================================================================== paired reductions


def _spread_mean_ref(func):
    def ref(x, dim=None, unbiased=None, keepdim=False, *, correction=None):
        if isinstance(dim, bool):
            unbiased, dim = dim, None
        ddof = correction if correction is not None else (0 if unbiased is False else 1)
        axis = _axis(dim)
        with np.errstate(all="ignore"):
            return (
                func(x, axis=axis, ddof=ddof, keepdims=keepdim),
                np.mean(x, axis=axis, keepdims=keepdim),
            )

    return ref


SPREAD_MEAN_SAMPLES = [
    Sample(In(2, 3)),
    Sample(In(2, 3), 1),
    Sample(In(2, 3, 2), (0, 2), keepdim=True),
    Sample(In(2, 3), -1, False),
    Sample(In(2, 3), False, label="unbiased=False (positional)"),
    Sample(In(2, 3), 0, correction=0),
    Sample(In(2, 3), dim=1, correction=2, keepdim=True),
    Sample(In(1), label="one element", skip=_NO_DOF, dtypes=FLOATS),
    Sample(In(0, 2), 0, skip=_NO_DOF, dtypes=FLOATS),
    Sample(In(3, dtype="int64"), label="int input", skip=_ERROR),
]
SPREAD = dict(forms=("function",), tol32=(1e-4, 1e-5))
spec("var_mean", SPREAD_MEAN_SAMPLES, _spread_mean_ref(np.var), **SPREAD)
spec("std_mean", SPREAD_MEAN_SAMPLES, _spread_mean_ref(np.std), **SPREAD)


def _aminmax_ref(x, *, dim=None, keepdim=False):
    axis = None if dim is None or x.ndim == 0 else dim
    return np.min(x, axis=axis, keepdims=keepdim), np.max(x, axis=axis, keepdims=keepdim)


spec(
    "aminmax",
    [
        Sample(In(2, 3)),
        Sample(In(2, 3), dim=1),
        Sample(In(3, 2), dim=0, keepdim=True),
        Sample(In(2, 3), keepdim=True),
        Sample(In()),
        Sample(In(), dim=0),
        Sample(In(0, 3), dim=1),
        Sample(In(values=[[1.0, 3.0, 3.0], [0.0, 0.0, 2.0]]), dim=1, label="ties", skip=_KINKS),
        Sample(In(values=[[1.0, 3.0, 3.0], [0.0, 0.0, 2.0]]), label="ties all", skip=_KINKS),
        Sample(Const(_NAN_ROWS), dim=1, label="nan", dtypes=FLOATS),
        Sample(In(0), label="empty", skip=_ERROR),
        Sample(In(0, 3), dim=0, label="empty dim", skip=_ERROR),
        Sample(In(2, 3), dim=(0, 1), label="tuple dim", skip=_ERROR),
    ],
    _aminmax_ref,
    domain=DISTINCT,
    dtypes=ALL_DTYPES,
)


_nan_reduce_ref = _reduce_ref  # the NumPy nan-functions take the same arguments


NAN_REDUCE_SAMPLES = [
    Sample(In(2, 3)),
    Sample(In()),
    Sample(In(2, 3), 1),
    Sample(In(2, 3), -1, keepdim=True),
    Sample(In(2, 3, 2), (0, 2)),
    Sample(In(0, 3)),
    Sample(In(0, 3), 0),
    Sample(
        In(values=[[1.0, _NAN, 3.0], [_NAN, _NAN, 0.5]]),
        1,
        label="nan",
        dtypes=FLOATS,
        skip=_NAN_GRAD,
    ),
    Sample(
        In(values=[[1.0, _NAN, 3.0], [_NAN, _NAN, 0.5]]),
        label="nan all",
        dtypes=FLOATS,
        skip=_NAN_GRAD,
    ),
]
spec(
    "nansum",
    NAN_REDUCE_SAMPLES
    + [Sample(In(2, 3), 1, dtype=Lib("float64"), out_dtype="float64", dtypes=FLOATS)],
    _nan_reduce_ref(np.nansum),
    dtypes=ALL_DTYPES,
    out_dtype=_sum_result,
)
spec(
    "nanmean",
    [s for s in NAN_REDUCE_SAMPLES if not s.label.startswith("t0x3")]
    + [
        Sample(In(0, 3), skip=_EMPTY_GRADGRAD),
        Sample(In(0, 3), 0, skip=_EMPTY_GRADGRAD),
        Sample(In(3, dtype="int64"), label="int", skip=_ERROR),
    ],
    _nan_reduce_ref(np.nanmean),
)
