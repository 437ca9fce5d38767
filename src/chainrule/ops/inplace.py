"""In-place forms (``add_``, ``x -= ...``, ``x[i] = v``) built on the out-of-place ops.

An in-place op computes the out-of-place result, writes it into the tensor's own array
(so views and ``.data`` see it), bumps the shared version counter, and -- when recorded --
moves the tensor's history onto the new node. The original value is kept for the new
node when the node needs it, so the gradient is the same as torch's.
"""

from __future__ import annotations

from .. import _backend
from .._backend import xp
from .._graph import grad_state
from .._registry import defop, export, sum_to_shape
from .._tensor import Tensor, make

__all__ = []

LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."


def _check_target(self, others=(), message=LEAF_INPLACE):
    recording = grad_state.enabled
    if recording and self._requires_grad and self._grad_fn is None:
        raise RuntimeError(message)
    return recording and (
        self._requires_grad or any(isinstance(o, Tensor) and o._requires_grad for o in others)
    )


def _stand_in(self):
    """A tensor with self's value and history that later in-place writes cannot change."""
    alias = make(self._data.copy(), self._dtype)
    if self._requires_grad:
        alias._requires_grad = True
        alias._grad_fn = self._grad_fn
        alias._output_nr = self._output_nr
    return alias


def _write(self, result, recorded):
    """Store ``result`` into self's array and take over its history."""
    if result._dtype.kind > self._dtype.kind or (
        result._dtype is not self._dtype and self._dtype is _backend.bool_
    ):
        raise RuntimeError(
            f"result type {result._dtype.scalar_name} can't be cast to the desired output type "
            f"{self._dtype.scalar_name}"
        )
    if result._data.shape != self._data.shape:
        try:
            xp.broadcast_to(result._data, self._data.shape)
        except ValueError:
            raise RuntimeError(
                f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
                f"{list(result._data.shape)}"
            ) from None
    if not self._data.flags.writeable:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation."
        )
    xp.copyto(self._data, result._data, casting="unsafe")
    self._vbox[0] += 1
    if recorded and result._grad_fn is not None:
        self._requires_grad = True
        self._grad_fn = result._grad_fn
        self._output_nr = result._output_nr
    return self


def inplace(op):
    """The in-place form of ``op(self, *args)``."""

    def method(self, *args, **kwargs):
        recorded = _check_target(self, args)
        source = _stand_in(self) if recorded else self
        if recorded:
            result = op(source, *args, **kwargs)
        else:
            previous = grad_state.enabled
            grad_state.enabled = False
            try:
                result = op(source, *args, **kwargs)
            finally:
                grad_state.enabled = previous
        return _write(self, result, recorded)

    method.__name__ = op.__name__ + "_"
    method.__doc__ = f"In-place {op.__name__}: changes this tensor and returns it."
    return method


def _install():
    from . import arithmetic as ar
    from . import elementwise as ew
    from . import indexing as ix
    from . import reduce as _reduce  # noqa: F401

    names = {
        "add_": ar.add,
        "sub_": ar.sub,
        "subtract_": ar.sub,
        "mul_": ar.mul,
        "multiply_": ar.mul,
        "div_": ar.div,
        "divide_": ar.div,
        "true_divide_": ar.div,
        "pow_": ar.pow,
        "neg_": ar.neg,
        "exp_": ew.exp,
        "log_": ew.log,
        "sqrt_": ew.sqrt,
        "sin_": ew.sin,
        "cos_": ew.cos,
        "tanh_": ew.tanh,
        "sigmoid_": ew.sigmoid,
        "relu_": ew.relu,
        "abs_": ew.abs,
        "clamp_": ew.clamp,
        "clip_": ew.clamp,
        "floor_": ew.floor,
        "ceil_": ew.ceil,
        "round_": ew.round,
        "trunc_": ew.trunc,
        "reciprocal_": ew.reciprocal,
        "square_": ar.square,
        "remainder_": ar.remainder,
        "floor_divide_": ar.floor_divide,
        "sign_": ew.sign,
        "log1p_": ew.log1p,
        "expm1_": ew.expm1,
        "rsqrt_": ew.rsqrt,
        "scatter_": ix.scatter,
        "scatter_add_": ix.scatter_add,
    }
    for name, op in names.items():
        setattr(Tensor, name, inplace(op))
    Tensor.__iadd__ = Tensor.add_
    Tensor.__isub__ = Tensor.sub_
    Tensor.__imul__ = Tensor.mul_
    Tensor.__itruediv__ = Tensor.div_
    Tensor.__ifloordiv__ = Tensor.floor_divide_
    Tensor.__imod__ = Tensor.remainder_
    Tensor.__ipow__ = Tensor.pow_


# --------------------------------------------------------------------------- fills and copies


def _fill_tensor_vjp(node, g):
    """fill_(value tensor): the value was written everywhere; its gradient is the sum."""
    ndim = node._args
    return (
        g * 0 if node.needs_input_grad(0) else None,
        (g.sum(tuple(range(-ndim, 0))) if ndim else g) if node.needs_input_grad(1) else None,
    )


ZeroNode = defop("ZeroBackward0", lambda node, g: (g * 0,))
FillNode = defop("FillBackward2", lambda node, g: (g * 0,))
FillTensorNode = defop("FillBackward3", _fill_tensor_vjp)


def zero_(self):
    """Set every element to 0, in place."""
    return _fill(self, 0, ZeroNode)


def fill_(self, value):
    """Set every element to ``value``, in place."""
    return _fill(self, value, FillTensorNode if isinstance(value, Tensor) else FillNode)


def _fill(self, value, node_cls):
    recorded = _check_target(self, (value,))
    edges = (_edge(self),)
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value._data.ndim} dimensions."
            )
        edges += (_edge(value),)
        value = value._data
    self._data[...] = value
    self._vbox[0] += 1
    if recorded:
        node = node_cls(edges, None, self._data.ndim)
        self._requires_grad, self._grad_fn, self._output_nr = True, node, 0
    return self


def _copy_vjp(node, g):
    return (
        g * 0 if node.needs_input_grad(0) else None,
        g.to(node._args) if node.needs_input_grad(1) else None,
    )


CopyNode = defop("CopyBackwards", _copy_vjp)


def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, converted to this dtype) into this tensor."""
    recorded = _check_target(self, (src,))
    src_t = src if isinstance(src, Tensor) else make(xp.asarray(src), self._dtype)
    try:
        values = xp.broadcast_to(src_t._data, self._data.shape)
    except ValueError:
        raise RuntimeError(
            f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
            f"{list(src_t._data.shape)}"
        ) from None
    xp.copyto(self._data, values, casting="unsafe")
    self._vbox[0] += 1
    if recorded:
        edges = (
            (self._grad_fn, self._output_nr) if self._grad_fn is not None else (None, 0),
            _edge(src_t),
        )
        shapes = (None, src_t._data.shape if src_t._data.shape != self._data.shape else None)
        node = CopyNode(edges, None, src_t._dtype, shapes if shapes[1] is not None else None)
        self._requires_grad, self._grad_fn, self._output_nr = True, node, 0
    return self


def _edge(t):
    from .._tensor import edge

    return edge(t)


def set_(self, source):
    """Make this tensor use ``source``'s data (shape may change)."""
    self._data = source._data
    self._dtype = source._dtype
    self._vbox = source._vbox
    return self


def _random_fill(draw):
    def method(self, *args, generator=None, **kwargs):
        from .creation import _rng

        if grad_state.enabled and self._requires_grad and self._grad_fn is None:
            raise RuntimeError(LEAF_INPLACE)
        values = draw(_rng(generator), self._data.shape, *args, **kwargs)
        xp.copyto(self._data, values, casting="unsafe")
        self._vbox[0] += 1
        return self

    return method


Tensor.zero_ = zero_
Tensor.fill_ = fill_
Tensor.copy_ = copy_
Tensor.set_ = set_
Tensor.uniform_ = _random_fill(lambda r, s, a=0.0, b=1.0: r.uniform(a, b, s))
Tensor.normal_ = _random_fill(lambda r, s, mean=0.0, std=1.0: r.normal(mean, std, s))
Tensor.bernoulli_ = _random_fill(lambda r, s, p=0.5: r.random(s) < p)
Tensor.exponential_ = _random_fill(lambda r, s, lambd=1.0: r.exponential(1 / lambd, s))
Tensor.random_ = _random_fill(lambda r, s, a=0, b=2**24: r.integers(a, b, s))

# --------------------------------------------------------------------------- item assignment


def _copy_slices_vjp(node, g):
    from .elementwise import where
    from .indexing import _raw_index

    index, value_shape = node._args
    grad_self = grad_value = None
    if node.needs_input_grad(0):  # the overwritten entries get no gradient
        kept = xp.ones(g._data.shape, bool)
        kept[index] = False
        grad_self = where(make(kept, _backend.bool_), g, 0.0)
    if node.needs_input_grad(1):
        grad_value = sum_to_shape(_raw_index(g, index), value_shape)
    return grad_self, grad_value


# the index addresses the tensor's own dims: batched gradients go row by row
CopySlicesNode = defop("CopySlices", _copy_slices_vjp, batchable=False)


def assign_index(self, index, value):
    """``self[index] = value``: write in place; record when gradients must flow."""
    from .indexing import _numpy_index

    np_index = _numpy_index(self, index if isinstance(index, tuple) else (index,))
    recorded = _check_target(self, (value,), "a view of " + LEAF_INPLACE)  # x[i] = v writes a view
    if isinstance(value, Tensor):
        raw = value._data
        if value._dtype.kind > self._dtype.kind:
            raw = raw.astype(self._dtype.np)
    else:
        raw = value
    target_shape = self._data[np_index].shape
    try:
        self._data[np_index] = xp.broadcast_to(xp.asarray(raw, self._dtype.np), target_shape)
    except ValueError:
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(xp.shape(raw))} cannot be broadcast to "
            f"indexing result of shape {list(target_shape)}"
        ) from None
    self._vbox[0] += 1
    if recorded:
        value_t = value if isinstance(value, Tensor) else None
        edges = (
            (self._grad_fn, self._output_nr) if self._grad_fn is not None else (None, 0),
            _edge(value_t) if value_t is not None else (None, 0),
        )
        shape = value_t._data.shape if value_t is not None else ()
        node = CopySlicesNode(edges, None, (np_index, shape))
        self._requires_grad, self._grad_fn, self._output_nr = True, node, 0


_INPLACE_GRAD_FNS = {
    "zero_": ("ZeroBackward0",),
    "fill_": ("FillBackward2", "FillBackward3"),
    "copy_": ("CopyBackwards",),
}
for _name, _grad_fns in _INPLACE_GRAD_FNS.items():
    export(_name, getattr(Tensor, _name), function=False, grad_fns=_grad_fns)
