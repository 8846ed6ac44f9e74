"""The per-image pipeline of ``ImageRecordIter``: MXNet's default C++ augmenter, on NumPy/OpenCV arrays.

Images stay in OpenCV's BGR order until ``to_chw`` writes them as RGB planes
with the mean/std/scale normalisation, as MXNet's iterator does. Without
random augmentation the output equals MXNet 1.9.1's; random draws come from a
NumPy generator per worker (MXNet draws from its own mt19937 streams, so
random crops differ in value but not in distribution).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..base import MXNetError

# AlexNet's PCA of ImageNet pixel colours: eigenvectors scaled by their eigenvalues, RGB rows.
_EIG = np.array(
    [
        [55.46 * -0.5675, 4.794 * 0.7192, 1.148 * 0.4009],
        [55.46 * -0.5808, 4.794 * -0.0045, 1.148 * -0.8140],
        [55.46 * -0.5836, 4.794 * -0.6948, 1.148 * 0.4203],
    ],
    dtype=np.float32,
)


@dataclass
class AugParams:
    """MXNet's ``ImageRecordIter`` augmentation and normalisation parameters (C++ defaults)."""

    data_shape: tuple
    resize: int = -1
    rand_crop: bool = False
    random_resized_crop: bool = False
    max_rotate_angle: float = 0.0
    max_aspect_ratio: float = 0.0
    min_aspect_ratio: float | None = None
    max_shear_ratio: float = 0.0
    max_crop_size: int = -1
    min_crop_size: int = -1
    max_random_scale: float = 1.0
    min_random_scale: float = 1.0
    max_random_area: float = 1.0
    min_random_area: float = 1.0
    max_img_size: float = 1e10
    min_img_size: float = 0.0
    brightness: float = 0.0
    contrast: float = 0.0
    saturation: float = 0.0
    pca_noise: float = 0.0
    random_h: int = 0
    random_s: int = 0
    random_l: int = 0
    rotate: float = -1.0
    fill_value: int = 255
    inter_method: int = 1
    pad: int = 0
    mirror: bool = False
    rand_mirror: bool = False
    mean_r: float = 0.0
    mean_g: float = 0.0
    mean_b: float = 0.0
    mean_a: float = 0.0
    std_r: float = 1.0
    std_g: float = 1.0
    std_b: float = 1.0
    std_a: float = 1.0
    scale: float = 1.0
    max_random_contrast: float = 0.0
    max_random_illumination: float = 0.0

    def check(self, owner: str) -> None:
        if self.inter_method not in (0, 1, 2, 3, 4, 9, 10):
            raise MXNetError(f"{owner}: inter_method must be 0-4, 9 or 10, given {self.inter_method}")
        if self.random_resized_crop and (
            self.min_random_scale != 1 or self.max_random_scale != 1 or self.min_crop_size != -1 or self.max_crop_size != -1 or self.rand_crop
        ):
            raise MXNetError(f"{owner}: random_resized_crop=True conflicts with min/max_random_scale, min/max_crop_size and rand_crop")
        if self.max_crop_size < self.min_crop_size:
            raise MXNetError(f"{owner}: max_crop_size ({self.max_crop_size}) must be >= min_crop_size ({self.min_crop_size})")

    @property
    def aspect_range(self) -> tuple[float, float]:
        if self.min_aspect_ratio is not None:
            return float(self.min_aspect_ratio), float(self.max_aspect_ratio)
        return 1.0 - self.max_aspect_ratio, 1.0 + self.max_aspect_ratio


def _interp(p: AugParams, ow: int, oh: int, nw: float, nh: float, rng: np.random.Generator) -> int:
    if p.inter_method == 9:
        if nw > ow and nh > oh:
            return 2
        if nw < ow and nh < oh:
            return 3
        return 1
    if p.inter_method == 10:
        return int(rng.integers(0, 5))
    return p.inter_method


def augment(cv2, img: np.ndarray, p: AugParams, rng: np.random.Generator) -> np.ndarray:
    """Resize, affine, pad, crop and colour steps of MXNet's default augmenter on an HxW(xC) uint8 image."""
    out_h, out_w = int(p.data_shape[1]), int(p.data_shape[2])
    res = img
    if p.resize != -1:
        rows, cols = res.shape[:2]
        if rows > cols:
            nh, nw = p.resize * rows // cols, p.resize
        else:
            nh, nw = p.resize, p.resize * cols // rows
        res = cv2.resize(res, (nw, nh), interpolation=_interp(p, cols, rows, nw, nh, rng))
    lo_ar, hi_ar = p.aspect_range
    if (
        p.max_rotate_angle > 0
        or p.max_shear_ratio > 0
        or p.rotate > 0
        or p.max_random_scale != 1
        or p.min_random_scale != 1
        or (not p.random_resized_crop and (lo_ar != 1 or hi_ar != 1))
        or p.max_img_size != 1e10
        or p.min_img_size != 0
    ):
        res = _affine(cv2, res, p, rng, lo_ar, hi_ar)
    if p.pad > 0:
        v = float(p.fill_value)
        res = cv2.copyMakeBorder(res, p.pad, p.pad, p.pad, p.pad, cv2.BORDER_CONSTANT, value=(v, v, v, v))
    cropped = False
    if p.random_resized_crop:
        if p.max_random_area != 1 or p.min_random_area != 1 or lo_ar != 1 or hi_ar != 1:
            rows, cols = res.shape[:2]
            area = rows * cols
            for _ in range(10):
                target = area * rng.uniform(p.min_random_area, p.max_random_area)
                ratio = rng.uniform(lo_ar, hi_ar)
                yh = int(round(math.sqrt(target / ratio)))
                xw = int(round(math.sqrt(target * ratio)))
                if rng.random() > 0.5:
                    xw, yh = yh, xw
                if yh <= rows and xw <= cols:
                    y = int(rng.integers(0, rows - yh + 1))
                    x = int(rng.integers(0, cols - xw + 1))
                    res = cv2.resize(res[y : y + yh, x : x + xw], (out_w, out_h), interpolation=_interp(p, xw, yh, out_w, out_h, rng))
                    cropped = True
                    break
    elif p.max_crop_size != -1 or p.min_crop_size != -1:
        rows, cols = res.shape[:2]
        if cols < p.max_crop_size or rows < p.max_crop_size:
            raise MXNetError(f"ImageRecordIter: image of {cols}x{rows} is smaller than max_crop_size {p.max_crop_size}")
        size = int(rng.integers(p.min_crop_size, p.max_crop_size + 1))
        y, x = rows - size, cols - size
        if p.rand_crop:
            y, x = int(rng.integers(0, y + 1)), int(rng.integers(0, x + 1))
        else:
            y, x = y // 2, x // 2
        res = cv2.resize(res[y : y + size, x : x + size], (out_w, out_h), interpolation=_interp(p, size, size, out_w, out_h, rng))
        cropped = True
    if not cropped:
        rows, cols = res.shape[:2]
        method = _interp(p, cols, rows, out_w, out_h, rng)
        # Upscale an image smaller than the output, with MXNet's float32 size arithmetic.
        if rows < out_h:
            new_cols = int(np.float32(out_h) / np.float32(rows) * np.float32(cols))
            res = cv2.resize(res, (new_cols, out_h), interpolation=method)
            rows, cols = res.shape[:2]
        if cols < out_w:
            new_rows = int(np.float32(out_w) / np.float32(cols) * np.float32(rows))
            res = cv2.resize(res, (out_w, new_rows), interpolation=method)
            rows, cols = res.shape[:2]
        y, x = rows - out_h, cols - out_w
        if p.rand_crop:
            y, x = int(rng.integers(0, y + 1)), int(rng.integers(0, x + 1))
        else:
            y, x = y // 2, x // 2
        res = res[y : y + out_h, x : x + out_w]
    if p.brightness > 0 or p.contrast > 0 or p.saturation > 0:
        res = _color_jitter(cv2, res, p, rng)
    if (p.random_h or p.random_s or p.random_l) and res.ndim == 3:
        res = _hsl_jitter(cv2, res, p, rng)
    if p.pca_noise > 0 and res.ndim == 3:
        alpha = rng.normal(0, p.pca_noise, 3).astype(np.float32)
        rgb = _EIG @ alpha
        res = np.clip(res.astype(np.int32) + rgb[::-1].astype(np.int32), 0, 255).astype(np.uint8)
    return res


def _affine(cv2, res, p, rng, lo_ar, hi_ar):
    s = rng.random() * p.max_shear_ratio * 2 - p.max_shear_ratio
    angle = int(rng.integers(-int(p.max_rotate_angle), int(p.max_rotate_angle) + 1)) if p.max_rotate_angle > 0 else 0
    if p.rotate > 0:
        angle = p.rotate
    a, b = math.cos(angle / 180.0 * math.pi), math.sin(angle / 180.0 * math.pi)
    scale = 1.0 if p.random_resized_crop else rng.random() * (p.max_random_scale - p.min_random_scale) + p.min_random_scale
    ratio = 1.0 if p.random_resized_crop else rng.random() * (hi_ar - lo_ar) + lo_ar
    hs = 2 * scale / (1 + ratio)
    ws = ratio * hs
    rows, cols = res.shape[:2]
    nw = max(p.min_img_size, min(p.max_img_size, scale * cols))
    nh = max(p.min_img_size, min(p.max_img_size, scale * rows))
    m = np.array([[hs * a - s * b * ws, hs * b + s * a * ws, 0], [-b * ws, a * ws, 0]], dtype=np.float32)
    m[0, 2] = (nw - (m[0, 0] * cols + m[0, 1] * rows)) / 2
    m[1, 2] = (nh - (m[1, 0] * cols + m[1, 1] * rows)) / 2
    v = float(p.fill_value)
    method = _interp(p, cols, rows, nw, nh, rng)
    out = cv2.warpAffine(res, m, (int(nw), int(nh)), flags=method, borderMode=cv2.BORDER_CONSTANT, borderValue=(v, v, v, v))
    return out if out.ndim == res.ndim else out[:, :, None]


def _color_jitter(cv2, res, p, rng):
    ab = 1.0 + rng.uniform(-p.brightness, p.brightness)
    ac = 1.0 + rng.uniform(-p.contrast, p.contrast)
    asat = 1.0 + rng.uniform(-p.saturation, p.saturation)
    order = rng.permutation(3)
    x = res.astype(np.float32)
    for i in order:
        if i == 0:
            x = x * ab
        elif res.ndim == 3 and i == 1:
            gray_mean = float(cv2.cvtColor(np.clip(x, 0, 255).astype(np.uint8), cv2.COLOR_BGR2GRAY).mean())
            x = x * ac + (1 - ac) * gray_mean
        elif res.ndim == 3 and i == 2:
            gray = cv2.cvtColor(np.clip(x, 0, 255).astype(np.uint8), cv2.COLOR_BGR2GRAY).astype(np.float32)
            x = x * asat + gray[:, :, None] * (1 - asat)
        x = np.clip(np.rint(x), 0, 255)
    return x.astype(np.uint8)


def _hsl_jitter(cv2, res, p, rng):
    hls = cv2.cvtColor(res, cv2.COLOR_BGR2HLS).astype(np.int32)
    r = (rng.random(3) + 4 * rng.random(3)) / 5
    h = int(r[0] * p.random_h * 2 - p.random_h)
    s = int(r[1] * p.random_s * 2 - p.random_s)
    l_ = int(r[2] * p.random_l * 2 - p.random_l)
    hls += np.array([h, l_, s], dtype=np.int32)
    hls = np.clip(hls, 0, np.array([180, 255, 255])).astype(np.uint8)
    return cv2.cvtColor(hls, cv2.COLOR_HLS2BGR)


class Normalizer:
    """Writes an augmented HxW(xC) BGR uint8 image into a C x H x W slot as RGB, normalised for the output dtype."""

    def __init__(self, p: AugParams, channels: int, dtype: np.dtype):
        self.dtype = np.dtype(dtype)
        self.channels = channels
        # BGR(A) -> RGB(A) plane order, as MXNet swaps while copying.
        self.order = {1: [0], 3: [2, 1, 0], 4: [2, 1, 0, 3]}[channels]
        std = np.array([p.std_r, p.std_g, p.std_b, p.std_a][: max(channels, 1)] if channels > 1 else [p.std_r], dtype=np.float32)
        mean = np.array([p.mean_r, p.mean_g, p.mean_b, p.mean_a][:channels] if channels > 1 else [p.mean_r], dtype=np.float32)
        self.random_contrast = p.max_random_contrast
        self.random_illumination = p.max_random_illumination
        self.scale = np.float32(p.scale)
        self.std = std
        self.mean = mean.reshape(-1, 1, 1)
        self.mean_int = np.array([int(np.round(m)) for m in mean], dtype=np.int16).reshape(-1, 1, 1)
        self.mirror, self.rand_mirror = p.mirror, p.rand_mirror

    def write(self, img: np.ndarray, slot: np.ndarray, rng: np.random.Generator) -> None:
        mirrored = (self.rand_mirror and rng.random() < 0.5) or self.mirror
        if img.ndim == 2:
            img = img[:, :, None]
        chw = img.transpose(2, 0, 1)[self.order]
        if mirrored:
            chw = chw[:, :, ::-1]
        if self.dtype == np.uint8:
            slot[...] = chw
        elif self.dtype == np.int8:
            np.clip(chw.astype(np.int16) - self.mean_int, -128, 127, out=slot, casting="unsafe")
        else:
            contrast = np.float32(1.0)
            illum = np.float32(0.0)
            if self.random_contrast or self.random_illumination:
                contrast = np.float32(rng.random() * self.random_contrast * 2 - self.random_contrast + 1)
                illum = np.float32(rng.random() * self.random_illumination * 2 - self.random_illumination)
            contrast *= self.scale
            illum *= self.scale
            mult = (contrast / self.std).astype(np.float32).reshape(-1, 1, 1)
            bias = (illum / self.std).astype(np.float32).reshape(-1, 1, 1)
            np.subtract(chw, self.mean, out=slot, dtype=np.float32)
            slot *= mult
            if illum:
                slot += bias
