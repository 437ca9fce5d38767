"""Generate tests/golden/optim.json: torch's losses for small training runs, step by step.

Run from the repository root with torch installed:

    python tools/gen_optim_golden.py

Each case trains a 3-4-2 tanh MLP (float32) on fixed data with one optimizer (and possibly a
learning-rate scheduler) and records the loss before every step, the learning rates after every
scheduler step and the final parameters. ``run_case`` is written against a ``torch``-like module
passed in, so tests/test_optim.py replays the very same code with chainrule.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "golden" / "optim.json"

STEPS = 20

# Lambdas for LambdaLR, by name (the JSON stores the name).
LAMBDAS = {
    "inverse": lambda epoch: 1.0 / (1 + epoch),
    "linear_warmup": lambda epoch: min(1.0, (epoch + 1) / 5),
}


def case(name, optimizer, options, scheduler=None, scheduler_options=None, groups=False,
         steps=STEPS, dtype="float32"):  # fmt: skip
    return {
        "name": name,
        "optimizer": optimizer,
        "options": options,
        "scheduler": scheduler,
        "scheduler_options": scheduler_options or {},
        "groups": groups,
        "steps": steps,
        "dtype": dtype,
    }


CASES = [
    case("sgd", "SGD", {"lr": 0.1}),
    case("sgd-momentum", "SGD", {"lr": 0.05, "momentum": 0.9}),
    case(
        "sgd-dampening-wd",
        "SGD",
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.01},
    ),
    case("sgd-nesterov", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    case("sgd-maximize", "SGD", {"lr": 0.01, "maximize": True}),
    case("sgd-groups", "SGD", {"lr": 0.05, "momentum": 0.5}, groups=True),
    case("adam", "Adam", {"lr": 0.01}),
    case("adam-amsgrad-wd", "Adam", {"lr": 0.02, "amsgrad": True, "weight_decay": 0.1}),
    case("adam-maximize", "Adam", {"lr": 0.01, "maximize": True, "betas": (0.8, 0.99)}),
    case("adamw", "AdamW", {"lr": 0.01}),
    case("adamw-amsgrad", "AdamW", {"lr": 0.02, "amsgrad": True, "weight_decay": 0.5}),
    case("adam-groups", "Adam", {"lr": 0.01}, groups=True),
    case("rmsprop", "RMSprop", {"lr": 0.01}),
    case(
        "rmsprop-centered-momentum",
        "RMSprop",
        {"lr": 0.005, "alpha": 0.9, "centered": True, "momentum": 0.5},
    ),
    case("rmsprop-wd", "RMSprop", {"lr": 0.01, "weight_decay": 0.1, "momentum": 0.3}),
    case("adagrad", "Adagrad", {"lr": 0.1}),
    case(
        "adagrad-decay-init",
        "Adagrad",
        {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1, "weight_decay": 0.01},
    ),
    # L-BFGS amplifies last-bit differences (line searches, convergence tests), so its float32
    # runs are short; the float64 runs check the algorithm itself over many more iterations.
    case("lbfgs", "LBFGS", {"lr": 0.5, "max_iter": 4}, steps=4),
    case("lbfgs-history", "LBFGS", {"lr": 1, "max_iter": 4, "history_size": 3}, steps=4),
    case(
        "lbfgs-wolfe", "LBFGS", {"lr": 1, "max_iter": 4, "line_search_fn": "strong_wolfe"}, steps=3
    ),
    case(
        "lbfgs-f64", "LBFGS", {"lr": 1, "max_iter": 10, "history_size": 4}, steps=5, dtype="float64"
    ),
    case(
        "lbfgs-wolfe-f64",
        "LBFGS",
        {"lr": 1, "max_iter": 10, "history_size": 5, "line_search_fn": "strong_wolfe"},
        steps=3,
        dtype="float64",
    ),
    case("steplr", "SGD", {"lr": 0.1, "momentum": 0.9}, "StepLR", {"step_size": 5, "gamma": 0.5}),
    case(
        "multisteplr",
        "SGD",
        {"lr": 0.1},
        "MultiStepLR",
        {"milestones": [3, 7, 7, 12], "gamma": 0.3},
    ),
    case("exponentiallr", "Adam", {"lr": 0.05}, "ExponentialLR", {"gamma": 0.9}),
    case("cosine", "SGD", {"lr": 0.2}, "CosineAnnealingLR", {"T_max": 6, "eta_min": 0.01}),
    case("lambdalr", "SGD", {"lr": 0.2}, "LambdaLR", {"lr_lambda": "inverse"}),
    case(
        "plateau",
        "SGD",
        {"lr": 0.5, "momentum": 0.9},
        "ReduceLROnPlateau",
        {"patience": 1, "factor": 0.5, "threshold": 0.05},
    ),
    case(
        "onecycle-sgd",
        "SGD",
        {"lr": 0.1, "momentum": 0.9},
        "OneCycleLR",
        {"max_lr": 0.3, "total_steps": 20},
    ),
    case(
        "onecycle-adam-linear",
        "Adam",
        {"lr": 0.01},
        "OneCycleLR",
        {"max_lr": 0.05, "total_steps": 25, "anneal_strategy": "linear", "three_phase": True},
    ),
]


def initial_values():
    """Fixed data and initial weights (float32), the same for every case."""
    rng = np.random.default_rng(1234)
    f32 = np.float32
    return {
        "x": rng.standard_normal((8, 3)).astype(f32),
        "y": rng.standard_normal((8, 2)).astype(f32),
        "w1": (rng.standard_normal((4, 3)) * 0.5).astype(f32),
        "b1": (rng.standard_normal(4) * 0.1).astype(f32),
        "w2": (rng.standard_normal((2, 4)) * 0.5).astype(f32),
        "b2": (rng.standard_normal(2) * 0.1).astype(f32),
    }


def run_case(torch, spec):
    """Train with ``torch`` (torch or chainrule) as ``spec`` says; returns the record."""
    values = initial_values()
    dtype = getattr(torch, spec.get("dtype", "float32"))
    x = torch.tensor(values["x"]).to(dtype)
    y = torch.tensor(values["y"]).to(dtype)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    if dtype == torch.float64:
        model = model.double()
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor(values["w1"]))
        model[0].bias.copy_(torch.tensor(values["b1"]))
        model[2].weight.copy_(torch.tensor(values["w2"]))
        model[2].bias.copy_(torch.tensor(values["b2"]))
    options = dict(spec["options"])
    if "betas" in options:
        options["betas"] = tuple(options["betas"])
    if spec["groups"]:
        params = [{"params": model[0].parameters(), "lr": options["lr"] * 2},
                  {"params": model[2].parameters()}]  # fmt: skip
    else:
        params = model.parameters()
    optimizer = getattr(torch.optim, spec["optimizer"])(params, **options)
    scheduler = None
    if spec["scheduler"]:
        sched_options = dict(spec["scheduler_options"])
        if "lr_lambda" in sched_options:
            sched_options["lr_lambda"] = LAMBDAS[sched_options["lr_lambda"]]
        scheduler = getattr(torch.optim.lr_scheduler, spec["scheduler"])(optimizer, **sched_options)
    loss_fn = torch.nn.MSELoss()

    def closure():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        return loss

    losses, lrs = [], []
    for _ in range(spec["steps"]):
        loss = optimizer.step(closure)
        losses.append(loss.item())
        if scheduler is not None:
            if spec["scheduler"] == "ReduceLROnPlateau":
                scheduler.step(loss.item())
            else:
                scheduler.step()
            lrs.append([float(lr) for lr in scheduler.get_last_lr()])
    final = [p.detach().numpy().astype(float).ravel().tolist() for p in model.parameters()]
    return {"losses": losses, "lrs": lrs, "params": final}


def main() -> int:
    import torch

    torch.set_num_threads(1)
    records = []
    for spec in CASES:
        record = dict(spec)
        record.update(run_case(torch, spec))
        records.append(record)
    OUT.write_text(json.dumps({"torch": torch.__version__, "cases": records}, indent=1) + "\n")
    print(f"wrote {len(records)} cases to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
