"""Loss functions and their Modules, composed from chainrule ops (so gradients of any order
come for free), with torch's reductions, options, warnings and errors.

>>> import chainrule as torch
>>> torch.nn.functional.cross_entropy(torch.zeros(2, 3), torch.tensor([0, 2]))
tensor(1.0986)
"""

from __future__ import annotations

import os
import sys
import warnings

from .. import _backend
from .._backend import FLOAT
from .._graph import no_grad
from .._registry import defop, record
from .._tensor import make
from ..ops import nn_ops
from ..ops.composite import composite
from ..ops.elementwise import where
from .module import Module

__all__ = [
    "l1_loss",
    "mse_loss",
    "smooth_l1_loss",
    "huber_loss",
    "kl_div",
    "nll_loss",
    "cross_entropy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "L1Loss",
    "MSELoss",
    "SmoothL1Loss",
    "HuberLoss",
    "KLDivLoss",
    "NLLLoss",
    "CrossEntropyLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
]

_REDUCTIONS = ("none", "mean", "sum")


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(loss, reduction):
    _check_reduction(reduction)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _legacy_reduction(size_average, reduce):
    """The reduction the deprecated size_average / reduce flags name (None counts as True)."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _reduction(size_average, reduce, reduction):
    """The reduction to use: from the deprecated size_average / reduce when either is given
    (they override ``reduction``, with torch's deprecation warning), else ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    reduction = _legacy_reduction(size_average, reduce)
    warnings.warn(
        "size_average and reduce args will be deprecated, please use "
        f"reduction='{reduction}' instead.",
        UserWarning,
        stacklevel=_caller_outside_package(),
    )
    return reduction


_PACKAGE_DIR = os.path.dirname(os.path.dirname(__file__))  # as code objects spell it


def _caller_outside_package() -> int:
    """The stacklevel, seen from the function that calls this one, of the first frame outside
    chainrule: the warning then names the user's line, however deep the loss's __init__
    chain (NLLLoss -> _WeightedLoss -> _Loss) or call path is."""
    frame, level = sys._getframe(2), 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    return level


def _size(shape) -> str:
    return f"torch.Size({list(shape)})"


def _warn_target_size(input, target, stacklevel=3):
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(
            f"Using a target size ({_size(target.shape)}) that is different to the input size "
            f"({_size(input.shape)}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=stacklevel,
        )


# --------------------------------------------------------------------------- regression


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean absolute error.

    >>> l1_loss(tensor([1., 2.]), tensor([0., 4.]))
    tensor(1.5000)
    """
    _warn_target_size(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    return _reduce((input - target).abs(), reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error.

    >>> mse_loss(tensor([1., 2.]), tensor([0., 4.]))
    tensor(2.5000)
    """
    _warn_target_size(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if weight is None:  # torch records one MseLossBackward0 node
        return nn_ops.mse(input, target, reduction)
    _check_loss_weight(input, weight)
    loss = (input - target) ** 2 * weight
    if reduction == "mean":  # torch divides by the total weight, not the element count
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


def _check_loss_weight(input, weight):
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (d = input - target).

    >>> smooth_l1_loss(tensor([0.5, 3.]), tensor([0., 0.]))
    tensor(1.3125)
    """
    _warn_target_size(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:
        return _reduce((input - target).abs(), reduction)
    with no_grad():
        value = _smooth_l1(input, target, reduction, beta)

    def slope(d):  # torch: d / beta inside (-beta, beta), the sign of d outside
        return where(d.abs() < beta, d / beta, d.sign())

    return nn_ops.elementwise_loss(nn_ops.SmoothL1Node, value, input, target, reduction, slope)


def _smooth_l1(input, target, reduction, beta):
    diff = (input - target).abs()
    return _reduce(where(diff < beta, diff * diff * (0.5 / beta), diff - 0.5 * beta), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta).

    >>> huber_loss(tensor([0.5, 3.]), tensor([0., 0.]), delta=2.)
    tensor(2.0625)
    """
    _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _warn_target_size(input, target)
    if weight is None:  # torch records one HuberLossBackward0 node
        return _huber_op(input, target, reduction, delta)
    _check_loss_weight(input, weight)
    return _reduce(_huber_op(input, target, "none", delta) * weight, reduction)


def _huber(input, target, reduction, delta):
    diff = (input - target).abs()
    loss = where(diff < delta, diff * diff * 0.5, (diff - 0.5 * delta) * delta)
    return _reduce(loss, reduction)


def _huber_op(input, target, reduction, delta):
    with no_grad():
        value = _huber(input, target, reduction, delta)

    def slope(d):  # torch: d inside (-delta, delta), delta times the sign of d outside
        return where(d.abs() < delta, d, d.sign() * delta)

    return nn_ops.elementwise_loss(nn_ops.HuberNode, value, input, target, reduction, slope)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL(target || exp(input)) pointwise: target * (log target - input).

    ``reduction='batchmean'`` divides the sum by the batch size (the KL divergence proper).

    >>> kl_div(tensor([0., 0.]), tensor([0.5, 0.5]), reduction="sum")
    tensor(-0.6931)
    """
    if size_average is not None or reduce is not None:  # no 'mean' warning then
        reduction = _reduction(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            UserWarning,
            stacklevel=2,
        )
    if reduction not in _REDUCTIONS + ("batchmean",):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = target.xlogy(target) - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.dim() else loss.sum()
    return _reduce(loss, reduction)


# --------------------------------------------------------------------------- classification


def _check_class_target(target):
    if target._dtype not in (_backend.int64, _backend.uint8):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {target._dtype.scalar_name}"
        )


def _check_weight(weight, classes):
    if weight is not None and (weight.dim() != 1 or weight.shape[0] != classes):
        raise RuntimeError(
            f"weight tensor should be defined either for all {classes} classes or no classes "
            f"but got weight tensor of shape: {list(weight.shape)}"
        )


def _classes_last(input):
    """Move the class dim (1, or 0 for unbatched input) to the end."""
    return input if input.dim() == 1 else input.movedim(1, -1)


def _check_batch(input, target):
    shape, target_shape = input._data.shape, target._data.shape
    if len(shape) >= 2 and (not target_shape or shape[0] != target_shape[0]):
        size = target_shape[0] if target_shape else 1
        raise ValueError(
            f"Expected input batch_size ({shape[0]}) to match target batch_size ({size})."
        )
    if len(shape) <= 2 and len(target_shape) > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if len(shape) == 1 and len(target_shape) == 1 and target_shape[0] != 1:
        raise ValueError(
            f"For 1D input, 1D target must have size 1, but got target size: {target_shape[0]}"
        )
    expected = shape[:1] + shape[2:] if len(shape) >= 2 else ()
    if target_shape != expected:
        raise RuntimeError(f"Expected target size {list(expected)}, got {list(target_shape)}")


def _check_targets(input, target, ignore_index):
    """Every target not ignored names a class (torch's IndexError otherwise)."""
    classes = input.shape[1] if input.dim() >= 2 else input.shape[0]
    data = target._data
    keep = data != ignore_index
    bad = keep & ((data < 0) | (data >= classes))
    if bad.any():
        raise IndexError(f"Target {int(data[bad].reshape(-1)[0])} is out of bounds.")
    return data, keep


def _picked_and_weights(input, target, weight, ignore_index):
    """Per-element -log p[target] * w[target] and the weights (0 where ignored)."""
    data, keep = _check_targets(input, target, ignore_index)
    from .._tensor import make

    safe = make(data * keep, _backend.int64)
    mask = make(keep, _backend.bool_)
    logp = _classes_last(input)
    picked = logp.gather(-1, safe.unsqueeze(-1)).squeeze(-1)
    weights = mask.to(input.dtype)
    if weight is not None:
        weights = weight[safe] * weights
    return -picked * weights, weights, mask


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):  # fmt: skip
    """Negative log-likelihood of class indices under log-probabilities (classes in dim 1).

    >>> nll_loss(tensor([[-1., -2.]]), tensor([1]))
    tensor(2.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_class_target(target)
    _check_batch(input, target)
    _check_weight(weight, input.shape[1] if input.dim() >= 2 else input.shape[0])
    _check_targets(input, target, ignore_index)
    out = nn_ops.nll(input, target, weight, ignore_index, reduction)
    if input.dim() not in (1, 2, 4) and reduction == "none":
        out = out.view(out.shape)  # torch reshapes to 4-D and back
    return out


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):  # fmt: skip
    """log_softmax over dim 1, then nll_loss -- or, with float targets of the input's shape,
    the cross entropy against class probabilities. label_smoothing mixes in the uniform
    distribution.

    >>> cross_entropy(zeros(1, 4), tensor([3]), label_smoothing=0.1)
    tensor(1.3863)
    """
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.dim() == 1 else 1
    classes = input.shape[class_dim]
    _check_weight(weight, classes)
    logp = input.log_softmax(class_dim)
    if tuple(input.shape) == tuple(target.shape):
        if ignore_index != -100:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _cross_entropy_probabilities(logp, target, weight, reduction, label_smoothing)
    _check_class_target(target)
    _check_batch(input, target)
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0:
        return nll
    _, weights, mask = _picked_and_weights(logp.detach(), target, weight, ignore_index)
    spread = _classes_last(logp)
    if weight is not None:
        spread = spread * weight
    smooth = -spread.sum(-1) * mask.to(input.dtype)
    if reduction == "mean":
        smooth = smooth.sum() / weights.sum() if weight is not None else smooth.sum() / mask.sum()
    else:
        smooth = _reduce(smooth, reduction)
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / classes)


def _cross_entropy_probabilities(logp, target, weight, reduction, label_smoothing):
    if target._dtype.kind != FLOAT:
        raise RuntimeError(
            "Expected floating point type for target with class probabilities, got "
            f"{target._dtype.scalar_name}"
        )
    class_dim = 0 if logp.dim() == 1 else 1
    classes = logp.shape[class_dim]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    terms = _classes_last(logp) * _classes_last(target)
    if weight is not None:
        terms = terms * weight
    if reduction == "none":
        return -terms.sum(-1)
    if reduction == "sum":
        return -terms.sum()
    return _div_number(-terms.sum(), n=logp.numel() / classes)


_div_number = composite("DivBackward1", lambda t, n: t / n, linear=True)


def _check_same_size(input, target, deprecated=True):
    if tuple(target.shape) != tuple(input.shape):
        if deprecated:
            raise ValueError(
                f"Using a target size ({_size(target.shape)}) that is different to the input "
                f"size ({_size(input.shape)}) is deprecated. Please ensure they have the same "
                "size."
            )
        raise ValueError(
            f"Target size ({_size(target.shape)}) must be the same as input size "
            f"({_size(input.shape)})"
        )


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):  # fmt: skip
    """-(t log p + (1 - t) log(1 - p)), the logs clamped at -100 as torch does.

    >>> binary_cross_entropy(tensor([0.5]), tensor([1.]))
    tensor(0.6931)
    """
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_same_size(input, target)
    if target._dtype is not input._dtype:
        raise RuntimeError(
            f"Found dtype {target._dtype.scalar_name} but expected {input._dtype.scalar_name}"
        )
    data = input._data
    if ((data < 0) | (data > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    with no_grad():
        out = _bce(input, target, weight, reduction)
    out = make(out._data, out._dtype)
    return record(_BCENode, out, (input, target), saved=(input, target, weight), args=reduction)


def _bce(input, target, weight, reduction):
    loss = -(
        target * input.log().clamp(min=-100) + (1 - target) * (1 - input).log().clamp(min=-100)
    )
    return _reduce(loss if weight is None else loss * weight, reduction)


def _bce_vjp(node, g):
    """torch's rules: g (x - y) / max(x (1 - x), 1e-12) for the input, -g logit(x) for the
    target, each times the weight and over the element count under 'mean'."""
    input, target, weight = node.saved
    grad_input = grad_target = None
    if node.needs_input_grad(0):
        grad_input = g * (input - target) / ((1 - input) * input).clamp(min=1e-12)
        if weight is not None:
            grad_input = grad_input * weight
        if node._args == "mean":
            grad_input = grad_input / input.numel()
    if node.needs_input_grad(1):
        grad_target = -input.logit() * g
        if weight is not None:
            grad_target = grad_target * weight
        if node._args == "mean":
            grad_target = grad_target / target.numel()
    return grad_input, grad_target


_BCENode = defop("BinaryCrossEntropyBackward0", _bce_vjp, batchable=False)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):  # fmt: skip
    """BCE on logits, computed stably; pos_weight scales the positive term per class.

    >>> binary_cross_entropy_with_logits(tensor([0.]), tensor([1.]), pos_weight=tensor([2.]))
    tensor(1.3863)
    """
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_same_size(input, target, deprecated=False)
    with no_grad():
        value = _bce_logits(input, target, weight, reduction, pos_weight)
    return nn_ops.bce_with_logits(value, input, target, weight, pos_weight, reduction)


def _bce_logits(input, target, weight, reduction, pos_weight):
    # log(1 + exp(-x)) computed without overflow: max(-x, 0) + log1p(exp(-|x|))
    log_sigmoid_neg = (-input).clamp(min=0) + (-input.abs()).exp().log1p()
    if pos_weight is None:
        loss = (1 - target) * input + log_sigmoid_neg
    else:
        loss = (1 - target) * input + (1 + (pos_weight - 1) * target) * log_sigmoid_neg
    return _reduce(loss if weight is None else loss * weight, reduction)


# --------------------------------------------------------------------------- modules


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__()
        self.reduction = _reduction(size_average, reduce, reduction)


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class L1Loss(_Loss):
    """Mean absolute error as a Module."""

    def forward(self, input, target):
        return l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error as a Module.

    >>> MSELoss(reduction="sum")(tensor([1., 2.]), tensor([0., 0.]))
    tensor(5.)
    """

    def forward(self, input, target):
        return mse_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """smooth_l1_loss as a Module."""

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """huber_loss as a Module."""

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class KLDivLoss(_Loss):
    """kl_div as a Module (input: log-probabilities)."""

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class NLLLoss(_WeightedLoss):
    """nll_loss as a Module."""

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean"):  # fmt: skip
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return nll_loss(input, target, self.weight, ignore_index=self.ignore_index,
                        reduction=self.reduction)  # fmt: skip


class CrossEntropyLoss(_WeightedLoss):
    """cross_entropy as a Module.

    >>> CrossEntropyLoss()(zeros(2, 3), tensor([0, 1]))
    tensor(1.0986)
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean", label_smoothing=0.0):  # fmt: skip
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return cross_entropy(input, target, self.weight, ignore_index=self.ignore_index,
                             reduction=self.reduction,
                             label_smoothing=self.label_smoothing)  # fmt: skip


class BCELoss(_WeightedLoss):
    """binary_cross_entropy as a Module."""

    def forward(self, input, target):
        return binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """binary_cross_entropy_with_logits as a Module (weight and pos_weight are buffers)."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean",
                 pos_weight=None):  # fmt: skip
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return binary_cross_entropy_with_logits(input, target, self.weight,
                                                reduction=self.reduction,
                                                pos_weight=self.pos_weight)  # fmt: skip
