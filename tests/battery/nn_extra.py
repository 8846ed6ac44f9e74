"""Battery cases for GroupNorm, CTCLoss and the loss/activation helpers added for Gluon."""

from __future__ import annotations

import numpy as np

from . import f32
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
