import torch
from torch.utils.data import ConcatDataset, DataLoader, Dataset, Subset, TensorDataset, random_split


class SquaresDataset(Dataset):
    def __init__(self, n):
        self.x = torch.arange(n, dtype=torch.float32)
        self.y = self.x**2

    def __len__(self):
        return len(self.x)

    def __getitem__(self, idx):
        return {"x": self.x[idx], "y": self.y[idx], "id": idx}


ds = SquaresDataset(10)
print(len(ds), ds[3])
loader = DataLoader(ds, batch_size=4)
for batch in loader:
    print(batch["x"], batch["y"], batch["id"])


def collate(items):
    xs = torch.stack([it["x"] for it in items])
    return xs.unsqueeze(1), torch.tensor([it["id"] for it in items])


for xb, ids in DataLoader(ds, batch_size=3, collate_fn=collate):
    print(xb.shape, ids)
sub = Subset(ds, [0, 2, 4])
print(len(sub), sub[1]["x"])
both = ConcatDataset([ds, sub])
print(len(both), both[11]["y"])
g = torch.Generator().manual_seed(0)
a, b = random_split(ds, [7, 3], generator=g)
print(len(a), len(b), type(a).__name__)


class PairDS(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return torch.tensor([i, i + 1.0]), i % 2


for xb, yb in DataLoader(PairDS(), batch_size=2):
    print(xb, yb)
td = TensorDataset(torch.arange(6.0).view(3, 2), torch.tensor([0, 1, 0]))
print(td[1], len(td), td.tensors[1])
print(next(iter(DataLoader(td, batch_size=3))))
print([len(b[0]) for b in DataLoader(td, batch_size=2)])
it = iter(DataLoader(list(range(5)), batch_size=2))
print(next(it), next(it), next(it))
print(list(DataLoader([(1, 2.0), (3, 4.0)], batch_size=2)))
print(list(DataLoader(["a", "b", "c"], batch_size=2)))
