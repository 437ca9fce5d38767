import torch
import torch.nn as nn

seq = torch.sin(torch.linspace(0, 6, 21))
X = torch.stack([seq[i : i + 5] for i in range(15)]).unsqueeze(-1)
Y = seq[5:20].unsqueeze(-1)
print(X.shape, Y.shape)


class SeqModel(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.rnn = cell(input_size=1, hidden_size=6, batch_first=True)
        self.head = nn.Linear(6, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1, :])


for cell in (nn.RNN, nn.LSTM, nn.GRU):
    model = SeqModel(cell)
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            p.copy_(
                torch.sin(torch.arange(p.numel(), dtype=torch.float32) * 0.7 + i).view(p.shape)
                * 0.4
            )
    print(model)
    print([(n, tuple(p.shape)) for n, p in model.named_parameters()])
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    for _epoch in range(40):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(X), Y)
        loss.backward()
        opt.step()
    print(cell.__name__, f"{loss.item():.5f}")
lstm = nn.LSTM(2, 3, num_layers=2)
with torch.no_grad():
    for p in lstm.parameters():
        p.fill_(0.1)
inp = torch.ones(4, 1, 2)
out, (h, c) = lstm(inp)
print(out.shape, h.shape, c.shape)
print(h)
cell = nn.LSTMCell(2, 3)
with torch.no_grad():
    for p in cell.parameters():
        p.fill_(-0.2)
hx, cx = cell(torch.ones(1, 2))
print(hx, cx)
gru = nn.GRU(1, 2, bidirectional=True, batch_first=True)
with torch.no_grad():
    for p in gru.parameters():
        p.fill_(0.3)
o, hn = gru(X[:2])
print(o.shape, hn.shape, o[0, -1])
emb = nn.Embedding(10, 3)
with torch.no_grad():
    emb.weight.copy_(torch.arange(30.0).view(10, 3))
print(emb(torch.tensor([[1, 2], [9, 0]])))
