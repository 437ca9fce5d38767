"""RNN / LSTM / GRU and MultiheadAttention against live torch (same weights copied in)."""

import numpy as np
import pytest
from test_nn_layers import check_layer, randn

import chainrule

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize(
    "kwargs,shape",
    [
        ({}, (5, 2, 3)),
        ({"num_layers": 2}, (4, 3, 3)),
        ({"batch_first": True}, (2, 5, 3)),
        ({"bidirectional": True}, (4, 2, 3)),
        ({"num_layers": 2, "bidirectional": True, "batch_first": True}, (2, 3, 3)),
        ({"bias": False}, (3, 2, 3)),
        ({}, (5, 3)),  # unbatched
    ],
)
def test_recurrent_layers(kind, kwargs, shape):
    check_layer(lambda nn: getattr(nn, kind)(3, 4, **kwargs), randn(*shape), grad_fn=False)


def test_rnn_relu_and_initial_state():
    h0 = randn(2, 3, 4, seed=5)
    check_layer(
        lambda nn: nn.RNN(3, 4, num_layers=2, nonlinearity="relu"), randn(5, 3, 3), h0,
        grad_fn=False,
    )  # fmt: skip


def test_lstm_with_h0_c0():
    h0, c0 = randn(2, 2, 4, seed=3), randn(2, 2, 4, seed=4)
    check_layer(
        lambda nn: nn.LSTM(3, 4, bidirectional=True), randn(5, 2, 3), h0, c0,
        call=lambda layer, x, h, c: layer(x, (h, c)), grad_fn=False,
    )  # fmt: skip


def test_gru_unbatched_with_h0():
    check_layer(lambda nn: nn.GRU(3, 4), randn(5, 3), randn(1, 4, seed=2), grad_fn=False)


def test_recurrent_init_bounds_and_errors():
    lstm = chainrule.nn.LSTM(3, 16)
    values = np.concatenate([p.detach().numpy().ravel() for p in lstm.parameters()])
    assert np.abs(values).max() <= 0.25 and np.abs(values).max() > 0.2
    for call in (
        lambda lib: lib.nn.LSTM(3, 4)(lib.ones(5, 2, 6)),
        lambda lib: lib.nn.GRU(3, 4)(lib.ones(5, 2, 3), lib.zeros(2, 2, 4)),
        lambda lib: lib.nn.LSTM(3, 4)(lib.ones(5, 2, 3), (lib.zeros(1, 3, 4), lib.zeros(1, 2, 4))),
    ):
        messages = []
        for lib in (torch, chainrule):
            with pytest.raises(RuntimeError) as info:
                call(lib)
            messages.append(str(info.value))
        assert messages[1] == messages[0]


@pytest.mark.parametrize(
    "kwargs,call",
    [
        ({}, lambda m, q, k, v: m(q, k, v)),
        ({"batch_first": True}, lambda m, q, k, v: m(q, k, v)),
        ({}, lambda m, q, k, v: m(q, k, v, need_weights=False)),
        ({}, lambda m, q, k, v: m(q, k, v, average_attn_weights=False)),
        ({"bias": False}, lambda m, q, k, v: m(q, q, q)),
    ],
)
def test_multihead_attention(kwargs, call):
    q, k, v = randn(4, 2, 8), randn(6, 2, 8, seed=2), randn(6, 2, 8, seed=3)
    if kwargs.get("batch_first"):
        q, k, v = (a.transpose(1, 0, 2).copy() for a in (q, k, v))
    check_layer(lambda nn: nn.MultiheadAttention(8, 2, **kwargs), q, k, v, call=call,
                grad_fn=False)  # fmt: skip


def test_multihead_attention_masks_and_kdim():
    q, k, v = randn(4, 2, 8), randn(6, 2, 3, seed=2), randn(6, 2, 5, seed=3)
    padding = np.array([[False] * 5 + [True], [False] * 6])
    causal = np.triu(np.ones((4, 6), bool), 1)

    def call(m, q, k, v, padding, mask):
        return m(q, k, v, key_padding_mask=padding, attn_mask=mask)

    check_layer(lambda nn: nn.MultiheadAttention(8, 2, kdim=3, vdim=5), q, k, v, padding,
                causal, call=call, grad_fn=False)  # fmt: skip


def test_multihead_attention_unbatched_and_errors():
    check_layer(lambda nn: nn.MultiheadAttention(8, 4), randn(3, 8), randn(5, 8), randn(5, 8),
                grad_fn=False)  # fmt: skip
    for lib in (torch, chainrule):
        with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
            lib.nn.MultiheadAttention(5, 2)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"is_causal": True}, {"scale": 0.3}, {"attn_mask": "bool"}, {"attn_mask": "float"}],
)
def test_scaled_dot_product_attention(kwargs):
    q, k, v = randn(2, 3, 4, 5), randn(2, 3, 6, 5, seed=2), randn(2, 3, 6, 5, seed=3)
    mask = kwargs.get("attn_mask")
    outs, grads = [], []
    for lib in (torch, chainrule):
        tensors = [lib.tensor(a, requires_grad=True) for a in (q, k, v)]
        options = dict(kwargs)
        if mask == "bool":
            options["attn_mask"] = lib.tensor(np.tril(np.ones((4, 6), bool)))
        elif mask == "float":
            options["attn_mask"] = lib.tensor(randn(4, 6, seed=7))
        out = lib.nn.functional.scaled_dot_product_attention(*tensors, **options)
        out.backward(lib.tensor(randn(2, 3, 4, 5, seed=9)))
        outs.append(out.detach().numpy())
        grads.append([t.grad.numpy() for t in tensors])
    np.testing.assert_allclose(outs[1], outs[0], atol=1e-10)
    for c, t in zip(grads[1], grads[0]):
        np.testing.assert_allclose(c, t, atol=1e-10)


@pytest.mark.parametrize(
    "build",
    [
        lambda nn: nn.RNNCell(3, 4),
        lambda nn: nn.RNNCell(3, 4, bias=False, nonlinearity="relu"),
        lambda nn: nn.GRUCell(3, 4),
        lambda nn: nn.LSTMCell(3, 4),
    ],
)
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_state", [True, False])
def test_rnn_cells_match_torch(build, batched, with_state):
    shape = (2, 3) if batched else (3,)
    state_shape = (2, 4) if batched else (4,)
    is_lstm = isinstance(build(chainrule.nn), chainrule.nn.LSTMCell)
    inputs = [randn(*shape)]
    if with_state:
        inputs += [randn(*state_shape), randn(*state_shape)] if is_lstm else [randn(*state_shape)]

    def call(layer, x, *state):
        if not state:
            return layer(x)
        return layer(x, tuple(state) if is_lstm else state[0])

    check_layer(build, *inputs, call=call)


def test_rnn_cell_rejects_3d_input():
    with pytest.raises(ValueError, match="LSTMCell: Expected input to be 1D or 2D, got 3D instead"):
        chainrule.nn.LSTMCell(2, 3)(chainrule.ones(1, 1, 2))


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence_matches_torch(batch_first, padding_side):
    from chainrule.nn.utils.rnn import pad_sequence, unpad_sequence

    values = [randn(3, 2), randn(1, 2), randn(4, 2)]
    results = []
    for lib, pad in ((chainrule, pad_sequence), (torch, torch.nn.utils.rnn.pad_sequence)):
        seqs = [lib.tensor(v, requires_grad=True) for v in values]
        out = pad(seqs, batch_first=batch_first, padding_value=-1.0, padding_side=padding_side)
        (out * lib.arange(out.numel()).view(out.shape)).sum().backward()
        results.append((out.tolist(), type(out.grad_fn).__name__, [s.grad.tolist() for s in seqs]))
    assert results[0] == results[1]
    padded = pad_sequence([chainrule.tensor(v) for v in values], batch_first=batch_first)
    back = unpad_sequence(padded, chainrule.tensor([3, 1, 4]), batch_first=batch_first)
    assert [b.tolist() for b in back] == [np.asarray(v).tolist() for v in values]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"batch_first": True},
        {"norm_first": True, "activation": "gelu"},
        {"batch_first": True, "bias": False},
    ],
)
def test_transformer_encoder_layer_matches_torch(kwargs):
    def build(nn):
        return nn.TransformerEncoderLayer(6, 2, dim_feedforward=10, dropout=0.0, **kwargs)

    check_layer(build, randn(2, 3, 6))
    length = 3 if kwargs.get("batch_first") else 2
    mask = np.triu(np.full((length, length), -np.inf), 1)
    check_layer(build, randn(2, 3, 6), call=lambda layer, x: layer(x, src_mask=_t(layer, mask)))


def _t(layer, array):
    lib = torch if type(layer).__module__.startswith("torch") else chainrule
    return lib.tensor(array)


def test_transformer_encoder_stacks_copies_and_warns_like_torch():
    def build(nn):
        layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=8, dropout=0.0, batch_first=True)
        return nn.TransformerEncoder(layer, num_layers=2, norm=nn.LayerNorm(4))

    check_layer(build, randn(2, 5, 4))
    with pytest.warns(UserWarning, match="self_attn.batch_first was not True"):
        chainrule.nn.TransformerEncoder(chainrule.nn.TransformerEncoderLayer(4, 2), 1)
