import torch


def make():
    torch.manual_seed(0)
    model = torch.nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[0.5, -0.3]]))
        model.bias.fill_(0.1)
    return model


X = torch.stack([torch.linspace(-1, 1, 10), torch.cos(torch.linspace(0, 3, 10))], 1)
Y = X[:, :1] * 2 - X[:, 1:] + 0.5
configs = [
    (torch.optim.SGD, dict(lr=0.1)),
    (torch.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    (torch.optim.SGD, dict(lr=0.1, weight_decay=0.01)),
    (torch.optim.Adam, dict(lr=0.05)),
    (torch.optim.Adam, dict(lr=0.05, amsgrad=True)),
    (torch.optim.AdamW, dict(lr=0.05, weight_decay=0.1)),
    (torch.optim.RMSprop, dict(lr=0.01)),
    (torch.optim.Adagrad, dict(lr=0.1)),
]
for cls, kw in configs:
    model = make()
    opt = cls(model.parameters(), **kw)
    for _ in range(25):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(X), Y)
        loss.backward()
        opt.step()
    print(cls.__name__, kw, f"{loss.item():.6f}", model.weight.data, model.bias.data)
model = make()
opt = torch.optim.SGD(
    [{"params": [model.weight]}, {"params": [model.bias], "lr": 0.5}], lr=0.1, momentum=0.5
)
print(opt)
print(len(opt.param_groups), [g["lr"] for g in opt.param_groups])
opt.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.2})
print(len(opt.param_groups), opt.param_groups[2]["momentum"])
loss = torch.nn.functional.mse_loss(model(X), Y)
loss.backward()
opt.step()
print(model.weight, model.bias)
print(opt.state_dict()["state"])
print(torch.optim.Adam(make().parameters()))
