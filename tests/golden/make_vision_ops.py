"""Golden values for tests/test_vision_ops.py from real MXNet 1.9.1.

Run: ../shared/tools/mxnet-reference tests/golden/make_vision_ops.py
Writes tests/golden/vision_ops.npz: per case ``<case>/in<i>`` inputs,
``<case>/out<i>`` outputs, ``<case>/head`` a head gradient and
``<case>/grad<i>`` the input gradients where MXNet's CPU build has them; and
tests/golden/vision_ops.json: per case the op and its params, and the Gluon
contrib.cnn blocks' parameter names and shapes.
"""

import json
import os

import mxnet as mx
import numpy as np

rs = np.random.RandomState(5)
arrays = {}
cases = []


def run(name, op, ins, params, grad=True, n_out=1):
    arrs = [mx.nd.array(x, dtype=x.dtype) for x in ins]
    if grad:
        for a in arrs:
            a.attach_grad()
        with mx.autograd.record():
            out = getattr(mx.nd.contrib, op)(*arrs, **params)
        head = rs.uniform(-1, 1, out.shape)
        out.backward(mx.nd.array(head, dtype=out.dtype))
        arrays[f"{name}/head"] = head
        for i, a in enumerate(arrs):
            arrays[f"{name}/grad{i}"] = a.grad.asnumpy()
    else:
        out = getattr(mx.nd.contrib, op)(*arrs, **params)
    outs = out if isinstance(out, list) else [out]
    for i, x in enumerate(ins):
        arrays[f"{name}/in{i}"] = x
    for i, o in enumerate(outs[:n_out]):
        arrays[f"{name}/out{i}"] = o.asnumpy()
    cases.append({"name": name, "op": op, "params": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}, "grad": grad})


def f64(*shape, lo=0.0, hi=1.0):
    return rs.uniform(lo, hi, shape)


# deformable convolution v1: offsets large enough that some samples leave the image
x = f64(2, 4, 5, 6)
run(
    "dcn_groups",
    "DeformableConvolution",
    [x, f64(2, 2 * 18, 5, 6, lo=-2, hi=2), f64(4, 2, 3, 3, lo=-1, hi=1), f64(4)],
    {"kernel": (3, 3), "pad": (1, 1), "num_filter": 4, "num_group": 2, "num_deformable_group": 2},
)
run(
    "dcn_stride_dilate",
    "DeformableConvolution",
    [x, f64(2, 12, 2, 3, lo=-1.5, hi=1.5), f64(3, 4, 3, 2, lo=-1, hi=1)],
    {"kernel": (3, 2), "stride": (2, 2), "dilate": (2, 1), "pad": (1, 0), "num_filter": 3, "no_bias": True},
)
# modulated (v2): MXNet 1.9.1 has only the forward on CPU
run(
    "mdcn",
    "ModulatedDeformableConvolution",
    [x, f64(2, 36, 5, 6, lo=-2, hi=2), f64(2, 18, 5, 6), f64(4, 4, 3, 3, lo=-1, hi=1), f64(4)],
    {"kernel": (3, 3), "pad": (1, 1), "num_filter": 4, "num_deformable_group": 2},
    grad=False,
)
run(
    "mdcn_stride",
    "ModulatedDeformableConvolution",
    [x, f64(2, 8, 2, 3, lo=-1.5, hi=1.5), f64(2, 4, 2, 3), f64(2, 2, 2, 2, lo=-1, hi=1)],
    {"kernel": (2, 2), "stride": (2, 2), "num_filter": 2, "num_group": 2, "no_bias": True},
    grad=False,
)

# PSROIPooling: ROIs in image coordinates, some bins empty or clipped at the border
feat = f64(2, 2 * 3 * 3, 7, 8)
rois = np.array([[0, 10, 22, 100, 90], [1, 20, 15, 154, 160], [1, 3.4, 5.6, 30.2, 41.7], [0, 100, 90, 101, 92]], np.float64)
run("psroi", "PSROIPooling", [feat, rois], {"spatial_scale": 0.0625, "output_dim": 2, "pooled_size": 3})
run(
    "psroi_group",
    "PSROIPooling",
    [f64(1, 3 * 2 * 2, 6, 5), rois[:2] * [0, 0.5, 0.5, 0.5, 0.5]],
    {"spatial_scale": 0.1, "output_dim": 3, "pooled_size": 4, "group_size": 2},
)
# DeformablePSROIPooling: 2 classes, shifted bins; and without trans
dps = {"spatial_scale": 0.0625, "output_dim": 4, "group_size": 2, "pooled_size": 3, "sample_per_part": 2, "trans_std": 0.1}
run("dpsroi", "DeformablePSROIPooling", [f64(2, 16, 7, 8), rois, f64(4, 4, 3, 3, lo=-1, hi=1)], dps)
run("dpsroi_part", "DeformablePSROIPooling", [f64(2, 16, 7, 8), rois, f64(4, 2, 2, 2, lo=-1, hi=1)], dict(dps, part_size=2, sample_per_part=3))
run("dpsroi_notrans", "DeformablePSROIPooling", [f64(2, 16, 7, 8), rois], dict(dps, no_trans=True))
# RROIAlign: MXNet 1.9.1 has the forward only
rr = np.array([[0, 60, 50, 80, 40, 30], [1, 10, 100, 30, 60, 135], [0, 150, 150, 300, 20, -20]], np.float32)
run("rroi", "RROIAlign", [f64(2, 3, 12, 13).astype(np.float32), rr], {"pooled_size": (3, 4), "spatial_scale": 0.0625}, grad=False)
run("rroi_ratio", "RROIAlign", [f64(2, 3, 12, 13).astype(np.float32), rr], {"pooled_size": (2, 2), "spatial_scale": 0.0625, "sampling_ratio": 2}, grad=False)
# boolean_mask: nonzero index entries select (negative ones too)
run("bmask", "boolean_mask", [f64(5, 2, 3), np.array([0, 1, -1, 0, 2], np.float32)], {})
run("bmask_none", "boolean_mask", [f64(3, 4), np.zeros(3, np.float32)], {})
# Proposal / MultiProposal: random RPN outputs over a 5x6 map of 8-pixel cells
cls = rs.uniform(0, 1, (2, 12, 5, 6)).astype(np.float32)
deltas = rs.uniform(-0.3, 0.3, (2, 24, 5, 6)).astype(np.float32)
info = np.array([[40, 48, 1.0], [30, 41, 0.8]], np.float32)
prop = {
    "feature_stride": 8,
    "scales": (2.0, 4.0),
    "ratios": (0.5, 1.0, 2.0),
    "rpn_pre_nms_top_n": 60,
    "rpn_post_nms_top_n": 25,
    "threshold": 0.5,
    "rpn_min_size": 4,
    "output_score": True,
}
run("multiprop", "MultiProposal", [cls, deltas, info], prop, grad=False, n_out=2)
run("prop", "Proposal", [cls[1:], deltas[1:], info[1:]], prop, grad=False, n_out=2)
run("prop_iou", "Proposal", [cls[:1], deltas[:1] * 10, info[:1]], dict(prop, iou_loss=True, rpn_pre_nms_top_n=-1, threshold=0.3), grad=False, n_out=2)
run("multiprop_few", "MultiProposal", [cls, deltas, info], dict(prop, rpn_post_nms_top_n=150, rpn_pre_nms_top_n=0, threshold=0.1), grad=False, n_out=2)
doc = mx.nd.contrib.Proposal(
    mx.nd.ones((1, 2, 2, 2)), mx.nd.zeros((1, 4, 2, 2)), mx.nd.array([[32, 32, 1]]), scales=(2,), ratios=(1,), rpn_post_nms_top_n=2, rpn_min_size=1
)
print("doc example", doc[0].asnumpy().tolist())

blocks = {}
for cls in ("DeformableConvolution", "ModulatedDeformableConvolution"):
    for kw in ({"kernel_size": 3, "padding": 1}, {"kernel_size": (3, 2), "use_bias": False, "offset_use_bias": False, "num_deformable_group": 2}):
        net = getattr(mx.gluon.contrib.cnn, cls)(6, **kw)
        net.initialize()
        y = net(mx.nd.ones((1, 4, 7, 8)))
        blocks[f"{cls}{sorted(kw.items())}"] = {
            "params": {k: list(v.shape) for k, v in net.collect_params().items()},
            "out_shape": list(y.shape),
            "repr": repr(net),
        }

here = os.path.dirname(os.path.abspath(__file__))
np.savez_compressed(os.path.join(here, "vision_ops.npz"), **arrays)
with open(os.path.join(here, "vision_ops.json"), "w") as f:
    json.dump({"cases": cases, "blocks": blocks}, f, indent=1, sort_keys=True)
