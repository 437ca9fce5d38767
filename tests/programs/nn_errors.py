import torch
import torch.nn as nn
import torch.nn.functional as F


def show(fn):
    try:
        r = fn()
        print("ok", r.shape if isinstance(r, torch.Tensor) else r)
    except Exception as e:
        print(type(e).__name__, e)


conv = nn.Conv2d(3, 4, 3)
show(lambda: conv(torch.ones(1, 2, 8, 8)))
show(lambda: conv(torch.ones(3, 8, 8)))
show(lambda: conv(torch.ones(1, 3, 2, 2)))
show(lambda: nn.Linear(4, 2)(torch.ones(3, 5)))
show(lambda: nn.Embedding(5, 2)(torch.tensor([5])))
show(lambda: nn.Embedding(5, 2)(torch.tensor([1.0])))
show(lambda: nn.BatchNorm1d(3)(torch.ones(1, 3)))
show(lambda: nn.BatchNorm1d(3)(torch.ones(2, 4)))
show(lambda: nn.LayerNorm(4)(torch.ones(2, 3)))
show(lambda: F.cross_entropy(torch.ones(2, 3), torch.tensor([0, 1, 2])))
show(lambda: F.cross_entropy(torch.ones(2, 3), torch.tensor([[0], [1]])))
show(lambda: F.nll_loss(torch.ones(2, 3), torch.tensor([0, -1])))
show(lambda: F.binary_cross_entropy(torch.tensor([1.5]), torch.tensor([1.0])))
show(lambda: F.binary_cross_entropy_with_logits(torch.ones(2), torch.ones(3)))
show(lambda: F.mse_loss(torch.ones(2, 1), torch.ones(2)))
show(lambda: nn.LSTM(3, 4)(torch.ones(5, 2, 2)))
show(lambda: nn.Sequential(nn.Linear(2, 3), nn.Linear(4, 1))(torch.ones(1, 2)))
show(lambda: F.softmax(torch.ones(2, 3), dim=2))
show(lambda: nn.MaxPool2d(2)(torch.ones(1, 1, 1, 1)))
show(lambda: torch.optim.SGD([torch.ones(2)], lr=0.1))
show(lambda: torch.optim.SGD([], lr=0.1))
show(lambda: torch.optim.Adam(nn.Linear(1, 1).parameters(), lr=-1))
show(lambda: nn.Dropout(1.5))
show(lambda: nn.Linear(2, 2).load_state_dict({"weight": torch.ones(2, 2), "bias": torch.ones(3)}))
show(lambda: nn.Linear(2, 2).get_submodule("foo"))
show(lambda: nn.Module().register_buffer("a.b", torch.ones(1)))
show(lambda: F.one_hot(torch.tensor([3]), 3))
show(lambda: F.pad(torch.ones(2, 2), (1, 1)))
show(lambda: F.interpolate(torch.ones(1, 1, 2, 2), scale_factor=2))
show(lambda: nn.Flatten()(torch.ones(2, 3, 4)))
show(lambda: nn.Unflatten(1, (2, 2))(torch.ones(3, 4)))
m = nn.Linear(2, 2)
show(lambda: setattr(m, "weight", torch.ones(2, 2)))
show(lambda: m(torch.ones(2, dtype=torch.float64)))
