import torch

x = torch.arange(1.0, 7.0).view(2, 3)
print(torch.chunk(x, 3, dim=1), torch.tensor_split(torch.arange(7), 3))
print(torch.meshgrid(torch.arange(2), torch.arange(3), indexing="ij"))
print(torch.cartesian_prod(torch.tensor([1, 2]), torch.tensor([3, 4])))
print(torch.combinations(torch.tensor([1, 2, 3])), torch.tril_indices(3, 3))
print(
    torch.searchsorted(torch.tensor([1, 3, 5, 7]), torch.tensor([2, 6])),
    torch.bucketize(torch.tensor([0.5, 4.0]), torch.tensor([1.0, 3.0])),
)
print(
    torch.kron(torch.eye(2), torch.ones(2, 2)),
    torch.block_diag(torch.ones(1, 1), 2 * torch.ones(2, 2)),
)
print(torch.rot90(x), torch.diag_embed(torch.tensor([1.0, 2.0])), torch.trace(torch.ones(3, 3)))
print(torch.argwhere(x > 3), torch.isin(torch.tensor([1, 2, 3]), torch.tensor([2, 5])))
print(torch.cummax(torch.tensor([1, 3, 2, 5]), 0), torch.logcumsumexp(torch.tensor([0.0, 0.0]), 0))
print(
    torch.sort(torch.tensor([2, 1, 2, 0]), stable=True), torch.msort(torch.tensor([[3, 1], [1, 2]]))
)
print(
    torch.unique(torch.tensor([[1, 2], [1, 2], [3, 4]]), dim=0),
    torch.unique_consecutive(torch.tensor([1, 1, 2, 1])),
)
print(
    torch.nanmean(torch.tensor([1.0, float("nan"), 3.0])),
    torch.nansum(torch.tensor([float("nan"), 2.0])),
)
print(
    torch.signbit(torch.tensor([-1.0, 0.0])),
    torch.heaviside(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor(0.5)),
)
print(torch.trapezoid(torch.tensor([1.0, 2.0, 3.0])))
print(
    torch.cov(torch.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 7.0]])),
    torch.corrcoef(torch.tensor([[1.0, 2.0, 3.0], [1.0, 0.0, 2.0]])),
)
print(
    torch.atleast_2d(torch.tensor(1.0)),
    torch.column_stack([torch.tensor([1, 2]), torch.tensor([3, 4])]),
)
print(
    torch.dstack([torch.ones(2), torch.zeros(2)]).shape,
    torch.flatten(torch.ones(2, 3, 4), 0, 1).shape,
)
print(torch.take(x, torch.tensor([0, 5])), torch.take_along_dim(x, torch.tensor([[0], [2]]), dim=1))
print(
    x.scatter(1, torch.tensor([[0, 1], [2, 0]]), torch.zeros(2, 2)),
    torch.zeros(3).scatter_add(0, torch.tensor([0, 0, 2]), torch.ones(3)),
)
print(
    torch.zeros(3).index_put((torch.tensor([0, 2]),), torch.tensor([5.0, 6.0])),
    x.masked_scatter(x > 4, torch.tensor([10.0, 20.0])),
)
print(torch.zeros(2, 3).scatter_reduce(1, torch.tensor([[0, 0, 1], [2, 2, 2]]), x, reduce="sum"))
print(torch.std(x, dim=1, unbiased=True), torch.var(x, 0, keepdim=True), torch.aminmax(x))
print(
    torch.clamp_min(x, 3),
    torch.square(x).sum(),
    torch.prod(x, 0),
    torch.frac(torch.tensor([1.25, -1.75])),
)
print(
    torch.allclose(torch.tensor([1.0]), torch.tensor([1.0 + 1e-9])),
    torch.isclose(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.1])),
)
print(
    torch.empty_like(x).shape,
    torch.full_like(x, 2).dtype,
    torch.rand_like(x).shape,
    torch.randint(0, 5, (3,)).dtype,
)
