"""repr() of tensors, reproducing PyTorch's output character for character.

The rules were found by experiment against PyTorch:

* Floats share one format per tensor, picked from the nonzero finite values that will be
  shown: integer-valued -> ``1.``; otherwise fixed ``1.2345``; scientific ``1.2345e+08`` when
  max/min of the absolute values is over 1000, the max over 1e8, or (non-integer values
  only) the min under 1e-4. ``sci_mode`` overrides the choice, except when no value is
  nonzero and finite (then the integer style is always used).
* Columns are right-aligned to the widest formatted *nonzero finite* value; zeros, inf and
  nan are padded to that width but never widen it (so ``tensor([1., -inf])`` is unpadded).
* Over ``threshold`` elements, every dimension longer than ``2 * edgeitems`` shows only its
  first and last ``edgeitems`` entries; the format is chosen from those entries alone.
* Suffixes (``size=``, ``dtype=``, ``grad_fn=``/``requires_grad=``) go on a new line when
  they would not fit in ``linewidth``.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator

import numpy as np

_PREFIX = "tensor("
_INDENT = len(_PREFIX)

_DEFAULTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80}
_PROFILES = {
    "default": _DEFAULTS,
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}
_opts: dict = {**_DEFAULTS, "sci_mode": None}

# Dtypes whose name is never printed, whatever the default float dtype is.
_IMPLICIT_DTYPES = ("int64", "bool")


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set the global print options, like ``torch.set_printoptions``.

    ``profile`` ("default", "short", "full") is applied first, then the explicit options.
    As in torch, ``sci_mode`` is always overwritten (``None`` = choose automatically), an
    unknown profile is ignored, and values are not validated until a tensor is printed.

    >>> set_printoptions(precision=2)
    >>> format_tensor(np.array(1 / 3, dtype=np.float32), "float32")
    'tensor(0.33)'
    >>> set_printoptions(profile="default")
    """
    if profile in _PROFILES:
        _opts.update(_PROFILES[profile])
    for key, value in (
        ("precision", precision),
        ("threshold", threshold),
        ("edgeitems", edgeitems),
        ("linewidth", linewidth),
    ):
        if value is not None:
            _opts[key] = value
    _opts["sci_mode"] = sci_mode


def get_printoptions() -> dict:
    """Return a copy of the current print options.

    >>> get_printoptions()["precision"]
    4
    """
    return dict(_opts)


@contextlib.contextmanager
def printoptions(**kwargs) -> Iterator[None]:
    """Temporarily apply ``set_printoptions(**kwargs)``; the old options come back on exit.

    >>> with printoptions(sci_mode=True):
    ...     format_tensor(np.array(2.0, dtype=np.float32), "float32")
    'tensor(2.0000e+00)'
    """
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


def format_tensor(
    data: np.ndarray,
    dtype_name: str,
    default_dtype_name: str = "float32",
    requires_grad: bool = False,
    grad_fn_name: str | None = None,
) -> str:
    """Full repr of a tensor holding ``data`` (dtype given by name, e.g. "float32").

    >>> format_tensor(np.array([34.0, 816.0], dtype=np.float32), "float32")
    'tensor([ 34., 816.])'
    >>> format_tensor(np.array(3.0, dtype=np.float32), "float32", grad_fn_name="AddBackward0")
    'tensor(3., grad_fn=<AddBackward0>)'
    >>> format_tensor(np.array([1, 2], dtype=np.int32), "int32")
    'tensor([1, 2], dtype=torch.int32)'
    """
    data = np.asarray(data)
    opts = _opts
    suffixes = []
    if data.size == 0:
        # Empty tensors name every non-default dtype, int64 and bool included.
        body = "[]"
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        if dtype_name != default_dtype_name:
            suffixes.append(f"dtype=torch.{dtype_name}")
    else:
        if not opts["edgeitems"]:
            # With no edge items the shape would be invisible, so torch always states it.
            suffixes.append(f"size={tuple(data.shape)}")
        if dtype_name != default_dtype_name and dtype_name not in _IMPLICIT_DTYPES:
            suffixes.append(f"dtype=torch.{dtype_name}")
        body = _body(data, dtype_name, opts)
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(_PREFIX + body, suffixes, opts["linewidth"]) + ")"


def _add_suffixes(text: str, suffixes: list[str], linewidth: int) -> str:
    """Append ``, suffix`` items, wrapping each one that would overflow the line."""
    # torch's measure of the last line is 2 more than its real length; kept for fidelity.
    last_len = len(text) - text.rfind("\n") + 1
    parts = [text]
    for suffix in suffixes:
        if last_len + len(suffix) + 2 > linewidth:
            parts.append(",\n" + " " * _INDENT + suffix)
            last_len = _INDENT + len(suffix)
        else:
            parts.append(", " + suffix)
            last_len += len(suffix) + 2
    return "".join(parts)


def _body(data: np.ndarray, dtype_name: str, opts: dict) -> str:
    """The bracketed values of a non-empty tensor (a bare value for 0-d)."""
    summarize = data.size > opts["threshold"]  # evaluated even for 0-d, as torch does
    if data.ndim == 0:
        strs, _ = _format_values([data.item()], dtype_name, opts)
        return strs[0]
    edge = opts["edgeitems"]
    if summarize and not edge:
        return "[...]"
    # Which dimensions lose their middle; the format is chosen from what stays visible.
    cuts = tuple(summarize and n > 2 * edge for n in data.shape)
    visible = data
    for axis, cut in enumerate(cuts):
        if cut:
            head = (slice(None),) * axis
            visible = np.concatenate(
                (visible[head + (slice(None, edge),)], visible[head + (slice(-edge, None),)]),
                axis=axis,
            )
    strs, width = _format_values(visible.ravel().tolist(), dtype_name, opts)
    cells = np.array([s.rjust(width) for s in strs], dtype=object).reshape(visible.shape)
    layout = _Layout(cuts, edge, width, opts["linewidth"])
    return layout.block(cells, 0, _INDENT)


def _format_values(values: list, dtype_name: str, opts: dict) -> tuple[list[str], int]:
    """Format each value the same way; return the strings and the column width."""
    if dtype_name == "bool":
        strs = ["True" if v else "False" for v in values]
        return strs, max(map(len, strs))
    if not dtype_name.startswith(("float", "bfloat")):
        strs = [str(v) for v in values]
        return strs, max(map(len, strs))
    shown = [v for v in values if v != 0 and math.isfinite(v)]
    if not shown:
        # Only zeros/inf/nan: always the integer style, sci_mode notwithstanding.
        return [_int_style(v) for v in values], 1
    fmt = _float_style(shown, opts)
    strs = [_int_style(v) for v in values] if fmt is None else [format(v, fmt) for v in values]
    # Zeros, inf and nan are padded to the width but never widen it.
    width = max(len(s) for s, v in zip(strs, values) if v != 0 and math.isfinite(v))
    return strs, width


def _float_style(shown: list[float], opts: dict) -> str | None:
    """Format spec for the given nonzero finite values, or None for the ``1.`` style."""
    lo = min(map(abs, shown))
    hi = max(map(abs, shown))
    integral = all(v == math.ceil(v) for v in shown)
    sci = hi / lo > 1000.0 or hi > 1.0e8 or (not integral and lo < 1.0e-4)
    if opts["sci_mode"] is not None:
        sci = bool(opts["sci_mode"])
    if sci:
        return f".{opts['precision']}e"
    return None if integral else f".{opts['precision']}f"


def _int_style(v: float) -> str:
    """``3.`` for integral floats; inf/nan get no trailing dot."""
    text = format(v, ".0f")
    return text + "." if math.isfinite(v) else text


class _Layout:
    """Nests the padded cells in brackets, wrapping rows and inserting ``...``."""

    def __init__(self, cuts: tuple[bool, ...], edge: int, width: int, linewidth: int):
        self.cuts = cuts
        self.edge = edge
        self.width = width
        self.linewidth = linewidth

    def block(self, cells: np.ndarray, axis: int, indent: int) -> str:
        if cells.ndim == 1:
            return self.vector(list(cells), self.cuts[axis], indent)
        parts = [self.block(sub, axis + 1, indent + 1) for sub in cells]
        if self.cuts[axis]:
            parts.insert(self.edge, "...")
        # Blocks of a k-d tensor are separated by k-1 newlines (blank lines for 3-d+).
        sep = "," + "\n" * (cells.ndim - 1) + " " * (indent + 1)
        return "[" + sep.join(parts) + "]"

    def vector(self, items: list[str], cut: bool, indent: int) -> str:
        if cut:
            items.insert(self.edge, " ...")
        # The ellipsis counts as one element when filling lines.
        per_line = max(1, math.floor((self.linewidth - indent) / (self.width + 2)))
        lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
