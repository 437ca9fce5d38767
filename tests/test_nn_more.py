"""The functions added for torch users (ops/strided.py, ops/nn_more.py, nn/loss_more.py,
nn/norm_more.py, nn/pooling_more.py, nn/pixelshuffle.py): values, grad_fn names and
gradients against literal values recorded from torch 2.13.0 (these run without torch),
gradcheck / gradgradcheck in float64, module reprs and state, errors; then the same and
many more option combinations against live torch where it is installed.

The op-spec table (tests/specs_nn_more.py) covers the registered ops' forward against
NumPy, gradcheck, gradgradcheck, batched Jacobians and torch comparisons sample by sample.
"""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from nn_more_cases import CASES, SIGNS, X

import chainrule
from chainrule.autograd import gradcheck, gradgradcheck

GOLDEN = json.loads((Path(__file__).parent / "golden" / "nn_more.json").read_text())


def _leaves(lib, values):
    return [lib.tensor(v, dtype=lib.float64, requires_grad=True) for v in values]


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_grad_fn_and_gradients_match_torchs_recorded_ones(name):
    fn, values = CASES[name]
    want = GOLDEN[name]
    want_values, want_grad_fn, want_grads = want["values"], want["grad_fn"], want["grads"]
    leaves = _leaves(chainrule, values)
    out = fn(chainrule, *leaves)
    assert type(out.grad_fn).__name__ == want_grad_fn
    np.testing.assert_allclose(out.detach().numpy().ravel(), want_values, rtol=1e-9, atol=1e-12)
    out.backward(chainrule.ones_like(out))
    for leaf, want in zip(leaves, want_grads):
        np.testing.assert_allclose(leaf.grad.numpy().ravel(), want, rtol=1e-9, atol=1e-12)


_SMOOTH = {  # the cases without kinks near their sample points: second derivatives exist
    "multilabel_soft_margin_loss",
    "triplet_margin_loss",
    "cosine_embedding_loss",
    "soft_margin_loss",
    "poisson_nll_loss",
    "instance_norm",
    "local_response_norm",
    "lp_pool1d",
    "pixel_shuffle",
    "pixel_unshuffle",
    "as_strided",
}


@pytest.mark.parametrize("name", sorted(_SMOOTH))
def test_gradcheck_and_gradgradcheck_in_float64(name):
    fn, values = CASES[name]
    leaves = _leaves(chainrule, values)

    def f(*xs):
        return fn(chainrule, *xs)

    assert gradcheck(f, leaves)
    assert gradgradcheck(f, leaves)


def test_multi_margin_has_no_double_backward_as_in_torch():
    """torch computes the gradient with a kernel it cannot differentiate: the first
    derivative's grad_fn is NotImplemented and differentiating it raises torch's error."""
    x = chainrule.tensor(X, dtype=chainrule.float64, requires_grad=True)
    target = chainrule.tensor([0, 3, 1])
    loss = chainrule.nn.functional.multi_margin_loss(x, target, p=2, margin=0.8)
    (g,) = chainrule.autograd.grad(loss, x, create_graph=True)
    assert type(g.grad_fn).__name__ == "NotImplemented"
    with pytest.raises(RuntimeError, match="derivative for aten::multi_margin_loss_backward"):
        chainrule.autograd.grad(g.sum(), x)
    assert gradcheck(lambda x: chainrule.nn.functional.multi_margin_loss(x, target), (x,))


# --------------------------------------------------------------------------- as_strided


def test_as_strided_is_a_view_sharing_memory_and_version():
    base = chainrule.arange(6.0)
    view = base.as_strided((2, 2), (1, 2), 1)
    assert view.tolist() == [[1.0, 3.0], [2.0, 4.0]]
    base.add_(10)
    assert view.tolist() == [[11.0, 13.0], [12.0, 14.0]]
    assert view._version == base._version == 1
    assert view._base is base


def test_as_strided_of_a_view_reads_the_base_storage():
    x = chainrule.arange(12.0).reshape(3, 4).requires_grad_()
    view = x[1:].t().as_strided((3,), (2,))  # torch: storage offset 4, every other element
    assert view.tolist() == [4.0, 6.0, 8.0]
    view.sum().backward()
    assert x.grad.tolist() == [[0.0] * 4, [1.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0]]


def test_as_strided_reads_a_result_laid_out_like_a_transpose_in_memory_order():
    """x.t() * 2 keeps the transposed strides (1, 3), in torch as here: its storage is in
    memory order, not in the order of its elements (the bug: read in C order)."""
    x = chainrule.arange(6.0).reshape(2, 3).requires_grad_()
    y = x.t() * 2
    assert y.stride() == (1, 3)
    z = y.as_strided((2, 2), (1, 2))
    assert z.tolist() == [[0.0, 4.0], [2.0, 6.0]]
    z.backward(chainrule.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert x.grad.tolist() == [[2.0, 6.0, 4.0], [8.0, 0.0, 0.0]]
    base = y.detach()
    view = base[1:].as_strided((2,), (1,))
    assert view.tolist() == [2.0, 4.0]
    base.add_(1)
    assert view.tolist() == [3.0, 5.0]  # still the base's memory


def test_as_strided_overlapping_elements_add_their_gradients():
    x = chainrule.arange(12.0).reshape(3, 4).requires_grad_()
    x.as_strided((3, 3), (1, 1)).sum().backward()
    assert x.grad.tolist() == [[1.0, 2.0, 3.0, 2.0], [1.0, 0.0, 0.0, 0.0], [0.0] * 4]


@pytest.mark.parametrize(
    "args,error,message",
    [
        (((4, 4), (4, 1)), RuntimeError, "setStorage: sizes [4, 4], strides [4, 1], storage "
         "offset 0, and itemsize 4 requiring a storage size of 64 are out of bounds for storage "
         "of size 48"),
        (((2, 2), (1,)), RuntimeError, "mismatch in length of strides and shape"),
        (((2, -2), (1, 1)), RuntimeError,
         "Storage size calculation overflowed with sizes=[2, -2] and strides=[1, 1]"),
        (((2, 2), (1, -1)), RuntimeError,
         "as_strided: Negative strides are not supported at the moment, got strides: [1, -1]"),
        (((2, 2), (1, 1), -1), RuntimeError, "Tensor: invalid storage offset -1"),
        ((2, 1), TypeError,
         "as_strided(): argument 'size' (position 1) must be tuple of ints, not int"),
    ],
)  # fmt: skip
def test_as_strided_errors_are_torchs(args, error, message):
    x = chainrule.zeros(3, 4, requires_grad=True)
    with pytest.raises(error) as caught:
        x.as_strided(*args)
    assert str(caught.value) == message


# --------------------------------------------------------------------------- modules


@pytest.mark.parametrize(
    "module,text",
    [
        (lambda nn: nn.MultiMarginLoss(p=2), "MultiMarginLoss()"),
        (lambda nn: nn.TripletMarginLoss(margin=2.0), "TripletMarginLoss()"),
        (lambda nn: nn.GaussianNLLLoss(full=True), "GaussianNLLLoss()"),
        (lambda nn: nn.InstanceNorm1d(3), "InstanceNorm1d(3, eps=1e-05, momentum=0.1, "
         "affine=False, bias=False, track_running_stats=False)"),
        (lambda nn: nn.InstanceNorm2d(3, affine=True, track_running_stats=True),
         "InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, "
         "track_running_stats=True)"),
        (lambda nn: nn.InstanceNorm3d(2, eps=1e-3, momentum=None), "InstanceNorm3d(2, "
         "eps=0.001, momentum=None, affine=False, bias=False, track_running_stats=False)"),
        (lambda nn: nn.LocalResponseNorm(2), "LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)"),
        (lambda nn: nn.AdaptiveMaxPool2d((2, None)), "AdaptiveMaxPool2d(output_size=(2, None))"),
        (lambda nn: nn.AdaptiveMaxPool1d(3, return_indices=True), "AdaptiveMaxPool1d(output_size=3)"),
        (lambda nn: nn.LPPool2d(2, 3), "LPPool2d(norm_type=2, kernel_size=3, stride=None, "
         "ceil_mode=False)"),
        (lambda nn: nn.LPPool1d(1.5, 2, stride=1), "LPPool1d(norm_type=1.5, kernel_size=2, "
         "stride=1, ceil_mode=False)"),
        (lambda nn: nn.PixelShuffle(2), "PixelShuffle(upscale_factor=2)"),
        (lambda nn: nn.PixelUnshuffle(3), "PixelUnshuffle(downscale_factor=3)"),
    ],
)  # fmt: skip
def test_module_reprs_are_torchs(module, text):
    assert repr(module(chainrule.nn)) == text


def test_instance_norm_tracks_the_batch_average_of_the_running_statistics():
    m = chainrule.nn.InstanceNorm1d(2, track_running_stats=True, momentum=0.5)
    x = chainrule.arange(12, dtype=chainrule.float32).reshape(2, 2, 3) ** 1.5
    m(x)
    np.testing.assert_allclose(m.running_mean.numpy(), [4.972753524780273, 9.9568452835083],
                               rtol=1e-6)  # fmt: skip
    np.testing.assert_allclose(m.running_var.numpy(), [4.946756362915039, 8.362586975097656],
                               rtol=1e-6)  # fmt: skip
    assert m.num_batches_tracked.item() == 0  # torch's instance norm never counts batches
    m.eval()
    np.testing.assert_allclose(
        m(x).numpy().ravel(),
        [-2.2358169555664062, -1.7862035036087036, -0.9641181230545044, -1.6462643146514893,
         -0.6766839027404785, 0.42308881878852844, 4.372124195098877, 6.091141223907471,
         7.937773704528809, 5.893583297729492, 7.4921555519104, 9.1727933883667],
        rtol=1e-5,
    )  # fmt: skip
    assert sorted(m.state_dict()) == ["num_batches_tracked", "running_mean", "running_var"]


def test_instance_norm_module_checks_and_unbatched_input():
    affine = chainrule.nn.InstanceNorm2d(3, affine=True)
    with pytest.raises(ValueError, match=r"^expected 3D or 4D input \(got 2D input\)$"):
        affine(chainrule.zeros(2, 2))
    with pytest.raises(ValueError) as caught:
        affine(chainrule.zeros(1, 2, 3, 3))
    assert str(caught.value) == (
        "expected input's size at dim=1 to match num_features (3), but got: 2."
    )
    plain = chainrule.nn.InstanceNorm1d(3)
    with pytest.warns(UserWarning, match="input's size at dim=0 does not match num_features"):
        out = plain(chainrule.tensor([[1.0, 3.0], [0.0, 4.0]]))
    rows = [1 / np.sqrt(1 + 1e-5), 2 / np.sqrt(4 + 1e-5)]  # (x - mean) / sqrt(var + eps)
    np.testing.assert_allclose(out.numpy(), [[-rows[0], rows[0]], [-rows[1], rows[1]]])
    with pytest.raises(ValueError) as caught:
        plain(chainrule.zeros(2, 3, 1))
    assert str(caught.value) == (
        "Expected more than 1 spatial element when training, got input size torch.Size([2, 3, 1])"
    )


def test_loss_modules_pass_their_options():
    x = chainrule.tensor(X, dtype=chainrule.float64)
    nn = chainrule.nn
    F = nn.functional
    target = chainrule.tensor([0, 3, 1])
    weight = chainrule.tensor([1.0, 2.0, 0.5, 1.0], dtype=chainrule.float64)
    pairs = [
        (nn.MultiMarginLoss(p=2, margin=0.5, weight=weight, reduction="sum")(x, target),
         F.multi_margin_loss(x, target, p=2, margin=0.5, weight=weight, reduction="sum")),
        (nn.MultiLabelSoftMarginLoss(weight=weight)(x, x.sigmoid()),
         F.multilabel_soft_margin_loss(x, x.sigmoid(), weight=weight)),
        (nn.PoissonNLLLoss(log_input=False, full=True, eps=0.1, reduction="none")(x.abs(), x.abs()),
         F.poisson_nll_loss(x.abs(), x.abs(), False, True, eps=0.1, reduction="none")),
        (nn.GaussianNLLLoss(full=True, eps=0.5)(x, x * 2, x.abs()),
         F.gaussian_nll_loss(x, x * 2, x.abs(), full=True, eps=0.5)),
        (nn.HingeEmbeddingLoss(margin=0.3, size_average=False)(x, x.sign()),
         F.hinge_embedding_loss(x, x.sign(), margin=0.3, reduction="sum")),
        (nn.TripletMarginLoss(margin=0.5, p=1, swap=True)(x, x * 2, x.flip(0)),
         F.triplet_margin_loss(x, x * 2, x.flip(0), margin=0.5, p=1, swap=True)),
    ]  # fmt: skip
    for got, want in pairs:
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert "weight" in dict(nn.MultiMarginLoss(weight=weight).named_buffers())


@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda F, x: F.multi_margin_loss(x, chainrule.tensor([0, 1])), RuntimeError,
         "multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
         "samples (batch size). Expected target size [3], but got [2]. Input has shape [3, 4]."),
        (lambda F, x: F.multi_margin_loss(x, chainrule.tensor([0, 1, 4])), RuntimeError,
         "target out of range"),
        (lambda F, x: F.multi_margin_loss(x, chainrule.tensor([0, 1, 2]),
                                          weight=chainrule.ones(4, dtype=chainrule.float64)),
         RuntimeError, "expected scalar type Float but found Double"),
        (lambda F, x: F.gaussian_nll_loss(x, x, 1), TypeError,
         "any() received an invalid combination of arguments - got (bool), but expected one of:\n"
         " * (Tensor input, *, Tensor out = None)\n * (Tensor input, tuple of ints dim = None, "
         "bool keepdim = False, *, Tensor out = None)\n * (Tensor input, int dim, bool keepdim "
         "= False, *, Tensor out = None)\n"),
        (lambda F, x: F.multi_margin_loss(x, chainrule.tensor([0, 1, 2]), p=3), ValueError,
         "only p == 1 and p == 2 supported"),
        (lambda F, x: F.soft_margin_loss(x[0], x.sign().detach()), RuntimeError,
         "output with shape [4] doesn't match the broadcast shape [3, 4]"),
        (lambda F, x: F.triplet_margin_loss(x, x, x[0]), RuntimeError,
         "The anchor, positive, and negative tensors are expected to have the same number of "
         "dimensions, but got: anchor 2D, positive 2D, and negative 1D inputs"),
        (lambda F, x: F.triplet_margin_loss(x, x, x, margin=0.0), ValueError,
         "margin must be greater than 0, got 0.0"),
        (lambda F, x: F.cosine_embedding_loss(x, x, x.sign()), RuntimeError,
         "0D or 1D target tensor expected, multi-target not supported"),
        (lambda F, x: F.margin_ranking_loss(x, x[0], x), RuntimeError,
         "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
         "input1: torch.Size([3, 4]), input2: torch.Size([4]), target: torch.Size([3, 4]) "),
        (lambda F, x: F.gaussian_nll_loss(x, x, x.abs()[:2]), ValueError,
         "var is of incorrect size"),
        (lambda F, x: F.gaussian_nll_loss(x, x, -x.abs()), ValueError,
         "var has negative entry/entries"),
        (lambda F, x: F.poisson_nll_loss(x, x, reduction="avg"), ValueError,
         "avg is not a valid value for reduction"),
        (lambda F, x: F.multilabel_soft_margin_loss(x, x, reduction="avg"), ValueError,
         "avg is not valid"),
        (lambda F, x: F.pixel_shuffle(x[None], 2), RuntimeError,
         "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
         "of upscale_factor, but input.size(-3)=1 is not divisible by 4"),
        (lambda F, x: F.pixel_unshuffle(x[None], 2), RuntimeError,
         "pixel_unshuffle expects height to be divisible by downscale_factor, but "
         "input.size(-2)=3 is not divisible by 2"),
        (lambda F, x: F.adaptive_max_pool2d(x, 2), RuntimeError,
         "adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: [3, 4]"),
        (lambda F, x: F.local_response_norm(x, 2), ValueError,
         "Expected 3D or higher dimensionality                          input (got 2 dimensions)"),
        (lambda F, x: F.instance_norm(x[None], chainrule.zeros(3)), ValueError,
         "running_mean and running_var must either both be None or neither be None"),
        (lambda F, x: F.instance_norm(x[None], use_input_stats=False), RuntimeError,
         "Expected running_mean and running_var to be defined when use_input_stats is false"),
    ],
)  # fmt: skip
def test_errors_are_torchs(call, error, message):
    x = chainrule.tensor(X, requires_grad=True)
    with pytest.raises(error) as caught:
        call(chainrule.nn.functional, x)
    assert str(caught.value) == message
    assert x.grad is None


def test_no_grad_target_and_weight_rules_are_torchs():
    x = chainrule.tensor(X, requires_grad=True)
    signs = chainrule.tensor(SIGNS, requires_grad=True)
    with pytest.raises(RuntimeError) as caught:
        chainrule.nn.functional.soft_margin_loss(x, signs)
    assert str(caught.value) == (
        "The function 'soft_margin_loss' is not differentiable with respect to argument "
        "'target'. This input cannot have requires_grad True."
    )
    weight = chainrule.ones(4, requires_grad=True)
    with pytest.raises(RuntimeError, match="'multi_margin_loss' is not differentiable"):
        # before the target's size check, as in torch
        chainrule.nn.functional.multi_margin_loss(x, chainrule.tensor([0, 1]), weight=weight)


def test_adaptive_max_pool_returns_torchs_indices_with_ties_and_nan():
    """torch's CPU kernel: the first of tied maxima, and the last NaN of a window."""
    nan = float("nan")
    x = chainrule.tensor([[[[1.0, 3, 3], [3, 0, 2], [nan, 1, nan]]]], requires_grad=True)
    values, indices = chainrule.nn.functional.adaptive_max_pool2d(x, 2, return_indices=True)
    assert indices.tolist() == [[[[1, 1], [6, 8]]]]
    np.testing.assert_array_equal(values.detach().numpy(), [[[[3.0, 3.0], [nan, nan]]]])
    whole = chainrule.nn.functional.adaptive_max_pool2d(x, 1, return_indices=True)[1]
    assert whole.tolist() == [[[[8]]]]
    values.backward(chainrule.ones_like(values))
    assert x.grad.tolist() == [[[[0.0, 2.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 1.0]]]]


# =========================================================================== against live torch

_RNG = np.random.default_rng(7)


def _r(*shape):
    return _RNG.standard_normal(shape)


def _signs(*shape):
    return np.sign(_r(*shape)) + (np.sign(_r(*shape)) == 0)


def _functional(name):
    return lambda lib: getattr(lib.nn.functional, name)


def _method(name, *args, **kwargs):
    return lambda lib: lambda x: getattr(x, name)(*args, **kwargs)


_A, _B, _C = _r(3, 4), _r(3, 4), _r(3, 4)
_ONES01 = (_r(3, 4) > 0).astype(float)
_W4 = _RNG.random(4) + 0.5
_COUNTS = _RNG.integers(0, 5, (3, 4)).astype(float)
LIVE = []  # (label, fn(lib), differentiable arrays, constant arrays or values, kwargs)


def live(label, fn, arrays, consts=(), **kwargs):
    LIVE.append(pytest.param(fn, arrays, consts, kwargs, id=label))


for _red in ("mean", "sum", "none"):
    live(f"multilabel-{_red}", _functional("multilabel_soft_margin_loss"), [_A], [_ONES01],
         reduction=_red)  # fmt: skip
    live(f"multilabel-weight-{_red}", _functional("multilabel_soft_margin_loss"), [_A],
         [_ONES01, _W4], reduction=_red)  # fmt: skip
    for _p in (1, 2):
        live(f"multi_margin-p{_p}-{_red}", _functional("multi_margin_loss"), [_A],
             [np.array([0, 3, 1])], reduction=_red, p=_p)  # fmt: skip
        live(f"multi_margin-p{_p}-weight-{_red}", _functional("multi_margin_loss"), [_A],
             [np.array([0, 3, 1])], reduction=_red, p=_p, weight=_W4, margin=0.7)  # fmt: skip
        live(f"multi_margin-1d-p{_p}-{_red}", _functional("multi_margin_loss"), [_A[0]],
             [np.array(2)], reduction=_red, p=_p)  # fmt: skip
    for _swap in (False, True):
        live(f"triplet-swap{_swap}-{_red}", _functional("triplet_margin_loss"), [_A, _B, _C],
             reduction=_red, swap=_swap, p=1.5, margin=0.8)  # fmt: skip
        live(f"triplet-1d-swap{_swap}-{_red}", _functional("triplet_margin_loss"),
             [_A[0], _B[0], _C[1]], reduction=_red, swap=_swap)  # fmt: skip
    live(f"cosine-{_red}", _functional("cosine_embedding_loss"), [_A, _B],
         [np.array([1, -1, -1])], reduction=_red, margin=-0.2)  # fmt: skip
    live(f"cosine-1d-{_red}", _functional("cosine_embedding_loss"), [_A[0], _B[0]],
         [np.array(-1.0)], reduction=_red)  # fmt: skip
    live(f"ranking-{_red}", _functional("margin_ranking_loss"), [_A, _B], [_signs(3, 4)],
         reduction=_red, margin=0.3)  # fmt: skip
    live(f"hinge-{_red}", _functional("hinge_embedding_loss"), [_A], [_signs(3, 4)],
         reduction=_red, margin=0.5)  # fmt: skip
    live(f"hinge-other-labels-{_red}", _functional("hinge_embedding_loss"), [_A],
         [np.array([1.0, -1, 0, 2])], reduction=_red)  # fmt: skip
    live(f"soft_margin-{_red}", _functional("soft_margin_loss"), [_A], [_signs(3, 4)],
         reduction=_red)  # fmt: skip
    live(f"soft_margin-broadcast-{_red}", _functional("soft_margin_loss"), [_A], [_signs(4)],
         reduction=_red)  # fmt: skip
    for _log in (True, False):
        for _full in (False, True):
            live(f"poisson-log{_log}-full{_full}-{_red}", _functional("poisson_nll_loss"),
                 [_A if _log else np.abs(_A)], [_COUNTS], reduction=_red, log_input=_log,
                 full=_full)  # fmt: skip
    for _full in (False, True):
        live(f"gaussian-full{_full}-{_red}", _functional("gaussian_nll_loss"),
             [_A, _B, np.abs(_C)], reduction=_red, full=_full)  # fmt: skip
        live(f"gaussian-per-row-{_red}", _functional("gaussian_nll_loss"),
             [_A, _B, np.abs(_C[:, 0])], reduction=_red, full=_full)  # fmt: skip
        live(f"gaussian-clamped-{_red}", _functional("gaussian_nll_loss"),
             [_A, _B, np.abs(_C[:, :1]) * 1e-7], reduction=_red, full=_full, eps=1e-4)  # fmt: skip
live("gaussian-float-var", lambda lib: lambda a, b: lib.nn.functional.gaussian_nll_loss(a, b, 0.5),
     [_A, _B])  # fmt: skip
live("multilabel-1d", _functional("multilabel_soft_margin_loss"), [_A[0]], [_ONES01[0]])
live("hinge-0d", _functional("hinge_embedding_loss"), [_A[0, 0]], [np.array(-1.0)])
live("multi_margin-int-margin", _functional("multi_margin_loss"), [_A[0]], [np.array(1)], p=2,
     margin=2)  # fmt: skip
live("triplet-p0", _functional("triplet_margin_loss"), [_A, _B, _C], p=0)
live("poisson-eps", _functional("poisson_nll_loss"), [np.abs(_A)], [_COUNTS], log_input=False,
     eps=0.5, full=True)  # fmt: skip
live("soft_margin-int-target", _functional("soft_margin_loss"), [_A],
     [_signs(3, 4).astype(np.int64)])  # fmt: skip
live(
    "soft_margin-float32-input",
    lambda lib: lambda x, t: lib.nn.functional.soft_margin_loss(x.float(), t),
    [_A],
    [_signs(3, 4)],
)
live("ranking-int-target", _functional("margin_ranking_loss"), [_A[0], _A[1]],
     [np.array([1, -1, 1, 1])])  # fmt: skip
live("gaussian-int-var", lambda lib: lambda a, b: lib.nn.functional.gaussian_nll_loss(a, b, 1),
     [_A, _B])  # fmt: skip
live(
    "multi_margin-weight-dtype",
    lambda lib: lambda x, t, w: lib.nn.functional.multi_margin_loss(x.float(), t, weight=w),
    [_A],
    [np.array([0, 1, 2]), np.ones(4)],
)
live("legacy-size_average", _functional("soft_margin_loss"), [_A], [_signs(3, 4)],
     size_average=False)  # fmt: skip
live("legacy-reduce", _functional("multi_margin_loss"), [_A], [np.array([0, 1, 2])],
     reduce=False)  # fmt: skip

live("pixel_shuffle", _functional("pixel_shuffle"), [_r(2, 8, 3, 2)], [2])
live("pixel_shuffle-5d", _functional("pixel_shuffle"), [_r(2, 3, 9, 1, 2)], [3])
live("pixel_unshuffle", _functional("pixel_unshuffle"), [_r(2, 2, 4, 6)], [2])
live("pixel_unshuffle-3d", _functional("pixel_unshuffle"), [_r(1, 3, 3)], [3])
live("adaptive_max_pool2d", _functional("adaptive_max_pool2d"), [_r(2, 3, 5, 7)], [(2, 3)])
live("adaptive_max_pool2d-indices", _functional("adaptive_max_pool2d"), [_r(2, 3, 5, 7)],
     [(3, 4)], return_indices=True)  # fmt: skip
live("adaptive_max_pool2d-None", _functional("adaptive_max_pool2d"), [_r(3, 5, 7)],
     [(None, 4)], return_indices=True)  # fmt: skip
live("adaptive_max_pool2d-upsample", _functional("adaptive_max_pool2d"), [_r(1, 2, 3, 3)], [5])
live("adaptive_max_pool2d-empty-output", _functional("adaptive_max_pool2d"), [_r(1, 2, 2, 2)],
     [(0, 1)], return_indices=True)  # fmt: skip
live("adaptive_max_pool2d-empty-batch", _functional("adaptive_max_pool2d"), [_r(0, 2, 3, 2)],
     [1])  # fmt: skip
live("adaptive_max_pool1d", _functional("adaptive_max_pool1d"), [_r(2, 3, 7)], [3],
     return_indices=True)  # fmt: skip
live("adaptive_max_pool2d_with_indices", _functional("adaptive_max_pool2d_with_indices"),
     [_r(2, 3, 5, 7)], [(2, 3)])  # fmt: skip
live("adaptive_max_pool1d_with_indices", _functional("adaptive_max_pool1d_with_indices"),
     [_r(2, 3, 7)], [3])  # fmt: skip
live("adaptive_max_pool1d-2d", _functional("adaptive_max_pool1d"), [_r(3, 7)], [4])
for _p in (1, 2, 3, 1.5, float("inf")):
    live(f"lp_pool2d-{_p}", _functional("lp_pool2d"), [np.abs(_r(2, 3, 5, 6)) + 0.1], [_p, 2])
    live(f"lp_pool2d-stride-ceil-{_p}", _functional("lp_pool2d"), [np.abs(_r(2, 3, 5, 6)) + 0.1],
         [_p, (2, 3)], stride=1, ceil_mode=True)  # fmt: skip
    live(f"lp_pool1d-{_p}", _functional("lp_pool1d"), [np.abs(_r(2, 3, 7)) + 0.1], [_p, 3],
         stride=2)  # fmt: skip
live("lp_pool2d-negative-sums", _functional("lp_pool2d"), [_r(2, 3, 4, 4)], [3, 2])
live("lp_pool2d-minus-inf", _functional("lp_pool2d"), [_r(2, 3, 4, 4)], [float("-inf"), 2])
live("instance_norm", _functional("instance_norm"), [_r(2, 3, 5)])
live("instance_norm-affine",
     lambda lib: lambda x, w, b: lib.nn.functional.instance_norm(x, weight=w, bias=b, eps=1e-3),
     [_r(2, 3, 4, 5), _RNG.random(3) + 0.5, _r(3)])  # fmt: skip
live(
    "instance_norm-eval",
    lambda lib: (
        lambda x: lib.nn.functional.instance_norm(
            x, lib.arange(3.0).double(), lib.ones(3).double() * 2, use_input_stats=False
        )
    ),
    [_r(2, 3, 5)],
)
for _size in (1, 2, 3, 4):
    live(f"local_response_norm-3d-{_size}", _functional("local_response_norm"), [_r(2, 5, 4)],
         [_size], alpha=0.5, beta=0.6, k=1.5)  # fmt: skip
    live(f"local_response_norm-4d-{_size}", _functional("local_response_norm"),
         [_r(2, 5, 3, 4)], [_size])  # fmt: skip
live("local_response_norm-5d", _functional("local_response_norm"), [_r(2, 5, 2, 3, 2)], [3],
     alpha=0.3)  # fmt: skip
live("as_strided-overlap", _method("as_strided", (3, 3), (1, 1)), [_r(3, 4)])
live("as_strided-offset", _method("as_strided", (2, 2), (1, 2), 3), [_r(3, 4)])
live("as_strided-empty", _method("as_strided", (0, 2), (1, 1)), [_r(3, 4)])
live("as_strided-of-view", lambda lib: lambda x: x[1:].t().as_strided((3,), (2,)), [_r(3, 4)])
live("as_strided-of-view2", lambda lib: lambda x: x.t()[1:].as_strided((2, 3), (1, 2)),
     [_r(3, 4)])  # fmt: skip
live("as_strided-function", lambda lib: lambda x: lib.as_strided(x, (2, 2), (0, 1), 1),
     [_r(3, 4)])  # fmt: skip
live("as_strided-0d", lambda lib: lambda x: lib.as_strided(x, (), (), 5), [_r(3, 4)])
live("as_strided-transposed-result", lambda lib: lambda x: (x.t() * 2).as_strided((3, 2), (2, 1)),
     [_r(3, 4)])  # fmt: skip
live(
    "as_strided-view-of-transposed-result",
    lambda lib: lambda x: (x.t() * 2)[1:].as_strided((2, 3), (3, 1), 2),
    [_r(3, 4)],
)
live("as_strided-bounds", _method("as_strided", (2, 2), (1, 1), 11), [_r(3, 4)])


def _call(lib, fn, arrays, consts, kwargs, grad=True, warned=None):
    leaves = [lib.tensor(a, requires_grad=grad) for a in arrays]
    fixed = [lib.tensor(c) if isinstance(c, np.ndarray) else c for c in consts]
    options = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = fn(lib)(*leaves, *fixed, **options)
        except Exception as error:  # compared with what the other library raises
            return leaves, None, error
        finally:
            if warned is not None:
                warned[lib] = [(w.category.__name__, str(w.message)) for w in caught]
    return leaves, out, None


def _numpy(value):
    return value if isinstance(value, np.ndarray) else value.numpy()


@pytest.mark.parametrize("fn,arrays,consts,kwargs", LIVE)
def test_against_torch_values_grad_fn_gradients_and_second_order(fn, arrays, consts, kwargs):
    torch = pytest.importorskip("torch")
    results, warned = {}, {}
    for lib in (torch, chainrule):
        leaves, out, error = _call(lib, fn, arrays, consts, kwargs, warned=warned)
        if error is not None:
            results[lib] = (type(error).__name__, str(error))
            continue
        outs = out if isinstance(out, tuple) else (out,)
        first = outs[0]
        weights = lib.tensor(np.linspace(-1.0, 1.5, first.numel()).reshape(tuple(first.shape)))
        try:
            grads = lib.autograd.grad(first, leaves, weights, create_graph=True, allow_unused=True)
        except RuntimeError as error:  # torch refuses some backward passes: the same way
            results[lib] = ("backward", str(error))
            continue
        second = [np.zeros(a.shape) for a in arrays]  # a gradient of constant gradients
        varying = [g for g in grads if g is not None and g.requires_grad]
        if varying:  # constant gradients add nothing to the second order
            total = sum((g * g).sum() for g in varying)
            try:
                second = lib.autograd.grad(total, leaves, allow_unused=True)
            except RuntimeError as error:  # neither has a multi_margin_loss double backward
                assert "multi_margin_loss_backward" in str(error)
                results.setdefault("no second order", set()).add(lib)
        results[lib] = (
            [o.detach().numpy() for o in outs],
            type(first.grad_fn).__name__,
            [np.zeros(a.shape) if g is None else g.detach().numpy() for g, a in zip(grads, arrays)],
            [np.zeros(a.shape) if s is None else _numpy(s) for s, a in zip(second, arrays)],
        )
    assert warned[chainrule] == warned[torch]
    want, got = results[torch], results[chainrule]
    if "no second order" in results:
        assert results["no second order"] == {torch, chainrule}
        want, got = want[:3] + (None,), got[:3] + (None,)
    if isinstance(want[0], str) or isinstance(got[0], str):
        assert got == want
        return
    rtol = 1e-7 if want[0][0].dtype == np.float64 else 1e-5  # float32 rounds differently
    for a, b in zip(got[0], want[0]):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-10, equal_nan=True)
    assert got[1] == want[1]
    for a, b in zip(got[2], want[2]):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-10, equal_nan=True)
    if want[3] is not None:
        for a, b in zip(got[3], want[3]):
            if b is not None:
                np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9, equal_nan=True)


LIVE_ERRORS = []


def live_error(label, fn, arrays, consts=(), **kwargs):
    LIVE_ERRORS.append(pytest.param(fn, arrays, consts, kwargs, id=label))


live_error("multilabel-shape", _functional("multilabel_soft_margin_loss"), [_A], [np.ones((3, 5))])
live_error("multi_margin-negative-class", _functional("multi_margin_loss"), [_A],
           [np.array([0, 1, -1])])  # fmt: skip
live_error("multi_margin-weight-2d", _functional("multi_margin_loss"), [_A],
           [np.array([0, 1, 2])], weight=np.ones((2, 2)))  # fmt: skip
live_error("multi_margin-weight-size", _functional("multi_margin_loss"), [_A],
           [np.array([0, 1, 2])], weight=np.ones(3))  # fmt: skip
live_error("multi_margin-3d", _functional("multi_margin_loss"), [_A[None]], [np.array([1])])
live_error("multi_margin-float-target", _functional("multi_margin_loss"), [_A],
           [np.array([0.0, 1, 2])])  # fmt: skip
live_error("multi_margin-reduction", _functional("multi_margin_loss"), [_A],
           [np.array([0, 1, 2])], reduction="x")  # fmt: skip
live_error("triplet-batch", _functional("triplet_margin_loss"), [_A, _B, _C[:2]])
live_error("cosine-batch", _functional("cosine_embedding_loss"), [_A, _B[:2]], [np.ones(3)])
live_error("cosine-target-size", _functional("cosine_embedding_loss"), [_A, _B], [np.ones(2)])
live_error("cosine-3d", _functional("cosine_embedding_loss"), [_A[None], _B[None]],
           [np.ones((1, 3))])  # fmt: skip
live_error("cosine-0d-target", _functional("cosine_embedding_loss"), [_A, _B], [np.array(1.0)])
live_error("cosine-1d-target-1d-input", _functional("cosine_embedding_loss"), [_A[0], _B[0]],
           [np.ones(3)])  # fmt: skip
live_error("ranking-target", _functional("margin_ranking_loss"), [_A, _B], [np.ones((3, 5))])
live_error("hinge-shape", _functional("hinge_embedding_loss"), [_A], [np.ones(5)])
live_error("soft_margin-shape", _functional("soft_margin_loss"), [_A], [np.ones(5)])
live_error("poisson-shape", _functional("poisson_nll_loss"), [_A], [np.ones(5)])
live_error("gaussian-reduction", _functional("gaussian_nll_loss"), [_A, _B, np.ones((3, 4))],
           reduction="bad")  # fmt: skip
live_error("pixel_shuffle-2d", _functional("pixel_shuffle"), [_r(2, 2)], [2])
live_error("pixel_shuffle-zero", _functional("pixel_shuffle"), [_r(2, 4, 2, 2)], [0])
live_error("pixel_unshuffle-width", _functional("pixel_unshuffle"), [_r(1, 3, 2, 3)], [2])
live_error("pixel_unshuffle-negative", _functional("pixel_unshuffle"), [_r(1, 3, 2, 3)], [-1])
live_error("adaptive_max_pool2d-5d", _functional("adaptive_max_pool2d"), [_r(1, 1, 2, 2, 2)], [2])
live_error("adaptive_max_pool1d-4d", _functional("adaptive_max_pool1d"), [_r(2, 2, 2, 2)], [2])
live_error("adaptive_max_pool2d-empty-input", _functional("adaptive_max_pool2d"),
           [_r(1, 2, 0, 2)], [1])  # fmt: skip
live_error("adaptive_max_pool2d-negative", _functional("adaptive_max_pool2d"), [_r(1, 2, 3, 2)],
           [-1])  # fmt: skip
live_error("adaptive_max_pool2d-three-sizes", _functional("adaptive_max_pool2d"),
           [_r(1, 2, 3, 2)], [(1, 2, 3)])  # fmt: skip
live_error("instance_norm-one-element", _functional("instance_norm"), [_r(2, 3, 1)])
live_error("instance_norm-mean-without-var",
           lambda lib: lambda x: lib.nn.functional.instance_norm(x, lib.zeros(3).double()),
           [_r(2, 3, 5)])  # fmt: skip
live_error("instance_norm-stats-size",
           lambda lib: lambda x: lib.nn.functional.instance_norm(
               x, lib.zeros(2).double(), lib.ones(2).double()), [_r(2, 3, 5)])  # fmt: skip
live_error("local_response_norm-size-0-3d", _functional("local_response_norm"), [_r(2, 3, 4)],
           [0])  # fmt: skip
live_error("local_response_norm-size-0-4d", _functional("local_response_norm"),
           [_r(2, 3, 4, 4)], [0])  # fmt: skip
live_error("pixel_shuffle-float", _functional("pixel_shuffle"), [_r(1, 4, 2, 2)], [2.0])
live_error("pixel_unshuffle-bool", _functional("pixel_unshuffle"), [_r(1, 4, 2, 2)], [True])
live_error("adaptive_max_pool1d-two-sizes", _functional("adaptive_max_pool1d"), [_r(2, 3, 4)],
           [(2, 3)])  # fmt: skip
live_error("as_strided-float-offset", _method("as_strided", (2, 2), (1, 1), 1.5), [_r(3, 4)])
live_error("as_strided-float-size", _method("as_strided", (2.0, 2), (1, 1)), [_r(3, 4)])
live_error("local_response_norm-2d", _functional("local_response_norm"), [_r(2, 5)], [3])
live_error("as_strided-bounds", _method("as_strided", (2, 2), (1, 1), 12), [_r(3, 4)])


@pytest.mark.parametrize("fn,arrays,consts,kwargs", LIVE_ERRORS)
def test_errors_against_torch(fn, arrays, consts, kwargs):
    torch = pytest.importorskip("torch")
    raised = {}
    for lib in (torch, chainrule):
        _, out, error = _call(lib, fn, arrays, consts, kwargs)
        assert error is not None, f"{lib.__name__} did not raise"
        raised[lib] = (type(error).__name__, str(error))
    assert raised[chainrule] == raised[torch]


def test_golden_file_is_what_torch_says():
    torch = pytest.importorskip("torch")
    for name, (fn, values) in CASES.items():
        leaves = _leaves(torch, values)
        out = fn(torch, *leaves)
        out.backward(torch.ones_like(out))
        np.testing.assert_allclose(out.detach().flatten().numpy(), GOLDEN[name]["values"])
        assert type(out.grad_fn).__name__ == GOLDEN[name]["grad_fn"]


@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.parametrize("track", [False, True])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_instance_norm_modules_against_torch(affine, track, momentum):
    torch = pytest.importorskip("torch")
    x = _r(2, 3, 4, 5)
    seen = {}
    for lib in (torch, chainrule):
        m = lib.nn.InstanceNorm2d(3, affine=affine, track_running_stats=track, momentum=momentum)
        m = m.double()
        outs = []
        for step in range(2):
            leaf = lib.tensor(x * (step + 1), requires_grad=True)
            out = m(leaf)
            out.backward(lib.tensor(np.cos(x)))
            outs += [out.detach().numpy(), leaf.grad.numpy()]
        m.eval()
        outs.append(m(lib.tensor(x[0])).detach().numpy())  # unbatched
        state = {k: v.numpy() for k, v in m.state_dict().items()}
        grads = [p.grad.numpy() for p in m.parameters()]
        seen[lib] = (outs, state, grads, repr(m))
    (t_outs, t_state, t_grads, t_repr), (c_outs, c_state, c_grads, c_repr) = seen.values()
    assert c_repr == t_repr
    assert sorted(c_state) == sorted(t_state)
    for a, b in zip(c_outs + c_grads, t_outs + t_grads):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10)
    for key in t_state:
        np.testing.assert_allclose(c_state[key], t_state[key], rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize(
    "make,shape,args",
    [
        (lambda nn: nn.MultiMarginLoss(p=2, margin=0.4), (3, 4), ([0, 3, 1],)),
        (lambda nn: nn.MultiLabelSoftMarginLoss(reduction="sum"), (3, 4), (_ONES01,)),
        (lambda nn: nn.SoftMarginLoss(reduction="none"), (3, 4), (_signs(3, 4),)),
        (lambda nn: nn.HingeEmbeddingLoss(margin=0.2), (3, 4), (_signs(3, 4),)),
        (lambda nn: nn.PoissonNLLLoss(full=True), (3, 4), (_COUNTS,)),
        (lambda nn: nn.CosineEmbeddingLoss(margin=0.1), (3, 4), (_B, [1, -1, 1])),
        (lambda nn: nn.MarginRankingLoss(margin=0.1), (3, 4), (_B, _signs(3, 4))),
        (lambda nn: nn.TripletMarginLoss(p=1.0, swap=True), (3, 4), (_B, _C)),
        (lambda nn: nn.GaussianNLLLoss(eps=0.1), (3, 4), (_B, np.abs(_C))),
        (lambda nn: nn.LocalResponseNorm(3, k=2.0), (2, 5, 3), ()),
        (lambda nn: nn.AdaptiveMaxPool2d((2, None), return_indices=True), (2, 5, 3), ()),
        (lambda nn: nn.AdaptiveMaxPool1d(2), (2, 5, 3), ()),
        (lambda nn: nn.LPPool2d(2, 2, stride=1), (2, 5, 3), ()),
        (lambda nn: nn.LPPool1d(3, 2, ceil_mode=True), (2, 5, 3), ()),
        (lambda nn: nn.PixelShuffle(2), (2, 8, 1, 3), ()),
        (lambda nn: nn.PixelUnshuffle(2), (2, 1, 4, 2), ()),
        (lambda nn: nn.InstanceNorm1d(5), (5, 3), ()),
        (lambda nn: nn.InstanceNorm3d(2, affine=True), (1, 2, 2, 3, 2), ()),
    ],
)
def test_modules_against_torch(make, shape, args):
    torch = pytest.importorskip("torch")
    x = np.abs(_r(*shape)) + 0.1
    seen = {}
    for lib in (torch, chainrule):
        module = make(lib.nn).double()
        leaf = lib.tensor(x, requires_grad=True)
        extra = [lib.tensor(np.asarray(a)) for a in args]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = module(leaf, *extra)
        first = out[0] if isinstance(out, tuple) else out
        first.backward(lib.ones_like(first))
        values = [o.detach().numpy() for o in (out if isinstance(out, tuple) else (out,))]
        said = [str(w.message) for w in caught]
        seen[lib] = (values, leaf.grad.numpy(), (repr(module), said, type(first.grad_fn).__name__))
    (t_values, t_grad, t_meta), (c_values, c_grad, c_meta) = seen.values()
    assert c_meta == t_meta
    for a, b in zip(c_values + [c_grad], t_values + [t_grad]):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10)


def test_soft_margin_loss_keeps_the_input_dtype_and_takes_integer_targets():
    """torch computes it in a buffer of the input's dtype: a float64 or int64 target does not
    promote a float32 loss (nor its gradient)."""
    x = chainrule.tensor(X, requires_grad=True)
    for target in (chainrule.tensor(SIGNS, dtype=chainrule.float64),
                   chainrule.tensor(SIGNS, dtype=chainrule.int64)):  # fmt: skip
        loss = chainrule.nn.functional.soft_margin_loss(x, target)
        assert loss.dtype == chainrule.float32
        np.testing.assert_allclose(loss.item(), 0.6832107084726502, rtol=1e-6)
        loss.backward()
        assert x.grad.dtype == chainrule.float32
        x.grad = None


@pytest.mark.parametrize(
    "module",
    ["ops.strided", "ops.nn_more", "nn.loss_more", "nn.norm_more", "nn.pooling_more",
     "nn.pixelshuffle"],
)  # fmt: skip
def test_docstring_examples_print_what_they_show(module):
    import doctest
    import importlib

    mod = importlib.import_module(f"chainrule.{module}")
    names = {k: getattr(chainrule, k) for k in dir(chainrule) if not k.startswith("_")}
    names.update({k: getattr(mod, k) for k in dir(mod) if not k.startswith("__")})
    result = doctest.testmod(mod, extraglobs=names, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
