"""The array seam: which array namespace backs a device, and the dtype table.

Everything that computes on raw arrays gets its namespace from here (``xp``), so a
CuPy or Dask namespace can stand in later without touching the op table.
"""

from __future__ import annotations

import functools
import math
import os
import sys
import warnings

import numpy

xp = numpy  # the array namespace of the "cpu" device
ndarray = numpy.ndarray

# Kinds order the promotion categories: bool < integer < floating point.
BOOL, INT, FLOAT = 0, 1, 2


class dtype:
    """A tensor element type, printed as torch prints it (``torch.float32``)."""

    __slots__ = (
        "name",
        "np",
        "kind",
        "itemsize",
        "is_floating_point",
        "is_signed",
        "scalar_name",
        "c_name",
        "__weakref__",
    )

    def __init__(self, name: str, np_dtype, kind: int, scalar_name: str, c_name: str):
        self.name = name
        self.scalar_name = scalar_name  # torch's ScalarType name in messages: "Float", "Long"
        self.c_name = c_name  # the C type torch names in some messages: "float", "long int"
        self.np = numpy.dtype(np_dtype)
        self.kind = kind
        self.itemsize = self.np.itemsize
        self.is_floating_point = kind == FLOAT
        self.is_signed = kind == FLOAT or (kind == INT and self.np.kind == "i")

    @property
    def is_complex(self) -> bool:
        return False

    def to_real(self) -> dtype:
        return self

    def __repr__(self) -> str:
        return "torch." + self.name

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


float32 = dtype("float32", numpy.float32, FLOAT, "Float", "float")
float64 = dtype("float64", numpy.float64, FLOAT, "Double", "double")
float16 = dtype("float16", numpy.float16, FLOAT, "Half", "c10::Half")
int64 = dtype("int64", numpy.int64, INT, "Long", "long int")
int32 = dtype("int32", numpy.int32, INT, "Int", "int")
int16 = dtype("int16", numpy.int16, INT, "Short", "short int")
int8 = dtype("int8", numpy.int8, INT, "Char", "signed char")
uint8 = dtype("uint8", numpy.uint8, INT, "Byte", "unsigned char")
bool_ = dtype("bool", numpy.bool_, BOOL, "Bool", "bool")

ALL_DTYPES = (float32, float64, float16, int64, int32, int16, int8, uint8, bool_)
ALIASES = {
    "float": float32,
    "double": float64,
    "half": float16,
    "long": int64,
    "int": int32,
    "short": int16,
}
_BY_NAME = {d.name: d for d in ALL_DTYPES}
_BY_NUMPY = {d.np: d for d in ALL_DTYPES}


def _dtype_by_name(name: str) -> dtype:
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype) -> dtype:
    """The chainrule dtype of a NumPy dtype; TypeError for one torch has no match for."""
    found = _BY_NUMPY.get(np_dtype)
    if found is None:
        found = _BY_NUMPY.get(numpy.dtype(np_dtype))
        if found is None:
            raise TypeError(
                f"can't convert np.ndarray of type numpy.{numpy.dtype(np_dtype).name}. The only "
                "supported types are: float64, float32, float16, int64, int32, int16, int8, "
                "uint8, and bool."
            )
    return found


class _Defaults:
    """The default floating dtype (torch.get_default_dtype), float32 unless changed."""

    float_dtype = float32


defaults = _Defaults()


def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types: the smallest dtype both values fit, across kinds by kind."""
    return _PROMOTE[a, b]


def _build_promotion_table():
    table = {}
    for a in ALL_DTYPES:
        for b in ALL_DTYPES:
            if a.kind != b.kind:
                table[a, b] = a if a.kind > b.kind else b
            else:
                table[a, b] = _BY_NUMPY[numpy.promote_types(a.np, b.np)]
    return table


_PROMOTE = _build_promotion_table()


# the C++ type torch names when a Python number does not fit a tensor's dtype
_OVERFLOW_NAMES = {
    "uint8": "uint8_t",
    "int8": "int8_t",
    "int16": "int16_t",
    "int32": "int",
    "int64": "int64_t",
    "float16": "c10::Half",
    "float32": "float",
}


def fit_scalar(value, dtype, check_half: bool = True):
    """A Python number as torch writes it into a tensor of ``dtype`` (x[i] = v, masked_fill,
    scatter, clamp, where, ...), or torch's refusal when the dtype cannot hold it, raised
    before anything is written: the rule of full() / fill_() (``checked_fill_value``). Some
    of torch's paths do not check float16 (``check_half=False``: x[i] = v, where)."""
    if type(value) is not int and type(value) is not float:
        return value  # bool, NumPy scalars: no check
    return checked_fill_value(value, dtype, 2 if check_half else 1)


_FLOAT_MAX = {"float16": 65504.0, "float32": float(numpy.finfo(numpy.float32).max)}
_INF = float("inf")


def scalar_kind(value) -> int:
    """Promotion kind of a Python number (bool before int: bool is an int subclass)."""
    cls = type(value)
    if cls is float:
        return FLOAT
    if cls is int:
        return INT
    if cls is bool:
        return BOOL
    if isinstance(value, (bool, numpy.bool_)):
        return BOOL
    if isinstance(value, (int, numpy.integer)):
        return INT
    return FLOAT


def dtype_for_kind(kind: int) -> dtype:
    """The dtype a lone Python number of this kind becomes (torch.tensor(3.) is float32)."""
    if kind == FLOAT:
        return defaults.float_dtype
    return int64 if kind == INT else bool_


def result_type(dims_dtype, zero_dim_dtype, scalar_kind_) -> dtype:
    """torch's three-tier promotion.

    Tensors with dimensions decide; a 0-d tensor only wins when it is of a higher kind;
    a Python number only when its kind is higher still, and then as the default dtype
    of that kind (so ``float32 tensor * 2.5`` stays float32, ``int tensor * 2.5`` is float32).
    Each argument may be None when no operand of that tier is present.
    """
    result = dims_dtype
    if zero_dim_dtype is not None:
        if result is None:
            result = zero_dim_dtype
        elif zero_dim_dtype.kind > result.kind:
            result = zero_dim_dtype
    if scalar_kind_ is not None:
        if result is None:
            result = dtype_for_kind(scalar_kind_)
        elif scalar_kind_ > result.kind:
            result = dtype_for_kind(scalar_kind_)
    return result


def cast(data, np_dtype, copy=True):
    """``data.astype(np_dtype)`` without NumPy's overflow warnings: torch converts 1e6 to
    float16 inf (and out-of-range floats to integers) silently."""
    state = numpy.errstate(all="ignore")
    state.__enter__()
    try:
        return data.astype(np_dtype, copy=copy)
    finally:
        state.__exit__(None, None, None)


def opmath(data):
    """The array a kernel computes in: float16 data in float32, as torch's CPU kernels do
    (the caller rounds the result to float16 once); other data unchanged."""
    return data.astype(numpy.float32) if data.dtype == numpy.float16 else data


def accumulates_in(np_dtype):
    """The dtype a reduction accumulates in: float32 for float16 (torch's CPU sums of half
    do), the dtype itself otherwise."""
    return numpy.dtype(numpy.float32) if np_dtype == numpy.float16 else np_dtype


def is_array(value) -> bool:
    return isinstance(value, ndarray)


def _make_quiet():
    """``quiet_on()`` / ``quiet_off(token)``: NumPy's floating-point warnings off and back on.

    torch returns inf/nan silently; NumPy warns. ``numpy.errstate`` costs ~0.6 us per use,
    too much for every scalar op, so we set NumPy's error-state context variable directly
    when this NumPy has it, and fall back to errstate otherwise.
    """
    try:
        from numpy._core._multiarray_umath import _make_extobj
        from numpy._core._ufunc_config import _extobj_contextvar

        return functools.partial(_extobj_contextvar.set, _make_extobj(all="ignore")), (
            _extobj_contextvar.reset
        )
    except (ImportError, AttributeError, TypeError):

        def quiet_on():
            state = numpy.errstate(all="ignore")
            state.__enter__()
            return state

        def quiet_off(state):
            state.__exit__(None, None, None)

        return quiet_on, quiet_off


quiet_on, quiet_off = _make_quiet()

# Below this many elements writing a result into an existing array (out=array) costs NumPy
# more than allocating a new one (for 0-d arrays, twice as much); above it, in-place saves
# time and, for big arrays, the peak memory of a backward pass.
IN_PLACE_MIN = 1024


def write_into(ufunc, data, other) -> None:
    """``ufunc(data, other)`` stored in ``data`` itself, without floating-point warnings."""
    token = quiet_on()
    try:
        ufunc(data, other, out=data)
    finally:
        quiet_off(token)


def big_own_buffer(data) -> bool:
    """Is ``data`` worth writing in place and free to be: at least IN_PLACE_MIN elements,
    owning its memory (not a view) and writeable? Who else refers to it is the caller's
    question (see times_temporary)."""
    return data.size >= IN_PLACE_MIN and data.base is None and data.flags.writeable


# Ufuncs of this type take ``out=...`` to return a 0-d array (not a scalar) for 0-d inputs.
array_ufunc_type = numpy.ufunc


def quiet(fn):
    """``fn`` run without NumPy's floating-point warnings."""

    def run(*args):
        token = quiet_on()
        try:
            return fn(*args)
        finally:
            quiet_off(token)

    return run


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def warn(message: str, category=UserWarning) -> None:
    """``warnings.warn`` attributed to the user's line: the first frame outside chainrule.

    A fixed ``stacklevel`` is wrong as soon as the warning site is reached through another
    layer (the wrapper that accepts NumPy's ``axis``, a module calling a function, ...).
    """
    frame = sys._getframe(1)
    level = 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)


# --------------------------------------------------------------------------- checked numbers
# torch stores a Python number in a tensor only when the dtype can hold it. The limits and
# messages below were observed with torch 2.13 (tensor, full, fill_ and binary operators).

_INT64_MIN, _INT64_MAX, _UINT64_END = -(2**63), 2**63 - 1, 2**64
# the C type torch names when full() / fill_() refuse a value
_FILL_TYPE_NAMES = {
    "uint8": "uint8_t",
    "int8": "int8_t",
    "int16": "int16_t",
    "int32": "int",
    "int64": "int64_t",
    "float32": "float",
    "float16": "c10::Half",
}
_HALF_MAX = 65504.0


def _overflow(type_name: str) -> RuntimeError:
    return RuntimeError(f"value cannot be converted to type {type_name} without overflow")


def _int_limits(np_dtype):
    """The Python ints an integer dtype accepts: an unsigned type also takes negatives down
    to -max (they wrap, as two's complement would), as torch's checked conversion does."""
    info = numpy.iinfo(np_dtype)
    low = -int(info.max) if info.min == 0 else int(info.min)
    return low, int(info.max)


def check_python_int(value: int) -> None:
    """An int operand must fit 64 bits (signed or unsigned), or torch refuses it."""
    if value >= _UINT64_END:
        raise OverflowError("int too big to convert")
    if value < _INT64_MIN:
        raise OverflowError("can't convert negative int to unsigned")


def checked_fill_value(value, dtype_: dtype, numel: int):
    """``value`` as full() / fill_() store it in ``numel`` elements of ``dtype_``, or
    torch's error. (torch fills a one-element float16 tensor unchecked: 1e6 gives inf.)"""
    cls = type(value)
    if cls is bool or dtype_.kind == BOOL:
        if cls is int:
            check_python_int(value)
            return value != 0
        return value
    if cls is int or isinstance(value, numpy.integer):
        value = int(value)
        check_python_int(value)
        if dtype_.kind == FLOAT:
            return checked_fill_value(float(value), dtype_, numel)
        low, high = _int_limits(dtype_.np)
        if not low <= value <= high:
            raise _overflow(_FILL_TYPE_NAMES[dtype_.name])
        return value % (high + 1) if value < 0 and low == -high else value  # uint8 wraps
    if dtype_.kind == INT:
        _check_float_fits(value, dtype_, _FILL_TYPE_NAMES[dtype_.name])
    elif dtype_ is float32 and math.isfinite(value):
        if abs(value) > float(numpy.finfo(numpy.float32).max):
            raise _overflow("float")
    elif dtype_ is float16 and numel != 1 and math.isfinite(value) and abs(value) > _HALF_MAX:
        raise _overflow("c10::Half")
    return value


def check_exponent(value, dtype_) -> None:
    """pow(tensor, number): torch converts the exponent to the tensor's dtype, checked."""
    if type(value) is bool:
        return
    if type(value) is int:
        check_python_int(value)
        if dtype_.kind == INT:
            low, high = _int_limits(dtype_.np)
            if not low <= value <= high:
                raise _overflow(_FILL_TYPE_NAMES[dtype_.name])
    if dtype_ is float16 and math.isfinite(value) and abs(value) > _HALF_MAX:
        raise _overflow("c10::Half")


def _check_float_fits(value, dtype_, type_name):
    info = numpy.iinfo(dtype_.np)
    if not (info.min <= value <= info.max):  # nan and inf included
        raise _overflow(type_name)


def check_tensor_data(array, dtype_) -> None:
    """torch.tensor(data, dtype=dtype_): refuse numbers an integer dtype cannot hold.

    ``array`` is NumPy's reading of the data, None for a Python int beyond 64 bits (torch
    reads data as a double for a float or bool dtype, as a 64-bit int otherwise).
    """
    if array is None or array.dtype.kind in "uO":  # an int at or beyond 2**63
        if dtype_ is None or dtype_.kind == INT:
            raise ValueError("Overflow when unpacking long long")
        return
    if (
        dtype_ is None
        or dtype_.kind != INT
        or array.size == 0
        or dtype_ is int64
        and (array.dtype.kind in "ib")
    ):
        return
    if array.dtype.kind == "f":
        info = numpy.iinfo(dtype_.np)
        finite = numpy.isfinite(array).all()
        if not (finite and array.min() >= info.min and array.max() <= info.max):
            raise _overflow(dtype_.name)
    elif array.dtype.kind == "i":
        low, high = _int_limits(dtype_.np)
        if array.min() < low or array.max() > high:
            raise _overflow(dtype_.name)
