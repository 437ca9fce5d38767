"""chainrule.save / chainrule.load, torch.save files and .safetensors: round trips, dtypes,
interoperability, and files that try to run code (they must be refused, running nothing).

tests/golden/torch_state.pt was written by ``python tests/test_serialization.py --regen`` with
torch 2.13 (``_torch_checkpoint`` below builds it), so the torch-file tests run without torch.
"""

from __future__ import annotations

import collections
import io
import json
import math
import os
import pickle
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import chainrule
from chainrule import nn
from chainrule.serialization import load_safetensors, save_safetensors

GOLDEN_PT = Path(__file__).parent / "golden" / "torch_state.pt"


# ---------------------------------------------------------------------------- the torch file
def _torch_checkpoint(torch):
    """A small checkpoint with every feature of the format; values computable with NumPy."""
    full = torch.arange(10)
    model = collections.OrderedDict(
        [
            ("weight", torch.arange(6, dtype=torch.float32).reshape(2, 3) / 10),
            ("bias", torch.tensor([0.5, -0.5])),
        ]
    )
    param = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    opt = torch.optim.SGD([param], lr=0.1, momentum=0.9)
    param.grad = torch.tensor([1.0, -1.0])
    opt.step()
    return {
        "model": model,
        "param": torch.nn.Parameter(torch.tensor([3.0, 4.0])),
        "transposed": torch.arange(6, dtype=torch.float64).reshape(2, 3).t(),
        "ints": torch.tensor([1, -2, 3]),
        "int32": torch.tensor([7, 8], dtype=torch.int32),
        "flags": torch.tensor([True, False]),
        "half": torch.tensor([1.5, -2.0], dtype=torch.float16),
        "bytes": torch.tensor([0, 255], dtype=torch.uint8),
        "full": full,
        "view": full[2:5],
        "scalar": torch.tensor(2.5),
        "nested": {"list": [1, 2.5, "s", None, True], "tuple": (1, 2), 3: "int key"},
        "optimizer": opt.state_dict(),
    }


def _check_checkpoint(ckpt):
    model = ckpt["model"]
    assert isinstance(model, collections.OrderedDict) and list(model) == ["weight", "bias"]
    np.testing.assert_array_equal(
        model["weight"].numpy(), np.arange(6, dtype=np.float32).reshape(2, 3) / np.float32(10)
    )
    assert model["weight"].dtype == chainrule.float32 and model["bias"].tolist() == [0.5, -0.5]
    assert isinstance(ckpt["param"], nn.Parameter) and ckpt["param"].requires_grad
    assert ckpt["param"].tolist() == [3.0, 4.0]
    t = ckpt["transposed"]
    assert t.dtype == chainrule.float64 and t.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    assert ckpt["ints"].dtype == chainrule.int64 and ckpt["ints"].tolist() == [1, -2, 3]
    assert ckpt["int32"].dtype == chainrule.int32
    assert ckpt["flags"].dtype == chainrule.bool and ckpt["flags"].tolist() == [True, False]
    assert ckpt["half"].dtype == chainrule.float16 and ckpt["half"].tolist() == [1.5, -2.0]
    assert ckpt["bytes"].dtype == chainrule.uint8 and ckpt["bytes"].tolist() == [0, 255]
    assert ckpt["full"].tolist() == list(range(10)) and ckpt["view"].tolist() == [2, 3, 4]
    assert ckpt["scalar"].shape == () and ckpt["scalar"].item() == 2.5
    assert ckpt["nested"] == {"list": [1, 2.5, "s", None, True], "tuple": (1, 2), 3: "int key"}
    opt = ckpt["optimizer"]
    assert opt["param_groups"][0]["params"] == [0] and opt["param_groups"][0]["lr"] == 0.1
    assert opt["state"][0]["momentum_buffer"].tolist() == [1.0, -1.0]


def test_loads_committed_torch_checkpoint():
    _check_checkpoint(chainrule.load(GOLDEN_PT))


def test_loads_live_torch_checkpoint(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "live.pt"
    torch.save(_torch_checkpoint(torch), path)
    _check_checkpoint(chainrule.load(path))
    buffer = io.BytesIO()
    torch.save(_torch_checkpoint(torch), buffer)  # file objects use another archive name
    buffer.seek(0)
    _check_checkpoint(chainrule.load(buffer))


def test_torch_state_dict_drives_a_chainrule_model(tmp_path):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    reference = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    torch.save(reference.state_dict(), tmp_path / "mlp.pt")
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    model.load_state_dict(chainrule.load(tmp_path / "mlp.pt"))
    x = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_allclose(
        model(chainrule.tensor(x)).detach().numpy(),
        reference(torch.tensor(x)).detach().numpy(),
        rtol=1e-6,
    )


# ---------------------------------------------------------------------------- malicious files
class _RunsShell:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _torch_zip_with(payload: bytes, storages=None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", payload)
        archive.writestr("archive/byteorder", "little")
        archive.writestr("archive/version", "3\n")
        for key, raw in (storages or {}).items():
            archive.writestr(f"archive/data/{key}", raw)
    return buffer.getvalue()


def _pickle_calling(module, name, args) -> bytes:
    """A protocol-2 pickle whose loading calls module.name(*args)."""
    body = pickle.dumps(args, protocol=2)[2:-1]  # the args tuple, without PROTO and STOP
    return b"\x80\x02c" + f"{module}\n{name}\n".encode() + body + b"R."


def test_refuses_reduce_payload_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_RunsShell(marker), protocol=2)
    path = tmp_path / "evil.pt"
    path.write_bytes(_torch_zip_with(payload))
    with pytest.raises(
        pickle.UnpicklingError,
        match=r"Weights only load failed: unsupported global: GLOBAL (posix|nt)\.system",
    ):
        chainrule.load(path)
    assert not marker.exists()
    with pytest.raises(pickle.UnpicklingError):
        chainrule.load(path, weights_only=False)  # still refused
    assert not marker.exists()


@pytest.mark.parametrize(
    "module, name, args",
    [
        ("builtins", "eval", ("__import__('os').system('touch {marker}')",)),
        ("builtins", "exec", ("open('{marker}', 'w').close()",)),
        ("subprocess", "check_call", (["touch", "{marker}"],)),
        ("torch", "load", ("{marker}",)),
        ("torch._utils", "_rebuild_tensor", ("{marker}",)),
        ("collections", "namedtuple", ("{marker}", "a")),
    ],
)
def test_refuses_unknown_globals(tmp_path, module, name, args):
    marker = tmp_path / "marker"
    args = tuple(
        a.format(marker=marker) if isinstance(a, str) else [x.format(marker=marker) for x in a]
        for a in args
    )
    data = _torch_zip_with(_pickle_calling(module, name, args))
    with pytest.raises(pickle.UnpicklingError, match=f"GLOBAL {module}.{name}"):
        chainrule.load(io.BytesIO(data))
    assert not marker.exists()


def test_the_payload_is_real(tmp_path):
    """The payload used above does run code when loaded with plain pickle."""
    marker = tmp_path / "marker"
    pickle.loads(_pickle_calling("builtins", "exec", (f"open({str(marker)!r}, 'w').close()",)))
    assert marker.exists()


def _tensor_pickle(offset, size, stride, numel=4):
    """A data.pkl for one float tensor over storage '0' (built opcode by opcode)."""
    storage_pid = (
        b"(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpu"
        + pickle.dumps(numel, protocol=2)[2:-1]
        + b"tQ"
    )
    body = b"ctorch._utils\n_rebuild_tensor_v2\n(" + storage_pid
    for value in (offset, tuple(size), tuple(stride), False):
        body += pickle.dumps(value, protocol=2)[2:-1]
    body += b"ccollections\nOrderedDict\n)Rt" + b"R."
    return b"\x80\x02" + body


def test_tensor_header_is_validated_against_its_storage():
    """Bad headers raise RuntimeError, as torch does for them (checked against torch 2.13)."""
    storage = {"0": np.arange(4, dtype=np.float32).tobytes()}
    ok = chainrule.load(io.BytesIO(_torch_zip_with(_tensor_pickle(1, (3,), (1,)), storage)))
    assert ok.tolist() == [1.0, 2.0, 3.0]
    bad = [
        (2, (3,), (1,), "reaches outside its storage: element 4 of a storage of 4"),
        (0, (2,), (5,), "reaches outside its storage"),
        (-1, (1,), (1,), "invalid storage offset: -1"),
        (0, (2,), (-1,), "invalid stride: -1"),
        (0, (2, 2), (1,), "has 2 sizes but 1 strides"),
        (0, (2**70,), (0,), "invalid size"),
    ]
    for offset, size, stride, message in bad:
        data = _torch_zip_with(_tensor_pickle(offset, size, stride), storage)
        with pytest.raises(RuntimeError, match=message):
            chainrule.load(io.BytesIO(data))
    with pytest.raises(
        RuntimeError,
        match=r"record size \(16 bytes\) does not match expected size \(36 bytes = 9 elements",
    ):
        chainrule.load(io.BytesIO(_torch_zip_with(_tensor_pickle(0, (1,), (1,), numel=9), storage)))


def test_refuses_raw_pickles_without_unpickling(tmp_path):
    marker = tmp_path / "marker"
    path = tmp_path / "raw.pkl"
    path.write_bytes(pickle.dumps(_RunsShell(marker)))
    with pytest.raises(RuntimeError, match="not one"):
        chainrule.load(path)
    assert not marker.exists()


# ---------------------------------------------------------------------------- chainrule's format
def _round_trip(obj):
    buffer = io.BytesIO()
    chainrule.save(obj, buffer)
    buffer.seek(0)
    return chainrule.load(buffer)


@pytest.mark.parametrize(
    "dtype", ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]
)
def test_round_trip_preserves_dtype_and_values(dtype):
    values = np.array([[0, 1, 2], [3, 4, 5]]).astype(dtype)
    t = chainrule.tensor(values)
    back = _round_trip(t)
    assert back.dtype == t.dtype and back.shape == t.shape
    np.testing.assert_array_equal(back.numpy(), values)


def test_round_trip_of_a_checkpoint(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    opt = chainrule.optim.Adam(model.parameters(), lr=0.01)
    model(chainrule.ones(2, 3)).sum().backward()
    opt.step()
    shared = chainrule.arange(3.0)
    checkpoint = {
        "model": model.state_dict(),
        "optimizer": opt.state_dict(),
        "epoch": 7,
        "loss": float("nan"),
        "best": float("-inf"),
        "shape": chainrule.Size([2, 3]),
        "dtype": chainrule.float64,
        "pair": (shared, shared),
        "param": nn.Parameter(chainrule.tensor([1.0])),
        "leaf": chainrule.tensor([2.0], requires_grad=True),
        "transposed": chainrule.arange(6.0).reshape(2, 3).t(),
    }
    path = tmp_path / "ckpt.pt"
    chainrule.save(checkpoint, path)
    back = chainrule.load(path)
    assert isinstance(back["model"], collections.OrderedDict)
    assert list(back["model"]) == list(model.state_dict())
    for key, value in model.state_dict().items():
        assert back["model"][key].tolist() == value.tolist()
    assert sorted(back["optimizer"]["state"]) == [0, 1, 2, 3]
    assert repr(back["optimizer"]["state"][0]["step"]) == "tensor(1.)"
    assert back["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)
    assert back["epoch"] == 7 and math.isnan(back["loss"]) and back["best"] == -math.inf
    assert back["shape"] == chainrule.Size([2, 3]) and type(back["shape"]) is chainrule.Size
    assert back["dtype"] is chainrule.float64
    assert back["pair"][0] is back["pair"][1]
    assert isinstance(back["param"], nn.Parameter) and back["param"].requires_grad
    assert back["leaf"].requires_grad and not isinstance(back["leaf"], nn.Parameter)
    assert back["transposed"].tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    fresh = chainrule.optim.Adam(model.parameters(), lr=0.01)
    fresh.load_state_dict(back["optimizer"])
    model.load_state_dict(back["model"])


def test_loaded_tensors_are_writable_copies():
    back = _round_trip({"w": chainrule.zeros(2)})
    back["w"].add_(1)
    assert back["w"].tolist() == [1.0, 1.0]


def test_save_refuses_arbitrary_objects():
    with pytest.raises(TypeError, match="cannot store an object of type Sequential"):
        chainrule.save(nn.Sequential(), io.BytesIO())
    with pytest.raises(TypeError, match="cannot store an object of type set"):
        chainrule.save({1, 2}, io.BytesIO())


def test_map_location():
    buffer = io.BytesIO()
    chainrule.save(chainrule.ones(1), buffer)
    for location in ("cpu", chainrule.device("cpu"), {"cuda:0": "cpu"}, lambda s, loc: s):
        buffer.seek(0)
        assert chainrule.load(buffer, map_location=location).tolist() == [1.0]
    with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA device"):
        chainrule.load(buffer, map_location="cuda")


def test_manifest_cannot_name_code():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        manifest = {"format": "chainrule", "version": 1, "object": {"$": "os.system", "items": []}}
        archive.writestr("chainrule/manifest.json", json.dumps(manifest))
    buffer.seek(0)
    with pytest.raises(RuntimeError, match="unknown entry 'os.system'"):
        chainrule.load(buffer)


def test_torch_reads_nothing_it_should_not():
    """A chainrule file is not a pickle: torch refuses it instead of running anything."""
    torch = pytest.importorskip("torch")
    buffer = io.BytesIO()
    chainrule.save({"w": chainrule.ones(2)}, buffer)
    buffer.seek(0)
    with pytest.raises(RuntimeError):
        torch.load(buffer)


# ---------------------------------------------------------------------------- safetensors
def test_safetensors_round_trip_and_layout(tmp_path):
    tensors = {
        "b": chainrule.tensor([1, 2, 3]),
        "a": chainrule.arange(6.0).reshape(2, 3).t(),
        "h": chainrule.tensor([0.5], dtype=chainrule.float16),
        "flag": chainrule.tensor(True),
    }
    path = tmp_path / "m.safetensors"
    save_safetensors(tensors, path, metadata={"format": "pt"})
    raw = path.read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    assert (8 + length) % 8 == 0
    header = json.loads(raw[8 : 8 + length])
    assert header["__metadata__"] == {"format": "pt"}
    assert header["a"] == {"dtype": "F32", "shape": [3, 2], "data_offsets": [0, 24]}
    back = load_safetensors(path)
    for name, t in tensors.items():
        assert back[name].dtype == t.dtype and back[name].tolist() == t.tolist()


def test_safetensors_interoperates_with_the_package(tmp_path):
    pytest.importorskip("safetensors")
    from safetensors.numpy import load_file, save_file

    path = tmp_path / "ours.safetensors"
    save_safetensors({"w": chainrule.tensor([[1.0, 2.0]]), "i": chainrule.tensor([3])}, path)
    theirs = load_file(str(path))
    np.testing.assert_array_equal(theirs["w"], [[1.0, 2.0]])
    assert theirs["i"].dtype == np.int64
    other = tmp_path / "theirs.safetensors"
    save_file(
        {"x": np.arange(4, dtype=np.float64).reshape(2, 2), "u": np.array([7], np.uint8)},
        str(other),
    )
    back = load_safetensors(other)
    assert back["x"].dtype == chainrule.float64 and back["x"].tolist() == [[0.0, 1.0], [2.0, 3.0]]
    assert back["u"].dtype == chainrule.uint8


@pytest.mark.parametrize(
    "header, body, message",
    [
        (
            {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}},
            b"\0" * 4,
            "has 1 values for shape",
        ),
        (
            {
                "a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                "b": {"dtype": "F32", "shape": [1], "data_offsets": [2, 6]},
            },
            b"\0" * 6,
            "overlap or leave a gap",
        ),
        (
            {"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}},
            b"\0" * 8,
            "does not match the header",
        ),
        (
            {"a": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}},
            b"\0" * 2,
            "BF16 is not supported",
        ),
    ],
)
def test_safetensors_rejects_inconsistent_files(header, body, message):
    text = json.dumps(header).encode()
    data = struct.pack("<Q", len(text)) + text + body
    with pytest.raises(ValueError, match=message):
        load_safetensors(io.BytesIO(data))
    with pytest.raises(ValueError, match="invalid header length"):
        load_safetensors(io.BytesIO(struct.pack("<Q", 10**9) + b"{}"))


if __name__ == "__main__" and "--regen" in sys.argv:
    import torch

    torch.save(_torch_checkpoint(torch), GOLDEN_PT)
    print(f"wrote {GOLDEN_PT}")


def test_whole_torch_models_are_refused_with_a_hint(tmp_path):
    torch = pytest.importorskip("torch")
    torch.save(torch.nn.Linear(2, 1), tmp_path / "model.pt")
    with pytest.raises(
        pickle.UnpicklingError,
        match=r"GLOBAL torch\.nn\.modules\.linear\.Linear.*save and load its state_dict",
    ):
        chainrule.load(tmp_path / "model.pt")
