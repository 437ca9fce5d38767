"""Anomaly mode: find the forward call behind a failing or NaN-producing backward.

>>> import chainrule as torch
>>> x = torch.tensor([1.0], requires_grad=True)
>>> with torch.autograd.detect_anomaly():
...     y = x * float("nan")
>>> y.sum().backward()
Traceback (most recent call last):
RuntimeError: Function 'MulBackward0' returned nan values in its 0th output.

While it is on, every node keeps the traceback of the forward call that created it
(``grad_fn.metadata["traceback_"]``); when its backward fails, a warning shows that
traceback; with ``check_nan`` (the default) a NaN in a backward result is an error. Like
torch, only NaN is checked, not inf.
"""

from __future__ import annotations

from .. import _backend
from .._graph import _GradMode, extras

_ENABLED_WARNING = (
    "Anomaly Detection has been enabled. This mode will increase the runtime and should only "
    "be enabled for debugging."
)


def is_anomaly_enabled() -> bool:
    """Is anomaly mode on?"""
    return extras.anomaly


def is_anomaly_check_nan_enabled() -> bool:
    """Does anomaly mode check backward results for NaN?"""
    return extras.check_nan


def _switch(enabled: bool, check_nan: bool) -> tuple:
    return extras.set_anomaly(enabled, check_nan)


class detect_anomaly(_GradMode):
    """Context manager (or decorator) that turns anomaly mode on for its block."""

    _bare_decorator = False

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan
        self._previous = None
        _backend.warn(_ENABLED_WARNING)

    def _args(self) -> tuple:
        return (self.check_nan,)

    def __enter__(self):
        self._previous = _switch(True, self.check_nan)

    def __exit__(self, *exc):
        _switch(*self._previous)


class set_detect_anomaly(_GradMode):
    """Turn anomaly mode on or off; as a context manager, restore the old mode on exit."""

    _bare_decorator = False

    def __init__(self, mode: bool, check_nan: bool = True):
        self.mode = mode
        self.check_nan = check_nan
        self._previous = _switch(mode, check_nan)

    def _args(self) -> tuple:
        return (self.mode, self.check_nan)

    def clone(self):
        clone = object.__new__(type(self))
        clone.mode, clone.check_nan, clone._previous = self.mode, self.check_nan, None
        return clone

    def __enter__(self):
        if self._previous is None:
            self._previous = _switch(self.mode, self.check_nan)

    def __exit__(self, *exc):
        _switch(*self._previous)
        self._previous = None
