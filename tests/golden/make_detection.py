"""Golden values for tests/test_detection_ops.py from real MXNet 1.9.1.

Run: ../shared/tools/mxnet-reference tests/golden/make_detection.py
Writes tests/golden/detection.json: per case the contrib op, params, inputs
and MXNet's outputs (box_nms also its input gradient for a head gradient).
"""

import json
import os

import mxnet as mx
import numpy as np

rs = np.random.RandomState(21)


def L(x):
    return np.asarray(x.asnumpy() if hasattr(x, "asnumpy") else x, dtype=np.float64).round(6).tolist()


def boxes(n, classes=3):
    xy = rs.uniform(0, 0.7, (n, 2))
    wh = rs.uniform(0.05, 0.4, (n, 2))
    return np.concatenate([rs.randint(0, classes, (n, 1)), rs.uniform(0, 1, (n, 1)), xy, xy + wh], axis=1)


cases = []


def run(op, ins, params, grad=False):
    arrs = [mx.nd.array(x) for x in ins]
    if grad:
        for a in arrs:
            a.attach_grad()
        with mx.autograd.record():
            out = getattr(mx.nd.contrib, op)(*arrs, **params)
        head = rs.uniform(-1, 1, out.shape)
        out.backward(mx.nd.array(head))
    else:
        out = getattr(mx.nd.contrib, op)(*arrs, **params)
    outs = out if isinstance(out, list) else [out]
    case = {"op": op, "params": params, "inputs": [L(x) for x in ins], "outputs": [L(o) for o in outs]}
    if grad:
        case["head"] = L(head)
        case["grad"] = L(arrs[0].grad)
    cases.append(case)


b = np.stack([boxes(12), boxes(12)])
run("box_nms", [b], {"overlap_thresh": 0.3, "id_index": 0}, grad=True)
run("box_nms", [b], {"overlap_thresh": 0.2, "force_suppress": True, "topk": 6, "valid_thresh": 0.2}, grad=True)
run("box_nms", [b], {"overlap_thresh": 0.4, "id_index": 0, "background_id": 1, "out_format": "center"})
run("box_iou", [b[0, :, 2:6], b[1, :5, 2:6]], {})
run("bipartite_matching", [rs.uniform(0, 1, (2, 5, 4))], {"threshold": 0.3})
run("MultiBoxPrior", [np.zeros((1, 2, 3, 4))], {"sizes": (0.3, 0.6), "ratios": (1, 2, 0.5), "clip": True})
run("MultiBoxPrior", [np.zeros((1, 2, 2, 3))], {"sizes": (0.5,), "steps": (0.4, 0.3), "offsets": (0.2, 0.7)})
anchors = mx.nd.contrib.MultiBoxPrior(mx.nd.zeros((1, 1, 4, 4)), sizes=(0.3, 0.5), ratios=(1, 2)).asnumpy()
n = anchors.shape[1]
labels = np.full((2, 4, 5), -1.0)
labels[0, :3] = boxes(3)[:, [0, 2, 3, 4, 5]]
labels[1, :2] = boxes(2)[:, [0, 2, 3, 4, 5]]
preds = rs.uniform(-1, 1, (2, 4, n))
run("MultiBoxTarget", [anchors, labels, preds], {})
run("MultiBoxTarget", [anchors, labels, preds], {"overlap_threshold": 0.3, "negative_mining_ratio": 3, "negative_mining_thresh": 0.4})
prob = np.exp(preds) / np.exp(preds).sum(1, keepdims=True)
loc = rs.uniform(-0.5, 0.5, (2, n * 4))
run("MultiBoxDetection", [prob, loc, anchors], {})
run("MultiBoxDetection", [prob, loc, anchors], {"threshold": 0.2, "nms_threshold": 0.3, "force_suppress": True, "nms_topk": 10, "clip": False})
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "detection.json"), "w") as f:
    json.dump(cases, f)
print(len(cases), "cases")
