"""Scans and order statistics: cumprod, cummax/cummin, logcumsumexp, diff, median, quantile,
mode; and the reductions that come in pairs or skip NaNs: var_mean, std_mean, aminmax,
nansum, nanmean, all, any, count_nonzero.

Order statistics pick elements, so their rules send the gradient back to the picked
positions (scatter_add of the output gradient at the saved indices).
"""

from __future__ import annotations

from collections import namedtuple

from .. import _backend
from .._backend import FLOAT, xp
from .._graph import SavedOutput
from .._registry import defop, export, lead, record, record_multi, will_record
from .._tensor import Tensor, make, wrap_dim
from . import _tie_order
from .elementwise import where
from .reduce import (
    _converted,
    _count,
    _legacy,
    _named_result,
    _select_vjp,
    _spread,
    _sum_dtype,
    expand_back,
    keepdim_shape,
    no_dof_var_grad,
    reduce_dims,
)

__all__ = []


def _export(name, func, **kw):
    __all__.append(name)
    return export(name, func, **kw)


def _bool_const(array) -> Tensor:
    return make(xp.asarray(array, dtype=bool), _backend.bool_)


def _int64(array) -> Tensor:
    return make(xp.asarray(array).astype(xp.int64), _backend.int64)


# --------------------------------------------------------------------------- cumprod


def _cumprod_vjp(node, g):
    x, out = node.saved
    d = node._args
    if x.ndim == 0 or x._data.size <= 1:
        return (g,)  # one element (or none): the gradient passes as it is, as torch's
    if not (x == 0)._data.any():  # the usual case: sum_{j>=k} g_j out_j / x_k
        return ((g * out).flip(d).cumsum(d).flip(d) / x,)
    return (_cumprod_grad_with_zeros(x, g, d),)


def _cumprod_grad_with_zeros(x, g, d):
    """d out_j / d x_k = prod_{i<=j, i!=k} x_i (j >= k), built as an (n, n) table per row.

    Dividing by x is wrong at zeros, so each k gets its own running product with x_k
    replaced by 1. O(n^2), taken only when the input has zeros; written with chainrule ops,
    so it is differentiable again.
    """
    n = x.shape[d]
    xt = x.transpose(d, -1)
    others = xt.unsqueeze(-2).expand(tuple(xt.shape[:-1]) + (n, n))
    others = where(_bool_const(xp.eye(n, dtype=bool)), 1.0, others)
    products = others.cumprod(-1)  # [..., k, j] = prod_{i<=j, i!=k} x_i
    later = _bool_const(xp.triu(xp.ones((n, n), dtype=bool)))  # j >= k
    gt = g.transpose(d, -1).unsqueeze(-2)
    return (where(later, products, 0.0) * gt).sum(-1).transpose(d, -1)


CumprodNode = defop("CumprodBackward0", _cumprod_vjp)


def cumprod(input, dim, *, dtype=None):
    """Running product along ``dim`` (its gradient is right at zeros too).

    >>> cumprod(tensor([1., 2., 3.]), 0)
    tensor([1., 2., 6.])
    """
    input = _converted(input, dtype)
    data = input._data
    d = wrap_dim(dim, data.ndim)
    out_dtype = _sum_dtype(input, dtype)
    acc = _backend.accumulates_in(out_dtype.np)  # half: the running product in float32
    result = data.cumprod(axis=d, dtype=acc) if data.ndim else data
    out = make(result.astype(out_dtype.np), out_dtype)
    if not will_record(input):
        return out
    return record(CumprodNode, out, (input,), (input, SavedOutput(out)), d - data.ndim)


# --------------------------------------------------------------------------- cummax / cummin


def _cum_extreme_vjp(node, g):
    shape, d = node._args
    _, indices = node.saved  # torch saves the input too (an in-place change breaks backward)
    if not shape:
        return (g,)
    return (g.new_zeros(shape).scatter_add(d, indices, g),)


CummaxNode = defop("CummaxBackward0", _cum_extreme_vjp, batchable=False)
CumminNode = defop("CumminBackward0", _cum_extreme_vjp, batchable=False)


def _cum_extreme(input, dim, is_max):
    data = input._data
    d = wrap_dim(dim, data.ndim)
    if data.ndim == 0 or data.size == 0:
        values, indices = data.copy(), xp.zeros(data.shape, xp.int64)
    else:
        rows = xp.moveaxis(data, d, 0)
        best, at = rows[0].copy(), xp.zeros(rows.shape[1:], xp.int64)
        values, indices = [best], [at]
        for i in range(1, rows.shape[0]):
            row = rows[i]
            # ties move the index forward; NaN wins and stays, as in torch
            take = row >= best if is_max else row <= best
            if data.dtype.kind == "f":
                take = take | xp.isnan(row)
            best = xp.where(take, row, best)
            at = xp.where(take, i, at)
            values.append(best)
            indices.append(at)
        values = xp.moveaxis(xp.stack(values), 0, d)
        indices = xp.moveaxis(xp.stack(indices), 0, d)
    values_t = make(xp.array(values, order="C"), input._dtype)
    indices_t = _int64(indices)
    node = CummaxNode if is_max else CumminNode
    record(node, values_t, (input,), (input, indices_t), (data.shape, d))
    return _named_result("cummax" if is_max else "cummin")(values_t, indices_t)


def cummax(input, dim):
    """Running maximum along ``dim``: (values, indices) of the element each value came from."""
    return _cum_extreme(input, dim, True)


def cummin(input, dim):
    """Running minimum along ``dim``: (values, indices)."""
    return _cum_extreme(input, dim, False)


# --------------------------------------------------------------------------- logcumsumexp


def _logcumsumexp_vjp(node, g):
    """grad_k = sum_{j>=k} g_j exp(x_k - out_j), summed in log space for each sign of g
    (exp(-out_j) alone would overflow). As torch: the log of a missing sign is the lowest
    finite float (not -inf), so infinite and nan inputs give torch's infinities and nan."""
    x, out = node.saved
    d = node._args
    if x.ndim == 0 or x.numel() == 0:  # torch hands the gradient back as it is
        return (g,)
    lowest = float(xp.finfo(g._data.dtype).min)
    # log of 1 where g is 0 (not selected below): the same values, and no 0 * inf = nan in
    # the higher derivatives (torch's third derivative is nan there)
    log_abs = where(g != 0, g.abs(), 1.0).log()

    def reversed_scan(t):
        return t.flip(d).logcumsumexp(d).flip(d)

    positive = reversed_scan(where(g > 0, log_abs, lowest) - out)
    negative = reversed_scan(where(g < 0, log_abs, lowest) - out)
    return ((positive + x).exp() - (negative + x).exp(),)


LogcumsumexpNode = defop("LogcumsumexpBackward0", _logcumsumexp_vjp)


def logcumsumexp(input, dim):
    """log(cumsum(exp(x))) along ``dim``, without overflow."""
    data = input._data
    d = wrap_dim(dim, data.ndim)
    if input._dtype.kind != FLOAT:
        raise NotImplementedError(
            f"\"logcumsumexp_out_cpu\" not implemented for '{_legacy(input._dtype)}'"
        )
    with xp.errstate(all="ignore"):  # half: in float32, rounded once
        wide = _backend.opmath(data)
        result = xp.logaddexp.accumulate(wide, axis=d) if data.ndim else wide.copy()
    result = result.astype(input._dtype.np)
    result += 0.0  # torch's running value starts at +0: a leading -0.0 comes out as 0.0
    out = make(result, input._dtype)
    if not will_record(input):
        return out
    return record(LogcumsumexpNode, out, (input,), (input, SavedOutput(out)), d - data.ndim)


# --------------------------------------------------------------------------- diff


CopyNode = defop("CopyBackwards", lambda node, g: (g,))


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """n-th forward difference along ``dim`` (built from slices and subtraction)."""
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = wrap_dim(dim, input.ndim)
    for name, extra in (("prepend", prepend), ("append", append)):
        if extra is not None and not isinstance(extra, Tensor):
            raise TypeError(f"diff(): argument '{name}' must be Tensor, not {type(extra).__name__}")
        if extra is not None and extra.ndim != input.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    if prepend is not None or append is not None:
        from .joining import cat

        parts = [t for t in (prepend, input, append) if t is not None]
        input = cat(parts, d)
    if input.shape[d] == 0:  # nothing to difference: torch hands back the input itself
        return input
    if n == 0:
        return record(CopyNode, make(input._data.copy(), input._dtype), (input,))
    out = input
    for _ in range(n):
        length = max(out.shape[d] - 1, 0)
        later, earlier = out.narrow(d, 1 if length else 0, length), out.narrow(d, 0, length)
        out = later.logical_xor(earlier) if out.dtype is _backend.bool_ else later - earlier
    return out


# --------------------------------------------------------------------------- median and mode


def _evenly_vjp(node, g):
    """Whole-tensor median: ties share the gradient; a NaN result goes to the NaN elements."""
    x = node.saved[0]  # the result is saved too, as torch saves it
    shape, dims, _, value = node._args
    hit = (x == value) | (x.isnan() & value.isnan())
    count = hit.sum(dims, keepdim=True).to(g.dtype)
    share = g.reshape(lead(g) + keepdim_shape(shape, dims)) / count  # 0 / 0 when empty, as torch
    return (where(hit, share.expand(lead(g) + shape), 0.0),)


MedianAllNode = defop("MedianBackward0", _evenly_vjp)
MedianDimNode = defop("MedianBackward1", _select_vjp, batchable=False)
NanmedianAllNode = defop("NanmedianBackward0", _evenly_vjp)
NanmedianDimNode = defop("NanmedianBackward1", _select_vjp, batchable=False)
ModeNode = defop("ModeBackward0", _select_vjp, batchable=False)


def _median_positions(rows, ignore_nan):
    """Index (into each row of a 2-D array) of the lower median; NaN rows pick their first NaN."""
    order = xp.argsort(rows, axis=-1, kind="stable")  # NaN sorts last
    if rows.dtype.kind != "f":
        return order[:, (rows.shape[-1] - 1) // 2]
    nan = xp.isnan(rows)
    valid = rows.shape[-1] - nan.sum(-1)
    pick = xp.take_along_axis(order, xp.maximum((valid - 1) // 2, 0)[:, None], -1)[:, 0]
    first_nan = nan.argmax(-1)
    if ignore_nan:
        return xp.where(valid == 0, first_nan, pick)
    return xp.where(nan.any(-1), first_nan, pick)


def _median(input, dim, keepdim, ignore_nan):
    name = "nanmedian" if ignore_nan else "median"
    data = input._data
    if data.dtype == bool:  # torch names its kernel, the same for median and nanmedian
        kernel = "median_cpu" if dim is None else "median_out"
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    if dim is None:
        if data.size == 0:  # NaN; the smallest integer for integer input, as torch gives
            empty = xp.nan if data.dtype.kind == "f" else xp.iinfo(data.dtype).min
            result = xp.asarray(empty, data.dtype)
        else:
            flat = data.reshape(1, -1)
            result = flat[0, _median_positions(flat, ignore_nan)[0]]
        out = make(xp.asarray(result), input._dtype)
        node = NanmedianAllNode if ignore_nan else MedianAllNode
        args = (data.shape, tuple(range(data.ndim)), False, out.detach())
        return record(node, out, (input,), (input, SavedOutput(out)), args)  # as torch saves
    node = NanmedianDimNode if ignore_nan else MedianDimNode
    pick = lambda rows: _median_positions(rows, ignore_nan)
    return _select_along(input, dim, keepdim, name, node, pick)


def _mode_rows(rows):
    """The most frequent value of each row (the smallest on ties), at its last position.

    Each sorted row is cut into runs of equal values; every position learns its run's length
    and the first longest run wins.
    """
    n = rows.shape[-1]
    ordered = xp.sort(rows, axis=-1)
    at = xp.arange(n)
    starts = xp.ones(ordered.shape, bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    ends = xp.ones(ordered.shape, bool)
    ends[:, :-1] = starts[:, 1:]
    first = xp.maximum.accumulate(xp.where(starts, at, 0), axis=-1)
    last = xp.minimum.accumulate(xp.where(ends, at, n)[:, ::-1], axis=-1)[:, ::-1]
    best = xp.argmax(last - first, axis=-1)
    value = xp.take_along_axis(ordered, best[:, None], -1)
    picks = n - 1 - xp.argmax((rows == value)[:, ::-1], axis=-1)
    # torch sorts (value, index) pairs with std::sort, which keeps equal values in order only
    # up to 16 elements (insertion sort): past that, with NaN (unordered) or with zeros
    # (0. == -0.) the index is what its sort leaves, replayed row by row
    if n > 16:  # rows of distinct values have one answer
        unsure = _tie_order.rows_with_ties_or_nan(rows)
    else:
        unsure = ((rows != rows) | (rows == 0)).any(axis=-1).nonzero()[0]
    for r in unsure:
        picks[r] = _tie_order.mode_index(rows[r])[1]
    return picks


def _select_along(input, dim, keepdim, name, node, pick_rows):
    """(values, indices) of the element ``pick_rows`` picks in each row along ``dim``."""
    data = input._data
    d = wrap_dim(dim, data.ndim)
    if data.ndim == 0:
        values, indices = data.copy(), xp.zeros((), xp.int64)
    else:
        if data.shape[d] == 0:
            said = "median" if name == "nanmedian" else name  # torch's nanmedian says median()
            raise IndexError(f"{said}(): Expected reduction dim {d} to have non-zero size.")
        moved = xp.moveaxis(data, d, -1)
        rows = moved.reshape(-1, moved.shape[-1])
        picks = pick_rows(rows) if rows.shape[0] else xp.zeros(0, xp.int64)
        indices = xp.expand_dims(picks.reshape(moved.shape[:-1]), d)
        values = xp.take_along_axis(data, indices, axis=d)
        if not keepdim:
            values, indices = values.squeeze(d), indices.squeeze(d)
    values_t = make(xp.array(values, order="C"), input._dtype)
    indices_t = _int64(indices)
    record(node, values_t, (input,), (indices_t,), (data.shape, d, keepdim))
    return _named_result(name)(values_t, indices_t)


def median(input, dim=None, keepdim=False):
    """The lower median of all elements; along ``dim``: (values, indices)."""
    return _median(input, dim, keepdim, False)


def nanmedian(input, dim=None, keepdim=False):
    """median, ignoring NaNs (NaN only where every element is NaN)."""
    return _median(input, dim, keepdim, True)


def mode(input, dim=-1, keepdim=False):
    """The most frequent value along ``dim`` (the smallest on ties) and its last index."""
    return _select_along(input, dim, keepdim, "mode", ModeNode, _mode_rows)


# --------------------------------------------------------------------------- quantile

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile_vjp(node, g):
    """out = (1 - w) x[lo] + w x[hi]: the gradient goes back to the two picked positions."""
    lo, hi, weight = node.saved
    shape, work_shape, d = node._args
    g = g.reshape(tuple(lo.shape))  # (q, *work shape with dim d kept as size 1)
    zeros = g.new_zeros((lo.shape[0],) + work_shape)
    grad = zeros.scatter_add(d + 1, lo, g * (1 - weight)).scatter_add(d + 1, hi, g * weight)
    return (grad.sum(0).reshape(shape),)


QuantileNode = defop("SqueezeBackward4", _quantile_vjp, batchable=False)


def _quantile_q(input, q, name):
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q.dtype is not input.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        qs = q._data.reshape(-1).astype(xp.float64)
        if ((qs < 0) | (qs > 1)).any():
            raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
        return qs, q.ndim == 1
    if not 0 <= q <= 1:
        raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
    return xp.asarray([float(q)]), False


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    name = "quantile"  # nanquantile's messages say quantile() too
    if input._dtype.kind != FLOAT:
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    qs, q_dim = _quantile_q(input, q, name)
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(
            f"{name}() interpolation must be one of linear, lower, higher, midpoint or "
            f"nearest, but got {interpolation}"
        )
    data = input._data
    work = data.reshape(-1) if dim is None else data
    d = 0 if dim is None else wrap_dim(dim, data.ndim)
    if work.ndim == 0:
        work = work.reshape(1)
    lo, hi, weight = _quantile_picks(work, d, qs, interpolation, ignore_nan)
    a, b = (xp.take_along_axis(work[None], i, axis=d + 1) for i in (lo, hi))
    with xp.errstate(all="ignore"):
        w = weight.astype(data.dtype)
        lerp = xp.where(w < 0.5, a + w * (b - a), b - (b - a) * (1 - w))
    result = {"lower": a, "higher": b, "nearest": a}.get(interpolation, lerp)
    out_shape = _quantile_shape(data.shape, dim, d, keepdim, len(qs) if q_dim else None)
    out = make(xp.array(result, order="C").reshape(out_shape), input._dtype)
    if not will_record(input):
        return out
    saved = (_int64(lo), _int64(hi), make(w, input._dtype))
    return record(QuantileNode, out, (input,), saved, (data.shape, work.shape, d))


def _quantile_picks(work, d, qs, interpolation, ignore_nan):
    """(lo, hi, weight) per q, each shaped (q, *work shape with dim d as 1): positions in
    ``work`` of the sorted neighbours of each rank, and the weight of ``hi``."""
    order = xp.expand_dims(xp.argsort(work, axis=d, kind="stable"), 0)  # NaN sorts last
    n = work.shape[d]
    nan = xp.isnan(work).sum(axis=d, keepdims=True)[None]
    qs = qs.reshape((-1,) + (1,) * work.ndim)
    if ignore_nan:  # rank among the numbers; an all-NaN row picks a NaN
        last = n - 1 - nan
        ranks = xp.where(last >= 0, qs * xp.maximum(last, 0), n - 1)
    else:  # a row with NaN gives NaN
        ranks = xp.where(nan > 0, n - 1, qs * (n - 1))
    ranks = ranks.astype(xp.float64)
    lo, hi = xp.floor(ranks), xp.ceil(ranks)
    weight = ranks - lo
    if interpolation == "lower":
        hi, weight = lo, xp.zeros_like(weight)
    elif interpolation == "higher":
        lo, weight = hi, xp.zeros_like(weight)
    elif interpolation == "nearest":
        lo = hi = xp.round(ranks)  # half to even, as torch rounds
        weight = xp.zeros_like(weight)
    elif interpolation == "midpoint":
        weight = xp.where(hi > lo, 0.5, 0.0)
    take = lambda r: xp.take_along_axis(order, r.astype(xp.int64), axis=d + 1)
    return take(lo), take(hi), weight


def _quantile_shape(shape, dim, d, keepdim, n_q):
    if dim is None:
        rest = (1,) * len(shape) if keepdim else ()
    elif keepdim:
        rest = keepdim_shape(shape, (d,))
    else:
        rest = shape[:d] + shape[d + 1 :]
    return ((n_q,) if n_q is not None else ()) + tuple(rest)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The q-th quantiles (q a number or 1-D tensor) of all elements or along ``dim``.

    >>> quantile(tensor([0., 1., 2., 3.]), 0.5)
    tensor(1.5000)
    """
    return _quantile(input, q, dim, keepdim, interpolation, False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """quantile, ignoring NaNs."""
    return _quantile(input, q, dim, keepdim, interpolation, True)


# --------------------------------------------------------------------------- all, any, count


def _logical_reduce(input, dim, keepdim, kernel):
    data = input._data
    if dim is None:
        dims = tuple(range(data.ndim))
    elif isinstance(dim, (tuple, list)):
        dims = reduce_dims(dim, data.ndim) if dim else ()  # dim=() reduces nothing
    else:
        dims = reduce_dims(dim, data.ndim)
    result = kernel(data.astype(bool), axis=dims, keepdims=keepdim)
    if input._dtype is _backend.uint8:  # torch keeps uint8 for uint8 input
        return make(xp.asarray(result).astype(xp.uint8), _backend.uint8)
    return make(xp.asarray(result), _backend.bool_)


def all(input, dim=None, keepdim=False):
    """Whether every element (along ``dim``) is nonzero."""
    return _logical_reduce(input, dim, keepdim, xp.all)


def any(input, dim=None, keepdim=False):
    """Whether some element (along ``dim``) is nonzero."""
    return _logical_reduce(input, dim, keepdim, xp.any)


def count_nonzero(input, dim=None):
    """Number of nonzero elements (along ``dim``: an int or a tuple)."""
    data = input._data
    dims = reduce_dims(dim, data.ndim)
    return make(xp.asarray((data != 0).sum(axis=dims)).astype(xp.int64), _backend.int64)


# --------------------------------------------------------------------------- var_mean, std_mean


def _var_mean_vjp(node, grads):
    """Both outputs share one node: d var = 2 (x - mean) / dof, d std = (x - mean) / (std dof),
    d mean = 1 / n; an output that got no gradient contributes nothing."""
    x, spread = node.saved
    shape, dims, keepdim, ddof, is_std, whole = node._args
    if isinstance(grads, Tensor):
        grads = (grads, None)
    g_spread, g_mean = grads
    n = _count(shape, dims)
    grad = None
    if g_spread is not None:
        centered = x - x.mean(dims, keepdim=True)
        g_var = expand_back(g_spread, node)
        if is_std:  # torch's order: var's rule applied to g / (2 std), masked where std is 0
            if not keepdim:
                spread = spread.reshape(keepdim_shape(shape, dims))
            g_var = where(spread == 0, 0.0, g_var / (spread * 2))  # all equal: 0, not 0 / 0
        if n - ddof <= 0 and whole and not is_std:
            grad = no_dof_var_grad(x, g_var)
        else:
            scale = 2.0 / (n - ddof) if n - ddof > 0 else float("inf")
            grad = g_var * scale * centered  # torch's order: (scale g) (x - mean)
    if g_mean is not None:
        term = expand_back(g_mean, node) / max(n, 1)
        grad = term if grad is None else grad + term
    return (grad,)


VarMeanNode = defop("VarMeanBackward0", _var_mean_vjp)
StdMeanNode = defop("StdMeanBackward0", _var_mean_vjp)


def _spread_mean(input, dim, unbiased, keepdim, correction, is_std):
    name = "std_mean" if is_std else "var_mean"
    if isinstance(dim, bool):  # var_mean(x, False): the old positional unbiased
        unbiased, dim = dim, None
    if input._dtype.kind != FLOAT:
        raise RuntimeError(f"{name} only support floating point and complex dtypes")
    data = _backend.opmath(input._data)  # half: in float32, rounded once
    out_np = input._dtype.np
    dims = reduce_dims(dim, data.ndim)
    ddof = correction if correction is not None else (0 if unbiased is False else 1)
    kernel = data.std if is_std else data.var
    spread = make(_spread(kernel, name, data, dims, ddof, keepdim).astype(out_np), input._dtype)
    with xp.errstate(all="ignore"):
        mean = data.mean(axis=dims, keepdims=keepdim) if data.size else None
    if mean is None:
        mean = xp.full(spread.shape, xp.nan, out_np)
    mean = make(xp.asarray(mean).astype(out_np), input._dtype)
    if not will_record(input):
        return spread, mean
    node = StdMeanNode if is_std else VarMeanNode
    saved = (input, SavedOutput(spread) if is_std else None)
    whole = dim is None or input.ndim == 0  # torch's short-cut for no degrees of freedom
    args = (data.shape, dims, keepdim, ddof, is_std, whole)
    return tuple(record_multi(node, (spread, mean), (input,), saved, args))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) in one pass; var is Bessel-corrected by default."""
    return _spread_mean(input, dim, unbiased, keepdim, correction, False)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) in one pass; std is Bessel-corrected by default."""
    return _spread_mean(input, dim, unbiased, keepdim, correction, True)


# --------------------------------------------------------------------------- aminmax


def _aminmax_vjp(node, grads):
    """Ties share each output's gradient (as amin and amax)."""
    (x,) = node.saved
    shape, dims, keepdim, low, high = node._args
    if isinstance(grads, Tensor):
        grads = (grads, None)
    grad = None
    for g, value in zip(grads, (low, high)):
        if g is None:
            continue
        hit = (x == value).to(g.dtype)  # torch's (g / count) * mask, as amin and amax
        term = expand_back(g, node) / hit.sum(dims, keepdim=True) * hit
        grad = term if grad is None else grad + term
    return (grad,)


AminmaxNode = defop("AminmaxBackward0", _aminmax_vjp)
_Aminmax = namedtuple("aminmax", ["min", "max"])
_Aminmax.__module__ = "torch.return_types"
_Aminmax.__repr__ = lambda self: (
    f"torch.return_types.aminmax(\nmin={self.min!r},\nmax={self.max!r})"
)


def aminmax(input, *, dim=None, keepdim=False):
    """(min, max) of all elements, or along one ``dim``."""
    data = input._data
    if dim is not None and (isinstance(dim, bool) or not isinstance(dim, int)):
        raise TypeError(f"aminmax(): argument 'dim' must be int, not {type(dim).__name__}")
    if dim is None:
        if data.size == 0:
            raise RuntimeError(
                "aminmax(): cannot compute aminmax over an empty dimension as the operation "
                "has no identity."
            )
        dims = tuple(range(data.ndim))
    else:
        dims = reduce_dims(dim, data.ndim)
        if dims and data.shape[dims[0]] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {dims[0]} to have non-zero size.")
    low = make(data.min(axis=dims, keepdims=keepdim), input._dtype)
    high = make(data.max(axis=dims, keepdims=keepdim), input._dtype)
    if will_record(input):
        kept = (make(f(axis=dims, keepdims=True), input._dtype) for f in (data.min, data.max))
        args = (data.shape, dims, keepdim, *kept)
        record_multi(AminmaxNode, (low, high), (input,), (input,), args)
    return _Aminmax(low, high)


# --------------------------------------------------------------------------- nansum, nanmean


def _nansum_vjp(node, g):
    (x,) = node.saved
    # a multiply by the not-nan mask, as torch does: a nan gradient stays nan everywhere
    return (expand_back(g, node) * x.isnan().logical_not().to(g.dtype),)


NansumNode = defop("NansumBackward0", _nansum_vjp)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum, treating NaN as zero."""
    input = _converted(input, dtype)
    data = input._data
    out_dtype = _sum_dtype(input, dtype)
    dims = reduce_dims(dim, data.ndim)
    result = xp.nansum(data, axis=dims, keepdims=keepdim, dtype=out_dtype.np)
    out = make(xp.asarray(result, out_dtype.np), out_dtype)
    return record(NansumNode, out, (input,), (input,), (data.shape, dims, keepdim))


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean of the elements that are not NaN (nansum divided by their count)."""
    if input._dtype.kind != FLOAT:  # even with dtype=, as torch
        raise RuntimeError(
            "nanmean(): expected input to have floating point or complex dtype but got "
            f"{_legacy(input._dtype)}"
        )
    input = _converted(input, dtype)
    count = input.isnan().logical_not().sum(dim, keepdim=keepdim)
    return nansum(input, dim, keepdim) / count


for _name, _func, _grad_fns in (
    ("cumprod", cumprod, ("CumprodBackward0",)),
    ("cummax", cummax, ("CummaxBackward0",)),
    ("cummin", cummin, ("CumminBackward0",)),
    ("logcumsumexp", logcumsumexp, ("LogcumsumexpBackward0",)),
    ("diff", diff, ("SubBackward0", "CopyBackwards")),
    ("median", median, ("MedianBackward0", "MedianBackward1")),
    ("nanmedian", nanmedian, ("NanmedianBackward0", "NanmedianBackward1")),
    ("mode", mode, ("ModeBackward0",)),
    ("quantile", quantile, ("SqueezeBackward4",)),
    ("nanquantile", nanquantile, ("SqueezeBackward4",)),
    ("aminmax", aminmax, ("AminmaxBackward0",)),
    ("nansum", nansum, ("NansumBackward0",)),
    ("nanmean", nanmean, ("DivBackward0",)),
):
    _export(_name, _func, grad_fns=_grad_fns)
_export("var_mean", var_mean, method=False, grad_fns=("VarMeanBackward0",))
_export("std_mean", std_mean, method=False, grad_fns=("StdMeanBackward0",))
for _name, _func in (("all", all), ("any", any), ("count_nonzero", count_nonzero)):
    _export(_name, _func, differentiable=False)
