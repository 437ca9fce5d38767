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


def _raises(kind, text, call):
    with pytest.raises(kind) as info:
        call()
    assert type(info.value) is kind
    assert str(info.value) == text


OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)


@pytest.mark.parametrize(
    ("call", "kind", "text"),
    [
        (
            lambda: torch.zeros(3).scatter_(0, torch.tensor([5]), 1.0),
            RuntimeError,
            "index 5 is out of bounds for dimension 0 with size 3",
        ),
        (
            lambda: torch.arange(3.0).gather(0, torch.tensor([-1])),
            RuntimeError,
            "index -1 is out of bounds for dimension 0 with size 3",
        ),
        (
            lambda: torch.nn.functional.mse_loss(torch.zeros(3), torch.zeros(2)),
            RuntimeError,
            "The size of tensor a (3) must match the size of tensor b (2) at non-singleton "
            "dimension 0",
        ),
        (
            lambda: torch.zeros(3).repeat(2, -1),
            RuntimeError,
            "Trying to create tensor with negative dimension -3: [2, -3]",
        ),
        (
            lambda: torch.zeros(2, dtype=torch.uint8).fill_(300),
            RuntimeError,
            "value cannot be converted to type uint8_t without overflow",
        ),
        (
            lambda: torch.full((2,), 70000.0, dtype=torch.float16),
            RuntimeError,
            "value cannot be converted to type c10::Half without overflow",
        ),
        (
            lambda: torch.ones(2, 3).prod((0,), True),
            TypeError,
            "prod(): argument 'dim' (position 1) must be int, not tuple",
        ),
        (
            lambda: torch.ones(2, 3).prod(dim=(0, 1)),
            TypeError,
            "prod() received an invalid combination of arguments - got (dim=tuple, ), but "
            "expected one of:\n * (*, torch.dtype dtype = None)\n * (int dim, bool keepdim = "
            "False, *, torch.dtype dtype = None)\n",
        ),
        (
            lambda: torch.linalg.norm(torch.ones(2, 3), ord="fro", dim=0),
            RuntimeError,
            "linalg.matrix_norm: dim must be a 2-tuple. Got 0",
        ),
        (
            lambda: torch.logical_and(torch.ones(2), 1),
            TypeError,
            "logical_and(): argument 'other' (position 2) must be Tensor, not int",
        ),
        (
            lambda: torch.ones(2).atan2(1.0),
            TypeError,
            "atan2(): argument 'other' (position 1) must be Tensor, not float",
        ),
        (
            lambda: torch.exp(2.0),
            TypeError,
            "exp(): argument 'input' (position 1) must be Tensor, not float",
        ),
        (
            lambda: torch.ones(2, dtype=torch.bool).argmax(),
            RuntimeError,
            "argmax(): does not support bool input",
        ),
        (
            lambda: torch.zeros(1).expand(3).fill_(torch.tensor(1.0)),
            RuntimeError,
            OVERLAP,
        ),
    ],
)
def test_torchs_exception_type_and_text(call, kind, text):
    _raises(kind, text, call)


def test_uint8_fill_wraps_negative_ints_as_torch():
    assert torch.zeros(2, dtype=torch.uint8).fill_(-1).tolist() == [255, 255]
    assert torch.zeros(1).expand(3).fill_(1.0).tolist() == [1.0, 1.0, 1.0]


def test_view_of_no_grad_view_message():
    x = torch.ones(3, 2, requires_grad=True).clone()
    with torch.no_grad():
        v = x[:2]
    w = v[:1]
    text = (
        "Output 0 of Slice is a view of a view which was created in no_grad mode and is being "
        "modified inplace with grad mode enabled. Given that this use case is ambiguous and "
        "error-prone, it is forbidden. You can clarify your code by moving both the view and "
        "the inplace either both inside the no_grad block (if you don't want the inplace to be "
        "tracked) or both outside (if you want the inplace to be tracked)."
    )
    _raises(RuntimeError, text, lambda: w.mul_(2))


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("x.sum()", "SumBackward0"),
        ("x.sum(None)", "SumBackward1"),
        ("x.mean(dim=None)", "MeanBackward1"),
        ("x.mean()", "MeanBackward0"),
        ("torch.nn.functional.logsigmoid(x)", "LogSigmoidBackward0"),
        ("torch.nn.functional.glu(x)", "GluBackward0"),
    ],
)
def test_grad_fn_names(code, name):
    x = torch.ones(2, 4, requires_grad=True)
    assert type(eval(code, {"torch": torch, "x": x}).grad_fn).__name__ == name


def test_logsigmoid_and_glu_gradients():
    x = torch.tensor([[0.5, -30.0, 40.0, 1.0]], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(torch.nn.functional.logsigmoid, (x,))
    assert torch.autograd.gradgradcheck(torch.nn.functional.glu, (x / 30,))
    _raises(
        RuntimeError,
        "Halving dimension must be even, but dimension 1 is size 3",
        lambda: torch.nn.functional.glu(torch.ones(2, 3)),
    )


@pytest.mark.parametrize(
    ("fill", "name"),
    [
        ("uniform_()", "UniformBackward0"),
        ("normal_()", "NormalBackward0"),
        ("random_(5)", "RandomBackward1"),
        ("bernoulli_(0.3)", "BernoulliBackward2"),
        ("exponential_()", "ExponentialBackward0"),
    ],
)
def test_random_fills_cut_the_history(fill, name):
    x = torch.ones(3, requires_grad=True)
    y = x * 2
    eval("y." + fill, {"y": y})
    assert y.grad_fn.name() == name
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_random_to_draws_below_it():
    torch.manual_seed(0)
    values = torch.zeros(200).random_(3)
    assert set(values.tolist()) <= {0.0, 1.0, 2.0}
