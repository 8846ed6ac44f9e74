"""Kernels run on slices of their batch at once, on CPU threads (see ``backend.cpu_threads``).

:func:`batch_split` wraps a kernel whose work is independent per batch item:
the inputs in ``split_ins`` and the outputs in ``split_outs`` are cut along
axis 0 (the batch axis of every MXNet layout) into one slice per thread, and
each thread runs the kernel on its slices. Outputs in ``summed_outs`` (a
weight or bias gradient) are a sum over the batch: each slice computes its
own, and they are added in slice order, so a given batch size and thread
count always gives the same bits. Kernels below ``SPLIT_MIN_COST`` (the op's
own ``cost`` estimate, below ``MIN_COST[unit]``) run whole: handing a slice to a
waiting thread costs 50-100 us on the test box.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..backend.cpu_threads import run_split, split_threads

# below these costs (the op's own estimate) a kernel runs whole: FLOPs for products
# such as convolutions, element visits for elementwise kernels (pooling, activations)
MIN_COST = {"flops": 8_000_000, "elements": 256 * 1024}


def batch_split(
    kernel: Callable,
    split_ins: tuple[int, ...],
    split_outs: tuple[int, ...],
    summed_outs: tuple[int, ...],
    cost: Callable,
    unit: str = "flops",
) -> Callable:
    """``kernel`` run on batch slices in parallel when large enough (see the module docstring).

    >>> import numpy as np
    >>> from mxpy import registry, cpu
    >>> def double(p, ins, outs, req, rt):
    ...     np.multiply(ins[0], 2, out=outs[0])
    >>> k = batch_split(double, (0,), (0,), (), cost=lambda p, ins, outs: 10**9)
    >>> out = np.empty(4)
    >>> k(None, [np.arange(4.0)], [out], ("write",), registry.runtime(cpu(), False))
    >>> out
    array([0., 2., 4., 6.])
    """

    def run(p, ins, outs, req, rt):
        n = ins[split_ins[0]].shape[0] if ins[split_ins[0]].ndim else 0
        parts = min(split_threads(), n) if rt.xp is np else 1
        if parts < 2 or cost(p, ins, outs) < MIN_COST[unit]:
            kernel(p, ins, outs, req, rt)
            return
        bounds = [n * i // parts for i in range(parts + 1)]
        summed = [j for j in summed_outs if j < len(outs) and req[j] != "null"]
        # per-slice buffers of the summed outputs; the first slice writes straight into a written output
        partial = {j: [outs[j] if i == 0 and req[j] != "add" else np.empty_like(outs[j]) for i in range(parts)] for j in summed}
        part_req = tuple("write" if j in partial else r for j, r in enumerate(req))

        def one(i: int) -> Callable[[], None]:
            rows = slice(bounds[i], bounds[i + 1])
            part_ins = [a[rows] if k in split_ins else a for k, a in enumerate(ins)]
            part_outs = [partial[k][i] if k in partial else (a[rows] if k in split_outs else a) for k, a in enumerate(outs)]
            return lambda: kernel(p, part_ins, part_outs, part_req, rt)

        if not run_split([one(i) for i in range(parts)]):
            kernel(p, ins, outs, req, rt)
            return
        for j, bufs in partial.items():
            first = 1 if bufs[0] is outs[j] else 0
            for b in bufs[first:]:
                outs[j] += b

    run.__wrapped__ = kernel
    return run
