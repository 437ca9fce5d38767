"""torch's argument-parser errors: the TypeError texts for a call that matches no signature.

torch checks the arguments of its built-in functions against their signatures. When exactly
one signature takes as many arguments as were given, it names the argument of the wrong
type ("prod(): argument 'dim' (position 1) must be int, not tuple"); otherwise it lists what
it got and every signature ("prod() received an invalid combination of arguments - got
(tuple), but expected one of: ..."). These helpers write those texts.
"""

from __future__ import annotations

from ._tensor import Tensor


def type_name(value) -> str:
    """The name torch gives an argument's type."""
    if isinstance(value, Tensor):
        return "Tensor"
    kind = type(value)
    if kind.__name__ == "dtype" and kind.__module__.startswith("chainrule"):
        return "torch.dtype"
    return kind.__name__


def describe(args, kwargs) -> str:
    """What was given, as torch lists it: ``(Tensor, dim=tuple)`` or ``(keepdim=bool, )``."""
    text = ", ".join(type_name(a) for a in args)
    if not kwargs:
        return f"({text})"
    named = [f"{key}={type_name(value)}" for key, value in kwargs.items()]
    if args:
        return f"({text}, {', '.join(named)})"
    return "(" + "".join(name + ", " for name in named) + ")"


def invalid_combination(name: str, args, kwargs, options) -> TypeError:
    listing = "".join(f" * ({option})\n" for option in options)
    return TypeError(
        f"{name}() received an invalid combination of arguments - got "
        f"{describe(args, kwargs)}, but expected one of:\n{listing}"
    )


def wrong_type(name: str, argument: str, position, expected: str, value) -> TypeError:
    where = f" (position {position})" if position is not None else ""
    return TypeError(
        f"{name}(): argument '{argument}'{where} must be {expected}, not {type_name(value)}"
    )


def require_tensor(name: str, argument: str, position: int, value, method: bool) -> None:
    """torch's TypeError for a Python number (or anything else) where a tensor is needed;
    ``position`` counts the input as 1 (the method form counts from its first argument)."""
    if not isinstance(value, Tensor):
        raise wrong_type(name, argument, position - 1 if method else position, "Tensor", value)
