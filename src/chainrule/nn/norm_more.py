"""Instance normalisation and local response normalisation, with their Modules.

instance_norm is batch_norm over a (1, N*C, ...) view of the input, as torch computes it:
each (sample, channel) pair becomes a channel of its own, the running statistics (when
tracked) are the batch's averages over the samples, and the result is viewed back (so its
grad_fn is torch's ViewBackward0). local_response_norm divides by a power of the average
of the squares over neighbouring channels (torch's composition, ending in DivBackward0).

>>> import chainrule as torch
>>> torch.nn.functional.instance_norm(torch.tensor([[[1., 3.]]]))
tensor([[[-1.0000,  1.0000]]])
"""

from __future__ import annotations

import warnings

from .._graph import no_grad
from ..ops.nn_ops import pad
from ..ops.norm_ops import batch_norm
from ..ops.pooling import avg_pool2d
from .module import Module
from .norm import _BatchNorm

__all__ = [
    "instance_norm",
    "local_response_norm",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "LocalResponseNorm",
]


def _check_spatial_size(input):
    spatial = 1
    for size in input.shape[2:]:
        spatial *= size
    if spatial == 1:
        raise ValueError(
            "Expected more than 1 spatial element when training, got input size "
            f"torch.Size({list(input.shape)})"
        )


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):  # fmt: skip
    """Normalise each (sample, channel) over its spatial dims.

    >>> instance_norm(tensor([[[1., 3.], [0., 4.]]]))
    tensor([[[-1.0000,  1.0000],
             [-1.0000,  1.0000]]])
    """
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be None")
    if use_input_stats:
        _check_spatial_size(input)
    elif running_mean is None or running_var is None:
        raise RuntimeError(
            "Expected running_mean and running_var to be defined when use_input_stats is false"
        )
    n, c = input.shape[:2]
    flat = input.contiguous().view(1, n * c, *input.shape[2:])

    def repeated(t):
        return None if t is None else t.repeat(n)

    mean_copy, var_copy = repeated(running_mean), repeated(running_var)
    out = batch_norm(flat, mean_copy, var_copy, repeated(weight), repeated(bias),
                     use_input_stats, momentum, eps)  # fmt: skip
    if use_input_stats:
        with no_grad():
            for stats, moved in ((running_mean, mean_copy), (running_var, var_copy)):
                if stats is not None:
                    stats.copy_(moved.view(n, c).mean(0))
    return out.view(input.shape)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """x / (k + alpha * mean of x^2 over ``size`` neighbouring channels)^beta.

    >>> local_response_norm(ones(1, 2, 1), 2, alpha=1.)
    tensor([[[0.7378],
             [0.5946]]])
    """
    dim = input.dim()
    if dim < 3:
        raise ValueError(
            "Expected 3D or higher dimensionality                          input (got "
            f"{dim} dimensions)"
        )
    if input.numel() == 0:
        return input
    if size <= 0:  # torch's average pooling refuses the window
        kernel = f"kH: {size} kW: 1" if dim == 3 else f"kT: {size} kH: 1 kW: 1"
        raise RuntimeError(f"kernel size should be greater than zero, but got {kernel}")
    squares = input.mul(input)
    shape = input.shape
    # (N, 1, C, rest): averaging windows of `size` channels, zero-padded as torch pads them
    squares = squares.reshape(shape[0], 1, shape[1], -1)
    squares = pad(squares, (0, 0, size // 2, (size - 1) // 2))
    div = avg_pool2d(squares, (size, 1), stride=1).squeeze(1).view(shape)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div


class _InstanceNorm(_BatchNorm):
    _no_batch_dim = 2

    def __init__(self, num_features: int, eps: float = 1e-5, momentum=0.1, affine: bool = False,
                 track_running_stats: bool = False, device=None, dtype=None, *,
                 bias: bool = True):  # fmt: skip
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype,
                         bias=bias)  # fmt: skip

    def _prepare_state_dict(self, state_dict, prefix, version, error_msgs) -> None:
        """Running statistics in a checkpoint without metadata, for a module that tracks
        none (checkpoints from before InstanceNorm stopped tracking them by default), are
        refused with torch's explanation, and dropped so they are not also unexpected."""
        if version is None and not self.track_running_stats:
            stale = [
                prefix + n for n in ("running_mean", "running_var") if prefix + n in state_dict
            ]
            if stale:
                kind = type(self).__name__
                error_msgs.append(
                    "Unexpected running stats buffer(s) "
                    + " and ".join(f'"{key}"' for key in stale)
                    + f" for {kind} with track_running_stats=False. If state_dict is a "
                    "checkpoint saved before 0.4.0, this may be expected because "
                    f"{kind} does not track running stats by default since 0.4.0. Please "
                    "remove these keys from state_dict. If the running stats are actually "
                    f"needed, instead set track_running_stats=True in {kind} to enable them. "
                    f"See the documentation of {kind} for details."
                )
                for key in stale:
                    del state_dict[key]
        super()._prepare_state_dict(state_dict, prefix, version, error_msgs)

    def _check_input_dim(self, input) -> None:
        allowed = (self._no_batch_dim, self._no_batch_dim + 1)
        if input.dim() not in allowed:
            raise ValueError(
                f"expected {allowed[0]}D or {allowed[1]}D input (got {input.dim()}D input)"
            )

    def _normalise(self, input):
        return instance_norm(
            input, self.running_mean, self.running_var, self.weight, self.bias,
            self.training or not self.track_running_stats,
            self.momentum if self.momentum is not None else 0.0, self.eps,
        )  # fmt: skip

    def forward(self, input):
        self._check_input_dim(input)
        feature_dim = input.dim() - self._no_batch_dim
        if input.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(
                    f"expected input's size at dim={feature_dim} to match num_features "
                    f"({self.num_features}), but got: {input.shape[feature_dim]}."
                )
            warnings.warn(
                f"input's size at dim={feature_dim} does not match num_features. You can "
                "silence this warning by not passing in num_features, which is not used "
                "because affine=False",
                stacklevel=2,
            )
        if input.dim() == self._no_batch_dim:
            return self._normalise(input.unsqueeze(0)).squeeze(0)
        return self._normalise(input)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation over (N, C, L) or (C, L) input.

    >>> InstanceNorm1d(3)
    InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=False)
    """

    _no_batch_dim = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation over (N, C, H, W) or (C, H, W) input."""

    _no_batch_dim = 3


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation over (N, C, D, H, W) or (C, D, H, W) input."""

    _no_batch_dim = 4


class LocalResponseNorm(Module):
    """local_response_norm as a Module.

    >>> LocalResponseNorm(2)
    LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
