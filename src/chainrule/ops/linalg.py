"""Matrix products and their derivatives: matmul (@), mm, bmm, mv, dot, outer."""

from __future__ import annotations

from .._backend import FLOAT, xp
from .._registry import defop, export, record, result_dtype
from .._tensor import Tensor, make
from .shape import UnsafeViewNode, clone, view_of

__all__ = []


def _export(name, func, **kw):
    __all__.append(name)
    return export(name, func, **kw)


def _operands(a, b, name):
    if not isinstance(b, Tensor):
        raise TypeError(
            f"{name}(): argument 'other' (position 1) must be Tensor, not {type(b).__name__}"
        )
    if a._dtype is not b._dtype:
        first, second = (d.name.replace("float32", "float") for d in (a._dtype, b._dtype))
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {first} != {second}"
        )
    return a._data, b._data


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


def _batched_vjp(node, g):
    """Broadcast batched matmul; the engine sums batch dims back to each input's shape."""
    a, b = node.saved
    return (
        g.matmul(b.mT) if node.needs_input_grad(0) else None,
        a.mT.matmul(g) if node.needs_input_grad(1) else None,
    )


def _unsqueeze_rows_vjp(node, g):
    return (g.unsqueeze(-2),)


MmNode = defop("MmBackward0", _mm_vjp)
BmmNode = defop("BmmBackward0", _bmm_vjp)
MvNode = defop("MvBackward0", _mv_vjp)
DotNode = defop("DotBackward0", _dot_vjp)
BatchedNode = defop("UnsafeViewBackward0", _batched_vjp)
# torch computes vector @ matrix as mm(vector.unsqueeze(0), matrix).squeeze_(0)
SqueezeRowNode = defop("SqueezeBackward4", _unsqueeze_rows_vjp)


def mm(input, mat2):
    """Matrix product of two 2-D tensors."""
    a, b = _operands(input, mat2, "mm")
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
            f"{b.shape[0]}x{b.shape[1]})"
        )
    return record(MmNode, make(a @ b, input._dtype), (input, mat2), (input, mat2))


def bmm(input, mat2):
    """Batched matrix product of two 3-D tensors with the same batch size."""
    a, b = _operands(input, mat2, "bmm")
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, "
            f"{a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}]."
        )
    return record(BmmNode, make(a @ b, input._dtype), (input, mat2), (input, mat2))


def mv(input, vec):
    """Matrix-vector product."""
    a, v = _operands(input, vec, "mv")
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {v.ndim}, {a.ndim}, {v.ndim}")
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x{a.shape[1]}), "
            f"vec ({v.shape[0]})"
        )
    return record(MvNode, make(a @ v, input._dtype), (input, vec), (input, vec))


def dot(input, other):
    """Inner product of two 1-D tensors."""
    a, b = _operands(input, other, "dot")
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to "
            f"have the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements "
            "respectively"
        )
    return record(DotNode, make(xp.dot(a, b), input._dtype), (input, other), (input, other))


def matmul(input, other):
    """The matrix product with torch's rules for 1-D, 2-D and batched (broadcast) operands.

    >>> matmul(tensor([[1., 2.]]), tensor([[3.], [4.]]))
    tensor([[11.]])
    """
    if not isinstance(other, Tensor):
        return NotImplemented
    a, b = input._data, other._data
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D"
        )
    if a.ndim == 1 and b.ndim == 1:
        return dot(input, other)
    if a.ndim == 2 and b.ndim == 1:
        return mv(input, other)
    if a.ndim == 1 and b.ndim == 2:
        row = mm(input.unsqueeze(0), other)
        return record(SqueezeRowNode, view_of(row, row._data[0]), (row,))
    if a.ndim == 2 and b.ndim == 2:
        return mm(input, other)
    return _batched(input, other)


def _batched(input, other):
    """matmul with a batch dim. The recorded names follow torch's: the result of a 1-d operand
    is an unsafe view of the batched product; matrix @ batch, when the batch requires grad,
    is computed transposed and made contiguous (a clone)."""
    a, b = _operands(input, other, "matmul")
    matrix_at_batch = a.ndim == 2 and other.requires_grad
    squeeze_front = squeeze_back = False
    if a.ndim == 1:
        input, squeeze_front = input.unsqueeze(0), True
    if b.ndim == 1:
        other, squeeze_back = other.unsqueeze(1), True
    a, b = input._data, other._data
    if a.shape[-1] != b.shape[-2]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{b.shape[0] if b.ndim > 2 else a.shape[0]}, {a.shape[-1]}] but got: "
            f"[{b.shape[0] if b.ndim > 2 else a.shape[0]}, {b.shape[-2]}]."
        )
    try:
        result = xp.matmul(a, b)
    except ValueError:
        from .._registry import broadcast_error

        raise broadcast_error(a.shape[:-2], b.shape[:-2]) from None
    shapes = (
        a.shape if result.shape[:-2] != a.shape[:-2] else None,
        b.shape if result.shape[:-2] != b.shape[:-2] else None,
    )
    out = make(result, input._dtype)
    out = record(BatchedNode, out, (input, other), (input, other), None,
                 shapes if shapes != (None, None) else None)  # fmt: skip
    if squeeze_front or squeeze_back:
        shape = result.shape[:-2] + result.shape[-2:][squeeze_front : 2 - squeeze_back]
        return record(UnsafeViewNode, make(result.reshape(shape), out._dtype), (out,), None,
                      result.shape)  # fmt: skip
    if matrix_at_batch:
        return clone(out)
    return out


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

Tensor.__matmul__ = matmul
Tensor.__rmatmul__ = lambda self, other: (
    matmul(other, self) if isinstance(other, Tensor) else NotImplemented
)
FLOAT, result_dtype  # noqa: B018 (kept for symmetry with other families)
