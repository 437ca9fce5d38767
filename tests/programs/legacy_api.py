import torch
from torch.autograd import Variable

print(torch.Tensor([[1, 2], [3, 4]]), torch.Tensor(2, 3).shape, torch.FloatTensor([1.5]))
print(torch.LongTensor([1, 2]), torch.DoubleTensor([1]).dtype, torch.IntTensor([3]))
print(torch.BoolTensor([True]), torch.ByteTensor([1]), torch.FloatTensor(2, 2).shape)
x = torch.Tensor([1.0, 2.0])
print(x.new([3.0]), x.new_empty(2).shape, x.type(torch.LongTensor), x.type("torch.DoubleTensor"))
print(isinstance(x, torch.FloatTensor), isinstance(torch.tensor([1]), torch.LongTensor), x.type())
v = Variable(torch.ones(2), requires_grad=True)
y = (v * 3).sum()
y.backward()
print(v, type(v).__name__, v.grad, v.grad.data)
print(x.is_cuda, x.device.type, torch.cuda.is_available(), x.cpu(), x.to("cpu"))
print(x.numpy().tolist(), torch.numel(x), x.nelement(), x.data.numpy())
w = torch.FloatTensor([[0.5, -0.5]])
w.requires_grad = True
loss = (w.mm(torch.FloatTensor([[2.0], [1.0]])) - 1).pow(2).sum()
loss.backward()
print(loss, w.grad)
w.grad.data.zero_()
print(w.grad, torch.LongTensor(3).shape, torch.Tensor().shape)
