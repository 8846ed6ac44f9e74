"""Golden input gradients for the elementwise/binary/broadcast/reduce/sort families, from real MXNet 1.9.1.

Run with the reference interpreter (never at test time):

    ../shared/tools/mxnet-reference tests/golden/make_grad_elemwise.py

It writes tests/golden/grad_elemwise.json: for each case the op, its params,
float32 inputs, the head gradient of each output, and MXNet's outputs and
input gradients after ``bind(..., grad_req='write')``, ``forward(is_train=True)``
and ``backward(head)``. NaN and inf are written as JSON's NaN/Infinity.
"""

import json
import os

os.environ["MXNET_SUBGRAPH_VERBOSE"] = "0"

import mxnet as mx  # noqa: E402
import numpy as np  # noqa: E402

rs = np.random.RandomState(11)
CASES = []


def f32(*shape, lo=-1.0, hi=1.0):
    return rs.uniform(lo, hi, shape).round(3).astype(np.float32)


def case(op, inputs, **params):
    CASES.append((op, [np.asarray(x, np.float32) for x in inputs], params))


# broadcast binary ops with different shapes
for op in ("broadcast_add", "broadcast_sub", "broadcast_mul", "broadcast_div", "broadcast_mod", "broadcast_power", "broadcast_hypot"):
    case(op, [f32(2, 3, lo=0.5, hi=2), f32(1, 3, lo=0.5, hi=2)])
    case(op, [f32(3, 1, lo=0.5, hi=2), f32(4, lo=0.5, hi=2)])
    case(op, [f32(2, 1, 3, lo=0.5, hi=2), f32(4, 1, lo=0.5, hi=2)])
# maximum/minimum ties, elemwise, broadcast and scalar
TA = np.array([[1, 2, 3], [4, 5, 6]], np.float32)
TB = np.array([[1, 0, 3], [7, 5, 2]], np.float32)
for op in ("_maximum", "_minimum", "broadcast_maximum", "broadcast_minimum"):
    case(op, [TA, TB])
case("broadcast_maximum", [TA, np.array([[3, 2, 3]], np.float32)])
case("_maximum_scalar", [TA], scalar=3.0)
case("_minimum_scalar", [TA], scalar=3.0)
# power family: zeros and negative bases give nan in d/d(exponent)
case("_power", [np.array([[0, 2, -1.5], [0.5, 3, 1]], np.float32), np.array([[2, 3, 2], [-1, 0.5, 0]], np.float32)])
case("_power_scalar", [np.array([0, 1, 4, 2.5], np.float32)], scalar=2.5)
case("_rpower_scalar", [np.array([3, -2, 0.5, 0], np.float32)], scalar=2.0)
case("_rpower_scalar", [np.array([3, -2, 0.5], np.float32)], scalar=0.0)
case("_rdiv_scalar", [np.array([1, -2, 0.5], np.float32)], scalar=3.0)
case("_rmod_scalar", [np.array([3, -2, 4], np.float32)], scalar=7.5)
case("_mod", [np.array([5, -5, 7.5], np.float32), np.array([3, 3, -2], np.float32)])
case("elemwise_div", [np.array([1, 0, 3], np.float32), np.array([0, 0, 2], np.float32)])
# reductions
TIES = np.array([[1, 3, 3, 1], [0, -1, -1, 0], [2, 2, 2, 2]], np.float32)
case("max", [TIES], axis=1)
case("min", [TIES], axis=1)
case("max", [TIES])
case("min", [TIES], axis=0, keepdims=True)
case("max", [TIES], axis=1, exclude=True)
Z = np.array([[1, 0, 3], [0, 0, 2], [1, 2, 3]], np.float32)
case("prod", [Z], axis=1)
case("prod", [Z])
case("nanprod", [np.array([[1, np.nan, 3], [0, 2, 2]], np.float32)], axis=1)
case("nansum", [np.array([[1, np.nan, 3], [0, 2, 2]], np.float32)], axis=1)
X3 = f32(2, 3, 4)
case("mean", [X3], axis=1, exclude=True)
case("mean", [X3], axis=(0, 2), keepdims=True)
case("sum", [X3], axis=-1)
case("sum", [X3], axis=(0, 1), exclude=True)
case("norm", [X3])
case("norm", [X3], axis=1)
case("norm", [X3], ord=1, axis=(0, 2), keepdims=True)
case("norm", [np.array([[0, 0], [3, 4]], np.float32)], axis=1)
# explicit broadcasting and add_n
case("broadcast_to", [f32(2, 1, 3)], shape=(2, 4, 3))
case("broadcast_axis", [f32(1, 3, 1)], axis=(0, 2), size=(2, 4))
case("broadcast_like", [f32(1, 3), f32(4, 3)])
case("add_n", [f32(2, 3), f32(2, 3), f32(2, 3)], num_args=3)
# sorting
S = np.array([[3, 1, 2, 5], [0, 4, 4, 1], [2, 2, 9, -1]], np.float32)
case("sort", [S], axis=-1)  # explicit: without it MXNet 1.9.1 fails to bind the backward (axis="")
case("sort", [S], axis=0, is_ascend=False)
# sort(axis=None) is left out: MXNet 1.9.1 fails to bind its backward (axis="" in _backward_topk)
case("topk", [S], k=2, ret_typ="value")
case("topk", [S], k=2, axis=0, ret_typ="value", is_ascend=True)
case("topk", [S], k=3, axis=None, ret_typ="value")
case("topk", [S], k=2, ret_typ="both")
# unary ops at awkward points
U = np.array([0.0, 0.5, -1.5, 2.5], np.float32)
for op in ("abs", "relu", "sign", "round", "sigmoid", "tanh", "softsign", "erf", "gamma", "gammaln", "cbrt", "rcbrt"):
    case(op, [U])
case("sqrt", [np.array([0, 4, 0.25], np.float32)])
case("rsqrt", [np.array([4, 1, 0.25], np.float32)])
case("erfinv", [np.array([0.5, 0, -0.3, 0.9], np.float32)])
case("arccosh", [np.array([2, 3, 1.5], np.float32)])
case("log1p", [np.array([1, -0.5, 3], np.float32)])


def tolist(a):
    return np.asarray(a, np.float64).tolist()


out = []
for op, inputs, params in CASES:
    names = [f"in{i}" for i in range(len(inputs))]
    fn = getattr(mx.sym, op) if hasattr(mx.sym, op) else getattr(mx.sym._internal, op)
    sym = fn(*[mx.sym.Variable(n) for n in names], **params)
    args = {n: mx.nd.array(x) for n, x in zip(names, inputs)}
    grads = {n: mx.nd.zeros(x.shape) for n, x in zip(names, inputs)}
    ex = sym.bind(mx.cpu(), args, args_grad=grads, grad_req="write")
    outs = ex.forward(is_train=True)
    heads = [rs.uniform(-1, 1, o.shape).round(3).astype(np.float32) for o in outs]
    ex.backward([mx.nd.array(h) for h in heads])
    out.append(
        {
            "op": op,
            "params": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()},
            "inputs": [tolist(x) for x in inputs],
            "shapes": [list(x.shape) for x in inputs],
            "heads": [tolist(h) for h in heads],
            "outputs": [tolist(o.asnumpy()) for o in outs],
            "grads": [tolist(grads[n].asnumpy()) for n in names],
        }
    )

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "grad_elemwise.json")
with open(path, "w") as f:
    json.dump({"mxnet": mx.__version__, "cases": out}, f, separators=(",", ":"))
print(len(out), "cases ->", path)
