"""functional_call: run a Module with parameters and buffers given as a dict."""

from __future__ import annotations

__all__ = ["functional_call"]


def _owner(module, dotted: str):
    """The submodule holding ``dotted`` and the attribute's own name."""
    *path, name = dotted.split(".")
    for part in path:
        child = module._modules.get(part)
        if child is None:
            raise AttributeError(f"{type(module).__name__} has no attribute `{part}`")
        module = child
    return module, name


def _merge(parameter_and_buffer_dicts) -> dict:
    if isinstance(parameter_and_buffer_dicts, dict):
        return dict(parameter_and_buffer_dicts)
    merged: dict = {}
    for d in parameter_and_buffer_dicts:
        for key, value in d.items():
            if key in merged:
                raise ValueError(
                    f"{key} appeared in multiple dictionaries; behavior of functional call is "
                    "ambiguous"
                )
            merged[key] = value
    return merged


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights=True, strict=False):  # fmt: skip
    """Call ``module(*args, **kwargs)`` with some parameters/buffers replaced, then restore.

    The replacements are used as they are (no copy), so gradients flow to them:
    ``grad(lambda p: functional_call(model, p, (x,)).sum())(params)``.

    >>> import chainrule as torch
    >>> lin = torch.nn.Linear(1, 1)
    >>> w = {"weight": torch.tensor([[2.0]]), "bias": torch.tensor([1.0])}
    >>> functional_call(lin, w, (torch.tensor([[3.0]]),))
    tensor([[7.]])
    """
    replacements = _merge(parameter_and_buffer_dicts)
    if strict:
        expected = {name for name, _ in module.named_parameters()}
        expected |= {name for name, _ in module.named_buffers()}
        missing = sorted(expected - set(replacements))
        unexpected = sorted(set(replacements) - expected)
        if missing or unexpected:
            parts = []
            if unexpected:
                parts.append("Unexpected key(s): " + ", ".join(f"'{k}'" for k in unexpected) + ".")
            if missing:
                parts.append("Missing key(s): " + ", ".join(f"'{k}'" for k in missing) + ".")
            raise RuntimeError(
                f"Error(s) in reparametrizing for {type(module).__name__}:\n\t" + "\n\t".join(parts)
            )
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    kwargs = {} if kwargs is None else kwargs
    saved = []
    try:
        for dotted, value in replacements.items():
            owner, name = _owner(module, dotted)
            for store in (owner._parameters, owner._buffers):
                if name in store:
                    saved.append((store, name, store[name]))
                    store[name] = value
                    break
            else:
                saved.append((owner.__dict__, name, owner.__dict__.get(name, _MISSING)))
                owner.__dict__[name] = value
        return module(*args, **kwargs)
    finally:
        for store, name, value in reversed(saved):
            if value is _MISSING:
                store.pop(name, None)
            else:
                store[name] = value


_MISSING = object()
