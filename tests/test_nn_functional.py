"""nn.functional helpers against live torch: interpolate, normalize, cosine_similarity,
one_hot, the functional norms, and the errors of pad / conv / pooling / embedding."""

import numpy as np
import pytest
from test_nn_layers import randn

import chainrule

torch = pytest.importorskip("torch")


def compare(call, *arrays, atol=1e-10, grad_fn=False):
    """call(lib, *tensors) in both libraries: values and input gradients must agree."""
    results = []
    for lib in (torch, chainrule):
        tensors = [lib.tensor(a, requires_grad=np.asarray(a).dtype.kind == "f") for a in arrays]
        out = call(lib, *tensors)
        names = type(out.grad_fn).__name__ if out.grad_fn is not None else None
        if out.requires_grad:
            out.backward(lib.tensor(randn(*tuple(out.shape), seed=5)))
        grads = [t.grad.numpy() if t.grad is not None else None for t in tensors]
        results.append((out.detach().numpy(), grads, names))
    (t_out, t_grads, t_name), (c_out, c_grads, c_name) = results
    np.testing.assert_allclose(c_out, t_out, atol=atol, rtol=1e-7)
    for c, t in zip(c_grads, t_grads):
        if t is None:
            assert c is None
        else:
            np.testing.assert_allclose(c, t, atol=atol, rtol=1e-7)
    if grad_fn:
        assert c_name == t_name


@pytest.mark.parametrize(
    "kwargs,shape",
    [
        ({"scale_factor": 2}, (1, 2, 3, 4)),
        ({"size": (5, 7)}, (1, 2, 3, 4)),
        ({"scale_factor": 1.7}, (1, 2, 3, 4)),
        ({"size": (5, 7), "mode": "bilinear"}, (2, 1, 3, 4)),
        ({"size": (2, 3), "mode": "bilinear"}, (2, 1, 5, 6)),
        ({"scale_factor": 2, "mode": "bilinear", "align_corners": True}, (1, 2, 3, 4)),
        ({"scale_factor": 0.5, "mode": "bilinear"}, (1, 1, 6, 4)),
        ({"size": 7, "mode": "linear"}, (2, 3, 4)),
        ({"size": 7, "mode": "linear", "align_corners": True}, (2, 3, 4)),
        ({"scale_factor": 3}, (2, 3, 4)),
    ],
)
def test_interpolate(kwargs, shape):
    compare(lambda lib, x: lib.nn.functional.interpolate(x, **kwargs), randn(*shape), grad_fn=True)
    compare(lambda lib, x: lib.nn.Upsample(**kwargs)(x), randn(*shape))


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.nn.functional.interpolate(lib.ones(1, 1, 2, 2), size=3, mode="linear"),
        lambda lib: lib.nn.functional.interpolate(lib.ones(1, 1, 2, 2), size=3, scale_factor=2),
        lambda lib: lib.nn.functional.interpolate(lib.ones(1, 1, 2, 2)),
        lambda lib: lib.nn.functional.interpolate(lib.ones(1, 1, 2), size=3, align_corners=True),
        lambda lib: lib.nn.functional.pad(lib.ones(1, 3, 3), (3, 3), mode="reflect"),
        lambda lib: lib.nn.functional.pad(lib.ones(3), (3, 3), mode="replicate"),
        lambda lib: lib.nn.functional.pad(lib.ones(3), (1, 2, 3)),
        lambda lib: lib.nn.functional.embedding(lib.tensor([1.0]), lib.ones(3, 2)),
        lambda lib: lib.nn.functional.embedding(lib.tensor([3]), lib.ones(3, 2)),
        lambda lib: lib.nn.functional.one_hot(lib.tensor([0, 2]), 2),
        lambda lib: lib.nn.functional.one_hot(lib.tensor([0, -2])),
        lambda lib: lib.nn.functional.one_hot(lib.tensor([0.0, 2.0])),
        lambda lib: lib.nn.functional.one_hot(lib.tensor([], dtype=lib.int64)),
        lambda lib: lib.nn.functional.conv2d(
            lib.ones(1, 3, 5, 5), lib.ones(4, 3, 3, 3), lib.ones(4, dtype=lib.float64)
        ),
        lambda lib: lib.nn.functional.conv2d(lib.ones(1, 2, 5, 5), lib.ones(4, 3, 3, 3)),
        lambda lib: lib.nn.functional.conv2d(lib.ones(1, 3, 2, 2), lib.ones(4, 3, 3, 3)),
        lambda lib: lib.nn.functional.conv2d(lib.ones(1, 3, 5), lib.ones(4, 3, 3, 3)),
        lambda lib: lib.nn.functional.conv2d(lib.ones(1, 4, 5, 5), lib.ones(4, 2, 3, 3), groups=3),
        lambda lib: lib.nn.functional.conv1d(
            lib.ones(1, 3, 5, dtype=lib.float64), lib.ones(4, 3, 3)
        ),
        lambda lib: lib.nn.functional.max_pool2d(lib.ones(1, 1, 4, 4), 2, padding=2),
        lambda lib: lib.nn.functional.max_pool2d(lib.ones(1, 1, 1, 1), 2),
        lambda lib: lib.nn.functional.fold(lib.ones(1, 12, 9), (5, 5), (2, 3), stride=2),
        lambda lib: lib.nn.functional.layer_norm(lib.ones(2, 3), (4,)),
        lambda lib: lib.nn.functional.batch_norm(lib.ones(1, 3), None, None, training=True),
        lambda lib: lib.nn.functional.group_norm(lib.ones(2, 3, 4), 2),
    ],
)
def test_functional_errors_match_torch(call):
    with pytest.raises(Exception) as t_info:
        call(torch)
    with pytest.raises(type(t_info.value)) as c_info:
        call(chainrule)
    assert str(c_info.value) == str(t_info.value)


def test_normalize_cosine_similarity_pairwise_distance():
    compare(lambda lib, x: lib.nn.functional.normalize(x), randn(3, 4))
    compare(lambda lib, x: lib.nn.functional.normalize(x, p=1, dim=0), randn(3, 4))
    compare(
        lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b),
        randn(3, 4),
        randn(3, 4, seed=2),
    )
    compare(lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, dim=-1), randn(2, 3, 4),
            randn(1, 4, seed=2))  # fmt: skip
    compare(
        lambda lib, a, b: lib.nn.CosineSimilarity(dim=0)(a, b), randn(3, 4), randn(3, 4, seed=3)
    )
    compare(lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b), randn(3, 4),
            randn(3, 4, seed=2))  # fmt: skip
    zero = chainrule.nn.functional.cosine_similarity(chainrule.ones(3), chainrule.zeros(3), dim=0)
    assert zero.item() == 0.0


def test_one_hot_matches_torch():
    for args in (([0, 2, 1],), ([[1], [3]], 5), ([], 3)):
        t = torch.nn.functional.one_hot(torch.tensor(args[0], dtype=torch.int64), *args[1:])
        c = chainrule.nn.functional.one_hot(chainrule.tensor(args[0], dtype=chainrule.int64),
                                            *args[1:])  # fmt: skip
        assert c.dtype == chainrule.int64
        np.testing.assert_array_equal(c.numpy(), t.numpy())


@pytest.mark.parametrize("training", [True, False])
def test_functional_norms(training):
    x = randn(4, 3, 5)
    mean, var = randn(3, seed=2), randn(3, seed=3) ** 2 + 0.5
    w, b = randn(3, seed=4), randn(3, seed=5)

    def call(lib, x, w, b):
        rm, rv = lib.tensor(mean), lib.tensor(var)
        out = lib.nn.functional.batch_norm(x, rm, rv, w, b, training=training, momentum=0.2)
        return out * 1 + (rm.sum() + rv.sum()) * 0 + rm.sum().detach() * 0.01

    compare(call, x, w, b)
    w5, b5 = randn(5, seed=6), randn(5, seed=7)
    compare(lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (5,), w, b), x, w5, b5)
    compare(lambda lib, x, w: lib.nn.functional.layer_norm(x, (3, 5), w), x, randn(3, 5))
    compare(lambda lib, x, w, b: lib.nn.functional.group_norm(x, 3, w, b, eps=1e-3), x, w, b)


def test_embedding_max_norm_renormalises_rows_in_place():
    weights = randn(4, 3) * 3
    rows = []
    for lib in (torch, chainrule):
        w = lib.tensor(weights)
        lib.nn.functional.embedding(lib.tensor([0, 2]), w, max_norm=1.0)
        rows.append(w.numpy())
    np.testing.assert_allclose(rows[1], rows[0], rtol=1e-6)
