import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(4, 8, 3)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc = nn.Linear(8 * 1 * 1, 3)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        return self.fc(x)


net = Net()
with torch.no_grad():
    for i, p in enumerate(net.parameters()):
        p.copy_(torch.cos(torch.arange(p.numel(), dtype=torch.float32) + i).reshape(p.shape) * 0.3)
print(net)
x = torch.linspace(-1, 1, 2 * 64).reshape(2, 1, 8, 8)
out = net(x)
print(out, out.shape)
target = torch.tensor([0, 2])
loss = F.cross_entropy(out, target)
loss.backward()
print(loss, net.conv1.weight.grad.shape, net.conv1.bias.grad)
print(net.fc.weight.grad)
opt = torch.optim.SGD(net.parameters(), lr=0.05)
for _ in range(10):
    opt.zero_grad()
    loss = F.cross_entropy(net(x), target)
    loss.backward()
    opt.step()
print(loss)
bn = nn.BatchNorm2d(4)
y = bn(net.conv1(x))
print(y.mean().abs() < 1e-5, bn.running_mean, bn.num_batches_tracked)
bn.eval()
print(bn(net.conv1(x)).shape, bn)
ap = nn.AdaptiveAvgPool2d((1, 1))
print(ap(x).flatten(), F.avg_pool2d(x, 4).shape)
print(nn.Dropout(0.5).eval()(torch.ones(3)), nn.Flatten()(x).shape)
print(F.max_pool2d(x, 2, return_indices=True)[1][0, 0, 0])
