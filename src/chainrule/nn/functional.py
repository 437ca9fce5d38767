"""torch.nn.functional: activations, convolution, pooling, normalisation, dropout, embedding,
attention, resizing and the losses.

>>> import chainrule as torch
>>> torch.nn.functional.relu6(torch.tensor([-1., 3., 7.]))
tensor([0., 3., 6.])
"""

from ..ops.activations import (  # noqa: F401
    celu,
    elu,
    gelu,
    glu,
    hardsigmoid,
    hardswish,
    hardtanh,
    leaky_relu,
    logsigmoid,
    mish,
    relu6,
    selu,
    silu,
    softplus,
)
from ..ops.conv import conv1d, conv2d, fold, unfold  # noqa: F401
from ..ops.elementwise import relu, sigmoid, tanh  # noqa: F401
from ..ops.nn_ops import embedding, pad  # noqa: F401
from ..ops.norm_ops import batch_norm, group_norm, layer_norm  # noqa: F401
from ..ops.pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d  # noqa: F401
from ..ops.reduce import log_softmax as _log_softmax
from ..ops.reduce import softmax as _softmax
from .activation import prelu, softmax_dim, threshold  # noqa: F401
from .attention import scaled_dot_product_attention  # noqa: F401
from .distance import cosine_similarity, normalize, pairwise_distance  # noqa: F401
from .dropout import dropout, dropout2d  # noqa: F401
from .linear import bilinear, linear  # noqa: F401
from .loss import (  # noqa: F401
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from .loss_more import (  # noqa: F401
    cosine_embedding_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_soft_margin_loss,
    poisson_nll_loss,
    soft_margin_loss,
    triplet_margin_loss,
)
from .norm_more import instance_norm, local_response_norm  # noqa: F401
from .pixelshuffle import pixel_shuffle, pixel_unshuffle  # noqa: F401
from .pooling import adaptive_avg_pool1d, avg_pool1d, max_pool1d  # noqa: F401
from .pooling_more import (  # noqa: F401
    adaptive_max_pool1d,
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d,
    adaptive_max_pool2d_with_indices,
    lp_pool1d,
    lp_pool2d,
)
from .sparse import one_hot  # noqa: F401
from .vision import interpolate  # noqa: F401


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim`` (without ``dim``: torch's implicit choice, warned)."""
    if dim is None:
        dim = softmax_dim(input.dim(), "softmax")
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) along ``dim`` (without ``dim``: torch's implicit choice, warned)."""
    if dim is None:
        dim = softmax_dim(input.dim(), "log_softmax")
    return _log_softmax(input, dim, dtype=dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-input) along ``dim`` (without ``dim``: torch's implicit choice, warned)."""
    if dim is None:
        dim = softmax_dim(input.dim(), "softmin")
    return _softmax(-input, dim, dtype=dtype)


def softsign(input):
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """x - tanh(x)."""
    return input - input.tanh()
