"""Matrix products and their derivatives: matmul (@), mm, bmm, mv, dot, outer."""

from __future__ import annotations

from .. import _backend
from .._backend import xp
from .._registry import broadcast_shape, defop, export, record
from .._tensor import Tensor, make
from .shape import UnsafeViewNode

__all__ = []


def _export(name, func, **kw):
    __all__.append(name)
    return export(name, func, **kw)


def _check_tensors(name, input, other, other_name):
    for arg, value, position in (("input", input, 1), (other_name, other, 2)):
        if not isinstance(value, Tensor):
            raise TypeError(
                f"{name}(): argument '{arg}' (position {position}) must be Tensor, "
                f"not {type(value).__name__}"
            )
    return input._data, other._data


def _no_bool(kernel, t):
    if t._dtype is _backend.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _saves(a, b):
    """What a product saves, as torch: each operand only when the other needs a gradient
    (so writing in place to ``b`` after ``constant @ b`` does not break backward)."""
    return (a if b._requires_grad else None, b if a._requires_grad else None)


def _mm_vjp(node, g):
    a, b = node.saved
    return (
        g.matmul(b.t()) if node.needs_input_grad(0) else None,
        a.t().matmul(g) if node.needs_input_grad(1) else None,
    )


def _bmm_vjp(node, g):
    a, b = node.saved
    return (
        g.matmul(b.transpose(1, 2)) if node.needs_input_grad(0) else None,
        a.transpose(1, 2).matmul(g) if node.needs_input_grad(1) else None,
    )


def _mv_vjp(node, g):
    a, v = node.saved
    return (
        g.unsqueeze(-1) * v if node.needs_input_grad(0) else None,
        g.matmul(a) if node.needs_input_grad(1) else None,
    )


def _dot_vjp(node, g):
    a, b = node.saved
    if g._data.ndim:  # batched gradients: one scalar per row
        g = g.unsqueeze(-1)
    return (
        g * b if node.needs_input_grad(0) else None,
        g * a if node.needs_input_grad(1) else None,
    )


def _unsqueeze_rows_vjp(node, g):
    return (g.unsqueeze(-2),)


MmNode = defop("MmBackward0", _mm_vjp)
BmmNode = defop("BmmBackward0", _bmm_vjp)
MvNode = defop("MvBackward0", _mv_vjp)
DotNode = defop("DotBackward0", _dot_vjp)
# torch computes vector @ matrix as mm(vector.unsqueeze(0), matrix).squeeze_(0)
SqueezeRowNode = defop("SqueezeBackward4", _unsqueeze_rows_vjp)


def mm(input, mat2):
    """Matrix product of two 2-D tensors."""
    a, b = _check_tensors("mm", input, mat2, "mat2")
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
            f"{b.shape[0]}x{b.shape[1]})"
        )
    if input._dtype is not mat2._dtype:
        raise RuntimeError(
            "expected m1 and m2 to have the same dtype, but got: "
            f"{input._dtype.c_name} != {mat2._dtype.c_name}"
        )
    _no_bool("addmm_impl_cpu_", input)
    return record(MmNode, make(a @ b, input._dtype), (input, mat2), _saves(input, mat2))


def bmm(input, mat2):
    """Batched matrix product of two 3-D tensors with the same batch size."""
    a, b = _check_tensors("bmm", input, mat2, "mat2")
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, "
            f"{a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}]."
        )
    _no_bool("bmm", input)
    if input._dtype is not mat2._dtype:
        raise RuntimeError(
            f"expected scalar type {input._dtype.scalar_name} but found {mat2._dtype.scalar_name}"
        )
    return record(BmmNode, make(a @ b, input._dtype), (input, mat2), _saves(input, mat2))


def mv(input, vec):
    """Matrix-vector product."""
    a, v = _check_tensors("mv", input, vec, "vec")
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {v.ndim}, {a.ndim}, {v.ndim}")
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x{a.shape[1]}), "
            f"vec ({v.shape[0]})"
        )
    if input._dtype is not vec._dtype:
        names = [t._dtype.scalar_name for t in (vec, input, vec)]
        raise RuntimeError(
            f"addmv input tensors must have the same dtype, but got {names[0]}, "
            f"{names[1]}, and {names[2]}"
        )
    _no_bool("addmv_impl_cpu", input)
    return record(MvNode, make(a @ v, input._dtype), (input, vec), _saves(input, vec))


def dot(input, other):
    """Inner product of two 1-D tensors."""
    a, b = _check_tensors("dot", input, other, "tensor")
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if input._dtype is not other._dtype:
        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{input._dtype.scalar_name} and {other._dtype.scalar_name}"
        )
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to "
            f"have the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements "
            "respectively"
        )
    _no_bool("dot", input)
    out = make(xp.dot(a, b), input._dtype)
    return record(DotNode, out, (input, other), _saves(input, other))


def matmul(input, other):
    """The matrix product with torch's rules for 1-D, 2-D and batched (broadcast) operands.

    >>> matmul(tensor([[1., 2.]]), tensor([[3.], [4.]]))
    tensor([[11.]])
    """
    _check_tensors("matmul", input, other, "other")
    return _matmul(input, other)


def _matmul_operator(input, other):
    return _matmul(input, other) if isinstance(other, Tensor) else NotImplemented


def _matmul(input, other):
    da, db = input._data.ndim, other._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D"
        )
    if da == 1 and db == 1:
        return dot(input, other)
    if da == 2 and db == 1:
        return mv(input, other)
    if da == 1 and db == 2:
        row = mm(input.unsqueeze(0), other)
        # torch squeezes the product in place: the same storage, not a view, at version 1
        out = make(row._data[0], row._dtype)
        out._vbox = row._vbox
        out._vbox[0] += 1
        return record(SqueezeRowNode, out, (row,))
    if da == 2 and db == 2:
        return mm(input, other)
    # With a batch, as torch does: fold the batch into the rows of one mm / mv where that is
    # cheap (or saves a large gradient for the smaller operand), else expand both batches to
    # their broadcast shape and call bmm on the flattened batch.
    if da == 3 and db == 3:
        input, other = _squeeze_unit_batch(input, other)
        da, db = input._data.ndim, other._data.ndim
    if _should_fold(input, other):
        return _folded(input, other)
    return _batched(input, other)


def _squeeze_unit_batch(a, b):
    """3-D @ 3-D where one batch is 1 and the other is not: that one is a matrix, if it wants a
    gradient (its gradient is then one mm, not a batch of products summed)."""
    na, nb = a._data.shape[0], b._data.shape[0]
    if na == nb or 1 not in (na, nb):
        return a, b
    if nb == 1 and b._requires_grad:
        return a, b.squeeze(0)
    if na == 1 and a._requires_grad:
        return a.squeeze(0), b
    return a, b


def _should_fold(a, b):
    """Can the operand with the batch be folded into a matrix (as torch decides)?"""
    da, db = a._data.ndim, b._data.ndim
    if da >= db:
        big, small = a._data, b
    else:
        big, small = xp.swapaxes(b._data, -1, -2), a
    if big.ndim < 3 or small._data.ndim > 2:
        return False
    if small._requires_grad:  # its gradient is one product, not a batch of them to sum
        return True
    if da == 2:  # matrix @ batch: the folded result would need a transposed copy
        return False
    if big.size == 0:
        return True
    # folding is free when the batch dims (and the rows) merge into one dim without a copy
    shape, strides = big.shape, big.strides
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(big.ndim - 2))


def _prod(sizes):
    count = 1
    for size in sizes:
        count *= size
    return count


def _unsafe_view(t, shape):
    return record(UnsafeViewNode, make(t._data.reshape(shape), t._dtype), (t,), None, t._data.shape)


def _folded(a, b):
    """batch @ matrix (or vector) as one mm (or mv) on the batch folded into rows; a matrix or
    vector @ batch computes the transposed product the same way."""
    transposed = b._data.ndim > a._data.ndim
    if transposed:
        big, small = b.mT, (a.t() if a._data.ndim == 2 else a)
    else:
        big, small = a, b
    shape = big._data.shape
    rows = big.reshape(_prod(shape[:-1]), shape[-1])
    if small._data.ndim == 2:
        out = _unsafe_view(mm(rows, small), shape[:-1] + small._data.shape[1:])
    else:
        out = _unsafe_view(mv(rows, small), shape[:-1])
    if transposed and small._data.ndim == 2:
        return out.mT.contiguous()
    return out


def _batched(input, other):
    """Both batches expanded to their broadcast shape, flattened to one dim, and one bmm."""
    a, b = input._data, other._data
    rows = a.shape[-2] if a.ndim > 1 else 1
    cols = b.shape[-1] if b.ndim > 1 else 1
    batch = broadcast_shape(a.shape[:-2], b.shape[:-2])
    count = _prod(batch)
    left = input.expand(batch + (rows, a.shape[-1])).reshape(count, rows, a.shape[-1])
    if b.ndim == 1:
        other = other.unsqueeze(-1)
    depth = other._data.shape[-2]
    right = other.expand(batch + (depth, cols)).reshape(count, depth, cols)
    out = bmm(left, right)
    shape = batch + ((rows,) if a.ndim > 1 else ())
    if b.ndim == 1:
        out = out.squeeze(-1)
    else:
        shape += (cols,)
    return _unsafe_view(out, shape)


def inner(input, other):
    """Sum of products over the last dim of each (a plain product when either is 0-d).

    The result has shape input.shape[:-1] + other.shape[:-1] (recorded as a view, as in torch).
    """
    if input._data.ndim == 0 or other._data.ndim == 0:
        return input * other
    k = input._data.shape[-1]
    if other._data.shape[-1] != k:
        raise RuntimeError(
            f"inner() the last dimension must match on both input tensors but got shapes "
            f"{list(input.shape)} and {list(other.shape)}"
        )
    if input._dtype is not other._dtype:
        raise RuntimeError("both inputs should have same dtype")
    product = mm(input.reshape(-1, k), other.reshape(-1, k).t())
    return product.reshape(input._data.shape[:-1] + other._data.shape[:-1])


def outer(input, vec2):
    """Outer product of two vectors (recorded as a broadcast multiply, as in torch)."""
    return input.unsqueeze(1) * vec2


for _name, _func, _grad_fns in (
    (
        "matmul",
        matmul,
        (
            "MmBackward0",
            "MvBackward0",
            "DotBackward0",
            "UnsafeViewBackward0",
            "SqueezeBackward4",
            "CloneBackward0",
            "TransposeBackward0",
        ),
    ),
    ("mm", mm, ("MmBackward0",)),
    ("bmm", bmm, ("BmmBackward0",)),
    ("mv", mv, ("MvBackward0",)),
    ("dot", dot, ("DotBackward0",)),
    ("inner", inner, ("ViewBackward0", "MulBackward0")),
    ("outer", outer, ("MulBackward0",)),
    ("ger", outer, ("MulBackward0",)),
):
    _export(_name, _func, grad_fns=_grad_fns)

Tensor.__matmul__ = _matmul_operator
Tensor.__rmatmul__ = lambda self, other: (
    _matmul(other, self) if isinstance(other, Tensor) else NotImplemented
)
