import torch

x = torch.tensor([[1.0, 4.0, 2.0], [3.0, 0.5, 6.0]], requires_grad=True)


def grad_of(fn):
    if x.grad is not None:
        x.grad = None
    out = fn(x)
    out.backward(torch.ones_like(out))
    return type(out.grad_fn).__name__, x.grad


print(grad_of(lambda t: t.max()))
print(grad_of(lambda t: t.max(dim=1).values))
print(grad_of(lambda t: t.min(0)[0]))
print(grad_of(lambda t: t.sort(dim=1).values * torch.tensor([1.0, 2.0, 3.0])))
print(grad_of(lambda t: t.topk(2, dim=1).values))
print(grad_of(lambda t: t[:, 1:]))
print(grad_of(lambda t: t[[0, 1, 1], [2, 0, 0]]))
print(grad_of(lambda t: torch.cat([t, t * 2], 0)))
print(grad_of(lambda t: torch.stack([t, t], 0).sum(0)))
print(grad_of(lambda t: t.norm(dim=1)))
print(grad_of(lambda t: t.prod(1)))
print(grad_of(lambda t: t.cumsum(1)))
print(grad_of(lambda t: t.std()))
print(grad_of(lambda t: t.var(0)))
print(grad_of(lambda t: torch.softmax(t, 1)[:, 0]))
print(grad_of(lambda t: torch.log_softmax(t, 0)))
print(grad_of(lambda t: t.abs().sqrt()))
print(grad_of(lambda t: torch.where(t > 2, t**2, -t)))
print(grad_of(lambda t: t.clamp(1, 3)))
print(grad_of(lambda t: t.reshape(3, 2).t() @ torch.ones(3, 1)))
print(grad_of(lambda t: t.expand(2, 2, 3)))
print(grad_of(lambda t: t.repeat(2, 1)))
print(grad_of(lambda t: t.gather(1, torch.tensor([[0], [2]]))))
print(grad_of(lambda t: t.masked_fill(t > 3, 0.0)))
print(grad_of(lambda t: torch.relu(t - 2) + torch.sigmoid(t) + torch.tanh(t)))
print(grad_of(lambda t: t.mean(1, keepdim=True) - t))
print(grad_of(lambda t: torch.logsumexp(t, 1)))
print(grad_of(lambda t: t.flip(0).roll(1, 1)))
print(grad_of(lambda t: t.amax(1)))
print(grad_of(lambda t: t.median()))
print(grad_of(lambda t: t.unbind(0)[1]))
print(grad_of(lambda t: t.split(1, dim=1)[2]))
print(grad_of(lambda t: t.diagonal()))
print(grad_of(lambda t: torch.einsum("ij,ij->i", t, t)))
print(grad_of(lambda t: t.pow(t)))
print(grad_of(lambda t: 1 / t))
print(grad_of(lambda t: t.div(2).floor()))
print(grad_of(lambda t: torch.dist(t, torch.zeros(2, 3))))
print(grad_of(lambda t: t.index_select(1, torch.tensor([2, 2]))))
print(grad_of(lambda t: t.squeeze().unsqueeze(0).transpose(1, 2)))
