"""Dropout: zero elements with probability ``p`` in training, scale the rest by ``1/(1-p)``.

As in MXNet 1.9.1 the op has a hidden second output, ``mask``, holding the
factor each element was multiplied by (0 or ``1/(1-p)``; 1 outside training),
which the backward multiplies the out-gradient by. ``axes`` shares one draw
along the given axes (variational dropout). ``p=1`` gives NaN as MXNet does
(``0 * inf``).
"""

from __future__ import annotations

import numpy as np

from ...registry import OpDef, Param, ShapeError, register, same_type
from .._util import store

_PARAMS = {
    "p": Param("float", 0.5, low=0.0, high=1.0, doc="fraction of the input that gets dropped"),
    "mode": Param("str", "training", choices=("training", "always"), doc="'always' drops at inference too"),
    "axes": Param("shape", (), doc="axes along which the mask is shared"),
    "cudnn_off": Param("bool", False, doc="accepted for compatibility"),
}


def _infer_shape(p, in_shapes):
    data = in_shapes[0]
    if data is not None:
        bad = [a for a in p.axes if not -len(data) <= a < len(data)]
        if bad:
            raise ShapeError(f"axes {p.axes} out of range for data {data}")
    return [data], [data, data]


def _forward(p, ins, outs, req, rt):
    x = ins[0]
    out, mask = outs
    if not (rt.is_train or p.mode == "always"):
        store(out, req[0], x)
        mask[...] = 1
        return
    shape = list(x.shape)
    for a in p.axes:
        shape[a] = 1
    keep = rt.rng.random(tuple(shape), dtype=np.float32) >= np.float32(p.p)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.float64(1.0) / np.float64(1.0 - p.p)
        mask[...] = keep.astype(mask.dtype) * mask.dtype.type(scale)
        store(out, req[0], x * mask)


def _backward(p, ins, outs, req, rt):
    og, mask = ins
    with np.errstate(invalid="ignore"):
        store(outs[0], req[0], og * mask)


register(
    OpDef(
        "Dropout",
        _forward,
        params=_PARAMS,
        outputs=("output", "mask"),
        num_visible_outputs=lambda p: 1,
        infer_shape=_infer_shape,
        infer_type=lambda p, t: same_type(p, t, 2),
        gradient=lambda g, og: g.op("_backward_Dropout", [og[0], g.outputs[1]], g.attrs),
        needs_rng=True,
        doc=(
            "Randomly zero elements in training and scale the rest by 1/(1-p); identity at inference.\n\n"
            ">>> import mxpy as mx\n>>> mx.nd.Dropout(mx.nd.ones((2, 2)), p=0.5).asnumpy().tolist()\n[[1.0, 1.0], [1.0, 1.0]]"
        ),
    )
)
register(
    OpDef(
        "_backward_Dropout",
        _backward,
        params=_PARAMS,
        inputs=("ograd", "mask"),
        infer_shape=lambda p, s: (list(s), [s[0] or s[1]]),
        infer_type=lambda p, t: (list(t), [t[0]]),
        inplace=((0, 0),),
        doc="Gradient of Dropout: the out-gradient times the saved mask.",
    )
)
