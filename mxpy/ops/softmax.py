"""Softmax family: ``softmax`` (with optional ``length``), ``log_softmax`` and ``softmin``.

Every row is shifted by its maximum before ``exp`` so large inputs cannot
overflow, then divided by ``temperature``: ``exp((x - max) / t) / sum``.
float16 data is computed in float32 (MXNet's safe-accumulation mode) and
float64 data or output in float64. A NaN anywhere in a row makes the whole row
NaN, as MXNet's own kernel does (its optional oneDNN float32 path differs).
"""

from __future__ import annotations

import numpy as np

from ..registry import OpDef, Param, ShapeError, names, register
from ._util import row_max, store

_FLOATS = ("float16", "float32", "float64")


def _params() -> dict:
    return {
        "axis": Param("int", -1, "the axis to normalise over"),
        "temperature": Param("float", None, "divide the shifted inputs by this (None means 1)"),
        "dtype": Param("dtype", None, "output dtype (None: the input dtype)", choices=_FLOATS),
        "use_length": Param("bool", False, "mask each row after its 'length' entries", optional=True),
    }


def _norm_axis(axis: int, ndim: int) -> int:
    if not -ndim <= axis < ndim:
        raise ShapeError(f"axis={axis} is out of range for an input of {ndim} dimension(s); expected a value in [{-ndim}, {ndim - 1}]")
    return axis + ndim if axis < 0 else axis


def _shape_rule(opname: str, with_length: bool):
    def rule(p, in_shapes):
        use = bool(p.use_length)
        if use and not with_length:
            raise ShapeError(f"use_length=True is not supported by {opname}; only softmax takes a 'length' input")
        want = 2 if use else 1
        if len(in_shapes) != want:
            raise ShapeError(f"expected {want} input(s) with use_length={use}, given {len(in_shapes)}")
        data = in_shapes[0]
        if data is None:
            return list(in_shapes), None
        ax = _norm_axis(p.axis, len(data))
        shapes = [tuple(data)]
        if use:
            lshape = tuple(data[:ax]) + tuple(data[ax + 1 :])
            if in_shapes[1] is not None and tuple(in_shapes[1]) != lshape:
                raise ShapeError(f"input 'length' has shape {tuple(in_shapes[1])}, expected {lshape} (data shape without axis {p.axis})")
            shapes.append(lshape)
        return shapes, [tuple(data)]

    return rule


def _type_rule(p, in_types, n_out=1):
    t = in_types[0]
    if t is not None and np.dtype(t).kind != "f":
        raise ShapeError(f"input 'data' has dtype {np.dtype(t).name}, expected a floating point dtype ({', '.join(_FLOATS)})")
    # a float 'length' fails when the kernel runs, as in MXNet (binding such a graph works)
    out = np.dtype(p.dtype) if p.dtype is not None else t
    return list(in_types), [out]


def _compute_dtype(in_dt: np.dtype, out_dt: np.dtype) -> np.dtype:
    # float16 accumulates in float32; a float64 input or output computes in float64
    return np.dtype(np.float64) if np.float64 in (in_dt, out_dt) else np.dtype(np.float32)


def _kernel(log: bool, negate: bool):
    def kernel(p, ins, outs, req, rt):
        xp = rt.xp
        x, out = ins[0], outs[0]
        if x.size == 0:
            return
        ax = p.axis + x.ndim if p.axis < 0 else p.axis
        t = 1.0 if p.temperature is None else p.temperature
        z = x.astype(_compute_dtype(x.dtype, out.dtype))  # a fresh buffer we may overwrite
        if negate:
            xp.negative(z, out=z)
        valid = None
        if len(ins) > 1:
            if ins[1].dtype.kind not in "iu":
                raise TypeError(f"input 'length' has dtype {ins[1].dtype.name}, expected an integer dtype")
            n = x.shape[ax]
            pos = xp.arange(n).reshape((n,) + (1,) * (x.ndim - 1 - ax))
            valid = pos < xp.expand_dims(ins[1], ax)
            z = xp.where(valid, z, -xp.inf)
        # the reductions run outside errstate, where NumPy's are ~2x faster on short rows:
        # max never warns, and with t > 0 every exp is in [0, 1] (or NaN), so the sum
        # cannot overflow; a NaN anywhere in the row makes the max, and so the row, NaN
        m = row_max(xp, z, ax)
        with np.errstate(all="ignore"):
            z -= m
            if t != 1.0:
                z /= t
            e = xp.exp(z) if log else xp.exp(z, out=z)
        if t > 0:
            s = e.sum(axis=ax, keepdims=True)
        else:
            with np.errstate(all="ignore"):
                s = e.sum(axis=ax, keepdims=True)
        with np.errstate(all="ignore"):
            if log:
                z -= xp.log(s)
            else:
                z /= s
            if valid is not None:  # entries past the length (and rows of length 0) are 0
                z = xp.where(valid, z, 0)
        store(out, req[0], z.astype(out.dtype, copy=False))

    return kernel


def _backward_kernel(log: bool, negate: bool):
    def kernel(p, ins, outs, req, rt):
        xp = rt.xp
        og, y, data = ins
        if data.size == 0:
            return
        ax = p.axis + data.ndim if p.axis < 0 else p.axis
        t = 1.0 if p.temperature is None else p.temperature
        ct = _compute_dtype(data.dtype, y.dtype)
        og, y = og.astype(ct, copy=False), y.astype(ct, copy=False)
        with np.errstate(all="ignore"):
            if log:  # y = z - logsumexp(z): dz = og - softmax(z) * sum(og)
                g = og - xp.exp(y) * og.sum(axis=ax, keepdims=True)
            else:  # y = softmax(z): dz = y * (og - sum(og * y))
                g = y * (og - (og * y).sum(axis=ax, keepdims=True))
            # z = +-x / t
            g *= (-1.0 if negate else 1.0) / t
        store(outs[0], req[0], g.astype(outs[0].dtype, copy=False))

    return kernel


def _backward_shape(p, in_shapes):
    known = next((s for s in in_shapes if s is not None), None)
    return [known] * 3, [known]


def _backward_type(p, in_types, n_out=1):
    return list(in_types), [in_types[2]]


def _gradient(name: str):
    def rule(g, ograds):
        if ograds[0] is None:
            return [None] * len(g.inputs)
        grad = g.op1(name, [ograds[0], g.outputs[0], g.inputs[0]], g.attrs)
        return [grad] + [None] * (len(g.inputs) - 1)  # 'length' gets no gradient

    return rule


for _name, _log, _neg in (("softmax", False, False), ("log_softmax", True, False), ("softmin", False, True)):
    register(
        OpDef(
            f"_backward_{_name}",
            _backward_kernel(_log, _neg),
            params=_params(),
            inputs=("ograd", "output", "data"),
            infer_shape=_backward_shape,
            infer_type=_backward_type,
            doc=f"Gradient of {_name} with respect to its data.",
        )
    )


@names("data", "length")
def _softmax_inputs(p) -> list[str]:
    return ["data", "length"] if p.use_length else ["data"]


register(
    OpDef(
        "softmax",
        _kernel(log=False, negate=False),
        params=_params(),
        inputs=_softmax_inputs,
        infer_shape=_shape_rule("softmax", True),
        infer_type=_type_rule,
        gradient=_gradient("_backward_softmax"),
        doc="""Softmax along ``axis``: ``exp((x - max) / temperature)`` normalised to sum 1.

With ``use_length=True`` a second input ``length`` (integers, the data shape
without ``axis``) keeps only the first ``length`` entries of each row; the
rest are 0.

>>> import mxpy as mx
>>> mx.nd.softmax(mx.nd.array([[1, 2, 3]])).asnumpy().round(4)
array([[0.09  , 0.2447, 0.6652]], dtype=float32)
""",
    )
)

register(
    OpDef(
        "log_softmax",
        _kernel(log=True, negate=False),
        params=_params(),
        infer_shape=_shape_rule("log_softmax", False),
        infer_type=_type_rule,
        gradient=_gradient("_backward_log_softmax"),
        doc="""Log of the softmax along ``axis``, computed stably as ``z - log(sum(exp(z)))``.

>>> import mxpy as mx
>>> mx.nd.log_softmax(mx.nd.array([[0, 0]])).asnumpy().round(4)
array([[-0.6931, -0.6931]], dtype=float32)
""",
    )
)

register(
    OpDef(
        "softmin",
        _kernel(log=False, negate=True),
        params=_params(),
        infer_shape=_shape_rule("softmin", False),
        infer_type=_type_rule,
        gradient=_gradient("_backward_softmin"),
        doc="""Softmax of ``-data`` along ``axis``: small values get large weights.

>>> import mxpy as mx
>>> mx.nd.softmin(mx.nd.array([[1, 2, 3]])).asnumpy().round(4)
array([[0.6652, 0.2447, 0.09  ]], dtype=float32)
""",
    )
)
