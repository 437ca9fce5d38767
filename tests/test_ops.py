"""Table-driven op tests: every registered op, driven by ``tests/op_specs.py``.

For each (op, sample) of the table:

- forward values against a NumPy reference, in float64, float32 and the integer/bool
  dtypes the spec lists; the result dtype is checked (float32 in, float32 out);
- gradcheck: the Jacobian by central differences in float64 against chainrule's
  ``autograd.functional.jacobian`` and against ``.backward()`` of a random weighted sum;
- gradgradcheck: the derivative of ``autograd.grad(..., create_graph=True)`` against central
  differences of that first derivative;
- batched: ``jacobian`` (batched cotangents) equals the Jacobian built row by row;
- float32: gradients of float32 inputs stay float32 (also second order and Jacobians);
- against torch, where installed: values, dtypes, requires_grad, grad_fn names, warnings,
  exceptions, first and second order gradients; and graph bookkeeping: which inputs an op
  saves (in-place changes and second backwards fail exactly when torch's do) and which
  outputs are views;
- strided (non-contiguous) inputs give the same values and gradients as contiguous ones;
- every grad_fn an op records is listed in its registry entry.

Skips name their reason in the table (``skip(...)``, ``Sample(skip=...)``); known bugs outside
the op files are strict xfails (``Sample(xfail=...)``), so the marks must go once fixed.
"""

from __future__ import annotations

import re
import warnings
import zlib

import numpy as np
import pytest
from op_specs import FLOATS, SPECS, Const, In, Lib, Raw, Skip

import chainrule
from chainrule._registry import FUNCTIONS, OPS

EPS = 1e-6  # central-difference step (float64)

# var/std samples without degrees of freedom warn as torch does (checked in the torch test)
pytestmark = pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0")
CHECKS = (
    "forward",
    "gradcheck",
    "gradgrad",
    "batched",
    "float32",
    "torch",
    "saved",
    "views",
    "strided",
)


# =========================================================================== the table is complete


def test_every_registered_op_has_a_spec():
    missing = sorted(set(OPS) - set(SPECS))
    assert not missing, f"registered ops without a spec in tests/op_specs.py: {missing}"


def test_every_spec_names_a_registered_op():
    unknown = sorted(set(SPECS) - set(OPS))
    assert not unknown, f"specs for ops that are not registered: {unknown}"


def test_claims_agree_with_the_registry():
    """A differentiable op claims grad or says why not; a non-differentiable one claims nothing."""
    for name, spec in SPECS.items():
        if name not in OPS:
            continue
        if OPS[name].differentiable:
            assert spec.grad is True or isinstance(spec.grad, Skip), name
        else:
            assert spec.grad is False, f"{name} is registered as not differentiable"


def test_every_skip_has_a_reason():
    for name, spec in SPECS.items():
        for claim in (spec.grad, spec.gradgrad, spec.batched):
            if isinstance(claim, Skip):
                assert isinstance(claim.reason, str) and claim.reason.strip(), name
            else:
                assert isinstance(claim, bool), f"{name}: a claim is True, False or skip(reason)"
        for check, reason in spec.skip.items():
            assert check in CHECKS, f"{name}: unknown check {check!r}"
            assert isinstance(reason, str) and reason.strip(), f"{name}: {check}"
        for sample in spec.samples:
            for check, reason in list(sample.skip.items()) + list(sample.xfail.items()):
                assert check in CHECKS, f"{name}/{sample}: unknown check {check!r}"
                assert isinstance(reason, str) and reason.strip(), f"{name}/{sample}: {check}"


def test_declared_forms_exist():
    for name, spec in SPECS.items():
        if "function" in spec.forms:
            assert name in FUNCTIONS and hasattr(chainrule, name), f"torch.{name} missing"
        if "method" in spec.forms:
            assert hasattr(chainrule.Tensor, name), f"Tensor.{name} missing"


# =========================================================================== building calls


class Arg:
    """A tensor argument drawn for one run: its array and whether it is differentiated."""

    __slots__ = ("array", "diff")

    def __init__(self, array, diff):
        self.array = array
        self.diff = diff


def _seed(spec, sample) -> int:
    return zlib.crc32(f"{spec.name}/{sample.label}".encode())


def materialize(spec, sample, dtype):
    """The sample's (args, kwargs) with In/Const replaced by drawn arrays (as Arg)."""
    rng = np.random.default_rng(_seed(spec, sample))

    def walk(value):
        if isinstance(value, In):
            want = value.dtype or dtype or "float64"
            if value.values is not None:
                array = value.values.astype(want)
            else:
                array = (value.domain or spec.domain)(rng, value.shape, want)
            return Arg(np.asarray(array, dtype=want), value.grad and np.dtype(want).kind == "f")
        if isinstance(value, Const):
            want = (dtype or value.value.dtype) if value.dtype == "same" else value.dtype
            return Arg(value.value.astype(want), False)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, tuple):
            return tuple(walk(v) for v in value)
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    return walk(sample.args), walk(sample.kwargs)


def _map(tree, leaf):
    """Rebuild args/kwargs, replacing every Arg/Lib/Raw by ``leaf(value)``."""
    if isinstance(tree, (Arg, Lib, Raw)):
        return leaf(tree)
    if isinstance(tree, list):
        return [_map(v, leaf) for v in tree]
    if isinstance(tree, tuple):
        return tuple(_map(v, leaf) for v in tree)
    if isinstance(tree, dict):
        return {k: _map(v, leaf) for k, v in tree.items()}
    return tree


def diff_arrays(tree) -> list:
    """The arrays of the differentiable arguments, in call order."""
    found = []
    _map(tree, lambda a: found.append(a.array) if isinstance(a, Arg) and a.diff else None)
    return found


def numpy_args(tree):
    """The tree for the NumPy reference (float32 arrays widened to float64)."""

    def leaf(value):
        if isinstance(value, Arg):
            a = value.array
            return a.astype(np.float64) if a.dtype == np.float32 else a
        if isinstance(value, Lib):
            return np.dtype(value.name)
        return value.value.copy()

    return _map(tree, leaf)


def forms_of(spec, sample) -> tuple:
    if sample.call is not None:
        return ("call",)
    if not sample.args or not isinstance(sample.args[0], (In, Const)):
        return tuple(f for f in spec.forms if f == "function") or ("function",)
    return spec.forms


def invoke(lib, spec, sample, args, kwargs, form):
    if form == "call":
        return sample.call(lib, *args, **kwargs)
    if form == "function":
        return getattr(lib, spec.name)(*args, **kwargs)
    return getattr(args[0], spec.name)(*args[1:], **kwargs)


def op_function(lib, spec, sample, tree, form):
    """f(*leaves) calling the op with ``leaves`` in the differentiable slots (lib tensors)."""
    args, kwargs = tree

    def f(*leaves):
        supply = iter(leaves)

        def leaf(value):
            if isinstance(value, Lib):
                return getattr(lib, value.name)
            if isinstance(value, Raw):
                return value.value.copy()
            if value.diff:
                return next(supply)
            return lib.tensor(value.array)

        return invoke(lib, spec, sample, _map(args, leaf), _map(kwargs, leaf), form)

    return f


def flat(result) -> list:
    if isinstance(result, (tuple, list)):
        return [item for part in result for item in flat(part)]
    return [result]


def is_tensor(lib, value) -> bool:
    return isinstance(value, lib.Tensor)


def float_outputs(lib, result) -> list:
    return [o for o in flat(result) if is_tensor(lib, o) and o.dtype.is_floating_point]


def make_leaves(lib, arrays, requires_grad=True) -> list:
    return [lib.tensor(a).requires_grad_(requires_grad) for a in arrays]


def to_numpy(lib, t) -> np.ndarray:
    # force: torch may hand back a ZeroTensor (a known-zero gradient), which numpy() refuses
    return t.detach().numpy(force=True).astype(np.float64)


def _dtype_name(t) -> str:
    return str(t.dtype).replace("torch.", "")


# =========================================================================== derivatives


def numerical_jacobian(g, arrays, eps=EPS) -> list:
    """J[i][j]: d output i / d input j by central differences, as (out.size, in.size) arrays.

    ``g(arrays) -> list of float64 arrays``; inputs keep their dtype (perturbed in float64).
    """
    outputs = g(arrays)
    jac = [[np.zeros((o.size, a.size)) for a in arrays] for o in outputs]
    for j, a in enumerate(arrays):
        for k in range(a.size):
            plus = [x.copy() for x in arrays]
            minus = [x.copy() for x in arrays]
            base = a.astype(np.float64).reshape(-1)
            plus[j] = _with(base, k, eps).reshape(a.shape).astype(a.dtype)
            minus[j] = _with(base, k, -eps).reshape(a.shape).astype(a.dtype)
            step = plus[j].reshape(-1)[k].astype(np.float64) - minus[j].reshape(-1)[k]
            for i, (hi, lo) in enumerate(zip(g(plus), g(minus))):
                jac[i][j][:, k] = (hi - lo).reshape(-1) / step
    return jac


def _with(base, k, delta):
    out = base.copy()
    out[k] += delta
    return out


def evaluator(lib, f, needs_grad=False):
    """numpy arrays -> the float outputs of f as float64 numpy arrays."""

    def g(arrays):
        if needs_grad:
            return [to_numpy(lib, o) for o in float_outputs(lib, f(*make_leaves(lib, arrays)))]
        with lib.no_grad():
            return [
                to_numpy(lib, o) for o in float_outputs(lib, f(*make_leaves(lib, arrays, False)))
            ]

    return g


def rowwise_jacobian(lib, f, arrays) -> list:
    """J[i][j] from one autograd.grad per output element (no batching)."""
    leaves = make_leaves(lib, arrays)
    outs = float_outputs(lib, f(*leaves))
    jac = []
    for out in outs:
        rows = [np.zeros((out.numel(), leaf.numel())) for leaf in leaves]
        if out.requires_grad:
            for k in range(out.numel()):
                onehot = np.zeros(out.numel())
                onehot[k] = 1
                seed = lib.tensor(onehot.reshape(tuple(out.shape)), dtype=out.dtype)
                grads = lib.autograd.grad(out, leaves, seed, retain_graph=True, allow_unused=True)
                for j, g in enumerate(grads):
                    if g is not None:
                        rows[j][k] = to_numpy(lib, g).reshape(-1)
        jac.append(rows)
    return jac


def jacobian_blocks(lib, f, arrays):
    """(output sizes, torch.autograd.functional.jacobian over the non-empty float outputs).

    torch's jacobian cannot stack zero rows, so empty outputs are left out.
    """
    leaves = make_leaves(lib, arrays, requires_grad=False)
    with lib.no_grad():
        sizes = [o.numel() for o in float_outputs(lib, f(*leaves))]
    if not any(sizes):
        return sizes, ()
    jac = lib.autograd.functional.jacobian(
        lambda *xs: tuple(o for o in float_outputs(lib, f(*xs)) if o.numel()), tuple(leaves)
    )
    return sizes, jac


def batched_jacobian(lib, f, arrays) -> list:
    """J[i][j] from torch.autograd.functional.jacobian (batched cotangents)."""
    sizes, jac = jacobian_blocks(lib, f, arrays)
    rows = iter(jac)
    return [
        [np.zeros((0, a.size)) for a in arrays]
        if not size
        else [to_numpy(lib, block).reshape(size, a.size) for block, a in zip(next(rows), arrays)]
        for size in sizes
    ]


def first_derivative(lib, f, n_leaves):
    """G(*leaves, *cotangents) = autograd.grad(f(leaves), leaves, cotangents, create_graph)."""

    def grads_of(*inputs):
        leaves, cotangents = inputs[:n_leaves], inputs[n_leaves:]
        outs = float_outputs(lib, f(*leaves))
        pairs = [(o, v) for o, v in zip(outs, cotangents) if o.requires_grad]
        grads = (None,) * n_leaves
        if pairs:
            grads = lib.autograd.grad(
                [o for o, _ in pairs],
                leaves,
                [v for _, v in pairs],
                create_graph=True,
                allow_unused=True,
            )
        return tuple(lib.zeros_like(x) if g is None else g for g, x in zip(grads, leaves))

    return grads_of


def weighted_backward(lib, f, arrays, weights):
    """Leaves after ``sum_i (out_i * w_i).sum()).backward()``; weights are numpy arrays."""
    leaves = make_leaves(lib, arrays)
    outs = float_outputs(lib, f(*leaves))
    loss = None
    for out, w in zip(outs, weights):
        if out.requires_grad:
            term = (out * lib.tensor(w, dtype=out.dtype)).sum()
            loss = term if loss is None else loss + term
    if loss is not None:
        loss.backward()
    return leaves, outs


def vjp_of_jacobian(jac, weights, arrays) -> list:
    """sum_i w_i^T J[i][j] for each input j."""
    result = [np.zeros(a.size) for a in arrays]
    for w, row in zip(weights, jac):
        for j, block in enumerate(row):
            result[j] = result[j] + w.reshape(-1) @ block
    return [r.reshape(a.shape) for r, a in zip(result, arrays)]


def random_like(rng, shapes) -> list:
    return [rng.standard_normal(tuple(s)) for s in shapes]


def outputs_like(rng, lib, f, arrays) -> list:
    """Random arrays with the shapes and dtypes of f's float outputs (cotangents)."""
    with lib.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outs = float_outputs(lib, f(*make_leaves(lib, arrays, False)))
    return [rng.standard_normal(tuple(o.shape)).astype(_dtype_name(o)) for o in outs]


def _grad_or_zeros(leaf) -> np.ndarray:
    return np.zeros(tuple(leaf.shape)) if leaf.grad is None else leaf.grad.numpy().astype(float)


# =========================================================================== parametrization


def _claim_skip(spec, claim):
    value = getattr(spec, claim)
    if isinstance(value, Skip):
        return value.reason
    if value is False:
        return None if claim == "grad" and spec.grad is False else f"not claimed ({claim})"
    return ""


def _params(check, dtypes_of=None, needs=None):
    """pytest params (spec, sample[, dtype]) for one check, with skips carrying reasons."""
    params = []
    for name, spec in SPECS.items():
        if needs is not None:
            if spec.grad is False:
                continue  # not differentiable: nothing to check
            reason = next((_claim_skip(spec, c) for c in needs if _claim_skip(spec, c)), "")
        else:
            reason = ""
        reason = reason or spec.skip.get(check, "")
        for sample in spec.samples:
            sample_reason = sample.skip.get(check, "")
            marks = []
            if reason or sample_reason:
                marks.append(pytest.mark.skip(reason=reason or sample_reason))
            elif check in sample.xfail:
                marks.append(pytest.mark.xfail(reason=sample.xfail[check], strict=True))
            if dtypes_of is None:
                params.append(pytest.param(spec, sample, marks=marks, id=f"{name}-{sample.label}"))
                continue
            for dtype in dtypes_of(spec, sample):
                params.append(
                    pytest.param(
                        spec, sample, dtype, marks=marks, id=f"{name}-{sample.label}-{dtype}"
                    )
                )
    return params


def _sample_dtypes(spec, sample):
    if spec.dtypes is None:
        return [None]
    return [d for d in spec.dtypes if sample.dtypes is None or d in sample.dtypes]


def _takes_float64(spec, sample):
    return spec.dtypes is not None and "float64" in _sample_dtypes(spec, sample)


# =========================================================================== forward


def _tolerance(spec, dtype):
    return spec.tol32 if dtype == "float32" else spec.tol


def assert_same_values(actual, expected, rtol, atol, what, meta=False, tol32=None):
    """Compare a flat list of chainrule outputs with reference values (arrays or scalars).

    tol32: (rtol, atol) for float32 outputs (of integer inputs, say).
    """
    assert len(actual) == len(expected), f"{what}: {len(actual)} outputs, expected {len(expected)}"
    for k, (a, e) in enumerate(zip(actual, expected)):
        if isinstance(a, chainrule.Tensor):
            e = np.asarray(e)
            assert tuple(a.shape) == e.shape, f"{what}[{k}]: shape {tuple(a.shape)} != {e.shape}"
            if meta:
                continue
            values = a.detach().numpy()
            if values.dtype == np.bool_ or e.dtype == np.bool_:
                np.testing.assert_array_equal(values, e, err_msg=f"{what}[{k}]")
            else:
                r, t = tol32 if tol32 and values.dtype == np.float32 else (rtol, atol)
                np.testing.assert_allclose(
                    values.astype(np.float64),
                    e.astype(np.float64),
                    rtol=r,
                    atol=t,
                    equal_nan=True,
                    err_msg=f"{what}[{k}]",
                )
        else:
            assert a == e, f"{what}[{k}]: {a!r} != {e!r}"


@pytest.mark.parametrize("spec,sample,dtype", _params("forward", _sample_dtypes))
def test_forward(spec, sample, dtype):
    """Values against NumPy; the result dtype; every call form gives the same result."""
    tree = materialize(spec, sample, dtype)
    expected = None
    ref = sample.ref or spec.ref
    if ref is not None:
        np_args, np_kwargs = numpy_args(tree)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            expected = flat(ref(*np_args, **np_kwargs))
    rtol, atol = _tolerance(spec, dtype)
    first = None
    for form in forms_of(spec, sample):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = op_function(chainrule, spec, sample, tree, form)(
                *[chainrule.tensor(a) for a in diff_arrays(tree)]
            )
        outs = flat(out)
        what = f"{spec.name}({sample}) [{form}, {dtype}]"
        if expected is not None:
            assert_same_values(
                outs, expected, rtol, atol, what, meta=spec.compare == "meta", tol32=spec.tol32
            )
        want = spec.expected_dtype(sample, dtype)
        tensors = [o for o in outs if isinstance(o, chainrule.Tensor)]
        if want is not None and tensors:
            assert _dtype_name(tensors[0]) == want, f"{what}: dtype {tensors[0].dtype}, want {want}"
        if spec.check is not None:
            spec.check(chainrule, out, sample)
        if first is None:
            first = outs
        elif spec.compare == "values":
            assert_same_values(
                outs,
                [o.detach().numpy() if isinstance(o, chainrule.Tensor) else o for o in first],
                0,
                0,
                f"{what} vs first form",
            )


# =========================================================================== gradients (float64)


def _setup(spec, sample, dtype="float64"):
    tree = materialize(spec, sample, dtype)
    form = forms_of(spec, sample)[0]
    f = op_function(chainrule, spec, sample, tree, form)
    return f, diff_arrays(tree)


def _assert_jacobians(actual, expected, rtol, atol, what):
    for i, (row_a, row_e) in enumerate(zip(actual, expected)):
        for j, (a, e) in enumerate(zip(row_a, row_e)):
            np.testing.assert_allclose(
                a, e, rtol=rtol, atol=atol, err_msg=f"{what}: d output {i} / d input {j}"
            )


@pytest.mark.parametrize("spec,sample", _params("gradcheck", needs=("grad",)))
def test_gradcheck(spec, sample):
    """float64 Jacobian by central differences == jacobian() == weighted-sum .backward()."""
    if not _takes_float64(spec, sample):
        pytest.skip("sample has no float64 run")
    f, arrays = _setup(spec, sample)
    if not arrays:
        pytest.skip("no differentiable input")
    rtol, atol = spec.grad_tol
    numeric = numerical_jacobian(evaluator(chainrule, f), arrays, sample.eps or EPS)
    if spec.batched is True:
        analytic = batched_jacobian(chainrule, f, arrays)
    else:
        analytic = rowwise_jacobian(chainrule, f, arrays)
    assert len(analytic) == len(numeric)
    _assert_jacobians(analytic, numeric, rtol, atol, f"{spec.name}({sample}) jacobian")

    rng = np.random.default_rng(1)
    weights = random_like(rng, [o.shape for o in evaluator(chainrule, f)(arrays)])
    leaves, _ = weighted_backward(chainrule, f, arrays, weights)
    for j, (leaf, want) in enumerate(zip(leaves, vjp_of_jacobian(numeric, weights, arrays))):
        if leaf.grad is not None:
            assert leaf.grad.dtype == leaf.dtype, f"input {j}: grad dtype {leaf.grad.dtype}"
            assert tuple(leaf.grad.shape) == tuple(leaf.shape), f"input {j}: grad shape"
        np.testing.assert_allclose(
            _grad_or_zeros(leaf),
            want,
            rtol=rtol,
            atol=atol,
            err_msg=f"{spec.name}({sample}) .backward(): input {j}",
        )


@pytest.mark.parametrize("spec,sample", _params("gradgrad", needs=("grad", "gradgrad")))
def test_gradgradcheck(spec, sample):
    """Second derivatives (create_graph=True) against central differences of the first."""
    if not _takes_float64(spec, sample):
        pytest.skip("sample has no float64 run")
    f, arrays = _setup(spec, sample)
    if not arrays:
        pytest.skip("no differentiable input")
    rng = np.random.default_rng(2)
    cotangents = outputs_like(rng, chainrule, f, arrays)
    inputs = arrays + cotangents
    grads_of = first_derivative(chainrule, f, len(arrays))
    numeric = numerical_jacobian(
        evaluator(chainrule, grads_of, needs_grad=True), inputs, sample.eps or EPS
    )

    weights = random_like(rng, [a.shape for a in arrays])
    leaves = make_leaves(chainrule, inputs)
    firsts = grads_of(*leaves)
    pairs = [
        (g, chainrule.tensor(w, dtype=g.dtype)) for g, w in zip(firsts, weights) if g.requires_grad
    ]
    second = [None] * len(leaves)
    if pairs:
        second = chainrule.autograd.grad(
            [g for g, _ in pairs], leaves, [w for _, w in pairs], allow_unused=True
        )
    rtol, atol = spec.grad_tol
    for j, (g, want) in enumerate(zip(second, vjp_of_jacobian(numeric, weights, inputs))):
        got = np.zeros(want.shape) if g is None else to_numpy(chainrule, g)
        what = "input" if j < len(arrays) else "cotangent"
        np.testing.assert_allclose(
            got,
            want,
            rtol=rtol,
            atol=atol,
            err_msg=f"{spec.name}({sample}) second order: {what} {j}",
        )


@pytest.mark.parametrize("spec,sample", _params("batched", needs=("grad", "batched")))
def test_batched_jacobian(spec, sample):
    """jacobian() with batched cotangents == one autograd.grad per output element.

    Where second derivatives are claimed, the same for the Jacobian of the first derivative
    (batched cotangents through the rules' own graph).
    """
    if not _takes_float64(spec, sample):
        pytest.skip("sample has no float64 run")
    f, arrays = _setup(spec, sample)
    if not arrays:
        pytest.skip("no differentiable input")
    batched = batched_jacobian(chainrule, f, arrays)
    _assert_jacobians(
        batched,
        rowwise_jacobian(chainrule, f, arrays),
        1e-10,
        1e-12,
        f"{spec.name}({sample}) batched vs rows",
    )
    if spec.gradgrad is True and "gradgrad" not in sample.skip:
        rng = np.random.default_rng(3)
        cotangents = outputs_like(rng, chainrule, f, arrays)
        grads_of = first_derivative(chainrule, f, len(arrays))
        inputs = arrays + cotangents
        _assert_jacobians(
            batched_jacobian(chainrule, grads_of, inputs),
            rowwise_jacobian(chainrule, grads_of, inputs),
            1e-10,
            1e-12,
            f"{spec.name}({sample}) batched second order",
        )


def _float32_dtypes(spec, sample):
    return ["float32"] if "float32" in _sample_dtypes(spec, sample) else []


@pytest.mark.parametrize("spec,sample", _params("float32", needs=("grad",)))
def test_float32_graph_stays_float32(spec, sample):
    """Gradients of float32 inputs are float32: first order, second order and Jacobians."""
    if not _float32_dtypes(spec, sample):
        pytest.skip("sample has no float32 run")
    f, arrays = _setup(spec, sample, "float32")
    rng = np.random.default_rng(4)
    leaves = make_leaves(chainrule, arrays)
    outs = float_outputs(chainrule, f(*leaves))
    want = spec.expected_dtype(sample, "float32")
    if outs and want in FLOATS:
        assert _dtype_name(outs[0]) == want
    weights = random_like(rng, [o.shape for o in outs])
    leaves, outs = weighted_backward(chainrule, f, arrays, weights)
    for j, leaf in enumerate(leaves):
        if leaf.grad is not None:
            assert leaf.grad.dtype == leaf.dtype, f"input {j}: grad {leaf.grad.dtype}"
    if spec.gradgrad is True and "gradgrad" not in sample.skip:
        cotangents = outputs_like(rng, chainrule, f, arrays)
        all_leaves = make_leaves(chainrule, arrays + cotangents)
        firsts = first_derivative(chainrule, f, len(arrays))(*all_leaves)
        for j, g in enumerate(firsts):
            assert g.dtype == all_leaves[j].dtype, f"first derivative {j}: {g.dtype}"
        used = [g for g in firsts if g.requires_grad]
        if used:
            total = sum((g * g).sum() for g in used)
            seconds = chainrule.autograd.grad(total, all_leaves, allow_unused=True)
            for j, g in enumerate(seconds):
                if g is not None:
                    assert g.dtype == all_leaves[j].dtype, f"second derivative {j}: {g.dtype}"
    if spec.batched is True and "batched" not in sample.skip:
        _, jac = jacobian_blocks(chainrule, f, arrays)
        for row in jac:
            for block, leaf in zip(row, arrays):
                assert block.dtype == (
                    chainrule.float32 if leaf.dtype == np.float32 else chainrule.float64
                )


# =========================================================================== against torch


def _grad_fn_name(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def _run(lib, spec, sample, tree, form, requires_grad):
    """(leaves, result, error, warnings) of one call."""
    f = op_function(lib, spec, sample, tree, form)
    leaves = make_leaves(lib, diff_arrays(tree), requires_grad)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result, error = f(*leaves), None
        except Exception as exc:  # compared with what the other library does
            result, error = None, exc
    said = sorted({(w.category.__name__, _TRIGGERED.sub("", str(w.message))) for w in caught})
    return leaves, result, error, said


_TRIGGERED = re.compile(r"\s*\(Triggered internally at [^)]*\)\.?")


def _builtin_name(cls) -> str:
    for klass in cls.__mro__:
        if klass.__module__ == "builtins":
            return klass.__name__
    return cls.__name__


@pytest.mark.parametrize("spec,sample,dtype", _params("torch", _sample_dtypes))
def test_against_torch(spec, sample, dtype):
    """Same values, dtypes, requires_grad, grad_fn names and gradients as PyTorch."""
    torch = pytest.importorskip("torch")
    tree = materialize(spec, sample, dtype)
    rtol, atol = _tolerance(spec, dtype)
    differentiable = spec.grad is True and dtype in FLOATS
    for form in forms_of(spec, sample):
        what = f"{spec.name}({sample}) [{form}, {dtype}]"
        t_leaves, t_out, t_error, t_warned = _run(torch, spec, sample, tree, form, differentiable)
        c_leaves, c_out, c_error, c_warned = _run(
            chainrule, spec, sample, tree, form, differentiable
        )
        assert c_warned == t_warned, f"{what}: warnings {c_warned}, torch {t_warned}"
        if t_error is not None or c_error is not None:
            assert c_error is not None, f"{what}: torch raised {t_error!r}, chainrule did not"
            assert t_error is not None, f"{what}: chainrule raised {c_error!r}, torch did not"
            assert _builtin_name(type(c_error)) == _builtin_name(type(t_error)), (
                f"{what}: chainrule raised {c_error!r}, torch {t_error!r}"
            )
            continue
        t_flat, c_flat = flat(t_out), flat(c_out)
        assert len(c_flat) == len(t_flat), f"{what}: {len(c_flat)} outputs, torch {len(t_flat)}"
        for k, (c, t) in enumerate(zip(c_flat, t_flat)):
            if not isinstance(t, torch.Tensor):
                assert not isinstance(c, chainrule.Tensor) and c == t, f"{what}[{k}]: {c!r} {t!r}"
                continue
            assert isinstance(c, chainrule.Tensor), f"{what}[{k}]: not a tensor: {c!r}"
            assert str(c.dtype) == str(t.dtype), f"{what}[{k}]: dtype {c.dtype}, torch {t.dtype}"
            assert tuple(c.shape) == tuple(t.shape), f"{what}[{k}]: shape {c.shape} {t.shape}"
            assert c.requires_grad == t.requires_grad, f"{what}[{k}]: requires_grad"
            assert _grad_fn_name(c) == _grad_fn_name(t), (
                f"{what}[{k}]: grad_fn {_grad_fn_name(c)}, torch {_grad_fn_name(t)}"
            )
            if spec.compare == "values":
                cv = c.detach().numpy()
                tv = t.detach().numpy()
                if cv.dtype.kind in "biu":
                    np.testing.assert_array_equal(cv, tv, err_msg=f"{what}[{k}]")
                else:
                    r, a = spec.tol32 if cv.dtype == np.float32 else (rtol, atol)
                    np.testing.assert_allclose(
                        cv, tv, rtol=r, atol=a, equal_nan=True, err_msg=f"{what}[{k}]"
                    )
        if differentiable and form == forms_of(spec, sample)[0]:
            _compare_gradients(torch, spec, sample, tree, form, dtype, what)


def _compare_gradients(torch, spec, sample, tree, form, dtype, what):
    arrays = diff_arrays(tree)
    outs = float_outputs(
        torch, op_function(torch, spec, sample, tree, form)(*make_leaves(torch, arrays, False))
    )
    rng = np.random.default_rng(5)
    weights = random_like(rng, [o.shape for o in outs])
    tol = (1e-7, 1e-10) if dtype == "float64" else (1e-4, 1e-5)
    results, errors, warned = {}, {}, {}
    for lib in (torch, chainrule):
        f = op_function(lib, spec, sample, tree, form)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                results[lib], _ = weighted_backward(lib, f, arrays, weights)
            except Exception as error:  # torch has no derivative for some samples: same error
                errors[lib] = error
        warned[lib] = sorted(
            {(w.category.__name__, _TRIGGERED.sub("", str(w.message))) for w in caught}
        )
    assert warned[chainrule] == warned[torch], f"{what}: warnings in forward and backward"
    if errors:
        assert torch in errors, f"{what}: chainrule's backward raised {errors[chainrule]!r}"
        assert chainrule in errors, f"{what}: torch's backward raised {errors[torch]!r}"
        assert _builtin_name(type(errors[chainrule])) == _builtin_name(type(errors[torch]))
        assert str(errors[chainrule]) == str(errors[torch]), f"{what}: backward error message"
        return
    for j, (c, t) in enumerate(zip(results[chainrule], results[torch])):
        if t.grad is None:
            assert c.grad is None or not c.grad.detach().numpy().any(), f"{what}: input {j} grad"
            continue
        assert c.grad is not None, f"{what}: input {j}: no grad (torch has one)"
        assert str(c.grad.dtype) == str(t.grad.dtype), f"{what}: input {j} grad dtype"
        np.testing.assert_allclose(
            c.grad.numpy(),
            t.grad.numpy(force=True),
            rtol=tol[0],
            atol=tol[1],
            err_msg=f"{what}: grad of input {j}",
        )
    if spec.gradgrad is True and dtype == "float64" and "gradgrad" not in sample.skip:
        cotangents = outputs_like(
            rng, chainrule, op_function(chainrule, spec, sample, tree, form), arrays
        )
        second_weights = random_like(rng, [a.shape for a in arrays])
        seconds = {}
        for lib in (torch, chainrule):
            f = op_function(lib, spec, sample, tree, form)
            leaves = make_leaves(lib, arrays + cotangents)
            firsts = first_derivative(lib, f, len(arrays))(*leaves)
            pairs = [
                (g, lib.tensor(w, dtype=g.dtype))
                for g, w in zip(firsts, second_weights)
                if g.requires_grad
            ]
            grads = [None] * len(leaves)
            if pairs:
                grads = lib.autograd.grad(
                    [g for g, _ in pairs], leaves, [w for _, w in pairs], allow_unused=True
                )
            seconds[lib] = [
                np.zeros(tuple(x.shape)) if g is None else to_numpy(lib, g)
                for g, x in zip(grads, leaves)
            ]
        for j, (c, t) in enumerate(zip(seconds[chainrule], seconds[torch])):
            np.testing.assert_allclose(
                c, t, rtol=1e-7, atol=1e-10, err_msg=f"{what}: second order, input {j}"
            )


# =========================================================================== grad_fn names


@pytest.mark.parametrize("spec,sample", _params("forward", needs=("grad",)))
def test_grad_fn_is_registered(spec, sample):
    """The grad_fn an op records is one its registry entry lists (no torch needed)."""
    if sample.call is not None:
        pytest.skip("sample calls through an operator or a composite")
    if not _takes_float64(spec, sample):
        pytest.skip("sample has no float64 run")
    f, arrays = _setup(spec, sample)
    if not arrays:
        pytest.skip("no differentiable input")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outs = float_outputs(chainrule, f(*make_leaves(chainrule, arrays)))
    for out in outs:
        name = _grad_fn_name(out)
        if name is not None:
            assert name in OPS[spec.name].grad_fns, (
                f"{spec.name} recorded {name}; registry lists {OPS[spec.name].grad_fns}"
            )


# =========================================================================== graph bookkeeping vs torch


def _bump_versions(lib, tensors):
    """In-place writes that keep the values: views see them, saved tensors go stale."""
    with lib.no_grad():
        for t in tensors:
            t.mul_(1.0)


@pytest.mark.parametrize("spec,sample", _params("saved", needs=("grad",)))
def test_saved_tensors_match_torch(spec, sample):
    """Changing an input in place after the op breaks backward exactly when it does in torch
    (the op saved that input), with torch's message."""
    torch = pytest.importorskip("torch")
    if not _takes_float64(spec, sample):
        pytest.skip("sample has no float64 run")
    tree = materialize(spec, sample, "float64")
    arrays = diff_arrays(tree)
    form = forms_of(spec, sample)[0]
    weights = outputs_like(
        np.random.default_rng(6),
        chainrule,
        op_function(chainrule, spec, sample, tree, form),
        arrays,
    )
    outcome = {}
    for lib in (torch, chainrule):
        f = op_function(lib, spec, sample, tree, form)
        leaves = make_leaves(lib, arrays)
        inputs = [leaf * 1 for leaf in leaves]  # non-leaves, which may be written in place
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outs = float_outputs(lib, f(*inputs))
            pairs = [(o, lib.tensor(w)) for o, w in zip(outs, weights) if o.requires_grad]
            _bump_versions(lib, inputs)
            try:
                if pairs:
                    lib.autograd.backward([o for o, _ in pairs], [w for _, w in pairs])
                outcome[lib] = None
            except RuntimeError as error:
                outcome[lib] = str(error).split(":")[0]  # the message names tensors differently
    assert outcome[chainrule] == outcome[torch], f"{spec.name}({sample}): saved-tensor check"


@pytest.mark.parametrize("spec,sample", _params("views"))
def test_views_match_torch(spec, sample):
    """An output is a view of an input (sees its in-place changes) exactly when it is in torch."""
    torch = pytest.importorskip("torch")
    if not _takes_float64(spec, sample):
        pytest.skip("sample has no float64 run")
    tree = materialize(spec, sample, "float64")
    arrays = diff_arrays(tree)
    form = forms_of(spec, sample)[0]
    seen = {}
    for lib in (torch, chainrule):
        f = op_function(lib, spec, sample, tree, form)
        leaves = make_leaves(lib, arrays, False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outs = [o for o in flat(f(*leaves)) if is_tensor(lib, o)]
        before = [o.numpy().copy() for o in outs]
        versions = [o._version for o in outs]
        with lib.no_grad():
            for leaf in leaves:
                leaf.add_(1.0)
        seen[lib] = [
            (not np.array_equal(o.numpy(), b, equal_nan=True), o._version - v)
            for o, b, v in zip(outs, before, versions)
        ]
    assert seen[chainrule] == seen[torch], (
        f"{spec.name}({sample}): (output changed, version bumped) per output, torch {seen[torch]}"
    )


def _strided(lib, t):
    """The same values in a non-contiguous layout (transposed storage, or every other element)."""
    if t.dim() >= 2:
        return t.transpose(0, 1).contiguous().transpose(0, 1)
    if t.dim() == 1:
        return lib.stack([t, t], -1)[:, 0]
    return t


@pytest.mark.parametrize("spec,sample", _params("strided"))
def test_strided_inputs(spec, sample):
    """Non-contiguous inputs give the same values and gradients as contiguous ones."""
    if not _takes_float64(spec, sample):
        pytest.skip("sample has no float64 run")
    tree = materialize(spec, sample, "float64")
    arrays = diff_arrays(tree)
    if not arrays:
        pytest.skip("no tensor input to lay out differently")
    f = op_function(chainrule, spec, sample, tree, forms_of(spec, sample)[0])
    differentiable = spec.grad is True and "gradcheck" not in sample.skip
    results = []
    for layout in (lambda t: t, lambda t: _strided(chainrule, t)):
        leaves = make_leaves(chainrule, arrays, differentiable)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outs = flat(f(*[layout(leaf) for leaf in leaves]))
        values = [o.detach().numpy().copy() if is_tensor(chainrule, o) else o for o in outs]
        grads = []
        floats = [o for o in outs if is_tensor(chainrule, o) and o.requires_grad]
        if floats:
            chainrule.autograd.backward(floats, [chainrule.ones_like(o) for o in floats])
            grads = [_grad_or_zeros(leaf) for leaf in leaves]
        results.append((values, grads))
    (values, grads), (strided_values, strided_grads) = results
    what = f"{spec.name}({sample}) strided inputs"
    if spec.compare == "values":
        assert_same_values(
            [chainrule.tensor(v) if isinstance(v, np.ndarray) else v for v in strided_values],
            values,
            1e-12,
            1e-12,
            what,
        )
    for j, (g, h) in enumerate(zip(grads, strided_grads)):
        np.testing.assert_allclose(h, g, rtol=1e-12, atol=1e-12, err_msg=f"{what}: grad {j}")


@pytest.mark.parametrize("spec,sample", _params("saved", needs=("grad",)))
def test_second_backward_matches_torch(spec, sample):
    """A second backward without retain_graph fails exactly when it does in torch (the op saved
    something, which the first backward freed)."""
    torch = pytest.importorskip("torch")
    if not _takes_float64(spec, sample):
        pytest.skip("sample has no float64 run")
    tree = materialize(spec, sample, "float64")
    arrays = diff_arrays(tree)
    form = forms_of(spec, sample)[0]
    outcome = {}
    for lib in (torch, chainrule):
        f = op_function(lib, spec, sample, tree, form)
        leaves = make_leaves(lib, arrays)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outs = [o for o in float_outputs(lib, f(*leaves)) if o.requires_grad]
            if not outs:
                pytest.skip("no output requires grad")
            grads = [lib.ones_like(o) for o in outs]
            try:
                lib.autograd.backward(outs, grads)
            except RuntimeError as error:  # no derivative (compared in test_against_torch)
                pytest.skip(f"backward raises: {error}")
            try:
                lib.autograd.backward(outs, grads)
                outcome[lib] = "ran twice"
            except RuntimeError as error:
                outcome[lib] = str(error).split(".")[0]
    assert outcome[chainrule] == outcome[torch], f"{spec.name}({sample}): second backward"
