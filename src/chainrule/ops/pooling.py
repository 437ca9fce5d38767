"""Pooling: max_pool2d, avg_pool2d and adaptive_avg_pool2d, each with torch's grad_fn.

The rules are written with differentiable ops: max pooling sends each gradient back to its
window's argmax with scatter_add (whose own rule is a gather), average pooling spreads it
with fold (col2im, the adjoint of unfold), and adaptive average pooling is the separable
product P_h @ x @ P_w^T of two averaging matrices, so its rule is P_h^T @ g @ P_w.

Windows that tile the input (kernel == stride, no padding or dilation, sizes divisible: the
usual ``max_pool2d(x, 2)``) take a faster road: the input reshapes to (N, C, oh, kh, ow, kw),
the forward is kh*kw elementwise maxima, and the rule is ``where(winners, g, 0)`` over that
shape, with the mask of each window's first maximum (torch's pick) found in the forward.
Average pooling of such windows spreads g over each tile with expand instead of fold.

>>> import chainrule as torch
>>> x = torch.arange(16.).reshape(1, 1, 4, 4)
>>> torch.nn.functional.max_pool2d(x, 2)
tensor([[[[ 5.,  7.],
          [13., 15.]]]])
"""

from __future__ import annotations

from .. import _backend
from .._backend import FLOAT, xp
from .._registry import defop, export, keep_connected, record, record_multi
from .._tensor import make
from .conv import _fold, _pair, _windows
from .elementwise import where

__all__ = ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d"]


def _out_size(size, kernel, stride, pad, dilation, ceil_mode):
    span = size + 2 * pad - dilation * (kernel - 1) - 1
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1  # the last window must start inside the input or its left padding
    return out


def _check_pool2d_dims(input, name):
    """torch's input checks for 2-d pooling: max_pool2d's own message for a rank other than 3
    or 4, avg_pool2d's IndexError below rank 3 (it reads size(-3) first), then the kernels'
    shared rule: (C, H, W) or (N, C, H, W), where only N may be 0."""
    shape, dim = tuple(input.shape), input.dim()
    if name == "max_pool2d" and dim not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    if dim == 0:
        raise IndexError("Dimension specified as -3 but tensor has no dimensions")
    if dim < 3:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-dim}, {dim - 1}], but got -3)"
        )
    if dim > 4 or 0 in shape[-3:]:
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
            f"but got:{list(shape)}"
        )


def _pool_geometry(input, kernel_size, stride, padding, dilation, ceil_mode, name):
    _check_pool2d_dims(input, name)
    kernel = _pair(kernel_size)
    stride = kernel if stride is None or stride == [] or stride == () else _pair(stride)
    pad, dilation = _pair(padding), _pair(dilation)
    for p, k in zip(pad, kernel):
        if p > k // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={k} and dilation=1"
            )
    h, w = input.shape[-2:]
    out = tuple(
        _out_size(s, k, st, p, d, ceil_mode)
        for s, k, st, p, d in zip((h, w), kernel, stride, pad, dilation)
    )
    if out[0] <= 0 or out[1] <= 0:
        raise RuntimeError(
            f"Given input size: ({'x'.join(map(str, input.shape[-3:]))}). Calculated output size: "
            f"({input.shape[-3]}x{out[0]}x{out[1]}). Output size is too small"
        )
    # right/bottom padding so the last (ceil_mode) window fits
    extra = [
        max(0, (o - 1) * st + d * (k - 1) + 1 - (s + 2 * p))
        for o, st, d, k, s, p in zip(out, stride, dilation, kernel, (h, w), pad)
    ]
    pads = (pad[0], pad[0] + extra[0], pad[1], pad[1] + extra[1])
    return kernel, stride, dilation, pads, out


def _as_batch(input):
    data = input._data
    return (data, True) if data.ndim == 4 else (data[None], False)


# --------------------------------------------------------------------------- max_pool2d


def _max_pool_vjp(node, grads):
    g = grads[0]  # the indices output has no gradient
    # torch saves the input: changing it in place breaks backward there too; the windows'
    # winners were chosen by it, so under create_graph the result stays a function of it
    (x,) = node.saved
    return (keep_connected(_max_pool_grad(g, node._args), (x,), _MAX_POOL_BACKWARD),)


_MAX_POOL_BACKWARD = "MaxPool2DWithIndicesBackwardBackward0"


def _max_pool_grad(g, args):
    indices, shape, winners = args
    if winners is not None:  # tiled windows: each g goes to its window's winner, 0 elsewhere
        tiles = g.reshape(*g.shape[:-2], g.shape[-2], 1, g.shape[-1], 1)
        return where(make(winners, _backend.bool_), tiles, 0.0).reshape(shape)
    from .creation import zeros

    # explicit sizes, no -1: an empty batch has no size to infer
    flat_g = g.reshape(*g.shape[:-2], g.shape[-2] * g.shape[-1])
    flat_i = make(indices.reshape(*indices.shape[:-2], g.shape[-2] * g.shape[-1]), _backend.int64)
    grad = zeros(*shape[:-2], shape[-2] * shape[-1], dtype=g.dtype)
    return grad.scatter_add(-1, flat_i, flat_g).reshape(shape)


MaxPoolNode = defop("MaxPool2DWithIndicesBackward0", _max_pool_vjp, batchable=False)


def max_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    return_indices=False,
):
    """The maximum of each window (and, with return_indices, its flat position in H*W).

    >>> max_pool2d(arange(16.).reshape(1, 1, 4, 4), 3, stride=1)
    tensor([[[[10., 11.],
              [14., 15.]]]])
    """
    kernel, stride, dilation, pads, out_hw = _pool_geometry(
        input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d"
    )
    data, batched = _as_batch(input)
    if input._dtype is _backend.bool_:
        raise NotImplementedError("\"max_pool2d\" not implemented for 'Bool'")
    is_float = input._dtype.kind == FLOAT
    tiled = None
    if _tiles(data, kernel, stride, dilation, pads):
        tiled = _tiled_max(data, kernel, is_float, return_indices)
    if tiled is not None:
        values, indices, winners = tiled
    else:
        values, indices = _windowed_max(data, kernel, stride, dilation, pads, out_hw, is_float)
        winners = None
    if not batched:
        values = values[0]
        indices = None if indices is None else indices[0]
        winners = None if winners is None else winners[0]
    out = make(xp.ascontiguousarray(values), input._dtype)
    if indices is None:  # torch's node has two outputs: an untouched stand-in nobody sees
        idx = make(xp.empty(values.shape, xp.int64), _backend.int64)
    else:
        idx = make(indices, _backend.int64)
    args = (indices, tuple(input.shape), winners)
    outs = record_multi(MaxPoolNode, (out, idx), (input,), (input,), args, (True, False))
    return outs if return_indices else outs[0]


def _windowed_max(data, kernel, stride, dilation, pads, out_hw, is_float):
    """Any geometry: the argmax over a strided window view. Returns values and indices."""
    n, c, h, w = data.shape
    fill = -xp.inf if is_float else xp.iinfo(data.dtype).min
    top, bottom, left, right = pads
    padded = xp.pad(data, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=fill)
    win = _windows(padded, kernel, dilation, (0, 0, 0, 0), stride)[..., : out_hw[0], : out_hw[1]]
    kh, kw = kernel
    flat = win.reshape(n, c, kh * kw, *out_hw)
    # NaN wins, as in torch: its scan takes a value when it is greater or NaN, so the last
    # NaN of a window (the first of equal maxima)
    if is_float and xp.isnan(flat).any():
        nan = xp.isnan(flat)
        last_nan = flat.shape[2] - 1 - xp.argmax(nan[:, :, ::-1], axis=2)
        pick = xp.where(nan.any(axis=2), last_nan, xp.argmax(flat, axis=2))
    else:
        pick = xp.argmax(flat, axis=2)
    values = xp.take_along_axis(flat, pick[:, :, None], axis=2)[:, :, 0]
    ki, kj = pick // kw, pick % kw
    rows = xp.arange(out_hw[0])[:, None] * stride[0] + ki * dilation[0] - top
    cols = xp.arange(out_hw[1])[None, :] * stride[1] + kj * dilation[1] - left
    return values, (rows * w + cols).astype(xp.int64)


def _tiles(data, kernel, stride, dilation, pads) -> bool:
    """Do the windows tile the input exactly (kernel == stride, no padding or dilation)?"""
    h, w = data.shape[2:]
    return (
        kernel == stride
        and dilation == (1, 1)
        and not any(pads)
        and h % kernel[0] == 0
        and w % kernel[1] == 0
        and data.size > 0
    )


def _window_max(tiles):
    """The maximum over axes 3 and 5 of (N, C, oh, kh, ow, kw): kh*kw - 1 elementwise maxima
    (a NumPy reduction over two short strided axes is ~40x slower). NaN propagates."""
    kh, kw = tiles.shape[3], tiles.shape[5]
    values = tiles[:, :, :, 0, :, 0].copy()
    for i in range(kh):
        for j in range(kw):
            if i or j:
                xp.maximum(values, tiles[:, :, :, i, :, j], out=values)
    return values


def _tiled_max(data, kernel, is_float, with_indices):
    """Non-overlapping windows: (N, C, oh, kh, ow, kw) is a reshape (a view of contiguous
    input), and each window's first maximum (torch's pick) is found by kh*kw compares.

    Returns the values, torch's flat indices (None unless asked for) and the
    (N, C, oh, kh, ow, kw) mask of the winners (the backward's scatter), or None when a
    NaN needs the general path's rule.
    """
    n, c, h, w = data.shape
    kh, kw = kernel
    oh, ow = h // kh, w // kw
    tiles = data.reshape(n, c, oh, kh, ow, kw)
    values = _window_max(tiles)
    if is_float and xp.isnan(values).any():
        return None
    winners = xp.empty(tiles.shape, bool)  # the first maximum of each window, in row order
    indices = None
    if with_indices:  # torch's flat index into H*W: the window's corner plus i * w + j
        indices = xp.empty(values.shape, xp.int64)
        indices[...] = (xp.arange(oh) * (kh * w))[:, None] + xp.arange(ow) * kw
    found = None
    for i in range(kh):
        for j in range(kw):
            hit = tiles[:, :, :, i, :, j] == values
            if found is None:
                found = hit
            else:
                hit &= ~found
                found |= hit
                if with_indices:
                    indices += hit * (i * w + j)
            winners[:, :, :, i, :, j] = hit
    return values, indices, winners


# --------------------------------------------------------------------------- avg_pool2d


def _avg_pool_vjp(node, g):
    # torch saves the input (in-place checks); its backward kernel takes it, so under
    # create_graph the result is a function of it, with derivative zero
    (x,) = node.saved
    return (keep_connected(_avg_pool_grad(node, g), (x,), "AvgPool2DBackwardBackward0"),)


def _avg_pool_grad(node, g):
    kernel, stride, pads, divisor, size, batched, tiled = node._args
    if not batched:
        g = g.unsqueeze(0)
    n, c, oh, ow = g.shape
    (kh, kw), kk = kernel, kernel[0] * kernel[1]
    if tiled:  # each input entry is in exactly one window: spread g over its tile
        spread = (g / make(divisor, g._dtype)).reshape(n, c, oh, 1, ow, 1)
        grad = spread.expand(n, c, oh, kh, ow, kw).reshape(n, c, *size)
        return grad if batched else grad.squeeze(0)
    spread = (g / make(divisor, g._dtype)).reshape(n, c, 1, oh * ow).expand(n, c, kk, oh * ow)
    grad = _fold(spread.reshape(n, c * kk, oh * ow), size, kernel, (1, 1), pads, stride)
    return grad if batched else grad.squeeze(0)


AvgPoolNode = defop("AvgPool2DBackward0", _avg_pool_vjp, batchable=False)


def _divisor(size, kernel, stride, pads, padding, out_hw, count_include_pad, dtype):
    """How many entries each window averages over (torch's rule for padding and ceil_mode)."""
    h, w = size
    if count_include_pad:  # the padded input counts, the ceil_mode overhang does not
        ones = xp.zeros((1, 1, h + pads[0] + pads[1], w + pads[2] + pads[3]), dtype)
        ones[:, :, : h + 2 * padding[0], : w + 2 * padding[1]] = 1
        win = _windows(ones, kernel, (1, 1), (0, 0, 0, 0), stride)
    else:
        win = _windows(xp.ones((1, 1, h, w), dtype), kernel, (1, 1), pads, stride)
    return win.sum(axis=(2, 3))[0, 0, : out_hw[0], : out_hw[1]]


def _window_sum(win):
    """The sum over axes 2 and 3 of a (N, C, kh, kw, oh, ow) window view: kh*kw - 1 adds of
    strided slices (NumPy's reduction over two short strided axes is far slower). Half
    precision keeps NumPy's reduction, which accumulates more precisely."""
    if win.dtype.itemsize < 4:
        return win.sum(axis=(2, 3))
    kh, kw = win.shape[2:4]
    total = win[:, :, 0, 0].copy()
    for i in range(kh):
        for j in range(kw):
            if i or j:
                xp.add(total, win[:, :, i, j], out=total)
    return total


def avg_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """The mean of each window.

    >>> avg_pool2d(arange(16.).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 2.5000,  4.5000],
              [10.5000, 12.5000]]]])
    """
    kernel, stride, _, pads, out_hw = _pool_geometry(
        input, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d"
    )
    if input._dtype.kind != FLOAT:
        raise NotImplementedError(
            f"\"avg_pool2d\" not implemented for '{input._dtype.scalar_name}'"
        )
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    data, batched = _as_batch(input)
    size = data.shape[2:]
    win = _windows(data, kernel, (1, 1), pads, stride)[..., : out_hw[0], : out_hw[1]]
    dtype = data.dtype
    if divisor_override:
        divisor = xp.full(out_hw, float(divisor_override), dtype)
    else:
        divisor = _divisor(
            size, kernel, stride, pads, _pair(padding), out_hw, count_include_pad, dtype
        )
    # half: the window sums and the division in float32, rounded once
    sums = _window_sum(_backend.opmath(win))
    values = (sums / _backend.opmath(divisor)).astype(dtype, copy=False)
    out = make(values if batched else values[0], input._dtype)
    tiled = _tiles(data, kernel, stride, (1, 1), pads)
    args = (kernel, stride, pads, divisor, size, batched, tiled)
    return record(AvgPoolNode, out, (input,), (input,), args)


# --------------------------------------------------------------------------- adaptive_avg_pool2d


def _averaging_matrix(size, out, dtype):
    """P with P[i, j] = 1 / len(window i) for j in torch's window i (start floor, end ceil)."""
    matrix = xp.zeros((out, size), dtype)
    for i in range(out):
        start = (i * size) // out
        end = -(-((i + 1) * size) // out)
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


def _separable_vjp(node, g):
    """The adjoint of x -> P_h @ x @ P_w^T (P_h None for 1-D resizing): P_h^T @ g @ P_w."""
    ph, pw = node._args
    grad = g.matmul(make(pw, g._dtype))
    if ph is not None:
        grad = make(xp.ascontiguousarray(ph.T), g._dtype).matmul(grad)
    if node._saved is not None:  # torch saves the input of adaptive pooling (not resizing)
        grad = keep_connected(grad, node.saved, "AdaptiveAvgPool2DBackwardBackward0")
    return (grad,)


AdaptiveAvgPoolNode = defop("AdaptiveAvgPool2DBackward0", _separable_vjp, batchable=False)
_RESIZE_NODES = {
    name: defop(name, _separable_vjp, batchable=False)
    for name in (
        "UpsampleNearest1DBackward0",
        "UpsampleNearest2DBackward0",
        "UpsampleLinear1DBackward0",
        "UpsampleBilinear2DBackward0",
    )
}


def separable_resize(input, ph, pw, grad_fn_name):
    """P_h @ x @ P_w^T over the last two dims (or x @ P_w^T when ph is None), recorded with
    torch's upsample grad_fn name; interpolate builds the matrices."""
    values = xp.matmul(input._data, pw.T.astype(input._data.dtype, copy=False))
    if ph is not None:
        values = xp.matmul(ph.astype(values.dtype, copy=False), values)
    out = make(xp.ascontiguousarray(values), input._dtype)
    return record(_RESIZE_NODES[grad_fn_name], out, (input,), None, (ph, pw))


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size (None keeps that dim's size).

    >>> adaptive_avg_pool2d(ones(1, 1, 5, 7), (2, 3)).shape
    torch.Size([1, 1, 2, 3])
    """
    if input.dim() not in (3, 4):
        raise RuntimeError(
            f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {list(input.shape)}"
        )
    if input._dtype.kind != FLOAT:
        raise NotImplementedError(
            f"\"adaptive_avg_pool2d\" not implemented for '{input._dtype.scalar_name}'"
        )
    h, w = input.shape[-2:]
    if isinstance(output_size, int):
        output_size = (output_size, output_size)
    oh = h if output_size[0] is None else int(output_size[0])
    ow = w if output_size[1] is None else int(output_size[1])
    if (oh, ow) == (1, 1):  # torch takes the mean (MeanBackward1; NaN for an empty window)
        return input.mean((-1, -2), keepdim=True)
    for axis in range(input.dim() - 2, input.dim()):
        if input.shape[axis] == 0:
            raise RuntimeError(
                "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch "
                f"dimensions, but input has sizes {list(input.shape)} with dimension {axis} "
                "being empty"
            )
    dtype = input._data.dtype
    ph, pw = _averaging_matrix(h, oh, dtype), _averaging_matrix(w, ow, dtype)
    values = xp.matmul(xp.matmul(ph, input._data), pw.T)
    return record(AdaptiveAvgPoolNode, make(values, input._dtype), (input,), (input,), (ph, pw))


for _func, _grad_fns in (
    (max_pool2d, ("MaxPool2DWithIndicesBackward0",)),
    (avg_pool2d, ("AvgPool2DBackward0",)),
    (adaptive_avg_pool2d, ("AdaptiveAvgPool2DBackward0", "MeanBackward1")),
):
    export(
        f"nn.functional.{_func.__name__}", _func, function=False, method=False, grad_fns=_grad_fns
    )


def _torch_max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """torch.max_pool2d: max_pool2d without return_indices."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


_torch_max_pool2d.__name__ = "max_pool2d"
export("max_pool2d", _torch_max_pool2d, method=False, grad_fns=("MaxPool2DWithIndicesBackward0",))
