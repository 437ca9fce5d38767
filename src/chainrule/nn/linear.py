"""Linear layers and shape helpers: Identity, Linear, Bilinear, Flatten, Unflatten.

>>> import chainrule as torch
>>> layer = torch.nn.Linear(3, 2)
>>> layer(torch.ones(4, 3)).grad_fn
<AddmmBackward0 object at 0x...>
"""

from __future__ import annotations

import math

from .. import _backend
from .._tensor import Tensor
from ..ops.nn_ops import addmm
from . import init
from .module import Module
from .parameter import register_weight_and_bias

__all__ = ["Identity", "Linear", "Bilinear", "Flatten", "Unflatten", "linear", "bilinear"]


def _check_same_dtype(input, weight):
    if input._dtype is not weight._dtype:
        raise RuntimeError(
            "mat1 and mat2 must have the same dtype, but got "
            f"{input._dtype.scalar_name} and {weight._dtype.scalar_name}"
        )


def _check_shapes(input, weight):
    if weight.dim() == 2 and input.dim() >= 1 and input.shape[-1] != weight.shape[1]:
        rows = 1
        for size in input.shape[:-1]:
            rows *= size
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input.shape[-1]} and "
            f"{weight.shape[1]}x{weight.shape[0]})"
        )


def linear(input, weight, bias=None):
    """input @ weight.T + bias, recorded as torch records it (AddmmBackward0 for 2-D input).

    >>> linear(ones(2, 3), ones(4, 3), zeros(4))
    tensor([[3., 3., 3., 3.],
            [3., 3., 3., 3.]])
    """
    _check_shapes(input, weight)  # torch reports the shapes before the dtypes
    _check_same_dtype(input, weight)
    if bias is None:
        return input.matmul(weight.t())
    if input.dim() == 2:
        return addmm(bias, input, weight.t())
    if input.dim() == 0:
        raise RuntimeError(
            "both arguments to linear need to be at least 1D, but they are 0D and 2D"
        )
    lead = tuple(input.shape[:-1])
    flat = input.reshape(-1, input.shape[-1]) if input.dim() > 1 else input.view(1, -1)
    return addmm(bias, flat, weight.t()).view(*lead, weight.shape[0])


def bilinear(input1, input2, weight, bias=None):
    """y_o = x1^T A_o x2 + b_o for weight A of shape (out, in1, in2).

    >>> bilinear(ones(1, 2), ones(1, 3), ones(4, 2, 3)).shape
    torch.Size([1, 4])
    """
    out, in1, in2 = weight.shape
    if input1.shape[-1] != in1:
        raise RuntimeError(
            f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
            f"expected {in1}"
        )
    if input2.shape[-1] != in2:
        raise RuntimeError(
            f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
            f"expected {in2}"
        )
    if tuple(input1.shape[:-1]) != tuple(input2.shape[:-1]):
        raise RuntimeError(
            "bilinear(): input batch dimensions do not match: got "
            f"{list(input1.shape[:-1])} and {list(input2.shape[:-1])}"
        )
    lead = tuple(input1.shape[:-1])
    x1, x2 = input1.reshape(-1, in1), input2.reshape(-1, in2)
    mixed = x1.matmul(weight.permute(1, 0, 2).reshape(in1, out * in2)).reshape(-1, out, in2)
    result = (mixed * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        result = result + bias
    if len(lead) == 1:
        return result
    return result.view(*lead, out)  # other batch shapes: recorded last as a view, as in torch


def _float_dtype(dtype):
    return dtype or _backend.defaults.float_dtype


class Identity(Module):
    """Returns its input (arguments are accepted and ignored).

    >>> Identity(54, unused="x")(ones(2))
    tensor([1., 1.])
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """y = x W^T + b; W and b start uniform in +-1/sqrt(in_features), as in torch.

    >>> Linear(3, 2).weight.shape
    torch.Size([2, 3])
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None):  # fmt: skip
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        dtype = _float_dtype(dtype)
        register_weight_and_bias(self, (out_features, in_features), out_features, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.default_reset(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class NonDynamicallyQuantizableLinear(Linear):
    """The Linear that MultiheadAttention uses for its output projection (same maths)."""


class Bilinear(Module):
    """y = x1^T A x2 + b, with A of shape (out, in1, in2), uniform in +-1/sqrt(in1).

    >>> Bilinear(2, 3, 4)(ones(5, 2), ones(5, 3)).shape
    torch.Size([5, 4])
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device=None, dtype=None):  # fmt: skip
        super().__init__()
        self.in1_features, self.in2_features = in1_features, in2_features
        self.out_features = out_features
        dtype = _float_dtype(dtype)
        shape = (out_features, in1_features, in2_features)
        register_weight_and_bias(self, shape, out_features, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )


class Flatten(Module):
    """Flatten dims start_dim..end_dim (by default all but the batch dim).

    >>> Flatten()(ones(2, 3, 4)).shape
    torch.Size([2, 12])
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``.

    >>> Unflatten(1, (2, 5))(ones(3, 10)).shape
    torch.Size([3, 2, 5])
    """

    def __init__(self, dim: int, unflattened_size):
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input):
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
