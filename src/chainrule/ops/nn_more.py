"""More nn primitives, each one torch node: pixel_shuffle / pixel_unshuffle, adaptive max
pooling, and the multi-class margin and soft margin losses.

pixel_shuffle and pixel_unshuffle are each other's inverse permutation of elements, so
each one's rule is the other applied to the gradient. Adaptive max pooling sends each
gradient to its window's argmax with scatter_add (whose rule is a gather). The two losses
record torch's single node; their rules are torch's gradient formulas written with
chainrule ops (so the backward of the backward is right too).

>>> import chainrule as torch
>>> torch.nn.functional.pixel_shuffle(torch.arange(4.).reshape(1, 4, 1, 1), 2)
tensor([[[[0., 1.],
          [2., 3.]]]])
"""

from __future__ import annotations

import operator

from .. import _backend
from .._backend import FLOAT, xp
from .._graph import grad_state, no_grad
from .._registry import (
    broadcast_shape,
    defop,
    export,
    keep_connected,
    lead,
    not_differentiable_again,
    record,
    record_multi,
)
from .._tensor import make

__all__ = ["pixel_shuffle", "pixel_unshuffle"]


# --------------------------------------------------------------------------- pixel shuffle


def _int_argument(value, function, argument, position):
    """torch's TypeError for a non-int (a float, a bool) where an int is wanted."""
    if not isinstance(value, bool):
        try:
            return operator.index(value)  # NumPy's integers too
        except TypeError:
            pass
    raise TypeError(
        f"{function}(): argument '{argument}' (position {position}) must be int, not "
        f"{type(value).__name__}"
    )


def _check_factor(input, factor, name, what):
    if input.dim() < 3:
        raise RuntimeError(
            f"{name} expects input to have at least 3 dimensions, but got input with "
            f"{input.dim()} dimension(s)"
        )
    if factor <= 0:
        raise RuntimeError(f"{name} expects a positive {what}, but got {factor}")


def _shuffled(data, r):
    """(*, C r^2, H, W) -> (*, C, H r, W r)."""
    *batch, c, h, w = data.shape
    blocks = data.reshape(*batch, c // (r * r), r, r, h, w)
    n = len(batch)
    order = tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2)
    # always a copy: torch's result never shares the input's memory, even when the
    # permutation leaves the layout as it is (a factor of 1, sizes of 1)
    return blocks.transpose(order).copy().reshape(*batch, c // (r * r), h * r, w * r)


def _unshuffled(data, r):
    """(*, C, H r, W r) -> (*, C r^2, H, W)."""
    *batch, c, h, w = data.shape
    blocks = data.reshape(*batch, c, h // r, r, w // r, r)
    n = len(batch)
    order = tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3)
    return blocks.transpose(order).copy().reshape(*batch, c * r * r, h // r, w // r)


def _pixel_shuffle_vjp(node, g):
    return (pixel_unshuffle(g, node._args),)


def _pixel_unshuffle_vjp(node, g):
    return (pixel_shuffle(g, node._args),)


PixelShuffleNode = defop("PixelShuffleBackward0", _pixel_shuffle_vjp)
PixelUnshuffleNode = defop("PixelUnshuffleBackward0", _pixel_unshuffle_vjp)


def pixel_shuffle(input, upscale_factor):
    """Rearrange (*, C r^2, H, W) into (*, C, H r, W r) (sub-pixel convolution's last step).

    >>> pixel_shuffle(zeros(1, 8, 2, 3), 2).shape
    torch.Size([1, 2, 4, 6])
    """
    r = _int_argument(upscale_factor, "pixel_shuffle", "upscale_factor", 2)
    _check_factor(input, r, "pixel_shuffle", "upscale_factor")
    channels = input.shape[-3]
    if channels % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={channels} is not divisible by {r * r}"
        )
    out = make(_shuffled(input._data, r), input._dtype)
    return record(PixelShuffleNode, out, (input,), None, r)


def pixel_unshuffle(input, downscale_factor):
    """Rearrange (*, C, H r, W r) into (*, C r^2, H, W): pixel_shuffle's inverse.

    >>> pixel_unshuffle(zeros(1, 2, 4, 6), 2).shape
    torch.Size([1, 8, 2, 3])
    """
    r = _int_argument(downscale_factor, "pixel_unshuffle", "downscale_factor", 2)
    _check_factor(input, r, "pixel_unshuffle", "downscale_factor")
    for name, axis in (("height", -2), ("width", -1)):
        if input.shape[axis] % r:
            raise RuntimeError(
                f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                f"input.size({axis})={input.shape[axis]} is not divisible by {r}"
            )
    out = make(_unshuffled(input._data, r), input._dtype)
    return record(PixelUnshuffleNode, out, (input,), None, r)


# --------------------------------------------------------------------------- adaptive max pool


def _bounds(size, out):
    return [(i * size // out, -(-(i + 1) * size // out)) for i in range(out)]


def _adaptive_max(data, oh, ow):
    """Each window's maximum and its flat position in H*W (the first maximum in row-major
    order, or the last NaN, as torch's CPU kernel picks). One step per window, each over
    all of N and C: for the usual small outputs this beats gathering every window at once
    (measured: 9.5 vs 27 ms for 8x64x32x32 -> 7x7)."""
    h, w = data.shape[-2:]
    lead = data.shape[:-2]
    values = xp.empty(lead + (oh, ow), data.dtype)
    indices = xp.empty(lead + (oh, ow), xp.int64)
    for i, (r0, r1) in enumerate(_bounds(h, oh)):
        for j, (c0, c1) in enumerate(_bounds(w, ow)):
            width = c1 - c0
            window = data[..., r0:r1, c0:c1].reshape(lead + ((r1 - r0) * width,))
            pick = window.argmax(-1)
            nans = xp.isnan(window)
            last_nan = window.shape[-1] - 1 - nans[..., ::-1].argmax(-1)
            pick = xp.where(nans.any(-1), last_nan, pick)
            indices[..., i, j] = (r0 + pick // width) * w + c0 + pick % width
            values[..., i, j] = xp.take_along_axis(window, pick[..., None], -1)[..., 0]
    return values, indices


def _adaptive_max_vjp(node, grads):
    g = grads[0]  # the indices output has no gradient
    # torch saves the input: changing it in place breaks backward there too; the windows'
    # winners were chosen by it, so under create_graph the result stays a function of it
    (x,) = node.saved
    indices, shape = node._args
    if 0 in g.shape[-2:]:
        raise RuntimeError(
            "adaptive_max_pool2d_backward(): Expected grad_output to have non-zero size for "
            f"non-batch dimensions, but grad_output has sizes {list(g.shape)} with dimension "
            f"{g.dim() - 2 + list(g.shape[-2:]).index(0)} being empty"
        )
    from .creation import zeros

    windows = g.shape[-2] * g.shape[-1]
    flat_g = g.reshape(*g.shape[:-2], windows)
    flat_i = make(indices.reshape(*indices.shape[:-2], windows), _backend.int64)
    grad = zeros(*shape[:-2], shape[-2] * shape[-1], dtype=g.dtype)
    grad = grad.scatter_add(-1, flat_i, flat_g).reshape(shape)
    return (keep_connected(grad, (x,), "AdaptiveMaxPool2DBackwardBackward0"),)


AdaptiveMaxPoolNode = defop("AdaptiveMaxPool2DBackward0", _adaptive_max_vjp, batchable=False)


def _output_pair(output_size, h, w):
    if isinstance(output_size, int):
        output_size = (output_size, output_size)
    if len(output_size) != 2:
        raise RuntimeError("adaptive_max_pool2d(): internal error: output_size.size() must be 2")
    oh = h if output_size[0] is None else int(output_size[0])
    ow = w if output_size[1] is None else int(output_size[1])
    return oh, ow


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed output size (None keeps that dim's size); with return_indices,
    also each maximum's flat position in H*W.

    >>> adaptive_max_pool2d(arange(16.).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    if input.dim() not in (3, 4):
        raise RuntimeError(
            f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: {list(input.shape)}"
        )
    if input._dtype.kind != FLOAT:
        raise NotImplementedError(
            f"\"adaptive_max_pool2d\" not implemented for '{input._dtype.scalar_name}'"
        )
    h, w = input.shape[-2:]
    for axis in range(1, input.dim()):  # torch lets dim 0 be empty, (C, H, W) input too
        if input.shape[axis] == 0:
            raise RuntimeError(
                "adaptive_max_pool2d(): Expected input to have non-zero size for non-batch "
                f"dimensions, but input has sizes {list(input.shape)} with dimension {axis} "
                "being empty"
            )
    oh, ow = _output_pair(output_size, h, w)
    if oh < 0 or ow < 0:
        shape = list(input.shape[:-2]) + [oh, ow]
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(oh, ow)}: {shape}"
        )
    values, indices = _adaptive_max(input._data, oh, ow)
    out = make(values, input._dtype)
    idx = make(indices, _backend.int64)
    args = (indices, tuple(input.shape))
    outs = record_multi(AdaptiveMaxPoolNode, (out, idx), (input,), (input,), args, (True, False))
    return outs if return_indices else outs[0]


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """adaptive_max_pool2d over a length-1 height, as torch computes it (the result squeezed).

    >>> adaptive_max_pool1d(tensor([[[1., 3., 2., 0.]]]), 2)
    tensor([[[3., 2.]]])
    """
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for "
            "argument #1 'self' (while checking arguments for adaptive_max_pool1d)"
        )
    if not isinstance(output_size, int):
        if len(output_size) != 1:
            raise RuntimeError(
                "adaptive_max_pool1d() argument 'output_size' should contain one int (got "
                f"{len(output_size)})"
            )
        output_size = output_size[0]
    for axis in range(1, input.dim()):  # dim 0 may be empty, (C, L) input included
        if input.shape[axis] == 0:
            raise RuntimeError(
                "adaptive_max_pool1d(): Expected input to have non-zero size for non-batch "
                f"dimensions, but input has sizes {list(input.shape)} with dimension {axis} "
                "being empty"
            )
    out, idx = adaptive_max_pool2d(input.unsqueeze(-2), (1, output_size), return_indices=True)
    if return_indices:
        return out.squeeze(-2), idx.squeeze(-2)
    return out.squeeze(-2)


# --------------------------------------------------------------------------- margin losses


def _not_differentiable(name, argument):
    return RuntimeError(
        f"The function '{name}' is not differentiable with respect to argument '{argument}'. "
        "This input cannot have requires_grad True."
    )


def _reduced_grad(g, reduction, count, ndim):
    """A loss's output gradient shaped to broadcast over ``ndim`` element dims."""
    if reduction == "none":
        return g
    if reduction == "mean":
        g = g / max(count, 1)
    return g.reshape(tuple(g._data.shape) + (1,) * ndim)


def _soft_margin_vjp(node, g):
    """torch's rule: -target * z / (1 + z) * g, z = exp(-target * input)."""
    input, target = node.saved
    reduction, count = node._args
    g = _reduced_grad(g, reduction, count, max(input._data.ndim, target._data.ndim))
    z = (-target * input).exp()
    return (-target * z / (z + 1) * g, None)


SoftMarginNode = defop("SoftMarginLossBackward0", _soft_margin_vjp)


def soft_margin(input, target, reduction):
    """soft_margin_loss on checked arguments: log(1 + exp(-target * input)), reduced.
    torch computes it in place in an input-shaped buffer: the target broadcasts to the input."""
    if target._requires_grad and grad_state.enabled:
        raise _not_differentiable("soft_margin_loss", "target")
    shape = broadcast_shape(tuple(input.shape), tuple(target.shape))
    if shape != tuple(input.shape):
        raise RuntimeError(
            f"output with shape {list(input.shape)} doesn't match the broadcast shape {list(shape)}"
        )
    if target._dtype is not input._dtype:  # torch writes into an input-typed buffer
        target = target.to(input._dtype)
    with no_grad():
        values = (-input * target).exp().log1p()
        count = values.numel()
        if reduction == "mean":
            values = values.mean()
        elif reduction == "sum":
            values = values.sum()
    out = make(values._data, values._dtype)
    return record(SoftMarginNode, out, (input, target), (input, target), (reduction, count))


def _check_multi_margin(input, target, weight):
    if weight is not None and weight._requires_grad and grad_state.enabled:
        raise _not_differentiable("multi_margin_loss", "weight")  # torch checks this first
    if input.dim() > 2 or input.numel() == 0:
        raise RuntimeError(
            "Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
            f"{list(input.shape)}"
        )
    if target._dtype is not _backend.int64:
        raise RuntimeError(f"expected scalar type Long but found {target._dtype.scalar_name}")
    samples = input.shape[0] if input.dim() == 2 else 1
    classes = input.shape[-1]
    if target.dim() > 1 or target.numel() != samples:
        expected = [samples] if input.dim() == 2 else []
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size {expected}, but got "
            f"{list(target.shape)}. Input has shape {list(input.shape)}."
        )
    if weight is not None and weight._dtype is not input._dtype:
        raise RuntimeError(
            f"expected scalar type {input._dtype.scalar_name} but found {weight._dtype.scalar_name}"
        )
    if weight is not None and weight.numel() != classes:
        raise RuntimeError(
            f"inconsistent weight size, expected {classes} but got {list(weight.shape)}"
        )
    t = target._data.reshape(-1)
    if t.size and (t.min() < 0 or t.max() >= classes):
        raise RuntimeError("target out of range")


def _margin_terms(x, t, margin):
    """margin - x[target] + x for each (sample, class), and the target classes' mask."""
    classes = xp.arange(x.shape[-1])
    is_target = classes[None, :] == t[:, None]
    picked = xp.take_along_axis(x, t[:, None], 1)
    return margin - picked + x, is_target


def _multi_margin_vjp(node, g):
    """d/dx_i = w[y] p h_i^(p-1) / C over the classes i != y with h_i > 0; d/dx_y = -sum."""
    (input,) = node.saved
    target, p, margin, weight, reduction = node._args
    x = input if input.dim() == 2 else input.unsqueeze(0)
    from .elementwise import where

    z, is_target = _margin_terms(x._data, target, margin)
    active = (z > 0) & ~is_target
    scale = 1.0 / x.shape[-1]
    if weight is not None:
        scale = make(weight[target][:, None] / x.shape[-1], input._dtype)
    if p == 1:
        per_class = make(active.astype(z.dtype), input._dtype) * scale
        onehot = make(is_target.astype(z.dtype), input._dtype)
        grad = per_class - onehot * per_class.sum(-1, keepdim=True)
    else:  # selections, not masks that multiply: an infinite or nan class must not make the
        # other classes' gradients nan (0 * inf); the inactive classes get +0, as torch
        picked = x.gather(-1, make(target[:, None].astype(xp.int64), _backend.int64))
        per_class = where(make(active, _backend.bool_), (x - picked + margin) * (2 * scale), 0.0)
        total = 0.0 - per_class.sum(-1, keepdim=True)  # torch subtracts from +0
        grad = where(make(is_target, _backend.bool_), total, per_class)
    batch = lead(g)
    if reduction == "none":
        g = g.reshape(batch + (-1, 1))
    else:
        if reduction == "mean":
            g = g / x.shape[0]
        g = g.reshape(batch + (1, 1))
    grad = (grad * g).reshape(batch + tuple(input.shape))
    return (not_differentiable_again(grad, (g, input), "multi_margin_loss_backward"),)


MultiMarginNode = defop("MultiMarginLossBackward0", _multi_margin_vjp)


def multi_margin(input, target, p, margin, weight, reduction):
    """multi_margin_loss on checked p and reduction, recorded as torch's one node."""
    _check_multi_margin(input, target, weight)
    x = input._data if input.dim() == 2 else input._data[None]
    t = target._data.reshape(-1)
    z, is_target = _margin_terms(x, t, margin)
    hinge = xp.where((z > 0) & ~is_target, z, 0)
    if p == 2:
        hinge = hinge * hinge
    w = None if weight is None else weight._data.astype(x.dtype).reshape(-1)
    if w is not None:
        hinge = hinge * w[t][:, None]
    losses = hinge.sum(-1) / x.shape[-1]
    if reduction == "none":
        result = losses.reshape(target._data.shape if input.dim() == 1 else (-1,))
    elif reduction == "sum":
        result = losses.sum()
    else:
        result = losses.mean()
    out = make(xp.asarray(result, dtype=x.dtype), input._dtype)
    args = (t, p, margin, w, reduction)
    return record(MultiMarginNode, out, (input,), (input,), args)


for _func, _grad_fns in (
    (pixel_shuffle, ("PixelShuffleBackward0",)),
    (pixel_unshuffle, ("PixelUnshuffleBackward0",)),
    (adaptive_max_pool2d, ("AdaptiveMaxPool2DBackward0",)),
    (adaptive_max_pool1d, ("SqueezeBackward1",)),
):
    export(
        f"nn.functional.{_func.__name__}", _func, function=False, method=False, grad_fns=_grad_fns
    )
export("pixel_shuffle", pixel_shuffle, method=False, grad_fns=("PixelShuffleBackward0",))
export("pixel_unshuffle", pixel_unshuffle, method=False, grad_fns=("PixelUnshuffleBackward0",))
