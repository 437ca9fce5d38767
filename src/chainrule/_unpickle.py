"""A small interpreter for the pickles inside ``torch.save`` files, which never runs code.

``pickle.Unpickler`` (even with a strict ``find_class``) applies its BUILD, SETITEM and APPEND
opcodes to whatever object is on the stack, so a crafted file could rewrite a shared dtype or
``Size``. This reader instead decodes the opcodes itself with bounded reads, knows exactly the
opcodes that ``torch.save``'s protocol-2 pickles use, and checks the type of every value an
opcode consumes:

* GLOBAL resolves only the names in ``_GLOBALS`` (tensor and parameter rebuild functions,
  storage types, dtypes, ``OrderedDict``, ``Size``, ``device``, ``_codecs.encode``) to
  markers that can only be *called* through REDUCE (or, for storage types, named in a
  persistent id); no imported object is ever handed to the file.
* REDUCE calls a marker with an argument tuple of the shape and types torch writes.
* SETITEM(S) and APPEND(S) act only on dicts and lists this load created; BUILD only sets
  ``_metadata`` on an ``OrderedDict`` this load created, once.
* Persistent ids must be torch's ``('storage', type, key, location, numel)`` and name an
  archive entry of exactly the declared size.

Anything else raises ``pickle.UnpicklingError("Weights only load failed: ...")`` (the prefix
torch uses), saying what is wrong; storage problems raise ``RuntimeError`` as torch does.
"""

from __future__ import annotations

import collections
import math
import pickle
import pickletools
import struct

import numpy

from . import _backend
from ._tensor import Size, Tensor, device, make

MAX_DEPTH = 1000  # containers nested deeper than this are refused (no RecursionError later)
MAX_NDIM = 64  # NumPy's limit on dimensions
MAX_DIM = 2**62  # a size or stride beyond this cannot address real memory
# A tensor may hold more elements than its storage (stride 0: an expanded tensor) only up to
# this many bytes, because loading copies it into its own memory.
MAX_EXPANDED_BYTES = 1 << 28
_OPNAMES = {op.code: op.name for op in pickletools.opcodes}


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
    """The flat array behind one or more tensors of a torch file."""

    __slots__ = ("array", "dtype")

    def __init__(self, array: numpy.ndarray, dtype):
        self.array = array
        self.dtype = dtype  # None for an untyped (byte) storage


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


# ----------------------------------------------------------------------------- the interpreter
class TorchPickle:
    """Runs one ``data.pkl``; ``load_storage(key, dtype_or_None, numel)`` gives storages."""

    def __init__(self, data: bytes, load_storage):
        self._data = data
        self._pos = 0
        self._stack: list = []
        self._marks: list[int] = []  # stack lengths at each open MARK (no quadratic scans)
        self._memo: dict[int, object] = {}
        self._load_storage = load_storage
        self._storages: dict[str, tuple] = {}
        # Every container and tensor this load made (kept alive, so the ids stay unique).
        self._made: dict[int, object] = {}
        self._built: set[int] = set()  # OrderedDicts whose _metadata BUILD has happened
        self._tuple_depth: dict[int, int] = {}

    # ------------------------------------------------------------------ bounded reads
    def _take(self, n: int) -> bytes:
        end = self._pos + n
        if end > len(self._data):
            raise refuse(f"the pickle is truncated: it ends inside an opcode at byte {self._pos}")
        chunk = self._data[self._pos : end]
        self._pos = end
        return chunk

    def _line(self) -> str:
        end = self._data.find(b"\n", self._pos, self._pos + 256)
        if end < 0:
            raise refuse(f"GLOBAL at byte {self._pos} has no name ending in a newline")
        raw = self._data[self._pos : end]
        self._pos = end + 1
        try:
            return raw.decode("ascii")
        except UnicodeDecodeError:
            raise refuse("GLOBAL names a module or attribute that is not ASCII") from None

    def _has_value(self) -> bool:
        return len(self._stack) > (self._marks[-1] if self._marks else 0)

    def _pop(self):
        if not self._has_value():
            raise refuse(f"opcode at byte {self._opcode_at} needs a value the stack does not hold")
        return self._stack.pop()

    def _pop_mark(self) -> list:
        if not self._marks:
            raise refuse(f"opcode at byte {self._opcode_at} has no MARK before it")
        start = self._marks.pop()
        items = self._stack[start:]
        del self._stack[start:]
        return items

    def _made_here(self, obj, kinds) -> bool:
        return type(obj) in kinds and self._made.get(id(obj)) is obj

    def _keep(self, obj):
        self._made[id(obj)] = obj
        return obj

    # ------------------------------------------------------------------ the loop
    def load(self):
        if self._take(1) != b"\x80":
            raise refuse("the pickle does not start with PROTO (torch.save writes protocol 2)")
        protocol = self._take(1)[0]
        if protocol != 2:
            raise refuse(f"unsupported pickle protocol {protocol} (torch.save writes protocol 2)")
        while True:
            self._opcode_at = self._pos
            code = self._take(1)
            if code == b".":
                return self._stop()
            handler = _HANDLERS.get(code)
            if handler is None:
                name = _OPNAMES.get(code.decode("latin-1"), "unknown")
                raise refuse(f"Unsupported operand {code[0]} ({name}) at byte {self._opcode_at}")
            handler(self)

    def _stop(self):
        if len(self._stack) != 1 or self._marks:
            open_mark = " and an open MARK" if self._marks else ""
            raise refuse(
                f"STOP found {len(self._stack)} values on the stack{open_mark}, expected one"
            )
        if self._pos != len(self._data):
            raise refuse(f"{len(self._data) - self._pos} bytes of garbage follow the pickle's STOP")
        result = self._stack.pop()
        _check_result(result)
        return result

    # ------------------------------------------------------------------ plain values
    def _push(self, value):
        self._stack.append(value)

    def op_mark(self):
        self._marks.append(len(self._stack))

    def op_none(self):
        self._push(None)

    def op_true(self):
        self._push(True)

    def op_false(self):
        self._push(False)

    def op_binint1(self):
        self._push(self._take(1)[0])

    def op_binint2(self):
        self._push(struct.unpack("<H", self._take(2))[0])

    def op_binint(self):
        self._push(struct.unpack("<i", self._take(4))[0])

    def op_long1(self):
        n = self._take(1)[0]
        self._push(int.from_bytes(self._take(n), "little", signed=True))

    def op_binfloat(self):
        self._push(struct.unpack(">d", self._take(8))[0])

    def op_binunicode(self):
        (n,) = struct.unpack("<I", self._take(4))
        raw = self._take(n)
        try:
            self._push(raw.decode("utf-8", "surrogatepass"))
        except UnicodeDecodeError:
            raise refuse(f"BINUNICODE at byte {self._opcode_at} is not valid UTF-8") from None

    # ------------------------------------------------------------------ containers
    def op_empty_dict(self):
        self._push(self._keep({}))

    def op_empty_list(self):
        self._push(self._keep([]))

    def _tuple(self, items):
        value = tuple(items)
        depth = 1 + max((self._tuple_depth.get(id(x), 0) for x in value), default=0)
        if depth > MAX_DEPTH:
            raise refuse(f"tuples are nested more than {MAX_DEPTH} levels deep")
        if value:  # remembered (and kept alive, so its id stays its own) for the next tuple
            self._tuple_depth[id(value)] = depth
            self._keep(value)
        self._push(value)

    def op_empty_tuple(self):
        self._push(())

    def op_tuple(self):
        self._tuple(self._pop_mark())

    def op_tuple1(self):
        self._tuple([self._pop()])

    def op_tuple2(self):
        b, a = self._pop(), self._pop()
        self._tuple([a, b])

    def op_tuple3(self):
        c, b, a = self._pop(), self._pop(), self._pop()
        self._tuple([a, b, c])

    def _target(self, kinds, opname: str, what: str):
        if not self._has_value():
            raise refuse(f"{opname} at byte {self._opcode_at} has nothing to act on")
        target = self._stack[-1]
        if not self._made_here(target, kinds):
            raise refuse(f"Can only {opname} {what} created by this file, but got {_kind(target)}")
        return target

    def _set_items(self, items: list, opname: str):
        if len(items) % 2:
            raise refuse(f"{opname} at byte {self._opcode_at} has a key without a value")
        target = self._target((dict, collections.OrderedDict), opname, "a dict or OrderedDict")
        for key, value in zip(items[::2], items[1::2]):
            _check_key(key)
            target[key] = value

    def op_setitem(self):
        value, key = self._pop(), self._pop()
        self._set_items([key, value], "SETITEM")

    def op_setitems(self):
        self._set_items(self._pop_mark(), "SETITEMS")

    def op_append(self):
        value = self._pop()
        self._target((list,), "append to", "a list").append(value)

    def op_appends(self):
        values = self._pop_mark()
        self._target((list,), "append to", "a list").extend(values)

    # ------------------------------------------------------------------ memo
    def _put(self, index: int):
        if not self._has_value():
            raise refuse(f"PUT at byte {self._opcode_at} has nothing to remember")
        self._memo[index] = self._stack[-1]

    def _get(self, index: int):
        if index not in self._memo:
            raise refuse(f"Memo value not found at index {index} (GET at byte {self._opcode_at})")
        self._push(self._memo[index])

    def op_binput(self):
        self._put(self._take(1)[0])

    def op_long_binput(self):
        self._put(struct.unpack("<I", self._take(4))[0])

    def op_binget(self):
        self._get(self._take(1)[0])

    def op_long_binget(self):
        self._get(struct.unpack("<I", self._take(4))[0])

    # ------------------------------------------------------------------ names and calls
    def op_global(self):
        module, name = self._line(), self._line()
        found = _GLOBALS.get((module, name))
        if found is None:
            hint = ""
            if module.startswith("torch.nn"):
                hint = " To share a model, save and load its state_dict()."
            raise refuse(
                f"unsupported global: GLOBAL {module}.{name}. chainrule.load never runs code "
                "from a file; it only accepts torch's tensor and parameter rebuild functions, "
                "storage types, dtypes and collections.OrderedDict." + hint
            )
        self._push(found)

    def op_reduce(self):
        args, func = self._pop(), self._pop()
        if not isinstance(func, Marker) or func.kind == "storage":
            raise refuse(f"REDUCE can only call torch's rebuild functions, not {_kind(func)}")
        if type(args) is not tuple:
            raise refuse(f"REDUCE of {func.qualname} needs an argument tuple, got {_kind(args)}")
        self._push(_REBUILDS[func.kind](self, func.qualname, args))

    def op_build(self):
        state, target = self._pop(), self._pop()
        od = collections.OrderedDict
        if not self._made_here(target, (od,)) or id(target) in self._built:
            raise refuse(
                "Can only build an OrderedDict created by this file (once), "
                f"but got {_kind(target)}"
            )
        if not (self._made_here(state, (dict,)) and list(state) == ["_metadata"]):
            raise refuse("BUILD of an OrderedDict may only set its _metadata (a state_dict's)")
        metadata = state["_metadata"]
        if not self._made_here(metadata, (dict, od)):
            raise refuse(f"a state_dict's _metadata must be a dict, not {_kind(metadata)}")
        target._metadata = metadata
        self._built.add(id(target))
        self._push(target)

    def op_binpersid(self):
        pid = self._pop()
        if not (type(pid) is tuple and len(pid) == 5 and pid[0] == "storage"):
            raise refuse(
                f"persistent_load id must be torch's ('storage', type, key, location, numel), "
                f"but got {_kind(pid)}"
            )
        _, storage_type, key, location, numel = pid
        if not (isinstance(storage_type, Marker) and storage_type.kind == "storage"):
            raise refuse(f"a persistent id names {_kind(storage_type)} as its storage type")
        if not (type(key) is str and 0 < len(key) <= 32 and key.isascii() and key.isdigit()):
            raise refuse(f"invalid storage key {key!r} in a persistent id")
        if type(location) is not str or type(numel) is not int or numel < 0:
            raise refuse(f"storage {key} has an invalid location or size in its persistent id")
        declared = (storage_type.value, numel)
        if key in self._storages:
            if self._storages[key][0] != declared:
                raise refuse(f"storage {key} is declared twice with different types or sizes")
            self._push(self._storages[key][1])
            return
        dtype = None
        if storage_type.value is not None:
            dtype = _dtype_named(storage_type.value, f"storage {key}")
        storage = self._load_storage(key, dtype, numel)
        self._storages[key] = (declared, storage)
        self._push(storage)


def _kind(obj) -> str:
    if isinstance(obj, (Marker, _backend.dtype)):
        return repr(obj)
    return f"<class '{type(obj).__module__}.{type(obj).__qualname__}'>".replace("builtins.", "")


def _check_key(key) -> None:
    if isinstance(key, (Marker, Storage)):
        raise refuse(f"{_kind(key)} cannot be a dict key")
    try:
        hash(key)
    except TypeError:
        raise refuse(f"a dict key of type {type(key).__name__} is not hashable") from None


def _check_result(result) -> None:
    """The loaded tree holds only plain values (no markers or storages), nested boundedly."""
    seen: set[int] = set()
    todo = [(result, 1)]
    while todo:
        obj, depth = todo.pop()
        if isinstance(obj, (Marker, Storage)):
            kind = "a storage" if isinstance(obj, Storage) else f"GLOBAL {obj.qualname}"
            raise refuse(f"{kind} can only be used to rebuild a tensor, not loaded as a value")
        if type(obj) not in (dict, collections.OrderedDict, list, tuple) or id(obj) in seen:
            continue
        if depth > MAX_DEPTH:
            raise refuse(f"containers are nested more than {MAX_DEPTH} levels deep")
        seen.add(id(obj))
        children = list(obj.items()) if isinstance(obj, dict) else obj
        todo.extend((child, depth + 1) for child in children)
        metadata = getattr(obj, "_metadata", None)
        if metadata is not None:
            todo.append((metadata, depth + 1))


# ----------------------------------------------------------------------------- REDUCE targets
def _int(value, what: str, low: int = 0) -> int:
    if type(value) is not int or not low <= value < MAX_DIM:
        raise RuntimeError(f"a tensor in this file has an invalid {what}: {value!r}")
    return value


def _ints(value, what: str) -> tuple:
    if type(value) is not tuple or len(value) > MAX_NDIM:
        raise RuntimeError(f"a tensor in this file has an invalid {what}: {value!r}")
    return tuple(_int(n, what) for n in value)


def _no_hooks(reader: TorchPickle, hooks, qualname: str) -> None:
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
    array = storage.array
    if storage.dtype is None:
        if array.size % dtype.itemsize:
            raise RuntimeError(
                f"an untyped storage of {array.size} bytes cannot hold {dtype!r} values"
            )
        array = array.view(dtype.np)
    values = _strided_copy(array, dtype, _int(offset, "storage offset"),
                           _ints(size, "size"), _ints(stride, "stride"))  # fmt: skip
    t = make(values, dtype)
    if requires_grad:
        t.requires_grad_(True)
    return reader._keep(t)


def _strided_copy(array, dtype, offset: int, size: tuple, stride: tuple):
    """A fresh C-ordered array of the view (offset, size, stride) of ``array``, checked."""
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
            f"chainrule copies loaded tensors and refuses more than {MAX_EXPANDED_BYTES} bytes"
        )
    strides = [s * dtype.itemsize if n > 1 else 0 for n, s in zip(size, stride)]
    view = numpy.lib.stride_tricks.as_strided(
        array[offset:], shape=size, strides=strides, writeable=False
    )
    return numpy.array(view, dtype=dtype.np, order="C")


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


_REBUILDS = {
    "ordered_dict": _rebuild_ordered_dict,
    "tensor_v2": _rebuild_tensor,
    "tensor_v3": _rebuild_tensor,
    "parameter": _rebuild_parameter,
    "parameter_with_state": _rebuild_parameter,
    "size": _rebuild_size,
    "device": _rebuild_device,
    "bytes": _rebuild_bytes,
}

_HANDLERS = {
    b"(": TorchPickle.op_mark, b"N": TorchPickle.op_none, b"\x88": TorchPickle.op_true,
    b"\x89": TorchPickle.op_false, b"K": TorchPickle.op_binint1,
    b"M": TorchPickle.op_binint2, b"J": TorchPickle.op_binint, b"\x8a": TorchPickle.op_long1,
    b"G": TorchPickle.op_binfloat, b"X": TorchPickle.op_binunicode,
    b"}": TorchPickle.op_empty_dict, b"]": TorchPickle.op_empty_list,
    b")": TorchPickle.op_empty_tuple, b"t": TorchPickle.op_tuple,
    b"\x85": TorchPickle.op_tuple1, b"\x86": TorchPickle.op_tuple2,
    b"\x87": TorchPickle.op_tuple3, b"s": TorchPickle.op_setitem,
    b"u": TorchPickle.op_setitems, b"a": TorchPickle.op_append, b"e": TorchPickle.op_appends,
    b"q": TorchPickle.op_binput, b"r": TorchPickle.op_long_binput,
    b"h": TorchPickle.op_binget, b"j": TorchPickle.op_long_binget,
    b"c": TorchPickle.op_global, b"R": TorchPickle.op_reduce, b"b": TorchPickle.op_build,
    b"Q": TorchPickle.op_binpersid,
}  # fmt: skip
