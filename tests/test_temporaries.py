"""times_temporary writes a rule's product into the rule's own intermediate -- and never into
anything someone else can see (a saved value, a user's tensor, a view, a constant)."""

import gc
import tracemalloc

import chainrule as torch
from chainrule._backend import IN_PLACE_MIN
from chainrule._registry import times_temporary

N = IN_PLACE_MIN  # smaller arrays are never written in place (NumPy's out= costs more)


def test_a_fresh_temporary_is_reused_when_nothing_records():
    g = torch.full((N,), 2.0)
    x = torch.arange(N, dtype=torch.float32)
    with torch.no_grad():
        gc.collect()
        tracemalloc.start()
        try:
            result = times_temporary(g, x * 3)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert torch.equal(result, x * 6)
    assert torch.equal(x, torch.arange(N, dtype=torch.float32))
    assert N * 4 <= peak < 2 * N * 4  # x * 3 only: the product went into it


def test_small_arrays_and_tensors_held_elsewhere_are_never_overwritten():
    g = torch.full((N,), 2.0)
    held = torch.arange(N, dtype=torch.float32)
    with torch.no_grad():
        result = times_temporary(g, held)
        small = torch.ones(3) * 2
        small_result = times_temporary(torch.ones(3), small)
    assert result is not held
    assert torch.equal(held, torch.arange(N, dtype=torch.float32))  # a local variable counts
    assert small_result is not small


def test_an_array_shared_with_another_tensor_is_never_overwritten():
    g = torch.full((N + 1,), 2.0)
    base = torch.arange(N + 1, dtype=torch.float32)
    expected = torch.arange(N + 1, dtype=torch.float32)
    with torch.no_grad():
        shared = times_temporary(g, base.detach())  # a fresh tensor, but base's array
        view_result = times_temporary(g[1:], base[1:])  # a view: its array is not its own
    assert torch.equal(base, expected)
    assert torch.equal(shared, expected * 2)
    assert torch.equal(view_result, expected[1:] * 2)


def test_recording_or_broadcasting_falls_back_to_a_new_product():
    g = torch.ones(N, requires_grad=True)
    x = torch.ones(N, requires_grad=True)
    product = times_temporary(g, x * 1)  # grad mode on: the product is recorded
    assert type(product.grad_fn).__name__ == "MulBackward0"
    with torch.no_grad():
        wide = times_temporary(torch.ones(3, 1), torch.ones(N) * 2)  # grows by broadcasting
        mixed = times_temporary(torch.ones(N, dtype=torch.float64), torch.ones(N) * 2)
    assert wide.shape == (3, N)
    assert mixed.dtype == torch.float64


def test_saved_values_survive_backward_and_double_backward():
    # the rules' temporaries go into the gradient; saved inputs and outputs stay intact
    start = torch.linspace(0.5, 2.0, N)
    x = start.clone().requires_grad_()
    y = x.exp()
    z = x.tanh()
    loss = y.sum() + z.sum() + (x**3).sum() + x.sin().sum()
    loss.backward(retain_graph=True)
    first = x.grad.clone()
    assert torch.equal(y.detach(), start.exp())
    assert torch.equal(z.detach(), start.tanh())
    x.grad = None
    loss.backward()  # again, through the same saved values
    assert torch.equal(x.grad, first)
    (gx,) = torch.autograd.grad((x**3).sum(), x, create_graph=True)
    (ggx,) = torch.autograd.grad(gx.sum(), x)
    torch.testing.assert_close(ggx, 6 * start)


def test_gradients_summed_in_place_keep_hooks_and_shared_gradients_intact():
    # a leaf reached along many edges gets its gradients summed into one buffer in place;
    # a gradient also seen by a hook (or sent along two edges) is not the one overwritten
    a = torch.ones(N, requires_grad=True)
    seen = []
    y = a * 1
    y.register_hook(lambda g: seen.append(g))
    total = (y * 2 + y * 3 + a * 4).sum()
    total.backward()
    assert torch.equal(a.grad, torch.full((N,), 9.0))
    assert torch.equal(seen[0], torch.full((N,), 5.0))
    b = torch.ones(N, requires_grad=True)
    z = b * 1
    (z + z + z).sum().backward()  # AddBackward sends one gradient object along two edges
    assert torch.equal(b.grad, torch.full((N,), 3.0))
