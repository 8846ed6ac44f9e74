"""mx.kv (local/device stores) against MXNet 1.9.1 goldens (tests/golden/make_kvstore.py)."""

from __future__ import annotations

import json
import os
import threading

import numpy as np
import pytest

import mxpy as mx
from mxpy import engine, kvstore
from mxpy.base import MXNetError

with open(os.path.join(os.path.dirname(__file__), "golden", "kvstore.json")) as _f:
    G = json.load(_f)
SHAPE = (2, 3)


def nd(x, dev=0):
    return mx.nd.array(np.array(x, dtype=np.float32), ctx=mx.cpu(dev))


def close(a, b):
    np.testing.assert_allclose(a.asnumpy() if isinstance(a, mx.nd.NDArray) else np.asarray(a), np.asarray(b, dtype=np.float32), rtol=1e-6, atol=1e-7)


# -- goldens ------------------------------------------------------------------------------
def test_types_rank_workers():
    for name, (typ, rank, workers) in G["types"].items():
        kv = kvstore.create(name)
        assert (kv.type, kv.rank, kv.num_workers) == (typ, rank, workers)
    assert kvstore.create("nccl").type == "nccl"
    assert kvstore.create().type == "local"


def test_push_sums_across_contexts_and_pull_broadcasts(each_engine):
    g = G["sum_pull"]
    kv = kvstore.create("local")
    kv.init(3, nd(g["w"]))
    kv.push(3, [nd(g["grads"][i], i) for i in range(3)])
    outs = [mx.nd.zeros(SHAPE, ctx=mx.cpu(i)) for i in range(2)]
    kv.pull(3, out=outs)
    for o, want in zip(outs, g["pulled"]):
        close(o, want)
    assert [o.context for o in outs] == [mx.cpu(0), mx.cpu(1)]


@pytest.mark.parametrize("kv_type", ["local", "device"])
def test_str_key_lists(kv_type, each_engine):
    g = G["str_lists"]
    kv = kvstore.create(kv_type)
    kv.init(["a", "b"], [nd(x) for x in g["init"]])
    kv.push(["a", "b"], [[nd(g["ga"][0], 0), nd(g["ga"][1], 1)], [nd(g["gb"][0], 0), nd(g["gb"][1], 1)]])
    outs = [[mx.nd.zeros(SHAPE, ctx=mx.cpu(i)) for i in range(2)] for _ in range(2)]
    kv.pull(["a", "b"], out=outs)
    for row, want_row in zip(outs, g["pulled"]):
        for o, want in zip(row, want_row):
            close(o, want)


def test_pushpull(each_engine):
    g = G["pushpull"]
    kv = kvstore.create("local")
    kv.init(5, nd(g["w"]))
    outs = [mx.nd.zeros(SHAPE, ctx=mx.cpu(i)) for i in range(2)]
    kv.pushpull(5, [nd(g["g"][0], 0), nd(g["g"][1], 1)], out=outs)
    for o in outs:
        close(o, g["out"][0])
    vals = [nd(g["g2"][0], 0), nd(g["g2"][1], 1)]
    kv.pushpull(5, vals)  # no out: the result lands in the pushed values
    for v, want in zip(vals, g["inplace"]):
        close(v, want)


@pytest.mark.parametrize("case,kv_type,keys", [("sgd_local_int", "local", [0, 1]), ("sgd_device_str", "device", ["fc_weight", "fc_bias"])])
def test_set_optimizer_sgd(case, kv_type, keys, each_engine):
    g = G[case]
    # wd applies to fc_weight only: the str keys reach the optimizer as names, as in MXNet
    opt = mx.optimizer.SGD(learning_rate=0.1, momentum=0.9, wd=0.01, rescale_grad=0.5, param_idx2name={0: "fc_weight", 1: "fc_bias"})
    kv = kvstore.create(kv_type)
    kv.init(keys, [nd(x) for x in g["w"]])
    kv.set_optimizer(opt)
    for grads, want in zip(g["grads"], g["steps"]):
        kv.push(keys, [[nd(gk[0], 0), nd(gk[1], 1)] for gk in grads])
        outs = [mx.nd.zeros(SHAPE, ctx=mx.cpu(1)) for _ in keys]
        kv.pull(keys, out=outs)
        for o, w in zip(outs, want):
            close(o, w)


def test_custom_updater_sees_bytes_keys():
    g = G["custom_updater"]
    kv = kvstore.create("local")
    kv.init("k", nd(g["w"]))
    seen = []

    def upd(key, grad, stored):
        seen.append(repr(key))
        stored[:] = stored * 2 + grad

    kv._set_updater(upd)
    kv.push("k", nd(g["g"], 1))
    out = mx.nd.zeros(SHAPE)
    kv.pull("k", out=out)
    close(out, g["out"])
    assert seen == g["keys_seen"]


def test_optimizer_states_round_trip(tmp_path):
    g = G["sgd_local_int"]

    def make():
        kv = kvstore.create("local")
        kv.set_optimizer(mx.optimizer.SGD(learning_rate=0.1, momentum=0.9, wd=0.01, rescale_grad=0.5, param_idx2name={0: "fc_weight", 1: "fc_bias"}))
        return kv

    def step(kv, grads):
        kv.push([0, 1], [[nd(gk[0], 0), nd(gk[1], 1)] for gk in grads])

    kv1 = make()
    kv1.init([0, 1], [nd(x) for x in g["w"]])
    for grads in g["grads"][:2]:
        step(kv1, grads)
    fname = str(tmp_path / "kv.states")
    kv1.save_optimizer_states(fname)
    assert sorted(os.listdir(tmp_path)) == ["kv.states"]  # no temp file left behind
    weights = [mx.nd.zeros(SHAPE) for _ in range(2)]
    kv1.pull([0, 1], out=weights)
    kv2 = make()
    kv2.init([0, 1], weights)
    kv2.load_optimizer_states(fname)
    step(kv2, g["grads"][2])
    outs = [mx.nd.zeros(SHAPE) for _ in range(2)]
    kv2.pull([0, 1], out=outs)
    for o, w in zip(outs, g["steps"][2]):
        close(o, w)


def test_optimizer_states_errors(tmp_path):
    kv = kvstore.create()
    with pytest.raises(MXNetError, match="set_optimizer first"):
        kv.save_optimizer_states(str(tmp_path / "s"))
    kv._set_updater(lambda k, g, w: None)
    with pytest.raises(MXNetError, match="no get_states"):
        kv.save_optimizer_states(str(tmp_path / "s"))
    kv.set_optimizer(mx.optimizer.SGD())
    with pytest.raises(MXNetError, match="missing.states"):
        kv.load_optimizer_states(str(tmp_path / "missing.states"))
    (tmp_path / "junk.states").write_bytes(b"not a pickle")
    with pytest.raises(MXNetError, match="junk.states"):
        kv.load_optimizer_states(str(tmp_path / "junk.states"))
    with pytest.raises(TypeError, match="mx.optimizer.Optimizer"):
        kv.set_optimizer("sgd")


# -- semantics and errors -----------------------------------------------------------------
def test_push_without_updater_replaces():
    kv = kvstore.create()
    kv.init(5, mx.nd.ones((2,)))
    kv.push(5, mx.nd.ones((2,)) * 2)
    out = mx.nd.zeros((2,))
    kv.pull(5, out=out)
    assert out.asnumpy().tolist() == [2, 2]
    kv.push(5, mx.nd.array([3, 4], dtype="float64"))  # cast into the store's dtype, as MXNet
    out64 = mx.nd.zeros((2,), dtype="float64")
    kv.pull(5, out=out64)
    assert out64.dtype == np.float64 and out64.asnumpy().tolist() == [3, 4]


def test_create_errors():
    with pytest.raises(MXNetError, match="unknown kvstore type 'bogus'.*local.*device"):
        kvstore.create("bogus")
    with pytest.raises(TypeError, match="name must be a string"):
        kvstore.create(3)


def test_init_is_once_per_key():
    kv = kvstore.create()
    kv.init(3, mx.nd.ones((2,)))
    with pytest.raises(MXNetError, match="duplicate init of key 3"):
        kv.init(3, mx.nd.ones((2,)))
    with pytest.raises(MXNetError, match="duplicate init of key 7"):
        kv.init([7, 7], [mx.nd.ones(2), mx.nd.ones(2)])
    with pytest.raises(MXNetError, match="duplicate init of key 8"):
        kv.init(8, [mx.nd.ones(2), mx.nd.ones(2)])
    # the rejected calls stored nothing
    with pytest.raises(MXNetError, match="key 7 has not been inited"):
        kv.pull(7, out=mx.nd.zeros(2))


def test_key_types():
    kv = kvstore.create()
    with pytest.raises(TypeError, match="inconsistent types of keys"):
        kv.init([1, "b"], [mx.nd.ones(2), mx.nd.ones(2)])
    kv.init(1, mx.nd.ones(2))
    with pytest.raises(MXNetError, match="Mixed key types are not allowed"):
        kv.init("a", mx.nd.ones(2))
    with pytest.raises(TypeError, match="key 1.5 is a float, expected int or str"):
        kv.push(1.5, mx.nd.ones(2))
    with pytest.raises(ValueError, match="1 keys need a list of 1 values, given 2"):
        kv.push([1], [mx.nd.ones(2), mx.nd.ones(2)])
    with pytest.raises(TypeError, match=r"value\[1\] for key 1 is a int"):
        kv.push(1, [mx.nd.ones(2), 3])


def test_rejected_push_changes_nothing():
    kv = kvstore.create()
    kv.init([0, 1], [mx.nd.ones((2,)), mx.nd.ones((3,))])
    calls = []
    kv._set_updater(lambda k, g, w: calls.append(k))
    with pytest.raises(MXNetError, match=r"value 1 for key 1 has shape \(2,\), expected \(3,\)"):
        kv.push([0, 1], [mx.nd.ones((2,)) * 5, [mx.nd.ones((3,)), mx.nd.ones((2,))]])
    with pytest.raises(MXNetError, match="key 4 has not been inited"):
        kv.push([0, 4], [mx.nd.ones((2,)), mx.nd.ones((2,))])
    assert calls == []
    out = mx.nd.zeros((2,))
    kv.pull(0, out=out)
    assert out.asnumpy().tolist() == [1, 1]


def test_rejected_pull_writes_nothing():
    kv = kvstore.create()
    kv.init([0, 1], [mx.nd.ones((2,)), mx.nd.ones((3,))])
    good, bad = mx.nd.zeros((2,)), mx.nd.zeros((4,))
    with pytest.raises(MXNetError, match=r"out 0 for key 1 has shape \(4,\), expected \(3,\)"):
        kv.pull([0, 1], out=[good, bad])
    assert good.asnumpy().tolist() == [0, 0]
    with pytest.raises(ValueError, match="out is required"):
        kv.pull(0)
    with pytest.raises(MXNetError, match=r"out 0 for key 0 has shape \(4,\)"):
        kv.pushpull(0, mx.nd.ones((2,)) * 9, out=bad)
    kv.pull(0, out=good)
    assert good.asnumpy().tolist() == [1, 1]  # the pushpull's push did not happen


def test_gradient_compression():
    """'device' takes 2bit (tests/test_dist.py checks its values); 'local' refuses it, as in MXNet."""
    kv = kvstore.create("device")
    kv.set_gradient_compression({"type": "none"})
    kv.set_gradient_compression({"type": "2bit", "threshold": 0.5})
    with pytest.raises(MXNetError, match="not supported by the 'local' kvstore"):
        kvstore.create("local").set_gradient_compression({"type": "2bit", "threshold": 0.5})
    with pytest.raises(MXNetError, match="unknown compression type '3bit'"):
        kv.set_gradient_compression({"type": "3bit"})
    with pytest.raises(MXNetError, match="threshold must be greater than 0"):
        kv.set_gradient_compression({"type": "2bit", "threshold": -1})
    with pytest.raises(TypeError, match="'type' key"):
        kv.set_gradient_compression("2bit")


def _push_pull_while_gradient_is_written(kv, push, timeout: float) -> tuple[bool, list]:
    """Run ``push`` and ``kv.pull`` while a worker is still writing the gradient.

    Every op goes to a worker (``inline_max=-1``), so the gradient's writer is
    still running when ``push`` is called. Returns whether push and pull came
    back before that writer finished, and the pulled values. A push that waits
    for its gradient waits out ``timeout``, so the answer is False.
    """
    from mxpy.engine.threaded import ThreadedEngine

    with engine.engine_type(ThreadedEngine(inline_max=-1)):
        kv.init(0, mx.nd.zeros((2,)))
        grad = mx.nd.zeros((2,))
        started, release, finished = threading.Event(), threading.Event(), threading.Event()

        def slow_write(data):
            started.set()
            release.wait(timeout)
            data[:] = 7
            finished.set()

        engine.get().push(slow_write, (grad._data,), (), (grad._var,), grad.context, "slow_write")
        assert started.wait(5)
        out = mx.nd.zeros((2,))
        push(0, [grad, mx.nd.ones((2,), ctx=mx.cpu(1))])
        kv.pull(0, out=out)
        returned_early = not finished.is_set()
        release.set()
        return returned_early, out.asnumpy().tolist()


def test_push_and_pull_are_lazy():
    """push/pull only queue engine work: they return while an earlier writer of the gradient is still running."""
    kv = kvstore.create()
    returned_early, pulled = _push_pull_while_gradient_is_written(kv, kv.push, timeout=5)
    assert returned_early
    assert pulled == [8, 8]


def test_lazy_push_check_catches_a_blocking_push():
    # the check above must be able to fail: a push that waits for its gradient is caught
    kv = kvstore.create()

    def blocking_push(key, values):
        for v in values:
            v.wait_to_read()
        kv.push(key, values)

    returned_early, pulled = _push_pull_while_gradient_is_written(kv, blocking_push, timeout=0.2)
    assert not returned_early
    assert pulled == [8, 8]


def test_device_store_merges_on_the_values_device():
    kv = kvstore.create("device")
    kv.init(0, mx.nd.zeros((2,)))
    seen = []
    kv._set_updater(lambda k, g, w: seen.append((g.context, w.context)) or w.__iadd__(g))
    kv.push(0, [mx.nd.ones((2,), ctx=mx.cpu(1)), mx.nd.ones((2,), ctx=mx.cpu(2))])
    out = mx.nd.zeros((2,))
    kv.pull(0, out=out)
    assert out.asnumpy().tolist() == [2, 2]
    assert seen == [(mx.cpu(1), mx.cpu(1))]


@pytest.mark.skipif(mx.num_gpus() == 0, reason="needs a GPU")
def test_gpu_values_sum_and_update():
    for kv_type in ("local", "device"):
        kv = kvstore.create(kv_type)
        kv.init("w", mx.nd.ones((4,)))
        kv.set_optimizer(mx.optimizer.SGD(learning_rate=1.0))
        kv.push("w", [mx.nd.ones((4,), ctx=mx.gpu(0)), mx.nd.ones((4,), ctx=mx.cpu(0))])
        outs = [mx.nd.zeros((4,), ctx=mx.gpu(0)), mx.nd.zeros((4,))]
        kv.pull("w", out=outs)
        for o in outs:
            assert o.asnumpy().tolist() == [-1, -1, -1, -1]


def test_broadcast_and_capability():
    kv = kvstore.create()
    outs = [mx.nd.zeros((2,), ctx=mx.cpu(i)) for i in range(2)]
    kv.broadcast(3, mx.nd.array([1, 2]), out=outs)
    assert [o.asnumpy().tolist() for o in outs] == [[1, 2], [1, 2]]
    with pytest.raises(MXNetError, match="duplicate init of key 3"):
        kv.broadcast(3, mx.nd.array([1, 2]), out=outs)
    with pytest.raises(MXNetError, match=r"out 0 for key 4 has shape \(3,\), expected \(2,\)"):
        kv.broadcast(4, mx.nd.array([1, 2]), out=mx.nd.zeros((3,)))
    with pytest.raises(MXNetError, match="key 4 has not been inited"):  # the rejected broadcast stored nothing
        kv.pull(4, out=mx.nd.zeros((2,)))
    assert kvstore.KVStore.is_capable("optimizer") and kv.is_capable("OPTIMIZER")
    with pytest.raises(ValueError, match="unknown capability"):
        kv.is_capable("sparse")
