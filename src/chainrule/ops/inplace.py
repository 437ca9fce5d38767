"""In-place forms (``add_``, ``x -= ...``, ``x[i] = v``) built on the out-of-place ops.

An in-place op computes the out-of-place result, writes it into the tensor's own array
(so views and ``.data`` see it), bumps the shared version counter, and -- when recorded --
moves the tensor's history onto the new node. The original value is kept for the new
node when the node needs it, so the gradient is the same as torch's.
"""

from __future__ import annotations

from .. import _backend, _registry
from .._backend import xp
from .._graph import FREED, SavedOutput, grad_state, short_name
from .._registry import broadcast_error, defop, export, sum_to_shape
from .._tensor import Tensor, make
from .shape import MULTI_OUTPUT_VIEW, made_in_no_grad
from .views import commit, commit_region

__all__ = []

LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_NO_GRAD = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled."
)
VIEW_OF_VIEW_NO_GRAD = (
    " which was created in no_grad mode and is being modified inplace with grad mode enabled."
)
NO_GRAD_TAIL = (
    " Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify "
    "your code by moving both the view and the inplace either both inside the no_grad block "
    "(if you don't want the inplace to be tracked) or both outside (if you want the inplace "
    "to be tracked)."
)
MULTI_VIEW_TAIL = (
    " This view is the output of a function that returns multiple views. Such functions do not "
    "allow the output views to be modified inplace. You should replace the inplace operation "
    "by an out-of-place one."
)


def _check_target(self, others=(), message=LEAF_INPLACE):
    """Refuse what torch refuses (before anything is written); say whether to record."""
    if not grad_state.enabled:
        return False
    recorded = self._requires_grad or any(
        isinstance(o, Tensor) and o._requires_grad for o in others
    )
    info = getattr(self, "_viewof", None)
    if info is not None and (recorded or (made_in_no_grad(info[1]) and info[0]._requires_grad)):
        _check_view(self, info)  # (torch counts a no_grad view of a base needing grad as one)
    if self._requires_grad and self._grad_fn is None:
        from .._hints import leaf_inplace

        raise leaf_inplace(RuntimeError(message))
    return recorded


def _check_view(self, info):
    root, flag = info[0], info[1]
    if flag is not None:
        fn = self._grad_fn
        if fn is not None:
            name = short_name(fn)
            text = f"Output {self._output_nr} of {name} is a view and is being modified inplace."
        elif type(flag) is tuple:  # made with grad mode on, of a view made in no_grad mode
            text = f"Output 0 of {short_name(flag[1])} is a view of a view" + VIEW_OF_VIEW_NO_GRAD
        else:
            text = VIEW_NO_GRAD
        raise RuntimeError(text + (MULTI_VIEW_TAIL if flag == MULTI_OUTPUT_VIEW else NO_GRAD_TAIL))
    if self._requires_grad and root._grad_fn is None:
        from .._hints import leaf_inplace

        raise leaf_inplace(RuntimeError("a view of " + LEAF_INPLACE))


def _stand_in(self):
    """A tensor with self's value and history that later in-place writes cannot change."""
    alias = make(self._data.copy(), self._dtype)
    if self._requires_grad:
        alias._requires_grad = True
        alias._grad_fn = self._grad_fn
        alias._output_nr = self._output_nr
    if _registry.dual_depth:  # forward AD: the stand-in carries the tangents too
        _registry.stand_in_tangent(self, alias)
    return alias


def _check_broadcasts_into(shape, other_shape):
    """torch's errors when a value of ``other_shape`` cannot be written into ``shape``: the
    two do not broadcast at all, or their broadcast shape is not ``shape``."""
    if other_shape == shape:
        return
    try:
        both = tuple(xp.broadcast_shapes(shape, other_shape))
    except ValueError:
        raise broadcast_error(shape, other_shape) from None
    if both != tuple(shape):
        raise RuntimeError(
            f"output with shape {list(shape)} doesn't match the broadcast shape {list(both)}"
        )


def _check_result_fits(self, shape, dtype):
    """Can a result of ``shape`` and ``dtype`` be written into self? torch's errors if not,
    the shape checked before the dtype."""
    _check_broadcasts_into(self._data.shape, shape)
    target = self._dtype
    if dtype.kind > target.kind or (dtype is not target and target is _backend.bool_):
        raise RuntimeError(
            f"result type {dtype.scalar_name} can't be cast to the desired output type "
            f"{self._dtype.scalar_name}"
        )


def _checked_first(method, name, precheck=None):
    """An in-place binary op whose kernel may refuse the promoted dtype (bitwise ops refuse
    floats): torch refuses a result that cannot be written back first."""

    def checked(self, other, *args, **kwargs):
        if precheck is not None:  # pow_: a negative int power is refused before the dtype
            precheck(self, other)
        if self._dtype.kind == _backend.FLOAT and (
            type(other) is float
            or (
                isinstance(other, Tensor)
                and other._dtype is self._dtype
                and other._data.shape == self._data.shape
            )
        ):  # (an optimizer's p.div_(d)): no check below can refuse it; the op checks the rest
            return method(self, other, *args, **kwargs)
        if type(other) is int and not -(2**63) <= other < 2**63:
            _registry.beyond_int64(self, other)  # torch's refusals come first
        _check_target(self, (other,))  # then autograd's (a leaf or a view of one)
        writable(self._data)  # then a target whose elements repeat (an expanded one)
        shape = other._data.shape if isinstance(other, Tensor) else ()
        shape = _registry.broadcast_shape(self._data.shape, shape)
        dtype = _registry.result_dtype(self, other)
        if name in _TRUE_DIVISIONS and kwargs.get("rounding_mode") is None:
            dtype = dtype if dtype.kind == _backend.FLOAT else _backend.defaults.float_dtype
        _check_result_fits(self, shape, dtype)
        return method(self, other, *args, **kwargs)

    checked.__name__, checked.__doc__ = method.__name__, method.__doc__
    return checked


def _write(self, result, recorded, allow_overlap=False):
    """Store ``result`` into self's array and take over its history."""
    _check_result_fits(self, result._data.shape, result._dtype)
    target = writable(self._data, allow_overlap)
    if target is not self._data:  # repeated elements: write only the ones the op changed
        changed = xp.broadcast_to(result._data, target.shape) != target
        copy_silently(target, result._data, where=changed)
    elif self._data.size:
        copy_silently(target, result._data)
    self._vbox[0] += 1
    if recorded:
        _alias_saved_output(self, result)
    if _registry.dual_depth:  # forward AD: self takes the result's tangent as well
        _registry.inplace_tangent(self, result)
    if recorded and result._grad_fn is not None:
        commit(self, result._grad_fn, result._output_nr)
    return self


OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)


def writable(data, allow_overlap=False):
    """``data`` to write into: torch refuses only tensors whose elements overlap (a dim of
    stride 0), not every view of an expanded tensor (NumPy marks all of those read-only)."""
    if data.flags.writeable:
        return data
    if (
        not allow_overlap
        and data.size
        and any(stride == 0 and size > 1 for stride, size in zip(data.strides, data.shape))
    ):
        raise RuntimeError(OVERLAP)
    data = data.view()
    data.setflags(write=True)
    return data


def _alias_saved_output(self, result):
    """The node that made ``result`` may have saved it: make that saved value ``self``.

    torch's in-place op saves the written tensor itself, so a later in-place change of it
    (or of a view of it) makes backward raise; the saved copy here must go stale likewise.
    """
    node = result._grad_fn
    saved = None if node is None else node._saved
    if not saved or saved is FREED or result._dtype is not self._dtype:
        return
    if result._data.shape != self._data.shape:
        return
    for i, value in enumerate(saved):
        if type(value) is SavedOutput and value.tensor._data is result._data:
            value.tensor._data = self._data
            value.tensor._vbox = value._vbox = self._vbox
            versions = node._versions
            node._versions = versions[:i] + (self._vbox[0],) + versions[i + 1 :]


def _check_overlap(target, source):
    """torch refuses an input that partly overlaps the written-to tensor's memory."""
    if not xp.may_share_memory(target, source):
        return
    if (
        target.__array_interface__["data"][0] == source.__array_interface__["data"][0]
        and target.shape == source.shape
        and target.strides == source.strides
    ):
        return  # the same elements: torch allows x.mul_(x) through another view too
    raise RuntimeError(
        "unsupported operation: some elements of the input tensor and the written-to tensor "
        "refer to a single memory location. Please clone() the tensor before performing the "
        "operation."
    )


# ops that write one value per element whatever the overlap: torch allows expanded targets
_OVERLAP_ALLOWED = ("masked_fill", "index_fill", "index_put")


def inplace(op, kernel=None):
    """The in-place form of ``op(self, *args)``.

    ``kernel``: the op's Elementwise, for ops that can write straight into self's array when
    nothing is recorded (an optimizer's ``p -= lr * p.grad``): no result array, no copy.
    """

    def method(self, *args, **kwargs):
        # torch's order: arguments are parsed (an int past 64 bits), then autograd refuses
        # the target (a leaf, a view of one), then the kernel refuses overlapping operands
        for other in args:
            if type(other) is int:
                _backend.check_python_int(other)
        recorded = _check_target(self, args)
        for other in args:
            if isinstance(other, Tensor) and other is not self:
                _check_overlap(self._data, other._data)
        if not allow_overlap:  # torch refuses a target with repeated elements first
            writable(self._data)
        elif _repeats_elements(self._data):  # masked_fill_, index_fill_, index_put_: torch warns
            _warn_overlap_allowed(method.__name__, args)
        if (
            kernel is not None
            and not recorded
            and len(args) == 1
            and not kwargs
            and not _registry.dual_depth
            and kernel.binary_into(self, args[0])
        ):
            self._vbox[0] += 1
            return self
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
        return _write(self, result, recorded, allow_overlap)

    allow_overlap = op.__name__ in _OVERLAP_ALLOWED
    method.__name__ = op.__name__ + "_"
    method.__doc__ = f"In-place {op.__name__}: changes this tensor and returns it."
    return method


# in-place binary ops whose kernel may refuse the operands (bitwise ops refuse floats,
# rounded divisions and pow refuse bool): the write-back checks run first, as in torch
_CHECKED_FIRST = (
    "floor_divide_",
    "remainder_",
    "pow_",
    "div_",
    "divide_",
    "bitwise_and_",
    "bitwise_or_",
    "bitwise_xor_",
    "bitwise_left_shift_",
    "bitwise_right_shift_",
)


_TRUE_DIVISIONS = ("div_", "divide_")


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
    # ops whose unrecorded in-place form may run the kernel on self's array directly
    direct = {"add_": ar._ADD, "sub_": ar._SUB, "subtract_": ar._SUB, "mul_": ar._MUL}
    direct.update(multiply_=ar._MUL, div_=ar._DIV, divide_=ar._DIV, true_divide_=ar._DIV)
    for name, op in names.items():
        setattr(Tensor, name, inplace(op, direct.get(name)))
    from .inplace_forms import install_generic

    install_generic()
    for name in _CHECKED_FIRST:
        precheck = ar.check_int_pow if name == "pow_" else None
        setattr(Tensor, name, _checked_first(getattr(Tensor, name), name, precheck))
    Tensor.__iadd__ = Tensor.add_
    Tensor.__isub__ = Tensor.sub_
    Tensor.__imul__ = Tensor.mul_
    Tensor.__itruediv__ = Tensor.div_
    Tensor.__ifloordiv__ = Tensor.floor_divide_
    Tensor.__imod__ = Tensor.remainder_
    Tensor.__ipow__ = Tensor.pow_
    Tensor.__iand__ = Tensor.bitwise_and_
    Tensor.__ior__ = Tensor.bitwise_or_
    Tensor.__ixor__ = Tensor.bitwise_xor_
    Tensor.__ilshift__ = Tensor.bitwise_left_shift_
    Tensor.__irshift__ = Tensor.bitwise_right_shift_


# --------------------------------------------------------------------------- fills and copies


def _fill_tensor_vjp(node, g):
    """fill_(value tensor): the value was written everywhere; its gradient is the sum."""
    ndim = node._args
    return (
        _zeros(g) if node.needs_input_grad(0) else None,
        (g.sum(tuple(range(-ndim, 0))) if ndim else g) if node.needs_input_grad(1) else None,
    )


def _zeros(g):
    """Zeros like ``g``, computed without it (g * 0 would turn an infinite g into nan)."""
    return make(xp.zeros_like(g._data), g._dtype)


ZeroNode = defop("ZeroBackward0", lambda node, g: (_zeros(g),))
FillNode = defop("FillBackward2", lambda node, g: (_zeros(g),))
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
    value_t = value if isinstance(value, Tensor) else None
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value._data.ndim} dimensions."
            )
        edges += (_edge(value),)
        value = value._data
    else:
        value = _backend.checked_fill_value(value, self._dtype, self._data.size)
    # a number reaches repeated elements (of an expanded tensor) alike; torch refuses a tensor
    target = writable(self._data, allow_overlap=value_t is None)
    token = _backend.quiet_on()  # 1e6 -> inf in float16, silently as in torch
    try:
        target[...] = value
    finally:
        _backend.quiet_off(token)
    self._vbox[0] += 1
    if _registry.dual_depth:  # forward AD: the tangent is the filled value's
        _registry.inplace_tangent(self, value_t)
    if recorded:
        commit(self, node_cls(edges, None, self._data.ndim), 0)
    return self


def _copy_vjp(node, g):
    return (
        _zeros(g) if node.needs_input_grad(0) else None,
        g.to(node._args) if node.needs_input_grad(1) else None,
    )


CopyNode = defop("CopyBackwards", _copy_vjp)


def copy_silently(target, values, where=True):
    """``values`` into ``target`` converted to its dtype as torch converts: 1e6 into float16 is
    inf and out-of-range floats into integers wrap, without NumPy's overflow warnings."""
    token = _backend.quiet_on()
    try:
        xp.copyto(target, values, casting="unsafe", where=where)
    finally:
        _backend.quiet_off(token)


def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, converted to this dtype) into this tensor."""
    recorded = _check_target(self, (src,)) and self._dtype.kind == _backend.FLOAT
    src_t = src if isinstance(src, Tensor) else make(xp.asarray(src), self._dtype)
    target = writable(self._data)  # torch refuses a target with repeated elements first
    _check_broadcasts_into(self._data.shape, src_t._data.shape)
    values = xp.broadcast_to(src_t._data, self._data.shape)
    copy_silently(target, values)
    self._vbox[0] += 1
    if _registry.dual_depth:  # forward AD: the tangent is the source's
        _registry.inplace_tangent(self, src_t)
    if recorded:
        edges = (
            (self._grad_fn, self._output_nr) if self._grad_fn is not None else (None, 0),
            _edge(src_t),
        )
        shapes = (None, src_t._data.shape if src_t._data.shape != self._data.shape else None)
        node = CopyNode(edges, None, src_t._dtype, shapes if shapes[1] is not None else None)
        commit(self, node, 0)
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


def _random_node(name):
    """A random fill's node: the new values do not depend on the old ones (zero gradient)."""
    return defop(name, lambda node, g: (_zeros(g),))


_RANDOM_NODES = {
    name: _random_node(name)
    for name in (
        "UniformBackward0",
        "NormalBackward0",
        "ExponentialBackward0",
        "RandomBackward0",
        "RandomBackward1",
        "RandomBackward2",
        "BernoulliBackward1",
        "BernoulliBackward2",
    )
}


def _random_fill(draw, node_name):
    """An in-place random fill; recorded (as torch does) so that gradients no longer flow
    to the tensor's old history. ``node_name(args)`` picks torch's overload name."""

    def method(self, *args, generator=None, **kwargs):
        from .creation import _rng

        recorded = _check_target(self)
        values = draw(_rng(generator), self._data.shape, *args, **kwargs)
        copy_silently(writable(self._data), values)
        self._vbox[0] += 1
        if recorded:
            node_cls = _RANDOM_NODES[node_name(args + tuple(kwargs.values()))]
            commit(self, node_cls((_edge(self),), None, None), 0)
        return self

    return method


def _bernoulli_draw(rng, shape, p=0.5):
    chance = p._data if isinstance(p, Tensor) else p
    return rng.random(shape) < chance


def _bernoulli_node(args):
    return "BernoulliBackward1" if args and isinstance(args[0], Tensor) else "BernoulliBackward2"


def _random_overload(args):
    return ("RandomBackward2", "RandomBackward1", "RandomBackward0")[min(len(args), 2)]


def _draw_integers(rng, shape, low=0, high=None):
    if high is None:  # random_(to) draws from [0, to); random_() from [0, 2**24)
        low, high = 0, (2**24 if low == 0 else low)
    return rng.integers(low, high, shape)


def apply_(self, callable):
    """Replace each element x by ``callable(x)`` (a Python function; no autograd)."""
    return _python_map(self, "apply_", callable)


def map_(self, tensor, callable):
    """Replace each element x by ``callable(x, y)``, y from ``tensor`` broadcast to self."""
    return _python_map(self, "map_", callable, tensor)


def _python_map(self, name, fn, other=None):
    if self._requires_grad or (isinstance(other, Tensor) and other._requires_grad):
        raise RuntimeError(
            f"Can't call {name}() on Variable that requires grad. Use "
            f"var.detach().{name}() instead."
        )
    data = self._data
    values = data.reshape(-1).tolist()
    if other is None:
        values = [fn(v) for v in values]
    else:
        others = xp.broadcast_to(other._data, data.shape).reshape(-1).tolist()
        values = [fn(v, w) for v, w in zip(values, others)]
    kind = self._dtype.np.type
    writable(data)[...] = xp.array([kind(v) for v in values], dtype=data.dtype).reshape(data.shape)
    self._vbox[0] += 1
    return self


Tensor.apply_ = apply_
Tensor.map_ = map_
Tensor.zero_ = zero_
Tensor.fill_ = fill_
Tensor.copy_ = copy_
Tensor.set_ = set_
Tensor.uniform_ = _random_fill(
    lambda r, s, a=0.0, b=1.0: r.uniform(a, b, s), lambda args: "UniformBackward0"
)
Tensor.normal_ = _random_fill(
    lambda r, s, mean=0.0, std=1.0: r.normal(mean, std, s), lambda args: "NormalBackward0"
)
Tensor.bernoulli_ = _random_fill(_bernoulli_draw, _bernoulli_node)
Tensor.exponential_ = _random_fill(
    lambda r, s, lambd=1.0: r.exponential(1 / lambd, s), lambda args: "ExponentialBackward0"
)
Tensor.random_ = _random_fill(_draw_integers, _random_overload)

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
    if node.needs_input_grad(1):  # leading 1s of the value were dropped before broadcasting
        stripped = _strip_leading_ones(value_shape)
        grad_value = sum_to_shape(_raw_index(g, index), stripped)
        if stripped != value_shape:
            grad_value = grad_value.reshape(value_shape)
    return grad_self, grad_value


def _strip_leading_ones(shape):
    """torch drops leading size-1 dims of the value in ``x[i] = v`` (a [1] fits a [])."""
    shape = tuple(shape)
    while shape and shape[0] == 1:
        shape = shape[1:]
    return shape


# the index addresses the tensor's own dims: batched gradients go row by row
CopySlicesNode = defop("CopySlices", _copy_slices_vjp, batchable=False)
IndexPutNode = defop("IndexPutBackward0", _copy_slices_vjp, batchable=False)


def assign_index(self, index, value):
    """``self[index] = value``: write in place; record when gradients must flow."""
    from .indexing import _numpy_index

    np_index = _numpy_index(self, index if isinstance(index, tuple) else (index,))
    if not isinstance(value, Tensor):
        value = _backend.fit_scalar(value, self._dtype, check_half=False)
    if _selects_everything(self._data, np_index):  # torch writes to self, not to a view
        if isinstance(value, Tensor) and value._data.ndim:
            copy_(self, value)
        else:
            if not isinstance(value, Tensor):
                value = make(xp.asarray(value, self._dtype.np), self._dtype)
            _fill(self, value, FillTensorNode)
        return
    advanced = any(isinstance(i, xp.ndarray) for i in np_index)  # index_put_ on self
    if not advanced and isinstance(value, Tensor):  # torch expands the value to the view first
        stripped = _strip_leading_ones(value._data.shape)
        target_shape = self._data[np_index].shape
        if not _broadcasts_to(stripped, target_shape):
            raise _expand_error(stripped, target_shape, value._dtype)
    leaf_message = LEAF_INPLACE if advanced else "a view of " + LEAF_INPLACE  # else a view
    recorded = _check_target(self, (value,), leaf_message)
    if advanced and _repeats_elements(self._data):
        _warn_expanded("index_put_", "tensor[indices] = tensor")
        if _single_mask(np_index) and (not isinstance(value, Tensor) or value._data.size == 1):
            _warn_expanded("masked_fill_", "tensor[mask] = scalar")  # torch's path for a mask
    if isinstance(value, Tensor):
        raw = value._data
        if value._dtype.kind > self._dtype.kind:
            raw = raw.astype(self._dtype.np)
        raw = raw.reshape(_strip_leading_ones(raw.shape))
    else:
        raw = value
    target_shape = self._data[np_index].shape
    items = index if isinstance(index, tuple) else (index,)
    if advanced and any(_integer_index(i) for i in items):  # index_put_: shapes, then dtypes
        from .indexing_more import check_index_put_dtypes

        if _broadcasts_to(xp.shape(raw), target_shape):
            check_index_put_dtypes(self, value)
    try:
        target = writable(self._data, allow_overlap=True)
        if not advanced:  # torch copies into a view
            writable(self._data[np_index])  # (index_put_ checks overlap only in backward)
        raw = raw if isinstance(raw, xp.ndarray) else xp.asarray(raw)
        raw = _backend.cast(raw, self._dtype.np, False)  # 1e6 into half: inf, silently
        target[np_index] = xp.broadcast_to(raw, target_shape)
    except ValueError:
        if not advanced:  # torch expands the value to the view's shape
            raise _expand_error(xp.shape(raw), target_shape, self._dtype) from None
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(xp.shape(raw))} cannot be broadcast to "
            f"indexing result of shape {list(target_shape)}"
        ) from None
    self._vbox[0] += 1
    if _registry.dual_depth:  # forward AD: the written entries take the value's tangent
        _registry.inplace_tangent(self, value, np_index)
    if recorded:
        value_t = value if isinstance(value, Tensor) else None
        if getattr(self, "_viewof", None) is not None:
            stripped = _strip_leading_ones(() if value_t is None else value_t._data.shape)
            if commit_region(self, np_index, value_t, stripped):
                return
        edges = (
            (self._grad_fn, self._output_nr) if self._grad_fn is not None else (None, 0),
            _edge(value_t) if value_t is not None else (None, 0),
        )
        shape = value_t._data.shape if value_t is not None else ()
        node_cls = IndexPutNode if _index_put_only(np_index) else CopySlicesNode
        commit(self, node_cls(edges, None, (np_index, shape)), 0)


def _repeats_elements(data) -> bool:
    """Does an element of ``data`` appear at several indices (an expanded tensor)?"""
    return bool(data.size) and any(
        stride == 0 and size > 1 for stride, size in zip(data.strides, data.shape)
    )


def _warn_expanded(op, example):
    _backend.warn(
        f"Use of {op} on expanded tensors is deprecated. Please clone() the tensor before "
        f"performing this operation. This also applies to advanced indexing e.g. {example}"
    )


def _warn_overlap_allowed(name, args):
    if name != "index_put_":
        _warn_expanded(name, "tensor[mask] = scalar")
        return
    _warn_expanded(name, "tensor[indices] = tensor")
    indices, value = (tuple(args[0]), args[1]) if len(args) > 1 else ((), None)
    masks = [i._data for i in indices if isinstance(i, Tensor)]
    if len(indices) == 1 and _single_mask(masks) and getattr(value, "_data", value).size == 1:
        _warn_expanded("masked_fill_", "tensor[mask] = scalar")  # torch's path for one mask


def _single_mask(np_index) -> bool:
    """An index that is one boolean mask (of one or more dims) among full slices and ``...``."""
    masks = [i for i in np_index if isinstance(i, xp.ndarray)]
    rest = [i for i in np_index if not isinstance(i, xp.ndarray)]
    return (
        len(masks) == 1
        and masks[0].dtype == bool
        and masks[0].ndim > 0
        and all(i is Ellipsis or i == slice(None) for i in rest)
    )


def _broadcasts_to(shape, target) -> bool:
    try:
        return tuple(xp.broadcast_shapes(shape, target)) == tuple(target)
    except ValueError:
        return False


def _integer_index(item) -> bool:
    """An index of positions (an integer tensor or a list), not a mask."""
    if isinstance(item, Tensor):
        return item._dtype is not _backend.bool_ and item._data.ndim > 0
    return isinstance(item, list)


def _expand_error(shape, target, dtype) -> RuntimeError:
    """torch's error for expanding a value of ``shape`` to ``target`` (the dims that clash,
    counted from the right)."""
    if len(shape) > len(target):
        return RuntimeError(
            f"expand(torch.{dtype.scalar_name}Tensor{{{list(shape)}}}, size={list(target)}): the "
            f"number of sizes provided ({len(target)}) must be greater or equal to the number "
            f"of dimensions in the tensor ({len(shape)})"
        )
    for i in range(1, len(shape) + 1):
        if shape[-i] != 1 and shape[-i] != target[-i]:
            return RuntimeError(
                f"The expanded size of the tensor ({target[-i]}) must match the existing size "
                f"({shape[-i]}) at non-singleton dimension {len(target) - i}.  Target sizes: "
                f"{list(target)}.  Tensor sizes: {list(shape)}"
            )
    return RuntimeError(f"cannot expand {list(shape)} to {list(target)}")


def _selects_everything(data, np_index) -> bool:
    """Is ``data[np_index]`` a basic index that gives back all of ``data`` unchanged?"""
    if any(isinstance(i, xp.ndarray) or i is None for i in np_index):
        return False
    view = data[np_index]
    return (
        view.shape == data.shape
        and view.strides == data.strides
        and view.__array_interface__["data"][0] == data.__array_interface__["data"][0]
    )


def _index_put_only(np_index) -> bool:
    """torch writes with index_put_ on the tensor itself (not on a view first) when the index
    has index arrays and otherwise only full slices and ``...``."""
    arrays = False
    for item in np_index:
        if isinstance(item, xp.ndarray):
            if item.ndim == 0 and item.dtype == bool:
                return False  # a 0-d mask: torch indexes a view first
            arrays = True
        elif item is not Ellipsis and item != slice(None):
            return False
    return arrays


_INPLACE_GRAD_FNS = {
    "zero_": ("ZeroBackward0",),
    "fill_": ("FillBackward2", "FillBackward3"),
    "copy_": ("CopyBackwards",),
}
for _name, _grad_fns in _INPLACE_GRAD_FNS.items():
    export(_name, getattr(Tensor, _name), function=False, grad_fns=_grad_fns)
