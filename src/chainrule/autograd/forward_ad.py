"""torch.autograd.forward_ad: dual tensors whose tangents ride along every op.

No op has a hand-written JVP. The registry calls :func:`_propagate` (only inside a dual
level, signalled by ``_registry.dual_depth``) when an op has made its output, with what it
would record for backward. The tangent of the output is derived from the op's VJP rule:

* a VJP rule is linear in the cotangent ``g``, so ``J t = d/dg <vjp(g), t>``: run the rule on
  a zero cotangent that requires grad, pair the input gradients with the input tangents,
  and differentiate that number with respect to ``g`` (one small backward);
* elementwise ops have a diagonal Jacobian (``J = J^T``), so ``J t = vjp(t)`` directly;
* an op whose output is a view of its input's memory gets the same view of the tangent,
  so an in-place change through the view also reaches the base's tangent, as in torch.

Rules are written in chainrule ops, so tangents are differentiable (reverse over forward)
and, when dual levels are nested (``chainrule.func.jacfwd(jacfwd(f))``), the computation of
an inner level's tangent carries the tangents of the outer levels.

>>> import chainrule as torch
>>> import chainrule.autograd.forward_ad as fwAD
>>> with fwAD.dual_level():
...     x = fwAD.make_dual(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 1.0]))
...     fwAD.unpack_dual(x.exp() * 2).tangent
tensor([2.0000, 5.4366])
"""

from __future__ import annotations

import weakref
from typing import NamedTuple

from .. import _graph, _registry
from .._backend import xp
from .._engine import run_backward
from .._graph import grad_state, make_node_class
from .._tensor import Tensor, edge, make

__all__ = [
    "UnpackedDualTensor",
    "dual_level",
    "enter_dual_level",
    "exit_dual_level",
    "make_dual",
    "unpack_dual",
]

# One table per open level: id(tensor) -> (weak reference to the tensor, its tangent).
_levels: list[dict] = []
_NO_EDGE = (None, 0)


class UnpackedDualTensor(NamedTuple):
    """What :func:`unpack_dual` returns: the primal and its tangent (None if it has none)."""

    primal: Tensor
    tangent: Tensor | None


# --------------------------------------------------------------------------- levels


def _open_level() -> int:
    """Open a level, nested or not (the func transforms nest; the public API does not)."""
    _levels.append({})
    _registry.dual_depth = len(_levels)
    _graph.copy_tangents = copy_tangents
    return len(_levels) - 1


def _close_level(level: int) -> None:
    if level != len(_levels) - 1:
        raise RuntimeError(
            "Trying to exit a forward AD level that was not the last one that was created. "
            "This is not supported."
        )
    _levels.pop()
    _registry.dual_depth = len(_levels)
    if not _levels:
        _graph.copy_tangents = None


def enter_dual_level() -> int:
    """Open a forward AD level; tangents set with make_dual live until it is exited.

    >>> level = enter_dual_level()
    >>> exit_dual_level(level=level)
    """
    if _levels:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    return _open_level()


def exit_dual_level(*, level: int | None = None) -> None:
    """Close a level: every tangent made inside it is dropped."""
    if level is None:
        level = len(_levels) - 1
    if level < 0:
        raise RuntimeError("Dual level must be a positive number.")
    _close_level(level)


class dual_level:  # noqa: N801 (torch's name)
    """Context manager for a forward AD level.

    >>> with dual_level():
    ...     pass
    """

    def __enter__(self) -> int:
        self.level = enter_dual_level()
        return self.level

    def __exit__(self, *exc) -> None:
        exit_dual_level(level=self.level)

    def __call__(self, func):
        import functools

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with dual_level():
                return func(*args, **kwargs)

        return wrapper


# --------------------------------------------------------------------------- tangent storage


def _get(level: int, t: Tensor):
    entry = _levels[level].get(id(t))
    if entry is not None and entry[0]() is t:
        return entry[1]
    return None


def _set(level: int, t: Tensor, tangent) -> None:
    table = _levels[level]
    key = id(t)
    if tangent is None:
        table.pop(key, None)
        return

    def forget(ref, table=table, key=key):
        entry = table.get(key)
        if entry is not None and entry[0] is ref:
            del table[key]

    table[key] = (weakref.ref(t, forget), tangent)


def _check_level(level, fn_name):
    if not _levels:
        raise RuntimeError(
            "Trying to create a dual Tensor for forward AD but no level exists, make sure to "
            "enter_dual_level() first."
        )
    if level is None:
        return len(_levels) - 1
    if not 0 <= level < len(_levels):
        raise RuntimeError(f"Invalid level given to {fn_name}")
    return level


# make_dual and unpack_dual give same-shaped aliases: their gradient passes straight through
ViewNode = make_node_class("ViewBackward0", lambda node, g: (g,))
IdentityNode = make_node_class("Identity", lambda node, g: (g,))


def _alias(tensor: Tensor, node_cls, skip_level: int) -> Tensor:
    """A tensor sharing ``tensor``'s storage, history and tangents (except ``skip_level``'s)."""
    out = make(tensor._data, tensor._dtype)
    out._vbox = tensor._vbox
    if tensor._requires_grad and grad_state.enabled:
        node = node_cls((edge(tensor),), None, tensor._data.shape)
        out._attach(node, 0)
    for level in range(len(_levels)):
        if level != skip_level:
            tangent = _get(level, tensor)
            if tangent is not None:
                _set(level, out, tangent)
    return out


def make_dual(tensor: Tensor, tangent: Tensor, *, level: int | None = None) -> Tensor:
    """A view of ``tensor`` that carries ``tangent`` through the ops applied to it.

    >>> import chainrule as torch
    >>> with dual_level():
    ...     x = make_dual(torch.tensor(2.0), torch.tensor(1.0))
    ...     unpack_dual(x ** 3).tangent
    tensor(12.)
    """
    level = _check_level(level, "_make_dual")
    if not tensor._dtype.is_floating_point:
        raise ValueError(
            f"Expected primal to be floating point or complex, but got: {tensor._dtype}"
        )
    if not tangent._dtype.is_floating_point:
        raise ValueError(
            f"Expected tangent to be floating point or complex, but got: {tangent._dtype}"
        )
    if tangent._data.shape != tensor._data.shape:
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            f"original Tensor, this is not supported. Tensor is of size {list(tensor.shape)} "
            f"while the given forward gradient is of size {list(tangent.shape)}."
        )
    if _get(level, tensor) is not None:
        raise RuntimeError(
            "Making a dual Tensor based on a Tensor that already has a forward gradient at the "
            f"same level {level} is not supported."
        )
    out = _alias(tensor, ViewNode, level)
    _set(level, out, tangent)
    return out


def unpack_dual(tensor: Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """Split a dual tensor into its primal (a view without the tangent) and its tangent.

    >>> import chainrule as torch
    >>> unpack_dual(torch.tensor(1.0))
    UnpackedDualTensor(primal=tensor(1.), tangent=None)
    """
    if level is None:
        level = len(_levels) - 1
    if level < 0 or level >= len(_levels) or not isinstance(tensor, Tensor):
        return UnpackedDualTensor(tensor, None)
    tangent = _get(level, tensor)
    if tangent is None:
        return UnpackedDualTensor(tensor, None)
    return UnpackedDualTensor(_alias(tensor, IdentityNode, level), tangent)


# --------------------------------------------------------------------------- propagation

_TangentOnly = make_node_class("TangentOnly", lambda node, g: ())
_TANGENT_ONLY = _TangentOnly(())  # an edge that marks "this input has a tangent, no history"


def _edge_for(t, tangent):
    """The edge an input gets in the node built for a JVP: needs_input_grad follows tangents."""
    if not isinstance(t, Tensor):
        return _NO_EDGE
    if t._requires_grad:
        return edge(t)
    return (_TANGENT_ONLY, 0) if tangent is not None else _NO_EDGE


def _dummy_cotangent(out):
    # The rule is linear in the cotangent, so its derivative is the same at every point;
    # ones rather than zeros keep rules that split g by sign (or take log|g|) off their kink.
    return make(xp.ones(out._data.shape, out._dtype.np), out._dtype, True)


def _data_root(array):
    while isinstance(array.base, xp.ndarray):
        array = array.base
    return array


def _address(array) -> int:
    return array.__array_interface__["data"][0]


def _view_tangent(out, source, tangent):
    """If ``out`` is a view of ``source``'s memory, the same view of ``tangent`` (else None)."""
    data, base, tdata = out._data, source._data, tangent._data
    if (
        data.base is None
        or tangent._requires_grad  # a raw view would cut the tangent's own history
        or out._dtype is not source._dtype
        or tangent._dtype is not source._dtype
        or tdata.strides != base.strides
        or _data_root(data) is not _data_root(base)
    ):
        return None
    root = _data_root(tdata)
    offset = _address(tdata) + _address(data) - _address(base) - _address(root)
    if offset < 0 or root.base is not None:
        return None
    try:
        view = xp.ndarray(data.shape, data.dtype, buffer=root, offset=offset, strides=data.strides)
    except (TypeError, ValueError):
        return None
    result = make(view, tangent._dtype)
    result._vbox = tangent._vbox
    return result


def propagate(node_cls, outs, inputs, saved, args, shapes, differentiable=None, elementwise=None):
    """Give ``outs`` their tangents at every open level where some input has one.

    Called by the registry (only when ``dual_depth`` is non-zero) with what the op records
    for backward. While the tangent of level L is computed, only the levels outside L are
    open, so the computation carries their tangents (nested jvp) and nothing else.
    """
    depth = _registry.dual_depth
    for level in range(depth):  # outer levels first: inner tangents use the outer ones
        tangents = [_get(level, t) if isinstance(t, Tensor) else None for t in inputs]
        if all(t is None for t in tangents):
            continue
        batch = grad_state.batch_ndim
        _registry.dual_depth = level
        grad_state.batch_ndim = 0
        try:
            results = _views(outs, inputs, tangents)
            if results is None:
                if elementwise is not None:
                    results = _elementwise_jvp(elementwise, outs[0], inputs, tangents, args)
                else:
                    results = _generic_jvp(
                        node_cls, outs, inputs, tangents, saved, args, shapes, differentiable
                    )
        finally:
            _registry.dual_depth = depth
            grad_state.batch_ndim = batch
        for out, tangent in zip(outs, results):
            if tangent is not None and isinstance(out, Tensor):
                if tangent._dtype is not out._dtype:
                    tangent = tangent.to(out._dtype)
                _set(level, out, tangent)
                _tangent_to_saved_copy(level, out, tangent)
    return outs


def _tangent_to_saved_copy(level, out, tangent):
    """An output saved for backward is held as a detached copy: it takes the tangent too,
    so a backward run inside the level (forward over reverse: hessian) carries it."""
    node = out._grad_fn
    saved = node._saved if node is not None else None
    if isinstance(saved, (tuple, list)):
        for s in saved:
            if type(s) is _registry.SavedOutput and s.output_nr == out._output_nr:
                _set(level, s.tensor, tangent)


def _views(outs, inputs, tangents):
    """Tangents of outputs that are views of the one input with a tangent, or None."""
    with_tangent = [i for i, t in enumerate(tangents) if t is not None]
    if len(with_tangent) != 1:
        return None
    source, tangent = inputs[with_tangent[0]], tangents[with_tangent[0]]
    results = []
    for out in outs:
        if out is source:
            results.append(tangent)
            continue
        if not isinstance(out, Tensor) or not out._dtype.is_floating_point:
            results.append(None)
            continue
        view = _view_tangent(out, source, tangent)
        if view is None:
            return None
        results.append(view)
    return results


def _elementwise_jvp(op, out, inputs, tangents, args):
    """Elementwise ops: the Jacobian is diagonal, so J t is the VJP rule applied to t."""
    needs = [t is not None for t in tangents]
    saves = op.saves
    if saves == "inputs":
        saved = tuple(inputs)
    elif saves == "output":
        saved = (out,)
    elif saves is None:
        saved = None
    else:
        a, b = inputs
        saved = _outputs_as_values(saves(a, b, out, needs[0], needs[1]), (out,))
    # a binary op with a number operand may have an edge for it or not (see Elementwise)
    nedges = len(inputs) if isinstance(inputs[-1], Tensor) or op.number_edge else 1
    shape = out._data.shape
    total = None
    for i, tangent in enumerate(tangents):
        if tangent is None:
            continue
        edges = tuple(_edge_for(inputs[j], tangent) if j == i else _NO_EDGE for j in range(nedges))
        node = op.node_cls(edges, saved, args)
        if tangent._data.shape != shape:
            tangent = tangent.expand(shape)
        term = node.vjp(node, tangent)[i]
        total = term if total is None else total + term
    return (total,)


NOTHING_SAVED = (
    "forward AD: {} cannot derive the tangent of this op: the op saved nothing for inputs "
    "that do not require grad. Call requires_grad_() on the primal before make_dual."
)


def _fill_saved(saved, inputs):
    """Products save each operand only when the other requires grad; one saved slot per
    input, left None: forward mode needs them, so the inputs fill their own slots."""
    if type(saved) is not tuple or len(saved) != len(inputs) or None not in saved:
        return saved
    return tuple(t if s is None and isinstance(t, Tensor) else s for s, t in zip(saved, inputs))


def _outputs_as_values(saved, outs):
    """Saved outputs as the output tensors themselves: they carry their outer-level tangents
    and their history (a SavedOutput is a detached copy, made to avoid a reference cycle)."""
    if saved is None:
        return None
    return tuple(outs[s.output_nr] if type(s) is _registry.SavedOutput else s for s in saved)


def _generic_jvp(node_cls, outs, inputs, tangents, saved, args, shapes, differentiable):
    """J t = d/dg <vjp(g), t>: the VJP rule differentiated with respect to its cotangent."""
    create = grad_state.enabled and any(
        (isinstance(t, Tensor) and t._requires_grad) or (u is not None and u._requires_grad)
        for t, u in zip(inputs, tangents)
    )
    edges = tuple(_edge_for(t, u) for t, u in zip(inputs, tangents))
    saved = _outputs_as_values(_fill_saved(saved, inputs), outs)
    nout = len(outs)
    node = (
        node_cls(edges, saved, args, shapes)
        if nout == 1
        else node_cls(edges, saved, args, None, nout)
    )
    cotangents = [
        _dummy_cotangent(out)
        if isinstance(out, Tensor)
        and out._dtype.is_floating_point
        and (differentiable is None or differentiable[i])
        else None
        for i, out in enumerate(outs)
    ]
    previous = grad_state.enabled
    grad_state.enabled = True
    _registry.deriving_tangents += 1
    try:
        try:
            grads = node.vjp(node, cotangents[0] if nout == 1 else cotangents)
        except (TypeError, AttributeError) as error:
            if saved is not None and all(s is not None for s in saved):
                raise
            raise RuntimeError(NOTHING_SAVED.format(node_cls.__name__)) from error
        total = None
        for i, (g, tangent) in enumerate(zip(grads, tangents)):
            if g is None or tangent is None:
                continue
            if shapes is not None and shapes[i] is not None:
                g = _registry.sum_to_shape(g, shapes[i])
            term = (g * tangent).sum()
            total = term if total is None else total + term
    finally:
        grad_state.enabled = previous
        _registry.deriving_tangents -= 1
    wanted = [c for c in cotangents if c is not None]
    if total is None or total._grad_fn is None or not wanted:
        found = [None] * len(wanted)
    else:
        seed = make(xp.ones((), total._dtype.np), total._dtype)
        found = run_backward(
            ((total._grad_fn, total._output_nr),),
            (seed,),
            create,
            create,
            [edge(c) for c in wanted],
            accumulate=False,
        )
    found = iter(found)
    results = []
    for out, c in zip(outs, cotangents):
        if c is None:
            results.append(None)
            continue
        value = next(found)
        if value is None:
            value = make(xp.zeros(out._data.shape, out._dtype.np), out._dtype)
        elif not create and value._requires_grad:
            value = value.detach()
        results.append(value)
    return results


def inplace_tangent(target: Tensor, source, index=None) -> None:
    """After ``target`` took ``source``'s value in place (at ``index``), take its tangent.

    The new tangent is written into the target's existing tangent when it has one (so
    views of it see the change, as in torch); a source that is not a dual tensor (a number,
    a constant) writes zeros.
    """
    for level in range(len(_levels)):
        new = _get(level, source) if isinstance(source, Tensor) else None
        old = _get(level, target)
        if new is None and old is None:
            continue
        shape = target._data.shape
        if new is None:
            new = make(xp.zeros((), target._dtype.np), target._dtype)
        writable = old is not None and old._data.flags.writeable and not old._requires_grad
        if not writable:
            fresh = make(xp.zeros(shape, target._dtype.np), target._dtype)
            if old is not None and index is not None:
                fresh._data[...] = old._data
            old = fresh
            _set(level, target, old)
        if index is None:
            xp.copyto(old._data, xp.broadcast_to(new._data, shape), casting="unsafe")
        else:
            old._data[index] = new._data
        old._vbox[0] += 1


def stand_in_tangent(source: Tensor, alias: Tensor) -> None:
    """The copy an in-place op computes from keeps (a snapshot of) the source's tangents."""
    for level in range(len(_levels)):
        tangent = _get(level, source)
        if tangent is not None:
            _set(level, alias, tangent.clone())


_registry.propagate_tangents = propagate
_registry.inplace_tangent = inplace_tangent
_registry.stand_in_tangent = stand_in_tangent


def copy_tangents(source: Tensor, target: Tensor) -> None:
    """``target`` takes ``source``'s tangents at every open level (the same tensors)."""
    for level in range(len(_levels)):
        tangent = _get(level, source)
        if tangent is not None:
            _set(level, target, tangent)


def function_tangents(jvp, ctx, args, outputs) -> tuple:
    """A custom Function's output tangents, from its ``jvp`` staticmethod, at each level."""
    depth = _registry.dual_depth
    for level in range(depth):
        tangents = [_get(level, a) if isinstance(a, Tensor) else None for a in args]
        if all(t is None for t in tangents):
            continue
        tangents = [
            t if t is not None or not isinstance(a, Tensor) else _zeros(a)
            for a, t in zip(args, tangents)
        ]
        # an input returned as it is gets a tangent of its own: alias it first
        outputs = tuple(
            _alias(out, IdentityNode, level) if any(out is a for a in args) else out
            for out in outputs
        )
        ctx._in_jvp = True
        _registry.dual_depth = level
        try:
            result = jvp(ctx, *tangents)
        finally:
            ctx._in_jvp = False
            _registry.dual_depth = depth
        result = result if isinstance(result, tuple) else (result,)
        for out, tangent in zip(outputs, result):
            if isinstance(out, Tensor) and isinstance(tangent, Tensor):
                if out._dtype.is_floating_point:
                    _set(level, out, tangent)
    return outputs


def _zeros(t: Tensor) -> Tensor:
    return make(xp.zeros(t._data.shape, t._dtype.np), t._dtype)


def with_tangent(tensor: Tensor, text: str) -> str:
    """A tensor's repr with ``tangent=...`` added, as torch prints dual tensors."""
    if not _levels:
        return text
    tangent = _get(len(_levels) - 1, tensor)
    if tangent is None:
        return text
    from .._printing import _add_suffixes, get_printoptions

    shown = repr(tangent.item()) if tangent._data.ndim == 0 else repr(tangent)
    linewidth = get_printoptions()["linewidth"]
    return _add_suffixes(text[:-1], ["tangent=" + shown], linewidth) + ")"
