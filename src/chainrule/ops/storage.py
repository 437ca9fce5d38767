"""Ops that reinterpret or resize a tensor's storage: Tensor.view(dtype) and Tensor.resize_.

Neither is differentiable. ``view(dtype)`` reads the same bytes as another dtype (sharing
the version counter, as torch's result does); ``resize_`` gives the tensor new sizes over
its storage from its offset, growing the storage when it is too small (the new elements are
zeros here, uninitialised in torch).

>>> import chainrule as torch
>>> torch.tensor([1.0]).view(torch.int32)
tensor([1065353216], dtype=torch.int32)
>>> torch.arange(6.).resize_(2, 2)
tensor([[0., 1.],
        [2., 3.]])
"""

from __future__ import annotations

import math
import operator

from .._backend import xp
from .._tensor import Tensor, make

__all__ = []


def view_dtype(input, dtype):
    """``input``'s bytes read as ``dtype``: the last dim scales by the ratio of the sizes."""
    data = input._data
    old, new = data.itemsize, dtype.itemsize
    if old != new:
        _check_reinterpretable(input, dtype)
    out = make(data.view(dtype.np), dtype)
    out._vbox = input._vbox  # the same storage: in-place changes count for both
    return out


def _check_reinterpretable(input, dtype):
    """torch's checks (in its order) that the last dim can be reread with another size."""
    data = input._data
    what = f"to view {input._dtype.scalar_name} as {dtype.scalar_name} (different element sizes)"
    if data.ndim == 0:
        raise RuntimeError(f"self.dim() cannot be 0 {what}")
    strides = input.stride()
    if strides[-1] != 1:
        raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {strides[-1]}")
    if dtype.itemsize < data.itemsize:
        return
    ratio = dtype.itemsize // data.itemsize
    if data.shape[-1] % ratio:
        raise RuntimeError(
            f"self.size(-1) must be divisible by {ratio} {what}, but got {data.shape[-1]}"
        )
    offset = input.storage_offset()
    if offset % ratio:
        raise RuntimeError(
            f"self.storage_offset() must be divisible by {ratio} {what}, but got {offset}"
        )
    for dim, stride in enumerate(strides[:-1]):
        if stride % ratio:
            raise RuntimeError(
                f"self.stride({dim}) must be divisible by {ratio} {what}, but got {stride}"
            )


def resize_(self, *sizes, memory_format=None):
    """Give this tensor ``sizes`` (contiguous) over its storage, growing it if needed."""
    sizes = _resize_sizes(sizes)
    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    if any(s < 0 for s in sizes):
        raise RuntimeError("numel: integer multiplication overflow")
    data = self._data
    if sizes == data.shape:
        return self  # torch leaves the tensor (strides and version) as it is
    self._data = _storage_slice(data, math.prod(sizes)).reshape(sizes)
    self._vbox[0] += 1
    info = getattr(self, "_viewof", None)
    if info is not None:
        info[2] = None  # its cached place in the base is out of date
    return self


def _resize_sizes(args) -> tuple:
    """resize_(2, 3), resize_((2, 3)), resize_([2, 3]) or resize_(torch.Size), as torch
    parses them (TypeError otherwise)."""
    if not args:
        raise TypeError('resize_() missing 1 required positional arguments: "size"')
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    elif len(args) == 1 and not _is_int(args[0]):
        raise TypeError(
            "resize_(): argument 'size' (position 1) must be tuple of ints, not "
            f"{type(args[0]).__name__}"
        )
    for position, value in enumerate(args, 1):
        if not _is_int(value):
            raise TypeError(
                f"resize_(): argument 'size' failed to unpack the object at pos {position} "
                f'with error "type must be tuple of ints,but got {type(value).__name__}"'
            )
    return tuple(operator.index(a) for a in args)


def _is_int(value) -> bool:
    return not isinstance(value, (bool, float)) and hasattr(type(value), "__index__")


def _storage_slice(data, numel):
    """``numel`` elements of ``data``'s storage from its first element: the storage itself
    when it is large enough (other tensors over it see the writes), else a copy grown with
    zeros."""
    root = data
    while isinstance(root.base, xp.ndarray):
        root = root.base
    itemsize = data.itemsize
    if root.flags.c_contiguous or root.flags.f_contiguous:
        storage = root.ravel(order="K").view(xp.uint8)
        start = data.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        if data.size == 0:
            start = 0
        if start + numel * itemsize <= storage.size:
            return storage[start : start + numel * itemsize].view(data.dtype)
        grown = xp.zeros(start + numel * itemsize, xp.uint8)
        grown[: storage.size] = storage
        return grown[start:].view(data.dtype)
    kept = xp.zeros(numel, data.dtype)  # storage without one memory order: keep the values
    count = min(numel, data.size)
    kept[:count] = data.reshape(-1)[:count]
    return kept


Tensor.resize_ = resize_
