"""Classifying scikit-learn's 8x8 handwritten digits with chainrule: an MLP (and a small CNN
when ``chainrule.nn.Conv2d`` is available), trained with DataLoader + Adam.

Needs scikit-learn (for the data) and matplotlib (for the plot):

    pip install "chainrule[examples]"        # or: pip install scikit-learn matplotlib tqdm

Run:  python examples/mnist_like.py  [--plot PATH] [--epochs N] [--no-cnn]

It prints the test accuracy of each model after every epoch (reaching about 97%; it takes
well under a minute on a laptop) and saves a plot of the training loss and test accuracy.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from _progress import progress  # noqa: E402 (examples/_progress.py)

import chainrule as torch  # noqa: E402
from chainrule import nn  # noqa: E402
from chainrule.utils.data import DataLoader, TensorDataset, random_split  # noqa: E402


def load_digits():
    """The 1797 digits as float32 images in [0, 1] (N, 1, 8, 8) and int64 labels."""
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError:
        sys.exit("this example needs scikit-learn: pip install scikit-learn")
    digits = sklearn_digits()
    images = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
    labels = torch.tensor(digits.target, dtype=torch.int64)
    return images, labels


def make_mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))


def make_cnn():
    """Two 3x3 convolutions (with a 2x2 max-pool when chainrule has one), then a linear layer."""
    pool = [nn.MaxPool2d(2)] if hasattr(nn, "MaxPool2d") else []
    side = 4 if pool else 8
    return nn.Sequential(
        nn.Conv2d(1, 8, kernel_size=3, padding=1),
        nn.ReLU(),
        *pool,
        nn.Conv2d(8, 16, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(16 * side * side, 10),
    )


def accuracy(model, loader) -> float:
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for images, labels in loader:
            correct += (model(images).argmax(dim=1) == labels).sum().item()
            total += labels.numel()
    model.train()
    return correct / total


def train(name, model, train_loader, test_loader, epochs, lr):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=max(epochs // 2, 1), gamma=0.3)
    loss_fn = nn.CrossEntropyLoss()
    losses, accuracies = [], []
    for epoch in range(1, epochs + 1):
        total, batches = 0.0, 0
        for images, labels in progress(train_loader, f"{name} epoch {epoch}"):
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
            total += loss.item()
            batches += 1
        scheduler.step()
        losses.append(total / batches)
        accuracies.append(accuracy(model, test_loader))
        print(f"{name} epoch {epoch:2d}: loss {losses[-1]:.4f}, test accuracy {accuracies[-1]:.2%}")
    return losses, accuracies


def plot(path: str, histories: dict) -> bool:
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: no plot (pip install matplotlib)")
        return False
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for name, (losses, accuracies) in histories.items():
        epochs = range(1, len(losses) + 1)
        left.plot(epochs, losses, marker="o", label=name)
        right.plot(epochs, [100 * a for a in accuracies], marker="o", label=name)
    left.set(xlabel="epoch", ylabel="cross-entropy", title="training loss", yscale="log")
    right.set(xlabel="epoch", ylabel="accuracy (%)", title="test accuracy")
    left.legend()
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", default="mnist_like.png", help="where to save the plot")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--no-cnn", action="store_true", help="train the MLP only")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    torch.manual_seed(0)
    images, labels = load_digits()
    dataset = TensorDataset(images, labels)
    train_set, test_set = random_split(
        dataset, [0.8, 0.2], generator=torch.Generator().manual_seed(0)
    )
    shuffle = torch.Generator().manual_seed(1)
    train_loader = DataLoader(
        train_set, batch_size=args.batch_size, shuffle=True, generator=shuffle
    )
    test_loader = DataLoader(test_set, batch_size=256)
    print(f"{len(train_set)} training and {len(test_set)} test images of 8x8 digits")

    models = {"MLP": (make_mlp(), 1e-2)}
    if hasattr(nn, "Conv2d") and not args.no_cnn:
        models["CNN"] = (make_cnn(), 1e-2)
    histories = {}
    for name, (model, lr) in models.items():
        histories[name] = train(name, model, train_loader, test_loader, args.epochs, lr)
    for name, (_, accuracies) in histories.items():
        print(f"{name} final test accuracy: {accuracies[-1]:.2%}")
    if plot(args.plot, histories):
        print(f"saved plot to {args.plot}")
    print(f"done in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
