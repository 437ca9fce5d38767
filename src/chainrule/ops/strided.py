"""as_strided: a view of the input's storage with any sizes and strides (torch's
AsStridedBackward0).

The storage of a tensor is its base's array (the first tensor of its view chain) read in
memory order, as torch's storage is (a result laid out like a transpose keeps that layout
in both libraries). The view's elements are storage
positions ``offset + sum(index * stride)``; positions may repeat (overlapping strides),
so the rule scatters the gradient into a storage-sized zero array with index_add (adding
where positions repeat), then reads the input's own positions back out of it.

>>> import chainrule as torch
>>> torch.arange(6.).as_strided((2, 2), (1, 2))
tensor([[0., 2.],
        [1., 3.]])
"""

from __future__ import annotations

import operator

from .. import _backend
from .._backend import xp
from .._registry import defop, export, lead, record
from .._tensor import make
from .shape import view_of
from .views import _memory_offsets

__all__ = ["as_strided"]


def _as_strided_vjp(node, g):
    """Scatter g into the storage (repeats add up), then gather the input's elements."""
    positions, storage_size, input_positions, input_shape = node._args
    batch = lead(g)
    storage = g.new_zeros(batch + (storage_size,))
    storage = storage.index_add(-1, positions, g.reshape(batch + (-1,)))
    if input_positions is not None:
        storage = storage.index_select(-1, input_positions)
    return (storage.reshape(batch + input_shape),)


AsStridedNode = defop("AsStridedBackward0", _as_strided_vjp)


def _int_list(value, name):
    where = f"as_strided(): argument '{name}' (position {1 if name == 'size' else 2})"
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{where} must be tuple of ints, not {type(value).__name__}")
    for i, v in enumerate(value):
        if _as_int(v) is None:
            raise TypeError(
                f"{where} must be tuple of ints, but found element of type "
                f"{type(v).__name__} at pos {i}"
            )
    return tuple(_as_int(v) for v in value)


def _as_int(value):
    """An int for ints (NumPy's too), None for floats, bools and the rest (torch's rule)."""
    if isinstance(value, bool):
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


def _check_geometry(size, stride, offset, storage_size, itemsize):
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in size):
        raise RuntimeError(
            f"Storage size calculation overflowed with sizes={list(size)} and "
            f"strides={list(stride)}"
        )
    if any(s < 0 for s in stride):
        raise RuntimeError(
            "as_strided: Negative strides are not supported at the moment, got strides: "
            f"{list(stride)}"
        )
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    needed = 0 if 0 in size else offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if needed > storage_size:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, "
            f"and itemsize {itemsize} requiring a storage size of {needed * itemsize} are out "
            f"of bounds for storage of size {storage_size * itemsize}"
        )


def _lowest_address(a) -> int:
    """The address of the array element that sits lowest in memory."""
    start = a.__array_interface__["data"][0]
    return start + sum(min(0, (n - 1) * st) for n, st in zip(a.shape, a.strides) if n)


def _storage(input):
    """(flat storage, the input's storage offset, the input's storage positions or None
    when it is the whole storage in C order, shared: whether the storage is its memory).

    The storage is the base's elements in memory order, as torch's storage of a tensor with
    the base's strides (an op's result laid out like its transposed input, say)."""
    info = getattr(input, "_viewof", None)
    root = input if info is None else info[0]
    base = root._data
    if base.flags.c_contiguous and input is root:
        return base.reshape(-1), 0, None, True
    origin = _lowest_address(base)
    wanted = _memory_offsets(input._data, origin).reshape(-1)
    if base.flags.c_contiguous:  # memory offsets are the storage positions
        flat, positions = base.reshape(-1), wanted
    else:  # the elements in memory order: rank the offsets (gaps are left out)
        flat = base.ravel(order="K")
        in_memory_order = xp.sort(_memory_offsets(base, origin).reshape(-1))
        positions = xp.searchsorted(in_memory_order, wanted)
    offset = int(positions[0]) if positions.size else 0
    return flat, offset, positions, bool(xp.shares_memory(flat, base))


def as_strided(input, size, stride, storage_offset=None):
    """A view of the input's storage with the given sizes and strides (in elements).

    Elements may overlap; their gradients add up.

    >>> as_strided(arange(4.), (3, 2), (1, 1))
    tensor([[0., 1.],
            [1., 2.],
            [2., 3.]])
    """
    size, stride = _int_list(size, "size"), _int_list(stride, "stride")
    flat, offset, input_positions, shared = _storage(input)
    if storage_offset is not None:
        offset = _as_int(storage_offset)
        if offset is None:
            raise TypeError(
                "as_strided(): argument 'storage_offset' (position 3) must be int, not "
                f"{type(storage_offset).__name__}"
            )
    itemsize = input._data.itemsize
    _check_geometry(size, stride, offset, flat.size, itemsize)
    positions = xp.full(size, offset, dtype=xp.int64)
    for axis, (n, s) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[axis] = n
        positions = positions + (xp.arange(n, dtype=xp.int64) * s).reshape(shape)
    if positions.size:
        data = xp.lib.stride_tricks.as_strided(
            flat[offset:], size, tuple(s * itemsize for s in stride)
        )
    else:
        data = flat[:0].reshape(size)
    out = view_of(input, data) if shared else make(xp.array(data), input._dtype)
    index = None if input_positions is None else make(input_positions, _backend.int64)
    args = (
        make(positions.reshape(-1), _backend.int64),
        flat.size,
        index,
        tuple(input._data.shape),
    )
    return record(AsStridedNode, out, (input,), None, args)


export("as_strided", as_strided, grad_fns=("AsStridedBackward0",))
