"""gradcheck and gradgradcheck: pass on correct rules, explain failures."""

import pytest

import chainrule as torch
from chainrule.autograd.gradcheck import GradcheckError


class WrongRule(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * 3


def x64(*values):
    return torch.tensor(list(values), dtype=torch.float64, requires_grad=True)


def test_passes_on_correct_rules():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a: (a @ a).softmax(1), (x,))
    assert torch.autograd.gradgradcheck(lambda a: (a @ a).softmax(1), (x,))
    assert torch.autograd.gradcheck(lambda a, b: a * b.exp(), (x64(1.0, 2.0), x64(0.5, -1.0)))


def test_failure_report_names_the_worst_entry_and_the_nodes():
    x = x64(1.0, 2.0)
    with pytest.raises(GradcheckError) as info:
        torch.autograd.gradcheck(lambda a: WrongRule.apply(a).sin(), (x,))
    message = str(info.value)
    assert message.startswith("Jacobian mismatch for output 0 with respect to input 0,\nnumerical:")
    assert "largest difference at output element 1, input element 1" in message
    assert "SinBackward0 -> WrongRuleBackward" in message
    assert isinstance(info.value, RuntimeError)


def test_raise_exception_false_returns_false():
    assert torch.autograd.gradcheck(WrongRule.apply, (x64(1.0),), raise_exception=False) is False


def test_gradgradcheck_catches_a_wrong_second_derivative():
    class WrongSecond(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x.detach() ** 2  # detach: the second derivative is lost

    x = x64(1.0, 2.0)
    assert torch.autograd.gradcheck(WrongSecond.apply, (x,))
    assert not torch.autograd.gradgradcheck(WrongSecond.apply, (x,), raise_exception=False)


def test_warns_for_single_precision_inputs():
    x = torch.tensor([1.0], requires_grad=True)
    with pytest.warns(UserWarning, match="is not a double precision"):
        torch.autograd.gradcheck(lambda a: a * 2, (x,), atol=1e-2, rtol=1e-2, eps=1e-2)
