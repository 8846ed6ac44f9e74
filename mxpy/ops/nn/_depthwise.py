"""Depthwise convolution on the CPU through the optional Numba kernels.

Convolution asks :func:`usable` whether a layer can take this path: a 2-D
layer whose every output channel reads one input channel (``num_group`` equal
to the input channels, MobileNet's 3x3 layers), float32 or float64 NumPy
arrays, and Numba importable. Otherwise it keeps its im2col + GEMM path, which
stays the reference and the fallback (``tests/test_conv_paths.py`` runs both).

``MXPY_NUMBA=0`` in the environment turns the compiled path off. Measured on
MobileNet v1's depthwise layers at batch 8, one thread: 5-10x faster than
im2col + batched GEMM (docs/cpu_speed.md).
"""

from __future__ import annotations

import numpy as np

from . import _compiled


def _module():
    return _compiled.load("depthwise")


def usable(xp, x, num_group: int, geo: dict) -> bool:
    """Whether the compiled depthwise kernels can run this layer (``x`` channel first).

    A one-channel input with ``num_group=1`` (LeNet's first layer) is depthwise too, but
    its im2col GEMM over all filters is already fast: it keeps that path.
    """
    return num_group > 1 and xp is np and len(geo["kernel"]) == 2 and x.shape[1] == num_group and x.dtype in (np.float32, np.float64) and _module() is not None


def _geo(geo: dict) -> tuple:
    return (*geo["stride"], *geo["dilate"], *geo["pad"])


def conv(x, w, geo: dict, out_shape: tuple, out=None):
    """Forward: ``out`` (or a new array) = depthwise conv of ``x`` ``(N, C, H, W)`` by ``w`` ``(F, 1, KH, KW)``."""
    y = out if out is not None else np.empty(out_shape, dtype=x.dtype)
    _module().forward(np.ascontiguousarray(x), _w3(w), y, _geo(geo))
    return y


def data_grad(dy, w, geo: dict, x_shape: tuple):
    """The data gradient ``(N, C, H, W)`` of :func:`conv` for head gradient ``dy``."""
    dx = np.empty(x_shape, dtype=dy.dtype)
    _module().backward_data(np.ascontiguousarray(dy), _w3(w), dx, _geo(geo))
    return dx


def weight_grad(dy, x, geo: dict, w_shape: tuple):
    """The weight gradient ``(F, 1, KH, KW)`` of :func:`conv`."""
    dw = np.empty((w_shape[0], *w_shape[2:]), dtype=dy.dtype)
    _module().backward_weight(np.ascontiguousarray(dy), np.ascontiguousarray(x), dw, _geo(geo))
    return dw.reshape(w_shape)


def _w3(w):
    """Weight ``(F, 1, KH, KW)`` as a contiguous ``(F, KH, KW)``."""
    return np.ascontiguousarray(w).reshape(w.shape[0], *w.shape[2:])
