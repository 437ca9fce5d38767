"""The seed chapter (../shared/seeds/000_06a6005c57d36080.txt) runs unchanged and prints
what PyTorch prints; the same cells as ../shared/tools/check_seed.py, kept in the repo."""

import contextlib
import io
import os
import subprocess
import sys
import warnings

import pytest

import chainrule as torch

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK_SEED = os.path.join(HERE, "..", "..", "shared", "tools", "check_seed.py")
X_DATA = [
    -3.0000e00,
    -2.7000e00,
    -2.4000e00,
    -2.1000e00,
    -1.8000e00,
    -1.5000e00,
    -1.2000e00,
    -9.0000e-01,
    -6.0000e-01,
    -3.0000e-01,
    -2.3842e-08,
    3.0000e-01,
    6.0000e-01,
    9.0000e-01,
    1.2000e00,
    1.5000e00,
    1.8000e00,
    2.1000e00,
    2.4000e00,
    2.7000e00,
]
Y_DATA = [
    -7.1452,
    -5.4253,
    -5.1977,
    -3.6225,
    -3.8022,
    -4.4101,
    -4.6622,
    -3.1932,
    -1.7325,
    -1.8879,
    -1.0742,
    -0.2320,
    1.8226,
    1.5453,
    -1.5535,
    0.8857,
    1.7537,
    3.1607,
    1.8912,
    4.0895,
]
HW1 = "tensor([  94.5796, -159.6058])"


def printed(fn):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        fn()
    return out.getvalue().rstrip()


def test_derivative_of_cubic():
    x = torch.tensor(1.0, requires_grad=True)
    y = 2 * x**3 + x
    y.backward()
    assert repr(x.grad) == "tensor(7.)"


def test_chain_through_exp_and_leaf_prints():
    x = torch.tensor(1.0, requires_grad=True)
    y = 2 * x**3 + x
    z = torch.exp(y)
    z.backward()
    assert repr(x.grad) == "tensor(140.5988)"
    assert str(x) == "tensor(1., requires_grad=True)"
    assert str(x.data) == "tensor(1.)"
    assert (x.is_leaf, x.requires_grad) == (True, True)
    assert str(y.data) == "tensor(3.)"
    assert str(y.grad_fn).startswith("<AddBackward0 object at 0x")
    with pytest.warns(UserWarning, match="is not a leaf Tensor"):
        assert y.grad is None
    assert (y.is_leaf, y.requires_grad) == (False, True)
    assert repr(y) == "tensor(3., grad_fn=<AddBackward0>)"
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
        x.numpy()
    assert repr(x.detach().numpy()) == "array(1., dtype=float32)"


def test_partial_derivatives():
    u = torch.tensor(2.0, requires_grad=True)
    v = torch.tensor(1.0, requires_grad=True)
    y = u * v + (u * v) ** 2
    y.backward()
    assert printed(lambda: print(u.grad, v.grad)) == "tensor(5.) tensor(10.)"


def test_gradient_of_vector_input():
    x = torch.tensor([1.0, 2.0], requires_grad=True, dtype=torch.float32)
    y = torch.exp(2 * x[0]) + x[1] ** 2
    y.backward()
    assert repr(x.grad) == "tensor([14.7781,  4.0000])"


def test_math_exp_cuts_the_graph():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = torch.math.exp(2 * x[0])
    assert [w.category for w in caught] == [UserWarning]
    with pytest.raises(AttributeError, match="'float' object has no attribute 'backward'"):
        y.backward()


def test_chain_rule_examples():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x[0] + 2 * x[1] ** 3).pow(2).backward()
    assert repr(x.grad) == "tensor([ 34., 816.])"
    x = torch.tensor([[1.0, 2.0]], requires_grad=True)
    ((x[0, 0] + 2 * x[0, 1] ** 3) ** 2).backward()
    assert repr(x.grad) == "tensor([[ 34., 816.]])"
    t = torch.tensor([1.0], requires_grad=True)
    (torch.sin(t) ** 2 + 2 * torch.cos(t)).backward()
    assert repr(t.grad) == "tensor([-0.7736])"
    t = torch.tensor([1.0], requires_grad=True)
    g = [torch.sin(t), torch.cos(t)]
    (g[0] ** 2 + 2 * g[1]).backward()
    assert str(t.grad) == "tensor([-0.7736])"


def test_jacobian_cell():
    def myftn(x, y):
        return 2 * torch.exp(x) + 3 * y

    inputs = (torch.tensor([0.3463]), torch.tensor([0.5210]))
    assert str(inputs) == "(tensor([0.3463]), tensor([0.5210]))"
    jac = torch.autograd.functional.jacobian(myftn, inputs)
    assert repr(jac) == "(tensor([[2.8277]]), tensor([[3.]]))"
    inputs = (torch.rand(1), torch.rand(1))
    jac = torch.autograd.functional.jacobian(myftn, inputs)
    assert type(jac) is tuple and [tuple(j.shape) for j in jac] == [(1, 1), (1, 1)]
    assert abs(jac[0][0, 0] - 2 * torch.exp(inputs[0][0])) < 1e-5


def test_linear_regression_homework():
    X, Y = torch.tensor(X_DATA), torch.tensor(Y_DATA)
    r = Y - (1.0 + 0.5 * X)
    assert repr(torch.stack([-2 * r.sum(), -2 * (r * X).sum()])) == HW1
    beta = torch.tensor([1.0, 0.5], requires_grad=True)
    ((Y - (beta[0] + beta[1] * X)) ** 2).sum().backward()
    assert repr(beta.grad) == HW1
    XX = X.reshape(20, 1)
    beta = torch.tensor([1.0, 0.5], requires_grad=True)
    ((Y.reshape(20, 1) - (beta[0] + beta[1] * XX)) ** 2).sum().backward()
    assert str(XX.shape) == "torch.Size([20, 1])" and repr(beta.grad) == HW1
    data1 = torch.stack([X, Y], dim=1)
    beta = torch.tensor([1.0, 0.5], requires_grad=True)
    ((data1[:, 1] - (beta[0] + beta[1] * data1[:, 0])) ** 2).sum().backward()
    assert str(data1.shape) == "torch.Size([20, 2])" and repr(beta.grad) == HW1
    data2 = torch.cat([X.reshape(-1, 1), Y.reshape(-1, 1)], dim=1)
    beta = torch.tensor([1.0, 0.5], requires_grad=True)
    ((data2[:, 1] - (beta[0] + beta[1] * data2[:, 0])) ** 2).sum().backward()
    assert torch.equal(data1, data2) and repr(beta.grad) == HW1


def test_f_and_derivative_on_a_grid():
    x = torch.linspace(-5, 5, 101, requires_grad=True)
    f = x**3 - 3 * x**2 + 4
    f.backward(torch.ones_like(f))
    exact = 3 * x.detach() ** 2 - 6 * x.detach()
    assert str(x.grad.shape) == "torch.Size([101])"
    assert bool((x.grad - exact).abs().max() < 1e-3)
    assert repr(x.grad[[0, 100]]) == "tensor([105.,  45.])"


@pytest.mark.skipif(not os.path.exists(CHECK_SEED), reason="../shared/tools is not beside the repo")
def test_check_seed_tool_passes():
    env = dict(os.environ, PYTHONPATH=os.path.join(HERE, "..", "src"))
    result = subprocess.run(
        [sys.executable, CHECK_SEED], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.stdout.strip().endswith("24 passed, 0 failed"), result.stdout


def test_chapter_example_script(tmp_path):
    script = os.path.join(HERE, "..", "examples", "chapter2.py")
    plot = tmp_path / "f.png"
    result = subprocess.run(
        [sys.executable, script, "--plot", str(plot)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "tensor(140.5988)" in result.stdout and HW1 in result.stdout
    assert "tensor([105.,  45.])" in result.stdout
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
