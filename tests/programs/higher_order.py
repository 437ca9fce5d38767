import torch

x = torch.tensor(3.0, requires_grad=True)
y = x**4
(dy,) = torch.autograd.grad(y, x, create_graph=True)
print(dy)
(d2y,) = torch.autograd.grad(dy, x, create_graph=True)
print(d2y)
(d3y,) = torch.autograd.grad(d2y, x)
print(d3y)

x = torch.linspace(-1, 1, 5, requires_grad=True)
y = torch.sin(x)
g = torch.autograd.grad(y.sum(), x, create_graph=True)[0]
print(g)
g2 = torch.autograd.grad(g.sum(), x)[0]
print(g2)

w = torch.tensor([1.0, 2.0], requires_grad=True)
loss = (w**2).sum()
grads = torch.autograd.grad(loss, w, create_graph=True)
penalty = grads[0].pow(2).sum()
print(penalty)
penalty.backward()
print(w.grad)

a = torch.tensor([0.5, 1.5], requires_grad=True)
b = torch.tensor([2.0, -1.0], requires_grad=True)
out = (a * b).exp().sum()
ga, gb = torch.autograd.grad(out, [a, b])
print(ga, gb)
u = torch.tensor(1.0, requires_grad=True)
v = torch.tensor(1.0, requires_grad=True)
r = torch.autograd.grad(u * 2, [u, v], allow_unused=True)
print(r)
try:
    torch.autograd.grad(u * 2, [u, v])
except RuntimeError as e:
    print(type(e).__name__, e)
