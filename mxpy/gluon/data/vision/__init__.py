"""``gluon.data.vision``: image datasets (and, after the Gluon core lands, ``transforms``).

>>> import mxpy as mx
>>> ds = mx.gluon.data.vision.ImageFolderDataset("train/")             # doctest: +SKIP
"""

from .datasets import *  # noqa: F403
from .datasets import __all__ as __all__
