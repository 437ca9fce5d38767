"""Facts about dtypes and tensors, and process-wide settings: finfo/iinfo, get_rng_state,
is_nonzero, typename, set_num_threads, ...

>>> import chainrule as torch
>>> torch.finfo(torch.float32).eps
1.1920928955078125e-07
>>> torch.iinfo(torch.int8).max
127
"""

from __future__ import annotations

import json

from . import _backend
from ._backend import xp
from ._tensor import Tensor, make

__all__ = [
    "finfo",
    "iinfo",
    "get_rng_state",
    "set_rng_state",
    "is_complex",
    "is_nonzero",
    "is_same_size",
    "is_signed",
    "typename",
    "can_cast",
    "scalar_tensor",
    "get_num_threads",
    "set_num_threads",
    "get_num_interop_threads",
    "set_num_interop_threads",
]


def _g(value: float) -> str:
    return f"{value:g}"


class finfo:
    """Machine limits of a floating dtype (the default float dtype when none is given)."""

    def __init__(self, type=None):
        dtype = type if type is not None else _backend.defaults.float_dtype
        if not getattr(dtype, "is_floating_point", False):
            raise TypeError(
                "torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                "'torch.finfo'"
            )
        info = xp.finfo(dtype.np)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = dtype.name

    def __eq__(self, other):
        return isinstance(other, finfo) and other.dtype == self.dtype

    def __hash__(self):
        return hash(("finfo", self.dtype))

    def __repr__(self):
        return (
            f"finfo(resolution={_g(self.resolution)}, min={_g(self.min)}, max={_g(self.max)}, "
            f"eps={_g(self.eps)}, smallest_normal={_g(self.smallest_normal)}, "
            f"tiny={_g(self.tiny)}, dtype={self.dtype})"
        )


class iinfo:
    """Limits of an integer dtype."""

    def __init__(self, type):
        if type is _backend.bool_:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if getattr(type, "is_floating_point", True):
            raise TypeError(
                "torch.iinfo() requires an integer input type. Use torch.finfo to handle "
                "'torch.iinfo'"
            )
        info = xp.iinfo(type.np)
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = type.name

    def __eq__(self, other):
        return isinstance(other, iinfo) and other.dtype == self.dtype

    def __hash__(self):
        return hash(("iinfo", self.dtype))

    def __repr__(self):
        return f"iinfo(min={_g(self.min)}, max={_g(self.max)}, dtype={self.dtype})"


# --------------------------------------------------------------------------- random state


def get_rng_state() -> Tensor:
    """The default generator's state as a uint8 tensor (give it to ``set_rng_state``)."""
    from .ops.creation import default_generator

    text = json.dumps(default_generator.get_state()).encode()
    return make(xp.frombuffer(text, dtype=xp.uint8).copy(), _backend.uint8)


def set_rng_state(new_state: Tensor) -> None:
    """Restore the default generator to a state from ``get_rng_state``."""
    from .ops.creation import default_generator

    if not isinstance(new_state, Tensor) or new_state.dtype is not _backend.uint8:
        raise TypeError("expected a torch.ByteTensor as the new RNG state")
    default_generator.set_state(json.loads(new_state._data.tobytes().decode()))


# --------------------------------------------------------------------------- tensor facts


def is_complex(input) -> bool:
    """False: chainrule has no complex dtypes."""
    return False


def is_nonzero(input) -> bool:
    """The truth of a one-element tensor (errors like torch for other sizes)."""
    n = input.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()))


def is_same_size(input, other) -> bool:
    return tuple(input.shape) == tuple(other.shape)


def is_signed(input) -> bool:
    """True for dtypes that hold negative numbers (all but bool and uint8)."""
    return input.dtype not in (_backend.bool_, _backend.uint8)


def typename(obj) -> str:
    """'torch.FloatTensor' for a float32 tensor; the class name for anything else."""
    if isinstance(obj, Tensor):
        return f"torch.{obj.dtype.scalar_name}Tensor"
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module in ("builtins", None) else f"{module}.{name}"


def can_cast(from_, to) -> bool:
    """Whether torch's casting rules allow ``from_`` to ``to`` (no kind downgrade)."""
    order = {"b": 0, "u": 1, "i": 1, "f": 2}
    return order[from_.np.kind] <= order[to.np.kind]


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A 0-d tensor of ``s`` in ``dtype`` (the default float dtype when none is given)."""
    from .ops.creation import tensor

    return tensor(s, dtype=dtype or _backend.defaults.float_dtype, requires_grad=requires_grad)


_threads = {"intra": 1, "inter": 1}


def get_num_threads() -> int:
    """The thread count set with ``set_num_threads`` (NumPy's BLAS picks its own)."""
    return _threads["intra"]


def set_num_threads(n: int) -> None:
    """Recorded for ``get_num_threads``; NumPy's BLAS thread pool is not changed."""
    if int(n) <= 0:
        raise RuntimeError("Number of threads must be positive")
    _threads["intra"] = int(n)


def get_num_interop_threads() -> int:
    return _threads["inter"]


def set_num_interop_threads(n: int) -> None:
    if int(n) <= 0:
        raise RuntimeError("Number of threads must be positive")
    _threads["inter"] = int(n)


def _install_tensor_facts() -> None:
    Tensor.is_nonzero = is_nonzero
    Tensor.is_same_size = is_same_size
    Tensor.is_signed = is_signed
    Tensor.is_inference = lambda self: False
    Tensor.get_device = lambda self: -1
    Tensor.is_cpu = property(lambda self: True)
    Tensor.nbytes = property(lambda self: int(self._data.nbytes))
    Tensor.itemsize = property(lambda self: int(self._data.itemsize))
    Tensor.storage_offset = _storage_offset


def _storage_offset(self) -> int:
    """Elements between the start of the base's storage and this view's first element."""
    data = self._data
    base = data
    while isinstance(base.base, xp.ndarray):
        base = base.base
    if base is data or data.size == 0:
        return 0
    start = data.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    return start // data.itemsize


_install_tensor_facts()
