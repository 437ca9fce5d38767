"""Hints for the classic mistakes, attached as exception notes.

PyTorch's exception types and messages are kept exactly (code matches on them); the hint
is an exception note (``exc.add_note``, Python 3.11+): Python prints it under the
traceback, and ``str(exc)`` is unchanged. On Python 3.10 there are no notes and no hints.

Nothing here runs on the normal path: these functions are imported and called only where
an error is about to be raised. The one record kept ahead of time is where a tensor was
made by ``.detach()``: ``Tensor.detach`` stores its caller's file and line (one frame
lookup, no traceback) on tensors detached from a graph.

>>> import chainrule as torch
>>> x = torch.tensor([1., 2.], requires_grad=True)
>>> try:
...     x.numpy()
... except RuntimeError as error:
...     print(str(error))
Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.
"""

from __future__ import annotations

import sys

_PACKAGE_DIR = __file__.rsplit("/", 1)[0].rsplit("\\", 1)[0]


def add_note(error: BaseException, text: str) -> BaseException:
    """Attach ``text`` as a note (Python 3.11+; on 3.10 the error is returned unchanged)."""
    add = getattr(error, "add_note", None)
    if add is not None:
        add(text)
    return error


def graph_cut(error: RuntimeError, tensor) -> RuntimeError:
    """backward() on a tensor that does not require grad: say where the graph was cut."""
    from ._graph import grad_state

    site = getattr(tensor, "_detached_at", None)
    detached = _detached_locals()
    if site is not None and not site[0].startswith(_PACKAGE_DIR):
        where = f"{site[0]}, line {site[1]}"
        text = (
            f"Hint: this tensor was made by .detach() ({where}), which cuts it from the graph. "
            "Call backward() on the result computed from the original tensor, or detach later."
        )
    elif detached:
        names = ", ".join(f"{name} ({file}, line {line})" for name, (file, line) in detached)
        text = (
            f"Hint: the graph is cut by .detach(): {names} came from .detach(), and what is "
            "computed from a detached tensor has no history. Compute from the original tensor."
        )
    elif not grad_state.enabled:
        text = (
            "Hint: gradient recording is off right now (inside torch.no_grad(), "
            "set_grad_enabled(False) or inference_mode()): operations there are not recorded. "
            "Compute the loss outside that block."
        )
    else:
        text = (
            "Hint: this tensor has no history (grad_fn is None) and does not require grad, so "
            "there is nothing to differentiate. The graph is cut when a value goes through "
            ".detach(), .item(), .numpy(), float() or math.* (they give plain numbers; "
            "torch.tensor() of them starts afresh), or when it is computed inside "
            "torch.no_grad(). Or its inputs were never marked: create them with "
            "torch.tensor(..., requires_grad=True)."
        )
    return add_note(error, text)


def _detached_locals(limit: int = 3) -> list:
    """Tensors made by .detach() in the innermost user frame: (name, (file, line))."""
    from ._tensor import Tensor

    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
    if frame is None:
        return []
    found = []
    for name, value in list(frame.f_locals.items()):
        site = getattr(value, "_detached_at", None) if isinstance(value, Tensor) else None
        if site is not None and not site[0].startswith(_PACKAGE_DIR):
            found.append((name, site))
    return found[:limit]


def backward_twice(error: RuntimeError) -> RuntimeError:
    """The second backward through a graph whose saved values were freed."""
    return add_note(
        error,
        "Hint: the first backward() freed the values this graph saved (to save memory). Call "
        "the first one with backward(retain_graph=True) to go through the graph again; in a "
        "training loop, run the forward pass again in every iteration instead (a loss computed "
        "once, before the loop, is the usual cause).",
    )


def numpy_requires_grad(error: RuntimeError) -> RuntimeError:
    """.numpy() (or np.asarray, plotting) on a tensor that requires grad."""
    return add_note(
        error,
        "Hint: NumPy cannot record operations, so a tensor that requires grad does not hand "
        "over its array. x.detach().numpy() gives the same numbers (same memory, no history); "
        "to plot, pass x.detach() (e.g. plt.plot(x.detach(), y.detach())).",
    )


def leaf_inplace(error: RuntimeError) -> RuntimeError:
    """An in-place change to a leaf that requires grad."""
    return add_note(
        error,
        "Hint: this leaf is a tensor you asked gradients for; changing it in place would make "
        "its gradient wrong. To update it (as an optimizer step does), do it inside "
        "`with torch.no_grad():`, e.g. w -= lr * w.grad; otherwise make a new tensor "
        "(y = x + 1) instead of changing x.",
    )


def scalar_conversion(error: BaseException, tensor) -> BaseException:
    """float(t) / math.exp(t) on a tensor with more than one element."""
    return add_note(
        error,
        f"Hint: float() and the math module's functions (math.exp, torch.math.exp, ...) take "
        f"one number, and this tensor has {tensor.numel()} elements. Use the tensor function "
        "instead, e.g. torch.exp(x): it works elementwise and keeps the graph for backward().",
    )


def warning_with_hint(message: str, hint: str) -> UserWarning:
    """torch's warning text unchanged, with the hint as a note on the warning object.

    The printed warning stays exactly torch's; the note shows when warnings are turned
    into errors (``python -W error``) and is readable as ``w.message.__notes__``.
    """
    return add_note(UserWarning(message), hint)


NON_LEAF_GRAD = (
    "Hint: only leaves (tensors you create with requires_grad=True) keep .grad. Read the "
    "leaf's .grad, or call .retain_grad() on this tensor before backward()."
)
SCALAR_WITH_GRAD = (
    "Hint: the Python number this gives has no history: the graph is cut here. Use chainrule "
    "functions (torch.exp, not math.exp) to keep differentiating."
)
