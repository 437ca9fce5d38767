"""Program families for linalg with gradients, the autograd API and programs built to raise."""

import re

from .programs import allowed, leaf


def _spd(name, source):
    eye = f"torch.eye({source}.shape[-1], dtype={source}.dtype)"
    return f"{name} = {source} @ {source}.mT + {source}.shape[-1] * {eye}"


NORM_ORDS = ["None", "'fro'", "'nuc'", "2", "1", "-1", "float('inf')", "-2"]


def gen_linalg(rng, values, pending):
    """linalg on well-conditioned inputs (x @ x.mT + nI, x + 3I), first and second derivatives."""
    dtype = rng.choice(["float64", "float64", "float32"])
    n = rng.choice([1, 2, 3])
    batch = rng.choice([(), (), (2,)])
    lines = [
        leaf(rng, values, "x", (*batch, n, n), dtype),
        leaf(rng, values, "y", (*batch, n, rng.choice([1, 2])), dtype),
    ]
    lines.append(_spd("s", "x"))
    lines.append(f"a = x + 3 * torch.eye({n}, dtype=x.dtype)")
    name = rng.choice(
        [
            "inv",
            "det",
            "slogdet",
            "solve",
            "cholesky",
            "qr",
            "svdvals",
            "svd",
            "norm",
            "matrix_norm",
            "matrix_power",
            "eigvalsh",
            "eigh",
            "pinv",
            "matrix_exp",
            "logdet",
            "solve_triangular",
            "lstsq",
            "multi_dot",
            "cholesky_solve",
            "lu_solve",
            "trace",
            "vector_norm",
            "cross",
            "inv_ex",
        ]
    )
    calls = {
        "inv": "torch.linalg.inv(a)",
        "det": "torch.linalg.det(a)",
        "slogdet": "torch.linalg.slogdet(a)",
        "solve": "torch.linalg.solve(a, y)",
        "cholesky": "torch.linalg.cholesky(s)",
        "qr": f"torch.linalg.qr(a, mode={rng.choice(['reduced', 'complete', 'r'])!r})",
        "svdvals": "torch.linalg.svdvals(a)",
        "svd": "torch.linalg.svd(s)[1]",
        "norm": f"torch.linalg.norm(a, {rng.choice(NORM_ORDS)})",
        "matrix_norm": f"torch.linalg.matrix_norm(a, {rng.choice(NORM_ORDS[1:])})",
        "matrix_power": f"torch.linalg.matrix_power(a, {rng.choice([-2, -1, 0, 1, 2, 3])})",
        "eigvalsh": "torch.linalg.eigvalsh(s)",
        "eigh": "torch.linalg.eigh(s)[0]",
        "pinv": "torch.linalg.pinv(a)",
        "matrix_exp": "torch.linalg.matrix_exp(x * 0.5)",
        "logdet": "torch.logdet(s)",
        "solve_triangular": "torch.linalg.solve_triangular(a.triu(), y, upper=True)",
        "lstsq": "torch.linalg.lstsq(a, y).solution",
        "multi_dot": "torch.linalg.multi_dot([a, x, y])" if not batch else "a @ x @ y",
        "cholesky_solve": "torch.cholesky_solve(y, torch.linalg.cholesky(s))",
        "lu_solve": "torch.linalg.lu_solve(*torch.linalg.lu_factor(a), y)",
        "trace": "torch.trace(a)" if not batch else "a.diagonal(0, -2, -1).sum(-1)",
        "vector_norm": "torch.linalg.vector_norm(a, 3, dim=(-2, -1))",
        "cross": "torch.linalg.cross(x, x.flip(-1))" if n == 3 else "torch.linalg.det(a)",
        "inv_ex": "torch.linalg.inv_ex(a).inverse",
    }
    call = calls[name]
    if name in ("slogdet", "qr"):
        lines.append(
            f"r = {call}\nR(r)\nz = r[-1] * r[0].sum()"
            if name == "qr"
            else f"r = {call}\nR(r)\nz = r[1] * r[0]"
        )
    else:
        lines.append(f"z = {call}")
    return lines


AUTOGRAD_PROGRAMS = [
    # autograd.grad: allow_unused, retain_graph, grad_outputs, create_graph
    "w = x * y\nR(torch.autograd.grad(w.sum(), [x, y], retain_graph=True))\n"
    "R(torch.autograd.grad(w.sum(), [x]))",
    "w = (x * 2).sum()\nR(torch.autograd.grad(w, [x, y], allow_unused=True))",
    "w = (x * 2).sum()\ntorch.autograd.grad(w, [x, y])",
    "w = (x * 2).sum()\n"
    "R(torch.autograd.grad(w, [x, y], allow_unused=True, materialize_grads=True))",
    "w = x.exp() * y\nR(torch.autograd.grad(w, x, grad_outputs=torch.ones_like(w) * 3))",
    "w = x.exp()\ntorch.autograd.grad(w, x)",
    "w = x.exp()\nR(torch.autograd.grad(w, x, torch.full_like(w, 0.5), create_graph=True))",
    "w = x.sin().sum()\ng, = torch.autograd.grad(w, x, create_graph=True)\nR(g)\n"
    "R(torch.autograd.grad(g.sum(), x))",
    "w = x.exp().sum()\ntorch.autograd.grad(w, x)\ntorch.autograd.grad(w, x)",
    "w = (x * x).sum()\nw.backward()\nw.backward()",
    "w = (x * 1).sum()\nw.backward()\nw.backward()\nR(x.grad)",
    "w = x.exp().sum()\nw.backward(retain_graph=True)\nw.backward()\nR(x.grad)",
    "w = (x * y).sum()\nw.backward()\nR(x.grad)\nR(y.grad)\nx.grad.zero_()\n"
    "(x * 3).sum().backward()\nR(x.grad)",
    "w = x * 2\nw.backward()",
    "w = x * 2\nw.backward(torch.ones_like(w))\nR(x.grad)",
    "w = x * 2\nw.backward(torch.ones(3, 3, 3))",
    "w = x * 2\nw.retain_grad()\nu = (w * w).sum()\nu.backward()\nR(w.grad)\nR(x.grad)",
    "w = x * 2\nu = (w * w).sum()\nu.backward()\nR(w.grad)",
    "w = x * 2\nw.requires_grad_(False)",
    "w = x.detach()\nR(w.requires_grad)\nw.requires_grad_()\nR(w.is_leaf)\n"
    "(w * 2).sum().backward()\nR(w.grad)\nR(x.grad)",
    "w = x * 2\nw.detach_()\nR(w)\nR(w.grad_fn)",
    "w = x.view(-1)\nw.detach_()",
    "x.register_hook(lambda g: g * 2)\n(x * y).sum().backward()\nR(x.grad)",
    "w = x * 1\nh = w.register_hook(lambda g: g + 1)\n(w * y).sum().backward()\nR(x.grad)\n"
    "h.remove()\n(w * y).sum().backward()\nR(x.grad)",
    "seen = []\nw = x.exp()\nw.register_hook(lambda g: seen.append(g.clone()))\n"
    "w.sum().backward()\nR(seen)",
    "y.register_hook(lambda g: None)\n(x + y).sum().backward()\nR(y.grad)",
    "x.register_hook(lambda g: g.sum())\n(x * 2).sum().backward()",
    "z = torch.ones(2).register_hook(lambda g: g)",
    "with torch.no_grad():\n    w = x * 2\nR(w.requires_grad)\nR(w.grad_fn)\nw.sum().backward()",
    "with torch.enable_grad():\n    w = x * 2\nR(w.requires_grad)",
    "torch.set_grad_enabled(False)\nw = x * 2\ntorch.set_grad_enabled(True)\nR(w.requires_grad)",
    "with torch.no_grad():\n    with torch.enable_grad():\n        w = x * 2\nR(w.grad_fn)",
    "R(x.grad)\nR(x.is_leaf)\nR((x * 2).is_leaf)\nw = x * 2\nR(w.grad)",
    "torch.tensor([1, 2], requires_grad=True)",
    "torch.tensor([1.0]).long().requires_grad_()",
    "x.requires_grad_(False)\nR(x.requires_grad)\nz = x * y",
    "w = x.sum()\nR(torch.autograd.grad(w, x, retain_graph=False))\nw.backward()",
    "w = (x * y).sum()\nR(torch.autograd.grad([w, w * 2], [x]))",
    "w = x * y\none = torch.tensor(1.0, dtype=x.dtype)\n"
    "R(torch.autograd.grad([w.sum(), w.mean()], [x, y], grad_outputs=[one, None]))",
    "torch.autograd.grad((x * 2).sum(), torch.ones(2))",
    "torch.autograd.grad(torch.ones(2).sum(), x)",
    "w = (x * 2).sum()\nw.backward(inputs=[x])\nR(x.grad)\nR(y.grad)",
    "w = (x * y).sum()\nw.backward(inputs=[y])\nR(x.grad)\nR(y.grad)",
    "w = x.exp()\nv = w.detach()\nv.zero_()\nw.sum().backward()",
    "w = x * 2\nR(w._version)\nw.add_(1)\nR(w._version)\nw[0] = 1\nR(w._version)",
    "R(torch.is_grad_enabled())\nwith torch.inference_mode():\n    w = x * 2\nR(w.requires_grad)",
    "w = x * 2\nR(repr(w.grad_fn.next_functions)[:0])\nR(type(w.grad_fn).__name__)",
    "R(x.grad_fn)\nR(x.requires_grad)\nR((x + y).requires_grad)",
]


def gen_autograd(rng, values, pending):
    """One of the autograd API programs on fresh leaves x and y."""
    dtype = rng.choice(["float32", "float64"])
    shape = rng.choice([(), (2,), (3,), (2, 2)])
    lines = [leaf(rng, values, "x", shape, dtype), leaf(rng, values, "y", shape, dtype)]
    program = re.sub(r"R\(([wxy])\.grad\)", r"R(\1.grad, False)", rng.choice(AUTOGRAD_PROGRAMS))
    return lines + [program]


RAISING = [
    "z = x + torch.ones(4)",
    "z = x @ torch.ones(4, 5, dtype=x.dtype)",
    "z = x.view(5)",
    "z = x.reshape(7, -1)",
    "z = x.view(-1, -1)",
    "z = torch.cat([x, torch.ones(2, 4, dtype=x.dtype)], 1)",
    "z = torch.cat([x, torch.ones(2, 4, dtype=x.dtype)], 0)",
    "z = torch.stack([x, x.t()])",
    "z = x[5]",
    "z = x[:, 9]",
    "z = x[0, 0, 0]",
    "z = x.sum(3)",
    "z = x.sum(-4)",
    "z = x.transpose(0, 2)",
    "z = x.permute(0)",
    "z = x.permute(0, 0)",
    "z = x.squeeze(4)",
    "z = x.unsqueeze(5)",
    "z = x.expand(4, 4)",
    "z = x.expand(3)",
    "z = x.item()",
    "z = x.numpy()",
    "z = x.gather(0, torch.tensor([[5]]))",
    "z = x.gather(0, torch.tensor([[0.0]]))",
    "z = x.index_select(0, torch.tensor([7]))",
    "z = x.index_add(0, torch.tensor([0]), torch.ones(1, 9, dtype=x.dtype))",
    "z = x.softmax(5)",
    "z = x.flatten(2, 0)",
    "z = x.split(0)",
    "z = x.chunk(0)",
    "z = x.narrow(0, 1, 9)",
    "z = x.repeat(2)",
    "z = x.masked_fill(torch.ones(5, dtype=torch.bool), 0.0)",
    "z = x.masked_fill(x > 0, torch.ones(2))",
    "z = torch.where(x > 0, x, torch.ones(5))",
    "z = x.clamp()",
    "z = x.topk(9)",
    "z = x.max(7)",
    "z = torch.linalg.inv(torch.ones(2, 3))",
    "z = torch.linalg.inv(torch.zeros(2, 2))",
    "z = torch.linalg.cholesky(-torch.eye(2))",
    "z = torch.linalg.solve(torch.eye(2), torch.ones(3))",
    "z = torch.linalg.det(torch.ones(3))",
    "z = torch.matmul(torch.ones(()), x)",
    "z = torch.mm(x, x)",
    "z = torch.dot(torch.ones(2), torch.ones(3))",
    "z = torch.bmm(x, x)",
    "z = F.cross_entropy(x, torch.tensor([0.5, 1.0]))",
    "z = F.cross_entropy(x, torch.tensor([7, 0]))",
    "z = F.nll_loss(x, torch.tensor([0]))",
    "z = F.linear(x, torch.ones(4, 4))",
    "z = F.conv2d(x, torch.ones(1, 1, 1, 1))",
    "z = F.conv1d(x[None], torch.ones(1, 5, 1, dtype=x.dtype))",
    "z = F.max_pool2d(x, 7)",
    "z = F.softmax(x)",
    "z = torch.tensor([[1, 2], [3]])",
    "z = torch.zeros(2, 3).view(3, -1)[5]",
    "z = torch.ones(3, dtype=torch.int64).requires_grad_()",
    "z = torch.ones(2, dtype=torch.int64) / 0\nR(z)\nz = torch.ones(2, dtype=torch.int64) // 0",
    "z = torch.tensor([1, 2]) ** -1",
    "z = torch.arange(3).add_(0.5)",
    "z = torch.ones(2, dtype=torch.bool).sub_(True)",
    "z = -torch.ones(2, dtype=torch.bool)",
    "z = x.new_ones(2).copy_(torch.ones(3))",
    "z = x * 1\nz.resize_(9)",
    "z = torch.ones(2).fill_(torch.ones(2))",
    "z = x.sum().backward()\nz = x.grad.sum()\nz = x.sum().backward(torch.ones(2))",
    "z = torch.empty(2, -1)",
    "z = torch.arange(0, 3, 0)",
    "z = torch.full((2,), 1.0).view(torch.int64)",
    "z = x.std(correction=-1)",
    "z = x.to('cuda')",
    "z = x.norm(p='bad')",
    "z = torch.linalg.norm(x, 'nuc', dim=0)",
    "z = x.scatter(0, torch.tensor([[9]]), 1.0)",
    "z = x.index_put_((torch.tensor([0]),), torch.ones(1))",
    "z = x.detach().index_put_((torch.tensor([0, 0]),), torch.ones(3))",
    "z = x[torch.tensor([True])]",
    "z = x[[0, 1], [0]]",
    "z = x.sum(dim=(0, 0))",
    "z = x.mean(dtype=torch.int64)",
    "z = torch.ones(2, dtype=torch.int64).mean()",
    "z = x.log_softmax(dim=2)",
    "z = torch.ones(2).dist(torch.ones(3))",
    "z = x.unflatten(0, (3, 3))",
    "z = x.movedim(0, 4)",
    "z = x.diagonal(0, 0, 0)",
    "z = x.roll(1, 5)",
    "z = x.flip(4)",
    "z = x.cumsum(3)",
    "z = x.tile(-1)",
    "z = torch.einsum('ij,jk->ik', x, torch.ones(5, 1))",
    "z = torch.einsum('ij', x, x)",
]


def gen_raising(rng, values, pending):
    """A program built to raise: compared on exception type and message text."""
    dtype = rng.choice(["float32", "float64"])
    shape = rng.choice([(2, 3), (2, 2), (3,)])
    lines = [leaf(rng, values, "x", shape, dtype)]
    choices = allowed(RAISING, pending)
    return lines + [rng.choice(choices)]
