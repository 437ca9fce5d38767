"""Custom autograd Functions: forward/backward, ctx, errors, higher order."""

import warnings

import pytest

import chainrule as torch


class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale):
        result = x.exp() * scale
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * result, None


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x**2


class Split(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2, x * 3

    @staticmethod
    def backward(ctx, g1, g2):
        return g1 * 2 + g2 * 3


def test_forward_backward_and_grad_fn_name():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = Exp.apply(x, 2.0)
    assert repr(y) == "tensor([ 5.4366, 14.7781], grad_fn=<ExpBackward>)"
    assert repr(y.grad_fn).startswith("<torch.autograd.function.ExpBackward object at 0x")
    assert y.grad_fn.needs_input_grad == (True, False)
    y.sum().backward()
    assert torch.allclose(x.grad, 2 * x.detach().exp())


def test_multiple_outputs_missing_grads_are_zeros():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a, b = Split.apply(x)
    a.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_higher_order_through_custom_function():
    x = torch.tensor(2.0, requires_grad=True)
    (d,) = torch.autograd.grad(Cube.apply(x), x, create_graph=True)
    assert d.item() == 12.0
    assert torch.autograd.grad(d, x)[0].item() == 12.0


def test_no_recording_without_grad():
    y = Exp.apply(torch.tensor([1.0]), 1.0)
    assert not y.requires_grad and y.grad_fn is None


def test_wrong_number_of_gradients():
    class TooMany(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g, g

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=r"function TooManyBackward returned an incorrect "
        r"number of gradients \(expected 1, got 2\)",
    ):
        TooMany.apply(x).sum().backward()


def test_wrong_gradient_shape():
    class Bad(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g[:1]

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=r"Function BadBackward returned an invalid gradient at "
        r"index 0 - got \[1\] but expected shape compatible with \[2\]",
    ):
        Bad.apply(x).sum().backward()


def test_missing_backward():
    class NoBackward(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    x = torch.tensor([1.0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="You must implement either the backward"):
        NoBackward.apply(x).sum().backward()


def test_instantiating_warns():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Exp()
    assert caught and caught[0].category is DeprecationWarning


def test_mark_non_differentiable_and_once_differentiable():
    class SortValues(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            values, indices = x.max(0)
            ctx.mark_non_differentiable(indices)
            ctx.save_for_backward(indices)
            ctx.size = x.shape[0]
            return values, indices

        @staticmethod
        @torch.autograd.once_differentiable
        def backward(ctx, grad, _):
            (indices,) = ctx.saved_tensors
            out = torch.zeros(ctx.size)
            out[indices] = grad
            return out

    x = torch.tensor([1.0, 3.0, 2.0], requires_grad=True)
    values, indices = SortValues.apply(x)
    assert not indices.requires_grad and values.requires_grad
    values.backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]


def test_saved_tensor_modified_in_place_is_detected():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    y = Cube.apply(h)
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_against_torch():
    real = pytest.importorskip("torch")

    class RealExp(real.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            result = x.exp() * scale
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad):
            (result,) = ctx.saved_tensors
            return grad * result, None

    xr = real.tensor([0.5, -1.0], requires_grad=True)
    RealExp.apply(xr, 3.0).pow(2).sum().backward()
    xc = torch.tensor([0.5, -1.0], requires_grad=True)
    Exp.apply(xc, 3.0).pow(2).sum().backward()
    assert repr(xc.grad) == repr(xr.grad)
