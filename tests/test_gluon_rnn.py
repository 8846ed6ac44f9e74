"""gluon.rnn against real MXNet 1.9.1 (fixtures from tests/golden/make_gluon_rnn.py):
fused RNN/LSTM/GRU layers and unrolled cells, their parameter names, shapes and
reprs, forward outputs and states, and the gradients of inputs, begin states and
parameters, imperative and hybridized; a file written by MXNet's
save_parameters; plus the behaviour that needs no fixture (fused == unfused
cells, begin_state, bad input)."""

import json
import os
import sys

import numpy as np
import pytest

import mxpy as mx
from mxpy import autograd
from mxpy.base import MXNetError
from mxpy.gluon import nn, rnn
from mxpy.gluon.contrib import rnn as crnn

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")
sys.path.insert(0, HERE)
from gluon_rnn_cases import CELLS, LAYERS, H, N, T, seq  # noqa: E402

G = np.load(os.path.join(HERE, "gluon_rnn.npz"))
with open(os.path.join(HERE, "gluon_rnn.json")) as f:
    INFO = json.load(f)
ENV = {"rnn": rnn, "crnn": crnn, "H": H, "C": 4, "seq": seq}
TOL = {"rtol": 1e-4, "atol": 1e-5}


def _make(src):
    with mx.name.NameManager():
        return eval(src, ENV)


def _structure(block):
    items = sorted(block._collect_params_with_prefix().items())
    return [k for k, _ in items], [p.name for _, p in items], [list(p.shape) for _, p in items]


def _set_params(block, pre):
    for key, p in block._collect_params_with_prefix().items():
        p.set_data(mx.nd.array(G[pre + "param/" + key]))


def _check_grads(block, pre):
    for key, p in block._collect_params_with_prefix().items():
        np.testing.assert_allclose(p.grad().asnumpy(), G[pre + "grad/" + key], err_msg=key, **TOL)


@pytest.mark.parametrize("hybrid", [False, True], ids=["imperative", "hybridized"])
@pytest.mark.parametrize("case", list(LAYERS))
def test_layer_matches_mxnet(case, hybrid):
    src, layout, with_states = LAYERS[case]
    pre = f"layer/{case}/"
    info = INFO["layers"][case]
    layer = _make(src)
    assert repr(layer) == info["repr_before"]
    layer.initialize()
    if hybrid:
        layer.hybridize()
    x = mx.nd.array(G[pre + "x"])
    # deferred initialization, through the traced graph when hybridized; as in MXNet
    # the graph traced first fixes whether the states are returned
    layer(x, layer.begin_state(N)) if with_states else layer(x)
    assert list(_structure(layer)) == [info["keys"], info["names"], info["shapes"]]
    assert repr(layer) == info["repr"]
    _set_params(layer, pre)
    x.attach_grad()
    states = []
    if with_states:
        for i in range(info["num_heads"] - 1):
            states.append(mx.nd.array(G[pre + f"h0_{i}"]))
            states[-1].attach_grad()
    with autograd.record():
        res = layer(x, states) if with_states else layer(x)
    heads = [res[0], *res[1]] if with_states else [res]
    assert len(heads) == info["num_heads"]
    autograd.backward(heads, [mx.nd.array(G[pre + f"og_{i}"]) for i in range(len(heads))])
    for i, h in enumerate(heads):
        np.testing.assert_allclose(h.asnumpy(), G[pre + f"out_{i}"], err_msg=f"head {i}", **TOL)
    np.testing.assert_allclose(x.grad.asnumpy(), G[pre + "dx"], **TOL)
    for i, s in enumerate(states):
        np.testing.assert_allclose(s.grad.asnumpy(), G[pre + f"dh0_{i}"], err_msg=f"state {i}", **TOL)
    _check_grads(layer, pre)


@pytest.mark.parametrize("hybrid", [False, True], ids=["imperative", "hybridized"])
@pytest.mark.parametrize("case", list(CELLS))
def test_cell_unroll_matches_mxnet(case, hybrid):
    src, layout, merge, valid = CELLS[case]
    pre = f"cell/{case}/"
    info = INFO["cells"][case]
    cell = _make(src)
    cell.initialize()
    if hybrid:
        cell.hybridize()
    vl = None if valid is None else mx.nd.array(valid)
    x = mx.nd.array(G[pre + "x"])
    cell.unroll(T, x, layout=layout, merge_outputs=merge, valid_length=vl)
    assert list(_structure(cell)) == [info["keys"], info["names"], info["shapes"]]
    assert repr(cell) == info["repr"]
    assert [{k: (list(v) if isinstance(v, tuple) else v) for k, v in d.items()} for d in cell.state_info(N)] == info["state_info"]
    _set_params(cell, pre)
    x.attach_grad()
    with autograd.record():
        outs, states = cell.unroll(T, x, layout=layout, merge_outputs=merge, valid_length=vl)
    assert (len(outs) if isinstance(outs, list) else 0) == info["num_outputs"]
    assert len(states) == info["num_states"]
    heads = list(outs) if isinstance(outs, list) else [outs]
    # as in the fixture, a state that is the last output (RNNCell, GRUCell) is no extra head
    heads += [s for s, dup in zip(states, info["state_is_output"]) if not dup]
    autograd.backward(heads, [mx.nd.array(G[pre + f"og_{i}"]) for i in range(len(heads))])
    for i, h in enumerate(heads):
        np.testing.assert_allclose(h.asnumpy(), G[pre + f"out_{i}"], err_msg=f"head {i}", **TOL)
    np.testing.assert_allclose(x.grad.asnumpy(), G[pre + "dx"], **TOL)
    _check_grads(cell, pre)


def test_mxnet_params_file_loads(tmp_path):
    layer = _make("rnn.LSTM(H, 2, bidirectional=True, input_size=4)")
    layer.load_parameters(os.path.join(HERE, "gluon_rnn_files", "mxnet_lstm.params"))
    np.testing.assert_allclose(layer(mx.nd.array(G["file/x"])).asnumpy(), G["file/y"], **TOL)
    # mxpy writes MXNet's (unfused) keys, and reads them back
    path = str(tmp_path / "lstm.params")
    layer.save_parameters(path)
    assert sorted(mx.nd.load(path)) == INFO["file_keys"]
    again = _make("rnn.LSTM(H, 2, bidirectional=True)")
    again.load_parameters(path)
    np.testing.assert_allclose(again(mx.nd.array(G["file/x"])).asnumpy(), G["file/y"], **TOL)


@pytest.mark.parametrize("hybrid", [False, True], ids=["imperative", "hybridized"])
def test_lstm_projection_inference_matches_mxnet(hybrid):
    info = INFO["lstmp"]
    layer = _make("rnn.LSTM(H + 2, 2, bidirectional=True, projection_size=H, layout='NTC')")
    layer.initialize()
    if hybrid:
        layer.hybridize()
    states = [mx.nd.array(G[f"lstmp/h0_{i}"]) for i in range(2)]
    layer(mx.nd.array(G["lstmp/x"]), states)
    assert list(_structure(layer)) == [info["keys"], info["names"], info["shapes"]]
    _set_params(layer, "lstmp/")
    y, (hy, cy) = layer(mx.nd.array(G["lstmp/x"]), states)
    for got, key in ((y, "y"), (hy, "hy"), (cy, "cy")):
        np.testing.assert_allclose(got.asnumpy(), G["lstmp/" + key], err_msg=key, **TOL)


@pytest.mark.parametrize("mode", ["rnn_relu", "rnn_tanh", "lstm", "gru"])
def test_fused_layer_equals_unfused_cells(mode):
    make = {"lstm": rnn.LSTM, "gru": rnn.GRU}.get(mode)
    layer = make(4, 2, bidirectional=True) if make else rnn.RNN(4, 2, activation=mode[4:], bidirectional=True)
    layer.initialize(mx.init.Uniform(0.5))
    x = mx.nd.random.uniform(-1, 1, shape=(5, 3, 6))
    states = layer.begin_state(3)
    fused, fused_states = layer(x, states)
    stack = layer._unfuse()  # shares the parameters
    out, cell_states = stack.unroll(5, x, layout="TNC", merge_outputs=True)
    np.testing.assert_allclose(out.asnumpy(), fused.asnumpy(), rtol=1e-4, atol=1e-5)
    # the stack's states per (layer, direction) are the fused states' rows
    per = 2 if mode == "lstm" else 1
    for k, fs in enumerate(fused_states):
        rows = np.stack([cell_states[j].asnumpy() for j in range(k, len(cell_states), per)])
        np.testing.assert_allclose(rows, fs.asnumpy(), rtol=1e-4, atol=1e-5)


def test_deferred_layer_inside_hybridized_parent():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(rnn.LSTM(5, 2, bidirectional=True, layout="NTC"), nn.Dense(3, flatten=False))
    net.initialize()
    net.hybridize()
    assert net(mx.nd.ones((2, 4, 7))).shape == (2, 4, 3)
    assert net[0].l0_i2h_weight.shape == (20, 7) and net[0].r0_i2h_weight.shape == (20, 7)
    assert net[1].weight.shape == (3, 10)


def test_begin_state_and_state_info():
    layer = rnn.LSTM(4, 3, bidirectional=True, prefix="enc_")
    assert layer.state_info(2) == [{"shape": (6, 2, 4), "__layout__": "LNC", "dtype": "float32"}] * 2
    states = layer.begin_state(2, func=mx.sym.zeros)
    assert [s.name for s in states] == ["enc_h0_0", "enc_h0_1"]
    ones = layer.begin_state(2, func=mx.nd.ones, dtype="float64")
    assert ones[0].dtype == np.float64 and ones[1].asnumpy().sum() == 6 * 2 * 4
    cell = rnn.GRUCell(3, prefix="g_")
    assert [s.name for s in cell.begin_state(func=mx.sym.var)] == ["g_begin_state_0"]


def test_symbolic_unroll_names_and_shapes():
    stack = rnn.SequentialRNNCell()
    with stack.name_scope():
        stack.add(rnn.LSTMCell(6, prefix="l0_"))
        stack.add(rnn.DropoutCell(0.5))
        stack.add(rnn.GRUCell(4, prefix="l1_"))
    outs, states = stack.unroll(3, mx.sym.var("data"), merge_outputs=False)
    assert [o.name for o in outs] == [f"sequentialrnncell0_l1_t{i}_out" for i in range(3)]
    _, out_shapes, _ = mx.sym.Group(outs + states).infer_shape(data=(2, 3, 5))
    assert out_shapes == [(2, 4)] * 3 + [(2, 6), (2, 6), (2, 4)]


def test_dropout_and_zoneout_are_identity_in_inference():
    x = mx.nd.random.uniform(shape=(2, 4, 3))
    base = rnn.GRUCell(3)
    base.initialize()
    ref, ref_states = base.unroll(4, x, merge_outputs=True)
    zone = rnn.ZoneoutCell(base, zoneout_outputs=0.5, zoneout_states=0.5)
    out, states = zone.unroll(4, x, merge_outputs=True)
    np.testing.assert_allclose(out.asnumpy(), ref.asnumpy(), rtol=1e-6)
    drop = rnn.DropoutCell(0.7)
    assert drop.unroll(4, x, merge_outputs=True)[0] is not None
    np.testing.assert_array_equal(drop.unroll(4, x, merge_outputs=True)[0].asnumpy(), x.asnumpy())
    with autograd.record():  # in training, zoneout keeps some previous values
        trained, _ = zone.unroll(4, x, merge_outputs=True)
    assert not np.allclose(trained.asnumpy(), ref.asnumpy())


def test_modified_cell_cannot_be_used_directly():
    base = rnn.RNNCell(3)
    rnn.ResidualCell(base)
    with pytest.raises(AssertionError, match="modifier cell"):
        base.begin_state(batch_size=2)
    with pytest.raises(AssertionError, match="already modified"):
        rnn.ZoneoutCell(base)


def test_bad_input():
    layer = rnn.GRU(4, 2)
    layer.initialize()
    layer(mx.nd.ones((5, 3, 2)))
    with pytest.raises(ValueError, match=r"Invalid recurrent state shape. Expecting \(2, 3, 4\), got \(1, 3, 4\)"):
        layer(mx.nd.ones((5, 3, 2)), mx.nd.zeros((1, 3, 4)))
    with pytest.raises(AssertionError, match="Invalid layout"):
        rnn.LSTM(4, layout="NCT")
    lstmp = rnn.LSTM(4, projection_size=2, input_size=3)
    lstmp.initialize()
    x = mx.nd.ones((2, 1, 3))
    x.attach_grad()
    with pytest.raises(MXNetError, match="projection_size=2 has no training support"), autograd.record():
        lstmp(x).wait_to_read()
    with pytest.raises(MXNetError, match="projection is for mode='lstm' only"):
        mx.nd.RNN(x, mx.nd.ones((30,)), mx.nd.zeros((1, 1, 2)), state_size=4, num_layers=1, mode="gru", projection_size=2)
    bi = rnn.BidirectionalCell(rnn.RNNCell(2), rnn.RNNCell(2))
    with pytest.raises(NotImplementedError, match="unroll"):
        bi(mx.nd.ones((1, 2)), bi.begin_state(batch_size=1))
    with pytest.raises(AssertionError, match="rate must be a number"):
        rnn.DropoutCell("0.5")


def test_partial_shapes_in_symbol_inference():
    # a deferred parameter (0 = unknown dim) is completed backwards through Reshape
    # and _rnn_param_concat, as MXNet's graph inference does
    layer = rnn.LSTM(3, 2, bidirectional=True, prefix="lstm0_")
    data = mx.sym.var("data")
    out = layer(data)
    args, outs, _ = out.infer_shape(data=(5, 2, 7))
    shapes = dict(zip(out.list_arguments(), args))
    assert shapes["lstm0_l0_i2h_weight"] == (12, 7) and shapes["lstm0_r0_i2h_weight"] == (12, 7)
    assert shapes["lstm0_l1_i2h_weight"] == (12, 6)
    assert outs == [(5, 2, 6)]


def test_variational_dropout_shares_its_mask_over_time():
    x = mx.nd.random.uniform(0.5, 1.0, shape=(3, 6, 4))
    base = rnn.RNNCell(5, activation="relu", i2h_weight_initializer=mx.init.Constant(0.1), h2h_weight_initializer=mx.init.Constant(0.0))
    cell = crnn.VariationalDropoutCell(base, drop_outputs=0.5)
    cell.initialize()
    out, _ = cell.unroll(6, x, merge_outputs=True)  # inference: no dropout
    np.testing.assert_allclose(out.asnumpy(), np.maximum(x.asnumpy().sum(-1, keepdims=True) * 0.1, 0) * np.ones(5), rtol=1e-5)
    with autograd.record():
        dropped, _ = cell.unroll(6, x, merge_outputs=True)
    zeros = dropped.asnumpy() == 0
    # one mask per sequence: a unit dropped at one step is dropped at every step
    assert zeros.any() and (zeros == zeros[:, :1, :]).all()
    assert repr(cell) == "VariationalDropoutCell(p_out = 0.5, p_state = 0.0)"


def test_exported_layer_imports():
    # mxpy's export of the fused LSTM (tests/golden/make_gluon_rnn_mxpy_files.py; real MXNet
    # loads it too: check_gluon_rnn_files_in_mxnet.py) runs as a SymbolBlock, begin states as inputs
    files = os.path.join(HERE, "gluon_rnn_files")
    blk = mx.gluon.SymbolBlock.imports(os.path.join(files, "mxpy_lstm-symbol.json"), ["data0", "data1", "data2"], os.path.join(files, "mxpy_lstm-0000.params"))
    zeros = mx.nd.zeros((4, N, H))
    np.testing.assert_allclose(blk(mx.nd.array(G["file/x"]), zeros, zeros).asnumpy(), G["file/y"], **TOL)
