import torch
from torch.func import functional_call, grad, hessian, jacfwd, jacrev, vmap

f = lambda x: torch.sin(x).sum()
x = torch.linspace(0, 1, 4)
print(grad(f)(x))
print(grad(grad(lambda t: t**3))(torch.tensor(2.0)))
print(vmap(torch.dot)(torch.ones(3, 2), torch.arange(6.0).view(3, 2)))
print(vmap(lambda r: r * 2, in_dims=1)(torch.arange(6.0).view(2, 3)))
print(jacrev(torch.sin)(x))
print(jacfwd(lambda v: v**2)(torch.tensor([1.0, 2.0])))
print(hessian(lambda v: (v**3).sum())(torch.tensor([1.0, 2.0])))
model = torch.nn.Linear(2, 1)
params = {"weight": torch.tensor([[1.0, 2.0]]), "bias": torch.tensor([0.5])}
print(functional_call(model, params, (torch.ones(1, 2),)))


def loss_fn(p, xb, yb):
    return ((functional_call(model, p, (xb,)) - yb) ** 2).mean()


xb = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
yb = torch.tensor([[1.0], [2.0]])
g = grad(loss_fn)(params, xb, yb)
print(g)
per_sample = vmap(grad(loss_fn), in_dims=(None, 0, 0))(params, xb.unsqueeze(1), yb.unsqueeze(1))
print(per_sample)
val, gr = torch.func.grad_and_value(f)(x) if False else (None, None)
gv = torch.func.grad_and_value(f)(x)
print(gv)
print(vmap(vmap(torch.mul))(torch.ones(2, 3), torch.arange(6.0).view(2, 3)))
