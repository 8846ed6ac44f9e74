"""_contrib_Proposal and _contrib_MultiProposal: region proposals of a Faster R-CNN RPN.

Per image: anchors (one set of ``len(ratios) * len(scales)`` boxes around a
``feature_stride`` cell, shifted over the feature map, ordered (h, w, anchor))
are moved by the predicted deltas (centre/size deltas, or corner deltas with
``iou_loss``) and clipped to the image ``im_info = (height, width, scale)``;
anchors on the padded part of the map, and boxes narrower or lower than
``rpn_min_size * scale``, score -1. The ``rpn_pre_nms_top_n`` best by the
foreground score (the second half of ``cls_prob``'s channels; stable order)
go through greedy NMS (IoU with MXNet's +1 pixel areas, suppress above
``threshold``) until ``rpn_post_nms_top_n`` are kept; when fewer survive, the
kept ones repeat cyclically. Rows are ``[batch index, x1, y1, x2, y2]``; the
hidden ``score`` output holds their scores. Arithmetic is float32 as in MXNet.

Proposal takes one image; MultiProposal a batch, its rows image after image.
The gradients are zero, as MXNet's.
"""

from __future__ import annotations

import numpy as np

from ...registry import Param, ShapeError
from .._pair import register_pair

_F = np.float32

_PARAMS = {
    "rpn_pre_nms_top_n": Param("int", 6000, doc="boxes kept, by score, before NMS (<= 0: all)"),
    "rpn_post_nms_top_n": Param("int", 300, doc="boxes kept after NMS: the output rows per image"),
    "threshold": Param("float", 0.7, doc="NMS IoU above which a box is suppressed"),
    "rpn_min_size": Param("int", 16, doc="minimum box height and width, in image pixels before scaling"),
    "scales": Param("tuple", (4.0, 8.0, 16.0, 32.0), doc="anchor scales"),
    "ratios": Param("tuple", (0.5, 1.0, 2.0), doc="anchor aspect ratios (height / width)"),
    "feature_stride": Param("int", 16, doc="image pixels per feature-map cell"),
    "output_score": Param("bool", False, doc="also return the score output"),
    "iou_loss": Param("bool", False, doc="the deltas are corner offsets (IoU loss) instead of centre/size deltas"),
}


def _anchors(p) -> np.ndarray:
    """The (len(ratios) * len(scales), 4) anchors of the cell at the origin, ratio-major."""
    side = _F(p.feature_stride)
    ctr = _F(0.5) * (side - _F(1))
    out = []
    for ratio in p.ratios:
        for scale in p.scales:
            size_ratios = np.floor(side * side / _F(ratio))
            w = np.floor(np.sqrt(size_ratios) + _F(0.5)) * _F(scale)
            h = np.floor(w / _F(scale) * _F(ratio) + _F(0.5)) * _F(scale)
            out.append([ctr - _F(0.5) * (w - 1), ctr - _F(0.5) * (h - 1), ctr + _F(0.5) * (w - 1), ctr + _F(0.5) * (h - 1)])
    return np.array(out, _F)


def _nms(dets: np.ndarray, thresh: float, limit: int) -> list[int]:
    """Greedy NMS over score-sorted (n, 5) boxes: kept row indices, at most ``limit``."""
    x1, y1, x2, y2 = dets[:, 0], dets[:, 1], dets[:, 2], dets[:, 3]
    area = (x2 - x1 + 1) * (y2 - y1 + 1)
    suppressed = np.zeros(len(dets), bool)
    keep: list[int] = []
    for i in range(len(dets)):
        if len(keep) >= limit:
            break
        if suppressed[i]:
            continue
        keep.append(i)
        w = np.maximum(_F(0), np.minimum(x2[i], x2[i + 1 :]) - np.maximum(x1[i], x1[i + 1 :]) + 1)
        h = np.maximum(_F(0), np.minimum(y2[i], y2[i + 1 :]) - np.maximum(y1[i], y1[i + 1 :]) + 1)
        inter = w * h
        suppressed[i + 1 :] |= inter / (area[i] + area[i + 1 :] - inter) > _F(thresh)
    return keep


def _one_image(p, scores, deltas, info):
    """Rows (post, 4) and scores (post,) for one image: scores (A, H, W), deltas (4A, H, W), info (3,)."""
    a_n, hgt, wid = scores.shape
    stride = p.feature_stride
    shift_y, shift_x = np.meshgrid(np.arange(hgt) * stride, np.arange(wid) * stride, indexing="ij")
    shifts = np.stack([shift_x, shift_y, shift_x, shift_y], axis=-1).astype(_F)  # (H, W, 4)
    boxes = (shifts[:, :, None, :] + _anchors(p)[None, None]).reshape(-1, 4)  # (H*W*A, 4)
    d = deltas.reshape(a_n, 4, hgt, wid).transpose(2, 3, 0, 1).reshape(-1, 4).astype(_F)
    score = scores.transpose(1, 2, 0).reshape(-1).astype(_F).copy()
    im_h, im_w, im_scale = (_F(v) for v in info)
    if p.iou_loss:
        pred = boxes + d
    else:
        w = boxes[:, 2] - boxes[:, 0] + 1
        h = boxes[:, 3] - boxes[:, 1] + 1
        cx = boxes[:, 0] + _F(0.5) * (w - 1)
        cy = boxes[:, 1] + _F(0.5) * (h - 1)
        pcx, pcy = d[:, 0] * w + cx, d[:, 1] * h + cy
        pw, ph = np.exp(d[:, 2]) * w, np.exp(d[:, 3]) * h
        pred = np.stack([pcx - _F(0.5) * (pw - 1), pcy - _F(0.5) * (ph - 1), pcx + _F(0.5) * (pw - 1), pcy + _F(0.5) * (ph - 1)], axis=1)
    pred = np.clip(pred, _F(0), np.array([im_w - 1, im_h - 1, im_w - 1, im_h - 1], _F)).astype(_F)
    real_h, real_w = int(im_h / _F(stride)), int(im_w / _F(stride))
    if real_h > hgt or real_w > wid:
        raise ValueError(f"im_info ({float(im_h)}, {float(im_w)}) is larger than the feature map ({hgt}, {wid}) x feature_stride {stride} covers")
    rows, cols = np.meshgrid(np.arange(hgt), np.arange(wid), indexing="ij")
    padded = np.repeat(((rows >= real_h) | (cols >= real_w)).reshape(-1), a_n)
    score[padded] = -1
    min_size = _F(p.rpn_min_size) * im_scale
    small = (pred[:, 2] - pred[:, 0] + 1 < min_size) | (pred[:, 3] - pred[:, 1] + 1 < min_size)
    pred[small] += np.array([-1, -1, 1, 1], _F) * (min_size / _F(2))
    score[small] = -1
    count = len(score)
    pre = min(p.rpn_pre_nms_top_n if p.rpn_pre_nms_top_n > 0 else count, count)
    order = np.argsort(-score, kind="stable")[:pre]
    dets = np.concatenate([pred[order], score[order, None]], axis=1)
    keep = _nms(dets, p.threshold, min(p.rpn_post_nms_top_n, pre))
    pick = np.array(keep)[np.arange(p.rpn_post_nms_top_n) % len(keep)]
    return dets[pick, :4], dets[pick, 4]


def _host(x):
    return x.get() if hasattr(x, "get") else np.asarray(x)


def _forward(p, xp, cls_prob, bbox_pred, im_info):
    cls, deltas, info = _host(cls_prob), _host(bbox_pred), _host(im_info)
    a_n = cls.shape[1] // 2
    if a_n != len(p.ratios) * len(p.scales):
        raise ValueError(f"cls_prob has {a_n} anchors per cell (channels / 2) but ratios x scales give {len(p.ratios) * len(p.scales)}")
    post = p.rpn_post_nms_top_n
    rows = np.zeros((len(cls) * post, 5), cls.dtype)
    scores = np.zeros((len(cls) * post, 1), cls.dtype)
    for b in range(len(cls)):
        boxes, score = _one_image(p, cls[b, a_n:], deltas[b], info[b])
        rows[b * post : (b + 1) * post, 0] = b
        rows[b * post : (b + 1) * post, 1:] = boxes
        scores[b * post : (b + 1) * post, 0] = score
    return xp.asarray(rows), xp.asarray(scores)


def _shape_rule(single: bool):
    def infer(p, s):
        cls = s[0]
        if cls is None:
            return list(s), [None, None]
        if len(cls) != 4:
            raise ShapeError(f"cls_prob must be 4-D (batch, 2*anchors, height, width), given {cls}")
        if single and cls[0] != 1:
            raise ShapeError(f"Proposal takes one image (batch 1), given cls_prob {cls}; use MultiProposal for a batch")
        shapes = [cls, (cls[0], cls[1] * 2, cls[2], cls[3]), (cls[0], 3)]
        for i, name in ((1, "bbox_pred"), (2, "im_info")):
            if s[i] is not None and tuple(s[i]) != shapes[i]:
                raise ShapeError(f"{name} must have shape {shapes[i]} for cls_prob {cls}, given {s[i]}")
        n = cls[0] * p.rpn_post_nms_top_n
        return shapes, [(n, 5), (n, 1)]

    return infer


_DOC = (
    "Inputs: cls_prob (N, 2*A, H, W) background then foreground scores; bbox_pred (N, 4*A, H, W) deltas;\n"
    "im_info (N, 3) rows (height, width, scale). Parameters: rpn_pre_nms_top_n (6000); rpn_post_nms_top_n (300);\n"
    "threshold (0.7); rpn_min_size (16); scales ((4, 8, 16, 32)); ratios ((0.5, 1, 2)); feature_stride (16);\n"
    "output_score (False: only the rois are visible); iou_loss (False). Outputs: output (N*post, 5)\n"
    "[batch index, x1, y1, x2, y2]; score (N*post, 1).\n\n"
)

for _name, _single in (("_contrib_Proposal", True), ("_contrib_MultiProposal", False)):
    register_pair(
        _name,
        _forward,
        None,  # the inputs' gradients are zero: no backward op, and the head gradient is never read
        params=_PARAMS,
        inputs=("cls_prob", "bbox_pred", "im_info"),
        outputs=("output", "score"),
        num_visible_outputs=lambda p: 2 if p.output_score else 1,
        infer_shape=_shape_rule(_single),
        doc=(
            ("Region proposals of an RPN for one image (batch 1).\n\n" if _single else "Region proposals of an RPN for a batch of images.\n\n")
            + _DOC
            + ">>> import mxpy as mx\n"
            + f">>> rois = mx.nd.contrib.{_name[9:]}(mx.nd.ones((1, 2, 2, 2)), mx.nd.zeros((1, 4, 2, 2)), mx.nd.array([[32, 32, 1]]),\n"
            + "...     scales=(2,), ratios=(1,), rpn_post_nms_top_n=2, rpn_min_size=1)\n"
            + ">>> rois[0].asnumpy().tolist()\n"
            + "[0.0, 0.0, 0.0, 23.0, 23.0]"
        ),
    )
