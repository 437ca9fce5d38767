"""Op specs of ops/composite.py, ops/more_math.py and ops/bucketing.py (see op_specs.py for
the vocabulary): dist, vdot, renorm, addmv, fmax, copysign, block_diag, unfold, trapezoid,
acosh, sgn, frexp, tensor_split, bincount, searchsorted, cov, ... and torch's aliases."""

import math
import warnings

import numpy as np
from op_specs import (
    _MULTI_VIEW,
    ALL_DTYPES,
    FLOATS,
    GRID,
    INT_DTYPES,
    INTS,
    NONZERO,
    POSITIVE,
    SHAPE,
    SPECS,
    UNARY_SAMPLES,
    UNIT,
    Const,
    Domain,
    In,
    Sample,
    alias,
    binary_samples,
    in_float64,
    skip,
    spec,
    unary,
)

from chainrule._registry import OPS
from chainrule.ops.more_math import _ALIASES

_NAN, _INF = float("nan"), float("inf")
_MATS = dict(dtypes=FLOATS)


# =========================================================================== composites


def _dist_ref(a, b, p=2):
    d = np.abs((a - b).astype(np.float64)).ravel()
    if p == _INF:
        return d.max() if d.size else 0.0
    if p == 0:
        return float((d != 0).sum())
    return (d**p).sum() ** (1 / p)


spec(
    "dist",
    [
        Sample(In(2, 3), In(2, 3)),
        Sample(In(2, 3), In(3)),
        Sample(In(4), In(4), 1),
        Sample(In(4), In(4), 3),
        Sample(In(4, domain=GRID), In(4, domain=GRID.shifted(0.2)), _INF, label="inf-norm"),
    ],
    _dist_ref,
    **_MATS,
)
spec("vdot", [Sample(In(4), In(4)), Sample(In(0), In(0))], np.vdot, **_MATS)


def _renorm_ref(x, p, dim, maxnorm):
    moved = np.moveaxis(x, dim, 0)
    norms = (np.abs(moved.reshape(moved.shape[0], -1)) ** p).sum(1) ** (1 / p)
    factor = np.where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)
    return np.moveaxis(moved * factor.reshape((-1,) + (1,) * (x.ndim - 1)), 0, dim)


spec(
    "renorm",
    [Sample(In(3, 2), 2, 0, 1.0), Sample(In(2, 3), 1, 1, 1.5), Sample(In(2, 2, 2), 3, -1, 0.5)],
    _renorm_ref,
    **_MATS,
)
spec(
    "addmv",
    [
        Sample(In(3), In(3, 4), In(4)),
        Sample(In(), In(2, 3), In(3), beta=0.5, alpha=2.0),
        Sample(In(3), In(3, 2), In(2), beta=0),
    ],
    lambda b, m, v, beta=1, alpha=1: (beta * b if beta else 0) + alpha * (m @ v),
    **_MATS,
)
spec(
    "addr",
    [Sample(In(3, 2), In(3), In(2)), Sample(In(2), In(3), In(2), beta=2.0, alpha=0.5)],
    lambda b, u, v, beta=1, alpha=1: beta * b + alpha * np.outer(u, v),
    **_MATS,
)
spec(
    "addbmm",
    [Sample(In(2, 3), In(4, 2, 5), In(4, 5, 3)), Sample(In(3), In(2, 2, 2), In(2, 2, 3), beta=0.5)],
    lambda b, x, y, beta=1, alpha=1: beta * b + alpha * (x @ y).sum(0),
    **_MATS,
)
spec(
    "baddbmm",
    [
        Sample(In(4, 2, 3), In(4, 2, 5), In(4, 5, 3)),
        Sample(In(3), In(2, 2, 2), In(2, 2, 3), alpha=2),
    ],
    lambda b, x, y, beta=1, alpha=1: beta * b + alpha * (x @ y),
    **_MATS,
)
_NAN_PAIR = Sample(
    Const([1.0, _NAN, _NAN, 2.0]), Const([_NAN, 3.0, _NAN, -1.0]), label="nan", dtypes=FLOATS
)
for _name, _ref in (("fmax", np.fmax), ("fmin", np.fmin)):
    spec(
        _name,
        binary_samples(GRID, GRID.shifted(0.2), scalar=None, int_scalar=None) + [_NAN_PAIR],
        _ref,
        dtypes=INT_DTYPES,
    )
spec(
    "copysign",
    binary_samples(NONZERO, NONZERO, int_scalar=None),
    in_float64(np.copysign),
    dtypes=INT_DTYPES,
    float_only=True,
)
spec(
    "ldexp",
    [
        # (torch's gradient is 0 for negative integer exponents, 2 ** -2 in integers;
        # chainrule gives the true 0.25: test_misc_ops.py)
        Sample(In(2, 3), Const([1, 0, 3], dtype="int64")),
        Sample(In(3), In(3, domain=Domain(-1, 1))),
    ],
    lambda a, e: a * np.exp2(e.astype(np.float64)),
    **_MATS,
)
_LOW = GRID.shifted(0.2)
spec(
    "clamp_min",
    [Sample(In(2, 3, domain=GRID), 0.1), Sample(In(2, 3, domain=GRID), In(3, domain=_LOW))],
    np.maximum,
    **_MATS,
)
spec(
    "clamp_max",
    [Sample(In(2, 3, domain=GRID), 0.1), Sample(In(2, 3, domain=GRID), In(3, domain=_LOW))],
    np.minimum,
    **_MATS,
)
spec(
    "signbit",
    UNARY_SAMPLES + [Sample(Const([-0.0, 0.0, -_INF, _NAN]), dtypes=FLOATS)],
    np.signbit,
    dtypes=INT_DTYPES,
    grad=False,
    out_dtype="bool",
)


def _mvlgamma_ref(x, p):
    lg = np.vectorize(math.lgamma, otypes=[np.float64])
    return sum(lg(x - j / 2) for j in range(p)) + p * (p - 1) / 4 * math.log(math.pi)


spec(
    "mvlgamma",
    [Sample(In(2, 3), 1), Sample(In(4), 3)],
    _mvlgamma_ref,
    domain=Domain(1.5, 4.0),
    **_MATS,
)


def _block_diag_ref(*mats):
    mats = [np.atleast_2d(m) for m in mats]
    out = np.zeros((sum(m.shape[0] for m in mats), sum(m.shape[1] for m in mats)))
    r = c = 0
    for m in mats:
        out[r : r + m.shape[0], c : c + m.shape[1]] = m
        r, c = r + m.shape[0], c + m.shape[1]
    return out


spec(
    "block_diag",
    [Sample(In(2, 3), In(1, 2)), Sample(In(), In(3), In(2, 2))],
    _block_diag_ref,
    forms=("function",),
    **_MATS,
)
spec(
    "diagflat",
    [Sample(In(3)), Sample(In(2, 2), 1), Sample(In(3), -2)],
    lambda x, offset=0: np.diagflat(x, offset),
    dtypes=INT_DTYPES,
)


def _unfold_ref(x, dim, size, step):
    windows = np.lib.stride_tricks.sliding_window_view(x, size, axis=dim)
    index = [slice(None)] * windows.ndim
    index[dim] = slice(None, None, step)
    return windows[tuple(index)]


spec(
    "unfold",
    [Sample(In(5), 0, 2, 1), Sample(In(3, 6), 1, 3, 2), Sample(In(4, 2), 0, 4, 1)],
    _unfold_ref,
    forms=("method",),
    dtypes=INT_DTYPES,
)
_TRAPEZOID_SAMPLES = [
    Sample(In(5)),
    Sample(In(2, 4), dx=0.5),
    Sample(In(3, 4), dim=0),
    Sample(In(4), In(4, domain=Domain(0, 3, distinct=True))),
    Sample(In(2, 4), In(4, domain=Domain(0, 3, distinct=True))),
]


def _trapezoid_ref(y, x=None, dx=None, dim=-1):
    if x is not None:
        return np.trapezoid(y, x, axis=dim)
    return np.trapezoid(y, dx=1.0 if dx is None else dx, axis=dim)


spec("trapezoid", _TRAPEZOID_SAMPLES, _trapezoid_ref, forms=("function",), **_MATS)
alias("trapz", "trapezoid")


def _cumulative_trapezoid_ref(y, x=None, dx=None, dim=-1):
    y = np.moveaxis(y, dim, -1)
    heights = (y[..., 1:] + y[..., :-1]) / 2
    widths = np.diff(x) if x is not None else (1.0 if dx is None else dx)
    return np.moveaxis(np.cumsum(heights * widths, -1), -1, dim)


spec(
    "cumulative_trapezoid",
    _TRAPEZOID_SAMPLES,
    _cumulative_trapezoid_ref,
    forms=("function",),
    **_MATS,
)


# =========================================================================== more maths

unary("acosh", np.arccosh, Domain(1.2, 3.0))
unary("asinh", np.arcsinh)
unary("atanh", np.arctanh, UNIT)
spec(
    "positive",
    UNARY_SAMPLES,
    lambda x: x,
    dtypes=INT_DTYPES,
    skip={"saved": "returns its input itself: nothing is saved"},
)
spec("sgn", UNARY_SAMPLES, np.sign, domain=NONZERO, dtypes=INT_DTYPES)
spec(
    "frexp",
    UNARY_SAMPLES + [Sample(Const([0.0, -3.0, 0.75, 1024.0]), label="exact")],
    lambda x: (np.frexp(x)[0], np.frexp(x)[1].astype(np.int32)),
    domain=Domain(0.3, 7.0),
)
spec(
    "nextafter",
    [Sample(In(2, 3), In(2, 3, domain=Domain(3, 4))), Sample(In(3), In(domain=Domain(-4, -3)))],
    np.nextafter,
    **_MATS,
)
spec(
    "heaviside",
    [Sample(Const([-1.0, 0.0, 2.0]), Const(0.5)), Sample(Const([[0, 3], [-2, 0]]), Const([7, 8]))],
    np.heaviside,
    dtypes=INT_DTYPES,
    grad=skip("torch has no derivative: backward raises its error (test_misc_ops.py)"),
)
for _name, _ref in (("gcd", np.gcd), ("lcm", np.lcm)):
    spec(
        _name,
        [
            Sample(Const([4, 6, 0, -9]), Const([6, 9, 5, 3])),
            Sample(Const([[12], [18]]), Const([8, 27])),
        ],
        _ref,
        dtypes=INTS,
        grad=False,
    )
spec(
    "float_power",
    [
        Sample(In(2, 3, domain=POSITIVE), 2),
        Sample(In(3, domain=POSITIVE), In(3)),
        Sample(In(3, domain=POSITIVE), 0.5),
    ],
    lambda a, b: np.power(a.astype(np.float64), np.asarray(b, dtype=np.float64)),
    dtypes=INT_DTYPES,
    out_dtype="float64",
)
spec(
    "polygamma",
    [Sample(1, In(2, 3)), Sample(2, In(4)), Sample(0, In(3))],
    None,
    domain=POSITIVE,
    forms=("function",),
    check=lambda lib, out, sample: None,
)
for _name, _ref in (("isposinf", np.isposinf), ("isneginf", np.isneginf)):
    spec(
        _name,
        UNARY_SAMPLES + [Sample(Const([_INF, -_INF, _NAN, 1.0]), dtypes=FLOATS)],
        _ref,
        dtypes=INT_DTYPES,
        grad=False,
        out_dtype="bool",
    )
spec("isreal", UNARY_SAMPLES, np.isreal, dtypes=ALL_DTYPES, grad=False, out_dtype="bool")


def _zeros_and_ones(lib, out, sample):
    assert set(np.unique(out.numpy()).tolist()) <= {0.0, 1.0}


def _categories(lib, out, sample):
    values = out.numpy()
    assert values.min() >= 0 and values.max() < sample.args[0].shape[-1]


spec(
    "bernoulli",
    [Sample(In(2, 3, domain=Domain(0, 1))), Sample(In(4, domain=Domain(0, 1)), 0.5)],
    check=_zeros_and_ones,
    compare="meta",
    grad=False,
)
spec(
    "multinomial",
    [
        Sample(In(4, domain=Domain(0.1, 1)), 3, out_dtype="int64"),
        Sample(In(2, 3, domain=Domain(0.1, 1)), 5, True, out_dtype="int64"),
    ],
    check=_categories,
    compare="meta",
    grad=False,
)


# =========================================================================== bucketing


def _tensor_split_ref(x, sections, dim=0):
    return tuple(np.array_split(x, sections, axis=dim))


spec(
    "tensor_split",
    [
        Sample(In(7), 3),
        Sample(In(7), [1, 5]),
        Sample(In(2, 5), 2, 1),
        Sample(In(6), [2, 9]),
        Sample(In(4, 2), [-1]),
    ],
    _tensor_split_ref,
    **SHAPE,
)
spec(
    "hsplit",
    [Sample(In(2, 6), 3), Sample(In(4), [1])],
    lambda x, s: tuple(np.hsplit(x, s)),
    **SHAPE,
)
spec(
    "vsplit",
    [Sample(In(4, 2), 2), Sample(In(3, 2), [1])],
    lambda x, s: tuple(np.vsplit(x, s)),
    **SHAPE,
)
spec(
    "dsplit",
    [Sample(In(1, 2, 4), 2), Sample(In(2, 1, 3), [1])],
    lambda x, s: tuple(np.dsplit(x, s)),
    **SHAPE,
)
spec(
    "split_with_sizes",
    [Sample(In(5, 2), [2, 3]), Sample(In(2, 4), [1, 0, 3], 1)],
    lambda x, sizes, dim=0: tuple(np.split(x, np.cumsum(sizes)[:-1], axis=dim)),
    forms=("method",),
    skip=_MULTI_VIEW,
    **SHAPE,
)
spec("fliplr", [Sample(In(2, 3)), Sample(In(2, 3, 2))], np.fliplr, **SHAPE)
spec("flipud", [Sample(In(3)), Sample(In(2, 3))], np.flipud, **SHAPE)
spec(
    "msort",
    [Sample(In(4, 2)), Sample(In(3))],
    lambda x: np.sort(x, axis=0),
    domain=Domain(distinct=True),
    dtypes=INT_DTYPES,
)


def _sum_to_size_ref(x, *size):
    lead = x.ndim - len(size)
    out = x.sum(axis=tuple(range(lead))) if lead else x
    dims = tuple(i for i, s in enumerate(size) if s == 1 and out.shape[i] != 1)
    return out.sum(axis=dims, keepdims=True) if dims else out


spec(
    "sum_to_size",
    [
        Sample(In(2, 3), 1, 3),
        Sample(In(2, 3), 3),
        Sample(In(2, 3), 2, 3),
        Sample(In(2, 3, 4), (3, 1)),
    ],
    lambda x, *s: _sum_to_size_ref(x, *(s[0] if len(s) == 1 and isinstance(s[0], tuple) else s)),
    forms=("method",),
    dtypes=FLOATS + ("int64",),
)
spec(
    "argwhere",
    [Sample(Const([[1.0, 0.0, 2.0], [0.0, 0.0, 3.0]])), Sample(Const(2.0))],
    lambda x: np.argwhere(x) if x.ndim else np.zeros((int(x != 0), 0), np.int64),
    dtypes=ALL_DTYPES,
    grad=False,
    out_dtype="int64",
)
spec(
    "bincount",
    [
        Sample(Const([1, 1, 3, 0], dtype="int64")),
        Sample(Const([1, 1, 3], dtype="int64"), minlength=6),
        Sample(Const([1, 1, 3], dtype="int64"), Const([0.5, 1.0, 2.0], dtype="float64")),
    ],
    lambda x, weights=None, minlength=0: np.bincount(x, weights, minlength),
    dtypes=None,
    grad=False,
    forms=("function",),
)
spec(
    "histc",
    [
        Sample(Const([0.5, -1.5, 2.0, 0.25, 3.0, -2.0]), 4, -2, 2),
        Sample(Const([0.5, -1.5, 2.0, 0.25]), 3),
    ],
    lambda x, bins=100, min=0, max=0: np.histogram(
        x[(x >= (min if min != max else x.min())) & (x <= (max if min != max else x.max()))],
        bins=bins,
        range=(min, max) if min != max else (x.min(), x.max()),
    )[0].astype(x.dtype),
    grad=False,
)
_SORTED = Const([1.0, 2.0, 3.0, 5.0])
spec(
    "searchsorted",
    [
        Sample(_SORTED, Const([2.0, 0.0, 6.0, 3.0])),
        Sample(_SORTED, Const([2.0, 0.0, 6.0, 3.0]), right=True),
        Sample(_SORTED, Const([[2.0], [4.0]]), side="right", out_int32=True, out_dtype="int32"),
        Sample(Const([[1.0, 2.0, 3.0], [0.0, 5.0, 9.0]]), Const([[2.5], [6.0]])),
    ],
    None,
    dtypes=INT_DTYPES,
    grad=False,
    forms=("function",),
    out_dtype="int64",
)
spec(
    "bucketize",
    [
        Sample(Const([2.5, 0.0, 2.0]), _SORTED),
        Sample(Const([[2.5, 0.0, 2.0]]), _SORTED, right=True, out_int32=True, out_dtype="int32"),
    ],
    lambda x, b, right=False, out_int32=False: np.searchsorted(
        b, x, side="right" if right else "left"
    ).astype(np.int32 if out_int32 else np.int64),
    dtypes=INT_DTYPES,
    grad=False,
    forms=("function",),
    out_dtype="int64",
)
spec(
    "isin",
    [
        Sample(Const([1, 2, 3, 2]), Const([2, 5])),
        Sample(Const([[1, 2], [3, 4]]), Const([4]), invert=True),
    ],
    lambda a, b, invert=False: np.isin(a, b, invert=invert),
    dtypes=INT_DTYPES,
    grad=False,
    forms=("function",),
    out_dtype="bool",
)


def _unique_consecutive_ref(x, return_inverse=False, return_counts=False, dim=None):
    flat = x.reshape(-1) if dim is None else x
    if dim is None:
        starts = np.concatenate([[True], flat[1:] != flat[:-1]])
    else:
        starts = np.concatenate([[True], (flat[1:] != flat[:-1]).reshape(len(flat) - 1, -1).any(1)])
    out = [flat[starts]]
    if return_inverse:
        inverse = np.cumsum(starts) - 1
        out.append(inverse.reshape(x.shape) if dim is None else inverse)
    if return_counts:
        out.append(np.diff(np.append(np.flatnonzero(starts), len(flat))))
    return out[0] if len(out) == 1 else tuple(out)


spec(
    "unique_consecutive",
    [
        Sample(Const([1, 1, 2, 2, 1])),
        Sample(Const([[1, 1], [2, 2]]), return_inverse=True, return_counts=True),
        Sample(Const([[1, 1], [1, 1], [2, 3]]), dim=0, return_counts=True),
    ],
    _unique_consecutive_ref,
    dtypes=INT_DTYPES,
    grad=False,
)
for _name, _np in (("tril_indices", np.tril_indices), ("triu_indices", np.triu_indices)):
    spec(
        _name,
        [
            Sample(3, 3, out_dtype="int64"),
            Sample(3, 4, 1, out_dtype="int64"),
            Sample(4, 2, -1, out_dtype="int64"),
        ],
        lambda r, c, k=0, _np=_np: np.stack(_np(r, k, c)),
        forms=("function",),
        dtypes=None,
        grad=False,
    )
spec(
    "cartesian_prod",
    [Sample(In(2), In(3)), Sample(In(2), In(2), In(2)), Sample(In(3))],
    lambda *ts: (
        ts[0] if len(ts) == 1 else np.stack([g.ravel() for g in np.meshgrid(*ts, indexing="ij")], 1)
    ),
    forms=("function",),
    dtypes=INT_DTYPES,
)


def _combinations_ref(x, r=2, with_replacement=False):
    import itertools

    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = [[x[i] for i in c] for c in pick(range(len(x)), r)]
    return np.asarray(rows, dtype=x.dtype).reshape(-1, r)


_INDEX_SAVES = "built on indexing: chainrule's IndexBackward0 keeps the indices as op arguments"
spec(
    "combinations",
    [Sample(In(4)), Sample(In(4), 3), Sample(In(3), with_replacement=True)],
    _combinations_ref,
    forms=("function",),
    dtypes=INT_DTYPES,
    skip={"saved": _INDEX_SAVES + " (torch saves them: its second backward raises)"},
)
spec(
    "cov",
    [
        Sample(In(2, 5)),
        Sample(In(5)),
        Sample(In(3, 4), correction=0),
        Sample(
            In(2, 3),
            fweights=Const([1, 2, 1], dtype="int64"),
            aweights=Const([1.0, 1.0, 2.0], dtype="float64"),
            out_dtype="float64",
            skip={"float32": "float64 weights promote the result to float64, as in torch"},
        ),
    ],
    lambda x, correction=1, fweights=None, aweights=None: np.cov(
        x, ddof=correction, fweights=fweights, aweights=aweights
    ),
    **_MATS,
)
spec("corrcoef", [Sample(In(3, 5)), Sample(In(1, 4))], np.corrcoef, **_MATS)


def _quietly(lib, *matrices):
    """chain_matmul warns once per process (as torch); warnings are tested in test_misc_ops."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lib.chain_matmul(*matrices)


spec(
    "chain_matmul",
    [
        Sample(In(2, 3), In(3, 4), In(4, 2), call=_quietly),
        Sample(In(2, 2), call=_quietly),
    ],
    lambda *ms: np.linalg.multi_dot(ms) if len(ms) > 1 else ms[0],
    forms=("function",),
    **_MATS,
)
spec(
    "broadcast_shapes",
    [Sample((2, 1), (3,)), Sample(1, (4, 1), (1, 5))],
    lambda *s: np.broadcast_shapes(*[(v,) if isinstance(v, int) else v for v in s]),
    forms=("function",),
    dtypes=None,
    grad=False,
)

# torch's other names: the base op's spec, called by the alias
for _alias, _base in _ALIASES.items():
    if _alias in OPS and _alias not in SPECS and _base in SPECS:
        alias(_alias, _base)
