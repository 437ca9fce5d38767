import numpy as np
import torch

t = torch.tensor(3.14159)
print(f"{t:.2f}", f"{t.item():.3f}", "%.1f" % t, str(t), f"{t}")  # noqa: UP031
try:
    print(f"{torch.tensor([1.0, 2.0]):.2f}")
except Exception as e:
    print(type(e).__name__, e)
s = torch.Size([2, 3])
print(s, f"{s}", list(s), s[0], s[-1], s.numel(), len(s), s == (2, 3), s + (4,), tuple(s))
print(torch.ones(2, 3).size(), torch.ones(2, 3).size(-1), torch.ones(2, 3).shape[1:])
m = torch.nn.Linear(3, 2)
for name, param in m.named_parameters():
    print(f"{name}: {param.shape} {param.dtype} requires_grad={param.requires_grad}")
print(f"{torch.tensor(5)}", f"{torch.tensor([1, 2])}", f"{torch.tensor(2.5):>8.2f}|")
print(int(torch.tensor(3.7)), float(torch.tensor(2)), round(torch.tensor(2.567).item(), 2))
print(
    torch.tensor([1.0, 2.0]).tolist(), [round(v, 2) for v in torch.tensor([1.234, 5.678]).tolist()]
)
print(
    torch.tensor(7).item() + 1, torch.tensor(True).item(), type(torch.tensor(1.0).item()).__name__
)
print(torch.float32, repr(torch.float64), str(torch.int64), torch.tensor([1]).dtype == torch.long)
print(torch.device("cpu"), repr(torch.device("cpu")), torch.ones(1).device == torch.device("cpu"))
d = {"loss": torch.tensor(0.5), "acc": 0.75}
print(d, [torch.tensor(1), torch.tensor([2.0, 3.0])])
print(repr(torch.nn.Parameter(torch.tensor([1.0]))), str(torch.nn.Parameter(torch.ones(1, 1))))
print(
    np.array(torch.tensor([1.0, 2.0])),
    np.asarray(torch.arange(3)).dtype,
    torch.tensor(np.float64(2.5)),
)
print(torch.tensor(np.array([1, 2], dtype=np.int32)).dtype, torch.as_tensor(np.ones(2)).dtype)
print(
    hash(torch.Size([1])) == hash((1,)), max(torch.tensor([1, 5, 3])), sum(torch.tensor([1.0, 2.0]))
)
print(
    abs(torch.tensor(-2.0)), -torch.tensor([1, -1]), +torch.tensor([1]), pow(torch.tensor(2.0), 3)
)
print(
    torch.tensor([3.0]) @ torch.tensor([2.0]),
    divmod(7, 2),
    torch.tensor(7) % 3,
    7 % torch.tensor(3),
)
print(
    2 - torch.tensor([1.0]),
    2 / torch.tensor([4.0]),
    2 ** torch.tensor([3]),
    10 // torch.tensor([3]),
)
print(len(torch.zeros(4, 2)), list(torch.arange(3)), [x.item() for x in torch.arange(3)])
print(torch.tensor([1, 2]) in [torch.tensor([1, 2])] if False else 2 in torch.tensor([1, 2]))
