"""Program families beyond the chains: indexing with duplicates, dtype mixes, reductions
over dim tuples, scans, nn.functional, linalg with gradients, the autograd API and programs
built to raise. Each generator returns the lines of one program; the inputs it needs are
added to ``values`` (``V0``, ``V1``, ...). A program leaves its result in ``z`` (compared
with its first and second derivatives with respect to the leaves ``x`` and ``y``) and may
record other values with ``R(...)``.
"""

import re

from .chain import values_uniform


def allowed(texts, pending):
    """The texts that match none of the pending regexes (see fuzzing.PENDING)."""
    return [t for t in texts if not any(re.search(p, t) for p in pending)]


def new_value(rng, values, shape, low=-1.0, high=1.0, digits=3):
    """Add random input values of ``shape``; return their name."""
    name = f"V{len(values)}"
    values[name] = values_uniform(rng, shape, low, high, digits)
    return name


def leaf(rng, values, name, shape, dtype="float64", low=-1.0, high=1.0):
    v = new_value(rng, values, shape, low, high)
    return f"{name} = torch.tensor({v}, dtype=torch.{dtype}, requires_grad=True)"


def _float(rng):
    return rng.choice(["float32", "float64"])


def _index(rng, size, count):
    return "torch.tensor([" + ", ".join(str(rng.randrange(size)) for _ in range(count)) + "])"


def gen_indexing(rng, values, pending):
    """Advanced indexing with repeated indices: reads, accumulating writes, gather/scatter."""
    dtype = _float(rng)
    n, m = rng.choice([2, 3, 4]), rng.choice([1, 2, 3])
    k = rng.choice([2, 3, 5])
    lines = [leaf(rng, values, "x", (n, m), dtype), f"idx = {_index(rng, n, k)}"]
    src_shape = (k, m)
    lines.append(leaf(rng, values, "y", src_shape, dtype))
    scatter_index = (
        "torch.tensor(" + str([[rng.randrange(n) for _ in range(m)] for _ in range(k)]) + ")"
    )
    reduce = rng.choice(["sum", "prod", "mean", "amax"])
    include = reduce == "amax" or rng.random() < 0.5  # amax: see ALLOWED_DIFFERENCES
    choices = [
        "z = x[idx]",
        "z = x[idx, 0]",
        f"z = x[:, {_index(rng, m, 3)}]",
        "z = x[idx].flip(0)",
        "z = x[idx, idx % x.shape[1]]",
        "z = x[idx.view(-1, 1), torch.tensor([[0]])]",
        f"z = x.index_add(0, idx, y, alpha={rng.choice([1, 2, -0.5])})",
        "z = x * 1\nz.index_add_(0, idx, y)",
        "z = x.index_put((idx,), y, accumulate=True)",
        "z = x * 1\nz.index_put_((idx,), y, accumulate=True)",
        "z = x * 1\nz.index_put_((idx, idx % x.shape[1]), y[:, 0], accumulate=True)",
        "z = x * 1\nz[idx] = 0.5",
        "z = x * 1\nz[idx] = y.sum()",
        "z = x * 1\nz[idx] += y.sum()",
        "z = x * 1\nz[idx, 0] = y[0, 0]",
        f"z = x.gather(0, {scatter_index}[:x.shape[0]])",
        f"z = x.take_along_dim({scatter_index}[:x.shape[0]], 0)",
        "z = x.take(idx)",
        "z = x.index_select(0, idx)",
        "z = torch.zeros(x.shape[0], y.shape[1], dtype=x.dtype)"
        f".scatter_add(0, {scatter_index}, y) + x",
        f"i = {scatter_index}[:x.shape[0]]\nz = x.scatter_reduce(0, i, x[:i.shape[0]] * 2, 'sum')",
        f"z = x.scatter_reduce(0, {scatter_index}, y, {reduce!r}, include_self={include})",
        "z = x.scatter(0, torch.tensor([list(range(x.shape[1]))]), y[:1])",
        f"z = x.scatter(0, torch.tensor([list(range(x.shape[1]))]), {rng.choice(['1.5', '-2.0'])})",
        "z = x.index_fill(0, idx, -1.0)",
        "z = x.masked_select(x > 0)",
        "z = x.clone()\nz.masked_scatter_(z > 0, y.reshape(-1).repeat(4))",
        "z = torch.nn.functional.embedding(idx, x)",
    ]
    line = rng.choice(choices)
    lines.append(line)
    if rng.random() < 0.3:
        lines.append("R(idx)\nz = z * y.sum()")
    return lines


DTYPES = ["int64", "int32", "int16", "uint8", "bool", "float16", "float32", "float64"]
PY_SCALARS = ["2", "-3", "0", "True", "False", "2.5", "-0.5", "1e-3"]


def _operand(rng, values, name, grad_ok):
    dtype = rng.choice(DTYPES + ["scalar", "scalar"])
    if dtype == "scalar":
        return f"{name} = {rng.choice(PY_SCALARS)}", False
    shape = rng.choice([(), (), (2,), (3,), (2, 3), (1, 3)])
    if dtype == "bool":
        v = new_value(rng, values, shape)
        return f"{name} = torch.tensor({v}) > 0", False
    if dtype in ("int64", "int32", "int16", "uint8"):
        low = 0 if dtype == "uint8" else -5
        v = new_value(rng, values, shape, low, 5, 0)
        return f"{name} = torch.tensor({v}, dtype=torch.{dtype}).to(torch.{dtype})", False
    v = new_value(rng, values, shape, -2, 2, 2)
    grad = grad_ok and rng.random() < 0.7
    tail = ", requires_grad=True" if grad else ""
    return f"{name} = torch.tensor({v}, dtype=torch.{dtype}{tail})", grad


DTYPE_BINARY = [
    "a + b",
    "a - b",
    "a * b",
    "a / b",
    "a // b",
    "a % b",
    "a ** b",
    "torch.add(a, b, alpha=2)",
    "torch.maximum(a, b)",
    "torch.minimum(a, b)",
    "torch.where(a > 0, a, b)",
    "a == b",
    "a < b",
    "torch.true_divide(a, b)",
    "torch.div(a, b, rounding_mode='floor')",
    "torch.div(a, b, rounding_mode='trunc')",
    "torch.remainder(a, b)",
    "torch.fmod(a, b)",
    "torch.atan2(a, b)",
    "torch.hypot(a, b)",
    "torch.xlogy(a, b)",
    "torch.copysign(a, b)",
    "a & b",
    "a | b",
    "a ^ b",
    "torch.logical_and(a, b)",
    "torch.clamp(a, min=b)",
    "torch.lerp(a, b, 0.25)",
    "torch.heaviside(a, b)",
    "torch.float_power(a, b)",
    "torch.logaddexp(a, b)",
    "torch.eq(a, b).sum()",
    "torch.isclose(a, b)",
]

# functions whose second argument must be a tensor (torch's parser rejects a number with
# a long message listing its signatures, not worth imitating)
TENSOR_ONLY = {
    "torch.where",
    "torch.heaviside",
    "torch.lerp",
    "torch.copysign",
    "torch.clamp",
    "torch.isclose",
    "torch.logaddexp",
    "torch.hypot",
    "torch.atan2",
    "torch.maximum",
    "torch.minimum",
    "torch.logical_and",
}


def gen_dtypes(rng, values, pending):
    """A binary op, in-place op or reduction on a mix of dtypes, 0-d tensors, scalars."""
    first, grad_a = _operand(rng, values, "a", True)
    second, grad_b = _operand(rng, values, "b", True)
    if "torch" not in first:  # a Python number first: torch's argument parser says no
        first = first.replace("a = ", "a = torch.tensor(") + ")"
    lines = [first, second]
    if grad_a:
        lines.append("x = a")
    if grad_b:
        lines.append("y = b")
    kind = rng.random()
    if kind < 0.6:
        expr = rng.choice(DTYPE_BINARY)
        if "torch" not in second and expr.split("(")[0] in TENSOR_ONLY:
            lines[1] = second.replace("b = ", "b = torch.tensor(") + ")"
        lines.append(f"z = {expr}")
    elif kind < 0.8:
        op = rng.choice(
            ["add_", "mul_", "sub_", "div_", "copy_", "clamp_", "pow_", "fill_", "masked_fill_"]
        )
        lines.append("a = a * 1" if grad_a else "a = a.clone()")
        if op == "clamp_":
            lines.append("a.clamp_(min=b)")
        elif op == "masked_fill_":
            lines.append("a.masked_fill_(a > 0, b)")
        elif op == "fill_":
            lines.append("a.fill_(b)")
        else:
            lines.append(f"a.{op}(b)")
        lines.append("z = a")
    else:
        op = rng.choice(
            [
                "sum()",
                "mean()",
                "prod()",
                "cumsum(0)",
                "sum(dtype=torch.float64)",
                "to(torch.float16)",
                "double()",
                "float()",
                "long()",
                "int()",
                "bool()",
                "half()",
                "abs()",
                "neg()",
                "sqrt()",
                "exp()",
                "sign()",
                "argmax()",
                "max()",
                "std()",
                "floor()",
                "round()",
                "mean(0)",
                "type(torch.int32)",
                "to(b.dtype)" if "torch" in second else "clone()",
            ]
        )
        lines.append(f"z = a.{op}")
    lines.append("R(z.dtype if isinstance(z, torch.Tensor) else type(z).__name__)")
    return lines


REDUCE_NAMES = [
    "sum",
    "mean",
    "amax",
    "amin",
    "std",
    "var",
    "norm",
    "logsumexp",
    "nansum",
    "nanmean",
    "count_nonzero",
    "all",
    "any",
    "var_mean",
    "std_mean",
    "prod",
    "vector_norm",
]


def _dims(rng, nd):
    count = rng.randint(1, nd)
    dims = rng.sample(range(nd), count)
    return [d - nd if rng.random() < 0.4 else d for d in dims]


def gen_reductions(rng, values, pending):
    """Reductions over tuples of dims (and one dim, and none), with and without keepdim."""
    dtype = _float(rng)
    shape = tuple(rng.choice([1, 2, 3]) for _ in range(rng.choice([2, 3, 3])))
    lines = [leaf(rng, values, "x", shape, dtype)]
    name = rng.choice(REDUCE_NAMES)
    dims = _dims(rng, len(shape))
    dim = str(tuple(dims)) if len(dims) > 1 or rng.random() < 0.5 else str(dims[0])
    keep = rng.choice([True, False])
    if name in ("std", "var", "var_mean", "std_mean"):
        extra = rng.choice(["", ", correction=0", ", unbiased=False", ", correction=2"])
        call = f"torch.{name}(x, {dim}{extra}, keepdim={keep})"
    elif name == "norm":
        p = rng.choice(["2", "1", "3", "float('inf')", "'fro'"])
        if p == "'fro'" and dim.count(",") > 1:
            p = "2"
        call = f"x.norm({p}, {dim}, keepdim={keep})"
    elif name == "vector_norm":
        p = rng.choice(["2", "1", "0.5", "float('inf')", "0"])
        call = f"torch.linalg.vector_norm(x, {p}, {dim}, keepdim={keep})"
    elif name in ("count_nonzero",):
        call = f"torch.count_nonzero(x > 0, {dim})"
    elif name in ("all", "any"):
        call = f"(x > 0).{name}({dim}, keepdim={keep})"
    elif name == "prod":
        call = f"x.prod({dims[0]}, keepdim={keep})"
    else:
        call = f"x.{name}({dim}, keepdim={keep})"
    if name in ("var_mean", "std_mean"):
        lines.append(f"r = {call}\nR(r)\nz = r[0] + r[1]")
    else:
        lines.append(f"z = {call}")
    if rng.random() < 0.3:
        lines.insert(1, "x0 = x\nx = x * 1\nx[0] = x[-1]\nz0 = x")
        lines[-1] = lines[-1] + "\nx = x0"
    return lines


def gen_scans(rng, values, pending):
    """cumsum, cumprod (with zeros), cummax, cummin, logcumsumexp along a dim, backward."""
    dtype = _float(rng)
    shape = tuple(rng.choice([1, 2, 3, 4]) for _ in range(rng.choice([1, 2, 2, 3])))
    lines = [leaf(rng, values, "x", shape, dtype)]
    dim = rng.randint(-len(shape), len(shape) - 1)
    name = rng.choice(["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "cumprod0"])
    if name == "cumprod0":  # zeros in a product: the gradient still exists
        lines.append("x0 = x.clone()\nx0 = torch.where(x0.abs() < 0.4, 0.0, x0)")
        lines.append(f"z = x0.cumprod({dim})")
    elif name in ("cummax", "cummin"):
        lines.append(f"r = x.round(decimals=1).{name}({dim})\nR(r.indices)\nz = r.values")
    elif name == "cumsum" and rng.random() < 0.3:
        lines.append(f"z = torch.cumsum(x, dim={dim}, dtype=torch.float64)")
    else:
        lines.append(f"z = torch.{name}(x, {dim})")
    if rng.random() < 0.3:
        lines.append("z = z * z")
    return lines


ACTIVATIONS = [
    "F.relu(x)",
    "F.gelu(x)",
    "F.gelu(x, approximate='tanh')",
    "F.silu(x)",
    "F.elu(x, 0.5)",
    "F.selu(x)",
    "F.celu(x, 1.5)",
    "F.leaky_relu(x, 0.2)",
    "F.softplus(x, beta=2)",
    "F.softplus(x, beta=1, threshold=0.5)",
    "F.hardtanh(x, -0.5, 0.5)",
    "F.hardsigmoid(x * 4)",
    "F.hardswish(x * 4)",
    "F.mish(x)",
    "F.softsign(x)",
    "F.tanhshrink(x)",
    "F.logsigmoid(x)",
    "F.softmax(x, -1)",
    "F.log_softmax(x, 0)",
    "F.softmin(x, -1)",
    "F.glu(x.repeat(2, 2), -1)",
    "F.relu6(x * 8)",
    "F.threshold(x, 0.1, -1.0)",
    "torch.sigmoid(x)",
    "F.tanh(x)",
    "F.normalize(x, dim=-1)",
    "F.normalize(x, p=1, dim=0)",
    "F.prelu(x, torch.tensor([0.25]))",
    "F.cosine_similarity(x, y, dim=-1)",
    "F.pairwise_distance(x, y)",
    "F.dropout(x, 0.0)",
    "F.linear(x, y)",
    "F.linear(x, y, y[:, 0])",
    "F.pad(x, (1, 2))",
    "F.pad(x, (1, 1), mode='reflect')",
    "F.pad(x, (0, 1), value=0.5)",
    "x.flatten().as_strided((2, 2), (1, 1))",
    "F.pixel_shuffle(x.reshape(1, -1, 1, 1).repeat(1, 4, 1, 1), 2)",
]
LOSS_NAMES = [
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "nll_loss",
    "kl_div",
    "soft_margin_loss",
    "poisson_nll_loss",
    "margin_ranking_loss",
    "hinge_embedding_loss",
    "gaussian_nll_loss",
    "multilabel_soft_margin_loss",
]


def _loss(rng, values, pending):
    n, c = rng.choice([1, 2, 3]), rng.choice([2, 3, 4])
    dtype = _float(rng)
    lines = [leaf(rng, values, "x", (n, c), dtype), leaf(rng, values, "y", (n, c), dtype)]
    names = [name for name in LOSS_NAMES if allowed([f"F.{name}"], pending)]
    name = rng.choice(names)
    reduction = rng.choice(["'mean'", "'sum'", "'none'"])
    target = "torch.tensor(" + str([rng.randrange(c) for _ in range(n)]) + ")"
    if name in ("mse_loss", "l1_loss", "soft_margin_loss"):
        call = f"F.{name}(x, y, reduction={reduction})"
    elif name in ("smooth_l1_loss", "huber_loss"):
        arg = "beta" if name == "smooth_l1_loss" else "delta"
        call = f"F.{name}(x, y, reduction={reduction}, {arg}={rng.choice([0.5, 1.0, 2.0])})"
    elif name == "binary_cross_entropy":
        weight = rng.choice(["", ", weight=y.detach().abs()"])
        call = f"F.binary_cross_entropy(x.sigmoid(), y.sigmoid(){weight}, reduction={reduction})"
    elif name == "binary_cross_entropy_with_logits":
        weight = rng.choice(["", ", pos_weight=torch.ones(x.shape[1], dtype=x.dtype) * 2"])
        call = f"F.binary_cross_entropy_with_logits(x, y.sigmoid(){weight}, reduction={reduction})"
    elif name == "cross_entropy":
        extra = rng.choice(
            [
                "",
                ", label_smoothing=0.1",
                ", ignore_index=0",
                ", weight=torch.arange(1.0, x.shape[1] + 1, dtype=x.dtype)",
            ]
        )
        soft = rng.random() < 0.25
        tgt = "y.softmax(-1)" if soft else target
        call = f"F.cross_entropy(x, {tgt}{extra}, reduction={reduction})"
    elif name == "nll_loss":
        call = f"F.nll_loss(x.log_softmax(-1), {target}, reduction={reduction})"
    elif name == "kl_div":
        log_target = rng.choice([True, False])
        tgt = "y.log_softmax(-1)" if log_target else "y.softmax(-1)"
        red = rng.choice(["'batchmean'", reduction])
        call = f"F.kl_div(x.log_softmax(-1), {tgt}, reduction={red}, log_target={log_target})"
    elif name == "poisson_nll_loss":
        call = f"F.poisson_nll_loss(x, y.abs(), reduction={reduction})"
    elif name == "margin_ranking_loss":
        sign = "torch.sign(y.detach())"
        call = f"F.margin_ranking_loss(x, y, {sign}, margin=0.1, reduction={reduction})"
    elif name == "hinge_embedding_loss":
        call = f"F.hinge_embedding_loss(x, torch.sign(y.detach()), reduction={reduction})"
    elif name == "gaussian_nll_loss":
        call = f"F.gaussian_nll_loss(x, y, y.detach().abs() + 0.1, reduction={reduction})"
    else:
        call = f"F.multilabel_soft_margin_loss(x, (y > 0).to(x.dtype), reduction={reduction})"
    lines.append(f"z = {call}")
    return lines


def _normalisation(rng, values, pending):
    dtype = _float(rng)
    n, c, length = rng.choice([1, 2, 3]), rng.choice([2, 4]), rng.choice([1, 3])
    lines = [leaf(rng, values, "x", (n, c, length), dtype), leaf(rng, values, "y", (c,), dtype)]
    choices = [
        "z = F.layer_norm(x, x.shape[-1:])",
        "z = F.layer_norm(x, x.shape[1:], eps=1e-3)",
        "z = F.layer_norm(x.transpose(1, 2), (x.shape[1],), y, y * 0.5)",
        "m = torch.zeros(x.shape[1], dtype=x.dtype)\nv = torch.ones(x.shape[1], dtype=x.dtype)\n"
        "z = F.batch_norm(x, m, v, y, y, training=True, momentum=0.3)\nR(m, False)\nR(v, False)",
        "m = torch.zeros(x.shape[1], dtype=x.dtype)\nv = torch.ones(x.shape[1], dtype=x.dtype)\n"
        "z = F.batch_norm(x, m, v, training=False)",
        "z = F.group_norm(x, 2, y, y)",
        "z = F.group_norm(x, 1)",
        "z = F.instance_norm(x)",
        "z = F.local_response_norm(x, 2)",
        "z = F.normalize(x, dim=1)",
    ]
    if n * length == 1:
        choices = [c for c in choices if "training=True" not in c]
    choices = allowed(choices, pending)
    lines.append(rng.choice(choices))
    return lines


def _conv_pool(rng, values, pending):
    dtype = _float(rng)
    two_d = rng.random() < 0.6
    n, c = rng.choice([1, 2]), rng.choice([1, 2])
    size = (rng.choice([3, 4, 5]),) * (2 if two_d else 1)
    lines = [leaf(rng, values, "x", (n, c, *size), dtype)]
    d = "2d" if two_d else "1d"
    kind = rng.random()
    if kind < 0.5:
        groups = rng.choice([1, c])
        out = rng.choice([1, 2]) * groups
        kernel = (rng.choice([1, 2, 3]),) * len(size)
        lines.append(leaf(rng, values, "y", (out, c // groups, *kernel), dtype))
        stride, padding, dilation = rng.choice([1, 2]), rng.choice([0, 1]), rng.choice([1, 2])
        if dilation * (kernel[0] - 1) + 1 > size[0] + 2 * padding:
            dilation = 1
        bias = rng.choice(["None", "y.flatten()[:y.shape[0]]"])
        lines.append(
            f"z = F.conv{d}(x, y, {bias}, stride={stride}, padding={padding}, "
            f"dilation={dilation}, groups={groups})"
        )
    else:
        kernel = rng.choice([1, 2, 3])
        stride = rng.choice(["None", "1", "2"])
        ceil = rng.choice([False, True])
        pool = rng.choice(
            [
                f"F.max_pool{d}(x, {kernel}, {stride}, padding={kernel // 2}, ceil_mode={ceil})",
                f"F.avg_pool{d}(x, {kernel}, {stride}, padding={kernel // 2}, ceil_mode={ceil}, "
                f"count_include_pad={rng.choice([True, False])})",
                f"F.adaptive_avg_pool{d}(x, {rng.choice([1, 2])})",
                f"F.adaptive_max_pool{d}(x, {rng.choice([1, 2])})",
                f"F.max_pool{d}(x, {kernel}, return_indices=True)[0]",
                f"F.lp_pool{d}(x, 2, {kernel})",
            ]
        )
        if "max_pool" in pool and "adaptive" not in pool:
            lines.append("x = x + torch.arange(x.numel(), dtype=x.dtype).view(x.shape) * 1e-3")
        lines.append(f"z = {pool}")
    return lines


def gen_nn(rng, values, pending):
    """nn.functional: activations, losses, normalisations, conv and pooling on small shapes."""
    kind = rng.random()
    if kind < 0.3:
        dtype = _float(rng)
        shape = rng.choice([(3,), (2, 3), (2, 2)])
        lines = [leaf(rng, values, "x", shape, dtype, -2, 2), leaf(rng, values, "y", shape, dtype)]
        names = allowed(ACTIVATIONS, pending)
        return lines + [f"z = {rng.choice(names)}"]
    if kind < 0.6:
        return _loss(rng, values, pending)
    if kind < 0.8:
        return _normalisation(rng, values, pending)
    return _conv_pool(rng, values, pending)
