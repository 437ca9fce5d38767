"""Primitives behind torch.nn: addmm (Linear), padding and embedding lookup.

Each rule is written with differentiable ops: constant padding's adjoint is constant padding
by the negated amounts (a crop), reflection/replication padding read the input through index
vectors so their rule adds the gradient back with index_add, and embedding's rule is an
index_add of the gradient rows into a zero table.

>>> import chainrule as torch
>>> torch.nn.functional.pad(torch.tensor([[1., 2.]]), (1, 1))
tensor([[0., 1., 2., 0.]])
"""

from __future__ import annotations

from .. import _backend
from .._backend import FLOAT, IN_PLACE_MIN, big_own_buffer, write_into, xp
from .._graph import SavedOutput, grad_state
from .._registry import (
    broadcast_shape,
    defop,
    export,
    keep_connected,
    record,
    result_dtype,
    sum_to_shape,
)
from .._tensor import Tensor, make
from .activations import softplus

__all__ = ["addmm", "pad", "embedding"]


# --------------------------------------------------------------------------- addmm


def _addmm_vjp(node, g):
    mat1, mat2 = node.saved
    beta, alpha, shape = node._args
    grad_input = grad_1 = grad_2 = None
    if node.needs_input_grad(0):
        grad_input = sum_to_shape(g if beta == 1 else g * beta, shape)
    if node.needs_input_grad(1):
        grad_1 = g.matmul(mat2.t())
        grad_1 = grad_1 if alpha == 1 else grad_1 * alpha
    if node.needs_input_grad(2):
        grad_2 = mat1.t().matmul(g)
        grad_2 = grad_2 if alpha == 1 else grad_2 * alpha
    return grad_input, grad_1, grad_2


AddmmNode = defop("AddmmBackward0", _addmm_vjp, batchable=False)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta * input + alpha * (mat1 @ mat2), input broadcast to the product's shape.

    >>> addmm(zeros(2), ones(1, 3), ones(3, 2))
    tensor([[3., 3.]])
    """
    a, b = mat1._data, mat2._data
    if a.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {a.ndim}-D tensor")
    if b.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {b.ndim}-D tensor")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
            f"{b.shape[0]}x{b.shape[1]})"
        )
    if not (input._dtype is mat1._dtype is mat2._dtype):
        raise RuntimeError(
            "expected m1 and m2 to have the same dtype, but got: "
            f"{mat1._dtype.c_name} != {mat2._dtype.c_name}"
        )
    if input._dtype is _backend.bool_:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    a, b = _backend.opmath(a), _backend.opmath(b)  # half: in float32, rounded once
    product = a @ b
    try:
        bias = xp.broadcast_to(input._data, product.shape)
    except ValueError:
        raise RuntimeError(
            f"The expanded size of the tensor ({product.shape[-1]}) must match the existing "
            f"size ({input.shape[-1]}) at non-singleton dimension 1.  Target sizes: "
            f"{list(product.shape)}.  Tensor sizes: {list(input.shape)}"
        ) from None
    if alpha != 1:
        product = product * alpha
    bias = _backend.opmath(bias)
    values = product + (bias if beta == 1 else bias * beta)
    out = make(values.astype(input._dtype.np, copy=False), input._dtype)
    args = (beta, alpha, tuple(input.shape))
    return record(AddmmNode, out, (input, mat1, mat2), (mat1, mat2), args)


# --------------------------------------------------------------------------- pad


def _constant_pad_vjp(node, g):
    (pads,) = node._args
    return (_constant_pad(g, tuple(-p for p in pads), 0.0),)


ConstantPadNode = defop("ConstantPadNdBackward0", _constant_pad_vjp, batchable=False)


def _constant_pad(input, pads, value):
    data = input._data
    ndim = data.ndim
    shape = list(data.shape)
    source, target = [slice(None)] * ndim, [slice(None)] * ndim
    for k in range(len(pads) // 2):
        d = ndim - 1 - k
        left, right = pads[2 * k], pads[2 * k + 1]
        size = shape[d] + left + right
        if size < 0:
            raise RuntimeError(
                f"The input size {shape[d]}, plus negative padding {left} and {right} resulted "
                f"in a negative output size, which is invalid. Check dimension {d} of your input."
            )
        source[d] = slice(max(-left, 0), shape[d] - max(-right, 0))
        target[d] = slice(max(left, 0), size - max(right, 0))
        shape[d] = size
    out = xp.full(shape, value, dtype=data.dtype)
    out[tuple(target)] = data[tuple(source)]
    return record(ConstantPadNode, make(out, input._dtype), (input,), None, (tuple(pads),))


def _index_pad_vjp(node, g):
    from .creation import zeros

    indices, shape = node._args
    saved = node.saved  # torch saves the input (circular: buffers freed after one backward)
    grad = g
    for dim, index in reversed(indices):
        sizes = list(grad.shape)
        sizes[dim] = shape[dim]
        grad = zeros(*sizes, dtype=g.dtype).index_add(dim, make(index, _backend.int64), grad)
    name = type(node).__name__
    if name != "CopySlices":  # reflection and replication: torch's kernel takes the input
        grad = keep_connected(grad, saved, name.replace("Backward0", "BackwardBackward0"))
    return (grad,)


_INDEX_PAD_NODES = {
    (mode, k): defop(f"{name}{k}DBackward0", _index_pad_vjp, batchable=False)
    for mode, name in (("reflect", "ReflectionPad"), ("replicate", "ReplicationPad"))
    for k in (1, 2, 3)
}
_CircularPadNode = defop("CopySlices", _index_pad_vjp, batchable=False)


def _pad_index(size, left, right, mode):
    positions = xp.arange(-left, size + right)
    if mode == "reflect":
        period = 2 * (size - 1)
        positions = xp.abs(positions) % period if period else positions * 0
        return xp.where(positions >= size, period - positions, positions)
    if mode == "replicate":
        return xp.clip(positions, 0, size - 1)
    return positions % size  # circular


def _index_pad(input, pads, mode):
    k = len(pads) // 2
    ndim = input.dim()
    if len(pads) % 2 or k > 3 or ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(pads)} is not supported for {ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
        )
    data = input._data
    indices = []
    for j in range(k):
        d = ndim - 1 - j
        left, right = pads[2 * j], pads[2 * j + 1]
        size = data.shape[d]
        if mode == "reflect" and (left >= size or right >= size):
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({left}, {right}) at dimension {d} of input "
                f"{list(input.shape)}"
            )
        if mode == "circular" and (left > size or right > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        indices.append((d, _pad_index(size, left, right, mode)))
    out = data
    for d, index in indices:
        out = xp.take(out, index, axis=d)
    node_cls = _CircularPadNode if mode == "circular" else _INDEX_PAD_NODES[(mode, k)]
    args = (tuple(indices), tuple(input.shape))
    result = make(out, input._dtype)
    saved = (SavedOutput(result),) if mode == "circular" else (input,)
    return record(node_cls, result, (input,), saved, args)


def pad(input, pad, mode="constant", value=None):
    """Pad the last len(pad) // 2 dims: (left, right, top, bottom, ...) from the last dim in.

    mode: 'constant' (with ``value``, negative amounts crop), 'reflect', 'replicate' or
    'circular'.

    >>> pad(tensor([[1., 2., 3.]]), (2, 1), mode='reflect')
    tensor([[3., 2., 1., 2., 3., 2.]])
    """
    pads = tuple(int(p) for p in pad)
    if len(pads) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pads) // 2 > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           "dimension but got padding length "
                           f"{len(pads)} and input of dimension {input.dim()}")  # fmt: skip
    if mode == "constant":
        return _constant_pad(input, pads, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    return _index_pad(input, pads, mode)


# --------------------------------------------------------------------------- embedding


def _embedding_vjp(node, g):
    from .creation import zeros

    (indices,) = node.saved
    num, padding_idx = node._args
    flat = indices.reshape(-1)
    rows = g.reshape(-1, g.shape[-1])
    if padding_idx is not None:  # the padding row gets no gradient
        keep = (flat != padding_idx).unsqueeze(1).to(g.dtype)
        rows = rows * keep
    return (zeros(num, g.shape[-1], dtype=g.dtype).index_add(0, flat, rows),)


EmbeddingNode = defop("EmbeddingBackward0", _embedding_vjp, batchable=False)


def padding_index(padding_idx, num_embeddings):
    """``padding_idx`` checked against the table size, negative values counted from the end."""
    if padding_idx is None:
        return None
    if padding_idx > 0:
        assert padding_idx < num_embeddings, "Padding_idx must be within num_embeddings"
    elif padding_idx < 0:
        assert padding_idx >= -num_embeddings, "Padding_idx must be within num_embeddings"
        padding_idx = num_embeddings + padding_idx
    return padding_idx


def embedding(
    input,
    weight,
    padding_idx=None,
    max_norm=None,
    norm_type=2.0,
    scale_grad_by_freq=False,
    sparse=False,
):
    """Rows of ``weight`` picked by the integer ``input``; padding_idx rows get no gradient.

    >>> embedding(tensor([[0, 2]]), eye(3))
    tensor([[[1., 0., 0.],
             [0., 0., 1.]]])
    """
    if not isinstance(input, Tensor) or input._dtype not in (_backend.int64, _backend.int32):
        kind = input._dtype.scalar_name if isinstance(input, Tensor) else "unknown"
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got torch.{kind}Tensor instead (while checking arguments "
            "for embedding)"
        )
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    num = weight.shape[0]
    padding_idx = padding_index(padding_idx, num)
    index = input._data
    if index.size and (index.min() < 0 or index.max() >= num):
        raise IndexError("index out of range in self")
    if max_norm is not None:  # torch renormalises the looked-up rows in place
        _renorm_rows(weight, index, max_norm, norm_type)
    if weight._dtype.kind != FLOAT:
        values = weight._data[index]
        return make(values, weight._dtype)
    values = weight._data[index]
    out = make(values, weight._dtype)
    return record(EmbeddingNode, out, (weight,), (input,), (num, padding_idx))


def _renorm_rows(weight, index, max_norm, norm_type):
    rows = xp.unique(index.reshape(-1))
    data = weight._data
    norms = xp.linalg.norm(data[rows], ord=norm_type, axis=1)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    data[rows] = data[rows] * scale[:, None].astype(data.dtype)
    weight._vbox[0] += 1


export("addmm", addmm, grad_fns=("AddmmBackward0",))
export(
    "nn.functional.pad",
    pad,
    function=False,
    method=False,
    grad_fns=(
        "ConstantPadNdBackward0",
        "CopySlices",
        *(f"{n}{k}DBackward0" for n in ("ReflectionPad", "ReplicationPad") for k in (1, 2, 3)),
    ),
)
export(
    "nn.functional.embedding",
    embedding,
    function=False,
    method=False,
    grad_fns=("EmbeddingBackward0",),
)


# --------------------------------------------------------------------------- nll_loss


def _nll_weights(target, weight, ignore_index, dtype):
    """Each sample's target (0 where ignored, a safe index) and its weight (0 if ignored)."""
    keep = target != ignore_index
    safe = xp.where(keep, target, 0)
    weights = keep.astype(dtype) if weight is None else weight[safe] * keep
    return safe, weights


def _with_class_axis(per_sample, class_axis):
    """A per-sample array with a length-1 class axis inserted (for the *_along_axis calls)."""
    shape = per_sample.shape
    return per_sample.reshape(shape[:class_axis] + (1,) + shape[class_axis:])


def _nll_selection(input, target, weight, ignore_index):
    """-w[target] at each sample's target class, 0 elsewhere and where ignored: an array of
    the input's shape (the constant the loss's gradient is a multiple of)."""
    class_axis = 1 if input.ndim >= 2 else 0
    safe, weights = _nll_weights(target, weight, ignore_index, input.dtype)
    selection = xp.zeros(input.shape, input.dtype)
    xp.put_along_axis(
        selection,
        _with_class_axis(safe, class_axis),
        _with_class_axis(0.0 - weights, class_axis),  # an ignored sample: +0, not -0
        class_axis,
    )
    return selection


def _nll_vjp(node, g):
    """Linear in the input: the gradient is g times the (constant) selection of -w[target].
    (The weight saved by torch is not differentiable; torch refuses it in the forward.)"""
    input, target, weight = node.saved
    ignore_index, reduction, total = node._args
    selection = _nll_selection(
        input._data, target._data, None if weight is None else weight._data, ignore_index
    )
    selection = make(selection, input._dtype)
    lead_dims = tuple(
        g._data.shape[: g._data.ndim - (target._data.ndim if reduction == "none" else 0)]
    )
    if reduction == "none":
        class_axis = len(lead_dims) + (1 if input._data.ndim >= 2 else 0)
        g = g.unsqueeze(class_axis)
    else:
        if reduction == "mean" and total != 0:  # all targets ignored: zeros, as in torch
            g = g / total
        g = g.reshape(lead_dims + (1,) * input._data.ndim)
    # + 0: the classes off the target (and every ignored sample) get +0 whatever g's sign,
    # as torch's kernel, which writes only the targets into zeros
    grad = g * selection
    if grad_state.enabled:
        return (grad + 0.0, None, None)
    if big_own_buffer(grad._data):  # the product is this rule's own array
        write_into(xp.add, grad._data, 0.0)
        return (grad, None, None)
    return (grad + 0.0, None, None)


NllLossNode = defop("NllLossBackward0", _nll_vjp)
NllLoss2dNode = defop("NllLoss2DBackward0", _nll_vjp)

_WEIGHT_GRAD = (
    "The function 'nll_loss_forward' is not differentiable with respect to argument 'weight'. "
    "This input cannot have requires_grad True."
)


def nll(input, target, weight, ignore_index, reduction):
    """nll_loss on checked arguments (class dim 1, or 0 for one unbatched sample), recorded
    as torch's single node. ``mean`` divides by the summed weights of the kept targets."""
    if weight is not None and weight._requires_grad and grad_state.enabled:
        raise RuntimeError(_WEIGHT_GRAD)
    data = input._data
    class_axis = 1 if data.ndim >= 2 else 0
    safe, weights = _nll_weights(
        target._data, None if weight is None else weight._data, ignore_index, data.dtype
    )
    picked = xp.take_along_axis(data, _with_class_axis(safe, class_axis), class_axis)
    picked = picked.reshape(safe.shape)
    losses = -picked * weights
    total = None
    if reduction == "none":
        result = losses
    elif reduction == "sum":
        result = losses.sum(dtype=data.dtype)
    else:
        total = weights.sum(dtype=data.dtype)
        with xp.errstate(invalid="ignore", divide="ignore"):  # all ignored: nan, as torch
            result = xp.true_divide(losses.sum(dtype=data.dtype), total)
    out = make(xp.asarray(result, dtype=data.dtype), input._dtype)
    node_cls = NllLoss2dNode if data.ndim > 2 else NllLossNode
    return record(
        node_cls, out, (input,), (input, target, weight), (ignore_index, reduction, total)
    )


# --------------------------------------------------------------------------- mse_loss


def _over_elements(g, reduction, ndim):
    """A reduced loss's gradient (one number per batch row) shaped to broadcast over the
    ``ndim`` element dims; unreduced ('none') gradients already have them."""
    if reduction == "none":
        return g
    return g.reshape(tuple(g._data.shape) + (1,) * ndim)


def _mse_vjp(node, g):
    """torch's mse_loss_backward: norm * (input - target) * g, norm = 2 (2 / n for mean)."""
    input, target = node.saved
    reduction, count = node._args
    norm = 2.0 / count if reduction == "mean" else 2.0
    g = _over_elements(g, reduction, max(input._data.ndim, target._data.ndim))
    grad = (input - target) * norm * g
    return (
        grad if node.needs_input_grad(0) else None,
        -grad if node.needs_input_grad(1) else None,
    )


MseLossNode = defop("MseLossBackward0", _mse_vjp)


def mse(input, target, reduction):
    """mse_loss on checked arguments, recorded as torch's single MseLossBackward0 node."""
    a, b = input._data, target._data
    if a.shape != b.shape:
        broadcast_shape(a.shape, b.shape)  # torch's RuntimeError for shapes that clash
    dtype = input._dtype if input._dtype is target._dtype else None
    if dtype is None:
        dtype = result_dtype(input, target)
        a, b = a.astype(dtype.np), b.astype(dtype.np)
    diff = xp.subtract(a, b, out=...)
    squares = xp.multiply(diff, diff, out=diff if diff.size >= IN_PLACE_MIN else ...)
    count = squares.size
    if reduction == "none":
        result = squares
    elif reduction == "sum":
        result = squares.sum(dtype=squares.dtype)
    else:
        with xp.errstate(invalid="ignore", divide="ignore"):  # empty input: nan, as torch
            result = xp.true_divide(squares.sum(dtype=squares.dtype), count)
    out = make(xp.asarray(result, dtype=dtype.np), dtype)
    shapes = None
    if a.shape != squares.shape or b.shape != squares.shape:  # broadcast: sum gradients back
        shapes = (
            a.shape if a.shape != squares.shape else None,
            b.shape if b.shape != squares.shape else None,
        )
    return record(MseLossNode, out, (input, target), (input, target), (reduction, count), shapes)


# --------------------------------------------------------------------------- BCE with logits


def _bce_logits_vjp(node, g):
    """torch's formulas: input (sigmoid(x) - y) * g, or with pos_weight p and t = p * y,
    (sigmoid(x) * (t + 1 - y) - t) * g; target -x * g, or ((1 - p) logsigmoid(x) - x) * g;
    times the weight, over the element count for 'mean'."""
    input, target, weight, pos_weight = node.saved
    reduction = node._args
    g = _over_elements(g, reduction, input._data.ndim)
    if reduction == "mean":
        g = g / max(input._data.size, 1)
    if weight is not None:
        g = g * weight
    grad_input = grad_target = None
    if pos_weight is None:
        if node.needs_input_grad(0):
            grad_input = (input.sigmoid() - target) * g
        if node.needs_input_grad(1):
            grad_target = -input * g
    else:
        if node.needs_input_grad(0):
            scaled = pos_weight * target
            grad_input = (input.sigmoid() * (scaled + 1 - target) - scaled) * g
        if node.needs_input_grad(1):
            log_sigmoid = -softplus(-input)
            grad_target = ((1 - pos_weight) * log_sigmoid - input) * g
    return grad_input, grad_target


BceWithLogitsNode = defop("BinaryCrossEntropyWithLogitsBackward0", _bce_logits_vjp)


def bce_with_logits(value, input, target, weight, pos_weight, reduction):
    """Record ``value`` (the loss, computed unrecorded by the caller) as torch's one node."""
    if grad_state.enabled:
        for name, extra in (("weight", weight), ("pos_weight", pos_weight)):
            if extra is not None and extra._requires_grad:
                raise RuntimeError(
                    "The function 'binary_cross_entropy_with_logits' is not differentiable "
                    f"with respect to argument '{name}'. This input cannot have "
                    "requires_grad True."
                )
    out = make(value._data, value._dtype)
    return record(
        BceWithLogitsNode, out, (input, target), (input, target, weight, pos_weight), reduction
    )


# --------------------------------------------------------------------------- smooth L1, Huber


def _elementwise_loss_vjp(node, g):
    """loss = reduce(f(input - target)): the input's gradient is f'(d) * g (over the element
    count for 'mean'); the target's is its negation. f' is the op's ``slope(d)``."""
    input, target = node.saved
    reduction, count, slope = node._args
    g = _over_elements(g, reduction, max(input._data.ndim, target._data.ndim))
    if reduction == "mean":
        g = g / max(count, 1)
    grad = slope(input - target) * g
    return (
        grad if node.needs_input_grad(0) else None,
        -grad if node.needs_input_grad(1) else None,
    )


SmoothL1Node = defop("SmoothL1LossBackward0", _elementwise_loss_vjp)
HuberNode = defop("HuberLossBackward0", _elementwise_loss_vjp)


def elementwise_loss(node_cls, value, input, target, reduction, slope):
    """Record ``value`` = reduce(f(input - target)) (computed unrecorded by the caller) as
    torch's one node, with ``slope`` = f' written in chainrule ops."""
    shape = xp.broadcast_shapes(input._data.shape, target._data.shape)
    count = 1
    for size in shape:
        count *= size
    shapes = None
    if input._data.shape != shape or target._data.shape != shape:  # sum gradients back
        shapes = (
            input._data.shape if input._data.shape != shape else None,
            target._data.shape if target._data.shape != shape else None,
        )
    out = make(value._data, value._dtype)
    return record(
        node_cls, out, (input, target), (input, target), (reduction, count, slope), shapes
    )
