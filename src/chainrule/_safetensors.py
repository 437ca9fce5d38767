"""The ``.safetensors`` format: an 8-byte little-endian header length, a JSON header, then
the raw little-endian bytes of every tensor, packed in order without gaps.

The header is hostile until checked: it is at most ``MAX_HEADER`` bytes (the cap of the
format's reference implementation), must be one JSON object with no duplicate keys, and every
entry must have exactly ``dtype``, ``shape`` and ``data_offsets`` that agree with each other
and tile the data section exactly. Tensor bytes are read one tensor at a time, so memory stays
about the size of the real tensors. Saving to a path is atomic.
"""

from __future__ import annotations

import json
import math
import struct

import numpy

from . import _backend, _files
from ._tensor import Tensor, make

MAX_HEADER = 100_000_000  # bytes; the reference implementation's cap
_MAX_NDIM = 64
_DTYPES = {
    "F64": "float64", "F32": "float32", "F16": "float16", "I64": "int64", "I32": "int32",
    "I16": "int16", "I8": "int8", "U8": "uint8", "BOOL": "bool",
}  # fmt: skip
_CODES = {v: k for k, v in _DTYPES.items()}
# The format's other dtypes: known, but chainrule has no dtype to hold them.
_ITEMSIZES = {"BF16": 2, "U16": 2, "U32": 4, "U64": 8, "F8_E5M2": 1, "F8_E4M3": 1}


def save_safetensors(tensors: dict, filename, metadata: dict | None = None) -> None:
    """Write a dict of named tensors in the ``.safetensors`` format (as
    ``safetensors.torch.save_file`` does); ``metadata`` is a dict of str to str.

    Writing to a path is atomic: a failed write leaves the previous file untouched.

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
    if not all(isinstance(name, str) for name in tensors):
        raise TypeError("save_safetensors expects a dict of str to Tensor")
    if "__metadata__" in tensors:
        raise ValueError("save_safetensors: '__metadata__' is reserved and cannot name a tensor")
    chunks, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name]
        if not isinstance(t, Tensor):
            raise TypeError("save_safetensors expects a dict of str to Tensor")
        array = numpy.ascontiguousarray(numpy.asarray(t._data))
        raw = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {
            "dtype": _CODES[t.dtype.name],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned

    def write(handle) -> None:
        handle.write(struct.pack("<Q", len(text)) + text)
        for chunk in chunks:
            handle.write(chunk)

    if _files.is_path(filename):
        _files.write_atomically(filename, write)
    else:
        write(filename)


def load_safetensors(filename, device="cpu") -> dict:
    """Read a ``.safetensors`` file into a dict of chainrule tensors, refusing any file the
    format does not allow (a ``ValueError`` saying what is wrong).

    >>> import io
    >>> buffer = io.BytesIO(); save_safetensors({"b": tensor([1, 2])}, buffer); _ = buffer.seek(0)
    >>> load_safetensors(buffer)
    {'b': tensor([1, 2])}
    """
    with _files.opened(filename) as handle:
        prefix = handle.read(8)
        if len(prefix) < 8:
            raise ValueError("not a safetensors file: shorter than its 8-byte header length")
        (length,) = struct.unpack("<Q", prefix)
        if length > MAX_HEADER:
            raise ValueError(
                f"not a safetensors file: invalid header length {length} (at most {MAX_HEADER})"
            )
        trusted = _files.can_seek(handle) and length <= _files.remaining_size(handle)
        raw = _files.read_exact(handle, length, trusted)
        if len(raw) != length:
            raise ValueError("not a safetensors file: invalid header length (past the end)")
        header = _parse_header(raw)
        del raw
        entries = _check_entries(header)
        out = {}
        for name, dtype, shape, size in entries:
            data = _files.read_exact(handle, size)
            if len(data) != size:
                raise ValueError("safetensors: the data section does not match the header")
            array = numpy.frombuffer(data, dtype=dtype.np.newbyteorder("<"))
            out[name] = make(array.astype(dtype.np).reshape(shape), dtype)
        if handle.read(1):
            raise ValueError("safetensors: the data section does not match the header")
    return {name: out[name] for name in sorted(out)}


def _no_duplicates(pairs: list) -> dict:
    found = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"safetensors: the header names {key!r} twice")
        found[key] = value
    return found


def _parse_header(raw: bytes) -> dict:
    text = raw.rstrip(b" ")  # the format pads the header with trailing spaces
    try:
        header = json.loads(text.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise ValueError("safetensors: the header is nested too deeply") from None
    except UnicodeDecodeError:
        raise ValueError("safetensors: the header is not UTF-8") from None
    except ValueError as exc:
        if str(exc).startswith("safetensors:"):
            raise
        raise ValueError(f"safetensors: the header is not valid JSON ({exc})") from None
    if not isinstance(header, dict):
        raise ValueError("safetensors: the header must be a JSON object")
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not (
        isinstance(metadata, dict)
        and all(isinstance(v, str) for v in metadata.values())  # keys are str in JSON
    ):
        raise ValueError("safetensors: __metadata__ must map str to str")
    return header


def _check_entries(header: dict) -> list:
    """``(name, dtype, shape, nbytes)`` in file order, after checking that the entries agree
    with themselves and tile the data section from 0 with no gap or overlap."""
    entries = []
    for name, spec in header.items():
        if not (isinstance(spec, dict) and set(spec) == {"dtype", "shape", "data_offsets"}):
            raise ValueError(
                f"safetensors: {name!r} must have exactly 'dtype', 'shape' and 'data_offsets'"
            )
        code, shape, offsets = spec["dtype"], spec["shape"], spec["data_offsets"]
        if not isinstance(code, str) or (code not in _DTYPES and code not in _ITEMSIZES):
            raise ValueError(f"safetensors: {name!r} has an unknown dtype {code!r}")
        if not isinstance(shape, list) or len(shape) > _MAX_NDIM:
            raise ValueError(f"safetensors: {name!r} has an invalid shape {shape!r}")
        shape = tuple(_as_shape(n) for n in shape)
        if not (
            isinstance(offsets, list)
            and len(offsets) == 2
            and all(type(n) is int and n >= 0 for n in offsets)
            and offsets[0] <= offsets[1]
        ):
            raise ValueError(f"safetensors: {name!r} has invalid data_offsets {offsets!r}")
        itemsize = _ITEMSIZES.get(code) or _backend._BY_NAME[_DTYPES[code]].itemsize
        size = offsets[1] - offsets[0]
        if size != math.prod(shape) * itemsize:
            raise ValueError(
                f"safetensors: {name!r} has {size // itemsize} values for shape {shape}"
            )
        entries.append((offsets[0], offsets[1], name, code, shape))
    entries.sort()
    position = 0
    for begin, end, name, _, _ in entries:
        if begin != position:
            raise ValueError(f"safetensors: the bytes of {name!r} overlap or leave a gap")
        position = end
    for _, _, _, code, _ in entries:
        if code not in _DTYPES:
            raise ValueError(f"safetensors: dtype {code} is not supported by chainrule")
    return [
        (name, _backend._BY_NAME[_DTYPES[code]], shape, end - begin)
        for begin, end, name, code, shape in entries
    ]


def _as_shape(n) -> int:
    if type(n) is not int or not 0 <= n < 2**62:
        raise ValueError(f"safetensors: invalid dimension {n!r}")
    return n
