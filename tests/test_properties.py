"""Property tests (hypothesis): broadcasting, reductions over any dim with keepdim, and views,
for shapes drawn at random; values and gradients against NumPy (and torch where installed)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import chainrule as torch

SETTINGS = settings(max_examples=60, deadline=None)
BINARY = {
    "add": (lambda a, b: a + b, np.add),
    "mul": (lambda a, b: a * b, np.multiply),
    "sub": (lambda a, b: a - b, np.subtract),
    "maximum": (torch.maximum, np.maximum),
    "atan2": (torch.atan2, np.arctan2),
}


def _values(shape, seed):
    return np.random.default_rng(seed).uniform(0.5, 2.0, shape) * np.where(
        np.random.default_rng(seed + 1).random(shape) < 0.5, -1, 1
    )


def _unbroadcast(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis, keepdims=True)
    return grad


@SETTINGS
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3),
    op=st.sampled_from(sorted(BINARY)),
    seed=st.integers(0, 1000),
)
def test_broadcasting_values_and_gradients(shapes, op, seed):
    (sa, sb), result_shape = shapes.input_shapes, shapes.result_shape
    f, reference = BINARY[op]
    a_np, b_np = _values(sa, seed), _values(sb, seed + 7)
    a = torch.tensor(a_np, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(b_np, dtype=torch.float64, requires_grad=True)
    out = f(a, b)
    assert tuple(out.shape) == tuple(result_shape)
    np.testing.assert_allclose(out.detach().numpy(), reference(a_np, b_np), rtol=1e-12)
    weights = np.random.default_rng(seed + 3).normal(size=result_shape)
    out.backward(torch.tensor(weights, dtype=torch.float64))
    assert tuple(a.grad.shape) == sa and tuple(b.grad.shape) == sb
    if op in ("add", "sub", "mul"):
        da = weights * (b_np if op == "mul" else 1.0)
        db = weights * (a_np if op == "mul" else (-1.0 if op == "sub" else 1.0))
        np.testing.assert_allclose(
            a.grad.numpy(), _unbroadcast(np.broadcast_to(da, result_shape), sa)
        )
        np.testing.assert_allclose(
            b.grad.numpy(), _unbroadcast(np.broadcast_to(db, result_shape), sb)
        )


REDUCTIONS = {
    "sum": np.sum,
    "mean": np.mean,
    "amax": np.max,
    "prod": np.prod,
    "logsumexp": lambda x, axis, keepdims: np.log(np.exp(x).sum(axis=axis, keepdims=keepdims)),
    "std": lambda x, axis, keepdims: np.std(x, axis=axis, keepdims=keepdims, ddof=1),
}


@st.composite
def shape_and_dim(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=2, max_side=4))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return shape, dim


@SETTINGS
@given(case=shape_and_dim(), keepdim=st.booleans(), op=st.sampled_from(sorted(REDUCTIONS)),
       seed=st.integers(0, 1000))  # fmt: skip
def test_reductions_over_any_dim(case, keepdim, op, seed):
    shape, dim = case
    x_np = _values(shape, seed)
    x = torch.tensor(x_np, dtype=torch.float64, requires_grad=True)
    out = getattr(torch, op)(x, dim, keepdim=keepdim)
    expected = REDUCTIONS[op](x_np, axis=dim, keepdims=keepdim)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-10)
    out.sum().backward()
    assert tuple(x.grad.shape) == shape
    if op == "sum":
        np.testing.assert_array_equal(x.grad.numpy(), np.ones(shape))
    if op == "mean":
        np.testing.assert_allclose(x.grad.numpy(), np.full(shape, 1 / shape[dim]))


@SETTINGS
@given(case=shape_and_dim(), keepdim=st.booleans(), op=st.sampled_from(sorted(REDUCTIONS)),
       seed=st.integers(0, 1000))  # fmt: skip
def test_reductions_match_torch(case, keepdim, op, seed):
    real = pytest.importorskip("torch")
    shape, dim = case
    x_np = _values(shape, seed)
    grads = []
    for lib in (torch, real):
        x = lib.tensor(x_np, dtype=lib.float64, requires_grad=True)
        out = getattr(lib, op)(x, dim, keepdim=keepdim)
        assert tuple(out.shape) == tuple(
            getattr(real, op)(real.tensor(x_np), dim, keepdim=keepdim).shape
        )
        (out * out).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-9, atol=1e-12)


@SETTINGS
@given(
    shape=hnp.array_shapes(min_dims=2, max_dims=4, min_side=1, max_side=4),
    data=st.data(),
)
def test_views_share_storage_and_route_gradients(shape, data):
    order = data.draw(st.permutations(range(len(shape))))
    d0, d1 = data.draw(st.tuples(*[st.integers(-len(shape), len(shape) - 1)] * 2))
    x_np = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    base = torch.tensor(x_np)
    permuted, swapped = base.permute(*order), base.transpose(d0, d1)
    np.testing.assert_array_equal(permuted.numpy(), x_np.transpose(order))
    np.testing.assert_array_equal(swapped.numpy(), np.swapaxes(x_np, d0, d1))
    flat = base.reshape(-1)
    flat[0] = -1.0  # a write through a view is seen by the base and the other views
    assert base.reshape(-1)[0].item() == -1.0 and permuted.flatten()[0].item() == -1.0
    leaf = torch.tensor(x_np, requires_grad=True)
    y = leaf.clone()
    view = y.permute(*order)
    view.mul_(2)  # an in-place change through a view reaches the base's graph
    y.sum().backward()
    np.testing.assert_array_equal(leaf.grad.numpy(), np.full(shape, 2.0))
