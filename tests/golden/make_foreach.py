"""Golden values for the foreach control-flow operator and gluon.contrib dynamic_unroll, from real MXNet 1.9.1.

Run with ``/work/shared/tools/mxnet-reference tests/golden/make_foreach.py``;
writes ``tests/golden/foreach.json`` and ``tests/golden/foreach.npz``:

* ``nd``: ``mx.nd.contrib.foreach`` with nested data and states, outputs and
  the gradients of ``sum(out * 1.5) + sum(states)`` (autograd);
* ``sym``: ``mx.sym.contrib.foreach`` over a small tanh RNN: MXNet's JSON
  text, the forward outputs and the gradients of every argument;
* ``unroll_<cell>_<layout>[_vl]``: ``dynamic_unroll`` of RNN/LSTM/GRU cells
  inside a hybridized HybridBlock, with and without ``valid_length``:
  outputs, states and the parameters' gradients.
"""

import json
import os

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.RandomState(5)
arrays = {}
meta = {}


def f32(*shape):
    return rng.uniform(-1, 1, shape).astype(np.float32)


# -- imperative, nested ----------------------------------------------------------------------------
a, b, s0, s1 = f32(4, 2, 3), f32(4, 3), f32(2, 3), f32(3)
arrays.update(nd_a=a, nd_b=b, nd_s0=s0, nd_s1=s1)
xs = [mx.nd.array(v) for v in (a, b, s0, s1)]
for x in xs:
    x.attach_grad()


def nd_body(data, states):
    (x, y), (h, c) = data, states
    h2 = mx.nd.tanh(x * c + h)
    c2 = c * 0.5 + y
    return [h2 * 2, [c2]], [h2, c2]


with mx.autograd.record():
    outs, states = mx.nd.contrib.foreach(nd_body, [xs[0], xs[1]], [xs[2], xs[3]])
    loss = (outs[0] * 1.5).sum() + outs[1][0].sum() + states[0].sum() + states[1].sum()
loss.backward()
arrays.update(nd_out0=outs[0].asnumpy(), nd_out1=outs[1][0].asnumpy(), nd_st0=states[0].asnumpy(), nd_st1=states[1].asnumpy())
for k, x in zip(("a", "b", "s0", "s1"), xs):
    arrays[f"nd_grad_{k}"] = x.grad.asnumpy()

# -- symbolic ---------------------------------------------------------------------------------------
x, s, w, bias = mx.sym.var("x"), mx.sym.var("s"), mx.sym.var("w"), mx.sym.var("bias")
scale = mx.sym.exp(bias)  # an outer operator the body reads: cut into an input


def sym_body(d, st):
    h = mx.sym.tanh(mx.sym.FullyConnected(d, w, no_bias=True, num_hidden=3) + mx.sym.broadcast_mul(st[0], scale))
    return h * 2, [h]


o, st = mx.sym.contrib.foreach(sym_body, x, [s])
g = mx.sym.Group([o, st[0]])
meta["sym_json"] = g.tojson()
args = {"x": f32(5, 2, 4), "s": f32(2, 3), "w": f32(3, 4), "bias": f32(1)}
arrays.update({f"sym_{k}": v for k, v in args.items()})
ex = g.bind(mx.cpu(), {k: mx.nd.array(v) for k, v in args.items()}, args_grad={k: mx.nd.zeros(v.shape) for k, v in args.items()})
fw = ex.forward(is_train=True)
heads = [f32(5, 2, 3), f32(2, 3)]
arrays.update(sym_head0=heads[0], sym_head1=heads[1], sym_out0=fw[0].asnumpy(), sym_out1=fw[1].asnumpy())
ex.backward([mx.nd.array(h) for h in heads])
for k in args:
    arrays[f"sym_grad_{k}"] = ex.grad_dict[k].asnumpy()
meta["sym_arguments"] = g.list_arguments()
meta["sym_outputs"] = g.list_outputs()


# -- dynamic_unroll in a hybridized block -----------------------------------------------------------
class Unroll(mx.gluon.HybridBlock):
    def __init__(self, cell, layout, **kw):
        super().__init__(**kw)
        self.cell = cell
        self.layout = layout

    def hybrid_forward(self, F, inputs, states, valid_length):
        vl = None if isinstance(valid_length, list) else valid_length
        return mx.gluon.contrib.rnn.rnn_cell.dynamic_unroll(self.cell, inputs, states, valid_length=vl, layout=self.layout)


meta["unroll"] = []
for cell_name, n_states in (("RNNCell", 1), ("LSTMCell", 2), ("GRUCell", 1)):
    for layout in ("TNC", "NTC"):
        for with_vl in (False, True):
            key = f"unroll_{cell_name}_{layout}{'_vl' if with_vl else ''}"
            cell = getattr(mx.gluon.rnn, cell_name)(4, input_size=3, prefix="rnn_")
            net = Unroll(cell, layout)
            net.initialize()
            for name, p in sorted(net.collect_params().items()):
                v = f32(*p.shape)
                arrays[f"{key}_param_{name}"] = v
                p.set_data(mx.nd.array(v))
            net.hybridize()
            data = f32(5, 2, 3) if layout == "TNC" else f32(2, 5, 3)
            init = [f32(2, 4) for _ in range(n_states)]
            vl = np.array([3, 5], dtype=np.float32) if with_vl else None
            arrays[f"{key}_data"] = data
            for i, v in enumerate(init):
                arrays[f"{key}_state{i}"] = v
            with mx.autograd.record():
                out, states = net(mx.nd.array(data), [mx.nd.array(v) for v in init], mx.nd.array(vl) if with_vl else [])
                loss = (out * 1.5).sum() + sum(st.sum() for st in states)
            loss.backward()
            arrays[f"{key}_out"] = out.asnumpy()
            for i, st in enumerate(states):
                arrays[f"{key}_out_state{i}"] = st.asnumpy()
            for name, p in sorted(net.collect_params().items()):
                arrays[f"{key}_grad_{name}"] = p.grad().asnumpy()
            meta["unroll"].append({"key": key, "cell": cell_name, "layout": layout, "valid_length": with_vl, "n_states": n_states})

np.savez_compressed(os.path.join(HERE, "foreach.npz"), **arrays)
with open(os.path.join(HERE, "foreach.json"), "w") as f:
    json.dump(meta, f, indent=1)
print(len(arrays), "arrays")
