"""torch.autograd.graph: the Node type of grad_fn objects and saved-tensor hooks.

>>> import chainrule as torch
>>> x = torch.tensor([1.0, 2.0], requires_grad=True)
>>> packed = []
>>> def pack(t):
...     packed.append(t.shape)
...     return t
>>> with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
...     y = x * x
>>> packed
[torch.Size([2]), torch.Size([2])]
"""

from __future__ import annotations

from .._graph import Node, extras

__all__ = ["Node", "saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks"]


class saved_tensors_hooks:
    """Within the block, every tensor a new node saves goes through ``pack_hook``.

    The hooks are per thread, as in torch: they see the tensors saved by ops that run on
    the thread that entered the block, not those of other threads.

    Backward gets it back through ``unpack_hook`` (which must return a tensor). As in torch,
    a packed value has no version check: the hooks own what they store.
    """

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if extras.hooks_disabled is not None:
            raise RuntimeError(extras.hooks_disabled)
        extras.push_saved_hooks((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc):
        extras.pop_saved_hooks()


class save_on_cpu(saved_tensors_hooks):
    """Keep saved tensors in host memory (on a CPU-only backend: a copy that backward reads)."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda"):
        def pack(tensor):
            return (tensor.device, tensor.detach().clone())

        def unpack(packed):
            device, tensor = packed
            return tensor.to(device)

        super().__init__(pack, unpack)


class disable_saved_tensors_hooks:
    """Within the block, entering ``saved_tensors_hooks`` raises RuntimeError(error_message).

    Like the hooks themselves, the switch is per thread.
    """

    def __init__(self, error_message: str):
        self.error_message = error_message

    def __enter__(self):
        self._previous = extras.hooks_disabled
        extras.hooks_disabled = self.error_message
        return self

    def __exit__(self, *exc):
        extras.hooks_disabled = self._previous
