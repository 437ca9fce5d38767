"""Matrix functions built on the decompositions, and torch's older linalg names.

matrix_exp is a primitive (its rule is the Frechet derivative through a block matrix); the
norms, cond, matrix_power, multi_dot and logdet are composed from primitives, as in torch,
so they record torch's grad_fn names. torch.cholesky / torch.qr / torch.svd / torch.slogdet
/ torch.pinverse are the pre-torch.linalg spellings, with torch's deprecation warnings.
"""

from __future__ import annotations

import math

from .. import _backend
from .._backend import xp
from .._registry import defop, export, record
from .._tensor import Tensor, make, wrap_dim
from .decompositions import (
    _SVD,
    OldCholeskyNode,
    OldQrResult,
    OldSlogdetResult,
    OldSvdResult,
    SlogdetResult,
    _check_float,
    _check_matrix,
    _cholesky,
    _eye,
    _grad_enabled,
    _qr,
    _slogdet,
    _svd_parts,
    det,
    export_linalg,
    inv,
    pinv,
    svdvals,
)
from .elementwise import where
from .joining import cat
from .reduce import vector_norm

__all__ = []


def _export(name, func, **kw):
    __all__.append(name)
    return export(name, func, **kw)


# --------------------------------------------------------------------------- matrix_exp

_PADE6 = (1.0, 1 / 2, 5 / 44, 1 / 66, 1 / 792, 1 / 15840, 1 / 665280)


def _expm(a):
    """exp of a batch of matrices: scaling and squaring with a [6/6] Pade approximant."""
    if a.size == 0:
        return a.copy()
    norm = float(xp.abs(a).sum(-1).max())
    squarings = max(0, math.ceil(math.log2(norm / 0.5))) if norm > 0.5 else 0
    a = a / (2.0**squarings)
    eye = xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    c = _PADE6
    odd = a @ (c[1] * eye + c[3] * a2 + c[5] * a4)
    even = c[0] * eye + c[2] * a2 + c[4] * a4 + c[6] * a6
    result = xp.linalg.solve(even - odd, even + odd)
    for _ in range(squarings):
        result = result @ result
    return result.astype(a.dtype)


def _matrix_exp_vjp(node, g):
    """The Frechet derivative's adjoint: the top-right block of exp([[A^T, g], [0, A^T]])."""
    (A,) = node.saved
    n = A._data.shape[-1]
    At = A.mT.expand(g._data.shape)
    top = cat([At, g], -1)
    bottom = cat([g * 0, At], -1)
    block = matrix_exp(cat([top, bottom], -2))
    return (block.narrow(-2, 0, n).narrow(-1, n, n),)


MatrixExpNode = defop("LinalgMatrixExpBackward0", _matrix_exp_vjp)


def matrix_exp(A):
    """The matrix exponential sum_k A^k / k!."""
    data = _backend.opmath(_check_matrix("linalg.matrix_exp", A))  # NumPy's linalg has no half
    result = _expm(data).astype(A._dtype.np, copy=False)
    return record(MatrixExpNode, make(result, A._dtype), (A,), (A,))


# --------------------------------------------------------------------------- composites


def _matrix_dims(A, dim):
    """A with the two matrix dims ``dim`` moved last (a permute, as torch records)."""
    ndim = A._data.ndim
    rows, cols = (d % ndim for d in dim)
    if (rows, cols) == (ndim - 2, ndim - 1):
        return A
    order = [d for d in range(ndim) if d not in (rows, cols)] + [rows, cols]
    return A.permute(*order)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """A matrix norm: 'fro', 'nuc', 2 / -2 (largest / smallest singular value), 1 / -1
    (max / min column sum of |A|) or inf / -inf (max / min row sum)."""
    if not isinstance(A, Tensor) or A._data.ndim < 2:
        raise RuntimeError(
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
        )
    _check_float("linalg.matrix_norm", A)
    if ord == "fro":
        _check_matrix_dims(A, dim)
        return vector_norm(A, 2, tuple(dim), keepdim)
    if ord not in ("nuc", 2, -2, 1, -1, math.inf, -math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    _check_matrix_dims(A, dim)
    M = _matrix_dims(A, dim)
    if M._data.size == 0 and ord != "nuc":  # no singular values, no sums to take a max of
        return make(xp.zeros(M._data.shape[:-2], dtype=M._data.dtype), A._dtype)
    if ord == "nuc":
        result = svdvals(M).sum(-1)
    elif ord in (2, -2):
        values = svdvals(M)
        result = values.amax(-1) if ord == 2 else values.amin(-1)
    else:
        sums = M.abs().sum(-2 if abs(ord) == 1 else -1)
        result = sums.amax(-1) if ord > 0 else sums.amin(-1)
    if keepdim:
        ndim = A._data.ndim
        for d in sorted(d % ndim for d in dim):
            result = result.unsqueeze(d)
    return result


def _check_matrix_dims(A, dim):
    dim = tuple(dim)
    if len(dim) != 2:
        raise RuntimeError(
            "linalg.matrix_norm: dim must be a 2-tuple. Got " + " ".join(map(str, dim))
        )
    ndim = A._data.ndim
    if wrap_dim(dim[0], ndim) == wrap_dim(dim[1], ndim):
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """A vector norm or a matrix norm, chosen by ``ord`` and ``dim`` as torch.linalg.norm."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None and len(dim) not in (1, 2):
        raise RuntimeError(
            f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dim)}"
        )
    if isinstance(ord, str) and dim is not None:
        return matrix_norm(A, ord, dim, keepdim)
    if dim is not None and len(dim) == 2 and ord is not None:
        return matrix_norm(A, ord, dim, keepdim)
    if ord is not None and dim is None:
        if A._data.ndim not in (1, 2):
            raise RuntimeError(
                f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                f"Got {A._data.ndim}D."
            )
        if isinstance(ord, str) or A._data.ndim == 2:
            return matrix_norm(A, ord, (-2, -1), keepdim)
    if isinstance(ord, str):
        return matrix_norm(A, ord, dim, keepdim)
    return _vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def _vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """torch.linalg.vector_norm: ``dtype`` is the dtype the norm is computed (and returned) in."""
    if dtype is not None and isinstance(x, Tensor) and x._dtype is not dtype:
        x = x.to(dtype)
    return vector_norm(x, ord, dim, keepdim)


def cond(A, p=None):
    """The condition number in the 2-norm (p None, 2 or -2: a ratio of singular values)
    or, for other p, norm(A, p) * norm(inv(A), p)."""
    _check_matrix("linalg.cond", A, square=p not in (None, 2, -2))
    if p in (None, 2, -2):
        values = svdvals(A)
        last = values._data.shape[-1] - 1
        big, small = values.narrow(-1, 0, 1), values.narrow(-1, last, 1)
        ratio = big / small if p != -2 else small / big
        return ratio.squeeze(-1)
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


def matrix_power(A, n):
    """A multiplied by itself n times (n < 0: the inverse's power; n == 0: the identity)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(
            f"linalg_matrix_power(): argument 'n' (position 2) must be int, not {type(n).__name__}"
        )
    _check_matrix("linalg.matrix_power", A)
    if n == 0:
        eye = _eye(A, A._data.shape[-1]).expand(A._data.shape)
        return A.clone().copy_(eye) if A._requires_grad and _grad_enabled() else eye.clone()
    if n == -1:
        return inv(A)
    if n < 0:
        A, n = inv(A), -n
    if n == 1:
        return A.clone()
    result, base = None, A
    while n:  # binary powering
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


def _check_chain(tensors):
    """torch's checks: 1-D or 2-D ends, 2-D middle, one dtype, matching inner sizes."""
    count = len(tensors)
    for i, t in enumerate(tensors):
        ndim = t._data.ndim
        if i in (0, count - 1) and ndim not in (1, 2):
            which = "first" if i == 0 else "last"
            raise RuntimeError(f"multi_dot(): the {which} tensor must be 1D or 2D but got {ndim}D")
        if 0 < i < count - 1 and ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {ndim}D")
        if t._dtype is not tensors[0]._dtype:
            raise RuntimeError(
                "multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                f"{tensors[0]._dtype.c_name} and tensor {i} {t._dtype.c_name}"
            )
    for i in range(count - 1):
        a, b = tensors[i]._data.shape, tensors[i + 1]._data.shape
        if a[-1] != b[0]:
            raise RuntimeError(
                f"multi_dot(): tensors {i} and {i + 1} with shapes {list(a)} and {list(b)} "
                "cannot be multiplied"
            )


def multi_dot(tensors):
    """The product of a chain of matrices (the first may be a row vector, the last a column)."""
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    _check_chain(tensors)
    first, last = tensors[0], tensors[-1]
    shape = first._data.shape[:-1] + last._data.shape[1:]
    chain = list(tensors)
    if first._data.ndim == 1:
        chain[0] = first.unsqueeze(0)
    if last._data.ndim == 1:
        chain[-1] = last.unsqueeze(-1)
    result = chain[0]
    for t in chain[1:]:
        result = result.mm(t)
    return result.view(shape)


# --------------------------------------------------------------------------- older names


def _old_slogdet(input):
    return _slogdet("linalg.slogdet", input, OldSlogdetResult)


def logdet(input):
    """log(det(A)): nan for a negative determinant, -inf for a singular matrix."""
    sign, logabsdet = _slogdet("linalg.slogdet", input, SlogdetResult)
    return where(sign != -1, logabsdet, float("nan"))


def _pinverse(input, rcond=1e-15):
    return pinv(input, rtol=rcond)


_CHOLESKY_DEPRECATED = (
    "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a "
    "future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\n"
    "L = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be replaced "
    "with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce equivalent results for "
    "all valid (symmetric positive definite) inputs."
)


_warned = set()


def _warn_once(message):
    """torch's deprecation warnings are TORCH_WARN_ONCE: once per process."""
    if message not in _warned:
        _warned.add(message)
        _backend.warn(message)


def _old_cholesky(input, upper=False):
    _warn_once(_CHOLESKY_DEPRECATED)
    return _cholesky(input, upper, OldCholeskyNode)


_QR_DEPRECATED = (
    "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
    "PyTorch release.\nThe boolean parameter 'some' has been replaced with a string parameter "
    "'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\nQ, R = torch.linalg.qr(A, "
    "'reduced' if some else 'complete')"
)


def _old_qr(input, some=True):
    _warn_once(_QR_DEPRECATED)
    return _qr(input, "reduced" if some else "complete", OldQrResult)


def _old_svd(input, some=True, compute_uv=True):
    if not compute_uv:  # torch fills U and V with zeros, full size
        data = _check_matrix("linalg.svd", input, square=False)
        m, n = data.shape[-2:]
        batch = data.shape[:-2]
        zeros = (make(xp.zeros(batch + (k, k), dtype=data.dtype), input._dtype) for k in (m, n))
        U, V = zeros
        return OldSvdResult(U, svdvals(input), V)
    U, S, Vh = _svd_parts(input, not some)
    return OldSvdResult(U, S, Vh.mT)


# --------------------------------------------------------------------------- the table

_MATRIX_NORM = (
    "LinalgVectorNormBackward0",
    "SumBackward1",
    "AmaxBackward0",
    "AminBackward0",
    "UnsqueezeBackward0",
)
_POWER = (
    "CloneBackward0",
    "CopyBackwards",
    "MmBackward0",
    "UnsafeViewBackward0",
    "LinalgInvExBackward0",
)
for _name, _func, _grad_fns in (
    ("matrix_exp", matrix_exp, ("LinalgMatrixExpBackward0",)),
    ("matrix_norm", matrix_norm, _MATRIX_NORM),
    ("vector_norm", _vector_norm, ("LinalgVectorNormBackward0",)),
    ("norm", norm, _MATRIX_NORM),
    ("cond", cond, ("SqueezeBackward1", "MulBackward0")),
    ("matrix_power", matrix_power, _POWER),
    ("multi_dot", multi_dot, ("ViewBackward0",)),
):
    export_linalg(_name, _func, _grad_fns)

# torch.* functions and Tensor methods with torch's older names
for _name, _func, _grad_fns in (
    ("inverse", inv, ("LinalgInvExBackward0",)),
    ("det", det, ("LinalgDetBackward0",)),
    ("logdet", logdet, ("WhereBackward0",)),
    ("slogdet", _old_slogdet, ("LinalgSlogdetBackward0",)),
    ("pinverse", _pinverse, ("LinalgPinvBackward0",)),
    ("matrix_power", matrix_power, _POWER),
    ("matrix_exp", matrix_exp, ("LinalgMatrixExpBackward0",)),
    ("cholesky", _old_cholesky, ("CholeskyBackward0",)),
    ("qr", _old_qr, ("LinalgQrBackward0",)),
    ("svd", _old_svd, _SVD + ("TransposeBackward0",)),
):
    _export(_name, _func, grad_fns=_grad_fns)
