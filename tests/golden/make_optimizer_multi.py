"""Golden values from real MXNet 1.9.1 for the aggregated / mixed-precision optimizer operators
(mp_lamb_update_phase1/2, multi_lamb_update, multi_mp_lamb_update, multi_sum_sq, multi_lars,
preloaded_multi_*sgd*, adamw_update, mp_adamw_update, multi_adamw_update, multi_mp_adamw_update),
optimizer.LAMB's aggregated and multi-precision paths, and a few NDArray functions
(onehot_encode, fill_element_0index, float32 exp, relu's gradient at NaN).

Run with the reference interpreter (writes optimizer_multi.npz next to this file):

    /work/shared/tools/mxnet-reference tests/golden/make_optimizer_multi.py

Every input is stored beside its results (``<case>/in/<k>``, ``<case>/out/<k>``), and
``<case>/spec`` holds the keyword arguments as JSON, so the test replays each case.
"""

import json
import os

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.RandomState(13)
OUT = {}


def r(*shape, lo=-1.0, hi=1.0, dtype=np.float32):
    return rng.uniform(lo, hi, shape).astype(dtype)


def case(name, ins, outs, spec):
    for k, v in ins.items():
        OUT[f"{name}/in/{k}"] = np.asarray(v)
    for k, v in outs.items():
        OUT[f"{name}/out/{k}"] = v.asnumpy() if isinstance(v, mx.nd.NDArray) else np.asarray(v)
    OUT[f"{name}/spec"] = np.array(json.dumps(spec))


def nd(a):
    return mx.nd.array(a, dtype=a.dtype)


# -- LAMB phases, mixed precision ---------------------------------------------------------
for bc in (True, False):
    w32 = r(3, 4)
    w16 = w32.astype(np.float16)
    g16 = r(3, 4).astype(np.float16)
    mean, var = r(3, 4, lo=0, hi=0.1), r(3, 4, lo=0, hi=0.1)
    spec = dict(beta1=0.8, beta2=0.99, epsilon=1e-5, t=3, bias_correction=bc, wd=0.05, rescale_grad=0.7, clip_gradient=0.5)
    m_, v_, W32 = nd(mean), nd(var), nd(w32)
    g = mx.nd.mp_lamb_update_phase1(nd(w16), nd(g16), m_, v_, W32, **spec)
    case(f"mp_lamb_phase1_{bc}", dict(weight=w16, grad=g16, mean=mean, var=var, weight32=w32), dict(g=g, mean=m_, var=v_, weight32=W32), spec)
    gg = g.asnumpy()
    r1 = np.array([np.linalg.norm(w32)], np.float32)
    r2 = np.array([np.linalg.norm(gg)], np.float32)
    for lb, ub in ((-1.0, -1.0), (2.0, -1.0), (-1.0, 0.5)):
        W32 = nd(w32)
        W = nd(w16)
        spec2 = dict(lr=0.1, lower_bound=lb, upper_bound=ub)
        out = mx.nd.mp_lamb_update_phase2(W, nd(gg), nd(r1), nd(r2), W32, **spec2)
        case(f"mp_lamb_phase2_{bc}_{lb}_{ub}", dict(weight=w16, g=gg, r1=r1, r2=r2, weight32=w32), dict(out=out, weight32=W32), spec2)

# -- multi_lamb_update / multi_mp_lamb_update ------------------------------------------------
shapes = [(3, 4), (5,), (2, 2, 2)]
for mp in (False, True):
    for opts in (dict(), dict(clip_gradient=0.3, rescale_grad=0.5, bias_correction=False, lower_bound=0.1, upper_bound=1.5)):
        ws32 = [r(*s) for s in shapes]
        ws = [w.astype(np.float16) for w in ws32] if mp else ws32
        gs = [r(*s).astype(ws[0].dtype) for s in shapes]
        ms = [r(*s, lo=0, hi=0.1) for s in shapes]
        vs = [r(*s, lo=0, hi=0.1) for s in shapes]
        spec = dict(step_count=[1, 3, 2], lrs=[0.1, 0.2, 0.05], wds=[0.0, 0.01, 0.1], beta1=0.85, beta2=0.995, epsilon=1e-6, **opts)
        W, G, M, V, W32 = [nd(a) for a in ws], [nd(a) for a in gs], [nd(a) for a in ms], [nd(a) for a in vs], [nd(a) for a in ws32]
        if mp:
            mx.nd.contrib.multi_mp_lamb_update(W, G, M, V, W32, out=W, **spec)
        else:
            mx.nd.contrib.multi_lamb_update(W, G, M, V, out=W, **spec)
        ins = {}
        outs = {}
        for i in range(3):
            ins.update({f"weight_{i}": ws[i], f"grad_{i}": gs[i], f"mean_{i}": ms[i], f"var_{i}": vs[i], f"weight32_{i}": ws32[i]})
            outs.update({f"weight_{i}": W[i], f"mean_{i}": M[i], f"var_{i}": V[i], f"weight32_{i}": W32[i]})
        case(f"multi_lamb_{mp}_{len(opts)}", ins, outs, spec)

# -- multi_sum_sq, multi_lars ------------------------------------------------------------
arrs = [r(3, 4), r(7), r(2, 3, 2)]
case("multi_sum_sq", {f"a_{i}": a for i, a in enumerate(arrs)}, dict(out=mx.nd.multi_sum_sq(*[nd(a) for a in arrs], num_arrays=3)), dict(num_arrays=3))
arrs64 = [r(4, dtype=np.float64), r(2, 2, dtype=np.float64)]
case("multi_sum_sq64", {f"a_{i}": a for i, a in enumerate(arrs64)}, dict(out=mx.nd.multi_sum_sq(*[nd(a) for a in arrs64], num_arrays=2)), dict(num_arrays=2))
lrs = np.array([0.1, 0.2, 0.3, 0.4], np.float32)
wss = np.array([4.0, 0.0, 2.5, 9.0], np.float32)
gss = np.array([1.0, 3.0, 0.0, 0.25], np.float32)
wds = np.array([0.01, 0.0, 0.1, 0.001], np.float32)
spec = dict(eta=0.02, eps=1e-8, rescale_grad=0.5)
case("multi_lars", dict(lrs=lrs, weights_sum_sq=wss, grads_sum_sq=gss, wds=wds), dict(out=mx.nd.multi_lars(nd(lrs), nd(wss), nd(gss), nd(wds), **spec)), spec)

# -- preloaded_multi_*sgd* ---------------------------------------------------------------
for name, slots, mom in (
    ("preloaded_multi_sgd_update", ("weight", "grad"), False),
    ("preloaded_multi_sgd_mom_update", ("weight", "grad", "mom"), True),
    ("preloaded_multi_mp_sgd_update", ("weight", "grad", "weight32"), False),
    ("preloaded_multi_mp_sgd_mom_update", ("weight", "grad", "mom", "weight32"), True),
):
    for clip in (-1.0, 0.4):
        mp = "weight32" in slots
        ins, arrays = {}, []
        for i, s in enumerate([(3, 4), (6,)]):
            w32 = r(*s)
            vals = {
                "weight": w32.astype(np.float16) if mp else w32,
                "grad": r(*s).astype(np.float16 if mp else np.float32),
                "mom": r(*s, lo=-0.1, hi=0.1),
                "weight32": w32,
            }
            for sl in slots:
                ins[f"{sl}_{i}"] = vals[sl]
                arrays.append(nd(vals[sl]))
        lrs, wds = np.array([0.1, 0.3], np.float32), np.array([0.01, 0.2], np.float32)
        ins["lrs"], ins["wds"] = lrs, wds
        spec = dict(rescale_grad=0.8, clip_gradient=clip, num_weights=2)
        if mom:
            spec["momentum"] = 0.9
        k = len(slots)
        weights = arrays[0::k]
        getattr(mx.nd, name)(*arrays, nd(lrs), nd(wds), out=weights, **spec)
        outs = {f"{sl}_{i}": arrays[i * k + j] for i in range(2) for j, sl in enumerate(slots) if sl != "grad"}
        case(f"{name}_{clip}", ins, outs, spec)

# -- adamw ---------------------------------------------------------------------------------
for clip in (-1.0, 0.3):
    w, g, m, v = r(3, 4), r(3, 4), r(3, 4, lo=-0.1, hi=0.1), r(3, 4, lo=0, hi=0.1)
    W, M, V = nd(w), nd(m), nd(v)
    spec = dict(lr=0.1, eta=0.7, beta1=0.85, beta2=0.99, epsilon=1e-6, wd=0.05, clip_gradient=clip)
    mx.nd.contrib.adamw_update(W, nd(g), M, V, 0.6, out=W, **spec)
    case(f"adamw_{clip}", dict(weight=w, grad=g, mean=m, var=v), dict(weight=W, mean=M, var=V), dict(spec, rescale_grad=0.6))
    w32 = r(3, 4)
    w16, g16 = w32.astype(np.float16), r(3, 4).astype(np.float16)
    W, M, V, W32 = nd(w16), nd(m), nd(v), nd(w32)
    mx.nd.contrib.mp_adamw_update(W, nd(g16), M, V, W32, 0.6, out=W, **spec)
    case(f"mp_adamw_{clip}", dict(weight=w16, grad=g16, mean=m, var=v, weight32=w32), dict(weight=W, mean=M, var=V, weight32=W32), dict(spec, rescale_grad=0.6))
# rescale_grad not finite: the update is skipped
W, M, V = nd(w), nd(m), nd(v)
mx.nd.contrib.adamw_update(W, nd(g), M, V, float("inf"), out=W, lr=0.1, eta=1.0)
case("adamw_inf", dict(weight=w, grad=g, mean=m, var=v), dict(weight=W, mean=M, var=V), dict(lr=0.1, eta=1.0, rescale_grad="inf"))
for mp in (False, True):
    ws32 = [r(3, 4), r(5)]
    ws = [a.astype(np.float16) for a in ws32] if mp else ws32
    gs = [r(*a.shape).astype(ws[0].dtype) for a in ws32]
    ms = [r(*a.shape, lo=-0.1, hi=0.1) for a in ws32]
    vs = [r(*a.shape, lo=0, hi=0.1) for a in ws32]
    W, G, M, V, W32 = [nd(a) for a in ws], [nd(a) for a in gs], [nd(a) for a in ms], [nd(a) for a in vs], [nd(a) for a in ws32]
    spec = dict(lrs=[0.1, 0.05], wds=[0.01, 0.0], etas=[1.0, 0.5], beta1=0.9, beta2=0.99, epsilon=1e-7, clip_gradient=0.6)
    if mp:
        mx.nd.contrib.multi_mp_adamw_update(W, G, M, V, W32, 0.9, out=W, **spec)
    else:
        mx.nd.contrib.multi_adamw_update(W, G, M, V, 0.9, out=W, **spec)
    ins, outs = {}, {}
    for i in range(2):
        ins.update({f"weight_{i}": ws[i], f"grad_{i}": gs[i], f"mean_{i}": ms[i], f"var_{i}": vs[i], f"weight32_{i}": ws32[i]})
        outs.update({f"weight_{i}": W[i], f"mean_{i}": M[i], f"var_{i}": V[i], f"weight32_{i}": W32[i]})
    case(f"multi_adamw_{mp}", ins, outs, dict(spec, rescale_grad=0.9))

# -- optimizer.LAMB: one index at a time, aggregated, multi-precision ---------------------
for dtype, mp in ((np.float32, False), (np.float16, True)):
    for agg in ("1", "45"):
        os.environ["MXNET_OPTIMIZER_AGGREGATION_SIZE"] = agg
        opt = mx.optimizer.LAMB(learning_rate=0.05, wd=0.01, clip_gradient=0.8, lower_bound=0.01, upper_bound=5.0, multi_precision=mp)
        upd = mx.optimizer.get_updater(opt)
        rs = np.random.RandomState(3)
        ws = [mx.nd.array(rs.uniform(-1, 1, s), dtype=dtype) for s in ((4, 3), (3,), (2, 2))]
        for _ in range(3):
            gs = [mx.nd.array(rs.uniform(-1, 1, w.shape), dtype=dtype) for w in ws]
            upd(list(range(3)), gs, ws)
        case(f"opt_lamb_{np.dtype(dtype).name}_{agg}", {}, {f"w_{i}": w for i, w in enumerate(ws)}, dict(seed=3))
os.environ.pop("MXNET_OPTIMIZER_AGGREGATION_SIZE")

# -- NDArray functions -----------------------------------------------------------------------
idx = np.array([3, 0, 4, 1], np.float32)
o = mx.nd.zeros((4, 6))
mx.nd.onehot_encode(mx.nd.array(idx), o)
case("onehot_encode", dict(indices=idx), dict(out=o), {})
lhs = r(4, 5)
val = np.array([7, 8, 9, 10], np.float32)
ix = np.array([0, 4, 2, 2], np.float32)
case("fill_element_0index", dict(lhs=lhs, mhs=val, rhs=ix), dict(out=mx.nd.fill_element_0index(nd(lhs), nd(val), nd(ix))), {})
x = np.linspace(-30, 30, 4001, dtype=np.float32)
case("exp_f32", dict(x=x), dict(out=mx.nd.exp(nd(x))), {})
a = mx.nd.array([[np.nan, -1.0, 2.0], [0.0, 3.0, np.nan]])
a.attach_grad()
with mx.autograd.record():
    y = mx.nd.relu(a)
y.backward(mx.nd.full((2, 3), 2.0))
case("relu_grad_nan", dict(x=np.array([[np.nan, -1.0, 2.0], [0.0, 3.0, np.nan]], np.float32)), dict(y=y, grad=a.grad), {})

np.savez_compressed(os.path.join(HERE, "optimizer_multi.npz"), **OUT)
print(len(OUT), "arrays")
