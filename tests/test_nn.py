"""nn.Module mechanics, Parameter, and optimizers (numbers against torch live in programs/)."""

import numpy as np
import pytest

import chainrule as torch


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.body = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU())
        self.head = torch.nn.Linear(3, 1, bias=False)
        self.register_buffer("scale", torch.ones(1))

    def forward(self, x):
        return self.head(self.body(x)) * self.scale


def test_registration_and_names():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == ["body.0.weight", "body.0.bias", "head.weight"]
    assert list(net.state_dict()) == ["scale", "body.0.weight", "body.0.bias", "head.weight"]
    assert [type(m).__name__ for m in net.modules()] == [
        "Net",
        "Sequential",
        "Linear",
        "ReLU",
        "Linear",
    ]
    assert repr(net) == (
        "Net(\n  (body): Sequential(\n    (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "    (1): ReLU()\n  )\n  (head): Linear(in_features=3, out_features=1, bias=False)\n)"
    )


def test_parameter_is_a_leaf_that_prints_as_torch():
    p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert p.is_leaf and isinstance(p, torch.Tensor)
    assert type(p * 2) is torch.Tensor


def test_load_state_dict_errors_and_round_trip():
    a, b = Net(), Net()
    b.load_state_dict(a.state_dict())
    assert all(torch.equal(x, y) for x, y in zip(a.parameters(), b.parameters()))
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "body.0.bias"'):
        b.load_state_dict({k: v for k, v in a.state_dict().items() if k != "body.0.bias"})
    result = b.load_state_dict({**a.state_dict(), "extra": torch.ones(1)}, strict=False)
    assert result.unexpected_keys == ["extra"]


def test_zero_grad_train_eval_and_requires_grad():
    net = Net()
    net(torch.ones(4, 2)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    assert not net.eval().training and not net.body[1].training
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_optimizer_steps_reduce_the_loss():
    torch.manual_seed(0)
    x = torch.randn(32, 2)
    y = x.sum(1, keepdim=True)
    for make in (
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
        lambda p: torch.optim.Adam(p, lr=0.05),
    ):
        net = torch.nn.Linear(2, 1)
        opt = make(net.parameters())
        first = None
        for _ in range(100):
            opt.zero_grad()
            loss = ((net(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            first = first if first is not None else loss.item()
        assert loss.item() < first / 10


def test_errors_found_by_the_fuzzer_match_torch():
    """linear reports shapes before dtypes; max_pool2d / avg_pool2d rank errors; logsumexp
    without dim (texts taken from torch 2.13)."""
    F = torch.nn.functional
    cases = [
        (
            lambda: F.linear(torch.ones(2, 3, dtype=torch.float64), torch.ones(4, 4)),
            RuntimeError,
            "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x4)",
        ),
        (
            lambda: F.linear(torch.ones(2, 5, 3, dtype=torch.float64), torch.ones(4, 4)),
            RuntimeError,
            "mat1 and mat2 shapes cannot be multiplied (10x3 and 4x4)",
        ),
        (
            lambda: F.max_pool2d(torch.ones(2, 3), 7),
            RuntimeError,
            "non-empty 3D or 4D (batch mode) tensor expected for input",
        ),
        (
            lambda: F.avg_pool2d(torch.ones(2, 3), 1),
            IndexError,
            "Dimension out of range (expected to be in range of [-2, 1], but got -3)",
        ),
        (
            lambda: F.avg_pool2d(torch.ones(1, 1, 1, 2, 3), 1),
            RuntimeError,
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
            "but got:[1, 1, 1, 2, 3]",
        ),
        (
            lambda: torch.ones(2).logsumexp(),
            TypeError,
            'logsumexp() missing 1 required positional arguments: "dim"',
        ),
    ]
    for call, kind, text in cases:
        with pytest.raises(kind) as info:
            call()
        assert str(info.value) == text


def test_loss_and_group_norm_input_errors_match_torch():
    """Found by the fuzzer; texts taken from torch 2.13."""
    F = torch.nn.functional
    cases = [
        (
            lambda: F.group_norm(torch.ones(1, 2, 1), 2),
            ValueError,
            "Expected more than 1 value per channel when training, got input size [1, 2, 1]",
        ),
        (
            lambda: F.group_norm(torch.ones(1, 2), 2),
            ValueError,
            "Expected more than 1 value per channel when training, got input size [1, 2]",
        ),
        (
            lambda: F.cross_entropy(torch.ones(3), torch.tensor([0, 1])),
            ValueError,
            "For 1D input, 1D target must have size 1, but got target size: 2",
        ),
        (
            lambda: F.nll_loss(torch.ones(3), torch.tensor([0, 1])),
            ValueError,
            "For 1D input, 1D target must have size 1, but got target size: 2",
        ),
        (
            lambda: F.cross_entropy(torch.ones(2, 3), torch.ones(2, 3), ignore_index=0),
            RuntimeError,
            "ignore_index is not supported for floating point target",
        ),
    ]
    for call, kind, text in cases:
        with pytest.raises(kind) as info:
            call()
        assert str(info.value) == text
    assert F.group_norm(torch.ones(1, 4, 1), 2).shape == (1, 4, 1)


def test_glu_and_global_average_pool_record_torchs_nodes():
    """F.glu is one GluBackward0 node; adaptive_avg_pool2d to 1x1 is a mean (MeanBackward1),
    as in torch (found by the fuzzer)."""
    F = torch.nn.functional
    x = torch.tensor([[1.0, 0.0, 2.0, -1.0]], dtype=torch.float64, requires_grad=True)
    out = F.glu(x)
    assert type(out.grad_fn).__name__ == "GluBackward0"
    assert torch.autograd.gradcheck(F.glu, (x,)) and torch.autograd.gradgradcheck(F.glu, (x,))
    (g,) = torch.autograd.grad(out.sum(), x)
    assert np.allclose(g.tolist(), [[0.880797, 0.268941, 0.104994, -0.0]], atol=1e-6)
    jac = torch.func.jacrev(lambda t: F.glu(t, 0))(torch.tensor([1.0, 0.0, 2.0, 1.0]))
    assert jac.shape == (2, 4)
    with pytest.raises(RuntimeError, match="^Halving dimension must be even, but dimension 0"):
        F.glu(torch.ones(3))
    p = torch.ones(1, 2, 3, 3, requires_grad=True)
    assert type(F.adaptive_avg_pool2d(p, 1).grad_fn).__name__ == "MeanBackward1"
    assert type(F.adaptive_avg_pool2d(p, 2).grad_fn).__name__ == "AdaptiveAvgPool2DBackward0"
