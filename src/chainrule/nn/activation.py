"""Activation modules: thin Modules over the functions of ops/activations.py, printing as
torch prints them.

>>> import chainrule as torch
>>> torch.nn.LeakyReLU(0.2)(torch.tensor([-1., 2.]))
tensor([-0.2000,  2.0000])
"""

from __future__ import annotations

from .. import _backend
from ..ops import activations as act
from ..ops.composite import composite
from .module import Module
from .parameter import Parameter

__all__ = [
    "ReLU",
    "ReLU6",
    "LeakyReLU",
    "PReLU",
    "ELU",
    "CELU",
    "SELU",
    "GELU",
    "SiLU",
    "Mish",
    "Tanh",
    "Sigmoid",
    "Hardtanh",
    "Hardsigmoid",
    "Hardswish",
    "Softplus",
    "Softsign",
    "Tanhshrink",
    "LogSigmoid",
    "Threshold",
    "Softmax",
    "LogSoftmax",
    "Softmin",
    "softmax_dim",
]


def _inplace_repr(inplace: bool) -> str:
    return "inplace=True" if inplace else ""


class _Inplace(Module):
    """An activation whose only option is ``inplace`` (computed out of place, same values)."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace)


class ReLU(_Inplace):
    """max(x, 0).

    >>> ReLU()(tensor([-1., 2.]))
    tensor([0., 2.])
    """

    def forward(self, input):
        return input.relu_() if self.inplace else input.relu()


class ReLU6(_Inplace):
    """min(max(x, 0), 6)."""

    def forward(self, input):
        return act.relu6(input)


class SELU(_Inplace):
    """Scaled ELU with the self-normalising constants."""

    def forward(self, input):
        return act.selu(input)


class SiLU(_Inplace):
    """x * sigmoid(x)."""

    def forward(self, input):
        return act.silu(input)


class Mish(_Inplace):
    """x * tanh(softplus(x))."""

    def forward(self, input):
        return act.mish(input)


class Hardsigmoid(_Inplace):
    """relu6(x + 3) / 6."""

    def forward(self, input):
        return act.hardsigmoid(input)


class Hardswish(_Inplace):
    """x * relu6(x + 3) / 6."""

    def forward(self, input):
        return act.hardswish(input)


class LeakyReLU(Module):
    """x where x > 0, else negative_slope * x."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input):
        return act.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """x where x > 0, else alpha * (exp(x) - 1)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return act.elu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(ELU):
    """x where x > 0, else alpha * (exp(x / alpha) - 1)."""

    def forward(self, input):
        return act.celu(input, self.alpha)


class Hardtanh(Module):
    """x clamped to [min_val, max_val]."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
        super().__init__()
        if max_val <= min_val:
            raise ValueError("max_val must be greater than min_val")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input):
        return act.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        extra = ", inplace=True" if self.inplace else ""
        return f"min_val={self.min_val}, max_val={self.max_val}{extra}"


class GELU(Module):
    """x * Phi(x), or its tanh approximation."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return act.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """log(1 + exp(beta x)) / beta."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return act.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


_threshold = composite(
    "ThresholdBackward0", lambda input, threshold, value: input.where(input > threshold, value)
)


def threshold(input, threshold, value, inplace=False):
    """x where x > threshold, else value (grad_fn ThresholdBackward0)."""
    return _threshold(input, threshold=threshold, value=value)


def _prelu(input, weight):
    if input.dim() >= 2 and weight.numel() > 1:
        weight = weight.reshape(-1, *([1] * (input.dim() - 2)))
    return input.where(input > 0, input * weight)


_prelu_op = composite("PreluKernelBackward0", _prelu)


def prelu(input, weight):
    """x where x > 0, else weight * x; weight has one slope, or one per channel (dim 1)."""
    if weight._dtype is not input._dtype:
        raise RuntimeError(
            "prelu: Type promoting not supported. Got "
            f"{input._dtype.scalar_name} and {weight._dtype.scalar_name}"
        )
    if weight.numel() != 1:
        if input.dim() == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.dim() >= 2 else 1
        if weight.numel() != channels:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter numbers "
                f"= {weight.numel()} and channel size = {channels}."
            )
    return _prelu_op(input, weight)


class Threshold(Module):
    """x where x > threshold, else value."""

    def __init__(self, threshold: float, value: float, inplace: bool = False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input):
        return threshold(input, self.threshold, self.value)

    def extra_repr(self) -> str:
        extra = ", inplace=True" if self.inplace else ""
        return f"threshold={self.threshold}, value={self.value}{extra}"


class PReLU(Module):
    """x where x > 0, else a * x with a learnt slope a (one, or one per channel)."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        from ..ops.creation import full

        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(full((num_parameters,), init, dtype=dtype))

    def forward(self, input):
        return prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Tanh(Module):
    """tanh(x)."""

    def forward(self, input):
        return input.tanh()


class Sigmoid(Module):
    """1 / (1 + exp(-x))."""

    def forward(self, input):
        return input.sigmoid()


class Softsign(Module):
    """x / (1 + |x|)."""

    def forward(self, input):
        return input / (input.abs() + 1)


class Tanhshrink(Module):
    """x - tanh(x)."""

    def forward(self, input):
        return input - input.tanh()


class LogSigmoid(Module):
    """log(sigmoid(x)), computed stably as -softplus(-x)."""

    def forward(self, input):
        return -act.softplus(-input)


def softmax_dim(ndim: int, name: str = "softmax") -> int:
    """torch's implicit softmax dim (with its deprecation warning): 0 for 0/1/3-D, else 1."""
    _backend.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument."
    )
    return 0 if ndim in (0, 1, 3) else 1


class _SoftmaxBase(Module):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    _name = "softmax"

    def _dim(self, input):
        return self.dim if self.dim is not None else softmax_dim(input.dim(), self._name)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_SoftmaxBase):
    """exp(x) / sum(exp(x)) along ``dim``."""

    def forward(self, input):
        return input.softmax(self._dim(input))


class LogSoftmax(_SoftmaxBase):
    """log(softmax(x)) along ``dim``."""

    _name = "log_softmax"

    def forward(self, input):
        return input.log_softmax(self._dim(input))


class Softmin(_SoftmaxBase):
    """softmax(-x) along ``dim``."""

    _name = "softmin"

    def forward(self, input):
        return (-input).softmax(self._dim(input))
