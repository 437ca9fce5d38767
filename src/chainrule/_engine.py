"""The backward engine: run the recorded graph from outputs to inputs.

Two passes, both iterative (a million-node chain needs no recursion):
1. walk the graph from the roots with an explicit stack and count, for every node,
   how many edges lead into it (its dependencies);
2. run nodes whose gradients are complete, newest first (a heap keyed by sequence
   number), summing the gradients that flow into each node in an input buffer.

Nothing here iterates over a set, so gradients are summed in the same order every time.
"""

from __future__ import annotations

import heapq
import itertools
from operator import attrgetter
from sys import getrefcount

from . import _graph
from ._backend import big_own_buffer, write_into, xp
from ._graph import BACKWARD_TWICE, FREED, NO_OUTPUT_NUMBERS, AccumulateGrad, grad_state

_SEQ = attrgetter("_seq")
# Breaks ties between nodes of equal sequence number (leaf accumulators) in creation order.
_tiebreak = itertools.count().__next__


def _count_dependencies(root_nodes):
    """Number of incoming edges per node reachable from the roots (roots count from 0)."""
    deps = dict.fromkeys(root_nodes, 0)  # also the set of nodes already seen
    stack = list(root_nodes)
    while stack:
        for nxt in stack.pop()._next:
            if nxt is None:
                continue
            if nxt in deps:
                deps[nxt] += 1
            else:
                deps[nxt] = 1
                stack.append(nxt)
    return deps


def _nodes_leading_to(root_nodes, targets):
    """The nodes from which some target can be reached (plus the targets themselves), and the
    number of edges into each from the others.

    Only these need to run when gradients are wanted for some inputs only. A node is made
    after the nodes its edges point to, so in order of sequence number every node comes
    after its children -- except leaf accumulators (numbered last), which have no children
    and lead somewhere only when they are targets themselves.
    """
    seen = set(root_nodes)
    stack = list(root_nodes)
    while stack:
        for nxt in stack.pop()._next:
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    keep = set(targets)
    deps = {}  # incoming edges from kept nodes, as _count_dependencies counts them
    for node in sorted(seen, key=_SEQ):
        leads = node in keep
        for nxt in node._next:
            if nxt in keep:
                leads = True
                break
        if leads:
            keep.add(node)
            for nxt in node._next:
                if nxt in keep:
                    deps[nxt] = deps.get(nxt, 0) + 1
    return keep, deps


def _hook_result(fn, grad, result):
    """A hook's replacement gradient, checked as torch checks it."""
    if result is None:
        return grad
    name = getattr(fn, "__name__", type(fn).__name__)
    if result._data.shape != grad._data.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    if result._dtype is not grad._dtype:
        raise RuntimeError(
            f"hook '{name}' has changed the type of value (was {grad.type()} got {result.type()})"
        )
    return result


def _run_tensor_hooks(node, grads):
    for output_nr, fn in tuple(node._hooks["tensor"]):  # a copy: threads may add hooks
        grads[output_nr] = _hook_result(fn, grads[output_nr], fn(grads[output_nr]))


def _accumulate(node, grad, create_graph):
    """Add ``grad`` into the leaf's ``.grad`` (in place when possible, as torch does).

    The read-modify-write of ``.grad`` runs under the node's lock, so backward calls on
    several threads that share the leaf lose no update; hooks run outside it.
    """
    variable = node.variable
    if not variable._requires_grad:  # frozen after the graph was built: torch skips it
        return
    if grad._dtype is not variable._dtype:  # e.g. a float64 leaf used in a float32 op
        grad = grad.to(variable._dtype)
    hooks = variable._grad_hooks  # set with _accum on every leaf that has an accumulator
    if hooks:
        for fn in tuple(hooks):
            grad = _hook_result(fn, grad, fn(grad))
    lock = node.lock
    lock.acquire()  # not `with`: acquire/release cost half as much on the scalar path
    try:
        old = variable._grad
        if old is None:
            if create_graph:  # a recorded copy, as torch's CopyBackwards
                variable._grad = grad.new_zeros(grad.shape).copy_(grad)
            elif _unshared(grad):  # nobody else holds it: keep it (and its buffer), as torch
                variable._grad = grad
            else:
                variable._grad = grad._fresh_copy()
        elif create_graph or old.requires_grad:
            variable._grad = old + grad
        else:
            old._accumulate_(grad)
    finally:
        lock.release()
    hooks = variable._post_acc_hooks
    if hooks:
        for fn in tuple(hooks):
            fn(variable)


def _unshared(grad) -> bool:
    """Is this gradient referenced only by the engine, its array by nothing but the tensor?

    Then ``.grad`` may take over its buffer instead of copying it. The counts are CPython's:
    the engine's buffer and the two calls' arguments hold the tensor; the tensor alone holds
    an array that owns its memory. A gradient a hook kept,
    one sent along two edges, or a view of another array is copied instead.
    """
    data = grad._data
    return (
        getrefcount(grad) <= 4  # the buffer, the caller's and this argument, getrefcount's
        and data.base is None
        and getrefcount(data) <= 3  # the tensor, this local, getrefcount's
        and data.flags.writeable
    )


def _sum_gradients(buf, output_nr, grad, create_graph):
    """The buffer's gradient plus ``grad``: added in place when only the buffer holds the
    first one and its array (a gradient a rule made for this edge alone), else a new sum."""
    old = buf[output_nr]
    data = old._data
    if (
        not create_graph
        and big_own_buffer(data)
        and getrefcount(old) <= 3  # the buffer, `old`, getrefcount's argument
        and old._dtype is grad._dtype
        and grad._data.shape == data.shape
        and getrefcount(data) <= 3  # the tensor, `data`, getrefcount's argument
    ):
        write_into(xp.add, data, grad._data)
        return old
    return old + grad


def run_backward(roots, root_grads, retain_graph, create_graph, inputs=None, accumulate=True):
    """Backpropagate ``root_grads`` from the ``roots`` edges.

    roots: list of (node, output_nr) edges; root_grads: matching gradient tensors.
    inputs: optional list of (node, output_nr) edges whose incoming gradient is wanted.
    With accumulate=False (autograd.grad) those gradients are returned, not stored.
    """
    root_nodes = []
    for node, _ in roots:
        if node not in root_nodes:
            root_nodes.append(node)

    keep = captures = None
    if inputs is not None:
        captures = {}
        for index, (node, output_nr) in enumerate(inputs):
            captures.setdefault(node, []).append((output_nr, index))
        keep, deps = _nodes_leading_to(root_nodes, captures)
    else:
        deps = _count_dependencies(root_nodes)

    buffers = {}
    for (node, output_nr), grad in zip(roots, root_grads):
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._nout
        buf[output_nr] = grad if buf[output_nr] is None else buf[output_nr] + grad

    results = [None] * (len(inputs) if inputs is not None else 0)
    ready = [(-node._seq, _tiebreak(), node) for node in root_nodes if not deps.get(node)]
    heapq.heapify(ready)

    anomaly = _graph.extras.anomaly
    pop, push = heapq.heappop, heapq.heappush
    batch = grad_state.batch_ndim
    previous_mode = grad_state.enabled
    grad_state.enabled = create_graph
    try:
        while ready:
            node = pop(ready)[2]
            grads = buffers.pop(node)
            if node._hooks is not None:
                _run_tensor_hooks(node, grads)
            if captures is not None and node in captures:
                for output_nr, index in captures[node]:
                    results[index] = grads[output_nr]
            if type(node) is AccumulateGrad:
                if accumulate and grads[0] is not None:
                    _accumulate(node, grads[0], create_graph)
                continue
            if captures is not None and node in captures and not _leads_further(node, keep):
                continue  # a wanted input, but nothing beyond it is wanted
            if node._hooks is None and not batch and not anomaly and node._saved is not FREED:
                # the common case, _call_node without hooks and batches, inlined
                input_grads = node.vjp(node, grads[0] if node._nout == 1 else grads)
                if node._shapes is not None:
                    input_grads = _unbroadcast(input_grads, node._shapes)
            elif anomaly:
                input_grads = _call_node_with_anomaly_checks(node, grads)
            else:
                input_grads = _call_node(node, grads)
            if not retain_graph and node._saved is not None:
                node._saved = FREED  # saved values go with the first backward
            for nxt, output_nr, grad in zip(
                node._next, node._nrs or NO_OUTPUT_NUMBERS, input_grads
            ):
                if nxt is None or (keep is not None and nxt not in keep):
                    continue
                if grad is not None:
                    if (
                        type(nxt) is AccumulateGrad
                        and grad._data.shape[batch:] != nxt.variable._data.shape
                    ):
                        _leaf_grad_error(node, input_grads, nxt, grad)
                    buf = buffers.get(nxt)
                    if buf is None:
                        buf = buffers[nxt] = [None] * nxt._nout
                    if buf[output_nr] is None:
                        buf[output_nr] = grad
                    else:
                        buf[output_nr] = _sum_gradients(buf, output_nr, grad, create_graph)
                remaining = deps[nxt] - 1
                deps[nxt] = remaining
                if remaining == 0:
                    if nxt in buffers:
                        push(ready, (-nxt._seq, _tiebreak(), nxt))
                    else:
                        _skip_subgraph(nxt, deps, keep, buffers, ready)
            input_grads = grad = None  # the buffers own the gradients now (see _unshared)
    finally:
        grad_state.enabled = previous_mode
    return results


def _leaf_grad_error(node, input_grads, accumulate_node, grad):
    """A rule must return a gradient of its input's shape (torch checks this too)."""
    edges = zip(node.next_functions, input_grads)
    index = next(i for i, ((n, _), g) in enumerate(edges) if n is accumulate_node and g is grad)
    variable = accumulate_node.variable
    shape = grad._data.shape[grad_state.batch_ndim :]
    raise RuntimeError(
        f"Function {type(node).__name__} returned an invalid gradient at index {index} - got "
        f"{list(shape)} but expected shape compatible with {list(variable._data.shape)}"
    )


def _unbroadcast(input_grads, shapes):
    """Sum broadcast gradients back to their inputs' shapes (None: shape unchanged)."""
    return tuple(
        _graph.sum_to_shape(g, shape) if shape is not None and g is not None else g
        for g, shape in zip(input_grads, shapes)
    )


def _leads_further(node, keep):
    return any(nxt in keep for nxt in node._next if nxt is not None)


def _skip_subgraph(start, deps, keep, buffers, ready):
    """A node that received no gradient at all: release its dependants without running it."""
    stack = [start]
    while stack:
        node = stack.pop()
        for nxt in node._next:
            if nxt is None or (keep is not None and nxt not in keep):
                continue
            deps[nxt] -= 1
            if deps[nxt] == 0:
                if nxt in buffers:
                    heapq.heappush(ready, (-nxt._seq, _tiebreak(), nxt))
                else:
                    stack.append(nxt)


def _call_row_by_row(node, grads):
    """Batched gradients through a rule that only takes one row: loop and stack."""
    (rows,) = {g._data.shape[0] for g in grads if g is not None}
    batch = grad_state.batch_ndim
    grad_state.batch_ndim = 0
    try:
        per_row = []
        for i in range(rows):
            row = [None if g is None else g[i] for g in grads]
            per_row.append(node.vjp(node, row[0]) if node._nout == 1 else node.vjp(node, row))
    finally:
        grad_state.batch_ndim = batch
    return tuple(None if parts[0] is None else _graph.stack_rows(parts) for parts in zip(*per_row))


def _call_node(node, grads):
    """Run one node's VJP rule, with its hooks, and undo broadcasting of the results."""
    if node._saved is FREED:
        from ._hints import backward_twice

        raise backward_twice(RuntimeError(BACKWARD_TWICE))
    hooks = node._hooks
    if hooks is not None:
        for fn in tuple(hooks["pre"]):  # copies: threads may add hooks meanwhile
            result = fn(tuple(grads))
            if result is not None:
                grads = list(result)
    if grad_state.batch_ndim and not node.batchable:
        input_grads = _call_row_by_row(node, grads)
    elif node._nout == 1:
        input_grads = node.vjp(node, grads[0])
    else:
        input_grads = node.vjp(node, grads)
    if node._shapes is not None:
        input_grads = _unbroadcast(input_grads, node._shapes)
    if hooks is not None and hooks["post"]:
        for fn in tuple(hooks["post"]):
            result = fn(tuple(input_grads), tuple(grads))
            if result is not None:
                input_grads = tuple(result)
    return input_grads


def _call_node_with_anomaly_checks(node, grads):
    """Anomaly mode: show the forward traceback of a failing node; NaN results are errors."""
    try:
        input_grads = _call_node(node, grads)
        if _graph.extras.check_nan:
            for index, grad in enumerate(input_grads):
                if grad is not None and grad._data.dtype.kind in "fc":
                    if xp.isnan(grad._data).any():
                        raise RuntimeError(
                            f"Function '{node.name()}' returned nan values in its {index}th output."
                        )
    except Exception:
        import warnings

        trace = "".join(node.metadata.get("traceback_", ()))
        warnings.warn(
            f"Error detected in {node.name()}. Traceback of forward call that caused the "
            f"error:\n{trace}",
            UserWarning,
            stacklevel=2,
        )
        raise
    return input_grads
