"""torch.nn.utils: gradient clipping and flattening parameters to one vector.

>>> import chainrule as torch
>>> p = torch.nn.Parameter(torch.ones(2)); p.grad = torch.tensor([3., 4.])
>>> torch.nn.utils.clip_grad_norm_([p], 1.0)
tensor(5.)
"""

from __future__ import annotations

import math

from ..._graph import no_grad
from ..._tensor import Tensor
from ...ops.creation import tensor as _tensor
from ...ops.joining import cat
from . import rnn  # noqa: F401  (torch.nn.utils.rnn)

__all__ = [
    "clip_grad_norm_",
    "clip_grad_value_",
    "get_total_norm",
    "parameters_to_vector",
    "vector_to_parameters",
]


def _as_list(parameters):
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of all tensors together (as if concatenated into one vector)."""
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return _tensor(0.0)
    with no_grad():
        norms = [t.detach().reshape(-1).norm(norm_type) for t in tensors]
        total = cat([n.reshape(1) for n in norms]).norm(norm_type)
    if error_if_nonfinite and not math.isfinite(total.item()):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return total


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):  # fmt: skip
    """Scale all gradients together so their total norm is at most max_norm; return the norm
    before clipping.

    >>> p = Parameter(ones(2)); p.grad = tensor([6., 8.])
    >>> clip_grad_norm_([p], 5.0), p.grad
    (tensor(10.), tensor([3.0000, 4.0000]))
    """
    parameters = _as_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    if not grads:
        return total
    with no_grad():  # in the norm's dtype, as torch computes it (1e-6 may round away)
        coef = (float(max_norm) / (total + 1e-6)).clamp(max=1.0)
        if coef.item() < 1:
            for g in grads:
                g.mul_(coef.to(g.dtype))
    return total


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient entry to [-clip_value, clip_value] in place.

    >>> p = Parameter(ones(2)); p.grad = tensor([-3., 0.5])
    >>> clip_grad_value_([p], 1.0); p.grad
    tensor([-1.0000,  0.5000])
    """
    clip_value = float(clip_value)
    with no_grad():
        for p in _as_list(parameters):
            if p.grad is not None:
                p.grad.clamp_(min=-clip_value, max=clip_value)


def parameters_to_vector(parameters):
    """All parameters flattened and concatenated into one vector.

    >>> parameters_to_vector([Parameter(ones(2, 2)), Parameter(zeros(1))]).shape
    torch.Size([5])
    """
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of ``vec`` into the parameters (replacing their data)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    offset = 0
    for param in parameters:
        count = param.numel()
        piece = (
            vec[offset : offset + count].view_as(param)
            if offset + count <= vec.numel()
            else (vec[offset:].view(*param.shape))
        )
        param._data = piece.detach()._data.astype(param._dtype.np, copy=False)
        param._vbox[0] += 1
        offset += count
