"""torch.save pickles of protocols 3 to 5, and tensors that share a storage in a file.

torch.load(weights_only=True) accepts only protocol 2's opcodes (torch.save's default): it
warns on any other protocol and refuses FRAME, MEMOIZE, STACK_GLOBAL, SHORT_BINBYTES...;
torch.load(weights_only=False) reads them. chainrule mirrors both, and with
weights_only=False still runs its restricted interpreter, so every hostile pickle stays
refused. Loaded tensors that shared a storage in the file share memory, as torch's do.

The golden files in tests/golden/serialization/ were written by
``python tools/gen_serialization_golden.py`` (torch 2.13); their values are asserted
literally, so these tests run without torch.
"""

from __future__ import annotations

import collections
import io
import pickle
import struct
import warnings
import zipfile

import numpy as np
import pytest
from test_hostile_files import (
    GOLDEN,
    HOSTILE,
    OD,
    UE,
    V2,
    _our_values,
    _peak,
    _torch_values,
    assert_library_works,
    g,
    i,
    pid,
    tensor,
    torch_zip,
    tup,
)

import chainrule
from chainrule import _unpickle, nn

P4 = b"\x80\x04"
PROTOCOL_WARNING = r"Detected pickle protocol (\d) in the checkpoint"


def sb(text: str) -> bytes:  # SHORT_BINUNICODE
    raw = text.encode()
    return b"\x8c" + bytes([len(raw)]) + raw


def frame(n: int) -> bytes:
    return b"\x95" + struct.pack("<Q", n)


def q(n: int) -> bytes:
    return struct.pack("<Q", n)


def load(data: bytes, weights_only=False):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the protocol warning weights_only=True gives
        return chainrule.load(io.BytesIO(data), weights_only=weights_only)


# ----------------------------------------------------------------------------- golden files
PROTOCOL_KINDS = {
    "float32": ([0.5, -1.25], "float32"),
    "int64": ([[1, 2], [3, 4]], "int64"),
    "bool": ([True, False], "bool"),
    "base": ([[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]], "float64"),
    "column": ([1.0, 5.0, 9.0], "float64"),
}


@pytest.mark.parametrize("protocol", [3, 4, 5])
def test_golden_protocol_files_load_with_weights_only_false(protocol, recwarn):
    ckpt = chainrule.load(GOLDEN / f"protocol{protocol}.pt", weights_only=False)
    assert not [w for w in recwarn if "pickle protocol" in str(w.message)]  # as torch: none
    for key, (values, dtype) in PROTOCOL_KINDS.items():
        assert ckpt[key].dtype.name == dtype and ckpt[key].tolist() == values, key
    assert isinstance(ckpt["param"], nn.Parameter) and ckpt["param"].tolist() == [1.0, -1.0]
    assert type(ckpt["size"]) is chainrule.Size and ckpt["size"] == (2, 3)
    assert ckpt["dtype"] is chainrule.float16 and ckpt["bytes"] == b"\x00\xffab"
    assert type(ckpt["set"]) is set and ckpt["set"] == {1, 2}
    assert ckpt["text"] == "x" * 300
    assert ckpt["nested"] == {"list": [1, 2.5, None, True], "tuple": (1, (2, 3)), 7: "int key"}
    assert type(ckpt["odict"]) is collections.OrderedDict and list(ckpt["odict"]) == ["b", "a"]
    # the column is a view of the base's storage, as in torch
    assert ckpt["column"].storage_offset() == 1 and ckpt["column"].stride() == (4,)
    ckpt["base"][2, 1] = -9.0
    assert ckpt["column"].tolist() == [1.0, 5.0, -9.0]
    assert_library_works()


@pytest.mark.parametrize(
    "protocol, opcode",
    [(3, r"67 \(SHORT_BINBYTES\) at byte \d+"), (4, r"149 \(FRAME\) at byte 2"),
     (5, r"149 \(FRAME\) at byte 2")],
)  # fmt: skip
def test_golden_protocol_files_are_refused_by_default_as_torch_refuses_them(protocol, opcode):
    with pytest.warns(UserWarning, match=f"Detected pickle protocol {protocol} in the checkpoint"):
        with pytest.raises(UE, match=f"Unsupported operand {opcode}") as info:
            chainrule.load(GOLDEN / f"protocol{protocol}.pt")
    assert "weights_only=False) reads it, still without running code" in str(info.value)
    assert str(info.value).startswith("Weights only load failed: ")
    assert_library_works()


def test_protocol_3_without_bytes_loads_by_default_with_torchs_warning():
    with pytest.warns(UserWarning) as record:
        ckpt = chainrule.load(GOLDEN / "protocol3_plain.pt")
    assert [str(w.message) for w in record] == [
        "Detected pickle protocol 3 in the checkpoint, which was not the default pickle "
        "protocol used by `torch.load` (2). The weights_only Unpickler might not support all "
        "instructions implemented by this protocol, please file an issue for adding support "
        "if you encounter this."
    ]
    assert record[0].filename == __file__  # points at the caller's load
    assert ckpt["w"].tolist() == [1.0, 2.0] and ckpt["n"] == 3 and ckpt["s"] == "text"
    assert ckpt["size"] == chainrule.Size([2])


def test_protocol_2_files_do_not_warn(recwarn):
    chainrule.load(GOLDEN / "state_dict.pt")
    chainrule.load(GOLDEN / "state_dict.pt", weights_only=False)
    assert not [w for w in recwarn if "pickle protocol" in str(w.message)]


def test_genuine_protocol_4_stream_assembled_by_hand():
    # FRAME, MEMOIZE, SHORT_BINUNICODE, STACK_GLOBAL, BINBYTES8, BINUNICODE8, EMPTY_SET
    body = (
        b"}\x94(" + sb("w") + b"\x94" + sb("torch._utils") + sb("_rebuild_tensor_v2") + b"\x93\x94"
        + tup(pid(), i(1), tup(i(2)), tup(i(1)), b"\x89", OD) + b"R\x94"
        + sb("again") + b"h\x03"  # the memo: 0 dict, 1 'w', 2 the rebuild, 3 the tensor
        + sb("b8") + b"\x8e" + q(3) + b"abc" + sb("u8") + b"\x8d" + q(2) + "é".encode()
        + sb("set") + b"\x8f(" + i(1) + i(2) + b"\x90" + b"(" + i(3) + b"\x90"
        + sb("empty") + b"\x8f" + b"u."
    )  # fmt: skip
    data = P4 + frame(len(body)) + body
    ckpt = load(torch_zip(data))
    assert ckpt["w"].tolist() == [1.0, 2.0] and ckpt["again"] is ckpt["w"]
    assert ckpt["b8"] == b"abc" and ckpt["u8"] == "é"
    assert ckpt["set"] == {1, 2, 3} and ckpt["empty"] == set()
    # several frames, each ending on an opcode boundary, and opcodes after the last one
    parts = [b"]\x94", b"(" + i(1) + sb("x"), b"e", b"."]
    framed = P4 + b"".join(frame(len(p)) + p for p in parts[:-1]) + parts[-1]
    assert load(torch_zip(framed)) == [1, "x"]


# ----------------------------------------------------------------------------- hostile: new opcodes
NEW_HOSTILE = {
    # FRAME: bounded by what follows, never nested, never straddled
    "frame-oversized": (frame(2**63) + b"}.", r"FRAME at byte 2 declares 9223372036854775808 "
                        r"bytes but only 2 follow"),
    "frame-max-length": (frame(2**64 - 1) + b"}.", "declares 18446744073709551615 bytes"),
    "frame-truncated-length": (b"\x95\x01\x00", "truncated"),
    "frame-in-frame": (frame(11) + frame(1) + b"}.", "begins inside the previous FRAME"),
    "frame-straddled": (frame(3) + b"\x8c\x05hello.", r"at byte 11 runs past the end of its FRAME"),
    "frame-straddled-global": (frame(8) + b"ctorch\nSize\n.", "at byte 11 runs past the end of its FRAME"),
    # byte and text lengths: bounded by the pickle, never allocated from the declared size
    "binbytes8-huge": (b"\x8e" + q(2**62) + b"ab.", "truncated"),
    "binbytes8-max": (b"\x8e" + q(2**64 - 1) + b"ab.", "truncated"),
    "binbytes-huge": (b"B\xff\xff\xff\xffab.", "truncated"),
    "short-binbytes-truncated": (b"C\x09ab", "truncated"),
    "binunicode8-huge": (b"\x8d" + q(2**63) + b"ab.", "truncated"),
    "binunicode8-bad-utf8": (b"\x8d" + q(2) + b"\xff\xfe.", "BINUNICODE8 at byte 2 is not valid UTF-8"),
    "short-binunicode-bad-utf8": (b"\x8c\x01\xff.", "SHORT_BINUNICODE at byte 2 is not valid UTF-8"),
    # STACK_GLOBAL: two strings, resolved against the same table as GLOBAL
    "stack-global-ints": (i(1) + i(2) + b"\x93.", "STACK_GLOBAL needs a module and a name as "
                          "two strings, got <class 'int'> and <class 'int'>"),
    "stack-global-bytes": (b"C\x05torch" + sb("Size") + b"\x93.", "got <class 'bytes'> and <class 'str'>"),
    "stack-global-marker": (sb("torch") + g("torch", "Size") + b"\x93.", "and torch.Size"),
    "stack-global-none": (b"N" + sb("Size") + b"\x93.", "got <class 'NoneType'>"),
    "stack-global-os": (sb("os") + sb("system") + b"\x93" + sb("true") + b"\x85R.",
                        "unsupported global: STACK_GLOBAL os.system"),
    "stack-global-eval": (sb("builtins") + sb("eval") + b"\x93.", "unsupported global: STACK_GLOBAL builtins.eval"),
    "stack-global-long-name": (sb("os") + b"\x8d" + q(10**5) + b"a" * 10**5 + b"\x93.", "STACK_GLOBAL os.a"),
    "stack-global-one-value": (sb("torch") + b"\x93.", "needs a value the stack does not hold"),
    "stack-global-below-mark": (sb("torch") + b"(" + sb("Size") + b"\x93.", "needs a value the stack"),
    "stack-global-dtype-setitem": (sb("torch") + sb("float32") + b"\x93" + sb("name") + sb("x") + b"s.",
                                   "Can only SETITEM a dict or OrderedDict created by this file, but got torch.float32"),
    "stack-global-build-size": (sb("torch") + sb("Size") + b"\x93}" + sb("x") + i(1) + b"sb.",
                                r"Can only build an OrderedDict created by this file \(once\), but got torch.Size"),
    # MEMOIZE: remembers, never retargets a write
    "memoize-empty": (b"\x94.", "PUT at byte 2 has nothing to remember"),
    "memoize-below-mark": (b"}(\x94.", "has nothing to remember"),
    "memoize-dtype-as-dict": (sb("torch") + sb("float32") + b"\x93\x94h\x00" + sb("name") + sb("x") + b"s.",
                              "but got torch.float32"),
    "memoize-over-put-dict": (b"}q\x01" + g("torch", "float32") + b"\x94h\x01" + sb("k") + i(1) + b"s.",
                              "but got torch.float32"),
    "memoize-marker-reduce": (g("torch", "float32") + b"\x94h\x00)R.",
                              "REDUCE can only call torch's rebuild functions, not torch.float32"),
    "memoize-storage-as-value": (pid() + b"\x94.", "a storage can only be used to rebuild a tensor"),
    "memoize-get-unset": (b"]\x94h\x01.", "Memo value not found at index 1"),
    # sets: only ones this load made, of hashable plain values
    "additems-dtype": (g("torch", "float32") + b"(" + i(1) + b"\x90.",
                       "Can only ADDITEMS to a set created by this file, but got torch.float32"),
    "additems-dict": (b"}(" + i(1) + b"\x90.", "but got <class 'dict'>"),
    "additems-unhashable": (b"\x8f(]\x90.", "a dict key of type list is not hashable"),
    "additems-marker": (b"\x8f(" + g("torch", "Size") + b"\x90.", "cannot be a dict key or set item"),
    "additems-storage": (b"\x8f(" + pid() + b"\x90.", "cannot be a dict key or set item"),
    "set-holds-marker-in-tuple": (b"\x8f(" + g("torch", "Size") + b"\x85\x90.",
                                  "GLOBAL torch.Size can only be used to rebuild a tensor"),
    "additems-no-mark": (b"\x8f" + i(1) + b"\x90.", "has no MARK before it"),
    "set-rebuild-of-dtype": (g("builtins", "set") + g("torch", "int8") + b"\x85R.",
                             "builtins.set takes one list made by this file"),
    "set-rebuild-two-args": (g("__builtin__", "set") + b"]]\x86R.", "takes one list"),
    "set-rebuild-unhashable": (g("builtins", "set") + b"]]a\x85R.", "not hashable"),
    # what torch's weights-only unpickler never accepts stays refused
    "frozenset": (b"(" + i(1) + b"\x91.", r"Unsupported operand 145 \(FROZENSET\)"),
    "bytearray8": (b"\x96" + q(1) + b"a.", r"Unsupported operand 150 \(BYTEARRAY8\)"),
    "next-buffer": (b"\x97.", r"Unsupported operand 151 \(NEXT_BUFFER\)"),
    "readonly-buffer": (b"]\x98.", r"Unsupported operand 152 \(READONLY_BUFFER\)"),
    "newobj-ex": (g("collections", "OrderedDict") + b")}\x92.", r"Unsupported operand 146 \(NEWOBJ_EX\)"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(NEW_HOSTILE))
def test_hostile_protocol_4_pickle_is_refused_and_changes_nothing(name):
    payload, message = NEW_HOSTILE[name]
    with pytest.raises(UE, match=message) as info:
        load(torch_zip(P4 + payload))
    assert str(info.value).startswith("Weights only load failed: ")
    assert_library_works()


@pytest.mark.parametrize("weights_only", [True, False])
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_protocol_2_catalogue_is_refused_at_protocol_4(name, weights_only):
    """Every hostile pickle of the protocol-2 catalogue is still refused under a protocol-4
    header, with either weights_only (STACK_GLOBAL now reaches the table of globals)."""
    payload, kind, message = HOSTILE[name]
    if name == "stack-global" and not weights_only:
        message = "unsupported global: STACK_GLOBAL os.system"
    data = torch_zip(P4 + payload)
    if kind is None:
        out = load(data, weights_only)
        assert out[0] is out
    else:
        with pytest.raises(kind, match=message):
            load(data, weights_only)
    assert_library_works()


NEW_OPCODES = sorted(set(_unpickle._ALL_HANDLERS) - set(_unpickle._HANDLERS))


@pytest.mark.parametrize("code", NEW_OPCODES, ids=lambda c: _unpickle._OPNAMES[c.decode("latin-1")])
def test_weights_only_refuses_each_opcode_torchs_weights_only_refuses(code):
    name = _unpickle._OPNAMES[code.decode("latin-1")]
    message = (
        rf"Unsupported operand {code[0]} \({name}\) at byte 2 \(torch.load\(weights_only=True\)"
    )
    with pytest.raises(UE, match=message):
        load(torch_zip(P4 + code + b"\x00" * 9 + b"."), weights_only=True)
    try:  # weights_only=False reads it (the zero bytes after it may still be refused)
        load(torch_zip(P4 + code + b"\x00" * 9 + b"."), weights_only=False)
    except UE as exc:
        assert f"Unsupported operand {code[0]} " not in str(exc)  # the zeros may be


def test_proto_opcodes_python_accepts_load_and_others_are_refused():
    for header in (b"\x80\x00", b"\x80\x01", b"\x80\x03", b"\x80\x05"):
        assert load(torch_zip(header + b"}."), weights_only=True) == {}
    with pytest.raises(UE, match="unsupported pickle protocol 6"):
        load(torch_zip(b"\x80\x06}."))


# ----------------------------------------------------------------------------- live torch
def _rich(torch):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    base = torch.randn(4, 5, dtype=torch.float64)
    return {
        "state_dict": model.state_dict(),
        "views": [base, base[1:, ::2], base.t(), base[2]],
        "dtypes": [torch.ones(2, dtype=d) for d in (torch.float16, torch.int8, torch.bool)],
        "param": torch.nn.Parameter(torch.randn(3)),
        "expanded": torch.ones(1).expand(2, 3),
        "size": torch.Size([2, 3]),
        "dtype": torch.int16,
        "text": ["s", "t" * 300],
        "bytes": b"\x00\x01" * 200,
        "set": {1, 2, "a"},
        "nested": (1, (2.5, None, True), {"k": -(2**70)}),
    }


def _outcome(call):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        try:
            result = ("ok", call())
        except pickle.UnpicklingError:
            result = ("UnpicklingError", None)
    warned = [str(w.message)[:60] for w in record if "pickle protocol" in str(w.message)]
    return result, warned


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_live_torch_files_of_every_protocol_load_as_torch_loads_them(tmp_path, protocol):
    torch = pytest.importorskip("torch")
    for what, obj in [("rich", _rich(torch)), ("plain", {"w": torch.arange(3.0), "n": 1})]:
        path = tmp_path / f"{what}{protocol}.pt"
        torch.save(obj, path, pickle_protocol=protocol)
        for weights_only in (True, False):
            (theirs, value), their_warnings = _outcome(
                lambda path=path, weights_only=weights_only: torch.load(
                    path, weights_only=weights_only
                )
            )
            (ours, ours_value), our_warnings = _outcome(
                lambda path=path, weights_only=weights_only: chainrule.load(
                    path, weights_only=weights_only
                )
            )
            assert (ours, our_warnings) == (theirs, their_warnings), (what, weights_only)
            if theirs == "ok":
                assert _our_values(ours_value) == _torch_values(torch, value), (what, weights_only)


def test_live_storage_sharing_matches_torch(tmp_path):
    torch = pytest.importorskip("torch")
    base = torch.arange(20, dtype=torch.float32).reshape(4, 5)
    param = torch.nn.Parameter(torch.arange(4.0))
    obj = {"base": base, "row": base[2], "col": base[:, 3], "t": base.t(), "flat": base.view(-1)[7:],
           "param": param, "pview": param.detach()[1:3], "other": torch.ones(3)}  # fmt: skip
    path = tmp_path / "shared.pt"
    torch.save(obj, path)
    theirs, ours = torch.load(path), chainrule.load(path)
    names = list(obj)
    for a in names:
        assert ours[a].storage_offset() == theirs[a].storage_offset(), a
        assert ours[a].stride() == theirs[a].stride(), a
        for b in names:
            shared = (
                theirs[a].untyped_storage().data_ptr() == theirs[b].untyped_storage().data_ptr()
            )
            assert np.shares_memory(ours[a]._data, ours[b]._data) == (
                shared
                and np.shares_memory(theirs[a].numpy(force=True), theirs[b].numpy(force=True))
            ), (a, b)
            if shared:  # the same distance apart in memory
                gap = theirs[a].data_ptr() - theirs[b].data_ptr()
                assert ours[a].data_ptr() - ours[b].data_ptr() == gap, (a, b)
    with torch.no_grad():
        theirs["param"].mul_(3)
    with chainrule.no_grad():
        ours["param"].mul_(3)
    theirs["row"].add_(100)
    ours["row"].add_(100)
    for name in names:
        assert ours[name].tolist() == theirs[name].tolist(), name


# ----------------------------------------------------------------------------- shared storages
def test_tied_weights_stay_tied_after_load():
    ckpt = chainrule.load(GOLDEN / "tied.pt")
    sd = ckpt["sd"]
    emb, out = sd["emb.weight"], sd["out.weight"]
    assert emb is not out  # state_dict() gives two tensors of one storage, as in torch
    assert emb.data_ptr() == out.data_ptr() and np.shares_memory(emb._data, out._data)
    assert emb.tolist() == [[0.5, -1.0], [2.0, 0.25], [3.0, -4.0]]
    emb.mul_(2)  # an in-place change through one shows in the other
    assert out.tolist() == [[1.0, -2.0], [4.0, 0.5], [6.0, -8.0]]
    out[0, 0] = 7.0
    assert emb[0, 0].item() == 7.0
    assert emb._version == 2 and out._version == 2  # each counts its own writes, as in torch
    # views of one storage: a row, a column and a transposed view of a base
    base, row, col, t = ckpt["base"], ckpt["row"], ckpt["col"], ckpt["t"]
    assert (row.storage_offset(), col.storage_offset(), t.storage_offset()) == (3, 2, 0)
    assert (row.stride(), col.stride(), t.stride()) == ((1,), (3,), (1, 3))
    assert not t.is_contiguous() and t._base is None and row.is_leaf
    base[1, 2] = 100.0
    assert row.tolist() == [3.0, 4.0, 100.0] and col.tolist() == [2.0, 100.0]
    assert t.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 100.0]]


def test_tied_state_dict_loads_into_a_tied_model():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(3, 2)
            self.out = nn.Linear(2, 3, bias=False)
            self.out.weight = self.emb.weight

    model = Tied()
    model.load_state_dict(chainrule.load(GOLDEN / "tied.pt")["sd"])
    assert model.out.weight is model.emb.weight
    assert model.emb.weight.tolist() == [[0.5, -1.0], [2.0, 0.25], [3.0, -4.0]]


def test_golden_views_share_memory_at_torchs_offsets():
    ckpt = chainrule.load(GOLDEN / "kinds.pt")
    a, b = ckpt["view_a"], ckpt["view_b"]  # base[2:5] and base.reshape(3, 4)[:, 1]
    assert (a.storage_offset(), b.storage_offset(), b.stride()) == (2, 1, (4,))
    assert a.data_ptr() - b.data_ptr() == 4
    expanded = ckpt["expanded"]
    assert expanded.stride() == (0, 0)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        expanded.add_(1)
    assert expanded.tolist() == [[4.0, 4.0]] * 3


def _views_of_one_storage(n: int) -> bytes:
    side = int(n**0.5)
    parts = [
        tensor(size=(n,), numel=n),
        tensor(offset=1, size=(n - 1,), numel=n),
        tensor(size=(side, side), stride=(side, 1), numel=n),
        tensor(size=(side, side), stride=(1, side), numel=n),
    ]
    return b"\x80\x02(" + b"".join(parts) + b"t."


def test_views_of_one_storage_share_it_and_values_are_exact():
    values = np.array([1.5, -2.0, 3.25, 4.0], np.float32)
    out = chainrule.load(io.BytesIO(torch_zip(_views_of_one_storage(4), {"0": values.tobytes()})))
    assert [t.tolist() for t in out] == [
        [1.5, -2.0, 3.25, 4.0], [-2.0, 3.25, 4.0], [[1.5, -2.0], [3.25, 4.0]],
        [[1.5, 3.25], [-2.0, 4.0]],
    ]  # fmt: skip
    out[2].mul_(2)
    assert out[0].tolist() == [3.0, -4.0, 6.5, 8.0] and out[3].tolist() == [[3.0, 6.5], [-4.0, 8.0]]


def test_a_storage_is_read_once_however_many_tensors_view_it(tmp_path):
    n = 2**22  # 16 MiB of float32, viewed by four tensors of about its size
    path = tmp_path / "views.pt"
    path.write_bytes(torch_zip(_views_of_one_storage(n), {"0": bytes(4 * n)}))
    peak = _peak(f"chainrule.load({str(path)!r})")
    assert 4 * n <= peak < 4 * n + (4 << 20)  # one storage, not five copies of it


def test_big_endian_storage_is_converted_once_and_shared():
    stored = np.array([1.0, 2.0, 3.0, 4.0], ">f4").tobytes()
    data = bytearray(torch_zip(b"\x80\x02(" + tensor() + tensor(1, (2,)) + b"t.", {"0": stored}))
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as source, zipfile.ZipFile(buffer, "w") as out:
        for info in source.infolist():
            raw = b"big" if info.filename.endswith("byteorder") else source.read(info)
            out.writestr(info.filename, raw)
    whole, part = chainrule.load(io.BytesIO(buffer.getvalue()))
    assert whole.tolist() == [1.0, 2.0, 3.0, 4.0] and part.tolist() == [2.0, 3.0]
    whole[1] = 9.0
    assert part.tolist() == [9.0, 3.0]


def test_untyped_storage_views_of_two_dtypes_share_bytes():
    v3 = g("torch._utils", "_rebuild_tensor_v3")
    untyped = pid(numel=4, storage=g("torch.storage", "UntypedStorage"))
    as_int16 = (
        v3 + tup(untyped, i(0), tup(i(2)), tup(i(1)), b"\x89", OD, g("torch", "int16")) + b"R"
    )
    as_uint8 = (
        v3 + tup(untyped, i(1), tup(i(3)), tup(i(1)), b"\x89", OD, g("torch", "uint8")) + b"R"
    )
    storages = {"0": np.array([258, -1], "<i2").tobytes()}
    shorts, octets = load(torch_zip(b"\x80\x02(" + as_int16 + as_uint8 + b"t.", storages))
    assert shorts.tolist() == [258, -1] and octets.tolist() == [1, 255, 255]
    shorts[0] = 0x0304
    assert octets.tolist() == [3, 255, 255]  # little-endian bytes: 04 03 ff ff


def test_overlapping_strides_load_as_a_copy_with_exact_values():
    overlapping = tensor(size=(3, 2), stride=(1, 1))  # what only as_strided makes
    out = load(torch_zip(b"\x80\x02(" + tensor() + overlapping + b"t."))
    assert out[1].tolist() == [[0.0, 1.0], [1.0, 2.0], [2.0, 3.0]]
    assert not np.shares_memory(out[0]._data, out[1]._data)


def test_parameter_shares_its_storage_with_other_tensors():
    param = g("torch._utils", "_rebuild_parameter") + tup(tensor(), b"\x88", OD) + b"R"
    view = V2 + tup(pid(), i(1), tup(i(2)), tup(i(1)), b"\x89", OD) + b"R"
    p, v = load(torch_zip(b"\x80\x02(" + param + view + b"t."))
    assert isinstance(p, nn.Parameter) and p.requires_grad and p.is_leaf
    with chainrule.no_grad():
        p.mul_(10)
    assert v.tolist() == [10.0, 20.0] and p.tolist() == [0.0, 10.0, 20.0, 30.0]


@pytest.mark.parametrize("protocol", [3, 4, 5])
def test_mutated_protocol_pickles_only_raise_torch_types(protocol):
    """Random damage to a protocol 3-5 pickle raises only UnpicklingError / RuntimeError
    (never struct.error, KeyError, UnicodeDecodeError, RecursionError, MemoryError)."""
    import random

    from test_hostile_files import _mutated, _rezip

    rng = random.Random(protocol)
    with zipfile.ZipFile(GOLDEN / f"protocol{protocol}.pt") as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    name = f"protocol{protocol}/data.pkl"
    for _ in range(300):
        data = _rezip({**entries, name: _mutated(entries[name], rng)})
        try:
            load(data)
        except (UE, RuntimeError):
            pass
    assert_library_works()
