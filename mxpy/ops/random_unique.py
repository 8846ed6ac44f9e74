"""``_sample_unique_zipfian``: log-uniform (Zipfian) class samples without replacement.

MXNet's candidate sampler for sampled softmax: each row of the batch gets
``num_sampled`` distinct classes of ``[0, range_max)``, drawn one at a time
from ``P(c) = log((c + 2) / (c + 1)) / log(range_max + 1)`` and kept when not
drawn before; the second output counts the draws each row took (trials,
duplicates included), which a sampled-softmax loss uses to correct its
expected counts. The draws come from the context's RNG, so the numbers differ
from MXNet's; the distribution, the uniqueness and the trial counts do not.
"""

from __future__ import annotations

import numpy as np

from ..registry import OpDef, Param, ShapeError, register
from ._util import store


def _shape(p, in_shapes):
    shape = tuple(p.shape)
    if len(shape) != 2 or min(shape) < 0:
        raise ShapeError(f"shape must be (batch_size, num_sampled); given {shape}")
    if shape[1] > p.range_max:
        raise ShapeError(f"num_sampled (shape[1]) cannot exceed range_max; given {shape[1]} > {p.range_max}")
    return [], [shape, (shape[0],)]


def _type(p, in_types):
    return [], [np.dtype(np.int64), np.dtype(np.int64)]


def _unique_row(rng, xp, n: int, log_range: float):
    """``n`` distinct classes in the order first drawn, and the number of draws that took."""
    draws = xp.zeros((0,), np.int64)
    chunk = 2 * n + 64
    while True:
        u = rng.random(chunk)
        # exp(u log R) lies in [1, R): rounding and subtracting 1 gives a class in [0, R)
        draws = xp.concatenate([draws, (xp.rint(xp.exp(u * log_range)) - 1).astype(np.int64)])
        _, first = xp.unique(draws, return_index=True)
        if first.size >= n:
            first = xp.sort(first)[:n]
            trials = int(first[-1]) + 1 if n else 0
            return draws[first], trials
        chunk *= 2


def _kernel(p, ins, outs, req, rt):
    xp = rt.xp
    batch, n = outs[0].shape
    log_range = float(np.log(p.range_max))
    samples = xp.empty((batch, n), np.int64)
    trials = xp.empty((batch,), np.int64)
    for i in range(batch):
        samples[i], trials[i] = _unique_row(rt.rng, xp, n, log_range)
    store(outs[0], req[0], samples)
    store(outs[1], req[1], trials)


register(
    OpDef(
        "_sample_unique_zipfian",
        _kernel,
        params={
            "range_max": Param("int", doc="the number of possible classes: samples lie in [0, range_max)"),
            "shape": Param("shape", doc="(batch_size, num_sampled): num_sampled distinct classes for each of batch_size rows"),
        },
        inputs=(),
        outputs=("output0", "output1"),
        needs_rng=True,
        infer_shape=_shape,
        infer_type=_type,
        doc=(
            "Draws, for each row of a batch, num_sampled distinct classes from the log-uniform (Zipfian) "
            "distribution P(c) = log((c + 2) / (c + 1)) / log(range_max + 1) on [0, range_max), "
            "and the number of draws each row took (int64 outputs of shapes shape and (shape[0],)).\n\n"
            "Parameters: range_max (int): the number of classes; shape ((int, int)): (batch_size, num_sampled).\n\n"
            ">>> import mxpy as mx\n"
            ">>> samples, trials = mx.nd._internal._sample_unique_zipfian(1000, shape=(2, 50))\n"
            ">>> samples.shape, trials.shape, len(set(samples[0].asnumpy().tolist())), bool(trials[0].asscalar() >= 50)\n"
            "((2, 50), (2,), 50, True)"
        ),
    )
)
