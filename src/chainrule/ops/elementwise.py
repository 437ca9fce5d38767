"""Elementwise maths and its derivatives: exp/log, trig, activations, clamp, where, comparisons.

Each rule maps the output gradient ``g`` to one gradient per input, written with
chainrule ops (so it can itself be differentiated). Broadcasting is undone by the engine.
"""

from __future__ import annotations

import math

from .. import _backend
from .._argerrors import invalid_combination, require_tensor
from .._backend import FLOAT, IN_PLACE_MIN, defaults, xp
from .._registry import (
    Elementwise,
    beyond_int64,
    broadcast_error,
    broadcast_shape,
    defop,
    export,
    operand,
    record,
    result_dtype,
    times_temporary,
    to_tensor,
)
from .._tensor import Tensor, make

__all__ = []  # filled by _export below


def _export(name, func, **kw):
    __all__.append(name)
    return export(name, func, **kw)


_quiet = _backend.quiet  # a kernel without NumPy's floating-point warnings
_NUMBER_TYPES = (int, float, bool)


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


# --------------------------------------------------------------------------- unary maths


def _rounded(kernel):
    """Half and single precision computed in double, then rounded once.

    NumPy's float32 kernels differ from torch's in the last bit for up to 40% of inputs
    (exp, tanh, cosh), which shows when printing (2.9999998 is 3.0000, not 3.). The
    correctly rounded value matches torch for over 99% of inputs of these functions.
    Big arrays go through in chunks, so the double copy never costs more than a chunk.
    """

    def run(a):
        if a.dtype.itemsize >= 8:
            return kernel(a, out=...)
        if a.size <= _CHUNK:
            return kernel(a.astype(xp.float64), out=...).astype(a.dtype)
        out = xp.empty(a.shape, a.dtype)
        for source, target in _chunks(a, out):
            wide = source.astype(xp.float64)
            target[...] = kernel(wide, out=wide)
        return out

    run.rounds_half_itself = True  # Elementwise leaves float16 to it (no float32 step)
    return run


_CHUNK = 1 << 16  # elements per chunk of a double-precision pass (512 KiB: fits in L2)


def _chunks(a, out):
    """Pairs of matching flat slices of ``a`` and of the new C-ordered array ``out``."""
    flat_in, flat_out = a.reshape(-1), out.reshape(-1)  # reshape copies only a strided a
    for start in range(0, flat_in.size, _CHUNK):
        yield flat_in[start : start + _CHUNK], flat_out[start : start + _CHUNK]


def _unary(name, forward, grad_fn, rule, saves="inputs", float_only=True, method=True, refuse=None):
    """``refuse``: (kernel name, dtype names) torch has no kernel for (NotImplementedError)."""
    op = Elementwise(
        forward, defop(grad_fn, rule) if rule else None, saves=saves, float_only=float_only
    )

    def func(input, *, out=None):
        result = op.unary(input)
        return result if out is None else _with_out(result, out)

    if refuse is not None:
        kernel, refused = refuse
        unchecked = func

        def func(input, *, out=None):
            dtype = getattr(input, "_dtype", None)
            if dtype is not None and dtype.name in refused:
                raise NotImplementedError(f"\"{kernel}\" not implemented for '{dtype.scalar_name}'")
            return unchecked(input, out=out)

    func.__name__ = name
    func.__doc__ = f"Elementwise {name} (torch.{name}); grad_fn {grad_fn}."
    _export(name, func, method=method, grad_fns=(grad_fn,) if rule else ())
    return func


def _saved_input_rule(derivative):
    """A rule g * f'(x), where f' is given in terms of the input x."""

    def rule(node, g):
        (x,) = node.saved
        return (times_temporary(g, derivative(x)),)

    return rule


def _saved_output_rule(derivative):
    """A rule g * f'(x), where f' is given in terms of the output y = f(x)."""

    def rule(node, g):
        (y,) = node.saved
        return (times_temporary(g, derivative(y)),)

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
    lambda node, g: (g * node.saved[0] * _LN2,),  # torch's order: (g * y) * ln 2
    saves="output",
)
expm1 = _unary(
    "expm1",
    _rounded(xp.expm1),
    "Expm1Backward0",
    _saved_output_rule(lambda y: y + 1),
    saves="output",
)


def _divided_rule(divisor):
    """A rule g / f(s) for the saved value s (the input or the output): one division, as
    torch writes these rules, so float16 rounds once where g * (1 / f(s)) rounds twice."""

    def rule(node, g):
        (s,) = node.saved
        return (g / divisor(s),)

    return rule


log = _unary("log", xp.log, "LogBackward0", _divided_rule(lambda x: x))
log2 = _unary("log2", _rounded(xp.log2), "Log2Backward0", _divided_rule(lambda x: x * _LN2))
log10 = _unary("log10", _rounded(xp.log10), "Log10Backward0", _divided_rule(lambda x: x * _LN10))
log1p = _unary("log1p", _rounded(xp.log1p), "Log1PBackward0", _divided_rule(lambda x: x + 1))
sqrt = _unary("sqrt", xp.sqrt, "SqrtBackward0", _divided_rule(lambda y: y * 2), saves="output")
rsqrt = _unary(
    "rsqrt",
    lambda a: 1 / xp.sqrt(a),
    "RsqrtBackward0",
    lambda node, g: (g * -0.5 * node.saved[0] ** 3,),  # torch's order: (-0.5 g) * y^3
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
    _divided_rule(lambda x: x * x + 1),
)
sinh = _unary("sinh", _rounded(xp.sinh), "SinhBackward0", _saved_input_rule(lambda x: x.cosh()))
cosh = _unary("cosh", _rounded(xp.cosh), "CoshBackward0", _saved_input_rule(lambda x: x.sinh()))


# tanh, sigmoid and relu get fused backward ops, as in torch (tanh_backward, ...): one op
# instead of three in every backward pass, and their own rules for double backward, so
# create_graph shows torch's TanhBackwardBackward0 and friends.


def _fused_backward(grad_fn_name, forward, vjp):
    """A backward kernel ``forward(g, y)`` recorded as an op of its own, with rule ``vjp``."""
    op = Elementwise(forward, defop(grad_fn_name, vjp))

    def rule(node, g):
        (y,) = node.saved
        return (op.binary(g, y),)

    return rule


def _times_own(g, local):
    """``g * local`` for a kernel's own big array ``local``: written into it when it fits."""
    if g.shape == local.shape and g.dtype == local.dtype:
        return xp.multiply(g, local, out=local)
    return g * local


def _tanh_backward(g, y):
    """g * (1 - y*y). torch's kernel fuses 1 - y*y (one rounding): double precision gives
    that for float32. Big arrays: in chunks, written into the array the product goes to."""
    if y.size < IN_PLACE_MIN:
        wide = y.astype(xp.float64) if y.dtype.itemsize < 8 else y
        return g * (1 - wide * wide).astype(y.dtype, copy=False)
    if y.dtype.itemsize >= 8:
        local = xp.square(y)
        xp.subtract(1, local, out=local)
    else:
        local = xp.empty(y.shape, y.dtype)
        for source, target in _chunks(y, local):
            wide = source.astype(xp.float64)
            xp.square(wide, out=wide)
            target[...] = xp.subtract(1, wide, out=wide)
    return _times_own(g, local)


def _sigmoid_backward(g, y):
    """g * (1 - y) * y, in torch's order; float16 rounds after each step, as torch's
    half kernel does (it does not widen to float32 here)."""
    if y.size < IN_PLACE_MIN:
        return g * (1 - y) * y
    local = _times_own(g, 1 - y)
    return xp.multiply(local, y, out=local) if local.shape == y.shape else local * y


_sigmoid_backward.rounds_half_itself = True


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
        where(y <= 0, 0.0, gg) if node.needs_input_grad(0) else None,
        gg.new_zeros(gg.shape) if node.needs_input_grad(1) else None,
    )


tanh = _unary(
    "tanh",
    _rounded(xp.tanh),
    "TanhBackward0",
    _fused_backward("TanhBackwardBackward0", _tanh_backward, _tanh_backward_vjp),
    saves="output",
)
sigmoid = _unary(
    "sigmoid",
    lambda a: _sigmoid(a),
    "SigmoidBackward0",
    _fused_backward("SigmoidBackwardBackward0", _sigmoid_backward, _sigmoid_backward_vjp),
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
    "ThresholdBackwardBackward0", lambda g, y: _keep_where(~(y <= 0), g), _threshold_backward_vjp
)


def _abs_rule(node, g):
    (x,) = node.saved
    return (g * x.sign(),)


_quiet_multiply = _quiet(xp.multiply)


def _keep_where(keep, g):
    """g where keep, else +0 -- what numpy.where(keep, g, 0) gives, about 10x faster.

    A multiply by the mask is fast but gives -0. for negative g and nan for nan/inf g;
    adding 0 fixes the sign, and the rare non-finite gradient takes the slow exact path.
    """
    out = _quiet_multiply(g, keep)  # inf * False is nan: the slow path below redoes it
    out += 0
    if not xp.isfinite(g).all():
        out = xp.where(keep, g, xp.zeros((), g.dtype))
    return out


def _is_plus_zero(value) -> bool:
    return type(value) in (int, float) and value == 0 and math.copysign(1, value) > 0


def _sign(a):
    # torch's sign: (a > 0) - (a < 0), so sign(nan) is 0 and sign(-0.) is +0 (NumPy: nan, -0.)
    return (a > 0).astype(a.dtype) - (a < 0).astype(a.dtype)


def _zero_rule(node, g):
    # zeros, not g * 0: a nan or inf gradient does not leak through a flat function (torch)
    return (g.new_zeros(g.shape),)


relu = _unary(
    "relu",
    lambda a: xp.where(a < 0, a.dtype.type(0), a),  # as torch: -0.0 and nan pass through
    "ReluBackward0",
    _relu_rule,
    saves="output",
    float_only=False,
)
abs = _unary(
    "abs", xp.abs, "AbsBackward0", _abs_rule, float_only=False, refuse=("abs_cpu", ("bool",))
)
absolute = _export("absolute", abs, grad_fns=("AbsBackward0",))
sign = _unary(
    "sign",
    lambda a: a.copy() if a.dtype == bool else _sign(a),
    "SignBackward0",
    _zero_rule,
    saves=None,
    float_only=False,
)
floor = _unary(
    "floor",
    xp.floor,
    "FloorBackward0",
    _zero_rule,
    saves=None,
    float_only=False,
    refuse=("floor_vml_cpu", ("bool",)),
)
ceil = _unary(
    "ceil",
    xp.ceil,
    "CeilBackward0",
    _zero_rule,
    saves=None,
    float_only=False,
    refuse=("ceil_vml_cpu", ("bool",)),
)
trunc = _unary(
    "trunc",
    xp.trunc,
    "TruncBackward0",
    _zero_rule,
    saves=None,
    float_only=False,
    refuse=("trunc_vml_cpu", ("bool",)),
)
frac = _unary(
    "frac",
    lambda a: a - xp.trunc(a),
    "FracBackward0",
    lambda n, g: (g,),
    saves=None,
    float_only=False,
    refuse=("frac_cpu", ("bool", "int64", "int32", "int16", "int8", "uint8")),
)
_round = _unary(
    "round",
    xp.round,
    "RoundBackward0",
    _zero_rule,
    saves=None,
    float_only=False,
    refuse=("round_vml_cpu", ("bool",)),
)
_RoundDecimalsNode = defop("RoundBackward1", _zero_rule)


def _round_decimals(data, decimals):
    if decimals > 0:
        scale = data.dtype.type(10.0**decimals)
        return xp.round(data * scale) / scale
    scale = data.dtype.type(10.0 ** (-decimals))
    return xp.round(data / scale) * scale


def round(input, *, decimals=0, out=None):
    """Round half to even; with ``decimals``, to that many decimal places (grad_fn
    RoundBackward1), scaling by a power of ten in the input's dtype as torch does."""
    if not decimals:
        return _round(input, out=out)
    data = input._data
    if data.dtype.kind != "f":
        raise NotImplementedError(f"\"round_cpu\" not implemented for '{input._dtype.scalar_name}'")
    value = _quiet(_round_decimals)(data, decimals)
    result = record(_RoundDecimalsNode, make(value.astype(data.dtype), input._dtype), (input,))
    return result if out is None else _with_out(result, out)


export("round", round, grad_fns=("RoundBackward0", "RoundBackward1"))

# --------------------------------------------------------------------------- two inputs


def _atan2_vjp(node, g):
    a, b = node.saved
    denom = a * a + b * b
    # atan2(0, 0) is flat as torch takes it: 0, not 0 / 0
    recip = where(denom == 0, 0.0, denom.reciprocal())
    return (
        g * b * recip if node.needs_input_grad(0) else None,
        g * -a * recip if node.needs_input_grad(1) else None,
    )


_ATAN2 = Elementwise(xp.arctan2, defop("Atan2Backward0", _atan2_vjp), float_only=True)


def _tensor_pair(name, op):
    """The function and method forms of a binary op whose ``other`` must be a tensor (torch
    refuses a Python number there, counting positions per form)."""

    def function_form(input, other):
        require_tensor(name, "other", 2, other, method=False)
        return op.binary(input, other)

    def method_form(self, other):
        require_tensor(name, "other", 2, other, method=True)
        return op.binary(self, other)

    function_form.__name__ = method_form.__name__ = name
    return function_form, method_form


atan2, _atan2_method = _tensor_pair("atan2", _ATAN2)
atan2.__doc__ = """Elementwise angle of (other, input), in radians."""
_arctan2, _arctan2_method = _tensor_pair("arctan2", _ATAN2)


def _minmax_vjp(a_loses):
    """maximum/minimum: the gradient goes to the chosen input; ties share it equally.

    Masked with where (not multiplied by a 0/1 mask), so a nan or inf gradient reaches only
    the input that was chosen, as in torch.
    """

    def rule(node, g):
        a, b = node.saved
        shared = where(a == b, g * 0.5, g)
        return (
            where(a_loses(a, b), 0.0, shared) if node.needs_input_grad(0) else None,
            where(a_loses(b, a), 0.0, shared) if node.needs_input_grad(1) else None,
        )

    return rule


def _first_on_ties(ufunc):
    """maximum/minimum keeping the first operand where the two are equal, as torch does:
    the tie of 0.0 and -0.0 gives the first one (NumPy gives the second)."""

    def kernel(a, b):
        out = ufunc(a, b, out=...)
        if out.dtype.kind == "f":
            ties = a == b
            if ties.any():
                out = xp.where(ties, a, out)
        return out

    return kernel


_MAXIMUM = Elementwise(
    _first_on_ties(xp.maximum), defop("MaximumBackward0", _minmax_vjp(lambda a, b: a < b))
)
_MINIMUM = Elementwise(
    _first_on_ties(xp.minimum), defop("MinimumBackward0", _minmax_vjp(lambda a, b: a > b))
)


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
    return (where(mask, g, 0.0),)


def _clamp_tensor_vjp(node, g):
    x, low, high = node.saved
    inside = None
    if low is not None:
        inside = x >= low
    if high is not None:
        inside = (x <= high) if inside is None else inside & (x <= high)
    grads = [where(inside, g, 0.0) if node.needs_input_grad(0) else None]
    # as torch: with both bounds the lower one gets the gradient only while it is below the
    # upper one (min == max or min > max: the result is max's); nan anywhere: no gradient
    below = (lambda: (x < low) & (low < high)) if high is not None else (lambda: x < low)
    above = (lambda: (x > high) | (low > high)) if low is not None else (lambda: x > high)
    for bound, test, i in ((low, below, 1), (high, above, 2)):
        grads.append(
            where(test(), g, 0.0) if bound is not None and node.needs_input_grad(i) else None
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
    if min is not None:
        min = _backend.fit_scalar(min, dtype)
    if max is not None:
        max = _backend.fit_scalar(max, dtype)
    result = data
    with xp.errstate(invalid="ignore"):
        if min is not None:
            result = xp.maximum(result, xp.asarray(min, dtype.np))
        if max is not None:
            result = xp.minimum(result, xp.asarray(max, dtype.np))
    if result is data:
        result = data.copy()
    return record(ClampScalarNode, make(result, dtype), (input,), (input,), (min, max))


def _clamp_result_dtype(input, low, high):
    """The result type of input and the tensor bounds, as torch's clamp promotes them."""
    dtype, probe = input._dtype, input
    for bound in (low, high):
        if bound is not None and bound._dtype is not dtype:
            dtype = result_dtype(probe, bound)
            probe = make(xp.broadcast_to(xp.zeros((), dtype.np), input._data.shape), dtype)
    return dtype


def _clamp_tensor(input, low, high):
    low = to_tensor(low) if low is not None else None
    high = to_tensor(high) if high is not None else None
    broadcast_shape(*(t._data.shape for t in (input, low, high) if t is not None))  # torch's error
    result = input._data
    # maximum/minimum, not comparisons: a nan bound gives nan, as torch; min > max gives max
    if low is not None:
        result = xp.maximum(result, low._data)
    if high is not None:
        result = xp.minimum(result, high._data)
    dtype = _clamp_result_dtype(input, low, high)
    out = make(xp.asarray(result).astype(dtype.np, copy=False), dtype)
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
    if not isinstance(input, Tensor):
        input = _backend.fit_scalar(input, dtype, check_half=False)
    if not isinstance(other, Tensor):
        other = _backend.fit_scalar(other, dtype, check_half=False)
    x = _backend.cast(input._data, dtype.np, False) if isinstance(input, Tensor) else input
    y = _backend.cast(other._data, dtype.np, False) if isinstance(other, Tensor) else other
    token = _backend.quiet_on()  # where(c, half, 1e6): inf, silently as in torch
    try:
        if _is_plus_zero(y) and isinstance(x, xp.ndarray) and x.dtype.kind == "f":
            result = _keep_where(condition._data, x)  # the masks of backward rules: fast path
        else:
            result = xp.where(condition._data, x, y)
    except ValueError:
        # torch broadcasts condition, input, other in that order: its message names the clash
        broadcast_shape(condition._data.shape, xp.shape(x), xp.shape(y))
        raise
    finally:
        _backend.quiet_off(token)
    out = make(_backend.cast(result, dtype.np, False), dtype)
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


_TENSOR_OR_NUMBER_OTHER = (
    "Tensor input, Tensor other, *, Tensor out = None",
    "Tensor input, Number other, *, Tensor out = None",
)


def _comparison(name, ufunc, method_alias=None):
    op = Elementwise(ufunc, result_bool=True)

    def func(input, other):
        if not isinstance(input, Tensor):  # torch.eq(2., t): torch has no number-first form
            raise invalid_combination(name, (input, other), {}, _TENSOR_OR_NUMBER_OTHER)
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

    func, method_form = _tensor_pair(name, op)
    _export(name, func, differentiable=False, method_form=method_form)
    return func


logical_and = _logical("logical_and", xp.logical_and)
logical_or = _logical("logical_or", xp.logical_or)
logical_xor = _logical("logical_xor", xp.logical_xor)


def logical_not(input):
    """Elementwise not, a bool tensor."""
    return make(xp.logical_not(input._data), _backend.bool_)


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _bitwise(ufunc, name, bool_ok=True):
    """A bitwise op on integer (and, unless ``bool_ok`` is False, bool) operands, both
    computed in the promoted dtype (an int16 0-d operand of a uint8 tensor is cast to uint8
    first, as torch does, so the result holds only uint8 bits)."""

    def func(input, other):
        if isinstance(other, (Tensor, bool, int, float)):
            if type(other) is int and not _INT64_MIN <= other <= _INT64_MAX:
                other = beyond_int64(input, other)
            elif type(input) is int and not _INT64_MIN <= input <= _INT64_MAX:
                input = beyond_int64(other, input)
            if isinstance(other, Tensor) and isinstance(input, Tensor):
                # torch's error for a clash, before the kernel refuses the dtype
                broadcast_shape(input._data.shape, other._data.shape)
            dtype = result_dtype(input, other)
            if dtype.kind == FLOAT or (dtype is _backend.bool_ and not bool_ok):
                raise NotImplementedError(
                    f"\"{name}_cpu\" not implemented for '{dtype.scalar_name}'"
                )
            a = xp.asarray(operand(input, dtype), dtype.np)
            b = xp.asarray(operand(other, dtype), dtype.np)
            token = _backend.quiet_on()
            try:
                result = ufunc(a, b)
            finally:
                _backend.quiet_off(token)
            return make(xp.asarray(result, dtype.np), dtype)
        return NotImplemented

    return func


bitwise_and = _bitwise(xp.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(xp.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(xp.bitwise_xor, "bitwise_xor")


def _shift(ufunc, fill_negative):
    def run(a, b):
        bits = a.dtype.itemsize * 8
        b = xp.asarray(b)
        out = ufunc(a, xp.clip(b, 0, bits - 1).astype(a.dtype))
        # torch: shifting by the width or more gives 0 (-1 for a negative right shift)
        wide = (b >= bits) | (b < 0)
        if wide.any():
            out = xp.where(wide, xp.where(a < 0, -1, 0) if fill_negative else 0, out)
        return out.astype(a.dtype)

    return run


bitwise_left_shift = _bitwise(_shift(xp.left_shift, False), "lshift", bool_ok=False)
bitwise_right_shift = _bitwise(_shift(xp.right_shift, True), "rshift", bool_ok=False)


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
    ("bitwise_left_shift", bitwise_left_shift),
    ("bitwise_right_shift", bitwise_right_shift),
):
    _export(_name, _func, differentiable=False)

# --------------------------------------------------------------------------- publish

_export("atan2", atan2, grad_fns=("Atan2Backward0",), method_form=_atan2_method)
_export("arctan2", _arctan2, grad_fns=("Atan2Backward0",), method_form=_arctan2_method)
for _name, _func, _grad_fns in (
    ("maximum", maximum, ("MaximumBackward0",)),
    ("minimum", minimum, ("MinimumBackward0",)),
    ("clamp", clamp, ("ClampBackward1", "ClampBackward0")),
    ("clip", clamp, ("ClampBackward1", "ClampBackward0")),
    ("where", where, ("WhereBackward0",)),
):
    _export(_name, _func, grad_fns=_grad_fns)


def _where_method(self, condition, other):
    """Tensor.where(condition, y): self where condition holds, else y."""
    return where(condition, self, other)


Tensor.where = _where_method
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
Tensor.__lshift__ = bitwise_left_shift
Tensor.__rshift__ = bitwise_right_shift
Tensor.__rlshift__ = lambda self, other: bitwise_left_shift(other, self)  # other: a number
Tensor.__rrshift__ = lambda self, other: bitwise_right_shift(other, self)
Tensor.__hash__ = lambda self: id(self)


# --------------------------------------------------------------------------- closeness


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise |input - other| <= atol + rtol * |other|, as a bool tensor."""
    dtype = result_dtype(input, other)
    a = input._data.astype(dtype.np, copy=False)
    b = other._data.astype(dtype.np, copy=False) if isinstance(other, Tensor) else other
    if input._dtype is not getattr(other, "_dtype", input._dtype):
        raise RuntimeError(f"{input._dtype.scalar_name} did not match {other._dtype.scalar_name}")
    for name, tolerance in (("rtol", rtol), ("atol", atol)):
        if tolerance < 0:
            raise RuntimeError(
                f"{name} must be greater than or equal to zero, but got {float(tolerance):g}"
            )
    try:
        with xp.errstate(all="ignore"):
            close = xp.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    except ValueError:
        raise broadcast_error(xp.shape(a), xp.shape(b)) from None
    out = make(close, _backend.bool_)
    # torch builds the result with in-place ors: one for nan == nan, one for the tolerance
    out._vbox[0] = int(equal_nan and input._dtype.kind == FLOAT) + int(rtol != 0 or atol != 0)
    return out


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
