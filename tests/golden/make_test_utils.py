"""Golden values for mx.test_utils and mx.mon.Monitor, from real MXNet 1.9.1.

Run with ``/work/shared/tools/mxnet-reference tests/golden/make_test_utils.py``;
it writes ``tests/golden/test_utils.json``, read by ``tests/test_test_utils.py``
and ``tests/test_monitor.py``.

* ``tolerances``: MXNet's default rtol/atol/numeric-eps tables and ``get_tols``
  for mixed dtypes.
* ``compare``: whether ``almost_equal`` / ``assert_almost_equal`` accept pairs
  chosen near the default tolerances.
* ``net``: a composed net (FullyConnected -> tanh -> FullyConnected, times a
  second input); inputs are rebuilt from :func:`inp`; forward outputs and the
  gradients of every argument for head gradient ``inp(out_shape, 9)``.
* ``monitor``: Monitor results for a small MLP (forward + backward), and a
  pattern/interval/sort run.
"""

import json
import os

import mxnet as mx
import numpy as np
from mxnet import test_utils as tu


def inp(shape, k=0):
    n = int(np.prod(shape))
    return (np.sin(np.arange(n) * 0.7 + k) * 1.5).reshape(shape)


def net():
    data = mx.sym.Variable("data")
    scale = mx.sym.Variable("scale")
    fc1 = mx.sym.FullyConnected(data, num_hidden=5, name="fc1")
    act = mx.sym.Activation(fc1, act_type="tanh", name="act")
    fc2 = mx.sym.FullyConnected(act, num_hidden=2, name="fc2")
    return fc2 * scale


SHAPES = {"data": (3, 4), "fc1_weight": (5, 4), "fc1_bias": (5,), "fc2_weight": (2, 5), "fc2_bias": (2,), "scale": (3, 2)}


def net_case():
    sym = net()
    args = {n: mx.nd.array(inp(SHAPES[n], k), dtype="float64") for k, n in enumerate(sym.list_arguments())}
    grads = {n: mx.nd.zeros(SHAPES[n], dtype="float64") for n in sym.list_arguments()}
    ex = sym.bind(mx.cpu(), args, args_grad=grads)
    out = ex.forward(is_train=True)[0]
    ex.backward([mx.nd.array(inp(out.shape, 9), dtype="float64")])
    return {
        "arguments": sym.list_arguments(),
        "outputs": sym.list_outputs(),
        "shapes": {k: list(v) for k, v in SHAPES.items()},
        "forward": out.asnumpy().tolist(),
        "grads": {n: g.asnumpy().tolist() for n, g in grads.items()},
    }


def tolerances():
    dts = ["float16", "float32", "float64"]
    pairs = {}
    for a in dts:
        for b in dts:
            pairs[f"{a},{b}"] = list(tu.get_tols(np.zeros(1, a), np.zeros(1, b), None, None))
    return {
        "rtols": {np.dtype(k).name: v for k, v in tu.default_rtols().items()},
        "atols": {np.dtype(k).name: v for k, v in tu.default_atols().items()},
        "eps": {np.dtype(k).name: v for k, v in tu.default_numeric_eps().items()},
        "get_tols": pairs,
        "get_tols_number": list(tu.get_tols(1.0, np.zeros(1, "float32"), None, None)),
        "get_tols_given": list(tu.get_tols(np.zeros(1, "float32"), np.zeros(1, "float32"), 0.5, {np.dtype("float32"): 0.25})),
    }


def compare():
    cases = [
        ("f32 within atol", [0.0, 1.0], [0.0009, 1.0], "float32", "float32"),
        ("f32 beyond atol", [0.0, 1.0], [0.0011, 1.0], "float32", "float32"),
        ("f32 within rtol", [100.0], [100.0 + 0.009 + 0.0005], "float32", "float32"),
        ("f32 beyond rtol", [100.0], [100.02], "float32", "float32"),
        ("f64 tight", [1.0], [1.0 + 5e-6], "float64", "float64"),
        ("f64 loose", [1.0], [1.0 + 2e-5], "float64", "float64"),
        ("mixed f32/f64", [1.0], [1.0005], "float32", "float64"),
        ("f16", [1.0], [1.05], "float16", "float16"),
        ("broadcast", [[1.0, 2.0]], [[1.0, 2.0], [1.0, 2.0]], "float32", "float32"),
    ]
    out = []
    for name, a, b, da, db in cases:
        a_ = np.array(a, da)
        b_ = np.array(b, db)
        try:
            tu.assert_almost_equal(a_, b_)
            ok = True
        except AssertionError:
            ok = False
        out.append({"name": name, "a": a, "b": b, "da": da, "db": db, "assert_ok": ok, "almost_equal": bool(tu.almost_equal(a_, b_))})
    return out


def mlp():
    data = mx.sym.Variable("data")
    fc1 = mx.sym.FullyConnected(data, num_hidden=4, name="fc1")
    act = mx.sym.Activation(fc1, act_type="relu", name="relu1")
    fc2 = mx.sym.FullyConnected(act, num_hidden=3, name="fc2")
    return mx.sym.SoftmaxOutput(fc2, name="softmax")


def monitor():
    sym = mlp()
    ex = sym.simple_bind(mx.cpu(), data=(2, 5))
    for k, (_n, a) in enumerate(sorted(ex.arg_dict.items())):
        a[:] = inp(a.shape, k)
    ex.arg_dict["softmax_label"][:] = [2, 0]
    mon = mx.mon.Monitor(1)
    mon.install(ex)
    mon.tic()
    ex.forward(is_train=True)
    ex.backward()
    full = mon.toc()
    mon2 = mx.mon.Monitor(2, pattern="fc.*", sort=True)
    mon2.install(ex)
    steps = []
    for _ in range(3):
        mon2.tic()
        ex.forward(is_train=False)
        steps.append(mon2.toc())
    return {"full": full, "pattern_steps": steps}


def main():
    golden = {"tolerances": tolerances(), "compare": compare(), "net": net_case(), "monitor": monitor()}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "test_utils.json")
    with open(path, "w") as f:
        json.dump(golden, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
