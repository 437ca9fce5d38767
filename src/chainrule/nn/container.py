"""Containers: Sequential, ModuleList, ModuleDict, ParameterList and ParameterDict.

>>> import chainrule as torch
>>> torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU())
Sequential(
  (0): Linear(in_features=2, out_features=3, bias=True)
  (1): ReLU()
)
"""

from __future__ import annotations

import operator
from collections import OrderedDict

from .._tensor import Tensor
from .module import Module
from .parameter import Parameter

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]


def _index(index, size: int) -> int:
    index = operator.index(index)
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of range")
    return index % size


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: modules named "0", "1", ... kept in order."""

    def _renumber(self, modules) -> None:
        self._modules.clear()
        for i, module in enumerate(modules):
            self._modules[str(i)] = module

    def append(self, module):
        """Add ``module`` at the end."""
        self.add_module(str(len(self._modules)), module)
        return self

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self

    def _insert(self, index: int, module) -> None:
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._renumber(modules)

    def __delitem__(self, index) -> None:
        keys = list(self._modules)
        for key in keys[index] if isinstance(index, slice) else [keys[_index(index, len(self))]]:
            del self._modules[key]
        self._renumber(list(self._modules.values()))  # torch renumbers the remaining modules

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


class Sequential(_ModuleSequence):
    """Modules applied in order (given as arguments or as an OrderedDict of names).

    >>> Sequential(Linear(2, 2), Tanh())(ones(1, 2)).shape
    torch.Size([1, 2])
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for index, module in enumerate(modules):
                self.add_module(str(index), module)

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)(OrderedDict(list(self._modules.items())[index]))
        return list(self._modules.values())[_index(index, len(self))]

    def __setitem__(self, index, module) -> None:
        key = list(self._modules)[_index(index, len(self))]
        setattr(self, key, module)

    def insert(self, index: int, module):
        self._insert(index, module)
        return self


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters the parent module sees.

    >>> len(ModuleList([Linear(2, 2), ReLU()]))
    2
    """

    def __init__(self, modules=None):
        super().__init__()
        for module in modules or ():
            self.append(module)

    def insert(self, index: int, module) -> None:
        self._insert(index, module)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)(list(self._modules.values())[index])
        return list(self._modules.values())[_index(index, len(self))]

    def __setitem__(self, index, module) -> None:
        self.add_module(str(_index(index, len(self))), module)

    def __add__(self, other):
        return ModuleList(list(self) + list(other))

    def __repr__(self) -> str:
        """torch groups runs of identical module reprs: ``(0-2): 3 x Linear(...)``."""
        reprs = [repr(m) for m in self._modules.values()]
        if not reprs:
            return "ModuleList()"
        lines, start = [], 0
        for end in range(1, len(reprs) + 1):
            if end == len(reprs) or reprs[end] != reprs[start]:
                body = reprs[start].replace("\n", "\n  ")
                if end - start == 1:
                    lines.append(f"({start}): {body}")
                else:
                    lines.append(f"({start}-{end - 1}): {end - start} x {body}")
                start = end
        return "ModuleList(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """An ordered dict of modules whose parameters the parent module sees.

    >>> list(ModuleDict({"act": ReLU()}).keys())
    ['act']
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key) -> bool:
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def pop(self, key):
        module = self._modules[key]
        del self._modules[key]
        return module

    def clear(self) -> None:
        self._modules.clear()

    def update(self, modules) -> None:
        pairs = modules.items() if hasattr(modules, "items") else modules
        for key, module in pairs:
            self[key] = module


def _param_line(value) -> str:
    if isinstance(value, Tensor):
        size = "x".join(str(s) for s in value.shape)
        kind = "Parameter containing" if isinstance(value, Parameter) else "Tensor"
        return f"{kind}: [{value.dtype} of size {size}]"
    return f"Object of type: {type(value).__name__}"


def _as_parameter(value):
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        return Parameter(value)
    return value


class ParameterList(Module):
    """A list of parameters (plain tensors are wrapped as Parameters).

    >>> len(list(ParameterList([Parameter(ones(2))]).parameters()))
    1
    """

    def __init__(self, values=None):
        super().__init__()
        object.__setattr__(self, "_size", 0)
        for value in values or ():
            self.append(value)

    def append(self, value):
        object.__setattr__(self, "_size", self._size + 1)
        self[self._size - 1] = value
        return self

    def extend(self, values):
        for value in values:
            self.append(value)
        return self

    def __setitem__(self, index, value) -> None:
        index = _index(index, self._size)
        value = _as_parameter(value)
        if isinstance(value, Parameter):
            self.register_parameter(str(index), value)
        else:
            setattr(self, str(index), value)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return ParameterList([self[i] for i in range(self._size)][index])
        return getattr(self, str(_index(index, self._size)))

    def __len__(self) -> int:
        return self._size

    def __iter__(self):
        return (self[i] for i in range(self._size))

    def extra_repr(self) -> str:
        return "\n".join(f"  ({i}): {_param_line(value)}" for i, value in enumerate(self))


def _legacy_line(value) -> str:
    if isinstance(value, Tensor):
        size = "x".join(str(s) for s in value.shape)
        kind = "Parameter containing" if isinstance(value, Parameter) else "Tensor"
        return f"{kind}: [{value.type()} of size {size}]"
    return f"Object of type: {type(value).__name__}"


class ParameterDict(Module):
    """An ordered dict of parameters (plain tensors are wrapped as Parameters).

    >>> list(ParameterDict({"scale": Parameter(ones(1))}).keys())
    ['scale']
    """

    def __init__(self, parameters=None):
        super().__init__()
        object.__setattr__(self, "_keys", {})
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key):
        return getattr(self, key)

    def __setitem__(self, key, value) -> None:
        self._keys[key] = None
        value = _as_parameter(value)
        if isinstance(value, Parameter):
            self.register_parameter(key, value)
        else:
            setattr(self, key, value)

    def __delitem__(self, key) -> None:
        del self._keys[key]
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self):
        return iter(self._keys)

    def __contains__(self, key) -> bool:
        return key in self._keys

    def keys(self):
        return self._keys.keys()

    def values(self):
        return [self[k] for k in self._keys]

    def items(self):
        return [(k, self[k]) for k in self._keys]

    def update(self, parameters) -> None:
        pairs = parameters.items() if hasattr(parameters, "items") else parameters
        for key, value in pairs:
            self[key] = value

    def extra_repr(self) -> str:
        return "\n".join(f"  ({k}): {_legacy_line(v)}" for k, v in self.items())
