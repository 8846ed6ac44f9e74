"""Image functions of ``mx.image``: decoding, resizing and cropping HxWxC NDArrays.

Images are NDArrays laid out height x width x channels; ``imdecode`` returns
RGB uint8 like MXNet's (``to_rgb=False`` keeps OpenCV's BGR). Sizes passed as
pairs are ``(width, height)``, as in MXNet. Interpolation codes: 0 nearest,
1 bilinear, 2 bicubic, 3 area, 4 Lanczos, 9 automatic (cubic to enlarge,
area to shrink, bilinear otherwise), 10 a random one of 0-4.

>>> import mxpy as mx
>>> img = mx.image.imdecode(open("cat.jpg", "rb").read())             # doctest: +SKIP
>>> mx.image.resize_short(img, 256).shape                              # doctest: +SKIP
(256, 341, 3)
"""

from __future__ import annotations

import numbers
import random
import warnings

import numpy as np

from .. import ndarray as nd
from ..base import MXNetError
from ..ndarray import NDArray
from . import _cv

__all__ = [
    "imread",
    "imdecode",
    "imresize",
    "scale_down",
    "copyMakeBorder",
    "resize_short",
    "fixed_crop",
    "random_crop",
    "center_crop",
    "color_normalize",
    "random_size_crop",
]


def _to_nd(arr: np.ndarray, out=None) -> NDArray:
    if out is not None:
        if tuple(out.shape) != arr.shape:
            raise MXNetError(f"mx.image: out has shape {tuple(out.shape)}, the result has shape {arr.shape}")
        out[:] = arr
        return out
    return nd.array(arr, dtype=arr.dtype)


def _as_numpy(src, owner: str) -> np.ndarray:
    if isinstance(src, NDArray):
        arr = src.asnumpy()
    elif isinstance(src, np.ndarray):
        arr = src
    else:
        raise TypeError(f"{owner}: src must be an NDArray image (HxWxC), given {type(src).__name__}")
    if arr.ndim != 3:
        raise MXNetError(f"{owner}: src must be an HxWxC image, given shape {arr.shape}")
    return arr


def imdecode(buf, flag=1, to_rgb=True, out=None):
    """Decode an encoded image (JPEG, PNG, ...) into an HxWxC uint8 NDArray.

    ``flag=0`` gives one gray channel, otherwise 3 channels, RGB unless
    ``to_rgb=False`` (OpenCV's BGR).

    >>> with open("cat.jpg", "rb") as f:                               # doctest: +SKIP
    ...     img = mx.image.imdecode(f.read())
    >>> img.dtype, img.shape[2]                                        # doctest: +SKIP
    (<class 'numpy.uint8'>, 3)
    """
    if isinstance(buf, NDArray):
        raw = buf.asnumpy()
        if raw.dtype != np.uint8:
            raise MXNetError(f"imdecode: an NDArray buffer must be uint8, given {np.dtype(raw.dtype).name}")
    elif isinstance(buf, (bytes, bytearray, memoryview, np.ndarray)):
        raw = buf
    else:
        raise ValueError(f"imdecode: buf must be bytes, bytearray, numpy.ndarray or NDArray, given {type(buf).__name__}; encode a str to bytes first")
    return _to_nd(_cv.decode(raw, flag, to_rgb), out)


def imread(filename, flag=1, to_rgb=True, out=None):
    """Read and decode an image file into an HxWxC uint8 NDArray (see ``imdecode``).

    >>> mx.image.imread("cat.jpg").shape                               # doctest: +SKIP
    (375, 500, 3)
    """
    try:
        with open(filename, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise MXNetError(f"imread: cannot open image file {filename!r}: {e.strerror or e}") from e
    return _to_nd(_cv.decode(raw, flag, to_rgb, owner=f"imread({filename!r})"), out)


def imresize(src, w, h, interp=1, out=None):
    """Resize an HxWxC image to width ``w`` and height ``h`` with OpenCV.

    >>> mx.image.imresize(mx.nd.zeros((4, 6, 3), dtype="uint8"), 3, 2).shape
    (2, 3, 3)
    """
    arr = _as_numpy(src, "imresize")
    return _to_nd(_cv.resize(arr, w, h, interp), out)


def copyMakeBorder(src, top, bot, left, right, type=0, value=0.0, values=(), out=None):  # noqa: A002 - MXNet's name
    """Pad an image on each side with OpenCV's border modes (0 constant, 1 reflect, 2 reflect-101, 3 replicate, 4 wrap).

    >>> mx.image.copyMakeBorder(mx.nd.zeros((2, 2, 3)), 1, 1, 2, 2).shape
    (4, 6, 3)
    """
    arr = _as_numpy(src, "copyMakeBorder")
    fill = tuple(float(v) for v in values) if values else (float(value),) * 4
    res = _cv.cv2().copyMakeBorder(arr, int(top), int(bot), int(left), int(right), int(type), value=fill)
    if res.ndim == 2:
        res = res[:, :, None]
    return _to_nd(res, out)


def scale_down(src_size, size):
    """Shrink the crop ``size`` (w, h) to fit inside ``src_size`` (w, h), keeping its aspect ratio.

    >>> mx.image.scale_down((640, 480), (720, 120))
    (640, 106)
    """
    w, h = size
    sw, sh = src_size
    if sh < h:
        w, h = float(w * sh) / h, sh
    if sw < w:
        w, h = sw, float(h * sw) / w
    return int(w), int(h)


def _get_interp_method(interp, sizes=()):
    """The concrete OpenCV code (0-4) for ``interp``; ``sizes`` = (old_h, old_w, new_h, new_w) decides code 9."""
    if interp == 9:
        if not sizes:
            return 2
        if len(sizes) != 4:
            raise ValueError(f"_get_interp_method: sizes must be (old_h, old_w, new_h, new_w), given {sizes}")
        oh, ow, nh, nw = sizes
        if nh > oh and nw > ow:
            return 2
        if nh < oh and nw < ow:
            return 3
        return 1
    if interp == 10:
        return random.randint(0, 4)
    if interp not in (0, 1, 2, 3, 4):
        raise ValueError(f"Unknown interp method {interp}; expected 0-4, 9 or 10")
    return interp


def resize_short(src, size, interp=2):
    """Resize so that the shorter edge is ``size``, keeping the aspect ratio (integer division, as MXNet).

    >>> mx.image.resize_short(mx.nd.zeros((40, 60, 3), dtype="uint8"), 20).shape
    (20, 30, 3)
    """
    h, w, _ = src.shape
    if h > w:
        new_h, new_w = size * h // w, size
    else:
        new_h, new_w = size, size * w // h
    return imresize(src, new_w, new_h, interp=_get_interp_method(interp, (h, w, new_h, new_w)))


def fixed_crop(src, x0, y0, w, h, size=None, interp=2):
    """Crop the ``w`` x ``h`` region at (``x0``, ``y0``) and resize it to ``size`` (w, h) if given.

    >>> mx.image.fixed_crop(mx.nd.zeros((10, 10, 3)), 2, 3, 4, 5).shape
    (5, 4, 3)
    """
    out = src[y0 : y0 + h, x0 : x0 + w]
    if size is not None and (w, h) != tuple(size):
        out = imresize(out, *size, interp=_get_interp_method(interp, (h, w, size[1], size[0])))
    return out


def random_crop(src, size, interp=2):
    """Crop a random region of ``size`` (w, h), scaled down to fit, then resized to ``size``.

    Returns the image and (x0, y0, w, h) of the region. Draws from Python's ``random``.

    >>> out, rect = mx.image.random_crop(mx.nd.zeros((10, 12, 3)), (4, 4))
    >>> out.shape
    (4, 4, 3)
    """
    h, w, _ = src.shape
    new_w, new_h = scale_down((w, h), size)
    x0 = random.randint(0, w - new_w)
    y0 = random.randint(0, h - new_h)
    return fixed_crop(src, x0, y0, new_w, new_h, size, interp), (x0, y0, new_w, new_h)


def center_crop(src, size, interp=2):
    """Crop the centred region of ``size`` (w, h), scaled down to fit, then resized to ``size``.

    >>> out, rect = mx.image.center_crop(mx.nd.zeros((10, 12, 3)), (4, 6))
    >>> out.shape, rect
    ((6, 4, 3), (4, 2, 4, 6))
    """
    h, w, _ = src.shape
    new_w, new_h = scale_down((w, h), size)
    x0 = int((w - new_w) / 2)
    y0 = int((h - new_h) / 2)
    return fixed_crop(src, x0, y0, new_w, new_h, size, interp), (x0, y0, new_w, new_h)


def color_normalize(src, mean, std=None):
    """``(src - mean) / std`` in place on a float image (either may be None).

    >>> mx.image.color_normalize(mx.nd.ones((1, 1, 3)) * 5, mx.nd.array([1, 2, 3]), mx.nd.array([2, 3, 2])).asnumpy()
    array([[[2., 1., 1.]]], dtype=float32)
    """
    if mean is not None:
        src -= mean
    if std is not None:
        src /= std
    return src


def random_size_crop(src, size, area, ratio, interp=2, **kwargs):
    """Crop a region of random area fraction and aspect ratio, resized to ``size`` (w, h).

    ``area`` is the (min, max) fraction of the image area (a number means
    (area, 1.0)); ``ratio`` the (min, max) width/height ratio, drawn
    log-uniformly. After 10 misses it falls back to ``center_crop``.

    >>> out, rect = mx.image.random_size_crop(mx.nd.zeros((20, 20, 3)), (8, 8), 0.5, (0.75, 1.33))
    >>> out.shape
    (8, 8, 3)
    """
    h, w, _ = src.shape
    if "min_area" in kwargs:
        warnings.warn("`min_area` is deprecated. Please use `area` instead.", DeprecationWarning, stacklevel=2)
        area = kwargs.pop("min_area")
    if kwargs:
        raise TypeError(f"random_size_crop: unexpected keyword arguments {sorted(kwargs)}")
    if isinstance(area, numbers.Number):
        area = (area, 1.0)
    src_area = h * w
    for _ in range(10):
        target_area = random.uniform(area[0], area[1]) * src_area
        new_ratio = np.exp(random.uniform(np.log(ratio[0]), np.log(ratio[1])))
        new_w = int(round(np.sqrt(target_area * new_ratio)))
        new_h = int(round(np.sqrt(target_area / new_ratio)))
        if new_w <= w and new_h <= h:
            x0 = random.randint(0, w - new_w)
            y0 = random.randint(0, h - new_h)
            return fixed_crop(src, x0, y0, new_w, new_h, size, interp), (x0, y0, new_w, new_h)
    return center_crop(src, size, interp)
