"""Anomaly mode, saved-tensor hooks and activation checkpointing (torch.autograd.graph, utils)."""

import gc
import warnings
import weakref

import pytest

import chainrule as torch
from chainrule.autograd.graph import (
    disable_saved_tensors_hooks,
    save_on_cpu,
    saved_tensors_hooks,
)
from chainrule.utils.checkpoint import checkpoint, checkpoint_sequential

# --------------------------------------------------------------------------- anomaly mode


def test_detect_anomaly_warns_on_entry_and_restores_mode():
    assert not torch.is_anomaly_enabled()
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        with torch.autograd.detect_anomaly(check_nan=False):
            assert torch.is_anomaly_enabled()
            assert not torch.is_anomaly_check_nan_enabled()
    assert not torch.is_anomaly_enabled()
    assert torch.is_anomaly_check_nan_enabled()


def test_nan_in_backward_names_the_node_and_the_forward_line():
    a = torch.tensor([1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.autograd.detect_anomaly():
            y = a * float("nan")  # the forward call the warning must point at
            assert "traceback_" in y.grad_fn.metadata
            with pytest.warns(UserWarning) as record:
                with pytest.raises(RuntimeError) as info:
                    y.sum().backward()
    assert str(info.value) == "Function 'MulBackward0' returned nan values in its 0th output."
    message = str(record[0].message)
    assert message.startswith("Error detected in MulBackward0. Traceback of forward call")
    assert 'y = a * float("nan")  # the forward call' in message
    assert "test_debugging.py" in message


def test_without_anomaly_mode_nan_gradients_pass_silently():
    a = torch.tensor([1.0], requires_grad=True)
    (a * float("nan")).sum().backward()
    assert a.grad.isnan().all()


def test_anomaly_mode_checks_nan_not_inf_as_torch():
    x = torch.tensor([0.0], requires_grad=True)
    torch.autograd.set_detect_anomaly(True)
    try:
        x.sqrt().sum().backward()  # inf gradient: not an anomaly for torch
    finally:
        torch.autograd.set_detect_anomaly(False)
    assert x.grad.isinf().all()
    assert not torch.is_anomaly_enabled()


def test_set_detect_anomaly_as_context_manager_and_other_errors_warn():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.autograd.set_detect_anomaly(True):
        y = x * 2
        z = y * y
        y.add_(1)
        with pytest.warns(UserWarning, match="Error detected in MulBackward0"):
            with pytest.raises(RuntimeError, match="modified by an inplace operation"):
                z.sum().backward()
    assert not torch.is_anomaly_enabled()


# --------------------------------------------------------------------------- saved-tensor hooks


def test_pack_runs_at_save_and_unpack_only_for_nodes_backward_runs():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    log = []

    def pack(t):
        log.append("pack")
        return t * 1

    def unpack(t):
        log.append("unpack")
        return t

    with saved_tensors_hooks(pack, unpack):
        y = x * x  # saves both operands
        z = y.exp()  # saves its result
        y.pow(2)  # saves its input; never run in backward
    assert log == ["pack"] * 4
    z.sum().backward()
    assert log == ["pack"] * 4 + ["unpack"] * 3
    expected = (2 * x * (x * x).exp()).detach()
    assert torch.allclose(x.grad, expected)


def test_unpack_must_return_a_tensor():
    x = torch.tensor([1.0], requires_grad=True)
    with saved_tensors_hooks(lambda t: t, lambda t: 3):
        y = x * x
    with pytest.raises(
        TypeError, match="unpack_hook expected to be a Tensor but got result of type int"
    ):
        y.sum().backward()


def test_hooks_give_higher_derivatives_through_saved_outputs():
    x = torch.tensor(0.5, requires_grad=True)
    with save_on_cpu():
        y = x.exp()  # the rule uses the saved output
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    (gg,) = torch.autograd.grad(g, x)
    assert torch.allclose(gg, x.detach().exp())


def test_disable_saved_tensors_hooks():
    with disable_saved_tensors_hooks("no hooks here"):
        with pytest.raises(RuntimeError, match="no hooks here"):
            with saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
    with saved_tensors_hooks(lambda t: t, lambda t: t):
        pass  # allowed again


# --------------------------------------------------------------------------- checkpoint


def block(a):
    return (a.sin() * a).exp().sum(0)


@pytest.mark.parametrize("use_reentrant", [False, True])
def test_checkpoint_gives_the_plain_gradients(use_reentrant):
    w = torch.tensor([[0.5, -1.0], [2.0, 0.1]], requires_grad=True)
    x = torch.tensor([[1.0, 2.0], [0.3, -0.7]], requires_grad=True)
    plain = block(x @ w)
    plain.sum().backward()
    expected = (x.grad.clone(), w.grad.clone())
    x.grad = w.grad = None
    out = checkpoint(lambda a: block(a @ w), x, use_reentrant=use_reentrant)
    assert torch.equal(out, plain)
    out.sum().backward()
    assert torch.allclose(x.grad, expected[0]) and torch.allclose(w.grad, expected[1])


def test_checkpoint_without_reentrant_supports_grad_and_double_backward():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = checkpoint(block, x, use_reentrant=False)
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    (gg,) = torch.autograd.grad(g.sum(), x)
    (g_ref,) = torch.autograd.grad(block(x).sum(), x, create_graph=True)
    (gg_ref,) = torch.autograd.grad(g_ref.sum(), x)
    assert torch.allclose(g, g_ref) and torch.allclose(gg, gg_ref)


def test_checkpoint_frees_intermediates_and_recomputes_once():
    runs = []
    refs = []

    def fn(a):
        runs.append(1)
        hidden = a.exp()
        refs.append(weakref.ref(hidden))
        return (hidden * hidden).sum()

    x = torch.ones(1000, requires_grad=True)
    y = checkpoint(fn, x, use_reentrant=False)
    gc.collect()
    assert refs[0]() is None  # nothing kept the intermediate alive
    y.backward()
    assert len(runs) == 2
    assert torch.allclose(x.grad, 2 * torch.ones(1000).exp() ** 2)

    refs.clear()
    y = fn(x)  # without checkpoint the graph keeps it
    gc.collect()
    assert refs[0]() is not None


def test_checkpoint_replays_the_random_state():
    x = torch.ones(50, requires_grad=True)

    def noisy(a):
        return (a * torch.rand(50)).sin().sum()

    torch.manual_seed(0)
    y = checkpoint(noisy, x, use_reentrant=False)
    torch.rand(3)  # the stream moves on before backward
    y.backward()
    torch.manual_seed(0)
    x2 = torch.ones(50, requires_grad=True)
    noisy(x2).backward()
    assert torch.equal(x.grad, x2.grad)


def test_checkpoint_without_use_reentrant_warns_like_torch():
    x = torch.tensor([1.0], requires_grad=True)
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
        y = checkpoint(block, x)
    assert type(y.grad_fn).__name__ == "CheckpointFunctionBackward"


def test_checkpoint_sequential_matches_plain():
    layers = [lambda t: t * 2, torch.sin, torch.exp, lambda t: t - 1]
    x = torch.tensor([0.1, 0.2], requires_grad=True)
    out = checkpoint_sequential(layers, 2, x, use_reentrant=False)
    out.sum().backward()
    expected = (2 * (2 * x).detach().cos() * (2 * x).detach().sin().exp()).detach()
    assert torch.allclose(x.grad, expected)


def test_against_torch_checkpoint_and_hooks():
    real = pytest.importorskip("torch")
    from torch.utils.checkpoint import checkpoint as real_checkpoint

    values = [[0.3, -1.2, 2.0], [0.5, 0.25, -0.75]]
    for use_reentrant in (False, True):
        grads = []
        for lib, ckpt in ((torch, checkpoint), (real, real_checkpoint)):
            x = lib.tensor(values, requires_grad=True)
            y = ckpt(lambda a, lib=lib: (a.tanh() * a).exp().sum(), x, use_reentrant=use_reentrant)
            y.backward()
            grads.append(sum(x.grad.tolist(), []))
        assert grads[0] == pytest.approx(grads[1], rel=1e-6)
