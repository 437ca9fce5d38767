"""Derivatives of every op up to order 4, the same way for torch and chainrule.

Shared by ``tools/gen_higher_golden.py`` (runs torch, writes the golden file) and
``tests/test_higher_order.py`` (runs chainrule, compares). For each op-spec sample, in
float64, the op's float outputs are weighted by fixed random arrays and summed; the
derivative of that sum with respect to every differentiable input is taken with
``autograd.grad(..., create_graph=True, allow_unused=True)``; the next order does the same
with the non-None derivatives of this one. Each order records, per input, None or the
derivative's shape, values, ``requires_grad`` and whether it has a ``grad_fn`` -- or the
error ``autograd.grad`` raised (type and message), after which the record stops.
"""

from __future__ import annotations

import warnings
import zlib

import numpy as np
from op_specs import SPECS
from test_ops import (
    _TRIGGERED,
    _builtin_name,
    _sample_dtypes,
    diff_arrays,
    float_outputs,
    forms_of,
    make_leaves,
    materialize,
    op_function,
    to_numpy,
)

ORDERS = 4


def error_record(exc) -> list:
    return [_builtin_name(type(exc)), _TRIGGERED.sub("", str(exc))]


def audited_cases():
    """(id, spec, sample) for every sample of a differentiable op that runs in float64 and
    gives values torch can be compared with (random ops and torch-skipped samples are out)."""
    for name, spec in SPECS.items():
        if spec.grad is not True or spec.compare != "values" or spec.check is not None:
            continue
        if "torch" in spec.skip:
            continue
        seen = set()
        for sample in spec.samples:
            case_id = f"{name}/{sample.label}"
            if case_id in seen:  # two samples with one label: the later ones get a number
                case_id += f"#{sum(s.label == sample.label for s in spec.samples[: spec.samples.index(sample)])}"
            seen.add(case_id)
            if "torch" in sample.skip or "float64" not in _sample_dtypes(spec, sample):
                continue
            yield case_id, spec, sample


def _weights(seed, tensors):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(tuple(t.shape)) for t in tensors]


def _weighted_sum(lib, tensors, seed):
    total = None
    for t, w in zip(tensors, _weights(seed, tensors)):
        term = (t * lib.tensor(w, dtype=t.dtype)).sum()
        total = term if total is None else total + term
    return total


def _describe(lib, g):
    if g is None:
        return None
    return {
        "shape": list(g.shape),
        "values": to_numpy(lib, g).reshape(-1).tolist(),
        "requires_grad": bool(g.requires_grad),
        "grad_fn": g.grad_fn is not None,
    }


def run_case(lib, case_id, spec, sample, orders=ORDERS) -> dict:
    """The record of one sample: {"forward_error": ...} or {"orders": [...]}."""
    tree = materialize(spec, sample, "float64")
    form = forms_of(spec, sample)[0]
    f = op_function(lib, spec, sample, tree, form)
    arrays = diff_arrays(tree)
    if not arrays:
        return {"no_inputs": True}
    seed = zlib.crc32(case_id.encode())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        leaves = make_leaves(lib, arrays)
        try:
            current = float_outputs(lib, f(*leaves))
        except Exception as exc:  # compared: both libraries must refuse the call
            return {"forward_error": error_record(exc)}
        if not current:
            return {"no_outputs": True}
        records = []
        for order in range(1, orders + 1):
            total = _weighted_sum(lib, current, seed + order)
            try:
                grads = lib.autograd.grad(total, leaves, create_graph=True, allow_unused=True)
            except Exception as exc:
                records.append({"error": error_record(exc)})
                break
            records.append({"grads": [_describe(lib, g) for g in grads]})
            current = [g for g in grads if g is not None]
            if not current:
                break
    return {"orders": records}


def _same_values(a, b, rtol, atol):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return False
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return False
    keep = ~np.isnan(a)
    a, b = a[keep], b[keep]
    infinite = np.isinf(a) | np.isinf(b)
    if not np.array_equal(a[infinite], b[infinite]):
        return False
    return bool(np.all(np.abs(a[~infinite] - b[~infinite]) <= atol + rtol * np.abs(b[~infinite])))


def first_grad_difference(got_grads, want_grads, differ) -> str | None:
    """Why the recorded gradients of the inputs differ: a tensor against None, the shape, or
    ``differ(got, want)`` on two inputs' records (None when every input agrees)."""
    for j, (g, w) in enumerate(zip(got_grads, want_grads)):
        if (g is None) != (w is None):
            return f"input {j}: {'None' if g is None else 'a tensor'}, torch " + (
                "None" if w is None else "a tensor"
            )
        if g is None:
            continue
        if g["shape"] != w["shape"]:
            return f"input {j}: shape {g['shape']}, torch {w['shape']}"
        why = differ(g, w)
        if why:
            return f"input {j}: {why}"
    return None


def compare_order(got, want, rtol=1e-6, atol=1e-8) -> str | None:
    """Why one order's records differ (None when they agree)."""
    if "error" in want or "error" in got:
        if got.get("error") != want.get("error"):
            return f"error {got.get('error')}, torch {want.get('error')}"
        return None

    def differ(g, w):
        if not _same_values(g["values"], w["values"], rtol, atol):
            return f"values {g['values'][:6]}, torch {w['values'][:6]}"
        for key in ("requires_grad", "grad_fn"):
            if g[key] != w[key]:
                return f"{key} {g[key]}, torch {w[key]}"
        return None

    return first_grad_difference(got["grads"], want["grads"], differ)


def compare_case(got, want) -> list:
    """One entry per order torch recorded: None (agrees) or the reason it does not."""
    if "orders" not in want or "orders" not in got:
        if {k: v for k, v in got.items()} == {k: v for k, v in want.items()}:
            return [None]
        return [f"record {got}, torch {want}"]
    reasons = []
    for k, w in enumerate(want["orders"]):
        if k >= len(got["orders"]):
            reasons.append("chainrule stopped earlier")
            continue
        reasons.append(compare_order(got["orders"][k], w))
    if len(got["orders"]) > len(want["orders"]):
        reasons.append("chainrule went further than torch")
    return reasons
