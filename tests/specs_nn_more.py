"""Op specs of ops/strided.py, ops/nn_more.py and nn/loss_more.py (see op_specs.py for the
table's vocabulary). References are written with NumPy."""

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided as _np_as_strided
from op_specs import DISTINCT, POSITIVE, Const, In, Sample, spec


def _functional(name):
    def call(lib, *args, **kwargs):
        return getattr(lib.nn.functional, name)(*args, **kwargs)

    return call


def _reduce(loss, reduction="mean"):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _on_functional(name, samples, ref, **kw):
    spec(
        f"nn.functional.{name}",
        [Sample(*s.args, call=_functional(name), label=s.label, skip=s.skip, ref=s.ref,
                **s.kwargs) for s in samples],
        ref,
        forms=(),
        **kw,
    )  # fmt: skip


# --------------------------------------------------------------------------- as_strided


def _as_strided_ref(x, size, stride, storage_offset=0):
    flat = np.ascontiguousarray(x).reshape(-1)[storage_offset:]
    return _np_as_strided(flat, size, [s * flat.itemsize for s in stride]).copy()


_LAYOUT = "as_strided reads the storage: another layout gives other values (in torch too)"
spec(
    "as_strided",
    [
        Sample(In(3, 4), (3, 3), (1, 1), label="overlapping"),
        Sample(In(3, 4), (2, 2), (1, 2), 3, label="offset"),
        Sample(In(6), (2, 3), (0, 2), label="zero stride"),
        Sample(In(2, 3), (3, 2), (1, 3), label="transposed"),
        Sample(In(3, 4), (0, 2), (1, 1), label="empty"),
        Sample(In(3, 4), (), (), 5, label="0-d"),
    ],
    _as_strided_ref,
    skip={"strided": _LAYOUT},
)

# --------------------------------------------------------------------------- pixel shuffle


def _pixel_shuffle_ref(x, r):
    *batch, c, h, w = x.shape
    y = x.reshape(*batch, c // (r * r), r, r, h, w)
    n = len(batch)
    y = y.transpose(tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2))
    return y.reshape(*batch, c // (r * r), h * r, w * r)


def _pixel_unshuffle_ref(x, r):
    *batch, c, h, w = x.shape
    y = x.reshape(*batch, c, h // r, r, w // r, r)
    n = len(batch)
    y = y.transpose(tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3))
    return y.reshape(*batch, c * r * r, h // r, w // r)


_SHUFFLE = [
    Sample(In(2, 8, 3, 2), 2),
    Sample(In(9, 1, 2), 3, label="unbatched"),
    Sample(In(2, 1, 4, 2, 1), 2, label="two batch dims"),
]
_UNSHUFFLE = [
    Sample(In(2, 2, 4, 6), 2),
    Sample(In(1, 3, 3), 3, label="unbatched"),
    Sample(In(2, 1, 1, 2, 4), 2, label="two batch dims"),
]
_INTS = ("float64", "float32", "int64")
spec("pixel_shuffle", _SHUFFLE, _pixel_shuffle_ref, forms=("function",), dtypes=_INTS)
spec("pixel_unshuffle", _UNSHUFFLE, _pixel_unshuffle_ref, forms=("function",), dtypes=_INTS)
_on_functional("pixel_shuffle", _SHUFFLE, _pixel_shuffle_ref, dtypes=_INTS)
_on_functional("pixel_unshuffle", _UNSHUFFLE, _pixel_unshuffle_ref, dtypes=_INTS)

# --------------------------------------------------------------------------- adaptive max pool


def _adaptive_max_ref(x, output_size, return_indices=False):
    if isinstance(output_size, int):
        output_size = (output_size, output_size)
    h, w = x.shape[-2:]
    oh = h if output_size[0] is None else output_size[0]
    ow = w if output_size[1] is None else output_size[1]
    values = np.zeros(x.shape[:-2] + (oh, ow))
    indices = np.zeros(x.shape[:-2] + (oh, ow), dtype=np.int64)
    for i in range(oh):
        r0, r1 = i * h // oh, -(-(i + 1) * h // oh)
        for j in range(ow):
            c0, c1 = j * w // ow, -(-(j + 1) * w // ow)
            window = x[..., r0:r1, c0:c1].reshape(x.shape[:-2] + (-1,))
            pick = window.argmax(-1)
            values[..., i, j] = window.max(-1)
            indices[..., i, j] = (r0 + pick // (c1 - c0)) * w + c0 + pick % (c1 - c0)
    return (values, indices) if return_indices else values


def _adaptive_max1d_ref(x, output_size, return_indices=False):
    out = _adaptive_max_ref(x[..., None, :], (1, output_size), True)
    out = (out[0][..., 0, :], out[1][..., 0, :])
    return out if return_indices else out[0]


_on_functional(
    "adaptive_max_pool2d",
    [
        Sample(In(2, 3, 5, 7, domain=DISTINCT), (2, 3)),
        Sample(In(1, 2, 6, 6, domain=DISTINCT), 4, return_indices=True, label="indices"),
        Sample(In(2, 5, 4, domain=DISTINCT), (None, 3), label="unbatched, None"),
        Sample(In(1, 1, 3, 3, domain=DISTINCT), 5, return_indices=True, label="upsampling"),
    ],
    _adaptive_max_ref,
)
_on_functional(
    "adaptive_max_pool1d",
    [
        Sample(In(2, 3, 7, domain=DISTINCT), 3),
        Sample(In(3, 8, domain=DISTINCT), 5, return_indices=True, label="unbatched, indices"),
    ],
    _adaptive_max1d_ref,
)

# --------------------------------------------------------------------------- losses

_REDUCTIONS = ("mean", "sum", "none")
_ONE_HOT = [[1.0, 0.0, 1.0, 0.0], [0.0, 0.0, 1.0, 1.0], [1.0, 1.0, 0.0, 0.0]]
_SIGNS = [[1.0, -1.0, -1.0, 1.0], [-1.0, 1.0, 1.0, 1.0], [1.0, -1.0, 1.0, -1.0]]


def _log_sigmoid(x):
    return -np.logaddexp(0, -x)


def _multilabel_ref(x, y, weight=None, reduction="mean"):
    loss = -(y * _log_sigmoid(x) + (1 - y) * _log_sigmoid(-x))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss.sum(-1) / x.shape[-1], reduction)


_on_functional(
    "multilabel_soft_margin_loss",
    [Sample(In(3, 4), Const(_ONE_HOT), reduction=r) for r in _REDUCTIONS]
    + [Sample(In(3, 4), Const(_ONE_HOT), In(4, domain=POSITIVE), label="weight")],
    _multilabel_ref,
)


def _multi_margin_ref(x, y, p=1, margin=1.0, weight=None, reduction="mean"):
    x2 = x if x.ndim == 2 else x[None]
    y1 = np.asarray(y).reshape(-1)
    picked = np.take_along_axis(x2, y1[:, None], 1)
    z = np.maximum(margin - picked + x2, 0) ** p
    z[np.arange(len(y1)), y1] = 0
    if weight is not None:
        z = z * weight[y1][:, None]
    loss = z.sum(-1) / x2.shape[-1]
    return _reduce(loss.reshape(np.shape(y)) if x.ndim == 1 else loss, reduction)


_TARGETS = Const([0, 3, 1], dtype="int64")
# torch raises "derivative for aten::multi_margin_loss_backward is not implemented" on a
# second backward; chainrule's rule is differentiable, and test_nn_more.py gradgradchecks it
_NO_TORCH_GRADGRAD = {"gradgrad": "torch has no double backward for multi_margin_loss"}
_on_functional(
    "multi_margin_loss",
    [Sample(In(3, 4, domain=DISTINCT), _TARGETS, reduction=r, skip=_NO_TORCH_GRADGRAD)
     for r in _REDUCTIONS]
    + [
        Sample(In(3, 4, domain=DISTINCT), _TARGETS, p=2, margin=0.7, label="p=2",
               skip=_NO_TORCH_GRADGRAD),
        Sample(In(3, 4, domain=DISTINCT), _TARGETS, p=2, weight=Const([0.5, 1.0, 2.0, 1.5]),
               reduction="none", label="p=2, weight", skip=_NO_TORCH_GRADGRAD),
        Sample(In(4, domain=DISTINCT), Const(2, dtype="int64"), reduction="none", label="1-d",
               skip=_NO_TORCH_GRADGRAD),
    ],
    _multi_margin_ref,
)  # fmt: skip


def _distance(a, b, p=2, eps=1e-6):
    return (np.abs(a - b + eps) ** p).sum(-1) ** (1 / p)


def _triplet_ref(a, pos, neg, margin=1.0, p=2, eps=1e-6, swap=False, reduction="mean"):
    to_neg = _distance(a, neg, p, eps)
    if swap:
        to_neg = np.minimum(to_neg, _distance(pos, neg, p, eps))
    return _reduce(np.maximum(_distance(a, pos, p, eps) - to_neg + margin, 0), reduction)


_on_functional(
    "triplet_margin_loss",
    [Sample(In(3, 4), In(3, 4), In(3, 4), reduction=r) for r in _REDUCTIONS]
    + [
        Sample(In(3, 4), In(3, 4), In(3, 4), swap=True, p=1.5, margin=0.5, label="swap, p"),
        Sample(In(4), In(4), In(4), margin=2.0, label="1-d"),
    ],
    _triplet_ref,
)


def _cosine_ref(x1, x2, y, margin=0.0, reduction="mean"):
    dot = (x1 * x2).sum(-1)
    cos = dot / np.sqrt(((x1 * x1).sum(-1) + 1e-12) * ((x2 * x2).sum(-1) + 1e-12))
    loss = np.where(y == 1, 1 - cos, 0) + np.where(y == -1, np.maximum(cos - margin, 0), 0)
    return _reduce(loss, reduction)


_on_functional(
    "cosine_embedding_loss",
    [Sample(In(3, 4), In(3, 4), Const([1, -1, -1], dtype="int64"), reduction=r)
     for r in _REDUCTIONS]
    + [
        Sample(In(3, 4), In(3, 4), Const([-1.0, -1.0, 1.0]), margin=-0.5, label="margin"),
        Sample(In(4), In(4), Const(-1.0), margin=-1.0, label="1-d"),
    ],
    _cosine_ref,
)  # fmt: skip


def _ranking_ref(x1, x2, y, margin=0.0, reduction="mean"):
    return _reduce(np.maximum(-y * (x1 - x2) + margin, 0), reduction)


_on_functional(
    "margin_ranking_loss",
    [Sample(In(3, 4), In(3, 4), Const(_SIGNS), reduction=r) for r in _REDUCTIONS]
    + [Sample(In(5), In(5), Const([1.0, -1, 1, -1, 1]), margin=0.3, label="margin")],
    _ranking_ref,
)


def _hinge_ref(x, y, margin=1.0, reduction="mean"):
    loss = np.where(y != 1, np.maximum(margin - x, 0), 0) + np.where(y != -1, x, 0)
    return _reduce(loss, reduction)


_on_functional(
    "hinge_embedding_loss",
    [Sample(In(3, 4), Const(_SIGNS), reduction=r) for r in _REDUCTIONS]
    + [Sample(In(3, 4), Const([1.0, -1.0, 0.0, 2.0]), margin=0.5, label="other labels")],
    _hinge_ref,
)


def _soft_margin_ref(x, y, reduction="mean"):
    return _reduce(np.log1p(np.exp(-y * x)), reduction)


_on_functional(
    "soft_margin_loss",
    [Sample(In(3, 4), Const(_SIGNS), reduction=r) for r in _REDUCTIONS]
    + [Sample(In(3, 4), Const([1.0, -1.0, -1.0, 1.0]), label="broadcast target")],
    _soft_margin_ref,
)


def _poisson_ref(x, y, log_input=True, full=False, eps=1e-8, reduction="mean"):
    loss = np.exp(x) - y * x if log_input else x - y * np.log(x + eps)
    if full:
        with np.errstate(all="ignore"):
            stirling = y * np.log(y) - y + 0.5 * np.log(2 * math.pi * y)
        loss = loss + np.where(y <= 1, 0, stirling)
    return _reduce(loss, reduction)


_COUNTS = Const([[0.0, 1.0, 2.0, 5.0], [3.0, 0.0, 1.0, 4.0], [2.0, 2.0, 7.0, 0.0]])
_on_functional(
    "poisson_nll_loss",
    [Sample(In(3, 4), _COUNTS, reduction=r) for r in _REDUCTIONS]
    + [
        Sample(In(3, 4), _COUNTS, full=True, label="full"),
        Sample(In(3, 4, domain=POSITIVE), _COUNTS, log_input=False, full=True,
               reduction="none", label="rates, full"),
    ],
    _poisson_ref,
)  # fmt: skip


def _gaussian_ref(x, y, var, full=False, eps=1e-6, reduction="mean"):
    var = np.asarray(var)
    if var.shape != x.shape and var.shape == x.shape[:-1]:
        var = var[..., None]
    var = np.maximum(var, eps)
    loss = 0.5 * (np.log(var) + (x - y) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


_on_functional(
    "gaussian_nll_loss",
    [Sample(In(3, 4), In(3, 4), In(3, 4, domain=POSITIVE), reduction=r) for r in _REDUCTIONS]
    + [
        Sample(In(3, 4), In(3, 4), In(3, domain=POSITIVE), full=True, label="one var per row"),
        Sample(In(3, 4), In(3, 4), In(3, 1, domain=POSITIVE), reduction="none",
               label="broadcast var"),
    ],
    _gaussian_ref,
)  # fmt: skip
