import torch
import torch.autograd.forward_ad as fwAD
from torch.utils.checkpoint import checkpoint

primal = torch.tensor([1.0, 2.0, 3.0])
tangent = torch.tensor([1.0, 0.0, 0.0])
with fwAD.dual_level():
    dual = fwAD.make_dual(primal, tangent)
    out = torch.sin(dual) * dual
    p, t = fwAD.unpack_dual(out)
    print(p, t)
    print(fwAD.unpack_dual(out).tangent)
lin = torch.nn.Linear(3, 2)
with torch.no_grad():
    lin.weight.copy_(torch.tensor([[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]]))
    lin.bias.zero_()
x = torch.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
y = checkpoint(lambda t: torch.tanh(lin(t)), x, use_reentrant=False)
y.sum().backward()
print(y, x.grad, lin.weight.grad)
print(torch.func.jvp(torch.exp, (torch.tensor([0.0, 1.0]),), (torch.tensor([1.0, 1.0]),)))
print(torch.func.vjp(torch.exp, torch.tensor([0.0, 1.0]))[1](torch.tensor([1.0, 2.0])))
print(torch.func.jacfwd(torch.func.jacrev(lambda v: (v**3).sum()))(torch.tensor([1.0, 2.0])))
print(torch.autograd.functional.jacobian(lambda v: v.cumsum(0), torch.ones(3), vectorize=True))
