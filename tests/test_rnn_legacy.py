"""mx.rnn: goldens from MXNet 1.9.1 (unrolled LSTM, GRU/RNN stack, FusedRNNCell pack/unpack/unfuse,
FusedRNN init, encode_sentences); fused == unfused numerically; modifier cells; bucketing iterator; checkpoints."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

import mxpy as mx
from mxpy.base import MXNetError

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "golden"))
from rnn_case import run as golden_run  # noqa: E402


def test_golden_rnn_runs_match_mxnet():
    want = np.load(os.path.join(os.path.dirname(__file__), "golden", "rnn.npz"))
    got = golden_run(mx)
    assert sorted(got) == sorted(want.files)
    for k in want.files:
        if want[k].dtype.kind in "US":
            assert got[k].tolist() == want[k].tolist(), k
        else:
            np.testing.assert_allclose(got[k], want[k], rtol=1e-5, atol=1e-6, err_msg=k)


def _run(sym, shapes, values):
    ex = sym.simple_bind(mx.cpu(), grad_req="null", **shapes)
    for k, v in values.items():
        ex.arg_dict[k][:] = v
    return [o.asnumpy() for o in ex.forward()]


@pytest.mark.parametrize("mode", ["lstm", "gru", "rnn_tanh"])
def test_fused_equals_unfused(mode):
    rng = np.random.default_rng(0)
    fused = mx.rnn.FusedRNNCell(3, num_layers=2, mode=mode, bidirectional=True, prefix="f_")
    n_states = 2 if mode == "lstm" else 1
    states = [mx.sym.Variable(f"s{i}") for i in range(n_states)]
    out_f, _ = fused.unroll(4, mx.sym.Variable("data"), begin_state=states, layout="TNC", merge_outputs=True)
    arg_shapes, _, _ = out_f.infer_shape(data=(4, 2, 5), **{f"s{i}": (4, 2, 3) for i in range(n_states)})
    n_par = dict(zip(out_f.list_arguments(), arg_shapes))["f_parameters"]
    packed = rng.uniform(-0.5, 0.5, n_par).astype(np.float32)
    x = rng.uniform(-1, 1, (4, 2, 5)).astype(np.float32)
    got = _run(out_f, {"data": (4, 2, 5), **{f"s{i}": (4, 2, 3) for i in range(n_states)}}, {"data": x, "f_parameters": packed})[0]
    unfused = fused.unfuse()
    # the unfused stack: per layer and direction, its own zero begin states
    ub = [mx.sym.Variable(f"u{i}") for i in range(len(unfused.state_info))]
    out_u, _ = unfused.unroll(4, mx.sym.Variable("data"), begin_state=ub, layout="TNC", merge_outputs=True)
    weights = fused.unpack_weights({"f_parameters": mx.nd.array(packed)})
    weights = unfused.pack_weights(weights)
    vals = {k: v.asnumpy() for k, v in weights.items()}
    vals["data"] = x
    shapes = {"data": (4, 2, 5), **{f"u{i}": (2, 3) for i in range(len(ub))}}
    want = _run(out_u, shapes, vals)[0]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_cell_names_and_modifiers():
    cell = mx.rnn.RNNCell(4, prefix="r_")
    res = mx.rnn.ResidualCell(cell)
    outs, _ = res.unroll(2, [mx.sym.Variable("a"), mx.sym.Variable("b")], begin_state=[mx.sym.Variable("h")])
    assert [o.name for o in outs] == ["r_t0_out_plus_residual", "r_t1_out_plus_residual"]
    with pytest.raises(MXNetError, match="modifier"):
        cell.begin_state()
    bi = mx.rnn.BidirectionalCell(mx.rnn.GRUCell(2, prefix="l_"), mx.rnn.GRUCell(2, prefix="r_"), output_prefix="bi_")
    outs, states = bi.unroll(3, mx.sym.Variable("x"), begin_state=[mx.sym.Variable("h0"), mx.sym.Variable("h1")], merge_outputs=False)
    assert [o.name for o in outs] == ["bi_t0", "bi_t1", "bi_t2"] and len(states) == 2
    assert sorted(bi.params._params) == ["l_h2h_bias", "l_h2h_weight", "l_i2h_bias", "l_i2h_weight", "r_h2h_bias", "r_h2h_weight", "r_i2h_bias", "r_i2h_weight"]
    # (zoneout_outputs > 0 starts from zeros((0, 0)), which needs legacy 0-as-unknown shape inference)
    zo = mx.rnn.ZoneoutCell(mx.rnn.LSTMCell(2, prefix="z_"), zoneout_outputs=0.0, zoneout_states=0.5)
    outs, _ = zo.unroll(2, [mx.sym.Variable("a"), mx.sym.Variable("b")], begin_state=[mx.sym.Variable("h"), mx.sym.Variable("c")])
    ex = mx.sym.Group(outs).simple_bind(mx.cpu(), a=(3, 2), b=(3, 2), h=(3, 2), c=(3, 2))
    assert [o.shape for o in ex.forward(is_train=True)] == [(3, 2), (3, 2)]
    with pytest.raises(MXNetError, match="unfuse"):
        mx.rnn.ZoneoutCell(mx.rnn.FusedRNNCell(2))
    drop = mx.rnn.DropoutCell(0.5)
    out, st = drop.unroll(3, mx.sym.Variable("x"), merge_outputs=True)
    assert isinstance(out, mx.sym.Symbol) and st == []
    with pytest.raises(MXNetError, match="number"):
        mx.rnn.DropoutCell("0.5")


def test_conv_cells_state_shapes_and_step():
    for cls, n in ((mx.rnn.ConvRNNCell, 1), (mx.rnn.ConvLSTMCell, 2), (mx.rnn.ConvGRUCell, 1)):
        cell = cls(input_shape=(2, 3, 6, 6), num_hidden=4, i2h_kernel=(3, 3), i2h_pad=(1, 1))
        assert cell.state_shape == [(0, 4, 6, 6)] * n
        begin = [mx.sym.Variable(f"s{i}") for i in range(n)]
        outs, _ = cell.unroll(2, mx.sym.Variable("x"), begin_state=begin, layout="NTC", merge_outputs=True)
        shapes = {"x": (2, 2, 3, 6, 6), **{f"s{i}": (2, 4, 6, 6) for i in range(n)}}
        assert outs.infer_shape(**shapes)[1] == [(2, 2, 4, 6, 6)]
    with pytest.raises(MXNetError, match="odd"):
        mx.rnn.ConvRNNCell(input_shape=(1, 3, 6, 6), num_hidden=2, h2h_kernel=(2, 2))


def test_bucket_sentence_iter(capsys):
    rng = np.random.default_rng(0)
    sents = [list(rng.integers(1, 9, n)) for n in (3, 3, 4, 5, 5, 5, 9)]
    it = mx.rnn.BucketSentenceIter(sents, batch_size=2, buckets=[4, 6], invalid_label=0)
    assert "discarded 1 sentences" in capsys.readouterr().out
    assert it.default_bucket_key == 6 and it.provide_data[0].shape == (2, 6)
    batches = list(it)
    assert sorted(b.bucket_key for b in batches) == [4, 6]
    for b in batches:
        d, lab = b.data[0].asnumpy(), b.label[0].asnumpy()
        assert d.shape == (2, b.bucket_key)
        np.testing.assert_array_equal(lab[:, :-1], d[:, 1:])
        assert (lab[:, -1] == 0).all()
    tn = mx.rnn.BucketSentenceIter(sents, batch_size=2, buckets=[4, 6], invalid_label=0, layout="TN")
    assert next(iter(tn)).data[0].shape[1] == 2
    with pytest.raises(ValueError, match="layout"):
        mx.rnn.BucketSentenceIter(sents, batch_size=2, buckets=[4, 6], layout="XY")
    with pytest.raises(MXNetError, match="Unknown token z"):
        mx.rnn.encode_sentences([["z"]], vocab={"a": 0})
    # as in MXNet, an unknown word takes the next id (start_label here) for unknown_token
    coded, vocab = mx.rnn.encode_sentences([["z", "a"]], vocab={"a": 3}, unknown_token="<unk>", start_label=7)
    assert coded == [[7, 3]] and vocab["<unk>"] == 7 and "z" not in vocab


def test_rnn_checkpoint_saves_unpacked_and_loads_packed(tmp_path):
    cell = mx.rnn.LSTMCell(2, prefix="lstm_")
    outs, _ = cell.unroll(1, [mx.sym.Variable("x")], begin_state=[mx.sym.Variable("h"), mx.sym.Variable("c")])
    args = {
        "lstm_i2h_weight": mx.nd.array(np.arange(24).reshape(8, 3)),
        "lstm_i2h_bias": mx.nd.arange(8),
        "lstm_h2h_weight": mx.nd.ones((8, 2)),
        "lstm_h2h_bias": mx.nd.zeros((8,)),
    }
    prefix = str(tmp_path / "m")
    mx.rnn.do_rnn_checkpoint(cell, prefix, period=2)(1, outs[0], args, {})
    saved = mx.nd.load(prefix + "-0002.params")
    assert "arg:lstm_i2h_f_weight" in saved and saved["arg:lstm_i2h_f_weight"].shape == (2, 3)
    np.testing.assert_array_equal(saved["arg:lstm_i2h_f_bias"].asnumpy(), [2, 3])
    _, arg, _ = mx.rnn.load_rnn_checkpoint(cell, prefix, 2)
    assert sorted(arg) == sorted(args)
    for k in args:
        np.testing.assert_array_equal(arg[k].asnumpy(), args[k].asnumpy())
