"""Errors are torch's: exception types, messages, and refusing what torch refuses.

Every expected value here was taken from PyTorch 2.13.0 by running it; the table-driven
comparison over the op table is in test_error_table.py.
"""

import pytest

import chainrule as torch

MODIFIED = (
    "one of the variables needed for gradient computation has been modified by an inplace "
    "operation: [torch.FloatTensor [{}]], which is output 0 of {}, is at version {}; "
    "expected version 0 instead. Hint: enable anomaly detection to find the operation that "
    "failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, "
    "check_nan=False)."
)

# an in-place change to a tensor saved by sin(): torch names the node that now produced the
# tensor, i.e. the in-place op's node: its name() without "Backward0", with the overload
# number kept ("Clamp1"), and its C++ nodes by their full name
MODIFIER_NAMES = [
    ("y.mul_(2)", "Mul"),
    ("y.fill_(2)", "Fill2"),
    ("y.fill_(torch.tensor(2.))", "Fill3"),
    ("y.copy_(torch.ones(3))", "torch::autograd::CopyBackwards"),
    ("y.clamp_(0)", "Clamp1"),
    ("y.clamp_(0, 1)", "Clamp1"),
    ("y.clamp_(max=1)", "Clamp1"),
    ("y.clamp_(torch.zeros(3))", "Clamp"),
    ("y.clamp_min_(0)", "ClampMin"),
    ("y.clamp_max_(1)", "ClampMax"),
    ("y.zero_()", "Zero"),
    ("y.add_(1)", "Add"),
    ("y.add_(torch.ones(3))", "Add"),
    ("y.sub_(1)", "Sub"),
    ("y.div_(2)", "Div"),
    ("y.div_(2, rounding_mode='floor')", "Div2"),
    ("y.pow_(2)", "Pow"),
    ("y.pow_(torch.ones(3))", "Pow1"),
    ("y.exp_()", "Exp"),
    ("y.neg_()", "Neg"),
    ("y.abs_()", "Abs"),
    ("y.sigmoid_()", "Sigmoid"),
    ("y.tanh_()", "Tanh"),
    ("y.relu_()", "Relu"),
    ("y.sqrt_()", "Sqrt"),
    ("y.masked_fill_(torch.tensor([True,False,True]), 0)", "MaskedFill"),
    ("y.masked_fill_(torch.tensor([True,False,True]), torch.tensor(0.))", "MaskedFill1"),
    ("y.index_fill_(0, torch.tensor([0]), 1.)", "IndexFill"),
    ("y.scatter_(0, torch.tensor([0]), 1.)", "Scatter1"),
    ("y.scatter_(0, torch.tensor([0]), torch.ones(1))", "Scatter"),
    ("y.scatter_add_(0, torch.tensor([0]), torch.ones(1))", "ScatterAdd"),
    ("y.index_add_(0, torch.tensor([0]), torch.ones(1))", "IndexAdd"),
    ("y.index_copy_(0, torch.tensor([0]), torch.ones(1))", "IndexCopy"),
    ("y.index_put_((torch.tensor([0]),), torch.ones(1))", "IndexPut"),
    ("y.__setitem__(0, 1.)", "torch::autograd::CopySlices"),
    ("y.__setitem__(slice(0,2), torch.ones(2))", "torch::autograd::CopySlices"),
    ("y.__setitem__(torch.tensor([0]), 1.)", "IndexPut"),
    ("y.lerp_(torch.ones(3), 0.5)", "Lerp"),
    ("y.addcmul_(torch.ones(3), torch.ones(3))", "Addcmul"),
    ("y.addcdiv_(torch.ones(3), torch.ones(3))", "Addcdiv"),
    ("y.mul_(torch.ones(3))", "Mul"),
    ("y.round_()", "Round"),
    ("y.floor_()", "Floor"),
    ("y.clip_(0, 1)", "Clamp1"),
    ("y.fmod_(2)", "Fmod"),
    ("y.remainder_(2)", "Remainder"),
    ("y.log_()", "Log"),
    ("y.sin_()", "Sin"),
    ("y.square_()", "Pow"),
    ("y.t_()", "T1"),
    ("y.unsqueeze_(0)", "Unsqueeze1"),
    ("y.squeeze_()", "Squeeze3"),
    ("y.nan_to_num_()", "NanToNum"),
    ("y.trunc_()", "Trunc"),
    ("y.sign_()", "Sign"),
    ("y.reciprocal_()", "Reciprocal"),
    ("y.rsqrt_()", "Rsqrt"),
    ("y.log1p_()", "Log1P"),
    ("y.expm1_()", "Expm1"),
    ("y.erf_()", "Erf"),
    ("y.atan2_(torch.ones(3))", "Atan2"),
    ("y.put_(torch.tensor([0]), torch.ones(1))", "Put"),
    ("y.masked_scatter_(torch.tensor([True,False,True]), torch.ones(3))", "MaskedScatter"),
    ("y.copysign_(torch.ones(3))", "Copysign"),
    ("y.hypot_(torch.ones(3))", "Hypot"),
    ("y.logit_()", "Logit"),
    ("y.xlogy_(2.)", "Xlogy2"),
    ("y.sgn_()", "Sgn"),
    ("y.frac_()", "Frac"),
    ("y.cumsum_(0)", "Cumsum"),
    ("y.swapdims_(0,0)", "Transpose1"),
    ("y.transpose_(0,0)", "Transpose1"),
    ("y.clamp_(torch.zeros(3), torch.ones(3))", "Clamp"),
]


@pytest.mark.parametrize(("modify", "name"), MODIFIER_NAMES)
def test_version_error_names_the_node_that_made_the_saved_tensor(modify, name):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    z = y.sin()
    before = y._version
    exec(modify, {"torch": torch, "y": y})
    with pytest.raises(RuntimeError) as info:
        z.sum().backward()
    shape = ", ".join(str(size) for size in y.shape)
    assert str(info.value) == MODIFIED.format(shape, name, y._version)
    assert y._version > before


def test_torch_cpp_nodes_have_qualified_names():
    x = torch.ones(3, requires_grad=True)
    y = (x * 2).copy_(torch.ones(3))
    assert y.grad_fn.name() == "torch::autograd::CopyBackwards"
    assert type(y.grad_fn).__name__ == "CopyBackwards"
    z = x * 2
    z[0] = 1.0
    assert z.grad_fn.name() == "torch::autograd::CopySlices"
    assert type(z.grad_fn).__name__ == "CopySlices"
