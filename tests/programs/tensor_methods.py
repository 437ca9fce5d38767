import torch

t = torch.arange(12, dtype=torch.float32).view(3, 4)
print(t.shape, t.size(), t.numel(), t.dim(), t.dtype, t.device, t.is_contiguous())
print(t.tolist(), t[0].tolist(), t.sum().item())
print(t.numpy(), type(t.numpy()))
print(t.clone().fill_diagonal_(0) if hasattr(t, "fill_diagonal_") else None)
print(t.new_zeros(2), t.new_ones((1, 2)), t.new_full((2,), 5.0), t.new_tensor([1, 2]))
print(t.mean(1).unsqueeze(1).expand_as(t))
print(t.eq(5), t.ne(5).sum(), t.gt(6).float(), t.le(2).nonzero())
print(t.chunk(2, dim=1)[1], t.split(1, 0)[2], t.unbind(1)[0])
print(t.std(0, keepdim=True), t.var(), t.max(1).values, t.max(1).indices, t.min(1)[0])
print(t.to(torch.int32), t.long().dtype, t.bool().any(), t.half().dtype)
print(t.abs().sqrt().round(decimals=2) if True else None)
print(t.index_select(1, torch.tensor([0, 3])), t.narrow(1, 1, 2), t.select(0, 1))
print(t.roll(1, 0), t.flip(1), t.fliplr() if hasattr(t, "fliplr") else None)
print(t.triu(), t.tril(-1), t.diag(), t.diagonal(1))
print(t.sort(1, descending=True).values, t.argsort(0, descending=True))
print(t.kthvalue(2, dim=1), t.topk(1).indices)
print(t.where(t > 5, -t) if hasattr(t, "where") else None)
print(t.apply_(lambda v: v * 2) if hasattr(t, "apply_") else None)
print(t.map_(torch.ones(3, 4), lambda a, b: a + b) if hasattr(t, "map_") else None)
print(t.count_nonzero(), t.allclose(t + 1e-9), t.equal(t.clone()), torch.equal(t, t.T.T))
print(t.softmax(1)[0], t.log_softmax(0)[:, 0], t.cumsum(dim=1)[-1])
print(
    t.repeat_interleave(2, dim=0).shape,
    torch.repeat_interleave(torch.tensor([1, 2]), torch.tensor([2, 3])),
)
print(
    t.view(2, -1).shape,
    t.view(4, 3).dtype,
    t.reshape(-1).stride() if hasattr(t, "stride") else None,
)
print(t.contiguous().data_ptr() == t.data_ptr() if hasattr(t, "data_ptr") else None)
print(t.storage_offset(), t[1:].storage_offset(), t.T.stride(), t.stride())
print(len(t), list(t.shape), tuple(t.shape), t.shape == (3, 4), t.shape[-1])
print(float(t[0, 1]), int(t[2, 3]), bool(t[0, 0]), t[1, 1].item() == 10.0)
for row in t[:2]:
    print(row)
print(torch.tensor([[1, 2], [3, 4]]).prod(1), torch.tensor([3, 1, 2]).sort())
print(torch.tensor([1.5, 2.5, -0.5]).round(), torch.tensor([1.123456789], dtype=torch.float64))
print(t.sum(dim=-1).div(4), t.mul(0.5).add(1).sub(2).div(3).pow(2).sqrt()[0])
print(t.max(), t.max(dim=0, keepdim=True), t.amax(dim=(0, 1)))
