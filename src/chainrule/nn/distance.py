"""normalize, cosine_similarity and pairwise_distance, composed from chainrule ops.

>>> import chainrule as torch
>>> torch.nn.functional.normalize(torch.tensor([[3., 4.]]))
tensor([[0.6000, 0.8000]])
"""

from __future__ import annotations

from ..ops.reduce import aten_norm
from .module import Module

__all__ = ["normalize", "cosine_similarity", "pairwise_distance", "CosineSimilarity"]


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p along dim, eps).

    >>> normalize(tensor([3., 4.]), dim=0)
    tensor([0.6000, 0.8000])
    """
    norm = input.norm(p, dim, keepdim=True).clamp(min=eps)
    return input / norm.expand_as(input)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between x1 and x2 along dim (norms clamped at eps).

    >>> cosine_similarity(tensor([[1., 0.]]), tensor([[1., 1.]]))
    tensor([0.7071])
    """
    n1 = x1.norm(2, dim, keepdim=True).clamp(min=eps)
    n2 = x2.norm(2, dim, keepdim=True).clamp(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p along the last dim.

    >>> pairwise_distance(tensor([[0., 0.]]), tensor([[3., 4.]]), eps=0.)
    tensor([5.])
    """
    return aten_norm(x1 - x2 + eps, p, -1, keepdim)


class CosineSimilarity(Module):
    """cosine_similarity as a Module."""

    def __init__(self, dim: int = 1, eps: float = 1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        return cosine_similarity(x1, x2, self.dim, self.eps)
