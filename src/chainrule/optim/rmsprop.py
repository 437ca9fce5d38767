"""torch.optim.RMSprop (plain, centered, with momentum)."""

from __future__ import annotations

from .._backend import xp
from .optimizer import Optimizer, bump, check_non_negative, lerp_, step_tensor, write, zeros_state

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a running root-mean-square of recent gradients.

    With ``centered=True`` the running mean of the gradient is subtracted (an estimate of
    the variance); with ``momentum > 0`` the scaled step goes through a momentum buffer.

    >>> w = nn.Parameter(tensor([1.]))
    >>> opt = optim.RMSprop([w], lr=0.01)
    >>> (w ** 2).sum().backward(); opt.step(); w
    Parameter containing:
    tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):  # fmt: skip
        check_non_negative("lr", lr, "learning rate")
        check_non_negative("eps", eps, "epsilon value")
        check_non_negative("momentum", momentum, "momentum value")
        check_non_negative("weight_decay", weight_decay, "weight_decay value")
        check_non_negative("alpha", alpha, "alpha value")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)  # fmt: skip
        super().__init__(params, defaults)

    def _update_group(self, group):
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        momentum, weight_decay = group["momentum"], group["weight_decay"]
        for p, grad in self._params_with_grad(group):
            state = self.state[p]
            if not state:
                state["step"] = step_tensor()
                state["square_avg"] = zeros_state(p)
                if momentum > 0:
                    state["momentum_buffer"] = zeros_state(p)
                if group["centered"]:
                    state["grad_avg"] = zeros_state(p)
            bump(state["step"])
            if weight_decay != 0:
                grad = grad + weight_decay * p._data
            square_avg = state["square_avg"]._data
            square_avg *= alpha
            square_avg += (1 - alpha) * grad * grad
            if group["centered"]:
                grad_avg = lerp_(state["grad_avg"]._data, grad, 1 - alpha)
                avg = xp.sqrt(square_avg + (-1.0) * grad_avg * grad_avg)
            else:
                avg = xp.sqrt(square_avg)
            avg += eps
            if momentum > 0:
                buf = state["momentum_buffer"]._data
                buf *= momentum
                buf += grad / avg
                write(p, p._data + (-lr) * buf)
            else:
                write(p, p._data + (-lr) * (grad / avg))
