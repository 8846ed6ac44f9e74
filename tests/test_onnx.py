"""mx.onnx: exported nets run in onnxruntime within 1e-4 of mxpy; import(export(net)) gives the net back."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

import mxpy as mx

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
from train_mnist import mlp  # noqa: E402 - the seed's network


# -- nets -------------------------------------------------------------------------------------------
def conv_bn(x, name, filters, kernel=3, stride=1, group=1, act="relu"):
    pad = kernel // 2
    x = mx.sym.Convolution(
        x, num_filter=filters, kernel=(kernel, kernel), stride=(stride, stride), pad=(pad, pad), num_group=group, no_bias=True, name=name + "_conv"
    )
    x = mx.sym.BatchNorm(x, fix_gamma=False, eps=1e-5, name=name + "_bn")
    if act == "relu":
        x = mx.sym.Activation(x, act_type="relu", name=name + "_relu")
    elif act == "relu6":
        x = mx.sym.clip(x, 0, 6, name=name + "_relu6")
    return x


def resnet18_like(classes=10, widths=(8, 16, 32, 64)):
    """ResNet-18's layout (7x7 stem, max pool, 4 stages of 2 basic blocks, global pool, FC) at small widths."""
    x = conv_bn(mx.sym.Variable("data"), "stem", widths[0], kernel=7, stride=2)
    x = mx.sym.Pooling(x, kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="max", name="stem_pool")
    cin = widths[0]
    for stage, w in enumerate(widths):
        for block in range(2):
            stride = 2 if stage > 0 and block == 0 else 1
            name = f"s{stage}b{block}"
            y = conv_bn(conv_bn(x, name + "a", w, stride=stride), name + "b", w, act=None)
            short = x if (stride == 1 and cin == w) else conv_bn(x, name + "down", w, kernel=1, stride=stride, act=None)
            x = mx.sym.Activation(y + short if block else mx.sym.broadcast_add(y, short), act_type="relu", name=name + "_out")
            cin = w
    x = mx.sym.Flatten(mx.sym.Pooling(x, global_pool=True, pool_type="avg", kernel=(7, 7), name="gap"), name="flat")
    return mx.sym.SoftmaxOutput(mx.sym.FullyConnected(x, num_hidden=classes, name="fc"), name="softmax")


def mobilenet_like(classes=10):
    """Depthwise-separable blocks (3x3 depthwise conv, 1x1 pointwise conv, BN, ReLU6) as MobileNet."""
    x = conv_bn(mx.sym.Variable("data"), "stem", 8, stride=2, act="relu6")
    cin = 8
    for i, (cout, stride) in enumerate([(16, 1), (32, 2), (32, 1), (64, 2)]):
        x = conv_bn(x, f"dw{i}", cin, stride=stride, group=cin, act="relu6")
        x = conv_bn(x, f"pw{i}", cout, kernel=1, act="relu6")
        cin = cout
    x = mx.sym.Pooling(x, global_pool=True, pool_type="avg", kernel=(1, 1), name="gap")
    x = mx.sym.Dropout(mx.sym.Flatten(x), p=0.2, name="drop")
    return mx.sym.softmax(mx.sym.FullyConnected(x, num_hidden=classes, name="fc"), name="prob")


def lenet():
    x = mx.sym.Variable("data")
    x = mx.sym.Pooling(
        mx.sym.Activation(mx.sym.Convolution(x, kernel=(5, 5), num_filter=6, name="c1"), act_type="tanh"), kernel=(2, 2), stride=(2, 2), pool_type="max"
    )
    x = mx.sym.Convolution(x, kernel=(5, 5), num_filter=16, name="c2")
    x = mx.sym.Pooling(mx.sym.LeakyReLU(x, act_type="leaky", slope=0.1), kernel=(2, 2), stride=(2, 2), pool_type="avg", pooling_convention="full")
    x = mx.sym.FullyConnected(mx.sym.Flatten(x), num_hidden=32, name="f1")
    x = mx.sym.FullyConnected(mx.sym.Activation(x, act_type="sigmoid"), num_hidden=10, no_bias=True, name="f2")
    return mx.sym.SoftmaxOutput(x, name="softmax")


def lstm_net(layers=2, hidden=12, bidirectional=False):
    out = mx.sym.RNN(
        mx.sym.Variable("data"),
        mx.sym.Variable("lstm_parameters"),
        mx.sym.Variable("lstm_h0"),
        mx.sym.Variable("lstm_c0"),
        state_size=hidden,
        num_layers=layers,
        mode="lstm",
        bidirectional=bidirectional,
        state_outputs=True,
        name="lstm",
    )
    y = mx.sym.FullyConnected(mx.sym.Reshape(out[0], shape=(-3, -2)), num_hidden=5, name="proj")
    return mx.sym.Group([y, out[1], out[2]])


def assorted_ops():
    """Ops beyond the model nets: activations, shapes, scalars, splits, reductions, GRU, embedding."""
    data, idx = mx.sym.Variable("data"), mx.sym.Variable("idx")
    x = mx.sym.Deconvolution(data, kernel=(2, 2), stride=(2, 2), num_filter=4, no_bias=False, name="up")
    a = mx.sym.LeakyReLU(x, act_type="elu", slope=0.7)
    b = mx.sym.LeakyReLU(x, act_type="gelu")
    c = mx.sym.LeakyReLU(x, act_type="prelu", name="prelu")
    x = mx.sym.Concat(a, b, c, dim=1)
    x = mx.sym.Pooling(x, kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="avg", count_include_pad=False)
    parts = mx.sym.SliceChannel(x, num_outputs=3, axis=1)
    x = mx.sym.broadcast_maximum(parts[0] * 2 - 1, 1 / (mx.sym.abs(parts[1]) + 1)) + mx.sym.square(parts[2])
    x = mx.sym.softmax(mx.sym.transpose(x, axes=(0, 2, 3, 1)), axis=1)
    x = mx.sym.sum(mx.sym.Reshape(x, shape=(0, -1)), axis=1, keepdims=True)
    emb = mx.sym.Embedding(idx, input_dim=7, output_dim=3, name="emb")
    seq = mx.sym.RNN(
        mx.sym.transpose(emb, axes=(1, 0, 2)), mx.sym.Variable("gru_parameters"), mx.sym.Variable("gru_h0"), state_size=4, num_layers=1, mode="gru", name="gru"
    )
    y = mx.sym.mean(mx.sym.log_softmax(seq, axis=-1), axis=(0, 2))
    return mx.sym.Group([x, mx.sym.expand_dims(y, axis=1), mx.sym.LayerNorm(mx.sym.Variable("ln_in"), name="ln")])


def norms():
    x = mx.sym.Variable("data")
    lrn = mx.sym.LRN(x, nsize=3, alpha=0.001, beta=0.75, knorm=2, name="lrn")
    return mx.sym.Group([lrn, mx.sym.InstanceNorm(x, name="inorm"), mx.sym.BatchNorm(x, fix_gamma=True, name="bn_fixed")])


# -- helpers ----------------------------------------------------------------------------------------
def materialize(sym, shapes, seed=0, ints=None):
    """Random arguments and aux states for ``sym`` (``ints``: integer-valued inputs and their upper bound)."""
    arg_shapes, _, aux_shapes = sym.infer_shape(**shapes)
    rng = np.random.default_rng(seed)
    args = {}
    for n, s in zip(sym.list_arguments(), arg_shapes):
        if ints and n in ints:
            args[n] = mx.nd.array(rng.integers(0, ints[n], s))
        else:
            args[n] = mx.nd.array(rng.normal(0, 0.4, s))
    aux = {n: mx.nd.array(rng.uniform(0.5, 1.5, s)) for n, s in zip(sym.list_auxiliary_states(), aux_shapes)}
    return args, aux


def mxpy_outputs(sym, args, aux):
    return [o.asnumpy() for o in sym.bind(mx.cpu(), args, aux_states=aux).forward(is_train=False)]


def export(sym, shapes, path, args, aux, **kwargs):
    data = [n for n in sym.list_arguments() if n in shapes]
    params = {k: v for k, v in {**args, **aux}.items() if k not in shapes and not k.endswith("_label")}
    return mx.onnx.export_model(sym, params, [shapes[k] for k in data], np.float32, str(path), **kwargs), data


def run_ort(path, feeds):
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)


NETS = {
    "mlp": (mlp, {"data": (4, 784)}, None),
    "resnet18_like": (resnet18_like, {"data": (2, 3, 64, 64)}, None),
    "mobilenet_like": (mobilenet_like, {"data": (2, 3, 32, 32)}, None),
    "lenet": (lenet, {"data": (3, 1, 28, 28)}, None),
    "lstm": (lstm_net, {"data": (6, 3, 8), "lstm_h0": (2, 3, 12), "lstm_c0": (2, 3, 12)}, None),
    "norms": (norms, {"data": (2, 4, 5, 5)}, None),
    "assorted": (assorted_ops, {"data": (2, 3, 5, 5), "idx": (2, 6), "gru_h0": (1, 2, 4), "ln_in": (3, 7)}, {"idx": 7}),
}


@pytest.mark.parametrize("name", list(NETS))
def test_onnxruntime_matches_and_import_reproduces(name, tmp_path):
    make, shapes, ints = NETS[name]
    sym = make()
    args, aux = materialize(sym, shapes, ints=ints)
    want = mxpy_outputs(sym, args, aux)
    path, data = export(sym, shapes, tmp_path / f"{name}.onnx", args, aux)
    got = run_ort(path, {k: args[k].asnumpy() for k in data})
    assert len(got) == len(want)
    for w, g in zip(want, got):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-4)

    sym2, arg2, aux2 = mx.onnx.import_model(path)
    assert sorted(n for n in sym2.list_arguments() if n not in arg2) == sorted(data)
    again = mxpy_outputs(sym2, {**arg2, **{k: args[k] for k in data}}, aux2)
    for w, g in zip(want, again):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
    # and the imported net exports again to the same computation
    path2 = mx.onnx.export_model(sym2, {**arg2, **aux2}, [shapes[k] for k in data], np.float32, str(tmp_path / "again.onnx"))
    for w, g in zip(want, run_ort(path2, {k: args[k].asnumpy() for k in data})):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("opset", [12, 13, 15, 17])
@pytest.mark.parametrize("name", ["lenet", "lstm"])
def test_opsets(name, opset, tmp_path):
    make, shapes, ints = NETS[name]
    sym = make() if name != "lstm" else lstm_net(layers=1, hidden=6, bidirectional=True)
    if name == "lstm":
        shapes = {"data": (4, 2, 8), "lstm_h0": (2, 2, 6), "lstm_c0": (2, 2, 6)}
    args, aux = materialize(sym, shapes)
    path, data = export(sym, shapes, tmp_path / "m.onnx", args, aux, opset_version=opset)
    model = onnx.load(path)
    assert [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")] == [opset]
    for w, g in zip(mxpy_outputs(sym, args, aux), run_ort(path, {k: args[k].asnumpy() for k in data})):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-4)


def test_dynamic_shapes_and_shape_inference(tmp_path):
    sym = lenet()
    args, aux = materialize(sym, {"data": (3, 1, 28, 28)})
    path, _ = export(
        sym, {"data": (3, 1, 28, 28)}, tmp_path / "dyn.onnx", args, aux, dynamic=True, dynamic_input_shapes=[(None, 1, 28, 28)], run_shape_inference=True
    )
    model = onnx.load(path)
    dims = model.graph.input[0].type.tensor_type.shape.dim
    assert not dims[0].HasField("dim_value") and [d.dim_value for d in dims[1:]] == [1, 28, 28]
    assert len(model.graph.value_info) > 0  # shapes of intermediate tensors stored
    x = np.random.default_rng(1).normal(size=(5, 1, 28, 28)).astype(np.float32)
    args5 = dict(args, data=mx.nd.array(x), softmax_label=mx.nd.zeros((5,)))
    np.testing.assert_allclose(run_ort(path, {"data": x})[0], mxpy_outputs(sym, args5, aux)[0], rtol=1e-4, atol=1e-5)
    assert mx.onnx.get_model_metadata(path) == {
        "input_tensor_data": [("data", (None, 1, 28, 28))],
        "output_tensor_data": [("softmax", (None, 10))],
    }  # 10 from shape inference


def test_module_checkpoint_files(tmp_path):
    """A Module trained a little and saved as MXNet checkpoint files exports from the file paths."""
    x = np.random.default_rng(0).normal(size=(32, 20)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.float32)
    data = mx.sym.Variable("data")
    net = mx.sym.SoftmaxOutput(
        mx.sym.FullyConnected(mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=16, name="h"), act_type="relu"), num_hidden=2, name="o"), name="softmax"
    )
    mod = mx.mod.Module(net)
    mod.fit(mx.io.NDArrayIter(x, y, batch_size=8), num_epoch=2, optimizer_params={"learning_rate": 0.1})
    prefix = str(tmp_path / "model")
    mod.save_checkpoint(prefix, 2)
    path = mx.onnx.export_model(prefix + "-symbol.json", prefix + "-0002.params", [(8, 20)], np.float32, str(tmp_path / "mod.onnx"))
    mod.forward(mx.io.DataBatch([mx.nd.array(x[:8])]), is_train=False)
    np.testing.assert_allclose(run_ort(path, {"data": x[:8]})[0], mod.get_outputs()[0].asnumpy(), rtol=1e-4, atol=1e-5)
    arg, aux = mod.get_params()
    assert os.path.exists(mx.onnx.export_model(net, [arg, aux], input_shape=[(8, 20)], input_type=np.float32, onnx_file_path=str(tmp_path / "list.onnx")))


def test_unmapped_op_names_it_before_writing(tmp_path):
    target = tmp_path / "keep.onnx"
    target.write_bytes(b"earlier model")
    net = mx.sym.topk(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=4, name="fc"), k=2, name="best")
    with pytest.raises(mx.MXNetError, match="operator topk \\(node 'best'\\) has no ONNX mapping"):
        mx.onnx.export_model(net, {"fc_weight": mx.nd.ones((4, 3)), "fc_bias": mx.nd.zeros((4,))}, [(1, 3)], np.float32, str(target))
    assert target.read_bytes() == b"earlier model"
    assert sorted(os.listdir(tmp_path)) == ["keep.onnx"]  # no temporary file left behind
    assert "Convolution" in mx.onnx.get_operator_support() and "topk" not in mx.onnx.get_operator_support()


def test_bad_arguments(tmp_path):
    net = mlp()
    args, aux = materialize(net, {"data": (2, 784)})
    params = {k: v for k, v in args.items() if k not in ("data", "softmax_label")}
    with pytest.raises(mx.MXNetError, match="one each expected"):
        mx.onnx.export_model(net, params, [(2, 784), (2, 1)], np.float32, str(tmp_path / "x.onnx"))
    with pytest.raises(mx.MXNetError, match="opset_version"):
        mx.onnx.export_model(net, params, [(2, 784)], np.float32, str(tmp_path / "x.onnx"), opset_version=9)
    with pytest.raises(mx.MXNetError, match="dynamic"):
        mx.onnx.export_model(net, params, [(2, 784)], np.float32, str(tmp_path / "x.onnx"), dynamic_input_shapes=[(None, 784)])
    with pytest.raises(ValueError, match="params"):
        mx.onnx.export_model(net, "not params", [(2, 784)], np.float32, str(tmp_path / "x.onnx"))
    with pytest.raises(mx.MXNetError, match="no such file"):
        mx.onnx.import_model(str(tmp_path / "missing.onnx"))
    assert not os.path.exists(tmp_path / "x.onnx")


POOLS = [
    ("max", "valid", True),
    ("max", "full", True),
    ("avg", "valid", False),
    ("avg", "full", True),
    ("avg", "full", False),
    ("sum", "full", True),
    ("lp", "full", True),
]


@pytest.mark.parametrize("kind,convention,include_pad", POOLS)
def test_pooling_conventions(kind, convention, include_pad, tmp_path):
    """MXNet's 'full' convention (ceil) and count_include_pad for every pool type; the ceil windows are the tricky ones."""
    kw = {"count_include_pad": include_pad} if kind == "avg" else ({"p_value": 2} if kind == "lp" else {})
    sym = mx.sym.Pooling(mx.sym.Variable("data"), kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type=kind, pooling_convention=convention, name="pool", **kw)
    x = np.random.default_rng(0).normal(size=(1, 2, 8, 8)).astype(np.float32)
    want = sym.bind(mx.cpu(), {"data": mx.nd.array(x)}).forward()[0].asnumpy()
    path = mx.onnx.export_model(sym, {}, [(1, 2, 8, 8)], np.float32, str(tmp_path / "pool.onnx"))
    np.testing.assert_allclose(run_ort(path, {"data": x})[0], want, rtol=1e-5, atol=1e-5)
    sym2, arg2, aux2 = mx.onnx.import_model(path)
    np.testing.assert_allclose(sym2.bind(mx.cpu(), {"data": mx.nd.array(x)}).forward()[0].asnumpy(), want, rtol=1e-5, atol=1e-5)
