"""``mx.gluon.model_zoo``: MXNet 1.9.1's predefined vision networks (``vision.get_model``) and the
store of their published pretrained parameter files (``model_store``).

>>> import mxpy as mx
>>> net = mx.gluon.model_zoo.vision.get_model("squeezenet1.1", classes=10)
>>> net.prefix
'squeezenet0_'
"""

from . import model_store, vision

__all__ = ["model_store", "vision"]
