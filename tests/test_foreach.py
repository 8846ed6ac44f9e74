"""foreach (mx.nd.contrib / mx.sym.contrib), the _foreach operator and gluon.contrib dynamic_unroll.

Goldens: tests/golden/make_foreach.py (real MXNet 1.9.1).
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import mxpy as mx
from mxpy.base import MXNetError

HERE = os.path.join(os.path.dirname(__file__), "golden")
A = np.load(os.path.join(HERE, "foreach.npz"))
with open(os.path.join(HERE, "foreach.json")) as _f:
    META = json.load(_f)


def close(got, want, rtol=1e-5, atol=1e-6):
    got = got.asnumpy() if isinstance(got, mx.nd.NDArray) else got
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


def test_imperative_nested_data_states_and_gradients():
    xs = [mx.nd.array(A[f"nd_{k}"]) for k in ("a", "b", "s0", "s1")]
    for x in xs:
        x.attach_grad()

    def body(data, states):
        (x, y), (h, c) = data, states
        h2 = mx.nd.tanh(x * c + h)
        c2 = c * 0.5 + y
        return [h2 * 2, [c2]], [h2, c2]

    with mx.autograd.record():
        outs, states = mx.nd.contrib.foreach(body, [xs[0], xs[1]], [xs[2], xs[3]])
        loss = (outs[0] * 1.5).sum() + outs[1][0].sum() + states[0].sum() + states[1].sum()
    loss.backward()
    close(outs[0], A["nd_out0"])
    close(outs[1][0], A["nd_out1"])
    close(states[0], A["nd_st0"])
    close(states[1], A["nd_st1"])
    for k, x in zip(("a", "b", "s0", "s1"), xs):
        close(x.grad, A[f"nd_grad_{k}"])


def _sym_graph():
    x, s, w, bias = mx.sym.var("x"), mx.sym.var("s"), mx.sym.var("w"), mx.sym.var("bias")
    scale = mx.sym.exp(bias)

    def body(d, st):
        h = mx.sym.tanh(mx.sym.FullyConnected(d, w, no_bias=True, num_hidden=3) + mx.sym.broadcast_mul(st[0], scale))
        return h * 2, [h]

    o, st = mx.sym.contrib.foreach(body, x, [s])
    return mx.sym.Group([o, st[0]])


def _check_sym(g):
    names = ("x", "s", "w", "bias")
    assert g.list_arguments() == META["sym_arguments"]
    assert g.list_outputs() == META["sym_outputs"]
    args = {k: mx.nd.array(A[f"sym_{k}"]) for k in names}
    grads = {k: mx.nd.zeros(args[k].shape) for k in names}
    ex = g.bind(mx.cpu(), args, args_grad=grads)
    fw = ex.forward(is_train=True)
    close(fw[0], A["sym_out0"])
    close(fw[1], A["sym_out1"])
    ex.backward([mx.nd.array(A["sym_head0"]), mx.nd.array(A["sym_head1"])])
    for k in names:
        close(grads[k], A[f"sym_grad_{k}"], rtol=1e-4, atol=1e-5)


def test_symbolic_forward_backward_and_json_match_mxnet(monkeypatch):
    import collections

    from mxpy import control_flow

    # the golden is the first loop of a fresh process: foreach0, _foreach0, fullyconnected0, ...
    monkeypatch.setattr(control_flow, "_subgraph_counts", collections.Counter())
    with mx.name.NameManager():
        g = _sym_graph()
    assert g.tojson() == META["sym_json"]  # byte for byte, body graph in "subgraphs"
    _check_sym(g)


def test_mxnet_json_loads_and_runs():
    g = mx.sym.load_json(META["sym_json"])
    node = g._outputs[0][0]
    assert node.op.name == "_foreach" and node.subgraphs[0].list_inputs() == ["x-0", "w", "s-0", "exp0_output"]
    assert g.tojson() == META["sym_json"]
    _check_sym(g)


def test_infer_shape_fills_parameters_from_one_step():
    g = _sym_graph()
    args, outs, aux = g.infer_shape(x=(5, 2, 4), s=(2, 3), bias=(1,))
    assert dict(zip(g.list_arguments(), args))["w"] == (3, 4)
    assert outs == [(5, 2, 3), (2, 3)] and aux == []
    arg_types, out_types, _ = g.infer_type(x=np.float16, s=np.float16, bias=np.float16)
    assert arg_types == [np.float16] * 4 and out_types == [np.float16] * 2


def test_a_state_must_keep_its_shape_and_data_must_be_used():
    x, s = mx.sym.var("x"), mx.sym.var("s")
    _, bad = mx.sym.contrib.foreach(lambda d, st: (d, [mx.sym.concat(st[0], st[0], dim=0)]), x, [s])
    with pytest.raises(MXNetError, match="a loop state must keep its shape"):
        bad[0].infer_shape(x=(3, 2), s=(2,))
    with pytest.raises(MXNetError, match="must use every data array"):
        mx.sym.contrib.foreach(lambda d, st: (st[0] * 2, st), x, [s])
    with pytest.raises(MXNetError, match="states shaped"):
        mx.sym.contrib.foreach(lambda d, st: (d, [st[0], st[0]]), x, [s])
    with pytest.raises(TypeError, match="foreach: data must be a NDArray"):
        mx.nd.contrib.foreach(lambda d, st: (d, st), "x", [mx.nd.zeros((1,))])


def test_hybridized_body_matches_imperative_and_survives_export(tmp_path):
    class Net(mx.gluon.HybridBlock):
        def __init__(self, **kw):
            super().__init__(**kw)
            with self.name_scope():
                self.dense = mx.gluon.nn.Dense(3, flatten=False)

        def hybrid_forward(self, F, x, h):
            return F.contrib.foreach(lambda d, st: (self.dense(d) + st[0], [F.tanh(self.dense(d) + st[0])]), x, [h])

    net = Net()
    net.initialize(mx.init.Uniform(0.5))
    x, h = mx.nd.array(A["sym_x"][:, :, :3]), mx.nd.array(A["sym_s"])
    want, want_st = net(x, h)
    net.hybridize()
    got, got_st = net(x, h)
    close(got, want.asnumpy())
    close(got_st[0], want_st[0].asnumpy())
    net.export(str(tmp_path / "loop"))
    back = mx.gluon.SymbolBlock.imports(str(tmp_path / "loop-symbol.json"), ["data0", "data1"], str(tmp_path / "loop-0000.params"))
    again = back(x, h)
    close(again[0], want.asnumpy())


@pytest.mark.parametrize("case", META["unroll"], ids=lambda c: c["key"])
def test_dynamic_unroll_hybridized_matches_mxnet(case):
    from mxpy.gluon.contrib.rnn.rnn_cell import dynamic_unroll

    key, layout = case["key"], case["layout"]

    class Unroll(mx.gluon.HybridBlock):
        def __init__(self, cell, **kw):
            super().__init__(**kw)
            self.cell = cell

        def hybrid_forward(self, F, inputs, states, valid_length):
            vl = None if isinstance(valid_length, list) else valid_length
            return dynamic_unroll(self.cell, inputs, states, valid_length=vl, layout=layout)

    net = Unroll(getattr(mx.gluon.rnn, case["cell"])(4, input_size=3, prefix="rnn_"))
    net.initialize()
    for name, p in sorted(net.collect_params().items()):
        p.set_data(mx.nd.array(A[f"{key}_param_{name}"]))
    net.hybridize()
    init = [mx.nd.array(A[f"{key}_state{i}"]) for i in range(case["n_states"])]
    vl = mx.nd.array([3, 5]) if case["valid_length"] else []
    with mx.autograd.record():
        out, states = net(mx.nd.array(A[f"{key}_data"]), init, vl)
        loss = (out * 1.5).sum() + sum(st.sum() for st in states)
    loss.backward()
    close(out, A[f"{key}_out"])
    for i, st in enumerate(states):
        close(st, A[f"{key}_out_state{i}"])
    for name, p in sorted(net.collect_params().items()):
        close(p.grad(), A[f"{key}_grad_{name}"], rtol=1e-4, atol=1e-5)


def test_states_only_loop_and_concurrent_runs_of_one_node():
    """A body with no per-step outputs (a running product), and one loop node run twice at once."""
    import threading

    x, s = mx.sym.var("x"), mx.sym.var("s")
    outs, st = mx.sym.contrib.foreach(lambda d, st: ([], [st[0] * d]), x, [s])
    assert outs == []
    data = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32)
    args = {"x": mx.nd.array(data), "s": mx.nd.ones((2,))}
    grads = {k: mx.nd.zeros(v.shape) for k, v in args.items()}
    ex = st[0].bind(mx.cpu(), args, args_grad=grads)
    close(ex.forward(is_train=True)[0], [15.0, 48.0])
    ex.backward([mx.nd.ones((2,))])
    close(grads["x"], [[15.0, 24.0], [5.0, 12.0], [3.0, 8.0]])
    close(grads["s"], [15.0, 48.0])
    results = {}

    def run(k):
        e = st[0].bind(mx.cpu(), {"x": mx.nd.array(data * (k + 1)), "s": mx.nd.ones((2,))})
        results[k] = e.forward()[0].asnumpy()

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(4):
        close(results[k], np.prod(data * (k + 1), axis=0))
