"""Pooling (max/avg/sum/lp; valid/full/same; global; 1-D/2-D/3-D).

Windows are visited one kernel offset at a time: each offset is a strided
slice of the padded input shaped like the output, so a 3x3 pool is nine
vectorised maximum/add calls. Max backward recomputes the argmax the same way
(the first maximum in row-major window order wins a tie, as in MXNet).
"""

from __future__ import annotations

import math

import numpy as np

from ...registry import OpDef, Param, ShapeError, dimwise, register
from .._split import SplitSpec
from . import _compiled
from . import _im2col as im

# 2-D max pooling uses the compiled kernels of _pool_numba when Numba is there
# (tests turn this off to check the NumPy path that stays the fallback)
_COMPILED = True


def _compiled_max(xp, p, x):
    """The compiled max-pool kernels when they can run this channel-first ``x``, else None."""
    if not _COMPILED or p.pool_type != "max" or p.global_pool or xp is not np or x.ndim != 4 or x.dtype not in (np.float32, np.float64):
        return None
    return _compiled.load("pool")


def _planes(x):
    """Channel-first ``(N, C, H, W)`` as contiguous ``(N*C, H, W)`` planes."""
    return np.ascontiguousarray(x).reshape(-1, *x.shape[2:])


def _geo8(geo) -> tuple:
    return (*geo["kernel"], *geo["stride"], *geo["dilate"], *geo["pad"])


POOL_PARAMS = {
    "kernel": Param("shape", (), doc="pooling window: (w,), (h, w) or (d, h, w); ignored by global_pool"),
    "pool_type": Param("str", "max", doc="reduction over each window", choices=("avg", "lp", "max", "sum")),
    "global_pool": Param("bool", False, doc="pool over the whole spatial extent (kernel, stride, pad ignored)"),
    "cudnn_off": Param("bool", False, doc="turn off cuDNN (accepted, unused)"),
    "pooling_convention": Param("str", "valid", doc="output size rule: floor (valid), ceil (full) or ceil(x/stride) (same)", choices=("full", "same", "valid")),
    "stride": Param("shape", (), doc="stride per spatial dim (default 1)"),
    "pad": Param("shape", (), doc="implicit padding per spatial dim (default 0)"),
    "p_value": Param("int", None, doc="p of lp pooling: 1, 2 or 3"),
    # kind "any" (checked by _include_pad): the bool kind cannot read back the "None" that gradient nodes get
    "count_include_pad": Param("any", None, doc="avg: count padded cells in the divisor (default True)"),
    "layout": im.layout_param(("NCW", "NCHW", "NCDHW", "NWC", "NHWC", "NDHWC")),
}


_BOOLS = {
    None: True,
    "None": True,
    True: True,
    False: False,
    "True": True,
    "False": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
}


def _include_pad(p) -> bool:
    try:
        return _BOOLS[p.count_include_pad]
    except (KeyError, TypeError):
        raise ShapeError(f"count_include_pad must be a boolean or None, given {p.count_include_pad!r}") from None


def _check_kernel_param(p):
    if p.global_pool:
        return
    for name in ("kernel", "stride"):
        v = tuple(getattr(p, name))
        if any(k == 0 for k in v):
            raise ShapeError(f"{name}={v} is invalid: it must be non-zero in every dim")


def pool_geometry(p, data: tuple):
    """Kernel, stride, pad (before), extra pad at the end, and output spatial shape, channel-first."""
    nsp = len(data) - 2
    if nsp not in (1, 2, 3):
        raise ShapeError(f"data must be 3-D, 4-D or 5-D (batch, channel, spatial...), given shape {data}")
    if p.pool_type == "lp" and p.p_value not in (1, 2, 3):
        raise ShapeError(f"pool_type='lp' needs p_value in (1, 2, 3), given p_value={p.p_value}")
    sp = data[2:]
    if p.global_pool:
        return {"kernel": tuple(sp), "stride": (1,) * nsp, "dilate": (1,) * nsp, "pad": (0,) * nsp}, (0,) * nsp, (1,) * nsp
    _check_kernel_param(p)
    if not p.kernel:
        raise ShapeError(f"kernel must be given unless global_pool=True ({nsp}-D data {data})")
    if p.pooling_convention == "same":
        # 'same' computes its own padding; MXNet reads pad as 3 zeros here whatever the kernel's dims
        if any(tuple(p.pad)):
            raise ShapeError(f"pooling_convention='same' does not use pad, given pad={tuple(p.pad)}")
        geo = im.geometry("Pooling", p, ndim=nsp, names=("stride",))
        geo["pad"] = (0,) * nsp
    else:
        geo = im.geometry("Pooling", p, ndim=nsp, names=("stride", "pad"))
    k, s, pad = geo["kernel"], geo["stride"], geo["pad"]
    out, extra = [], []
    for n, kk, ss, q in zip(sp, k, s, pad):
        if q >= kk:
            raise ShapeError(f"pad={pad} must be smaller than kernel={k} in every dim")
        if kk > n + 2 * q:
            raise ShapeError(f"kernel size {kk} exceeds input ({n} padded to {n + 2 * q})")
        if p.pooling_convention == "valid":
            o = (n + 2 * q - kk) // ss + 1
        elif p.pooling_convention == "full":
            o = -(-(n + 2 * q - kk) // ss) + 1
        else:
            o = -(-n // ss)
        out.append(o)
        # windows past the padded end (full/same) read extra cells at the end
        extra.append(max((o - 1) * ss + kk - (n + 2 * q), 0))
    # 'same' (MXNet 1.9.1's CPU kernel) starts window i at i * stride with no padding before:
    # the windows that run past the end are clipped there (avg divides by the clipped size)
    return geo, tuple(extra), tuple(out)


def _infer_shape(p, in_shapes):
    data = in_shapes[0]
    im.check_layout(p, data)
    _check_kernel_param(p)
    _include_pad(p)
    if data is None:
        return list(in_shapes), [None]
    last = im.channel_last(p)
    d = im.to_first(data, last)
    _, _, out_sp = pool_geometry(p, d)
    return list(in_shapes), [im.to_last((d[0], d[1], *out_sp), last)]


def _padded(xp, x, geo, extra, fill):
    pad = geo["pad"]
    if not any(pad) and not any(extra):
        return x
    return im._pad(xp, x, pad, fill, extra)


def _divisor(xp, sp, geo, out_sp, include_pad, dtype):
    """Per-output-cell window size for avg pooling (MXNet clips windows at the padded end)."""
    total = None
    for i, (n, k, s, q, o) in enumerate(zip(sp, geo["kernel"], geo["stride"], geo["pad"], out_sp)):
        start = np.arange(o) * s - q
        end = np.minimum(start + k, n + q)
        if not include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        size = (end - start).reshape((-1,) + (1,) * (len(sp) - 1 - i))
        total = size if total is None else total * size
    return xp.asarray(total.astype(dtype))


def _pool(xp, p, x, geo, extra, out_sp):
    """Forward value of the pooling of channel-first ``x``."""
    kind = p.pool_type
    axes = tuple(range(2, x.ndim))
    if p.global_pool:
        if kind == "max":
            return x.max(axis=axes, keepdims=True)
        if kind == "avg":
            return x.mean(axis=axes, keepdims=True, dtype=x.dtype)
        if kind == "sum":
            return x.sum(axis=axes, keepdims=True)
    fill = np.finfo(x.dtype).min if kind == "max" else 0
    xpd = _padded(xp, x, geo, extra, fill)
    if kind == "max":
        return _separable_max(xp, xpd, geo, out_sp)
    acc = None
    p_val = p.p_value if kind == "lp" else 1
    for offset in np.ndindex(*geo["kernel"]):
        part = xpd[im.offset_slices(offset, geo["stride"], geo["dilate"], out_sp)]
        if acc is None:
            acc = part.copy() if p_val == 1 else part**p_val
        elif kind == "max":
            xp.maximum(acc, part, out=acc)
        else:
            acc += part if p_val == 1 else part**p_val
    if kind == "avg":
        include = _include_pad(p)
        acc /= _divisor(xp, x.shape[2:], geo, out_sp, include, x.dtype)
    elif kind == "lp" and p_val == 2:
        xp.sqrt(acc, out=acc)
    elif kind == "lp" and p_val == 3:
        xp.cbrt(acc, out=acc)
    return acc


def _separable_max(xp, xpd, geo, out_sp):
    """Max over each window of the padded ``xpd``, one spatial axis at a time.

    A k x k max is a max over k rows of maxima over k columns: ``2(k-1)`` strided
    ``maximum`` calls instead of ``k*k - 1`` plus a copy, and exact (max is
    associative; NaN propagates as before). ResNet's 3x3 stride-2 pool on
    8x64x112x112: 178 -> 93 ms (min of 6 interleaved calls on the busy box), bit-identical.
    """
    cur = xpd
    nd = len(out_sp)
    for ax in range(nd):
        k, s, d, o = geo["kernel"][ax], geo["stride"][ax], geo["dilate"][ax], out_sp[ax]
        lead = (slice(None),) * (2 + ax)

        def tap(off, cur=cur, lead=lead, s=s, d=d, o=o):
            return cur[lead + (slice(off * d, off * d + s * (o - 1) + 1, s),)]

        shape = cur.shape[: 2 + ax] + (o,) + cur.shape[3 + ax :]
        acc = xp.empty(shape, dtype=cur.dtype) if ax == nd - 1 else im.workspace(xp, shape, cur.dtype, f"maxpool{ax}")
        if k == 1:
            acc[...] = tap(0)
        else:
            xp.maximum(tap(0), tap(1), out=acc)
            for off in range(2, k):
                xp.maximum(acc, tap(off), out=acc)
        cur = acc
    return cur


def _forward(p, ins, outs, req, rt):
    xp = rt.xp
    last = im.channel_last(p)
    x = im.first_view(xp, ins[0], last)
    geo, extra, out_sp = pool_geometry(p, x.shape)
    kernels = _compiled_max(xp, p, x)
    if kernels is not None:
        # one pass per plane in cache (ResNet's 3x3 stride-2 pool: forward 1.6x, gradient 3.5x faster, bench/RESULTS.md)
        out = _direct_out(im.first_view(xp, outs[0], last), req[0], x)
        res = np.empty((*x.shape[:2], *out_sp), dtype=x.dtype) if out is None else out
        kernels.forward_max(_planes(x), res.reshape(-1, *out_sp), _geo8(geo))
        if out is not None:
            return
    else:
        with np.errstate(all="ignore"):
            res = _pool(xp, p, x, geo, extra, out_sp)
    im.store_into(im.first_view(xp, outs[0], last), req[0], res)


def _direct_out(out, req: str, *ins):
    """``out`` when a compiled kernel may write it directly (saving the result's copy), else None."""
    if req not in ("write", "inplace") or not out.flags.c_contiguous or out.dtype != ins[0].dtype:
        return None
    return None if any(np.may_share_memory(out, a) for a in ins) else out


def _backward(p, ins, outs, req, rt):
    if req[0] == "null":
        return
    xp = rt.xp
    last = im.channel_last(p)
    dy, x, y = (im.first_view(xp, a, last) for a in ins)
    geo, extra, out_sp = pool_geometry(p, x.shape)
    kernels = _compiled_max(xp, p, x)
    if kernels is not None and dy.dtype == x.dtype == y.dtype:
        out = _direct_out(im.first_view(xp, outs[0], last), req[0], dy, x, y)
        dx = np.empty(x.shape, dtype=x.dtype) if out is None else out
        kernels.backward_max(_planes(dy), _planes(x), _planes(y), dx.reshape(-1, *x.shape[2:]), _geo8(geo))
        if out is not None:
            return
    else:
        with np.errstate(all="ignore"):
            dx = _pool_grad(xp, p, dy, x, y, geo, extra, out_sp)
    im.store_into(im.first_view(xp, outs[0], last), req[0], dx)


def _pool_grad(xp, p, dy, x, y, geo, extra, out_sp):
    kind = p.pool_type
    sp = x.shape[2:]
    if p.global_pool and kind in ("max", "avg", "sum"):
        flat = x.reshape(x.shape[0], x.shape[1], -1)
        if kind == "max":  # first maximum wins, as MXNet
            idx = flat.argmax(axis=-1)[..., None]
            hit = xp.arange(flat.shape[-1]) == idx
            return (hit * dy.reshape(idx.shape)).astype(x.dtype).reshape(x.shape)
        scale = 1.0 / flat.shape[-1] if kind == "avg" else 1.0
        return xp.broadcast_to(dy * x.dtype.type(scale), x.shape)
    fill = np.finfo(x.dtype).min if kind == "max" else 0
    offsets = list(np.ndindex(*geo["kernel"]))
    slices = [im.offset_slices(o, geo["stride"], geo["dilate"], out_sp) for o in offsets]
    if kind == "max" and _disjoint(geo, extra):
        return _max_grad_disjoint(xp, dy, x, y, geo, out_sp, slices)
    if kind == "max" and not bool((y == fill).any()):
        return _max_grad_unpadded(xp, dy, x, y, geo, out_sp)
    xpd = _padded(xp, x, geo, extra, fill)
    dxp = xp.zeros(xpd.shape, dtype=x.dtype)
    if kind == "max":
        # the first cell (row-major in the window) equal to the output takes the gradient, as MXNet;
        # a NaN output matches nothing, so its window gets no gradient (MXNet does the same)
        taken = None
        for sl in slices:
            hit = xpd[sl] == y
            if taken is None:
                taken = hit
            else:
                hit &= ~taken
                taken |= hit
            dxp[sl] += dy * hit
    elif kind in ("avg", "sum"):
        g = dy
        if kind == "avg":
            include = _include_pad(p)
            g = dy / _divisor(xp, sp, geo, out_sp, include, x.dtype)
        for sl in slices:
            dxp[sl] += g
    else:  # lp: d out / d x = (x / out) ** (p - 1)
        pv = p.p_value
        for sl in slices:
            if pv == 1:
                dxp[sl] += dy
            elif pv == 2:
                dxp[sl] += dy * xpd[sl] / y
            else:
                dxp[sl] += dy * xp.square(xpd[sl] / y)
    pad = geo["pad"]
    return dxp[(slice(None), slice(None)) + tuple(slice(q, q + n) for q, n in zip(pad, sp))]


def _disjoint(geo, extra) -> bool:
    """Windows that never overlap and need no padding (e.g. 2x2 stride 2): each input cell has one window."""
    return not any(geo["pad"]) and not any(extra) and all(s >= k for s, k in zip(geo["stride"], geo["kernel"]))


def _max_grad_disjoint(xp, dy, x, y, geo, out_sp, slices):
    """Max-pool gradient when windows are disjoint: every offset's slice of dx is written exactly once.

    No padded copy, no zero-fill when the windows tile the input, and no read-modify-write adds; the
    first maximum in row-major window order takes the gradient (``hit > taken`` is ``hit & ~taken``).
    """
    covered = all(s == k and o * s == n for s, k, o, n in zip(geo["stride"], geo["kernel"], out_sp, x.shape[2:]))
    dx = xp.empty(x.shape, dtype=x.dtype) if covered else xp.zeros(x.shape, dtype=x.dtype)
    taken = None
    for sl in slices:
        hit = xp.equal(x[sl], y)
        if taken is None:
            taken = hit
        else:
            xp.greater(hit, taken, out=hit)
            taken |= hit
        xp.multiply(dy, hit, out=dx[sl])
    return dx


def _max_grad_unpadded(xp, dy, x, y, geo, out_sp):
    """Max-pool gradient for overlapping or padded windows, without padded copies of ``x`` and ``dx``.

    Each kernel offset reads the part of ``x`` its windows cover inside the
    input: for offset ``k`` on an axis, output ``j`` reads input ``j*s + k*d - pad``,
    so only the outputs whose cell lies in ``[0, n)`` take part. A padding cell
    holds the lowest float and can only take a gradient when an output equals
    it, which the caller rules out; so this is the padded computation's result
    (the first maximum in row-major window order wins) with two fewer full
    passes over the input and in-place masks instead of temporaries.
    """
    sp = x.shape[2:]
    dx = xp.zeros(x.shape, dtype=x.dtype)
    taken = xp.zeros(y.shape, dtype=bool)
    hit_buf = xp.empty(y.shape, dtype=bool)
    tmp_buf = xp.empty(y.shape, dtype=x.dtype)
    for offset in np.ndindex(*geo["kernel"]):
        xs, ys = [slice(None), slice(None)], [slice(None), slice(None)]
        for k, s, d, q, n, o in zip(offset, geo["stride"], geo["dilate"], geo["pad"], sp, out_sp):
            first = k * d - q  # input cell of output 0
            lo = max(0, -(first // s)) if first < 0 else 0
            hi = min(o, (n - 1 - first) // s + 1) if n - 1 >= first else 0
            if hi <= lo:
                break
            xs.append(slice(lo * s + first, (hi - 1) * s + first + 1, s))
            ys.append(slice(lo, hi))
        else:
            xs, ys = tuple(xs), tuple(ys)
            hit = hit_buf[ys]
            xp.equal(x[xs], y[ys], out=hit)
            xp.greater(hit, taken[ys], out=hit)  # hit and not yet taken
            taken[ys] |= hit
            tmp = tmp_buf[ys]
            xp.multiply(dy[ys], hit, out=tmp)
            dx[xs] += tmp
    return dx


def _gradient(g, ograds):
    return g.op("_backward_Pooling", [ograds[0], g.inputs[0], g.outputs[0]], g.attrs)


def _cost(p, ins, outs):
    k = math.prod(ins[0].shape[2:]) if p.global_pool else math.prod(p.kernel)
    return int(outs[0].size) * int(k)


register(
    OpDef(
        "Pooling",
        _forward,
        params=POOL_PARAMS,
        infer_shape=dimwise(_infer_shape),
        infer_type=im.float_types("Pooling"),
        gradient=_gradient,
        cost=_cost,
        split=SplitSpec(split_ins=(0,), split_outs=(0,), summed_outs=(), cost=_cost, unit="elements"),
        doc=(
            "Max, average, sum or Lp pooling over the spatial dims of channel-first data.\n\n"
            ">>> import mxpy as mx\n"
            ">>> mx.nd.Pooling(mx.nd.arange(16).reshape((1, 1, 4, 4)), kernel=(2, 2), stride=(2, 2)).asnumpy().ravel().tolist()\n"
            "[5.0, 7.0, 13.0, 15.0]"
        ),
    )
)


def _backward_cost(p, ins, outs):
    return 2 * int(ins[1].size)


def _bwd_shape(p, in_shapes):
    return list(in_shapes), [in_shapes[1]]


register(
    OpDef(
        "_backward_Pooling",
        _backward,
        params=POOL_PARAMS,
        inputs=("ograd", "data", "output"),
        outputs=("data",),
        infer_shape=_bwd_shape,
        infer_type=lambda p, t: (list(t), [t[1]]),
        cost=_backward_cost,
        split=SplitSpec(split_ins=(0, 1, 2), split_outs=(0,), summed_outs=(), cost=_backward_cost, unit="elements"),
        doc="Gradient of Pooling with respect to its data.",
    )
)
