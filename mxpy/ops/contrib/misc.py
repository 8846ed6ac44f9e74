"""Small contrib operators: quadratic, gradientmultiplier, arange_like, div_sqrt_dim, index_copy,
index_array, allclose and the interleaved attention matmuls of transformer layers."""

from __future__ import annotations

import numpy as np

from ...registry import Param, ShapeError, fixed_type, forward_shape, same_shape
from .._pair import register_pair


def _doc(summary: str, params: str, example: str) -> str:
    return f"{summary}\n\nParameters: {params}\n\n>>> import mxpy as mx\n{example}"


# -- quadratic / gradientmultiplier / div_sqrt_dim ------------------------------------------------

register_pair(
    "_contrib_quadratic",
    lambda p, xp, x: (p.a * x * x + p.b * x + p.c).astype(x.dtype, copy=False),
    lambda p, xp, og, ins, outs: [og[0] * (2 * p.a * ins[0] + p.b)],
    params={"a": Param("float", 0.0, doc="coefficient of x**2"), "b": Param("float", 0.0, doc="coefficient of x"), "c": Param("float", 0.0, doc="constant")},
    infer_shape=same_shape,
    doc=_doc(
        "a * x**2 + b * x + c, elementwise.",
        "data; a, b, c (float, 0).",
        ">>> mx.nd.contrib.quadratic(mx.nd.array([1, 2]), a=1, c=1).asnumpy().tolist()\n[2.0, 5.0]",
    ),
)
register_pair(
    "_contrib_gradientmultiplier",
    lambda p, xp, x: x.copy(),
    lambda p, xp, og, ins, outs: [og[0] * p.scalar],
    params={"scalar": Param("float", 1.0, doc="factor applied to the gradient"), "is_int": Param("bool", True, doc="accepted (scalar type hint)")},
    infer_shape=same_shape,
    doc=_doc(
        "Identity forward; the backward multiplies the gradient by scalar.",
        "data; scalar (float, 1.0); is_int (bool, True).",
        ">>> mx.nd.contrib.gradientmultiplier(mx.nd.array([1, 2]), scalar=3).asnumpy().tolist()\n[1.0, 2.0]",
    ),
)


def _sqrt_dim(x):
    return float(np.sqrt(x.shape[-1]))


register_pair(
    "_contrib_div_sqrt_dim",
    lambda p, xp, x: (x / x.dtype.type(_sqrt_dim(x))).astype(x.dtype, copy=False),
    lambda p, xp, og, ins, outs: [og[0] / _sqrt_dim(ins[0])],
    infer_shape=same_shape,
    doc=_doc(
        "data / sqrt(size of its last axis) (scaled dot-product attention).",
        "data.",
        ">>> mx.nd.contrib.div_sqrt_dim(mx.nd.ones((1, 4))).asnumpy().tolist()\n[[0.5, 0.5, 0.5, 0.5]]",
    ),
)

# -- arange_like / index_array -----------------------------------------------------------------


def _al_shape(p, data):
    if p.axis is None:
        return data
    ax = p.axis + len(data) if p.axis < 0 else p.axis
    if not 0 <= ax < len(data):
        raise ShapeError(f"axis {p.axis} is out of range for data with {len(data)} dims")
    return (data[ax],)


def _al_forward(p, xp, x):
    shape = _al_shape(p, x.shape)
    n = int(np.prod(shape, dtype=np.int64))
    vals = p.start + p.step * (np.arange(n) // max(p.repeat, 1))
    return xp.asarray(vals.reshape(shape).astype(x.dtype))


register_pair(
    "_contrib_arange_like",
    _al_forward,
    None,
    params={
        "start": Param("float", 0.0, doc="first value"),
        "step": Param("float", 1.0, doc="spacing"),
        "repeat": Param("int", 1, doc="times each value repeats"),
        "ctx": Param("str", "", doc="accepted (the output lives with data)"),
        "axis": Param("int", None, doc="fill along this axis only (None: data's whole shape)"),
    },
    infer_shape=forward_shape(_al_shape),
    doc=_doc(
        "An arange with the shape of data (or of one of its axes).",
        "data; start (0); step (1); repeat (1); ctx (''); axis (None).",
        ">>> mx.nd.contrib.arange_like(mx.nd.zeros((2, 2)), start=1).asnumpy().tolist()\n[[1.0, 2.0], [3.0, 4.0]]",
    ),
)


def _ia_axes(p, ndim):
    axes = range(ndim) if p.axes is None else p.axes
    out = tuple(a + ndim if a < 0 else a for a in axes)
    if any(not 0 <= a < ndim for a in out):
        raise ShapeError(f"axes {p.axes} out of range for data with {ndim} dims")
    return out


def _ia_forward(p, xp, x):
    axes = _ia_axes(p, x.ndim)
    if not axes:  # a 0-d input: no axis to index
        return xp.zeros(x.shape + (0,), np.int64)
    grids = np.indices(x.shape, dtype=np.int64)
    return xp.asarray(np.stack([grids[a] for a in axes], axis=-1))


register_pair(
    "_contrib_index_array",
    _ia_forward,
    None,
    params={"axes": Param("shape", None, doc="the axes whose indices are returned (None: all)")},
    infer_shape=forward_shape(lambda p, d: tuple(d) + (len(_ia_axes(p, len(d))),)),
    infer_type=fixed_type(np.int64),
    doc=_doc(
        "For every element of data, its index along ``axes``: shape data.shape + (len(axes),), int64.",
        "data; axes (shape or None).",
        ">>> mx.nd.contrib.index_array(mx.nd.zeros((2,))).asnumpy().tolist()\n[[0], [1]]",
    ),
)

# -- index_copy -------------------------------------------------------------------------


def _ic_shape(p, s):
    old, idx, new = s
    if old is not None and new is not None and (len(new) != len(old) or new[1:] != old[1:]):
        raise ShapeError(f"new_tensor {new} must match old_tensor {old} except on axis 0")
    if idx is not None and new is not None and (len(idx) != 1 or idx[0] != new[0]):
        raise ShapeError(f"index_vector {idx} must be 1-D with one index per row of new_tensor {new}")
    return list(s), [old]


def _ic_index(idx, n):
    i = idx.astype(np.int64)
    if ((i < 0) | (i >= n)).any():
        raise IndexError(f"index_copy: index_vector holds values outside [0, {n})")
    return i


def _ic_forward(p, xp, old, idx, new):
    out = old.copy()
    out[_ic_index(idx, old.shape[0])] = new
    return out


def _ic_backward(p, xp, og, ins, outs):
    old, idx, _ = ins
    i = _ic_index(idx, old.shape[0])
    d_old = og[0].copy()
    d_old[i] = 0
    return [d_old, None, og[0][i]]


register_pair(
    "_contrib_index_copy",
    _ic_forward,
    _ic_backward,
    inputs=("old_tensor", "index_vector", "new_tensor"),
    infer_shape=_ic_shape,
    infer_type=lambda p, t: ([t[0], t[1] or t[0], t[2] or t[0]], [t[0]]),
    no_grad_inputs=("index_vector",),
    doc=_doc(
        "A copy of old_tensor with the rows named by index_vector replaced by the rows of new_tensor.",
        "old_tensor; index_vector (1-D); new_tensor.",
        ">>> mx.nd.contrib.index_copy(mx.nd.zeros((3,)), mx.nd.array([1]), mx.nd.ones((1,))).asnumpy().tolist()\n[0.0, 1.0, 0.0]",
    ),
)

# -- allclose -----------------------------------------------------------------------------

register_pair(
    "_contrib_allclose",
    lambda p, xp, a, b: xp.asarray(bool(xp.allclose(a, b, rtol=p.rtol, atol=p.atol, equal_nan=p.equal_nan)), np.uint8).reshape(()),
    None,
    params={
        "rtol": Param("float", 1e-5, doc="relative tolerance"),
        "atol": Param("float", 1e-8, doc="absolute tolerance"),
        "equal_nan": Param("bool", True, doc="NaNs in the same place compare equal"),
    },
    inputs=("a", "b"),
    infer_shape=lambda p, s: (list(s), [()]),
    infer_type=fixed_type(np.uint8),
    doc=_doc(
        "1 (uint8, shape ()) when every |a - b| <= atol + rtol * |b| (broadcasting), else 0.",
        "a, b; rtol (1e-5); atol (1e-8); equal_nan (True).",
        ">>> int(mx.nd.contrib.allclose(mx.nd.ones((2,)), mx.nd.ones((2,))).asnumpy())\n1",
    ),
)

# -- interleaved attention matmuls ------------------------------------------------------------

_HEADS = {"heads": Param("int", doc="number of attention heads")}


def _split(x, heads, parts):
    """(L, B, heads * parts * D) -> (B * heads, L, parts, D)."""
    seq, batch, width = x.shape
    d = width // (heads * parts)
    return x.reshape(seq, batch * heads, parts, d).transpose(1, 0, 2, 3)


def _join(x, batch):
    """(B * heads, L, D) -> (L, B, heads * D)."""
    bh, seq, d = x.shape
    return x.transpose(1, 0, 2).reshape(seq, batch, (bh // batch) * d)


def _scale(d):
    return 1.0 / np.sqrt(d)


def _qk_fwd(p, xp, qkv):
    s = _split(qkv, p.heads, 3)
    return (s[:, :, 0] * _scale(s.shape[-1])) @ s[:, :, 1].swapaxes(1, 2)


def _qk_bwd(p, xp, og, ins, outs):
    qkv = ins[0]
    s = _split(qkv, p.heads, 3)
    c = _scale(s.shape[-1])
    g = xp.zeros(s.shape, qkv.dtype)
    g[:, :, 0] = c * (og[0] @ s[:, :, 1])
    g[:, :, 1] = c * (og[0].swapaxes(1, 2) @ s[:, :, 0])
    return [g.transpose(1, 0, 2, 3).reshape(qkv.shape)]


def _width_check(name, shape, heads, parts):
    if len(shape) != 3 or shape[2] % (heads * parts):
        raise ShapeError(f"{name} must be (seq, batch, heads * {parts} * head_dim) with heads={heads}, given {shape}")


def _qk_shape(p, s):
    x = s[0]
    if x is None:
        return list(s), [None]
    _width_check("queries_keys_values", x, p.heads, 3)
    return list(s), [(x[1] * p.heads, x[0], x[0])]


register_pair(
    "_contrib_interleaved_matmul_selfatt_qk",
    _qk_fwd,
    _qk_bwd,
    params=_HEADS,
    inputs=("queries_keys_values",),
    infer_shape=_qk_shape,
    doc=_doc(
        "Self-attention scores q @ k.T / sqrt(head_dim) per (batch, head) from interleaved projections\n"
        "(seq, batch, heads * 3 * head_dim), [q, k, v] per head: (batch * heads, seq, seq).",
        "queries_keys_values; heads (int, required).",
        ">>> mx.nd.contrib.interleaved_matmul_selfatt_qk(mx.nd.ones((2, 1, 6)), heads=1).shape\n(1, 2, 2)",
    ),
)


def _va_fwd(p, xp, qkv, att):
    s = _split(qkv, p.heads, 3)
    return _join(att @ s[:, :, 2], qkv.shape[1])


def _va_bwd(p, xp, og, ins, outs):
    qkv, att = ins
    s = _split(qkv, p.heads, 3)
    g_out = _split(og[0], p.heads, 1)[:, :, 0]  # (B * heads, L, D)
    g = xp.zeros(s.shape, qkv.dtype)
    g[:, :, 2] = att.swapaxes(1, 2) @ g_out
    return [g.transpose(1, 0, 2, 3).reshape(qkv.shape), g_out @ s[:, :, 2].swapaxes(1, 2)]


def _va_shape(p, s):
    x, att = s
    if x is None:
        return list(s), [None]
    _width_check("queries_keys_values", x, p.heads, 3)
    return [x, att or (x[1] * p.heads, x[0], x[0])], [(x[0], x[1], x[2] // 3)]


register_pair(
    "_contrib_interleaved_matmul_selfatt_valatt",
    _va_fwd,
    _va_bwd,
    params=_HEADS,
    inputs=("queries_keys_values", "attention"),
    infer_shape=_va_shape,
    doc=_doc(
        "Attention-weighted values of self-attention: attention (batch * heads, seq, seq) @ v, from the\n"
        "interleaved projections; output (seq, batch, heads * head_dim).",
        "queries_keys_values; attention; heads (int, required).",
        ">>> mx.nd.contrib.interleaved_matmul_selfatt_valatt(mx.nd.ones((2, 1, 6)), mx.nd.ones((1, 2, 2)), heads=1).shape\n(2, 1, 2)",
    ),
)


def _ed_qk_fwd(p, xp, q, kv):
    qs = _split(q, p.heads, 1)[:, :, 0]
    ks = _split(kv, p.heads, 2)[:, :, 0]
    return (qs * _scale(qs.shape[-1])) @ ks.swapaxes(1, 2)


def _ed_qk_bwd(p, xp, og, ins, outs):
    q, kv = ins
    qs = _split(q, p.heads, 1)[:, :, 0]
    s = _split(kv, p.heads, 2)
    c = _scale(qs.shape[-1])
    dq = c * (og[0] @ s[:, :, 0])
    g = xp.zeros(s.shape, kv.dtype)
    g[:, :, 0] = c * (og[0].swapaxes(1, 2) @ qs)
    return [_join(dq, q.shape[1]), g.transpose(1, 0, 2, 3).reshape(kv.shape)]


def _ed_qk_shape(p, s):
    q, kv = s
    if q is None or kv is None:
        return list(s), [None]
    _width_check("queries", q, p.heads, 1)
    _width_check("keys_values", kv, p.heads, 2)
    return list(s), [(q[1] * p.heads, q[0], kv[0])]


register_pair(
    "_contrib_interleaved_matmul_encdec_qk",
    _ed_qk_fwd,
    _ed_qk_bwd,
    params=_HEADS,
    inputs=("queries", "keys_values"),
    infer_shape=_ed_qk_shape,
    doc=_doc(
        "Encoder-decoder attention scores q @ k.T / sqrt(head_dim): queries (seq_q, batch, heads * head_dim),\n"
        "keys_values (seq_k, batch, heads * 2 * head_dim) interleaved [k, v]; output (batch * heads, seq_q, seq_k).",
        "queries; keys_values; heads (int, required).",
        ">>> mx.nd.contrib.interleaved_matmul_encdec_qk(mx.nd.ones((3, 1, 2)), mx.nd.ones((2, 1, 4)), heads=1).shape\n(1, 3, 2)",
    ),
)


def _ed_va_fwd(p, xp, kv, att):
    s = _split(kv, p.heads, 2)
    return _join(att @ s[:, :, 1], kv.shape[1])


def _ed_va_bwd(p, xp, og, ins, outs):
    kv, att = ins
    s = _split(kv, p.heads, 2)
    g_out = _split(og[0], p.heads, 1)[:, :, 0]
    g = xp.zeros(s.shape, kv.dtype)
    g[:, :, 1] = att.swapaxes(1, 2) @ g_out
    return [g.transpose(1, 0, 2, 3).reshape(kv.shape), g_out @ s[:, :, 1].swapaxes(1, 2)]


def _ed_va_shape(p, s):
    kv, att = s
    if kv is None or att is None:
        return list(s), [None]
    _width_check("keys_values", kv, p.heads, 2)
    return list(s), [(att[1], kv[1], kv[2] // 2)]


register_pair(
    "_contrib_interleaved_matmul_encdec_valatt",
    _ed_va_fwd,
    _ed_va_bwd,
    params=_HEADS,
    inputs=("keys_values", "attention"),
    infer_shape=_ed_va_shape,
    doc=_doc(
        "Attention-weighted values of encoder-decoder attention: attention (batch * heads, seq_q, seq_k) @ v;\noutput (seq_q, batch, heads * head_dim).",
        "keys_values; attention; heads (int, required).",
        ">>> mx.nd.contrib.interleaved_matmul_encdec_valatt(mx.nd.ones((2, 1, 4)), mx.nd.ones((1, 3, 2)), heads=1).shape\n(3, 1, 2)",
    ),
)
