"""Hostile files: every loader refuses them with torch's exception type and a message saying
what is wrong, runs nothing, changes no library object, and stays bounded in memory; saving
to a path is atomic.

The pickles are assembled opcode by opcode below. The golden checkpoints in
tests/golden/serialization/ were written by ``python tools/gen_serialization_golden.py``
(torch 2.13); their values are asserted literally, so these tests run without torch.
"""

from __future__ import annotations

import collections
import io
import json
import os
import pickle
import re
import struct
import subprocess
import sys
import textwrap
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

import chainrule
from chainrule import _backend, _unpickle, nn
from chainrule.serialization import load_safetensors, save_safetensors

GOLDEN = Path(__file__).parent / "golden" / "serialization"
SRC = Path(__file__).resolve().parent.parent / "src"


# ----------------------------------------------------------------------------- opcode assembly
def s(text: str) -> bytes:
    raw = text.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def g(module: str, name: str) -> bytes:
    return b"c" + f"{module}\n{name}\n".encode()


def i(n: int) -> bytes:
    return b"K" + bytes([n]) if 0 <= n < 256 else b"J" + struct.pack("<i", n)


def big(n: int) -> bytes:
    raw = n.to_bytes((n.bit_length() + 8) // 8 or 1, "little", signed=True)
    return b"\x8a" + bytes([len(raw)]) + raw


def tup(*parts: bytes) -> bytes:
    return b"(" + b"".join(parts) + b"t"


P = b"\x80\x02"
OD = g("collections", "OrderedDict") + b")R"
V2 = g("torch._utils", "_rebuild_tensor_v2")


FLOAT_STORAGE = g("torch", "FloatStorage")


def pid(key="0", numel=4, storage=FLOAT_STORAGE) -> bytes:
    return tup(s("storage"), storage, s(key), s("cpu"), i(numel)) + b"Q"


def tensor(offset=0, size=(4,), stride=(1,), key="0", numel=4, storage=None) -> bytes:
    storage = storage or FLOAT_STORAGE
    dims = tup(*(big(n) for n in size))
    steps = tup(*(big(n) for n in stride))
    args = tup(pid(key, numel, storage), big(offset), dims, steps, b"\x89", OD)
    return V2 + args + b"R"


def torch_zip(payload: bytes, storages=None, name="archive", extra=None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{name}/data.pkl", payload)
        archive.writestr(f"{name}/byteorder", "little")
        archive.writestr(f"{name}/version", "3\n")
        for key, raw in (storages or {"0": np.arange(4, dtype=np.float32).tobytes()}).items():
            archive.writestr(f"{name}/data/{key}", raw)
        for entry, raw in (extra or {}).items():
            archive.writestr(entry, raw)
    return buffer.getvalue()


def load_bytes(data: bytes):
    return chainrule.load(io.BytesIO(data))


# ----------------------------------------------------------------------------- the library is intact
def library_snapshot():
    dtypes = [(d.name, d.np, d.itemsize, d.kind, d.is_floating_point) for d in _backend.ALL_DTYPES]
    classes = [dict(vars(c)) for c in (chainrule.Size, collections.OrderedDict, chainrule.device)]
    markers = {k: (v.qualname, v.kind, v.value) for k, v in _unpickle._GLOBALS.items()
               if isinstance(v, _unpickle.Marker)}  # fmt: skip
    globals_ = {k: id(v) for k, v in _unpickle._GLOBALS.items()}
    return dtypes, classes, markers, globals_, dict(vars(chainrule.serialization))


SNAPSHOT = library_snapshot()


def assert_library_works():
    assert library_snapshot() == SNAPSHOT
    assert repr(chainrule.float32) == "torch.float32" and chainrule.float32.itemsize == 4
    assert chainrule.zeros(2, 3).shape[0] == 2 and chainrule.Size([4, 5])[1] == 5
    assert type(collections.OrderedDict()) is collections.OrderedDict
    sd = chainrule.load(GOLDEN / "state_dict.pt")
    assert sd["0.weight"].dtype == chainrule.float32
    assert sd["0.weight"].tolist() == [[0.5, -1.0], [2.0, 0.25]]


# ----------------------------------------------------------------------------- genuine files
def test_golden_state_dict_loads_with_metadata():
    sd = chainrule.load(GOLDEN / "state_dict.pt")
    assert type(sd) is collections.OrderedDict
    assert list(sd) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                        "1.running_var", "1.num_batches_tracked"]  # fmt: skip
    assert sd["0.bias"].tolist() == [0.125, -0.375]
    assert sd["1.num_batches_tracked"].dtype == chainrule.int64
    assert sd["1.num_batches_tracked"].shape == () and sd["1.num_batches_tracked"].item() == 0
    assert sd._metadata == {"": {"version": 1}, "0": {"version": 1}, "1": {"version": 2}}
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    model.load_state_dict(sd)
    assert model[0].weight.tolist() == [[0.5, -1.0], [2.0, 0.25]]


@pytest.mark.parametrize("name", ["kinds.pt", "legacy_name.pt"])
def test_golden_checkpoint_of_every_kind(name):
    ckpt = chainrule.load(GOLDEN / name)
    expected = {
        "float64": ([1.5, -2.25], "float64"), "float32": ([np.float32(0.1).item(), 3.0], "float32"),
        "float16": ([1.5, -0.0999755859375], "float16"), "int64": ([-(2**40), 7], "int64"),
        "int32": ([-5, 2**30], "int32"), "int16": ([-300, 300], "int16"),
        "int8": ([-128, 127], "int8"), "uint8": ([0, 255], "uint8"),
        "bool": ([True, False, True], "bool"), "scalar": (2.5, "float32"),
        "empty": ([], "float32"), "transposed": ([[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]], "float64"),
        "view_a": ([2.0, 3.0, 4.0], "float32"), "view_b": ([1.0, 5.0, 9.0], "float32"),
        "expanded": ([[4.0, 4.0]] * 3, "float32"),
    }  # fmt: skip
    for key, (values, dtype) in expected.items():
        assert ckpt[key].dtype.name == dtype, key
        assert ckpt[key].tolist() == values, key
    assert ckpt["empty"].shape == (0, 3) and ckpt["scalar"].shape == ()
    assert isinstance(ckpt["param"], nn.Parameter) and ckpt["param"].requires_grad
    assert isinstance(ckpt["frozen"], nn.Parameter) and not ckpt["frozen"].requires_grad
    assert type(ckpt["size"]) is chainrule.Size and ckpt["size"] == (2, 3)
    assert ckpt["dtype"] is chainrule.float16 and ckpt["bytes"] == b"\x00\xffab"
    assert ckpt["nested"] == {"list": [1, 2.5, "s", None, True], "tuple": (1, (2, 3)), 7: "int key"}
    assert type(ckpt["odict"]) is collections.OrderedDict and list(ckpt["odict"]) == ["b", "a"]
    ckpt["view_a"].add_(1)  # loaded tensors are writable views of their storage
    assert ckpt["view_a"].tolist() == [3.0, 4.0, 5.0]
    assert ckpt["view_b"].tolist() == [1.0, 5.0, 9.0]  # not among view_a's elements


def test_dtype_chainrule_lacks_is_refused_with_a_reason():
    with pytest.raises(RuntimeError, match="holds bfloat16 values; chainrule has no bfloat16"):
        chainrule.load(GOLDEN / "bfloat16.pt")
    assert_library_works()


def _torch_values(torch, obj):
    """A comparable picture of what torch.load returned."""
    if isinstance(obj, torch.Tensor):
        kind = "param" if isinstance(obj, torch.nn.Parameter) else "tensor"
        return (kind, str(obj.dtype)[6:], tuple(obj.shape), obj.detach().tolist(),
                obj.requires_grad)  # fmt: skip
    if isinstance(obj, dict):
        return (type(obj).__name__, [(k, _torch_values(torch, v)) for k, v in obj.items()])
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [_torch_values(torch, v) for v in obj])
    if isinstance(obj, torch.dtype):
        return ("dtype", str(obj)[6:])
    return obj


def _our_values(obj):
    if isinstance(obj, chainrule.Tensor):
        kind = "param" if isinstance(obj, nn.Parameter) else "tensor"
        return (kind, obj.dtype.name, tuple(obj.shape), obj.detach().tolist(), obj.requires_grad)
    if isinstance(obj, dict):
        return (type(obj).__name__, [(k, _our_values(v)) for k, v in obj.items()])
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [_our_values(v) for v in obj])
    if isinstance(obj, _backend.dtype):
        return ("dtype", obj.name)
    return obj


def test_live_torch_checkpoints_load_exactly(tmp_path):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2),
                                torch.nn.Flatten(), torch.nn.LSTM(4, 3))  # fmt: skip
    opt = torch.optim.Adam(model.parameters())
    model[0](torch.ones(1, 1, 5, 5)).sum().backward()
    opt.step()
    base = torch.randn(5, 6, dtype=torch.float64)
    cases = {
        "state_dict": model.state_dict(),
        "optimizer": opt.state_dict(),
        "views": [base, base[1:, ::2], base.t(), base[2], base.reshape(-1)[3:7]],
        "dtypes": [torch.ones(3, dtype=d) for d in (torch.float16, torch.int8, torch.bool)],
        "odd": (
            torch.zeros(2, 0, 4),
            torch.tensor(7),
            torch.ones(1).expand(2, 3),
            torch.nn.Parameter(torch.randn(2)),
        ),  # fmt: skip
    }
    for name, obj in cases.items():
        path = tmp_path / f"{name}.pt"
        torch.save(obj, path)
        expected = _torch_values(torch, torch.load(path, weights_only=True))
        assert _our_values(chainrule.load(path)) == expected, name
    meta = chainrule.load(tmp_path / "state_dict.pt")._metadata
    assert meta == dict(model.state_dict()._metadata)


# ----------------------------------------------------------------------------- hostile pickles
D = _unpickle.MAX_DEPTH
UE = pickle.UnpicklingError
HOSTILE = {
    # BUILD: only an OrderedDict this load made, only its _metadata, only once
    "build-dtype": (g("torch", "float32") + b"}" + s("name") + s("float64") + b"sb.", UE,
                    r"Can only build an OrderedDict created by this file \(once\), but got torch\.float32"),
    "build-dtype-slotstate": (g("torch", "float32") + b"N}" + s("name") + s("float64") + b"s\x86b.", UE,
                              "but got torch.float32"),
    "build-size-slotstate": (g("torch", "Size") + b"N}" + s("__getitem__") + b"Ns\x86b.", UE,
                             "but got torch.Size"),
    "build-storage-int32": (g("torch", "FloatStorage") + b"N}" + s("name") + s("IntStorage") + b"s\x86b.", UE,
                            "but got torch.FloatStorage"),
    "build-storage-type": (g("torch", "FloatStorage") + b"}" + s("value") + s("int32") + b"sb.",
                           UE, "Can only build an OrderedDict created by this file"),
    "build-size-class": (g("torch", "Size") + b"}" + s("__getitem__") + i(0) + b"sb.", UE,
                         "but got torch.Size"),
    "build-odict-class": (g("collections", "OrderedDict") + b"}" + s("x") + i(0) + b"sb.", UE,
                          "but got collections.OrderedDict"),
    "build-tensor": (tensor() + b"}" + s("_metadata") + b"}sb.", UE,
                     "Can only build an OrderedDict created by this file"),
    "build-other-key": (OD + b"}" + s("__class__") + i(1) + b"sb.", UE, "may only set its _metadata"),
    "build-tuple-state": (OD + b"NN\x86b.", UE, "may only set its _metadata"),
    "build-twice": (OD + b"}" + s("_metadata") + b"}sb}" + s("_metadata") + b"}sb.", UE, r"\(once\)"),
    "build-metadata-dtype": (OD + b"}" + s("_metadata") + g("torch", "int8") + b"sb.", UE,
                             "_metadata must be a dict, not torch.int8"),
    "build-empty-stack": (b"b.", UE, "needs a value the stack does not hold"),
    # SETITEM(S) / APPEND(S): only dicts and lists this load made
    "setitem-dtype": (g("torch", "float32") + s("name") + s("float64") + b"s.", UE,
                      r"Can only SETITEM a dict or OrderedDict created by this file, but got torch\.float32"),
    "setitems-odict-class": (g("collections", "OrderedDict") + b"(" + s("a") + i(1) + b"u.", UE,
                             "Can only SETITEMS a dict or OrderedDict created by this file"),
    "setitem-tuple": (b")" + s("a") + i(1) + b"s.", UE, "but got <class 'tuple'>"),
    "setitem-odd-items": (b"}(" + s("a") + b"u.", UE, "has a key without a value"),
    "setitem-unhashable": (b"}]" + i(1) + b"s.", UE, "dict key of type list is not hashable"),
    "setitem-marker-key": (b"}" + g("torch", "Size") + i(1) + b"s.", UE, "cannot be a dict key"),
    "append-size-class": (g("torch", "Size") + i(1) + b"a.", UE,
                          "Can only append to a list created by this file, but got torch.Size"),
    "appends-dtype": (g("torch", "int64") + b"(" + i(1) + b"e.", UE, "but got torch.int64"),
    "append-dict": (b"}" + i(1) + b"a.", UE, "Can only append to a list"),
    # memo tricks
    "get-unset": (b"h\x05.", UE, "Memo value not found at index 5"),
    "long-get-unset": (b"j\x00\x00\x00\x01.", UE, "Memo value not found at index 16777216"),
    "memo-dtype-as-dict": (g("torch", "float32") + b"q\x00h\x00" + s("name") + s("x") + b"s.",
                           UE, "but got torch.float32"),
    "put-over-a-dict": (b"}q\x00" + g("torch", "float32") + b"q\x00h\x00" + s("k") + i(1) + b"s.",
                        UE, "but got torch.float32"),
    "put-empty-stack": (b"q\x00.", UE, "has nothing to remember"),
    # REDUCE and friends: only rebuild callables, argument tuples of torch's shape
    "reduce-dtype": (g("torch", "float32") + b")R.", UE, "REDUCE can only call torch's rebuild functions, not torch.float32"),
    "reduce-storage-type": (g("torch", "FloatStorage") + b")R.", UE, "not torch.FloatStorage"),
    "reduce-builtin-int": (i(3) + b")R.", UE, "not <class 'int'>"),
    "reduce-list-args": (g("torch", "Size") + b"]R.", UE, "needs an argument tuple, got <class 'list'>"),
    "odict-with-items": (g("collections", "OrderedDict") + b"]\x85R.", UE, "must be called with no arguments, got 1"),
    "size-of-str": (g("torch", "Size") + s("a") + b"\x85\x85R.", UE, "takes a tuple of ints"),
    "size-of-float": (g("torch", "Size") + b"G" + struct.pack(">d", 1.5) + b"\x85\x85R.", UE, "tuple of ints"),
    "size-no-tuple": (g("torch", "Size") + i(3) + b"\x85R.", UE, "takes one tuple"),
    "size-too-many-dims": (g("torch", "Size") + tup(*[i(1)] * 65) + b"\x85R.", UE, "at most 64"),
    "device-bad-name": (g("torch", "device") + s("gpu9") + b"\x85R.", UE, "invalid device in this file"),
    "device-index-str": (g("torch", "device") + s("cpu") + s("0") + b"\x86R.", UE, "int index"),
    "codecs-utf8": (g("_codecs", "encode") + s("a") + s("utf8") + b"\x86R.", UE, r"\(str, 'latin1'\)"),
    "codecs-not-latin1": (g("_codecs", "encode") + s("\u20ac") + s("latin1") + b"\x86R.", UE, "not latin-1"),
    "tensor-no-storage": (V2 + tup(s("x"), i(0), tup(i(1)), tup(i(1)), b"\x89", OD) + b"R.", UE,
                          "needs a storage first, got <class 'str'>"),
    "tensor-arity": (V2 + tup(pid(), i(0)) + b"R.", UE, "takes 6 or 7 arguments, got 2"),
    "tensor-requires-grad-int": (V2 + tup(pid(), i(0), tup(i(1)), tup(i(1)), i(1), OD) + b"R.", UE,
                                 "needs a bool requires_grad"),
    "tensor-hooks": (V2 + tup(pid(), i(0), tup(i(1)), tup(i(1)), b"\x89", b"}" + i(1) + i(2) + b"s") + b"R.",
                     UE, "empty OrderedDict of backward hooks"),
    "tensor-hooks-dtype": (V2 + tup(pid(), i(0), tup(i(1)), tup(i(1)), b"\x89", g("torch", "int8")) + b"R.",
                           UE, "empty OrderedDict of backward hooks"),
    "tensor-metadata": (V2 + tup(pid(), i(0), tup(i(1)), tup(i(1)), b"\x89", OD, b"}" + s("a") + i(1) + b"s") + b"R.",
                        UE, "metadata chainrule cannot apply"),
    "tensor-v3-typed-storage": (g("torch._utils", "_rebuild_tensor_v3") + tup(pid(), i(0), tup(i(1)), tup(i(1)), b"\x89", OD, g("torch", "float32")) + b"R.",
                                UE, "needs an untyped storage and a dtype"),
    "tensor-v2-untyped": (V2 + tup(pid(numel=16, storage=g("torch.storage", "UntypedStorage")), i(0), tup(i(1)), tup(i(1)), b"\x89", OD) + b"R.",
                          UE, "needs a typed storage"),
    "parameter-of-dtype": (g("torch._utils", "_rebuild_parameter") + tup(g("torch", "float32"), b"\x88", OD) + b"R.", UE,
                           "needs a tensor rebuilt by this file, got torch.float32"),
    "parameter-hooks": (g("torch._utils", "_rebuild_parameter") + tup(tensor(), b"\x88", b"]") + b"R.", UE,
                        "empty OrderedDict of backward hooks"),
    "parameter-state": (g("torch._utils", "_rebuild_parameter_with_state") + tup(tensor(), b"\x88", OD, b"}" + s("a") + i(1) + b"s") + b"R.",
                        UE, "parameter state chainrule cannot apply"),
    "newobj": (g("collections", "OrderedDict") + b")\x81.", UE, r"Unsupported operand 129 \(NEWOBJ\)"),
    "newobj-ex": (g("collections", "OrderedDict") + b")}\x92.", UE, r"Unsupported operand 146 \(NEWOBJ_EX\)"),
    "inst": (b"(icollections\nOrderedDict\n.", UE, r"Unsupported operand 105 \(INST\)"),
    "obj": (b"(" + g("collections", "OrderedDict") + b"o.", UE, r"Unsupported operand 111 \(OBJ\)"),
    "stack-global": (s("os") + s("system") + b"\x93.", UE, r"Unsupported operand 147 \(STACK_GLOBAL\)"),
    "ext1": (b"\x82\x01.", UE, r"Unsupported operand 130 \(EXT1\)"),
    "ext2": (b"\x83\x01\x00.", UE, r"Unsupported operand 131 \(EXT2\)"),
    "ext4": (b"\x84\x01\x00\x00\x00.", UE, r"Unsupported operand 132 \(EXT4\)"),
    "persid-text": (b"P0\n.", UE, r"Unsupported operand 80 \(PERSID\)"),
    "long4": (b"\x8b\xff\xff\xff\x7f\x00.", UE, r"Unsupported operand 139 \(LONG4\)"),
    "pop": (i(1) + i(2) + b"0.", UE, r"Unsupported operand 48 \(POP\)"),
    "text-int": (b"I1\n.", UE, r"Unsupported operand 73 \(INT\)"),
    "global-os-system": (g("os", "system") + s("true") + b"\x85R.", UE, "unsupported global: GLOBAL os.system"),
    "global-no-newline": (b"ctorch", UE, "has no name ending in a newline"),
    "global-not-ascii": (b"c\xff\n\xff\n.", UE, "not ASCII"),
    # persistent ids
    "persid-str": (s("0") + b"Q.", UE, r"persistent_load id must be torch's \('storage', type, key, location, numel\)"),
    "persid-wrong-tag": (tup(s("module"), g("torch", "FloatStorage"), s("0"), s("cpu"), i(4)) + b"Q.", UE, "persistent_load id"),
    "persid-dtype-type": (tup(s("storage"), g("torch", "float32"), s("0"), s("cpu"), i(4)) + b"Q.", UE,
                          "names torch.float32 as its storage type"),
    "persid-path-key": (pid(key="../0") + b".", UE, r"invalid storage key '\.\./0'"),
    "persid-negative-numel": (tup(s("storage"), g("torch", "FloatStorage"), s("0"), s("cpu"), b"J\xff\xff\xff\xff") + b"Q.", UE,
                              "invalid location or size"),
    "persid-missing": (tensor(key="9") + b".", RuntimeError, "PytorchStreamReader failed locating file data/9: file not found"),
    "persid-too-small": (tensor(numel=400, size=(400,)) + b".", RuntimeError,
                         r"record size \(16 bytes\) does not match expected size \(1600 bytes"),
    "persid-twice": (b"(" + pid() + pid(storage=g("torch", "IntStorage")) + b"t.", UE, "declared twice"),
    "storage-as-value": (pid() + b".", UE, "a storage can only be used to rebuild a tensor"),
    "marker-as-value": (g("torch", "Size") + b".", UE, "GLOBAL torch.Size can only be used"),
    "marker-in-list": (b"]" + g("torch._utils", "_rebuild_tensor_v2") + b"a.", UE, "GLOBAL torch._utils._rebuild_tensor_v2"),
    # sizes, strides, offsets
    "size-negative": (tensor(size=(-1,)) + b".", RuntimeError, "invalid size: -1"),
    "size-huge": (tensor(size=(2**64,), stride=(0,)) + b".", RuntimeError, "invalid size"),
    "stride-huge": (tensor(size=(2,), stride=(2**40,)) + b".", RuntimeError, "reaches outside its storage"),
    "offset-huge": (tensor(offset=2**61) + b".", RuntimeError, "reaches outside its storage"),
    "expanded-bomb": (tensor(size=(2**20, 2**10), stride=(0, 0)) + b".", RuntimeError,
                      "expands 4 stored values to 1073741824 elements"),
    "too-many-dims": (tensor(size=(1,) * 65, stride=(1,) * 65) + b".", RuntimeError, "invalid size"),
    # structure of the stream
    "deep-lists": (b"]" * (D + 5) + b"a" * (D + 4) + b".", UE, f"nested more than {D} levels"),
    "deep-tuples": (i(1) + b"\x85" * (D + 5) + b".", UE, f"tuples are nested more than {D}"),
    "self-containing-list": (b"]q\x00h\x00a.", None, None),
    "stop-empty": (b".", UE, "STOP found 0 values on the stack, expected one"),
    "stop-two": (i(1) + i(2) + b".", UE, "STOP found 2 values"),
    "stop-mark": (b"(.", UE, "STOP found 0 values on the stack and an open MARK"),
    "tuple-no-mark": (i(1) + b"t.", UE, "has no MARK before it"),
    "pop-below-mark": (b"](a.", UE, "needs a value the stack does not hold"),
    "setitems-below-mark": (b"}(" + s("k") + b"(" + i(1) + b"u.", UE, "has a key without a value"),
    "bad-utf8": (b"X\x02\x00\x00\x00\xff\xfe.", UE, "is not valid UTF-8"),
    "huge-unicode-length": (b"X\xff\xff\xff\xff" + b"a" * 10 + b".", UE, "truncated"),
    "huge-long1": (b"\x8a\xff" + b"\x01" * 4, UE, "truncated"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_pickle_is_refused_and_changes_nothing(name):
    payload, kind, message = HOSTILE[name]
    data = torch_zip(P + payload)
    if kind is None:
        out = load_bytes(data)  # harmless oddities load as torch loads them
        assert out[0] is out
    else:
        with pytest.raises(kind, match=message) as info:
            load_bytes(data)
        if kind is UE:
            assert str(info.value).startswith("Weights only load failed: ")
    assert_library_works()


def test_catalogue_matches_torch_refusals():
    """torch.load(weights_only=True) refuses the mutating cases too (a live cross-check)."""
    torch = pytest.importorskip("torch")
    for name in ["build-dtype", "build-storage-type", "setitem-dtype", "append-size-class",
                 "ext1", "inst", "obj", "persid-str", "persid-missing"]:  # fmt: skip
        with pytest.raises((pickle.UnpicklingError, RuntimeError)):
            torch.load(io.BytesIO(torch_zip(P + HOSTILE[name][0])), weights_only=True)


def test_the_exploits_did_mutate_through_pickle_unpickler():
    """What the old design (pickle.Unpickler + find_class) let through: BUILD on a dtype."""

    class Plain:
        pass

    shared = Plain()
    shared.name = "float32"

    class Restricted(pickle.Unpickler):
        def find_class(self, module, name):
            return shared

    payload = P + g("torch", "float32") + b"}" + s("name") + s("float64") + b"sb."
    Restricted(io.BytesIO(payload)).load()
    assert shared.name == "float64"  # the opcode really mutates the object it finds


@pytest.mark.parametrize("cut", [3, 10, 40, 100, -2])
def test_truncated_pickles(cut):
    whole = P + tensor() + b"."
    with pytest.raises(UE, match="truncated|found|newline"):
        load_bytes(torch_zip(whole[:cut]))
    assert_library_works()


@pytest.mark.parametrize(
    "header, message",
    [
        (b"", "truncated"),
        (b"}.", "does not start with PROTO"),
        (b"\x80\x06}.", "unsupported pickle protocol 6"),
        (b"\x80\xff}.", "unsupported pickle protocol 255"),
        (P + b"}.garbage", "7 bytes of garbage follow the pickle's STOP"),
    ],
)
def test_stream_framing(header, message):
    with pytest.raises(UE, match=message):
        load_bytes(torch_zip(header))


def test_genuine_tensor_pickle_still_loads():
    assert load_bytes(torch_zip(P + tensor(1, (3,), (1,)) + b".")).tolist() == [1.0, 2.0, 3.0]
    v3 = g("torch._utils", "_rebuild_tensor_v3")
    untyped = pid(numel=4, storage=g("torch.storage", "UntypedStorage"))
    args = tup(untyped, i(1), tup(i(1)), tup(i(1)), b"\x89", OD, g("torch", "int16"))
    storages = {"0": np.array([5, -6], "<i2").tobytes()}
    assert load_bytes(torch_zip(P + v3 + args + b"R.", storages)).tolist() == [-6]
    odd = tup(pid(numel=3, storage=g("torch.storage", "UntypedStorage")), i(0), tup(i(1)),
              tup(i(1)), b"\x89", OD, g("torch", "int16"))  # fmt: skip
    with pytest.raises(RuntimeError, match="untyped storage of 3 bytes cannot hold torch.int16"):
        load_bytes(torch_zip(P + v3 + odd + b"R.", {"0": b"abc"}))


def _mutated(data: bytes, rng) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randrange(1, 4)):
        at = rng.randrange(len(out))
        kind = rng.randrange(3)
        if kind == 0:
            out[at] = rng.randrange(256)
        elif kind == 1:
            del out[at : at + rng.randrange(1, 8)]
        else:
            out[at:at] = bytes([rng.randrange(256)])
    return bytes(out)


def _rezip(entries: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, raw in entries.items():
            archive.writestr(name, raw)
    return buffer.getvalue()


def test_mutated_files_only_raise_torch_types():
    """Random damage to a real checkpoint, its pickle, a manifest and a safetensors file
    raises only RuntimeError / UnpicklingError / ValueError, never an internal KeyError,
    struct.error, UnicodeDecodeError, BadZipFile or RecursionError."""
    import random

    rng = random.Random(1234)
    raw = (GOLDEN / "kinds.pt").read_bytes()
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    buffer = io.BytesIO()
    chainrule.save({"a": chainrule.ones(3), "b": [1, (2, 3.5)], "c": {"x": chainrule.tensor(True)}},
                   buffer)  # fmt: skip
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        ours = {name: archive.read(name) for name in archive.namelist()}
    buffer = io.BytesIO()
    save_safetensors({"a": chainrule.ones(3), "b": chainrule.tensor([1, 2])}, buffer, {"k": "v"})
    cases = []
    for _ in range(300):
        cases.append((_rezip({**entries, "kinds/data.pkl": _mutated(entries["kinds/data.pkl"], rng)}),
                      chainrule.load, (RuntimeError, UE)))  # fmt: skip
        cases.append((_mutated(raw, rng), chainrule.load, (RuntimeError, UE)))
        manifest = _mutated(ours["chainrule/manifest.json"], rng)
        cases.append((_rezip({**ours, "chainrule/manifest.json": manifest}), chainrule.load,
                      (RuntimeError,)))  # fmt: skip
        cases.append((_mutated(buffer.getvalue(), rng), load_safetensors, (ValueError,)))
    for data, loader, allowed in cases:
        try:
            loader(io.BytesIO(data))
        except allowed:
            pass
    assert_library_works()


# ----------------------------------------------------------------------------- the zip layer
class _Stream:
    """A file object that can only read (a pipe, a socket): no seek, no tell."""

    def __init__(self, data: bytes, endless: bool = False):
        self._data, self._endless, self.taken = data, endless, 0

    def read(self, n=-1):
        if self._endless:
            n = 1 << 20 if n < 0 else n
            self.taken += n
            return bytes(n)
        chunk = self._data[: len(self._data) if n < 0 else n]
        self._data = self._data[len(chunk) :]
        return chunk


def test_streams_that_cannot_seek():
    buffer = io.BytesIO()
    chainrule.save({"w": chainrule.tensor([1.0, 2.0])}, buffer)
    assert chainrule.load(_Stream(buffer.getvalue()))["w"].tolist() == [1.0, 2.0]
    endless = _Stream(b"", endless=True)
    with pytest.raises(RuntimeError, match="this file is not one"):
        chainrule.load(endless)
    assert endless.taken == 4  # the magic bytes, nothing more
    with pytest.raises(ValueError, match="invalid header length"):
        load_safetensors(_Stream(struct.pack("<Q", 64) + b"{}"))


def test_dev_zero_fails_at_once():
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero on this platform")
    with pytest.raises(RuntimeError, match="this file is not one"):
        chainrule.load("/dev/zero")


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "this file is not one"),
        (b"hello world", "this file is not one"),
        (b"PK\x03\x04garbage", "PytorchStreamReader failed reading zip archive"),
    ],
)
def test_not_an_archive(data, message):
    with pytest.raises(RuntimeError, match=message):
        load_bytes(data)


def test_truncated_and_corrupted_archives():
    good = torch_zip(P + tensor() + b".")
    for cut in (len(good) // 2, len(good) - 10):
        with pytest.raises(RuntimeError, match="PytorchStreamReader failed"):
            load_bytes(good[:cut])
    storage = np.arange(4, dtype=np.float32).tobytes()
    corrupted = bytearray(good)
    at = corrupted.index(storage)
    corrupted[at] ^= 0xFF
    with pytest.raises(
        RuntimeError, match="PytorchStreamReader failed reading file archive/data/0"
    ):
        load_bytes(bytes(corrupted))


def test_archive_layout_is_checked():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate it writes
        twice = torch_zip(P + tensor() + b".", extra={"archive/data.pkl": P + b"}."})
    with pytest.raises(RuntimeError, match="two entries named 'archive/data.pkl'"):
        load_bytes(twice)
    with pytest.raises(RuntimeError, match="neither a chainrule.save nor a torch.save"):
        load_bytes(torch_zip(P + b"}.", extra={"other/data.pkl": P + b"}."}))
    bad_order = io.BytesIO()
    with zipfile.ZipFile(bad_order, "w") as archive:
        archive.writestr("archive/data.pkl", P + b"}.")
        archive.writestr("archive/byteorder", "middle")
    with pytest.raises(RuntimeError, match="invalid byteorder"):
        load_bytes(bad_order.getvalue())


def test_big_endian_archives_load():
    payload = P + tensor(size=(2,)) + b"."
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", payload)
        archive.writestr("archive/byteorder", "big")
        archive.writestr("archive/data/0", np.array([1, 2, 3, 4], ">f4").tobytes())
    assert load_bytes(buffer.getvalue()).tolist() == [1.0, 2.0]


def _bomb(path: Path, megabytes: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data.pkl", P + tensor(size=(1,)) + b".")
        archive.writestr("archive/data/0", bytes(megabytes << 20))


def test_compression_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.pt"
    _bomb(path, 64)
    assert path.stat().st_size < 1 << 20
    with pytest.raises(RuntimeError, match=r"entries declare \d+ bytes but the file holds only"):
        chainrule.load(path)


PEAK = """
import sys, tracemalloc
sys.path.insert(0, {src!r})
import chainrule
from chainrule.serialization import load_safetensors
tracemalloc.start()
try:
    {call}
except Exception as exc:
    print(type(exc).__name__, file=sys.stderr)
print(tracemalloc.get_traced_memory()[1])
"""


def _peak(call: str) -> int:
    code = textwrap.dedent(PEAK).format(src=str(SRC), call=call)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)  # fmt: skip
    return int(done.stdout.split()[-1])


def test_bomb_and_real_files_stay_bounded_in_memory(tmp_path):
    bomb = tmp_path / "bomb.pt"
    _bomb(bomb, 256)
    assert _peak(f"chainrule.load({str(bomb)!r})") < 8 << 20  # not the 256 MiB it declares
    real = tmp_path / "real.pt"
    chainrule.save({"w": chainrule.zeros(2**21)}, real)  # 8 MiB of float32
    peak = _peak(f"chainrule.load({str(real)!r})")
    assert 8 << 20 <= peak < 3 * (8 << 20)  # the tensor, and at most two transient copies


# ----------------------------------------------------------------------------- chainrule's manifest
def _chainrule_zip(manifest, tensors=None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        text = manifest if isinstance(manifest, (bytes, str)) else json.dumps(manifest)
        archive.writestr("chainrule/manifest.json", text)
        for key, raw in (tensors or {}).items():
            archive.writestr(f"chainrule/tensors/{key}", raw)
    return buffer.getvalue()


def _m(obj) -> dict:
    return {"format": "chainrule", "version": 1, "object": obj}


def _t(**changes) -> dict:
    spec = {"$": "tensor", "key": 0, "dtype": "float32", "shape": [2], "requires_grad": False,
            "parameter": False}  # fmt: skip
    spec.update(changes)
    return spec


def _m_deep():
    node = 1
    for _ in range(300):
        node = {"$": "tuple", "items": [node]}
    return _m(node)


TWO_FLOATS = {"0": np.zeros(2, np.float32).tobytes()}


@pytest.mark.parametrize(
    "manifest, message",
    [
        (b"\xff\xfe", "its manifest is not JSON"),
        (b"{", "its manifest is not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "its manifest is not JSON"),
        ([1, 2], "its manifest is not a JSON object"),
        ({"format": "chainrule", "version": 2, "object": 1}, "unsupported chainrule file version"),
        (_m({"$": "os.system"}), "unknown entry 'os.system'"),
        (_m({"$": "tuple", "items": "abc"}), "'items' must be a list"),
        (_m({"$": "dict", "items": [[1]]}), r"not a \[key, value\] pair"),
        (_m({"$": "dict", "items": [[{"$": "dict", "items": []}, 1]]}), "key is not hashable"),
        (_m({"$": "float", "value": "1e999"}), "float value '1e999'"),
        (_m({"$": "dtype", "name": "__class__"}), "unknown dtype '__class__'"),
        (_m({"$": "size", "items": [-1]}), "invalid dimension -1"),
        (_m(_t(key="0")), "'key' must be a int"),
        (_m(_t(key=True)), "'key' must be a int"),
        (_m(_t(key=-1)), "must not be negative"),
        (_m(_t(dtype="object")), "unknown dtype 'object'"),
        (_m(_t(shape=[2**70])), "invalid dimension"),
        (_m(_t(shape=[1] * 65)), "has 65 dims"),
        (_m(_t(shape=[10**9])), r"tensor 0 has 2 values, expected shape \(1000000000,\)"),
        (_m(_t(key=5)), "tensor 5 has no data entry"),
        (_m(_t(requires_grad="yes")), "'requires_grad' must be a bool"),
        (_m(_t(parameter=1)), "'parameter' must be a bool"),
        (_m_deep(), "nested more than 256 deep"),
    ],
)
def test_hostile_chainrule_manifests(manifest, message):
    with pytest.raises(RuntimeError, match=message):
        load_bytes(_chainrule_zip(manifest, TWO_FLOATS))
    assert_library_works()


def test_save_refuses_what_load_would_refuse():
    deep: list = []
    for _ in range(300):
        deep = [deep]
    with pytest.raises(ValueError, match="nested more than 256 deep"):
        chainrule.save(deep, io.BytesIO())


# ----------------------------------------------------------------------------- safetensors
def _safetensors(header, body=b"", length=None) -> io.BytesIO:
    text = header if isinstance(header, bytes) else json.dumps(header).encode()
    size = len(text) if length is None else length
    return io.BytesIO(struct.pack("<Q", size) + text + body)


F32 = {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}


@pytest.mark.parametrize(
    "header, body, message",
    [
        (b'{"a": 1, "a": 2}', b"", "the header names 'a' twice"),
        (
            b'{"a": {"dtype": "F32", "dtype": "F32", "shape": [], "data_offsets": [0, 4]}}',
            b"\0" * 4,
            "names 'dtype' twice",
        ),
        (b"[]", b"", "must be a JSON object"),
        (b"[" * 100_000, b"", "nested too deeply|not valid JSON"),
        (b'{"a": \xff}', b"", "not UTF-8"),
        (b"{nope}", b"", "not valid JSON"),
        ({"__metadata__": {"a": 1}}, b"", "__metadata__ must map str to str"),
        ({"__metadata__": [1]}, b"", "__metadata__ must map str to str"),
        ({"a": [1]}, b"", "must have exactly 'dtype', 'shape' and 'data_offsets'"),
        ({"a": {**F32, "extra": 1}}, b"\0" * 4, "must have exactly"),
        ({"a": {**F32, "dtype": "X9"}}, b"\0" * 4, "unknown dtype 'X9'"),
        ({"a": {**F32, "dtype": 5}}, b"\0" * 4, "unknown dtype 5"),
        ({"a": {**F32, "shape": [True]}}, b"\0" * 4, "invalid dimension True"),
        ({"a": {**F32, "shape": [-1]}}, b"\0" * 4, "invalid dimension -1"),
        ({"a": {**F32, "shape": "1"}}, b"\0" * 4, "invalid shape"),
        ({"a": {**F32, "data_offsets": [4, 0]}}, b"\0" * 4, "invalid data_offsets"),
        ({"a": {**F32, "data_offsets": [0]}}, b"\0" * 4, "invalid data_offsets"),
        ({"a": {**F32, "data_offsets": [0, 4.0]}}, b"\0" * 4, "invalid data_offsets"),
        ({"a": F32, "b": {**F32, "data_offsets": [8, 12]}}, b"\0" * 12, "overlap or leave a gap"),
        ({"a": {**F32, "data_offsets": [4, 8]}}, b"\0" * 8, "overlap or leave a gap"),
        ({"a": F32, "b": F32}, b"\0" * 8, "overlap or leave a gap"),
        ({"a": F32}, b"\0" * 2, "does not match the header"),
        (
            {"a": {"dtype": "F32", "shape": [2**30], "data_offsets": [0, 2**32]}},
            b"\0" * 4,
            "does not match the header",
        ),
    ],
)
def test_hostile_safetensors(header, body, message):
    with pytest.raises(ValueError, match=message):
        load_safetensors(_safetensors(header, body))


def test_safetensors_header_length_is_bounded():
    with pytest.raises(ValueError, match=r"invalid header length 100000001 \(at most 100000000\)"):
        load_safetensors(_safetensors(b"{}", length=100_000_001))
    with pytest.raises(ValueError, match="invalid header length"):
        load_safetensors(_safetensors(b"{}", length=50))
    with pytest.raises(ValueError, match="shorter than its 8-byte header length"):
        load_safetensors(io.BytesIO(b"\x01\x00"))


def test_safetensors_valid_edge_cases():
    header = {"__metadata__": {"k": "v"}, "e": {"dtype": "F64", "shape": [0], "data_offsets": [0, 0]},
              "s": {"dtype": "I8", "shape": [], "data_offsets": [0, 1]}}  # fmt: skip
    out = load_safetensors(_safetensors(header, b"\x05"))
    assert out["e"].tolist() == [] and out["s"].item() == 5 and list(out) == ["e", "s"]


def test_safetensors_header_of_spaces_is_bounded_in_memory(tmp_path):
    path = tmp_path / "spaces.safetensors"
    size = 40 << 20
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", size) + b"{}" + b" " * (size - 2))
    assert load_safetensors(path) == {}
    peak = _peak(f"load_safetensors({str(path)!r})")
    assert peak < 1.2 * size  # one copy of the header, not three


# ----------------------------------------------------------------------------- atomic saves
def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


FSIZE = """
import resource, signal, sys
sys.path.insert(0, {src!r})
import chainrule
from chainrule.serialization import save_safetensors
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 16, 1 << 16))
try:
    {call}
except Exception as exc:
    print(type(exc).__name__ + ": " + str(exc))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX only")
@pytest.mark.parametrize(
    "call, expected",
    [
        ("chainrule.save({{'w': chainrule.zeros(2**18)}}, {path!r})",
         r"RuntimeError: chainrule.save failed writing .*: File too large \(the previous file"),
        ("save_safetensors({{'w': chainrule.zeros(2**18)}}, {path!r})",
         r"OSError: \[Errno 27\] File too large"),
    ],
)  # fmt: skip
def test_failed_save_under_a_file_size_limit_keeps_the_old_file(tmp_path, call, expected):
    path = tmp_path / "ckpt.pt"
    if "safetensors" in call:
        save_safetensors({"old": chainrule.tensor([1.0])}, path)
    else:
        chainrule.save({"old": chainrule.tensor([1.0])}, path)
    before = path.read_bytes()
    code = textwrap.dedent(FSIZE).format(src=str(SRC), call=call.format(path=str(path)))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 1 and done.stderr == ""  # no traceback
    assert re.match(expected, done.stdout)
    assert path.read_bytes() == before and _leftovers(tmp_path) == []


def test_failed_save_on_a_full_filesystem_keeps_the_old_file(tmp_path):
    mount = tmp_path / "tiny"
    mount.mkdir()
    tried = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
                           capture_output=True, text=True)  # fmt: skip
    if tried.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {tried.stderr.strip() or 'not permitted'}")
    try:
        path = mount / "ckpt.pt"
        chainrule.save({"old": chainrule.tensor([1.0])}, path)
        before = path.read_bytes()
        with pytest.raises(RuntimeError, match="No space left on device"):
            chainrule.save({"w": chainrule.zeros(2**17)}, path)
        assert path.read_bytes() == before and _leftovers(mount) == []
        with pytest.raises(OSError, match="No space left on device"):
            save_safetensors({"w": chainrule.zeros(2**17)}, path)
        assert path.read_bytes() == before and _leftovers(mount) == []
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_interrupted_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    chainrule.save({"old": chainrule.tensor([1.0])}, path)
    before = path.read_bytes()
    real = zipfile.ZipFile.writestr

    def interrupted(self, name, data, *args, **kwargs):
        if "tensors/" in str(name):
            raise KeyboardInterrupt
        return real(self, name, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", interrupted)
    with pytest.raises(KeyboardInterrupt):
        chainrule.save({"w": chainrule.ones(3)}, path)
    assert path.read_bytes() == before and _leftovers(tmp_path) == []


def test_save_targets(tmp_path):
    missing = tmp_path / "no" / "such" / "dir" / "x.pt"
    with pytest.raises(RuntimeError, match=r"Parent directory .*dir does not exist\."):
        chainrule.save(chainrule.ones(1), missing)
    path = tmp_path / "new.pt"
    chainrule.save(chainrule.ones(1), str(path))
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # as a plain open() makes it
    with open(tmp_path / "handle.pt", "wb") as handle:
        handle.write(b"prefix")
        chainrule.save(chainrule.ones(2), handle)
    with open(tmp_path / "handle.pt", "rb") as handle:
        assert handle.read(6) == b"prefix"
        assert chainrule.load(handle).tolist() == [1.0, 1.0]
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions and symlinks")
def test_replacing_keeps_permissions_and_follows_symlinks(tmp_path):
    private = tmp_path / "private.pt"
    chainrule.save(chainrule.ones(1), private)
    private.chmod(0o600)
    chainrule.save(chainrule.zeros(1), private)
    assert private.stat().st_mode & 0o777 == 0o600 and chainrule.load(private).tolist() == [0.0]
    target = tmp_path / "epoch_3.pt"
    chainrule.save(chainrule.ones(1), target)
    latest = tmp_path / "latest.pt"
    latest.symlink_to(target.name)
    save_safetensors({"w": chainrule.ones(2)}, latest)
    assert latest.is_symlink() and load_safetensors(target)["w"].tolist() == [1.0, 1.0]
    assert _leftovers(tmp_path) == []
