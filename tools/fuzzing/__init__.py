"""A differential fuzzer: random programs run with torch and with chainrule, compared.

Programs come from families (CATEGORIES): chains of statements with in-place ops on views
and non-leaves, advanced indexing with duplicates, dtype mixes, reductions over dim tuples,
scans, nn.functional, linalg with gradients, the autograd API and programs built to raise.
Each is built from a seeded random stream, run with torch (the specification) and with
chainrule, and compared (see compare.py): exception type, line and message, warnings,
value, dtype, shape, version counter, repr, grad_fn name, recorded values, first and second
derivatives.

PENDING names the defects other branches are fixing; while a name is in it, programs that
would hit it are not generated (and its messages are compared on type only). Remove a name
once its fix is merged.
"""

import random
import re

from .chain import generate_chain
from .compare import compare
from .outcome import run
from .programs import gen_dtypes, gen_indexing, gen_nn, gen_reductions, gen_scans
from .programs_more import gen_autograd, gen_linalg, gen_raising

ALLOWED_DIFFERENCES = (
    "no_grad views print requires_grad=True in torch",
    "scatter_reduce amax/amin include_self=False: torch counts the left-out self value",
    "scatter_reduce reduce='max': torch raises in backward, chainrule in the forward",
    # the ones below are accepted by compare():
    "a view's grad_fn after an unrecorded in-place change: AsStridedBackward0 in torch",
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
    "warnings torch gives once per process (x.T on a tensor that is not 2-D) are not"
    " compared: which program sees torch's one warning depends on the order of the run",
    "version counters of a .grad the engine filled and of batch_norm's running statistics:"
    " torch's count depends on whether its engine stole or copied a buffer, and its kernel"
    " updates running stats without counting; these records are compared without it",
    "index_fill_ and friends on an empty view at an offset: torch fails in its storage layer"
    " ('setStorage: ... out of bounds'), chainrule with its own RuntimeError; only the type"
    " and line are compared",
    "nll_loss of a 1-D input with a one-element 1-D target: torch's forward accepts it and"
    " its backward raises 'size mismatch'; chainrule raises torch's forward error at once",
    "float32 rounding: a float32 program that differs is accepted when it agrees in float64",
    "nan in second derivatives at singular points of a first-derivative formula (sinc' at 0,"
    " p=-1 norms of zeros): entries that are nan on one side only are not compared;"
    " a second derivative that is None on one side is compared as zeros",
)

# Defects other branches are fixing. Each entry: "avoid" (regexes: programs whose text
# matches are not generated), "messages" (regexes: torch messages compared on type and
# line only) and "differences" ((program regex, problem regex) pairs accepted).
PENDING_CATEGORIES = {
    # torch names a saved output of an in-place op on a view by the view's regenerated node
    # (AsStridedBackward0) while a weak reference to that node lives, else by the op's node:
    # which one depends on when torch's engine frees CopySlices' inner node. chainrule names
    # the op's node. Only this wording in the in-place message is compared on type and line.
    "view-saved-output-name": {"messages": (r"which is output \d+ of AsStrided,",)},
    # second derivatives of a float16 leaf mixed with float64 (logaddexp, a / b): the last
    # bit of a rule's float16 intermediate; h-half2 is rewriting those rules
    "float16-second-derivatives": {"differences": ((r"float16", r"second\[\d\] differs"),)},
}
# Defects this fuzzer found that are not fixed yet (same format): remove an entry with its fix
KNOWN_DEFECTS = {}
PENDING = set(PENDING_CATEGORIES) | set(KNOWN_DEFECTS)


def _pending():
    avoid, messages, differences = [], [], []
    for name in sorted(PENDING):
        entry = {**PENDING_CATEGORIES, **KNOWN_DEFECTS}[name]
        avoid.extend(entry.get("avoid", ()))
        messages.extend(entry.get("messages", ()))
        differences.extend(entry.get("differences", ()))
    return tuple(avoid), tuple(messages), tuple(differences)


CATEGORIES = {
    "chain": (lambda rng, values, pending: generate_chain(rng, values, _torch()), 30),
    "indexing": (gen_indexing, 10),
    "dtypes": (gen_dtypes, 10),
    "reductions": (gen_reductions, 8),
    "scans": (gen_scans, 5),
    "nn": (gen_nn, 12),
    "linalg": (gen_linalg, 8),
    "autograd": (gen_autograd, 8),
    "raising": (gen_raising, 9),
}
_WEIGHTED = [name for name, (_, weight) in CATEGORIES.items() for _ in range(weight)]


def _torch():
    import torch

    return torch


def generate(seed, category=None):
    """The program for ``seed``: its lines, input values and torch's outcome."""
    rng = random.Random(seed)
    name = category or rng.choice(_WEIGHTED)
    avoid = _pending()[0]
    for _ in range(100):
        values = {}
        lines = CATEGORIES[name][0](rng, values, avoid)
        if not any(re.search(pattern, line) for line in lines for pattern in avoid):
            break
    return lines, values, run(_torch(), lines, values)


def category_of(seed):
    return random.Random(seed).choice(_WEIGHTED)


def check(seed, chainrule):
    """None when torch and chainrule agree on program ``seed``, else what differs."""
    lines, values, theirs = generate(seed)
    _, messages, differences = _pending()
    problem = compare(theirs, run(chainrule, lines, values), lines, messages)
    text = "\n".join(lines)
    if problem and any(re.search(p, text) and re.search(d, problem) for p, d in differences):
        return None
    if problem and any("float32" in line for line in lines):
        # rounding or cancellation in float32? The same program in float64 must then agree
        lines = [line.replace("float32", "float64") for line in lines]
        torch = _torch()
        if (
            compare(run(torch, lines, values), run(chainrule, lines, values), lines, messages)
            is None
        ):
            return None
    return problem
