"""The NumPy fast paths of conv2d and max/avg pooling agree with the rules written in chainrule
ops (create_graph runs those) and with torch: ties, non-finite values, strides."""

import numpy as np
import pytest

import chainrule as torch

F = torch.nn.functional


def _grads(lib, x_np, w_np, stride=1, padding=1, create_graph=False):
    x = lib.tensor(x_np, requires_grad=True)
    w = lib.tensor(w_np, requires_grad=True)
    out = lib.nn.functional.conv2d(x, w, stride=stride, padding=padding)
    gx, gw = lib.autograd.grad((out * out).sum(), (x, w), create_graph=create_graph)
    return out.detach().numpy(), gx.detach().numpy(), gw.detach().numpy()


@pytest.mark.parametrize("stride", [1, 2])
def test_fast_conv_backward_equals_the_recorded_rule(stride):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 3, 7, 7)), rng.standard_normal((4, 3, 3, 3))
    fast = _grads(torch, x, w, stride)
    recorded = _grads(torch, x, w, stride, create_graph=True)  # the rule in chainrule ops
    for a, b in zip(fast, recorded):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_max_pool_ties_send_the_gradient_to_the_first_maximum():
    x = torch.tensor([[[[1.0, 1.0], [1.0, 0.0]]]], requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    assert x.grad.tolist() == [[[[1.0, 0.0], [0.0, 0.0]]]]


def test_against_torch_with_ties_and_non_finite_values():
    real = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x = np.round(rng.standard_normal((2, 2, 6, 6)), 0)  # many ties in each window
    x[0, 0, 0, 0] = np.inf
    w = rng.standard_normal((3, 2, 3, 3))
    for lib_x in (x, np.nan_to_num(x, posinf=5.0)):
        ours = torch.tensor(lib_x, requires_grad=True)
        theirs = real.tensor(lib_x, requires_grad=True)
        F.max_pool2d(ours, 2).sum().backward()
        real.nn.functional.max_pool2d(theirs, 2).sum().backward()
        np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
    finite = np.nan_to_num(x, posinf=5.0)
    w_inf = w.copy()
    w_inf[0, 0, 1, 1] = np.inf  # the fast layout's zero padding would meet inf: plain path
    for weights in (w, w_inf):
        a = torch.tensor(finite, requires_grad=True)
        b = real.tensor(finite, requires_grad=True)
        wa = torch.tensor(weights)
        wb = real.tensor(weights)
        F.conv2d(a, wa, padding=1).sum().backward()
        real.nn.functional.conv2d(b, wb, padding=1).sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, equal_nan=True)
