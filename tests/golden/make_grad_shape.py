"""Generate tests/golden/grad_shape.json: forward outputs and input gradients from MXNet 1.9.1.

Run with the reference interpreter (real MXNet 1.9.1):

    /work/shared/tools/mxnet-reference tests/golden/make_grad_shape.py

Each case records the op, its params, float32 inputs, the head gradients, the
outputs and the gradients MXNet's autograd gives every input.
"""

from __future__ import annotations

import json
import os

import mxnet as mx
import numpy as np

rng = np.random.default_rng(2024)


def arr(*shape):
    return np.round(rng.uniform(-1, 1, shape), 3).astype(np.float32)


CASES = [
    ("dot", [arr(2, 3), arr(3, 4)], {}),
    ("dot", [arr(3, 2), arr(3, 4)], {"transpose_a": True}),
    ("dot", [arr(2, 3), arr(4, 3)], {"transpose_b": True}),
    ("dot", [arr(3, 2), arr(4, 3)], {"transpose_a": True, "transpose_b": True}),
    ("dot", [arr(2, 2, 3), arr(3, 2, 2)], {}),
    ("dot", [arr(3, 2, 2), arr(2, 2, 3)], {"transpose_a": True, "transpose_b": True}),
    ("dot", [arr(3), arr(3)], {}),
    ("batch_dot", [arr(2, 2, 3), arr(2, 3, 4)], {}),
    ("batch_dot", [arr(2, 3, 2), arr(2, 4, 3)], {"transpose_a": True, "transpose_b": True}),
    ("slice", [arr(3, 4, 5)], {"begin": (None, 3, 0), "end": (None, 0, 5), "step": (2, -1, 2)}),
    ("slice_axis", [arr(3, 4)], {"axis": 1, "begin": -3, "end": -1}),
    ("Pad", [arr(1, 2, 3, 3)], {"mode": "constant", "pad_width": (0, 0, 0, 0, 1, 2, 2, 1), "constant_value": 1.5}),
    ("Pad", [arr(1, 2, 3, 3)], {"mode": "edge", "pad_width": (0, 0, 0, 0, 1, 2, 2, 1)}),
    ("Pad", [arr(1, 2, 3, 3)], {"mode": "reflect", "pad_width": (0, 0, 0, 0, 2, 1, 1, 2)}),
    ("Pad", [arr(1, 1, 3, 3, 3)], {"mode": "reflect", "pad_width": (0, 0, 0, 0, 1, 1, 2, 0, 0, 2)}),
    ("tile", [arr(2, 3)], {"reps": (2, 1, 2)}),
    ("repeat", [arr(2, 3)], {"repeats": 3, "axis": 0}),
    ("repeat", [arr(2, 3)], {"repeats": 2}),
    ("transpose", [arr(2, 3, 4)], {"axes": (2, 0, 1)}),
    ("SliceChannel", [arr(2, 3, 2)], {"num_outputs": 3, "axis": 1, "squeeze_axis": True}),
    ("SliceChannel", [arr(4, 2)], {"num_outputs": 2, "axis": 0}),
    ("Concat", [arr(2, 1), arr(2, 3), arr(2, 2)], {"num_args": 3, "dim": 1}),
    ("stack", [arr(2, 3), arr(2, 3)], {"num_args": 2, "axis": 2}),
    ("reverse", [arr(2, 3)], {"axis": (1,)}),
]


def run(op, inputs, params):
    xs = [mx.nd.array(x) for x in inputs]
    for x in xs:
        x.attach_grad()
    with mx.autograd.record():
        out = getattr(mx.nd, op)(*xs, **params)
    outs = out if isinstance(out, list) else [out]
    heads = [arr(*o.shape) for o in outs]
    mx.autograd.backward(outs, [mx.nd.array(h) for h in heads])
    return {
        "op": op,
        "params": params,
        "inputs": [x.tolist() for x in inputs],
        "heads": [h.tolist() for h in heads],
        "outputs": [o.asnumpy().tolist() for o in outs],
        "grads": [x.grad.asnumpy().tolist() for x in xs],
    }


data = [run(*c) for c in CASES]
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "grad_shape.json")
with open(path, "w") as f:
    json.dump({"mxnet": mx.__version__, "cases": data}, f, separators=(",", ":"))
print(f"wrote {len(data)} cases to {path}")
