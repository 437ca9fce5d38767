import warnings

import torch
import torch.nn as nn

d_model, nhead = 8, 2
layer = nn.TransformerEncoderLayer(
    d_model, nhead, dim_feedforward=16, dropout=0.0, batch_first=True
)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    encoder = nn.TransformerEncoder(layer, num_layers=2)
    nn.TransformerEncoder(nn.TransformerEncoderLayer(d_model, nhead), num_layers=1)
print([str(w.message) for w in caught])
print(encoder)
with torch.no_grad():
    for i, p in enumerate(encoder.parameters()):
        p.copy_(
            torch.cos(torch.arange(p.numel(), dtype=torch.float32) * 0.41 + i).view(p.shape) * 0.3
        )
x = torch.sin(torch.arange(2 * 5 * d_model, dtype=torch.float32).view(2, 5, d_model) * 0.17)
out = encoder(x)
print(out.shape, type(out.grad_fn).__name__)
print(out[0, 0])
mask = torch.triu(torch.full((5, 5), float("-inf")), diagonal=1)
print(mask)
causal = encoder(x, mask=mask)
print(causal[1, -1])
pad = torch.tensor([[False, False, False, True, True], [False] * 5])
padded = encoder(x, src_key_padding_mask=pad)
print(padded[0, 0])
head = nn.Linear(d_model, 3)
with torch.no_grad():
    head.weight.copy_(torch.linspace(-0.3, 0.3, 3 * d_model).view(3, d_model))
    head.bias.zero_()
opt = torch.optim.Adam(list(encoder.parameters()) + list(head.parameters()), lr=0.01)
labels = torch.tensor([0, 2])
for _step in range(5):
    logits = head(encoder(x).mean(dim=1))
    loss = nn.functional.cross_entropy(logits, labels)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(f"{loss.item():.4f}", logits.argmax(1))
pre = nn.TransformerEncoderLayer(
    d_model, nhead, dim_feedforward=16, dropout=0.0, norm_first=True, activation="gelu"
)
with torch.no_grad():
    for i, p in enumerate(pre.parameters()):
        p.copy_(
            torch.sin(torch.arange(p.numel(), dtype=torch.float32) * 0.23 + i).view(p.shape) * 0.3
        )
print(pre(x.transpose(0, 1))[0, 0])
