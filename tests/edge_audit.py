"""First derivatives of every op at special inputs, the same way for torch and chainrule.

Shared by ``tools/gen_edge_golden.py`` (runs torch, writes the golden file) and
``tests/test_edge_gradients.py`` (runs chainrule, compares). Each op-spec sample of a
differentiable op is run in float64 with its differentiable inputs filled from one of the
patterns below instead of drawn values: signed zeros, infinities, nan, ties and the kinks of
relu / abs / clamp / hardtanh / relu6 / hardswish. With several inputs, the patterns are
crossed (input j steps through the pattern n**j times slower), so pairs such as
``atan2(0, 0)`` and ``atan2(-0., 0)`` occur. The derivative of a fixed random weighting of
the float outputs is taken with ``autograd.grad(..., allow_unused=True)``; the record keeps,
per input, None or the values (nan, infinities and the sign of zero included), or the error.
A few hand-written cases (every nll_loss target ignored, ...) sit next to the table's.
"""

from __future__ import annotations

import math
import warnings
import zlib

import numpy as np
from higher_audit import audited_cases, error_record, first_grad_difference
from test_ops import diff_arrays, float_outputs, forms_of, materialize, op_function, to_numpy

INF, NAN = math.inf, math.nan
PATTERNS = {
    "zeros": (0.0, -0.0),
    "infinities": (INF, -INF, 1.0, -2.0),
    "nan": (NAN, 1.0, -0.5),
    "ties": (1.0, 1.0, -1.0, -1.0, 0.0, 0.0),
    "kinks": (0.0, 1.0, -1.0, 6.0, 3.0, -3.0, 0.5),
}


def _filled(shape, pattern, j):
    n = len(pattern)
    size = int(np.prod(shape))
    period = n**j
    values = [pattern[(k // period) % n] for k in range(size)]
    return np.asarray(values, dtype=np.float64).reshape(shape)


def _weights(seed, tensors):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(tuple(t.shape)) for t in tensors]


def _describe(lib, g):
    if g is None:
        return None
    return {"shape": list(g.shape), "values": to_numpy(lib, g).reshape(-1).tolist()}


def _gradient_record(lib, f, arrays, seed) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        leaves = [lib.tensor(a).requires_grad_() for a in arrays]
        try:
            outs = [o for o in float_outputs(lib, f(*leaves)) if o.requires_grad]
        except Exception as exc:  # compared: both libraries must refuse the call
            return {"forward_error": error_record(exc)}
        if not outs:
            return {"no_graph": True}
        total = None
        for out, w in zip(outs, _weights(seed, outs)):
            term = (out * lib.tensor(w, dtype=out.dtype)).sum()
            total = term if total is None else total + term
        try:
            grads = lib.autograd.grad(total, leaves, allow_unused=True)
        except Exception as exc:
            return {"error": error_record(exc)}
    return {"grads": [_describe(lib, g) for g in grads]}


# --------------------------------------------------------------------------- hand-written


def _nll_all_ignored(lib, reduction):
    def f(x):
        target = lib.tensor([-100, -100, -100])
        return lib.nn.functional.nll_loss(x.log_softmax(-1), target, reduction=reduction)

    return f


def _cross_entropy_all_ignored(lib, reduction):
    def f(x):
        target = lib.tensor([1, 1])
        return lib.nn.functional.cross_entropy(x, target, ignore_index=1, reduction=reduction)

    return f


def _atan2_zeros(lib):
    return lambda y, x: lib.atan2(y, x)


EXTRA = {
    "nll_loss all ignored/mean": (lambda lib: _nll_all_ignored(lib, "mean"), [(3, 4)]),
    "nll_loss all ignored/sum": (lambda lib: _nll_all_ignored(lib, "sum"), [(3, 4)]),
    "cross_entropy all ignored/mean": (
        lambda lib: _cross_entropy_all_ignored(lib, "mean"),
        [(2, 3)],
    ),
    "cross_entropy all ignored/none": (
        lambda lib: _cross_entropy_all_ignored(lib, "none"),
        [(2, 3)],
    ),
}
# these run with plain random inputs, not the patterns (the special part is the targets)
PLAIN = {"nll_loss all ignored", "cross_entropy all ignored"}


def cases():
    """(case_id, runner) where ``runner(lib) -> record``, for every sample and pattern."""
    for case_id, spec, sample in audited_cases():
        tree = materialize(spec, sample, "float64")
        arrays = diff_arrays(tree)
        if not arrays:
            continue
        for name, pattern in PATTERNS.items():
            filled = [_filled(a.shape, pattern, j) for j, a in enumerate(arrays)]
            yield f"{case_id}/{name}", _table_runner(spec, sample, tree, filled, case_id)
    for case_id, (make_f, shapes) in EXTRA.items():
        rng = np.random.default_rng(zlib.crc32(case_id.encode()))
        arrays = [rng.standard_normal(s) for s in shapes]
        yield case_id, _extra_runner(make_f, arrays, case_id)


def _table_runner(spec, sample, tree, filled, case_id):
    def run(lib):
        f = op_function(lib, spec, sample, tree, forms_of(spec, sample)[0])
        return _gradient_record(lib, f, filled, zlib.crc32(case_id.encode()))

    return run


def _extra_runner(make_f, arrays, case_id):
    def run(lib):
        return _gradient_record(lib, make_f(lib), arrays, zlib.crc32(case_id.encode()))

    return run


# --------------------------------------------------------------------------- comparing


def same_values(got, want, rtol=1e-7, atol=1e-10) -> str | None:
    """Why two lists of values differ: nan positions, infinities, sign of zero, values."""
    a, b = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if a.shape != b.shape:
        return f"{a.size} values, torch {b.size}"
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return "nan in other places"
    keep = ~np.isnan(a)
    a, b = a[keep], b[keep]
    zero = (a == 0) & (b == 0)
    if not np.array_equal(np.signbit(a[zero]), np.signbit(b[zero])):
        return "the sign of a zero differs"
    infinite = np.isinf(a) | np.isinf(b)
    if not np.array_equal(a[infinite], b[infinite]):
        return "infinities differ"
    close = np.abs(a[~infinite] - b[~infinite]) <= atol + rtol * np.abs(b[~infinite])
    return None if close.all() else "values differ"


def compare(got, want) -> str | None:
    """Why chainrule's record differs from torch's (None when they agree)."""
    if "grads" not in want or "grads" not in got:
        return None if got == want else f"{got}, torch {want}"

    def differ(g, w):
        why = same_values(g["values"], w["values"])
        return why and f"{why}: {g['values'][:8]}, torch {w['values'][:8]}"

    return first_grad_difference(got["grads"], want["grads"], differ)
