"""``mx.sym.image``: the ``_image_*`` operators under their short names.

>>> import mxpy as mx
>>> mx.sym.image.to_tensor(mx.sym.var("x")).list_arguments()
['x']
"""

from __future__ import annotations

from . import register as _register

globals().update(_register.prefixed("_image_"))
