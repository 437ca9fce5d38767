import torch
import torch.nn as nn


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(5, 3)
        self.out = nn.Linear(3, 5, bias=False)
        self.out.weight = self.emb.weight

    def forward(self, idx):
        return self.out(self.emb(idx))


m = Tied()
with torch.no_grad():
    m.emb.weight.copy_(torch.arange(15.0).view(5, 3) / 10)
print(len(list(m.parameters())), [n for n, _ in m.named_parameters()], list(m.state_dict().keys()))
out = m(torch.tensor([1, 3]))
print(out)
out.sum().backward()
print(m.emb.weight.grad)
print(m.out.weight is m.emb.weight)
shared = nn.Linear(2, 2)
net = nn.Sequential(shared, nn.ReLU(), shared)
with torch.no_grad():
    shared.weight.copy_(torch.tensor([[1.0, -1.0], [0.5, 2.0]]))
    shared.bias.fill_(0.1)
print(net, len(list(net.parameters())))
y = net(torch.tensor([[1.0, 2.0]]))
y.sum().backward()
print(y, shared.weight.grad, shared.bias.grad)
p = nn.Parameter(torch.tensor([1.0, 2.0]))
q = p.view(2, 1)
q.sum().backward()
print(p.grad, isinstance(p, torch.Tensor), type(p).__name__, type(p * 2).__name__)
pl = nn.ParameterList([nn.Parameter(torch.ones(2)), nn.Parameter(torch.zeros(1))])
print(pl, len(pl))
pd = nn.ParameterDict({"a": nn.Parameter(torch.ones(1))})
print(pd, pd["a"])
print(nn.Parameter(torch.ones(2), requires_grad=False))
w = nn.Parameter(torch.tensor([[1.0, 2.0]]))
print(w.data, w.grad, w.requires_grad, w.T.shape, w.detach().requires_grad)
