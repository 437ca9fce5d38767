"""The Tensor API outside autograd: creation, dtypes and promotion, Size, conversions,
comparisons, iteration.

Expected values were observed with PyTorch 2.13. The type-promotion table is stored in
tests/golden/behaviour.json (key "promotion", written by tools/gen_behaviour_golden.py) so it
is checked without torch; the ``live`` tests compare with the installed torch as well.
"""

from __future__ import annotations

import copy
import json
import math
import operator
import pickle
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import chainrule as torch

GOLDEN = Path(__file__).resolve().parent / "golden" / "behaviour.json"
DTYPE_NAMES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
SCALAR_WARNING = (
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
    "Consider using tensor.detach() first."
)
TRIGGERED = r"\s*\(Triggered internally at [^)]*\)\.?"
NUMPY_WITH_GRAD = (
    "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
)


def caught_warnings(fn):
    """fn()'s result and its warnings, without torch's "(Triggered internally at ...)" suffix."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return result, [(w.category, re.sub(TRIGGERED, "", str(w.message))) for w in caught]


# --------------------------------------------------------------------------- tensor()


@pytest.mark.parametrize(
    ("data", "dtype", "shape"),
    [
        (1.5, torch.float32, ()),
        (3, torch.int64, ()),
        (True, torch.bool, ()),
        ([1, 2], torch.int64, (2,)),
        ([1, 2.0], torch.float32, (2,)),
        ([True, False], torch.bool, (2,)),
        ([True, 1], torch.int64, (2,)),
        ([True, 1.5], torch.float32, (2,)),
        ([[1, 2], [3, 4]], torch.int64, (2, 2)),
        ([[[1.0]], [[2.0]]], torch.float32, (2, 1, 1)),
        ((1.0, 2.0), torch.float32, (2,)),
        ([], torch.float32, (0,)),
        ([[], []], torch.float32, (2, 0)),
        (np.array([1, 2], dtype=np.int16), torch.int16, (2,)),
        (np.array([1.0, 2.0]), torch.float64, (2,)),
        (np.array([True]), torch.bool, (1,)),
        (np.float32(1.5), torch.float32, ()),
        (np.int64(3), torch.int64, ()),
        (np.bool_(True), torch.bool, ()),
        ([np.float64(1.5), 2], torch.float64, (2,)),
        ([np.float32(1.5), 2.5], torch.float32, (2,)),
        ([np.int32(1), 2], torch.int64, (2,)),
        ([np.int8(1), np.uint8(2)], torch.int16, (2,)),
        ([[1, 2], [np.float64(1), 2]], torch.float64, (2, 2)),
    ],
)
def test_tensor_dtype_inference(data, dtype, shape):
    t = torch.tensor(data)
    assert t.dtype is dtype
    assert tuple(t.shape) == shape


@pytest.mark.parametrize(
    ("items", "dtype"),
    [
        (lambda: [torch.tensor(1), torch.tensor(2)], torch.int64),
        (lambda: [torch.tensor(1.0), torch.tensor(2.0)], torch.float32),
        (lambda: [torch.tensor(1, dtype=torch.int8), 2], torch.int64),
        (lambda: [torch.tensor(1.0, dtype=torch.float64), 2.0], torch.float64),
        (lambda: [1, torch.tensor(2.5, dtype=torch.float64)], torch.float64),
        (lambda: [torch.tensor(1.0, dtype=torch.float16)], torch.float16),
        (lambda: [2, torch.tensor(1.0, dtype=torch.float16)], torch.float16),
        (
            lambda: [torch.tensor(1, dtype=torch.uint8), torch.tensor(-1, dtype=torch.int8)],
            torch.int16,
        ),
        (
            lambda: [torch.tensor(1, dtype=torch.int32), torch.tensor(2, dtype=torch.int16)],
            torch.int32,
        ),
        (lambda: [torch.tensor(True), 2.5], torch.float32),
    ],
)
def test_tensor_from_zero_dim_tensors_promotes_like_torch(items, dtype):
    # torch promotes the dtypes of all elements (promote_types, not the result_type rules)
    assert torch.tensor(items()).dtype is dtype


def test_tensor_from_tensors_values_and_shapes():
    assert torch.tensor([[torch.tensor(1)], [torch.tensor(2)]]).tolist() == [[1], [2]]
    # one-element tensors count as numbers, whatever their shape
    t = torch.tensor([torch.tensor([1]), torch.tensor([2])])
    assert t.shape == (2,) and t.tolist() == [1, 2]
    with pytest.raises(TypeError) as info:
        torch.tensor([torch.tensor([1, 2]), torch.tensor([3, 4])])
    assert (
        str(info.value) == "only integer tensors of a single element can be converted to an index"
    )


def test_tensor_from_grad_tensors_warns_once_and_drops_history():
    a = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(2.0, requires_grad=True)
    t, warned = caught_warnings(lambda: torch.tensor([a, b]))
    assert warned == [(UserWarning, SCALAR_WARNING)]
    assert not t.requires_grad and t.tolist() == [1.0, 2.0]


def test_tensor_explicit_dtype_is_exact():
    # Python floats go straight to the requested dtype, not through float32
    assert torch.tensor(0.46, dtype=torch.float64).item() == 0.46
    assert torch.tensor([0.1, 0.2], dtype=torch.float64).tolist() == [0.1, 0.2]
    assert torch.tensor([16777217.0], dtype=torch.float64).item() == 16777217.0
    assert torch.as_tensor([0.46], dtype=torch.float64).item() == 0.46
    assert torch.ones(1).new_tensor([0.46], dtype=torch.float64).item() == 0.46
    assert torch.tensor([1, 2.5], dtype=torch.int64).tolist() == [1, 2]
    assert torch.tensor(3.7, dtype=torch.int32).item() == 3
    assert torch.tensor([1.5, 0.0], dtype=torch.bool).tolist() == [True, False]


def test_tensor_large_and_special_values():
    assert torch.tensor(2**63 - 1).item() == 2**63 - 1
    assert torch.tensor([-1], dtype=torch.uint8).tolist() == [255]
    t, warned = caught_warnings(lambda: torch.tensor([1e40]))
    assert t.tolist() == [math.inf] and warned == []
    assert math.isnan(torch.tensor(math.nan).item())


def test_tensor_copies_its_input():
    a = np.array([1.0, 2.0])
    t = torch.tensor(a)
    a[0] = 9.0
    assert t.tolist() == [1.0, 2.0]


def test_tensor_of_tensor_warns_and_copies():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y, warned = caught_warnings(lambda: torch.tensor(x))
    assert warned == [
        (
            UserWarning,
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach()."
            "clone() or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "torch.tensor(sourceTensor).",
        )
    ]
    assert not y.requires_grad and y.is_leaf
    y[0] = 5.0
    assert x.tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    ("data", "exc", "message"),
    [
        ([[1, 2], [3]], ValueError, "expected sequence of length 2 at dim 1 (got 1)"),
        ("3", TypeError, "new(): invalid data type 'str'"),
        ([1, "a"], TypeError, "new(): invalid data type 'str'"),
    ],
)
def test_tensor_bad_data(data, exc, message):
    with pytest.raises(exc) as info:
        torch.tensor(data)
    assert str(info.value) == message


def test_tensor_requires_grad_only_for_floats():
    assert torch.tensor([1.0], requires_grad=True).requires_grad
    for data, dtype in (([1, 2], None), ([1.0], torch.int32), ([True], None)):
        with pytest.raises(RuntimeError) as info:
            torch.tensor(data, dtype=dtype, requires_grad=True)
        assert str(info.value) == (
            "Only Tensors of floating point and complex dtype can require gradients"
        )
    x = torch.arange(3)
    with pytest.raises(RuntimeError) as info:
        x.requires_grad = True
    assert (
        str(info.value) == "only Tensors of floating point and complex dtype can require gradients"
    )
    with pytest.raises(RuntimeError) as info:
        x.requires_grad_()
    assert str(info.value) == "only Tensors of floating point dtype can require gradients"
    x.requires_grad_(False)  # turning it off is always fine
    x.requires_grad = False


def test_requires_grad_on_non_leaf():
    y = torch.tensor([1.0], requires_grad=True) * 2
    assert y.requires_grad_(True) is y  # the method accepts a no-op
    with pytest.raises(RuntimeError) as info:
        y.requires_grad = True  # the attribute does not
    assert str(info.value) == "you can only change requires_grad flags of leaf variables."
    hint = (
        "you can only change requires_grad flags of leaf variables. If you want to use a computed "
        "variable in a subgraph that doesn't require differentiation use var_no_grad = "
        "var.detach()."
    )
    for change in (lambda: y.requires_grad_(False), lambda: setattr(y, "requires_grad", False)):
        with pytest.raises(RuntimeError) as info:
            change()
        assert str(info.value) == hint


# --------------------------------------------------------------------------- as_tensor / numpy


def test_as_tensor_shares_numpy_memory_when_dtype_allows():
    a = np.array([1, 2], dtype=np.int32)
    t = torch.as_tensor(a)
    a[0] = 9
    assert t.tolist() == [9, 2] and t.dtype is torch.int32
    converted = torch.as_tensor(a, dtype=torch.float32)
    a[1] = 7
    assert converted.tolist() == [9.0, 2.0]
    x = torch.ones(2)
    assert torch.as_tensor(x) is x
    assert torch.as_tensor([1, 2]).dtype is torch.int64
    assert torch.as_tensor(3.5).dtype is torch.float32


def test_from_numpy_shares_memory_both_ways():
    a = np.array([1.0, 2.0])
    t = torch.from_numpy(a)
    assert t.dtype is torch.float64
    a[0] = 5.0
    assert t.tolist() == [5.0, 2.0]
    t[1] = 7.0
    assert a.tolist() == [5.0, 7.0]
    assert t.numpy() is a or np.shares_memory(t.numpy(), a)
    assert torch.from_numpy(np.arange(3)).dtype is torch.int64
    assert repr(torch.from_numpy(np.array(1.5))) == "tensor(1.5000, dtype=torch.float64)"
    assert not torch.from_numpy(np.zeros((2, 3)).T).is_contiguous()


def test_from_numpy_rejects_non_arrays():
    with pytest.raises(TypeError) as info:
        torch.from_numpy([1, 2])
    assert str(info.value) == "expected np.ndarray (got list)"


def test_numpy_shares_memory_and_refuses_grad():
    t = torch.zeros(3)
    n = t.numpy()
    n[0] = 4.0
    assert t[0].item() == 4.0
    x = torch.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError) as info:
        x.numpy()
    assert str(info.value) == NUMPY_WITH_GRAD
    with pytest.raises(RuntimeError) as info:
        (x * 2).numpy()
    assert str(info.value) == NUMPY_WITH_GRAD
    assert x.detach().numpy().tolist() == [1.0]
    assert x.numpy(force=True).tolist() == [1.0]


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_numpy_dtypes(name):
    assert torch.ones(2, dtype=getattr(torch, name)).numpy().dtype == np.dtype(name)


def test_array_protocol():
    t = torch.tensor([1.0, 2.0])
    assert repr(np.asarray(t)) == "array([1., 2.], dtype=float32)"
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert np.asarray(torch.ones(2, dtype=torch.int32)).dtype == np.int32
    assert np.array([torch.tensor(1.0), torch.tensor(2.0)]).tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError) as info:
        np.asarray(torch.tensor([1.0], requires_grad=True))
    assert str(info.value) == NUMPY_WITH_GRAD


# --------------------------------------------------------------------------- factories


def test_zeros_ones_full_empty():
    assert torch.zeros(2, 3).dtype is torch.float32
    assert torch.zeros((2, 3)).shape == (2, 3) == torch.zeros([2, 3]).shape
    assert torch.zeros(()).shape == () and torch.zeros(0).shape == (0,)
    assert repr(torch.zeros(2, dtype=torch.int32)) == "tensor([0, 0], dtype=torch.int32)"
    assert (
        repr(torch.ones(2, 2, dtype=torch.bool)) == "tensor([[True, True],\n        [True, True]])"
    )
    assert torch.full((2,), 3).dtype is torch.int64
    assert torch.full((2,), 3.0).dtype is torch.float32
    assert torch.full((2,), True).dtype is torch.bool
    assert repr(torch.full((2,), 3, dtype=torch.float64)) == "tensor([3., 3.], dtype=torch.float64)"
    assert repr(torch.full([], 2.0)) == "tensor(2.)"
    assert (
        torch.empty(3).shape == (3,) and torch.empty(2, 3, dtype=torch.int64).dtype is torch.int64
    )
    assert torch.ones(2, requires_grad=True).requires_grad


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: torch.zeros(2, -1), "zeros: Dimension size must be non-negative."),
        (lambda: torch.zeros((2, -2)), "zeros: Dimension size must be non-negative."),
        (lambda: torch.ones(-1), "Trying to create tensor with negative dimension -1: [-1]"),
        (lambda: torch.empty(2, -3), "Trying to create tensor with negative dimension -3: [2, -3]"),
        (
            lambda: torch.full((2, -1), 1.0),
            "Trying to create tensor with negative dimension -1: [2, -1]",
        ),
        (lambda: torch.rand(-1), "Trying to create tensor with negative dimension -1: [-1]"),
        (lambda: torch.randn(2, -1), "Trying to create tensor with negative dimension -1: [2, -1]"),
        (
            lambda: torch.ones(2).new_zeros(-1),
            "Trying to create tensor with negative dimension -1: [-1]",
        ),
        (lambda: torch.arange(5, 0, 1), "upper bound and lower bound inconsistent with step sign"),
        (lambda: torch.arange(0, 5, -1), "upper bound and lower bound inconsistent with step sign"),
        (lambda: torch.arange(0, 5, 0), "step must be nonzero"),
        (lambda: torch.linspace(0, 1, -1), "number of steps must be non-negative"),
        (
            lambda: torch.randint(5, 2, (3,)),
            "random_ expects 'from' to be less than 'to', but got from=5 >= to=2",
        ),
        (
            lambda: torch.randint(3, 3, (3,)),
            "random_ expects 'from' to be less than 'to', but got from=3 >= to=3",
        ),
    ],
)
def test_factory_errors(make, message):
    with pytest.raises(RuntimeError) as info:
        make()
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: torch.rand(2, dtype=torch.int64),
            "\"check_uniform_bounds\" not implemented for 'Long'",
        ),
        (
            lambda: torch.rand(2, dtype=torch.bool),
            "\"check_uniform_bounds\" not implemented for 'Bool'",
        ),
        (
            lambda: torch.randn(2, dtype=torch.int64),
            "\"normal_kernel_cpu\" not implemented for 'Long'",
        ),
        (
            lambda: torch.randn(2, dtype=torch.int32),
            "\"normal_kernel_cpu\" not implemented for 'Int'",
        ),
    ],
)
def test_random_integer_dtypes_not_implemented(make, message):
    with pytest.raises(NotImplementedError) as info:
        make()
    assert str(info.value) == message


def test_eye():
    assert torch.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert repr(torch.eye(3, 2)) == "tensor([[1., 0.],\n        [0., 1.],\n        [0., 0.]])"
    assert repr(torch.eye(2, dtype=torch.int64)) == "tensor([[1, 0],\n        [0, 1]])"
    assert torch.eye(2, dtype=torch.bool).dtype is torch.bool


def test_arange():
    assert repr(torch.arange(5)) == "tensor([0, 1, 2, 3, 4])"
    assert repr(torch.arange(1, 5, 2)) == "tensor([1, 3])"
    assert repr(torch.arange(10, 0, -3)) == "tensor([10,  7,  4,  1])"
    assert repr(torch.arange(1.5, 4)) == "tensor([1.5000, 2.5000, 3.5000])"
    assert (
        repr(torch.arange(5, dtype=torch.float64))
        == "tensor([0., 1., 2., 3., 4.], dtype=torch.float64)"
    )
    assert torch.arange(3).dtype is torch.int64 and torch.arange(3.0).dtype is torch.float32
    assert torch.arange(0, 5, 1.0).dtype is torch.float32
    assert torch.arange(torch.tensor(3)).dtype is torch.int64
    assert torch.arange(0, 1, 0.1).shape == (10,)
    assert (
        repr(torch.arange(-1.5, 1.5, 0.5))
        == "tensor([-1.5000, -1.0000, -0.5000,  0.0000,  0.5000,  1.0000])"
    )


def test_arange_float_values_match_torch_bits():
    # torch prints tensor([..., -2.3842e-08, ...]) here: its vectorised kernel does not round
    # start + i * step once per element
    t = torch.arange(-3, 1, 0.1)
    assert t[30].item() == -2.3841858265427618e-08
    assert t[9].item() == -2.1000001430511475
    assert torch.arange(-3, 3, 0.3)[10].item() == -2.3841858265427618e-08
    assert torch.arange(-3, 1, 0.1, dtype=torch.float64)[30].item() == 1.6653345369377348e-16


def test_arange_integer_dtype_with_float_arguments():
    # torch truncates start and step; its int64 kernel also counts from the truncated values
    assert torch.arange(0, 10, 2.5, dtype=torch.int64).tolist() == [0, 2, 4, 6, 8]
    assert torch.arange(0, 10, 2.5, dtype=torch.int32).tolist() == [0, 2, 4, 6]
    assert torch.arange(-2.5, 5, 1.5, dtype=torch.uint8).tolist() == [254, 255, 0, 1, 2]
    assert torch.arange(0, 5, 0.5, dtype=torch.int16).tolist() == [0] * 10
    with pytest.raises(ValueError, match="^step must be nonzero$"):
        torch.arange(0, 5, 0.5, dtype=torch.int64)


def test_arange_matches_torch_bit_for_bit():
    real = pytest.importorskip("torch", reason="torch is not installed", exc_type=ImportError)

    def outcome(lib, args, name):
        try:
            kwargs = {} if name is None else {"dtype": getattr(lib, name)}
            values = lib.arange(*args, **kwargs).numpy()
            return str(values.dtype), values.tobytes()
        except Exception as exc:  # noqa: BLE001 -- errors must match too
            return type(exc).__name__, str(exc)

    cases = [(-3, 1, 0.1), (0, 10, 0.1), (2.5, 10, 0.3), (-7, 7, 0.13), (10, 0, -0.7), (0, 100, 1)]
    for args in cases:
        for name in (None, "float32", "float64", "int64", "int32"):
            assert outcome(torch, args, name) == outcome(real, args, name), (args, name)


LINSPACE_CASES = [
    ((0, 1, 5), "tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])"),
    (
        (-1, 1, 7),
        "tensor([-1.0000e+00, -6.6667e-01, -3.3333e-01, -2.9802e-08,  3.3333e-01,\n         6.6667e-01,  1.0000e+00])",
    ),
    ((2, 2, 1), "tensor([2.])"),
    ((0, 1, 0), "tensor([])"),
]


@pytest.mark.parametrize(("args", "expected"), LINSPACE_CASES)
def test_linspace_reprs(args, expected):
    assert repr(torch.linspace(*args)) == expected


def test_linspace_values_are_torchs():
    # observed float32 bits from torch (its kernel uses fused multiply-adds)
    assert torch.linspace(-3, 3, 20)[10].item() == 0.15789484977722168
    assert torch.linspace(0.0, 1.0, 11).tolist()[3] == 0.30000001192092896
    assert repr(torch.linspace(0, 10, 5, dtype=torch.int64)) == "tensor([ 0,  2,  5,  7, 10])"
    assert torch.linspace(0.1, 7.3, 7, dtype=torch.int64).tolist() == [0, 1, 2, 3, 4, 5, 7]
    assert torch.linspace(2.5, 1, 5, dtype=torch.int32).tolist() == [2, 1, 1, 1, 1]
    assert torch.linspace(-3, 1, 7, dtype=torch.int64).tolist() == [-3, -2, -1, 0, 0, 0, 1]
    assert repr(torch.logspace(0, 2, 3)) == "tensor([  1.,  10., 100.])"


def test_linspace_matches_torch_bit_for_bit():
    real = pytest.importorskip("torch", reason="torch is not installed", exc_type=ImportError)
    for name in ("float32", "float64", "int64", "int16"):
        for start, end in ((-3, 1), (0.1, 7.3), (2.5, -4), (0, 10)):
            for steps in (1, 2, 5, 7, 8, 20, 33, 100):
                got = torch.linspace(start, end, steps, dtype=getattr(torch, name)).numpy()
                expected = real.linspace(start, end, steps, dtype=getattr(real, name)).numpy()
                assert got.tobytes() == expected.tobytes(), (name, start, end, steps)


def test_random_functions_reproducible_with_seed():
    def draw():
        torch.manual_seed(1234)
        return (
            torch.rand(3).tolist(),
            torch.randn(2, 2).tolist(),
            torch.randint(0, 10, (5,)).tolist(),
            torch.randperm(6).tolist(),
        )

    first = draw()
    assert draw() == first
    torch.manual_seed(4321)
    assert torch.rand(3).tolist() != first[0]
    assert torch.initial_seed() == 4321


def test_random_functions_shapes_and_ranges():
    torch.manual_seed(0)
    r = torch.rand(1000)
    assert r.dtype is torch.float32 and 0 <= r.min().item() and r.max().item() < 1
    n = torch.randn(2000, dtype=torch.float64)
    assert n.dtype is torch.float64 and abs(n.mean().item()) < 0.1 and 0.9 < n.std().item() < 1.1
    i = torch.randint(3, 7, (1000,))
    assert i.dtype is torch.int64 and set(i.tolist()) == {3, 4, 5, 6}
    assert torch.randint(10, (2,)).shape == (2,)
    assert torch.randint(3, 10, (2, 2)).shape == (2, 2)
    assert torch.randint(0, 10, size=(3,)).shape == (3,)
    assert torch.randint(5, ()).shape == ()
    assert torch.rand((2, 3)).shape == (2, 3) and torch.randn(()).shape == ()
    assert torch.rand(0).shape == (0,)
    assert sorted(torch.randperm(5).tolist()) == [0, 1, 2, 3, 4]
    assert torch.randn(2, requires_grad=True).requires_grad
    f = torch.randint(0, 3, (3,), dtype=torch.float32, requires_grad=True)
    assert f.dtype is torch.float32 and f.requires_grad


def test_generator_objects_are_independent():
    g1 = torch.Generator().manual_seed(7)
    g2 = torch.Generator().manual_seed(7)
    assert torch.rand(3, generator=g1).tolist() == torch.rand(3, generator=g2).tolist()
    assert type(torch.manual_seed(0)).__name__ == "Generator"


def test_like_factories():
    i32 = torch.ones(2, dtype=torch.int32)
    assert repr(torch.zeros_like(i32)) == "tensor([0, 0], dtype=torch.int32)"
    assert torch.ones_like(torch.ones(2, 2)).shape == (2, 2)
    assert repr(torch.full_like(torch.ones(2), 7)) == "tensor([7., 7.])"
    assert repr(torch.full_like(torch.ones(2, dtype=torch.int64), 2.7)) == "tensor([2, 2])"
    assert torch.empty_like(torch.ones(2, 3)).shape == (2, 3)
    assert torch.zeros_like(torch.ones(2), dtype=torch.float64).dtype is torch.float64
    assert not torch.ones_like(torch.ones(2, requires_grad=True)).requires_grad
    assert torch.ones_like(torch.ones(2), requires_grad=True).requires_grad
    torch.manual_seed(0)
    assert torch.rand_like(torch.ones(2, dtype=torch.float64)).dtype is torch.float64
    assert torch.randn_like(torch.ones(3)).shape == (3,)
    assert torch.randint_like(torch.ones(4), 5).dtype is torch.float32


def test_new_factories():
    i32 = torch.ones(2, dtype=torch.int32)
    assert repr(i32.new_zeros(3)) == "tensor([0, 0, 0], dtype=torch.int32)"
    assert torch.ones(2).new_ones((2, 2)).shape == (2, 2)
    assert torch.ones(2).new_zeros(2, 3).shape == (2, 3)
    assert (
        repr(torch.ones(2, dtype=torch.float64).new_full((2,), 3))
        == "tensor([3., 3.], dtype=torch.float64)"
    )
    assert repr(torch.ones(2).new_tensor([1, 2])) == "tensor([1., 2.])"
    assert repr(torch.ones(2, dtype=torch.int64).new_tensor([1.5, 2.5])) == "tensor([1, 2])"
    assert (
        repr(torch.ones(2, dtype=torch.float64).new_tensor(3.0))
        == "tensor(3., dtype=torch.float64)"
    )
    assert torch.ones(2).new_empty(3).shape == (3,)
    assert torch.ones(2).new_zeros((2, 3), dtype=torch.int64).dtype is torch.int64
    assert (
        repr(torch.ones(2).new_ones(2, requires_grad=True))
        == "tensor([1., 1.], requires_grad=True)"
    )


def test_legacy_constructor():
    assert repr(torch.Tensor([1, 2])) == "tensor([1., 2.])"
    assert torch.Tensor(2, 3).shape == (2, 3)
    assert torch.Tensor().shape == (0,)
    assert repr(torch.Tensor(np.array([1, 2]))) == "tensor([1., 2.])"


# --------------------------------------------------------------------------- dtypes


def test_dtype_objects():
    assert torch.float32 is torch.float and torch.float64 is torch.double
    assert torch.int64 is torch.long and torch.int32 is torch.int
    assert torch.float16 is torch.half and torch.int16 is torch.short
    assert repr(torch.float32) == "torch.float32" == str(torch.float32)
    assert repr(torch.bool) == "torch.bool"
    assert torch.float32.is_floating_point and not torch.int32.is_floating_point
    assert not torch.bool.is_floating_point
    assert torch.float32.itemsize == 4 and torch.int16.itemsize == 2
    assert torch.int8.is_signed and not torch.uint8.is_signed
    assert torch.float16.is_signed and not torch.bool.is_signed
    assert torch.float32 != torch.float64
    assert {torch.float32: 1}[torch.float] == 1
    assert pickle.loads(pickle.dumps(torch.int16)) is torch.int16
    assert copy.deepcopy(torch.float64) is torch.float64


def test_default_dtype():
    assert torch.get_default_dtype() is torch.float32
    torch.set_default_dtype(torch.float64)
    try:
        assert torch.get_default_dtype() is torch.float64
        assert torch.tensor([1.0]).dtype is torch.float64
        assert torch.tensor([1.0], dtype=torch.float32).dtype is torch.float32
        assert torch.ones(1).dtype is torch.float64
        assert torch.arange(2.0).dtype is torch.float64
        assert (torch.tensor([1, 2]) / 2).dtype is torch.float64
        assert torch.tensor([1, 2]).dtype is torch.int64
        assert repr(torch.tensor([1.5])) == "tensor([1.5000])"
        assert (
            repr(torch.tensor([1.5], dtype=torch.float32))
            == "tensor([1.5000], dtype=torch.float32)"
        )
    finally:
        torch.set_default_dtype(torch.float32)
    assert torch.tensor([1.0]).dtype is torch.float32
    with pytest.raises(TypeError) as info:
        torch.set_default_dtype(torch.int64)
    assert str(info.value) == "only floating-point types are supported as the default type"


def test_conversion_methods():
    x = torch.tensor([1.7, -1.7])
    assert x.long().tolist() == [1, -1] and x.int().dtype is torch.int32
    assert x.double().dtype is torch.float64 and x.half().dtype is torch.float16
    assert x.short().dtype is torch.int16 and x.char().dtype is torch.int8
    assert x.byte().dtype is torch.uint8 and x.bool().tolist() == [True, True]
    assert x.float() is x and x.to(torch.float32) is x
    assert x.to(torch.int64).tolist() == [1, -1]
    assert x.type() == "torch.FloatTensor"
    assert torch.tensor([1]).type() == "torch.LongTensor"
    assert torch.tensor([True]).type() == "torch.BoolTensor"
    assert x.type(torch.int64).dtype is torch.int64
    assert x.to("cpu") is x and x.cpu() is x
    assert x.to("cpu", torch.float64).dtype is torch.float64


# --------------------------------------------------------------------------- promotion table


def promotion_table(lib) -> dict:
    """The result dtype (or error) of add/sub/mul/div for every pair of operand kinds.

    Operands: a tensor with dimensions, a 0-d tensor (each in every dtype), and a Python
    bool, int and float; each pair in both orders. Values are repr(dtype) or "Error: message".
    """
    operands = {}
    for name in DTYPE_NAMES:
        operands[f"dim:{name}"] = lambda name=name: lib.ones(2, dtype=getattr(lib, name))
        operands[f"0d:{name}"] = lambda name=name: lib.ones((), dtype=getattr(lib, name))
    scalars = {"py:bool": lambda: True, "py:int": lambda: 2, "py:float": lambda: 2.5}
    ops = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv}
    table = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for op_name, op in ops.items():
            for left_name, left in operands.items():
                for right_name, right in list(operands.items()) + list(scalars.items()):
                    pairs = (
                        (left_name, left, right_name, right),
                        (right_name, right, left_name, left),
                    )
                    for a_name, a, b_name, b in pairs:
                        key = f"{op_name}|{a_name}|{b_name}"
                        if key in table:
                            continue
                        try:
                            table[key] = repr(op(a(), b()).dtype)
                        except Exception as exc:  # noqa: BLE001
                            table[key] = f"{type(exc).__name__}: {exc}"
    return table


def _golden_promotion():
    if not GOLDEN.exists():
        return {}
    return json.loads(GOLDEN.read_text()).get("promotion", {})


PROMOTION = _golden_promotion()
PROMOTION_GROUPS = sorted({key.rsplit("|", 1)[0] for key in PROMOTION})


def test_promotion_golden_table_is_complete():
    assert len(PROMOTION) == 4 * (18 * 21 + 18 * 3)
    assert set(PROMOTION) == set(promotion_table(torch))


@pytest.mark.parametrize("group", PROMOTION_GROUPS)
def test_type_promotion(group, _promotion_cache={}):  # noqa: B006 (computed once)
    if "table" not in _promotion_cache:
        _promotion_cache["table"] = promotion_table(torch)
    got = _promotion_cache["table"]
    wrong = {
        key: (expected, got[key])
        for key, expected in PROMOTION.items()
        if key.rsplit("|", 1)[0] == group and got[key] != expected
    }
    assert not wrong, "\n".join(f"{k}: torch {e!r}, chainrule {g!r}" for k, (e, g) in wrong.items())


def test_type_promotion_live():
    real = pytest.importorskip("torch", reason="torch is not installed", exc_type=ImportError)
    expected = promotion_table(real)
    assert expected == PROMOTION, (
        "stale golden promotion table: rerun tools/gen_behaviour_golden.py"
    )


def test_result_type_and_promote_types():
    assert torch.result_type(torch.tensor([1]), 1.0) is torch.float32
    assert torch.result_type(torch.tensor([1]), torch.tensor(1.0)) is torch.float32
    assert torch.result_type(torch.tensor([1], dtype=torch.int8), torch.tensor(1000)) is torch.int8
    assert torch.promote_types(torch.uint8, torch.int8) is torch.int16
    assert torch.promote_types(torch.float16, torch.int64) is torch.float16
    assert torch.promote_types(torch.bool, torch.uint8) is torch.uint8
    assert torch.promote_types(torch.int32, torch.float64) is torch.float64


# --------------------------------------------------------------------------- Size


def test_size():
    s = torch.ones(2, 3, 4).shape
    assert repr(s) == "torch.Size([2, 3, 4])" == str(s)
    assert isinstance(s, tuple) and s == (2, 3, 4) and s != [2, 3, 4]
    assert repr(s[1:]) == "torch.Size([3, 4])" and s[0] == 2 and s[-1] == 4
    assert type(s[0]) is int
    assert len(s) == 3 and s.numel() == 24 and torch.Size([]).numel() == 1
    assert repr(torch.Size([])) == "torch.Size([])"
    assert repr(s + torch.Size([5])) == "torch.Size([2, 3, 4, 5])"
    assert repr(s + (5,)) == "torch.Size([2, 3, 4, 5])"
    assert list(s) == [2, 3, 4] and tuple(s) == (2, 3, 4)
    assert hash(torch.Size([2])) == hash((2,))
    assert s.count(3) == 1 and s.index(4) == 2
    assert repr(torch.Size((2, 3))) == "torch.Size([2, 3])"
    assert torch.ones(2, 3).size() == (2, 3) and torch.ones(2, 3).size(-1) == 3
    assert pickle.loads(pickle.dumps(s)) == s


def test_size_arithmetic_keeps_the_type():
    # torch: (4,) + Size -> Size, Size * 2 -> Size, Size([tensor(2), 3]) -> Size([2, 3])
    assert repr((4,) + torch.Size([2, 3])) == "torch.Size([4, 2, 3])"
    assert repr(torch.Size([2]) * 2) == "torch.Size([2, 2])"
    assert repr(torch.Size([torch.tensor(2), 3])) == "torch.Size([2, 3])"


# --------------------------------------------------------------------------- basic attributes


def test_dim_numel_len():
    x = torch.ones(2, 3)
    assert x.dim() == x.ndim == x.ndimension() == 2
    assert x.numel() == x.nelement() == 6 == torch.numel(x)
    assert torch.tensor(5).dim() == 0 and torch.tensor(5).numel() == 1
    assert len(x) == 2 and len(torch.ones(0)) == 0
    with pytest.raises(TypeError) as info:
        len(torch.tensor(1.0))
    assert str(info.value) == "len() of a 0-d tensor"
    assert torch.is_tensor(x) and not torch.is_tensor([1])
    assert torch.is_floating_point(x) and not torch.tensor([1]).is_floating_point()
    assert x.T.shape == (3, 2)
    assert x.stride() == (3, 1) and x.t().stride() == (1, 3) and not x.t().is_contiguous()
    assert x.element_size() == 4 and torch.ones(2, dtype=torch.int16).element_size() == 2
    assert repr(x.device) == "device(type='cpu')" and str(x.device) == "cpu" and not x.is_cuda


def test_item_and_tolist():
    assert torch.tensor([[2.5]]).item() == 2.5
    assert type(torch.tensor(3, dtype=torch.uint8).item()) is int
    assert type(torch.tensor(True).item()) is bool
    assert torch.tensor(0.1).item() == 0.10000000149011612
    assert torch.tensor(0.1, dtype=torch.float64).item() == 0.1
    assert torch.tensor(1.5, dtype=torch.float16).item() == 1.5
    assert torch.tensor([[1.0, 2.0], [3.0, 4.0]]).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert torch.tensor(2.5).tolist() == 2.5
    assert type(torch.tensor([1.0, 2.0]).tolist()[0]) is float
    assert torch.tensor([True]).tolist() == [True]
    assert torch.tensor([1, 2], dtype=torch.uint8).tolist() == [1, 2]
    for data, n in (([1.0, 2.0], 2), ([], 0)):
        with pytest.raises(RuntimeError) as info:
            torch.tensor(data).item()
        assert str(info.value) == f"a Tensor with {n} elements cannot be converted to Scalar"


def test_item_of_grad_tensor_does_not_warn():
    x = torch.tensor(2.5, requires_grad=True)
    value, warned = caught_warnings(x.item)
    assert value == 2.5 and warned == []
    value, warned = caught_warnings(x.tolist)
    assert value == 2.5 and warned == []


def test_detach_clone_data():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    d[0] = 10.0  # shares storage
    assert x.tolist()[0] == 10.0
    c = x.clone()
    assert c.requires_grad and not c.is_leaf and c.grad_fn.name() == "CloneBackward0"
    c2 = torch.ones(2).clone()
    assert c2.is_leaf and not c2.requires_grad
    data = x.data
    assert not data.requires_grad and data.is_leaf and data.grad_fn is None
    data[1] = 20.0
    assert x.tolist() == [10.0, 20.0]
    assert repr((x * 2).data) == "tensor([20., 40.])"
    assert (x * 2).data.grad_fn is None


def test_data_shares_storage_but_not_history_or_version():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.data.mul_(0)  # not seen by the version counter: no error at backward
    assert y._version == 0
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


def test_data_assignment():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.data = torch.tensor([5.0, 6.0, 7.0])
    assert repr(x) == "tensor([5., 6., 7.], requires_grad=True)"
    with pytest.raises(TypeError, match="^Variable data has to be a tensor, but got list$"):
        x.data = [1.0]


def test_detach_shares_version_counter():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.detach().zero_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_detach_inplace():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert y.detach_() is y
    assert not y.requires_grad and y.is_leaf and repr(y) == "tensor([2., 4.])"


def test_deepcopy_and_pickle():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    y = copy.deepcopy(x)
    assert y is not x and y.requires_grad and y.tolist() == x.tolist()
    assert y.grad is not x.grad and y.grad.tolist() == [2.0, 4.0]
    with pytest.raises(RuntimeError, match="^Only Tensors created explicitly by the user"):
        copy.deepcopy(x * 2)
    z = pickle.loads(pickle.dumps(torch.tensor([1, 2], dtype=torch.int16)))
    assert z.dtype is torch.int16 and z.tolist() == [1, 2]


# --------------------------------------------------------------------------- Python conversions


def test_float_int_bool_complex():
    assert float(torch.tensor(2.5)) == 2.5 and float(torch.tensor([2.5])) == 2.5
    assert int(torch.tensor(2.7)) == 2 and int(torch.tensor(-2.7)) == -2
    assert int(torch.tensor([[3]])) == 3 and int(torch.tensor(True)) == 1
    assert float(torch.tensor(3)) == 3.0 and complex(torch.tensor(1.5)) == 1.5 + 0j
    assert bool(torch.tensor(0.0)) is False and bool(torch.tensor([1])) is True
    assert bool(torch.tensor(math.nan)) is True
    assert f"{torch.tensor(1.25):.1f}" == "1.2" and format(torch.tensor(3.5), ".1f") == "3.5"
    assert format(torch.tensor([1.0, 2.0])) == "tensor([1., 2.])"


def test_conversion_errors():
    for convert in (float, int):
        for data in ([1.0, 2.0], []):
            with pytest.raises(ValueError) as info:
                convert(torch.tensor(data))
            assert str(info.value) == "only one element tensors can be converted to Python scalars"
    with pytest.raises(RuntimeError) as info:
        bool(torch.tensor([1.0, 2.0]))
    assert str(info.value) == "Boolean value of Tensor with more than one value is ambiguous"
    with pytest.raises(RuntimeError) as info:
        bool(torch.tensor([]))
    assert str(info.value) == "Boolean value of Tensor with no values is ambiguous"
    with pytest.raises(ValueError, match="^cannot convert float NaN to integer$"):
        int(torch.tensor(math.nan))


def test_scalar_conversion_warnings_with_grad():
    # torch warns for float() and complex() of a tensor that requires grad, not for int()/bool()
    x = torch.tensor(2.5, requires_grad=True)
    for convert, expected in ((float, 2.5), (complex, 2.5 + 0j)):
        value, warned = caught_warnings(lambda convert=convert: convert(x))
        assert value == expected and warned == [(UserWarning, SCALAR_WARNING)]
    for convert, expected in ((int, 2), (bool, True)):
        value, warned = caught_warnings(lambda convert=convert: convert(x))
        assert value == expected and warned == []


def test_index_protocol():
    assert [10, 20, 30][torch.tensor(2)] == 30
    assert [10, 20][torch.tensor([1])] == 20
    assert [10, 20][torch.tensor(True)] == 20
    assert range(10)[torch.tensor(3) : torch.tensor(6)] == range(3, 6)
    assert "abc"[torch.tensor(1)] == "b"
    assert hex(torch.tensor(255)) == "0xff"
    assert operator.index(torch.tensor(4, dtype=torch.uint8)) == 4
    message = "only integer tensors of a single element can be converted to an index"
    for bad in (torch.tensor(1.0), torch.tensor([1, 0]), torch.tensor(1.0, requires_grad=True)):
        with pytest.raises(TypeError) as info:
            [1, 2][bad]
        assert str(info.value) == message


def test_iteration():
    rows = list(torch.tensor([[1, 2], [3, 4]]))
    assert [r.tolist() for r in rows] == [[1, 2], [3, 4]]
    assert [type(t).__name__ for t in torch.ones(2)] == ["Tensor", "Tensor"]
    assert [t.shape for t in torch.ones(2, 3)] == [(3,), (3,)]
    assert list(torch.ones(0)) == []
    with pytest.raises(TypeError) as info:
        iter(torch.tensor(1.0))
    assert str(info.value) == "iteration over a 0-d tensor"
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    parts = list(x)
    assert parts[0].grad_fn.name() == "UnbindBackward0"
    (parts[0] * 3 + parts[1]).backward()
    assert x.grad.tolist() == [3.0, 1.0]


def test_math_module():
    assert torch.math is math
    assert torch.math.pi == math.pi and torch.math.sqrt(4.0) == 2.0


# --------------------------------------------------------------------------- comparisons


def test_comparison_operators():
    a = torch.tensor([1.0, 2.0, 3.0])
    b = torch.tensor([3.0, 2.0, 1.0])
    assert (a < b).tolist() == [True, False, False]
    assert (a <= b).tolist() == [True, True, False]
    assert (a > b).tolist() == [False, False, True]
    assert (a >= b).tolist() == [False, True, True]
    assert (a == b).tolist() == [False, True, False]
    assert (a != b).tolist() == [True, False, True]
    assert (a == 2).dtype is torch.bool
    assert (2 < a).tolist() == [False, False, True]
    assert torch.tensor([1, 2]).eq(1).tolist() == [True, False]
    assert torch.tensor([1, 2]).ne(torch.tensor([1, 1])).tolist() == [False, True]
    assert (torch.tensor([1, 2]) < torch.tensor([2.5, 1.5], dtype=torch.float64)).tolist() == [
        True,
        False,
    ]
    assert (torch.tensor([1.0, math.nan]) == torch.tensor([1.0, math.nan])).tolist() == [
        True,
        False,
    ]
    assert torch.gt(a, 1.5).tolist() == [False, True, True] and a.le(b).tolist() == [
        True,
        True,
        False,
    ]


def test_comparisons_with_non_tensors():
    t = torch.tensor([1.0, 2.0])
    assert (t == None) is False  # noqa: E711 -- what torch returns
    assert (t != None) is True  # noqa: E711
    assert (torch.tensor([1, 2]) == "a") is False
    assert torch.tensor(1) in [torch.tensor(2), torch.tensor(1)]


def test_comparison_with_list_is_not_elementwise():
    # torch: tensor == list is False (no elementwise comparison with Python lists)
    assert (torch.tensor([1, 2]) == [1, 3]) is False


def test_hash_is_identity():
    a, b = torch.tensor(1.0), torch.tensor(1.0)
    assert len({a, b}) == 2 and hash(a) == hash(a)


def test_equal():
    a = torch.tensor([1.0, 2.0])
    assert torch.equal(a, a.clone()) and a.equal(torch.tensor([1.0, 2.0]))
    assert not torch.equal(a, torch.tensor([1.0, 2.1]))
    assert not torch.equal(a, torch.ones(3)) and not torch.equal(torch.ones(2, 1), torch.ones(2))
    assert torch.equal(torch.tensor([1, 2]), torch.tensor([1.0, 2.0]))
    assert torch.equal(a, a.double())
    assert not torch.equal(torch.tensor([math.nan]), torch.tensor([math.nan]))
    assert not torch.equal(torch.tensor(1.0), torch.tensor([1.0]))
    assert torch.equal(torch.tensor([1.0], requires_grad=True), torch.tensor([1.0]))


def test_allclose_and_isclose():
    a = torch.tensor([1.0, 2.0])
    assert torch.allclose(a, torch.tensor([1.0, 2.000001]))
    assert not torch.allclose(a, torch.tensor([1.0, 2.1]))
    assert torch.allclose(torch.tensor([1.0]), torch.tensor([1.1]), rtol=0.2)
    assert torch.allclose(torch.tensor([1.0]), torch.tensor([1.1]), atol=0.2)
    assert not torch.allclose(torch.tensor([math.nan]), torch.tensor([math.nan]))
    assert torch.allclose(torch.tensor([math.nan]), torch.tensor([math.nan]), equal_nan=True)
    assert torch.allclose(torch.tensor([math.inf]), torch.tensor([math.inf]))
    assert torch.allclose(torch.ones(2), torch.ones(1))  # broadcasts
    assert torch.allclose(torch.tensor([1, 2]), torch.tensor([1, 2]))
    assert a.allclose(a)
    close = torch.isclose(torch.tensor([1.0, 2.0, math.nan]), torch.tensor([1.0, 2.1, math.nan]))
    assert close.dtype is torch.bool and close.tolist() == [True, False, False]
    assert torch.isclose(
        torch.tensor([1.0, math.nan]), torch.tensor([1.0, math.nan]), equal_nan=True
    ).tolist() == [True, True]
    assert torch.isclose(torch.tensor([1, 2]), torch.tensor([1, 3])).tolist() == [True, False]
    assert torch.isclose(torch.tensor([1e-9]), torch.tensor([0.0])).tolist() == [True]
    assert torch.isclose(
        torch.tensor([1.0]), torch.tensor([1.05]), rtol=0.1, atol=0.0
    ).tolist() == [True]


def test_range_objects_index_like_lists():
    x = torch.arange(12.0).view(3, 4).requires_grad_()
    assert x[range(2)].tolist() == x[[0, 1]].tolist()
    picked = x[range(3), [0, 1, 2]]
    assert picked.tolist() == [0.0, 5.0, 10.0]
    assert x[:, range(1, 3)].shape == (3, 2)
    picked.sum().backward()
    assert x.grad.diagonal().tolist() == [1.0, 1.0, 1.0]
    y = x.detach().clone()
    y[range(2)] = 0
    assert y.sum().item() == 38.0


def test_legacy_typed_constructors():
    assert torch.FloatTensor([1, 2]).dtype is torch.float32
    assert torch.LongTensor([1.7, -2.2]).tolist() == [1, -2]
    assert torch.DoubleTensor(2, 3).shape == (2, 3)
    assert torch.IntTensor(torch.Size([4])).dtype is torch.int32
    assert torch.ByteTensor().shape == (0,)
    assert repr(torch.FloatTensor) == "<class 'torch.FloatTensor'>"
    assert isinstance(torch.ones(1), torch.FloatTensor)
    assert not isinstance(torch.ones(1), torch.LongTensor)
    x = torch.tensor([1.5, 2.5])
    assert x.type(torch.LongTensor).dtype is torch.int64
    assert x.type("torch.DoubleTensor").dtype is torch.float64
    assert x.new([3.0]).tolist() == [3.0] and x.new(2, 2).shape == (2, 2)
    with pytest.raises(TypeError, match=r"expected TensorOptions\(dtype=float, .*dtype=long int"):
        torch.FloatTensor(torch.tensor([1, 2]))


def test_detach_inplace_refuses_views_and_zero_dim_index_message():
    """torch's errors (found by the fuzzer): detach_() of a view, indexing a 0-d tensor."""
    x = torch.ones(3, requires_grad=True)
    for view in (x.view(-1), (x * 1)[:1], (x * 1).unbind(0)[0], torch.ones(3)[1:]):
        with pytest.raises(RuntimeError, match=r"^Can't detach views in-place\. Use detach\(\)"):
            view.detach_()
    assert (x * 1).detach_().grad_fn is None  # not a view: fine
    with pytest.raises(IndexError) as info:
        torch.tensor(2.0)[0] = 1.0
    assert str(info.value) == (
        "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
        "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
    )
    with pytest.raises(IndexError, match="^too many indices for tensor of dimension 0$"):
        torch.tensor(2.0)[..., 0] = 1.0
