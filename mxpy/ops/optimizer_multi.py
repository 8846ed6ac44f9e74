"""Aggregated and mixed-precision optimizer operators of MXNet 1.9.1 beyond SGD's.

- ``mp_lamb_update_phase1`` / ``mp_lamb_update_phase2``: LAMB's two phases on a
  float16 weight with float32 moments and master copy;
- ``_multi_lamb_update`` / ``_multi_mp_lamb_update`` (``mx.nd.contrib.multi_lamb_update``,
  ``multi_mp_lamb_update``): a whole LAMB step for many weights in one call;
- ``multi_sum_sq`` (sums of squares of many arrays) and ``multi_lars`` (LARS
  learning rates from them);
- ``preloaded_multi_sgd_update``, ``preloaded_multi_sgd_mom_update`` and their
  ``mp_`` forms: ``multi_sgd_*`` with the learning rates and weight decays given
  as two trailing NDArrays instead of parameters;
- ``_adamw_update``, ``_mp_adamw_update``, ``_multi_adamw_update``,
  ``_multi_mp_adamw_update`` (``mx.nd.contrib.adamw_update``...): AdamW, with the
  gradient scale as a trailing one-element array; a scale that is 0 or not
  finite skips the update.

Inputs of the multi-tensor ops are interleaved per tensor as in MXNet
(``weight_0, grad_0, mean_0, var_0[, weight32_0], weight_1, ...``); their outputs
are the new weights and the states are updated in place (``OpDef.mutates``).
Arithmetic follows MXNet's kernels (checked against MXNet 1.9.1 in
tests/test_optimizer_multi.py); sums of squares accumulate more precisely than
MXNet's sequential float32 loop, which changes the last bits only.

>>> import mxpy as mx
>>> a, b = mx.nd.array([3.0, 4.0]), mx.nd.array([1.0])
>>> mx.nd.multi_sum_sq(a, b, num_arrays=2).asnumpy().tolist()
[25.0, 1.0]
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ..registry import REQUIRED, OpDef, Param, Params, ShapeError, register
from ._util import quiet, store
from .lamb import _P1 as _LAMB_PHASE1_PARAMS
from .lamb import _P2 as _LAMB_PHASE2_PARAMS
from .optimizer_updates import multi_sgd_into, run_sgd_step, sgd_coef, sgd_mom_into

_F32 = np.dtype(np.float32)
_f32 = np.float32


def _host_list(a) -> list:
    return [float(v) for v in a.reshape(-1).tolist()]  # NumPy and CuPy arrays alike


def _sum_sq(xp, a) -> float:
    """Sum of squares of ``a`` as MXNet's multi_sum_sq returns it (a float32 value)."""
    flat = a.reshape(-1)
    if flat.dtype.itemsize < 4:  # MXNet squares a float16 in float16, then adds in float32
        return float(_f32(float(xp.sum((flat * flat).astype(_F32), dtype=_F32))))
    return float(_f32(float(xp.dot(flat, flat))))  # float() first: a CuPy 0-d array converts only so


def _clip(xp, g, clip: float):
    if clip >= 0:
        xp.clip(g, -clip, clip, out=g)
    return g


# -- shared shape/type rules for interleaved groups -----------------------------------------------


def _grouped(slots: tuple[str, ...], n_key: str | None, trailing: tuple[str, ...] = (), state_f32: tuple[int, ...] = (), tuples: tuple[str, ...] = ()):
    """(inputs, outputs, mutates-free rules) for ops whose inputs are ``len(slots)`` arrays per
    tensor, then ``trailing`` arrays. ``state_f32``: slot positions that are float32 whatever the
    weight dtype; the others share the weight's dtype. ``tuples``: per-tensor tuple params.
    ``n_key`` None: one tensor, inputs named by ``slots`` themselves."""
    k = len(slots)

    def count(p: Params) -> int:
        return 1 if n_key is None else p[n_key]

    @functools.lru_cache(maxsize=64)
    def _inputs(n: int) -> tuple[str, ...]:
        return tuple(f"{s}_{i}" for i in range(n) for s in slots) + trailing

    @functools.lru_cache(maxsize=64)
    def _outputs(n: int) -> tuple[str, ...]:
        return tuple(f"output{i}" for i in range(n))

    def check(p: Params, n_in: int) -> int:
        n = count(p)
        if n_in != k * n + len(trailing):
            extra = f" then {', '.join(trailing)}" if trailing else ""
            raise ShapeError(f"{n_key}={n} needs {k * n + len(trailing)} inputs ({', '.join(slots)} per tensor{extra}), got {n_in}")
        for key in tuples:
            if len(p[key]) != n:
                raise ShapeError(f"{key} has {len(p[key])} values, expected {n_key}={n}")
        return n

    def infer_shape(p: Params, in_shapes: list) -> tuple[list, list]:
        n = check(p, len(in_shapes))
        ins, outs = [], []
        for i in range(n):
            group = in_shapes[i * k : (i + 1) * k]
            known = next((tuple(s) for s in group if s is not None), None)
            for j, s in enumerate(group):
                if s is not None and tuple(s) != known:
                    raise ShapeError(f"{slots[j]}_{i} has shape {tuple(s)}, expected weight_{i}'s shape {known}")
            ins += [known] * k
            outs.append(known)
        for j, name in enumerate(trailing):
            s = in_shapes[k * n + j]
            want = (1,) if name == "rescale_grad" else (n,)  # a scalar scale, else one value per tensor
            if s is not None and int(np.prod(s)) != want[0]:
                raise ShapeError(f"{name} has shape {tuple(s)}, expected {want}")
            ins.append(s if s is not None else want)
        return ins, outs

    def infer_type(p: Params, in_types: list, n_out: int = 1) -> tuple[list, list]:
        n = check(p, len(in_types))
        ins, outs = [], []
        for i in range(n):
            group = in_types[i * k : (i + 1) * k]
            w = next((t for j, t in enumerate(group) if t is not None and j not in state_f32), None)
            for j, t in enumerate(group):
                want = _F32 if j in state_f32 else w
                if t is not None and want is not None and np.dtype(t) != want:
                    raise ShapeError(f"{slots[j]}_{i} has dtype {np.dtype(t).name}, expected {np.dtype(want).name}")
                ins.append(want)
            outs.append(w)
        ins += [t if t is not None else _F32 for t in in_types[k * n :]]
        return ins, outs

    if n_key is None:
        return (*slots, *trailing), ("output",), infer_shape, infer_type
    return (lambda p: _inputs(p[n_key])), (lambda p: _outputs(p[n_key])), infer_shape, infer_type


def _mutating(k: int, n_key: str, slots_mutated: tuple[int, ...]):
    @functools.lru_cache(maxsize=64)
    def _m(n: int) -> tuple[int, ...]:
        return tuple(i * k + j for i in range(n) for j in slots_mutated)

    return lambda p: _m(p[n_key])


# -- LAMB, mixed precision: the two phases ------------------------------------------------------

_LAMB1 = _LAMB_PHASE1_PARAMS  # the single-weight ops' parameters (ops/lamb.py)


def _lamb_direction(xp, p, w, g, mean, var, t: int, wd: float, dt, round_scaled: bool = False):
    """Update ``mean``/``var`` in place; return LAMB's direction in dtype ``dt`` (MXNet's order).

    ``round_scaled``: the scaled gradient is rounded to the gradient's own dtype first, as
    mp_lamb_update_phase1's kernel does (float16 times float is a float16 there)."""
    b1, b2 = dt(_f32(p.beta1)), dt(_f32(p.beta2))
    gr = g.astype(dt) * dt(_f32(p.rescale_grad))
    if round_scaled:
        gr = gr.astype(g.dtype).astype(dt)
    gr = _clip(xp, gr, p.clip_gradient)
    mean *= b1
    mean += (dt(1) - b1) * gr
    var *= b2
    var += (dt(1) - b2) * gr * gr
    m, v = mean, var
    if p.bias_correction:
        m = mean / (dt(1) - b1 ** dt(t))
        v = var / (dt(1) - b2 ** dt(t))
    return m / (xp.sqrt(v) + dt(_f32(p.epsilon))) + dt(_f32(wd)) * w


def _mp_phase1(p, ins, outs, req, rt):
    w, g, mean, var, w32 = ins
    store(outs[0], req[0], _lamb_direction(rt.xp, p, w32, g, mean, var, p.t, p.wd, _f32, round_scaled=True))


def _mp_phase1_type(p, t, n_out=1):
    w = t[0] or t[1]
    return [w, w, _F32, _F32, _F32], [_F32]


register(
    OpDef(
        "mp_lamb_update_phase1",
        quiet(_mp_phase1),
        params=_LAMB1,
        inputs=("weight", "grad", "mean", "var", "weight32"),
        mutates=lambda p: (2, 3),
        infer_shape=lambda p, s: ([next((x for x in s if x is not None), None)] * 5, [next((x for x in s if x is not None), None)]),
        infer_type=_mp_phase1_type,
        doc=(
            "LAMB phase 1 for a float16 weight: lamb_update_phase1 computed in float32 on the master copy\n"
            "``weight32``; ``mean`` and ``var`` (float32) are updated in place; returns the float32 direction.\n\n"
            "Parameters: weight, grad (float16), mean, var, weight32 (float32); beta1 (0.9); beta2 (0.999);\n"
            "epsilon (1e-6); t (required step number); bias_correction (True); wd (required);\n"
            "rescale_grad (1); clip_gradient (-1: none).\n\n"
            ">>> import mxpy as mx\n>>> w = mx.nd.ones((2,), dtype='float16'); z = mx.nd.zeros((2,))\n"
            ">>> mx.nd.mp_lamb_update_phase1(w, w, z, z.copy(), w.astype('float32'), t=1, wd=0.0).asnumpy()\n"
            "array([1., 1.], dtype=float32)"
        ),
    )
)

_LAMB2 = _LAMB_PHASE2_PARAMS


def _trust_lr(lr: float, r1: float, r2: float, lower: float, upper: float, ratio_first: bool) -> float:
    """``lr`` times the trust ratio r1 / r2 (1 when either is 0), in float32; r1 bounded first.
    ``ratio_first``: lr * (r1 / r2) (the multi kernels) instead of (lr * r1) / r2 (phase 2)."""
    r1, r2, lr = _f32(r1), _f32(r2), _f32(lr)
    if lower >= 0:
        r1 = max(r1, _f32(lower))
    if upper >= 0:
        r1 = min(r1, _f32(upper))
    if r1 == 0 or r2 == 0:
        return lr
    return lr * (r1 / r2) if ratio_first else lr * r1 / r2


def _mp_phase2(p, ins, outs, req, rt):
    w, g, r1, r2, w32 = ins
    lr = _trust_lr(p.lr, _host_list(r1)[0], _host_list(r2)[0], p.lower_bound, p.upper_bound, False)
    # MXNet 1.9.1 declares weight32 mutable but its kernel writes only the output
    store(outs[0], req[0], (w32 - lr * g).astype(w.dtype))


register(
    OpDef(
        "mp_lamb_update_phase2",
        quiet(_mp_phase2),
        params=_LAMB2,
        inputs=("weight", "g", "r1", "r2", "weight32"),
        mutates=lambda p: (4,),
        infer_shape=lambda p, s: ([s[0] or s[1] or s[4], s[1] or s[0] or s[4], s[2] or (1,), s[3] or (1,), s[4] or s[0] or s[1]], [s[0] or s[1] or s[4]]),
        infer_type=lambda p, t, n_out=1: ([t[0], _F32, _F32, _F32, _F32], [t[0]]),
        doc=(
            "LAMB phase 2 for a float16 weight: ``weight32 - lr * (r1 / r2) * g`` cast to the weight's dtype,\n"
            "r1 (||weight32||, bounded by lower_bound/upper_bound) and r2 (||g||) given as (1,) arrays; the\n"
            "ratio is 1 when either is 0. As in MXNet 1.9.1, ``weight32`` itself is not written.\n\n"
            "Parameters: weight (float16), g, r1, r2, weight32 (float32); lr (required); lower_bound (-1);\n"
            "upper_bound (-1).\n\n"
            ">>> import mxpy as mx\n>>> w32 = mx.nd.ones((2,)); w = w32.astype('float16')\n"
            ">>> mx.nd.mp_lamb_update_phase2(w, w32, mx.nd.norm(w32), mx.nd.norm(w32), w32, lr=0.5).asnumpy().tolist()\n"
            "[0.5, 0.5]"
        ),
    )
)


# -- whole LAMB steps for many tensors ---------------------------------------------------------------

_MULTI_LAMB = {
    "learning_rates": Param("tuple", REQUIRED, doc="learning rates, one per tensor"),
    "beta1": Param("float", 0.9, doc="decay of the first moment"),
    "beta2": Param("float", 0.999, doc="decay of the second moment"),
    "epsilon": Param("float", 1e-6, doc="added to the denominator"),
    "wds": Param("tuple", REQUIRED, doc="weight decays, one per tensor"),
    "rescale_grad": Param("float", 1.0, doc="gradient scale"),
    "lower_bound": Param("float", -1.0, doc="lower bound of ||weight|| in the trust ratio (< 0: none)"),
    "upper_bound": Param("float", -1.0, doc="upper bound of ||weight|| in the trust ratio (< 0: none)"),
    "clip_gradient": Param("float", -1.0, doc="clip the scaled gradient to [-c, c] (< 0: no clipping)"),
    "bias_correction": Param("bool", True, doc="divide the moments by 1 - beta**step"),
    "step_count": Param("tuple", REQUIRED, doc="step number of each tensor"),
    "num_tensors": Param("int", 1, doc="number of tensors updated", low=1),
}


def _multi_lamb_kernel(mp: bool):
    k = 5 if mp else 4

    def kernel(p, ins, outs, req, rt):
        xp = rt.xp
        for i in range(p.num_tensors):
            w, g, mean, var = ins[i * k : i * k + 4]
            dt = _f32 if mp else w.dtype.type
            master = ins[i * k + 4] if mp else w
            r1 = math.sqrt(_sum_sq(xp, w))  # of the weight as stored (float16 under mp), as MXNet
            direction = _lamb_direction(xp, p, master, g, mean, var, int(p.step_count[i]), p.wds[i], dt).astype(_F32, copy=False)
            r2 = math.sqrt(_sum_sq(xp, direction))
            lr = dt(_trust_lr(p.learning_rates[i], r1, r2, p.lower_bound, p.upper_bound, True))
            new = master - lr * direction
            if mp:
                master[...] = new
            store(outs[i], req[i], new.astype(w.dtype, copy=False))

    return kernel


for _mp in (False, True):
    _slots = ("weight", "grad", "mean", "var", "weight32") if _mp else ("weight", "grad", "mean", "var")
    _ins, _outs, _shape, _type = _grouped(_slots, "num_tensors", state_f32=(2, 3, 4) if _mp else (), tuples=("learning_rates", "wds", "step_count"))
    register(
        OpDef(
            "_multi_mp_lamb_update" if _mp else "_multi_lamb_update",
            quiet(_multi_lamb_kernel(_mp)),
            params=_MULTI_LAMB,
            inputs=_ins,
            variadic="data",
            outputs=_outs,
            mutates=_mutating(len(_slots), "num_tensors", (2, 3, 4) if _mp else (2, 3)),
            infer_shape=_shape,
            infer_type=_type,
            doc=(
                ("Multi-precision LAMB step" if _mp else "LAMB step")
                + " for num_tensors tensors in one call (mx.nd.contrib."
                + ("multi_mp_lamb_update" if _mp else "multi_lamb_update")
                + "): per tensor, the direction of\nlamb_update_phase1 (moments updated in place), then "
                "``w -= learning_rates[i] * (||w|| / ||direction||) * direction``\n(||w|| bounded by "
                "lower_bound/upper_bound; ratio 1 when either norm is 0)"
                + (", on the float32 master ``weight32`` (updated in place)" if _mp else "")
                + ".\n\nParameters: data (interleaved "
                + ", ".join(f"{s}_i" for s in _slots)
                + "); learning_rates, wds, step_count (one per tensor, required);\nbeta1 (0.9); beta2 (0.999); "
                "epsilon (1e-6); rescale_grad (1); lower_bound (-1); upper_bound (-1);\nclip_gradient (-1); "
                "bias_correction (True); num_tensors (1).\n\n"
                ">>> import mxpy as mx\n>>> w, z = mx.nd.ones((2,)), mx.nd.zeros((2,))\n"
                ">>> mx.nd.contrib.multi_lamb_update([w], [w], [z], [z.copy()], step_count=[1], lrs=[0.1], wds=[0.0], out=[w])"
                ".asnumpy()\narray([0.9, 0.9], dtype=float32)"
            ),
        )
    )


# -- multi_sum_sq, multi_lars ----------------------------------------------------------------------


def _multi_sum_sq(p, ins, outs, req, rt):
    xp = rt.xp
    store(outs[0], req[0], xp.asarray([_sum_sq(xp, a) for a in ins], dtype=_F32))


register(
    OpDef(
        "multi_sum_sq",
        _multi_sum_sq,
        params={"num_arrays": Param("int", REQUIRED, doc="number of input arrays", low=1)},
        inputs=lambda p: tuple(f"array_{i}" for i in range(p.num_arrays)),
        variadic="data",
        infer_shape=lambda p, s: (list(s), [(p.num_arrays,)]),
        infer_type=lambda p, t, n_out=1: (list(t), [_F32]),
        doc=(
            "Sums of squares of num_arrays arrays, as one float32 array of shape (num_arrays,).\n\n"
            "Parameters: data (the arrays, positional); num_arrays (required).\n\n"
            ">>> import mxpy as mx\n>>> mx.nd.multi_sum_sq(mx.nd.array([1, 2]), mx.nd.ones((2, 2)), num_arrays=2).asnumpy().tolist()\n"
            "[5.0, 4.0]"
        ),
    )
)


def _multi_lars(p, ins, outs, req, rt):
    xp = rt.xp
    lrs, wss, gss, wds = ins
    wn = xp.sqrt(wss)
    with np.errstate(all="ignore"):
        scaled = lrs * _f32(p.eta) * wn / (xp.sqrt(gss) * _f32(p.rescale_grad) + wds * wn + _f32(p.eps))
    store(outs[0], req[0], xp.where((wn > 0) & (gss > 0), scaled, lrs))


register(
    OpDef(
        "multi_lars",
        _multi_lars,
        params={
            "eta": Param("float", REQUIRED, doc="LARS coefficient eta"),
            "eps": Param("float", REQUIRED, doc="added to the denominator"),
            "rescale_grad": Param("float", 1.0, doc="gradient scale (multiplies ||grad||)"),
        },
        inputs=("lrs", "weights_sum_sq", "grads_sum_sq", "wds"),
        doc=(
            "LARS learning rates: ``lrs * eta * ||w|| / (||g|| * rescale_grad + wds * ||w|| + eps)`` elementwise,\n"
            "with ||w|| = sqrt(weights_sum_sq), ||g|| = sqrt(grads_sum_sq); ``lrs`` where either sum is 0.\n\n"
            "Parameters: lrs, weights_sum_sq, grads_sum_sq, wds (float32 arrays of one shape); eta (required);\n"
            "eps (required); rescale_grad (1).\n\n"
            ">>> import mxpy as mx\n>>> one = mx.nd.ones((1,))\n"
            ">>> mx.nd.multi_lars(one, mx.nd.array([4.0]), one, mx.nd.zeros((1,)), eta=0.5, eps=0.0).asnumpy().tolist()\n[1.0]"
        ),
    )
)


# -- preloaded_multi_*sgd*: multi_sgd with lrs and wds as arrays -------------------------------------

_PRELOADED = {
    "rescale_grad": Param("float", 1.0, doc="gradient scale, applied first"),
    "clip_gradient": Param("float", -1.0, doc="clip the rescaled gradient to [-c, c]; negative means no clipping"),
    "num_weights": Param("int", 1, doc="number of weights updated", low=1),
}
_PRELOADED_MOM = {"momentum": Param("float", 0.0, doc="momentum (decay of the running update)"), **_PRELOADED}


def _preloaded_kernel(step, k: int, mp: bool):
    def kernel(p, ins, outs, req, rt):
        n = p.num_weights
        lrs, wds = _host_list(ins[k * n]), _host_list(ins[k * n + 1])
        momentum = p.get("momentum", 0.0)
        for i in range(n):
            group = ins[i * k : (i + 1) * k]
            # lr*wd as MXNet's kernel forms it: a float32 product of the two array entries
            lr, wd = float(_f32(lrs[i])), float(_f32(wds[i]))
            coef = sgd_coef(_f32 if mp else group[0].dtype.type, lr, wd, p.rescale_grad, p.clip_gradient, momentum)
            run_sgd_step(step, rt.xp, group, coef, outs[i], req[i], mp)

    return kernel


for _name, _step, _slots, _mom, _mp in (
    ("preloaded_multi_sgd_update", multi_sgd_into, ("weight", "grad"), False, False),
    ("preloaded_multi_sgd_mom_update", sgd_mom_into, ("weight", "grad", "mom"), True, False),
    ("preloaded_multi_mp_sgd_update", multi_sgd_into, ("weight", "grad", "weight32"), False, True),
    ("preloaded_multi_mp_sgd_mom_update", sgd_mom_into, ("weight", "grad", "mom", "weight32"), True, True),
):
    _k = len(_slots)
    _ins, _outs, _shape, _type = _grouped(_slots, "num_weights", trailing=("lrs", "wds"), state_f32=tuple(range(2, _k)) if _mp else ())
    register(
        OpDef(
            _name,
            quiet(_preloaded_kernel(_step, _k, _mp)),
            params=_PRELOADED_MOM if _mom else _PRELOADED,
            inputs=_ins,
            variadic="data",
            outputs=_outs,
            mutates=_mutating(_k, "num_weights", tuple(range(2, _k))),
            infer_shape=_shape,
            infer_type=_type,
            doc=(
                f"{_name[len('preloaded_') :]} with the learning rates and weight decays given as the last two inputs,\n"
                "float32 arrays ``lrs`` and ``wds`` of shape (num_weights,), so they can change without a new call "
                "signature" + (" (momenta updated in place)" if _mom else "") + (" (float32 masters updated in place)" if _mp else "") + ".\n\n"
                f"Parameters: data (interleaved {', '.join(s + '_i' for s in _slots)}, then lrs, wds); "
                + ("momentum (0); " if _mom else "")
                + "rescale_grad (1);\nclip_gradient (-1); num_weights (1).\n\n"
                ">>> import mxpy as mx\n>>> w = mx.nd.ones((2,))\n"
                ">>> mx.nd.preloaded_multi_sgd_update(w, w, mx.nd.array([0.5]), mx.nd.zeros((1,)), out=[w])[0].asnumpy().tolist()\n"
                "[0.5, 0.5]"
            ),
        )
    )


# -- AdamW ---------------------------------------------------------------------------------------

_ADAMW = {
    "lr": Param("float", REQUIRED, doc="learning rate"),
    "beta1": Param("float", 0.9, doc="decay of the first moment"),
    "beta2": Param("float", 0.999, doc="decay of the second moment"),
    "epsilon": Param("float", 1e-8, doc="added to the denominator"),
    "wd": Param("float", 0.0, doc="decoupled weight decay"),
    "eta": Param("float", REQUIRED, doc="schedule multiplier of the whole step"),
    "clip_gradient": Param("float", -1.0, doc="clip the scaled gradient to [-c, c] (< 0: no clipping)"),
}
_MULTI_ADAMW = {
    "lrs": Param("tuple", REQUIRED, doc="learning rates, one per weight"),
    "wds": Param("tuple", REQUIRED, doc="decoupled weight decays, one per weight"),
    "etas": Param("tuple", REQUIRED, doc="schedule multipliers, one per weight"),
    "beta1": Param("float", 0.9, doc="decay of the first moment"),
    "beta2": Param("float", 0.999, doc="decay of the second moment"),
    "epsilon": Param("float", 1e-8, doc="added to the denominator"),
    "clip_gradient": Param("float", -1.0, doc="clip the scaled gradient to [-c, c] (< 0: no clipping)"),
    "num_weights": Param("int", 1, doc="number of weights updated", low=1),
}


def _scale_or_skip(ins, outs, req, n: int, k: int):
    """The gradient scale (last input), or None after copying each weight to its output: MXNet
    skips the whole update when the scale is 0 or not finite."""
    s = _host_list(ins[-1])[0]
    if math.isfinite(s) and s != 0:
        return s
    for i in range(n):
        if outs[i] is not ins[i * k]:
            store(outs[i], req[i], ins[i * k])
    return None


def _adamw_step(xp, w, g, mean, var, scale, lr, wd, eta, p, dt, multi: bool):
    gr = _clip(xp, g.astype(dt) * dt(_f32(scale)), p.clip_gradient)
    b1, b2 = dt(_f32(p.beta1)), dt(_f32(p.beta2))
    if multi:  # the multi kernels' form: beta * (state - x) + x
        mean[...] = b1 * (mean - gr) + gr
        sq = gr * gr
        var[...] = b2 * (var - sq) + sq
    else:
        mean *= b1
        mean += (dt(1) - b1) * gr
        var *= b2
        var += (dt(1) - b2) * gr * gr
    return w - dt(_f32(eta)) * (dt(_f32(lr)) * mean / (xp.sqrt(var) + dt(_f32(p.epsilon))) + dt(_f32(wd)) * w)


def _adamw_kernel(mp: bool, multi: bool):
    k = 5 if mp else 4

    def kernel(p, ins, outs, req, rt):
        n = p.num_weights if multi else 1
        scale = _scale_or_skip(ins, outs, req, n, k)
        if scale is None:
            return
        for i in range(n):
            w, g, mean, var = ins[i * k : i * k + 4]
            master = ins[i * k + 4] if mp else w
            lr, wd, eta = (p.lrs[i], p.wds[i], p.etas[i]) if multi else (p.lr, p.wd, p.eta)
            new = _adamw_step(rt.xp, master, g, mean, var, scale, lr, wd, eta, p, _f32 if mp else mean.dtype.type, multi)
            if mp:
                master[...] = new
            store(outs[i], req[i], new.astype(w.dtype, copy=False))

    return kernel


_ADAMW_DOC = (
    "AdamW{mp}: ``g = clip(rescale_grad * grad)``, ``mean = beta1*mean + (1-beta1)*g``, ``var = beta2*var + (1-beta2)*g*g``\n"
    "(in place), ``w -= eta * (lr * mean / (sqrt(var) + epsilon) + wd * w)``{mpw}. ``rescale_grad`` is an input\n"
    "(a one-element array): when it is 0, inf or nan nothing is updated.{multi}\n\n"
    "Parameters: {ins}; {params}.\n\n"
    ">>> import mxpy as mx\n>>> w, z = mx.nd.ones((2,)), mx.nd.zeros((2,))\n"
    ">>> mx.nd.contrib.adamw_update(w, z, z.copy(), z.copy(), 1.0, lr=0.1, eta=1.0, wd=0.5, out=w).asnumpy().tolist()\n[0.5, 0.5]"
)

for _mp in (False, True):
    for _multi in (False, True):
        _slots = ("weight", "grad", "mean", "var", "weight32") if _mp else ("weight", "grad", "mean", "var")
        _name = ("_multi" if _multi else "") + ("_mp" if _mp else "") + "_adamw_update"
        _mut = (2, 3, 4) if _mp else (2, 3)
        _ins, _outs, _shape, _type = _grouped(
            _slots,
            "num_weights" if _multi else None,
            trailing=("rescale_grad",),
            state_f32=_mut if _mp else (),
            tuples=("lrs", "wds", "etas") if _multi else (),
        )
        if _multi:
            _extra = dict(variadic="data", outputs=_outs, mutates=_mutating(len(_slots), "num_weights", _mut))
            _params = _MULTI_ADAMW
        else:
            _extra = dict(mutates=(lambda m: lambda p: m)(_mut))
            _params = _ADAMW
        register(
            OpDef(
                _name,
                quiet(_adamw_kernel(_mp, _multi)),
                params=_params,
                inputs=_ins,
                infer_shape=_shape,
                infer_type=_type,
                doc=_ADAMW_DOC.format(
                    mp=" on a float16 weight with float32 states" if _mp else "",
                    mpw=", on the float32 master ``weight32`` (updated in place)" if _mp else "",
                    multi=" One call updates num_weights weights; the moments use MXNet's multi-kernel form\n``beta*(state - x) + x``." if _multi else "",
                    ins=("data (interleaved " + ", ".join(s + "_i" for s in _slots) + ", then rescale_grad)")
                    if _multi
                    else ", ".join((*_slots, "rescale_grad")),
                    params="lrs, wds, etas (one per weight, required); beta1 (0.9); beta2 (0.999); epsilon (1e-8); clip_gradient (-1); num_weights (1)"
                    if _multi
                    else "lr (required); beta1 (0.9); beta2 (0.999); epsilon (1e-8); wd (0); eta (required); clip_gradient (-1)",
                ),
                **_extra,
            )
        )
