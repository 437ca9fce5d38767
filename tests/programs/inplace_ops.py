import torch

x = torch.zeros(3)
x.add_(1)
x.mul_(torch.tensor([1.0, 2.0, 3.0]))
x.sub_(0.5).div_(2)
print(x)
x.clamp_(0.3, 1.0)
print(x, x.pow_(2), x.sqrt_())
y = torch.arange(6.0).view(2, 3)
y[0].fill_(-1)
print(y)
y.t_()
print(y, y.shape)
y.unsqueeze_(0)
print(y.shape)
a = torch.ones(2, 2, requires_grad=True)
b = a * 2
b.add_(1)
print(b, type(b.grad_fn).__name__)
b.sum().backward()
print(a.grad)
c = a.clone()
c[0, 0] = 10
print(c, type(c.grad_fn).__name__)
c.sum().backward()
print(a.grad)
w = torch.tensor([1.0, 2.0], requires_grad=True)
with torch.no_grad():
    w.mul_(3)
print(w, w.requires_grad, w.is_leaf)
v = torch.arange(4.0)
view = v[1:3]
view.zero_()
print(v, view._version if hasattr(view, "_version") else None)
t = torch.tensor([1.0, -2.0, 3.0])
t.abs_().neg_().exp_()
print(t)
r = torch.relu_(torch.tensor([-1.0, 2.0]))
print(r)
q = torch.ones(3)
q += 1
q *= torch.tensor([1.0, 2.0, 3.0])
q -= 1
q /= 2
print(q)
i = torch.tensor([5, 6, 7])
i += 1
print(i)
try:
    i /= 2
except RuntimeError as e:
    print(type(e).__name__, e)
m = torch.zeros(2, 3)
m.copy_(torch.tensor([1.0, 2.0, 3.0]))
print(m)
m.masked_fill_(m > 1.5, 0.0)
print(m)
m.index_fill_(1, torch.tensor([0]), 9)
print(m)
n = torch.tensor([1.0, 2.0], requires_grad=True)
try:
    n.mul_(2)
except RuntimeError as e:
    print(type(e).__name__, e)
n.data.mul_(2)
print(n)
n.requires_grad_(False)
n.mul_(2)
print(n)
