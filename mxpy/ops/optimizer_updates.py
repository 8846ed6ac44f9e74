"""Optimizer update operators: ``sgd_update``, ``adam_update``, ``ftrl_update`` and kin.

Each op reads ``weight`` and ``grad``, writes the new weight to its output
(optimizers pass ``out=weight``, so the update happens in place) and updates
its state inputs (``mom``, ``mean``/``var``, ``weight32``...) in place. Those
state inputs are declared as ``aux``: the dispatcher then orders them as
engine writes, and in a Symbol they are auxiliary states, as MXNet's
``FMutateInputs`` makes them.

Math follows MXNet 1.9.1 (checked against it, see
``tests/golden/make_optimizer.py``). Arithmetic runs in the weight's dtype
with the float params cast to it, as MXNet's kernels do; the ``mp_*`` ops run
in the float32 master copy ``weight32`` and write the float16 weight from it.
``clip_gradient < 0`` means no clipping. Weight decay enters as ``wd * weight``
added to the gradient (or as ``(1 - lr * wd) * weight`` for plain SGD).
"""

from __future__ import annotations

import functools

import numpy as np

from ..registry import REQUIRED, OpDef, Param, ShapeError, register
from ._util import quiet, store

_F32 = np.dtype(np.float32)


def _p(kind: str, default, doc: str) -> Param:
    return Param(kind, default, doc)


_LR = {"lr": _p("float", REQUIRED, "learning rate")}
_WD = {"wd": _p("float", 0.0, "weight decay, added to the gradient as wd * weight")}
_RESCALE = {"rescale_grad": _p("float", 1.0, "gradient scale, applied first")}
_CLIP = {"clip_gradient": _p("float", -1.0, "clip the rescaled gradient to [-c, c]; negative means no clipping")}
_LAZY = {"lazy_update": _p("bool", True, "row_sparse gradients: update only the rows present (dense: no effect)")}
_MOM = {"momentum": _p("float", 0.0, "momentum (decay of the running update)")}


def _clip(xp, g, c: float, dt):
    """MXNet's clip: bound to [-c, c] when ``c >= 0``; NaN passes through."""
    if c >= 0:
        return xp.clip(g, dt(-c), dt(c))
    return g


def _scaled(xp, g, p, dt):
    """``clip(rescale_grad * grad)``: the gradient most update rules start from."""
    return _clip(xp, dt(p.rescale_grad) * g.astype(dt, copy=False), p.clip_gradient, dt)


def _scaled_wd(xp, g, w, p, dt, clip: float | None = None):
    """``clip(rescale_grad * grad + wd * weight)`` (Adam, RMSProp, FTML order)."""
    r = dt(p.rescale_grad) * g.astype(dt, copy=False) + dt(p.wd) * w
    return _clip(xp, r, p.clip_gradient if clip is None else clip, dt)


# -- shape and type rules -------------------------------------------------------


def _all_same_shape(p, in_shapes):
    known = None
    for s in in_shapes:
        if s is not None:
            if known is not None and tuple(s) != tuple(known):
                raise ShapeError(f"all inputs must have the weight's shape {known}, got {tuple(s)}")
            known = tuple(s)
    return [known] * len(in_shapes), [known]


def _mp_type(n_states: int):
    """``mp_*`` ops: weight and grad share a dtype, states and weight32 are float32."""

    def rule(p, in_types, n_out=1):
        w, g = in_types[0], in_types[1]
        if w is not None and g is not None and w != g:
            raise ShapeError(f"grad has dtype {g}, expected the weight's dtype {w}")
        for i, t in enumerate(in_types[2:], start=2):
            if t is not None and t != _F32:
                raise ShapeError(f"input {i} (state/weight32) has dtype {t}, expected float32")
        ins = [w, w or g] + [_F32] * n_states
        return ins, [w or g]

    return rule


def _register(name: str, kernel, inputs, aux, params: dict, doc: str, infer_type=None) -> None:
    kw = {"infer_type": infer_type} if infer_type is not None else {}
    register(
        OpDef(
            name,
            quiet(kernel),  # lr=0, eps=0 and overflow give inf/nan silently, as in MXNet
            params=params,
            inputs=inputs,
            aux=aux,
            outputs=("output",),
            infer_shape=_all_same_shape,
            inplace=((0, 0),),
            doc=doc,
            **kw,
        )
    )


# -- SGD family -------------------------------------------------------------------


# The SGD family follows MXNet 1.9.1's operation order exactly (probed bit for bit
# against it): the gradient term is ``(lr*rescale_grad)*grad`` without clipping and
# ``lr*clip(rescale_grad*grad)`` with it; sgd_update decays as ``(1 - lr*wd)*weight``
# while multi_sgd_update subtracts ``(lr*wd)*weight + term``; momentum runs
# ``mom = momentum*mom - (lr*wd)*weight - term``, ``weight += mom``. The kernels work
# in place with as few passes as that order allows (this runs for every parameter
# every batch). A zero ``lr*wd`` skips its term: the same numbers except when a
# weight is already inf (0*inf would make it NaN) or for the sign of a zero.


class SgdCoef:
    """One SGD step's scalars, converted once to the arithmetic dtype ``dt``."""

    __slots__ = ("dt", "lr", "lr_wd", "rescale", "clip", "momentum")

    def __init__(self, dt, lr: float, wd: float, rescale: float, clip: float, momentum: float = 0.0) -> None:
        self.dt = dt
        self.lr = dt(lr)
        self.lr_wd = self.lr * dt(wd)  # rounded to dt, as MXNet's lr*wd
        self.rescale = dt(rescale)
        self.clip = dt(clip) if clip >= 0 else None
        self.momentum = dt(momentum)


@functools.lru_cache(maxsize=256)
def sgd_coef(dt, lr: float, wd: float, rescale: float, clip: float, momentum: float = 0.0) -> SgdCoef:
    """A shared :class:`SgdCoef` (the scalars repeat from batch to batch; converting them is not free)."""
    return SgdCoef(dt, lr, wd, rescale, clip, momentum)


def _scale(xp, g, s, dt):
    """``g * s`` in a fresh ``dt`` buffer (float16 gradients widen for the mp_ ops)."""
    return g * s if g.dtype == dt else xp.multiply(g, s, dtype=dt)


def _grad_term(xp, g, c: SgdCoef):
    """MXNet's SGD gradient term, in a fresh buffer."""
    if c.clip is None:
        return _scale(xp, g, c.lr * c.rescale, c.dt)
    t = _scale(xp, g, c.rescale, c.dt)
    xp.clip(t, -c.clip, c.clip, out=t)
    t *= c.lr
    return t


def sgd_into(xp, w, g, c: SgdCoef, out) -> None:
    """sgd_update: ``out = (1 - lr*wd)*w - term`` (``out`` may be ``w``)."""
    t = _grad_term(xp, g, c)
    decay = c.dt(1) - c.lr_wd
    if decay != 1 or out is not w:
        xp.multiply(w, decay, out=out)
    out -= t


def multi_sgd_into(xp, w, g, c: SgdCoef, out) -> None:
    """multi_sgd_update: ``out = w - ((lr*wd)*w + term)`` (``out`` may be ``w``)."""
    t = _grad_term(xp, g, c)
    if c.lr_wd != 0:
        t += c.lr_wd * w  # IEEE addition commutes, so this is (lr*wd)*w + term
    xp.subtract(w, t, out=out)


def sgd_mom_into(xp, w, g, mom, c: SgdCoef, out) -> None:
    """``mom = momentum*mom - (lr*wd)*w - term`` in place, then ``out = w + mom``."""
    t = _grad_term(xp, g, c)
    mom *= c.momentum
    if c.lr_wd != 0:
        mom -= c.lr_wd * w
    mom -= t
    xp.add(w, mom, out=out)


def run_sgd_step(step, xp, ins, c: SgdCoef, out, req: str, mp: bool) -> None:
    """Apply ``step`` to one weight's inputs ``(weight, grad, *states[, weight32])``.

    ``mp``: the step runs on the float32 master ``weight32`` (the last input,
    updated in place) and ``out`` gets its cast to the weight's dtype.
    """
    if mp:
        w, g, *state, w32 = ins
        step(xp, w32, g, *state, c, w32)
        store(out, req, w32.astype(w.dtype))
        return
    w, g, *state = ins
    if req == "add":
        fresh = xp.empty_like(w)
        step(xp, w, g, *state, c, fresh)
        out += fresh
    elif req != "null":
        step(xp, w, g, *state, c, out)


def _nag_step(xp, w, g, mom, p, dt, write):
    """Nesterov step: ``write(w + momentum*m' - lr*g')`` with ``m' = momentum*mom - lr*g'``,
    ``g' = clip(rescale_grad*grad) + wd*w``; then ``mom = m'``.

    MXNet writes the weight before it updates ``mom`` and reads ``weight``
    again for it, so with ``out=weight`` the momentum's decay term sees the new
    weight. ``write`` stores the weight first and ``w`` is re-read, which
    reproduces that exactly (and uses the old weight when out is another array).
    """
    lr, m = dt(p.lr), dt(p.momentum)
    gs = _scaled(xp, g, p, dt)
    gr = gs + dt(p.wd) * w
    new_mom = m * mom - lr * gr
    write(w + m * new_mom - lr * gr)
    mom *= m
    mom -= lr * (gs + dt(p.wd) * w)


def _sgd_kernel(step, mp: bool):
    """Kernel of a single-weight SGD op (``sgd_update``, ``mp_sgd_mom_update``...)."""

    def kernel(p, ins, outs, req, rt):
        coef = sgd_coef(np.float32 if mp else ins[0].dtype.type, p.lr, p.wd, p.rescale_grad, p.clip_gradient, p.get("momentum", 0.0))
        run_sgd_step(step, rt.xp, ins, coef, outs[0], req[0], mp)

    return kernel


_k_sgd = _sgd_kernel(sgd_into, False)
_k_sgd_mom = _sgd_kernel(sgd_mom_into, False)
_k_mp_sgd = _sgd_kernel(sgd_into, True)
_k_mp_sgd_mom = _sgd_kernel(sgd_mom_into, True)


def _k_nag(p, ins, outs, req, rt):
    w, g, mom = ins
    _nag_step(rt.xp, w, g, mom, p, w.dtype.type, lambda v: store(outs[0], req[0], v))


def _k_mp_nag(p, ins, outs, req, rt):
    w, g, mom, w32 = ins

    def write(v):
        w32[...] = v
        store(outs[0], req[0], v.astype(w.dtype))

    _nag_step(rt.xp, w32, g, mom, p, np.float32, write)


_SGD = {**_LR, **_WD, **_RESCALE, **_CLIP, **_LAZY}
_SGD_MOM = {**_LR, **_MOM, **_WD, **_RESCALE, **_CLIP, **_LAZY}
_NAG = {**_LR, **_MOM, **_WD, **_RESCALE, **_CLIP}
_EX = ">>> import mxpy as mx\n>>> w, g = mx.nd.ones((2,)), mx.nd.ones((2,))\n"

_register(
    "sgd_update",
    _k_sgd,
    ("weight", "grad"),
    (),
    _SGD,
    "SGD step: ``weight = (1 - lr*wd)*weight - lr*clip(rescale_grad*grad)``.\n\n"
    + _EX
    + ">>> mx.nd.sgd_update(w, g, lr=0.5, out=w).asnumpy()\narray([0.5, 0.5], dtype=float32)",
)
_register(
    "sgd_mom_update",
    _k_sgd_mom,
    ("weight", "grad"),
    ("mom",),
    _SGD_MOM,
    "SGD with momentum: ``mom = momentum*mom - lr*(wd*weight + clip(rescale_grad*grad))``, "
    "``weight += mom`` (``mom`` is updated in place).\n\n"
    + _EX
    + ">>> m = mx.nd.zeros((2,))\n>>> mx.nd.sgd_mom_update(w, g, m, lr=0.5, momentum=0.9, out=w).asnumpy()\narray([0.5, 0.5], dtype=float32)",
)
_register(
    "mp_sgd_update",
    _k_mp_sgd,
    ("weight", "grad"),
    ("weight32",),
    _SGD,
    "Multi-precision SGD: the step runs on the float32 master copy ``weight32`` (updated in place), the output is its cast to the weight dtype.",
    _mp_type(1),
)
_register(
    "mp_sgd_mom_update",
    _k_mp_sgd_mom,
    ("weight", "grad"),
    ("mom", "weight32"),
    _SGD_MOM,
    "Multi-precision SGD with momentum: float32 ``mom`` and ``weight32`` are updated in place.",
    _mp_type(2),
)
_register(
    "nag_mom_update",
    _k_nag,
    ("weight", "grad"),
    ("mom",),
    _NAG,
    "Nesterov momentum: ``g' = clip(rescale_grad*grad) + wd*weight``, ``mom = momentum*mom - lr*g'``, "
    "``weight += momentum*mom - lr*g'`` (``mom`` is updated in place).",
)
_register(
    "mp_nag_mom_update",
    _k_mp_nag,
    ("weight", "grad"),
    ("mom", "weight32"),
    _NAG,
    "Multi-precision Nesterov momentum on the float32 master copy ``weight32``.",
    _mp_type(2),
)


# -- adaptive rules -----------------------------------------------------------------


def _k_adam(p, ins, outs, req, rt):
    xp = rt.xp
    w, g, mean, var = ins
    dt = w.dtype.type
    gr = _scaled_wd(xp, g, w, p, dt)
    b1, b2 = dt(p.beta1), dt(p.beta2)
    mean *= b1
    mean += (dt(1) - b1) * gr
    var *= b2
    var += (dt(1) - b2) * gr * gr
    store(outs[0], req[0], w - dt(p.lr) * mean / (xp.sqrt(var) + dt(p.epsilon)))


def _rms_clip_weights(xp, w, p, dt):
    return xp.clip(w, dt(-p.clip_weights), dt(p.clip_weights)) if p.clip_weights >= 0 else w


def _k_rmsprop(p, ins, outs, req, rt):
    xp = rt.xp
    w, g, n = ins
    dt = w.dtype.type
    gr = _scaled_wd(xp, g, w, p, dt)
    g1 = dt(p.gamma1)
    n *= g1
    n += (dt(1) - g1) * gr * gr
    new = w - dt(p.lr) * gr / xp.sqrt(n + dt(p.epsilon))
    store(outs[0], req[0], _rms_clip_weights(xp, new, p, dt))


def _k_rmspropalex(p, ins, outs, req, rt):
    xp = rt.xp
    w, g, n, gbar, delta = ins
    dt = w.dtype.type
    gr = _scaled_wd(xp, g, w, p, dt)
    g1 = dt(p.gamma1)
    n *= g1
    n += (dt(1) - g1) * gr * gr
    gbar *= g1
    gbar += (dt(1) - g1) * gr
    step = dt(p.lr) * gr / xp.sqrt(n - gbar * gbar + dt(p.epsilon))  # NaN if n - g^2 < -eps, as MXNet
    delta *= dt(p.gamma2)
    delta -= step
    store(outs[0], req[0], _rms_clip_weights(xp, w + delta, p, dt))


def _k_ftrl(p, ins, outs, req, rt):
    xp = rt.xp
    w, g, z, n = ins
    dt = w.dtype.type
    gr = _scaled(xp, g, p, dt)
    lr = dt(p.lr)
    z += gr - (xp.sqrt(n + gr * gr) - xp.sqrt(n)) * w / lr
    n += gr * gr
    lam = dt(p.lamda1)
    new = (xp.sign(z) * lam - z) / ((dt(p.beta) + xp.sqrt(n)) / lr + dt(p.wd)) * (xp.abs(z) > lam)
    store(outs[0], req[0], new.astype(w.dtype, copy=False))


def _k_ftml(p, ins, outs, req, rt):
    xp = rt.xp
    w, g, d, v, z = ins
    dt = w.dtype.type
    gr = _scaled_wd(xp, g, w, p, dt, clip=p.clip_grad)
    b1, b2, t = dt(p.beta1), dt(p.beta2), p.t
    v *= b2
    v += (dt(1) - b2) * gr * gr
    d_t = dt((1 - b1**t) / p.lr) * (xp.sqrt(v / dt(1 - b2**t)) + dt(p.epsilon))
    z *= b1
    z += (dt(1) - b1) * gr - (d_t - b1 * d) * w
    d[...] = d_t
    store(outs[0], req[0], -z / d_t)


_ADAM = {
    **_LR,
    "beta1": _p("float", 0.9, "decay of the first moment"),
    "beta2": _p("float", 0.999, "decay of the second moment"),
    "epsilon": _p("float", 1e-8, "added to the denominator"),
    **_WD,
    **_RESCALE,
    **_CLIP,
    **_LAZY,
}
_RMS = {
    **_LR,
    "gamma1": _p("float", 0.95, "decay of the mean square"),
    "epsilon": _p("float", 1e-8, "added inside the square root"),
    **_WD,
    **_RESCALE,
    **_CLIP,
    "clip_weights": _p("float", -1.0, "clip the new weight to [-c, c]; negative means no clipping"),
}
_RMS_ALEX = dict(_RMS)
_RMS_ALEX["gamma2"] = _p("float", 0.9, "decay of the update (momentum)")

_register(
    "adam_update",
    _k_adam,
    ("weight", "grad"),
    ("mean", "var"),
    _ADAM,
    "Adam step (no bias correction: the optimizer folds it into ``lr``): "
    "``g' = clip(rescale_grad*grad + wd*weight)``, ``mean = b1*mean + (1-b1)*g'``, "
    "``var = b2*var + (1-b2)*g'^2``, ``weight -= lr*mean/(sqrt(var) + epsilon)``.",
)
_register(
    "rmsprop_update",
    _k_rmsprop,
    ("weight", "grad"),
    ("n",),
    _RMS,
    "RMSProp (Tieleman & Hinton): ``n = (1-gamma1)*g'^2 + gamma1*n``, ``weight -= lr*g'/sqrt(n + epsilon)``.",
)
_register(
    "rmspropalex_update",
    _k_rmspropalex,
    ("weight", "grad"),
    ("n", "g", "delta"),
    _RMS_ALEX,
    "Centered RMSProp (Graves 2013): ``delta = gamma2*delta - lr*g'/sqrt(n - g^2 + epsilon)``, ``weight += delta``.",
)
_register(
    "ftrl_update",
    _k_ftrl,
    ("weight", "grad"),
    ("z", "n"),
    {
        **_LR,
        "lamda1": _p("float", 0.01, "L1 regularisation"),
        "beta": _p("float", 1.0, "per-coordinate learning rate offset"),
        **_WD,
        **_RESCALE,
        **_CLIP,
    },
    "FTRL-proximal: accumulates ``z`` and ``n`` in place; weights with ``|z| <= lamda1`` become 0.",
)
_register(
    "ftml_update",
    _k_ftml,
    ("weight", "grad"),
    ("d", "v", "z"),
    {
        **_LR,
        "beta1": _p("float", 0.6, "decay of the first moment"),
        "beta2": _p("float", 0.999, "decay of the second moment"),
        "epsilon": _p("float", 1e-8, "added to the denominator"),
        "t": _p("int", REQUIRED, "number of the update (from 1)"),
        **_WD,
        **_RESCALE,
        "clip_grad": _p("float", -1.0, "clip the gradient to [-c, c]; negative means no clipping"),
    },
    "Follow the Moving Leader (Zheng & Kwok 2017); ``d``, ``v`` and ``z`` are updated in place.",
)


# -- sign-based rules -----------------------------------------------------------------


def _k_signsgd(p, ins, outs, req, rt):
    w, g = ins
    dt = w.dtype.type
    store(outs[0], req[0], (dt(1) - dt(p.lr) * dt(p.wd)) * w - dt(p.lr) * rt.xp.sign(g))


def _k_signum(p, ins, outs, req, rt):
    xp = rt.xp
    w, g, mom = ins
    dt = w.dtype.type
    m = dt(p.momentum)
    mom *= m
    mom -= (dt(1) - m) * (dt(p.wd) * w + _scaled(xp, g, p, dt))
    store(outs[0], req[0], (dt(1) - dt(p.lr) * dt(p.wd_lh)) * w + dt(p.lr) * xp.sign(mom))


_register(
    "signsgd_update",
    _k_signsgd,
    ("weight", "grad"),
    (),
    {**_LR, **_WD, **_RESCALE, **_CLIP},
    "signSGD: ``weight = (1 - lr*wd)*weight - lr*sign(grad)``.",
)
_register(
    "signum_update",
    _k_signum,
    ("weight", "grad"),
    ("mom",),
    {**_LR, **_MOM, **_WD, **_RESCALE, **_CLIP, "wd_lh": _p("float", 0.0, "decoupled weight decay (Loshchilov & Hutter)")},
    "Signum: ``mom = momentum*mom - (1-momentum)*(wd*weight + clip(rescale_grad*grad))``, ``weight = (1 - lr*wd_lh)*weight + lr*sign(mom)``.",
)
