import torch
import torch.nn.functional as F

x = torch.linspace(-2, 2, 16).reshape(-1, 2)
y = (x[:, 0] + x[:, 1] > 0).float()
print(x, y)
w = torch.zeros(2, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr = 0.5
for step in range(60):
    z = x @ w + b
    p = torch.sigmoid(z)
    loss = F.binary_cross_entropy(p, y)
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    if step % 20 == 0:
        print(step, loss)
print(w, round(b.item(), 4))
pred = (torch.sigmoid(x @ w + b) > 0.5).float()
print(pred, (pred == y).float().mean())
model = torch.nn.Sequential(torch.nn.Linear(2, 1), torch.nn.Sigmoid())
with torch.no_grad():
    model[0].weight.copy_(torch.tensor([[0.3, -0.2]]))
    model[0].bias.fill_(0.1)
opt = torch.optim.Adam(model.parameters(), lr=0.1)
crit = torch.nn.BCELoss()
for _epoch in range(30):
    opt.zero_grad()
    out = model(x).squeeze(1)
    loss = crit(out, y)
    loss.backward()
    opt.step()
print(loss, model[0].weight.data, model[0].bias.grad.abs() < 1e-3)
logits = x @ w.detach() + b.detach()
print(F.binary_cross_entropy_with_logits(logits, y))
print(F.binary_cross_entropy_with_logits(logits, y, pos_weight=torch.tensor([2.0])))
print(F.logsigmoid(logits)[:3], torch.sigmoid(torch.tensor([-100.0, 0.0, 100.0])))
