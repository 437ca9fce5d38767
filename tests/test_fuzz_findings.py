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
