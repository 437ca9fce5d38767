"""Deterministic NumPy inputs shared by every library adapter.

Every library receives the same float32 arrays, so the gradients they compute can be compared.
"""

import itertools
import math

import numpy as np

F32 = np.float32


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def small_vectors(size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """W3 leaves: ``a`` (small offsets) and ``b`` (scales in [0.5, 1])."""
    rng = _rng(3)
    a = rng.uniform(-0.1, 0.1, size).astype(F32)
    b = rng.uniform(0.5, 1.0, size).astype(F32)
    return a, b


def _grid(rng, shape, levels: int, step: float) -> np.ndarray:
    """Random multiples of ``step`` in [-levels, levels] * step (exactly representable)."""
    return (rng.integers(-levels, levels + 1, shape) * step).astype(F32)


def _odd(rng, size: int, step: float) -> np.ndarray:
    """Small odd multiples of ``step``: added to a multiple of 2*step the sum is never zero."""
    return ((2 * rng.integers(-4, 4, size) + 1) * step).astype(F32)


def mlp(sizes: tuple[int, ...], batch: int) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """W4 parameters ``[W1, b1, W2, b2, ...]``, an input batch and integer class targets.

    Inputs and weights sit on coarse binary grids so that every hidden pre-activation is computed
    exactly in float32 whatever the summation order, and the biases make it an odd multiple of a
    finer power of two, so it is never zero. All libraries therefore see the same ReLU pattern
    and the gradient check is not spoiled by a unit flipping sign on a rounding difference.
    """
    rng = _rng(4)
    x = _grid(rng, (batch, sizes[0]), 4, 2**-2)
    params, granularity = [], 2**-2  # granularity: the grid step of the current activations
    for fan_in, fan_out in itertools.pairwise(sizes):
        step = _weight_step(fan_in)
        params.append(_grid(rng, (fan_in, fan_out), 3, step))
        granularity *= step
        params.append(_odd(rng, fan_out, granularity / 2))
        granularity /= 2
    _check_exact(x, params)
    target = rng.integers(0, sizes[-1], batch).astype(np.int64)
    return params, x, target


def _weight_step(fan_in: int) -> float:
    """A power of two near 1 / (2 sqrt(fan_in)), so weights of [-3, 3] steps have std ~ that."""
    return 2.0 ** -math.ceil(math.log2(math.sqrt(fan_in)) + 1)


def _check_exact(x: np.ndarray, params: list[np.ndarray]) -> None:
    """Every partial sum of the hidden layers must fit float32's 24-bit significand."""
    act, step = x.astype(np.float64), 2**-2
    for w, b in zip(params[0:-2:2], params[1:-2:2], strict=True):
        step *= _weight_step(w.shape[0])
        w64 = w.astype(np.float64)
        if (np.abs(act) @ np.abs(w64) + np.abs(b)).max() >= 2**24 * step / 2:
            raise ValueError("MLP data too large for exact float32 pre-activations")
        act, step = np.maximum(act @ w64 + b, 0.0), step / 2


def square_map(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """W5/W6: a matrix scaled to keep ``tanh`` away from saturation, and a point."""
    rng = _rng(seed)
    mat = (rng.standard_normal((n, n)) / np.sqrt(n)).astype(F32)
    x = rng.standard_normal(n).astype(F32)
    return mat, x


def regression(n: int) -> tuple[np.ndarray, np.ndarray]:
    """W7 points on ``y = 3 + 2 x`` plus noise."""
    rng = _rng(7)
    x = rng.standard_normal(n).astype(F32)
    y = (3.0 + 2.0 * x + 0.1 * rng.standard_normal(n)).astype(F32)
    return x, y


# Scalar starting points and constants shared by the workloads.
W2_START = 0.5
W7_START = (0.5, 0.5)
W9_START = 1.5
MLP_LR = 0.01


def cnn(batch: int) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """W4-cnn parameters (conv 3->8, conv 8->16, linear 16*8*8->10), images and targets."""
    rng = _rng(11)
    shapes = [(8, 3, 3, 3), (8,), (16, 8, 3, 3), (16,), (16 * 8 * 8, 10), (10,)]
    params = [(rng.standard_normal(s) * 0.2).astype(np.float32) for s in shapes]
    x = rng.standard_normal((batch, 3, 32, 32)).astype(np.float32)
    target = rng.integers(0, 10, batch).astype(np.int64)
    return params, x, target
