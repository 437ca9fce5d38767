"""The recorded graph: grad modes, backward nodes (``grad_fn``) and saved values.

A Node is what ``tensor.grad_fn`` returns. It knows its sequence number (creation
order, which the engine uses to run newest first), the edges to the nodes of its
inputs (``next_functions``), what its op saved for backward, and the op's VJP rule
(a class attribute, set once per op by the registry).
"""

from __future__ import annotations

import itertools
import re
import sys
import threading

# --------------------------------------------------------------------------- grad modes


class _GradState(threading.local):
    """Per-thread switches, as in torch: a new thread starts with grad enabled."""

    enabled = True
    inference = False
    batch_ndim = 0  # leading batch dims of the gradients in a batched backward (Jacobians)


grad_state = _GradState()


_CO_GENERATOR = 0x20  # code flag of generator functions (saves importing inspect)


class _GradMode:
    """A grad-mode switch usable as ``with m:``, ``@m()`` and, where torch allows, ``@m``."""

    _bare_decorator = True

    def __new__(cls, *args, **kwargs):
        if cls._bare_decorator and len(args) == 1 and callable(args[0]) and not kwargs:
            return cls()(args[0])  # @no_grad without parentheses
        return super().__new__(cls)

    def _args(self) -> tuple:
        return ()

    def clone(self):
        return type(self)(*self._args())

    def __call__(self, func):
        import functools

        if getattr(getattr(func, "__code__", None), "co_flags", 0) & _CO_GENERATOR:
            return functools.wraps(func)(self._wrap_generator(func))

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return wrapper

    def _wrap_generator(self, func):
        """Each step of the generator runs under the mode, not the caller's code between."""

        def wrapper(*args, **kwargs):
            gen = func(*args, **kwargs)
            try:
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self.clone():
                            gen.close()
                        raise
                    except BaseException as error:
                        with self.clone():
                            response = gen.throw(error)
                    else:
                        with self.clone():
                            response = gen.send(request)
            except StopIteration as stop:
                return stop.value

        return wrapper


class no_grad(_GradMode):
    """Context manager / decorator that stops graph recording.

    >>> x = tensor(1., requires_grad=True)
    >>> with no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    def __enter__(self):
        self.prev = grad_state.enabled
        grad_state.enabled = False

    def __exit__(self, *exc):
        grad_state.enabled = self.prev


class enable_grad(_GradMode):
    """Context manager / decorator that turns graph recording back on."""

    def __enter__(self):
        self.prev = grad_state.enabled
        grad_state.enabled = True

    def __exit__(self, *exc):
        grad_state.enabled = self.prev


class set_grad_enabled(_GradMode):
    """Turn recording on or off; works as a call, a context manager and a decorator."""

    _bare_decorator = False

    def __init__(self, mode: bool):
        self.prev = grad_state.enabled
        self.mode = bool(mode)
        grad_state.enabled = self.mode

    def _args(self):
        return (self.mode,)

    def __call__(self, func):
        grad_state.enabled = self.prev  # decorating must not flip the mode now
        return _GradMode.__call__(self, func)

    def clone(self):
        clone = _GradMode.__new__(set_grad_enabled)
        clone.mode = self.mode
        return clone

    def __enter__(self):
        if not hasattr(self, "prev"):  # a decorator's clone: the mode is set on entry
            self.prev = grad_state.enabled
        grad_state.enabled = self.mode

    def __exit__(self, *exc):
        grad_state.enabled = self.prev


class inference_mode(_GradMode):
    """Like no_grad; tensors made inside are inference tensors (not tracked)."""

    def __init__(self, mode: bool = True):
        self.mode = bool(mode)

    def _args(self):
        return (self.mode,)

    def __enter__(self):
        self.prev = (grad_state.enabled, grad_state.inference)
        if self.mode:
            grad_state.enabled = False
            grad_state.inference = True

    def __exit__(self, *exc):
        grad_state.enabled, grad_state.inference = self.prev


def is_grad_enabled() -> bool:
    """Whether operations are being recorded for backward on this thread."""
    return grad_state.enabled


def is_inference_mode_enabled() -> bool:
    return grad_state.inference


# --------------------------------------------------------------------------- nodes

# A C-level counter: each call is one step under the interpreter lock, so sequence numbers
# stay unique and increasing across threads.
_next_seq = itertools.count().__next__
# Guards the rare first writes of state that threads share (a node's hook lists, a leaf's
# accumulator and hook list): check, then create under the lock, then check again.
state_lock = threading.Lock()
# the output numbers of a node's inputs when all are 0 (zip stops at the nodes)
NO_OUTPUT_NUMBERS = itertools.repeat(0)
FREED = object()  # marks saved values released after backward

BACKWARD_TWICE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


class RemovableHandle:
    """What ``register_hook`` returns: ``handle.remove()`` takes the hook out again."""

    __slots__ = ("_hooks", "_hook")

    def __init__(self, hooks: list, hook):
        self._hooks = hooks
        self._hook = hook

    def remove(self) -> None:
        try:
            self._hooks.remove(self._hook)
        except ValueError:  # removed already (perhaps by another thread)
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


# torch's own C++ nodes: their name() is qualified, their Python type name is not
_QUALIFIED_NAMES = {
    name: "torch::autograd::" + name for name in ("CopyBackwards", "CopySlices", "GraphRoot")
}


class Node:
    """A backward function: what ``grad_fn`` is.

    ``vjp(node, grads)`` is the op's rule (set per op class by the registry); it maps the
    gradient of each output to the gradient of each input (None where not needed).
    """

    __slots__ = (
        "_seq",
        "_next",  # the node of each input (None: no gradient flows there)
        "_nrs",  # which output of that node each input is; None when all are output 0
        "_saved",
        "_versions",
        "_args",
        "_shapes",
        "_nout",
        "_hooks",
        "_metadata",
        "__weakref__",
    )
    vjp = None  # set per op subclass
    batchable = True  # False: the rule cannot take batched gradients; the engine loops rows
    _op_name = "node"

    def __init__(self, next_functions, saved=None, args=None, shapes=None, nout=1):
        self._seq = _next_seq()
        # the (node, output_nr) edges are kept as a tuple of nodes (and output numbers only
        # when one is not 0): one object fewer per edge for the garbage collector to track
        count = len(next_functions)
        if count == 1:
            ((node, output_nr),) = next_functions
            self._next = (node,)
            self._nrs = (output_nr,) if output_nr else None
        elif count == 2:
            (first, first_nr), (second, second_nr) = next_functions
            self._next = (first, second)
            self._nrs = (first_nr, second_nr) if first_nr or second_nr else None
        else:
            self._next = tuple([node for node, _ in next_functions])
            nrs = tuple([output_nr for _, output_nr in next_functions])
            self._nrs = nrs if any(nrs) else None
        if extras.active:  # saved-tensor hooks or anomaly mode: rarely on
            saved = extras.on_new_node(self, saved)
        self._saved = saved
        # the version of each saved tensor now; numbers and None have no version box (the
        # type test first: a failed getattr costs more than the rest of the line). A tuple:
        # the garbage collector stops tracking a tuple of numbers, not a list.
        if saved is None:
            self._versions = None
        else:
            versions = []
            for value in saved:
                versions.append(
                    None if type(value) in _UNVERSIONED else getattr(value, "_vbox", _NO_BOX)[0]
                )
            self._versions = tuple(versions)
        self._args = args
        self._shapes = shapes
        self._nout = nout
        self._hooks = None

    def name(self) -> str:
        return _QUALIFIED_NAMES.get(type(self).__name__) or type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    @property
    def metadata(self) -> dict:
        try:
            return self._metadata
        except AttributeError:
            with state_lock:  # made once even when threads ask at the same time
                try:
                    return self._metadata
                except AttributeError:
                    self._metadata = {}
                    return self._metadata

    @property
    def next_functions(self) -> tuple:
        """The (node, output_nr) edge of each input, as in torch."""
        return tuple(zip(self._next, self._nrs or NO_OUTPUT_NUMBERS))

    def needs_input_grad(self, i: int) -> bool:
        nodes = self._next
        return i < len(nodes) and nodes[i] is not None

    @property
    def saved(self) -> tuple:
        """The saved values, checked against in-place changes since they were saved."""
        saved = self._saved
        if saved is FREED:
            raise RuntimeError(BACKWARD_TWICE)
        values = []
        for value, version in zip(saved, self._versions):
            if version is not None and value._vbox[0] != version:
                raise RuntimeError(_modified_message(value, version, self))
            kind = type(value)
            values.append(value.unpack(self) if kind is SavedOutput or kind is Packed else value)
        return values

    # hooks -----------------------------------------------------------------
    def _hook_lists(self) -> dict:
        hooks = self._hooks
        if hooks is None:
            with state_lock:  # two threads registering the first hooks keep both
                if self._hooks is None:
                    self._hooks = {"pre": [], "post": [], "tensor": []}
                hooks = self._hooks
        return hooks

    def register_hook(self, fn) -> RemovableHandle:
        """fn(grad_inputs, grad_outputs) runs after this node; may return new grad_inputs."""
        hooks = self._hook_lists()["post"]
        hooks.append(fn)
        return RemovableHandle(hooks, fn)

    def register_prehook(self, fn) -> RemovableHandle:
        """fn(grad_outputs) runs before this node; may return new grad_outputs."""
        hooks = self._hook_lists()["pre"]
        hooks.append(fn)
        return RemovableHandle(hooks, fn)

    def _register_tensor_hook(self, output_nr: int, fn) -> RemovableHandle:
        hooks = self._hook_lists()["tensor"]
        entry = (output_nr, fn)
        hooks.append(entry)
        return RemovableHandle(hooks, entry)


class SavedOutput:
    """An op's own output saved for its backward, held without its grad_fn.

    Holding the output itself would make a cycle (output -> grad_fn -> output). When the
    backward is being recorded (create_graph), the unpacked tensor is reattached to this
    node so that higher derivatives flow through it.
    """

    __slots__ = ("tensor", "output_nr", "_vbox")

    def __init__(self, tensor, output_nr=0):
        self.tensor = tensor.detach()
        self.output_nr = output_nr
        self._vbox = tensor._vbox

    def unpack(self, node):
        if not grad_state.enabled:
            return self.tensor
        attached = self.tensor.detach()
        attached._attach(node, self.output_nr)
        if copy_tangents is not None:  # forward AD is on: the copy keeps the tangents
            copy_tangents(self.tensor, attached)
        return attached

    @property
    def dtype(self):
        return self.tensor.dtype

    @property
    def shape(self):
        return self.tensor.shape


_NO_BOX = (None,)
_UNVERSIONED = frozenset((type(None), float, int, bool))


# --------------------------------------------------------------------------- recording extras


class _ThreadHooks(threading.local):
    """The saved-tensor hook state of one thread (torch keeps it per thread too)."""

    def __init__(self):
        self.stack = []  # (pack, unpack) pairs, innermost last
        self.disabled = None  # the error message of disable_saved_tensors_hooks


class _Extras:
    """Features that change what a new node records; off by default, checked once per node.

    - saved-tensor hooks (``torch.autograd.graph.saved_tensors_hooks``): a stack of
      (pack, unpack) pairs per thread; the innermost pair packs every tensor a node made by
      that thread saves;
    - anomaly mode (``torch.autograd.detect_anomaly``): each node keeps the traceback of
      the forward call that made it, and the engine checks its results for NaN. As in
      torch, anomaly mode is one switch for the whole process, not per thread.

    ``active`` is a plain attribute (the one test on the path of every new node): true while
    anomaly mode is on or some thread has saved-tensor hooks installed.
    """

    def __init__(self):
        self.active = False
        self.anomaly = False
        self.check_nan = True
        self._per_thread = _ThreadHooks()
        self._hooked_threads = 0  # threads whose hook stack is not empty
        self._lock = threading.Lock()

    @property
    def saved_hooks(self) -> list:
        """This thread's stack of (pack, unpack) pairs."""
        return self._per_thread.stack

    @property
    def hooks_disabled(self):
        return self._per_thread.disabled

    @hooks_disabled.setter
    def hooks_disabled(self, message) -> None:
        self._per_thread.disabled = message

    def push_saved_hooks(self, pair) -> None:
        stack = self._per_thread.stack
        with self._lock:
            if not stack:
                self._hooked_threads += 1
            stack.append(pair)
            self.refresh()

    def pop_saved_hooks(self) -> None:
        stack = self._per_thread.stack
        with self._lock:
            stack.pop()
            if not stack:
                self._hooked_threads -= 1
            self.refresh()

    def set_anomaly(self, enabled: bool, check_nan: bool) -> tuple:
        """Switch anomaly mode for every thread; returns the previous (enabled, check_nan)."""
        with self._lock:
            previous = (self.anomaly, self.check_nan)
            self.anomaly, self.check_nan = enabled, check_nan
            self.refresh()
        return previous

    def refresh(self) -> None:
        """Recompute ``active``; the caller holds ``_lock``."""
        self.active = self._hooked_threads > 0 or self.anomaly

    def on_new_node(self, node, saved):
        if self.anomaly:
            node.metadata["traceback_"] = _forward_traceback()
        stack = self._per_thread.stack
        if saved is None or not stack:
            return saved
        pack, unpack = stack[-1]
        return [_pack(value, pack, unpack) for value in saved]


extras = _Extras()


def _pack(value, pack, unpack):
    from ._tensor import Tensor

    if type(value) is SavedOutput:
        return Packed(pack(value.tensor), unpack, value.output_nr)
    if isinstance(value, Tensor):
        return Packed(pack(value), unpack, None)
    return value


class Packed:
    """A saved tensor as a pack hook returned it; the unpack hook restores it in backward."""

    __slots__ = ("packed", "unpack_hook", "output_nr")

    def __init__(self, packed, unpack_hook, output_nr):
        self.packed = packed
        self.unpack_hook = unpack_hook
        self.output_nr = output_nr  # not None: the node's own output (see SavedOutput)

    def unpack(self, node):
        from ._tensor import Tensor

        tensor = self.unpack_hook(self.packed)
        if not isinstance(tensor, Tensor):
            raise TypeError(
                "Output of saved tensor unpack_hook expected to be a Tensor but got result of "
                f"type {type(tensor).__name__}"
            )
        if self.output_nr is not None and tensor._grad_fn is None and grad_state.enabled:
            tensor = tensor.detach()  # recording a backward: reconnect the output to its node
            tensor._attach(node, self.output_nr)
        return tensor


def _forward_traceback() -> list:
    """The user's frames of the current call stack, formatted as torch's anomaly mode shows."""
    import os
    import traceback

    package = os.path.dirname(os.path.abspath(__file__))
    frames = [
        f
        for f in traceback.extract_stack()[:-1]
        if not os.path.abspath(f.filename).startswith(package)
    ]
    return traceback.format_list(frames)


def short_name(node) -> str:
    """The name torch's autograd errors give a node: its ``name()`` without ``Backward0``,
    and with only the overload number after ``Backward<n>`` (ClampBackward1 -> Clamp1,
    FillBackward2 -> Fill2); torch's own C++ nodes keep their full name
    (torch::autograd::CopyBackwards)."""
    name = node.name() if isinstance(node, Node) else node.__name__  # a node or its class
    name = _QUALIFIED_NAMES.get(name, name)
    if name.endswith("Backward0"):
        return name[: -len("Backward0")]
    return re.sub(r"Backward(\d+)$", r"\1", name)


def _modified_message(value, saved_version, node) -> str:
    """torch's error for a saved tensor changed in place after it was saved."""
    tensor = value.tensor if type(value) is SavedOutput else value
    kind = tensor.dtype.scalar_name
    shape = ", ".join(str(s) for s in tensor.shape)
    # a non-leaf is named by the node that made it: this node for a saved output, else the
    # tensor's current grad_fn (torch drops the "Backward0" suffix here)
    if type(value) is SavedOutput:
        maker, output_nr = node, value.output_nr
    else:
        maker, output_nr = tensor._grad_fn, getattr(tensor, "_output_nr", 0)
    origin = ""
    if maker is not None:
        origin = f", which is output {output_nr} of {short_name(maker)},"
    return (
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [torch.{kind}Tensor [{shape}]]{origin} is at version "
        f"{value._vbox[0]}; expected version {saved_version} instead. Hint: enable anomaly "
        "detection to find the operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False)."
    )


class AccumulateGrad(Node):
    """The node of a leaf that requires grad: adds the incoming gradient to ``.grad``.

    ``lock`` makes the read-modify-write of ``.grad`` one step for concurrent backward calls
    (threads whose graphs share the leaf), as torch's AccumulateGrad mutex does.
    """

    __slots__ = ("variable", "lock")

    def __init__(self, variable):
        self._seq = sys.maxsize  # leaves accumulate as soon as their gradient is complete
        self._next = ()
        self._nrs = None
        self._saved = None
        self._args = None
        self._shapes = None
        self._nout = 1
        self._hooks = None
        self.variable = variable
        self.lock = threading.Lock()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"


def make_node_class(grad_fn_name: str, vjp, batchable: bool = True) -> type:
    """One Node subclass per op, so ``type(y.grad_fn).__name__`` is torch's name."""
    namespace = {"__slots__": (), "vjp": staticmethod(vjp), "batchable": batchable}
    return type(grad_fn_name, (Node,), namespace)


# Set by the registry: reduce a broadcast gradient back to an input's shape.
sum_to_shape = None
# Set by autograd.forward_ad while a dual level is open: copy a tensor's tangents.
copy_tangents = None
