"""Custom differentiable functions: ``torch.autograd.Function`` with forward and backward.

The ctx passed to ``forward`` and ``backward`` is the backward node itself (as in torch):
``y.grad_fn`` of a ``MyFn.apply(x)`` result is a ``MyFnBackward`` holding what forward
saved.
"""

from __future__ import annotations

import functools

from .. import _backend, _registry
from .._graph import Node, grad_state, no_grad
from .._tensor import Tensor, edge, make

__all__ = ["Function", "FunctionCtx", "once_differentiable"]

_NO_EDGE = (None, 0)


class FunctionCtx:
    """What forward can tell backward: saved tensors, flags about inputs and outputs."""

    def save_for_backward(self, *tensors) -> None:
        """Keep tensors (or None) for backward; in-place changes to them are detected."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    "save_for_backward can only save variables, but argument "
                    f"{tensors.index(t)} is of type {type(t).__name__}"
                )
        self._to_save = tensors

    def save_for_forward(self, *tensors) -> None:
        """Keep tensors (or None) for ``jvp``, where ``ctx.saved_tensors`` returns them."""
        self._to_save_forward = tensors

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to save_for_backward (checked against in-place changes).

        Inside ``jvp``: the tensors given to save_for_forward.
        """
        if getattr(self, "_in_jvp", False):
            return tuple(getattr(self, "_to_save_forward", ()))
        return tuple(self.saved) if getattr(self, "_saved", None) is not None else ()

    def mark_non_differentiable(self, *tensors) -> None:
        """These outputs get no gradient (e.g. integer indices returned beside values)."""
        self._non_differentiable = {id(t) for t in tensors}

    def mark_dirty(self, *tensors) -> None:
        """These inputs were modified in place by forward."""
        self._dirty = {id(t) for t in tensors}

    def set_materialize_grads(self, value: bool) -> None:
        """With False, backward receives None (not zeros) for outputs that got no gradient."""
        self._materialize = bool(value)


class BackwardFunction(Node, FunctionCtx):
    """The grad_fn of a custom Function's outputs (and the ctx of its forward/backward)."""

    _function = None  # the Function subclass

    def __repr__(self) -> str:
        return f"<torch.autograd.function.{type(self).__name__} object at {hex(id(self))}>"

    @property
    def needs_input_grad(self) -> tuple:
        return tuple(nxt is not None for nxt, _ in self.next_functions)

    @staticmethod
    def vjp(node, grads):
        grads = list(grads) if isinstance(grads, (list, tuple)) else [grads]
        if getattr(node, "_materialize", True):
            grads = [
                g if g is not None else make(_zeros_like_output(shape, dtype), dtype)
                for g, (shape, dtype) in zip(grads, node._output_meta)
            ]
        result = node._function.backward(node, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        expected = len(node.next_functions)
        if len(result) != expected:
            if len(result) > expected and all(r is None for r in result[expected:]):
                result = result[:expected]
            else:
                raise RuntimeError(
                    f"function {type(node).__name__} returned an incorrect number of gradients "
                    f"(expected {expected}, got {len(result)})"
                )
        for i, (g, shape) in enumerate(zip(result, node._input_shapes)):
            if g is None or shape is None:
                continue
            if not isinstance(g, Tensor):
                raise TypeError(
                    f"expected Tensor or None as gradient {i} of {type(node).__name__}, got "
                    f"{type(g).__name__}"
                )
            if g._data.shape != shape and g._data.size != _numel(shape):
                raise RuntimeError(
                    f"Function {type(node).__name__} returned an invalid gradient at index {i} - "
                    f"got {list(g.shape)} but expected shape compatible with {list(shape)}"
                )
            if g._data.shape != shape:
                result = result[:i] + (g.reshape(shape),) + result[i + 1 :]
        return tuple(
            g if nxt is not None else None for g, (nxt, _) in zip(result, node.next_functions)
        )


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _zeros_like_output(shape, dtype):
    from .._backend import xp

    return xp.zeros(shape, dtype.np)


class Function:
    """Base class of user-defined differentiable operations.

    >>> class Cube(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x ** 3
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.saved_tensors
    ...         return grad * 3 * x ** 2
    >>> x = tensor(2., requires_grad=True)
    >>> Cube.apply(x).backward()
    >>> x.grad
    tensor(12.)
    """

    _backward_cls = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._backward_cls = type(cls.__name__ + "Backward", (BackwardFunction,), {"_function": cls})

    def __init__(self, *args, **kwargs):
        _backend.warn(
            f"{type(self)} should not be instantiated. Methods on autograd functions are all "
            "static, so you should invoke them on the class itself. Instantiating an autograd "
            "function will raise an error in a future version of PyTorch.",
            DeprecationWarning,
        )

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        """Forward mode: the tangents of the outputs from the tangents of the inputs.

        Inputs without a tangent get zeros; ``ctx.saved_tensors`` holds what forward gave
        ``ctx.save_for_forward``. Used inside ``autograd.forward_ad`` dual levels.
        """
        raise NotImplementedError(
            "You must implement the jvp function for custom autograd.Function to use it with "
            "forward mode AD."
        )

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward (unrecorded) and record one node whose backward is ``cls.backward``."""
        ctx = cls._backward_cls.__new__(cls._backward_cls)
        ctx._to_save = None
        uses_setup = cls.setup_context is not Function.setup_context
        depth = _registry.dual_depth
        _registry.dual_depth = 0  # tangents come from jvp, not from forward's own ops
        try:
            with no_grad():
                if uses_setup:
                    output = cls.forward(*args, **kwargs)
                    cls.setup_context(ctx, args, output)
                else:
                    output = cls.forward(ctx, *args, **kwargs)
        finally:
            _registry.dual_depth = depth
        is_tuple = isinstance(output, tuple)
        outputs = output if is_tuple else (output,)
        record = grad_state.enabled and any(
            isinstance(a, Tensor) and a._requires_grad for a in args
        )
        if record:
            outputs = _record(ctx, args, outputs)
        if depth:
            from .forward_ad import function_tangents

            outputs = function_tangents(cls.jvp, ctx, args, outputs)
        return outputs if is_tuple else outputs[0]


def _record(ctx, args, outputs):
    saved = ctx._to_save
    edges = tuple(edge(a) if isinstance(a, Tensor) else _NO_EDGE for a in args)
    # saved outputs make a cycle (output -> ctx -> output) until backward releases them
    Node.__init__(ctx, edges, saved, None, None, len(outputs))
    ctx._input_shapes = tuple(a._data.shape if isinstance(a, Tensor) else None for a in args)
    ctx._output_meta = tuple(
        (o._data.shape, o._dtype) if isinstance(o, Tensor) else ((), None) for o in outputs
    )
    skip = getattr(ctx, "_non_differentiable", ())
    dirty = getattr(ctx, "_dirty", ())
    wrapped = []
    for i, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            wrapped.append(out)
            continue
        if id(out) in skip:
            wrapped.append(out)
            continue
        if id(out) not in dirty and any(out is a for a in args):
            out = out.view_as(out).detach()  # returning an input: a new tensor with history
        if out._dtype.is_floating_point:
            out._attach(ctx, i)
        wrapped.append(out)
    return tuple(wrapped)


def once_differentiable(fn):
    """Decorate a backward that is not itself differentiable: it runs without recording."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            return fn(ctx, *args)

    return wrapper
