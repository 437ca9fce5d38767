"""Fixes to the existing nn losses and normalisation: torch's deprecation warning for
size_average / reduce, batch_norm's running statistics that require grad, its empty and
low-rank inputs, and InstanceNorm's refusal of running-stats buffers it does not track
(through Module._prepare_state_dict). Pooling and convolution: test_nn_pool_fixes.py.
Literal expectations were recorded from torch 2.13.0; the live comparisons run where torch
is installed."""

import functools
import warnings

import numpy as np
import pytest

import chainrule as torch

F = torch.nn.functional
_DEPRECATED = "size_average and reduce args will be deprecated, please use reduction='{}' instead."

# (size_average, reduce, reduction) -> the reduction torch maps them to
_LEGACY = [
    (False, None, "mean", "sum"),
    (None, False, "mean", "none"),
    (True, None, "sum", "mean"),
    (None, True, "none", "mean"),
    (False, False, "mean", "none"),
    (True, False, "sum", "none"),
]


def _inputs():
    gen = np.random.default_rng(0)
    x = torch.tensor(gen.uniform(0.1, 0.9, (3, 4)))
    t = torch.tensor(gen.uniform(0.1, 0.9, (3, 4)))
    b = torch.tensor((gen.uniform(size=(3, 4)) > 0.5).astype(np.float64))
    classes = torch.tensor([0, 1, 3])
    pm = torch.tensor(np.where(gen.uniform(size=(3, 4)) > 0.5, 1.0, -1.0))
    y = torch.tensor([1.0, -1.0, 1.0])
    return x, t, b, classes, pm, y


def _functional_calls():
    x, t, b, classes, pm, y = _inputs()
    return {
        "l1_loss": lambda **k: F.l1_loss(x, t, **k),
        "mse_loss": lambda **k: F.mse_loss(x, t, **k),
        "smooth_l1_loss": lambda **k: F.smooth_l1_loss(x, t, **k),
        "kl_div": lambda **k: F.kl_div(x, t, **k),
        "nll_loss": lambda **k: F.nll_loss(x, classes, **k),
        "cross_entropy": lambda **k: F.cross_entropy(x, classes, **k),
        "binary_cross_entropy": lambda **k: F.binary_cross_entropy(x, b, **k),
        "binary_cross_entropy_with_logits": lambda **k: F.binary_cross_entropy_with_logits(
            x, b, **k
        ),
        "multilabel_soft_margin_loss": lambda **k: F.multilabel_soft_margin_loss(x, b, **k),
        "multi_margin_loss": lambda **k: F.multi_margin_loss(x, classes, **k),
        "soft_margin_loss": lambda **k: F.soft_margin_loss(x, pm, **k),
        "triplet_margin_loss": lambda **k: F.triplet_margin_loss(x, t, b, **k),
        "cosine_embedding_loss": lambda **k: F.cosine_embedding_loss(x, t, y, **k),
        "margin_ranking_loss": lambda **k: F.margin_ranking_loss(x, t, pm, **k),
        "hinge_embedding_loss": lambda **k: F.hinge_embedding_loss(x, pm, **k),
        "poisson_nll_loss": lambda **k: F.poisson_nll_loss(x, t, **k),
    }


_MODULES = [
    "L1Loss",
    "MSELoss",
    "SmoothL1Loss",
    "KLDivLoss",
    "NLLLoss",
    "CrossEntropyLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "MultiLabelSoftMarginLoss",
    "MultiMarginLoss",
    "SoftMarginLoss",
    "TripletMarginLoss",
    "CosineEmbeddingLoss",
    "MarginRankingLoss",
    "HingeEmbeddingLoss",
    "PoissonNLLLoss",
]


def _recorded(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = call()
    return out, [(w.category, str(w.message)) for w in caught]


@pytest.mark.parametrize("name", sorted(_functional_calls()))
@pytest.mark.parametrize(("size_average", "reduce", "reduction", "want"), _LEGACY)
def test_legacy_flags_of_a_loss_function_warn_and_pick_torchs_reduction(
    name, size_average, reduce, reduction, want
):
    call = _functional_calls()[name]
    out, caught = _recorded(
        lambda: call(size_average=size_average, reduce=reduce, reduction=reduction)
    )
    assert caught == [(UserWarning, _DEPRECATED.format(want))]
    expected, _ = _recorded(lambda: call(reduction=want))  # (kl_div's 'mean' warns)
    assert tuple(out.shape) == tuple(expected.shape)
    np.testing.assert_allclose(out.numpy(), expected.numpy())


@pytest.mark.parametrize("name", _MODULES)
@pytest.mark.parametrize(("size_average", "reduce", "reduction", "want"), _LEGACY)
def test_legacy_flags_of_a_loss_module_warn_once_at_construction(
    name, size_average, reduce, reduction, want
):
    cls = getattr(torch.nn, name)
    module, caught = _recorded(
        lambda: cls(size_average=size_average, reduce=reduce, reduction=reduction)
    )
    assert caught == [(UserWarning, _DEPRECATED.format(want))]
    assert module.reduction == want


def test_without_legacy_flags_nothing_warns():
    for name, call in _functional_calls().items():
        if name != "kl_div":  # kl_div's 'mean' has its own warning
            _, caught = _recorded(call)
            assert caught == [], name
    for name in _MODULES:
        _, caught = _recorded(getattr(torch.nn, name))
        assert caught == [], name


def test_the_deprecation_names_the_users_line_however_deep_the_call():
    x, _, _, classes, *_ = _inputs()
    calls = [
        lambda: torch.nn.NLLLoss(size_average=False),  # three __init__s deep
        lambda: torch.nn.MultiMarginLoss(reduce=False),
        lambda: torch.nn.L1Loss(reduce=False),
        lambda: F.cross_entropy(x, classes, reduce=False),
    ]
    for call in calls:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call()
        assert [w.filename for w in caught] == [__file__]


def test_kl_div_legacy_flags_skip_its_mean_warning():
    x, t, *_ = _inputs()
    _, caught = _recorded(lambda: F.kl_div(x, t, size_average=True))
    assert caught == [(UserWarning, _DEPRECATED.format("mean"))]


def test_legacy_flags_override_an_invalid_reduction_as_torch_does():
    x, t, *_ = _inputs()
    _, caught = _recorded(lambda: F.l1_loss(x, t, size_average=False, reduction="foo"))
    assert caught == [(UserWarning, _DEPRECATED.format("sum"))]


def test_the_target_size_warning_comes_before_the_deprecation():
    x, *_ = _inputs()
    _, caught = _recorded(lambda: F.mse_loss(x, torch.zeros(4), size_average=False))
    assert [str(m)[:22] for _, m in caught] == ["Using a target size (t", "size_average and reduc"]


def _torch_inputs(real):
    return [real.tensor(t.numpy()) for t in _inputs()]


@pytest.mark.parametrize(("size_average", "reduce", "reduction", "want"), _LEGACY)
def test_legacy_flags_match_live_torch(size_average, reduce, reduction, want):
    real = pytest.importorskip("torch")
    flags = dict(size_average=size_average, reduce=reduce, reduction=reduction)
    ours = _functional_calls()
    x, t, b, classes, pm, y = _torch_inputs(real)
    rf = real.nn.functional
    theirs = {
        "l1_loss": lambda: rf.l1_loss(x, t, **flags),
        "mse_loss": lambda: rf.mse_loss(x, t, **flags),
        "smooth_l1_loss": lambda: rf.smooth_l1_loss(x, t, **flags),
        "kl_div": lambda: rf.kl_div(x, t, **flags),
        "nll_loss": lambda: rf.nll_loss(x, classes, **flags),
        "cross_entropy": lambda: rf.cross_entropy(x, classes, **flags),
        "binary_cross_entropy": lambda: rf.binary_cross_entropy(x, b, **flags),
        "binary_cross_entropy_with_logits": lambda: rf.binary_cross_entropy_with_logits(
            x, b, **flags
        ),
        "multilabel_soft_margin_loss": lambda: rf.multilabel_soft_margin_loss(x, b, **flags),
        "multi_margin_loss": lambda: rf.multi_margin_loss(x, classes, **flags),
        "soft_margin_loss": lambda: rf.soft_margin_loss(x, pm, **flags),
        "triplet_margin_loss": lambda: rf.triplet_margin_loss(x, t, b, **flags),
        "cosine_embedding_loss": lambda: rf.cosine_embedding_loss(x, t, y, **flags),
        "margin_ranking_loss": lambda: rf.margin_ranking_loss(x, t, pm, **flags),
        "hinge_embedding_loss": lambda: rf.hinge_embedding_loss(x, pm, **flags),
        "poisson_nll_loss": lambda: rf.poisson_nll_loss(x, t, **flags),
    }
    assert sorted(theirs) == sorted(ours)
    for name, call in theirs.items():
        want_out, want_caught = _recorded(call)
        out, caught = _recorded(functools.partial(ours[name], **flags))
        assert caught == want_caught, name
        np.testing.assert_allclose(out.numpy(), want_out.numpy(), rtol=1e-12, err_msg=name)
    for name in _MODULES:
        want_module, want_caught = _recorded(functools.partial(getattr(real.nn, name), **flags))
        module, caught = _recorded(functools.partial(getattr(torch.nn, name), **flags))
        assert caught == want_caught, name
        assert module.reduction == want_module.reduction, name


# --------------------------------------------------------------------------- batch_norm

_NOT_DIFFERENTIABLE = (
    "The function 'native_batch_norm' is not differentiable with respect to argument '{}'. "
    "This input cannot have requires_grad True."
)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("which", ["running_mean", "running_var"])
def test_batch_norm_refuses_running_stats_that_require_grad(training, which):
    stats = {"running_mean": torch.zeros(3), "running_var": torch.ones(3)}
    stats[which].requires_grad_()
    x = torch.arange(12.0).reshape(4, 3)
    with pytest.raises(RuntimeError) as info:
        F.batch_norm(x, stats["running_mean"], stats["running_var"], training=training)
    assert str(info.value) == _NOT_DIFFERENTIABLE.format(which)
    assert stats["running_mean"].tolist() == [0.0, 0.0, 0.0]  # nothing moved first
    assert stats["running_var"].tolist() == [1.0, 1.0, 1.0]


def test_running_stats_that_require_grad_are_refused_through_modules_and_instance_norm():
    bn = torch.nn.BatchNorm1d(3)
    bn.running_mean.requires_grad_()
    with pytest.raises(RuntimeError, match="argument 'running_mean'"):
        bn(torch.ones(4, 3))
    stats = torch.zeros(3), torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError) as info:
        F.instance_norm(torch.ones(2, 3, 4), *stats)
    assert str(info.value) == _NOT_DIFFERENTIABLE.format("running_var")


def test_running_stats_that_require_grad_are_fine_under_no_grad():
    mean, var = torch.zeros(2, requires_grad=True), torch.ones(2, requires_grad=True)
    with torch.no_grad():
        F.batch_norm(torch.tensor([[1.0, 2.0], [3.0, 6.0]]), mean, var, training=True)
    assert mean.tolist() == [0.20000000298023224, 0.4000000059604645]
    assert var.tolist() == [1.100000023841858, 1.7000000476837158]


def test_batch_norm_errors_come_in_torchs_order():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        F.batch_norm(torch.ones(1, 3), torch.zeros(4), torch.ones(4), training=True)
    with pytest.raises(RuntimeError, match="^running_mean should contain 3 elements not 4$"):
        F.batch_norm(torch.ones(4, 3), torch.zeros(4, requires_grad=True), torch.ones(4))
    with pytest.raises(RuntimeError, match="^running_var must be defined in evaluation mode$"):
        F.batch_norm(torch.ones(4, 3), torch.zeros(3), None)
    with pytest.raises(RuntimeError, match="^running_mean must be defined in evaluation mode$"):
        F.batch_norm(torch.ones(4, 3), None, torch.zeros(3))


def _error(call):
    try:
        call()
    except Exception as error:  # noqa: BLE001 - the comparison is the point
        return type(error).__name__, str(error)
    return None


def test_batch_norm_running_stat_errors_match_live_torch():
    real = pytest.importorskip("torch")
    for training in (True, False):
        for grad_mean, grad_var in ((True, False), (False, True), (True, True)):
            errors = []
            for lib in (real, torch):
                mean = lib.zeros(3, requires_grad=grad_mean)
                var = lib.ones(3, requires_grad=grad_var)
                x = lib.arange(12.0).reshape(4, 3)
                errors.append(
                    _error(lambda: lib.nn.functional.batch_norm(x, mean, var, training=training))  # noqa: B023
                )
                errors.append(
                    _error(lambda: lib.nn.functional.instance_norm(x.reshape(2, 3, 2), mean, var))  # noqa: B023
                )
            assert errors[:2] == errors[2:]


# --------------------------------------------------------------------------- InstanceNorm state


def _stale_message(kind, keys):
    names = " and ".join(f'"{key}"' for key in keys)
    return (
        f"Unexpected running stats buffer(s) {names} for {kind} with track_running_stats=False. "
        "If state_dict is a checkpoint saved before 0.4.0, this may be expected because "
        f"{kind} does not track running stats by default since 0.4.0. Please remove these keys "
        "from state_dict. If the running stats are actually needed, instead set "
        f"track_running_stats=True in {kind} to enable them. See the documentation of {kind} "
        "for details."
    )


def _stats(lib):
    return {"running_mean": lib.zeros(3), "running_var": lib.ones(3)}


@pytest.mark.parametrize("strict", [True, False])
def test_instance_norm_refuses_running_stats_it_does_not_track(strict):
    seq = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.InstanceNorm2d(3, affine=True))
    state = {k: v for k, v in seq.state_dict().items()}  # a plain dict: no metadata
    state.update({"1." + k: v for k, v in _stats(torch).items()})
    before = dict(state)
    with pytest.raises(RuntimeError) as info:
        seq.load_state_dict(state, strict=strict)
    stale = _stale_message("InstanceNorm2d", ["1.running_mean", "1.running_var"])
    assert str(info.value) == f"Error(s) in loading state_dict for Sequential:\n\t{stale}"
    assert state == before  # the caller's dict is left alone


def test_the_stale_stats_error_follows_missing_keys_and_size_mismatches_in_torchs_order():
    seq = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.InstanceNorm1d(3))
    state = {"0.weight": torch.ones(2), "1.running_var": torch.ones(3), "extra": torch.ones(1)}
    with pytest.raises(RuntimeError) as info:
        seq.load_state_dict(state)
    assert str(info.value).split("\n\t") == [
        "Error(s) in loading state_dict for Sequential:",
        'Missing key(s) in state_dict: "0.bias". ',
        'Unexpected key(s) in state_dict: "extra". ',
        "size mismatch for 0.weight: copying a param with shape torch.Size([2]) from "
        "checkpoint, the shape in current model is torch.Size([3, 3]).",
        _stale_message("InstanceNorm1d", ["1.running_var"]),
    ]


def test_a_state_dict_with_metadata_only_has_unexpected_keys():
    state = torch.nn.BatchNorm1d(3).state_dict()
    assert list(state._metadata.items()) == [("", {"version": 2})]
    norm = torch.nn.InstanceNorm1d(3)
    with pytest.raises(RuntimeError) as info:
        norm.load_state_dict(state)
    assert str(info.value) == (
        "Error(s) in loading state_dict for InstanceNorm1d:\n\tUnexpected key(s) in "
        'state_dict: "weight", "bias", "running_mean", "running_var", "num_batches_tracked". '
    )


def test_state_dict_metadata_names_every_module_version():
    seq = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.InstanceNorm2d(3))
    assert list(seq.state_dict()._metadata.items()) == [
        ("", {"version": 1}),
        ("0", {"version": 1}),
        ("1", {"version": 2}),
    ]


def test_batch_norm_keeps_its_count_for_a_checkpoint_without_num_batches_tracked():
    bn = torch.nn.BatchNorm1d(3)
    bn.num_batches_tracked += 5
    state = {"weight": torch.ones(3), "bias": torch.zeros(3), **_stats(torch)}
    assert repr(bn.load_state_dict(state)) == "<All keys matched successfully>"
    assert bn.num_batches_tracked.item() == 5
    tracked = torch.nn.InstanceNorm1d(3, track_running_stats=True)
    assert repr(tracked.load_state_dict(_stats(torch))) == "<All keys matched successfully>"


def test_instance_norm_state_loading_matches_live_torch():
    real = pytest.importorskip("torch")
    results = []
    for lib in (real, torch):
        nn = lib.nn
        seq = nn.Sequential(nn.Linear(3, 3), nn.InstanceNorm2d(3, affine=True))
        plain = {k: v for k, v in seq.state_dict().items()}
        stale = {"1." + k: v for k, v in _stats(lib).items()}
        cases = [
            lambda: seq.load_state_dict({**plain, **stale}),  # noqa: B023
            lambda: seq.load_state_dict({**plain, **stale}, strict=False),  # noqa: B023
            lambda: seq.load_state_dict({**plain, "1.running_mean": lib.ones(3)}),  # noqa: B023
            lambda: nn.InstanceNorm1d(3).load_state_dict(nn.BatchNorm1d(3).state_dict()),  # noqa: B023
            lambda: nn.InstanceNorm1d(3).load_state_dict(dict(nn.BatchNorm1d(3).state_dict())),  # noqa: B023
            lambda: nn.BatchNorm1d(3).load_state_dict(  # noqa: B023
                {"weight": lib.ones(3), "bias": lib.zeros(3), **_stats(lib)}  # noqa: B023
            ),
            lambda: nn.InstanceNorm1d(3, track_running_stats=True).load_state_dict(_stats(lib)),  # noqa: B023
        ]
        results.append([_error(case) or repr(case()) for case in cases])
    assert results[0] == results[1]


# --------------------------------------------------------------------------- batch_norm edges


@pytest.mark.parametrize(
    ("shape", "stats", "training", "kind", "message"),
    [
        ((), False, True, IndexError, "tuple index out of range"),
        ((), True, False, RuntimeError, "running_mean should contain 0 elements not 3"),
        ((3,), False, True, IndexError,
         "Dimension out of range (expected to be in range of [-1, 0], but got 1)"),
        ((3,), False, False, RuntimeError, "running_mean must be defined in evaluation mode"),
        ((1,), False, True, ValueError,
         "Expected more than 1 value per channel when training, got input size torch.Size([1])"),
        ((1, 3, 1), False, True, ValueError,
         "Expected more than 1 value per channel when training, got input size "
         "torch.Size([1, 3, 1])"),
    ],
)  # fmt: skip
def test_batch_norm_low_rank_inputs_get_torchs_errors(shape, stats, training, kind, message):
    mean, var = (torch.zeros(3), torch.ones(3)) if stats else (None, None)
    with pytest.raises(kind) as info:
        F.batch_norm(torch.ones(shape), mean, var, training=training)
    assert type(info.value) is kind
    assert str(info.value) == message


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_of_an_empty_batch_copies_it_and_leaves_the_stats(training):
    mean, var = torch.zeros(3), torch.ones(3)
    x = torch.ones(0, 3, 2, requires_grad=True)
    weight, bias = torch.ones(3, requires_grad=True), torch.ones(3, requires_grad=True)
    out = F.batch_norm(x, mean, var, weight, bias, training=training)
    assert tuple(out.shape) == (0, 3, 2)
    assert type(out.grad_fn).__name__ == "AddBackward0"
    assert [type(n).__name__ for n, _ in out.grad_fn.next_functions] == [
        "MulBackward0",
        "SelectBackward0",
    ]
    out.sum().backward()
    assert weight.grad.tolist() == [0.0, 0.0, 0.0]
    assert bias.grad.tolist() == [0.0, 0.0, 0.0]
    assert tuple(x.grad.shape) == (0, 3, 2)
    assert (mean.tolist(), var.tolist()) == ([0.0, 0.0, 0.0], [1.0, 1.0, 1.0])
    plain = F.batch_norm(x, None, None, training=True)
    assert type(plain.grad_fn).__name__ == "CloneBackward0"
    assert tuple(F.batch_norm(torch.ones(4, 0), None, None, training=True).shape) == (4, 0)


def test_batch_norm_module_takes_an_empty_batch():
    bn = torch.nn.BatchNorm2d(3)
    out = bn(torch.ones(0, 3, 2, 2))
    assert tuple(out.shape) == (0, 3, 2, 2)
    assert bn.running_mean.tolist() == [0.0, 0.0, 0.0]
    assert bn.num_batches_tracked.item() == 1


def _batch_norm_edge_calls(lib):
    fn = lib.nn.functional
    stats = lib.zeros(3), lib.ones(3)
    return [
        lambda: fn.batch_norm(lib.ones(()), None, None, training=True),
        lambda: fn.batch_norm(lib.ones(()), *stats),
        lambda: fn.batch_norm(lib.ones(3), None, None, training=True),
        lambda: fn.batch_norm(lib.ones(3), *stats, training=True),
        lambda: fn.batch_norm(lib.ones(3), lib.zeros(0), lib.ones(0)),
        lambda: fn.batch_norm(lib.ones(1, 3, 1), None, None, training=True),
        lambda: fn.batch_norm(lib.ones(0, 3), *stats, training=True).shape,
        lambda: fn.batch_norm(lib.ones(4, 0, 2), lib.zeros(0), lib.ones(0), training=True).shape,
    ]


def test_batch_norm_edges_match_live_torch():
    real = pytest.importorskip("torch")
    results = [
        [_error(call) or tuple(call()) for call in _batch_norm_edge_calls(lib)]
        for lib in (real, torch)
    ]
    assert results[0] == results[1]


def test_an_empty_input_with_an_empty_weight_or_bias_raises_torchs_index_error():
    message = "select(): index 0 out of range for tensor of size [0] at dimension 0"
    calls = [
        lambda: F.batch_norm(torch.ones(4, 0), None, None, torch.ones(0), training=True),
        lambda: F.batch_norm(torch.ones(4, 0), None, None, None, torch.ones(0), training=True),
        lambda: torch.nn.InstanceNorm1d(3, affine=True)(torch.ones(0, 3, 4)),
    ]
    for call in calls:
        with pytest.raises(IndexError) as info:
            call()
        assert str(info.value) == message
    assert tuple(F.instance_norm(torch.ones(0, 3, 4)).shape) == (0, 3, 4)
