"""Layers, activations and losses as Modules, built from chainrule ops."""

from __future__ import annotations

import math
from collections import OrderedDict

from .. import _backend
from .._graph import no_grad
from .._tensor import Tensor
from ..ops.creation import empty
from .module import Module
from .parameter import Parameter


def _uniform_(tensor: Tensor, bound: float) -> Tensor:
    with no_grad():
        return tensor.uniform_(-bound, bound)


class Linear(Module):
    """y = x W^T + b, with torch's default initialisation (uniform in +-1/sqrt(in_features))."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None):  # fmt: skip
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        dtype = dtype or _backend.defaults.float_dtype
        bound = 1 / math.sqrt(in_features) if in_features > 0 else 0
        self.weight = Parameter(_uniform_(empty(out_features, in_features, dtype=dtype), bound))
        if bias:
            self.bias = Parameter(_uniform_(empty(out_features, dtype=dtype), bound))
        else:
            self.register_parameter("bias", None)

    def forward(self, input: Tensor) -> Tensor:
        out = input.matmul(self.weight.t())
        return out if self.bias is None else out + self.bias

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Sequential(Module):
    """Modules applied in order."""

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for index, module in enumerate(modules):
                self.add_module(str(index), module)

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*modules[index])
        return modules[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        self.add_module(str(len(self._modules)), module)
        return self


class ModuleList(Module):
    """A list of modules whose parameters the parent module sees."""

    def __init__(self, modules=None):
        super().__init__()
        for module in modules or ():
            self.append(module)

    def append(self, module):
        self.add_module(str(len(self._modules)), module)
        return self

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self

    def __getitem__(self, index):
        return list(self._modules.values())[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


class Identity(Module):
    def forward(self, input):
        return input


class Flatten(Module):
    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


def _activation(name, apply, extra=None):
    """A parameter-free Module around one function, printing as torch prints it."""

    def __init__(self, *args, **kwargs):
        Module.__init__(self)
        self._options = extra(*args, **kwargs) if extra else {}

    def forward(self, input):
        return apply(input, **self._options)

    def extra_repr(self):
        return ", ".join(f"{k}={v}" for k, v in self._options.items() if k != "inplace")

    return type(name, (Module,), {"__init__": __init__, "forward": forward,
                                  "extra_repr": extra_repr})  # fmt: skip


def _inplace_only(inplace=False):
    return {}


ReLU = _activation("ReLU", lambda x: x.relu(), _inplace_only)
Tanh = _activation("Tanh", lambda x: x.tanh())
Sigmoid = _activation("Sigmoid", lambda x: x.sigmoid())
Softmax = _activation("Softmax", lambda x, dim=None: x.softmax(dim), lambda dim=None: {"dim": dim})
LogSoftmax = _activation(
    "LogSoftmax", lambda x, dim=None: x.log_softmax(dim), lambda dim=None: {"dim": dim}
)


# --------------------------------------------------------------------------- losses


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


def mse_loss(input, target, reduction="mean"):
    """Mean squared error."""
    return _reduce((input - target) ** 2, reduction)


def l1_loss(input, target, reduction="mean"):
    """Mean absolute error."""
    return _reduce((input - target).abs(), reduction)


def nll_loss(input, target, ignore_index=-100, reduction="mean"):
    """Negative log-likelihood of class indices ``target`` under log-probabilities ``input``."""
    if target._dtype is not _backend.int64:
        raise RuntimeError(f"expected scalar type Long but found {target._dtype.scalar_name}")
    keep = target != ignore_index
    safe = target * keep.long()
    picked = -input.gather(1, safe.unsqueeze(1)).squeeze(1) * keep.to(input.dtype)
    if reduction == "mean":
        return picked.sum() / keep.sum().to(input.dtype)
    return _reduce(picked, reduction)


def cross_entropy(input, target, ignore_index=-100, reduction="mean"):
    """log_softmax then nll_loss, over dim 1."""
    return nll_loss(input.log_softmax(1), target, ignore_index, reduction)


def binary_cross_entropy(input, target, reduction="mean"):
    """-(t log p + (1 - t) log(1 - p)), with logs clamped at -100 as torch does."""
    loss = -(
        target * input.log().clamp(min=-100) + (1 - target) * (1 - input).log().clamp(min=-100)
    )
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, reduction="mean"):
    """BCE on logits, computed stably: max(x, 0) - x t + log(1 + exp(-|x|))."""
    loss = input.clamp(min=0) - input * target + (-input.abs()).exp().log1p()
    return _reduce(loss, reduction)


def _loss(name, function, extra=()):
    def __init__(self, *args, reduction="mean", **kwargs):
        Module.__init__(self)
        self.reduction = reduction
        self._options = {k: kwargs[k] for k in extra if k in kwargs}

    def forward(self, input, target):
        return function(input, target, reduction=self.reduction, **self._options)

    return type(name, (Module,), {"__init__": __init__, "forward": forward})


MSELoss = _loss("MSELoss", mse_loss)
L1Loss = _loss("L1Loss", l1_loss)
NLLLoss = _loss("NLLLoss", nll_loss, ("ignore_index",))
CrossEntropyLoss = _loss("CrossEntropyLoss", cross_entropy, ("ignore_index",))
BCELoss = _loss("BCELoss", binary_cross_entropy)
BCEWithLogitsLoss = _loss("BCEWithLogitsLoss", binary_cross_entropy_with_logits)
