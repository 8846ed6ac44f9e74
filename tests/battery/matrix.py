"""Battery cases for the shape/matrix operators (matrix.py, dot.py, join.py)."""

from __future__ import annotations

import numpy as np

from . import add, f32

X = f32(2, 3, 4, seed=11)
X4 = f32(2, 2, 3, 4, seed=12)


def _np_dot(a, b, transpose_a=False, transpose_b=False):
    if a.ndim == 1 and b.ndim == 1:
        return np.array([np.dot(a, b)], a.dtype)
    a2 = a.reshape(a.shape[0], -1).T if transpose_a else a.reshape(-1, a.shape[-1])
    b2 = b.reshape(-1, b.shape[-1]).T if transpose_b else b.reshape(b.shape[0], -1)
    lrest = a.shape[1:] if transpose_a else a.shape[:-1]
    rrest = b.shape[:-1] if transpose_b else b.shape[1:]
    return (a2 @ b2).reshape(lrest + rrest)


add("dot", [f32(2, 3, seed=1), f32(3, 4, seed=2)], ref=_np_dot, rtol=1e-5, atol=1e-5)
add("dot", [f32(3, 2, seed=1), f32(4, 3, seed=2)], {"transpose_a": True, "transpose_b": True}, ref=_np_dot, rtol=1e-5, atol=1e-5)
add("dot", [X, f32(4, 3, 2, seed=3)], ref=_np_dot, rtol=1e-5, atol=1e-5, note="N-D")
add("dot", [X, f32(2, 5, seed=3)], {"transpose_a": True}, ref=_np_dot, rtol=1e-5, atol=1e-5, note="N-D")
add("dot", [X, f32(5, 4, seed=3)], {"transpose_b": True}, ref=_np_dot, rtol=1e-5, atol=1e-5, note="N-D")
add("dot", [f32(3, seed=4), f32(3, seed=5)], ref=_np_dot, rtol=1e-5, atol=1e-5, note="vec")
add("dot", [f32(3, 2, seed=4).astype(np.float64), f32(3, seed=5).astype(np.float64)], {"transpose_a": True}, ref=_np_dot, note="f64")


def _np_bdot(a, b, transpose_a=False, transpose_b=False):
    return np.matmul(np.swapaxes(a, -1, -2) if transpose_a else a, np.swapaxes(b, -1, -2) if transpose_b else b)


add("batch_dot", [X, f32(2, 4, 5, seed=6)], ref=_np_bdot, rtol=1e-5, atol=1e-5)
add("batch_dot", [f32(2, 4, 3, seed=6), f32(2, 5, 4, seed=7)], {"transpose_a": True, "transpose_b": True}, ref=_np_bdot, rtol=1e-5, atol=1e-5)
add("batch_dot", [X4, f32(2, 2, 5, 4, seed=7)], {"transpose_b": True}, ref=_np_bdot, rtol=1e-5, atol=1e-5, note="4-D")

add("transpose", [X], ref=lambda a: a.T)
add("transpose", [X4], {"axes": (0, 2, 3, 1)}, ref=lambda a, axes: a.transpose(axes))
add("SwapAxis", [X], {"dim1": 0, "dim2": 2}, ref=lambda a, dim1, dim2: np.swapaxes(a, dim1, dim2))
add("SwapAxis", [X], {"dim1": -1, "dim2": 1}, ref=lambda a, dim1, dim2: np.swapaxes(a, dim1, dim2))
add("expand_dims", [X], {"axis": 1}, ref=lambda a, axis: np.expand_dims(a, axis))
add("expand_dims", [X], {"axis": -1}, ref=lambda a, axis: np.expand_dims(a, axis))
add("expand_dims", [X], {"axis": -4}, ref=lambda a, axis: np.expand_dims(a, 0))
S = f32(1, 3, 1, 4, seed=13)
add("squeeze", [S], ref=np.squeeze)
add("squeeze", [S], {"axis": (0, -2)}, ref=lambda a, axis: np.squeeze(a, axis))
add("squeeze", [f32(1, 1, seed=14)], ref=lambda a: a.reshape(1), note="all")
add("Flatten", [X4], ref=lambda a: a.reshape(2, -1))
add("Flatten", [f32(3, seed=15)], ref=lambda a: a.reshape(3, 1), note="1-D")
add("reshape_like", [X, f32(6, 4, seed=16)], ref=lambda a, b: a.reshape(6, 4))
add(
    "reshape_like",
    [X, f32(7, 6, seed=16)],
    {"lhs_begin": -3, "lhs_end": -1, "rhs_begin": -1},
    ref=lambda a, b, lhs_begin, lhs_end, rhs_begin: a.reshape(6, 4),
)
add("reshape_like", [X, f32(12, seed=16)], {"lhs_begin": 1}, ref=lambda a, b, lhs_begin: a.reshape(2, 12))

add("Concat", [X, f32(2, 1, 4, seed=17)], {"num_args": 2}, ref=lambda *xs, num_args: np.concatenate(xs, 1))
add("Concat", [X, f32(2, 3, 2, seed=17), f32(2, 3, 1, seed=18)], {"dim": -1, "num_args": 3}, ref=lambda *xs, dim, num_args: np.concatenate(xs, dim))
add(
    "Concat",
    [np.arange(4, dtype=np.int32).reshape(2, 2), np.arange(2, dtype=np.int32).reshape(1, 2)],
    {"dim": 0, "num_args": 2},
    ref=lambda *xs, dim, num_args: np.concatenate(xs),
)
add(
    "_rnn_param_concat",
    [f32(12, seed=19), f32(6, seed=20), f32(3, seed=21)],
    {"dim": 0, "num_args": 3},
    ref=lambda *xs, dim, num_args: np.concatenate(xs),
    note="flat RNN parameters",
)
add("stack", [X, X * 2], {"num_args": 2}, ref=lambda *xs, num_args: np.stack(xs))
add("stack", [X, X * 2, X * 3], {"axis": -1, "num_args": 3}, ref=lambda *xs, axis, num_args: np.stack(xs, axis))
add("stack", [X, X * 2], {"axis": 2, "num_args": 2}, ref=lambda *xs, axis, num_args: np.stack(xs, axis))
add("SliceChannel", [X], {"num_outputs": 3}, ref=lambda a, num_outputs: np.split(a, 3, axis=1))
add("SliceChannel", [X], {"num_outputs": 2, "axis": -1}, ref=lambda a, num_outputs, axis: np.split(a, 2, axis=-1))
add(
    "SliceChannel",
    [X],
    {"num_outputs": 2, "axis": 0, "squeeze_axis": True},
    ref=lambda a, num_outputs, axis, squeeze_axis: [a[0], a[1]],
)
add("SliceChannel", [X], {"num_outputs": 1, "axis": 1}, ref=lambda a, num_outputs, axis: a, note="single")

add("slice", [X], {"begin": (0, 1), "end": (2, 3)}, ref=lambda a, begin, end: a[0:2, 1:3])
add("slice", [X], {"begin": (None, None, -1), "end": (None, None, None), "step": (1, 2, -1)}, ref=lambda a, begin, end, step: a[:, ::2, ::-1])
add("slice", [X], {"begin": (-1, 2), "end": (None, 0), "step": (None, -1)}, ref=lambda a, begin, end, step: a[-1:, 2:0:-1])
add("slice", [X], {"begin": (0, 0, 0), "end": (9, 9, 9)}, ref=lambda a, begin, end: a, note="clip")
add("slice_axis", [X], {"axis": 1, "begin": 1, "end": None}, ref=lambda a, axis, begin, end: a[:, 1:])
add("slice_axis", [X], {"axis": -1, "begin": -3, "end": -1}, ref=lambda a, axis, begin, end: a[..., -3:-1])
add("slice_like", [X, f32(1, 2, 3, seed=19)], ref=lambda a, b: a[:1, :2, :3])
add("slice_like", [X, f32(1, 2, 3, seed=19)], {"axes": (0, -1)}, ref=lambda a, b, axes: a[:1, :, :3])
add("tile", [X], {"reps": (2,)}, ref=lambda a, reps: np.tile(a, reps))
add("tile", [X], {"reps": (2, 1, 1, 2)}, ref=lambda a, reps: np.tile(a, reps))
add("tile", [X], {"reps": ()}, ref=lambda a, reps: a, note="empty")
add("repeat", [X], {"repeats": 2}, ref=lambda a, repeats: np.repeat(a, 2))
add("repeat", [X], {"repeats": 3, "axis": -1}, ref=lambda a, repeats, axis: np.repeat(a, 3, axis=-1))
add("repeat", [X], {"repeats": 0, "axis": 1}, ref=lambda a, repeats, axis: np.zeros((0,), np.float32), note="zero")
add("reverse", [X], {"axis": 1}, ref=lambda a, axis: a[:, ::-1])
add("reverse", [X], {"axis": (0, 2)}, ref=lambda a, axis: a[::-1, :, ::-1])
add("reverse", [X], {"axis": (2, 2)}, ref=lambda a, axis: a, note="twice")

_PW = (0, 0, 0, 0, 1, 2, 2, 1)
_PAIRS = ((0, 0), (0, 0), (1, 2), (2, 1))
add(
    "Pad",
    [X4],
    {"mode": "constant", "pad_width": _PW, "constant_value": 1.5},
    ref=lambda a, mode, pad_width, constant_value: np.pad(a, _PAIRS, constant_values=1.5),
)
add("Pad", [X4], {"mode": "edge", "pad_width": _PW}, ref=lambda a, mode, pad_width: np.pad(a, _PAIRS, mode="edge"))
add("Pad", [X4], {"mode": "reflect", "pad_width": _PW}, ref=lambda a, mode, pad_width: np.pad(a, _PAIRS, mode="reflect"))
add(
    "Pad",
    [f32(1, 2, 3, 3, 4, seed=20).astype(np.float64)],
    {"mode": "reflect", "pad_width": (0, 0, 0, 0, 1, 1, 2, 0, 0, 3)},
    ref=lambda a, mode, pad_width: np.pad(a, ((0, 0), (0, 0), (1, 1), (2, 0), (0, 3)), mode="reflect"),
    note="5-D",
)

# NumPy-semantics reshape (mx.np.reshape): one -1 inferred, () a scalar
add("_np_reshape", [X], {"newshape": (-1, 4)}, ref=lambda a, newshape, **k: a.reshape(newshape))
add("_np_reshape", [f32(1, seed=13)], {"newshape": ()}, ref=lambda a, newshape, **k: a.reshape(newshape), note="to 0-d")
add("_backward_np_reshape", [f32(seed=14).reshape(()), f32(1, seed=15)], ref=lambda g, d: g.reshape(d.shape), note="0-d to (1,)")
add("_npi_around", [np.array([0.5, 1.5, 2.5, -0.5, 1.26], np.float32)], ref=lambda a, **k: np.around(a), no_grad_reason="piecewise constant")
add("_npi_around", [np.array([0.25, 1.26], np.float32)], {"decimals": 1}, ref=lambda a, decimals: np.around(a, decimals), no_grad_reason="piecewise constant")
