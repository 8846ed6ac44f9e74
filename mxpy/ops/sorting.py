"""Sorting operators: ``sort``, ``argsort`` and ``topk``.

Ties keep their input order in both directions (a descending sort lists equal
values by ascending index). MXNet's CPU kernel does the same for rows of up to
16 elements; beyond that its ``std::sort`` leaves the order of ties
unspecified, so a stable order is the one reproducible choice. Indices are
returned as floats (``dtype``, default float32) like MXNet's.
"""

from __future__ import annotations

import numpy as np

from ..registry import OpDef, Param, ShapeError, forward_shape, get, register
from ._util import store

_IDX_DTYPES = ("float16", "float32", "float64", "int32", "int64", "uint8")


def _sort_axis(p, shape) -> int | None:
    """Normalised axis, or None for 'flatten first'; ShapeError names the valid range."""
    if p.axis is None:
        return None
    nd = len(shape)
    ax = p.axis + nd if p.axis < 0 else p.axis
    if not 0 <= ax < nd:
        raise ShapeError(f"axis={p.axis} is out of range for an input of {nd} dimension(s); expected a value in [{-nd}, {nd - 1}]")
    return ax


def _flat(x, axis):
    return (x.reshape(-1), 0) if axis is None else (x, axis)


def stable_argsort(xp, x, axis: int, ascend: bool):
    """Indices that sort ``x`` along ``axis``; equal values keep their input order."""
    kw = {"kind": "stable"} if xp is np else {}  # CuPy's sort is always stable
    if ascend:
        return xp.argsort(x, axis=axis, **kw)
    # descending and stable: sort the reversed array ascending, then undo the reversal
    n = x.shape[axis]
    rev = xp.flip(xp.argsort(xp.flip(x, axis=axis), axis=axis, **kw), axis=axis)
    return (n - 1) - rev


def _topk_k(p, n: int) -> int:
    k = p.k if p.k > 0 else n  # k <= 0 means every element, as in MXNet
    if k > n:
        raise ShapeError(f"k={p.k} is larger than the {n} element(s) along the axis; expected k <= {n}")
    return k


# -- gradients: scatter the out-grad back through the (hidden) indices output ---------------


def _scatter_back(xp, og, idx, shape, axis):
    """Zeros of ``shape`` with ``og`` placed at ``idx`` along ``axis`` (None: the flattened array).

    The indices of one row are distinct (a permutation prefix), so plain
    assignment needs no accumulation.
    """
    n = 1
    for d in shape:
        n *= d
    flat_shape = (n,) if axis is None else shape
    ax = 0 if axis is None else axis
    g = xp.moveaxis(og, ax, -1)
    i = xp.moveaxis(idx, ax, -1).astype(np.int64)
    k = g.shape[-1]
    res = xp.zeros(tuple(d for j, d in enumerate(flat_shape) if j != ax) + (flat_shape[ax],), og.dtype)
    rows = res.reshape(-1, flat_shape[ax])
    m = rows.shape[0]
    rows[xp.arange(m)[:, None], i.reshape(m, k)] = g.reshape(m, k)
    return xp.moveaxis(res, -1, ax).reshape(shape)


def _backward_kernel(p, ins, outs, req, rt):
    if req[0] == "null":
        return
    og, idx, data = ins
    store(outs[0], req[0], _scatter_back(rt.xp, og, idx, data.shape, _sort_axis(p, data.shape)))


def _index_gradient(name: str):
    def rule(g, ograds):
        if ograds[0] is None or (name == "_backward_topk" and g.p.ret_typ not in ("value", "both")):
            return [None]  # indices and masks are piecewise constant
        return [g.op1(name, [ograds[0], g.outputs[1], g.inputs[0]], g.attrs)]

    return rule


def _backward_shape(p, in_shapes):
    return list(in_shapes), [in_shapes[2]]


def _backward_type(p, in_types):
    return list(in_types), [in_types[0]]


# -- sort / argsort -----------------------------------------------------------------------------


def _sort_shape(p, data):
    ax = _sort_axis(p, data)
    if ax is None:
        n = int(np.prod(data, dtype=np.int64))
        return [(n,), (n,)]
    return [tuple(data), tuple(data)]


def _sort_type(p, in_types, n_out=2):
    return list(in_types), [in_types[0], np.dtype(np.float32)]


def _sort_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    x, ax = _flat(ins[0], _sort_axis(p, ins[0].shape))
    idx = stable_argsort(xp, x, ax, p.is_ascend)
    store(outs[0], req[0], xp.take_along_axis(x, idx, axis=ax))
    if len(outs) > 1:  # the hidden indices output (kept for a backward pass)
        store(outs[1], req[1], idx.astype(outs[1].dtype))


_SORT_PARAMS = {
    "axis": Param("int", -1, "axis to sort along; None sorts the flattened array", optional=True),
    "is_ascend": Param("bool", True, "ascending (True) or descending order"),
}

register(
    OpDef(
        "sort",
        _sort_kernel,
        params=_SORT_PARAMS,
        outputs=("output0", "output1"),
        num_visible_outputs=lambda p: 1,
        infer_shape=forward_shape(_sort_shape),
        infer_type=_sort_type,
        gradient=_index_gradient("_backward_sort"),
        doc="""Sort ``data`` along ``axis`` (None: the flattened array).

>>> import mxpy as mx
>>> mx.nd.sort(mx.nd.array([[3, 1, 2]]), is_ascend=False).asnumpy()
array([[3., 2., 1.]], dtype=float32)
""",
    )
)


def _argsort_shape(p, data):
    return _sort_shape(p, data)[0]


def _argsort_type(p, in_types, n_out=1):
    return list(in_types), [np.dtype(p.dtype)]


def _argsort_kernel(p, ins, outs, req, rt):
    x, ax = _flat(ins[0], _sort_axis(p, ins[0].shape))
    store(outs[0], req[0], stable_argsort(rt.xp, x, ax, p.is_ascend).astype(outs[0].dtype))


register(
    OpDef(
        "argsort",
        _argsort_kernel,
        params={**_SORT_PARAMS, "dtype": Param("dtype", "float32", "dtype of the returned indices", choices=_IDX_DTYPES)},
        infer_shape=forward_shape(_argsort_shape),
        infer_type=_argsort_type,
        gradient=lambda g, ograds: [None],  # indices are piecewise constant: no gradient
        doc="""Indices that sort ``data`` along ``axis``, as ``dtype`` (float32 by default).

>>> import mxpy as mx
>>> mx.nd.argsort(mx.nd.array([[3, 1, 2]])).asnumpy()
array([[1., 2., 0.]], dtype=float32)
""",
    )
)


# -- topk ------------------------------------------------------------------------------------


def _topk_outputs(p) -> list[str]:
    # MXNet's layout: 'value' keeps the indices as a hidden second output
    return ["output0", "output1"] if p.ret_typ in ("value", "both") else ["output"]


def _topk_shape(p, data):
    ax = _sort_axis(p, data)
    if ax is None:
        n = int(np.prod(data, dtype=np.int64))
        picked: tuple = (_topk_k(p, n),)
    else:
        picked = tuple(data[:ax]) + (_topk_k(p, data[ax]),) + tuple(data[ax + 1 :])
    if p.ret_typ == "mask":
        return tuple(data)
    if p.ret_typ == "indices":
        return picked
    return [picked, picked]


def _topk_type(p, in_types, n_out=1):
    t = in_types[0]
    idx = np.dtype(p.dtype)
    if p.ret_typ in ("value", "both"):
        return list(in_types), [t, idx]
    return list(in_types), [t if p.ret_typ == "mask" else idx]


def _topk_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    data = ins[0]
    x, ax = _flat(data, _sort_axis(p, data.shape))
    n = x.shape[ax]
    k = _topk_k(p, n)
    order = stable_argsort(xp, x, ax, p.is_ascend)
    if p.ret_typ == "mask":
        # rank of each element = inverse permutation of the sort order
        rank = xp.argsort(order, axis=ax)
        store(outs[0], req[0], (rank < k).astype(data.dtype).reshape(data.shape))
        return
    top = xp.take(order, xp.arange(k), axis=ax)
    if p.ret_typ == "indices":
        store(outs[0], req[0], top.astype(outs[0].dtype))
        return
    store(outs[0], req[0], xp.take_along_axis(x, top, axis=ax))
    store(outs[1], req[1], top.astype(outs[1].dtype))


register(
    OpDef(
        "topk",
        _topk_kernel,
        params={
            "axis": Param("int", -1, "axis to search along; None searches the flattened array", optional=True),
            "k": Param("int", 1, "how many elements to return; k <= 0 returns all"),
            "ret_typ": Param("str", "indices", "what to return", choices=("both", "indices", "mask", "value")),
            "is_ascend": Param("bool", False, "return the k smallest (True) or largest (False)"),
            "dtype": Param("dtype", "float32", "dtype of returned indices", choices=_IDX_DTYPES),
        },
        outputs=_topk_outputs,
        num_visible_outputs=lambda p: 2 if p.ret_typ == "both" else 1,
        infer_shape=forward_shape(_topk_shape),
        infer_type=_topk_type,
        gradient=_index_gradient("_backward_topk"),
        doc="""The top ``k`` elements along ``axis``: their indices, values, both, or a 0/1 mask.

>>> import mxpy as mx
>>> x = mx.nd.array([[3, 1, 2, 5]])
>>> mx.nd.topk(x, k=2).asnumpy()
array([[3., 0.]], dtype=float32)
>>> [o.asnumpy().tolist() for o in mx.nd.topk(x, k=2, ret_typ='both')]
[[[5.0, 3.0]], [[3.0, 0.0]]]
""",
    )
)


_TOPK_PARAMS = get("topk").params
for _name, _params in (("sort", _SORT_PARAMS), ("topk", _TOPK_PARAMS)):
    register(
        OpDef(
            f"_backward_{_name}",
            _backward_kernel,
            params=_params,
            inputs=("ograd", "indices", "data"),
            infer_shape=_backward_shape,
            infer_type=_backward_type,
            doc=f"Gradient of {_name}: the out-grad of the values scattered to the positions its indices output names.",
        )
    )
