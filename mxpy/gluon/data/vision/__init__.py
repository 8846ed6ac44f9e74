"""``gluon.data.vision``: image datasets and ``transforms``.

>>> import mxpy as mx
>>> ds = mx.gluon.data.vision.ImageFolderDataset("train/")             # doctest: +SKIP
"""

from . import transforms
from .datasets import *  # noqa: F403
from .datasets import __all__ as _ds_all

__all__ = list(_ds_all) + ["transforms"]
