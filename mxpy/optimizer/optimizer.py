"""The optimizer base class, its registry, and the Updater that KVStore and Module call.

Semantics follow MXNet 1.9.1's ``mxnet.optimizer.optimizer``:

- ``learning_rate`` is the scheduler's value at ``num_update`` when an
  ``lr_scheduler`` is given (a ``learning_rate`` given as well overwrites the
  scheduler's ``base_lr``), else ``lr`` (0.01 when neither is given);
- ``num_update`` is the largest per-index update count; every ``update``
  first counts its index (starting from ``begin_num_update``);
- with ``param_idx2name``, weight decay is switched off (``wd_mult`` 0) for
  every name not ending in ``_weight`` or ``_gamma``; ``__lr_mult__`` and
  ``__wd_mult__`` attributes of ``sym``'s arguments set the multipliers too,
  and ``set_lr_mult``/``set_wd_mult`` dicts (keyed by index or name) win;
- updates run the engine update operators (``sgd_mom_update``...) with
  ``out=weight``, so they are lazy and ordered like any other op.
"""

from __future__ import annotations

import pickle
import warnings
from typing import Any

import numpy as np

from .. import ndarray as nd
from ..ndarray import NDArray

__all__ = ["Optimizer", "register", "create", "Updater", "get_updater"]

_F16 = np.dtype(np.float16)


class Optimizer:
    """Base class of all optimizers; subclasses implement ``create_state`` and ``update``.

    >>> import mxpy as mx
    >>> opt = mx.optimizer.create("sgd", learning_rate=0.5)
    >>> w, g = mx.nd.ones((2,)), mx.nd.ones((2,))
    >>> opt.update(0, w, g, opt.create_state(0, w))
    >>> w.asnumpy()
    array([0.5, 0.5], dtype=float32)
    """

    opt_registry: dict[str, type] = {}

    def __init__(
        self,
        rescale_grad: float = 1.0,
        param_idx2name: dict | None = None,
        wd: float = 0.0,
        clip_gradient: float | None = None,
        learning_rate: float | None = None,
        lr_scheduler: Any = None,
        sym: Any = None,
        begin_num_update: int = 0,
        multi_precision: bool = False,
        param_dict: dict | None = None,
    ) -> None:
        self.rescale_grad = rescale_grad
        self.lr_scheduler = lr_scheduler
        if lr_scheduler is None and learning_rate is None:
            learning_rate = 0.01
        self.lr = learning_rate
        if lr_scheduler is not None and learning_rate is not None and lr_scheduler.base_lr != learning_rate:
            # MXNet prints (does not warn) and lets learning_rate win
            print(UserWarning("learning rate from ``lr_scheduler`` has been overwritten by ``learning_rate`` in optimizer."))
            lr_scheduler.base_lr = learning_rate
        self.wd = wd
        self.lr_mult: dict = {}
        self.wd_mult: dict = {}
        self.begin_num_update = begin_num_update
        self.num_update = begin_num_update
        self._all_index_update_counts: dict = {0: {}}
        self._index_update_count: dict = self._all_index_update_counts[0]
        self.clip_gradient = clip_gradient
        self.multi_precision = multi_precision
        # > 0 lets the Updater hand this optimizer lists of that many weights at once
        self.aggregate_num = 0
        if param_idx2name is None:
            param_idx2name = {}
        if not isinstance(param_idx2name, dict):
            raise AssertionError(f"param_idx2name should be a dict of param indexes to names, got {type(param_idx2name).__name__}")
        self.idx2name = param_idx2name.copy()
        self.sym_info = (sym.attr_dict(), sym.list_arguments()) if sym is not None else ()
        self.param_dict = param_dict if param_dict else {}
        self.allow_np_array = False
        self.set_lr_mult({})
        self.set_wd_mult({})

    # -- registry -------------------------------------------------------------------
    @staticmethod
    def register(klass: type) -> type:
        """Register an optimizer class under its lower-cased name (a decorator).

        >>> import mxpy as mx
        >>> @mx.optimizer.register
        ... class MyPlainSGD(mx.optimizer.Optimizer):
        ...     def update(self, index, weight, grad, state):
        ...         weight[:] -= self._get_lr(index) * grad
        >>> type(mx.optimizer.create("myplainsgd")).__name__
        'MyPlainSGD'
        """
        if not isinstance(klass, type):
            raise AssertionError(f"Optimizer.register expects a class, got {type(klass).__name__}")
        name = klass.__name__.lower()
        old = Optimizer.opt_registry.get(name)
        if old is not None:
            warnings.warn(
                f"WARNING: New optimizer {klass.__module__}.{klass.__name__} is overriding existing optimizer {old.__module__}.{old.__name__}", stacklevel=2
            )
        Optimizer.opt_registry[name] = klass
        return klass

    @staticmethod
    def create_optimizer(name: str, **kwargs) -> Optimizer:
        """An optimizer by (case-insensitive) registered name.

        >>> import mxpy as mx
        >>> mx.optimizer.Optimizer.create_optimizer("Adam", learning_rate=0.1).lr
        0.1
        """
        klass = Optimizer.opt_registry.get(str(name).lower())
        if klass is None:
            known = ", ".join(sorted(Optimizer.opt_registry))
            raise ValueError(f"Cannot find optimizer {name}; registered optimizers: {known}")
        return klass(**kwargs)

    # -- learning rate and multipliers -------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The current learning rate (the scheduler's at ``num_update`` when there is one)."""
        if self.lr_scheduler is not None:
            return self.lr_scheduler(self.num_update)
        return self.lr

    def set_learning_rate(self, lr: float) -> None:
        """Set the learning rate; MXNet raises ``UserWarning`` when a scheduler owns it."""
        if self.lr_scheduler is not None:
            raise UserWarning(
                "LRScheduler of the optimizer has already been defined. Note that set_learning_rate can mutate "
                "the value of the learning rate of the optimizer only when the LRScheduler of the optimizer is undefined."
            )
        self.lr = lr

    def set_lr_scale(self, args_lrscale) -> None:
        """Removed in MXNet: raises ``DeprecationWarning`` pointing at ``set_lr_mult``."""
        raise DeprecationWarning("set_lr_scale is deprecated; use set_lr_mult instead")

    def _sym_mults(self, key: str) -> dict:
        out = {}
        if self.sym_info:
            attr, arg_names = self.sym_info
            for name in arg_names:
                if name in attr and key in attr[name]:
                    out[name] = float(attr[name][key])
        return out

    def set_lr_mult(self, args_lr_mult: dict) -> None:
        """Per-parameter learning-rate multipliers (keys: index or name); replaces earlier ones.

        >>> import mxpy as mx
        >>> opt = mx.optimizer.SGD(learning_rate=0.1, param_idx2name={0: "fc_weight"})
        >>> opt.set_lr_mult({"fc_weight": 0.5})
        >>> opt._get_lr(0)
        0.05
        """
        self.lr_mult = self._sym_mults("__lr_mult__")
        self.lr_mult.update(args_lr_mult)

    def set_wd_mult(self, args_wd_mult: dict) -> None:
        """Per-parameter weight-decay multipliers; names not ending in ``_weight``/``_gamma`` get 0.

        >>> import mxpy as mx
        >>> opt = mx.optimizer.SGD(wd=0.1, param_idx2name={0: "fc_weight", 1: "fc_bias"})
        >>> opt._get_wd(0), opt._get_wd(1)
        (0.1, 0.0)
        """
        self.wd_mult = {}
        for n in self.idx2name.values():
            if not (n.endswith("_weight") or n.endswith("_gamma")):
                self.wd_mult[n] = 0.0
        self.wd_mult.update(self._sym_mults("__wd_mult__"))
        self.wd_mult.update(args_wd_mult)

    def _set_current_context(self, device_id: int) -> None:
        """Keep separate update counts per device (data-parallel updaters)."""
        if device_id not in self._all_index_update_counts:
            self._all_index_update_counts[device_id] = {}
        self._index_update_count = self._all_index_update_counts[device_id]

    def _update_count(self, index) -> None:
        for idx in index if isinstance(index, (list, tuple)) else [index]:
            if idx not in self._index_update_count:
                self._index_update_count[idx] = self.begin_num_update
            self._index_update_count[idx] += 1
            self.num_update = max(self._index_update_count[idx], self.num_update)

    def _mults(self, indices, base: float, mults: dict, attr: str) -> list:
        out = [base] * len(indices)
        for i, index in enumerate(indices):
            if index in self.param_dict:
                out[i] *= getattr(self.param_dict[index], attr)
            elif index in mults:
                out[i] *= mults[index]
            elif index in self.idx2name:
                out[i] *= mults.get(self.idx2name[index], 1.0)
        return out

    def _get_lrs(self, indices) -> list:
        lr = self.lr_scheduler(self.num_update) if self.lr_scheduler is not None else self.lr
        return self._mults(indices, lr, self.lr_mult, "lr_mult")

    def _get_lr(self, index) -> float:
        return self._get_lrs([index])[0]

    def _get_wds(self, indices) -> list:
        return self._mults(indices, self.wd, self.wd_mult, "wd_mult")

    def _get_wd(self, index) -> float:
        return self._get_wds([index])[0]

    # -- states and updates --------------------------------------------------------------
    def create_state(self, index, weight: NDArray):
        """The auxiliary state (None, an NDArray, or a tuple of them) for one weight."""
        return None

    def create_state_multi_precision(self, index, weight: NDArray):
        """With ``multi_precision`` and a float16 weight: ``(float32 copy, create_state(copy))``."""
        if self.multi_precision and weight.dtype == _F16:
            master = weight.astype(np.float32)
            return (master, self.create_state(index, master))
        if weight.dtype == _F16 and not self.multi_precision:
            warnings.warn(
                "Accumulating with float16 in optimizer can lead to poor accuracy or slow convergence. "
                "Consider using multi_precision=True option of the optimizer",
                stacklevel=2,
            )
        return self.create_state(index, weight)

    def update(self, index, weight: NDArray, grad: NDArray, state) -> None:
        """Update ``weight`` in place from ``grad`` and ``state`` (subclasses define it)."""
        raise TypeError(f"{type(self).__name__} does not define update(index, weight, grad, state)")

    def update_multi_precision(self, index, weight: NDArray, grad: NDArray, state) -> None:
        """``update`` on the float32 master copy of a float16 weight when ``multi_precision``."""
        if self.multi_precision and weight.dtype == _F16:
            master, inner = state
            self.update(index, master, grad.astype(np.float32), inner)
            nd.cast(master, dtype=weight.dtype, out=weight)
        else:
            self.update(index, weight, grad, state)

    def _check_arrays(self, weight, grad) -> None:
        if not isinstance(weight, NDArray) or not isinstance(grad, NDArray):
            raise AssertionError(f"{type(self).__name__}.update: weight and grad must be NDArrays, got {type(weight).__name__} and {type(grad).__name__}")

    def _prepare(self, index, weight, grad) -> tuple[float, float]:
        """Start one update: check the arrays, count it, and return ``(lr, wd)`` for ``index``."""
        self._check_arrays(weight, grad)
        self._update_count(index)  # before the rate: a scheduler reads num_update
        return self._get_lr(index), self._get_wd(index)

    def _op_kwargs(self, momentum: float = 0.0, **extra) -> dict:
        """Keyword arguments for an update operator: ``rescale_grad``, ``momentum`` when
        positive, ``clip_gradient`` when set, then ``extra``."""
        kw = {"rescale_grad": self.rescale_grad}
        if momentum > 0:
            kw["momentum"] = momentum
        if self.clip_gradient:
            kw["clip_gradient"] = self.clip_gradient
        kw.update(extra)
        return kw

    # -- pickling (Updater.get_states(dump_optimizer=True)) ---------------------------------
    def __getstate__(self):
        ret = self.__dict__.copy()
        del ret["param_dict"]  # gluon Parameters are re-attached by the trainer
        return ret

    def __setstate__(self, state) -> None:
        self.__dict__ = state
        self.param_dict = {}


register = Optimizer.register
create = Optimizer.create_optimizer


class Updater:
    """Keeps one state per weight index and applies the optimizer: ``updater(index, grad, weight)``.

    ``index``, ``grad`` and ``weight`` may also be lists (one call updates many
    weights; SGD then handles them in groups of ``aggregate_num``).

    >>> import mxpy as mx
    >>> upd = mx.optimizer.get_updater(mx.optimizer.create("sgd", learning_rate=0.5, momentum=0.9))
    >>> w = mx.nd.ones((2,))
    >>> upd(0, mx.nd.ones((2,)), w)
    >>> w.asnumpy()
    array([0.5, 0.5], dtype=float32)
    """

    def __init__(self, optimizer: Optimizer) -> None:
        self.optimizer = optimizer
        self.states: dict = {}
        self.states_synced: dict = {}
        self.aggregate_updates = optimizer.aggregate_num > 0

    def __call__(self, index, grad, weight) -> None:
        if isinstance(index, (list, tuple)):
            indices, grads, weights = list(index), list(grad), list(weight)
        else:
            indices, grads, weights = [index], [grad], [weight]
        if len(grads) != len(indices) or len(weights) != len(indices):
            raise ValueError(f"Updater: got {len(indices)} indices, {len(grads)} gradients and {len(weights)} weights; expected equal counts")
        if weights:
            self.optimizer._set_current_context(weights[0].context.device_id)
        for i, idx in enumerate(indices):
            if isinstance(idx, bytes):  # keys that came through the C API as bytes
                idx = indices[i] = idx.decode()
            if idx not in self.states:
                self.states[idx] = self.optimizer.create_state_multi_precision(idx, weights[i])
                self.states_synced[idx] = True
            elif not self.states_synced[idx]:
                self.states[idx] = self.sync_state_context(self.states[idx], weights[i].context)
                self.states_synced[idx] = True
        opt = self.optimizer
        if not self.aggregate_updates:
            for i, w, g in zip(indices, weights, grads):
                opt.update_multi_precision(i, w, g, self.states[i])
            return
        by_type: dict = {}  # weights of one dtype go together, in call order
        for i, w, g in zip(indices, weights, grads):
            if (type(w) is not NDArray and w.stype != "default") or (type(g) is not NDArray and g.stype != "default"):  # sparse: one at a time, as MXNet
                opt.update_multi_precision(i, w, g, self.states[i])
                continue
            by_type.setdefault(w.dtype, []).append((i, w, g))
        n = opt.aggregate_num
        for group in by_type.values():
            idxs, ws, gs = zip(*group)
            for s in range(0, len(idxs), n):
                chunk = list(idxs[s : s + n])
                opt.update_multi_precision(chunk, list(ws[s : s + n]), list(gs[s : s + n]), [self.states[k] for k in chunk])

    def sync_state_context(self, state, context):
        """Move a state (NDArray, nested tuple/list of them, or None) to ``context``."""
        if isinstance(state, NDArray):
            return state.as_in_context(context)
        if isinstance(state, (tuple, list)):
            synced = [self.sync_state_context(s, context) for s in state]
            return tuple(synced) if isinstance(state, tuple) else synced
        return state

    def set_states(self, states: bytes) -> None:
        """Load what :meth:`get_states` wrote (states, or ``(states, optimizer)``).

        The blob is a pickle, as in MXNet (``.states`` files from
        ``Module.save_optimizer_states``): load only blobs you trust.
        """
        loaded = pickle.loads(states)  # noqa: S301 - MXNet's own format for optimizer states
        if isinstance(loaded, tuple) and len(loaded) == 2:
            self.states, self.optimizer = loaded
        else:
            self.states = loaded
        self.states_synced = dict.fromkeys(self.states.keys(), False)

    def get_states(self, dump_optimizer: bool = False) -> bytes:
        """Pickle the states (and the optimizer, when ``dump_optimizer``), as MXNet does.

        >>> import mxpy as mx
        >>> upd = mx.optimizer.get_updater(mx.optimizer.create("adam"))
        >>> upd(0, mx.nd.ones((2,)), mx.nd.ones((2,)))
        >>> upd2 = mx.optimizer.get_updater(mx.optimizer.create("adam"))
        >>> upd2.set_states(upd.get_states())
        >>> upd2.states[0][0].asnumpy().round(3)
        array([0.1, 0.1], dtype=float32)
        """
        return pickle.dumps((self.states, self.optimizer) if dump_optimizer else self.states)


def get_updater(optimizer: Optimizer) -> Updater:
    """An :class:`Updater` closure over ``optimizer`` (what KVStore's ``set_optimizer`` installs)."""
    return Updater(optimizer)
