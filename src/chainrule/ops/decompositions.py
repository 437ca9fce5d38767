"""Matrix decompositions and the functions built on them (torch.linalg).

Primitives with their own rule: inv, det, slogdet, solve, lstsq, pinv, cholesky, qr, eigh
and svd (eigvalsh and svdvals are their first outputs, recorded by the same nodes, as in
torch). matrix_exp, the norms, cond, matrix_power, multi_dot and torch's older names
(torch.svd, torch.qr, ...) live in matrix_functions.py.

Rules count dims from the end and rely on matmul's broadcasting, so batched gradients
(Jacobians) flow through them unchanged: saved factors of shape (..., n, n) broadcast
against gradients of shape (rows, ..., n, n).
"""

from __future__ import annotations

from collections import namedtuple

from .._backend import FLOAT, int64, xp
from .._graph import SavedOutput, grad_state
from .._registry import broadcast_shape, defop, export, record, record_multi, will_record
from .._tensor import Tensor, make
from .joining import cat

__all__ = []


class _LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a decomposition failed on its input (singular, not PD)."""


LinAlgError = _LinAlgError  # torch's class is named _LinAlgError too (it shows in tracebacks)


def _export(name, func, **kw):
    __all__.append(name)
    return export(name, func, **kw)


# --------------------------------------------------------------------------- helpers


def _return_type(name, fields):
    cls = namedtuple(name, fields)
    cls.__module__ = "torch.return_types"

    def __repr__(self):
        parts = ",\n".join(f"{f}={getattr(self, f)!r}" for f in fields)
        return f"torch.return_types.{name}(\n{parts})"

    cls.__repr__ = __repr__
    return cls


SlogdetResult = _return_type("linalg_slogdet", ["sign", "logabsdet"])
OldSlogdetResult = _return_type("slogdet", ["sign", "logabsdet"])
QrResult = _return_type("linalg_qr", ["Q", "R"])
OldQrResult = _return_type("qr", ["Q", "R"])
EighResult = _return_type("linalg_eigh", ["eigenvalues", "eigenvectors"])
SvdResult = _return_type("linalg_svd", ["U", "S", "Vh"])
OldSvdResult = _return_type("svd", ["U", "S", "V"])
LstsqResult = _return_type("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])


def _check_float(name, A):
    if A._dtype.kind != FLOAT:
        raise RuntimeError(
            f"{name}: Expected a floating point or complex tensor as input. "
            f"Got {A._dtype.scalar_name}"
        )


def _check_matrix(name, A, square=True):
    """torch's checks on a (batch of) matrices: at least 2-D, square, floating."""
    if not isinstance(A, Tensor):
        raise TypeError(
            f"{name}(): argument 'input' (position 1) must be Tensor, not {type(A).__name__}"
        )
    shape = A._data.shape
    if len(shape) < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if square and shape[-1] != shape[-2]:
        raise RuntimeError(
            f"{name}: A must be batches of square matrices, but they are {shape[-2]} by "
            f"{shape[-1]} matrices"
        )
    _check_float(name, A)
    return A._data


def _const(t, array):
    """A constant tensor in ``t``'s dtype (masks and identities keep float32 float32)."""
    return make(xp.asarray(array, dtype=t._data.dtype), t._dtype)


def _eye(t, n):
    return _const(t, xp.eye(n))


def _off_diagonal(t, n):
    return _const(t, 1.0 - xp.eye(n))


def _diag_embed(v):
    n = v._data.shape[-1]
    return v.unsqueeze(-1) * _eye(v, n)


def _lower(t, k=0):
    """tril(t, k), as a product with a constant mask."""
    n, m = t._data.shape[-2:]
    return t * _const(t, xp.tri(n, m, k))


def _scalar_grad(g):
    """A gradient with one value per matrix, ready to scale matrices."""
    return g.unsqueeze(-1).unsqueeze(-1)


def _batch_label(batch_index, shape):
    if len(shape) <= 2:
        return ""
    flat = int(xp.ravel_multi_index(batch_index, shape[:-2])) if shape[:-2] else 0
    return f"(Batch element {flat}): "


def _first_zero_pivot(matrix):
    """1-based index of the first zero pivot of LU with partial pivoting (LAPACK getrf)."""
    a = matrix.astype(xp.float64).copy()
    n = a.shape[0]
    for k in range(n):
        p = k + int(xp.argmax(xp.abs(a[k:, k])))
        if a[p, k] == 0:
            return k + 1
        a[[k, p]] = a[[p, k]]
        a[k + 1 :, k:] -= xp.outer(a[k + 1 :, k] / a[k, k], a[k, k:])
    return n


def _singular_error(name, data):
    for index in xp.ndindex(*data.shape[:-2]):
        matrix = data[index]
        try:
            xp.linalg.inv(matrix)
        except xp.linalg.LinAlgError:
            return LinAlgError(
                f"{name}: {_batch_label(index, data.shape)}The diagonal element "
                f"{_first_zero_pivot(matrix)} is zero, the inversion could not be completed "
                "because the input matrix is singular."
            )
    return LinAlgError(f"{name}: The input matrix is singular.")


# --------------------------------------------------------------------------- inv, det, slogdet


def _inv_vjp(node, g):
    (inverse,) = node.saved
    inverse_t = inverse.mT
    return (-(inverse_t @ g @ inverse_t),)


InvNode = defop("LinalgInvExBackward0", _inv_vjp)


def inv(A):
    """The inverse of a square matrix (or of each in a batch).

    >>> inv(tensor([[2., 0.], [0., 4.]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    data = _check_matrix("linalg.inv", A)
    try:
        result = xp.linalg.inv(data)
    except xp.linalg.LinAlgError:
        raise _singular_error("linalg.inv", data) from None
    out = make(result, A._dtype)
    return record(InvNode, out, (A,), (SavedOutput(out),))


def _det_vjp(node, g):
    A, det = node.saved
    if A._data.shape[-1] == 1:  # det of a 1x1 matrix is its entry: g passes, as torch's
        return (_scalar_grad(g),)
    if (det._data == 0).any():  # singular: the adjugate, through the SVD
        return (_scalar_grad(g) * _adjugate_t(A),)
    return (_scalar_grad(g * det) * inv(A).mT,)


def _adjugate_t(A):
    """adj(A)^T = det(U) det(V) U diag(prod_{j != i} s_j) Vh, defined for singular A too."""
    U, S, Vh = _svd_parts(A, False)
    n = S._data.shape[-1]
    others = (S.unsqueeze(-2) * _off_diagonal(S, n) + _eye(S, n)).prod(-1)
    signs = xp.linalg.det(U._data) * xp.linalg.det(Vh._data)
    return _scalar_grad(_const(S, signs)) * (U * others.unsqueeze(-2)) @ Vh


DetNode = defop("LinalgDetBackward0", _det_vjp)


def det(A):
    """The determinant of a square matrix (or of each in a batch)."""
    data = _check_matrix("linalg.det", A)
    out = make(xp.asarray(xp.linalg.det(data), dtype=data.dtype), A._dtype)
    return record(DetNode, out, (A,), (A, SavedOutput(out)))


def _slogdet_vjp(node, grads):
    A, sign = node.saved
    g = grads[1]
    if g is None:
        return (None,)
    if (sign._data == 0).any():  # singular: adj(A)^T / det(A), infinite as in torch
        with xp.errstate(all="ignore"):
            return (
                _scalar_grad(g) * _adjugate_t(A) / _scalar_grad(_const(A, xp.linalg.det(A._data))),
            )
    return (_scalar_grad(g) * inv(A).mT,)


SlogdetNode = defop("LinalgSlogdetBackward0", _slogdet_vjp)


def _slogdet(name, A, result_type):
    data = _check_matrix(name, A)
    sign, logabsdet = xp.linalg.slogdet(data)
    outs = (
        make(xp.asarray(sign, dtype=data.dtype), A._dtype),
        make(xp.asarray(logabsdet, dtype=data.dtype), A._dtype),
    )
    saved = (A, SavedOutput(outs[0], 0))
    return result_type(*record_multi(SlogdetNode, outs, (A,), saved))


def slogdet(A):
    """(sign, log|det|) of a square matrix: the log-determinant without overflow."""
    return _slogdet("linalg.slogdet", A, SlogdetResult)


# --------------------------------------------------------------------------- solve, lstsq


def _solve_vjp(node, g):
    A, X = node.saved
    vector, left = node._args
    if not left:  # X A = B: gB = g A^-T, gA = -X^T gB
        gB = _solve_matrix(A, g.mT).mT
        gA = -(X.mT @ gB) if node.needs_input_grad(0) else None
        return (gA, gB if node.needs_input_grad(1) else None)
    if vector:
        gB = _solve_matrix(A.mT, g.unsqueeze(-1)).squeeze(-1)
    else:
        gB = _solve_matrix(A.mT, g)
    if not node.needs_input_grad(0):
        return (None, gB)
    if vector:
        gA = -(gB.unsqueeze(-1) * X.unsqueeze(-2))
    else:
        gA = -(gB @ X.mT)
    return (gA, gB if node.needs_input_grad(1) else None)


SolveNode = defop("LinalgSolveExBackward0", _solve_vjp)


def _solve_matrix(A, B):
    return _solve(A, B, False, True)


def solve(A, B, *, left=True):
    """X with A @ X = B (B a matrix or a vector; batches broadcast); left=False: X @ A = B."""
    a = _check_matrix("linalg.solve", A)
    b = B._data
    vector = left and (b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1]))
    rows = b.shape[-1] if vector or not left else b.shape[-2]
    if rows != a.shape[-1]:
        cols = 1 if vector else b.shape[-1]
        raise RuntimeError(
            "linalg.solve: Incompatible shapes of A and B for the equation "
            f"{'AX = B' if left else 'XA = B'} ({a.shape[-2]}x{a.shape[-1]} and {rows}x{cols})"
        )
    if A._dtype is not B._dtype:
        raise RuntimeError(
            f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{A._dtype.scalar_name} and B of type {B._dtype.scalar_name} instead"
        )
    return _solve(A, B, vector, left)


def _solve(A, B, vector, left):
    a, b = A._data, B._data
    if not left:
        a, b = xp.swapaxes(a, -1, -2), xp.swapaxes(b, -1, -2)
    rhs = b[..., None] if vector else b
    batch = broadcast_shape(a.shape[:-2], rhs.shape[:-2])
    try:
        result = xp.linalg.solve(
            xp.broadcast_to(a, batch + a.shape[-2:]), xp.broadcast_to(rhs, batch + rhs.shape[-2:])
        )
    except xp.linalg.LinAlgError:
        raise LinAlgError(
            "torch.linalg.solve: The solver failed because the input matrix is singular."
        ) from None
    result = result[..., 0] if vector else result
    out = make(result if left else xp.swapaxes(result, -1, -2), A._dtype)
    shapes = (
        A._data.shape if A._data.shape[:-2] != batch else None,
        B._data.shape if B._data.shape != out._data.shape else None,
    )
    shapes = shapes if any(s is not None for s in shapes) else None
    return record(SolveNode, out, (A, B), (A, SavedOutput(out)), (vector, left), shapes)


def _pinv_grad(A, P, gP):
    """The VJP of P = pinv(A) (constant rank): three terms, written with chainrule ops."""
    m, n = A._data.shape[-2:]
    PT = P.mT
    gA = -(PT @ gP @ PT)
    gA = gA + (_eye(A, m) - A @ P) @ gP.mT @ (P @ PT)
    return gA + (PT @ P) @ gP.mT @ (_eye(A, n) - P @ A)


def _pinv_vjp(node, g):
    A, P = node.saved
    return (_pinv_grad(A, P, g),)


PinvNode = defop("LinalgPinvBackward0", _pinv_vjp)


def pinv(A, *, atol=None, rtol=None, hermitian=False):
    """The Moore-Penrose pseudo-inverse, through the SVD.

    Singular values below ``max(atol, rtol * largest)`` are treated as zero (by default
    rtol is eps * max(m, n), as in torch).
    """
    data = _check_matrix("linalg.pinv", A, square=False)
    m, n = data.shape[-2:]
    if rtol is None:
        rtol = xp.finfo(data.dtype).eps * max(m, n) if atol is None or atol == 0 else 0.0
    u, s, vh = xp.linalg.svd(data, full_matrices=False)
    top = s[..., :1] if s.shape[-1] else s
    cutoff = xp.maximum(atol or 0.0, rtol * top)
    keep = s > cutoff
    with xp.errstate(divide="ignore"):
        s_inv = xp.where(keep, 1 / xp.where(keep, s, 1), 0).astype(data.dtype)
    result = (xp.swapaxes(vh, -1, -2) * s_inv[..., None, :]) @ xp.swapaxes(u, -1, -2)
    out = make(result.astype(data.dtype), A._dtype)
    return record(PinvNode, out, (A,), (A, SavedOutput(out)))


def _lstsq_vjp(node, grads):
    A, B, X = node.saved
    gX = grads[0]
    if gX is None:
        return (None, None)
    P = pinv(A)
    gA = _pinv_grad(A, P, gX @ B.mT) if node.needs_input_grad(0) else None
    gB = P.mT @ gX if node.needs_input_grad(1) else None
    return (gA, gB)


LstsqNode = defop("LinalgLstsqBackward0", _lstsq_vjp)


def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares solution of A @ X = B (torch's default CPU driver, gelsy: no
    residuals and no singular values are returned, only the numerical rank)."""
    a = _check_matrix("linalg.lstsq", A, square=False)
    b = B._data
    vector = b.ndim == a.ndim - 1
    rhs = b[..., None] if vector else b
    pseudo = xp.linalg.pinv(a)
    solution = pseudo @ rhs
    if vector:
        solution = solution[..., 0]
    rank = xp.linalg.matrix_rank(a) if a.size else xp.zeros(a.shape[:-2], dtype=xp.int64)
    empty = xp.zeros((0,), dtype=a.dtype)
    outs = (
        make(solution.astype(a.dtype), A._dtype),
        make(empty, A._dtype),
        make(xp.asarray(rank, dtype=xp.int64), int64),
        make(empty.copy(), A._dtype),
    )
    saved = (A, B, SavedOutput(outs[0]))
    return LstsqResult(
        *record_multi(LstsqNode, outs, (A, B), saved, None, (True, True, False, False))
    )


# --------------------------------------------------------------------------- cholesky


def _cholesky_vjp(node, g):
    (L,) = node.saved
    upper = node._args
    if upper:
        L, g = L.mT, g.mT
    n = L._data.shape[-1]
    phi = _lower(L.mT @ g) * _const(L, 1.0 - 0.5 * xp.eye(n))
    L_inv = inv(L)
    gA = L_inv.mT @ phi @ L_inv
    return (0.5 * (gA + gA.mT),)


CholeskyNode = defop("LinalgCholeskyExBackward0", _cholesky_vjp)
OldCholeskyNode = defop("CholeskyBackward0", _cholesky_vjp)


def _cholesky(A, upper, node_cls):
    data = _check_matrix("linalg.cholesky", A)
    try:
        lower = xp.linalg.cholesky(data)
    except xp.linalg.LinAlgError:
        raise _not_pd_error(data) from None
    result = xp.swapaxes(lower, -1, -2).copy() if upper else lower
    out = make(result, A._dtype)
    return record(node_cls, out, (A,), (SavedOutput(out),), bool(upper))


def _not_pd_error(data):
    for index in xp.ndindex(*data.shape[:-2]):
        matrix = data[index]
        for order in range(1, matrix.shape[-1] + 1):
            try:
                xp.linalg.cholesky(matrix[:order, :order])
            except xp.linalg.LinAlgError:
                return LinAlgError(
                    f"linalg.cholesky: {_batch_label(index, data.shape)}The factorization could "
                    "not be completed because the input is not positive-definite (the leading "
                    f"minor of order {order} is not positive-definite)."
                )
    return LinAlgError("linalg.cholesky: The input is not positive-definite.")


def cholesky(A, *, upper=False):
    """L with A = L @ L.mT for a symmetric positive-definite A (only its lower half is read)."""
    return _cholesky(A, upper, CholeskyNode)


# --------------------------------------------------------------------------- qr


def _copyltu(M):
    """The symmetric matrix whose lower triangle (with the diagonal) is M's."""
    return _lower(M) + _lower(M, -1).mT


def _qr_tall_grad(Q, R, gQ, gR):
    """The VJP of reduced QR for m >= n: gA = (gQ + Q copyltu(M)) R^-T, M = R gR^T - gQ^T Q."""
    if gR is not None:
        M = R @ gR.mT
        if gQ is not None:
            M = M - gQ.mT @ Q
    else:
        M = -(gQ.mT @ Q)
    base = Q @ _copyltu(M)
    if gQ is not None:
        base = base + gQ
    return base @ inv(R).mT


def _qr_vjp(node, grads):
    Q, R = node.saved
    mode, m, n = node._args
    gQ, gR = grads
    if mode == "r":
        raise RuntimeError(
            "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
            "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
            "linalg.qr."
        )
    if mode == "complete" and m > n:
        raise RuntimeError(
            "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
        )
    if m >= n:
        return (_qr_tall_grad(Q, R, gQ, gR),)
    # wide: A = [X | Y] with X = Q R1 square and Y = Q R2
    R1, R2 = R.narrow(-1, 0, m), R.narrow(-1, m, n - m)
    gR1 = gR.narrow(-1, 0, m) if gR is not None else None
    gR2 = gR.narrow(-1, m, n - m) if gR is not None else None
    Y = Q @ R2
    if gR2 is not None:
        gQ = Y @ gR2.mT if gQ is None else gQ + Y @ gR2.mT
    gX = _qr_tall_grad(Q, R1, gQ, gR1)
    if gR2 is not None:
        gY = Q @ gR2
    else:
        gY = _const(gX, xp.zeros(gX._data.shape[:-1] + (n - m,)))
    return (cat([gX, gY.expand(gX._data.shape[:-1] + (n - m,))], -1),)


QrNode = defop("LinalgQrBackward0", _qr_vjp)


def _qr(A, mode, result_type):
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' "
            "(default), 'r', or 'complete'"
        )
    data = _check_matrix("linalg.qr", A, square=False)
    m, n = data.shape[-2:]
    q, r = xp.linalg.qr(data, mode="complete" if mode == "complete" else "reduced")
    if mode == "r":
        q = xp.zeros((0,), dtype=data.dtype)
    outs = (make(q, A._dtype), make(r, A._dtype))
    saved = (SavedOutput(outs[0], 0), SavedOutput(outs[1], 1))
    return result_type(*record_multi(QrNode, outs, (A,), saved, (mode, m, n)))


def qr(A, mode="reduced"):
    """A = Q @ R with orthonormal Q and upper-triangular R (mode reduced, complete or r)."""
    return _qr(A, mode, QrResult)


# --------------------------------------------------------------------------- eigh


def _reciprocal_gaps(values):
    """F[i, j] = 1 / (values[j] - values[i]) off the diagonal, 0 on it (inf for ties)."""
    n = values._data.shape[-1]
    gaps = values.unsqueeze(-2) - values.unsqueeze(-1)
    return _off_diagonal(values, n) / (gaps + _eye(values, n))


def _ignoring_float_errors(rule):
    """Ties (repeated eigen/singular values) make inf/nan gradients, as in torch, silently."""

    def quiet(node, grads):
        with xp.errstate(all="ignore"):
            return rule(node, grads)

    return quiet


@_ignoring_float_errors
def _eigh_vjp(node, grads):
    w, V = node.saved
    gw, gV = grads
    inner = None
    if gV is not None:
        inner = _reciprocal_gaps(w) * (V.mT @ gV)
    if gw is not None:
        inner = _diag_embed(gw) if inner is None else inner + _diag_embed(gw)
    gA = V @ inner @ V.mT
    return (gA,)


EighNode = defop("LinalgEighBackward0", _eigh_vjp)


def eigh(A, UPLO="L"):
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix.

    Only the triangle named by UPLO is read. Gradients are inf/nan where eigenvalues repeat.
    """
    data = _check_matrix("linalg.eigh", A)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    w, v = xp.linalg.eigh(data, UPLO=UPLO)
    outs = (make(w, A._dtype), make(v, A._dtype))
    saved = (SavedOutput(outs[0], 0), SavedOutput(outs[1], 1))
    return EighResult(*record_multi(EighNode, outs, (A,), saved))


def eigvalsh(A, UPLO="L"):
    """The eigenvalues (ascending) of a symmetric matrix."""
    data = _check_matrix("linalg.eigvalsh", A)
    if not will_record(A):
        return make(xp.linalg.eigvalsh(data, UPLO=UPLO), A._dtype)
    return eigh(A, UPLO)[0]


def _grad_enabled():
    return grad_state.enabled


# --------------------------------------------------------------------------- svd


@_ignoring_float_errors
def _svd_vjp(node, grads):
    U, S, Vh = node.saved
    full, m, n = node._args
    gU, gS, gVh = grads
    k = min(m, n)
    if full and m != n:  # only the first k singular vectors carry information
        U, Vh = U.narrow(-1, 0, k), Vh.narrow(-2, 0, k)
        gU = gU.narrow(-1, 0, k) if gU is not None else None
        gVh = gVh.narrow(-2, 0, k) if gVh is not None else None
    if gU is None and gVh is None:
        return ((U * gS.unsqueeze(-2)) @ Vh,)
    squares = S * S
    F = _reciprocal_gaps(squares)
    inner = _diag_embed(gS) if gS is not None else None
    if gU is not None:
        UtgU = U.mT @ gU
        term = (F * (UtgU - UtgU.mT)) * S.unsqueeze(-2)
        inner = term if inner is None else inner + term
    if gVh is not None:
        VtgV = Vh @ gVh.mT
        term = S.unsqueeze(-1) * (F * (VtgV - VtgV.mT))
        inner = term if inner is None else inner + term
    gA = U @ inner @ Vh
    if m > k and gU is not None:
        gA = gA + ((gU - U @ (U.mT @ gU)) / S.unsqueeze(-2)) @ Vh
    if n > k and gVh is not None:
        gA = gA + (U / S.unsqueeze(-2)) @ (gVh - (gVh @ Vh.mT) @ Vh)
    return (gA,)


SvdNode = defop("LinalgSvdBackward0", _svd_vjp)


def _svd_parts(A, full_matrices, name="linalg.svd"):
    data = _check_matrix(name, A, square=False)
    m, n = data.shape[-2:]
    u, s, vh = xp.linalg.svd(data, full_matrices=full_matrices)
    outs = (make(u, A._dtype), make(s, A._dtype), make(vh, A._dtype))
    saved = tuple(SavedOutput(out, i) for i, out in enumerate(outs))
    return record_multi(SvdNode, outs, (A,), saved, (bool(full_matrices), m, n))


def svd(A, full_matrices=True, *, driver=None):
    """A = U @ diag(S) @ Vh, singular values descending. Gradients through U or Vh are
    inf/nan where singular values repeat."""
    return SvdResult(*_svd_parts(A, full_matrices))


def svdvals(A, *, driver=None):
    """The singular values, descending."""
    data = _check_matrix("linalg.svd", A, square=False)
    if not will_record(A):
        return make(xp.linalg.svd(data, compute_uv=False), A._dtype)
    return _svd_parts(A, False)[1]


# --------------------------------------------------------------------------- the table

_SVD = ("LinalgSvdBackward0",)
# what torch.linalg holds, for the public namespace module (chainrule.linalg)
LINALG = {}


def export_linalg(name, func, grad_fns):
    """Register torch.linalg.<name> (a namespaced function: no torch.<name>, no method)."""
    _export(f"linalg.{name}", func, function=False, method=False, grad_fns=grad_fns)
    LINALG[name] = func


for _name, _func, _grad_fns in (
    ("inv", inv, ("LinalgInvExBackward0",)),
    ("det", det, ("LinalgDetBackward0",)),
    ("slogdet", slogdet, ("LinalgSlogdetBackward0",)),
    ("solve", solve, ("LinalgSolveExBackward0",)),
    ("lstsq", lstsq, ("LinalgLstsqBackward0",)),
    ("pinv", pinv, ("LinalgPinvBackward0",)),
    ("cholesky", cholesky, ("LinalgCholeskyExBackward0",)),
    ("qr", qr, ("LinalgQrBackward0",)),
    ("eigh", eigh, ("LinalgEighBackward0",)),
    ("eigvalsh", eigvalsh, ("LinalgEighBackward0",)),
    ("svd", svd, _SVD),
    ("svdvals", svdvals, _SVD),
):
    export_linalg(_name, _func, _grad_fns)
