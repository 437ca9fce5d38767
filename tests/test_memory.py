"""A long training loop does not grow in memory (the graph of each step is freed)."""

import gc
import tracemalloc

import chainrule as torch


def _train(steps, w, b, x, y, lr=0.01):
    for _ in range(steps):
        loss = ((y - (b + w * x)) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    return loss.item()


def test_ten_thousand_training_steps_do_not_grow_memory():
    x = torch.linspace(0, 1, 64)
    y = 3 * x + 1
    w = torch.tensor(0.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    _train(200, w, b, x, y)  # warm caches (dtype tables, free lists)
    gc.collect()
    tracemalloc.start()
    try:
        _train(1000, w, b, x, y)
        gc.collect()
        after_first, _ = tracemalloc.get_traced_memory()
        final_loss = _train(9000, w, b, x, y)
        gc.collect()
        after_all, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert after_all - after_first < 32 * 1024, after_all - after_first
    assert final_loss < 0.01  # it did train


def test_leaf_gradient_takes_over_an_unshared_buffer_and_copies_a_shared_one(monkeypatch):
    from chainrule._tensor import Tensor

    copies = []
    original = Tensor._fresh_copy
    monkeypatch.setattr(Tensor, "_fresh_copy", lambda self: copies.append(1) or original(self))
    w = torch.ones(3, requires_grad=True)
    (w * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert copies == [] and w.grad.tolist() == [1.0, 2.0, 3.0]  # no copy made

    a = torch.ones(3, requires_grad=True)
    b = torch.ones(3, requires_grad=True)
    # one (fresh) gradient object sent to both leaves: the first copies, the second keeps it
    ((a + b) * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert copies == [1]
    a.grad.add_(1)
    assert b.grad.tolist() == [1.0, 2.0, 3.0]  # not aliased

    kept = []
    c = torch.ones(2, requires_grad=True)
    c.register_hook(lambda g: kept.append(g))
    (c * 3).sum().backward()  # the hook holds the gradient: .grad must be a copy
    c.grad.zero_()
    assert kept[0].tolist() == [3.0, 3.0]


def _backward_peak(loss):
    """Peak bytes NumPy allocates during ``loss.backward()`` (tracemalloc sees its buffers)."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        loss.backward()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def test_elementwise_rules_multiply_into_their_own_temporaries():
    # g * f'(x): f'(x) is the rule's own array, so the product goes into it. The backward
    # of these losses then allocates one input-sized array (the gradient) and no more.
    n = 250_000
    size = n * 8
    for make_loss in (
        lambda x: (x**2).sum(),
        lambda x: x.sin().sum(),
        lambda x: x.log().sum(),
        lambda x: x.exp().sum(),
        lambda x: x.tanh().sum(),
        lambda x: x.sigmoid().sum(),
    ):
        x = torch.rand(n, dtype=torch.float64, requires_grad=True)
        peak = _backward_peak(make_loss(x))
        assert size <= peak < 1.5 * size, (make_loss, peak / size)


def test_w7_regression_backward_peak_is_two_arrays():
    # the benchmark's linear-regression loss: r = y - (b0 + b1 x) is saved for the square,
    # and at most one more input-sized array is alive at any time during backward
    n = 250_000
    x = torch.rand(n, dtype=torch.float64)
    y = 3 + 2 * x
    b0 = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    b1 = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    loss = ((y - (b0 + b1 * x)) ** 2).sum()
    peak = _backward_peak(loss)
    assert peak < 2.2 * n * 8, peak / (n * 8)
    r = (y - (0.5 + 0.5 * x)).numpy()
    assert abs(b0.grad.item() - (-2 * r.sum())) < 1e-6 * abs(r.sum())
    assert abs(b1.grad.item() - (-2 * (r * x.numpy()).sum())) < 1e-6 * abs((r * x.numpy()).sum())


def test_a_recorded_op_keeps_few_objects_for_the_garbage_collector():
    # Every object a graph keeps that the cyclic collector tracks makes its collections of
    # a long graph slower (W2's per-op time grows with N). A W2 cycle (mul, add, sin, tanh)
    # keeps 4 nodes, their input tuples, 2 saved tuples, the saved input and the saved
    # output (with their version boxes): 15 objects, no per-edge tuples.
    x = torch.tensor(0.5, requires_grad=True)
    y = x * 1.0
    gc.collect()
    before = len(gc.get_objects())
    for _ in range(500):
        y = torch.tanh(torch.sin(y * 1.0001 + 0.001))
    gc.collect()
    per_cycle = (len(gc.get_objects()) - before) / 500
    assert per_cycle <= 15.1, per_cycle
    y.backward()
    assert x.grad is not None
    fn = y.grad_fn
    assert fn.next_functions == ((fn.next_functions[0][0], 0),)  # torch's edge tuples


def test_double_precision_kernels_go_through_big_arrays_in_chunks():
    # float32 exp/tanh/sin are computed in double and rounded once; on big arrays that runs
    # chunk by chunk: the same bits as one whole-array pass, without a double-size copy
    import numpy as np

    from chainrule.ops.elementwise import _CHUNK, _tanh_backward

    rng = np.random.default_rng(3)
    base = rng.standard_normal((3, _CHUNK + 7)).astype(np.float32)
    for array in (base, base[:, ::2], base.T, base.astype(np.float16)):
        x = torch.tensor(array)
        for name, kernel in (("exp", np.exp), ("tanh", np.tanh), ("sin", np.sin)):
            want = kernel(array.astype(np.float64)).astype(array.dtype)
            assert np.array_equal(getattr(torch, name)(x).numpy(), want), (name, array.shape)
        y = np.tanh(array)
        g = np.full_like(y, 0.7)
        want = g * (1 - y.astype(np.float64) ** 2).astype(array.dtype)
        assert np.array_equal(_tanh_backward(g, y), want)

    n = 1 << 20
    x = torch.rand(n, requires_grad=True)
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        y = x.tanh()
        _, forward_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert forward_peak < 1.5 * n * 4, forward_peak / (n * 4)  # the result and one chunk
    assert _backward_peak(y.sum()) < 1.5 * n * 4
