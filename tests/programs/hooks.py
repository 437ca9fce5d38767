import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
h = x.register_hook(lambda g: g * 2)
y = (x * x).sum()
y.backward()
print(x.grad)
h.remove()
x.grad = None
(x * x).sum().backward()
print(x.grad)

seen = []
a = torch.tensor([1.0, -1.0], requires_grad=True)
b = a * 3
b.register_hook(lambda g: seen.append(g.clone()))
b.sum().backward()
print(seen)

lin = torch.nn.Linear(2, 2)
with torch.no_grad():
    lin.weight.copy_(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    lin.bias.fill_(0.5)
acts = {}


def fwd_hook(module, inp, out):
    acts["out"] = out.detach()


handle = lin.register_forward_hook(fwd_hook)
out = lin(torch.tensor([[1.0, 1.0]]))
print(acts["out"], out)
handle.remove()
lin(torch.tensor([[2.0, 2.0]]))
print(acts["out"])


def pre_hook(module, inp):
    return (inp[0] * 10,)


h2 = lin.register_forward_pre_hook(pre_hook)
print(lin(torch.tensor([[1.0, 0.0]])))
h2.remove()
grads = []
h3 = lin.register_full_backward_hook(lambda m, gi, go: grads.append(go[0]))
lin(torch.tensor([[1.0, 0.0]], requires_grad=True)).sum().backward()
print(grads)
h3.remove()
