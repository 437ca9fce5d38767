"""explain(): the backward table, checked against chain rules worked out by hand."""

import math
import warnings

import pytest

import chainrule as torch
from chainrule.explain import Explanation, backward_steps


def edges_of(table):
    """{(node label, input label): (local, passed on)} as floats (scalars only)."""
    out = {}
    for step in table.steps:
        for label, local, product in step.edges:
            out[(step.label, label)] = (
                None if local is None else local.item(),
                product.item() if product.numel() == 1 else product.tolist(),
            )
    return out


def test_example_1_of_the_chapter_chain_rule_by_hand():
    # f = (x1 + 2 x2^3)^2 at (1, 2): a = x1 + 2 x2^3 = 17, df/da = 2a = 34,
    # da/dx1 = 1, da/d(2 x2^3) = 1, d(2 b)/db = 2, d(x2^3)/dx2 = 3 x2^2 = 12.
    x1 = torch.tensor(1.0, requires_grad=True)
    x2 = torch.tensor(2.0, requires_grad=True)
    a = x1 + 2 * x2**3
    f = a**2
    table = torch.explain(f, names={"x1": x1, "x2": x2, "a": a, "f": f})
    assert [s.node_name for s in table.steps] == [
        "PowBackward0",
        "AddBackward0",
        "torch::autograd::AccumulateGrad",
        "MulBackward0",
        "PowBackward0",
        "torch::autograd::AccumulateGrad",
    ]
    edges = edges_of(table)
    assert edges[("f", "a")] == (34.0, 34.0)
    assert edges[("a", "x1")] == (1.0, 34.0)
    assert edges[("a", "mul")] == (1.0, 34.0)
    assert edges[("mul", "pow")] == (2.0, 68.0)
    assert edges[("pow", "x2")] == (12.0, 816.0)
    assert [(n, g.item()) for n, g in table.gradients] == [("x1", 34.0), ("x2", 816.0)]


def test_the_table_matches_what_backward_computes_and_changes_nothing():
    x = torch.tensor(1.0, requires_grad=True)
    z = torch.exp(2 * x**3 + x)
    table = torch.explain(z, names={"x": x})
    assert x.grad is None  # explain does not accumulate
    # dz/dx = exp(y) * (6x^2 + 1) at x = 1: e^3 * 7, split as e^3 (via x) + e^3 * 2 * 3
    edges = edges_of(table)
    assert edges[("exp", "add")][0] == pytest.approx(math.exp(3), rel=1e-6)
    assert edges[("pow", "x")] == (3.0, pytest.approx(6 * math.exp(3), rel=1e-6))
    z.backward()  # the graph's saved values were kept
    assert table.gradients[0][1].item() == pytest.approx(x.grad.item())
    assert str(table.gradients[0][1]) == "tensor(140.5988)"


def test_partial_derivatives_example():
    u = torch.tensor(2.0, requires_grad=True)
    v = torch.tensor(1.0, requires_grad=True)
    table = torch.explain(u * v + (u * v) ** 2, names={"u": u, "v": v})
    assert [(n, g.item()) for n, g in table.gradients] == [("u", 5.0), ("v", 10.0)]


def test_vector_leaf_select_nodes_show_their_local_derivative():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    f = (x[0] + 2 * x[1] ** 3) ** 2
    table = torch.explain(f, names={"x": x})
    selects = [s for s in table.steps if s.node_name == "SelectBackward0"]
    locals_ = sorted(s.edges[0][1].tolist() for s in selects)
    assert locals_ == [[0.0, 1.0], [1.0, 0.0]]
    assert table.gradients[0][1].tolist() == [34.0, 816.0]


def test_the_printed_table_and_html():
    x1 = torch.tensor(1.0, requires_grad=True)
    x2 = torch.tensor(2.0, requires_grad=True)
    table = torch.explain((x1 + 2 * x2**3) ** 2, names={"x1": x1, "x2": x2})
    text = str(table)
    assert "local derivative" in text and "passed on" in text
    assert text.rstrip().endswith("x1.grad = tensor(34.)\n  x2.grad = tensor(816.)")
    assert "PowBackward0" in text and "pow#1" in text and "pow#2" in text
    html = table._repr_html_()
    assert html.count("<tr>") == 1 + len(table.rows())
    assert "x2.grad = tensor(816.)" in html
    data = table.to_dict()
    assert data["gradients"] == {"x1": 34.0, "x2": 816.0}


def test_non_scalar_nodes_have_no_local_column_but_correct_products():
    w = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    out = torch.tanh(w @ torch.tensor([0.1, 0.2])).sum()
    table = torch.explain(out)
    out.backward()
    assert torch.allclose(table.gradients[0][1], w.grad)
    tanh = next(s for s in table.steps if s.node_name == "TanhBackward0")
    assert tanh.edges[0][1] is None


def test_explain_needs_the_saved_values_and_a_graph():
    x = torch.tensor(1.0, requires_grad=True)
    y = torch.exp(x)
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        torch.explain(y)
    with pytest.raises(RuntimeError, match="does not require grad"):
        torch.explain(torch.tensor(1.0))
    with pytest.raises(TypeError):
        backward_steps(1.0)


def test_shared_subexpressions_sum_their_gradients_and_run_after_all_uses():
    t = torch.tensor([1.0], requires_grad=True)
    g = [torch.sin(t), torch.cos(t)]
    f = g[0] ** 2 + 2 * g[1]
    table = torch.explain(f, names={"t": t})
    expected = 2 * math.sin(1) * math.cos(1) - 2 * math.sin(1)
    assert table.gradients[0][1].item() == pytest.approx(expected, rel=1e-5)
    assert table.steps[-1].is_leaf


def test_explain_is_callable_as_module_and_function():
    import chainrule.explain as module

    x = torch.tensor(2.0, requires_grad=True)
    assert isinstance(module(x**2), Explanation)
    assert isinstance(torch.explain(x**2), Explanation)
    assert isinstance(module.explain(x**2), Explanation)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        repr(torch.explain(x * 3))
