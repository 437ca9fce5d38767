import torch
from torch.optim.lr_scheduler import (
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    MultiStepLR,
    ReduceLROnPlateau,
    StepLR,
)

p = torch.nn.Parameter(torch.tensor([1.0, -1.0]))


def run(make_sched, steps=8, opt_cls=torch.optim.SGD, **kw):
    opt = opt_cls([p], lr=0.1, **kw)
    sched = make_sched(opt)
    lrs = []
    for _ in range(steps):
        opt.zero_grad()
        (p**2).sum().backward()
        opt.step()
        sched.step()
        lrs.append(round(opt.param_groups[0]["lr"], 6))
    return lrs, sched.get_last_lr()


print(run(lambda o: StepLR(o, step_size=3, gamma=0.5)))
print(run(lambda o: ExponentialLR(o, gamma=0.9)))
print(run(lambda o: CosineAnnealingLR(o, T_max=4)))
print(run(lambda o: LambdaLR(o, lr_lambda=lambda e: 1 / (e + 1))))
print(run(lambda o: MultiStepLR(o, milestones=[2, 5], gamma=0.1)))
print(run(lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.5, total_iters=4)))
print(run(lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=8)))
opt = torch.optim.SGD([p], lr=1.0)
plateau = ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=1)
for loss in [1.0, 0.9, 0.95, 0.96, 0.97, 0.5, 0.6, 0.7]:
    plateau.step(loss)
    print(opt.param_groups[0]["lr"], end=" ")
print()
opt = torch.optim.Adam([p], lr=0.01)
s = StepLR(opt, 2)
print(s.state_dict())
print(p)
print(run(lambda o: torch.optim.lr_scheduler.ConstantLR(o, factor=0.25, total_iters=3)))
print(run(lambda o: torch.optim.lr_scheduler.PolynomialLR(o, total_iters=5, power=2.0)))
print(
    run(
        lambda o: torch.optim.lr_scheduler.LinearLR(
            o, start_factor=1.0, end_factor=0.1, total_iters=6
        ),
        steps=9,
    )
)
try:
    torch.optim.lr_scheduler.LinearLR(torch.optim.SGD([p], lr=0.1), start_factor=0)
except ValueError as e:
    print(type(e).__name__, e)
print(run(lambda o: torch.optim.lr_scheduler.MultiplicativeLR(o, lr_lambda=lambda e: 0.95)))
opt = torch.optim.SGD([p], lr=0.1)
warmup = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=3)
cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=5)
seq = torch.optim.lr_scheduler.SequentialLR(opt, schedulers=[warmup, cosine], milestones=[3])
lrs = []
for _epoch in range(8):
    opt.step()
    seq.step()
    lrs.append(round(seq.get_last_lr()[0], 6))
print(lrs)
opt = torch.optim.SGD([p], lr=0.1)
restarts = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2, eta_min=0.001)
lrs = []
for epoch in range(10):
    for i in range(2):
        opt.step()
        restarts.step(epoch + i / 2)
    lrs.append(round(opt.param_groups[0]["lr"], 6))
print(lrs)
