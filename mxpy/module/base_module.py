"""BaseModule: the training loop (``fit``), ``score`` and ``predict`` over any module.

A module is a computation that can be bound to input shapes, initialised,
run forward and backward, and updated by an optimizer. Subclasses
(:class:`~mxpy.module.Module`, ``BucketingModule``, ``SequentialModule``)
implement those steps; this class builds the high-level API on them.

>>> import mxpy as mx
>>> net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2, name="fc"), name="softmax")
>>> it = mx.io.NDArrayIter(mx.nd.ones((4, 3)), mx.nd.zeros((4,)), batch_size=2)
>>> mod = mx.mod.Module(net)
>>> mod.fit(it, num_epoch=1)
>>> mod.predict(it).shape
(4, 2)
"""

from __future__ import annotations

import logging
import numbers
import time
import warnings

import numpy as np

from .. import metric as _metric
from .. import ndarray as nd
from .._checkpoint import BatchEndParam
from ..base import NotReadyError
from ..context import cpu
from ..initializer import Uniform
from ..io import DataDesc
from ..kvstore.dist_env import rank_prefix as _rank
from ..ndarray import NDArray

_log = logging.getLogger(__name__)  # never the root logger: it would configure logging for the script

__all__ = ["BaseModule"]


def _as_list(obj) -> list:
    return list(obj) if isinstance(obj, (list, tuple)) else [obj]


def _check_input_names(symbol, names: list, typename: str, throw: bool) -> None:
    """Every name must be an argument of ``symbol`` (else raise, or warn when ``throw`` is False)."""
    args = symbol.list_arguments()
    for name in names:
        if name in args:
            continue
        candidates = [a for a in args if not a.endswith(("_weight", "_bias", "_gamma", "_beta"))]
        msg = (
            f"You created Module with Module(..., {typename}_names={names}) but input with name '{name}' is not found in "
            f"symbol.list_arguments(). Did you mean one of:\n\t" + "\n\t".join(candidates)
        )
        if throw:
            raise ValueError(msg)
        warnings.warn(msg, stacklevel=3)


def _check_names_match(data_names: list, data_shapes: list, name: str, throw: bool) -> None:
    actual = [x[0] for x in data_shapes]
    if sorted(data_names) != sorted(actual):
        msg = f"Data provided by {name}_shapes don't match names specified by {name}_names ({data_shapes} vs. {data_names})"
        if throw:
            raise ValueError(msg)
        warnings.warn(msg, stacklevel=4)


def _as_desc(x, what: str) -> DataDesc:
    if isinstance(x, DataDesc):
        return x
    if not isinstance(x, (list, tuple)) or len(x) != 2 or not isinstance(x[0], str):
        raise TypeError(f"bind: each entry of {what} must be a DataDesc or a (name, shape) pair, given {x!r}")
    shape = x[1]
    # a shape of the wrong type (an NDArray, a float) is a TypeError as in MXNet; bad sizes a ValueError
    if not isinstance(shape, (list, tuple)) or not all(isinstance(d, numbers.Integral) and not isinstance(d, bool) for d in shape):
        raise TypeError(f"bind: shape of {what} entry {x[0]!r} must be a tuple of ints, given {type(shape).__name__} {shape!r}")
    if not all(d > 0 for d in shape):
        raise ValueError(f"bind: shape of {what} entry {x[0]!r} must be a tuple of positive ints, given {shape!r}")
    return DataDesc(x[0], tuple(int(d) for d in shape))


def _parse_data_desc(data_names, label_names, data_shapes, label_shapes):
    """Data/label descriptions as ``DataDesc`` lists, names checked against the module's."""
    data_shapes = [_as_desc(x, "data_shapes") for x in data_shapes]
    _check_names_match(data_names, data_shapes, "data", True)
    if label_shapes is not None:
        label_shapes = [_as_desc(x, "label_shapes") for x in label_shapes]
        _check_names_match(label_names, label_shapes, "label", False)
    else:
        _check_names_match(label_names, [], "label", False)
    return data_shapes, label_shapes


def _create_metric(eval_metric):
    return eval_metric if isinstance(eval_metric, _metric.EvalMetric) else _metric.create(eval_metric)


class BaseModule:
    """The module interface and the training/inference loops built on it (see the module docstring)."""

    def __init__(self, logger=logging) -> None:
        self.logger = _log if logger is logging else logger  # MXNet passes the logging module: use ours
        self.binded = False
        self.for_training = False
        self.inputs_need_grad = False
        self.params_initialized = False
        self.optimizer_initialized = False
        self._symbol = None
        self._total_exec_bytes = 0

    # -- high-level API ------------------------------------------------------------------
    def forward_backward(self, data_batch) -> None:
        """``forward(data_batch, is_train=True)`` then ``backward()``."""
        self.forward(data_batch, is_train=True)
        self.backward()

    def score(
        self,
        eval_data,
        eval_metric,
        num_batch=None,
        batch_end_callback=None,
        score_end_callback=None,
        reset=True,
        epoch=0,
        sparse_row_id_fn=None,
    ):
        """Run ``eval_data`` forward and return ``eval_metric.get_name_value()``.

        >>> import mxpy as mx
        >>> net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2), name="softmax")
        >>> it = mx.io.NDArrayIter(mx.nd.ones((4, 3)), mx.nd.zeros((4,)), batch_size=2)
        >>> mod = mx.mod.Module(net); mod.bind(it.provide_data, it.provide_label); mod.init_params()
        >>> [name for name, _ in mod.score(it, "acc")]
        ['accuracy']
        """
        self._assert_ready("score")
        if reset:
            eval_data.reset()
        eval_metric = _create_metric(eval_metric)
        eval_metric.reset()
        actual_num_batch = 0
        for nbatch, eval_batch in enumerate(eval_data):
            if num_batch is not None and nbatch == num_batch:
                break
            self.prepare(eval_batch, sparse_row_id_fn=sparse_row_id_fn)
            self.forward(eval_batch, is_train=False)
            if isinstance(eval_batch, list):
                self.update_metric(eval_metric, [eb.label for eb in eval_batch], pre_sliced=True)
            else:
                self.update_metric(eval_metric, eval_batch.label)
            if batch_end_callback is not None:
                params = BatchEndParam(epoch=epoch, nbatch=nbatch, eval_metric=eval_metric, locals=locals())
                for cb in _as_list(batch_end_callback):
                    cb(params)
            actual_num_batch += 1
        if score_end_callback:
            params = BatchEndParam(epoch=epoch, nbatch=actual_num_batch, eval_metric=eval_metric, locals=locals())
            for cb in _as_list(score_end_callback):
                cb(params)
        return eval_metric.get_name_value()

    def iter_predict(self, eval_data, num_batch=None, reset=True, sparse_row_id_fn=None):
        """Yield ``(outputs, nbatch, batch)`` per batch, padding removed from the outputs."""
        self._assert_ready("iter_predict")
        if reset:
            eval_data.reset()
        for nbatch, eval_batch in enumerate(eval_data):
            if num_batch is not None and nbatch == num_batch:
                break
            self.prepare(eval_batch, sparse_row_id_fn=sparse_row_id_fn)
            self.forward(eval_batch, is_train=False)
            pad = eval_batch.pad or 0
            outputs = [out[0 : out.shape[0] - pad] for out in self.get_outputs()]
            yield (outputs, nbatch, eval_batch)

    def predict(self, eval_data, num_batch=None, merge_batches=True, reset=True, always_output_list=False, sparse_row_id_fn=None):
        """Outputs over ``eval_data`` (an iterator; an NDArray/NumPy array is run as one batch).

        With ``merge_batches`` the batches are concatenated (one array when the
        module has one output, unless ``always_output_list``); else a list per batch.
        """
        self._assert_ready("predict")
        if isinstance(eval_data, (NDArray, np.ndarray)):
            # one batch given directly: forward it as is (MXNet's shortcut)
            from ..io import DataBatch

            batch = eval_data if isinstance(eval_data, NDArray) else nd.array(eval_data)
            self.forward(DataBatch([batch]))
            return self.get_outputs()[0]
        if reset:
            eval_data.reset()
        output_list = []
        for nbatch, eval_batch in enumerate(eval_data):
            if num_batch is not None and nbatch == num_batch:
                break
            self.prepare(eval_batch, sparse_row_id_fn=sparse_row_id_fn)
            self.forward(eval_batch, is_train=False)
            pad = eval_batch.pad or 0
            output_list.append([out[0 : out.shape[0] - pad].copy() for out in self.get_outputs()])
        if not output_list:
            return output_list
        if merge_batches:
            num_outputs = len(output_list[0])
            for out in output_list:
                if len(out) != num_outputs:
                    raise AssertionError("Cannot merge batches, as num of outputs is not the same in mini-batches. Maybe bucketing is used?")
            merged = [nd.concat(*[out[i] for out in output_list], dim=0) if len(output_list) > 1 else output_list[0][i] for i in range(num_outputs)]
            if num_outputs == 1 and not always_output_list:
                return merged[0]
            return merged
        return output_list

    def fit(
        self,
        train_data,
        eval_data=None,
        eval_metric="acc",
        epoch_end_callback=None,
        batch_end_callback=None,
        kvstore="local",
        optimizer="sgd",
        optimizer_params=(("learning_rate", 0.01),),
        eval_end_callback=None,
        eval_batch_end_callback=None,
        initializer=Uniform(0.01),  # noqa: B008 - MXNet's default, never mutated
        arg_params=None,
        aux_params=None,
        allow_missing=False,
        force_rebind=False,
        force_init=False,
        begin_epoch=0,
        num_epoch=None,
        validation_metric=None,
        monitor=None,
        sparse_row_id_fn=None,
    ):
        """Train on ``train_data`` for epochs ``begin_epoch .. num_epoch-1``.

        Binds, initialises parameters and the optimizer, then per epoch runs
        forward/backward/update on every batch, logs ``Epoch[%d] Train-<metric>=%f``
        and ``Epoch[%d] Time cost=%.3f``, calls ``epoch_end_callback(epoch,
        symbol, arg_params, aux_params)`` and scores ``eval_data``
        (``Epoch[%d] Validation-<metric>=%f``).
        """
        if num_epoch is None:
            raise AssertionError("please specify number of epochs")
        # metrics are built first, so a bad metric name is rejected before anything is bound
        eval_metric = _create_metric(eval_metric)
        validation_metric = eval_metric if validation_metric is None else _create_metric(validation_metric)
        self.bind(data_shapes=train_data.provide_data, label_shapes=train_data.provide_label, for_training=True, force_rebind=force_rebind)
        if monitor is not None:
            self.install_monitor(monitor)
        self.init_params(initializer=initializer, arg_params=arg_params, aux_params=aux_params, allow_missing=allow_missing, force_init=force_init)
        self.init_optimizer(kvstore=kvstore, optimizer=optimizer, optimizer_params=optimizer_params)
        for epoch in range(begin_epoch, num_epoch):
            tic = time.time()
            eval_metric.reset()
            nbatch = 0
            data_iter = iter(train_data)
            end_of_batch = False
            next_data_batch = next(data_iter)
            eval_name_vals = []
            while not end_of_batch:
                data_batch = next_data_batch
                if monitor is not None:
                    monitor.tic()
                self.forward_backward(data_batch)
                self.update()
                if isinstance(data_batch, list):
                    self.update_metric(eval_metric, [db.label for db in data_batch], pre_sliced=True)
                else:
                    self.update_metric(eval_metric, data_batch.label)
                try:
                    next_data_batch = next(data_iter)
                    self.prepare(next_data_batch, sparse_row_id_fn=sparse_row_id_fn)
                except StopIteration:
                    end_of_batch = True
                if monitor is not None:
                    monitor.toc_print()
                if end_of_batch:
                    eval_name_vals = eval_metric.get_global_name_value()
                if batch_end_callback is not None:
                    params = BatchEndParam(epoch=epoch, nbatch=nbatch, eval_metric=eval_metric, locals=locals())
                    for cb in _as_list(batch_end_callback):
                        cb(params)
                nbatch += 1
            for name, val in eval_name_vals:
                self.logger.info(_rank() + "Epoch[%d] Train-%s=%f", epoch, name, val)
            self.logger.info(_rank() + "Epoch[%d] Time cost=%.3f", epoch, time.time() - tic)
            # sync the parameters from the devices (averaged over contexts) and back
            arg_params_now, aux_params_now = self.get_params()
            self.set_params(arg_params_now, aux_params_now)
            if epoch_end_callback is not None:
                for cb in _as_list(epoch_end_callback):
                    cb(epoch, self.symbol, arg_params_now, aux_params_now)
            if eval_data:
                res = self.score(eval_data, validation_metric, score_end_callback=eval_end_callback, batch_end_callback=eval_batch_end_callback, epoch=epoch)
                for name, val in res:
                    self.logger.info(_rank() + "Epoch[%d] Validation-%s=%f", epoch, name, val)
            train_data.reset()

    # -- parameters on disk ----------------------------------------------------------------
    def save_params(self, fname: str) -> None:
        """Save ``arg:NAME``/``aux:NAME`` parameters to ``fname`` (an NDArray file)."""
        arg_params, aux_params = self.get_params()
        save_dict = {f"arg:{k}": v.as_in_context(cpu()) for k, v in arg_params.items()}
        save_dict.update({f"aux:{k}": v.as_in_context(cpu()) for k, v in aux_params.items()})
        nd.save(fname, save_dict)

    def load_params(self, fname: str) -> None:
        """Load parameters written by :meth:`save_params` and set them."""
        save_dict = nd.load(fname)
        if not isinstance(save_dict, dict):
            raise ValueError(f"Invalid param file {fname}: it holds an unnamed list, expected 'arg:NAME'/'aux:NAME' keys")
        arg_params, aux_params = {}, {}
        for k, v in save_dict.items():
            tp, _, name = k.partition(":")
            if tp == "arg":
                arg_params[name] = v
            elif tp == "aux":
                aux_params[name] = v
            else:
                raise ValueError(f"Invalid param file {fname}: key {k!r} is not 'arg:NAME' or 'aux:NAME'")
        self.set_params(arg_params, aux_params)

    # -- hooks subclasses share --------------------------------------------------------------
    def _assert_ready(self, func: str) -> None:
        if not (self.binded and self.params_initialized):
            raise NotReadyError(
                f"{type(self).__name__}.{func}: call bind() and init_params() first (binded={self.binded}, params_initialized={self.params_initialized})"
            )

    def _assert_params(self, func: str) -> None:
        # as MXNet: parameters can be read before bind() (a loaded checkpoint's)
        if not self.params_initialized:
            raise NotReadyError(f"{type(self).__name__}.{func}: call init_params() (or load a checkpoint) first")

    def _assert_optimizer(self, func: str) -> None:
        self._assert_ready(func)
        if not self.optimizer_initialized:
            raise NotReadyError(f"{type(self).__name__}.{func}: call init_optimizer() first")

    def _assert_binded(self, func: str) -> None:
        if not self.binded:
            raise NotReadyError(f"{type(self).__name__}.{func}: call bind() first")

    def prepare(self, data_batch, sparse_row_id_fn=None) -> None:
        """Prepare for a batch (row-sparse pulls with ``sparse_row_id_fn``); dense modules need nothing."""
        if sparse_row_id_fn is not None:
            warnings.warn(UserWarning("sparse_row_id_fn is not invoked for BaseModule."), stacklevel=2)

    def set_params(self, arg_params, aux_params, allow_missing=False, force_init=True, allow_extra=False) -> None:
        """Set parameters by name (``init_params`` with no initializer)."""
        self.init_params(
            initializer=None, arg_params=arg_params, aux_params=aux_params, allow_missing=allow_missing, force_init=force_init, allow_extra=allow_extra
        )

    def install_monitor(self, mon) -> None:
        raise TypeError(f"{type(self).__name__} does not support install_monitor")

    @property
    def symbol(self):
        """The symbol this module computes."""
        return self._symbol
