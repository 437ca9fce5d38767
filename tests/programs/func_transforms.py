import torch
from torch.func import functional_call, grad, jacrev, vmap

model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.linspace(-0.5, 0.5, p.numel()).view(p.shape) + 0.1 * i)
model.requires_grad_(False)
params = {k: v.detach() for k, v in model.named_parameters()}
x = torch.tensor([[0.5, -1.0], [1.5, 2.0], [0.0, 0.3]])
y = torch.tensor([[1.0], [0.0], [0.5]])


def compute_loss(params, sample, target):
    pred = functional_call(model, params, (sample.unsqueeze(0),))
    return torch.nn.functional.mse_loss(pred, target.unsqueeze(0))


per_sample_grads = vmap(grad(compute_loss), in_dims=(None, 0, 0))(params, x, y)
for k, v in per_sample_grads.items():
    print(k, v.shape)
print(per_sample_grads["2.bias"])
print(vmap(lambda s: model(s))(x))
jac = jacrev(lambda inp: model(inp))(x[0])
print(jac)
print(vmap(jacrev(torch.tanh))(x))
batched_dot = vmap(torch.dot)
print(batched_dot(x, x))
print(vmap(lambda a, b: a @ b, in_dims=(0, None))(torch.ones(2, 3, 2), torch.ones(2)))
print(vmap(torch.sum, in_dims=1)(torch.arange(6.0).view(2, 3)))
print(vmap(lambda t: t.max(), out_dims=0)(torch.tensor([[1.0, 5.0], [7.0, 2.0]])))
