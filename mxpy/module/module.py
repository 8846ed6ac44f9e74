"""Module: a symbol bound over one or more contexts, with parameters and an optimizer.

>>> import mxpy as mx
>>> data = mx.sym.Variable("data")
>>> net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(data, num_hidden=3, name="fc"), name="softmax")
>>> mod = mx.mod.Module(net, context=[mx.cpu(0), mx.cpu(1)])
>>> mod.bind(data_shapes=[("data", (4, 5))], label_shapes=[("softmax_label", (4,))])
>>> mod.init_params()
>>> mod.init_optimizer(optimizer_params={"learning_rate": 0.1})
>>> mod.output_shapes
[('softmax_output', (4, 3))]
"""

from __future__ import annotations

import logging
import os
import warnings

import numpy as np

from .. import ndarray as nd
from .. import optimizer as opt
from .._checkpoint import load_checkpoint, save_checkpoint
from ..base import MXNetError, NotReadyError
from ..context import Context, cpu
from ..initializer import InitDesc, Uniform
from ..io import DataDesc
from ..ndarray.ndarray import _STORAGE_TYPE_ID_TO_STR
from .base_module import BaseModule, _check_input_names, _parse_data_desc
from .executor_group import DataParallelExecutorGroup

_log = logging.getLogger(__name__)  # never the root logger: it would configure logging for the script

__all__ = ["Module"]


def _create_kvstore(kvstore, num_device: int, arg_params: dict):
    """``(kvstore or None, update_on_kvstore)`` as MXNet decides them.

    One device and a non-distributed type need no store: the module updates
    locally. A ``local`` store with a parameter over 16M elements updates on
    the devices instead of the store.
    """
    from .. import kvstore as kvs

    update_on_kvstore = bool(int(os.getenv("MXNET_UPDATE_ON_KVSTORE", "1")))
    if kvstore is None:
        kv = None
    elif isinstance(kvstore, kvs.KVStoreBase):
        kv = kvstore
    elif isinstance(kvstore, str):
        if num_device == 1 and "dist" not in kvstore:
            kv = None
        else:
            kv = kvs.create(kvstore)
            if kvstore == "local":
                max_size = max((int(np.prod(p.shape)) for p in arg_params.values()), default=0)
                if max_size > 1024 * 1024 * 16:
                    update_on_kvstore = False
    else:
        raise TypeError(f"init_optimizer: kvstore must be a str, a KVStoreBase or None, given {type(kvstore).__name__}")
    if kv is None:
        update_on_kvstore = False
    else:
        update_on_kvstore &= kv.is_capable("optimizer")  # horovod: allreduce only, update on the workers
    return kv, update_on_kvstore


class Module(BaseModule):
    """A symbol with its parameters, bound for data parallelism over ``context``.

    ``data_names``/``label_names`` name the inputs fed from data batches;
    every other argument is a parameter (``fixed_param_names`` are not
    updated). ``work_load_list`` splits each batch over the contexts.
    """

    def __init__(
        self,
        symbol,
        data_names=("data",),
        label_names=("softmax_label",),
        logger=logging,
        context=cpu(),  # noqa: B008 - an interned, immutable Context
        work_load_list=None,
        fixed_param_names=None,
        state_names=None,
        group2ctxs=None,
        compression_params=None,
    ):
        super().__init__(logger=logger)
        from ..symbol import Symbol

        if not isinstance(symbol, Symbol):
            raise TypeError(f"Module: symbol must be a Symbol, given {type(symbol).__name__}")
        if isinstance(context, Context):
            context = [context]
        context = list(context)
        for c in context:
            if not isinstance(c, Context):
                raise TypeError(f"Module: context must be a Context or a list of them, given {type(c).__name__}")
        if work_load_list is None:
            work_load_list = [1] * len(context)
        if len(work_load_list) != len(context):
            raise AssertionError(f"Module: work_load_list has {len(work_load_list)} entries, expected one per context ({len(context)})")
        data_names = list(data_names) if data_names is not None else []
        label_names = list(label_names) if label_names is not None else []
        state_names = list(state_names) if state_names is not None else []
        fixed_param_names = list(fixed_param_names) if fixed_param_names is not None else []
        _check_input_names(symbol, data_names, "data", True)
        _check_input_names(symbol, label_names, "label", False)
        _check_input_names(symbol, state_names, "state", True)
        _check_input_names(symbol, fixed_param_names, "fixed_param", True)
        self._context = context
        self._work_load_list = list(work_load_list)
        self._group2ctxs = group2ctxs
        self._symbol = symbol
        input_names = data_names + label_names + state_names
        self._param_names = [x for x in symbol.list_arguments() if x not in input_names]
        self._fixed_param_names = fixed_param_names
        self._aux_names = symbol.list_auxiliary_states()
        self._data_names = data_names
        self._label_names = label_names
        self._state_names = state_names
        self._output_names = symbol.list_outputs()
        self._arg_params = None
        self._aux_params = None
        self._params_dirty = False
        self._compression_params = compression_params
        self._optimizer = None
        self._kvstore = None
        self._update_on_kvstore = None
        self._updater = None
        self._preload_opt_states = None
        self._grad_req = None
        self._exec_group = None
        self._data_shapes = None
        self._label_shapes = None

    @staticmethod
    def load(prefix: str, epoch: int, load_optimizer_states: bool = False, **kwargs) -> Module:
        """A Module from a checkpoint (``prefix-symbol.json``, ``prefix-%04d.params``); ``kwargs`` go to ``Module``.

        With ``load_optimizer_states`` the ``prefix-%04d.states`` file is loaded
        by ``init_optimizer`` later.
        """
        sym, args, auxs = load_checkpoint(prefix, epoch)
        mod = Module(symbol=sym, **kwargs)
        mod._arg_params = args
        mod._aux_params = auxs
        mod.params_initialized = True
        if load_optimizer_states:
            states = f"{prefix}-{epoch:04d}.states"
            if not os.path.isfile(states):
                raise MXNetError(f"Module.load: optimizer states file {states!r} does not exist")
            mod._preload_opt_states = states
        return mod

    def save_checkpoint(self, prefix: str, epoch: int, save_optimizer_states: bool = False, remove_amp_cast: bool = True) -> None:
        """Write ``prefix-symbol.json``, ``prefix-%04d.params`` and, optionally, ``prefix-%04d.states``.

        With a ``dist`` kvstore (or in a job of several processes) only rank 0
        writes, unless ``MXPY_CHECKPOINT_ALL_RANKS=1``.
        """
        from ..kvstore import dist_env

        kv_rank = self._kvstore.rank if self._kvstore is not None and "dist" in self._kvstore.type else None
        if not dist_env.writes_checkpoints(kv_rank):
            self.logger.info("%sskipping checkpoint %s-%04d: only rank 0 writes (MXPY_CHECKPOINT_ALL_RANKS=1 for all)", dist_env.rank_prefix(), prefix, epoch)
            return
        arg_params, aux_params = self.get_params()
        save_checkpoint(prefix, epoch, self._symbol, arg_params, aux_params, remove_amp_cast=remove_amp_cast)
        if save_optimizer_states:
            state_name = f"{prefix}-{epoch:04d}.states"
            self.save_optimizer_states(state_name)
            _log.info('Saved optimizer state to "%s"', state_name)

    def _reset_bind(self) -> None:
        self.binded = False
        self._exec_group = None
        self._data_shapes = None
        self._label_shapes = None

    # -- properties ------------------------------------------------------------------------
    @property
    def data_names(self) -> list:
        """Names of the data inputs."""
        return self._data_names

    @property
    def label_names(self) -> list:
        """Names of the label inputs."""
        return self._label_names

    @property
    def output_names(self) -> list:
        """Names of the outputs."""
        return self._output_names

    @property
    def data_shapes(self) -> list:
        """``DataDesc`` of each data input (after bind)."""
        self._assert_binded("data_shapes")
        return self._data_shapes

    @property
    def label_shapes(self):
        """``DataDesc`` of each label input, or None when bound without labels."""
        self._assert_binded("label_shapes")
        return self._label_shapes

    @property
    def output_shapes(self) -> list:
        """``[(name, shape)]`` of the outputs over the whole batch."""
        self._assert_binded("output_shapes")
        return self._exec_group.get_output_shapes()

    # -- parameters ------------------------------------------------------------------------
    def get_params(self):
        """``(arg_params, aux_params)``: the parameters, synced from the devices (averaged over contexts)."""
        self._assert_params("get_params")
        if self._params_dirty:
            self._sync_params_from_devices()
        return self._arg_params, self._aux_params

    def init_params(self, initializer=Uniform(0.01), arg_params=None, aux_params=None, allow_missing=False, force_init=False, allow_extra=False):  # noqa: B008
        """Initialise parameters: values from ``arg_params``/``aux_params`` where given, else ``initializer``.

        Each parameter goes to the initializer as an ``InitDesc`` carrying the
        symbol's attributes for it, so ``__init__`` attributes win. A missing
        value without ``allow_missing`` raises ``RuntimeError`` naming it.
        """
        if self.params_initialized and not force_init:
            warnings.warn("Parameters already initialized and force_init=False. init_params call ignored.", stacklevel=2)
            return
        if not self.binded:
            raise NotReadyError(f"{type(self).__name__}.init_params: call bind() first")
        # validate every given value before writing anything (a rejected call changes nothing)
        for given, mine, what in ((arg_params, self._arg_params, "arg_params"), (aux_params, self._aux_params, "aux_params")):
            for name, arr in sorted(mine.items()):
                if given is not None and name in given:
                    if tuple(given[name].shape) != tuple(arr.shape):
                        raise ValueError(f"init_params: {what}[{name!r}] has shape {tuple(given[name].shape)}, expected {tuple(arr.shape)}")
                elif given is not None and not allow_missing:
                    raise RuntimeError(f"{name} is not presented")
                elif initializer is None:
                    raise ValueError(f"init_params: no value for {name!r} in {what} and no initializer to create one")
        attrs = self._symbol.attr_dict()

        def fill(name, arr, cache) -> None:
            if cache is not None and name in cache:
                if cache[name] is not arr:
                    cache[name].copyto(arr)
            elif initializer is not None:
                initializer(InitDesc(name, attrs.get(name)), arr)

        for name, arr in sorted(self._arg_params.items()):
            fill(name, arr, arg_params)
        for name, arr in sorted(self._aux_params.items()):
            fill(name, arr, aux_params)
        self.params_initialized = True
        self._params_dirty = False
        self._exec_group.set_params(self._arg_params, self._aux_params, allow_extra=allow_extra)

    def set_params(self, arg_params, aux_params, allow_missing=False, force_init=True, allow_extra=False):
        """Set parameters by name; with ``allow_missing`` only the given ones change."""
        if not allow_missing:
            self.init_params(
                initializer=None, arg_params=arg_params, aux_params=aux_params, allow_missing=allow_missing, force_init=force_init, allow_extra=allow_extra
            )
            return
        if self.params_initialized and not force_init:
            warnings.warn("Parameters already initialized and force_init=False. set_params call ignored.", stacklevel=2)
            return
        self._exec_group.set_params(arg_params, aux_params, allow_extra=allow_extra)
        self._params_dirty = True
        self.params_initialized = True

    # -- binding -----------------------------------------------------------------------------
    def bind(self, data_shapes, label_shapes=None, for_training=True, inputs_need_grad=False, force_rebind=False, shared_module=None, grad_req="write"):
        """Bind executors for ``data_shapes``/``label_shapes`` (``[(name, shape)]`` or ``DataDesc``s).

        ``shared_module`` (bound and initialised) lends its parameter arrays
        and optimizer, as bucketing needs.
        """
        if self.binded and not force_rebind:
            self.logger.warning("Already bound, ignoring bind()")
            return
        # everything below is checked and built before the old binding is dropped,
        # so a rejected (re)bind leaves the module as it was
        if not for_training and inputs_need_grad:
            raise AssertionError("bind: inputs_need_grad=True needs for_training=True")
        data_shapes, label_shapes = _parse_data_desc(self.data_names, self.label_names, data_shapes, label_shapes)
        shared_group = None
        if shared_module is not None:
            if not (isinstance(shared_module, Module) and shared_module.binded and shared_module.params_initialized):
                raise AssertionError("bind: shared_module must be a bound Module with initialized parameters")
            shared_group = shared_module._exec_group
            if len(shared_group.execs) < len(self._context):
                raise AssertionError(f"bind: shared_module has {len(shared_group.execs)} executors, fewer than this module's {len(self._context)} contexts")
        group = DataParallelExecutorGroup(
            self._symbol,
            self._context,
            self._work_load_list,
            data_shapes,
            label_shapes,
            self._param_names,
            for_training,
            inputs_need_grad,
            shared_group,
            logger=self.logger,
            fixed_param_names=self._fixed_param_names,
            grad_req=grad_req,
            group2ctxs=self._group2ctxs,
            state_names=self._state_names,
        )
        if force_rebind:
            self._reset_bind()
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self._grad_req = grad_req
        self._data_shapes, self._label_shapes = data_shapes, label_shapes
        self._exec_group = group
        if shared_module is not None:
            self.params_initialized = True
            self._arg_params = shared_module._arg_params
            self._aux_params = shared_module._aux_params
        elif self.params_initialized:
            group.set_params(self._arg_params, self._aux_params)
        else:
            # a variable declared stype='row_sparse' gets a row_sparse parameter (the executor computes densely)
            stypes = {n: _STORAGE_TYPE_ID_TO_STR.get(int(a.get("__storage_type__", 0)), "default") for n, a in self._symbol.attr_dict().items()}
            self._arg_params = {n: nd.zeros(b[0].shape, dtype=b[0].dtype, stype=stypes.get(n)) for n, b in zip(self._param_names, group.param_arrays)}
            self._aux_params = {n: nd.zeros(b[0].shape, dtype=b[0].dtype) for n, b in zip(self._aux_names, group.aux_arrays)}
        if shared_module is not None and shared_module.optimizer_initialized:
            self.borrow_optimizer(shared_module)
        self.binded = True

    def reshape(self, data_shapes, label_shapes=None) -> None:
        """Re-bind for new input shapes (the executors share memory with the first ones)."""
        self._assert_binded("reshape")
        data_shapes, label_shapes = _parse_data_desc(self.data_names, self.label_names, data_shapes, label_shapes)
        self._exec_group.reshape(data_shapes, label_shapes)
        self._data_shapes, self._label_shapes = data_shapes, label_shapes

    # -- optimizer ---------------------------------------------------------------------------
    def init_optimizer(self, kvstore="local", optimizer="sgd", optimizer_params=(("learning_rate", 0.01),), force_init=False):
        """Create the optimizer (``rescale_grad = 1/batch_size``) and the KVStore that sums gradients.

        With several contexts and ``kvstore='local'``/``'device'``, gradients
        are summed in the store and (``update_on_kvstore``) the store runs the
        optimizer; with one context no store is used and the module updates
        locally.
        """
        self._assert_ready("init_optimizer")
        if self.optimizer_initialized and not force_init:
            self.logger.warning("optimizer already initialized, ignoring...")
            return
        if isinstance(optimizer, str):
            known = sorted(opt.Optimizer.opt_registry)
            if optimizer.lower() not in known:
                raise ValueError(f"init_optimizer: unknown optimizer {optimizer!r}; registered optimizers: {', '.join(known)}")
        elif not isinstance(optimizer, opt.Optimizer):
            raise TypeError(f"init_optimizer: optimizer must be a name or an mx.optimizer.Optimizer, given {type(optimizer).__name__}")
        if self._params_dirty:
            self._sync_params_from_devices()
        kvstore, update_on_kvstore = _create_kvstore(kvstore, len(self._context), self._arg_params)
        batch_size = self._exec_group.batch_size
        if kvstore is not None and "dist" in kvstore.type and "_sync" in kvstore.type:
            batch_size *= kvstore.num_workers
        rescale_grad = 1.0 / batch_size
        idx2name = {}
        if update_on_kvstore:
            idx2name.update(enumerate(self._exec_group.param_names))
        else:
            n = len(self._context)
            for k in range(n):
                idx2name.update({i * n + k: name for i, name in enumerate(self._exec_group.param_names)})
        if isinstance(optimizer, str):
            params = dict(optimizer_params)
            params.setdefault("rescale_grad", rescale_grad)
            optimizer = opt.create(optimizer, sym=self.symbol, param_idx2name=idx2name, **params)
        else:
            if optimizer.rescale_grad != rescale_grad:
                warnings.warn(
                    f"Optimizer created manually outside Module but rescale_grad is not normalized to 1.0/batch_size/num_workers "
                    f"({optimizer.rescale_grad} vs. {rescale_grad}). Is this intended?",
                    stacklevel=2,
                )
            if not optimizer.idx2name:
                optimizer.idx2name = idx2name.copy()
        self._optimizer = optimizer
        self._kvstore = kvstore
        self._update_on_kvstore = update_on_kvstore
        self._updater = None
        if kvstore is not None:
            if self._compression_params:
                kvstore.set_gradient_compression(self._compression_params)
            if update_on_kvstore:
                kvstore.set_optimizer(self._optimizer)
            # the store starts from the module's parameters; with updates on the
            # store every device then pulls them
            for idx, (name, arrays) in enumerate(zip(self._exec_group.param_names, self._exec_group.param_arrays)):
                kvstore.init(name, self._arg_params[name])
                if update_on_kvstore:
                    kvstore.pull(name, arrays, priority=-idx)
        if not update_on_kvstore:
            self._updater = opt.get_updater(optimizer)
        self.optimizer_initialized = True
        if self._preload_opt_states is not None:
            self.load_optimizer_states(self._preload_opt_states)
            self._preload_opt_states = None

    def borrow_optimizer(self, shared_module) -> None:
        """Use ``shared_module``'s optimizer, KVStore and updater (bucketing shares one optimizer)."""
        if not shared_module.optimizer_initialized:
            raise AssertionError("borrow_optimizer: the shared module has no optimizer; call its init_optimizer first")
        self._optimizer = shared_module._optimizer
        self._kvstore = shared_module._kvstore
        self._update_on_kvstore = shared_module._update_on_kvstore
        self._updater = shared_module._updater
        self.optimizer_initialized = True

    # -- computation -------------------------------------------------------------------------
    def forward(self, data_batch, is_train=None) -> None:
        """Forward a batch; a batch whose data shapes differ from the bound ones reshapes the module first."""
        self._assert_ready("forward")
        curr = tuple(d.shape for d in self._data_shapes)
        if isinstance(data_batch, list):
            raise TypeError(f"Module.forward: data_batch must be a DataBatch, given a list of {len(data_batch)} (pre-sliced batches are not supported)")
        new = tuple(tuple(d.shape) for d in data_batch.data)
        if curr != new:
            if getattr(data_batch, "provide_data", None):
                new_dshape = data_batch.provide_data
            else:
                new_dshape = [DataDesc(i.name, s, i.dtype, i.layout) for i, s in zip(self._data_shapes, new)]
            if getattr(data_batch, "provide_label", None):
                new_lshape = data_batch.provide_label
            elif getattr(data_batch, "label", None) and self._label_shapes:
                new_lshape = [DataDesc(i.name, j.shape, i.dtype, i.layout) for i, j in zip(self._label_shapes, data_batch.label)]
            else:
                new_lshape = None
            try:
                self.reshape(new_dshape, new_lshape)
            except (MXNetError, ValueError) as e:
                bad = [(d.name, s, d.shape) for d, s in zip(self._data_shapes, new) if s[1:] != tuple(d.shape[1:])] or [
                    (self._data_shapes[0].name, new[0], curr[0])
                ]
                name, given, bound = bad[0]
                raise MXNetError(
                    f"Module.forward: data {name!r} has shape {given}, but the module is bound to {tuple(bound)} and cannot be reshaped to it ({e})"
                ) from e
        self._exec_group.forward(data_batch, is_train)

    def backward(self, out_grads=None) -> None:
        """Backward pass; ``out_grads`` are needed for outputs that are not losses."""
        self._assert_ready("backward")
        self._exec_group.backward(out_grads=out_grads)

    def update(self) -> None:
        """Apply the optimizer to the gradients of the last backward (summed over contexts)."""
        self._assert_optimizer("update")
        self._params_dirty = True
        group = self._exec_group
        kv = self._kvstore
        if self._update_on_kvstore:
            for idx, (name, weights, grads) in enumerate(zip(group.param_names, group.param_arrays, group.grad_arrays)):
                if grads[0] is None:
                    continue
                kv.pushpull(name, grads, out=weights, priority=-idx)
            return
        n = len(self._context)
        per_device: list = [[] for _ in range(n)]
        for idx, (name, weights, grads) in enumerate(zip(group.param_names, group.param_arrays, group.grad_arrays)):
            if grads[0] is None:
                continue
            if kv is not None:
                kv.pushpull(name, grads, priority=-idx)  # every device's gradient becomes the sum
            for k, (w, g) in enumerate(zip(weights, grads)):
                per_device[k].append((idx * n + k, g, w))
        for updates in per_device:
            if updates:
                indices, grads, weights = zip(*updates)
                self._updater(list(indices), list(grads), list(weights))

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        """Outputs of the last forward, merged over contexts unless ``merge_multi_context=False``."""
        self._assert_ready("get_outputs")
        return self._exec_group.get_outputs(merge_multi_context=merge_multi_context)

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        """Gradients of the data inputs (bind with ``inputs_need_grad=True``)."""
        self._assert_ready("get_input_grads")
        if not self.inputs_need_grad:
            raise AssertionError("get_input_grads: bind with inputs_need_grad=True first")
        return self._exec_group.get_input_grads(merge_multi_context=merge_multi_context)

    def get_states(self, merge_multi_context: bool = True) -> list:
        """Values of the ``state_names`` inputs."""
        self._assert_ready("get_states")
        return self._exec_group.get_states(merge_multi_context=merge_multi_context)

    def set_states(self, states=None, value=None) -> None:
        """Set the ``state_names`` inputs from arrays or to a scalar."""
        self._assert_ready("set_states")
        self._exec_group.set_states(states, value)

    def update_metric(self, eval_metric, labels, pre_sliced: bool = False) -> None:
        """Accumulate ``eval_metric`` over the last outputs and ``labels``."""
        self._exec_group.update_metric(eval_metric, labels, pre_sliced)

    def _sync_params_from_devices(self) -> None:
        self._exec_group.get_params(self._arg_params, self._aux_params)
        self._params_dirty = False

    def save_optimizer_states(self, fname: str) -> None:
        """Write the optimizer states (from the KVStore or the local updater) to ``fname``."""
        self._assert_optimizer("save_optimizer_states")
        if self._update_on_kvstore:
            self._kvstore.save_optimizer_states(fname)
        else:
            from .._atomic_file import atomic_write

            atomic_write(fname, [self._updater.get_states()], func="Module.save_optimizer_states")

    def load_optimizer_states(self, fname: str) -> None:
        """Load optimizer states written by :meth:`save_optimizer_states` (a pickle: trusted files only)."""
        self._assert_optimizer("load_optimizer_states")
        if self._update_on_kvstore:
            self._kvstore.load_optimizer_states(fname)
            return
        try:
            with open(fname, "rb") as f:
                blob = f.read()
        except OSError as e:
            raise MXNetError(f"load_optimizer_states: cannot read {fname!r}: {e.strerror or e}") from e
        self._updater.set_states(blob)

    def install_monitor(self, mon) -> None:
        """Install ``mon`` on every executor."""
        self._assert_binded("install_monitor")
        self._exec_group.install_monitor(mon)

    def prepare(self, data_batch, sparse_row_id_fn=None) -> None:
        """Prepare for a batch: pull rows named by ``sparse_row_id_fn`` from the KVStore."""
        self._assert_binded("prepare")
        if sparse_row_id_fn is None:
            return
        if not self._kvstore or not self._update_on_kvstore:
            warnings.warn(UserWarning("Parameters are not updated in the KVStore. No need to call sparse_row_id_fn."), stacklevel=2)
            return
        for name, row_id in sparse_row_id_fn(data_batch).items():
            idx = self._exec_group.param_names.index(name)
            self._kvstore.row_sparse_pull(name, self._exec_group.param_arrays[idx], priority=-idx, row_ids=row_id)
