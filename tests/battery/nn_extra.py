"""Battery cases for GroupNorm, CTCLoss and the loss/activation helpers added for Gluon."""

from __future__ import annotations

import numpy as np

from . import add, f32
from ._pair import add_pair


def _groupnorm(x, gamma, beta, num_groups=1, eps=1e-5, output_mean_var=False, full=False):
    xg = x.astype(np.float64).reshape(x.shape[0], num_groups, -1)
    mean = xg.mean(2, keepdims=True)
    std = np.sqrt(xg.var(2, keepdims=True) + eps)
    out = ((xg - mean) / std * gamma.reshape(1, -1, 1) + beta.reshape(1, -1, 1)).reshape(x.shape).astype(x.dtype)
    stats = [mean[..., 0].astype(x.dtype), std[..., 0].astype(x.dtype)]
    return [out, *stats] if output_mean_var or full else out


GN_X = f32(2, 4, 3, seed=41)
GN_G = np.array([1.2, 0.7], np.float32)
GN_B = np.array([0.1, -0.3], np.float32)
add_pair("GroupNorm", [GN_X, GN_G, GN_B], {"num_groups": 2}, _groupnorm, full_ref=lambda *a, **p: _groupnorm(*a, full=True, **p), rtol=1e-4, atol=1e-5)
add_pair(
    "GroupNorm", [f32(2, 3, 2, 2, seed=42), GN_G[:1], GN_B[:1]], {"output_mean_var": True}, _groupnorm, grad_outputs=(0,), rtol=1e-4, atol=1e-5, note="omv"
)


# -- CTCLoss --------------------------------------------------------------------------------


def _ctc_ref(data, label, *lengths, use_data_lengths=False, use_label_lengths=False, blank_label="first", full=False):
    """Loss by brute force: sum the probability of every alignment that collapses to the label."""
    import itertools

    t_max, n, c = data.shape
    blank = 0 if blank_label == "first" else c - 1
    lens = list(lengths)
    d_len = lens.pop(0).astype(int) if use_data_lengths else [t_max] * n
    l_len = lens.pop(0).astype(int) if use_label_lengths else None
    loss = np.zeros(n)
    for i in range(n):
        row = label[i].astype(int)
        if l_len is not None:
            row = row[: l_len[i]]
        else:
            pad = 0 if blank_label == "first" else -1
            row = row[: list(row).index(pad)] if pad in list(row) else row
        x = data[: d_len[i], i].astype(np.float64)
        prob = np.exp(x - x.max(1, keepdims=True))
        prob /= prob.sum(1, keepdims=True)
        total = 0.0
        for path in itertools.product(range(c), repeat=d_len[i]):
            collapsed = [k for j, k in enumerate(path) if k != blank and (j == 0 or path[j - 1] != k)]
            if collapsed == list(row):
                total += np.prod([prob[t, k] for t, k in enumerate(path)])
        loss[i] = -np.log(total)
    return loss.astype(data.dtype)


def _ctc_full(data, label, *lengths, **p):
    """[loss, d loss_i / d data] (the hidden output), the gradient by central differences."""
    loss = _ctc_ref(data, label, *lengths, **p)
    grad = np.zeros(data.shape)
    for idx in np.ndindex(data.shape):
        hi, lo = data.astype(np.float64), data.astype(np.float64)
        hi[idx] += 1e-5
        lo[idx] -= 1e-5
        grad[idx] = (_ctc_ref(hi, label, *lengths, **p)[idx[1]] - _ctc_ref(lo, label, *lengths, **p)[idx[1]]) / 2e-5
    return [loss, grad.astype(data.dtype)]


CTC_X = f32(4, 2, 3, seed=43)
add_pair("CTCLoss", [CTC_X, np.array([[1, 2], [2, 0]], np.float32)], {}, _ctc_ref, full_ref=_ctc_full, wrt=(0,), rtol=1e-4, atol=1e-5)
add_pair(
    "CTCLoss",
    [CTC_X, np.array([[0, 1], [1, -1]], np.float32), np.array([3, 4], np.float32), np.array([2, 1], np.float32)],
    {"use_data_lengths": True, "use_label_lengths": True, "blank_label": "last"},
    _ctc_ref,
    full_ref=_ctc_full,
    wrt=(0,),
    rtol=1e-4,
    atol=1e-5,
    note="lengths",
)


# -- BatchNorm_v1 / SyncBatchNorm (BatchNorm's kernels; the battery runs outside training) ------


def _bn_inference(x, gamma, beta, mm, mv, eps=1e-3, fix_gamma=True, **_):
    g = np.ones_like(gamma) if fix_gamma else gamma
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return ((x - mm.reshape(shape)) / np.sqrt(mv.reshape(shape) + eps) * g.reshape(shape) + beta.reshape(shape)).astype(x.dtype)


BN_IN = [
    f32(2, 3, 2, seed=44),
    np.array([0.8, 1.2, 1.0], np.float32),
    np.array([0.1, -0.2, 0.3], np.float32),
    np.array([0.05, -0.1, 0.2], np.float32),
    np.array([0.9, 1.5, 1.1], np.float32),
]
add("BatchNorm_v1", BN_IN, {"fix_gamma": False}, _bn_inference, rtol=1e-5, atol=1e-6)
add("_contrib_SyncBatchNorm", BN_IN, {"key": "bn0", "ndev": 1}, _bn_inference, rtol=1e-5, atol=1e-6)


def _prelu_leading(x, gamma, act_type="prelu"):
    g = gamma.reshape(gamma.shape + (1,) * (x.ndim - gamma.ndim))
    return np.where(x > 0, x, x * g).astype(x.dtype)


# a gamma of shape data.shape[:2]: one slope per (sample, channel), as MXNet's test_prelu uses
add("LeakyReLU", [f32(2, 3, 4, seed=45), f32(2, 3, lo=0.1, hi=0.5, seed=46)], {"act_type": "prelu"}, _prelu_leading, note="per-sample", rtol=1e-5)
