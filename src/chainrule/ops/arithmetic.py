"""Arithmetic and powers with their derivatives: + - * / // % ** and their named forms.

Each rule maps the output gradient ``g`` to one gradient per input, written with
chainrule ops (so it can itself be differentiated). Broadcasting is undone by the engine.
"""

from __future__ import annotations

import math

from .. import _backend
from .._backend import FLOAT, defaults, xp
from .._graph import SavedOutput, grad_state
from .._registry import (
    Elementwise,
    beyond_int64,
    broadcast_shape,
    defop,
    export,
    lead,
    operand,
    record,
    result_dtype,
    times_temporary,
    to_tensor,
)
from .._tensor import Tensor, make
from .elementwise import _tensor_first, _with_out, reciprocal, where

__all__ = []


def _export(name, func, **kw):
    __all__.append(name)
    return export(name, func, **kw)


_quiet = _backend.quiet  # a kernel without NumPy's floating-point warnings
_FLOAT16 = _backend.float16


# --------------------------------------------------------------------------- arithmetic


def _add_vjp(node, g):
    alpha = node._args
    return g, (g if alpha is None else g * alpha)


def _sub_vjp(node, g):
    alpha = node._args
    return g, (-g if alpha is None else g * -alpha)


def _rsub_vjp(node, g):
    return (-g if node._args is None else g * -node._args), None


def _rsub_tensor_vjp(node, g):
    alpha = node._args
    grad_input = (-g if alpha is None else g * -alpha) if node.needs_input_grad(0) else None
    return grad_input, (g if node.needs_input_grad(1) else None)


def _saves_crosswise(a, b, out, a_needs, b_needs):
    """a * b: the gradient of a needs b and the gradient of b needs a."""
    return (a if b_needs else None, b if a_needs else None)


def _saves_for_div(a, b, out, a_needs, b_needs):
    """a / b: both gradients need b; only the gradient of b needs a."""
    return (a if b_needs else None, b)


def _mul_vjp(node, g):
    a, b = node.saved
    return (
        g * b if node.needs_input_grad(0) else None,
        g * a if node.needs_input_grad(1) else None,
    )


def _div_vjp(node, g):
    a, b = node.saved
    grad_a = g / b if node.needs_input_grad(0) else None
    # -g * a / b**2 written as torch writes it, ((a / b) / b): b * b would overflow float16,
    # round twice, and square at every order (a 7th float32 derivative of x / (1 + x) summed
    # terms of 1e11 that cancel: 8211.69 instead of 19.69)
    grad_b = -g * ((a / b) / b) if node.needs_input_grad(1) else None
    return grad_a, grad_b


def _remainder_number_vjp(node, g):
    return g, None


def _neg_vjp(node, g):
    return (-g,)


def _remainder_vjp(node, g):
    a, b = node.saved
    grad_b = None
    if node.needs_input_grad(1):
        # a rounded division, as torch writes it: its own derivative is zero (no nan from a)
        grad_b = -g * a.div(b, rounding_mode="floor")
    return g, grad_b


def _rounded_div_vjp(node, g):
    """div with rounding_mode: piecewise constant, so zero almost everywhere (as in torch)."""
    _ = node.saved  # torch saves both operands: changing one in place breaks backward there too
    zeros = g.new_zeros(g.shape)  # not g * 0: an infinite g would give nan
    return (
        zeros if node.needs_input_grad(0) else None,
        zeros if node.needs_input_grad(1) else None,
    )


def _not_implemented(op):
    """The rule of an op torch has no derivative for: backward raises torch's error."""

    def rule(node, g):
        raise RuntimeError(f"derivative for aten::{op} is not implemented")

    return rule


AddNode = defop("AddBackward0", _add_vjp)
SubNode = defop("SubBackward0", _sub_vjp)
RsubNode = defop("RsubBackward1", _rsub_vjp)
RsubTensorNode = defop("RsubBackward0", _rsub_tensor_vjp)
MulNode = defop("MulBackward0", _mul_vjp)
DivNode = defop("DivBackward0", _div_vjp)
NegNode = defop("NegBackward0", _neg_vjp)
RemainderNode = defop("RemainderBackward0", _remainder_number_vjp)  # remainder(tensor, number)
RemainderTensorNode = defop("RemainderBackward1", _remainder_vjp)  # remainder(tensor, tensor)
FloorDivideNode = defop("NotImplemented", _not_implemented("floor_divide"))
RemainderOfNumberNode = defop("NotImplemented", _not_implemented("remainder"))  # number % tensor
RoundedDivNode = defop("DivBackward2", _rounded_div_vjp)

# quiet too: inf - inf and 0 * inf give NaN without a warning in torch (NumPy warns)
_ADD = Elementwise(xp.add, AddNode, saves=None)
_SUB = Elementwise(xp.subtract, SubNode, saves=None)
_RSUB = Elementwise(lambda a, b: b - a, RsubNode, saves=None, number_edge=False)
_RSUB_TENSOR = Elementwise(lambda a, b: b - a, RsubTensorNode, saves=None)
_MUL = Elementwise(xp.multiply, MulNode, saves=_saves_crosswise, half_opmath=True)
_DIV = Elementwise(xp.true_divide, DivNode, saves=_saves_for_div, float_only=True, half_opmath=True)


def _torch_remainder(a, b):
    """a mod b with the divisor's sign, as torch computes it: from fmod, so a zero result
    keeps fmod's sign (NumPy's remainder gives -0.0 for 0.4 % -0.2, torch 0.0)."""
    m = xp.fmod(a, b)
    return xp.where((m != 0) & ((m < 0) != (xp.asarray(b) < 0)), m + b, m)


_REMAINDER = Elementwise(_torch_remainder, RemainderNode, saves=None, number_edge=False)
_REMAINDER_TENSOR = Elementwise(_torch_remainder, RemainderTensorNode)
_REMAINDER_OF_NUMBER = Elementwise(_torch_remainder, RemainderOfNumberNode, saves=None)


def _floor_div(a, b):
    """floor(a / b). float16 arrives unwidened and follows torch's half kernel step by step,
    each step rounded to half: the quotient (a - fmod(a, b)) / b, one less where the
    remainder's sign is not the divisor's, then its floor, one more where that is over 0.5
    below it; a / b where b is 0 (inf or nan, as IEEE division). By a one-element tensor
    (torch's kernel reads it as a scalar) or a number (half_opmath) it is computed in
    float32 and rounded once. NumPy's floor_divide is that same algorithm."""
    if a.dtype != xp.float16:
        return xp.floor_divide(a, b)
    if xp.size(b) == 1:
        return xp.floor_divide(a.astype(xp.float32), xp.float32(b)).astype(xp.float16)
    one = xp.float16(1)
    b = xp.asarray(b, xp.float16)
    mod = xp.fmod(a, b)
    div = (a - mod) / b
    div = xp.where((mod != 0) & ((b < 0) != (mod < 0)), div - one, div)
    floored = xp.floor(div)
    floored = xp.where(div - floored > xp.float16(0.5), floored + one, floored)
    floored = xp.where(div != 0, floored, xp.copysign(xp.float16(0), a / b))
    return xp.where(b == 0, a / b, floored)


_floor_div.rounds_half_itself = True
_FLOOR_DIVIDE = Elementwise(_floor_div, FloorDivideNode, saves=None, half_opmath=True)
_DIV_FLOOR = Elementwise(_floor_div, RoundedDivNode, half_opmath=True)


def _div_trunc(a, b):
    """trunc(a / b). Two float16 tensors arrive unwidened: torch rounds their quotient to
    half, then truncates (4096 / 1.5967 is 2566, not trunc(2565.3) = 2565 rounded to 2564).
    float16 by a number, or by a one-element tensor (which torch's kernel reads as a scalar),
    is computed in float32 and rounded once, as torch's (half_opmath for numbers)."""
    if a.dtype == xp.float16 and xp.size(b) == 1:
        return xp.trunc(a.astype(xp.float32) / xp.float32(b)).astype(xp.float16)
    return xp.trunc(a / b)


_div_trunc.rounds_half_itself = True
_DIV_TRUNC = Elementwise(_div_trunc, RoundedDivNode, half_opmath=True)


def _check_int_division(a, b, kernel):
    """torch's refusals for a rounded division: no bool kernel, and an integer divisor that
    is zero once cast to the result dtype (2**40 is 0 as uint8)."""
    if isinstance(a, Tensor) and isinstance(b, Tensor):  # torch checks the shapes first
        broadcast_shape(a._data.shape, b._data.shape)
    if type(b) is int and not -(2**63) <= b < 2**63:
        beyond_int64(a, b)  # torch's refusals of an int past int64
    dtype = result_dtype(a, b)
    if dtype is _backend.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    if dtype.kind != FLOAT and not xp.all(operand(b, dtype)):
        raise RuntimeError("ZeroDivisionError")


def _number_first(number, tensor):
    """``number op tensor`` for a non-commutative op: the number as a 0-d tensor of the
    result dtype, so it takes no part in promotion (3 // a uint8 tensor is uint8)."""
    if type(number) is int and not -(2**63) <= number < 2**63:
        number = beyond_int64(tensor, number)
    dtype = result_dtype(number, tensor)
    return make(xp.asarray(operand(number, dtype), dtype.np), dtype)


def _is_bool(value) -> bool:
    return type(value) is bool or (isinstance(value, Tensor) and value._dtype is _backend.bool_)


def _check_bool_sub(a, b):
    """torch refuses subtraction with a bool operand (a tensor or a Python bool)."""
    a_bool, b_bool = _is_bool(a), _is_bool(b)
    if a_bool and b_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
        )
    if a_bool or b_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )


def _sub_operator(self, other):
    if self._dtype is _backend.bool_ or _is_bool(other):
        _check_bool_sub(self, other)
    return _SUB.binary(self, other)


def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, with broadcasting.

    >>> add(tensor([1., 2.]), 1)
    tensor([2., 3.])
    """
    if alpha != 1:
        input = to_tensor(input)  # add(2, x, alpha=3) is 2 + 3 * x: no swapping here
        result = _with_alpha(AddNode, input, other, alpha, lambda a, b: a + b * alpha)
        return _with_out(result, out)
    input, other = _tensor_first(input, other)
    return _with_out(_ADD.binary(input, other), out)


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other."""
    if not isinstance(input, Tensor):
        return rsub(other, input, alpha=alpha)
    _check_bool_sub(input, other)
    if alpha != 1:
        result = _with_alpha(SubNode, input, other, alpha, lambda a, b: a - b * alpha)
        return _with_out(result, out)
    return _with_out(_SUB.binary(input, other), out)


def _with_alpha(node_cls, input, other, alpha, compute):
    """compute() (input and alpha * other combined) as one node that keeps alpha in its args,
    as torch does: nothing is saved, so a second backward works and in-place changes to the
    operands do not matter."""
    dtype = result_dtype(input, other)  # alpha takes no part in promotion: bool + 3 * bool
    if dtype.kind != FLOAT and isinstance(alpha, float):
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )
    previous = grad_state.enabled
    grad_state.enabled = False
    try:  # both operands in the result dtype first: alpha * an int8 tensor must not wrap
        out = compute(_in_dtype(input, dtype), _in_dtype(other, dtype))
    finally:
        grad_state.enabled = previous
    if out._dtype is not dtype:
        out = make(out._data.astype(dtype.np), dtype)
    if not isinstance(other, Tensor):
        return record(node_cls, out, (input,), None, alpha)
    shape = out._data.shape
    shapes = tuple(s if s != shape else None for s in (input._data.shape, other._data.shape))
    broadcast = any(s is not None for s in shapes)  # () is a shape too: a 0-d operand
    return record(node_cls, out, (input, other), None, alpha, shapes if broadcast else None)


def _in_dtype(value, dtype):
    if isinstance(value, Tensor) and value._dtype is not dtype:
        return make(value._data.astype(dtype.np), dtype)
    return value


def rsub(input, other, *, alpha=1):
    """other - alpha * input (what ``2 - x`` computes)."""
    _check_bool_sub(other, input)
    if alpha != 1:
        node_cls = RsubTensorNode if isinstance(other, Tensor) else RsubNode
        return _with_alpha(node_cls, input, other, alpha, lambda a, b: rsub(a * alpha, b))
    if isinstance(other, Tensor):
        return _RSUB_TENSOR.binary(input, other)
    return _RSUB.binary(input, other)


def mul(input, other, *, out=None):
    """input * other.

    >>> mul(tensor([1., 2.]), 3)
    tensor([3., 6.])
    """
    input, other = _tensor_first(input, other)
    return _with_out(_mul(input, other), out)


def _mul(a, b):
    return _MUL.binary(a, b)


def div(input, other, *, rounding_mode=None, out=None):
    """input / other (true division; ints give the default float dtype)."""
    if rounding_mode == "floor":
        if not _is_float(input, other):
            return floor_divide(input, other)
        return _DIV_FLOOR.binary(to_tensor(input), other)
    if rounding_mode == "trunc":
        if not _is_float(input, other):
            return _trunc_int_div(input, other)
        return _DIV_TRUNC.binary(to_tensor(input), other)
    if rounding_mode is not None:
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    if not isinstance(input, Tensor):
        return to_tensor(input) / other
    return _with_out(_DIV.binary(input, other), out)


def _is_float(a, b):
    return result_dtype(a, b).kind == FLOAT


def _trunc_int_div(a, b):
    a = to_tensor(a)
    _check_int_division(a, b, "div_trunc_cpu")
    dtype = result_dtype(a, b)
    av, bv = xp.asarray(operand(a, dtype)), xp.asarray(operand(b, dtype), dtype.np)
    token = _backend.quiet_on()
    try:  # in integers (through floats, int64 would lose digits): floor, then toward zero
        quotient = av // bv
        quotient += ((av % bv) != 0) & ((av < 0) != (bv < 0))
    finally:
        _backend.quiet_off(token)
    return make(xp.asarray(quotient, dtype.np), dtype)


def rdiv(input, other):
    """other / input for a number ``other``: torch computes ``reciprocal(input) * other``."""
    if input._dtype.kind != FLOAT:
        input = input.to(defaults.float_dtype)
    return reciprocal(input) * other


def floor_divide(input, other):
    """Division rounded toward minus infinity (``//``); not differentiable, as in torch."""
    if not isinstance(input, Tensor):  # not commutative: a number first is the dividend
        input = _number_first(input, other)
    _check_int_division(input, other, "div_floor_cpu")
    return _FLOOR_DIVIDE.binary(input, other)


def remainder(input, other):
    """Python's modulus (sign of the divisor), ``%``."""
    if not isinstance(input, Tensor):  # number % tensor: torch has no derivative for it
        input = _number_first(input, other)
        _check_int_division(input, other, "remainder_cpu")
        return _REMAINDER_OF_NUMBER.binary(input, other)
    _check_int_division(input, other, "remainder_cpu")
    if isinstance(other, Tensor):
        return _REMAINDER_TENSOR.binary(input, other)
    return _REMAINDER.binary(input, other)


def neg(input):
    """-input."""
    if input._dtype is _backend.bool_:
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return _NEG.unary(input)


_NEG = Elementwise(xp.negative, NegNode, saves=None)


# --------------------------------------------------------------------------- powers


def _pow_scalar_vjp(node, g):
    x, exponent = node.saved
    if exponent == 0:
        return (g.new_zeros(lead(g) + x.shape),)  # torch's zeros_like(x): no nan, no graph
    # torch's order, g * (e * x^(e-1)). A plain backward skips the x^1 copy of squares; under
    # create_graph x^(e-1) is a recorded power, as in torch: x^1 and then x^0 keep the next
    # derivative connected to x (the third derivative of x**2 is zeros, not an error).
    if exponent == 2 and not grad_state.enabled:
        return (times_temporary(g, x * exponent),)
    return (times_temporary(g, x ** (exponent - 1) * exponent),)


def _pow_tensor_vjp(node, g):
    base, exponent, out = node.saved  # torch saves the result too (in-place checks)
    grad_base = grad_exp = None
    if node.needs_input_grad(0):  # torch's order: g * (e * x^(e-1))
        grad = g * (exponent * base ** (exponent - 1))
        grad_base = where(exponent == 0, 0.0, grad)
    if node.needs_input_grad(1):  # g times 0 where the base is 0: g's signed zero, as torch
        grad_exp = g * where((base == 0) & (exponent >= 0), 0.0, out * base.log())
    return grad_base, grad_exp


def _saves_for_rpow(exponent, base, out, exponent_needs, _):
    """number ** tensor: torch keeps the exponent, the result and the base."""
    return (exponent, SavedOutput(out), base)


def _rpow_vjp(node, g):
    _, out, base = node.saved
    if base == 0:
        return (where(out == 0, 0.0, g * out * float("-inf")) * 0,)
    import math

    return (g * (out * math.log(base)),)  # torch's order: g * (result * log(base))


def _single_power(base, exponent):
    """float32 ** float32 (float16 arrives widened): in double, rounded once. torch's
    vectorised pow is within an ulp; NumPy's float32 pow differs from it in the last bit
    for a fifth of inputs, the correctly rounded value for under 2%."""
    if base.ndim == 0 and not isinstance(exponent, xp.ndarray):
        try:  # a scalar: C's pow on the two doubles, without four 0-d array conversions
            return xp.asarray(math.pow(float(base), float(xp.float32(exponent))), xp.float32)
        except (OverflowError, ValueError):
            pass  # inf or nan: NumPy's answer below
    wide = xp.power(base.astype(xp.float64), xp.asarray(exponent, base.dtype).astype(xp.float64))
    return wide.astype(base.dtype)


# float32 ** number: the exponents torch computes with products and quotients instead of pow
_POWER_BY_PRODUCTS = {  # (out=... keeps 0-d results arrays)
    2: lambda x: xp.multiply(x, x, out=...),
    3: lambda x: xp.multiply(x * x, x, out=...),
    -1: lambda x: xp.divide(1, x, out=...),
    -2: lambda x: xp.divide(1, x * x, out=...),
    -0.5: lambda x: xp.divide(1, xp.sqrt(x), out=...),
}


def _scalar_power(base, exponent):
    """tensor ** number (base: the tensor's array), with torch's special cases for float32
    (and float16, which arrives widened to float32)."""
    if type(exponent) is float and exponent == -0.5 and base.dtype.kind == "f":
        # torch computes x ** -0.5 as rsqrt: nan at -inf and -inf at -0. (NumPy's power: 0
        # and inf); the derivative of x ** 0.5 goes through it too
        return xp.divide(1, xp.sqrt(base), out=...)
    if base.dtype != xp.float32 or type(exponent) is bool:
        return xp.power(base, exponent, out=...)
    by_products = _POWER_BY_PRODUCTS.get(exponent)
    if by_products is not None:
        return by_products(base)
    return _single_power(base, exponent)


def _power(base, exponent):
    """base ** exponent; integers to negative integer tensor powers give what torch gives
    (1 / base truncated: 0, except 1 and -1), where NumPy raises."""
    base_array, exp_array = xp.asarray(base), xp.asarray(exponent)
    if base_array.dtype == xp.float32 and exp_array.dtype == xp.float32:
        return _single_power(base_array, exp_array)
    if exp_array.dtype.kind not in "iu" or base_array.dtype.kind not in "iu":
        return xp.power(base, exponent)
    negative = exp_array < 0
    if not negative.any():
        return xp.power(base, exponent)
    result = xp.power(base_array, xp.where(negative, 0, exp_array))
    odd = exp_array % 2 != 0
    inverse = xp.where(base_array == 1, 1, xp.where(base_array == -1, xp.where(odd, -1, 1), 0))
    return xp.where(negative, inverse, result).astype(result.dtype)


PowScalarNode = defop("PowBackward0", _pow_scalar_vjp)
PowTensorNode = defop("PowBackward1", _pow_tensor_vjp)
RpowNode = defop("PowBackward2", _rpow_vjp)
_POW_SCALAR = Elementwise(_scalar_power, PowScalarNode, number_edge=False)
_POW_TENSOR = Elementwise(
    _power, PowTensorNode, saves=lambda a, b, out, *_: (a, b, SavedOutput(out))
)
_RPOW = Elementwise(lambda e, b: _power(b, e), RpowNode, saves=_saves_for_rpow, number_edge=False)


def pow(input, exponent):
    """input ** exponent, for a tensor or number on either side.

    >>> pow(tensor([1., 2.]), 3)
    tensor([1., 8.])
    """
    if not isinstance(input, Tensor):
        return _rpow(exponent, input)
    check_int_pow(input, exponent)
    if input._dtype is _backend.bool_ and type(exponent) is not bool:
        if result_dtype(input, exponent) is _backend.bool_:
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    elif isinstance(exponent, Tensor) and exponent._dtype is _backend.bool_:
        if result_dtype(input, exponent) is _backend.bool_:
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    if isinstance(exponent, Tensor):
        return _POW_TENSOR.binary(input, exponent)
    return _POW_SCALAR.binary(input, exponent)


def check_int_pow(base, exponent):
    """torch's first refusals for ``base ** number``: a negative int power of integers, and
    a number the base's dtype cannot hold."""
    dtype = base._dtype
    if dtype.kind == FLOAT and dtype is not _FLOAT16:  # the common case: nothing to refuse
        if type(exponent) is int and not -(2**63) <= exponent < 2**64:
            _backend.check_python_int(exponent)
        return
    if isinstance(exponent, Tensor):
        return
    if type(exponent) is int and 2**63 <= exponent < 2**64 and dtype.kind != FLOAT:
        raise RuntimeError("value cannot be converted to type int64_t without overflow")
    # only a negative Python int is refused; negative tensor exponents give 0 (or +-1)
    if dtype.kind != FLOAT and isinstance(exponent, int) and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    _backend.check_exponent(exponent, dtype)


def _rpow(exponent, base):
    """number ** tensor."""
    if result_dtype(exponent, base) is _backend.bool_:
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    if type(base) is bool:
        base = int(base)  # True ** int8 tensor: an int8 power of 1
    return _RPOW.binary(exponent, base)


def square(input):
    """input ** 2 (recorded as PowBackward0, as in torch)."""
    return pow(input, 2)


negative = neg

# --------------------------------------------------------------------------- publish

for _name, _func, _grad_fns in (
    ("add", add, ("AddBackward0",)),
    ("sub", sub, ("SubBackward0",)),
    ("subtract", sub, ("SubBackward0",)),
    ("rsub", rsub, ("RsubBackward1", "RsubBackward0")),
    ("mul", mul, ("MulBackward0",)),
    ("multiply", mul, ("MulBackward0",)),
    ("div", div, ("DivBackward0", "DivBackward2")),
    ("divide", div, ("DivBackward0", "DivBackward2")),
    ("true_divide", div, ("DivBackward0",)),
    ("floor_divide", floor_divide, ("NotImplemented",)),
    ("remainder", remainder, ("RemainderBackward0", "RemainderBackward1", "NotImplemented")),
    ("neg", neg, ("NegBackward0",)),
    ("negative", neg, ("NegBackward0",)),
    ("pow", pow, ("PowBackward0", "PowBackward1", "PowBackward2")),
    ("square", square, ("PowBackward0",)),
):
    _export(_name, _func, grad_fns=_grad_fns)

# Operators skip the argument handling of the named functions (self is always a tensor).
Tensor.__add__ = Tensor.__radd__ = lambda self, other: _ADD.binary(self, other)
Tensor.__sub__ = _sub_operator
Tensor.__rsub__ = lambda self, other: rsub(self, other)
Tensor.__mul__ = Tensor.__rmul__ = _mul
Tensor.__truediv__ = div
Tensor.__rtruediv__ = rdiv
Tensor.__floordiv__ = floor_divide
Tensor.__rfloordiv__ = lambda self, other: floor_divide(other, self)
Tensor.__mod__ = remainder
Tensor.__rmod__ = lambda self, other: remainder(other, self)
Tensor.__pow__ = pow
Tensor.__rpow__ = lambda self, other: _rpow(self, other)
Tensor.__neg__ = neg
