"""``gluon.Trainer``: applies an optimizer to a set of Parameters after ``backward``.

With one context the optimizer updates the weights directly; with several,
gradients are summed through a KVStore (``'device'``/``'local'``; distributed
stores plug in through the same KVStore API) and the update runs either in
the store (``update_on_kvstore``) or on every context.

>>> import mxpy as mx
>>> net = mx.gluon.nn.Dense(1, in_units=2)
>>> net.initialize(mx.init.One())
>>> trainer = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
>>> with mx.autograd.record():
...     loss = net(mx.nd.ones((4, 2))).sum()
>>> loss.backward()
>>> trainer.step(4)
>>> [[round(float(v), 4) for v in row] for row in net.weight.data().asnumpy()]   # 1 - 0.1 * 4 / 4
[[0.9, 0.9]]
"""

from __future__ import annotations

from .. import optimizer as opt
from ..autograd import _Mark
from .parameter import Parameter, ParameterDict

__all__ = ["Trainer"]


def _create_kvstore(kvstore, num_device: int, arg_params: dict):
    from ..module.module import _create_kvstore as create

    return create(kvstore, num_device, arg_params)


class Trainer:
    """Applies ``optimizer`` to ``params`` (a ParameterDict, dict or list of Parameters).

    ``step(batch_size)`` rescales gradients by ``1/batch_size``, sums them
    across contexts and updates the weights.
    """

    def __init__(self, params, optimizer, optimizer_params=None, kvstore="device", compression_params=None, update_on_kvstore=None):
        if isinstance(params, (dict, ParameterDict)):
            params = [params[key] for key in sorted(params.keys())]
        if not isinstance(params, (list, tuple)):
            raise ValueError(f"First argument must be a list or dict of Parameters, got {type(params)}.")
        self._params: list[Parameter] = []
        self._param2idx: dict[str, int] = {}
        for i, param in enumerate(params):
            if not isinstance(param, Parameter):
                raise ValueError(f"First argument must be a list or dict of Parameters, got list of {type(param)}.")
            self._param2idx[param.name] = i
            self._params.append(param)
            param._set_trainer(self)
        self._contains_sparse_weight = any(p._stype != "default" for p in self._params)
        self._contains_sparse_grad = any(p._grad_stype != "default" for p in self._params)
        self._compression_params = compression_params
        self._contexts = self._check_contexts()
        self._init_optimizer(optimizer, optimizer_params if optimizer_params else {})
        self._scale = self._optimizer.rescale_grad
        self._kvstore_params = {"kvstore": kvstore, "update_on_kvstore": update_on_kvstore}
        self._kv_initialized = False
        self._kvstore = None
        self._update_on_kvstore = None
        self._distributed = None
        self._params_to_init: list[Parameter] = []
        self._reset_kvstore()

    def _check_contexts(self):
        contexts = None
        for param in self._params:
            ctx = param.list_ctx()
            if contexts is not None and contexts != ctx:
                raise AssertionError(
                    f"All Parameters must be initialized on the same set of contexts, but Parameter {param.name} is initialized on {ctx} "
                    f"while previous Parameters are initialized on {contexts}."
                )
            contexts = ctx
        return contexts

    def _init_optimizer(self, optimizer, optimizer_params: dict) -> None:
        param_dict = dict(enumerate(self._params))
        if isinstance(optimizer, opt.Optimizer):
            if optimizer_params:
                raise AssertionError("optimizer_params must be None if optimizer is an instance of Optimizer instead of str")
            self._optimizer = optimizer
            self._optimizer.param_dict = param_dict
        else:
            self._optimizer = opt.create(optimizer, param_dict=param_dict, **optimizer_params)
        self._updaters = [opt.get_updater(self._optimizer) for _ in (self._contexts or [None])]

    def _init_params(self) -> None:
        """Put the (initialized) parameters into the KVStore; deferred ones wait."""
        pending = []
        if self._kvstore:
            for param in self._params_to_init:
                if param._deferred_init:
                    pending.append(param)
                else:
                    arrays = param._check_and_get(param._data, list)
                    self._kvstore.broadcast(self._param2idx[param.name], arrays[0], arrays)
        self._params_to_init = pending

    def _reset_kvstore(self) -> None:
        if self._kvstore and "dist" in self._kvstore.type:
            raise RuntimeError("Cannot reset distributed KVStore.")
        self._kv_initialized = False
        self._kvstore = None
        self._distributed = None
        self._update_on_kvstore = None
        self._params_to_init = list(self._params)

    def _init_kvstore(self) -> None:
        config = self._kvstore_params
        self._contexts = self._check_contexts()
        if len(self._updaters) != len(self._contexts):
            self._updaters = [opt.get_updater(self._optimizer) for _ in self._contexts]
        if self._contains_sparse_weight or self._contains_sparse_grad:
            self._init_sparse_kvstore(config)
            return
        arg_arrays = {p.name: p.data(self._contexts[0]) for p in self._params if not p._deferred_init}
        kvstore, update_on_kvstore = _create_kvstore(config["kvstore"], len(self._contexts), arg_arrays)
        self._distributed = "dist" in kvstore.type if kvstore else False
        if self._distributed and "async" in kvstore.type:
            update_on_kvstore = True
            if config["update_on_kvstore"] is False:
                raise ValueError("Please set update_on_kvstore=True when training in async mode.")
        if config["update_on_kvstore"] is not None:
            update_on_kvstore = config["update_on_kvstore"]
        if kvstore is not None and update_on_kvstore and not kvstore.is_capable("optimizer"):
            if config["update_on_kvstore"]:
                raise ValueError(f"Please set update_on_kvstore=False when training with {type(kvstore)}")
            update_on_kvstore = False
        if kvstore:
            if self._compression_params:
                kvstore.set_gradient_compression(self._compression_params)
            if update_on_kvstore:
                kvstore.set_optimizer(self._optimizer)
            self._kvstore = kvstore
            self._update_on_kvstore = update_on_kvstore
        else:
            self._kvstore = None
            self._update_on_kvstore = None
        self._kv_initialized = True

    def _init_sparse_kvstore(self, config: dict) -> None:
        """MXNet's choices with sparse parameters: a row_sparse weight lives in a store that
        runs the optimizer (always, even on one device); a row_sparse gradient of a dense
        weight is summed in the store and applied on each device (unless distributed)."""
        from ..kvstore import KVStore, create

        if self._contains_sparse_weight:
            kv = config["kvstore"]
            if isinstance(kv, str):
                kv = create(kv)
            elif not isinstance(kv, KVStore):
                raise TypeError(f"Cannot create '{kv}' KVStore with row_sparse parameters. The type must be KVStore or str.")
            if config["update_on_kvstore"] is False:
                raise ValueError("Cannot set update_on_kvstore=False when sparse weights are present.")
            kv.set_optimizer(self._optimizer)
            self._kvstore, self._update_on_kvstore = kv, True
            self._distributed = "dist" in kv.type
        else:
            arg_arrays = {p.name: p.data(self._contexts[0]) for p in self._params if not p._deferred_init}
            kv, _ = _create_kvstore(config["kvstore"], len(self._contexts), arg_arrays)
            self._distributed = "dist" in kv.type if kv else False
            update_on_kvstore = self._distributed
            if config["update_on_kvstore"] is not None:
                if config["update_on_kvstore"] is False and self._distributed:
                    raise ValueError("Cannot set update_on_kvstore=False on dist kvstore when sparse gradients are present.")
                update_on_kvstore = config["update_on_kvstore"]
            if kv is not None and update_on_kvstore:
                kv.set_optimizer(self._optimizer)
            self._kvstore = kv
            self._update_on_kvstore = update_on_kvstore if kv else None
        self._kv_initialized = True

    def _row_sparse_pull(self, parameter, out, row_id, full_idx: bool = False) -> None:
        """Pull rows ``row_id`` of ``parameter`` from the store into ``out`` (all rows: a plain pull)."""
        self._ready()
        idx = self._param2idx[parameter.name]
        if full_idx and "dist" not in self._kvstore.type:
            self._kvstore.pull(idx, out=out, priority=-idx, ignore_sparse=False)
        else:
            self._kvstore.row_sparse_pull(idx, out=out, row_ids=row_id, priority=-idx)

    def _ready(self) -> None:
        if not self._kv_initialized:
            self._init_kvstore()
        if self._params_to_init:
            self._init_params()

    @property
    def learning_rate(self) -> float:
        """The optimizer's current learning rate."""
        return self._optimizer.learning_rate

    @property
    def optimizer(self):
        """The optimizer this trainer applies."""
        return self._optimizer

    def set_learning_rate(self, lr: float) -> None:
        """Set the optimizer's learning rate.

        >>> w = mx.gluon.Parameter("w", shape=(1,)); w.initialize()
        >>> t = mx.gluon.Trainer([w], "sgd")
        >>> t.set_learning_rate(0.5); t.learning_rate
        0.5
        """
        self._optimizer.set_learning_rate(lr)

    def _check_and_rescale_grad(self, scale: float) -> None:
        if self._update_on_kvstore and self._distributed and self._kv_initialized and self._optimizer.rescale_grad != scale:
            raise UserWarning(
                "Possible change in the `batch_size` from previous `step` detected. Optimizer gradient normalizing factor will not change "
                "w.r.t new batch_size when update_on_kvstore=True and when distributed kvstore is used."
            )
        self._optimizer.rescale_grad = scale

    def step(self, batch_size, ignore_stale_grad: bool = False) -> None:
        """One update: gradients scaled by ``1/batch_size``, summed across contexts, applied.

        A parameter whose gradient no backward has written since the last
        step raises (MXNet's message) unless ``ignore_stale_grad=True``, which
        skips it.
        """
        self._check_and_rescale_grad(self._scale / batch_size)
        self._ready()
        self._allreduce_grads()
        self._update(ignore_stale_grad)

    def allreduce_grads(self) -> None:
        """Sum the gradients across contexts (call before :meth:`update`)."""
        self._ready()
        if self._kvstore and self._update_on_kvstore:
            raise AssertionError(
                "allreduce_grads() when parameters are updated on kvstore is not supported. Try setting `update_on_kvstore` to False when creating trainer."
            )
        self._allreduce_grads()

    def _allreduce_grads(self) -> None:
        if not self._kvstore:
            return
        for i, param in enumerate(self._params):
            if param.grad_req == "null":
                continue
            if param._grad_stype != "default":  # sparse gradients: push, then pull what is dense
                self._kvstore.push(i, param.list_grad(), priority=-i)
                if param._stype == "default":
                    pull = param.list_data() if self._update_on_kvstore else param.list_grad()
                    self._kvstore.pull(i, pull, priority=-i, ignore_sparse=self._distributed)
                continue
            if self._update_on_kvstore:
                self._kvstore.pushpull(i, param.list_grad(), out=param.list_data(), priority=-i)
            else:
                self._kvstore.pushpull(i, param.list_grad(), priority=-i)

    def update(self, batch_size, ignore_stale_grad: bool = False) -> None:
        """Apply the optimizer to the (already reduced) gradients."""
        self._ready()
        if self._kvstore and self._update_on_kvstore:
            raise AssertionError(
                "update() when parameters are updated on kvstore is not supported. Try setting `update_on_kvstore` to False when creating trainer."
            )
        self._check_and_rescale_grad(self._scale / batch_size)
        self._update(ignore_stale_grad)

    def _update(self, ignore_stale_grad: bool = False) -> None:
        on_kv = bool(self._kvstore and self._update_on_kvstore)
        # one pass over the parameters: their arrays, and the stale check for all of them
        # before any flag is cleared (a rejected step changes nothing). The fresh flag is
        # read off the array's autograd mark directly (NDArray._fresh_grad's getter).
        active = []
        for i, param in enumerate(self._params):
            if param._grad_req == "null":
                continue
            data = param._check_and_get(param._data, list)
            if not ignore_stale_grad:
                for arr in data:
                    ag = arr._ag
                    if ag is None or type(ag[0]) is not _Mark or not ag[0].fresh:
                        raise UserWarning(
                            f"Gradient of Parameter `{param.name}` on context {arr.context} has not been updated by backward since last `step`. "
                            "This could mean a bug in your model that made it only use a subset of the Parameters (Blocks) for this iteration. "
                            "If you are intentionally only using a subset, call step with ignore_stale_grad=True to suppress this warning and "
                            "skip updating of Parameters with stale gradient"
                        )
            active.append((i, param, data))
        if on_kv:
            for _, _, data in active:
                for arr in data:
                    arr._fresh_grad = False
            return
        if len(self._updaters) == 1:  # one context: no per-context lists to fill
            idx, grads, weights = [], [], []
            for i, param, data in active:
                for _, arr, grad in zip(self._updaters, data, param.list_grad()):  # the first context's, as below
                    ag = arr._ag
                    mark = ag[0] if ag is not None and type(ag[0]) is _Mark else None
                    if not ignore_stale_grad or (mark is not None and mark.fresh):
                        idx.append(i)
                        grads.append(grad)
                        weights.append(arr)
                        if mark is not None:
                            mark.fresh = False
            if idx:
                self._updaters[0](idx, grads, weights)
            return
        updates: list[list] = [[] for _ in self._updaters]
        for i, param, data in active:
            for upd, arr, grad in zip(updates, data, param.list_grad()):
                if not ignore_stale_grad or arr._fresh_grad:
                    upd.append((i, grad, arr))
                    arr._fresh_grad = False
        for updater, upd in zip(self._updaters, updates):
            if upd:
                idx, grads, weights = zip(*upd)
                updater(list(idx), list(grads), list(weights))

    def save_states(self, fname: str) -> None:
        """Save the optimizer's states (momentum, ...) and settings to ``fname``."""
        self._ready()
        if self._update_on_kvstore:
            self._kvstore.save_optimizer_states(fname, dump_optimizer=True)
            return
        _write_atomic(fname, self._updaters[0].get_states(dump_optimizer=True))

    def load_states(self, fname: str) -> None:
        """Load what :meth:`save_states` wrote (the parameters' lr/wd multipliers stay as they are)."""
        self._ready()
        if self._update_on_kvstore:
            self._kvstore.load_optimizer_states(fname)
            self._optimizer = self._kvstore._updater.optimizer
        else:
            with open(fname, "rb") as f:
                states = f.read()
            for updater in self._updaters:
                updater.set_states(states)
                updater.optimizer = self._updaters[0].optimizer
            self._optimizer = self._updaters[0].optimizer
        self._optimizer.param_dict = dict(enumerate(self._params))


def _write_atomic(fname: str, blob: bytes) -> None:
    from .._atomic_file import atomic_write

    atomic_write(fname, [blob], func="Trainer.save_states")
