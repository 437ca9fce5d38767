"""Pooling modules: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d (over ops/pooling.py).

>>> import chainrule as torch
>>> torch.nn.MaxPool2d(2)
MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
"""

from __future__ import annotations

from ..ops.pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from .module import Module

__all__ = [
    "MaxPool1d",
    "MaxPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "max_pool1d",
    "avg_pool1d",
    "adaptive_avg_pool1d",
]


def _single(value):
    return value if isinstance(value, int) else value[0]


def _check_1d(input, name):
    """torch's argument check for the 1-d pools that run on a 2-d kernel (which then refuses
    empty non-batch dims of the unsqueezed input with its own message)."""
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for argument "
            f"#1 'self' (while checking arguments for {name})"
        )


def _check_max_pool1d(input):
    """max_pool1d without indices has a kernel of its own: (C, L) or (N, C, L), only N may
    be 0."""
    shape = tuple(input.shape)
    if len(shape) not in (2, 3) or 0 in shape[-2:]:
        raise RuntimeError(
            "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
            f"for input, but got:{list(shape)}"
        )


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):  # fmt: skip
    """max_pool2d over a length-1 height, as torch computes it (the result squeezed).

    >>> max_pool1d(tensor([[[1., 3., 2., 0.]]]), 2)
    tensor([[[3., 2.]]])
    """
    if return_indices:
        _check_1d(input, "max_pool1d")
    else:
        _check_max_pool1d(input)
    stride = kernel_size if stride is None or stride == () else stride
    out = max_pool2d(input.unsqueeze(-2), (1, _single(kernel_size)), (1, _single(stride)),
                     (0, _single(padding)), (1, _single(dilation)), ceil_mode,
                     return_indices)  # fmt: skip
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):  # fmt: skip
    """avg_pool2d over a length-1 height, as torch computes it (the result squeezed).

    >>> avg_pool1d(tensor([[[1., 3., 2., 0.]]]), 2)
    tensor([[[2., 1.]]])
    """
    _check_1d(input, "avg_pool1d")
    stride = kernel_size if stride is None or stride == () else stride
    out = avg_pool2d(input.unsqueeze(-2), (1, _single(kernel_size)), (1, _single(stride)),
                     (0, _single(padding)), ceil_mode, count_include_pad)  # fmt: skip
    return out.squeeze(-2)


def adaptive_avg_pool1d(input, output_size):
    """adaptive_avg_pool2d over a length-1 height (the result squeezed).

    >>> adaptive_avg_pool1d(tensor([[[1., 3., 2., 0.]]]), 1)
    tensor([[[1.5000]]])
    """
    _check_1d(input, "adaptive_avg_pool1d")
    out = adaptive_avg_pool2d(input.unsqueeze(-2), (1, _single(output_size)))
    return out.squeeze(-2)


class MaxPool2d(Module):
    """The maximum of each window (stride defaults to the kernel size).

    >>> MaxPool2d(2)(randn(1, 3, 8, 8)).shape
    torch.Size([1, 3, 4, 4])
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):  # fmt: skip
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input):
        return max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                          self.ceil_mode, self.return_indices)  # fmt: skip

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool2d(Module):
    """The mean of each window (stride defaults to the kernel size).

    >>> AvgPool2d(2)(ones(1, 1, 4, 4)).shape
    torch.Size([1, 1, 2, 2])
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):  # fmt: skip
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input):
        return avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad, self.divisor_override)  # fmt: skip

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool1d(MaxPool2d):
    """max_pool1d as a Module."""

    def forward(self, input):
        return max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                          self.ceil_mode, self.return_indices)  # fmt: skip


class AvgPool1d(AvgPool2d):
    """avg_pool1d as a Module (its options print as 1-tuples, as in torch)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):  # fmt: skip
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)
        self.kernel_size = (_single(self.kernel_size),)
        self.stride = (_single(self.stride),)
        self.padding = (_single(self.padding),)

    def forward(self, input):
        return avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad)  # fmt: skip


class AdaptiveAvgPool1d(Module):
    """adaptive_avg_pool1d as a Module."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size.

    >>> AdaptiveAvgPool2d((1, 1))(randn(2, 3, 7, 5)).shape
    torch.Size([2, 3, 1, 1])
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
