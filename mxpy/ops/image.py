"""Image operators ``_image_*`` (``mx.nd.image`` / ``mx.sym.image``), behind ``gluon.data.vision.transforms``.

Layouts follow MXNet: ``to_tensor``, ``resize`` and ``crop`` take HxWxC or
NxHxWxC; ``normalize`` takes CxHxW or NxCxHxW; flips, colour and lighting
ops take one HxWxC image. Colour arithmetic is float32; a uint8 result is
clamped to [0, 255] and other dtypes are cast, as MXNet's kernels do. The
random ops draw their factors from the context's generator.
"""

from __future__ import annotations

import numpy as np

from ..registry import OpDef, Param, ShapeError, register
from ..registry.infer import forward_shape
from ._pair import register_pair
from ._util import store

_LUMA = np.array([0.299, 0.587, 0.114], np.float32)
# AlexNet's PCA lighting basis: eigenvectors scaled by eigenvalues, rows R, G, B.
_EIG = np.array(
    [
        [55.46 * -0.5675, 4.794 * 0.7192, 1.148 * 0.4009],
        [55.46 * -0.5808, 4.794 * -0.0045, 1.148 * -0.8140],
        [55.46 * -0.5836, 4.794 * -0.6948, 1.148 * 0.4203],
    ],
    np.float32,
)


def _host(xp, x):
    return x if xp is np else xp.asnumpy(x)


def _cast_back(val, dtype):
    """float32 result -> dtype: uint8 saturates, the rest are cast (MXNet's saturate_cast)."""
    if np.dtype(dtype) == np.uint8:
        return np.clip(val, 0.0, 255.0).astype(np.uint8)
    return val.astype(dtype)


def _hwc(what, s):
    if s is not None and (len(s) != 3 or s[2] not in (1, 3)):
        raise ShapeError(f"{what}: input image must have shape (height, width, channels) with 1 or 3 channels, given {s}")


def _hwc_or_nhwc(what, s):
    if s is not None and len(s) not in (3, 4):
        raise ShapeError(f"{what}: input must be (H, W, C) or (N, H, W, C), given {s}")


# -- to_tensor / normalize ---------------------------------------------------------------


def _to_tensor_shape(p, s):
    _hwc_or_nhwc("to_tensor", s)
    return (s[2], s[0], s[1]) if len(s) == 3 else (s[0], s[3], s[1], s[2])


def _to_tensor_kernel(p, ins, outs, req, rt):
    x = ins[0]
    axes = (2, 0, 1) if x.ndim == 3 else (0, 3, 1, 2)
    if req[0] in ("write", "inplace"):
        # one pass: divide the transposed view straight into the output
        rt.xp.divide(rt.xp.transpose(x, axes), rt.xp.float32(255.0), out=outs[0], dtype=rt.xp.float32)
    else:
        store(outs[0], req[0], rt.xp.transpose(x.astype(rt.xp.float32) / rt.xp.float32(255.0), axes))


register(
    OpDef(
        "_image_to_tensor",
        _to_tensor_kernel,
        infer_shape=forward_shape(_to_tensor_shape),
        infer_type=lambda p, t, n_out=1: (list(t), [np.dtype(np.float32)]),
        doc=(
            "Convert an image (H, W, C) or batch (N, H, W, C) with values in [0, 255] to float32 (C, H, W) / (N, C, H, W) in [0, 1].\n\n"
            "Parameters: data.\n\n>>> import mxpy as mx\n>>> mx.nd.image.to_tensor(mx.nd.ones((4, 5, 3), dtype='uint8') * 255).shape\n(3, 4, 5)"
        ),
    )
)


def _norm_stats(p, c):
    mean = np.asarray(p.mean, np.float32).ravel()
    std = np.asarray(p.std, np.float32).ravel()
    # MXNet's defaults hold 4 values; an image uses the first C of them.
    if mean.size not in (1, c):
        if mean.size == 4 and c < 4:
            mean = mean[:c]
        else:
            raise ShapeError(f"normalize: mean must hold 1 or {c} values, given {mean.size}")
    if std.size not in (1, c):
        if std.size == 4 and c < 4:
            std = std[:c]
        else:
            raise ShapeError(f"normalize: std must hold 1 or {c} values, given {std.size}")
    return mean.reshape(-1, 1, 1), std.reshape(-1, 1, 1)


def _norm_shape(p, s):
    if len(s) not in (3, 4):
        raise ShapeError(f"normalize: input must be (C, H, W) or (N, C, H, W), given {s}")
    c = s[0] if len(s) == 3 else s[1]
    if c not in (1, 3):
        raise ShapeError(f"normalize: the channel axis must hold 1 or 3 values, given shape {s}")
    _norm_stats(p, c)
    return s


def _normalize(p, xp, x):
    c = x.shape[0] if x.ndim == 3 else x.shape[1]
    mean, std = _norm_stats(p, c)
    out = x - xp.asarray(mean, x.dtype)
    out /= xp.asarray(std, x.dtype)  # in place: one temporary, not two
    return out


def _normalize_back(p, xp, og, ins, outs):
    c = ins[0].shape[0] if ins[0].ndim == 3 else ins[0].shape[1]
    _, std = _norm_stats(p, c)
    return [(og[0] / xp.asarray(std, og[0].dtype)).astype(og[0].dtype)]


register_pair(
    "_image_normalize",
    _normalize,
    _normalize_back,
    params={
        "mean": Param("tuple", (0.0, 0.0, 0.0, 0.0), doc="per-channel means (1 or C values)"),
        "std": Param("tuple", (1.0, 1.0, 1.0, 1.0), doc="per-channel standard deviations (1 or C values)"),
    },
    infer_shape=forward_shape(_norm_shape),
    doc=(
        "``(data - mean[c]) / std[c]`` per channel of a (C, H, W) or (N, C, H, W) tensor.\n\n"
        "Parameters: data; mean (tuple of 1 or C floats); std (tuple of 1 or C floats).\n\n"
        ">>> mx.nd.image.normalize(mx.nd.ones((3, 1, 1)), mean=(1, 0, 0), std=(1, 2, 4)).asnumpy().ravel()\narray([0.  , 0.5 , 0.25], dtype=float32)"
    ),
)

# -- crop / resize ---------------------------------------------------------------------


def _crop_shape(p, s):
    _hwc_or_nhwc("crop", s)
    if p.width <= 0 or p.height <= 0:
        raise ShapeError(f"crop: width and height must be positive, given {p.width} x {p.height}")
    if p.x < 0 or p.y < 0 or p.x + p.width > s[-2] or p.y + p.height > s[-3]:
        raise ShapeError(f"crop: the region x={p.x}, y={p.y}, {p.width} x {p.height} does not fit in an image of {s[-2]} x {s[-3]}")
    return (p.height, p.width, s[-1]) if len(s) == 3 else (s[0], p.height, p.width, s[-1])


register_pair(
    "_image_crop",
    lambda p, xp, x: x[..., p.y : p.y + p.height, p.x : p.x + p.width, :].copy(),
    None,
    params={
        "x": Param("int", doc="left of the region"),
        "y": Param("int", doc="top of the region"),
        "width": Param("int", doc="width of the region"),
        "height": Param("int", doc="height of the region"),
    },
    infer_shape=forward_shape(_crop_shape),
    doc=(
        "Crop the region (x, y, width, height) of an (H, W, C) image or (N, H, W, C) batch.\n\n"
        "Parameters: data; x, y, width, height (int).\n\n>>> mx.nd.image.crop(mx.nd.zeros((8, 8, 3)), x=1, y=2, width=4, height=3).shape\n(3, 4, 3)"
    ),
)


def _resize_hw(p, h, w):
    size = tuple(int(v) for v in p.size)
    if len(size) not in (1, 2) or min(size) <= 0:
        raise ShapeError(f"resize: size must be one or two positive ints, given {p.size}")
    if len(size) == 2:
        return size[1], size[0]
    if not p.keep_ratio:
        return size[0], size[0]
    if h > w:
        return h * size[0] // w, size[0]
    return size[0], w * size[0] // h


def _resize_shape(p, s):
    _hwc_or_nhwc("resize", s)
    nh, nw = _resize_hw(p, s[-3], s[-2])
    return (nh, nw, s[-1]) if len(s) == 3 else (s[0], nh, nw, s[-1])


def _numpy_resize(im, nw, nh, interp):
    """Nearest or bilinear resize with OpenCV's pixel-centre convention, for when OpenCV is not installed."""
    h, w = im.shape[:2]

    def coords(n_out, n_in):
        src = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
        return np.clip(src, 0, n_in - 1)

    if interp == 0:
        ys = np.minimum((np.arange(nh) * (h / nh)).astype(np.int64), h - 1)
        xs = np.minimum((np.arange(nw) * (w / nw)).astype(np.int64), w - 1)
        return im[ys][:, xs]
    if interp != 1:
        raise ShapeError(f"resize: interp={interp} needs OpenCV (pip install 'mxpy[image]'); without it only 0 (nearest) and 1 (bilinear) work")
    sy, sx = coords(nh, h), coords(nw, w)
    y0, x0 = np.floor(sy).astype(np.int64), np.floor(sx).astype(np.int64)
    y1, x1 = np.minimum(y0 + 1, h - 1), np.minimum(x0 + 1, w - 1)
    fy, fx = (sy - y0)[:, None, None], (sx - x0)[None, :, None]
    f = im.astype(np.float32)
    top = f[y0][:, x0] * (1 - fx) + f[y0][:, x1] * fx
    bot = f[y1][:, x0] * (1 - fx) + f[y1][:, x1] * fx
    out = top * (1 - fy) + bot * fy
    return np.clip(np.rint(out), 0, 255).astype(im.dtype) if im.dtype == np.uint8 else out.astype(im.dtype)


def _resize(p, xp, x):
    if x.dtype == np.float16:
        raise ShapeError("resize: float16 images are not supported (as MXNet's OpenCV path)")
    try:
        import cv2  # the image extra; MXNet resizes with OpenCV too

        fn = lambda im, nw, nh, interp: cv2.resize(im, (nw, nh), interpolation=interp)  # noqa: E731
    except ImportError:
        fn = _numpy_resize
    host = _host(xp, x)
    nh, nw = _resize_hw(p, host.shape[-3], host.shape[-2])
    imgs = host if host.ndim == 4 else host[None]
    out = np.stack([fn(im, nw, nh, int(p.interp)).reshape(nh, nw, im.shape[-1]) for im in imgs])
    out = out if host.ndim == 4 else out[0]
    return out if xp is np else xp.asarray(out)


register_pair(
    "_image_resize",
    _resize,
    None,
    params={
        "size": Param("shape", (), doc="(width, height), or one int: a square, or the shorter edge with keep_ratio"),
        "keep_ratio": Param("bool", False, doc="with one size, keep the aspect ratio by resizing the shorter edge"),
        "interp": Param("int", 1, doc="OpenCV interpolation: 0 nearest, 1 bilinear, 2 bicubic, 3 area, 4 Lanczos"),
    },
    infer_shape=forward_shape(_resize_shape),
    doc=(
        "Resize an (H, W, C) image or (N, H, W, C) batch with OpenCV.\n\n"
        "Parameters: data; size (width, height) or one int; keep_ratio (bool, False); interp (int, 1).\n\n"
        ">>> mx.nd.image.resize(mx.nd.zeros((4, 6, 3), dtype='uint8'), size=(3, 2)).shape\n(2, 3, 3)"
    ),
)

# -- flips ------------------------------------------------------------------------------


def _image_shape(what):
    def rule(p, s):
        _hwc(what, s)
        return s

    return forward_shape(rule)


for _name, _axis in (("flip_left_right", 1), ("flip_top_bottom", 0)):
    register_pair(
        f"_image_{_name}",
        lambda p, xp, x, _axis=_axis: xp.flip(x, axis=_axis).copy(),
        None,
        infer_shape=_image_shape(_name),
        doc=f"Mirror an (H, W, C) image {'left-right' if _axis else 'top-bottom'}.\n\nParameters: data.\n\n>>> mx.nd.image.{_name}(mx.nd.zeros((2, 3, 3))).shape\n(2, 3, 3)",
    )

    def _random_flip(p, ins, outs, req, rt, _axis=_axis):
        x = ins[0]
        store(outs[0], req[0], rt.xp.flip(x, axis=_axis) if rt.rng.random() < 0.5 else x)

    register(
        OpDef(
            f"_image_random_{_name}",
            _random_flip,
            needs_rng=True,
            infer_shape=_image_shape(f"random_{_name}"),
            doc=f"Mirror an (H, W, C) image {'left-right' if _axis else 'top-bottom'} with probability 1/2.\n\nParameters: data.\n\n>>> mx.nd.image.random_{_name}(mx.nd.zeros((2, 3, 3))).shape\n(2, 3, 3)",
        )
    )

# -- colour -----------------------------------------------------------------------------


def _brightness(x, alpha):
    return x.astype(np.float32) * np.float32(alpha)


def _contrast(x, alpha):
    f = x.astype(np.float32)
    if f.shape[-1] > 1:
        gray_mean = float((f * _LUMA).sum(dtype=np.float32)) / (f.shape[0] * f.shape[1])
    else:
        gray_mean = float(f.sum(dtype=np.float32)) / (f.shape[0] * f.shape[1])
    return f * np.float32(alpha) + np.float32((1 - alpha) * gray_mean)


def _saturation(x, alpha):
    f = x.astype(np.float32)
    if f.shape[-1] == 1:
        return f
    # MXNet 1.9.1's kernel assigns instead of summing the luma terms, so its "gray" is 0.114 * B; kept to match it.
    gray = f[:, :, 2:3] * _LUMA[2] * np.float32(1 - alpha)
    return gray + f * np.float32(alpha)


def _rgb_to_hls(f):
    r, g, b = (f[..., i] / np.float32(255.0) for i in range(3))
    vmax = np.maximum(np.maximum(r, g), b)
    vmin = np.minimum(np.minimum(r, g), b)
    diff = vmax - vmin
    lum = (vmax + vmin) * np.float32(0.5)
    colored = diff > np.finfo(np.float32).eps
    safe = np.where(colored, diff, np.float32(1))
    sat = np.where(lum < 0.5, diff / np.where(colored, vmax + vmin, 1), diff / np.where(colored, 2 - vmax - vmin, 1))
    d = np.float32(60.0) / safe
    hue = np.where(vmax == r, (g - b) * d, np.where(vmax == g, (b - r) * d + 120, (r - g) * d + 240))
    hue = np.where(hue < 0, hue + 360, hue)
    return np.where(colored, hue, 0).astype(np.float32), lum.astype(np.float32), np.where(colored, sat, 0).astype(np.float32)


_SECTORS = np.array([[1, 3, 0], [1, 0, 2], [3, 0, 1], [0, 2, 1], [0, 1, 3], [2, 1, 0]])


def _hls_to_rgb(h, lum, s):
    p2 = np.where(lum <= 0.5, lum * (1 + s), lum + s - lum * s)
    p1 = 2 * lum - p2
    h6 = np.mod(h / np.float32(60.0), 6).astype(np.float32)
    sector = np.minimum(h6.astype(np.int64), 5)
    frac = h6 - sector
    tab = np.stack([p2, p1, p1 + (p2 - p1) * (1 - frac), p1 + (p2 - p1) * frac], axis=-1)
    idx = _SECTORS[sector]  # (..., 3): table index of B, G, R
    b, g, r = (np.take_along_axis(tab, idx[..., i : i + 1], axis=-1)[..., 0] for i in range(3))
    gray = s == 0
    rgb = np.stack([np.where(gray, lum, r), np.where(gray, lum, g), np.where(gray, lum, b)], axis=-1)
    return rgb * np.float32(255.0)


def _hue(x, alpha):
    f = x.astype(np.float32)
    if f.shape[-1] == 1:
        return f
    h, lum, s = _rgb_to_hls(f)
    return _hls_to_rgb(h + np.float32(alpha * 360.0), lum, s).astype(np.float32)


def _lighting(x, alpha):
    f = x.astype(np.float32)
    if f.shape[-1] == 1:
        return f
    return f + _EIG @ np.asarray(alpha, np.float32)


_ENHANCE = {"brightness": _brightness, "contrast": _contrast, "saturation": _saturation, "hue": _hue}
_FACTOR_PARAMS = {"min_factor": Param("float", doc="minimum factor"), "max_factor": Param("float", doc="maximum factor")}


def _colour_kernel(fn, draw):
    def kernel(p, ins, outs, req, rt):
        x = _host(rt.xp, ins[0])
        val = _cast_back(fn(x, draw(p, rt.rng)), x.dtype)
        store(outs[0], req[0], val if rt.xp is np else rt.xp.asarray(val))

    return kernel


for _name, _fn in _ENHANCE.items():
    register(
        OpDef(
            f"_image_random_{_name}",
            _colour_kernel(_fn, lambda p, rng: np.float32(rng.uniform(p.min_factor, p.max_factor))),
            params=dict(_FACTOR_PARAMS),
            needs_rng=True,
            infer_shape=_image_shape(f"random_{_name}"),
            doc=(
                f"Random {_name} change of an (H, W, C) image by a factor drawn uniformly from [min_factor, max_factor]"
                + (" (hue: a shift of factor x 360 degrees)." if _name == "hue" else ".")
                + f"\n\nParameters: data; min_factor, max_factor (float).\n\n>>> mx.nd.image.random_{_name}(mx.nd.ones((2, 2, 3)), min_factor=1, max_factor=1).shape\n(2, 2, 3)"
            ),
        )
    )


def _jitter(p, ins, outs, req, rt):
    x = _host(rt.xp, ins[0])
    f = x
    # The four adjustments in a random order, each with its own factor, as MXNet's kernel.
    for step in rt.rng.permutation(4):
        if step == 0 and p.brightness > 0:
            f = _cast_back(_brightness(f, 1.0 + rt.rng.uniform(-p.brightness, p.brightness)), x.dtype)
        elif step == 1 and p.contrast > 0:
            f = _cast_back(_contrast(f, 1.0 + rt.rng.uniform(-p.contrast, p.contrast)), x.dtype)
        elif step == 2 and p.saturation > 0:
            f = _cast_back(_saturation(f, 1.0 + rt.rng.uniform(-p.saturation, p.saturation)), x.dtype)
        elif step == 3 and p.hue > 0:
            f = _cast_back(_hue(f, rt.rng.uniform(-p.hue, p.hue)), x.dtype)
    f = np.asarray(f).astype(x.dtype)
    store(outs[0], req[0], f if rt.xp is np else rt.xp.asarray(f))


register(
    OpDef(
        "_image_random_color_jitter",
        _jitter,
        params={k: Param("float", doc=f"how much to jitter {k}") for k in ("brightness", "contrast", "saturation", "hue")},
        needs_rng=True,
        infer_shape=_image_shape("random_color_jitter"),
        doc=(
            "Random brightness, contrast, saturation and hue changes of an (H, W, C) image, in a random order.\n\n"
            "Parameters: data; brightness, contrast, saturation, hue (float: factor ranges 1 +- value; hue +- value).\n\n"
            ">>> mx.nd.image.random_color_jitter(mx.nd.ones((2, 2, 3)), brightness=0.1, contrast=0, saturation=0, hue=0).shape\n(2, 2, 3)"
        ),
    )
)


def _lighting_shape(what):
    return _image_shape(what)


register_pair(
    "_image_adjust_lighting",
    lambda p, xp, x: _cast_back(_lighting(_host(xp, x), p.alpha), x.dtype) if xp is np else xp.asarray(_cast_back(_lighting(_host(xp, x), p.alpha), x.dtype)),
    None,
    params={"alpha": Param("tuple", doc="the lighting alphas for the R, G, B channels")},
    infer_shape=_lighting_shape("adjust_lighting"),
    doc=(
        "Add AlexNet's PCA lighting noise ``eigvec @ (alpha * eigval)`` to an (H, W, 3) image.\n\n"
        "Parameters: data; alpha (three floats).\n\n>>> mx.nd.image.adjust_lighting(mx.nd.zeros((1, 1, 3)), alpha=(0, 0, 0)).asnumpy().ravel()\narray([0., 0., 0.], dtype=float32)"
    ),
)


def _random_lighting(p, ins, outs, req, rt):
    x = _host(rt.xp, ins[0])
    alpha = _host(rt.xp, rt.rng.normal(0.0, p.alpha_std, 3)).astype(np.float32)  # a GPU generator draws on the device
    val = _cast_back(_lighting(x, alpha), x.dtype)
    store(outs[0], req[0], val if rt.xp is np else rt.xp.asarray(val))


register(
    OpDef(
        "_image_random_lighting",
        _random_lighting,
        params={"alpha_std": Param("float", 0.05, doc="standard deviation of the lighting alphas")},
        needs_rng=True,
        infer_shape=_image_shape("random_lighting"),
        doc=(
            "AlexNet's PCA lighting noise with alphas drawn from N(0, alpha_std) on an (H, W, 3) image.\n\n"
            "Parameters: data; alpha_std (float, 0.05).\n\n>>> mx.nd.image.random_lighting(mx.nd.zeros((2, 2, 3))).shape\n(2, 2, 3)"
        ),
    )
)
