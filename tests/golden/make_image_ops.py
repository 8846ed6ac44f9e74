"""Golden outputs of MXNet 1.9.1's mx.nd.image operators for tests/test_image_ops.py.

Run: /work/shared/tools/mxnet-reference tests/golden/make_image_ops.py
Writes tests/golden/image/image_ops.npz: every case of cases() below (fixed
inputs; the random colour ops with min_factor == max_factor, so they are
deterministic).
"""

import os

import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "image")


def inputs():
    rs = np.random.RandomState(4)
    img = rs.randint(0, 256, (6, 7, 3)).astype(np.uint8)
    return {
        "img": img,
        "imgf": img.astype(np.float32),
        "batch": rs.randint(0, 256, (2, 5, 6, 3)).astype(np.uint8),
        "gray": rs.randint(0, 256, (5, 4, 1)).astype(np.uint8),
    }


def cases():
    """name -> (input name, op short name, params)."""
    out = {
        "to_tensor": ("img", "to_tensor", {}),
        "to_tensor_batch": ("batch", "to_tensor", {}),
        "crop": ("img", "crop", {"x": 1, "y": 2, "width": 4, "height": 3}),
        "crop_batch": ("batch", "crop", {"x": 0, "y": 1, "width": 3, "height": 2}),
        "resize_wh": ("img", "resize", {"size": (10, 4)}),
        "resize_square_cubic": ("img", "resize", {"size": (9,), "interp": 2}),
        "resize_keep": ("img", "resize", {"size": (4,), "keep_ratio": True}),
        "resize_batch": ("batch", "resize", {"size": (3, 8)}),
        "resize_float_area": ("imgf", "resize", {"size": (3, 3), "interp": 3}),
        "flip_lr": ("img", "flip_left_right", {}),
        "flip_tb": ("img", "flip_top_bottom", {}),
        "adjust_lighting": ("img", "adjust_lighting", {"alpha": (0.02, -0.01, 0.03)}),
        "adjust_lighting_f": ("imgf", "adjust_lighting", {"alpha": (-0.1, 0.05, 0.01)}),
    }
    for name in ("brightness", "contrast", "saturation", "hue"):
        for tag, f in (("up", 1.3), ("down", 0.6)):
            v = f if name != "hue" else (0.15 if tag == "up" else 0.4)
            out[f"{name}_{tag}"] = ("img", "random_" + name, {"min_factor": v, "max_factor": v})
            out[f"{name}_{tag}_f"] = ("imgf", "random_" + name, {"min_factor": v, "max_factor": v})
        out[f"{name}_gray"] = ("gray", "random_" + name, {"min_factor": 0.7, "max_factor": 0.7})
    return out


def normalize_cases():
    return {
        "normalize3": ((3, 4, 5), {"mean": (0.1, 0.2, 0.3), "std": (0.5, 0.25, 2.0)}),
        "normalize_batch1": ((2, 1, 3, 3), {"mean": (0.5,), "std": (0.2,)}),
    }


def transform_cases(T):
    """name -> (input name, transform built from the transforms module T, hybridize?)."""
    return {
        "t_resize": ("img", T.Resize((5, 9)), False),
        "t_resize_keep": ("img", T.Resize(4, keep_ratio=True, interpolation=2), True),
        "t_center_crop": ("img", T.CenterCrop((4, 3)), False),
        "t_crop_resize": ("img", T.CropResize(1, 0, 5, 4, size=(3, 3), interpolation=1), False),
        "t_compose": ("img", T.Compose([T.Resize(10), T.CenterCrop(8), T.ToTensor(), T.Normalize((0.4, 0.5, 0.6), (0.2, 0.3, 0.25))]), False),
        "t_hybrid_chain": ("batch", T.Compose([T.Cast("float32"), T.ToTensor(), T.Normalize(0.5, 0.25)]), False),
    }


if __name__ == "__main__":
    import mxnet as mx

    ins = inputs()
    res = {}
    for name, (src, op, params) in cases().items():
        res[name] = getattr(mx.nd.image, op)(mx.nd.array(ins[src], dtype=ins[src].dtype), **params).asnumpy()
    rs = np.random.RandomState(9)
    for name, (shape, params) in normalize_cases().items():
        x = rs.rand(*shape).astype(np.float32)
        res[name + "/in"] = x
        res[name] = mx.nd.image.normalize(mx.nd.array(x), **params).asnumpy()
    from mxnet.gluon.data.vision import transforms as T

    for name, (src, t, hyb) in transform_cases(T).items():
        if hyb:
            t.hybridize()
        res[name] = t(mx.nd.array(ins[src], dtype=ins[src].dtype)).asnumpy()
    np.savez_compressed(os.path.join(HERE, "image_ops.npz"), **res)
    print(len(res), "arrays")
