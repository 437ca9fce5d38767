"""torch accepts NumPy's spelling of dim/keepdim (axis/keepdims); so does chainrule."""

import pytest

import chainrule as torch


def test_axis_and_keepdims_are_accepted():
    x = torch.arange(6.0).reshape(2, 3).requires_grad_()
    assert x.sum(axis=0).tolist() == [3.0, 5.0, 7.0]
    m = x.mean(axis=1, keepdims=True)
    assert m.shape == (2, 1) and type(m.grad_fn).__name__ == "MeanBackward1"
    assert torch.sum(x, axis=1).tolist() == [3.0, 12.0]
    m.sum().backward()
    assert torch.allclose(x.grad, torch.full((2, 3), 1 / 3))


def test_unknown_keywords_still_raise():
    with pytest.raises(TypeError, match="unexpected keyword argument 'foo'"):
        torch.ones(2).sum(foo=1)
