"""The workload registry: cases (what is timed) and targets (which ratios are judged)."""

from collections.abc import Callable
from dataclasses import dataclass, field

from bench import adapters, probes
from bench import workloads as w
from bench.libs import FUNCTIONAL_STYLE, NUMPY_STYLE, TORCH_STYLE

BEST = "best"  # a target's chainrule side may be the fastest of chainrule's variants
RTOL = 1e-4  # gradient check: normwise relative error against torch
# W2's gradient is a product of ~N float32 factors: two correct float32 implementations can
# differ by about N * eps (autograd vs torch: 5.8e-4 at N=10,000), so W2 allows that much.
FLOAT32_EPS = 2.0**-23
FLAT_LIMIT = 2.0  # W2 "flat": chainrule's max/min per-op time over the N values


@dataclass(frozen=True)
class Case:
    key: str
    workload: str
    title: str
    per: str = "iteration"  # times are reported per iteration, or per op (divided by ``ops``)
    ops: int = 1
    metric: str = "time"  # time (s), memory (MB), size (MB)
    builders: dict[str, dict[str, Callable]] = field(default_factory=dict)  # style -> variant
    probe: Callable | None = None  # non-timed cases: (libs, options) -> entries
    rtol: float = RTOL  # gradient check tolerance (normwise relative error)


@dataclass(frozen=True)
class Target:
    label: str
    case: str
    mine: str  # chainrule variant (or BEST)
    ref: str  # torch variant
    limit: float | None  # None: shown for information only


@dataclass(frozen=True)
class Flat:
    """Per-op cost must stay flat: max/min of chainrule's per-op time over ``cases``."""

    label: str
    cases: tuple[str, ...]
    limit: float


def _case(key: str, title: str, torch=None, functional=None, numpy=None, **extra) -> Case:
    """A case whose workload is the key's prefix, with builders per API style."""
    found = {TORCH_STYLE: torch, FUNCTIONAL_STYLE: functional, NUMPY_STYLE: numpy}
    builders = {style: variants for style, variants in found.items() if variants}
    return Case(key, key.split("-")[0], title, builders=builders, **extra)


def _w2_sizes(full: bool) -> list[int]:
    return [1_000, 10_000, 100_000] + ([1_000_000] if full else [])


def _short(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1_000}k"


def _w2_cases(full: bool) -> list[Case]:
    return [
        _case(
            f"W2-{_short(n)}",
            f"scalar chain, N={n:,} ops",
            {"backward": w.w2_scalar_chain(n)},
            {"grad": adapters.fn_w2(n)},
            per="op",
            ops=n,
            rtol=max(RTOL, n * FLOAT32_EPS),
        )
        for n in _w2_sizes(full)
    ]


def _w4_cases(full: bool) -> list[Case]:
    shapes = [("small", (784, 512, 512, 10), 256)]
    if full:
        shapes.append(("big", (784, 2048, 2048, 10), 4096))
    return [
        _case(
            f"W4-{name}",
            f"MLP {'-'.join(map(str, sizes))}, batch {batch}",
            {"step": w.w4_mlp(sizes, batch)},
            {"grad": adapters.fn_w4(sizes, batch)},
        )
        for name, sizes, batch in shapes
    ] + [
        _case(
            "W4-cnn",
            "CNN conv-relu-pool x2 + linear, 32 images 3x32x32",
            {"step": w.w4_cnn(32)},
            rtol=1e-3,
        )
    ]


JACOBIANS = {
    "functional.jacobian": w.w5_functional_jacobian(),
    "functional.jacobian(vectorize=True)": w.w5_functional_jacobian(vectorize=True),
    "func.jacrev": w.w5_jacrev,
}
HESSIANS = {"functional.hessian": w.w6_functional_hessian, "func.hessian": w.w6_func_hessian}


def w7_builders(n: int) -> dict[str, dict[str, Callable]]:
    """W7's builders by style (the memory probe reuses them)."""
    return _case(
        "W7",
        "",
        {"backward": w.w7_regression(n)},
        {"grad": adapters.fn_w7(n)},
        {"hand-written": adapters.numpy_w7(n)},
    ).builders


def _w7_cases(n: int) -> list[Case]:
    timed = Case("W7-time", "W7", f"linear-regression gradient, N={n:,}", builders=w7_builders(n))
    memory = Case(
        "W7-mem", "W7", f"peak extra memory, N={n:,}", metric="memory", probe=probes.memory_probe(n)
    )
    return [timed, memory]


def all_cases(full: bool = False) -> list[Case]:
    return [
        _case(
            "W1",
            "seed scalar: exp(2x^3 + x)",
            {"backward": w.w1_seed_scalar},
            {"grad": adapters.fn_w1},
        ),
        *_w2_cases(full),
        _case(
            "W3",
            f"small tensors: {w.W3_OPS} ops on 64-vectors",
            {"backward": w.w3_small_tensors},
            {"grad": adapters.fn_w3},
            per="op",
            ops=w.W3_OPS,
        ),
        *_w4_cases(full),
        _case("W5", "Jacobian of tanh(W @ x), W 200x200", JACOBIANS, {"jacobian": adapters.fn_w5}),
        _case(
            "W6", "Hessian of sum(tanh(A @ x)^2), x in R^100", HESSIANS, {"hessian": adapters.fn_w6}
        ),
        *_w7_cases(10_000_000 if full else 1_000_000),
        Case("W8-import", "W8", "import time (fresh process)", probe=probes.import_probe),
        Case("W8-size", "W8", "installed package size", metric="size", probe=probes.size_probe),
        _case(
            "W9",
            "third derivative via nested autograd.grad",
            {"autograd.grad x3": w.w9_third_derivative},
            {"grad(grad(grad))": adapters.fn_w9},
        ),
    ]


def _same(label: str, case: str, variant: str, limit: float | None) -> Target:
    """A target comparing the same variant in both libraries."""
    return Target(label, case, variant, variant, limit)


def targets(full: bool = False) -> list[Target | Flat]:
    w2 = [f"W2-{_short(n)}" for n in _w2_sizes(full)]
    found = [_same("W1 seed scalar", "W1", "backward", 0.25)]
    found += [_same(f"W2 per op, N={key[3:]}", key, "backward", 0.4) for key in w2]
    found.append(Flat("W2 per-op spread (max/min over N)", tuple(w2), FLAT_LIMIT))
    found.append(_same("W3 per op", "W3", "backward", 0.7))
    found.append(_same("W4 small MLP step", "W4-small", "step", 1.0))
    if full:
        found.append(_same("W4 big MLP step", "W4-big", "step", 0.95))
    return found + [
        Target("W5 best vs torch.func.jacrev", "W5", BEST, "func.jacrev", 1.0),
        _same("W5 functional.jacobian vs torch default", "W5", "functional.jacobian", 0.25),
        Target("W6 best vs torch.func.hessian", "W6", BEST, "func.hessian", 1.0),
        _same("W6 functional.hessian vs torch default", "W6", "functional.hessian", 0.25),
        _same("W7 time", "W7-time", "backward", 0.35),
        _same("W7 peak extra memory", "W7-mem", "backward", 0.75),
        _same("W8 import time", "W8-import", "import", 0.09),
        _same("W8 installed size", "W8-size", "package", None),
        _same("W9 third derivative", "W9", "autograd.grad x3", 1.0),
    ]


def select(cases: list[Case], only: str | None) -> list[Case]:
    """``--only W1,W3`` keeps those workloads; case keys such as ``W2-10k`` work too."""
    if not only:
        return cases
    wanted = {token.strip().upper() for token in only.split(",") if token.strip()}
    return [c for c in cases if c.workload.upper() in wanted or c.key.upper() in wanted]
