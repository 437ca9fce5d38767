"""autograd.forward_ad: dual levels, make_dual/unpack_dual, tangents through ops.

The op-by-op check (every op of the spec table against reverse mode and torch) is in
test_ops_jvp.py; here: the API, its errors, grad modes, dtypes, views, in-place ops,
custom Functions, and the same programs run on torch where it is installed.
"""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as torch
import chainrule.autograd.forward_ad as fwAD


def values(t):
    return t.detach().numpy()


# --------------------------------------------------------------------------- the API


def test_unpack_of_a_plain_tensor_has_no_tangent():
    x = torch.tensor([1.0, 2.0])
    primal, tangent = fwAD.unpack_dual(x)
    assert primal is x and tangent is None
    assert repr(fwAD.unpack_dual(x)) == "UnpackedDualTensor(primal=tensor([1., 2.]), tangent=None)"
    assert fwAD.UnpackedDualTensor._fields == ("primal", "tangent")


def test_make_dual_outside_a_level_raises():
    with pytest.raises(RuntimeError, match="no level exists, make sure to enter_dual_level"):
        fwAD.make_dual(torch.tensor([1.0]), torch.tensor([1.0]))


def test_dual_level_enters_level_zero_and_cleans_up():
    x = torch.tensor([1.0, 2.0])
    with fwAD.dual_level() as level:
        assert level == 0
        dual = fwAD.make_dual(x, torch.tensor([1.0, 0.0]))
        assert fwAD.unpack_dual(dual).tangent is not None
    assert fwAD.unpack_dual(dual).tangent is None
    assert fwAD.enter_dual_level() == 0
    fwAD.exit_dual_level()


def test_nested_levels_are_refused_as_in_torch():
    with fwAD.dual_level():
        with pytest.raises(RuntimeError, match="Nested forward mode AD is not supported"):
            fwAD.enter_dual_level()


def test_exit_errors():
    with pytest.raises(RuntimeError, match="Dual level must be a positive number."):
        fwAD.exit_dual_level()
    level = fwAD.enter_dual_level()
    with pytest.raises(RuntimeError, match="that was not the last one"):
        fwAD.exit_dual_level(level=level + 3)
    fwAD.exit_dual_level(level=level)


def test_make_dual_checks():
    x = torch.tensor([1.0, 2.0])
    with fwAD.dual_level():
        with pytest.raises(RuntimeError, match=r"Tensor is of size \[2\] while the given"):
            fwAD.make_dual(x, torch.tensor([1.0]))
        with pytest.raises(ValueError, match="Expected tangent to be floating point or complex"):
            fwAD.make_dual(x, torch.tensor([1, 2]))
        with pytest.raises(ValueError, match="Expected primal to be floating point or complex"):
            fwAD.make_dual(torch.tensor([1, 2]), torch.tensor([1, 2]))
        with pytest.raises(RuntimeError, match="Invalid level given to _make_dual"):
            fwAD.make_dual(x, x, level=5)
        dual = fwAD.make_dual(x, torch.ones(2))
        with pytest.raises(RuntimeError, match="already has a forward gradient at the same level"):
            fwAD.make_dual(dual, torch.ones(2))


def test_tangent_is_stored_as_given():
    x = torch.tensor([1.0, 2.0])
    t = torch.tensor([1.0, 2.0], dtype=torch.float64)
    with fwAD.dual_level():
        dual = fwAD.make_dual(x, t)
        assert fwAD.unpack_dual(dual).tangent is t


def test_primal_and_dual_share_storage():
    x = torch.tensor([1.0, 2.0])
    with fwAD.dual_level():
        dual = fwAD.make_dual(x, torch.ones(2))
        x.mul_(10)
        assert values(dual).tolist() == [10.0, 20.0]
        assert values(fwAD.unpack_dual(dual).primal).tolist() == [10.0, 20.0]


# --------------------------------------------------------------------------- propagation


def test_chain_of_ops():
    with fwAD.dual_level():
        x = fwAD.make_dual(torch.tensor([0.5, 1.0]), torch.tensor([1.0, 2.0]))
        y = (x.sin() * x + 2 * x.exp()).sum()
        tangent = fwAD.unpack_dual(y).tangent
    xs, ts = np.array([0.5, 1.0]), np.array([1.0, 2.0])
    want = ((np.cos(xs) * xs + np.sin(xs) + 2 * np.exp(xs)) * ts).sum()
    assert tangent.dim() == 0
    np.testing.assert_allclose(tangent.item(), want, rtol=1e-6)


def test_works_under_no_grad_and_keeps_dtype():
    with fwAD.dual_level(), torch.no_grad():
        x = fwAD.make_dual(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 0.0]))
        out = (x @ x) * 3
        tangent = fwAD.unpack_dual(out).tangent
        assert tangent.dtype == torch.float32
        assert tangent.item() == 6.0
        assert not out.requires_grad


def test_integer_results_have_no_tangent():
    with fwAD.dual_level():
        x = fwAD.make_dual(torch.tensor([1.0, 2.0]), torch.ones(2))
        assert fwAD.unpack_dual(x.argmax()).tangent is None
        assert fwAD.unpack_dual(x > 1).tangent is None
        assert fwAD.unpack_dual(x.detach()).tangent is None


def test_constant_operand_broadcasts():
    with fwAD.dual_level():
        x = fwAD.make_dual(torch.tensor([1.0, 2.0]), torch.tensor([1.0, -1.0]))
        y = x * torch.ones(3, 1)
        assert values(fwAD.unpack_dual(y).tangent).tolist() == [[1.0, -1.0]] * 3


def test_two_dual_operands_add_their_contributions():
    with fwAD.dual_level():
        a = fwAD.make_dual(torch.tensor(2.0), torch.tensor(1.0))
        b = fwAD.make_dual(torch.tensor(3.0), torch.tensor(10.0))
        assert fwAD.unpack_dual(a * b).tangent.item() == 3.0 + 20.0


def test_multi_output_op():
    with fwAD.dual_level():
        x = fwAD.make_dual(torch.tensor([3.0, 1.0, 2.0]), torch.tensor([1.0, 2.0, 3.0]))
        result = x.max(0)
        assert fwAD.unpack_dual(result.values).tangent.item() == 1.0
        assert fwAD.unpack_dual(result.indices).tangent is None


def test_tangent_is_differentiable_when_the_primal_requires_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with fwAD.dual_level():
        dual = fwAD.make_dual(x, torch.ones(2))
        tangent = fwAD.unpack_dual((dual**3).sum()).tangent  # 3 * sum(x ** 2)
    (grad,) = torch.autograd.grad(tangent, x)
    assert values(grad).tolist() == [6.0, 12.0]


def test_repr_of_make_dual_on_a_tensor_requiring_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with fwAD.dual_level():
        dual = fwAD.make_dual(x, torch.ones(2))
        assert type(dual.grad_fn).__name__ == "ViewBackward0"
        assert type(fwAD.unpack_dual(dual).primal.grad_fn).__name__ == "Identity"


# --------------------------------------------------------------------------- views, in place


def test_inplace_on_a_dual_updates_its_tangent_in_place():
    x = torch.tensor([1.0, 2.0])
    t = torch.tensor([1.0, 0.0])
    with fwAD.dual_level():
        dual = fwAD.make_dual(x, t)
        dual.mul_(2)
        assert values(fwAD.unpack_dual(dual).tangent).tolist() == [2.0, 0.0]
        assert values(t).tolist() == [2.0, 0.0]  # torch writes into the given tangent too


def test_slicing_a_dual_gives_a_view_of_the_tangent():
    with fwAD.dual_level():
        dual = fwAD.make_dual(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 5.0]))
        first = dual[0]
        assert fwAD.unpack_dual(first).tangent.item() == 1.0
        first.mul_(3)  # writes through the view: primal and tangent of the base change
        assert values(dual).tolist() == [3.0, 2.0]
        assert values(fwAD.unpack_dual(dual).tangent).tolist() == [3.0, 5.0]


def test_transpose_and_reshape_views():
    with fwAD.dual_level():
        dual = fwAD.make_dual(torch.arange(6.0).reshape(2, 3), torch.arange(6.0).reshape(2, 3))
        t = fwAD.unpack_dual(dual.t()).tangent
        assert values(t).tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
        r = fwAD.unpack_dual(dual.reshape(3, 2)[1]).tangent
        assert values(r).tolist() == [2.0, 3.0]


def test_inplace_with_a_dual_operand_gives_a_plain_tensor_a_tangent():
    with fwAD.dual_level():
        y = torch.zeros(2)
        y.add_(fwAD.make_dual(torch.ones(2), torch.tensor([4.0, 5.0])))
        assert values(fwAD.unpack_dual(y).tangent).tolist() == [4.0, 5.0]


def test_fill_copy_and_setitem():
    with fwAD.dual_level():
        dual = fwAD.make_dual(torch.ones(3), torch.tensor([1.0, 2.0, 3.0]))
        dual[1] = 7.0
        assert values(fwAD.unpack_dual(dual).tangent).tolist() == [1.0, 0.0, 3.0]
        dual.copy_(fwAD.make_dual(torch.zeros(3), torch.full((3,), 9.0)))
        assert values(fwAD.unpack_dual(dual).tangent).tolist() == [9.0, 9.0, 9.0]
        dual.zero_()
        assert values(fwAD.unpack_dual(dual).tangent).tolist() == [0.0, 0.0, 0.0]


# --------------------------------------------------------------------------- custom Function


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.save_for_forward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x**2

    @staticmethod
    def jvp(ctx, tangent):
        (x,) = ctx.saved_tensors
        return tangent * 3 * x**2


def test_custom_function_jvp():
    with fwAD.dual_level():
        x = fwAD.make_dual(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0]))
        out = Cube.apply(x)
        assert values(out).tolist() == [1.0, 8.0]
        assert values(fwAD.unpack_dual(out).tangent).tolist() == [3.0, 12.0]


def test_custom_function_without_jvp_raises():
    class NoJvp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    with fwAD.dual_level():
        x = fwAD.make_dual(torch.tensor([1.0]), torch.tensor([1.0]))
        with pytest.raises(NotImplementedError, match="jvp"):
            NoJvp.apply(x)


# --------------------------------------------------------------------------- against torch


def _program(lib):
    fw = lib.autograd.forward_ad
    x = lib.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], dtype=lib.float64)
    t = lib.tensor([[1.0, 2.0, -1.0], [0.5, 0.0, 3.0]], dtype=lib.float64)
    results = []
    with fw.dual_level():
        d = fw.make_dual(x, t)
        outs = [
            d.tanh() @ d.t(),
            d.exp() / d.exp().sum(-1, keepdim=True),
            (d * d).sum().sqrt(),
            (d[:, 1:] ** 2).cumsum(1),
            lib.where(d > 0, d, d * 0.1).logsumexp(0),
            lib.nn.functional.relu(d).mean(0),
        ]
        for out in outs:
            primal, tangent = fw.unpack_dual(out)
            results.append((primal.detach().numpy().copy(), tangent.detach().numpy().copy()))
        d.mul_(2)
        results.append(tuple(v.detach().numpy().copy() for v in fw.unpack_dual(d)))
    return results


def test_program_matches_torch():
    real = pytest.importorskip("torch")
    for (p, t), (rp, rt) in zip(_program(torch), _program(real)):
        np.testing.assert_allclose(p, rp, rtol=1e-10)
        np.testing.assert_allclose(t, rt, rtol=1e-10, atol=1e-12)


# --------------------------------------------------------------------------- functional, gradcheck


def _jacobian_program(lib):
    functional = lib.autograd.functional
    x = lib.tensor([1.0, 2.0], dtype=lib.float64)
    y = lib.tensor([3.0], dtype=lib.float64)
    return [
        functional.jacobian(lambda a: a.softmax(0) * 3, x, strategy="forward-mode", vectorize=True),
        functional.jacobian(
            lambda a, b: (a * b, a.sum()), (x, y), strategy="forward-mode", vectorize=True
        ),
        functional.jacobian(lambda a: (a.exp(), a), x, strategy="forward-mode", vectorize=True),
        functional.hessian(
            lambda a: (a**3).sum() + a.softmax(0)[0],
            x,
            outer_jacobian_strategy="forward-mode",
            vectorize=True,
        ),
        functional.hessian(
            lambda a, b: (a**2 * b).sum(),
            (x, y),
            outer_jacobian_strategy="forward-mode",
            vectorize=True,
        ),
    ]


def _flatten(value):
    if isinstance(value, (tuple, list)):
        return [type(value).__name__] + [item for part in value for item in _flatten(part)]
    return [value]


def test_forward_mode_jacobian_equals_reverse_mode():
    functional = torch.autograd.functional
    x = torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64)

    def f(a):
        return (a.sin() * a.cumsum(0), a.norm())

    forward = functional.jacobian(f, x, strategy="forward-mode", vectorize=True)
    reverse = functional.jacobian(f, x)
    for a, b in zip(forward, reverse):
        np.testing.assert_allclose(values(a), values(b), rtol=1e-12)
    h_fwd = functional.hessian(lambda a: a.exp().prod(), x, outer_jacobian_strategy="forward-mode",
                               vectorize=True)  # fmt: skip
    np.testing.assert_allclose(
        values(h_fwd), values(functional.hessian(lambda a: a.exp().prod(), x))
    )


def test_forward_mode_argument_checks():
    functional = torch.autograd.functional
    x = torch.ones(2)
    with pytest.raises(NotImplementedError, match="only implemented for `vectorize=True`"):
        functional.jacobian(lambda a: a, x, strategy="forward-mode")
    with pytest.raises(NotImplementedError, match="`create_graph=True` and `strategy="):
        functional.jacobian(lambda a: a, x, strategy="forward-mode", vectorize=True,
                            create_graph=True)  # fmt: skip
    with pytest.raises(NotImplementedError, match="only implemented for `vectorize=True`"):
        functional.hessian(lambda a: a.sum(), x, outer_jacobian_strategy="forward-mode")


def test_forward_mode_jacobian_matches_torch():
    real = pytest.importorskip("torch")
    ours, theirs = _flatten(_jacobian_program(torch)), _flatten(_jacobian_program(real))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        if isinstance(a, str):
            assert a == b  # the same list/tuple nesting as torch
        else:
            np.testing.assert_allclose(values(a), b.detach().numpy(), rtol=1e-12)


class WrongJvp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2

    @staticmethod
    def jvp(ctx, t):
        return t * 3


def test_gradcheck_checks_forward_ad():
    x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    check = torch.autograd.gradcheck
    assert check(lambda a: (a.sin() * a).cumsum(0), (x,), check_forward_ad=True)
    assert check(lambda a: a.softmax(0), (x,), check_forward_ad=True, check_backward_ad=False)
    assert check(WrongJvp.apply, (x,))  # backward alone is right
    assert not check(WrongJvp.apply, (x,), check_forward_ad=True, raise_exception=False)
    with pytest.raises(torch.autograd.GradcheckError, match="computed with forward mode mismatch"):
        check(WrongJvp.apply, (x,), check_forward_ad=True)


def test_repr_shows_the_tangent_as_torch_prints_it():
    with fwAD.dual_level():
        x = fwAD.make_dual(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 0.0]))
        assert repr(x) == "tensor([1., 2.], tangent=tensor([1., 0.]))"
        assert repr(x.sum()) == "tensor(3., tangent=1.0)"
        wide = fwAD.make_dual(torch.ones(2, 3, dtype=torch.float64), torch.ones(2, 3).double())
        assert repr(wide) == (
            "tensor([[1., 1., 1.],\n        [1., 1., 1.]], dtype=torch.float64,\n"
            "       tangent=tensor([[1., 1., 1.],\n        [1., 1., 1.]], dtype=torch.float64))"
        )
        leaf = torch.tensor([1.0, 2.0], requires_grad=True)
        assert repr(fwAD.make_dual(leaf, torch.ones(2)).sum()) == (
            "tensor(3., grad_fn=<SumBackward0>, tangent=2.0)"
        )
    assert repr(x) == "tensor([1., 2.])"


def test_plain_duals_get_tangents_from_ops_that_save_by_requires_grad():
    # softmax, std, norm, cumprod, addcmul, ... used to skip saving when nothing required grad
    x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    t = torch.tensor([1.0, 0.5, -0.25], dtype=torch.float64)
    with fwAD.dual_level():
        d = fwAD.make_dual(x, t)
        outs = [d.softmax(0), d.std(), torch.linalg.vector_norm(d), d.cumprod(0),
                torch.addcmul(d, d, d)]  # fmt: skip
        tangents = [fwAD.unpack_dual(o).tangent for o in outs]
    for f, tangent in zip(
        [lambda v: v.softmax(0), lambda v: v.std(), torch.linalg.vector_norm,
         lambda v: v.cumprod(0), lambda v: torch.addcmul(v, v, v)],
        tangents,
    ):  # fmt: skip
        _, expected = torch.func.jvp(f, (x,), (t,))
        assert tangent is not None and torch.allclose(tangent, expected)
