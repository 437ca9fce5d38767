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
