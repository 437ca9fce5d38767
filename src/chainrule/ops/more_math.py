"""More elementwise maths and torch's aliases: acosh/asinh/atanh, arc* names, sgn, fix,
frexp, nextafter, heaviside, gcd/lcm, float_power, polygamma, and the random draws
bernoulli / multinomial.

Each differentiable op is declared once with its torch grad_fn name and a rule written in
chainrule ops (higher derivatives work); the others are marked non-differentiable.
"""

from __future__ import annotations

from .. import _backend
from .._backend import xp
from .._registry import defop, export, record, result_dtype, to_tensor
from .._tensor import Tensor, make
from . import creation, elementwise, special
from .elementwise import _rounded, _saved_input_rule, _unary

__all__ = []


def _export(name, func, **kw):
    __all__.append(name)
    return export(name, func, **kw)


# --------------------------------------------------------------------------- inverse hyperbolics

acosh = _unary(
    "acosh",
    _rounded(xp.arccosh),
    "AcoshBackward0",
    _saved_input_rule(lambda x: (x * x - 1).rsqrt()),
)
asinh = _unary(
    "asinh",
    _rounded(xp.arcsinh),
    "AsinhBackward0",
    _saved_input_rule(lambda x: (x * x + 1).rsqrt()),
)
atanh = _unary(
    "atanh",
    _rounded(xp.arctanh),
    "AtanhBackward0",
    lambda node, g: (g / (1 - node.saved[0] * node.saved[0]),),  # one rounding, as torch's
)

# torch's other names for ops chainrule already has: the same function, the same node
_ALIASES = {
    "arccos": "acos",
    "arcsin": "asin",
    "arctan": "atan",
    "arccosh": "acosh",
    "arcsinh": "asinh",
    "arctanh": "atanh",
    "arctan2": "atan2",
    "fix": "trunc",
    "row_stack": "vstack",
    "negative": "neg",
    "multiply": "mul",
    "subtract": "sub",
    "divide": "div",
    "true_divide": "div",
    "moveaxis": "movedim",
    "swapdims": "transpose",
    "concat": "cat",
    "concatenate": "cat",
    "greater": "gt",
    "greater_equal": "ge",
    "less": "lt",
    "less_equal": "le",
    "not_equal": "ne",
    "ger": "outer",
    "clip": "clamp",
}


def install_aliases():
    from .._registry import FUNCTIONS, OPS

    for alias, name in _ALIASES.items():
        if alias in OPS or name not in OPS:
            continue
        info = OPS[name]
        func = FUNCTIONS.get(name) or getattr(Tensor, name)
        method = hasattr(Tensor, name) and not hasattr(Tensor, alias)
        export(
            alias,
            func,
            method=method,
            function=name in FUNCTIONS,
            grad_fns=info.grad_fns,
            differentiable=info.differentiable,
        )
        __all__.append(alias)


# --------------------------------------------------------------------------- sign-like


def positive(input):
    """Returns ``input`` itself (torch refuses bool tensors).

    >>> import chainrule as torch
    >>> x = torch.tensor([1., -2.])
    >>> torch.positive(x) is x
    True
    """
    if input.dtype is _backend.bool_:
        raise RuntimeError(
            "The `+` operator, on a bool tensor is not supported. If you are trying to "
            "invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return input


def _sgn_rule(node, g):
    node.saved  # noqa: B018 - torch saves the input (a freed or changed input is an error)
    return (g.new_zeros(g.shape),)  # +0 (g * 0 gives -0 and nan), as torch


_SgnNode = defop("SgnBackward0", _sgn_rule)


def sgn(input, *, out=None):
    """The sign of each element (for real tensors the same as ``sign``)."""
    result = elementwise.sign(input.detach())
    return record(_SgnNode, make(result._data, result._dtype), (input,), saved=(input,))


# --------------------------------------------------------------------------- float anatomy


def _frexp_rule(node, grads):
    g = grads[0]
    (exponent,) = node.saved
    if g is None:
        return (None,)
    # torch's g / exponent.exp2(): 2^exponent of the int32 exponent is float32 (the default
    # dtype), so a float16 gradient is divided in float32 (2^16 is not inf) and rounded once
    return ((g / elementwise.exp2(exponent)).to(g.dtype),)


_FrexpNode = defop("FrexpBackward0", _frexp_rule)
FrexpResult = None  # set below (a torch.return_types-like named tuple)


def frexp(input, *, out=None):
    """Split into mantissa in [0.5, 1) and an int32 exponent: input = mantissa * 2 ** exponent.

    >>> import chainrule as torch
    >>> torch.frexp(torch.tensor([8.]))
    torch.return_types.frexp(
    mantissa=tensor([0.5000]),
    exponent=tensor([4], dtype=torch.int32))
    """
    if not input.is_floating_point():
        raise RuntimeError(
            "torch.frexp() only supports floating-point dtypes, but got " + str(input.dtype)
        )
    mantissa, exponent = xp.frexp(input._data)
    exponent = make(exponent.astype(xp.int32), _backend.int32)
    mantissa = make(mantissa.astype(input._data.dtype), input._dtype)
    from .._registry import record_multi

    record_multi(
        _FrexpNode, (mantissa, exponent), (input,), saved=(exponent,), differentiable=(True, False)
    )
    return FrexpResult(mantissa, exponent)


def _nextafter_rule(node, g):
    # torch passes the gradient through to input where the two differ and gives +0 where they
    # are equal (0 == -0 included, nan never equal); other gets zeros
    x, y = node.saved
    passed = g.masked_fill(x == y, 0.0) if isinstance(y, Tensor) else g
    return (passed, creation.zeros_like(g))


_NextafterNode = defop("NextafterBackward0", _nextafter_rule)


def nextafter(input, other, *, out=None):
    """The next float after ``input`` in the direction of ``other``."""
    special._need_tensor("nextafter", other)
    special.check_shapes(input, other)
    dtype = result_dtype(input, other)
    if dtype.kind != _backend.FLOAT:
        special._refuse("nextafter_cpu", dtype)
    a = input._data.astype(dtype.np)
    b = other._data.astype(dtype.np) if isinstance(other, Tensor) else other
    result = xp.nextafter(a, b)
    shapes = tuple(None if xp.shape(v) == result.shape else xp.shape(v) for v in (a, b))
    out = make(result, dtype)
    return record(_NextafterNode, out, (input, other), saved=(input, other), shapes=shapes)


def _heaviside_rule(node, g):
    raise RuntimeError("derivative for aten::heaviside is not implemented")


_HeavisideNode = defop("NotImplemented", _heaviside_rule)


def heaviside(input, values, *, out=None):
    """0 where input < 0, 1 where input > 0, ``values`` where input == 0.

    >>> import chainrule as torch
    >>> torch.heaviside(torch.tensor([-1., 0., 2.]), torch.tensor(0.5))
    tensor([0.0000, 0.5000, 1.0000])
    """
    if input.dtype != values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    result = make(xp.heaviside(input._data, values._data).astype(input._data.dtype), input._dtype)
    return record(_HeavisideNode, result, (input, values))


def _integer_pair(name, ufunc):
    def func(input, other, *, out=None):
        special.check_shapes(input, other)
        for t in (input, other):
            if isinstance(t, Tensor) and (t.is_floating_point() or t.dtype is _backend.bool_):
                kind = "Float" if t.dtype is _backend.float32 else t.dtype.scalar_name
                raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{kind}'")
        dtype = result_dtype(input, other)
        b = other._data if isinstance(other, Tensor) else other
        return make(ufunc(input._data, b).astype(dtype.np), dtype)

    func.__name__ = name
    func.__doc__ = f"Elementwise {name} of integer tensors (no gradient)."
    _export(name, func, differentiable=False)
    return func


gcd = _integer_pair("gcd", xp.gcd)
lcm = _integer_pair("lcm", xp.lcm)


def float_power(input, exponent, *, out=None):
    """``input ** exponent`` computed in double precision (the result is float64).

    >>> import chainrule as torch
    >>> torch.float_power(torch.tensor([2]), 2)
    tensor([4.], dtype=torch.float64)
    """
    base = input.to(_backend.float64) if isinstance(input, Tensor) else input
    if isinstance(exponent, Tensor):
        exponent = exponent.to(_backend.float64)
    elif isinstance(exponent, bool):
        exponent = int(exponent)
    if not isinstance(base, Tensor):
        return to_tensor(float(base)).to(_backend.float64) ** exponent
    return base**exponent


def polygamma(n, input, *, out=None):
    """The n-th derivative of digamma.

    >>> import chainrule as torch
    >>> torch.polygamma(1, torch.tensor([1.]))
    tensor([1.6449])
    """
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    if n == 0:  # digamma's values, recorded as torch does (PolygammaBackward0, n = 0)
        dtype, data = special._floating(input)
        values = special._quiet(special._digamma64)(data)
        return special._unary_result(input, special._PolygammaNode, values, dtype, args=0)
    return special._polygamma(n, input)


def _polygamma_method(self, n):
    return polygamma(n, self)


# --------------------------------------------------------------------------- predicates


def isposinf(input, *, out=None):
    """True where the element is +inf."""
    return make(
        xp.isposinf(input._data)
        if input.is_floating_point()
        else xp.zeros(input._data.shape, bool),
        _backend.bool_,
    )


def isneginf(input, *, out=None):
    """True where the element is -inf."""
    return make(
        xp.isneginf(input._data)
        if input.is_floating_point()
        else xp.zeros(input._data.shape, bool),
        _backend.bool_,
    )


def isreal(input):
    """True everywhere for real tensors (chainrule has no complex dtypes)."""
    return make(xp.ones(input._data.shape, dtype=bool), _backend.bool_)


# --------------------------------------------------------------------------- random draws


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 draws with probability ``input`` (or ``p``), in input's dtype.

    >>> import chainrule as torch
    >>> torch.bernoulli(torch.ones(3))
    tensor([1., 1., 1.])
    """
    probs = input._data if p is None else xp.broadcast_to(xp.asarray(p), input._data.shape)
    if ((probs < 0) | (probs > 1)).any():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    draws = creation._rng(generator).random(input._data.shape) < probs
    return make(draws.astype(input._data.dtype), input._dtype)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Draw category indices with the given (unnormalised) weights, per row.

    >>> import chainrule as torch
    >>> torch.multinomial(torch.tensor([0., 1., 0.]), 2, replacement=True)
    tensor([1, 1])
    """
    if input.dim() not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not input.is_floating_point():
        raise RuntimeError(
            "multinomial only supports floating-point dtypes for input, got: "
            + input.dtype.scalar_name
        )
    weights = input._data.astype(xp.float64).reshape(-1, input.shape[-1])
    categories = weights.shape[1]
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > categories:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    if (weights < 0).any() or not xp.isfinite(weights).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (weights.sum(1) == 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and ((weights > 0).sum(1) < num_samples).any():
        raise RuntimeError(
            "invalid multinomial distribution (with replacement=False, not enough non-negative "
            "category to sample)"
        )
    rng = creation._rng(generator)
    rows = []
    for w in weights:
        p = w / w.sum()
        rows.append(rng.choice(categories, size=num_samples, replace=replacement, p=p))
    result = xp.asarray(rows, dtype=xp.int64)
    if input.dim() == 1:
        result = result[0]
    return make(result, _backend.int64)


def _install():
    global FrexpResult
    from .decompositions import _return_type

    FrexpResult = _return_type("frexp", ["mantissa", "exponent"])
    # positive returns its input, so gradients flow through it without a node of its own
    _export("positive", positive, differentiable=True)
    for name, func, grad_fns, method in (
        ("sgn", sgn, ("SgnBackward0",), True),
        ("frexp", frexp, ("FrexpBackward0",), True),
        ("nextafter", nextafter, ("NextafterBackward0",), True),
        ("heaviside", heaviside, ("NotImplemented",), True),
        ("float_power", float_power, ("PowBackward0", "PowBackward1", "ToCopyBackward0"), True),
        ("polygamma", polygamma, ("PolygammaBackward0",), False),
        ("isposinf", isposinf, (), True),
        ("isneginf", isneginf, (), True),
        ("isreal", isreal, (), True),
        ("bernoulli", bernoulli, (), True),
        ("multinomial", multinomial, (), True),
    ):
        _export(name, func, method=method, grad_fns=grad_fns, differentiable=bool(grad_fns))
    Tensor.polygamma = _polygamma_method


_install()
