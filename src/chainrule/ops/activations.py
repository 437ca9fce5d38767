"""Activation functions: softplus, elu/selu/celu, gelu, silu, mish, leaky_relu, hardtanh, ...

Each has its own node with torch's grad_fn name, saving the input as torch does. torch
publishes most of them only in ``torch.nn.functional``: those are registered as
``nn.functional.<name>`` (no ``torch.<name>``, no method) and published by
``chainrule.nn.functional``; selu and celu are also ``torch.selu`` / ``torch.celu``.
"""

from __future__ import annotations

import math

from .. import _backend
from .._backend import FLOAT, xp
from .._registry import defop, export, keep_connected, record
from .._tensor import make, wrap_dim
from .elementwise import sigmoid, where
from .joining import cat
from .special import _refuse, erf

__all__ = [
    "softplus",
    "elu",
    "selu",
    "celu",
    "gelu",
    "silu",
    "mish",
    "leaky_relu",
    "hardtanh",
    "relu6",
    "hardsigmoid",
    "hardswish",
    "logsigmoid",
    "glu",
]

_quiet = _backend.quiet
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_INV_SQRT_2 = 1 / math.sqrt(2)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_GELU_BETA = math.sqrt(2 / math.pi)  # the tanh approximation's constants
_GELU_KAPPA = 0.044715


def _activate(input, kernel_name, forward, node_cls, args=None):
    """Apply ``forward(data, args)`` to a floating tensor and record ``node_cls`` (saving the
    input); integer and bool tensors get torch's NotImplementedError."""
    dtype = input._dtype
    if dtype.kind != FLOAT:
        _refuse(kernel_name, dtype)
    result = _quiet(forward)(_backend.opmath(input._data), args)  # half: float32, one rounding
    out = make(xp.asarray(result).astype(dtype.np, copy=False), dtype)
    return record(node_cls, out, (input,), (input,), args)


def _half_in_float32(rule):
    """A rule whose float16 arithmetic is done in float32 and rounded once at the end, as
    torch's fused half backward kernels do (softplus_backward, elu_backward, ...). The casts
    are chainrule ops, so higher derivatives still flow; other dtypes run the rule as is."""

    def wrapped(node, g):
        if g._dtype is not _backend.float16:
            return rule(node, g, *node.saved)
        wide = rule(node, g.float(), *(t.float() for t in node.saved))
        return tuple(None if r is None else r.half() for r in wide)

    return wrapped


def _no_inplace(inplace):
    if inplace:
        raise NotImplementedError("chainrule does not support inplace=True activations yet")


# --------------------------------------------------------------------------- softplus


def _softplus_rule(node, g, x):
    beta, threshold = node._args
    scaled = x * beta
    return (where(scaled > threshold, g, g * sigmoid(scaled)),)


_SoftplusNode = defop("SoftplusBackward0", _half_in_float32(_softplus_rule))


def _softplus_forward(x, args):
    beta, threshold = args
    return xp.where(x * beta > threshold, x, xp.log1p(xp.exp(x * beta)) / beta)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta; x itself where beta * x > threshold."""
    return _activate(input, "softplus_cpu", _softplus_forward, _SoftplusNode, (beta, threshold))


# --------------------------------------------------------------------------- logsigmoid, glu


def _logsigmoid_rule(node, g):
    (x,) = node.saved
    if g._dtype is not _backend.float16:
        return (g * sigmoid(-x),)
    # torch's half kernel: the forward's buffer exp(-|x|) is stored in half, the rest is
    # computed in float32 and rounded once
    z = (-x.abs()).exp().float()
    q = z / (z + 1)
    return ((g.float() * where(x < 0, 1 - q, q)).half(),)


_LogSigmoidNode = defop("LogSigmoidBackward0", _logsigmoid_rule)


def logsigmoid(input):
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), without overflow for large |x|."""
    forward = lambda x, _: xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))  # noqa: E731
    return _activate(input, "log_sigmoid_cpu", forward, _LogSigmoidNode)


def _glu_rule(node, g):
    (x,) = node.saved
    d = node._args  # counted from the end: batched gradients have extra leading dims
    a, b = x.chunk(2, d)
    gate = sigmoid(b)  # in x's dtype (half for half, as torch's kernel reads it)
    half = g._dtype is _backend.float16
    if half:  # the products in float32, rounded once, as torch's half kernel
        g, a, gate = g.float(), a.float(), gate.float()
    grad = cat([gate * g, (1 - gate) * gate * a * g], d)  # torch's order of products
    return (grad.half() if half else grad,)


_GluNode = defop("GluBackward0", _glu_rule)


def glu(input, dim=-1):
    """a * sigmoid(b) for the two halves a, b of ``input`` along ``dim``."""
    data = input._data
    if data.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = wrap_dim(dim, data.ndim)
    if data.shape[d] % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {d} is size {data.shape[d]}"
        )

    def forward(x, _):
        a, b = xp.split(x, 2, axis=d)
        return a / (1 + xp.exp(-b))

    return _activate(input, "glu_cpu", forward, _GluNode, d - data.ndim)


# --------------------------------------------------------------------------- elu family


def _elu_rule(node, g, x):
    alpha, scale, input_scale = node._args
    negative = g * (scale * alpha * input_scale) * (x * input_scale).exp()
    return (where(x <= 0, negative, g * scale),)  # nan: the linear side, as torch


def _elu_forward(x, args):
    alpha, scale, input_scale = args
    return xp.where(x > 0, x * scale, xp.expm1(x * input_scale) * (alpha * scale))


def _celu_rule(node, g, x):
    (alpha,) = node._args
    return (where(x <= 0, g * (x / alpha).exp(), g),)  # nan: the linear side, as torch


_EluNode = defop("EluBackward0", _half_in_float32(_elu_rule))
_CeluNode = defop("CeluBackward0", _half_in_float32(_celu_rule))


def elu(input, alpha=1.0, inplace=False):
    """x where x > 0, else alpha * (exp(x) - 1)."""
    _no_inplace(inplace)
    return _activate(input, "elu_cpu", _elu_forward, _EluNode, (alpha, 1, 1))


def selu(input, inplace=False):
    """scale * elu(x, alpha) with the self-normalising constants (recorded as EluBackward0)."""
    _no_inplace(inplace)
    return _activate(input, "elu_cpu", _elu_forward, _EluNode, (_SELU_ALPHA, _SELU_SCALE, 1))


def celu(input, alpha=1.0, inplace=False):
    """x where x > 0, else alpha * (exp(x / alpha) - 1)."""
    _no_inplace(inplace)
    forward = lambda x, args: _elu_forward(x, (alpha, 1, 1 / alpha))  # noqa: E731
    return _activate(input, "elu_cpu", forward, _CeluNode, (alpha,))


# --------------------------------------------------------------------------- gelu


def _gelu_rule(node, g, x):
    (approximate,) = node._args
    if approximate == "tanh":
        inner = (x + x * x * x * _GELU_KAPPA) * _GELU_BETA
        t = inner.tanh()
        slope = (x * x * (3 * _GELU_KAPPA) + 1) * _GELU_BETA
        return (g * ((t + 1) * 0.5 + x * 0.5 * (1 - t * t) * slope),)
    cdf = (erf(x * _INV_SQRT_2) + 1) * 0.5
    pdf = (x * x * -0.5).exp() * _INV_SQRT_2PI
    return (g * (cdf + x * pdf),)


_GeluNode = defop("GeluBackward0", _half_in_float32(_gelu_rule))


def _gelu_forward(x, args):
    if args[0] == "tanh":
        inner = _GELU_BETA * (x + _GELU_KAPPA * x * x * x)
        return 0.5 * x * (1 + xp.tanh(inner))
    from .special import _erf64

    return 0.5 * x * (1 + _erf64(x * _INV_SQRT_2))


def gelu(input, approximate="none"):
    """x * Phi(x) (Phi the normal CDF), or its tanh approximation with approximate='tanh'."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _activate(input, "GeluKernelImpl", _gelu_forward, _GeluNode, (approximate,))


# --------------------------------------------------------------------------- silu, mish


def _silu_rule(node, g, x):
    s = sigmoid(x)
    return (g * s * (x * (1 - s) + 1),)


def _mish_rule(node, g, x):
    t = softplus(x).tanh()
    return (g * (t + x * sigmoid(x) * (1 - t * t)),)


_SiluNode = defop("SiluBackward0", _half_in_float32(_silu_rule))
_MishNode = defop("MishBackward0", _half_in_float32(_mish_rule))


def silu(input, inplace=False):
    """x * sigmoid(x)."""
    _no_inplace(inplace)
    return _activate(input, "silu_cpu", lambda x, _: x / (1 + xp.exp(-x)), _SiluNode)


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    _no_inplace(inplace)
    return _activate(input, "mish_cpu", lambda x, _: x * xp.tanh(xp.logaddexp(x, 0)), _MishNode)


# --------------------------------------------------------------------------- piecewise linear


def _leaky_relu_rule(node, g):
    (x,) = node.saved
    (slope,) = node._args
    return (keep_connected(where(x > 0, g, g * slope), (x,), "LeakyReluBackwardBackward0"),)


def _hardtanh_rule(node, g):
    (x,) = node.saved
    low, high = node._args
    grad = where((x <= low) | (x >= high), 0.0, g)
    return (keep_connected(grad, (x,), "HardtanhBackwardBackward0"),)


def _hardsigmoid_rule(node, g):
    (x,) = node.saved
    grad = where((x > -3) & (x < 3), g / 6, 0.0)
    # torch has no derivative for hardsigmoid's backward: a node that says so when used
    return (record(_HardsigmoidBackwardNode, make(grad._data, grad._dtype), (g, x)),)


def _no_hardsigmoid_double_backward(node, g):
    raise RuntimeError("derivative for aten::hardsigmoid_backward is not implemented")


def _hardswish_rule(node, g, x):
    # torch's kinks: 0 at -3, g at 3
    return (where(x <= -3, 0.0, where(x < 3, g * (x / 3 + 0.5), g)),)


_LeakyReluNode = defop("LeakyReluBackward0", _leaky_relu_rule)
_HardtanhNode = defop("HardtanhBackward0", _hardtanh_rule)
_HardsigmoidNode = defop("HardsigmoidBackward0", _hardsigmoid_rule)
_HardsigmoidBackwardNode = defop("NotImplemented", _no_hardsigmoid_double_backward)
_HardswishNode = defop("HardswishBackward0", _half_in_float32(_hardswish_rule))


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x where x > 0, else negative_slope * x."""
    _no_inplace(inplace)
    forward = lambda x, args: xp.where(x > 0, x, x * args[0])  # noqa: E731
    return _activate(input, "leaky_relu_cpu", forward, _LeakyReluNode, (negative_slope,))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """x clamped to [min_val, max_val]; integer tensors stay integer."""
    _no_inplace(inplace)
    dtype = input._dtype
    if dtype is _backend.bool_:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    with xp.errstate(invalid="ignore"):
        result = xp.minimum(xp.maximum(input._data, min_val), max_val)
    out = make(result.astype(dtype.np, copy=False), dtype)
    return record(_HardtanhNode, out, (input,), (input,), (min_val, max_val))


def relu6(input, inplace=False):
    """min(max(x, 0), 6) (recorded as HardtanhBackward0, as in torch)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input, inplace=False):
    """min(max(x + 3, 0), 6) / 6."""
    _no_inplace(inplace)
    forward = lambda x, _: xp.minimum(xp.maximum(x + 3, 0), 6) / 6  # noqa: E731
    return _activate(input, "hardsigmoid_cpu", forward, _HardsigmoidNode)


def hardswish(input, inplace=False):
    """x * min(max(x + 3, 0), 6) / 6."""
    _no_inplace(inplace)
    forward = lambda x, _: x * xp.minimum(xp.maximum(x + 3, 0), 6) / 6  # noqa: E731
    return _activate(input, "hardswish_cpu", forward, _HardswishNode)


# --------------------------------------------------------------------------- publish

for _func, _grad_fns in (
    (softplus, ("SoftplusBackward0",)),
    (elu, ("EluBackward0",)),
    (selu, ("EluBackward0",)),
    (celu, ("CeluBackward0",)),
    (gelu, ("GeluBackward0",)),
    (silu, ("SiluBackward0",)),
    (mish, ("MishBackward0",)),
    (leaky_relu, ("LeakyReluBackward0",)),
    (hardtanh, ("HardtanhBackward0",)),
    (relu6, ("HardtanhBackward0",)),
    (hardsigmoid, ("HardsigmoidBackward0",)),
    (hardswish, ("HardswishBackward0",)),
    (logsigmoid, ("LogSigmoidBackward0",)),
    (glu, ("GluBackward0",)),
):
    export(
        f"nn.functional.{_func.__name__}", _func, function=False, method=False, grad_fns=_grad_fns
    )


def _torch_selu(input):
    """torch.selu(input): selu without the inplace flag."""
    return selu(input)


def _torch_celu(input, alpha=1.0):
    """torch.celu(input, alpha): celu without the inplace flag."""
    return celu(input, alpha)


_torch_selu.__name__, _torch_celu.__name__ = "selu", "celu"
# torch.selu and torch.celu exist at the top level too (no Tensor methods)
export("selu", _torch_selu, method=False, grad_fns=("EluBackward0",))
export("celu", _torch_celu, method=False, grad_fns=("CeluBackward0",))
