"""torch.nn: Module, Parameter, a first set of layers and losses, and nn.functional."""

from . import functional  # noqa: F401
from .layers import (  # noqa: F401
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    Flatten,
    Identity,
    L1Loss,
    Linear,
    LogSoftmax,
    ModuleList,
    MSELoss,
    NLLLoss,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from .module import Module  # noqa: F401
from .parameter import Parameter  # noqa: F401
