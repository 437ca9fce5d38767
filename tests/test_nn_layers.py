"""torch.nn layers against live torch: the same weights copied into both, then forward
values, parameter and input gradients, grad_fn names and reprs must agree."""

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch")


def _to_chainrule(value):
    return chainrule.tensor(value.detach().numpy().copy())


def _copy_weights(t_module, c_module):
    """torch's state into chainrule's module (strict: every name must exist on both sides)."""
    state = {k: _to_chainrule(v) for k, v in t_module.state_dict().items()}
    c_module.load_state_dict(state)


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat(o)]
    return [] if out is None else [out]


def _grad_fn_name(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def check_layer(build, *inputs, train=True, grad_fn=True, atol=1e-10, call=None, seed=0):
    """Build the layer in both libraries (float64), copy the weights, compare everything."""
    rng = np.random.default_rng(seed)
    t_layer = build(torch.nn).double()
    c_layer = build(chainrule.nn).double()
    assert repr(c_layer) == repr(t_layer)
    assert [n for n, _ in c_layer.named_parameters()] == [n for n, _ in t_layer.named_parameters()]
    assert list(c_layer.state_dict()) == list(t_layer.state_dict())
    _copy_weights(t_layer, c_layer)
    t_layer.train(train)
    c_layer.train(train)
    t_inputs, c_inputs = [], []
    for value in inputs:
        array = np.asarray(value)
        floating = array.dtype.kind == "f"
        t_inputs.append(torch.tensor(array, requires_grad=floating))
        c_inputs.append(chainrule.tensor(array, requires_grad=floating))
    call = call or (lambda layer, *xs: layer(*xs))
    t_out, c_out = _flat(call(t_layer, *t_inputs)), _flat(call(c_layer, *c_inputs))
    assert len(c_out) == len(t_out)
    for c, t in zip(c_out, t_out):
        assert tuple(c.shape) == tuple(t.shape)
        np.testing.assert_allclose(c.detach().numpy(), t.detach().numpy(), atol=atol, rtol=1e-7)
        if grad_fn:
            assert _grad_fn_name(c) == _grad_fn_name(t)
    weights = [rng.normal(size=tuple(t.shape)) for t in t_out]
    t_pairs = [(t, torch.tensor(w)) for t, w in zip(t_out, weights) if t.requires_grad]
    c_pairs = [(c, chainrule.tensor(w)) for c, w in zip(c_out, weights) if c.requires_grad]
    torch.autograd.backward([t for t, _ in t_pairs], [w for _, w in t_pairs])
    chainrule.autograd.backward([c for c, _ in c_pairs], [w for _, w in c_pairs])
    for (name, t_param), (_, c_param) in zip(
        t_layer.named_parameters(), c_layer.named_parameters()
    ):
        if t_param.grad is None:
            assert c_param.grad is None, name
            continue
        np.testing.assert_allclose(
            c_param.grad.numpy(), t_param.grad.numpy(), atol=atol, rtol=1e-7, err_msg=name
        )
    for t_in, c_in in zip(t_inputs, c_inputs):
        if t_in.requires_grad and t_in.grad is None:
            assert c_in.grad is None
        elif t_in.requires_grad:
            np.testing.assert_allclose(c_in.grad.numpy(), t_in.grad.numpy(), atol=atol, rtol=1e-7)
    for (name, t_buf), (_, c_buf) in zip(t_layer.named_buffers(), c_layer.named_buffers()):
        np.testing.assert_allclose(c_buf.numpy(), t_buf.numpy(), atol=atol, err_msg=name)
    return c_layer, c_out


def randn(*shape, seed=1):
    return np.random.default_rng(seed).normal(size=shape)


# --------------------------------------------------------------------------- linear


@pytest.mark.parametrize("shape", [(4, 3), (3,), (2, 5, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_values_grads_and_grad_fn(shape, bias):
    check_layer(lambda nn: nn.Linear(3, 2, bias=bias), randn(*shape))


def test_linear_records_addmm_with_t_of_the_weight():
    layer = chainrule.nn.Linear(3, 2)
    out = layer(chainrule.ones(4, 3))
    assert type(out.grad_fn).__name__ == "AddmmBackward0"
    names = [type(n).__name__ if n is not None else None for n, _ in out.grad_fn.next_functions]
    assert names == ["AccumulateGrad", None, "TBackward0"]


@pytest.mark.parametrize(
    "shape,dtype", [((2, 4), "float32"), ((4,), "float32"), ((5, 2, 4), "float32"),
                    ((2, 3), "float64"), ((2, 3), "int64")]
)  # fmt: skip
def test_linear_errors_match_torch(shape, dtype):
    messages = []
    for lib in (torch, chainrule):
        layer = lib.nn.Linear(3, 2)
        with pytest.raises(RuntimeError) as info:
            layer(lib.ones(*shape, dtype=getattr(lib, dtype)))
        messages.append(str(info.value))
    assert messages[1] == messages[0]


def test_bilinear():
    check_layer(lambda nn: nn.Bilinear(2, 3, 4), randn(5, 2), randn(5, 3, seed=2))
    check_layer(lambda nn: nn.Bilinear(2, 3, 4, bias=False), randn(2, 5, 2), randn(2, 5, 3))


def test_identity_flatten_unflatten():
    check_layer(lambda nn: nn.Identity(3, x=1), randn(2, 3))
    check_layer(lambda nn: nn.Flatten(), randn(2, 3, 4))
    check_layer(lambda nn: nn.Flatten(0, 1), randn(2, 3, 4))
    check_layer(lambda nn: nn.Unflatten(1, (2, 3)), randn(4, 6), grad_fn=False)


# --------------------------------------------------------------------------- convolution


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"stride": 2, "padding": 1},
        {"padding": "same", "dilation": 2},
        {"padding": "valid", "bias": False},
        {"groups": 2, "padding": (1, 0), "stride": (1, 2)},
        {"padding": 1, "padding_mode": "reflect"},
        {"padding": 2, "padding_mode": "circular"},
        {"padding": 1, "padding_mode": "replicate"},
    ],
)
def test_conv2d(kwargs):
    check_layer(lambda nn: nn.Conv2d(4, 6, 3, **kwargs), randn(2, 4, 7, 6))


@pytest.mark.parametrize(
    "kwargs", [{}, {"stride": 2, "padding": 2, "dilation": 2}, {"groups": 2, "bias": False},
               {"padding": "same"}, {"padding": 1, "padding_mode": "reflect"}]
)  # fmt: skip
def test_conv1d(kwargs):
    check_layer(lambda nn: nn.Conv1d(4, 6, 3, **kwargs), randn(2, 4, 9))
    check_layer(lambda nn: nn.Conv1d(4, 6, 3, **kwargs), randn(4, 9))  # unbatched


def test_conv_default_init_bounds_follow_torch():
    conv = chainrule.nn.Conv2d(4, 8, 3, groups=2)
    bound = 1 / np.sqrt(2 * 9)
    assert np.abs(conv.weight.detach().numpy()).max() <= bound
    assert np.abs(conv.weight.detach().numpy()).max() > 0.8 * bound
    assert np.abs(conv.bias.detach().numpy()).max() <= bound


@pytest.mark.parametrize(
    "build,error",
    [
        (lambda nn: nn.Conv2d(3, 4, 3, groups=2), ValueError),
        (lambda nn: nn.Conv2d(4, 4, 3, padding="same", stride=2), ValueError),
        (lambda nn: nn.Conv2d(4, 4, 3, padding="full"), ValueError),
    ],
)
def test_conv_constructor_errors(build, error):
    with pytest.raises(error) as t_info:
        build(torch.nn)
    with pytest.raises(error) as c_info:
        build(chainrule.nn)
    # torch prints a Python set of the valid strings, whose order changes from run to run
    assert str(c_info.value).split("{")[0] == str(t_info.value).split("{")[0]


def test_conv_channel_mismatch_message():
    messages = []
    for lib in (torch, chainrule):
        with pytest.raises(RuntimeError) as info:
            lib.nn.Conv2d(3, 4, 3)(lib.ones(1, 2, 5, 5))
        messages.append(str(info.value))
    assert messages[1] == messages[0]


# --------------------------------------------------------------------------- pooling


@pytest.mark.parametrize(
    "build",
    [
        lambda nn: nn.MaxPool2d(2),
        lambda nn: nn.MaxPool2d(3, 2, 1, ceil_mode=True),
        lambda nn: nn.MaxPool2d((2, 3), stride=1, dilation=(2, 1)),
        lambda nn: nn.AvgPool2d(2),
        lambda nn: nn.AvgPool2d(3, 2, 1, count_include_pad=False),
        lambda nn: nn.AvgPool2d(3, 2, 1, ceil_mode=True),
        lambda nn: nn.AdaptiveAvgPool2d((3, 2)),
        lambda nn: nn.AdaptiveAvgPool2d((None, 4)),
    ],
)
def test_pooling(build):
    check_layer(build, randn(2, 3, 7, 6))


@pytest.mark.parametrize(
    "build",
    [
        lambda nn: nn.ZeroPad2d(1), lambda nn: nn.ZeroPad1d((2, 0)),
        lambda nn: nn.ConstantPad1d((1, 2), 3.5), lambda nn: nn.ConstantPad2d(2, 1.0),
        lambda nn: nn.ReflectionPad1d(2), lambda nn: nn.ReflectionPad2d((1, 0, 2, 1)),
        lambda nn: nn.ReplicationPad1d(1), lambda nn: nn.ReplicationPad2d((0, 1, 2, 3)),
        lambda nn: nn.CircularPad1d(1), lambda nn: nn.CircularPad2d((1, 2, 0, 1)),
    ],
)  # fmt: skip
def test_padding_modules(build):
    layer = build(chainrule.nn)
    check_layer(build, randn(2, 3, 4, 5) if "2d" in type(layer).__name__ else randn(2, 3, 5))


@pytest.mark.parametrize(
    "build",
    [
        lambda nn: nn.MaxPool1d(2), lambda nn: nn.MaxPool1d(3, 2, 1, ceil_mode=True),
        lambda nn: nn.MaxPool1d(2, dilation=2, return_indices=True),
        lambda nn: nn.AvgPool1d(3), lambda nn: nn.AvgPool1d(3, 2, 1, count_include_pad=False),
        lambda nn: nn.AdaptiveAvgPool1d(3),
    ],
)  # fmt: skip
def test_pooling_1d(build):
    check_layer(build, randn(2, 3, 9))
    check_layer(build, randn(3, 9))


def test_max_pool_return_indices():
    check_layer(lambda nn: nn.MaxPool2d(2, return_indices=True), randn(1, 2, 4, 6))


# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    "build,shape",
    [
        (lambda nn: nn.BatchNorm1d(3), (4, 3)),
        (lambda nn: nn.BatchNorm1d(3, momentum=0.3), (4, 3, 5)),
        (lambda nn: nn.BatchNorm1d(3, affine=False), (4, 3)),
        (lambda nn: nn.BatchNorm2d(3), (2, 3, 4, 5)),
        (lambda nn: nn.BatchNorm2d(3, momentum=None), (2, 3, 4, 5)),
        (lambda nn: nn.BatchNorm2d(3, track_running_stats=False), (2, 3, 4, 5)),
        (lambda nn: nn.BatchNorm2d(3, bias=False), (2, 3, 4, 5)),
        (lambda nn: nn.LayerNorm(5), (2, 3, 5)),
        (lambda nn: nn.LayerNorm((3, 5), elementwise_affine=False), (2, 3, 5)),
        (lambda nn: nn.LayerNorm(5, bias=False), (2, 5)),
        (lambda nn: nn.GroupNorm(2, 4), (3, 4, 5)),
        (lambda nn: nn.GroupNorm(1, 4, affine=False), (3, 4, 2, 2)),
    ],
)
def test_norm_layers_train(build, shape):
    check_layer(build, randn(*shape))


def test_batch_norm_running_stats_and_eval_mode():
    t_bn, c_bn = torch.nn.BatchNorm2d(3).double(), chainrule.nn.BatchNorm2d(3).double()
    for seed in range(3):
        x = randn(4, 3, 2, 2, seed=seed) * (seed + 1) + seed
        t_bn(torch.tensor(x))
        c_bn(chainrule.tensor(x))
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(getattr(c_bn, name).numpy(), getattr(t_bn, name).numpy())
    assert c_bn.num_batches_tracked.item() == 3
    t_bn.eval()
    c_bn.eval()
    x = randn(2, 3, 2, 2, seed=9)
    np.testing.assert_allclose(
        c_bn(chainrule.tensor(x)).detach().numpy(), t_bn(torch.tensor(x)).detach().numpy()
    )
    check_layer(lambda nn: nn.BatchNorm1d(3), randn(4, 3), train=False)


@pytest.mark.parametrize(
    "build,shape,error",
    [
        (lambda nn: nn.BatchNorm1d(3), (1, 3), ValueError),
        (lambda nn: nn.BatchNorm1d(3), (2, 3, 4, 5), ValueError),
        (lambda nn: nn.BatchNorm2d(3), (2, 3, 4), ValueError),
        (lambda nn: nn.BatchNorm1d(3), (2, 4), RuntimeError),
        (lambda nn: nn.LayerNorm(4), (2, 3), RuntimeError),
        (lambda nn: nn.GroupNorm(2, 4), (2, 3, 4), RuntimeError),
    ],
)
def test_norm_errors(build, shape, error):
    messages = []
    for lib in (torch, chainrule):
        with pytest.raises(error) as info:
            build(lib.nn)(lib.ones(*shape))
        messages.append(str(info.value))
    assert messages[1] == messages[0]


# --------------------------------------------------------------------------- embedding, dropout


def test_embedding_with_padding_idx():
    indices = np.array([[0, 2, 4], [2, 2, 1]])
    _, (out,) = check_layer(lambda nn: nn.Embedding(5, 3, padding_idx=2), indices)
    layer = chainrule.nn.Embedding(5, 3, padding_idx=2)
    assert np.all(layer.weight.detach().numpy()[2] == 0)


def test_embedding_from_pretrained_freezes():
    weights = randn(4, 2)
    for lib in (torch, chainrule):
        frozen = lib.nn.Embedding.from_pretrained(lib.tensor(weights))
        assert not frozen.weight.requires_grad
        trainable = lib.nn.Embedding.from_pretrained(lib.tensor(weights), freeze=False)
        assert trainable.weight.requires_grad
    out = chainrule.nn.Embedding.from_pretrained(chainrule.tensor(weights))(chainrule.tensor([3]))
    np.testing.assert_allclose(out.numpy(), weights[[3]])


def test_embedding_errors():
    for call, error in (
        (lambda lib: lib.nn.Embedding(3, 2)(lib.tensor([1.0])), RuntimeError),
        (lambda lib: lib.nn.Embedding(3, 2)(lib.tensor([5])), IndexError),
        (lambda lib: lib.nn.Embedding(3, 2, padding_idx=3), AssertionError),
        (lambda lib: lib.nn.Embedding.from_pretrained(lib.ones(3)), AssertionError),
    ):
        messages = []
        for lib in (torch, chainrule):
            with pytest.raises(error) as info:
                call(lib)
            messages.append(str(info.value))
        assert messages[1] == messages[0]


def test_dropout_train_and_eval():
    chainrule.manual_seed(0)
    layer = chainrule.nn.Dropout(0.25)
    x = chainrule.ones(20000, requires_grad=True)
    out = layer(x)
    values = out.detach().numpy()
    assert set(np.unique(values)) == {0.0, np.float32(1 / 0.75)}
    assert abs((values == 0).mean() - 0.25) < 0.02
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), values)
    assert type(out.grad_fn).__name__ == "MulBackward0"
    layer.eval()
    assert layer(x) is x
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        chainrule.nn.Dropout(1.5)
    assert np.all(chainrule.nn.functional.dropout(chainrule.ones(5), 1.0).numpy() == 0)


def test_small_cnn_trains_like_torch_in_float32():
    """Same weights, same data, plain SGD steps written out: the losses follow torch's."""

    def build(nn):
        return nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 4, 3, groups=2), nn.GELU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
            nn.Linear(4, 3),
        )  # fmt: skip

    t_net, c_net = build(torch.nn), build(chainrule.nn)
    _copy_weights(t_net, c_net)
    x = randn(8, 1, 8, 8).astype(np.float32)
    y = np.array([0, 1, 2, 0, 1, 2, 0, 1])
    losses = {}
    for lib, net in ((torch, t_net), (chainrule, c_net)):
        losses[lib] = []
        for _ in range(3):
            loss = lib.nn.functional.cross_entropy(net(lib.tensor(x)), lib.tensor(y))
            net.zero_grad()
            loss.backward()
            with lib.no_grad():
                for p in net.parameters():
                    p -= 0.1 * p.grad
            losses[lib].append(loss.item())
        assert net(lib.tensor(x)).dtype == lib.float32
    np.testing.assert_allclose(losses[chainrule], losses[torch], rtol=1e-4)


def test_batch_norm_output_rounds_like_torchs_kernel():
    # torch computes x * alpha + beta (alpha = invstd * weight, beta = bias - mean * alpha):
    # the element equal to the mean comes out as -5.96e-08, not 0
    x = np.float32([[1.0, 10.0], [3.0, 20.0], [5.0, 60.0]])
    rng = np.random.default_rng(1)
    x4 = (rng.standard_normal((8, 3, 4, 4)) * 3 + 1).astype(np.float32)
    outs = []
    for lib in (chainrule, torch):
        bn = lib.nn.BatchNorm1d(2, momentum=0.5)
        bn4 = lib.nn.BatchNorm2d(3)
        with lib.no_grad():
            bn4.weight.copy_(lib.tensor([0.5, -1.5, 2.0]))
            bn4.bias.copy_(lib.tensor([0.1, 0.2, -0.3]))
        first = bn(lib.tensor(x)).detach().numpy()
        train4 = bn4(lib.tensor(x4)).detach().numpy()
        bn4.eval()
        eval4 = bn4(lib.tensor(x4)).detach().numpy()
        outs.append((first, train4, bn4.running_mean.numpy(), eval4))
    (first, train4, mean4, eval4), (t_first, t_train4, t_mean4, t_eval4) = outs
    np.testing.assert_array_equal(first, t_first)
    np.testing.assert_array_equal(mean4, t_mean4)
    np.testing.assert_allclose(train4, t_train4, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(eval4, t_eval4, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "build,shape",
    [
        (lambda nn: nn.Threshold(0.5, -2.0), (3, 4)),
        (lambda nn: nn.PReLU(), (3, 4)),
        (lambda nn: nn.PReLU(num_parameters=4, init=0.1), (3, 4, 2)),
    ],
)
def test_threshold_and_prelu_record_torchs_nodes(build, shape):
    check_layer(build, randn(*shape))


def test_prelu_rejects_a_channel_count_mismatch():
    with pytest.raises(RuntimeError, match="Found parameter numbers = 4 and channel size = 1"):
        chainrule.nn.PReLU(4)(chainrule.ones(3))
