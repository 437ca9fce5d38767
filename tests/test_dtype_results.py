"""Integer results, promotion and overflow: the cases the reliability issue named, with
the values and messages torch 2.13 gives (the whole grid is in test_dtype_grid.py)."""

import pytest

import chainrule as torch


def test_alpha_scales_in_the_result_dtype():
    a, b = torch.tensor([1], dtype=torch.int16), torch.tensor([100], dtype=torch.int8)
    assert torch.add(a, b, alpha=2).tolist() == [201]  # not 2 * 100 wrapped in int8
    assert torch.sub(a, b, alpha=2).tolist() == [-199]
    assert torch.add(a, b, alpha=2).dtype is torch.int16


def test_float_alpha_is_refused_for_integers():
    with pytest.raises(RuntimeError, match="^For integral input tensors, argument alpha must"):
        torch.add(torch.tensor([1]), torch.tensor([2]), alpha=2.5)


def test_bitwise_with_a_zero_dim_tensor_of_another_dtype():
    out = torch.tensor([1, 2], dtype=torch.uint8) | torch.tensor(300, dtype=torch.int16)
    assert out.dtype is torch.uint8 and out.tolist() == [45, 46]  # 300 is 44 as uint8
    out = torch.tensor([1, 2], dtype=torch.uint8) ^ torch.tensor(-1, dtype=torch.int64)
    assert out.tolist() == [254, 253]


def test_number_first_rounded_divisions_keep_the_tensor_dtype():
    three = torch.tensor(3, dtype=torch.int8)
    assert (7 % three).dtype is torch.int8 and (7 % three).item() == 1
    assert (7 // three).dtype is torch.int8 and (7 // three).item() == 2
    assert (3 << torch.tensor(2, dtype=torch.uint8)).dtype is torch.uint8


def test_bool_has_no_rounded_division_or_power():
    t = torch.tensor([True, False])
    for call, kernel in [
        (lambda: t // t, "div_floor_cpu"),
        (lambda: t % t, "remainder_cpu"),
        (lambda: torch.div(t, t, rounding_mode="trunc"), "div_trunc_cpu"),
        (lambda: t**t, "pow"),
    ]:
        with pytest.raises(NotImplementedError, match=f'"{kernel}" not implemented for .Bool.'):
            call()


def test_a_divisor_that_casts_to_zero_is_a_zero_division():
    with pytest.raises(RuntimeError, match="^ZeroDivisionError$"):
        torch.tensor([5], dtype=torch.uint8) // 256


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: torch.tensor([300], dtype=torch.uint8), "type uint8 without"),
        (lambda: torch.tensor(-256, dtype=torch.uint8), "type uint8 without"),
        (lambda: torch.tensor([128], dtype=torch.int8), "type int8 without"),
        (lambda: torch.tensor([1.5e10], dtype=torch.int32), "type int32 without"),
        (lambda: torch.tensor([float("nan")], dtype=torch.int64), "type int64 without"),
        (lambda: torch.tensor([-1.5], dtype=torch.uint8), "type uint8 without"),
        (lambda: torch.full((2,), 300, dtype=torch.uint8), "type uint8_t without"),
        (lambda: torch.zeros(2, dtype=torch.int32).fill_(2**31), "type int without"),
        (lambda: torch.full((2,), 1e40), "type float without"),
        (lambda: torch.full((2,), 7e4, dtype=torch.float16), "type c10::Half without"),
        (lambda: torch.full((2,), 2**63), "type int64_t without"),
        (lambda: torch.ones(2, dtype=torch.int32) ** 2**31, "type int without"),
    ],
)
def test_numbers_a_dtype_cannot_hold_are_refused(make, message):
    with pytest.raises(RuntimeError, match=f"^value cannot be converted to {message} overflow$"):
        make()


def test_numbers_that_wrap_as_in_torch():
    assert torch.tensor([-1], dtype=torch.uint8).tolist() == [255]  # -255..255 is accepted
    assert torch.full((2,), -128, dtype=torch.uint8).tolist() == [128, 128]
    assert torch.tensor([1e6], dtype=torch.float16).tolist() == [float("inf")]
    assert torch.full((1,), 1e6, dtype=torch.float16).tolist() == [float("inf")]
    assert torch.tensor([2**64], dtype=torch.float32).tolist() == [1.8446744073709552e19]
    assert (torch.zeros(2, dtype=torch.uint8) + 300).tolist() == [44, 44]
    assert (torch.zeros(1, dtype=torch.int8) + (2**63 + 5)).tolist() == [5]


def test_python_ints_past_64_bits():
    with pytest.raises(ValueError, match="^Overflow when unpacking long long$"):
        torch.tensor([2**63])
    with pytest.raises(OverflowError, match="^int too big to convert$"):
        torch.zeros(2) * 2**64
    with pytest.raises(OverflowError, match="^can't convert negative int to unsigned$"):
        torch.full((2,), -(2**63) - 1)
    with pytest.raises(RuntimeError, match="^Promotion for uint16, uint32, uint64 types"):
        torch.tensor([True]) + 2**63


def test_in_place_checks_the_shape_before_the_dtype():
    with pytest.raises(RuntimeError, match=r"^output with shape \[\] doesn't match"):
        torch.tensor(True).__iand__(torch.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="^result type Float can't be cast to the desired"):
        torch.tensor([1]).__iand__(torch.tensor([1.5]))


def test_maximum_keeps_the_first_of_two_equal_zeros():
    zero, negative_zero = torch.tensor([0.0]), torch.tensor([-0.0])
    assert str(torch.maximum(zero, negative_zero)) == "tensor([0.])"
    assert str(torch.maximum(negative_zero, zero)) == "tensor([-0.])"


def test_float32_pow_rounds_as_torch():
    import numpy as np

    def bits(t):
        return np.asarray(t.numpy()).view(np.int32).tolist()

    x = torch.tensor([5.0, 100.0, 3.3])
    assert bits(x ** torch.tensor(-2.5)) == [1016236799, 925353388, 1028590793]
    assert bits(x**3) == [1123680256, 1232348160, 1108328316]  # torch multiplies: x * x * x
    assert bits(x ** torch.tensor(3.0)) == [1123680256, 1232348160, 1108328317]
