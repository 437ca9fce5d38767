"""torch.special: the special functions under their SciPy-style names.

>>> import chainrule as torch
>>> torch.special.expit(torch.tensor([0.]))
tensor([0.5000])
>>> torch.special.gammaln(torch.tensor([4.]))
tensor([1.7918])
"""

from __future__ import annotations

import math

from ._registry import FUNCTIONS as _F

expit = _F["sigmoid"]
logit = _F["logit"]
erf = _F["erf"]
erfc = _F["erfc"]
erfinv = _F["erfinv"]
gammaln = _F["lgamma"]
digamma = psi = _F["digamma"]
polygamma = _F["polygamma"]
multigammaln = _F["mvlgamma"]
xlogy = _F["xlogy"]
log1p = _F["log1p"]
expm1 = _F["expm1"]
exp2 = _F["exp2"]
logsumexp = _F["logsumexp"]
sinc = _F["sinc"]
round = _F["round"]  # noqa: A001 (torch.special.round)
softmax = _F["softmax"]
log_softmax = _F["log_softmax"]

_INV_SQRT2 = 1 / math.sqrt(2)


def ndtr(input):
    """The standard normal CDF: (1 + erf(x / sqrt(2))) / 2."""
    return (1 + erf(input * _INV_SQRT2)) * 0.5


def log_ndtr(input):
    """log of the standard normal CDF."""
    return ndtr(input).log()


def ndtri(input):
    """The inverse of ndtr: sqrt(2) * erfinv(2p - 1)."""
    return erfinv(2 * input - 1) * math.sqrt(2)


def entr(input):
    """-x log x (0 at x = 0, -inf for negative x)."""
    from ._registry import FUNCTIONS

    where = FUNCTIONS["where"]
    safe = where(input > 0, input, 1.0)
    return where(input > 0, -input * safe.log(), where(input == 0, 0.0, -math.inf))


def xlog1py(input, other):
    """x * log1p(y), 0 where x == 0."""
    from ._registry import FUNCTIONS

    return FUNCTIONS["where"](input == 0, 0.0, input * log1p(other))
