"""Adapters for libraries without the torch-like API.

* Functional libraries (HIPS ``autograd``, ``jax``) get one small builder per workload, written
  against :class:`bench.libs.FunctionalAPI` (a NumPy-like namespace plus ``grad``/``jacobian``/
  ``hessian``). They run eagerly (no ``jax.jit``) so they measure op-by-op autodiff like the others.
* ``numpy`` is the hand-written gradient floor for W7.

Builders take the API object and return a zero-argument ``step`` like the torch-like ones.
"""

from collections.abc import Callable

import numpy as np

from bench import data
from bench.workloads import W2_OPS_PER_CYCLE, W3_CYCLES, Step


def fn_w1(api) -> Step:
    xnp = api.xnp
    dfdx = api.grad(lambda x: xnp.exp(2 * x**3 + x))
    x = api.asarray(np.float32(1.0))
    return lambda: dfdx(x)


def fn_w2(n_ops: int) -> Callable[[object], Step]:
    cycles = n_ops // W2_OPS_PER_CYCLE

    def build(api) -> Step:
        xnp = api.xnp

        def chain(y):
            for _ in range(cycles):
                y = xnp.tanh(xnp.sin(y * 1.0001 + 0.001))
            return y

        dchain = api.grad(chain)
        x = api.asarray(np.float32(data.W2_START))
        return lambda: dchain(x)

    return build


def fn_w3(api) -> Step:
    xnp = api.xnp

    def f(ab):
        a, b = ab
        y = a
        for _ in range(W3_CYCLES):
            y = xnp.exp(xnp.tanh(xnp.sin(y * b + a)))
        return xnp.sum(y)

    df = api.grad(f)
    ab = tuple(api.asarray(v) for v in data.small_vectors())
    return lambda: df(ab)


def _mlp_loss(xnp, params, x, target):
    h = x
    for i in range(0, len(params), 2):
        h = xnp.dot(h, params[i]) + params[i + 1]
        if i + 2 < len(params):
            h = xnp.maximum(h, 0.0)
    z = h - xnp.max(h, axis=1, keepdims=True)
    logp = z - xnp.log(xnp.sum(xnp.exp(z), axis=1, keepdims=True))
    return -xnp.mean(logp[np.arange(x.shape[0]), target])


def fn_w4(sizes: tuple[int, ...], batch: int) -> Callable[[object], Step]:
    def build(api) -> Step:
        init, x0, target = data.mlp(sizes, batch)
        state = [api.asarray(p) for p in init]
        x = api.asarray(x0)
        dloss = api.grad(lambda params: _mlp_loss(api.xnp, params, x, target))

        def step():
            grads = dloss(list(state))
            state[:] = [p - data.MLP_LR * g for p, g in zip(state, grads)]
            return grads

        return step

    return build


def fn_w5(api) -> Step:
    mat0, x0 = data.square_map(200, seed=5)
    mat, x = api.asarray(mat0), api.asarray(x0)
    jac = api.jacobian(lambda v: api.xnp.tanh(api.xnp.dot(mat, v)))
    return lambda: jac(x)


def fn_w6(api) -> Step:
    mat0, x0 = data.square_map(100, seed=6)
    mat, x = api.asarray(mat0), api.asarray(x0)
    hess = api.hessian(lambda v: api.xnp.sum(api.xnp.tanh(api.xnp.dot(mat, v)) ** 2))
    return lambda: hess(x)


def fn_w7(n: int) -> Callable[[object], Step]:
    def build(api) -> Step:
        x0, y0 = data.regression(n)
        x, y = api.asarray(x0), api.asarray(y0)
        dloss = api.grad(lambda b: api.xnp.sum((y - (b[0] + b[1] * x)) ** 2))
        start = tuple(api.asarray(np.float32(v)) for v in data.W7_START)
        return lambda: dloss(start)

    return build


def fn_w9(api) -> Step:
    d3 = api.grad(api.grad(api.grad(lambda x: x**5 - 3 * x**3 + 2 * x)))
    x = api.asarray(np.float32(data.W9_START))
    return lambda: d3(x)


def numpy_w7(n: int) -> Callable[[object], Step]:
    """Hand-written float32 gradient of the W7 loss: the floor any autodiff library pays."""

    def build(_np) -> Step:
        x, y = data.regression(n)
        b0, b1 = (np.float32(v) for v in data.W7_START)

        def step():
            r = y - (b0 + b1 * x)
            return -2 * r.sum(), -2 * (r * x).sum()

        return step

    return build
