"""Raw-array kernels for convolution: every product is one GEMM in a channel-major layout.

The batch is copied, zero-padded, into a buffer of shape (C, N, Hp, Wp), so one row per
channel holds the whole batch. The im2col matrix then has one row per (channel, kernel
offset) and one column per output position of the *whole batch*, and the convolution, its
weight gradient and its input gradient are each a single matrix product (one per group):

    out    = W      @ cols           (O, K) @ (K, P)
    grad_W = g      @ cols^T         (O, P) @ (P, K)
    cols_g = W^T    @ g              (K, O) @ (O, P), then col2im adds cols_g back

For stride 1 the columns run over *every* position of the padded grid, output or not
("flat" layout): the windows of kernel offset (i, j) are then one contiguous run of each
channel's row, so im2col and col2im are kh*kw long, memcpy-speed copies instead of rows of
ow entries (a NumPy loop costs ~100 ns per row). The extra columns (the kernel overhanging
the right and bottom edges) are dropped from the output and are zero in ``g``, so they add
nothing -- exactly nothing while the values they meet are finite, which the backward checks
(0 * inf would be nan). Other strides (and non-finite values) use the "grid" layout: one
column per output position.

These run only on floating arrays and only where nothing is recorded (the forward, or a
backward without create_graph); conv.py keeps the differentiable rules.

The temporaries (padded buffer, im2col matrix, GEMM rows) live in a per-thread scratch
workspace reused from call to call: a fresh multi-megabyte array costs a page fault per
4 KiB on first touch, which in a small CNN step took longer than the products themselves.
Scratch arrays never leave this module; what is returned is always a fresh array.
"""

from __future__ import annotations

import threading

from .._backend import xp

# Scratch arrays above this size are allocated fresh and not kept (bounded memory held).
_SCRATCH_LIMIT = 16 * 2**20


class _Scratch(threading.local):
    def __init__(self):
        self.buffers = {}


_scratch = _Scratch()


def scratch(role: str, shape, dtype, zero: bool = False):
    """An uninitialised (or zeroed) array for a temporary, reusing this thread's buffer for
    ``role``. The caller must be done with it before asking for the same role again."""
    dtype = xp.dtype(dtype)
    count = 1
    for size in shape:
        count *= size
    nbytes = count * dtype.itemsize
    if nbytes > _SCRATCH_LIMIT:
        return (xp.zeros if zero else xp.empty)(shape, dtype)
    buffer = _scratch.buffers.get(role)
    if buffer is None or buffer.nbytes < nbytes:
        buffer = _scratch.buffers[role] = xp.empty(max(nbytes, 1), xp.uint8)
    array = buffer[:nbytes].view(dtype).reshape(shape)
    if zero:
        array.fill(0)
    return array


class Layout:
    """Where the windows of an (N, C, H, W) batch lie in the (C, N*Hp*Wp) padded buffer.

    The columns are the positions (n, r, q) of an (N, ``height``, ``width``) grid: the output
    grid (N, oh, ow) in the grid layout, the whole padded grid (N, Hp, Wp) in the flat one,
    whose positions r >= oh or q >= ow are the extra columns.
    """

    __slots__ = ("shape", "kernel", "dilation", "pads", "stride", "flat", "out_hw", "padded")

    def __init__(self, shape, kernel, dilation, pads, stride, flat):
        n, c, h, w = shape
        top, bottom, left, right = pads
        self.shape, self.kernel, self.dilation = shape, kernel, dilation
        self.pads, self.stride = pads, stride
        self.flat = flat and stride == (1, 1)
        self.padded = (h + top + bottom, w + left + right)
        geometry = zip(self.padded, dilation, kernel, stride)
        self.out_hw = tuple((p - d * (k - 1) - 1) // s + 1 for p, d, k, s in geometry)

    @property
    def columns(self) -> tuple:
        """(N, height, width) of the grid of columns."""
        return (self.shape[0], *(self.padded if self.flat else self.out_hw))

    @property
    def positions(self) -> int:
        """The number of columns."""
        n, height, width = self.columns
        return n * height * width

    def buffer(self, dtype):
        """A zero (C, N*Hp*Wp + tail) scratch buffer and its (C, N, Hp, Wp) view; the tail
        holds the overhang of the windows of the last flat columns."""
        n, c = self.shape[:2]
        hp, wp = self.padded
        (kh, kw), (dh, dw) = self.kernel, self.dilation
        tail = (kh - 1) * dh * wp + (kw - 1) * dw if self.flat else 0
        flat = scratch("padded", (c, n * hp * wp + tail), dtype, zero=True)
        return flat, flat[:, : n * hp * wp].reshape(c, n, hp, wp)

    def interior(self, grid):
        """The (C, N, H, W) part of a (C, N, Hp, Wp) grid that is not padding."""
        top, _, left, _ = self.pads
        h, w = self.shape[2:]
        return grid[:, :, top : top + h, left : left + w]

    def window_view(self, flat):
        """The strided view of the windows in a buffer: (C, kh, kw, N*Hp*Wp) in the flat
        layout (one contiguous run per channel and offset: NumPy copies it ~2x faster than
        the same run split in axes), (C, kh, kw, N, oh, ow) in the grid layout."""
        (kh, kw), (dh, dw), (sh, sw) = self.kernel, self.dilation, self.stride
        hp, wp = self.padded
        step_c, item = flat.strides[0], flat.strides[1]
        if self.flat:
            shape = (flat.shape[0], kh, kw, self.positions)
            strides = (step_c, dh * wp * item, dw * item, item)
        else:
            shape = (flat.shape[0], kh, kw, *self.columns)
            strides = (step_c, dh * wp * item, dw * item, hp * wp * item, sh * wp * item, sw * item)
        return xp.lib.stride_tricks.as_strided(flat, shape, strides, writeable=False)


def im2col(x, layout):
    """(N, C, H, W) -> (C*kh*kw, columns), a contiguous scratch array."""
    flat, grid = layout.buffer(x.dtype)
    layout.interior(grid)[...] = x.transpose(1, 0, 2, 3)
    if layout.flat and layout.kernel == (1, 1):  # 1x1: the padded buffer is the matrix
        return flat
    view = layout.window_view(flat)
    cols = scratch("cols", view.shape, x.dtype)
    cols[...] = view
    c, kh, kw = view.shape[:3]
    return cols.reshape(c * kh * kw, layout.positions)


def col2im(cols, layout):
    """The adjoint of im2col: (C*kh*kw, columns) -> (N, C, H, W), a fresh array."""
    flat, grid = layout.buffer(cols.dtype)
    (kh, kw), (dh, dw), (sh, sw) = layout.kernel, layout.dilation, layout.stride
    wp = layout.padded[1]
    blocks = cols.reshape(-1, kh, kw, *layout.columns)
    if layout.flat:  # one contiguous run per channel and kernel offset
        span = layout.positions
        blocks = blocks.reshape(-1, kh, kw, span)
        for i in range(kh):
            for j in range(kw):
                start = i * dh * wp + j * dw
                flat[:, start : start + span] += blocks[:, i, j]
    else:
        oh, ow = layout.out_hw
        for i in range(kh):
            for j in range(kw):
                rows = slice(i * dh, i * dh + sh * (oh - 1) + 1, sh)
                columns = slice(j * dw, j * dw + sw * (ow - 1) + 1, sw)
                grid[:, :, rows, columns] += blocks[:, i, j]
    image = xp.empty(layout.shape, cols.dtype)  # never return the scratch buffer
    image[...] = layout.interior(grid).transpose(1, 0, 2, 3)
    return image


def _output_view(rows, layout):
    """(O, columns) -> the (N, O, oh, ow) view of its output positions."""
    oh, ow = layout.out_hw
    grid = rows.reshape(rows.shape[0], *layout.columns)[:, :, :oh, :ow]
    return grid.transpose(1, 0, 2, 3)


def _gradient_rows(g, layout):
    """(N, O, oh, ow) -> (O, columns) scratch, zero on the extra columns."""
    n, o, oh, ow = g.shape
    rows = scratch("rows", (o, *layout.columns), g.dtype, zero=layout.flat)
    rows[:, :, :oh, :ow] = g.transpose(1, 0, 2, 3)
    return rows.reshape(o, -1)


def _grouped(matrix, groups):
    """(R, P) -> (groups, R/groups, P): the rows of each group (a view)."""
    return matrix.reshape(groups, matrix.shape[0] // groups, matrix.shape[1])


def forward(x, w, bias, kernel, dilation, pads, stride, groups):
    """conv2d of x (N, C, H, W) with w (O, C/groups, kh, kw), plus bias (O,) or None."""
    layout = Layout(x.shape, kernel, dilation, pads, stride, flat=True)
    cols = im2col(x, layout)
    o = w.shape[0]
    rows = scratch("rows", (o, cols.shape[1]), x.dtype)
    if groups == 1:
        xp.matmul(w.reshape(o, -1), cols, out=rows)
    else:
        xp.matmul(
            w.reshape(groups, o // groups, -1), _grouped(cols, groups), out=_grouped(rows, groups)
        )
    out = xp.empty((x.shape[0], o, *layout.out_hw), x.dtype)
    view = _output_view(rows, layout)
    if bias is None:
        out[...] = view
    else:
        xp.add(view, bias.reshape(o, 1, 1), out=out)
    return out


def _all_finite(array) -> bool:
    """One fast reduction: a sum is finite only if every term is (overflow errs safe)."""
    with xp.errstate(over="ignore", invalid="ignore"):
        return bool(xp.isfinite(array.sum()))


def backward(x, w, g, kernel, dilation, pads, stride, groups, need_input, need_weight):
    """(d loss/dx or None, d loss/dw or None) for the gradient g of conv2d(x, w).

    d/dx = col2im(W^T @ g); d/dw = g @ im2col(x)^T, summed over the batch. The flat layout
    needs w finite (for d/dx) and x finite (for d/dw): see the module notes."""
    flat_input, flat_weight = need_input and _all_finite(w), need_weight and _all_finite(x)
    grad_x = grad_w = g_rows = None
    if need_input:
        layout = Layout(x.shape, kernel, dilation, pads, stride, flat=flat_input)
        g_rows = _gradient_rows(g, layout)
        grad_x = _input_grad(w, g_rows, layout, groups)
    if need_weight:
        layout = Layout(x.shape, kernel, dilation, pads, stride, flat=flat_weight)
        if g_rows is None or flat_input != flat_weight:  # else still in its scratch buffer
            g_rows = _gradient_rows(g, layout)
        grad_w = _weight_grad(x, g_rows, w.shape, layout, groups)
    return grad_x, grad_w


def _input_grad(w, g_rows, layout, groups):
    o = w.shape[0]
    cols = scratch("cols", (w.size // o * groups, g_rows.shape[1]), w.dtype)
    if groups == 1:
        xp.matmul(w.reshape(o, -1).T, g_rows, out=cols)
    else:
        w_rows = w.reshape(groups, o // groups, -1).transpose(0, 2, 1)
        xp.matmul(w_rows, _grouped(g_rows, groups), out=_grouped(cols, groups))
    return col2im(cols, layout)


def _weight_grad(x, g_rows, w_shape, layout, groups):
    cols = im2col(x, layout)
    # (cols @ g^T)^T: OpenBLAS runs this long-K product ~1.4x faster with the longer
    # operand first; the transpose copies only the small (O, K) result
    if groups == 1:
        grad = xp.matmul(cols, g_rows.T).T
    else:
        grad = xp.matmul(_grouped(cols, groups), _grouped(g_rows, groups).transpose(0, 2, 1))
        grad = grad.transpose(0, 2, 1)
    return xp.ascontiguousarray(grad).reshape(w_shape)
