"""``mx.image``: image decoding, resizing, cropping, augmenters and image iterators.

Decoding and resizing go through OpenCV (the ``image`` extra:
``pip install 'mxpy[image]'``), imported on first use.

>>> import mxpy as mx
>>> img = mx.image.imread("cat.jpg")                                   # doctest: +SKIP
>>> img = mx.image.resize_short(img, 256)                              # doctest: +SKIP
>>> img, rect = mx.image.center_crop(img, (224, 224))                  # doctest: +SKIP
"""

from .augment import *  # noqa: F403
from .augment import __all__ as _aug_all
from .detection import *  # noqa: F403
from .detection import __all__ as _det_all
from .image import *  # noqa: F403
from .image import __all__ as _img_all
from .image import _get_interp_method  # noqa: F401 - MXNet scripts import it
from .image_iter import ImageIter
from .rotate import imrotate, random_rotate

__all__ = list(_img_all) + list(_aug_all) + ["ImageIter", "imrotate", "random_rotate"] + list(_det_all)
