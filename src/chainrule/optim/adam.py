"""torch.optim.Adam and AdamW (with AMSGrad and maximize)."""

from __future__ import annotations

import math

from .._backend import xp
from .optimizer import Optimizer, bump, check_non_negative, lerp_, step_tensor, write, zeros_state

__all__ = ["Adam", "AdamW"]


def _check_betas(betas):
    for index, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {index}: {beta}")


class Adam(Optimizer):
    """Adam: moving averages of the gradient and its square, with bias correction.

    ``weight_decay`` adds ``weight_decay * p`` to the gradient (L2), unless
    ``decoupled_weight_decay=True`` (that is AdamW: ``p *= 1 - lr * weight_decay``).

    >>> w = nn.Parameter(tensor([1., -1.]))
    >>> opt = optim.Adam([w], lr=0.1)
    >>> (w ** 2).sum().backward(); opt.step(); w
    Parameter containing:
    tensor([ 0.9000, -0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):  # fmt: skip
        check_non_negative("lr", lr, "learning rate")
        check_non_negative("eps", eps, "epsilon value")
        _check_betas(betas)
        check_non_negative("weight_decay", weight_decay, "weight_decay value")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)  # fmt: skip
        super().__init__(params, defaults)

    def _update_group(self, group):
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        for p, grad in self._params_with_grad(group):
            state = self.state[p]
            if not state:
                state["step"] = step_tensor()
                state["exp_avg"] = zeros_state(p)
                state["exp_avg_sq"] = zeros_state(p)
                if group["amsgrad"]:
                    state["max_exp_avg_sq"] = zeros_state(p)
            step = bump(state["step"])
            if weight_decay != 0:
                if group["decoupled_weight_decay"]:
                    write(p, p._data * (1 - lr * weight_decay))
                else:
                    grad = grad + weight_decay * p._data
            exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
            lerp_(exp_avg, grad, 1 - beta1)
            exp_avg_sq *= beta2
            exp_avg_sq += (1 - beta2) * grad * grad
            bias_correction1 = 1 - beta1**step
            bias_correction2_sqrt = math.sqrt(1 - beta2**step)
            second = exp_avg_sq
            if group["amsgrad"]:
                second = state["max_exp_avg_sq"]._data
                xp.maximum(second, exp_avg_sq, out=second)
            denom = xp.sqrt(second) / bias_correction2_sqrt + eps
            write(p, p._data + (-lr / bias_correction1) * (exp_avg / denom))


class AdamW(Adam):
    """Adam with decoupled weight decay (``p *= 1 - lr * weight_decay`` before each update).

    >>> w = nn.Parameter(tensor([1.]))
    >>> opt = optim.AdamW([w], lr=0.1, weight_decay=0.5)
    >>> (w ** 2).sum().backward(); opt.step(); w
    Parameter containing:
    tensor([0.8500], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):  # fmt: skip
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)  # fmt: skip
