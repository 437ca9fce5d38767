"""Defects the differential fuzzer (tools/fuzz_against_torch.py) found, pinned with the
values torch 2.13 gives (literal, so these run without torch)."""

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
