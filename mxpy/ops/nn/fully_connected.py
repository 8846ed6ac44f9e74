"""FullyConnected: ``out = data @ weight.T + bias`` (data flattened to 2-D unless ``flatten=False``)."""

from __future__ import annotations

import numpy as np

from ...backend.host_memory import empty_aligned
from ...registry import UNKNOWN, OpDef, Param, ShapeError, merge_dims, merge_shape, partial_rule, register
from .._split import SplitSpec
from ._weight_layer import layer_gradient, layer_inputs, register_layer_backward

_PARAMS = {
    "num_hidden": Param("int", low=1, doc="number of output units"),
    "no_bias": Param("bool", False, doc="omit the bias term"),
    "flatten": Param("bool", True, doc="flatten all but the first axis of data"),
}


def _k_of(p, data: tuple) -> int:
    """Input features per row; UNKNOWN while any of the dims it spans is unknown."""
    dims = data[1:] if p.flatten else data[-1:]
    if UNKNOWN in dims:
        return UNKNOWN
    return int(np.prod(dims, dtype=np.int64))


@partial_rule
def _infer_shape(p, in_shapes, out_shapes=None):
    # as MXNet's rule: data's ndim must be known; weight (num_hidden, K) and bias
    # follow from it, and a known output gives back data's batch dim (an RNN cell's
    # zero begin state of batch 0 learns its batch size from the other input)
    data = in_shapes[0]
    if data is None:  # MXNet's rule waits for data before it fills weight or bias
        return list(in_shapes), [None]
    if len(data) < 1:
        raise ShapeError(f"data must have at least 1 dim, given {data}")
    k = _k_of(p, data)
    weight = merge_shape(
        in_shapes[1] if len(in_shapes) > 1 else None, (p.num_hidden, k), "weight", f"from num_hidden={p.num_hidden} and the data's {k} features"
    )
    shapes = [data, weight]
    if not p.no_bias:
        bias = in_shapes[2] if len(in_shapes) > 2 else None
        if bias is not None and len(bias) == 2 and merge_dims(bias, (p.num_hidden, 1)) is not None:
            shapes.append(merge_dims(bias, (p.num_hidden, 1)))  # MXNet also takes a (num_hidden, 1) bias
        else:
            shapes.append(merge_shape(bias, (p.num_hidden,), "bias", f"from num_hidden={p.num_hidden}"))
    out = (data[0], p.num_hidden) if p.flatten else tuple(data[:-1]) + (p.num_hidden,)
    given = out_shapes[0] if out_shapes else None
    if given is not None:
        out = merge_shape(given, out, "output", "from the data's batch size and num_hidden")
        shapes[0] = (out[0],) + tuple(data[1:])
    return shapes, [out]


def _as2d(p, x):
    return x.reshape(x.shape[0], -1) if p.flatten else x.reshape(-1, x.shape[-1])


def _forward(p, ins, outs, req, rt):
    xp = rt.xp
    x = _as2d(p, ins[0])
    out = outs[0].reshape(x.shape[0], p.num_hidden)
    w = ins[1]
    if w.ndim == 2 and w.size <= _RELAYOUT_MAX_SIZE and not w.flags.f_contiguous:
        # the first read of a new weight gets it as written (see engine.var.relaid); the product
        # must still run as BLAS's NN form, like every later read of the kept F-ordered copy:
        # the transposed-operand form rounds differently (~1e-6), which made one call's output
        # differ from the next with the same inputs, and the numerical gradient of the first
        # bias element after a weight write in MXNet's test_fully_connected flaky
        w = xp.asfortranarray(w)
    if req[0] == "add":
        out += x @ w.T
    else:
        xp.matmul(x, w.T, out=out)
    if not p.no_bias:
        b = ins[2]
        out += b if b.ndim == 1 else b.reshape(-1)  # a (num_hidden, 1) bias too, as MXNet


def _backward(p, ins, outs, req, rt):
    xp = rt.xp
    og, data, weight = ins[0], ins[1], ins[2]
    x = _as2d(p, data)
    g = og.reshape(x.shape[0], p.num_hidden)
    d_data = outs[0].reshape(x.shape)
    if req[0] == "add":
        d_data += g @ weight
    elif req[0] != "null":
        xp.matmul(g, weight, out=d_data)
    if req[1] == "add":
        outs[1] += g.T @ x
    elif req[1] != "null":
        xp.matmul(g.T, x, out=outs[1])
    if not p.no_bias and req[2] != "null":
        db = outs[2].reshape(-1)
        if req[2] == "add":
            db += g.sum(axis=0)
        else:
            g.sum(axis=0, out=db)


# weights above this many elements are read as they are (a kept copy would double them)
_RELAYOUT_MAX_SIZE = 1 << 24


def _weight_for_forward(w):
    """The weight ``(num_hidden, K)`` with ``w.T`` C-contiguous (an F-ordered copy).

    The forward's ``x @ w.T`` then runs as BLAS's plain NN product, which OpenBLAS
    does 8-30% faster than the transposed-operand form for inference shapes
    (``(128, 784) @ (784, 128)``: 296 vs 340 us at 1 thread). Registered as the
    op's ``relayout``: executors and ``mx.nd`` keep this copy between calls while
    the weight is not written, so only weights read over and over pay for it.
    """
    if w.size > _RELAYOUT_MAX_SIZE or w.ndim != 2:
        return w
    kept = empty_aligned(w.shape, w.dtype, order="F")  # 64-byte aligned: see empty_aligned
    kept[...] = w
    return kept


def _cost(p, ins, outs):
    return int(ins[0].size) * p.num_hidden


def _flops(p, ins, outs):
    return 2 * int(ins[0].size) * p.num_hidden


def _backward_flops(p, ins, outs):
    return 4 * int(ins[1].size) * p.num_hidden


register(
    OpDef(
        "FullyConnected",
        _forward,
        params=_PARAMS,
        inputs=layer_inputs,
        infer_shape=_infer_shape,
        gradient=layer_gradient("_backward_FullyConnected"),
        cost=_cost,
        relayout=(1, _weight_for_forward),
        split=SplitSpec(split_ins=(0,), split_outs=(0,), summed_outs=(), cost=_flops, unit="gemm"),
        doc="Fully connected layer: out = dot(data, weight.T) + bias.\n\n>>> import mxpy as mx\n>>> mx.nd.FullyConnected(mx.nd.ones((2, 3)), mx.nd.ones((4, 3)), mx.nd.zeros((4,)), num_hidden=4).shape\n(2, 4)",
    )
)


register_layer_backward(
    "_backward_FullyConnected",
    _backward,
    _PARAMS,
    "num_hidden",
    _backward_flops,
    "Gradients of FullyConnected with respect to data, weight and bias.",
    split_unit="gemm",
)
