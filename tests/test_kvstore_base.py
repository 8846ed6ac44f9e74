"""mx.kvstore.KVStoreBase: the registry of Python kvstores, TestStore, and gluon.Trainer over them.

Goldens: tests/golden/make_kvstore_base.py (real MXNet 1.9.1).
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import mxpy as mx
from mxpy.base import MXNetError
from mxpy.kvstore import KVStoreBase
from mxpy.kvstore.base import KVStoreNotImplementedError

with open(os.path.join(os.path.dirname(__file__), "golden", "kvstore_base.json")) as _f:
    G = json.load(_f)
CTX = [mx.cpu(0), mx.cpu(1)]


@pytest.fixture
def registry(monkeypatch):
    """A private copy of the registry, so classes a test registers vanish after it."""
    monkeypatch.setattr(KVStoreBase, "kv_registry", dict(KVStoreBase.kv_registry))
    return KVStoreBase.kv_registry


def _logging_store(log):
    class LoggingStore(KVStoreBase):
        def broadcast(self, key, value, out, priority=0):
            log.append(["broadcast", key, len(out) if isinstance(out, list) else 1])
            for o in out if isinstance(out, list) else [out]:
                o[:] = value

        def pushpull(self, key, value, out=None, priority=0):
            log.append(["pushpull", key, len(value), out is not None])
            total = value[0]
            for v in value[1:]:
                total = total + v.as_in_context(value[0].context)
            for o in value if out is None else out:
                o[:] = total

        @staticmethod
        def is_capable(capability):
            return False

        @property
        def type(self):
            return "loggingstore"

    return LoggingStore


def _train(store, steps=3):
    w = mx.gluon.Parameter("w", shape=(2, 3))
    b = mx.gluon.Parameter("b", shape=(3,))
    w.initialize(ctx=CTX, init=mx.init.Constant(0.5))
    b.initialize(ctx=CTX, init="zeros")
    trainer = mx.gluon.Trainer([w, b], "sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01}, kvstore=mx.kv.create(store))
    x = [mx.nd.array(np.arange(6).reshape(3, 2) * (i + 1) / 10.0, ctx=c) for i, c in enumerate(CTX)]
    out = []
    for _ in range(steps):
        with mx.autograd.record():
            losses = [(mx.nd.dot(xi, w.data(xi.context)) + b.data(xi.context)).square().sum() for xi in x]
        mx.autograd.backward(losses)
        trainer.step(6)
        out.append({"w": [w.data(c).asnumpy() for c in CTX], "b": [b.data(c).asnumpy() for c in CTX]})
    return out, trainer._update_on_kvstore


def _check_steps(got, want):
    for g, e in zip(got, want, strict=True):
        for name in ("w", "b"):
            for a, b in zip(g[name], e[name], strict=True):
                np.testing.assert_allclose(a, np.asarray(b, dtype=np.float32), rtol=1e-5, atol=1e-6)


def test_register_and_create_by_lower_case_name(registry):
    @KVStoreBase.register
    class MyStore(KVStoreBase):
        pass

    assert registry["mystore"] is MyStore
    assert type(mx.kv.create("MyStore")) is MyStore
    assert type(mx.kvstore.create("MYSTORE")) is MyStore
    assert KVStoreBase.OPTIMIZER == "optimizer"


def test_register_override_warns_and_replaces(registry):
    @KVStoreBase.register
    class Dup(KVStoreBase):
        pass

    first = Dup
    with pytest.warns(UserWarning, match="is overriding existing kvstore"):

        @KVStoreBase.register
        class Dup(KVStoreBase):  # noqa: F811
            pass

    assert registry["dup"] is Dup and Dup is not first


def test_register_rejects_non_class(registry):
    with pytest.raises(TypeError, match="expected a class"):
        KVStoreBase.register(lambda: None)


def test_base_methods_name_the_class_and_method(registry):
    @KVStoreBase.register
    class Bare(KVStoreBase):
        pass

    kv = mx.kv.create("bare")
    for call, method in [
        (lambda: kv.pushpull(0, mx.nd.ones((1,))), "pushpull"),
        (lambda: kv.broadcast(0, mx.nd.ones((1,)), mx.nd.ones((1,))), "broadcast"),
        (lambda: kv.is_capable("optimizer"), "is_capable"),
        (lambda: kv.set_optimizer(mx.optimizer.SGD()), "set_optimizer"),
        (lambda: kv.type, "type"),
        (lambda: kv.rank, "rank"),
        (lambda: kv.num_workers, "num_workers"),
        (lambda: kv.save_optimizer_states("x"), "save_optimizer_states"),
        (lambda: kv.load_optimizer_states("x"), "load_optimizer_states"),
    ]:
        with pytest.raises(KVStoreNotImplementedError, match=f"Bare.{method}: this kvstore does not implement"):
            call()
    assert issubclass(KVStoreNotImplementedError, MXNetError)
    assert issubclass(KVStoreNotImplementedError, NotImplementedError)


def test_builtin_stores_are_kvstorebase():
    for name in ("local", "device"):
        kv = mx.kv.create(name)
        assert isinstance(kv, KVStoreBase)
        assert kv.is_capable(KVStoreBase.OPTIMIZER) is True


def test_unknown_name_lists_registered_stores():
    with pytest.raises(MXNetError, match="teststore"):
        mx.kv.create("no_such_store")


def test_teststore_pushpull_and_broadcast():
    kv = mx.kv.create("teststore")
    assert (kv.type, kv.rank, kv.num_workers) == ("teststore", 0, 1)
    vals = [mx.nd.array([1.0, 2.0], ctx=CTX[0]), mx.nd.array([10.0, 20.0], ctx=CTX[1])]
    kv.pushpull(3, vals)
    for v in vals:
        assert v.asnumpy().tolist() == [11.0, 22.0]
    outs = [mx.nd.zeros((2,), ctx=c) for c in CTX]
    kv.pushpull("k", [mx.nd.ones((2,)), mx.nd.ones((2,)) * 3], out=outs)
    assert [o.asnumpy().tolist() for o in outs] == [[4.0, 4.0], [4.0, 4.0]]
    single = mx.nd.zeros((2,))
    kv.pushpull(0, mx.nd.array([5.0, 6.0]), out=single)
    assert single.asnumpy().tolist() == [5.0, 6.0]
    kv.broadcast(0, mx.nd.array([7.0, 8.0]), out=outs)
    assert [o.asnumpy().tolist() for o in outs] == [[7.0, 8.0], [7.0, 8.0]]
    assert kv.is_capable("Optimizer") is False
    with pytest.raises(ValueError, match="Unknown capability: sparse"):
        kv.is_capable("sparse")


def test_trainer_over_teststore_matches_mxnet():
    got, on_kv = _train("teststore")
    assert on_kv is False and G["update_on_kvstore"][0] is False
    _check_steps(got, G["teststore"])


def test_trainer_over_registered_store_makes_mxnets_calls(registry):
    log = []
    KVStoreBase.register(_logging_store(log))
    got, on_kv = _train("LoggingStore")
    assert on_kv is False
    assert log == G["log"]
    _check_steps(got, G["loggingstore"])


def test_trainer_refuses_update_on_store_without_optimizer():
    x = mx.gluon.Parameter("x", shape=(4,))
    x.initialize(ctx=CTX, init="zeros")
    trainer = mx.gluon.Trainer([x], "sgd", kvstore=mx.kv.create("teststore"), update_on_kvstore=True)
    with pytest.raises(ValueError, match="update_on_kvstore=False"):
        trainer._init_kvstore()


def test_module_accepts_a_kvstorebase_instance():
    from mxpy.module.module import _create_kvstore

    kv = mx.kv.create("teststore")
    assert _create_kvstore(kv, 2, {}) == (kv, False)
