"""torch's top-level odds and ends: torch.testing, torch.backends, compile/autocast no-ops,
constants, function forms of in-place methods, complex-free conj/real/imag, fill_diagonal_."""

import contextlib
import io
import math

import pytest

import chainrule as torch


def _message(call):
    with pytest.raises(AssertionError) as info:
        call()
    return str(info.value)


def test_assert_close_reports_like_torch():
    text = _message(
        lambda: torch.testing.assert_close(
            torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.1, 3.0])
        )
    )
    assert text == (
        "Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\n"
        "Greatest absolute difference: 0.09999990463256836 at index (1,) (up to 1e-05 allowed)\n"
        "Greatest relative difference: 0.04761900380253792 at index (1,) (up to 1.3e-06 allowed)"
    )
    assert (
        _message(
            lambda: torch.testing.assert_close(torch.ones(2), torch.ones(2, dtype=torch.float64))
        )
        == "The values for attribute 'dtype' do not match: torch.float32 != torch.float64."
    )
    assert _message(lambda: torch.testing.assert_close(1.0, 1.1)).startswith(
        "Scalars are not close!\n\nExpected 1.1 but got 1.0."
    )
    nan = torch.tensor([1.0, math.nan])
    torch.testing.assert_close(nan, nan.clone(), equal_nan=True)
    with pytest.raises(AssertionError):
        torch.testing.assert_close(nan, nan.clone())
    torch.testing.assert_close([torch.tensor(1.0)], [torch.tensor(1.0)])
    assert (
        _message(lambda: torch.testing.assert_close(torch.ones(2), torch.zeros(2), msg="custom"))
        == "custom"
    )


def test_backends_compile_autocast_and_switches():
    assert not torch.backends.mps.is_available() and not torch.backends.cudnn.is_available()
    torch.backends.cudnn.deterministic = True  # accepted, as user code sets it
    assert torch.backends.cudnn.deterministic
    torch.backends.cudnn.deterministic = False
    assert torch.compile(torch.sin) is torch.sin
    assert torch.compile()(torch.cos) is torch.cos
    with torch.autocast("cpu"):
        assert torch.equal(torch.ones(1) * 2, torch.tensor([2.0]))
    torch.use_deterministic_algorithms(True)
    assert torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(False)
    assert torch.get_float32_matmul_precision() == "highest"
    assert str(torch.get_default_device()) == "cpu"
    with pytest.raises(RuntimeError):
        torch.set_default_device("cuda")


def test_constants_and_function_forms():
    assert (torch.e, torch.pi, torch.newaxis) == (math.e, math.pi, None)
    assert math.isinf(torch.inf) and math.isnan(torch.nan)
    y = torch.tensor([-1.0, 2.0])
    assert torch.relu_(y) is y and y.tolist() == [0.0, 2.0]
    torch.clamp_(y, max=1.0)
    assert y.tolist() == [0.0, 1.0]
    torch.zero_(y)
    assert y.tolist() == [0.0, 0.0]


def test_real_tensors_have_no_imaginary_part():
    x = torch.tensor([1.0, -2.0])
    assert x.real is x and x.conj() is x and not x.is_conj() and not x.is_neg()
    with pytest.raises(RuntimeError, match="imag is not implemented"):
        x.imag  # noqa: B018
    assert not x.is_sparse and not x.is_quantized and not x.is_pinned()
    assert torch.ravel(torch.arange(4).reshape(2, 2)).tolist() == [0, 1, 2, 3]


def test_fill_diagonal():
    x = torch.zeros(5, 3)
    x.fill_diagonal_(2.0, wrap=True)
    assert x.tolist() == [[2, 0, 0], [0, 2, 0], [0, 0, 2], [0, 0, 0], [2, 0, 0]]
    cube = torch.zeros(2, 2, 2)
    cube.fill_diagonal_(7.0)
    assert cube[0, 0, 0] == 7 and cube[1, 1, 1] == 7 and cube.sum() == 14
    w = torch.ones(3, 3, requires_grad=True)
    y = w * 2
    y.fill_diagonal_(0.0)
    y.sum().backward()
    assert w.grad.tolist() == [[0, 2, 2], [2, 0, 2], [2, 2, 0]]


def _probe(torch):
    cases = [
        lambda: torch.testing.assert_close(
            torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.1, 3.0])
        ),
        lambda: torch.testing.assert_close(
            torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0], dtype=torch.float64)
        ),
        lambda: torch.testing.assert_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0, 3.0])),
        lambda: torch.testing.assert_close(
            torch.tensor([[1, 2], [3, 4]]), torch.tensor([[1, 2], [3, 5]])
        ),
        lambda: torch.testing.assert_close(1.0, 1.1),
        lambda: torch.testing.assert_close(
            torch.tensor([1.0, float("nan")]), torch.tensor([1.0, float("nan")])
        ),
        lambda: torch.testing.assert_close(
            torch.tensor([1.0, float("nan")]), torch.tensor([1.0, float("nan")]), equal_nan=True
        ),
        lambda: torch.testing.assert_close([torch.tensor(1.0)], [torch.tensor(1.0)]),
        lambda: torch.testing.assert_close(
            torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.1, 3.0]), msg="custom"
        ),
        lambda: torch.testing.assert_close(
            torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64),
            torch.tensor([1.0, 2.5, 3.5], dtype=torch.float64),
            rtol=0,
            atol=0,
        ),
        lambda: torch.testing.assert_close(
            torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0001]), rtol=1e-3, atol=0
        ),
    ]
    for c in cases:
        try:
            c()
            print("ok")
        except AssertionError as e:
            print(repr(str(e)))
    print(
        torch.backends.cudnn.deterministic,
        torch.backends.cudnn.benchmark,
        torch.backends.mps.is_available(),
        torch.backends.cudnn.is_available(),
    )
    print(
        torch.get_float32_matmul_precision(),
        torch.are_deterministic_algorithms_enabled(),
        torch.get_default_device(),
    )
    print(
        torch.ravel(torch.arange(4).reshape(2, 2)),
        torch.ones(2, 2, requires_grad=True).ravel().grad_fn.name(),
    )
    x = torch.ones(3, 3)
    x.fill_diagonal_(5)
    print(x)
    x = torch.zeros(5, 3)
    x.fill_diagonal_(2, wrap=True)
    print(x)
    x = torch.zeros(5, 3)
    x.fill_diagonal_(2)
    print(x)
    x = torch.zeros(2, 2, 2)
    x.fill_diagonal_(7)
    print(x)
    print(
        torch.ones(2).real, torch.ones(2).conj(), torch.ones(2).is_conj(), torch.ones(2).is_sparse
    )
    try:
        torch.ones(2).imag  # noqa: B018
    except Exception as e:
        print(type(e).__name__, e)
    print(torch.e, torch.pi, torch.inf, torch.nan, torch.newaxis)
    y = torch.tensor([-1.0, 2.0])
    torch.relu_(y)
    print(y)
    torch.clamp_(y, max=1.0)
    print(y)
    torch.zero_(y)
    print(y)
    with torch.autocast("cpu"):
        print(torch.ones(1) * 2)
    f = torch.compile(lambda a: a + 1)
    print(f(torch.ones(1)))

    @torch.compile
    def g(a):
        return a * 3

    print(g(torch.ones(1)))
    print(torch.detach(torch.ones(1, requires_grad=True)).requires_grad)


def test_same_output_as_torch():
    real = pytest.importorskip("torch")
    outputs = []
    for lib in (torch, real):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            _probe(lib)
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1]


def test_warnings_point_at_the_callers_line():
    # std(dim) goes through the wrapper that accepts numpy's axis=: a fixed stacklevel
    # used to name _registry.py instead of this file
    x = torch.ones(1)
    with pytest.warns(UserWarning, match="degrees of freedom") as record:
        x.std(0)
    assert record[0].filename == __file__
    with pytest.warns(UserWarning, match="degrees of freedom") as record:
        torch.var(x, axis=0)
    assert record[0].filename == __file__


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda x: torch.nn.functional.softmax(x), "softmax"),
        (lambda x: torch.nn.functional.log_softmax(x), "log_softmax"),
        (lambda x: torch.nn.functional.softmin(x), "softmin"),
        (lambda x: torch.nn.LogSoftmax()(x), "log_softmax"),
    ],
)
def test_implicit_softmax_dim_warns_with_the_functions_name(call, name):
    x = torch.tensor([[1.0, 2.0, 3.0], [0.0, 1.0, -1.0]])
    with pytest.warns(UserWarning, match=f"Implicit dimension choice for {name} has been"):
        out = call(x)
    assert out.shape == (2, 3)
    assert torch.allclose(out.exp().sum(1) if name == "log_softmax" else out.sum(1), torch.ones(2))


def test_float_of_a_tensor_that_requires_grad_warns_only_with_grad_mode_on():
    import warnings

    x = torch.tensor(1.0, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with torch.no_grad():
            assert float(x) == 1.0
    assert not caught
    with pytest.warns(UserWarning, match="Converting a tensor with requires_grad=True"):
        float(x)
