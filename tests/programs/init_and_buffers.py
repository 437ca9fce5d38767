import torch
import torch.nn as nn

lin = nn.Linear(3, 3)
nn.init.constant_(lin.weight, 0.5)
nn.init.zeros_(lin.bias)
print(lin.weight, lin.bias)
nn.init.ones_(lin.weight)
nn.init.eye_(lin.weight)
print(lin.weight)
conv = nn.Conv1d(2, 2, 3)
nn.init.dirac_(conv.weight)
print(conv.weight)
print(
    nn.init.calculate_gain("relu"),
    nn.init.calculate_gain("tanh"),
    nn.init.calculate_gain("leaky_relu", 0.2),
)
w = torch.empty(2, 3)
print(nn.init.constant_(w, 3.0) is w, w)


class RunningStats(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("count", torch.tensor(0))
        self.register_buffer("mean", torch.zeros(2))
        self.register_buffer("tmp", torch.zeros(1), persistent=False)

    def forward(self, x):
        self.count += x.shape[0]
        self.mean += (x.sum(0) - self.mean * x.shape[0]) / self.count
        return x - self.mean


rs = RunningStats()
print(rs(torch.tensor([[1.0, 2.0], [3.0, 4.0]])))
print(rs(torch.tensor([[5.0, 6.0]])))
print(rs.state_dict(), [n for n, _ in rs.named_buffers()], list(rs.parameters()))
bn = nn.BatchNorm1d(2, momentum=0.5)
x = torch.tensor([[1.0, 10.0], [3.0, 20.0], [5.0, 60.0]])
print(bn(x))
print(bn.running_mean, bn.running_var, bn.num_batches_tracked)
bn.eval()
print(bn(x))
ln = nn.LayerNorm(2, elementwise_affine=False)
print(ln(x), ln)
gn = nn.GroupNorm(1, 2)
print(gn(x.unsqueeze(-1)).squeeze(-1))
d = nn.Dropout(0.3)
d.eval()
print(d(x), d)
print(nn.functional.dropout(x, 0.5, training=False))
