"""Golden values for the optimizer update ops and ``mx.optimizer`` from real MXNet 1.9.1.

Run with the reference interpreter (writes optimizer.npz next to this file):

    /work/shared/tools/mxnet-reference tests/golden/make_optimizer.py

Two parts, every input stored next to the results so tests replay them:

- ``op/<case>/...``: one update op run 3 times with ``out=weight`` on fixed
  weight/grad/state arrays; records the weight and every state after each step.
- ``opt/<case>/...``: an optimizer from ``mx.optimizer.create`` driven through
  ``get_updater`` over two parameters (``fc_weight`` and ``fc_bias``, so weight
  decay only reaches the weight) for 4 steps; records the weights, the flattened
  states and ``num_update`` at the end. ``spec`` (json) holds each case's kwargs.
"""

import json
import os

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.RandomState(5)
OUT = {}
SPEC = {"op": {}, "opt": {}}


def r(*shape, lo=-1.0, hi=1.0, dtype=np.float32):
    return rng.uniform(lo, hi, shape).astype(dtype)


# -- part 1: update operators ---------------------------------------------------------

SHAPE = (3, 4)


def op_case(key, op, states, params, dtype=np.float32, state_dtype=None, steps=3):
    """states: list of (name, initial array)."""
    w0 = r(*SHAPE, dtype=dtype)
    grads = [r(*SHAPE, lo=-2, hi=2, dtype=dtype) for _ in range(steps)]
    w = mx.nd.array(w0, dtype=dtype)
    st = [mx.nd.array(a, dtype=a.dtype) for _, a in states]
    OUT[f"op/{key}/w0"] = w0
    for n, a in states:
        OUT[f"op/{key}/s0_{n}"] = a
    for i, g in enumerate(grads):
        OUT[f"op/{key}/g{i}"] = g
        getattr(mx.nd, op)(w, mx.nd.array(g, dtype=dtype), *st, out=w, **params)
        OUT[f"op/{key}/w{i + 1}"] = w.asnumpy()
        for (n, _), s in zip(states, st):
            OUT[f"op/{key}/s{i + 1}_{n}"] = s.asnumpy()
    SPEC["op"][key] = {"op": op, "params": params, "states": [n for n, _ in states], "steps": steps, "dtype": np.dtype(dtype).name}


Z = lambda: np.zeros(SHAPE, np.float32)  # noqa: E731
P = lambda: r(*SHAPE, lo=0.0, hi=1.0)  # noqa: E731
BASE = {"lr": 0.1, "wd": 0.02, "rescale_grad": 0.5}
CLIP = {**BASE, "clip_gradient": 0.4}

op_case("sgd", "sgd_update", [], BASE)
op_case("sgd_clip", "sgd_update", [], CLIP)
op_case("sgd_mom", "sgd_mom_update", [("mom", r(*SHAPE, lo=-0.1, hi=0.1))], {**CLIP, "momentum": 0.9})
op_case("mp_sgd", "mp_sgd_update", [("weight32", r(*SHAPE))], CLIP, dtype=np.float16)
op_case("mp_sgd_mom", "mp_sgd_mom_update", [("mom", Z()), ("weight32", r(*SHAPE))], {**CLIP, "momentum": 0.8}, dtype=np.float16)
op_case("nag", "nag_mom_update", [("mom", r(*SHAPE, lo=-0.1, hi=0.1))], {**CLIP, "momentum": 0.9})
op_case("nag_noclip", "nag_mom_update", [("mom", Z())], {**BASE, "momentum": 0.7})
op_case("mp_nag", "mp_nag_mom_update", [("mom", Z()), ("weight32", r(*SHAPE))], {**CLIP, "momentum": 0.9}, dtype=np.float16)
op_case("adam", "adam_update", [("mean", Z()), ("var", Z())], {**CLIP, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-6})
op_case("adam_default", "adam_update", [("mean", r(*SHAPE, lo=-0.1, hi=0.1)), ("var", P())], {"lr": 0.01})
op_case("rmsprop", "rmsprop_update", [("n", P())], {**CLIP, "gamma1": 0.9})
op_case("rmsprop_cw", "rmsprop_update", [("n", Z())], {**BASE, "clip_weights": 0.5, "epsilon": 1e-4})
op_case("rmspropalex", "rmspropalex_update", [("n", P()), ("g", Z()), ("delta", Z())], {**CLIP, "gamma1": 0.9, "gamma2": 0.8, "clip_weights": 0.9})
op_case("ftrl", "ftrl_update", [("z", Z()), ("n", Z())], {**CLIP, "lamda1": 0.05, "beta": 1.5})
op_case("ftrl_state", "ftrl_update", [("z", r(*SHAPE)), ("n", P())], {"lr": 0.2})
for t in (1, 4):
    op_case(f"ftml_t{t}", "ftml_update", [("d", P()), ("v", P()), ("z", r(*SHAPE))], {**BASE, "t": t, "clip_grad": 0.5, "beta1": 0.5}, steps=1)
op_case("signsgd", "signsgd_update", [], CLIP)
op_case("signum", "signum_update", [("mom", Z())], {**CLIP, "momentum": 0.9, "wd_lh": 0.01})


# -- part 2: optimizers through the Updater ---------------------------------------------


def flat_states(s, out, struct):
    """Flatten a state into arrays (out) and a structure string (A=array, N=None)."""
    if s is None:
        struct.append("N")
    elif isinstance(s, mx.nd.NDArray):
        struct.append("A")
        out.append(s.asnumpy())
    elif isinstance(s, (tuple, list)):
        struct.append("(" if isinstance(s, tuple) else "[")
        for x in s:
            flat_states(x, out, struct)
        struct.append(")" if isinstance(s, tuple) else "]")
    else:
        raise TypeError(type(s))


def opt_case(key, name, kwargs, dtype=np.float32, steps=4, sched=None, mults=None, sym_mults=None, list_call=False):
    kw = dict(kwargs)
    if sched is not None:
        kw["lr_scheduler"] = mx.lr_scheduler.FactorScheduler(**sched)
    if sym_mults is not None:
        v = mx.sym.var("fc_weight", **sym_mults)
        kw["sym"] = mx.sym.FullyConnected(mx.sym.var("data"), weight=v, num_hidden=4, name="fc")
    opt = mx.optimizer.create(name, param_idx2name={0: "fc_weight", 1: "fc_bias"}, **kw)
    if mults is not None:
        opt.set_lr_mult(mults.get("lr", {}))
        opt.set_wd_mult(mults.get("wd", {}))
    upd = mx.optimizer.get_updater(opt)
    ws0 = [r(3, 4, dtype=dtype), r(4, dtype=dtype)]
    ws = [mx.nd.array(a, dtype=dtype) for a in ws0]
    for i, a in enumerate(ws0):
        OUT[f"opt/{key}/w0_{i}"] = a
    for step in range(steps):
        gs = [r(3, 4, lo=-2, hi=2, dtype=dtype), r(4, lo=-2, hi=2, dtype=dtype)]
        for i, g in enumerate(gs):
            OUT[f"opt/{key}/g{step}_{i}"] = g
        nd = [mx.nd.array(g, dtype=dtype) for g in gs]
        if list_call:
            upd([0, 1], nd, ws)
        else:
            for i in range(2):
                upd(i, nd[i], ws[i])
    for i, w in enumerate(ws):
        OUT[f"opt/{key}/w_{i}"] = w.asnumpy()
    structs = []
    for i in range(2):
        arrs, struct = [], []
        flat_states(upd.states[i], arrs, struct)
        structs.append("".join(struct))
        for j, a in enumerate(arrs):
            OUT[f"opt/{key}/state{i}_{j}"] = a
    SPEC["opt"][key] = {
        "name": name,
        "kwargs": kwargs,
        "dtype": np.dtype(dtype).name,
        "steps": steps,
        "sched": sched,
        "mults": mults,
        "sym_mults": sym_mults,
        "list_call": list_call,
        "structs": structs,
        "num_update": opt.num_update,
        "learning_rate": opt.learning_rate,
    }


WD = {"wd": 0.01, "rescale_grad": 0.5}
WDC = {**WD, "clip_gradient": 0.5}
opt_case("sgd", "sgd", {"learning_rate": 0.1})
opt_case("sgd_mom", "sgd", {"learning_rate": 0.1, "momentum": 0.9, **WDC})
opt_case("sgd_mom_list", "sgd", {"learning_rate": 0.1, "momentum": 0.9, **WDC}, list_call=True)
opt_case("sgd_sched", "sgd", {"momentum": 0.5, **WD}, sched={"step": 2, "factor": 0.5, "base_lr": 0.2})
opt_case("sgd_mults", "sgd", {"learning_rate": 0.1, **WD}, mults={"lr": {0: 0.5, "fc_bias": 3.0}, "wd": {"fc_bias": 2.0}})
opt_case("sgd_symmults", "sgd", {"learning_rate": 0.1, "wd": 0.1}, sym_mults={"lr_mult": 2.0, "wd_mult": 0.5})
opt_case("sgd_mp", "sgd", {"learning_rate": 0.1, "momentum": 0.9, "multi_precision": True, **WDC}, dtype=np.float16)
opt_case("sgd_mp_nomom", "sgd", {"learning_rate": 0.1, "multi_precision": True, **WD}, dtype=np.float16)
opt_case("sgd_mp_list", "sgd", {"learning_rate": 0.1, "momentum": 0.9, "multi_precision": True, **WD}, dtype=np.float16, list_call=True)
opt_case("nag", "nag", {"learning_rate": 0.1, "momentum": 0.9, **WDC})
opt_case("nag_nomom", "nag", {"learning_rate": 0.1, **WD})
opt_case("nag_mp", "nag", {"learning_rate": 0.1, "momentum": 0.9, "multi_precision": True, **WD}, dtype=np.float16)
opt_case("adam", "adam", {"learning_rate": 0.01, **WDC})
opt_case("adam_sched", "adam", {"beta1": 0.8, **WD}, sched={"step": 1, "factor": 0.9, "base_lr": 0.05})
opt_case("adam_mp", "adam", {"learning_rate": 0.01, "multi_precision": True, **WD}, dtype=np.float16)
opt_case("adagrad", "adagrad", {"learning_rate": 0.1, **WDC})
opt_case("adagrad_eps", "adagrad", {"learning_rate": 0.1, "eps": 1e-3, **WD})
opt_case("rmsprop", "rmsprop", {"learning_rate": 0.01, **WDC})
opt_case("rmsprop_centered", "rmsprop", {"learning_rate": 0.01, "centered": True, "clip_weights": 0.8, **WDC})
opt_case("adadelta", "adadelta", {**WDC})
opt_case("adadelta_rho", "adadelta", {"rho": 0.5, "epsilon": 1e-3, **WD})
opt_case("adamax", "adamax", {**WDC})
opt_case("nadam", "nadam", {"learning_rate": 0.01, **WDC})
opt_case("ftrl", "ftrl", {**WDC})
opt_case("ftrl_lamda", "ftrl", {"lamda1": 0.001, "beta": 0.5, "learning_rate": 0.5, **WD})
opt_case("signum", "signum", {"learning_rate": 0.01, "wd_lh": 0.01, **WDC})
opt_case("signsgd", "signum", {"learning_rate": 0.01, "momentum": 0.0, **WD})
opt_case("ftml", "ftml", {"learning_rate": 0.01, **WDC})
opt_case("dcasgd", "dcasgd", {"learning_rate": 0.1, "lamda": 0.1, **WDC})
opt_case("test", "test", {"rescale_grad": 0.5})
opt_case("ccsgd", "ccsgd", {"learning_rate": 0.1, "momentum": 0.9, **WD})
opt_case("sgd_begin", "sgd", {"learning_rate": 0.1, "begin_num_update": 10, **WD}, sched={"step": 11, "factor": 0.1, "base_lr": 0.1})


# -- part 3: aggregated multi_* updates (drawn last, so the cases above keep their inputs) --


def multi_case(key, op, n_states, params, dtype=np.float32, steps=3):
    """Two weights of different shapes, interleaved (weight, grad, *states) per weight."""
    shapes = [(3, 4), (5,)]
    ws = [mx.nd.array(r(*s, dtype=dtype), dtype=dtype) for s in shapes]
    sts = [[mx.nd.array(r(*s, lo=-0.1, hi=0.1)) for _ in range(n_states)] for s in shapes]
    if op.startswith("multi_mp"):  # the last state is the float32 master copy of the weight
        for w, st in zip(ws, sts):
            st[-1] = w.astype("float32")
    for i, (w, st) in enumerate(zip(ws, sts)):
        OUT[f"multi/{key}/w0_{i}"] = w.asnumpy()
        for j, a in enumerate(st):
            OUT[f"multi/{key}/s0_{i}_{j}"] = a.asnumpy()
    for step in range(steps):
        gs = [mx.nd.array(r(*s, lo=-2, hi=2, dtype=dtype), dtype=dtype) for s in shapes]
        flat = []
        for i, (w, g, st) in enumerate(zip(ws, gs, sts)):
            OUT[f"multi/{key}/g{step}_{i}"] = g.asnumpy()
            flat += [w, g, *st]
        getattr(mx.nd, op)(*flat, out=ws, num_weights=2, **params)
        for i, (w, st) in enumerate(zip(ws, sts)):
            OUT[f"multi/{key}/w{step + 1}_{i}"] = w.asnumpy()
            for j, a in enumerate(st):
                OUT[f"multi/{key}/s{step + 1}_{i}_{j}"] = a.asnumpy()
    SPEC["multi"][key] = {"op": op, "params": params, "n_states": n_states, "steps": steps, "dtype": np.dtype(dtype).name}


SPEC["multi"] = {}
LW = {"lrs": [0.1, 0.05], "wds": [0.02, 0.0], "rescale_grad": 0.5}
multi_case("sgd", "multi_sgd_update", 0, LW)
multi_case("sgd_clip", "multi_sgd_update", 0, {**LW, "clip_gradient": 0.4})
multi_case("sgd_mom", "multi_sgd_mom_update", 1, {**LW, "momentum": 0.9, "clip_gradient": 0.4})
multi_case("sgd_mom_noclip", "multi_sgd_mom_update", 1, {**LW, "momentum": 0.8})
multi_case("mp_sgd", "multi_mp_sgd_update", 1, {**LW, "clip_gradient": 0.4}, dtype=np.float16)
multi_case("mp_sgd_mom", "multi_mp_sgd_mom_update", 2, {**LW, "momentum": 0.9}, dtype=np.float16)

np.savez_compressed(os.path.join(HERE, "optimizer.npz"), spec=np.array(json.dumps(SPEC)), **OUT)
print(len(OUT), "arrays")
