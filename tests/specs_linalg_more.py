"""Op specs of ops/linalg_more.py (and, imported below, ops/indexing_more.py).

Triangular and Cholesky inputs are drawn well conditioned (WELL adds 3 I to square
matrices). Cholesky factors are taken as ``tril`` of such a matrix inside the call: torch
(and chainrule) give the gradient of a factor as a full matrix (as if every entry entered
A = L L^T), while the forward reads one triangle, so central differences only agree on the
triangle that ``tril`` keeps.
"""

import warnings

import numpy as np
import specs_indexing_more  # noqa: F401
from op_specs import In, Sample, spec
from specs_decompositions import LINALG


def _call(name, **kw):
    return lambda lib, *args: getattr(lib.linalg, name)(*args, **kw)


def _tri(a, upper, unit=False):
    t = np.triu(a) if upper else np.tril(a)
    if unit:
        t = (
            t
            - np.diagonal(t, axis1=-2, axis2=-1)[..., None] * np.eye(a.shape[-1])
            + np.eye(a.shape[-1])
        )
    return t


def _solve_triangular_ref(a, b, upper, left=True, unit=False):
    t = _tri(a, upper, unit)
    if left:
        return np.linalg.solve(t, b)
    return np.swapaxes(np.linalg.solve(np.swapaxes(t, -1, -2), np.swapaxes(b, -1, -2)), -1, -2)


def _st(upper, left=True, unit=False):
    return Sample(
        In(3, 3),
        In(3, 2) if left else In(2, 3),
        call=_call("solve_triangular", upper=upper, left=left, unitriangular=unit),
        ref=lambda a, b: _solve_triangular_ref(a, b, upper, left, unit),
        label=f"upper={upper},left={left},unit={unit}",
    )


spec(
    "linalg.solve_triangular",
    [
        _st(True),
        _st(False),
        _st(True, left=False),
        _st(False, unit=True),
        Sample(
            In(2, 3, 3),
            In(3, 1),
            call=_call("solve_triangular", upper=True),
            ref=lambda a, b: _solve_triangular_ref(a, b, True),
            label="batch broadcast",
        ),
    ],
    **LINALG,
)


def _triangular_solve(lib, b, a, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lib.triangular_solve(b, a, **kw)


spec(
    "triangular_solve",
    [
        Sample(
            In(3, 2),
            In(3, 3),
            call=_triangular_solve,
            ref=lambda b, a: (_solve_triangular_ref(a, b, True), a),
        ),
        Sample(
            In(2, 3, 2),
            In(3, 3),
            call=lambda lib, b, a: _triangular_solve(lib, b, a, upper=False, transpose=True),
            ref=lambda b, a: (
                np.linalg.solve(_tri(a, False).T, b),
                np.broadcast_to(a, b.shape[:-2] + a.shape),
            ),
            label="lower transposed",
        ),
    ],
    **LINALG,
)


def _chol_ref(b, a, upper=False):
    t = _tri(a, upper)
    m = t.swapaxes(-1, -2) @ t if upper else t @ t.swapaxes(-1, -2)
    return np.linalg.solve(m, b)


spec(
    "cholesky_solve",
    [
        Sample(
            In(3, 2),
            In(3, 3),
            call=lambda lib, b, low: lib.cholesky_solve(b, low.tril()),
            ref=_chol_ref,
            label="lower",
        ),
        Sample(
            In(2, 3, 1),
            In(3, 3),
            call=lambda lib, b, u: lib.cholesky_solve(b, u.triu(), upper=True),
            ref=lambda b, a: _chol_ref(b, a, True),
            label="upper, batch",
        ),
    ],
    **LINALG,
)
spec(
    "cholesky_inverse",
    [
        Sample(
            In(3, 3),
            call=lambda lib, low: lib.cholesky_inverse(low.tril()),
            ref=lambda a: np.linalg.inv(_tri(a, False) @ _tri(a, False).T),
        ),
        Sample(
            In(2, 2, 2),
            call=lambda lib, u: lib.cholesky_inverse(u.triu(), upper=True),
            ref=lambda a: np.linalg.inv(np.swapaxes(_tri(a, True), -1, -2) @ _tri(a, True)),
            label="upper, batch",
        ),
    ],
    **LINALG,
)

# LU: checked against torch (values, pivots, gradients) and by central differences
_RECT = {
    c: "LU gradients of non-square matrices are not implemented"
    for c in ("gradcheck", "gradgrad", "batched", "torch", "strided", "float32", "saved", "views")
}
spec(
    "linalg.lu_factor",
    [
        Sample(In(3, 3), call=_call("lu_factor")),
        Sample(In(2, 4, 4), call=_call("lu_factor"), label="batch"),
    ],
    **LINALG,
)
spec(
    "linalg.lu",
    [
        Sample(In(3, 3), call=_call("lu")),
        Sample(In(2, 3, 3), call=_call("lu"), label="batch"),
        Sample(In(4, 2), call=_call("lu"), label="tall", skip=_RECT),
    ],
    **LINALG,
)
spec(
    "linalg.lu_solve",
    [
        Sample(
            In(3, 3),
            In(3, 2),
            call=lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b),
            ref=np.linalg.solve,
        ),
        Sample(
            In(2, 3, 3),
            In(2, 3, 1),
            call=lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b, adjoint=True),
            ref=lambda a, b: np.linalg.solve(np.swapaxes(a, -1, -2), b),
            label="adjoint",
        ),
        Sample(
            In(3, 3),
            In(2, 3),
            call=lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b, left=False),
            ref=lambda a, b: np.linalg.solve(a.T, b.T).T,
            label="left=False",
        ),
    ],
    **LINALG,
)
spec(
    "linalg.vander",
    [
        Sample(In(3), call=_call("vander"), ref=lambda x: np.vander(x, increasing=True)),
        Sample(
            In(2, 3),
            call=_call("vander", N=4),
            ref=lambda x: x[..., None] ** np.arange(4),
            label="batch, N=4",
        ),
    ],
    forms=(),
)
spec(
    "linalg.cross",
    [
        Sample(In(3), In(3), call=_call("cross"), ref=np.cross),
        Sample(In(2, 3), In(1, 3), call=_call("cross"), ref=np.cross, label="broadcast"),
        Sample(
            In(3, 2),
            In(3, 2),
            call=_call("cross", dim=0),
            ref=lambda a, b: np.cross(a, b, axis=0),
            label="dim=0",
        ),
    ],
    forms=(),
)
spec(
    "linalg.vecdot",
    [
        Sample(In(3), In(3), call=_call("vecdot"), ref=lambda a, b: (a * b).sum(-1)),
        Sample(In(2, 3), In(3), call=_call("vecdot"), ref=lambda a, b: (a * b).sum(-1)),
        Sample(
            In(2, 3),
            In(2, 1),
            call=_call("vecdot", dim=0),
            ref=lambda a, b: (a * b).sum(0),
            label="dim=0",
        ),
    ],
    forms=(),
)
spec(
    "linalg.householder_product",
    [
        Sample(In(4, 2), In(2), call=_call("householder_product")),
        Sample(In(2, 3, 3), In(2, 2), call=_call("householder_product"), label="batch"),
    ],
    forms=(),
)


def _inv_ex(lib, a):
    return lib.linalg.inv_ex(a).inverse


spec(
    "linalg.inv_ex",
    [Sample(In(3, 3), call=_inv_ex), Sample(In(2, 3, 3), call=_inv_ex, label="batch")],
    np.linalg.inv,
    **LINALG,
)
