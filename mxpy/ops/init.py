"""Creation and copy operators: ``_zeros``, ``_ones``, ``_full``, ``_arange``,
``_eye``, ``_linspace``, ``zeros_like``, ``ones_like``, ``_copy``/``identity``, ``Cast``."""

from __future__ import annotations

import math

import numpy as np

from ..registry import OpDef, Param, ShapeError, register
from ._util import ctx_param, dtype_param, shape_param, store


def _creator_type(p, in_types, n_out=1):
    return [], [np.dtype(p.dtype)]


def _no_inputs(g, ograds):
    # creation ops have no inputs, so there is nothing to send a gradient to
    return []


def _fill(value):
    def kernel(p, ins, outs, req, rt):
        store(outs[0], req[0], value if value is not None else p.value)

    return kernel


def _shape_rule(p, in_shapes):
    # in a graph, MXNet 1.x's legacy shape mode reads a 0 dim as "unknown": the
    # graph's shape pass marks it so and consumers fill it in (a zero begin state
    # of batch 0); imperatively it is a real zero-size dim
    return [], [tuple(p.shape)]


_CREATE = {"shape": shape_param(doc="shape of the new array"), "ctx": ctx_param(), "dtype": dtype_param()}

register(
    OpDef(
        "_zeros",
        _fill(0),
        params=_CREATE,
        inputs=(),
        creates=True,
        gradient=_no_inputs,
        infer_shape=_shape_rule,
        infer_type=_creator_type,
        doc="An array of zeros.",
    )
)
register(
    OpDef(
        "_ones",
        _fill(1),
        params=_CREATE,
        inputs=(),
        creates=True,
        gradient=_no_inputs,
        infer_shape=_shape_rule,
        infer_type=_creator_type,
        doc="An array of ones.",
    )
)
register(
    OpDef(
        "_full",
        _fill(None),
        params={**_CREATE, "value": Param("float", doc="fill value")},
        inputs=(),
        creates=True,
        gradient=_no_inputs,
        infer_shape=_shape_rule,
        infer_type=_creator_type,
        doc="An array filled with value.",
    )
)


def _arange_len(p) -> int:
    start, stop, step = p.start, p.stop, p.step
    if stop is None:
        start, stop = 0.0, start
    if step == 0:
        raise ShapeError("step must not be 0")
    return max(0, int(math.ceil((stop - start) / step))) * p.repeat


def _arange_kernel(p, ins, outs, req, rt):
    start, stop = (0.0, p.start) if p.stop is None else (p.start, p.stop)
    n = _arange_len(p) // p.repeat
    step = p.step
    if np.dtype(outs[0].dtype).kind in "iub":
        # integer dtypes cast start and step first, as MXNet (and NumPy): arange(1.3, 456.6, 1.3)
        # as int32 is 1, 2, ..., 351, not the truncated float values 1, 2, ..., 456
        start, step = float(int(start)), float(int(step))
    vals = start + step * rt.xp.arange(n, dtype=np.float64)
    if p.repeat > 1:
        vals = rt.xp.repeat(vals, p.repeat)
    store(outs[0], req[0], vals.astype(outs[0].dtype))


register(
    OpDef(
        "_arange",
        _arange_kernel,
        params={
            "start": Param("float", doc="first value (the end when stop is None, counting from 0)"),
            "stop": Param("float", None, doc="end of the range, excluded"),
            "step": Param("float", 1.0, doc="spacing between values"),
            "repeat": Param("int", 1, low=1, doc="times each value is repeated"),
            "infer_range": Param("bool", False, doc="infer stop from the output shape (symbolic use)"),
            "ctx": ctx_param(),
            "dtype": dtype_param(),
        },
        inputs=(),
        creates=True,
        gradient=_no_inputs,
        infer_shape=lambda p, s: ([], [(_arange_len(p),)]),
        infer_type=_creator_type,
        doc="Evenly spaced values in [start, stop).",
    )
)


def _eye_kernel(p, ins, outs, req, rt):
    m = p.M if p.M > 0 else p.N
    store(outs[0], req[0], rt.xp.eye(p.N, m, p.k, dtype=outs[0].dtype))


register(
    OpDef(
        "_eye",
        _eye_kernel,
        params={
            "N": Param("int", low=0, doc="number of rows"),
            "M": Param("int", 0, low=0, doc="number of columns (0: same as N)"),
            "k": Param("int", 0, doc="diagonal index: 0 the main one, > 0 above, < 0 below"),
            "ctx": ctx_param(),
            "dtype": dtype_param(),
        },
        inputs=(),
        creates=True,
        gradient=_no_inputs,
        infer_shape=lambda p, s: ([], [(p.N, p.M if p.M > 0 else p.N)]),
        infer_type=_creator_type,
        doc="Ones on the k-th diagonal.",
    )
)


def _linspace_kernel(p, ins, outs, req, rt):
    store(outs[0], req[0], rt.xp.linspace(p.start, p.stop, p.num, endpoint=p.endpoint, dtype=np.float64).astype(outs[0].dtype))


register(
    OpDef(
        "_linspace",
        _linspace_kernel,
        params={
            "start": Param("float", doc="first value"),
            "stop": Param("float", doc="last value (included when endpoint=True)"),
            "num": Param("int", low=0, doc="number of values"),
            "endpoint": Param("bool", True, doc="include stop as the last value"),
            "ctx": ctx_param(),
            "dtype": dtype_param(),
        },
        inputs=(),
        creates=True,
        gradient=_no_inputs,
        infer_shape=lambda p, s: ([], [(p.num,)]),
        infer_type=_creator_type,
        doc="num evenly spaced values.",
    )
)


def _like(value):
    def kernel(p, ins, outs, req, rt):
        store(outs[0], req[0], value)

    return kernel


# the outputs are constant: no gradient reaches data
register(OpDef("zeros_like", _like(0), gradient=lambda g, ograds: [None], doc="Zeros with the shape and dtype of data."))
register(OpDef("ones_like", _like(1), gradient=lambda g, ograds: [None], doc="Ones with the shape and dtype of data."))


def _copy_kernel(p, ins, outs, req, rt):
    if ins[0] is not outs[0]:
        store(outs[0], req[0], ins[0])


register(OpDef("_copy", _copy_kernel, aliases=("identity",), inplace=((0, 0),), gradient=lambda g, ograds: [ograds[0]], doc="A copy of data."))
# lhs passed through, its shape and dtype tied to rhs's (both ways): MXNet uses it to
# let shape inference run backwards through ops that cannot (broadcast_add)
register(
    OpDef(
        "_identity_with_attr_like_rhs",
        _copy_kernel,
        inputs=("lhs", "rhs"),
        inplace=((0, 0),),
        gradient=lambda g, ograds: [ograds[0], None],
        doc=(
            "lhs unchanged; its shape and dtype are inferred to equal rhs's (rhs's values are not read).\n\n"
            "Parameters\n----------\nlhs : the array passed through.\nrhs : the array whose shape and dtype lhs takes.\n\n"
            ">>> mx.nd._internal._identity_with_attr_like_rhs(mx.nd.ones((2,)), mx.nd.zeros((2,))).asnumpy().tolist()\n[1.0, 1.0]"
        ),
    )
)


def _cast_kernel(p, ins, outs, req, rt):
    store(outs[0], req[0], ins[0].astype(outs[0].dtype, copy=False))


def _cast_type(p, in_types, n_out=1):
    return list(in_types), [np.dtype(p.dtype)]


def _grad_cast(g, ograds):
    # data is read for its dtype only: the gradient is cast back to it
    return [None if ograds[0] is None else g.op1("_backward_Cast", [ograds[0], g.inputs[0]])]


register(
    OpDef(
        "Cast",
        _cast_kernel,
        params={"dtype": Param("dtype", doc="the dtype to convert to")},
        aliases=("cast",),
        infer_type=_cast_type,
        gradient=_grad_cast,
        doc="Convert data to dtype.\n\n>>> mx.nd.cast(mx.nd.ones((2,)), dtype='float16').dtype\n<class 'numpy.float16'>",
    )
)
register(
    OpDef(
        "_backward_Cast",
        _cast_kernel,
        inputs=("ograd", "data"),
        infer_shape=lambda p, s: (list(s), [s[0]]),
        infer_type=lambda p, t, n_out=1: (list(t), [t[1]]),
        doc="Gradient of Cast: ograd converted back to data's dtype.",
    )
)
