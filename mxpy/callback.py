"""``mx.callback``: batch-end and epoch-end callbacks for ``fit``, with MXNet 1.9.1's log lines.

Batch-end callbacks receive ``mx.model.BatchEndParam(epoch, nbatch,
eval_metric, locals)``; epoch-end callbacks receive ``(epoch, symbol,
arg_params, aux_params)``. Metrics are used only through
``get_name_value()`` and ``reset_local()``.

>>> import logging
>>> from mxpy import callback
>>> from mxpy.model import BatchEndParam
>>> speed = callback.Speedometer(batch_size=32, frequent=2)
>>> for i in range(3):
...     speed(BatchEndParam(epoch=0, nbatch=i, eval_metric=None, locals=None))
"""

from __future__ import annotations

import logging
import math
import time

from ._checkpoint import save_checkpoint

_log = logging.getLogger(__name__)  # never the root logger: it would configure logging for the script

__all__ = [
    "module_checkpoint",
    "do_checkpoint",
    "log_train_metric",
    "Speedometer",
    "ProgressBar",
    "LogValidationMetricsCallback",
    "TqdmProgressBar",
]


def _period(period, func: str) -> int:
    try:
        return int(max(1, period))
    except (TypeError, ValueError):
        raise TypeError(f"{func}: period must be a number, given {type(period).__name__}") from None


def module_checkpoint(mod, prefix: str, period: int = 1, save_optimizer_states: bool = False):
    """An epoch-end callback calling ``mod.save_checkpoint(prefix, epoch + 1, ...)`` every ``period`` epochs.

    >>> from mxpy import callback
    >>> class Mod:
    ...     def save_checkpoint(self, prefix, epoch, save_optimizer_states):
    ...         print(prefix, epoch, save_optimizer_states)
    >>> cb = callback.module_checkpoint(Mod(), "net", period=2)
    >>> for epoch in range(4):
    ...     cb(epoch)
    net 2 False
    net 4 False
    """
    period = _period(period, "module_checkpoint")

    def _callback(iter_no, sym=None, arg=None, aux=None):
        if (iter_no + 1) % period == 0:
            mod.save_checkpoint(prefix, iter_no + 1, save_optimizer_states)

    return _callback


def _rank() -> str:
    """``'[rank R] '`` in a launched job of several processes, so each log line says who wrote it."""
    from .kvstore import dist_env

    return dist_env.rank_prefix()


def do_checkpoint(prefix: str, period: int = 1):
    """An epoch-end callback saving ``prefix-symbol.json`` and ``prefix-%04d.params`` every ``period`` epochs.

    The epoch number in the file name is ``epoch + 1`` (the count of finished epochs).
    In a job started by ``python -m mxpy.launch`` only rank 0 writes (all
    ranks hold the same weights), unless ``MXPY_CHECKPOINT_ALL_RANKS=1``.

    >>> import mxpy as mx, os, tempfile
    >>> from mxpy import callback
    >>> prefix = os.path.join(tempfile.mkdtemp(), "net")
    >>> cb = callback.do_checkpoint(prefix)
    >>> cb(0, mx.sym.Variable("x") + 1, {"w": mx.nd.ones((1,))}, {})
    >>> os.path.exists(prefix + "-0001.params")
    True
    """
    period = _period(period, "do_checkpoint")

    def _callback(iter_no, sym, arg, aux):
        if (iter_no + 1) % period == 0:
            from .kvstore import dist_env

            if not dist_env.writes_checkpoints():  # in a launched job rank 0 writes, unless MXPY_CHECKPOINT_ALL_RANKS=1
                return
            save_checkpoint(prefix, iter_no + 1, sym, arg, aux)

    return _callback


def log_train_metric(period: int, auto_reset: bool = False):
    """A batch-end callback logging ``Iter[E] Batch[B] Train-NAME=VALUE`` every ``period`` batches."""

    def _callback(param):
        if param.nbatch % period == 0 and param.eval_metric is not None:
            for name, value in param.eval_metric.get_name_value():
                _log.info(_rank() + "Iter[%d] Batch[%d] Train-%s=%f", param.epoch, param.nbatch, name, value)
            if auto_reset:
                param.eval_metric.reset_local()

    return _callback


class Speedometer:
    """Log the training speed and the metric every ``frequent`` batches.

    The first call of an epoch (``nbatch`` going down) starts the clock; after
    that, every ``frequent`` batches it logs, as MXNet 1.9.1 does::

        Epoch[0] Batch [20-40]\tSpeed: 1234.56 samples/sec\taccuracy=0.500000

    With ``auto_reset`` (default) the metric's local tally is reset after
    each log and the range is the batches since the last log; without it the
    range starts at 0. With no metric the line is
    ``Iter[E] Batch [B]\tSpeed: S samples/sec``.
    """

    def __init__(self, batch_size: int, frequent: int = 50, auto_reset: bool = True) -> None:
        self.batch_size = batch_size
        self.frequent = frequent
        self.init = False
        self.tic = 0.0
        self.last_count = 0
        self.auto_reset = auto_reset

    def __call__(self, param) -> None:
        count = param.nbatch
        if self.last_count > count:  # a new epoch started
            self.init = False
        self.last_count = count
        if not self.init:
            self.init = True
            self.tic = time.time()
            return
        if count % self.frequent != 0:
            return
        elapsed = time.time() - self.tic
        speed = self.frequent * self.batch_size / elapsed if elapsed != 0 else float("inf")
        if param.eval_metric is None:
            _log.info(_rank() + "Iter[%d] Batch [%d]\tSpeed: %.2f samples/sec", param.epoch, count, speed)
        else:
            name_value = param.eval_metric.get_name_value()
            values = [x for pair in name_value for x in pair]
            metric_fmt = "\t%s=%f" * len(name_value)
            if self.auto_reset:
                param.eval_metric.reset_local()
                _log.info(_rank() + "Epoch[%d] Batch [%d-%d]\tSpeed: %.2f samples/sec" + metric_fmt, param.epoch, count - self.frequent, count, speed, *values)
            else:
                _log.info(_rank() + "Epoch[%d] Batch [0-%d]\tSpeed: %.2f samples/sec" + metric_fmt, param.epoch, count, speed, *values)
        self.tic = time.time()


class ProgressBar:
    """Log a text progress bar ``[====----] 50%`` of ``nbatch`` out of ``total`` batches."""

    def __init__(self, total: int, length: int = 80) -> None:
        if total <= 0:
            raise ValueError(f"ProgressBar: total must be a positive number of batches, given {total}")
        self.bar_len = length
        self.total = total

    def __call__(self, param) -> None:
        count = param.nbatch
        filled = int(round(self.bar_len * count / float(self.total)))
        percents = math.ceil(100.0 * count / float(self.total))
        bar = "=" * filled + "-" * (self.bar_len - filled)
        _log.info("[%s] %s%s\r", bar, percents, "%")


class LogValidationMetricsCallback:
    """An eval-end callback logging ``Epoch[E] Validation-NAME=VALUE`` for each metric value."""

    def __call__(self, param) -> None:
        if not param.eval_metric:
            return
        for name, value in param.eval_metric.get_name_value():
            _log.info(_rank() + "Epoch[%d] Validation-%s=%f", param.epoch, name, value)


class TqdmProgressBar:
    """A batch-end callback drawing a ``tqdm`` bar per epoch, with the metric as its postfix (mxpy only).

    Needs the ``tqdm`` package (an ``ImportError`` saying so is raised at
    construction otherwise). ``total`` is the number of batches per epoch;
    a bar is opened when an epoch starts (``nbatch`` goes down or the epoch
    changes) and closed when it reaches ``total``. Extra keyword arguments go
    to ``tqdm.tqdm``; ``disable`` defaults to ``None`` (tqdm's "no bar when
    the stream is not a terminal"), so logs and CI output get no carriage-return
    updates; pass ``disable=False`` to draw anyway. The postfix is the epoch's
    running (global) metric, which ``Speedometer``'s ``reset_local`` leaves
    alone; a value that is still NaN is not shown.

    >>> from mxpy import callback  # doctest: +SKIP
    >>> mod.fit(train, num_epoch=2, batch_end_callback=callback.TqdmProgressBar(total=100))  # doctest: +SKIP
    """

    def __init__(self, total: int, **tqdm_kwargs) -> None:
        try:
            from tqdm import tqdm
        except ImportError as e:
            raise ImportError("TqdmProgressBar needs the tqdm package (pip install tqdm); use mx.callback.ProgressBar otherwise") from e
        if total <= 0:
            raise ValueError(f"TqdmProgressBar: total must be a positive number of batches, given {total}")
        self._tqdm = tqdm
        self.total = total
        self.kwargs = {"disable": None, **tqdm_kwargs}
        self.bar = None
        self._epoch = None
        self._last = -1

    def __call__(self, param) -> None:
        if self.bar is None or param.epoch != self._epoch or param.nbatch < self._last:
            self.close()
            self.bar = self._tqdm(total=self.total, desc=f"Epoch[{param.epoch}]", **self.kwargs)
            self._epoch = param.epoch
        self._last = param.nbatch
        done = min(param.nbatch + 1, self.total)  # nbatch counts from 0
        self.bar.update(done - self.bar.n)
        if param.eval_metric is not None:
            metric = param.eval_metric
            values = metric.get_global_name_value() if hasattr(metric, "get_global_name_value") else metric.get_name_value()
            postfix = {name: f"{value:.6f}" for name, value in values if not (isinstance(value, float) and math.isnan(value))}
            if postfix:
                self.bar.set_postfix(postfix)
        if done >= self.total:
            self.close()

    def close(self) -> None:
        """Close the current bar, if any."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
