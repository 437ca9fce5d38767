"""torch.autograd: backward, grad, grad modes, and the functional API (jacobian, hessian)."""

from __future__ import annotations

from .. import _backend
from .._engine import run_backward
from .._graph import (  # noqa: F401
    enable_grad,
    grad_state,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .._tensor import Tensor, edge, make
from . import (
    forward_ad,  # noqa: F401
    functional,  # noqa: F401
    graph,  # noqa: F401
)
from .anomaly_mode import (  # noqa: F401
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from .function import Function, FunctionCtx, once_differentiable  # noqa: F401
from .gradcheck import GradcheckError, gradcheck, gradgradcheck  # noqa: F401


def _as_tuple(value):
    if value is None:
        return None
    if isinstance(value, Tensor):
        return (value,)
    return tuple(value)


def _make_grads(outputs, grads, batched=False):
    """Fill in and check the gradients flowing into the outputs."""
    result = []
    for i, (out, grad) in enumerate(zip(outputs, grads)):
        if grad is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not out._dtype.is_floating_point:
                raise RuntimeError(
                    "grad can be implicitly created only for real scalar outputs but got "
                    f"{out._dtype}"
                )
            grad = make(out._data.__class__(out._data.shape, out._data.dtype), out._dtype)
            grad._data.fill(1)
        elif not isinstance(grad, Tensor):
            raise TypeError(
                "gradients can be either Tensors or None, but got " + type(grad).__name__
            )
        else:
            shape = grad._data.shape[1:] if batched else grad._data.shape
            if shape != out._data.shape:
                expected = out.shape
                got = grad.shape[1:] if batched else grad.shape
                what = (
                    "If `is_grads_batched=True`, we interpret the first dimension of each "
                    "grad_output as the batch dimension. "
                    if batched
                    else ""
                )
                raise RuntimeError(
                    f"{what}Mismatch in shape: grad_output[{i}] has a shape of {got} and "
                    f"output[{i}] has a shape of {expected}."
                )
            if grad._dtype is not out._dtype:
                # torch only refuses complex/real mismatches (chainrule has no complex
                # dtypes); any other grad_output is cast to the output's dtype.
                grad = grad.to(out._dtype)
        result.append(grad)
    return result


def _root_edges(outputs):
    edges = []
    for i, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            raise TypeError(f"element {i} of tensors is not a Tensor")
        if not out._requires_grad:
            from .._hints import graph_cut

            message = f"element {i} of tensors does not require grad and does not have a grad_fn"
            raise graph_cut(RuntimeError(message), out)
        edges.append(edge(out))
    return edges


def backward(
    tensors,
    grad_tensors=None,
    retain_graph=None,
    create_graph=False,
    grad_variables=None,
    inputs=None,
):
    """Accumulate the gradients of ``tensors`` into the .grad of the leaves of their graph."""
    outputs = _as_tuple(tensors)
    grads = _check_count(outputs, _as_tuple(grad_tensors))
    inputs = _as_tuple(inputs)
    if inputs is not None and len(inputs) == 0:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    roots = _root_edges(outputs)
    grads = _make_grads(outputs, grads)
    if retain_graph is None:
        retain_graph = create_graph
    input_edges = None
    if inputs is not None:
        # as in torch, every input retains its grad: non-leaf inputs get .grad (and keep
        # getting it), and a tensor that does not require grad is refused by retain_grad.
        for t in inputs:
            if isinstance(t, Tensor):
                t.retain_grad()
        input_edges = [_input_edge(t, i) for i, t in enumerate(inputs)]
    if create_graph:
        _backend.warn(CREATE_GRAPH_WARNING)
    run_backward(roots, grads, retain_graph, create_graph, input_edges)


CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using autograd.grad "
    "when creating the graph to avoid this. If you have to use this function, make sure to "
    "reset the .grad fields of your parameters to None after use to break the cycle and avoid "
    "the leak."
)


def _check_count(outputs, grads):
    """One gradient per output (torch ignores surplus gradients)."""
    if grads is None:
        return (None,) * len(outputs)
    if len(grads) < len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    return grads[: len(outputs)]


def _input_edge(t, i):
    if not isinstance(t, Tensor):
        raise RuntimeError(
            f"all inputs have to be Tensors or GradientEdges, but got {type(t).__name__}"
        )
    if not t._requires_grad:
        raise RuntimeError("One of the differentiated Tensors does not require grad")
    return edge(t)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph=False,
    only_inputs=True,
    allow_unused=None,
    is_grads_batched=False,
    materialize_grads=False,
):
    """The gradients of ``outputs`` with respect to ``inputs``, returned (not accumulated).

    >>> x = tensor(2., requires_grad=True)
    >>> grad(x ** 3, x)
    (tensor(12.),)
    """
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grads = _check_count(outputs, _as_tuple(grad_outputs))
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and not allow_unused:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, but got: "
            "allow_unused=False."
        )
    roots = _root_edges(outputs)
    grads = _make_grads(outputs, grads, batched=is_grads_batched)
    if retain_graph is None:
        retain_graph = create_graph
    input_edges = [_input_edge(t, i) for i, t in enumerate(inputs)]
    previous = grad_state.batch_ndim
    grad_state.batch_ndim = 1 if is_grads_batched else 0
    try:
        results = run_backward(
            roots, grads, retain_graph, create_graph, input_edges, accumulate=False
        )
    finally:
        grad_state.batch_ndim = previous
    for i, (t, g) in enumerate(zip(inputs, results)):
        if g is None:
            if materialize_grads:
                shape = ((grads[0]._data.shape[0],) if is_grads_batched else ()) + t._data.shape
                results[i] = t.new_zeros(shape)
            elif not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
        else:
            if g._dtype is not t._dtype:  # gradients take their input's dtype, as in torch
                g = results[i] = g.to(t._dtype)
            if not create_graph and g._requires_grad:
                results[i] = g.detach()
    return tuple(results)


def Variable(data, requires_grad=False, volatile=False):  # noqa: N802 (torch's name)
    """Legacy wrapper: returns the tensor itself (Variables and Tensors merged in torch 0.4)."""
    if requires_grad:
        data.requires_grad_(True)
    return data


__all__ = [
    "backward",
    "grad",
    "functional",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "is_grad_enabled",
    "Variable",
    "graph",
    "Function",
    "FunctionCtx",
    "once_differentiable",
]
