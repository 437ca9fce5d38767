from collections import OrderedDict

import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.lin = nn.Linear(d, d)
        self.norm = nn.LayerNorm(d)
        self.act = nn.GELU()
        self.register_buffer("scale", torch.tensor(2.0))

    def forward(self, x):
        return self.act(self.norm(self.lin(x))) * self.scale


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([Block(4) for _ in range(2)])
        self.heads = nn.ModuleDict({"a": nn.Linear(4, 2), "b": nn.Linear(4, 1, bias=False)})
        self.p = nn.Parameter(torch.ones(1))

    def forward(self, x):
        for blk in self.blocks:
            x = blk(x)
        return self.heads["a"](x), self.heads["b"](x)


m = Model()
print(m)
print([n for n, _ in m.named_parameters()])
print([n for n, _ in m.named_buffers()])
print([n for n, _ in m.named_modules()])
print([type(c).__name__ for c in m.children()])
print(len(list(m.modules())), len(list(m.parameters())))
print(list(m.state_dict().keys()))


def init_weights(mod):
    if isinstance(mod, nn.Linear):
        nn.init.constant_(mod.weight, 0.1)
        if mod.bias is not None:
            nn.init.zeros_(mod.bias)


m.apply(init_weights)
x = torch.linspace(-1, 1, 8).view(2, 4)
a, b = m(x)
print(a, b)
for p in m.blocks.parameters():
    p.requires_grad = False
print(sum(p.numel() for p in m.parameters() if p.requires_grad))
(a.sum() + b.sum()).backward()
print(m.blocks[0].lin.weight.grad, m.heads["b"].weight.grad)
m.eval()
print(m.training, m.blocks[1].training)
m.train()
print(m.heads.a.training if hasattr(m.heads, "a") else None)
print(m.get_submodule("blocks.0.norm"), m.get_parameter("heads.a.bias"))
seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
seq.append(nn.Linear(2, 1))
print(seq, len(seq), seq[-1], seq[0:2])
od = nn.Sequential(OrderedDict([("fc", nn.Linear(1, 1)), ("sig", nn.Sigmoid())]))
print(od, od.fc)
print(nn.Identity()(torch.ones(2)), nn.Softmax(dim=0)(torch.tensor([1.0, 1.0])))
print(
    nn.LeakyReLU(0.1),
    nn.Dropout(p=0.2),
    nn.Conv2d(3, 8, 3, stride=2, padding=1),
    nn.Embedding(5, 2),
)
print(nn.BatchNorm1d(4), nn.LayerNorm([2, 3]), nn.MaxPool2d(2), nn.AvgPool2d(3, stride=1))
print(nn.LSTM(3, 5, batch_first=True), nn.GRUCell(2, 3), nn.RNNCell(2, 3, nonlinearity="relu"))
print(m.heads["a"].weight.dtype, m.double().heads["a"].weight.dtype)
print(nn.Linear(2, 3).weight.shape, nn.Bilinear(2, 3, 4) if hasattr(nn, "Bilinear") else "")
