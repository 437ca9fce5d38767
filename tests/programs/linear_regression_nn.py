import torch
import torch.nn as nn
import torch.optim as optim

X = torch.linspace(0, 1, 20).unsqueeze(1)
y = 3 * X - 0.5 + 0.05 * torch.cos(7 * X)


class LinearRegression(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        return self.linear(x)


model = LinearRegression()
with torch.no_grad():
    model.linear.weight.fill_(0.1)
    model.linear.bias.zero_()
print(model)
criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.5)
for epoch in range(100):
    optimizer.zero_grad()
    outputs = model(X)
    loss = criterion(outputs, y)
    loss.backward()
    optimizer.step()
    if (epoch + 1) % 25 == 0:
        print(f"Epoch [{epoch + 1}/100], Loss: {loss.item():.4f}")
print(model.linear.weight, model.linear.bias)
print(list(model.parameters()))
with torch.no_grad():
    print(model(torch.tensor([[2.0]])))
print(model.state_dict())
print(optimizer.state_dict()["param_groups"])
print(sum(p.numel() for p in model.parameters() if p.requires_grad))
print(
    nn.L1Loss()(model(X), y), nn.SmoothL1Loss()(model(X), y), nn.HuberLoss(delta=0.1)(model(X), y)
)
