"""nn.Module: parameters, buffers and submodules found by attribute, as in torch."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

from .. import _backend
from .._tensor import Tensor
from .parameter import Parameter


class Module:
    """Base class of models: assign Parameters and Modules as attributes, define forward.

    >>> class Line(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = Parameter(tensor(2.))
    ...     def forward(self, x):
    ...         return self.w * x
    >>> [name for name, _ in Line().named_parameters()]
    ['w']
    """

    _version = 1  # recorded in state_dict()._metadata; a module bumps it when its layout moves

    def __init__(self, *args, **kwargs):
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_backward_hooks", OrderedDict())
        object.__setattr__(self, "_backward_pre_hooks", OrderedDict())

    # ------------------------------------------------------------------ attributes
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign module before Module.__init__() call")
        params, buffers, modules = self._parameters, self._buffers, self._modules
        if isinstance(value, Parameter):
            self._drop(name)
            params[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_type_name(value)}' as parameter '{name}' "
                    "(torch.nn.Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, Module):
            self._drop(name)
            modules[name] = value
        elif name in modules and value is None:
            modules[name] = None
        elif name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{_type_name(value)}' as buffer '{name}' "
                    "(torch.Tensor or None expected)"
                )
            buffers[name] = value
        else:
            self._drop(name)
            object.__setattr__(self, name, value)

    def _drop(self, name):
        self.__dict__.pop(name, None)
        for store in ("_parameters", "_buffers", "_modules"):
            self.__dict__[store].pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __getattr__(self, name):
        for store in ("_parameters", "_buffers", "_modules"):
            values = self.__dict__.get(store)
            if values is not None and name in values:
                return values[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for store in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__[store]:
                del self.__dict__[store][name]
                return
        object.__delattr__(self, name)

    def _check_name(self, name, kind, store):
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain "."')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if name in self.__dict__ and name not in self.__dict__[store]:
            raise KeyError(f"attribute '{name}' already exists")
        for other in ("_parameters", "_buffers", "_modules"):
            if other != store and name in self.__dict__[other]:
                raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param) -> None:
        """Add ``param`` (a Parameter, or None) under ``name``.

        >>> m = Module(); m.register_parameter("w", Parameter(ones(2)))
        >>> [n for n, _ in m.named_parameters()]
        ['w']
        """
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name(name, "parameter", "_parameters")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{_type_name(param)}' object to parameter '{name}' "
                "(torch.nn.Parameter or None required)"
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor, persistent: bool = True) -> None:
        """Add a tensor that is state but not a parameter (saved in state_dict if persistent).

        >>> m = Module(); m.register_buffer("mean", zeros(2), persistent=False)
        >>> list(m.state_dict()), [n for n, _ in m.named_buffers()]
        ([], ['mean'])
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name(name, "buffer", "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{_type_name(tensor)}' object to buffer '{name}' "
                "(torch Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module) -> None:
        """Add a child module under ``name`` (what attribute assignment does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_type_name(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {type(name).__name__}")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str):
        """The module at dotted path ``target`` ("" is this module)."""
        module = self
        for item in target.split(".") if target else ():
            if not hasattr(module, item):
                raise AttributeError(f"{type(module).__name__} has no attribute `{item}`")
            module = getattr(module, item)
            if not isinstance(module, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
        return module

    def get_parameter(self, target: str):
        """The parameter at dotted path ``target``."""
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if name not in module._parameters:
            raise AttributeError(f"{type(module).__name__} has no attribute `{name}`")
        return module._parameters[name]

    # ------------------------------------------------------------------ traversal
    def named_modules(self, memo=None, prefix="", remove_duplicate: bool = True):
        """(dotted name, module) for this module and every submodule, depth first."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                sub = f"{prefix}.{name}" if prefix else name
                yield from child.named_modules(memo, sub, remove_duplicate)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        for name, child in self._modules.items():
            if child is not None:
                yield name, child

    def children(self):
        for _, child in self.named_children():
            yield child

    def _named(self, store, prefix, recurse, remove_duplicate=True):
        seen = set()
        if recurse:
            modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
        else:
            modules = [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, store).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate=True):
        """(dotted name, parameter) pairs, each shared parameter once.

        >>> [n for n, _ in Linear(2, 1).named_parameters()]
        ['weight', 'bias']
        """
        yield from self._named("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True):
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True):
        yield from self._named("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True):
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    # ------------------------------------------------------------------ state
    def state_dict(self, destination=None, prefix: str = "", keep_vars: bool = False):
        """Parameters and buffers by dotted name (detached unless keep_vars); as torch's, its
        ``_metadata`` records each module's ``_version`` under its dotted name."""
        out = OrderedDict() if destination is None else destination
        if destination is None:
            out._metadata = OrderedDict()
        if hasattr(out, "_metadata"):
            out._metadata[prefix[:-1]] = {"version": self._version}
        for name, value in self._own_state():
            out[prefix + name] = value if keep_vars else value.detach()
        for name, child in self._modules.items():
            if child is not None:
                child.state_dict(out, prefix + name + ".", keep_vars)
        return out

    def _own_state(self):
        """(name, tensor) of this module's own parameters and persistent buffers."""
        for name, value in self._parameters.items():
            if value is not None:
                yield name, value
        for name, value in self._buffers.items():
            if value is not None and name not in self._non_persistent_buffers_set:
                yield name, value

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copy values in by name; with strict, torch's error for missing/unexpected keys."""
        from .._graph import no_grad

        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = OrderedDict(state_dict)  # the hooks below may change it: a copy
        errors = []
        own = OrderedDict()
        for path, module in self.named_modules(remove_duplicate=False):  # torch's order
            prefix = path + "." if path else ""
            version = None if metadata is None else metadata.get(path, {}).get("version")
            module._prepare_state_dict(state_dict, prefix, version, errors)
            for name, target in module._own_state():
                key = prefix + name
                own[key] = target
                if key in state_dict and tuple(state_dict[key].shape) != tuple(target.shape):
                    errors.append(
                        f"size mismatch for {key}: copying a param with shape "
                        f"{_size_repr(state_dict[key].shape)} from checkpoint, the shape in "
                        f"current model is {_size_repr(target.shape)}."
                    )
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict:
            if unexpected:
                keys = ", ".join(f'"{k}"' for k in unexpected)
                errors.insert(0, f"Unexpected key(s) in state_dict: {keys}. ")
            if missing:
                keys = ", ".join(f'"{k}"' for k in missing)
                errors.insert(0, f"Missing key(s) in state_dict: {keys}. ")
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        with no_grad():
            for key, target in own.items():
                if key in state_dict:
                    if assign:
                        self._assign(key, state_dict[key])
                    else:
                        target.copy_(state_dict[key])
        return _IncompatibleKeys(missing, unexpected)

    def _prepare_state_dict(self, state_dict, prefix, version, error_msgs) -> None:
        """The per-module step of load_state_dict (torch's _load_from_state_dict override
        point), run before keys are matched: a module may add, drop or convert its own
        entries (``prefix + name``) of the copied ``state_dict``, given the ``_version`` the
        checkpoint recorded for it (None when it has no metadata), and append messages to
        ``error_msgs`` (which make the load fail, strict or not)."""

    def _assign(self, key, value):
        path, _, name = key.rpartition(".")
        module = self.get_submodule(path)
        if name in module._parameters and not isinstance(value, Parameter):
            value = Parameter(value, module._parameters[name].requires_grad)
        setattr(module, name, value)

    # ------------------------------------------------------------------ modes
    def train(self, mode: bool = True):
        """Set training mode here and in every submodule (dropout, batch norm follow it)."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        object.__setattr__(self, "training", mode)
        for child in self.children():
            child.train(mode)
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True):
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for param in self.parameters():
            if param.grad is not None:
                if set_to_none:
                    param.grad = None
                else:
                    param.grad.zero_()

    def apply(self, fn):
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def _apply(self, convert):
        """Convert every parameter, buffer and gradient in place (parameters keep identity)."""
        for module in self.modules():
            for store in (module._parameters, module._buffers):
                for value in store.values():
                    if value is not None:
                        _convert_in_place(value, convert)
                        if value._grad is not None:
                            _convert_in_place(value._grad, convert)
        return self

    _convert = _apply

    def to(self, *args, **kwargs):
        """Cast floating parameters and buffers to a dtype (devices: cpu only).

        >>> Linear(2, 1).to(float64).weight.dtype
        torch.float64
        """
        dtype = kwargs.get("dtype")
        for arg in args:
            if isinstance(arg, _backend.dtype):
                dtype = arg
            elif isinstance(arg, Tensor):
                dtype = arg.dtype
        if dtype is not None and dtype.kind != _backend.FLOAT:
            raise TypeError(
                "nn.Module.to only accepts floating point or complex dtypes, but got desired "
                f"dtype={dtype}"
            )
        if dtype is None:
            return self
        return self._apply(lambda t: t.to(dtype) if t.is_floating_point() else t)

    def float(self):
        return self._convert(lambda t: t.float() if t.is_floating_point() else t)

    def double(self):
        return self._convert(lambda t: t.double() if t.is_floating_point() else t)

    def half(self):
        return self._convert(lambda t: t.half() if t.is_floating_point() else t)

    def type(self, dst_type):
        return self._apply(lambda t: t.type(dst_type))

    def cpu(self):
        return self

    def cuda(self, device=None):
        return self

    # ------------------------------------------------------------------ calling
    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args, **kwargs):
        backward_hooks = self.__dict__.get("_backward_hooks") or self.__dict__.get(
            "_backward_pre_hooks"
        )
        if not (self._forward_hooks or self._forward_pre_hooks or backward_hooks):
            return self.forward(*args, **kwargs)
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        if backward_hooks:
            state = _BackwardHookState(self, args)
            args = state.wrap_inputs(args)
            output = state.wrap_outputs(self.forward(*args, **kwargs))
        else:
            output = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, output)
            if result is not None:
                output = result
        return output

    def register_forward_hook(self, hook):
        """``hook(module, inputs, output)`` runs after forward; a non-None result replaces it.

        >>> m = Identity(); h = m.register_forward_hook(lambda mod, i, o: o * 2)
        >>> m(tensor(1.))
        tensor(2.)
        """
        return _add_hook(self._forward_hooks, hook)

    def register_forward_pre_hook(self, hook):
        """``hook(module, inputs)`` runs before forward; a non-None result replaces inputs."""
        return _add_hook(self._forward_pre_hooks, hook)

    def register_full_backward_hook(self, hook):
        """``hook(module, grad_input, grad_output)`` runs once the grads of the inputs are known;
        a non-None result replaces grad_input."""
        return _add_hook(self._backward_hooks, hook)

    def register_full_backward_pre_hook(self, hook):
        """``hook(module, grad_output)`` runs before the module's backward; a non-None result
        replaces grad_output."""
        return _add_hook(self._backward_pre_hooks, hook)

    def __dir__(self):
        names = list(super().__dir__())
        for store in ("_parameters", "_buffers", "_modules"):
            names += list(self.__dict__[store])
        return sorted(set(names))

    def __setstate__(self, state):
        self.__dict__.update(state)
        for key, default in (
            ("_non_persistent_buffers_set", set),
            ("_forward_hooks", OrderedDict),
            ("_forward_pre_hooks", OrderedDict),
            ("_backward_hooks", OrderedDict),
            ("_backward_pre_hooks", OrderedDict),
        ):
            self.__dict__.setdefault(key, default())

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = []
        extra = self.extra_repr()
        if extra:
            lines = extra.split("\n")
        for name, child in self._modules.items():
            child_repr = repr(child).replace("\n", "\n  ")
            lines.append(f"({name}): {child_repr}")
        head = type(self).__name__ + "("
        if not lines:
            return head + ")"
        if len(lines) == 1 and not self._modules:
            return head + lines[0] + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"


class RemovableHandle:
    """What a register_*_hook returns: ``handle.remove()`` takes the hook out."""

    _next_id = 0

    def __init__(self, hooks):
        self.hooks_dict_ref = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self) -> None:
        self.hooks_dict_ref.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class _BackwardHookState:
    """Routes a module's input and output grads through identity Functions to call its
    full backward hooks, as torch's BackwardHookFunction does."""

    def __init__(self, module, args):
        self.module = module
        self.n_inputs = sum(isinstance(a, Tensor) for a in args)
        self.grad_output = None
        self.wrapped_inputs = []  # positions (among tensor args) routed through the hook

    def wrap_inputs(self, args):
        from .._registry import grad_state

        tensors = [a for a in args if isinstance(a, Tensor)]
        self.wrapped_inputs = [
            i for i, t in enumerate(tensors) if t.requires_grad and grad_state.enabled
        ]
        if not self.wrapped_inputs:
            return args
        outs = _BackwardHookFunction.apply(
            (self, "inputs"), *(tensors[i] for i in self.wrapped_inputs)
        )
        outs = outs if isinstance(outs, tuple) else (outs,)
        replaced = dict(zip(self.wrapped_inputs, outs))
        result, k = [], 0
        for a in args:
            if isinstance(a, Tensor):
                a = replaced.get(k, a)
                k += 1
            result.append(a)
        return tuple(result)

    def wrap_outputs(self, output):
        is_tuple = isinstance(output, tuple)
        outputs = output if is_tuple else (output,)
        positions = [i for i, o in enumerate(outputs) if isinstance(o, Tensor) and o.requires_grad]
        if not positions:
            return output
        outs = _BackwardHookFunction.apply((self, "outputs"), *(outputs[i] for i in positions))
        outs = outs if isinstance(outs, tuple) else (outs,)
        replaced = dict(zip(positions, outs))
        outputs = tuple(replaced.get(i, o) for i, o in enumerate(outputs))
        return outputs if is_tuple else outputs[0]

    def on_grad_output(self, grads):
        for hook in list(self.module._backward_pre_hooks.values()):
            result = hook(self.module, grads)
            if result is not None:
                grads = tuple(result) if isinstance(result, (tuple, list)) else (result,)
        self.grad_output = grads
        if not self.wrapped_inputs and self.module._backward_hooks:
            import warnings

            warnings.warn(
                "Full backward hook is firing when gradients are computed with respect to module "
                "outputs since no inputs require gradients. See https://docs.pytorch.org/docs/"
                "main/generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook"
                " for more details.",
                UserWarning,
                stacklevel=2,
            )
            self.call_hooks((None,) * self.n_inputs)
        return grads

    def on_grad_input(self, grads):
        full = [None] * self.n_inputs
        for i, g in zip(self.wrapped_inputs, grads):
            full[i] = g
        full = self.call_hooks(tuple(full))
        return tuple(full[i] for i in self.wrapped_inputs)

    def call_hooks(self, grad_input):
        for hook in list(self.module._backward_hooks.values()):
            result = hook(self.module, grad_input, self.grad_output)
            if result is not None:
                grad_input = tuple(result) if isinstance(result, (tuple, list)) else (result,)
        return grad_input


def _make_backward_hook_function():
    from ..autograd.function import Function

    class BackwardHookFunction(Function):
        @staticmethod
        def forward(ctx, where, *tensors):
            ctx.where = where
            return tensors

        @staticmethod
        def backward(ctx, *grads):
            state, kind = ctx.where
            if kind == "outputs":
                return (None, *state.on_grad_output(grads))
            return (None, *state.on_grad_input(grads))

    return BackwardHookFunction


class _LazyBackwardHookFunction:
    cls = None

    @classmethod
    def apply(cls, *args):
        if cls.cls is None:
            cls.cls = _make_backward_hook_function()
        return cls.cls.apply(*args)


_BackwardHookFunction = _LazyBackwardHookFunction


def _add_hook(hooks, hook):
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle


def _type_name(value) -> str:
    if isinstance(value, Tensor):
        return value.type()
    return type(value).__name__


def _size_repr(shape) -> str:
    return f"torch.Size({list(shape)})"


def _convert_in_place(tensor, convert):
    new = convert(tensor.detach())
    if tensor._dtype is not new._dtype:
        tensor._data, tensor._dtype = new._data, new._dtype


class _IncompatibleKeys:
    def __init__(self, missing_keys, unexpected_keys):
        self.missing_keys = missing_keys
        self.unexpected_keys = unexpected_keys

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (
            f"_IncompatibleKeys(missing_keys={self.missing_keys}, "
            f"unexpected_keys={self.unexpected_keys})"
        )
