"""Running a program with one library and summarising what it did.

A program is Python source over the names ``torch`` and ``F`` (torch.nn.functional), its
input values (lists named ``VX``, ``VY``, ``V0``, ...) and ``R`` (record: ``R(obj)`` keeps a
summary of ``obj`` -- a tensor, number, tuple, None -- for the comparison). Its outcome is
``("raised", line, type, message)``, ``("ok", result)`` or ``("raised in backward", type,
message, result)``; ``result`` holds the summary of the final ``z`` (value, dtype, shape,
repr, grad_fn, version), the records, the warnings, and first and second derivatives of
``z.sum()`` with respect to the leaves ``x`` and ``y``.
"""

import re
import warnings

import numpy as np

MESSAGE_CHARS = 300
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
# torch's own build paths and C++ stack frames after a message: not part of its text
_TORCH_INTERNALS = re.compile(
    r" \(Triggered internally at [^)]*\)|\nException raised from .*", re.DOTALL
)


def message(error):
    """An exception's (or warning's) text with memory addresses normalised and torch's
    build-path and C++ stack-frame suffixes cut off (nothing else is normalised)."""
    return _ADDRESS.sub("0x...", _TORCH_INTERNALS.sub("", str(error)))[:MESSAGE_CHARS]


def run(lib, lines, values):
    """The outcome of ``lines`` run with ``lib`` (torch or chainrule) as ``torch``."""
    records = []
    scope = {"torch": lib, "F": lib.nn.functional, "R": _recorder(lib, records), **values}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i, line in enumerate(lines):
            try:
                exec(line, scope)
            except Exception as error:
                return ("raised", i, type(error).__name__, message(error))
        outcome = finish(scope, records)
    outcome[-1]["warnings"] = sorted(
        {f"{w.category.__name__}: {message(w.message)}" for w in caught}
    )
    return outcome


def _recorder(lib, records):
    def record(obj, version=True):
        seen = summary(lib, obj)
        if not version and isinstance(seen, dict):  # see ALLOWED_DIFFERENCES
            seen["version"] = None
        records.append(seen)

    return record


def summary(lib, obj):
    """A library-neutral picture of a value: tensors by value, dtype, repr, grad_fn, ..."""
    if isinstance(obj, lib.Tensor):
        return {
            "value": np.array(obj.detach().tolist(), dtype=np.float64),
            "dtype": str(obj.dtype),
            "shape": tuple(obj.shape),
            "repr": repr(obj),
            "grad_fn": _name(obj),
            "version": obj._version,
            "requires_grad": obj.requires_grad,
            "is_leaf": obj.is_leaf,
        }
    if isinstance(obj, (tuple, list)):
        return tuple(summary(lib, item) for item in obj)
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    return f"<{type(obj).__name__}>"


def _array(g):
    if g is None:
        return None
    try:
        return np.array(g.tolist())
    except RuntimeError:  # torch's efficient zeros (ZeroTensor) have no storage to read
        return np.zeros(tuple(g.shape))


def _name(t):
    fn = t.grad_fn
    return None if fn is None else type(fn).__name__


def _leaves(lib, scope):
    leaves = [scope.get("x"), scope.get("y")]
    return [
        t if isinstance(t, lib.Tensor) and t.requires_grad and t.is_leaf else None for t in leaves
    ]


def finish(scope, records):
    """Summaries of z and the records, then first and second derivatives of z."""
    lib = scope["torch"]
    result = {"records": tuple(records)}
    z = scope.get("z")
    if not isinstance(z, lib.Tensor):
        return ("ok", result)
    result.update(summary(lib, z))
    leaves = _leaves(lib, scope)
    wrt = tuple(t for t in leaves if t is not None)
    if not z.requires_grad or not wrt or not z.is_floating_point():
        return ("ok", result)
    try:
        out = z.sum() if z.dim() else z
        grads = iter(lib.autograd.grad(out, wrt, create_graph=True, allow_unused=True))
        grads = [None if t is None else next(grads) for t in leaves]
        result["grads"] = [_array(g) for g in grads]
        result["grad reprs"] = [None if g is None else repr(g.detach()) for g in grads]
        terms = [(g * g).sum() for g in grads if g is not None and g.requires_grad]
        if terms:
            total = terms[0] if len(terms) == 1 else terms[0] + terms[1]
            second = iter(lib.autograd.grad(total, wrt, allow_unused=True))
            result["second"] = [None if t is None else _array(next(second)) for t in leaves]
    except Exception as error:
        return ("raised in backward", type(error).__name__, message(error), result)
    return ("ok", result)
