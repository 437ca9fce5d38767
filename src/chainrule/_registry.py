"""The op table's machinery: declare an op once, get its function, method and grad_fn.

Each op family file in ``ops/`` declares its primitives with :func:`defop` (the torch
grad_fn name and the VJP rule) and writes the forward on raw arrays. The helpers here
do what every op needs: type promotion, the NumPy call, wrapping the result, and -- only
when some input requires grad and grad mode is on -- recording a node.
"""

from __future__ import annotations

import functools
import re
from sys import getrefcount

from . import _backend, _graph
from ._backend import (
    FLOAT,
    big_own_buffer,
    defaults,
    dtype_for_kind,
    promote_types,
    quiet_off,
    quiet_on,
    scalar_kind,
    write_into,
    xp,
)
from ._graph import SavedOutput, grad_state, make_node_class
from ._tensor import Tensor, edge, make

# name -> OpInfo, for the op-spec tests (every op registered here must have a spec).
OPS: dict = {}
# public functions (torch.xxx), filled by the op families, re-exported by __init__.
FUNCTIONS: dict = {}

_NO_EDGE = (None, 0)

# Forward-mode AD (autograd/forward_ad.py): the number of open dual levels -- zero outside
# them, so an op pays one check of this flag -- and the functions that derive tangents.
dual_depth = 0
propagate_tangents = inplace_tangent = stand_in_tangent = None
# Non-zero while forward AD runs a VJP rule to derive tangents from it: a rule whose result
# torch cannot differentiate again (cdist's) stays differentiable for that.
deriving_tangents = 0

_ndarray = xp.ndarray
_ufunc = _backend.array_ufunc_type
_FLOAT16 = _backend.float16
_F16, _F32 = xp.float16, xp.float32
_asarray = xp.asarray
_SCALAR_TYPES = (int, float, bool)


class OpInfo:
    """What the tests need to know about a registered op."""

    __slots__ = ("name", "grad_fns", "differentiable")

    def __init__(self, name, grad_fns, differentiable):
        self.name = name
        self.grad_fns = grad_fns
        self.differentiable = differentiable


def defop(grad_fn_name: str, vjp, batchable: bool = True) -> type:
    """Declare a backward node class: torch's grad_fn name and the VJP rule.

    ``vjp(node, grad)`` returns one gradient per input (None where none is needed). Rules
    use chainrule ops, so a backward recorded with create_graph=True is differentiable.

    Batched gradients (Jacobians) carry extra leading dims: rules count dims from the end
    and build shapes with :func:`lead`. A rule that cannot is declared batchable=False and
    the engine runs it once per row.
    """
    return make_node_class(grad_fn_name, vjp, batchable)


def lead(g) -> tuple:
    """The batch dims in front of a gradient (empty outside a batched backward)."""
    return g._data.shape[: grad_state.batch_ndim]


def export(
    name: str,
    func,
    *,
    method: bool | str = True,
    function: bool = True,
    grad_fns=(),
    differentiable=True,
    method_form=None,
):
    """Publish ``func`` as ``torch.<name>`` and/or ``Tensor.<name>`` and list it in OPS.

    ``method_form``: a different callable for ``Tensor.<name>`` (where torch's errors count
    argument positions from the method's first argument)."""
    plain = func
    func = accept_numpy_names(func)
    if function:
        FUNCTIONS[name] = refuse_numbers(name, plain) if _takes_input(plain) else func
    if method:
        form = func if method_form is None else accept_numpy_names(method_form)
        setattr(Tensor, name if method is True else method, form)
    OPS[name] = OpInfo(name, tuple(grad_fns), differentiable)
    return func


_NUMPY_NAMES = {"axis": "dim", "keepdims": "keepdim"}


def accept_numpy_names(func):
    """Let ``dim``/``keepdim`` also be spelled ``axis``/``keepdims``, as torch allows.

    Only functions with a ``dim`` parameter are wrapped, and the wrapper renames only after
    the plain call was refused, so the usual call pays nothing but one frame.
    """
    code = getattr(func, "__code__", None)
    if code is None or "dim" not in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]:
        return func

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except TypeError:
            if not any(name in kwargs for name in _NUMPY_NAMES):
                raise
        return func(*args, **{_NUMPY_NAMES.get(k, k): v for k, v in kwargs.items()})

    return wrapper


# first parameters of the functions whose misuse refuse_numbers reports as torch does (the
# tensor input, the tensors of cat/stack-like ops, cdist's x1, trapezoid's y, polygamma's n)
_CHECKED_FIRST = ("input", "A", "tensors", "matrices", "x1", "y", "n", "equation")
_FIRST_NAMES = {"input": "input", "A": "input", "x1": "x1", "y": "y"}  # as torch names them
_VARARGS = 0x04


def _takes_input(func) -> bool:
    code = getattr(func, "__code__", None)
    if code is None or not code.co_varnames:
        return False
    takes_first = code.co_argcount > 0 or code.co_flags & _VARARGS
    return bool(takes_first) and code.co_varnames[0] in _CHECKED_FIRST


_NOT_TENSORS = (int, float, complex, bool, list, tuple, str, type(None))


def refuse_numbers(name: str, func):
    """The function form ``torch.<name>(input, ...)``: torch's TypeError when ``input`` is a
    Python number (or list, None, ...) instead of a tensor.

    The check runs only after the call failed, so a good call pays one frame and nothing
    else; ops that take a number there (torch.add(2., t)) are unaffected. The wrapper also
    spells ``dim``/``keepdim`` as ``axis``/``keepdims`` (see accept_numpy_names).
    """
    code = func.__code__
    takes_dim = "dim" in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    params = code.co_varnames[: code.co_argcount]
    first_name = _FIRST_NAMES.get(code.co_varnames[0])
    takes_sequence = code.co_varnames[0] in ("tensors", "matrices", "equation")

    @functools.wraps(func)
    def function_form(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (AttributeError, TypeError) as error:
            if str(error).startswith((name + "() received", name + "(): argument")):
                raise  # already torch's parser error, raised by the op itself
            first = args[0] if args else kwargs.get("input", kwargs.get("A", Tensor))
            if first_name and isinstance(first, _NOT_TENSORS) and not isinstance(first, Tensor):
                raise TypeError(
                    f"{name}(): argument '{first_name}' (position 1) must be Tensor, not "
                    f"{type(first).__name__}"
                ) from None
            if isinstance(error, AttributeError):
                if takes_sequence:
                    _blame_element(args, error)
                _blame_number(name, params, args, error)
            else:
                _blame_sequence(name, params, args, kwargs, error)
            if not (takes_dim and any(key in kwargs for key in _NUMPY_NAMES)):
                raise
        return func(*args, **{_NUMPY_NAMES.get(k, k): v for k, v in kwargs.items()})

    return function_form


_COMPARED = re.compile(r"'[<>]=?' not supported between instances of '(tuple|list)' and 'int'")


def _blame_sequence(name, params, args, kwargs, error):
    """A tuple given where torch takes one int (a dim, a count) failed a comparison deep
    inside the op: torch's TypeError naming the argument."""
    found = _COMPARED.match(str(error))
    if found is None:
        return
    kind = found.group(1)
    for position, value in enumerate(args[1 : len(params)], start=1):
        if type(value).__name__ == kind:
            raise TypeError(
                f"{name}(): argument '{params[position]}' (position {position + 1}) must be "
                f"int, not {kind}"
            ) from None
    for key, value in kwargs.items():
        if type(value).__name__ == kind:
            raise TypeError(f"{name}(): argument '{key}' must be int, not {kind}") from None


def _blame_element(args, error):
    """A Python number among the tensors of cat/stack/einsum-like ops (a list, or the
    arguments themselves): torch's TypeError naming the element and the argument."""
    text = str(error)
    groups = [(0, args)]  # varargs: the arguments are the elements of argument 0
    for position, value in enumerate(args):
        if isinstance(value, (list, tuple)):
            groups = [(position, value)]
            break
    else:
        if args and isinstance(args[0], str):  # einsum(equation, *operands)
            groups = [(1, args[1:])]
    for position, values in groups:
        for index, value in enumerate(values):
            kind = type(value).__name__
            if type(value) in (int, float, bool) and text.startswith(f"'{kind}' object has no"):
                raise TypeError(
                    f"expected Tensor as element {index} in argument {position}, but got {kind}"
                ) from None


def _blame_number(name, params, args, error):
    """A Python number used as a tensor deep inside an op: torch's TypeError naming the
    argument (the first positional one of the type the AttributeError names)."""
    text = str(error)
    for position, value in enumerate(args[1 : len(params)], start=1):
        kind = type(value).__name__
        if type(value) in (int, float, bool) and text.startswith(f"'{kind}' object has no"):
            raise TypeError(
                f"{name}(): argument '{params[position]}' (position {position + 1}) must be "
                f"Tensor, not {kind}"
            ) from None


def needs_grad(*tensors) -> bool:
    """Should an op on these inputs be recorded?"""
    if not grad_state.enabled:
        return False
    return any(isinstance(t, Tensor) and t._requires_grad for t in tensors)


def will_record(*tensors) -> bool:
    """Will ``record`` need the op's saved values: a node (grad mode on and an input requires
    grad) or tangents (inside a forward-AD dual level)?"""
    return dual_depth > 0 or (grad_state.enabled and needs_grad(*tensors))


def record(node_cls, out: Tensor, inputs, saved=None, args=None, shapes=None) -> Tensor:
    """Attach a new node to ``out`` if any tensor input requires grad (grad mode on)."""
    if not grad_state.enabled:
        if dual_depth:
            propagate_tangents(node_cls, (out,), inputs, saved, args, shapes)
        return out
    for t in inputs:
        if isinstance(t, Tensor) and t._requires_grad:
            break
    else:
        if dual_depth:
            propagate_tangents(node_cls, (out,), inputs, saved, args, shapes)
        return out
    edges = tuple(edge(t) if isinstance(t, Tensor) else _NO_EDGE for t in inputs)
    out._attach(node_cls(edges, saved, args, shapes), 0)
    if dual_depth:  # after attaching: tangent rules may use the output (and its history)
        propagate_tangents(node_cls, (out,), inputs, saved, args, shapes)
    return out


_CONNECTING_NODES: dict = {}


def _connected_vjp(node, gg):
    """The gradient passes through to the rule's result; the inputs it was read from get
    zeros (a mask, a window or an index chosen by them has derivative zero)."""
    shapes, zeros = node._args
    if not zeros:
        return (gg,) + (None,) * len(shapes)
    return (
        gg,
        *(
            gg.new_zeros(lead(gg) + shape) if node.needs_input_grad(i) else None
            for i, shape in enumerate(shapes, 1)
        ),
    )


def keep_connected(result: Tensor, inputs, grad_fn_name: str, zeros: bool = True) -> Tensor:
    """A rule's result that reads ``inputs`` only through masks, windows or indices (relu's
    kinks, pooling, padding), made a function of them under create_graph, as torch's
    ``*_backward`` kernels are: it requires grad, and the next derivative with respect to
    those inputs is zeros (not None), as torch's -- or None with ``zeros=False``, where
    torch's double backward gives none. A plain backward (grad mode off) pays nothing: the
    result comes back as it is.
    """
    if not grad_state.enabled:
        return result
    inputs = tuple(t for t in inputs if isinstance(t, Tensor) and t._requires_grad)
    if not inputs:
        return result
    node_cls = _CONNECTING_NODES.get(grad_fn_name)
    if node_cls is None:
        node_cls = _CONNECTING_NODES[grad_fn_name] = defop(grad_fn_name, _connected_vjp)
    out = make(result._data, result._dtype)
    shapes = tuple(t._data.shape for t in inputs)
    return record(node_cls, out, (result, *inputs), args=(shapes, zeros))


def _refusing_vjp(node, g):
    raise RuntimeError(f"derivative for aten::{node._args} is not implemented")


_REFUSING_NODE = defop("NotImplemented", _refusing_vjp)


def not_differentiable_again(result: Tensor, inputs, kernel: str) -> Tensor:
    """A rule's result that torch computes with a backward kernel it cannot differentiate
    (``aten::<kernel>``): under create_graph it gets torch's ``NotImplemented`` node, whose
    backward raises torch's error. A plain backward pays nothing, and forward AD (which
    derives tangents by differentiating the rule) sees the rule whole."""
    if not grad_state.enabled or deriving_tangents or not needs_grad(*inputs):
        return result
    out = make(result._data, result._dtype)
    return record(_REFUSING_NODE, out, tuple(inputs), args=kernel)


def record_multi(node_cls, outs, inputs, saved=None, args=None, differentiable=None):
    """Like record, for an op with several outputs sharing one node."""
    if needs_grad(*inputs):
        edges = tuple(edge(t) if isinstance(t, Tensor) else _NO_EDGE for t in inputs)
        node = node_cls(edges, saved, args, None, len(outs))
        for i, out in enumerate(outs):
            if differentiable is None or differentiable[i]:
                out._attach(node, i)
    if dual_depth:
        propagate_tangents(node_cls, outs, inputs, saved, args, None, differentiable)
    return outs


def to_tensor(value) -> Tensor:
    """Turn a Python number, list or ndarray operand into a tensor (torch does the same)."""
    if isinstance(value, Tensor):
        return value
    from .ops.creation import tensor

    return tensor(value)


# --------------------------------------------------------------------------- broadcasting


def broadcast_error(shape_a, shape_b) -> RuntimeError:
    """torch's message for shapes that do not broadcast: the first clashing dim from the right."""
    for i in range(1, min(len(shape_a), len(shape_b)) + 1):
        a, b = shape_a[-i], shape_b[-i]
        if a != b and a != 1 and b != 1:
            return RuntimeError(
                f"The size of tensor a ({a}) must match the size of tensor b ({b}) at "
                f"non-singleton dimension {max(len(shape_a), len(shape_b)) - i}"
            )
    return RuntimeError(f"shapes {list(shape_a)} and {list(shape_b)} cannot be broadcast")


def broadcast_shape(*shapes) -> tuple:
    result = ()
    for shape in shapes:
        if shape == result:
            continue
        try:
            result = xp.broadcast_shapes(result, shape)
        except ValueError:
            raise broadcast_error(result, shape) from None
    return result


def sum_to_shape(grad: Tensor, shape: tuple) -> Tensor:
    """Undo broadcasting: sum ``grad`` over the dims that were expanded to reach its shape.

    The one place broadcasting is undone (called by the engine for nodes that broadcast).
    """
    gshape = grad._data.shape
    if gshape == shape:
        return grad
    batch = grad_state.batch_ndim
    shape = gshape[:batch] + tuple(shape)
    extra = len(gshape) - len(shape)
    dims = tuple(range(batch, batch + extra)) + tuple(
        extra + i
        for i, size in enumerate(shape)
        if i >= batch and size == 1 and gshape[extra + i] != 1
    )
    if dims:
        grad = grad.sum(dims, keepdim=True)
    if grad._data.shape != shape:
        grad = grad.reshape(shape)
    return grad


_graph.sum_to_shape = sum_to_shape


# --------------------------------------------------------------------------- elementwise


def result_dtype(a, b):
    """torch's promotion for two operands, each a Tensor or a Python number."""
    a_tensor = isinstance(a, Tensor)
    b_tensor = isinstance(b, Tensor)
    if a_tensor and b_tensor:
        da, db = a._dtype, b._dtype
        if da is db:
            return da
        a0, b0 = a._data.ndim == 0, b._data.ndim == 0
        if a0 == b0:
            return promote_types(da, db)
        dims, zero = (db, da) if a0 else (da, db)
        return dims if zero.kind <= dims.kind else zero
    if a_tensor:
        kind = scalar_kind(b)
        return a._dtype if kind <= a._dtype.kind else dtype_for_kind(kind)
    if b_tensor:
        kind = scalar_kind(a)
        return b._dtype if kind <= b._dtype.kind else dtype_for_kind(kind)
    return dtype_for_kind(max(scalar_kind(a), scalar_kind(b)))


def operand(value, dtype):
    """The raw array (or Python number) of an operand, in the computation dtype."""
    if isinstance(value, Tensor):
        data = value._data
        return data if value._dtype is dtype else data.astype(dtype.np)
    if type(value) is int and not _INT64_MIN <= value <= _INT64_MAX:
        _backend.check_python_int(value)
        value = float(value) if dtype.kind == FLOAT else value - 2**64  # uint64's bits
    if dtype.kind == FLOAT or type(value) is bool:
        return value
    return xp.asarray(value).astype(dtype.np)  # wrap out-of-range ints as torch does


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def beyond_int64(a: Tensor, number: int, float_result=False):
    """A Python int operand past int64 of tensor ``a``: torch reads one below 2**64 as
    uint64 (wrapping into an integer result, a double for a float one), refuses to promote
    it with bool, and refuses anything larger."""
    _backend.check_python_int(number)
    if a._dtype is _backend.bool_:
        raise RuntimeError(
            "Promotion for uint16, uint32, uint64 types is not supported, attempted to promote "
            "Bool and UInt64"
        )
    if float_result or a._dtype.kind == FLOAT:
        return float(number)
    return number - 2**64  # the same bits as int64: what a cast into a's dtype keeps


def _broadcasts_into(shape, target) -> bool:
    """Can an array of ``shape`` be broadcast to ``target`` without growing it?"""
    if len(shape) > len(target):
        return False
    return all(s == 1 or s == t for s, t in zip(reversed(shape), reversed(target)))


def times_temporary(g: Tensor, temporary: Tensor) -> Tensor:
    """``g * temporary`` for a rule's own intermediate, computed in its buffer when possible.

    A rule such as ``g * f'(x)`` makes ``f'(x)`` only to multiply it: writing the product
    into that buffer saves an array the size of the input (the peak memory of a backward
    pass on big tensors) and an allocation. It is done only when nothing can tell: grad mode
    off (a plain backward records nothing), no dual level, and CPython's reference counts
    show that this call holds the only reference to ``temporary`` (so pass the expression,
    not a local variable) and ``temporary`` the only one to its array. A saved value, a
    view, a cached constant or the user's tensor is therefore never overwritten. Otherwise
    (for shapes that broadcast, and for arrays under IN_PLACE_MIN elements) it is
    ``g * temporary``.
    """
    data = temporary._data
    if (
        big_own_buffer(data)  # first: it turns every scalar away at once
        and getrefcount(temporary) <= 2  # this parameter and getrefcount's argument
        and not grad_state.enabled
        and not dual_depth
        and temporary._dtype is g._dtype
        and (g._data.shape == data.shape or g._data.ndim == 0)
        and getrefcount(data) <= 3  # the tensor's slot, `data` and getrefcount's argument
    ):
        write_into(xp.multiply, data, g._data)
        return temporary
    return g * temporary


class Elementwise:
    """An elementwise op: forward on arrays, backward node class, dtype policy.

    ``saves``: "inputs" (the operands), "output" (the result), None, or for two operands a
    policy ``saves(a, b, out, a_needs_grad, b_needs_grad) -> tuple`` that keeps only what
    the rule will use (torch saves ``b`` for ``a * b`` only when ``a`` needs a gradient; what
    is not saved cannot make backward fail after an in-place change).
    ``float_only``: integer/bool inputs are computed in the default float dtype (exp, div).
    ``result_bool``: comparisons and predicates give bool and are not differentiable.
    ``number_edge``: with a Python number as ``b``, whether the node still has an (empty)
    edge for it -- torch's ``x * 2`` has two edges, ``x ** 2`` and ``2 - x`` only one.
    ``half_opmath``: a float16 tensor with a Python number is computed in float32 and rounded
    once, as torch's mul and div do (NumPy would round the number to float16 first; torch's
    add and sub do that too).
    """

    __slots__ = (
        "forward",
        "ufunc",
        "node_cls",
        "saves",
        "float_only",
        "result_bool",
        "number_edge",
        "half_opmath",
        "widen_half",
    )

    def __init__(
        self,
        forward,
        node_cls=None,
        saves="inputs",
        float_only=False,
        result_bool=False,
        number_edge=True,
        half_opmath=False,
    ):
        self.forward = forward
        # a NumPy ufunc is called with out=... so that 0-d inputs give a 0-d array, not a
        # NumPy scalar that make() would have to convert back (a quarter of a scalar op)
        self.ufunc = forward if isinstance(forward, _ufunc) else None
        self.node_cls = node_cls
        self.saves = saves
        self.float_only = float_only
        self.result_bool = result_bool
        self.number_edge = number_edge
        self.half_opmath = half_opmath
        # float16 is computed in float32 and rounded once, as torch's kernels do, unless the
        # forward rounds from double itself (one rounding from double, not two)
        self.widen_half = not result_bool and not getattr(forward, "rounds_half_itself", False)

    def unary(self, x: Tensor) -> Tensor:
        dtype = x._dtype
        data = x._data
        if self.float_only and dtype.kind != FLOAT:
            dtype = defaults.float_dtype
            data = data.astype(dtype.np)
        half = dtype is _FLOAT16 and self.widen_half
        if half:  # torch's half kernels compute in float32 and round once
            data = data.astype(_F32)
        token = quiet_on()
        try:
            ufunc = self.ufunc
            result = self.forward(data) if ufunc is None else ufunc(data, out=...)
            if half:  # overflow to inf is silent, as in torch
                result = result.astype(_F16)
        finally:
            quiet_off(token)
        if self.result_bool:
            return make(result, _backend.bool_)
        out = make(result, dtype)
        node_cls = self.node_cls
        if node_cls is not None:
            if x._requires_grad and grad_state.enabled:
                saves = self.saves
                saved = (x,) if saves == "inputs" else (SavedOutput(out),) if saves else None
                out._attach(node_cls((edge(x),), saved), 0)
            if dual_depth:
                propagate_tangents(node_cls, (out,), (x,), None, None, None, None, self)
        return out

    def binary(self, a: Tensor, b, args=None) -> Tensor:
        """``a op b`` for a tensor ``a`` and a tensor or number ``b``."""
        dtype = a._dtype
        if isinstance(b, Tensor):
            b_tensor = True
            if dtype is not b._dtype:
                dtype = result_dtype(a, b)
            bv = b._data
        elif isinstance(b, _SCALAR_TYPES):
            b_tensor = False
            if type(b) is int and not _INT64_MIN <= b <= _INT64_MAX:
                b = beyond_int64(a, b, self.float_only)
            kind = scalar_kind(b)
            if kind > dtype.kind:
                dtype = dtype_for_kind(kind)
            bv = b
        elif isinstance(b, _ndarray) or (hasattr(b, "dtype") and hasattr(b, "shape")):
            return self.binary(a, to_tensor(b), args)  # NumPy operands are accepted, as in torch
        else:
            return NotImplemented
        if self.float_only and dtype.kind != FLOAT:
            dtype = defaults.float_dtype
        av = a._data
        if not b_tensor and dtype is _FLOAT16 and self.half_opmath:
            return self._half_with_number(a, b, av, args)  # a is float16 itself then
        half = dtype is _FLOAT16 and self.widen_half
        token = quiet_on()  # the casts too: 1e6 into float16 is inf, silently as in torch
        try:
            if a._dtype is not dtype:
                av = av.astype(dtype.np)
            if b_tensor:
                if b._dtype is not dtype:
                    bv = bv.astype(dtype.np)
            elif dtype.kind != FLOAT and type(b) is not bool:
                bv = operand(b, dtype)
            if half:  # in float32, rounded once (a number is rounded to half first, as torch)
                av = av.astype(_F32)
                bv = bv.astype(_F32) if b_tensor else _F32(_F16(bv))
            ufunc = self.ufunc
            result = self.forward(av, bv) if ufunc is None else ufunc(av, bv, out=...)
            if half:  # overflow to inf is silent, as in torch
                result = result.astype(_F16)
        except ValueError:
            raise broadcast_error(a._data.shape, xp.shape(bv)) from None
        finally:
            quiet_off(token)
        if self.result_bool:
            return make(result, _backend.bool_)
        out = make(result, dtype)
        node_cls = self.node_cls
        if node_cls is None:
            return out
        if (a._requires_grad or (b_tensor and b._requires_grad)) and grad_state.enabled:
            self._record(out, a, b, b_tensor, args)
        if dual_depth:  # after attaching, as in record
            self._tangents(out, a, b, args)
        return out

    def _half_with_number(self, a, b, av, args):
        """float16 ``a op number``: computed in float32 and rounded once (see half_opmath)."""
        wide = make(av.astype(xp.float32), _backend.float32)
        token = quiet_on()
        try:
            result = self.forward(wide._data, xp.float32(b)).astype(xp.float16)
        finally:
            quiet_off(token)
        out = make(result, _backend.float16)
        if a._requires_grad and grad_state.enabled:
            self._record(out, a, b, False, args)
        if dual_depth:
            self._tangents(out, a, b, args)
        return out

    def _record(self, out, a, b, b_tensor, args):
        """Attach the node of ``out = a op b``: edges, saved values, broadcast shapes."""
        shapes = None
        if b_tensor:
            out_shape = out._data.shape
            sa, sb = a._data.shape, b._data.shape
            if sa != out_shape or sb != out_shape:
                shapes = (sa if sa != out_shape else None, sb if sb != out_shape else None)
            edges = (edge(a), edge(b))
        else:
            edges = (edge(a), _NO_EDGE) if self.number_edge else (edge(a),)
        saves = self.saves
        if saves is None:
            saved = None
        elif saves == "inputs":
            saved = (a, b)
        elif saves == "output":
            saved = (SavedOutput(out),)
        else:
            saved = saves(a, b, out, a._requires_grad, b_tensor and b._requires_grad)
        out._attach(self.node_cls(edges, saved, args, shapes), 0)

    def binary_into(self, a: Tensor, b) -> bool:
        """``a op= b`` for a float tensor, computed straight into a's array, when that is
        exactly what the out-of-place op would store: ``b`` a number or a tensor of a's
        dtype that broadcasts to a's shape. False (nothing done) otherwise; the caller then
        takes the general path. Recording, version counts and checks are the caller's."""
        data = a._data
        if self.ufunc is None or self.result_bool or a._dtype.kind != FLOAT:
            return False
        if self.half_opmath and a._dtype is _backend.float16:
            return False  # the general path rounds as torch does
        if isinstance(b, Tensor):
            bv = b._data
            if b._dtype is not a._dtype or not _broadcasts_into(bv.shape, data.shape):
                return False
        elif type(b) is float or type(b) is int:
            bv = b
        else:
            return False
        if not data.flags.writeable:
            return False
        write_into(self.ufunc, data, bv)
        return True

    def _tangents(self, out, a, b, args):
        """Forward AD: the output's tangents (only inside a dual level)."""
        propagate_tangents(self.node_cls, (out,), (a, b), None, args, None, None, self)
