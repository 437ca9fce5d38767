import torch
import torch.nn as nn
import torch.nn.functional as F

pred = torch.tensor([[0.2, 1.5, -0.3], [1.0, -0.5, 0.8]], requires_grad=True)
target_cls = torch.tensor([1, 0])
target_reg = torch.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]])
losses = {
    "mse": nn.MSELoss()(pred, target_reg),
    "l1": nn.L1Loss()(pred, target_reg),
    "smooth_l1": nn.SmoothL1Loss()(pred, target_reg),
    "huber": nn.HuberLoss(delta=0.5)(pred, target_reg),
    "ce": nn.CrossEntropyLoss()(pred, target_cls),
    "ce_smooth": nn.CrossEntropyLoss(label_smoothing=0.1)(pred, target_cls),
    "ce_weight": nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 0.5]))(pred, target_cls),
    "ce_probs": nn.CrossEntropyLoss()(pred, target_reg / target_reg.sum(1, keepdim=True)),
    "nll": nn.NLLLoss()(F.log_softmax(pred, dim=1), target_cls),
    "bce_logits": nn.BCEWithLogitsLoss()(pred, target_reg),
    "bce": nn.BCELoss()(torch.sigmoid(pred), target_reg),
    "kl": nn.KLDivLoss(reduction="batchmean")(F.log_softmax(pred, 1), F.softmax(target_reg, 1)),
    "mse_sum": F.mse_loss(pred, target_reg, reduction="sum"),
    "ce_none": F.cross_entropy(pred, target_cls, reduction="none"),
}
for name, value in losses.items():
    grad = torch.autograd.grad(value.sum(), pred)[0]
    print(f"{name:10s}", value, grad[0])
ce = nn.CrossEntropyLoss(ignore_index=0)
print(ce(pred, target_cls), ce)
print(
    nn.MSELoss(reduction="none")(pred, target_reg).shape,
    nn.BCEWithLogitsLoss(pos_weight=torch.ones(3)),
)
img = torch.linspace(-1, 1, 2 * 3 * 2 * 2).view(2, 3, 2, 2).requires_grad_()
seg = torch.tensor([[[0, 1], [2, 1]], [[1, 1], [0, 2]]])
seg_loss = F.cross_entropy(img, seg)
seg_loss.backward()
print(seg_loss, img.grad[0, :, 0, 0])
print(F.nll_loss(F.log_softmax(img, 1), seg, reduction="none"))
