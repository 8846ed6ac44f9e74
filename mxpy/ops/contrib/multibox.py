"""SSD's anchor operators: _contrib_MultiBoxPrior, _contrib_MultiBoxTarget, _contrib_MultiBoxDetection.

Boxes are corner format, normalised to [0, 1]. The steps follow MXNet
1.9.1's CPU kernels (matching order, hard-negative mining by background
probability, NMS with ``iou >= nms_threshold``); none has a gradient (MXNet
gives zeros), so they sit outside the differentiated part of a network.
"""

from __future__ import annotations

import numpy as np

from ...registry import Param, ShapeError, same_type
from .._pair import register_pair
from .boxes import _host, iou_matrix

# -- MultiBoxPrior -------------------------------------------------------------------------

_PRIOR_PARAMS = {
    "sizes": Param("tuple", (1.0,), doc="box sizes, as fractions of the image height"),
    "ratios": Param("tuple", (1.0,), doc="width / height ratios"),
    "clip": Param("bool", False, doc="clip the boxes to [0, 1]"),
    "steps": Param("tuple", (-1.0, -1.0), doc="(y, x) distance between anchor centres; -1: 1 / feature size"),
    "offsets": Param("tuple", (0.5, 0.5), doc="(y, x) offset of the first centre, in steps"),
}


def _prior_shape(p, s):
    d = s[0]
    if d is None:
        return list(s), [None]
    if len(d) != 4:
        raise ShapeError(f"data must be 4-D (N, C, H, W), given {d}")
    n = len(p.sizes) + len(p.ratios) - 1
    return list(s), [(1, d[2] * d[3] * n, 4)]


def _prior_forward(p, xp, data):
    h, w = data.shape[2], data.shape[3]
    step_y = p.steps[0] if p.steps[0] > 0 else 1.0 / h
    step_x = p.steps[1] if p.steps[1] > 0 else 1.0 / w
    cy = (np.arange(h) + p.offsets[0]) * step_y
    cx = (np.arange(w) + p.offsets[1]) * step_x
    # half widths and heights: every size with the first ratio, then the first size with the other ratios
    shapes = [(s, p.ratios[0]) for s in p.sizes] + [(p.sizes[0], r) for r in p.ratios[1:]]
    hw = np.array([s * h / w * np.sqrt(r) / 2 for s, r in shapes])
    hh = np.array([s / np.sqrt(r) / 2 for s, r in shapes])
    yy, xx = np.meshgrid(cy, cx, indexing="ij")
    out = np.stack([xx[..., None] - hw, yy[..., None] - hh, xx[..., None] + hw, yy[..., None] + hh], axis=-1)
    if p.clip:
        out = np.clip(out, 0.0, 1.0)
    return xp.asarray(out.reshape(1, -1, 4).astype(data.dtype))


register_pair(
    "_contrib_MultiBoxPrior",
    _prior_forward,
    None,
    params=_PRIOR_PARAMS,
    infer_shape=_prior_shape,
    doc=(
        "Anchor boxes centred on every position of a (N, C, H, W) feature map: (1, H * W * A, 4) with\n"
        "A = len(sizes) + len(ratios) - 1 boxes per position.\n\n"
        "Parameters: data; sizes ((1.0,)); ratios ((1.0,)); clip (False); steps ((-1, -1)); offsets ((0.5, 0.5)).\n\n"
        ">>> import mxpy as mx\n>>> mx.nd.contrib.MultiBoxPrior(mx.nd.zeros((1, 1, 2, 2)), sizes=(0.5,)).asnumpy()[0, 0].tolist()\n"
        "[0.0, 0.0, 0.5, 0.5]"
    ),
)

# -- MultiBoxTarget -------------------------------------------------------------------------

_VAR = Param("tuple", (0.1, 0.1, 0.2, 0.2), doc="variances dividing the (x, y, w, h) targets")

_TARGET_PARAMS = {
    "overlap_threshold": Param("float", 0.5, doc="anchors overlapping a label more than this are positive"),
    "ignore_label": Param("float", -1.0, doc="class target of anchors that are neither positive nor mined negatives"),
    "negative_mining_ratio": Param("float", -1.0, doc="negatives per positive (-1: every other anchor is negative)"),
    "negative_mining_thresh": Param("float", 0.5, doc="only anchors overlapping less than this may be negatives"),
    "minimum_negative_samples": Param("int", 0, doc="accepted (MXNet's CPU kernel does not use it)"),
    "variances": _VAR,
}


def _target_shape(p, s):
    anchor, label, cls_pred = s
    if anchor is None or cls_pred is None:
        return list(s), [None, None, None]
    n = anchor[1]
    b = cls_pred[0]
    if cls_pred[2] != n:
        raise ShapeError(f"cls_pred {cls_pred} must have one column per anchor ({n})")
    return list(s), [(b, n * 4), (b, n * 4), (b, n)]


def _encode(anchor, gt, var):
    aw, ah = anchor[2] - anchor[0], anchor[3] - anchor[1]
    ax, ay = (anchor[0] + anchor[2]) / 2, (anchor[1] + anchor[3]) / 2
    gw, gh = gt[2] - gt[0], gt[3] - gt[1]
    gx, gy = (gt[0] + gt[2]) / 2, (gt[1] + gt[3]) / 2
    return [(gx - ax) / aw / var[0], (gy - ay) / ah / var[1], np.log(gw / aw) / var[2], np.log(gh / ah) / var[3]]


def _target_one(p, anchors, label, cls_pred, loc_t, loc_m, cls_t):
    n_valid = 0
    while n_valid < len(label) and label[n_valid, 0] != -1:
        n_valid += 1
    if n_valid == 0:
        return
    gts = label[:n_valid]
    overlaps = iou_matrix(anchors, gts[:, 1:5])  # (anchors, labels)
    n_anchor = len(anchors)
    flags = np.full(n_anchor, -1)
    best_iou = np.full(n_anchor, -1.0)
    best_gt = np.full(n_anchor, -1)
    gt_done = np.zeros(n_valid, bool)
    positive = 0
    while not gt_done.all():  # greedy bipartite matching, best overlap first
        masked = np.where((flags[:, None] == 1) | gt_done[None, :], -np.inf, overlaps)
        j, k = np.unravel_index(np.argmax(masked), masked.shape)
        if not masked[j, k] > 1e-6:
            break
        best_iou[j], best_gt[j] = masked[j, k], k
        gt_done[k] = True
        flags[j] = 1
        positive += 1
    if p.overlap_threshold > 0:
        for j in range(n_anchor):
            if flags[j] == 1:
                continue
            k = int(np.argmax(overlaps[j]))
            best_iou[j], best_gt[j] = overlaps[j, k], k
            if overlaps[j, k] > p.overlap_threshold:
                positive += 1
                gt_done[k] = True
                flags[j] = 1
    if p.negative_mining_ratio > 0:
        n_neg = min(int(positive * p.negative_mining_ratio), n_anchor - positive)
        if n_neg > 0:
            cand = []
            for j in range(n_anchor):
                if flags[j] == 1:
                    continue
                if best_iou[j] < 0:
                    k = int(np.argmax(overlaps[j]))
                    best_iou[j], best_gt[j] = overlaps[j, k], k
                if best_iou[j] < p.negative_mining_thresh and flags[j] == -1:
                    z = cls_pred[:, j] - cls_pred[:, j].max()
                    cand.append((-(np.exp(z[0]) / np.exp(z).sum()), j))
            cand.sort(key=lambda c: -c[0])  # stable: hardest negatives (least background) first
            for _, j in cand[:n_neg]:
                flags[j] = 0
    else:
        flags[flags != 1] = 0
    for j in range(n_anchor):
        if flags[j] == 1:
            g = gts[best_gt[j]]
            cls_t[j] = g[0] + 1
            loc_m[4 * j : 4 * j + 4] = 1
            loc_t[4 * j : 4 * j + 4] = _encode(anchors[j], g[1:5], p.variances)
        elif flags[j] == 0:
            cls_t[j] = 0


def _target_forward(p, xp, anchor, label, cls_pred):
    if len(p.variances) != 4:
        raise ValueError(f"MultiBoxTarget: variances must hold 4 values, given {p.variances}")
    anchors = _host(anchor).reshape(-1, 4).astype(np.float64)
    labels = _host(label).astype(np.float64)
    preds = _host(cls_pred).astype(np.float64)
    b, n = preds.shape[0], anchors.shape[0]
    loc_t, loc_m = np.zeros((b, 4 * n)), np.zeros((b, 4 * n))
    cls_t = np.full((b, n), p.ignore_label)
    for i in range(b):
        _target_one(p, anchors, labels[i], preds[i], loc_t[i], loc_m[i], cls_t[i])
    dt = anchor.dtype
    return tuple(xp.asarray(a.astype(dt)) for a in (loc_t, loc_m, cls_t))


register_pair(
    "_contrib_MultiBoxTarget",
    _target_forward,
    None,
    params=_TARGET_PARAMS,
    inputs=("anchor", "label", "cls_pred"),
    outputs=("loc_target", "loc_mask", "cls_target"),
    infer_shape=_target_shape,
    infer_type=lambda p, t: (list(t), [t[0]] * 3),
    doc=(
        "Training targets of SSD anchors: box regression targets (B, A * 4), their mask, and class\n"
        "targets (B, A): label class + 1 for matched anchors, 0 for negatives, ignore_label otherwise.\n\n"
        "Parameters: anchor (1, A, 4); label (B, M, 5) rows [class, xmin, ymin, xmax, ymax], -1 padded;\n"
        "cls_pred (B, classes, A); overlap_threshold (0.5); ignore_label (-1); negative_mining_ratio (-1);\n"
        "negative_mining_thresh (0.5); minimum_negative_samples (0); variances ((0.1, 0.1, 0.2, 0.2)).\n\n"
        ">>> import mxpy as mx\n>>> a = mx.nd.array([[[0.1, 0.1, 0.5, 0.5]]])\n"
        ">>> mx.nd.contrib.MultiBoxTarget(a, mx.nd.array([[[0, 0.1, 0.1, 0.5, 0.5]]]), mx.nd.zeros((1, 2, 1)))[2].asnumpy().tolist()\n"
        "[[1.0]]"
    ),
)

# -- MultiBoxDetection ------------------------------------------------------------------------

_DET_PARAMS = {
    "clip": Param("bool", True, doc="clip the boxes to [0, 1]"),
    "threshold": Param("float", 0.01, doc="detections scoring below it are dropped"),
    "background_id": Param("int", 0, doc="the background class (MXNet's kernel takes class 0)"),
    "nms_threshold": Param("float", 0.5, doc="suppress same-class boxes overlapping at least this much"),
    "force_suppress": Param("bool", False, doc="suppress across classes too"),
    "variances": _VAR,
    "nms_topk": Param("int", -1, doc="suppress among the top k detections only (-1: all)"),
}


def _decode(anchors, loc, var, clip):
    aw, ah = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
    ax, ay = (anchors[:, 0] + anchors[:, 2]) / 2, (anchors[:, 1] + anchors[:, 3]) / 2
    px, py = loc[:, 0] * var[0] * aw + ax, loc[:, 1] * var[1] * ah + ay
    pw, ph = np.exp(loc[:, 2] * var[2]) * aw / 2, np.exp(loc[:, 3] * var[3]) * ah / 2
    out = np.stack([px - pw, py - ph, px + pw, py + ph], axis=1)
    return np.clip(out, 0.0, 1.0) if clip else out


def _detect_one(p, prob, loc, anchors, out):
    n = anchors.shape[0]
    cls = prob[1:].argmax(axis=0) + 1
    score = prob[1:].max(axis=0) if prob.shape[0] > 1 else np.full(n, -1.0)
    cls = np.where(score < p.threshold, 0, cls)
    rows = np.concatenate([(cls - 1)[:, None], score[:, None], _decode(anchors, loc.reshape(-1, 4), p.variances, p.clip)], axis=1)
    valid = rows[rows[:, 0] >= 0]
    out[: len(valid)] = valid
    if len(valid) < 1 or p.nms_threshold <= 0 or p.nms_threshold > 1:
        return
    order = np.argsort(-valid[:, 1], kind="stable")
    keep = len(order)
    if 0 < p.nms_topk < keep:
        keep = p.nms_topk
        out[keep : len(valid), 0] = -1  # the rows past the top k keep their unsorted values, as in MXNet
    out[:keep] = valid[order[:keep]]
    iou = iou_matrix(out[:keep, 2:6], out[:keep, 2:6])
    for i in range(keep):
        if out[i, 0] < 0:
            continue
        for j in range(i + 1, keep):
            if out[j, 0] >= 0 and (p.force_suppress or out[i, 0] == out[j, 0]) and iou[i, j] >= p.nms_threshold:
                out[j, 0] = -1


def _detect_forward(p, xp, cls_prob, loc_pred, anchor):
    if len(p.variances) != 4:
        raise ValueError(f"MultiBoxDetection: variances must hold 4 values, given {p.variances}")
    prob = _host(cls_prob).astype(np.float64)
    loc = _host(loc_pred).astype(np.float64)
    anchors = _host(anchor).reshape(-1, 4).astype(np.float64)
    out = np.full((prob.shape[0], anchors.shape[0], 6), -1.0)
    for b in range(prob.shape[0]):
        _detect_one(p, prob[b], loc[b], anchors, out[b])
    return xp.asarray(out.astype(cls_prob.dtype))


def _detect_shape(p, s):
    cls_prob, loc_pred, anchor = s
    if cls_prob is None:
        return list(s), [None]
    if len(cls_prob) != 3:
        raise ShapeError(f"cls_prob must be (batch, classes, anchors), given {cls_prob}")
    b, _, n = cls_prob
    if loc_pred is not None and loc_pred != (b, n * 4):
        raise ShapeError(f"loc_pred has shape {loc_pred}, expected {(b, n * 4)}")
    if anchor is not None and anchor[-2:] != (n, 4):
        raise ShapeError(f"anchor has shape {anchor}, expected (1, {n}, 4)")
    return [cls_prob, loc_pred or (b, n * 4), anchor or (1, n, 4)], [(b, n, 6)]


register_pair(
    "_contrib_MultiBoxDetection",
    _detect_forward,
    None,
    params=_DET_PARAMS,
    inputs=("cls_prob", "loc_pred", "anchor"),
    infer_shape=_detect_shape,
    infer_type=lambda p, t: same_type(p, t, 1),
    doc=(
        "Detections from SSD outputs: per anchor the best non-background class and its score, the decoded\n"
        "box, sorted by score with non-maximum suppression; rows [class, score, xmin, ymin, xmax, ymax],\n"
        "class -1 for dropped ones. Shape (B, A, 6).\n\n"
        "Parameters: cls_prob (B, classes, A); loc_pred (B, A * 4); anchor (1, A, 4); clip (True);\n"
        "threshold (0.01); background_id (0); nms_threshold (0.5); force_suppress (False);\n"
        "variances ((0.1, 0.1, 0.2, 0.2)); nms_topk (-1).\n\n"
        ">>> import mxpy as mx\n>>> prob = mx.nd.array([[[0.2], [0.8]]])\n"
        ">>> mx.nd.contrib.MultiBoxDetection(prob, mx.nd.zeros((1, 4)), mx.nd.array([[[0, 0, 1, 1]]]))[0, 0, :2].asnumpy().round(2).tolist()\n"
        "[0.0, 0.8]"
    ),
)
