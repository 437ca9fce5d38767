"""What the transforms share: argnums, lifting inputs into a differentiable graph."""

from __future__ import annotations

from .. import _registry
from .._backend import xp
from .._tensor import Tensor, make
from ..autograd import forward_ad
from ._pytree import tree_flatten, tree_unflatten


def check_argnums(argnums, nargs: int) -> tuple:
    """The argnums as a tuple, checked as torch.func checks them."""
    if isinstance(argnums, int) and not isinstance(argnums, bool):
        numbers = (argnums,)
    elif isinstance(argnums, tuple) and all(
        isinstance(a, int) and not isinstance(a, bool) for a in argnums
    ):
        if not argnums:
            raise RuntimeError("argnums must be non-empty")
        if len(set(argnums)) != len(argnums):
            raise RuntimeError(f"argnums elements must be unique, got {argnums}")
        numbers = argnums
    else:
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    for a in numbers:
        if not -nargs <= a < nargs:
            raise RuntimeError(f"Got argnum={a}, but only {nargs} positional inputs")
    return tuple(a % nargs for a in numbers)


def lift(t):
    """A tensor that requires grad, computed from ``t`` (so outer transforms see through it).

    It keeps ``t``'s tangents, and makes every op record: some ops only derive tangents when
    they record (see forward_ad).
    """
    if not isinstance(t, Tensor):
        raise RuntimeError(f"Expected tensors, got unsupported type {type(t)}")
    if t._requires_grad:
        return t.view_as(t)
    out = t.detach().requires_grad_(True)
    forward_ad.copy_tangents(t, out)
    return out


def outer_active(originals) -> bool:
    """Must results stay connected to the inputs (an outer transform or autograd uses them)?"""
    return _registry.dual_depth > 0 or any(
        isinstance(t, Tensor) and t._requires_grad for t in originals
    )


def settle(value, keep: bool):
    """Detach results nobody outside differentiates."""
    if keep or not isinstance(value, Tensor):
        return value
    return value.detach()


def zeros_like(t: Tensor) -> Tensor:
    return make(xp.zeros(t._data.shape, t._dtype.np), t._dtype)


def lift_args(args, positions):
    """args with the trees at ``positions`` lifted; the lifted leaves and their structure."""
    args = list(args)
    trees = []
    for p in positions:
        leaves, spec = tree_flatten(args[p])
        lifted = [lift(leaf) for leaf in leaves]
        args[p] = tree_unflatten(lifted, spec)
        trees.append(args[p])
    return args, trees
