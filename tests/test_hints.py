"""Hints on the classic mistakes: torch's exception kept exactly, a note added."""

import math
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import chainrule as torch

HAS_NOTES = sys.version_info >= (3, 11)


def raised(func, kind):
    with pytest.raises(kind) as info:
        func()
    return info.value


def check_hint(error, *phrases):
    """The hint is a note (3.11+), never part of str(error)."""
    notes = getattr(error, "__notes__", [])
    if not HAS_NOTES:
        assert notes == []
        return
    assert len(notes) == 1 and notes[0].startswith("Hint: ")
    assert "Hint" not in str(error) and notes[0] not in str(error)
    for phrase in phrases:
        assert phrase in notes[0]


def test_backward_on_a_tensor_that_never_required_grad():
    x = torch.tensor(1.0)
    error = raised(lambda: (x * 2).backward(), RuntimeError)
    assert str(error) == "element 0 of tensors does not require grad and does not have a grad_fn"
    check_hint(error, "requires_grad=True", ".detach()", "torch.no_grad()")


def test_backward_on_a_detached_tensor_names_the_file_and_line():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x**2).sum().detach()  # the line named in the hint
    line = sys._getframe().f_lineno - 1
    error = raised(lambda: y.backward(), RuntimeError)
    check_hint(error, "made by .detach()", f"{__file__}, line {line}")


def test_backward_on_something_computed_from_a_detached_local():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    line = sys._getframe().f_lineno - 1
    error = raised(lambda: (d * 2).sum().backward(), RuntimeError)
    check_hint(error, f"d ({__file__}, line {line})")


def test_backward_inside_no_grad():
    x = torch.tensor(1.0, requires_grad=True)
    with torch.no_grad():
        y = x * 2
        error = raised(y.backward, RuntimeError)
    check_hint(error, "torch.no_grad()", "outside that block")


def test_autograd_grad_gets_the_same_hint():
    x = torch.tensor(1.0, requires_grad=True)
    error = raised(lambda: torch.autograd.grad(torch.tensor(2.0), x), RuntimeError)
    check_hint(error, "nothing to differentiate")


def test_internal_detaches_are_not_reported_as_the_cut():
    x = torch.tensor(1.0, requires_grad=True)
    torch.exp(x)  # exp saves its output with an internal detach
    error = raised(lambda: torch.tensor(3.0).backward(), RuntimeError)
    check_hint(error, "nothing to differentiate")


def test_second_backward():
    x = torch.tensor(1.0, requires_grad=True)
    z = torch.exp(2 * x**3 + x)
    z.backward()
    error = raised(z.backward, RuntimeError)
    assert str(error).startswith("Trying to backward through the graph a second time")
    check_hint(error, "retain_graph=True", "forward pass again")


def test_numpy_of_a_tensor_that_requires_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    error = raised(x.numpy, RuntimeError)
    assert str(error) == (
        "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
    )
    check_hint(error, "NumPy cannot record operations", "plt.plot(x.detach()")
    check_hint(raised(lambda: np.asarray(x), RuntimeError), "x.detach().numpy()")


def test_in_place_change_of_a_leaf():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    error = raised(lambda: x.add_(1), RuntimeError)
    assert (
        str(error) == "a leaf Variable that requires grad is being used in an in-place operation."
    )
    check_hint(error, "torch.no_grad()", "w -= lr * w.grad")

    def setitem():
        x[0] = 5.0

    check_hint(raised(setitem, RuntimeError), "torch.no_grad()")
    assert x.tolist() == [1.0, 2.0]  # nothing changed


def test_math_exp_of_a_multi_element_tensor():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        error = raised(lambda: torch.math.exp(2 * x), ValueError)
    assert str(error) == "only one element tensors can be converted to Python scalars"
    check_hint(error, "math.exp", "2 elements", "torch.exp(x)")
    check_hint(raised(lambda: math.exp(torch.tensor([1.0, 2.0])), ValueError), "torch.exp(x)")


def test_warnings_keep_torch_text_exactly_with_the_hint_as_a_note():
    from chainrule._tensor import NON_LEAF_GRAD_WARNING, SCALAR_WARNING

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert y.grad is None
        torch.math.exp(x[0])
    assert [type(w.message) for w in caught] == [UserWarning, UserWarning]
    assert [str(w.message) for w in caught] == [NON_LEAF_GRAD_WARNING, SCALAR_WARNING]
    if HAS_NOTES:
        assert "retain_grad()" in caught[0].message.__notes__[0]
        assert "torch.exp, not math.exp" in caught[1].message.__notes__[0]


def test_the_hint_shows_in_the_traceback_python_prints():
    code = "import chainrule as torch\nx = torch.tensor([1., 2.], requires_grad=True)\nx.numpy()\n"
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    env = dict(os.environ, PYTHONPATH=src)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 1
    assert "RuntimeError: Can't call numpy() on Tensor that requires grad." in done.stderr
    assert ("Hint: NumPy cannot record operations" in done.stderr) == HAS_NOTES


def test_messages_match_torch():
    real = pytest.importorskip("torch")
    cases = [
        lambda t: t.tensor(1.0).backward(),
        lambda t: t.tensor([1.0], requires_grad=True).numpy(),
        lambda t: t.tensor([1.0], requires_grad=True).add_(1),
        lambda t: math.exp(t.tensor([1.0, 2.0])),
    ]
    for case in cases:
        with pytest.raises(Exception) as ours:
            case(torch)
        with pytest.raises(Exception) as theirs:
            case(real)
        assert type(ours.value) is type(theirs.value)
        assert str(ours.value) == str(theirs.value)
