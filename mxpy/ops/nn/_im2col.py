"""Shared machinery for Convolution, Deconvolution and Pooling.

Convolution is im2col + one batched GEMM: a strided window view of the padded
input is copied once into a ``(groups, C/g * prod(kernel), N * prod(out))``
column buffer and multiplied by the weight. Its data gradient is the
transposed GEMM followed by col2im, which adds one strided slice per kernel
offset (a loop over ``prod(kernel)`` vectorised adds, never over pixels).
Deconvolution reuses the same three GEMM helpers with the roles swapped.
"""

from __future__ import annotations

import math
import threading

import numpy as np

from ...registry import Param, ShapeError

_CHANNEL_LAST = {"NWC": 3, "NHWC": 4, "NDHWC": 5}
_CHANNEL_FIRST = {"NCW": 3, "NCHW": 4, "NCDHW": 5}


def layout_param(choices) -> Param:
    # "None" is accepted as a string too: gradient nodes get every param formatted as text
    return Param("str", None, "data layout; None means channels first (NCW/NCHW/NCDHW)", choices=(*choices, "None"))


def geometry(op: str, p, ndim: int | None = None, names=("stride", "dilate", "pad")) -> dict:
    """Kernel, stride, dilate and pad tuples with MXNet's defaults, validated."""
    kernel = tuple(p.kernel)
    nk = len(kernel)
    if ndim is not None and nk != ndim:
        raise ShapeError(f"kernel {kernel} has {nk} dims but data has {ndim} spatial dims (data ndim {ndim + 2})")
    if nk not in (1, 2, 3):
        raise ShapeError(f"kernel must have 1, 2 or 3 dims, given {kernel} ({nk}D {op.lower()} not supported)")
    if any(k <= 0 for k in kernel):
        raise ShapeError(f"kernel must be positive in every dim, given {kernel}")
    out = {"kernel": kernel}
    for name in names:
        val = tuple(getattr(p, name))
        default = 0 if name in ("pad", "adj") else 1
        if not val:
            val = (default,) * nk
        if len(val) != nk:
            raise ShapeError(f"{name} must have the same number of dims as kernel {kernel}, given {name}={val}")
        if default == 1 and any(v <= 0 for v in val):
            raise ShapeError(f"{name} must be positive in every dim, given {name}={val}")
        if default == 0 and any(v < 0 for v in val):
            raise ShapeError(f"{name} must be non-negative, given {name}={val}")
        out[name] = val
    if "dilate" not in out:
        out["dilate"] = (1,) * nk
    return out


def check_layout(p, shape: tuple | None) -> None:
    layout = p.layout
    if layout in (None, "None") or shape is None:
        return
    want = _CHANNEL_LAST.get(layout) or _CHANNEL_FIRST.get(layout)
    if len(shape) != want:
        raise ShapeError(f"layout {layout} needs {want}-D data, given shape {shape}")


def channel_last(p) -> bool:
    return p.layout in _CHANNEL_LAST


def to_first(shape: tuple | None, last: bool) -> tuple | None:
    """A channel-last shape in channel-first order (N, C, spatial...)."""
    if shape is None or not last:
        return shape
    return (shape[0], shape[-1], *shape[1:-1])


def to_last(shape: tuple | None, last: bool) -> tuple | None:
    if shape is None or not last:
        return shape
    return (shape[0], *shape[2:], shape[1])


def first_view(xp, a, last: bool):
    """Array ``a`` as channel-first (a view)."""
    return xp.moveaxis(a, -1, 1) if last else a


def float_types(op: str):
    """infer_type rule: every input and the output share one floating dtype."""

    def rule(p, in_types, n_out=1):
        known = next((t for t in in_types if t is not None), None)
        if known is not None and np.dtype(known).kind != "f":
            raise ShapeError(f"only floating point types are supported, given {np.dtype(known).name}")
        for i, t in enumerate(in_types):
            if t is not None and np.dtype(t) != np.dtype(known):
                raise ShapeError(f"input {i} has dtype {np.dtype(t).name}, expected {np.dtype(known).name}", slot=i)
        return [known] * len(in_types), [known] * n_out

    rule.__name__ = f"{op}_types"
    return rule


def conv_out_len(n: int, k: int, s: int, d: int, pad: int) -> int:
    dk = d * (k - 1) + 1
    if dk > n + 2 * pad:
        raise ShapeError(f"dilated kernel size {dk} exceeds padded input size {n + 2 * pad} (input {n}, pad {pad})")
    return (n + 2 * pad - dk) // s + 1


def _pad(xp, x, pad, value=0.0, extra=None):
    """``x`` padded by ``pad`` on both sides of each spatial axis (plus ``extra`` at the end)."""
    extra = extra or (0,) * len(pad)
    if not any(pad) and not any(extra):
        return x
    shape = x.shape[:2] + tuple(s + 2 * q + e for s, q, e in zip(x.shape[2:], pad, extra))
    if not value:
        buf = xp.zeros(shape, dtype=x.dtype)  # fresh zero pages: the fill costs nothing
    else:
        # only the border gets ``value``: filling everything first would write the array twice
        buf = xp.empty(shape, dtype=x.dtype)
        for ax, (q, n, e) in enumerate(zip(pad, x.shape[2:], extra)):
            lead = (slice(None),) * (2 + ax)
            if q:
                buf[lead + (slice(0, q),)] = value
            if q + e:
                buf[lead + (slice(q + n, None),)] = value
    buf[(slice(None), slice(None)) + tuple(slice(q, q + s) for q, s in zip(pad, x.shape[2:]))] = x
    return buf


def offset_slices(offset, stride, dilate, out_sp):
    """Index of the padded-input elements that kernel offset ``offset`` touches, per output."""
    return (slice(None), slice(None)) + tuple(slice(k * d, k * d + s * (o - 1) + 1, s) for k, s, d, o in zip(offset, stride, dilate, out_sp))


def im2col(xp, x, groups: int, geo: dict, out_sp: tuple):
    """Columns ``(groups, C/g * prod(kernel), N * prod(out_sp))`` of a channel-first input.

    The result lives in a per-thread :func:`workspace`: use it within the calling kernel only.
    """
    kernel, stride, dilate, pad = geo["kernel"], geo["stride"], geo["dilate"], geo["pad"]
    xp_ = _pad(xp, x, pad)
    if not xp_.flags.c_contiguous:
        xp_ = xp.ascontiguousarray(xp_)
    n, c = xp_.shape[:2]
    nd = len(kernel)
    st = xp_.strides
    view = xp.lib.stride_tricks.as_strided(
        xp_,
        shape=(n, groups, c // groups, *out_sp, *kernel),
        strides=(st[0], st[1] * (c // groups), st[1], *(st[2 + i] * stride[i] for i in range(nd)), *(st[2 + i] * dilate[i] for i in range(nd))),
    )
    # order (g, c, k..., n, o...): the GEMM contracts (c, k) and keeps (n, o) as columns
    perm = (1, 2, *range(3 + nd, 3 + 2 * nd), 0, *range(3, 3 + nd))
    cols = workspace(xp, tuple(view.shape[i] for i in perm), x.dtype, "im2col")
    cols[...] = view.transpose(perm)
    return cols.reshape(groups, (c // groups) * math.prod(kernel), n * math.prod(out_sp))


def col2im(xp, cols, shape: tuple, groups: int, geo: dict, out_sp: tuple):
    """Sum columns ``(groups, C/g * prod(kernel), N * prod(out_sp))`` back into a channel-first ``shape`` array.

    Returns a (possibly transposed) view; callers copy it into their output once.
    """
    kernel, stride, dilate, pad = geo["kernel"], geo["stride"], geo["dilate"], geo["pad"]
    n, c = shape[:2]
    # accumulate channel-major (C, N, ...) so every add reads the columns contiguously
    buf = xp.zeros((c, n) + tuple(s + 2 * q for s, q in zip(shape[2:], pad)), dtype=cols.dtype)
    c6 = cols.reshape(groups, c // groups, math.prod(kernel), n, *out_sp)
    for ki, offset in enumerate(np.ndindex(*kernel)):
        buf[offset_slices(offset, stride, dilate, out_sp)] += c6[:, :, ki].reshape(c, n, *out_sp)
    if any(pad):
        buf = buf[(slice(None), slice(None)) + tuple(slice(q, q + s) for q, s in zip(pad, shape[2:]))]
    return xp.moveaxis(buf, 0, 1)


def grouped_weight(w, groups: int):
    """Weight ``(F, C/g, k...)`` as ``(g, F/g, C/g * prod(k))``."""
    return w.reshape(groups, w.shape[0] // groups, -1)


def gemm_out(xp, w, cols, groups: int, n: int, out_sp: tuple):
    """``W @ cols`` per group, returned channel first ``(N, F, out_sp...)`` (a transposed view)."""
    res = xp.matmul(grouped_weight(w, groups), cols)  # (g, F/g, N*P)
    f = w.shape[0]
    return xp.moveaxis(res.reshape(f, n, *out_sp), 0, 1)


def grad_cols(xp, w, dy, groups: int):
    """``W.T @ dy`` per group: the column gradient for col2im."""
    f = w.shape[0]
    dyg = xp.ascontiguousarray(xp.moveaxis(dy, 1, 0)).reshape(groups, f // groups, -1)  # (g, F/g, N*P)
    return xp.matmul(grouped_weight(w, groups).transpose(0, 2, 1), dyg)


def grad_weight(xp, dy, cols, groups: int, wshape: tuple):
    """``dy @ cols.T`` per group, shaped like the weight."""
    f = dy.shape[1]
    dyg = xp.ascontiguousarray(xp.moveaxis(dy, 1, 0)).reshape(groups, f // groups, -1)
    return xp.matmul(dyg, cols.transpose(0, 2, 1)).reshape(wshape)


def store_into(out, req: str, value) -> None:
    if req == "add":
        out += value
    elif req != "null":
        out[...] = value


# --------------------------------------------------------------------------
# batch-last layout (used by Convolution's backward)
#
# With the batch as the innermost axis, every kernel offset's slab of the
# columns is a block whose inner run is ``out_w * N`` contiguous elements (or
# ``N`` with a stride), instead of ``out_w`` (often 8-24) in the batch-first
# layout; numpy's copies and in-place adds then run at memory speed, which
# makes col2im ~5x faster for LeNet-sized layers.
# --------------------------------------------------------------------------


_WORKSPACE = threading.local()
_WORKSPACE_SLOTS = 8


def workspace(xp, shape: tuple, dtype, tag: str):
    """A reusable scratch array (like MXNet's temp workspace), one per thread, tag, shape and dtype.

    Column buffers are several MB; a fresh ``np.empty`` of that size is a new mmap whose first
    write page-faults every page, which costs as much as the copy itself. The contents are
    garbage; the caller overwrites them and must not keep the array past its kernel.
    """
    cache = getattr(_WORKSPACE, "arrays", None)
    if cache is None:
        cache = _WORKSPACE.arrays = {}
    key = (xp.__name__, tag, tuple(shape), np.dtype(dtype).str)
    buf = cache.get(key)
    if buf is None:
        if len(cache) >= _WORKSPACE_SLOTS:  # bounded: drop the oldest entry
            cache.pop(next(iter(cache)))
        buf = cache[key] = xp.empty(shape, dtype=dtype)
    return buf


def batch_last(xp, a):
    """Channel-first ``(N, C, sp...)`` as a contiguous ``(C, sp..., N)`` copy."""
    return xp.ascontiguousarray(xp.moveaxis(a, 0, -1))


def im2col_nlast(xp, xt, groups: int, geo: dict, out_sp: tuple):
    """Columns ``(groups, prod(kernel) * C/g, prod(out_sp) * N)`` of batch-last ``xt`` ``(C, sp..., N)``.

    Rows are ordered (kernel offset, channel), columns (output position, batch). Like
    :func:`im2col`, the result is a per-thread :func:`workspace`.
    """
    kernel, stride, dilate, pad = geo["kernel"], geo["stride"], geo["dilate"], geo["pad"]
    nd = len(kernel)
    if any(pad):
        buf = xp.zeros((xt.shape[0], *(s + 2 * q for s, q in zip(xt.shape[1:-1], pad)), xt.shape[-1]), dtype=xt.dtype)
        buf[(slice(None), *(slice(q, q + s) for q, s in zip(pad, xt.shape[1:-1])), slice(None))] = xt
        xt = buf
    c, n = xt.shape[0], xt.shape[-1]
    cg = c // groups
    st = xt.strides
    view = xp.lib.stride_tricks.as_strided(
        xt,
        shape=(groups, *kernel, cg, *out_sp, n),
        strides=(st[0] * cg, *(st[1 + i] * dilate[i] for i in range(nd)), st[0], *(st[1 + i] * stride[i] for i in range(nd)), st[-1]),
    )
    cols = workspace(xp, view.shape, xt.dtype, "im2col_nlast")
    cols[...] = view
    return cols.reshape(groups, math.prod(kernel) * cg, math.prod(out_sp) * n)


def col2im_nlast(xp, cols, shape: tuple, groups: int, geo: dict, out_sp: tuple):
    """Sum batch-last columns (layout of :func:`im2col_nlast`) into a channel-first ``shape`` array.

    Returns a view of a per-thread :func:`workspace`; callers copy it into their output at once.
    """
    kernel, stride, dilate, pad = geo["kernel"], geo["stride"], geo["dilate"], geo["pad"]
    n, c = shape[:2]
    cg = c // groups
    buf = workspace(xp, (groups, cg, *(s + 2 * q for s, q in zip(shape[2:], pad)), n), cols.dtype, "col2im_nlast")
    buf.fill(0)
    ck = cols.reshape(groups, math.prod(kernel), cg, *out_sp, n)
    for ki, offset in enumerate(np.ndindex(*kernel)):
        sl = tuple(slice(k * d, k * d + s * (o - 1) + 1, s) for k, s, d, o in zip(offset, stride, dilate, out_sp))
        buf[(slice(None), slice(None), *sl, slice(None))] += ck[:, ki]
    buf = buf.reshape(c, *buf.shape[2:])
    if any(pad):
        buf = buf[(slice(None), *(slice(q, q + s) for q, s in zip(pad, shape[2:])), slice(None))]
    return xp.moveaxis(buf, -1, 0)


def weight_kc(xp, w, groups: int):
    """Weight ``(F, C/g, k...)`` as ``(g, F/g, prod(k) * C/g)`` with (kernel offset, channel) order."""
    f, cg = w.shape[:2]
    return xp.ascontiguousarray(xp.moveaxis(w, 1, -1)).reshape(groups, f // groups, -1)


def weight_from_kc(wkc, wshape: tuple):
    """Inverse of :func:`weight_kc`: ``(g, F/g, prod(k) * C/g)`` back to a ``wshape`` (transposed) view."""
    f, cg, *kernel = wshape
    return wkc.reshape(f, *kernel, cg).transpose(0, len(wshape) - 1, *range(1, len(wshape) - 1))


def gemm_out_nfirst(xp, w, cols, groups: int, n: int, out_sp: tuple, out=None):
    """``W @ cols`` with the batch as the leading matmul dim: a contiguous ``(N, F, out_sp...)`` result.

    ``cols`` is :func:`im2col`'s ``(groups, C/g * prod(k), N * prod(out_sp))``; each batch item is one
    GEMM writing its own contiguous ``(F, P)`` block, so no transposed copy of the output is needed.
    Writes into ``out`` when given (a C-contiguous array of that shape).
    """
    f, p = w.shape[0], math.prod(out_sp)
    c4 = cols.reshape(groups, -1, n, p).transpose(2, 0, 1, 3)  # (N, g, C/g*K, P)
    dst = out.reshape(n, groups, f // groups, p) if out is not None else None
    res = xp.matmul(grouped_weight(w, groups), c4, out=dst)
    return res.reshape(n, f, *out_sp) if out is None else out


def conv_nlast(xp, x, w, geo: dict, out_sp: tuple):
    """Ungrouped convolution as one GEMM over batch-last columns; returns a ``(N, F, out_sp...)`` view.

    The batch-last column copy streams ``N`` contiguous elements per run instead of
    ``out_w``, and the single ``(N*P, C*K) @ (C*K, F)`` GEMM is large enough for BLAS
    to run at speed and to use its threads (one GEMM per batch item does not).
    What it costs is a transposed read of the result, which pays off once the
    GEMM's inner size ``C*K`` is large (see Convolution's forward).
    """
    n, f, nd = x.shape[0], w.shape[0], len(out_sp)
    cols = im2col_nlast(xp, batch_last(xp, x), 1, geo, out_sp)[0]  # (K*C, P*N)
    res = xp.matmul(cols.T, weight_kc(xp, w, 1)[0].T)  # (P*N, F)
    return res.reshape(*out_sp, n, f).transpose(nd, nd + 1, *range(nd))
