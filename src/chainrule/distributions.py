"""torch.distributions: the distributions course code reaches for, differentiable in their
parameters (``log_prob``, ``entropy``, ``rsample``), with torch's reprs and argument checks.

>>> import chainrule as torch
>>> from chainrule.distributions import Normal
>>> Normal(torch.tensor(0.), torch.tensor(1.)).log_prob(torch.tensor(0.))
tensor(-0.9189)

Samples come from chainrule's generator (``manual_seed`` makes them reproducible; they
are not the numbers torch draws).
"""

from __future__ import annotations

import math

from . import _backend
from ._backend import xp
from ._graph import no_grad
from ._registry import FUNCTIONS as _F
from ._tensor import Size, Tensor, make

__all__ = [
    "Distribution",
    "Normal",
    "Uniform",
    "Bernoulli",
    "Categorical",
    "Exponential",
    "kl_divergence",
]

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
_SCALAR = Size(())


def _as_tensor(value, like=None) -> Tensor:
    if isinstance(value, Tensor):
        return value
    dtype = like.dtype if isinstance(like, Tensor) else _backend.defaults.float_dtype
    return _F["tensor"](float(value), dtype=dtype)


def _broadcast(*values):
    tensors = [v for v in values if isinstance(v, Tensor)]
    like = tensors[0] if tensors else None
    converted = [_as_tensor(v, like) for v in values]
    return _F["broadcast_tensors"](*converted)


class Distribution:
    """Base class: shapes, sampling, argument checks and torch's repr."""

    arg_constraints: dict = {}
    has_rsample = False
    _validate_args = True  # the default; set_default_validate_args changes it

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Whether new distributions check their parameters (on by default, as in torch)."""
        Distribution._validate_args = bool(value)

    def __init__(self, batch_shape=_SCALAR, event_shape=_SCALAR, validate_args=None):
        self._batch_shape = Size(batch_shape)
        self._event_shape = Size(event_shape)
        if validate_args is None:
            validate_args = Distribution._validate_args
        if validate_args:
            for name, (check, text) in self.arg_constraints.items():
                value = self.__dict__.get(name)
                if value is None:
                    continue
                with no_grad():
                    ok = bool(check(value).all())
                if not ok:
                    raise ValueError(
                        f"Expected parameter {name} (Tensor of shape {tuple(value.shape)}) of "
                        f"distribution {self!r} to satisfy the constraint {text}, but found "
                        f"invalid values:\n{value.detach()}"
                    )

    @property
    def batch_shape(self) -> Size:
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        return self._event_shape

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    def _extended_shape(self, sample_shape=_SCALAR) -> tuple:
        return tuple(sample_shape) + tuple(self._batch_shape) + tuple(self._event_shape)

    def sample(self, sample_shape=_SCALAR) -> Tensor:
        """A sample (no gradient flows to the parameters)."""
        with no_grad():
            return self.rsample(sample_shape) if self.has_rsample else self._sample(sample_shape)

    def rsample(self, sample_shape=_SCALAR) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not support rsample")

    def __repr__(self) -> str:
        parts = []
        for name in self.arg_constraints:
            value = self.__dict__.get(name)
            if value is None:
                continue
            shown = format(value) if value.numel() == 1 else value.size()
            parts.append(f"{name}: {shown}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _functional():
    from .nn import functional

    return functional


def _rng():
    from .ops.creation import _rng as generator

    return generator(None)


def _positive(x):
    return x > 0


class Normal(Distribution):
    """The normal distribution N(loc, scale**2)."""

    arg_constraints = {"loc": (lambda x: x == x, "Real()"),
                       "scale": (_positive, "GreaterThan(lower_bound=0.0)")}  # fmt: skip
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = _broadcast(loc, scale)
        super().__init__(self.loc.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.loc

    @property
    def variance(self):
        return self.scale**2

    @property
    def stddev(self):
        return self.scale

    def rsample(self, sample_shape=_SCALAR):
        shape = self._extended_shape(sample_shape)
        noise = make(_rng().standard_normal(shape).astype(self.loc._data.dtype), self.loc.dtype)
        return self.loc + noise * self.scale

    def log_prob(self, value):
        value = _as_tensor(value, self.loc)
        return -((value - self.loc) ** 2) / (2 * self.variance) - self.scale.log() - _LOG_SQRT_2PI

    def cdf(self, value):
        value = _as_tensor(value, self.loc)
        return 0.5 * (1 + _F["erf"]((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)))

    def icdf(self, value):
        value = _as_tensor(value, self.loc)
        return self.loc + self.scale * _F["erfinv"](2 * value - 1) * math.sqrt(2)

    def entropy(self):
        return 0.5 + _LOG_SQRT_2PI + self.scale.log()


class Uniform(Distribution):
    """The uniform distribution on [low, high)."""

    arg_constraints = {"low": (lambda x: x == x, "Dependent(bounds)"),
                       "high": (lambda x: x == x, "Dependent(bounds)")}  # fmt: skip
    has_rsample = True

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = _broadcast(low, high)
        super().__init__(self.low.shape, validate_args=validate_args)
        checking = Distribution._validate_args if validate_args is None else validate_args
        if checking and not bool((self.low < self.high).all()):
            raise ValueError(
                f"Expected parameter low (Tensor of shape {tuple(self.low.shape)}) of "
                f"distribution {self!r} to satisfy the constraint LessThan(upper_bound=high)"
            )

    @property
    def mean(self):
        return (self.high + self.low) / 2

    @property
    def variance(self):
        return (self.high - self.low) ** 2 / 12

    def rsample(self, sample_shape=_SCALAR):
        shape = self._extended_shape(sample_shape)
        u = make(_rng().random(shape).astype(self.low._data.dtype), self.low.dtype)
        return self.low + u * (self.high - self.low)

    def log_prob(self, value):
        value = _as_tensor(value, self.low)
        inside = (value >= self.low) & (value < self.high)
        return _F["where"](inside, -(self.high - self.low).log(), -math.inf)

    def cdf(self, value):
        value = _as_tensor(value, self.low)
        return ((value - self.low) / (self.high - self.low)).clamp(0, 1)

    def entropy(self):
        return (self.high - self.low).log()


class Exponential(Distribution):
    """The exponential distribution with rate ``rate``."""

    arg_constraints = {"rate": (_positive, "GreaterThan(lower_bound=0.0)")}
    has_rsample = True

    def __init__(self, rate, validate_args=None):
        (self.rate,) = _broadcast(rate)
        super().__init__(self.rate.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.rate.reciprocal()

    @property
    def variance(self):
        return self.rate.pow(-2)

    def rsample(self, sample_shape=_SCALAR):
        shape = self._extended_shape(sample_shape)
        e = make(_rng().standard_exponential(shape).astype(self.rate._data.dtype), self.rate.dtype)
        return e / self.rate

    def log_prob(self, value):
        value = _as_tensor(value, self.rate)
        return self.rate.log() - self.rate * value

    def entropy(self):
        return 1.0 - self.rate.log()


class Bernoulli(Distribution):
    """0/1 outcomes with probability ``probs`` (or ``logits``) of 1."""

    arg_constraints = {
        "probs": (lambda p: (p >= 0) & (p <= 1), "Interval(lower_bound=0.0, upper_bound=1.0)"),
        "logits": (lambda x: x == x, "Real()"),
    }

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            (self.probs,) = _broadcast(probs)
            eps = xp.finfo(self.probs._data.dtype).eps
            clamped = self.probs.clamp(eps, 1 - eps)
            self.logits = clamped.log() - (-clamped).log1p()
        else:
            (self.logits,) = _broadcast(logits)
            self.probs = self.logits.sigmoid()
        super().__init__(self.probs.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.probs

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def _sample(self, sample_shape):
        shape = self._extended_shape(sample_shape)
        draws = _rng().random(shape) < xp.broadcast_to(self.probs._data, shape)
        return make(draws.astype(self.probs._data.dtype), self.probs.dtype)

    def log_prob(self, value):
        value = _as_tensor(value, self.logits)
        bce = _functional().binary_cross_entropy_with_logits
        logits, value = _F["broadcast_tensors"](self.logits, value)
        return -bce(logits, value, reduction="none")

    def entropy(self):
        bce = _functional().binary_cross_entropy_with_logits
        return bce(self.logits, self.probs, reduction="none")


class Categorical(Distribution):
    """One of K categories, with probabilities ``probs`` (normalised) or ``logits``."""

    arg_constraints = {
        "probs": (lambda p: p >= 0, "Simplex()"),
        "logits": (lambda x: x == x, "IndependentConstraint(Real(), 1)"),
    }

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
            eps = xp.finfo(self.probs._data.dtype).eps
            self.logits = self.probs.clamp(eps, 1 - eps).log()
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(-1, keepdim=True)
            self.probs = self.logits.softmax(-1)
        self._num_events = self.probs.shape[-1]
        super().__init__(self.probs.shape[:-1], validate_args=validate_args)

    @property
    def param_shape(self) -> Size:
        return self.probs.shape

    @property
    def mean(self):
        return make(
            xp.full(tuple(self.batch_shape), xp.nan, self.probs._data.dtype), self.probs.dtype
        )

    def _sample(self, sample_shape):
        probs = self.probs._data.astype(xp.float64).reshape(-1, self._num_events)
        count = int(math.prod(sample_shape))
        rng = _rng()
        rows = [rng.choice(self._num_events, size=count, p=p / p.sum()) for p in probs]
        draws = xp.stack(rows, axis=-1) if rows else xp.zeros((count, 0), xp.int64)
        shape = tuple(sample_shape) + tuple(self.batch_shape)
        return make(draws.reshape(shape).astype(xp.int64), _backend.int64)

    def log_prob(self, value):
        value = value.long() if isinstance(value, Tensor) else _F["tensor"](value)
        value = value.unsqueeze(-1)
        value, log_pmf = _F["broadcast_tensors"](value, self.logits)
        return log_pmf.gather(-1, value[..., :1]).squeeze(-1)

    def entropy(self):
        eps = xp.finfo(self.logits._data.dtype).min
        logits = self.logits.clamp(min=float(eps))
        return -(logits * self.probs).sum(-1)


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """KL(p || q) for pairs of the same family (Normal, Bernoulli, Categorical, Exponential)."""
    if isinstance(p, Normal) and isinstance(q, Normal):
        var_ratio = (p.scale / q.scale) ** 2
        t1 = ((p.loc - q.loc) / q.scale) ** 2
        return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())
    if isinstance(p, Categorical) and isinstance(q, Categorical):
        t = p.probs * (p.logits - q.logits)
        t = _F["where"](q.probs == 0, math.inf, t)
        t = _F["where"](p.probs == 0, 0.0, t)
        return t.sum(-1)
    if isinstance(p, Bernoulli) and isinstance(q, Bernoulli):
        softplus = _functional().softplus
        t1 = p.probs * (softplus(-q.logits) - softplus(-p.logits))
        t2 = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
        return t1 + t2
    if isinstance(p, Exponential) and isinstance(q, Exponential):
        ratio = q.rate / p.rate
        return ratio - ratio.log() - 1
    raise NotImplementedError(
        f"No KL(p || q) is implemented for p = {type(p).__name__}, q = {type(q).__name__}"
    )
