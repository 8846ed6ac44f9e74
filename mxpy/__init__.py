"""mxpy: Apache MXNet 1.x's Python API on NumPy (CPU) and CuPy (GPU).

>>> import mxpy as mx
>>> a = mx.nd.ones((2, 2))
>>> (a + a).asnumpy().tolist()
[[2.0, 2.0], [2.0, 2.0]]
"""

from __future__ import annotations

__version__ = "1.9.1"

from . import (
    attribute,
    autograd,
    base,
    callback,
    context,
    contrib,
    control_flow,
    engine,
    executor,
    gluon,
    image,
    initializer,
    io,
    kvstore,
    lr_scheduler,
    metric,
    model,
    module,
    monitor,
    name,
    ndarray,
    onnx,
    operator,
    optimizer,
    profiler,
    random,
    recordio,
    rnn,
    runtime,
    symbol,
    test_utils,
    torch,
    util,
    visualization,
)
from . import image as img
from . import initializer as init
from . import kvstore as kv
from . import module as mod
from . import monitor as mon
from . import ndarray as nd
from . import numpy as np
from . import numpy_extension as npx
from . import symbol as sym
from . import torch as th
from . import visualization as viz
from .attribute import AttrScope
from .backend.host_memory import tune_host_allocator
from .base import MXNetError
from .cached_op import CachedOp as _CachedOp
from .context import Context, cpu, cpu_pinned, current_context, gpu, num_gpus
from .util import (  # MXNet exposes the NumPy-semantics switches at the top level
    is_np_array,
    is_np_shape,
    np_array,
    np_shape,
    reset_np,
    set_np,
    set_np_shape,
    use_np,
    use_np_array,
    use_np_shape,
)

ndarray.CachedOp = _CachedOp  # mx.nd.CachedOp runs on Gluon's graph cache, which sits above mx.nd
ndarray.Custom = operator.nd_custom  # the custom-op front ends (mxpy/operator.py)
symbol.Custom = operator.sym_custom
ndarray.contrib.foreach = control_flow.foreach_nd  # the control-flow front ends (mxpy/control_flow.py)
symbol.contrib.foreach = control_flow.foreach_sym
for _front in (ndarray, symbol):  # _foreach registers after mx.nd / mx.sym were filled: add it as they would
    _front._internal._foreach = _front.op._foreach = _front._foreach = _front.register.function("_foreach")
initializer.FusedRNN = rnn.FusedRNN  # defined beside FusedRNNCell, which it unpacks with

tune_host_allocator()  # see mxpy/backend/host_memory.py; MXPY_TUNE_MALLOC=0 turns it off

__all__ = [
    "kvstore",
    "kv",
    "callback",
    "contrib",
    "model",
    "module",
    "mod",
    "init",
    "initializer",
    "io",
    "lr_scheduler",
    "metric",
    "optimizer",
    "profiler",
    "test_utils",
    "recordio",
    "image",
    "img",
    "monitor",
    "mon",
    "autograd",
    "gluon",
    "executor",
    "random",
    "sym",
    "symbol",
    "name",
    "attribute",
    "AttrScope",
    "MXNetError",
    "Context",
    "cpu",
    "gpu",
    "cpu_pinned",
    "current_context",
    "num_gpus",
    "nd",
    "ndarray",
    "np",
    "npx",
    "base",
    "context",
    "engine",
    "util",
    "runtime",
    "operator",
    "rnn",
    "contrib",
    "is_np_array",
    "is_np_shape",
    "np_array",
    "np_shape",
    "reset_np",
    "set_np",
    "set_np_shape",
    "use_np",
    "use_np_array",
    "use_np_shape",
    "onnx",
    "torch",
    "th",
    "visualization",
    "viz",
]
