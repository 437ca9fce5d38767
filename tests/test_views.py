"""In-place changes through views: the base and its graph see them (CopySlices rebasing).

The first tests check behaviour without torch (hand-computed gradients); the last ones run
the same programs with live torch and compare gradients and errors.
"""

import pytest

import chainrule as cr


def _x():
    return cr.arange(12.0).reshape(3, 4).clone().requires_grad_()


def test_inplace_through_slice_reaches_base_graph():
    x = _x()
    a = x.clone()
    v = a[1:]
    v.mul_(2)
    assert type(a.grad_fn).__name__ == "CopySlices"
    assert type(v.grad_fn).__name__ == "AsStridedBackward0"
    assert a._version == v._version == 1
    assert v._base is a and v._is_view()
    a.sum().backward()
    assert x.grad.tolist() == [[1.0] * 4, [2.0] * 4, [2.0] * 4]


def test_inplace_on_base_rebases_existing_views():
    x = _x()
    a = x.clone()
    v = a[1:]
    a.mul_(3)
    v.sum().backward()
    assert x.grad.tolist() == [[0.0] * 4, [3.0] * 4, [3.0] * 4]


def test_other_views_of_the_base_are_rebased():
    x = _x()
    a = x.clone()
    v, u = a[1:], a[:2]
    v.mul_(2)
    (u * 1).sum().backward()  # row 1 was doubled through v
    assert x.grad.tolist() == [[1.0] * 4, [2.0] * 4, [0.0] * 4]


def test_view_chain_transpose_and_setitem():
    x = _x()
    a = x.clone()
    a.t()[0] = x[0, :3] * 5  # column 0 of a now comes from x[0, :3]
    a.sum().backward()
    assert x.grad.tolist() == [[5.0, 6.0, 6.0, 1.0], [0.0, 1.0, 1.0, 1.0], [0.0, 1.0, 1.0, 1.0]]


def test_inplace_on_diagonal_view_second_derivative():
    x = cr.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    a = x.clone()
    a.diagonal().pow_(3)
    (g,) = cr.autograd.grad(a.sum(), x, create_graph=True)
    assert g.tolist() == [[3.0, 1.0], [1.0, 48.0]]
    (gg,) = cr.autograd.grad(g.sum(), x)
    assert gg.tolist() == [[6.0, 0.0], [0.0, 24.0]]


def test_copy_into_view_of_plain_tensor_makes_base_require_grad():
    w = cr.ones(2, requires_grad=True)
    b = cr.zeros(3)
    u = b[:2]
    b[1:].copy_(w * 2)
    assert b.requires_grad and u.requires_grad
    (u * cr.tensor([10.0, 100.0])).sum().backward()
    assert w.grad.tolist() == [200.0, 0.0]


@pytest.mark.parametrize(
    "make", [lambda a: a.split(2), lambda a: a.unbind(0), lambda a: a.chunk(3)]
)
def test_multi_output_views_refuse_recorded_inplace(make):
    a = _x().clone()
    piece = make(a)[0]
    version = a._version
    with pytest.raises(RuntimeError, match="returns multiple views"):
        piece.mul_(2)
    assert a._version == version  # nothing was written
    with cr.no_grad():
        piece.mul_(2)  # not recorded: allowed


def test_view_of_leaf_and_no_grad_view_errors():
    x = _x()
    with pytest.raises(RuntimeError, match="^a view of a leaf Variable"):
        x[1:].mul_(2)
    a = x.clone()
    with cr.no_grad():
        v = a[1:]
    with pytest.raises(RuntimeError, match="^A view was created in no_grad mode"):
        v.mul_(2)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        a.expand(2, 3, 4).mul_(2)


# --------------------------------------------------------------------------- against torch

PROGRAMS = {
    "slice": "a = x.clone(); v = a[1:]; v.mul_(2); out = (a * a).sum()",
    "t": "a = x.clone(); v = a.t(); v.mul_(a.t()); out = (a * a).sum()",
    "view_slice": "a = x.clone(); v = a.view(12); v[3:5].mul_(3); out = (a * a).sum()",
    "diagonal": "a = x.clone(); a.diagonal().exp_(); out = (a * a).sum()",
    "unsqueeze": "a = x.clone(); a.unsqueeze(0).mul_(2); out = (a * a).sum()",
    "sibling": "a = x.clone(); v = a[1:]; u = a[:2]; v.mul_(2); out = (u * u).sum()",
    "base_then_view": "a = x.clone(); v = a[1:]; a.mul_(3); out = (v * v).sum()",
    "setitem_t": "a = x.clone(); a.t()[0] = x[0, :3] * 5; out = (a * a).sum()",
    "setitem_sin": "a = x.clone(); v = a[1:]; v[0, 1] = 7; v.sin_(); out = (a * x).sum()",
    "iadd_col": "a = x.clone(); v = a[:, 1]; v += x[:, 2]; out = (a ** 2).sum()",
    "copy_row": "b = torch.zeros(3, 4); v = b[1]; v.copy_(x[0]); out = (b * b).sum() + v.sum()",
    "chain": "a = x.clone(); v = a[1:][:, 1:].transpose(0, 1); v.mul_(x[0:3, 0:2]); "
    "out = (a * a).sum()",
    "reshape_fill": "a = x.clone(); a.reshape(4, 3).fill_(2.0); out = (a * x).sum()",
    "step_zero": "a = x.clone(); a[::2].zero_(); out = (a * x).sum()",
    "mask": "a = x.clone(); a[a > 5] = 0; a[1:].mul_(a[:2].clone()); out = (a * a).sum()",
    "overlap": "a = x.clone(); a[1:].mul_(a[:2]); out = a.sum()",
    "split": "a = x.clone(); a.split(2)[0].mul_(2); out = a.sum()",
    "unbind_view": "a = x.clone(); a.unbind(0)[0][1:].mul_(2); out = a.sum()",
    "leaf_view": "x[1:].mul_(2); out = x.sum()",
    "expand": "a = x.clone(); a.expand(2, 3, 4).mul_(2); out = a.sum()",
    "no_grad_view": "a = x.clone()\nwith torch.no_grad():\n    v = a[1:]\nv.mul_(2); out = a.sum()",
}


def _run(torch, source):
    x = torch.arange(12.0, dtype=torch.float64).reshape(3, 4).clone().requires_grad_()
    scope = {"torch": torch, "x": x}
    try:
        exec(source, scope)
        (g,) = torch.autograd.grad(scope["out"], x, create_graph=True)
        (gg,) = torch.autograd.grad((g * g).sum(), x, allow_unused=True)
    except RuntimeError as exc:
        return "error", str(exc)
    return g.tolist(), None if gg is None else gg.tolist()


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_views_match_torch(name):
    torch = pytest.importorskip("torch")
    assert _run(cr, PROGRAMS[name]) == _run(torch, PROGRAMS[name])


def test_write_through_an_expanded_view_replaces_every_copy():
    """z = base.expand(2, 3); z[0] = y also changes z[1]: base gets no gradient back."""
    x = cr.tensor([0.2, 0.3, 0.5], requires_grad=True)
    y = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    z = (x * 1).expand(2, 3)
    z[0] = y
    assert z.tolist() == [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]
    gx, gy = cr.autograd.grad(z.sum(), (x, y))
    assert gx.tolist() == [0.0, 0.0, 0.0] and gy.tolist() == [2.0, 2.0, 2.0]


def test_permute_and_expand_errors_name_what_torch_names():
    with pytest.raises(RuntimeError, match=r"input.dim\(\) = 2 is not equal to len\(dims\) = 3"):
        cr.ones(2, 3).permute(0, 1, 2)
    with pytest.raises(RuntimeError, match="non-singleton dimension 1"):
        cr.ones(2, 2).expand(3, 3)
