"""Autograd from several threads: exact gradient sums and per-thread modes, as in torch.

The expected values come from running the same programs with torch 2.13.0: concurrent
backward calls into one leaf lose no update, grad mode and saved-tensor hooks are per
thread (a new thread starts with grad enabled), anomaly mode and forward-AD levels are
shared by the whole process. The gradients are large (2M elements) so that NumPy releases
the interpreter lock inside each addition and an unguarded read-modify-write shows.
"""

import sys
import threading

import numpy as np
import pytest

import chainrule as torch
import chainrule.autograd.forward_ad as fwAD
from chainrule._graph import extras
from chainrule.autograd.graph import disable_saved_tensors_hooks, saved_tensors_hooks

BIG = 2_000_000
THREADS = 4


def run_threads(target, count=THREADS):
    """Run ``target(index, barrier)`` on ``count`` threads; re-raise the first error."""
    barrier = threading.Barrier(count)
    errors = []

    def body(index):
        try:
            target(index, barrier)
        except BaseException as error:  # handed to the main thread
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def in_new_thread(fn):
    """fn() run on a fresh thread; its result."""
    out = []
    run_threads(lambda index, barrier: out.append(fn()), count=1)
    return out[0]


# --------------------------------------------------------------------------- accumulation


@pytest.mark.parametrize("trial", range(3))
def test_concurrent_backward_into_a_shared_leaf_loses_no_update(trial):
    w = torch.zeros(BIG, requires_grad=True)
    calls = 8

    def work(index, barrier):
        barrier.wait()  # all start together, while .grad is still None
        for _ in range(calls):
            (w * float(index + 1)).sum().backward()

    run_threads(work)
    expected = calls * sum(range(1, THREADS + 1))  # 80: exact in float32
    assert np.array_equal(w.grad.numpy(), np.full(BIG, expected, np.float32))


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_concurrent_backward_with_create_graph_sums_exactly():
    w = torch.ones(BIG, requires_grad=True)

    def work(index, barrier):
        barrier.wait()
        for _ in range(4):
            (w * w).sum().backward(create_graph=True)

    run_threads(work)
    # the gradient 2w is recorded (torch: requires_grad=True) and summed over every call
    assert np.array_equal(w.grad.detach().numpy(), np.full(BIG, 2.0 * 4 * THREADS, np.float32))
    assert w.grad.requires_grad


def test_concurrent_backward_into_a_retained_non_leaf_grad():
    # torch itself loses updates here; chainrule keeps the exact sum
    w = torch.zeros(BIG, requires_grad=True)
    h = w * 2
    h.retain_grad()

    def work(index, barrier):
        barrier.wait()
        for _ in range(5):
            (h * 1.0).sum().backward(retain_graph=True)

    run_threads(work)
    assert np.array_equal(h.grad.numpy(), np.full(BIG, 5.0 * THREADS, np.float32))
    assert np.array_equal(w.grad.numpy(), np.full(BIG, 10.0 * THREADS, np.float32))


def test_concurrent_autograd_grad_on_a_shared_graph():
    w = torch.ones(BIG, requires_grad=True)
    y = (w * 3.0).sum()
    results = [None] * THREADS

    def work(index, barrier):
        barrier.wait()
        for _ in range(3):
            (results[index],) = torch.autograd.grad(y, w, retain_graph=True)

    run_threads(work)
    for grad in results:
        assert np.array_equal(grad.numpy(), np.full(BIG, 3.0, np.float32))
    assert w.grad is None


def test_leaf_hooks_run_once_per_backward_on_every_thread():
    w = torch.zeros(BIG, requires_grad=True)
    seen = []
    w.register_hook(lambda g: seen.append(1))
    w.register_post_accumulate_grad_hook(lambda t: seen.append(2))

    def work(index, barrier):
        barrier.wait()
        for _ in range(3):
            (w * 1.0).sum().backward()

    run_threads(work)
    assert sorted(seen) == [1] * 12 + [2] * 12
    assert np.array_equal(w.grad.numpy(), np.full(BIG, 12.0, np.float32))


def register_hooks_from_many_threads(count=8):
    """A fresh leaf and non-leaf that ``count`` threads give hooks at the same moment."""
    leaf = torch.ones(3, requires_grad=True)
    y = leaf * 2
    calls = []

    def work(index, barrier):
        barrier.wait()
        leaf.register_hook(lambda g: calls.append("leaf"))
        y.register_hook(lambda g: calls.append("y"))
        y.grad_fn.register_prehook(lambda g: calls.append("pre"))

    run_threads(work, count=count)
    y.sum().backward()
    return sorted(calls)


def test_hooks_registered_at_once_on_many_threads_are_all_kept():
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        for _ in range(20):
            assert register_hooks_from_many_threads() == ["leaf"] * 8 + ["pre"] * 8 + ["y"] * 8
    finally:
        sys.setswitchinterval(interval)


def retain_grad_from_many_threads(count=8):
    leaf = torch.ones(3, requires_grad=True)
    y = leaf * 2
    run_threads(lambda index, barrier: (barrier.wait(), y.retain_grad()), count=count)
    y.sum().backward()
    return y.grad.tolist()


def test_retain_grad_asked_by_many_threads_at_once_keeps_the_gradient_once():
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(20):
            assert retain_grad_from_many_threads() == [1.0, 1.0, 1.0]
    finally:
        sys.setswitchinterval(interval)


def test_a_hook_handle_removed_twice_is_harmless():
    x = torch.ones(2, requires_grad=True)
    handle = x.register_hook(lambda g: g * 2)
    handle.remove()
    handle.remove()
    (x * 1.0).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_node_sequence_numbers_stay_unique_and_increasing_across_threads():
    x = torch.ones(1, requires_grad=True)
    per_thread = [[] for _ in range(THREADS)]

    def work(index, barrier):
        barrier.wait()
        mine = per_thread[index]
        for _ in range(2000):
            mine.append((x * 2.0).grad_fn._seq)

    run_threads(work)
    everything = [seq for seqs in per_thread for seq in seqs]
    assert len(set(everything)) == len(everything)
    for seqs in per_thread:
        assert seqs == sorted(seqs)


def test_version_counter_counts_every_in_place_change_across_threads():
    t = torch.zeros(4)

    def work(index, barrier):
        barrier.wait()
        for _ in range(5000):
            t.add_(1.0)

    run_threads(work)
    assert t._version == 5000 * THREADS


# --------------------------------------------------------------------------- per-thread modes


def test_a_new_thread_starts_with_grad_enabled():
    # torch: True for every case (grad mode is per thread and not inherited)
    with torch.no_grad():
        assert in_new_thread(torch.is_grad_enabled) is True
    with torch.inference_mode():
        assert in_new_thread(torch.is_inference_mode_enabled) is False
        assert in_new_thread(torch.is_grad_enabled) is True
    torch.set_grad_enabled(False)
    try:
        assert in_new_thread(torch.is_grad_enabled) is True
    finally:
        torch.set_grad_enabled(True)


def test_no_grad_on_one_thread_does_not_stop_recording_on_another():
    x = torch.ones(2, requires_grad=True)
    inside = threading.Event()
    done = threading.Event()
    seen = []

    def quiet():
        with torch.no_grad():
            inside.set()
            done.wait(10)
            seen.append(torch.is_grad_enabled())

    thread = threading.Thread(target=quiet)
    thread.start()
    inside.wait(10)
    y = x * 2  # main thread: still recording
    done.set()
    thread.join()
    assert y.requires_grad and type(y.grad_fn).__name__ == "MulBackward0"
    assert seen == [False]
    assert torch.is_grad_enabled()


def test_saved_tensor_hooks_pack_only_their_own_threads_tensors():
    # torch: the hooks of one thread see none of the tensors other threads save
    x = torch.ones(3, requires_grad=True)
    packed = []
    inside = threading.Event()
    done = threading.Event()

    def hooked():
        with saved_tensors_hooks(lambda t: packed.append(t.shape) or t, lambda t: t):
            inside.set()
            done.wait(10)
            z = x * x  # saves x twice, packed by this thread's hooks
        z.sum().backward()

    thread = threading.Thread(target=hooked)
    thread.start()
    inside.wait(10)
    y = x * x  # the main thread has no hooks
    done.set()
    thread.join()
    assert len(packed) == 2
    y.sum().backward()
    assert x.grad.tolist() == [4.0, 4.0, 4.0]
    assert not extras.active  # no thread has hooks left


def test_disable_saved_tensors_hooks_is_per_thread():
    with disable_saved_tensors_hooks("no hooks here"):

        def enter():
            with saved_tensors_hooks(lambda t: t, lambda t: t):
                return "ok"

        assert in_new_thread(enter) == "ok"
        with pytest.raises(RuntimeError, match="^no hooks here$"):
            with saved_tensors_hooks(lambda t: t, lambda t: t):
                pass


def test_anomaly_mode_is_shared_by_all_threads_as_in_torch():
    previous = torch.is_anomaly_enabled()
    torch.autograd.set_detect_anomaly(True)
    try:
        assert in_new_thread(torch.is_anomaly_enabled) is True
    finally:
        torch.autograd.set_detect_anomaly(previous)
    assert in_new_thread(torch.is_anomaly_enabled) is False


def test_forward_ad_levels_are_shared_by_all_threads_as_in_torch():
    def use_level():
        dual = fwAD.make_dual(torch.ones(2), torch.ones(2))
        return fwAD.unpack_dual(dual * 2).tangent.tolist()

    def nest():
        try:
            with fwAD.dual_level():
                return "opened"
        except RuntimeError as error:
            return str(error)

    with fwAD.dual_level():
        assert in_new_thread(use_level) == [2.0, 2.0]
        assert in_new_thread(nest) == "Nested forward mode AD is not supported at the moment"
