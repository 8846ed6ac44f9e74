"""Golden values for Convolution, Deconvolution and Pooling, from real MXNet 1.9.1.

Run with ``/work/shared/tools/mxnet-reference tests/golden/make_conv_pool.py``; it
writes ``tests/golden/conv_pool.json``, read by ``tests/test_conv_pool.py``.
Each case stores the input shapes (values come from :func:`inp`, rebuilt by the
test), params, the forward output and the gradient of every input for the head
gradient ``inp(out_shape, k=9)``; or ``error`` with MXNet's message.
The reference build uses oneDNN (MKLDNN). Its results are stored; where oneDNN
fails (dilated or target_shape Deconvolution) the case is rerun with MXNet's own
CPU kernels (``MXNET_MKLDNN_ENABLED=0``, in a child process) and stored with
``"backend": "native"``. MXNet's native dilated Deconvolution forward is not the
adjoint of its own data gradient (``<deconv(x), h> != <x, dgrad(h)>``); such
cases get ``"forward_inconsistent": true`` and only their gradients are golden.
Values are rounded to 8 significant digits.
"""

import json
import os
import subprocess
import sys

import mxnet as mx
import numpy as np


def inp(shape, k=0, ties=False):
    n = int(np.prod(shape))
    if ties:  # few distinct values, so pooling windows hold equal maxima
        v = ((np.arange(n) * 7 + 3 * k) % 5) - 2.0
    else:
        v = ((((np.arange(n) * 7 + 3 * k) % 23) - 11) * 0.25) + 0.01 * ((np.arange(n) * 3 + k) % 7)
    return v.reshape(shape).astype("float32")


CASES = []


def case(op, shapes, params, ties=False, note=""):
    CASES.append({"op": op, "shapes": [list(s) for s in shapes], "params": params, "ties": ties, "note": note})


# -- Convolution ---------------------------------------------------------------
case("Convolution", [(2, 1, 12, 12), (4, 1, 5, 5), (4,)], {"kernel": (5, 5), "num_filter": 4}, note="LeNet conv1-like")
case("Convolution", [(2, 4, 6, 6), (3, 4, 3, 3), (3,)], {"kernel": (3, 3), "num_filter": 3, "stride": (2, 2), "pad": (1, 1)})
case("Convolution", [(2, 4, 6, 6), (6, 2, 3, 3), (6,)], {"kernel": (3, 3), "num_filter": 6, "num_group": 2}, note="grouped")
case("Convolution", [(1, 3, 5, 5), (3, 1, 3, 3)], {"kernel": (3, 3), "num_filter": 3, "num_group": 3, "pad": (1, 1), "no_bias": True}, note="depthwise")
case("Convolution", [(1, 2, 9, 9), (3, 2, 3, 3), (3,)], {"kernel": (3, 3), "num_filter": 3, "dilate": (2, 2), "pad": (1, 1)}, note="dilated")
case("Convolution", [(2, 3, 7, 8), (2, 3, 2, 3), (2,)], {"kernel": (2, 3), "num_filter": 2, "stride": (1, 2), "pad": (0, 1)}, note="asymmetric")
case("Convolution", [(2, 3, 10), (4, 3, 3)], {"kernel": (3,), "num_filter": 4, "stride": (2,), "dilate": (2,), "no_bias": True}, note="1-D")
case("Convolution", [(1, 2, 5, 5, 5), (3, 2, 2, 3, 2), (3,)], {"kernel": (2, 3, 2), "num_filter": 3, "stride": (1, 2, 1), "pad": (1, 0, 1)}, note="3-D")
case("Convolution", [(1, 2, 5, 5), (3, 2, 7, 7), (3,)], {"kernel": (7, 7), "num_filter": 3}, note="kernel larger than input")
case("Convolution", [(1, 3, 5, 5), (2, 3, 3, 3), (2,)], {"kernel": (3, 3), "num_filter": 2, "num_group": 2}, note="channels not divisible by groups")
# -- Deconvolution -------------------------------------------------------------
case("Deconvolution", [(2, 2, 4, 4), (2, 3, 3, 3)], {"kernel": (3, 3), "num_filter": 3})
case(
    "Deconvolution",
    [(2, 2, 4, 4), (2, 3, 3, 3), (3,)],
    {"kernel": (3, 3), "num_filter": 3, "stride": (2, 2), "pad": (1, 1), "adj": (1, 1), "no_bias": False},
    note="adj",
)
case("Deconvolution", [(1, 2, 4, 4), (2, 3, 3, 3)], {"kernel": (3, 3), "num_filter": 3, "stride": (2, 2), "target_shape": (8, 9)}, note="target_shape")
case("Deconvolution", [(1, 4, 3, 3), (4, 3, 3, 3), (6,)], {"kernel": (3, 3), "num_filter": 6, "num_group": 2, "no_bias": False}, note="grouped")
case("Deconvolution", [(1, 2, 3, 4), (2, 2, 3, 2)], {"kernel": (3, 2), "num_filter": 2, "stride": (2, 3), "dilate": (2, 1), "pad": (1, 0)}, note="dilated")
case("Deconvolution", [(2, 3, 5), (3, 2, 4)], {"kernel": (4,), "num_filter": 2, "stride": (3,), "pad": (1,), "adj": (2,)}, note="1-D")
case("Deconvolution", [(1, 2, 3, 3, 2), (2, 2, 2, 2, 3)], {"kernel": (2, 2, 3), "num_filter": 2, "stride": (2, 1, 2)}, note="3-D")
case("Deconvolution", [(1, 2, 4, 4), (2, 3, 3, 3)], {"kernel": (3, 3), "num_filter": 3, "stride": (2, 2), "adj": (2, 2)}, note="adj too big")
case("Deconvolution", [(1, 2, 4, 4), (2, 3, 3, 3)], {"kernel": (3, 3), "num_filter": 3, "stride": (2, 2), "target_shape": (20, 20)}, note="target too big")
# -- Pooling -------------------------------------------------------------------
P = (2, 2, 6, 7)
case("Pooling", [P], {"kernel": (2, 2), "stride": (2, 2)}, ties=True, note="max valid ties")
case("Pooling", [P], {"kernel": (3, 3), "stride": (1, 1)}, ties=True, note="max overlapping ties")
case("Pooling", [P], {"kernel": (3, 3), "stride": (2, 2), "pooling_convention": "full"}, note="max full")
case("Pooling", [P], {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "pool_type": "max"}, note="max pad")
case("Pooling", [P], {"kernel": (2, 2), "stride": (2, 2), "pool_type": "avg"})
case("Pooling", [P], {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "pool_type": "avg", "pooling_convention": "full"}, note="avg full pad")
case("Pooling", [P], {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "pool_type": "avg", "count_include_pad": False}, note="avg exclude pad")
case("Pooling", [P], {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "pool_type": "avg", "pooling_convention": "full", "count_include_pad": False})
case("Pooling", [P], {"kernel": (3, 2), "stride": (2, 1), "pad": (1, 1), "pool_type": "sum"})
case("Pooling", [P], {"kernel": (3, 3), "stride": (2, 2), "pool_type": "sum", "pooling_convention": "full"})
for pv in (1, 2, 3):
    case("Pooling", [P], {"kernel": (2, 2), "stride": (1, 2), "pool_type": "lp", "p_value": pv})
case("Pooling", [P], {"kernel": (3, 3), "pad": (1, 1), "pool_type": "lp", "p_value": 2}, note="lp pad")
for pt in ("max", "avg", "sum"):
    case("Pooling", [P], {"kernel": (1, 1), "global_pool": True, "pool_type": pt}, note="global")
case("Pooling", [(2, 3, 9)], {"kernel": (3,), "stride": (2,), "pad": (1,), "pool_type": "avg"}, note="1-D")
case("Pooling", [(2, 3, 9)], {"kernel": (2,), "stride": (2,), "pooling_convention": "full"}, note="1-D full")
case("Pooling", [(1, 2, 5, 4, 6)], {"kernel": (2, 2, 3), "stride": (2, 1, 2), "pool_type": "avg", "pad": (1, 0, 1)}, note="3-D")
case("Pooling", [(1, 2, 5, 4, 6)], {"kernel": (2, 2, 3), "stride": (2, 2, 2), "pooling_convention": "full"}, note="3-D max full")
case("Pooling", [(1, 2, 5, 5)], {"kernel": (6, 6)}, note="kernel larger than input")
case("Pooling", [(1, 2, 5, 5)], {"kernel": (2, 2), "pool_type": "lp"}, note="lp without p_value")


def rounded(a):
    return [float(f"{v:.8g}") for v in a.ravel().tolist()]


def run(c):
    arrays = [mx.nd.array(inp(s, k=i, ties=c["ties"])) for i, s in enumerate(c["shapes"])]
    for a in arrays:
        a.attach_grad()
    try:
        with mx.autograd.record():
            out = getattr(mx.nd, c["op"])(*arrays, **c["params"])
        head = mx.nd.array(inp(out.shape, k=9))
        out.backward(head)
        c["out"] = rounded(out.asnumpy())
        c["grads"] = [rounded(a.grad.asnumpy()) for a in arrays]
        c["out_shape"] = list(out.shape)
    except mx.base.MXNetError as e:
        lines = [ln for ln in str(e).split("\n") if "Check failed" in ln or "MXNetError" in ln]
        c["error"] = lines[-1] if lines else str(e).split("\n")[0]


for c in CASES:
    c["params"] = {k: list(v) if isinstance(v, tuple) else v for k, v in c["params"].items()}
    run(c)

if os.environ.get("MXNET_MKLDNN_ENABLED") == "0":  # child: report native results
    print("JSON" + json.dumps(CASES))
    sys.exit(0)

child = subprocess.run([sys.executable, __file__], env={**os.environ, "MXNET_MKLDNN_ENABLED": "0"}, capture_output=True, text=True, check=True)
native = json.loads(next(ln for ln in child.stdout.splitlines() if ln.startswith("JSON"))[4:])
for c, n in zip(CASES, native):
    if "error" in c and "descriptor" in c["error"] and "error" not in n:
        c.pop("error")
        c.update(out=n["out"], grads=n["grads"], out_shape=n["out_shape"], backend="native")
        if c["op"] == "Deconvolution":
            x = inp(c["shapes"][0], k=0)
            lhs = float(np.dot(c["out"], inp(c["out_shape"], k=9).ravel()))
            rhs = float(np.dot(x.ravel(), c["grads"][0]))
            c["forward_inconsistent"] = not np.isclose(lhs, rhs, rtol=1e-4)
    elif "error" not in c and "error" not in n:  # both ran: they agree
        assert np.allclose(c["out"], n["out"], rtol=1e-4, atol=1e-5), c

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "conv_pool.json"), "w") as f:
    json.dump({"cases": CASES}, f, separators=(",", ":"))
print(len(CASES), "cases;", sum("error" in c for c in CASES), "errors")
