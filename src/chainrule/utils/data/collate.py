"""Turning a list of samples into a batch (default_collate) and numpy data into tensors."""

from __future__ import annotations

import collections.abc
import numbers

from ..._backend import xp
from ..._tensor import Tensor

__all__ = ["default_collate", "default_convert"]

_ERROR = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _ops():
    from ...ops import creation, joining

    return creation, joining


def default_convert(data):
    """NumPy arrays (also inside lists, tuples and dicts) become tensors; the rest is kept.

    >>> default_convert({"x": np.ones(2)})
    {'x': tensor([1., 1.], dtype=torch.float64)}
    """
    creation, _ = _ops()
    if isinstance(data, Tensor):
        return data
    if isinstance(data, (xp.ndarray, xp.generic)) and data.dtype.kind in "biuf":
        return creation.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return type(data)({k: default_convert(v) for k, v in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (list, tuple)):
        return type(data)(default_convert(d) for d in data)
    return data


def default_collate(batch):
    """Stack a list of samples into a batch, keeping the samples' structure: tensors and
    arrays are stacked, numbers become a tensor, dicts/tuples/lists are collated per field.

    >>> default_collate([(1, tensor([1., 2.])), (2, tensor([3., 4.]))])
    [tensor([1, 2]), tensor([[1., 2.],
            [3., 4.]])]
    """
    creation, joining = _ops()
    elem = batch[0]
    if isinstance(elem, Tensor):
        return joining.stack(list(batch), 0)
    if isinstance(elem, (xp.ndarray, xp.generic)):
        if elem.dtype.kind not in "biuf":
            raise TypeError(_ERROR.format(elem.dtype))
        return joining.stack([creation.as_tensor(b) for b in batch], 0)
    if isinstance(elem, bool):
        return creation.tensor(list(batch))
    if isinstance(elem, numbers.Integral):
        return creation.tensor(list(batch))
    if isinstance(elem, numbers.Real):
        from ..._backend import float64

        return creation.tensor(list(batch), dtype=float64)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return type(elem)({key: default_collate([d[key] for d in batch]) for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(b) != size for b in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(samples)) for samples in zip(*batch)]
    raise TypeError(_ERROR.format(type(elem)))
