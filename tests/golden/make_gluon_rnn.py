"""Golden values for tests/test_gluon_rnn.py from real MXNet 1.9.1.

Run: /work/shared/tools/mxnet-reference tests/golden/make_gluon_rnn.py
Writes tests/golden/gluon_rnn.json (parameter names, shapes, structural keys,
repr) and gluon_rnn.npz: for every fused layer and unrolled cell of
gluon_rnn_cases.py the input, the parameters (set with set_data), the head
gradients, the outputs and final states, and the gradients of the input, the
begin states and every parameter under autograd; plus a bidirectional LSTM's
``save_parameters`` file (tests/golden/gluon_rnn_files/mxnet_lstm.params) and its output.
"""

import json
import os
import sys

import mxnet as mx
import numpy as np
from mxnet import autograd
from mxnet.gluon import rnn
from mxnet.gluon.contrib import rnn as crnn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gluon_rnn_cases import CELLS, LAYERS, STEP_SHAPE, H, N, T, input_shape, seq, values  # noqa: E402

out_json = {"layers": {}, "cells": {}}
arrays = {}
ENV = {"rnn": rnn, "crnn": crnn, "H": H, "C": 4, "seq": seq}


def param_info(block):
    items = sorted(block._collect_params_with_prefix().items())
    return {"keys": [k for k, _ in items], "names": [p.name for _, p in items], "shapes": [list(p.shape) for _, p in items]}


def set_params(block, rng, pre):
    for key, p in sorted(block._collect_params_with_prefix().items()):
        v = values(rng, p.shape)
        p.set_data(mx.nd.array(v))
        arrays[pre + "param/" + key] = v


def grads(block, pre):
    for key, p in sorted(block._collect_params_with_prefix().items()):
        arrays[pre + "grad/" + key] = p.grad().asnumpy()


for case, (src, layout, with_states) in LAYERS.items():
    rng = np.random.RandomState(sum(map(ord, case)))
    with mx.name.NameManager():
        layer = eval(src, ENV)
    pre = f"layer/{case}/"
    info = {"repr_before": repr(layer)}
    layer.initialize()
    x = values(rng, input_shape(layout))
    layer(mx.nd.array(x))  # finishes deferred initialization
    info.update(param_info(layer))
    info["repr"] = repr(layer)
    set_params(layer, rng, pre)
    xa = mx.nd.array(x)
    xa.attach_grad()
    arrays[pre + "x"] = x
    states = []
    if with_states:
        for i, s in enumerate(layer.begin_state(N)):
            v = values(rng, s.shape)
            arrays[pre + f"h0_{i}"] = v
            states.append(mx.nd.array(v))
            states[-1].attach_grad()
    with autograd.record():
        res = layer(xa, states) if with_states else layer(xa)
    heads = [res[0], *res[1]] if with_states else [res]
    ogs = [values(rng, h.shape) for h in heads]
    autograd.backward(heads, [mx.nd.array(g) for g in ogs])
    for i, (h, g) in enumerate(zip(heads, ogs)):
        arrays[pre + f"out_{i}"] = h.asnumpy()
        arrays[pre + f"og_{i}"] = g
    arrays[pre + "dx"] = xa.grad.asnumpy()
    for i, s in enumerate(states):
        arrays[pre + f"dh0_{i}"] = s.grad.asnumpy()
    grads(layer, pre)
    info["num_heads"] = len(heads)
    out_json["layers"][case] = info

for case, (src, layout, merge, valid) in CELLS.items():
    rng = np.random.RandomState(sum(map(ord, case)))
    with mx.name.NameManager():
        cell = eval(src, ENV)
    pre = f"cell/{case}/"
    cell.initialize()
    x = values(rng, input_shape(layout, STEP_SHAPE.get(case, (4,))))
    vl = None if valid is None else mx.nd.array(valid)
    cell.unroll(T, mx.nd.array(x), layout=layout, merge_outputs=merge, valid_length=vl)  # deferred init
    info = param_info(cell)
    info["repr"] = repr(cell)
    set_params(cell, rng, pre)
    xa = mx.nd.array(x)
    xa.attach_grad()
    arrays[pre + "x"] = x
    with autograd.record():
        outs, states = cell.unroll(T, xa, layout=layout, merge_outputs=merge, valid_length=vl)
    heads = list(outs) if isinstance(outs, list) else [outs]
    # a state that is the last output itself (RNNCell, GRUCell) is not a second head
    shared = [any(s is h for h in heads) for s in states]
    heads += [s for s, dup in zip(states, shared) if not dup]
    ogs = [values(rng, h.shape) for h in heads]
    autograd.backward(heads, [mx.nd.array(g) for g in ogs])
    for i, (h, g) in enumerate(zip(heads, ogs)):
        arrays[pre + f"out_{i}"] = h.asnumpy()
        arrays[pre + f"og_{i}"] = g
    arrays[pre + "dx"] = xa.grad.asnumpy()
    grads(cell, pre)
    info["num_outputs"] = len(outs) if isinstance(outs, list) else 0
    info["num_states"] = len(states)
    info["state_is_output"] = shared
    info["state_info"] = [{k: (list(v) if isinstance(v, tuple) else v) for k, v in d.items()} for d in cell.state_info(N)]
    out_json["cells"][case] = info

# LSTM with a projection: inference only (MXNet's CPU kernel has no training for it)
rng = np.random.RandomState(11)
with mx.name.NameManager():
    lstmp = rnn.LSTM(H + 2, 2, bidirectional=True, projection_size=H, layout="NTC")
lstmp.initialize()
x = values(rng, input_shape("NTC"))
lstmp(mx.nd.array(x))
out_json["lstmp"] = param_info(lstmp)
set_params(lstmp, rng, "lstmp/")
arrays["lstmp/x"] = x
states = [mx.nd.array(values(rng, s.shape)) for s in lstmp.begin_state(N)]
for i, st in enumerate(states):
    arrays[f"lstmp/h0_{i}"] = st.asnumpy()
y, (hy, cy) = lstmp(mx.nd.array(x), states)
arrays["lstmp/y"], arrays["lstmp/hy"], arrays["lstmp/cy"] = y.asnumpy(), hy.asnumpy(), cy.asnumpy()

# a file written by MXNet's save_parameters, and what the layer computes with it
rng = np.random.RandomState(7)
with mx.name.NameManager():
    lstm = rnn.LSTM(H, 2, bidirectional=True, input_size=4)
lstm.initialize()
set_params(lstm, rng, "file/")
x = values(rng, input_shape("TNC"))
arrays["file/x"] = x
arrays["file/y"] = lstm(mx.nd.array(x)).asnumpy()
lstm.save_parameters(os.path.join(HERE, "gluon_rnn_files", "mxnet_lstm.params"))
out_json["file_keys"] = sorted(mx.nd.load(os.path.join(HERE, "gluon_rnn_files", "mxnet_lstm.params")).keys())

np.savez_compressed(os.path.join(HERE, "gluon_rnn.npz"), **arrays)
with open(os.path.join(HERE, "gluon_rnn.json"), "w") as f:
    json.dump(out_json, f, indent=1, sort_keys=True)
print("wrote", len(arrays), "arrays")
