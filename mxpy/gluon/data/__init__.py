"""``mx.gluon.data``: datasets, samplers and the ``DataLoader``.

>>> import numpy as np, mxpy as mx
>>> ds = mx.gluon.data.ArrayDataset(np.arange(10).reshape(5, 2), np.arange(5))
>>> [x.shape for x, y in mx.gluon.data.DataLoader(ds, batch_size=2)]
[(2, 2), (2, 2), (1, 2)]
"""

from . import vision
from .dataloader import *  # noqa: F403
from .dataloader import __all__ as _dl_all
from .dataset import *  # noqa: F403
from .dataset import __all__ as _ds_all
from .sampler import *  # noqa: F403
from .sampler import __all__ as _s_all

__all__ = list(_ds_all) + list(_s_all) + list(_dl_all) + ["vision"]
