"""The dtype grid: result dtype, bits and errors of every binary op on every dtype pair.

``grid(lib)`` runs each case with ``lib`` (chainrule or torch) and returns ``{key: outcome}``.
An outcome is ``"<dtype> <shape> <digest of the bits>"`` for a tensor, or
``"<ExceptionType>: <message>"``. NaNs are made one NaN before hashing (torch and NumPy may
set different payload bits; printing and comparisons cannot tell them apart).

tools/gen_dtype_golden.py stores torch's outcomes in tests/golden/dtype_grid.json;
tests/test_dtype_grid.py compares chainrule with them (and with torch when installed).
"""

from __future__ import annotations

import hashlib
import operator
import warnings

import numpy as np

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]

# Python numbers on either side of a tensor: bool, small and large ints, floats, an int past
# int32 and one past int64 (read as uint64 by torch).
SCALARS = {
    "True": True,
    "3": 3,
    "-2": -2,
    "2.5": 2.5,
    "-0.5": -0.5,
    "2**40": 2**40,
    "2**63+5": 2**63 + 5,
}

_INT_A, _INT_B = [-3, 0, 5, 100, 7], [2, -4, 3, 7, 1]
_FLOAT_A, _FLOAT_B = [-3.5, 0.0, 5.25, 100.0, 7.0], [2.0, -4.0, 0.5, 0.0, -0.0]
_BOOL_A, _BOOL_B = [True, False, True, True, False], [True, True, False, True, True]


def _values(lib, name, side, zero_dim):
    """One operand: a 5-vector or a 0-d tensor of dtype ``name``, made with wrapping casts
    (uint8 holds -3 as 253) so that every dtype sees the same pattern."""
    dtype = getattr(lib, name)
    if name == "bool":
        values = _BOOL_A if side == "a" else _BOOL_B
        return lib.tensor(values[2 if zero_dim else slice(None)])
    floating = name.startswith("float")
    if floating:
        values = _FLOAT_A if side == "a" else _FLOAT_B
        values = (6.5 if side == "a" else -2.5) if zero_dim else values
        return lib.tensor(values, dtype=lib.float64).to(dtype)
    values = _INT_A if side == "a" else _INT_B
    values = (6 if side == "a" else -3) if zero_dim else values
    return lib.tensor(values, dtype=lib.int64).to(dtype)


def _binary_ops(lib):
    """name -> (function of two operands, accepts Python numbers)."""
    return {
        "+": (operator.add, True),
        "-": (operator.sub, True),
        "*": (operator.mul, True),
        "/": (operator.truediv, True),
        "//": (operator.floordiv, True),
        "%": (operator.mod, True),
        "**": (operator.pow, True),
        "&": (operator.and_, True),
        "|": (operator.or_, True),
        "^": (operator.xor, True),
        "<<": (operator.lshift, True),
        ">>": (operator.rshift, True),
        "==": (operator.eq, True),
        "!=": (operator.ne, True),
        "<": (operator.lt, True),
        "<=": (operator.le, True),
        ">": (operator.gt, True),
        ">=": (operator.ge, True),
        "add_alpha2": (lambda a, b: lib.add(a, b, alpha=2), "right"),
        "sub_alpha2": (lambda a, b: lib.sub(a, b, alpha=2), "right"),
        "add_alpha2.5": (lambda a, b: lib.add(a, b, alpha=2.5), "right"),
        "mul": (lib.mul, "right"),
        "div": (lib.div, "right"),
        "div_trunc": (lambda a, b: lib.div(a, b, rounding_mode="trunc"), "right"),
        "div_floor": (lambda a, b: lib.div(a, b, rounding_mode="floor"), "right"),
        "true_divide": (lib.true_divide, "right"),
        "floor_divide": (lib.floor_divide, "right"),
        "remainder": (lib.remainder, True),
        "fmod": (lib.fmod, "right"),
        "pow": (lib.pow, True),
        "maximum": (lib.maximum, False),
        "minimum": (lib.minimum, False),
        "fmax": (lib.fmax, False),
        "fmin": (lib.fmin, False),
    }


def _inplace(op):
    def run(a, b):
        a = a.clone()
        result = op(a, b)
        return a if result is None else result

    return run


def _inplace_ops():
    return {
        "+=": operator.iadd,
        "-=": operator.isub,
        "*=": operator.imul,
        "/=": operator.itruediv,
        "//=": operator.ifloordiv,
        "%=": operator.imod,
        "**=": operator.ipow,
        "&=": operator.iand,
        "|=": operator.ior,
        "^=": operator.ixor,
        "<<=": operator.ilshift,
        ">>=": operator.irshift,
        "add_(alpha=2)": lambda a, b: a.add_(b, alpha=2),
        "mul_": lambda a, b: a.mul_(b),
        "div_(floor)": lambda a, b: a.div_(b, rounding_mode="floor"),
    }


def cases(lib):
    """[(key, thunk)]: every case of the grid, in a fixed order."""
    out = []
    forms = {"t": False, "z": True}
    for op_name, (op, scalars) in _binary_ops(lib).items():
        for a_name in DTYPES:
            for b_name in DTYPES:
                for fa, za in forms.items():
                    for fb, zb in forms.items():
                        out.append(
                            (
                                f"{op_name}|{fa}:{a_name}|{fb}:{b_name}",
                                _pair(op, lib, a_name, za, b_name, zb),
                            )
                        )
        if not scalars:
            continue
        for name in DTYPES:
            for form, zero in forms.items():
                for s_name, number in SCALARS.items():
                    tensor = _operand(lib, name, "a", zero)
                    out.append((f"{op_name}|{form}:{name}|py:{s_name}", _call(op, tensor, number)))
                    if scalars is True:  # reflected: number op tensor
                        tensor = _operand(lib, name, "b", zero)
                        out.append(
                            (f"{op_name}|py:{s_name}|{form}:{name}", _call(op, number, tensor))
                        )
    for op_name, op in _inplace_ops().items():
        run = _inplace(op)
        for a_name in DTYPES:
            for b_name in DTYPES:
                for fa, za in forms.items():
                    for fb, zb in forms.items():
                        out.append(
                            (
                                f"{op_name}|{fa}:{a_name}|{fb}:{b_name}",
                                _pair(run, lib, a_name, za, b_name, zb),
                            )
                        )
            for form, zero in forms.items():
                for s_name, number in SCALARS.items():
                    tensor = _operand(lib, a_name, "a", zero)
                    out.append(
                        (f"{op_name}|{form}:{a_name}|py:{s_name}", _call(run, tensor, number))
                    )
    for name in DTYPES:
        for form, zero in forms.items():
            tensor = _operand(lib, name, "a", zero)
            out.append((f"~|{form}:{name}", _call(operator.invert, tensor)))
            out.append((f"neg|{form}:{name}", _call(operator.neg, tensor)))
    return out + creation_cases(lib)


# Python numbers stored into a tensor: at and past each dtype's limits, past 64 bits,
# fractional, infinite and NaN.
STORED = [-256, -255, -129, -128, 127, 128, 255, 256, 2**15, 2**31, 2**32, 2**63 - 1, -(2**63)]
STORED += [2**63, 2**64, -(2**63) - 1, -(2**64), 255.5, -1.5, -0.5, 1e6, 1e40]
STORED += [float("inf"), float("-inf"), float("nan"), 2.5, True]


def creation_cases(lib):
    """torch.tensor / full / fill_ / new_full / full_like / operators with a stored number."""
    forms = {
        "tensor[]": lambda d, v: lib.tensor([1, v], dtype=d),
        "tensor": lambda d, v: lib.tensor(v, dtype=d),
        "full": lambda d, v: lib.full((2,), v, dtype=d),
        "fill_": lambda d, v: lib.zeros(2, dtype=d or lib.float32).fill_(v),
        "new_full": lambda d, v: lib.zeros(1, dtype=d or lib.float32).new_full((2,), v),
        "full_like": lambda d, v: lib.full_like(lib.zeros(2, dtype=d or lib.float32), v),
        "t+v": lambda d, v: lib.zeros(2, dtype=d or lib.float32) + v,
        "v*t": lambda d, v: v * lib.ones(2, dtype=d or lib.float32),
    }
    out = []
    for name in [None, *DTYPES]:
        for value in STORED:
            for form, make in forms.items():
                dtype = None if name is None else getattr(lib, name)
                out.append((f"{form}|{name}|{value!r}", _call(make, dtype, value)))
    return out


def _operand(lib, name, side, zero):
    return lambda: _values(lib, name, side, zero)


def _pair(op, lib, a_name, za, b_name, zb):
    return lambda: op(_values(lib, a_name, "a", za), _values(lib, b_name, "b", zb))


def _call(op, *operands):
    return lambda: op(*(x() if callable(x) else x for x in operands))


def outcome(thunk) -> str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = thunk()
    except Exception as exc:  # noqa: BLE001 (every error is part of the behaviour)
        return f"{type(exc).__name__}: {exc}"
    if not hasattr(result, "dtype"):
        return f"returned {type(result).__name__}"
    return describe(result)


def describe(result) -> str:
    """``"<dtype> <shape> <digest>"`` of a tensor's bits (one NaN for all NaNs)."""
    array = np.ascontiguousarray(result.detach().clone().numpy())
    if array.dtype.kind == "f":
        array = array.copy()
        array[np.isnan(array)] = np.nan
    digest = hashlib.sha1(array.tobytes()).hexdigest()[:10]
    dtype = repr(result.dtype).replace("torch.", "")
    return f"{dtype} {list(array.shape)} {digest}"


def grid(lib) -> dict:
    return {key: outcome(thunk) for key, thunk in cases(lib)}


def keys_digest(keys) -> str:
    return hashlib.sha1("\n".join(keys).encode()).hexdigest()


def pack(outcomes: dict) -> dict:
    """The compact form: each distinct outcome stored once, then one index per case."""
    distinct: list[str] = []
    index: dict[str, int] = {}
    packed = []
    for outcome in outcomes.values():
        if outcome not in index:
            index[outcome] = len(distinct)
            distinct.append(outcome)
        packed.append(index[outcome])
    return {"keys": keys_digest(outcomes), "distinct": distinct, "outcomes": packed}


def unpack(golden: dict, keys) -> dict:
    """``{key: outcome}`` from the compact form (keys from dtype_cases.cases)."""
    if keys_digest(keys) != golden["keys"]:
        raise ValueError("the case list changed: rerun tools/gen_dtype_golden.py")
    distinct = golden["distinct"]
    return {key: distinct[i] for key, i in zip(keys, golden["outcomes"])}
