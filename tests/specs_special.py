"""Op specs of the ops/special.py and ops/activations.py families (see op_specs.py for the
table's vocabulary). References are NumPy + math; SciPy, where installed, checks erfinv and
digamma (otherwise those two are checked against torch only)."""

import math

import numpy as np
from op_specs import (
    FLOATS,
    INT_DTYPES,
    NONZERO,
    POSITIVE,
    REAL,
    UNARY_SAMPLES,
    UNIT,
    Const,
    Domain,
    In,
    Sample,
    _float_scalar,
    _int_scalar,
    _to_integer,
    in_float64,
    skip,
    spec,
    unary,
)

try:
    import scipy.special as _scipy_special
except ImportError:  # pragma: no cover - SciPy is optional for the tests
    _scipy_special = None

_NAN, _INF = float("nan"), float("inf")
_ALL_CHECKS_BUT_TORCH = ("forward", "gradcheck", "gradgrad", "batched", "float32", "saved")
_ALL_CHECKS_BUT_TORCH += ("views", "strided")
_ERROR_DTYPES = FLOATS + ("int64", "bool")


def _vectorized(fn):
    return lambda x: np.vectorize(fn, otypes=[np.float64])(x)


def _lgamma(v):
    try:
        return math.lgamma(v)
    except ValueError:
        return math.inf


def refused(*args, label, dtypes=FLOATS, **kwargs):
    """A call torch refuses: only the comparison with torch (same exception type) runs."""
    reason = "torch raises here; the torch test checks the same exception"
    return Sample(
        *args,
        label=label,
        dtypes=dtypes,
        skip=dict.fromkeys(_ALL_CHECKS_BUT_TORCH, reason),
        **kwargs,
    )


def refused_integers(*args, label="integer input refused", **kwargs):
    """Integer and bool inputs torch refuses (no float64 run, so only forward needs a skip)."""
    reason = "torch raises NotImplementedError for integer/bool inputs"
    return Sample(*args, label=label, dtypes=("int64", "bool"), skip={"forward": reason}, **kwargs)


def floats_only(samples, dtypes=FLOATS):
    """Restrict samples to the dtypes the op accepts (the spec lists the refused ones too)."""
    for sample in samples:
        sample.dtypes = sample.dtypes or dtypes
    return samples


# =========================================================================== special functions

unary("erf", _vectorized(math.erf))
unary("erfc", _vectorized(math.erfc))
_ERFINV_EDGES = Sample(Const([1.0, -1.0, 1.5, 0.0, _NAN]), label="edges", dtypes=FLOATS)
spec(
    "erfinv",
    UNARY_SAMPLES + [_ERFINV_EDGES],
    in_float64(_scipy_special.erfinv) if _scipy_special else None,
    domain=UNIT,
    dtypes=FLOATS + ("int64", "bool"),
    float_only=True,
)
_NEGATIVE_OFF_POLES = Domain(-2.8, -0.2, avoid=_to_integer, margin=0.15)
_GAMMA_EDGES = Sample(
    Const([0.0, -0.0, -1.0, -2.5, _INF, -_INF, _NAN, 1e-8, 150.0]), label="edges", dtypes=FLOATS
)
spec(
    "lgamma",
    UNARY_SAMPLES + [Sample(In(6, domain=_NEGATIVE_OFF_POLES), label="negative"), _GAMMA_EDGES],
    in_float64(_vectorized(_lgamma)),
    domain=Domain(0.2, 4.0),
    dtypes=FLOATS + ("int64", "bool"),
    float_only=True,
)
spec(
    "digamma",
    UNARY_SAMPLES + [Sample(In(6, domain=_NEGATIVE_OFF_POLES), label="negative"), _GAMMA_EDGES],
    in_float64(_scipy_special.digamma) if _scipy_special else None,
    domain=Domain(0.2, 4.0),
    dtypes=FLOATS + ("int64",),  # bool 0 is digamma(+0) = -inf, SciPy says NaN
    float_only=True,
    tol=(1e-10, 1e-12),
)
unary("sinc", np.sinc)
unary("deg2rad", np.deg2rad)
unary("rad2deg", np.rad2deg)


def _logit_ref(x, eps=None):
    if eps is not None:
        x = np.clip(x, eps, 1 - eps)
    return np.log(x / (1 - x))


_AROUND_UNIT = Domain(-0.3, 1.3, avoid=(0.1, 0.9), margin=0.05)
spec(
    "logit",
    floats_only(
        [
            *UNARY_SAMPLES,
            Sample(In(7, domain=_AROUND_UNIT), 0.1, label="eps=0.1"),
            Sample(
                In(2, 3, domain=_AROUND_UNIT),
                call=lambda lib, x: lib.logit(x, eps=0.1),
                ref=lambda x: _logit_ref(x, 0.1),
                label="eps keyword",
            ),
        ]
    )
    + [Sample(In(4, domain=Domain(0.0, 1.0)), label="integers", dtypes=("int64", "bool"))],
    in_float64(_logit_ref),
    domain=Domain(0.1, 0.9),
    dtypes=_ERROR_DTYPES,
    float_only=True,
)

_NONFINITE = Const([_NAN, _INF, -_INF, 1.5, -2.0])
spec(
    "nan_to_num",
    [
        *UNARY_SAMPLES,
        Sample(_NONFINITE, label="defaults", dtypes=("float64",)),
        Sample(_NONFINITE, 1.0, 2.0, -3.0, label="replacements", dtypes=FLOATS),
        Sample(In(5), nan=0.5, posinf=9.0, label="keywords"),
    ],
    lambda x, nan=0.0, posinf=None, neginf=None: np.nan_to_num(
        x, nan=nan, posinf=posinf, neginf=neginf
    ),
    dtypes=FLOATS + ("int64", "bool"),
)

# =========================================================================== two inputs


def _two_tensors(a=None, b=None):
    """Same shape, broadcasting, 0-d and empty pairs of tensors."""
    return [
        Sample(In(2, 3, domain=a), In(2, 3, domain=b)),
        Sample(In(2, 3, domain=a), In(3, domain=b)),
        Sample(In(2, 1, 3, domain=a), In(4, 1, domain=b)),
        Sample(In(domain=a), In(3, domain=b)),
        Sample(In(3, domain=a), In(domain=b)),
        Sample(In(0, 3, domain=a), In(3, domain=b)),
    ]


for _name, _ref in (
    ("logaddexp", np.logaddexp),
    ("logaddexp2", np.logaddexp2),
    ("hypot", np.hypot),
):
    spec(
        _name,
        floats_only(_two_tensors())
        + [
            Sample(
                In(3),
                In(3, dtype="float32"),
                label="mixed float",
                dtypes=("float64",),
                skip={"gradgrad": "second order through a float32 input is not float64-exact"},
            ),
            refused(In(2, 3), 2.5, label="number other"),
            refused_integers(In(3), In(3)),
        ],
        _ref,
        dtypes=_ERROR_DTYPES,
    )


def _xlogy_ref(x, y):
    with np.errstate(all="ignore"):
        return np.where((np.asarray(x) == 0) & ~np.isnan(y), 0.0, x * np.log(y))


spec(
    "xlogy",
    _two_tensors(b=POSITIVE)
    + [
        Sample(In(2, 3), 2.5, out_dtype=_float_scalar),
        Sample(In(2, 3), 3, out_dtype=_float_scalar),
        Sample(1.5, In(2, 3, domain=POSITIVE), out_dtype=_float_scalar),
        Sample(
            Const([0.0, 0.0, 1.0, 2.0]), Const([0.0, _NAN, 0.0, _INF]), label="zeros", dtypes=FLOATS
        ),
    ],
    _xlogy_ref,
    dtypes=FLOATS + ("int64", "bool"),
    float_only=True,
)

_FMOD_DIVIDEND = Domain(-5.0, 5.0)
_FMOD_DIVISOR = Domain(1.1, 2.0)
spec(
    "fmod",
    floats_only(_two_tensors(_FMOD_DIVIDEND, _FMOD_DIVISOR), INT_DTYPES)
    + [
        Sample(In(2, 3, domain=_FMOD_DIVIDEND), 1.5, out_dtype=_float_scalar),
        Sample(In(2, 3, domain=_FMOD_DIVIDEND), 2, out_dtype=_int_scalar),
        Sample(In(2, 3), 2, label="bool by 2", dtypes=("bool",), out_dtype="int64"),
        Sample(In(2, 3, domain=_FMOD_DIVIDEND), -1.5, dtypes=FLOATS),
        Sample(
            In(3),
            0.0,
            label="by zero",
            dtypes=FLOATS,
            skip={c: "NaN everywhere" for c in ("gradcheck", "gradgrad", "batched")},
        ),
        refused(In(3), In(3, domain=Domain(0.0, 0.0)), label="integer by zero", dtypes=INT_DTYPES),
        refused_integers(In(3), In(3), label="bool refused"),
    ],
    np.fmod,
    dtypes=_ERROR_DTYPES,
)

# =========================================================================== three inputs


def _lerp_ref(start, end, weight):
    return start + weight * (end - start)


spec(
    "lerp",
    floats_only(
        [
            Sample(In(2, 3), In(2, 3), 0.3),
            Sample(In(2, 3), In(3), 0.75),
            Sample(In(), In(2, 3), 1.0),
            Sample(In(2, 3), In(2, 3), In(2, 3)),
            Sample(In(2, 1), In(3), In(2, 3)),
            Sample(In(2, 3), In(2, 3), In()),
            Sample(In(0, 3), In(3), In(3)),
        ]
    )
    + [
        refused(In(3), In(3, dtype="float32"), 0.5, label="mixed dtypes", dtypes=("float64",)),
        refused_integers(In(3), In(3), 0.5),
        refused_integers(In(3), In(3), In(3), label="integer tensor weight"),
    ],
    _lerp_ref,
    dtypes=_ERROR_DTYPES,
)


def _addcmul_ref(input, t1, t2, value=1):
    return input + value * t1 * t2


def _addcdiv_ref(input, t1, t2, value=1):
    return input + value * t1 / t2


spec(
    "addcmul",
    floats_only(
        [
            Sample(In(2, 3), In(2, 3), In(2, 3)),
            Sample(In(3), In(2, 1), In(2, 3)),
            Sample(In(2, 3), In(), In(3), value=-2),
            Sample(In(2, 3), In(2, 3), In(2, 3), value=0.5, dtypes=FLOATS),
            Sample(In(0, 3), In(3), In(1, 3)),
        ],
        INT_DTYPES,
    )
    + [
        refused(In(3), In(3), In(3), label="bool refused", dtypes=("bool",)),
    ],
    _addcmul_ref,
    dtypes=_ERROR_DTYPES,
)
spec(
    "addcdiv",
    floats_only(
        [
            Sample(In(2, 3), In(2, 3), In(2, 3, domain=NONZERO)),
            Sample(In(3), In(2, 1), In(2, 3, domain=NONZERO)),
            Sample(In(2, 3), In(), In(3, domain=NONZERO), value=-2),
            Sample(In(2, 3), In(2, 3), In(2, 3, domain=NONZERO), value=0.5),
            Sample(In(0, 3), In(3), In(1, 3, domain=NONZERO)),
        ]
    )
    + [refused_integers(In(3), In(3), In(3, domain=NONZERO))],
    _addcdiv_ref,
    dtypes=_ERROR_DTYPES,
)

# =========================================================================== activations
# torch has most of them only as torch.nn.functional.<name>: the samples call them there.


def _functional(name):
    def call(lib, *args, **kwargs):
        return getattr(lib.nn.functional, name)(*args, **kwargs)

    return call


def activation(name, ref, samples=None, domain=REAL, dtypes=FLOATS, refuse=True, **kw):
    """A spec for nn.functional.<name>: the unary samples (plus ``samples``), called there."""
    call = _functional(name)
    extra = list(samples or [])
    runs = [
        Sample(*s.args, call=call, label=s.label, skip=s.skip, **s.kwargs)
        for s in UNARY_SAMPLES + extra
    ]
    for run, source in zip(runs, UNARY_SAMPLES + extra):
        run.dtypes = source.dtypes or dtypes
    if refuse:
        runs.append(refused_integers(In(3), call=call))
        dtypes = dtypes + tuple(d for d in ("int64", "bool") if d not in dtypes)
    return spec(f"nn.functional.{name}", runs, ref, forms=(), domain=domain, dtypes=dtypes, **kw)


def _softplus_ref(x, beta=1.0, threshold=20.0):
    with np.errstate(over="ignore"):
        return np.where(x * beta > threshold, x, np.log1p(np.exp(x * beta)) / beta)


def _elu_ref(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(x))


_SELU = (1.6732632423543772848170429916717, 1.0507009873554804934193349852946)


def _selu_ref(x):
    return _SELU[1] * np.where(x > 0, x, _SELU[0] * np.expm1(x))


def _celu_ref(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(x / alpha))


def _gelu_ref(x, approximate="none"):
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    return 0.5 * x * (1 + _vectorized(math.erf)(x / math.sqrt(2)))


def _hardtanh_ref(x, min_val=-1.0, max_val=1.0):
    return np.clip(x, min_val, max_val)


activation(
    "softplus",
    _softplus_ref,
    [
        Sample(In(7, domain=Domain(-2.0, 3.0, avoid=(1.5,))), beta=2.0, threshold=3.0),
        Sample(In(2, 3), 0.5, label="beta=0.5"),
        Sample(Const([30.0, -30.0, 0.0]), label="large", dtypes=FLOATS),
    ],
)
activation("elu", _elu_ref, [Sample(In(2, 3), alpha=0.5)], domain=NONZERO)
activation("selu", _selu_ref, domain=NONZERO)
activation("celu", _celu_ref, [Sample(In(2, 3), alpha=2.0)], domain=NONZERO)
activation(
    "gelu",
    _gelu_ref,
    [
        Sample(In(2, 3), approximate="tanh"),
        Sample(In(5), approximate="none"),
        refused(In(3), approximate="erf", label="unknown approximation"),
    ],
    domain=Domain(-4.0, 4.0),
)
activation(
    "logsigmoid",
    lambda x: np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x))),
    [Sample(Const([40.0, -40.0, 0.0]), label="large", dtypes=FLOATS)],
    domain=Domain(-4.0, 4.0),
)


def _glu_ref(x, dim=-1):
    a, b = np.split(x, 2, axis=dim)
    return a / (1 + np.exp(-b))


_GLU = _functional("glu")
spec(
    "nn.functional.glu",
    [
        Sample(In(2, 4), call=_GLU, dtypes=FLOATS),
        Sample(In(4, 3), 0, call=_GLU, label="dim=0", dtypes=FLOATS),
        Sample(In(2, 2, 6), dim=-1, call=_GLU, label="3d", dtypes=FLOATS),
        refused(In(2, 3), call=_GLU, label="odd halving dim"),
        refused(In(), call=_GLU, label="0-d"),
        refused_integers(In(2, 4), call=_GLU),
    ],
    _glu_ref,
    forms=(),
    domain=Domain(-3.0, 3.0),
    dtypes=FLOATS + ("int64", "bool"),
)
activation("silu", lambda x: x / (1 + np.exp(-x)), domain=Domain(-4.0, 4.0))
activation("mish", lambda x: x * np.tanh(np.log1p(np.exp(x))), domain=Domain(-4.0, 4.0))
activation(
    "leaky_relu",
    lambda x, negative_slope=0.01: np.where(x > 0, x, x * negative_slope),
    [Sample(In(2, 3), 0.2), Sample(In(4), negative_slope=-0.5)],
    domain=NONZERO,
)
_HARDTANH_BOOL = refused(In(3), call=_functional("hardtanh"), label="bool", dtypes=("bool",))
activation(
    "hardtanh",
    _hardtanh_ref,
    [
        # torch casts the bounds to an integer input's dtype: -0.5 becomes 0
        Sample(In(7, domain=Domain(-3.0, 3.0, avoid=(-0.5, 2.0))), -0.5, 2.0, dtypes=FLOATS),
        Sample(In(2, 3, domain=Domain(-3.0, 3.0, avoid=(0.0, 1.0))), min_val=0.0, max_val=1.0),
    ],
    domain=Domain(-2.0, 2.0, avoid=(-1.0, 1.0)),
    dtypes=INT_DTYPES,
    refuse=False,
).samples.append(_HARDTANH_BOOL)
activation(
    "relu6",
    lambda x: np.clip(x, 0.0, 6.0),
    domain=Domain(-2.0, 8.0, avoid=(0.0, 6.0)),
    dtypes=INT_DTYPES,
    refuse=False,
).samples.append(refused(In(3), call=_functional("relu6"), label="bool", dtypes=("bool",)))
activation(
    "hardsigmoid",
    lambda x: np.clip(x / 6 + 0.5, 0.0, 1.0),
    domain=Domain(-4.0, 4.0, avoid=(-3.0, 3.0)),
    gradgrad=skip("torch has no derivative for hardsigmoid_backward (raises, as chainrule)"),
)
activation(
    "hardswish",
    lambda x: x * np.clip(x + 3, 0.0, 6.0) / 6,
    domain=Domain(-4.0, 4.0, avoid=(-3.0, 3.0)),
)

# torch.selu / torch.celu: top-level functions too (no Tensor methods)
spec(
    "selu",
    floats_only([Sample(In(2, 3)), Sample(In()), Sample(In(0))]) + [refused_integers(In(3))],
    _selu_ref,
    forms=("function",),
    domain=NONZERO,
    dtypes=_ERROR_DTYPES,
)
spec(
    "celu",
    floats_only([Sample(In(2, 3)), Sample(In(4), 0.5), Sample(In(0))]) + [refused_integers(In(3))],
    _celu_ref,
    forms=("function",),
    domain=NONZERO,
    dtypes=_ERROR_DTYPES,
)
