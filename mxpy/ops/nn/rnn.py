"""RNN: MXNet's fused multi-layer (bi)directional RNN / LSTM / GRU operator.

Inputs: ``data`` (T, N, C), ``parameters`` (one flat vector), ``state``
(L*D, N, H) and, for LSTM, ``state_cell``. The parameter vector holds, in
MXNet's order, first every weight (per layer, per direction: ``i2h`` of shape
(G*H, I) then ``h2h`` of shape (G*H, H)), then every bias (per layer, per
direction: ``i2h`` then ``h2h``, each G*H), with G gates (1, 4 LSTM, 3 GRU)
and I = C for the first layer, D*H above it. Layer l > 0 reads layer l-1's
output, dropped out with rate ``p`` in training. Outputs: ``output``
(T, N, D*H) and, with ``state_outputs``, the final ``state`` (and cell).

The backward recomputes the forward with caches, then runs BPTT; the dropout
masks travel from the forward as a hidden output so both see the same ones.
"""

from __future__ import annotations

import numpy as np

from ...base import MXNetError
from ...registry import OpDef, Param, ShapeError, merge_shape, names, register
from .._util import store
from ._rnn_cells import GATES, dir_backward, dir_forward

_PARAMS = {
    "state_size": Param("int", low=1, doc="hidden size H of every layer"),
    "num_layers": Param("int", low=1, doc="number of stacked layers L"),
    "bidirectional": Param("bool", False, doc="run each layer both ways (D = 2)"),
    "mode": Param("str", choices=("rnn_relu", "rnn_tanh", "lstm", "gru"), doc="cell type"),
    "p": Param("float", 0.0, low=0.0, high=1.0, doc="dropout rate between layers (training only)"),
    "state_outputs": Param("bool", False, doc="also output the final states"),
    "projection_size": Param("int", None, low=1, optional=True, doc="LSTM projection (not supported by mxpy)"),
    "lstm_state_clip_min": Param("float", None, optional=True, doc="lower clip of the LSTM cell state"),
    "lstm_state_clip_max": Param("float", None, optional=True, doc="upper clip of the LSTM cell state"),
    "lstm_state_clip_nan": Param("bool", False, doc="accepted; NaN cell states are not replaced"),
    "use_sequence_length": Param("bool", False, doc="variable lengths (not supported by mxpy, as MXNet on CPU)"),
}


def _dirs(p) -> int:
    return 2 if p.bidirectional else 1


def _is_lstm(p) -> bool:
    return p.mode == "lstm"


def _has_mask(p) -> bool:
    return p.p > 0 and p.num_layers > 1


def param_layout(p, input_size: int) -> tuple[list[dict], int]:
    """Offsets of every weight and bias in the flat parameter vector, and its length.

    One dict per (layer, direction) in MXNet's order with ``wx``, ``wh``, ``bx``,
    ``bh`` entries ``(offset, shape)``.
    """
    h, d, gh = p.state_size, _dirs(p), GATES[p.mode] * p.state_size
    blocks = []
    off = 0
    for layer in range(p.num_layers):
        isz = input_size if layer == 0 else d * h
        for _ in range(d):
            blk = {"wx": (off, (gh, isz))}
            off += gh * isz
            blk["wh"] = (off, (gh, h))
            off += gh * h
            blocks.append(blk)
    for blk in blocks:
        blk["bx"] = (off, (gh,))
        blk["bh"] = (off + gh, (gh,))
        off += 2 * gh
    return blocks, off


def _take(vec, entry):
    off, shape = entry
    return vec[off : off + int(np.prod(shape))].reshape(shape)


def _check_supported(p) -> None:
    if p.projection_size is not None:
        raise MXNetError(f"RNN: projection_size given {p.projection_size}, expected None (LSTM projection is not supported by mxpy)")
    if p.use_sequence_length:
        raise MXNetError("RNN: use_sequence_length given True, expected False (MXNet supports variable lengths only with cuDNN)")
    if (p.lstm_state_clip_min is None) != (p.lstm_state_clip_max is None):
        raise MXNetError("RNN: lstm_state_clip_min and lstm_state_clip_max must be given together")


def _clip(p):
    if p.mode == "lstm" and p.lstm_state_clip_min is not None:
        return (p.lstm_state_clip_min, p.lstm_state_clip_max)
    return None


@names("data", "parameters", "state", "state_cell")
def _inputs(p):
    return ["data", "parameters", "state", "state_cell"] if _is_lstm(p) else ["data", "parameters", "state"]


def _outputs(p):
    outs = ["output"]
    if p.state_outputs:
        outs += ["state_output", "statecell_output"] if _is_lstm(p) else ["state_output"]
    if _has_mask(p):
        outs.append("dropout_mask")
    return outs


def _num_visible(p) -> int:
    return 1 + (2 if _is_lstm(p) else 1) * bool(p.state_outputs)


def _shapes(p, data: tuple):
    """(parameters, state, output, mask) shapes for a known data shape."""
    if len(data) != 3:
        raise ShapeError(f"data must be 3-D (seq_len, batch, input_size), given {data}")
    t_len, n, c = data
    d, h = _dirs(p), p.state_size
    _, count = param_layout(p, c)
    return (count,), (p.num_layers * d, n, h), (t_len, n, d * h), (p.num_layers - 1, t_len, n, d * h)


def _infer_shape(p, in_shapes):
    _check_supported(p)
    shapes = list(in_shapes)
    data = shapes[0]
    if data is None:
        return shapes, None
    pshape, sshape, oshape, mshape = _shapes(p, data)
    if shapes[1] is not None and tuple(shapes[1]) != pshape:
        raise ShapeError(
            f"parameters shape given {tuple(shapes[1])}, expected {pshape} for mode={p.mode}, state_size={p.state_size}, num_layers={p.num_layers}, bidirectional={p.bidirectional}, input_size={data[2]}"
        )
    shapes[1] = pshape
    for i in range(2, len(shapes)):
        shapes[i] = merge_shape(
            shapes[i],
            sshape,
            _inputs(p)[i],
            f"(num_layers*directions, batch, state_size) from num_layers={p.num_layers}, bidirectional={p.bidirectional}, state_size={p.state_size} and the data {data}",
        )
    outs = [oshape]
    if p.state_outputs:
        outs += [sshape] * (2 if _is_lstm(p) else 1)
    if _has_mask(p):
        outs.append(mshape)
    return shapes, outs


def _infer_type(p, in_types):
    known = next((t for t in in_types if t is not None), None)
    for i, t in enumerate(in_types):
        if t is not None and t != known:
            raise ShapeError(f"input {_inputs(p)[i]} has dtype {t}, expected {known} (same as data)")
    return [known] * len(in_types), [known] * len(_outputs(p))


def run_forward(p, xp, x, params, hx, cx, masks, keep: bool):
    """All layers forward; returns ``(output, hy, cy, caches)``."""
    d, h = _dirs(p), p.state_size
    blocks, _ = param_layout(p, x.shape[2])
    clip = _clip(p)
    hy = xp.empty_like(hx)
    cy = xp.empty_like(cx) if cx is not None else None
    caches = []
    inp = x
    out = None
    for layer in range(p.num_layers):
        if layer > 0 and masks is not None:
            inp = inp * masks[layer - 1]
        out = xp.empty((x.shape[0], x.shape[1], d * h), dtype=x.dtype)
        for k in range(d):
            j = layer * d + k
            blk = blocks[j]
            xin = inp if k == 0 else inp[::-1]
            w = [_take(params, blk[nm]) for nm in ("wx", "wh", "bx", "bh")]
            c0 = cx[j] if cx is not None else None
            ys, h_t, c_t, cache = dir_forward(p.mode, xp, xin, *w, hx[j], c0, clip, keep)
            out[:, :, k * h : (k + 1) * h] = ys if k == 0 else ys[::-1]
            hy[j] = h_t
            if cy is not None:
                cy[j] = c_t
            if keep:
                caches.append((xin, ys, cache))
        inp = out
    return out, hy, cy, caches


def run_backward(p, xp, x, params, hx, cx, masks, dout, dhy, dcy):
    """Gradients ``(dx, dparams, dhx, dcx)`` by BPTT over every layer and direction."""
    d, h = _dirs(p), p.state_size
    blocks, count = param_layout(p, x.shape[2])
    clip = _clip(p)
    _, _, _, caches = run_forward(p, xp, x, params, hx, cx, masks, keep=True)
    dparams = xp.zeros((count,), dtype=x.dtype)
    dhx = xp.empty_like(hx)
    dcx = xp.empty_like(cx) if cx is not None else None
    for layer in range(p.num_layers - 1, -1, -1):
        isz = x.shape[2] if layer == 0 else d * h
        dinp = xp.zeros((x.shape[0], x.shape[1], isz), dtype=x.dtype)
        for k in range(d):
            j = layer * d + k
            blk = blocks[j]
            xin, ys, cache = caches[j]
            wx, wh = _take(params, blk["wx"]), _take(params, blk["wh"])
            dys = dout[:, :, k * h : (k + 1) * h]
            c0 = cx[j] if cx is not None else None
            dc_t = dcy[j] if dcy is not None else None
            grads = dir_backward(p.mode, xp, xin, wx, wh, ys, hx[j], c0, cache, dys if k == 0 else dys[::-1], dhy[j], dc_t, clip)
            dxin, dwx, dwh, dbx, dbh, dh0, dc0 = grads
            dinp += dxin if k == 0 else dxin[::-1]
            for nm, val in (("wx", dwx), ("wh", dwh), ("bx", dbx), ("bh", dbh)):
                _take(dparams, blk[nm])[...] = val
            dhx[j] = dh0
            if dcx is not None:
                dcx[j] = dc0
        dout = dinp * masks[layer - 1] if (layer > 0 and masks is not None) else dinp
    return dout, dparams, dhx, dcx


def _forward(p, ins, outs, req, rt):
    xp = rt.xp
    x, params, hx = ins[0], ins[1], ins[2]
    cx = ins[3] if _is_lstm(p) else None
    masks = None
    if _has_mask(p):
        mask_out = outs[-1]
        if rt.is_train:
            keep = rt.rng.random(mask_out.shape) >= p.p
            mask_out[...] = keep * (1.0 / (1.0 - p.p) if p.p < 1 else 0.0)
            masks = mask_out
        else:
            mask_out[...] = 1
    out, hy, cy, _ = run_forward(p, xp, x, params, hx, cx, masks, keep=False)
    store(outs[0], req[0], out)
    if p.state_outputs:
        store(outs[1], req[1], hy)
        if _is_lstm(p):
            store(outs[2], req[2], cy)


def _cost(p, ins, outs):
    x = ins[0]
    h, g = p.state_size, GATES[p.mode]
    return int(x.shape[0] * x.shape[1] * g * h * (x.shape[2] + h) * _dirs(p) * p.num_layers)


def _gradient(g, ograds):
    p = g.p
    n_vis = _num_visible(p)
    heads = []
    for i in range(n_vis):
        og = ograds[i]
        heads.append(og if og is not None else g.op1("zeros_like", [g.outputs[i]]))
    extra = [g.outputs[-1]] if _has_mask(p) else []
    grads = g.op("_backward_RNN", [*heads, *g.inputs, *extra], g.attrs)
    return grads


register(
    OpDef(
        "RNN",
        _forward,
        params=_PARAMS,
        inputs=_inputs,
        outputs=_outputs,
        num_visible_outputs=_num_visible,
        infer_shape=_infer_shape,
        infer_type=_infer_type,
        gradient=_gradient,
        needs_rng=True,
        cost=_cost,
        doc=(
            "Fused multi-layer RNN, LSTM or GRU over a (T, N, C) sequence.\n\n"
            ">>> import mxpy as mx\n>>> x = mx.nd.ones((5, 2, 3))\n"
            ">>> out = mx.nd.RNN(x, mx.nd.ones((108,)) * 0.1, mx.nd.zeros((1, 2, 4)), state_size=4, num_layers=1, mode='gru')\n"
            ">>> out.shape\n(5, 2, 4)"
        ),
    )
)


@names("ograd", "ograd_state", "ograd_statecell", "data", "parameters", "state", "state_cell", "dropout_mask")
def _bwd_inputs(p):
    heads = ["ograd"]
    if p.state_outputs:
        heads += ["ograd_state", "ograd_statecell"] if _is_lstm(p) else ["ograd_state"]
    return heads + _inputs(p) + (["dropout_mask"] if _has_mask(p) else [])


def _bwd_shape(p, in_shapes):
    n_heads = _num_visible(p)
    fwd = list(in_shapes[n_heads : n_heads + len(_inputs(p))])
    fwd_shapes, _ = _infer_shape(p, fwd)
    return list(in_shapes), fwd_shapes


def _backward(p, ins, outs, req, rt):
    xp = rt.xp
    n_heads = _num_visible(p)
    heads, rest = ins[:n_heads], ins[n_heads:]
    x, params, hx = rest[0], rest[1], rest[2]
    cx = rest[3] if _is_lstm(p) else None
    masks = rest[-1] if _has_mask(p) else None
    dhy = heads[1] if p.state_outputs else xp.zeros_like(hx)
    dcy = None
    if _is_lstm(p):
        dcy = heads[2] if p.state_outputs else xp.zeros_like(cx)
    grads = run_backward(p, xp, x, params, hx, cx, masks, heads[0], dhy, dcy)
    for i, val in enumerate(grads[: len(outs)]):
        store(outs[i], req[i], val)


register(
    OpDef(
        "_backward_RNN",
        _backward,
        params=_PARAMS,
        inputs=_bwd_inputs,
        outputs=_inputs,
        infer_shape=_bwd_shape,
        infer_type=lambda p, t: (list(t), [t[0]] * len(_inputs(p))),
        cost=lambda p, ins, outs: 3 * _cost(p, outs, ins),
        doc="Gradients of RNN with respect to data, parameters and initial states (BPTT).",
    )
)
