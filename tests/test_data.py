"""chainrule.utils.data: datasets, samplers, collation and DataLoader behave as torch's."""

from __future__ import annotations

import collections

import numpy as np
import pytest

import chainrule as torch
from chainrule.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    default_collate,
    random_split,
)


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))


def _flat(loader):
    return [v for (batch,) in loader for v in batch.tolist()]


def test_tensor_dataset_indexing_and_size_mismatch():
    ds = TensorDataset(torch.arange(6.0).reshape(3, 2), torch.tensor([0, 1, 2]))
    assert len(ds) == 3
    x, y = ds[1]
    assert x.tolist() == [2.0, 3.0] and y.item() == 1
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(torch.ones(3), torch.ones(4))


def test_dataset_base_and_concat():
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement"):
        Dataset()[0]
    ds = TensorDataset(torch.arange(3)) + TensorDataset(torch.arange(10, 12))
    assert isinstance(ds, ConcatDataset) and ds.cumulative_sizes == [3, 5]
    assert [ds[i][0].item() for i in range(5)] == [0, 1, 2, 10, 11]
    assert ds[-1][0].item() == 11
    with pytest.raises(
        ValueError, match="absolute value of index should not exceed dataset length"
    ):
        ds[-7]
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="ConcatDataset does not support IterableDataset"):
        ConcatDataset([Stream(2)])


def test_subset_and_random_split():
    assert Subset(range(10, 20), [3, 1])[1] == 11
    parts = random_split(range(10), [3, 7], generator=torch.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(list(parts[0]) + list(parts[1])) == list(range(10))
    again = random_split(range(10), [3, 7], generator=torch.Generator().manual_seed(0))
    assert list(again[0]) == list(parts[0])
    assert [len(p) for p in random_split(range(10), [0.33, 0.33, 0.34])] == [4, 3, 3]
    assert [len(p) for p in random_split(range(10), [0.5, 0.3, 0.2])] == [5, 3, 2]
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(range(10), [0.5, 0.6])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(range(2), [0.9, 0.1])


def test_samplers():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    order = list(RandomSampler(range(20), generator=torch.Generator().manual_seed(3)))
    assert sorted(order) == list(range(20)) and order != list(range(20))
    assert order == list(RandomSampler(range(20), generator=torch.Generator().manual_seed(3)))
    draws = list(RandomSampler(range(3), replacement=True, num_samples=50))
    assert len(draws) == 50 and set(draws) <= {0, 1, 2}
    longer = list(RandomSampler(range(3), num_samples=7))
    assert len(longer) == 7 and sorted(longer[:3]) == [0, 1, 2]
    assert sorted(SubsetRandomSampler([5, 7, 9])) == [5, 7, 9]
    assert list(BatchSampler(range(5), 2, False)) == [[0, 1], [2, 3], [4]]
    assert list(BatchSampler(range(5), 2, True)) == [[0, 1], [2, 3]]
    assert len(BatchSampler(range(5), 2, False)) == 3 and len(BatchSampler(range(5), 2, True)) == 2


def test_unseeded_random_sampler_follows_manual_seed():
    torch.manual_seed(5)
    first = list(RandomSampler(range(30)))
    torch.manual_seed(5)
    assert list(RandomSampler(range(30))) == first


@pytest.mark.parametrize(
    "make, error, message",
    [
        (
            lambda: BatchSampler(range(3), 0, False),
            ValueError,
            "batch_size should be a positive integer value, but got batch_size=0",
        ),
        (
            lambda: BatchSampler(range(3), 2, 1),
            ValueError,
            "drop_last should be a boolean value, but got drop_last=1",
        ),
        (
            lambda: RandomSampler(range(3), num_samples=0),
            ValueError,
            "num_samples should be a positive integer value, but got num_samples=0",
        ),
        (
            lambda: RandomSampler(range(3), replacement=1),
            TypeError,
            "replacement should be a boolean value, but got replacement=1",
        ),
        (
            lambda: DataLoader(range(3), sampler=SequentialSampler(range(3)), shuffle=True),
            ValueError,
            "sampler option is mutually exclusive with shuffle",
        ),
        (
            lambda: DataLoader(range(3), batch_sampler=[[0]], batch_size=2),
            ValueError,
            "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last",
        ),
        (
            lambda: DataLoader(range(3), batch_size=None, drop_last=True),
            ValueError,
            "batch_size=None option disables auto-batching and is mutually exclusive with drop_last",
        ),
        (
            lambda: DataLoader(range(3), num_workers=-1),
            ValueError,
            "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.",
        ),
        (
            lambda: DataLoader(Stream(3), shuffle=True),
            ValueError,
            "DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=True",
        ),
        (
            lambda: DataLoader(Stream(3), sampler=[1]),
            ValueError,
            r"expected unspecified sampler option, but got sampler=\[1\]",
        ),
    ],
)
def test_argument_errors_match_torch(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_dataloader_batches_and_len():
    ds = TensorDataset(torch.arange(10))
    loader = DataLoader(ds, batch_size=3)
    assert len(loader) == 4
    assert [b.tolist() for (b,) in loader] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    loader = DataLoader(ds, batch_size=3, drop_last=True)
    assert len(loader) == 3 and _flat(loader) == list(range(9))
    assert [x for x in DataLoader(range(3), batch_size=None)] == [0, 1, 2]
    single = list(DataLoader(range(3)))
    assert [b.tolist() for b in single] == [[0], [1], [2]]


def test_dataloader_shuffle_is_a_reproducible_permutation():
    ds = TensorDataset(torch.arange(25))

    def order(seed):
        return _flat(
            DataLoader(
                ds, batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(seed)
            )
        )

    first = order(0)
    assert sorted(first) == list(range(25)) and first != list(range(25))
    assert order(0) == first and order(1) != first
    loader = DataLoader(ds, batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(0))
    assert _flat(loader) != _flat(loader)  # a new order every epoch


def test_dataloader_sampler_and_batch_sampler():
    ds = TensorDataset(torch.arange(6))
    assert _flat(DataLoader(ds, batch_size=2, sampler=[5, 4, 3])) == [5, 4, 3]
    loader = DataLoader(ds, batch_sampler=[[0, 5], [2]])
    assert len(loader) == 2 and [b.tolist() for (b,) in loader] == [[0, 5], [2]]


def test_dataloader_iterable_dataset():
    assert [b.tolist() for b in DataLoader(Stream(5), batch_size=2)] == [[0, 1], [2, 3], [4]]
    assert [b.tolist() for b in DataLoader(Stream(5), batch_size=2, drop_last=True)] == [
        [0, 1],
        [2, 3],
    ]
    with pytest.raises(TypeError):
        len(DataLoader(Stream(5)))


def test_default_collate_structures():
    assert repr(default_collate([True, False])) == "tensor([ True, False])"
    assert repr(default_collate([1.5, 2])) == "tensor([1.5000, 2.0000], dtype=torch.float64)"
    assert repr(default_collate([1, 2])) == "tensor([1, 2])"
    assert default_collate(["a", "b"]) == ["a", "b"]
    out = default_collate([{"a": 1, "b": torch.ones(2)}, {"a": 2, "b": torch.zeros(2)}])
    assert out["a"].tolist() == [1, 2] and out["b"].tolist() == [[1.0, 1.0], [0.0, 0.0]]
    nested = default_collate([(1, [2, 3]), (4, [5, 6])])
    assert nested[0].tolist() == [1, 4] and [t.tolist() for t in nested[1]] == [[2, 5], [3, 6]]
    arrays = default_collate([np.ones(2), np.zeros(2)])
    assert arrays.dtype == torch.float64 and arrays.shape == (2, 2)
    assert default_collate([np.float32(1), np.float32(2)]).dtype == torch.float32
    Point = collections.namedtuple("Point", "x y")
    point = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert isinstance(point, Point) and point.x.tolist() == [1, 3]
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(
        TypeError,
        match="default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found <class 'NoneType'>",
    ):
        default_collate([None, None])


def test_collate_against_torch():
    real = pytest.importorskip("torch")
    from torch.utils.data import default_collate as torch_collate

    for batch in ([1, 2], [1.5, 2.5], [True, False], [(1, 2.0), (3, 4.0)], [{"k": 1}, {"k": 2}]):
        assert repr(default_collate(batch)) == repr(torch_collate(batch))
    assert real is not None


def test_training_loop_with_dataloader():
    torch.manual_seed(0)
    x = torch.randn(64, 2)
    y = x @ torch.tensor([[2.0], [-1.0]]) + 0.5
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)
    model = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(30):
        for xb, yb in loader:
            opt.zero_grad()
            torch.nn.functional.mse_loss(model(xb), yb).backward()
            opt.step()
    assert np.allclose(model.weight.tolist(), [[2.0, -1.0]], atol=1e-3)
    assert np.allclose(model.bias.tolist(), [0.5], atol=1e-3)
