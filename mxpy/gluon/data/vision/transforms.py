"""``gluon.data.vision.transforms``: image transforms as Gluon Blocks.

Hybrid transforms call the ``mx.nd.image`` / ``mx.sym.image`` operators
through ``F``, so they hybridize; the cropping ones with random geometry are
plain Blocks over ``mx.image``. Inputs are HxWxC images (uint8 or float)
until ``ToTensor``, which gives CxHxW float32 in [0, 1].

>>> import mxpy as mx
>>> from mxpy.gluon.data.vision import transforms
>>> t = transforms.Compose([transforms.Resize(32), transforms.ToTensor(), transforms.Normalize(0.5, 0.25)])
>>> t(mx.nd.zeros((40, 50, 3), dtype="uint8")).shape
(3, 32, 32)
"""

from __future__ import annotations

import numbers
import random

import numpy as np

from .... import image
from ...block import Block, HybridBlock
from ...nn import HybridSequential, Sequential

__all__ = [
    "Compose",
    "HybridCompose",
    "Cast",
    "ToTensor",
    "Normalize",
    "Rotate",
    "RandomRotation",
    "RandomResizedCrop",
    "CropResize",
    "CenterCrop",
    "Resize",
    "RandomFlipLeftRight",
    "RandomFlipTopBottom",
    "RandomBrightness",
    "RandomContrast",
    "RandomSaturation",
    "RandomHue",
    "RandomColorJitter",
    "RandomLighting",
    "RandomApply",
]


class Compose(Sequential):
    """Apply ``transforms`` in order; runs of consecutive HybridBlocks are grouped and hybridized.

    >>> t = transforms.Compose([transforms.CenterCrop(4), transforms.ToTensor()])
    >>> t(mx.nd.zeros((6, 6, 3), dtype="uint8")).shape
    (3, 4, 4)
    """

    def __init__(self, transforms):
        super().__init__()
        run = []
        for t in list(transforms) + [None]:
            if isinstance(t, HybridBlock):
                run.append(t)
                continue
            if len(run) == 1:
                self.add(run[0])
            elif len(run) > 1:
                group = HybridSequential()
                for h in run:
                    group.add(h)
                group.hybridize()
                self.add(group)
            run = []
            if t is not None:
                self.add(t)


class HybridCompose(HybridSequential):
    """Apply hybrid ``transforms`` in order, as one hybridizable block.

    >>> t = transforms.HybridCompose([transforms.Cast(), transforms.Normalize(1.0, 2.0)])
    >>> t(mx.nd.ones((1, 2, 2)) * 3).asnumpy().ravel().tolist()
    [1.0, 1.0, 1.0, 1.0]
    """

    def __init__(self, transforms):
        super().__init__()
        for t in transforms:
            if not isinstance(t, HybridBlock):
                raise ValueError(f"HybridCompose: {type(t).__name__} is not a HybridBlock; use Compose")
            self.add(t)


class Cast(HybridBlock):
    """Cast to ``dtype`` (float32 by default).

    >>> transforms.Cast("float16")(mx.nd.zeros((2, 2, 3), dtype="uint8")).dtype
    <class 'numpy.float16'>
    """

    def __init__(self, dtype="float32"):
        super().__init__()
        self._dtype = dtype

    def hybrid_forward(self, F, x):
        return F.cast(x, self._dtype)


class ToTensor(HybridBlock):
    """(H, W, C) or (N, H, W, C) in [0, 255] -> float32 (C, H, W) or (N, C, H, W) in [0, 1].

    >>> transforms.ToTensor()(mx.nd.ones((2, 3, 3), dtype="uint8") * 255).asnumpy().max()
    np.float32(1.0)
    """

    def hybrid_forward(self, F, x):
        return F.image.to_tensor(x)


def _stats(v):
    return tuple(float(x) for x in v) if isinstance(v, (tuple, list)) else (float(v),)


class Normalize(HybridBlock):
    """``(x - mean) / std`` per channel of a (C, H, W) or (N, C, H, W) tensor.

    >>> transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))(mx.nd.ones((3, 1, 1))).asnumpy().ravel()
    array([1., 1., 1.], dtype=float32)
    """

    def __init__(self, mean=0.0, std=1.0):
        super().__init__()
        self._mean = _stats(mean)
        self._std = _stats(std)

    def hybrid_forward(self, F, x):
        return F.image.normalize(x, mean=self._mean, std=self._std)


class Rotate(Block):
    """Rotate a float32 (C, H, W) image or (N, C, H, W) batch by ``rotation_degrees`` (see ``mx.image.imrotate``).

    >>> transforms.Rotate(30)(mx.nd.ones((3, 8, 8))).shape
    (3, 8, 8)
    """

    def __init__(self, rotation_degrees, zoom_in=False, zoom_out=False):
        super().__init__()
        self._args = (rotation_degrees, zoom_in, zoom_out)

    def forward(self, x):
        if x.dtype != np.float32:
            raise TypeError("This transformation only supports float32. Consider calling it after ToTensor")
        return image.imrotate(x, *self._args)


class RandomRotation(Block):
    """Rotate by an angle drawn from ``angle_limits``, with probability ``rotate_with_proba``.

    >>> transforms.RandomRotation((-10, 10))(mx.nd.ones((3, 8, 8))).shape
    (3, 8, 8)
    """

    def __init__(self, angle_limits, zoom_in=False, zoom_out=False, rotate_with_proba=1.0):
        super().__init__()
        lower, upper = angle_limits
        if lower >= upper:
            raise ValueError("`angle_limits` must be an ordered tuple")
        if not 0 <= rotate_with_proba <= 1:
            raise ValueError("Probability of rotating the image should be between 0 and 1")
        self._args = (angle_limits, zoom_in, zoom_out)
        self._rotate_with_proba = rotate_with_proba

    def forward(self, x):
        if np.random.random() > self._rotate_with_proba:
            return x
        if x.dtype != np.float32:
            raise TypeError("This transformation only supports float32. Consider calling it after ToTensor")
        return image.random_rotate(x, *self._args)


def _pair(size):
    return (size, size) if isinstance(size, numbers.Number) else tuple(size)


class RandomResizedCrop(Block):
    """Crop a random area fraction (``scale``) and aspect ratio (``ratio``), resized to ``size`` (w, h).

    >>> transforms.RandomResizedCrop(8)(mx.nd.zeros((20, 30, 3), dtype="uint8")).shape
    (8, 8, 3)
    """

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0), interpolation=1):
        super().__init__()
        self._args = (_pair(size), scale, ratio, interpolation)

    def forward(self, x):
        return image.random_size_crop(x, *self._args)[0]


class CropResize(HybridBlock):
    """Crop the region (x, y, width, height), then resize it to ``size`` if given.

    >>> transforms.CropResize(1, 1, 4, 3, size=(2, 2))(mx.nd.zeros((8, 8, 3), dtype="uint8")).shape
    (2, 2, 3)
    """

    def __init__(self, x, y, width, height, size=None, interpolation=None):
        super().__init__()
        self._x, self._y, self._width, self._height = x, y, width, height
        self._size = size
        self._interpolation = interpolation

    def hybrid_forward(self, F, x):
        out = F.image.crop(x, x=self._x, y=self._y, width=self._width, height=self._height)
        if self._size:
            size = _pair(self._size)
            kw = {} if self._interpolation is None else {"interp": self._interpolation}
            out = F.image.resize(out, size=size, keep_ratio=False, **kw)
        return out


class CenterCrop(Block):
    """Crop the centre ``size`` (w, h), scaled down to fit and resized back (see ``mx.image.center_crop``).

    >>> transforms.CenterCrop((4, 2))(mx.nd.zeros((6, 6, 3), dtype="uint8")).shape
    (2, 4, 3)
    """

    def __init__(self, size, interpolation=1):
        super().__init__()
        self._args = (_pair(size), interpolation)

    def forward(self, x):
        return image.center_crop(x, *self._args)[0]


class Resize(HybridBlock):
    """Resize to ``size`` (w, h) or a square; with ``keep_ratio`` and one int, the shorter edge.

    >>> transforms.Resize(4, keep_ratio=True)(mx.nd.zeros((8, 12, 3), dtype="uint8")).shape
    (4, 6, 3)
    """

    def __init__(self, size, keep_ratio=False, interpolation=1):
        super().__init__()
        self._keep = keep_ratio
        self._size = (size,) if isinstance(size, numbers.Number) else tuple(size)
        self._interpolation = interpolation

    def hybrid_forward(self, F, x):
        return F.image.resize(x, size=self._size, keep_ratio=self._keep, interp=self._interpolation)


class RandomFlipLeftRight(HybridBlock):
    """Mirror an (H, W, C) image left-right with probability 1/2.

    >>> transforms.RandomFlipLeftRight()(mx.nd.zeros((2, 2, 3))).shape
    (2, 2, 3)
    """

    def hybrid_forward(self, F, x):
        return F.image.random_flip_left_right(x)


class RandomFlipTopBottom(HybridBlock):
    """Mirror an (H, W, C) image top-bottom with probability 1/2.

    >>> transforms.RandomFlipTopBottom()(mx.nd.zeros((2, 2, 3))).shape
    (2, 2, 3)
    """

    def hybrid_forward(self, F, x):
        return F.image.random_flip_top_bottom(x)


class _RandomEnhance(HybridBlock):
    _op = ""

    def __init__(self, amount):
        super().__init__()
        self._args = (max(0.0, 1.0 - amount), 1.0 + amount)

    def hybrid_forward(self, F, x):
        return getattr(F.image, self._op)(x, min_factor=self._args[0], max_factor=self._args[1])


class RandomBrightness(_RandomEnhance):
    """Scale brightness by a factor from [max(0, 1 - brightness), 1 + brightness].

    >>> transforms.RandomBrightness(0.1)(mx.nd.ones((2, 2, 3))).shape
    (2, 2, 3)
    """

    _op = "random_brightness"


class RandomContrast(_RandomEnhance):
    """Blend with the mean gray level by a factor from [max(0, 1 - contrast), 1 + contrast].

    >>> transforms.RandomContrast(0.1)(mx.nd.ones((2, 2, 3))).shape
    (2, 2, 3)
    """

    _op = "random_contrast"


class RandomSaturation(_RandomEnhance):
    """Blend with the per-pixel gray level by a factor from [max(0, 1 - saturation), 1 + saturation].

    >>> transforms.RandomSaturation(0.1)(mx.nd.ones((2, 2, 3))).shape
    (2, 2, 3)
    """

    _op = "random_saturation"


class RandomHue(_RandomEnhance):
    """Shift the hue by a factor from [max(0, 1 - hue), 1 + hue] turns (as MXNet 1.9.1 passes them).

    >>> transforms.RandomHue(0.1)(mx.nd.ones((2, 2, 3))).shape
    (2, 2, 3)
    """

    _op = "random_hue"


class RandomColorJitter(HybridBlock):
    """Random brightness, contrast, saturation and hue changes in a random order.

    >>> transforms.RandomColorJitter(0.1, 0.1, 0.1, 0.1)(mx.nd.ones((2, 2, 3))).shape
    (2, 2, 3)
    """

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        super().__init__()
        self._args = (brightness, contrast, saturation, hue)

    def hybrid_forward(self, F, x):
        b, c, s, h = self._args
        return F.image.random_color_jitter(x, brightness=b, contrast=c, saturation=s, hue=h)


class RandomLighting(HybridBlock):
    """AlexNet-style PCA lighting noise with alphas from N(0, alpha).

    >>> transforms.RandomLighting(0.1)(mx.nd.ones((2, 2, 3))).shape
    (2, 2, 3)
    """

    def __init__(self, alpha):
        super().__init__()
        self._alpha = alpha

    def hybrid_forward(self, F, x):
        return F.image.random_lighting(x, alpha_std=self._alpha)


class RandomApply(Sequential):
    """Apply ``transforms`` with probability ``p`` (Python's ``random``).

    >>> transforms.RandomApply(transforms.Cast(), p=1.0)(mx.nd.zeros((1,), dtype="uint8")).dtype
    <class 'numpy.float32'>
    """

    def __init__(self, transforms, p=0.5):
        super().__init__()
        self.transforms = transforms
        self.p = p

    def forward(self, x):
        if self.p < random.random():
            return x
        return self.transforms(x)
