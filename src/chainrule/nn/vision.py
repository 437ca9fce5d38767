"""interpolate (nearest, linear, bilinear) as products with interpolation matrices.

Resizing is separable: each resized dim is a matrix M (out x in) applied along that dim, so
the result is M_h @ x @ M_w^T, recorded with torch's Upsample*Backward0 names; its rule is
the transposed product (ops/pooling.py, shared with adaptive average pooling).

>>> import chainrule as torch
>>> torch.nn.functional.interpolate(torch.tensor([[[1., 2.]]]), scale_factor=2)
tensor([[[1., 1., 2., 2.]]])
"""

from __future__ import annotations

import math

from .._backend import xp
from .._registry import export
from ..ops.pooling import separable_resize
from .module import Module

__all__ = ["interpolate", "Upsample"]

_MODE_DIMS = {"nearest": None, "linear": 1, "bilinear": 2}


def _matrix(size_in, size_out, mode, align_corners, scale, dtype):
    m = xp.zeros((size_out, size_in), dtype)
    dst = xp.arange(size_out, dtype=xp.float64)
    # torch uses 1 / scale_factor when one is given, else in / out
    ratio = (1.0 / scale) if scale else size_in / size_out
    if mode == "nearest":
        src = xp.minimum(xp.floor(dst * ratio).astype(int), size_in - 1)
        m[xp.arange(size_out), src] = 1
        return m
    if align_corners:
        src = dst * ((size_in - 1) / (size_out - 1)) if size_out > 1 else dst * 0
    else:
        src = xp.maximum((dst + 0.5) * ratio - 0.5, 0.0)
    low = xp.minimum(xp.floor(src).astype(int), size_in - 1)
    high = xp.minimum(low + 1, size_in - 1)
    frac = src - low
    rows = xp.arange(size_out)
    xp.add.at(m, (rows, low), 1 - frac)
    xp.add.at(m, (rows, high), frac)
    return m


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):  # fmt: skip
    """Resize the spatial dims (all dims after the channel dim) to ``size`` or by
    ``scale_factor``; modes 'nearest', 'linear' (3-D input) and 'bilinear' (4-D input).

    >>> interpolate(ones(1, 1, 2, 2), size=(3, 3), mode="bilinear").shape
    torch.Size([1, 1, 3, 3])
    """
    if mode not in _MODE_DIMS:
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for "
            f"the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact "
            f"(got {mode})"
        )
    if mode == "nearest" and align_corners is not None:
        raise ValueError(
            "align_corners option can only be set with the interpolating modes: "
            "linear | bilinear | bicubic | trilinear"
        )
    spatial = input.dim() - 2
    needed = _MODE_DIMS[mode]
    if needed is not None and spatial != needed:
        raise NotImplementedError(
            f"Got {input.dim()}D input, but {mode} mode needs {needed + 2}D input"
        )
    if spatial not in (1, 2):
        raise NotImplementedError(
            f"Input Error: Only 3D and 4D input Tensors are supported here (got {input.dim()}D)"
        )
    if (size is None) == (scale_factor is None):
        raise ValueError(
            "only one of size or scale_factor should be defined"
            if size is not None
            else "either size or scale_factor should be defined"
        )
    in_sizes = tuple(input.shape[2:])
    if size is not None:
        sizes = (size,) * spatial if isinstance(size, int) else tuple(size)
        scales = (None,) * spatial
    else:
        scales = (
            (scale_factor,) * spatial
            if not isinstance(scale_factor, (tuple, list))
            else (tuple(scale_factor))
        )
        sizes = tuple(math.floor(s * f) for s, f in zip(in_sizes, scales))
        if recompute_scale_factor:
            scales = (None,) * spatial
    dtype = input._data.dtype
    last = _matrix(in_sizes[-1], sizes[-1], mode, align_corners, scales[-1], dtype)
    first = None
    if spatial == 2:
        first = _matrix(in_sizes[0], sizes[0], mode, align_corners, scales[0], dtype)
    kind = "Nearest" if mode == "nearest" else ("Linear" if spatial == 1 else "Bilinear")
    return separable_resize(input, first, last, f"Upsample{kind}{spatial}DBackward0")


export(
    "nn.functional.interpolate",
    interpolate,
    function=False,
    method=False,
    grad_fns=tuple(
        f"Upsample{kind}DBackward0" for kind in ("Nearest1", "Nearest2", "Linear1", "Bilinear2")
    ),
)


class Upsample(Module):
    """interpolate as a Module."""

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):  # fmt: skip
        super().__init__()
        self.size, self.scale_factor = size, scale_factor
        self.mode, self.align_corners = mode, align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                           self.recompute_scale_factor)  # fmt: skip

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = f"scale_factor={float(self.scale_factor)!r}"
        else:
            info = f"size={self.size!r}"
        return info + f", mode={self.mode!r}"
