"""The mx.rnn runs shared by tests/golden/make_rnn.py (real MXNet 1.9.1) and
tests/test_rnn_legacy.py (mxpy): ``run(mx)`` returns a dict of NumPy arrays."""

import numpy as np


def _bind_run(mx, sym, shapes, rs, head_seed_shapes=None):
    ex = sym.simple_bind(mx.cpu(), grad_req="write", **shapes)
    vals = {}
    for name in sorted(ex.arg_dict):
        v = rs.uniform(-0.5, 0.5, ex.arg_dict[name].shape).astype(np.float32)
        ex.arg_dict[name][:] = v
        vals[name] = v
    outs = ex.forward(is_train=True)
    heads = [mx.nd.array(rs.uniform(-1, 1, o.shape).astype(np.float32)) for o in outs]
    ex.backward(heads)
    res = {f"out{i}": o.asnumpy() for i, o in enumerate(outs)}
    res.update({f"grad:{k}": v.asnumpy() for k, v in ex.grad_dict.items() if v is not None})
    return res


def run(mx):
    with mx.name.NameManager():  # auto-names (concat0...) count from 0 whatever ran before
        return _run(mx)


def _run(mx):
    out = {}
    rs = np.random.RandomState(11)
    # an unrolled LSTM (NTC input, merged outputs) and its states, with given begin states
    cell = mx.rnn.LSTMCell(4, prefix="lstm_")
    data = mx.sym.Variable("data")
    outputs, states = cell.unroll(3, data, begin_state=[mx.sym.Variable("h0"), mx.sym.Variable("c0")], layout="NTC", merge_outputs=True)
    sym = mx.sym.Group([outputs] + states)
    out["lstm_args"] = np.array(sym.list_arguments())
    out["lstm_outputs"] = np.array(sym.list_outputs())
    for k, v in _bind_run(mx, sym, {"data": (2, 3, 5), "h0": (2, 4), "c0": (2, 4)}, rs).items():
        out["lstm_" + k] = v
    # a stacked GRU + RNN(relu), steps as a list, TNC
    stack = mx.rnn.SequentialRNNCell()
    stack.add(mx.rnn.GRUCell(3, prefix="gru_"))
    stack.add(mx.rnn.RNNCell(3, activation="relu", prefix="rnn_"))
    steps = [mx.sym.Variable(f"x{t}") for t in range(2)]
    outputs, states = stack.unroll(2, steps, begin_state=[mx.sym.Variable("g0"), mx.sym.Variable("r0")], merge_outputs=False)
    sym = mx.sym.Group(outputs)
    out["stack_args"] = np.array(sym.list_arguments())
    out["stack_outputs"] = np.array(sym.list_outputs())
    for k, v in _bind_run(mx, sym, {"x0": (2, 4), "x1": (2, 4), "g0": (2, 3), "r0": (2, 3)}, rs).items():
        out["stack_" + k] = v
    # FusedRNNCell: unpack a packed vector, pack it back, and the unfused cells' names
    fused = mx.rnn.FusedRNNCell(3, num_layers=2, mode="lstm", bidirectional=True, prefix="f_")
    n_params = 0
    for layer in range(2):
        width = 5 if layer == 0 else 6
        n_params += 2 * 4 * (3 * width + 3 * 3 + 3 + 3)
    packed = rs.uniform(-1, 1, (n_params,)).astype(np.float32)
    unpacked = fused.unpack_weights({"f_parameters": mx.nd.array(packed)})
    names = sorted(unpacked)
    out["fused_names"] = np.array(names)
    for k in names:
        out["fused_unpacked:" + k] = unpacked[k].asnumpy()
    out["fused_repacked"] = fused.pack_weights(unpacked)["f_parameters"].asnumpy()
    unf_out, _ = fused.unfuse().unroll(2, [mx.sym.Variable("u0"), mx.sym.Variable("u1")], begin_state=[mx.sym.Variable(f"s{i}") for i in range(8)])
    out["unfused_args"] = np.array(mx.sym.Group(unf_out).list_arguments())
    # the FusedRNN initializer: 0.5 everywhere but the LSTM forget-gate biases
    init_arr = mx.nd.zeros((n_params,))
    fused_init = mx.init.FusedRNN(mx.init.Constant(0.5), 3, 2, "lstm", True, forget_bias=2.5)
    # (called directly: MXNet 1.9.1's FusedRNN cannot rebuild its init from the JSON in __init__)
    fused_init._init_weight(mx.init.InitDesc("f_parameters", global_init=mx.init.Zero()), init_arr)
    out["fused_init"] = init_arr.asnumpy()
    # encode_sentences
    coded, vocab = mx.rnn.encode_sentences([["a", "b", "c"], ["c", "d"]], invalid_label=1, start_label=0)
    out["encoded"] = np.array([x for s in coded for x in s])
    out["vocab"] = np.array(sorted((k, v) for k, v in vocab.items() if k != "\n"))
    return out
