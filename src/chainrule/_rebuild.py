"""What a ``torch.save`` pickle may name and call: the allowed globals and the REDUCE targets.

``_unpickle`` runs the opcodes; this module holds the values GLOBAL may push (``Marker``s
that can only be called, never handed to the file) and the functions REDUCE may call with
them, each checking the exact shape and types of its arguments. Tensors are rebuilt as
views of their storage's one NumPy array (see ``Storage``), so tensors that shared a storage
in the file share memory after loading, as in torch.
"""

from __future__ import annotations

import collections
import math
import pickle
import sys

import numpy

from . import _backend
from ._tensor import Size, Tensor, device, make

MAX_DEPTH = 1000  # containers nested deeper than this are refused (no RecursionError later)
MAX_NDIM = 64  # NumPy's limit on dimensions
MAX_DIM = 2**62  # a size or stride beyond this cannot address real memory
# A tensor may hold more elements than its storage (stride 0: an expanded tensor) only up to
# this many bytes: what a later op on it would allocate (repr, arithmetic) stays sane.
MAX_EXPANDED_BYTES = 1 << 28
_NATIVE = "<" if sys.byteorder == "little" else ">"


def refuse(message: str) -> pickle.UnpicklingError:
    return pickle.UnpicklingError(f"Weights only load failed: {message}")


# ----------------------------------------------------------------------------- what GLOBAL gives
class Marker:
    """What GLOBAL pushes: a name from the file that can only be called or used as a type."""

    __slots__ = ("qualname", "kind", "value")

    def __init__(self, qualname: str, kind: str, value=None):
        self.qualname = qualname  # "torch.Size", as the file spells it
        self.kind = kind  # which rebuild it stands for; "storage" for storage types
        self.value = value  # the storage type's dtype name (None: untyped storage)

    def __repr__(self) -> str:
        return self.qualname


class Storage:
    """The bytes behind one or more tensors of a torch file, read once into one array.

    ``values(dtype)`` gives the storage as a flat native-order array of ``dtype`` values,
    made once per dtype and shared by every tensor rebuilt from this storage, so tensors
    that shared a storage in the file share memory after loading (as torch's do).
    """

    __slots__ = ("raw", "dtype", "byteorder", "_values")

    def __init__(self, raw: numpy.ndarray, dtype, byteorder: str = "<"):
        self.raw = raw  # a writable uint8 array of the entry's bytes
        self.dtype = dtype  # None for an untyped (byte) storage
        self.byteorder = byteorder  # the file's: "<" or ">"
        self._values: dict[str, numpy.ndarray] = {}

    def values(self, dtype) -> numpy.ndarray:
        found = self._values.get(dtype.name)
        if found is None:
            if self.raw.size % dtype.itemsize:
                raise RuntimeError(
                    f"an untyped storage of {self.raw.size} bytes cannot hold {dtype!r} values"
                )
            found = self.raw.view(dtype.np.newbyteorder(self.byteorder))
            if self.byteorder != _NATIVE and dtype.itemsize > 1:
                found = found.astype(dtype.np)  # one native copy, shared by its tensors
            else:
                found = found.view(dtype.np)
            self._values[dtype.name] = found
        return found


_STORAGE_TYPES = {
    "DoubleStorage": "float64", "FloatStorage": "float32", "HalfStorage": "float16",
    "BFloat16Storage": "bfloat16", "LongStorage": "int64", "IntStorage": "int32",
    "ShortStorage": "int16", "CharStorage": "int8", "ByteStorage": "uint8",
    "BoolStorage": "bool", "ComplexFloatStorage": "complex64",
    "ComplexDoubleStorage": "complex128",
}  # fmt: skip
_DTYPE_NAMES = {
    "float64": "float64", "double": "float64", "float32": "float32", "float": "float32",
    "float16": "float16", "half": "float16", "bfloat16": "bfloat16", "int64": "int64",
    "long": "int64", "int32": "int32", "int": "int32", "int16": "int16", "short": "int16",
    "int8": "int8", "uint8": "uint8", "bool": "bool", "uint16": "uint16", "uint32": "uint32",
    "uint64": "uint64", "complex64": "complex64", "cfloat": "complex64",
    "complex128": "complex128", "cdouble": "complex128",
}  # fmt: skip


def _globals() -> dict:
    table = {
        ("collections", "OrderedDict"): "ordered_dict",
        ("torch._utils", "_rebuild_tensor_v2"): "tensor_v2",
        ("torch._utils", "_rebuild_tensor_v3"): "tensor_v3",
        ("torch._utils", "_rebuild_parameter"): "parameter",
        ("torch._utils", "_rebuild_parameter_with_state"): "parameter_with_state",
        ("torch", "Size"): "size",
        ("torch", "device"): "device",
        ("_codecs", "encode"): "bytes",
        ("builtins", "set"): "set",
        ("__builtin__", "set"): "set",  # how protocol 2 spells builtins
    }
    found = {key: Marker(".".join(key), kind) for key, kind in table.items()}
    for name, dtype_name in _STORAGE_TYPES.items():
        found[("torch", name)] = Marker("torch." + name, "storage", dtype_name)
    found[("torch.storage", "UntypedStorage")] = Marker("torch.storage.UntypedStorage", "storage")
    found[("torch", "UntypedStorage")] = Marker("torch.UntypedStorage", "storage")
    for name, dtype_name in _DTYPE_NAMES.items():
        if dtype_name in _backend._BY_NAME:
            found[("torch", name)] = _backend._BY_NAME[dtype_name]
    return found


_GLOBALS = _globals()


def _dtype_named(name: str, where: str):
    found = _backend._BY_NAME.get(name)
    if found is None:
        raise RuntimeError(f"{where} holds {name} values; chainrule has no {name} dtype")
    return found


def _kind(obj) -> str:
    if isinstance(obj, (Marker, _backend.dtype)):
        return repr(obj)
    return f"<class '{type(obj).__module__}.{type(obj).__qualname__}'>".replace("builtins.", "")


def _check_key(key) -> None:
    if isinstance(key, (Marker, Storage)):
        raise refuse(f"{_kind(key)} cannot be a dict key or set item")
    try:
        hash(key)
    except TypeError:
        raise refuse(f"a dict key of type {type(key).__name__} is not hashable") from None


# ----------------------------------------------------------------------------- REDUCE targets
def _int(value, what: str, low: int = 0) -> int:
    if type(value) is not int or not low <= value < MAX_DIM:
        raise RuntimeError(f"a tensor in this file has an invalid {what}: {value!r}")
    return value


def _ints(value, what: str) -> tuple:
    if type(value) is not tuple or len(value) > MAX_NDIM:
        raise RuntimeError(f"a tensor in this file has an invalid {what}: {value!r}")
    return tuple(_int(n, what) for n in value)


def _no_hooks(reader, hooks, qualname: str) -> None:
    if not (reader._made_here(hooks, (collections.OrderedDict, dict)) and not hooks):
        raise refuse(f"{qualname} expects an empty OrderedDict of backward hooks")


def _rebuild_tensor(reader, qualname, args):
    v3 = qualname.endswith("v3")
    count = (7, 8) if v3 else (6, 7)
    if len(args) not in count:
        raise refuse(f"{qualname} takes {count[0]} or {count[1]} arguments, got {len(args)}")
    storage, offset, size, stride, requires_grad, hooks = args[:6]
    metadata = args[count[0]] if len(args) == count[1] else None
    if not isinstance(storage, Storage):
        raise refuse(f"{qualname} needs a storage first, got {_kind(storage)}")
    if type(requires_grad) is not bool:
        raise refuse(f"{qualname} needs a bool requires_grad, got {_kind(requires_grad)}")
    _no_hooks(reader, hooks, qualname)
    if metadata is not None and not (reader._made_here(metadata, (dict,)) and not metadata):
        raise refuse(f"{qualname} got tensor metadata chainrule cannot apply")
    dtype = storage.dtype
    if v3:
        dtype = args[6]
        if not isinstance(dtype, _backend.dtype) or storage.dtype is not None:
            raise refuse(f"{qualname} needs an untyped storage and a dtype")
    elif dtype is None:
        raise refuse(f"{qualname} needs a typed storage")
    values = _strided_view(storage.values(dtype), dtype, _int(offset, "storage offset"),
                           _ints(size, "size"), _ints(stride, "stride"))  # fmt: skip
    t = make(values, dtype)
    t._vbox[0] = 1  # torch counts the set_ that placed it on its storage
    if requires_grad:
        t.requires_grad_(True)
    return reader._keep(t)


def _strided_view(array, dtype, offset: int, size: tuple, stride: tuple):
    """The tensor (offset, size, stride) of the flat ``array``, checked, as a view of it.

    Like torch's, it shares the storage's memory with every other tensor of that storage.
    A tensor with a dimension of stride 0 (an expanded one) is a read-only view, as
    chainrule's ``expand`` makes, so writing into it raises torch's overlap error; one whose
    elements overlap otherwise (only ``as_strided`` makes those) is copied.
    """
    if len(size) != len(stride):
        raise RuntimeError(f"a tensor in this file has {len(size)} sizes but {len(stride)} strides")
    numel = math.prod(size)
    if numel == 0:
        return numpy.zeros(size, dtype.np)
    last = offset + sum((n - 1) * s for n, s in zip(size, stride))
    if last >= array.size:
        raise RuntimeError(
            f"a tensor in this file reaches outside its storage: element {last} of a storage "
            f"of {array.size}"
        )
    if numel > array.size and numel * dtype.itemsize > MAX_EXPANDED_BYTES:
        raise RuntimeError(
            f"a tensor in this file expands {array.size} stored values to {numel} elements; "
            f"chainrule refuses more than {MAX_EXPANDED_BYTES} bytes"
        )
    expanded, overlaps = _overlap(size, stride)
    view = numpy.ndarray(
        size,
        array.dtype,
        buffer=array,  # the view's .base: storage_offset() counts from the storage's start
        offset=offset * dtype.itemsize,
        strides=[s * dtype.itemsize for s in stride],
    )
    if overlaps:
        return numpy.array(view, order="C")
    if expanded:
        view.flags.writeable = False
    return view


def _overlap(size: tuple, stride: tuple) -> tuple[bool, bool]:
    """(has a dimension of stride 0, has elements that overlap in another way)."""
    dims = sorted((s, n) for n, s in zip(size, stride) if n > 1)
    if any(s == 0 for s, _ in dims):
        return True, False
    extent = 0  # the furthest element the smaller-stride dimensions reach
    for s, n in dims:
        if s <= extent:
            return False, True
        extent += (n - 1) * s
    return False, False


def _rebuild_parameter(reader, qualname, args):
    from .nn.parameter import Parameter

    with_state = qualname.endswith("with_state")
    if len(args) != (4 if with_state else 3):
        raise refuse(f"{qualname} takes {4 if with_state else 3} arguments, got {len(args)}")
    data, requires_grad, hooks = args[:3]
    if not (reader._made_here(data, (Tensor,))):
        raise refuse(f"{qualname} needs a tensor rebuilt by this file, got {_kind(data)}")
    if type(requires_grad) is not bool:
        raise refuse(f"{qualname} needs a bool requires_grad, got {_kind(requires_grad)}")
    _no_hooks(reader, hooks, qualname)
    state = args[3] if with_state else None
    if state is not None and not (reader._made_here(state, (dict,)) and not state):
        raise refuse(f"{qualname} got parameter state chainrule cannot apply")
    return reader._keep(Parameter(data.detach(), requires_grad))


def _rebuild_ordered_dict(reader, qualname, args):
    if args != ():
        raise refuse(f"{qualname} must be called with no arguments, got {len(args)}")
    return reader._keep(collections.OrderedDict())


def _rebuild_size(reader, qualname, args):
    if len(args) != 1 or type(args[0]) is not tuple or len(args[0]) > MAX_NDIM:
        raise refuse(f"{qualname} takes one tuple of at most {MAX_NDIM} ints")
    if not all(type(n) is int for n in args[0]):
        raise refuse(f"{qualname} takes a tuple of ints, got {args[0]!r}")
    return Size(args[0])


def _rebuild_device(reader, qualname, args):
    if not (1 <= len(args) <= 2 and type(args[0]) is str and len(args[0]) <= 64):
        raise refuse(f"{qualname} takes a device name and an optional index")
    if len(args) == 2 and type(args[1]) is not int:
        raise refuse(f"{qualname} takes an int index, got {_kind(args[1])}")
    try:
        return device(*args)
    except (RuntimeError, ValueError) as exc:
        raise refuse(f"invalid device in this file: {exc}") from None


def _rebuild_bytes(reader, qualname, args):
    if not (len(args) == 2 and type(args[0]) is str and args[1] == "latin1"):
        raise refuse(f"{qualname} is only accepted as torch writes bytes: (str, 'latin1')")
    try:
        return args[0].encode("latin1")
    except UnicodeEncodeError:
        raise refuse(f"{qualname} got text that is not latin-1") from None


def _rebuild_set(reader, qualname, args):
    if not (len(args) == 1 and reader._made_here(args[0], (list,))):
        raise refuse(f"{qualname} takes one list made by this file")
    for item in args[0]:
        _check_key(item)
    return reader._keep(set(args[0]))


_REBUILDS = {
    "set": _rebuild_set,
    "ordered_dict": _rebuild_ordered_dict,
    "tensor_v2": _rebuild_tensor,
    "tensor_v3": _rebuild_tensor,
    "parameter": _rebuild_parameter,
    "parameter_with_state": _rebuild_parameter,
    "size": _rebuild_size,
    "device": _rebuild_device,
    "bytes": _rebuild_bytes,
}
