import torch

torch.manual_seed(0)
a = torch.randn(3, 4)
b = torch.rand(2, 2, dtype=torch.float64)
c = torch.randint(0, 10, (5,))
d = torch.randperm(6)
e = torch.normal(mean=torch.zeros(3), std=torch.ones(3))
print(a.shape, a.dtype, b.dtype, c.dtype, d.dtype, e.shape)
print(bool(((b >= 0) & (b < 1)).all()), bool(((c >= 0) & (c < 10)).all()), sorted(d.tolist()))
print(torch.initial_seed())
g = torch.Generator().manual_seed(123)
print(torch.rand(2, generator=g).shape, g.initial_seed())
state = torch.get_rng_state()
x1 = torch.randn(4)
torch.set_rng_state(state)
x2 = torch.randn(4)
print(torch.equal(x1, x2))
torch.manual_seed(7)
y1 = torch.rand(3)
torch.manual_seed(7)
y2 = torch.rand(3)
print(
    torch.equal(y1, y2), isinstance(a, torch.Tensor), torch.is_tensor(a), torch.is_floating_point(a)
)
lin = torch.nn.Linear(4, 3)
print(lin.weight.shape, lin.bias.shape, bool((lin.weight.abs() <= 0.5).all()))
drop = torch.nn.Dropout(p=0.0)
print(torch.equal(drop(a), a))
drop_all = torch.nn.Dropout(p=1.0)
print(drop_all(torch.ones(3)))
m = torch.bernoulli(torch.tensor([0.0, 1.0]))
print(m, torch.multinomial(torch.tensor([0.0, 1.0]), 2, replacement=True))
idx = torch.randperm(10)[:3]
print(idx.shape, torch.randn(2, 3).mean(dim=1).shape, torch.empty(3).uniform_(0, 1).shape)
print(
    torch.randn(()).dim(),
    torch.randn(0).shape,
    torch.randint(5, (2, 2)).shape,
    torch.randn_like(a).shape,
)
