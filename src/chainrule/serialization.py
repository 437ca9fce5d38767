"""Saving and loading tensors and state dicts, without ever running code from a file.

Three formats:

* ``chainrule.save`` writes a zip archive: ``chainrule/manifest.json`` describes the object
  (dicts, lists, tuples, str, int, float, bool, None and tensors) and each tensor's bytes sit
  in ``chainrule/tensors/<n>``. Loading it only parses JSON (every field type-checked) and
  copies bytes.
* ``chainrule.load`` also reads the zip files written by ``torch.save`` (``<name>/data.pkl``
  plus ``<name>/data/<key>`` storages). Their pickle is run by ``_unpickle``, a small opcode
  interpreter that only builds fresh objects of the kinds a checkpoint holds and refuses
  everything else with ``pickle.UnpicklingError``; nothing from the file is ever called.
* ``save_safetensors`` / ``load_safetensors`` (in ``_safetensors``) read and write the
  ``.safetensors`` format.

Reading is bounded (the magic bytes are checked first; a zip archive's declared sizes must
fit in the file), and saving to a path is atomic: a temporary file in the same directory
replaces the target only once it is complete and fsync'ed.

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
import zipfile

import numpy

from . import _backend, _files
from ._safetensors import load_safetensors, save_safetensors
from ._tensor import Size, Tensor, device, make
from ._unpickle import Storage, TorchPickle

__all__ = ["save", "load", "save_safetensors", "load_safetensors"]

_ROOT = "chainrule"
_FORMAT_VERSION = 1
_MAX_DEPTH = 256  # containers nested deeper are refused by save and load alike
_MAX_NDIM = 64


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

    def encode(self, obj, depth: int = 0):
        if depth > _MAX_DEPTH:
            raise ValueError(
                f"chainrule.save cannot store containers nested more than {_MAX_DEPTH} deep"
            )
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
        depth += 1
        if isinstance(obj, tuple):
            return {"$": "tuple", "items": [self.encode(x, depth) for x in obj]}
        if isinstance(obj, list):
            return [self.encode(x, depth) for x in obj]
        if isinstance(obj, dict):
            ordered = isinstance(obj, collections.OrderedDict)
            items = [[self.encode(k, depth), self.encode(v, depth)] for k, v in obj.items()]
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

    Saving to a path replaces the file atomically: if the write fails (a full disk, a file
    size limit, an interrupt) the previous file is left untouched and no temporary remains.

    >>> import io, collections
    >>> buffer = io.BytesIO()
    >>> save(collections.OrderedDict(weight=tensor([[1., 2.]])), buffer)
    >>> buffer.getvalue()[:2]
    b'PK'
    """
    encoder = _Encoder()
    tree = encoder.encode(obj)
    manifest = json.dumps({"format": "chainrule", "version": _FORMAT_VERSION, "object": tree})

    def write(handle) -> None:
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr(f"{_ROOT}/manifest.json", manifest)
            for key, t in enumerate(encoder.tensors):
                archive.writestr(f"{_ROOT}/tensors/{key}", _array_of(t).tobytes())

    if not _files.is_path(f):
        buffer = io.BytesIO()
        write(buffer)
        f.write(buffer.getvalue())
        return
    parent = os.path.dirname(os.path.abspath(os.fspath(f)))
    if not os.path.isdir(parent):
        raise RuntimeError(f"Parent directory {parent} does not exist.")
    try:
        _files.write_atomically(f, write)
    except OSError as exc:
        raise RuntimeError(
            f"chainrule.save failed writing {os.fspath(f)}: {exc.strerror or exc} "
            "(the previous file, if any, is untouched)"
        ) from None


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

    Torch files are always read with chainrule's restricted unpickler, which never calls
    anything from the file. With ``weights_only=True`` (the default) it accepts what torch's
    weights-only unpickler accepts (pickle protocol 2, as ``torch.save`` writes by default);
    ``weights_only=False`` also reads files saved with ``pickle_protocol=3``, 4 or 5, with
    the same checks. Tensors that shared a storage in the file share memory after loading,
    as in torch (tied weights stay tied). Only the first bytes are read before the file
    is known to be a zip archive, so a wrong file fails at once.

    >>> import io
    >>> buffer = io.BytesIO(); save([tensor(1), (2.5, None)], buffer); _ = buffer.seek(0)
    >>> load(buffer, map_location="cpu")
    [tensor(1), (2.5, None)]
    """
    _check_map_location(map_location)
    with _files.opened(f) as handle:
        head, source = _files.seekable_source(handle)
        if head != _files.ZIP_MAGIC:
            raise RuntimeError(
                "chainrule.load reads the zip files written by chainrule.save and torch.save "
                "(PyTorch >= 1.6); this file is not one (legacy torch files and raw pickles are "
                "not supported because loading them can run arbitrary code)"
            )
        if source is None:  # a stream that cannot seek: the rest of it, after the magic
            source = io.BytesIO(head + handle.read())
        archive = _files.open_archive(source)
        names = archive.names()
        if f"{_ROOT}/manifest.json" in names:
            return _ChainruleReader(archive).load()
        pickles = [n for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
        if len(pickles) != 1:
            raise RuntimeError("the zip file is neither a chainrule.save nor a torch.save file")
        return _load_torch(archive, pickles[0][: -len("data.pkl")], weights_only)


class _ChainruleReader:
    """Decodes ``chainrule/manifest.json``, treating every field as hostile."""

    def __init__(self, archive: _files.Archive):
        self._archive = archive
        self._cache: dict[int, Tensor] = {}

    def load(self):
        raw = self._archive.read(f"{_ROOT}/manifest.json")
        try:
            manifest = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            raise RuntimeError(
                f"invalid chainrule file: its manifest is not JSON ({exc})"
            ) from None
        if not isinstance(manifest, dict) or "object" not in manifest:
            raise RuntimeError("invalid chainrule file: its manifest is not a JSON object")
        if manifest.get("format") != "chainrule" or manifest.get("version") != _FORMAT_VERSION:
            raise RuntimeError("unsupported chainrule file version")
        return self._decode(manifest["object"], 0)

    def _decode(self, node, depth: int):
        if depth > _MAX_DEPTH:
            raise RuntimeError(f"invalid chainrule file: nested more than {_MAX_DEPTH} deep")
        depth += 1
        if isinstance(node, list):
            return [self._decode(x, depth) for x in node]
        if not isinstance(node, dict):
            return node  # str, int, float, bool, None: what JSON gives
        tag = node.get("$")
        if tag == "tensor":
            return self._tensor(node)
        if tag == "float":
            value = _field(node, "value", str)
            if value not in ("inf", "-inf", "nan"):
                raise RuntimeError(f"invalid chainrule file: float value {value!r}")
            return float(value)
        if tag == "dtype":
            name = _field(node, "name", str)
            if name not in _backend._BY_NAME:
                raise RuntimeError(f"invalid chainrule file: unknown dtype {name!r}")
            return _backend._BY_NAME[name]
        if tag not in ("tuple", "size", "dict", "odict"):
            raise RuntimeError(f"unknown entry {tag!r} in a chainrule file")
        items = _field(node, "items", list)
        if tag == "size":
            return Size(_dimension(n) for n in items)
        if tag == "tuple":
            return tuple(self._decode(x, depth) for x in items)
        kind = collections.OrderedDict if tag == "odict" else dict
        out = kind()
        for pair in items:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise RuntimeError("invalid chainrule file: a dict item is not a [key, value] pair")
            key = self._decode(pair[0], depth)
            if isinstance(key, list):
                key = _hashable(key)
            try:
                out[key] = self._decode(pair[1], depth)
            except TypeError:
                raise RuntimeError("invalid chainrule file: a dict key is not hashable") from None
        return out

    def _tensor(self, spec) -> Tensor:
        key = _field(spec, "key", int)
        if key in self._cache:
            return self._cache[key]
        name = _field(spec, "dtype", str)
        if name not in _backend._BY_NAME:
            raise RuntimeError(f"invalid chainrule file: tensor {key} has unknown dtype {name!r}")
        dtype = _backend._BY_NAME[name]
        shape = _field(spec, "shape", list)
        if len(shape) > _MAX_NDIM:
            raise RuntimeError(f"invalid chainrule file: tensor {key} has {len(shape)} dims")
        shape = tuple(_dimension(n) for n in shape)
        entry = f"{_ROOT}/tensors/{key}"
        expected = math.prod(shape) * dtype.itemsize
        stored = self._archive.size_of(entry)
        if stored is None:
            raise RuntimeError(f"invalid chainrule file: tensor {key} has no data entry")
        if stored != expected:
            count = stored // dtype.itemsize
            raise RuntimeError(f"tensor {key} has {count} values, expected shape {shape}")
        raw = self._archive.read(entry)
        array = numpy.frombuffer(raw, dtype=dtype.np.newbyteorder("<"))
        array = array.astype(dtype.np).reshape(shape)  # a native-order, writable copy
        requires_grad = _field(spec, "requires_grad", bool)
        parameter = _field(spec, "parameter", bool)
        self._cache[key] = _finish_tensor(array, dtype, requires_grad, parameter)
        return self._cache[key]


def _field(node: dict, name: str, kind: type):
    value = node.get(name)
    if type(value) is not kind:  # exact: a bool is no int here, an int no bool
        raise RuntimeError(f"invalid chainrule file: {name!r} must be a {kind.__name__}")
    if kind is int and value < 0:
        raise RuntimeError(f"invalid chainrule file: {name!r} must not be negative")
    return value


def _dimension(n) -> int:
    if type(n) is not int or not 0 <= n < 2**62:
        raise RuntimeError(f"invalid chainrule file: invalid dimension {n!r}")
    return n


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
def _load_torch(archive: _files.Archive, prefix: str, weights_only=True):
    order = prefix + "byteorder"
    byteorder = "<"
    if order in archive.names():
        text = archive.read(order).strip()
        if text not in (b"little", b"big"):
            raise RuntimeError(f"invalid byteorder {text[:20]!r} in this torch file")
        byteorder = "<" if text == b"little" else ">"

    def load_storage(key: str, dtype, numel: int) -> Storage:
        name = f"{prefix}data/{key}"
        itemsize = 1 if dtype is None else dtype.itemsize
        stored = archive.size_of(name)
        if stored is None:
            archive.read(name, shown=f"data/{key}")  # raises torch's "file not found"
        if stored != numel * itemsize:
            torch_name = "Byte" if dtype is None else dtype.scalar_name
            raise RuntimeError(
                f"record size ({stored} bytes) does not match expected size ({numel * itemsize} "
                f"bytes = {numel} elements * {itemsize} bytes/element) for dtype {torch_name}"
            )
        return Storage(archive.read_array(name), dtype, byteorder)

    pickled = archive.read(prefix + "data.pkl")
    return TorchPickle(pickled, load_storage, weights_only=weights_only is not False).load()
