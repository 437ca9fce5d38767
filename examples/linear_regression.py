"""Linear regression on the chapter's homework data, fitted three ways with chainrule.

Run:  python examples/linear_regression.py  [--plot PATH] [--epochs N] [--lr LR]

1. gradient descent by hand: two leaf tensors, ``backward()``, updates under ``no_grad``;
2. the same model as ``nn.Linear(1, 1)`` trained by ``optim.SGD`` on ``nn.MSELoss``;
3. the closed form (the normal equations), as a check on both.

It prints the fitted line of each, and saves a plot of the data, the fits and the loss curves
(needs matplotlib: ``pip install "chainrule[examples]"``; without it the plot is skipped). A
progress bar shows the training loops (tqdm when installed, a plain text bar otherwise).
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from _progress import progress  # noqa: E402 (examples/_progress.py)

import chainrule as torch  # noqa: E402

# The homework data of the chapter (HW 1), copied from the notebook.
X = torch.tensor([-3.0000e+00, -2.7000e+00, -2.4000e+00, -2.1000e+00, -1.8000e+00,
                  -1.5000e+00, -1.2000e+00, -9.0000e-01, -6.0000e-01, -3.0000e-01,
                  -2.3842e-08,  3.0000e-01,  6.0000e-01,  9.0000e-01,  1.2000e+00,
                   1.5000e+00,  1.8000e+00,  2.1000e+00,  2.4000e+00,  2.7000e+00])  # fmt: skip
Y = torch.tensor([-7.1452, -5.4253, -5.1977, -3.6225, -3.8022, -4.4101, -4.6622, -3.1932,
                  -1.7325, -1.8879, -1.0742, -0.2320,  1.8226,  1.5453, -1.5535,  0.8857,
                   1.7537,  3.1607,  1.8912,  4.0895])  # fmt: skip


def homework_gradient() -> torch.Tensor:
    """HW 1.2: the gradient of g(b0, b1) = sum (y - b0 - b1 x)^2 at (1.0, 0.5), by autograd."""
    beta = torch.tensor([1.0, 0.5], requires_grad=True)
    g = ((Y - (beta[0] + beta[1] * X)) ** 2).sum()
    g.backward()
    return beta.grad


def fit_by_hand(epochs: int, lr: float):
    """Gradient descent on the mean squared error with two leaf tensors."""
    b0 = torch.tensor(0.0, requires_grad=True)
    b1 = torch.tensor(0.0, requires_grad=True)
    losses = []
    for _ in progress(range(epochs), "by hand"):
        loss = ((Y - (b0 + b1 * X)) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            b0 -= lr * b0.grad
            b1 -= lr * b1.grad
        b0.grad = None
        b1.grad = None
        losses.append(loss.item())
    return b0.item(), b1.item(), losses


def fit_with_nn(epochs: int, lr: float):
    """The same fit as nn.Linear(1, 1) + optim.SGD + nn.MSELoss."""
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.MSELoss()
    inputs, targets = X.reshape(-1, 1), Y.reshape(-1, 1)
    losses = []
    for _ in progress(range(epochs), "nn + optim"):
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return model.bias.item(), model.weight.item(), losses


def fit_closed_form():
    """Least squares in closed form: b1 = cov(x, y) / var(x), b0 = mean(y) - b1 mean(x)."""
    dx, dy = X - X.mean(), Y - Y.mean()
    b1 = (dx * dy).sum() / (dx * dx).sum()
    b0 = Y.mean() - b1 * X.mean()
    return b0.item(), b1.item()


def plot(path: str, fits: dict, curves: dict) -> bool:
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: no plot (pip install matplotlib)")
        return False
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    xs = X.tolist()
    left.scatter(xs, Y.tolist(), color="black", s=15, label="data")
    grid = [min(xs), max(xs)]
    for (name, (b0, b1)), style in zip(fits.items(), ["-", "--", ":"]):
        left.plot(
            grid, [b0 + b1 * x for x in grid], style, label=f"{name}: y = {b0:.3f} + {b1:.3f} x"
        )
    left.set(xlabel="x", ylabel="y", title="data and fitted lines")
    left.legend(fontsize=8)
    for name, losses in curves.items():
        right.plot(range(1, len(losses) + 1), losses, label=name)
    right.set(xlabel="epoch", ylabel="mean squared error", title="training loss", yscale="log")
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", default="linear_regression.png", help="where to save the plot")
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--lr", type=float, default=0.05)
    args = parser.parse_args(argv)

    print("HW 1.2  grad g at (1.0, 0.5):", homework_gradient())
    b0_hand, b1_hand, hand_losses = fit_by_hand(args.epochs, args.lr)
    b0_nn, b1_nn, nn_losses = fit_with_nn(args.epochs, args.lr)
    b0_exact, b1_exact = fit_closed_form()
    fits = {
        "by hand": (b0_hand, b1_hand),
        "nn.Linear + SGD": (b0_nn, b1_nn),
        "closed form": (b0_exact, b1_exact),
    }
    for name, (b0, b1) in fits.items():
        print(f"{name:>16}: y = {b0:.4f} + {b1:.4f} x")
    print(f"final loss: by hand {hand_losses[-1]:.4f}, nn.Linear + SGD {nn_losses[-1]:.4f}")
    if plot(args.plot, fits, {"by hand": hand_losses, "nn.Linear + SGD": nn_losses}):
        print(f"saved plot to {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
