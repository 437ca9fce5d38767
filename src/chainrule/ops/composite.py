"""Composite ops that torch records as one node: dist, vdot, renorm, addmv, block_diag, ...

These ops are built from other chainrule ops, but torch shows each as a single grad_fn
(``DistBackward0``, not the norm and subtraction inside). :func:`composite` gives such an
op its torch node without writing a new derivative: the forward runs the composition
unrecorded; the rule reruns it on the saved inputs and differentiates that small graph
(recorded too under create_graph, so higher derivatives work). The cost is one extra
forward of the composition per backward, which is fine for these rarely hot ops.
"""

from __future__ import annotations

import functools
import math

from .. import _backend
from .._backend import xp
from .._graph import SavedOutput, enable_grad, grad_state, no_grad
from .._registry import broadcast_shape, defop, export, lead, record, to_tensor, will_record
from .._tensor import Tensor, make
from . import elementwise as E
from .combine import diag_embed
from .joining import cat
from .reduce import vector_norm

__all__ = []


def _export(name, func, **kw):
    __all__.append(func.__name__)
    return export(name, func, **kw)


# --------------------------------------------------------------------------- the mechanism


def _zeros(like, shape=None):
    shape = like._data.shape if shape is None else shape
    return make(xp.zeros(shape, dtype=like._data.dtype), like._dtype)


def _composite_vjp(node, g):
    fn, params, metas = node._args
    recording = grad_state.enabled  # create_graph: differentiate through the recomputation
    if metas is not None:  # a linear op: its rule does not depend on the input values
        inputs = [
            make(xp.zeros(shape, dtype=dtype.np), dtype).requires_grad_(dtype.is_floating_point)
            for shape, dtype in metas
        ]
    else:
        inputs = []
        for t in node.saved:
            if type(t) is _Absent:  # not needed by the rule: a stand-in of the same shape
                t = t.zeros().requires_grad_(t.dtype.is_floating_point)
            elif recording:  # one alias per slot: vdot(x, x) gives x two gradients
                t = (
                    t.view_as(t)
                    if t.requires_grad
                    else t.detach().requires_grad_(t.is_floating_point())
                )
            else:
                t = t.detach().requires_grad_(t.is_floating_point())
            inputs.append(t)
    wanted = [i for i, t in enumerate(inputs) if node.needs_input_grad(i) and t.requires_grad]
    from ..autograd import grad

    with enable_grad():
        out = fn(*inputs, **params)
    found = grad(
        out,
        [inputs[i] for i in wanted],
        g,
        retain_graph=recording,
        create_graph=recording,
        allow_unused=True,
    )
    grads = [None] * len(inputs)
    for i, value in zip(wanted, found):
        grads[i] = value if value is not None else _zeros(inputs[i])
    return tuple(grads)


class _Absent:
    """An input the rule does not need: only its shape and dtype are kept."""

    __slots__ = ("shape", "dtype")

    def __init__(self, tensor):
        self.shape, self.dtype = tensor._data.shape, tensor._dtype

    def zeros(self):
        return make(xp.zeros(self.shape, dtype=self.dtype.np), self.dtype)


def _in_float32(fn, tensors, params):
    """``fn`` on float16 tensors computed in float32 and rounded once at the end, as the one
    fused kernel torch runs for the op does (addmv, baddbmm, vdot)."""
    half = _backend.float16
    wide = tuple(t.to(_backend.float32) if t._dtype is half else t for t in tensors)
    value = fn(*wide, **params)
    return value.to(half) if value._dtype is _backend.float32 else value


def composite(
    grad_fn_name: str, fn, linear: bool = False, forward=None, saves=None, fused: bool = False
):
    """Wrap ``fn(*tensors, **params)`` (built from chainrule ops) as one node named like torch's.

    The returned callable takes the tensor inputs positionally and the non-tensor parameters
    by keyword. ``linear=True`` (the op is linear in its tensors: block_diag, unfold) saves
    nothing: the rule reruns ``fn`` on zeros of the inputs' shapes. ``forward`` computes the
    result another way (a view, say), with ``fn`` still defining the derivative.
    ``saves(*tensors)`` says which inputs the rule needs (as torch saves them); the others
    are replaced by zeros of their shape when the rule runs. ``fused=True``: torch computes
    the op in one kernel, so float16 inputs are computed in float32 and rounded once.
    """
    node_cls = defop(grad_fn_name, _composite_vjp, batchable=False)

    @functools.wraps(fn)
    def apply(*tensors, **params):
        if forward is not None:
            out = forward(*tensors, **params)
        else:
            with no_grad():
                if fused and any(t._dtype is _backend.float16 for t in tensors):
                    value = _in_float32(fn, tensors, params)
                else:
                    value = fn(*tensors, **params)
            out = make(value._data, value._dtype)
        if linear:
            metas = tuple((t._data.shape, t._dtype) for t in tensors)
            return record(node_cls, out, tensors, args=(fn, params, metas))
        if saves is not None:
            keep = saves(*tensors)
            saved = tuple(t if k else _Absent(t) for t, k in zip(tensors, keep))
            return record(node_cls, out, tensors, saved=saved, args=(fn, params, None))
        return record(node_cls, out, tensors, saved=tensors, args=(fn, params, None))

    apply.grad_fn_name = grad_fn_name
    return apply


# --------------------------------------------------------------------------- distances, products


def _check_vdot(a, b):
    if a.dim() != 1 or b.dim() != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.dim()}D and {b.dim()}D tensors")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] "
            f"to have the same number of elements, but got {a.shape[0]} and {b.shape[0]} "
            "elements respectively"
        )
    if a.dtype != b.dtype:
        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{a.dtype.scalar_name} and {b.dtype.scalar_name}"
        )


_dist = composite("DistBackward0", lambda a, b, p: vector_norm(a - b, p))
_vdot = composite("VdotBackward0", lambda a, b: (a * b).sum(), fused=True)


def dist(input, other, p=2):
    """The p-norm of ``input - other`` (broadcast).

    >>> import chainrule as torch
    >>> torch.dist(torch.tensor([1., 2.]), torch.tensor([4., 6.]))
    tensor(5.)
    """
    return _dist(input, other, p=p)


def vdot(input, other, *, out=None):
    """Dot product of two 1-D tensors (real tensors: the same as ``dot``).

    >>> import chainrule as torch
    >>> torch.vdot(torch.tensor([1., 2.]), torch.tensor([3., 4.]))
    tensor(11.)
    """
    _check_vdot(input, other)
    return _vdot(input, other)


def _renorm(x, p, dim, maxnorm):
    dims = [d for d in range(x.dim()) if d != dim % x.dim()]
    # the rows left as they are (nan norms included) take no part in the norm's derivative:
    # torch's rule passes their gradient through, while 0 * (x / norm) would be nan
    scaled = vector_norm(x.detach(), p, dim=dims, keepdim=True) > maxnorm
    norms = vector_norm(E.where(scaled, x, 0.0), p, dim=dims, keepdim=True)
    factor = E.where(scaled, maxnorm / (norms + 1e-7), 1.0)
    return x * factor


_renorm_op = composite("RenormBackward0", _renorm)


def renorm(input, p, dim, maxnorm):
    """Rescale each slice along ``dim`` whose p-norm exceeds ``maxnorm`` down to ``maxnorm``.

    >>> import chainrule as torch
    >>> torch.renorm(torch.tensor([[3., 4.], [0.3, 0.4]]), 2, 0, 1.)
    tensor([[0.6000, 0.8000],
            [0.3000, 0.4000]])
    """
    if p <= 0:
        raise RuntimeError(f"renorm: non-positive-norm not supported, got p={p}")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    if input.dim() <= 1:
        raise RuntimeError(
            f"renorm: input needs at least 2 dimensions, got {input.dim()} dimensions"
        )
    return _renorm_op(input, p=p, dim=dim, maxnorm=maxnorm)


def _scaled_sum(base, product, beta, alpha):
    scaled = product if alpha == 1 else product * alpha
    if beta == 0:  # torch ignores the input then (its NaN and inf too), but not its shape
        return scaled + _zeros(base)
    return (base if beta == 1 else base * beta) + scaled


_addmv = composite(
    "AddmvBackward0",
    lambda b, m, v, beta, alpha: _scaled_sum(b, m.matmul(v), beta, alpha),
    fused=True,
)
_addr = composite(
    "AddrBackward0",
    lambda b, u, v, beta, alpha: _scaled_sum(b, u.unsqueeze(-1) * v.unsqueeze(-2), beta, alpha),
)
_addbmm = composite(
    "AddbmmBackward0",
    lambda b, x, y, beta, alpha: _scaled_sum(b, x.matmul(y).sum(0), beta, alpha),
    fused=True,
)
_baddbmm = composite(
    "BaddbmmBackward0",
    lambda b, x, y, beta, alpha: _scaled_sum(b, x.matmul(y), beta, alpha),
    fused=True,
)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat @ vec)``.

    >>> import chainrule as torch
    >>> torch.addmv(torch.ones(2), torch.eye(2), torch.tensor([2., 3.]))
    tensor([3., 4.])
    """
    if mat.dim() != 2 or vec.dim() != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got {input.dim()}, {mat.dim()}, {vec.dim()}"
        )
    if mat.shape[1] != vec.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({mat.shape[0]}), mat ({mat.shape[0]}x{mat.shape[1]}), "
            f"vec ({vec.shape[0]})"
        )
    return _addmv(input, mat, vec, beta=beta, alpha=alpha)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * outer(vec1, vec2)``."""
    if vec1.dim() != 1 or vec2.dim() != 1:
        raise RuntimeError(
            f"addr: Expected 1-D argument vec1, but got {vec1.dim()}-D"
            if vec1.dim() != 1
            else f"addr: Expected 1-D argument vec2, but got {vec2.dim()}-D"
        )
    return _addr(input, vec1, vec2, beta=beta, alpha=alpha)


def _check_batches(b1, b2, name):
    if b1.dim() != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b2.dim() != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if b1.shape[0] != b2.shape[0] or b1.shape[2] != b2.shape[1]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{b1.shape[0]}, {b1.shape[2]}] but got: [{b2.shape[0]}, {b2.shape[1]}]."
        )


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * sum_i batch1[i] @ batch2[i]``."""
    _check_batches(batch1, batch2, "addbmm")
    return _addbmm(input, batch1, batch2, beta=beta, alpha=alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (batch1 @ batch2)``, batch by batch."""
    _check_batches(batch1, batch2, "baddbmm")
    return _baddbmm(input, batch1, batch2, beta=beta, alpha=alpha)


# --------------------------------------------------------------------------- elementwise pairs


def _float_pair(a, b):
    """Both operands as tensors of their promoted floating dtype."""
    from .._registry import result_dtype, to_tensor

    a = a if isinstance(a, Tensor) else to_tensor(a)
    b = b if isinstance(b, Tensor) else to_tensor(b)
    dtype = result_dtype(a, b)
    if not dtype.is_floating_point:
        dtype = _backend.defaults.float_dtype
    return a.to(dtype), b.to(dtype)


def _fmax(a, b):
    keep_a = E.isnan(b) | (a >= b)
    return E.where(keep_a, a, b)


def _fmin(a, b):
    keep_a = E.isnan(b) | (a <= b)
    return E.where(keep_a, a, b)


_fmax_op = composite("FmaxBackward0", _fmax)
_fmin_op = composite("FminBackward0", _fmin)


def _same_dtype_pair(a, b):
    from .._registry import result_dtype

    dtype = result_dtype(a, b)
    return a.to(dtype), (b.to(dtype) if isinstance(b, Tensor) else b)


def fmax(input, other, *, out=None):
    """Elementwise maximum that ignores NaN (NaN only where both are NaN).

    >>> import chainrule as torch
    >>> torch.fmax(torch.tensor([1., float('nan')]), torch.tensor([float('nan'), 2.]))
    tensor([1., 2.])
    """
    return _fmax_op(*_same_dtype_pair(input, other))


def fmin(input, other, *, out=None):
    """Elementwise minimum that ignores NaN (NaN only where both are NaN)."""
    return _fmin_op(*_same_dtype_pair(input, other))


def signbit(input, *, out=None):
    """True where the sign bit is set (negative numbers, -0.0 and -inf).

    >>> import chainrule as torch
    >>> torch.signbit(torch.tensor([-1., -0., 2.]))
    tensor([ True,  True, False])
    """
    return make(xp.signbit(input._data), _backend.bool_)


def _copysign(a, b):
    negative = signbit(b)
    return E.where(negative, -a.abs(), a.abs())


def _copysign_vjp(node, g):
    """torch's rule: g * (result / input), 0 where the input is 0; zeros for ``other``.
    Written with the result (not sign(input), whose derivative is a constant zero) so that,
    as in torch, the derivative stays a function of the input at every order."""
    a, out = node.saved
    grad_a = g * E.where(a == 0, 0.0, out / a) if node.needs_input_grad(0) else None
    if node._args is None:  # copysign(tensor, number)
        return (grad_a,)
    grad_b = g.new_zeros(lead(g) + node._args) if node.needs_input_grad(1) else None
    return grad_a, grad_b


_CopysignTensorNode = defop("CopysignBackward0", _copysign_vjp)
_CopysignNumberNode = defop("CopysignBackward1", _copysign_vjp)


def _copysign_tensor(a, b):
    with no_grad():
        value = _copysign(a, b)
    out = make(value._data, value._dtype)
    if not will_record(a, b):
        return out
    shape = out._data.shape
    shapes = tuple(None if t._data.shape == shape else t._data.shape for t in (a, b))
    saved = (a, SavedOutput(out))
    return record(_CopysignTensorNode, out, (a, b), saved, b._data.shape, shapes)


def _copysign_number(a, b):
    with no_grad():
        value = _copysign(a, b)
    out = make(value._data, value._dtype)
    saved = (a, SavedOutput(out)) if will_record(a) else None
    return record(_CopysignNumberNode, out, (a,), saved)


def copysign(input, other, *, out=None):
    """``|input|`` with the sign of ``other`` (a tensor or a number); always floating.

    >>> import chainrule as torch
    >>> torch.copysign(torch.tensor([1., -2.]), -1.)
    tensor([-1., -2.])
    """
    if isinstance(input, Tensor) and isinstance(other, Tensor):  # shapes first, as torch
        broadcast_shape(input._data.shape, other._data.shape)
    a, b = _float_pair(input, other)
    if isinstance(other, Tensor):
        return _copysign_tensor(a, b)
    return _copysign_number(a, b.detach())


def _ldexp_rule(node, g):
    """torch's formulas: g * 2^e for the mantissa, g * result * ln 2 for the exponent (in
    that order, so float16 rounds as torch's does)."""
    e, out = node.saved
    grad_a = g * E.exp2(e.to(g.dtype)) if node.needs_input_grad(0) else None
    grad_e = g * out * math.log(2) if node.needs_input_grad(1) else None
    return grad_a, grad_e


# torch saves the exponent and the result (not the mantissa: changing it in place is fine)
_LdexpNode = defop("LdexpBackward0", _ldexp_rule)


def _ldexp_op(a, e):
    with no_grad():
        value = a * E.exp2(e.to(a.dtype))
    out = make(value._data, value._dtype)
    shape = out._data.shape
    shapes = tuple(None if t._data.shape == shape else t._data.shape for t in (a, e))
    saved = (e, SavedOutput(out))
    return record(_LdexpNode, out, (a, e), saved=saved, shapes=shapes)


def ldexp(input, other, *, out=None):
    """``input * 2 ** other``.

    >>> import chainrule as torch
    >>> torch.ldexp(torch.tensor([1.]), torch.tensor([3]))
    tensor([8.])
    """
    a, _ = _float_pair(input, other)
    exponent = other if isinstance(other, Tensor) else to_tensor(other)
    return _ldexp_op(a, exponent)


_clamp_min_number = composite("ClampMinBackward0", lambda a, low: E.clamp(a, min=low))
_clamp_max_number = composite("ClampMaxBackward0", lambda a, high: E.clamp(a, max=high))
_clamp_min_tensor = composite("ClampMinBackward1", lambda a, low: E.clamp(a, min=low))
_clamp_max_tensor = composite("ClampMaxBackward1", lambda a, high: E.clamp(a, max=high))


def clamp_min(input, min):
    """``clamp(input, min=min)`` (torch records it as its own op)."""
    if isinstance(min, Tensor):
        return _clamp_min_tensor(*_same_dtype_pair(input, min))
    return _clamp_min_number(input, low=min)


def clamp_max(input, max):
    """``clamp(input, max=max)`` (torch records it as its own op)."""
    if isinstance(max, Tensor):
        return _clamp_max_tensor(*_same_dtype_pair(input, max))
    return _clamp_max_number(input, high=max)


def _mvlgamma(x, p):
    from .special import lgamma

    # x + (-j / 2), not x - j / 2: torch adds x to the offsets, so -0. becomes +0. (digamma
    # at +0. is -inf, at -0. +inf)
    terms = [lgamma(x + (-j / 2)) for j in range(p)]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total + p * (p - 1) / 4 * math.log(math.pi)


_mvlgamma_op = composite("MvlgammaBackward0", _mvlgamma)


def mvlgamma(input, p):
    """Multivariate log-gamma of dimension ``p``, defined where every element exceeds
    (p - 1) / 2 (torch's kernel no longer checks that: outside it gives lgamma's values)."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if not input.is_floating_point():
        raise RuntimeError("mvlgamma is not implemented for " + str(input.dtype))
    return _mvlgamma_op(input, p=p)


# --------------------------------------------------------------------------- block matrices


def _block_diag(*tensors):
    mats = [t.reshape(1, -1) if t.dim() < 2 else t for t in tensors]
    mats = [m.reshape(1, 1) if m.dim() == 0 else m for m in mats]
    cols = sum(m.shape[1] for m in mats)
    rows = []
    left = 0
    for m in mats:
        r, c = m.shape
        pieces = []
        if left:
            pieces.append(_zeros(m, (r, left)))
        pieces.append(m)
        if cols - left - c:
            pieces.append(_zeros(m, (r, cols - left - c)))
        rows.append(cat(pieces, dim=1) if len(pieces) > 1 else m)
        left += c
    return cat(rows, dim=0)


_block_diag_op = composite("BlockDiagBackward0", _block_diag, linear=True)


def block_diag(*tensors):
    """The block-diagonal matrix of the given tensors (0-d and 1-d count as one row).

    >>> import chainrule as torch
    >>> torch.block_diag(torch.tensor([[1., 2.]]), torch.tensor([[3.]]))
    tensor([[1., 2., 0.],
            [0., 0., 3.]])
    """
    for i, t in enumerate(tensors):
        if t.dim() > 2:
            raise RuntimeError(
                f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} "
                f"has {t.dim()} dimensions"
            )
    if not tensors:
        return make(
            xp.zeros((1, 0), dtype=_backend.defaults.float_dtype.np), _backend.defaults.float_dtype
        )
    from .._registry import result_dtype

    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = result_dtype(make(xp.zeros(0, dtype.np), dtype), t)
    return _block_diag_op(*[t.to(dtype) for t in tensors])


def diagflat(input, offset=0):
    """A 2-D matrix with the flattened input on diagonal ``offset``."""
    return diag_embed(input.reshape(-1), offset)


# --------------------------------------------------------------------------- sliding windows


def _unfold(x, dimension, size, step):
    d = dimension % max(x.dim(), 1)
    count = (x.shape[d] - size) // step + 1
    index = xp.arange(count)[:, None] * step + xp.arange(size)[None, :]
    moved = x.movedim(d, -1)
    windows = moved[..., make(index.astype(xp.int64), _backend.int64)]
    return windows.movedim(-2, d)


def _unfold_view(x, dimension, size, step):
    """The windows as a strided view of x's array (torch's unfold is a view too)."""
    from .shape import view_of

    data = x._data
    count = (data.shape[dimension] - size) // step + 1
    shape = data.shape[:dimension] + (count,) + data.shape[dimension + 1 :] + (size,)
    stride = data.strides[dimension]
    strides = data.strides[:dimension] + (stride * step,) + data.strides[dimension + 1 :]
    windows = xp.lib.stride_tricks.as_strided(data, shape, strides + (stride,), writeable=True)
    return view_of(x, windows)


_unfold_op = composite("UnfoldBackward0", _unfold, linear=True, forward=_unfold_view)


def unfold(input, dimension, size, step):
    """All windows of length ``size`` along ``dimension``, ``step`` apart (a new last dim).

    The result is a view: it sees later in-place changes of the input.

    >>> import chainrule as torch
    >>> torch.arange(5.).unfold(0, 2, 2)
    tensor([[0., 1.],
            [2., 3.]])
    """
    if input.dim() == 0:
        return _unfold_op(input.reshape(1), dimension=0, size=size, step=step).reshape(size)
    d = dimension % input.dim()
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if size > input.shape[d]:
        raise RuntimeError(
            f"maximum size for tensor at dimension {d} is {input.shape[d]} but size is {size}"
        )
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return _unfold_op(input, dimension=d, size=size, step=step)


# --------------------------------------------------------------------------- integration


def _trapezoid_spacing(y, dx, dim):
    n = y.shape[dim]
    return (y.narrow(dim, 1, n - 1) + y.narrow(dim, 0, n - 1)).sum(dim) * (dx / 2)


_trapezoid_dx = composite("MulBackward1", _trapezoid_spacing, linear=True)


def _trapezoid_x(y, x, dim):
    n = y.shape[dim]
    heights = y.narrow(dim, 1, n - 1) + y.narrow(dim, 0, n - 1)
    widths = x.diff(dim=dim if x.dim() == y.dim() else -1)
    if x.dim() == 1 and y.dim() > 1:
        shape = [1] * y.dim()
        shape[dim % y.dim()] = n - 1
        widths = widths.reshape(shape)
    return _half((heights * widths).sum(dim))


_half = composite("DivBackward1", lambda t: t / 2, linear=True)  # torch's final division


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """Integral of ``y`` by the trapezoidal rule, with spacing ``dx`` or sample points ``x``.

    >>> import chainrule as torch
    >>> torch.trapezoid(torch.tensor([1., 2., 3.]))
    tensor(4.)
    """
    if x is not None and dx is not None:
        raise TypeError("trapezoid() received an invalid combination of arguments")
    dim = dim % max(y.dim(), 1)
    if y.shape[dim] == 0 if y.dim() else False:
        return y.sum(dim) * 0
    if isinstance(x, Tensor):
        return _trapezoid_x(y, x.to(y.dtype) if y.is_floating_point() else x, dim=dim)
    step = 1.0 if dx is None and x is None else (x if dx is None else dx)
    return _trapezoid_dx(y, dx=step, dim=dim)


def _cumulative_spacing(y, dx, dim):
    n = y.shape[dim]
    return ((y.narrow(dim, 1, n - 1) + y.narrow(dim, 0, n - 1)) * (dx / 2)).cumsum(dim)


_cumulative_dx = composite("CumsumBackward0", _cumulative_spacing, linear=True)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """Running trapezoidal integral of ``y`` along ``dim`` (one element shorter).

    >>> import chainrule as torch
    >>> torch.cumulative_trapezoid(torch.tensor([1., 2., 3.]))
    tensor([1.5000, 4.0000])
    """
    dim = dim % max(y.dim(), 1)
    n = y.shape[dim]
    if not isinstance(x, Tensor):
        step = 1.0 if dx is None and x is None else (x if dx is None else dx)
        return _cumulative_dx(y, dx=step, dim=dim)
    heights = y.narrow(dim, 1, n - 1) + y.narrow(dim, 0, n - 1)
    widths = x.diff(dim=-1 if x.dim() == 1 else dim)
    if x.dim() == 1 and y.dim() > 1:
        shape = [1] * y.dim()
        shape[dim] = n - 1
        widths = widths.reshape(shape)
    return _half((heights * widths).cumsum(dim))


for _name, _func, _grad_fns, _method in (
    ("dist", dist, ("DistBackward0",), True),
    ("vdot", vdot, ("VdotBackward0",), True),
    ("renorm", renorm, ("RenormBackward0",), True),
    ("addmv", addmv, ("AddmvBackward0",), True),
    ("addr", addr, ("AddrBackward0",), True),
    ("addbmm", addbmm, ("AddbmmBackward0",), True),
    ("baddbmm", baddbmm, ("BaddbmmBackward0",), True),
    ("fmax", fmax, ("FmaxBackward0",), True),
    ("fmin", fmin, ("FminBackward0",), True),
    ("copysign", copysign, ("CopysignBackward0", "CopysignBackward1"), True),
    ("ldexp", ldexp, ("LdexpBackward0",), True),
    ("clamp_min", clamp_min, ("ClampMinBackward0", "ClampMinBackward1"), True),
    ("clamp_max", clamp_max, ("ClampMaxBackward0", "ClampMaxBackward1"), True),
    ("signbit", signbit, (), True),
    ("mvlgamma", mvlgamma, ("MvlgammaBackward0",), True),
    ("block_diag", block_diag, ("BlockDiagBackward0",), False),
    ("diagflat", diagflat, ("DiagEmbedBackward0",), True),
    ("unfold", unfold, ("UnfoldBackward0",), "unfold"),
    ("trapezoid", trapezoid, ("MulBackward1", "DivBackward1"), False),
    ("trapz", trapezoid, ("MulBackward1", "DivBackward1"), False),
    ("cumulative_trapezoid", cumulative_trapezoid, ("CumsumBackward0", "DivBackward1"), False),
):
    if _name == "unfold":
        _export(_name, _func, function=False, grad_fns=_grad_fns)
    else:
        _export(_name, _func, method=_method, grad_fns=_grad_fns, differentiable=bool(_grad_fns))
