"""Convolution: im2col (``unfold``), col2im (``fold``) and ``convolution`` itself.

unfold and fold are each other's adjoint, so their rules are one line each and any order
of derivative works. The convolution has its own node (torch's ConvolutionBackward0) whose
rule is written with unfold/fold and matmul: the input gradient is fold(W^T g), the weight
gradient g unfold(x)^T, summed over the batch. The forward runs on raw arrays, and so
does the backward when nothing records it (no create_graph, no forward-AD level): each
product is then one GEMM over the whole batch (see _conv_kernels). Integer, complex and
empty inputs take a strided window view and one batched product per group.

>>> import chainrule as torch
>>> x = torch.ones(1, 1, 3, 3)
>>> torch.nn.functional.conv2d(x, torch.ones(1, 1, 2, 2))
tensor([[[[4., 4.],
          [4., 4.]]]])
"""

from __future__ import annotations

import warnings

from .._backend import xp
from .._registry import defop, export, keep_connected, record, will_record
from .._tensor import Tensor, make
from . import _conv_kernels

__all__ = ["unfold", "fold", "convolution", "conv1d", "conv2d"]


def _pair(value, n=2, name="kernel_size"):
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise RuntimeError(f"{name} must be an int or a tuple of {n} ints, got {value}")
    return value


# --------------------------------------------------------------------------- raw arrays


def _windows(data, kernel, dilation, pads, stride):
    """(N, C, H, W) -> strided view (N, C, kh, kw, oh, ow) over the zero-padded input."""
    top, bottom, left, right = pads
    if any(pads):
        data = xp.pad(data, ((0, 0), (0, 0), (top, bottom), (left, right)))
    n, c, h, w = data.shape
    (kh, kw), (dh, dw), (sh, sw) = kernel, dilation, stride
    oh = (h - dh * (kh - 1) - 1) // sh + 1
    ow = (w - dw * (kw - 1) - 1) // sw + 1
    s = data.strides
    shape = (n, c, kh, kw, max(oh, 0), max(ow, 0))
    strides = (s[0], s[1], s[2] * dh, s[3] * dw, s[2] * sh, s[3] * sw)
    return xp.lib.stride_tricks.as_strided(data, shape, strides, writeable=False)


def _im2col(data, kernel, dilation, pads, stride):
    win = _windows(data, kernel, dilation, pads, stride)
    n, c, kh, kw, oh, ow = win.shape
    return win.reshape(n, c * kh * kw, oh * ow)


def _col2im(cols, size, kernel, dilation, pads, stride):
    """The adjoint of _im2col: add every column entry back where it was read from."""
    top, bottom, left, right = pads
    n = cols.shape[0]
    (kh, kw), (dh, dw), (sh, sw) = kernel, dilation, stride
    h, w = size[0] + top + bottom, size[1] + left + right
    oh = (h - dh * (kh - 1) - 1) // sh + 1
    ow = (w - dw * (kw - 1) - 1) // sw + 1
    c = cols.shape[1] // (kh * kw)
    blocks = cols.reshape(n, c, kh, kw, oh, ow)
    out = xp.zeros((n, c, h, w), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dh, i * dh + sh * (oh - 1) + 1, sh)
            columns = slice(j * dw, j * dw + sw * (ow - 1) + 1, sw)
            out[:, :, rows, columns] += blocks[:, :, i, j]
    return out[:, :, top : top + size[0], left : left + size[1]]


# --------------------------------------------------------------------------- unfold / fold


def _unfold_vjp(node, g):
    size, kernel, dilation, pads, stride, batched = node._args
    return (_fold(g, size, kernel, dilation, pads, stride, batched),)


def _fold_vjp(node, g):
    _, kernel, dilation, pads, stride, batched = node._args
    return (_unfold(g, kernel, dilation, pads, stride, batched),)


Im2ColNode = defop("Im2ColBackward0", _unfold_vjp, batchable=False)
Col2ImNode = defop("Col2ImBackward0", _fold_vjp, batchable=False)


def _unfold(input, kernel, dilation, pads, stride, batched=True):
    data = input._data if batched else input._data[None]
    cols = xp.ascontiguousarray(_im2col(data, kernel, dilation, pads, stride))
    args = (data.shape[2:], kernel, dilation, pads, stride, batched)
    out = make(cols if batched else cols[0], input._dtype)
    return record(Im2ColNode, out, (input,), None, args)


def _fold(input, size, kernel, dilation, pads, stride, batched=True):
    data = input._data if batched else input._data[None]
    image = xp.ascontiguousarray(_col2im(data, size, kernel, dilation, pads, stride))
    args = (size, kernel, dilation, pads, stride, batched)
    out = make(image if batched else image[0], input._dtype)
    return record(Col2ImNode, out, (input,), None, args)


def _sym(padding):
    ph, pw = _pair(padding, name="padding")
    return (ph, ph, pw, pw)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding local blocks of a (N, C, H, W) or (C, H, W) tensor as columns (im2col).

    >>> unfold(ones(1, 1, 3, 3), 2).shape
    torch.Size([1, 4, 4])
    """
    if input.dim() not in (3, 4):
        raise RuntimeError(
            f"Input Error: Only 3D or 4D input Tensors are supported (got {input.dim()}D)"
        )
    kernel = _pair(kernel_size)
    stride = _pair(stride, name="stride")
    return _unfold(input, kernel, _pair(dilation), _sym(padding), stride, input.dim() == 4)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum columns of blocks back into a (N, C, H, W) tensor (col2im), unfold's adjoint.

    >>> fold(unfold(ones(1, 1, 3, 3), 2), (3, 3), 2)[0, 0]
    tensor([[1., 2., 1.],
            [2., 4., 2.],
            [1., 2., 1.]])
    """
    if input.dim() not in (2, 3):
        raise RuntimeError(
            "Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
            f"(got {input.dim()}D)"
        )
    batched = input.dim() == 3
    x = input._data if batched else input._data[None]
    kernel = _pair(kernel_size)
    if x.shape[1] % (kernel[0] * kernel[1]):
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={x.shape[1]} and "
            f"kernel_size={kernel}"
        )
    size = _pair(output_size, name="output_size")
    dilation, padding, stride = _pair(dilation), _pair(padding), _pair(stride, name="stride")
    blocks = [
        (s + 2 * p - d * (k - 1) - 1) // st + 1
        for s, p, d, k, st in zip(size, padding, dilation, kernel, stride)
    ]
    if x.shape[2] != blocks[0] * blocks[1]:
        raise RuntimeError(
            f"Given output_size={size}, kernel_size={kernel}, dilation={dilation}, "
            f"padding={padding}, stride={stride}, expected size of input's dimension 2 to match "
            f"the calculated number of sliding blocks {blocks[0]} * {blocks[1]} = "
            f"{blocks[0] * blocks[1]}, but got input.size(2)={x.shape[2]}."
        )
    return _fold(input, size, kernel, dilation, _sym(padding), stride, batched)


# --------------------------------------------------------------------------- convolution


def _conv_vjp(node, g):
    x, w = node.saved
    kernel, dilation, pads, stride, groups, one_d = node._args
    if not will_record(g, x, w) and _fast(x._data, w._data):  # nothing recorded: raw arrays
        return _conv_vjp_arrays(node, g._data, x, w._data)
    if one_d:  # the rule works on the 2-D form of a 1-D convolution
        x, w, g = x.unsqueeze(2), w.unsqueeze(2), g.unsqueeze(2)
    n, c, h, wd = x.shape
    o = w.shape[0]
    oh, ow = g.shape[2], g.shape[3]
    # explicit sizes, no -1: an empty batch has no size to infer
    patch = (c // groups) * kernel[0] * kernel[1]
    g_rows = g.reshape(n, groups, o // groups, oh * ow)
    w_rows = w.reshape(groups, o // groups, patch)
    grad_x = grad_w = grad_b = None
    if node.needs_input_grad(0):
        cols = w_rows.transpose(1, 2).matmul(g_rows).reshape(n, groups * patch, oh * ow)
        grad_x = _fold(cols, (h, wd), kernel, dilation, pads, stride)
        if one_d:
            grad_x = grad_x.squeeze(2)
    if node.needs_input_grad(1):
        cols = _unfold(x, kernel, dilation, pads, stride).reshape(n, groups, patch, oh * ow)
        grad_w = g_rows.matmul(cols.transpose(2, 3)).sum(0).reshape(w.shape)
        if one_d:
            grad_w = grad_w.squeeze(2)
    if node.needs_input_grad(2):  # torch's kernel takes the input and weight: keep them
        grad_b = keep_connected(g.sum((0, 2, 3)), node.saved, "ConvolutionBackwardBackward0")
    return grad_x, grad_w, grad_b


def _conv_vjp_arrays(node, g, x, w):
    """The same rule on raw arrays, each product one GEMM (see _conv_kernels)."""
    kernel, dilation, pads, stride, groups, one_d = node._args
    dtype = x._dtype
    x = x._data
    if one_d:
        x, w, g = x[:, :, None], w[:, :, None], g[:, :, None]
    need_x, need_w = node.needs_input_grad(0), node.needs_input_grad(1)
    grad_x, grad_w = _conv_kernels.backward(
        x, w, g, kernel, dilation, pads, stride, groups, need_x, need_w
    )
    if grad_x is not None:
        grad_x = make(grad_x[:, :, 0] if one_d else grad_x, dtype)
    if grad_w is not None:
        grad_w = make(grad_w[:, :, 0] if one_d else grad_w, dtype)
    grad_b = make(g.sum(axis=(0, 2, 3)), dtype) if node.needs_input_grad(2) else None
    return grad_x, grad_w, grad_b


def _fast(x, w) -> bool:
    """The GEMM kernels serve non-empty floating arrays; the rest takes the general path."""
    return x.dtype.kind == "f" and x.size > 0 and w.size > 0


ConvolutionNode = defop("ConvolutionBackward0", _conv_vjp, batchable=False)


_EVEN_SAME_WARNING = (
    "Using padding='same' with even kernel lengths and odd dilation may require a zero-padded "
    "copy of the input be created"
)


def _same_pads(kernel, dilation):
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads += [total // 2, total - total // 2]
    return tuple(pads)


def _check_conv(input, weight, bias, groups, dims, stride, padding):
    name = f"conv{dims}d"
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        raise TypeError(f"{name}() received an invalid combination of arguments")
    if input.dim() not in (dims + 1, dims + 2):
        raise RuntimeError(
            f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {name}, but got "
            f"input of size: {list(input.shape)}"
        )
    if weight.dim() != dims + 2:
        raise RuntimeError(
            "weight should have at least three dimensions"
            if weight.dim() < 3
            else f"Expected {dims + 2}-dimensional weight for {dims + 2}-dimensional input"
        )
    if weight.shape[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size [{list(weight.shape)}] instead"
        )
    channels = input.shape[-dims - 1]
    if channels != weight.shape[1] * groups:
        batched = (1,) if input.dim() == dims + 1 else ()
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
            f"{list(batched + tuple(input.shape))} to have {weight.shape[1] * groups} channels, "
            f"but got {channels} channels instead"
        )
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise RuntimeError(
            f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
            f"{weight.shape[0]} elements, but got bias of size {list(bias.shape)} instead"
        )
    if input._dtype is not weight._dtype:
        raise RuntimeError(
            f"expected scalar type {input._dtype.scalar_name} but found {weight._dtype.scalar_name}"
        )
    if bias is not None and bias._dtype is not input._dtype:
        raise RuntimeError(
            f"Input type ({input._dtype.c_name}) and bias type ({bias._dtype.c_name}) should be "
            "the same"
        )
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ValueError(
                f"Invalid padding string '{padding}', should be one of {{'valid', 'same'}}"
            )
        if padding == "same" and any(s != 1 for s in _pair(stride, dims, "stride")):
            raise RuntimeError("padding='same' is not supported for strided convolutions")


def convolution(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, dims=2):
    """The 1-D or 2-D convolution (cross-correlation) behind conv1d / conv2d."""
    _check_conv(input, weight, bias, groups, dims, stride, padding)
    if input.dim() == dims + 1:  # unbatched: torch records unsqueeze, convolution, squeeze
        out = convolution(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups, dims)
        return out.squeeze(0)
    x = input._data
    w = weight._data
    if dims == 1:
        x, w = x[:, :, None, :], w[:, :, None, :]
        stride, dilation = (1, _pair(stride, 1)[0]), (1, _pair(dilation, 1)[0])
        kernel = (1, w.shape[3])
        if isinstance(padding, str):
            pads = (0, 0) + _same_pads(kernel[1:], dilation[1:]) if padding == "same" else (0,) * 4
        else:
            p = _pair(padding, 1, "padding")[0]
            pads = (0, 0, p, p)
    else:
        stride, dilation = _pair(stride, name="stride"), _pair(dilation, name="dilation")
        kernel = w.shape[2:]
        if isinstance(padding, str):
            pads = _same_pads(kernel, dilation) if padding == "same" else (0,) * 4
            if pads[0] != pads[1] or pads[2] != pads[3]:
                warnings.warn(_EVEN_SAME_WARNING, UserWarning, stacklevel=3)
        else:
            pads = _sym(padding)
    n, c = x.shape[:2]
    padded = (x.shape[2] + pads[0] + pads[1], x.shape[3] + pads[2] + pads[3])
    if any(p < d * (k - 1) + 1 for p, d, k in zip(padded, dilation, kernel)):
        sizes = " x ".join(map(str, padded[2 - dims :]))
        kernels = " x ".join(map(str, kernel[2 - dims :]))
        raise RuntimeError(
            f"Calculated padded input size per channel: ({sizes}). Kernel size: ({kernels}). "
            "Kernel size can't be greater than actual input size"
        )
    if _fast(x, w):
        b = None if bias is None else bias._data
        out = _conv_kernels.forward(x, w, b, tuple(kernel), dilation, pads, stride, groups)
    else:
        win = _windows(x, kernel, dilation, pads, stride)
        oh, ow = win.shape[4:]
        o = w.shape[0]
        cols = win.reshape(n, groups, (c // groups) * kernel[0] * kernel[1], oh * ow)
        out = xp.matmul(w.reshape(groups, o // groups, -1), cols).reshape(n, o, oh, ow)
        if bias is not None:
            out = out + bias._data.reshape(1, o, 1, 1).astype(out.dtype, copy=False)
    if dims == 1:
        out = out[:, :, 0]
    result = make(xp.ascontiguousarray(out).astype(input._dtype.np, copy=False), input._dtype)
    args = (tuple(kernel), tuple(dilation), pads, tuple(stride), groups, dims == 1)
    return record(ConvolutionNode, result, (input, weight, bias), (input, weight), args)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D cross-correlation over (N, C, L) input with (O, C/groups, K) weight.

    >>> conv1d(ones(1, 1, 4), ones(1, 1, 2))
    tensor([[[2., 2., 2.]]])
    """
    return convolution(input, weight, bias, stride, padding, dilation, groups, dims=1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation over (N, C, H, W) input with (O, C/groups, kh, kw) weight.

    >>> conv2d(ones(1, 1, 3, 3), ones(2, 1, 2, 2)).shape
    torch.Size([1, 2, 2, 2])
    """
    return convolution(input, weight, bias, stride, padding, dilation, groups, dims=2)


for _func, _grad_fns in (
    (unfold, ("Im2ColBackward0",)),
    (fold, ("Col2ImBackward0",)),
    (conv1d, ("ConvolutionBackward0", "SqueezeBackward1")),
    (conv2d, ("ConvolutionBackward0", "SqueezeBackward1")),
):
    export(
        f"nn.functional.{_func.__name__}", _func, function=False, method=False, grad_fns=_grad_fns
    )
_CONV_GRAD_FNS = ("ConvolutionBackward0", "SqueezeBackward1")  # unbatched input: squeezed
export("conv1d", conv1d, method=False, grad_fns=_CONV_GRAD_FNS)
export("conv2d", conv2d, method=False, grad_fns=_CONV_GRAD_FNS)
