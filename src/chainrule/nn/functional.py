"""torch.nn.functional: activations, softmax and the losses.

>>> import chainrule as torch
>>> torch.nn.functional.relu6(torch.tensor([-1., 3., 7.]))
tensor([0., 3., 6.])
"""

from ..ops.activations import (  # noqa: F401
    celu,
    elu,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    leaky_relu,
    mish,
    relu6,
    selu,
    silu,
    softplus,
)
from ..ops.elementwise import relu, sigmoid, tanh  # noqa: F401
from ..ops.reduce import log_softmax, softmax  # noqa: F401
from .layers import (  # noqa: F401
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_loss,
    mse_loss,
    nll_loss,
)


def linear(input, weight, bias=None):
    """input @ weight.T + bias."""
    out = input.matmul(weight.t())
    return out if bias is None else out + bias
