import torch
import torch.nn as nn


def init_(module, scale):
    with torch.no_grad():
        for i, p in enumerate(module.parameters()):
            p.copy_(
                torch.sin(torch.arange(p.numel(), dtype=torch.float32) * scale + i).view(p.shape)
                * 0.4
            )


G = nn.Sequential(nn.Linear(2, 8), nn.LeakyReLU(0.2), nn.Linear(8, 2))
D = nn.Sequential(nn.Linear(2, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1), nn.Sigmoid())
init_(G, 0.7)
init_(D, 1.1)
opt_g = torch.optim.Adam(G.parameters(), lr=0.01, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=0.01, betas=(0.5, 0.999))
bce = nn.BCELoss()
real = torch.stack([torch.cos(torch.linspace(0, 6, 32)), torch.sin(torch.linspace(0, 6, 32))], 1)
z = torch.stack([torch.linspace(-1, 1, 32), torch.linspace(1, -1, 32) ** 2], 1)
ones, zeros = torch.ones(32, 1), torch.zeros(32, 1)
for step in range(20):
    fake = G(z)
    d_loss = bce(D(real), ones) + bce(D(fake.detach()), zeros)
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    g_loss = bce(D(fake), ones)
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
    if step % 5 == 4:
        print(step, f"{d_loss.item():.4f} {g_loss.item():.4f}")
print(G(z[:2]))


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(6, 3), nn.ReLU(), nn.Linear(3, 2))
        self.decoder = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 6), nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


ae = AutoEncoder()
init_(ae, 0.3)
data = (torch.sin(torch.arange(60, dtype=torch.float32).view(10, 6) * 0.2) + 1) / 2
opt = torch.optim.SGD(ae.parameters(), lr=0.5, momentum=0.8)
for _epoch in range(40):
    recon = ae(data)
    loss = nn.functional.mse_loss(recon, data)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(f"{loss.item():.5f}", ae.encoder(data[:2]))
print(ae)
