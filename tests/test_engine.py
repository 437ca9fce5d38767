"""The autograd engine: graph shapes, accumulation, retain_graph, autograd.grad, hooks, grad
modes, in-place checks, memory, and torch.autograd.functional.

Expected messages and values were observed with PyTorch 2.13 and are written out here, so the
suite runs without torch; the tests marked ``torch`` also compare against torch when present.
"""

from __future__ import annotations

import gc
import os
import re
import subprocess
import sys
import threading
import time
import warnings
import weakref

import numpy as np
import pytest

import chainrule as torch
from chainrule.autograd import functional as F

BACKWARD_TWICE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward."
)
LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
NO_GRAD_FN = "element 0 of tensors does not require grad and does not have a grad_fn"
UNUSED = (
    "The differentiated Tensor at index 1 appears to not have been used in the graph. Set "
    "allow_unused=True if this is the desired behavior."
)
CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter "
    "and its gradient which can cause a memory leak. We recommend using autograd.grad when "
    "creating the graph to avoid this. If you have to use this function, make sure to reset the "
    ".grad fields of your parameters to None after use to break the cycle and avoid the leak."
)


def modified_message(kind, shape, version, expected, producer=None):
    """torch's message for a saved tensor changed in place since it was saved."""
    which = "" if producer is None else f", which is output 0 of {producer},"
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [torch.{kind}Tensor [{shape}]]{which} is at version {version}; expected "
        f"version {expected} instead. Hint: enable anomaly detection to find the operation that "
        "failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, "
        "check_nan=False)."
    )


def leaf(values, dtype=None):
    return torch.tensor(values, dtype=dtype, requires_grad=True)


def values(t):
    return t.detach().numpy().tolist()


# --------------------------------------------------------------------------- graph shapes


def test_diamond():
    x = leaf(3.0)
    a = x * 2  # da/dx = 2
    b = x**2  # db/dx = 2x
    y = a * b + a  # dy/dx = 2*b + a*2x + 2 = 18 + 36 + 2
    y.backward()
    assert x.grad.item() == 56.0


def test_nested_diamonds_share_one_accumulation():
    x = leaf([1.0, 2.0])
    top = x.exp()
    left, right = top * 2, top * 3
    y = (left + right).sum()  # 5 * exp(x)
    y.backward()
    np.testing.assert_allclose(values(x.grad), (5 * np.exp([1.0, 2.0])).tolist(), rtol=1e-6)


def test_tensor_used_many_times_accumulates():
    x = leaf(2.0)
    y = x
    for _ in range(9):
        y = y + x  # y = 10x
    (y * x).backward()  # d(10x^2)/dx = 20x
    assert x.grad.item() == 40.0


def test_same_tensor_in_one_op_twice():
    x = leaf([1.0, -2.0, 3.0])
    (x * x).sum().backward()
    assert values(x.grad) == [2.0, -4.0, 6.0]
    x.grad = None
    torch.stack([x, x, x]).sum().backward()
    assert values(x.grad) == [3.0, 3.0, 3.0]


def test_gradient_flows_only_to_inputs_that_require_it():
    x = leaf([1.0, 2.0])
    c = torch.tensor([3.0, 4.0])
    (x * c).sum().backward()
    assert values(x.grad) == [3.0, 4.0]
    assert c.grad is None


def test_unreached_branch_gets_no_gradient():
    x = leaf(1.0)
    z = leaf(1.0)
    _ = z * 2  # z's graph is not part of y
    y = x * 3
    y.backward()
    assert x.grad.item() == 3.0
    assert z.grad is None


def test_multi_output_node_with_unused_outputs():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    a, b = x.unbind(0)
    (a * 10).sum().backward()  # b gets no gradient: zeros flow to its half
    assert values(x.grad) == [[10.0, 10.0], [0.0, 0.0]]


def test_deep_chain_of_a_million_ops_has_no_recursion():
    # the engine is iterative: neither backward nor freeing the chain may recurse
    start = time.perf_counter()
    x = leaf(1.0)
    y = x
    for _ in range(1_000_000):
        y = y + 1.0
    y.backward()
    assert x.grad.item() == 1.0
    assert y.item() == 1_000_001.0
    del y  # dropping a million-node chain must not recurse either
    assert time.perf_counter() - start < 60


def test_deep_chain_exact_value():
    x = leaf(1.0, dtype=torch.float64)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    expected = 1.0001**10_000
    assert abs(x.grad.item() - expected) < 1e-9 * expected
    assert abs(y.item() - expected) < 1e-9 * expected


def test_deep_chain_of_mixed_ops():
    x = leaf(0.5, dtype=torch.float64)
    y = x
    for _ in range(2_000):
        y = (y.sin() + y) * 0.5  # a contraction; derivative (cos y + 1)/2 per step
    y.backward()
    # forward again in NumPy for the reference
    v, d = 0.5, 1.0
    for _ in range(2_000):
        d *= (np.cos(v) + 1) / 2
        v = (np.sin(v) + v) / 2
    assert abs(y.item() - v) < 1e-12
    assert abs(x.grad.item() - d) < 1e-12 * max(1.0, abs(d))


def test_wide_graph():
    xs = [leaf(float(i)) for i in range(2_000)]
    total = xs[0] * 1
    for x in xs[1:]:
        total = total + x * x
    total.backward()
    assert xs[0].grad.item() == 1.0
    assert [x.grad.item() for x in xs[1:4]] == [2.0, 4.0, 6.0]


# --------------------------------------------------------------------------- retain_graph


def test_backward_twice_raises_torchs_message():
    x = leaf(2.0)
    y = x * x
    y.backward()
    with pytest.raises(RuntimeError) as info:
        y.backward()
    assert str(info.value) == BACKWARD_TWICE


def test_backward_twice_through_saved_output():
    x = leaf([1.0, 2.0])
    y = x.exp().sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_backward_twice_with_scalar_operand_saved():
    # torch saves the wrapped scalar of x * 2, so this graph cannot be run twice either
    x = leaf([1.0, 2.0])
    y = (x * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_graph_without_saved_tensors_can_be_run_twice():
    # nothing is freed when nothing was saved: torch accepts the second backward
    x = leaf([1.0, 2.0])
    y = (x + x).sum()
    y.backward()
    y.backward()
    assert values(x.grad) == [4.0, 4.0]


def test_retain_graph_allows_a_second_backward():
    x = leaf(2.0)
    y = x**3
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 36.0
    with pytest.raises(RuntimeError, match="a second time"):
        y.backward()


def test_autograd_grad_frees_unless_retained():
    x = leaf(1.0)
    y = x.sin()
    torch.autograd.grad(y, x, retain_graph=True)
    (g,) = torch.autograd.grad(y, x)
    assert abs(g.item() - np.cos(1.0)) < 1e-6
    with pytest.raises(RuntimeError, match="a second time"):
        torch.autograd.grad(y, x)


def test_shared_subgraph_freed_by_first_backward():
    x = leaf(1.0)
    h = x.exp()
    a, b = h * 2, h * 3
    a.backward()
    with pytest.raises(RuntimeError, match="a second time"):
        b.backward()  # ExpBackward0's saved output is gone


# --------------------------------------------------------------------------- .grad accumulation


def test_grad_accumulates_across_backward_calls():
    x = leaf([1.0, 2.0])
    (x * 2).sum().backward()
    (x * x).sum().backward()
    assert values(x.grad) == [4.0, 6.0]


def test_grad_accumulates_in_place_into_the_same_tensor():
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    g = x.grad
    storage = g.data_ptr()
    (x * 3).sum().backward()
    assert x.grad is g
    assert g.data_ptr() == storage
    assert values(g) == [6.0, 6.0]
    assert not g.requires_grad and g.is_leaf and g.grad_fn is None


def test_grad_accumulates_into_user_assigned_tensor():
    x = leaf([1.0, 2.0])
    mine = torch.zeros(2)
    x.grad = mine
    (x * 2).sum().backward()
    assert x.grad is mine
    assert values(mine) == [2.0, 2.0]


def test_zeroing_grad_in_place_and_setting_none():
    x = leaf(1.0)
    for expected in (9.0, 9.0):
        ((x * 3) ** 2 / 2).backward()
        assert x.grad.item() == expected
        x.grad.zero_()
    x.grad = None
    (x * 5).backward()
    assert x.grad.item() == 5.0


def test_first_grad_is_not_the_incoming_tensor():
    # the accumulated .grad must be a fresh tensor, not one shared with the graph
    x = leaf([1.0, 2.0])
    g = torch.tensor([1.0, 1.0])
    x.backward(g)
    assert x.grad is not g
    x.grad.add_(1)
    assert values(g) == [1.0, 1.0]


def test_create_graph_accumulates_out_of_place():
    x = leaf([1.0, 2.0])
    (x * x).sum().backward()
    g = x.grad
    with pytest.warns(UserWarning, match="create_graph=True"):
        (x * x).sum().backward(create_graph=True)
    assert x.grad is not g
    assert x.grad.requires_grad
    assert values(g) == [2.0, 4.0]
    assert values(x.grad) == [4.0, 8.0]


def test_create_graph_warning_text():
    x = leaf(3.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (x**3).backward(create_graph=True)
    messages = [
        re.sub(r"\s*\(Triggered internally at [^)]*\)\.?", "", str(w.message)) for w in caught
    ]
    assert messages == [CREATE_GRAPH_WARNING]
    assert caught[0].category is UserWarning
    assert x.grad.item() == 27.0 and x.grad.requires_grad
    g = x.grad
    x.grad = None
    g.backward()
    assert x.grad.item() == 18.0


def _accumulation_bits():
    """A float32 sum of many differently scaled contributions, reduced to its bytes."""
    torch.manual_seed(1234)
    x = torch.randn(64, requires_grad=True)
    scales = torch.randn(50, 64) * 1e3
    terms = [(x * scales[i]).sin() * (i + 1) for i in range(50)]
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    (total.sum() + sum(t.sum() for t in terms[::7])).backward()
    return x.grad.numpy().tobytes()


def test_accumulation_order_is_deterministic_in_process():
    first = _accumulation_bits()
    for _ in range(3):
        assert _accumulation_bits() == first


def test_accumulation_order_is_deterministic_across_processes():
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2]);"
        "import hashlib, test_engine;"
        "print(hashlib.sha256(test_engine._accumulation_bits()).hexdigest())"
    )
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.join(here, "..", "src")
    digests = set()
    for seed in ("0", "1"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run(
            [sys.executable, "-c", code, src, here], env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        digests.add(out.stdout.strip())
    import hashlib

    digests.add(hashlib.sha256(_accumulation_bits()).hexdigest())
    assert len(digests) == 1


# --------------------------------------------------------------------------- backward arguments


def test_backward_on_non_scalar_needs_gradient():
    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="^grad can be implicitly created only for scalar"):
        (x * 2).backward()
    (x**2).backward(torch.tensor([1.0, 0.1, 0.01]))
    np.testing.assert_allclose(values(x.grad), [2.0, 0.4, 0.06], rtol=1e-6)


def test_backward_gradient_shape_mismatch():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError) as info:
        (x * 2).backward(torch.ones(3))
    assert str(info.value) == (
        "Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has a "
        "shape of torch.Size([2])."
    )


def test_backward_gradient_of_other_dtype_is_cast():
    x = leaf([1.0, 2.0])
    (x * 2).backward(torch.tensor([1, 1]))
    assert x.grad.dtype == torch.float32
    assert values(x.grad) == [2.0, 2.0]
    y = leaf(1.0, dtype=torch.float64)
    (g,) = torch.autograd.grad(y * 2, y, torch.tensor(1.0))
    assert g.dtype == torch.float64


def test_backward_on_tensor_without_grad():
    with pytest.raises(RuntimeError) as info:
        (torch.tensor(3.0) * 2).backward()
    assert str(info.value) == NO_GRAD_FN
    x = leaf(3.0)
    with torch.no_grad():
        y = x * 2
    with pytest.raises(RuntimeError, match="^element 0 of tensors does not require grad"):
        y.backward()


def test_backward_on_leaf_and_on_view_of_leaf():
    x = leaf(3.0)
    x.backward()
    assert x.grad.item() == 1.0
    v = leaf([3.0, 4.0])
    v[0].backward()
    assert values(v.grad) == [1.0, 0.0]


def test_autograd_backward_with_several_roots():
    x = leaf([1.0, 2.0])
    torch.autograd.backward([x.sum(), (x * x).sum()])
    assert values(x.grad) == [3.0, 5.0]
    x.grad = None
    torch.autograd.backward([x * 1, x * 2], [torch.ones(2), torch.tensor([1.0, 0.0])])
    assert values(x.grad) == [3.0, 1.0]


def test_gradient_count_mismatch():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError) as info:
        torch.autograd.backward([x.sum(), x.sum()], [torch.ones(())])
    assert str(info.value) == "got 2 tensors and 1 gradients"
    # surplus gradients are ignored, as in torch
    torch.autograd.backward([x.sum()], [torch.ones(()), torch.ones(())])
    assert values(x.grad) == [1.0, 1.0]


def test_backward_inputs_restricts_accumulation():
    x, w = leaf(1.0), leaf(2.0)
    (x * w).backward(inputs=[w])
    assert x.grad is None
    assert w.grad.item() == 1.0
    (x * w).backward(inputs=w)
    assert w.grad.item() == 2.0


def test_backward_inputs_non_leaf_gets_grad_and_retains_it():
    x = leaf(2.0)
    h = x * 3
    y = h**2
    y.backward(inputs=[h])
    assert h.retains_grad
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no non-leaf .grad warning: h retains its grad
        assert h.grad.item() == 12.0
    assert x.grad is None


def test_backward_inputs_errors():
    x = leaf(1.0)
    with pytest.raises(RuntimeError) as info:
        (x * 2).backward(inputs=[])
    assert str(info.value) == "`inputs` argument to `backward()` cannot be empty."
    with pytest.raises(RuntimeError) as info:
        (x * 2).backward(inputs=[torch.ones(2)])
    assert str(info.value) == "can't retain_grad on Tensor that has requires_grad=False"


def test_backward_inputs_not_in_graph_is_silent():
    a, b, c = leaf(1.0), leaf(2.0), leaf(3.0)
    (a * b).backward(inputs=[c])
    assert a.grad is None and b.grad is None and c.grad is None


# --------------------------------------------------------------------------- autograd.grad


def test_grad_returns_without_accumulating():
    x = leaf([1.0, 2.0])
    (g,) = torch.autograd.grad((x * x).sum(), x)
    assert values(g) == [2.0, 4.0]
    assert x.grad is None
    assert not g.requires_grad


def test_grad_allow_unused():
    x, z = leaf(1.0), leaf(2.0)
    with pytest.raises(RuntimeError) as info:
        torch.autograd.grad(x * 2, [x, z])
    assert str(info.value) == UNUSED
    gx, gz = torch.autograd.grad(x * 2, [x, z], allow_unused=True)
    assert gx.item() == 2.0 and gz is None
    gx, gz = torch.autograd.grad(x * 3, [x, z], allow_unused=True, materialize_grads=True)
    assert gx.item() == 3.0 and gz.item() == 0.0
    with pytest.raises(ValueError, match="^Expected allow_unused to be True or not passed"):
        torch.autograd.grad(x * 3, [x], allow_unused=False, materialize_grads=True)


def test_grad_input_errors():
    x = leaf(1.0)
    with pytest.raises(RuntimeError) as info:
        torch.autograd.grad(x * 2, [x, torch.tensor(2.0)])
    assert str(info.value) == "One of the differentiated Tensors does not require grad"
    with pytest.raises(RuntimeError) as info:
        torch.autograd.grad(x * 2, [x, 3])
    assert str(info.value) == "all inputs have to be Tensors or GradientEdges, but got int"
    with pytest.raises(RuntimeError) as info:
        torch.autograd.grad(x * 2, [])
    assert str(info.value) == "`inputs` argument to `grad()` cannot be empty."
    with pytest.raises(RuntimeError, match="^grad can be implicitly created only for scalar"):
        torch.autograd.grad(leaf([1.0, 2.0]) * 2, x)


def test_grad_outputs():
    x = leaf([1.0, 2.0])
    (g,) = torch.autograd.grad(x * x, x, grad_outputs=torch.tensor([1.0, -1.0]))
    assert values(g) == [2.0, -4.0]
    (g,) = torch.autograd.grad([x.sum(), (x * 2).sum()], x)
    assert values(g) == [3.0, 3.0]
    (g,) = torch.autograd.grad([x.sum(), (x * 2).sum()], x, [torch.ones(()), None])
    assert values(g) == [3.0, 3.0]
    with pytest.raises(RuntimeError, match=r"^got 2 tensors and 1 gradients$"):
        torch.autograd.grad([x.sum(), x.sum()], x, [torch.ones(())])


def test_grad_with_respect_to_non_leaf_and_to_itself():
    x = leaf([1.0, 2.0])
    h = x * 3
    (g,) = torch.autograd.grad((h * h).sum(), h)
    assert values(g) == [6.0, 12.0]
    assert x.grad is None
    y = x * 2
    (g,) = torch.autograd.grad(y, y, torch.ones(2))
    assert values(g) == [1.0, 1.0]


def test_grad_same_input_twice():
    x = leaf([1.0, 2.0])
    g1, g2 = torch.autograd.grad((x * 2).sum(), [x, x])
    assert values(g1) == values(g2) == [2.0, 2.0]


def test_second_and_third_derivatives():
    x = leaf(2.0)
    y = x**4
    (d1,) = torch.autograd.grad(y, x, create_graph=True)
    (d2,) = torch.autograd.grad(d1, x, create_graph=True)
    (d3,) = torch.autograd.grad(d2, x)
    assert (d1.item(), d2.item(), d3.item()) == (32.0, 48.0, 48.0)
    assert d1.requires_grad and d2.requires_grad and not d3.requires_grad


def test_higher_derivatives_of_transcendental_functions():
    x = leaf([0.3, 1.1], dtype=torch.float64)
    y = (x.sin() * x.exp()).sum()
    (d1,) = torch.autograd.grad(y, x, create_graph=True)
    (d2,) = torch.autograd.grad(d1.sum(), x, create_graph=True)
    (d3,) = torch.autograd.grad(d2.sum(), x)
    v = np.array([0.3, 1.1])
    # d/dx e^x sin x = e^x (sin + cos); second: 2 e^x cos; third: 2 e^x (cos - sin)
    np.testing.assert_allclose(values(d1), np.exp(v) * (np.sin(v) + np.cos(v)), rtol=1e-12)
    np.testing.assert_allclose(values(d2), 2 * np.exp(v) * np.cos(v), rtol=1e-12)
    np.testing.assert_allclose(values(d3), 2 * np.exp(v) * (np.cos(v) - np.sin(v)), rtol=1e-12)


def test_double_backward_into_grad():
    x = leaf([0.5, 1.0])
    (g,) = torch.autograd.grad(x.sin().sum(), x, create_graph=True)
    g.sum().backward()
    np.testing.assert_allclose(values(x.grad), (-np.sin([0.5, 1.0])).tolist(), rtol=1e-6)


def test_grad_is_grads_batched():
    x = leaf([1.0, 2.0, 3.0])
    (g,) = torch.autograd.grad(x**2, x, torch.eye(3), is_grads_batched=True)
    assert values(g) == [[2.0, 0.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 6.0]]


# --------------------------------------------------------------------------- hooks


def test_leaf_hook_sees_and_replaces_gradient():
    x = leaf([1.0, 2.0])
    seen = []
    handle = x.register_hook(lambda g: seen.append(values(g)) or g * 10)
    (x * 3).sum().backward()
    assert seen == [[3.0, 3.0]]
    assert values(x.grad) == [30.0, 30.0]
    handle.remove()
    (x * 3).sum().backward()
    assert seen == [[3.0, 3.0]]
    assert values(x.grad) == [33.0, 33.0]


def test_non_leaf_hook_replaces_gradient_flowing_on():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.register_hook(lambda g: g * 100)
    y.sum().backward()
    assert values(x.grad) == [200.0, 200.0]


def test_hooks_run_in_order_and_chain():
    x = leaf(1.0)
    y = x * 2
    calls = []
    y.register_hook(lambda g: calls.append(("first", g.item())) or g + 1)
    y.register_hook(lambda g: calls.append(("second", g.item())))
    y.backward()
    assert calls == [("first", 1.0), ("second", 2.0)]
    assert x.grad.item() == 4.0


def test_hook_runs_once_for_summed_gradient():
    x = leaf([1.0, 2.0])
    y = x * 1
    seen = []
    y.register_hook(lambda g: seen.append(values(g)))
    (y * y + y).sum().backward()
    assert seen == [[3.0, 5.0]]


def test_hook_handle_as_context_manager_and_double_remove():
    x = leaf(1.0)
    seen = []
    with x.register_hook(lambda g: seen.append(g.item())):
        (x * 2).backward()
    (x * 2).backward()
    assert seen == [2.0]
    handle = x.register_hook(lambda g: seen.append(g.item()))
    handle.remove()
    handle.remove()


def test_hook_on_tensor_without_grad():
    with pytest.raises(RuntimeError) as info:
        torch.tensor([1.0]).register_hook(lambda g: g)
    assert str(info.value) == "cannot register a hook on a tensor that doesn't require gradient"


def test_post_accumulate_grad_hook():
    x = leaf([1.0, 2.0])
    seen = []
    x.register_post_accumulate_grad_hook(lambda t: seen.append(values(t.grad)))
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    assert seen == [[3.0, 3.0], [6.0, 6.0]]
    with pytest.raises(RuntimeError, match="post accumulate grad hooks cannot be registered"):
        (x * 2).register_post_accumulate_grad_hook(lambda t: None)


def test_node_hooks():
    x = leaf([1.0, 2.0], dtype=torch.float64)
    y = x.exp()
    calls = []
    y.grad_fn.register_prehook(lambda go: calls.append(("pre", [values(g) for g in go])))
    y.grad_fn.register_hook(
        lambda gi, go: calls.append(("post", [values(g) for g in gi], [values(g) for g in go]))
    )
    (y * 2).sum().backward()
    assert calls[0] == ("pre", [[2.0, 2.0]])
    assert calls[1][0] == "post" and calls[1][2] == [[2.0, 2.0]]
    np.testing.assert_allclose(calls[1][1][0], 2 * np.exp([1.0, 2.0]), rtol=1e-12)


def test_hook_changing_gradient_size_is_an_error():
    # torch: RuntimeError "hook '<lambda>' has changed the size of value"
    x = leaf([1.0, 2.0])
    y = x * 1
    y.register_hook(lambda g: g.sum())
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        y.sum().backward()


# --------------------------------------------------------------------------- retain_grad


def test_retain_grad():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    assert y.retains_grad and not x.retains_grad
    (y * y).sum().backward()
    assert values(y.grad) == [4.0, 8.0]
    assert values(x.grad) == [8.0, 16.0]


def test_retained_grad_accumulates_out_of_place():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    z = (y * y).sum()
    z.backward(retain_graph=True)
    first = y.grad
    z.backward()
    assert values(y.grad) == [8.0, 16.0]
    assert y.grad is not first


def test_retained_grad_sees_every_hook():
    # torch runs the retain_grad hook last, whenever it was registered
    for retain_first in (True, False):
        x = leaf([1.0, 2.0])
        y = x * 2
        if retain_first:
            y.retain_grad()
        y.register_hook(lambda g: g * 100)
        if not retain_first:
            y.retain_grad()
        (y * y).sum().backward()
        assert values(y.grad) == [400.0, 800.0]
        assert values(x.grad) == [800.0, 1600.0]


def test_retain_grad_on_leaf_and_on_constant():
    x = leaf(1.0)
    x.retain_grad()  # a no-op for leaves
    assert not x.retains_grad
    with pytest.raises(RuntimeError) as info:
        torch.tensor([1.0]).retain_grad()
    assert str(info.value) == "can't retain_grad on Tensor that has requires_grad=False"


def test_non_leaf_grad_warning():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.sum().backward()
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert y.grad is None


# --------------------------------------------------------------------------- grad modes


def test_no_grad_context():
    x = leaf(1.0)
    with torch.no_grad():
        y = x * 2
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf


def test_grad_mode_decorators():
    x = leaf(1.0)

    @torch.no_grad()
    def f_no_grad():
        return (x * 2).requires_grad

    @torch.no_grad
    def f_bare_no_grad():
        return (x * 2).requires_grad

    @torch.enable_grad()
    def f_enable():
        return (x * 2).requires_grad

    @torch.set_grad_enabled(False)
    def f_disabled():
        return (x * 2).requires_grad

    @torch.inference_mode()
    def f_inference():
        return (x * 2).requires_grad, torch.is_inference_mode_enabled()

    @torch.inference_mode(False)
    def f_not_inference():
        return (x * 2).requires_grad, torch.is_inference_mode_enabled()

    assert f_no_grad() is False and f_bare_no_grad() is False
    assert torch.is_grad_enabled()
    with torch.no_grad():
        assert f_enable() is True
        assert not torch.is_grad_enabled()
    assert f_disabled() is False
    assert torch.is_grad_enabled()  # decorating must not change the current mode
    assert f_inference() == (False, True)
    assert f_not_inference() == (True, False)
    assert f_no_grad.__name__ == "f_no_grad"


def test_bare_decorators_enable_grad_and_inference_mode():
    # torch accepts @torch.enable_grad and @torch.inference_mode without parentheses
    x = leaf(1.0)

    @torch.enable_grad
    def f():
        return (x * 2).requires_grad

    @torch.inference_mode
    def g():
        return torch.is_inference_mode_enabled()

    with torch.no_grad():
        assert f() is True
    assert g() is True


def test_decorated_generator_runs_in_the_mode():
    # torch applies the mode inside the generator body, at every resumption
    @torch.no_grad()
    def gen():
        for _ in range(2):
            yield torch.is_grad_enabled()

    assert list(gen()) == [False, False]
    assert torch.is_grad_enabled()


def test_set_grad_enabled_as_call_and_context():
    x = leaf(1.0)
    torch.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        torch.set_grad_enabled(True)
    assert (x * 2).requires_grad
    with torch.set_grad_enabled(False):
        assert not torch.is_grad_enabled()
        with torch.set_grad_enabled(True):
            assert (x * 2).requires_grad
    assert torch.is_grad_enabled()


def test_nested_modes_restore_on_exception():
    with pytest.raises(ValueError):
        with torch.no_grad():
            with torch.enable_grad():
                assert torch.is_grad_enabled()
                raise ValueError
    assert torch.is_grad_enabled()


def test_inference_mode():
    x = leaf(1.0)
    with torch.inference_mode():
        y = x * 2
        assert torch.is_inference_mode_enabled() and not torch.is_grad_enabled()
    assert not torch.is_inference_mode_enabled()
    assert not y.requires_grad and y.grad_fn is None


def test_leaf_created_under_no_grad_still_requires_grad():
    with torch.no_grad():
        w = torch.ones(2, requires_grad=True)
        assert w.requires_grad and not (w * 2).requires_grad


def test_grad_mode_is_per_thread():
    x = leaf(1.0)
    seen = {}

    def worker():
        seen["enabled"] = torch.is_grad_enabled()
        seen["records"] = (x * 2).requires_grad
        with torch.no_grad():
            seen["inner"] = torch.is_grad_enabled()

    with torch.no_grad():
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        assert not torch.is_grad_enabled()
    assert seen == {"enabled": True, "records": True, "inner": False}
    assert torch.is_grad_enabled()


def test_backward_works_while_grad_is_disabled():
    x = leaf(2.0)
    y = x**2
    with torch.no_grad():
        y.backward()
    assert x.grad.item() == 4.0


# --------------------------------------------------------------------------- in-place checks


def test_inplace_on_leaf_that_requires_grad():
    x = leaf([1.0, 2.0])
    for op in (
        lambda: x.add_(1),
        lambda: x.mul_(2),
        lambda: x.zero_(),
        lambda: x.exp_(),
        lambda: x.fill_(1),
        lambda: x.clamp_(0, 1),
    ):
        with pytest.raises(RuntimeError) as info:
            op()
        assert str(info.value) == LEAF_INPLACE
    with pytest.raises(RuntimeError) as info:
        x += 1
    assert str(info.value) == LEAF_INPLACE
    assert x._version == 0


def test_inplace_on_leaf_allowed_under_no_grad():
    x = leaf([1.0, 2.0])
    with torch.no_grad():
        x -= torch.tensor([0.5, 0.5])
    assert x.is_leaf and x.requires_grad and x.grad_fn is None
    assert values(x) == [0.5, 1.5]
    assert x._version == 1


def test_setitem_on_leaf_that_requires_grad():
    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError) as info:
        x[0] = 5.0
    assert str(info.value) == (
        "a view of a leaf Variable that requires grad is being used in an in-place operation."
    )


def test_modified_saved_output_raises():
    x = leaf([1.0, 2.0])
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError) as info:
        y.sum().backward()
    assert str(info.value) == modified_message("Float", "2", 1, 0, "Exp")


def test_modified_saved_input_raises():
    x = leaf([1.0, 2.0])
    a = x * 1
    y = a * a
    a.mul_(3)
    with pytest.raises(RuntimeError) as info:
        y.sum().backward()
    assert str(info.value) == modified_message("Float", "2", 1, 0, "Mul")


def test_modified_saved_constant_raises_without_producer():
    x = leaf([1.0, 2.0])
    w = torch.ones(2)
    y = x * w
    w.add_(1)
    with pytest.raises(RuntimeError) as info:
        y.sum().backward()
    assert str(info.value) == modified_message("Float", "2", 1, 0)


def test_modified_through_a_view_raises():
    x = leaf([[1.0, 2.0]])
    y = x.exp()
    y.view(2).add_(1)
    with pytest.raises(RuntimeError, match=r"\[torch.FloatTensor \[1, 2\]\].*is at version 1"):
        y.sum().backward()


def test_modifying_unsaved_tensor_is_fine():
    x = leaf([1.0, 2.0])
    y = x + 1
    y.add_(1)
    y.mul_(2)
    y.sum().backward()
    assert values(x.grad) == [2.0, 2.0]
    assert y._version == 2


def test_data_changes_are_not_tracked():
    x = leaf([1.0, 2.0], dtype=torch.float64)
    y = x.tanh()
    y.data.mul_(2)  # bypasses the version counter: torch uses the changed values
    y.sum().backward()
    expected = 1 - (2 * np.tanh([1.0, 2.0])) ** 2
    np.testing.assert_allclose(values(x.grad), expected, rtol=1e-12)


def test_version_counter_is_shared_by_views():
    x = torch.zeros(3)
    v = x[1:]
    assert (x._version, v._version) == (0, 0)
    v.add_(1)
    assert (x._version, v._version) == (1, 1)
    x.zero_()
    assert (x._version, v._version) == (2, 2)


# --------------------------------------------------------------------------- memory


def test_intermediate_is_freed_after_backward_and_del():
    gc_was_enabled = gc.isenabled()
    gc.disable()  # reference counting alone must free the graph: it has no cycles
    try:
        x = leaf([1.0, 2.0])
        h = x.exp()
        y = (h * h).sum()
        h_ref = weakref.ref(h)
        node_ref = weakref.ref(h.grad_fn)
        root_ref = weakref.ref(y.grad_fn)
        del h
        assert h_ref() is not None  # MulBackward0 saved it
        y.backward()
        assert h_ref() is None  # saved tensors are released by backward
        assert node_ref() is not None  # the node itself lives while y does
        del y
        assert node_ref() is None and root_ref() is None
    finally:
        if gc_was_enabled:
            gc.enable()


def test_retain_graph_keeps_saved_tensors_until_last_backward():
    x = leaf([1.0, 2.0])
    h = x.exp()
    y = (h * h).sum()
    ref = weakref.ref(h)
    del h
    y.backward(retain_graph=True)
    assert ref() is not None
    y.backward()
    assert ref() is None


def test_graph_is_freed_without_backward():
    x = leaf([1.0, 2.0])
    h = x * 2
    y = h.sum()
    refs = [weakref.ref(h), weakref.ref(y.grad_fn), weakref.ref(h.grad_fn)]
    del h, y
    assert all(r() is None for r in refs)


def test_leaf_kept_alive_by_graph_only_while_graph_lives():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    ref = weakref.ref(x)
    del x
    assert ref() is not None
    y.backward()
    assert ref() is not None
    del y
    assert ref() is None


def test_saved_arrays_are_released_by_backward():
    x = leaf(np.ones(1000).tolist())
    h = x.sigmoid()
    array_ref = weakref.ref(h._data)
    y = h.sum()
    del h
    y.backward()
    assert array_ref() is None


# --------------------------------------------------------------------------- functional API


def _shapes(result):
    if isinstance(result, tuple):
        return tuple(_shapes(r) for r in result)
    return tuple(result.shape)


A3 = torch.tensor([1.0, 2.0, 3.0])
B22 = torch.tensor([[1.0, 2.0], [3.0, 4.0]])


@pytest.mark.parametrize(
    ("func", "inputs", "expected"),
    [
        (lambda x: x * 2, A3, (3, 3)),
        (lambda x: (x * 2, x.sum()), A3, ((3, 3), (3,))),
        (lambda x, y: x.sum() * y, (A3, B22), ((2, 2, 3), (2, 2, 2, 2))),
        (
            lambda x, y: (x * y.sum(), y.t()),
            (A3, B22),
            (((3, 3), (3, 2, 2)), ((2, 2, 3), (2, 2, 2, 2))),
        ),
        (lambda x: x.exp(), (A3,), ((3, 3),)),
        (lambda x: (x.exp(),), A3, ((3, 3),)),
        (lambda x: x**2, torch.tensor(2.0), ()),
        (lambda x: torch.ones(2), A3, (2, 3)),
        (lambda x, y: x * 2, (A3, B22), ((3, 3), (3, 2, 2))),
    ],
    ids=[
        "t-t",
        "t-tuple",
        "tuple-t",
        "tuple-tuple",
        "1tuple-t",
        "t-1tuple",
        "0d",
        "const",
        "unused",
    ],
)
def test_jacobian_tuple_conventions(func, inputs, expected):
    result = F.jacobian(func, inputs)
    assert _shapes(result) == expected
    flat = result if isinstance(result, tuple) else (result,)
    while flat and isinstance(flat[0], tuple):
        flat = sum(flat, ())
    assert all(not r.requires_grad for r in flat)


def test_jacobian_values():
    j = F.jacobian(lambda x, y: (x * y.sum(), y.t()), (A3, B22))
    assert values(j[0][0]) == (np.eye(3) * 10).tolist()
    assert (
        values(j[0][1])
        == np.broadcast_to(np.array([1.0, 2.0, 3.0])[:, None, None], (3, 2, 2)).tolist()
    )
    assert values(j[1][0]) == np.zeros((2, 2, 3)).tolist()
    expected = np.zeros((2, 2, 2, 2))
    for i in range(2):
        for k in range(2):
            expected[i, k, k, i] = 1
    assert values(j[1][1]) == expected.tolist()
    assert values(F.jacobian(lambda x: torch.ones(2), A3)) == np.zeros((2, 3)).tolist()


def test_jacobian_create_graph():
    x = leaf([1.0, 2.0])
    j = F.jacobian(lambda t: t**3, x, create_graph=True)
    assert j.requires_grad and j.grad_fn is not None
    j.sum().backward()
    assert values(x.grad) == [6.0, 12.0]
    j2 = F.jacobian(lambda t: t**3, x)
    assert not j2.requires_grad


def test_jacobian_strict_errors():
    with pytest.raises(RuntimeError) as info:
        F.jacobian(lambda x: torch.ones(2), A3, strict=True)
    assert str(info.value) == (
        "Output 0 of the user-provided function does not require gradients. The outputs must be "
        "computed in a differentiable manner from the input when running in strict mode."
    )
    with pytest.raises(RuntimeError) as info:
        F.jacobian(lambda x, y: x * 2, (A3, B22), strict=True)
    assert str(info.value) == (
        "Output 0 of the user-provided function is independent of input 1. This is not allowed "
        "in strict mode."
    )
    with pytest.raises(RuntimeError) as info:
        F.jacobian(lambda x: x, A3, strict=True, vectorize=True)
    assert str(info.value) == (
        "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
        "supported together. Please either set `strict=False` or `vectorize=False`."
    )


def test_jacobian_argument_errors():
    with pytest.raises(TypeError) as info:
        F.jacobian(lambda x: [x], A3)
    assert str(info.value) == (
        "The outputs of the user-provided function given to jacobian must be either a Tensor or "
        "a tuple of Tensors but the given outputs of the user-provided function has type "
        "<class 'list'>."
    )
    with pytest.raises(TypeError) as info:
        F.jacobian(lambda x: x, [A3])
    assert str(info.value) == (
        "The inputs given to jacobian must be either a Tensor or a tuple of Tensors but the given "
        "inputs has type <class 'list'>."
    )
    with pytest.raises(TypeError) as info:
        F.jacobian(lambda x: x.sum(), (A3, 2))
    assert str(info.value) == (
        "The inputs given to jacobian must be either a Tensor or a tuple of Tensors but the value "
        "at index 1 has type <class 'int'>."
    )
    with pytest.raises(AssertionError, match='^Expected strategy to be either "forward-mode"'):
        F.jacobian(lambda x: x, A3, strategy="sideways")
    with pytest.raises(NotImplementedError) as info:
        F.jacobian(lambda x: x, A3, strategy="forward-mode")
    assert str(info.value) == (
        "Computing Jacobian using forward-AD or forward-over-reverse Hessian isonly implemented "
        "for `vectorize=True`."
    )
    with pytest.raises(RuntimeError, match="^stack expects a non-empty TensorList$"):
        F.jacobian(lambda x: x[0:0], A3)


def test_hessian_conventions_and_values():
    h = F.hessian(lambda x: (x**3).sum(), A3)
    assert values(h) == np.diag([6.0, 12.0, 18.0]).tolist()
    h = F.hessian(lambda x: (x**3).sum(), (A3,))
    assert _shapes(h) == (((3, 3),),)
    h = F.hessian(lambda x, y: (x**2).sum() * y.sum(), (A3, B22))
    assert _shapes(h) == (((3, 3), (3, 2, 2)), ((2, 2, 3), (2, 2, 2, 2)))
    assert values(h[0][0]) == (np.eye(3) * 20).tolist()
    assert (
        values(h[0][1])
        == np.broadcast_to(np.array([2.0, 4.0, 6.0])[:, None, None], (3, 2, 2)).tolist()
    )
    assert values(h[1][1]) == np.zeros((2, 2, 2, 2)).tolist()
    assert _shapes(F.hessian(lambda x: x**3, torch.tensor(2.0))) == ()
    assert _shapes(F.hessian(lambda x: (x**3).sum(), B22)) == (2, 2, 2, 2)
    hc = F.hessian(lambda x: (x**3).sum(), A3, create_graph=True)
    assert hc.requires_grad


def test_hessian_errors():
    with pytest.raises(RuntimeError) as info:
        F.hessian(lambda x: x, A3)
    assert str(info.value) == (
        "The Tensor returned by the function given to hessian should contain a single element"
    )
    with pytest.raises(RuntimeError) as info:
        F.hessian(lambda x: (x, x), A3)
    assert str(info.value) == "The function given to hessian should return a single Tensor"
    with pytest.raises(RuntimeError) as info:
        F.hessian(lambda x: (x * 2).sum(), A3, strict=True)
    assert str(info.value) == (
        "While computing the hessian, found that the jacobian of the user-provided function with "
        "respect to input 0 is independent of the input. This is not allowed in strict mode. You "
        "should ensure that your function is twice differentiable and that the jacobian depends "
        "on the inputs (this would be violated by a linear function for example)."
    )
    with pytest.raises(
        RuntimeError, match="Output 0 of the user-provided function does not require"
    ):
        F.hessian(lambda x: x.sum().detach(), A3, strict=True)
    with pytest.raises(RuntimeError) as info:
        F.hessian(lambda x, y: (x**2).sum() + (y**2).sum(), (A3, B22), strict=True)
    assert str(info.value) == (
        "Output 0 of the user-provided function is independent of input 1. This is not allowed "
        "in strict mode."
    )
    # a linear function has a zero Hessian when not strict
    assert values(F.hessian(lambda x: (x * 2).sum(), A3)) == np.zeros((3, 3)).tolist()


def test_vjp_jvp_hvp_vhp():
    out, g = F.vjp(lambda x: x**2, A3, torch.ones(3))
    assert values(out) == [1.0, 4.0, 9.0] and values(g) == [2.0, 4.0, 6.0]
    out, jv = F.jvp(lambda x: x**2, A3, torch.tensor([1.0, 0.0, 1.0]))
    assert values(jv) == [2.0, 0.0, 6.0]
    out, hv = F.hvp(lambda x: (x**3).sum(), A3, torch.ones(3))
    assert out.item() == 36.0 and values(hv) == [6.0, 12.0, 18.0]
    out, vh = F.vhp(lambda x: (x**3).sum(), (A3,), (torch.ones(3),))
    assert isinstance(vh, tuple) and values(vh[0]) == [6.0, 12.0, 18.0]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: F.vjp(lambda x: x * 2, A3),
            "The vector v can only be None if the user-provided function returns a single Tensor with a single element.",
        ),
        (
            lambda: F.vjp(lambda x: x * 2, A3, torch.ones(2)),
            "v has invalid size: should be torch.Size([3]) but got torch.Size([2]).",
        ),
        (
            lambda: F.vjp(lambda x: (x * 2,), A3, torch.ones(2)),
            "Entry 0 in v has invalid size: should be torch.Size([3]) but got torch.Size([2]).",
        ),
        (
            lambda: F.vjp(lambda x: (x * 2, x), A3, (torch.ones(3),)),
            "v is a tuple of invalid length: should be 2 but got 1.",
        ),
        (
            lambda: F.vjp(lambda x: x * 2, A3, (torch.ones(3), torch.ones(3))),
            "The given v should contain a single Tensor.",
        ),
        (
            lambda: F.vjp(lambda x, y: x.sum(), (A3, B22), strict=True),
            "The output of the user-provided function is independent of input 1. This is not allowed in strict mode.",
        ),
        (
            lambda: F.jvp(lambda x: x, A3),
            "The vector v can only be None if the input to the user-provided function is a single Tensor with a single element.",
        ),
        (
            lambda: F.jvp(lambda x, y: x * 2, (A3, B22), (torch.ones(3), torch.ones(2))),
            "Entry 1 in v has invalid size: should be torch.Size([2, 2]) but got torch.Size([2]).",
        ),
        (
            lambda: F.jvp(
                lambda x, y: x * 2, (A3, B22), (torch.ones(3), torch.ones(2, 2)), strict=True
            ),
            "The output of the user-provided function is independent of input 1. This is not allowed in strict mode.",
        ),
        (
            lambda: F.hvp(lambda x: x, A3, torch.ones(3)),
            "The Tensor returned by the function given to hvp should contain a single element",
        ),
        (
            lambda: F.hvp(lambda x: (x.sum(), x.sum()), A3, torch.ones(3)),
            "The function given to hvp should return a single Tensor",
        ),
        (
            lambda: F.vhp(lambda x: x, A3, torch.ones(3)),
            "The Tensor returned by the function given to vhp should contain a single element",
        ),
        (
            lambda: F.hvp(lambda x: x, A3, None),
            "The vector v can only be None if the input to the user-provided function is a single Tensor with a single element.",
        ),
        (
            lambda: F.hvp(lambda x: x.sum() ** 2, (A3,), (torch.ones(3), torch.ones(3))),
            "v is a tuple of invalid length: should be 1 but got 2.",
        ),
        (
            lambda: F.hvp(
                lambda x, y: (x**2).sum(), (A3, B22), (torch.ones(3), torch.ones(2, 2)), strict=True
            ),
            "The output of the user-provided function is independent of input 1. This is not allowed in strict mode.",
        ),
        (
            lambda: F.hvp(lambda x: x.sum().detach(), A3, torch.ones(3), strict=True),
            "Output 0 of the user-provided function does not require gradients. The outputs must be computed in a differentiable manner from the input when running in strict mode.",
        ),
    ],
)
def test_functional_error_messages(call, message):
    with pytest.raises(RuntimeError) as info:
        call()
    assert str(info.value) == message


# Functions for batched-Jacobian checks: each takes the library (chainrule or torch) and the
# input, a float64 vector of 12 values without ties (so max/abs/relu are differentiable there).
JACOBIAN_FUNCTIONS = {
    "reshape-transpose": lambda T, x: x.reshape(3, 4).t() * 2,
    "permute": lambda T, x: x.view(2, 3, 2).permute(2, 0, 1).exp(),
    "slice-select": lambda T, x: x[1:9:2] ** 2 + x.view(3, 4)[:, 1].sum(),
    "advanced-index": lambda T, x: x[[0, 2, 2, 5]] * x[3],
    "mask-index": lambda T, x: x[x > 0.2].sin(),
    "matmul": lambda T, x: x.view(3, 4) @ x.view(3, 4).t(),
    "matmul-const": lambda T, x: x.view(3, 4) @ T.arange(8.0, dtype=T.float64).view(4, 2),
    "mv-dot": lambda T, x: T.mv(x.view(3, 4), x[:4]) * T.dot(x[:3], x[3:6]),
    "batched-matmul": lambda T, x: x.view(2, 2, 3) @ x.view(2, 3, 2),
    "sum-dim": lambda T, x: x.view(3, 4).sum(1) * x.view(3, 4).mean(0)[:3],
    "softmax": lambda T, x: x.view(3, 4).softmax(1),
    "log-softmax": lambda T, x: x.view(4, 3).log_softmax(0),
    "cat": lambda T, x: T.cat([x[:5] * 2, x.exp(), x[2:4]]),
    "stack": lambda T, x: T.stack([x.sin(), x.cos(), x]),
    "max-dim": lambda T, x: x.view(3, 4).max(1).values * 3,
    "max-all-amax": lambda T, x: x.max() + x.view(3, 4).amax(0),
    "min-dim": lambda T, x: x.view(4, 3).min(0)[0],
    "broadcast": lambda T, x: x.view(3, 4) * x.view(3, 4)[0] + x[:4],
    "expand-repeat": lambda T, x: x[:3].view(3, 1).expand(3, 4) * x.view(3, 4).repeat(1, 2)[:, :4],
    "flip-cumsum": lambda T, x: x.flip(0).cumsum(0),
    "prod": lambda T, x: x.view(3, 4).prod(1),
    "norm-var-std": lambda T, x: T.stack([x.norm(), x.var(), x.view(3, 4).std(1).sum()]),
    "logsumexp": lambda T, x: x.view(3, 4).logsumexp(1),
    "gather": lambda T, x: x.view(3, 4).gather(1, T.tensor([[0, 3], [1, 1], [2, 0]])),
    "where-clamp": lambda T, x: T.where(x > 0.5, x**2, x.clamp(0.1, 0.4)),
    "maximum-abs-relu": lambda T, x: T.maximum(x, x.flip(0)) + (x - 0.5).abs() + (x - 0.4).relu(),
    "split-unbind": lambda T, x: x.split([5, 7])[1] * 2 + x.view(4, 3).unbind(1)[2].sum(),
    "squeeze-unsqueeze": lambda T, x: x.view(1, 12, 1).squeeze().unsqueeze(0) ** 3,
    "pow-div": lambda T, x: x**x / (x + 1) - 2**x,
    "transcendental": lambda T, x: (x.sigmoid() * x.tanh() + x.log() + x.sqrt()).atan(),
}


def _jacobian_input(lib):
    base = [0.31, 0.72, 0.15, 0.94, 0.48, 0.66, 0.23, 0.87, 0.59, 0.12, 0.79, 0.41]
    return lib.tensor(base, dtype=lib.float64)


def _numerical_jacobian(func, x):
    base = np.array(x.tolist())
    out = np.asarray(func(torch, torch.tensor(base, dtype=torch.float64)).tolist())
    jac = np.zeros(out.shape + base.shape)
    eps = 1e-6
    for i in range(base.size):
        plus, minus = base.copy(), base.copy()
        plus[i] += eps
        minus[i] -= eps
        f_plus = np.asarray(func(torch, torch.tensor(plus, dtype=torch.float64)).tolist())
        f_minus = np.asarray(func(torch, torch.tensor(minus, dtype=torch.float64)).tolist())
        jac[..., i] = (f_plus - f_minus) / (2 * eps)
    return jac


@pytest.mark.parametrize("name", sorted(JACOBIAN_FUNCTIONS))
def test_batched_jacobian_matches_finite_differences_and_rows(name):
    func = JACOBIAN_FUNCTIONS[name]
    x = _jacobian_input(torch)
    jac = F.jacobian(lambda t: func(torch, t), x)
    np.testing.assert_allclose(jac.numpy(), _numerical_jacobian(func, x), rtol=1e-5, atol=1e-6)
    # the batched pass must equal one ordinary backward per output element
    xr = x.detach().requires_grad_()
    out = func(torch, xr).reshape(-1)
    rows = [torch.autograd.grad(out[i], xr, retain_graph=True)[0] for i in range(out.numel())]
    np.testing.assert_allclose(
        jac.numpy().reshape(out.numel(), -1), torch.stack(rows).numpy(), rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize("name", sorted(JACOBIAN_FUNCTIONS))
def test_batched_jacobian_matches_torch(name):
    real = pytest.importorskip("torch", reason="torch is not installed", exc_type=ImportError)
    func = JACOBIAN_FUNCTIONS[name]
    expected = real.autograd.functional.jacobian(lambda t: func(real, t), _jacobian_input(real))
    got = F.jacobian(lambda t: func(torch, t), _jacobian_input(torch))
    assert tuple(got.shape) == tuple(expected.shape)
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-10, atol=1e-12)


HESSIAN_FUNCTIONS = {
    "cubic": lambda T, x: (x**3).sum(),
    "softmax-entropy": lambda T, x: -(x.softmax(0) * x.log_softmax(0)).sum(),
    "quadratic-form": lambda T, x: x.view(3, 4).t().matmul(x.view(3, 4)).sum(),
    "logsumexp-norm": lambda T, x: x.logsumexp(0) + x.norm() ** 3,
    "product": lambda T, x: x[:5].prod() * x.sin().sum(),
}


@pytest.mark.parametrize("name", sorted(HESSIAN_FUNCTIONS))
def test_hessian_matches_torch(name):
    real = pytest.importorskip("torch", reason="torch is not installed", exc_type=ImportError)
    func = HESSIAN_FUNCTIONS[name]
    expected = real.autograd.functional.hessian(lambda t: func(real, t), _jacobian_input(real))
    got = F.hessian(lambda t: func(torch, t), _jacobian_input(torch))
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(HESSIAN_FUNCTIONS))
def test_hessian_is_symmetric_and_matches_gradient_differences(name):
    func = HESSIAN_FUNCTIONS[name]
    x = _jacobian_input(torch)
    h = F.hessian(lambda t: func(torch, t), x).numpy()
    np.testing.assert_allclose(h, h.T, rtol=1e-10, atol=1e-12)

    def gradient(T, t):
        t = t.detach().requires_grad_()
        return torch.autograd.grad(func(T, t), t)[0]

    np.testing.assert_allclose(h, _numerical_jacobian(gradient, x), rtol=1e-5, atol=1e-6)


def test_jacobian_through_item_assignment_is_batched_correctly():
    # x[i] = v records CopySlices, whose index addresses the tensor's own dims: the batched
    # Jacobian must not apply it to the batch dim
    def f(a):
        b = a * 2
        b[0] = 0.0
        return b

    jac = torch.autograd.functional.jacobian(f, torch.ones(2, 2))
    expected = np.zeros((2, 2, 2, 2), np.float32)
    expected[1, 0, 1, 0] = expected[1, 1, 1, 1] = 2.0
    assert np.array_equal(jac.numpy(), expected)


def test_leaf_frozen_after_the_forward_gets_no_grad():
    w = torch.ones(2, requires_grad=True)
    v = torch.ones(2, requires_grad=True)
    loss = (w * v).sum()
    w.requires_grad = False  # as when freezing layers between forward and backward
    loss.backward()
    assert w.grad is None
    assert v.grad.tolist() == [1.0, 1.0]
