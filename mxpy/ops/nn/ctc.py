"""CTCLoss (aliases ctc_loss, _contrib_CTCLoss, _contrib_ctc_loss): connectionist temporal classification.

``data`` is ``(T, N, C)`` unnormalised activations (a softmax over C is taken
inside), ``label`` ``(N, L)`` class indices padded with 0 (``blank_label='first'``,
blank is channel 0) or -1 (``'last'``, blank is channel C-1). The loss per
sequence is ``-log p(label | data)``, from the forward-backward recursions in
log space (float64). Like MXNet, the forward also computes the gradient with
respect to ``data`` (a hidden second output) and the backward scales it by the
head gradient of each sequence.
"""

from __future__ import annotations

import numpy as np

from ...registry import Param, ShapeError, names
from .._pair import register_pair

_PARAMS = {
    "use_data_lengths": Param("bool", False, doc="take the sequence lengths from the data_lengths input"),
    "use_label_lengths": Param("bool", False, doc="take the label lengths from the label_lengths input (else up to the padding)"),
    "blank_label": Param("str", "first", choices=("first", "last"), doc="blank is channel 0 ('first') or channel C-1 ('last')"),
}


@names("data", "label", "data_lengths", "label_lengths")
def _inputs(p):
    return ["data", "label"] + (["data_lengths"] if p.use_data_lengths else []) + (["label_lengths"] if p.use_label_lengths else [])


def _shape(p, in_shapes):
    s = list(in_shapes)
    data, label = s[0], s[1]
    n = data[1] if data is not None else (label[0] if label is not None else None)
    if data is not None:
        if len(data) != 3:
            raise ShapeError(f"data must be 3-D (sequence length, batch, alphabet), given {data}")
        if label is not None and (len(label) != 2 or label[0] != data[1]):
            raise ShapeError(f"label must be 2-D (batch={data[1]}, max label length), given {label}")
    for i in range(2, len(s)):
        if n is not None:
            s[i] = s[i] or (n,)
    return s, [None if n is None else (n,), data]


def _log_softmax(x):
    z = x - x.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def _lse(*terms):
    stacked = np.stack(terms)
    top = stacked.max(axis=0)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return safe + np.log(np.exp(stacked - safe).sum(axis=0))


def _one(lp, lab, blank):
    """Loss and d(loss)/d(activations) of one sequence: lp (T, C) log-probabilities, lab (L,) indices."""
    t_len = lp.shape[0]
    ext = np.full(2 * len(lab) + 1, blank, np.int64)
    ext[1::2] = lab
    s_len = len(ext)
    skip = np.zeros(s_len, bool)  # may jump from s-2 to s
    skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    neg = -np.inf
    alpha = np.full((t_len, s_len), neg)
    beta = np.full((t_len, s_len), neg)  # suffix probability after emitting at t
    emit = lp[:, ext]
    alpha[0, :2] = emit[0, :2]
    for t in range(1, t_len):
        a = alpha[t - 1]
        prev1 = np.concatenate(([neg], a[:-1]))
        prev2 = np.where(skip, np.concatenate(([neg, neg], a[:-2])), neg)
        alpha[t] = _lse(a, prev1, prev2) + emit[t]
    beta[-1, -2:] = 0.0
    for t in range(t_len - 2, -1, -1):
        b = beta[t + 1] + emit[t + 1]
        next1 = np.concatenate((b[1:], [neg]))
        next2 = np.where(np.concatenate((skip[2:], [False, False])), np.concatenate((b[2:], [neg, neg])), neg)
        beta[t] = _lse(b, next1, next2)
    logp = _lse(alpha[-1, -1], alpha[-1, -2]) if s_len > 1 else alpha[-1, -1]
    grad = np.exp(lp)
    if np.isfinite(logp):
        occ = np.exp(alpha + beta - logp)
        for s in range(s_len):
            grad[:, ext[s]] -= occ[:, s]
    return -logp, grad


def _forward(p, xp, data, label, *lengths):
    t_max, n, c = data.shape
    lens = list(lengths)
    # the dynamic programme runs on the host: device inputs are copied there explicitly
    host = np.asarray if xp is np else xp.asnumpy
    d_len = host(lens.pop(0)).astype(np.int64) if p.use_data_lengths else np.full(n, t_max)
    l_len = host(lens.pop(0)).astype(np.int64) if p.use_label_lengths else None
    blank, pad = (0, 0) if p.blank_label == "first" else (c - 1, -1)
    x = host(data).astype(np.float64)
    lab = host(label).astype(np.int64)
    loss = np.zeros(n)
    grad = np.zeros((t_max, n, c))
    for i in range(n):
        row = lab[i]
        if l_len is not None:
            row = row[: int(l_len[i])]
        else:
            stop = np.flatnonzero(row == pad)
            row = row[: stop[0]] if len(stop) else row
        t_i = int(d_len[i])
        if t_i > t_max or t_i < 0:
            raise ValueError(f"CTCLoss: data_lengths[{i}]={t_i} is outside [0, {t_max}]")
        # only the labels inside the row's length are checked: padding past it may hold
        # anything, and MXNet accepts a label equal to the blank index there too
        if np.any((row < 0) | (row >= c)):
            raise ValueError(f"CTCLoss: label row {i} holds {row.tolist()}; labels must be in [0, {c})")
        if t_i == 0:
            continue
        loss[i], grad[:t_i, i] = _one(_log_softmax(x[:t_i, i]), row, blank)
    return xp.asarray(loss.astype(data.dtype)), xp.asarray(grad.astype(data.dtype))


def _backward(p, xp, ograds, ins, outs):
    og = ograds[0]
    return [outs[1] * og.reshape(1, -1, 1)] + [None] * (len(ins) - 1)


register_pair(
    "CTCLoss",
    _forward,
    _backward,
    params=_PARAMS,
    inputs=_inputs,
    outputs=("output0", "output1"),
    num_visible_outputs=lambda p: 1,
    infer_shape=_shape,
    infer_type=lambda p, t: ([t[0], t[1] or t[0], *[x or t[0] for x in t[2:]]], [t[0], t[0]]),
    aliases=("ctc_loss", "_contrib_CTCLoss", "_contrib_ctc_loss"),
    no_grad_inputs=("label", "data_lengths", "label_lengths"),
    doc=(
        "Connectionist temporal classification loss, one value per sequence.\n\n"
        "Parameters: data (T, N, C) activations; label (N, L) padded labels; data_lengths (N,) and\n"
        "label_lengths (N,) when use_data_lengths / use_label_lengths (bool, False); blank_label\n"
        "('first' or 'last', 'first').\n\n"
        ">>> import mxpy as mx\n>>> mx.nd.CTCLoss(mx.nd.zeros((3, 1, 2)), mx.nd.array([[1]])).asnumpy().round(4).tolist()\n[0.2877]"
    ),
)
