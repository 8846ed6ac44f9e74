"""Augmenters of ``mx.image``: callables from one HxWxC NDArray image to another.

Random draws come from Python's ``random`` (crops, flips, jitter factors,
orders) and NumPy's global generator (``LightingAug``), as in MXNet, so a
seeded script draws the same numbers.

>>> import mxpy as mx
>>> augs = mx.image.CreateAugmenter((3, 224, 224), resize=256, mean=True, std=True)
>>> [type(a).__name__ for a in augs]
['ResizeAug', 'CenterCropAug', 'CastAug', 'ColorNormalizeAug']
"""

from __future__ import annotations

import json
import random
import warnings

import numpy as np

from .. import ndarray as nd
from ..ndarray import NDArray
from .image import _get_interp_method, center_crop, color_normalize, imresize, random_crop, random_size_crop, resize_short

__all__ = [
    "Augmenter",
    "SequentialAug",
    "ResizeAug",
    "ForceResizeAug",
    "RandomCropAug",
    "RandomSizedCropAug",
    "CenterCropAug",
    "RandomOrderAug",
    "BrightnessJitterAug",
    "ContrastJitterAug",
    "SaturationJitterAug",
    "HueJitterAug",
    "ColorJitterAug",
    "LightingAug",
    "ColorNormalizeAug",
    "RandomGrayAug",
    "HorizontalFlipAug",
    "CastAug",
    "CreateAugmenter",
]

# ITU-R 601 luma weights, used for gray levels by the contrast and saturation jitters.
_LUMA = (0.299, 0.587, 0.114)


class Augmenter:
    """Base class: keeps its constructor arguments for ``dumps``; subclasses define ``__call__``.

    >>> mx.image.ResizeAug(256).dumps()
    '["resizeaug", {"size": 256, "interp": 2}]'
    """

    def __init__(self, **kwargs):
        self._kwargs = {}
        for k, v in kwargs.items():
            if isinstance(v, NDArray):
                v = v.asnumpy()
            if isinstance(v, np.ndarray):
                v = v.tolist()
            self._kwargs[k] = v

    def dumps(self):
        """The augmenter's name and arguments as a JSON string."""
        return json.dumps([type(self).__name__.lower(), self._kwargs])

    def __call__(self, src):
        raise TypeError(f"{type(self).__name__} does not define __call__")


class SequentialAug(Augmenter):
    """Apply the augmenters ``ts`` one after another.

    >>> aug = mx.image.SequentialAug([mx.image.CastAug(), mx.image.ColorNormalizeAug(mx.nd.array([1.0]), None)])
    >>> aug(mx.nd.ones((1, 1, 1), dtype="uint8")).asnumpy().ravel()
    array([0.], dtype=float32)
    """

    def __init__(self, ts):
        super().__init__()
        self.ts = ts

    def dumps(self):
        return [type(self).__name__.lower(), [t.dumps() for t in self.ts]]

    def __call__(self, src):
        for t in self.ts:
            src = t(src)
        return src


class RandomOrderAug(Augmenter):
    """Apply the augmenters ``ts`` in a random order (shuffled in place each call).

    >>> aug = mx.image.RandomOrderAug([mx.image.BrightnessJitterAug(0.1)])
    """

    def __init__(self, ts):
        super().__init__()
        self.ts = ts

    def dumps(self):
        return [type(self).__name__.lower(), [t.dumps() for t in self.ts]]

    def __call__(self, src):
        random.shuffle(self.ts)
        for t in self.ts:
            src = t(src)
        return src


class _SizeAug(Augmenter):
    """An augmenter set by a target ``size`` and an OpenCV ``interp`` code (resizes and crops)."""

    def __init__(self, size, interp=2):
        super().__init__(size=size, interp=interp)
        self.size = size
        self.interp = interp


class ResizeAug(_SizeAug):
    """Resize the shorter edge to ``size`` (see ``resize_short``).

    >>> mx.image.ResizeAug(10)(mx.nd.zeros((20, 30, 3), dtype="uint8")).shape
    (10, 15, 3)
    """

    def __call__(self, src):
        return resize_short(src, self.size, self.interp)


class ForceResizeAug(_SizeAug):
    """Resize to exactly ``size`` (w, h), ignoring the aspect ratio.

    >>> mx.image.ForceResizeAug((5, 4))(mx.nd.zeros((20, 30, 3), dtype="uint8")).shape
    (4, 5, 3)
    """

    def __call__(self, src):
        sizes = (src.shape[0], src.shape[1], self.size[1], self.size[0])
        return imresize(src, *self.size, interp=_get_interp_method(self.interp, sizes))


class RandomCropAug(_SizeAug):
    """Random crop of ``size`` (w, h) (see ``random_crop``).

    >>> mx.image.RandomCropAug((4, 4))(mx.nd.zeros((10, 10, 3))).shape
    (4, 4, 3)
    """

    def __call__(self, src):
        return random_crop(src, self.size, self.interp)[0]


class RandomSizedCropAug(Augmenter):
    """Random crop of random area and aspect ratio, resized to ``size`` (see ``random_size_crop``).

    >>> mx.image.RandomSizedCropAug((4, 4), 0.5, (0.75, 1.33))(mx.nd.zeros((10, 10, 3))).shape
    (4, 4, 3)
    """

    def __init__(self, size, area, ratio, interp=2, **kwargs):
        super().__init__(size=size, area=area, ratio=ratio, interp=interp)
        self.size = size
        if "min_area" in kwargs:
            warnings.warn("`min_area` is deprecated. Please use `area` instead.", DeprecationWarning, stacklevel=2)
            area = kwargs.pop("min_area")
        if kwargs:
            raise TypeError(f"RandomSizedCropAug: unexpected keyword arguments {sorted(kwargs)}")
        self.area = area
        self.ratio = ratio
        self.interp = interp

    def __call__(self, src):
        return random_size_crop(src, self.size, self.area, self.ratio, self.interp)[0]


class CenterCropAug(_SizeAug):
    """Centre crop of ``size`` (w, h) (see ``center_crop``).

    >>> mx.image.CenterCropAug((4, 2))(mx.nd.zeros((10, 10, 3))).shape
    (2, 4, 3)
    """

    def __call__(self, src):
        return center_crop(src, self.size, self.interp)[0]


class BrightnessJitterAug(Augmenter):
    """Multiply a float image by 1 + U(-brightness, brightness).

    >>> mx.image.BrightnessJitterAug(0.0)(mx.nd.ones((1, 1, 3))).asnumpy().ravel()
    array([1., 1., 1.], dtype=float32)
    """

    def __init__(self, brightness):
        super().__init__(brightness=brightness)
        self.brightness = brightness

    def __call__(self, src):
        alpha = 1.0 + random.uniform(-self.brightness, self.brightness)
        src *= alpha
        return src


class ContrastJitterAug(Augmenter):
    """Blend a float image with its mean gray level: ``alpha*src + (1-alpha)*mean_gray``, alpha = 1 + U(-contrast, contrast).

    >>> mx.image.ContrastJitterAug(0.0)(mx.nd.ones((1, 1, 3))).asnumpy().ravel()
    array([1., 1., 1.], dtype=float32)
    """

    def __init__(self, contrast):
        super().__init__(contrast=contrast)
        self.contrast = contrast
        self.coef = nd.array([[list(_LUMA)]])

    def __call__(self, src):
        alpha = 1.0 + random.uniform(-self.contrast, self.contrast)
        gray = src * self.coef
        # mean over pixels of the luma (the sum over all of H*W*3 terms, times 3 / size)
        gray = 3.0 * (1.0 - alpha) / gray.size * nd.sum(gray)
        src *= alpha
        src += gray
        return src


class SaturationJitterAug(Augmenter):
    """Blend each pixel with its own gray level: ``alpha*src + (1-alpha)*gray``, alpha = 1 + U(-saturation, saturation).

    >>> mx.image.SaturationJitterAug(0.0)(mx.nd.ones((1, 1, 3))).asnumpy().ravel()
    array([1., 1., 1.], dtype=float32)
    """

    def __init__(self, saturation):
        super().__init__(saturation=saturation)
        self.saturation = saturation
        self.coef = nd.array([[list(_LUMA)]])

    def __call__(self, src):
        alpha = 1.0 + random.uniform(-self.saturation, self.saturation)
        gray = nd.sum(src * self.coef, axis=2, keepdims=True)
        gray *= 1.0 - alpha
        src *= alpha
        src += gray
        return src


class HueJitterAug(Augmenter):
    """Rotate the hue by U(-hue, hue) half-turns in YIQ space (a 3x3 colour matrix applied per pixel).

    >>> mx.image.HueJitterAug(0.0)(mx.nd.ones((1, 1, 3))).shape
    (1, 1, 3)
    """

    def __init__(self, hue):
        super().__init__(hue=hue)
        self.hue = hue
        self.tyiq = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.321], [0.211, -0.523, 0.311]])
        self.ityiq = np.array([[1.0, 0.956, 0.621], [1.0, -0.272, -0.647], [1.0, -1.107, 1.705]])

    def __call__(self, src):
        alpha = random.uniform(-self.hue, self.hue)
        c, s = np.cos(alpha * np.pi), np.sin(alpha * np.pi)
        rot = np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])
        t = (self.ityiq @ rot @ self.tyiq).T
        return nd.dot(src, nd.array(t))


class ColorJitterAug(RandomOrderAug):
    """Brightness, contrast and saturation jitters (those > 0) in a random order.

    >>> [type(t).__name__ for t in mx.image.ColorJitterAug(0.1, 0, 0.2).ts]
    ['BrightnessJitterAug', 'SaturationJitterAug']
    """

    def __init__(self, brightness, contrast, saturation):
        ts = []
        if brightness > 0:
            ts.append(BrightnessJitterAug(brightness))
        if contrast > 0:
            ts.append(ContrastJitterAug(contrast))
        if saturation > 0:
            ts.append(SaturationJitterAug(saturation))
        super().__init__(ts)


class LightingAug(Augmenter):
    """AlexNet-style PCA lighting noise: add ``eigvec @ (alpha * eigval)``, alpha ~ N(0, alphastd) per component.

    >>> aug = mx.image.LightingAug(0.1, np.array([55.46, 4.794, 1.148]), np.eye(3))
    """

    def __init__(self, alphastd, eigval, eigvec):
        super().__init__(alphastd=alphastd, eigval=eigval, eigvec=eigvec)
        self.alphastd = alphastd
        self.eigval = eigval
        self.eigvec = eigvec

    def __call__(self, src):
        alpha = np.random.normal(0, self.alphastd, size=(3,))
        src += nd.array(np.dot(self.eigvec * alpha, self.eigval))
        return src


class ColorNormalizeAug(Augmenter):
    """Subtract ``mean`` and divide by ``std`` (see ``color_normalize``).

    >>> mx.image.ColorNormalizeAug([1.0, 1.0, 1.0], [2.0, 2.0, 2.0])(mx.nd.ones((1, 1, 3)) * 3).asnumpy().ravel()
    array([1., 1., 1.], dtype=float32)
    """

    def __init__(self, mean, std):
        super().__init__(mean=mean, std=std)
        self.mean = mean if mean is None or isinstance(mean, NDArray) else nd.array(mean)
        self.std = std if std is None or isinstance(std, NDArray) else nd.array(std)

    def __call__(self, src):
        return color_normalize(src, self.mean, self.std)


class RandomGrayAug(Augmenter):
    """With probability ``p``, replace each channel by the gray level 0.21 R + 0.72 G + 0.07 B.

    >>> mx.image.RandomGrayAug(0.0)(mx.nd.ones((1, 1, 3))).shape
    (1, 1, 3)
    """

    def __init__(self, p):
        super().__init__(p=p)
        self.p = p
        self.mat = nd.array([[0.21, 0.21, 0.21], [0.72, 0.72, 0.72], [0.07, 0.07, 0.07]])

    def __call__(self, src):
        if random.random() < self.p:
            src = nd.dot(src, self.mat)
        return src


class HorizontalFlipAug(Augmenter):
    """With probability ``p``, mirror the image left-right.

    >>> mx.image.HorizontalFlipAug(1.0)(mx.nd.array([[[1], [2]]])).asnumpy().ravel()
    array([2., 1.], dtype=float32)
    """

    def __init__(self, p):
        super().__init__(p=p)
        self.p = p

    def __call__(self, src):
        if random.random() < self.p:
            src = nd.flip(src, axis=1)
        return src


class CastAug(Augmenter):
    """Cast to ``typ`` (float32 by default).

    >>> mx.image.CastAug()(mx.nd.zeros((1, 1, 3), dtype="uint8")).dtype
    <class 'numpy.float32'>
    """

    def __init__(self, typ="float32"):
        super().__init__(type=typ)
        self.typ = typ

    def __call__(self, src):
        return src.astype(self.typ)


# ImageNet's RGB mean and standard deviation, and the PCA of its pixel colours (AlexNet's lighting noise).
_IMAGENET_MEAN = (123.68, 116.28, 103.53)
_IMAGENET_STD = (58.395, 57.12, 57.375)
_PCA_EIGVAL = np.array([55.46, 4.794, 1.148])
_PCA_EIGVEC = np.array([[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140], [-0.5836, -0.6948, 0.4203]])


def CreateAugmenter(
    data_shape,
    resize=0,
    rand_crop=False,
    rand_resize=False,
    rand_mirror=False,
    mean=None,
    std=None,
    brightness=0,
    contrast=0,
    saturation=0,
    hue=0,
    pca_noise=0,
    rand_gray=0,
    inter_method=2,
):
    """The standard augmenter list for ``data_shape`` (C, H, W), as MXNet builds it.

    Order: resize of the shorter edge, crop (random sized, random or centre),
    mirror, cast to float32, colour jitter, hue, PCA noise, gray, normalise.
    ``mean=True`` / ``std=True`` use ImageNet's statistics.

    >>> [type(a).__name__ for a in mx.image.CreateAugmenter((3, 32, 32), rand_crop=True, rand_mirror=True)]
    ['RandomCropAug', 'HorizontalFlipAug', 'CastAug']
    """
    auglist = []
    if resize > 0:
        auglist.append(ResizeAug(resize, inter_method))
    crop_size = (data_shape[2], data_shape[1])
    if rand_resize:
        if not rand_crop:
            raise ValueError("CreateAugmenter: rand_resize=True needs rand_crop=True")
        auglist.append(RandomSizedCropAug(crop_size, 0.08, (3.0 / 4.0, 4.0 / 3.0), inter_method))
    elif rand_crop:
        auglist.append(RandomCropAug(crop_size, inter_method))
    else:
        auglist.append(CenterCropAug(crop_size, inter_method))
    if rand_mirror:
        auglist.append(HorizontalFlipAug(0.5))
    auglist.append(CastAug())
    if brightness or contrast or saturation:
        auglist.append(ColorJitterAug(brightness, contrast, saturation))
    if hue:
        auglist.append(HueJitterAug(hue))
    if pca_noise > 0:
        auglist.append(LightingAug(pca_noise, _PCA_EIGVAL, _PCA_EIGVEC))
    if rand_gray > 0:
        auglist.append(RandomGrayAug(rand_gray))
    if mean is True:
        mean = nd.array(_IMAGENET_MEAN)
    elif mean is not None and not (isinstance(mean, (np.ndarray, NDArray)) and mean.shape[0] in (1, 3)):
        raise ValueError(f"CreateAugmenter: mean must be True, None or an array of 1 or 3 values, given {mean!r}")
    if std is True:
        std = nd.array(_IMAGENET_STD)
    elif std is not None and not (isinstance(std, (np.ndarray, NDArray)) and std.shape[0] in (1, 3)):
        raise ValueError(f"CreateAugmenter: std must be True, None or an array of 1 or 3 values, given {std!r}")
    if mean is not None or std is not None:
        auglist.append(ColorNormalizeAug(mean, std))
    return auglist
