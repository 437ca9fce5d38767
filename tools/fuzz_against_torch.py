"""A differential fuzzer: random programs run with torch and with chainrule, compared.

Each program is Python source over two leaves ``x`` and ``y`` (float32 or float64), built
statement by statement from a seeded random stream while torch runs it (so shapes are known
and every statement is one torch accepts -- or the one it rejects, which ends the program).
Statements compose elementwise ops, reductions, broadcasting binary ops, shape ops, indexing,
in-place ops on non-leaf tensors (methods, augmented assignment, ``z[i] = v``,
``z[mask] = 0``), views changed in place (slices, transpose, view/reshape, expand, diagonal,
unsqueeze, ...), in-place changes of saved tensors, and the errors torch raises for leaves,
multi-output views and no_grad views. chainrule then runs the same source. Compared: the
exception type (and the statement that raised), the final value, dtype, shape, version
counter, repr and grad_fn name, first derivatives of ``z.sum()`` with respect to ``x`` and
``y`` (taken with create_graph=True) and second derivatives (the gradient of the sum of the
squared first derivatives), with their reprs.

    python tools/fuzz_against_torch.py [N]        # N programs from seed 0 (default 500)
    python tools/fuzz_against_torch.py --many N   # the same, reporting progress
    python tools/fuzz_against_torch.py --show S   # print program S and both outcomes

Needs torch. Torch behaviour chainrule chooses not to follow (ALLOWED_DIFFERENCES, kept out
of the generated programs rather than filtered from the comparison):
- views made in no_grad mode of a tensor that requires grad print ``requires_grad=True`` in
  torch (and are leaves whose gradient is never filled); chainrule's are plain tensors. The
  in-place error for them is the same.
- ``scatter_reduce(..., "amax"/"amin", include_self=False)``: torch counts a left-out self
  value that ties with the result when sharing the gradient (so the gradient is partly
  lost); chainrule shares it among the values that were reduced (central differences agree).
- ``scatter_reduce(..., reduce="max")``: torch accepts the name in the forward and raises
  only in backward; chainrule raises in the forward.
"""

import os
import random
import re
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
import torch  # noqa: E402

import chainrule  # noqa: E402

warnings.simplefilter("ignore")

ALLOWED_DIFFERENCES = (
    "no_grad views print requires_grad=True in torch",
    "scatter_reduce amax/amin include_self=False: torch counts the left-out self value",
    "scatter_reduce reduce='max': torch raises in backward, chainrule in the forward",
    # the three below are accepted by compare():
    "a view's grad_fn after an unrecorded in-place change: AsStridedBackward0 in torch",
    "signed zeros in gradients (-0. vs 0. in a printed gradient)",
    "writes into (views of) expanded tensors: torch raises its overlap error in backward",
    "var/std of one element, prod of one: torch's constant first derivative has no graph"
    " (and, the other way round, a zero second derivative one side finds through a graph)",
    "memory layout: torch's clone() and elementwise results keep a permuted input's strides,"
    " so a later view() can fail in torch where chainrule's contiguous result is viewed, and"
    " reshape() is a view on one side and a copy on the other (ViewBackward0 /"
    " UnsafeViewBackward0)",
    "gradients of programs whose values contain nan or inf: backward formulas propagate"
    " nan differently (e.g. 0 * inf), so only values, reprs, dtypes, shapes and errors count",
    "signed zeros: -0. vs 0. where the sign of a zero is arbitrary (ties of max, gradients)",
    "float32 rounding: a float32 program that differs is accepted when it agrees in float64",
    "nan in second derivatives at singular points of a first-derivative formula (sinc' at 0,"
    " p=-1 norms of zeros): entries that are nan on one side only are not compared",
)

UNARY = (
    "exp sin cos tanh sigmoid relu abs neg sqrt log square reciprocal floor sign exp2 log1p "
    "expm1 atan sinh erf erfc lgamma digamma sinc deg2rad frac trunc t flatten clone contiguous"
).split()
REDUCTIONS = (
    "sum mean prod amax amin logsumexp std var norm softmax log_softmax cumsum cumprod "
    "logcumsumexp max min median"
).split()
BINARY = "add sub mul div maximum minimum atan2 pow remainder fmod hypot xlogy matmul".split()
INPLACE_UNARY = (
    "exp_ sin_ cos_ tanh_ sigmoid_ erf_ neg_ abs_ relu_ sqrt_ log1p_ reciprocal_ square_ "
    "trunc_ frac_ atan_ sinh_ expm1_ zero_"
).split()
INPLACE_BINARY = "add_ sub_ mul_ div_ lerp_ addcmul_ atan2_ hypot_ copy_".split()
VIEWS = (
    "[1:]|[0]|.t()|.transpose(0, -1)|.view(-1)|.reshape(-1)|.diagonal()|.unsqueeze(0)|"
    ".expand(2, *z.shape)|[..., ::2]|.narrow(0, 0, 1)|.squeeze()|.select(0, -1)|.T|.mT|"
    "[:, 1]|.split(1)[0]|.unbind(0)[0]|.chunk(2)[-1]|.detach()"
).split("|")


def _shape(rng):
    return tuple(rng.choice([1, 2, 3]) for _ in range(rng.choice([0, 1, 1, 2, 2, 3])))


def _operand(rng):
    return rng.choice(["y", "y", "2.0", "y.sum()", "-0.5", "y.exp()"])


def _unary(rng, z):
    return f"z = z.{rng.choice(UNARY)}()"


def _reduction(rng, z):
    name = rng.choice(REDUCTIONS)
    dim = rng.choice([None, 0, -1, 1])
    if name in ("softmax", "log_softmax", "cumsum", "cumprod", "logcumsumexp"):
        return f"z = z.{name}({0 if dim is None else dim})"
    if name in ("max", "min", "median") and dim is not None:
        return f"z = z.{name}({dim})[0]"
    return f"z = z.{name}()" if dim is None else f"z = z.{name}({dim})"


def _binary(rng, z):
    name = rng.choice(BINARY)
    other = rng.choice(["y", "y", "1.5", "y.t()"])
    if name == "matmul":
        return f"z = z @ {other if other != '1.5' else 'y'}"
    if other == "1.5" and name in ("maximum", "minimum", "atan2", "hypot", "xlogy"):
        other = "torch.tensor(1.5, dtype=z.dtype)"
    return f"z = torch.{name}(z, {other})"


def _shape_op(rng, z):
    nd = z.dim()
    choices = {
        "reshape": "z = z.reshape(-1)",
        "unsqueeze": f"z = z.unsqueeze({rng.randint(-nd - 1, nd)})",
        "squeeze": "z = z.squeeze()",
        "transpose": "z = z.transpose(0, -1)",
        "permute": f"z = z.permute({', '.join(str(d) for d in reversed(range(nd)))})",
        "expand": "z = z.expand(2, *z.shape)",
        "repeat": f"z = z.repeat({', '.join(['2'] + ['1'] * nd)})",
        "flip": "z = z.flip(0)",
        "index": "z = z[0]",
        "slice": "z = z[1:]",
        "cat": "z = torch.cat([z, z * 2], 0)",
        "stack": "z = torch.stack([z, y], 0)",
        "where": "z = torch.where(z > 0, z, y)",
        "clamp": "z = z.clamp(-0.5, 0.5)",
        "gather": "z = z.gather(0, torch.zeros_like(z, dtype=torch.int64))",
        "masked_fill": "z = z.masked_fill(z > 0.3, 0.0)",
        "sort": "z = z.sort(-1)[0]",
        "topk": "z = z.topk(1)[0]",
        "roll": "z = z.roll(1, 0)",
        "tril": "z = z.tril()",
        "diagonal": "z = z.diagonal()",
        "index_fill": "z = z.index_fill(0, torch.tensor([0]), -1.0)",
        "index_select": "z = z.index_select(0, torch.tensor([0, 0]))",
    }
    return choices[rng.choice(sorted(choices))]


def _inplace_call(rng, target):
    kind = rng.random()
    if kind < 0.45:
        return f"{target}.{rng.choice(INPLACE_UNARY)}()"
    if kind < 0.8:
        name = rng.choice(INPLACE_BINARY)
        operand = _operand(rng)
        if name == "lerp_":
            return f"{target}.lerp_({operand if operand[0] == 'y' else 'y'}, 0.3)"
        if name == "addcmul_":
            return f"{target}.addcmul_(y, y, value=0.5)"
        if name in ("atan2_", "hypot_", "copy_"):  # tensor operands only
            return f"{target}.{name}({operand if operand[0] == 'y' else 'y'})"
        return f"{target}.{name}({operand})"
    return rng.choice(
        [
            f"{target}.clamp_(-0.5, 0.5)",
            f"{target}.pow_(2)",
            f"{target}.fill_(0.5)",
            f"{target}.masked_fill_({target} > 0, 0.0)",
            f"{target}.lt_(0.2)",
            f"{target}.index_fill_(0, torch.tensor([0]), -1.0)",
            f"{target} += {_operand(rng)}",
            f"{target} *= {_operand(rng)}",
            f"{target} -= y * 0.5",
            f"{target} /= 2",
        ]
    )


def _setitem(rng, z):
    return rng.choice(
        [
            "z[0] = y.sum()",
            "z[z > 0] = 0",
            "z[..., :1] = 1.5",
            "z[0] = y",
            "z[torch.tensor([0])] = 2.0",
            "z[..., -1] = y.sum() * 2",
            "z[z < 0] = y.sum()",
        ]
    )


def _inplace(rng, z):
    """An in-place op on z (a non-leaf), directly or through a view, or a torch error."""
    kind = rng.random()
    if kind < 0.3:
        return _inplace_call(rng, "z")
    if kind < 0.5:
        return _setitem(rng, z)
    if kind < 0.8:
        view = rng.choice(VIEWS)
        line = f"v = z{view}\n{_inplace_call(rng, 'v')}"
        return line + ("\nz = v * 1" if rng.random() < 0.3 else "")
    return rng.choice(
        [
            f"w = z.{rng.choice(['exp', 'sigmoid', 'tanh', 'sin', 'mul(y)', 'pow(2)'])}()\n"
            f"{_inplace_call(rng, 'z')}\nz = w + z",  # a saved tensor may go stale
            "x.add_(1)",  # a leaf that requires grad
            "x[0] = 1.0",
            "with torch.no_grad():\n    x.mul_(1.0)",
            "with torch.no_grad():\n    v = z[:1]\nv.mul_(2)",
            "z.detach().zero_()",
            "p = z.split(1)[0]\np.mul_(2)",
            "z = z.clone()\nz.t_()" if z.dim() <= 2 else "z = z.clone()\nz.transpose_(0, 1)",
        ]
    )


STATEMENTS = (
    (_unary, 2),
    (_reduction, 1),
    (_binary, 2),
    (_shape_op, 2),
    (_inplace, 4),
)
_KINDS = [f for f, weight in STATEMENTS for _ in range(weight)]


def generate(seed):
    """The program for ``seed``: its statements, input values and torch's outcome."""
    rng = random.Random(seed)
    values = np.random.default_rng(seed)
    dtype = rng.choice(["float32", "float64"])
    inputs = (
        values.uniform(-1, 1, _shape(rng)).round(3).tolist(),
        values.uniform(-1, 1, _shape(rng)).round(3).tolist(),
    )
    scope = {"torch": torch, "VX": inputs[0], "VY": inputs[1]}
    lines = [
        f"x = torch.tensor(VX, dtype=torch.{dtype}, requires_grad=True)",
        f"y = torch.tensor(VY, dtype=torch.{dtype}, requires_grad=True)",
        "z = x * 1",
    ]
    for line in lines:
        exec(line, scope)
    for _ in range(rng.randint(1, 6)):
        z = scope["z"]
        if z.numel() > 100 or not z.is_floating_point():
            break
        line = rng.choice(_KINDS)(rng, z)
        lines.append(line)
        try:
            exec(line, scope)
        except Exception as error:
            return lines, inputs, ("raised", len(lines) - 1, type(error).__name__, str(error)[:200])
    return lines, inputs, finish(scope)


def run(lib, lines, values):
    """chainrule's (or torch's) outcome for a program."""
    scope = {"torch": lib, "VX": values[0], "VY": values[1]}
    for i, line in enumerate(lines):
        try:
            exec(line, scope)
        except Exception as error:
            return ("raised", i, type(error).__name__, str(error)[:200])
    return finish(scope)


def _array(g):
    if g is None:
        return None
    try:
        return np.array(g.tolist())
    except RuntimeError:  # torch's efficient zeros (ZeroTensor) have no storage to read
        return np.zeros(tuple(g.shape))


def _name(t):
    fn = t.grad_fn
    return None if fn is None else type(fn).__name__


def finish(scope):
    """Value, repr, grad_fn, version, first and second derivatives of the program's z."""
    lib = scope["torch"]
    x, y, z = scope["x"], scope["y"], scope["z"]
    result = {
        "value": np.array(z.detach().tolist(), dtype=np.float64),
        "dtype": str(z.dtype),
        "shape": tuple(z.shape),
        "repr": repr(z),
        "grad_fn": _name(z),
        "version": z._version,
    }
    if not z.requires_grad:
        return ("ok", result)
    try:
        out = z.sum() if z.dim() else z
        grads = lib.autograd.grad(out, (x, y), create_graph=True, allow_unused=True)
        result["grads"] = [_array(g) for g in grads]
        result["grad reprs"] = [None if g is None else repr(g.detach()) for g in grads]
        terms = [(g * g).sum() for g in grads if g is not None and g.requires_grad]
        if terms:
            total = terms[0] if len(terms) == 1 else terms[0] + terms[1]
            second = lib.autograd.grad(total, (x, y), allow_unused=True)
            result["second"] = [_array(g) for g in second]
    except Exception as error:
        return ("raised in backward", type(error).__name__, str(error)[:200], result)
    return ("ok", result)


_NEGATIVE_ZERO = re.compile(r"-(0\.0*)(?![0-9])")


def _skeleton(text):
    """A repr without its numbers and spacing (gradients agree to a tolerance, not digits)."""
    return re.sub(r"\s+", "", _NUMBER.sub("#", text))


def _signed_zeros_only(u, v):
    """Do two reprs differ only in the signs of zeros (and the widths that follow)?"""
    if not (_NEGATIVE_ZERO.search(u) or _NEGATIVE_ZERO.search(v)):
        return False
    return re.sub(r"\s+", "", _NEGATIVE_ZERO.sub(r"\1", u)) == re.sub(
        r"\s+", "", _NEGATIVE_ZERO.sub(r"\1", v)
    )


_NUMBER = re.compile(r"-?\d+\.?\d*(e[+-]?\d+)?|nan|inf")


def _close(a, b, dtype):
    rtol, atol = (2e-3, 2e-4) if dtype == "torch.float32" else (1e-6, 1e-8)
    return a.shape == b.shape and np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


def compare(theirs, ours, lines=()):
    """None when the outcomes agree, else what differs (ALLOWED_DIFFERENCES aside)."""
    if theirs[0] == "raised in backward" and theirs[2].startswith(
        "unsupported operation: more than one element"
    ):
        if ours[0] == "ok" or (ours[0] == "raised" and theirs[1:3] == ours[2:4]):
            return None  # writes into expanded tensors: torch finds the overlap in backward
    if (
        theirs[0] == "raised"
        and theirs[3].startswith("view size is not compatible")
        and ours[0] == "ok"
    ):
        return None  # torch kept a permuted layout that chainrule made contiguous
    if theirs[0] != ours[0]:
        return f"torch {theirs[:3]} vs chainrule {ours[:3]}"
    if theirs[0] == "raised":
        if theirs[1:3] != ours[1:3]:
            return f"torch raised {theirs[1:3]}, chainrule {ours[1:]}"
        return None
    if theirs[0] == "raised in backward":
        if theirs[1] != ours[1]:
            return f"backward: torch {theirs[1]}: {theirs[2]}, chainrule {ours[1]}: {ours[2]}"
        theirs, ours = ("ok", theirs[3]), ("ok", ours[3])
    a, b = dict(theirs[1]), dict(ours[1])
    views = ("ViewBackward0", "UnsafeViewBackward0", "ReshapeAliasBackward0")
    if a["grad_fn"] in views and b["grad_fn"] in views:  # reshape of another memory layout
        a["repr"] = a["repr"].replace(a["grad_fn"], b["grad_fn"])
        a["grad_fn"] = b["grad_fn"]
    if a["grad_fn"] == "AsStridedBackward0" and b["grad_fn"] is not None:
        # torch regenerates a view's node after any change of its version, recorded or not
        a["repr"] = a["repr"].replace("AsStridedBackward0", b["grad_fn"])
        a["grad_fn"] = b["grad_fn"]
    for key in ("dtype", "shape", "grad_fn", "version"):
        if a[key] != b[key]:
            return f"{key}: torch {a[key]} vs chainrule {b[key]}"
    if not _close(a["value"], b["value"], a["dtype"]):
        return "value differs"
    if (
        a["repr"] != b["repr"]
        and not _signed_zeros_only(a["repr"], b["repr"])
        and (
            _NUMBER.sub("#", a["repr"]) != _NUMBER.sub("#", b["repr"])
            or np.array_equal(a["value"], b["value"], equal_nan=True)
        )
    ):
        return f"repr: torch {a['repr']!r} vs chainrule {b['repr']!r}"
    if not np.isfinite(a["value"]).all():
        return None  # nan / inf values: gradients are not compared (ALLOWED_DIFFERENCES)
    if (
        "second" in b
        and "second" not in a
        and all(g is None or np.allclose(g, 0, atol=1e-6) for g in b["second"])
    ):
        b.pop("second")  # torch's constant first derivative (var or prod of one) has no graph
    if (
        "second" in a
        and "second" not in b
        and all(g is None or np.allclose(g, 0, atol=1e-6) for g in a["second"])
    ):
        a.pop("second")  # a zero derivative that one side still computes through a graph
    for key in ("grads", "second"):
        if (key in a) != (key in b):
            return f"{key}: present in {'torch' if key in a else 'chainrule'} only"
        for i, (u, v) in enumerate(zip(a.get(key, ()), b.get(key, ()))):
            if (u is None) != (v is None):
                return f"{key}[{i}]: None in {'torch' if u is None else 'chainrule'} only"
            if u is not None and key == "second" and (np.isnan(u).any() or np.isnan(v).any()):
                both = ~(np.isnan(u) | np.isnan(v))  # 0/0 in a formula: nan patterns differ
                u, v = u[both], v[both]
            if u is not None and not _close(u, v, a["dtype"]):
                return f"{key}[{i}] differs"
    for u, v in zip(a.get("grad reprs", ()), b.get("grad reprs", ())):
        if u is not None and v is not None and _signed_zeros_only(u, v):
            continue
        if u != v and (u is None or v is None or _skeleton(u) != _skeleton(v)):
            return f"grad repr: torch {u!r} vs chainrule {v!r}"
    return None


def check(seed: int):
    """None when torch and chainrule agree on program ``seed``, else what differs."""
    lines, values, theirs = generate(seed)
    problem = compare(theirs, run(chainrule, lines, values), lines)
    if problem and "float32" in lines[0]:
        # rounding or cancellation in float32? The same program in float64 must then agree
        lines = [line.replace("float32", "float64") for line in lines]
        if compare(run(torch, lines, values), run(chainrule, lines, values), lines) is None:
            return None
    return problem


def show(seed):
    lines, values, theirs = generate(seed)
    print(f"# program {seed}\nVX = {values[0]}\nVY = {values[1]}")
    print("\n".join(lines))
    ours = run(chainrule, lines, values)
    print("torch:    ", theirs)
    print("chainrule:", ours)
    print("difference:", compare(theirs, ours, lines))


def main(argv):
    if len(argv) > 2 and argv[1] == "--show":
        show(int(argv[2]))
        return 0
    many = len(argv) > 2 and argv[1] == "--many"
    count = int(argv[2] if many else argv[1]) if len(argv) > 1 else 500
    problems = []
    for seed in range(count):
        problem = check(seed)
        if problem:
            problems.append((seed, problem))
        if many and (seed + 1) % 500 == 0:
            print(f"{seed + 1} programs, {len(problems)} problems", flush=True)
    for seed, problem in problems[:60]:
        print(seed, problem if len(problem) < 300 else problem[:300] + " ...")
    print("programs", count, "problems", len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
