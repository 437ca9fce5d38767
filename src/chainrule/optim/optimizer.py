"""torch.optim.Optimizer: parameter groups, per-parameter state, state_dict and zero_grad.

The update rules live one per file (sgd.py, adam.py, ...). They work on the parameters' arrays
in place, in the parameters' dtype, in the order of operations torch uses, so that a float32
training run follows torch's losses step by step.
"""

from __future__ import annotations

import copy
from collections import defaultdict

from .. import _backend
from .._backend import xp
from .._graph import no_grad
from .._tensor import Tensor, make

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Marks an option with no default: every parameter group must give it."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _type_name(obj) -> str:
    if isinstance(obj, Tensor):
        return "torch." + obj.type()[len("torch.") :]
    return type(obj).__name__


def check_non_negative(name: str, value, label: str | None = None) -> None:
    """Raise torch's ``Invalid <label>: <value>`` when an option is negative."""
    if isinstance(value, Tensor):
        value = value.item()
    if not 0.0 <= value:
        raise ValueError(f"Invalid {label or name}: {value}")


class Optimizer:
    """Base class of optimizers: holds ``param_groups`` and per-parameter ``state``.

    >>> w = nn.Parameter(tensor([1., 2.]))
    >>> opt = optim.SGD([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step(); w
    Parameter containing:
    tensor([0.8000, 1.6000], requires_grad=True)
    """

    def __init__(self, params, defaults: dict):
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {_type_name(params)}"
            )
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters with its own options (missing ones take the defaults).

        >>> a, b = nn.Parameter(tensor(1.)), nn.Parameter(tensor(2.))
        >>> opt = optim.SGD([a], lr=0.1)
        >>> opt.add_param_group({"params": [b], "lr": 0.01})
        >>> [g["lr"] for g in opt.param_groups]
        [0.1, 0.01]
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    + _type_name(param)
                )
            if not param.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        group = dict(param_group)
        group["params"] = params
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization parameter "
                    + name
                )
            group.setdefault(name, default)
        if len({id(p) for p in params}) != len(params):
            _backend.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this "
                "will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                "information"
            )
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients of every parameter (drop them, or fill them with zeros).

        >>> w = nn.Parameter(tensor(1.)); (2 * w).backward()
        >>> opt = optim.SGD([w]); opt.zero_grad(); print(w.grad)
        None
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        p.grad.detach_()
                    else:
                        p.grad.requires_grad_(False)
                    p.grad.zero_()

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns the closure's loss.

        Subclasses write ``_update_group(group)``: the update of one parameter group.
        """
        loss = self._evaluate(closure)
        with no_grad():
            for group in self.param_groups:
                self._update_group(group)
        return loss

    def _update_group(self, group):
        raise NotImplementedError

    # ------------------------------------------------------------------ state dicts
    def state_dict(self) -> dict:
        """The state as torch lays it out: ``state`` keyed by parameter index, and
        ``param_groups`` whose ``params`` are lists of those indices.

        >>> w = nn.Parameter(tensor(1.))
        >>> optim.SGD([w], lr=0.1).state_dict()["param_groups"][0]["params"]
        [0]
        """
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        by_id = {id(p): p for g in self.param_groups for p in g["params"]}
        state = {index[id(p)]: v for p, v in self.state.items() if id(p) in by_id}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore options and state saved by :meth:`state_dict` (tensors are copied)."""
        state_dict = copy.deepcopy(dict(state_dict))
        groups = self.param_groups
        saved_groups = state_dict["param_groups"]
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        id_map = {}
        for group, saved in zip(groups, saved_groups):
            for index, p in zip(saved["params"], group["params"]):
                id_map[index] = p
        state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in id_map:
                param = id_map[key]
                state[param] = {k: _cast_like(param, k, v) for k, v in value.items()}
            else:
                state[key] = value
        new_groups = []
        for group, saved in zip(groups, saved_groups):
            merged = dict(saved)
            merged["params"] = group["params"]
            new_groups.append(merged)
        self.state = state
        self.param_groups = new_groups

    # ------------------------------------------------------------------ helpers
    def __repr__(self) -> str:
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            if i:
                lines.append("")
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)

    @staticmethod
    def _evaluate(closure):
        """The loss from a closure (which re-evaluates the model), with grad enabled."""
        if closure is None:
            return None
        from .._graph import enable_grad

        with enable_grad():
            return closure()

    def _params_with_grad(self, group):
        """(param, grad array) pairs of a group, skipping parameters without a gradient; the
        gradient is negated for ``maximize=True``."""
        maximize = group.get("maximize", False)
        for p in group["params"]:
            if p.grad is not None:
                yield p, (-p.grad._data if maximize else p.grad._data)


def _cast_like(param, key, value):
    """Saved state moves to the parameter's dtype (floating tensors other than 'step')."""
    if isinstance(value, Tensor) and key != "step" and value.is_floating_point():
        return make(value._data.astype(param._data.dtype), param._dtype)
    return value


def zeros_state(param, fill=0.0) -> Tensor:
    """A state buffer shaped and typed like ``param``."""
    return make(xp.full(param._data.shape, fill, param._data.dtype), param._dtype)


def step_tensor(value=0.0) -> Tensor:
    """torch keeps the step count in a float32 0-d tensor; so does the state dict."""
    return make(xp.array(value, xp.float32), _float32())


def _float32():
    from .._backend import float32

    return float32


def bump(step: Tensor) -> float:
    """Add one to a step tensor and return the new count."""
    step._data += 1
    step._vbox[0] += 1
    return float(step._data)


def write(param: Tensor, value) -> None:
    """Store ``value`` into the parameter's array in place (bumping its version)."""
    xp.copyto(param._data, value, casting="unsafe")
    param._vbox[0] += 1


def lerp_(start, end, weight: float):
    """start += weight * (end - start), in place, computed from the nearer end as torch does."""
    if abs(weight) < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1 - weight)
    return start
