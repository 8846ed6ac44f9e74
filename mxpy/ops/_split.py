"""Kernels run on slices of their batch at once, on CPU threads (see ``backend.cpu_threads``).

An op whose work is independent per batch item declares a :class:`SplitSpec`
(``OpDef.split``): the inputs in ``split_ins`` and the outputs in
``split_outs`` are cut along axis 0 (the batch axis of every MXNet layout)
into one slice per thread, and each thread runs the kernel on its slices.
Outputs in ``summed_outs`` (a weight or bias gradient) are a sum over the
batch: each slice computes its own, and they are added in slice order, so a
given batch size and thread count always gives the same bits.

Who splits: an executor whose net has a kernel at or above ``MIN_COST`` for
its unit (see :func:`wanted`; products alone do not count, see
``FOLLOWER_UNITS``) runs in *split mode*: its split-capable
kernels go through :func:`split_kernel`, and the whole run keeps OpenBLAS at
one thread, so that OpenBLAS's own workers, which spin for a while after
each threaded GEMM, never compete with the slices for the cores. Other
executors, and imperative calls, keep OpenBLAS's threads and run whole (on
the test box the benchmark MLP lost 30% when its small GEMMs were split).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ..backend.cpu_threads import hold_single_blas, own_blas_threads, release_single_blas, run_split, split_threads

# the smallest kernel worth slicing, per cost unit (the op's own estimate): handing a
# slice to a waiting thread costs 50-100 us on the test box. "flops" for convolutions,
# "gemm" for FullyConnected, "elements" for elementwise kernels (pooling, activations)
MIN_COST = {"flops": 8_000_000, "gemm": 16_000_000, "elements": 256 * 1024}
# units whose kernels alone never put an executor in split mode: OpenBLAS's own
# threads run a net of plain products (an MLP) as fast as slices would, with no hand-offs
FOLLOWER_UNITS = ("gemm",)
# a product splits only when every thread gets at least this many rows: each slice
# reads the whole weight, and thin slices of a big layer (VGG's fc6 at batch 64 on 8
# threads: 8 rows each) would read it 8 times over; such a product runs whole, with
# OpenBLAS's own threads (lent back for the call; see cpu_threads.own_blas_threads)
GEMM_MIN_ROWS = 32
# ... but only a product this big (flops) gets OpenBLAS's threads lent back: after each
# shared product OpenBLAS's workers spin for a while (its THREAD_TIMEOUT) and take a core
# from the slices of the ops after it. A classifier layer per batch (MobileNet's 8x1024x1000,
# 16 MFLOP) lent its threads cost MobileNet inference at 2 threads 64 -> 114 samples/s and
# ResNet-18 inference 35 -> 45; a smaller product runs on one thread under the hold
GEMM_LEND_MIN_FLOPS = 2_000_000_000


class SplitSpec(NamedTuple):
    """How an op's kernel runs on batch slices (see the module docstring)."""

    split_ins: tuple[int, ...]
    split_outs: tuple[int, ...]
    summed_outs: tuple[int, ...]
    cost: Callable
    unit: str = "flops"


def _batch(spec: SplitSpec, ins) -> int:
    first = ins[spec.split_ins[0]]
    return first.shape[0] if first.ndim else 0


def wanted(spec: SplitSpec, p, ins, outs) -> bool:
    """Is this kernel call big enough to split (at least 2 batch items, cost at the threshold)?"""
    return _batch(spec, ins) >= 2 and spec.cost(p, ins, outs) >= MIN_COST[spec.unit]


_KERNELS: dict = {}


def split_kernel(op) -> Callable:
    """``op.kernel`` run on batch slices when :func:`wanted`, else whole (one per op, cached).

    >>> from mxpy import registry, cpu
    >>> import numpy as np
    >>> act = registry.get("Activation")
    >>> out = np.empty((2, 3), np.float32)
    >>> split_kernel(act)(act.parse({"act_type": "relu"}), [np.ones((2, 3), np.float32)], [out], ("write",), registry.runtime(cpu(), False))
    >>> out.tolist()
    [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    """
    run = _KERNELS.get(op)
    if run is not None:
        return run
    kernel, spec = op.kernel, op.split

    def run(p, ins, outs, req, rt):
        if rt.xp is not np:
            kernel(p, ins, outs, req, rt)
            return
        n = _batch(spec, ins)
        threads = split_threads()
        parts = min(threads, n) if wanted(spec, p, ins, outs) else 1
        if spec.unit == "gemm" and n < threads * GEMM_MIN_ROWS:
            parts = 1
        if parts < 2:
            if spec.unit == "gemm" and spec.cost(p, ins, outs) >= GEMM_LEND_MIN_FLOPS:
                with own_blas_threads():
                    kernel(p, ins, outs, req, rt)
            else:
                kernel(p, ins, outs, req, rt)
            return
        bounds = [n * i // parts for i in range(parts + 1)]
        summed = [j for j in spec.summed_outs if j < len(outs) and req[j] != "null"]
        # per-slice buffers of the summed outputs; the first slice writes straight into a written output
        partial = {j: [outs[j] if i == 0 and req[j] != "add" else np.empty_like(outs[j]) for i in range(parts)] for j in summed}
        part_req = tuple("write" if j in partial else r for j, r in enumerate(req))

        def one(i: int) -> Callable[[], None]:
            rows = slice(bounds[i], bounds[i + 1])
            part_ins = [a[rows] if k in spec.split_ins else a for k, a in enumerate(ins)]
            part_outs = [partial[k][i] if k in partial else (a[rows] if k in spec.split_outs else a) for k, a in enumerate(outs)]
            return lambda: kernel(p, part_ins, part_outs, part_req, rt)

        if not run_split([one(i) for i in range(parts)]):  # another split holds the threads
            kernel(p, ins, outs, req, rt)
            return
        for j, bufs in partial.items():
            first = 1 if bufs[0] is outs[j] else 0
            for b in bufs[first:]:
                outs[j] += b

    _KERNELS[op] = run
    return run


_IMPERATIVE: dict = {}

# Imperative split mode: for this many seconds after an mx.nd call split a kernel that is
# not a product (a convolution), large products split too, as in an executor in split mode.
# Run on OpenBLAS's own threads there, a product leaves OpenBLAS's workers spinning for a
# while, and they take the cores the next split kernels' slices need: LeNet trained
# imperatively at 2 threads ran no faster than at 1 (wall ~2x its CPU-bound split time,
# process CPU 1.4-1.7 cores). A net of products alone (an MLP) never enters this mode and
# keeps OpenBLAS's threads, as its executor does.
IMPERATIVE_MODE_WINDOW = 1.0
_imperative_mode = [0.0]  # monotonic time the mode ends


def imperative_split_kernel(op) -> Callable:
    """For an ``mx.nd`` call (no executor): ``op``'s kernel on batch slices when the call
    is big enough (:func:`wanted`), with OpenBLAS held at one thread meanwhile, else whole.

    An executor in split mode holds OpenBLAS at one thread for its whole run; an
    imperative call has no run around it, so a call that splits holds it for itself
    (calls too small to split pay only the :func:`wanted` check). Products
    (``FOLLOWER_UNITS``) split this way only in imperative split mode (see
    ``IMPERATIVE_MODE_WINDOW``); otherwise OpenBLAS's own threads run them.
    None when the op has no split form.
    """
    spec = op.split
    if spec is None:
        return None
    run = _IMPERATIVE.get(op)
    if run is not None:
        return run
    kernel, sliced = op.kernel, split_kernel(op)
    follower = spec.unit in FOLLOWER_UNITS

    def run(p, ins, outs, req, rt):
        if rt.xp is not np or split_threads() < 2 or not wanted(spec, p, ins, outs):
            kernel(p, ins, outs, req, rt)
            return
        if follower:
            # a product splits only in imperative split mode, with rows for every thread
            if time.monotonic() >= _imperative_mode[0] or _batch(spec, ins) < split_threads() * GEMM_MIN_ROWS:
                kernel(p, ins, outs, req, rt)
                return
        else:
            _imperative_mode[0] = time.monotonic() + IMPERATIVE_MODE_WINDOW
        hold = hold_single_blas()
        try:
            sliced(p, ins, outs, req, rt)
        finally:
            release_single_blas(hold)

    _IMPERATIVE[op] = run
    return run
