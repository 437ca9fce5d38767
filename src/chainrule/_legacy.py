"""The legacy typed-tensor constructors: torch.FloatTensor([1, 2]), torch.LongTensor(3, 4).

They are not classes of their own tensors (``type(torch.FloatTensor([1.]))`` is Tensor), but
``isinstance(x, torch.FloatTensor)`` checks the dtype, as in torch.

>>> import chainrule as torch
>>> torch.LongTensor([1.7, 2.2]), isinstance(torch.ones(1), torch.FloatTensor)
(tensor([1, 2]), True)
"""

from __future__ import annotations

from . import _backend
from ._tensor import Size, Tensor

__all__ = []

_TYPES = {
    "FloatTensor": "float32",
    "DoubleTensor": "float64",
    "HalfTensor": "float16",
    "LongTensor": "int64",
    "IntTensor": "int32",
    "ShortTensor": "int16",
    "CharTensor": "int8",
    "ByteTensor": "uint8",
    "BoolTensor": "bool_",
}


class _LegacyTensorType(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"

    def __call__(cls, *args, **kwargs):
        return _construct(f"torch.{cls.__name__}", cls.dtype, args, kwargs)


def _construct(name, dtype, args, kwargs):
    """What torch.<name>(*args) builds: from data, or of a shape (zeros: torch leaves the
    values uninitialised), or empty."""
    from .ops.creation import tensor, zeros

    if kwargs:
        raise TypeError(
            f"new() received an invalid combination of arguments - got "
            f"({', '.join(type(a).__name__ for a in args)}, "
            f"{', '.join(f'{k}={type(v).__name__}' for k, v in kwargs.items())})"
        )
    if not args:
        return zeros(0, dtype=dtype)
    if len(args) == 1 and isinstance(args[0], Size):
        return zeros(*args[0], dtype=dtype)
    if all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        return zeros(*args, dtype=dtype)
    (data,) = args
    if isinstance(data, Tensor):
        if data.dtype is not dtype:
            raise TypeError(f"expected {_options(dtype)} (got {_options(data.dtype)})")
        return data
    return tensor(data, dtype=dtype)


def _options(dtype) -> str:
    return (
        f"TensorOptions(dtype={dtype.c_name}, device=cpu, layout=Strided, requires_grad=false "
        "(default), pinned_memory=false (default), memory_format=(nullopt))"
    )


def _make(name, dtype_name):
    cls = _LegacyTensorType(name, (), {"dtype": getattr(_backend, dtype_name)})
    cls.__module__ = "torch"
    return cls


for _name, _dtype in _TYPES.items():
    globals()[_name] = _make(_name, _dtype)
    __all__.append(_name)

_BY_NAME = {f"torch.{name}": globals()[name].dtype for name in _TYPES}


def legacy_dtype(value):
    """The dtype a Tensor.type() argument names: a dtype, "torch.FloatTensor" or the class."""
    if isinstance(value, str):
        if value not in _BY_NAME:
            raise ValueError(f"invalid type: '{value}'")
        return _BY_NAME[value]
    if isinstance(value, _LegacyTensorType):
        return value.dtype
    return value


def _new(self, *args, **kwargs):
    """Tensor.new(data) / Tensor.new(*sizes): the legacy constructor, in self's dtype."""
    return _construct("Tensor.new", self.dtype, args, kwargs)


Tensor.new = _new
