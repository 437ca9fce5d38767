import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
with torch.no_grad():
    y = x * 2
print(y.requires_grad, y)
with torch.inference_mode():
    z = x * 2
print(z.requires_grad, torch.is_inference_mode_enabled())


@torch.no_grad()
def predict(t):
    return t**2


print(predict(x), predict(x).requires_grad)
torch.set_grad_enabled(False)
print((x * 3).requires_grad)
torch.set_grad_enabled(True)
print((x * 3).requires_grad)
with torch.set_grad_enabled(False):
    print((x + 1).requires_grad)
d = x.detach()
d[0] = 100
print(x)
e = x.detach().clone()
e[1] = -1
print(x, e)
f = x.data
print(f.requires_grad, f)
g = torch.tensor([3.0], requires_grad=True)
h = g * g
h.detach_()
print(h.requires_grad, h.grad_fn)
w = torch.ones(2, requires_grad=True)
for i in range(3):
    out = (w * (i + 1)).sum()
    out.backward()
print(w.grad)
w.grad = None
out = (w**2).sum()
out.backward(retain_graph=True)
out.backward()
print(w.grad)
k = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
s = k.pow(2).sum()
s.backward(inputs=[k])
print(k.grad)
v = torch.tensor(2.0, requires_grad=True)
loss = v * v
grad = torch.autograd.grad(loss, v, retain_graph=True)[0]
print(grad, v.grad)
print(torch.autograd.backward(loss, grad_tensors=torch.tensor(3.0)), v.grad)
print(x.requires_grad_(False), x.requires_grad)
