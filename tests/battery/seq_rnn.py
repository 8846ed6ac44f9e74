"""Battery cases for Embedding, UpSampling, Crop, Sequence* and RNN (forward and backward records).

References are plain NumPy; RNN's is a straightforward per-step loop written
independently of the kernel (golden MXNet values live in tests/test_seq_rnn.py).
"""

from __future__ import annotations

import numpy as np

from . import add, f32

# -- Embedding ---------------------------------------------------------------------------
IDX = np.array([[0, 3, 1.7], [3, -1, 9]], np.float32)
EW = f32(4, 5, seed=21)


def _emb(data, weight, input_dim, output_dim):
    return weight[np.clip(data.astype(np.int64), 0, input_dim - 1)]


def _emb_back(og, data, input_dim, output_dim):
    out = np.zeros((input_dim, output_dim), og.dtype)
    np.add.at(out, np.clip(data.astype(np.int64), 0, input_dim - 1).ravel(), og.reshape(-1, output_dim))
    return out


add("Embedding", [IDX, EW], {"input_dim": 4, "output_dim": 5}, ref=_emb, grad_wrt=(1,))  # IDX: indices on truncation jumps
add(
    "_contrib_SparseEmbedding",
    [IDX, EW],
    {"input_dim": 4, "output_dim": 5, "deterministic": True},
    ref=lambda d, w, deterministic, **p: _emb(d, w, **p),
    grad_wrt=(1,),
)
add("_backward_Embedding", [f32(2, 3, 5, seed=22), IDX], {"input_dim": 4, "output_dim": 5}, ref=_emb_back)

# -- UpSampling -------------------------------------------------------------------------


def _near(x, s):
    return x.repeat(s, axis=2).repeat(s, axis=3)


def _up_nearest(*xs, scale, sample_type, multi_input_mode="concat", num_args=None):
    oh = xs[0].shape[2] * scale
    ups = [_near(x, oh // x.shape[2]) for x in xs]
    return sum(ups[1:], ups[0]) if multi_input_mode == "sum" else np.concatenate(ups, axis=1)


def _deconv_ref(x, w, scale):
    """Depthwise transposed convolution by the definition (a loop over input pixels)."""
    k, pad = w.shape[-1], (scale) // 2
    n, c, h, wd = x.shape
    full = np.zeros((n, c, scale * (h - 1) + k, scale * (wd - 1) + k), x.dtype)
    for i in range(h):
        for j in range(wd):
            full[:, :, i * scale : i * scale + k, j * scale : j * scale + k] += x[:, :, i, j][:, :, None, None] * w[None, :, 0]
    return full[:, :, pad : pad + scale * h, pad : pad + scale * wd]


A1 = f32(2, 2, 2, 3, seed=23)
add("UpSampling", [A1], {"scale": 2, "sample_type": "nearest"}, ref=_up_nearest)
add("UpSampling", [f32(1, 2, 2, 2, seed=25), f32(1, 1, 4, 4, seed=26)], {"scale": 2, "sample_type": "nearest"}, ref=_up_nearest, note="concat")
add(
    "UpSampling",
    [f32(1, 2, 2, 2, seed=27), f32(1, 2, 1, 1, seed=28)],
    {"scale": 2, "sample_type": "nearest", "multi_input_mode": "sum"},
    ref=_up_nearest,
    note="sum",
)
BX, BW = f32(2, 3, 3, 2, seed=29), f32(3, 1, 4, 4, seed=30)
add("UpSampling", [BX, BW], {"scale": 2, "sample_type": "bilinear", "num_filter": 3}, ref=lambda x, w, **kw: _deconv_ref(x, w, 2), rtol=1e-5, atol=1e-6)


def _up_nearest_back(og, *xs, scale, sample_type, multi_input_mode="concat", num_args=None):
    outs, c0 = [], 0
    for x in xs:
        n, c, h, w = x.shape
        s = og.shape[2] // h
        part = og if multi_input_mode == "sum" else og[:, c0 : c0 + c]
        c0 += c
        outs.append(part.reshape(n, c, h, s, w, s).sum(axis=(3, 5)))
    return outs


add(
    "_backward_UpSampling",
    [f32(1, 3, 4, 4, seed=31), f32(1, 2, 2, 2, seed=25), f32(1, 1, 4, 4, seed=26)],
    {"scale": 2, "sample_type": "nearest", "num_args": 2},
    ref=_up_nearest_back,
    rtol=1e-5,
)


def _bilinear_back(og, x, w, **kw):
    # the adjoint of the (linear) transposed convolution, by finite basis directions
    dx = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = 1
        dx[idx] = (_deconv_ref(e, w, 2) * og).sum()
    dw = np.zeros_like(w)
    for idx in np.ndindex(w.shape):
        e = np.zeros_like(w)
        e[idx] = 1
        dw[idx] = (_deconv_ref(x, e, 2) * og).sum()
    return [dx, dw]


add(
    "_backward_UpSampling",
    [f32(2, 3, 6, 4, seed=32), BX, BW],
    {"scale": 2, "sample_type": "bilinear", "num_filter": 3, "num_args": 2},
    ref=_bilinear_back,
    rtol=1e-4,
    atol=1e-5,
    note="bilinear",
)

# -- Crop ---------------------------------------------------------------------------------
CX = f32(2, 2, 5, 6, seed=33)
add("Crop", [CX], {"h_w": (2, 3), "offset": (1, 2)}, ref=lambda x, **kw: x[:, :, 1:3, 2:5])
add("Crop", [CX, np.zeros((1, 1, 3, 3), np.float32)], {"center_crop": True}, ref=lambda x, y, **kw: x[:, :, 1:4, 1:4], note="like")


def _crop_back(og, x, **kw):
    out = np.zeros_like(x)
    out[:, :, 1:3, 2:5] = og
    return out


add("_backward_Crop", [f32(2, 2, 2, 3, seed=34), CX], {"num_args": 1, "h_w": (2, 3), "offset": (1, 2)}, ref=_crop_back)

# -- Sequence ops --------------------------------------------------------------------------
SX = f32(4, 3, 2, seed=35)
LENS = np.array([1, 4, 2], np.float32)


def _valid(t, lens):
    return np.arange(t)[:, None] < lens.astype(np.int64)[None, :]


def _mask(x, lens=None, use_sequence_length=False, value=0.0, axis=0):
    if not use_sequence_length:
        return x
    v = _valid(x.shape[axis], lens)
    v = v if axis == 0 else v.T
    return np.where(v[..., None], x, np.float32(value)).astype(x.dtype)


add("SequenceMask", [SX, LENS], {"use_sequence_length": True, "value": -1.0}, ref=_mask)
add("SequenceMask", [SX.transpose(1, 0, 2).copy(), LENS], {"use_sequence_length": True, "axis": 1}, ref=_mask, note="axis1")
add("SequenceMask", [SX], {}, ref=_mask, note="nolen")


def _last(x, lens=None, use_sequence_length=False, axis=0):
    xs = x if axis == 0 else x.transpose(1, 0, 2)
    idx = lens.astype(np.int64) - 1 if use_sequence_length else np.full(xs.shape[1], xs.shape[0] - 1)
    return xs[idx, np.arange(xs.shape[1])]


add("SequenceLast", [SX, LENS], {"use_sequence_length": True}, ref=_last)
add("SequenceLast", [SX.transpose(1, 0, 2).copy(), LENS], {"use_sequence_length": True, "axis": 1}, ref=_last, note="axis1")
add("SequenceLast", [SX], {}, ref=_last, note="nolen")


def _last_back(og, x, lens=None, use_sequence_length=False, axis=0):
    out = np.zeros_like(x)
    idx = lens.astype(np.int64) - 1 if use_sequence_length else np.full(x.shape[1 - axis], x.shape[axis] - 1)
    b = np.arange(len(idx))
    if axis == 0:
        out[idx, b] = og
    else:
        out[b, idx] = og
    return out


add("_backward_SequenceLast", [f32(3, 2, seed=36), SX, LENS], {"use_sequence_length": True}, ref=_last_back)
add("_backward_SequenceLast", [f32(3, 2, seed=37), SX.transpose(1, 0, 2).copy()], {"axis": 1}, ref=_last_back, note="axis1")


def _reverse(x, lens=None, use_sequence_length=False, axis=0):
    if not use_sequence_length:
        return x[::-1]
    out = x.copy()
    for b, n in enumerate(lens.astype(np.int64)):
        out[:n, b] = x[:n, b][::-1]
    return out


add("SequenceReverse", [SX, LENS], {"use_sequence_length": True}, ref=_reverse)
add("SequenceReverse", [SX], {}, ref=_reverse, note="nolen")

# -- RNN ------------------------------------------------------------------------------------
_G = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}


def _sig(v):
    return 1 / (1 + np.exp(-v))


def _unpack(par, mode, layers, d, c, h):
    g = _G[mode] * h
    ws, off = [], 0
    for lyr in range(layers):
        isz = c if lyr == 0 else d * h
        for _ in range(d):
            wx = par[off : off + g * isz].reshape(g, isz)
            off += g * isz
            wh = par[off : off + g * h].reshape(g, h)
            off += g * h
            ws.append([wx, wh])
    for w in ws:
        w += [par[off : off + g], par[off + g : off + 2 * g]]
        off += 2 * g
    return ws


def _cell(mode, x, h, c, wx, wh, bx, bh):
    hs = h.shape[1]
    if mode == "gru":
        gi, gh = x @ wx.T + bx, h @ wh.T + bh
        r, z = _sig(gi[:, :hs] + gh[:, :hs]), _sig(gi[:, hs : 2 * hs] + gh[:, hs : 2 * hs])
        n = np.tanh(gi[:, 2 * hs :] + r * gh[:, 2 * hs :])
        return (1 - z) * n + z * h, c
    a = x @ wx.T + bx + h @ wh.T + bh
    if mode == "rnn_tanh":
        return np.tanh(a), c
    if mode == "rnn_relu":
        return np.maximum(a, 0), c
    i, f, g, o = _sig(a[:, :hs]), _sig(a[:, hs : 2 * hs]), np.tanh(a[:, 2 * hs : 3 * hs]), _sig(a[:, 3 * hs :])
    c = f * c + i * g
    return o * np.tanh(c), c


def _rnn_ref(x, par, hx, cx=None, *, state_size, num_layers, mode, bidirectional=False, state_outputs=False):
    d = 2 if bidirectional else 1
    ws = _unpack(par, mode, num_layers, d, x.shape[2], state_size)
    hy, cy = np.empty_like(hx), np.empty_like(hx)
    inp = x
    for lyr in range(num_layers):
        outs = []
        for k in range(d):
            j = lyr * d + k
            h, c = hx[j], (cx[j] if cx is not None else None)
            steps = range(x.shape[0]) if k == 0 else range(x.shape[0] - 1, -1, -1)
            ys = np.empty((x.shape[0], x.shape[1], state_size), x.dtype)
            for t in steps:
                h, c = _cell(mode, inp[t], h, c, *ws[j])
                ys[t] = h
            hy[j] = h
            if c is not None:
                cy[j] = c
            outs.append(ys)
        inp = np.concatenate(outs, axis=2)
    res = [inp.astype(x.dtype)]
    if state_outputs:
        res += [hy] + ([cy] if mode == "lstm" else [])
    return res if len(res) > 1 else res[0]


def _rnn_inputs(mode, layers, bi, seed):
    d, c, h = (2 if bi else 1), 3, 2
    n = sum(d * (_G[mode] * h * ((c if lyr == 0 else d * h) + h) + 2 * _G[mode] * h) for lyr in range(layers))
    ins = [f32(3, 2, c, seed=seed), f32(n, seed=seed + 1), f32(layers * d, 2, h, seed=seed + 2)]
    return ins + ([f32(layers * d, 2, h, seed=seed + 3)] if mode == "lstm" else [])


for k, (mode, layers, bi, so) in enumerate(
    [
        ("rnn_relu", 1, False, True),
        ("rnn_tanh", 2, True, False),
        ("lstm", 2, True, True),
        ("lstm", 1, False, False),
        ("gru", 1, True, True),
        ("gru", 2, False, False),
    ]
):
    params = {"state_size": 2, "num_layers": layers, "mode": mode, "bidirectional": bi, "state_outputs": so}
    add("RNN", _rnn_inputs(mode, layers, bi, 40 + 5 * k), params, ref=_rnn_ref, rtol=1e-5, atol=1e-6, note=f"{k}")


def _rnn_back_check(outs, inputs, params):
    """The backward record against central differences of the NumPy reference (float64)."""
    n_heads = 1 + (2 if params["mode"] == "lstm" else 1) * params.get("state_outputs", False)
    heads, fwd = [h.astype(np.float64) for h in inputs[:n_heads]], [x.astype(np.float64) for x in inputs[n_heads:]]

    def objective():
        res = _rnn_ref(*fwd, **params)
        res = res if isinstance(res, list) else [res]
        return sum(float((r * h).sum()) for r, h in zip(res, heads))

    assert len(outs) == len(fwd)
    for got, x in zip(outs, fwd):
        num = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            old = x[idx]
            x[idx] = old + 1e-5
            up = objective()
            x[idx] = old - 1e-5
            num[idx] = (up - objective()) / 2e-5
            x[idx] = old
        np.testing.assert_allclose(got, num, rtol=2e-3, atol=2e-4)


for k, (mode, layers, bi, so) in enumerate([("lstm", 1, True, True), ("gru", 2, False, False), ("rnn_tanh", 1, False, True)]):
    params = {"state_size": 2, "num_layers": layers, "mode": mode, "bidirectional": bi, "state_outputs": so}
    fwd = _rnn_inputs(mode, layers, bi, 80 + 5 * k)
    d = 2 if bi else 1
    heads = [f32(3, 2, 2 * d, seed=90 + k)]
    if so:
        heads += [f32(layers * d, 2, 2, seed=95 + k)] * (2 if mode == "lstm" else 1)
    add("_backward_RNN", heads + fwd, params, check=_rnn_back_check, note=f"{k}")
