"""Tests for chainrule._printing against reprs recorded from PyTorch (tests/golden/printing.json).

Regenerate the golden file with ``python tools/gen_printing_golden.py`` (needs torch).
Only the last test uses torch, and it is skipped when torch is missing.
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden" / "printing.json"


def _load_module():
    """Import chainrule._printing, or load the file directly if the package is not usable."""
    try:
        from chainrule import _printing

        return _printing
    # Any failure (missing package, __init__ mid-edit) falls back: the module is standalone.
    except Exception:  # noqa: BLE001
        path = HERE.parent / "src" / "chainrule" / "_printing.py"
        spec = importlib.util.spec_from_file_location("_chainrule_printing", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


P = _load_module()
CASES = json.loads(GOLDEN.read_text())["cases"]
SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "-0.0": -0.0}


def rebuild(case: dict) -> np.ndarray:
    """The numpy array a golden case describes."""
    values = [SPECIAL.get(v, v) if isinstance(v, str) else v for v in case["values"]]
    dtype = np.dtype(case["dtype"])
    if dtype.kind == "f":
        array = np.array(values, dtype=np.float64).astype(dtype)
    else:
        array = np.array(values, dtype=dtype)
    return array.reshape(case["shape"])


@pytest.fixture(autouse=True)
def _default_options():
    P.set_printoptions(profile="default")
    yield
    P.set_printoptions(profile="default")


def test_enough_golden_cases():
    assert len(CASES) >= 250


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden(case):
    data = rebuild(case)
    with P.printoptions(**case["options"]):
        got = P.format_tensor(
            data, case["dtype"], case["default_dtype"], case["requires_grad"], case["grad_fn"]
        )
    assert got == case["expected"]
    assert P.get_printoptions()["precision"] == 4  # options restored


def test_docstring_examples():
    f32 = np.float32
    assert P.format_tensor(np.array([34, 816], dtype=f32), "float32") == "tensor([ 34., 816.])"
    assert (
        P.format_tensor(np.array(3, dtype=f32), "float32", grad_fn_name="AddBackward0")
        == "tensor(3., grad_fn=<AddBackward0>)"
    )
    assert (
        P.format_tensor(np.array([1, 2], dtype=np.int32), "int32")
        == "tensor([1, 2], dtype=torch.int32)"
    )
    assert (
        P.format_tensor(np.array(1, dtype=f32), "float32", requires_grad=True)
        == "tensor(1., requires_grad=True)"
    )
    assert P.format_tensor(np.array(140.59883, dtype=f32), "float32") == "tensor(140.5988)"


def test_get_printoptions_defaults_and_copy():
    opts = P.get_printoptions()
    assert opts == {
        "precision": 4,
        "threshold": 1000,
        "edgeitems": 3,
        "linewidth": 80,
        "sci_mode": None,
    }
    opts["precision"] = 9
    assert P.get_printoptions()["precision"] == 4


@pytest.mark.parametrize(
    "profile, expected",
    [
        ("default", (4, 1000, 3, 80)),
        ("short", (2, 1000, 2, 80)),
        ("full", (4, math.inf, 3, 80)),
    ],
)
def test_profiles(profile, expected):
    P.set_printoptions(precision=7, threshold=5, edgeitems=9, linewidth=33, sci_mode=True)
    P.set_printoptions(profile=profile)
    opts = P.get_printoptions()
    assert (opts["precision"], opts["threshold"], opts["edgeitems"], opts["linewidth"]) == expected
    assert opts["sci_mode"] is None


def test_explicit_options_override_profile():
    P.set_printoptions(profile="short", precision=6, linewidth=100)
    opts = P.get_printoptions()
    assert (opts["precision"], opts["edgeitems"], opts["linewidth"]) == (6, 2, 100)


def test_every_call_resets_sci_mode_like_torch():
    P.set_printoptions(sci_mode=True)
    P.set_printoptions(precision=3)
    assert P.get_printoptions()["sci_mode"] is None
    assert P.get_printoptions()["precision"] == 3


def test_unknown_profile_is_ignored_like_torch():
    P.set_printoptions(precision=3)
    P.set_printoptions(profile="bogus")
    assert P.get_printoptions()["precision"] == 3


def test_printoptions_restores_even_on_error():
    P.set_printoptions(sci_mode=True)
    with pytest.raises(KeyError), P.printoptions(precision=2):
        assert P.get_printoptions()["precision"] == 2
        assert P.get_printoptions()["sci_mode"] is None
        raise KeyError
    assert P.get_printoptions()["precision"] == 4
    assert P.get_printoptions()["sci_mode"] is True


def test_unknown_option_raises_type_error():
    with pytest.raises(TypeError):
        P.set_printoptions(bogus=1)
    with pytest.raises(TypeError), P.printoptions(bogus=1):
        pass


# torch stores any value and fails only when printing; these are the exception types it raises.
@pytest.mark.parametrize(
    "options, values, error",
    [
        ({"precision": "a"}, [1.5], ValueError),
        ({"precision": 2.5}, [1.5, 2.0], ValueError),
        ({"precision": -1}, 1.5, ValueError),
        ({"threshold": "x"}, [1.0, 2.0], TypeError),
        ({"threshold": "x"}, 1.0, TypeError),
        ({"linewidth": "x"}, [1.0, 2.0], TypeError),
    ],
)
def test_invalid_options_fail_when_printing(options, values, error):
    P.set_printoptions(**options)
    with pytest.raises(error):
        P.format_tensor(np.array(values, dtype=np.float32), "float32")


def test_invalid_precision_unused_for_integral_floats():
    P.set_printoptions(precision="a")  # torch never reads precision here either
    assert P.format_tensor(np.array([1.0, 2.0], dtype=np.float32), "float32") == "tensor([1., 2.])"


def _random_tensor(rng, torch):
    """A random tensor (up to 3-d) of a random dtype, with inf/nan/0 and wide magnitudes."""
    dtypes = ["float32", "float64", "float16", "int64", "int32", "int8", "uint8", "bool"]
    name = str(rng.choice(dtypes))
    shape = tuple(int(n) for n in rng.integers(0, 6, size=int(rng.integers(0, 4))))
    if rng.random() < 0.1 and shape:
        shape = (int(rng.integers(300, 1300)),) + shape[1:2]  # may be summarised
    n = int(np.prod(shape))
    if name == "bool":
        values = rng.random(n) < 0.5
    elif name.startswith("float"):
        values = rng.standard_normal(n) * 10.0 ** rng.integers(-12, 13)
        if rng.random() < 0.3:
            values = np.round(values)
        if rng.random() < 0.3:
            values = values * 10.0 ** rng.integers(-6, 7, n)
        special = rng.random(n) < rng.choice([0.0, 0.1, 0.4])
        values = np.where(special, rng.choice([0.0, -0.0, np.inf, -np.inf, np.nan], n), values)
    else:
        info = np.iinfo(np.dtype(name))
        high = min(int(info.max), 10 ** int(rng.integers(1, 19)))
        values = rng.integers(max(int(info.min), -high), high, n, endpoint=True)
    with np.errstate(all="ignore"):
        array = np.asarray(values).reshape(shape).astype(name)
    return name, torch.from_numpy(array)


def test_differential_against_torch():
    torch = pytest.importorskip("torch", reason="torch not installed: differential test skipped")
    rng = np.random.default_rng(1234)
    option_sets = [
        {},
        {},
        {"precision": 2},
        {"sci_mode": True},
        {"sci_mode": False},
        {"linewidth": 40},
        {"threshold": 10, "edgeitems": 2},
        {"profile": "short"},
    ]
    for i in range(400):
        name, t = _random_tensor(rng, torch)
        options = option_sets[i % len(option_sets)]
        grad_fn = None
        if name.startswith("float") and rng.random() < 0.3:
            t = t.clone().requires_grad_(True)
            if rng.random() < 0.5:
                t = t * 1
                grad_fn = type(t.grad_fn).__name__
        torch.set_printoptions(**options)
        try:
            expected = repr(t)
        finally:
            torch.set_printoptions(profile="default")
        with P.printoptions(**options):
            got = P.format_tensor(t.detach().numpy(), name, "float32", t.requires_grad, grad_fn)
        assert got == expected, (i, name, tuple(t.shape), options)
