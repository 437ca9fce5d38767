"""Nested tuples, lists and dicts of tensors (pytrees): flatten, rebuild, compare.

>>> leaves, spec = tree_flatten({"a": 1, "b": (2, 3)})
>>> leaves
[1, 2, 3]
>>> tree_unflatten([4, 5, 6], spec)
{'a': 4, 'b': (5, 6)}
"""

from __future__ import annotations

_CONTAINERS = (tuple, list, dict)


class TreeSpec:
    """The shape of a pytree without its leaves; prints as torch's ``TreeSpec``."""

    __slots__ = ("kind", "context", "children")

    def __init__(self, kind, context, children):
        self.kind = kind  # None for a leaf
        self.context = context  # dict keys, or None
        self.children = children

    @property
    def num_leaves(self) -> int:
        if self.kind is None:
            return 1
        return sum(child.num_leaves for child in self.children)

    def is_leaf(self) -> bool:
        return self.kind is None

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, TreeSpec)
            and self.kind is other.kind
            and self.context == other.context
            and self.children == other.children
        )

    def __hash__(self):
        return id(self)

    def __repr__(self) -> str:
        if self.kind is None:
            return "*"
        children = ",\n  ".join(repr(c) for c in self.children)
        return f"TreeSpec({self.kind.__name__}, {self.context}, [{children}])"


LEAF = TreeSpec(None, None, ())


def tree_flatten(tree) -> tuple[list, TreeSpec]:
    """The leaves of ``tree`` in order and its structure."""
    leaves: list = []
    return leaves, _flatten(tree, leaves)


def _flatten(tree, leaves) -> TreeSpec:
    kind = type(tree)
    if kind in (tuple, list):
        return TreeSpec(kind, None, [_flatten(v, leaves) for v in tree])
    if kind is dict:
        keys = list(tree)
        return TreeSpec(dict, keys, [_flatten(tree[k], leaves) for k in keys])
    leaves.append(tree)
    return LEAF


def tree_unflatten(leaves, spec: TreeSpec):
    """Rebuild a tree of ``spec``'s structure from ``leaves``."""
    supply = iter(leaves)
    return _build(spec, supply)


def _build(spec, supply):
    if spec.kind is None:
        return next(supply)
    children = [_build(child, supply) for child in spec.children]
    if spec.kind is dict:
        return dict(zip(spec.context, children))
    return spec.kind(children)


def tree_map(fn, tree):
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(leaf) for leaf in leaves], spec)


def broadcast_prefix(prefix, tree, what: str) -> list:
    """One value per leaf of ``tree``: ``prefix`` is a leaf (shared) or mirrors the tree.

    Raises ValueError(what) when the structures do not match.
    """
    out: list = []
    _broadcast(prefix, tree, out, what)
    return out


def _broadcast(prefix, tree, out, what):
    if type(prefix) not in _CONTAINERS:
        out.extend([prefix] * tree_flatten(tree)[1].num_leaves)
        return
    if type(prefix) is not type(tree) or len(prefix) != len(tree):
        raise ValueError(what)
    if type(tree) is dict:
        if set(prefix) != set(tree):
            raise ValueError(what)
        for key in tree:
            _broadcast(prefix[key], tree[key], out, what)
        return
    for p, t in zip(prefix, tree):
        _broadcast(p, t, out, what)
