"""Generate tests/golden/behaviour.json: what PyTorch prints, raises and warns for small snippets.

Run from the repository root with torch installed:

    python tools/gen_behaviour_golden.py          # write the golden file
    python tools/gen_behaviour_golden.py --diff   # show where chainrule differs (writes nothing)

Each snippet is a piece of code using ``torch`` (and ``np``, ``math``). It is run with real
torch in a forked child (torch warns some warnings only once per process), and its printed
output, exception and warnings are recorded by ``run_snippet`` of tests/test_differential.py,
which the test uses to replay the snippet with chainrule. Snippets must reach torch only
through the ``torch`` name (no ``import torch`` / ``from torch ...``): the name is rebound.

The file also stores the type-promotion table of tests/test_tensor_api.py (``promotion``).
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "golden" / "behaviour.json"

SNIPPETS: list[tuple[str, str]] = []


def snippet(name: str, code: str) -> None:
    SNIPPETS.append((name, textwrap.dedent(code).strip() + "\n"))


# The snippets are laid out by hand, one call per snippet.
# fmt: off

# --------------------------------------------------------------------------- learner mistakes

snippet("mistake-backward-nonscalar", """
    x = torch.tensor([1., 2., 3.], requires_grad=True)
    y = x * 2
    y.backward()
""")
snippet("mistake-backward-nonscalar-int-grad", """
    x = torch.tensor([1., 2.], requires_grad=True)
    (x * 2).backward(torch.tensor([1, 1]))
    print(x.grad)
""")
snippet("mistake-backward-wrong-gradient-shape", """
    x = torch.tensor([1., 2.], requires_grad=True)
    (x * 2).backward(torch.ones(3))
""")
snippet("mistake-backward-gradient-given", """
    x = torch.tensor([1., 2.], requires_grad=True)
    (x * x).backward(torch.tensor([1., 10.]))
    print(x.grad)
""")
snippet("mistake-backward-twice", """
    x = torch.tensor(2., requires_grad=True)
    y = x * x
    y.backward()
    print(x.grad)
    y.backward()
""")
snippet("mistake-backward-twice-exp", """
    x = torch.tensor([1., 2.], requires_grad=True)
    y = x.exp().sum()
    y.backward()
    y.backward()
""")
snippet("mistake-backward-twice-retain", """
    x = torch.tensor(2., requires_grad=True)
    y = x ** 3
    y.backward(retain_graph=True)
    y.backward()
    print(x.grad)
""")
snippet("mistake-backward-twice-no-saved", """
    x = torch.tensor([1., 2.], requires_grad=True)
    y = (x + x).sum()
    y.backward()
    y.backward()
    print(x.grad)
""")
snippet("mistake-backward-twice-mul-scalar", """
    x = torch.tensor([1., 2.], requires_grad=True)
    y = (x * 2).sum()
    y.backward()
    y.backward()
""")
snippet("mistake-backward-no-requires-grad", """
    x = torch.tensor(3.)
    y = x * 2
    y.backward()
""")
snippet("mistake-backward-under-no-grad", """
    x = torch.tensor(3., requires_grad=True)
    with torch.no_grad():
        y = x * 2
    print(y.requires_grad, y.grad_fn)
    y.backward()
""")
snippet("mistake-backward-after-detach", """
    x = torch.tensor(3., requires_grad=True)
    y = (x * 2).detach()
    y.backward()
""")
snippet("mistake-backward-int-output", """
    x = torch.tensor([1., 2.], requires_grad=True)
    y = (x > 1).sum()
    print(y, y.requires_grad)
    y.backward()
""")
snippet("mistake-requires-grad-int", """
    x = torch.tensor([1, 2, 3], requires_grad=True)
""")
snippet("mistake-requires-grad-int-method", """
    x = torch.tensor([1, 2, 3])
    x.requires_grad_()
""")
snippet("mistake-requires-grad-int-attr", """
    x = torch.arange(3)
    x.requires_grad = True
""")
snippet("mistake-requires-grad-bool", """
    torch.ones(2, dtype=torch.bool, requires_grad=True)
""")
snippet("mistake-requires-grad-nonleaf", """
    x = torch.tensor([1., 2.], requires_grad=True)
    y = x * 2
    y.requires_grad_(False)
""")
snippet("mistake-requires-grad-nonleaf-true", """
    x = torch.tensor([1., 2.], requires_grad=True)
    y = x * 2
    y.requires_grad = True
    print(y.requires_grad)
    y.requires_grad = False
""")
snippet("mistake-item-multi", """
    torch.tensor([1., 2.]).item()
""")
snippet("mistake-item-empty", """
    torch.ones(0).item()
""")
snippet("item-one-element", """
    print(torch.tensor([[2.5]]).item(), torch.tensor(3).item(), torch.tensor(True).item())
    print(type(torch.tensor([7]).item()).__name__)
""")
snippet("mistake-grad-nonleaf", """
    x = torch.tensor([1., 2.], requires_grad=True)
    y = x * 2
    y.sum().backward()
    print(y.grad)
    print(x.grad)
""")
snippet("mistake-grad-nonleaf-retained", """
    x = torch.tensor([1., 2.], requires_grad=True)
    y = x * 2
    y.retain_grad()
    (y * y).sum().backward()
    print(y.grad, y.is_leaf, y.retains_grad)
""")
snippet("mistake-numpy-with-grad", """
    x = torch.tensor([1., 2.], requires_grad=True)
    x.numpy()
""")
snippet("mistake-numpy-nonleaf", """
    x = torch.tensor([1., 2.], requires_grad=True)
    (x * 2).numpy()
""")
snippet("numpy-after-detach", """
    x = torch.tensor([1., 2.], requires_grad=True)
    print(repr(x.detach().numpy()))
    print(repr(np.asarray(x.detach())))
""")
snippet("mistake-array-with-grad", """
    x = torch.tensor([1., 2.], requires_grad=True)
    np.asarray(x)
""")
snippet("mistake-float-with-grad", """
    x = torch.tensor(2., requires_grad=True)
    print(float(x))
""")
snippet("mistake-int-with-grad", """
    x = torch.tensor(2.7, requires_grad=True)
    print(int(x))
""")
snippet("mistake-float-multi", """
    float(torch.tensor([1., 2.]))
""")
snippet("mistake-bool-multi", """
    x = torch.tensor([1., 2.])
    if x > 0:
        print("yes")
""")
snippet("mistake-inplace-on-leaf", """
    x = torch.tensor([1., 2.], requires_grad=True)
    x += 1
""")
snippet("mistake-inplace-on-leaf-method", """
    w = torch.ones(3, requires_grad=True)
    w.mul_(2)
""")
snippet("mistake-inplace-on-leaf-setitem", """
    w = torch.ones(3, requires_grad=True)
    w[0] = 5.
""")
snippet("inplace-on-leaf-no-grad", """
    w = torch.ones(3, requires_grad=True)
    with torch.no_grad():
        w -= 0.5 * torch.ones(3)
    print(w, w.is_leaf, w.grad_fn)
""")
snippet("mistake-modified-saved-tensor", """
    x = torch.tensor([1., 2.], requires_grad=True)
    y = x.exp()
    y.add_(1)
    y.sum().backward()
""")
snippet("mistake-modified-saved-input", """
    x = torch.tensor([1., 2.], requires_grad=True)
    a = x * 1
    y = a * a
    a.mul_(3)
    y.sum().backward()
""")
snippet("mistake-modified-saved-sigmoid", """
    x = torch.tensor([[0., 1.], [2., 3.]], requires_grad=True)
    y = x.sigmoid()
    y[0, 0] = 0.5
    y.sum().backward()
""")
snippet("modified-unsaved-is-fine", """
    x = torch.tensor([1., 2.], requires_grad=True)
    y = x + 1
    y.add_(1)
    y.sum().backward()
    print(x.grad, y._version)
""")
snippet("version-counter", """
    x = torch.zeros(3)
    v = x[1:]
    print(x._version, v._version)
    v.add_(1)
    print(x._version, v._version)
    x.zero_()
    print(x._version, v._version)
""")
snippet("mistake-grad-zero-forgotten", """
    w = torch.tensor(1., requires_grad=True)
    for _ in range(3):
        loss = (w * 3) ** 2
        loss.backward()
        print(w.grad)
""")
snippet("grad-zero-in-loop", """
    w = torch.tensor(1., requires_grad=True)
    for _ in range(3):
        loss = (w * 3) ** 2
        loss.backward()
        print(w.grad)
        w.grad.zero_()
""")
snippet("grad-set-none", """
    w = torch.tensor([1., 2.], requires_grad=True)
    (w * w).sum().backward()
    w.grad = None
    (w * 3).sum().backward()
    print(w.grad)
""")
snippet("mistake-grad-assign-wrong-shape", """
    w = torch.tensor([1., 2.], requires_grad=True)
    w.grad = torch.ones(3)
""")
snippet("mistake-grad-assign-wrong-type", """
    w = torch.tensor([1., 2.], requires_grad=True)
    w.grad = [1., 1.]
""")
snippet("mistake-grad-assign-wrong-dtype", """
    w = torch.tensor([1., 2.], requires_grad=True)
    w.grad = torch.ones(2, dtype=torch.float64)
""")
snippet("mistake-retain-grad-no-grad", """
    torch.tensor([1., 2.]).retain_grad()
""")
snippet("mistake-hook-no-grad", """
    torch.tensor([1., 2.]).register_hook(lambda g: g)
""")
snippet("mistake-tensor-of-tensor", """
    x = torch.tensor([1., 2.])
    y = torch.tensor(x)
    print(y)
""")
snippet("mistake-tensor-of-tensor-grad", """
    x = torch.tensor([1., 2.], requires_grad=True)
    y = torch.tensor(x)
    print(y, y.requires_grad)
""")
snippet("mistake-tensor-list-of-grad-tensors", """
    a = torch.tensor(1., requires_grad=True)
    b = torch.tensor(2., requires_grad=True)
    print(torch.tensor([a, b]))
""")
snippet("mistake-ragged-list", """
    torch.tensor([[1, 2], [3]])
""")
snippet("mistake-str-tensor", """
    torch.tensor("3")
""")
snippet("mistake-mixed-list", """
    torch.tensor([1, "a"])
""")
snippet("mistake-autograd-grad-unused", """
    x = torch.tensor(1., requires_grad=True)
    z = torch.tensor(2., requires_grad=True)
    torch.autograd.grad(x * 2, [x, z])
""")
snippet("mistake-autograd-grad-no-grad-input", """
    x = torch.tensor(1., requires_grad=True)
    z = torch.tensor(2.)
    torch.autograd.grad(x * 2, [x, z])
""")
snippet("mistake-autograd-grad-nonscalar", """
    x = torch.tensor([1., 2.], requires_grad=True)
    torch.autograd.grad(x * 2, x)
""")
snippet("mistake-autograd-grad-twice", """
    x = torch.tensor(1., requires_grad=True)
    y = x.sin()
    print(torch.autograd.grad(y, x))
    torch.autograd.grad(y, x)
""")
snippet("mistake-backward-empty-inputs", """
    x = torch.tensor(1., requires_grad=True)
    (x * 2).backward(inputs=[])
""")
snippet("mistake-deepcopy-nonleaf", """
    import copy
    x = torch.tensor(1., requires_grad=True)
    copy.deepcopy(x * 2)
""")
snippet("deepcopy-leaf", """
    import copy
    x = torch.tensor([1., 2.], requires_grad=True)
    (x * x).sum().backward()
    y = copy.deepcopy(x)
    print(y, y.grad, y is x, y.grad is x.grad)
""")

# --------------------------------------------------------------------------- broadcasting

snippet("broadcast-error-2d", "torch.ones(2, 3) + torch.ones(4, 3)\n")
snippet("broadcast-error-1d", "torch.ones(3) * torch.ones(4)\n")
snippet("broadcast-error-3d", "torch.ones(2, 3, 4) - torch.ones(5, 4)\n")
snippet("broadcast-error-div", "torch.ones(2, 3) / torch.ones(2)\n")
snippet("broadcast-error-inplace", "torch.ones(3).add_(torch.ones(2, 3))\n")
snippet("broadcast-error-comparison", "torch.ones(2, 3) < torch.ones(3, 2)\n")
snippet("broadcast-error-where", "torch.where(torch.ones(2) > 0, torch.ones(3), torch.ones(2))\n")
snippet("broadcast-error-maximum", "torch.maximum(torch.ones(2, 3), torch.ones(4))\n")
snippet("broadcast-ok", """
    a = torch.ones(2, 1)
    b = torch.arange(3.)
    print((a + b).shape, (a * b))
    print((torch.ones(4, 1, 3) + torch.ones(2, 1)).shape)
""")
snippet("broadcast-grad", """
    a = torch.ones(2, 1, requires_grad=True)
    b = torch.tensor([1., 2., 3.], requires_grad=True)
    (a * b).sum().backward()
    print(a.grad)
    print(b.grad)
""")
snippet("broadcast-grad-scalar-tensor", """
    a = torch.tensor(2., requires_grad=True)
    b = torch.ones(2, 3, requires_grad=True)
    (a * b + a).sum().backward()
    print(a.grad, b.grad)
""")
snippet("expand-error", "torch.ones(2, 3).expand(3, 3)\n")
snippet("expand-too-few", "torch.ones(2, 3).expand(3)\n")
snippet("expand-grad", """
    x = torch.tensor([[1.], [2.]], requires_grad=True)
    y = x.expand(2, 3)
    print(y, y.grad_fn)
    (y * torch.arange(6.).view(2, 3)).sum().backward()
    print(x.grad)
""")

# --------------------------------------------------------------------------- indexing

snippet("index-out-of-range", "torch.ones(3)[5]\n")
snippet("index-out-of-range-2d", "torch.ones(2, 3)[0, 7]\n")
snippet("index-out-of-range-negative", "torch.ones(3)[-4]\n")
snippet("index-out-of-range-slice-dim", "torch.ones(2, 3)[:, 3]\n")
snippet("index-too-many", "torch.ones(3)[1, 2]\n")
snippet("index-tensor-out-of-range", "torch.ones(3)[torch.tensor([5])]\n")
snippet("index-select-out-of-range", "torch.ones(3).select(0, 5)\n")
snippet("index-0d", "torch.tensor(1.)[0]\n")
snippet("index-float-index", "torch.ones(3)[1.5]\n")
snippet("index-values", """
    x = torch.arange(12).view(3, 4)
    print(x[1], x[-1, -2], x[:, 1], x[1:, ::2])
    print(x[[0, 2]], x[x > 8], x[None].shape, x[..., 0])
    print(x[torch.tensor([2, 0]), torch.tensor([1, 3])])
""")
snippet("index-grad-fns", """
    x = torch.arange(12.).view(3, 4).requires_grad_()
    print(x.is_leaf)
    print(x[1].grad_fn, x[1:].grad_fn, x[:, 1].grad_fn)
    print(x[[0, 2]].grad_fn, x[x > 3].grad_fn, x[None].grad_fn)
""")
snippet("index-grad-repeated", """
    x = torch.tensor([1., 2., 3.], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    print(x.grad)
""")
snippet("index-grad-mask", """
    x = torch.tensor([1., -2., 3., -4.], requires_grad=True)
    y = x[x > 0]
    print(y)
    (y * y).sum().backward()
    print(x.grad)
""")
snippet("index-grad-slices", """
    x = torch.arange(6., requires_grad=True)
    y = x[1:5:2] * 10 + x[::3]
    print(y)
    y.sum().backward()
    print(x.grad)
""")
snippet("setitem-grad", """
    x = torch.tensor([1., 2., 3.], requires_grad=True)
    y = x * 1
    y[1] = 10.
    print(y, y.grad_fn)
    (y * y).sum().backward()
    print(x.grad)
""")
snippet("setitem-with-tensor-grad", """
    x = torch.tensor([1., 2., 3.], requires_grad=True)
    v = torch.tensor(5., requires_grad=True)
    y = torch.zeros(3)
    y[0] = v * 2
    y[2] = x[2]
    print(y)
    y.sum().backward()
    print(x.grad, v.grad)
""")
snippet("gather-out-of-range", "torch.ones(2, 3).gather(1, torch.tensor([[5]]))\n")
snippet("gather-grad", """
    x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    y = torch.gather(x, 1, torch.tensor([[0, 0], [1, 0]]))
    print(y)
    y.sum().backward()
    print(x.grad)
""")

# --------------------------------------------------------------------------- reshape / view

snippet("view-bad-size", "torch.ones(6).view(4)\n")
snippet("reshape-two-inferred", "torch.ones(6).reshape(-1, -1)\n")
snippet("view-two-inferred", "torch.ones(6).view(2, -1, -1)\n")
snippet("view-non-contiguous", "torch.ones(2, 3).t().view(6)\n")
snippet("reshape-bad-inferred", "torch.ones(6).reshape(4, -1)\n")
snippet("reshape-negative", "torch.ones(6).reshape(-2, 3)\n")
snippet("reshape-ok", """
    x = torch.arange(6)
    print(x.view(2, 3), x.reshape(-1, 2).shape, x.view(3, -1).shape, x[:1].reshape(()).shape)
    print(x.view(1, 6).squeeze().shape, x.reshape(2, 1, 3).squeeze(1).shape)
""")
snippet("reshape-grad-fns", """
    x = torch.ones(2, 3, requires_grad=True)
    print(x.view(6).grad_fn, x.reshape(3, 2).grad_fn)
    r = x.t().reshape(6)
    print(r.grad_fn, r.grad_fn.next_functions)
    print(x.flatten().grad_fn, x.unsqueeze(0).grad_fn, x.view(1, 2, 3).squeeze(0).grad_fn)
    print(x.view(1, 2, 3).squeeze().grad_fn, x.view(1, 2, 3, 1).squeeze((0, 3)).grad_fn)
""")
snippet("unflatten-bad", "torch.ones(2, 3).unflatten(1, (2, 2))\n")
snippet("flatten-bad-dim", "torch.ones(2, 3).flatten(0, 4)\n")
snippet("narrow-bad", "torch.ones(2, 3).narrow(1, 2, 3)\n")
snippet("permute-dup", "torch.ones(2, 3).permute(0, 0)\n")
snippet("permute-wrong-len", "torch.ones(2, 3).permute(0)\n")
snippet("repeat-too-few", "torch.ones(2, 3).repeat(2)\n")
snippet("split-zero", "torch.ones(2, 3).split(0)\n")
snippet("chunk-zero", "torch.ones(2, 3).chunk(0)\n")
snippet("shape-ops-values", """
    x = torch.arange(6).view(2, 3)
    print(x.t(), x.transpose(0, 1).shape, x.permute(1, 0).is_contiguous())
    print(x.flip(0), x.repeat(2, 1).shape, x.unsqueeze(-1).shape)
    print(x.split(2, dim=1))
    print(x.chunk(2, dim=1))
    print(x.unbind(1))
""")
snippet("shape-ops-grad-fns", """
    x = torch.ones(2, 3, requires_grad=True)
    print(x.t().grad_fn, x.transpose(0, 1).grad_fn, x.permute(1, 0).grad_fn)
    print(x.flip(0).grad_fn, x.repeat(2, 1).grad_fn, x.narrow(1, 0, 2).grad_fn)
    print(x.split(2, dim=1)[0].grad_fn, x.split([1, 2], dim=1)[1].grad_fn)
    print(x.chunk(3, dim=1)[0].grad_fn, x.unbind(0)[1].grad_fn, x.clone().grad_fn)
    print(x.contiguous() is x, x.t().contiguous().grad_fn, x.expand(4, 2, 3).grad_fn)
""")
snippet("split-grad", """
    x = torch.arange(5., requires_grad=True)
    a, b = x.split([2, 3])
    (a.sum() * 2 + (b * b).sum()).backward()
    print(x.grad)
    print(a.grad_fn is b.grad_fn, a.grad_fn.next_functions)
""")
snippet("unbind-grad", """
    x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    r0, r1 = x.unbind(0)
    (r0 * r1).sum().backward()
    print(x.grad)
""")

# --------------------------------------------------------------------------- matmul and friends

snippet("matmul-mismatch-2d", "torch.ones(2, 3) @ torch.ones(2, 3)\n")
snippet("matmul-mismatch-1d", "torch.ones(3) @ torch.ones(4)\n")
snippet("matmul-mismatch-2d-1d", "torch.ones(2, 3) @ torch.ones(4)\n")
snippet("matmul-mismatch-1d-2d", "torch.ones(3) @ torch.ones(4, 2)\n")
snippet("matmul-mismatch-batched", "torch.ones(2, 3, 4) @ torch.ones(2, 5, 6)\n")
snippet("matmul-mismatch-batch-dims", "torch.ones(2, 3, 4) @ torch.ones(3, 4, 5)\n")
snippet("matmul-0d", "torch.tensor(1.) @ torch.ones(3)\n")
snippet("matmul-dtype-mismatch", "torch.ones(2, 2) @ torch.ones(2, 2, dtype=torch.float64)\n")
snippet("matmul-int-float", "torch.ones(2, 2, dtype=torch.long) @ torch.ones(2, 2)\n")
snippet("dot-2d", "torch.dot(torch.ones(2, 2), torch.ones(2, 2))\n")
snippet("dot-dtype", "torch.dot(torch.ones(2), torch.ones(2, dtype=torch.long))\n")
snippet("dot-size", "torch.dot(torch.ones(2), torch.ones(3))\n")
snippet("mm-1d", "torch.mm(torch.ones(3), torch.ones(3, 2))\n")
snippet("mm-mismatch", "torch.mm(torch.ones(2, 3), torch.ones(2, 3))\n")
snippet("mv-mismatch", "torch.mv(torch.ones(2, 3), torch.ones(2))\n")
snippet("mv-1d", "torch.mv(torch.ones(3), torch.ones(3))\n")
snippet("bmm-2d", "torch.bmm(torch.ones(2, 3), torch.ones(3, 2))\n")
snippet("bmm-batch-mismatch", "torch.bmm(torch.ones(2, 2, 3), torch.ones(3, 3, 2))\n")
snippet("bmm-inner-mismatch", "torch.bmm(torch.ones(2, 2, 3), torch.ones(2, 2, 2))\n")
snippet("matmul-values-and-grad-fns", """
    a = torch.arange(6.).view(2, 3).requires_grad_()
    b = torch.arange(3.).requires_grad_()
    m = torch.arange(12.).view(3, 4).requires_grad_()
    print(a @ b, (a @ b).grad_fn)
    print(b @ b, (b @ b).grad_fn)
    print(a @ m, (a @ m).grad_fn)
    print(b @ m, (b @ m).grad_fn)
    print(torch.dot(b, b).grad_fn, torch.mm(a, m).grad_fn, torch.mv(a, b).grad_fn)
""")
snippet("matmul-batched-grad-fns", """
    a = torch.ones(2, 2, 3, requires_grad=True)
    m = torch.ones(3, 4, requires_grad=True)
    y = a @ m
    print(y.shape, y.grad_fn, y.grad_fn.next_functions)
    z = torch.bmm(a, torch.ones(2, 3, 1))
    print(z.shape, z.grad_fn)
    w = a @ torch.ones(3)
    print(w.shape, w.grad_fn)
""")
snippet("matmul-grad", """
    a = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    b = torch.tensor([[0.5, -1.], [2., 1.]], requires_grad=True)
    (a @ b).sum().backward()
    print(a.grad)
    print(b.grad)
""")
snippet("matmul-batched-grad", """
    a = torch.arange(12.).view(2, 2, 3).requires_grad_()
    m = torch.arange(6.).view(3, 2).requires_grad_()
    ((a @ m) ** 2).sum().backward()
    print(a.grad)
    print(m.grad)
""")
snippet("mv-dot-outer-grad", """
    a = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    v = torch.tensor([1., -1.], requires_grad=True)
    y = torch.mv(a, v).sum() + torch.dot(v, v) + torch.outer(v, v).sum()
    y.backward()
    print(y, a.grad, v.grad)
""")

# --------------------------------------------------------------------------- cat / stack

snippet("cat-size-mismatch", "torch.cat([torch.ones(2, 3), torch.ones(2, 4)])\n")
snippet("cat-size-mismatch-dim1", "torch.cat([torch.ones(2, 3), torch.ones(3, 3)], dim=1)\n")
snippet("stack-size-mismatch", "torch.stack([torch.ones(2), torch.ones(3)])\n")
snippet("cat-empty", "torch.cat([])\n")
snippet("cat-ndim-mismatch", "torch.cat([torch.ones(2, 3), torch.ones(3)])\n")
snippet("cat-0d", "torch.cat([torch.tensor(1.), torch.tensor(2.)])\n")
snippet("stack-empty", "torch.stack([])\n")
snippet("cat-bad-dim", "torch.cat([torch.ones(2, 3), torch.ones(2, 3)], dim=2)\n")
snippet("stack-bad-dim", "torch.stack([torch.ones(2), torch.ones(2)], dim=3)\n")
snippet("cat-not-tensors", "torch.cat([torch.ones(2), [1., 2.]])\n")
snippet("cat-stack-values", """
    a = torch.tensor([[1, 2]])
    b = torch.tensor([[3, 4]])
    print(torch.cat([a, b]), torch.cat([a, b], dim=1), torch.cat((a, b), -1).shape)
    print(torch.stack([a, b]).shape, torch.stack([a, b], dim=2).shape, torch.stack([a, b], -1))
    print(torch.cat([torch.ones(2), torch.zeros(0)]))
""")
snippet("cat-dtype-promotion", """
    print(torch.cat([torch.ones(2, dtype=torch.int32), torch.ones(2)]).dtype)
    print(torch.cat([torch.ones(1, dtype=torch.uint8), torch.ones(1, dtype=torch.int8)]).dtype)
    print(torch.stack([torch.ones(1, dtype=torch.bool), torch.ones(1, dtype=torch.int16)]).dtype)
""")
snippet("cat-stack-grad", """
    a = torch.tensor([1., 2.], requires_grad=True)
    b = torch.tensor([3.], requires_grad=True)
    c = torch.cat([a, b, a])
    print(c, c.grad_fn.next_functions)
    (c * torch.arange(5.)).sum().backward()
    print(a.grad, b.grad)
    s = torch.stack([a, a * 2])
    print(s.grad_fn)
""")

# --------------------------------------------------------------------------- dims

snippet("dim-sum", "torch.ones(2, 3).sum(2)\n")
snippet("dim-softmax", "torch.ones(3).softmax(1)\n")
snippet("dim-transpose", "torch.ones(2, 3).transpose(0, 2)\n")
snippet("dim-unsqueeze", "torch.ones(3).unsqueeze(3)\n")
snippet("dim-squeeze", "torch.ones(3).squeeze(5)\n")
snippet("dim-0d-sum", "torch.tensor(1.).sum(1)\n")
snippet("dim-size", "torch.ones(3).size(3)\n")
snippet("dim-mean-negative", "torch.ones(2, 3).mean(-3)\n")
snippet("dim-max", "torch.ones(2, 3).max(4)\n")
snippet("dim-argmax", "torch.ones(2, 3).argmax(2)\n")
snippet("dim-cumsum", "torch.ones(2, 3).cumsum(2)\n")
snippet("dim-logsumexp", "torch.ones(2, 3).logsumexp(5)\n")
snippet("dim-cat-negative", "torch.cat([torch.ones(2), torch.ones(2)], dim=-2)\n")
snippet("dim-var", "torch.ones(2, 3).var(3)\n")
snippet("dim-0d-ok", """
    x = torch.tensor(2.)
    print(x.sum(0), x.sum(-1), x.unsqueeze(0), x.softmax(0), x.size(), x.shape, x.dim())
""")

# --------------------------------------------------------------------------- grad_fn names

snippet("grad-fn-arithmetic", """
    x = torch.tensor([1., 2.], requires_grad=True)
    y = torch.tensor([3., 4.], requires_grad=True)
    for r in [x + y, x - y, x * y, x / y, -x, x + 1, 1 + x, x - 1, 1 - x, 2 * x, x / 2, 2 / x,
              x ** 2, x ** y, 2 ** x, x ** 0.5, x % 2, x.abs(), x.sign()]:
        print(r.grad_fn)
""")
snippet("grad-fn-unary", """
    x = torch.tensor([0.5, 0.25], requires_grad=True)
    for name in ["exp", "log", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "sqrt", "rsqrt",
                 "reciprocal", "square", "log1p", "expm1", "log2", "log10", "exp2", "asin",
                 "acos", "atan", "sinh", "cosh", "floor", "ceil", "round", "trunc", "frac"]:
        print(name, getattr(x, name)().grad_fn)
""")
snippet("grad-fn-reductions", """
    x = torch.tensor([[1., 5.], [3., 2.]], requires_grad=True)
    print(x.sum().grad_fn, x.sum(0).grad_fn, x.mean().grad_fn, x.mean(1).grad_fn)
    print(x.prod().grad_fn, x.prod(0).grad_fn, x.max().grad_fn, x.min().grad_fn)
    print(x.max(0).values.grad_fn, x.min(1)[0].grad_fn, x.amax(0).grad_fn, x.amin().grad_fn)
    print(x.var().grad_fn, x.std(0).grad_fn, x.norm().grad_fn, x.logsumexp(0).grad_fn)
    print(x.cumsum(0).grad_fn, x.softmax(0).grad_fn, x.log_softmax(1).grad_fn)
""")
snippet("grad-fn-binary-misc", """
    x = torch.tensor([1., 5.], requires_grad=True)
    y = torch.tensor([3., 2.], requires_grad=True)
    print(torch.maximum(x, y).grad_fn, torch.minimum(x, y).grad_fn, torch.atan2(x, y).grad_fn)
    print(torch.where(x > y, x, y).grad_fn, x.clamp(2, 4).grad_fn, x.clamp(min=y).grad_fn)
    print(x.clamp(max=3).grad_fn, x.clip(0, 1).grad_fn, torch.outer(x, y).grad_fn)
    print(torch.stack([x, y]).grad_fn, torch.cat([x, y]).grad_fn)
""")
snippet("grad-fn-inplace", """
    x = torch.tensor([1., 2.], requires_grad=True)
    y = x.clone()
    print(y.grad_fn)
    y.add_(1)
    print(y.grad_fn)
    y.mul_(2)
    print(y.grad_fn)
    y.exp_()
    print(y.grad_fn)
    y.zero_()
    print(y.grad_fn)
    y.fill_(3)
    print(y.grad_fn, y)
""")
snippet("grad-fn-to", """
    x = torch.tensor([1., 2.], requires_grad=True)
    print(x.to(torch.float64).grad_fn, x.double().grad_fn, x.float() is x, x.to(torch.float32) is x)
    print(x.to(torch.float64).grad_fn.next_functions)
    y = x.double() * 3
    y.sum().backward()
    print(x.grad, x.grad.dtype)
""")
snippet("grad-fn-int-cast", """
    x = torch.tensor([1.5, 2.5], requires_grad=True)
    y = x.long()
    print(y, y.requires_grad, y.grad_fn)
    print(x.int().dtype, x.bool(), x.to(torch.int16).requires_grad)
""")
snippet("next-functions-structure", """
    x = torch.tensor([1., 2.], requires_grad=True)
    w = torch.tensor([3., 4.], requires_grad=True)
    y = (x * w + x).sum()
    print(y.grad_fn)
    print(y.grad_fn.next_functions)
    add = y.grad_fn.next_functions[0][0]
    print(add.next_functions)
    mul = add.next_functions[0][0]
    print(mul.next_functions)
    print(mul.next_functions[0][0].variable is x, mul.next_functions[1][0].variable is w)
    print(add.next_functions[1][0] is mul.next_functions[0][0])
""")
snippet("next-functions-scalars", """
    x = torch.tensor([1., 2.], requires_grad=True)
    c = torch.tensor([1., 1.])
    print((x + 1).grad_fn.next_functions)
    print((x * c).grad_fn.next_functions)
    print((c * x).grad_fn.next_functions)
    print((2 - x).grad_fn.next_functions)
    print((2 ** x).grad_fn.next_functions)
    print((x ** 2).grad_fn.next_functions)
    print(torch.where(x > 1, x, c).grad_fn.next_functions)
""")
snippet("accumulate-grad-node", """
    x = torch.tensor([1., 2.], requires_grad=True)
    n1 = (x * 2).grad_fn.next_functions[0][0]
    n2 = (x + 2).grad_fn.next_functions[0][0]
    print(n1, n1 is n2, n1.name(), n1.next_functions)
    print(x.grad_fn, x.is_leaf, (x * 2).is_leaf)
""")
snippet("grad-fn-name-method", """
    x = torch.tensor([1., 2.], requires_grad=True)
    y = x.exp().sum()
    print(y.grad_fn.name(), y.grad_fn.next_functions[0][0].name())
""")
snippet("grad-fn-multi-output", """
    x = torch.tensor([[1., 5.], [3., 2.]], requires_grad=True)
    v, i = x.max(1)
    print(v, i, v.grad_fn, i.grad_fn, i.requires_grad)
    parts = x.unbind(1)
    print(parts[0].grad_fn is parts[1].grad_fn, parts[0].output_nr, parts[1].output_nr)
""")

# --------------------------------------------------------------------------- reprs

snippet("repr-basic", """
    print(torch.tensor([1., 2.]))
    print(torch.tensor([1, 2]))
    print(torch.tensor([1, 2], dtype=torch.int32))
    print(torch.tensor([1., 2.], dtype=torch.float64))
    print(torch.tensor([True, False]))
    print(torch.tensor(3.5), torch.tensor(3), torch.tensor([]))
""")
snippet("repr-grad", """
    x = torch.tensor([1., 2.], requires_grad=True)
    print(x)
    print(x * 2)
    print((x * 2).sum())
    print(x.detach())
    print(x.double() + 1)
""")
snippet("repr-grad-float64", """
    x = torch.tensor([1., 2.], dtype=torch.float64, requires_grad=True)
    print(x)
    print(x.exp())
""")
snippet("repr-values", """
    print(torch.tensor([1e-5, 1., 1000.]))
    print(torch.tensor([0.1, 0.25, 1/3]))
    print(torch.tensor([1e10, 1.]))
    print(torch.tensor([float('nan'), float('inf'), -1.]))
    print(torch.arange(12.).view(3, 4) / 7)
""")
snippet("repr-size-dtype", """
    x = torch.ones(2, 3)
    print(x.shape, x.size(), x.size(1), x.dtype, x.device, torch.float32, torch.long, torch.bool)
    print(repr(x.shape), str(x.dtype), torch.float, torch.double, torch.half, torch.int)
""")
snippet("repr-grad-fn-chain", """
    x = torch.tensor(2., requires_grad=True)
    y = x * 3
    z = y.exp() + y
    print(y, z)
""")
snippet("repr-no-grad-results", """
    x = torch.tensor([1., 2.], requires_grad=True)
    with torch.no_grad():
        print(x * 2)
    print((x * 2).detach(), x.data)
""")
snippet("repr-list-of-tensors", """
    x = torch.tensor([1., 2.], requires_grad=True)
    print([x * 1, x.sum()])
    print((x[0], x[1]))
""")

# --------------------------------------------------------------------------- dtypes of results

snippet("dtype-int-division", """
    a = torch.tensor([3, 4])
    print(a / 2, (a / 2).dtype, a // 2, (a // 2).dtype, a % 3, torch.div(a, 2))
    print(torch.true_divide(a, a), torch.floor_divide(a, 3))
""")
snippet("dtype-int-float-scalar", """
    a = torch.tensor([1, 2])
    print((a + 2.5).dtype, (a * 2).dtype, (a + True).dtype, (a * 1.0).dtype)
    f = torch.tensor([1., 2.])
    print((f + 2).dtype, (f * 2.5).dtype)
    d = torch.tensor([1., 2.], dtype=torch.float64)
    print((d + 2.5).dtype, (d * torch.tensor(2.)).dtype)
""")
snippet("dtype-bool-arith", """
    b = torch.tensor([True, False])
    print(b + b, (b + b).dtype, b * 2, (b * 2.5).dtype, b.sum(), b.sum().dtype)
    print((b & b).dtype, (b | torch.tensor([False, False])), ~b)
""")
snippet("dtype-bool-sub", """
    b = torch.tensor([True, False])
    b - b
""")
snippet("dtype-bool-neg", """
    -torch.tensor([True, False])
""")
snippet("dtype-small-ints", """
    u = torch.tensor([200], dtype=torch.uint8)
    i8 = torch.tensor([-1], dtype=torch.int8)
    i16 = torch.tensor([1], dtype=torch.int16)
    print((u + i8).dtype, (u + i16).dtype, (i8 + i16).dtype, (u + 100), (u + 100).dtype)
    print((u * torch.tensor(2)).dtype, (i8 + torch.tensor(2, dtype=torch.int64)).dtype)
    print((torch.tensor(1, dtype=torch.int32) + torch.tensor([1], dtype=torch.int8)).dtype)
""")
snippet("dtype-half", """
    h = torch.tensor([1., 2.], dtype=torch.float16)
    print(h, (h + 1).dtype, (h + torch.tensor([1])).dtype, (h * torch.tensor(2.)).dtype)
    print((h + torch.tensor([1.])).dtype, (h.float() + h).dtype)
""")
snippet("dtype-zero-dim-promotion", """
    f = torch.ones(2)
    print((f + torch.tensor(1., dtype=torch.float64)).dtype)
    print((torch.ones(2, dtype=torch.int32) + torch.tensor(1.5, dtype=torch.float64)).dtype)
    print((torch.ones(2, dtype=torch.int8) + torch.tensor(1000)).dtype)
    print((torch.tensor(1, dtype=torch.int8) + torch.tensor(1, dtype=torch.int16)).dtype)
""")
snippet("dtype-reductions", """
    i = torch.tensor([1, 2, 3], dtype=torch.int32)
    print(i.sum().dtype, i.prod().dtype, i.cumsum(0).dtype, i.max().dtype, i.argmax().dtype)
    print(torch.tensor([True, True]).sum(), torch.tensor([1., 2.]).sum().dtype)
    print(i.sum(dtype=torch.float64), torch.tensor([1., 2.]).mean())
""")
snippet("dtype-mean-int", "torch.tensor([1, 2, 3]).mean()\n")
snippet("dtype-std-int", "torch.tensor([1, 2, 3]).std()\n")
snippet("dtype-unary-int", """
    i = torch.tensor([1, 4])
    print(i.exp().dtype, i.sqrt(), i.sin().dtype, i.abs().dtype, (-i).dtype, i.sigmoid().dtype)
    print(torch.tensor([True]).exp().dtype, i.float().dtype, i.log().dtype)
""")
snippet("dtype-pow", """
    i = torch.tensor([2, 3])
    print(i ** 2, (i ** 2).dtype, i ** 0.5, (2 ** i).dtype, (2.5 ** i).dtype, i ** i)
    print(torch.tensor([2.]) ** torch.tensor([2]), (torch.tensor([2]) ** torch.tensor(2.)).dtype)
""")
snippet("dtype-pow-negative-int", "torch.tensor([2, 3]) ** -1\n")
snippet("dtype-comparisons", """
    a = torch.tensor([1, 2, 3])
    print(a > 1, (a == 2).dtype, a.eq(torch.tensor([1., 0., 3.])), a != 2, a >= 2.5, a.lt(2))
    print(torch.tensor([1., float('nan')]) == torch.tensor([1., float('nan')]))
""")
snippet("dtype-where", """
    c = torch.tensor([True, False])
    print(torch.where(c, torch.tensor([1, 2]), torch.tensor([1., 2.])).dtype)
    print(torch.where(c, 1, 0), torch.where(c, 1., 0).dtype, torch.where(c, torch.ones(2), 5))
""")
snippet("dtype-result-type", """
    print(torch.result_type(torch.tensor([1]), 1.))
    print(torch.result_type(torch.tensor([1]), torch.tensor(1.)))
    print(torch.promote_types(torch.uint8, torch.int8))
    print(torch.promote_types(torch.float16, torch.int64))
    print(torch.promote_types(torch.bool, torch.uint8))
    print(torch.promote_types(torch.int32, torch.float64))
""")
snippet("dtype-default-float64", """
    torch.set_default_dtype(torch.float64)
    print(torch.tensor([1., 2.]), torch.tensor([1, 2]) / 2, torch.ones(1).dtype)
    print(torch.tensor([1., 2.], dtype=torch.float32), torch.arange(2.), torch.get_default_dtype())
""")
snippet("dtype-set-default-int", "torch.set_default_dtype(torch.int64)\n")
snippet("dtype-inplace-cast-error", """
    a = torch.tensor([1, 2])
    a += 1.5
""")
snippet("dtype-inplace-cast-ok", """
    a = torch.tensor([1., 2.])
    a += torch.tensor([1, 2])
    print(a)
    b = torch.tensor([1, 2], dtype=torch.int32)
    b *= torch.tensor(3)
    print(b)
""")
snippet("dtype-int-overflow", """
    print(torch.tensor([127], dtype=torch.int8) + 1, torch.tensor([250], dtype=torch.uint8) + 10)
""")
snippet("dtype-tensor-inference", """
    print(torch.tensor([1, 2.5]).dtype, torch.tensor([True, 2]).dtype)
    print(torch.tensor([[1], [2]]).dtype)
    print(torch.tensor([]).dtype, torch.tensor([[]]).shape, torch.tensor(np.float64(1.)).dtype)
    print(torch.tensor(np.array([1, 2], dtype=np.int32)).dtype)
    print(torch.tensor([np.float32(1.)]).dtype)
    print(torch.tensor([torch.tensor(1), torch.tensor(2)]).dtype, torch.tensor((1., 2.)))
    print(torch.tensor([torch.tensor(1.5, dtype=torch.float64), 2.]).dtype)
""")
snippet("dtype-float-int-truncation", """
    print(torch.tensor([1.7, -1.7]).long(), torch.tensor([1.7, -1.7]).to(torch.int32))
    print(torch.tensor([0., 0.5]).bool(), torch.tensor([2, 0]).bool())
""")

# --------------------------------------------------------------------------- gradients

snippet("grad-polynomial", """
    x = torch.tensor(1., requires_grad=True)
    y = 2 * x ** 3 + x
    y.backward()
    print(y, x.grad)
""")
snippet("grad-product-rule", """
    x = torch.tensor([0.5, 1.5], requires_grad=True)
    y = (x.sin() * x.exp()).sum()
    y.backward()
    print(y, x.grad)
""")
snippet("grad-quotient", """
    x = torch.tensor([1., 2., 4.], requires_grad=True)
    y = torch.tensor([2., 3., 5.], requires_grad=True)
    (x / y).sum().backward()
    print(x.grad, y.grad)
""")
snippet("grad-chain-rule", """
    x = torch.tensor([0.1, 0.2, 0.3], requires_grad=True)
    y = ((x * 3).tanh() ** 2).log1p().mean()
    y.backward()
    print(y, x.grad)
""")
snippet("grad-diamond", """
    x = torch.tensor(3., requires_grad=True)
    a = x * 2
    b = x ** 2
    y = a * b + a
    y.backward()
    print(x.grad)
""")
snippet("grad-reuse", """
    x = torch.tensor([1., -2.], requires_grad=True)
    y = x * x * x + x.abs() * x
    y.sum().backward()
    print(x.grad)
""")
snippet("grad-softmax", """
    x = torch.tensor([[1., 2., 3.], [1., 1., 1.]], requires_grad=True)
    p = x.softmax(dim=1)
    (p * torch.tensor([1., 0., 0.])).sum().backward()
    print(p, x.grad)
""")
snippet("grad-log-softmax-nll", """
    logits = torch.tensor([[2., 1., 0.1], [0.5, 2.5, 0.3]], requires_grad=True)
    target = torch.tensor([0, 1])
    loss = -logits.log_softmax(1)[torch.arange(2), target].mean()
    loss.backward()
    print(loss, logits.grad)
""")
snippet("grad-mse", """
    w = torch.tensor([0.5, -0.3], requires_grad=True)
    b = torch.tensor(0.1, requires_grad=True)
    X = torch.tensor([[1., 2.], [3., 4.], [5., 6.]])
    t = torch.tensor([1., 2., 3.])
    loss = ((X @ w + b - t) ** 2).mean()
    loss.backward()
    print(loss, w.grad, b.grad)
""")
snippet("grad-relu-at-zero", """
    x = torch.tensor([-1., 0., 2.], requires_grad=True)
    x.relu().sum().backward()
    print(x.grad)
""")
snippet("grad-abs-at-zero", """
    x = torch.tensor([-1., 0., 2.], requires_grad=True)
    x.abs().sum().backward()
    print(x.grad)
""")
snippet("grad-sqrt-at-zero", """
    x = torch.tensor([0., 4.], requires_grad=True)
    x.sqrt().sum().backward()
    print(x.grad)
""")
snippet("grad-max-ties", """
    x = torch.tensor([1., 3., 3.], requires_grad=True)
    x.max().backward()
    print(x.grad)
""")
snippet("grad-max-dim-ties", """
    x = torch.tensor([[1., 3., 3.], [2., 2., 0.]], requires_grad=True)
    v, i = x.max(1)
    v.sum().backward()
    print(i, x.grad)
""")
snippet("grad-amax-ties", """
    x = torch.tensor([[1., 3., 3.], [2., 2., 0.]], requires_grad=True)
    x.amax(1).sum().backward()
    print(x.grad)
""")
snippet("grad-maximum-ties", """
    x = torch.tensor([1., 2., 3.], requires_grad=True)
    y = torch.tensor([1., 3., 2.], requires_grad=True)
    torch.maximum(x, y).sum().backward()
    print(x.grad, y.grad)
""")
snippet("grad-clamp-boundaries", """
    x = torch.tensor([-1., 0., 0.5, 1., 2.], requires_grad=True)
    x.clamp(0, 1).sum().backward()
    print(x.grad)
""")
snippet("grad-where", """
    x = torch.tensor([-1., 2.], requires_grad=True)
    y = torch.where(x > 0, x ** 2, -x)
    y.sum().backward()
    print(y, x.grad)
""")
snippet("grad-pow-zero-base", """
    x = torch.tensor([0., 2.], requires_grad=True)
    (x ** 2).sum().backward()
    print(x.grad)
    y = torch.tensor([0., 2.], requires_grad=True)
    (y ** 0).sum().backward()
    print(y.grad)
""")
snippet("grad-pow-tensor-exponent", """
    b = torch.tensor([2., 0.], requires_grad=True)
    e = torch.tensor([3., 2.], requires_grad=True)
    (b ** e).sum().backward()
    print(b.grad, e.grad)
""")
snippet("grad-prod-with-zero", """
    x = torch.tensor([2., 0., 3.], requires_grad=True)
    x.prod().backward()
    print(x.grad)
    y = torch.tensor([[2., 0.], [0., 3.]], requires_grad=True)
    y.prod(1).sum().backward()
    print(y.grad)
""")
snippet("grad-norm-var-std", """
    x = torch.tensor([1., 2., 4.], requires_grad=True)
    (x.norm() + x.var() + x.std(unbiased=False)).backward()
    print(x.grad)
""")
snippet("grad-norm-at-zero", """
    x = torch.zeros(3, requires_grad=True)
    x.norm().backward()
    print(x.grad)
""")
snippet("grad-logsumexp", """
    x = torch.tensor([[1., 2.], [3., -1.]], requires_grad=True)
    y = x.logsumexp(1)
    y.sum().backward()
    print(y, x.grad)
""")
snippet("grad-cumsum", """
    x = torch.tensor([1., 2., 3.], requires_grad=True)
    (x.cumsum(0) * torch.tensor([1., 10., 100.])).sum().backward()
    print(x.grad)
""")
snippet("grad-mean-dim-keepdim", """
    x = torch.arange(6., requires_grad=True)
    y = x.view(2, 3)
    z = y - y.mean(1, keepdim=True)
    (z ** 2).sum().backward()
    print(z, x.grad)
""")
snippet("grad-sum-dims", """
    x = torch.ones(2, 3, 4, requires_grad=True)
    y = x.sum((0, 2))
    print(y, y.grad_fn)
    (y * torch.tensor([1., 2., 3.])).sum().backward()
    print(x.grad[1])
""")
snippet("grad-sigmoid-tanh", """
    x = torch.tensor([-2., 0., 2.], requires_grad=True)
    (x.sigmoid() + x.tanh()).sum().backward()
    print(x.grad)
""")
snippet("grad-log-exp", """
    x = torch.tensor([0.5, 1., 2.], requires_grad=True)
    (x.log() + x.exp() + x.log2() + x.log10() + x.exp2()).sum().backward()
    print(x.grad)
""")
snippet("grad-trig", """
    x = torch.tensor([0.1, 0.5], requires_grad=True)
    y = x.sin() + x.cos() + x.tan() + x.asin() + x.acos() + x.atan() + x.sinh() + x.cosh()
    y.sum().backward()
    print(x.grad)
""")
snippet("grad-rounding", """
    x = torch.tensor([0.4, 1.6], requires_grad=True)
    (x.floor() + x.ceil() + x.round() + x.trunc() + x.frac() + x.sign()).sum().backward()
    print(x.grad)
""")
snippet("grad-remainder-floor-divide", """
    x = torch.tensor([5.5, -3.5], requires_grad=True)
    (x % 2).sum().backward()
    print(x.grad)
""")
snippet("grad-floor-divide-error", """
    x = torch.tensor([5.5, -3.5], requires_grad=True)
    (x // 2).sum().backward()
""")
snippet("grad-atan2", """
    y = torch.tensor([1., -1.], requires_grad=True)
    x = torch.tensor([2., 0.5], requires_grad=True)
    torch.atan2(y, x).sum().backward()
    print(y.grad, x.grad)
""")
snippet("grad-rsqrt-reciprocal", """
    x = torch.tensor([1., 4.], requires_grad=True)
    (x.rsqrt() + x.reciprocal() + x.square()).sum().backward()
    print(x.grad)
""")
snippet("grad-transpose-permute", """
    x = torch.arange(6., requires_grad=True)
    y = x.view(1, 2, 3).permute(2, 0, 1).transpose(0, 2)
    (y * torch.arange(6.).view(y.shape)).sum().backward()
    print(y.shape, x.grad)
""")
snippet("grad-flip-repeat", """
    x = torch.tensor([1., 2., 3.], requires_grad=True)
    (x.flip(0) * torch.tensor([1., 2., 3.])).sum().backward()
    print(x.grad)
    x.grad = None
    x.repeat(2, 2).sum().backward()
    print(x.grad)
""")
snippet("grad-scatter-add", """
    x = torch.zeros(3, requires_grad=True)
    src = torch.tensor([1., 2., 3., 4.], requires_grad=True)
    y = x.scatter_add(0, torch.tensor([0, 1, 0, 2]), src)
    print(y, y.grad_fn)
    (y * torch.tensor([1., 10., 100.])).sum().backward()
    print(x.grad, src.grad)
""")
snippet("grad-through-integer-path", """
    x = torch.tensor([1.5, 2.5], requires_grad=True)
    idx = x.argmax()
    y = x[idx] * 2
    y.backward()
    print(idx, x.grad)
""")
snippet("grad-accumulates-over-calls", """
    x = torch.tensor([1., 2.], requires_grad=True)
    (x * 2).sum().backward()
    g = x.grad
    (x * x).sum().backward()
    print(x.grad, g is x.grad)
""")
snippet("grad-detach-stops", """
    x = torch.tensor(2., requires_grad=True)
    y = x * x.detach() + x
    y.backward()
    print(x.grad)
""")
snippet("grad-data-not-tracked", """
    x = torch.tensor([1., 2.], requires_grad=True)
    x.data.mul_(10)
    print(x, x.is_leaf)
    (x * x).sum().backward()
    print(x.grad)
""")
snippet("grad-data-assign", """
    x = torch.tensor([1., 2.], requires_grad=True)
    x.data = torch.tensor([5., 6.])
    print(x)
""")
snippet("grad-retain-graph-twice", """
    x = torch.tensor([1., 2.], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    print(x.grad)
""")
snippet("grad-backward-gradient-arg", """
    x = torch.tensor([1., 2., 3.], requires_grad=True)
    y = x ** 2
    y.backward(gradient=torch.tensor([1., 0.1, 0.01]))
    print(x.grad)
""")
snippet("grad-backward-inputs", """
    x = torch.tensor(1., requires_grad=True)
    w = torch.tensor(2., requires_grad=True)
    y = x * w
    y.backward(inputs=[w])
    print(x.grad, w.grad)
""")
snippet("grad-backward-inputs-nonleaf", """
    x = torch.tensor(2., requires_grad=True)
    h = x * 3
    y = h ** 2
    y.backward(inputs=[h])
    print(h.grad, x.grad)
""")
snippet("grad-autograd-grad", """
    x = torch.tensor([1., 2.], requires_grad=True)
    y = (x ** 3).sum()
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    print(g)
    (h,) = torch.autograd.grad(g.sum(), x)
    print(h, x.grad)
""")
snippet("grad-autograd-grad-allow-unused", """
    x = torch.tensor(1., requires_grad=True)
    z = torch.tensor(2., requires_grad=True)
    print(torch.autograd.grad(x * 3, [x, z], allow_unused=True))
    print(torch.autograd.grad(x * 3, [x, z], allow_unused=True, materialize_grads=True))
""")
snippet("grad-autograd-grad-outputs", """
    x = torch.tensor([1., 2.], requires_grad=True)
    print(torch.autograd.grad(x * x, x, grad_outputs=torch.tensor([1., -1.])))
    print(torch.autograd.grad([x.sum(), (x * 2).sum()], x))
""")
snippet("grad-third-derivative", """
    x = torch.tensor(2., requires_grad=True)
    y = x ** 4
    (d1,) = torch.autograd.grad(y, x, create_graph=True)
    (d2,) = torch.autograd.grad(d1, x, create_graph=True)
    (d3,) = torch.autograd.grad(d2, x)
    print(d1, d2, d3)
""")
snippet("grad-double-backward-sin", """
    x = torch.tensor([0.5, 1.], requires_grad=True)
    y = x.sin().sum()
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    g.sum().backward()
    print(g, x.grad)
""")
snippet("grad-create-graph-backward", """
    x = torch.tensor(3., requires_grad=True)
    y = x ** 3
    y.backward(create_graph=True)
    print(x.grad)
    g = x.grad
    x.grad = None
    g.backward()
    print(x.grad)
""")
snippet("hook-leaf", """
    x = torch.tensor([1., 2.], requires_grad=True)
    h = x.register_hook(lambda g: print("hook", g))
    (x * 3).sum().backward()
    print(x.grad)
    h.remove()
    (x * 3).sum().backward()
    print(x.grad)
""")
snippet("hook-replace", """
    x = torch.tensor([1., 2.], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: g * 100)
    y.sum().backward()
    print(x.grad)
""")
snippet("hook-order", """
    x = torch.tensor(1., requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: print("first", g) or g + 1)
    y.register_hook(lambda g: print("second", g))
    y.backward()
    print(x.grad)
""")
snippet("no-grad-decorator", """
    @torch.no_grad()
    def f(x):
        return x * 2
    x = torch.tensor(1., requires_grad=True)
    print(f(x).requires_grad, torch.is_grad_enabled())
    with torch.set_grad_enabled(False):
        print((x * 2).requires_grad)
        with torch.enable_grad():
            print((x * 2).requires_grad)
    print((x * 2).requires_grad)
""")
snippet("inference-mode", """
    x = torch.tensor(1., requires_grad=True)
    with torch.inference_mode():
        y = x * 2
        print(torch.is_inference_mode_enabled(), torch.is_grad_enabled())
    print(y.requires_grad, y, torch.is_inference_mode_enabled())
""")
snippet("set-grad-enabled-call", """
    torch.set_grad_enabled(False)
    x = torch.tensor(1., requires_grad=True)
    print((x * 2).requires_grad, torch.is_grad_enabled())
    torch.set_grad_enabled(True)
    print((x * 2).requires_grad)
""")

# --------------------------------------------------------------------------- tensor API

snippet("api-basics", """
    x = torch.arange(6.).view(2, 3)
    print(x.dim(), x.ndim, x.numel(), len(x), x.is_leaf, x.requires_grad, x.is_floating_point())
    print(x.tolist(), x[0].tolist(), torch.tensor(2).tolist(), x.T.shape)
""")
snippet("api-len-0d", "len(torch.tensor(1.))\n")
snippet("api-iter-0d", "iter(torch.tensor(1.))\n")
snippet("api-iteration", """
    for row in torch.arange(4).view(2, 2):
        print(row)
    print(list(torch.tensor([1., 2.])))
""")
snippet("api-int-index", """
    x = torch.tensor(2)
    print([10, 20, 30][x], int(x), float(x), bool(torch.tensor(0.)), range(5)[torch.tensor(1)])
""")
snippet("api-index-float-tensor", "[1, 2][torch.tensor(1.)]\n")
snippet("api-equal-allclose", """
    a = torch.tensor([1., 2.])
    print(torch.equal(a, a.clone()), torch.equal(a, torch.tensor([1., 2.1])))
    print(torch.equal(a, torch.ones(3)))
    print(torch.allclose(a, a + 1e-9), torch.allclose(a, a + 1e-3), torch.isclose(a, a + 1e-6))
    nan = torch.tensor([float('nan')])
    print(torch.allclose(nan, nan), torch.allclose(nan, nan, equal_nan=True))
    print(torch.equal(torch.tensor([1, 2]), torch.tensor([1., 2.])))
""")
snippet("api-clone-detach", """
    x = torch.tensor([1., 2.], requires_grad=True)
    c = x.clone()
    d = x.detach()
    print(c, d, c.is_leaf, d.is_leaf, d.requires_grad)
    d[0] = 10.
    print(x)
""")
snippet("api-from-numpy-shares", """
    a = np.array([1., 2.])
    t = torch.from_numpy(a)
    a[0] = 5.
    print(t, t.dtype)
    t[1] = 7.
    print(a)
""")
snippet("api-as-tensor", """
    a = np.array([1, 2], dtype=np.int32)
    t = torch.as_tensor(a)
    a[0] = 9
    print(t, torch.as_tensor([1., 2.]), torch.as_tensor(a, dtype=torch.float32))
""")
snippet("api-from-numpy-list", "torch.from_numpy([1, 2])\n")
snippet("api-creation", """
    print(torch.zeros(2, 3), torch.ones((2,)), torch.full((2, 2), 7), torch.full((2,), 1.5))
    print(torch.eye(2), torch.eye(2, 3), torch.arange(1, 4), torch.arange(0, 1, 0.25))
    print(torch.linspace(0, 1, 5), torch.zeros_like(torch.ones(2, dtype=torch.int32)))
    print(torch.ones(2).new_zeros(3), torch.ones(2, dtype=torch.int64).new_ones((1, 2)))
    print(torch.full((2,), True), torch.empty(2, 0).shape, torch.tensor([[]]).shape)
""")
snippet("api-creation-errors", "torch.zeros(2, -1)\n")
snippet("api-arange-errors", "torch.arange(0, 5, 0)\n")
snippet("api-arange-sign", "torch.arange(5, 0, 1)\n")
snippet("api-randint-bad", "torch.randint(5, 2, (3,))\n")
snippet("api-rand-int-dtype", "torch.rand(2, dtype=torch.int64)\n")
snippet("api-random-shapes", """
    torch.manual_seed(0)
    print(torch.rand(2, 3).shape, torch.randn(4).dtype, torch.randint(0, 10, (3,)).dtype)
    print(torch.randn(2, requires_grad=True).requires_grad, torch.rand_like(torch.ones(2)).shape)
    print(torch.randint(3, (2, 2)).shape, torch.randperm(4).dtype)
""")
snippet("api-size", """
    s = torch.ones(2, 3, 4).shape
    print(s, s[1:], s[0], len(s), s.numel(), s == (2, 3, 4), isinstance(s, tuple), tuple(s))
    print(torch.Size([1, 2]), torch.Size([]), s + (5,) if False else list(s))
""")
snippet("api-numpy-dtype", """
    for dt in [torch.float32, torch.float64, torch.int64, torch.int32, torch.uint8, torch.bool]:
        print(dt, torch.ones(1, dtype=dt).numpy().dtype, dt.is_floating_point)
""")
snippet("api-float-int-conversions", """
    print(float(torch.tensor([2.5])), int(torch.tensor([[3]])), int(torch.tensor(-2.7)))
    print(torch.tensor(2.5).__format__('.2f'), f"{torch.tensor(1.25):.1f}")
""")
snippet("api-math-module", """
    print(torch.math.pi, torch.math.sqrt(4.0))
""")
snippet("api-type-methods", """
    x = torch.tensor([1, 2])
    print(x.type(), x.float().type(), x.double().type(), x.bool().type(), x.is_floating_point())
    print(x.element_size(), x.float().element_size(), x.short().dtype, x.half().dtype)
    print(x.char().dtype, x.byte().dtype)
""")
snippet("api-item-types", """
    print(repr(torch.tensor(1.5).item()), repr(torch.tensor(3).item()))
    print(repr(torch.tensor(True).item()))
    print(torch.tensor([1.5, 2.]).tolist(), torch.tensor([[True]]).tolist())
""")
snippet("api-requires-grad-flags", """
    x = torch.ones(2)
    print(x.requires_grad, x.requires_grad_().requires_grad, x.is_leaf)
    y = x * 2
    print(y.requires_grad, y.is_leaf, y.detach().requires_grad)
    x.requires_grad_(False)
    print(x.requires_grad, (x * 2).requires_grad)
""")
snippet("api-detach-inplace", """
    x = torch.tensor([1., 2.], requires_grad=True)
    y = x * 2
    y.detach_()
    print(y, y.requires_grad, y.is_leaf)
""")
snippet("api-int-tensor-grad-ops", """
    x = torch.tensor([1., 2.], requires_grad=True)
    i = torch.tensor([1, 2])
    y = x * i
    print(y, (i * 2).requires_grad)
""")
snippet("api-comparison-ops", """
    a = torch.tensor([1., 2., 3.])
    b = torch.tensor([3., 2., 1.])
    print(a < b, a <= b, a > b, a >= b, a == b, a != b)
    print(torch.eq(a, 2), torch.ne(a, b), torch.gt(a, 1.5), a.le(b), 2 < a)
""")
snippet("api-logical", """
    a = torch.tensor([True, False, True])
    b = torch.tensor([False, False, True])
    print(torch.logical_and(a, b), torch.logical_or(a, b))
    print(torch.logical_xor(a, b), torch.logical_not(a))
    print(torch.logical_not(torch.tensor([0., 1.])), a ^ b)
""")
snippet("api-isnan-isinf", """
    x = torch.tensor([1., float('inf'), float('nan'), -float('inf')])
    print(x.isnan(), x.isinf(), x.isfinite(), torch.isnan(torch.tensor([1, 2])))
""")
snippet("api-reductions-values", """
    x = torch.tensor([[1., 5., 2.], [3., 0., 4.]])
    print(x.sum(), x.sum(0), x.sum(1, keepdim=True), x.mean(), x.mean(-1))
    print(x.max(), x.max(0), x.min(1).indices, x.argmax(), x.argmin(1), x.amax((0, 1)))
    print(x.prod(), x.var(), x.std(1), x.norm(), x.logsumexp(1), x.cumsum(1))
""")
snippet("api-max-named-tuple", """
    x = torch.tensor([[1., 5.], [3., 0.]])
    r = x.max(dim=1)
    print(r)
    print(type(r).__name__, r.values, r.indices, r[0])
    v, i = x.min(0, keepdim=True)
    print(v, i)
""")
snippet("api-sum-empty", """
    print(torch.ones(0).sum(), torch.ones(0).prod(), torch.ones(0).mean())
""")
snippet("api-max-empty", "torch.ones(0).max()\n")
snippet("api-clamp-variants", """
    x = torch.tensor([-2., 0.5, 3.])
    print(x.clamp(min=0), x.clamp(max=1), x.clamp(-1, 1), torch.clamp(x, 0, 1), x.clip(0))
""")
snippet("api-clamp-no-bounds", "torch.tensor([1.]).clamp()\n")
snippet("api-softmax-values", """
    x = torch.tensor([[1., 2., 3.], [0., 0., 0.]])
    print(x.softmax(1), x.log_softmax(dim=-1), torch.softmax(x, 0))
""")
snippet("api-softmax-no-dim", "torch.softmax(torch.ones(3))\n")
snippet("api-unary-values", """
    x = torch.tensor([0.25, 1., 4.])
    print(x.sqrt(), x.log(), x.exp(), x.sin(), x.tanh(), x.sigmoid(), x.reciprocal(), x.rsqrt())
""")
snippet("api-inplace-returns-self", """
    x = torch.tensor([1., 2.])
    y = x.add_(1)
    print(y is x, x, x.mul_(2) is x, x, x.zero_(), x.fill_(3.), x.clamp_(0, 2), x.neg_())
""")
snippet("api-sub-alpha", """
    a = torch.tensor([1., 2.])
    print(torch.add(a, a, alpha=2), torch.sub(a, 1, alpha=3), a.add(1, alpha=2))
""")
snippet("api-where-scalar", """
    x = torch.tensor([1., -1., 2.])
    print(torch.where(x > 0), torch.where(x > 0, x, torch.zeros(3)))
""")
snippet("api-bool-of-one", """
    print(bool(torch.tensor([1])), bool(torch.tensor([[0.]])), bool(torch.tensor(False)))
""")
snippet("api-bool-empty", "bool(torch.tensor([]))\n")
snippet("api-hash-and-set", """
    a = torch.tensor(1.)
    b = torch.tensor(1.)
    print(len({a, b}), a in [a], hash(a) == hash(a))
""")
snippet("api-scalar-ops-reflected", """
    x = torch.tensor([1., 2.])
    print(1 + x, 1 - x, 2 * x, 1 / x, 2 ** x, 5 % x, 5 // x)
""")
snippet("api-to-device", """
    x = torch.tensor([1., 2.])
    print(x.to('cpu'), x.cpu() is x, x.device, x.to(torch.float64).dtype, x.to('cpu', torch.int64))
""")
snippet("api-cuda-error", """
    torch.ones(2, device="cuda")
""")
snippet("api-gather-scatter-values", """
    x = torch.tensor([[1, 2], [3, 4]])
    print(torch.gather(x, 0, torch.tensor([[1, 0]])), x.scatter(1, torch.tensor([[1], [0]]), 9))
""")
snippet("api-numel-empty", """
    e = torch.ones(2, 0, 3)
    print(e, e.shape, e.numel(), e.sum(1).shape, e.dim())
""")

# --------------------------------------------------------------------------- functional API

snippet("functional-jacobian", """
    jacobian = torch.autograd.functional.jacobian
    print(jacobian(lambda x: x ** 2, torch.tensor([1., 2.])))
    print(jacobian(lambda x, y: (x * y, x.sum()), (torch.tensor([1., 2.]), torch.tensor([3., 4.]))))
""")
snippet("functional-jacobian-create-graph", """
    jacobian = torch.autograd.functional.jacobian
    x = torch.tensor([1., 2.], requires_grad=True)
    j = jacobian(lambda t: t ** 3, x, create_graph=True)
    print(j.requires_grad, j.shape)
""")
snippet("functional-hessian", """
    hessian = torch.autograd.functional.hessian
    print(hessian(lambda x: (x ** 3).sum(), torch.tensor([1., 2.])))
    print(hessian(lambda x, y: (x * y).sum(), (torch.tensor([1.]), torch.tensor([2.]))))
""")
snippet("functional-vjp-jvp", """
    F = torch.autograd.functional
    vjp, jvp, hvp = F.vjp, F.jvp, F.hvp
    print(vjp(lambda x: x ** 2, torch.tensor([1., 2.]), torch.tensor([1., 1.])))
    print(jvp(lambda x: x ** 2, torch.tensor([1., 2.]), torch.tensor([1., 0.])))
    print(hvp(lambda x: (x ** 3).sum(), torch.tensor([1., 2.]), torch.tensor([1., 1.])))
""")
snippet("functional-strict-error", """
    jacobian = torch.autograd.functional.jacobian
    jacobian(lambda x: torch.ones(2), torch.tensor([1., 2.]), strict=True)
""")
snippet("functional-hessian-nonscalar", """
    hessian = torch.autograd.functional.hessian
    hessian(lambda x: x * 2, torch.tensor([1., 2.]))
""")
snippet("functional-bad-inputs", """
    jacobian = torch.autograd.functional.jacobian
    jacobian(lambda x: x, [torch.tensor([1., 2.])])
""")
snippet("double-backward-grad-fns", """
    x = torch.tensor([1., 2.], requires_grad=True)
    (g,) = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)
    print(g)
    (h,) = torch.autograd.grad((x.sin() * x).sum(), x, create_graph=True)
    print(h)
    (k,) = torch.autograd.grad((x.exp() / x).sum(), x, create_graph=True)
    print(k)
""")
snippet("grad-outputs-count-error", """
    x = torch.tensor([1., 2.], requires_grad=True)
    torch.autograd.grad([x.sum(), x.sum()], x, [torch.ones(())])
""")
snippet("grad-inputs-empty-error", """
    x = torch.tensor([1., 2.], requires_grad=True)
    torch.autograd.grad(x.sum(), [])
""")
snippet("grad-input-not-tensor", """
    x = torch.tensor([1., 2.], requires_grad=True)
    torch.autograd.grad(x.sum(), [x, 3])
""")
snippet("backward-inputs-no-grad", """
    x = torch.tensor([1., 2.], requires_grad=True)
    (x * 2).sum().backward(inputs=[torch.ones(2)])
""")
snippet("linspace-arange-values", """
    print(torch.linspace(-3, 3, 20))
    print(torch.linspace(0, 10, 5, dtype=torch.int64), torch.linspace(2.5, 1, 5, dtype=torch.int32))
    print(torch.arange(-3, 3, 0.3))
""")

# fmt: on


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT / "tests"))
    sys.path.insert(0, str(ROOT / "src"))
    import torch
    from test_differential import run_snippet, run_snippet_isolated

    names = [name for name, _ in SNIPPETS]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise SystemExit(f"duplicate snippet ids: {sorted(duplicates)}")
    imports = [name for name, code in SNIPPETS if "import torch" in code or "from torch" in code]
    if imports:
        raise SystemExit(f"snippets must not import torch: {imports}")
    records = []
    for name, code in SNIPPETS:
        record = {"id": name, "code": code}
        record.update(run_snippet_isolated(torch, code))
        records.append(record)
    if "--diff" in argv:
        import chainrule

        bad = 0
        for record in records:
            got = run_snippet(chainrule, record["code"])
            expected = {k: record[k] for k in ("stdout", "error", "warnings")}
            if got != expected:
                bad += 1
                print(
                    f"=== {record['id']}\n{record['code']}--- torch\n{expected}\n"
                    f"--- chainrule\n{got}\n"
                )
        print(f"{bad} of {len(records)} snippets differ")
        return 0
    from test_tensor_api import promotion_table

    golden = {"torch": torch.__version__, "snippets": records, "promotion": promotion_table(torch)}
    OUT.write_text(json.dumps(golden, indent=1) + "\n")
    print(f"wrote {len(records)} snippets and the promotion table to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
