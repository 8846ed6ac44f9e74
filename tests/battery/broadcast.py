"""Battery cases for broadcast_to, broadcast_axis and broadcast_like."""

from __future__ import annotations

import numpy as np

from . import add, f32

ROW = f32(1, 3, seed=21)
COL = f32(2, 1, seed=22)
CUBE = f32(1, 2, 1, seed=23)

add("broadcast_to", [ROW], {"shape": (4, 3)}, ref=lambda x, shape: np.broadcast_to(x, shape).copy())
add("broadcast_to", [COL], {"shape": (0, 5)}, ref=lambda x, shape: np.broadcast_to(x, (2, 5)).copy(), note="keep0")
add("broadcast_to", [CUBE], {"shape": (3, 0, 4)}, ref=lambda x, shape: np.broadcast_to(x, (3, 2, 4)).copy())
add("broadcast_to", [ROW.astype(np.int32)], {"shape": (2, 3)}, ref=lambda x, shape: np.broadcast_to(x, shape).copy(), note="int")
add("broadcast_axis", [COL], {"axis": 1, "size": 4}, ref=lambda x, axis, size: np.broadcast_to(x, (2, 4)).copy())
add("broadcast_axis", [CUBE], {"axis": (0, 2), "size": (3, 2)}, ref=lambda x, axis, size: np.broadcast_to(x, (3, 2, 2)).copy())
add("broadcast_axis", [COL], {"axis": 1, "size": 0}, ref=lambda x, axis, size: np.zeros((2, 0), x.dtype), note="size0")
add("broadcast_like", [ROW, np.zeros((5, 3), np.float16)], ref=lambda x, y: np.broadcast_to(x, y.shape).copy())
add(
    "broadcast_like",
    [COL, np.zeros((7, 4), np.float32)],
    {"lhs_axes": (1,), "rhs_axes": (-1,)},
    ref=lambda x, y, lhs_axes, rhs_axes: np.broadcast_to(x, (2, 4)).copy(),
)
add(
    "broadcast_like",
    [CUBE, np.zeros((6, 5), np.float32)],
    {"lhs_axes": (0, 2), "rhs_axes": (0, 1)},
    ref=lambda x, y, lhs_axes, rhs_axes: np.broadcast_to(x, (6, 2, 5)).copy(),
)
