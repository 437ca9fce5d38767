"""torch.nn.utils.rnn: padding a list of variable-length sequences into one tensor.

>>> import chainrule as torch
>>> from chainrule.nn.utils.rnn import pad_sequence
>>> pad_sequence([torch.tensor([1, 2, 3]), torch.tensor([4])], batch_first=True)
tensor([[1, 2, 3],
        [4, 0, 0]])
"""

from __future__ import annotations

from ..._tensor import Tensor
from ...ops.creation import arange

__all__ = ["pad_sequence", "unpad_sequence"]


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences of shape (L_i, *) into (L_max, B, *) (or (B, L_max, *) with
    batch_first), filling the missing steps with ``padding_value`` (grad_fn CopySlices)."""
    if padding_side not in ("left", "right"):
        raise ValueError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    longest = max(s.shape[0] for s in sequences)
    first = sequences[0]
    lead = (len(sequences), longest) if batch_first else (longest, len(sequences))
    out = first.new_full(lead + tuple(first.shape[1:]), padding_value)
    for i, seq in enumerate(sequences):
        length = seq.shape[0]
        steps = slice(None, length) if padding_side == "right" else slice(longest - length, None)
        if batch_first:
            out[i, steps] = seq
        else:
            out[steps, i] = seq
    return out


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of sequences that pad_sequence padded, cut back to ``lengths``."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[arange(int(n))] for seq, n in zip(padded_sequences, lengths)]
