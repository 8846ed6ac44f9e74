"""Embedding, UpSampling, Crop, Sequence* and RNN: MXNet 1.9.1 golden values,
float64 gradient checks, the symbolic path and argument errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import mxpy as mx
from mxpy.base import MXNetError
from tests.gradcheck import check_gradient

GOLDEN = np.load(Path(__file__).parent / "golden" / "seq_rnn.npz")
META = json.loads(str(GOLDEN["__meta__"]))


def _gold(name: str, kind: str, n: int) -> list[np.ndarray]:
    return [GOLDEN[f"{name}/{kind}{i}"] for i in range(n)]


@pytest.mark.parametrize("name", sorted(META))
def test_golden_forward_and_gradients(name):
    """Outputs and input gradients equal MXNet 1.9.1's (autograd, training mode)."""
    m = META[name]
    inputs = _gold(name, "inputs", m["n_in"])
    heads = _gold(name, "heads", m["n_out"])
    arrays = [mx.nd.array(x, dtype=x.dtype) for x in inputs]
    for i in m["wrt"]:
        arrays[i].attach_grad()
    with mx.autograd.record(train_mode=True):
        outs = getattr(mx.nd, m["op"])(*arrays, **m["params"])
    outs = outs if isinstance(outs, list) else [outs]
    assert len(outs) == m["n_out"]
    # MXNet's CPU RNN runs parts of its float64 path in float32: compare at float32 precision
    tol = {"rtol": 1e-5, "atol": 1e-6}
    for got, want in zip(outs, _gold(name, "outputs", m["n_out"])):
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_allclose(got.asnumpy(), want, err_msg=name, **tol)
    if m["wrt"]:
        mx.autograd.backward(outs, [mx.nd.array(h, dtype=h.dtype) for h in heads])
        for i, want in zip(m["wrt"], _gold(name, "grads", len(m["wrt"]))):
            np.testing.assert_allclose(arrays[i].grad.asnumpy(), want, err_msg=f"{name} grad {i}", **tol)


def _rnn_count(mode, layers, bi, c, h):
    g = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}[mode]
    d = 2 if bi else 1
    return sum(d * (g * h * ((c if lyr == 0 else d * h) + h) + 2 * g * h) for lyr in range(layers))


@pytest.mark.parametrize("mode", ["rnn_relu", "rnn_tanh", "lstm", "gru"])
@pytest.mark.parametrize(("layers", "bi"), [(1, False), (1, True), (2, False), (2, True)])
def test_rnn_gradient(mode, layers, bi):
    rng = np.random.default_rng(7)
    d, h = (2 if bi else 1), 2
    ins = [rng.standard_normal((3, 2, 3)), rng.standard_normal(_rnn_count(mode, layers, bi, 3, h)) * 0.5, rng.standard_normal((layers * d, 2, h))]
    if mode == "lstm":
        ins.append(rng.standard_normal((layers * d, 2, h)))
    check_gradient("RNN", ins, {"state_size": h, "num_layers": layers, "mode": mode, "bidirectional": bi, "state_outputs": True})


def test_rnn_gradient_lstm_clip_and_dropout_mask():
    rng = np.random.default_rng(3)
    ins = [
        rng.standard_normal((3, 2, 3)),
        rng.standard_normal(_rnn_count("lstm", 1, False, 3, 2)),
        rng.standard_normal((1, 2, 2)),
        rng.standard_normal((1, 2, 2)),
    ]
    check_gradient("RNN", ins, {"state_size": 2, "num_layers": 1, "mode": "lstm", "lstm_state_clip_min": -0.6, "lstm_state_clip_max": 0.6})


def test_rnn_dropout_between_layers_training_only():
    rng = np.random.default_rng(5)
    n = _rnn_count("gru", 2, False, 3, 4)
    x, par, h0 = (mx.nd.array(a) for a in (rng.standard_normal((4, 8, 3)), rng.standard_normal(n) * 0.5, np.zeros((2, 8, 4))))
    kw = {"state_size": 4, "num_layers": 2, "mode": "gru"}
    plain = mx.nd.RNN(x, par, h0, **kw).asnumpy()
    infer = mx.nd.RNN(x, par, h0, p=0.5, **kw).asnumpy()
    np.testing.assert_array_equal(infer, plain)  # dropout is off outside training
    with mx.autograd.train_mode():
        trained = mx.nd.RNN(x, par, h0, p=0.5, **kw).asnumpy()
    assert not np.allclose(trained, plain)
    # gradient in training uses the forward's own masks: autograd vs numeric on the parameters
    par.attach_grad()
    mx.random.seed(11)
    with mx.autograd.record():
        out = mx.nd.RNN(x, par, h0, p=0.5, **kw)
    out.backward()
    g = par.grad.asnumpy()
    assert np.isfinite(g).all() and np.abs(g).sum() > 0


def test_rnn_symbolic_matches_imperative():
    rng = np.random.default_rng(2)
    n = _rnn_count("lstm", 1, True, 3, 2)
    data = mx.sym.var("data")
    sym = mx.sym.RNN(data, state_size=2, num_layers=1, mode="lstm", bidirectional=True, state_outputs=True, name="rnn")
    assert sym.list_arguments() == ["data", "rnn_parameters", "rnn_state", "rnn_state_cell"]
    assert sym.list_outputs() == ["rnn_output", "rnn_state_output", "rnn_statecell_output"]
    arg_shapes, out_shapes, _ = sym.infer_shape(data=(3, 2, 3))
    assert arg_shapes == [(3, 2, 3), (n,), (2, 2, 2), (2, 2, 2)] and out_shapes == [(3, 2, 4), (2, 2, 2), (2, 2, 2)]
    vals = {
        "data": rng.standard_normal((3, 2, 3)),
        "rnn_parameters": rng.standard_normal(n),
        "rnn_state": rng.standard_normal((2, 2, 2)),
        "rnn_state_cell": rng.standard_normal((2, 2, 2)),
    }
    ex = sym.bind(mx.cpu(), {k: mx.nd.array(v) for k, v in vals.items()}, args_grad={k: mx.nd.zeros(v.shape) for k, v in vals.items()})
    outs = ex.forward(is_train=True)
    want = mx.nd.RNN(*(mx.nd.array(vals[k]) for k in vals), state_size=2, num_layers=1, mode="lstm", bidirectional=True, state_outputs=True)
    for a, b in zip(outs, want):
        np.testing.assert_allclose(a.asnumpy(), b.asnumpy(), rtol=1e-6)
    ex.backward([mx.nd.ones(o.shape) for o in outs])
    assert np.abs(ex.grad_dict["rnn_parameters"].asnumpy()).sum() > 0


def test_rnn_bad_parameters_length():
    with pytest.raises(MXNetError, match=r"RNN: parameters shape given \(41,\), expected \(42,\)"):
        mx.nd.RNN(mx.nd.zeros((3, 2, 3)), mx.nd.zeros((41,)), mx.nd.zeros((1, 2, 2)), state_size=2, num_layers=1, mode="gru")
    with pytest.raises(MXNetError, match="projection_size"):
        mx.nd.RNN(
            mx.nd.zeros((3, 2, 3)),
            mx.nd.zeros((80,)),
            mx.nd.zeros((1, 2, 2)),
            mx.nd.zeros((1, 2, 2)),
            state_size=2,
            num_layers=1,
            mode="lstm",
            projection_size=1,
        )
    with pytest.raises(MXNetError, match="state"):
        mx.nd.RNN(mx.nd.zeros((3, 2, 3)), mx.nd.zeros((42,)), mx.nd.zeros((2, 2, 2)), state_size=2, num_layers=1, mode="gru")


@pytest.mark.parametrize(
    ("op", "inputs", "params"),
    [
        ("Embedding", [np.array([[0, 2.5], [1, 3]]), np.arange(8.0).reshape(4, 2)], {"input_dim": 4, "output_dim": 2}),
        ("UpSampling", [np.arange(12.0).reshape(1, 2, 2, 3)], {"scale": 2, "sample_type": "nearest"}),
        ("UpSampling", [np.arange(4.0).reshape(1, 1, 2, 2), np.array([[[[0.5]]]])], {"scale": 2, "sample_type": "nearest", "multi_input_mode": "sum"}),
        (
            "UpSampling",
            [np.linspace(-1, 1, 12).reshape(1, 2, 2, 3), np.linspace(0, 1, 32).reshape(2, 1, 4, 4)],
            {"scale": 2, "sample_type": "bilinear", "num_filter": 2},
        ),
        (
            "UpSampling",
            [np.linspace(-1, 1, 8).reshape(1, 2, 2, 2), np.linspace(0, 1, 50).reshape(2, 1, 5, 5)],
            {"scale": 3, "sample_type": "bilinear", "num_filter": 2},
        ),
        ("Crop", [np.arange(40.0).reshape(1, 2, 4, 5)], {"h_w": (2, 3), "offset": (1, 1)}),
        ("Crop", [np.arange(40.0).reshape(1, 2, 4, 5), np.zeros((1, 1, 3, 3))], {"center_crop": True}),
        ("SequenceMask", [np.arange(12.0).reshape(3, 2, 2), np.array([1.0, 3.0])], {"use_sequence_length": True, "value": 2.0}),
        ("SequenceMask", [np.arange(12.0).reshape(2, 3, 2), np.array([2.0, 1.0])], {"use_sequence_length": True, "axis": 1}),
        ("SequenceLast", [np.arange(12.0).reshape(3, 2, 2), np.array([1.0, 3.0])], {"use_sequence_length": True}),
        ("SequenceLast", [np.arange(12.0).reshape(2, 3, 2)], {"axis": 1}),
        ("SequenceReverse", [np.arange(12.0).reshape(3, 2, 2), np.array([2.0, 3.0])], {"use_sequence_length": True}),
        ("SequenceReverse", [np.arange(12.0).reshape(3, 2, 2)], {}),
    ],
)
def test_gradients(op, inputs, params):
    # index-like inputs (Embedding data, Crop size reference, sequence lengths) get no gradient
    wrt = {"Embedding": [1], "Crop": [0]}.get(op, [0] if op.startswith("Sequence") else range(len(inputs)))
    check_gradient(op, inputs, params, wrt=wrt)


def test_embedding_symbolic_names_and_shapes():
    sym = mx.sym.Embedding(mx.sym.var("data"), input_dim=10, output_dim=4, name="embed")
    assert sym.list_arguments() == ["data", "embed_weight"]
    args, outs, _ = sym.infer_shape(data=(5, 3))
    assert args == [(5, 3), (10, 4)] and outs == [(5, 3, 4)]
    with pytest.raises(MXNetError, match=r"weight: given \(4, 3\), expected \(5, 3\) from input_dim=5 and output_dim=3"):
        mx.nd.Embedding(mx.nd.array([1, 2]), mx.nd.zeros((4, 3)), input_dim=5, output_dim=3)


def test_upsampling_and_crop_names_and_errors():
    d = mx.sym.var("d")
    assert mx.sym.UpSampling(d, scale=2, sample_type="bilinear", num_filter=3, name="up").list_arguments() == ["d", "up_weight"]
    assert mx.sym.UpSampling(d, d, scale=2, sample_type="nearest").list_arguments() == ["d"]  # MXNet lists a variable once
    _, outs, _ = mx.sym.UpSampling(d, scale=2, sample_type="bilinear", num_filter=4).infer_shape(d=(1, 4, 3, 3))
    assert outs == [(1, 4, 6, 6)]
    with pytest.raises(MXNetError, match="multi_input_mode='sum'"):
        mx.nd.UpSampling(mx.nd.zeros((1, 2, 2, 2)), mx.nd.zeros((1, 1, 4, 4)), scale=2, sample_type="nearest", multi_input_mode="sum")
    with pytest.raises(MXNetError, match="Crop: offset given"):
        mx.nd.Crop(mx.nd.zeros((1, 1, 5, 6)), h_w=(5, 3), offset=(1, 0))
    with pytest.raises(MXNetError, match="SequenceReverse"):
        mx.nd.SequenceReverse(mx.nd.zeros((3, 2)), axis=1)
