import torch
from torch.autograd.functional import hessian, hvp, jacobian, jvp, vjp


def f(x):
    return torch.stack([x[0] ** 2 * x[1], 5 * x[0] + torch.sin(x[1])])


x = torch.tensor([1.0, 2.0])
print(jacobian(f, x))


def g(x):
    return (x**3).sum() + x[0] * x[1]


print(hessian(g, x))
print(jacobian(lambda a, b: a * b, (torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))))
print(vjp(f, x, torch.tensor([1.0, 1.0])))
print(jvp(f, x, torch.tensor([1.0, 0.0])))
print(hvp(g, x, torch.tensor([1.0, 1.0])))
lin = torch.nn.Linear(3, 2)
with torch.no_grad():
    lin.weight.copy_(torch.arange(6.0).view(2, 3))
    lin.bias.zero_()
print(jacobian(lin, torch.ones(3)))
print(jacobian(lambda v: v.exp(), torch.zeros(2, 2)).shape)


def loss(w):
    return ((w - torch.tensor([1.0, -1.0])) ** 2).sum()


w = torch.zeros(2)
for _ in range(3):
    grad = jacobian(loss, w)
    H = hessian(loss, w)
    w = w - torch.linalg.solve(H, grad)
print(w)
J = jacobian(f, x, create_graph=True)
print(J.requires_grad)
