"""_split_v2, batch_take, ravel/unravel_index, _histogram, im2col/col2im, amp_cast/amp_multicast,
all_finite and multi_all_finite."""

from __future__ import annotations

import numpy as np

from ..registry import OpDef, Param, ShapeError, fixed_type, forward_shape, register
from ._pair import register_pair
from .nn import _im2col as ic


def _doc(summary: str, params: str, example: str) -> str:
    return f"{summary}\n\nParameters: {params}\n\n>>> import mxpy as mx\n{example}"


def _axis(axis: int, ndim: int, op: str) -> int:
    ax = axis + ndim if axis < 0 else axis
    if not 0 <= ax < ndim:
        raise ShapeError(f"axis {axis} is out of range for data with {ndim} dims")
    return ax


# -- _split_v2 --------------------------------------------------------------------------------


def _sv2_count(p) -> int:
    return p.sections if p.sections > 0 else len(p.indices)


def _sv2_bounds(p, n: int) -> list[tuple[int, int]]:
    if p.sections > 0:
        if n % p.sections:
            raise ShapeError(f"axis of size {n} does not split into {p.sections} equal sections")
        step = n // p.sections
        return [(i * step, (i + 1) * step) for i in range(p.sections)]
    starts = list(p.indices)
    ends = starts[1:] + [n]
    return [(s, max(s, e)) for s, e in zip(starts, ends)]


def _sv2_shape(p, data):
    ax = _axis(p.axis, len(data), "_split_v2")
    outs = []
    for s, e in _sv2_bounds(p, data[ax]):
        if p.squeeze_axis and e - s == 1:
            outs.append(data[:ax] + data[ax + 1 :])
        else:
            outs.append(data[:ax] + (e - s,) + data[ax + 1 :])
    return outs


def _sv2_forward(p, xp, x):
    ax = _axis(p.axis, x.ndim, "_split_v2")
    shapes = _sv2_shape(p, x.shape)
    return tuple(xp.take(x, xp.arange(s, e), axis=ax).reshape(shp) for (s, e), shp in zip(_sv2_bounds(p, x.shape[ax]), shapes))


def _sv2_backward(p, xp, og, ins, outs):
    x = ins[0]
    ax = _axis(p.axis, x.ndim, "_split_v2")
    parts = [g.reshape(o.shape[:ax] + (-1,) + x.shape[ax + 1 :]) if g.ndim < x.ndim else g for g, o in zip(og, [x] * len(og))]
    return [xp.concatenate(parts, axis=ax)]


register_pair(
    "_split_v2",
    _sv2_forward,
    _sv2_backward,
    params={
        "indices": Param("shape", doc="start of every piece (first 0), or () with sections"),
        "axis": Param("int", 1, doc="the axis to split"),
        "squeeze_axis": Param("bool", False, doc="drop the axis from pieces of size 1"),
        "sections": Param("int", 0, doc="split into this many equal pieces (0: use indices)"),
    },
    outputs=lambda p: [f"output{i}" for i in range(_sv2_count(p))],
    infer_shape=forward_shape(_sv2_shape),
    infer_type=lambda p, t: (list(t), [t[0]] * _sv2_count(p)),
    doc=_doc(
        "Split data along axis into equal sections or at given indices (mx.nd.split_v2 is the front end).",
        "data; indices (shape, required); axis (1); squeeze_axis (False); sections (0).",
        ">>> [x.shape for x in mx.nd.split_v2(mx.nd.zeros((5, 2)), (1, 3))]\n[(1, 2), (2, 2), (2, 2)]",
    ),
)

# -- batch_take --------------------------------------------------------------------------


def _bt_forward(p, xp, a, idx):
    i = xp.clip(idx.astype(np.int64).reshape(-1), 0, a.shape[1] - 1)
    return a[xp.arange(a.shape[0]), i]


def _bt_shape(p, s):
    a, idx = s
    if a is not None and len(a) != 2:
        raise ShapeError(f"a must be 2-D, given {a}")
    if a is None:
        return list(s), [None]
    return [a, idx or (a[0],)], [(a[0],)]


register_pair(
    "batch_take",
    _bt_forward,
    None,
    inputs=("a", "indices"),
    infer_shape=_bt_shape,
    infer_type=lambda p, t: ([t[0], t[1] or np.dtype(np.int32)], [t[0]]),
    # MXNet 1.9.1 registers no gradient for batch_take: binding with gradients for `a` fails
    differentiable=False,
    doc=_doc(
        "One element per row of a 2-D array: a[i, indices[i]] (indices clipped to the row).",
        "a (N, M); indices (N,).",
        ">>> mx.nd.batch_take(mx.nd.array([[1, 2], [3, 4]]), mx.nd.array([1, 0], dtype='int32')).asnumpy().tolist()\n[2.0, 3.0]",
    ),
)

# -- ravel / unravel -------------------------------------------------------------------------

_SHAPE = {"shape": Param("shape", None, doc="the array shape the indices refer to (the first may be -1)")}


def _dims(p, total=None):
    dims = list(p.shape)
    if dims and dims[0] == -1:
        dims[0] = 1 << 62 if total is None else total
    return dims


def _ravel(p, xp, data):
    idx = data.astype(np.int64)
    dims = _dims(p)
    out = xp.zeros(idx.shape[1:], np.int64)
    for k, d in enumerate(dims):
        out = out * d + idx[k]
    return out.astype(data.dtype)


def _unravel(p, xp, data):
    flat = data.astype(np.int64)
    dims = p.shape
    rows = []
    rest = flat
    for d in reversed(dims[1:]):
        rows.append(rest % d)
        rest = rest // d
    rows.append(rest if dims[0] == -1 else rest % dims[0])
    return xp.stack(rows[::-1]).astype(data.dtype)


register_pair(
    "_ravel_multi_index",
    _ravel,
    None,
    params=_SHAPE,
    infer_shape=forward_shape(lambda p, d: d[1:]),
    aliases=("ravel_multi_index",),
    doc=_doc(
        "Flat indices of multi-indices data (ndim, ...) into an array of ``shape`` (row-major).",
        "data; shape (shape).",
        ">>> mx.nd.ravel_multi_index(mx.nd.array([[1, 2], [2, 1]]), shape=(3, 3)).asnumpy().tolist()\n[5.0, 7.0]",
    ),
)
register_pair(
    "_unravel_index",
    _unravel,
    None,
    params=_SHAPE,
    infer_shape=forward_shape(lambda p, d: (len(p.shape), *d)),
    aliases=("unravel_index",),
    doc=_doc(
        "Multi-indices (ndim, ...) of flat indices data into an array of ``shape``.",
        "data; shape (shape).",
        ">>> mx.nd.unravel_index(mx.nd.array([5, 7]), shape=(-1, 3)).asnumpy().tolist()\n[[1.0, 2.0], [2.0, 1.0]]",
    ),
)

# -- _histogram ---------------------------------------------------------------------------------


def _hist_inputs(p):
    return ["data"] if p.bin_cnt is not None else ["data", "bins"]


_hist_inputs.all_names = ("data", "bins")


def _hist_forward(p, xp, data, *bins):
    x = data.reshape(-1)
    if p.bin_cnt is not None:
        if p.range is None or len(p.range) != 2:
            raise ValueError("_histogram: range=(low, high) is required with bin_cnt")
        counts, edges = np.histogram(x.get() if hasattr(x, "get") else x, bins=p.bin_cnt, range=tuple(float(v) for v in p.range))
        return xp.asarray(counts.astype(np.int64)), xp.asarray(edges.astype(data.dtype))
    b = bins[0]
    counts, _ = np.histogram(x.get() if hasattr(x, "get") else x, bins=b.get() if hasattr(b, "get") else b)
    return xp.asarray(counts.astype(np.int64)), b.copy()


def _hist_shape(p, s):
    if p.bin_cnt is not None:
        return list(s), [(p.bin_cnt,), (p.bin_cnt + 1,)]
    bins = s[1] if len(s) > 1 else None
    return list(s), [None if bins is None else (bins[0] - 1,), bins]


register_pair(
    "_histogram",
    _hist_forward,
    None,
    params={"bin_cnt": Param("int", None, doc="number of equal bins over range"), "range": Param("tuple", None, doc="(low, high) of the bins")},
    inputs=_hist_inputs,
    outputs=("output0", "output1"),
    infer_shape=_hist_shape,
    infer_type=lambda p, t: (list(t), [np.dtype(np.int64), t[1] if len(t) > 1 and t[1] is not None else t[0]]),
    doc=_doc(
        "Counts of data per bin (int64) and the bin edges; mx.nd.histogram is the front end.",
        "data; bins (edges, when bin_cnt is None); bin_cnt (None); range (None).",
        ">>> mx.nd.histogram(mx.nd.array([0.1, 0.7, 2.0]), bins=2, range=(0, 2))[0].asnumpy().tolist()\n[2, 1]",
    ),
)

# -- im2col / col2im ----------------------------------------------------------------------------

_GEO = {
    "kernel": Param("shape", doc="kernel size"),
    "stride": Param("shape", (), doc="stride (default 1)"),
    "dilate": Param("shape", (), doc="dilation (default 1)"),
    "pad": Param("shape", (), doc="zero padding (default 0)"),
}


def _out_sp(geo, spatial):
    return tuple(ic.conv_out_len(n, k, s, d, q) for n, k, s, d, q in zip(spatial, geo["kernel"], geo["stride"], geo["dilate"], geo["pad"]))


def _i2c(xp, p, x):
    geo = ic.geometry("im2col", p, x.ndim - 2)
    sp = _out_sp(geo, x.shape[2:])
    cols = ic.im2col(xp, x, 1, geo, sp).copy()
    n = x.shape[0]
    return cols.reshape(-1, n, int(np.prod(sp))).transpose(1, 0, 2).copy()


def _c2i(xp, p, cols, spatial):
    n, ck, length = cols.shape
    c = ck // int(np.prod(p.kernel))
    geo = ic.geometry("col2im", p, len(spatial))
    sp = _out_sp(geo, spatial)
    flat = cols.transpose(1, 0, 2).reshape(1, ck, n * length)
    return ic.col2im(xp, flat, (n, c, *spatial), 1, geo, sp).copy()


def _i2c_shape(p, data):
    geo = ic.geometry("im2col", p, len(data) - 2)
    sp = _out_sp(geo, data[2:])
    return (data[0], data[1] * int(np.prod(geo["kernel"])), int(np.prod(sp)))


def _c2i_shape(p, data):
    k = int(np.prod(p.kernel))
    if len(data) != 3 or data[1] % k:
        raise ShapeError(f"data must be (N, C * prod(kernel), L), given {data} for kernel {p.kernel}")
    return (data[0], data[1] // k, *p.output_size)


register_pair(
    "im2col",
    lambda p, xp, x: _i2c(xp, p, x),
    lambda p, xp, og, ins, outs: [_c2i(xp, p, og[0], ins[0].shape[2:])],
    params=_GEO,
    infer_shape=forward_shape(_i2c_shape),
    doc=_doc(
        "Sliding-window columns of a (N, C, spatial...) input: (N, C * prod(kernel), number of windows).",
        "data; kernel (required); stride, dilate, pad (shape).",
        ">>> mx.nd.im2col(mx.nd.zeros((1, 1, 4, 4)), kernel=(2, 2), stride=(2, 2)).shape\n(1, 4, 4)",
    ),
)
register_pair(
    "col2im",
    lambda p, xp, cols: _c2i(xp, p, cols, tuple(p.output_size)),
    lambda p, xp, og, ins, outs: [_i2c(xp, p, og[0])],
    params={"output_size": Param("shape", doc="spatial size of the output image"), **_GEO},
    infer_shape=forward_shape(_c2i_shape),
    doc=_doc(
        "Sum sliding-window columns (N, C * prod(kernel), L) back into an image (N, C, *output_size).",
        "data; output_size (required); kernel (required); stride, dilate, pad (shape).",
        ">>> mx.nd.col2im(mx.nd.ones((1, 4, 4)), output_size=(4, 4), kernel=(2, 2), stride=(2, 2)).shape\n(1, 1, 4, 4)",
    ),
)

# -- AMP casts ------------------------------------------------------------------------------------

_AMP_TYPES = ("bfloat16", "float16", "float32", "float64", "int32", "int64", "int8", "uint8")


def _amp_cast_type(p, t):
    return list(t), [np.dtype(p.dtype)]


register_pair(
    "amp_cast",
    lambda p, xp, x: x.astype(p.dtype),
    lambda p, xp, og, ins, outs: [og[0].astype(ins[0].dtype)],
    params={"dtype": Param("dtype", choices=tuple(d for d in _AMP_TYPES if d != "bfloat16"), doc="the output dtype")},
    infer_shape=lambda p, s: (list(s), [s[0]]),
    infer_type=_amp_cast_type,
    doc=_doc(
        "Cast for automatic mixed precision (the gradient is cast back to the input's dtype).",
        "data; dtype (required).",
        ">>> mx.nd.amp_cast(mx.nd.ones((2,)), dtype='float16').dtype\n<class 'numpy.float16'>",
    ),
)


def _widest(p, types):
    floats = [np.dtype(t) for t in types if t is not None]
    if not floats:
        return None
    pick = min if p.cast_narrow else max
    return pick(floats, key=lambda d: d.itemsize)


register_pair(
    "amp_multicast",
    lambda p, xp, *xs: tuple(x.astype(_widest(p, [x.dtype for x in xs])) for x in xs),
    lambda p, xp, og, ins, outs: [g.astype(x.dtype) for g, x in zip(og, ins)],
    params={
        "num_outputs": Param("int", doc="number of inputs and outputs"),
        "cast_narrow": Param("bool", False, doc="cast to the narrowest type instead of the widest"),
    },
    inputs=lambda p: [f"data{i}" for i in range(p.num_outputs)],
    outputs=lambda p: [f"output{i}" for i in range(p.num_outputs)],
    infer_shape=lambda p, s: (list(s), list(s)),
    infer_type=lambda p, t: (list(t), [_widest(p, t)] * len(t)),
    variadic="data",
    doc=_doc(
        "Cast several arrays to their widest (or narrowest) float type.",
        "data (num_outputs arrays); num_outputs (required); cast_narrow (False).",
        ">>> [x.dtype for x in mx.nd.amp_multicast(mx.nd.ones(1, dtype='float16'), mx.nd.ones(1), num_outputs=2)]\n"
        "[<class 'numpy.float32'>, <class 'numpy.float32'>]",
    ),
)

# -- all_finite ---------------------------------------------------------------------------------


def _finite_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    ok = all(bool(xp.isfinite(x).all()) for x in ins)
    if p.init_output:
        outs[0][...] = 1.0 if ok else 0.0
    elif not ok:
        outs[0][...] = 0.0


_FIN_DOC = "1.0 (float32, shape (1,)) when every element is finite, else 0; with init_output=False only a 0 is written."
register(
    OpDef(
        "all_finite",
        _finite_kernel,
        params={"init_output": Param("bool", True, doc="write 1 first (else only a failure writes 0)")},
        infer_shape=lambda p, s: (list(s), [(1,)]),
        infer_type=fixed_type(np.float32),
        gradient=lambda g, og: [None],
        doc=_doc(_FIN_DOC, "data; init_output (True).", ">>> mx.nd.all_finite(mx.nd.array([1, float('inf')])).asnumpy().tolist()\n[0.0]"),
    )
)
register(
    OpDef(
        "multi_all_finite",
        _finite_kernel,
        params={"num_arrays": Param("int", 1, doc="number of inputs"), "init_output": Param("bool", True, doc="write 1 first")},
        inputs=lambda p: [f"data{i}" for i in range(p.num_arrays)],
        variadic="data",
        infer_shape=lambda p, s: (list(s), [(1,)]),
        infer_type=fixed_type(np.float32),
        gradient=lambda g, og: [None] * len(g.inputs),
        doc=_doc(
            _FIN_DOC + " Over several arrays.",
            "data (num_arrays arrays); num_arrays (1); init_output (True).",
            ">>> mx.nd.multi_all_finite(mx.nd.ones(2), mx.nd.ones(3), num_arrays=2).asnumpy().tolist()\n[1.0]",
        ),
    )
)
