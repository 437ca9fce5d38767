"""Defects the differential fuzzer (tools/fuzz_against_torch.py) found, pinned with the
values torch 2.13 gives (literal, so these run without torch)."""

import pytest

import chainrule as torch
import chainrule.nn.functional as F


def test_margin_ranking_loss_clamps_in_place_as_torch():
    x = torch.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
    y = torch.tensor([[0.25, 1.0, -2.0]], requires_grad=True)
    target = torch.tensor([[-1.0, 1.0, -1.0]])
    z = F.margin_ranking_loss(x, y, target, margin=0.1, reduction="none")
    assert repr(z) == "tensor([[0.3500, 2.1000, 4.1000]], grad_fn=<ClampMinBackward0>)"
    assert z._version == 1  # torch's clamp_min_ on the unreduced loss
    z.sum().backward()
    assert repr(x.grad) == "tensor([[ 1., -1.,  1.]])"
    assert repr(y.grad) == "tensor([[-1.,  1., -1.]])"
    assert F.margin_ranking_loss(x, y, target)._version == 0


def test_pairwise_distance_records_torchs_norm_node():
    a = torch.tensor([[0.0, 0.0], [1.0, 1.0]], requires_grad=True)
    z = F.pairwise_distance(a, torch.tensor([[3.0, 4.0], [1.0, 2.0]]), eps=0.0)
    assert repr(z) == "tensor([5., 1.], grad_fn=<NormBackward1>)"
    z.sum().backward()
    assert repr(a.grad) == "tensor([[-0.6000, -0.8000],\n        [ 0.0000, -1.0000]])"
    assert type(a.norm(2, -1).grad_fn).__name__ == "LinalgVectorNormBackward0"


LEAF = "a leaf Variable that requires grad is being used in an in-place operation."


@pytest.mark.parametrize("op", ["div_", "floor_divide_", "remainder_", "pow_", "add_", "mul_"])
def test_in_place_refuses_a_leaf_before_checking_shapes(op):
    x = torch.ones(2, 3, requires_grad=True)
    y = torch.ones(3, 2)
    with pytest.raises(RuntimeError) as info:
        getattr(x, op)(y)
    assert str(info.value) == LEAF
    with pytest.raises(RuntimeError) as info:
        getattr(x[1:], op)(y)
    assert str(info.value) == "a view of " + LEAF
    with pytest.raises(RuntimeError, match="The size of tensor a"):
        getattr(x.detach()[1:], op)(y)
    with pytest.raises(OverflowError, match="int too big to convert"):
        getattr(x, op)(2**70)  # the argument is read first


def test_in_place_refuses_a_view_of_a_leaf_before_overlap():
    x = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError) as info:
        x[1:].add_(x[:2])
    assert str(info.value) == "a view of " + LEAF
    with pytest.raises(RuntimeError, match="refer to a single memory location"):
        x.detach()[1:].add_(x.detach()[:2])


def test_isclose_checks_shapes_and_tolerances_and_counts_its_in_place_ors():
    a = torch.tensor([1.0, float("nan"), 3.0])
    b = torch.tensor([1.0, float("nan"), 3.1])
    for kwargs, value, version in (
        ({}, "tensor([ True, False, False])", 1),
        ({"equal_nan": True}, "tensor([ True,  True, False])", 2),
        ({"rtol": 0, "atol": 0}, "tensor([ True, False, False])", 0),
        ({"rtol": 0, "atol": 0, "equal_nan": True}, "tensor([ True,  True, False])", 1),
    ):
        z = torch.isclose(a, b, **kwargs)
        assert (repr(z), z._version) == (value, version)
    assert torch.isclose(torch.tensor([True]), torch.tensor(False))._version == 1
    with pytest.raises(RuntimeError) as info:
        torch.isclose(torch.ones(2, dtype=torch.int16), torch.ones(1, 3, dtype=torch.int16))
    assert str(info.value) == (
        "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 1"
    )
    with pytest.raises(RuntimeError) as info:
        torch.isclose(torch.ones(2), torch.ones(3), atol=-1e-20)
    assert str(info.value) == "atol must be greater than or equal to zero, but got -1e-20"


OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)


def test_copy_into_an_expanded_view_refuses_the_overlap_before_the_shape():
    target = (torch.ones(3, 1) * 1).expand(2, 3, 1)
    for source in (torch.ones(2, 2), torch.ones(2, 3, 1)):
        with pytest.raises(RuntimeError) as info:
            target.copy_(source)
        assert str(info.value) == OVERLAP


CLASH = "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"


@pytest.mark.parametrize(
    "call",
    [
        lambda a, b: torch.fmod(a > 0, b > 0),
        lambda a, b: torch.fmod(a.long(), b.long() * 0),
        lambda a, b: torch.logaddexp(a.long(), b.long()),
        lambda a, b: torch.logaddexp2(a.long(), b.long()),
        lambda a, b: torch.hypot(a.to(torch.uint8), b.to(torch.uint8)),
        lambda a, b: a.half() ^ b.half(),
        lambda a, b: a & b,
        lambda a, b: a | b.long(),
        lambda a, b: a.long() << b,
        lambda a, b: torch.nextafter(a.long(), b.long()),
        lambda a, b: torch.gcd(a, b),
        lambda a, b: torch.lcm(a.long(), b),
    ],
)
def test_binary_kernels_check_shapes_before_dtypes(call):
    with pytest.raises(RuntimeError) as info:
        call(torch.ones(2), torch.ones(3))
    assert str(info.value) == CLASH


def test_nextafter_refuses_integers_and_numbers():
    with pytest.raises(NotImplementedError) as info:
        torch.nextafter(torch.ones(2).long(), torch.ones(2).long())
    assert str(info.value) == "\"nextafter_cpu\" not implemented for 'Long'"
    with pytest.raises(TypeError) as info:
        torch.nextafter(torch.ones(2), 1.0)
    assert str(info.value) == (
        "nextafter(): argument 'other' (position 2) must be Tensor, not float"
    )
    z = torch.nextafter(torch.ones(2).half(), torch.ones(2))
    assert repr(z) == "tensor([1., 1.])"


def test_view_dtype_rereads_the_bytes_and_shares_the_version_counter():
    a = torch.ones(2)
    b = a.view(torch.int32)
    assert repr(b) == "tensor([1065353216, 1065353216], dtype=torch.int32)"
    assert repr(a.view(torch.int64)) == "tensor([4575657222473777152])"
    assert repr(a.view(dtype=torch.float16)) == (
        "tensor([0.0000, 1.8750, 0.0000, 1.8750], dtype=torch.float16)"
    )
    b[0] = 0
    assert repr(a) == "tensor([0., 1.])" and a._version == 1
    leaf = torch.ones(2, requires_grad=True)
    assert leaf.view(torch.float32).requires_grad is False
    assert torch.ones(2, 4).view(torch.float64).shape == (2, 2)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: torch.ones(3).view(torch.float64), "self.size(-1) must be divisible by 2"),
        (lambda: torch.ones(2, 3).t().view(torch.int16), "self.stride(-1) must be 1"),
        (lambda: torch.ones(()).view(torch.float16), "self.dim() cannot be 0"),
        (lambda: torch.arange(6.0)[1:5].view(torch.float64), "self.storage_offset() must be"),
        (lambda: torch.ones(2, 0).view(torch.float64), "self.stride(0) must be divisible by 2"),
    ],
)
def test_view_dtype_errors(call, message):
    with pytest.raises(RuntimeError) as info:
        call()
    assert str(info.value).startswith(message)
    assert "(different element sizes)" in str(info.value)


def test_strides_of_empty_tensors_are_contiguous_ones():
    assert torch.ones(0).stride() == (1,)
    assert torch.zeros(2, 0, 3).stride() == (3, 3, 1)


def test_resize_keeps_the_storage_and_counts_a_version():
    t = torch.arange(6.0)
    v = t[1:3]
    v.resize_(4)
    assert repr(v) == "tensor([1., 2., 3., 4.])" and v._version == 1
    v.mul_(2)
    assert repr(t) == "tensor([0., 2., 4., 6., 8., 5.])"
    assert repr(torch.ones(2, 3).resize_(2, 2)) == "tensor([[1., 1.],\n        [1., 1.]])"
    assert torch.ones(2, 3).resize_(4, 4).shape == (4, 4)  # the storage grows
    same = torch.arange(6.0).reshape(2, 3).t()
    same.resize_(3, 2)
    assert same.stride() == (1, 3) and same._version == 0


@pytest.mark.parametrize(
    "call, kind, message",
    [
        (lambda: (torch.ones(2, requires_grad=True) * 1).resize_(9), RuntimeError,
         "cannot resize variables that require grad"),
        (lambda: torch.ones(2).resize_(-1), RuntimeError, "numel: integer multiplication overflow"),
        (lambda: torch.ones(2).resize_(2.0), TypeError,
         "resize_(): argument 'size' (position 1) must be tuple of ints, not float"),
        (lambda: torch.ones(2).resize_(), TypeError,
         'resize_() missing 1 required positional arguments: "size"'),
    ],
)  # fmt: skip
def test_resize_errors(call, kind, message):
    with pytest.raises(kind) as info:
        call()
    assert str(info.value) == message


@pytest.mark.parametrize("op", ["div_", "pow_", "remainder_", "floor_divide_"])
def test_checked_in_place_ops_refuse_an_expanded_target_before_the_shape(op):
    target = (torch.ones(3) * 1).expand(2, 3)
    with pytest.raises(RuntimeError) as info:
        getattr(target, op)(torch.ones(2, 2))
    assert str(info.value) == OVERLAP


def test_float16_results_overflow_to_inf_without_numpy_warnings():
    import warnings

    big = torch.tensor([60000.0], dtype=torch.float16)
    b = torch.tensor(-0.4, dtype=torch.float16, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert repr(big + big) == "tensor([inf], dtype=torch.float16)"
        z = torch.true_divide(torch.tensor([[1, 5, 0], [2, 1, 4]], dtype=torch.uint8), b)
        (g,) = torch.autograd.grad(z.sum(), b, create_graph=True)
        (second,) = torch.autograd.grad((g * g).sum(), b)  # sums gradients past half's range
    assert repr(g.detach()) == "tensor(-81.2500, dtype=torch.float16)"
    assert repr(second) == "tensor(inf, dtype=torch.float16)"


PUT = (
    "Use of index_put_ on expanded tensors is deprecated. Please clone() the tensor before "
    "performing this operation. This also applies to advanced indexing e.g. tensor[indices] = "
    "tensor"
)
FILL = (
    "Use of {} on expanded tensors is deprecated. Please clone() the tensor before performing "
    "this operation. This also applies to advanced indexing e.g. tensor[mask] = scalar"
)


@pytest.mark.parametrize(
    "code, expected",
    [
        ("z[z > 0] = 0", [PUT, FILL.format("masked_fill_")]),
        ("z[..., torch.tensor([True, False, True])] = 0", [PUT, FILL.format("masked_fill_")]),
        ("z[z > 0] = torch.zeros(6)", [PUT]),
        ("z[torch.tensor(True)] = 0", [PUT]),
        ("z[[0, 1]] = 0", [PUT]),
        ("z[0] = 0", []),
        ("z.masked_fill_(z > 0, 0)", [FILL.format("masked_fill_")]),
        ("z.index_fill_(0, torch.tensor([0]), 2.0)", [FILL.format("index_fill_")]),
        ("z.masked_fill(z > 0, 0)", []),
        ("z.index_put_((torch.tensor([0]),), torch.tensor(0.0))", [PUT]),
        ("z.index_put_((z > 0,), torch.tensor(0.0))", [PUT, FILL.format("masked_fill_")]),
        ("z.index_put_((z > 0,), torch.zeros(6))", [PUT]),
    ],
)
def test_writes_into_expanded_tensors_warn_as_torch(code, expected):
    import warnings

    z = (torch.ones(3) * 1).expand(2, 3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exec(code, {"torch": torch, "z": z})
    assert [str(w.message) for w in caught] == expected


def test_index_put_into_an_expanded_tensor_writes_through_the_repeats():
    z = (torch.ones(3) * 1).expand(2, 3)
    z.index_put_((torch.tensor([0]),), torch.tensor(2.0), accumulate=True)
    assert repr(z) == "tensor([[3., 3., 3.],\n        [3., 3., 3.]])"
