"""Battery cases for _split_v2, batch_take, ravel/unravel_index, _histogram, im2col/col2im, the AMP casts and all_finite."""

from __future__ import annotations

import numpy as np

from . import add, f32
from ._pair import add_pair

X = f32(4, 5, seed=90)
add_pair("_split_v2", [X], {"indices": (0, 1, 3), "axis": 0}, lambda x, **p: np.split(x, [1, 3], axis=0))
add_pair("_split_v2", [X], {"indices": (), "sections": 5, "axis": 1, "squeeze_axis": True}, lambda x, **p: [x[:, i] for i in range(5)], note="squeeze")
add(
    "batch_take",
    [X, np.array([4, 0, 9, 2], np.int32)],
    {},
    lambda a, i: a[np.arange(4), np.clip(i, 0, 4)],
    no_grad_reason="MXNet 1.9.1 registers no gradient for batch_take (binding with a gradient for `a` is an error)",
)
IDX = np.array([[1, 2, 0], [2, 0, 3]], np.float32)
add(
    "_ravel_multi_index",
    [IDX],
    {"shape": (3, 4)},
    lambda d, shape: np.ravel_multi_index(d.astype(int), shape).astype(d.dtype),
    no_grad_reason="integer indices",
)
add(
    "_unravel_index",
    [np.array([5, 7, 11], np.float32)],
    {"shape": (-1, 4)},
    lambda d, shape: np.array(np.unravel_index(d.astype(int), (3, 4))).astype(d.dtype),
    no_grad_reason="integer indices",
)
DATA = np.array([0.1, 0.5, 0.7, 3.0, 2.0, 1.2], np.float32)
add(
    "_histogram",
    [DATA],
    {"bin_cnt": 3, "range": (0, 3)},
    lambda d, bin_cnt, range: [np.histogram(d, bin_cnt, range)[0].astype(np.int64), np.histogram(d, bin_cnt, range)[1].astype(d.dtype)],
    no_grad_reason="counts",
)
EDGES = np.array([0.0, 1.0, 2.5], np.float32)
add("_histogram", [DATA, EDGES], {}, lambda d, b: [np.histogram(d, b)[0].astype(np.int64), b], note="edges", no_grad_reason="counts")


def _im2col(x, kernel, stride=(), dilate=(), pad=()):
    stride = stride or (1,) * len(kernel)
    dilate = dilate or (1,) * len(kernel)
    pad = pad or (0,) * len(kernel)
    xp = np.pad(x, ((0, 0), (0, 0), *[(q, q) for q in pad]))
    n, c, h, w = xp.shape
    kh, kw = kernel
    oh = (h - dilate[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (w - dilate[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, c * kh * kw, oh * ow), x.dtype)
    for ch in range(c):
        for a in range(kh):
            for b in range(kw):
                win = xp[
                    :,
                    ch,
                    a * dilate[0] : a * dilate[0] + stride[0] * (oh - 1) + 1 : stride[0],
                    b * dilate[1] : b * dilate[1] + stride[1] * (ow - 1) + 1 : stride[1],
                ]
                out[:, (ch * kh + a) * kw + b] = win.reshape(n, -1)
    return out


IMG = f32(1, 2, 4, 5, seed=91)
add_pair("im2col", [IMG], {"kernel": (2, 3), "stride": (1, 2), "pad": (1, 0)}, _im2col)


def _col2im(cols, output_size, kernel, stride=(), dilate=(), pad=()):
    # the adjoint of im2col: sum the columns of a basis image by image
    n, ck, length = cols.shape
    c = ck // int(np.prod(kernel))
    out = np.zeros((n, c, *output_size))
    for idx in np.ndindex(out.shape[1:]):
        basis = np.zeros((1, c, *output_size), np.float64)
        basis[(0, *idx)] = 1
        out[(slice(None), *idx)] = (cols * _im2col(basis, kernel, stride, dilate, pad)).sum((1, 2))
    return out.astype(cols.dtype)


add_pair("col2im", [f32(1, 8, 4, seed=92)], {"output_size": (3, 4), "kernel": (2, 2), "stride": (1, 1), "dilate": (1, 2)}, _col2im, rtol=1e-5)


def _amp_cast(x, dtype):
    # the float64 copies of the numerical gradient stay float64, so differences survive
    return x if x.dtype == np.float64 else x.astype(dtype)


F16 = "a float16 output rounds central differences away; the _backward_ case checks the gradient"
add_pair("amp_cast", [X], {"dtype": "float16"}, _amp_cast, rtol=1e-3, atol=1e-3, no_grad_reason=F16)
add_pair(
    "amp_multicast",
    [X.astype(np.float16), X[:2]],
    {"num_outputs": 2},
    lambda a, b, **p: [a.astype(np.float32), b],
    brtol=1e-2,
    batol=1e-2,
)
add("all_finite", [np.array([1.0, np.inf], np.float32)], {}, lambda x: np.array([0.0], np.float32), no_grad_reason="a flag")
add("multi_all_finite", [X, X[:1]], {"num_arrays": 2}, lambda a, b, **p: np.array([1.0], np.float32), no_grad_reason="a flag")
