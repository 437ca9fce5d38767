"""Splitting, flipping, counting and bucketing: tensor_split, hsplit, fliplr, bincount, histc,
searchsorted, bucketize, isin, unique_consecutive, tril_indices, cartesian_prod, cov, ...

Differentiable ones are compositions of recorded ops (slices, flips, stacks, matmuls), so
their grad_fn is the one torch shows and no new rule is needed; counting and searching
return integer or bool tensors and are marked non-differentiable.
"""

from __future__ import annotations

import itertools

from .. import _backend
from .._backend import xp
from .._registry import export, result_dtype
from .._tensor import Tensor, make
from .joining import split, stack
from .shape import flip

__all__ = []


def _export(name, func, **kw):
    __all__.append(name)
    return export(name, func, **kw)


def _long(array):
    return make(xp.asarray(array, dtype=xp.int64), _backend.int64)


# --------------------------------------------------------------------------- splitting


def tensor_split(input, indices_or_sections, dim=0):
    """Split into ``n`` nearly equal pieces, or at the given indices (views, as numpy).

    >>> import chainrule as torch
    >>> [t.tolist() for t in torch.tensor_split(torch.arange(7), 3)]
    [[0, 1, 2], [3, 4], [5, 6]]
    """
    if input.dim() == 0:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    d = dim % input.dim()
    length = input.shape[d]
    if isinstance(indices_or_sections, Tensor):
        if indices_or_sections.dim() == 0:
            indices_or_sections = int(indices_or_sections.item())
        else:
            indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, int):
        sections = indices_or_sections
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        small, extra = divmod(length, sections)
        sizes = [small + 1] * extra + [small] * (sections - extra)
        bounds = list(itertools.accumulate(sizes))[:-1]
    else:  # indices, negative ones counted from the end
        bounds = [int(i) + length if int(i) < 0 else int(i) for i in indices_or_sections]
    pieces = []
    start = 0
    for stop in [*bounds, length]:
        lo = min(max(start, 0), length)
        hi = min(max(stop, lo), length)
        pieces.append(input.narrow(d, lo, hi - lo))
        start = stop
    return tuple(pieces)


def _split_along(name, dim, min_dims):
    def func(input, indices_or_sections):
        if input.dim() < min_dims:
            raise RuntimeError(
                f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a "
                f"tensor with {input.dim()} dimensions!"
            )
        d = 0 if (name == "hsplit" and input.dim() == 1) else dim
        if isinstance(indices_or_sections, int) and input.shape[d] % indices_or_sections:
            raise RuntimeError(
                f"torch.{name} attempted to split along dimension {d}, but the size of the "
                f"dimension {input.shape[d]} is not divisible by the split_size "
                f"{indices_or_sections}!"
            )
        return tensor_split(input, indices_or_sections, d)

    func.__name__ = name
    func.__doc__ = f"tensor_split along dim {dim} (torch.{name})."
    return func


hsplit = _split_along("hsplit", 1, 1)
vsplit = _split_along("vsplit", 0, 2)
dsplit = _split_along("dsplit", 2, 3)


def split_with_sizes(input, split_sizes, dim=0):
    """Pieces of the listed sizes along ``dim`` (``split`` with a list)."""
    return split(input, list(split_sizes), dim)


def fliplr(input):
    """Reverse the columns (dim 1)."""
    if input.dim() < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, [1])


def flipud(input):
    """Reverse the rows (dim 0)."""
    if input.dim() < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, [0])


def msort(input):
    """Sort along the first dimension (values only)."""
    return input.sort(0).values


def sum_to_size(input, *size):
    """Sum broadcast dims away so the result has ``size`` (the reverse of expand)."""
    size = tuple(size[0]) if len(size) == 1 and not isinstance(size[0], int) else tuple(size)
    shape = tuple(input.shape)
    try:
        xp.broadcast_shapes(size, shape)
        ok = len(size) <= len(shape) and xp.broadcast_shapes(size, shape) == shape
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    if size == shape:
        return input
    lead = len(shape) - len(size)
    dims = list(range(lead))
    dims += [lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1]
    out = input.sum(dims, keepdim=True)
    return out.view(size) if lead else out


# --------------------------------------------------------------------------- counting, searching


def argwhere(input):
    """Indices of the non-zero elements, one row each (same as ``nonzero``)."""
    return input.nonzero()


def bincount(input, weights=None, minlength=0):
    """Count each non-negative integer value (optionally summing ``weights``)."""
    if input.dim() != 1 or input.is_floating_point() or input.dtype is _backend.bool_:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    data = input._data
    if data.size and data.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return _long(xp.bincount(data, minlength=minlength))
    if weights.shape != input.shape:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    dtype = weights.dtype if weights.is_floating_point() else _backend.float64
    counts = xp.bincount(data, weights=weights._data.astype(xp.float64), minlength=minlength)
    return make(counts.astype(dtype.np), dtype)


def histc(input, bins=100, min=0, max=0, *, out=None):
    """Histogram with ``bins`` equal bins over [min, max] (the data's range when both are 0)."""
    if not input.is_floating_point():
        kind = input.dtype.scalar_name
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{kind}'")
    data = _backend.opmath(input._data)  # half: bins in float32 (65504 - -65504 overflows half)
    lo, hi = float(min), float(max)
    if lo == hi and data.size:
        lo, hi = float(data.min()), float(data.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    counts, _ = xp.histogram(data[(data >= lo) & (data <= hi)], bins=bins, range=(lo, hi))
    return make(counts.astype(input._dtype.np), input._dtype)


def _search(sorted_sequence, values, right, out_int32, side):
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(
                f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}"
            )
        right = side == "right"
    side = "right" if right else "left"
    seq = sorted_sequence._data
    vals = values._data if isinstance(values, Tensor) else xp.asarray(values)
    if seq.ndim == 1:
        found = xp.searchsorted(seq, vals, side=side)
    else:
        if seq.shape[:-1] != vals.shape[:-1]:
            raise RuntimeError(
                "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                "dimensions of boundaries tensor and input value tensor must match, but we got "
                f"boundaries tensor {list(seq.shape)} and input value tensor {list(vals.shape)}"
            )
        rows_seq = seq.reshape(-1, seq.shape[-1])
        rows_val = vals.reshape(-1, vals.shape[-1])
        found = xp.stack([xp.searchsorted(s, v, side=side) for s, v in zip(rows_seq, rows_val)])
        found = found.reshape(vals.shape)
    if out_int32:
        return make(xp.asarray(found, dtype=xp.int32), _backend.int32)
    return _long(found)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):
    """Where each value would be inserted to keep ``sorted_sequence`` sorted (innermost dim).

    >>> import chainrule as torch
    >>> torch.searchsorted(torch.tensor([1., 2., 3.]), torch.tensor([2.5, 0.]))
    tensor([2, 0])
    """
    if sorter is not None:
        sorted_sequence = sorted_sequence.gather(-1, sorter)
    return _search(sorted_sequence, input, right, out_int32, side)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket of each element given 1-D sorted ``boundaries``."""
    if boundaries.dim() != 1:
        raise RuntimeError(
            f"boundaries tensor must be 1 dimension, but got dim({boundaries.dim()})"
        )
    return _search(boundaries, input, right, out_int32, None)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """True where an element occurs in ``test_elements``."""
    data = elements._data if isinstance(elements, Tensor) else xp.asarray(elements)
    tests = test_elements._data if isinstance(test_elements, Tensor) else xp.asarray(test_elements)
    return make(xp.isin(data, tests, invert=invert), _backend.bool_)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive elements (flattened unless ``dim`` is given)."""
    data = input._data
    if dim is None:
        flat = data.reshape(-1)
        if flat.size == 0:
            values, inverse, counts = flat, xp.zeros(0, xp.int64), xp.zeros(0, xp.int64)
        else:
            starts = xp.concatenate([[True], flat[1:] != flat[:-1]])
            values = flat[starts]
            inverse = (xp.cumsum(starts) - 1).reshape(data.shape)
            counts = xp.diff(xp.append(xp.flatnonzero(starts), flat.size))
    else:
        d = dim % data.ndim
        moved = xp.moveaxis(data, d, 0)
        rows = moved.reshape(moved.shape[0], -1)
        starts = xp.concatenate([[True], (rows[1:] != rows[:-1]).any(axis=1)])
        values = xp.moveaxis(moved[starts], 0, d)
        inverse = xp.cumsum(starts) - 1
        counts = xp.diff(xp.append(xp.flatnonzero(starts), rows.shape[0]))
    result = [make(xp.ascontiguousarray(values), input._dtype)]
    if return_inverse:
        result.append(_long(inverse))
    if return_counts:
        result.append(_long(counts))
    return result[0] if len(result) == 1 else tuple(result)


def _triangle_indices(row, col, offset, lower, dtype):
    mask = (
        xp.tri(row, col, offset, dtype=bool) if lower else ~xp.tri(row, col, offset - 1, dtype=bool)
    )
    rows, cols = xp.nonzero(mask)
    dtype = dtype or _backend.int64
    return make(xp.stack([rows, cols]).astype(dtype.np), dtype)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (row, col) indices of the lower triangle of a row x col matrix, as a 2 x N tensor.

    >>> import chainrule as torch
    >>> torch.tril_indices(2, 2)
    tensor([[0, 1, 1],
            [0, 0, 1]])
    """
    return _triangle_indices(row, col, offset, True, dtype)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (row, col) indices of the upper triangle of a row x col matrix, as a 2 x N tensor."""
    return _triangle_indices(row, col, offset, False, dtype)


def cartesian_prod(*tensors):
    """All combinations of one element from each 1-D tensor, one per row."""
    for t in tensors:
        if t.dim() != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    from .combine import meshgrid

    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], dim=1)


def combinations(input, r=2, with_replacement=False):
    """All length-``r`` combinations of the elements of a 1-D tensor, one per row."""
    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return make(xp.zeros(0, dtype=input._data.dtype), input._dtype)
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    index = xp.asarray(list(pick(range(input.shape[0]), r)), dtype=xp.int64).reshape(-1, r)
    return stack([input[_long(index[:, k])] for k in range(r)], dim=1)


# --------------------------------------------------------------------------- statistics


def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance of the rows (variables) over the columns (observations).

    >>> import chainrule as torch
    >>> torch.cov(torch.tensor([[0., 1., 2.], [2., 1., 0.]]))
    tensor([[ 1., -1.],
            [-1.,  1.]])
    """
    if input.dim() > 2:
        raise RuntimeError(
            f"cov(): expected input to have two or fewer dimensions but got an input with "
            f"{input.dim()} dimensions"
        )
    x = input if input.dim() == 2 else input.reshape(1, -1)
    if not x.is_floating_point():
        x = x.to(_backend.defaults.float_dtype)
    if aweights is not None and aweights.is_floating_point():
        x = x.to(result_dtype(x, aweights))  # float64 weights give a float64 result, as torch
    observations = x.shape[1]
    weights = None
    if fweights is not None:
        weights = fweights
    if aweights is not None:
        weights = aweights if weights is None else weights * aweights
    if weights is None:
        mean = x.mean(1, keepdim=True)
        total = observations
        norm = total - correction
    else:
        w = weights.to(x.dtype)
        total = w.sum()
        mean = (x * w).sum(1, keepdim=True) / total
        if correction == 0:
            norm = total
        elif aweights is None:
            norm = total - correction
        else:
            norm = total - correction * (w * aweights.to(x.dtype)).sum() / total
    centered = x - mean
    if isinstance(norm, Tensor):
        norm = norm.clamp(min=0)
    elif norm <= 0:
        _backend.warn("cov(): degrees of freedom is <= 0")
        norm = 0
    weighted = centered if weights is None else centered * w
    product = centered @ weighted.t()
    return (product / norm).squeeze()


def corrcoef(input):
    """Pearson correlation coefficients of the rows (clipped to [-1, 1])."""
    c = cov(input)
    if c.dim() == 0:
        return c / c
    d = c.diagonal()
    stddev = d.sqrt()
    c = c / stddev.unsqueeze(1)
    c = c / stddev.unsqueeze(0)
    return c.clamp(-1, 1)


_chain_matmul_warned = []


def chain_matmul(*matrices, out=None):
    """Deprecated: the product of the matrices (``torch.linalg.multi_dot``; warns once)."""
    if not _chain_matmul_warned:
        _chain_matmul_warned.append(True)
        _backend.warn(
            "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. "
            "Use torch.linalg.multi_dot instead, which accepts a list of two or more tensors "
            "rather than multiple parameters."
        )
    if len(matrices) == 1:
        return matrices[0].clone()
    from .matrix_functions import multi_dot

    return multi_dot(list(matrices))


def broadcast_shapes(*shapes):
    """The shape that broadcasting the given shapes together gives.

    >>> import chainrule as torch
    >>> torch.broadcast_shapes((2, 1), (3,))
    torch.Size([2, 3])
    """
    from .._tensor import Size

    result = []
    for index, shape in enumerate(shapes):
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        for i in range(1, len(shape) + 1):
            size = shape[-i]
            if i > len(result):
                result.insert(0, size)
            elif result[-i] == 1:
                result[-i] = size
            elif size not in (1, result[-i]):
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {size} at {-i}! Mismatching "
                    f"argument at index {index} had {shape}; but expected shape should be "
                    f"broadcastable to {result}"
                )
    return Size(result)


for _name, _func, _grad_fns, _method in (
    ("tensor_split", tensor_split, ("SliceBackward0",), True),
    ("hsplit", hsplit, ("SliceBackward0",), True),
    ("vsplit", vsplit, ("SliceBackward0",), True),
    ("dsplit", dsplit, ("SliceBackward0",), True),
    ("split_with_sizes", split_with_sizes, ("SplitWithSizesBackward0",), True),
    ("fliplr", fliplr, ("FlipBackward0",), True),
    ("flipud", flipud, ("FlipBackward0",), True),
    ("msort", msort, ("SortBackward0",), True),
    ("sum_to_size", sum_to_size, ("SumBackward1", "ViewBackward0"), "sum_to_size"),
    ("cartesian_prod", cartesian_prod, ("StackBackward0",), False),
    ("combinations", combinations, ("StackBackward0",), False),
    ("cov", cov, ("SqueezeBackward0",), True),
    ("corrcoef", corrcoef, ("ClampBackward1", "DivBackward0"), True),
    ("chain_matmul", chain_matmul, ("ViewBackward0", "CloneBackward0"), False),
):
    if _method == "sum_to_size":
        _export(_name, _func, function=False, grad_fns=_grad_fns)
    else:
        _export(_name, _func, method=_method, grad_fns=_grad_fns)

for _name, _func, _method in (
    ("argwhere", argwhere, True),
    ("bincount", bincount, True),
    ("histc", histc, True),
    ("searchsorted", searchsorted, False),
    ("bucketize", bucketize, False),
    ("isin", isin, False),
    ("unique_consecutive", unique_consecutive, True),
    ("tril_indices", tril_indices, False),
    ("triu_indices", triu_indices, False),
    ("broadcast_shapes", broadcast_shapes, False),
):
    _export(_name, _func, method=_method, differentiable=False)
