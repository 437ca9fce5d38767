"""The op-spec table: one entry per registered op, driving ``tests/test_ops.py``.

An :class:`OpSpec` says how to call an op (function and/or method form), which sample
inputs to try, the input domain, the dtypes to check, a NumPy reference for the forward
values, and what the op claims: ``grad`` (backward), ``gradgrad`` (backward of the
backward) and ``batched`` (Jacobians through batched cotangents). A claim is ``True``,
``False`` (only for ops the registry marks non-differentiable) or :func:`skip` with the
written reason why it is not checked.

Samples describe their tensors by shape and domain, not by value: the tests draw the
values for each dtype (float64, float32, integers, bool) from the domain, with a seed
derived from the op and the sample, so every run sees the same numbers.
"""

from __future__ import annotations

import math
import operator

import numpy as np

FLOATS = ("float64", "float32")
INTS = ("int64", "int32")
INT_DTYPES = FLOATS + ("int64",)
ALL_DTYPES = FLOATS + ("int64", "int32", "bool")


# --------------------------------------------------------------------------- claims


class Skip:
    """A claim that is not checked, with the written reason why."""

    def __init__(self, reason: str):
        self.reason = reason

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"skip({self.reason!r})"


def skip(reason: str) -> Skip:
    return Skip(reason)


# --------------------------------------------------------------------------- domains


class Domain:
    """Where sample values come from, for each dtype.

    lo, hi: the range (integers use the whole numbers inside it).
    avoid: points (or a function giving the distance to the nearest kink) that floats keep
        ``margin`` away from, so central differences never straddle a kink.
    distinct: floats are spread out (no two closer than ~(hi - lo) / 2n): no ties for max/sort.
    grid, offset: floats are ``lo + k * grid + offset`` plus a little jitter, so two inputs
        drawn with offsets 0 and grid/2 never meet (maximum, clamp bounds).
    """

    def __init__(
        self,
        lo=-2.0,
        hi=2.0,
        *,
        avoid=(),
        margin=0.1,
        distinct=False,
        grid=None,
        offset=0.0,
        integral=False,
    ):
        self.lo, self.hi = lo, hi
        self.avoid = avoid
        self.margin = margin
        self.distinct = distinct
        self.grid = grid
        self.offset = offset
        self.integral = integral  # floats with whole values (ties for comparisons)

    def shifted(self, offset: float) -> Domain:
        return Domain(
            self.lo,
            self.hi,
            avoid=self.avoid,
            margin=self.margin,
            grid=self.grid,
            offset=offset,
            distinct=self.distinct,
        )

    def _distance(self, x):
        if callable(self.avoid):
            return self.avoid(x)
        if not self.avoid:
            return np.full(x.shape, np.inf)
        return np.min([np.abs(x - p) for p in self.avoid], axis=0)

    def __call__(self, rng, shape, dtype: str):
        if dtype == "bool":
            return rng.random(shape) < 0.5
        if dtype in ("int64", "int32", "int16", "int8", "uint8"):
            lo, hi = math.ceil(self.lo), math.floor(self.hi)
            values = rng.integers(lo, hi + 1, size=shape)
            for _ in range(100):
                bad = self._distance(values.astype(float)) < 0.5
                if not bad.any():
                    break
                values[bad] = rng.integers(lo, hi + 1, size=int(bad.sum()))
            return values.astype(dtype)
        n = int(np.prod(shape))
        if self.integral:
            values = rng.integers(math.ceil(self.lo), math.floor(self.hi) + 1, size=shape)
        elif self.distinct:
            step = (self.hi - self.lo) / max(n, 1)
            slots = rng.permutation(n).reshape(shape)
            values = self.lo + step * (slots + 0.5 + rng.uniform(-0.2, 0.2, shape))
        elif self.grid is not None:
            steps = int((self.hi - self.lo) / self.grid)
            values = self.lo + self.grid * rng.integers(0, steps + 1, shape) + self.offset
            values = values + rng.uniform(-0.1, 0.1, shape) * self.grid
        else:
            values = rng.uniform(self.lo, self.hi, shape)
            for _ in range(1000):
                bad = self._distance(values) < self.margin
                if not bad.any():
                    break
                values[bad] = rng.uniform(self.lo, self.hi, int(bad.sum()))
        return np.asarray(values, dtype=np.float64).astype(dtype)


def _to_integer(x):
    return np.abs(x - np.round(x))


def _to_half(x):
    return np.abs(x - np.floor(x) - 0.5)


REAL = Domain()
POSITIVE = Domain(0.5, 2.0)
NONZERO = Domain(avoid=(0.0,), margin=0.25)
UNIT = Domain(-0.8, 0.8)  # asin, acos: away from the poles at +-1
DISTINCT = Domain(distinct=True)
GRID = Domain(-2.0, 2.0, grid=0.4)
INTEGRAL = Domain(-2.0, 2.0, integral=True)  # whole floats: comparisons see ties
OFF_INTEGER = Domain(-2.5, 2.5, avoid=_to_integer)  # floor, ceil, trunc, frac
OFF_HALF = Domain(-2.5, 2.5, avoid=_to_half)  # round


# --------------------------------------------------------------------------- sample arguments


class In:
    """A tensor argument drawn from a domain; differentiable when floating and ``grad``."""

    def __init__(self, *shape, domain=None, dtype=None, grad=True, values=None):
        self.shape = tuple(shape)
        self.domain = domain
        self.dtype = dtype  # fixed dtype name (else the dtype under test)
        self.grad = grad
        self.values = None if values is None else np.asarray(values, dtype=np.float64)
        if self.values is not None:
            self.shape = self.values.shape

    def __repr__(self) -> str:
        return "t" + ("x".join(str(s) for s in self.shape) if self.shape else "0d")


class Const:
    """A fixed tensor argument that never requires grad: indices, masks, special values.

    dtype: a dtype name, or "same" for the dtype under test.
    """

    def __init__(self, value, dtype="same"):
        self.value = np.asarray(value)
        self.dtype = dtype

    def __repr__(self) -> str:
        return "c" + ("x".join(str(s) for s in self.value.shape) if self.value.ndim else "0d")


class Lib:
    """An attribute of the library under test (``Lib("float64")`` is torch.float64)."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


class Raw:
    """A NumPy array passed as it is (torch.from_numpy, torch.tensor(ndarray))."""

    def __init__(self, value):
        self.value = np.asarray(value)

    def __repr__(self) -> str:
        return "ndarray"


class Sample:
    """One way to call the op: positional ``args`` and keyword ``kwargs``.

    call: ``call(lib, *args, **kwargs)`` instead of the op's function/method form (operators,
        in-place ops on a clone, ...). ref: this sample's own NumPy reference.
    skip: {check: reason} for the checks this sample sits out ("forward", "gradcheck",
        "gradgrad", "batched", "torch", "float32", "saved", "views").
    xfail: {check: reason} for checks a known bug (outside the op files) makes fail; strict,
        so the mark must go when the bug is fixed.
    eps: the central-difference step for this sample.
    dtypes: restrict the dtypes this sample runs with.
    out_dtype: the expected result dtype name (a name, or a function of the input dtype).
    """

    def __init__(
        self,
        *args,
        label=None,
        call=None,
        ref=None,
        skip=None,
        xfail=None,
        eps=None,
        dtypes=None,
        out_dtype=None,
        **kwargs,
    ):
        self.args = args
        self.kwargs = kwargs
        self.call = call
        self.ref = ref
        self.skip = skip or {}
        self.xfail = xfail or {}
        self.eps = eps
        self.dtypes = dtypes
        self.out_dtype = out_dtype
        self.label = label or self._auto_label()

    def _auto_label(self) -> str:
        parts = [_describe(a) for a in self.args]
        parts += [f"{k}={_describe(v)}" for k, v in self.kwargs.items()]
        return ",".join(parts) or "noargs"

    def __repr__(self) -> str:
        return self.label


def _describe(value) -> str:
    if isinstance(value, (list, tuple)):
        inner = ",".join(_describe(v) for v in value)
        return f"[{inner}]"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


# --------------------------------------------------------------------------- the spec


class OpSpec:
    """Everything the tests need to know about one op.

    ref: NumPy reference ``ref(*args, **kwargs)`` (arrays where the sample has tensors);
        None for ops checked by ``check`` or by the torch comparison only.
    forms: "function" (torch.name(x, ...)) and/or "method" (x.name(...)).
    dtypes: the dtypes every sample runs with (None: samples without tensor inputs).
    out_dtype: expected result dtype: "same" (the input's), a name, or a function of the
        input dtype name. float_only: integer/bool inputs give float32 (the default dtype).
    check: ``check(lib, out, sample)`` for outputs that have no reference (random numbers).
    compare: "values" (default) or "meta" (shape and dtype only: random, uninitialised).
    tol: (rtol, atol) for float64 forward values; float32 gets its own (looser) pair.
    skip: {check: reason} for checks every sample of this op sits out.
    """

    def __init__(
        self,
        name,
        samples,
        ref=None,
        *,
        forms=("function", "method"),
        domain=REAL,
        dtypes=FLOATS,
        grad=True,
        gradgrad=True,
        batched=True,
        out_dtype="same",
        float_only=False,
        check=None,
        compare="values",
        tol=None,
        tol32=None,
        grad_tol=None,
        skip=None,
    ):
        self.name = name
        self.samples = list(samples)
        self.ref = ref
        self.forms = tuple(forms)
        self.domain = domain
        self.dtypes = dtypes
        self.grad = grad
        self.gradgrad = gradgrad if grad else False
        self.batched = batched if grad else False
        self.out_dtype = out_dtype
        self.float_only = float_only
        self.check = check
        self.compare = compare
        self.tol = tol or (1e-7, 1e-10)
        self.tol32 = tol32 or (2e-5, 2e-6)
        self.grad_tol = grad_tol or (1e-3, 1e-5)
        self.skip = skip or {}

    def __repr__(self) -> str:
        return f"OpSpec({self.name!r})"

    def expected_dtype(self, sample: Sample, dtype: str | None) -> str | None:
        """The result dtype name a sample run with ``dtype`` must give (None: not checked).

        A sample's own rule is taken as it is; the spec's rule gives float32 for integer
        inputs of float_only ops.
        """
        if sample.out_dtype is not None:
            rule = sample.out_dtype
            return rule(dtype) if callable(rule) and dtype is not None else rule
        rule = self.out_dtype
        if dtype is None:
            return rule if isinstance(rule, str) and rule != "same" else None
        if callable(rule):
            return rule(dtype)
        if rule == "same":
            if self.float_only and dtype not in FLOATS:
                return "float32"
            return dtype
        return rule


SPECS: dict[str, OpSpec] = {}


def spec(name, samples, ref=None, **kw) -> OpSpec:
    """Declare the spec of op ``name`` (once)."""
    assert name not in SPECS, f"two specs for {name}"
    SPECS[name] = OpSpec(name, samples, ref, **kw)
    return SPECS[name]


def alias(name, of, **overrides) -> OpSpec:
    """A spec for an alias (``absolute`` of ``abs``): same samples, reference and claims."""
    base = SPECS[of]
    kw = {
        k: getattr(base, k)
        for k in (
            "forms",
            "domain",
            "dtypes",
            "grad",
            "gradgrad",
            "batched",
            "out_dtype",
            "float_only",
            "check",
            "compare",
            "tol",
            "tol32",
            "grad_tol",
            "skip",
        )
    }
    kw.update(overrides)
    # samples with their own ``call`` exercise the base op, not the alias
    samples = kw.pop("samples", [s for s in base.samples if s.call is None])
    ref = kw.pop("ref", base.ref)
    return spec(name, samples, ref, **kw)


def _float_scalar(dtype: str) -> str:
    """An integer/bool tensor with a float Python number gives the default float dtype."""
    return dtype if dtype in FLOATS else "float32"


def _int_scalar(dtype: str) -> str:
    """A bool tensor with an int Python number gives int64."""
    return "int64" if dtype == "bool" else dtype


def _same(dtype: str) -> str:
    return dtype


def _axis(dim, ndim=1):
    """torch's dim argument as a NumPy axis (an empty list means every dim; a 0-d tensor
    takes dim 0 or -1)."""
    if isinstance(dim, list):
        dim = tuple(dim)
    return None if dim == () or ndim == 0 else dim


def _sum_result(dtype: str) -> str:
    return dtype if dtype in FLOATS else "int64"


_NAN, _INF = float("nan"), float("inf")
# NaN must propagate through max/min/clamp/norm as in torch (NumPy's argmax picks the first NaN)
_WITH_NAN = Sample(Const([[1.0, _NAN, 3.0], [2.0, -1.0, 0.5]]), label="nan", dtypes=FLOATS)
_WITH_NAN_DIM = Sample(
    Const([[1.0, _NAN, 3.0], [2.0, -1.0, 0.5]]), 1, label="nan,dim=1", dtypes=FLOATS
)
_WITH_INF = Sample(
    Const([[_INF, 1.0, 2.0], [-_INF, -_INF, -_INF]]), 1, label="inf,dim=1", dtypes=FLOATS
)
# inf - inf, inf + -inf and 0 * inf are NaN, without a warning (as in torch)
_INF_PAIR = Sample(Const([_INF, 0.0, 1.0]), Const([_INF, _INF, -_INF]), label="inf", dtypes=FLOATS)
# float32 and float64 operands: the float32 input's gradient must come back float32


# =========================================================================== creation
# Not differentiable: they make leaves. Samples give Python arguments; no tensor inputs.

CREATE = dict(forms=("function",), dtypes=None, grad=False)

spec(
    "tensor",
    [
        Sample(2.5, out_dtype="float32"),
        Sample([1, 2, 3], out_dtype="int64"),
        Sample([[True, False]], out_dtype="bool"),
        Sample([[1.0, 2.0], [3.0, 4.0]], dtype=Lib("float64"), out_dtype="float64"),
        Sample(Raw(np.arange(3.0)), out_dtype="float64"),
        Sample([1.5, 2.5], requires_grad=True, out_dtype="float32"),
        Sample([], out_dtype="float32"),
    ],
    lambda data, dtype=None, requires_grad=False: np.asarray(data, dtype=dtype),
    **CREATE,
)
spec(
    "as_tensor",
    [
        Sample([1.0, 2.0], out_dtype="float32"),
        Sample(Raw(np.arange(4, dtype=np.int32)), out_dtype="int32"),
        Sample([1, 2], dtype=Lib("float64"), out_dtype="float64"),
    ],
    lambda data, dtype=None: np.asarray(data, dtype=dtype),
    **CREATE,
)
spec(
    "from_numpy",
    [
        Sample(Raw(np.arange(6.0).reshape(2, 3)), out_dtype="float64"),
        Sample(Raw(np.ones(3, np.float32)), out_dtype="float32"),
        Sample(Raw(np.arange(3, dtype=np.int32)), out_dtype="int32"),
        Sample(Raw(np.array([True, False])), out_dtype="bool"),
    ],
    lambda a: a,
    **CREATE,
)


def _filled(value):
    def ref(*size, dtype=None, requires_grad=False):
        if len(size) == 1 and isinstance(size[0], (tuple, list)):
            size = size[0]
        return np.full(size, value, dtype=dtype or np.float32)

    return ref


for _name, _value in (("zeros", 0.0), ("ones", 1.0)):
    spec(
        _name,
        [
            Sample(2, 3, out_dtype="float32"),
            Sample((2, 3), out_dtype="float32"),
            Sample([0], out_dtype="float32"),
            Sample(
                label="no size",
                skip={"forward": "torch raises TypeError (a size is required)"},
            ),
            Sample(3, dtype=Lib("int64"), out_dtype="int64"),
            Sample(2, dtype=Lib("float64"), requires_grad=True, out_dtype="float64"),
        ],
        _filled(_value),
        **CREATE,
    )
spec(
    "empty",
    [
        Sample(2, 3, out_dtype="float32"),
        Sample((0, 2), dtype=Lib("float64"), out_dtype="float64"),
    ],
    _filled(0.0),
    compare="meta",
    **CREATE,
)
spec(
    "full",
    [
        Sample((2, 3), 1.5, out_dtype="float32"),
        Sample((2,), 7, out_dtype="int64"),
        Sample((2,), True, out_dtype="bool"),
        Sample((2, 2), 2, dtype=Lib("float64"), out_dtype="float64"),
    ],
    lambda size, value, dtype=None: np.full(size, value, dtype=dtype),
    **CREATE,
)
spec(
    "eye",
    [
        Sample(3, out_dtype="float32"),
        Sample(2, 3, out_dtype="float32"),
        Sample(2, dtype=Lib("int64"), out_dtype="int64"),
    ],
    lambda n, m=None, dtype=None: np.eye(n, m, dtype=dtype or np.float32),
    **CREATE,
)
spec(
    "arange",
    [
        Sample(5, out_dtype="int64"),
        Sample(1, 4, out_dtype="int64"),
        Sample(0, 1, 0.25, out_dtype="float32"),
        Sample(5.0, out_dtype="float32"),
        Sample(3, 0, -1, out_dtype="int64"),
        Sample(3, dtype=Lib("float64"), out_dtype="float64"),
    ],
    lambda *a, dtype=None: np.arange(*a, dtype=dtype),
    **CREATE,
)
spec(
    "linspace",
    [
        Sample(0, 1, 5, out_dtype="float32"),
        Sample(-1.0, 1.0, 1, out_dtype="float32"),
        Sample(0, 1, steps=3, dtype=Lib("float64"), out_dtype="float64"),
    ],
    lambda a, b, steps, dtype=None: np.linspace(a, b, steps),
    **CREATE,
)
spec(
    "logspace",
    [
        Sample(0, 2, 3, out_dtype="float32"),
        Sample(0, 1, 4, base=2.0, out_dtype="float32"),
    ],
    lambda a, b, steps, base=10.0: np.logspace(a, b, steps, base=base),
    **CREATE,
)


def _repeatable(lib):
    lib.manual_seed(7)
    first = lib.rand(3)
    lib.manual_seed(7)
    return lib.equal(first, lib.rand(3))


def _generator_repeatable(lib):
    gen = lib.Generator()
    gen.manual_seed(3)
    first = lib.randn(2, generator=gen)
    gen.manual_seed(3)
    return lib.equal(first, lib.randn(2, generator=gen))


def _initial_seed(lib):
    lib.manual_seed(11)
    return lib.initial_seed()


spec("manual_seed", [Sample(call=_repeatable, label="repeatable")], lambda: True, **CREATE)
spec(
    "seed",
    [Sample(call=lambda lib: isinstance(lib.seed(), int), label="int")],
    lambda: True,
    **CREATE,
)
spec("initial_seed", [Sample(call=_initial_seed, label="after manual_seed")], lambda: 11, **CREATE)
spec("Generator", [Sample(call=_generator_repeatable, label="repeatable")], lambda: True, **CREATE)


def _in_unit_interval(lib, out, sample):
    values = out.detach().numpy()
    assert ((values >= 0) & (values < 1)).all()


def _finite(lib, out, sample):
    assert np.isfinite(out.detach().numpy()).all()


def _in_range(low, high):
    def check(lib, out, sample):
        values = out.detach().numpy()
        assert ((values >= low) & (values < high)).all(), values

    return check


def _is_permutation(lib, out, sample):
    assert sorted(out.tolist()) == list(range(sample.args[0]))


RANDOM = dict(CREATE, compare="meta")
spec(
    "rand",
    [
        Sample(2, 3, out_dtype="float32"),
        Sample((4,), dtype=Lib("float64"), out_dtype="float64"),
        Sample(0, out_dtype="float32"),
    ],
    check=_in_unit_interval,
    **RANDOM,
)
spec(
    "randn",
    [
        Sample(2, 3, out_dtype="float32"),
        Sample(3, dtype=Lib("float64"), requires_grad=True, out_dtype="float64"),
    ],
    check=_finite,
    **RANDOM,
)
spec(
    "randint",
    [
        Sample(0, 5, (2, 3), out_dtype="int64"),
        Sample(3, (4,), out_dtype="int64"),
    ],
    check=_in_range(0, 5),
    **RANDOM,
)
spec(
    "randperm",
    [Sample(5, out_dtype="int64"), Sample(0, out_dtype="int64")],
    check=_is_permutation,
    **RANDOM,
)
spec(
    "normal",
    [
        Sample(0.0, 1.0, (2, 3), out_dtype="float32"),
        Sample(2.0, 0.5, size=(3,), out_dtype="float32"),
    ],
    check=_finite,
    **RANDOM,
)

LIKE = dict(forms=("function",), dtypes=FLOATS + INTS, grad=False)
spec(
    "zeros_like",
    [Sample(In(2, 3)), Sample(In()), Sample(In(2, 3), dtype=Lib("int64"), out_dtype="int64")],
    lambda x, dtype=None: np.zeros_like(x, dtype=dtype),
    **LIKE,
)
spec(
    "ones_like",
    [Sample(In(2, 3)), Sample(In(0)), Sample(In(3), dtype=Lib("float64"), out_dtype="float64")],
    lambda x, dtype=None: np.ones_like(x, dtype=dtype),
    **LIKE,
)
spec("empty_like", [Sample(In(2, 3))], lambda x: x, compare="meta", **LIKE)
spec(
    "full_like",
    [Sample(In(2, 3), 2), Sample(In(3), 1.5, dtype=Lib("float64"), out_dtype="float64")],
    lambda x, v, dtype=None: np.full_like(x, v, dtype=dtype),
    **LIKE,
)
spec(
    "rand_like",
    [Sample(In(2, 3))],
    check=_in_unit_interval,
    compare="meta",
    forms=("function",),
    grad=False,
)
spec(
    "randn_like", [Sample(In(2, 3))], check=_finite, compare="meta", forms=("function",), grad=False
)
spec(
    "randint_like",
    [Sample(In(2, 3), 5), Sample(In(3), 2, 6)],
    check=_in_range(0, 6),
    compare="meta",
    forms=("function",),
    dtypes=FLOATS + ("int64",),
    grad=False,
)


# =========================================================================== elementwise: unary

UNARY_SAMPLES = [
    Sample(In()),
    Sample(In(5)),
    Sample(In(2, 3)),
    Sample(In(0)),
    Sample(In(2, 0)),
]


def in_float64(ref):
    """A reference computing integer/bool inputs in float64 (NumPy would use float16 for bool)."""

    def widened(*args, **kwargs):
        args = [
            a.astype(np.float64) if isinstance(a, np.ndarray) and a.dtype.kind in "biu" else a
            for a in args
        ]
        return ref(*args, **kwargs)

    return widened


def unary(name, ref, domain=REAL, *, dtypes=FLOATS + ("int64", "bool"), float_only=True, **kw):
    """An elementwise function of one tensor: 0-d, 1-d, 2-d and empty samples."""
    if float_only:
        ref = in_float64(ref)
    return spec(name, UNARY_SAMPLES, ref, domain=domain, dtypes=dtypes, float_only=float_only, **kw)


unary("exp", np.exp)
unary("exp2", np.exp2)
unary("expm1", np.expm1)
unary("log", np.log, POSITIVE)
unary("log2", np.log2, POSITIVE)
unary("log10", np.log10, POSITIVE)
unary("log1p", np.log1p, Domain(-0.5, 2.0))
unary("sqrt", np.sqrt, POSITIVE)
unary("rsqrt", lambda x: 1 / np.sqrt(x), POSITIVE)
unary("sin", np.sin)
unary("cos", np.cos)
unary("tan", np.tan, Domain(-1.2, 1.2))
unary("asin", np.arcsin, UNIT)
unary("acos", np.arccos, UNIT)
unary("atan", np.arctan)
unary("sinh", np.sinh)
unary("cosh", np.cosh)
unary("tanh", np.tanh)
unary("sigmoid", lambda x: 1 / (1 + np.exp(-x)))
unary("reciprocal", lambda x: 1 / x, NONZERO)
unary("relu", lambda x: np.maximum(x, 0), NONZERO, dtypes=INT_DTYPES, float_only=False)
unary("abs", np.abs, NONZERO, dtypes=INT_DTYPES, float_only=False)
alias("absolute", "abs")
unary("sign", lambda x: x if x.dtype == bool else np.sign(x), NONZERO, float_only=False)
unary("floor", np.floor, OFF_INTEGER, dtypes=INT_DTYPES, float_only=False)
unary("ceil", np.ceil, OFF_INTEGER, dtypes=INT_DTYPES, float_only=False)
unary("trunc", np.trunc, OFF_INTEGER, dtypes=INT_DTYPES, float_only=False)
unary("frac", lambda x: x - np.trunc(x), OFF_INTEGER, dtypes=FLOATS, float_only=False)
unary("round", np.round, OFF_HALF, dtypes=INT_DTYPES, float_only=False)
unary("neg", np.negative, dtypes=INT_DTYPES, float_only=False)
alias("negative", "neg")
unary("square", np.square, dtypes=INT_DTYPES, float_only=False)


# =========================================================================== elementwise: binary


def binary_samples(a=None, b=None, *, scalar=2.5, int_scalar=2, promotes=True):
    """Two tensors: same shape, one or both broadcast, 0-d, empty; and a Python number.

    promotes: the result dtype follows the operands (not so for comparisons: bool).
    """
    samples = [
        Sample(In(2, 3, domain=a), In(2, 3, domain=b)),
        Sample(In(2, 3, domain=a), In(3, domain=b)),
        Sample(In(2, 1, 3, domain=a), In(4, 1, domain=b)),
        Sample(In(domain=a), In(3, domain=b)),
        Sample(In(3, domain=a), In(domain=b)),
        Sample(In(0, 3, domain=a), In(3, domain=b)),
    ]
    if scalar is not None:
        samples.append(
            Sample(In(2, 3, domain=a), scalar, out_dtype=_float_scalar if promotes else None)
        )
    if int_scalar is not None:
        samples.append(
            Sample(In(2, 3, domain=a), int_scalar, out_dtype=_int_scalar if promotes else None)
        )
    return samples


spec(
    "add",
    binary_samples()
    + [
        Sample(In(2, 3), In(3), alpha=2.0, dtypes=FLOATS),
        Sample(In(2, 3), In(2, 3), alpha=3),
        Sample(In(2, 3), In(3), call=lambda lib, a, b: a + b, label="operator +"),
        Sample(
            In(3),
            call=lambda lib, a: 1.5 + a,
            ref=lambda a: 1.5 + a,
            label="1.5 + x",
            out_dtype=_float_scalar,
        ),
        Sample(
            In(2, 3),
            In(3, dtype="float64"),
            dtypes=("float32",),
            label="float32 + float64",
            out_dtype="float64",
        ),
        _INF_PAIR,
    ],
    lambda a, b, alpha=1: np.asarray(a + alpha * b).astype(np.result_type(a, b)),
    dtypes=ALL_DTYPES,
)
spec(
    "sub",
    binary_samples()
    + [
        Sample(In(2, 3), In(3), alpha=0.5, dtypes=FLOATS),
        Sample(In(2, 3), In(3), call=lambda lib, a, b: a - b, label="operator -"),
        _INF_PAIR,
    ],
    lambda a, b, alpha=1: a - alpha * b,
    dtypes=INT_DTYPES,
)
alias("subtract", "sub")
spec(
    "rsub",
    [
        Sample(In(2, 3), 2.5, out_dtype=_float_scalar),
        Sample(In(2, 3), 2),
        Sample(In(2, 3), In(3)),
        Sample(In(3), 2.0, alpha=3.0, dtypes=FLOATS),
        Sample(In(3), call=lambda lib, a: 2 - a, ref=lambda a: 2 - a, label="2 - x"),
    ],
    lambda a, b, alpha=1: b - alpha * a,
    forms=("function",),
    dtypes=INT_DTYPES,
)
spec(
    "mul",
    binary_samples()
    + [
        Sample(In(2, 3), In(3), call=lambda lib, a, b: a * b, label="operator *"),
        Sample(
            In(3),
            call=lambda lib, a: 3 * a,
            ref=lambda a: 3 * a,
            label="3 * x",
            out_dtype=_int_scalar,
        ),
        Sample(
            In(2, 3),
            In(dtype="float64"),
            dtypes=("float32",),
            label="float32 * 0-d float64",
            out_dtype="float32",
        ),
        _INF_PAIR,
    ],
    np.multiply,
    dtypes=ALL_DTYPES,
)
alias("multiply", "mul")
spec(
    "div",
    binary_samples(b=NONZERO, promotes=False)
    + [
        Sample(In(2, 3), In(2, 3, domain=NONZERO), call=lambda lib, a, b: a / b, label="a / b"),
        Sample(In(3), call=lambda lib, a: a / 2, ref=lambda a: a / 2, label="x / 2"),
        Sample(
            In(3, domain=NONZERO), call=lambda lib, a: 2 / a, ref=lambda a: 2 / a, label="2 / x"
        ),
        Sample(
            In(2, 3, domain=OFF_INTEGER),
            In(2, 3, domain=Domain(0.9, 1.1)),
            rounding_mode="floor",
            eps=1e-4,
            label="floor",
            out_dtype=_same,
        ),
        Sample(
            In(2, 3, domain=OFF_INTEGER),
            In(2, 3, domain=Domain(0.9, 1.1)),
            rounding_mode="trunc",
            eps=1e-4,
            label="trunc",
            out_dtype=_same,
        ),
    ],
    lambda a, b, rounding_mode=None: (
        np.floor(a / b)
        if rounding_mode == "floor"
        else np.trunc(a / b)
        if rounding_mode == "trunc"
        else a / b
    ),
    domain=REAL,
    dtypes=INT_DTYPES,
    float_only=True,
)
alias("divide", "div")
alias(
    "true_divide",
    "div",
    samples=[s for s in SPECS["div"].samples if s.call is None and not s.kwargs],
)
spec(
    "floor_divide",
    binary_samples(b=NONZERO, scalar=None)
    + [
        Sample(In(3), call=lambda lib, a: a // 2, ref=lambda a: a // 2, label="x // 2"),
    ],
    np.floor_divide,
    dtypes=INT_DTYPES,
    grad=skip("torch: 'derivative for aten::floor_divide is not implemented'"),
)

# remainder has kinks where a / b is a whole number: keep a / b inside (-1, 0) or (0, 1)
_DIVIDEND = Domain(-1.4, 1.4, avoid=(0.0,), margin=0.2)
_POS_DIVISOR = Domain(1.6, 2.4)
_NEG_DIVISOR = Domain(-2.4, -1.6)
_NO_DERIVATIVE = {
    check: "torch has no derivative for remainder(number, tensor); the torch test "
    "checks that backward raises the same error"
    for check in ("gradcheck", "gradgrad", "batched", "float32")
}
spec(
    "remainder",
    binary_samples(_DIVIDEND, _POS_DIVISOR, scalar=None, int_scalar=None)
    + [
        Sample(In(2, 3, domain=_DIVIDEND), In(3, domain=_NEG_DIVISOR)),
        Sample(In(2, 3, domain=_DIVIDEND), 2.0, out_dtype=_float_scalar),
        Sample(In(2, 3, domain=_DIVIDEND), -2),
        Sample(
            In(3, domain=_DIVIDEND),
            call=lambda lib, a: a % 2.0,
            ref=lambda a: a % 2.0,
            label="x % 2.0",
            out_dtype=_float_scalar,
        ),
        Sample(
            2.0,
            In(2, 3, domain=_POS_DIVISOR),
            ref=lambda a, b: np.remainder(a, b),
            label="number % tensor",
            out_dtype=_float_scalar,
            skip=_NO_DERIVATIVE,
        ),
        Sample(
            In(3, domain=_POS_DIVISOR),
            call=lambda lib, b: 3 % b,
            ref=lambda b: 3 % b,
            label="3 % x",
            skip=_NO_DERIVATIVE,
        ),
    ],
    np.remainder,
    dtypes=INT_DTYPES,
)

_EXPONENT = Domain(0.0, 3.0)  # integer tensors cannot take negative integer powers
spec(
    "pow",
    [
        Sample(In(2, 3, domain=POSITIVE), 2),
        Sample(In(2, 3), 3),
        Sample(In(2, 3, domain=POSITIVE), 0.5, out_dtype=_float_scalar),
        Sample(In(2, 3, domain=NONZERO), -1, dtypes=FLOATS),
        Sample(In(3), 0),
        Sample(In(), 2),
        Sample(In(0, 2), 2),
        Sample(In(2, 3, domain=POSITIVE), In(2, 3, domain=_EXPONENT)),
        Sample(In(2, 3, domain=POSITIVE), In(3, domain=_EXPONENT)),
        Sample(In(domain=POSITIVE), In(3, domain=_EXPONENT)),
        Sample(
            In(2, 3, domain=POSITIVE), In(2, 3, domain=Domain(-1.5, 3, avoid=(0.0,))), dtypes=FLOATS
        ),
        Sample(
            2.0,
            In(2, 3),
            call=lambda lib, b, e: lib.pow(b, e),
            label="number ** tensor",
            out_dtype=_float_scalar,
        ),
        Sample(
            In(3),
            call=lambda lib, e: 2**e,
            ref=lambda e: (
                2.0**e if e.dtype.kind == "f" else np.where(e < 0, 0, 2 ** np.maximum(e, 0))
            ),
            label="2 ** x",
        ),
        Sample(
            In(3, domain=POSITIVE),
            call=lambda lib, x: x**1.5,
            ref=lambda x: x**1.5,
            label="x ** 1.5",
            out_dtype=_float_scalar,
        ),
    ],
    np.power,
    dtypes=INT_DTYPES,
)
spec(
    "atan2",
    binary_samples(NONZERO, NONZERO, scalar=None, int_scalar=None),
    in_float64(np.arctan2),
    dtypes=INT_DTYPES,
    float_only=True,
)
alias("arctan2", "atan2")

# maximum/minimum: the inputs come from interleaved grids, so they never tie
_LOW_GRID, _HIGH_GRID = GRID, GRID.shifted(0.2)
_TIES = Sample(
    In(values=[[1.0, 2.0, 3.0]]),
    In(values=[[1.0, 0.5, 3.0]]),
    label="ties",
    skip={
        "gradcheck": "ties are kinks: torch splits the gradient; compared with torch only",
        "gradgrad": "ties are kinks",
        "batched": "ties are kinks",
    },
)
for _name, _ref in (("maximum", np.maximum), ("minimum", np.minimum)):
    spec(
        _name,
        binary_samples(_LOW_GRID, _HIGH_GRID, scalar=None, int_scalar=None)
        + [
            _TIES,
            Sample(Const([1.0, _NAN, 3.0]), Const([_NAN, 0.0, 4.0]), label="nan", dtypes=FLOATS),
        ],
        _ref,
        dtypes=INT_DTYPES,
    )

_MIN_BOUND = Domain(-2.0, -0.4, grid=0.4, offset=0.2)  # -1.8 .. -0.2, between GRID points
_MAX_BOUND = Domain(0.0, 1.6, grid=0.4, offset=0.2)  # 0.2 .. 1.8


def _clamp_ref(x, min=None, max=None):
    if min is not None:
        x = np.maximum(x, min)
    if max is not None:
        x = np.minimum(x, max)
    return x


spec(
    "clamp",
    [
        Sample(In(2, 3), -0.6, 0.6, out_dtype=_float_scalar),
        Sample(In(2, 3), min=-0.6, out_dtype=_float_scalar),
        Sample(In(2, 3), max=0.6, out_dtype=_float_scalar),
        Sample(In(), -1, 1),
        Sample(In(0, 3), -1, 1),
        Sample(In(2, 3), In(2, 3, domain=_MIN_BOUND), In(2, 3, domain=_MAX_BOUND)),
        Sample(In(2, 3), In(3, domain=_MIN_BOUND)),
        Sample(In(2, 3), None, In(domain=_MAX_BOUND)),
        Sample(Const([[1.0, _NAN, 3.0], [2.0, -1.0, 0.5]]), 0.0, 2.0, label="nan", dtypes=FLOATS),
    ],
    _clamp_ref,
    domain=GRID,
    dtypes=INT_DTYPES,
)
alias("clip", "clamp")

_MASK = np.array([[True, False, True], [False, False, True]])
spec(
    "where",
    [
        Sample(Const(_MASK, "bool"), In(2, 3), In(2, 3)),
        Sample(Const(_MASK, "bool"), In(3), In()),
        Sample(Const([True, False, True], "bool"), In(2, 3), In(2, 1)),
        Sample(Const(_MASK, "bool"), In(2, 3), 0.0, out_dtype=_float_scalar),
        Sample(Const(_MASK, "bool"), 1.5, In(2, 3), out_dtype=_float_scalar),
        Sample(Const(_MASK, "bool"), label="nonzero", out_dtype="int64"),
    ],
    lambda c, x=None, y=None: np.nonzero(c) if x is None else np.where(c, x, y),
    forms=("function",),
    dtypes=ALL_DTYPES,
)


# =========================================================================== comparisons, logic


def _operator(op):
    """A sample call through a Python operator (a < b rather than torch.lt(a, b))."""
    return lambda lib, a, b: op(a, b)


COMPARE = dict(domain=INTEGRAL, dtypes=ALL_DTYPES, grad=False, out_dtype="bool")
for _name, _ref, _alias in (
    ("eq", np.equal, None),
    ("ne", np.not_equal, "not_equal"),
    ("lt", np.less, "less"),
    ("le", np.less_equal, "less_equal"),
    ("gt", np.greater, "greater"),
    ("ge", np.greater_equal, "greater_equal"),
):
    spec(
        _name,
        binary_samples(scalar=1.0, int_scalar=1, promotes=False)
        + [
            Sample(
                In(2, 3),
                In(3),
                call=_operator(getattr(operator, _name)),
                label="operator",
            ),
        ],
        _ref,
        **COMPARE,
    )
    if _alias:
        alias(_alias, _name)

LOGIC = dict(domain=INTEGRAL, dtypes=ALL_DTYPES, grad=False, out_dtype="bool")
spec("logical_and", binary_samples(scalar=None, int_scalar=None), np.logical_and, **LOGIC)
spec("logical_or", binary_samples(scalar=None, int_scalar=None), np.logical_or, **LOGIC)
spec("logical_xor", binary_samples(scalar=None, int_scalar=None), np.logical_xor, **LOGIC)
spec("logical_not", UNARY_SAMPLES, np.logical_not, **LOGIC)

BITWISE = dict(domain=Domain(-4, 4), dtypes=("int64", "int32", "bool"), grad=False)
spec(
    "bitwise_and",
    binary_samples(scalar=None, int_scalar=3)
    + [Sample(In(2, 3), In(3), call=lambda lib, a, b: operator.and_(a, b), label="operator &")],
    np.bitwise_and,
    **BITWISE,
)
spec(
    "bitwise_or",
    binary_samples(scalar=None, int_scalar=3)
    + [Sample(In(2, 3), In(3), call=lambda lib, a, b: operator.or_(a, b), label="operator |")],
    np.bitwise_or,
    **BITWISE,
)
spec(
    "bitwise_xor",
    binary_samples(scalar=None, int_scalar=3)
    + [Sample(In(2, 3), In(3), call=lambda lib, a, b: operator.xor(a, b), label="operator ^")],
    np.bitwise_xor,
    **BITWISE,
)


def _shift_ref(left):
    def ref(a, b):
        a, b = np.asarray(a), np.asarray(b)
        bits = a.dtype.itemsize * 8
        out = (np.left_shift if left else np.right_shift)(
            a, np.clip(b, 0, bits - 1).astype(a.dtype)
        )
        wide = (b >= bits) | (b < 0)
        fill = 0 if left else np.where(a < 0, -1, 0)
        return np.where(wide, fill, out).astype(a.dtype)

    return ref


SHIFT = dict(domain=Domain(-4, 4), dtypes=("int64", "int32"), grad=False)
spec(
    "bitwise_left_shift",
    binary_samples(scalar=None, int_scalar=3)
    + [Sample(In(2, 3), In(3), call=lambda lib, a, b: operator.lshift(a, b), label="operator <<")],
    _shift_ref(True),
    **SHIFT,
)
spec(
    "bitwise_right_shift",
    binary_samples(scalar=None, int_scalar=3)
    + [Sample(In(2, 3), In(3), call=lambda lib, a, b: operator.rshift(a, b), label="operator >>")],
    _shift_ref(False),
    **SHIFT,
)
spec(
    "bitwise_not",
    UNARY_SAMPLES + [Sample(In(3), call=lambda lib, a: ~a, label="operator ~")],
    np.invert,
    **BITWISE,
)

_SPECIAL = Const([0.0, 1.0, -2.5, _NAN, _INF, -_INF])
CLOSE = dict(dtypes=FLOATS, grad=False)
spec(
    "isclose",
    [
        Sample(Const([1.0, 2.0, _NAN, _INF]), Const([1.0 + 1e-9, 2.1, _NAN, _INF])),
        Sample(Const([1.0, 2.0, _NAN]), Const([1.0, 2.0, _NAN]), equal_nan=True),
        Sample(Const([1.0, 2.0]), Const([1.05, 2.0]), rtol=0.1, atol=0.0),
        Sample(In(2, 3), In(3)),
    ],
    np.isclose,
    out_dtype="bool",
    **CLOSE,
)
spec(
    "allclose",
    [
        Sample(Const([1.0, 2.0]), Const([1.0 + 1e-9, 2.0])),
        Sample(Const([1.0, 2.0]), Const([1.0, 2.1])),
        Sample(Const([1.0, _NAN]), Const([1.0, _NAN]), equal_nan=True),
        Sample(In(2, 3), In(2, 3)),
    ],
    np.allclose,
    **CLOSE,
)
spec(
    "equal",
    [
        Sample(Const([1.0, 2.0]), Const([1.0, 2.0])),
        Sample(Const([1.0, 2.0]), Const([1.0, 2.5])),
        Sample(Const([1.0, 2.0]), Const([[1.0, 2.0]])),
        Sample(In(2, 3), In(2, 3)),
    ],
    lambda a, b: a.shape == b.shape and bool(np.array_equal(a, b)),
    **CLOSE,
)
for _name, _ref in (("isnan", np.isnan), ("isinf", np.isinf), ("isfinite", np.isfinite)):
    spec(
        _name,
        [
            Sample(_SPECIAL),
            Sample(In(2, 3)),
            Sample(In(0)),
            Sample(In(3), dtypes=("int64", "bool")),
        ],
        _ref,
        dtypes=FLOATS,
        grad=False,
        out_dtype="bool",
    )


# =========================================================================== reductions


# a sample torch rejects: only the comparison with torch (the same exception type) runs
TORCH_RAISES = {
    check: "torch raises for this input; compared with torch only"
    for check in (
        "forward",
        "gradcheck",
        "gradgrad",
        "batched",
        "float32",
        "saved",
        "views",
        "strided",
    )
}


def _reduce_ref(func):
    def ref(x, dim=None, keepdim=False, *, dtype=None):
        with np.errstate(all="ignore"):
            return func(x, axis=_axis(dim, x.ndim), keepdims=keepdim, dtype=dtype)

    return ref


REDUCE_SAMPLES = [
    Sample(In(2, 3)),
    Sample(In()),
    Sample(In(2, 3), 1),
    Sample(In(2, 3), -1, keepdim=True),
    Sample(In(2, 3, 2), (0, 2)),
    Sample(In(2, 3, 2), dim=[-1, 0], keepdim=True),
    Sample(In(), 0),
    Sample(In(0, 3)),
    Sample(In(0, 3), 0),
    Sample(In(2, 0), 1, keepdim=True),
]
spec(
    "sum",
    REDUCE_SAMPLES
    + [
        Sample(In(2, 3), dim=[], label="dim=[] (all)"),
        Sample(In(2, 3), 1, dtype=Lib("float64"), out_dtype="float64", dtypes=FLOATS),
    ],
    _reduce_ref(np.sum),
    dtypes=ALL_DTYPES,
    out_dtype=_sum_result,
)
spec("mean", REDUCE_SAMPLES, _reduce_ref(np.mean))

_ZEROS = [[0.5, 0.0, 2.0], [0.0, 1.5, 0.0]]  # one zero in a row, two in a row, three in all


def _prod_ref(x, dim=None, keepdim=False):
    return np.prod(x, axis=dim, keepdims=keepdim)


spec(
    "prod",
    [
        Sample(In(2, 3)),
        Sample(In()),
        Sample(In(2, 3), 1),
        Sample(In(2, 3), -2, keepdim=True),
        Sample(In(), 0),
        Sample(In(0, 3)),
        Sample(In(0, 3), 1),
        Sample(In(values=_ZEROS), label="zeros"),
        Sample(In(values=_ZEROS), 1, label="zeros,dim=1"),
        Sample(In(values=_ZEROS), 0, label="zeros,dim=0"),
        Sample(In(values=[[0.0, 0.0, 2.0, 0.0], [0.0, 0.0, 1.5, -1.0]]), 1, label="3 and 2 zeros"),
        Sample(In(values=[[0.5, 0.0], [-1.0, 3.0]]), label="one zero in all"),
    ],
    _prod_ref,
    dtypes=FLOATS + ("int64", "bool"),
    out_dtype=_sum_result,
)


def _extreme_ref(pick, arg):
    def ref(x, dim=None, keepdim=False):
        if dim is None:
            return pick(x)
        if not isinstance(dim, int):  # torch.max(a, b)
            return np.maximum(x, dim) if pick is np.max else np.minimum(x, dim)
        values = pick(x, axis=dim, keepdims=keepdim)
        return values, arg(x, axis=dim, keepdims=keepdim)

    return ref


_TIE_SKIP = {
    "gradcheck": "ties are kinks: torch spreads the gradient; compared with torch only",
    "gradgrad": "ties are kinks",
    "batched": "ties are kinks",
}
EXTREME_SAMPLES = [
    Sample(In(2, 3)),
    Sample(In()),
    Sample(In(2, 3), 1),
    Sample(In(2, 3), -1, keepdim=True),
    Sample(In(2, 3), dim=0),
    Sample(In(), 0),
    Sample(In(0, 3), 1),
    Sample(In(2, 3, domain=GRID), In(2, 3, domain=GRID.shifted(0.2))),
    Sample(In(values=[[1.0, 3.0, 3.0], [-1.0, -1.0, 0.0]]), label="ties", skip=_TIE_SKIP),
    _WITH_NAN,
    _WITH_NAN_DIM,
]
spec("max", EXTREME_SAMPLES, _extreme_ref(np.max, np.argmax), domain=DISTINCT, dtypes=INT_DTYPES)
spec("min", EXTREME_SAMPLES, _extreme_ref(np.min, np.argmin), domain=DISTINCT, dtypes=INT_DTYPES)


def _amax_ref(pick):
    def ref(x, dim=(), keepdim=False):
        return pick(x, axis=_axis(dim), keepdims=keepdim)

    return ref


AMAX_SAMPLES = [
    Sample(In(2, 3)),
    Sample(In()),
    Sample(In(2, 3), 1),
    Sample(In(2, 3, 2), (0, 2), keepdim=True),
    Sample(In(2, 3), dim=-1),
    Sample(In(0, 3), 1),
    Sample(In(values=[[1.0, 3.0, 3.0], [-1.0, -1.0, 0.0]]), label="ties", skip=_TIE_SKIP),
    Sample(In(values=[[1.0, 3.0, 3.0], [-1.0, -1.0, 0.0]]), 1, label="ties,dim=1", skip=_TIE_SKIP),
    _WITH_NAN,
    _WITH_NAN_DIM,
]
spec("amax", AMAX_SAMPLES, _amax_ref(np.max), domain=DISTINCT, dtypes=INT_DTYPES)
spec("amin", AMAX_SAMPLES, _amax_ref(np.min), domain=DISTINCT, dtypes=INT_DTYPES)


def _var_ref(func):
    def ref(x, dim=None, unbiased=None, keepdim=False, *, correction=None):
        if isinstance(dim, bool):
            unbiased, dim = dim, None
        ddof = correction if correction is not None else (0 if unbiased is False else 1)
        with np.errstate(all="ignore"):
            return func(x, axis=_axis(dim), ddof=ddof, keepdims=keepdim)

    return ref


_NO_DOF = {
    check: "no degrees of freedom: the result is NaN or inf"
    for check in ("gradcheck", "gradgrad", "batched", "strided")
}
VAR_SAMPLES = [
    Sample(In(2, 3)),
    Sample(In(2, 3), 1),
    Sample(In(2, 3, 2), (0, 2), keepdim=True),
    Sample(In(2, 3), -1, False),
    Sample(In(2, 3), False, label="unbiased=False (positional)"),
    Sample(In(2, 3), 0, correction=0),
    Sample(In(4), unbiased=True),
    Sample(In(2, 3), dim=1, correction=2),
    # no degrees of freedom left: NaN or inf, and torch's UserWarning
    Sample(In(1), label="one element", skip=_NO_DOF, dtypes=FLOATS),
    Sample(Const([[1.0, 2.0, 4.0], [0.0, 1.0, 1.0]]), 1, correction=4, dtypes=FLOATS),
    Sample(In(0, 2), 0, skip=_NO_DOF, dtypes=FLOATS),
]
spec("var", VAR_SAMPLES, _var_ref(np.var), tol32=(1e-4, 1e-5))
spec("std", VAR_SAMPLES, _var_ref(np.std), tol32=(1e-4, 1e-5))


def _norm_ref(x, p="fro", dim=None, keepdim=False):
    p = 2 if p == "fro" else p
    a = np.abs(x)
    axis = _axis(dim)
    if p == 0:
        return (a != 0).sum(axis=axis, keepdims=keepdim).astype(x.dtype)
    if p == np.inf:
        return a.max(axis=axis, keepdims=keepdim)
    if p == -np.inf:
        return a.min(axis=axis, keepdims=keepdim)
    return (a**p).sum(axis=axis, keepdims=keepdim) ** (1 / p)


_AWAY = Domain(0.3, 2.0)
spec(
    "norm",
    [
        Sample(In(2, 3)),
        Sample(In(4, domain=NONZERO), 1),
        Sample(In(2, 3, domain=Domain(0.2, 2.0, distinct=True)), float("inf")),
        Sample(In(2, 3, domain=Domain(0.2, 2.0, distinct=True)), float("-inf")),
        Sample(In(2, 3), 3),
        Sample(In(2, 3, domain=_AWAY), 0.5),
        Sample(In(2, 3), 0),
        Sample(In(2, 3), 2, 1),
        Sample(In(2, 3, 2), dim=(0, 2), keepdim=True),
        Sample(In(2, 3), "fro"),
        Sample(In()),
        Sample(In(0, 3), 2, 1),
        Sample(
            Const([[1.0, _NAN, 3.0], [2.0, -1.0, 0.5]]), _INF, 1, label="nan,inf", dtypes=FLOATS
        ),
        Sample(
            In(values=[[0.0, 0.0, 0.0], [1.0, -2.0, 0.5]]),
            2,
            1,
            label="zero row",
            skip={
                "gradcheck": "norm has a kink at 0 (torch's subgradient: 0); compared with "
                "torch only",
                "gradgrad": "kink at 0",
                "batched": "kink at 0",
            },
        ),
    ],
    _norm_ref,
    tol32=(1e-4, 1e-5),
)


def _logsumexp_ref(x, dim, keepdim=False):
    x = x.astype(np.float64)
    return np.log(np.sum(np.exp(x), axis=_axis(dim), keepdims=keepdim))


spec(
    "logsumexp",
    [
        Sample(In(2, 3), 1),
        Sample(In(2, 3), (0, 1)),
        Sample(In(2, 3), -1, keepdim=True),
        Sample(In(4), 0),
        Sample(In(), 0),
        Sample(In(0, 3), 1),
        Sample(In(2, 3, domain=Domain(50.0, 60.0)), 1, label="large"),
        _WITH_NAN_DIM,
        _WITH_INF,
    ],
    _logsumexp_ref,
    dtypes=INT_DTYPES,
    float_only=True,
)


def _cumsum_ref(x, dim, dtype=None):
    return np.cumsum(x, axis=dim, dtype=dtype) if x.ndim else x.astype(dtype or x.dtype)


spec(
    "cumsum",
    [
        Sample(In(2, 3), 0),
        Sample(In(2, 3), -1),
        Sample(In(), 0),
        Sample(In(0), 0),
        Sample(In(2, 3), 1, dtype=Lib("float64"), out_dtype="float64", dtypes=FLOATS),
    ],
    _cumsum_ref,
    dtypes=ALL_DTYPES,
    out_dtype=_sum_result,
)


def _softmax_ref(log):
    def ref(x, dim, dtype=None):
        if dtype is not None:
            x = x.astype(dtype)
        if x.ndim == 0:
            return np.zeros_like(x) if log else np.ones_like(x)
        shifted = x - x.max(axis=dim, keepdims=True) if x.size else x
        e = np.exp(shifted)
        total = e.sum(axis=dim, keepdims=True)
        return shifted - np.log(total) if log else e / total

    return ref


SOFTMAX_SAMPLES = [
    Sample(In(2, 3), -1),
    Sample(In(2, 3), 0),
    Sample(In(2, 3, 2), 1),
    Sample(In(), 0),
    Sample(In(0, 3), 1),
    Sample(In(2, 3), 1, dtype=Lib("float64"), out_dtype="float64", dtypes=FLOATS),
    Sample(In(2, 3, domain=Domain(50.0, 60.0)), 1, label="large"),
    _WITH_NAN_DIM,
    _WITH_INF,
]
spec("softmax", SOFTMAX_SAMPLES, _softmax_ref(False))
spec("log_softmax", SOFTMAX_SAMPLES, _softmax_ref(True))


def _arg_ref(func):
    def ref(x, dim=None, keepdim=False):
        if dim is None:
            out = func(x.reshape(-1))
            return np.reshape(out, (1,) * x.ndim) if keepdim else out
        return func(x, axis=dim, keepdims=keepdim) if x.ndim else np.zeros((), np.int64)

    return ref


ARG = dict(domain=DISTINCT, dtypes=INT_DTYPES, grad=False, out_dtype="int64")
ARG_SAMPLES = [
    Sample(In(2, 3)),
    Sample(In()),
    Sample(In(2, 3), 1),
    Sample(In(2, 3), -1, keepdim=True),
    Sample(In(2, 3), dim=0),
    Sample(In(), 0),
    Sample(In(2, 3), keepdim=True),
    _WITH_NAN,
    _WITH_NAN_DIM,
]
spec("argmax", ARG_SAMPLES, _arg_ref(np.argmax), **ARG)
spec("argmin", ARG_SAMPLES, _arg_ref(np.argmin), **ARG)


# =========================================================================== shape and views

SHAPE = dict(dtypes=FLOATS + ("int64", "bool"))  # shape ops must keep every dtype


def _sizes(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return shape


spec(
    "reshape",
    [
        Sample(In(2, 3), (3, 2)),
        Sample(In(2, 3), (-1,)),
        Sample(In(2, 3), [1, -1, 2]),
        Sample(In(), (1, 1)),
        Sample(In(1), ()),
        Sample(In(0, 3), (3, 0)),
        Sample(
            In(2, 3),
            call=lambda lib, x: x.reshape(3, 2),
            ref=lambda x: x.reshape(3, 2),
            label="method varargs",
        ),
        Sample(
            In(2, 3),
            call=lambda lib, x: x.t().reshape(6),
            ref=lambda x: x.T.reshape(6),
            label="copy (non-viewable)",
        ),
    ],
    lambda x, shape: np.reshape(x, shape),
    **SHAPE,
)
_VIEWABLE = {"strided": "view needs a layout it can view (torch raises for a transposed input too)"}
spec(
    "view",
    [
        Sample(In(2, 3), 3, 2),
        Sample(In(2, 3), (-1,)),
        Sample(In(), 1),
        Sample(In(4), 2, -1),
        Sample(In(0, 3), 0, 3),
    ],
    lambda x, *shape: np.reshape(x, _sizes(shape)),
    forms=("method",),
    skip=_VIEWABLE,
    **SHAPE,
)
spec(
    "view_as",
    [Sample(In(2, 3), Const(np.zeros((3, 2)))), Sample(In(4), Const(np.zeros((2, 2))))],
    lambda x, other: np.reshape(x, other.shape),
    forms=("method",),
    skip=_VIEWABLE,
    **SHAPE,
)
spec(
    "reshape_as",
    [Sample(In(2, 3), Const(np.zeros((6,))))],
    lambda x, other: np.reshape(x, other.shape),
    forms=("method",),
    **SHAPE,
)
spec(
    "flatten",
    [
        Sample(In(2, 3, 2)),
        Sample(In(2, 3, 2), 1),
        Sample(In(2, 3, 2), 0, 1),
        Sample(In(2, 3, 2), start_dim=-2, end_dim=-1),
        Sample(In(2, 3), 1, 1),
        Sample(In()),
    ],
    lambda x, s=0, e=-1, start_dim=None, end_dim=None: _flatten_ref(
        x, s if start_dim is None else start_dim, e if end_dim is None else end_dim
    ),
    **SHAPE,
)


def _flatten_ref(x, start, end):
    if x.ndim == 0:
        return x.reshape(1)
    start, end = start % x.ndim, end % x.ndim
    return x.reshape(x.shape[:start] + (-1,) + x.shape[end + 1 :])


spec(
    "unflatten",
    [
        Sample(In(2, 6), 1, (2, 3)),
        Sample(In(2, 6), -1, (3, -1)),
        Sample(In(6), 0, (1, 6, 1)),
    ],
    lambda x, d, sizes: x.reshape(
        x.shape[: d % x.ndim]
        + tuple(s if s != -1 else -1 for s in sizes)
        + x.shape[d % x.ndim + 1 :]
    ),
    **SHAPE,
)


def _squeeze_ref(x, dim=None):
    if dim is None:
        return np.squeeze(x)
    dims = dim if isinstance(dim, tuple) else (dim,)
    dims = tuple(d % max(x.ndim, 1) for d in dims if x.ndim and x.shape[d] == 1)
    return np.squeeze(x, dims) if dims else x


spec(
    "squeeze",
    [
        Sample(In(2, 1, 3, 1)),
        Sample(In(2, 1, 3, 1), 1),
        Sample(In(2, 1, 3, 1), 0),
        Sample(In(2, 1, 3, 1), -1),
        Sample(In(2, 1, 3, 1), (1, 3)),
        Sample(In()),
        Sample(In(), 0),
        Sample(In(1, 0)),
    ],
    _squeeze_ref,
    **SHAPE,
)
spec(
    "unsqueeze",
    [
        Sample(In(2, 3), 0),
        Sample(In(2, 3), -1),
        Sample(In(2, 3), 1),
        Sample(In(), 0),
        Sample(In(0), 1),
    ],
    lambda x, d: np.expand_dims(x, d),
    **SHAPE,
)
for _name in ("transpose", "swapaxes", "swapdims"):
    spec(
        _name,
        [
            Sample(In(2, 3, 4), 0, 2),
            Sample(In(2, 3), -1, -2),
            Sample(In(2, 3), 1, 1),
            Sample(In(3), 0, -1),
            Sample(In(), 0, -1),
        ],
        lambda x, a, b: np.swapaxes(x, a, b) if x.ndim else x,
        **SHAPE,
    )
spec("t", [Sample(In(2, 3)), Sample(In(3)), Sample(In()), Sample(In(0, 2))], lambda x: x.T, **SHAPE)
spec(
    "permute",
    [
        Sample(In(2, 3, 4), (2, 0, 1)),
        Sample(In(2, 3, 4), (-1, 0, -2)),
        Sample(In(2, 3), [1, 0]),
        Sample(In(), ()),
        Sample(
            In(2, 3, 4),
            call=lambda lib, x: x.permute(2, 0, 1),
            ref=lambda x: x.transpose(2, 0, 1),
            label="method varargs",
        ),
    ],
    lambda x, dims: np.transpose(x, dims),
    **SHAPE,
)
spec(
    "flip",
    [
        Sample(In(2, 3), (0,)),
        Sample(In(2, 3, 2), (0, 2)),
        Sample(In(2, 3), [-1]),
        Sample(In(), ()),
        Sample(
            In(2, 3),
            call=lambda lib, x: x.flip(0, 1),
            ref=lambda x: x[::-1, ::-1],
            label="method varargs",
        ),
    ],
    lambda x, dims: np.flip(x, dims) if x.ndim else x,
    **SHAPE,
)
spec("clone", [Sample(In(2, 3)), Sample(In()), Sample(In(0))], np.copy, **SHAPE)
spec(
    "contiguous",
    [
        Sample(In(2, 3)),
        Sample(
            In(2, 3), call=lambda lib, x: x.t().contiguous(), ref=lambda x: x.T, label="transposed"
        ),
    ],
    lambda x: x,
    forms=("method",),
    **SHAPE,
)
spec(
    "select",
    [
        Sample(In(2, 3), 1, -1),
        Sample(In(2, 3), 0, 1),
        Sample(In(2, 3, 2), -2, 0),
        Sample(In(3), 0, 2),
    ],
    lambda x, d, i: np.take(x, i, axis=d),
    **SHAPE,
)
spec(
    "narrow",
    [
        Sample(In(2, 3), 1, 1, 2),
        Sample(In(2, 3), 0, 0, 1),
        Sample(In(2, 3), -1, 2, 0),
        Sample(In(4), 0, 1, 3),
    ],
    lambda x, d, s, n: np.take(x, range(s, s + n), axis=d),
    **SHAPE,
)


def _cat_ref(tensors, dim=0):
    parts = [t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)] or tensors[:1]
    return np.concatenate(parts, axis=dim)


CAT_SAMPLES = [
    Sample([In(2, 3), In(1, 3)]),
    Sample([In(2, 3), In(2, 1), In(2, 2)], 1),
    Sample([In(2, 3), In(2, 2)], dim=-1),
    Sample((In(3), In(2))),
    Sample([In(2, 3)], 0),
    Sample([In(0, 3), In(2, 3)]),
    Sample([In(2, 3), In(0)], label="legacy empty 1-d skipped"),
]
spec("cat", CAT_SAMPLES, _cat_ref, forms=("function",), **SHAPE)
alias("concat", "cat")
alias("concatenate", "cat", samples=[Sample(*s.args, **s.kwargs) for s in CAT_SAMPLES])
spec(
    "stack",
    [
        Sample([In(2, 3), In(2, 3)]),
        Sample([In(2, 3), In(2, 3), In(2, 3)], 1),
        Sample([In(3), In(3)], dim=-1),
        Sample([In(), In()]),
        Sample([In(0, 2)]),
    ],
    lambda ts, dim=0: np.stack(ts, axis=dim),
    forms=("function",),
    **SHAPE,
)


def _split_ref(x, size, dim=0):
    length = x.shape[dim]
    if isinstance(size, int):
        bounds = list(range(size, length, size))
    else:
        bounds = list(np.cumsum(size)[:-1])
    return tuple(np.split(x, bounds, axis=dim))


# torch refuses backward through a piece of split/chunk/unbind once their common base was
# changed in place (multi-output views); chainrule has no view tracking for that yet
_MULTI_VIEW = {
    "saved": "torch raises for multi-output views whose base was changed in place; "
    "chainrule does not track views that way (see the test report)"
}
spec(
    "split",
    [
        Sample(In(5, 2), 2),
        Sample(In(2, 5), 2, 1),
        Sample(In(2, 5), [1, 4], dim=-1),
        Sample(In(4), 4),
        Sample(In(4), [1, 0, 3]),
        Sample(
            In(5, 2),
            call=lambda lib, x: x.split(2)[1],
            ref=lambda x: x[2:4],
            label="one piece used",
        ),
    ],
    _split_ref,
    skip=_MULTI_VIEW,
    **SHAPE,
)
spec(
    "chunk",
    [
        Sample(In(5, 2), 2),
        Sample(In(2, 6), 3, 1),
        Sample(In(3), 5),
        Sample(In(2, 5), 2, dim=-1),
    ],
    lambda x, n, dim=0: _split_ref(x, -(-x.shape[dim] // n), dim),
    skip=_MULTI_VIEW,
    **SHAPE,
)
spec(
    "unbind",
    [
        Sample(In(2, 3)),
        Sample(In(2, 3), 1),
        Sample(In(2, 3, 2), dim=-1),
        Sample(
            In(2, 3),
            call=lambda lib, x: x.unbind(1)[2],
            ref=lambda x: x[:, 2],
            label="one piece used",
        ),
    ],
    lambda x, dim=0: tuple(np.moveaxis(x, dim, 0)),
    skip=_MULTI_VIEW,
    **SHAPE,
)

_INDEX = np.array([[0, 2, 1], [1, 1, 0]])
_PERMUTATION = np.array([[2, 0, 1], [0, 1, 2]])  # no repeats within a row: scatter is well-defined


def _gather_ref(x, dim, index):
    return np.take_along_axis(x, index, axis=dim)


def _scatter_ref(x, dim, index, src=None, *, value=None, reduce=None):
    out = x.copy()
    src = value if src is None else src
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim % x.ndim] = index
    if isinstance(src, np.ndarray):
        src = src[tuple(slice(0, s) for s in index.shape)]
    out[tuple(grids)] = src
    return out


def _scatter_add_ref(x, dim, index, src):
    out = x.copy()
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim % x.ndim] = index
    np.add.at(out, tuple(grids), src[tuple(slice(0, s) for s in index.shape)])
    return out


spec(
    "gather",
    [
        Sample(In(2, 3), 1, Const(_INDEX, "int64")),
        Sample(In(3, 3), 0, Const(_INDEX, "int64")),
        Sample(In(2, 4), -1, Const(_INDEX, "int64")),
        Sample(In(2, 3), 1, Const(np.zeros((2, 0), np.int64), "int64")),
    ],
    _gather_ref,
    **SHAPE,
)
spec(
    "scatter",
    [
        Sample(In(2, 3), 1, Const(_PERMUTATION, "int64"), In(2, 3)),
        # src larger than index: torch's backward rejects the src gradient's shape, so no grad
        Sample(In(3, 3), 0, Const(_PERMUTATION[:1], "int64"), In(2, 3, grad=False)),
        Sample(In(2, 3), -1, Const(_PERMUTATION[:, :2], "int64"), 1.5, dtypes=FLOATS),
        Sample(In(2, 3), 1, Const(_PERMUTATION, "int64"), value=-1.0, dtypes=FLOATS),
    ],
    _scatter_ref,
    **SHAPE,
)
spec(
    "scatter_add",
    [
        Sample(In(2, 3), 1, Const(_INDEX, "int64"), In(2, 3)),
        Sample(In(3, 3), 0, Const(_INDEX, "int64"), In(2, 3)),
        Sample(In(2, 4), -1, Const(_INDEX[:, :2], "int64"), In(2, 3, grad=False)),
    ],
    _scatter_add_ref,
    dtypes=INT_DTYPES,
)


def _expand_ref(x, *sizes):
    sizes = _sizes(sizes)
    lead = len(sizes) - x.ndim
    target = [x.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes)]
    return np.broadcast_to(x, target)


spec(
    "expand",
    [
        Sample(In(3), 2, 3),
        Sample(In(2, 1), (2, 4)),
        Sample(In(2, 1), -1, 3),
        Sample(In(1, 3), 2, 2, -1),
        Sample(In(), 3),
        Sample(In(2, 3), 2, 3),
    ],
    _expand_ref,
    forms=("method",),
    **SHAPE,
)
spec(
    "expand_as",
    [Sample(In(3), Const(np.zeros((2, 3)))), Sample(In(2, 1), Const(np.zeros((2, 4))))],
    lambda x, other: np.broadcast_to(x, other.shape),
    forms=("method",),
    **SHAPE,
)
spec(
    "repeat",
    [
        Sample(In(2, 3), 2, 1),
        Sample(In(3), (2, 2)),
        Sample(In(2, 1), 1, 2, 3),
        Sample(In(), 3),
        Sample(In(2, 3), 1, 1),
    ],
    lambda x, *reps: np.tile(x, _sizes(reps)),
    forms=("method",),
    **SHAPE,
)


def _to_ref(x, *args, dtype=None, **kw):
    for a in args:
        if isinstance(a, (np.dtype, type)):
            dtype = a
    return x.astype(dtype) if dtype is not None else x


spec(
    "to",
    [
        Sample(In(2, 3), Lib("float32"), out_dtype="float32", eps=1e-2),
        Sample(In(2, 3), Lib("float64"), out_dtype="float64"),
        Sample(In(3), dtype=Lib("float64"), out_dtype="float64"),
        Sample(In(3), "cpu"),
        Sample(In(3), Lib("int64"), out_dtype="int64"),
        Sample(In(3), Lib("float32"), copy=True, out_dtype="float32", eps=1e-2),
    ],
    _to_ref,
    forms=("method",),
    dtypes=FLOATS + ("int64",),
    grad_tol=(1e-3, 1e-4),
)
spec(
    "type_as",
    [
        Sample(In(2, 3), Const(np.zeros(1, np.float32), "float32"), out_dtype="float32", eps=1e-2),
        Sample(In(2, 3), Const(np.zeros(1), "float64"), out_dtype="float64"),
    ],
    lambda x, other: x.astype(other.dtype),
    forms=("method",),
    dtypes=FLOATS + ("int64",),
    grad_tol=(1e-3, 1e-4),
)


# =========================================================================== linear algebra

MATMUL_SAMPLES = [
    Sample(In(3), In(3), label="1d@1d"),
    Sample(In(2, 3), In(3), label="2d@1d"),
    Sample(In(3), In(3, 2), label="1d@2d"),
    Sample(In(2, 3), In(3, 4), label="2d@2d"),
    Sample(In(2, 2, 3), In(2, 3, 2), label="3d@3d"),
    Sample(In(2, 2, 3), In(3, 2), label="3d@2d"),
    Sample(In(2, 3), In(2, 3, 2), label="2d@3d"),
    Sample(In(3), In(2, 3, 2), label="1d@3d"),
    Sample(In(2, 2, 3), In(3), label="3d@1d"),
    Sample(
        In(2, 1, 2, 3),
        In(3, 3, 2),
        label="4d@3d broadcast",
        skip={
            "saved": "torch's broadcast matmul saves materialised copies of the expanded "
            "operands, chainrule the operands themselves"
        },
    ),
    Sample(In(0, 3), In(3, 2), label="empty rows"),
    Sample(In(2, 0), In(0, 3), label="empty inner"),
    Sample(In(2, 3), In(3, 2), call=lambda lib, a, b: a @ b, label="operator @"),
]
spec("matmul", MATMUL_SAMPLES, np.matmul, dtypes=INT_DTYPES)
spec(
    "mm",
    [
        Sample(In(2, 3), In(3, 4)),
        Sample(In(1, 3), In(3, 1)),
        Sample(In(0, 3), In(3, 2)),
        Sample(In(2, 0), In(0, 3)),
    ],
    np.matmul,
    dtypes=INT_DTYPES,
)
spec(
    "bmm",
    [
        Sample(In(2, 2, 3), In(2, 3, 4)),
        Sample(In(1, 3, 2), In(1, 2, 1)),
        Sample(In(0, 2, 3), In(0, 3, 2)),
    ],
    np.matmul,
    dtypes=INT_DTYPES,
)
spec(
    "mv",
    [Sample(In(2, 3), In(3)), Sample(In(0, 3), In(3)), Sample(In(2, 0), In(0))],
    np.matmul,
    dtypes=INT_DTYPES,
)
spec(
    "dot",
    [Sample(In(3), In(3)), Sample(In(0), In(0)), Sample(In(1), In(1))],
    np.dot,
    dtypes=INT_DTYPES,
)
spec(
    "inner",
    [
        Sample(In(3), In(3)),
        Sample(In(2, 3), In(4, 3)),
        Sample(In(2, 2, 3), In(3)),
        Sample(In(), In(2, 3)),
    ],
    np.inner,
    dtypes=INT_DTYPES,
)
spec(
    "outer",
    [Sample(In(3), In(2)), Sample(In(0), In(2)), Sample(In(1), In(1))],
    np.outer,
    dtypes=INT_DTYPES,
)
alias("ger", "outer")


# =========================================================================== in-place (tensor methods)
# Applied to a clone, so the tensor written to is not a leaf and the write is recorded.

spec(
    "zero_",
    [
        Sample(In(2, 3), call=lambda lib, x: x.clone().zero_(), label="clone"),
        Sample(In(), call=lambda lib, x: (x * 2).zero_(), label="0-d"),
    ],
    lambda x: np.zeros_like(x),
    forms=("method",),
    dtypes=FLOATS + ("int64",),
)
spec(
    "fill_",
    [
        Sample(In(2, 3), 2.5, call=lambda lib, x, v: x.clone().fill_(v), label="number"),
        Sample(In(2, 3), In(), call=lambda lib, x, v: x.clone().fill_(v), label="0-d tensor"),
        Sample(In(0), 1.0, call=lambda lib, x, v: x.clone().fill_(v), label="empty"),
    ],
    lambda x, v: np.full_like(x, v),
    forms=("method",),
)
spec(
    "copy_",
    [
        Sample(In(2, 3), In(2, 3), call=lambda lib, x, s: x.clone().copy_(s), label="same shape"),
        Sample(In(2, 3), In(3), call=lambda lib, x, s: x.clone().copy_(s), label="broadcast"),
        Sample(In(2, 3), In(), call=lambda lib, x, s: (x * 1).copy_(s), label="0-d source"),
        Sample(
            In(2, 3),
            In(2, 3, dtype="float32"),
            call=lambda lib, x, s: x.clone().copy_(s),
            label="float32 source",
            dtypes=("float64",),
            eps=1e-2,
        ),
    ],
    lambda x, s: np.broadcast_to(s, x.shape).astype(x.dtype),
    forms=("method",),
    grad_tol=(1e-3, 1e-4),
)

# Further op families keep their specs in files of their own, imported last because they
# use the vocabulary above.
import specs_decompositions  # noqa: E402, F401, I001
import specs_scans  # noqa: E402, F401
import specs_selection  # noqa: E402, F401
import specs_special  # noqa: E402, F401
import specs_nn  # noqa: E402, F401
import specs_linalg_more  # noqa: E402, F401
import specs_misc  # noqa: E402, F401
import specs_nn_more  # noqa: E402, F401
