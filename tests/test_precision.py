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
