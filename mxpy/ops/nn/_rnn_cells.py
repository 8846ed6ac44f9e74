"""One direction of one fused-RNN layer: forward over time and backpropagation through time.

Gate layout follows MXNet/cuDNN: LSTM rows ``i, f, g, o``; GRU rows ``r, z, n``
with ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`` (the reset gate scales
the hidden projection including its bias), ``h' = (1 - z) * n + z * h``.

The input projection ``x @ W_i2h.T`` is one GEMM over all time steps; each step
then does one GEMM ``h @ W_h2h.T``. Backward mirrors this: one GEMM per step
for ``dh @ W_h2h`` and hoisted GEMMs for the input and weight gradients.
The reverse direction is run by the caller on time-flipped views.
"""

from __future__ import annotations

import numpy as np

GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}


def _sigmoid(xp, x):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + xp.exp(-x))


def dir_forward(mode, xp, x, wx, wh, bx, bh, h0, c0, clip=None, keep=False):
    """Run one direction over ``x`` (T, N, I) from state ``h0`` (and ``c0``).

    Returns ``(ys, hT, cT, cache)``: ``ys`` (T, N, H) the hidden states, ``cache``
    what :func:`dir_backward` needs when ``keep`` (activated gates, cells).
    """
    t_len, n = x.shape[0], x.shape[1]
    gh, hsz = wh.shape
    xi = (x.reshape(t_len * n, -1) @ wx.T).reshape(t_len, n, gh)
    if mode == "gru":  # the step adds b_h2h: b_hn sits inside the reset-gate product
        xi += bx
    else:
        xi += bx + bh
    ys = xp.empty((t_len, n, hsz), dtype=x.dtype)
    gates = xp.empty((t_len, n, gh), dtype=x.dtype) if keep and mode in ("lstm", "gru") else None
    cells = xp.empty((t_len, n, hsz), dtype=x.dtype) if keep and mode == "lstm" else None
    hns = xp.empty((t_len, n, hsz), dtype=x.dtype) if keep and mode == "gru" else None
    h, c = h0, c0
    whT = wh.T
    for t in range(t_len):
        hh = h @ whT
        if mode == "rnn_tanh":
            h = xp.tanh(xi[t] + hh)
        elif mode == "rnn_relu":
            h = xp.maximum(xi[t] + hh, 0)
        elif mode == "lstm":
            a = xi[t] + hh
            act = gates[t] if gates is not None else xp.empty_like(a)
            act[:, : 2 * hsz] = _sigmoid(xp, a[:, : 2 * hsz])
            act[:, 2 * hsz : 3 * hsz] = xp.tanh(a[:, 2 * hsz : 3 * hsz])
            act[:, 3 * hsz :] = _sigmoid(xp, a[:, 3 * hsz :])
            c = act[:, hsz : 2 * hsz] * c + act[:, :hsz] * act[:, 2 * hsz : 3 * hsz]
            if clip is not None:
                c = xp.clip(c, clip[0], clip[1])
            if cells is not None:
                cells[t] = c
            h = act[:, 3 * hsz :] * xp.tanh(c)
        else:  # gru
            hh += bh
            rz = _sigmoid(xp, xi[t, :, : 2 * hsz] + hh[:, : 2 * hsz])
            r, z = rz[:, :hsz], rz[:, hsz:]
            nn = xp.tanh(xi[t, :, 2 * hsz :] + r * hh[:, 2 * hsz :])
            h = (1 - z) * nn + z * h
            if gates is not None:
                gates[t, :, : 2 * hsz] = rz
                gates[t, :, 2 * hsz :] = nn
                hns[t] = hh[:, 2 * hsz :]
        ys[t] = h
    cache = {"gates": gates, "cells": cells, "hns": hns} if keep else None
    return ys, h, c, cache


def dir_forward_proj(xp, x, wx, wh, wr, bx, bh, r0, c0):
    """One direction of an LSTM with a projected state (LSTMP), inference only.

    ``r_t = W_hr (o * tanh(c_t))`` (N, P) is the output and the recurrent input.
    Returns ``(ys, rT, cT)`` with ``ys`` (T, N, P). As MXNet's CPU kernel, the
    cell state is not clipped on this path.
    """
    t_len, n = x.shape[0], x.shape[1]
    gh = wx.shape[0]
    hsz = gh // 4
    xi = (x.reshape(t_len * n, -1) @ wx.T).reshape(t_len, n, gh) + (bx + bh)
    ys = xp.empty((t_len, n, wr.shape[0]), dtype=x.dtype)
    r, c = r0, c0
    whT, wrT = wh.T, wr.T
    for t in range(t_len):
        a = xi[t] + r @ whT
        i, f, o = (_sigmoid(xp, a[:, k * hsz : (k + 1) * hsz]) for k in (0, 1, 3))
        c = f * c + i * xp.tanh(a[:, 2 * hsz : 3 * hsz])
        r = (o * xp.tanh(c)) @ wrT
        ys[t] = r
    return ys, r, c


def dir_backward(mode, xp, x, wx, wh, ys, h0, c0, cache, dys, dh_t, dc_t, clip=None):
    """Gradients of one direction: ``(dx, dwx, dwh, dbx, dbh, dh0, dc0)``.

    ``dys`` (T, N, H) is the gradient reaching every step's output, ``dh_t`` /
    ``dc_t`` the gradient reaching the final state (cell state for LSTM).
    """
    t_len, n = x.shape[0], x.shape[1]
    gh, hsz = wh.shape
    dxi = xp.empty((t_len, n, gh), dtype=x.dtype)
    dhh = xp.empty((t_len, n, gh), dtype=x.dtype) if mode == "gru" else dxi
    gates, cells, hns = cache["gates"], cache["cells"], cache["hns"]
    dh = dh_t
    dc = dc_t
    for t in range(t_len - 1, -1, -1):
        dh = dh + dys[t]
        d = dxi[t]
        if mode == "rnn_tanh":
            d[...] = dh * (1 - ys[t] * ys[t])
            dh = d @ wh
        elif mode == "rnn_relu":
            d[...] = dh * (ys[t] > 0)
            dh = d @ wh
        elif mode == "lstm":
            act = gates[t]
            i, f, g, o = (act[:, k * hsz : (k + 1) * hsz] for k in range(4))
            c = cells[t]
            c_prev = cells[t - 1] if t > 0 else c0
            tc = xp.tanh(c)
            dc = dc + dh * o * (1 - tc * tc)
            if clip is not None:  # no gradient through a clipped cell state
                dc = dc * ((c > clip[0]) & (c < clip[1]))
            d[:, :hsz] = dc * g * i * (1 - i)
            d[:, hsz : 2 * hsz] = dc * c_prev * f * (1 - f)
            d[:, 2 * hsz : 3 * hsz] = dc * i * (1 - g * g)
            d[:, 3 * hsz :] = dh * tc * o * (1 - o)
            dc = dc * f
            dh = d @ wh
        else:  # gru
            act = gates[t]
            r, z, nn = act[:, :hsz], act[:, hsz : 2 * hsz], act[:, 2 * hsz :]
            h_prev = ys[t - 1] if t > 0 else h0
            dn = dh * (1 - z) * (1 - nn * nn)
            d[:, 2 * hsz :] = dn
            d[:, hsz : 2 * hsz] = dh * (h_prev - nn) * z * (1 - z)
            d[:, :hsz] = dn * hns[t] * r * (1 - r)
            e = dhh[t]
            e[:, : 2 * hsz] = d[:, : 2 * hsz]
            e[:, 2 * hsz :] = dn * r
            dh = dh * z + e @ wh
    d2 = dxi.reshape(t_len * n, gh)
    e2 = dhh.reshape(t_len * n, gh)
    dx = (d2 @ wx).reshape(x.shape)
    dwx = d2.T @ x.reshape(t_len * n, -1)
    h_prev_all = xp.concatenate([h0[None], ys[:-1]], axis=0).reshape(t_len * n, hsz)
    dwh = e2.T @ h_prev_all
    return dx, dwx, dwh, d2.sum(axis=0), e2.sum(axis=0), dh, dc
