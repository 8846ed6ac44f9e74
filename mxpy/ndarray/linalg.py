"""``mx.nd.linalg``: the linear-algebra operators (``_linalg_gemm`` is ``linalg.gemm``).

>>> import mxpy as mx
>>> mx.nd.linalg.gemm2 is not None
True
"""

from __future__ import annotations

from . import register as _register

globals().update(_register.prefixed("_linalg_"))
