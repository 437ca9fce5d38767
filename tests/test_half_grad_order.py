"""float16 gradients rounded as torch rounds them: rules in torch's order of operations.

torch computes a half op in float32 and rounds once per op, so ``g / x`` and
``g * (1 / x)`` differ in the last bit; its fused backward kernels (softplus_backward, ...)
compute in float32 and round once at the end. The expected strings were printed by torch
2.13.0 for the same calls (tests/test_half_bits.py audits every op on larger inputs).
"""

import pytest

import chainrule as torch

F = torch.nn.functional


def _grads(f, *values):
    """Gradients of float16 leaves under the cotangent linspace(-1.7, 1.3) (not powers of
    two, so a rounding more or less shows)."""
    leaves = [torch.tensor(v, dtype=torch.float16, requires_grad=True) for v in values]
    out = f(*leaves)
    cotangent = torch.linspace(-1.7, 1.3, out.numel()).to(torch.float16).reshape(out.shape)
    return [str(g) for g in torch.autograd.grad(out, leaves, cotangent)]


def _h(text):
    return f"tensor([{text}], dtype=torch.float16)"


@pytest.mark.parametrize(
    "f, values, expected",
    [
        (torch.log, ([9.6171875, 7.25, 5.41796875],), [_h("-0.1768, -0.0276,  0.2399")]),
        (
            lambda x: torch.log_softmax(x, 0),
            ([3.408203125, 0.3291015625, -1.658203125, -2.353515625],),
            [_h("-0.9419, -0.6655,  0.3049,  1.3018")],
        ),
        (
            torch.sigmoid,
            ([0.3271484375, -3.681640625, -2.048828125],),
            [_h("-0.4141, -0.0048,  0.1315")],
        ),
        (
            F.softplus,
            ([-0.2161865234375, -2.833984375, -0.294921875],),
            [_h("-0.7588, -0.0111,  0.5547")],
        ),
        (
            lambda x: F.glu(x, 0),
            (
                [
                    0.286376953125,
                    0.10675048828125,
                    -1.5185546875,
                    1.78125,
                    2.673828125,
                    0.96240234375,
                ],
            ),
            [
                "tensor([-1.4551e+00, -1.8701e-01,  9.4043e-01, -6.0028e-02, -1.2875e-03,\n"
                "        -3.9478e-01], dtype=torch.float16)"
            ],
        ),
        (
            F.logsigmoid,
            ([-3.91015625, 2.716796875, 1.3388671875],),
            [_h("-1.6670, -0.0124,  0.2700")],
        ),
        (
            torch.sinc,
            ([-2.208984375, -0.48876953125, -1.4462890625],),
            [_h(" 0.5415, -0.2517, -0.0435")],
        ),
        (
            torch.ldexp,
            (
                [1.796875, 0.119140625, -0.87744140625],
                [-2.345703125, -0.771484375, 0.0244293212890625],
            ),
            [_h("-0.3345, -0.1172,  1.3213"), _h("-0.4167, -0.0097, -0.8037")],
        ),
        (
            lambda x: torch.frexp(x).mantissa,
            ([-8272.0, 38816.0, 30208.0],),
            [_h("-1.0377e-04, -3.0398e-06,  3.9697e-05")],
        ),
        (
            torch.nextafter,
            ([-2.455078125, 2.1953125, -1.50390625], [2.63671875, -3.21484375, 2.744140625]),
            [_h("-1.7002, -0.2000,  1.2998"), _h("0., 0., 0.")],
        ),
        (
            torch.outer,
            ([-60.1875, -3746.0, -941.5], [162.25, 818.5, -2946.0]),
            [_h(" 1439.0000,  -772.5000, -2984.0000"), _h(" 1739.0000,   -41.7500, -1822.0000")],
        ),
    ],
)
def test_half_gradient_is_torchs(f, values, expected):
    assert _grads(f, *values) == expected


def test_half_layer_norm_gradient_is_torchs():
    """torch saves the half mean and rstd (rounded to half) and computes in float32."""
    x = torch.tensor([[-5.5234375, -0.705078125, -3.802734375, 0.81396484375]], dtype=torch.float16)
    x.requires_grad_()
    cotangent = torch.linspace(-1.7, 1.3, 4).to(torch.float16).reshape(1, 4)
    (grad,) = torch.autograd.grad(F.layer_norm(x, (4,)), x, cotangent)
    assert str(grad) == "tensor([[-0.1888, -0.4055,  0.3926,  0.2017]], dtype=torch.float16)"


def test_half_group_norm_gradient_is_torchs():
    x = torch.tensor([0.10260009765625, 4.078125, 3.673828125, -1.53125], dtype=torch.float16)
    x = x.reshape(1, 4, 1).requires_grad_()
    cotangent = torch.linspace(-1.7, 1.3, 4).to(torch.float16).reshape(1, 4, 1)
    (grad,) = torch.autograd.grad(F.group_norm(x, 1), x, cotangent)
    assert str(grad.reshape(1, 4)) == _h2("-0.7065, -0.0867,  0.3152,  0.4778")


def _h2(text):
    return f"tensor([[{text}]], dtype=torch.float16)"


@pytest.mark.parametrize(
    "f, values, expected",
    [
        (
            torch.var,
            [6.12109375, -7.66796875, 1.25390625, -1.703125],
            "-7.5078,  8.1250, -1.9873,  1.3652",
        ),
        (
            lambda x: torch.var_mean(x)[0],
            [-1.3583984375, -0.64697265625, -6.05859375, -0.69580078125],
            "-0.9424, -1.7490,  4.3867, -1.6943",
        ),
        (
            lambda x: torch.std_mean(x)[0],
            [-2.595703125, 9.96875, 0.67724609375, -1.0576171875],
            " 0.4368, -0.8262,  0.1076,  0.2820",
        ),
    ],
)
def test_half_spread_gradient_is_torchs(f, values, expected):
    """torch's var rule is (2 / dof * g) * (x - mean): the scale first."""
    x = torch.tensor(values, dtype=torch.float16, requires_grad=True)
    (grad,) = torch.autograd.grad(f(x), x, torch.tensor(-1.7).to(torch.float16))
    assert str(grad) == _h(expected)


def _half(*values):
    return torch.tensor(values, dtype=torch.float16)


@pytest.mark.parametrize(
    "make, expected",
    [
        # torch rounds the quotient of two half tensors to half, then truncates or floors
        (
            lambda: _half(4096.0, 2048.0).div(_half(1.5967, 2.3438), rounding_mode="trunc"),
            "tensor([2566.,  874.], dtype=torch.float16)",
        ),
        (
            lambda: _half(4096.0, 2048.0).div(_half(1.5967, 2.3438), rounding_mode="floor"),
            "tensor([2566.,  873.], dtype=torch.float16)",
        ),
        # by a number or a one-element tensor: in float32, rounded once
        (
            lambda: _half(-3322.0, 599.0).div(1.7, rounding_mode="trunc"),
            "tensor([-1954.,   352.], dtype=torch.float16)",
        ),
        (
            lambda: torch.floor_divide(_half(-3322.0, 599.0), 1.7),
            "tensor([-1955.,   352.], dtype=torch.float16)",
        ),
        (
            lambda: _half(4096.0, 2048.0).div(_half(1.5967), rounding_mode="floor"),
            "tensor([2564., 1282.], dtype=torch.float16)",
        ),
        # a sum along a leading axis accumulates in float32, as along the last
        (
            lambda: torch.tensor(
                [[1717.0, -13.3671875], [-455.25, 332.25], [-1411.0, -1011.5]], dtype=torch.float16
            ).sum(0),
            "tensor([-149.2500, -692.5000], dtype=torch.float16)",
        ),
    ],
)
def test_half_rounding_of_forward_kernels(make, expected):
    assert str(make()) == expected


def test_ldexp_saves_what_torch_saves():
    mantissa = torch.tensor([1.0, 2.0], requires_grad=True)
    exponent = torch.tensor([1.0, 3.0], requires_grad=True)
    b = mantissa * 1
    y = torch.ldexp(b, exponent)
    b.mul_(2)  # torch saves the exponent and the result, not the mantissa
    y.sum().backward()
    assert str(exponent.grad) == "tensor([ 1.3863, 11.0904])"
    y = torch.ldexp(mantissa, exponent)
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_half_overflow_to_inf_is_silent(recwarn):
    big = _half(60000.0, -3746.0)
    assert str(big * big) == "tensor([inf, inf], dtype=torch.float16)"  # torch warns nothing
    assert str(big.exp()) == "tensor([inf, 0.], dtype=torch.float16)"
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
