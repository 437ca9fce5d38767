"""nn.Parameter: a leaf tensor that a Module registers as one of its parameters."""

from __future__ import annotations

from .._tensor import Tensor, make


class Parameter(Tensor):
    """A tensor that is a module parameter (requires grad by default).

    >>> Parameter(tensor([1., 2.]))
    Parameter containing:
    tensor([1., 2.], requires_grad=True)
    """

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from ..ops.creation import empty

            data = empty(0)
        param = object.__new__(cls)
        source = make(data._data, data._dtype)
        for slot in ("_data", "_dtype", "_grad_fn", "_grad", "_vbox"):
            setattr(param, slot, getattr(source, slot))
        param._vbox = data._vbox  # shares storage and version with the tensor it wraps
        param._requires_grad = False
        param.requires_grad_(requires_grad)
        return param

    def __repr__(self) -> str:
        return "Parameter containing:\n" + Tensor.__repr__(self)

    def __reduce_ex__(self, protocol):
        return (Parameter, (self.detach(), self.requires_grad))

    def __deepcopy__(self, memo):
        copy = Parameter(self.detach().clone(), self.requires_grad)
        memo[id(self)] = copy
        return copy


def register_weight_and_bias(module, weight_shape, bias_size, bias, dtype) -> None:
    """``module.weight`` (uninitialised) and ``module.bias`` (or a registered None)."""
    from ..ops.creation import empty

    module.weight = Parameter(empty(*weight_shape, dtype=dtype))
    if bias:
        module.bias = Parameter(empty(bias_size, dtype=dtype))
    else:
        module.register_parameter("bias", None)
