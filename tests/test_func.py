"""chainrule.func: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian, vmap,
functional_call -- values, output structures, nesting and errors.

Values are checked against closed forms; where torch is installed the same programs run on
torch.func and must give the same results and errors.
"""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as torch
from chainrule.func import (
    functional_call,
    grad,
    grad_and_value,
    hessian,
    jacfwd,
    jacrev,
    jvp,
    vjp,
    vmap,
)


def arr(t):
    return t.detach().numpy()


def cubic_sum(x):
    return (x**3).sum()


X = [1.0, 2.0, -0.5]


# --------------------------------------------------------------------------- grad


def test_grad_and_nested_grad():
    x = torch.tensor(X)
    np.testing.assert_allclose(arr(grad(cubic_sum)(x)), 3 * np.array(X) ** 2)
    second = grad(grad(lambda t: t**3))(torch.tensor(2.0))
    assert second.item() == 12.0
    assert not second.requires_grad


def test_grad_argnums_and_pytrees():
    def f(a, b):
        return (a["w"] * b[0]).sum() + b[1].sum()

    a = {"w": torch.tensor([1.0, 2.0])}
    b = (torch.tensor([3.0, 4.0]), torch.tensor([5.0]))
    ga = grad(f)(a, b)
    assert set(ga) == {"w"} and arr(ga["w"]).tolist() == [3.0, 4.0]
    ga, gb = grad(f, argnums=(0, 1))(a, b)
    assert arr(gb[0]).tolist() == [1.0, 2.0] and arr(gb[1]).tolist() == [1.0]
    # an unused input gets zeros, as torch.func does
    zero = grad(lambda x, y: x.sum(), argnums=1)(torch.ones(2), torch.ones(3))
    assert arr(zero).tolist() == [0.0, 0.0, 0.0]


def test_grad_has_aux_and_grad_and_value():
    def f(x):
        return (x**2).sum(), {"double": x * 2}

    g, aux = grad(f, has_aux=True)(torch.tensor([1.0, 2.0]))
    assert arr(g).tolist() == [2.0, 4.0] and arr(aux["double"]).tolist() == [2.0, 4.0]
    g, value = grad_and_value(cubic_sum)(torch.tensor([1.0, 2.0]))
    assert value.item() == 9.0 and arr(g).tolist() == [3.0, 12.0]
    g, (value, aux) = grad_and_value(f, has_aux=True)(torch.tensor([1.0]))
    assert value.item() == 1.0 and arr(aux["double"]).tolist() == [2.0]


def test_grad_keeps_the_graph_for_outer_autograd():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    g = grad(cubic_sum)(x)  # 3 x^2: differentiable w.r.t. x
    g.sum().backward()
    assert arr(x.grad).tolist() == [6.0, 12.0]


GRAD_ERRORS = [
    (lambda: grad(lambda x: x * 2)(torch.ones(2)), RuntimeError, "Expected f(*args) to return a scalar Tensor, got tensor with 1 dims"),
    (lambda: grad(lambda x: 3.0)(torch.ones(2)), RuntimeError, "Expected f(*args) to return a Tensor, got <class 'float'>"),
    (lambda: grad(lambda x: x.sum(), has_aux=True)(torch.ones(2)), RuntimeError, "should be a tuple: (output, aux) if has_aux is True"),
    (lambda: grad(lambda x: x.sum(), argnums=2)(torch.ones(2)), RuntimeError, "Got argnum=2, but only 1 positional inputs"),
    (lambda: grad(lambda x, y: x.sum(), argnums=(0, 0))(torch.ones(2), torch.ones(2)), RuntimeError, "argnums elements must be unique, got (0, 0)"),
    (lambda: grad(lambda x: x.sum())(torch.tensor(1)), RuntimeError, "only Tensors of floating point dtype can require gradients"),
]  # fmt: skip


@pytest.mark.parametrize("call,kind,message", GRAD_ERRORS)
def test_grad_errors(call, kind, message):
    with pytest.raises(kind) as info:
        call()
    assert message in str(info.value)


# --------------------------------------------------------------------------- vjp, jvp


def test_vjp():
    x = torch.tensor([0.0, 1.0])
    out, vjp_fn = vjp(torch.sin, x)
    (g,) = vjp_fn(torch.ones(2))
    np.testing.assert_allclose(arr(g), np.cos([0.0, 1.0]), rtol=1e-6)
    out, vjp_fn = vjp(lambda a, b: {"p": a * b, "s": a + b}, x, torch.tensor([2.0, 3.0]))
    ga, gb = vjp_fn({"p": torch.ones(2), "s": torch.ones(2)})
    assert arr(ga).tolist() == [3.0, 4.0] and arr(gb).tolist() == [1.0, 2.0]
    out, vjp_fn, aux = vjp(lambda a: (a * 2, a.sum()), x, has_aux=True)
    assert aux.item() == 1.0 and arr(vjp_fn(torch.ones(2))[0]).tolist() == [2.0, 2.0]


def test_vjp_errors():
    _, vjp_fn = vjp(lambda x: x * 2, torch.ones(2))
    with pytest.raises(RuntimeError, match=r"grad_output\[0\] has a shape of torch.Size\(\[3\]\)"):
        vjp_fn(torch.ones(3))
    _, vjp_fn = vjp(lambda x: (x * 2, x), torch.ones(2))
    with pytest.raises(RuntimeError, match="cotangents: \\*, primal output: "):
        vjp_fn(torch.ones(2))


def test_jvp():
    out, tangent = jvp(torch.sin, (torch.tensor([0.0, 1.0]),), (torch.tensor([2.0, 1.0]),))
    np.testing.assert_allclose(arr(tangent), [2.0, np.cos(1.0)], rtol=1e-6)
    out, tangent, aux = jvp(
        lambda x: (x**2, x + 1), (torch.tensor(3.0),), (torch.tensor(1.0),), has_aux=True
    )
    assert (out.item(), tangent.item(), aux.item()) == (9.0, 6.0, 4.0)
    # softmax returns early when nothing requires grad: jvp still derives its tangent
    _, tangent = jvp(lambda x: x.softmax(0), (torch.tensor([1.0, 2.0]),), (torch.ones(2),))
    np.testing.assert_allclose(arr(tangent), [0.0, 0.0], atol=1e-7)


def test_jvp_errors():
    x = torch.ones(2)
    with pytest.raises(RuntimeError, match="Expected primals to be a tuple"):
        jvp(torch.sin, x, (x,))
    with pytest.raises(RuntimeError, match="Expected primals and tangents to have the same"):
        jvp(torch.sin, (x,), (x, x))
    with pytest.raises(RuntimeError, match="Tensor is of size \\[2\\] while the given forward"):
        jvp(torch.sin, (x,), (torch.ones(3),))


# --------------------------------------------------------------------------- jacobians


def _poly(x, y):
    return {"a": x * y.sum(), "b": (x**2).sum()}


@pytest.mark.parametrize("transform", [jacrev, jacfwd])
def test_jacobian_structures(transform):
    x, y = torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0, 5.0])
    jac = transform(_poly)(x, y)
    assert set(jac) == {"a", "b"}
    assert tuple(jac["a"].shape) == (2, 2) and tuple(jac["b"].shape) == (2,)
    np.testing.assert_allclose(arr(jac["a"]), 12.0 * np.eye(2))
    np.testing.assert_allclose(arr(jac["b"]), [2.0, 4.0])
    both = transform(_poly, argnums=(0, 1))(x, y)
    assert isinstance(both["a"], tuple) and tuple(both["a"][1].shape) == (2, 3)
    np.testing.assert_allclose(arr(both["a"][1]), [[1.0] * 3, [2.0] * 3])
    jac, aux = transform(lambda t: (t.exp(), t.sum()), has_aux=True)(x)
    np.testing.assert_allclose(arr(jac), np.diag(np.exp([1.0, 2.0])), rtol=1e-6)
    assert aux.item() == 3.0


def test_jacrev_is_one_batched_backward(monkeypatch):
    from chainrule import autograd

    calls = []
    original = autograd.grad

    def counting(*args, **kwargs):
        calls.append(kwargs.get("is_grads_batched"))
        return original(*args, **kwargs)

    monkeypatch.setattr(autograd, "grad", counting)
    jacrev(lambda t: t.sin() * 2)(torch.ones(5))
    assert calls == [True]
    calls.clear()
    jacrev(lambda t: t.sin() * 2, chunk_size=2)(torch.ones(5))
    assert calls == [True, True, True]


def test_hessian_and_mixed_nesting():
    x = torch.tensor([1.0, 2.0], dtype=torch.float64)

    def f(t):
        return t.softmax(0).pow(2).sum() + (t**3).sum()

    want = arr(jacrev(jacrev(f))(x))
    for h in (hessian(f), jacfwd(jacfwd(f)), jacrev(jacfwd(f)), jacfwd(jacrev(f))):
        np.testing.assert_allclose(arr(h(x)), want, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(arr(hessian(cubic_sum)(x)), np.diag([6.0, 12.0]))
    # hessian-vector product: forward over reverse
    _, hvp = jvp(grad(cubic_sum), (x,), (torch.tensor([1.0, 0.0], dtype=torch.float64),))
    assert arr(hvp).tolist() == [6.0, 0.0]


# --------------------------------------------------------------------------- vmap


def test_vmap_basics():
    a, b = torch.arange(6.0).reshape(3, 2), torch.ones(3, 2)
    assert arr(vmap(torch.dot)(a, b)).tolist() == [1.0, 5.0, 9.0]
    out = vmap(lambda x, y: x * y, in_dims=(1, None))(a, torch.tensor(2.0))
    assert arr(out).tolist() == [[0.0, 4.0, 8.0], [2.0, 6.0, 10.0]]
    out = vmap(lambda x: x * 2, out_dims=1)(a)
    assert tuple(out.shape) == (2, 3)
    nested = vmap(vmap(lambda x: x**2))(a)
    assert arr(nested).tolist() == (arr(a) ** 2).tolist()
    empty = vmap(lambda x: x.sum())(torch.ones(0, 3))
    assert tuple(empty.shape) == (0,)


def test_vmap_pytrees_and_chunks():
    tree = {"x": torch.ones(4, 2), "y": (torch.arange(4.0), [torch.zeros(4)])}
    out = vmap(lambda t: {"s": t["x"].sum() + t["y"][0], "z": (t["y"][1][0],)})(tree)
    assert arr(out["s"]).tolist() == [2.0, 3.0, 4.0, 5.0] and tuple(out["z"][0].shape) == (4,)
    out = vmap(lambda t: t * 3, chunk_size=3)(torch.arange(4.0))
    assert arr(out).tolist() == [0.0, 3.0, 6.0, 9.0]


def test_vmap_of_grad_and_grad_of_vmap():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert arr(vmap(grad(cubic_sum))(x)).tolist() == (3 * arr(x) ** 2).tolist()
    g = grad(lambda t: vmap(lambda row: row.prod())(t).sum())(x)
    assert arr(g).tolist() == [[2.0, 1.0], [4.0, 3.0]]
    jac = vmap(jacrev(torch.sin))(x)
    assert tuple(jac.shape) == (2, 2, 2)


def test_vmap_randomness():
    with pytest.raises(RuntimeError, match="called random operation while in randomness error"):
        vmap(lambda x: x + torch.rand(2))(torch.ones(3, 2))
    same = vmap(lambda x: x + torch.rand(2), randomness="same")(torch.zeros(3, 2))
    assert np.all(arr(same) == arr(same)[0])
    different = vmap(lambda x: x + torch.rand(2), randomness="different")(torch.zeros(3, 2))
    assert not np.all(arr(different) == arr(different)[0])
    torch.rand(1)  # the generator still works after the error


VMAP_ERRORS = [
    (lambda: vmap(lambda a, b: a + b)(torch.ones(2, 3), torch.ones(3, 3)), ValueError, "vmap: Expected all tensors to have the same size in the mapped dimension, got sizes [2, 3] for the mapped dimension"),
    (lambda: vmap(lambda a: a, in_dims=(None,))(torch.ones(2, 3)), ValueError, "vmap: Expected at least one Tensor to vmap over"),
    (lambda: vmap(lambda a: 3.0)(torch.ones(2, 3)), ValueError, "`<lambda>` must only return Tensors, got type <class 'float'>"),
    (lambda: vmap(lambda a: a, in_dims=(0, 1))(torch.ones(2, 3)), ValueError, "in_dims is not compatible with the structure of `inputs`"),
    (lambda: vmap(lambda a: a, in_dims=2)(torch.ones(2, 3)), ValueError, "Got in_dim=2 for some input, but that input is a Tensor of dimensionality 2 so expected in_dim to satisfy -2 <= in_dim < 2."),
    (lambda: vmap(lambda a: a, out_dims=(0, 1))(torch.ones(2, 3)), ValueError, "out_dims is not compatible with the structure of `outputs`"),
    (lambda: vmap(lambda a: a, in_dims=0.5)(torch.ones(2, 3)), ValueError, "expected `in_dims` to be int or a (potentially nested) tuple matching the structure of inputs, got: <class 'float'>."),
    (lambda: vmap(lambda a: a)(3.0), ValueError, "Got in_dim=0 for an input but the input is of type <class 'float'>"),
]  # fmt: skip


@pytest.mark.parametrize("call,kind,message", VMAP_ERRORS)
def test_vmap_errors(call, kind, message):
    with pytest.raises(kind) as info:
        call()
    assert message in str(info.value)


# --------------------------------------------------------------------------- functional_call


def test_functional_call_swaps_and_restores():
    lin = torch.nn.Linear(1, 1)
    weight = lin.weight
    params = {"weight": torch.tensor([[2.0]]), "bias": torch.tensor([1.0])}
    out = functional_call(lin, params, (torch.tensor([[3.0]]),))
    assert out.item() == 7.0
    assert lin.weight is weight
    g = grad(lambda p: functional_call(lin, p, torch.tensor([[3.0]])).sum())(params)
    assert arr(g["weight"]).tolist() == [[3.0]] and arr(g["bias"]).tolist() == [1.0]
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1))
    names = [name for name, _ in model.named_parameters()]
    zeros = {name: torch.zeros_like(p) for name, p in model.named_parameters()}
    assert functional_call(model, zeros, (torch.ones(3, 2),)).abs().sum().item() == 0.0
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"]
    with pytest.raises(ValueError, match="appeared in multiple dictionaries"):
        functional_call(lin, (params, {"bias": torch.zeros(1)}), (torch.ones(1, 1),))


# --------------------------------------------------------------------------- against torch


def _programs(lib):
    f = lib.func
    x = lib.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], dtype=lib.float64)
    v = lib.tensor([1.0, -2.0, 0.5], dtype=lib.float64)

    def loss(w, row):
        return (lib.tanh(row * w).sum() + (w**2).sum()).sin()

    return [
        f.grad(loss)(v, x[0]),
        f.vmap(f.grad(loss), in_dims=(None, 0))(v, x),
        f.jacrev(lambda t: t.softmax(-1))(x[1]),
        f.jacfwd(lambda t: t.exp() @ x.t())(v),
        f.hessian(loss)(v, x[1]),
        f.jvp(lambda t: lib.tanh(t).cumsum(0), (v,), (x[0],))[1],
        f.vjp(lambda t: t.log_softmax(0), v)[1](x[1])[0],
        f.vmap(lambda row: row.max(), out_dims=0)(x),
    ]


def test_programs_match_torch_func():
    real = pytest.importorskip("torch")
    for ours, theirs in zip(_programs(torch), _programs(real)):
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_allclose(arr(ours), theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("index", range(len(GRAD_ERRORS + VMAP_ERRORS)))
def test_errors_match_torch_func(index):
    real = pytest.importorskip("torch")
    import torch.func as real_func  # noqa: F401 (torch.func attribute)

    _, kind, message = (GRAD_ERRORS + VMAP_ERRORS)[index]
    source = (GRAD_ERRORS + VMAP_ERRORS)[index][0]
    globals_ = dict(source.__globals__, torch=real, grad=real.func.grad, vmap=real.func.vmap)
    call = type(source)(source.__code__, globals_)
    with pytest.raises(kind) as info:
        call()
    assert message in str(info.value)
