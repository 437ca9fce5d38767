"""Workloads written once against the torch-like API.

Each builder takes the library module ``t`` (``torch``, ``chainrule`` or a shim) and returns a
zero-argument ``step`` callable. ``step()`` runs one timed iteration and returns the gradient(s)
it computed; the first call's result is used for the cross-library gradient check. Setup (data
creation, attribute look-ups) happens in the builder and is not timed.
"""

from collections.abc import Callable

from bench import data

Step = Callable[[], object]

# W2 cycle: multiply, add, sin, tanh. Multiply and add count as two ops, so a cycle is 4 ops.
W2_OPS_PER_CYCLE = 4
# W3 cycle: multiply, add, sin, tanh, exp -> 5 ops; 40 cycles = 200 ops.
W3_CYCLES = 40
W3_OPS = 5 * W3_CYCLES


def tensor(t, array, requires_grad: bool = False):
    """Turn a NumPy array or Python scalar into a library tensor."""
    return t.tensor(array, requires_grad=requires_grad)


def w1_seed_scalar(t) -> Step:
    exp = t.exp

    def step():
        x = t.tensor(1.0, requires_grad=True)
        y = 2 * x**3 + x
        z = exp(y)
        z.backward()
        return x.grad

    return step


def w2_scalar_chain(n_ops: int) -> Callable[[object], Step]:
    cycles = n_ops // W2_OPS_PER_CYCLE

    def build(t) -> Step:
        sin, tanh = t.sin, t.tanh

        def step():
            x = t.tensor(data.W2_START, requires_grad=True)
            y = x
            for _ in range(cycles):
                y = y * 1.0001 + 0.001
                y = sin(y)
                y = tanh(y)
            y.backward()
            return x.grad

        return step

    return build


def w3_small_tensors(t) -> Step:
    a0, b0 = data.small_vectors()
    sin, tanh, exp = t.sin, t.tanh, t.exp

    def step():
        a = tensor(t, a0, requires_grad=True)
        b = tensor(t, b0, requires_grad=True)
        y = a
        for _ in range(W3_CYCLES):
            y = exp(tanh(sin(y * b + a)))
        y.sum().backward()
        return a.grad, b.grad

    return step


def _cross_entropy(t) -> Callable:
    functional = getattr(getattr(t, "nn", None), "functional", None)
    if hasattr(functional, "cross_entropy"):
        return functional.cross_entropy

    def manual(logits, target):
        logp = logits.log_softmax(dim=1)
        return -logp[t.arange(logits.shape[0]), target].mean()

    return manual


def _mlp_forward(t, params, x):
    h = x
    last = len(params) // 2 - 1
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        if i // 2 < last:
            h = t.relu(h)
    return h


def w4_mlp(sizes: tuple[int, ...], batch: int) -> Callable[[object], Step]:
    def build(t) -> Step:
        init, x0, target0 = data.mlp(sizes, batch)
        params = [tensor(t, p, requires_grad=True) for p in init]
        x, target = tensor(t, x0), tensor(t, target0)
        loss_fn = _cross_entropy(t)

        def step():
            loss = loss_fn(_mlp_forward(t, params, x), target)
            loss.backward()
            grads = [p.grad for p in params]
            with t.no_grad():
                for p in params:
                    p -= data.MLP_LR * p.grad
                    p.grad = None
            return grads

        return step

    return build


def w4_cnn(batch: int = 32) -> Callable[[object], Step]:
    """A small CNN training step: two conv + relu + max-pool blocks, a linear head."""

    def build(t) -> Step:
        init, x0, target0 = data.cnn(batch)
        params = [tensor(t, p, requires_grad=True) for p in init]
        x, target = tensor(t, x0), tensor(t, target0)
        F = t.nn.functional

        def step():
            w1, b1, w2, b2, w3, b3 = params
            h = F.max_pool2d(t.relu(F.conv2d(x, w1, b1, padding=1)), 2)
            h = F.max_pool2d(t.relu(F.conv2d(h, w2, b2, padding=1)), 2)
            loss = F.cross_entropy(h.flatten(1) @ w3 + b3, target)
            loss.backward()
            grads = [p.grad for p in params]
            with t.no_grad():
                for p in params:
                    p -= data.MLP_LR * p.grad
                    p.grad = None
            return grads

        return step

    return build


def _w5_setup(t):
    mat0, x0 = data.square_map(200, seed=5)
    mat, x = tensor(t, mat0), tensor(t, x0)

    def f(v):
        return t.tanh(mat @ v)

    return f, x


def w5_functional_jacobian(vectorize: bool = False) -> Callable[[object], Step]:
    def build(t) -> Step:
        jacobian = t.autograd.functional.jacobian
        f, x = _w5_setup(t)
        if vectorize:
            return lambda: jacobian(f, x, vectorize=True)
        return lambda: jacobian(f, x)

    return build


def w5_jacrev(t) -> Step:
    jacrev = t.func.jacrev
    f, x = _w5_setup(t)
    return lambda: jacrev(f)(x)


def _w6_setup(t):
    mat0, x0 = data.square_map(100, seed=6)
    mat, x = tensor(t, mat0), tensor(t, x0)

    def g(v):
        return (t.tanh(mat @ v) ** 2).sum()

    return g, x


def w6_functional_hessian(t) -> Step:
    hessian = t.autograd.functional.hessian
    g, x = _w6_setup(t)
    return lambda: hessian(g, x)


def w6_func_hessian(t) -> Step:
    hessian = t.func.hessian
    g, x = _w6_setup(t)
    return lambda: hessian(g)(x)


def w7_regression(n: int) -> Callable[[object], Step]:
    def build(t) -> Step:
        x0, y0 = data.regression(n)
        x, y = tensor(t, x0), tensor(t, y0)
        start0, start1 = data.W7_START

        def step():
            b0 = t.tensor(start0, requires_grad=True)
            b1 = t.tensor(start1, requires_grad=True)
            loss = ((y - (b0 + b1 * x)) ** 2).sum()
            loss.backward()
            return b0.grad, b1.grad

        return step

    return build


def w9_third_derivative(t) -> Step:
    grad = t.autograd.grad

    def step():
        x = t.tensor(data.W9_START, requires_grad=True)
        p = x**5 - 3 * x**3 + 2 * x
        (d1,) = grad(p, x, create_graph=True)
        (d2,) = grad(d1, x, create_graph=True)
        (d3,) = grad(d2, x, create_graph=True)
        return d3

    return step
