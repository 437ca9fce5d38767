import torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


x = torch.linspace(-1, 1, 5, requires_grad=True)
y = MyReLU.apply(x)
print(y)
print(type(y.grad_fn).__name__)
y.sum().backward()
print(x.grad)
x.grad = None
P3 = LegendrePolynomial3.apply
out = P3(x)
out.backward(torch.ones_like(out))
print(out, x.grad)


class MulConstant(torch.autograd.Function):
    @staticmethod
    def forward(ctx, tensor, constant):
        ctx.constant = constant
        return tensor * constant

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None


a = torch.tensor([1.0, 2.0], requires_grad=True)
r = MulConstant.apply(a, 3.0)
r.sum().backward()
print(r, a.grad)


class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result


z = torch.tensor([0.0, 1.0], requires_grad=True)
e = Exp.apply(z)
e.sum().backward()
print(e, z.grad)
print(
    torch.autograd.gradcheck(
        Exp.apply, (torch.tensor([0.5, 0.2], dtype=torch.double, requires_grad=True),)
    )
)


class Split(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2, x * 3

    @staticmethod
    def backward(ctx, g1, g2):
        return g1 * 2 + g2 * 3


q = torch.ones(2, requires_grad=True)
u, v = Split.apply(q)
(u + v).sum().backward()
print(u, v, q.grad)
with torch.no_grad():
    print(MyReLU.apply(torch.tensor([-1.0, 1.0], requires_grad=True)))
