"""A small interpreter for the pickles inside ``torch.save`` files, which never runs code.

``pickle.Unpickler`` (even with a strict ``find_class``) applies its BUILD, SETITEM and APPEND
opcodes to whatever object is on the stack, so a crafted file could rewrite a shared dtype or
``Size``. This reader instead decodes the opcodes itself with bounded reads, knows exactly the
opcodes that ``torch.save``'s pickles use, and checks the type of every value an opcode
consumes. By default (``weights_only=True``) it accepts what torch's weights-only unpickler
accepts: protocol 2's opcodes (``torch.save``'s default). With ``weights_only=False`` it also
reads the opcodes protocols 3 to 5 add (FRAME, MEMOIZE, STACK_GLOBAL, the BINBYTES and
unicode forms, EMPTY_SET/ADDITEMS), under the same rules; nothing is ever called either way:

* GLOBAL and STACK_GLOBAL (two strings, nothing else) resolve only the names in
  ``_GLOBALS`` (tensor and parameter rebuild functions, storage types, dtypes,
  ``OrderedDict``, ``Size``, ``device``, ``set``, ``_codecs.encode``) to markers that
  can only be *called* through REDUCE (or, for storage types, named in a persistent id);
  no imported object is ever handed to the file.
* REDUCE calls a marker with an argument tuple of the shape and types torch writes.
* SETITEM(S), APPEND(S) and ADDITEMS act only on dicts, lists and sets this load created;
  items must be hashable plain values; a FRAME may not claim more bytes than follow, nor
  start inside another, and no opcode may run past its frame's end. BUILD only sets
  ``_metadata`` on an ``OrderedDict`` this load created, once.
* Persistent ids must be torch's ``('storage', type, key, location, numel)`` and name an
  archive entry of exactly the declared size.

Anything else raises ``pickle.UnpicklingError("Weights only load failed: ...")`` (the prefix
torch uses), saying what is wrong; storage problems raise ``RuntimeError`` as torch does.
"""

from __future__ import annotations

import collections
import pickletools
import struct
import warnings

from ._rebuild import (  # noqa: F401 (MAX_*, Marker, Storage, refuse: this module's interface)
    _GLOBALS,
    _REBUILDS,
    MAX_DEPTH,
    MAX_DIM,
    MAX_EXPANDED_BYTES,
    MAX_NDIM,
    Marker,
    Storage,
    _check_key,
    _dtype_named,
    _kind,
    refuse,
)

_OPNAMES = {op.code: op.name for op in pickletools.opcodes}
PROTOCOLS = range(6)  # what Python reads; torch.save writes 2 unless told otherwise


# ----------------------------------------------------------------------------- the interpreter
class TorchPickle:
    """Runs one ``data.pkl``; ``load_storage(key, dtype_or_None, numel)`` gives storages.

    ``weights_only`` (torch.load's default) accepts the opcodes torch's weights-only
    unpickler accepts, which are protocol 2's: files written with ``pickle_protocol=4`` or
    5 (FRAME, MEMOIZE, STACK_GLOBAL, ...) or holding bytes at protocol 3 are refused there as
    torch refuses them. ``weights_only=False`` also reads every opcode protocols 3 to 5
    write for torch's objects, with the same checks: still nothing from the file is called.
    """

    def __init__(self, data: bytes, load_storage, weights_only: bool = True):
        self._data = data
        self._pos = 0
        self._weights_only = weights_only
        self._handlers = _HANDLERS if weights_only else _ALL_HANDLERS
        self._frame_end = -1  # where the current FRAME ends (-1: not inside one)
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
        if self._pos < self._frame_end < end:
            raise refuse(f"an opcode at byte {self._opcode_at} runs past the end of its FRAME")
        chunk = self._data[self._pos : end]
        self._pos = end
        return chunk

    def _line(self) -> str:
        end = self._data.find(b"\n", self._pos, self._pos + 256)
        if end < 0:
            raise refuse(f"GLOBAL at byte {self._pos} has no name ending in a newline")
        if self._pos < self._frame_end <= end:
            raise refuse(f"an opcode at byte {self._opcode_at} runs past the end of its FRAME")
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
        self._opcode_at = 0
        if self._take(1) != b"\x80":
            raise refuse("the pickle does not start with PROTO (torch.save writes protocol 2)")
        protocol = self._take(1)[0]
        if protocol not in PROTOCOLS:
            raise refuse(f"unsupported pickle protocol {protocol} (Python writes 0 to 5)")
        if protocol != 2 and self._weights_only:
            warnings.warn(
                f"Detected pickle protocol {protocol} in the checkpoint, which was not the default "
                "pickle protocol used by `torch.load` (2). The weights_only Unpickler might not "
                "support all instructions implemented by this protocol, please file an issue for "
                "adding support if you encounter this.",
                UserWarning,
                stacklevel=4,
            )
        handlers = self._handlers
        while True:
            self._opcode_at = self._pos
            code = self._take(1)
            if code == b".":
                return self._stop()
            handler = handlers.get(code)
            if handler is None:
                self._unsupported(code)
            handler(self)

    def _unsupported(self, code: bytes):
        name = _OPNAMES.get(code.decode("latin-1"), "unknown")
        hint = ""
        if self._weights_only and code in _ALL_HANDLERS:
            hint = (
                f" (torch.load(weights_only=True) refuses {name} too: it is written by pickle "
                "protocols above 2; chainrule.load(..., weights_only=False) reads it, still "
                "without running code from the file)"
            )
        raise refuse(f"Unsupported operand {code[0]} ({name}) at byte {self._opcode_at}{hint}")

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

    def _unicode(self, n: int, opname: str):
        raw = self._take(n)
        try:
            self._push(raw.decode("utf-8", "surrogatepass"))
        except UnicodeDecodeError:
            raise refuse(f"{opname} at byte {self._opcode_at} is not valid UTF-8") from None

    def op_binunicode(self):
        self._unicode(struct.unpack("<I", self._take(4))[0], "BINUNICODE")

    def op_short_binunicode(self):
        self._unicode(self._take(1)[0], "SHORT_BINUNICODE")

    def op_binunicode8(self):
        self._unicode(struct.unpack("<Q", self._take(8))[0], "BINUNICODE8")

    def op_short_binbytes(self):
        self._push(bytes(self._take(self._take(1)[0])))

    def op_binbytes(self):
        self._push(bytes(self._take(struct.unpack("<I", self._take(4))[0])))

    def op_binbytes8(self):
        self._push(bytes(self._take(struct.unpack("<Q", self._take(8))[0])))

    # ------------------------------------------------------------------ protocol 4 framing
    def op_frame(self):
        (n,) = struct.unpack("<Q", self._take(8))
        if self._pos < self._frame_end:
            raise refuse(f"a FRAME at byte {self._opcode_at} begins inside the previous FRAME")
        left = len(self._data) - self._pos
        if n > left:
            raise refuse(
                f"FRAME at byte {self._opcode_at} declares {n} bytes but only {left} follow"
            )
        self._frame_end = self._pos + n

    # ------------------------------------------------------------------ containers
    def op_empty_dict(self):
        self._push(self._keep({}))

    def op_empty_list(self):
        self._push(self._keep([]))

    def op_empty_set(self):
        self._push(self._keep(set()))

    def op_additems(self):
        items = self._pop_mark()
        target = self._target((set,), "ADDITEMS to", "a set")
        for item in items:
            _check_key(item)
            target.add(item)

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

    def op_memoize(self):
        self._put(len(self._memo))

    # ------------------------------------------------------------------ names and calls
    def op_global(self):
        self._resolve(self._line(), self._line(), "GLOBAL")

    def op_stack_global(self):
        name, module = self._pop(), self._pop()
        if type(module) is not str or type(name) is not str:
            raise refuse(
                f"STACK_GLOBAL needs a module and a name as two strings, got {_kind(module)} "
                f"and {_kind(name)}"
            )
        self._resolve(module[:200], name[:200], "STACK_GLOBAL")

    def _resolve(self, module: str, name: str, opname: str):
        found = _GLOBALS.get((module, name))
        if found is None:
            hint = ""
            if module.startswith("torch.nn"):
                hint = " To share a model, save and load its state_dict()."
            raise refuse(
                f"unsupported global: {opname} {module}.{name}. chainrule.load never runs code "
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


def _check_result(result) -> None:
    """The loaded tree holds only plain values (no markers or storages), nested boundedly."""
    seen: set[int] = set()
    todo = [(result, 1)]
    while todo:
        obj, depth = todo.pop()
        if isinstance(obj, (Marker, Storage)):
            kind = "a storage" if isinstance(obj, Storage) else f"GLOBAL {obj.qualname}"
            raise refuse(f"{kind} can only be used to rebuild a tensor, not loaded as a value")
        if type(obj) not in _CONTAINERS or id(obj) in seen:
            continue
        if depth > MAX_DEPTH:
            raise refuse(f"containers are nested more than {MAX_DEPTH} levels deep")
        seen.add(id(obj))
        children = list(obj.items()) if isinstance(obj, dict) else obj
        todo.extend((child, depth + 1) for child in children)
        metadata = getattr(obj, "_metadata", None)
        if metadata is not None:
            todo.append((metadata, depth + 1))


_CONTAINERS = (dict, collections.OrderedDict, list, tuple, set)
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
_HANDLERS[b"\x8f"] = TorchPickle.op_empty_set  # torch's weights-only unpickler accepts it
# What protocols 3 to 5 add, read only with weights_only=False (torch refuses them otherwise).
_ALL_HANDLERS = _HANDLERS | {
    b"\x95": TorchPickle.op_frame, b"\x94": TorchPickle.op_memoize,
    b"\x93": TorchPickle.op_stack_global, b"\x8c": TorchPickle.op_short_binunicode,
    b"\x8d": TorchPickle.op_binunicode8, b"C": TorchPickle.op_short_binbytes,
    b"B": TorchPickle.op_binbytes, b"\x8e": TorchPickle.op_binbytes8,
    b"\x90": TorchPickle.op_additems,
}  # fmt: skip
