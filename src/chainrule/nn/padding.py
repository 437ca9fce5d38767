"""Padding modules: ZeroPad, ConstantPad, ReflectionPad, ReplicationPad, CircularPad (1-D and
2-D), over nn.functional.pad.

>>> import chainrule as torch
>>> torch.nn.ReflectionPad1d(2)(torch.tensor([[[1., 2., 3.]]]))
tensor([[[3., 2., 1., 2., 3., 2., 1.]]])
"""

from __future__ import annotations

from ..ops.nn_ops import pad
from .module import Module

__all__ = [
    "ZeroPad1d",
    "ZeroPad2d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "CircularPad1d",
    "CircularPad2d",
]


class _Pad(Module):
    _dims = 1
    _mode = "constant"

    def __init__(self, padding):
        super().__init__()
        n = 2 * self._dims
        self.padding = (padding,) * n if isinstance(padding, int) else tuple(padding)

    def forward(self, input):
        return pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPad(_Pad):
    def __init__(self, padding, value: float):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPad):
    """Pad the last dim with ``value``."""


class ConstantPad2d(_ConstantPad):
    """Pad the last two dims with ``value``."""

    _dims = 2


class ZeroPad1d(_Pad):
    """Pad the last dim with zeros."""


class ZeroPad2d(_Pad):
    """Pad the last two dims with zeros.

    >>> ZeroPad2d(1)(ones(1, 1, 1)).shape
    torch.Size([1, 3, 3])
    """

    _dims = 2


class ReflectionPad1d(_Pad):
    """Pad the last dim with its reflection (the edge not repeated)."""

    _mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Pad the last two dims with their reflection."""

    _dims = 2


class ReplicationPad1d(_Pad):
    """Pad the last dim by repeating its edge values."""

    _mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Pad the last two dims by repeating their edge values."""

    _dims = 2


class CircularPad1d(_Pad):
    """Pad the last dim by wrapping around."""

    _mode = "circular"


class CircularPad2d(CircularPad1d):
    """Pad the last two dims by wrapping around."""

    _dims = 2
