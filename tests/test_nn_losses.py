"""Losses against live torch: values, input gradients, reductions, options and errors."""

import warnings

import numpy as np
import pytest
from test_nn_layers import randn

import chainrule

torch = pytest.importorskip("torch")

REDUCTIONS = ["mean", "sum", "none"]


def _run(lib, name, input, target, kwargs, grad=True, module=None):
    x = lib.tensor(input, requires_grad=grad)
    t = lib.tensor(target)
    options = {k: (lib.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if module is not None:
            out = getattr(lib.nn, module)(**options)(x, t)
        else:
            out = getattr(lib.nn.functional, name)(x, t, **options)
    seen = [str(w.message) for w in caught]
    if grad:
        out.backward(lib.tensor(randn(*tuple(out.shape), seed=11)))
        return out.detach().numpy(), x.grad.numpy(), seen
    return out.detach().numpy(), None, seen


def compare(name, input, target, grad=True, module=None, **kwargs):
    t_out, t_grad, t_warn = _run(torch, name, input, target, kwargs, grad, module)
    c_out, c_grad, c_warn = _run(chainrule, name, input, target, kwargs, grad, module)
    np.testing.assert_allclose(c_out, t_out, rtol=1e-7, atol=1e-10, equal_nan=True)
    if grad:
        np.testing.assert_allclose(c_grad, t_grad, rtol=1e-7, atol=1e-10, equal_nan=True)
    assert c_warn == t_warn


X = randn(4, 5)
CLASSES = np.array([0, 3, 4, 1])
PROBS = np.random.default_rng(3).dirichlet(np.ones(5), size=4)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("mse_loss", {}),
        ("l1_loss", {}),
        ("smooth_l1_loss", {}),
        ("smooth_l1_loss", {"beta": 0.5}),
        ("smooth_l1_loss", {"beta": 0.0}),
        ("huber_loss", {}),
        ("huber_loss", {"delta": 0.3}),
    ],
)
def test_regression_losses(name, kwargs, reduction):
    compare(name, X, randn(4, 5, seed=4), reduction=reduction, **kwargs)


@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    target = np.log(PROBS) if log_target else PROBS
    target = target.copy()
    if not log_target:
        target[0, 0] = 0.0  # 0 * log 0 counts as 0
    compare("kl_div", np.log(PROBS[::-1].copy()), target, reduction=reduction,
            log_target=log_target)  # fmt: skip


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"weight": np.array([1.0, 2.0, 0.5, 1.0, 3.0])},
        {"ignore_index": 3},
        {"label_smoothing": 0.2},
        {"label_smoothing": 0.1, "weight": np.array([1.0, 2.0, 0.5, 1.0, 3.0]),
         "ignore_index": 4},
    ],
)  # fmt: skip
def test_cross_entropy_and_nll(kwargs, reduction):
    compare("cross_entropy", X, CLASSES, reduction=reduction, **kwargs)
    if "label_smoothing" not in kwargs:
        compare("nll_loss", X, CLASSES, reduction=reduction, **kwargs)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_higher_dims_unbatched_and_probabilities(reduction):
    compare("cross_entropy", randn(2, 5, 3, 2), np.array([[[0, 1]] * 3, [[4, 2]] * 3]),
            reduction=reduction)  # fmt: skip
    compare("cross_entropy", randn(5), np.array(3), reduction=reduction)
    compare("cross_entropy", X, PROBS, reduction=reduction)
    compare("cross_entropy", X, PROBS, reduction=reduction, label_smoothing=0.3,
            weight=np.array([1.0, 2.0, 0.5, 1.0, 3.0]))  # fmt: skip


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction):
    p = 1 / (1 + np.exp(-X))
    target = (randn(4, 5, seed=6) > 0).astype(float)
    compare("binary_cross_entropy", p, target, reduction=reduction)
    compare("binary_cross_entropy", p, target, reduction=reduction, weight=randn(5) ** 2)
    compare("binary_cross_entropy_with_logits", X * 30, target, reduction=reduction)
    compare("binary_cross_entropy_with_logits", X, target, reduction=reduction,
            pos_weight=np.array([1.0, 2.0, 3.0, 0.5, 1.5]), weight=randn(5) ** 2)  # fmt: skip


@pytest.mark.parametrize(
    "module,kwargs,target",
    [
        ("MSELoss", {"reduction": "sum"}, randn(4, 5, seed=2)),
        ("L1Loss", {}, randn(4, 5, seed=2)),
        ("SmoothL1Loss", {"beta": 2.0}, randn(4, 5, seed=2)),
        ("HuberLoss", {"delta": 0.5}, randn(4, 5, seed=2)),
        ("KLDivLoss", {"reduction": "batchmean"}, PROBS),
        ("CrossEntropyLoss", {"label_smoothing": 0.1, "ignore_index": 1}, CLASSES),
        ("CrossEntropyLoss", {"weight": np.arange(1.0, 6.0)}, CLASSES),
        ("NLLLoss", {"reduction": "none"}, CLASSES),
        ("BCEWithLogitsLoss", {"pos_weight": np.full(5, 3.0)}, (PROBS > 0.2) * 1.0),
    ],
)
def test_loss_modules(module, kwargs, target):
    compare(None, X, target, module=module, **kwargs)


def test_loss_module_buffers_and_repr():
    for lib in (torch, chainrule):
        loss = lib.nn.CrossEntropyLoss(weight=lib.ones(3))
        assert list(loss.state_dict()) == ["weight"]
        assert repr(loss) == "CrossEntropyLoss()"
        assert list(lib.nn.BCEWithLogitsLoss(pos_weight=lib.ones(3)).state_dict()) == ["pos_weight"]


def test_target_size_warning_matches_torch():
    compare("mse_loss", randn(3), randn(3, 1))
    compare("l1_loss", randn(3, 1), randn(3))


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.nn.functional.cross_entropy(lib.ones(3, 4), lib.tensor([0.0, 1.0, 2.0])),
        lambda lib: lib.nn.functional.cross_entropy(
            lib.ones(3, 4), lib.tensor([0, 1, 2], dtype=lib.int32)
        ),
        lambda lib: lib.nn.functional.nll_loss(lib.ones(3, 4), lib.tensor([0.0, 1.0, 2.0])),
        lambda lib: lib.nn.functional.cross_entropy(lib.ones(3, 4), lib.tensor([0, 1, 5])),
        lambda lib: lib.nn.functional.cross_entropy(lib.ones(3, 4), lib.tensor([0, 1])),
        lambda lib: lib.nn.functional.cross_entropy(
            lib.ones(3, 4), lib.zeros(3, 4, dtype=lib.int64)
        ),
        lambda lib: lib.nn.functional.cross_entropy(
            lib.ones(3, 4), lib.tensor([0, 1, 2]), weight=lib.ones(3)
        ),
        lambda lib: lib.nn.functional.mse_loss(lib.ones(3), lib.ones(3), reduction="avg"),
        lambda lib: lib.nn.functional.binary_cross_entropy(lib.ones(3, 4) / 2, lib.ones(3)),
        lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(lib.ones(3, 4), lib.ones(3)),
        lambda lib: lib.nn.functional.binary_cross_entropy(
            lib.ones(3) / 2, lib.ones(3, dtype=lib.int64)
        ),
        lambda lib: lib.nn.functional.smooth_l1_loss(lib.ones(3), lib.ones(3), beta=-1.0),
    ],
)
def test_loss_errors_match_torch(call):
    with pytest.raises(Exception) as t_info:
        call(torch)
    with pytest.raises(type(t_info.value)) as c_info:
        call(chainrule)
    assert str(c_info.value) == str(t_info.value)


def _loss_grad_fns(lib):
    F = lib.nn.functional
    x = lib.tensor([[0.2, 0.7, 0.1], [0.3, 0.3, 0.4]], requires_grad=True)
    t = lib.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]])
    ti = lib.tensor([1, 2])
    w = lib.tensor([1.0, 2.0, 0.5])
    names = []
    for red in REDUCTIONS:
        results = [
            F.mse_loss(x, t, reduction=red),
            F.mse_loss(x, t, reduction=red, weight=t + 1),
            F.l1_loss(x, t, reduction=red),
            F.smooth_l1_loss(x, t, reduction=red),
            F.smooth_l1_loss(x, t, reduction=red, beta=0.0),
            F.huber_loss(x, t, reduction=red),
            F.huber_loss(x, t, reduction=red, weight=t + 1),
            F.binary_cross_entropy(x, t, reduction=red),
            F.binary_cross_entropy(x, t, weight=w, reduction=red),
            F.binary_cross_entropy_with_logits(x, t, reduction=red),
            F.binary_cross_entropy_with_logits(x, t, pos_weight=w, reduction=red),
            F.nll_loss(x, ti, reduction=red),
            F.nll_loss(x, ti, weight=w, reduction=red),
            F.nll_loss(x.view(2, 3, 1, 1), ti.view(2, 1, 1), reduction=red),
            F.nll_loss(x.view(2, 3, 1), ti.view(2, 1), reduction=red),
            F.cross_entropy(x, ti, reduction=red),
            F.cross_entropy(x, ti, reduction=red, label_smoothing=0.1),
            F.cross_entropy(x, t, reduction=red),
        ]
        names.append([type(r.grad_fn).__name__ for r in results])
        names.append([np.asarray(r.detach().tolist()).round(5).tolist() for r in results])
    return names


def test_loss_grad_fns_are_torch_nodes():
    assert _loss_grad_fns(chainrule) == _loss_grad_fns(torch)


def test_weighted_mse_mean_divides_by_total_weight():
    x = chainrule.tensor([1.0, 2.0, 4.0])
    w = chainrule.tensor([1.0, 3.0, 0.0])
    loss = chainrule.nn.functional.mse_loss(x, chainrule.zeros(3), weight=w)
    assert loss.item() == pytest.approx((1 + 12) / 4)
    with pytest.raises(ValueError, match="Weights and input must have the same size."):
        chainrule.nn.functional.mse_loss(x, x, weight=chainrule.ones(1))


def test_bce_gradient_uses_torchs_formula_bit_for_bit():
    p = np.linspace(0.01, 0.99, 101, dtype=np.float32)
    y = (np.arange(101) % 3 == 0).astype(np.float32)
    grads = []
    for lib in (chainrule, torch):
        x = lib.tensor(p, requires_grad=True)
        lib.nn.functional.binary_cross_entropy(x, lib.tensor(y)).backward()
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])


def test_class_target_with_extra_dims_is_a_multi_target_error():
    with pytest.raises(RuntimeError, match="0D or 1D target tensor expected, multi-target"):
        chainrule.nn.functional.cross_entropy(chainrule.ones(2, 3), chainrule.tensor([[0], [1]]))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(2\) to match target"):
        chainrule.nn.functional.nll_loss(chainrule.ones(2, 3), chainrule.tensor([[0], [1], [2]]))


def test_nll_loss_node_matches_torch_edges_errors_and_ignored_batches():
    # nll_loss is one primitive: torch's single edge (the input), torch's refusal of a
    # weight that requires grad, and zero gradients when every target is ignored
    import chainrule as cr

    torch = pytest.importorskip("torch")
    for lib in (cr, torch):
        x = lib.tensor([[0.5, 1.0, -1.0], [1.0, 2.0, 3.0]], requires_grad=True)
        loss = lib.nn.functional.nll_loss(x.log_softmax(1), lib.tensor([2, 0]))
        assert len(loss.grad_fn.next_functions) == 1
        assert type(loss.grad_fn.next_functions[0][0]).__name__ == "LogSoftmaxBackward0"
        with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'w"):
            lib.nn.functional.nll_loss(
                x, lib.tensor([2, 0]), weight=lib.ones(3, requires_grad=True)
            )
        ignored = lib.nn.functional.nll_loss(x, lib.tensor([1, 1]), ignore_index=1)
        ignored.backward()
        assert ignored.isnan().item() and x.grad.abs().sum().item() == 0


def test_nll_loss_double_backward_and_batched_jacobian():
    import chainrule as cr

    x = cr.randn(4, 3, dtype=cr.float64, requires_grad=True)
    target = cr.tensor([0, 2, 1, 2])
    weight = cr.tensor([0.5, 1.0, 2.0], dtype=cr.float64)
    for reduction in ("mean", "sum", "none"):

        def f(v, reduction=reduction):
            return cr.nn.functional.cross_entropy(v, target, weight=weight, reduction=reduction)

        assert cr.autograd.gradcheck(f, (x,))
        assert cr.autograd.gradgradcheck(f, (x,))
        jac = cr.autograd.functional.jacobian(f, x, vectorize=True)
        loop = cr.autograd.functional.jacobian(f, x)
        assert cr.allclose(jac, loop)


def test_mse_loss_is_one_node_with_torch_gradients_double_backward_and_broadcasting():
    import chainrule as cr

    x = cr.randn(4, 3, dtype=cr.float64, requires_grad=True)
    row = cr.randn(3, dtype=cr.float64, requires_grad=True)
    for reduction in ("mean", "sum", "none"):

        def f(a, b, reduction=reduction):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the broadcasting warning, tested elsewhere
                return cr.nn.functional.mse_loss(a, b, reduction=reduction)

        out = f(x, row)
        assert type(out.grad_fn).__name__ == "MseLossBackward0"
        assert cr.autograd.gradcheck(f, (x, row))
        assert cr.autograd.gradgradcheck(f, (x, row))
        jac = cr.autograd.functional.jacobian(f, (x, row), vectorize=True)
        loop = cr.autograd.functional.jacobian(f, (x, row))
        assert all(cr.allclose(a, b) for a, b in zip(jac, loop))
    mine = cr.tensor([1.0, 2.0, 4.0], requires_grad=True)
    theirs = torch.tensor([1.0, 2.0, 4.0], requires_grad=True)
    for lib, leaf in ((cr, mine), (torch, theirs)):
        lib.nn.functional.mse_loss(leaf, lib.tensor([0.0, 4.0, 4.0])).backward()
    assert mine.grad.tolist() == theirs.grad.tolist()


def test_bce_with_logits_is_one_node_with_torch_gradients_and_errors():
    import chainrule as cr

    rng = np.random.default_rng(4)
    x0, y0 = rng.standard_normal((4, 3)) * 3, rng.random((4, 3))
    w0, p0 = rng.random(3), rng.random(3) + 0.5
    for reduction in ("mean", "sum", "none"):
        for weight, pos_weight in ((None, None), (w0, None), (None, p0), (w0, p0)):
            grads = []
            for lib in (cr, torch):
                x = lib.tensor(x0, requires_grad=True)
                y = lib.tensor(y0, requires_grad=True)
                loss = lib.nn.functional.binary_cross_entropy_with_logits(
                    x,
                    y,
                    weight=None if weight is None else lib.tensor(weight),
                    pos_weight=None if pos_weight is None else lib.tensor(pos_weight),
                    reduction=reduction,
                )
                assert len(loss.grad_fn.next_functions) == 2
                loss.backward(lib.ones_like(loss) * 0.7)
                grads.append((loss.detach().numpy(), x.grad.numpy(), y.grad.numpy()))
            for mine, theirs in zip(*grads):
                np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-14)
        f = lambda a, b, r=reduction: cr.nn.functional.binary_cross_entropy_with_logits(  # noqa: E731
            a, b, pos_weight=cr.tensor(p0), reduction=r
        )
        leaves = (cr.tensor(x0, requires_grad=True), cr.tensor(y0, requires_grad=True))
        assert cr.autograd.gradgradcheck(f, leaves)
    for lib in (cr, torch):
        for name in ("weight", "pos_weight"):
            with pytest.raises(RuntimeError, match=f"with respect to argument '{name}'"):
                lib.nn.functional.binary_cross_entropy_with_logits(
                    lib.zeros(3), lib.ones(3), **{name: lib.ones(3, requires_grad=True)}
                )


@pytest.mark.parametrize(
    "name, params", [("smooth_l1_loss", {"beta": 0.7}), ("huber_loss", {"delta": 1.3})]
)
def test_smooth_l1_and_huber_are_one_node_with_torch_gradients(name, params):
    import chainrule as cr

    rng = np.random.default_rng(5)
    x0, y0 = rng.standard_normal((4, 3)) * 2, rng.standard_normal(3)
    for reduction in ("mean", "sum", "none"):
        results = []
        for lib in (cr, torch):
            x = lib.tensor(x0, requires_grad=True)
            y = lib.tensor(y0, requires_grad=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # target broadcast over the rows
                loss = getattr(lib.nn.functional, name)(x, y, reduction=reduction, **params)
            loss.backward(lib.ones_like(loss) * 0.7)
            results.append((type(loss.grad_fn).__name__, loss.detach().numpy(), x.grad, y.grad))
        (node, *mine), (torch_node, *theirs) = results
        assert node == torch_node
        for a, b in zip(mine, theirs):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-12, atol=1e-14)

        def f(a, b, reduction=reduction):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return getattr(cr.nn.functional, name)(a, b, reduction=reduction, **params)

        leaves = (cr.tensor(x0, requires_grad=True), cr.tensor(y0, requires_grad=True))
        assert cr.autograd.gradgradcheck(f, leaves)
