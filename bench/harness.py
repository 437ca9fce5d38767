"""Interleaved, time-budgeted timing of several libraries, and the gradient cross-check.

Protocol for one case (all entries - library x variant - run in the same process):

1. Warm-up: each entry is called once (that first result is kept for the gradient check), then
   again until about 10% of its budget is spent (twice at least, unless one call exceeds it).
2. Each entry's repeat is a loop of ``number`` calls sized to take about budget/25 seconds.
3. Rounds alternate through the entries (reversing the order every other round) so machine noise
   hits every library alike, until each entry has used its budget (at least one repeat).
4. An entry reports the median and minimum per-call time over its repeats.

An entry whose single call exceeds its budget is thus warmed up once and timed once.
"""

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from bench.libs import one_line

REPEAT_FRACTION = 1 / 25
WARMUP_FRACTION = 0.1
MAX_REPEATS = 500
TINY = 1e-30  # relative-error denominators are floored here: float32 underflow counts as zero


@dataclass
class Entry:
    lib: str
    variant: str
    step: Callable[[], object] | None = None
    error: str | None = None
    samples: list[float] = field(default_factory=list)
    number: int = 1
    spent: float = 0.0
    check: list[np.ndarray] | None = None
    grad_err: float | None = None
    note: str = ""

    @property
    def live(self) -> bool:
        return self.error is None and self.step is not None


@dataclass(frozen=True)
class Budget:
    seconds: float
    quick: bool = False


def to_numpy(value) -> list[np.ndarray]:
    """Flatten a gradient result (tensor, array, scalar or nested tuple/list) to float64 arrays."""
    if isinstance(value, (tuple, list)):
        return [a for item in value for a in to_numpy(item)]
    if value is None:
        raise ValueError("gradient is None")
    if hasattr(value, "detach"):
        value = value.detach()
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        try:
            value = value.numpy()
        except TypeError:
            pass
    return [np.array(value, dtype=np.float64)]  # a copy: later steps may reuse buffers


def rel_error(got: list[np.ndarray], ref: list[np.ndarray]) -> float:
    """Largest normwise relative error over the arrays (max |got - ref| / max |ref|)."""
    if len(got) != len(ref):
        return float("inf")
    worst = 0.0
    for a, b in zip(got, ref):
        if a.shape != b.shape and a.size != b.size:
            return float("inf")
        diff = np.max(np.abs(a.ravel() - b.ravel()), initial=0.0)
        scale = max(np.max(np.abs(b), initial=0.0), TINY)
        worst = max(worst, float(diff / scale))
    return worst if np.isfinite(worst) else float("inf")


def _call_timed(entry: Entry, number: int) -> float:
    step = entry.step
    start = time.perf_counter()
    for _ in range(number):
        step()
    return time.perf_counter() - start


def _guard(entry: Entry, action: Callable[[], None]) -> None:
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - a failing library must not stop the suite
        entry.error = one_line(exc)


def _warm_up(entry: Entry, budget: Budget) -> None:
    start = time.perf_counter()
    entry.check = to_numpy(entry.step())
    times = [time.perf_counter() - start]
    while sum(times) < WARMUP_FRACTION * budget.seconds or (
        len(times) < 2 and times[0] < budget.seconds
    ):
        times.append(_call_timed(entry, 1))
    entry.number = max(1, int(budget.seconds * REPEAT_FRACTION / min(times)))


def _wants_more(entry: Entry, budget: Budget) -> bool:
    if not entry.live or len(entry.samples) >= MAX_REPEATS:
        return False
    return entry.spent < budget.seconds or not entry.samples


def _repeat(entry: Entry) -> None:
    elapsed = _call_timed(entry, entry.number)
    entry.spent += elapsed
    entry.samples.append(elapsed / entry.number)


def run_interleaved(
    entries: list[Entry], budget: Budget, on_enter: Callable[[Entry], None] = lambda _e: None
) -> None:
    """Warm up, then time all live entries round-robin until each has spent its budget.

    ``on_enter(entry)`` is called before each warm-up and repeat, so that a parent process can
    tell which library was running if this process dies or hangs.
    """
    for entry in entries:
        if entry.live:
            on_enter(entry)
            _guard(entry, lambda e=entry: _warm_up(e, budget))
    gc.collect()
    order = list(entries)
    while True:
        active = [e for e in order if _wants_more(e, budget)]
        if not active:
            return
        for entry in active:
            on_enter(entry)
            _guard(entry, lambda e=entry: _repeat(e))
        order.reverse()


def summary(entry: Entry) -> dict:
    """Median/min per call in seconds, plus how the entry was timed."""
    if not entry.samples:
        return {"median": None, "min": None, "repeats": 0, "number": entry.number}
    return {
        "median": statistics.median(entry.samples),
        "min": min(entry.samples),
        "repeats": len(entry.samples),
        "number": entry.number,
    }
