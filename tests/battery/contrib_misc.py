"""Battery cases for the SSD multibox ops and the small contrib ops (quadratic, attention matmuls...)."""

from __future__ import annotations

import numpy as np

from . import add, f32
from ._pair import add_pair

NO_GRAD = "MXNet 1.9.1 gives this op a zero gradient (mxpy too), not the derivative"


def _prior(x, sizes=(1.0,), ratios=(1.0,), clip=False, steps=(-1.0, -1.0), offsets=(0.5, 0.5)):
    h, w = x.shape[2:]
    out = []
    for i in range(h):
        for j in range(w):
            cy = (i + offsets[0]) * (steps[0] if steps[0] > 0 else 1 / h)
            cx = (j + offsets[1]) * (steps[1] if steps[1] > 0 else 1 / w)
            for s, r in [(s, ratios[0]) for s in sizes] + [(sizes[0], r) for r in ratios[1:]]:
                bw, bh = s * h / w * np.sqrt(r) / 2, s / np.sqrt(r) / 2
                out.append([cx - bw, cy - bh, cx + bw, cy + bh])
    out = np.array(out)
    return (np.clip(out, 0, 1) if clip else out).reshape(1, -1, 4).astype(x.dtype)


add(
    "_contrib_MultiBoxPrior",
    [np.zeros((1, 1, 2, 3), np.float32)],
    {"sizes": (0.5, 0.25), "ratios": (1.0, 2.0)},
    _prior,
    rtol=1e-5,
    no_grad_reason="reads only the shape of data",
)
add("_contrib_MultiBoxPrior", [np.zeros((1, 1, 2, 2), np.float32)], {"sizes": (0.9,), "clip": True, "steps": (0.4, 0.3)}, _prior, rtol=1e-5, note="clip")

ANCHORS = np.array([[[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8], [0.0, 0.0, 0.2, 0.3]]], np.float32)
LABEL = np.array([[[1, 0.1, 0.1, 0.5, 0.6], [-1, -1, -1, -1, -1]]], np.float32)
PRED = np.arange(9, dtype=np.float32).reshape(1, 3, 3) / 10


def _target(anchor, label, cls_pred, **p):
    # anchor 0 overlaps the label best (IoU 0.2); the other two overlap less than the
    # mining threshold and the one with the lower background probability is the negative
    loc = np.zeros((1, 12), np.float32)
    loc[0, :4] = [5.0, 2.5, np.log(2) / 0.2, np.log(2.5) / 0.2]
    mask = np.zeros((1, 12), np.float32)
    mask[0, :4] = 1
    cls = np.array([[2, -1, 0]], np.float32)
    return [loc, mask, cls]


add("_contrib_MultiBoxTarget", [ANCHORS, LABEL, PRED], {"negative_mining_ratio": 1, "negative_mining_thresh": 0.4}, _target, rtol=1e-5, no_grad_reason=NO_GRAD)


def _detection(cls_prob, loc_pred, anchor, **p):
    # scores: anchor 0 -> class 1 (0.7), anchor 1 -> class 0 (0.6), anchor 2 below the threshold
    boxes = anchor[0].astype(np.float64)
    out = np.full((1, 3, 6), -1.0)
    out[0, 0] = [1, 0.7, *boxes[0]]
    out[0, 1] = [0, 0.6, *boxes[1]]
    return out.astype(np.float32)


PROB = np.array([[[0.1, 0.3, 0.995], [0.2, 0.6, 0.004], [0.7, 0.1, 0.001]]], np.float32)
add("_contrib_MultiBoxDetection", [PROB, np.zeros((1, 12), np.float32), ANCHORS], {}, _detection, rtol=1e-5, no_grad_reason=NO_GRAD)

X = f32(2, 3, seed=70)
add_pair("_contrib_quadratic", [X], {"a": 0.5, "b": -1.0, "c": 2.0}, lambda x, a, b, c: (a * x * x + b * x + c).astype(x.dtype))
add_pair("_contrib_gradientmultiplier", [X], {"scalar": 1.0}, lambda x, scalar: x)
add_pair("_contrib_div_sqrt_dim", [f32(2, 4, seed=71)], {}, lambda x: (x / 2).astype(x.dtype))
add(
    "_contrib_arange_like",
    [X],
    {"start": 1.0, "step": 0.5, "repeat": 2},
    lambda x, start, step, repeat: (start + step * (np.arange(6) // 2)).reshape(2, 3).astype(x.dtype),
)
add("_contrib_arange_like", [X], {"axis": -1}, lambda x, axis: np.arange(3, dtype=x.dtype), note="axis")
add("_contrib_index_array", [X], {"axes": (1,)}, lambda x, axes: np.indices(x.shape)[1][..., None].astype(np.int64))
add("_contrib_allclose", [X, X + 1e-7], {}, lambda a, b: np.array(1, np.uint8), no_grad_reason="a boolean result")


def _index_copy(old, idx, new):
    out = old.copy()
    out[idx.astype(int)] = new
    return out


add_pair("_contrib_index_copy", [f32(4, 2, seed=72), np.array([3, 1], np.float32), f32(2, 2, seed=73)], {}, _index_copy, wrt=(0, 2))


def _split(x, heads, parts):
    seq, batch, width = x.shape
    return x.reshape(seq, batch * heads, parts, width // heads // parts).transpose(1, 0, 2, 3)


def _join(x, batch):
    return x.transpose(1, 0, 2).reshape(x.shape[1], batch, -1)


def _selfatt_qk(qkv, heads):
    s = _split(qkv, heads, 3)
    return ((s[:, :, 0] / np.sqrt(s.shape[-1])) @ s[:, :, 1].transpose(0, 2, 1)).astype(qkv.dtype)


def _selfatt_valatt(qkv, att, heads):
    return _join(att @ _split(qkv, heads, 3)[:, :, 2], qkv.shape[1])


def _encdec_qk(q, kv, heads):
    qs = _split(q, heads, 1)[:, :, 0]
    return ((qs / np.sqrt(qs.shape[-1])) @ _split(kv, heads, 2)[:, :, 0].transpose(0, 2, 1)).astype(q.dtype)


def _encdec_valatt(kv, att, heads):
    return _join(att @ _split(kv, heads, 2)[:, :, 1], kv.shape[1])


QKV = f32(3, 2, 12, seed=74)  # seq 3, batch 2, 2 heads of dim 2
add_pair("_contrib_interleaved_matmul_selfatt_qk", [QKV], {"heads": 2}, _selfatt_qk, rtol=1e-5)
add_pair("_contrib_interleaved_matmul_selfatt_valatt", [QKV, f32(4, 3, 3, seed=75)], {"heads": 2}, _selfatt_valatt, rtol=1e-5)
add_pair("_contrib_interleaved_matmul_encdec_qk", [f32(2, 2, 4, seed=76), f32(3, 2, 8, seed=77)], {"heads": 2}, _encdec_qk, rtol=1e-5)
add_pair("_contrib_interleaved_matmul_encdec_valatt", [f32(3, 2, 8, seed=78), f32(4, 2, 3, seed=79)], {"heads": 2}, _encdec_valatt, rtol=1e-5)
