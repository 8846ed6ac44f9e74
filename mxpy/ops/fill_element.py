"""``fill_element_0index``: MXNet's legacy row-wise element fill.

``out = lhs`` with ``out[i, rhs[i]] = mhs[i]`` for every row ``i`` of the 2-D ``lhs``.

>>> import mxpy as mx
>>> mx.nd.fill_element_0index(mx.nd.zeros((2, 3)), mx.nd.array([7, 8]), mx.nd.array([2, 0])).asnumpy()
array([[0., 0., 7.],
       [8., 0., 0.]], dtype=float32)
"""

from __future__ import annotations

from ..registry import OpDef, ShapeError, register
from ._util import store


def _kernel(p, ins, outs, req, rt):
    xp = rt.xp
    lhs, mhs, rhs = ins
    cols = rhs.astype(xp.int64)
    if cols.size and (bool((cols < 0).any()) or bool((cols >= lhs.shape[1]).any())):
        raise IndexError(f"fill_element_0index: rhs holds column indices outside [0, {lhs.shape[1]})")
    res = lhs.copy()
    res[xp.arange(lhs.shape[0]), cols] = mhs
    store(outs[0], req[0], res)


def _shape(p, s):
    lhs, mhs, rhs = s
    if lhs is not None and len(lhs) != 2:
        raise ShapeError(f"input 'lhs' must be 2-D, got shape {tuple(lhs)}")
    rows = (lhs[0],) if lhs is not None else (mhs or rhs)
    for name, v in (("mhs", mhs), ("rhs", rhs)):
        if v is not None and rows is not None and tuple(v) != tuple(rows):
            raise ShapeError(f"input '{name}' has shape {tuple(v)}, expected {tuple(rows)} (one value per row of 'lhs')")
    return [lhs, rows, rows], [lhs]


def _gradient(g, ograds):
    if ograds[0] is None:
        return [None, None, None]
    zeros = g.op1("zeros_like", [g.inputs[1]])
    return [g.op1("fill_element_0index", [ograds[0], zeros, g.inputs[2]]), g.op1("pick", [ograds[0], g.inputs[2]], axis=-1), None]


register(
    OpDef(
        "fill_element_0index",
        _kernel,
        inputs=("lhs", "mhs", "rhs"),
        infer_shape=_shape,
        infer_type=lambda p, t, n_out=1: ([t[0], t[0], t[2] or t[0]], [t[0]]),
        gradient=_gradient,
        doc=(
            "``lhs`` (2-D) with one element per row replaced: ``out[i, rhs[i]] = mhs[i]``. The gradient\n"
            "reaches ``lhs`` everywhere but the filled elements, and ``mhs`` from them; ``rhs`` (the\n"
            "column indices) has none. An index outside the row is an error.\n\n"
            "Parameters: lhs (the matrix), mhs (the new values, one per row), rhs (their columns).\n\n"
            ">>> import mxpy as mx\n"
            ">>> mx.nd.fill_element_0index(mx.nd.zeros((2, 2)), mx.nd.array([5, 6]), mx.nd.array([1, 0])).asnumpy().tolist()\n"
            "[[0.0, 5.0], [6.0, 0.0]]"
        ),
    )
)
