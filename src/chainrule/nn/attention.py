"""scaled_dot_product_attention and MultiheadAttention, composed from chainrule ops.

>>> import chainrule as torch
>>> q = torch.ones(1, 2, 4)
>>> torch.nn.functional.scaled_dot_product_attention(q, q, q).shape
torch.Size([1, 2, 4])
"""

from __future__ import annotations

import math

from .. import _backend
from .._backend import xp
from .._tensor import make
from ..ops.creation import empty
from . import init
from .dropout import dropout
from .linear import NonDynamicallyQuantizableLinear, linear
from .module import Module
from .parameter import Parameter

__all__ = ["scaled_dot_product_attention", "MultiheadAttention"]


def _mask_to_bias(mask, dtype):
    """A boolean mask (True = may attend) becomes 0 / -inf; a float mask is added as it is."""
    if mask._dtype is _backend.bool_:
        bias = xp.where(mask._data, 0.0, -xp.inf).astype(dtype.np)
        return make(bias, dtype)
    return mask


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):  # fmt: skip
    """softmax(q k^T * scale + mask) v, scale defaulting to 1 / sqrt(head dim).

    attn_mask: boolean (True = attend) or float (added to the scores); is_causal masks the
    future (upper triangle).

    >>> scaled_dot_product_attention(ones(2, 3), ones(2, 3), ones(2, 3))
    tensor([[1., 1., 1.],
            [1., 1., 1.]])
    """
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")  # fmt: skip
    scale = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = query.matmul(key.transpose(-2, -1)) * scale
    if is_causal:
        length, source = query.shape[-2], key.shape[-2]
        causal = xp.tril(xp.ones((length, source), bool))
        scores = scores + _mask_to_bias(make(causal, _backend.bool_), query._dtype)
    if attn_mask is not None:
        scores = scores + _mask_to_bias(attn_mask, query._dtype)
    weights = scores.softmax(-1)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p)
    return weights.matmul(value)


class MultiheadAttention(Module):
    """Attention with num_heads heads over embed_dim features (torch's parameter layout:
    in_proj_weight / in_proj_bias, or q/k/v_proj_weight when kdim/vdim differ, and out_proj).

    >>> mha = MultiheadAttention(8, 2, batch_first=True)
    >>> out, weights = mha(ones(3, 5, 8), ones(3, 5, 8), ones(3, 5, 8))
    >>> out.shape, weights.shape
    (torch.Size([3, 5, 8]), torch.Size([3, 5, 5]))
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None):  # fmt: skip
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                f"num_heads={num_heads} instead"
            )
        if add_bias_kv or add_zero_attn:
            raise NotImplementedError("add_bias_kv and add_zero_attn are not supported yet")
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        assert self.head_dim * num_heads == embed_dim, "embed_dim must be divisible by num_heads"
        dtype = dtype or _backend.defaults.float_dtype
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(empty(3 * embed_dim, embed_dim, dtype=dtype))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        else:
            self.q_proj_weight = Parameter(empty(embed_dim, embed_dim, dtype=dtype))
            self.k_proj_weight = Parameter(empty(embed_dim, self.kdim, dtype=dtype))
            self.v_proj_weight = Parameter(empty(embed_dim, self.vdim, dtype=dtype))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias,
                                                        dtype=dtype)  # fmt: skip
        self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)

    def _projections(self, query, key, value):
        e = self.embed_dim
        b = self.in_proj_bias
        bq, bk, bv = (None, None, None) if b is None else (b[:e], b[e : 2 * e], b[2 * e :])
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            wq, wk, wv = w[:e], w[e : 2 * e], w[2 * e :]
        else:
            wq, wk, wv = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        return linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):  # fmt: skip
        batched = query.dim() == 3
        if not batched:  # (L, E): one sequence
            query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        elif self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        length, n, e = query.shape
        source = key.shape[0]
        h, d = self.num_heads, self.head_dim
        if e != self.embed_dim:
            raise AssertionError(
                f"was expecting embedding dimension of {self.embed_dim}, but got {e}"
            )
        q, k, v = self._projections(query, key, value)
        # (L, N, E) -> (N * H, L, d)
        q = q.reshape(length, n * h, d).transpose(0, 1)
        k = k.reshape(source, n * h, d).transpose(0, 1)
        v = v.reshape(source, n * h, d).transpose(0, 1)
        scores = q.matmul(k.transpose(1, 2)) * (1 / math.sqrt(d))
        if attn_mask is not None:
            mask = _mask_to_bias(_invert_bool(attn_mask), scores._dtype)
            scores = scores + (mask if mask.dim() == 2 else mask.reshape(n * h, length, source))
        elif is_causal:
            causal = make(xp.tril(xp.ones((length, source), bool)), _backend.bool_)
            scores = scores + _mask_to_bias(causal, scores._dtype)
        if key_padding_mask is not None:
            pad = _mask_to_bias(_invert_bool(key_padding_mask), scores._dtype)
            scores = scores.reshape(n, h, length, source) + pad.reshape(n, 1, 1, source)
            scores = scores.reshape(n * h, length, source)
        weights = scores.softmax(-1)
        if self.training and self.dropout > 0:
            attended = dropout(weights, self.dropout).matmul(v)
        else:
            attended = weights.matmul(v)
        out = attended.transpose(0, 1).reshape(length * n, e)
        out = linear(out, self.out_proj.weight, self.out_proj.bias).reshape(length, n, e)
        if not batched:
            out = out.squeeze(1)
        elif self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        weights = weights.reshape(n, h, length, source)
        if average_attn_weights:
            weights = weights.mean(1)
        if not batched:
            weights = weights.squeeze(0)
        return out, weights


def _invert_bool(mask):
    """torch's MHA masks say True = masked out; sdpa's bool masks say True = attend."""
    if mask._dtype is _backend.bool_:
        return make(~mask._data, _backend.bool_)
    return mask
