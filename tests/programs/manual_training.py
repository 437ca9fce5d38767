import torch

torch.manual_seed(0)
X = torch.linspace(-3, 3, 50).reshape(-1, 1)
Y = 2 * X + 1 + 0.1 * torch.sin(5 * X)
w = torch.zeros(1, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
for _step in range(200):
    pred = X @ w + b
    loss = ((pred - Y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.05 * w.grad
        b -= 0.05 * b.grad
    w.grad.zero_()
    b.grad = None
print(round(w.item(), 4), round(b.item(), 4), loss)
v = torch.ones(3, requires_grad=True)
v.data -= 0.5 * torch.ones(3)
print(v, v.is_leaf)
x = torch.arange(6.0).reshape(2, 3).requires_grad_()
y = x.sum(dim=1, keepdim=True) * x.mean(0)
y.backward(torch.ones_like(y))
print(x.grad, y)
z = torch.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
out = z.abs().max() + z.norm() + z.exp().log().sum() + torch.sigmoid(z).prod()
out.backward()
print(out, z.grad)
print(x.T @ x, x.size(), x.shape[0], x.numel(), x.dtype, x.device, x.type())
print(torch.cat((x, x), 0).shape, torch.stack((x, x)).mean(), x.unsqueeze(0).squeeze().shape)
print(x.detach().numpy().sum(), x.tolist(), x[0, 1].item())
print(torch.zeros(2, 3).fill_(2).sum(), torch.full_like(x, 7)[0])
print(torch.max(x, 1), torch.argmax(x))
a = torch.randn(4, 3)
print(a.shape, torch.softmax(a, dim=1).sum(1))
print(torch.where(x > 2, x, torch.zeros_like(x)))
print(x.clamp(min=1, max=4), torch.clamp(x, 0, 1).dtype)
print(x.max().item(), x.argmin(dim=1), x.std(), x.var(1))
print(x.masked_fill(x > 3, 0) if hasattr(x, "masked_fill") else "no masked_fill")
