"""More in-place forms, installed from tables: ``erf_``, ``eq_``, ``t_``, ``index_fill_``, ...

Each is torch's in-place method for an out-of-place op chainrule already has, so the tables
below name the pairs and the machinery of ops/inplace.py does the work: compute, check,
write, rebase. Comparisons written in place get zero-gradient nodes (torch's EqBackward0
...), shape changes in place keep the view op's rule under torch's in-place name.

>>> import chainrule as torch
>>> a = torch.tensor([0.5, -1.0], requires_grad=True) * 1
>>> a.erf_()
tensor([ 0.5205, -0.8427], grad_fn=<ErfBackward0>)
"""

from __future__ import annotations

from .._backend import xp
from .._registry import defop
from .._tensor import Tensor, make
from .inplace import _check_overlap, _check_target, _edge, _write, inplace
from .views import commit

# torch's in-place methods that are "compute the out-of-place op, write it back": torch name
# -> the out-of-place Tensor method. Installed for every method that exists here.
_GENERIC = {
    **{
        name + "_": name
        for name in (
            "acos asin atan atan2 cosh sinh tan acosh asinh atanh arctan2 erf erfc erfinv exp2 "
            "log10 log2 lgamma digamma deg2rad rad2deg sinc logit frac fmod hypot xlogy lerp "
            "addcdiv addcmul addmm cumsum cumprod tril triu nan_to_num copysign heaviside ldexp "
            "i0 sgn float_power logical_and logical_or logical_xor logical_not bitwise_and "
            "bitwise_or bitwise_xor bitwise_not bitwise_left_shift bitwise_right_shift clamp_min "
            "clamp_max masked_scatter index_fill "
            "index_copy scatter_reduce put index_put eq ne lt le gt ge"
        ).split()
    },
    "absolute_": "abs",
    "negative_": "neg",
    "fix_": "trunc",
    "arccos_": "acos",
    "arcsin_": "asin",
    "arctan_": "atan",
    "arccosh_": "acosh",
    "arcsinh_": "asinh",
    "arctanh_": "atanh",
    "greater_": "gt",
    "greater_equal_": "ge",
    "less_": "lt",
    "less_equal_": "le",
    "not_equal_": "ne",
}
# comparisons written in place: the value no longer depends on the input (zero gradient)
_COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge")


def _zero_grad_vjp(node, g):
    # zeros with no history, as torch's comparison nodes give (they are not differentiable)
    zeros = make(xp.zeros_like(g._data), g._dtype)
    return tuple(zeros if node.needs_input_grad(i) else None for i in range(node._args))


_COMPARISON_NODES = {
    (name, nr): defop(f"{name.capitalize()}Backward{nr}", _zero_grad_vjp)
    for name in _COMPARISONS
    for nr in (0, 1)
}


def _comparison_inplace(name):
    compare = getattr(Tensor, name)

    def method(self, other):
        if isinstance(other, Tensor) and other is not self:
            _check_overlap(self._data, other._data)
        recorded = _check_target(self, (other,))
        result = compare(self, other)
        _write(self, result, False)
        if recorded:
            tensor_other = isinstance(other, Tensor)
            edges = (_edge(self),) + ((_edge(other),) if tensor_other else ())
            commit(self, _COMPARISON_NODES[name, int(tensor_other)](edges, None, len(edges)), 0)
        return self

    method.__name__ = name + "_"
    return method


# in-place shape changes: torch name -> (the view op, the grad_fn name torch shows)
_SHAPE_INPLACE = {
    "t_": ("t", "TBackward1"),
    "transpose_": ("transpose", "TransposeBackward1"),
    "swapdims_": ("transpose", "TransposeBackward1"),
    "swapaxes_": ("transpose", "TransposeBackward1"),
    "unsqueeze_": ("unsqueeze", "UnsqueezeBackward1"),
    "squeeze_": ("squeeze", "SqueezeBackward3"),
}
_SQUEEZE_DIM_NAMES = ("SqueezeBackward4", "SqueezeBackward5")
_RENAMED = {}


def _renamed(node, name):
    """The node as torch names its in-place form (same rule, another grad_fn name)."""
    cls = type(node)
    key = (cls, name)
    if key not in _RENAMED:
        _RENAMED[key] = defop(name, cls.vjp, cls.batchable)
    node.__class__ = _RENAMED[key]
    return node


def _shape_inplace(name, view_name, node_name):
    view_op = getattr(Tensor, view_name)

    def method(self, *args, **kwargs):
        recorded = _check_target(self)
        result = view_op(self, *args, **kwargs)
        self._data = result._data
        self._vbox[0] += 1
        _forget_positions(self)
        if recorded and result._grad_fn is not None:
            label = node_name
            if view_name == "squeeze" and (args or kwargs):
                dims = args[0] if args else kwargs.get("dim")
                label = _SQUEEZE_DIM_NAMES[isinstance(dims, (tuple, list))]
            node = _renamed(result._grad_fn, label)
            self._requires_grad, self._grad_fn, self._output_nr = True, node, 0
        return self

    method.__name__ = name
    method.__doc__ = f"In-place {view_name}: changes this tensor's shape and returns it."
    return method


def _forget_positions(self):
    """A view's place in its base is cached; a shape change in place invalidates it."""
    info = getattr(self, "_viewof", None)
    root = self if info is None else info[0]
    if info is not None:
        info[2] = None
    for ref in getattr(root, "_views", None) or ():
        view = ref()
        if view is not None:
            view._viewof[2] = None


def install_generic():
    """Install every form of _SHAPE_INPLACE and _GENERIC that Tensor lacks."""
    for name, (view_name, node_name) in _SHAPE_INPLACE.items():
        if not hasattr(Tensor, name):
            setattr(Tensor, name, _shape_inplace(name, view_name, node_name))
    for name, base in _GENERIC.items():
        if hasattr(Tensor, name):
            continue
        if base in _COMPARISONS:
            setattr(Tensor, name, _comparison_inplace(base))
        elif hasattr(Tensor, base):
            setattr(Tensor, name, inplace(getattr(Tensor, base)))
