import math

import torch
import torch.nn as nn
import torch.nn.functional as F

T, d = 4, 6
x = torch.sin(torch.arange(T * d, dtype=torch.float32).view(1, T, d) * 0.3)
Wq = torch.cos(torch.arange(d * d, dtype=torch.float32).view(d, d) * 0.1) * 0.3
Wk = torch.sin(torch.arange(d * d, dtype=torch.float32).view(d, d) * 0.2) * 0.3
q, k, v = x @ Wq, x @ Wk, x
scores = q @ k.transpose(-2, -1) / math.sqrt(d)
mask = torch.tril(torch.ones(T, T)).bool()
scores = scores.masked_fill(~mask, float("-inf"))
print(scores)
attn = F.softmax(scores, dim=-1)
print(attn)
out = attn @ v
print(out.shape, out[0, -1])
print(F.scaled_dot_product_attention(q, k, v, is_causal=True)[0, -1])
mha = nn.MultiheadAttention(embed_dim=d, num_heads=2, batch_first=True)
with torch.no_grad():
    for i, p in enumerate(mha.parameters()):
        p.copy_(
            torch.cos(torch.arange(p.numel(), dtype=torch.float32) * 0.37 + i).view(p.shape) * 0.2
        )
print(mha)
o, w = mha(x, x, x)
print(o.shape, w.shape)
print(o[0, 0], w[0])
o2, w2 = mha(x, x, x, attn_mask=~mask, need_weights=True, average_attn_weights=False)
print(w2.shape, w2[0, 1])
o.sum().backward()
print(mha.in_proj_weight.grad.shape, mha.out_proj.bias.grad)
emb = nn.Embedding(10, d, padding_idx=0)
with torch.no_grad():
    emb.weight.copy_(torch.arange(10 * d, dtype=torch.float32).view(10, d) / 60)
    emb.weight[0].zero_()
tok = torch.tensor([[1, 2, 0]])
e = emb(tok)
e.sum().backward()
print(e, emb.weight.grad[:3])
ln = nn.LayerNorm(d)
print(ln(x)[0, 0], ln.weight.shape)
pos = torch.arange(T).unsqueeze(1) * torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
pe = torch.zeros(T, d)
pe[:, 0::2] = torch.sin(pos)
pe[:, 1::2] = torch.cos(pos)
print(pe)
