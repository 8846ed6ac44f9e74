"""Golden values for mx.gluon.loss from real MXNet 1.9.1.

Run with the reference interpreter (writes gluon_loss.json next to this file):

    /work/shared/tools/mxnet-reference tests/golden/make_gluon_loss.py

Each case builds ``gluon.loss.<cls>(**kwargs)``, calls it under ``autograd.record`` on fixed
inputs, runs ``backward()`` on the loss and records the loss and the gradient of every
floating input (labels included where they are real-valued), imperatively and hybridized.
"""

import json
import os

import mxnet as mx
import numpy as np
from mxnet import autograd, gluon

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.RandomState(23)


def enc(a):
    a = np.asarray(a)
    return {"dtype": a.dtype.name, "shape": list(a.shape), "data": [float(v) for v in a.ravel().tolist()]}


def u(*shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, shape).astype(np.float32)


def cls_labels(n, k):
    return rng.randint(0, k, size=(n,)).astype(np.float32)


def signs(*shape):
    return np.where(rng.uniform(size=shape) > 0.5, 1.0, -1.0).astype(np.float32)


def onehot_probs(n, k):
    p = rng.uniform(0.1, 1.0, (n, k)).astype(np.float32)
    return p / p.sum(axis=1, keepdims=True)


CASES = []


def case(cls, kwargs, inputs, grad_inputs, note="", hybridize=(False, True)):
    """inputs: list of (name, array or None) in call order; grad_inputs: names whose gradient is recorded
    (an empty set: forward only, outside autograd)."""
    for hyb in hybridize:
        loss = getattr(gluon.loss, cls)(**kwargs)
        if hyb:
            loss.hybridize()
        arrays = [None if a is None else mx.nd.array(a) for _, a in inputs]
        for (name, _), a in zip(inputs, arrays):
            if name in grad_inputs:
                a.attach_grad()
        if grad_inputs:
            with autograd.record():
                out = loss(*arrays)
            out.backward()
        else:
            out = loss(*arrays)
        CASES.append(
            {
                "cls": cls,
                "kwargs": kwargs,
                "hybridize": hyb,
                "note": note,
                "inputs": [[n, None if a is None else enc(a)] for n, a in inputs],
                "output": enc(out.asnumpy()),
                "grads": {n: enc(a.grad.asnumpy()) for (n, _), a in zip(inputs, arrays) if n in grad_inputs},
            }
        )


P = u(4, 3)
Y = u(4, 3)
SW = rng.uniform(0.2, 1.5, (4, 1)).astype(np.float32)
case("L2Loss", {}, [("pred", P), ("label", Y)], {"pred", "label"})
case("L2Loss", {"weight": 0.5}, [("pred", P), ("label", Y), ("sample_weight", SW)], {"pred"}, "sample_weight")
case("L2Loss", {"batch_axis": 1}, [("pred", u(3, 5)), ("label", u(3, 5))], {"pred"}, "batch_axis=1")
case("L1Loss", {}, [("pred", P), ("label", Y)], {"pred"})
case("L1Loss", {"weight": 2.0}, [("pred", P), ("label", Y.reshape(-1)), ("sample_weight", SW)], {"pred"}, "flat label")
case("SigmoidBinaryCrossEntropyLoss", {}, [("pred", u(4, 3, lo=-6, hi=6)), ("label", np.round(rng.uniform(size=(4, 3))).astype(np.float32))], {"pred"})
case(
    "SigmoidBinaryCrossEntropyLoss",
    {"from_sigmoid": True},
    [("pred", rng.uniform(0.05, 0.95, (4, 3)).astype(np.float32)), ("label", np.round(rng.uniform(size=(4, 3))).astype(np.float32))],
    {"pred"},
    "from_sigmoid",
)
BCE_P = u(4, 3, lo=-4, hi=4)
BCE_L = np.round(rng.uniform(size=(4, 3))).astype(np.float32)
POS_W = rng.uniform(0.5, 3.0, (1, 3)).astype(np.float32)
case("SigmoidBinaryCrossEntropyLoss", {}, [("pred", BCE_P), ("label", BCE_L), ("sample_weight", None), ("pos_weight", POS_W)], {"pred"}, "pos_weight")
case(
    "SigmoidBinaryCrossEntropyLoss",
    {"from_sigmoid": True},
    [("pred", rng.uniform(0.05, 0.95, (4, 3)).astype(np.float32)), ("label", BCE_L), ("sample_weight", SW), ("pos_weight", POS_W)],
    {"pred"},
    "from_sigmoid pos_weight",
)
case("SoftmaxCrossEntropyLoss", {}, [("pred", u(5, 4)), ("label", cls_labels(5, 4))], {"pred"})
case("SoftmaxCrossEntropyLoss", {"sparse_label": False}, [("pred", u(5, 4)), ("label", onehot_probs(5, 4))], {"pred", "label"}, "dense label")
case("SoftmaxCrossEntropyLoss", {"axis": 1}, [("pred", u(2, 4, 3)), ("label", rng.randint(0, 4, (2, 3)).astype(np.float32))], {"pred"}, "axis=1")
case(
    "SoftmaxCrossEntropyLoss",
    {"from_logits": True, "weight": 0.3},
    [("pred", u(5, 4)), ("label", cls_labels(5, 4)), ("sample_weight", SW[:1].repeat(5, 0))],
    {"pred"},
    "from_logits",
)
case("KLDivLoss", {}, [("pred", np.log(onehot_probs(4, 5))), ("label", onehot_probs(4, 5))], {"pred", "label"})
case("KLDivLoss", {"from_logits": False}, [("pred", u(4, 5)), ("label", onehot_probs(4, 5))], {"pred"}, "from_logits=False")
case("HuberLoss", {}, [("pred", P), ("label", Y)], {"pred"})
case("HuberLoss", {"rho": 0.5}, [("pred", P), ("label", Y), ("sample_weight", SW)], {"pred"}, "rho")
case("HingeLoss", {}, [("pred", P), ("label", signs(4, 3))], {"pred"})
case("HingeLoss", {"margin": 2.0}, [("pred", P), ("label", signs(4, 3)), ("sample_weight", SW)], {"pred"}, "margin")
case("SquaredHingeLoss", {}, [("pred", P), ("label", signs(4, 3))], {"pred"})
case("LogisticLoss", {}, [("pred", u(4, 3, lo=-5, hi=5)), ("label", signs(4, 3))], {"pred"})
case("LogisticLoss", {"label_format": "binary"}, [("pred", u(4, 3, lo=-5, hi=5)), ("label", BCE_L)], {"pred"}, "binary")
case("TripletLoss", {}, [("pred", u(4, 3)), ("positive", u(4, 3)), ("negative", u(4, 3))], {"pred", "positive", "negative"})
case("TripletLoss", {"margin": 0.1}, [("pred", u(4, 3)), ("positive", u(4, 3)), ("negative", u(4, 3))], {"pred"}, "margin")
case("PoissonNLLLoss", {}, [("pred", u(4, 3, lo=-1, hi=1)), ("target", rng.poisson(2.0, (4, 3)).astype(np.float32))], {"pred"})
# MXNet 1.9.1's compute_full multiplies in place, which its autograd refuses while recording and its
# Symbol refuses outright: only the imperative forward is recorded (mxpy also records and hybridizes it)
FULL = [("pred", rng.uniform(0.5, 3.0, (4, 3)).astype(np.float32)), ("target", rng.poisson(3.0, (4, 3)).astype(np.float32) + 1)]
case("PoissonNLLLoss", {"from_logits": False, "compute_full": True}, FULL, set(), "compute_full", hybridize=(False,))
case("CosineEmbeddingLoss", {}, [("input1", u(4, 5)), ("input2", u(4, 5)), ("label", signs(4))], {"input1", "input2"})
case("CosineEmbeddingLoss", {"margin": 0.2}, [("input1", u(4, 5)), ("input2", u(4, 5)), ("label", signs(4)), ("sample_weight", SW)], {"input1"}, "margin")
case("SDMLLoss", {}, [("x1", u(4, 3)), ("x2", u(4, 3))], {"x1", "x2"}, hybridize=(False,))
CTC_P = u(2, 6, 4)
CTC_L = np.array([[0, 1, 2], [1, 1, -1]], dtype=np.float32)
case("CTCLoss", {}, [("pred", CTC_P), ("label", CTC_L)], {"pred"})
case(
    "CTCLoss",
    {"layout": "TNC", "label_layout": "TN"},
    [
        ("pred", CTC_P.transpose(1, 0, 2).copy()),
        ("label", CTC_L.T.copy()),
        ("pred_lengths", np.array([6, 5], np.float32)),
        ("label_lengths", np.array([3, 2], np.float32)),
    ],
    {"pred"},
    "TNC with lengths",
)

# the symbolic call (Module users compose losses into a graph)
sym_out = gluon.loss.SoftmaxCrossEntropyLoss()(mx.sym.Variable("pred"), mx.sym.Variable("label"))
SYMBOLIC = {"list_arguments": sym_out.list_arguments(), "num_outputs": len(sym_out.list_outputs())}

with open(os.path.join(HERE, "gluon_loss.json"), "w") as f:
    json.dump({"mxnet": mx.__version__, "cases": CASES, "symbolic": SYMBOLIC}, f)
print(len(CASES), "cases")
