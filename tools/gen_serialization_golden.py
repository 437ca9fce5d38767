"""Write the torch checkpoints that tests/test_hostile_files.py loads without torch.

Run with PyTorch 2.13 installed::

    python tools/gen_serialization_golden.py

It writes, under tests/golden/serialization/:

* ``state_dict.pt``: a module's state_dict (an OrderedDict with ``_metadata``, a BatchNorm's
  int64 ``num_batches_tracked``), as ``torch.save(model.state_dict(), path)`` writes it;
* ``kinds.pt``: every dtype chainrule has, 0-d and empty tensors, a transposed
  (non-contiguous) tensor, two views sharing one storage, an expanded (stride 0) tensor, a
  Parameter, ``Size``, dtypes, bytes and nested dicts, lists and tuples;
* ``legacy_name.pt``: ``kinds.pt`` with its entries under ``resnet_epoch_3/`` (torch names
  the archive after the file's stem when saving to a path, ``archive`` for file objects);
* ``bfloat16.pt``: a bfloat16 tensor, a dtype chainrule does not have;
* ``protocol3.pt``, ``protocol4.pt``, ``protocol5.pt``: ``protocol_kinds()`` saved with
  ``pickle_protocol=3/4/5`` (FRAME, MEMOIZE, STACK_GLOBAL, SHORT_BINUNICODE, BINBYTES,
  EMPTY_SET/ADDITEMS...), which ``torch.load`` reads only with ``weights_only=False``;
  ``protocol3_plain.pt`` holds no bytes, so ``weights_only=True`` reads it (with a warning);
* ``tied.pt``: a state_dict whose two entries are one tied weight, plus tensors sharing one
  storage (a base, a row, a column and a transposed view of it).

The tests assert the values literally, so this script only needs rerunning if the format
changes.
"""

from __future__ import annotations

import collections
import io
import zipfile
from pathlib import Path

import torch

OUT = Path(__file__).resolve().parent.parent / "tests" / "golden" / "serialization"


def state_dict():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[0.5, -1.0], [2.0, 0.25]]))
        model[0].bias.copy_(torch.tensor([0.125, -0.375]))
    return model.state_dict()


def kinds():
    base = torch.arange(12, dtype=torch.float32)
    return {
        "float64": torch.tensor([1.5, -2.25], dtype=torch.float64),
        "float32": torch.tensor([0.1, 3.0]),
        "float16": torch.tensor([1.5, -0.0999755859375], dtype=torch.float16),
        "int64": torch.tensor([-(2**40), 7]),
        "int32": torch.tensor([-5, 2**30], dtype=torch.int32),
        "int16": torch.tensor([-300, 300], dtype=torch.int16),
        "int8": torch.tensor([-128, 127], dtype=torch.int8),
        "uint8": torch.tensor([0, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 3),
        "transposed": torch.arange(6, dtype=torch.float64).reshape(2, 3).t(),
        "view_a": base[2:5],
        "view_b": base.reshape(3, 4)[:, 1],
        "expanded": torch.tensor([4.0]).expand(3, 2),
        "param": torch.nn.Parameter(torch.tensor([1.0, -1.0])),
        "frozen": torch.nn.Parameter(torch.tensor([2.0]), requires_grad=False),
        "size": torch.Size([2, 3]),
        "dtype": torch.float16,
        "bytes": b"\x00\xffab",
        "nested": {"list": [1, 2.5, "s", None, True], "tuple": (1, (2, 3)), 7: "int key"},
        "odict": collections.OrderedDict([("b", 1), ("a", 2)]),
    }


def protocol_kinds():
    base = torch.arange(12, dtype=torch.float64).reshape(3, 4)
    return {
        "float32": torch.tensor([0.5, -1.25]),
        "int64": torch.tensor([[1, 2], [3, 4]]),
        "bool": torch.tensor([True, False]),
        "base": base,
        "column": base[:, 1],
        "param": torch.nn.Parameter(torch.tensor([1.0, -1.0])),
        "size": torch.Size([2, 3]),
        "dtype": torch.float16,
        "bytes": b"\x00\xffab",
        "set": {1, 2},
        "text": "x" * 300,  # BINUNICODE, not SHORT_BINUNICODE
        "nested": {"list": [1, 2.5, None, True], "tuple": (1, (2, 3)), 7: "int key"},
        "odict": collections.OrderedDict([("b", 1), ("a", 2)]),
    }


class Tied(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(3, 2)
        self.out = torch.nn.Linear(2, 3, bias=False)
        self.out.weight = self.emb.weight


def tied():
    model = Tied()
    with torch.no_grad():
        model.emb.weight.copy_(torch.tensor([[0.5, -1.0], [2.0, 0.25], [3.0, -4.0]]))
    base = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    return {"sd": model.state_dict(), "base": base, "row": base[1], "col": base[:, 2],
            "t": base.t()}  # fmt: skip


def renamed(data: bytes, old: str, new: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename.replace(old, new, 1), source.read(info))
    return out.getvalue()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    torch.save(state_dict(), OUT / "state_dict.pt")
    torch.save(kinds(), OUT / "kinds.pt")
    legacy = renamed((OUT / "kinds.pt").read_bytes(), "kinds/", "resnet_epoch_3/")
    (OUT / "legacy_name.pt").write_bytes(legacy)
    torch.save({"w": torch.tensor([1.0, 2.0], dtype=torch.bfloat16)}, OUT / "bfloat16.pt")
    for protocol in (3, 4, 5):
        torch.save(protocol_kinds(), OUT / f"protocol{protocol}.pt", pickle_protocol=protocol)
    plain = {"w": torch.tensor([1.0, 2.0]), "n": 3, "s": "text", "size": torch.Size([2])}
    torch.save(plain, OUT / "protocol3_plain.pt", pickle_protocol=3)
    torch.save(tied(), OUT / "tied.pt")
    for name in sorted(OUT.iterdir()):
        torch.load(name, weights_only=not name.stem.startswith("protocol"))  # torch reads each
        print(f"wrote {name} ({name.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
