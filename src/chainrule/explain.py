"""The chain rule written out: replay a graph's backward pass and show every product.

:func:`explain` walks the graph of a tensor exactly as the engine does (dependency counts,
newest node first), calls each node's backward rule with the gradient flowing into it,
and records, for each input of the node, the local derivative (the rule applied to a unit
gradient), the incoming gradient and the product passed on. Nothing is changed: no
``.grad`` is written and the graph's saved values are kept.

>>> import chainrule as torch
>>> x = torch.tensor(1., requires_grad=True)
>>> z = torch.exp(2 * x**3 + x)
>>> torch.explain(z, names={"x": x}).gradients
[('x', tensor(140.5988))]
"""

from __future__ import annotations

import heapq
import html
import itertools
import re

from . import _graph
from ._engine import _count_dependencies
from ._graph import FREED, AccumulateGrad, grad_state
from ._tensor import Tensor, edge

FREED_MESSAGE = (
    "explain() replays the backward pass and needs the values the graph saved, but a "
    "backward() without retain_graph=True has already freed them. Call explain() before "
    "backward(), or call backward(retain_graph=True)."
)


class Step:
    """One node of the backward pass: what flowed in and what it passed to each input."""

    __slots__ = ("index", "node", "label", "incoming", "edges")

    def __init__(self, index, node, label, incoming, edges):
        self.index = index  # 1-based position in the engine's order
        self.node = node
        self.label = label  # the forward operation (or the leaf's name)
        self.incoming = incoming  # gradient of the output w.r.t. this node's output
        self.edges = edges  # [(input label, local derivative or None, product passed on)]

    @property
    def is_leaf(self) -> bool:
        return type(self.node) is AccumulateGrad

    @property
    def node_name(self) -> str:
        return self.node.name() if self.is_leaf else type(self.node).__name__


def op_name(node) -> str:
    """A short name for what a node's forward did: ``PowBackward0`` -> ``pow``."""
    if type(node) is AccumulateGrad:
        return "leaf"
    return re.sub(r"Backward\d*$", "", type(node).__name__).lower() or type(node).__name__


def name_pairs(names) -> list:
    """``names`` as ``(label, tensor)`` pairs: a dict, or pairs (labels may repeat)."""
    if not names:
        return []
    return list(names.items()) if isinstance(names, dict) else list(names)


def node_labels(root: Tensor, names=None) -> dict:
    """Labels for the graph's nodes: the given names first, then op names and leaf numbers."""
    labels = {}
    if names:
        for name, tensor in name_pairs(names):
            if isinstance(tensor, Tensor) and tensor.requires_grad:
                node, output_nr = edge(tensor)
                if node is not None and output_nr == 0:
                    labels.setdefault(node, str(name))
    leaf_count = itertools.count(1)
    unnamed = [node for node in graph_nodes(root) if node not in labels]
    ops = [op_name(node) for node in unnamed]
    seen = {}
    for node, op in zip(unnamed, ops):
        if type(node) is AccumulateGrad:
            labels[node] = f"leaf{next(leaf_count)}"
        elif ops.count(op) > 1:  # two pows: pow#1, pow#2 (depth first from the output)
            seen[op] = seen.get(op, 0) + 1
            labels[node] = f"{op}#{seen[op]}"
        else:
            labels[node] = op
    return labels


def graph_nodes(root: Tensor) -> list:
    """Every node reachable from ``root``, in a stable order (depth first from the root)."""
    start = edge(root)[0]
    if start is None:
        return []
    seen = {start}
    order = [start]
    stack = [start]
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                order.append(nxt)
                stack.append(nxt)
    return order


def _seed(root: Tensor, gradient):
    from .ops.creation import ones_like

    if gradient is None:
        return ones_like(root.detach())
    return gradient.detach() if isinstance(gradient, Tensor) else root.new_tensor(gradient)


def _call(node, grads):
    """The node's rule on ``grads``, with broadcasting undone as the engine does."""
    result = node.vjp(node, grads[0]) if node._nout == 1 else node.vjp(node, grads)
    shapes = node._shapes
    if shapes is not None:
        result = tuple(
            _graph.sum_to_shape(g, s) if s is not None and g is not None else g
            for g, s in zip(result, shapes)
        )
    return tuple(result)


def _local_derivatives(node, grads):
    """The rule applied to a unit gradient: d output / d input, for a one-element output."""
    if node._nout != 1 or grads[0] is None or grads[0].numel() != 1:
        return None
    from .ops.creation import ones_like

    return _call(node, [ones_like(grads[0])])


def backward_steps(root: Tensor, gradient=None, labels=None) -> list:
    """The backward pass of ``root``'s graph as a list of :class:`Step`, in engine order.

    >>> import chainrule as torch
    >>> x = torch.tensor(2., requires_grad=True)
    >>> [s.node_name for s in backward_steps(x ** 2)]
    ['PowBackward0', 'torch::autograd::AccumulateGrad']
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"explain() needs a Tensor, got {type(root).__name__}")
    if not root.requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    labels = labels if labels is not None else node_labels(root)
    start, output_nr = edge(root)
    deps = _count_dependencies([start])
    buffers = {start: [None] * start._nout}
    buffers[start][output_nr] = _seed(root, gradient)
    tiebreak = itertools.count().__next__
    ready = [(-start._seq, tiebreak(), start)]
    steps = []
    previous, grad_state.enabled = grad_state.enabled, False
    try:
        while ready:
            node = heapq.heappop(ready)[2]
            grads = buffers.pop(node)
            if type(node) is AccumulateGrad:
                steps.append(Step(len(steps) + 1, node, labels.get(node, "leaf"), grads[0], []))
                continue
            if node._saved is FREED:
                raise RuntimeError(FREED_MESSAGE)
            products = _call(node, grads)
            local = _local_derivatives(node, grads)
            edges = []
            for i, ((nxt, nr), grad) in enumerate(zip(node.next_functions, products)):
                if nxt is None:
                    continue
                edges.append(
                    (labels.get(nxt, op_name(nxt)), None if local is None else local[i], grad)
                )
                if grad is not None:
                    buf = buffers.setdefault(nxt, [None] * nxt._nout)
                    buf[nr] = grad if buf[nr] is None else buf[nr] + grad
                deps[nxt] -= 1
                if deps[nxt] == 0:
                    if nxt in buffers:
                        heapq.heappush(ready, (-nxt._seq, tiebreak(), nxt))
                    else:
                        _release(nxt, deps, buffers, ready, tiebreak)
            incoming = grads[0] if node._nout == 1 else grads
            steps.append(Step(len(steps) + 1, node, labels.get(node), incoming, edges))
    finally:
        grad_state.enabled = previous
    return steps


def _release(start, deps, buffers, ready, tiebreak):
    """A node that received no gradient: free its dependants without running it."""
    stack = [start]
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            deps[nxt] -= 1
            if deps[nxt] == 0:
                if nxt in buffers:
                    heapq.heappush(ready, (-nxt._seq, tiebreak(), nxt))
                else:
                    stack.append(nxt)


def fmt(value) -> str:
    """A tensor's numbers as chainrule prints them, without the ``tensor(...)`` wrapper."""
    if value is None:
        return "-"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(fmt(v) for v in value) + ")"
    if not isinstance(value, Tensor):
        return str(value)
    text = repr(value.detach())
    text = text[len("tensor(") : -1] if text.startswith("tensor(") else text
    return " ".join(text.split())


MAX_CELL_ELEMENTS = 6  # larger tensors show as their shape in the table (values: to_dict)


def cell(value) -> str:
    """A table cell: the numbers of a small tensor, the shape of a large one."""
    if isinstance(value, Tensor) and value.numel() > MAX_CELL_ELEMENTS:
        return "<" + "x".join(str(n) for n in value.shape) + " values>"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(cell(v) for v in value) + ")"
    return fmt(value)


class Explanation:
    """The backward table of a tensor: prints in a terminal, renders as HTML in Jupyter.

    ``steps`` lists the nodes in the order the engine runs them; ``gradients`` gives each
    leaf's gradient as ``(label, tensor)``.
    """

    HEADER = ("step", "node", "computes", "input", "local derivative", "incoming", "passed on")

    def __init__(self, root: Tensor, steps: list, title: str | None = None):
        self.root = root
        self.steps = steps
        self.title = title

    @property
    def gradients(self) -> list:
        return [(s.label, s.incoming) for s in self.steps if s.is_leaf]

    def rows(self) -> list:
        """The table as rows of strings (one row per input edge of each node)."""
        rows = []
        for step in self.steps:
            if step.is_leaf:
                rows.append(
                    (
                        str(step.index),
                        "AccumulateGrad",
                        step.label,
                        ".grad",
                        "",
                        cell(step.incoming),
                        "",
                    )
                )
                continue
            first = True
            for label, local, product in step.edges or [("", None, None)]:
                head = (str(step.index), step.node_name, step.label) if first else ("", "", "")
                incoming = cell(step.incoming) if first else ""
                rows.append(head + (label, cell(local), incoming, cell(product)))
                first = False
        return rows

    def __str__(self) -> str:
        rows = [self.HEADER, *self.rows()]
        widths = [max(len(row[i]) for row in rows) for i in range(len(self.HEADER))]
        lines = []
        if self.title:
            lines.append(self.title)
        lines.append(f"output: {self.root!r}")
        lines.append("backward pass (newest node first): passed on = local derivative x incoming")
        for n, row in enumerate(rows):
            lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        lines.append("gradients:")
        lines.extend(f"  {label}.grad = {grad!r}" for label, grad in self.gradients)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(f"<th>{esc(h)}</th>" for h in self.HEADER)
        body = "".join(
            "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>"
            for row in self.rows()
        )
        grads = "".join(
            f"<li><code>{esc(label)}.grad = {esc(repr(g))}</code></li>"
            for label, g in self.gradients
        )
        title = f"<p><b>{esc(self.title)}</b></p>" if self.title else ""
        return (
            f"{title}<p>output: <code>{esc(repr(self.root))}</code></p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            f"<p>gradients:</p><ul>{grads}</ul>"
        )

    def to_dict(self) -> dict:
        """Plain numbers, for ``--json``."""

        def plain(value):
            if value is None:
                return None
            if isinstance(value, (list, tuple)):
                return [plain(v) for v in value]
            return value.detach().tolist()

        return {
            "output": plain(self.root),
            "steps": [
                {
                    "step": s.index,
                    "node": s.node_name,
                    "computes": s.label,
                    "incoming": plain(s.incoming),
                    "inputs": [
                        {"input": label, "local": plain(local), "passed_on": plain(product)}
                        for label, local, product in s.edges
                    ],
                }
                for s in self.steps
            ],
            "gradients": {label: plain(g) for label, g in self.gradients},
        }


def explain(tensor: Tensor, names: dict | None = None, gradient=None, title=None) -> Explanation:
    """The backward pass of ``tensor``'s graph as a table: the chain rule in numbers.

    ``names`` maps labels to tensors of the graph (leaves or intermediate results), as a
    dict or as ``(label, tensor)`` pairs, so the table can name them; unnamed leaves are
    ``leaf1``, ``leaf2``, ...; unnamed operations are named after their node
    (``PowBackward0`` computes ``pow``).

    >>> import chainrule as torch
    >>> u, v = torch.tensor(2., requires_grad=True), torch.tensor(1., requires_grad=True)
    >>> table = torch.explain(u * v + (u * v) ** 2, names={"u": u, "v": v})
    >>> table.gradients
    [('u', tensor(5.)), ('v', tensor(10.))]
    """
    labels = (
        node_labels(tensor, names) if isinstance(tensor, Tensor) and tensor.requires_grad else {}
    )
    return Explanation(tensor, backward_steps(tensor, gradient, labels), title)


class _CallableModule(type(_graph)):
    """``chainrule.explain`` is this module once imported: calling it calls :func:`explain`."""

    def __call__(self, *args, **kwargs):
        return explain(*args, **kwargs)


import sys  # noqa: E402

sys.modules[__name__].__class__ = _CallableModule
