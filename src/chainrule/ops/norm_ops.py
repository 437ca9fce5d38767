"""Normalisation primitives: layer_norm, group_norm and batch_norm with torch's grad_fn names
(NativeLayerNormBackward0, NativeGroupNormBackward0, NativeBatchNormBackward0).

They have rules of their own for speed (one node instead of a dozen) and for torch's names.
The forward runs on raw arrays; the rules recompute the normalised input from the saved
input with chainrule ops, so the gradient is itself differentiable (double backward works).
With x^ the normalised input, g the incoming gradient times the weight, and means over the
normalised dims, the input gradient is rstd * (g - mean(g) - x^ * mean(g * x^)).

>>> import chainrule as torch
>>> torch.nn.functional.layer_norm(torch.tensor([[1., 3.]], requires_grad=True), (2,)).grad_fn
<NativeLayerNormBackward0 object at 0x...>
"""

from __future__ import annotations

import math

from .. import _backend
from .._backend import xp
from .._graph import is_grad_enabled
from .._registry import defop, export, keep_connected, record
from .._tensor import make

__all__ = ["layer_norm", "group_norm", "batch_norm"]


def _stats(data, axes, eps):
    """The normalised data; float16 in float32 (the caller rounds once), as torch's kernels."""
    data = _backend.opmath(data)
    mean = data.mean(axis=axes, keepdims=True)
    centred = data - mean
    var = (centred * centred).mean(axis=axes, keepdims=True)
    return centred / xp.sqrt(var + eps)


def _normalised(x, dims, eps):
    """x^ and rstd recomputed with chainrule ops (differentiable in x)."""
    centred = x - x.mean(dims, keepdim=True)
    rstd = ((centred * centred).mean(dims, keepdim=True) + eps).rsqrt()
    return centred * rstd, rstd


def _input_grad(gx, xhat, rstd, dims):
    mean_g = gx.mean(dims, keepdim=True)
    mean_gx = (gx * xhat).mean(dims, keepdim=True)
    return (gx - mean_g - xhat * mean_gx) * rstd


def _input_grad_in_kernel_terms(gx, x, mean, rstd, dims):
    """The input gradient as torch's CPU kernel writes it: rstd gx + b x + c, with
    b = (sum(gx) mean - sum(gx x)) rstd^3 / n and c = -b mean - sum(gx) rstd / n."""
    n = 1
    for d in dims:
        n *= x.shape[d]
    ds = (gx * x).sum(dims, keepdim=True)
    db = gx.sum(dims, keepdim=True)
    b = (db * mean - ds) * rstd * rstd * rstd / n
    c = -b * mean - db * rstd / n
    return rstd * gx + b * x + c


def _bias_grad(grad, x, weight, grad_fn_name):
    """The bias gradient (a sum of g): torch's backward kernel takes the input and weight
    too, so under create_graph it is a function of them (with derivative zero)."""
    return keep_connected(grad, (x, weight), grad_fn_name)


def _check_numel(name, value, count):
    if value is not None and value.numel() != count:
        raise RuntimeError(f"{name} should contain {count} elements not {value.numel()}")


# --------------------------------------------------------------------------- layer_norm


def _layer_norm_vjp(node, g):
    saved = node.saved
    x, weight = saved[0], saved[1]
    if x._dtype is _backend.float16:
        # torch's half kernel: the mean and rstd it saved are rounded to half, the rest is
        # computed in float32 in its own terms, and each gradient is rounded once
        x, weight, g = x.float(), None if weight is None else weight.float(), g.float()
        grads = _layer_norm_grads(node, g, x, weight, half=True)
        return tuple(None if t is None else t.half() for t in grads)
    return _layer_norm_grads(node, g, x, weight)


def _layer_norm_grads(node, g, x, weight, half=False):
    k, eps = node._args
    dims = tuple(range(-k, 0))
    lead = tuple(range(x.dim() - k))
    if half:
        mean = x.mean(dims, keepdim=True)
        _, rstd = _normalised(x, dims, eps)
        mean, rstd = mean.half().float(), rstd.half().float()
        xhat = (x - mean) * rstd
    else:
        xhat, rstd = _normalised(x, dims, eps)
    grad_x = grad_w = grad_b = None
    if node.needs_input_grad(0):
        gx = g if weight is None else g * weight
        if half:
            grad_x = _input_grad_in_kernel_terms(gx, x, mean, rstd, dims)
        else:
            grad_x = _input_grad(gx, xhat, rstd, dims)
    if node.needs_input_grad(1):
        grad_w = (g * xhat).sum(lead) if lead else g * xhat
    if node.needs_input_grad(2):
        grad_b = _bias_grad(
            g.sum(lead) if lead else g, x, weight, "NativeLayerNormBackwardBackward0"
        )
    return grad_x, grad_w, grad_b


LayerNormNode = defop("NativeLayerNormBackward0", _layer_norm_vjp, batchable=False)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the last len(normalized_shape) dims, then scale and shift.

    >>> layer_norm(tensor([[0., 2.]]), [2])
    tensor([[-1.0000,  1.0000]])
    """
    if isinstance(normalized_shape, int):
        raise TypeError(
            "layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not int"
        )
    shape = tuple(normalized_shape)
    k = len(shape)
    if input.dim() < k or tuple(input.shape[input.dim() - k :]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    for name, value in (("weight", weight), ("bias", bias)):
        if value is not None and tuple(value.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(value.shape)} and normalized_shape = {list(shape)}"
            )
    data = input._data
    out = _stats(data, tuple(range(-k, 0)), eps)
    if weight is not None:
        out = out * weight._data
    if bias is not None:
        out = out + bias._data
    result = make(out.astype(data.dtype, copy=False), input._dtype)
    saved = (input, weight) + ((bias,) if bias is not None else ())
    return record(LayerNormNode, result, (input, weight, bias), saved, (k, eps))


# --------------------------------------------------------------------------- group_norm


def _group_norm_vjp(node, g):
    x, weight = node.saved
    if x._dtype is _backend.float16:  # as layer_norm's: torch's half kernel (see there)
        x, weight, g = x.float(), None if weight is None else weight.float(), g.float()
        grads = _group_norm_grads(node, g, x, weight, half=True)
        return tuple(None if t is None else t.half() for t in grads)
    return _group_norm_grads(node, g, x, weight)


def _group_norm_grads(node, g, x, weight, half=False):
    groups, eps = node._args
    n = x.shape[0]
    channel = (1, x.shape[1]) + (1,) * (x.dim() - 2)
    xg = x.reshape(n, groups, -1)
    if half:
        mean = xg.mean((2,), keepdim=True)
        _, rstd = _normalised(xg, (2,), eps)
        mean, rstd = mean.half().float(), rstd.half().float()
        xhat = (xg - mean) * rstd
    else:
        xhat, rstd = _normalised(xg, (2,), eps)
    sum_dims = (0,) + tuple(range(2, x.dim()))
    grad_x = grad_w = grad_b = None
    if node.needs_input_grad(0):
        gx = (g if weight is None else g * weight.reshape(channel)).reshape(n, groups, -1)
        if half:
            grad_x = _input_grad_in_kernel_terms(gx, xg, mean, rstd, (2,)).reshape(x.shape)
        else:
            grad_x = _input_grad(gx, xhat, rstd, (2,)).reshape(x.shape)
    if node.needs_input_grad(1):
        grad_w = (g * xhat.reshape(x.shape)).sum(sum_dims)
    if node.needs_input_grad(2):
        grad_b = g.sum(sum_dims)
    return grad_x, grad_w, grad_b


GroupNormNode = defop("NativeGroupNormBackward0", _group_norm_vjp, batchable=False)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise channel groups (channels split into num_groups) of each sample.

    >>> group_norm(tensor([[[0.], [2.]]]), 1).reshape(-1)
    tensor([-1.0000,  1.0000])
    """
    if input.dim() < 2 or input.shape[1] % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(input.shape)} and num_groups={num_groups}"
        )
    channels = input.shape[1]
    sizes = [input.shape[0] * channels // num_groups, num_groups, *input.shape[2:]]
    if math.prod(sizes[:1] + sizes[2:]) == 1:  # each group would hold one value
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {sizes}"
        )
    _check_numel("weight", weight, channels)
    _check_numel("bias", bias, channels)
    data = input._data
    n = data.shape[0]
    out = _stats(data.reshape(n, num_groups, -1), (2,), eps).reshape(data.shape)
    channel = (1, channels) + (1,) * (data.ndim - 2)
    if weight is not None:
        out = out * weight._data.reshape(channel)
    if bias is not None:
        out = out + bias._data.reshape(channel)
    result = make(out.astype(data.dtype, copy=False), input._dtype)
    return record(GroupNormNode, result, (input, weight, bias), (input, weight), (num_groups, eps))


# --------------------------------------------------------------------------- batch_norm


def _batch_norm_vjp(node, g):
    saved = node.saved
    x, weight = saved[0], saved[1]
    training, eps, running = node._args
    dims = (0,) + tuple(range(2, x.dim()))
    channel = (1, x.shape[1]) + (1,) * (x.dim() - 2)
    if training:
        xhat, rstd = _normalised(x, dims, eps)
    else:
        mean, var = (make(r, x._dtype).reshape(channel) for r in running)
        rstd = (var + eps).rsqrt()
        xhat = (x - mean) * rstd
    grad_x = grad_w = grad_b = None
    if node.needs_input_grad(0):
        gx = g if weight is None else g * weight.reshape(channel)
        if training:
            grad_x = _input_grad(gx, xhat, rstd, dims)
        else:  # running statistics: the input enters only through torch's backward kernel
            grad_x = keep_connected(gx * rstd, (x,), _BATCH_NORM_BACKWARD, zeros=False)
    if node.needs_input_grad(1):
        grad_w = (g * xhat).sum(dims)
    if node.needs_input_grad(2):
        grad_b = _bias_grad(g.sum(dims), x, weight, _BATCH_NORM_BACKWARD)
    return grad_x, grad_w, grad_b


_BATCH_NORM_BACKWARD = "NativeBatchNormBackwardBackward0"


BatchNormNode = defop("NativeBatchNormBackward0", _batch_norm_vjp, batchable=False)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):  # fmt: skip
    """Normalise each channel (dim 1) by batch statistics (training) or the running ones.

    In training, running_mean/running_var (when given) move towards the batch mean and the
    unbiased batch variance by ``momentum``, in place.

    >>> batch_norm(tensor([[1.], [3.]]), None, None, training=True)
    tensor([[-1.0000],
            [ 1.0000]])
    """
    data = input._data
    if training:  # torch checks the batch before anything else
        _check_values_per_channel(data.shape)
    channels = data.shape[1] if data.ndim > 1 else 0
    for name, value in (("running_mean", running_mean), ("running_var", running_var),
                        ("weight", weight), ("bias", bias)):  # fmt: skip
        _check_numel(name, value, channels)
    _check_running_stats_need_no_grad(running_mean, running_var)
    if not training:
        for name, value in (("running_mean", running_mean), ("running_var", running_var)):
            if value is None:
                raise RuntimeError(f"{name} must be defined in evaluation mode")
    if data.ndim < 2:  # torch reads size(1)
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    if data.size == 0:
        return _empty_batch_norm(input, weight, bias)
    count = data.size // channels
    dims = (0,) + tuple(range(2, data.ndim))
    channel = (1, channels) + (1,) * (data.ndim - 2)
    if training:
        wide = data.astype(xp.float64) if data.dtype.itemsize < 8 else data
        mean = wide.mean(axis=dims)
        var = ((wide - mean.reshape(channel)) ** 2).mean(axis=dims)
        stats = None
        if running_mean is not None and running_var is not None:
            _update_running(running_mean, mean, momentum)
            unbiased = var.astype(data.dtype) * (count / (count - 1))
            _update_running(running_var, unbiased, momentum)
    else:
        mean, var = running_mean._data, running_var._data
        stats = (mean.copy(), var.copy())
    out = _batch_norm_transform(data, mean, var, weight, bias, eps, channel)
    result = make(out, input._dtype)
    args = (training, eps, stats)
    return record(BatchNormNode, result, (input, weight, bias), (input, weight), args)


def _check_values_per_channel(shape):
    """torch refuses to train on a single value per channel (N times the spatial sizes)."""
    if not shape:
        raise IndexError("tuple index out of range")
    count = shape[0]
    for size in shape[2:]:
        count *= size
    if count == 1:
        raise ValueError(
            "Expected more than 1 value per channel when training, got input size "
            f"torch.Size({list(shape)})"
        )


def _empty_batch_norm(input, weight, bias):
    """An empty input is copied, running statistics untouched; as torch's, the result still
    depends on weight and bias (scaled by their first entries), so they get zero gradients."""
    for value in (weight, bias):
        if value is not None and value.numel() == 0:  # (an empty affine instance_norm too)
            raise IndexError("select(): index 0 out of range for tensor of size [0] at dimension 0")
    out = input.clone()
    if weight is not None:
        out = out * weight[0]
    if bias is not None:
        out = out + bias[0]
    return out


def _check_running_stats_need_no_grad(running_mean, running_var):
    """torch has no derivative for the running statistics: while grad mode is on, a running
    buffer that requires grad is refused."""
    if not is_grad_enabled():
        return
    for name, value in (("running_mean", running_mean), ("running_var", running_var)):
        if value is not None and value.requires_grad:
            raise RuntimeError(
                f"The function 'native_batch_norm' is not differentiable with respect to "
                f"argument '{name}'. This input cannot have requires_grad True."
            )


def _batch_norm_transform(data, mean, var, weight, bias, eps, channel):
    """x * alpha + beta with alpha = invstd * weight, beta = bias - mean * alpha, as torch's
    CPU kernel computes it: the per-channel factors in the input's dtype, the multiply-add
    rounded once (its fused form)."""
    dtype = data.dtype
    if var.dtype == dtype:  # running statistics: torch computes invstd in their dtype
        invstd = (1 / xp.sqrt(var + dtype.type(eps))).astype(dtype)
    else:  # batch statistics, accumulated in double
        invstd = (1.0 / xp.sqrt(var + eps)).astype(dtype)
    alpha = invstd if weight is None else invstd * weight._data.astype(dtype, copy=False)
    beta = -(mean.astype(dtype) * alpha)
    if bias is not None:
        beta = bias._data.astype(dtype, copy=False) + beta
    if dtype.itemsize < 8:
        wide = data.astype(xp.float64) * alpha.reshape(channel) + beta.reshape(channel)
        return wide.astype(dtype)
    return data * alpha.reshape(channel) + beta.reshape(channel)


def _update_running(buffer, value, momentum):
    """buffer = (1 - momentum) * buffer + momentum * value, in place (no graph)."""
    data = buffer._data
    data *= 1 - momentum
    data += (momentum * value.astype(data.dtype)).astype(data.dtype, copy=False)
    buffer._vbox[0] += 1


for _func, _grad_fn in (
    (layer_norm, "NativeLayerNormBackward0"),
    (group_norm, "NativeGroupNormBackward0"),
    (batch_norm, "NativeBatchNormBackward0"),
):
    export(
        f"nn.functional.{_func.__name__}",
        _func,
        function=False,
        method=False,
        grad_fns=(_grad_fn,),
    )
