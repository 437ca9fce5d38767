"""The margin, ranking, embedding and likelihood losses, with their Modules.

Each is composed from chainrule ops the way torch composes it (so the grad_fn is torch's
last node and gradients of any order come for free), except multi_margin_loss and
soft_margin_loss, which are one node each in torch too (ops/nn_more.py).

>>> import chainrule as torch
>>> torch.nn.functional.margin_ranking_loss(torch.tensor([1., 2.]), torch.tensor([2., 0.]),
...                                         torch.tensor([1., 1.]))
tensor(0.5000)
"""

from __future__ import annotations

import math

from .._graph import no_grad
from .._registry import export
from .._tensor import Tensor
from ..ops import nn_more
from ..ops.activations import softplus
from ..ops.creation import ones_like, zeros_like
from ..ops.elementwise import where
from .distance import pairwise_distance
from .loss import _check_reduction, _Loss, _reduce, _reduction, _WeightedLoss

__all__ = [
    "multilabel_soft_margin_loss",
    "multi_margin_loss",
    "triplet_margin_loss",
    "cosine_embedding_loss",
    "margin_ranking_loss",
    "hinge_embedding_loss",
    "soft_margin_loss",
    "poisson_nll_loss",
    "gaussian_nll_loss",
    "MultiLabelSoftMarginLoss",
    "MultiMarginLoss",
    "TripletMarginLoss",
    "CosineEmbeddingLoss",
    "MarginRankingLoss",
    "HingeEmbeddingLoss",
    "SoftMarginLoss",
    "PoissonNLLLoss",
    "GaussianNLLLoss",
]


def _size(t) -> str:
    return f"torch.Size({list(t.shape)})"


# --------------------------------------------------------------------------- classification


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):  # fmt: skip
    """Binary cross-entropy on logits per class, averaged over the classes.

    >>> multilabel_soft_margin_loss(tensor([[0., 0.]]), tensor([[1., 0.]]))
    tensor(0.6931)
    """
    reduction = _reduction(size_average, reduce, reduction)
    loss = -(target * -softplus(-input) + (1 - target) * -softplus(input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(dim=input.dim() - 1) / input.shape[-1]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not valid")
    return _reduce(loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):  # fmt: skip
    """Multi-class hinge loss: sum over i != y of max(0, margin - x[y] + x[i])^p, over C.

    >>> multi_margin_loss(tensor([[0.1, 0.2, 0.4, 0.8]]), tensor([3]))
    tensor(0.3250)
    """
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    return nn_more.multi_margin(input, target, p, margin, weight, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Two-class logistic loss log(1 + exp(-y x)), y in {1, -1}.

    >>> soft_margin_loss(tensor([0., 2.]), tensor([1., -1.]))
    tensor(1.4100)
    """
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    return nn_more.soft_margin(input, target, reduction)


# --------------------------------------------------------------------------- embeddings


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):  # fmt: skip
    """max(d(a, p) - d(a, n) + margin, 0) with d the p-norm distance (swap: the smaller of
    d(a, n) and d(p, n)).

    >>> triplet_margin_loss(tensor([[0., 0.]]), tensor([[3., 4.]]), tensor([[0., 1.]]))
    tensor(5.0000)
    """
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.dim(), positive.dim(), negative.dim())
    if len(set(dims)) != 1:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative "
            f"{dims[2]}D inputs"
        )
    to_positive = pairwise_distance(anchor, positive, p, eps)
    to_negative = pairwise_distance(anchor, negative, p, eps)
    if swap:
        to_negative = to_negative.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((to_positive - to_negative + margin).clamp_min(0), reduction)


_COSINE_EPS = 1e-12  # torch's guard on the squared norms


def _check_cosine_shapes(input1, input2, target):
    if target.dim() not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    want = 2 if target.dim() == 1 else 1
    if input1.dim() != want or input2.dim() != want:
        raise RuntimeError(
            f"{target.dim()}D target tensor expects {want}D input tensors, but found inputs "
            f"with sizes {list(input1.shape)} and {list(input2.shape)}."
        )


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):  # fmt: skip
    """1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1.

    >>> cosine_embedding_loss(tensor([[1., 0.]]), tensor([[0., 1.]]), tensor([1]))
    tensor(1.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_cosine_shapes(input1, input2, target)
    dim = input1.dim() - 1
    dot = (input1 * input2).sum(dim)
    squares1 = (input1 * input1).sum(dim) + _COSINE_EPS
    squares2 = (input2 * input2).sum(dim) + _COSINE_EPS
    cos = dot / (squares1 * squares2).sqrt()
    zeros = zeros_like(cos)
    similar = where(target == 1, 1 - cos, zeros)
    dissimilar = where(target == -1, (cos - margin).clamp_min(0), zeros)
    return _reduce(similar + dissimilar, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):  # fmt: skip
    """max(0, -y (x1 - x2) + margin): y = 1 asks x1 to rank above x2, y = -1 below.

    >>> margin_ranking_loss(tensor([1.]), tensor([2.]), tensor([1.]), reduction="none")
    tensor([1.])
    """
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {_size(input1)}, input2: {_size(input2)}, target: {_size(target)} "
        )
    # in place, as torch: the result of reduction="none" is at version 1
    return _reduce((-target * (input1 - input2) + margin).clamp_min_(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):  # fmt: skip
    """x where y = 1, max(0, margin - x) where y = -1 (x: a distance).

    >>> hinge_embedding_loss(tensor([0.3, 2.]), tensor([-1., 1.]), reduction="none")
    tensor([0.7000, 2.0000])
    """
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    zeros = zeros_like(input)
    below_margin = where(target != 1, (margin - input).clamp_min(0), zeros)
    itself = where(target != -1, input, zeros)
    return _reduce(below_margin + itself, reduction)


# --------------------------------------------------------------------------- likelihoods


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):  # fmt: skip
    """Poisson negative log likelihood: exp(x) - y x (log_input), else x - y log(x + eps);
    ``full`` adds Stirling's approximation of log(y!) where y > 1.

    >>> poisson_nll_loss(tensor([0.]), tensor([2.]))
    tensor(1.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + (target * (2 * math.pi)).log() * 0.5
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce(loss, reduction)


def _gaussian_variance(input, var):
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        return ones_like(input) * var
    if not isinstance(var, Tensor):  # torch.any(var < 0) refuses the bool a number gives
        raise TypeError(
            "any() received an invalid combination of arguments - got (bool), but expected one "
            "of:\n * (Tensor input, *, Tensor out = None)\n * (Tensor input, tuple of ints dim = "
            "None, bool keepdim = False, *, Tensor out = None)\n * (Tensor input, int dim, bool "
            "keepdim = False, *, Tensor out = None)\n"
        )
    if bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) == tuple(input.shape):
        return var
    if tuple(input.shape[:-1]) == tuple(var.shape):  # one variance per sample
        return var.unsqueeze(-1)
    mismatched = [v for i, v in zip(input.shape, var.shape) if i != v]
    if input.dim() == var.dim() and sum(mismatched) == 1:  # one dim of size 1: broadcast
        return var
    raise ValueError("var is of incorrect size")


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Gaussian negative log likelihood 0.5 (log var + (x - y)^2 / var) (+ 0.5 log 2 pi when
    ``full``); var is clamped at eps for stability, without changing its gradient.

    >>> gaussian_nll_loss(tensor([1.]), tensor([3.]), tensor([2.]))
    tensor(1.3466)
    """
    var = _gaussian_variance(input, var)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not valid")
    with no_grad():  # torch clamps a clone in place unrecorded: the gradient passes as is
        # 0 where var needs no clamping: inf - inf would make an infinite var's loss nan
        lift = (var.clamp_min(eps) - var).masked_fill(var >= eps, 0.0)
    var = var + lift
    loss = (var.log() + (input - target) ** 2 / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# --------------------------------------------------------------------------- modules


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """multilabel_soft_margin_loss as a Module (weight is a buffer)."""

    def forward(self, input, target):
        return multilabel_soft_margin_loss(input, target, self.weight, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """multi_margin_loss as a Module (weight is a buffer)."""

    def __init__(self, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                 reduction="mean"):  # fmt: skip
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and weight.dim() != 1:
            raise ValueError(
                f"MultiMarginLoss: expected weight to be None or 1D tensor, got {weight.dim()}D "
                "instead"
            )
        self.p, self.margin = p, margin

    def forward(self, input, target):
        return multi_margin_loss(input, target, p=self.p, margin=self.margin,
                                 weight=self.weight, reduction=self.reduction)  # fmt: skip


class TripletMarginLoss(_Loss):
    """triplet_margin_loss as a Module."""

    def __init__(self, margin=1.0, p=2.0, eps=1e-6, swap=False, size_average=None, reduce=None,
                 reduction="mean"):  # fmt: skip
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(
                f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead"
            )
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor, positive, negative):
        return triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p,
                                   eps=self.eps, swap=self.swap,
                                   reduction=self.reduction)  # fmt: skip


class _MarginLoss(_Loss):
    _default_margin = 0.0

    def __init__(self, margin=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = self._default_margin if margin is None else margin


class CosineEmbeddingLoss(_MarginLoss):
    """cosine_embedding_loss as a Module."""

    def forward(self, input1, input2, target):
        return cosine_embedding_loss(input1, input2, target, margin=self.margin,
                                     reduction=self.reduction)  # fmt: skip


class MarginRankingLoss(_MarginLoss):
    """margin_ranking_loss as a Module."""

    def forward(self, input1, input2, target):
        return margin_ranking_loss(input1, input2, target, margin=self.margin,
                                   reduction=self.reduction)  # fmt: skip


class HingeEmbeddingLoss(_MarginLoss):
    """hinge_embedding_loss as a Module."""

    _default_margin = 1.0

    def forward(self, input, target):
        return hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """soft_margin_loss as a Module."""

    def forward(self, input, target):
        return soft_margin_loss(input, target, reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    """poisson_nll_loss as a Module."""

    def __init__(self, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                 reduction="mean"):  # fmt: skip
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input, target):
        return poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full,
                                eps=self.eps, reduction=self.reduction)  # fmt: skip


class GaussianNLLLoss(_Loss):
    """gaussian_nll_loss as a Module: forward(input, target, var)."""

    def __init__(self, *, full=False, eps=1e-6, reduction="mean"):
        super().__init__(None, None, reduction)
        self.full, self.eps = full, eps

    def forward(self, input, target, var):
        return gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps,
                                 reduction=self.reduction)  # fmt: skip


_REDUCED = ("MeanBackward0", "SumBackward0")
_GRAD_FNS = {  # the node each records: torch's last op for the composites
    "multilabel_soft_margin_loss": _REDUCED + ("DivBackward0",),
    "multi_margin_loss": ("MultiMarginLossBackward0",),
    "triplet_margin_loss": _REDUCED + ("ClampMinBackward0",),
    "cosine_embedding_loss": _REDUCED + ("AddBackward0",),
    "margin_ranking_loss": _REDUCED + ("ClampMinBackward0",),
    "hinge_embedding_loss": _REDUCED + ("AddBackward0",),
    "soft_margin_loss": ("SoftMarginLossBackward0",),
    "poisson_nll_loss": _REDUCED + ("SubBackward0", "AddBackward0"),
    "gaussian_nll_loss": _REDUCED + ("MulBackward0", "AddBackward0"),
}
for _name, _names in _GRAD_FNS.items():
    export(f"nn.functional.{_name}", globals()[_name], function=False, method=False,
           grad_fns=_names)  # fmt: skip
