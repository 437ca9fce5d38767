"""Behaviour of the composite / more-maths / bucketing families and the dtype-facts helpers
that the op-spec table cannot express (see specs_misc.py for the table-driven checks)."""

import warnings

import numpy as np
import pytest

import chainrule as torch
from chainrule.ops import bucketing


def test_heaviside_backward_raises_torchs_error():
    x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    y = torch.heaviside(x, torch.tensor(0.5))
    assert type(y.grad_fn).__name__ == "NotImplemented"
    with pytest.raises(RuntimeError, match="derivative for aten::heaviside is not implemented"):
        y.sum().backward()


def test_chain_matmul_warns_once_per_process():
    bucketing._chain_matmul_warned.clear()
    a = torch.eye(2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.chain_matmul(a, a)
        torch.chain_matmul(a, a)
    assert len(caught) == 1 and "chain_matmul is deprecated" in str(caught[0].message)


def test_ldexp_gradient_is_exact_for_negative_integer_exponents():
    # torch computes 2 ** other in integers here and gives 0 for other = -2; we give 0.25
    a = torch.ones(3, requires_grad=True)
    torch.ldexp(a, torch.tensor([1, -2, 3])).sum().backward()
    assert a.grad.tolist() == [2.0, 0.25, 8.0]


def test_composite_ops_have_higher_derivatives_and_count_repeated_inputs():
    x = torch.tensor([0.5, -1.5, 2.0], dtype=torch.float64, requires_grad=True)
    y = torch.vdot(x, x) + torch.dist(x, torch.zeros(3, dtype=torch.float64)) ** 2
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    assert torch.allclose(g, 4 * x.detach())
    (gg,) = torch.autograd.grad(g.sum(), x)
    assert gg.tolist() == [4.0, 4.0, 4.0]


def test_unfold_is_a_view_with_a_linear_rule():
    base = torch.arange(5.0)
    windows = base.unfold(0, 2, 2)
    base.add_(10)
    assert windows.tolist() == [[10.0, 11.0], [12.0, 13.0]]
    x = torch.arange(5.0, requires_grad=True)
    (x.unfold(0, 3, 1) ** 2).sum().backward()
    assert x.grad.tolist() == [0.0, 4.0, 12.0, 12.0, 8.0]  # windows [0..2], [1..3], [2..4]


def test_aliases_are_the_same_op():
    x = torch.tensor([0.25, -0.5])
    assert torch.equal(torch.arccos(x), torch.acos(x))
    assert torch.equal(x.arcsinh(), x.asinh())
    assert torch.equal(torch.fix(torch.tensor([-1.5, 2.7])), torch.tensor([-1.0, 2.0]))
    assert torch.equal(torch.row_stack([x, x]), torch.vstack([x, x]))
    y = torch.tensor([0.3], requires_grad=True)
    assert type(torch.arctanh(y).grad_fn).__name__ == "AtanhBackward0"


def test_finfo_and_iinfo():
    f = torch.finfo(torch.float32)
    assert (f.bits, f.eps, f.tiny, f.resolution, f.dtype) == (
        32,
        1.1920928955078125e-07,
        1.1754943508222875e-38,
        1e-06,
        "float32",
    )
    assert repr(torch.finfo(torch.float16)) == (
        "finfo(resolution=0.001, min=-65504, max=65504, eps=0.000976562, "
        "smallest_normal=6.10352e-05, tiny=6.10352e-05, dtype=float16)"
    )
    assert torch.finfo() == torch.finfo(torch.float32)
    i = torch.iinfo(torch.int8)
    assert (i.min, i.max, i.bits) == (-128, 127, 8)
    assert repr(torch.iinfo(torch.uint8)) == "iinfo(min=0, max=255, dtype=uint8)"
    with pytest.raises(TypeError, match="torch.bool is not supported by torch.iinfo"):
        torch.iinfo(torch.bool)
    with pytest.raises(TypeError, match="requires a floating point input type"):
        torch.finfo(torch.int64)


def test_rng_state_round_trip():
    torch.manual_seed(7)
    state = torch.get_rng_state()
    first = torch.rand(4)
    torch.set_rng_state(state)
    assert torch.equal(first, torch.rand(4))
    assert state.dtype == torch.uint8


def test_tensor_facts():
    x = torch.ones(3, 4)
    assert x[1:, 2:].storage_offset() == 6 and x.t().storage_offset() == 0
    assert (x.nbytes, x.itemsize, x.get_device(), x.is_cpu) == (48, 4, -1, True)
    assert not x.is_inference() and x.is_signed() and not torch.is_complex(x)
    assert not torch.ones(2, dtype=torch.uint8).is_signed()
    assert torch.is_nonzero(torch.tensor([2.0])) and not torch.is_nonzero(torch.tensor(0))
    with pytest.raises(RuntimeError, match="more than one value is ambiguous"):
        torch.is_nonzero(x)
    assert torch.typename(torch.ones(2, dtype=torch.int64)) == "torch.LongTensor"
    assert torch.typename(3) == "int"
    assert torch.can_cast(torch.int32, torch.float32) and not torch.can_cast(
        torch.float64, torch.int32
    )


def test_broadcast_shapes():
    assert torch.broadcast_shapes((2, 1), (3,), 1) == torch.Size([2, 3])
    with pytest.raises(RuntimeError, match="Attempting to broadcast a dimension of length 3"):
        torch.broadcast_shapes((2,), (3,))


def test_special_namespace_values():
    t = torch.tensor([0.2, 1.5, 3.0], dtype=torch.float64)
    ndtr = torch.special.ndtr(t).numpy()
    from math import erf, sqrt

    assert np.allclose(ndtr, [(1 + erf(v / sqrt(2))) / 2 for v in (0.2, 1.5, 3.0)])
    assert torch.special.entr(torch.tensor([0.0, -1.0])).tolist() == [0.0, float("-inf")]
    assert torch.allclose(torch.special.expit(t), torch.sigmoid(t))


def _program(lib):
    x = lib.tensor([0.5, -1.5, 2.0, 0.25, 3.0, -2.0], dtype=lib.float64, requires_grad=True)
    m = x.reshape(2, 3)
    terms = [
        lib.dist(x, lib.ones(6, dtype=lib.float64), 3),
        lib.renorm(m, 2, 0, 1.0).sum(),
        lib.fmin(x, lib.zeros(6, dtype=lib.float64)).sum(),
        lib.copysign(x, -1.0).pow(2).sum(),
        lib.addmv(x[:2], m[:, :2], x[2:4]).sum(),
        lib.baddbmm(m.unsqueeze(0), m.unsqueeze(0), m.t().unsqueeze(0) @ m.unsqueeze(0)).sum(),
        lib.block_diag(m, x[:1].reshape(1, 1)).exp().sum(),
        lib.cumulative_trapezoid(x * x, dx=0.5).sum(),
        lib.trapezoid(x.sin(), lib.linspace(0, 1, 6, dtype=lib.float64)),
        lib.cov(m).sum(),
        lib.corrcoef(lib.stack([x, x.exp()])).sum(),
        lib.mvlgamma(x.abs() + 2, 2).sum(),
        lib.frexp(x).mantissa.sum(),
        lib.tensor_split(x, [2, 4])[1].pow(3).sum(),
        lib.combinations(x[:4], 2).prod(1).sum(),
    ]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    (g,) = lib.autograd.grad(total, x, create_graph=True)
    (gg,) = lib.autograd.grad((g * g).sum(), x)
    return total.item(), g.detach().numpy(), gg.numpy()


def test_against_torch_first_and_second_derivatives():
    real = pytest.importorskip("torch")
    ours, theirs = _program(torch), _program(real)
    assert ours[0] == pytest.approx(theirs[0], rel=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-9, atol=1e-10)


def test_sigmoid_and_tanh_backward_round_like_torchs_kernels():
    # torch computes g * (1 - y) * y for sigmoid and g * fl(1 - y*y) (fused) for tanh
    rng = np.random.default_rng(0)
    y = rng.uniform(0.0, 1.0, 2000).astype(np.float32)
    g = rng.standard_normal(2000).astype(np.float32)
    x = torch.tensor(np.log(y / (1 - y)).astype(np.float32), requires_grad=True)
    s = torch.sigmoid(x)
    s.backward(torch.tensor(g))
    ys = s.detach().numpy()
    np.testing.assert_array_equal(x.grad.numpy(), g * (1 - ys) * ys)
    x.grad = None
    t = torch.tanh(x)
    t.backward(torch.tensor(g))
    yt = t.detach().numpy().astype(np.float64)
    np.testing.assert_array_equal(x.grad.numpy(), g * (1 - yt * yt).astype(np.float32))


def test_round_with_decimals():
    x = torch.tensor([1.2345, 2.5, -0.125, 1234.5], requires_grad=True)
    assert x.round(decimals=2).tolist() == pytest.approx([1.23, 2.5, -0.12, 1234.5])
    y = torch.round(x, decimals=-1)
    assert y.tolist() == [0.0, 0.0, -0.0, 1230.0]
    assert type(y.grad_fn).__name__ == "RoundBackward1"
    assert type(x.round().grad_fn).__name__ == "RoundBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [0.0] * 4
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        torch.tensor([15, 25]).round(decimals=-1)


def test_tensor_where_method_takes_condition_first():
    t = torch.arange(4.0)
    assert t.where(t > 1, -t).tolist() == [-0.0, -1.0, 2.0, 3.0]
    assert t.where(t < 1, 9.0).tolist() == [0.0, 9.0, 9.0, 9.0]


def test_apply_and_map_call_python_per_element():
    t = torch.tensor([1, 2, 3])
    assert t.apply_(lambda v: v * 2.7) is t
    assert t.tolist() == [2, 5, 8]
    f = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    f.map_(torch.tensor([10.0, 100.0]), lambda a, b: a * b)
    assert f.tolist() == [[10.0, 200.0], [30.0, 400.0]]
    with pytest.raises(RuntimeError, match=r"Can't call apply_\(\) on Variable that requires grad"):
        torch.ones(2, requires_grad=True).apply_(lambda v: v)


def test_bit_shifts_match_torch():
    a = torch.tensor([7, -7, 3, 0])
    assert (a << 1).tolist() == [14, -14, 6, 0]
    assert (a >> 1).tolist() == [3, -4, 1, 0]
    assert (1 << torch.tensor([1, 2])).tolist() == [2, 4]
    assert torch.bitwise_left_shift(a, 2).tolist() == [28, -28, 12, 0]
    assert (torch.tensor([1]) << 64).tolist() == [0]
    assert (torch.tensor([-5, 5]) >> 70).tolist() == [-1, 0]
    x = torch.tensor([5])
    x <<= 1
    assert x.tolist() == [10]
    with pytest.raises(NotImplementedError, match="\"lshift_cpu\" not implemented for 'Float'"):
        torch.tensor([1.5]) << 1
    with pytest.raises(NotImplementedError, match='"bitwise_and_cpu" not implemented'):
        torch.tensor([1]) & 1.5


def test_softmax_of_integers_names_torchs_kernel():
    cases = [
        (lambda: torch.softmax(torch.tensor([[1, 2]]), 0), '"softmax_kernel_impl"'),
        (lambda: torch.tensor([[1, 2]]).softmax(1), '"softmax_lastdim_kernel_impl"'),
        (lambda: torch.log_softmax(torch.tensor([1, 2]), 0), '"log_softmax_lastdim_kernel_impl"'),
    ]
    for call, kernel in cases:
        with pytest.raises(NotImplementedError, match=kernel + " not implemented for 'Long'"):
            call()


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "rsub", "rmul", "rdiv"])
def test_float16_with_a_python_number_rounds_as_torch(op):
    # torch's mul and div compute half * number in float32 and round once; add and sub round
    # the number to half first. Either way the last bit must agree with torch's.
    real_torch = pytest.importorskip("torch")
    values = (np.random.default_rng(0).standard_normal(500) * 10).astype(np.float16)
    for number in (0.3, 1.7, -2.25, 3, 1e-3, 70000.0):
        results = []
        for lib in (torch, real_torch):
            t = lib.tensor(values)
            if op.startswith("r"):
                out = {"rsub": number - t, "rmul": number * t, "rdiv": number / t}[op]
            else:
                out = getattr(t, op)(number)
            results.append(out.numpy())
        mine, theirs = results
        assert mine.dtype == theirs.dtype
        np.testing.assert_array_equal(mine, theirs, err_msg=f"{op} {number}")


def test_alpha_with_a_zero_dim_operand_sums_its_gradient():
    """add/sub with alpha and a 0-d operand: its gradient is summed back to shape ()
    (found by the fuzzer: backward raised 'invalid gradient ... expected []')."""
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    s = torch.tensor(3.0, requires_grad=True)
    z = x * 1
    z.sub_(s, alpha=-0.5)
    (torch.add(x, s, alpha=2) + z).sum().backward()
    assert s.grad.tolist() == 5.0  # 2 * 2 from add, 2 * 0.5 from sub_
    assert x.grad.tolist() == [2.0, 2.0]
    a = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(0.5, dtype=torch.float32, requires_grad=True)
    torch.add(a, b, alpha=2).sum().backward()
    assert b.grad.dtype == torch.float32 and b.grad.tolist() == 4.0


def test_dtype_names_in_messages_are_torchs():
    """isclose, lerp, heaviside and gather name dtypes as torch does (found by the fuzzer)."""
    cases = [
        (
            lambda: torch.isclose(torch.ones(2, dtype=torch.int32), torch.ones(2).double()),
            "Int did not match Double",
        ),
        (
            lambda: torch.isclose(torch.ones(2).long(), torch.ones(2).half()),
            "Long did not match Half",
        ),
        (
            lambda: torch.lerp(torch.ones(2).short(), torch.ones(2).long(), 0.5),
            "expected dtype short int for `end` but got dtype long int",
        ),
        (
            lambda: torch.lerp(torch.ones(2).half(), torch.ones(2), 0.5),
            "expected dtype c10::Half for `end` but got dtype float",
        ),
        (
            lambda: torch.heaviside(torch.ones(2), torch.ones(2).double()),
            "heaviside is not yet implemented for tensors with different dtypes.",
        ),
        (
            lambda: torch.ones(2).gather(0, torch.tensor([0.0])),
            "gather(): Expected dtype int32/int64 for index",
        ),
    ]
    for call, text in cases:
        with pytest.raises(RuntimeError) as info:
            call()
        assert str(info.value) == text
    index = torch.tensor([1, 1], dtype=torch.int32)  # torch takes int32 indices too
    assert torch.tensor([1.0, 2.0]).gather(0, index).tolist() == [2.0, 2.0]


def test_inv_ex_reports_singular_matrices_in_info():
    """torch.linalg.inv_ex (missing before; found by the fuzzer), values from torch 2.13."""
    x = torch.tensor([[2.0, 1.0], [0.0, 3.0]], requires_grad=True)
    result = torch.linalg.inv_ex(x)
    assert type(result).__name__ == "linalg_inv_ex"
    assert repr(result.info) == "tensor(0, dtype=torch.int32)"
    assert type(result.inverse.grad_fn).__name__ == "LinalgInvExBackward0"
    result.inverse.sum().backward()
    assert np.allclose(x.grad.tolist(), [[-1 / 6, -1 / 6], [-1 / 18, -1 / 18]])
    batch = torch.stack([torch.eye(2), torch.zeros(2, 2)])
    assert torch.linalg.inv_ex(batch).info.tolist() == [0, 1]
    with pytest.raises(torch.linalg.LinAlgError, match="^linalg.inv_ex: The diagonal element 1"):
        torch.linalg.inv_ex(torch.zeros(2, 2), check_errors=True)


def test_matrix_norm_checks_dim_and_order_as_torch():
    """torch's RuntimeErrors (found by the fuzzer; NumPy's ValueError leaked before)."""
    x = torch.ones(2, 3)
    cases = [
        (
            lambda: torch.linalg.norm(x, "nuc", dim=0),
            "linalg.matrix_norm: dim must be a 2-tuple. Got 0",
        ),
        (
            lambda: torch.linalg.matrix_norm(x, "fro", dim=(0, 1, 1)),
            "linalg.matrix_norm: dim must be a 2-tuple. Got 0 1 1",
        ),
        (
            lambda: torch.linalg.norm(x, "fro", dim=0),
            "linalg.matrix_norm: dim must be a 2-tuple. Got 0",
        ),
        (
            lambda: torch.linalg.matrix_norm(x, "bad"),
            "linalg.matrix_norm: Order bad not supported.",
        ),
        (lambda: x.norm(p="bad"), "linalg.matrix_norm: Order bad not supported."),
    ]
    for call, text in cases:
        with pytest.raises(RuntimeError) as info:
            call()
        assert str(info.value) == text


def test_small_torch_behaviours_found_by_the_fuzzer():
    """abs of bool, mean to an integer dtype and prelu of mixed dtypes raise torch's errors;
    sums and products that meet inf - inf give nan without NumPy's RuntimeWarning."""
    F = torch.nn.functional
    cases = [
        (
            lambda: torch.ones(2, dtype=torch.bool).abs(),
            NotImplementedError,
            "\"abs_cpu\" not implemented for 'Bool'",
        ),
        (
            lambda: torch.ones(2).mean(dtype=torch.int64),
            RuntimeError,
            "mean(): could not infer output dtype. Optional dtype must be either a floating "
            "point or complex dtype. Got: Long",
        ),
        (
            lambda: F.prelu(torch.ones(2).double(), torch.tensor([0.25])),
            RuntimeError,
            "prelu: Type promoting not supported. Got Double and Float",
        ),
    ]
    for call, kind, text in cases:
        with pytest.raises(kind) as info:
            call()
        assert str(info.value) == text
    x = torch.tensor([-float("inf"), float("inf")], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert repr(x.sum()) == "tensor(nan, grad_fn=<SumBackward0>)"
        assert repr(x.sum(0)) == "tensor(nan, grad_fn=<SumBackward1>)"
        assert repr(torch.tensor([float("inf"), 0.0]).prod()) == "tensor(nan)"


def test_clamp_with_tensor_bounds_promotes_like_torch():
    """clamp(a, min=b) has the result type of a and b (found by the fuzzer; from torch)."""
    assert (
        torch.clamp(torch.tensor(0), min=torch.tensor([3, 2, 4], dtype=torch.uint8)).dtype
        == torch.uint8
    )
    assert torch.clamp(torch.tensor(True), min=torch.tensor(-0.5)).dtype == torch.float32
    out = torch.clamp(torch.ones(2, dtype=torch.int16), min=torch.tensor([0.5, 2.5]))
    assert out.dtype == torch.float32 and out.tolist() == [1.0, 2.5]
    with pytest.raises(
        RuntimeError, match="^result type Float can't be cast to the desired output type Short$"
    ):
        torch.ones(2, dtype=torch.int16).clamp_(min=torch.ones(2))
    x = torch.tensor([0.2, 1.0], requires_grad=True)
    z = torch.clamp(x, min=torch.tensor(0.5, dtype=torch.float64))
    assert z.dtype == torch.float32  # a 0-d bound does not promote a float tensor


def test_bool_remainder_and_rounded_division_have_no_kernel():
    """torch's NotImplementedError, before any zero check (found by the fuzzer)."""
    a, b = torch.tensor([True, False]), torch.tensor([True, False])
    cases = [
        (lambda: a % b, "remainder_cpu"),
        (lambda: torch.remainder(a, True), "remainder_cpu"),
        (lambda: a // b, "div_floor_cpu"),
        (lambda: torch.div(a, b, rounding_mode="trunc"), "div_trunc_cpu"),
        (lambda: torch.div(a, b, rounding_mode="floor"), "div_floor_cpu"),
    ]
    for call, kernel in cases:
        with pytest.raises(NotImplementedError) as info:
            call()
        assert str(info.value) == f"\"{kernel}\" not implemented for 'Bool'"
    assert (a % 2).tolist() == [1, 0] and (a / torch.tensor([True, True])).tolist() == [1.0, 0.0]


def test_division_family_checks_shapes_before_kernels_and_zeros():
    """int % (bool with zeros) of clashing shapes, copysign of clashing shapes: torch reports
    the shapes first (found by the fuzzer)."""
    a, b = torch.tensor([[1, 2, 3], [4, 5, 6]]), torch.tensor([[True, False]])
    text = (
        "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1"
    )
    for call in (
        lambda: a % b,
        lambda: a // b,
        lambda: torch.div(a, b, rounding_mode="trunc"),
        lambda: torch.copysign(
            torch.ones(2, 3, dtype=torch.float16), torch.ones(1, 2, dtype=torch.int16)
        ),
    ):
        with pytest.raises(RuntimeError) as info:
            call()
        assert str(info.value) == text
    with pytest.raises(RuntimeError, match="^ZeroDivisionError$"):
        a % torch.tensor([1, 2, 0])
