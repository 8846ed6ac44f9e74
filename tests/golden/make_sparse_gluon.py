"""Golden values for sparse training paths (autograd, KVStore, Gluon) from real MXNet 1.9.1.

Run with the reference interpreter (writes sparse_gluon.npz next to this file):

    /work/shared/tools/mxnet-reference tests/golden/make_sparse_gluon.py

Cases (inputs are fixed arrays stored alongside, ``in_*``):
- ``emb_*``: Embedding(sparse_grad=True) trained by Trainer('sgd', momentum, wd) for two
  steps on one context: the gradient's storage type and rows, and the weights.
- ``rsp_*``: a row_sparse Parameter (stype and grad_stype) on two contexts, looked up with
  row_sparse_data and trained with Adam (update_on_kvstore), read back with all rows.
- ``kv_*``: a local KVStore: row_sparse pushes from two devices summed into a row_sparse
  value, a dense pull of it, and a row_sparse_pull of some rows.
- ``ag_*``: attach_grad(stype='row_sparse') and backward of ``x * w`` (dense x).
"""

import os

import mxnet as mx
import numpy as np
from mxnet import autograd, gluon

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.RandomState(11)
OUT = {}

W0 = rng.uniform(-1, 1, (6, 3)).astype(np.float32)
IDX1 = np.array([[1, 4], [4, 0]], np.float32)
IDX2 = np.array([[2, 2]], np.float32)
OUT.update(in_W0=W0, in_IDX1=IDX1, in_IDX2=IDX2)

# -- Embedding(sparse_grad=True) + Trainer -------------------------------------------------------
emb = gluon.nn.Embedding(6, 3, sparse_grad=True)
emb.initialize(mx.init.Constant(mx.nd.array(W0)))
trainer = gluon.Trainer(emb.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01})
for step, idx in enumerate((IDX1, IDX2)):
    with autograd.record():
        loss = (emb(mx.nd.array(idx)) ** 2).sum()
    loss.backward()
    g = emb.weight.grad()
    OUT[f"emb_grad{step}_stype"] = np.array(g.stype)
    OUT[f"emb_grad{step}_indices"] = g.indices.asnumpy()
    OUT[f"emb_grad{step}"] = g.asnumpy()
    trainer.step(2)
    OUT[f"emb_w{step}"] = emb.weight.data().asnumpy()

# -- a row_sparse Parameter on two contexts ------------------------------------------------------
ctxs = [mx.cpu(0), mx.cpu(1)]
p = gluon.Parameter("embed_weight", shape=(6, 3), stype="row_sparse", grad_stype="row_sparse", init=mx.init.Constant(mx.nd.array(W0)))
p.initialize(ctx=ctxs)
trainer = gluon.Trainer([p], "adam", {"learning_rate": 0.05})
for idx in (IDX1, IDX2):
    rows = mx.nd.array(np.unique(idx))
    with autograd.record():
        losses = []
        for c in ctxs:
            w = p.row_sparse_data(rows.as_in_context(c))
            x = mx.nd.array(idx, ctx=c)
            losses.append((mx.nd.Embedding(x, w, input_dim=6, output_dim=3, sparse_grad=True) ** 2).sum())
    autograd.backward(losses)
    trainer.step(1)
OUT["rsp_w"] = p.row_sparse_data(mx.nd.arange(0, 6)).asnumpy()

# -- KVStore ------------------------------------------------------------------------------------
kv = mx.kv.create("local")
kv.init("w", mx.nd.zeros((6, 3)).tostype("row_sparse"))
a = mx.nd.array(W0 * (np.arange(6) % 2 == 0)[:, None]).tostype("row_sparse").copyto(mx.cpu(0))
b = mx.nd.array(W0 * (np.arange(6) < 2)[:, None]).tostype("row_sparse").copyto(mx.cpu(1))
kv.push("w", [a, b])
dense = mx.nd.zeros((6, 3))
kv.pull("w", out=dense, ignore_sparse=False)
OUT["kv_sum"] = dense.asnumpy()
out = mx.nd.zeros((6, 3)).tostype("row_sparse")
kv.row_sparse_pull("w", out=out, row_ids=mx.nd.array([5, 1, 1, 3]))
OUT["kv_rows"] = out.asnumpy()
OUT["kv_rows_indices"] = out.indices.asnumpy()

# -- autograd with a row_sparse gradient buffer --------------------------------------------------
x = mx.nd.array(W0)
w = mx.nd.array(W0 * (np.arange(6) % 3 == 0)[:, None])
w.attach_grad(stype="row_sparse")
with autograd.record():
    y = x * w
y.backward()
OUT["ag_grad_stype"] = np.array(w.grad.stype)
OUT["ag_grad"] = w.grad.asnumpy()

np.savez(os.path.join(HERE, "sparse_gluon.npz"), **OUT)
print("wrote", len(OUT), "arrays")
