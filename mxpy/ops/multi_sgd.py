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

import numpy as np

from ..registry import OpDef, Param, Params, ShapeError, register
from ._util import quiet
from .optimizer_updates import _k_mp_sgd_mom, _k_multi_mp_sgd, _k_multi_sgd, _k_sgd_mom

_F32 = np.dtype(np.float32)

_PARAMS = {
    "lrs": Param("tuple", doc="learning rates, one per weight"),
    "wds": Param("tuple", doc="weight decays, one per weight"),
    "rescale_grad": Param("float", 1.0, "gradient scale, applied first"),
    "clip_gradient": Param("float", -1.0, "clip the rescaled gradient to [-c, c]; negative means no clipping"),
    "num_weights": Param("int", 1, "number of weights updated", low=1),
}
_MOM_PARAMS = {**_PARAMS, "momentum": Param("float", 0.0, "momentum (decay of the running update)")}


def _multi(name: str, single, slots: tuple[str, ...], params: dict, mp: bool, doc: str) -> None:
    """Register ``name``: ``single`` applied to each group of ``len(slots)`` inputs."""
    k = len(slots)

    def inputs(p: Params) -> list[str]:
        return [f"{s}_{i}" for i in range(p.num_weights) for s in slots]

    def outputs(p: Params) -> list[str]:
        return [f"output{i}" for i in range(p.num_weights)]

    def mutates(p: Params) -> list[int]:  # every slot after weight and grad
        return [i * k + j for i in range(p.num_weights) for j in range(2, k)]

    def check(p: Params, n_in: int) -> None:
        if n_in != k * p.num_weights:
            raise ShapeError(f"num_weights={p.num_weights} needs {k * p.num_weights} inputs ({', '.join(slots)} per weight), got {n_in}")
        for key in ("lrs", "wds"):
            if len(p[key]) != p.num_weights:
                raise ShapeError(f"{key} has {len(p[key])} values, expected num_weights={p.num_weights}")

    def infer_shape(p: Params, in_shapes: list) -> tuple[list, list]:
        check(p, len(in_shapes))
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

    def kernel(p, ins, outs, req, rt):
        for i, out in enumerate(outs):
            one = Params(p)
            one["lr"], one["wd"] = p.lrs[i], p.wds[i]
            single(one, ins[i * k : (i + 1) * k], [out], req[i : i + 1], rt)

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
    _k_multi_sgd,
    ("weight", "grad"),
    _PARAMS,
    False,
    "SGD step for several weights: ``weight_i = (1 - lrs[i]*wds[i])*weight_i - lrs[i]*clip(rescale_grad*grad_i)``.",
)
_multi(
    "multi_sgd_mom_update",
    _k_sgd_mom,
    ("weight", "grad", "mom"),
    _MOM_PARAMS,
    False,
    "SGD with momentum for several weights: ``mom_i = momentum*mom_i - lrs[i]*(wds[i]*weight_i + clip(rescale_grad*grad_i))``, "
    "``weight_i += mom_i`` (each ``mom_i`` is updated in place).",
)
_multi(
    "multi_mp_sgd_update",
    _k_multi_mp_sgd,
    ("weight", "grad", "weight32"),
    _PARAMS,
    True,
    "Multi-precision SGD for several weights: each step runs on the float32 master copy ``weight32_i`` (updated in place).",
)
_multi(
    "multi_mp_sgd_mom_update",
    _k_mp_sgd_mom,
    ("weight", "grad", "mom", "weight32"),
    _MOM_PARAMS,
    True,
    "Multi-precision SGD with momentum for several weights: float32 ``mom_i`` and ``weight32_i`` are updated in place.",
)
