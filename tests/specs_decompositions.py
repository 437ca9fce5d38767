"""Op specs of the ops/decompositions.py family (see op_specs.py for the table's vocabulary).

The torch.linalg ops are registered under names like "linalg.inv" (no torch.<name> function
and no method), so their samples call them through ``call=``. Matrices are drawn well
conditioned (a random matrix plus a multiple of the identity); symmetric ops (eigh,
cholesky) get A @ A.mT + n I built inside the call, so that central differences perturb a
symmetric input as the decomposition sees it.
"""

import warnings

import numpy as np
from op_specs import Const, Domain, In, Sample, spec


class WellConditioned(Domain):
    """Uniform values plus ``shift`` times the identity on the last two (square) dims."""

    def __init__(self, shift=3.0, **kw):
        super().__init__(**kw)
        self.shift = shift

    def __call__(self, rng, shape, dtype):
        values = super().__call__(rng, shape, dtype)
        if dtype in ("float64", "float32") and len(shape) >= 2 and shape[-1] == shape[-2]:
            values = values + (self.shift * np.eye(shape[-1])).astype(dtype)
        return values


WELL = WellConditioned()
# matrix 1 / inf norms: no entry near 0 (|x| kink), spread so column/row sums do not tie
SPREAD = WellConditioned(0.0, lo=0.3, hi=2.0, distinct=True)
LINALG = {"forms": (), "domain": WELL}


def _call(name, **kw):
    """A call through lib.linalg.<name>."""
    return lambda lib, *args: getattr(lib.linalg, name)(*args, **kw)


def _spd(lib, a):
    n = a.shape[-1]
    return a @ a.mT + n * lib.eye(n, dtype=a.dtype)


def _quiet(f):
    """Calls of torch's deprecated forms: they warn once per process, so not comparable."""

    def call(lib, *args):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return f(lib, *args)

    return call


def _samples(name, shapes, **kw):
    return [Sample(*[In(*s) for s in shape], call=_call(name, **kw)) for shape in shapes]


# singular vectors are unique up to sign: for wide matrices the LAPACK builds under NumPy
# and torch pick different signs (square and tall ones agree)
WIDE_SKIP = {"torch": "singular vectors of wide matrices: LAPACK builds differ in sign"}
# full_matrices: the extra singular vectors (an arbitrary basis of the complement) are not
# differentiated, as in torch, so central differences see a change the gradient leaves out
FULL_SKIP = {"gradcheck": "the complement basis of full_matrices is not differentiated"}

# inputs torch refuses: only the error type is compared (the messages were checked by hand)
ERROR = {
    c: "torch raises for this input" for c in ("forward", "views", "saved", "strided", "float32")
}
# repeated eigenvalues / singular values: gradients through the vectors are nan, as in torch
TIES = {
    c: "repeated eigenvalues: the vectors' gradient is nan"
    for c in ("gradcheck", "gradgrad", "batched", "strided")
}
_SINGULAR = [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 1.0, 1.0]]

SQUARE = [((3, 3),), ((2, 3, 3),), ((1, 1),)]

# --------------------------------------------------------------------------- inverse, det, solve

spec(
    "linalg.inv",
    _samples("inv", SQUARE)
    + [
        Sample(Const(_SINGULAR), call=_call("inv"), label="singular", skip=ERROR),
        Sample(Const(np.ones((2, 3))), call=_call("inv"), label="not square", skip=ERROR),
        Sample(Const(np.ones(3)), call=_call("inv"), label="1-D", skip=ERROR),
    ],
    np.linalg.inv,
    **LINALG,
)
spec("linalg.det", _samples("det", SQUARE), np.linalg.det, **LINALG)
spec(
    "linalg.slogdet",
    _samples("slogdet", SQUARE)
    + [Sample(In(3, 3, domain=Domain()), call=_call("slogdet"), label="any sign")],
    lambda a: np.linalg.slogdet(a),
    **LINALG,
)
spec(
    "linalg.solve",
    [
        Sample(In(3, 3), In(3, 2), call=_call("solve"), label="matrix"),
        Sample(In(3, 3), In(3), call=_call("solve"), label="vector"),
        Sample(In(2, 3, 3), In(3, 2), call=_call("solve"), label="batch broadcast"),
        Sample(In(3, 3), In(2, 3, 1), call=_call("solve"), label="B batch"),
        Sample(In(3, 3), In(2, 3), call=_call("solve", left=False), label="left=False"),
    ],
    None,
    **LINALG,
)
spec(
    "linalg.lstsq",
    [
        Sample(In(4, 2), In(4, 3), call=lambda lib, a, b: lib.linalg.lstsq(a, b).solution),
        Sample(In(3, 3), In(3, 2), call=_call("lstsq"), label="square, all outputs"),
        Sample(In(2, 4, 2), In(2, 4, 1), call=lambda lib, a, b: lib.linalg.lstsq(a, b)[0]),
    ],
    None,
    **LINALG,
)
spec(
    "linalg.pinv",
    _samples("pinv", [((3, 3),), ((4, 2),), ((2, 2, 3),)]),
    np.linalg.pinv,
    **LINALG,
)
spec("linalg.matrix_exp", _samples("matrix_exp", SQUARE + [((0, 0),)]), None, **LINALG)
spec(
    "linalg.matrix_power",
    [Sample(In(3, 3), n, call=_call("matrix_power"), label=f"n={n}") for n in (2, 3, 1, -2)]
    + [
        Sample(In(2, 3, 3), 3, call=_call("matrix_power"), label="batch n=3"),
        Sample(
            In(3, 3),
            0,
            call=_call("matrix_power"),
            label="n=0",
            skip={"saved": "grad is zero; nothing to compare"},
        ),
    ],
    lambda a, n: np.linalg.matrix_power(a, n),
    **LINALG,
)
spec(
    "linalg.multi_dot",
    [
        Sample(In(2, 3), In(3, 4), call=lambda lib, a, b: lib.linalg.multi_dot([a, b])),
        Sample(In(3), In(3, 3), In(3), call=lambda lib, *ts: lib.linalg.multi_dot(list(ts))),
        Sample(In(2, 3), In(3, 3), In(3, 2), call=lambda lib, *ts: lib.linalg.multi_dot(ts)),
        Sample(
            Const(np.ones((2, 3))),
            Const(np.ones((4, 2))),
            call=lambda lib, *ts: lib.linalg.multi_dot(ts),
            label="shapes",
            skip=ERROR,
        ),
    ],
    lambda *ts: np.linalg.multi_dot(ts),
    **LINALG,
)

# --------------------------------------------------------------------------- decompositions

spec(
    "linalg.cholesky",
    [
        Sample(In(3, 3), call=lambda lib, a: lib.linalg.cholesky(_spd(lib, a)), label="spd"),
        Sample(In(2, 3, 3), call=lambda lib, a: lib.linalg.cholesky(_spd(lib, a)), label="batch"),
        Sample(
            In(3, 3),
            call=lambda lib, a: lib.linalg.cholesky(_spd(lib, a), upper=True),
            label="upper",
        ),
        Sample(Const(_SINGULAR), call=_call("cholesky"), label="not PD", skip=ERROR),
    ],
    None,
    **LINALG,
)
spec(
    "linalg.qr",
    _samples("qr", [((3, 3),), ((4, 2),), ((2, 4),), ((2, 3, 2),)])
    + _samples("qr", [((3, 3),), ((2, 3),)], mode="complete")
    + [
        Sample(
            In(3, 2),
            call=_call("qr", mode="r"),
            label="mode=r",
            skip={
                "gradcheck": "no derivative in mode r",
                "gradgrad": "no derivative in mode r",
                "batched": "no derivative in mode r",
                "float32": "no derivative in mode r",
                "strided": "no derivative in mode r",
            },
        ),
    ],
    None,
    **LINALG,
)
spec(
    "linalg.eigh",
    [
        Sample(In(3, 3), call=lambda lib, a: lib.linalg.eigh(_spd(lib, a)), label="spd"),
        Sample(In(2, 3, 3), call=lambda lib, a: lib.linalg.eigh(_spd(lib, a)), label="batch"),
        Sample(In(3, 3), call=lambda lib, a: lib.linalg.eigh(a + a.mT, "U"), label="UPLO=U"),
        Sample(
            In(values=np.eye(3)),
            call=lambda lib, a: lib.linalg.eigh(a + a.mT),
            label="repeated",
            skip=TIES,
        ),
    ],
    None,
    **LINALG,
)
spec(
    "linalg.eigvalsh",
    [
        Sample(In(3, 3), call=lambda lib, a: lib.linalg.eigvalsh(_spd(lib, a)), label="spd"),
        Sample(In(2, 3, 3), call=lambda lib, a: lib.linalg.eigvalsh(a + a.mT), label="batch"),
    ],
    None,
    **LINALG,
)
spec(
    "linalg.svd",
    _samples("svd", [((3, 3),), ((2, 3, 3),)])
    + _samples("svd", [((4, 2),), ((2, 3, 2),)], full_matrices=False)
    + [
        Sample(In(2, 4), call=_call("svd", full_matrices=False), label="wide", skip=WIDE_SKIP),
        Sample(In(4, 2), call=_call("svd"), label="full tall", skip=FULL_SKIP),
    ],
    None,
    **LINALG,
)
spec(
    "linalg.svdvals",
    _samples("svdvals", [((3, 3),), ((4, 2),), ((2, 2, 3),)]),
    lambda a: np.linalg.svd(a, compute_uv=False),
    **LINALG,
)

# --------------------------------------------------------------------------- norms


def _matrix_norm_samples():
    samples = []
    for ord in ("fro", "nuc", 2, -2):
        samples.append(Sample(In(3, 3), call=_call("matrix_norm", ord=ord), label=f"ord={ord}"))
    for ord in (1, -1, float("inf"), -float("inf")):
        samples.append(
            Sample(In(3, 3, domain=SPREAD), call=_call("matrix_norm", ord=ord), label=f"ord={ord}")
        )
    samples.append(Sample(In(2, 3, 4), call=_call("matrix_norm", ord=2), label="batch ord=2"))
    samples.append(
        Sample(Const(np.eye(3)), call=_call("matrix_norm", ord=3), label="ord=3", skip=ERROR)
    )
    samples.append(
        Sample(In(2, 4, 3), call=_call("matrix_norm", ord="nuc", dim=(0, 2)), label="dim=(0,2)")
    )
    return samples


spec(
    "linalg.matrix_norm",
    _matrix_norm_samples(),
    None,
    **LINALG,
)
spec(
    "linalg.vector_norm",
    [
        Sample(In(3, 4), call=_call("vector_norm"), label="all"),
        Sample(In(3, 4), call=_call("vector_norm", ord=3, dim=1), label="ord=3,dim=1"),
        Sample(In(3, 4), call=_call("vector_norm", ord=1, dim=(0, 1), keepdim=True)),
    ],
    None,
    forms=(),
    domain=Domain(avoid=(0.0,), margin=0.2),
)
spec(
    "linalg.norm",
    [
        Sample(In(3, 4), call=_call("norm"), label="default"),
        Sample(In(4), call=_call("norm", ord=3), label="vector ord=3"),
        Sample(In(3, 3), call=_call("norm", ord="nuc"), label="nuc"),
        Sample(In(3, 3), call=_call("norm", ord=2), label="matrix ord=2"),
        Sample(In(2, 3, 3), call=_call("norm", dim=(-2, -1)), label="fro dims"),
        Sample(In(2, 3, 3), call=_call("norm", ord=-2, dim=(1, 2)), label="ord=-2 dims"),
    ],
    None,
    **LINALG,
)
spec(
    "linalg.cond",
    [
        Sample(In(3, 3), call=_call("cond"), label="default"),
        Sample(In(2, 3, 3), call=_call("cond", p=-2), label="p=-2"),
        Sample(In(4, 2), call=_call("cond", p=2), label="tall"),
    ],
    None,
    **LINALG,
)

# --------------------------------------------------------------------------- torch.* and methods

ALIAS = {"domain": WELL}
spec("inverse", [Sample(In(3, 3)), Sample(In(2, 2, 2))], np.linalg.inv, **ALIAS)
spec("det", [Sample(In(3, 3)), Sample(In(2, 2, 2))], np.linalg.det, **ALIAS)
spec(
    "logdet",
    [
        Sample(In(3, 3)),
        Sample(In(2, 2, 2)),
        Sample(
            In(3, 3, values=-np.eye(3)),
            label="negative det",
            dtypes=("float64",),
            skip={c: "nan output: central differences are nan" for c in ("gradcheck", "gradgrad")},
        ),
    ],
    lambda a: np.where(np.linalg.det(a) < 0, np.nan, np.linalg.slogdet(a)[1]),
    **ALIAS,
)
spec("slogdet", [Sample(In(3, 3)), Sample(In(2, 2, 2))], np.linalg.slogdet, **ALIAS)
spec("pinverse", [Sample(In(3, 3)), Sample(In(4, 2))], np.linalg.pinv, **ALIAS)
spec(
    "matrix_power",
    [Sample(In(3, 3), 3), Sample(In(2, 2, 2), 2), Sample(In(3, 3), -1)],
    np.linalg.matrix_power,
    **ALIAS,
)
spec("matrix_exp", [Sample(In(3, 3)), Sample(In(2, 2, 2))], None, **ALIAS)
spec(
    "cholesky",
    [
        Sample(In(3, 3), call=_quiet(lambda lib, a: lib.cholesky(_spd(lib, a))), label="fn"),
        Sample(
            In(3, 3),
            call=_quiet(lambda lib, a: _spd(lib, a).cholesky(upper=True)),
            label="method upper",
        ),
    ],
    None,
    **ALIAS,
)
spec(
    "qr",
    [
        Sample(In(3, 2), call=_quiet(lambda lib, a: lib.qr(a)), label="fn"),
        Sample(In(3, 3), call=_quiet(lambda lib, a: a.qr(some=False)), label="method"),
    ],
    None,
    **ALIAS,
)
spec(
    "svd",
    [
        Sample(In(3, 3)),
        Sample(In(4, 2)),
        Sample(In(3, 2), some=False, skip=FULL_SKIP),
        Sample(In(2, 3, 3), compute_uv=False),
    ],
    None,
    **ALIAS,
)
