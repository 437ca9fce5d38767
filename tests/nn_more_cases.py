"""Sample calls of the functions added for torch users, shared by tests/test_nn_more.py and
tools/gen_nn_more_golden.py (which records torch's answers in tests/golden/nn_more.json).

Each case is ``(fn(lib, *leaves), leaf values)``: the leaves are float64 tensors that
require grad; the test backpropagates ones from the output.
"""

X = [[0.5, -1.2, 0.3, 2.0], [-0.7, 0.1, 1.5, -0.4], [1.1, -0.3, -2.2, 0.8]]
Y = [[0.2, 0.4, -1.0, 1.3], [0.9, -0.6, 0.0, 0.5], [-1.4, 0.7, 0.6, -0.2]]
Z = [[-0.3, 0.8, 1.2, -0.5], [0.4, 1.1, -0.9, 0.2], [0.0, -1.3, 0.5, 1.7]]
ONE_HOT = [[1.0, 0, 1, 0], [0, 0, 1, 1], [1, 1, 0, 0]]
SIGNS = [[1.0, -1, -1, 1], [-1, 1, 1, 1], [1, -1, 1, -1]]
COUNTS = [[0.0, 1, 2, 5], [3, 0, 1, 4], [2, 2, 7, 0]]
GRID = [
    [
        [[0.0, 0.84, 0.91, 0.14], [-0.76, -0.96, -0.28, 0.66], [0.99, 0.41, -0.54, -1.0]],
        [[-0.54, 0.42, 0.99, 0.65], [-0.29, -0.96, -0.75, 0.15], [0.91, 0.84, -0.01, -0.85]],
    ]
]


def _f64(lib, value):
    return lib.tensor(value, dtype=lib.float64)


def _fn(lib, name):
    return getattr(lib.nn.functional, name)


CASES = {
    "multilabel_soft_margin_loss": (
        lambda lib, x: _fn(lib, "multilabel_soft_margin_loss")(
            x, _f64(lib, ONE_HOT), weight=_f64(lib, [1.0, 2, 0.5, 1]), reduction="none"
        ),
        [X],
    ),
    "multi_margin_loss": (
        lambda lib, x: _fn(lib, "multi_margin_loss")(x, lib.tensor([0, 3, 1]), p=2, margin=0.8),
        [X],
    ),
    "triplet_margin_loss": (
        lambda lib, a, p, n: _fn(lib, "triplet_margin_loss")(a, p, n, swap=True, reduction="none"),
        [X, Y, Z],
    ),
    "cosine_embedding_loss": (
        lambda lib, a, b: _fn(lib, "cosine_embedding_loss")(
            a, b, lib.tensor([1, -1, -1]), margin=-0.3, reduction="none"
        ),
        [X, Y],
    ),
    "margin_ranking_loss": (
        lambda lib, a, b: _fn(lib, "margin_ranking_loss")(a, b, _f64(lib, SIGNS), margin=0.2),
        [X, Y],
    ),
    "hinge_embedding_loss": (
        lambda lib, x: _fn(lib, "hinge_embedding_loss")(
            x, _f64(lib, SIGNS), margin=1.5, reduction="sum"
        ),
        [X],
    ),
    "soft_margin_loss": (lambda lib, x: _fn(lib, "soft_margin_loss")(x, _f64(lib, SIGNS)), [X]),
    "poisson_nll_loss": (
        lambda lib, x: _fn(lib, "poisson_nll_loss")(
            x, _f64(lib, COUNTS), full=True, reduction="none"
        ),
        [X],
    ),
    "poisson_nll_loss rates": (
        lambda lib, x: _fn(lib, "poisson_nll_loss")(
            x.abs(), _f64(lib, COUNTS), log_input=False, reduction="sum"
        ),
        [X],
    ),
    "gaussian_nll_loss": (
        lambda lib, x, v: _fn(lib, "gaussian_nll_loss")(x, _f64(lib, Y), v, full=True),
        [X, [0.5, 1e-9, 2.0]],
    ),
    "instance_norm": (
        lambda lib, x, w, b: _fn(lib, "instance_norm")(x, weight=w, bias=b),
        [GRID, [1.5, 0.5], [0.1, -0.2]],
    ),
    "local_response_norm": (
        lambda lib, x: _fn(lib, "local_response_norm")(x, 3, alpha=0.5, beta=0.6, k=1.2),
        [GRID],
    ),
    "lp_pool2d": (lambda lib, x: _fn(lib, "lp_pool2d")(x.abs(), 3, (2, 2), stride=1), [GRID]),
    "lp_pool1d": (lambda lib, x: _fn(lib, "lp_pool1d")(x[0], 2, 3, stride=2), [GRID]),
    "adaptive_max_pool2d": (lambda lib, x: _fn(lib, "adaptive_max_pool2d")(x, (2, 3)), [GRID]),
    "adaptive_max_pool1d": (lambda lib, x: _fn(lib, "adaptive_max_pool1d")(x[0, 0], 3), [GRID]),
    "pixel_shuffle": (
        lambda lib, x: _fn(lib, "pixel_shuffle")(x.reshape(1, 4, 2, 3), 2) * x.reshape(1, 1, 4, 6),
        [GRID],
    ),
    "pixel_unshuffle": (
        lambda lib, x: _fn(lib, "pixel_unshuffle")(x, 2) * x.reshape(1, 4, 1, 6),
        [[[[0.1 * i for i in range(12)], [0.2 - 0.1 * i for i in range(12)]]]],
    ),
    "as_strided": (
        lambda lib, x: x.as_strided((3, 3), (1, 2), 1) * x.as_strided((3, 3), (2, 1)),
        [X],
    ),
}
