"""Golden mx.viz output for tests/test_viz.py, from real MXNet 1.9.1.

Run with ``/work/shared/tools/mxnet-reference tests/golden/make_viz.py``;
writes ``tests/golden/viz.json``: print_summary's text and plot_network's
Graphviz source for the seed MLP, LeNet and the net of MXNet's test_viz.py.
"""

import contextlib
import io
import json
import os
import warnings

import numpy as np

import mxnet as mx

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "viz.json")


def mlp():
    data = mx.sym.Variable("data")
    l1 = mx.sym.FullyConnected(data=data, num_hidden=128, name="layer1")
    a1 = mx.sym.Activation(data=l1, act_type="relu", name="act1")
    l2 = mx.sym.FullyConnected(data=a1, num_hidden=10, name="layer2")
    return mx.sym.SoftmaxOutput(data=l2, name="softmax")


def lenet():
    data = mx.sym.Variable("data")
    c1 = mx.sym.Convolution(data=data, kernel=(5, 5), num_filter=20, name="conv1")
    t1 = mx.sym.Activation(data=c1, act_type="tanh", name="tanh1")
    p1 = mx.sym.Pooling(data=t1, pool_type="max", kernel=(2, 2), stride=(2, 2), name="pool1")
    c2 = mx.sym.Convolution(data=p1, kernel=(5, 5), num_filter=50, name="conv2")
    b2 = mx.sym.BatchNorm(data=c2, name="bn2")
    t2 = mx.sym.Activation(data=b2, act_type="tanh", name="tanh2")
    p2 = mx.sym.Pooling(data=t2, pool_type="avg", kernel=(2, 2), stride=(2, 2), name="pool2")
    f = mx.sym.Flatten(data=p2, name="flatten")
    f1 = mx.sym.FullyConnected(data=f, num_hidden=500, name="fc1")
    t3 = mx.sym.LeakyReLU(data=f1, act_type="leaky", name="leaky3")
    f2 = mx.sym.FullyConnected(data=t3, num_hidden=10, no_bias=True, name="fc2")
    d = mx.sym.Dropout(f2, p=0.5, name="drop")
    return mx.sym.SoftmaxOutput(data=d, name="softmax")


def upstream():
    data = mx.sym.Variable("data")
    bias = mx.sym.Variable("fc1_bias", lr_mult=1.0)
    emb1 = mx.symbol.Embedding(data=data, name="emb1", input_dim=100, output_dim=28)
    conv1 = mx.symbol.Convolution(data=emb1, name="conv1", num_filter=32, kernel=(3, 3), stride=(2, 2))
    bn1 = mx.symbol.BatchNorm(data=conv1, name="bn1")
    act1 = mx.symbol.Activation(data=bn1, name="relu1", act_type="relu")
    mp1 = mx.symbol.Pooling(data=act1, name="mp1", kernel=(2, 2), stride=(2, 2), pool_type="max")
    fc1 = mx.sym.FullyConnected(data=mp1, bias=bias, name="fc1", num_hidden=10, lr_mult=0)
    fc2 = mx.sym.FullyConnected(data=fc1, name="fc2", num_hidden=10, wd_mult=0.5)
    return mx.symbol.SliceChannel(data=fc2, num_outputs=10, name="slice_1", squeeze_axis=0)


def summary(*args, **kwargs):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        mx.viz.print_summary(*args, **kwargs)
    return buf.getvalue()


def main():
    out = {}
    nets = {"mlp": (mlp(), {"data": (100, 784)}), "lenet": (lenet(), {"data": (64, 1, 28, 28)}), "upstream": (upstream(), {"data": (1, 3, 28)})}
    for name, (sym, shape) in nets.items():
        out[f"summary-{name}"] = summary(sym)
        out[f"summary-{name}-shape"] = summary(sym, shape)
    out["summary-lenet-narrow"] = summary(nets["lenet"][0], nets["lenet"][1], line_length=80, positions=[30, 50, 62, 80])
    out["summary-mlp-ratio"] = summary(nets["mlp"][0], nets["mlp"][1], line_length=100, positions=[0.3, 0.6, 0.7, 1.0])
    for name in ("mlp", "lenet"):
        sym, shape = nets[name]
        out[f"plot-{name}"] = mx.viz.plot_network(sym).source
        out[f"plot-{name}-shape"] = mx.viz.plot_network(sym, title=name, shape=shape, dtype={"data": np.float32}, save_format="png").source
        out[f"plot-{name}-weights"] = mx.viz.plot_network(sym, hide_weights=False, node_attrs={"shape": "oval", "fixedsize": "false"}).source
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out["plot-upstream-shape"] = mx.viz.plot_network(nets["upstream"][0], shape=nets["upstream"][1]).source
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)


main()
