"""The distributed stores in one process (a world of one rank), 2-bit compression, the launcher's command line.

The multi-process jobs are in tests/test_dist_mpi.py (``make test-dist``).
Tests that create a dist store need mpi4py (``pip install mxpy[dist]``) and
skip without it.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

import numpy as np
import pytest

import mxpy as mx
from mxpy import engine, kvstore
from mxpy.base import MXNetError
from mxpy.kvstore import dist, dist_env
from mxpy.kvstore.compression import TwoBitCompressor

GOLDEN = np.load(os.path.join(os.path.dirname(__file__), "golden", "kvstore_2bit.npz"))


def needs_mpi():
    pytest.importorskip("mpi4py")


# -- 2-bit compression against MXNet 1.9.1 -----------------------------------------------------------
@pytest.mark.parametrize("store", ["device", "dist_sync", "dist_async"])
@pytest.mark.parametrize("case, threshold, shape", [("t05", 0.5, (4, 7)), ("t02", 0.2, (33,))])
def test_2bit_one_sender_matches_mxnet(store, case, threshold, shape):
    if store != "device":
        needs_mpi()
    kv = kvstore.create(store)
    kv.set_gradient_compression({"type": "2bit", "threshold": threshold})
    kv.init(0, mx.nd.zeros(shape))
    for grad, expected in zip(GOLDEN[case + "_grads"], GOLDEN[case + "_pulled"]):
        kv.push(0, mx.nd.array(grad))
        out = mx.nd.zeros(shape)
        kv.pull(0, out=out)
        np.testing.assert_array_equal(out.asnumpy(), expected)


def test_2bit_two_devices_keep_their_own_residuals():
    kv = kvstore.create("device")
    kv.set_gradient_compression({"type": "2bit", "threshold": 0.3})
    kv.init("w", mx.nd.zeros((3, 5)))
    for step, expected in zip(GOLDEN["two_grads"], GOLDEN["two_pulled"]):
        kv.push("w", [mx.nd.array(step[i], ctx=mx.cpu(i)) for i in range(2)])
        out = mx.nd.zeros((3, 5))
        kv.pull("w", out=out)
        np.testing.assert_array_equal(out.asnumpy(), expected)


@pytest.mark.parametrize("store", ["device", "dist_sync"])
def test_2bit_feeds_the_optimizer_the_dequantized_gradient(store):
    if store != "device":
        needs_mpi()
    kv = kvstore.create(store)
    kv.set_gradient_compression({"type": "2bit", "threshold": 0.25})
    kv.init(1, mx.nd.array(GOLDEN["sgd_w0"]))
    kv.set_optimizer(mx.optimizer.SGD(learning_rate=0.1, momentum=0.9))
    for grad, expected in zip(GOLDEN["sgd_grads"], GOLDEN["sgd_pulled"]):
        kv.push(1, mx.nd.array(grad))
        out = mx.nd.zeros((6,))
        kv.pull(1, out=out)
        np.testing.assert_allclose(out.asnumpy(), expected, rtol=1e-6, atol=1e-7)


def test_2bit_default_threshold_and_codes():
    kv = kvstore.create("device")
    kv.set_gradient_compression({"type": "2bit"})
    kv.init(2, mx.nd.zeros((8,)))
    kv.push(2, mx.nd.array(GOLDEN["default_grad"]))
    out = mx.nd.zeros((8,))
    kv.pull(2, out=out)
    np.testing.assert_array_equal(out.asnumpy(), GOLDEN["default_pulled"])
    # what is not sent stays in the residual and goes out later: the sums track the true sum
    c = TwoBitCompressor(0.5)
    residual = np.zeros(5, np.float32)
    g = np.array([0.3, -0.3, 0.1, 0.6, -1.2], np.float32)
    sent = np.zeros(5, np.float32)
    for _ in range(4):
        codes = c.quantize(g, residual)
        assert codes.dtype == np.uint8 and codes.size == 2
        sent += c.dequantize(codes, 5)
    np.testing.assert_allclose(sent + residual, 4 * g, rtol=1e-6)
    assert np.all(np.abs(residual[:4]) < 0.5)
    # at most one threshold a push goes out: a large gradient's excess piles up in the residual
    np.testing.assert_allclose(residual[4], 4 * (-1.2 + 0.5), rtol=1e-6)


def test_compression_refused_where_mxnet_refuses():
    with pytest.raises(MXNetError, match="not supported by the 'local' kvstore"):
        kvstore.create("local").set_gradient_compression({"type": "2bit"})
    with pytest.raises(MXNetError, match="type '2bit' takes only 'threshold', given \\['bits'\\]"):
        kvstore.create("device").set_gradient_compression({"type": "2bit", "bits": 2})
    with pytest.raises(MXNetError, match="threshold must be a positive number, given 'x'"):
        kvstore.create("device").set_gradient_compression({"type": "2bit", "threshold": "x"})


# -- a world of one rank (a script started without the launcher) -------------------------------------
@pytest.mark.parametrize("name", ["dist_sync", "dist_device_sync", "dist_sync_device", "dist_async"])
def test_dist_store_outside_the_launcher_is_a_world_of_one(name):
    needs_mpi()
    kv = kvstore.create(name)
    assert (kv.type, kv.rank, kv.num_workers) == (name, 0, 1)
    kv.init("w", mx.nd.ones((2, 2)))
    kv.set_optimizer(mx.optimizer.SGD(learning_rate=0.5))
    out = mx.nd.zeros((2, 2))
    kv.pushpull("w", [mx.nd.ones((2, 2)), mx.nd.ones((2, 2))], out=out)
    np.testing.assert_array_equal(out.asnumpy(), np.zeros((2, 2)))  # 1 - 0.5 * 2
    kv.barrier()
    assert kv.num_dead_node(0) == 0 and kv.num_dead_node(4) == 0 and kv.num_dead_node(9, timeout=5) == 0
    with pytest.raises(TypeError, match="num_dead_node: node_id must be a non-negative int"):
        kv.num_dead_node("workers")
    with pytest.raises(TypeError, match="num_dead_node: timeout must be a non-negative number of seconds, given -1"):
        kv.num_dead_node(4, timeout=-1)
    with pytest.raises(MXNetError, match="key 'v' has not been inited"):
        kv.push("v", mx.nd.ones((2,)))
    with pytest.raises(MXNetError, match="duplicate init of key 'w'"):
        kv.init("w", mx.nd.ones((2, 2)))
    with pytest.raises(MXNetError, match=r"value 0 for key 'w' has shape \(3,\), expected \(2, 2\)"):
        kv.push("w", mx.nd.ones((3,)))


def _pushpull_program(kv) -> list:
    """pushpull with and without ``out``, pulls, and a user write of ``out``: what each step observes."""
    seen = []
    kv.init(["g", "h"], [mx.nd.zeros((4,)), mx.nd.zeros((2, 3))])
    out, other = mx.nd.zeros((4,)), mx.nd.zeros((4,))
    for step in range(4):
        value = mx.nd.arange(4) * (step + 1)  # pushed before the value's op ran under a queued engine
        kv.pushpull("g", value, out=out)
        seen.append(out.asnumpy())
        if step == 1:
            out[:] = -1  # the user overwrites out: the store must still hold the sum
        if step >= 1:
            kv.pull("g", out=other)
            seen.append(other.asnumpy())
    h = mx.nd.ones((2, 3)) * 7
    kv.pushpull("h", h)  # in place: the sum lands in the value itself
    two = [mx.nd.zeros((2, 3)), mx.nd.zeros((2, 3))]
    kv.pushpull("h", mx.nd.ones((2, 3)) * 2, out=two)  # several outs
    seen += [h.asnumpy(), two[0].asnumpy(), two[1].asnumpy()]
    kv.pull("h", out=two[0])
    seen.append(two[0].asnumpy())
    return seen


def test_dist_sync_pushpull_fast_path_equals_the_local_store(each_engine):
    """Without an optimizer, dist_sync's pushpull reduces straight into out and keeps the store's copy in a
    deferred op; every observable value equals the local store's (push then pull)."""
    needs_mpi()
    got, expected = _pushpull_program(kvstore.create("dist_sync")), _pushpull_program(kvstore.create("local"))
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g, e)


def test_dist_sync_pushpull_in_a_loop_drops_the_dead_store_copies(monkeypatch):
    """Each pushpull's copy into the store waits unstarted and the next pushpull of the key drops it,
    so a loop that never reads the store copies nothing; a pull still sees the last sum."""
    needs_mpi()
    with engine.engine_type("ThreadedEngine") as eng:
        kv = kvstore.create("dist_sync")
        kv.init(0, mx.nd.zeros((1000,)))
        out = mx.nd.zeros((1000,))
        copies = []
        keep_sum = dist._keep_sum
        monkeypatch.setattr(dist, "_keep_sum", lambda *a: (copies.append(a[1].shape), keep_sum(*a)))
        for step in range(5):
            kv.pushpull(0, mx.nd.ones((1000,)) * step, out=out)
            out.wait_to_read()
        assert eng.pending() == 1  # the last copy, parked
        pulled = mx.nd.zeros((1000,))
        kv.pull(0, out=pulled)
        np.testing.assert_array_equal(pulled.asnumpy(), np.full(1000, 4.0))
        assert copies == [(1000,)]  # only the copy that the pull needed ran


def test_dist_sync_pushpull_of_a_failed_value_fails_at_the_wait(each_engine):
    needs_mpi()
    kv = kvstore.create("dist_sync")
    kv.init(0, mx.nd.zeros((3,)))
    value, out = mx.nd.zeros((3,)), mx.nd.zeros((3,))

    def broken():
        raise ValueError("gradient kernel broke")

    engine.get().push(broken, (), (), (value._var,), value._ctx, "my_grad_op")
    kv.pushpull(0, value, out=out)  # the error waits for a sync point, as every engine error
    with pytest.raises(MXNetError, match="my_grad_op .*ValueError: gradient kernel broke"):
        out.wait_to_read()


def test_dist_sync_optimizer_states_round_trip(tmp_path):
    needs_mpi()
    kv = kvstore.create("dist_sync")
    kv.init(0, mx.nd.zeros((3,)))
    kv.set_optimizer(mx.optimizer.SGD(learning_rate=0.1, momentum=0.9))
    kv.push(0, mx.nd.ones((3,)))
    kv.save_optimizer_states(str(tmp_path / "s"))
    kv.push(0, mx.nd.ones((3,)))
    after_two = mx.nd.zeros((3,))
    kv.pull(0, out=after_two)
    kv2 = kvstore.create("dist_sync")
    kv2.init(0, mx.nd.ones((3,)) * -0.1)
    kv2.set_optimizer(mx.optimizer.SGD(learning_rate=0.1, momentum=0.9))
    kv2.load_optimizer_states(str(tmp_path / "s"))
    kv2.push(0, mx.nd.ones((3,)))
    again = mx.nd.zeros((3,))
    kv2.pull(0, out=again)
    np.testing.assert_allclose(again.asnumpy(), after_two.asnumpy(), rtol=1e-6)


def test_module_fit_with_dist_sync_in_one_process_equals_local():
    """dist_sync in a world of one: the same training as no store at all (rescale 1/batch, same updates)."""
    needs_mpi()
    rng = np.random.RandomState(0)
    x = rng.uniform(-1, 1, (40, 5)).astype(np.float32)
    y = (x.sum(axis=1) > 0).astype(np.float32)
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2, name="fc"), name="softmax")
    results = []
    for kv in ("dist_sync", "local"):
        mod = mx.mod.Module(net, context=mx.cpu())
        mx.random.seed(3)
        mod.fit(mx.io.NDArrayIter(x, y, batch_size=10), num_epoch=2, kvstore=kv, optimizer_params={"learning_rate": 0.5}, initializer=mx.init.Xavier())
        results.append(mod.get_params()[0]["fc_weight"].asnumpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6, atol=1e-7)


def test_horovod_store_in_one_process():
    needs_mpi()
    kv = kvstore.create("horovod")
    assert (kv.type, kv.rank, kv.num_workers, kv.local_rank) == ("horovod", 0, 1, 0)
    a = mx.nd.ones((3,)) * 2
    kv.pushpull("g", a)
    np.testing.assert_array_equal(a.asnumpy(), [2, 2, 2])
    out = mx.nd.zeros((3,))
    kv.pushpull("g", [mx.nd.ones((3,)), mx.nd.ones((3,))], out=out)
    np.testing.assert_array_equal(out.asnumpy(), [2, 2, 2])
    assert kv.is_capable("optimizer") is False
    with pytest.raises(MXNetError, match="keeps no optimizer"):
        kv.set_optimizer(mx.optimizer.SGD())
    with pytest.raises(MXNetError, match=r"out for key 'g' has shape \(2,\), expected \(3,\)"):
        kv.pushpull("g", a, out=mx.nd.zeros((2,)))


def test_dist_async_non_server_rank_refuses_states():
    """Optimizer states of dist_async live on rank 0; here rank 0 has them."""
    needs_mpi()
    kv = kvstore.create("dist_async")
    kv.init(5, mx.nd.zeros((2,)))
    with pytest.raises(MXNetError, match="no optimizer is set"):
        kv.save_optimizer_states("unused")


def test_missing_extra_names_the_install_command(monkeypatch):
    from mxpy.kvstore import dist_comm

    monkeypatch.setitem(sys.modules, "mpi4py", None)
    with pytest.raises(MXNetError, match=r"pip install mxpy\[dist\]"):
        dist_comm.mpi()
    monkeypatch.setattr(dist_comm, "_world", {})
    with pytest.raises(MXNetError, match=r"pip install mxpy\[dist\]"):
        kvstore.create("dist_sync")


def test_unknown_store_lists_the_dist_types():
    with pytest.raises(MXNetError, match="dist_sync, dist_device_sync, dist_sync_device, dist_async, horovod"):
        kvstore.create("bogus")


# -- engine: queued transfers run on the worker, or in a thread that waits for them ------------------------
def test_push_queued_runs_on_the_worker():
    """(tests/test_engine_claim.py checks that a waiting thread runs the op the worker has not started)"""
    with engine.engine_type("ThreadedEngine") as eng:
        var, done = engine.Var(), threading.Event()
        ran_in = []
        eng.push_queued(lambda: (ran_in.append(threading.current_thread()), done.set()), (), (), (var,), "queued-test", "queued")
        assert done.wait(10)
        assert ran_in[0] is not threading.current_thread()
        eng.wait_write(var)
    with engine.engine_type("NaiveEngine") as eng:
        var = engine.Var()
        ran_in = []
        eng.push_queued(lambda: ran_in.append(1), (), (), (var,), "queued-test", "queued")
        assert ran_in == [1]


# -- rank-aware logs and checkpoints -----------------------------------------------------------------
def test_only_rank_0_writes_checkpoints(monkeypatch, tmp_path):
    net = mx.sym.Variable("x") + 1
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "2")
    monkeypatch.setenv("OMPI_COMM_WORLD_RANK", "1")
    mx.callback.do_checkpoint(str(tmp_path / "r1"))(0, net, {"w": mx.nd.ones((1,))}, {})
    assert not os.listdir(tmp_path)
    assert dist_env.rank_prefix() == "[rank 1] "
    monkeypatch.setenv("MXPY_CHECKPOINT_ALL_RANKS", "1")
    mx.callback.do_checkpoint(str(tmp_path / "r1"))(0, net, {"w": mx.nd.ones((1,))}, {})
    assert sorted(os.listdir(tmp_path)) == ["r1-0001.params", "r1-symbol.json"]
    monkeypatch.delenv("MXPY_CHECKPOINT_ALL_RANKS")
    monkeypatch.setenv("OMPI_COMM_WORLD_RANK", "0")
    assert dist_env.writes_checkpoints() and not dist_env.writes_checkpoints(rank=3)


def test_speedometer_says_the_rank(monkeypatch, caplog):
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "3")
    monkeypatch.setenv("OMPI_COMM_WORLD_RANK", "2")
    speed = mx.callback.Speedometer(batch_size=4, frequent=1)
    param = mx.model.BatchEndParam(epoch=0, nbatch=0, eval_metric=None, locals=None)
    with caplog.at_level(logging.INFO):
        speed(param)
        speed(mx.model.BatchEndParam(epoch=0, nbatch=1, eval_metric=None, locals=None))
    assert any(r.getMessage().startswith("[rank 2] Iter[0] Batch [1]") for r in caplog.records)


# -- the launcher's command line ---------------------------------------------------------------------
def _build(argv, env=None):
    from mxpy import launch

    return launch.build_command(launch._parser().parse_args(argv), env or {"PATH": "/usr/bin", "MXNET_X": "1", "HOME": "/root"})


def test_launch_local_needs_no_hostfile():
    cmd, env = _build(["-n", "3", "--mpirun", "mpirun", "python", "train.py", "--kv-store", "dist_sync"])
    assert cmd[:3] == ["mpirun", "-n", "3"]
    assert cmd[cmd.index("--host") + 1] == "localhost:3"
    assert cmd[-4:] == ["python", "train.py", "--kv-store", "dist_sync"]
    assert "MXNET_X" in cmd and "HOME" not in cmd  # MXNET_* forwarded, the rest left alone
    assert env["PATH"].split(os.pathsep)[0] == os.path.dirname(sys.executable)


def test_launch_ssh_and_mpi_use_the_hostfile(tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text("node1 slots=2\nnode2 slots=2\n")
    cmd, _ = _build(["-n", "4", "-H", str(hosts), "--mpirun", "mpirun", "--env", "OMP_NUM_THREADS:1", "python", "t.py"])
    assert cmd[cmd.index("--hostfile") + 1] == str(hosts) and "plm_rsh_agent" in cmd
    assert "--host" not in cmd and "OMP_NUM_THREADS" in cmd
    cmd, _ = _build(["-n", "4", "-H", str(hosts), "--launcher", "mpi", "--mpirun", "mpirun", "python", "t.py"])
    assert "plm_rsh_agent" not in cmd and "--hostfile" in cmd


@pytest.mark.parametrize(
    "argv, message",
    [
        (["-n", "2", "--launcher", "ssh", "python", "t.py"], "needs a hostfile"),
        (["-n", "2", "-H", "/no/such/hosts", "python", "t.py"], "hostfile '/no/such/hosts' not found"),
        (["-n", "0", "python", "t.py"], "-n must be at least 1"),
        (["-n", "2"], "give the command to run"),
        (["-n", "2", "--env", "NOT_SET_ANYWHERE_X", "python", "t.py"], "no such variable"),
    ],
)
def test_launch_rejects_bad_options(argv, message):
    with pytest.raises(SystemExit, match=message):
        _build(["--mpirun", "mpirun", *argv])
