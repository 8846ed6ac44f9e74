"""Aggregated SGD updates: ``multi_sgd_update``, ``multi_sgd_mom_update`` and their ``mp_`` forms.

One operator call updates ``num_weights`` weights, each with its own learning
rate and weight decay (``lrs``, ``wds``). The inputs are interleaved per
weight, as in MXNet: ``weight_0, grad_0[, mom_0][, weight32_0], weight_1, ...``;
the outputs are the new weights (optimizers pass ``out=weights``). Momenta and
float32 master copies are updated in place (``OpDef.mutates``).

The arithmetic is MXNet's, bit for bit: the momentum forms run exactly what
``sgd_mom_update`` runs; ``multi_sgd_update`` applies weight decay as
``weight - ((lr*wd)*weight + lr*grad)``, which rounds differently from
``sgd_update``'s ``(1 - lr*wd)*weight - lr*grad``, as in MXNet. What
aggregation saves is the per-call dispatch: one engine push for the whole
group. ``mx.optimizer.SGD`` uses these ops for its dense updates.

>>> import mxpy as mx
>>> w0, w1 = mx.nd.ones((2,)), mx.nd.ones((3,))
>>> _ = mx.nd.multi_sgd_update(w0, mx.nd.ones((2,)), w1, mx.nd.ones((3,)), lrs=(0.5, 0.25), wds=(0.0, 0.0), num_weights=2, out=[w0, w1])
>>> w0.asnumpy(), w1.asnumpy()
(array([0.5, 0.5], dtype=float32), array([0.75, 0.75, 0.75], dtype=float32))
"""

from __future__ import annotations

import functools

import numpy as np

from ..registry import OpDef, Param, Params, ShapeError, register
from ._util import quiet
from .optimizer_updates import multi_sgd_into, run_sgd_step, sgd_coef, sgd_mom_into

_F32 = np.dtype(np.float32)

_PARAMS = {
    "lrs": Param("tuple", doc="learning rates, one per weight"),
    "wds": Param("tuple", doc="weight decays, one per weight"),
    "rescale_grad": Param("float", 1.0, "gradient scale, applied first"),
    "clip_gradient": Param("float", -1.0, "clip the rescaled gradient to [-c, c]; negative means no clipping"),
    "num_weights": Param("int", 1, "number of weights updated", low=1),
}
_MOM_PARAMS = {**_PARAMS, "momentum": Param("float", 0.0, "momentum (decay of the running update)")}


def _multi(name: str, step, slots: tuple[str, ...], params: dict, mp: bool, doc: str) -> None:
    """Register ``name``: the SGD ``step`` applied to each group of ``len(slots)`` inputs."""
    k = len(slots)

    # names and slots depend on num_weights only; cached, as dispatch asks on every call
    @functools.lru_cache(maxsize=64)
    def _inputs(n: int) -> tuple[str, ...]:
        return tuple(f"{s}_{i}" for i in range(n) for s in slots)

    @functools.lru_cache(maxsize=64)
    def _outputs(n: int) -> tuple[str, ...]:
        return tuple(f"output{i}" for i in range(n))

    @functools.lru_cache(maxsize=64)
    def _mutates(n: int) -> tuple[int, ...]:  # every slot after weight and grad
        return tuple(i * k + j for i in range(n) for j in range(2, k))

    def inputs(p: Params) -> tuple[str, ...]:
        return _inputs(p.num_weights)

    def outputs(p: Params) -> tuple[str, ...]:
        return _outputs(p.num_weights)

    def mutates(p: Params) -> tuple[int, ...]:
        return _mutates(p.num_weights)

    def check(p: Params, n_in: int) -> None:
        n = p.num_weights
        if n_in == k * n and len(p.lrs) == n and len(p.wds) == n:
            return
        if n_in != k * n:
            raise ShapeError(f"num_weights={n} needs {k * n} inputs ({', '.join(slots)} per weight), got {n_in}")
        for key in ("lrs", "wds"):
            if len(p[key]) != n:
                raise ShapeError(f"{key} has {len(p[key])} values, expected num_weights={n}")

    def infer_shape(p: Params, in_shapes: list) -> tuple[list, list]:
        check(p, len(in_shapes))
        weights = in_shapes[0::k]
        if None not in in_shapes and all(in_shapes[j::k] == weights for j in range(1, k)):
            return list(in_shapes), list(weights)  # every shape known and consistent (imperative calls)
        ins, outs = [], []
        for i in range(p.num_weights):
            group = in_shapes[i * k : (i + 1) * k]
            known = next((tuple(s) for s in group if s is not None), None)
            for j, s in enumerate(group):
                if s is not None and known is not None and tuple(s) != known:
                    raise ShapeError(f"{slots[j]}_{i} has shape {tuple(s)}, expected weight_{i}'s shape {known}")
            ins += [known] * k
            outs.append(known)
        return ins, outs

    def infer_type(p: Params, in_types: list, n_out: int = 1) -> tuple[list, list]:
        check(p, len(in_types))
        weights = in_types[0::k]
        if None not in in_types and in_types[1::k] == weights:
            states = [_F32] * len(weights) if mp else weights
            if all(in_types[j::k] == states for j in range(2, k)):
                return list(in_types), list(weights)  # every dtype known and consistent
        ins, outs = [], []
        for i in range(p.num_weights):
            group = in_types[i * k : (i + 1) * k]
            w = group[0] or group[1]
            if group[0] is not None and group[1] is not None and group[0] != group[1]:
                raise ShapeError(f"grad_{i} has dtype {group[1]}, expected weight_{i}'s dtype {group[0]}")
            state = _F32 if mp else w
            for j, t in enumerate(group[2:], start=2):
                if t is not None and state is not None and t != state:
                    raise ShapeError(f"{slots[j]}_{i} has dtype {t}, expected {np.dtype(state).name}")
            ins += [w, w] + [state] * (k - 2)
            outs.append(w)
        return ins, outs

    # plain multi_sgd_update without clipping or weight decay is ``out = w - (lr*rescale)*g``:
    # run as those two ufuncs here (the same arithmetic as multi_sgd_into), without the
    # four calls per weight of the general path (~1.5 us each on a training step)
    plain = step is multi_sgd_into and not mp

    def kernel(p, ins, outs, req, rt):
        xp = rt.xp
        rescale, clip, momentum = p.rescale_grad, p.clip_gradient, p.get("momentum", 0.0)
        for i, (out, lr, wd) in enumerate(zip(outs, p.lrs, p.wds)):
            group = ins[i * k : (i + 1) * k]
            w = group[0]
            coef = sgd_coef(np.float32 if mp else w.dtype.type, lr, wd, rescale, clip, momentum)
            if plain and coef.clip is None and not coef.lr_wd and (req[i] == "write" or req[i] == "inplace"):
                g = group[1]
                if g.dtype == w.dtype:
                    xp.subtract(w, g * (coef.lr * coef.rescale), out=out)
                    continue
            run_sgd_step(step, xp, group, coef, out, req[i], mp)

    register(
        OpDef(
            name,
            quiet(kernel),  # as the single ops: overflow and lr=0 give inf/nan silently
            params=params,
            inputs=inputs,  # names per num_weights; the front ends take them positionally
            variadic="data",
            outputs=outputs,
            mutates=mutates,
            infer_shape=infer_shape,
            infer_type=infer_type,
            inplace=((0, 0),),  # each weight is read before its own output is written
            doc=doc,
        )
    )


_multi(
    "multi_sgd_update",
    multi_sgd_into,
    ("weight", "grad"),
    _PARAMS,
    False,
    "SGD step for several weights: ``weight_i = weight_i - (lrs[i]*wds[i]*weight_i + lrs[i]*clip(rescale_grad*grad_i))`` "
    "(MXNet's operation order, which rounds differently from sgd_update's).",
)
_multi(
    "multi_sgd_mom_update",
    sgd_mom_into,
    ("weight", "grad", "mom"),
    _MOM_PARAMS,
    False,
    "SGD with momentum for several weights: ``mom_i = momentum*mom_i - lrs[i]*(wds[i]*weight_i + clip(rescale_grad*grad_i))``, "
    "``weight_i += mom_i`` (each ``mom_i`` is updated in place).",
)
_multi(
    "multi_mp_sgd_update",
    multi_sgd_into,
    ("weight", "grad", "weight32"),
    _PARAMS,
    True,
    "Multi-precision SGD for several weights: each step runs on the float32 master copy ``weight32_i`` (updated in place).",
)
_multi(
    "multi_mp_sgd_mom_update",
    sgd_mom_into,
    ("weight", "grad", "mom", "weight32"),
    _MOM_PARAMS,
    True,
    "Multi-precision SGD with momentum for several weights: float32 ``mom_i`` and ``weight32_i`` are updated in place.",
)


# -- reset_arrays: zero several arrays in place (Gluon's zero_grad uses it) ---------------------


def _reset_kernel(p, ins, outs, req, rt):
    for a in ins:
        a[...] = 0


register(
    OpDef(
        "reset_arrays",
        _reset_kernel,
        params={"num_arrays": Param("int", 1, "number of arrays to set to zero", low=1)},
        inputs=lambda p: tuple(f"data_{i}" for i in range(p.num_arrays)),
        variadic="data",
        outputs=(),
        mutates=lambda p: tuple(range(p.num_arrays)),
        infer_shape=lambda p, in_shapes: (list(in_shapes), []),
        infer_type=lambda p, in_types, n_out=1: (list(in_types), []),
        doc=(
            "Set every input array to zero in place; it has no outputs.\n\n"
            "Parameters: ``data`` (the arrays, positional), ``num_arrays`` (int, how many).\n\n"
            ">>> import mxpy as mx\n>>> a, b = mx.nd.ones((2,)), mx.nd.ones((3,))\n"
            ">>> mx.nd.reset_arrays(a, b, num_arrays=2)\n[]\n>>> a.asnumpy().tolist(), b.asnumpy().tolist()\n"
            "([0.0, 0.0], [0.0, 0.0, 0.0])"
        ),
    )
)
