"""``mx.mon.Monitor``: statistics of every array an executor computes, every N batches.

>>> import mxpy as mx
>>> x = mx.sym.Variable("x")
>>> ex = mx.sym.FullyConnected(x, num_hidden=2, name="fc").simple_bind(mx.cpu(), x=(1, 3))
>>> mon = mx.monitor.Monitor(1, pattern="fc_output")
>>> mon.install(ex)
>>> mon.tic(); _ = ex.forward(); mon.toc()
[(1, 'fc_output', '0.0\\t')]
"""

from __future__ import annotations

import logging
import math
import re

from .ndarray import NDArray
from .ndarray import norm as _norm

_log = logging.getLogger(__name__)  # never the root logger: it would configure logging for the script

__all__ = ["Monitor"]


def _default_stat(x: NDArray) -> NDArray:
    """The root mean square of ``x``: ``norm(x) / sqrt(x.size)``."""
    return _norm(x) / math.sqrt(x.size)


class Monitor:
    """Collect ``stat_func`` of node outputs (and arguments) whose names match ``pattern``.

    Every ``interval`` calls of :meth:`tic`, the installed executors report
    each computed array (forward and backward node outputs; node inputs too
    with ``monitor_all``); :meth:`toc` adds the arguments and auxiliary
    states, and returns ``(step, name, stats)`` tuples where ``stats`` is
    the statistic's values as text, each followed by a tab.

    Parameters
    ----------
    interval : int
        Collect on every ``interval``-th batch.
    stat_func : callable, optional
        NDArray -> NDArray (or list of NDArrays); default: norm / sqrt(size).
    pattern : str
        Regular expression; only names it matches (``re.match``) are kept.
    sort : bool
        Sort the results by name.
    monitor_all : bool
        Also report the inputs of every node.
    """

    def __init__(self, interval: int, stat_func=None, pattern: str = ".*", sort: bool = False, monitor_all: bool = False):
        if int(interval) < 1:
            raise ValueError(f"Monitor: interval must be a positive integer, got {interval}")
        self.stat_func = _default_stat if stat_func is None else stat_func
        self.interval = int(interval)
        self.activated = False
        self.queue: list = []
        self.step = 0
        self.exes: list = []
        self.re_prog = re.compile(pattern)
        self.sort = sort
        self.monitor_all = monitor_all

        def stat_helper(name: str, array: NDArray) -> None:
            # the statistic is pushed to the engine now, so it reads this value
            # before any later node reuses the buffer
            if not self.activated or not self.re_prog.match(name):
                return
            self.queue.append((self.step, name, self.stat_func(array)))

        self.stat_helper = stat_helper

    def install(self, exe) -> None:
        """Attach to an executor (its monitor callback); several executors may be installed."""
        exe.set_monitor_callback(self.stat_helper, self.monitor_all)
        self.exes.append(exe)

    def _wait_inputs(self) -> None:
        for exe in self.exes:
            for array in exe.arg_arrays:
                array.wait_to_read()
            for array in exe.aux_arrays:
                array.wait_to_read()

    def tic(self) -> None:
        """Start a batch: collection turns on when the batch number is a multiple of ``interval``."""
        if self.step % self.interval == 0:
            self._wait_inputs()
            self.queue = []
            self.activated = True
        self.step += 1

    def toc(self) -> list[tuple[int, str, str]]:
        """End the batch: add argument and aux statistics, return and clear what was collected."""
        if not self.activated:
            return []
        self._wait_inputs()
        for exe in self.exes:
            for name, array in zip(exe._symbol.list_arguments(), exe.arg_arrays):
                if self.re_prog.match(name):
                    self.queue.append((self.step, name, self.stat_func(array)))
            for name, array in zip(exe._symbol.list_auxiliary_states(), exe.aux_arrays):
                if self.re_prog.match(name):
                    self.queue.append((self.step, name, self.stat_func(array)))
        self.activated = False
        if self.sort:
            self.queue.sort(key=lambda item: item[1])
        res = []
        for step, name, stats in self.queue:
            res.append((step, name, _format_stats(name, stats)))
        self.queue = []
        return res

    def toc_print(self) -> None:
        """:meth:`toc`, logged at INFO level one line per entry."""
        for step, name, stats in self.toc():
            _log.info("Batch: %7d %-30s %s", step, name, stats)


def _format_stats(name: str, stats) -> str:
    values = [stats] if isinstance(stats, NDArray) else stats
    if not isinstance(values, list) or not all(isinstance(v, NDArray) for v in values):
        raise TypeError(f"Monitor: stat_func must return an NDArray or a list of NDArrays, got {type(stats).__name__} for {name!r}")
    text = ""
    for v in values:
        text += (str(v.asscalar()) if v.shape == (1,) else str(v.asnumpy())) + "\t"
    return text
