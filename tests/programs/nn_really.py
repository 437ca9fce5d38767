import math

import torch
import torch.nn.functional as F
from torch import nn

n, c = 64, 10
x_train = torch.sin(torch.arange(n * 20, dtype=torch.float32).view(n, 20) * 0.37)
y_train = torch.arange(n) % c
weights = torch.cos(torch.arange(20 * c, dtype=torch.float32).view(20, c)) / math.sqrt(20)
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)


def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)


def model(xb):
    return log_softmax(xb @ weights + bias)


def nll(input, target):
    return -input[range(target.shape[0]), target].mean()


def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()


bs = 16
xb = x_train[0:bs]
preds = model(xb)
print(preds[0], preds.shape)
loss_func = nll
yb = y_train[0:bs]
print(loss_func(preds, yb), accuracy(preds, yb))
lr = 0.5
for _epoch in range(3):
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        end_i = start_i + bs
        xb = x_train[start_i:end_i]
        yb = y_train[start_i:end_i]
        pred = model(xb)
        loss = loss_func(pred, yb)
        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()
print(loss_func(model(xb), yb), accuracy(model(xb), yb))
print(F.cross_entropy(xb @ weights + bias, yb))


class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(
            torch.cos(torch.arange(20 * c, dtype=torch.float32).view(20, c)) / math.sqrt(20)
        )
        self.bias = nn.Parameter(torch.zeros(10))

    def forward(self, xb):
        return xb @ self.weights + self.bias


model = Mnist_Logistic()
print(F.cross_entropy(model(xb), yb))


def fit():
    for _epoch in range(3):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            xb = x_train[start_i : start_i + bs]
            yb = y_train[start_i : start_i + bs]
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= p.grad * lr
                model.zero_grad()


fit()
print(F.cross_entropy(model(xb), yb))
print(model.weights.grad, model.bias.grad)
