import torch

x = torch.linspace(-2, 2, 9)
print(torch.exp(x), torch.log(x.abs() + 1), torch.sqrt(x.abs()))
print(torch.sin(x), torch.cos(x), torch.tanh(x))
print(torch.sigmoid(x), torch.relu(x), torch.nn.functional.softplus(x))
print(torch.nn.functional.gelu(x), torch.nn.functional.silu(x), torch.nn.functional.elu(x))
print(torch.nn.functional.leaky_relu(x, 0.1), torch.nn.functional.hardtanh(x))
print(torch.floor(x * 1.3), torch.ceil(x * 1.3), torch.round(x * 1.3), torch.trunc(x * 1.3))
print(torch.sign(x), torch.abs(x), x.neg(), torch.reciprocal(x[x != 0]))
print(torch.pow(x, 2), x**3, 2**x, torch.remainder(x, 1.5), torch.fmod(x, 1.5))
print(torch.clamp(x, -1, 1), torch.maximum(x, torch.zeros(9)), torch.minimum(x, 0.5 - x))
print(torch.log(torch.tensor([0.0, -1.0])), torch.tensor([1.0]) / 0, torch.tensor([0.0]) / 0)
print(
    torch.isnan(torch.tensor([1.0, float("nan")])), torch.isinf(torch.tensor([float("inf"), 1.0]))
)
print(torch.nan_to_num(torch.tensor([float("nan"), float("inf"), -float("inf")])))
print(
    torch.atan2(torch.tensor([1.0, -1.0]), torch.tensor([-1.0, 1.0])),
    torch.hypot(torch.tensor([3.0]), torch.tensor([4.0])),
)
print(
    torch.erf(x),
    torch.log1p(x.abs()),
    torch.expm1(x),
    torch.log2(x.abs() + 1),
    torch.log10(x.abs() + 1),
)
print(
    torch.lerp(torch.zeros(3), torch.ones(3), 0.25),
    torch.addcmul(torch.ones(2), torch.ones(2), torch.ones(2) * 3, value=0.5),
)
print(
    torch.dot(x, x),
    torch.outer(x[:3], x[:2]),
    torch.cross(torch.tensor([1.0, 0, 0]), torch.tensor([0.0, 1, 0]), dim=0),
)
print(torch.einsum("ij,jk->ik", torch.arange(6.0).view(2, 3), torch.arange(6.0).view(3, 2)))
print(torch.einsum("i,i->", x, x), torch.einsum("bij->bji", torch.ones(2, 1, 3)).shape)
A = torch.tensor([[4.0, 1.0], [2.0, 3.0]])
print(torch.linalg.inv(A), torch.linalg.det(A), torch.det(A))
print(torch.linalg.solve(A, torch.tensor([1.0, 2.0])))
L, V = torch.linalg.eigh(torch.tensor([[2.0, 1.0], [1.0, 2.0]]))
print(L, V.abs())
print(torch.linalg.matrix_norm(A), torch.linalg.vector_norm(x, ord=1), torch.trace(A))
print(
    torch.bmm(torch.ones(2, 2, 3), torch.ones(2, 3, 1)).shape,
    torch.matmul(torch.ones(3), torch.ones(3, 2)),
)
print(
    torch.mv(A, torch.tensor([1.0, 1.0])),
    A @ A,
    A.matrix_power(3) if hasattr(A, "matrix_power") else None,
)
print(torch.cumsum(torch.arange(5), 0), torch.diff(torch.tensor([1, 4, 9, 16])))
print(torch.cdist(torch.tensor([[0.0, 0.0], [1.0, 1.0]]), torch.tensor([[3.0, 4.0]])))
print(torch.nn.functional.cosine_similarity(torch.tensor([[1.0, 0.0]]), torch.tensor([[1.0, 1.0]])))
print(
    torch.nn.functional.normalize(torch.tensor([[3.0, 4.0]]), dim=1),
    torch.nn.functional.one_hot(torch.tensor([0, 2]), 3),
)
print(
    torch.histc(torch.tensor([1.0, 2.0, 1.0, 4.0]), bins=4, min=0, max=4),
    torch.bincount(torch.tensor([0, 1, 1, 3])),
)
print(
    torch.clip(x, max=0.5),
    torch.square(x),
    torch.rsqrt(torch.tensor([4.0])),
    torch.logit(torch.tensor([0.25])),
)
