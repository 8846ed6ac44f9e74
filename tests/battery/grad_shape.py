"""Battery cases for the backward records of the shape, dot, join, init and slice-assign ops.

Most references are the adjoint of the forward op computed column by column
(the forward applied to each basis array, dotted with the out-grad), so they
share no code with the kernels they check.
"""

from __future__ import annotations

import numpy as np

from . import add, f32


def _adjoint(forward, shape: tuple, og: np.ndarray) -> np.ndarray:
    """``J^T og`` for a linear ``forward`` on arrays of ``shape``."""
    size = int(np.prod(shape))
    grad = np.zeros(size)
    for i in range(size):
        basis = np.zeros(size)
        basis[i] = 1.0
        grad[i] = (np.asarray(forward(basis.reshape(shape)), np.float64) * og).sum()
    return grad.reshape(shape).astype(og.dtype)


X = f32(2, 3, 4, seed=31)


def _slice_ref(og, x, begin, end, step=()):
    key = tuple(slice(b, e, step[k] if step else None) for k, (b, e) in enumerate(zip(begin, end)))
    return _adjoint(lambda a: a[key], x.shape, og)


add("_backward_slice", [f32(2, 2, 4, seed=32), X], {"begin": (0, 1), "end": (2, 3)}, ref=_slice_ref)
add("_backward_slice", [f32(2, 2, 4, seed=33), X], {"begin": (None, 2), "end": (None, 0), "step": (None, -1)}, ref=_slice_ref, note="negative step")
add(
    "_backward_slice_axis",
    [f32(2, 3, 2, seed=34), X],
    {"axis": -1, "begin": 1, "end": 3},
    ref=lambda og, x, axis, begin, end: _adjoint(lambda a: a[..., 1:3], x.shape, og),
)
add("_backward_slice_like", [f32(1, 3, 2, seed=35), X], {"axes": (0, 2)}, ref=lambda og, x, axes: _adjoint(lambda a: a[:1, :, :2], x.shape, og))
add(
    "_backward_tile",
    [f32(2, 4, 6, seed=36), f32(2, 3, seed=37)],
    {"reps": (2, 2, 2)},
    ref=lambda og, x, reps: _adjoint(lambda a: np.tile(a, reps), x.shape, og),
)
add(
    "_backward_tile",
    [f32(2, 6, seed=36), f32(2, 3, seed=37)],
    {"reps": (2,)},
    ref=lambda og, x, reps: _adjoint(lambda a: np.tile(a, reps), x.shape, og),
    note="short reps",
)
add(
    "_backward_repeat",
    [f32(2, 6, seed=38), f32(2, 3, seed=39)],
    {"repeats": 2, "axis": -1},
    ref=lambda og, x, repeats, axis: _adjoint(lambda a: np.repeat(a, repeats, axis), x.shape, og),
)
add(
    "_backward_repeat",
    [f32(12, seed=40), f32(2, 3, seed=39)],
    {"repeats": 2},
    ref=lambda og, x, repeats: _adjoint(lambda a: np.repeat(a, repeats), x.shape, og),
    note="flat",
)
add("_backward_repeat", [f32(0, seed=40), f32(2, 3, seed=39)], {"repeats": 0, "axis": 1}, ref=lambda og, x, repeats, axis: np.zeros_like(x), note="zero")

_PW = (0, 0, 0, 0, 2, 1, 1, 2)
_PAIRS = [(0, 0), (0, 0), (2, 1), (1, 2)]
for _mode in ("constant", "edge", "reflect"):
    add(
        "_backward_Pad",
        [f32(1, 2, 6, 7, seed=41)],
        {"mode": _mode, "pad_width": _PW},
        ref=lambda og, mode, pad_width: _adjoint(lambda a: np.pad(a, _PAIRS, mode=mode), (1, 2, 3, 4), og),
    )


def _dot_grads(og, a, b, transpose_a=False, transpose_b=False, batch=False):
    # both gradients from einsum on the explicitly transposed operands
    sw = (lambda t: np.swapaxes(t, -1, -2)) if batch else (lambda t: t.T)
    ao = sw(a) if transpose_a else a
    bo = sw(b) if transpose_b else b
    if batch:
        da, db = np.einsum("bmn,bkn->bmk", og, bo), np.einsum("bmk,bmn->bkn", ao, og)
    else:
        da, db = np.einsum("mn,kn->mk", og, bo), np.einsum("mk,mn->kn", ao, og)
    return [(sw(da) if transpose_a else da).astype(a.dtype), (sw(db) if transpose_b else db).astype(b.dtype)]


add("_backward_dot", [f32(2, 4, seed=42), f32(2, 3, seed=43), f32(3, 4, seed=44)], ref=_dot_grads, rtol=1e-5, atol=1e-5)
add(
    "_backward_dot",
    [f32(2, 4, seed=42), f32(3, 2, seed=43), f32(4, 3, seed=44)],
    {"transpose_a": True, "transpose_b": True},
    ref=_dot_grads,
    rtol=1e-5,
    atol=1e-5,
)
add(
    "_backward_dot",
    [f32(2, 3, 5, seed=45), X, f32(5, 4, seed=46)],
    {"transpose_b": True},
    ref=lambda og, a, b, transpose_b: [
        np.einsum("ijn,nk->ijk", og, b).astype(np.float32),
        np.einsum("ijk,ijn->nk", a, og).astype(np.float32),
    ],
    rtol=1e-5,
    atol=1e-5,
    note="N-D",
)
add("_backward_batch_dot", [f32(2, 3, 5, seed=47), X, f32(2, 4, 5, seed=48)], ref=lambda og, a, b: _dot_grads(og, a, b, batch=True), rtol=1e-5, atol=1e-5)
add(
    "_backward_batch_dot",
    [f32(2, 3, 5, seed=47), f32(2, 4, 3, seed=49), f32(2, 5, 4, seed=48)],
    {"transpose_a": True, "transpose_b": True},
    ref=lambda og, a, b, transpose_a, transpose_b: _dot_grads(og, a, b, True, True, batch=True),
    rtol=1e-5,
    atol=1e-5,
)

add("_backward_Concat", [f32(2, 5, seed=50), f32(2, 3), f32(2, 2)], {}, ref=lambda og, a, b: [og[:, :3], og[:, 3:]])
add("_backward_Concat", [f32(3, 2, seed=51), f32(1, 2), f32(2, 2)], {"dim": -2}, ref=lambda og, a, b, dim: [og[:1], og[1:]])
add("_backward_stack", [f32(2, 3, 4, seed=52)], {"num_args": 3, "axis": 1}, ref=lambda og, num_args, axis: [og[:, i] for i in range(3)])
add("_backward_SliceChannel", [f32(2, 2, seed=53), f32(2, 2, seed=54)], {"num_outputs": 2}, ref=lambda a, b, num_outputs: np.concatenate([a, b], 1))
add(
    "_backward_SliceChannel",
    [f32(3, 2, seed=55)],
    {"num_outputs": 3, "axis": 0, "squeeze_axis": True, "present": (1,)},
    ref=lambda a, num_outputs, axis, squeeze_axis, present: np.stack([np.zeros_like(a), a, np.zeros_like(a)]),
    note="missing grads",
)
add("_backward_Cast", [f32(2, 3, seed=56).astype(np.float16), f32(2, 3)], ref=lambda og, x: og.astype(np.float32))


def _assign_ref(og, begin, end, step=(), scalar=None):
    key = tuple(slice(b, e, step[k] if step else None) for k, (b, e) in enumerate(zip(begin, end)))
    lhs = og.copy()
    lhs[key] = 0
    return lhs if scalar is not None else [lhs, og[key]]


add("_backward_slice_assign", [f32(3, 4, seed=57)], {"begin": (0, 1), "end": (3, 4), "step": (2, 2)}, ref=_assign_ref)
add("_backward_slice_assign_scalar", [f32(3, 4, seed=58)], {"begin": (1,), "end": (None,), "scalar": 2.0}, ref=_assign_ref)

_IDX = np.array([[0, 1, 0], [1, 0, 1]], np.int32)  # (0, 1) appears twice: its gradients add up


def _scatter_add_ref(data, indices, like=None, shape=()):
    out = np.zeros(shape or like.shape, data.dtype)
    np.add.at(out, tuple(indices.astype(np.int64)), data)
    return out


add("_backward_gather_nd", [f32(3, 4, seed=59), _IDX], {"shape": (2, 2, 4)}, ref=_scatter_add_ref)
add("_backward_gather_nd", [f32(3, seed=60), _IDX.astype(np.float32), f32(2, 2)], ref=_scatter_add_ref, note="shape_like")


def _scatter_set_back(og, indices, shape):
    key = tuple(indices.astype(np.int64))
    lhs = og.copy()
    lhs[key] = 0
    return [lhs, og[key]]


add("_backward_scatter_set_nd", [f32(2, 2, 3, seed=61), np.array([[0, 1], [1, 0]], np.int32)], {"shape": (2, 2, 3)}, ref=_scatter_set_back)
