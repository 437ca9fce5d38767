"""The "chain" programs: statement after statement on ``z``, in-place ops and views.

Each program starts from leaves ``x`` and ``y`` and ``z = x * 1``, then composes elementwise
ops, reductions, broadcasting binary ops, shape ops, indexing and in-place ops on the
non-leaf ``z``: methods, augmented assignment, ``z[i] = v``, ``z[mask] = 0``, in-place ops
through views (slices, transpose, view/reshape, expand, diagonal, unfold, movedim, views of
views, ...), in-place changes of saved tensors, and the errors torch raises for leaves,
multi-output views and no_grad views. Statements are run with torch while the program is
built, so shapes are known and every statement is one torch accepts -- or the one it
rejects, which ends the program.
"""

import warnings

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
    "trunc_ frac_ atan_ sinh_ expm1_ zero_ floor_ round_ exp2_ log_ rsqrt_ sign_ tril_ triu_"
).split()
INPLACE_BINARY = "add_ sub_ mul_ div_ lerp_ addcmul_ addcdiv_ atan2_ hypot_ copy_ pow_".split()
VIEWS = (
    "[1:]|[0]|.t()|.transpose(0, -1)|.view(-1)|.reshape(-1)|.diagonal()|.unsqueeze(0)|"
    ".expand(2, *z.shape)|[..., ::2]|.narrow(0, 0, 1)|.squeeze()|.select(0, -1)|.T|.mT|"
    "[:, 1]|.split(1)[0]|.unbind(0)[0]|.chunk(2)[-1]|.detach()|[::2]|[None]|.movedim(0, -1)|"
    ".swapaxes(0, -1)|.unfold(0, 1, 1)|.view_as(z)|.flatten()|.diagonal(1)|[1:][0]|"
    ".t()[0]|[..., None, :1]|.unflatten(0, (1, -1))|.narrow(-1, 1, 1)|.expand_as(z)|"
    ".tensor_split(2)[1]|[:, ::-1]|.view(-1)[1:]|.real"
).split("|")


def _operand(rng):
    return rng.choice(["y", "y", "2.0", "y.sum()", "-0.5", "y.exp()", "3"])


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


def _inplace_binary(rng, target):
    name = rng.choice(INPLACE_BINARY)
    operand = _operand(rng)
    tensor = operand if operand[0] == "y" else "y"
    if name == "lerp_":
        return f"{target}.lerp_({tensor}, {rng.choice(['0.3', 'y.sigmoid()'])})"
    if name == "addcmul_":
        return f"{target}.addcmul_(y, {tensor}, value={rng.choice(['0.5', '-2'])})"
    if name == "addcdiv_":
        return f"{target}.addcdiv_(y, {tensor}.exp(), value=0.5)"
    if name in ("atan2_", "hypot_", "copy_"):  # tensor operands only
        return f"{target}.{name}({tensor})"
    if name in ("add_", "sub_") and rng.random() < 0.3:
        return f"{target}.{name}({tensor}, alpha={rng.choice(['2', '-0.5'])})"
    if name == "pow_":
        return f"{target}.pow_({rng.choice(['2', '3', 'y', '0.5'])})"
    return f"{target}.{name}({operand})"


def _inplace_call(rng, target):
    kind = rng.random()
    if kind < 0.4:
        return f"{target}.{rng.choice(INPLACE_UNARY)}()"
    if kind < 0.75:
        return _inplace_binary(rng, target)
    return rng.choice(
        [
            f"{target}.clamp_(-0.5, 0.5)",
            f"{target}.clamp_min_(0.1)",
            f"{target}.clamp_max_(y)",
            f"{target}.fill_(0.5)",
            f"{target}.fill_(y.sum())",
            f"{target}.masked_fill_({target} > 0, 0.0)",
            f"{target}.masked_fill_({target} < 0, y.sum())",
            f"{target}.lt_(0.2)",
            f"{target}.index_fill_(0, torch.tensor([0]), -1.0)",
            f"{target}.index_add_(0, torch.tensor([0, 0]), "
            f"{target}[:1].expand(2, *{target}.shape[1:]) * 2)",
            f"{target}.scatter_add_(0, torch.zeros_like({target}, dtype=torch.int64), "
            f"y.expand_as({target}))",
            f"{target}.squeeze_()",
            f"{target}.unsqueeze_(0)",
            f"{target} += {_operand(rng)}",
            f"{target} *= {_operand(rng)}",
            f"{target} -= y * 0.5",
            f"{target} /= 2",
            f"{target} **= 2",
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
            "z[torch.tensor([0, 0])] = y.sum()",
            "z[0] += y.sum()",
            "z[..., ::2] *= 3",
            "z[z > 0] += 1",
        ]
    )


def _inplace(rng, z):
    """An in-place op on z (a non-leaf), directly or through a view, or a torch error."""
    kind = rng.random()
    if kind < 0.25:
        return _inplace_call(rng, "z")
    if kind < 0.4:
        return _setitem(rng, z)
    if kind < 0.75:
        view = rng.choice(VIEWS)
        line = f"v = z{view}\n{_inplace_call(rng, 'v')}"
        if rng.random() < 0.2:  # a view of the view, changed again
            line += f"\nu = v{rng.choice(VIEWS).replace('z', 'v')}\n{_inplace_call(rng, 'u')}"
        return line + rng.choice(["", "", "\nz = v * 1", "\nz = z + v.sum()"])
    return rng.choice(
        [
            f"w = z.{rng.choice(['exp', 'sigmoid', 'tanh', 'sin', 'mul(y)', 'pow(2)'])}()\n"
            f"{_inplace_call(rng, 'z')}\nz = w + z",  # a saved tensor may go stale
            f"w = z[:1].{rng.choice(['exp', 'sqrt', 'tanh', 'pow(3)', 'reciprocal'])}()\n"
            f"z[:1].{rng.choice(['mul_(2)', 'zero_()', 'add_(y.sum())'])}\nz = w + z[:1]",
            "x.add_(1)",  # a leaf that requires grad
            "x[0] = 1.0",
            "x.detach().add_(1)\nz = z + x",
            "with torch.no_grad():\n    x.mul_(1.0)",
            "with torch.no_grad():\n    v = z[:1]\nv.mul_(2)",
            "with torch.no_grad():\n    z.add_(1)",
            "z.detach().zero_()",
            "z.detach_()",
            "p = z.split(1)[0]\np.mul_(2)",
            "p = z.unbind(0)[0]\np.add_(1)",
            "z = z.clone()\nz.t_()" if z.dim() <= 2 else "z = z.clone()\nz.transpose_(0, 1)",
            "z.requires_grad_(False)",
            "z = z.detach().requires_grad_()\nx = z",
        ]
    )


STATEMENTS = (
    (_unary, 2),
    (_reduction, 1),
    (_binary, 2),
    (_shape_op, 2),
    (_inplace, 5),
)
_KINDS = [f for f, weight in STATEMENTS for _ in range(weight)]


def _shape(rng):
    return tuple(rng.choice([1, 2, 3]) for _ in range(rng.choice([0, 1, 1, 2, 2, 3])))


def generate_chain(rng, values, torch):
    """The lines of one chain program and its input values (VX, VY)."""
    dtype = rng.choice(["float32", "float64"])
    values["VX"] = values_uniform(rng, _shape(rng))
    values["VY"] = values_uniform(rng, _shape(rng))
    scope = {"torch": torch, **values}
    lines = [
        f"x = torch.tensor(VX, dtype=torch.{dtype}, requires_grad=True)",
        f"y = torch.tensor(VY, dtype=torch.{dtype}, requires_grad=True)",
        "z = x * 1",
    ]
    for line in lines:
        exec(line, scope)
    with warnings.catch_warnings():  # the run that is compared records them
        warnings.simplefilter("ignore")
        for _ in range(rng.randint(1, 6)):
            z = scope["z"]
            if z.numel() > 100 or not z.is_floating_point():
                break
            line = rng.choice(_KINDS)(rng, z)
            lines.append(line)
            try:
                exec(line, scope)
            except Exception:
                break
    return lines


def values_uniform(rng, shape, low=-1.0, high=1.0, digits=3):
    """Nested lists of numbers in [low, high], rounded (exact in float64 repr)."""
    if not shape:
        return round(rng.uniform(low, high), digits)
    return [values_uniform(rng, shape[1:], low, high, digits) for _ in range(shape[0])]
