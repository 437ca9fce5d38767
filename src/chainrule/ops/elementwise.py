"""Elementwise ops and their derivatives: arithmetic, powers, exp/log, trig, activations.

Each rule maps the output gradient ``g`` to one gradient per input, written with
chainrule ops (so it can itself be differentiated). Broadcasting is undone by the engine.
"""

from __future__ import annotations

from .. import _backend
from .._backend import FLOAT, defaults, xp
from .._graph import SavedOutput, grad_state
from .._registry import Elementwise, defop, export, record, result_dtype, to_tensor
from .._tensor import Tensor, make

__all__ = []  # filled by _export below


def _export(name, func, **kw):
    __all__.append(name)
    return export(name, func, **kw)


_quiet = _backend.quiet  # a kernel without NumPy's floating-point warnings
_NUMBER_TYPES = (int, float, bool)


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
    grad_b = -g * a / (b * b) if node.needs_input_grad(1) else None
    return grad_a, grad_b


def _remainder_number_vjp(node, g):
    return g, None


def _neg_vjp(node, g):
    return (-g,)


def _remainder_vjp(node, g):
    a, b = node.saved
    grad_b = None
    if node.needs_input_grad(1):
        grad_b = -g * (a / b).floor()
    return g, grad_b


def _rounded_div_vjp(node, g):
    """div with rounding_mode: piecewise constant, so zero almost everywhere (as in torch)."""
    _ = node.saved  # torch saves both operands: changing one in place breaks backward there too
    return (
        g * 0 if node.needs_input_grad(0) else None,
        g * 0 if node.needs_input_grad(1) else None,
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
_ADD = Elementwise(_quiet(xp.add), AddNode, saves=None)
_SUB = Elementwise(_quiet(xp.subtract), SubNode, saves=None)
_RSUB = Elementwise(_quiet(lambda a, b: b - a), RsubNode, saves=None, number_edge=False)
_RSUB_TENSOR = Elementwise(_quiet(lambda a, b: b - a), RsubTensorNode, saves=None)
_MUL = Elementwise(_quiet(xp.multiply), MulNode, saves=_saves_crosswise)
_DIV = Elementwise(_quiet(xp.true_divide), DivNode, saves=_saves_for_div, float_only=True)
_REMAINDER = Elementwise(_quiet(xp.remainder), RemainderNode, saves=None, number_edge=False)
_REMAINDER_TENSOR = Elementwise(_quiet(xp.remainder), RemainderTensorNode)
_REMAINDER_OF_NUMBER = Elementwise(_quiet(xp.remainder), RemainderOfNumberNode, saves=None)
_FLOOR_DIVIDE = Elementwise(_quiet(xp.floor_divide), FloorDivideNode, saves=None)
_DIV_FLOOR = Elementwise(_quiet(xp.floor_divide), RoundedDivNode)
_DIV_TRUNC = Elementwise(_quiet(lambda a, b: xp.trunc(a / b)), RoundedDivNode)


def _check_int_division(a, b):
    if isinstance(b, Tensor):
        if b._dtype.kind != FLOAT and result_dtype(a, b).kind != FLOAT and not b._data.all():
            raise RuntimeError("ZeroDivisionError")
    elif b == 0 and not isinstance(b, float) and a._dtype.kind != FLOAT:
        raise RuntimeError("ZeroDivisionError")


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
        result = _with_alpha(AddNode, input, other, alpha, lambda: input + other * alpha)
        return _with_out(result, out)
    input, other = _tensor_first(input, other)
    return _with_out(_ADD.binary(input, other), out)


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other."""
    if not isinstance(input, Tensor):
        return rsub(other, input, alpha=alpha)
    _check_bool_sub(input, other)
    if alpha != 1:
        result = _with_alpha(SubNode, input, other, alpha, lambda: input - other * alpha)
        return _with_out(result, out)
    return _with_out(_SUB.binary(input, other), out)


def _with_alpha(node_cls, input, other, alpha, compute):
    """compute() (input and alpha * other combined) as one node that keeps alpha in its args,
    as torch does: nothing is saved, so a second backward works and in-place changes to the
    operands do not matter."""
    dtype = result_dtype(input, other)  # alpha takes no part in promotion: bool + 3 * bool
    previous = grad_state.enabled
    grad_state.enabled = False
    try:
        out = compute()
    finally:
        grad_state.enabled = previous
    if out._dtype is not dtype:
        out = make(out._data.astype(dtype.np), dtype)
    if not isinstance(other, Tensor):
        return record(node_cls, out, (input,), None, alpha)
    shape = out._data.shape
    shapes = tuple(s if s != shape else None for s in (input._data.shape, other._data.shape))
    return record(node_cls, out, (input, other), None, alpha, shapes if any(shapes) else None)


def rsub(input, other, *, alpha=1):
    """other - alpha * input (what ``2 - x`` computes)."""
    _check_bool_sub(other, input)
    if alpha != 1:
        node_cls = RsubTensorNode if isinstance(other, Tensor) else RsubNode
        return _with_alpha(node_cls, input, other, alpha, lambda: rsub(input * alpha, other))
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
    _check_int_division(a, b)
    dtype = result_dtype(a, b)
    bv = b._data if isinstance(b, Tensor) else b
    return make(xp.trunc(xp.true_divide(a._data, bv)).astype(dtype.np), dtype)


def rdiv(input, other):
    """other / input for a number ``other``: torch computes ``reciprocal(input) * other``."""
    if input._dtype.kind != FLOAT:
        input = input.to(defaults.float_dtype)
    return reciprocal(input) * other


def floor_divide(input, other):
    """Division rounded toward minus infinity (``//``); not differentiable, as in torch."""
    input = to_tensor(input)  # not commutative: a number first is the dividend
    _check_int_division(input, other)
    return _FLOOR_DIVIDE.binary(input, other)


def remainder(input, other):
    """Python's modulus (sign of the divisor), ``%``."""
    if not isinstance(input, Tensor):  # number % tensor: torch has no derivative for it
        input = to_tensor(input)
        _check_int_division(input, other)
        return _REMAINDER_OF_NUMBER.binary(input, other)
    _check_int_division(input, other)
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


def _tensor_first(a, b):
    """Commutative ops accept a number first (torch.add(2, x)); put the tensor first."""
    if isinstance(a, Tensor):
        return a, b
    if isinstance(b, Tensor):
        return b, a
    return to_tensor(a), b


def _with_out(result, out):
    if out is None:
        return result
    out.copy_(result) if out.shape == result.shape else out.set_(result)
    return out


# --------------------------------------------------------------------------- powers


def _pow_scalar_vjp(node, g):
    x, exponent = node.saved
    if exponent == 0:
        return (g * 0,)
    return (g * exponent * x ** (exponent - 1),)


def _pow_tensor_vjp(node, g):
    base, exponent = node.saved
    grad_base = grad_exp = None
    if node.needs_input_grad(0):
        grad = g * exponent * base ** (exponent - 1)
        grad_base = where(exponent == 0, 0.0, grad)
    if node.needs_input_grad(1):
        grad = g * base**exponent * base.log()
        grad_exp = where((base == 0) & (exponent >= 0), 0.0, grad)
    return grad_base, grad_exp


def _saves_for_rpow(exponent, base, out, exponent_needs, _):
    """number ** tensor: torch keeps the exponent, the result and the base."""
    return (exponent, SavedOutput(out), base)


def _rpow_vjp(node, g):
    _, out, base = node.saved
    if base == 0:
        return (where(out == 0, 0.0, g * out * float("-inf")) * 0,)
    import math

    return (g * out * math.log(base),)


def _power(base, exponent):
    """base ** exponent; integers to negative integer tensor powers give what torch gives
    (1 / base truncated: 0, except 1 and -1), where NumPy raises."""
    base_array, exp_array = xp.asarray(base), xp.asarray(exponent)
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
_POW_SCALAR = Elementwise(_quiet(xp.power), PowScalarNode, number_edge=False)
_POW_TENSOR = Elementwise(_quiet(_power), PowTensorNode)
_RPOW = Elementwise(
    _quiet(lambda e, b: _power(b, e)), RpowNode, saves=_saves_for_rpow, number_edge=False
)


def pow(input, exponent):
    """input ** exponent, for a tensor or number on either side.

    >>> pow(tensor([1., 2.]), 3)
    tensor([1., 8.])
    """
    if not isinstance(input, Tensor):
        return _rpow(exponent, input)
    if isinstance(exponent, Tensor):
        _check_int_pow(input, exponent)
        return _POW_TENSOR.binary(input, exponent)
    _check_int_pow(input, exponent)
    return _POW_SCALAR.binary(input, exponent)


def _check_int_pow(base, exponent):
    if base._dtype.kind == FLOAT:
        return
    # only a negative Python int is refused; negative tensor exponents give 0 (or +-1)
    if not isinstance(exponent, Tensor) and isinstance(exponent, int) and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")


def _rpow(exponent, base):
    """number ** tensor."""
    return _RPOW.binary(exponent, base)


def square(input):
    """input ** 2 (recorded as PowBackward0, as in torch)."""
    return pow(input, 2)


# --------------------------------------------------------------------------- unary maths


def _rounded(kernel):
    """Half and single precision computed in double, then rounded once.

    NumPy's float32 kernels differ from torch's in the last bit for up to 40% of inputs
    (exp, tanh, cosh), which shows when printing (2.9999998 is 3.0000, not 3.). The
    correctly rounded value matches torch for over 99% of inputs of these functions.
    """

    def run(a):
        if a.dtype.itemsize < 8:
            return kernel(a.astype(xp.float64)).astype(a.dtype)
        return kernel(a)

    return run


def _unary(name, forward, grad_fn, rule, saves="inputs", float_only=True, method=True):
    op = Elementwise(
        _quiet(forward), defop(grad_fn, rule) if rule else None, saves=saves, float_only=float_only
    )

    def func(input, *, out=None):
        result = op.unary(input)
        return result if out is None else _with_out(result, out)

    func.__name__ = name
    func.__doc__ = f"Elementwise {name} (torch.{name}); grad_fn {grad_fn}."
    _export(name, func, method=method, grad_fns=(grad_fn,) if rule else ())
    return func


def _saved_input_rule(derivative):
    """A rule g * f'(x), where f' is given in terms of the input x."""

    def rule(node, g):
        (x,) = node.saved
        return (g * derivative(x),)

    return rule


def _saved_output_rule(derivative):
    """A rule g * f'(x), where f' is given in terms of the output y = f(x)."""

    def rule(node, g):
        (y,) = node.saved
        return (g * derivative(y),)

    return rule


_LN2 = 0.6931471805599453
_LN10 = 2.302585092994046

exp = _unary(
    "exp", _rounded(xp.exp), "ExpBackward0", _saved_output_rule(lambda y: y), saves="output"
)
exp2 = _unary(
    "exp2",
    _rounded(xp.exp2),
    "Exp2Backward0",
    _saved_output_rule(lambda y: y * _LN2),
    saves="output",
)
expm1 = _unary(
    "expm1",
    _rounded(xp.expm1),
    "Expm1Backward0",
    _saved_output_rule(lambda y: y + 1),
    saves="output",
)
log = _unary("log", xp.log, "LogBackward0", _saved_input_rule(lambda x: x.reciprocal()))
log2 = _unary(
    "log2", _rounded(xp.log2), "Log2Backward0", _saved_input_rule(lambda x: (x * _LN2).reciprocal())
)
log10 = _unary(
    "log10",
    _rounded(xp.log10),
    "Log10Backward0",
    _saved_input_rule(lambda x: (x * _LN10).reciprocal()),
)
log1p = _unary(
    "log1p", _rounded(xp.log1p), "Log1PBackward0", _saved_input_rule(lambda x: (x + 1).reciprocal())
)
sqrt = _unary(
    "sqrt",
    xp.sqrt,
    "SqrtBackward0",
    _saved_output_rule(lambda y: (y * 2).reciprocal()),
    saves="output",
)
rsqrt = _unary(
    "rsqrt",
    lambda a: 1 / xp.sqrt(a),
    "RsqrtBackward0",
    _saved_output_rule(lambda y: y**3 * -0.5),
    saves="output",
)
sin = _unary("sin", _rounded(xp.sin), "SinBackward0", _saved_input_rule(lambda x: x.cos()))
cos = _unary("cos", _rounded(xp.cos), "CosBackward0", _saved_input_rule(lambda x: -x.sin()))
tan = _unary(
    "tan", _rounded(xp.tan), "TanBackward0", _saved_output_rule(lambda y: y * y + 1), saves="output"
)
asin = _unary(
    "asin", _rounded(xp.arcsin), "AsinBackward0", _saved_input_rule(lambda x: (1 - x * x).rsqrt())
)
acos = _unary(
    "acos", _rounded(xp.arccos), "AcosBackward0", _saved_input_rule(lambda x: -(1 - x * x).rsqrt())
)
atan = _unary(
    "atan",
    _rounded(xp.arctan),
    "AtanBackward0",
    _saved_input_rule(lambda x: (x * x + 1).reciprocal()),
)
sinh = _unary("sinh", _rounded(xp.sinh), "SinhBackward0", _saved_input_rule(lambda x: x.cosh()))
cosh = _unary("cosh", _rounded(xp.cosh), "CoshBackward0", _saved_input_rule(lambda x: x.sinh()))


# tanh, sigmoid and relu get fused backward ops, as in torch (tanh_backward, ...): one op
# instead of three in every backward pass, and their own rules for double backward, so
# create_graph shows torch's TanhBackwardBackward0 and friends.


def _fused_backward(grad_fn_name, forward, vjp):
    """A backward kernel ``forward(g, y)`` recorded as an op of its own, with rule ``vjp``."""
    op = Elementwise(_quiet(forward), defop(grad_fn_name, vjp))

    def rule(node, g):
        (y,) = node.saved
        return (op.binary(g, y),)

    return rule


def _tanh_backward_vjp(node, gg):
    g, y = node.saved
    return (
        gg * (1 - y * y) if node.needs_input_grad(0) else None,
        gg * g * y * -2 if node.needs_input_grad(1) else None,
    )


def _sigmoid_backward_vjp(node, gg):
    g, y = node.saved
    return (
        gg * y * (1 - y) if node.needs_input_grad(0) else None,
        gg * g * (1 - 2 * y) if node.needs_input_grad(1) else None,
    )


def _threshold_backward_vjp(node, gg):
    g, y = node.saved
    return (
        gg * (y > 0).to(gg.dtype) if node.needs_input_grad(0) else None,
        gg * 0 if node.needs_input_grad(1) else None,
    )


tanh = _unary(
    "tanh",
    _rounded(xp.tanh),
    "TanhBackward0",
    _fused_backward("TanhBackwardBackward0", lambda g, y: g * (1 - y * y), _tanh_backward_vjp),
    saves="output",
)
sigmoid = _unary(
    "sigmoid",
    lambda a: _sigmoid(a),
    "SigmoidBackward0",
    _fused_backward(
        "SigmoidBackwardBackward0", lambda g, y: g * (y * (1 - y)), _sigmoid_backward_vjp
    ),
    saves="output",
)
reciprocal = _unary(
    "reciprocal",
    lambda a: 1 / a,
    "ReciprocalBackward0",
    _saved_output_rule(lambda y: -(y * y)),
    saves="output",
)


def _sigmoid(a):
    # 1 / (1 + e^-a) overflows harmlessly to 0 for very negative a; computed in a's dtype
    return 1 / (1 + _rounded(xp.exp)(-a))


_relu_rule = _fused_backward(
    "ThresholdBackwardBackward0", lambda g, y: g * (y > 0), _threshold_backward_vjp
)


def _abs_rule(node, g):
    (x,) = node.saved
    return (g * x.sign(),)


def _zero_rule(node, g):
    return (g * 0,)


relu = _unary(
    "relu",
    lambda a: xp.maximum(a, 0),
    "ReluBackward0",
    _relu_rule,
    saves="output",
    float_only=False,
)
abs = _unary("abs", xp.abs, "AbsBackward0", _abs_rule, float_only=False)
absolute = _export("absolute", abs, grad_fns=("AbsBackward0",))
sign = _unary(
    "sign",
    lambda a: a.copy() if a.dtype == bool else xp.sign(a),
    "SignBackward0",
    _zero_rule,
    saves=None,
    float_only=False,
)
floor = _unary("floor", xp.floor, "FloorBackward0", _zero_rule, saves=None, float_only=False)
ceil = _unary("ceil", xp.ceil, "CeilBackward0", _zero_rule, saves=None, float_only=False)
trunc = _unary("trunc", xp.trunc, "TruncBackward0", _zero_rule, saves=None, float_only=False)
frac = _unary(
    "frac",
    lambda a: a - xp.trunc(a),
    "FracBackward0",
    lambda n, g: (g,),
    saves=None,
    float_only=False,
)
round = _unary("round", xp.round, "RoundBackward0", _zero_rule, saves=None, float_only=False)
negative = _export("negative", neg, grad_fns=("NegBackward0",))

# --------------------------------------------------------------------------- two inputs


def _atan2_vjp(node, g):
    a, b = node.saved
    denom = a * a + b * b
    return (
        g * b / denom if node.needs_input_grad(0) else None,
        g * -a / denom if node.needs_input_grad(1) else None,
    )


_ATAN2 = Elementwise(_quiet(xp.arctan2), defop("Atan2Backward0", _atan2_vjp), float_only=True)


def atan2(input, other):
    """Elementwise angle of (other, input), in radians."""
    return _ATAN2.binary(input, to_tensor(other))


def _minmax_vjp(pick_a):
    """maximum/minimum: the gradient goes to the chosen input; ties share it equally."""

    def rule(node, g):
        a, b = node.saved
        chosen_a = pick_a(a, b).to(g.dtype)
        tie = (a == b).to(g.dtype)
        weight_a = chosen_a - tie * 0.5
        return (
            g * weight_a if node.needs_input_grad(0) else None,
            g * (1 - weight_a) if node.needs_input_grad(1) else None,
        )

    return rule


_MAXIMUM = Elementwise(xp.maximum, defop("MaximumBackward0", _minmax_vjp(lambda a, b: a >= b)))
_MINIMUM = Elementwise(xp.minimum, defop("MinimumBackward0", _minmax_vjp(lambda a, b: a <= b)))


def maximum(input, other):
    """Elementwise maximum of two tensors (NaN propagates)."""
    _need_tensor("maximum", other)
    return _MAXIMUM.binary(input, other)


def minimum(input, other):
    """Elementwise minimum of two tensors (NaN propagates)."""
    _need_tensor("minimum", other)
    return _MINIMUM.binary(input, other)


def _need_tensor(name, value):
    if not isinstance(value, Tensor):
        raise TypeError(
            f"{name}(): argument 'other' (position 2) must be Tensor, not {type(value).__name__}"
        )


# --------------------------------------------------------------------------- clamp and where


def _clamp_scalar_vjp(node, g):
    (x,) = node.saved
    low, high = node._args
    mask = None
    if low is not None:
        mask = x >= low
    if high is not None:
        mask = (x <= high) if mask is None else mask & (x <= high)
    return (g * mask.to(g.dtype),)


def _clamp_tensor_vjp(node, g):
    x, low, high = node.saved
    inside = None
    if low is not None:
        inside = x >= low
    if high is not None:
        inside = (x <= high) if inside is None else inside & (x <= high)
    grads = [g * inside.to(g.dtype) if node.needs_input_grad(0) else None]
    for bound, test, i in ((low, lambda: x < low, 1), (high, lambda: x > high, 2)):
        grads.append(
            g * test().to(g.dtype) if bound is not None and node.needs_input_grad(i) else None
        )
    return tuple(grads)


ClampScalarNode = defop("ClampBackward1", _clamp_scalar_vjp)
ClampTensorNode = defop("ClampBackward0", _clamp_tensor_vjp)


def clamp(input, min=None, max=None):
    """Limit values to [min, max]; the gradient is zero where a bound was applied.

    >>> clamp(tensor([-1., 0.5, 2.]), 0, 1)
    tensor([0.0000, 0.5000, 1.0000])
    """
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return _clamp_tensor(input, min, max)
    data = input._data
    dtype = input._dtype
    if dtype.kind != FLOAT and (isinstance(min, float) or isinstance(max, float)):
        dtype = defaults.float_dtype
        data = data.astype(dtype.np)
    result = data
    with xp.errstate(invalid="ignore"):
        if min is not None:
            result = xp.maximum(result, xp.asarray(min, dtype.np))
        if max is not None:
            result = xp.minimum(result, xp.asarray(max, dtype.np))
    if result is data:
        result = data.copy()
    return record(ClampScalarNode, make(result, dtype), (input,), (input,), (min, max))


def _clamp_tensor(input, low, high):
    low = to_tensor(low) if low is not None else None
    high = to_tensor(high) if high is not None else None
    result = input
    if low is not None:
        result = where(input < low, low, input)
    if high is not None:
        result = where(result > high, high, result)
    out = make(result._data.astype(input._dtype.np, copy=False), input._dtype)
    inputs = (input, low, high)
    shapes = tuple(
        t._data.shape if t is not None and t._data.shape != out._data.shape else None
        for t in inputs
    )  # the bounds (and the input) may broadcast: the engine sums their gradients back
    return record(
        ClampTensorNode,
        out,
        inputs,
        inputs,
        None,
        shapes if any(s is not None for s in shapes) else None,
    )


def _where_vjp(node, g):
    (condition,) = node.saved
    zero = g.new_zeros(())
    return (
        where(condition, g, zero) if node.needs_input_grad(0) else None,
        where(condition, zero, g) if node.needs_input_grad(1) else None,
    )


WhereNode = defop("WhereBackward0", _where_vjp)


def where(condition, input=None, other=None):
    """Pick ``input`` where ``condition`` holds, else ``other``; one argument: nonzero indices.

    >>> where(tensor([True, False]), tensor([1., 2.]), 0.)
    tensor([1., 0.])
    """
    if input is None and other is None:  # the indices of the True elements, one tensor per dim
        return tuple(make(i.astype(xp.int64), _backend.int64) for i in xp.nonzero(condition._data))
    if condition._dtype is not _backend.bool_:
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{condition._dtype.scalar_name}"
        )
    dtype = result_dtype(input, other)
    x = input._data.astype(dtype.np, copy=False) if isinstance(input, Tensor) else input
    y = other._data.astype(dtype.np, copy=False) if isinstance(other, Tensor) else other
    try:
        result = xp.where(condition._data, x, y)
    except ValueError:
        from .._registry import broadcast_shape

        # torch broadcasts condition, input, other in that order: its message names the clash
        broadcast_shape(condition._data.shape, xp.shape(x), xp.shape(y))
        raise
    out = make(result.astype(dtype.np, copy=False), dtype)
    inputs = (input, other)  # the condition gets no edge: it has no gradient
    shapes = tuple(
        t._data.shape if isinstance(t, Tensor) and t._data.shape != result.shape else None
        for t in inputs
    )
    return record(
        WhereNode,
        out,
        inputs,
        (condition,),
        None,
        shapes if any(s is not None for s in shapes) else None,
    )


# --------------------------------------------------------------------------- comparisons


def _comparison(name, ufunc, method_alias=None):
    op = Elementwise(ufunc, result_bool=True)

    def func(input, other):
        if not isinstance(input, Tensor):
            input = to_tensor(input)
        return op.binary(input, other)

    func.__name__ = name
    func.__doc__ = f"Elementwise {name} comparison, a bool tensor."
    _export(name, func, differentiable=False)
    if method_alias:
        _export(method_alias, func, differentiable=False)
    return func


eq = _comparison("eq", xp.equal)
ne = _comparison("ne", xp.not_equal, "not_equal")
lt = _comparison("lt", xp.less, "less")
le = _comparison("le", xp.less_equal, "less_equal")
gt = _comparison("gt", xp.greater, "greater")
ge = _comparison("ge", xp.greater_equal, "greater_equal")


def _logical(name, ufunc):
    op = Elementwise(ufunc, result_bool=True)

    def func(input, other):
        return op.binary(input, to_tensor(other))

    func.__name__ = name
    _export(name, func, differentiable=False)
    return func


logical_and = _logical("logical_and", xp.logical_and)
logical_or = _logical("logical_or", xp.logical_or)
logical_xor = _logical("logical_xor", xp.logical_xor)


def logical_not(input):
    """Elementwise not, a bool tensor."""
    return make(xp.logical_not(input._data), _backend.bool_)


def _bitwise(ufunc, name):
    def func(input, other):
        if isinstance(other, Tensor) or isinstance(other, (bool, int)):
            dtype = result_dtype(input, other)
            if dtype.kind == FLOAT:
                raise RuntimeError(f"\"{name}_cpu\" not implemented for 'Float'")
            ov = other._data if isinstance(other, Tensor) else other
            return make(ufunc(input._data.astype(dtype.np, copy=False), ov), dtype)
        return NotImplemented

    return func


bitwise_and = _bitwise(xp.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(xp.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(xp.bitwise_xor, "bitwise_xor")


def bitwise_not(input):
    """~input for bool and integer tensors."""
    if input._dtype.kind == FLOAT:
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    return make(xp.invert(input._data), input._dtype)


for _name, _func in (
    ("logical_not", logical_not),
    ("bitwise_and", bitwise_and),
    ("bitwise_or", bitwise_or),
    ("bitwise_xor", bitwise_xor),
    ("bitwise_not", bitwise_not),
):
    _export(_name, _func, differentiable=False)

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
    ("pow", pow, ("PowBackward0", "PowBackward1", "PowBackward2")),
    ("square", square, ("PowBackward0",)),
    ("atan2", atan2, ("Atan2Backward0",)),
    ("arctan2", atan2, ("Atan2Backward0",)),
    ("maximum", maximum, ("MaximumBackward0",)),
    ("minimum", minimum, ("MinimumBackward0",)),
    ("clamp", clamp, ("ClampBackward1", "ClampBackward0")),
    ("clip", clamp, ("ClampBackward1", "ClampBackward0")),
    ("where", where, ("WhereBackward0",)),
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
Tensor.__rfloordiv__ = lambda self, other: floor_divide(to_tensor(other), self)
Tensor.__mod__ = remainder
Tensor.__rmod__ = lambda self, other: remainder(other, self)
Tensor.__pow__ = pow
Tensor.__rpow__ = lambda self, other: _rpow(self, other)
Tensor.__neg__ = neg
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = abs


def _no_sequences(compare):
    """torch compares tensors with tensors and numbers: with a list or tuple Python decides
    (tensor == [1, 2] is False, tensor < [1, 2] a TypeError)."""

    def operator(self, other):
        if isinstance(other, (list, tuple)):
            return NotImplemented
        return compare(self, other)

    return operator


Tensor.__eq__ = _no_sequences(eq)
Tensor.__ne__ = _no_sequences(ne)
Tensor.__lt__ = _no_sequences(lt)
Tensor.__le__ = _no_sequences(le)
Tensor.__gt__ = _no_sequences(gt)
Tensor.__ge__ = _no_sequences(ge)
Tensor.__and__ = bitwise_and
Tensor.__or__ = bitwise_or
Tensor.__xor__ = bitwise_xor
Tensor.__rand__ = bitwise_and
Tensor.__ror__ = bitwise_or
Tensor.__rxor__ = bitwise_xor
Tensor.__invert__ = bitwise_not
Tensor.__hash__ = lambda self: id(self)


# --------------------------------------------------------------------------- closeness


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise |input - other| <= atol + rtol * |other|, as a bool tensor."""
    dtype = result_dtype(input, other)
    a = input._data.astype(dtype.np, copy=False)
    b = other._data.astype(dtype.np, copy=False) if isinstance(other, Tensor) else other
    if input._dtype is not getattr(other, "_dtype", input._dtype):
        raise RuntimeError(
            f"{input._dtype.name.capitalize()} did not match {other._dtype.name.capitalize()}"
        )
    with xp.errstate(all="ignore"):
        return make(xp.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan), _backend.bool_)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """True when every element is close (see isclose)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other) -> bool:
    """True when both tensors have the same shape and elements."""
    if input._data.shape != other._data.shape:
        return False
    return bool(xp.array_equal(input._data, other._data))


def isnan(input):
    return make(xp.isnan(input._data), _backend.bool_)


def isinf(input):
    return make(xp.isinf(input._data), _backend.bool_)


def isfinite(input):
    return make(xp.isfinite(input._data), _backend.bool_)


for _name, _func in (
    ("isclose", isclose),
    ("allclose", allclose),
    ("equal", equal),
    ("isnan", isnan),
    ("isinf", isinf),
    ("isfinite", isfinite),
):
    _export(_name, _func, differentiable=False)
