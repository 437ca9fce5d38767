"""torch.utils: data loading (``chainrule.utils.data``) and activation checkpointing
(``chainrule.utils.checkpoint``)."""

from . import checkpoint, data

__all__ = ["checkpoint", "data"]
