"""Comparing torch's outcome of a program with chainrule's.

Compared: the exception (type, line and message text; only memory addresses are
normalised), the warnings, the final value, dtype, shape, version counter, repr and grad_fn
name, every recorded value, and first and second derivatives with their reprs. The few
differences ALLOWED_DIFFERENCES lists are accepted here; everything else is a problem.
"""

import re

import numpy as np

_NUMBER = re.compile(r"-?\d+\.?\d*(e[+-]?\d+)?|nan|inf")
_NEGATIVE_ZERO = re.compile(r"-(0\.0*)(?![0-9])")
_VIEW_NODES = ("ViewBackward0", "UnsafeViewBackward0", "ReshapeAliasBackward0")


def _skeleton(text):
    """A repr without its numbers and spacing (gradients agree to a tolerance, not digits)."""
    return re.sub(r"\s+", "", _NUMBER.sub("#", text))


def _signed_zeros_only(u, v):
    """Do two reprs differ only in the signs of zeros (and the widths that follow)?"""
    if not (_NEGATIVE_ZERO.search(u) or _NEGATIVE_ZERO.search(v)):
        return False
    return re.sub(r"\s+", "", _NEGATIVE_ZERO.sub(r"\1", u)) == re.sub(
        r"\s+", "", _NEGATIVE_ZERO.sub(r"\1", v)
    )


def _close(a, b, dtype):
    rtol, atol = {
        "torch.float32": (2e-3, 2e-4),
        "torch.float16": (3e-3, 1e-3),
        "torch.bfloat16": (1e-2, 1e-2),
    }.get(dtype, (1e-6, 1e-8))
    return a.shape == b.shape and np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


def _same_node(a, b):
    """Align grad_fn names that differ only by memory layout or an unrecorded change."""
    if a["grad_fn"] in _VIEW_NODES and b["grad_fn"] in _VIEW_NODES:  # reshape of a layout
        a["repr"] = a["repr"].replace(a["grad_fn"], b["grad_fn"])
        a["grad_fn"] = b["grad_fn"]
    if a["grad_fn"] == "AsStridedBackward0" and b["grad_fn"] is not None:
        # torch regenerates a view's node after any change of its version, recorded or not
        a["repr"] = a["repr"].replace("AsStridedBackward0", b["grad_fn"])
        a["grad_fn"] = b["grad_fn"]


def compare_tensor(a, b, what="z"):
    """None when two tensor summaries agree, else what differs."""
    a, b = dict(a), dict(b)
    _same_node(a, b)
    for key in ("dtype", "shape", "grad_fn", "version", "requires_grad", "is_leaf"):
        if a.get(key) != b.get(key):
            return f"{what} {key}: torch {a.get(key)} vs chainrule {b.get(key)}"
    if not _close(a["value"], b["value"], a["dtype"]):
        return f"{what} value differs: torch {a['repr']!r} vs chainrule {b['repr']!r}"
    if (
        a["repr"] != b["repr"]
        and not _signed_zeros_only(a["repr"], b["repr"])
        and (
            _NUMBER.sub("#", a["repr"]) != _NUMBER.sub("#", b["repr"])
            or np.array_equal(a["value"], b["value"], equal_nan=True)
        )
    ):
        return f"{what} repr: torch {a['repr']!r} vs chainrule {b['repr']!r}"
    return None


def compare_records(a, b, what="record"):
    """None when two recorded values (see outcome.summary) agree."""
    if isinstance(a, dict) and isinstance(b, dict):
        return compare_tensor(a, b, what)
    if isinstance(a, tuple) and isinstance(b, tuple):
        if len(a) != len(b):
            return f"{what}: {len(a)} items in torch, {len(b)} in chainrule"
        for i, (u, v) in enumerate(zip(a, b)):
            problem = compare_records(u, v, f"{what}[{i}]")
            if problem:
                return problem
        return None
    if isinstance(a, float) and isinstance(b, float):
        same = np.isclose(a, b, rtol=1e-5, atol=1e-7, equal_nan=True)
        return None if same else f"{what}: torch {a!r} vs chainrule {b!r}"
    if type(a) is not type(b) or a != b:
        return f"{what}: torch {a!r} vs chainrule {b!r}"
    return None


def _brief(outcome):
    if outcome[0] == "ok":
        return "ran: " + outcome[1].get("repr", "(no z)")
    return outcome[:-1] if outcome[0] == "raised in backward" else outcome


def _accepted_exception(theirs, ours):
    """The exception differences ALLOWED_DIFFERENCES names."""
    if theirs[0] == "raised in backward" and theirs[2].startswith(
        "unsupported operation: more than one element"
    ):  # writes into expanded tensors: torch finds the overlap in backward
        return ours[0] == "ok" or (ours[0] == "raised" and theirs[1:3] == ours[2:4])
    if theirs[0] == "raised" and theirs[3].startswith("view size is not compatible"):
        return ours[0] == "ok"  # torch kept a permuted layout that chainrule made contiguous
    if theirs[0] == "raised in backward" and theirs[2].startswith("size mismatch (got input"):
        return ours[0] == "raised" and ours[2] == theirs[1]  # nll_loss: see ALLOWED_DIFFERENCES
    if theirs[0] == "raised" and theirs[3].startswith("setStorage: "):
        return ours[:3] == theirs[:3]  # torch's storage layer fails first (an empty view)
    return False


def compare(theirs, ours, lines=(), pending_messages=()):
    """None when the outcomes agree, else what differs (ALLOWED_DIFFERENCES aside).

    ``pending_messages``: regular expressions for torch messages whose wording another
    branch is fixing; for those only the exception type and line are compared.
    """
    if _accepted_exception(theirs, ours):
        return None
    if theirs[0] != ours[0]:
        return f"torch {_brief(theirs)} vs chainrule {_brief(ours)}"
    if theirs[0] == "raised":
        if theirs[1:3] != ours[1:3]:
            return f"torch raised {theirs[1:]}, chainrule {ours[1:]}"
        if theirs[3] != ours[3] and not any(re.search(p, theirs[3]) for p in pending_messages):
            return f"message: torch {theirs[3]!r} vs chainrule {ours[3]!r}"
        return None
    if theirs[0] == "raised in backward":
        if theirs[1] != ours[1]:
            return f"backward: torch {theirs[1]}: {theirs[2]}, chainrule {ours[1]}: {ours[2]}"
        if theirs[2] != ours[2] and not any(re.search(p, theirs[2]) for p in pending_messages):
            return f"backward message: torch {theirs[2]!r} vs chainrule {ours[2]!r}"
        theirs, ours = ("ok", theirs[3]), ("ok", ours[3])
    return _compare_results(dict(theirs[1]), dict(ours[1]))


# warnings torch gives once per process (TORCH_WARN_ONCE): which program sees them depends on
# the order programs run in, so they are left out on both sides
WARN_ONCE = (
    r"The use of `x\.T` on tensors of dimension other than 2",
    r"Tensor\.mT is deprecated on 0-D tensors",
    r"Tensor\.T is deprecated on 0-D tensors",
)


def _warnings(result):
    return [w for w in result["warnings"] if not any(re.search(p, w) for p in WARN_ONCE)]


def _compare_results(a, b):
    if _warnings(a) != _warnings(b):
        return f"warnings: torch {a['warnings']} vs chainrule {b['warnings']}"
    problem = compare_records(a["records"], b["records"], "R")
    if problem:
        return problem
    if ("value" in a) != ("value" in b):
        return "z: a tensor on one side only"
    if "value" not in a:
        return None
    problem = compare_tensor(a, b)
    if problem:
        return problem
    if not np.isfinite(a["value"]).all():
        return None  # nan / inf values: gradients are not compared (ALLOWED_DIFFERENCES)
    return _compare_derivatives(a, b)


def _compare_derivatives(a, b):
    for one, other in ((b, a), (a, b)):
        if (
            "second" in one
            and "second" not in other
            and all(g is None or np.allclose(g, 0, atol=1e-6) for g in one["second"])
        ):
            one.pop("second")  # a constant first derivative: a graph on one side only
    for key in ("grads", "second"):
        if (key in a) != (key in b):
            return f"{key}: present in {'torch' if key in a else 'chainrule'} only"
        for i, (u, v) in enumerate(zip(a.get(key, ()), b.get(key, ()))):
            if key == "second" and (u is None) != (v is None):
                # no graph on one side, a zero second derivative on the other
                u, v = (
                    (np.zeros_like(v) if u is None else u),
                    (np.zeros_like(u) if v is None else v),
                )
            if (u is None) != (v is None):
                return f"{key}[{i}]: None in {'torch' if u is None else 'chainrule'} only"
            if u is not None and key == "second" and (np.isnan(u).any() or np.isnan(v).any()):
                both = ~(np.isnan(u) | np.isnan(v))  # 0/0 in a formula: nan patterns differ
                u, v = u[both], v[both]
            if u is not None and not _close(u, v, a["dtype"]):
                return f"{key}[{i}] differs: torch {u.tolist()} vs chainrule {v.tolist()}"
    for u, v in zip(a.get("grad reprs", ()), b.get("grad reprs", ())):
        if u is not None and v is not None and _signed_zeros_only(u, v):
            continue
        if u != v and (u is None or v is None or _skeleton(u) != _skeleton(v)):
            return f"grad repr: torch {u!r} vs chainrule {v!r}"
    return None
