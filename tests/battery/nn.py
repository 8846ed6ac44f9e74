"""Battery cases for the neural-network operators."""

from __future__ import annotations

import numpy as np

from . import add, f32

X, W, B = f32(4, 3, seed=11), f32(5, 3, seed=12), f32(5, seed=13)
X4 = f32(2, 3, 2, 2, seed=14)
W4 = f32(5, 12, seed=15)
G = f32(4, 5, seed=16)


def _fc(x, w, b=None, num_hidden=None, no_bias=False, flatten=True):
    x2 = x.reshape(x.shape[0], -1) if flatten else x
    out = x2 @ w.T
    return out if b is None else out + b


add("FullyConnected", [X, W, B], {"num_hidden": 5}, ref=_fc, rtol=1e-5)
add("FullyConnected", [X4, W4], {"num_hidden": 5, "no_bias": True}, ref=_fc, note="flatten")
add("FullyConnected", [f32(2, 3, 4, seed=3), f32(5, 4, seed=4), B], {"num_hidden": 5, "flatten": False}, ref=_fc, note="noflat")


def _fc_back(og, x, w, num_hidden=None, no_bias=False):
    outs = [og @ w, og.T @ x]
    return outs if no_bias else outs + [og.sum(0)]


add("_backward_FullyConnected", [G, X, W], {"num_hidden": 5}, ref=_fc_back)
add("_backward_FullyConnected", [G, X, W], {"num_hidden": 5, "no_bias": True}, ref=_fc_back, note="nobias")


def _act(x, act_type):
    if act_type == "relu":
        return np.maximum(x, 0)
    if act_type == "sigmoid":
        return (1 / (1 + np.exp(-x))).astype(x.dtype)
    if act_type == "tanh":
        return np.tanh(x)
    if act_type == "softrelu":
        return np.log1p(np.exp(x)).astype(x.dtype)
    return (x / (1 + np.abs(x))).astype(x.dtype)


def _act_back(og, out, x, act_type):
    d = {
        "relu": (x > 0).astype(x.dtype),
        "sigmoid": out * (1 - out),
        "tanh": 1 - out * out,
        "softrelu": (1 / (1 + np.exp(-x))).astype(x.dtype),
        "softsign": (1 / (1 + np.abs(x)) ** 2).astype(x.dtype),
    }[act_type]
    return (og * d).astype(x.dtype)


for act in ("relu", "sigmoid", "tanh", "softrelu", "softsign"):
    add("Activation", [X * 3], {"act_type": act}, ref=_act, rtol=1e-5, atol=1e-6)
    xin = X * 3
    bins = [X, _act(xin, act), xin] if act == "softsign" else [X, _act(xin, act)]
    add("_backward_Activation", bins, {"act_type": act}, ref=lambda og, out, x=xin, act_type=None: _act_back(og, out, x, act_type), rtol=1e-4, atol=1e-6)


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis, keepdims=True))
    return (e / e.sum(axis, keepdims=True)).astype(x.dtype)


LABEL = np.array([0, 2, 1, 4], np.float32)
add("SoftmaxOutput", [G, LABEL], ref=lambda x, y: _softmax(x), rtol=1e-5)
add("SoftmaxOutput", [f32(2, 3, 4, seed=5), np.zeros((2, 4), np.float32)], {"multi_output": True}, ref=lambda x, y, multi_output: _softmax(x, 1), note="multi")


def _so_back(out, label, grad_scale=1.0, normalization="null", use_ignore=False, ignore_label=-1.0):
    g = out.copy()
    g[np.arange(len(label)), label.astype(int)] -= 1
    if use_ignore:
        g[label == ignore_label] = 0
    scale = grad_scale
    if normalization == "batch":
        scale /= len(label)
    elif normalization == "valid":
        scale /= max(1, int((label != ignore_label).sum()) if use_ignore else len(label))
    return [(g * scale).astype(out.dtype), np.zeros_like(label)]


P = _softmax(G)
add("_backward_SoftmaxOutput", [P, LABEL], ref=_so_back)
add("_backward_SoftmaxOutput", [P, LABEL], {"grad_scale": 2.0, "normalization": "batch"}, ref=_so_back, note="batch")
add("_backward_SoftmaxOutput", [P, np.array([0, -1, 1, -1], np.float32)], {"use_ignore": True, "normalization": "valid"}, ref=_so_back, note="valid")


def _so_back_multi(out, label, multi_output=True, normalization="null"):
    n, k = out.shape[:2]
    onehot = np.moveaxis(np.eye(k, dtype=out.dtype)[label.astype(int)], -1, 1)
    spatial = out[0, 0].size
    scale = {"null": 1 / spatial, "batch": 1 / (n * spatial), "valid": 1 / label.size}[normalization]
    return [((out - onehot) * scale).astype(out.dtype), np.zeros_like(label)]


P4 = _softmax(f32(2, 3, 2, 2, seed=6), 1)
L4 = np.array([[[0, 1], [2, 1]], [[2, 2], [0, 1]]], np.float32)
for _norm in ("null", "batch", "valid"):
    add("_backward_SoftmaxOutput", [P4, L4], {"multi_output": True, "normalization": _norm}, ref=_so_back_multi, note="multi")
