"""BucketingModule: one Module per bucket key, all sharing the default bucket's parameters.

``sym_gen(bucket_key)`` returns ``(symbol, data_names, label_names)``; each
new key binds a Module with ``shared_module`` set to the default bucket's, so
every bucket reads and updates the same parameter arrays and optimizer.

>>> import mxpy as mx
>>> def sym_gen(n):
...     data = mx.sym.Variable("data")
...     fc = mx.sym.FullyConnected(mx.sym.sum(data, axis=1, keepdims=True), num_hidden=2, name="fc")
...     return mx.sym.SoftmaxOutput(fc, name="softmax"), ("data",), ("softmax_label",)
>>> mod = mx.mod.BucketingModule(sym_gen, default_bucket_key=5)
>>> mod.bind([("data", (2, 5))], [("softmax_label", (2,))])
>>> mod.init_params()
>>> mod.switch_bucket(3, [("data", (2, 3))], [("softmax_label", (2,))])
>>> sorted(mod._buckets)
[3, 5]
"""

from __future__ import annotations

import logging
import warnings

import numpy as np

from .. import ndarray as nd
from .._checkpoint import load_params
from ..base import MXNetError, NotReadyError
from ..context import Context, cpu
from ..initializer import Uniform
from ..name import NameManager
from ..symbol import load as symbol_load
from .base_module import BaseModule, _check_input_names
from .module import Module

__all__ = ["BucketingModule"]


class BucketingModule(BaseModule):
    """Modules for several bucket keys (e.g. sequence lengths) over shared parameters."""

    def __init__(
        self,
        sym_gen,
        default_bucket_key=None,
        logger=logging,
        context=cpu(),  # noqa: B008 - an interned, immutable Context
        work_load_list=None,
        fixed_param_names=None,
        state_names=None,
        group2ctxs=None,
        compression_params=None,
    ):
        super().__init__(logger=logger)
        if default_bucket_key is None:
            raise AssertionError("BucketingModule: default_bucket_key is required")
        if not callable(sym_gen):
            raise TypeError(f"BucketingModule: sym_gen must be callable, given {type(sym_gen).__name__}")
        self._default_bucket_key = default_bucket_key
        self._sym_gen = sym_gen
        symbol, data_names, label_names = self._call_sym_gen(default_bucket_key)
        data_names = list(data_names) if data_names is not None else []
        label_names = list(label_names) if label_names is not None else []
        state_names = list(state_names) if state_names is not None else []
        fixed_param_names = list(fixed_param_names) if fixed_param_names is not None else []
        _check_input_names(symbol, data_names, "data", True)
        _check_input_names(symbol, label_names, "label", False)
        _check_input_names(symbol, state_names, "state", True)
        _check_input_names(symbol, fixed_param_names, "fixed_param", True)
        self._compression_params = compression_params
        self._fixed_param_names = fixed_param_names
        self._state_names = state_names
        self._context = [context] if isinstance(context, Context) else list(context)
        self._work_load_list = work_load_list
        self._group2ctxs = group2ctxs
        self._buckets: dict = {}
        self._curr_module = None
        self._curr_bucket_key = None
        self._params_dirty = False
        self._monitor = None
        self._grad_req = None

    def _call_sym_gen(self, bucket_key):
        # a fresh NameManager per call: every bucket's auto-named layers get the same
        # names (embedding0_weight), so the buckets share their parameters as in MXNet
        with NameManager():
            out = self._sym_gen(bucket_key)
        if not isinstance(out, tuple) or len(out) != 3:
            raise TypeError(f"BucketingModule: sym_gen({bucket_key!r}) must return (symbol, data_names, label_names), given {type(out).__name__}")
        return out

    def _reset_bind(self) -> None:
        self.binded = False
        self._buckets = {}
        self._curr_module = None
        self._curr_bucket_key = None

    def _new_module(self, symbol, data_names, label_names) -> Module:
        return Module(
            symbol,
            data_names,
            label_names,
            logger=self.logger,
            context=self._context,
            work_load_list=self._work_load_list,
            fixed_param_names=self._fixed_param_names,
            state_names=self._state_names,
            group2ctxs=self._group2ctxs,
            compression_params=self._compression_params,
        )

    # -- properties ------------------------------------------------------------------------
    @property
    def data_names(self) -> list:
        """Data input names of the current bucket (of the default one before bind)."""
        if self.binded:
            return self._curr_module.data_names
        return list(self._call_sym_gen(self._default_bucket_key)[1])

    @property
    def output_names(self) -> list:
        """Output names of the current bucket (of the default one before bind)."""
        if self.binded:
            return self._curr_module.output_names
        return self._call_sym_gen(self._default_bucket_key)[0].list_outputs()

    @property
    def data_shapes(self):
        self._assert_binded("data_shapes")
        return self._curr_module.data_shapes

    @property
    def label_shapes(self):
        self._assert_binded("label_shapes")
        return self._curr_module.label_shapes

    @property
    def output_shapes(self):
        self._assert_binded("output_shapes")
        return self._curr_module.output_shapes

    @property
    def symbol(self):
        """The current bucket's symbol."""
        self._assert_binded("symbol")
        return self._curr_module.symbol

    # -- parameters ------------------------------------------------------------------------
    def get_params(self):
        """``(arg_params, aux_params)`` shared by every bucket."""
        self._assert_params("get_params")
        self._curr_module._params_dirty = self._params_dirty
        params = self._curr_module.get_params()
        self._params_dirty = False
        return params

    def set_params(self, arg_params, aux_params, allow_missing=False, force_init=True, allow_extra=False):
        """Set the shared parameters by name."""
        if not allow_missing:
            self.init_params(
                initializer=None, arg_params=arg_params, aux_params=aux_params, allow_missing=allow_missing, force_init=force_init, allow_extra=allow_extra
            )
            return
        if self.params_initialized and not force_init:
            warnings.warn("Parameters already initialized and force_init=False. set_params call ignored.", stacklevel=2)
            return
        self._curr_module.set_params(arg_params, aux_params, allow_missing=allow_missing, force_init=force_init, allow_extra=allow_extra)
        self._params_dirty = True
        self.params_initialized = True

    def init_params(self, initializer=Uniform(0.01), arg_params=None, aux_params=None, allow_missing=False, force_init=False, allow_extra=False):  # noqa: B008
        """Initialise the shared parameters (through the current bucket's module)."""
        if self.params_initialized and not force_init:
            return
        if not self.binded:
            raise NotReadyError(f"{type(self).__name__}.init_params: call bind() first")
        self._curr_module.init_params(
            initializer=initializer, arg_params=arg_params, aux_params=aux_params, allow_missing=allow_missing, force_init=force_init, allow_extra=allow_extra
        )
        self._params_dirty = False
        self.params_initialized = True

    def get_states(self, merge_multi_context: bool = True):
        self._assert_ready("get_states")
        return self._curr_module.get_states(merge_multi_context=merge_multi_context)

    def set_states(self, states=None, value=None) -> None:
        self._assert_ready("set_states")
        self._curr_module.set_states(states, value)

    # -- binding -----------------------------------------------------------------------------
    def bind(self, data_shapes, label_shapes=None, for_training=True, inputs_need_grad=False, force_rebind=False, shared_module=None, grad_req="write"):
        """Bind the default bucket's module (other buckets bind on first use)."""
        if self.params_initialized:
            arg_params, aux_params = self.get_params()
        if force_rebind:
            self._reset_bind()
        if self.binded:
            self.logger.warning("Already bound, ignoring bind()")
            return
        if shared_module is not None:
            raise AssertionError("shared_module for BucketingModule is not supported")
        module = self._buckets.get(self._default_bucket_key)  # a loaded checkpoint's module
        if module is None:
            symbol, data_names, label_names = self._call_sym_gen(self._default_bucket_key)
            module = self._new_module(symbol, data_names, label_names)
        module.bind(data_shapes, label_shapes, for_training, inputs_need_grad, force_rebind=False, shared_module=None, grad_req=grad_req)
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self.binded = True
        self._grad_req = grad_req
        self._curr_module = module
        self._curr_bucket_key = self._default_bucket_key
        self._buckets[self._default_bucket_key] = module
        if self.params_initialized:
            self.set_params(arg_params, aux_params)

    def save_checkpoint(self, prefix: str, epoch: int, remove_amp_cast: bool = False) -> None:
        """Write the shared parameters (``prefix-%04d.params``), each bucket's symbol
        (``prefix-KEY-symbol.json``) and the list of keys (``prefix.buckets``), as MXNet.

        >>> mod.save_checkpoint("/tmp/bucketing-doc", 0)  # doctest: +SKIP
        """
        if not self._buckets:
            raise AssertionError("Empty BucketingModule cannot be saved")
        self.save_params(f"{prefix}-{epoch:04d}.params")
        for key, module in self._buckets.items():
            module.symbol.save(f"{prefix}-{key}-symbol.json", remove_amp_cast=remove_amp_cast)
        nd.save(f"{prefix}.buckets", nd.array(list(self._buckets), dtype=np.int32))

    @staticmethod
    def load(prefix: str, epoch: int, sym_gen=None, default_bucket_key=None, **kwargs) -> BucketingModule:
        """A BucketingModule from :meth:`save_checkpoint`'s files; ``sym_gen`` names each
        bucket's data and labels, ``kwargs`` go to the constructor. Bind it next.

        >>> mod2 = mx.mod.BucketingModule.load("/tmp/bucketing-doc", 0, sym_gen, 5)  # doctest: +SKIP
        """
        if sym_gen is None:
            raise AssertionError("sym_gen is required for loading BucketingModule")
        if default_bucket_key is None:
            raise AssertionError("default_bucket_key is required for loading BucketingModule")
        keys = [int(k) for k in nd.load(f"{prefix}.buckets")[0].asnumpy().astype(np.int32)]
        mod = BucketingModule(sym_gen, default_bucket_key, **kwargs)
        for key in keys:
            _, data_names, label_names = mod._call_sym_gen(key)
            mod._buckets[key] = Module(symbol_load(f"{prefix}-{key}-symbol.json"), data_names, label_names, **kwargs)
            if key == default_bucket_key:
                mod._curr_module = mod._buckets[key]
        if mod._curr_module is None:
            raise MXNetError(f"BucketingModule.load: default_bucket_key {default_bucket_key!r} is not among the saved buckets {keys}")
        args, auxs = load_params(prefix, epoch)
        mod._curr_module._arg_params = args
        mod._curr_module._aux_params = auxs
        mod._curr_module.params_initialized = True
        mod.params_initialized = True
        return mod

    def switch_bucket(self, bucket_key, data_shapes, label_shapes=None) -> None:
        """Make ``bucket_key`` current, binding its module (sharing parameters) on first use."""
        self._assert_binded("switch_bucket")
        module = self._buckets.get(bucket_key)  # a loaded checkpoint's buckets come unbound
        if module is None:
            symbol, data_names, label_names = self._call_sym_gen(bucket_key)
            module = self._new_module(symbol, data_names, label_names)
        if not module.binded:
            module.bind(
                data_shapes,
                label_shapes,
                self._curr_module.for_training,
                self._curr_module.inputs_need_grad,
                force_rebind=False,
                shared_module=self._buckets[self._default_bucket_key],
                grad_req=self._grad_req,
            )
            if self._monitor is not None and bucket_key not in self._buckets:
                module.install_monitor(self._monitor)
            self._buckets[bucket_key] = module
        self._curr_module = self._buckets[bucket_key]
        self._curr_bucket_key = bucket_key

    def init_optimizer(self, kvstore="local", optimizer="sgd", optimizer_params=(("learning_rate", 0.01),), force_init=False):
        """One optimizer for all buckets (the others borrow the current module's)."""
        self._assert_ready("init_optimizer")
        if self.optimizer_initialized and not force_init:
            self.logger.warning("optimizer already initialized, ignoring.")
            return
        self._curr_module.init_optimizer(kvstore, optimizer, optimizer_params, force_init=force_init)
        for mod in self._buckets.values():
            if mod is not self._curr_module:
                mod.borrow_optimizer(self._curr_module)
        self.optimizer_initialized = True

    # -- computation -------------------------------------------------------------------------
    def prepare(self, data_batch, sparse_row_id_fn=None) -> None:
        """Bind the batch's bucket ahead of time (and prepare it) without switching to it."""
        self._assert_ready("prepare")
        original = self._curr_bucket_key
        self.switch_bucket(data_batch.bucket_key, data_batch.provide_data, data_batch.provide_label)
        self._curr_module.prepare(data_batch, sparse_row_id_fn=sparse_row_id_fn)
        self.switch_bucket(original, None, None)

    def forward(self, data_batch, is_train=None) -> None:
        """Switch to ``data_batch.bucket_key`` (with its ``provide_data``/``provide_label``) and forward."""
        self._assert_ready("forward")
        key = data_batch.bucket_key
        if key is None:
            key = self._default_bucket_key
        self.switch_bucket(key, data_batch.provide_data, data_batch.provide_label)
        self._curr_module.forward(data_batch, is_train=is_train)

    def backward(self, out_grads=None) -> None:
        self._assert_ready("backward")
        self._curr_module.backward(out_grads=out_grads)

    def update(self) -> None:
        """Update the shared parameters from the current bucket's gradients."""
        self._assert_optimizer("update")
        self._params_dirty = True
        self._curr_module.update()

    def get_outputs(self, merge_multi_context: bool = True):
        self._assert_ready("get_outputs")
        return self._curr_module.get_outputs(merge_multi_context=merge_multi_context)

    def get_input_grads(self, merge_multi_context: bool = True):
        self._assert_ready("get_input_grads")
        if not self.inputs_need_grad:
            raise AssertionError("get_input_grads: bind with inputs_need_grad=True first")
        return self._curr_module.get_input_grads(merge_multi_context=merge_multi_context)

    def update_metric(self, eval_metric, labels, pre_sliced: bool = False) -> None:
        self._assert_ready("update_metric")
        self._curr_module.update_metric(eval_metric, labels, pre_sliced)

    def install_monitor(self, mon) -> None:
        """Install ``mon`` on every bucket (and buckets bound later)."""
        self._assert_binded("install_monitor")
        self._monitor = mon
        for mod in self._buckets.values():
            mod.install_monitor(mon)
