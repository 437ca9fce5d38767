"""Saving and loading tensors and state dicts, without ever running code from a file.

Three formats:

* ``chainrule.save`` writes a zip archive: ``chainrule/manifest.json`` describes the object
  (dicts, lists, tuples, str, int, float, bool, None and tensors) and each tensor's bytes sit
  in ``chainrule/tensors/<n>``. Loading it only parses JSON and copies bytes.
* ``chainrule.load`` also reads the zip files written by ``torch.save`` (``<name>/data.pkl``
  plus ``<name>/data/<key>`` storages). Their pickle is read by a restricted unpickler that
  knows a handful of names (torch's tensor/parameter rebuild functions, storage types, dtypes,
  ``collections.OrderedDict``) and maps them onto NumPy-backed chainrule tensors; any other
  name is refused with ``pickle.UnpicklingError`` before anything is called.
* ``save_safetensors`` / ``load_safetensors`` read and write the ``.safetensors`` format
  (8-byte little-endian header length, a JSON header, then the raw little-endian bytes).

>>> import io
>>> buffer = io.BytesIO()
>>> save({"w": tensor([1., 2.]), "step": 3}, buffer)
>>> _ = buffer.seek(0)
>>> load(buffer)
{'w': tensor([1., 2.]), 'step': 3}
"""

from __future__ import annotations

import collections
import io
import json
import math
import os
import pickle
import struct
import zipfile

import numpy

from . import _backend
from ._tensor import Size, Tensor, device, make

__all__ = ["save", "load", "save_safetensors", "load_safetensors"]

_ROOT = "chainrule"
_FORMAT_VERSION = 1


# ----------------------------------------------------------------------------- files
def _open_for_reading(f):
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as handle:
            return handle.read()
    return f.read()


def _write_bytes(f, data: bytes) -> None:
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as handle:
            handle.write(data)
    else:
        f.write(data)


def _array_of(t: Tensor) -> numpy.ndarray:
    """The tensor's values as a C-contiguous little-endian NumPy array."""
    array = numpy.ascontiguousarray(numpy.asarray(t._data))
    return array.astype(array.dtype.newbyteorder("<"), copy=False)


# ----------------------------------------------------------------------------- chainrule.save
class _Encoder:
    """Turns an object tree into JSON-able data, collecting tensors on the side."""

    def __init__(self):
        self.tensors: list[Tensor] = []
        self._ids: dict[int, int] = {}

    def encode(self, obj):
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int):
            return obj if type(obj) is int else int(obj)
        if isinstance(obj, float):
            return obj if math.isfinite(obj) else {"$": "float", "value": repr(obj)}
        if isinstance(obj, Tensor):
            return self._tensor(obj)
        if isinstance(obj, _backend.dtype):
            return {"$": "dtype", "name": obj.name}
        if isinstance(obj, Size):
            return {"$": "size", "items": list(obj)}
        if isinstance(obj, tuple):
            return {"$": "tuple", "items": [self.encode(x) for x in obj]}
        if isinstance(obj, list):
            return [self.encode(x) for x in obj]
        if isinstance(obj, dict):
            ordered = isinstance(obj, collections.OrderedDict)
            items = [[self.encode(k), self.encode(v)] for k, v in obj.items()]
            return {"$": "odict" if ordered else "dict", "items": items}
        raise TypeError(
            f"chainrule.save cannot store an object of type {type(obj).__name__}: it stores "
            "tensors, dicts, lists, tuples, str, int, float, bool and None (save a model's "
            "state_dict(), not the model)"
        )

    def _tensor(self, t: Tensor):
        from .nn.parameter import Parameter

        key = self._ids.get(id(t))
        if key is None:
            key = self._ids[id(t)] = len(self.tensors)
            self.tensors.append(t)
        return {
            "$": "tensor",
            "key": key,
            "dtype": t.dtype.name,
            "shape": list(t.shape),
            "requires_grad": bool(t.requires_grad),
            "parameter": isinstance(t, Parameter),
        }


def save(obj, f) -> None:
    """Save tensors, state dicts and nested containers to a path or binary file object.

    >>> import io, collections
    >>> buffer = io.BytesIO()
    >>> save(collections.OrderedDict(weight=tensor([[1., 2.]])), buffer)
    >>> buffer.getvalue()[:2]
    b'PK'
    """
    encoder = _Encoder()
    tree = encoder.encode(obj)
    manifest = {"format": "chainrule", "version": _FORMAT_VERSION, "object": tree}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(f"{_ROOT}/manifest.json", json.dumps(manifest))
        for key, t in enumerate(encoder.tensors):
            archive.writestr(f"{_ROOT}/tensors/{key}", _array_of(t).tobytes())
    _write_bytes(f, buffer.getvalue())


# ----------------------------------------------------------------------------- chainrule.load
def _check_map_location(map_location) -> None:
    """Only the CPU exists: accept cpu targets, refuse CUDA ones as torch does without CUDA."""
    targets = []
    if isinstance(map_location, dict):
        targets = list(map_location.values())
    elif map_location is not None and not callable(map_location):
        targets = [map_location]
    for target in targets:
        if device(target).type == "cuda":
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
                "is False. If you are running on a CPU-only machine, please use torch.load with "
                "map_location=torch.device('cpu') to map your storages to the CPU."
            )


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None, **kwargs):
    """Load what :func:`save` (or ``torch.save``) wrote; no code from the file ever runs.

    ``weights_only=False`` is accepted for compatibility but changes nothing: torch files are
    always read with the restricted unpickler.

    >>> import io
    >>> buffer = io.BytesIO(); save([tensor(1), (2.5, None)], buffer); _ = buffer.seek(0)
    >>> load(buffer, map_location="cpu")
    [tensor(1), (2.5, None)]
    """
    _check_map_location(map_location)
    data = _open_for_reading(f)
    if not data.startswith(b"PK"):
        raise RuntimeError(
            "chainrule.load reads the zip files written by chainrule.save and torch.save "
            "(PyTorch >= 1.6); this file is not one (legacy torch files and raw pickles are not "
            "supported because loading them can run arbitrary code)"
        )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        if f"{_ROOT}/manifest.json" in names:
            return _load_chainrule(archive)
        pickles = [n for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
        if len(pickles) != 1:
            raise RuntimeError("the zip file is neither a chainrule.save nor a torch.save file")
        return _TorchUnpickler(archive, pickles[0][: -len("data.pkl")]).load()


def _load_chainrule(archive: zipfile.ZipFile):
    manifest = json.loads(archive.read(f"{_ROOT}/manifest.json"))
    if manifest.get("format") != "chainrule" or manifest.get("version") != _FORMAT_VERSION:
        raise RuntimeError("unsupported chainrule file version")
    cache: dict[int, Tensor] = {}

    def tensor_of(spec) -> Tensor:
        key = int(spec["key"])
        if key not in cache:
            dtype = _backend._BY_NAME[spec["dtype"]]
            shape = tuple(int(n) for n in spec["shape"])
            raw = archive.read(f"{_ROOT}/tensors/{key}")
            array = numpy.frombuffer(raw, dtype=dtype.np.newbyteorder("<"))
            if array.size != math.prod(shape):
                raise RuntimeError(f"tensor {key} has {array.size} values, expected shape {shape}")
            array = array.astype(dtype.np).reshape(shape)  # a native-order, writable copy
            cache[key] = _finish_tensor(array, dtype, spec["requires_grad"], spec["parameter"])
        return cache[key]

    def decode(node):
        if isinstance(node, list):
            return [decode(x) for x in node]
        if not isinstance(node, dict):
            return node
        tag = node["$"]
        if tag == "tensor":
            return tensor_of(node)
        if tag == "tuple":
            return tuple(decode(x) for x in node["items"])
        if tag == "size":
            return Size(int(x) for x in node["items"])
        if tag in ("dict", "odict"):
            kind = collections.OrderedDict if tag == "odict" else dict
            return kind((_hashable(decode(k)), decode(v)) for k, v in node["items"])
        if tag == "float":
            return float(node["value"])
        if tag == "dtype":
            return _backend._BY_NAME[node["name"]]
        raise RuntimeError(f"unknown entry {tag!r} in a chainrule file")

    return decode(manifest["object"])


def _hashable(key):
    return tuple(_hashable(k) for k in key) if isinstance(key, list) else key


def _finish_tensor(array, dtype, requires_grad: bool, parameter: bool) -> Tensor:
    t = make(array, dtype)
    if parameter:
        from .nn.parameter import Parameter

        return Parameter(t, bool(requires_grad))
    if requires_grad:
        t.requires_grad_(True)
    return t


# ----------------------------------------------------------------------------- torch.save files
_STORAGE_DTYPES = {
    "DoubleStorage": "float64",
    "FloatStorage": "float32",
    "HalfStorage": "float16",
    "LongStorage": "int64",
    "IntStorage": "int32",
    "ShortStorage": "int16",
    "CharStorage": "int8",
    "ByteStorage": "uint8",
    "BoolStorage": "bool",
}
_TORCH_DTYPES = {
    "float64": "float64", "double": "float64", "float32": "float32", "float": "float32",
    "float16": "float16", "half": "float16", "int64": "int64", "long": "int64",
    "int32": "int32", "int": "int32", "int16": "int16", "short": "int16", "int8": "int8",
    "uint8": "uint8", "bool": "bool",
}  # fmt: skip


class _StorageType:
    """Stands for ``torch.FloatStorage`` etc. in a pickle: only names a dtype."""

    def __init__(self, name: str):
        self.name = name


class _Storage:
    """The flat array behind one or more tensors of a torch file."""

    def __init__(self, array: numpy.ndarray, dtype):
        self.array = array
        self.dtype = dtype


def _rebuild_tensor(storage, storage_offset, size, stride, requires_grad=False,
                    backward_hooks=None, metadata=None):  # fmt: skip
    """A chainrule tensor viewing ``storage`` -- after checking every index stays inside it."""
    if not isinstance(storage, _Storage):
        raise pickle.UnpicklingError("a tensor in this file does not refer to a storage")
    size = tuple(_as_int(n) for n in size)
    stride = tuple(_as_int(n) for n in stride)
    offset = _as_int(storage_offset)
    if len(size) != len(stride) or any(n < 0 for n in size + stride) or offset < 0:
        raise pickle.UnpicklingError("a tensor in this file has an invalid size or stride")
    array = storage.array
    if 0 not in size:
        last = offset + sum((n - 1) * s for n, s in zip(size, stride))
        if last >= array.size:
            raise pickle.UnpicklingError("a tensor in this file reaches outside its storage")
        itemsize = array.itemsize
        view = numpy.lib.stride_tricks.as_strided(
            array[offset:], shape=size, strides=[s * itemsize for s in stride], writeable=False
        )
        values = numpy.array(view, dtype=storage.dtype.np, order="C")
    else:
        values = numpy.zeros(size, storage.dtype.np)
    return _finish_tensor(values, storage.dtype, bool(requires_grad), parameter=False)


def _rebuild_parameter(data, requires_grad=True, backward_hooks=None, state=None):
    from .nn.parameter import Parameter

    if not isinstance(data, Tensor):
        raise pickle.UnpicklingError("a parameter in this file does not hold a tensor")
    return Parameter(data.detach(), bool(requires_grad))


def _as_int(value) -> int:
    if type(value) is not int:
        raise pickle.UnpicklingError(f"expected an integer in a tensor header, got {value!r}")
    return value


def _allowed_globals() -> dict:
    allowed = {
        ("collections", "OrderedDict"): collections.OrderedDict,
        ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
        ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
        ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
        ("torch", "Size"): Size,
        ("torch", "device"): device,
    }
    for name in _STORAGE_DTYPES:
        allowed[("torch", name)] = _StorageType(name)
    for name, chainrule_name in _TORCH_DTYPES.items():
        allowed[("torch", name)] = _backend._BY_NAME[chainrule_name]
    return allowed


_ALLOWED = _allowed_globals()


class _TorchUnpickler(pickle.Unpickler):
    """Reads ``data.pkl`` of a torch zip file; ``find_class`` knows only ``_ALLOWED``."""

    def __init__(self, archive: zipfile.ZipFile, prefix: str):
        super().__init__(io.BytesIO(archive.read(prefix + "data.pkl")))
        self._archive = archive
        self._prefix = prefix
        self._storages: dict[str, _Storage] = {}
        order = prefix + "byteorder"
        little = order not in archive.namelist() or archive.read(order).strip() == b"little"
        self._byteorder = "<" if little else ">"

    def find_class(self, module, name):
        found = _ALLOWED.get((module, name))
        if found is None:
            hint = ""
            if module.startswith("torch.nn"):
                hint = " To share a model, save and load its state_dict()."
            raise pickle.UnpicklingError(
                f"Weights only load failed: unsupported global: GLOBAL {module}.{name}. "
                "chainrule.load never runs code from a file; it only accepts torch's tensor "
                "and parameter rebuild functions, storage types, dtypes and "
                "collections.OrderedDict." + hint
            )
        return found

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r} in this file")
        _, storage_type, key, _location, numel = pid
        if not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError("unsupported storage type in this file")
        if not (isinstance(key, str) and key.isdigit()):
            raise pickle.UnpicklingError(f"invalid storage key {key!r} in this file")
        if key not in self._storages:
            dtype = _backend._BY_NAME[_STORAGE_DTYPES[storage_type.name]]
            raw = self._archive.read(f"{self._prefix}data/{key}")
            array = numpy.frombuffer(raw, dtype=dtype.np.newbyteorder(self._byteorder))
            if array.size != _as_int(numel):
                raise pickle.UnpicklingError(
                    f"storage {key} holds {array.size} values, not {numel}"
                )
            self._storages[key] = _Storage(array, dtype)
        return self._storages[key]


# ----------------------------------------------------------------------------- safetensors
_SAFETENSORS_DTYPES = {
    "F64": "float64", "F32": "float32", "F16": "float16", "I64": "int64", "I32": "int32",
    "I16": "int16", "I8": "int8", "U8": "uint8", "BOOL": "bool",
}  # fmt: skip
_SAFETENSORS_CODES = {v: k for k, v in _SAFETENSORS_DTYPES.items()}
_MAX_HEADER = 100_000_000


def save_safetensors(tensors: dict, filename, metadata: dict | None = None) -> None:
    """Write a dict of named tensors in the ``.safetensors`` format (as
    ``safetensors.torch.save_file`` does); ``metadata`` is a dict of str to str.

    >>> import io
    >>> buffer = io.BytesIO()
    >>> save_safetensors({"w": tensor([1., 2.])}, buffer)
    >>> _ = buffer.seek(0); load_safetensors(buffer)
    {'w': tensor([1., 2.])}
    """
    header: dict = {}
    if metadata is not None:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise TypeError("safetensors metadata must map str to str")
        header["__metadata__"] = dict(metadata)
    chunks, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name]
        if not isinstance(name, str) or not isinstance(t, Tensor):
            raise TypeError("save_safetensors expects a dict of str to Tensor")
        raw = _array_of(t).tobytes()
        header[name] = {
            "dtype": _SAFETENSORS_CODES[t.dtype.name],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    _write_bytes(filename, struct.pack("<Q", len(text)) + text + b"".join(chunks))


def load_safetensors(filename, device="cpu") -> dict:
    """Read a ``.safetensors`` file into a dict of chainrule tensors (checking that every
    tensor's bytes lie inside the file and do not overlap)."""
    data = _open_for_reading(filename)
    if len(data) < 8:
        raise ValueError("not a safetensors file: shorter than its 8-byte header length")
    (length,) = struct.unpack("<Q", data[:8])
    if length > min(_MAX_HEADER, len(data) - 8):
        raise ValueError("not a safetensors file: invalid header length")
    header = json.loads(data[8 : 8 + length])
    body = memoryview(data)[8 + length :]
    header.pop("__metadata__", None)
    spans = sorted((tuple(spec["data_offsets"]), name) for name, spec in header.items())
    position = 0
    for (begin, end), name in spans:
        if begin != position or end < begin:
            raise ValueError(f"safetensors: the bytes of {name!r} overlap or leave a gap")
        position = end
    if position != len(body):
        raise ValueError("safetensors: the data section does not match the header")
    out = {}
    for name in sorted(header):
        spec = header[name]
        code = spec["dtype"]
        if code not in _SAFETENSORS_DTYPES:
            raise ValueError(f"safetensors: dtype {code} is not supported by chainrule")
        dtype = _backend._BY_NAME[_SAFETENSORS_DTYPES[code]]
        shape = tuple(_as_shape(n) for n in spec["shape"])
        begin, end = spec["data_offsets"]
        array = numpy.frombuffer(body[begin:end], dtype=dtype.np.newbyteorder("<"))
        if array.size != math.prod(shape):
            raise ValueError(f"safetensors: {name!r} has {array.size} values for shape {shape}")
        out[name] = make(array.astype(dtype.np).reshape(shape), dtype)
    return out


def _as_shape(n) -> int:
    if type(n) is not int or n < 0:
        raise ValueError(f"safetensors: invalid dimension {n!r}")
    return n
