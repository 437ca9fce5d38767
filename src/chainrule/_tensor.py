"""The Tensor: an array, its dtype, and its place in the autograd graph.

Operations are not defined here: each op family in ``ops/`` declares its ops once, with
their derivatives, and installs the method forms (``x.exp()``, ``x + y``) on this class.
"""

from __future__ import annotations

import operator
import threading
import weakref
from sys import _getframe

from . import _backend, _graph, _printing
from ._backend import FLOAT, defaults, from_numpy_dtype, xp
from ._engine import run_backward
from ._graph import AccumulateGrad, RemovableHandle, state_lock

_ones = xp.ones

_ndarray = xp.ndarray
_asarray = xp.asarray

NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information."
)
SCALAR_WARNING = (
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
    "Consider using tensor.detach() first."
)
DETACH_VIEW_IN_PLACE = (
    "Can't detach views in-place. Use detach() instead. If you are using "
    "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, "
    "gradients are views of DDP buckets, and hence detach_() cannot be called on these "
    "gradients. To fix this error, please refer to the Optimizer.zero_grad() function in "
    "torch/optim/optimizer.py as the solution."
)
NUMPY_REQUIRES_GRAD = (
    "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
)
ONLY_FLOAT_GRAD = "Only Tensors of floating point and complex dtype can require gradients"
_SETTER_FLOAT_GRAD = "only Tensors of floating point and complex dtype can require gradients"


class Size(tuple):
    """A tensor's shape: a tuple that prints as ``torch.Size([20, 1])``."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        sizes = tuple(sizes)
        for i, s in enumerate(sizes):
            if type(s) is not int:  # tensors and NumPy integers are read through __index__
                if isinstance(s, float) or not hasattr(type(s), "__index__"):
                    raise TypeError(
                        f"torch.Size() takes an iterable of 'int' (item {i} is "
                        f"'{type(s).__name__}')"
                    )
                sizes = sizes[:i] + tuple(operator.index(v) for v in sizes[i:])
                break
        return tuple.__new__(cls, sizes)

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        result = tuple.__getitem__(self, item)
        return Size(result) if isinstance(item, slice) else result

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def __mul__(self, times):
        return Size(tuple.__mul__(self, times))

    __rmul__ = __mul__

    def __reduce__(self):
        return (Size, (tuple(self),))


class device:
    """Where a tensor lives. Only ``cpu`` exists for now (CuPy plugs in behind _backend)."""

    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        name = str(type)
        if ":" in name:
            name, _, idx = name.partition(":")
            index = int(idx)
        if name not in ("cpu", "cuda", "mps", "meta"):
            raise RuntimeError(
                "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, "
                f"fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device "
                f"type at start of device string: {name}"
            )
        self.type = name
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def check_device(dev) -> None:
    """Accept cpu; say plainly that there is no CUDA here (torch raises AssertionError)."""
    if dev is None:
        return
    if not isinstance(dev, device):
        dev = device(dev)
    if dev.type != "cpu":
        raise AssertionError("Torch not compiled with CUDA enabled")


class Tensor:
    """A multi-dimensional array that can record the operations applied to it.

    >>> x = tensor([1., 2.], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4.])
    """

    __slots__ = (
        "_data",  # the ndarray (of the backend namespace)
        "_dtype",  # chainrule dtype
        "_requires_grad",
        "_grad_fn",  # Node that made this tensor, None for leaves
        "_output_nr",  # which output of _grad_fn this is
        "_grad",
        "_vbox",  # [version]: one list shared by all views of a storage
        "_accum",  # weak reference to the leaf's AccumulateGrad node
        "_grad_hooks",
        "_post_acc_hooks",
        "_retains_grad",
        "_viewof",  # (base, creation flag) for a view (see ops/inplace.py); unset otherwise
        "_views",  # on a base: weak references to its views, rebased after in-place changes
        "_detached_at",  # (file, line) of the .detach() that made this tensor (for a hint)
        "__weakref__",
    )

    def __new__(cls, *args, **kwargs):
        """Legacy constructor: ``Tensor([1, 2])`` (float32 data) or ``Tensor(2, 3)`` (a shape)."""
        from .ops.creation import _legacy_tensor

        return _legacy_tensor(cls, args, kwargs)

    # ------------------------------------------------------------------ construction
    # Slots a tensor only needs as a leaf that requires grad (or once it has history) are
    # set lazily, keeping make() -- the constructor of every op result -- short.
    def _init_leaf(self) -> None:
        self._accum = None
        self._grad_hooks = None
        self._post_acc_hooks = None

    def _attach(self, node, output_nr: int) -> None:
        """Make this tensor the ``output_nr``-th output of ``node``."""
        self._requires_grad = True
        self._grad_fn = node
        self._output_nr = output_nr

    def _fresh_copy(self) -> Tensor:
        """A copy with no history, for storing as .grad (grads may be shared between nodes)."""
        return make(self._data.copy(), self._dtype)

    def _accumulate_(self, other: Tensor) -> None:
        """self += other, in place, without recording (used for .grad accumulation)."""
        xp.add(self._data, other._data, out=self._data, casting="unsafe")
        self._vbox[0] += 1

    # ------------------------------------------------------------------ attributes
    @property
    def data(self) -> Tensor:
        """The same storage without history (changes through it are not tracked)."""
        return make(self._data, self._dtype)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        self._data = value._data
        self._dtype = value._dtype

    @property
    def dtype(self) -> _backend.dtype:
        return self._dtype

    @property
    def device(self) -> device:
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def layout(self):
        return "torch.strided"

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        """The shape, or the length of one dimension."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[wrap_dim(dim, self._data.ndim)]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._dtype.itemsize

    def stride(self, dim: int | None = None):
        if self._data.size:
            strides = tuple(s // self._dtype.itemsize for s in self._data.strides)
        else:  # NumPy may give an empty array any strides: torch's are contiguous ones
            strides = _contiguous_strides(self._data.shape)
        return strides if dim is None else strides[wrap_dim(dim, self._data.ndim)]

    def is_contiguous(self, memory_format=None) -> bool:
        return bool(self._data.flags.c_contiguous)

    def is_floating_point(self) -> bool:
        return self._dtype.is_floating_point

    def is_complex(self) -> bool:
        return False

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0]

    def type(self, dtype=None, non_blocking=False):
        if dtype is None:
            return f"torch.{self._dtype.scalar_name}Tensor"
        from ._legacy import legacy_dtype  # "torch.LongTensor" or torch.LongTensor

        return self.to(legacy_dtype(dtype))

    @property
    def _version(self) -> int:
        return self._vbox[0]

    @property
    def _base(self):
        """The tensor this one is a view of (None when it is not a view)."""
        info = getattr(self, "_viewof", None)
        return None if info is None else info[0]

    def _is_view(self) -> bool:
        return getattr(self, "_viewof", None) is not None

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def output_nr(self) -> int:
        return self._output_nr if self._grad_fn is not None else 0

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value, _setter=True)

    def requires_grad_(self, requires_grad: bool = True, _setter: bool = False) -> Tensor:
        """Start (or stop) recording operations on this leaf, in place."""
        if self._grad_fn is not None:
            if requires_grad and not _setter:
                return self  # torch: requires_grad_() on a non-leaf is a no-op
            message = "you can only change requires_grad flags of leaf variables."
            if not requires_grad:
                message += (
                    " If you want to use a computed variable in a subgraph that doesn't "
                    "require differentiation use var_no_grad = var.detach()."
                )
            raise RuntimeError(message)
        if requires_grad and self._dtype.kind != FLOAT:
            raise RuntimeError(
                _SETTER_FLOAT_GRAD
                if _setter
                else "only Tensors of floating point dtype can require gradients"
            )
        if requires_grad and not self._requires_grad:
            self._init_leaf()
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad(self):
        if self._grad_fn is not None and not self.retains_grad:
            from ._hints import NON_LEAF_GRAD, warning_with_hint

            _backend.warn(warning_with_hint(NON_LEAF_GRAD_WARNING, NON_LEAF_GRAD))
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    "assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value._dtype is not self._dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_legacy_name(value._dtype)}'"
                    f" to a tensor with grad_dtype '{_legacy_type(self._dtype)}'. The gradient "
                    "must match the tensor's grad_dtype (defaults to the tensor's dtype). You "
                    "can set the tensor's grad_dtype attribute with a specific dtype, or None "
                    "to allow any dtype. Set grad_dtype with caution. Diverging the dtypes of "
                    "a tensor and its gradient may break downstream systems that assume they "
                    "match."
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor"
                    f" of size '{list(self.shape)}'. Please ensure that the gradient and the "
                    "tensor are the same size"
                )
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        return getattr(self, "_retains_grad", False)

    def retain_grad(self) -> None:
        """Keep .grad for this non-leaf tensor after backward."""
        if self._grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        with state_lock:  # two threads asking at once register one hook, not two
            if self.retains_grad:
                return
            self._retains_grad = True
        ref = weakref.ref(self)

        def retain(grad):
            tensor = ref()
            if tensor is not None:
                with lock:  # backward calls on several threads may share this tensor
                    if tensor._grad is None:
                        tensor._grad = grad if grad.requires_grad else grad._fresh_copy()
                    else:
                        tensor._grad = tensor._grad + grad
            return None

        lock = threading.Lock()

        retain.retains_grad = True  # marks the hook that must run after the user's hooks
        self._grad_fn._register_tensor_hook(self._output_nr, retain)

    def register_hook(self, hook) -> RemovableHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new one."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            handle = self._grad_fn._register_tensor_hook(self._output_nr, hook)
            if self.retains_grad:  # as in torch, .grad is retained after every hook has run
                hooks = self._grad_fn._hooks["tensor"]
                for entry in [e for e in hooks if getattr(e[1], "retains_grad", False)]:
                    hooks.remove(entry)
                    hooks.append(entry)
            return handle
        return _append_hook(self, "_grad_hooks", hook)

    def register_post_accumulate_grad_hook(self, hook) -> RemovableHandle:
        """Call ``hook(tensor)`` after the gradient is accumulated into this leaf's .grad."""
        if self._grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        return _append_hook(self, "_post_acc_hooks", hook)

    # ------------------------------------------------------------------ autograd
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor w.r.t. the graph leaves (into their .grad).

        >>> x = tensor(1., requires_grad=True)
        >>> (2 * x ** 3 + x).backward()
        >>> x.grad
        tensor(7.)
        """
        if gradient is None and inputs is None and not create_graph and self._grad_fn is not None:
            # the common case, a scalar loss: skip the general argument handling
            data = self._data
            if data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            seed = make(_ones(data.shape, data.dtype), self._dtype)
            run_backward(
                ((self._grad_fn, self._output_nr),),
                (seed,),
                bool(retain_graph or create_graph),
                create_graph,
            )
            return
        from .autograd import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        """The same storage (and version counter), cut from the graph."""
        out = make(self._data, self._dtype)
        out._vbox = self._vbox
        if self._requires_grad:  # where the graph was cut, for the hint of a later backward()
            frame = _getframe(1)
            out._detached_at = (frame.f_code.co_filename, frame.f_lineno)
        return out

    def detach_(self) -> Tensor:
        """Cut this tensor from its history, in place (views cannot be: use detach())."""
        if self._is_view():
            raise RuntimeError(DETACH_VIEW_IN_PLACE)
        self._grad_fn = None
        self._requires_grad = False
        return self

    # ------------------------------------------------------------------ conversion
    def numpy(self, *, force: bool = False):
        """The ndarray behind this tensor (shares memory)."""
        if self._requires_grad and not force:
            from ._hints import numpy_requires_grad

            raise numpy_requires_grad(RuntimeError(NUMPY_REQUIRES_GRAD))
        return self._data

    def __array__(self, dtype=None, copy=None):
        if self._requires_grad:
            from ._hints import numpy_requires_grad

            raise numpy_requires_grad(RuntimeError(NUMPY_REQUIRES_GRAD))
        data = self._data
        return data if dtype is None else data.astype(dtype, copy=False)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        data = self._data
        if data.size != 1:
            raise RuntimeError(f"a Tensor with {data.size} elements cannot be converted to Scalar")
        return data.item() if data.ndim == 0 else data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def _scalar(self, convert, warn=True):
        # torch warns for float() and complex(), not for int() (nor bool(), nor item())
        if warn and self._requires_grad and _graph.grad_state.enabled:  # torch: not in no_grad
            from ._hints import SCALAR_WITH_GRAD, warning_with_hint

            _backend.warn(warning_with_hint(SCALAR_WARNING, SCALAR_WITH_GRAD))
        if self._data.size != 1:
            from ._hints import scalar_conversion

            error = ValueError("only one element tensors can be converted to Python scalars")
            raise scalar_conversion(error, self)
        return convert(self.item())

    def __float__(self) -> float:
        return self._scalar(float)

    def __int__(self) -> int:
        return self._scalar(int, warn=False)

    def __complex__(self) -> complex:
        return self._scalar(complex)

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with no values is ambiguous"
                if self._data.size == 0
                else "Boolean value of Tensor with more than one value is ambiguous"
            )
        return bool(self._data.reshape(()).item())

    def __index__(self) -> int:
        if self._dtype.kind == FLOAT or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        leaf_grad = self._requires_grad and self._grad_fn is None
        text = _printing.format_tensor(
            self._data,
            self._dtype.name,
            defaults.float_dtype.name,
            requires_grad=leaf_grad,
            grad_fn_name=None if self._grad_fn is None else type(self._grad_fn).__name__,
        )
        if _graph.copy_tangents is not None:  # forward AD is on: a dual shows its tangent
            from .autograd.forward_ad import with_tangent

            text = with_tangent(self, text)
        return text

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._data, self._dtype.name, self._requires_grad))

    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol at the moment.  If you were attempting to deepcopy a module, "
                "this may be because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001"
            )
        out = make(self._data.copy(), self._dtype, self._requires_grad)
        if self._grad is not None:
            out._grad = make(self._grad._data.copy(), self._grad._dtype)
        memo[id(self)] = out
        return out

    def cpu(self) -> Tensor:
        return self

    def cuda(self, *args, **kwargs):
        raise AssertionError("Torch not compiled with CUDA enabled")


def _rebuild(data, dtype_name, requires_grad):
    return make(data, _backend._BY_NAME[dtype_name], requires_grad)


def _legacy_type(dtype) -> str:
    return Tensor.type(make(xp.zeros((), dtype.np), dtype))[6:-6]


def _legacy_name(dtype) -> str:
    return {
        "float32": "float",
        "float64": "double",
        "float16": "half",
        "int64": "long",
        "int32": "int",
        "int16": "short",
        "int8": "char",
        "uint8": "unsigned char",
        "bool": "bool",
    }[dtype.name]


_new_tensor = object.__new__


def make(data, dtype, requires_grad=False) -> Tensor:
    """Wrap an array (of ``dtype``) as a Tensor. The one constructor every op uses."""
    t = _new_tensor(Tensor)
    if type(data) is not _ndarray:
        data = _asarray(data)
    t._data = data
    t._dtype = dtype
    t._requires_grad = requires_grad
    t._grad_fn = None
    t._grad = None
    t._vbox = [0]
    if requires_grad:
        t._init_leaf()
    return t


def make_from_array(data, requires_grad=False) -> Tensor:
    """Wrap an array, finding its dtype from the array."""
    if type(data) is not _ndarray:
        data = _asarray(data)
    return make(data, from_numpy_dtype(data.dtype), requires_grad)


def wrap_dim(dim: int, ndim: int) -> int:
    """A possibly negative dim as an index, with torch's IndexError when out of range."""
    rank = ndim if ndim > 0 else 1
    if dim < -rank or dim >= rank:
        raise IndexError(
            "Dimension out of range (expected to be in range of "
            f"[{-rank}, {rank - 1}], but got {dim})"
        )
    return dim + rank if dim < 0 else dim


def _append_hook(t: Tensor, slot: str, hook) -> RemovableHandle:
    """Add ``hook`` to one of a leaf's hook lists, made on first use (once, across threads)."""
    hooks = getattr(t, slot)
    if hooks is None:
        with state_lock:
            hooks = getattr(t, slot)
            if hooks is None:
                hooks = []
                setattr(t, slot, hooks)
    hooks.append(hook)
    return RemovableHandle(hooks, hook)


def accumulator(t: Tensor) -> AccumulateGrad:
    """The leaf's AccumulateGrad node, shared by every use of the leaf while alive."""
    ref = t._accum
    if ref is not None:
        node = ref()
        if node is not None:
            return node
    with state_lock:  # one node (and so one lock on .grad) even when threads race here
        ref = t._accum
        node = None if ref is None else ref()
        if node is None:
            node = AccumulateGrad(t)
            t._accum = weakref.ref(node)
    return node


_NO_EDGE = (None, 0)


def _contiguous_strides(shape) -> tuple:
    """Row-major strides in elements, a dim of size 0 counted as 1 (torch's rule)."""
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def edge(t) -> tuple:
    """The graph edge a gradient for ``t`` flows along: (node, output_nr) or (None, 0)."""
    fn = t._grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    if t._requires_grad:
        return (accumulator(t), 0)
    return _NO_EDGE


def is_tensor(obj) -> bool:
    """True for chainrule tensors."""
    return isinstance(obj, Tensor)
