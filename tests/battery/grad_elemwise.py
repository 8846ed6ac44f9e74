"""Battery cases for the gradient records of the elementwise, binary, broadcast, reduce and sort families.

References are written independently of the kernels: derivatives from
their textbook formulas in float64 (digamma by a central difference of
``math.lgamma``), reductions spread back with NumPy broadcasting, sort and
topk gradients by explicit per-row scattering.
"""

from __future__ import annotations

import math

import numpy as np

from . import add, f32

OG = f32(3, 4, seed=40)
X = f32(3, 4, lo=0.2, hi=0.9, seed=41)  # inside every domain (log, arcsin, arctanh, ...)
F = np.float32


def _out(v, like=np.float32):
    return np.asarray(v).astype(like)


# -- _backward_unary ----------------------------------------------------------------------------


def _digamma(v):
    h = 1e-5
    return np.vectorize(lambda t: (math.lgamma(t + h) - math.lgamma(t - h)) / (2 * h))(v)


# op: (forward in float64, derivative in float64 of the forward input)
_UNARY = {
    "exp": (np.exp, np.exp),
    "expm1": (np.expm1, np.exp),
    "log": (np.log, lambda x: 1 / x),
    "log2": (np.log2, lambda x: 1 / (x * math.log(2))),
    "log10": (np.log10, lambda x: 1 / (x * math.log(10))),
    "log1p": (np.log1p, lambda x: 1 / (1 + x)),
    "sqrt": (np.sqrt, lambda x: 0.5 * x**-0.5),
    "rsqrt": (lambda x: x**-0.5, lambda x: -0.5 * x**-1.5),
    "cbrt": (np.cbrt, lambda x: x ** (-2 / 3) / 3),
    "rcbrt": (lambda x: x ** (-1 / 3), lambda x: -(x ** (-4 / 3)) / 3),
    "square": (np.square, lambda x: 2 * x),
    "reciprocal": (lambda x: 1 / x, lambda x: -1 / x**2),
    "abs": (np.abs, np.sign),
    "sin": (np.sin, np.cos),
    "cos": (np.cos, lambda x: -np.sin(x)),
    "tan": (np.tan, lambda x: 1 / np.cos(x) ** 2),
    "arcsin": (np.arcsin, lambda x: 1 / np.sqrt(1 - x**2)),
    "arccos": (np.arccos, lambda x: -1 / np.sqrt(1 - x**2)),
    "arctan": (np.arctan, lambda x: 1 / (1 + x**2)),
    "sinh": (np.sinh, np.cosh),
    "cosh": (np.cosh, np.sinh),
    "tanh": (np.tanh, lambda x: 1 / np.cosh(x) ** 2),
    "arcsinh": (np.arcsinh, lambda x: 1 / np.sqrt(x**2 + 1)),
    "arctanh": (np.arctanh, lambda x: 1 / (1 - x**2)),
    "degrees": (np.degrees, lambda x: np.full_like(x, 180 / math.pi)),
    "radians": (np.radians, lambda x: np.full_like(x, math.pi / 180)),
    "relu": (lambda x: np.maximum(x - 0.5, 0), lambda x: (x - 0.5 > 0) * 1.0),
    "sigmoid": (lambda x: 1 / (1 + np.exp(-x)), lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2),
    "softsign": (lambda x: x / (1 + np.abs(x)), lambda x: 1 / (1 + np.abs(x)) ** 2),
    "erf": (np.vectorize(math.erf), lambda x: 2 / math.sqrt(math.pi) * np.exp(-(x**2))),
    "gamma": (np.vectorize(math.gamma), lambda x: np.vectorize(math.gamma)(x) * _digamma(x)),
    "gammaln": (np.vectorize(math.lgamma), _digamma),
}
_USE_OUT = {"exp", "sqrt", "cbrt", "tan", "tanh", "relu", "sigmoid", "erfinv"}

for _op, (_fwd, _deriv) in _UNARY.items():
    x64 = X.astype(np.float64)
    if _op == "relu":
        x64 = x64 - 0.5  # both signs
        fwd, deriv = (lambda x: np.maximum(x, 0)), (lambda x: (x > 0) * 1.0)
    else:
        fwd, deriv = _fwd, _deriv
    arg = fwd(x64) if _op in _USE_OUT else x64
    want = OG.astype(np.float64) * deriv(x64)
    add("_backward_unary", [OG, _out(arg)], {"op": _op}, ref=lambda og, a, op, _w=want: _out(_w), rtol=1e-4, atol=1e-5, note=_op)

# arccosh needs x > 1; erfinv takes its forward output y (x = erf(y))
_XB = X.astype(np.float64) + 1.5
add("_backward_unary", [OG, _out(_XB)], {"op": "arccosh"}, ref=lambda og, a, op: _out(og / np.sqrt(_XB**2 - 1)), rtol=1e-4, note="arccosh")
_Y = X.astype(np.float64) - 0.5
add("_backward_unary", [OG, _out(_Y)], {"op": "erfinv"}, ref=lambda og, y, op: _out(og * math.sqrt(math.pi) / 2 * np.exp(_Y**2)), rtol=1e-4, note="erfinv")
add(
    "_backward_unary",
    [OG.astype(np.float16), X.astype(np.float16)],
    {"op": "square"},
    ref=lambda og, x, op: (2.0 * og * x).astype(np.float16),
    rtol=2e-3,
    atol=2e-3,
    note="f16",
)

# -- elemwise / broadcast binary ---------------------------------------------------------------

A = f32(3, 4, lo=0.5, hi=2.0, seed=42)
B = f32(3, 4, lo=0.5, hi=2.0, seed=43) + F(0.01)
B_ROW = f32(1, 4, lo=0.5, hi=2.0, seed=44)
B_VEC = f32(4, lo=0.5, hi=2.0, seed=45)
A_COL = f32(3, 1, lo=0.5, hi=2.0, seed=46)


def _pair(fa, fb):
    """Reference: full-shape gradients, summed back to each input's shape."""

    def ref(og, a, b):
        og, a64, b64 = (v.astype(np.float64) for v in (og, a, b))
        gl, gr = fa(og, a64, b64), fb(og, a64, b64)
        return [_sum_to(np.broadcast_to(gl, og.shape), a.shape), _sum_to(np.broadcast_to(gr, og.shape), b.shape)]

    return ref


def _sum_to(g, shape):
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    return _out(g.sum(axis=axes, keepdims=True).reshape(shape))


_BIN = {
    "add": (lambda og, a, b: og, lambda og, a, b: og),
    "sub": (lambda og, a, b: og, lambda og, a, b: -og),
    "mul": (lambda og, a, b: og * b, lambda og, a, b: og * a),
    "div": (lambda og, a, b: og / b, lambda og, a, b: -og * a / b**2),
    "mod": (lambda og, a, b: og, lambda og, a, b: -og * np.floor(a / b)),
    "power": (lambda og, a, b: og * b * a ** (b - 1), lambda og, a, b: og * a**b * np.log(a)),
    "maximum": (lambda og, a, b: og * (a >= b), lambda og, a, b: og * (a < b)),
    "minimum": (lambda og, a, b: og * (a <= b), lambda og, a, b: og * (a > b)),
    "hypot": (lambda og, a, b: og * a / np.hypot(a, b), lambda og, a, b: og * b / np.hypot(a, b)),
}
TIE_B = A.copy()
TIE_B[0] = B[0]  # rows 1, 2 tie with A
for _fam, (_fa, _fb) in _BIN.items():
    _ref = _pair(_fa, _fb)
    if _fam != "add":
        add(f"_backward_{_fam}", [OG, A, TIE_B if _fam in ("maximum", "minimum") else B], ref=_ref, rtol=1e-4)
    add(f"_backward_broadcast_{_fam}", [OG, A, B_ROW], ref=_ref, rtol=1e-4, note="row")
    add(f"_backward_broadcast_{_fam}", [OG, A_COL, B_VEC], ref=_ref, rtol=1e-4, note="col-vec")

# -- scalar ops ------------------------------------------------------------------------------------

_SC = {
    "rdiv": lambda og, x, s: -og * s / x**2,
    "mod": lambda og, x, s: og,
    "rmod": lambda og, x, s: -og * np.floor(s / x),
    "power": lambda og, x, s: og * s * x ** (s - 1),
    "maximum": lambda og, x, s: og * (x >= s),
    "minimum": lambda og, x, s: og * (x <= s),
    "hypot": lambda og, x, s: og * x / np.hypot(x, s),
}
XS = A.copy()
XS[0, 0] = F(1.25)  # ties with the scalar
for _name, _fn in _SC.items():
    add(
        f"_backward_{_name}_scalar",
        [OG, XS],
        {"scalar": 1.25},
        ref=lambda og, x, scalar, _f=_fn: _out(_f(og.astype(np.float64), x.astype(np.float64), scalar)),
        rtol=1e-4,
    )
# integer mod: MXNet 1.9.1 gives zero gradients
_IOG, _IX = np.array([[1, 2, 3]], np.int32), np.array([[5, 7, 9]], np.int32)
add("_backward_mod_scalar", [_IOG, _IX], {"scalar": 3.0}, ref=lambda og, x, scalar: np.zeros_like(og), note="int")
add("_backward_rmod_scalar", [_IOG, _IX], {"scalar": 7.0}, ref=lambda og, x, scalar: np.zeros_like(og), note="int")
add("_backward_broadcast_mod", [_IOG, _IX, np.array([[2]], np.int32)], ref=lambda og, a, b: [np.zeros_like(a), np.zeros_like(b)], note="int")
# rpower takes the forward output y = s ** x: d/dx = y * log(s)
add("_backward_rpower_scalar", [OG, _out(2.5 ** A.astype(np.float64))], {"scalar": 2.5}, ref=lambda og, y, scalar: _out(og * y * math.log(scalar)), rtol=1e-4)

# -- explicit broadcasting -----------------------------------------------------------------------------

OG3 = f32(2, 3, 4, seed=47)
add("_broadcast_backward", [OG3, f32(2, 1, 4, seed=48)], ref=lambda og, d: _out(og.sum(axis=1, keepdims=True)))
add("_broadcast_backward", [OG3, f32(1, 3, 1, seed=49)], ref=lambda og, d: _out(og.sum(axis=(0, 2), keepdims=True)), note="two")
add("_broadcast_backward", [OG3, OG3], ref=lambda og, d: og, note="same")

# -- reductions ---------------------------------------------------------------------------------------------

D = np.random.default_rng(5).permutation(24).reshape(2, 3, 4).astype(np.float32) * F(0.25) + F(0.5)
D[0, 1, 2] = D[0, 1, 0]  # a tie in one max row
DZ = D.copy()
DZ[1, 2, 3] = 0  # a zero in a prod row
DN = D.copy()
DN[0, 0, 1] = np.nan


def _axes(axis, ndim, exclude=False):
    if axis is None or axis == ():
        return tuple(range(ndim))
    ax = tuple(a % ndim for a in ((axis,) if isinstance(axis, int) else axis))
    return tuple(i for i in range(ndim) if i not in ax) if exclude else ax


def _red_ref(kind):
    def ref(og, x, y=None, axis=None, keepdims=False, exclude=False):
        axes = _axes(axis, x.ndim, exclude)
        kshape = tuple(1 if i in axes else d for i, d in enumerate(x.shape))
        g = og.astype(np.float64).reshape(kshape)
        x64 = x.astype(np.float64)
        with np.errstate(all="ignore"):
            if kind == "sum":
                r = np.broadcast_to(g, x.shape)
            elif kind == "mean":
                r = np.broadcast_to(g / math.prod(x.shape[a] for a in axes), x.shape)
            elif kind == "nansum":
                r = np.where(np.isnan(x64), 0.0, g)
            elif kind in ("prod", "nanprod"):
                # product of the other elements, computed directly (nan where MXNet's out/x is 0/0)
                p = np.nanprod(x64, axis=axes, keepdims=True) if kind == "nanprod" else np.prod(x64, axis=axes, keepdims=True)
                r = g * p / x64
                if kind == "nanprod":
                    r = np.where(np.isnan(x64), 0.0, r)
            else:
                r = g * (x64 == y.astype(np.float64).reshape(kshape))
        return _out(r)

    return ref


def _fwd(kind, x, axis=None, keepdims=False, exclude=False):
    fn = {"prod": np.prod, "nanprod": np.nanprod, "max": np.max, "min": np.min}[kind]
    return fn(x, axis=_axes(axis, x.ndim, exclude), keepdims=keepdims)


_RED_PARAMS = [{}, {"axis": 1}, {"axis": (0, 2), "keepdims": True}, {"axis": 1, "exclude": True}]
for _kind in ("sum", "mean", "nansum", "prod", "nanprod", "max", "min"):
    data = {"prod": DZ, "nanprod": DN, "nansum": DN}.get(_kind, D)
    for _prm in _RED_PARAMS:
        oshape = np.asarray(_fwd("max", D, **_prm)).shape or (1,)
        og = f32(*oshape, seed=50)
        ins = [og, data] + ([_out(np.asarray(_fwd(_kind, data, **_prm)).reshape(oshape))] if _kind in ("prod", "nanprod", "max", "min") else [])
        add(f"_backward_{_kind}", ins, _prm, ref=_red_ref(_kind), rtol=1e-4, atol=1e-5)


def _norm_ref(og, x, y, ord=2, axis=None, out_dtype=None, keepdims=False):
    axes = _axes(axis, x.ndim)
    kshape = tuple(1 if i in axes else d for i, d in enumerate(x.shape))
    g = og.astype(np.float64).reshape(kshape)
    x64 = x.astype(np.float64)
    if ord == 1:
        return _out(g * np.sign(x64))
    return _out(g * x64 / np.sqrt((x64**2).sum(axis=axes, keepdims=True)))


DS = D - F(3.0)
for _prm in [{}, {"axis": 1}, {"axis": (0, 2), "keepdims": True}, {"ord": 1, "axis": -1}]:
    axes = _axes(_prm.get("axis"), 3)
    nrm = (
        np.abs(DS).sum(axis=axes, keepdims=_prm.get("keepdims", False))
        if _prm.get("ord") == 1
        else np.sqrt((DS**2).sum(axis=axes, keepdims=_prm.get("keepdims", False)))
    )
    nrm = np.asarray(nrm).reshape(np.asarray(nrm).shape or (1,)).astype(np.float32)
    add("_backward_norm", [f32(*nrm.shape, seed=51), DS, nrm], _prm, ref=_norm_ref, rtol=1e-4)

# -- sort / topk --------------------------------------------------------------------------------------------------


def _scatter_ref(og, idx, data, axis=-1, **_):
    res = np.zeros(data.size if axis is None else data.shape, np.float64)
    if axis is None:
        for j, i in enumerate(idx.astype(np.int64)):
            res[i] = og[j]
        return _out(res.reshape(data.shape))
    ax = axis % data.ndim
    r, g, ii = np.moveaxis(res, ax, -1), np.moveaxis(og, ax, -1), np.moveaxis(idx.astype(np.int64), ax, -1)
    for pos in np.ndindex(*r.shape[:-1]):
        for j in range(g.shape[-1]):
            r[pos + (ii[pos + (j,)],)] = g[pos + (j,)]
    return _out(res)


S = np.random.default_rng(6).permutation(24).reshape(2, 3, 4).astype(np.float32)
_SORT_IDX = np.argsort(S, axis=-1, kind="stable").astype(np.float32)
add("_backward_sort", [f32(2, 3, 4, seed=52), _SORT_IDX, S], ref=_scatter_ref)
add(
    "_backward_sort",
    [f32(24, seed=53), np.argsort(-S.reshape(-1), kind="stable").astype(np.float32), S],
    {"axis": None, "is_ascend": False},
    ref=_scatter_ref,
    note="flat",
)
_TOP_IDX = np.argsort(-S, axis=1, kind="stable")[:, :2].astype(np.float32)
add("_backward_topk", [f32(2, 2, 4, seed=54), _TOP_IDX, S], {"axis": 1, "k": 2, "ret_typ": "value"}, ref=_scatter_ref)
add(
    "_backward_topk",
    [f32(3, seed=55), np.argsort(S.reshape(-1), kind="stable")[:3].astype(np.float32), S],
    {"axis": None, "k": 3, "ret_typ": "both", "is_ascend": True},
    ref=_scatter_ref,
    note="flat",
)
