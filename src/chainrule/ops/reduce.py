"""Reductions and scans: sum, mean, prod, max/min, var/std, norm, logsumexp, cumsum, softmax.

Reductions of a whole tensor and along dims share one rule per op: the output gradient is
reshaped back to keepdim form and broadcast over the reduced dims.
"""

from __future__ import annotations

import builtins
import warnings
from collections import namedtuple

from .. import _backend
from .._argerrors import invalid_combination, wrong_type
from .._backend import FLOAT, defaults, xp
from .._graph import SavedOutput, grad_state
from .._registry import defop, export, lead, record, will_record
from .._tensor import Tensor, make, wrap_dim
from .elementwise import where

__all__ = []


def _export(name, func, **kw):
    __all__.append(name)
    return export(name, func, **kw)


def reduce_dims(dim, ndim: int) -> tuple:
    """Normalise a dim argument (None, int, list or tuple) to sorted non-negative dims.

    A 0-d tensor accepts dim 0 or -1 (as torch does) and has no dims to reduce.
    """
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return tuple(range(ndim))
        dims = tuple(sorted(wrap_dim(d, ndim) for d in dim))
        for a, b in zip(dims, dims[1:]):
            if a == b:
                raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
        return dims if ndim else ()
    d = wrap_dim(dim, ndim)
    return (d,) if ndim else ()


def keepdim_shape(shape: tuple, dims: tuple) -> tuple:
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def expand_back(g: Tensor, node) -> Tensor:
    """The output gradient broadcast back over the reduced dims of the input."""
    shape, dims, keepdim = node._args[:3]
    batch = lead(g)
    if not keepdim:
        g = g.reshape(batch + keepdim_shape(shape, dims))
    return g.expand(batch + shape)


def _count(shape, dims) -> int:
    n = 1
    for d in dims:
        n *= shape[d]
    return n


# --------------------------------------------------------------------------- sum and mean


def _sum_vjp(node, g):
    return (expand_back(g, node),)


def _mean_vjp(node, g):
    shape, dims = node._args[:2]
    # builtins.max: this module's own max is the tensor reduction
    return (expand_back(g, node) / builtins.max(_count(shape, dims), 1),)


SumAllNode = defop("SumBackward0", _sum_vjp)
SumDimNode = defop("SumBackward1", _sum_vjp)
MeanAllNode = defop("MeanBackward0", _mean_vjp)
MeanDimNode = defop("MeanBackward1", _mean_vjp)


def _sum_dtype(input, dtype):
    if dtype is not None:
        return dtype
    return input._dtype if input._dtype.kind == FLOAT else _backend.int64


def _converted(input, dtype):
    """The input in the ``dtype=`` asked of a reduction, converted in the graph so the
    gradient comes back in the input's own dtype (a float32 leaf gets a float32 grad)."""
    if dtype is None or dtype is input._dtype:
        return input
    return input.to(dtype)


def _quiet_sum(data, dims, keepdim, dtype):
    """data.sum: inf + -inf is nan, without NumPy's warning (torch gives none). A float16
    sum accumulates in float32 and is rounded once, as torch's: NumPy's own half sum does so
    only along the last axis (summing rows it rounds to half after every addition)."""
    if data.dtype.kind != "f":
        return data.sum(axis=dims, keepdims=keepdim, dtype=dtype)
    token = _backend.quiet_on()
    try:
        if dtype == xp.float16:
            return data.sum(axis=dims, keepdims=keepdim, dtype=xp.float32).astype(dtype)
        return data.sum(axis=dims, keepdims=keepdim, dtype=dtype)
    finally:
        _backend.quiet_off(token)


# The default dim of sum and mean: no dim given is torch's first overload (SumBackward0);
# an explicit dim=None is the dim overload reducing every dim (SumBackward1).
_WHOLE = _ABSENT = type("NoDim", (), {"__repr__": lambda self: "None"})()


def sum(input, dim=_WHOLE, keepdim=False, *, dtype=None):
    """Sum of all elements, or along ``dim`` (int or tuple).

    >>> sum(tensor([[1., 2.], [3., 4.]]), 0)
    tensor([4., 6.])
    """
    input = _converted(input, dtype)
    data = input._data
    out_dtype = _sum_dtype(input, dtype)
    if dim is _WHOLE and not keepdim:
        result = _quiet_sum(data, None, False, out_dtype.np)
        return record(
            SumAllNode,
            make(result, out_dtype),
            (input,),
            None,
            (data.shape, tuple(range(data.ndim)), False),
        )
    dims = reduce_dims(None if dim is _WHOLE else dim, data.ndim)
    result = _quiet_sum(data, dims, keepdim, out_dtype.np)
    return record(SumDimNode, make(result, out_dtype), (input,), None, (data.shape, dims, keepdim))


def mean(input, dim=_WHOLE, keepdim=False, *, dtype=None):
    """Arithmetic mean of all elements, or along ``dim``."""
    if dtype is None and input._dtype.kind != FLOAT:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_legacy(input._dtype)}"
        )
    if dtype is not None and dtype.kind != FLOAT:
        raise RuntimeError(
            "mean(): could not infer output dtype. Optional dtype must be either a floating "
            f"point or complex dtype. Got: {_legacy(dtype)}"
        )
    input = _converted(input, dtype)
    out_dtype = input._dtype
    data = input._data
    whole = dim is _WHOLE and not keepdim
    dims = (
        tuple(range(data.ndim)) if whole else reduce_dims(None if dim is _WHOLE else dim, data.ndim)
    )
    with xp.errstate(all="ignore"):  # sum / count: NaN for empty input, without NumPy's warning
        acc = _backend.accumulates_in(out_dtype.np)  # half sums in float32: no overflow
        total = data.sum(axis=dims, keepdims=keepdim, dtype=acc)
        result = (total / acc.type(_count(data.shape, dims))).astype(out_dtype.np)
    node = MeanAllNode if whole else MeanDimNode
    return record(node, make(result, out_dtype), (input,), None, (data.shape, dims, keepdim))


def _legacy(dtype):
    return dtype.scalar_name


# --------------------------------------------------------------------------- prod


def _prod_vjp(node, g):
    x, _ = node.saved  # torch saves the result too (in-place checks)
    shape, dims, keepdim = node._args
    g = expand_back(g, node)
    if x.ndim == 0:
        return (g,)  # the product of one number: its derivative is 1 (and no graph, as torch)
    is_zero = x == 0
    if not is_zero._data.any():
        return (g * (_group_prod(x, dims) / x),)
    if len(dims) == 1 and x.shape[dims[0]] == 1:
        return (g,)  # one element per group: as torch, the gradient passes as it is
    grad = g * _prod_of_others(x, dims)
    if not grad_state.enabled and len(dims) == x.ndim and is_zero.sum().item() > 1:
        grad = grad.new_zeros(grad.shape)  # torch's plain backward of a whole product: +0
    return (grad,)


def _prod_of_others(x, dims):
    """For each element, the product of the other elements of its group (prod's derivative
    where some are zero): the product of those before it times the product of those after
    it, both exclusive cumulative products. No division, so it is exact at zeros, and built
    from chainrule ops, so every higher derivative is right too (three zeros in a group have
    a nonzero third derivative)."""
    if len(dims) == 1:
        return _exclusive_products(x, dims[0])
    return _exclusive_products(x.reshape(-1), 0).reshape(x.shape)


def _exclusive_products(x, dim):
    from .joining import cat

    size = x.shape[dim]
    one = x.new_ones(x.shape[:dim] + (1,) + x.shape[dim + 1 :])
    before = cat([one, x.narrow(dim, 0, size - 1)], dim).cumprod(dim)
    after = cat([one, x.flip(dim).narrow(dim, 0, size - 1)], dim).cumprod(dim).flip(dim)
    return before * after


def _group_prod(x, dims):
    """The product over ``dims`` (all dims, or one), kept as size-1 dims."""
    if len(dims) == x.ndim:
        return x.prod().reshape((1,) * x.ndim)
    return x.prod(dims[0], keepdim=True)


ProdAllNode = defop("ProdBackward0", _prod_vjp)
ProdDimNode = defop("ProdBackward1", _prod_vjp)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product of all elements, or along one ``dim``."""
    if dim is not None and type(dim) is not int:
        raise _prod_error(False, (input, dim), {})
    input = _converted(input, dtype)
    data = input._data
    out_dtype = _sum_dtype(input, dtype)
    if dim is None:
        dims, node = tuple(range(data.ndim)), ProdAllNode
        keep = False
    else:
        dims, node = reduce_dims(dim, data.ndim), ProdDimNode
        keep = keepdim
    acc = _backend.accumulates_in(out_dtype.np)  # half: in float32, rounded once
    token = _backend.quiet_on()  # inf * 0: nan, silently as in torch
    try:
        result = data.prod(axis=dims, keepdims=keep, dtype=acc).astype(out_dtype.np, copy=False)
    finally:
        _backend.quiet_off(token)
    out = make(result, out_dtype)
    return record(node, out, (input,), (input, SavedOutput(out)), (data.shape, dims, keep))


_PROD_METHOD = (
    "*, torch.dtype dtype = None",
    "int dim, bool keepdim = False, *, torch.dtype dtype = None",
)
_PROD_FUNCTION = (
    "Tensor input, *, torch.dtype dtype = None",
    "Tensor input, int dim, bool keepdim = False, *, torch.dtype dtype = None, Tensor out = None",
)


def _prod_form(method: bool):
    """torch.prod / Tensor.prod: torch takes one int dim (never a tuple, a list or None)."""

    def form(*args, **kwargs):
        if not method and args and not isinstance(args[0], Tensor):
            raise wrong_type("prod", "input", 1, "Tensor", args[0])
        rest = args[1:]
        dim = rest[0] if rest else kwargs.get("dim", _ABSENT)
        if type(dim) is int or (dim is _ABSENT and "keepdim" not in kwargs):
            return prod(*args, **kwargs)
        raise _prod_error(method, args, kwargs)

    form.__name__, form.__doc__ = "prod", prod.__doc__
    return form


def _prod_error(method: bool, args, kwargs) -> TypeError:
    """torch's parser error: the one signature that takes as many arguments, or all of them."""
    given = args[1:] if method else args
    count = len(given) + len(kwargs)
    first, second = ((0, 1), (1, 3)) if method else ((1, 2), (2, 5))
    if not first[0] <= count <= first[1] and second[0] <= count <= second[1]:
        rest = args[1:]
        if rest:
            return wrong_type("prod", "dim", 1 if method else 2, "int", rest[0])
        if "dim" not in kwargs:
            return TypeError('prod() missing 1 required positional arguments: "dim"')
        return wrong_type("prod", "dim", None, "int", kwargs["dim"])
    options = _PROD_METHOD if method else _PROD_FUNCTION
    return invalid_combination("prod", given, kwargs, options)


# --------------------------------------------------------------------------- max / min

values_indices = {}


def _named_result(name):
    if name not in values_indices:
        cls = namedtuple(name, ["values", "indices"])
        cls.__module__ = "torch.return_types"
        cls.__repr__ = _return_type_repr
        values_indices[name] = cls
    return values_indices[name]


def _return_type_repr(self):
    return (
        f"torch.return_types.{type(self).__name__}(\nvalues={self.values!r},\n"
        f"indices={self.indices!r})"
    )


def _evenly_vjp(node, g):
    """Whole-tensor max/min (and amax/amin): ties share the gradient equally."""
    x = node.saved[0]  # torch saves the result too (in-place checks)
    out_value = node._args[3]
    g = expand_back(g, node)
    hit = (x == out_value) | (x.isnan() & out_value.isnan())  # a NaN result: the NaNs share
    count = hit.sum(node._args[1], keepdim=True).to(g.dtype)
    return (where(hit, g / count.expand(x.shape), 0.0),)


def _scaled_by_count_vjp(node, g):
    """amax/amin: torch's (g / count) * mask, mask the elements equal to the result. Unlike
    max() there is no sharing between NaNs: a NaN result makes every gradient NaN (g / 0 times
    0), and the elements off the mask get g's signed zero."""
    x = node.saved[0]
    out_value = node._args[3]
    hit = (x == out_value).to(g.dtype)
    count = hit.sum(node._args[1], keepdim=True)
    return (expand_back(g, node) / count * hit,)


def _select_vjp(node, g):
    """max/min along a dim: the gradient goes to the element whose index was returned."""
    shape, dim, keepdim = node._args
    (indices,) = node.saved  # saved, as torch saves them: freed after backward
    grad = g
    if not shape:  # a 0-d input is its own max
        return (grad,)
    if not keepdim:
        grad = grad.unsqueeze(dim)
        indices = indices.unsqueeze(dim)
    return (grad.new_zeros(shape).scatter(dim, indices, grad),)


MaxAllNode = defop("MaxBackward1", _evenly_vjp)
MinAllNode = defop("MinBackward1", _evenly_vjp)
MaxDimNode = defop("MaxBackward0", _select_vjp, batchable=False)
MinDimNode = defop("MinBackward0", _select_vjp, batchable=False)
AmaxNode = defop("AmaxBackward0", _scaled_by_count_vjp)
AminNode = defop("AminBackward0", _scaled_by_count_vjp)


def _empty_reduction_check(data, name, dims=None, error=RuntimeError, hint=True):
    """torch refuses max/min-like reductions over nothing, before NumPy says it otherwise."""
    if dims is None:
        if data.size == 0:
            message = f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
            if hint:
                message += " Specify the reduction dim with the 'dim' argument."
            raise error(message)
        return
    for d in dims:
        if data.ndim and data.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def _extreme(input, dim, keepdim, is_max, other=None):
    if isinstance(dim, Tensor):  # torch.max(a, b) is maximum
        other, dim = dim, None
    if other is not None:
        from .elementwise import maximum, minimum

        return maximum(input, other) if is_max else minimum(input, other)
    data = input._data
    name = "max" if is_max else "min"
    if dim is None:
        _empty_reduction_check(data, name)
        result = data.max() if is_max else data.min()
        out = make(result, input._dtype)
        node = MaxAllNode if is_max else MinAllNode
        return record(
            node,
            out,
            (input,),
            (input, SavedOutput(out)),
            (data.shape, tuple(range(data.ndim)), False, out.detach()),
        )
    d = wrap_dim(dim, data.ndim)
    _empty_reduction_check(data, name, (d,))
    if data.ndim == 0:
        values, indices = data.copy(), xp.zeros((), xp.int64)
    else:
        indices = data.argmax(axis=d) if is_max else data.argmin(axis=d)
        if input._dtype.kind == FLOAT:  # NaN wins, as in torch
            nan_at = xp.isnan(data)
            if nan_at.any():
                indices = xp.where(nan_at.any(axis=d), nan_at.argmax(axis=d), indices)
        values = xp.take_along_axis(data, xp.expand_dims(indices, d), axis=d)
        if keepdim:
            indices = xp.expand_dims(indices, d)
        else:
            values = values.squeeze(d)
    values_t = make(values, input._dtype)
    indices_t = make(indices.astype(xp.int64), _backend.int64)
    node = MaxDimNode if is_max else MinDimNode
    record(node, values_t, (input,), (indices_t,), (data.shape, d, keepdim))
    return _named_result(name)(values_t, indices_t)


def max(input, dim=None, keepdim=False, *, other=None):
    """Largest element; along ``dim``: (values, indices); with a tensor: elementwise maximum."""
    return _extreme(input, dim, keepdim, True, other)


def min(input, dim=None, keepdim=False, *, other=None):
    """Smallest element; along ``dim``: (values, indices); with a tensor: elementwise minimum."""
    return _extreme(input, dim, keepdim, False, other)


def _amax_amin(input, dim, keepdim, is_max):
    data = input._data
    name = "amax" if is_max else "amin"
    whole = dim is None or dim == () or dim == []
    dims = reduce_dims(None if whole else dim, data.ndim)
    _empty_reduction_check(data, name, None if whole else dims)
    extreme = data.max if is_max else data.min
    result = extreme(axis=dims, keepdims=keepdim)
    out = make(result, input._dtype)
    kept = result if keepdim else extreme(axis=dims, keepdims=True)
    node = AmaxNode if is_max else AminNode
    args = (data.shape, dims, keepdim, make(kept, input._dtype))
    return record(node, out, (input,), (input, SavedOutput(out)), args)


def amax(input, dim=(), keepdim=False):
    """Maximum over ``dim`` (all dims by default); ties share the gradient."""
    return _amax_amin(input, dim, keepdim, True)


def amin(input, dim=(), keepdim=False):
    """Minimum over ``dim`` (all dims by default); ties share the gradient."""
    return _amax_amin(input, dim, keepdim, False)


def argmax(input, dim=None, keepdim=False):
    """Index of the largest element (of the flattened tensor when dim is None)."""
    return _arg_extreme(input, dim, keepdim, True)


def argmin(input, dim=None, keepdim=False):
    """Index of the smallest element (of the flattened tensor when dim is None)."""
    return _arg_extreme(input, dim, keepdim, False)


def _arg_extreme(input, dim, keepdim, is_max):
    data = input._data
    name = "argmax" if is_max else "argmin"
    if input._dtype is _backend.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None:
        _empty_reduction_check(data, name, error=IndexError, hint=False)
        flat = data.reshape(-1)
        index = flat.argmax() if is_max else flat.argmin()
        result = xp.asarray(index, xp.int64)
        if keepdim:
            result = result.reshape((1,) * data.ndim)
        return make(result, _backend.int64)
    d = wrap_dim(dim, data.ndim)
    _empty_reduction_check(data, name, (d,))
    if data.ndim == 0:
        return make(xp.zeros((), xp.int64), _backend.int64)
    pick = data.argmax if is_max else data.argmin
    result = pick(axis=d, keepdims=keepdim)
    return make(result.astype(xp.int64), _backend.int64)


# --------------------------------------------------------------------------- var and std


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def _var_args(input, dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):  # var(x, False): the old positional unbiased
        unbiased, dim = dim, None
    if input._dtype.kind != FLOAT:
        raise RuntimeError("std and var only support floating point and complex dtypes")
    data = _backend.opmath(input._data)  # half: in float32, rounded once at the end
    dims = reduce_dims(dim, data.ndim)
    return data, dims, _correction(unbiased, correction)


def no_dof_var_grad(x, g):
    """torch's var gradient of a whole-tensor reduction with no degrees of freedom left: nan
    where x equals its mean, else an infinity of g's sign (inf, -inf or, at g == 0, nan), as
    a constant (no graph). ``g`` already has x's shape."""
    xd, gd = x._data, g._data
    with xp.errstate(all="ignore"):
        value = xp.where(xd == xd.mean(), xp.nan, xp.inf * gd)
    return make(value.astype(gd.dtype, copy=False), g._dtype)


def _var_vjp(node, g):
    (x,) = node.saved
    shape, dims, keepdim, ddof, whole = node._args
    dof = _count(shape, dims) - ddof
    if dof <= 0 and whole:
        return (no_dof_var_grad(x, expand_back(g, node)),)
    centered = x - x.mean(dims, keepdim=True)
    scale = 2.0 / dof if dof > 0 else float("inf")  # no degrees of freedom: inf or NaN, as torch
    return (expand_back(g, node) * scale * centered,)  # torch's order: (scale g) centered


def _std_vjp(node, g):
    x, out = node.saved
    shape, dims, keepdim, ddof = node._args
    n = _count(shape, dims)
    centered = x - x.mean(dims, keepdim=True)
    if not keepdim:
        out = out.reshape(keepdim_shape(shape, dims))
    # torch's order: var's rule applied to g / (2 std), that masked to 0 where the deviation
    # is 0 (all values equal: 0, not 0 / 0, with the sign of x - mean)
    half = where(out == 0, 0.0, expand_back(g, node) / (out * 2))
    dof = n - ddof
    return (half * (2.0 / dof if dof > 0 else float("inf")) * centered,)


VarNode = defop("VarBackward0", _var_vjp)
StdNode = defop("StdBackward0", _std_vjp)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance (Bessel-corrected by default: correction=1)."""
    data, dims, ddof = _var_args(input, dim, unbiased, keepdim, correction)
    result = _spread(data.var, "var", data, dims, ddof, keepdim)
    out = make(result.astype(input._dtype.np, copy=False), input._dtype)
    whole = dim is None or isinstance(dim, bool) or input.ndim == 0  # torch's short-cut
    return record(VarNode, out, (input,), (input,), (data.shape, dims, keepdim, ddof, whole))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation (Bessel-corrected by default)."""
    data, dims, ddof = _var_args(input, dim, unbiased, keepdim, correction)
    result = _spread(data.std, "std", data, dims, ddof, keepdim)
    out = make(result.astype(input._dtype.np, copy=False), input._dtype)
    if not will_record(input):
        return out
    saved = (input, SavedOutput(out))  # differentiable again under create_graph
    return record(StdNode, out, (input,), saved, (data.shape, dims, keepdim, ddof))


def _spread(kernel, name, data, dims, ddof, keepdim):
    """data.var / data.std; with no degrees of freedom left, torch's warning, not NumPy's."""
    if _count(data.shape, dims) - ddof > 0:
        with xp.errstate(all="ignore"):
            return kernel(axis=dims, ddof=ddof, keepdims=keepdim)
    _backend.warn(
        f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
        "reduction factor (input numel divided by output numel)."
    )
    with warnings.catch_warnings(), xp.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return kernel(axis=dims, ddof=ddof, keepdims=keepdim)


def _grad_on():
    from .._graph import grad_state

    return grad_state.enabled


# --------------------------------------------------------------------------- norm


def _norm_vjp(node, g):
    x, out = node.saved
    shape, dims, keepdim, p = node._args
    g = expand_back(g, node)
    if not keepdim:
        out = out.reshape(keepdim_shape(shape, dims))
    out = out.expand(shape)
    if p == 2:
        return (where(out == 0, 0.0, g * x / out),)
    if p == 1:
        return (g * x.sign(),)
    if p == 0:
        return (None,)  # torch's rule gives no gradient at all for the 0-"norm"
    if p == float("inf") or p == float("-inf"):
        hit = (x.abs() == out).to(g.dtype)
        count = hit.sum(dims, keepdim=True)
        # a nan norm matches no element: signed zeros (not 0 / 0), as torch gives
        count = where(count == 0, 1.0, count).expand(shape)
        return (g * x.sign() * hit / count,)
    if p > 2:  # torch's order: x |x|^(p-2) times g / norm^(p-1) masked to +0 at a zero norm,
        # so an all-zero vector's gradient keeps the signs of its zeros
        return (x * x.abs() ** (p - 2) * where(out == 0, 0.0, g / out ** (p - 1)),)
    scaled = x * x.abs() ** (p - 2) / out ** (p - 1)
    if p < 2:  # |x|^(p-2) is infinite at 0: there the gradient is 0 (not 0 * inf), as torch's
        scaled = where(x == 0, 0.0, scaled)
    return (where(out == 0, 0.0, g * scaled),)


NormNode = defop("LinalgVectorNormBackward0", _norm_vjp)
# torch's functions that call the ATen norm directly (pairwise_distance) record this one
AtenNormNode = defop("NormBackward1", _norm_vjp)


def vector_norm(input, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The p-norm of the elements (all of them, or along ``dim``)."""
    if isinstance(ord, str) or ord is None:  # "fro" / "nuc" are matrix norms
        raise wrong_type("linalg_vector_norm", "ord", None, "Number", ord)
    if input._dtype.kind != FLOAT:
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            f"{_legacy(input._dtype)}"
        )
    return _p_norm(input, float(ord), dim, keepdim, NormNode)


def aten_norm(input, p, dim, keepdim=False):
    """The p-norm along ``dim`` as torch's own functions take it (grad_fn NormBackward1)."""
    return _p_norm(input, float(p), dim, keepdim, AtenNormNode)


def _p_norm(input, p, dim, keepdim, node):
    data = input._data
    dims = reduce_dims(dim, data.ndim)
    mag = xp.abs(_backend.opmath(data))  # half: in float32 (300² overflows half)
    with xp.errstate(all="ignore"):
        if p == 2:
            result = xp.sqrt((mag * mag).sum(axis=dims, keepdims=keepdim))
        elif p == float("inf"):
            result = mag.max(axis=dims, keepdims=keepdim)
        elif p == float("-inf"):
            result = mag.min(axis=dims, keepdims=keepdim)
        elif p == 0:
            result = (mag != 0).sum(axis=dims, keepdims=keepdim).astype(data.dtype)
        else:
            result = (mag**p).sum(axis=dims, keepdims=keepdim) ** (1 / p)
    out = make(result.astype(data.dtype, copy=False), input._dtype)
    if not will_record(input):
        return out
    saved = (input, SavedOutput(out))  # differentiable again under create_graph
    return record(node, out, (input,), saved, (data.shape, dims, keepdim, p))


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """Vector 2-norm by default (``p`` may be a number, "fro" or inf)."""
    if p == "fro" or p is None:
        p = 2
    if p == "nuc":
        dims = (dim,) if isinstance(dim, int) else dim
        if dims is not None and len(dims) != 2:
            raise RuntimeError(
                "linalg.matrix_norm: dim must be a 2-tuple. Got " + " ".join(map(str, dims))
            )
        raise NotImplementedError("nuclear norm is not supported yet")
    if isinstance(p, str):
        raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    return vector_norm(input, p, dim, keepdim)


# --------------------------------------------------------------------------- logsumexp, scans


def _logsumexp_vjp(node, g):
    x, out = node.saved
    shape, dims, keepdim = node._args
    if not keepdim:
        out = out.reshape(keepdim_shape(shape, dims))
    return (expand_back(g, node) * (x - out).exp(),)


LogsumexpNode = defop("LogsumexpBackward0", _logsumexp_vjp)


_NO_DIM = object()  # logsumexp's and softmax's dim is required (torch has no default)


def logsumexp(input, dim=_NO_DIM, keepdim=False):
    """log(sum(exp(x))) along ``dim``, computed without overflow."""
    if dim is _NO_DIM:
        raise TypeError('logsumexp() missing 1 required positional arguments: "dim"')
    data = input._data
    if input._dtype.kind != FLOAT:
        data = data.astype(defaults.float_dtype.np)
    dims = reduce_dims(dim, data.ndim)
    with xp.errstate(all="ignore"):
        peak = data.max(axis=dims, keepdims=True) if data.size else xp.zeros(())
        peak = xp.where(xp.isfinite(peak), peak, 0)
        result = xp.log(xp.exp(data - peak).sum(axis=dims, keepdims=True)) + peak
    if not keepdim:
        result = result.squeeze(dims) if dims else result
    dtype = _backend.from_numpy_dtype(data.dtype)
    out = make(result.astype(data.dtype, copy=False), dtype)
    saved = (input, SavedOutput(out))  # differentiable again under create_graph
    return record(LogsumexpNode, out, (input,), saved, (data.shape, dims, keepdim))


def _cumsum_vjp(node, g):
    dim = node._args
    return (g.flip(dim).cumsum(dim).flip(dim),)


CumsumNode = defop("CumsumBackward0", _cumsum_vjp)


def cumsum(input, dim, *, dtype=None):
    """Running sum along ``dim``."""
    input = _converted(input, dtype)
    data = input._data
    d = wrap_dim(dim, data.ndim)
    out_dtype = _sum_dtype(input, dtype)
    acc = _backend.accumulates_in(out_dtype.np)  # half: the running sum in float32
    result = data.cumsum(axis=d, dtype=acc) if data.ndim else data
    result = result.astype(out_dtype.np)
    if out_dtype.kind == FLOAT:
        result += 0.0  # torch's running sum starts at +0: a leading -0.0 comes out as 0.0
    return record(CumsumNode, make(result, out_dtype), (input,), None, d - data.ndim)


# --------------------------------------------------------------------------- softmax


def _softmax_vjp(node, g):
    (y,) = node.saved
    dim = node._args
    return (y * (g - (g * y).sum(dim, keepdim=True)),)


def _log_softmax_vjp(node, g):
    (y,) = node.saved
    dim = node._args
    if g._dtype is _backend.float16:  # torch's half kernel: in float32, rounded once
        g, y = g.float(), y.float()
        return ((g - y.exp() * g.sum(dim, keepdim=True)).half(),)
    return (g - y.exp() * g.sum(dim, keepdim=True),)


SoftmaxNode = defop("SoftmaxBackward0", _softmax_vjp)
LogSoftmaxNode = defop("LogSoftmaxBackward0", _log_softmax_vjp)


def _softmax_dim(name, dim):
    if dim is _NO_DIM:
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
    if isinstance(dim, bool) or not hasattr(dim, "__index__"):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    return dim.__index__()


def _shifted(input, dim, dtype, name="softmax"):
    if dtype is not None:
        input = input.to(dtype)
    data = input._data
    d = wrap_dim(dim, data.ndim)  # a 0-d tensor accepts dim 0 or -1 only, as in torch
    if input._dtype.kind != FLOAT:  # torch's kernel for the last dim has its own name
        kernel = f"{name}_lastdim" if d == builtins.max(data.ndim - 1, 0) else name
        raise NotImplementedError(
            f"\"{kernel}_kernel_impl\" not implemented for '{_legacy(input._dtype)}'"
        )
    if data.ndim == 0:
        d = None
        return input, data - data, d
    # an infinite peak is kept: a row with +inf (or only -inf) is all NaN, as in torch
    peak = data.max(axis=d, keepdims=True) if data.size else data
    with xp.errstate(invalid="ignore"):
        return input, data - peak, d


def softmax(input, dim=_NO_DIM, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim``."""
    input, shifted, d = _shifted(input, _softmax_dim("softmax", dim), dtype)
    with xp.errstate(all="ignore"):
        e = xp.exp(shifted)
        result = e / (e.sum(axis=d, keepdims=True) if d is not None else e)
    out = make(result, input._dtype)
    if not will_record(input):
        return out
    return record(SoftmaxNode, out, (input,), (SavedOutput(out),), _from_end(d, out))


def log_softmax(input, dim=_NO_DIM, dtype=None):
    """log(softmax(x)) along ``dim``, computed stably."""
    input, shifted, d = _shifted(input, _softmax_dim("log_softmax", dim), dtype, "log_softmax")
    with xp.errstate(all="ignore"):
        lse = xp.log(xp.exp(shifted).sum(axis=d, keepdims=True)) if d is not None else 0
        result = shifted - lse
    out = make(result, input._dtype)
    if not will_record(input):
        return out
    return record(LogSoftmaxNode, out, (input,), (SavedOutput(out),), _from_end(d, out))


def _from_end(d, out):
    """A dim counted from the end, so rules work on batched gradients too."""
    return -1 if d is None else d - out._data.ndim


for _name, _func, _grad_fns in (
    ("sum", sum, ("SumBackward0", "SumBackward1")),
    ("mean", mean, ("MeanBackward0", "MeanBackward1")),
    ("max", max, ("MaxBackward1", "MaxBackward0", "MaximumBackward0")),
    ("min", min, ("MinBackward1", "MinBackward0", "MinimumBackward0")),
    ("amax", amax, ("AmaxBackward0",)),
    ("amin", amin, ("AminBackward0",)),
    ("var", var, ("VarBackward0",)),
    ("std", std, ("StdBackward0",)),
    ("norm", norm, ("LinalgVectorNormBackward0",)),
    ("logsumexp", logsumexp, ("LogsumexpBackward0",)),
    ("cumsum", cumsum, ("CumsumBackward0",)),
    ("softmax", softmax, ("SoftmaxBackward0",)),
    ("log_softmax", log_softmax, ("LogSoftmaxBackward0",)),
):
    _export(_name, _func, grad_fns=_grad_fns)
_export(
    "prod",
    _prod_form(False),
    grad_fns=("ProdBackward0", "ProdBackward1"),
    method_form=_prod_form(True),
)
_export("argmax", argmax, differentiable=False)
_export("argmin", argmin, differentiable=False)
