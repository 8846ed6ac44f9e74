"""Battery cases for the bounding-box contrib operators (box_nms, box_iou, bipartite_matching, box_encode, box_decode).

The references are written from the operators' definitions with plain loops.
"""

from __future__ import annotations

import numpy as np

from . import add
from ._pair import add_pair

BOXES = np.array(
    [[0, 0.5, 0.1, 0.1, 0.2, 0.2], [1, 0.4, 0.1, 0.1, 0.2, 0.2], [0, 0.3, 0.1, 0.1, 0.14, 0.14], [2, 0.6, 0.5, 0.5, 0.7, 0.8]],
    np.float32,
)


def _iou1(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if inter > 0 else 0.0


def _nms(data, overlap_thresh=0.5, force_suppress=False, id_index=-1, **_):
    order = sorted(range(len(data)), key=lambda i: -data[i, 1])
    kept = []
    for i in order:
        if id_index >= 0 and data[i, id_index] == -1:
            continue
        same = [k for k in kept if force_suppress or id_index < 0 or data[k, id_index] == data[i, id_index]]
        if all(_iou1(data[i, 2:6], data[k, 2:6]) <= overlap_thresh for k in same):
            kept.append(i)
    out = np.full(data.shape, -1, data.dtype)
    out[: len(kept)] = data[kept]
    return out


def _nms_full(data, **p):
    """[output, index of the input row behind each output row (-1: none)]."""
    out = _nms(data, **p)
    index = np.array([next((i for i in range(len(data)) if (data[i] == row).all()), -1) if row[1] != -1 else -1 for row in out], data.dtype)
    return [out, index]


# gradients are routed, not computed: the forward's central differences hold away from ties
add_pair("_contrib_box_nms", [BOXES], {"force_suppress": True}, _nms, full_ref=_nms_full)
CLASS_JUMP = "class ids are compared for equality, so central differences on them jump"
add("_contrib_box_nms", [BOXES], {"id_index": 0, "overlap_thresh": 0.1}, _nms, note="classes", no_grad_reason=CLASS_JUMP)
NO_GRAD = "MXNet 1.9.1 gives this op a zero gradient (mxpy too), not the derivative"


def _box_iou(a, b, format="corner"):
    return np.array([[_iou1(x, y) for y in b.reshape(-1, 4)] for x in a.reshape(-1, 4)], np.float32).reshape(a.shape[:-1] + b.shape[:-1])


A = np.array([[0, 0, 2, 2], [1, 1, 3, 4]], np.float32)
B = np.array([[[1, 0, 3, 2]], [[5, 5, 6, 6]]], np.float32)
add("_contrib_box_iou", [A, B], {}, _box_iou, no_grad_reason="MXNet 1.9.1 gives box_iou a zero gradient (mxpy too), not the derivative")


def _bm(s, threshold, is_ascend=False, topk=-1):
    rows, cols = np.full(s.shape[0], -1, s.dtype), np.full(s.shape[1], -1, s.dtype)
    pairs = sorted(np.ndindex(s.shape), key=lambda ij: s[ij] if is_ascend else -s[ij])
    for i, j in pairs:
        if (s[i, j] > threshold) if is_ascend else (s[i, j] < threshold):
            break
        if rows[i] == -1 and cols[j] == -1:
            rows[i], cols[j] = j, i
    return [rows, cols]


add("_contrib_bipartite_matching", [np.array([[0.5, 0.6], [0.1, 0.2], [0.3, 0.4]], np.float32)], {"threshold": 1e-12}, _bm)
add("_contrib_bipartite_matching", [np.array([[0.5, 0.6], [0.1, 0.2], [0.3, 0.4]], np.float32)], {"threshold": 0.35, "is_ascend": True}, _bm, note="asc")


def _center(b):
    return np.array([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0], b[3] - b[1]])


def _encode(samples, matches, anchors, refs, means, stds):
    t = np.zeros(anchors.shape, np.float32)
    m = np.zeros(anchors.shape, np.float32)
    for b, n in np.ndindex(samples.shape):
        if samples[b, n] > 0.5:
            a, g = _center(anchors[b, n]), _center(refs[b, int(matches[b, n])])
            raw = [(g[0] - a[0]) / a[2], (g[1] - a[1]) / a[3], np.log(g[2] / a[2]), np.log(g[3] / a[3])]
            t[b, n] = (np.array(raw) - means) / stds
            m[b, n] = 1
    return [t, m]


ANC = np.array([[[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8], [0.2, 0.1, 0.6, 0.5]]], np.float32)
REFS = np.array([[[0.15, 0.2, 0.35, 0.5], [0.4, 0.5, 0.9, 0.9]]], np.float32)
add(
    "_contrib_box_encode",
    [
        np.array([[1, -1, 1]], np.float32),
        np.array([[0, 1, 1]], np.float32),
        ANC,
        REFS,
        np.array([0, 0.1, 0, 0], np.float32),
        np.array([0.1, 0.1, 0.2, 0.2], np.float32),
    ],
    {},
    _encode,
    rtol=1e-5,
    no_grad_reason=NO_GRAD,
)


def _decode(data, anchors, std0=1.0, std1=1.0, std2=1.0, std3=1.0, clip=-1.0, format="center"):
    out = np.zeros(data.shape, np.float32)
    for b, n in np.ndindex(data.shape[:2]):
        a = anchors[0, n] if format == "center" else _center(anchors[0, n])
        d = data[b, n]
        dw, dh = d[2] * std2, d[3] * std3
        if clip > 0:
            dw, dh = min(dw, clip), min(dh, clip)
        x, y = d[0] * std0 * a[2] + a[0], d[1] * std1 * a[3] + a[1]
        w, h = np.exp(dw) * a[2] / 2, np.exp(dh) * a[3] / 2
        out[b, n] = [x - w, y - h, x + w, y + h]
    return out


add(
    "_contrib_box_decode",
    [np.array([[[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8], [0, 0, 3, -1]]], np.float32), ANC],
    {"std0": 0.1, "std1": 0.1, "std2": 0.2, "std3": 0.2},
    _decode,
    rtol=1e-5,
    no_grad_reason=NO_GRAD,
)
add(
    "_contrib_box_decode",
    [np.array([[[0.1, 0.2, 3.0, 0.4]]], np.float32), ANC[:, :1]],
    {"format": "corner", "clip": 0.5},
    _decode,
    rtol=1e-5,
    note="corner",
    no_grad_reason=NO_GRAD,
)
