"""torch.optim.Adagrad: per-coordinate learning rates from the sum of squared gradients."""

from __future__ import annotations

from .._backend import xp
from .optimizer import Optimizer, bump, check_non_negative, step_tensor, write, zeros_state

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad: ``sum += g * g``; ``p -= clr * g / (sqrt(sum) + eps)`` with
    ``clr = lr / (1 + (step - 1) * lr_decay)``.

    >>> w = nn.Parameter(tensor([1.]))
    >>> opt = optim.Adagrad([w], lr=0.1)
    >>> (w ** 2).sum().backward(); opt.step(); w
    Parameter containing:
    tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False,
                 fused=None):  # fmt: skip
        check_non_negative("lr", lr, "learning rate")
        check_non_negative("lr_decay", lr_decay, "lr_decay value")
        check_non_negative("weight_decay", weight_decay, "weight_decay value")
        check_non_negative(
            "initial_accumulator_value",
            initial_accumulator_value,
            "initial_accumulator_value value",
        )
        check_non_negative("eps", eps, "epsilon value")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)  # fmt: skip
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p, group):
        # torch creates Adagrad's state up front (it shows in state_dict before any step)
        state = self.state[p]
        if not state:
            state["step"] = step_tensor()
            state["sum"] = zeros_state(p, group["initial_accumulator_value"])
        return state

    def _update_group(self, group):
        lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
        weight_decay = group["weight_decay"]
        for p, grad in self._params_with_grad(group):
            state = self._init_state(p, group)
            step = bump(state["step"])
            if weight_decay != 0:
                grad = grad + weight_decay * p._data
            clr = lr / (1 + (step - 1) * lr_decay)
            total = state["sum"]._data
            total += 1.0 * grad * grad
            std = xp.sqrt(total) + eps
            write(p, p._data + (-clr) * (grad / std))
