"""Generic in-place forms (erf_, index_fill_, put_, ...) and the new index-writing ops.

Golden-free checks first; then the same calls against live torch (values, first and second
derivatives, grad_fn names and errors).
"""

import numpy as np
import pytest

import chainrule as cr

GENERIC = (
    "erf_ erfc_ acos_ asin_ atan_ cosh_ sinh_ tan_ exp2_ log10_ log2_ sinc_ frac_ deg2rad_ "
    "rad2deg_ arccos_ fix_ negative_ absolute_ logit_"
).split()


def _x(lib):
    return lib.tensor(
        [[0.3, -0.6, 0.9, 0.0], [0.1, 0.2, -0.4, 0.7], [0.5, -0.1, 0.45, 0.25]],
        dtype=lib.float64,
        requires_grad=True,
    )


@pytest.mark.parametrize("name", GENERIC)
def test_generic_inplace_matches_out_of_place(name):
    x = _x(cr)
    a = x.clone()
    out = getattr(a, name)()
    assert out is a and a._version == 1
    expected = getattr(
        x.clone(),
        name[:-1]
        .replace("negative", "neg")
        .replace("fix", "trunc")
        .replace("absolute", "abs")
        .replace("arccos", "acos"),
    )()
    np.testing.assert_array_equal(a.tolist(), expected.tolist())
    (g,) = cr.autograd.grad(a.sum(), x)
    (h,) = cr.autograd.grad(expected.sum(), x)
    np.testing.assert_array_equal(g.tolist(), h.tolist())


def test_generic_inplace_refuses_leaf_and_bad_dtype_before_writing():
    x = _x(cr)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x.erf_()
    n = cr.ones(3, dtype=cr.int64)
    with pytest.raises(RuntimeError, match="result type Float can't be cast"):
        n.erf_()
    assert n._version == 0 and n.tolist() == [1, 1, 1]


def test_comparison_inplace_zero_gradient():
    x = _x(cr)
    a = x.clone()
    a.lt_(0.2)
    assert type(a.grad_fn).__name__ == "LtBackward0"
    assert a.tolist()[0] == [0.0, 1.0, 0.0, 1.0]
    (g,) = cr.autograd.grad((a * x).sum(), x)
    assert g.tolist() == a.tolist()  # only the product's own path carries gradient


def test_index_ops_values_and_errors():
    z = cr.zeros(2, 3)
    assert z.index_fill(1, cr.tensor([0, 2]), 5.0).tolist() == [[5, 0, 5], [5, 0, 5]]
    assert cr.zeros(3).index_copy(0, cr.tensor([2, 0]), cr.tensor([1.0, 2.0])).tolist() == [
        2,
        0,
        1,
    ]
    mask = cr.tensor([True, False, True, False])
    assert cr.zeros(4).masked_scatter(mask, cr.tensor([1.0, 2.0, 3.0])).tolist() == [1, 0, 2, 0]
    out = cr.zeros(2).scatter_reduce(0, cr.tensor([0, 0, 1]), cr.tensor([1.0, 3.0, 2.0]), "amax")
    assert out.tolist() == [3, 2]
    p = cr.zeros(2, 2)
    p.put_(cr.tensor([0, 3]), cr.tensor([1.0, 2.0]))
    assert p.tolist() == [[1, 0], [0, 2]] and p._version == 1
    q = cr.zeros(3)
    q.index_put_((cr.tensor([0, 0]),), cr.tensor(1.0), accumulate=True)
    assert q.tolist() == [2, 0, 0]
    target = cr.zeros(3)
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        target.index_fill_(0, cr.tensor([5]), 1.0)
    with pytest.raises(IndexError, match="out of range: tried to access index 9"):
        target.put_(cr.tensor([9]), cr.tensor([1.0]))
    with pytest.raises(RuntimeError, match="Number of elements of source < number of ones"):
        target.masked_scatter_(cr.tensor([True, True, True]), cr.tensor([1.0]))
    assert target._version == 0 and target.tolist() == [0, 0, 0]


# --------------------------------------------------------------------------- against torch

PROGRAMS = {
    **{name: f"a = x.clone(); a.{name}()" for name in GENERIC},
    "cumsum_": "a = x.clone(); a.cumsum_(1)",
    "tril_": "a = x.clone(); a.tril_()",
    "eq_": "a = x.clone(); a.eq_(0.3)",
    "lt_t": "a = x.clone(); a.lt_(x.flip(0))",
    "atan2_": "a = x.clone(); a.atan2_(x * 2 + 1)",
    "hypot_": "a = x.clone(); a.hypot_(x + 1)",
    "lerp_": "a = x.clone(); a.lerp_(x * 3, 0.3)",
    "addcmul_": "a = x.clone(); a.addcmul_(x, x)",
    "xlogy_": "a = x.clone(); a.xlogy_(x + 1)",
    "index_fill": "a = x.index_fill(1, torch.tensor([2, 0]), 2.0)",
    "index_fill_t": "a = x.clone().index_fill_(0, torch.tensor([2]), (x * x).sum())",
    "index_copy": "a = x.index_copy(1, torch.tensor([2, 0]), x[:, :2] * 3)",
    "masked_scatter": "a = x.masked_scatter(torch.tensor([True, False, True, True]), x * 2)",
    "put": "a = x.put(torch.tensor([1, 5, -1]), x[0, :3] ** 2)",
    "put_acc": "a = x.clone().put_(torch.tensor([1, 5, 1]), x[1, :3], accumulate=True)",
    "index_put": "a = x.index_put((torch.tensor([0, 2]), torch.tensor([1, 3])), x[1, :2])",
    "index_put_mask": "a = x.clone().index_put_((x > 0.2,), x.sum())",
    "sr_sum": "a = x.scatter_reduce(1, I, x[:, :3] * 2, 'sum', include_self=False)",
    "sr_prod": "a = x.scatter_reduce(1, I, x[:, :3] + 1, 'prod')",
    "sr_mean": "a = x.scatter_reduce(1, I, x[:, 1:] * 2, 'mean')",
    # (src values that tie with the left-out self values would show a torch quirk: see
    # tools/fuzz_against_torch.py, ALLOWED_DIFFERENCES)
    "sr_amax": "a = x.scatter_reduce(1, I, x[:, :3] * 1.5, 'amax', include_self=False)",
    "sr_amin_": "a = x.clone().scatter_reduce_(1, I, x[:, :3], 'amin')",
    "bad_index": "a = x.clone().index_fill_(1, torch.tensor([7]), 1.0)",
    "bad_copy": "a = x.index_copy(0, torch.tensor([0]), x)",
}


def _run(torch, source):
    x = _x(torch)
    index = torch.tensor([[0, 1, 0], [3, 3, 1], [2, 2, 2]])
    scope = {"torch": torch, "x": x, "I": index}
    try:
        exec(source, scope)
    except (RuntimeError, IndexError) as exc:
        return type(exc).__name__
    a = scope["a"]
    if not a.requires_grad:
        return np.array(a.tolist())
    (g,) = torch.autograd.grad((a * a).sum(), x, create_graph=True)
    second = None
    if g.requires_grad:
        (gg,) = torch.autograd.grad((g * g).sum(), x, allow_unused=True)
        second = None if gg is None else np.array(gg.tolist())
    return np.array(a.tolist()), type(a.grad_fn).__name__, np.array(g.tolist()), second


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_inplace_and_index_ops_match_torch(name):
    torch = pytest.importorskip("torch")
    expected = _run(torch, PROGRAMS[name])
    got = _run(cr, PROGRAMS[name])
    if isinstance(expected, str):
        assert got == expected
        return
    if not isinstance(expected, tuple):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
        return
    assert got[1] == expected[1]
    for ours, theirs in zip(got[::2], expected[::2]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
    assert (got[3] is None) == (expected[3] is None)
    if got[3] is not None:
        np.testing.assert_allclose(got[3], expected[3], rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------------------- fuzzer findings
# Each test below failed before its fix (found by tools/fuzz_against_torch.py).


def test_inplace_result_saved_by_its_node_goes_stale():
    """sqrt_ saves its result, which is the tensor itself: changing it again breaks backward."""
    x = cr.tensor([[0.8, 0.3], [0.5, 0.2]], requires_grad=True)
    z = x * 1
    z.sqrt_()
    z.diagonal().frac_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


@pytest.mark.parametrize(
    "source, name",
    [
        ("z[..., :2] = 1.5", "FillBackward3"),  # the index selects all of z
        ("z[...] = x[0]", "CopyBackwards"),
        ("z[z > 0] = 0", "IndexPutBackward0"),
        ("z[torch.tensor([0])] = 2.0", "IndexPutBackward0"),
        ("z[0, torch.tensor([0])] = 2.0", "CopySlices"),
        ("z[0] = x.sum()", "CopySlices"),
    ],
)
def test_setitem_grad_fn_names(source, name):
    x = cr.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
    scope = {"torch": cr, "x": x, "z": x * 1}
    exec(source, scope)
    assert type(scope["z"].grad_fn).__name__ == name


def test_setitem_drops_leading_ones_of_the_value():
    x = cr.tensor([0.6, 0.9], requires_grad=True)
    y = cr.tensor([-0.96], requires_grad=True)
    z = x * 1
    z[0] = y  # a [1] value into a [] slot, as torch allows
    assert z.tolist() == pytest.approx([-0.96, 0.9])
    gx, gy = cr.autograd.grad(z.sum(), (x, y))
    assert gx.tolist() == [0.0, 1.0] and gy.tolist() == [1.0]


def test_writes_into_expanded_tensors():
    z = cr.tensor([1.0, 2.0]) * 1
    e = z.expand(2, 2)
    e.zero_()  # one value for every copy: allowed
    assert z.tolist() == [0.0, 0.0]
    e.masked_fill_(cr.ones(2, 2, dtype=cr.bool), 3.0)
    e.select(0, -1).add_(1.0)  # a view without repeated elements: allowed
    assert z.tolist() == [4.0, 4.0]
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        e.mul_(2)
    empty = cr.zeros(0).expand(2, 0)
    empty.log1p_()  # nothing to write
    assert empty._version == 1


def test_shape_inplace_methods():
    x = cr.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    z = x * 1
    assert z.t_() is z and z.shape == (3, 2) and z._version == 1
    assert type(z.grad_fn).__name__ == "TBackward1"
    z.unsqueeze_(0)
    assert z.shape == (1, 3, 2) and type(z.grad_fn).__name__ == "UnsqueezeBackward1"
    z.squeeze_(0).transpose_(0, 1)
    (z * cr.arange(6.0).reshape(2, 3)).sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    with pytest.raises(RuntimeError, match="a leaf Variable"):
        x.t_()


def test_small_shape_and_index_errors():
    with pytest.warns(UserWarning, match="mT is deprecated on 0-D"):
        scalar = cr.tensor(2.0)
        assert scalar.mT is scalar
    with pytest.raises(RuntimeError, match="split expects at least a 1-dimensional tensor"):
        cr.tensor(1.0).split(1)
    with pytest.raises(RuntimeError, match="chunk expects at least a 1-dimensional tensor"):
        cr.tensor(1.0).chunk(2)
    with pytest.raises(RuntimeError, match="Index to scalar can have only 1 value, got 2"):
        cr.tensor(1.0).index_select(0, cr.tensor([0, 0]))
    with pytest.raises(RuntimeError, match="out of bounds for dimension 0 with size 0"):
        cr.zeros(0, 3).index_fill_(0, cr.tensor([0]), 1.0)


def test_remainder_keeps_the_sign_of_zero_as_torch():
    out = cr.remainder(cr.tensor([-0.4, 0.4, 0.0, -0.0]), cr.tensor([0.2, -0.2, -0.2, 0.3]))
    assert np.signbit(out.numpy()).tolist() == [True, False, False, True]
    assert repr(cr.remainder(cr.tensor(0.0), cr.tensor(-0.2))) == "tensor(0.)"


def test_products_save_an_operand_only_for_the_other_gradient():
    constant = cr.eye(3, dtype=cr.float64)
    b = cr.ones(3, 2, dtype=cr.float64, requires_grad=True) * 1
    out = constant @ b
    b.mul_(2.0)  # b was not saved: constant needs no gradient
    out.sum().backward()
    a = cr.ones(3, 3, dtype=cr.float64, requires_grad=True) * 1
    out = a @ b
    b.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_vector_matrix_product_is_not_a_view():
    x = cr.tensor([0.5, 0.2], requires_grad=True)
    z = x @ cr.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert not z._is_view() and z._version == 1  # torch squeezes in place
    z[0] = 1.0
    assert type(z.grad_fn).__name__ == "CopySlices"


@pytest.mark.parametrize(
    "reduce", [lambda z: z.prod(), lambda z: z.amax(0), lambda z: z.max(), lambda z: z.median()]
)
def test_reductions_that_save_their_result(reduce):
    x = cr.tensor([0.5, 0.9, 0.2], requires_grad=True)
    r = reduce(x * 1)
    r.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        r.sum().backward()


def test_flat_rules_give_zeros_not_nan():
    x = cr.tensor([0.0, 0.0], requires_grad=True)
    y = cr.tensor(-0.5, requires_grad=True)
    z = x * 1
    z.copy_(y.exp())  # the old value of z gets a zero gradient, even times inf
    z.detach().zero_()
    (g,) = cr.autograd.grad(z.sqrt().sum(), x)
    assert g.tolist() == [0.0, 0.0]
    a = cr.tensor([float("nan")], dtype=cr.float64, requires_grad=True)
    b = cr.tensor(-0.3, dtype=cr.float64, requires_grad=True)
    (gb,) = cr.autograd.grad(cr.fmod(a, b).sum(), b, create_graph=True)
    (ggb,) = cr.autograd.grad(gb, b)
    assert ggb.item() == 0.0  # the rounded quotient has no derivative


def test_max_of_nan_sends_the_gradient_to_the_nans():
    x = cr.tensor([1.0, float("nan"), 2.0], requires_grad=True)
    x.min().backward()
    assert np.isnan(x.grad.numpy()).tolist() == [False, False, False]
    assert x.grad.tolist() == [0.0, 1.0, 0.0]


def test_std_of_equal_values_has_zero_gradient():
    x = cr.tensor([[0.5], [0.5]], requires_grad=True)
    x.index_select(0, cr.tensor([0, 0])).std(0).sum().backward()
    assert x.grad.tolist() == [[0.0], [0.0]]


def test_index_fill_on_an_expanded_tensor():
    z = cr.tensor([0.9]) * 1
    z.expand(2, 1).index_fill_(0, cr.tensor([0]), -1.0)
    assert z.tolist() == [-1.0]


def test_split_and_chunk_of_an_empty_dim():
    x = cr.zeros(0, 2, requires_grad=True) * 1
    assert [p.shape for p in x.split(1)] == [(0, 2)]
    pieces = x.chunk(3)
    assert len(pieces) == 3 and type(pieces[0].grad_fn).__name__ == "SplitWithSizesBackward0"


# --------------------------------------------------------------------------- direct writes
# Unrecorded in-place arithmetic (an optimizer's p -= lr * p.grad) runs the kernel on the
# tensor's own array. Whatever path it takes, it must store what the out-of-place op gives.

_DIRECT_CASES = [
    ("add_", "f32", "number"),
    ("sub_", "f32", "row"),
    ("mul_", "f64", "same"),
    ("div_", "f32", "scalar_tensor"),
    ("add_", "i64", "int_number"),
    ("mul_", "f32", "f64_tensor"),
    ("div_", "f16", "number"),
    ("sub_", "f32", "int_number"),
]


def _direct_operands(lib, dtype, other):
    dtypes = {"f32": lib.float32, "f64": lib.float64, "f16": lib.float16, "i64": lib.int64}
    target = lib.arange(12, dtype=dtypes[dtype]).reshape(3, 4) + 1
    others = {
        "number": 0.3,
        "int_number": 2,
        "row": lib.tensor([0.5, -1.0, 2.0, 0.25], dtype=dtypes[dtype]),
        "same": lib.full((3, 4), 1.5, dtype=dtypes[dtype]),
        "scalar_tensor": lib.tensor(4.0, dtype=dtypes[dtype]),
        "f64_tensor": lib.tensor(0.1, dtype=lib.float64),
    }
    return target, others[other]


@pytest.mark.parametrize("name, dtype, other", _DIRECT_CASES)
def test_unrecorded_inplace_arithmetic_matches_the_out_of_place_op(name, dtype, other):
    target, operand = _direct_operands(cr, dtype, other)
    expected = getattr(target, name[:-1])(operand)
    view = target[1]  # shares the storage: it must see the new values
    version = target._version
    with cr.no_grad():
        result = getattr(target, name)(operand)
    assert result is target
    assert target.dtype == expected.dtype
    assert cr.equal(target, expected.to(target.dtype))
    assert cr.equal(view, target[1])
    assert target._version == version + 1


def test_unrecorded_inplace_arithmetic_allocates_nothing_for_big_tensors():
    import tracemalloc

    p = cr.ones(500_000)
    g = cr.full((500_000,), 2.0)
    with cr.no_grad():
        tracemalloc.start()
        try:
            p -= g
            p.mul_(0.5)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 4096, peak  # no result array, no copy
    assert cr.equal(p, cr.full((500_000,), -0.5))


def test_direct_writes_keep_the_errors_of_the_general_path():
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type Long"):
        with cr.no_grad():
            cr.ones(3, dtype=cr.int64).div_(2)
    with pytest.raises(RuntimeError, match="must match the size"):
        with cr.no_grad():
            cr.ones(2, 3).add_(cr.ones(3, 3))
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        cr.ones(1).expand(3).add_(1)
    leaf = cr.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.add_(1)


@pytest.mark.parametrize("name, dtype, other", _DIRECT_CASES)
def test_unrecorded_inplace_arithmetic_matches_torch(name, dtype, other):
    torch = pytest.importorskip("torch")
    mine, mine_other = _direct_operands(cr, dtype, other)
    theirs, their_other = _direct_operands(torch, dtype, other)
    outcomes = []
    for lib, target, operand in ((cr, mine, mine_other), (torch, theirs, their_other)):
        try:
            with lib.no_grad():
                getattr(target, name)(operand)
            outcomes.append((str(target.dtype).split(".")[-1], target.tolist()))
        except RuntimeError as error:
            outcomes.append(("error", str(error)))
    assert outcomes[0] == outcomes[1]


def test_gather_scatter_index_add_check_shapes_and_bounds_as_torch():
    """torch's RuntimeErrors (texts taken from torch 2.13), raised before anything is
    written, instead of NumPy's IndexError/ValueError (found by the fuzzer)."""
    x, m = cr.ones(3), cr.ones(2, 2)
    cases = [
        (
            lambda: x.scatter(0, cr.tensor([[0]]), 1.0),
            "Index tensor must have the same number of dimensions as self tensor",
        ),
        (
            lambda: x.scatter_add(0, cr.tensor([9]), cr.ones(1)),
            "index 9 is out of bounds for dimension 0 with size 3",
        ),
        (
            lambda: x.scatter(0, cr.tensor([-1]), 1.0),
            "index -1 is out of bounds for dimension 0 with size 3",
        ),
        (
            lambda: x.scatter_reduce(0, cr.tensor([9]), cr.ones(1), "sum"),
            "index 9 is out of bounds for dimension 0 with size 3",
        ),
        (
            lambda: m.scatter(0, cr.tensor([[0, 0, 0]]), 1.0),
            "Expected index [1, 3] to be no larger than self [2, 2] apart from dimension 0",
        ),
        (
            lambda: x.gather(0, cr.tensor([[0]])),
            "Index tensor must have the same number of dimensions as input tensor",
        ),
        (
            lambda: cr.ones(2, 3).gather(1, cr.tensor([[0], [0], [0]])),
            "Size does not match at dimension 0 expected index [3, 1] to be no larger than "
            "self [2, 3] apart from dimension 1",
        ),
        (
            lambda: m.index_add(0, cr.tensor([0]), cr.ones(1, 9)),
            "source tensor shape must match self tensor shape, excluding the specified "
            "dimension. Got self.shape = [2, 2] source.shape = [1, 9]",
        ),
        (
            lambda: m.index_add(0, cr.tensor([0]), cr.ones(3)),
            "index_add_(): Number of indices (1) should be equal to source.size(dim): (3), "
            "for dim: 0",
        ),
    ]
    for call, text in cases:
        with pytest.raises(RuntimeError) as info:
            call()
        assert str(info.value) == text
    assert m.index_add(0, cr.tensor([1]), cr.ones(1, 2)).tolist() == [[1.0, 1.0], [2.0, 2.0]]


def test_inplace_shape_errors_come_before_dtype_and_name_the_broadcast_shape():
    """Found by the fuzzer; texts taken from torch 2.13."""
    overlap = (
        "unsupported operation: more than one element of the written-to tensor refers to a "
        "single memory location. Please clone() the tensor before performing the operation."
    )
    cases = [
        (
            lambda: cr.ones(2, 3).copy_(cr.ones(2)),
            "The size of tensor a (3) must match the size of tensor b (2) at non-singleton "
            "dimension 1",
        ),
        (
            lambda: cr.tensor(-3).pow_(cr.ones(1, 3).double()),
            "output with shape [] doesn't match the broadcast shape [1, 3]",
        ),
        (
            lambda: cr.ones(1, 1, 1).add_(cr.ones(2, 1)),
            "output with shape [1, 1, 1] doesn't match the broadcast shape [1, 2, 1]",
        ),
        (
            lambda: (
                (cr.ones(3, requires_grad=True) * 1)
                .expand(2, 3)
                .addcmul_(cr.ones(2), cr.tensor(1.0))
            ),
            overlap,
        ),
    ]
    for call, text in cases:
        with pytest.raises(RuntimeError) as info:
            call()
        assert str(info.value) == text


def test_setitem_errors_name_expand_for_views_and_index_put_for_leaves():
    """x[basic] = v expands v to a view (torch's expand errors); x[int tensor] = v on a leaf
    is index_put_ on the leaf itself. Found by the fuzzer; texts from torch 2.13."""
    z = cr.ones(3, 2)
    cases = [
        (
            lambda: z.__setitem__(0, cr.ones(3, 3)),
            "expand(torch.FloatTensor{[3, 3]}, size=[2]): the number of sizes provided (1) must "
            "be greater or equal to the number of dimensions in the tensor (2)",
        ),
        (
            lambda: z.__setitem__((Ellipsis, slice(0, 1)), cr.ones(1, 1, 3)),
            "The expanded size of the tensor (1) must match the existing size (3) at "
            "non-singleton dimension 1.  Target sizes: [3, 1].  Tensor sizes: [3]",
        ),
        (
            lambda: z.__setitem__(cr.tensor([0, 0]), cr.ones(3, 3)),
            "shape mismatch: value tensor of shape [3, 3] cannot be broadcast to indexing "
            "result of shape [2, 2]",
        ),
        (
            lambda: cr.ones(3, requires_grad=True).__setitem__(cr.tensor([0, 0]), 1.0),
            "a leaf Variable that requires grad is being used in an in-place operation.",
        ),
        (
            lambda: cr.ones(3, requires_grad=True).__setitem__(0, 1.0),
            "a view of a leaf Variable that requires grad is being used in an in-place operation.",
        ),
    ]
    for call, text in cases:
        with pytest.raises(RuntimeError) as info:
            call()
        assert str(info.value) == text


def test_index_put_refuses_values_of_another_dtype():
    """x[int index] = v and index_put(_) write only values of x's dtype (torch's error; a
    mask or a basic index still converts). Found by the fuzzer."""
    x = cr.ones(2, 3, dtype=cr.float64)
    text = (
        "Index put requires the source and destination dtypes match, got Double for the "
        "destination and Float for the source."
    )
    for call in (
        lambda: x.__setitem__(cr.tensor([0]), cr.tensor(1.0)),
        lambda: x.index_put_((cr.tensor([0, 0]),), cr.ones(3)),
        lambda: x.index_put((cr.tensor([0, 0]),), cr.ones(3), accumulate=True),
    ):
        with pytest.raises(RuntimeError) as info:
            call()
        assert str(info.value) == text
    with pytest.raises(RuntimeError, match="^shape mismatch: value tensor of shape"):
        cr.ones(2, 2, dtype=cr.float64).index_put_((cr.tensor([0, 0]),), cr.ones(3))  # shapes first
    x[x > 0] = cr.tensor(2.0)
    x[0] = cr.tensor(3.0)
    assert x.tolist() == [[3.0, 3.0, 3.0], [2.0, 2.0, 2.0]]


def test_copy_into_integer_records_nothing_and_view_shape_is_checked_before_leaf():
    """copy_ of a float that requires grad into a bool/int tensor has no history; x[0] = v
    on a leaf reports the shape first (torch expands v before the leaf check)."""
    for dtype in (cr.bool, cr.int64):
        a = cr.zeros(2, dtype=dtype)
        a.copy_(cr.ones(2, requires_grad=True))
        assert a.grad_fn is None and not a.requires_grad and a._version == 1
    x = cr.ones(3, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"^The expanded size of the tensor \(2\)"):
        x[0] = cr.ones(3)
    with pytest.raises(RuntimeError, match="^a view of a leaf Variable"):
        x[0] = cr.ones(2)
