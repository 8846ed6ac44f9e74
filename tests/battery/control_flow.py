"""Battery case for ``_foreach`` (mxpy/control_flow.py): a tanh RNN step run over the first axis."""

from __future__ import annotations

import numpy as np

import mxpy as mx

from . import add, f32


def _body_node():
    """The ``_foreach`` node of ``h_t = tanh(x_t W^T + h_{t-1})``, outputs ``(2 h_t, h_t)``."""
    w = mx.sym.var("w")

    def body(x, states):
        h = mx.sym.tanh(mx.sym.FullyConnected(x, w, no_bias=True, num_hidden=2) + states[0])
        return h * 2, [h]

    outs, _ = mx.sym.contrib.foreach(body, mx.sym.var("x"), [mx.sym.var("s")])
    return outs._outputs[0][0]


def _ref(x, s, w, **params):
    outs = []
    for t in range(x.shape[0]):
        s = np.tanh(x[t] @ w.T + s)
        outs.append(2 * s)
    return [np.stack(outs).astype(np.float32), s.astype(np.float32)]


_NODE = _body_node()
add(
    "_foreach",
    # inputs in the node's order: data (x), the initial state (s), then the body's parameter (w)
    [f32(3, 2, 3), f32(2, 2, seed=1), f32(2, 3, seed=2)],
    {**_NODE.attrs, "__subgraphs__": _NODE.subgraphs},
    _ref,
    rtol=1e-5,
    atol=1e-6,
)
