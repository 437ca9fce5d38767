"""Higher derivatives in float32 keep their precision: rules are written in torch's order of
operations, so no factor grows order after order and cancels (values recorded with torch)."""

import pytest

import chainrule as torch


def nth_derivative(f, x, n):
    y = f(x)
    for _ in range(n):
        (y,) = torch.autograd.grad(y, x, create_graph=True)
    return y.item()


@pytest.mark.parametrize(
    "f, expected",
    [
        (lambda x: x / (1 + x), [0.25, -0.25, 0.375, -0.75, 1.875, -5.625, 19.6875]),
        (lambda x: 1 / (1 + x), [-0.25, 0.25, -0.375, 0.75, -1.875, 5.625, -19.6875]),
        (lambda x: x / x.exp(), [-0.0, -0.3679, 0.7358, -1.1036, 1.4715, -1.8394, 2.2073]),
    ],
)
def test_float32_derivatives_through_division_up_to_order_7(f, expected):
    x = torch.tensor(1.0, requires_grad=True)
    got = [nth_derivative(f, x, n) for n in range(1, 8)]
    assert got == pytest.approx(expected, abs=2e-4)


CONVERSIONS_TO_INF = [
    lambda x: x.__setitem__(0, 1e6),
    lambda x: torch.where(x > 0, x, 1e6),
    lambda x: torch.tensor(1e6).half(),
    lambda x: torch.tensor([1e6]).to(torch.float16),
    lambda x: x.copy_(torch.tensor([1e6, 1.0, 1.0])),
    lambda x: x.add_(torch.tensor([1e6])),
    lambda x: x + 1e6,
    lambda x: x * torch.tensor(1e6),
    lambda x: torch.tensor([1e6], dtype=torch.float16),
    lambda x: torch.tensor([1e10]).to(torch.int32),
]


@pytest.mark.parametrize("convert", CONVERSIONS_TO_INF)
def test_conversions_out_of_range_are_silent_as_in_torch(convert, recwarn):
    """torch turns 1e6 into float16 inf (and 1e10 into an int32 bit pattern) without a
    warning; NumPy's "overflow encountered in cast" must not reach the user."""
    convert(torch.zeros(3, dtype=torch.float16))
    assert [str(w.message) for w in recwarn] == []


def test_out_of_range_conversions_give_torchs_values():
    x = torch.zeros(3, dtype=torch.float16)
    x[0] = 1e6
    assert str(x) == "tensor([inf, 0., 0.], dtype=torch.float16)"
    assert torch.tensor([1e10]).to(torch.int32).tolist() == [-2147483648]
