"""Forward-mode AD over the whole op-spec table.

For every differentiable op and sample (float64): the tangent that forward mode carries
through the op (``autograd.forward_ad``: derived from the op's VJP rule, no per-op JVP)
equals ``J t`` computed by reverse mode (one ``autograd.grad`` per output element), and,
where torch is installed and has a forward-AD formula for the op, torch's tangent.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from test_ops import (
    _params,
    _setup,
    _takes_float64,
    float_outputs,
    rowwise_jacobian,
    to_numpy,
)

import chainrule

PARAMS = _params("gradcheck", needs=("grad",))

# torch's forward-AD formula disagrees with torch's own backward here; chainrule's tangent
# equals J t of the backward (the test above), which test_ops checks against torch.
TORCH_FORWARD_DIFFERS = {
    "triangular_solve": "torch's forward formula does not keep to the triangle its backward reads",
    "cholesky_inverse": "torch's forward formula does not keep to the triangle its backward reads",
}
NOT_DIFFERENTIABLE_RULE = {
    "nn.functional.hardsigmoid": "its VJP rule cannot be differentiated (hardsigmoid_backward)",
}


def _tangents(arrays):
    rng = np.random.default_rng(7)
    return [rng.standard_normal(a.shape).astype(a.dtype) for a in arrays]


def forward_tangents(lib, f, arrays, tangents, requires_grad=False):
    """The tangent of each float output of f at ``arrays`` in direction ``tangents``."""
    forward_ad = lib.autograd.forward_ad
    with forward_ad.dual_level():
        duals = [
            forward_ad.make_dual(lib.tensor(a).requires_grad_(requires_grad), lib.tensor(t))
            for a, t in zip(arrays, tangents)
        ]
        outs = float_outputs(lib, f(*duals))
        found = []
        for out in outs:
            tangent = forward_ad.unpack_dual(out).tangent
            if tangent is not None:
                assert tangent.dtype == out.dtype, f"tangent dtype {tangent.dtype} != {out.dtype}"
                assert tuple(tangent.shape) == tuple(out.shape), "tangent shape"
            found.append(None if tangent is None else to_numpy(lib, tangent))
        return outs, found


def reverse_jvp(f, arrays, tangents):
    """J t from the reverse-mode Jacobian, one output at a time."""
    jac = rowwise_jacobian(chainrule, f, arrays)
    flat_t = [t.reshape(-1).astype(np.float64) for t in tangents]
    return [sum(block @ t for block, t in zip(row, flat_t)) for row in jac]


def _check(found, expected, outs, what, empty=False, rtol=1e-7, atol=1e-9):
    assert len(found) == len(expected), what
    for k, (got, want) in enumerate(zip(found, expected)):
        if empty and got is not None:
            got = np.where(np.isnan(got), 0.0, got)
        if got is None:  # no tangent is right only where J t is zero
            assert np.all(want == 0), f"{what}: output {k} has no tangent, J t = {want}"
            continue
        assert got.shape == tuple(outs[k].shape), f"{what}: output {k} tangent shape"
        np.testing.assert_allclose(
            got.reshape(-1), want, rtol=rtol, atol=atol, err_msg=f"{what}: output {k}"
        )


@pytest.mark.parametrize("requires_grad", [False, True], ids=["tangent_only", "recorded"])
@pytest.mark.parametrize("spec,sample", PARAMS)
def test_forward_tangent_equals_reverse_jvp(spec, sample, requires_grad, request):
    if not _takes_float64(spec, sample):
        pytest.skip("sample has no float64 run")
    reason = NOT_DIFFERENTIABLE_RULE.get(spec.name)
    if reason is not None:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
    f, arrays = _setup(spec, sample)
    if not arrays:
        pytest.skip("no differentiable input")
    tangents = _tangents(arrays)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outs, found = forward_tangents(chainrule, f, arrays, tangents, requires_grad)
        expected = reverse_jvp(f, arrays, tangents)
    # an op on empty inputs may give nan tangents (torch's mean does): J t is then empty
    empty = all(a.size == 0 for a in arrays)
    _check(found, expected, outs, f"{spec.name}({sample})", empty)


@pytest.mark.parametrize("spec,sample", PARAMS)
def test_forward_tangent_matches_torch(spec, sample, request):
    torch = pytest.importorskip("torch")
    if spec.name in TORCH_FORWARD_DIFFERS:
        pytest.skip(TORCH_FORWARD_DIFFERS[spec.name])
    reason = NOT_DIFFERENTIABLE_RULE.get(spec.name)
    if reason is not None:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
    if not _takes_float64(spec, sample):
        pytest.skip("sample has no float64 run")
    f, arrays = _setup(spec, sample)
    if not arrays:
        pytest.skip("no differentiable input")
    tangents = _tangents(arrays)
    from test_ops import forms_of, materialize, op_function

    tree = materialize(spec, sample, "float64")
    torch_f = op_function(torch, spec, sample, tree, forms_of(spec, sample)[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            torch_outs, want = forward_tangents(torch, torch_f, arrays, tangents, True)
        except (NotImplementedError, RuntimeError) as error:
            # chainrule's tangent is still checked against reverse mode by the test above
            pytest.skip(f"torch's forward AD fails here: {str(error).splitlines()[0]}")
        outs, found = forward_tangents(chainrule, f, arrays, tangents, True)
    assert len(found) == len(want), f"{spec.name}: number of float outputs"
    for ours, theirs in zip(outs, torch_outs):
        if not np.allclose(to_numpy(chainrule, ours), to_numpy(torch, theirs), equal_nan=True):
            # e.g. singular vectors: the sign is a convention (test_ops checks the primal)
            pytest.skip("the primal differs from torch's (a convention), so its tangent does")
    empty = all(a.size == 0 for a in arrays)
    for k, (got, expected) in enumerate(zip(found, want)):
        if empty:  # on empty inputs torch's mean gives a nan tangent, its median 0
            got = None if got is None else np.nan_to_num(got, nan=0.0)
            expected = None if expected is None else np.nan_to_num(expected, nan=0.0)
        if expected is None and got is not None and np.any(got != 0):
            pytest.skip("torch gives this output no tangent (J t from reverse mode is checked)")
        if expected is None or got is None:
            zero = got if expected is None else expected
            assert zero is None or np.all(zero == 0), f"{spec.name}: output {k} tangent presence"
            continue
        np.testing.assert_allclose(
            got, expected, rtol=1e-6, atol=1e-8, err_msg=f"{spec.name}({sample}) output {k}"
        )
