"""Generate tests/golden/printing.json: tensor reprs produced by real PyTorch.

Run from the repository root with torch installed:

    python tools/gen_printing_golden.py

Each case stores everything needed to rebuild the tensor without torch (dtype name, shape,
flat values, autograd state, print options, default dtype) plus torch's repr. Non-finite
floats and negative zero are stored as the strings "nan", "inf", "-inf" and "-0.0"; finite
floats are stored as the exact double value of the element (float32/float16 values convert
to double exactly, so they round-trip).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parent.parent / "tests" / "golden" / "printing.json"

DTYPES = {
    "float32": torch.float32,
    "float64": torch.float64,
    "float16": torch.float16,
    "int64": torch.int64,
    "int32": torch.int32,
    "int16": torch.int16,
    "int8": torch.int8,
    "uint8": torch.uint8,
    "bool": torch.bool,
}
NAMES = {v: k for k, v in DTYPES.items()}
INF, NAN = math.inf, math.nan

cases: list[dict] = []


def encode(v):
    """JSON-safe form of one element."""
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        if v == 0 and math.copysign(1.0, v) < 0:
            return "-0.0"
    return v


def add(label, t, options=None, default="float32", grad=None):
    """Record ``repr(t)`` under ``options``; grad is None, "leaf" or an op name like "mul"."""
    options = options or {}
    torch.set_default_dtype(DTYPES[default])
    if grad is not None:
        t = t.detach().clone().requires_grad_(True)
        t = {
            "leaf": lambda x: x,
            "mul": lambda x: x * 1,
            "add": lambda x: x + 0,
            "neg": lambda x: -x,
            "exp": lambda x: x.exp(),
            "sum": lambda x: x.sum(),
            "view": lambda x: x.view(x.shape),
        }[grad](t)
    torch.set_printoptions(**options)
    try:
        expected = repr(t)
    finally:
        torch.set_printoptions(profile="default")
        torch.set_default_dtype(torch.float32)
    cases.append(
        {
            "id": f"{len(cases):03d}-{label}",
            "dtype": NAMES[t.dtype],
            "shape": list(t.shape),
            "values": [encode(v) for v in t.detach().flatten().tolist()],
            "requires_grad": t.requires_grad,
            "grad_fn": type(t.grad_fn).__name__ if t.grad_fn is not None else None,
            "options": options,
            "default_dtype": default,
            "expected": expected,
        }
    )


def T(values, dtype="float32"):
    return torch.tensor(values, dtype=DTYPES[dtype])


def normal(rng, shape, scale=1.0, dtype="float32"):
    """Seeded normal values, rounded to the target dtype before they are recorded."""
    return T(rng.standard_normal(shape) * scale, dtype)


def build() -> None:
    rng = np.random.default_rng(20240601)
    floats = ["float32", "float64", "float16"]
    ints = ["int64", "int32", "int16", "int8", "uint8"]

    # 0-d tensors.
    for v in [
        0.0,
        -0.0,
        1.0,
        3.0,
        140.59883,
        -2.5,
        0.1,
        1e8,
        1e10,
        1e-5,
        1e-10,
        123456.789,
        INF,
        -INF,
        NAN,
    ]:
        add(f"scalar-{v}", T(v))
    for name in floats[1:]:
        for v in [0.1, 3.0, -7.25, 1e-5, 60000.0, INF]:
            add(f"scalar-{name}-{v}", T(v, name))
    for name in ints:
        for v in [0, 5, -3 if name != "uint8" else 200]:
            add(f"scalar-{name}-{v}", T(v, name))
    for v in [True, False]:
        add(f"scalar-bool-{v}", T(v, "bool"))

    # Empty tensors of every dtype and several shapes.
    for name, dtype in DTYPES.items():
        add(f"empty-{name}", torch.zeros(0, dtype=dtype))
        add(f"empty2d-{name}", torch.zeros(2, 0, dtype=dtype))
    for shape in [(0, 3), (2, 0, 3), (0, 0), (1, 0), (3, 4, 0)]:
        add(f"empty-{shape}", torch.zeros(shape))
    add("empty-grad", torch.zeros(0), grad="leaf")
    add("empty2d-gradfn", torch.zeros(2, 0), grad="mul")
    add("empty-f64-default64", torch.zeros(0, dtype=torch.float64), default="float64")
    add("empty-f32-default64", torch.zeros(2, 0), default="float64")

    # Small 1-d tensors: formats, alignment, special values.
    for label, vals in {
        "ints": [34.0, 816.0],
        "mixed-sign": [-1.0, 2.0, -300.0],
        "frac": [1.5, -0.25, 3.125],
        "ratio1000": [1.0, 1000.0],
        "ratio1001": [1.0, 1001.0],
        "ratio-frac": [0.5, 500.0],
        "ratio-frac-sci": [0.5, 500.1],
        "big-int": [1e8, 1.0],
        "bigger-int": [1e10, 2.0],
        "tiny": [1e-5, 1.0],
        "tinier": [1e-10, -3.0],
        "min-1e-4": [0.0001, 0.5],
        "all-huge": [1e8 + 8, 3e9],
        "negzero": [-0.0, 1.0],
        "negzero-frac": [-0.0, 1.5],
        "zeros": [0.0, -0.0, 0.0],
        "inf-int": [1.0, INF],
        "neginf-int": [10.0, -INF],
        "nan-int": [100.0, 1.0, -INF, NAN],
        "inf-frac": [1.5, -INF, NAN],
        "inf-sci": [1e10, INF],
        "only-nonfinite": [INF, -INF, NAN],
        "zero-nan": [0.0, NAN],
        "sci-zero": [0.0, 1e-10],
        "rounding": [0.00005, 0.99995, 1.00005],
        "float32-0.1": [0.1, 0.2, 0.3],
        "alternating": [1.0, -1.0] * 5,
    }.items():
        add(f"1d-{label}", T(vals))
        if label in ("frac", "tiny", "negzero", "inf-frac", "rounding"):
            add(f"1d-{label}-f64", T(vals, "float64"))

    # Integer and bool tensors.
    add("int-neg", T([1, -2, 300]))
    add("int-wide", T([-9223372036854775808, 9223372036854775807, 0]))
    add("int-wrap", T(list(range(-20, 20)), "int32"))
    for name in ints:
        add(f"int-{name}", T([[1, 2, 3], [100, 0, 7]], name))
    add("int8-neg", T([-128, 127, -1], "int8"))
    add("uint8-255", T([0, 255, 17], "uint8"))
    add("bool-1d", T([True, False]))
    add("bool-all-true", T([True, True, True]))
    add("bool-2d", T([[True], [False]]))
    add("bool-long", T([True, False, True] * 12))

    # float16 values.
    add("f16-values", T([0.1, 65504.0, -2.5], "float16"))
    add("f16-tiny", T([6e-8, 1.0], "float16"))
    add("f16-2d", normal(rng, (3, 4), dtype="float16"))
    add("f16-inf", T([1.0, INF, -INF, NAN], "float16"))

    # 2-d to 4-d layouts.
    add("2d-ints", torch.arange(6.0).reshape(2, 3))
    add("2d-normal", normal(rng, (4, 5)))
    add("2d-neg", -torch.arange(12.0).reshape(3, 4) * 1.5)
    add("2d-col", T([[1.0], [-0.0]]))
    add("2d-col-1000", T([[1000.0], [-0.0]]))
    add("2d-mixed", T([[INF], [1.5]]))
    add("3d", torch.arange(24.0).reshape(2, 3, 4))
    add("3d-normal", normal(rng, (2, 2, 3)))
    add("3d-ints", torch.arange(-12, 12).reshape(3, 2, 4))
    add("4d", torch.arange(48.0).reshape(2, 2, 3, 4) / 7)
    add("4d-bool", torch.arange(16).reshape(2, 2, 2, 2) % 3 == 0)
    add("5d", torch.arange(32).reshape(2, 2, 2, 2, 2))
    add("3d-singletons", T([[[1.5]]]))
    add("3d-wide", normal(rng, (2, 2, 15), 100.0))

    # Summarised (numel > threshold) tensors.
    add("sum-1001", torch.arange(1001.0))
    add("sum-1001-int", torch.arange(1001))
    add("full-1000", torch.arange(1000.0))
    add("sum-40x40", torch.arange(1600.0).reshape(40, 40))
    add("sum-5x300", torch.arange(1500).reshape(5, 300))
    add("sum-3x3x400", torch.arange(3600).reshape(3, 3, 400))
    add("sum-10x10x36", torch.arange(3600).reshape(10, 10, 36))
    add("sum-normal-40x40", normal(rng, (40, 40)))
    add("sum-hidden-outlier", torch.cat([torch.ones(500), T([1e10]), torch.ones(501) * 2]))
    add("sum-bool", torch.ones(2000, dtype=torch.bool))
    add("sum-grad", normal(rng, (1200,)), grad="mul")

    # Wrapping at linewidth.
    add("wrap-30", normal(rng, (30,)))
    add("wrap-30-sci", normal(rng, (30,), 1e6))
    add("wrap-2d", normal(rng, (3, 20)))
    add("wrap-3d", normal(rng, (2, 2, 14), 10.0))
    add("wrap-ints", torch.arange(100000, 100040))

    # Random data of every float dtype and several magnitudes.
    for name in floats:
        for scale in [1e-6, 1e-3, 1.0, 1e3, 1e7, 1e9]:
            add(f"rand-{name}-{scale}", normal(rng, (2, 4), scale, name))
    for i in range(12):
        shape = tuple(int(n) for n in rng.integers(1, 6, size=int(rng.integers(1, 4))))
        add(f"rand-mixed-{i}", normal(rng, shape) * T(10.0) ** T(rng.integers(-6, 7, shape)))

    # Print options.
    vals = normal(rng, (3, 5), 10.0)
    big = torch.arange(100.0).reshape(10, 10)
    for opts in [
        {"precision": 2},
        {"precision": 6},
        {"precision": 10},
        {"precision": 0},
        {"sci_mode": True},
        {"sci_mode": False},
        {"linewidth": 40},
        {"linewidth": 120},
        {"linewidth": 10},
        {"profile": "short"},
        {"profile": "full"},
        {"profile": "default"},
        {"profile": "short", "precision": 6},
    ]:
        label = "-".join(f"{k}={v}" for k, v in opts.items())
        add(f"opt-{label}", vals, opts)
        add(f"opt-{label}-big", big, opts)
        add(f"opt-{label}-scalar", T(1234.56789), opts)
    for opts in [
        {"threshold": 5},
        {"threshold": 5, "edgeitems": 1},
        {"threshold": 5, "edgeitems": 2},
        {"threshold": 20, "edgeitems": 5},
        {"threshold": 0},
        {"edgeitems": 0},
        {"edgeitems": 0, "threshold": 5},
        {"profile": "full"},
        {"profile": "short"},
    ]:
        label = "-".join(f"{k}={v}" for k, v in opts.items())
        add(f"opt-{label}-1d", torch.arange(12.0), opts)
        add(f"opt-{label}-3d", torch.arange(60).reshape(3, 4, 5), opts)
        add(f"opt-{label}-scalar", T(3.0), opts)
    add("opt-full-1500", torch.arange(1500.0), {"profile": "full"})
    add("opt-sci-true-zeros", T([0.0, -0.0, NAN]), {"sci_mode": True})
    add("opt-sci-true-int", T([1.0, 2.0]), {"sci_mode": True})
    add("opt-sci-false-huge", T([1e10, 2.0]), {"sci_mode": False})
    add("opt-sci-false-tiny", T([1e-10, 2.5]), {"sci_mode": False})
    add("opt-sci-true-int64", T([1, 2]), {"sci_mode": True})
    add("opt-sci-true-lw40", normal(rng, (12,)), {"sci_mode": True, "linewidth": 40})
    add("opt-precision-2-f64", normal(rng, (4,), dtype="float64"), {"precision": 2})
    add("opt-precision-10-f16", normal(rng, (4,), dtype="float16"), {"precision": 10})

    # Autograd suffixes, with dtype suffix and long output.
    for grad in ["leaf", "mul", "add", "neg", "exp", "view"]:
        add(f"grad-{grad}", normal(rng, (3,)), grad=grad)
    add("grad-scalar-add", T(3.0), grad="add")
    add("grad-scalar-leaf", T(1.0), grad="leaf")
    add("grad-sum", normal(rng, (4,)), grad="sum")
    add("grad-f64", normal(rng, (3,), dtype="float64"), grad="mul")
    add("grad-f16", normal(rng, (3,), dtype="float16"), grad="leaf")
    add("grad-f64-long", torch.ones(30, dtype=torch.float64), grad="mul")
    add("grad-long", torch.ones(30), grad="leaf")
    add("grad-2d", torch.ones(3, 5), grad="leaf")
    for n in range(9, 15):
        add(f"grad-wrap-boundary-{n}", torch.ones(n), grad="leaf")
        add(f"gradfn-wrap-boundary-{n}", torch.ones(n), grad="mul")
    add("grad-f64-boundary", torch.ones(9, dtype=torch.float64), grad="mul")
    add("grad-edgeitems0", torch.ones(2000), {"edgeitems": 0}, grad="leaf")
    add("grad-lw40", normal(rng, (5,), dtype="float64"), {"linewidth": 40}, grad="exp")
    add("grad-lw200", normal(rng, (40,)), {"linewidth": 200}, grad="mul")
    add("int32-edgeitems0", torch.ones(2000, dtype=torch.int32), {"edgeitems": 0})

    # Default dtype float64.
    for name, dtype in DTYPES.items():
        add(f"default64-{name}", torch.ones(2, dtype=dtype), default="float64")
        add(f"default64-empty-{name}", torch.ones(0, dtype=dtype), default="float64")
    add("default64-scalar", T(0.1, "float64"), default="float64")
    add("default64-f32-scalar", T(0.1), default="float64")
    add("default64-grad-f32", normal(rng, (2,)), default="float64", grad="mul")
    add("default64-grad-f64", normal(rng, (2,), dtype="float64"), default="float64", grad="mul")

    # Hand-picked edge values of float16/float64 range.
    add("f64-extremes", T([1e100, 1e-300, 5e-324], "float64"))
    add("f64-max", T(1.7e308, "float64"))
    add("f32-denormal", T([1e-40]))
    add("f32-max", T([3e38]))
    add("f64-near-1e8", T([1e8 + 0.5], "float64"))
    add("f32-nonint-big", T(1234567.5))


def main() -> None:
    build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    # One case per line keeps the file diff-friendly without a line per value.
    lines = ",\n".join(json.dumps(case) for case in cases)
    OUT.write_text(f'{{"torch_version": "{torch.__version__}", "cases": [\n{lines}\n]}}\n')
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
