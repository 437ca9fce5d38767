"""Activation checkpointing: trade compute for memory by recomputing a block in backward.

>>> import chainrule as torch
>>> from chainrule.utils.checkpoint import checkpoint
>>> x = torch.tensor([1.0, 2.0], requires_grad=True)
>>> y = checkpoint(lambda a: (a.sin() * a).exp(), x, use_reentrant=False)
>>> y.sum().backward()
>>> x.grad
tensor([3.2054, 0.4746])

``use_reentrant=False`` (recommended, as in torch) runs the block with saved-tensor hooks
that keep nothing but a counter; the first backward that needs a saved tensor reruns the
block (same random state) and takes the values from that run. The graph is the normal one,
so ``autograd.grad``, ``inputs=`` and higher derivatives work. ``use_reentrant=True`` runs
the block without a graph and records one ``CheckpointFunctionBackward`` node whose
backward reruns it and calls ``backward`` inside (torch's older variant: gradients reach
the inputs and the parameters' ``.grad``, not ``autograd.grad``).
"""

from __future__ import annotations

from .. import _backend
from .._graph import enable_grad, no_grad
from .._tensor import Tensor
from ..autograd.function import Function
from ..autograd.graph import saved_tensors_hooks
from ..ops.creation import default_generator

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError"]

_NO_REENTRANT_WARNING = (
    "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting "
    "in PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. "
    "use_reentrant=False is recommended, but if you need to preserve the current default "
    "behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
    "differences between the two variants."
)


class CheckpointError(RuntimeError):
    """The recomputation did not save what the first run saved."""


def checkpoint(function, *args, use_reentrant=None, preserve_rng_state=True, **kwargs):
    """Run ``function(*args, **kwargs)`` without keeping its intermediate values.

    They are recomputed during backward. See the module docstring for the two variants.
    """
    for name in ("context_fn", "determinism_check", "debug", "early_stop"):
        kwargs.pop(name, None)  # torch's tuning knobs; the default behaviour is what we do
    if use_reentrant is None:
        _backend.warn(_NO_REENTRANT_WARNING)
        use_reentrant = True
    if use_reentrant:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        return CheckpointFunction.apply(function, preserve_rng_state, *args)
    return _checkpoint_with_hooks(function, args, kwargs, preserve_rng_state)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Checkpoint a sequence of modules/functions in ``segments`` chunks (the last runs plainly)."""
    if use_reentrant is None:
        _backend.warn(_NO_REENTRANT_WARNING)
        use_reentrant = True
    if hasattr(functions, "children"):
        functions = list(functions.children())
    functions = list(functions)
    size = len(functions) // segments

    def run(start, end):
        def forward(x):
            for fn in functions[start : end + 1]:
                x = fn(x)
            return x

        return forward

    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant, **kwargs)
    return run(end + 1, len(functions) - 1)(input)


class _RandomState:
    """The default generator's state at the first run, to replay it in the recomputation."""

    def __init__(self, preserve):
        self.state = default_generator.get_state() if preserve else None

    def __enter__(self):
        if self.state is not None:
            self.outer = default_generator.get_state()
            default_generator.set_state(self.state)

    def __exit__(self, *exc):
        if self.state is not None:
            default_generator.set_state(self.outer)


def _checkpoint_with_hooks(function, args, kwargs, preserve_rng_state):
    random_state = _RandomState(preserve_rng_state)
    first_run_count = [0]
    recomputed = {}  # index -> tensor; each is handed out once, then dropped (frees memory)

    def pack_first_run(tensor):
        first_run_count[0] += 1
        return first_run_count[0] - 1  # a number in place of the tensor

    def unpack(index):
        if index not in recomputed:  # first use, or a second backward (retain_graph)
            count = _recompute(function, args, kwargs, random_state, recomputed)
            if count != first_run_count[0]:
                raise CheckpointError(
                    "torch.utils.checkpoint: A different number of tensors was saved during "
                    f"the original forward and recomputation.\nNumber of tensors saved during "
                    f"forward: {first_run_count[0]}\nNumber of tensors saved during "
                    f"recomputation: {count}."
                )
        return recomputed.pop(index)

    with saved_tensors_hooks(pack_first_run, unpack):
        return function(*args, **kwargs)


def _recompute(function, args, kwargs, random_state, into) -> int:
    """Rerun the block, keeping what its nodes save by index; return how many there were."""
    count = [0]

    def keep(tensor):
        into[count[0]] = tensor
        count[0] += 1
        return tensor  # the recomputed graph keeps its own values (for higher derivatives)

    with random_state, enable_grad(), saved_tensors_hooks(keep, _identity):
        function(*args, **kwargs)
    return count[0]


def _identity(tensor):
    return tensor


class CheckpointFunction(Function):
    """torch's reentrant checkpoint: one node whose backward reruns the block."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        ctx.run_function = run_function
        ctx.random_state = _RandomState(preserve_rng_state)
        ctx.inputs = args
        with no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grad_outputs):
        from ..autograd import backward

        inputs = [
            a.detach().requires_grad_(a.requires_grad) if isinstance(a, Tensor) else a
            for a in ctx.inputs
        ]
        with ctx.random_state, enable_grad():
            outputs = ctx.run_function(*inputs)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        pairs = [
            (out, grad)
            for out, grad in zip(outputs, grad_outputs)
            if isinstance(out, Tensor) and out.requires_grad
        ]
        if not pairs:
            raise RuntimeError(
                "none of output has requires_grad=True, this checkpoint() is not necessary"
            )
        backward([p[0] for p in pairs], [p[1] for p in pairs])
        grads = tuple(a.grad if isinstance(a, Tensor) else None for a in inputs)
        return (None, None) + grads
