"""mxpy: Apache MXNet 1.x's Python API on NumPy (CPU) and CuPy (GPU).

>>> import mxpy as mx
>>> a = mx.nd.ones((2, 2))
>>> (a + a).asnumpy().tolist()
[[2.0, 2.0], [2.0, 2.0]]
"""

from __future__ import annotations

__version__ = "1.9.1"

from . import base, context, engine, ndarray, random
from . import ndarray as nd
from .base import MXNetError
from .context import Context, cpu, cpu_pinned, current_context, gpu, num_gpus

__all__ = ["random", "MXNetError", "Context", "cpu", "gpu", "cpu_pinned", "current_context", "num_gpus", "nd", "ndarray", "base", "context", "engine"]
