"""First derivatives at special inputs (signed zeros, infinities, nan, ties, kinks) agree
with torch's: values, nan positions and the sign of every zero.

``tests/golden/edge_gradients.json`` holds what torch 2.13 gives (``tools/gen_edge_golden.py``
made it; ``tests/edge_audit.py`` says how). The test replays every case with chainrule (no
torch needed); the live variant reruns torch. The cases still known to differ are listed in
``tests/golden/edge_gradients_known.txt`` and run as strict xfails, with the reason of their
op below: fixing one fails its mark until the line is removed.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import edge_audit
import pytest

import chainrule

HERE = Path(__file__).parent
GOLDEN = json.loads((HERE / "golden" / "edge_gradients.json").read_text())["cases"]
KNOWN = set((HERE / "golden" / "edge_gradients_known.txt").read_text().split("\n")) - {""}

_LINALG = "decompositions of non-finite matrices: LAPACK refuses or gives other nans than torch"
_BLAS_ZERO = "the sign of a zero summed by BLAS (torch's kernels add in another order)"
REASONS = {
    "linalg": _LINALG,
    "svd": _LINALG,
    "qr": _LINALG,
    "det": _LINALG,
    "slogdet": _LINALG,
    "logdet": _LINALG,
    "cholesky": _LINALG,
    "cholesky_inverse": _LINALG,
    "pinverse": _LINALG,
    "matrix_exp": _LINALG,
    "matrix_power": _LINALG,
    "chain_matmul": _BLAS_ZERO,
    "matmul": _BLAS_ZERO,
    "inner": _BLAS_ZERO,
    "tensordot": _BLAS_ZERO,
    "addmv": _BLAS_ZERO,
    "nn.functional.layer_norm": _BLAS_ZERO,
    "nn.functional.group_norm": _BLAS_ZERO,
    "nn.functional.batch_norm": _BLAS_ZERO,
    "norm": "p-norms of all-zero vectors: the sign of zero gradients",
    "dist": "the sign of zero gradients at equal points",
    "cdist": "signed zeros and nan with infinite entries",
}


def _reason(case_id):
    op = case_id.split("/")[0]
    return REASONS.get(op) or REASONS.get(op.split(".")[0])


CASES = list(edge_audit.cases())


def _params():
    params = []
    for case_id, run in CASES:
        marks = []
        if case_id in KNOWN:
            marks.append(pytest.mark.xfail(reason=_reason(case_id), strict=True))
        params.append(pytest.param(case_id, run, marks=marks, id=case_id))
    return params


PARAMS = _params()


def test_golden_file_covers_every_case():
    ids = {case_id for case_id, _ in CASES}
    assert not ids - set(GOLDEN), "cases missing from the golden file: rerun the tool"
    assert len(ids) > 7000
    assert KNOWN <= ids, f"known cases that are gone: {sorted(KNOWN - ids)[:5]}"
    assert all(_reason(case_id) for case_id in KNOWN), "a known case without a reason"


@pytest.mark.parametrize("case_id,run", PARAMS)
def test_gradient_at_special_inputs(case_id, run):
    why = edge_audit.compare(run(chainrule), GOLDEN[case_id])
    assert why is None, f"{case_id}: {why}"


@pytest.mark.parametrize("case_id,run", PARAMS)
def test_gradient_at_special_inputs_live(case_id, run):
    torch = pytest.importorskip("torch")
    want = run(torch)
    assert edge_audit.compare(want, GOLDEN[case_id]) is None, f"{case_id}: stale golden file"
    why = edge_audit.compare(run(chainrule), want)
    assert why is None, f"{case_id}: {why}"


def test_the_comparison_sees_signed_zeros_and_nans():
    assert edge_audit.same_values([0.0, math.nan, -math.inf], [0.0, math.nan, -math.inf]) is None
    assert "sign of a zero" in edge_audit.same_values([-0.0], [0.0])
    assert "nan" in edge_audit.same_values([math.nan, 1.0], [1.0, math.nan])
    assert "infinities" in edge_audit.same_values([math.inf], [-math.inf])
    assert "values" in edge_audit.same_values([1.0], [1.0 + 1e-3])


# --------------------------------------------------------------------------- the reported cases


def _grads(f, *values):
    leaves = [chainrule.tensor(v, dtype=chainrule.float64, requires_grad=True) for v in values]
    f(*leaves).sum().backward()
    return [leaf.grad.tolist() for leaf in leaves]


def _signs(values):
    return [math.copysign(1.0, v) for v in values]


def test_atan2_at_the_origin_is_flat():
    """atan2(0, 0) gave nan gradients (torch: 0)."""
    gy, gx = _grads(chainrule.atan2, [0.0, -0.0, 1.0], [0.0, 0.0, 1.0])
    assert gy == [0.0, 0.0, 0.5] and gx == [0.0, 0.0, -0.5]


def test_every_target_ignored_gives_plus_zero_gradients():
    """Every nll_loss / cross_entropy target ignored: +0 gradients (no nan, no -0)."""
    x = chainrule.tensor([[0.5, -1.0, 2.0], [1.0, 0.0, -3.0]], requires_grad=True)
    loss = chainrule.nn.functional.cross_entropy(x, chainrule.tensor([1, 1]), ignore_index=1)
    assert math.isnan(loss.item())
    (-loss).backward()
    assert x.grad.tolist() == [[0.0] * 3] * 2 and _signs(x.grad.reshape(-1).tolist()) == [1.0] * 6


def test_elu_family_at_nan_takes_the_linear_side():
    """torch's elu kernel tests x <= 0: a nan input gets the linear slope (it was nan)."""
    (g,) = _grads(chainrule.nn.functional.elu, [math.nan, -1.0])
    assert g[0] == 1.0 and g[1] == pytest.approx(math.exp(-1.0))


def test_amax_with_a_nan_gives_nan_gradients_and_signed_zeros():
    (g,) = _grads(lambda x: x.amax() * -1.0, [1.0, math.nan, 0.0])
    assert all(math.isnan(v) for v in g)
    (g,) = _grads(lambda x: x.amax() * -1.0, [1.0, 3.0, -math.inf])
    assert g == [0.0, -1.0, 0.0] and _signs(g) == [-1.0, -1.0, -1.0]


def test_clamp_with_tensor_bounds_as_torch():
    """min == max gives max the gradient; a nan bound gives nan values and no gradient."""
    x, low, high = _grads(
        lambda x, lo, hi: chainrule.clamp(x, lo, hi) * chainrule.tensor([1.0, 2.0, 3.0, 4.0]),
        [-1.0, 0.5, -1.0, 0.5],
        [1.0, 2.0, 0.0, math.nan],
        [1.0, 1.0, 2.0, 2.0],
    )
    assert (x, low, high) == ([0.0] * 4, [0.0, 0.0, 3.0, 0.0], [0.0, 2.0, 0.0, 0.0])
    value = chainrule.clamp(chainrule.tensor([0.5]), chainrule.tensor([math.nan]), None)
    assert math.isnan(value.item())


def test_pow_minus_half_is_rsqrt():
    """torch computes x ** -0.5 as rsqrt (nan at -inf, -inf at -0.), and x ** 0.5's derivative
    through it."""
    out = chainrule.tensor([-math.inf, -0.0, 4.0]) ** -0.5
    assert math.isnan(out[0].item()) and out[1].item() == -math.inf and out[2].item() == 0.5
    (g,) = _grads(lambda x: x**0.5, [-0.0, -math.inf, 4.0])
    assert g[0] == -math.inf and math.isnan(g[1]) and g[2] == 0.25


def test_std_of_equal_values_and_std_mean():
    """std_mean of equal values gave nan gradients (torch: the mean's 1/n)."""
    (g,) = _grads(lambda x: sum(chainrule.std_mean(x)), [2.0, 2.0, 2.0, 2.0])
    assert g == [0.25] * 4


def test_polygamma_at_minus_infinity_ends():
    """digamma's gradient at -inf looped forever (the recurrence never left -inf)."""
    (g,) = _grads(chainrule.digamma, [-math.inf, math.inf, 1.0])
    assert math.isnan(g[0]) and g[1] == 0.0 and g[2] == pytest.approx(math.pi**2 / 6)


def test_inf_norm_with_a_nan_gives_signed_zeros():
    """The inf-norm of a vector with a nan is nan and matches no element: torch gives signed
    zeros (it was 0 / 0 = nan)."""
    (g,) = _grads(lambda x: chainrule.linalg.vector_norm(x, math.inf) * -1.5, [math.nan, 1.0, -0.5])
    assert g == [0.0, 0.0, 0.0] and _signs(g) == [-1.0, -1.0, 1.0]


def test_digamma_gradient_next_to_a_pole_and_far_below_zero():
    """trigamma by reflection below 1/2, as torch: finite next to the poles (it was -inf) and
    no walk of ten million steps up from -1e7."""
    (g,) = _grads(chainrule.digamma, [-2.0, -1e7, -2.5])
    assert g[0] == pytest.approx(1.6451975368302367e32)
    assert g[1] == pytest.approx(3.1242176084864373e19)
    assert g[2] == pytest.approx(9.53924664493752)


def test_p_norm_below_two_is_flat_at_zero_entries():
    """|x|^(p-2) is infinite at 0: the gradient there is 0, not 0 * inf = nan (torch: 0)."""
    (g,) = _grads(lambda x: chainrule.linalg.vector_norm(x, 0.5), [0.0, 1.0, 4.0])
    assert g[0] == 0.0 and g[1] == pytest.approx(3.0) and g[2] == pytest.approx(1.5)


def test_nextafter_gradient_stops_where_the_inputs_are_equal():
    """torch passes the gradient to input only where input != other (+0 where equal, -0. == 0.
    included) and gives other +0 (it was the gradient everywhere, and -0 for other)."""
    gx, gy = _grads(
        lambda x, y: chainrule.nextafter(x, y) * -1.0,
        [0.0, -0.0, 1.0, 2.0, math.inf, math.nan, 1.0],
        [-0.0, 1.0, 1.0, 3.0, math.inf, 1.0, math.nan],
    )
    assert gx == [0.0, -1.0, 0.0, -1.0, 0.0, -1.0, -1.0]
    assert _signs(gx) == [1.0, -1.0, 1.0, -1.0, 1.0, -1.0, -1.0]
    assert gy == [0.0] * 7 and _signs(gy) == [1.0] * 7


def test_mvlgamma_outside_its_domain_as_torch():
    """torch's mvlgamma no longer checks (p - 1) / 2 < x (it raised); the derivative adds x to
    the offsets, so -0. is +0. there (digamma(+0.) = -inf)."""
    x = chainrule.tensor([0.0, -0.0, -2.5], dtype=chainrule.float64, requires_grad=True)
    out = chainrule.mvlgamma(x, 1)
    assert out.tolist()[:2] == [math.inf, math.inf]
    assert out.tolist()[2] == pytest.approx(-0.05624371649767405)
    (g,) = chainrule.autograd.grad(out.sum(), [x])
    assert g.tolist()[:2] == [-math.inf, -math.inf]
    assert chainrule.mvlgamma(chainrule.tensor([0.5, 1.0]), 3).tolist() == [math.inf, math.inf]


def _scatter_reduce_grads(reduce, include_self, x, src, weights):
    x = chainrule.tensor(x, dtype=chainrule.float64, requires_grad=True)
    src = chainrule.tensor(src, dtype=chainrule.float64, requires_grad=True)
    index = chainrule.tensor([0, 0, 1])
    out = x.scatter_reduce(0, index, src, reduce, include_self=include_self)
    weighted = (out * chainrule.tensor(weights, dtype=chainrule.float64)).sum()
    return [repr(v) for g in chainrule.autograd.grad(weighted, [x, src]) for v in g.tolist()]


@pytest.mark.parametrize(
    "reduce, include_self, x, src, weights, want",
    [
        # a nan result matches no contributor: 0 / 0 spreads nan (it was clamped to 0)
        (
            "amax",
            True,
            [math.nan, 1.0, 2.0],
            [0.5, 3.0, 1.0],
            [-1.0, 2.0, -3.0],
            "nan 1.0 -3.0 nan nan 1.0",
        ),
        # the written positions of input are +0. (the mask times a negative gave -0.)
        (
            "amin",
            False,
            [1.0, 1.0, 2.0],
            [1.0, 3.0, 1.0],
            [-1.0, -2.0, -3.0],
            "0.0 0.0 -3.0 -0.5 -0.0 -1.0",
        ),
        (
            "prod",
            False,
            [0.0, -0.0, 2.0],
            [0.0, 3.0, math.inf],
            [-1.0, 2.0, -3.0],
            "0.0 0.0 -3.0 -3.0 -0.0 nan",
        ),
        (
            "prod",
            True,
            [0.0, 4.0, 2.0],
            [-0.0, 3.0, math.nan],
            [-1.0, -2.0, -3.0],
            "0.0 nan -3.0 -0.0 0.0 nan",
        ),
    ],
)
def test_scatter_reduce_extremes_and_prod_as_torch(reduce, include_self, x, src, weights, want):
    """Gradients of input then src, as torch 2.13 gives them."""
    assert _scatter_reduce_grads(reduce, include_self, x, src, weights) == want.split()


def test_scatter_reduce_forward_with_nan_is_silent():
    x = chainrule.tensor([math.nan, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = x.scatter_reduce(0, chainrule.tensor([0, 1]), chainrule.tensor([2.0, 3.0]), "amax")
    assert math.isnan(out[0].item()) and out[1].item() == 3.0


@pytest.mark.parametrize(
    "x, want",
    [
        ([math.inf, -math.inf, 1.0, -2.0], "nan 0.0 0.0 0.0"),
        ([1.0, math.nan, -0.5, 2.0], "nan nan nan nan"),
        ([-math.inf, -math.inf, 0.5, 1.0], "nan nan 0.8775406687981454 0.6224593312018546"),
    ],
)
def test_logcumsumexp_at_infinities_and_nan_as_torch(x, want):
    """torch sums each sign of the gradient in log space with the lowest finite float for the
    missing sign: an infinity or nan spreads to the earlier positions (values from torch)."""
    x = chainrule.tensor(x, dtype=chainrule.float64, requires_grad=True)
    weights = chainrule.tensor([1.0, -2.0, 0.5, 1.0], dtype=chainrule.float64)
    (g,) = chainrule.autograd.grad((x.logcumsumexp(0) * weights).sum(), [x])
    assert [repr(v) for v in g.tolist()] == want.split()


def test_polygamma_of_higher_order_far_below_zero_is_bounded():
    """polygamma(n >= 2) walked up one step at a time from a negative x (from -1e7 it never
    ended): now reflected. Values from torch (far below zero, the true value: torch's own walk
    loses digits there), poles with torch's infinities."""
    x = chainrule.tensor([-20.5, -2.5, -3.3, -0.5, -2.0, -0.0, -1e300], dtype=chainrule.float64)
    two = chainrule.polygamma(2, x).tolist()
    assert two[:4] == pytest.approx(
        [-0.0022662899196392657, -0.1082040516417282, 68.7694454774852, -0.82879664423432]
    )
    assert two[4:] == [-math.inf] * 3
    four = chainrule.polygamma(4, x).tolist()
    assert four[:4] == pytest.approx(
        [-3.079320594400744e-05, -0.06799599950675606, 9738.733062132025, -3.47424982667]
    )
    assert four[4:] == [-math.inf] * 3
    three = chainrule.polygamma(3, chainrule.tensor([-1e7 - 0.5, -2.0], dtype=chainrule.float64))
    assert three.tolist() == [pytest.approx(2 * math.pi**4), math.inf]
    far = chainrule.polygamma(2, chainrule.tensor([-1e7 - 0.5], dtype=chainrule.float64))
    assert far.item() == pytest.approx(-1 / (1e7 + 1.5) ** 2, rel=1e-6)


def test_renorm_passes_the_gradient_of_a_nan_row_through():
    """A row with nan has a nan norm and is left as it is: torch passes its gradient through
    and the other rows stay finite (it was nan everywhere through the norm's derivative)."""
    x = chainrule.tensor(
        [[math.nan, 1.0], [3.0, 4.0], [0.3, 0.4]], dtype=chainrule.float64, requires_grad=True
    )
    w = chainrule.tensor([[1.0, -2.0], [0.5, 1.5], [-1.0, 2.0]], dtype=chainrule.float64)
    (g,) = chainrule.autograd.grad((x.renorm(2, 0, 1.0) * w).sum(), [x])
    want = [[1.0, -2.0], [-0.07999999480000017, 0.060000003599999845], [-1.0, 2.0]]
    assert g.tolist() == [pytest.approx(row) for row in want]


def test_max_pool_takes_the_last_nan_of_a_window():
    """torch's scan takes a value when it is greater or nan: the last nan wins, the first of
    equal maxima (it took the first nan). Indices and gradient routing from torch."""
    n = math.nan
    rows = [[n, 1.0, n, 5.0], [2.0, n, 3.0, 3.0], [0.0, 0.0, 1.0, 1.0], [4.0, 4.0, 1.0, 1.0]]
    x = chainrule.tensor([[rows]], dtype=chainrule.float64, requires_grad=True)
    values, indices = chainrule.nn.functional.max_pool2d(x, 2, return_indices=True)
    assert indices.tolist() == [[[[5, 2], [12, 10]]]]
    (g,) = chainrule.autograd.grad(values.sum(), [x])
    want = [[0.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0]]
    assert g.tolist() == [[want]]
    line = chainrule.tensor([[[[n, 1.0, n, 5.0, n]]]], dtype=chainrule.float64)
    _, overlapping = chainrule.nn.functional.max_pool2d(line, (1, 3), stride=1, return_indices=True)
    assert overlapping.tolist() == [[[[2, 2, 4]]]]


def _tie_rows():
    n = math.nan
    rows = [[1.0, 1.0, -1.0, -1.0], [0.0, -0.0, 0.0, -0.0], [n, 1.0, n, -0.5]]
    longer = [float(v % 3) for v in range(20)] + [n, n]
    return chainrule.tensor(rows, dtype=chainrule.float64), chainrule.tensor(longer)


def test_topk_kthvalue_and_mode_pick_torchs_index_among_ties_and_nan():
    """Indices from torch 2.13: its quickselect (kthvalue), std::nth_element + std::sort
    (topk) and std::sort then a scan (mode) decide which of equal values wins, and the
    gradient goes there (we took the first in a stable order)."""
    rows, longer = _tie_rows()
    assert chainrule.topk(rows, 2).indices.tolist() == [[1, 0], [2, 3], [0, 2]]
    assert chainrule.topk(rows, 2, largest=False).indices.tolist() == [[2, 3], [2, 3], [3, 1]]
    assert chainrule.kthvalue(rows, 2).indices.tolist() == [3, 0, 1]
    assert chainrule.kthvalue(rows, 1).indices.tolist() == [2, 1, 3]
    modes = chainrule.mode(rows)
    assert modes.indices.tolist() == [3, 3, 0]
    assert [repr(v) for v in modes.values.tolist()] == ["-1.0", "-0.0", "nan"]
    assert chainrule.mode(longer).indices.item() == 4
    assert chainrule.topk(longer, 5).indices.tolist() == [21, 20, 8, 11, 14]
    assert chainrule.kthvalue(longer, 7).indices.item() == 9


def test_topk_gradient_follows_torchs_tie_order():
    x = chainrule.tensor([[1.0, 1.0, -1.0, -1.0]], dtype=chainrule.float64, requires_grad=True)
    (g,) = chainrule.autograd.grad(
        (chainrule.topk(x, 2).values * chainrule.tensor([1.0, 2.0])).sum(), [x]
    )
    assert g.tolist() == [[2.0, 1.0, 0.0, 0.0]]


def test_var_of_one_element_short_cuts_as_torch():
    """No degrees of freedom in a whole-tensor var: torch gives nan where x equals its mean
    and an infinity of the gradient's sign elsewhere (a nan input: -inf here, it was nan),
    as a constant; with dim given its ordinary rule gives nan."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = []
        for v in ([2.0], [math.nan], [math.inf]):
            x = chainrule.tensor(v, dtype=chainrule.float64, requires_grad=True)
            (g,) = chainrule.autograd.grad(x.var() * -1.0, [x], create_graph=True)
            assert g.grad_fn is None
            got.append(repr(g.item()))
        assert got == ["nan", "-inf", "nan"]
        x = chainrule.tensor([[math.nan]], dtype=chainrule.float64, requires_grad=True)
        assert math.isnan(chainrule.autograd.grad(x.var(1).sum(), [x])[0].item())
        x = chainrule.tensor([math.nan], dtype=chainrule.float64, requires_grad=True)
        var, mean = chainrule.var_mean(x)
        assert chainrule.autograd.grad(var * -1 + mean * 2, [x])[0].item() == -math.inf


def test_inv_ex_of_nan_and_singular_matrices_as_torch():
    """A nan matrix: info 0 and a nan inverse (NumPy's condition number raised 'SVD did not
    converge'); an exactly singular one reports getrf's zero pivot (a finite condition number
    let inv raise)."""
    nan = math.nan
    A = chainrule.tensor([[nan, 1.0, -0.5]] * 3, dtype=chainrule.float64, requires_grad=True)
    result = chainrule.linalg.inv_ex(A)
    assert result.info.item() == 0 and result.inverse.isnan().all().item()
    singular = [[1.0, 1.0, -1.0], [-1.0, 0.0, 0.0], [1.0, 1.0, -1.0]]
    result = chainrule.linalg.inv_ex(chainrule.tensor(singular, dtype=chainrule.float64))
    assert result.info.item() == 3


def test_gaussian_nll_loss_with_an_infinite_variance_as_torch():
    """The unrecorded clamp added inf - inf = nan to an infinite var: the loss is inf and the
    gradients signed zeros, as torch (they were nan)."""
    x = chainrule.tensor([[1.0, -2.0]], dtype=chainrule.float64, requires_grad=True)
    t = chainrule.tensor([[1.0, 1.0]], dtype=chainrule.float64, requires_grad=True)
    v = chainrule.tensor([[math.inf]], dtype=chainrule.float64, requires_grad=True)
    loss = chainrule.nn.functional.gaussian_nll_loss(x, t, v, reduction="sum")
    assert loss.item() == math.inf
    grads = [
        repr(e) for g in chainrule.autograd.grad(loss, [x, t, v]) for e in g.reshape(-1).tolist()
    ]
    assert grads == ["0.0", "-0.0", "-0.0", "0.0", "0.0"]


def test_p_norm_above_two_keeps_the_signs_of_zero_entries():
    """torch forms x |x|^(p-2) times g / norm^(p-1) masked at a zero norm: an all-zero vector
    gives its zeros' signs back (it gave +0 everywhere)."""
    (g,) = _grads(lambda x: chainrule.linalg.vector_norm(x, 3) * -2.0, [0.0, -0.0, 0.0, -0.0])
    assert [repr(v) for v in g] == ["0.0", "-0.0", "0.0", "-0.0"]
    (g,) = _grads(lambda x: chainrule.linalg.vector_norm(x, 4) * -2.0, [1.0, -2.0, 0.0, -0.0])
    assert [repr(v) for v in g[2:]] == ["-0.0", "0.0"]
    assert g[:2] == pytest.approx([-0.2388874335139919, 1.911099468111935])


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0])
def test_cdist_second_input_gradient_at_equal_points_is_plus_zero(p):
    """torch runs the rule again with the inputs swapped: equal points give x2 +0 (it was
    -(+0) = -0)."""
    a = chainrule.tensor([[1.0, -0.0]], dtype=chainrule.float64, requires_grad=True)
    b = chainrule.tensor([[1.0, 0.0], [1.0, 0.0]], dtype=chainrule.float64, requires_grad=True)
    weights = chainrule.tensor([[-1.0, -2.0]], dtype=chainrule.float64)
    ga, gb = chainrule.autograd.grad((chainrule.cdist(a, b, p=p) * weights).sum(), [a, b])
    assert [repr(v) for v in ga.reshape(-1).tolist() + gb.reshape(-1).tolist()] == ["0.0"] * 6
