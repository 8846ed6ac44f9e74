"""Golden values for Embedding, UpSampling, Crop, Sequence* and RNN from MXNet 1.9.1.

Run with the reference interpreter (real MXNet 1.9.1):
    /work/shared/tools/mxnet-reference tests/golden/make_seq_rnn.py
Writes tests/golden/seq_rnn.npz: for every case its op, params (json), inputs,
head gradients, forward outputs and the gradients of the inputs listed in
``wrt`` (computed with autograd, float64).
"""

import json
import os

import mxnet as mx
import numpy as np

rng = np.random.default_rng(1234)
CASES = {}


def randn(*shape, scale=1.0):
    return rng.standard_normal(shape) * scale


def run(name, op, inputs, params, wrt, dtype="float64"):
    arrays = [mx.nd.array(x, dtype=dtype) for x in inputs]
    for i in wrt:
        arrays[i].attach_grad()
    with mx.autograd.record(train_mode=True):
        outs = getattr(mx.nd, op)(*arrays, **params)
    outs = outs if isinstance(outs, list) else [outs]
    heads = [randn(*o.shape) for o in outs]
    if wrt:
        mx.autograd.backward(outs, [mx.nd.array(h, dtype=dtype) for h in heads])
    CASES[name] = {
        "op": op,
        "params": params,
        "wrt": list(wrt),
        "inputs": [np.asarray(x, dtype=dtype) for x in inputs],
        "heads": heads,
        "outputs": [o.asnumpy() for o in outs],
        "grads": [arrays[i].grad.asnumpy() for i in wrt],
    }


def rnn_param_count(mode, num_layers, bidirectional, input_size, hidden):
    g = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}[mode]
    d = 2 if bidirectional else 1
    total = 0
    for layer in range(num_layers):
        isz = input_size if layer == 0 else d * hidden
        total += d * (g * hidden * (isz + hidden) + 2 * g * hidden)
    return total


T, N, C, H = 3, 2, 3, 2
for mode in ("rnn_relu", "rnn_tanh", "lstm", "gru"):
    for layers, bi in ((1, False), (1, True), (2, False), (2, True)):
        d = 2 if bi else 1
        n_par = rnn_param_count(mode, layers, bi, C, H)
        ins = [randn(T, N, C), randn(n_par, scale=0.5), randn(layers * d, N, H)]
        if mode == "lstm":
            ins.append(randn(layers * d, N, H))
        params = {"state_size": H, "num_layers": layers, "bidirectional": bi, "mode": mode, "state_outputs": True}
        run(f"rnn_{mode}_L{layers}_{'bi' if bi else 'uni'}", "RNN", ins, params, list(range(len(ins))))
for mode in ("lstm", "gru"):
    n_par = rnn_param_count(mode, 1, False, C, H)
    ins = [randn(T, N, C), randn(n_par, scale=0.5), randn(1, N, H)] + ([randn(1, N, H)] if mode == "lstm" else [])
    run(f"rnn_{mode}_nostate", "RNN", ins, {"state_size": H, "num_layers": 1, "mode": mode}, list(range(len(ins))))

run("embedding", "Embedding", [np.array([[0, 3, 1], [3, 3, 2.7]]), randn(4, 5)], {"input_dim": 4, "output_dim": 5}, [1])
run("embedding_clip", "Embedding", [np.array([-2, 0, 9, 1.5]), randn(3, 2)], {"input_dim": 3, "output_dim": 2}, [1])

run("upsampling_nearest", "UpSampling", [randn(2, 2, 2, 3)], {"scale": 2, "sample_type": "nearest"}, [0])
run("upsampling_nearest_concat", "UpSampling", [randn(1, 2, 2, 2), randn(1, 1, 3, 3)], {"scale": 3, "sample_type": "nearest"}, [0, 1])
run("upsampling_nearest_sum", "UpSampling", [randn(1, 2, 2, 2), randn(1, 2, 1, 1)], {"scale": 2, "sample_type": "nearest", "multi_input_mode": "sum"}, [0, 1])
for s in (2, 3):
    k = 2 * s - s % 2
    run(f"upsampling_bilinear_s{s}", "UpSampling", [randn(2, 3, 3, 2), randn(3, 1, k, k)], {"scale": s, "sample_type": "bilinear", "num_filter": 3}, [0, 1])

run("crop_hw", "Crop", [randn(2, 2, 5, 6)], {"h_w": (2, 3), "offset": (1, 2)}, [0], dtype="float32")
run("crop_like_center", "Crop", [randn(1, 2, 5, 6), randn(1, 1, 2, 3)], {"center_crop": True}, [0], dtype="float32")
run("crop_hw_center", "Crop", [randn(1, 1, 4, 7)], {"h_w": (3, 3), "center_crop": True}, [0], dtype="float32")

x = randn(4, 3, 2)
lens = np.array([1, 4, 2.0])
run("seqmask_len", "SequenceMask", [x, lens], {"use_sequence_length": True, "value": -1.5}, [0])
run("seqmask_len_axis1", "SequenceMask", [randn(3, 4, 2), lens], {"use_sequence_length": True, "axis": 1}, [0])
run("seqmask_nolen", "SequenceMask", [x], {}, [0])
run("seqlast_len", "SequenceLast", [x, lens], {"use_sequence_length": True}, [0])
run("seqlast_len_axis1", "SequenceLast", [randn(3, 4, 2), lens], {"use_sequence_length": True, "axis": 1}, [0])
# MXNet 1.9.1 crashes (segfault) in the backward of SequenceLast without lengths: forward only
run("seqlast_nolen", "SequenceLast", [x], {}, [])
run("seqreverse_len", "SequenceReverse", [x, lens], {"use_sequence_length": True}, [0])
run("seqreverse_nolen", "SequenceReverse", [x], {}, [0])

flat = {}
meta = {}
for name, c in CASES.items():
    meta[name] = {"op": c["op"], "params": c["params"], "wrt": c["wrt"], "n_in": len(c["inputs"]), "n_out": len(c["outputs"])}
    for kind in ("inputs", "heads", "outputs", "grads"):
        for i, a in enumerate(c[kind]):
            flat[f"{name}/{kind}{i}"] = a
flat["__meta__"] = np.array(json.dumps(meta, sort_keys=True))
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seq_rnn.npz")
np.savez_compressed(path, **flat)
print("wrote", path, len(CASES), "cases")
