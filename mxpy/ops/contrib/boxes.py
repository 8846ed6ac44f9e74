"""Bounding-box operators: _contrib_box_nms, box_iou, bipartite_matching, box_encode, box_decode.

Boxes are ``corner`` (xmin, ymin, xmax, ymax) or ``center`` (x, y, w, h);
areas have no +1 (as MXNet's contrib ops). These are selection and matching
steps of detection pipelines: only box_nms passes gradients (to the boxes it
keeps, routed by the hidden index output), the others have none.
"""

from __future__ import annotations

import numpy as np

from ...registry import Param, ShapeError, same_type
from .._pair import register_pair

_FMT = ("corner", "center")


def to_corner(b, fmt: str):
    """(..., 4) boxes in corner format."""
    if fmt == "corner":
        return b
    x, y, w, h = (b[..., i] for i in range(4))
    return np.stack([x - w / 2, y - h / 2, x + w / 2, y + h / 2], axis=-1)


def to_center(b):
    x1, y1, x2, y2 = (b[..., i] for i in range(4))
    return np.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], axis=-1)


def iou_matrix(a, b):
    """IoU of corner boxes a (N, 4) and b (M, 4): (N, M); 0 where they do not meet."""
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    wh = np.clip(rb - lt, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    area_a = np.clip(a[:, 2] - a[:, 0], 0, None) * np.clip(a[:, 3] - a[:, 1], 0, None)
    area_b = np.clip(b[:, 2] - b[:, 0], 0, None) * np.clip(b[:, 3] - b[:, 1], 0, None)
    union = area_a[:, None] + area_b[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(inter > 0, inter / np.where(union > 0, union, 1), 0.0)


def _host(x):
    return x.get() if hasattr(x, "get") else np.asarray(x)


# -- box_nms -------------------------------------------------------------------------------

_NMS_PARAMS = {
    "overlap_thresh": Param("float", 0.5, doc="suppress boxes whose IoU with a kept box exceeds it"),
    "valid_thresh": Param("float", 0.0, doc="boxes scoring at most this are dropped first"),
    "topk": Param("int", -1, doc="keep only the top k boxes by score before suppression (-1: all)"),
    "coord_start": Param("int", 2, doc="index of the first of the 4 coordinates"),
    "score_index": Param("int", 1, doc="index of the score"),
    "id_index": Param("int", -1, doc="index of the class id (-1: no class id)"),
    "background_id": Param("int", -1, doc="boxes of this class are dropped (-1: none)"),
    "force_suppress": Param("bool", False, doc="suppress across classes too"),
    "in_format": Param("str", "corner", choices=_FMT, doc="coordinate format of the input"),
    "out_format": Param("str", "corner", choices=_FMT, doc="coordinate format of the output"),
}


def _nms_one(p, rows):
    """Indices of the kept rows of one (N, K) batch item, in output order."""
    score = rows[:, p.score_index]
    valid = score > p.valid_thresh
    if p.id_index >= 0:  # background_id -1 drops boxes of class -1 (as MXNet)
        valid &= rows[:, p.id_index] != p.background_id
    order = [i for i in np.argsort(-score, kind="stable") if valid[i]]
    if p.topk > 0:
        order = order[: p.topk]
    if not order:
        return []
    boxes = to_corner(rows[order, p.coord_start : p.coord_start + 4].astype(np.float64), p.in_format)
    iou = iou_matrix(boxes, boxes)
    cls = rows[order, p.id_index] if p.id_index >= 0 else np.zeros(len(order))
    alive = np.ones(len(order), bool)
    for i in range(len(order)):
        if not alive[i]:
            continue
        clash = iou[i] > p.overlap_thresh
        if not p.force_suppress and p.id_index >= 0:
            clash &= cls == cls[i]
        clash[: i + 1] = False
        alive &= ~clash
    return [order[i] for i in range(len(order)) if alive[i]]


def _nms_forward(p, xp, data):
    x = _host(data)
    flat = x.reshape(-1, x.shape[-2], x.shape[-1])
    out = np.full(flat.shape, -1, x.dtype)
    index = np.full(flat.shape[:2], -1, np.int64)
    for b in range(flat.shape[0]):
        keep = _nms_one(p, flat[b])
        rows = flat[b, keep].copy()
        if keep and p.in_format != p.out_format:
            c = slice(p.coord_start, p.coord_start + 4)
            boxes = rows[:, c].astype(np.float64)
            rows[:, c] = to_corner(boxes, "center") if p.out_format == "corner" else to_center(boxes)
        out[b, : len(keep)] = rows
        index[b, : len(keep)] = keep
    return xp.asarray(out.reshape(x.shape)), xp.asarray(index.reshape(x.shape[:-1]).astype(x.dtype))


def _nms_backward(p, xp, og, ins, outs):
    g = _host(og[0])
    index = _host(outs[1]).astype(np.int64)
    flat_g = g.reshape(-1, g.shape[-2], g.shape[-1])
    flat_i = index.reshape(-1, index.shape[-1])
    dx = np.zeros(flat_g.shape, g.dtype)
    for b in range(flat_g.shape[0]):
        kept = flat_i[b] >= 0
        dx[b, flat_i[b][kept]] = flat_g[b, kept]
    return [xp.asarray(dx.reshape(g.shape))]


def _nms_shape(p, s):
    d = s[0]
    if d is not None:
        if len(d) < 2:
            raise ShapeError(f"data must have at least 2 dims (..., boxes, values), given {d}")
        need = max(p.coord_start + 4, p.score_index + 1, p.id_index + 1)
        if d[-1] < need:
            raise ShapeError(f"the last axis of data {d} is too short for coord_start={p.coord_start}, score_index={p.score_index}, id_index={p.id_index}")
    return list(s), [d, None if d is None else d[:-1]]


register_pair(
    "_contrib_box_nms",
    _nms_forward,
    _nms_backward,
    params=_NMS_PARAMS,
    outputs=("output", "out_index"),
    num_visible_outputs=lambda p: 1,
    infer_shape=_nms_shape,
    infer_type=lambda p, t: same_type(p, t, 2),
    aliases=("_contrib_box_non_maximum_suppression",),
    doc=(
        "Non-maximum suppression per batch item: boxes sorted by score, each suppressing later boxes\n"
        "that overlap it by more than overlap_thresh (same class unless force_suppress); kept boxes\n"
        "first, the other rows -1. The gradient flows to the kept input rows.\n\n"
        "Parameters: data (..., N, K); overlap_thresh (0.5); valid_thresh (0); topk (-1); coord_start (2);\n"
        "score_index (1); id_index (-1); background_id (-1); force_suppress (False); in_format and\n"
        "out_format ('corner' or 'center').\n\n"
        ">>> import mxpy as mx\n>>> x = mx.nd.array([[0, 0.9, 0, 0, 1, 1], [0, 0.8, 0, 0, 1, 1]])\n"
        ">>> mx.nd.contrib.box_nms(x)[:, 1].asnumpy().tolist()\n[0.8999999761581421, -1.0]"
    ),
)

# -- box_iou -------------------------------------------------------------------------------


def _iou_forward(p, xp, lhs, rhs):
    a = to_corner(_host(lhs).reshape(-1, 4).astype(np.float64), p.format)
    b = to_corner(_host(rhs).reshape(-1, 4).astype(np.float64), p.format)
    return xp.asarray(iou_matrix(a, b).reshape(lhs.shape[:-1] + rhs.shape[:-1]).astype(lhs.dtype))


def _iou_shape(p, s):
    a, b = s
    for name, x in (("lhs", a), ("rhs", b)):
        if x is not None and (len(x) < 1 or x[-1] != 4):
            raise ShapeError(f"{name} must end in an axis of 4 coordinates, given {x}")
    return list(s), [None if a is None or b is None else a[:-1] + b[:-1]]


register_pair(
    "_contrib_box_iou",
    _iou_forward,
    None,
    params={"format": Param("str", "corner", choices=_FMT, doc="coordinate format of both inputs")},
    inputs=("lhs", "rhs"),
    infer_shape=_iou_shape,
    doc=(
        "Intersection over union of every box of lhs (..., 4) with every box of rhs (..., 4).\n\n"
        "Parameters: lhs, rhs; format ('corner' or 'center').\n\n"
        ">>> import mxpy as mx\n>>> mx.nd.contrib.box_iou(mx.nd.array([[0, 0, 2, 2]]), mx.nd.array([[1, 0, 3, 2]])).asnumpy().round(4).tolist()\n[[0.3333]]"
    ),
)

# -- bipartite_matching ----------------------------------------------------------------------


def _bm_forward(p, xp, data):
    x = _host(data)
    flat = x.reshape(-1, x.shape[-2], x.shape[-1])
    rows = np.full(flat.shape[:2], -1, x.dtype)
    cols = np.full((flat.shape[0], flat.shape[2]), -1, x.dtype)
    for b in range(flat.shape[0]):
        s = flat[b].astype(np.float64)
        order = np.argsort(s, axis=None, kind="stable")
        if not p.is_ascend:
            order = np.argsort(-s, axis=None, kind="stable")
        n_match = 0
        for k in order:
            i, j = divmod(int(k), s.shape[1])
            v = s[i, j]
            if (v < p.threshold) if not p.is_ascend else (v > p.threshold):
                break
            if rows[b, i] == -1 and cols[b, j] == -1:
                rows[b, i], cols[b, j] = j, i
                n_match += 1
                if 0 < p.topk <= n_match:
                    break
    return xp.asarray(rows.reshape(x.shape[:-1])), xp.asarray(cols.reshape(x.shape[:-2] + x.shape[-1:]))


def _bm_shape(p, s):
    d = s[0]
    if d is not None and len(d) < 2:
        raise ShapeError(f"data must have at least 2 dims, given {d}")
    return list(s), [None, None] if d is None else [d[:-1], d[:-2] + d[-1:]]


register_pair(
    "_contrib_bipartite_matching",
    _bm_forward,
    None,
    params={
        "is_ascend": Param("bool", False, doc="match the smallest scores first"),
        "threshold": Param("float", doc="stop at scores below it (above it with is_ascend)"),
        "topk": Param("int", -1, doc="at most this many matches (-1: no limit)"),
    },
    outputs=("row_marker", "col_marker"),
    infer_shape=_bm_shape,
    infer_type=lambda p, t: same_type(p, t, 2),
    doc=(
        "Greedy bipartite matching of a (..., N, M) score matrix: the best remaining pair first.\n"
        "Outputs the matched column per row and the matched row per column (-1: none).\n\n"
        "Parameters: data; is_ascend (False); threshold (float, required); topk (-1).\n\n"
        ">>> import mxpy as mx\n>>> r, c = mx.nd.contrib.bipartite_matching(mx.nd.array([[0.5, 0.6], [0.1, 0.2]]), threshold=1e-12)\n"
        ">>> r.asnumpy().tolist(), c.asnumpy().tolist()\n([1.0, 0.0], [1.0, 0.0])"
    ),
)

# -- box_encode / box_decode --------------------------------------------------------------------


def _encode_forward(p, xp, samples, matches, anchors, refs, means, stds):
    s, m = _host(samples), _host(matches).astype(np.int64)
    a = to_center(_host(anchors).astype(np.float64))
    r = _host(refs).astype(np.float64)
    ref = to_center(np.take_along_axis(r, np.clip(m, 0, r.shape[1] - 1)[..., None], axis=1))
    mu, sd = _host(means).astype(np.float64), _host(stds).astype(np.float64)
    t = np.stack(
        [
            ((ref[..., 0] - a[..., 0]) / a[..., 2] - mu[0]) / sd[0],
            ((ref[..., 1] - a[..., 1]) / a[..., 3] - mu[1]) / sd[1],
            (np.log(ref[..., 2] / a[..., 2]) - mu[2]) / sd[2],
            (np.log(ref[..., 3] / a[..., 3]) - mu[3]) / sd[3],
        ],
        axis=-1,
    )
    pos = (s > 0.5)[..., None]
    dt = anchors.dtype
    return xp.asarray(np.where(pos, t, 0).astype(dt)), xp.asarray(np.broadcast_to(pos, t.shape).astype(dt))


def _encode_shape(p, s):
    samples, matches, anchors, refs, means, stds = s
    out = None if anchors is None else anchors
    return [samples, matches, anchors, refs, means or (4,), stds or (4,)], [out, out]


register_pair(
    "_contrib_box_encode",
    _encode_forward,
    None,
    inputs=("samples", "matches", "anchors", "refs", "means", "stds"),
    outputs=("output0", "output1"),
    infer_shape=_encode_shape,
    infer_type=lambda p, t: (list(t), [t[2], t[2]]),
    doc=(
        "Regression targets of matched anchors: ((center offset / anchor size, log size ratio) - means) / stds,\n"
        "for anchors whose sample marker is positive (> 0.5); a mask of those anchors.\n\n"
        "Parameters: samples (B, N); matches (B, N) indices into refs; anchors (B, N, 4) and refs (B, M, 4)\n"
        "corner boxes; means (4,); stds (4,).\n\n"
        ">>> import mxpy as mx\n>>> a = mx.nd.array([[[0, 0, 1, 1]]])\n"
        ">>> mx.nd.contrib.box_encode(mx.nd.array([[1]]), mx.nd.array([[0]]), a, a, mx.nd.zeros(4), mx.nd.ones(4))[0].asnumpy().tolist()\n"
        "[[[0.0, 0.0, 0.0, 0.0]]]"
    ),
)


def _decode_forward(p, xp, data, anchors):
    d = _host(data).astype(np.float64)
    a = _host(anchors).astype(np.float64)
    a = to_center(a) if p.format == "corner" else a
    dw, dh = d[..., 2] * p.std2, d[..., 3] * p.std3
    if p.clip > 0:
        dw, dh = np.minimum(dw, p.clip), np.minimum(dh, p.clip)
    x = d[..., 0] * p.std0 * a[..., 2] + a[..., 0]
    y = d[..., 1] * p.std1 * a[..., 3] + a[..., 1]
    w = np.exp(dw) * a[..., 2] / 2
    h = np.exp(dh) * a[..., 3] / 2
    return xp.asarray(np.stack([x - w, y - h, x + w, y + h], axis=-1).astype(data.dtype))


register_pair(
    "_contrib_box_decode",
    _decode_forward,
    None,
    params={
        "std0": Param("float", 1.0, doc="scale of the x offset"),
        "std1": Param("float", 1.0, doc="scale of the y offset"),
        "std2": Param("float", 1.0, doc="scale of the log width ratio"),
        "std3": Param("float", 1.0, doc="scale of the log height ratio"),
        "clip": Param("float", -1.0, doc="upper bound of the scaled log size ratios (-1: none)"),
        "format": Param("str", "center", choices=_FMT, doc="coordinate format of the anchors"),
    },
    inputs=("data", "anchors"),
    infer_shape=lambda p, s: (list(s), [s[0]]),
    infer_type=lambda p, t: (list(t), [t[0]]),
    doc=(
        "Boxes (corner format) from regression outputs data (B, N, 4) relative to anchors (1 or B, N, 4).\n\n"
        "Parameters: data; anchors; std0..std3 (1.0); clip (-1); format of the anchors ('center').\n\n"
        ">>> import mxpy as mx\n>>> mx.nd.contrib.box_decode(mx.nd.zeros((1, 1, 4)), mx.nd.array([[[1, 1, 2, 2]]])).asnumpy().tolist()\n"
        "[[[0.0, 0.0, 2.0, 2.0]]]"
    ),
)
