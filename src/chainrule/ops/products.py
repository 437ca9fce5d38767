"""Products of tensors: einsum, tensordot, kron, cross and cdist.

einsum, tensordot and kron are compositions of permute/reshape/mul/bmm (their grad_fn is
the one torch shows). cross and cdist are primitives with their own VJPs.
"""

from __future__ import annotations

from .. import _backend, _registry
from .._backend import xp
from .._graph import grad_state
from .._registry import broadcast_shape, defop, export, record
from .._tensor import Tensor, make, wrap_dim
from .joining import _common_dtype
from .shape import UnsafeViewNode

__all__ = []


def _export(name, func, **kw):
    __all__.append(name)
    return export(name, func, **kw)


_TYPE_NAMES = {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int"}


def _dtype_of(t):
    return _TYPE_NAMES.get(t._dtype.name, t._dtype.name)


# --------------------------------------------------------------------------- tensordot / kron


def tensordot(a, b, dims=2, out=None):
    """Sum of products over the dims ``dims`` of ``a`` and ``b`` (the last/first n for an int)."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        dims_a = list(range(-dims, 0))  # as torch words its errors: from the end
        dims_b = list(range(dims))
    else:
        dims_a, dims_b = dims
        dims_a = [dims_a] if isinstance(dims_a, int) else list(dims_a)
        dims_b = [dims_b] if isinstance(dims_b, int) else list(dims_b)
    if a._dtype is not b._dtype:
        raise RuntimeError("both inputs should have same dtype")
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    for da, db in zip(dims_a, dims_b):
        sa = a._data.shape[wrap_dim(da, a._data.ndim)]
        sb = b._data.shape[wrap_dim(db, b._data.ndim)]
        if sa != sb:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {sa} in dim {da} and "
                f"second has size {sb} in dim {db}"
            )
    dims_a = [wrap_dim(d, a._data.ndim) for d in dims_a]
    dims_b = [wrap_dim(d, b._data.ndim) for d in dims_b]
    free_a = [d for d in range(a._data.ndim) if d not in dims_a]
    free_b = [d for d in range(b._data.ndim) if d not in dims_b]
    size = 1
    for d in dims_a:
        size *= a._data.shape[d]
    left = a.permute(free_a + dims_a).reshape(-1, size)
    right = b.permute(dims_b + free_b).reshape(size, -1)
    shape = [a._data.shape[d] for d in free_a] + [b._data.shape[d] for d in free_b]
    return left.mm(right).view(shape)


def _unsafe_view(t, shape):
    """A reshape with its own version counter, as torch's _unsafe_view (not a tracked view)."""
    out = make(t._data.reshape(shape), t._dtype)
    return record(UnsafeViewNode, out, (t,), None, t._data.shape)


def kron(input, other):
    """The Kronecker product: every element of ``input`` times the whole of ``other``."""
    nd = max(input._data.ndim, other._data.ndim)
    sa = (1,) * (nd - input._data.ndim) + input._data.shape
    sb = (1,) * (nd - other._data.ndim) + other._data.shape
    left = _unsafe_view(input, tuple(k for s in sa for k in (s, 1)))
    right = _unsafe_view(other, tuple(k for s in sb for k in (1, s)))
    product = left * right  # dims a0, b0, a1, b1, ...: already in the result's order
    return _unsafe_view(product, tuple(x * y for x, y in zip(sa, sb)))


# --------------------------------------------------------------------------- einsum

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_einsum(equation, operands):
    equation = equation.replace(" ", "")
    if "->" in equation:
        lhs, rhs = equation.split("->")
    else:
        lhs, rhs = equation, None
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise RuntimeError(
            "einsum(): more operands were provided than specified in the equation"
            if len(operands) > len(terms)
            else "einsum(): fewer operands were provided than specified in the equation"
        )
    # expand "..." into letters not used elsewhere
    unused = [c for c in _LETTERS if c not in equation]
    ell = max(
        (op._data.ndim - len(t.replace("...", "")) for t, op in zip(terms, operands) if "..." in t),
        default=0,
    )
    ell_letters = "".join(unused[:ell])
    expanded = []
    for t, op in zip(terms, operands):
        if "..." in t:
            n = op._data.ndim - len(t.replace("...", ""))
            t = t.replace("...", ell_letters[ell - n :])
        if len(t) != op._data.ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(t)}) does not match "
                f"the number of dimensions ({op._data.ndim}) for operand "
                f"{len(expanded)} and no ellipsis was given"
            )
        expanded.append(t)
    if rhs is None:
        counts = {}
        for t in expanded:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        rhs = ell_letters + "".join(
            sorted(c for c, n in counts.items() if n == 1 and c not in ell_letters)
        )
    else:
        rhs = rhs.replace("...", ell_letters)
    return expanded, rhs


def _take_diagonals(op, term):
    """Collapse repeated letters of one operand into one dim (its diagonal)."""
    while len(set(term)) != len(term):
        for i, c in enumerate(term):
            j = term.find(c, i + 1)
            if j >= 0:
                op = op.diagonal(0, i, j)  # the diagonal goes last
                term = term[:i] + term[i + 1 : j] + term[j + 1 :] + c
                break
    return op, term


def einsum(equation, *operands):
    """Sums of products named by subscripts: ``einsum('ij,jk->ik', a, b)`` is ``a @ b``.

    As torch: repeated subscripts take diagonals, every operand is permuted to one letter
    order (the output's letters first), letters no other operand needs are summed early,
    and pairs are contracted with bmm (or multiplied when nothing is summed between them).
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    terms, out = _parse_einsum(equation, operands)
    if len(operands) == 1:
        return _einsum_single(operands[0], terms[0], out)
    letters = list(out)
    for term in terms:
        letters += [c for c in term if c not in letters]
    aligned, present, seen = [], [], {}
    for k, (op, term) in enumerate(zip(operands, terms)):
        op, term = _take_diagonals(op, term)
        for c, n in zip(term, op.shape):
            if seen.get(c, n) not in (n, 1) and n != 1:
                raise RuntimeError(
                    f"einsum(): subscript {c} has size {n} for operand {k} which does not "
                    f"broadcast with previously seen size {seen[c]}"
                )
            seen[c] = max(seen.get(c, n), n)
        needed = set(out).union(*(set(t) for j, t in enumerate(terms) if j != k))
        lone = [i for i, c in enumerate(term) if c not in needed]
        if lone:
            op = op.sum(lone)
            term = "".join(c for i, c in enumerate(term) if i not in lone)
        aligned.append(_align(op, term, letters))
        present.append(set(term))
    result, have = aligned[0], present[0]
    for k in range(1, len(aligned)):
        keep = set(out).union(*present[k + 1 :])
        result, have = _contract_pair(result, have, aligned[k], present[k], keep, letters)
    out_shape = tuple(result.shape[: len(out)])
    if tuple(result.shape) != out_shape:
        result = result.view(out_shape)
    return result


def _einsum_single(op, term, out):
    op, term = _take_diagonals(op, term)
    lone = [c for c in term if c not in out]
    op = op.permute([term.index(c) for c in out] + [term.index(c) for c in lone])
    if lone:
        op = op.sum(list(range(len(out), len(term))))
    return op


def _align(op, term, letters):
    """op's dims permuted to the order of ``letters``, with size-1 dims for missing letters."""
    present = [c for c in letters if c in term]
    if present != list(term):
        op = op.permute([term.index(c) for c in present])
    shape = [op._data.shape[present.index(c)] if c in term else 1 for c in letters]
    return op.reshape(shape) if len(shape) != op._data.ndim else op


def _contract_pair(a, in_a, b, in_b, keep, letters):
    """Multiply two aligned operands, summing the letters that nothing later needs (by bmm)."""
    shared = [c for c in letters if c in in_a and c in in_b]
    summed = [c for c in shared if c not in keep]
    if not summed:
        return a * b, in_a | in_b
    batch = [c for c in shared if c in keep]
    left = [c for c in letters if c in in_a and c not in in_b]
    right = [c for c in letters if c in in_b and c not in in_a]
    pos = {c: i for i, c in enumerate(letters)}
    size = {c: max(a.shape[pos[c]], b.shape[pos[c]]) for c in letters}

    def prepare(t, inside, groups):
        order = [c for g in groups for c in g]
        target = [size[c] if c in batch or c in summed else n for c, n in zip(letters, t.shape)]
        if target != list(t.shape):
            t = t.expand(target)
        absent = [pos[c] for c in letters if c not in inside]
        t = t.permute([pos[c] for c in order] + absent)
        return t.reshape([_prod(size[c] for c in g) for g in groups])

    lhs = prepare(a, in_a, (batch, left, summed))
    rhs = prepare(b, in_b, (batch, summed, right))
    result = lhs.bmm(rhs).view([size[c] for c in batch + left + right])
    kept = batch + left + right
    result = result.permute([kept.index(c) for c in letters if c in kept])
    return result.reshape([size[c] if c in kept else 1 for c in letters]), set(kept)


def _prod(sizes):
    total = 1
    for s in sizes:
        total *= s
    return total


# --------------------------------------------------------------------------- cross / cdist


def _cross_vjp(node, g):
    a, b = node.saved
    dim = node._args
    return (
        _cross(b, g, dim) if node.needs_input_grad(0) else None,
        _cross(g, a, dim) if node.needs_input_grad(1) else None,
    )


CrossNode = defop("LinalgCrossBackward0", _cross_vjp)


_warned = []


def cross(input, other, dim=None):
    """The cross product of 3-vectors along ``dim`` (inputs broadcast)."""
    if input._data.ndim != other._data.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    shape = broadcast_shape(input._data.shape, other._data.shape)
    if dim is None and not _warned:
        _warned.append(True)  # torch warns once per process
        _backend.warn(
            "Using torch.cross without specifying the dim arg is deprecated.\n"
            "Please either pass the dim explicitly or simply use torch.linalg.cross.\n"
            "The default value of dim will change to agree with that of linalg.cross in a "
            "future release."
        )
    if dim is None:
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    if input._dtype is not other._dtype:
        raise RuntimeError(f"expected scalar type {_dtype_of(input)} but found {_dtype_of(other)}")
    d = wrap_dim(dim, len(shape))
    if input._data.shape[d] != 3 or other._data.shape[d] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {d} must have length 3. Got "
            f"{input._data.shape[d]} and {other._data.shape[d]}"
        )
    return _cross(input, other, d - len(shape))


def _cross(input, other, d):
    """cross along ``d`` (counted from the end); the operands may differ in leading dims."""
    shape = broadcast_shape(input._data.shape, other._data.shape)
    dtype = _common_dtype([input, other])
    av = input._data.astype(dtype.np, copy=False)
    bv = other._data.astype(dtype.np, copy=False)
    result = xp.cross(av, bv, axis=d) if shape else xp.cross(av, bv)
    result = xp.ascontiguousarray(xp.broadcast_to(result, shape))
    shapes = tuple(t._data.shape if t._data.shape != shape else None for t in (input, other))
    out = make(result, dtype)
    return record(CrossNode, out, (input, other), (input, other), d, shapes)


def _cdist_scale(diff, dist, p):
    """d dist / d diff, +0 where the distance is 0."""
    if p == 2:
        scale = diff / dist.masked_fill(dist == 0, 1.0)
    elif p == 1:
        scale = diff.sign()
    else:
        scale = diff.sign() * diff.abs() ** (p - 1) / dist.masked_fill(dist == 0, 1.0) ** (p - 1)
    return scale.masked_fill(dist == 0, 0.0)


def _cdist_vjp(node, g):
    x1, x2, out = node.saved
    p, by_kernel = node._args
    dist = out.unsqueeze(-1)
    g = g.unsqueeze(-1)
    grad1 = grad2 = None
    if node.needs_input_grad(0):
        grad1 = (g * _cdist_scale(x1.unsqueeze(-2) - x2.unsqueeze(-3), dist, p)).sum(-2)
    if node.needs_input_grad(1):  # torch runs the rule again with the inputs swapped (x2 - x1,
        # not -(x1 - x2): its zeros are +0)
        grad2 = (g * _cdist_scale(x2.unsqueeze(-3) - x1.unsqueeze(-2), dist, p)).sum(-3)
    grads = (grad1, grad2)
    # torch's _cdist_backward has no derivative. Forward AD differentiates the rule to derive
    # tangents (which torch refuses for cdist): for that it stays whole
    if by_kernel and grad_state.enabled and not _registry.deriving_tangents:
        grads = tuple(
            None
            if grad is None
            else record(_CdistBackwardNode, make(grad._data, grad._dtype), (g, x1, x2))
            for grad in grads
        )
    return grads


def _no_cdist_double_backward(node, g):
    raise NotImplementedError("the derivative for '_cdist_backward' is not implemented.")


CdistNode = defop("CdistBackward0", _cdist_vjp)
_CdistBackwardNode = defop("CdistBackwardBackward0", _no_cdist_double_backward)
_EUCLID_MM_ROWS = 25  # torch computes p=2 distances by matrix products past this many rows


def _by_kernel(p, rows1, rows2, compute_mode):
    """Does torch compute these distances with its cdist kernel (whose backward it cannot
    differentiate), rather than with matrix products (p=2 only)?"""
    if p != 2 or compute_mode == "donot_use_mm_for_euclid_dist":
        return True
    if compute_mode == "use_mm_for_euclid_dist":
        return False
    return rows1 <= _EUCLID_MM_ROWS and rows2 <= _EUCLID_MM_ROWS


def cdist(x1, x2, p=2.0, compute_mode=None):
    """Pairwise p-norm distances between the rows of ``x1`` (..., P, M) and ``x2`` (..., R, M)."""
    for name, x in (("X1", x1), ("X2", x2)):
        if x._dtype.kind != _backend.FLOAT:
            raise RuntimeError(
                f"cdist only supports floating-point dtypes, {name} got: {x._dtype.scalar_name}"
            )
    a, b = x1._data, x2._data
    if a.ndim < 2 or b.ndim < 2:
        raise RuntimeError(
            f"cdist only supports at least 2D tensors, X1 got: {a.ndim}D"
            if a.ndim < 2
            else f"cdist only supports at least 2D tensors, X2 got: {b.ndim}D"
        )
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} X2: {b.shape[-1]}"
        )
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if x1._dtype is not x2._dtype:
        raise RuntimeError(f"expected scalar type {_dtype_of(x1)} but found {_dtype_of(x2)}")
    diff = xp.abs(a[..., :, None, :] - b[..., None, :, :])
    if p == 0:
        result = (diff != 0).sum(-1).astype(a.dtype)
    elif p == float("inf"):
        result = diff.max(-1, initial=0)
    else:
        result = (diff**p).sum(-1) ** (1.0 / p)
    out = make(xp.ascontiguousarray(result.astype(a.dtype, copy=False)), x1._dtype)
    by_kernel = _by_kernel(p, a.shape[-2], b.shape[-2], compute_mode)
    return record(CdistNode, out, (x1, x2), (x1, x2, out), (float(p), by_kernel))


# --------------------------------------------------------------------------- publish

_export("tensordot", tensordot, method=False, grad_fns=("ViewBackward0",))
_export("kron", kron, grad_fns=("UnsafeViewBackward0",))
_export(
    "einsum",
    einsum,
    method=False,
    grad_fns=("PermuteBackward0", "SumBackward1", "MulBackward0", "ViewBackward0"),
)
_export("cross", cross, grad_fns=("LinalgCrossBackward0",))
_export("cdist", cdist, method=False, grad_fns=("CdistBackward0",))
