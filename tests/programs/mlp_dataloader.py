import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

n = 60
t = torch.linspace(0, 6.28, n)
X = torch.stack([torch.cos(t) * (1 + t / 7), torch.sin(t) * (1 + t / 7)], dim=1)
y = (t > 3.14).long()
ds = TensorDataset(X, y)
print(len(ds), ds[0])
loader = DataLoader(ds, batch_size=16, shuffle=False)
print(len(loader))
for xb, yb in loader:
    print(xb.shape, yb.shape, yb.dtype)


class MLP(nn.Module):
    def __init__(self, in_dim=2, hidden=16, out=2):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(), nn.Linear(hidden, out))

    def forward(self, x):
        return self.net(x)


model = MLP()
with torch.no_grad():
    for p in model.parameters():
        p.copy_(
            torch.sin(torch.arange(p.numel(), dtype=torch.float32) * 1.3).reshape(p.shape) * 0.5
        )
print(model)
loss_fn = nn.CrossEntropyLoss()
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
for epoch in range(20):
    model.train()
    total, correct, running = 0, 0, 0.0
    for xb, yb in loader:
        opt.zero_grad()
        logits = model(xb)
        loss = loss_fn(logits, yb)
        loss.backward()
        opt.step()
        running += loss.item() * xb.size(0)
        correct += (logits.argmax(1) == yb).sum().item()
        total += yb.size(0)
    if epoch % 5 == 4:
        print(f"epoch {epoch} loss {running / total:.4f} acc {correct / total:.3f}")
model.eval()
with torch.no_grad():
    logits = model(X[:4])
    print(logits, torch.softmax(logits, dim=1), logits.argmax(dim=1))
    print(nn.functional.log_softmax(logits, dim=-1))
print(model.training, model.net[0].training)
print(sum(p.numel() for p in model.parameters()))
dl2 = DataLoader(ds, batch_size=25, drop_last=True)
print([b[0].shape for b in dl2])
