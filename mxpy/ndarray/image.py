"""``mx.nd.image``: the ``_image_*`` operators under their short names (to_tensor, normalize, resize, ...).

>>> import mxpy as mx
>>> mx.nd.image.to_tensor(mx.nd.zeros((4, 5, 3), dtype="uint8")).shape
(3, 4, 5)
"""

from __future__ import annotations

from . import register as _register

globals().update(_register.prefixed("_image_"))
