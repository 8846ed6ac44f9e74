"""Sparse training paths (autograd, KVStore, Gluon) against MXNet 1.9.1 (tests/golden/make_sparse_gluon.py)."""

from __future__ import annotations

import os

import numpy as np
import pytest

import mxpy as mx
from mxpy import autograd, gluon

GOLD = np.load(os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden", "sparse_gluon.npz"))
W0, IDX1, IDX2 = GOLD["in_W0"], GOLD["in_IDX1"], GOLD["in_IDX2"]


def test_embedding_sparse_grad_with_trainer_matches_mxnet():
    emb = gluon.nn.Embedding(6, 3, sparse_grad=True)
    emb.initialize(mx.init.Constant(mx.nd.array(W0)))
    assert emb.weight._grad_stype == "row_sparse"
    trainer = gluon.Trainer(emb.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01})
    for step, idx in enumerate((IDX1, IDX2)):
        with autograd.record():
            loss = (emb(mx.nd.array(idx)) ** 2).sum()
        loss.backward()
        g = emb.weight.grad()
        assert g.stype == str(GOLD[f"emb_grad{step}_stype"])
        np.testing.assert_array_equal(g.indices.asnumpy(), GOLD[f"emb_grad{step}_indices"])
        np.testing.assert_allclose(g.asnumpy(), GOLD[f"emb_grad{step}"], rtol=1e-6)
        trainer.step(2)
        np.testing.assert_allclose(emb.weight.data().asnumpy(), GOLD[f"emb_w{step}"], rtol=1e-5, atol=1e-7)


def test_row_sparse_parameter_on_two_contexts_matches_mxnet():
    ctxs = [mx.cpu(0), mx.cpu(1)]
    p = gluon.Parameter("embed_weight", shape=(6, 3), stype="row_sparse", grad_stype="row_sparse", init=mx.init.Constant(mx.nd.array(W0)))
    p.initialize(ctx=ctxs)
    with pytest.raises(RuntimeError, match="no Trainer"):
        p.row_sparse_data(mx.nd.array([0]))
    with pytest.raises(RuntimeError, match="row_sparse_data"):
        p.data()
    trainer = gluon.Trainer([p], "adam", {"learning_rate": 0.05})
    with pytest.raises(RuntimeError, match="More than one trainers"):
        gluon.Trainer([p], "sgd")
    for idx in (IDX1, IDX2):
        rows = mx.nd.array(np.unique(idx))
        with autograd.record():
            losses = []
            for c in ctxs:
                w = p.row_sparse_data(rows.as_in_context(c))
                assert w.stype == "row_sparse" and w.context == c
                x = mx.nd.array(idx, ctx=c)
                losses.append((mx.nd.Embedding(x, w, input_dim=6, output_dim=3, sparse_grad=True) ** 2).sum())
        autograd.backward(losses)
        trainer.step(1)
    np.testing.assert_allclose(p.row_sparse_data(mx.nd.arange(0, 6)).asnumpy(), GOLD["rsp_w"], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="update_on_kvstore=False"):
        q = gluon.Parameter("q", shape=(2, 2), stype="row_sparse")
        q.initialize()
        gluon.Trainer([q], "sgd", update_on_kvstore=False)._init_kvstore()


def test_kvstore_row_sparse_matches_mxnet():
    kv = mx.kv.create("local")
    kv.init("w", mx.nd.zeros((6, 3)).tostype("row_sparse"))
    a = mx.nd.array(W0 * (np.arange(6) % 2 == 0)[:, None]).tostype("row_sparse").copyto(mx.cpu(0))
    b = mx.nd.array(W0 * (np.arange(6) < 2)[:, None]).tostype("row_sparse").copyto(mx.cpu(1))
    kv.push("w", [a, b])
    sparse_out = mx.nd.zeros((6, 3)).tostype("row_sparse")
    kv.pull("w", out=sparse_out)  # ignore_sparse=True leaves sparse outputs alone, as MXNet
    assert sparse_out.asnumpy().sum() == 0
    dense = mx.nd.zeros((6, 3))
    kv.pull("w", out=dense, ignore_sparse=False)
    np.testing.assert_allclose(dense.asnumpy(), GOLD["kv_sum"], rtol=1e-6)
    out = mx.nd.zeros((6, 3)).tostype("row_sparse")
    kv.row_sparse_pull("w", out=out, row_ids=mx.nd.array([5, 1, 1, 3]))
    np.testing.assert_allclose(out.asnumpy(), GOLD["kv_rows"], rtol=1e-6)
    np.testing.assert_array_equal(out.indices.asnumpy(), GOLD["kv_rows_indices"])
    with pytest.raises(mx.MXNetError, match="RowSparseNDArray"):
        kv.row_sparse_pull("w", out=mx.nd.zeros((6, 3)), row_ids=mx.nd.array([0]))


def test_attach_grad_row_sparse_matches_mxnet():
    x = mx.nd.array(W0)
    w = mx.nd.array(W0 * (np.arange(6) % 3 == 0)[:, None])
    w.attach_grad(stype="row_sparse")
    with autograd.record():
        y = x * w
    y.backward()
    assert w.grad.stype == str(GOLD["ag_grad_stype"])
    np.testing.assert_allclose(w.grad.asnumpy(), GOLD["ag_grad"], rtol=1e-6)


def test_sparse_params_save_and_load(tmp_path):
    emb = gluon.nn.Embedding(6, 3, sparse_grad=True)
    emb.initialize(mx.init.Constant(mx.nd.array(W0)))
    path = str(tmp_path / "emb.params")
    emb.save_parameters(path)
    other = gluon.nn.Embedding(6, 3, sparse_grad=True)
    other.load_parameters(path)
    np.testing.assert_array_equal(other.weight.data().asnumpy(), W0)


def test_gluon_utilities_with_sparse_arrays():
    x1, x2 = mx.nd.ones((3, 3)).tostype("row_sparse"), mx.nd.ones((4, 4)).tostype("row_sparse")
    assert gluon.utils.clip_global_norm([x1, x2], 1.0) == 5.0
    assert x1.stype == "row_sparse"
    np.testing.assert_allclose(x1.asnumpy(), np.full((3, 3), 0.2), rtol=1e-6)
    csr = mx.nd.sparse.csr_matrix(([2.0], [7], [0, 0, 0, 1, 1]), shape=(4, 9))
    parts = gluon.utils.split_and_load(csr, [mx.cpu(0), mx.cpu(1)])
    assert all(isinstance(p, mx.nd.sparse.CSRNDArray) for p in parts) and parts[1].context == mx.cpu(1)
    np.testing.assert_array_equal(parts[1].asnumpy(), csr.asnumpy()[2:])
    emb = gluon.nn.Embedding(3, 4, sparse_grad=True)
    emb.initialize()
    with autograd.record():
        emb(mx.nd.array([0, 2])).backward()
    assert emb.weight.grad().asnumpy().sum() == 8
    emb.collect_params().zero_grad()
    assert emb.weight.grad().stype == "row_sparse" and emb.weight.grad().asnumpy().sum() == 0


def test_blocks_refuse_row_sparse_weights():
    w = mx.sym.var("weight", stype="row_sparse")
    with pytest.raises(AssertionError, match="row_sparse"):
        gluon.SymbolBlock(mx.sym.dot(mx.sym.var("data"), w), mx.sym.var("data"))
    params = gluon.ParameterDict("net_")
    params.get("weight", shape=(5, 5), stype="row_sparse")
    params.get("bias", shape=(5,))
    net = gluon.nn.Dense(5, params=params)
    net.initialize()
    with pytest.raises(RuntimeError, match="row_sparse_data"):
        net(mx.nd.ones((2, 5)))
