"""Creating tensors: tensor, as_tensor, from_numpy, zeros, ones, full, arange, rand, ...

Random numbers come from one NumPy generator seeded by ``manual_seed``; the streams are
reproducible within chainrule but are not the same numbers torch draws.
"""

from __future__ import annotations

import math

from .. import _backend
from .._backend import FLOAT, defaults, from_numpy_dtype, xp
from .._registry import export
from .._tensor import Tensor, check_device, make, wrap_dim  # noqa: F401

__all__ = []

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _export(name, func, method=False):
    __all__.append(name)
    return export(name, func, method=method, differentiable=False)


COPY_WARNING = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
    "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor)."
)


def _finish(data, dtype, requires_grad, device=None):
    if device is not None:
        check_device(device)
    if requires_grad and dtype.kind != FLOAT:
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    return make(data, dtype, bool(requires_grad))


def _infer(data, target=None):
    """A NumPy array from Python data, with torch's dtype inference (floats -> default dtype).

    With ``target``, Python numbers are converted straight to that dtype (never through the
    default dtype first: tensor(0.1, dtype=float64) is the double nearest 0.1).
    """
    cls = type(data)
    if cls is float:
        dtype = defaults.float_dtype
        if target is not None and target.kind == _backend.INT:
            _backend.check_tensor_data(xp.array(data), target)
        return xp.array(data, (target or dtype).np), dtype
    if cls is int:
        if not _INT64_MIN <= data <= _INT64_MAX:  # torch reads ints as 64-bit
            _backend.check_tensor_data(None, target)  # refused unless read as float or bool
            return xp.array(float(data) if target.kind == FLOAT else True, target.np), target
        array = xp.array(data, xp.int64)
        if target is not None:
            _backend.check_tensor_data(array, target)
        return array, _backend.int64
    if cls is bool:
        return xp.array(data, xp.bool_), _backend.bool_
    if isinstance(data, xp.ndarray):
        return data, from_numpy_dtype(data.dtype)
    if isinstance(data, xp.generic):
        array = xp.asarray(data)
        return array, from_numpy_dtype(array.dtype)
    if isinstance(data, str):
        raise TypeError("new(): invalid data type 'str'")
    if isinstance(data, (list, tuple)):
        return _infer_sequence(data, target)
    if hasattr(data, "__array__"):
        array = xp.asarray(data)
        return array, from_numpy_dtype(array.dtype)
    if isinstance(data, complex):
        raise TypeError("complex tensors are not supported by chainrule")
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def _infer_sequence(data, target=None):
    _check_nesting(data)
    values = _plain(data)
    try:
        array = xp.array(values)
    except (ValueError, TypeError):
        raise TypeError(f"Could not infer dtype of {type(_first_leaf(values)).__name__}") from None
    kind = array.dtype.kind
    if kind == "U" or kind == "S":
        raise TypeError("new(): invalid data type 'str'")
    dtype = _sequence_dtype(data) or defaults.float_dtype  # [] is a float tensor
    if kind == "O" or (kind in "uf" and dtype.kind != FLOAT):
        array = _beyond_int64(array, target)
        kind = array.dtype.kind
    if kind not in "fiub":
        raise TypeError(f"Could not infer dtype of {type(_first_leaf(values)).__name__}")
    if target is not None:
        _backend.check_tensor_data(array, target)
    with xp.errstate(over="ignore"):  # 1e40 -> inf in float32, silently as in torch
        return array.astype((target or dtype).np, copy=False), dtype


def _beyond_int64(array, target):
    """Numbers NumPy could not read as int64 (a Python int at or beyond 2**63, read as
    uint64, float64 or object): torch reads them as doubles for a float or bool tensor
    and refuses them otherwise."""
    try:
        wide = array.astype(xp.float64)
    except (TypeError, ValueError):
        return array  # not numbers at all: the caller names the type it cannot infer
    _backend.check_tensor_data(None, target)
    return wide


def _sequence_dtype(data, dtype=None):
    """torch's inference for nested data: promote_types over the dtypes of all elements.

    Python floats count as the default dtype, ints as int64, bools as bool; tensors and
    NumPy values bring their own dtype (so [int8 tensor, 2] is int64, [1, float64 tensor]
    is float64).
    """
    for item in data:
        if isinstance(item, (list, tuple)):
            dtype = _sequence_dtype(item, dtype)
            continue
        if isinstance(item, Tensor):
            found = item._dtype
        elif isinstance(item, (xp.ndarray, xp.generic)):
            found = from_numpy_dtype(item.dtype)
        else:
            found = _backend.dtype_for_kind(_backend.scalar_kind(item))
        dtype = found if dtype is None else _backend.promote_types(dtype, found)
    return dtype


def _first_leaf(values):
    while isinstance(values, (list, tuple)) and values:
        values = values[0]
    return values


def _plain(data, warned=None):
    """Replace tensors inside nested lists by their values (warning once, as float() would)."""
    if warned is None:
        warned = []
    out = []
    for item in data:
        if isinstance(item, Tensor):
            if item._requires_grad and not warned:
                warned.append(True)
                _backend.warn(
                    "Converting a tensor with requires_grad=True to a scalar may lead to "
                    "unexpected behavior.\nConsider using tensor.detach() first."
                )
            if item._data.size != 1:  # torch reads each tensor as one number
                raise TypeError(
                    "only integer tensors of a single element can be converted to an index"
                )
            out.append(item._data.reshape(()).item())
        elif isinstance(item, (list, tuple)):
            out.append(_plain(item, warned))
        else:
            out.append(item)
    return out


def _check_nesting(data, dim=0):
    """torch's error for ragged lists: 'expected sequence of length 2 at dim 1 (got 1)'."""
    lengths = [len(x) if isinstance(x, (list, tuple)) else None for x in data]
    if not data:
        return
    first = lengths[0]
    for x, n in zip(data, lengths):
        if (n is None) != (first is None):
            if first is None:
                raise TypeError(f"must be real number, not {type(x).__name__}")
            raise ValueError(f"expected sequence of length {first} at dim {dim + 1} (got {n})")
        if n is not None and n != first:
            raise ValueError(f"expected sequence of length {first} at dim {dim + 1} (got {n})")
    if first is not None:
        for x in data:
            _check_nesting(x, dim + 1)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (a number, nested list, array or tensor).

    >>> tensor([1., 2.], requires_grad=True)
    tensor([1., 2.], requires_grad=True)
    """
    if isinstance(data, Tensor):
        _backend.warn(COPY_WARNING)
        array, inferred = data._data.copy(), data._dtype
    else:
        token = _backend.quiet_on()  # 1e40 -> inf in float32, silently as in torch
        try:
            array, inferred = _infer(data, dtype)
        finally:
            _backend.quiet_off(token)
        if array is data:
            array = array.copy()
    if dtype is not None and dtype is not inferred:
        array = _cast(array, dtype)
        inferred = dtype
    return _finish(array, inferred, requires_grad, device)


def _cast(array, dtype):
    token = _backend.quiet_on()
    try:
        return array.astype(dtype.np)
    finally:
        _backend.quiet_off(token)


def as_tensor(data, dtype=None, device=None):
    """Like tensor(), but shares memory with an ndarray or tensor when the dtype allows."""
    check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None or dtype is data._dtype else data.to(dtype)
    if isinstance(data, xp.ndarray):
        out = from_numpy(data)
        return out if dtype is None or dtype is out._dtype else out.to(dtype)
    array, inferred = _infer(data, dtype)
    if dtype is not None and dtype is not inferred:
        array, inferred = array.astype(dtype.np), dtype
    return make(array, inferred)


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray`` (changes show up in both)."""
    if not isinstance(ndarray, xp.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    return make(ndarray, from_numpy_dtype(ndarray.dtype))


def _shape_args(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    shape = tuple(int(s) for s in size)
    for s in shape:
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {list(shape)}"
            )
    return shape


def _filled(fill, size, dtype, requires_grad, device, name):
    if not size:
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
    dtype = dtype or defaults.float_dtype
    return _finish(fill(_shape_args(size), dtype.np), dtype, requires_grad, device)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """A tensor of zeros of the given shape.

    >>> zeros(2, 3).shape
    torch.Size([2, 3])
    """
    flat = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    if any(int(s) < 0 for s in flat):
        raise RuntimeError("zeros: Dimension size must be non-negative.")  # torch's own wording
    return _filled(xp.zeros, size, dtype, requires_grad, device, "zeros")


def ones(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """A tensor of ones of the given shape."""
    return _filled(xp.ones, size, dtype, requires_grad, device, "ones")


def empty(
    *size,
    dtype=None,
    device=None,
    requires_grad=False,
    out=None,
    layout=None,
    memory_format=None,
    pin_memory=False,
):
    """An uninitialised tensor (here: zeros, so results never depend on stale memory)."""
    return _filled(xp.zeros, size, dtype, requires_grad, device, "empty")


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None):
    """A tensor of the given shape filled with ``fill_value`` (its dtype follows the value)."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None:
        dtype = _backend.dtype_for_kind(_backend.scalar_kind(fill_value))
    shape = _shape_args((size,) if isinstance(size, int) else (size,))
    return _finish(_full(shape, fill_value, dtype), dtype, requires_grad, device)


def _full(shape, fill_value, dtype):
    """An array of ``shape`` filled with ``fill_value``, refused as torch refuses it."""
    fill_value = _backend.checked_fill_value(fill_value, dtype, math.prod(shape))
    token = _backend.quiet_on()  # 1e6 -> inf in float16, silently as in torch
    try:
        return xp.full(shape, fill_value, dtype.np)
    finally:
        _backend.quiet_off(token)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    """The identity matrix (n x m)."""
    for name, value in (("n", n), ("m", m)):
        if value is not None and value < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {value}")
    dtype = dtype or defaults.float_dtype
    return _finish(xp.eye(n, n if m is None else m, dtype=dtype.np), dtype, requires_grad, device)


def arange(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Values from start (inclusive) to end (exclusive) by step.

    >>> arange(3)
    tensor([0, 1, 2])
    """
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = values
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        integral = all(isinstance(v, int) and not isinstance(v, float) for v in values)
        dtype = _backend.int64 if integral else defaults.float_dtype
    length = max(0, math.ceil((end - start) / step))
    if dtype.kind == FLOAT:
        data = _float_arange(start, step, length, dtype.np)
    else:
        # integer results start from the truncated start and step; torch's int64 kernel also
        # counts the elements from the truncated values (and so refuses a step below 1)
        first, stride = int(start), int(step)
        if dtype is _backend.int64:
            if stride == 0:
                raise ValueError("step must be nonzero")
            length = max(0, -(-(int(end) - first) // stride))
        data = (first + stride * xp.arange(length, dtype=xp.int64)).astype(dtype.np)
    return _finish(data, dtype, requires_grad, device)


def _float_arange(start, step, length, np_dtype):
    """torch's CPU kernel, to the bit (its float32 values are not start + i * step rounded).

    It fills 256-bit vectors (8 float32 or 4 float64 lanes) two at a time: each vector starts
    from start + step * i rounded to the dtype, and lane j adds step * j to that base (fused
    for float64, in double for narrower dtypes). The remainder is start + step * i, rounded
    once. Long double stands in for the fused operations.
    """
    wide = xp.longdouble
    lanes = 32 // np_dtype.itemsize
    index = xp.arange(length)
    full = length - length % (2 * lanes)
    base = (wide(start) + wide(step) * (index // lanes * lanes)).astype(np_dtype)
    if np_dtype.itemsize == 8:
        vector = base.astype(wide) + wide(step) * (index % lanes)
    else:
        vector = base.astype(xp.float64) + xp.float64(step) * (index % lanes)
    rest = wide(start) + wide(step) * index
    return xp.where(index < full, vector, rest).astype(np_dtype)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from start to end (both included).

    Computed from both ends toward the middle, as torch does, so the end points are exact.
    """
    dtype = dtype or defaults.float_dtype
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    work = dtype.np if dtype.kind == FLOAT else xp.dtype(xp.float64)
    if dtype.kind != FLOAT:  # integer linspace starts from the end points as integers
        start, end = (xp.array(v).astype(dtype.np).item() for v in (start, end))
    if steps == 1:
        data = xp.array([start], work)
    else:
        step = (work.type(end) - work.type(start)) / work.type(steps - 1)
        # torch's kernel uses fused multiply-adds: start + step * i is rounded once. A wider
        # type (long double where there is one) computes it exactly before the one rounding.
        wide = xp.longdouble
        index = xp.arange(steps, dtype=wide)
        half = steps // 2
        data = xp.where(
            index < half,
            wide(work.type(start)) + wide(step) * index,
            wide(work.type(end)) - wide(step) * (steps - 1 - index),
        )
        data = data.astype(work)
    return _finish(data.astype(dtype.np), dtype, requires_grad, device)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    """base ** linspace(start, end, steps)."""
    dtype = dtype or defaults.float_dtype
    exps = linspace(start, end, steps, dtype=_backend.float64)._data
    return _finish((base**exps).astype(dtype.np), dtype, requires_grad, device)


# --------------------------------------------------------------------------- randomness


class Generator:
    """A source of random numbers (wraps NumPy's PCG64)."""

    def __init__(self, device="cpu"):
        self._seed = 67280421310721
        self._rng = xp.random.default_rng(self._seed)

    def manual_seed(self, seed):
        self._seed = int(seed)
        self._rng = xp.random.default_rng(self._seed)
        return self

    def initial_seed(self):
        return self._seed

    def seed(self):
        seed = int(xp.random.SeedSequence().entropy % (2**63))
        self.manual_seed(seed)
        return seed

    def get_state(self):
        return self._rng.bit_generator.state

    def set_state(self, state):
        self._rng.bit_generator.state = state
        return self


default_generator = Generator()


def manual_seed(seed):
    """Seed the default random generator (reproducible runs)."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def _rng(generator):
    return (generator or default_generator)._rng


def _random(draw, size, dtype, requires_grad, device, generator, kernel="check_uniform_bounds"):
    dtype = dtype or defaults.float_dtype
    if dtype.kind != FLOAT:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_legacy(dtype)}'")
    shape = _shape_args(size)
    data = draw(_rng(generator), shape).astype(dtype.np)
    return _finish(data, dtype, requires_grad, device)


def _legacy(dtype):
    return dtype.scalar_name


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    """Uniform random numbers in [0, 1)."""
    return _random(lambda r, s: r.random(s), size, dtype, requires_grad, device, generator)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    """Standard normal random numbers."""
    return _random(
        lambda r, s: r.standard_normal(s),
        size,
        dtype,
        requires_grad,
        device,
        generator,
        "normal_kernel_cpu",
    )


def randint(*args, size=None, generator=None, dtype=None, device=None, requires_grad=False):
    """Random integers in [low, high): randint(high, size) or randint(low, high, size)."""
    args = list(args)
    if size is None:
        size = args.pop()
    low, high = (0, args[0]) if len(args) == 1 else args
    dtype = dtype or _backend.int64
    if high <= low:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    data = _rng(generator).integers(
        low, high, _shape_args((size,) if isinstance(size, int) else (size,))
    )
    return _finish(data.astype(dtype.np), dtype, requires_grad, device)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of 0..n-1."""
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dtype = dtype or _backend.int64
    return _finish(_rng(generator).permutation(n).astype(dtype.np), dtype, requires_grad, device)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, requires_grad=False):
    """Normal random numbers with the given mean and std."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        shape = xp.broadcast_shapes(xp.shape(m), xp.shape(s))
        ref = mean if isinstance(mean, Tensor) else std
        data = (m + s * _rng(generator).standard_normal(shape)).astype(ref._dtype.np)
        return make(data, ref._dtype)
    return _random(
        lambda r, s: mean + std * r.standard_normal(s), size, dtype, requires_grad, None, generator
    )


# --------------------------------------------------------------------------- *_like


def _like(fill):
    def like(
        input, *, dtype=None, device=None, requires_grad=False, memory_format=None, layout=None
    ):
        dtype = dtype or input._dtype
        return _finish(fill(input._data.shape, dtype), dtype, requires_grad, device)

    return like


zeros_like = _like(lambda shape, d: xp.zeros(shape, d.np))
ones_like = _like(lambda shape, d: xp.ones(shape, d.np))
empty_like = _like(lambda shape, d: xp.zeros(shape, d.np))


def full_like(
    input, fill_value, *, dtype=None, device=None, requires_grad=False, memory_format=None
):
    dtype = dtype or input._dtype
    return _finish(_full(input._data.shape, fill_value, dtype), dtype, requires_grad, device)


def rand_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return rand(input._data.shape, dtype=dtype or input._dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return randn(input._data.shape, dtype=dtype or input._dtype, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False):
    if high is None:
        low, high = 0, low
    return randint(
        low, high, input._data.shape, dtype=dtype or input._dtype, requires_grad=requires_grad
    )


# --------------------------------------------------------------------------- Tensor.new_*


def _new(fill):
    def new(self, *size, dtype=None, device=None, requires_grad=False):
        dtype = dtype or self._dtype
        return _finish(fill(_shape_args(size), dtype), dtype, requires_grad, device)

    return new


Tensor.new_zeros = _new(lambda shape, d: xp.zeros(shape, d.np))
Tensor.new_ones = _new(lambda shape, d: xp.ones(shape, d.np))
Tensor.new_empty = _new(lambda shape, d: xp.zeros(shape, d.np))


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    dtype = dtype or self._dtype
    return _finish(_full(_shape_args((size,)), fill_value, dtype), dtype, requires_grad, device)


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    if isinstance(data, Tensor):
        _backend.warn(COPY_WARNING)
    out = tensor(data.detach() if isinstance(data, Tensor) else data, dtype=dtype or self._dtype)
    return out.requires_grad_(requires_grad) if requires_grad else out


Tensor.new_full = _new_full
Tensor.new_tensor = _new_tensor


def _legacy_tensor(cls, args, kwargs):
    """``torch.Tensor(...)``: from data (as float32) or an uninitialised shape."""
    if kwargs.get("device") is not None:
        check_device(kwargs["device"])
    if not args:
        return make(xp.zeros((0,), defaults.float_dtype.np), defaults.float_dtype)
    if all(isinstance(a, int) for a in args):
        return make(xp.zeros(args, defaults.float_dtype.np), defaults.float_dtype)
    if len(args) == 1:
        data = args[0]
        if isinstance(data, Tensor):
            return data
        array, _ = _infer(data)
        return make(array.astype(defaults.float_dtype.np), defaults.float_dtype)
    raise TypeError("Tensor(): invalid arguments")


for _name, _func in (
    ("tensor", tensor),
    ("as_tensor", as_tensor),
    ("from_numpy", from_numpy),
    ("zeros", zeros),
    ("ones", ones),
    ("empty", empty),
    ("full", full),
    ("eye", eye),
    ("arange", arange),
    ("linspace", linspace),
    ("logspace", logspace),
    ("manual_seed", manual_seed),
    ("seed", seed),
    ("initial_seed", initial_seed),
    ("rand", rand),
    ("randn", randn),
    ("randint", randint),
    ("randperm", randperm),
    ("normal", normal),
    ("zeros_like", zeros_like),
    ("ones_like", ones_like),
    ("empty_like", empty_like),
    ("full_like", full_like),
    ("rand_like", rand_like),
    ("randn_like", randn_like),
    ("randint_like", randint_like),
    ("Generator", Generator),
):
    _export(_name, _func)
__all__.append("default_generator")
