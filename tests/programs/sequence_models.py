import torch
import torch.nn as nn

vocab = ["<pad>", "the", "cat", "sat", "on", "mat"]
stoi = {w: i for i, w in enumerate(vocab)}
sentences = [["the", "cat", "sat"], ["the", "mat"], ["cat", "sat", "on", "the", "mat"]]
ids = [torch.tensor([stoi[w] for w in s]) for s in sentences]
maxlen = max(len(s) for s in ids)
batch = torch.zeros(len(ids), maxlen, dtype=torch.long)
for i, s in enumerate(ids):
    batch[i, : len(s)] = s
print(batch)
lengths = torch.tensor([len(s) for s in ids])
mask = torch.arange(maxlen).unsqueeze(0) < lengths.unsqueeze(1)
print(mask)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(len(vocab), 4, padding_idx=0)
        self.rnn = nn.GRU(4, 5, batch_first=True)
        self.fc = nn.Linear(5, 2)

    def forward(self, x, lengths):
        e = self.emb(x)
        out, h = self.rnn(e)
        last = out[torch.arange(x.shape[0]), lengths - 1]
        return self.fc(last), h


model = Classifier()
with torch.no_grad():
    for i, (_n, p) in enumerate(model.named_parameters()):
        p.copy_(
            torch.sin(torch.arange(p.numel(), dtype=torch.float32) * 0.5 + i).view(p.shape) * 0.5
        )
    model.emb.weight[0].zero_()
logits, h = model(batch, lengths)
print(logits, h.shape)
labels = torch.tensor([1, 0, 1])
opt = torch.optim.Adam(model.parameters(), lr=0.05)
for _step in range(30):
    opt.zero_grad()
    logits, _ = model(batch, lengths)
    loss = nn.functional.cross_entropy(logits, labels)
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
print(f"{loss.item():.4f}", logits.argmax(1), model.emb.weight.grad[0])
lstm = nn.LSTM(4, 3, num_layers=2, bidirectional=True, batch_first=True)
with torch.no_grad():
    for i, p in enumerate(lstm.parameters()):
        p.copy_(
            torch.cos(torch.arange(p.numel(), dtype=torch.float32) * 0.3 + i).view(p.shape) * 0.3
        )
out, (hn, cn) = lstm(model.emb(batch))
print(out.shape, hn.shape, cn.shape)
print(out[0, -1], hn[-1])
h0 = torch.zeros(4, 3, 3)
c0 = torch.ones(4, 3, 3) * 0.1
out2, _ = lstm(model.emb(batch), (h0, c0))
print(out2[2, 0])
try:
    lstm(model.emb(batch), (torch.zeros(2, 3, 3), c0))
except RuntimeError as e:
    print(type(e).__name__, e)
