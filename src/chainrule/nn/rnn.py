"""Recurrent layers: RNN (tanh/relu), LSTM and GRU with torch's parameter names, gate order,
initialisation (uniform in +-1/sqrt(hidden_size)), shapes and options (num_layers,
batch_first, bidirectional, dropout between layers, h0/c0).

The input projections of a whole sequence are one matrix product; the recurrence then runs
step by step with chainrule ops, so gradients (of any order) come from the recorded graph.

>>> import chainrule as torch
>>> lstm = torch.nn.LSTM(3, 4, batch_first=True)
>>> out, (h, c) = lstm(torch.ones(2, 5, 3))
>>> out.shape, h.shape
(torch.Size([2, 5, 4]), torch.Size([1, 2, 4]))
"""

from __future__ import annotations

import math

from .. import _backend
from ..ops.creation import empty, zeros
from ..ops.joining import cat, stack
from . import init
from .dropout import dropout
from .linear import linear
from .module import Module
from .parameter import Parameter

__all__ = ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _rnn_cell(activation):
    def cell(x_proj, h, w_hh, b_hh):
        return activation(x_proj + linear(h, w_hh, b_hh))

    return cell


def _lstm_cell(x_proj, state, w_hh, b_hh):
    h, c = state
    gates = x_proj + linear(h, w_hh, b_hh)
    i, f, g, o = gates.chunk(4, -1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c.tanh(), c


def _gru_cell(x_proj, h, w_hh, b_hh):
    xr, xz, xn = x_proj.chunk(3, -1)
    hr, hz, hn = linear(h, w_hh, b_hh).chunk(3, -1)
    r = (xr + hr).sigmoid()
    z = (xz + hz).sigmoid()
    n = (xn + r * hn).tanh()
    return (1 - z) * n + z * h


class RNNBase(Module):
    """What RNN, LSTM and GRU share: parameters, checks, the layer/direction loop."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):  # fmt: skip
        super().__init__()
        if (
            not isinstance(dropout, (int, float))
            or not 0 <= dropout <= 1
            or isinstance(dropout, bool)
        ):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of an "
                "element being zeroed"
            )
        if not isinstance(hidden_size, int) or hidden_size <= 0:
            raise ValueError("hidden_size must be an integer greater than zero")
        if not isinstance(num_layers, int) or num_layers <= 0:
            raise ValueError("num_layers must be an integer greater than zero")
        if proj_size:
            raise NotImplementedError("proj_size is not supported yet")
        self.mode = mode
        self.input_size, self.hidden_size = input_size, hidden_size
        self.num_layers, self.bias = num_layers, bias
        self.batch_first, self.dropout = batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        gate_size = _GATES[mode] * hidden_size
        directions = 2 if bidirectional else 1
        dtype = dtype or _backend.defaults.float_dtype
        self._flat_weights_names = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes = [("weight_ih", (gate_size, layer_input)),
                          ("weight_hh", (gate_size, hidden_size))]  # fmt: skip
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                for name, shape in shapes:
                    setattr(self, name + suffix, Parameter(empty(*shape, dtype=dtype)))
                    self._flat_weights_names.append(name + suffix)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    @property
    def all_weights(self):
        return [[getattr(self, n) for n in self._flat_weights_names[i : i + self._per_dir()]]
                for i in range(0, len(self._flat_weights_names), self._per_dir())]  # fmt: skip

    def _per_dir(self) -> int:
        return 4 if self.bias else 2

    def _weights(self, layer, direction):
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        get = lambda name: getattr(self, name + suffix, None)  # noqa: E731
        return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh")

    def _check_input(self, input):
        expected = 2 if input.dim() == 2 else 3
        if input.dim() not in (2, 3):
            raise ValueError(
                f"{type(self).__name__}: Expected input to be 2D or 3D, got {input.dim()}D "
                "tensor instead"
            )
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                f"{input.shape[-1]}"
            )
        return expected

    def _check_hidden(self, hx, batch, what="hidden"):
        directions = 2 if self.bidirectional else 1
        expected = (self.num_layers * directions, batch, self.hidden_size)
        if tuple(hx.shape) != expected:
            raise RuntimeError(f"Expected {what} size {expected}, got {list(hx.shape)}")

    def _cell(self):
        if self.mode == "LSTM":
            return _lstm_cell
        if self.mode == "GRU":
            return _gru_cell
        return _rnn_cell((lambda t: t.relu()) if self.mode == "RNN_RELU" else (lambda t: t.tanh()))

    def _run(self, input, states):
        """input (L, N, F); states: per (layer, direction) a state (h, or (h, c) for LSTM)."""
        cell = self._cell()
        directions = 2 if self.bidirectional else 1
        finals = []
        layer_input = input
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                w_ih, w_hh, b_ih, b_hh = self._weights(layer, direction)
                projected = linear(layer_input, w_ih, b_ih)  # every step at once
                state = states[layer * directions + direction]
                steps = range(input.shape[0])
                if direction:
                    steps = reversed(steps)
                hs = [None] * input.shape[0]
                for t in steps:
                    state = cell(projected[t], state, w_hh, b_hh)
                    hs[t] = state[0] if self.mode == "LSTM" else state
                outputs.append(stack(hs, 0))
                finals.append(state)
            layer_input = outputs[0] if directions == 1 else cat(outputs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = dropout(layer_input, self.dropout)
        return layer_input, finals

    def forward(self, input, hx=None):
        self._check_input(input)
        batched = input.dim() == 3
        if not batched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        batch = input.shape[1]
        directions = 2 if self.bidirectional else 1
        count = self.num_layers * directions
        is_lstm = self.mode == "LSTM"
        if hx is None:
            zero = zeros(count, batch, self.hidden_size, dtype=input.dtype)
            hx = (zero, zero) if is_lstm else zero
        else:
            if not batched:
                if is_lstm:
                    hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
                else:
                    hx = hx.unsqueeze(1)
            if is_lstm:
                self._check_hidden(hx[0], batch, "hidden[0]")
                self._check_hidden(hx[1], batch, "hidden[1]")
            else:
                self._check_hidden(hx, batch)
        if is_lstm:
            states = [(hx[0][i], hx[1][i]) for i in range(count)]
        else:
            states = [hx[i] for i in range(count)]
        output, finals = self._run(input, states)
        if is_lstm:
            h_n = stack([s[0] for s in finals], 0)
            c_n = stack([s[1] for s in finals], 0)
        else:
            h_n = stack(finals, 0)
        if not batched:
            output = output.squeeze(1)
            h_n = h_n.squeeze(1)
            c_n = c_n.squeeze(1) if is_lstm else None
        elif self.batch_first:
            output = output.transpose(0, 1)
        return (output, (h_n, c_n)) if is_lstm else (output, h_n)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(RNNBase):
    """Elman RNN: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu).

    >>> RNN(3, 4)(ones(5, 2, 3))[0].shape
    torch.Size([5, 2, 4])
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None,
                 dtype=None):  # fmt: skip
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, dtype=dtype)  # fmt: skip
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory; gates in torch's order (input, forget, cell, output).

    >>> LSTM(3, 4, num_layers=2)(ones(5, 2, 3))[1][0].shape
    torch.Size([2, 2, 4])
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None,
                 dtype=None):  # fmt: skip
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, dtype=dtype)  # fmt: skip


class GRU(RNNBase):
    """Gated recurrent unit; gates in torch's order (reset, update, new).

    >>> GRU(3, 4, bidirectional=True)(ones(5, 2, 3))[0].shape
    torch.Size([5, 2, 8])
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):  # fmt: skip
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, dtype=dtype)  # fmt: skip


class RNNCellBase(Module):
    """One step of a recurrent layer: weight_ih, weight_hh (and biases) as in torch."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        dtype = dtype or _backend.defaults.float_dtype
        gate_size = num_chunks * hidden_size
        self.weight_ih = Parameter(empty(gate_size, input_size, dtype=dtype))
        self.weight_hh = Parameter(empty(gate_size, hidden_size, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(gate_size, dtype=dtype))
            self.bias_hh = Parameter(empty(gate_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        nonlinearity = getattr(self, "nonlinearity", "tanh")
        if nonlinearity != "tanh":
            s += f", nonlinearity={nonlinearity}"
        return s

    def _batched(self, input):
        if input.dim() not in (1, 2):
            raise ValueError(
                f"{type(self).__name__}: Expected input to be 1D or 2D, got {input.dim()}D instead"
            )
        return input.dim() == 2

    def _zeros(self, input):
        return zeros(input.shape[0], self.hidden_size, dtype=input.dtype)

    def _step(self, cell, input, state):
        return cell(linear(input, self.weight_ih, self.bias_ih), state, self.weight_hh,
                    self.bias_hh)  # fmt: skip


class RNNCell(RNNCellBase):
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu), one step."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):  # fmt: skip
        super().__init__(input_size, hidden_size, bias, 1, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        batched = self._batched(input)
        if not batched:
            input = input.unsqueeze(0)
        hx = self._zeros(input) if hx is None else (hx if batched else hx.unsqueeze(0))
        if self.nonlinearity == "tanh":
            activation = lambda t: t.tanh()  # noqa: E731
        elif self.nonlinearity == "relu":
            activation = lambda t: t.relu()  # noqa: E731
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        h = self._step(_rnn_cell(activation), input, hx)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: returns (h', c'); gates in torch's order (input, forget, cell, output).

    >>> [t.shape for t in LSTMCell(3, 4)(ones(2, 3))]
    [torch.Size([2, 4]), torch.Size([2, 4])]
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, dtype=dtype)

    def forward(self, input, hx=None):
        batched = self._batched(input)
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            zero = self._zeros(input)
            hx = (zero, zero)
        elif not batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        h, c = self._step(_lstm_cell, input, hx)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step; gates in torch's order (reset, update, new)."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, dtype=dtype)

    def forward(self, input, hx=None):
        batched = self._batched(input)
        if not batched:
            input = input.unsqueeze(0)
        hx = self._zeros(input) if hx is None else (hx if batched else hx.unsqueeze(0))
        h = self._step(_gru_cell, input, hx)
        return h if batched else h.squeeze(0)
