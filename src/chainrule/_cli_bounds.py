"""How much work one ``chainrule`` command may do, and the checks that refuse more.

The expression itself is bounded by :mod:`chainrule.expr` (length, nesting, exponents,
elements of each value and of the whole evaluation). What an expression costs to
differentiate is bounded here:

- ``MAX_DERIVATIVE_NODES``: graph nodes that all the derivative steps of ``diff`` and
  ``plot`` may build together. Each derivative of a nested expression builds a graph a
  few times larger than the one before (a 59-deep nest of ``sin`` grows about 3x per
  order), so the size of the next steps is projected from the growth seen so far and the
  command is refused as soon as the projection passes the limit: in milliseconds, not
  after minutes of work.
- ``MAX_ELEMENT_WORK``: graph nodes times the elements each holds (points of a plot,
  rows of a Jacobian or Hessian), for the derivative steps and the batched backward
  passes of ``jacobian`` and ``hessian``.
- ``MAX_MATRIX_ENTRIES``: entries of a Jacobian or Hessian.
"""

from __future__ import annotations

MAX_DERIVATIVE_NODES = 30_000  # about one second of graph building
MAX_ELEMENT_WORK = 50_000_000  # node-elements: about a second of array arithmetic
MAX_MATRIX_ENTRIES = 1_000_000


class LimitError(Exception):
    """A command that would do more work than the limits allow (exit status 1)."""


def graph_size(tensor) -> int:
    """Number of backward nodes reachable from ``tensor`` (0 for a tensor without history)."""
    root = getattr(tensor, "grad_fn", None)
    if root is None:
        return 0
    seen = {root}
    stack = [root]
    while stack:
        for child in stack.pop()._next:
            if child is not None and child not in seen:
                seen.add(child)
                stack.append(child)
    return len(seen)


def _projected_nodes(sizes: list, steps_left: int) -> float:
    """Nodes the next ``steps_left`` derivatives would build if each grows the graph as
    much as the last one did."""
    if len(sizes) < 2 or steps_left <= 0:
        return sizes[-1] * min(steps_left, 1)  # nothing seen grow yet: one more of the same
    growth = max(1.0, sizes[-1] / max(sizes[-2], 1))
    total, size = 0.0, float(sizes[-1])
    for _ in range(steps_left):  # at most MAX_ORDER steps: no overflow to fear
        size *= growth
        total += size
    return total


def _check_derivatives(sizes, built, steps_left, elements, order) -> None:
    node_limit = MAX_DERIVATIVE_NODES
    element_limit = MAX_ELEMENT_WORK / max(elements, 1)
    limit = min(node_limit, element_limit)
    total = built + _projected_nodes(sizes, steps_left)
    if total <= limit:
        return
    about = "about"
    if limit == node_limit:
        raise LimitError(
            f"derivatives up to order {order} of this expression would build {about} "
            f"{int(total):,} graph nodes (the limit is {node_limit:,}): lower --order or "
            "simplify the expression"
        )
    raise LimitError(
        f"derivatives up to order {order} on {elements:,} elements would build {about} "
        f"{int(total):,} graph nodes ({int(total * elements):,} node-elements; the limit is "
        f"{MAX_ELEMENT_WORK:,}): lower --order or use fewer elements (--points, --at)"
    )


def derivatives(output, x, order: int, elements: int) -> list:
    """``[f, df/dx, ..., d^order f/dx^order]`` (each the gradient of the previous one,
    summed over its elements), refused with :class:`LimitError` before the work passes
    the limits; ``elements`` is how many values each node holds."""
    import chainrule

    results = [output]
    sizes = [graph_size(output)]
    built = 0
    for n in range(order):
        _check_derivatives(sizes, built, order - n, elements, order)
        current = results[-1]
        if not current.requires_grad:  # a constant: every further derivative is zero
            results.append(chainrule.zeros_like(x))
            sizes.append(0)
            continue
        (grad,) = chainrule.autograd.grad(
            current, x, chainrule.ones_like(current), create_graph=n + 1 < order, allow_unused=True
        )
        results.append(chainrule.zeros_like(x) if grad is None else grad)
        sizes.append(graph_size(results[-1]))
        built += sizes[-1]
    return results


def check_matrix(command: str, rows: int, columns: int, forward_elements: int) -> None:
    """Refuse a Jacobian or Hessian of ``rows`` x ``columns`` entries that is too large,
    or whose batched backward (``rows`` cotangents through the graph) is too much work."""
    entries = rows * columns
    if entries > MAX_MATRIX_ENTRIES:
        raise LimitError(
            f"the {command} would have {entries:,} entries ({rows:,} x {columns:,}; the limit "
            f"is {MAX_MATRIX_ENTRIES:,}): use fewer elements"
        )
    work = rows * max(forward_elements, 1)
    if work > MAX_ELEMENT_WORK:
        raise LimitError(
            f"the {command} needs {rows:,} backward rows through {forward_elements:,} "
            f"computed elements ({work:,} node-elements; the limit is {MAX_ELEMENT_WORK:,}): "
            "use fewer elements"
        )
