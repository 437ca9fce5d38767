"""torch.optim: SGD and Adam over parameter groups."""

from __future__ import annotations

import math

from .._graph import no_grad

__all__ = ["Optimizer", "SGD", "Adam"]


class Optimizer:
    """Parameter groups, per-parameter state, zero_grad and a torch-like repr."""

    def __init__(self, params, defaults: dict):
        self.defaults = defaults
        self.state = {}
        self.param_groups = []
        params = list(params)
        if not params:
            raise ValueError("optimizer got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict) -> None:
        group = dict(group)
        group["params"] = list(group["params"])
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        p.grad.detach_().zero_()

    def __repr__(self) -> str:
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)

    @staticmethod
    def _evaluate(closure):
        """The loss from a closure (re-evaluates the model), computed with grad enabled."""
        if closure is None:
            return None
        from .._graph import enable_grad

        with enable_grad():
            return closure()

    def _params_with_grad(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    yield group, p


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False, foreach=None, differentiable=False, fused=None):  # fmt: skip
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)  # fmt: skip
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._evaluate(closure)
        with no_grad():
            for group, p in self._params_with_grad():
                grad = -p.grad if group["maximize"] else p.grad
                if group["weight_decay"]:
                    grad = grad + group["weight_decay"] * p
                if group["momentum"]:
                    state = self.state.setdefault(p, {})
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = grad.clone()
                    else:
                        buf.mul_(group["momentum"]).add_(grad * (1 - group["dampening"]))
                    grad = grad + group["momentum"] * buf if group["nesterov"] else buf
                p.sub_(group["lr"] * grad)
        return loss


class Adam(Optimizer):
    """Adam (and AMSGrad), with L2 weight decay added to the gradient as torch does."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):  # fmt: skip
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        foreach=foreach, maximize=maximize, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)  # fmt: skip
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._evaluate(closure)
        with no_grad():
            for group, p in self._params_with_grad():
                grad = -p.grad if group["maximize"] else p.grad
                beta1, beta2 = group["betas"]
                if group["weight_decay"]:
                    if group["decoupled_weight_decay"]:
                        p.mul_(1 - group["lr"] * group["weight_decay"])
                    else:
                        grad = grad + group["weight_decay"] * p
                state = self.state.setdefault(p, {})
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = p.detach().new_zeros(p.shape)
                    state["exp_avg_sq"] = p.detach().new_zeros(p.shape)
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = p.detach().new_zeros(p.shape)
                state["step"] += 1
                step = state["step"]
                state["exp_avg"].mul_(beta1).add_(grad * (1 - beta1))
                state["exp_avg_sq"].mul_(beta2).add_(grad * grad * (1 - beta2))
                second = state["exp_avg_sq"]
                if group["amsgrad"]:
                    from ..ops.elementwise import maximum

                    state["max_exp_avg_sq"].copy_(maximum(state["max_exp_avg_sq"], second))
                    second = state["max_exp_avg_sq"]
                bias1 = 1 - beta1**step
                bias2 = 1 - beta2**step
                denom = (second.sqrt() / math.sqrt(bias2)) + group["eps"]
                p.sub_(group["lr"] / bias1 * state["exp_avg"] / denom)
        return loss
