import copy

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(42)
N = 80
t = torch.linspace(0, 1, N)
X = torch.stack([t, t**2, torch.sin(6 * t)], 1)
y = (0.7 * X[:, 0] - 1.2 * X[:, 1] + 0.5 * X[:, 2] + 0.1).unsqueeze(1)
train_ds = TensorDataset(X[:60], y[:60])
val_ds = TensorDataset(X[60:], y[60:])
train_dl = DataLoader(train_ds, batch_size=20)
val_dl = DataLoader(val_ds, batch_size=20)
model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(
            torch.cos(torch.arange(p.numel(), dtype=torch.float32) * 0.9 + i).view(p.shape) * 0.5
        )
opt = torch.optim.Adam(model.parameters(), lr=0.02, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
loss_fn = nn.MSELoss()
best, best_state, history = float("inf"), None, []
for epoch in range(30):
    model.train()
    train_loss = 0.0
    for xb, yb in train_dl:
        pred = model(xb)
        loss = loss_fn(pred, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        train_loss += loss.item() * len(xb)
    sched.step()
    model.eval()
    with torch.no_grad():
        val_loss = sum(loss_fn(model(xb), yb).item() * len(xb) for xb, yb in val_dl) / len(val_ds)
    history.append(round(val_loss, 5))
    if val_loss < best:
        best, best_state = val_loss, copy.deepcopy(model.state_dict())
    if epoch % 10 == 9:
        print(
            f"epoch {epoch + 1:2d} train {train_loss / len(train_ds):.5f} val {val_loss:.5f} lr {sched.get_last_lr()[0]:.4f}"
        )
print(history[-3:], f"{best:.5f}")
model.load_state_dict(best_state)
with torch.no_grad():
    print(model(X[:3]).squeeze(), y[:3].squeeze())
acc_steps = 2
opt.zero_grad()
for i, (xb, yb) in enumerate(train_dl):
    loss = loss_fn(model(xb), yb) / acc_steps
    loss.backward()
    if (i + 1) % acc_steps == 0:
        opt.step()
        opt.zero_grad()
print(model[0].bias)
print(opt.state_dict()["param_groups"][0]["lr"], len(opt.state_dict()["state"]))
