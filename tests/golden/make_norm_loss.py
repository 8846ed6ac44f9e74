"""Golden values for normalization, dropout-free NN layers and loss layers from real MXNet 1.9.1.

Run with the reference interpreter (writes norm_loss.json next to this file):

    /work/shared/tools/mxnet-reference tests/golden/make_norm_loss.py

Every case binds ``mx.sym.<op>`` over variables named after the op's inputs,
runs ``forward(is_train=...)`` and (when ``backward``) ``backward`` with fixed
head gradients (none for loss layers), and records the visible outputs, the
gradient of every argument and the auxiliary states afterwards (BatchNorm's
moving statistics, which MXNet updates in the backward pass).
"""

import json
import os

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.RandomState(11)
LOSSES = {"SoftmaxOutput", "LinearRegressionOutput", "LogisticRegressionOutput", "MAERegressionOutput", "MakeLoss"}


def enc(a):
    a = np.asarray(a)
    return {"dtype": a.dtype.name, "shape": list(a.shape), "data": [float(v) for v in a.ravel().tolist()]}


def r(*shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, shape).astype(np.float32)


CASES = []


def case(op, inputs, params, aux=None, is_train=True, backward=True, note="", head_grads=True):
    """inputs: {input name: array} in the op's input order; aux: {aux name: array}."""
    params = dict(params)
    sym = getattr(mx.sym, op)(*[mx.sym.Variable(n) for n in inputs], name="op", **params)
    args = {n: mx.nd.array(v) for n, v in inputs.items()}
    arg_names = sym.list_arguments()
    assert arg_names == list(inputs), (arg_names, list(inputs))
    aux_arrays = {n: mx.nd.array(v) for n, v in (aux or {}).items()}
    aux_names = sym.list_auxiliary_states()
    grads = {n: mx.nd.zeros(v.shape) for n, v in inputs.items()}
    ex = sym.bind(mx.cpu(), args, args_grad=grads, grad_req="write", aux_states=[aux_arrays[n[3:]] for n in aux_names] or None)
    outs = ex.forward(is_train=is_train)
    rec = {"op": op, "params": params, "is_train": is_train, "note": note}
    rec["inputs"] = {n: enc(v) for n, v in inputs.items()}
    rec["aux"] = {n: enc(v) for n, v in (aux or {}).items()}
    rec["outputs"] = [enc(o.asnumpy()) for o in outs]
    if backward:
        if op in LOSSES and not params.get("out_grad"):
            hg = None
        else:
            hg = [r(*o.shape) for o in outs]
            rec["head_grads"] = [enc(h) for h in hg]
        ex.backward([mx.nd.array(h) for h in hg] if hg is not None else None)
        rec["grads"] = {n: enc(ex.grad_dict[n].asnumpy()) for n in arg_names}
        rec["aux_after"] = {n[3:]: enc(ex.aux_dict[n].asnumpy()) for n in aux_names}
    CASES.append(rec)


def error_case(op, shapes, params, note=""):
    sym = getattr(mx.sym, op)(*[mx.sym.Variable(n) for n in shapes], name="op", **params)
    try:
        sym.infer_shape(**shapes)
        ok = True
    except mx.base.MXNetError:
        ok = False
    CASES.append({"op": op, "params": params, "shapes": shapes, "error": not ok, "note": note})


# -- BatchNorm --------------------------------------------------------------------------
x4 = r(4, 3, 2, 2)
c3 = dict(gamma=r(3, lo=0.5, hi=1.5), beta=r(3))
mstats = {"moving_mean": r(3, lo=-0.5, hi=0.5), "moving_var": r(3, lo=0.5, hi=2.0)}
for fg in (True, False):
    for train in (True, False):
        case("BatchNorm", {"data": x4, **c3}, {"fix_gamma": fg}, aux=mstats, is_train=train)
case("BatchNorm", {"data": x4, **c3}, {"fix_gamma": False, "output_mean_var": True}, aux=mstats)
case("BatchNorm", {"data": x4, **c3}, {"fix_gamma": False, "output_mean_var": True}, aux=mstats, is_train=False, note="inference")
case("BatchNorm", {"data": x4, **c3}, {"fix_gamma": False, "use_global_stats": True}, aux=mstats)
case("BatchNorm", {"data": x4, **c3}, {"fix_gamma": False, "momentum": 0.5, "eps": 0.01}, aux=mstats)
x3 = r(4, 2, 5)
c5 = dict(gamma=r(5, lo=0.5, hi=1.5), beta=r(5))
m5 = {"moving_mean": r(5, lo=-0.5, hi=0.5), "moving_var": r(5, lo=0.5, hi=2.0)}
case("BatchNorm", {"data": x3, **c5}, {"fix_gamma": False, "axis": -1}, aux=m5)
case("BatchNorm", {"data": r(6, 3), **c3}, {"fix_gamma": False}, aux=mstats, note="2d")

# -- InstanceNorm / LayerNorm / L2Normalization / LRN ----------------------------------
case("InstanceNorm", {"data": r(2, 3, 4), **c3}, {})
case("InstanceNorm", {"data": x4, **c3}, {"eps": 0.01})
case("LayerNorm", {"data": r(2, 3, 5), **c5}, {})
case("LayerNorm", {"data": r(2, 3, 5), **c3}, {"axis": 1, "output_mean_var": True})
for mode in ("instance", "channel", "spatial"):
    case("L2Normalization", {"data": r(2, 3, 4)}, {"mode": mode})
case("L2Normalization", {"data": r(3, 4)}, {"eps": 0.5}, note="2d")
case("LRN", {"data": r(2, 5, 2, 3)}, {"nsize": 3, "alpha": 0.1})
case("LRN", {"data": r(2, 5, 2, 3)}, {"nsize": 4, "alpha": 0.2, "beta": 0.5, "knorm": 1.0}, note="even")

# -- LeakyReLU ---------------------------------------------------------------------------
xl = r(2, 3, 4)
case("LeakyReLU", {"data": xl}, {})
case("LeakyReLU", {"data": xl}, {"act_type": "leaky", "slope": 0.1})
case("LeakyReLU", {"data": xl, "gamma": r(3, lo=0.1, hi=0.5)}, {"act_type": "prelu"})
case("LeakyReLU", {"data": xl, "gamma": np.array([0.3], np.float32)}, {"act_type": "prelu"}, note="shared")
case("LeakyReLU", {"data": xl}, {"act_type": "elu", "slope": 0.7})
case("LeakyReLU", {"data": xl}, {"act_type": "selu"})
case("LeakyReLU", {"data": xl}, {"act_type": "gelu"})
case("LeakyReLU", {"data": xl}, {"act_type": "rrelu"}, is_train=False, backward=False)

# -- SoftmaxActivation / regression / MakeLoss / BlockGrad -------------------------------
case("SoftmaxActivation", {"data": r(2, 3, 4)}, {})
case("SoftmaxActivation", {"data": r(2, 3, 4)}, {"mode": "channel"})
for op in ("LinearRegressionOutput", "LogisticRegressionOutput", "MAERegressionOutput"):
    case(op, {"data": r(4, 3), "label": r(4, 3)}, {})
    case(op, {"data": r(4, 1), "label": r(4)}, {"grad_scale": 2.0}, note="vector label")
    case(op, {"data": r(2, 3, 2), "label": r(2, 3, 2)}, {"grad_scale": 0.5}, note="3d")
md = np.array([[0.0, 0.5, 0.2], [0.05, -1, 3]], np.float32)
for norm in ("null", "batch", "valid"):
    case("MakeLoss", {"data": md}, {"normalization": norm, "grad_scale": 2.0, "valid_thresh": 0.1})
case("BlockGrad", {"data": r(2, 3)}, {})

# -- SoftmaxOutput ------------------------------------------------------------------------
d2 = r(4, 5)
lab = np.array([0, 2, 1, 4], np.float32)
case("SoftmaxOutput", {"data": d2, "label": lab}, {})
case("SoftmaxOutput", {"data": d2, "label": lab}, {"grad_scale": 2.0, "normalization": "batch"})
ign = np.array([0, 3, 1, 3], np.float32)
case("SoftmaxOutput", {"data": d2, "label": ign}, {"use_ignore": True, "ignore_label": 3, "normalization": "valid"})
case("SoftmaxOutput", {"data": d2, "label": ign}, {"use_ignore": True, "ignore_label": 3})
case("SoftmaxOutput", {"data": d2, "label": ign}, {"ignore_label": 3, "normalization": "valid"}, note="ignore off")
case("SoftmaxOutput", {"data": d2, "label": lab}, {"smooth_alpha": 0.1})
case("SoftmaxOutput", {"data": d2, "label": r(4, 5, lo=0, hi=1)}, {}, note="soft label")
d4 = r(2, 3, 2, 2)
lab4 = np.array([[0, 1, 2, 1], [2, 2, 0, 1]], np.float32).reshape(2, 2, 2)
for norm in ("null", "batch", "valid"):
    case("SoftmaxOutput", {"data": d4, "label": lab4}, {"multi_output": True, "normalization": norm})
case(
    "SoftmaxOutput",
    {"data": d4, "label": lab4.reshape(2, 4)},
    {"multi_output": True, "use_ignore": True, "ignore_label": 1, "normalization": "valid"},
    note="flat label",
)
case("SoftmaxOutput", {"data": r(2, 3, 4), "label": np.array([[0, 1, 3], [2, 2, 0]], np.float32)}, {"preserve_shape": True})

# -- shape errors ----------------------------------------------------------------------------
error_case("LayerNorm", {"data": (2, 3), "gamma": (2,)}, {}, note="gamma size")
error_case("InstanceNorm", {"data": (2, 3)}, {}, note="2d data")
error_case("LinearRegressionOutput", {"data": (4, 3), "label": (4, 2)}, {}, note="label")
error_case("LRN", {"data": (2, 3, 4)}, {"nsize": 3}, note="3d data")
error_case("SoftmaxActivation", {"data": (2, 3)}, {"mode": "channel"}, note="channel 2d")
error_case("L2Normalization", {"data": (2, 3)}, {"mode": "spatial"}, note="spatial 2d")

with open(os.path.join(HERE, "norm_loss.json"), "w") as f:
    json.dump({"mxnet": mx.__version__, "cases": CASES}, f, separators=(",", ":"))
print(len(CASES), "cases")
