"""Regenerate docs/api.md: what chainrule supports, op by op, checked against PyTorch.

    python tools/make_api_docs.py          # writes docs/api.md
    python tools/make_api_docs.py --check  # exit 1 when docs/api.md is out of date

The op list comes from chainrule's op table (chainrule._registry.OPS): every op declared
with its derivative. Where PyTorch is installed, each name is also looked up in torch, so
the page says which names torch has under the same spelling.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "src"))

import chainrule  # noqa: E402
from chainrule._registry import OPS  # noqa: E402

HEADER = """# API: what chainrule supports

chainrule copies PyTorch's API (`import chainrule as torch`). This page lists what exists.
The op table below is generated from chainrule's op registry (`chainrule._registry.OPS`) by
`python tools/make_api_docs.py`: do not edit it by hand.

## Beyond the op table

- **Tensors**: `torch.tensor`, `Tensor` attributes (`grad`, `grad_fn`, `is_leaf`,
  `requires_grad`, `data`, `shape`, `dtype`, `device`), `backward`, `detach`, `retain_grad`,
  `register_hook`, `item`, `tolist`, `numpy`; dtypes float16/32/64, int8/16/32/64, uint8,
  bool with PyTorch's promotion; printing identical to PyTorch's (`set_printoptions`).
- **Autograd**: `torch.autograd.backward`, `torch.autograd.grad` (`create_graph`,
  `retain_graph`, `allow_unused`, `is_grads_batched`), `no_grad`, `enable_grad`,
  `set_grad_enabled`, `inference_mode`, `torch.autograd.Function` (with `jvp`),
  `gradcheck`, `gradgradcheck`, `torch.autograd.functional` (`jacobian`, `hessian`, `vjp`,
  `jvp`, `hvp`, `vhp`; `strategy="forward-mode"`), `torch.autograd.forward_ad`
  (`dual_level`, `make_dual`, `unpack_dual`), `detect_anomaly` / `set_detect_anomaly`,
  `torch.autograd.graph` (`saved_tensors_hooks`, `save_on_cpu`), hooks on tensors and nodes.
- **torch.func**: `grad`, `grad_and_value`, `vjp`, `jvp`, `jacrev`, `jacfwd`, `hessian`,
  `vmap` (also `torch.vmap`; a per-element loop), `functional_call`.
- **nn, optim, data, saving**: `torch.nn` (Module with hooks and `state_dict`, containers,
  Linear, Bilinear, Conv1d/2d, pooling (max, average, adaptive max/average, LPPool),
  BatchNorm, LayerNorm, GroupNorm, InstanceNorm1d/2d/3d, LocalResponseNorm,
  PixelShuffle/PixelUnshuffle, Embedding, Dropout, RNN/LSTM/GRU, MultiheadAttention,
  activations, losses (incl. the margin, ranking, embedding, Poisson and Gaussian NLL
  losses), `nn.init`, `nn.utils`, `torch.nn.functional`); `torch.optim` (SGD, Adam, AdamW,
  RMSprop, Adagrad, LBFGS, `lr_scheduler`); `torch.utils.data` (Dataset, TensorDataset,
  DataLoader, samplers, `random_split`); `torch.utils.checkpoint`; `torch.save` /
  `torch.load` (never run code from a file; read PyTorch's `.pt` state dicts) and
  `chainrule.serialization` (`.safetensors`).
- **Namespaces and facts**: `torch.linalg`, `torch.special`, `torch.distributions` (Normal,
  Uniform, Exponential, Bernoulli, Categorical, `kl_divergence`), `torch.testing.assert_close`,
  `torch.finfo`, `torch.iinfo`, `get_rng_state` / `set_rng_state`, `manual_seed`,
  `Generator`, constants (`torch.pi`, `torch.inf`, ...), function forms of in-place methods
  (`torch.relu_(x)`).
- **Accepted, without effect on this CPU backend**: `torch.compile` (returns its argument),
  `torch.autocast`, `torch.backends.cudnn` flags, `use_deterministic_algorithms`,
  `set_float32_matmul_precision`; `torch.backends.mps.is_available()` is False.
- **Learner tools** (chainrule only, not in PyTorch): `torch.explain(t)` (the backward pass
  as a table), `torch.viz.to_dot(t)`, `torch.viz.draw(t, path)`, `torch.viz.graph(t)`,
  `torch.plot.derivatives(f, start, stop, order=1)`, and the `chainrule` command (`diff`,
  `grad`, `jacobian`, `hessian`, `plot`, `graph`, `explain`, `tour`).

## Not supported

Complex dtypes, CUDA and other devices (`torch.cuda.is_available()` is False), sparse and
quantized tensors, `torch.compile`/`torch.jit`, distributed training. Random numbers are
reproducible with `manual_seed` but are not the numbers PyTorch draws.
"""


def _lookup(root, dotted: str):
    value = root
    for part in dotted.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def _family(name: str) -> str:
    func = _lookup(chainrule, name) or getattr(chainrule.Tensor, name.split(".")[-1], None)
    module = getattr(func, "__module__", "") or ""
    if module.startswith("chainrule.ops."):
        return module.rsplit(".", 1)[1]
    return "other"


def render() -> str:
    try:
        torch = importlib.import_module("torch")
    except ImportError:
        torch = None
    families: dict = {}
    for name in sorted(OPS):
        families.setdefault(_family(name), []).append(name)
    lines = [HEADER, f"## The op table ({len(OPS)} ops)", ""]
    if torch is not None:
        lines.append(f"Checked against PyTorch {torch.__version__.split('+')[0]}.")
        lines.append("")
    for family in sorted(families):
        lines += [f"### {family}", ""]
        lines.append("| op | `torch.` | `Tensor.` | grad_fn | in torch |")
        lines.append("|---|---|---|---|---|")
        for name in families[family]:
            info = OPS[name]
            function = "yes" if _lookup(chainrule, name) is not None else ""
            method = "yes" if hasattr(chainrule.Tensor, name) else ""
            grads = ", ".join(info.grad_fns) if info.differentiable else "(not differentiable)"
            if torch is None:
                in_torch = "?"
            else:
                found = _lookup(torch, name) is not None or hasattr(torch.Tensor, name)
                in_torch = "yes" if found else "no"
            lines.append(f"| `{name}` | {function} | {method} | {grads} | {in_torch} |")
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when docs/api.md differs")
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "api.md"))
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = open(args.out, encoding="utf-8").read() if os.path.exists(args.out) else ""
        if current != text:
            print(f"{args.out} is out of date: run python tools/make_api_docs.py")
            return 1
        return 0
    with open(args.out, "w", encoding="utf-8") as file:
        file.write(text)
    print(f"wrote {os.path.relpath(args.out)} ({len(OPS)} ops)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
