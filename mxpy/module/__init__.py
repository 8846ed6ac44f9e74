"""``mx.mod``: Module, BucketingModule and SequentialModule, with data parallelism over contexts.

>>> import mxpy as mx
>>> from mxpy import module
>>> net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2), name="softmax")
>>> module.Module(net).data_names
['data']
"""

from __future__ import annotations

from .base_module import BaseModule
from .bucketing_module import BucketingModule
from .executor_group import DataParallelExecutorGroup
from .module import Module
from .python_module import PythonLossModule, PythonModule
from .sequential_module import SequentialModule

__all__ = ["BaseModule", "Module", "BucketingModule", "SequentialModule", "DataParallelExecutorGroup", "PythonModule", "PythonLossModule"]
