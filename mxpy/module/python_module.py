"""Modules written in Python: ``PythonModule`` (no parameters, computed by your code)
and ``PythonLossModule`` (a loss whose gradient is a Python function), typically
the last stage of a :class:`SequentialModule`.

>>> import mxpy as mx
>>> loss = mx.mod.PythonLossModule(grad_func=lambda scores, labels: scores - 1)
>>> loss.bind([("data", (2, 3))], [("softmax_label", (2,))])
>>> loss.output_shapes
[('pyloss_output', (2, 3))]
"""

from __future__ import annotations

import logging

from .. import ndarray as nd
from ..base import MXNetError
from .base_module import BaseModule

__all__ = ["PythonModule", "PythonLossModule"]


class PythonModule(BaseModule):
    """A module without parameters whose computation you write in Python: subclass it
    and define ``_compute_output_shapes``, ``forward``, ``backward``, ``get_outputs``
    and ``get_input_grads``. Parameter and optimizer calls are accepted and do nothing.
    """

    def __init__(self, data_names, label_names, output_names, logger=logging) -> None:
        super().__init__(logger=logger)
        self._data_names = list(data_names) if isinstance(data_names, tuple) else data_names
        self._label_names = list(label_names) if isinstance(label_names, tuple) else label_names
        self._output_names = output_names
        self._data_shapes = None
        self._label_shapes = None
        self._output_shapes = None

    @property
    def data_names(self):
        return self._data_names

    @property
    def label_names(self):
        return self._label_names

    @property
    def output_names(self):
        return self._output_names

    @property
    def data_shapes(self):
        return self._data_shapes

    @property
    def label_shapes(self):
        return self._label_shapes

    @property
    def output_shapes(self):
        return self._output_shapes

    def get_params(self) -> tuple[dict, dict]:
        """No parameters: ``({}, {})``."""
        return {}, {}

    def init_params(self, initializer=None, arg_params=None, aux_params=None, allow_missing=False, force_init=False, allow_extra=False) -> None:
        """Nothing to initialize (accepted so Module code can call it)."""
        del initializer  # MXNet's default is Uniform(0.01); there is nothing to apply it to
        self.params_initialized = True

    def update(self) -> None:
        """Nothing to update."""

    def init_optimizer(self, kvstore="local", optimizer="sgd", optimizer_params=(("learning_rate", 0.01),), force_init=False) -> None:
        """No optimizer is needed (accepted so Module code can call it)."""
        self.optimizer_initialized = True

    def update_metric(self, eval_metric, labels, pre_sliced: bool = False) -> None:
        """Update ``eval_metric`` with ``labels`` and this module's outputs (nothing without labels)."""
        if self._label_shapes is None:
            return
        if pre_sliced:
            raise RuntimeError("PythonModule does not support presliced labels")
        eval_metric.update(labels, self.get_outputs())

    def bind(self, data_shapes, label_shapes=None, for_training=True, inputs_need_grad=False, force_rebind=False, shared_module=None, grad_req="write") -> None:
        """Record the input shapes (checked against the names) and compute the output shapes."""
        if self.binded and not force_rebind:
            self.logger.warning("Already bound, ignoring bind()")
            return
        if grad_req != "write":
            raise MXNetError(f"{type(self).__name__}.bind: Python module only support write gradient, got grad_req={grad_req!r}")
        data_shapes = [tuple(d) for d in data_shapes]
        if [d[0] for d in data_shapes] != list(self._data_names):
            raise MXNetError(f"{type(self).__name__}.bind: data shapes {data_shapes} do not match data names {self._data_names}")
        if label_shapes is not None:
            label_shapes = [tuple(d) for d in label_shapes]
            if self._label_names is None or [d[0] for d in label_shapes] != list(self._label_names):
                raise MXNetError(f"{type(self).__name__}.bind: label shapes {label_shapes} do not match label names {self._label_names}")
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self._data_shapes = data_shapes
        self._label_shapes = label_shapes
        self._output_shapes = self._compute_output_shapes()
        self.binded = True

    def _compute_output_shapes(self):
        raise MXNetError(f"{type(self).__name__}: PythonModule subclasses must define _compute_output_shapes()")


class PythonLossModule(PythonModule):
    """A loss in Python: its output is its input (the scores); ``backward`` sets the
    input gradient to ``grad_func(scores, labels)``."""

    def __init__(self, name: str = "pyloss", data_names=("data",), label_names=("softmax_label",), logger=logging, grad_func=None) -> None:
        super().__init__(data_names, label_names, [name + "_output"], logger=logger)
        if len(data_names) != 1 or len(label_names) != 1:
            raise MXNetError("PythonLossModule: exactly one data name and one label name are supported")
        if grad_func is not None and not callable(grad_func):
            raise TypeError(f"PythonLossModule: grad_func must be callable, got {type(grad_func).__name__}")
        self._name = name
        self._scores = None
        self._labels = None
        self._scores_grad = None
        self._grad_func = grad_func

    def _compute_output_shapes(self):
        return [(self._name + "_output", self._data_shapes[0][1])]

    def forward(self, data_batch, is_train=None) -> None:
        """Keep the scores (and, when training, the labels)."""
        self._scores = data_batch.data[0]
        if is_train is None:
            is_train = self.for_training
        if is_train:
            self._labels = data_batch.label[0]

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        if merge_multi_context is not True:
            raise MXNetError("PythonLossModule.get_outputs: only merge_multi_context=True is supported")
        return [self._scores]

    def backward(self, out_grads=None) -> None:
        """Compute the scores' gradient with ``grad_func`` (a loss takes no ``out_grads``)."""
        if out_grads is not None:
            raise MXNetError("For a loss module, out_grads should be None")
        if not self.for_training:
            raise MXNetError("PythonLossModule.backward: bind with for_training=True first")
        self._backward_impl()

    def _backward_impl(self) -> None:
        if self._grad_func is None:
            raise MXNetError("PythonLossModule: no grad_func was given, so backward cannot compute a gradient (pass grad_func= or override _backward_impl)")
        grad = self._grad_func(self._scores, self._labels)
        self._scores_grad = grad if isinstance(grad, nd.NDArray) else nd.array(grad)

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        if merge_multi_context is not True:
            raise MXNetError("PythonLossModule.get_input_grads: only merge_multi_context=True is supported")
        return [self._scores_grad]

    def install_monitor(self, mon) -> None:
        raise MXNetError("PythonLossModule has no executors to monitor")
