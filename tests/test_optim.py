"""torch.optim and lr_scheduler: chainrule's training runs follow torch's losses step by step.

The golden file tests/golden/optim.json (tools/gen_optim_golden.py) holds torch's losses,
learning rates and final weights; the cases are replayed here with the generator's own code.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import chainrule
from chainrule import nn, optim

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "gen_optim_golden", ROOT / "tools/gen_optim_golden.py"
)
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)
GOLDEN = json.loads((ROOT / "tests/golden/optim.json").read_text())["cases"]


def _tolerances(case):
    if case["dtype"] == "float64":
        return 1e-9, 1e-9
    if case["optimizer"] == "LBFGS":  # line searches amplify last-bit differences
        return 2e-5, 1e-4
    return 1e-5, 1e-5


def _compare(record, expected, case):
    loss_rtol, param_atol = _tolerances(case)
    np.testing.assert_allclose(record["losses"], expected["losses"], rtol=loss_rtol)
    np.testing.assert_allclose(np.array(record["lrs"]), np.array(expected["lrs"]), rtol=1e-12)
    for got, want in zip(record["params"], expected["params"]):
        np.testing.assert_allclose(got, want, rtol=param_atol, atol=param_atol)


@pytest.mark.parametrize("case", GOLDEN, ids=[c["name"] for c in GOLDEN])
def test_training_matches_torch_golden(case):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. no float()-of-a-graph warnings from LBFGS
        record = gen.run_case(chainrule, case)
    _compare(record, case, case)


def test_golden_covers_every_case():
    assert [c["name"] for c in GOLDEN] == [c["name"] for c in gen.CASES]


@pytest.mark.parametrize("case", gen.CASES, ids=[c["name"] for c in gen.CASES])
def test_training_matches_live_torch(case):
    torch = pytest.importorskip("torch")
    _compare(gen.run_case(chainrule, case), gen.run_case(torch, case), case)


# ---------------------------------------------------------------------------- errors
def _param():
    return nn.Parameter(chainrule.ones(2))


BAD_OPTIONS = [
    (optim.SGD, {"lr": -0.1}, "Invalid learning rate: -0.1"),
    (optim.SGD, {"momentum": -1}, "Invalid momentum value: -1"),
    (optim.SGD, {"weight_decay": -1}, "Invalid weight_decay value: -1"),
    (optim.SGD, {"nesterov": True}, "Nesterov momentum requires a momentum and zero dampening"),
    (optim.Adam, {"eps": -1}, "Invalid epsilon value: -1"),
    (optim.Adam, {"betas": (1.0, 0.9)}, "Invalid beta parameter at index 0: 1.0"),
    (optim.AdamW, {"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1: 1.0"),
    (optim.RMSprop, {"alpha": -1}, "Invalid alpha value: -1"),
    (optim.Adagrad, {"lr_decay": -1}, "Invalid lr_decay value: -1"),
    (
        optim.Adagrad,
        {"initial_accumulator_value": -1},
        "Invalid initial_accumulator_value value: -1",
    ),
    (optim.LBFGS, {"lr": -1}, "Invalid learning rate: -1"),
]


@pytest.mark.parametrize("cls, options, message", BAD_OPTIONS)
def test_invalid_options_raise_torch_errors(cls, options, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(") + "$"):
        cls([_param()], **options)


def test_bad_params_arguments():
    p = _param()
    with pytest.raises(
        TypeError, match="should be an iterable of Tensors or dicts, but got torch.FloatTensor"
    ):
        optim.SGD(p)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([])
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([p * 2])
    with pytest.raises(TypeError, match="but one of the params is float"):
        optim.SGD([1.0])
    with pytest.raises(TypeError, match="ordering of tensors in sets"):
        optim.SGD([_param()]).add_param_group({"params": {p}})
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        optim.SGD([{"params": [p]}, {"params": [p]}])
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([p, p])
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        optim.LBFGS([{"params": [p]}, {"params": [_param()]}])


def test_param_groups_defaults_and_add_param_group():
    a, b = _param(), _param()
    opt = optim.SGD([{"params": [a], "lr": 0.5}], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": b})  # a lone tensor is wrapped in a list
    assert [g["lr"] for g in opt.param_groups] == [0.5, 0.1]
    assert opt.param_groups[1]["params"] == [b] and opt.param_groups[1]["momentum"] == 0.9
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    assert len(opt.param_groups) == 2
    assert "Parameter Group 1" in repr(opt) and "\n\nParameter Group 1" in repr(opt)


def test_zero_grad_set_to_none_or_zeros():
    p = _param()
    (p * 3).sum().backward()
    opt = optim.SGD([p], lr=0.1)
    opt.zero_grad(set_to_none=False)
    assert p.grad is not None and p.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None


def test_step_skips_params_without_grad_and_returns_closure_loss():
    a, b = _param(), _param()
    opt = optim.Adam([a, b], lr=0.1)
    (a * a).sum().backward()
    loss = opt.step(lambda: chainrule.tensor(5.0))
    assert loss.item() == 5.0
    assert b.tolist() == [1.0, 1.0] and a.tolist() != [1.0, 1.0]
    assert b not in opt.state and a in opt.state


def test_state_dict_layout_matches_torch():
    model = nn.Linear(2, 1)
    opt = optim.Adam([{"params": [model.weight]}, {"params": [model.bias], "lr": 0.1}])
    model(chainrule.ones(3, 2)).sum().backward()
    opt.step()
    sd = opt.state_dict()
    assert sorted(sd["state"]) == [0, 1]
    assert sorted(sd["state"][0]) == ["exp_avg", "exp_avg_sq", "step"]
    assert repr(sd["state"][0]["step"]) == "tensor(1.)"
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert list(sd["param_groups"][1])[-1] == "params" and sd["param_groups"][1]["lr"] == 0.1


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad", "AdamW"])
def test_load_state_dict_resumes_training_exactly(name):
    options = {"lr": 0.05, "momentum": 0.9} if name in ("SGD", "RMSprop") else {"lr": 0.05}
    values = gen.initial_values()
    x, y = chainrule.tensor(values["x"]), chainrule.tensor(values["y"])

    def make():
        chainrule.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
        return model, getattr(optim, name)(model.parameters(), **options)

    def train(model, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            nn.functional.mse_loss(model(x), y).backward()
            opt.step()

    model, opt = make()
    train(model, opt, 6)
    saved_model, saved_opt = copy.deepcopy(model.state_dict()), opt.state_dict()
    saved_opt = copy.deepcopy(saved_opt)
    train(model, opt, 4)
    model2, opt2 = make()
    model2.load_state_dict(saved_model)
    opt2.load_state_dict(saved_opt)
    train(model2, opt2, 4)
    for p, q in zip(model.parameters(), model2.parameters()):
        assert p.tolist() == q.tolist()


def test_load_state_dict_errors():
    opt = optim.Adam([_param()])
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})
    other = optim.Adam([_param(), _param()]).state_dict()
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt.load_state_dict(other)


def test_lbfgs_minimises_a_quadratic_and_rejects_unknown_line_search():
    w = nn.Parameter(chainrule.tensor([3.0, -2.0]))

    def closure():
        opt.zero_grad()
        loss = ((w - 1) ** 2).sum()
        loss.backward()
        return loss

    opt = optim.LBFGS([w], line_search_fn="strong_wolfe")
    assert opt.step(closure).item() == 13.0
    assert np.allclose(w.tolist(), [1.0, 1.0])
    opt = optim.LBFGS([w], line_search_fn="foo")
    w.data = chainrule.tensor([3.0, 0.0])
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)


# ---------------------------------------------------------------------------- schedulers
def _sgd(lr=1.0):
    return optim.SGD([_param()], lr=lr, momentum=0.9)


def test_scheduler_warns_when_stepped_before_optimizer():
    opt = _sgd()
    sched = optim.lr_scheduler.StepLR(opt, 1)
    with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before"):
        sched.step()
    opt = _sgd()
    sched = optim.lr_scheduler.StepLR(opt, 1)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()


def test_scheduler_state_dict_and_resume():
    opt = _sgd()
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    for _ in range(3):
        opt.step()
        sched.step()
    state = sched.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 3 and state["base_lrs"] == [1.0]
    assert sched.get_last_lr() == [0.5]
    opt2 = _sgd(0.5)
    opt2.param_groups[0]["initial_lr"] = 1.0
    sched2 = optim.lr_scheduler.StepLR(opt2, step_size=2, gamma=0.5, last_epoch=2)
    sched2.load_state_dict(state)
    opt2.step()
    sched2.step()
    assert sched2.get_last_lr() == [0.25]
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups"):
        optim.lr_scheduler.StepLR(_sgd(), 2, last_epoch=3)


def test_lambdalr_state_dict_drops_plain_functions():
    sched = optim.lr_scheduler.LambdaLR(_sgd(), lambda e: 0.5**e)
    assert sched.state_dict()["lr_lambdas"] == [None]


def test_scheduler_argument_errors():
    with pytest.raises(TypeError, match="int is not an Optimizer"):
        optim.lr_scheduler.StepLR(3, 1)
    with pytest.raises(ValueError, match="Factor should be < 1.0."):
        optim.lr_scheduler.ReduceLROnPlateau(_sgd(), factor=1.0)
    with pytest.raises(ValueError, match="mode foo is unknown!"):
        optim.lr_scheduler.ReduceLROnPlateau(_sgd(), mode="foo")
    with pytest.raises(ValueError, match="You must define either total_steps OR"):
        optim.lr_scheduler.OneCycleLR(_sgd(), max_lr=1.0)
    with pytest.raises(ValueError, match="Expected positive integer total_steps, but got 0"):
        optim.lr_scheduler.OneCycleLR(_sgd(), max_lr=1.0, total_steps=0)
    opt = optim.Adagrad([_param()])
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    opt = _sgd()
    sched = optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=2)
    opt.step()
    sched.step()
    sched.step()
    with pytest.raises(
        ValueError, match="Tried to step 3 times. The specified number of total steps is 2"
    ):
        sched.step()


def test_onecycle_cycles_momentum_and_adam_beta1():
    opt = _sgd()
    optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    assert (
        opt.param_groups[0]["momentum"] == 0.95
        and opt.param_groups[0]["lr"] == 0.040000000000000036
    )  # as torch
    opt = optim.Adam([_param()])
    optim.lr_scheduler.OneCycleLR(
        opt, max_lr=1.0, total_steps=10, base_momentum=0.8, max_momentum=0.9
    )
    assert opt.param_groups[0]["betas"] == (0.9, 0.999)


def test_lbfgs_state_dict_survives_save_and_load():
    def run(resume):
        w = nn.Parameter(chainrule.tensor([3.0, -2.0, 0.5]))
        opt = optim.LBFGS([w], max_iter=3, history_size=2, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = ((w - 1) ** 4).sum() + (w[0] * w[1]) ** 2
            loss.backward()
            return loss

        for _ in range(2):
            opt.step(closure)
        if resume:
            import io

            buffer = io.BytesIO()
            chainrule.save(opt.state_dict(), buffer)
            buffer.seek(0)
            opt = optim.LBFGS([w], max_iter=3, history_size=2, line_search_fn="strong_wolfe")
            opt.load_state_dict(chainrule.load(buffer))
        opt.step(closure)
        return w.tolist(), opt.state_dict()["state"][0]["n_iter"]

    assert run(resume=True) == run(resume=False)


EPOCH_CASES = [
    ("StepLR", {"step_size": 2, "gamma": 0.5}, [0.5, 1.0, 0.125, 0.5]),
    ("MultiStepLR", {"milestones": [2, 2, 5], "gamma": 0.5}, [0.25, 1.0, 0.125, 0.25]),
    ("ExponentialLR", {"gamma": 0.5}, [0.125, 0.5, 0.015625, 0.25]),
    (
        "CosineAnnealingLR",
        {"T_max": 4, "eta_min": 0.1},
        [0.23180194846605365, 0.8681980515339464, 0.5499999999999999, 0.55],
    ),
    (
        "LambdaLR",
        {"lr_lambda": lambda e: 1 / (e + 1)},
        [0.25, 0.5, 0.14285714285714285, 0.3333333333333333],
    ),
]


@pytest.mark.parametrize("name, options, expected", EPOCH_CASES, ids=[c[0] for c in EPOCH_CASES])
def test_step_with_epoch_uses_the_closed_form_and_warns(name, options, expected):
    """Values recorded from torch 2.13 (scheduler.step(epoch) for epochs 3, 1, 6, 2)."""
    opt = optim.SGD([_param()], lr=1.0)
    sched = getattr(optim.lr_scheduler, name)(opt, **options)
    got = []
    for epoch in (3, 1, 6, 2):
        opt.step()
        with pytest.warns(
            UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"
        ):
            sched.step(epoch)
        got.append(sched.get_last_lr()[0])
    assert got == expected


OPTIMIZERS = [
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("Adam", {"amsgrad": True}),
    ("AdamW", {}),
    ("RMSprop", {"centered": True, "momentum": 0.1}),
    ("Adagrad", {"lr_decay": 0.1}),
    ("LBFGS", {}),
]


@pytest.mark.parametrize("name, options", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_repr_and_state_dict_match_live_torch(name, options):
    torch = pytest.importorskip("torch")

    def snapshot(lib):
        w = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
        opt = getattr(lib.optim, name)([w], **options)

        def closure():
            opt.zero_grad()
            loss = (w**2).sum()
            loss.backward()
            return loss

        opt.step(closure)
        state = opt.state_dict()
        layout = {k: sorted(v) if isinstance(v, dict) else v for k, v in state["state"].items()}
        steps = {k: repr(v.get("step")) for k, v in state["state"].items()}
        return (repr(opt), layout, steps, state["param_groups"]), w.tolist()

    ours, our_w = snapshot(chainrule)
    theirs, their_w = snapshot(torch)
    assert ours == theirs
    np.testing.assert_allclose(our_w, their_w, rtol=1e-6, atol=1e-6)


def _schedule(lib, name, kwargs, steps=10, epochs=None):
    p = lib.nn.Parameter(lib.tensor([1.0]))
    opt = lib.optim.SGD([p], lr=0.1)
    sched = getattr(lib.optim.lr_scheduler, name)(opt, **kwargs)
    lrs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(steps):
            opt.step()
            sched.step() if epochs is None else sched.step(epochs[i])
            lrs.append(opt.param_groups[0]["lr"])
    return lrs, sched.get_last_lr(), sorted(sched.state_dict())


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("LinearLR", {}),
        ("LinearLR", {"start_factor": 0.5, "total_iters": 4}),
        ("LinearLR", {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 6}),
        ("ConstantLR", {}),
        ("ConstantLR", {"factor": 0.25, "total_iters": 3}),
        ("PolynomialLR", {}),
        ("PolynomialLR", {"total_iters": 6, "power": 2.0}),
        ("StepLR", {"step_size": 3}),
    ],
)
def test_linear_constant_polynomial_schedules_match_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    assert _schedule(chainrule, name, kwargs) == _schedule(torch, name, kwargs)
    epochs = [3, 1, 7, 2, 9, 0, 5, 5, 12, 4]
    ours = _schedule(chainrule, name, kwargs, epochs=epochs)
    assert ours == _schedule(torch, name, kwargs, epochs=epochs)


def test_linear_and_constant_lr_reject_bad_factors():
    with pytest.raises(ValueError, match="Starting multiplicative factor expected"):
        optim.lr_scheduler.LinearLR(_sgd(), start_factor=0)
    with pytest.raises(ValueError, match="Ending multiplicative factor expected"):
        optim.lr_scheduler.LinearLR(_sgd(), end_factor=1.5)
    with pytest.raises(ValueError, match="Constant multiplicative factor expected"):
        optim.lr_scheduler.ConstantLR(_sgd(), factor=2.0)


def _sequential(lib):
    p = lib.nn.Parameter(lib.tensor([1.0]))
    opt = lib.optim.SGD([p], lr=0.1)
    sched = lib.optim.lr_scheduler
    warm = sched.LinearLR(opt, start_factor=0.1, total_iters=3)
    cosine = sched.CosineAnnealingLR(opt, T_max=4)
    seq = sched.SequentialLR(opt, [warm, cosine], milestones=[3])
    history = [(opt.param_groups[0]["lr"], warm.last_epoch, cosine.last_epoch)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(8):
            opt.step()
            seq.step()
            history.append((opt.param_groups[0]["lr"], warm.last_epoch, cosine.last_epoch))
    mult = sched.MultiplicativeLR(opt, lambda epoch: 0.5)
    for _ in range(3):
        opt.step()
        mult.step()
    return history, seq.get_last_lr(), sorted(seq.state_dict()), mult.get_last_lr()


def test_sequential_and_multiplicative_lr_match_torch():
    torch = pytest.importorskip("torch")
    assert _sequential(chainrule) == _sequential(torch)
    with pytest.raises(ValueError, match="expects number of schedulers provided to be one more"):
        opt = _sgd()
        step = optim.lr_scheduler.StepLR(opt, 2)
        optim.lr_scheduler.SequentialLR(opt, [step], milestones=[1])


def _warm_restarts(lib, kwargs):
    p = lib.nn.Parameter(lib.tensor([1.0]))
    opt = lib.optim.SGD([p], lr=0.1)
    sched = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, **kwargs)
    history = [sorted(sched.state_dict())]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(12):
            opt.step()
            sched.step()
            history.append((sched.get_last_lr()[0], sched.T_cur, sched.T_i, sched.last_epoch))
        for epoch in [0.5, 4, 10, 2.5, 13.25, 7]:
            sched.step(epoch)
            history.append((sched.get_last_lr()[0], sched.T_cur, sched.T_i, sched.last_epoch))
    return history


@pytest.mark.parametrize(
    "kwargs", [{"T_0": 3, "T_mult": 2, "eta_min": 0.01}, {"T_0": 4}, {"T_0": 2, "T_mult": 3}]
)
def test_cosine_annealing_warm_restarts_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    assert _warm_restarts(chainrule, kwargs) == _warm_restarts(torch, kwargs)
    with pytest.raises(ValueError, match="Expected positive integer T_0, but got 0"):
        optim.lr_scheduler.CosineAnnealingWarmRestarts(_sgd(), T_0=0)
