"""``mx.model.FeedForward``: MXNet 1.x's deprecated estimator-style model, on top of ``mx.mod.Module``.

``FeedForward(symbol, num_epoch=..., learning_rate=...)`` keeps the
parameters as CPU NDArrays (``arg_params``/``aux_params``); ``fit`` trains
them with data parallelism over ``ctx`` (NumPy input becomes a shuffled
``NDArrayIter`` of ``numpy_batch_size``), ``predict``/``score`` run them on
``ctx[0]``, ``save``/``load`` use the checkpoint files of ``mx.model``.
Training follows MXNet 1.9.1's ``FeedForward``: parameters initialised in
argument order with the legacy ``initializer(name, array)`` call, optimizer
``rescale_grad = 1/batch_size``, batch-end callbacks numbered from 1,
``Epoch[E] Resetting Data Iterator`` and ``Epoch[E] Time cost=...`` logged
per epoch, validation through ``eval_end_callback``.

>>> import mxpy as mx, numpy as np, warnings
>>> net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2, name="fc"), name="softmax")
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore", DeprecationWarning)
...     model = mx.model.FeedForward(net, num_epoch=1, learning_rate=0.1, numpy_batch_size=2)
...     model.fit(np.ones((4, 3), np.float32), np.zeros(4, np.float32))
>>> model.predict(np.ones((4, 3), np.float32)).shape
(4, 2)
"""

from __future__ import annotations

import logging
import time
import warnings

import numpy as np

from . import io
from . import metric as _metric
from . import ndarray as nd
from . import optimizer as opt
from . import symbol as sym
from ._checkpoint import BatchEndParam, load_checkpoint, save_checkpoint
from .callback import LogValidationMetricsCallback
from .context import Context, cpu
from .initializer import Uniform
from .io import DataDesc
from .ndarray.ndarray import NDArray

_log = logging.getLogger(__name__)  # never the root logger: it would configure logging for the script

__all__ = ["FeedForward"]


def _as_list(obj) -> list:
    return list(obj) if isinstance(obj, (list, tuple)) else [obj]


def _call_all(callbacks, *args) -> None:
    if callbacks is None:
        return
    for cb in _as_list(callbacks):
        cb(*args)


def _check_unique_names(symbol) -> None:
    """Arguments and auxiliary states must have distinct names (else parameters would alias)."""
    for names in (symbol.list_arguments(), symbol.list_auxiliary_states()):
        seen = set()
        for name in names:
            if name in seen:
                raise ValueError(
                    f'Find duplicated argument name "{name}", please make the weight name non-duplicated (using name arguments), arguments are {names}'
                )
            seen.add(name)


def _load_batch(batch, targets: list) -> None:
    for src, dst in zip(batch.data, targets):
        if src.shape != dst.shape:
            raise ValueError(f"FeedForward: data batch has shape {src.shape}, expected {dst.shape} (the bound input shape)")
        src.copyto(dst)


class FeedForward:
    """A symbol with its parameters and training settings (deprecated in MXNet: use ``mx.mod.Module``).

    ``ctx`` is a Context or a list of them (data parallel training);
    ``kwargs`` are optimizer parameters (``learning_rate``, ``momentum``, ``wd``...).
    ``arg_params``/``aux_params`` start training from given values (missing
    ones are initialised by ``initializer``); with ``allow_extra_params``
    values naming no argument of the symbol are dropped.

    >>> import mxpy as mx, warnings
    >>> net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=3), name="softmax")
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", DeprecationWarning)
    ...     model = mx.model.FeedForward(net, ctx=mx.cpu(), num_epoch=3, learning_rate=0.1)
    >>> model.ctx, model.num_epoch
    ([cpu(0)], 3)
    """

    def __init__(
        self,
        symbol,
        ctx=None,
        num_epoch=None,
        epoch_size=None,
        optimizer="sgd",
        initializer=Uniform(0.01),  # noqa: B008 - MXNet's default, never mutated
        numpy_batch_size=128,
        arg_params=None,
        aux_params=None,
        allow_extra_params=False,
        begin_epoch=0,
        **kwargs,
    ):
        warnings.warn("mx.model.FeedForward has been deprecated. Please use mx.mod.Module instead.", DeprecationWarning, stacklevel=2)
        # a callable is a bucketing model's sym_gen(bucket_key) -> Symbol, called at fit time
        self.sym_gen = None
        if not isinstance(symbol, sym.Symbol):
            if not callable(symbol):
                raise TypeError(f"FeedForward: symbol must be a Symbol or a sym_gen callable, given {type(symbol).__name__}")
            self.sym_gen, symbol = symbol, None
        if ctx is None:
            ctx = [cpu()]
        elif isinstance(ctx, Context):
            ctx = [ctx]
        ctx = list(ctx)
        if not ctx or not all(isinstance(c, Context) for c in ctx):
            raise TypeError(f"FeedForward: ctx must be a Context or a non-empty list of them, given {ctx!r}")
        if not isinstance(optimizer, (str, opt.Optimizer)):
            raise TypeError(f"FeedForward: optimizer must be a name or an mx.optimizer.Optimizer, given {type(optimizer).__name__}")
        if isinstance(numpy_batch_size, bool) or not isinstance(numpy_batch_size, int) or numpy_batch_size <= 0:
            raise ValueError(f"FeedForward: numpy_batch_size must be a positive int, given {numpy_batch_size!r}")
        for what, params in (("arg_params", arg_params), ("aux_params", aux_params)):
            if params is not None and not isinstance(params, dict):
                raise TypeError(f"FeedForward: {what} must be a dict of str to NDArray, given {type(params).__name__}")
        self.symbol = symbol
        self.arg_params = arg_params
        self.aux_params = aux_params
        self.allow_extra_params = allow_extra_params
        if self.symbol is not None:
            self._check_arguments()
        self.ctx = ctx
        self.num_epoch = num_epoch
        self.epoch_size = epoch_size
        self.kwargs = kwargs.copy()
        self.optimizer = optimizer
        self.initializer = initializer
        self.numpy_batch_size = numpy_batch_size
        self.begin_epoch = begin_epoch
        self._pred_exec = None

    def _check_arguments(self) -> None:
        _check_unique_names(self.symbol)
        if self.allow_extra_params:
            if self.arg_params:
                names = set(self.symbol.list_arguments())
                self.arg_params = {k: v for k, v in self.arg_params.items() if k in names}
            if self.aux_params:
                names = set(self.symbol.list_auxiliary_states())
                self.aux_params = {k: v for k, v in self.aux_params.items() if k in names}

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_pred_exec"] = None  # executors are rebuilt on demand
        return state

    # -- inputs -----------------------------------------------------------------------------
    def _init_iter(self, X, y, is_train: bool):
        """A DataIter for ``X`` (NumPy/NDArray data become an NDArrayIter; training ones shuffled, last batch rolled over)."""
        if isinstance(X, (np.ndarray, NDArray)):
            if y is None:
                if is_train:
                    raise ValueError("FeedForward: y must be specified when X is a numpy.ndarray or NDArray")
                y = np.zeros(X.shape[0])
            if isinstance(y, list):
                y = np.array(y)
            if not isinstance(y, (np.ndarray, NDArray)):
                raise TypeError(f"FeedForward: y must be a numpy.ndarray or NDArray when X is one, given {type(y).__name__}")
            if X.shape[0] != y.shape[0]:
                raise ValueError(f"FeedForward: the numbers of data points and labels differ: X has {X.shape[0]}, y has {y.shape[0]}")
            if y.ndim == 2 and y.shape[1] == 1:
                y = y.reshape((y.shape[0],))
            if y.ndim != 1:
                raise ValueError(f"FeedForward: label must be 1-D or 2-D with a second dimension of 1, given shape {tuple(y.shape)}")
            batch_size = min(X.shape[0], self.numpy_batch_size)
            if is_train:
                return io.NDArrayIter(X, y, batch_size, shuffle=True, last_batch_handle="roll_over")
            return io.NDArrayIter(X, y, batch_size, shuffle=False)
        if not isinstance(X, io.DataIter):
            raise TypeError(f"FeedForward: X must be a DataIter, NDArray or numpy.ndarray, given {type(X).__name__}")
        return X

    def _init_eval_iter(self, eval_data):
        if eval_data is None:
            return None
        if isinstance(eval_data, (tuple, list)) and len(eval_data) == 2:
            data, label = eval_data
            if data is None:
                raise ValueError("FeedForward.fit: eval_data is a pair whose data is None")
            if label is None and isinstance(data, io.DataIter):
                return data
            data = np.array(data) if isinstance(data, list) else data
            # MXNet builds the validation iterator like the training one (shuffled, rolled over)
            return self._init_iter(data, label, is_train=True)
        if not isinstance(eval_data, io.DataIter):
            raise TypeError(f"FeedForward.fit: eval_data must be a DataIter or an (X, y) pair of arrays, given {type(eval_data).__name__}")
        return eval_data

    # -- parameters -------------------------------------------------------------------------
    def _init_params(self, inputs: list, overwrite: bool = False) -> list:
        """Fresh CPU parameters shaped for ``inputs``: given values copied, the rest initialised in argument order."""
        inputs = [x if isinstance(x, DataDesc) else DataDesc(*x) for x in inputs]
        arg_shapes, _, aux_shapes = self.symbol.infer_shape(**{d.name: d.shape for d in inputs})
        if arg_shapes is None:
            raise ValueError(f"FeedForward: cannot infer parameter shapes from the inputs {[(d.name, d.shape) for d in inputs]}")
        arg_types, _, aux_types = self.symbol.infer_type(**{d.name: d.dtype for d in inputs})
        input_names = {d.name for d in inputs}
        arg_names = self.symbol.list_arguments()
        param_names = [n for n in arg_names if n not in input_names]
        arg_params = {n: nd.zeros(s, dtype=t) for n, s, t in zip(arg_names, arg_shapes, arg_types) if n not in input_names}
        aux_params = {n: nd.zeros(s, dtype=t) for n, s, t in zip(self.symbol.list_auxiliary_states(), aux_shapes, aux_types)}
        for given, fresh in ((self.arg_params, arg_params), (self.aux_params, aux_params)):
            for name, arr in fresh.items():
                if given and name in given and not overwrite:
                    src = given[name]
                    if tuple(src.shape) != arr.shape:
                        raise ValueError(f"FeedForward: parameter {name!r} has shape {tuple(src.shape)}, expected {arr.shape}")
                    arr[:] = src.asnumpy() if isinstance(src, NDArray) else src
                else:
                    self.initializer(name, arr)  # MXNet's legacy by-name call, in argument order
        self.arg_params = arg_params
        self.aux_params = aux_params
        return param_names

    def _init_predictor(self, input_shapes: list, type_dict: dict) -> None:
        """Bind (or reuse) a forward-only executor on ``ctx[0]`` for these input shapes."""
        shapes = {name: arr.shape for name, arr in self.arg_params.items()}
        shapes.update(dict(input_shapes))
        if self._pred_exec is not None:
            arg_shapes, _, _ = self.symbol.infer_shape(**shapes)
            if arg_shapes == [x.shape for x in self._pred_exec.arg_arrays]:
                return
        pred_exec = self.symbol.simple_bind(self.ctx[0], grad_req="null", type_dict=type_dict, **shapes)
        pred_exec.copy_params_from(self.arg_params, self.aux_params)
        self._pred_exec = pred_exec

    def _prepare_predict(self, X, reset: bool, func: str):
        if self.arg_params is None:
            raise ValueError(f"FeedForward.{func}: the model has no parameters; call fit() or load() first")
        X = self._init_iter(X, None, is_train=False)
        if reset:
            X.reset()
        descs = [x if isinstance(x, DataDesc) else DataDesc(*x) for x in X.provide_data]
        type_dict = {k: v.dtype for k, v in self.arg_params.items()}
        type_dict.update({d.name: d.dtype for d in descs})
        self._init_predictor([(d.name, d.shape) for d in descs], type_dict)
        return X, [self._pred_exec.arg_dict[d.name] for d in descs]

    # -- inference --------------------------------------------------------------------------
    def predict(self, X, num_batch=None, return_data=False, reset=True):
        """The outputs over ``X`` as NumPy arrays (one array for a single-output symbol).

        With ``return_data`` returns ``(outputs, data, label)``; ``num_batch``
        stops early. Padding of the last batch is dropped.

        >>> import mxpy as mx, numpy as np, warnings
        >>> net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2, name="fc"), name="softmax")
        >>> args = {"fc_weight": mx.nd.zeros((2, 3)), "fc_bias": mx.nd.zeros((2,))}
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", DeprecationWarning)
        ...     model = mx.model.FeedForward(net, arg_params=args)
        >>> model.predict(np.ones((3, 3), np.float32))
        array([[0.5, 0.5],
               [0.5, 0.5],
               [0.5, 0.5]], dtype=float32)
        """
        X, data_arrays = self._prepare_predict(X, reset, "predict")
        outputs = [[] for _ in self._pred_exec.outputs]
        data_list = [[] for _ in X.provide_data]
        label_list = [[] for _ in X.provide_label]
        for i, batch in enumerate(X, start=1):
            _load_batch(batch, data_arrays)
            self._pred_exec.forward(is_train=False)
            real_size = X.batch_size - (batch.pad or 0)
            for store, out in zip(outputs, self._pred_exec.outputs):
                store.append(out[0:real_size].asnumpy())
            if return_data:
                for store, x in zip(data_list, batch.data):
                    store.append(x[0:real_size].asnumpy())
                for store, x in zip(label_list, batch.label or []):
                    store.append(x[0:real_size].asnumpy())
            if num_batch is not None and i == num_batch:
                break
        merged = [np.concatenate(x) for x in outputs]
        result = merged[0] if len(merged) == 1 else merged
        if not return_data:
            return result
        data = [np.concatenate(x) for x in data_list]
        label = [np.concatenate(x) for x in label_list if x]
        return result, data[0] if len(data) == 1 else data, label[0] if len(label) == 1 else label

    def score(self, X, eval_metric="acc", num_batch=None, batch_end_callback=None, reset=True):
        """``eval_metric``'s value over ``X`` (a DataIter with labels).

        >>> import mxpy as mx, warnings
        >>> net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2, name="fc"), name="softmax")
        >>> args = {"fc_weight": mx.nd.array([[1, 0], [0, 1]]), "fc_bias": mx.nd.zeros((2,))}
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", DeprecationWarning)
        ...     model = mx.model.FeedForward(net, arg_params=args)
        >>> model.score(mx.io.NDArrayIter(mx.nd.array([[1, 0], [0, 1]]), mx.nd.array([0, 0]), batch_size=2))
        0.5
        """
        if not isinstance(eval_metric, _metric.EvalMetric):
            eval_metric = _metric.create(eval_metric)
        X, data_arrays = self._prepare_predict(X, reset, "score")
        for i, batch in enumerate(X):
            if num_batch is not None and i == num_batch:
                break
            _load_batch(batch, data_arrays)
            self._pred_exec.forward(is_train=False)
            eval_metric.update(batch.label, self._pred_exec.outputs)
            if batch_end_callback is not None:
                _call_all(batch_end_callback, BatchEndParam(epoch=0, nbatch=i, eval_metric=eval_metric, locals=locals()))
        return eval_metric.get()[1]

    # -- training ---------------------------------------------------------------------------
    def fit(
        self,
        X,
        y=None,
        eval_data=None,
        eval_metric="acc",
        epoch_end_callback=None,
        batch_end_callback=None,
        kvstore="local",
        logger=None,
        work_load_list=None,
        monitor=None,
        eval_end_callback=LogValidationMetricsCallback(),  # noqa: B008 - stateless, MXNet's default
        eval_batch_end_callback=None,
    ) -> None:
        """Train for epochs ``begin_epoch .. num_epoch-1`` on ``X`` (a DataIter, or arrays with labels ``y``).

        ``eval_data`` (a DataIter or an ``(X, y)`` pair) is scored after
        every epoch with ``eval_metric``, reported through ``eval_end_callback``.
        ``arg_params``/``aux_params`` hold the trained values afterwards.

        >>> import mxpy as mx, numpy as np, warnings
        >>> net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2, name="fc"), name="softmax")
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", DeprecationWarning)
        ...     model = mx.model.FeedForward(net, num_epoch=2, learning_rate=0.5)
        ...     model.fit(np.eye(2, dtype=np.float32), np.array([0, 1], np.float32))
        >>> sorted(model.arg_params)
        ['fc_bias', 'fc_weight']
        """
        from .module import Module

        if self.num_epoch is None:
            raise ValueError("FeedForward.fit: num_epoch is None; give FeedForward(..., num_epoch=N)")
        data = self._init_iter(X, y, is_train=True)
        eval_data = self._init_eval_iter(eval_data)
        if self.sym_gen is not None:
            if not hasattr(data, "default_bucket_key"):
                raise ValueError("FeedForward.fit: a sym_gen model needs a bucketing iterator (with default_bucket_key)")
            self.symbol = self.sym_gen(data.default_bucket_key)
            self._check_arguments()
        if not isinstance(eval_metric, _metric.EvalMetric):
            eval_metric = _metric.create(eval_metric)
        logger = logger if logger is not None and logger is not logging else _log
        descs = [x if isinstance(x, DataDesc) else DataDesc(*x) for x in data.provide_data + data.provide_label]
        self._init_params(descs)
        label_names = [d.name for d in (x if isinstance(x, DataDesc) else DataDesc(*x) for x in data.provide_label)]
        data_names = [d.name for d in descs[: len(data.provide_data)]]
        if self.sym_gen is None:
            mod = Module(self.symbol, data_names=data_names, label_names=label_names, logger=logger, context=self.ctx, work_load_list=work_load_list)
        else:
            from .module import BucketingModule

            gen = self.sym_gen
            mod = BucketingModule(
                lambda key: (gen(key), data_names, label_names),
                default_bucket_key=data.default_bucket_key,
                logger=logger,
                context=self.ctx,
                work_load_list=work_load_list,
            )
        logger.info("Start training with %s", str(self.ctx))
        mod.bind(data_shapes=data.provide_data, label_shapes=data.provide_label or None, for_training=True)
        if monitor is not None:
            mod.install_monitor(monitor)
        mod.set_params(self.arg_params, self.aux_params)
        with warnings.catch_warnings():
            # a ready-made optimizer is used as given, as MXNet's FeedForward does (no rescale_grad check)
            warnings.filterwarnings("ignore", message="Optimizer created manually outside Module")
            mod.init_optimizer(kvstore=kvstore, optimizer=self.optimizer, optimizer_params=self.kwargs)

        data.reset()
        for epoch in range(self.begin_epoch, self.num_epoch):
            tic = time.time()
            eval_metric.reset()
            nbatch = 0
            while True:
                do_reset = True
                for batch in data:
                    if monitor is not None:
                        monitor.tic()
                    mod.forward(batch, is_train=True)
                    mod.backward()
                    mod.update()
                    if monitor is not None:
                        monitor.toc_print()
                    mod.update_metric(eval_metric, batch.label)
                    nbatch += 1  # MXNet's FeedForward numbers batches from 1 in callbacks
                    if batch_end_callback is not None:
                        _call_all(batch_end_callback, BatchEndParam(epoch=epoch, nbatch=nbatch, eval_metric=eval_metric, locals=locals()))
                    if self.epoch_size is not None and nbatch >= self.epoch_size:
                        do_reset = False
                        break
                if do_reset:
                    logger.info("Epoch[%d] Resetting Data Iterator", epoch)
                    data.reset()
                if self.epoch_size is None or nbatch >= self.epoch_size:
                    break
                if nbatch == 0:
                    raise ValueError("FeedForward.fit: the training iterator yields no batches")
            logger.info("Epoch[%d] Time cost=%.3f", epoch, time.time() - tic)
            if epoch_end_callback or epoch + 1 == self.num_epoch:
                self._copy_from(mod)
            _call_all(epoch_end_callback, epoch, self.symbol, self.arg_params, self.aux_params)
            if eval_data:
                eval_metric.reset()
                eval_data.reset()
                total = 0
                for i, batch in enumerate(eval_data):
                    mod.forward(batch, is_train=False)
                    mod.update_metric(eval_metric, batch.label)
                    if eval_batch_end_callback is not None:
                        _call_all(eval_batch_end_callback, BatchEndParam(epoch=epoch, nbatch=i, eval_metric=eval_metric, locals=locals()))
                    total += 1
                if eval_end_callback is not None:
                    _call_all(eval_end_callback, BatchEndParam(epoch=epoch, nbatch=total, eval_metric=eval_metric, locals=locals()))
                eval_data.reset()
        self._pred_exec = None  # parameters changed: rebind the predictor from them

    def _copy_from(self, mod) -> None:
        """Copy the module's (device-averaged) parameters into this model's CPU arrays in place."""
        args, auxs = mod.get_params()
        for mine, theirs in ((self.arg_params, args), (self.aux_params, auxs)):
            for name, arr in mine.items():
                theirs[name].astype(arr.dtype).copyto(arr)

    # -- files ------------------------------------------------------------------------------
    def save(self, prefix: str, epoch=None) -> None:
        """Write ``prefix-symbol.json`` and ``prefix-%04d.params`` (``epoch`` defaults to ``num_epoch``)."""
        if epoch is None:
            epoch = self.num_epoch
        if epoch is None:
            raise ValueError("FeedForward.save: give epoch (num_epoch is None)")
        if self.arg_params is None:
            raise ValueError("FeedForward.save: the model has no parameters; call fit() first")
        save_checkpoint(prefix, epoch, self.symbol, self.arg_params, self.aux_params or {})

    @staticmethod
    def load(prefix: str, epoch: int, ctx=None, **kwargs) -> FeedForward:
        """A FeedForward from a checkpoint, to continue training at ``begin_epoch=epoch`` (``kwargs`` go to FeedForward).

        >>> import mxpy as mx, os, tempfile, warnings
        >>> prefix = os.path.join(tempfile.mkdtemp(), "net")
        >>> net = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2, name="fc")
        >>> mx.model.save_checkpoint(prefix, 3, net, {"fc_weight": mx.nd.ones((2, 2)), "fc_bias": mx.nd.zeros((2,))}, {})
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", DeprecationWarning)
        ...     model = mx.model.FeedForward.load(prefix, 3)
        >>> model.begin_epoch, sorted(model.arg_params)
        (3, ['fc_bias', 'fc_weight'])
        """
        symbol, arg_params, aux_params = load_checkpoint(prefix, epoch)
        return FeedForward(symbol, ctx=ctx, arg_params=arg_params, aux_params=aux_params, begin_epoch=epoch, **kwargs)

    @staticmethod
    def create(
        symbol,
        X,
        y=None,
        ctx=None,
        num_epoch=None,
        epoch_size=None,
        optimizer="sgd",
        initializer=Uniform(0.01),  # noqa: B008 - MXNet's default, never mutated
        eval_data=None,
        eval_metric="acc",
        epoch_end_callback=None,
        batch_end_callback=None,
        kvstore="local",
        logger=None,
        work_load_list=None,
        eval_end_callback=LogValidationMetricsCallback(),  # noqa: B008 - stateless, MXNet's default
        eval_batch_end_callback=None,
        **kwargs,
    ) -> FeedForward:
        """Build a FeedForward and ``fit`` it in one call (``kwargs`` go to FeedForward: optimizer parameters...)."""
        model = FeedForward(symbol, ctx=ctx, num_epoch=num_epoch, epoch_size=epoch_size, optimizer=optimizer, initializer=initializer, **kwargs)
        model.fit(
            X,
            y,
            eval_data=eval_data,
            eval_metric=eval_metric,
            epoch_end_callback=epoch_end_callback,
            batch_end_callback=batch_end_callback,
            kvstore=kvstore,
            logger=logger,
            work_load_list=work_load_list,
            eval_end_callback=eval_end_callback,
            eval_batch_end_callback=eval_batch_end_callback,
        )
        return model
