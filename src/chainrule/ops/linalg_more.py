"""More linear algebra: triangular and Cholesky solves, LU, vander, cross, vecdot, Householder.

Primitives (solve_triangular, cholesky_solve, cholesky_inverse, lu_factor / lu) have rules
written with chainrule ops. The others are compositions; where torch shows one node of its
own (``CholeskySolveBackward0``-style names), the composition is wrapped in a pass-through
node of that name so printed graphs read the same.

chainrule has no complex dtypes: ``linalg.eig`` and ``linalg.eigvals`` (complex results)
raise NotImplementedError; use ``linalg.eigh`` / ``linalg.eigvalsh`` for symmetric input.
"""

from __future__ import annotations

from .. import _backend
from .._backend import xp
from .._graph import SavedOutput
from .._registry import broadcast_shape, defop, export, record, record_multi
from .._tensor import make
from .decompositions import _check_matrix, _const, _eye, _return_type

__all__ = []
LINALG_MORE = {}  # torch.linalg.<name> -> function (re-exported by chainrule.linalg)

TriangularSolveResult = _return_type("triangular_solve", ["solution", "cloned_coefficient"])
LuFactorResult = _return_type("linalg_lu_factor", ["LU", "pivots"])
LuResult = _return_type("linalg_lu", ["P", "L", "U"])
InvExResult = _return_type("linalg_inv_ex", ["inverse", "info"])


def _export(name, func, **kw):
    __all__.append(name)
    return export(name, func, **kw)


def _pass_through_vjp(node, g):
    _ = node.saved  # what torch's node saves: changing it in place breaks backward there too
    return g if node._nout > 1 else (g,)


def _named(node_cls, *outs, saves=()):
    """Fresh tensors over ``outs``' values whose grad_fn is one ``node_cls`` (torch's name).

    ``saves``: the inputs torch's node saves; the first output is saved too.
    """
    fresh = [make(o._data, o._dtype) for o in outs]
    if len(outs) == 1:
        saved = tuple(saves) + (SavedOutput(fresh[0]),)
        return record(node_cls, fresh[0], outs, saved)
    saved = tuple(saves) + (SavedOutput(fresh[0], 0),)
    return tuple(record_multi(node_cls, fresh, outs, saved))


def _triangle(t, upper, unit):
    """The part of ``t`` a triangular solve reads (strictly, when the diagonal is unit)."""
    k = 1 if unit else 0
    return t.triu(k) if upper else t.tril(-k)


# --------------------------------------------------------------------------- solve_triangular


def _substitute(a, b, upper, unit):
    """Solve a @ x = b by back/forward substitution (batched; inf/nan on a zero pivot)."""
    n = a.shape[-1]
    x = xp.zeros(broadcast_shape(a.shape[:-2], b.shape[:-2]) + b.shape[-2:], dtype=b.dtype)
    rows = range(n - 1, -1, -1) if upper else range(n)
    with xp.errstate(all="ignore"):
        for i in rows:
            done = slice(i + 1, n) if upper else slice(0, i)
            rhs = b[..., i, :] - xp.einsum("...k,...kj->...j", a[..., i, done], x[..., done, :])
            x[..., i, :] = rhs if unit else rhs / a[..., i, i, None]
    return x


def _solve_triangular_vjp(node, g):
    A, X = node.saved
    upper, left, unit = node._args
    if left:  # A X = B
        gB = solve_triangular(A.mT, g, upper=not upper, unitriangular=unit)
        gA = -(gB @ X.mT)
    else:  # X A = B
        gB = solve_triangular(A.mT, g, upper=not upper, left=False, unitriangular=unit)
        gA = -(X.mT @ gB)
    return (
        _triangle(gA, upper, unit) if node.needs_input_grad(0) else None,
        gB if node.needs_input_grad(1) else None,
    )


SolveTriangularNode = defop("LinalgSolveTriangularBackward0", _solve_triangular_vjp)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """X with A @ X = B for a triangular A (X @ A = B with left=False); batches broadcast.

    Only the triangle named by ``upper`` is read (and not the diagonal if unitriangular).

    >>> A = tensor([[2., 1.], [0., 4.]])
    >>> linalg.solve_triangular(A, tensor([[3.], [4.]]), upper=True)
    tensor([[1.],
            [1.]])
    """
    a = _check_matrix("linalg.solve_triangular", A)
    b = B._data
    if b.ndim < 2:
        raise RuntimeError(
            "linalg.solve_triangular: The input tensor B must have at least 2 dimensions."
        )
    if A._dtype is not B._dtype:
        raise RuntimeError(
            "linalg.solve_triangular: Expected A and B to have the same dtype, but found A of "
            f"type {A._dtype.scalar_name} and B of type {B._dtype.scalar_name} instead"
        )
    n = a.shape[-1]
    if (b.shape[-2] if left else b.shape[-1]) != n:
        rows, cols = b.shape[-2:]
        raise RuntimeError(
            f"linalg.solve_triangular: Incompatible shapes of A and B for the equation "
            f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {rows}x{cols})"
        )
    if left:
        result = _substitute(a, b, upper, unitriangular)
    else:  # X A = B  <=>  A^T X^T = B^T
        at, bt = xp.swapaxes(a, -1, -2), xp.swapaxes(b, -1, -2)
        result = xp.swapaxes(_substitute(at, bt, not upper, unitriangular), -1, -2)
    out = make(xp.ascontiguousarray(result, dtype=b.dtype), B._dtype)
    shapes = (
        A._data.shape if A._data.shape[:-2] != result.shape[:-2] else None,
        b.shape if b.shape != result.shape else None,
    )
    shapes = shapes if any(s is not None for s in shapes) else None
    args = (upper, left, unitriangular)
    return record(SolveTriangularNode, out, (A, B), (A, SavedOutput(out)), args, shapes)


TriangularSolveNode = defop("TriangularSolveBackward0", _pass_through_vjp)
_TRIANGULAR_SOLVE_WARNING = (
    "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangular"
    "and will be removed in a future PyTorch release.\ntorch.linalg.solve_triangular has its "
    "arguments reversed and does not return a copy of one of the inputs.\n"
    "X = torch.triangular_solve(B, A).solution\nshould be replaced with\n"
    "X = torch.linalg.solve_triangular(A, B)."
)
_warned = []


def triangular_solve(input, A, upper=True, transpose=False, unitriangular=False):
    """Deprecated form of :func:`solve_triangular`: (solution, a copy of A).

    >>> triangular_solve(tensor([[3.], [4.]]), tensor([[2., 1.], [0., 4.]])).solution
    tensor([[1.],
            [1.]])
    """
    if not _warned:
        _warned.append(True)
        _backend.warn(_TRIANGULAR_SOLVE_WARNING)
    _check_matrix("triangular_solve", A)
    matrix = A.mT if transpose else A
    flip = upper != transpose
    solution = solve_triangular(matrix, input, upper=flip, unitriangular=unitriangular)
    copy = A.expand(solution.shape[:-2] + A.shape[-2:]).clone()
    outs = _named(TriangularSolveNode, solution, copy, saves=(input, A))
    return TriangularSolveResult(*outs)


# --------------------------------------------------------------------------- Cholesky solves


def _symmetric_to_factor(gA, L, upper):
    """The gradient of a factor for A = L L^T (or U^T U), as torch writes it (full matrix)."""
    sym = gA + gA.mT
    return L @ sym if upper else sym @ L


def _cholesky_solve_vjp(node, g):
    _, L, X = node.saved  # torch saves B too
    upper = node._args
    gB = cholesky_solve(g, L, upper)
    gL = _symmetric_to_factor(-(gB @ X.mT), L, upper) if node.needs_input_grad(1) else None
    return (gB if node.needs_input_grad(0) else None, gL)


CholeskySolveNode = defop("CholeskySolveBackward0", _cholesky_solve_vjp)


def _cholesky_apply(factor, b, upper):
    """(L L^T)^-1 b (or (U^T U)^-1 b) on arrays, by two triangular substitutions."""
    ft = xp.swapaxes(factor, -1, -2)
    if upper:
        return _substitute(factor, _substitute(ft, b, False, False), True, False)
    return _substitute(ft, _substitute(factor, b, False, False), True, False)


def cholesky_solve(B, L, upper=False):
    """X with (L L^T) X = B, given the Cholesky factor L (U^T U with upper=True).

    >>> cholesky_solve(tensor([[2.], [4.]]), tensor([[1., 0.], [0., 2.]]))
    tensor([[2.],
            [1.]])
    """
    factor = _check_matrix("cholesky_solve", L)
    b = B._data
    if b.ndim < 2:
        raise RuntimeError(
            f"b should have at least 2 dimensions, but has {b.ndim} dimensions instead"
        )
    n = factor.shape[-1]
    if b.shape[-2] != n:
        raise RuntimeError(
            f"Incompatible matrix sizes for cholesky_solve: each A matrix is {n} by {n} but "
            f"each b matrix is {b.shape[-2]} by {b.shape[-1]}"
        )
    tri = xp.triu(factor) if upper else xp.tril(factor)
    result = _cholesky_apply(tri, b, upper)
    out = make(xp.ascontiguousarray(result, dtype=b.dtype), B._dtype)
    shapes = (
        b.shape if b.shape != result.shape else None,
        factor.shape if factor.shape[:-2] != result.shape[:-2] else None,
    )
    shapes = shapes if any(s is not None for s in shapes) else None
    saved = (B, L, SavedOutput(out))
    return record(CholeskySolveNode, out, (B, L), saved, bool(upper), shapes)


def _cholesky_inverse_vjp(node, g):
    L, inverse = node.saved
    upper = node._args
    gA = -(inverse @ g @ inverse)
    return (_symmetric_to_factor(gA, L, upper),)


CholeskyInverseNode = defop("CholeskyInverseBackward0", _cholesky_inverse_vjp)


def cholesky_inverse(L, upper=False):
    """(L L^T)^-1 from the Cholesky factor L (U^T U with upper=True).

    >>> cholesky_inverse(tensor([[2., 0.], [0., 1.]]))
    tensor([[0.2500, 0.0000],
            [0.0000, 1.0000]])
    """
    factor = _check_matrix("cholesky_inverse", L)
    tri = xp.triu(factor) if upper else xp.tril(factor)
    eye = xp.broadcast_to(xp.eye(factor.shape[-1], dtype=factor.dtype), factor.shape)
    result = xp.ascontiguousarray(_cholesky_apply(tri, eye, upper), dtype=factor.dtype)
    out = make(result, L._dtype)
    return record(CholeskyInverseNode, out, (L,), (L, SavedOutput(out)), bool(upper))


# --------------------------------------------------------------------------- LU


def _lu_arrays(a):
    """Partial-pivoting LU of a batch of m x n matrices: packed LU and LAPACK pivots (1-based)."""
    lu = a.astype(a.dtype, copy=True)
    m, n = lu.shape[-2:]
    k = min(m, n)
    batch = lu.shape[:-2]
    pivots = xp.zeros(batch + (k,), dtype=xp.int32)
    flat = lu.reshape((-1, m, n))
    piv = pivots.reshape((-1, k))
    rows = xp.arange(flat.shape[0])
    with xp.errstate(all="ignore"):
        for j in range(k):
            p = j + xp.argmax(xp.abs(flat[:, j:, j]), axis=1)
            piv[:, j] = p + 1
            top = flat[rows, j].copy()
            flat[rows, j] = flat[rows, p]
            flat[rows, p] = top
            pivot = flat[:, j, j][:, None]
            nonzero = pivot != 0
            factors = xp.where(nonzero, flat[:, j + 1 :, j] / xp.where(nonzero, pivot, 1), 0)
            flat[:, j + 1 :, j] = factors
            flat[:, j + 1 :, j + 1 :] -= factors[:, :, None] * flat[:, j, None, j + 1 :]
    return flat.reshape(lu.shape), pivots


def _permutation(pivots, m, dtype):
    """P (with A = P L U) from LAPACK pivots, as an array."""
    batch = pivots.shape[:-1]
    order = xp.broadcast_to(xp.arange(m), batch + (m,)).copy()
    flat_order = order.reshape((-1, m))
    flat_piv = pivots.reshape((-1, pivots.shape[-1])) - 1
    rows = xp.arange(flat_order.shape[0])
    for j in range(flat_piv.shape[1]):
        p = flat_piv[:, j]
        top = flat_order[rows, j].copy()
        flat_order[rows, j] = flat_order[rows, p]
        flat_order[rows, p] = top
    # row i of P^T A is row order[i] of A: P[order[i], i] = 1
    perm = xp.zeros(batch + (m, m), dtype=dtype)
    flat_perm = perm.reshape((-1, m, m))
    for b in range(flat_perm.shape[0]):
        flat_perm[b, flat_order[b], xp.arange(m)] = 1
    return perm


def _lu_grad(P, L, U, gL, gU):
    """gA for A = P L U (square): P L^-T [tril(L^T gL, -1) + triu(gU U^T)] U^-T."""
    phi = None
    if gL is not None:
        phi = (L.mT @ gL).tril(-1)
    if gU is not None:
        upper = (gU @ U.mT).triu()
        phi = upper if phi is None else phi + upper
    left = solve_triangular(L.mT, phi, upper=True, unitriangular=True)
    return P @ solve_triangular(U.mT, left, upper=False, left=False)


def _check_square_grad(shape):
    m, n = shape[-2:]
    if m != n:
        raise NotImplementedError(
            f"chainrule computes LU gradients for square matrices only (got {m} by {n} matrices)"
        )


def _lu_factor_vjp(node, grads):
    LU, P = node.saved
    _check_square_grad(node._args)
    g = grads[0]
    n = LU.shape[-1]
    L = LU.tril(-1) + _eye(LU, n)
    return (_lu_grad(P, L, LU.triu(), g.tril(-1), g.triu()),)


def _lu_vjp(node, grads):
    L, U, P = node.saved
    _check_square_grad(node._args)
    return (_lu_grad(P, L, U, grads[1], grads[2]),)


LuFactorNode = defop("LinalgLuFactorExBackward0", _lu_factor_vjp, batchable=False)
LuNode = defop("LinalgLuBackward0", _lu_vjp, batchable=False)


def lu_factor(A, *, pivot=True):
    """The packed LU factorisation of A with partial pivoting: (LU, pivots).

    >>> LU, pivots = linalg.lu_factor(tensor([[1., 2.], [3., 4.]]))
    >>> pivots
    tensor([2, 2], dtype=torch.int32)
    """
    a = _check_matrix("linalg.lu_factor", A, square=False)
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    lu, pivots = _lu_arrays(a)
    LU = make(lu, A._dtype)
    P = make(_permutation(pivots, a.shape[-2], a.dtype), A._dtype)
    piv = make(pivots, _backend.int32)
    saved = (SavedOutput(LU, 0), P)
    outs = record_multi(LuFactorNode, [LU, piv], (A,), saved, a.shape, (1, 0))
    return LuFactorResult(*outs)


def lu(A, *, pivot=True):
    """A = P L U with partial pivoting: (P, L, U); L is unit lower, U upper triangular.

    >>> P, L, U = linalg.lu(tensor([[1., 2.], [3., 4.]]))
    >>> U
    tensor([[3.0000, 4.0000],
            [0.0000, 0.6667]])
    """
    a = _check_matrix("linalg.lu", A, square=False)
    if not pivot:
        raise RuntimeError("linalg.lu: LU without pivoting is not implemented on the CPU")
    lu_data, pivots = _lu_arrays(a)
    m, n = a.shape[-2:]
    k = min(m, n)
    lower = xp.tril(lu_data[..., :, :k], -1) + xp.eye(m, k, dtype=a.dtype)
    upper = xp.triu(lu_data[..., :k, :])
    P = make(_permutation(pivots, m, a.dtype), A._dtype)
    L, U = make(lower, A._dtype), make(upper, A._dtype)
    saved = (SavedOutput(L, 1), SavedOutput(U, 2), P)
    return LuResult(*record_multi(LuNode, [P, L, U], (A,), saved, a.shape, (0, 1, 1)))


LuSolveNode = defop("LinalgLuSolveBackward0", _pass_through_vjp)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False):
    """X with A X = B given ``lu_factor(A)`` (A^T X = B with adjoint; X A = B with left=False).

    >>> A = tensor([[1., 2.], [3., 4.]])
    >>> LU, pivots = linalg.lu_factor(A)
    >>> linalg.lu_solve(LU, pivots, tensor([[5.], [11.]]))
    tensor([[1.],
            [2.]])
    """
    _check_matrix("linalg.lu_solve", LU)
    n = LU._data.shape[-1]
    P = _const(LU, _permutation(pivots._data, n, LU._data.dtype))
    L = LU.tril(-1) + _eye(LU, n)
    U = LU.triu()
    if not left:  # X A = B  <=>  A^T X^T = B^T
        return _named(LuSolveNode, _lu_apply(P, L, U, B.mT, not adjoint).mT, saves=(LU,))
    return _named(LuSolveNode, _lu_apply(P, L, U, B, adjoint), saves=(LU,))


def _lu_apply(P, L, U, B, adjoint):
    if adjoint:  # A^T = U^T L^T P^T
        y = solve_triangular(U.mT, B, upper=False)
        return P @ solve_triangular(L.mT, y, upper=True, unitriangular=True)
    y = solve_triangular(L, P.mT @ B, upper=False, unitriangular=True)
    return solve_triangular(U, y, upper=True)


# --------------------------------------------------------------------------- compositions


def vander(x, *, N=None):
    """The Vandermonde matrix of ``x``: columns x**0, x**1, ..., x**(N-1).

    >>> linalg.vander(tensor([1., 2., 3.]))
    tensor([[1., 1., 1.],
            [1., 2., 4.],
            [1., 3., 9.]])
    """
    from .joining import cat

    if x._data.ndim < 1:
        raise RuntimeError("linalg.vander: x must have at least one dimension.")
    n = x._data.shape[-1] if N is None else int(N)
    if n <= 1:
        if n < 1:
            raise RuntimeError("N must be greater than 1.")
        return x.unsqueeze(-1).new_ones(x.shape + (1,))
    column = x.unsqueeze(-1)
    ones = column.new_ones(x.shape + (1,))
    powers = column.expand(x.shape + (n - 1,)).cumprod(-1)
    return cat([ones, powers], -1)


def cross(input, other, *, dim=-1):
    """The cross product of 3-vectors along ``dim`` (inputs broadcast, same number of dims).

    >>> linalg.cross(tensor([1., 0., 0.]), tensor([0., 1., 0.]))
    tensor([0., 0., 1.])
    """
    from .products import cross as _cross

    return _cross(input, other, dim=dim)


def vecdot(x, y, *, dim=-1):
    """The dot product of vectors along ``dim`` (inputs broadcast).

    >>> linalg.vecdot(tensor([[1., 2.], [3., 4.]]), tensor([1., 1.]))
    tensor([3., 7.])
    """
    if x._data.ndim == 1 and y._data.ndim == 1:  # torch computes this one with vdot
        return _named(VdotNode, (x * y).sum(dim), saves=(x, y))
    return (x * y).sum(dim)


VdotNode = defop("VdotBackward0", _pass_through_vjp)


HouseholderNode = defop("LinalgHouseholderProductBackward0", _pass_through_vjp)


def householder_product(A, tau):
    """The first n columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^T (v_i from A's columns).

    >>> linalg.householder_product(tensor([[1.], [0.]]), tensor([2.]))
    tensor([[-1.],
            [ 0.]])
    """
    a = _check_matrix("linalg.householder_product", A, square=False)
    m, n = a.shape[-2:]
    k = tau._data.shape[-1]
    if n > m:
        raise RuntimeError(
            "torch.linalg.householder_product: input.shape[-2] must be greater than or equal "
            "to input.shape[-1]"
        )
    if k > n:
        raise RuntimeError(
            "torch.linalg.householder_product: input.shape[-1] must be greater than or equal "
            "to tau.shape[-1]"
        )
    vectors = A.tril(-1) + _const(A, xp.eye(m, n))
    Q = _eye(A, m)
    for i in range(k):
        v = vectors[..., :, i : i + 1]
        Q = Q - (Q @ v) @ v.mT * tau[..., i : i + 1].unsqueeze(-1)
    return _named(HouseholderNode, Q[..., :, :n], saves=(A, tau))


def _no_complex(name):
    def func(A, *args, **kwargs):
        raise NotImplementedError(
            f"torch.linalg.{name} returns complex tensors, and chainrule has no complex dtypes "
            "yet. For symmetric (Hermitian) matrices use linalg.eigh / linalg.eigvalsh."
        )

    func.__name__ = name
    func.__doc__ = (
        f"Not available: {name} needs complex dtypes (raises NotImplementedError).\n\n"
        f">>> linalg.{name}  # doctest: +SKIP\n"
    )
    return func


eig = _no_complex("eig")
eigvals = _no_complex("eigvals")


def _idamax(values) -> int:
    """BLAS idamax's pick: the first strictly greater value wins (NaN never does, unless
    first)."""
    best, largest = 0, values[0]
    for i, v in enumerate(values):
        if v > largest:
            best, largest = i, v
    return best


def _zero_pivot(matrix) -> int:
    """LAPACK getrf's info: the 1-based index of the first exactly zero pivot of LU with
    partial pivoting, 0 when there is none (a NaN pivot is not zero: NaN matrices give
    info 0 and NaN inverses, as torch; a condition number needs an SVD, which NaN breaks)."""
    a = matrix.astype(xp.float64).copy()
    n = a.shape[0]
    with xp.errstate(all="ignore"):
        for k in range(n):
            p = k + _idamax(xp.abs(a[k:, k]).tolist())
            if a[p, k] == 0:
                return k + 1
            a[[k, p]] = a[[p, k]]
            a[k + 1 :, k:] -= xp.outer(a[k + 1 :, k] / a[k, k], a[k, k:])
    return 0


def inv_ex(A, *, check_errors=False):
    """linalg.inv that reports singular matrices in ``info`` (LAPACK's 1-based index of the
    first zero pivot, 0 when invertible) instead of raising, unless ``check_errors``.

    >>> inv_ex(tensor([[2., 0.], [0., 4.]])).info
    tensor(0, dtype=torch.int32)
    """
    from .decompositions import InvNode, _singular_error, inv

    data = _check_matrix("linalg.inv_ex", A)
    info = xp.zeros(data.shape[:-2], xp.int32)
    for index in xp.ndindex(*data.shape[:-2]):
        info[index] = _zero_pivot(data[index])
    if info.any() and check_errors:
        raise _singular_error("linalg.inv_ex", data)
    # a non-finite matrix: LAPACK's elimination spreads nan (inf - inf, inf / inf) where
    # NumPy's solver can leave finite values
    finite = xp.isfinite(data).all(axis=(-2, -1))
    if not info.any() and finite.all():
        return InvExResult(inv(A), make(info, _backend.int32))
    result = xp.full(data.shape, xp.nan, data.dtype)  # torch's values are LAPACK's leftovers
    good = (info == 0) & finite
    if good.any():
        result[good] = xp.linalg.inv(data[good])
    out = make(result, A._dtype)
    out = record(InvNode, out, (A,), (SavedOutput(out),))
    return InvExResult(out, make(info, _backend.int32))


_export("triangular_solve", triangular_solve, grad_fns=("TriangularSolveBackward0",))
_export("cholesky_solve", cholesky_solve, grad_fns=("CholeskySolveBackward0",))
_export("cholesky_inverse", cholesky_inverse, grad_fns=("CholeskyInverseBackward0",))
for _name, _func, _grad_fns in (
    ("solve_triangular", solve_triangular, ("LinalgSolveTriangularBackward0",)),
    ("lu_factor", lu_factor, ("LinalgLuFactorExBackward0",)),
    ("lu", lu, ("LinalgLuBackward0",)),
    ("lu_solve", lu_solve, ("LinalgLuSolveBackward0",)),
    ("vander", vander, ("CatBackward0",)),
    ("cross", cross, ("LinalgCrossBackward0",)),
    ("vecdot", vecdot, ("SumBackward1", "VdotBackward0")),
    ("householder_product", householder_product, ("LinalgHouseholderProductBackward0",)),
    ("inv_ex", inv_ex, ("LinalgInvExBackward0",)),
):
    _export(f"linalg.{_name}", _func, method=False, function=False, grad_fns=_grad_fns)
    LINALG_MORE[_name] = _func
LINALG_MORE["eig"] = eig
LINALG_MORE["eigvals"] = eigvals
