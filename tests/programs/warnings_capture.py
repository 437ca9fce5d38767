import warnings

import torch
import torch.nn.functional as F


def capture(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    for w in caught:
        print(w.category.__name__, str(w.message).split(" (Triggered internally")[0])
    return result


x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
print(capture(lambda: y.grad))
print(capture(lambda: F.mse_loss(torch.ones(3, 1), torch.ones(3))))
print(capture(lambda: torch.tensor(torch.ones(2))))
print(capture(lambda: F.softmax(torch.ones(2, 2))))
p = torch.nn.Parameter(torch.ones(1))
opt = torch.optim.SGD([p], lr=0.1)
sched = torch.optim.lr_scheduler.StepLR(opt, 1)
capture(lambda: sched.step())
print(capture(lambda: torch.ones(2, 3).T.shape))
print(capture(lambda: torch.ones(2, 3, 4).T.shape))
print(capture(lambda: torch.tensor([1.0, 2.0]).std(dim=0, unbiased=True)))
print(capture(lambda: torch.ones(1).std()))
print(capture(lambda: F.kl_div(torch.zeros(2), torch.ones(2) / 2)))
print(capture(lambda: torch.nn.functional.dropout(torch.ones(2), p=0.0)))
z = torch.ones(2, requires_grad=True)
print(capture(lambda: z.numpy() if False else z.detach().numpy()))
lin = torch.nn.Linear(2, 2)
print(capture(lambda: lin(torch.ones(1, 2)).grad))
print(capture(lambda: torch.nn.utils.clip_grad_norm_([torch.nn.Parameter(torch.ones(1))], 1.0)))
