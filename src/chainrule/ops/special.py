"""Special functions, two-input maths and activations: erf, lgamma, logaddexp, lerp, gelu, ...

Each op is declared once with its torch grad_fn name and its rule; rules are written with
chainrule ops (so higher derivatives work) and count dims from the end (so batched
gradients work). Special-function kernels are NumPy + ``math`` only (no SciPy).
Activations torch keeps in ``torch.nn.functional`` only are registered as
``nn.functional.<name>`` and published by ``chainrule.nn.functional``.
"""

from __future__ import annotations

import math

from .. import _backend, _registry
from .._backend import FLOAT, defaults, xp
from .._graph import SavedOutput
from .._registry import broadcast_shape, defop, export, record, result_dtype
from .._tensor import Tensor, make
from .elementwise import where

__all__ = []

_quiet = _backend.quiet
_LEGACY = {
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "bool": "Bool",
    "float16": "Half",
}
_SQRT_PI = math.sqrt(math.pi)
_TWO_OVER_SQRT_PI = 2 / _SQRT_PI
_INV_SQRT_2 = 1 / math.sqrt(2)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_LN2 = math.log(2)


def _export(name, func, **kw):
    __all__.append(func.__name__)
    return export(name, func, **kw)


def _refuse(kernel, dtype):
    """torch's error for a kernel that has no integer/bool version."""
    raise NotImplementedError(f"\"{kernel}\" not implemented for '{_LEGACY[dtype.name]}'")


# --------------------------------------------------------------------------- kernels (arrays)


def _pointwise(scalar_fn):
    """A float64 kernel from a function of one Python float (math.erf, math.lgamma)."""
    ufunc = xp.frompyfunc(scalar_fn, 1, 1)
    return lambda a: xp.asarray(ufunc(a.astype(xp.float64)), dtype=xp.float64)


def _lgamma_scalar(v):
    try:
        return math.lgamma(v)
    except ValueError:  # a pole (0, -1, -2, ...): torch gives inf
        return math.inf


_erf64 = _pointwise(math.erf)
_erfc64 = _pointwise(math.erfc)
_lgamma64 = _pointwise(_lgamma_scalar)

# Bernoulli numbers B2, B4, ..., B14 for the asymptotic series of digamma and polygamma
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6)


def _erfinv64(y):
    """Inverse error function: Giles' approximation (single precision, and rough beyond
    |y| ~ 1 - 1e-7), polished by Newton steps."""
    y = y.astype(xp.float64)
    inside = xp.abs(y) < 1
    t = xp.where(inside, y, 0.0)
    w = -xp.log((1 - t) * (1 + t))
    central = w - 2.5
    p = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503):
        p = c + p * central
    for c in (-0.00417768164, 0.246640727, 1.50140941):
        p = c + p * central
    tail = xp.sqrt(w) - 3
    q = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613):
        q = c + q * tail
    for c in (0.00943887047, 1.00167406, 2.83297682):
        q = c + q * tail
    x = xp.abs(xp.where(w < 5, p, q) * t)
    a = xp.abs(t)
    # In the tail 1 - a is exact: Newton on log(erfc(x)) = log(1 - a) keeps its digits and,
    # being nearly linear there, converges from the rough guess; elsewhere on erf(x) = a.
    tail = a > 0.5
    log_rest = xp.log(xp.where(tail, 1 - a, 1.0))
    for _ in range(4):
        slope = _TWO_OVER_SQRT_PI * xp.exp(-x * x)
        rest = _erfc64(x)
        tail_step = (xp.log(rest) - log_rest) * rest / slope
        x = xp.where(tail, x + tail_step, x - (_erf64(x) - a) / slope)
    x = xp.copysign(x, t)
    x = xp.where(xp.abs(y) == 1, xp.copysign(xp.inf, y), x)
    return xp.where(inside | (xp.abs(y) == 1), x, xp.nan)


def _shift_up(x, threshold, term):
    """Move every x below ``threshold`` up by whole steps, summing ``term(x)`` on the way
    (the recurrence psi(x) = psi(x + 1) - 1/x and its derivatives)."""
    total = xp.zeros_like(x)
    low = x < threshold
    while low.any():
        total = total + xp.where(low, term(xp.where(low, x, 1.0)), 0.0)
        x = xp.where(low, x + 1, x)
        low = x < threshold
    return x, total


def _digamma_positive(x):
    x, total = _shift_up(x, 10.0, lambda v: -1 / v)
    inv2 = 1 / (x * x)
    series, power = 0.0, inv2
    for k, b in enumerate(_BERNOULLI, start=1):
        series = series + b / (2 * k) * power
        power = power * inv2
    return total + xp.log(x) - 0.5 / x - series


def _digamma64(a):
    x = a.astype(xp.float64)
    finite = xp.isfinite(x)
    negative = finite & (x < 0)
    # reflection for negative x: psi(x) = psi(1 - x) - pi / tan(pi x)
    base = xp.where(negative, 1 - x, xp.where(finite & (x > 0), x, 1.0))
    result = _digamma_positive(base)
    result = xp.where(negative, result - math.pi / xp.tan(math.pi * x), result)
    result = xp.where(x == 0, xp.copysign(xp.inf, -x), result)  # -inf at +0, inf at -0
    result = xp.where(negative & (x == xp.floor(x)), xp.nan, result)
    return xp.where(finite, result, xp.where(x == xp.inf, xp.inf, xp.nan))


def _cot_derivative_coefficients(n):
    """Integer coefficients (lowest power first) of the polynomial P with
    d^n/dy^n cot(y) = P(cot(y)), from d/dy cot = -(1 + cot^2)."""
    coefficients = [0, 1]
    for _ in range(n):
        slope = [k * c for k, c in enumerate(coefficients)][1:]  # dP/dc
        grown = [0] * (len(slope) + 2)
        for k, c in enumerate(slope):  # times -(1 + c^2)
            grown[k] -= c
            grown[k + 2] -= c
        coefficients = grown
    return coefficients


def _polygamma_positive(n, x):
    """psi_n(x) for x > 0: recurrence up to 10 + 2n (a bounded walk) and the asymptotic
    series."""
    sign = 1.0 if n % 2 else -1.0
    factorial = math.factorial(n)
    x, total = _shift_up(x, 10.0 + 2 * n, lambda v: sign * factorial / v ** (n + 1))
    series = math.factorial(n - 1) / x**n + factorial / (2 * x ** (n + 1))
    for k, b in enumerate(_BERNOULLI, start=1):
        coefficient = b * math.factorial(2 * k + n - 1) / math.factorial(2 * k)
        series = series + coefficient / x ** (2 * k + n)
    return total + sign * series


def _polygamma_reflected(n, x, value_at_mirror):
    """psi_n(x) = (-1)^n psi_n(1 - x) - pi^(n+1) cot^(n)(pi x), the n-th derivative of
    psi(1 - x) - psi(x) = pi cot(pi x). cot has period pi: x is reduced to r = x - round(x)
    in [-1/2, 1/2] (exact) and cos(pi r) taken as sin(pi (1/2 - |r|)) (exactly 0 at the
    half-integers), so a far negative x loses no digits."""
    reduced = x - xp.round(x)
    size = xp.abs(reduced)
    cot = xp.copysign(xp.sin(math.pi * (0.5 - size)) / xp.sin(math.pi * size), reduced)
    poly = xp.zeros_like(x)
    for c in reversed(_cot_derivative_coefficients(n)):
        poly = poly * cot + c
    return (1.0 if n % 2 == 0 else -1.0) * value_at_mirror - math.pi ** (n + 1) * poly


def _polygamma64(n, a):
    """The n-th derivative of digamma (n >= 1), by recurrence and the asymptotic series;
    below 0 (below 1/2 for trigamma, as torch) by reflection, so no walk is longer than
    10 + 2n steps (walking up from -1e7 never ended)."""
    a = a.astype(xp.float64)
    finite = xp.isfinite(a)
    x = xp.where(finite, a, 1.0)  # -inf would never be shifted up: the loop would not end
    # trigamma is finite next to the poles, as torch's (reflected below 1/2)
    reflected = (x < 0.5) if n == 1 else (x < 0)
    sign = 1.0 if n % 2 else -1.0
    mirror = _polygamma_positive(n, xp.where(reflected, 1 - x, xp.where(x > 0, x, 1.0)))
    if n == 1:
        value = xp.where(reflected, math.pi**2 / xp.sin(math.pi * a) ** 2 - mirror, mirror)
    else:
        value = xp.where(reflected, _polygamma_reflected(n, x, mirror), mirror)
        # the poles 0, -1, -2, ...: an infinity of sign (-1)^(n+1), as torch
        value = xp.where((x <= 0) & (x == xp.floor(x)), sign * xp.inf, value)
    # torch's values off the finite line: trigamma(inf) = 0, higher orders give nan at inf
    # and an infinity of sign (-1)^(n+1) at -inf
    at_inf = 0.0 if n == 1 else xp.nan
    at_minus_inf = xp.nan if n == 1 else sign * xp.inf
    off = xp.where(a == xp.inf, at_inf, xp.where(a == -xp.inf, at_minus_inf, xp.nan))
    return xp.where(finite, value, off)


# --------------------------------------------------------------------------- unary ops


def _floating(x):
    """The dtype and data an op computes in: integer/bool inputs give the default float."""
    if x._dtype.kind == FLOAT:
        return x._dtype, x._data
    dtype = defaults.float_dtype
    return dtype, x._data.astype(dtype.np)


def _unary_result(x, node_cls, result, dtype, saves="input", args=None):
    """Wrap a unary op's result array and record its node (saving the input and/or output)."""
    out = make(xp.asarray(result).astype(dtype.np, copy=False), dtype)
    if saves == "input":
        saved = (x,)
    elif saves == "both":
        saved = (x, SavedOutput(out))
    else:
        saved = None
    return record(node_cls, out, (x,), saved, args)


def _special_unary(name, kernel64, grad_fn, rule, doc):
    """A float-only special function computed in float64 and given back in the input dtype."""
    node_cls = defop(grad_fn, rule)

    def func(input):
        dtype, data = _floating(input)
        return _unary_result(input, node_cls, _quiet(kernel64)(data), dtype)

    func.__name__ = name
    func.__doc__ = doc
    _export(name, func, grad_fns=(grad_fn,))
    return func


def _erf_rule(node, g):
    (x,) = node.saved
    return ((-(x * x)).exp() * _TWO_OVER_SQRT_PI * g,)  # torch's order: (c e^-x^2) g


def _erfc_rule(node, g):
    (x,) = node.saved
    return ((-(x * x)).exp() * -_TWO_OVER_SQRT_PI * g,)


def _erfinv_rule(node, g):
    (x,) = node.saved
    y = erfinv(x)
    return ((y * y).exp() * (_SQRT_PI / 2) * g,)


def _lgamma_rule(node, g):
    (x,) = node.saved
    return (g * digamma(x),)


def _digamma_rule(node, g):
    (x,) = node.saved
    return (g * _polygamma(1, x),)


def _polygamma_rule(node, g):
    (x,) = node.saved
    return (g * _polygamma(node._args + 1, x),)


_PolygammaNode = defop("PolygammaBackward0", _polygamma_rule)


def _polygamma(n, x):
    """polygamma(n, x) for the rules of digamma (torch.polygamma itself is not published)."""
    dtype, data = _floating(x)
    return _unary_result(x, _PolygammaNode, _quiet(_polygamma64)(n, data), dtype, args=n)


erf = _special_unary(
    "erf", _erf64, "ErfBackward0", _erf_rule, "Error function.\n\n>>> erf(tensor([0.]))\n"
)
erfc = _special_unary("erfc", _erfc64, "ErfcBackward0", _erfc_rule, "1 - erf(input).")
erfinv = _special_unary("erfinv", _erfinv64, "ErfinvBackward0", _erfinv_rule, "Inverse of erf.")
lgamma = _special_unary("lgamma", _lgamma64, "LgammaBackward0", _lgamma_rule, "log |Gamma(x)|.")
digamma = _special_unary("digamma", _digamma64, "DigammaBackward0", _digamma_rule, "lgamma'.")


def _sinc_rule(node, g):
    (x,) = node.saved
    px = x * math.pi
    # torch's order: g * ((pi x cos(pi x) - sin(pi x)) / (x x pi)); +0 where x x pi is 0
    # (x = 0, or a half x whose square underflows), whatever the sign of g
    squared = x * x * math.pi
    grad = g * ((px * px.cos() - px.sin()) / squared)
    return (where(squared == 0, 0.0, grad),)


_SincNode = defop("SincBackward0", _sinc_rule)


def sinc(input):
    """sin(pi x) / (pi x), 1 at 0."""
    dtype, data = _floating(input)  # half: in float32 (pi * 65504 overflows half)
    return _unary_result(input, _SincNode, _quiet(xp.sinc)(_backend.opmath(data)), dtype)


def _scaling(name, factor, grad_fn):
    """deg2rad / rad2deg: a constant factor; nothing saved."""
    node_cls = defop(grad_fn, lambda node, g: (g * factor,))

    def func(input):
        dtype, data = _floating(input)
        data = _backend.opmath(data)  # half: in float32, rounded once
        return _unary_result(input, node_cls, data * xp.asarray(factor, data.dtype), dtype, None)

    func.__name__ = name
    func.__doc__ = f"Multiply by {factor!r} ({name})."
    _export(name, func, grad_fns=(grad_fn,))
    return func


deg2rad = _scaling("deg2rad", math.pi / 180, "Deg2RadBackward0")
rad2deg = _scaling("rad2deg", 180 / math.pi, "Rad2DegBackward0")


def _logit_rule(node, g):
    (x,) = node.saved
    eps = node._args
    # + 0.0 turns a -0. product (at x = -0. or 1) into +0.: g / 0 then has g's sign, as
    # torch's kernel gives, and the rule stays a smooth function of x for higher orders
    denominator = x * (1 - x) + 0.0 if eps is None else x * (1 - x)
    derivative = g / denominator
    if eps is None:
        return (where((x < 0) | (x > 1), math.nan, derivative),)
    return (where((x < eps) | (x > 1 - eps), 0.0, derivative),)


_LogitNode = defop("LogitBackward0", _logit_rule)


def logit(input, eps=None):
    """log(p / (1 - p)), with p clamped to [eps, 1 - eps] when eps is given."""
    dtype, data = _floating(input)
    if eps is not None:
        data = xp.clip(data, eps, 1 - eps)
    result = _quiet(lambda p: xp.log(p / (1 - p)))(data)
    return _unary_result(input, _LogitNode, result, dtype, args=eps)


_NanToNumNode = defop("NanToNumBackward0", lambda node, g: (g * node.saved[0].isfinite(),))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """Replace NaN, +inf and -inf (by default: 0 and the dtype's largest/lowest value)."""
    if input._dtype.kind != FLOAT:
        return make(input._data.copy(), input._dtype)
    data = xp.nan_to_num(input._data, nan=nan, posinf=posinf, neginf=neginf)
    return _unary_result(input, _NanToNumNode, data, input._dtype)


for _name, _func, _grad_fn in (
    ("sinc", sinc, "SincBackward0"),
    ("logit", logit, "LogitBackward0"),
    ("nan_to_num", nan_to_num, "NanToNumBackward0"),
):
    _export(_name, _func, grad_fns=(_grad_fn,))


# --------------------------------------------------------------------------- two inputs


def _need_tensor(name, value):
    if not isinstance(value, Tensor):
        raise TypeError(
            f"{name}(): argument 'other' (position 2) must be Tensor, not {type(value).__name__}"
        )


def check_shapes(a, b):
    """torch's error when two operands' shapes clash: raised before a kernel refuses a dtype
    (torch builds the broadcast first)."""
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        broadcast_shape(a._data.shape, b._data.shape)


def _shapes_of(inputs, out_shape):
    """Per input, its shape where it was broadcast (the engine sums gradients back)."""
    shapes = tuple(
        t._data.shape if isinstance(t, Tensor) and t._data.shape != out_shape else None
        for t in inputs
    )
    return shapes if any(s is not None for s in shapes) else None


def _data_in(value, dtype):
    """An operand's values in ``dtype`` (a Python int wraps as torch casts it: -2 is 254
    for uint8)."""
    return _registry.operand(value, dtype)


def _binary(a, b, kernel, node_cls, saved, dtype, args=None):
    """Run ``kernel`` on two operands (tensors or numbers) in ``dtype`` and record the node."""
    shapes = [t._data.shape for t in (a, b) if isinstance(t, Tensor)]
    broadcast_shape(*shapes)  # torch's message when the shapes clash
    result = _quiet(kernel)(_data_in(a, dtype), _data_in(b, dtype))
    out = make(xp.asarray(result).astype(dtype.np, copy=False), dtype)
    inputs = tuple(t for t in (a, b) if isinstance(t, Tensor))
    saved = saved(out) if callable(saved) else saved
    return record(node_cls, out, inputs, saved, args, _shapes_of(inputs, out._data.shape))


def _float_dtype(a, b, kernel=None):
    dtype = result_dtype(a, b)
    if dtype.kind == FLOAT:
        return dtype
    if kernel is not None:
        _refuse(kernel, dtype)
    return defaults.float_dtype


def _logaddexp_rule(power):
    """d/da log(exp(a) + exp(b)) = 1 / (1 + exp(b - a)), written as torch writes it:
    g / (1 + exp(b - a)) (base 2: exp2), one division, so half rounds as torch's does."""

    def rule(node, g):
        a, b = node.saved
        return (
            g / (power(b - a) + 1) if node.needs_input_grad(0) else None,
            g / (power(a - b) + 1) if node.needs_input_grad(1) else None,
        )

    return rule


_LogaddexpNode = defop("LogaddexpBackward0", _logaddexp_rule(lambda t: t.exp()))
_Logaddexp2Node = defop("Logaddexp2Backward0", _logaddexp_rule(lambda t: t.exp2()))


def logaddexp(input, other):
    """log(exp(input) + exp(other)), without overflow."""
    _need_tensor("logaddexp", other)
    check_shapes(input, other)
    dtype = _float_dtype(input, other, "logaddexp_cpu")
    return _binary(input, other, xp.logaddexp, _LogaddexpNode, (input, other), dtype)


def logaddexp2(input, other):
    """log2(2**input + 2**other), without overflow."""
    _need_tensor("logaddexp2", other)
    check_shapes(input, other)
    dtype = _float_dtype(input, other, "logaddexp2_cpu")
    return _binary(input, other, xp.logaddexp2, _Logaddexp2Node, (input, other), dtype)


def _hypot_rule(node, g):
    a, b, out = node.saved
    return (
        g * a / out if node.needs_input_grad(0) else None,
        g * b / out if node.needs_input_grad(1) else None,
    )


_HypotNode = defop("HypotBackward0", _hypot_rule)


def hypot(input, other):
    """sqrt(input**2 + other**2), without overflow."""
    _need_tensor("hypot", other)
    check_shapes(input, other)
    dtype = _float_dtype(input, other, "hypot_cpu")
    saved = lambda out: (input, other, SavedOutput(out))  # noqa: E731
    return _binary(input, other, xp.hypot, _HypotNode, saved, dtype)


def _xlogy_kernel(x, y):
    # 0 * log(y) is 0 even where log(y) is -inf (but NaN stays NaN)
    return xp.where((x == 0) & ~xp.isnan(y), 0.0, x * xp.log(y))


def _xlogy_self_grad(g, x, y):
    """xlogy(g, y), and 0 where x == 0 and y <= 0 (as torch's rule)."""
    if isinstance(y, Tensor):
        grad = where(g == 0, 0.0, g * y.log())
        return where((x == 0) & (y <= 0), 0.0, grad)
    log_y = math.log(y) if y > 0 else (-math.inf if y == 0 else math.nan)
    grad = where(g == 0, 0.0, g * log_y)
    return grad if y > 0 else where(x == 0, 0.0, grad)


def _xlogy_rule(node, g):
    x, y = node.saved
    grads = []
    if isinstance(x, Tensor) and node.needs_input_grad(0):
        grads.append(_xlogy_self_grad(g, x, y))
    elif isinstance(x, Tensor):
        grads.append(None)
    if isinstance(y, Tensor):
        grads.append(g * x / y if node.needs_input_grad(len(grads)) else None)
    return tuple(grads)


_XlogyNode = defop("XlogyBackward0", _xlogy_rule)
_XlogyNumberSelfNode = defop("XlogyBackward1", _xlogy_rule)
_XlogyNumberOtherNode = defop("XlogyBackward2", _xlogy_rule)


def xlogy(input, other):
    """input * log(other), 0 where input is 0 (unless other is NaN)."""
    if not isinstance(input, Tensor):
        node_cls = _XlogyNumberSelfNode
    elif not isinstance(other, Tensor):
        node_cls = _XlogyNumberOtherNode
    else:
        node_cls = _XlogyNode
    dtype = _float_dtype(input, other)
    return _binary(input, other, _xlogy_kernel, node_cls, (input, other), dtype)


def _fmod_rule(node, g):
    grad_a = g if node.needs_input_grad(0) else None
    if not node.needs_input_grad(1):
        return grad_a, None  # nothing was saved
    a, b = node.saved
    # a rounded division, as torch writes it: its own derivative is zero (no nan from a)
    return grad_a, -g * a.div(b, rounding_mode="trunc")


_FmodNumberNode = defop("FmodBackward0", lambda node, g: (g,))
_FmodNode = defop("FmodBackward1", _fmod_rule)


def fmod(input, other):
    """C's fmod: the remainder with the sign of the dividend."""
    if type(other) is int and not -(2**63) <= other < 2**63:
        _registry.beyond_int64(input, other)  # torch's refusals of an int past int64
    check_shapes(input, other)
    dtype = result_dtype(input, other)
    if dtype is _backend.bool_:
        _refuse("fmod_cpu", dtype)
    if dtype.kind != FLOAT and not xp.all(_data_in(other, dtype)):
        raise RuntimeError("ZeroDivisionError")
    if isinstance(other, Tensor):
        # only other's rule (and the tangents) need them
        saved = (input, other) if other._requires_grad or _registry.dual_depth else None
        return _binary(input, other, xp.fmod, _FmodNode, saved, dtype)
    return _binary(input, other, xp.fmod, _FmodNumberNode, None, dtype)


for _name, _func, _grad_fns in (
    ("logaddexp", logaddexp, ("LogaddexpBackward0",)),
    ("logaddexp2", logaddexp2, ("Logaddexp2Backward0",)),
    ("hypot", hypot, ("HypotBackward0",)),
    ("xlogy", xlogy, ("XlogyBackward0", "XlogyBackward1", "XlogyBackward2")),
    ("fmod", fmod, ("FmodBackward0", "FmodBackward1")),
):
    _export(_name, _func, grad_fns=_grad_fns)


# --------------------------------------------------------------------------- three inputs


def _common_dtype(*tensors):
    """torch's promotion over several tensors: dimensioned ones first, 0-d ones only when they
    are of a higher kind (float over int over bool)."""
    dims = [t._dtype for t in tensors if t._data.ndim]
    zeros = [t._dtype for t in tensors if not t._data.ndim]
    dims_dtype = _promote_all(dims)
    zero_dtype = _promote_all(zeros)
    if dims_dtype is None:
        return zero_dtype
    return dims_dtype if zero_dtype is None or zero_dtype.kind <= dims_dtype.kind else zero_dtype


def _promote_all(dtypes):
    result = None
    for d in dtypes:
        result = d if result is None else _backend.promote_types(result, d)
    return result


def _record_ternary(node_cls, result, dtype, inputs, saved, args):
    out = make(xp.asarray(result).astype(dtype.np, copy=False), dtype)
    tensors = tuple(t for t in inputs if isinstance(t, Tensor))
    return record(node_cls, out, tensors, saved, args, _shapes_of(tensors, out._data.shape))


def _lerp_scalar_rule(node, g):
    w = node._args
    return (
        g * (1 - w) if node.needs_input_grad(0) else None,
        g * w if node.needs_input_grad(1) else None,
    )


def _lerp_tensor_rule(node, g):
    start, end, weight = node.saved
    return (
        g * (1 - weight) if node.needs_input_grad(0) else None,
        g * weight if node.needs_input_grad(1) else None,
        g * (end - start) if node.needs_input_grad(2) else None,
    )


_LerpScalarNode = defop("LerpBackward0", _lerp_scalar_rule)
_LerpTensorNode = defop("LerpBackward1", _lerp_tensor_rule)


def _lerp_kernel(start, end, weight):
    # as torch: from the nearer end, so lerp(a, b, 1) is exactly b
    diff = end - start
    return xp.where(xp.abs(weight) < 0.5, start + weight * diff, end - diff * (1 - weight))


def lerp(input, end, weight):
    """input + weight * (end - input).

    >>> lerp(tensor([0., 1.]), tensor([10., 11.]), 0.5)
    tensor([5., 6.])
    """
    dtype = input._dtype
    for name, other in (("end", end), ("weight", weight)):
        if isinstance(other, Tensor) and other._dtype is not dtype:
            raise RuntimeError(
                f"expected dtype {dtype.c_name} for `{name}` but got dtype {other._dtype.c_name}"
            )
    weight_tensor = isinstance(weight, Tensor)
    if dtype.kind != FLOAT:
        _refuse("lerp_kernel_tensor" if weight_tensor else "lerp_kernel_scalar", dtype)
    shapes = [t._data.shape for t in (input, end, weight) if isinstance(t, Tensor)]
    broadcast_shape(*shapes)
    weight_data = _data_in(weight, dtype)
    if dtype is _backend.float16:  # in float32, rounded once (-5e4 to 5e4 overflows half)
        weight_data = _backend.opmath(weight_data) if weight_tensor else xp.float32(weight)
    opmath = _backend.opmath
    result = _quiet(_lerp_kernel)(opmath(input._data), opmath(end._data), weight_data)
    if weight_tensor:
        inputs = (input, end, weight)
        return _record_ternary(_LerpTensorNode, result, dtype, inputs, inputs, None)
    return _record_ternary(_LerpScalarNode, result, dtype, (input, end), None, weight)


def _addcmul_rule(node, g):
    t1, t2 = node.saved
    value = node._args
    return (
        g if node.needs_input_grad(0) else None,
        g * t2 * value if node.needs_input_grad(1) else None,
        g * t1 * value if node.needs_input_grad(2) else None,
    )


def _addcdiv_rule(node, g):
    t1, t2 = node.saved
    value = node._args
    return (
        g if node.needs_input_grad(0) else None,
        # torch's order: g * (value / t2) and -g * (value * t1 / (t2 * t2))
        g * (value / t2) if node.needs_input_grad(1) else None,
        -g * (t1 * value / (t2 * t2)) if node.needs_input_grad(2) else None,
    )


_AddcmulNode = defop("AddcmulBackward0", _addcmul_rule)
_AddcdivNode = defop("AddcdivBackward0", _addcdiv_rule)

_ADDCDIV_INTEGER = (
    "Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
    "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
    "be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
    "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
    "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
    "for all dtypes."
)


def _pointwise_ternary(input, tensor1, tensor2, value, kernel, node_cls, saved):
    dtype = _common_dtype(input, tensor1, tensor2)
    if dtype.kind != FLOAT:
        value = int(value)  # torch casts the value to the integer dtype
    broadcast_shape(input._data.shape, tensor1._data.shape, tensor2._data.shape)
    arrays = (_backend.opmath(t._data.astype(dtype.np)) for t in (input, tensor1, tensor2))
    result = _quiet(kernel)(*arrays, value)  # half: in float32, rounded once
    inputs = (input, tensor1, tensor2)
    return _record_ternary(node_cls, result, dtype, inputs, saved, value)


def addcmul(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 * tensor2."""
    if _common_dtype(input, tensor1, tensor2) is _backend.bool_:
        _refuse("addcmul_cpu_out", _backend.bool_)
    # torch keeps each factor only where the other one needs its gradient
    duals = _registry.dual_depth > 0  # tangents need both factors
    saved = (
        tensor1 if tensor2._requires_grad or duals else None,
        tensor2 if tensor1._requires_grad or duals else None,
    )
    kernel = lambda a, b, c, v: a + v * b * c  # noqa: E731
    return _pointwise_ternary(input, tensor1, tensor2, value, kernel, _AddcmulNode, saved)


def addcdiv(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 / tensor2 (floating tensors only)."""
    if tensor1._dtype.kind != FLOAT and tensor2._dtype.kind != FLOAT:
        raise RuntimeError(_ADDCDIV_INTEGER)
    duals = _registry.dual_depth > 0  # tangents need both operands
    saved = (
        tensor1 if tensor2._requires_grad or duals else None,
        tensor2 if tensor1._requires_grad or tensor2._requires_grad or duals else None,
    )
    kernel = lambda a, b, c, v: a + v * b / c  # noqa: E731
    return _pointwise_ternary(input, tensor1, tensor2, value, kernel, _AddcdivNode, saved)


for _name, _func, _grad_fns in (
    ("lerp", lerp, ("LerpBackward0", "LerpBackward1")),
    ("addcmul", addcmul, ("AddcmulBackward0",)),
    ("addcdiv", addcdiv, ("AddcdivBackward0",)),
):
    _export(_name, _func, grad_fns=_grad_fns)
