"""The error table: calls torch refuses (or accepts), built the same way for torch and chainrule.

Two kinds of case share one golden file (tests/golden/errors.json, written by
tools/gen_error_golden.py with real torch):

* generated cases: each op of the op-spec table (tests/op_specs.py), called with its first
  samples changed in the ways torch refuses: bool or integer tensors where floats are needed
  (and floats where integers are), a Python number where a tensor is needed, a dim out of
  range, a tuple of dims where only one is taken, shapes that do not broadcast, and the
  in-place form on an expanded view;
* hand-written cases (``HAND``): snippets for the mistakes the op table cannot express
  (negative sizes, numbers a dtype cannot hold, in-place changes to saved tensors, ...).

An outcome is ``["ok"]`` or ``[exception type name, message]``; messages are compared after
:func:`normalise` (torch's C++ stack traces and object addresses are cut).

This module imports neither torch nor chainrule: the library is passed in.
"""

from __future__ import annotations

import contextlib
import io
import re
import textwrap
import warnings
import zlib

import numpy as np
from op_specs import SPECS, Const, In, Lib, Raw

SAMPLES_PER_OP = 2  # the first samples of each op get the mutations
BAD_DIM = 7


# --------------------------------------------------------------------------- outcomes


def normalise(message: str) -> str:
    """A message without what changes from run to run or build to build."""
    message = message.split("\nException raised from ")[0]
    return re.sub(r"0x[0-9a-fA-F]+", "0x?", message)


def outcome(call) -> list:
    """``["ok"]`` (with what it printed, if anything) when ``call()`` returns, else the
    exception's type name and message."""
    printed = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(printed):
        warnings.simplefilter("ignore")
        try:
            call()
        except Exception as error:  # noqa: BLE001  (every exception is an outcome)
            return [type(error).__name__, normalise(str(error))]
    text = normalise(printed.getvalue())
    return ["ok", text] if text else ["ok"]


# --------------------------------------------------------------------------- generated cases


def _in_tensors(args) -> list:
    """Positions (in args) of the top-level In arguments."""
    return [i for i, a in enumerate(args) if isinstance(a, In)]


def _first_dtype(spec) -> str:
    return spec.dtypes[0] if spec.dtypes else "float64"


def _dim_positions(spec, sample) -> list:
    """Where an int dim sits: a ``dim`` keyword, or the int right after the input of a
    reduction-like op (its second positional argument)."""
    found = []
    if isinstance(sample.kwargs.get("dim"), int):
        found.append("dim")
    args = sample.args
    if (
        len(args) >= 2
        and isinstance(args[0], In)
        and type(args[1]) is int
        and spec.name in DIM_SECOND
    ):
        found.append(1)
    return found


# ops whose second positional argument is a dim (int) in torch's signature
DIM_SECOND = set(
    """
    sum mean prod amax amin max min argmax argmin std var logsumexp norm cumsum cumprod
    cummax cummin softmax log_softmax squeeze unsqueeze flatten select narrow gather
    scatter scatter_add index_select index_add index_copy index_fill all any median
    nanmedian mode nansum nanmean count_nonzero flip roll diff kthvalue topk sort argsort
    unbind chunk split tensor_split movedim std_mean var_mean logcumsumexp renorm
    unflatten cross glu
    """.split()
)


def generated_cases() -> list:
    """(case id, op name, sample index, mutation) for every generated case."""
    cases = []
    for name in sorted(SPECS):
        spec = SPECS[name]
        for index, sample in enumerate(spec.samples[:SAMPLES_PER_OP]):
            for mutation in _mutations(spec, sample):
                cases.append((f"{name}#{index}/{mutation}", name, index, mutation))
    return cases


def _mutations(spec, sample) -> list:
    tensors = _in_tensors(sample.args)
    if not tensors:
        return []
    found = []
    dtypes = spec.dtypes or ()
    if "bool" not in dtypes:
        found.append("bool")
    if "int64" not in dtypes:
        found.append("int64")
    if dtypes and not any(d.startswith("float") for d in dtypes):
        found.append("float32")
    function_form = sample.call is None and "function" in spec.forms
    for position in tensors:
        if position > 0 or function_form:
            found.append(f"scalar@{position}")
    for position in tensors[1:]:
        if sample.args[position].shape:
            found.append(f"shape@{position}")
    for where in _dim_positions(spec, sample):
        found.append(f"dim_out@{where}")
        found.append(f"dim_tuple@{where}")
    first = sample.args[tensors[0]]
    if sample.call is None and tensors[0] == 0 and len(first.shape) >= 1 and first.shape[0] > 1:
        found.append("expanded_inplace")
    return found


def _value(spec, sample, arg, dtype, rng):
    """The NumPy array of an In argument."""
    want = arg.dtype or dtype
    if arg.values is not None:
        return arg.values.astype(want)
    return np.asarray((arg.domain or spec.domain)(rng, arg.shape, want), dtype=want)


def build_generated(lib, op: str, index: int, mutation: str):
    """A no-argument callable running the mutated sample with ``lib``."""
    spec = SPECS[op]
    sample = spec.samples[index]
    rng = np.random.default_rng(zlib.crc32(f"{op}/{index}".encode()))
    kind, _, where = mutation.partition("@")
    dtype = kind if kind in ("bool", "int64", "float32") else _first_dtype(spec)

    def convert(value, position=None):
        if isinstance(value, In):
            array = _value(spec, sample, value, dtype if value.dtype is None else value.dtype, rng)
            if kind in ("bool", "int64", "float32"):
                array = array.astype(kind)
            if kind == "shape" and position == int(where):
                shape = array.shape[:-1] + (5 if array.shape[-1] != 5 else 6,)
                array = np.resize(array, shape)
            if kind == "scalar" and position == int(where):
                return 2.0 if array.dtype.kind == "f" else (True if array.dtype == bool else 2)
            return lib.tensor(array.tolist(), dtype=getattr(lib, str(array.dtype)))
        if isinstance(value, Const):
            want = dtype if value.dtype == "same" else value.dtype
            array = value.value.astype(want)
            return lib.tensor(array.tolist(), dtype=getattr(lib, str(array.dtype)))
        if isinstance(value, Lib):
            return getattr(lib, value.name)
        if isinstance(value, Raw):
            return value.value.copy()
        if isinstance(value, list):
            return [convert(v) for v in value]
        if isinstance(value, tuple):
            return tuple(convert(v) for v in value)
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        return value

    args = [convert(a, i) for i, a in enumerate(sample.args)]
    kwargs = {k: convert(v) for k, v in sample.kwargs.items()}
    if kind in ("dim_out", "dim_tuple"):
        bad = BAD_DIM if kind == "dim_out" else (0, 1)
        if where == "dim":
            kwargs["dim"] = bad
        else:
            args[int(where)] = bad
    if sample.call is not None:
        return lambda: sample.call(lib, *args, **kwargs)
    if kind == "expanded_inplace":
        first = args[0]
        base = first[:1].clone()
        args[0] = base.expand(*first.shape)
        return lambda: getattr(args[0], op + "_")(*args[1:], **kwargs)
    if "function" in spec.forms:
        return lambda: getattr(lib, op)(*args, **kwargs)
    return lambda: getattr(args[0], op)(*args[1:], **kwargs)


# --------------------------------------------------------------------------- hand-written cases

HAND: list[tuple[str, str]] = []


def hand(name: str, code: str) -> None:
    HAND.append((name, textwrap.dedent(code).strip() + "\n"))


def build_hand(lib, functional, code: str):
    def run():
        exec(code, {"torch": lib, "F": functional, "np": np})

    return run


# fmt: off
# index checks of gather / scatter / index_* (torch: RuntimeError, the first bad index)
hand("scatter_-out-of-range", "torch.zeros(3).scatter_(0, torch.tensor([5]), 1.0)")
hand("scatter_-negative", "torch.zeros(3).scatter_(0, torch.tensor([-1]), 1.0)")
hand("scatter-src-out-of-range", "torch.zeros(3).scatter(0, torch.tensor([1, 7, 5]), torch.ones(3))")
hand("scatter-2d-first-bad", "torch.zeros(2, 3).scatter(1, torch.tensor([[0, 4], [5, 1]]), 9.)")
hand("scatter-index-bigger-than-src", "torch.zeros(3).scatter(0, torch.tensor([0, 1, 2]), torch.ones(2))")
hand("scatter-index-bigger-than-self", "torch.zeros(2, 3).scatter(0, torch.zeros(2, 4, dtype=torch.long), 1.)")
hand("scatter-index-rank", "torch.zeros(2, 3).scatter(0, torch.zeros(4, dtype=torch.long), 1.)")
hand("scatter-src-rank", "torch.zeros(2, 3).scatter(0, torch.zeros(2, 2, dtype=torch.long), torch.ones(1, 2, 5))")
hand("scatter-src-fewer-dims", "torch.zeros(2, 3).scatter(0, torch.zeros(2, 2, dtype=torch.long), torch.ones(5))")
hand("scatter-src-dtype", "torch.zeros(2, 3).scatter(0, torch.zeros(1, 3, dtype=torch.long), torch.ones(2, 3).double())")
hand("scatter-float-index", "torch.zeros(3).scatter(0, torch.zeros(3), 1.)")
hand("scatter-int32-index", "print(torch.zeros(3).scatter(0, torch.tensor([2], dtype=torch.int32), 1.))")
hand("scatter_add-out-of-range", "torch.arange(3.).scatter_add(0, torch.tensor([1, 7, 5]), torch.ones(3))")
hand("scatter_add-negative", "torch.arange(3.).scatter_add(0, torch.tensor([-1]), torch.ones(1))")
hand("scatter_add-float-index", "torch.zeros(2, 3).scatter_add(0, torch.zeros(2, 2), torch.ones(2, 2))")
hand("scatter_reduce-out-of-range", "torch.arange(3.).scatter_reduce(0, torch.tensor([1, 7, 5]), torch.ones(3), 'sum')")
hand("scatter_reduce-bad-reduce", "torch.zeros(3).scatter_reduce(0, torch.tensor([4]), torch.ones(1), 'foo')")
hand("gather-negative", "torch.arange(3.).gather(0, torch.tensor([-1]))")
hand("gather-first-bad", "torch.arange(3.).gather(0, torch.tensor([1, -7, 5]))")
hand("gather-index-bigger", "torch.zeros(2, 3).gather(1, torch.zeros(3, 3, dtype=torch.long))")
hand("gather-index-rank", "torch.zeros(2, 3).gather(0, torch.zeros(4, dtype=torch.long))")
hand("gather-int16-index", "torch.zeros(2, 3).gather(0, torch.zeros(2, 2, dtype=torch.int16))")
hand("gather-smaller-index", "print(torch.arange(6.).reshape(2, 3).gather(0, torch.tensor([[1, 0], [1, 1]])))")
hand("gather-empty-index", "print(torch.zeros(2, 3).gather(0, torch.zeros(0, dtype=torch.long)))")
hand("index_copy-negative", "torch.zeros(3).index_copy(0, torch.tensor([-1]), torch.ones(1))")
hand("index_copy-out-of-range", "torch.zeros(3).index_copy_(0, torch.tensor([1, 5, 7]), torch.ones(3))")
hand("index_add-out-of-range", "torch.zeros(3).index_add(0, torch.tensor([5]), torch.ones(1))")
hand("index_add-negative", "torch.zeros(3).index_add(0, torch.tensor([-1]), torch.ones(1))")
hand("index_fill-negative-ok", "print(torch.zeros(3).index_fill(0, torch.tensor([-1]), 1.))")
hand("index_fill-out-of-range", "torch.zeros(3).index_fill(0, torch.tensor([-4]), 1.)")

# shapes that do not broadcast in the losses (torch warns, then refuses or broadcasts)
hand("mse_loss-clash", "F.mse_loss(torch.zeros(3), torch.zeros(2))")
hand("mse_loss-clash-none", "F.mse_loss(torch.zeros(3), torch.zeros(2), reduction='none')")
hand("mse_loss-broadcasts", "print(F.mse_loss(torch.zeros(2, 3), torch.ones(3)))")
hand("l1_loss-clash", "F.l1_loss(torch.zeros(3), torch.zeros(2))")
hand("smooth_l1_loss-clash", "F.smooth_l1_loss(torch.zeros(3), torch.zeros(2))")
hand("huber_loss-clash", "F.huber_loss(torch.zeros(3), torch.zeros(2))")
hand("bce-clash", "F.binary_cross_entropy(torch.full((3,), 0.5), torch.zeros(2))")
hand("bce_logits-clash", "F.binary_cross_entropy_with_logits(torch.zeros(3), torch.zeros(2))")
hand("kl_div-clash", "F.kl_div(torch.zeros(3), torch.zeros(2), reduction='batchmean')")

# negative sizes
hand("repeat-negative", "torch.zeros(3).repeat(-1)")
hand("repeat-negative-padded", "torch.zeros(3).repeat(2, -1)")
hand("repeat-negative-first", "torch.zeros(3).repeat(-2, 0)")
hand("tile-negative", "torch.zeros(3).tile(-1)")
hand("expand-negative", "torch.zeros(3).expand(-2)")
hand("expand-leading-minus-one", "torch.zeros(3).expand(-1, 3)")
hand("expand-middle-minus-one", "torch.zeros(3).expand(2, -1, 3)")
hand("expand-leading-negative", "torch.zeros(3).expand(-2, 3)")
hand("view-negative", "torch.zeros(3).view(-2)")
hand("view-two-inferred", "torch.zeros(6).view(-1, -1)")
hand("zeros-negative", "torch.zeros(-1)")
hand("ones-negative", "torch.ones(2, -3)")
hand("full-negative", "torch.full((-1,), 1.)")
hand("empty-negative", "torch.empty(-1)")
hand("randn-negative", "torch.randn(-1)")
hand("new_zeros-negative", "torch.zeros(3).new_zeros(-1)")
hand("arange-wrong-sign", "torch.arange(-1)")
hand("eye-negative", "torch.eye(-1)")
hand("eye-negative-m", "torch.eye(2, -1)")
hand("randperm-negative", "torch.randperm(-1)")
hand("randint-negative", "torch.randint(0, 3, (-1,))")
hand("linspace-negative", "torch.linspace(0, 1, -1)")
hand("narrow-negative", "torch.zeros(3).narrow(0, 0, -1)")
hand("split-negative", "torch.zeros(3).split(-1)")
hand("split-zero", "torch.zeros(3).split(0)")
hand("chunk-negative", "torch.zeros(3).chunk(-1)")
hand("unfold-negative-size", "torch.zeros(3).unfold(0, -1, 1)")
hand("unfold-zero-step", "torch.zeros(3).unfold(0, 2, 0)")
hand("repeat_interleave-negative", "torch.zeros(2).repeat_interleave(-1)")
hand("topk-negative", "torch.zeros(3).topk(-1)")
hand("kthvalue-zero", "torch.zeros(3).kthvalue(0)")

# numbers a dtype cannot hold
for _dtype, _number in [("uint8", "300"), ("uint8", "-256"), ("int8", "-200"), ("int8", "127.5"),
                       ("int16", "70000.0"), ("int32", "2 ** 40"), ("int64", "2 ** 63"),
                       ("int64", "float('nan')"), ("int32", "float('inf')"), ("uint8", "-0.5"),
                       ("float16", "70000.0"), ("float32", "1e39"), ("float64", "2 ** 70"),
                       ("bool", "-2 ** 64"), ("float16", "float('inf')")]:
    hand(f"fill_-{_dtype}-{_number}", f"torch.zeros(2, dtype=torch.{_dtype}).fill_({_number})")
hand("fill_-uint8-wraps", "print(torch.zeros(2, dtype=torch.uint8).fill_(-1))")
hand("fill_-one-half-unchecked", "print(torch.zeros(1, dtype=torch.float16).fill_(70000.0))")
hand("full-uint8", "torch.full((2,), 300, dtype=torch.uint8)")
hand("full-uint8-float", "torch.full((2,), 1e6, dtype=torch.uint8)")
hand("full-uint8-wraps", "print(torch.full((2,), -1, dtype=torch.uint8))")
hand("full_like-uint8", "torch.full_like(torch.zeros(2, dtype=torch.uint8), 300)")
hand("new_full-int8", "torch.zeros(2, dtype=torch.int8).new_full((2,), 128)")
hand("setitem-uint8", "torch.zeros(2, dtype=torch.uint8)[0] = 300")
hand("setitem-half-unchecked", "t = torch.zeros(2, dtype=torch.float16)\nt[0] = 1e6\nprint(t)")
hand("setitem-slice-int8", "torch.zeros(2, dtype=torch.int8)[:] = 300")
hand("masked_fill-uint8", "torch.zeros(2, dtype=torch.uint8).masked_fill(torch.tensor([True, False]), 300)")
hand("masked_fill-half", "torch.zeros(2, dtype=torch.float16).masked_fill(torch.tensor([True, False]), 1e6)")
hand("index_fill-uint8", "torch.zeros(2, dtype=torch.uint8).index_fill(0, torch.tensor([0]), 300)")
hand("scatter-value-uint8", "torch.zeros(2, dtype=torch.uint8).scatter(0, torch.tensor([0]), 300)")
hand("clamp-uint8", "torch.zeros(2, dtype=torch.uint8).clamp(max=300)")
hand("where-uint8", "torch.where(torch.tensor([True, False]), torch.zeros(2, dtype=torch.uint8), 300)")
hand("add-uint8-wraps", "print(torch.zeros(2, dtype=torch.uint8) + 300)")

# refused arguments
hand("prod-dim-tuple", "torch.ones(2, 3).prod(dim=(0, 1))")
hand("prod-dim-tuple-keepdim", "torch.ones(2, 3).prod((0,), True)")
hand("prod-function-dim-tuple", "torch.prod(torch.ones(2, 3), dim=(0,))")
hand("prod-dim-none", "torch.ones(2, 3).prod(None)")
hand("prod-keepdim-alone", "torch.ones(2, 3).prod(keepdim=True)")
hand("linalg.norm-fro-dim0", "torch.linalg.norm(torch.ones(2, 3), ord='fro', dim=0)")
hand("linalg.norm-nuc-dim0", "torch.linalg.norm(torch.ones(2, 3), ord='nuc', dim=(0,))")
hand("linalg.norm-three-dims", "torch.linalg.norm(torch.ones(2, 3), dim=(0, 1, 2))")
hand("linalg.norm-same-dims", "torch.linalg.norm(torch.ones(2, 3), ord=2, dim=(0, 0))")
hand("linalg.vector_norm-str", "torch.linalg.vector_norm(torch.ones(2, 3), ord='fro')")
hand("norm-nuc-dim0", "torch.norm(torch.ones(2, 3), p='nuc', dim=0)")
hand("logical_and-int", "torch.logical_and(torch.ones(2), 1)")
hand("logical_and-bool", "torch.logical_and(torch.ones(2), True)")
hand("logical_or-method-int", "torch.ones(2).logical_or(1)")
hand("logical_xor-float", "torch.logical_xor(torch.ones(2), 1.0)")
hand("atan2-float", "torch.atan2(torch.ones(2), 1.0)")
hand("atan2-method-float", "torch.ones(2).atan2(1.0)")
hand("argmax-bool", "torch.ones(2, dtype=torch.bool).argmax()")
hand("argmin-bool-dim", "torch.ones(2, dtype=torch.bool).argmin(0)")
hand("max-bool-ok", "print(torch.ones(2, dtype=torch.bool).max())")
hand("fill_-tensor-expanded", "torch.zeros(1).expand(3).fill_(torch.tensor(1.))")
hand("fill_-number-expanded-ok", "print(torch.zeros(1).expand(3).fill_(1.))")
hand("zero_-expanded-ok", "print(torch.zeros(1).expand(3).zero_())")
hand("setitem-ellipsis-expanded", "v = torch.zeros(1).expand(3)\nv[...] = 1.0")
hand("setitem-slice-tensor-expanded", "v = torch.zeros(1).expand(3)\nv[:] = torch.tensor(1.)")
hand("setitem-one-element-expanded-ok", "v = torch.zeros(1).expand(3)\nv[0] = 1.0\nprint(v)")
hand("add_-expanded", "torch.zeros(1).expand(3).add_(1)")
hand("copy_-expanded", "torch.zeros(1).expand(3).copy_(torch.ones(3))")

# autograd: in-place changes to saved tensors, views made in no_grad mode
_SAVED = """
x = torch.tensor([1., 2., 3.], requires_grad=True)
y = x * 1
z = y.sin()
{}
z.sum().backward()
"""
for _name, _modify in [("mul_", "y.mul_(2)"), ("fill_", "y.fill_(2)"),
                       ("fill_tensor", "y.fill_(torch.tensor(2.))"),
                       ("copy_", "y.copy_(torch.ones(3))"), ("clamp_", "y.clamp_(0)"),
                       ("clamp_tensor", "y.clamp_(torch.zeros(3))"), ("zero_", "y.zero_()"),
                       ("setitem", "y[0] = 1."), ("index_put_", "y[torch.tensor([0])] = 1."),
                       ("pow_", "y.pow_(2)"), ("div_floor", "y.div_(2, rounding_mode='floor')"),
                       ("masked_fill_", "y.masked_fill_(torch.tensor([True, False, True]), 0)")]:
    hand(f"saved-modified-by-{_name}", _SAVED.format(_modify))
for _fill_call in ["uniform_()", "normal_()", "random_()", "random_(5)", "random_(1, 5)",
                   "bernoulli_()", "bernoulli_(0.3)", "exponential_()"]:
    hand(f"random-fill-cuts-history-{_fill_call}", f"""
x = torch.ones(3, requires_grad=True)
y = x * 2
y.{_fill_call}
print(y.grad_fn.name())
y.sum().backward()
print(x.grad)
""")
    hand(f"saved-modified-by-{_fill_call}", _SAVED.format("y." + _fill_call))
hand("saved-output-modified", """
    x = torch.tensor([1., 2.], requires_grad=True)
    y = x.exp()
    y.add_(1)
    y.sum().backward()
""")
hand("saved-leaf-modified-no-grad", """
    x = torch.tensor([1., 2.], requires_grad=True)
    z = x.sin()
    with torch.no_grad():
        x.add_(1)
    z.sum().backward()
""")
for _name, _view in [("slice", "v[:1]"), ("view", "v.view(-1)"), ("t", "v.t()"), ("select", "v[0]"),
                     ("unsqueeze", "v.unsqueeze(0)"), ("transpose", "v.transpose(0, 1)"),
                     ("expand", "v.expand(2, 2, 2)")]:
    hand(f"no_grad-view-of-view-{_name}", f"""
x = torch.ones(3, 2, requires_grad=True).clone()
with torch.no_grad():
    v = x[:2]
w = {_view}
w.mul_(2)
""")
hand("no_grad-view-of-leaf-view", """
    x = torch.ones(3, 2, requires_grad=True)
    with torch.no_grad():
        v = x[:2]
    w = v[:1]
    w.mul_(2)
""")
hand("no_grad-view", """
    x = torch.ones(3, requires_grad=True).clone()
    with torch.no_grad():
        v = x[:2]
    v.mul_(2)
""")
hand("split-view-inplace", """
    x = torch.ones(3, requires_grad=True).clone()
    a, b = x.split(2)
    a.mul_(2)
""")
hand("unbind-view-inplace", """
    x = torch.ones(3, requires_grad=True).clone()
    a = x.unbind(0)[0]
    a.mul_(2)
""")
# fmt: on

# grad_fn names for each calling form (printed: the outcome records the text)
_NAMES = """
x = torch.tensor([[0.5, -1.0, 2.0, 1.0], [1.5, 0.3, -0.7, 0.2]], requires_grad=True)
y = {}
print(type(y.grad_fn).__name__)
"""
for _code in [
    "x.sum()",
    "x.sum(None)",
    "torch.sum(x, dim=None)",
    "x.sum(0)",
    "x.sum((0, 1))",
    "x.sum(dim=[])",
    "x.sum(0, keepdim=True)",
    "x.sum(dtype=torch.float64)",
    "x.sum(dim=None, dtype=torch.float64)",
    "x.mean()",
    "x.mean(None)",
    "torch.mean(x, dim=None, keepdim=True)",
    "x.mean(1)",
    "x.mean((0, 1))",
    "x.prod()",
    "x.prod(0)",
    "x.prod(1, keepdim=True)",
    "x.amax()",
    "x.amax(0)",
    "x.max()",
    "x.max(0)[0]",
    "x.min()",
    "x.std()",
    "x.std(0)",
    "x.var(None)",
    "x.norm()",
    "x.norm(dim=0)",
    "torch.linalg.norm(x)",
    "x.logsumexp(0)",
    "x.nansum()",
    "x.nanmean(0)",
    "x.median()",
    "x.median(0)[0]",
    "x.cumsum(0)",
    "F.logsigmoid(x)",
    "F.glu(x)",
    "F.glu(x, 0)",
    "F.softplus(x)",
    "F.silu(x)",
    "F.gelu(x)",
    "F.elu(x)",
    "F.leaky_relu(x)",
    "F.hardtanh(x)",
    "F.relu6(x)",
    "F.mish(x)",
    "F.hardswish(x)",
    "F.softsign(x)",
    "F.tanhshrink(x)",
    "F.normalize(x)",
    "F.softmax(x, 1)",
    "F.log_softmax(x, 1)",
    "F.softmin(x, 1)",
    "F.mse_loss(x, x.detach() * 2)",
    "F.l1_loss(x, x.detach() * 2)",
    "F.smooth_l1_loss(x, x.detach() * 2)",
    "F.huber_loss(x, x.detach() * 2)",
    "F.cross_entropy(x, torch.tensor([2, 0]))",
    "F.nll_loss(x, torch.tensor([2, 0]))",
    "F.binary_cross_entropy_with_logits(x, torch.ones(2, 4))",
    "F.binary_cross_entropy(x.sigmoid(), torch.ones(2, 4))",
    "F.kl_div(x, x.detach().exp(), reduction='batchmean')",
    "F.cosine_similarity(x, x.detach() * 2)",
]:
    hand(f"grad_fn-{_code}", _NAMES.format(_code))
hand("glu-odd", "F.glu(torch.ones(2, 3))")
hand("glu-0d", "F.glu(torch.tensor(1.))")
hand("glu-int", "F.glu(torch.ones(2, 4, dtype=torch.long))")
hand("logsigmoid-int", "F.logsigmoid(torch.ones(2, dtype=torch.long))")
