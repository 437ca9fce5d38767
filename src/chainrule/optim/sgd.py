"""torch.optim.SGD: stochastic gradient descent with momentum, Nesterov and weight decay."""

from __future__ import annotations

from .._tensor import make
from .optimizer import Optimizer, check_non_negative, write

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum / Nesterov momentum).

    The update is ``buf = momentum * buf + (1 - dampening) * g`` (``buf = g`` on the first
    step), then ``p -= lr * (g + momentum * buf if nesterov else buf)``, where ``g`` already
    includes ``weight_decay * p``.

    >>> w = nn.Parameter(tensor([1., -1.]))
    >>> opt = optim.SGD([w], lr=0.5, momentum=0.9)
    >>> (w ** 2).sum().backward(); opt.step(); w
    Parameter containing:
    tensor([0., 0.], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False, foreach=None, differentiable=False, fused=None):  # fmt: skip
        check_non_negative("lr", lr, "learning rate")
        check_non_negative("momentum", momentum, "momentum value")
        check_non_negative("weight_decay", weight_decay, "weight_decay value")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)  # fmt: skip
        super().__init__(params, defaults)

    def _update_group(self, group):
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        weight_decay = group["weight_decay"]
        for p, grad in self._params_with_grad(group):
            if weight_decay != 0:
                grad = grad + weight_decay * p._data
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = make(grad.copy(), p._dtype)
                else:
                    buf._data *= momentum
                    buf._data += (1 - dampening) * grad
                grad = grad + momentum * buf._data if group["nesterov"] else buf._data
            write(p, p._data + (-lr) * grad)
