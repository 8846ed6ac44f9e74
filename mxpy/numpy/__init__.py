"""``mxnet.numpy`` (``mx.np``): MXNet 1.x's NumPy-compatible front end is not part of mxpy.

The module exists so that code importing it (``import mxnet.numpy as np``
next to mostly ``mx.nd`` work, as several of MXNet's own test files do)
loads. Any attribute read raises AttributeError naming what was asked for, so
nothing here ever pretends to be an ``mx.np`` array or function.

>>> import mxpy.numpy as mnp
>>> try:
...     mnp.zeros((2,))
... except AttributeError as e:
...     print("not supported" in str(e))
True
"""

from __future__ import annotations


def __getattr__(name: str):
    if name.startswith("__") and name.endswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"mxnet.numpy.{name}: MXNet's NumPy-compatible front end (mx.np) is not supported by mxpy; use mx.nd arrays instead")
