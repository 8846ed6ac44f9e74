"""SequentialModule: modules chained so each one's outputs are the next one's data.

>>> import mxpy as mx
>>> net1 = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=4, name="fc1")
>>> net2 = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2, name="fc2"), name="softmax")
>>> seq = mx.mod.SequentialModule()
>>> seq = seq.add(mx.mod.Module(net1, label_names=None)).add(mx.mod.Module(net2), take_labels=True, auto_wiring=True)
>>> seq.bind([("data", (3, 5))], [("softmax_label", (3,))])
>>> seq.output_shapes
[('softmax_output', (3, 2))]
"""

from __future__ import annotations

import copy
import logging

from ..initializer import Uniform
from .base_module import BaseModule

__all__ = ["SequentialModule"]


class SequentialModule(BaseModule):
    """A chain of modules; ``add(module, take_labels=..., auto_wiring=...)`` appends one."""

    META_TAKE_LABELS = "take_labels"
    META_AUTO_WIRING = "auto_wiring"

    def __init__(self, logger=logging) -> None:
        super().__init__(logger=logger)
        self._modules: list = []
        self._metas: list = []
        self._label_shapes = None
        self._data_shapes = None
        self._meta_keys = {self.META_TAKE_LABELS, self.META_AUTO_WIRING}

    def add(self, module, **kwargs) -> SequentialModule:
        """Append ``module``; ``take_labels=True`` feeds it the labels, ``auto_wiring=True`` renames
        the previous outputs to its data names. Returns ``self`` so calls chain.
        """
        if not isinstance(module, BaseModule):
            raise TypeError(f"SequentialModule.add: module must be a BaseModule, given {type(module).__name__}")
        for key in kwargs:
            if key not in self._meta_keys:
                raise AssertionError(f'Unknown meta "{key}", a typo? Known: {sorted(self._meta_keys)}')
        self._modules.append(module)
        self._metas.append(kwargs)
        # adding a module invalidates the chain's binding
        self.binded = False
        self.params_initialized = False
        self.optimizer_initialized = False
        return self

    def _takes_labels(self, i: int) -> bool:
        return bool(self._metas[i].get(self.META_TAKE_LABELS, False))

    @property
    def data_names(self) -> list:
        return self._modules[0].data_names if self._modules else []

    @property
    def output_names(self) -> list:
        return self._modules[-1].output_names if self._modules else []

    @property
    def data_shapes(self):
        self._assert_binded("data_shapes")
        return self._modules[0].data_shapes

    @property
    def label_shapes(self):
        self._assert_binded("label_shapes")
        return self._label_shapes

    @property
    def output_shapes(self):
        self._assert_binded("output_shapes")
        return self._modules[-1].output_shapes

    def get_params(self):
        """Parameters of every module, merged into one pair of dicts."""
        self._assert_ready("get_params")
        arg_params: dict = {}
        aux_params: dict = {}
        for module in self._modules:
            arg, aux = module.get_params()
            arg_params.update(arg)
            aux_params.update(aux)
        return arg_params, aux_params

    def init_params(self, initializer=Uniform(0.01), arg_params=None, aux_params=None, allow_missing=False, force_init=False, allow_extra=False):  # noqa: B008
        """Initialise every module; parameter names must be unique across the chain."""
        if self.params_initialized and not force_init:
            return
        if not self.binded:
            raise AssertionError("call bind before initializing the parameters")
        for module in self._modules:
            module.init_params(
                initializer=initializer,
                arg_params=arg_params,
                aux_params=aux_params,
                allow_missing=allow_missing,
                force_init=force_init,
                allow_extra=allow_extra,
            )
        owners_arg: dict = {}
        owners_aux: dict = {}
        for i, module in enumerate(self._modules):
            arg, aux = module.get_params()
            for owners, names in ((owners_arg, arg), (owners_aux, aux)):
                for name in names:
                    if name in owners:
                        j = owners[name]
                        raise AssertionError(
                            f'Duplicated parameter names: name "{name}" in layer {i} ({type(self._modules[i])}) is already used in layer {j} ({type(self._modules[j])}).'
                        )
                    owners[name] = i
        self.params_initialized = True

    def bind(self, data_shapes, label_shapes=None, for_training=True, inputs_need_grad=False, force_rebind=False, shared_module=None, grad_req="write"):
        """Bind each module on the previous one's output shapes."""
        if self.binded and not force_rebind:
            self.logger.warning("Already bound, ignoring bind()")
            return
        if inputs_need_grad and not for_training:
            raise AssertionError("bind: inputs_need_grad=True needs for_training=True")
        if shared_module is not None:
            raise AssertionError("Shared module is not supported")
        if not self._modules:
            raise AssertionError("Attempting to bind an empty SequentialModule")
        my_data_shapes = data_shapes
        anybody_needs_label = False
        for i, module in enumerate(self._modules):
            my_label_shapes = label_shapes if self._takes_labels(i) else None
            anybody_needs_label = anybody_needs_label or self._takes_labels(i)
            # every module after the first must give its input gradient to the one before
            my_inputs_need_grad = bool(inputs_need_grad or (for_training and i > 0))
            if self._metas[i].get(self.META_AUTO_WIRING, False):
                names = module.data_names
                if len(names) != len(my_data_shapes):
                    raise AssertionError(f"auto_wiring: module {i} has data names {names} but receives {len(my_data_shapes)} inputs")
                my_data_shapes = [(n, tuple(s)) for n, (_, s) in zip(names, my_data_shapes)]
            module.bind(
                data_shapes=my_data_shapes,
                label_shapes=my_label_shapes,
                for_training=for_training,
                inputs_need_grad=my_inputs_need_grad,
                force_rebind=force_rebind,
                shared_module=None,
                grad_req=grad_req,
            )
            my_data_shapes = module.output_shapes
        self.binded = True
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self._label_shapes = label_shapes if anybody_needs_label else None

    def init_optimizer(self, kvstore="local", optimizer="sgd", optimizer_params=(("learning_rate", 0.01),), force_init=False):
        """Give every module an optimizer."""
        self._assert_ready("init_optimizer")
        if self.optimizer_initialized and not force_init:
            self.logger.warning("optimizer already initialized, ignoring.")
            return
        for module in self._modules:
            module.init_optimizer(kvstore=kvstore, optimizer=optimizer, optimizer_params=optimizer_params, force_init=force_init)
        self.optimizer_initialized = True

    def forward(self, data_batch, is_train=None) -> None:
        """Forward through the chain, each module's outputs becoming the next one's data."""
        self._assert_ready("forward")
        batch = copy.copy(data_batch)  # keeps label, pad, bucket_key...
        for i, module in enumerate(self._modules):
            module.forward(batch, is_train=is_train)
            if i + 1 == len(self._modules):
                break
            batch.data = module.get_outputs()
            if getattr(batch, "provide_data", None) is not None:
                names = [x[0] for x in module.output_shapes]
                batch.provide_data = [(n, x.shape) for n, x in zip(names, batch.data)]

    def backward(self, out_grads=None) -> None:
        """Backward from the last module to the first, passing input gradients down."""
        self._assert_ready("backward")
        for i in range(len(self._modules) - 1, -1, -1):
            module = self._modules[i]
            module.backward(out_grads=out_grads)
            if i == 0:
                break
            out_grads = module.get_input_grads()

    def update(self) -> None:
        self._assert_optimizer("update")
        for module in self._modules:
            module.update()

    def get_outputs(self, merge_multi_context: bool = True):
        self._assert_ready("get_outputs")
        return self._modules[-1].get_outputs(merge_multi_context=merge_multi_context)

    def get_input_grads(self, merge_multi_context: bool = True):
        self._assert_ready("get_input_grads")
        if not self.inputs_need_grad:
            raise AssertionError("get_input_grads: bind with inputs_need_grad=True first")
        return self._modules[0].get_input_grads(merge_multi_context=merge_multi_context)

    def update_metric(self, eval_metric, labels, pre_sliced: bool = False) -> None:
        """Update ``eval_metric`` from the modules that take labels."""
        self._assert_ready("update_metric")
        for i, module in enumerate(self._modules):
            if self._takes_labels(i):
                module.update_metric(eval_metric, labels, pre_sliced)

    def install_monitor(self, mon) -> None:
        self._assert_binded("install_monitor")
        for module in self._modules:
            module.install_monitor(mon)
