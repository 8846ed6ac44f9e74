"""Battery cases for cumsum (_np_cumsum) and khatri_rao."""

from __future__ import annotations

import numpy as np

from . import add, f32
from ._pair import add_pair


def _cumsum(a, axis=None, dtype=None):
    return np.cumsum(a.reshape(-1) if axis is None else a, axis=0 if axis is None else axis, dtype=dtype or (np.int64 if a.dtype == np.bool_ else a.dtype))


def _khatri_rao(*mats, num_args=None):
    out = mats[0]
    for m in mats[1:]:
        out = np.einsum("ik,jk->ijk", out, m).reshape(-1, out.shape[1])
    return out


add_pair("_np_cumsum", [f32(2, 3, 4).astype(np.float64)], {"axis": 1}, ref=_cumsum)
add_pair("_np_cumsum", [f32(3, 4).astype(np.float64)], {}, ref=_cumsum, note="flat")
add("_np_cumsum", [f32(4, 3)], {"axis": -1}, ref=_cumsum, note="neg-axis")
add("_np_cumsum", [np.arange(-3, 9, dtype=np.int32).reshape(3, 4)], {"axis": 0, "dtype": "int64"}, ref=_cumsum, note="int")
add("_np_cumsum", [np.array([True, False, True])], {}, ref=_cumsum, note="bool")

_R = np.random.default_rng(9)
add_pair("khatri_rao", [_R.uniform(-1, 1, (2, 3)), _R.uniform(-1, 1, (4, 3))], {"num_args": 2}, ref=_khatri_rao)
add_pair("khatri_rao", [_R.uniform(-1, 1, (3, 2)), _R.uniform(-1, 1, (1, 2)), _R.uniform(-1, 1, (2, 2))], {"num_args": 3}, ref=_khatri_rao, note="3")
add("khatri_rao", [f32(3, 5)], {"num_args": 1}, ref=_khatri_rao, note="one")
