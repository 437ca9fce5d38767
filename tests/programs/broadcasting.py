import torch

a = torch.arange(3.0).view(3, 1)
b = torch.arange(4.0)
print(a + b, (a * b).shape, a - b.view(1, 4))
print(torch.ones(2, 1, 3) + torch.ones(4, 1), torch.broadcast_shapes((2, 1), (1, 3)))
x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
bias = torch.tensor([10.0, 20.0], requires_grad=True)
y = x + bias
y.sum().backward()
print(y, bias.grad, x.grad)
w = torch.tensor(2.0, requires_grad=True)
(w * x).sum().backward()
print(w.grad)
col = torch.tensor([[1.0], [2.0]], requires_grad=True)
(col * torch.ones(2, 3)).pow(2).sum().backward()
print(col.grad)
print(torch.tensor(5) + torch.tensor([1, 2]), torch.tensor([1.0]) * torch.ones(2, 2))
print((torch.arange(6).view(2, 3) > torch.tensor([0, 2, 4])).int())
m = torch.arange(6.0).view(2, 3)
print(m / m.sum(dim=1, keepdim=True), m - m.mean(0), (m - m.mean(0)) / m.std(0))
print(m.unsqueeze(2) * m.unsqueeze(1), torch.cdist(m, m))
print(torch.where(m > 2, m, torch.tensor(0.0)), torch.where(m > 2, 1.0, 0.0))
print(
    torch.maximum(m, torch.tensor([1.0, 5.0, 0.0])),
    torch.clamp(m, min=torch.tensor([1.0, 5.0, 0.0])),
)
try:
    torch.ones(2, 3) * torch.ones(2)
except RuntimeError as e:
    print(type(e).__name__, e)
try:
    torch.ones(3, 2).add_(torch.ones(3, 3))
except RuntimeError as e:
    print(type(e).__name__, e)
try:
    t = torch.ones(1, 3)
    t += torch.ones(2, 3)
except RuntimeError as e:
    print(type(e).__name__, e)
print(torch.ones(3, 1).expand(-1, 4).shape, torch.ones(3).expand(2, 3).sum(0))
