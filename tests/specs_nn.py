"""Op specs of the ops/conv.py, ops/pooling.py and ops/nn_ops.py families (see op_specs.py
for the table's vocabulary). References are written with NumPy sliding windows."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from op_specs import DISTINCT, Const, In, Sample, spec

_PADDING_IDX = "padding_idx rows get no gradient by definition (torch's rule, not the derivative)"


def _functional(name):
    def call(lib, *args, **kwargs):
        return getattr(lib.nn.functional, name)(*args, **kwargs)

    return call


def _windows(x, kernel, stride=(1, 1), dilation=(1, 1)):
    """(..., H, W) -> (..., oh, ow, kh, kw) windows of x (no padding)."""
    kh, kw = kernel
    span = (dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1)
    win = sliding_window_view(x, span, axis=(-2, -1))
    return win[..., :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]


# --------------------------------------------------------------------------- convolution


def _conv2d_ref(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)  # noqa: E731
    stride, dilation = pair(stride), pair(dilation)
    if padding == "same":
        total = [d * (k - 1) for d, k in zip(dilation, w.shape[2:])]
        pads = [(t // 2, t - t // 2) for t in total]
    elif padding == "valid":
        pads = [(0, 0), (0, 0)]
    else:
        pads = [(p, p) for p in pair(padding)]
    batched = x.ndim == 4
    x = x if batched else x[None]
    x = np.pad(x, [(0, 0), (0, 0)] + pads)
    win = _windows(x, w.shape[2:], stride, dilation)  # n, c, oh, ow, kh, kw
    n, c = x.shape[:2]
    o = w.shape[0]
    win = win.reshape(n, groups, c // groups, *win.shape[2:])
    wg = w.reshape(groups, o // groups, *w.shape[1:])
    out = np.einsum("ngchwij,gocij->ngohw", win, wg).reshape(n, o, *win.shape[3:5])
    if b is not None:
        out = out + b[:, None, None]
    return out if batched else out[0]


def _conv1d_ref(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    if isinstance(padding, int):
        padding = (0, padding)
    out = _conv2d_ref(
        x[..., None, :], w[:, :, None], b, (1, stride), padding, (1, dilation), groups
    )
    return out[..., 0, :]


_CONV2D = [
    Sample(In(2, 3, 5, 5), In(4, 3, 3, 3), In(4)),
    Sample(In(1, 4, 6, 5), In(6, 2, 2, 3), None, stride=2, padding=1, dilation=(1, 2), groups=2),
    Sample(In(3, 4, 4), In(2, 3, 3, 3), padding=1, label="unbatched"),
    Sample(In(1, 2, 4, 4), In(2, 2, 3, 3), In(2), padding="same"),
    Sample(In(1, 2, 4, 4), In(2, 2, 2, 2), padding="valid", stride=(2, 1)),
    Sample(In(1, 4, 4), In(2, 2, 2, 2), label="channel mismatch", skip=dict.fromkeys(
        ("forward", "gradcheck", "gradgrad", "batched", "float32", "saved", "views", "strided"),
        "torch raises here; the torch test checks the same exception",
    )),
]  # fmt: skip
spec("conv2d", _CONV2D, _conv2d_ref, forms=("function",))
spec(
    "nn.functional.conv2d",
    [Sample(*s.args, call=_functional("conv2d"), label=s.label, skip=s.skip, **s.kwargs)
     for s in _CONV2D],
    _conv2d_ref,
    forms=(),
)  # fmt: skip
_CONV1D = [
    Sample(In(2, 3, 7), In(4, 3, 3), In(4)),
    Sample(In(1, 4, 9), In(6, 2, 3), None, stride=2, padding=2, dilation=2, groups=2),
    Sample(In(3, 5), In(2, 3, 2), label="unbatched"),
]
spec("conv1d", _CONV1D, _conv1d_ref, forms=("function",))
spec(
    "nn.functional.conv1d",
    [Sample(*s.args, call=_functional("conv1d"), label=s.label, **s.kwargs) for s in _CONV1D],
    _conv1d_ref,
    forms=(),
)


def _unfold_ref(x, kernel_size, dilation=1, padding=0, stride=1):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)  # noqa: E731
    p = pair(padding)
    batched = x.ndim == 4
    x = x if batched else x[None]
    x = np.pad(x, [(0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])])
    win = _windows(x, pair(kernel_size), pair(stride), pair(dilation))  # n c oh ow kh kw
    n, c, oh, ow, kh, kw = win.shape
    out = win.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * kh * kw, oh * ow)
    return out if batched else out[0]


spec(
    "nn.functional.unfold",
    [
        Sample(In(2, 3, 4, 5), 2, call=_functional("unfold")),
        Sample(In(1, 2, 5, 5), (2, 3), dilation=2, padding=1, stride=2, call=_functional("unfold")),
        Sample(In(2, 3, 3), 2, call=_functional("unfold"), label="unbatched"),
    ],
    _unfold_ref,
    forms=(),
)


def _fold_ref(cols, output_size, kernel_size, dilation=1, padding=0, stride=1):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)  # noqa: E731
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = map(pair, (kernel_size, dilation, padding, stride))
    h, w = pair(output_size)
    batched = cols.ndim == 3
    cols = cols if batched else cols[None]
    n = cols.shape[0]
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    blocks = cols.reshape(n, -1, kh, kw, oh, ow)
    out = np.zeros((n, blocks.shape[1], h + 2 * ph, w + 2 * pw))
    for i in range(kh):
        for j in range(kw):
            for a in range(oh):
                for b in range(ow):
                    out[:, :, a * sh + i * dh, b * sw + j * dw] += blocks[:, :, i, j, a, b]
    out = out[:, :, ph : ph + h, pw : pw + w]
    return out if batched else out[0]


spec(
    "nn.functional.fold",
    [
        Sample(In(2, 12, 12), (4, 5), 2, call=_functional("fold")),
        Sample(In(1, 12, 6), (5, 5), (2, 3), dilation=(1, 2), padding=1, stride=2,
               call=_functional("fold")),
        Sample(In(8, 4), 3, 2, call=_functional("fold"), label="unbatched"),
    ],
    _fold_ref,
    forms=(),
)  # fmt: skip

# --------------------------------------------------------------------------- pooling


def _max_pool_ref(x, kernel_size, stride=None, padding=0, dilation=1, **kw):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)  # noqa: E731
    p = pair(padding)
    widths = [(0, 0)] * (x.ndim - 2) + [(p[0], p[0]), (p[1], p[1])]
    x = np.pad(x, widths, constant_values=-np.inf)
    win = _windows(x, pair(kernel_size), pair(stride or kernel_size), pair(dilation))
    return win.max(axis=(-2, -1))


_MAX_POOL = [
    Sample(In(2, 3, 6, 6, domain=DISTINCT), 2),
    Sample(In(1, 2, 7, 6, domain=DISTINCT), 3, 2, 1),
    Sample(In(2, 5, 5, domain=DISTINCT), (2, 3), stride=1, dilation=(2, 1), label="unbatched"),
    Sample(In(1, 1, 5, 5, domain=DISTINCT), 2, ceil_mode=True, ref=lambda x, *a, **k: (
        _max_pool_ref(np.pad(x, [(0, 0)] * 2 + [(0, 1), (0, 1)], constant_values=-np.inf), 2)
    ), label="ceil_mode"),
    Sample(In(1, 1, 4, 4, domain=DISTINCT), 2, return_indices=True, ref=lambda x, *a, **k: (
        _max_pool_ref(x, 2), _argmax_ref(x)
    ), label="return_indices"),
]  # fmt: skip


def _argmax_ref(x):
    win = _windows(x, (2, 2), (2, 2))
    flat = win.reshape(*win.shape[:-2], 4).argmax(-1)
    rows = np.arange(win.shape[2])[:, None] * 2 + flat // 2
    cols = np.arange(win.shape[3])[None, :] * 2 + flat % 2
    return rows * x.shape[-1] + cols


spec("max_pool2d", _MAX_POOL[:-1], _max_pool_ref, forms=("function",))
spec(
    "nn.functional.max_pool2d",
    [Sample(*s.args, call=_functional("max_pool2d"), label=s.label, ref=s.ref, **s.kwargs)
     for s in _MAX_POOL],
    _max_pool_ref,
    forms=(),
)  # fmt: skip


def _avg_pool_ref(x, kernel_size, stride=None, padding=0, **kw):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)  # noqa: E731
    p = pair(padding)
    x = np.pad(x, [(0, 0)] * (x.ndim - 2) + [(p[0], p[0]), (p[1], p[1])])
    return _windows(x, pair(kernel_size), pair(stride or kernel_size)).mean(axis=(-2, -1))


spec(
    "nn.functional.avg_pool2d",
    [
        Sample(In(2, 3, 6, 6), 2, call=_functional("avg_pool2d")),
        Sample(In(1, 2, 7, 6), 3, 2, 1, call=_functional("avg_pool2d")),
        Sample(In(2, 5, 5), (2, 3), stride=1, call=_functional("avg_pool2d"), label="unbatched"),
        Sample(In(1, 2, 5, 5), 3, 2, 1, ceil_mode=True, count_include_pad=False,
               call=_functional("avg_pool2d"), label="ceil,no pad count",
               skip={"forward": "the NumPy reference has no ceil_mode; torch checks values"}),
        Sample(In(1, 2, 4, 4), 2, divisor_override=3, call=_functional("avg_pool2d"),
               ref=lambda x, *a, **k: _avg_pool_ref(x, 2) * 4 / 3, label="divisor"),
    ],
    _avg_pool_ref,
    forms=(),
)  # fmt: skip


def _adaptive_ref(x, output_size):
    oh, ow = (output_size, output_size) if isinstance(output_size, int) else output_size
    h, w = x.shape[-2:]
    out = np.zeros(x.shape[:-2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            rows = slice(i * h // oh, -(-(i + 1) * h // oh))
            cols = slice(j * w // ow, -(-(j + 1) * w // ow))
            out[..., i, j] = x[..., rows, cols].mean(axis=(-2, -1))
    return out


spec(
    "nn.functional.adaptive_avg_pool2d",
    [
        Sample(In(2, 3, 5, 7), (2, 3), call=_functional("adaptive_avg_pool2d")),
        Sample(In(1, 2, 6, 6), 3, call=_functional("adaptive_avg_pool2d")),
        Sample(In(2, 7, 5), (4, 4), call=_functional("adaptive_avg_pool2d"), label="unbatched"),
    ],
    _adaptive_ref,
    forms=(),
)

# --------------------------------------------------------------------------- pad, embedding


def _pad_ref(x, pad, mode="constant", value=None):
    widths = [(0, 0)] * x.ndim
    for k in range(len(pad) // 2):
        widths[x.ndim - 1 - k] = (pad[2 * k], pad[2 * k + 1])
    numpy_mode = {"replicate": "edge", "circular": "wrap"}.get(mode, mode)
    if mode == "constant":
        crop = tuple(slice(max(-a, 0), x.shape[d] - max(-b, 0)) for d, (a, b) in enumerate(widths))
        widths = [(max(a, 0), max(b, 0)) for a, b in widths]
        return np.pad(x[crop], widths, constant_values=value or 0)
    return np.pad(x, widths, mode=numpy_mode)


_pad = _functional("pad")
spec(
    "nn.functional.pad",
    [
        Sample(In(2, 3), (1, 2), call=_pad),
        Sample(In(2, 3, 4), (1, 0, 2, 1), value=1.5, call=_pad),
        Sample(In(2, 3, 4), (-1, 2, 0, 1), call=_pad, label="negative"),
        Sample(In(1, 2, 3, 4), (2, 1, 1, 2), mode="reflect", call=_pad),
        Sample(In(2, 4), (3, 1), mode="reflect", call=_pad),
        Sample(In(1, 2, 3, 4), (2, 1, 1, 2), mode="replicate", call=_pad),
        Sample(In(2, 4), (3, 1), mode="replicate", call=_pad),
        Sample(In(1, 2, 3, 4), (2, 1, 1, 2), mode="circular", call=_pad),
        Sample(In(1, 2, 3, 4), (1, 1, 2, 1, 0, 1), mode="replicate", call=_pad, label="3d"),
    ],
    _pad_ref,
    forms=(),
)


def _embedding_ref(indices, weight, padding_idx=None, **kw):
    return weight[indices]


spec(
    "nn.functional.embedding",
    [
        Sample(Const([[0, 2, 4], [1, 1, 3]], dtype="int64"), In(5, 3), call=_functional("embedding")),
        Sample(Const([3, 0], dtype="int32"), In(4, 2), call=_functional("embedding")),
        Sample(Const([0, 2, 1, 2], dtype="int64"), In(3, 2), padding_idx=2,
               call=_functional("embedding"), label="padding_idx",
               skip={"gradcheck": _PADDING_IDX, "gradgrad": _PADDING_IDX,
                     "batched": _PADDING_IDX}),
    ],
    _embedding_ref,
    forms=(),
)  # fmt: skip


def _addmm_ref(input, mat1, mat2, beta=1, alpha=1):
    return beta * input + alpha * (mat1 @ mat2)


spec(
    "addmm",
    [
        Sample(In(2, 4), In(2, 3), In(3, 4)),
        Sample(In(4), In(2, 3), In(3, 4), label="broadcast bias"),
        Sample(In(1, 1), In(2, 3), In(3, 4), beta=0.5, alpha=2.0),
    ],
    _addmm_ref,
)


# --------------------------------------------------------------------------- normalisation


def _normalise_ref(x, axes, eps=1e-5):
    centred = x - x.mean(axis=axes, keepdims=True)
    return centred / np.sqrt((centred**2).mean(axis=axes, keepdims=True) + eps)


def _layer_norm_ref(x, shape, weight=None, bias=None, eps=1e-5):
    k = 1 if isinstance(shape, int) else len(shape)
    out = _normalise_ref(x, tuple(range(-k, 0)), eps)
    out = out if weight is None else out * weight
    return out if bias is None else out + bias


spec(
    "nn.functional.layer_norm",
    [
        Sample(In(3, 4), (4,), In(4), In(4), call=_functional("layer_norm")),
        Sample(In(2, 3, 4), (3, 4), In(3, 4), call=_functional("layer_norm"), label="2 dims"),
        Sample(In(2, 5), (5,), In(5), None, eps=1e-3, call=_functional("layer_norm")),
        Sample(In(5), [5], call=_functional("layer_norm"), label="1-d, no affine"),
        Sample(
            In(2, 5),
            5,
            call=_functional("layer_norm"),
            label="int shape refused",
            skip=dict.fromkeys(
                (
                    "forward",
                    "gradcheck",
                    "gradgrad",
                    "batched",
                    "float32",
                    "saved",
                    "views",
                    "strided",
                ),
                "torch raises TypeError",
            ),
        ),
    ],
    _layer_norm_ref,
    forms=(),
)


def _channel(v, ndim):
    return v.reshape((1, -1) + (1,) * (ndim - 2))


def _group_norm_ref(x, groups, weight=None, bias=None, eps=1e-5):
    n = x.shape[0]
    out = _normalise_ref(x.reshape(n, groups, -1), (2,), eps).reshape(x.shape)
    out = out if weight is None else out * _channel(weight, x.ndim)
    return out if bias is None else out + _channel(bias, x.ndim)


spec(
    "nn.functional.group_norm",
    [
        Sample(In(2, 4, 3), 2, In(4), In(4), call=_functional("group_norm")),
        Sample(In(3, 6, 2, 2), 3, In(6), call=_functional("group_norm")),
        Sample(In(2, 4), 1, call=_functional("group_norm"), label="no affine"),
    ],
    _group_norm_ref,
    forms=(),
)


def _batch_norm_ref(x, running_mean, running_var, weight=None, bias=None, training=False,
                    momentum=0.1, eps=1e-5):  # fmt: skip
    axes = (0,) + tuple(range(2, x.ndim))
    if training:
        out = _normalise_ref(x, axes, eps)
    else:
        out = (x - _channel(running_mean, x.ndim)) / np.sqrt(_channel(running_var, x.ndim) + eps)
    out = out if weight is None else out * _channel(weight, x.ndim)
    return out if bias is None else out + _channel(bias, x.ndim)


spec(
    "nn.functional.batch_norm",
    [
        Sample(In(4, 3), None, None, In(3), In(3), training=True, call=_functional("batch_norm")),
        Sample(In(2, 3, 4), None, None, training=True, call=_functional("batch_norm"),
               label="3-d, no affine"),
        Sample(In(2, 3, 2, 2), Const([0.1, -0.2, 0.3]), Const([1.5, 0.5, 2.0]), In(3), In(3),
               call=_functional("batch_norm"), label="eval"),
        Sample(In(2, 3), Const([0.1, -0.2, 0.3]), Const([1.5, 0.5, 2.0]), None, None,
               training=False, eps=0.1, call=_functional("batch_norm"), label="eval,eps"),
    ],
    _batch_norm_ref,
    forms=(),
)  # fmt: skip


# --------------------------------------------------------------------------- interpolate


def _nearest_ref(x, size=None, scale_factor=None, **kw):
    for axis in range(2, x.ndim):
        n_in = x.shape[axis]
        n_out = size[axis - 2] if size is not None else int(n_in * scale_factor)
        ratio = n_in / n_out if size is not None else 1 / scale_factor
        index = np.minimum(np.floor(np.arange(n_out) * ratio).astype(int), n_in - 1)
        x = np.take(x, index, axis=axis)
    return x


_interpolate = _functional("interpolate")
spec(
    "nn.functional.interpolate",
    [
        Sample(In(1, 2, 3, 4), scale_factor=2, call=_interpolate),
        Sample(In(2, 1, 3, 4), size=(5, 7), call=_interpolate),
        Sample(In(2, 3, 4), size=(7,), call=_interpolate, label="1-d nearest"),
        Sample(In(1, 2, 3, 4), size=(5, 6), mode="bilinear", call=_interpolate,
               skip={"forward": "no NumPy bilinear reference; torch checks the values"}),
        Sample(In(1, 2, 3, 4), scale_factor=2, mode="bilinear", align_corners=True,
               call=_interpolate, skip={"forward": "no NumPy bilinear reference; torch checks"}),
        Sample(In(2, 3, 4), size=6, mode="linear", call=_interpolate,
               skip={"forward": "no NumPy linear reference; torch checks the values"}),
    ],
    _nearest_ref,
    forms=(),
)  # fmt: skip
