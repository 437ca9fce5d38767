"""Generate tests/golden/nn_more.json: torch's values, grad_fn names and input gradients for
the sample calls of tests/nn_more_cases.py (as_strided, pixel shuffle, adaptive max and
power-average pooling, instance and local response norm, the margin and likelihood losses).

Run from the repository root with torch installed:

    python tools/gen_nn_more_golden.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "golden" / "nn_more.json"
sys.path.insert(0, str(ROOT / "tests"))

from nn_more_cases import CASES  # noqa: E402


def record(fn, values) -> dict:
    leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]
    out = fn(torch, *leaves)
    out.backward(torch.ones_like(out))
    return {
        "values": out.detach().flatten().tolist(),
        "grad_fn": type(out.grad_fn).__name__,
        "grads": [leaf.grad.flatten().tolist() for leaf in leaves],
    }


def main() -> None:
    golden = {name: record(fn, values) for name, (fn, values) in sorted(CASES.items())}
    golden["_torch"] = torch.__version__
    OUT.write_text(json.dumps(golden, indent=1) + "\n")
    print(f"wrote {OUT} ({len(CASES)} cases, torch {torch.__version__})")


if __name__ == "__main__":
    main()
