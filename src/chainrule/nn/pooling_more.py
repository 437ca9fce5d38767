"""Power-average pooling (lp_pool1d/2d) and adaptive max pooling, with their Modules.

lp_pool is composed as torch composes it: (sum over the window of x^p)^(1/p), computed as
the window average times the window size (so its grad_fn is torch's PowBackward0).

>>> import chainrule as torch
>>> torch.nn.functional.lp_pool1d(torch.tensor([[[3., 4., 0., 0.]]]), 2, 2)
tensor([[[5., 0.]]])
"""

from __future__ import annotations

from ..ops.conv import _pair
from ..ops.elementwise import relu
from ..ops.nn_more import adaptive_max_pool1d, adaptive_max_pool2d
from ..ops.pooling import avg_pool2d, max_pool2d
from .module import Module
from .pooling import avg_pool1d, max_pool1d

__all__ = [
    "lp_pool1d",
    "lp_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "LPPool1d",
    "LPPool2d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
]

_INF = float("inf")


def _root_of_sum(mean, window, norm_type):
    """(window * mean)^(1/p), with negative means (odd p) clipped at 0 as torch does."""
    return (mean.sign() * relu(mean.abs())).mul(window).pow(1.0 / norm_type)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """The p-norm of each window: (sum of x^p)^(1/p); inf gives max pooling of |x|.

    >>> lp_pool2d(ones(1, 1, 2, 2), 2, 2)
    tensor([[[[2.]]]])
    """
    kh, kw = _pair(kernel_size)
    if norm_type == _INF:
        return max_pool2d(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -_INF:
        return -max_pool2d(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    mean = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _root_of_sum(mean, kh * kw, norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """lp_pool2d's 1-d form over the last dim.

    >>> lp_pool1d(tensor([[[1., 1., 2.]]]), 1, 3)
    tensor([[[4.]]])
    """
    if norm_type == _INF:
        return max_pool1d(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -_INF:
        return -max_pool1d(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    mean = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    size = kernel_size if isinstance(kernel_size, int) else kernel_size[0]
    return _root_of_sum(mean, size, norm_type)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """adaptive_max_pool2d's (values, indices), whatever return_indices says (as in torch).

    >>> adaptive_max_pool2d_with_indices(tensor([[[[1., 3.], [2., 0.]]]]), 1)[1]
    tensor([[[[1]]]])
    """
    return adaptive_max_pool2d(input, output_size, return_indices=True)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """adaptive_max_pool1d's (values, indices), whatever return_indices says (as in torch)."""
    return adaptive_max_pool1d(input, output_size, return_indices=True)


class LPPool2d(Module):
    """lp_pool2d as a Module.

    >>> LPPool2d(2, 2)
    LPPool2d(norm_type=2, kernel_size=2, stride=None, ceil_mode=False)
    """

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type, self.kernel_size = norm_type, kernel_size
        self.stride, self.ceil_mode = stride, ceil_mode

    def forward(self, input):
        return lp_pool2d(input, float(self.norm_type), self.kernel_size, self.stride,
                         self.ceil_mode)  # fmt: skip

    def extra_repr(self) -> str:
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, ceil_mode={self.ceil_mode}"
        )


class LPPool1d(LPPool2d):
    """lp_pool1d as a Module."""

    def forward(self, input):
        return lp_pool1d(input, float(self.norm_type), self.kernel_size, self.stride,
                         self.ceil_mode)  # fmt: skip


class AdaptiveMaxPool2d(Module):
    """adaptive_max_pool2d as a Module.

    >>> AdaptiveMaxPool2d((2, None))
    AdaptiveMaxPool2d(output_size=(2, None))
    """

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input):
        return adaptive_max_pool2d(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(AdaptiveMaxPool2d):
    """adaptive_max_pool1d as a Module."""

    def forward(self, input):
        return adaptive_max_pool1d(input, self.output_size, self.return_indices)
