"""float16 bits of every op in the op table, forward and backward, for torch and chainrule.

``run(lib)`` returns ``{key: outcome}``: for each registered op that can be called on
float16 tensors in one of a few standard ways (see CALLS), the bits of its result on two
input sets, and of the gradients a fixed cotangent gives its float16 inputs. Outcomes are
``describe`` strings from tests/dtype_cases.py or ``"<ExceptionType>: <message>"``.

The inputs mix what exposes half-precision mistakes: values across the half range, values
near overflow (65504), subnormals (below 6.1e-5), exact ties (x.5, halfway between two
halves), signed zeros and ordinary values.

tools/gen_half_golden.py stores torch's outcomes in tests/golden/half_bits.json.
"""

from __future__ import annotations

import warnings

import numpy as np
from dtype_cases import describe

SHAPE = (6, 8)

# ops whose results are random draws (chainrule's streams are its own by design) or that
# create tensors from sizes rather than from the values given
SKIP = {
    "bernoulli", "dropout", "multinomial", "normal", "poisson", "rand_like", "randint_like",
    "randn_like", "rrelu", "empty_like", "nn.functional.dropout", "feature_alpha_dropout",
    "alpha_dropout", "randperm", "rand", "randn", "randint", "empty", "uniform_", "normal_",
}  # fmt: skip


def inputs() -> dict:
    """Two float16 input sets of SHAPE: signed values and positive values."""
    rng = np.random.default_rng(20261208)
    special = [65504.0, -65504.0, 60000.0, -5e4, 3e4, 6.1e-5, 6e-8, -3e-6, 1e-7, 0.0, -0.0]
    ties = [0.5, 1.5, 2.5, -2.5, 2049.0, 4097.0, 1.00048828125, 0.33325195]
    n = SHAPE[0] * SHAPE[1]
    wide = rng.uniform(-6e4, 6e4, 8)
    small = rng.standard_normal(n - len(special) - len(ties) - len(wide)) * 3
    mixed = np.concatenate([special, ties, wide, small]).astype(np.float16)
    rng.shuffle(mixed)
    positive = (np.abs(mixed) + np.float16(1e-3)).astype(np.float16)
    other = rng.standard_normal(n).astype(np.float16) * np.float16(2)
    third = rng.uniform(0.1, 0.9, n).astype(np.float16)
    reshape = lambda a: a.reshape(SHAPE)  # noqa: E731
    return {
        "mixed": reshape(mixed),
        "positive": reshape(positive),
        "other": reshape(other),
        "third": reshape(third),
    }


# Ways to call an op on float16 tensors x, y, z; the first one torch accepts is used.
CALLS = {
    "f(x)": lambda f, x, y, z: f(x),
    "f(x,y)": lambda f, x, y, z: f(x, y),
    "f(x,1)": lambda f, x, y, z: f(x, 1),
    "f(x,y,z)": lambda f, x, y, z: f(x, y, z),
    "f(x,y,0.3)": lambda f, x, y, z: f(x, y, 0.3),
    "f(x,2)": lambda f, x, y, z: f(x, 2),
    "f(x,0.5)": lambda f, x, y, z: f(x, 0.5),
    "f(x,y.T)": lambda f, x, y, z: f(x, y.T),
    "f(x[0],y[0])": lambda f, x, y, z: f(x[0], y[0]),
}


def _square(t):
    return t[:, :6]


# Ops that need arguments of particular shapes or kinds: the call used for each.
EXTRA_CALLS = {
    "addmm": lambda f, x, y, z: f(_square(z), x, y.T),
    "addmv": lambda f, x, y, z: f(z[:, 0], x, y[0]),
    "addr": lambda f, x, y, z: f(x, y[:, 0], z[0]),
    "addbmm": lambda f, x, y, z: f(z[:3, :3], x.reshape(2, 3, 8), y.reshape(2, 8, 3)),
    "baddbmm": lambda f, x, y, z: f(z[:3, :3], x.reshape(2, 3, 8), y.reshape(2, 8, 3)),
    "bmm": lambda f, x, y, z: f(x.reshape(2, 3, 8), y.reshape(2, 8, 3)),
    "mv": lambda f, x, y, z: f(x, y[0]),
    "einsum": lambda f, x, y, z: f("ij,kj->ik", x, y),
    "cdist": lambda f, x, y, z: f(x, y),
    "nn.functional.layer_norm": lambda f, x, y, z: f(x, (8,)),
    "nn.functional.batch_norm": lambda f, x, y, z: f(x, None, None, training=True),
    "conv1d": lambda f, x, y, z: f(x.reshape(1, 6, 8), y.reshape(2, 6, 4)),
    "nn.functional.conv1d": lambda f, x, y, z: f(x.reshape(1, 6, 8), y.reshape(2, 6, 4)),
    "conv2d": lambda f, x, y, z: f(x.reshape(1, 1, 6, 8), y[:3, :3].reshape(1, 1, 3, 3)),
    "nn.functional.conv2d": lambda f, x, y, z: f(
        x.reshape(1, 1, 6, 8), y[:3, :3].reshape(1, 1, 3, 3)
    ),
    "nn.functional.avg_pool2d": lambda f, x, y, z: f(x.reshape(1, 6, 8), 2),
    "max_pool2d": lambda f, x, y, z: f(x.reshape(1, 6, 8), 2),
    "nn.functional.max_pool2d": lambda f, x, y, z: f(x.reshape(1, 6, 8), 2),
    "nn.functional.interpolate": lambda f, x, y, z: f(x.reshape(1, 6, 8), scale_factor=2),
    "quantile": lambda f, x, y, z: f(x, 0.3),
    "nanquantile": lambda f, x, y, z: f(x, 0.3),
    "renorm": lambda f, x, y, z: f(x, 2, 0, 5),
    "polygamma": lambda f, x, y, z: f(1, x),
    "cross": lambda f, x, y, z: f(x[:, :3], y[:, :3], dim=1),
    "linalg.cross": lambda f, x, y, z: f(x[:, :3], y[:, :3]),
    "stack": lambda f, x, y, z: f([x, y]),
    "cat": lambda f, x, y, z: f([x, y]),
    "det": lambda f, x, y, z: f(_square(x)),
    "linalg.det": lambda f, x, y, z: f(_square(x)),
    "inverse": lambda f, x, y, z: f(_square(x)),
    "linalg.inv": lambda f, x, y, z: f(_square(x)),
    "matrix_exp": lambda f, x, y, z: f(_square(z)),
    "linalg.svdvals": lambda f, x, y, z: f(x),
    "masked_fill": lambda f, x, y, z: f(x, y > 0, 0.3),
    "gather": lambda f, x, y, z: f(x, 1, (y > 0).long()),
    "index_select": lambda f, x, y, z: f(x, 1, (y[0] > 0).long()),
    "take_along_dim": lambda f, x, y, z: f(x, (y > 0).long(), 1),
    "scatter_add": lambda f, x, y, z: f(x, 1, (y > 0).long(), z),
    "index_add": lambda f, x, y, z: f(x, 0, (y[:, 0] > 0).long(), z),
    "nn.functional.pad": lambda f, x, y, z: f(x, (1, 2)),
    "nn.functional.embedding": lambda f, x, y, z: f((y > 0).long(), x),
}


def resolve(lib, name):
    """torch.<name> (dotted names: torch.linalg.det), else the Tensor method."""
    target = lib
    for part in name.split("."):
        target = getattr(target, part, None)
        if target is None:
            break
    if target is None:
        method = getattr(lib.Tensor, name, None)
        if method is None:
            return None
        return lambda *args: method(*args)
    return target


def _tensors(lib, arrays, requires_grad):
    return [lib.tensor(a.copy(), requires_grad=requires_grad) for a in arrays]


def _first_tensor(result):
    if isinstance(result, (tuple, list)):
        for item in result:
            found = _first_tensor(item)
            if found is not None:
                return found
        return None
    if hasattr(result, "dtype") and hasattr(result, "shape"):
        return result
    values = getattr(result, "values", None)  # named tuples of torch.return_types
    return values if hasattr(values, "dtype") else None


def _grads(lib, out, leaves):
    """Gradients of the float16 leaves under a fixed cotangent (rounded to half)."""
    if not getattr(out, "requires_grad", False) or out.dtype != lib.float16:
        return []
    count = int(np.prod(out.shape)) if out.shape else 1
    cotangent = np.linspace(-2.0, 2.0, max(count, 1)).astype(np.float16).reshape(tuple(out.shape))
    used = [t for t in leaves]
    grads = lib.autograd.grad(out, used, lib.tensor(cotangent), allow_unused=True)
    return [g for g in grads]


def _outcome_of(thunk):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return thunk(), None
    except Exception as exc:  # noqa: BLE001 (errors are part of the behaviour)
        return None, f"{type(exc).__name__}: {exc}"


def signatures(torch, names) -> dict:
    """name -> the CALLS key torch accepts with float16 operands (ops with none are left
    out: they need arguments of other kinds)."""
    data = inputs()
    found = {}
    for name in names:
        f = resolve(torch, name)
        if f is None or name in SKIP:
            continue
        x, y, z = _tensors(torch, [data["positive"], data["other"], data["third"]], False)
        calls = {"extra": EXTRA_CALLS[name]} if name in EXTRA_CALLS else CALLS
        for call_name, call in calls.items():
            result, error = _outcome_of(lambda: call(f, x, y, z))  # noqa: B023
            if error is None and _first_tensor(result) is not None:
                found[name] = call_name
                break
    return found


def run(lib, table: dict) -> dict:
    """``{key: outcome}`` for each (op, call) of ``table`` on both input sets."""
    data = inputs()
    out = {}
    for name, call_name in table.items():
        f = resolve(lib, name)
        call = EXTRA_CALLS[name] if call_name == "extra" else CALLS[call_name]
        for set_name in ("mixed", "positive"):
            key = f"{name}|{call_name}|{set_name}"
            if f is None:
                out[key] = "missing"
                continue
            leaves = _tensors(lib, [data[set_name], data["other"], data["third"]], True)
            result, error = _outcome_of(lambda: call(f, *leaves))  # noqa: B023
            first = None if error else _first_tensor(result)
            if first is None:
                out[key] = error or f"returned {type(result).__name__}"
                continue
            out[key] = describe(first)
            grads, error = _outcome_of(lambda: _grads(lib, first, leaves))  # noqa: B023
            if error is not None:
                out[key + "|grad"] = error
            for i, grad in enumerate(grads or []):
                if grad is not None:
                    out[f"{key}|grad{i}"] = describe(grad)
    return out
