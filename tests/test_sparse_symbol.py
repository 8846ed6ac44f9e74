"""Sparse arrays with symbols, executors and Module (graphs compute densely; see docs/sparse.md)."""

from __future__ import annotations

import numpy as np

import mxpy as mx


def test_bind_with_sparse_arguments_and_gradient():
    x, w = mx.sym.var("x", stype="csr"), mx.sym.var("w")
    xs = mx.nd.array(np.array([[0, 1, 0, 2], [3, 0, 0, 0], [0, 0, 4, 0]], np.float32)).tostype("csr")
    ws = mx.nd.array(np.arange(8, dtype=np.float32).reshape(4, 2))
    gw = mx.nd.zeros((4, 2), stype="row_sparse")
    ex = mx.sym.sparse.dot(x, w).bind(mx.cpu(), {"x": xs, "w": ws}, args_grad={"w": gw})
    ex.forward(is_train=True)
    np.testing.assert_allclose(ex.outputs[0].asnumpy(), xs.asnumpy() @ ws.asnumpy())
    ex.backward(mx.nd.ones((3, 2)).tostype("row_sparse"))
    assert ex.grad_dict["w"] is gw and gw.stype == "row_sparse"
    np.testing.assert_allclose(gw.asnumpy(), xs.asnumpy().T @ np.ones((3, 2)))


def test_simple_bind_embedding_sparse_grad_is_row_sparse():
    data = mx.sym.var("data")
    weight = mx.sym.var("embed_weight", stype="row_sparse")
    for op in (
        lambda: mx.sym.Embedding(data, weight, input_dim=6, output_dim=2, sparse_grad=True),
        lambda: mx.sym.contrib.SparseEmbedding(data, weight, input_dim=6, output_dim=2),
    ):
        exe = op().simple_bind(mx.cpu(), grad_req={"data": "null", "embed_weight": "write"}, data=(3,))
        exe.arg_dict["data"][:] = mx.nd.array([1, 4, 1])
        exe.arg_dict["embed_weight"][:] = mx.nd.ones((6, 2)).tostype("row_sparse")
        exe.forward(is_train=True)
        exe.backward([mx.nd.ones((3, 2))])
        g = exe.grad_dict["embed_weight"]
        assert g.stype == "row_sparse" and g.indices.asnumpy().tolist() == [1, 4]
        np.testing.assert_allclose(g.asnumpy()[[1, 4]], [[2, 2], [1, 1]])


def test_module_row_sparse_parameter_and_training():
    x = mx.sym.var("data", stype="csr")
    v = mx.sym.var("v", shape=(6, 1), init=mx.init.Uniform(scale=0.1), stype="row_sparse")
    out = mx.sym.LinearRegressionOutput(mx.sym.dot(x, v), mx.sym.var("label"), name="out")
    data = mx.nd.array(np.random.RandomState(0).rand(8, 6) * (np.random.RandomState(1).rand(8, 6) < 0.5)).tostype("csr")
    it = mx.io.NDArrayIter(data=data, label={"label": mx.nd.ones((8, 1))}, batch_size=8)
    mod = mx.mod.Module(out, data_names=["data"], label_names=["label"])
    mod.bind(data_shapes=it.provide_data, label_shapes=it.provide_label)
    mod.init_params()
    assert mod._arg_params["v"].stype == "row_sparse" and np.abs(mod._arg_params["v"].asnumpy()).sum() > 0
    mod.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.5})
    before = mod.get_params()[0]["v"].asnumpy()
    for batch in it:
        mod.forward_backward(batch)
        mod.update()
    after = mod.get_params()[0]["v"]
    assert after.stype == "row_sparse" and not np.allclose(after.asnumpy(), before)


def test_executor_groups_share_data_arrays():
    from mxpy.module.executor_group import DataParallelExecutorGroup

    sym = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3, name="fc")
    ctxs = [mx.cpu(0), mx.cpu(1)]
    g1 = DataParallelExecutorGroup(sym, ctxs, [1, 1], [("data", (4, 5))], None, ["fc_weight", "fc_bias"], True, False)
    g2 = DataParallelExecutorGroup(sym, ctxs, [1, 1], [("data", (4, 5))], None, ["fc_weight", "fc_bias"], True, False, shared_group=g1)
    for i in range(2):
        assert list(g1.shared_data_arrays[i]) == ["data"]
        assert g1.shared_data_arrays[i] is g2.shared_data_arrays[i]
        assert g1.execs[i].arg_dict["data"] is g2.execs[i].arg_dict["data"]


def test_fully_connected_takes_a_column_bias():
    x, w, b = mx.nd.ones((2, 3)), mx.nd.ones((4, 3)), mx.nd.arange(4).reshape((4, 1))
    out = mx.nd.FullyConnected(x, w, b, num_hidden=4)
    np.testing.assert_allclose(out.asnumpy(), np.full((2, 4), 3.0) + np.arange(4))


def test_quadratic_keeps_csr_when_c_is_zero():
    d = mx.nd.array([[0, 1.0], [2.0, 0]]).tostype("csr")
    q = mx.nd.contrib.quadratic(d, a=1.0, b=2.0, c=0.0)
    assert q.stype == "csr"
    np.testing.assert_allclose(q.asnumpy(), [[0, 3.0], [8.0, 0]])
    assert mx.nd.contrib.quadratic(d, a=1.0, b=2.0, c=1.0).stype == "default"


def test_sparse_arrays_on_a_gpu_context():
    from mxpy.backend import fake_gpu

    was = fake_gpu.enabled_count()
    fake_gpu.enable(1)
    try:
        g = mx.gpu(0)
        r = mx.nd.array([[0, 0], [1, 2], [0, 0]], ctx=g).tostype("row_sparse")
        assert r.context == g and r.indices.asnumpy().tolist() == [1]
        np.testing.assert_allclose((r * 2 + r).asnumpy(), [[0, 0], [3, 6], [0, 0]])
        w = mx.nd.ones((3, 2), ctx=g)
        mx.nd.sgd_update(w, r, lr=0.1, wd=0.1, out=w)  # lazy: row 1 only
        np.testing.assert_allclose(w.asnumpy(), [[1, 1], [0.89, 0.79], [1, 1]], rtol=1e-6)
        c = mx.nd.array([[0, 1], [2, 0]], ctx=g).tostype("csr")
        np.testing.assert_allclose(mx.nd.sparse.dot(c, mx.nd.ones((2, 2), ctx=g)).asnumpy(), [[1, 1], [2, 2]])
        assert r.copyto(mx.cpu()).context == mx.cpu() and r.tostype("default").context == g
    finally:
        if was:
            fake_gpu.enable(was)
        else:
            fake_gpu.disable()
