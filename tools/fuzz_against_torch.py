"""A differential fuzzer: random programs (elementwise, reductions, binary ops, shapes,
indexing) run with torch and with chainrule; values, gradients, dtypes, shapes and
exception types are compared.

    python tools/fuzz_against_torch.py [N]      # N programs (default 500), needs torch

Known differences (about 1 in 300 programs): gradients in programs whose values go nan
(e.g. std of one element feeding into a mask, prod backward through nan).
"""

import os
import random
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
import torch  # noqa: E402

import chainrule  # noqa: E402

warnings.simplefilter("ignore")
UN_MORE = [
    "erf",
    "erfc",
    "lgamma",
    "digamma",
    "sinc",
    "deg2rad",
    "logit",
    "nan_to_num",
    "cumprod0",
    "cummax0",
    "logcumsumexp0",
    "diff",
    "nansum",
    "nanmean",
    "trace",
    "diag",
    "triu",
    "msort",
    "argsort",
    "unique",
]
UN = [
    "exp",
    "sin",
    "cos",
    "tanh",
    "sigmoid",
    "relu",
    "abs",
    "neg",
    "sqrt",
    "log",
    "square",
    "reciprocal",
    "floor",
    "sign",
    "exp2",
    "log1p",
    "expm1",
    "atan",
    "sinh",
    "erf",
    "t",
    "flatten",
    "clone",
    "contiguous",
]
RED = [
    "sum",
    "mean",
    "prod",
    "amax",
    "amin",
    "logsumexp",
    "std",
    "var",
    "norm",
    "softmax",
    "log_softmax",
    "cumsum",
    "argmax",
    "max",
    "min",
    "median",
    "all",
    "any",
]
BIN = [
    "add",
    "sub",
    "mul",
    "div",
    "maximum",
    "minimum",
    "atan2",
    "pow",
    "remainder",
    "fmod",
    "hypot",
    "eq",
    "lt",
    "ge",
    "matmul",
]
SHP = [
    "reshape",
    "unsqueeze",
    "squeeze",
    "transpose",
    "permute",
    "expand",
    "repeat",
    "flip",
    "index",
    "slice",
    "cat",
    "stack",
    "where",
    "clamp",
    "gather",
    "masked_fill",
    "sort",
    "topk",
    "roll",
    "tril",
    "diagonal",
]


def gen_shape(rng):
    nd = rng.choice([0, 1, 1, 2, 2, 3])
    return tuple(rng.choice([1, 2, 3]) for _ in range(nd))


def program(rng, lib, vals):
    x = lib.tensor(vals[0], requires_grad=True)
    y = lib.tensor(vals[1], requires_grad=True)
    z = x
    ops = []
    for _ in range(rng.randint(1, 5)):
        kind = rng.choice(["u", "r", "b", "s", "m"])
        if kind == "u":
            n = rng.choice(UN)
            ops.append(n)
            z = getattr(z, n)()
        elif kind == "m":
            n = rng.choice(UN_MORE)
            ops.append(n)
            if n.endswith("0"):
                r = getattr(z, n[:-1])(0)
                z = r[0] if isinstance(r, tuple) else r
            elif n in ("trace", "diag", "triu") and z.dim() != 2:
                z = z.reshape(-1, 1) if n != "diag" else z.reshape(-1)
                z = getattr(z, n)()
            elif n in ("msort", "argsort"):
                z = z.sort(0)[0] if n == "msort" else z * z.argsort(-1).float()
            elif n == "unique":
                z = z.sum() + z.detach().unique().sum()
            else:
                z = getattr(lib, n)(z)
        elif kind == "r":
            n = rng.choice(RED)
            d = rng.choice([None, 0, -1, 1])
            ops.append((n, d))
            if n in ("softmax", "log_softmax", "cumsum"):
                z = getattr(z, n)(d if d is not None else 0)
            elif n in ("max", "min", "median") and d is not None:
                z = getattr(z, n)(d)[0]
            elif n == "argmax":
                z = z.argmax().float() * z.sum()
            elif n in ("all", "any"):
                z = getattr(z, n)().float() + z.sum()
            else:
                z = getattr(z, n)() if d is None else getattr(z, n)(d)
        elif kind == "b":
            n = rng.choice(BIN)
            ops.append(n)
            other = y if rng.random() < 0.7 else 1.5
            if n == "matmul" and not isinstance(other, float):
                z = z @ other
            elif n in ("maximum", "minimum", "atan2", "hypot", "matmul") and isinstance(
                other, float
            ):
                z = getattr(lib, n)(z, lib.tensor(other))
            else:
                r = getattr(lib, n)(z, other)
                z = r.float() * 1.0 if r.dtype == lib.bool else r
        else:
            n = rng.choice(SHP)
            ops.append(n)
            nd = z.dim()
            if n == "reshape":
                z = z.reshape(-1)
            elif n == "unsqueeze":
                z = z.unsqueeze(rng.randint(-nd - 1, nd))
            elif n == "squeeze":
                z = z.squeeze()
            elif n == "transpose":
                z = z.transpose(0, -1)
            elif n == "permute":
                z = z.permute(*reversed(range(nd)))
            elif n == "expand":
                z = z.expand(2, *z.shape)
            elif n == "repeat":
                z = z.repeat(*([2] + [1] * nd))
            elif n == "flip":
                z = z.flip(0)
            elif n == "index":
                z = z[0]
            elif n == "slice":
                z = z[1:]
            elif n == "cat":
                z = lib.cat([z, z * 2], 0)
            elif n == "stack":
                z = lib.stack([z, y], 0)
            elif n == "where":
                z = lib.where(z > 0, z, y)
            elif n == "clamp":
                z = z.clamp(-0.5, 0.5)
            elif n == "gather":
                z = z.gather(0, lib.zeros_like(z, dtype=lib.int64))
            elif n == "masked_fill":
                z = z.masked_fill(z > 0.3, 0.0)
            elif n == "sort":
                z = z.sort(-1)[0]
            elif n == "topk":
                z = z.topk(1)[0]
            elif n == "roll":
                z = z.roll(1, 0)
            elif n == "tril":
                z = z.tril()
            elif n == "diagonal":
                z = z.diagonal()
    out = z.sum() if z.dim() else z
    out.backward()
    return ops, z, x.grad, y.grad


def outcome(lib, seed, vals):
    rng = random.Random(seed)
    try:
        ops, z, gx, gy = program(rng, lib, vals)
        return (
            "ok",
            ops,
            np.asarray(z.detach()).copy(),
            None if gx is None else gx.numpy().copy(),
            None if gy is None else gy.numpy().copy(),
            str(z.dtype),
            tuple(z.shape),
        )
    except Exception as e:
        return ("err", type(e).__name__, str(e).split("\n")[0][:150])


def check(seed: int):
    """None when torch and chainrule agree on program ``seed``, else what differs."""
    rng = np.random.default_rng(seed)
    sx = gen_shape(random.Random(seed * 7))
    sy = gen_shape(random.Random(seed * 13))
    vals = [
        rng.uniform(-1, 1, sx).astype(np.float32).tolist(),
        rng.uniform(-1, 1, sy).astype(np.float32).tolist(),
    ]
    a = outcome(torch, seed, vals)
    b = outcome(chainrule, seed, vals)
    if a[0] != b[0]:
        theirs = a[1:] if a[0] == "err" else ""
        ours = b[1:] if b[0] == "err" else "ok"
        return f"torch {a[0]} {theirs} vs chainrule {ours}"
    if a[0] == "err":
        return None if a[1] == b[1] else f"error types {a[1]}: {a[2]} vs {b[1]}: {b[2]}"
    if a[5] != b[5] or a[6] != b[6]:
        return f"dtype/shape {a[5]}{a[6]} vs {b[5]}{b[6]}"
    for u, v, what in ((a[2], b[2], "value"), (a[3], b[3], "grad x"), (a[4], b[4], "grad y")):
        if (u is None) != (v is None):
            return f"{what} None mismatch"
        if u is not None and not np.allclose(u, v, rtol=1e-3, atol=1e-4, equal_nan=True):
            return f"{what} differs ({a[1]})"
    return None


def main(argv):
    count = int(argv[1]) if len(argv) > 1 else 500
    problems = [(seed, check(seed)) for seed in range(count)]
    problems = [(seed, p) for seed, p in problems if p]
    for seed, problem in problems[:25]:
        print(seed, problem)
    print("programs", count, "problems", len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
