"""The rest of torch's top level that user code touches: constants, ``torch.testing``,
``torch.backends``, ``torch.compile``, determinism and precision switches, and the
function forms of in-place methods (``torch.relu_(x)``).

Things that only make sense with other devices or compilers are accepted and documented
as doing nothing here: ``torch.compile`` returns its argument, ``torch.autocast`` runs
the block unchanged, the cuDNN flags are plain attributes.

>>> import chainrule as torch
>>> torch.testing.assert_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-7]))
>>> torch.backends.mps.is_available()
False
"""

from __future__ import annotations

import math
import types

from ._backend import xp
from ._tensor import Tensor

__all__ = [
    "e",
    "pi",
    "inf",
    "nan",
    "newaxis",
    "testing",
    "backends",
    "compile",
    "autocast",
    "use_deterministic_algorithms",
    "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled",
    "set_float32_matmul_precision",
    "get_float32_matmul_precision",
    "set_default_device",
    "get_default_device",
    "set_warn_always",
    "is_warn_always_enabled",
    "detach",
    "ravel",
    "real",
    "conj",
    "resolve_conj",
    "resolve_neg",
    "is_conj",
    "is_neg",
]

e = math.e
pi = math.pi
inf = math.inf
nan = math.nan
newaxis = None


# --------------------------------------------------------------------------- torch.testing

# torch's default tolerances by dtype: (rtol, atol)
_TOLERANCES = {"float16": (1e-3, 1e-5), "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7)}


def _as_array(value):
    if isinstance(value, Tensor):
        return value.detach()._data
    return xp.asarray(value)


def _index_text(flat_index, shape) -> str:
    index = xp.unravel_index(flat_index, shape) if shape else ()
    return "(" + ", ".join(str(int(i)) for i in index) + ("," if len(index) == 1 else "") + ")"


def _number(value) -> str:
    return repr(float(value))


def assert_close(
    actual,
    expected,
    *,
    allow_subclasses=True,
    rtol=None,
    atol=None,
    equal_nan=False,
    check_device=True,
    check_dtype=True,
    check_layout=True,
    check_stride=False,
    msg=None,
):
    """Raise AssertionError unless ``actual`` and ``expected`` are close (torch's rules).

    Tensors must agree in shape and (with ``check_dtype``) dtype; values within
    ``atol + rtol * |expected|``, with tolerances from the dtype when not given. Sequences
    and mappings are compared item by item; Python numbers as scalars.
    """
    if (rtol is None) != (atol is None):
        raise ValueError(
            "Both 'rtol' and 'atol' must be either specified or omitted, but got no "
            f"{'rtol' if rtol is None else 'atol'}."
        )
    if isinstance(actual, (list, tuple)) and isinstance(expected, (list, tuple)):
        if len(actual) != len(expected):
            raise AssertionError(
                msg or f"The length of the sequences mismatch: {len(actual)} != {len(expected)}"
            )
        for a, b in zip(actual, expected):
            assert_close(
                a, b, rtol=rtol, atol=atol, equal_nan=equal_nan, check_dtype=check_dtype, msg=msg
            )
        return
    if isinstance(actual, dict) and isinstance(expected, dict):
        if list(actual) != list(expected):
            raise AssertionError(msg or "The keys of the mappings do not match.")
        for key in actual:
            assert_close(
                actual[key], expected[key], rtol=rtol, atol=atol, equal_nan=equal_nan,
                check_dtype=check_dtype, msg=msg,
            )  # fmt: skip
        return
    tensors = isinstance(actual, Tensor) or isinstance(expected, Tensor)
    if tensors:
        _check_tensor_meta(actual, expected, check_dtype, msg)
        kind = actual.dtype.name if isinstance(actual, Tensor) else expected.dtype.name
    else:
        kind = "float64" if isinstance(actual, float) or isinstance(expected, float) else "int64"
    a, b = _as_array(actual), _as_array(expected)
    default_rtol, default_atol = _TOLERANCES.get(kind, (0.0, 0.0))
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    # differences in the values' own float precision (integers: float32), as torch reports
    work = a.dtype if a.dtype.kind == "f" else xp.float32
    a64, b64 = a.astype(work), b.astype(work)
    with xp.errstate(all="ignore"):
        close = xp.abs(a64 - b64) <= atol + rtol * xp.abs(b64)
        close |= a64 == b64
        if equal_nan:
            close |= xp.isnan(a64) & xp.isnan(b64)
    if bool(close.all()):
        return
    if msg is not None:
        raise AssertionError(msg(None) if callable(msg) else msg)
    exact = rtol == 0 and atol == 0
    what = "equal" if exact else "close"
    with xp.errstate(all="ignore"):
        diff = xp.abs(a64 - b64)
        relative = diff / xp.abs(b64)
    if not tensors:
        diff, relative = (
            float(abs(actual - expected)),
            float(abs(actual - expected) / abs(expected)),
        )
        lines = [
            f"Scalars are not {what}!",
            "",
            f"Expected {expected} but got {actual}.",
            f"Absolute difference: {diff!r}" + ("" if exact else f" (up to {atol} allowed)"),
            f"Relative difference: {relative!r}" + ("" if exact else f" (up to {rtol} allowed)"),
        ]  # fmt: skip
        raise AssertionError("\n".join(lines))
    bad = ~close
    count, total = int(bad.sum()), a.size
    flat_diff = xp.where(bad, diff, -1.0).reshape(-1)
    flat_rel = xp.where(bad, relative, -1.0).reshape(-1)
    worst_abs = int(xp.nanargmax(xp.where(xp.isnan(flat_diff), xp.inf, flat_diff)))
    worst_rel = int(xp.nanargmax(xp.where(xp.isnan(flat_rel), xp.inf, flat_rel)))
    integral = a.dtype.kind in "biu"
    abs_value = flat_diff[worst_abs]
    abs_text = str(int(abs_value)) if integral else _number(abs_value)
    lines = [
        f"Tensor-likes are not {what}!",
        "",
        f"Mismatched elements: {count} / {total} ({100 * count / total:.1f}%)",
        f"Greatest absolute difference: {abs_text} at index {_index_text(worst_abs, a.shape)}"
        + ("" if exact else f" (up to {atol} allowed)"),
        f"Greatest relative difference: {_number(flat_rel[worst_rel])} at index "
        f"{_index_text(worst_rel, a.shape)}" + ("" if exact else f" (up to {rtol} allowed)"),
    ]
    raise AssertionError("\n".join(lines))


def _check_tensor_meta(actual, expected, check_dtype, msg):
    if not (isinstance(actual, Tensor) and isinstance(expected, Tensor)):
        return
    if actual.shape != expected.shape:
        raise AssertionError(
            msg
            or f"The values for attribute 'shape' do not match: {actual.shape} != {expected.shape}."
        )
    if check_dtype and actual.dtype != expected.dtype:
        raise AssertionError(
            msg
            or f"The values for attribute 'dtype' do not match: {actual.dtype} != {expected.dtype}."
        )


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """The deprecated form of ``assert_close`` (no dtype check, NaN equal by default)."""
    assert_close(
        actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_dtype=False,
        msg=msg or None,
    )  # fmt: skip


testing = types.ModuleType("chainrule.testing", "torch.testing: assert_close and friends.")
testing.assert_close = assert_close
testing.assert_allclose = assert_allclose


# --------------------------------------------------------------------------- torch.backends


def _unavailable() -> bool:
    return False


def _namespace(name: str, doc: str, **attributes) -> types.ModuleType:
    module = types.ModuleType(name, doc)
    for key, value in attributes.items():
        setattr(module, key, value)
    return module


backends = _namespace(
    "chainrule.backends",
    "torch.backends: the switches of other devices' libraries (recorded, without effect here).",
    cudnn=_namespace(
        "chainrule.backends.cudnn",
        "cuDNN is not used (CPU and NumPy only); the flags are kept as set.",
        enabled=True,
        deterministic=False,
        benchmark=False,
        allow_tf32=True,
        is_available=_unavailable,
    ),
    mps=_namespace(
        "chainrule.backends.mps",
        "Apple GPUs: not available.",
        is_available=_unavailable,
        is_built=_unavailable,
    ),  # fmt: skip
    cuda=_namespace(
        "chainrule.backends.cuda",
        "CUDA: not available.",
        is_built=_unavailable,
        matmul=_namespace("chainrule.backends.cuda.matmul", "", allow_tf32=False),
    ),
    mkldnn=_namespace("chainrule.backends.mkldnn", "", is_available=_unavailable, enabled=True),
    openmp=_namespace("chainrule.backends.openmp", "", is_available=_unavailable),
)


# --------------------------------------------------------------------------- compilers and modes


def compile(model=None, **options):
    """Returns ``model`` unchanged: chainrule runs eagerly (also usable as a decorator)."""
    if model is None:
        return lambda fn: fn
    return model


class autocast:
    """Mixed precision is not used on this backend: the block runs unchanged."""

    def __init__(self, device_type="cpu", dtype=None, enabled=True, cache_enabled=None):
        self.device_type = device_type
        self.fast_dtype = dtype
        self.enabled = enabled

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, func):
        return func


_settings = {
    "deterministic": False,
    "warn_only": False,
    "matmul_precision": "highest",
    "warn_always": False,
}


def use_deterministic_algorithms(mode, *, warn_only=False) -> None:
    """Recorded; NumPy's kernels here are deterministic anyway."""
    _settings["deterministic"], _settings["warn_only"] = bool(mode), bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _settings["deterministic"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _settings["warn_only"]


def set_float32_matmul_precision(precision: str) -> None:
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"Invalid precision {precision}")
    _settings["matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    return _settings["matmul_precision"]


def set_default_device(device) -> None:
    """Only the CPU exists here."""
    if device is not None and str(device).split(":")[0] != "cpu":
        raise RuntimeError(f"chainrule runs on the CPU only; cannot make {device} the default")


def get_default_device():
    from ._tensor import device

    return device("cpu")


def set_warn_always(b: bool) -> None:
    _settings["warn_always"] = bool(b)


def is_warn_always_enabled() -> bool:
    return _settings["warn_always"]


# --------------------------------------------------------------------------- tensor functions


def detach(input):
    """``input.detach()``."""
    return input.detach()


def ravel(input):
    """The elements as a 1-D tensor (a view when possible)."""
    return input.reshape(-1)


def real(input):
    """The real part: the tensor itself (chainrule has no complex dtypes)."""
    return input


def _imag(self):
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


def conj(input):
    """The complex conjugate: the tensor itself for real dtypes."""
    return input


resolve_conj = resolve_neg = conj


def is_conj(input) -> bool:
    return False


def is_neg(input) -> bool:
    return False


def _fill_diagonal_(self, fill_value, wrap=False):
    """Fill the main diagonal in place (all dims of equal length, or a 2-D matrix)."""
    if self.dim() < 2:
        raise RuntimeError("dimensions must larger than 1")
    if self.dim() > 2 and len(set(self.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    if self.dim() == 2:
        rows, cols = self.shape
        # every (cols + 1)-th element of the flat matrix; without wrap, the square part only
        end = rows * cols if wrap else min(rows, cols) * (cols + 1)
        positions = xp.arange(0, min(end, rows * cols), cols + 1, dtype=xp.int64)
        index = (positions // cols, positions % cols)
    else:
        n = self.shape[0]
        index = tuple(xp.arange(n) for _ in range(self.dim()))
    from .ops.creation import tensor

    rows_t = tensor(index[0])
    others = [tensor(i) for i in index[1:]]
    self[(rows_t, *others)] = fill_value
    return self


def _pin_memory(self, device=None):
    raise RuntimeError("Cannot access accelerator device when none is available.")


def _install() -> None:
    for name in ("is_sparse", "is_quantized", "is_meta", "is_mps", "is_xpu", "is_nested",
                 "is_mkldnn", "is_sparse_csr"):  # fmt: skip
        setattr(Tensor, name, property(lambda self: False))
    Tensor.pin_memory = _pin_memory
    Tensor.is_pinned = lambda self, device=None: False
    Tensor.share_memory_ = lambda self: self
    Tensor.is_shared = lambda self: False
    Tensor.to_dense = lambda self, dtype=None, *, masked_grad=None: self
    Tensor.ravel = ravel
    Tensor.real = property(real)
    Tensor.imag = property(_imag)
    Tensor.conj = conj
    Tensor.conj_physical = conj
    Tensor.resolve_conj = resolve_conj
    Tensor.resolve_neg = resolve_neg
    Tensor.is_conj = is_conj
    Tensor.is_neg = is_neg
    Tensor.fill_diagonal_ = _fill_diagonal_


def function_forms_of_inplace_methods(namespace: dict) -> None:
    """``torch.relu_(x)``, ``torch.sigmoid_(x)``, ...: the in-place methods as functions."""
    for name in dir(Tensor):
        if name.endswith("_") and not name.startswith("_") and name not in namespace:
            method = getattr(Tensor, name)
            if callable(method):

                def function(input, *args, _name=name, **kwargs):
                    return getattr(input, _name)(*args, **kwargs)

                function.__name__ = name
                function.__doc__ = f"``input.{name}(...)`` (in place)."
                namespace[name] = function


_install()
