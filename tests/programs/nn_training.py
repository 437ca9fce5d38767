import torch

torch.manual_seed(0)
X = torch.linspace(-1, 1, 40).reshape(-1, 1)
Y = torch.sin(3 * X)
model = torch.nn.Sequential(torch.nn.Linear(1, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
print(model)
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.linspace(-0.5, 0.5, p.numel()).reshape(p.shape) * (i + 1))
print([n for n, _ in model.named_parameters()], list(model.state_dict().keys()))
for Opt, kw in ((torch.optim.SGD, dict(lr=0.1, momentum=0.9)), (torch.optim.Adam, dict(lr=0.01))):
    m = torch.nn.Sequential(torch.nn.Linear(1, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    m.load_state_dict(model.state_dict())
    opt = Opt(m.parameters(), **kw)
    loss_fn = torch.nn.MSELoss()
    for _step in range(50):
        opt.zero_grad()
        loss = loss_fn(m(X), Y)
        loss.backward()
        opt.step()
    print(Opt.__name__, f"{loss.item():.5f}")
print(opt)
logits = torch.tensor([[1.0, 2.0, 0.5], [0.1, -1.0, 2.0]], requires_grad=True)
t = torch.tensor([1, 2])
ce = torch.nn.CrossEntropyLoss()(logits, t)
ce.backward()
print(f"{ce.item():.5f}", logits.grad)
p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
print(p, p.is_leaf, p * 2)
print(torch.nn.BCEWithLogitsLoss()(torch.tensor([0.5, -1.0]), torch.tensor([1.0, 0.0])))
print(torch.nn.BCELoss()(torch.tensor([0.6, 0.2]), torch.tensor([1.0, 0.0])))
try:
    model.load_state_dict({"0.weight": torch.ones(8, 1)})
except RuntimeError as e:
    print(e)
try:
    torch.nn.Linear(3, 2)(torch.ones(4, 2))
except RuntimeError as e:
    print(e)
