"""FullyConnected's kept weight layout (OpDef.relayout, engine.var.relaid) never serves a stale weight.

Inference reuses an F-ordered copy of the weight between calls while the
weight's engine Var has not been written. Every way of changing a weight
must therefore show up in the next forward: engine writes of any kind (they
bump Var.version), and memory handed outside the engine (NumPy, DLPack,
zero-copy imports), which turns the copy off for good.
"""

from __future__ import annotations

import numpy as np
import pytest

import mxpy as mx
from mxpy.engine.var import Var, relaid

F32 = np.float32


@pytest.fixture
def counted_relayout(monkeypatch):
    """Count the copies FullyConnected's relayout makes (patched before any bind)."""
    op = mx.registry.get("FullyConnected")
    slot, make = op.relayout
    made = []

    def counting(w):
        made.append(w.shape)
        return make(w)

    monkeypatch.setattr(op, "relayout", (slot, counting))
    return made


def _net():
    data = mx.sym.Variable("data")
    return mx.sym.FullyConnected(data, num_hidden=5, name="fc")


def _inference_executor(rng):
    ex = _net().simple_bind(mx.cpu(), grad_req="null", data=(4, 6))
    ex.arg_dict["data"][:] = rng.standard_normal((4, 6)).astype(F32)
    ex.arg_dict["fc_weight"][:] = rng.standard_normal((5, 6)).astype(F32)
    ex.arg_dict["fc_bias"][:] = rng.standard_normal(5).astype(F32)
    return ex


def _expected(ex) -> np.ndarray:
    a = {k: v.asnumpy() for k, v in ex.arg_dict.items()}
    return a["data"] @ a["fc_weight"].T + a["fc_bias"]


def _warm(ex, made) -> None:
    """Forward until the kept copy exists (second read of an unchanged weight)."""
    for _ in range(3):
        ex.forward()
        np.testing.assert_allclose(ex.outputs[0].asnumpy(), _expected(ex), rtol=1e-5, atol=1e-5)
    assert made == [(5, 6)]


def _set_slice(w, rng):
    w[1:3] = 0.5


def _assign_numpy(w, rng):
    w[:] = rng.standard_normal(w.shape).astype(F32)


def _inplace_add(w, rng):
    w += 1


def _op_out(w, rng):
    mx.nd.elemwise_mul(w, w, out=w)


def _sgd(w, rng):
    mx.nd.sgd_update(w, mx.nd.ones(w.shape), lr=0.25, out=w)


def _updater(w, rng):
    upd = mx.optimizer.get_updater(mx.optimizer.create("sgd", learning_rate=0.5, momentum=0.9))
    upd(0, mx.nd.array(rng.standard_normal(w.shape).astype(F32)), w)


def _kvstore_pull(w, rng):
    kv = mx.kv.create("local")
    kv.init(7, mx.nd.array(rng.standard_normal(w.shape).astype(F32)))
    kv.pull(7, out=w)


def _numpy_alias(w, rng):
    np.asarray(w)[...] = 3.0  # __array__ hands out the memory itself


def _dlpack_alias(w, rng):
    alias = mx.nd.from_dlpack(mx.nd.to_dlpack_for_write(w))  # shares memory, not the Var
    alias[:] = -2.0
    alias.wait_to_read()


WRITES = [_set_slice, _assign_numpy, _inplace_add, _op_out, _sgd, _updater, _kvstore_pull, _numpy_alias, _dlpack_alias]


@pytest.fixture(params=["NaiveEngine", "ThreadedEngine", "queued"])
def any_engine(request):
    """NaiveEngine, ThreadedEngine, and ThreadedEngine with every op queued to a worker."""
    from mxpy import engine
    from mxpy.engine.threaded import ThreadedEngine

    kind = ThreadedEngine(inline_max=-1) if request.param == "queued" else request.param
    with engine.engine_type(kind) as eng:
        yield eng


@pytest.mark.parametrize("write", WRITES, ids=lambda f: f.__name__.strip("_"))
def test_executor_sees_every_weight_write(write, counted_relayout, any_engine):
    rng = np.random.default_rng(0)
    ex = _inference_executor(rng)
    _warm(ex, counted_relayout)
    before = ex.outputs[0].asnumpy()
    write(ex.arg_dict["fc_weight"], rng)
    for _ in range(3):  # the first forward after the write, and the ones that rebuild the copy
        ex.forward()
        got = ex.outputs[0].asnumpy()
        np.testing.assert_allclose(got, _expected(ex), rtol=1e-5, atol=1e-5)
    assert not np.allclose(got, before)


def test_copy_params_from_and_module_set_params(counted_relayout):
    rng = np.random.default_rng(1)
    ex = _inference_executor(rng)
    _warm(ex, counted_relayout)
    new_w = mx.nd.array(rng.standard_normal((5, 6)).astype(F32))
    ex.copy_params_from({"fc_weight": new_w})
    ex.forward()
    np.testing.assert_allclose(ex.outputs[0].asnumpy(), _expected(ex), rtol=1e-5, atol=1e-5)

    mod = mx.mod.Module(_net(), data_names=["data"], label_names=None)
    mod.bind([("data", (4, 6))], for_training=False)
    mod.init_params(mx.init.Uniform(1.0))
    x = mx.nd.array(rng.standard_normal((4, 6)).astype(F32))
    batch = mx.io.DataBatch([x])
    for _ in range(3):
        mod.forward(batch, is_train=False)
        mod.get_outputs()[0].wait_to_read()
    w2, b2 = rng.standard_normal((5, 6)).astype(F32), rng.standard_normal(5).astype(F32)
    mod.set_params({"fc_weight": mx.nd.array(w2), "fc_bias": mx.nd.array(b2)}, {})
    mod.forward(batch, is_train=False)
    np.testing.assert_allclose(mod.get_outputs()[0].asnumpy(), x.asnumpy() @ w2.T + b2, rtol=1e-5, atol=1e-5)


def test_zero_copy_import_is_never_kept(counted_relayout):
    rng = np.random.default_rng(2)
    w_np = rng.standard_normal((5, 6)).astype(F32)
    w = mx.nd.from_numpy(w_np, zero_copy=True)
    x = mx.nd.array(rng.standard_normal((4, 6)).astype(F32))
    b = mx.nd.zeros((5,))
    for _ in range(3):
        mx.nd.FullyConnected(x, w, b, num_hidden=5).wait_to_read()
    assert counted_relayout == []
    w_np.flags.writeable = True  # the caller still holds the memory
    w_np[...] = 1.0
    got = mx.nd.FullyConnected(x, w, b, num_hidden=5).asnumpy()
    np.testing.assert_allclose(got, x.asnumpy() @ np.ones((6, 5), F32), rtol=1e-5)


def test_imperative_calls_see_writes(counted_relayout, any_engine):
    rng = np.random.default_rng(3)
    x = mx.nd.array(rng.standard_normal((4, 6)).astype(F32))
    w = mx.nd.array(rng.standard_normal((5, 6)).astype(F32))
    b = mx.nd.array(rng.standard_normal(5).astype(F32))
    for step in range(6):
        got = mx.nd.FullyConnected(x, w, b, num_hidden=5).asnumpy()
        np.testing.assert_allclose(got, x.asnumpy() @ w.asnumpy().T + b.asnumpy(), rtol=1e-5, atol=1e-5)
        if step % 2:
            w[:] = w * 0.5 + 1
    assert counted_relayout == [(5, 6)] * 3  # rebuilt after each write, once the weight is read twice


def test_training_never_pays_for_the_copy(counted_relayout):
    """Weights written between every two forwards (a training loop) are read as they are."""
    rng = np.random.default_rng(4)
    sym = mx.sym.SoftmaxOutput(_net(), name="softmax")
    ex = sym.simple_bind(mx.cpu(), data=(4, 6), softmax_label=(4,))
    ex.arg_dict["data"][:] = rng.standard_normal((4, 6)).astype(F32)
    ex.arg_dict["fc_weight"][:] = rng.standard_normal((5, 6)).astype(F32)
    ex.arg_dict["softmax_label"][:] = np.array([0, 1, 2, 3], F32)
    for _ in range(5):
        ex.forward(is_train=True)
        ex.backward()
        for name in ("fc_weight", "fc_bias"):
            w, g = ex.arg_dict[name], ex.grad_dict[name]
            w[:] = w - g * 0.1
    mx.nd.waitall()
    assert counted_relayout == []


def test_relaid_rules():
    v, w = Var(), np.arange(6, dtype=F32).reshape(2, 3)
    assert relaid(v, w, np.asfortranarray) is w  # first sighting
    kept = relaid(v, w, np.asfortranarray)
    assert kept is not w and kept.flags.f_contiguous and np.array_equal(kept, w)
    assert relaid(v, w, np.asfortranarray) is kept  # reused
    v.version += 1  # what every engine push that writes the Var does
    assert relaid(v, w, np.asfortranarray) is w
    other = w.copy()
    assert relaid(v, other, np.asfortranarray) is other  # another buffer on the same Var
    assert relaid(v, other, np.ascontiguousarray) is other  # another layout


@pytest.mark.parametrize("shape", [(128, 784), (5, 6), (3, 1)])
def test_fully_connected_kept_weight_is_aligned_and_equal(shape):
    """FullyConnected's kept copy: the same values, ``w.T`` C-contiguous, first element
    on a 64-byte boundary (what OpenBLAS packs fastest)."""
    from mxpy.backend.host_memory import ALIGNMENT

    _, make = mx.registry.get("FullyConnected").relayout
    rng = np.random.default_rng(0)
    for _ in range(4):  # malloc's 16-byte alignment lands on a boundary by chance too
        w = rng.standard_normal(shape).astype(F32)
        kept = make(w)
        assert kept.shape == w.shape and kept.dtype == w.dtype and kept.T.flags.c_contiguous
        assert kept.ctypes.data % ALIGNMENT == 0
        np.testing.assert_array_equal(kept, w)


def test_queued_reads_and_writes_keep_order(counted_relayout):
    """Forwards and weight writes queued behind each other (worker threads, nothing inline):
    each forward sees exactly the writes pushed before it."""
    from mxpy import engine
    from mxpy.engine.threaded import ThreadedEngine

    rng = np.random.default_rng(5)
    with engine.engine_type(ThreadedEngine(inline_max=-1)):
        ex = _inference_executor(rng)
        w = ex.arg_dict["fc_weight"]
        x = ex.arg_dict["data"].asnumpy()
        b = ex.arg_dict["fc_bias"].asnumpy()
        w0 = w.asnumpy()
        results = []
        for k in range(6):  # forward, forward, write, forward, forward, write, ... all queued
            ex.forward()
            results.append(ex.outputs[0].copy())
            ex.forward()
            results.append(ex.outputs[0].copy())
            w[:] = w * 0.5 + float(k)
        mx.nd.waitall()
    expect_w = w0
    for k in range(6):
        want = x @ expect_w.T + b
        np.testing.assert_allclose(results[2 * k].asnumpy(), want, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(results[2 * k + 1].asnumpy(), want, rtol=1e-5, atol=1e-5)
        expect_w = expect_w * 0.5 + k
    assert counted_relayout  # the second forward of a pair reused or built the kept copy
