"""_contrib_boolean_mask: the rows of ``data`` (along axis 0) whose ``index`` entry is nonzero.

The output's first dimension is the number of nonzero entries, known only
from the index's values: an imperative call waits for ``index`` to compute it
(as MXNet's does). In a symbol, its shape stays unknown, so a graph holding it
cannot be bound by shape; call it imperatively (Gluon without ``hybridize``).
The gradient scatters the output gradient back to the selected rows; the
other rows and the index get zeros.
"""

from __future__ import annotations

import numpy as np

from ...registry import Param, ShapeError
from .._pair import register_pair

_PARAMS = {"axis": Param("int", 0, doc="the axis to select along (MXNet 1.9.1 supports 0 only)")}


def _check(p, data, index):
    if p.axis != 0:
        raise ShapeError(f"axis={p.axis} is not supported (MXNet 1.9.1 selects along axis 0 only)")
    if index is not None and len(index) != 1:
        raise ShapeError(f"index must be 1-D, given shape {index}")
    if data is not None and index is not None and (len(data) == 0 or data[0] != index[0]):
        raise ShapeError(f"index length {index[0]} must equal data's axis-0 length, given data {data}")


def _shape(p, s):
    _check(p, *s)
    return list(s), [None]  # the row count depends on the index's values


def _from_values(p, values):
    data, index = values
    _check(p, data.shape, index.shape)
    return [(int(np.count_nonzero(index)), *data.shape[1:])]


def _forward(p, xp, data, index):
    return data[xp.asarray(index) != 0]


def _backward(p, xp, og, ins, outs):
    data, index = ins
    dx = xp.zeros(data.shape, dtype=og[0].dtype)
    dx[index != 0] = og[0]
    return [dx, None]


_op = register_pair(
    "_contrib_boolean_mask",
    _forward,
    _backward,
    params=_PARAMS,
    inputs=("data", "index"),
    infer_shape=_shape,
    infer_type=lambda p, t: ([t[0], t[1] or t[0]], [t[0]]),
    no_grad_inputs=("index",),
    doc=(
        "The slices of data along axis 0 whose index entry is nonzero (data-dependent output shape).\n\n"
        "Inputs: data (N, ...); index (N,), nonzero selects. Parameters: axis (0; the only one MXNet 1.9.1 supports).\n\n"
        ">>> import mxpy as mx\n"
        ">>> mx.nd.contrib.boolean_mask(mx.nd.array([[1, 2], [3, 4], [5, 6]]), mx.nd.array([0, 1, 1])).asnumpy().tolist()\n"
        "[[3.0, 4.0], [5.0, 6.0]]"
    ),
)
_op.shape_from_values = _from_values
