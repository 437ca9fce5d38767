"""torch.distributions: values, gradients, shapes, reprs and errors (against torch where
installed), plus torch-free checks of the formulas."""

import contextlib
import io
import math

import pytest

import chainrule as torch
from chainrule.distributions import Bernoulli, Categorical, Normal, kl_divergence


def test_normal_formulas_and_reparameterised_gradient():
    mu = torch.tensor(0.5, requires_grad=True)
    sigma = torch.tensor(2.0, requires_grad=True)
    d = Normal(mu, sigma)
    lp = d.log_prob(torch.tensor(1.0))
    expected = -0.25 / 8 - math.log(2.0) - 0.5 * math.log(2 * math.pi)  # (x - mu)^2 = 0.25
    assert lp.item() == pytest.approx(expected, rel=1e-6)
    lp.backward()
    assert mu.grad.item() == pytest.approx(0.5 / 4)
    torch.manual_seed(0)
    sample = d.rsample((1000,))
    assert sample.shape == (1000,) and sample.requires_grad
    assert abs(sample.mean().item() - 0.5) < 0.3
    assert not d.sample((2,)).requires_grad


def test_categorical_and_bernoulli():
    c = Categorical(probs=torch.tensor([1.0, 3.0]))
    assert c.probs.tolist() == [0.25, 0.75]
    assert c.log_prob(torch.tensor(1)).item() == pytest.approx(math.log(0.75))
    torch.manual_seed(1)
    draws = c.sample((2000,))
    assert draws.dtype == torch.int64 and 0.65 < draws.float().mean().item() < 0.85
    b = Bernoulli(logits=torch.tensor(0.0))
    assert b.probs.item() == 0.5 and b.entropy().item() == pytest.approx(math.log(2))
    assert kl_divergence(b, b).item() == pytest.approx(0.0, abs=1e-7)


def test_invalid_parameters_raise_torchs_value_error():
    with pytest.raises(ValueError, match="to satisfy the constraint GreaterThan"):
        Normal(torch.tensor(0.0), torch.tensor(-1.0))
    with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified"):
        Categorical()


def _probe(torch):
    D = torch.distributions
    Normal, Categorical, Bernoulli, Uniform, kl_divergence, Exponential = (
        D.Normal,
        D.Categorical,
        D.Bernoulli,
        D.Uniform,
        D.kl_divergence,
        D.Exponential,
    )
    n = Normal(torch.tensor(0.0), torch.tensor(1.0))
    print(n, n.mean, n.stddev, n.variance, n.batch_shape, n.event_shape)
    n2 = Normal(torch.tensor([0.0, 1.0]), 2.0)
    print(
        n2,
        n2.log_prob(torch.tensor([0.5, 0.5])),
        n2.entropy(),
        n2.cdf(torch.tensor(0.0)),
        n2.icdf(torch.tensor(0.3)),
    )
    c = Categorical(probs=torch.tensor([0.2, 0.3, 0.5]))
    print(c, c.log_prob(torch.tensor(2)), c.entropy(), c.probs, c.logits)
    c2 = Categorical(logits=torch.tensor([[1.0, 2.0, 3.0]]))
    print(c2, c2.probs)
    b = Bernoulli(probs=torch.tensor([0.3]))
    print(b, b.log_prob(torch.tensor([1.0])), b.entropy(), b.mean, b.variance)
    b2 = Bernoulli(logits=torch.tensor(0.5))
    print(b2, b2.probs)
    u = Uniform(0.0, 2.0)
    print(u, u.log_prob(torch.tensor(1.0)), u.entropy(), u.mean)
    e = Exponential(torch.tensor(2.0))
    print(e, e.log_prob(torch.tensor(1.0)), e.mean)
    print(
        kl_divergence(Normal(0.0, 1.0), Normal(1.0, 2.0)),
        kl_divergence(c, Categorical(probs=torch.tensor([0.3, 0.3, 0.4]))),
    )
    print(
        kl_divergence(Bernoulli(probs=torch.tensor(0.3)), Bernoulli(probs=torch.tensor(0.6))),
        kl_divergence(Exponential(torch.tensor(2.0)), Exponential(torch.tensor(3.0))),
    )
    s = n.sample((3,))
    print(
        s.shape, n.rsample((2, 2)).shape, n.sample().shape, c.sample((4,)).shape, c.sample().dtype
    )
    try:
        Normal(torch.tensor(0.0), torch.tensor(-1.0))
    except Exception as ex:
        print(type(ex).__name__, str(ex)[:200])
    print(n.log_prob(torch.tensor([1.0, 2.0]).reshape(2, 1)))
    mu = torch.tensor(0.5, requires_grad=True)
    Normal(mu, 1.0).log_prob(torch.tensor(1.0)).backward()
    print(mu.grad)
    print(Normal(mu, 1.0).rsample().requires_grad, Normal(mu, 1.0).sample().requires_grad)
    nn2 = Normal(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 2.0]))
    print(nn2.log_prob(torch.tensor([[0.5], [1.5]])).shape, nn2.sample((3,)).shape)
    c3 = Categorical(logits=torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
    print(
        c3.log_prob(torch.tensor([0, 2])),
        c3.batch_shape,
        c3.event_shape,
        c3.sample().shape,
        c3.entropy(),
    )
    print(Categorical(probs=torch.tensor([1.0, 3.0])).probs)
    logits = torch.tensor([0.1, 0.2, 0.3], requires_grad=True)
    Categorical(logits=logits).log_prob(torch.tensor(1)).backward()
    print(logits.grad)


def test_same_output_as_torch():
    real = pytest.importorskip("torch")
    outputs = []
    # torch.compile (run by another test) switches torch's parameter checks off
    real.distributions.Distribution.set_default_validate_args(True)
    for lib in (torch, real):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            _probe(lib)
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1]
