import torch

a = torch.tensor([7, -7, 3, 0])
b = torch.tensor([2, 2, -2, 5])
print(a // b, a % b, a / b, torch.div(a, b, rounding_mode="trunc"), torch.fmod(a, b))
print(a * b, a - b, a + 1.5, a**2, -a, a.abs())
print(a & b, a | b, a ^ b, ~a, a << 1, a >> 1)
print(a > 0, (a > 0) & (b > 0), (a > 0) | (b < 0), ~(a > 0), (a > 0) ^ (b > 0))
print(torch.tensor([True, False]) + torch.tensor([True, True]))
print(
    torch.tensor([True, False]).sum(),
    torch.tensor([True, False]).float(),
    torch.tensor([True, False]).long(),
)
print(a.max(), a.argmax(), a.sort(), a.float().mean(), a.sum(), a.prod())
print(torch.tensor([255], dtype=torch.uint8) + 1, torch.tensor([127], dtype=torch.int8) + 1)
print(torch.tensor([2**31 - 1], dtype=torch.int32) + 1)
print(a.clamp(min=0), a.clamp(-1, 1), torch.sign(a))
print(torch.tensor([1, 2, 3]) == torch.tensor([1, 5, 3]), torch.eq(a, 0).nonzero())
print(torch.tensor([1, 2, 3]).tolist(), torch.tensor([1.5]).tolist(), torch.tensor(True).item())
print(torch.arange(5) * 0.5, torch.arange(5).float() / 2, torch.arange(5) / 2)
print((torch.arange(6) % 2 == 0).nonzero().squeeze(), torch.arange(10)[torch.arange(10) % 3 == 0])
print(
    torch.tensor([3, 1, 2]).argsort(),
    torch.bincount(torch.tensor([1, 1, 3])),
    torch.tensor([4, 4, 1]).unique(),
)
print(
    torch.logical_and(a > 0, b > 0),
    torch.logical_not(a),
    torch.logical_or(a, b),
    torch.logical_xor(a, b),
)
print(
    torch.tensor([1, 2]) * torch.tensor([1.5, 2.5]),
    torch.tensor([5]) // 2.0,
    torch.tensor([5.0]) // 2,
)
print(
    torch.tensor([-7.5, 7.5]) // 2,
    torch.tensor([-7.5, 7.5]) % 2,
    torch.remainder(torch.tensor([-7]), 3),
)
print(
    a.bitwise_and(3),
    torch.gcd(torch.tensor([12, 18]), torch.tensor([8, 27])),
    torch.tensor([10]).lcm(torch.tensor([4])),
)
print(
    torch.tensor([0, 1, 2]).bool(),
    torch.tensor([0.0, 0.1]).bool(),
    torch.tensor([1, 0]).logical_not(),
)
print(
    torch.tensor([1, 2, 3]).cumsum(0).dtype, torch.tensor([1, 2], dtype=torch.int32).cumsum(0).dtype
)
print(
    torch.tensor([True, False]).all(),
    torch.tensor([[True], [False]]).any(0),
    torch.tensor([]).bool().all(),
)
print(torch.tensor([1, 2, 3]).float().mean().item(), torch.tensor([1, 2, 3]).double().std().item())
print(torch.tensor([10, 20, 30])[torch.tensor([True, False, True])], torch.tensor([1, 2]).repeat(3))
try:
    torch.tensor([1, 2]) // 0
except RuntimeError as e:
    print(type(e).__name__, e)
print(torch.tensor([1.0, 2.0]) // 0, torch.tensor([1.0, -2.0, 0.0]) / 0)
