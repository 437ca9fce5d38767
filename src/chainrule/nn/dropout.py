"""Dropout: zero entries with probability p in training, scaling the rest by 1 / (1 - p).

>>> import chainrule as torch
>>> torch.nn.Dropout(0.5).eval()(torch.ones(3))
tensor([1., 1., 1.])
"""

from __future__ import annotations

from .._tensor import make
from ..ops.creation import _rng
from .module import Module

__all__ = ["dropout", "dropout2d", "Dropout", "Dropout2d"]


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _mask(input, shape, p):
    keep = _rng(None).random(shape) >= p
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    return make((keep * scale).astype(input._dtype.np), input._dtype)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each entry with probability p (training only); scale kept ones by 1/(1-p).

    >>> dropout(ones(4), p=0.0)
    tensor([1., 1., 1., 1.])
    """
    _check_p(p)
    if not training or p == 0:
        return input
    return input * _mask(input, tuple(input.shape), p)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) or (C, H, W) input with probability p."""
    _check_p(p)
    if not training or p == 0:
        return input
    shape = tuple(input.shape[:-2]) + (1, 1)
    return input * _mask(input, shape, p)


class Dropout(Module):
    """dropout in training mode, the identity in eval mode."""

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        _check_p(p)
        self.p, self.inplace = p, inplace

    def forward(self, input):
        return dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout2d(Dropout):
    """dropout2d (whole channels) in training mode, the identity in eval mode."""

    def forward(self, input):
        return dropout2d(input, self.p, self.training, self.inplace)
