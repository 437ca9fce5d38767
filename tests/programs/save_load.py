import io

import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 3)
        self.bn = nn.BatchNorm1d(3)
        self.fc2 = nn.Linear(3, 1)

    def forward(self, x):
        return self.fc2(torch.relu(self.bn(self.fc1(x))))


net = Net()
with torch.no_grad():
    for i, (_name, p) in enumerate(net.named_parameters()):
        p.copy_(torch.arange(p.numel(), dtype=torch.float32).view(p.shape) * 0.1 - i * 0.05)
x = torch.linspace(-1, 1, 8).view(4, 2)
net.train()
out = net(x)
print(out)
sd = net.state_dict()
print(list(sd.keys()))
print(sd["bn.running_mean"], sd["bn.num_batches_tracked"])
buf = io.BytesIO()
torch.save(sd, buf)
buf.seek(0)
loaded = torch.load(buf)
net2 = Net()
print(net2.load_state_dict(loaded))
net.eval()
net2.eval()
print(torch.equal(net(x), net2(x)), torch.allclose(net(x), net2(x)))
opt = torch.optim.Adam(net.parameters(), lr=0.01)
loss = net(x).pow(2).mean()
loss.backward()
opt.step()
buf = io.BytesIO()
torch.save({"model": net.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, buf)
buf.seek(0)
ckpt = torch.load(buf, weights_only=True)
print(ckpt["epoch"], sorted(ckpt["optimizer"].keys()), ckpt["optimizer"]["param_groups"])
print(ckpt["optimizer"]["state"][0]["step"], ckpt["optimizer"]["state"][0]["exp_avg"])
opt2 = torch.optim.Adam(net2.parameters(), lr=0.5)
opt2.load_state_dict(ckpt["optimizer"])
print(opt2.param_groups[0]["lr"])
buf = io.BytesIO()
torch.save([torch.tensor([1, 2]), {"a": torch.ones(2, dtype=torch.float64)}], buf)
buf.seek(0)
print(torch.load(buf))
r = net2.load_state_dict({k: v for k, v in sd.items() if k != "fc2.bias"}, strict=False)
print(r.missing_keys, r.unexpected_keys)
try:
    net2.load_state_dict({"fc1.weight": torch.zeros(5, 5)}, strict=False)
except RuntimeError as e:
    print(type(e).__name__, e)
