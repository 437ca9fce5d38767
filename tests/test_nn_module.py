"""Module mechanics, containers, init and utils, checked against live torch."""

import copy
import math
import pickle
import warnings

import numpy as np
import pytest
from test_nn_layers import check_layer, randn

import chainrule

torch = pytest.importorskip("torch")


def both(build):
    return build(torch), build(chainrule)


class _Net:
    """The same small model in both libraries."""

    @staticmethod
    def build(lib):
        nn = lib.nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.features = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten())
                self.heads = nn.ModuleDict({"a": nn.Linear(8, 2), "b": nn.Linear(8, 3)})
                self.extra = nn.ParameterList([nn.Parameter(lib.ones(2))])
                self.scales = nn.ParameterDict({"s": nn.Parameter(lib.ones(1))})
                self.blocks = nn.ModuleList([nn.Tanh(), nn.Tanh(), nn.Sigmoid()])
                self.register_buffer("seen", lib.zeros(1))
                self.register_buffer("cache", lib.zeros(2), persistent=False)

            def forward(self, x):
                h = self.features(x)
                return self.heads["a"](h) * self.extra[0] * self.scales["s"]

        return Net()


def test_names_state_dict_and_repr_match_torch():
    t_net, c_net = both(_Net.build)
    assert [n for n, _ in c_net.named_parameters()] == [n for n, _ in t_net.named_parameters()]
    assert [n for n, _ in c_net.named_buffers()] == [n for n, _ in t_net.named_buffers()]
    assert list(c_net.state_dict()) == list(t_net.state_dict())
    assert [n for n, _ in c_net.named_modules()] == [n for n, _ in t_net.named_modules()]
    assert [n for n, _ in c_net.named_children()] == [n for n, _ in t_net.named_children()]
    assert repr(c_net) == repr(t_net)


def test_copied_state_gives_the_same_forward_and_grads():
    t_net, c_net = both(_Net.build)
    c_net.load_state_dict({k: chainrule.tensor(v.numpy()) for k, v in t_net.state_dict().items()})
    x = randn(2, 1, 4, 4)
    t_out, c_out = t_net(torch.tensor(x, dtype=torch.float32)), c_net(chainrule.tensor(x).float())
    np.testing.assert_allclose(c_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-5)
    t_out.sum().backward()
    c_out.sum().backward()
    for (n, t), (_, c) in zip(t_net.named_parameters(), c_net.named_parameters()):
        if t.grad is None:  # the unused head
            assert c.grad is None
            continue
        np.testing.assert_allclose(c.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-6, err_msg=n)


def test_load_state_dict_messages_match_torch():
    messages = []
    for lib in (torch, chainrule):
        layer = lib.nn.Linear(2, 3)
        with pytest.raises(RuntimeError) as info:
            layer.load_state_dict({"weight": lib.ones(2, 3), "x": lib.ones(1)})
        messages.append(str(info.value))
        assert repr(layer.load_state_dict(layer.state_dict())) == "<All keys matched successfully>"
        result = layer.load_state_dict({"weight": lib.ones(3, 2)}, strict=False)
        assert repr(result) == "_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=[])"
    assert messages[1] == messages[0]


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.nn.Linear(2, 3).register_buffer("weight", lib.ones(1)),
        lambda lib: lib.nn.Linear(2, 3).register_parameter("w", lib.ones(1)),
        lambda lib: lib.nn.Linear(2, 3).register_buffer("a.b", lib.ones(1)),
        lambda lib: lib.nn.Linear(2, 3).register_buffer("bb", 3),
        lambda lib: lib.nn.Linear(2, 3).no_such_attribute,
        lambda lib: lib.nn.Linear(2, 3).to(lib.int64),
        lambda lib: lib.nn.Sequential(lib.nn.ReLU())[3],
        lambda lib: lib.nn.ModuleList([lib.nn.ReLU()])[-2],
        lambda lib: lib.nn.ModuleDict()["x"],
    ],
)
def test_module_errors_match_torch(call):
    with pytest.raises(Exception) as t_info:
        call(torch)
    with pytest.raises(type(t_info.value)) as c_info:
        call(chainrule)
    assert str(c_info.value) == str(t_info.value)


def test_hooks_train_eval_zero_grad_requires_grad_apply():
    layer = chainrule.nn.Linear(3, 2)
    seen = []
    pre = layer.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    post = layer.register_forward_hook(lambda m, args, out: seen.append(args[0].sum().item()))
    layer(chainrule.ones(1, 3))
    assert seen == [6.0]
    pre.remove()
    post.remove()
    layer(chainrule.ones(1, 3))
    assert seen == [6.0]
    replaced = layer.register_forward_hook(lambda m, args, out: out * 0)
    assert layer(chainrule.ones(1, 3)).abs().sum().item() == 0
    replaced.remove()

    net = chainrule.nn.Sequential(chainrule.nn.Linear(3, 3), chainrule.nn.Dropout())
    assert not net.eval().training and not net[1].training
    assert net.train().training and net[1].training
    net(chainrule.ones(2, 3)).sum().backward()
    net.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    visited = []
    net.apply(lambda m: visited.append(type(m).__name__))
    assert visited == ["Linear", "Dropout", "Sequential"]


def test_to_double_float_keep_parameter_identity():
    layer = chainrule.nn.Linear(2, 2)
    weight = layer.weight
    layer.double()
    assert layer.weight is weight and weight.dtype == chainrule.float64
    layer.to(chainrule.float32)
    assert weight.dtype == chainrule.float32
    bn = chainrule.nn.BatchNorm1d(2).double()
    assert bn.running_mean.dtype == chainrule.float64
    assert bn.num_batches_tracked.dtype == chainrule.int64


def test_containers_behave_like_torch():
    for lib in (torch, chainrule):
        nn = lib.nn
        seq = nn.Sequential(nn.ReLU(), nn.Tanh(), nn.Sigmoid())
        assert repr(seq[1:]) == "Sequential(\n  (1): Tanh()\n  (2): Sigmoid()\n)"
        del seq[0]
        assert repr(seq) == "Sequential(\n  (0): Tanh()\n  (1): Sigmoid()\n)"
        repeated = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU()])
        assert repr(repeated) == (
            "ModuleList(\n  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)\n"
            "  (3): ReLU()\n)"
        )
        params = nn.ParameterList([nn.Parameter(lib.ones(2, dtype=lib.float64)), lib.ones(1)])
        assert isinstance(params[1], nn.Parameter) and len(params) == 2
        assert repr(params) == (
            "ParameterList(\n    (0): Parameter containing: [torch.float64 of size 2]\n"
            "    (1): Parameter containing: [torch.float32 of size 1]\n)"
        )
        pdict = nn.ParameterDict({"x": nn.Parameter(lib.ones(2)), "y": lib.ones(2, 3)})
        assert list(pdict.keys()) == ["x", "y"]
        assert [n for n, _ in pdict.named_parameters()] == ["x", "y"]
        assert repr(nn.ParameterDict({"x": nn.Parameter(lib.ones(2))})) == (
            "ParameterDict(  (x): Parameter containing: [torch.FloatTensor of size 2])"
        )


def test_deepcopy_and_pickle_round_trip():
    nn = chainrule.nn
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.ModuleDict({"a": nn.ReLU()}))
    net[1].register_buffer("cache", chainrule.ones(1), persistent=False)
    clone = copy.deepcopy(net)
    assert clone[0].weight is not net[0].weight
    assert chainrule.equal(clone[0].weight, net[0].weight)
    again = pickle.loads(pickle.dumps(net))
    assert list(again.state_dict()) == list(net.state_dict())


# --------------------------------------------------------------------------- init


@pytest.mark.parametrize(
    "args", [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",), ("leaky_relu",),
             ("leaky_relu", 0.2), ("selu",)]
)  # fmt: skip
def test_calculate_gain(args):
    assert chainrule.nn.init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)


def test_init_errors_match_torch():
    for call in (
        lambda lib: lib.nn.init.calculate_gain("foo"),
        lambda lib: lib.nn.init.calculate_gain("leaky_relu", "x"),
        lambda lib: lib.nn.init.xavier_uniform_(lib.empty(3)),
        lambda lib: lib.nn.init.kaiming_uniform_(lib.empty(3, 3), mode="fan_avg"),
        lambda lib: lib.nn.init.eye_(lib.empty(3, 3, 3)),
        lambda lib: lib.nn.init.orthogonal_(lib.empty(3)),
    ):
        with pytest.raises(ValueError) as t_info:
            call(torch)
        with pytest.raises(ValueError) as c_info:
            call(chainrule)
        assert str(c_info.value) == str(t_info.value)


def test_init_distributions_and_bounds():
    init = chainrule.nn.init
    chainrule.manual_seed(0)
    w = chainrule.empty(400, 300)
    bound = math.sqrt(6 / 700)
    values = init.xavier_uniform_(w).numpy()
    assert values.max() <= bound and values.max() > 0.99 * bound
    assert abs(init.xavier_normal_(w).numpy().std() - math.sqrt(2 / 700)) < 0.002
    gain = math.sqrt(2)
    values = init.kaiming_uniform_(w, nonlinearity="relu").numpy()
    assert values.max() <= gain * math.sqrt(3 / 300) and values.max() > 0.99 * gain * math.sqrt(
        3 / 300
    )
    std = init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu").numpy().std()
    assert abs(std - gain / math.sqrt(400)) < 0.002
    values = init.trunc_normal_(w, mean=1.0, std=2.0, a=-1.0, b=2.0).numpy()
    assert values.min() >= -1.0 and values.max() <= 2.0
    values = init.uniform_(w, -0.5, 0.25).numpy()
    assert values.min() >= -0.5 and values.max() <= 0.25
    assert abs(init.normal_(w, 3.0, 0.5).numpy().mean() - 3.0) < 0.01
    np.testing.assert_array_equal(init.constant_(w, 0.3).numpy(), np.float32(0.3))
    np.testing.assert_array_equal(init.ones_(w).numpy(), 1)
    np.testing.assert_array_equal(init.zeros_(w).numpy(), 0)
    np.testing.assert_array_equal(init.eye_(chainrule.empty(2, 3)).numpy(), np.eye(2, 3))
    q = init.orthogonal_(chainrule.empty(3, 5, dtype=chainrule.float64), gain=2).numpy()
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(3), atol=1e-12)


def test_init_leaves_no_graph_and_bumps_version():
    p = chainrule.nn.Parameter(chainrule.empty(3, 3))
    version = p._version
    chainrule.nn.init.normal_(p)
    assert p.grad_fn is None and p.requires_grad and p._version == version + 1


# --------------------------------------------------------------------------- utils


def test_clip_grad_norm_value_and_vectors_match_torch():
    results = []
    for lib in (torch, chainrule):
        lib.manual_seed(0)
        layer = lib.nn.Linear(3, 2).double()
        with lib.no_grad():
            layer.weight.copy_(lib.tensor(randn(2, 3)))
            layer.bias.copy_(lib.tensor(randn(2, seed=2)))
        layer(lib.tensor(randn(4, 3, seed=3))).pow(2).sum().backward()
        norm = lib.nn.utils.clip_grad_norm_(layer.parameters(), 0.5)
        inf_norm = lib.nn.utils.clip_grad_norm_(layer.parameters(), 0.1, norm_type="inf")
        lib.nn.utils.clip_grad_value_(layer.parameters(), 0.05)
        vector = lib.nn.utils.parameters_to_vector(layer.parameters())
        lib.nn.utils.vector_to_parameters(vector * 2, layer.parameters())
        results.append(
            [norm.item(), inf_norm.item(), layer.weight.grad.numpy().copy(),
             vector.detach().numpy(), layer.weight.detach().numpy().copy(),
             type(vector.grad_fn).__name__]
        )  # fmt: skip
    for c, t in zip(results[1], results[0]):
        if isinstance(c, str):
            assert c == t
        else:
            np.testing.assert_allclose(c, t, rtol=1e-10)


def test_clip_grad_norm_nonfinite_error():
    messages = []
    for lib in (torch, chainrule):
        p = lib.tensor([1.0], requires_grad=True)
        p.grad = lib.tensor([float("nan")])
        with pytest.raises(RuntimeError) as info:
            lib.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
        messages.append(str(info.value))
    assert messages[1] == messages[0]


# --------------------------------------------------------------------------- activations


@pytest.mark.parametrize(
    "build",
    [
        lambda nn: nn.ReLU(), lambda nn: nn.LeakyReLU(0.2), lambda nn: nn.GELU(),
        lambda nn: nn.GELU(approximate="tanh"), lambda nn: nn.SiLU(), lambda nn: nn.Tanh(),
        lambda nn: nn.Sigmoid(), lambda nn: nn.Softmax(dim=1), lambda nn: nn.LogSoftmax(dim=0),
        lambda nn: nn.Softmin(dim=1), lambda nn: nn.ELU(alpha=0.5), lambda nn: nn.CELU(2.0),
        lambda nn: nn.SELU(), lambda nn: nn.Softplus(beta=2.0), lambda nn: nn.Hardtanh(-2, 2),
        lambda nn: nn.ReLU6(), lambda nn: nn.Mish(), lambda nn: nn.Hardswish(),
        lambda nn: nn.Hardsigmoid(), lambda nn: nn.PReLU(), lambda nn: nn.PReLU(3),
        lambda nn: nn.Softsign(), lambda nn: nn.Tanhshrink(), lambda nn: nn.LogSigmoid(),
        lambda nn: nn.Threshold(0.1, 20.0),
    ],
)  # fmt: skip
def test_activation_modules(build):
    check_layer(build, randn(4, 3) * 3, grad_fn=False)


def test_softmax_without_dim_warns_like_torch():
    check_layer(lambda nn: nn.Softmax(), randn(2, 3))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        chainrule.nn.Softmax()(chainrule.ones(2, 3))


def test_assignment_rules_sharing_and_lookup_match_torch():
    for lib in (torch, chainrule):
        layer = lib.nn.Linear(2, 2)
        with pytest.raises(TypeError) as info:
            layer.weight = lib.ones(2, 2)
        assert str(info.value) == (
            "cannot assign 'torch.FloatTensor' as parameter 'weight' "
            "(torch.nn.Parameter or None expected)"
        )
        layer.bias = None
        assert [n for n, _ in layer.named_parameters()] == ["weight"]
        bn = lib.nn.BatchNorm1d(2)
        bn.running_mean = lib.ones(2)  # a buffer stays a buffer
        assert "running_mean" in dict(bn.named_buffers())
        tied = lib.nn.Sequential(lib.nn.Linear(3, 3), lib.nn.Linear(3, 3))
        tied[1].weight = tied[0].weight
        assert len(list(tied.parameters())) == 3
        assert len(list(tied.named_parameters(remove_duplicate=False))) == 4
        assert tied.get_submodule("1") is tied[1]
        assert tied.get_parameter("0.bias") is tied[0].bias


def test_load_state_dict_assign_replaces_parameters():
    layer = chainrule.nn.Linear(2, 2)
    new = chainrule.ones(2, 2)
    layer.load_state_dict({"weight": new, "bias": chainrule.zeros(2)}, assign=True)
    assert isinstance(layer.weight, chainrule.nn.Parameter) and layer.weight.requires_grad
    np.testing.assert_array_equal(layer.weight.detach().numpy(), 1)


def _backward_hook_run(lib, input_requires_grad, pre=False):
    lin = lib.nn.Linear(2, 2)
    with lib.no_grad():
        lin.weight.copy_(lib.tensor([[1.0, 2.0], [3.0, 4.0]]))
        lin.bias.fill_(0.5)
    seen = []
    if pre:
        lin.register_full_backward_pre_hook(lambda m, go: (go[0] * 10,))
    handle = lin.register_full_backward_hook(
        lambda m, gi, go: seen.append((gi, go)) or (None if gi[0] is None else (gi[0] * 2,))
    )
    x = lib.tensor([[1.0, -1.0]], requires_grad=input_requires_grad)
    out = lin(x)
    name = type(out.grad_fn).__name__
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (out * lib.tensor([[1.0, 2.0]])).sum().backward()
    handle.remove()
    lin(x).sum()  # no hook after remove
    grads = [[None if g is None else g.tolist() for g in part] for pair in seen for part in pair]
    return (name, grads, None if x.grad is None else x.grad.tolist(), lin.weight.grad.tolist(),
            [str(w.message)[:40] for w in caught])  # fmt: skip


@pytest.mark.parametrize("input_requires_grad", [True, False])
@pytest.mark.parametrize("pre", [False, True])
def test_full_backward_hooks_match_torch(input_requires_grad, pre):
    ours = _backward_hook_run(chainrule, input_requires_grad, pre)
    theirs = _backward_hook_run(torch, input_requires_grad, pre)
    assert ours == theirs
    assert ours[0] == "BackwardHookFunctionBackward"


def test_clip_grad_norm_scales_in_the_norms_dtype_like_torch():
    grads = [np.linspace(-3, 5, 7, dtype=np.float32), np.float32([[0.1, 250.0], [-7.5, 1.0]])]
    results = []
    for lib in (chainrule, torch):
        params = [lib.nn.Parameter(lib.zeros(g.shape)) for g in grads]
        for p, g in zip(params, grads):
            p.grad = lib.tensor(g)
        norm = lib.nn.utils.clip_grad_norm_(params, 1.0)
        results.append([norm.numpy()] + [p.grad.numpy() for p in params])
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours, theirs)
