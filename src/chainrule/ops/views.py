"""Rebasing after an in-place change through a view (torch's CopySlices / AsStridedBackward0).

A view shares its base's array. When an in-place op through the view is recorded, the base's
history must change too: the base becomes "the old base with the view's region replaced by
the op's result" (a ``CopySlices`` node), and every live view of the base becomes "this
region of the new base" (an ``AsStridedBackward0`` node). Which elements of the base a view
covers is read from the arrays' memory layout once, as flat positions in the base, so no
view op has to describe itself.

>>> import chainrule as torch
>>> x = torch.ones(3, requires_grad=True)
>>> a = x.clone()
>>> a[1:].mul_(2)
tensor([2., 2.], grad_fn=<AsStridedBackward0>)
>>> a.sum().backward()
>>> x.grad
tensor([1., 2., 2.])
"""

from __future__ import annotations

from .. import _backend
from .._backend import xp
from .._registry import defop, lead
from .._tensor import edge, make
from .shape import made_in_no_grad

__all__ = []


def _memory_offsets(a, origin: int):
    """The memory offset (in elements, from ``origin``) of each element of ``a``."""
    item = a.itemsize
    start = (a.__array_interface__["data"][0] - origin) // item
    offsets = xp.full(a.shape, start, dtype=xp.int64)
    for axis, (size, stride) in enumerate(zip(a.shape, a.strides)):
        shape = [1] * a.ndim
        shape[axis] = size
        offsets = offsets + xp.arange(size, dtype=xp.int64).reshape(shape) * (stride // item)
    return offsets


def view_positions(view):
    """Flat (C-order) positions in the base of each element of ``view``; None if unknown."""
    info = view._viewof
    if info[2] is not None:
        return info[2]
    base_data, data = info[0]._data, view._data
    if base_data.itemsize != data.itemsize:
        return None
    origin = base_data.__array_interface__["data"][0]
    base_offsets = _memory_offsets(base_data, origin).ravel()
    order = xp.argsort(base_offsets, kind="stable")
    ordered = base_offsets[order]
    wanted = _memory_offsets(data, origin).ravel()
    if not ordered.size:
        return None if wanted.size else xp.zeros(data.shape, xp.int64)
    found = xp.clip(xp.searchsorted(ordered, wanted), 0, ordered.size - 1)
    if not bool((ordered[found] == wanted).all()):
        return None  # the base's array was replaced (set_, .data = ...): not a view any more
    info[2] = order[found].reshape(data.shape)
    return info[2]


def _positions_tensor(positions):
    return make(positions.reshape(-1), _backend.int64)


def _copy_slices_vjp(node, g):
    """base_new = base_old with the view's region replaced by the in-place result."""
    positions, base_shape = node._args
    batch = lead(g)
    grad_base = grad_value = None
    if node.needs_input_grad(0):
        kept = xp.ones(int(xp.prod(base_shape, dtype=xp.int64)), bool)
        kept[positions.reshape(-1)] = False
        grad_base = g.masked_fill(make(~kept.reshape(base_shape), _backend.bool_), 0)
    if node.needs_input_grad(1):
        flat = g.reshape(batch + (-1,))
        picked = flat.index_select(-1, _positions_tensor(positions))
        grad_value = picked.reshape(batch + positions.shape)
    return grad_base, grad_value


def _as_strided_vjp(node, g):
    """view = region of the base: scatter the gradient back (adding where elements repeat)."""
    positions, base_shape = node._args
    batch = lead(g)
    numel = int(xp.prod(base_shape, dtype=xp.int64))
    flat = g.new_zeros(batch + (numel,))
    flat = flat.index_add(-1, _positions_tensor(positions), g.reshape(batch + (-1,)))
    return (flat.reshape(batch + tuple(base_shape)),)


ViewCopySlicesNode = defop("CopySlices", _copy_slices_vjp)
AsStridedNode = defop("AsStridedBackward0", _as_strided_vjp)


def commit(self, node, output_nr: int) -> None:
    """``self`` was changed in place and its new value is output ``output_nr`` of ``node``.

    Not a view: ``self`` takes over the history. A view: its base is rebased onto a
    CopySlices node. Either way, every live view of the base is then rebased onto it.
    """
    info = getattr(self, "_viewof", None)
    positions = None if info is None else view_positions(self)
    if positions is None:
        self._requires_grad, self._grad_fn, self._output_nr = True, node, output_nr
        root = self if info is None else None
    else:
        root = info[0]
        args = (positions, root._data.shape)
        new = ViewCopySlicesNode((edge(root), (node, output_nr)), None, args)
        root._requires_grad, root._grad_fn, root._output_nr = True, new, 0
    if root is not None:
        _rebase_views(root)


def commit_region(self, np_index, value, value_shape) -> bool:
    """``self[np_index] = value`` was written and ``self`` is a view: rebase its base.

    The written region is located in the base directly (as torch does), so a view whose
    elements repeat (an expanded one) sends no gradient to what the write replaced.
    Returns False when ``self``'s place in its base is unknown.
    """
    positions = view_positions(self)
    if positions is None:
        return False
    region = positions[np_index]
    root = self._viewof[0]
    value_edge = (None, 0)
    if value is not None and value._requires_grad:
        spread = value.reshape(value_shape).expand(region.shape)
        value_edge = edge(spread)
    args = (region, root._data.shape)
    new = ViewCopySlicesNode((edge(root), value_edge), None, args)
    root._requires_grad, root._grad_fn, root._output_nr = True, new, 0
    _rebase_views(root)
    return True


def _rebase_views(root) -> None:
    views = getattr(root, "_views", None)
    if not views:
        return
    base_edge = (root._grad_fn, root._output_nr)
    for ref in views:
        view = ref()
        if view is None or made_in_no_grad(view._viewof[1]):
            continue  # views made in no_grad mode stay out of the graph
        positions = view_positions(view)
        if positions is None:
            continue
        view._grad_fn = AsStridedNode((base_edge,), None, (positions, root._data.shape))
        view._requires_grad, view._output_nr = True, 0
