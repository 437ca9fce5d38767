import torch

x = torch.tensor(2.0, requires_grad=True)
y = x**3 + 2 * x
print(x, y)
print(type(y.grad_fn).__name__, y.grad_fn.name())
y.backward()
print(x.grad)
print(x.is_leaf, y.is_leaf, y.requires_grad)

a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = a * 2
b.retain_grad()
c = (b**2).sum()
c.backward()
print(a.grad, b.grad)
print(type(c.grad_fn).__name__)
print([(type(f).__name__, i) for f, i in c.grad_fn.next_functions])

a.grad.zero_()
print(a.grad)
d = a.detach()
print(d.requires_grad, d)
with torch.no_grad():
    e = a * 3
print(e.requires_grad, e.grad_fn)
print(torch.is_grad_enabled())
with torch.enable_grad():
    print(torch.is_grad_enabled())

w = torch.ones(2, 2, requires_grad=True)
out = (w * w).mean()
out.backward()
print(w.grad)
out2 = (w * w).mean()
out2.backward()
print(w.grad)

x = torch.randn(3).requires_grad_(True)
print(x.requires_grad)
z = x.sum()
print(z.grad_fn.__class__.__name__)
t = torch.tensor([1.0, 2.0])
print(t.grad, t.grad_fn, t.requires_grad)
m = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
n = m @ m
print(n)
n.sum().backward()
print(m.grad)
