"""Battery cases for the _image_* operators (mx.nd.image); MXNet-golden values are in tests/test_image_ops.py."""

from __future__ import annotations

import numpy as np

from . import add, f32
from ._pair import add_pair

IMG = np.random.default_rng(3).integers(0, 256, (5, 6, 3)).astype(np.uint8)
IMGF = IMG.astype(np.float32)
BATCH = np.random.default_rng(4).integers(0, 256, (2, 4, 5, 3)).astype(np.uint8)
CHW = f32(3, 4, 5, lo=0.0, hi=1.0, seed=5)
NO_GRAD = "image ops other than normalize have no gradient rule (as MXNet)"
EIG = np.array(
    [
        [55.46 * -0.5675, 4.794 * 0.7192, 1.148 * 0.4009],
        [55.46 * -0.5808, 4.794 * -0.0045, 1.148 * -0.8140],
        [55.46 * -0.5836, 4.794 * -0.6948, 1.148 * 0.4203],
    ],
    np.float32,
)


def _to_tensor(x):
    return np.moveaxis(x.astype(np.float32) / 255.0, -1, -3)


def _normalize(x, mean, std):
    c = x.shape[-3]
    m = np.resize(np.asarray(mean, np.float32), c).reshape(-1, 1, 1)
    s = np.resize(np.asarray(std, np.float32), c).reshape(-1, 1, 1)
    return (x - m) / s


def _resize(x, size, keep_ratio=False, interp=1):
    import pytest

    cv2 = pytest.importorskip("cv2")
    w, h = size if len(size) == 2 else (size[0], size[0])
    imgs = x if x.ndim == 4 else x[None]
    out = np.stack([cv2.resize(im, (w, h), interpolation=interp) for im in imgs])
    return out if x.ndim == 4 else out[0]


def _sat(v, dtype):
    return np.clip(v, 0, 255).astype(np.uint8) if dtype == np.uint8 else v.astype(dtype)


def _either(flipped_axis):
    def check(outs, ins, params):
        (y,), (x,) = outs, ins
        assert y.shape == x.shape and y.dtype == x.dtype
        assert np.array_equal(y, x) or np.array_equal(y, np.flip(x, flipped_axis)), "neither the image nor its mirror"

    return check


def _same_as_input(atol):
    def check(outs, ins, params):
        (y,), (x,) = outs, ins
        assert y.shape == x.shape and y.dtype == x.dtype
        assert np.abs(y.astype(np.float64) - x.astype(np.float64)).max() <= atol

    return check


add("_image_to_tensor", [IMG], ref=_to_tensor, no_grad_reason=NO_GRAD)
add("_image_to_tensor", [BATCH], ref=_to_tensor, no_grad_reason=NO_GRAD, note="batch")
add_pair("_image_normalize", [CHW], {"mean": (0.1, 0.2, 0.3), "std": (0.5, 0.25, 2.0)}, ref=_normalize)
add("_image_normalize", [f32(2, 1, 3, 3, seed=6)], {"mean": (0.5,), "std": (0.2,)}, ref=_normalize, note="batch")
add(
    "_image_crop",
    [IMG],
    {"x": 1, "y": 2, "width": 3, "height": 2},
    ref=lambda img, **p: img[p["y"] : p["y"] + p["height"], p["x"] : p["x"] + p["width"]],
    no_grad_reason=NO_GRAD,
)
add(
    "_image_crop",
    [BATCH],
    {"x": 0, "y": 1, "width": 2, "height": 3},
    ref=lambda img, **p: img[:, p["y"] : p["y"] + p["height"], p["x"] : p["x"] + p["width"]],
    no_grad_reason=NO_GRAD,
    note="batch",
)
add("_image_resize", [IMG], {"size": (4, 3)}, ref=lambda x, **p: _resize(x, p["size"]), no_grad_reason=NO_GRAD, atol=1)
add("_image_resize", [BATCH], {"size": (7,), "interp": 0}, ref=lambda x, **p: _resize(x, p["size"], interp=0), no_grad_reason=NO_GRAD, note="batch")
add("_image_flip_left_right", [IMG], ref=lambda x: x[:, ::-1], no_grad_reason=NO_GRAD)
add("_image_flip_top_bottom", [IMG], ref=lambda x: x[::-1], no_grad_reason=NO_GRAD)
add("_image_random_flip_left_right", [IMG], check=_either(1), no_grad_reason=NO_GRAD)
add("_image_random_flip_top_bottom", [IMG], check=_either(0), no_grad_reason=NO_GRAD)
add(
    "_image_random_brightness",
    [IMG],
    {"min_factor": 1.5, "max_factor": 1.5},
    ref=lambda x, **p: _sat(x.astype(np.float32) * 1.5, x.dtype),
    no_grad_reason=NO_GRAD,
    atol=1,
)
add("_image_random_brightness", [IMGF], {"min_factor": 0.5, "max_factor": 0.5}, ref=lambda x, **p: x * 0.5, no_grad_reason=NO_GRAD, note="f32")


def _contrast(x, min_factor, max_factor):
    a = np.float32(min_factor)
    gray_mean = (x.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)).mean()
    return _sat(x.astype(np.float32) * a + (1 - a) * gray_mean, x.dtype)


add("_image_random_contrast", [IMGF], {"min_factor": 0.7, "max_factor": 0.7}, ref=_contrast, no_grad_reason=NO_GRAD, rtol=1e-4, atol=1e-3)
add("_image_random_saturation", [IMG], {"min_factor": 1.0, "max_factor": 1.0}, check=_same_as_input(0), no_grad_reason=NO_GRAD)
add("_image_random_hue", [IMG], {"min_factor": 0.0, "max_factor": 0.0}, check=_same_as_input(1), no_grad_reason=NO_GRAD)
add("_image_random_color_jitter", [IMG], {"brightness": 0.0, "contrast": 0.0, "saturation": 0.0, "hue": 0.0}, check=_same_as_input(0), no_grad_reason=NO_GRAD)
add(
    "_image_adjust_lighting",
    [IMGF],
    {"alpha": (0.02, -0.01, 0.03)},
    ref=lambda x, alpha: x + EIG @ np.asarray(alpha, np.float32),
    no_grad_reason=NO_GRAD,
    rtol=1e-5,
    atol=1e-4,
)
add("_image_random_lighting", [IMGF], {"alpha_std": 0.0}, check=_same_as_input(0), no_grad_reason=NO_GRAD)
