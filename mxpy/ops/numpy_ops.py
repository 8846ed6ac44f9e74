"""NumPy-semantics operators of ``mx.np`` / ``mx.npx``: ``_np_reshape`` and ``_npi_around``.

``_npi_around`` rounds half to even (NumPy's ``around``), which neither the
legacy ``round`` (half away from zero) nor ``rint`` does. The legacy ``Reshape`` reads 0 as "copy this dim" and has no 0-d result; the
NumPy front end needs NumPy's rule (one ``-1`` is inferred, 0 is a zero-size
dim, ``()`` is a scalar). Every other ``mx.np`` function maps onto the legacy
records.
"""

from __future__ import annotations

import math

from ..registry import REQUIRED, OpDef, Param, ShapeError, forward_shape, register
from ._util import store


def np_reshape_target(src: tuple, newshape: tuple) -> tuple:
    """NumPy's reshape rule: at most one -1, inferred from the size.

    >>> np_reshape_target((2, 3), (-1,))
    (6,)
    >>> np_reshape_target((1,), ())
    ()
    """
    newshape = tuple(int(d) for d in newshape)
    total = math.prod(src)
    unknown = [k for k, d in enumerate(newshape) if d == -1]
    if len(unknown) > 1 or any(d < -1 for d in newshape):
        raise ShapeError(f"newshape {newshape} may hold one -1 and otherwise non-negative dims")
    if unknown:
        known = math.prod(d for d in newshape if d != -1)
        if known == 0 or total % known:
            raise ShapeError(f"cannot reshape array of size {total} into shape {newshape}")
        out = list(newshape)
        out[unknown[0]] = total // known
        newshape = tuple(out)
    if math.prod(newshape) != total:
        raise ShapeError(f"cannot reshape array of size {total} into shape {newshape}")
    return newshape


def _np_reshape_rule(p, data):
    if p.order != "C":
        raise ShapeError(f"order={p.order!r} is not supported; only 'C'")
    return np_reshape_target(tuple(data), tuple(p.newshape))


def _reshape_kernel(p, ins, outs, req, rt):
    store(outs[0], req[0], ins[0].reshape(outs[0].shape))


def _grad_np_reshape(g, ograds):
    if ograds[0] is None:
        return [None]
    return [g.op1("_backward_np_reshape", [ograds[0], g.inputs[0]])]


register(
    OpDef(
        "_np_reshape",
        _reshape_kernel,
        params={
            "newshape": Param("shape", REQUIRED, "the new shape; one -1 is inferred, () is a scalar"),
            "order": Param("str", "C", "element order; only 'C'"),
        },
        infer_shape=forward_shape(_np_reshape_rule),
        inplace=((0, 0),),
        gradient=_grad_np_reshape,
        doc="Reshape with NumPy's rule (``mx.np.reshape``).\n\n>>> mx.nd._np_reshape(mx.nd.ones((2, 3)), newshape=(-1,)).shape\n(6,)",
    )
)


# reshape_like cannot serve as the gradient: its legacy rule has no 0-d side
register(
    OpDef(
        "_backward_np_reshape",
        _reshape_kernel,
        inputs=("ograd", "data"),
        infer_shape=lambda p, s: (list(s), [s[1]]),
        infer_type=lambda p, t: (list(t), [t[0]]),
        doc="Gradient of _np_reshape: ograd reshaped to data's shape (data is read for its shape only).",
    )
)


def _around_kernel(p, ins, outs, req, rt):
    store(outs[0], req[0], rt.xp.around(ins[0], p.decimals))


register(
    OpDef(
        "_npi_around",
        _around_kernel,
        params={"decimals": Param("int", 0, "number of decimal places (negative: to tens, hundreds...)")},
        gradient=lambda g, ograds: [None],  # piecewise constant: no gradient, as MXNet
        doc="Round half to even to ``decimals`` places (``mx.np.around``).\n\n>>> mx.nd._npi_around(mx.nd.array([0.5, 1.5, 2.5])).asnumpy().tolist()\n[0.0, 2.0, 2.0]",
    )
)
