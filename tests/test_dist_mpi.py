"""The distributed stores across processes: jobs of 2 and 3 ranks started by ``python -m mxpy.launch``.

Each job runs tests/mpi_jobs/worker.py, whose ranks write what they computed;
these tests compare it with one process doing the same work (tests/mpi_jobs/
common.py holds the data, networks and references). Run by ``make test-dist``
(which installs the ``dist`` extra); skipped where mpi4py or mpirun is missing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest

import mxpy as mx

pytest.importorskip("mpi4py")
pytestmark = pytest.mark.dist

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "mpi_jobs"))
import common  # noqa: E402

WORKER = os.path.join(HERE, "mpi_jobs", "worker.py")
REPO = os.path.dirname(HERE)
SCENARIOS = ["lazy", "api", "fastpath", "bigarray", "compress", "mlp", "feedforward", "gluon", "horovod_module", "conv_bn", "async", "mnist_parts"]


def launch(n: int, outdir, scenarios: list, timeout: float = 240, env: dict | None = None, options: tuple = ()) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "mxpy.launch", "-n", str(n), *options, sys.executable, WORKER, str(outdir), *scenarios]
    full_env = dict(os.environ, **(env or {}))
    full_env.setdefault("MXPY_KVSTORE_ERROR_GRACE", "5")
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=full_env, cwd=REPO)


@pytest.fixture(scope="module", params=[2, 3], ids=["n2", "n3"])
def job(request, tmp_path_factory):
    """One job per world size running every scenario; ``job(name, rank)`` loads what a rank wrote."""
    n = request.param
    out = tmp_path_factory.mktemp(f"dist{n}")
    # with 3 ranks the transfers go in pieces of 7 elements: uneven pieces and uneven splits
    env = {"MXNET_KVSTORE_BIGARRAY_BOUND": "7"} if n == 3 else {}
    proc = launch(n, out, SCENARIOS, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]

    def load(name: str, rank: int) -> dict:
        with np.load(os.path.join(out, f"{name}-rank{rank}.npz")) as f:
            return dict(f)

    load.n, load.out, load.log = n, out, proc.stdout + proc.stderr
    return load


def test_store_semantics(job):
    n = job.n
    total = sum(range(1, n + 1))
    for r in range(n):
        api = job("api", r)
        assert int(api["n"]) == n
        np.testing.assert_array_equal(api["init"], np.ones((2, 3)))  # rank 0's init value everywhere
        np.testing.assert_array_equal(api["summed"], np.full((2, 3), total + n))  # every device of every rank
        # SGD(lr 0.5, momentum 0.5) twice on the summed gradient, once on the store (as MXNet's server)
        g_w, g_b = np.arange(4) * total, np.full((1,), n)
        w, b, mw, mb = np.full(4, 10.0), np.zeros(1), np.zeros(4), np.zeros(1)
        for _ in range(2):
            mw, mb = 0.5 * mw - 0.5 * g_w, 0.5 * mb - 0.5 * g_b
            w, b = w + mw, b + mb
        np.testing.assert_allclose(api["w"], w, rtol=1e-6)
        np.testing.assert_allclose(api["b"], b, rtol=1e-6)
        np.testing.assert_array_equal(job("device", r)["pulled"], np.full(3, 2.0 * n))
        hv = job("horovod", r)
        assert int(hv["hv_rank"]) == r and int(hv["size"]) == n
        np.testing.assert_array_equal(hv["g"], np.full(5, total))
        np.testing.assert_array_equal(hv["bc"], np.full(2, 7.0))
        x = np.arange(60, dtype=np.float32).reshape(6, 10)
        np.testing.assert_array_equal(job("bigarray", r)["res"], x * total)
    # replicated optimizer states: every rank saved the same momentum
    states = [(job.out / f"states-{r}").read_bytes() for r in range(n)]
    assert all(s == states[0] for s in states)


def test_transfers_are_lazy(job):
    """Rank 0's pushpull returns long before the late ranks join the transfer; its compute goes on meanwhile."""
    lazy = job("lazy", 0)
    assert float(lazy["returned"]) < 0.3 and float(lazy["done"]) > 0.8
    assert float(lazy["busy"]) == 200
    np.testing.assert_array_equal(lazy["res"], np.full(1000, job.n))


def test_pushpull_paths_give_the_same_sums(job):
    """Run by the worker or claimed by a waiting thread, two stores interleaved, in place: the same sums everywhere."""
    n = job.n
    total = n * (n + 1) // 2
    steps = [np.arange(50) * total + n * s for s in range(6)]
    for r in range(n):
        got = job("fastpath", r)
        for name in ("a", "b"):
            expected = np.stack([*steps, steps[-1], np.full(50, total)])  # the pull after out was overwritten
            np.testing.assert_array_equal(got[name], expected, err_msg=name)
        np.testing.assert_array_equal(got["horovod"], np.stack([*steps, np.full(50, total)]))


def test_sync_mlp_equals_one_process_on_combined_batches(job):
    n = job.n
    x, y = common.mlp_data()
    ref, _ = common.train_reference(common.mlp_symbol(), x, y, n * common.MLP_BATCH, [mx.cpu()]).get_params()
    ranks = [job("mlp", r) for r in range(n)]
    for name, value in ref.items():
        for r in range(n):
            np.testing.assert_array_equal(ranks[r][name], ranks[0][name])  # bit-identical on every rank
        np.testing.assert_allclose(ranks[0][name], value.asnumpy(), rtol=1e-5, atol=2e-6, err_msg=name)


def test_feedforward_dist_sync(job):
    n = job.n
    x, y = common.mlp_data()
    ref = common.feedforward(x, y, n * common.MLP_BATCH, None).arg_params
    for r in range(n):
        got = job("feedforward", r)
        for name, value in ref.items():
            np.testing.assert_allclose(got[name], value.asnumpy(), rtol=1e-5, atol=2e-6, err_msg=name)


def test_gluon_trainer_dist_sync(job):
    """Gluon's Trainer over dist_sync (as MXNet's: rescale 1/per-worker batch, the store sums over the ranks):
    one process stepping over the combined batch with the same step(batch) takes the same steps."""
    n = job.n
    x, y = common.mlp_data()
    # every rank's trainer scales by its own batch: the reference steps over n*batch rows with step(batch)
    _, ref = common.gluon_net(x, y, n * common.MLP_BATCH, None, init_seed=100, step_batch=common.MLP_BATCH)
    ranks = [job("gluon", r) for r in range(n)]
    assert sorted(ranks[0]) == sorted(ref) == [f"p{i}" for i in range(4)]
    for name, value in ref.items():
        for r in range(1, n):
            np.testing.assert_array_equal(ranks[r][name], ranks[0][name])
        np.testing.assert_allclose(ranks[0][name], value, rtol=1e-4, atol=1e-5, err_msg=name)


def test_horovod_module(job):
    """Horovod sums the gradients and each rank updates with rescale_grad 1/(its own batch), as MXNet's
    Module does for a store without '_sync': one process on the combined batch with n times the
    learning rate takes the same steps (no weight decay, which that would not scale)."""
    n = job.n
    x, y = common.mlp_data()
    opt = dict(common.HOROVOD_OPT, learning_rate=common.HOROVOD_OPT["learning_rate"] * n)
    ref, _ = common.train_reference(common.mlp_symbol(), x, y, n * common.MLP_BATCH, [mx.cpu()], opt).get_params()
    ranks = [job("horovod_module", r) for r in range(n)]
    for name, value in ref.items():
        for r in range(1, n):
            np.testing.assert_array_equal(ranks[r][name], ranks[0][name])
        np.testing.assert_allclose(ranks[0][name], value.asnumpy(), rtol=1e-4, atol=1e-5, err_msg=name)


def test_sync_conv_batchnorm_equals_one_process_over_devices(job):
    """BatchNorm normalises each rank's slice, as MXNet's dist_sync does: the reference is one process
    whose batch is split over n contexts the way the ranks split it. Weights agree; the moving
    statistics stay per rank (MXNet syncs no aux states), and their mean over ranks is what the
    reference's epoch-end aux averaging over devices keeps."""
    n = job.n
    x, y = common.conv_data()
    mod = common.train_reference(common.conv_symbol(), x, y, n * common.CONV_BATCH, [mx.cpu(i) for i in range(n)])
    args, aux = mod.get_params()
    ranks = [job("conv_bn", r) for r in range(n)]
    for name, value in args.items():
        np.testing.assert_allclose(ranks[0]["arg:" + name], value.asnumpy(), rtol=1e-5, atol=2e-6, err_msg=name)
        for r in range(1, n):
            np.testing.assert_array_equal(ranks[r]["arg:" + name], ranks[0]["arg:" + name])
    for name, value in aux.items():
        mean = np.mean([ranks[r]["aux:" + name] for r in range(n)], axis=0)
        np.testing.assert_allclose(mean, value.asnumpy(), rtol=1e-4, atol=1e-5, err_msg=name)


def test_compression_matches_mxnet_golden(job):
    """Rank r pushes what device r % 2 pushed in MXNet's two-device 2bit run. With 2 ranks the pulls
    are MXNet's; with 3 they are the device store's over 3 devices (that store matches the golden
    in tests/test_dist.py): each rank quantizes with its own residual, the ranks sum what they sent."""
    golden = np.load(common.GOLDEN_2BIT)
    n = job.n
    if n == 2:
        expected = golden["two_pulled"]
    else:
        kv = mx.kv.create("device")
        kv.set_gradient_compression({"type": "2bit", "threshold": 0.3})
        kv.init("w", mx.nd.zeros((3, 5)))
        expected = []
        for step in golden["two_grads"]:
            kv.push("w", [mx.nd.array(step[r % 2], ctx=mx.cpu(r)) for r in range(n)])
            o = mx.nd.zeros((3, 5))
            kv.pull("w", out=o)
            expected.append(o.asnumpy())
        expected = np.stack(expected)
    for r in range(n):
        np.testing.assert_array_equal(job("compress", r)["pulled"], expected)


def test_async_converges(job):
    """dist_async on the demo digits (each rank reads its part): test accuracy near a single process's (0.90-0.92).

    Asynchronous updates arrive in whatever order the scheduler gives them: on a quiet box the ranks
    score 0.88-0.93, and a loaded CI box once gave a rank 0.84. Chance is 0.10.
    """
    accs = [float(job("async", r)["acc"]) for r in range(job.n)]
    assert min(accs) > 0.8, accs
    assert os.path.getsize(os.path.join(job.out, "async.states")) > 0


def test_checkpoints_only_from_rank_0(job):
    files = sorted(f for f in os.listdir(job.out) if f.startswith("mlp-") and not f.endswith(".npz"))
    assert files == ["mlp-0001.params", "mlp-0002.params", "mlp-mod-0002.params", "mlp-mod-0002.states", "mlp-mod-symbol.json", "mlp-symbol.json"]
    saved = mx.nd.load(os.path.join(job.out, "mlp-0002.params"))
    final = job("mlp", 0)
    for name, value in final.items():
        np.testing.assert_array_equal(saved["arg:" + name].asnumpy(), value)
    assert "[rank 1]" in job.log or job.n < 2  # Speedometer lines carry the rank


def test_io_parts_follow_rank(job):
    n = job.n
    img, lbl = common.digits_files()
    from mxpy.io.mnist import read_idx

    labels = read_idx(lbl, 1).astype(np.float32)
    parts = [job("mnist_parts", r)["labels"] for r in range(n)]
    np.testing.assert_array_equal(np.concatenate(parts), labels)
    sizes = [p.size for p in parts]
    assert sizes == [int(labels.size / n * (r + 1)) - int(labels.size / n * r) for r in range(n)]


@pytest.mark.parametrize(
    "scenario, message",
    [
        (
            "mismatch",
            "KVStore.init: the workers disagree at transfer 1 (each rank must init/push/pull the same keys, shapes and dtypes in the same order): "
            "rank 0: init('weight') shape (2, 3) float32; rank 1: init('weight') shape (3, 3) float32",
        ),
        (
            "mismatch_push",
            "KVStore.push: the workers disagree at transfer 3 (each rank must init/push/pull the same keys, shapes and dtypes in the same order): "
            "rank 0: push('a') shape (4,) float32; rank 1: push('b') shape (4,) float32",
        ),
    ],
)
def test_mismatched_keys_or_shapes_fail_on_every_rank(tmp_path, scenario, message):
    proc = launch(2, tmp_path, [scenario], timeout=120)
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "mismatch not detected" not in log
    for r in range(2):
        lines = [line for line in log.splitlines() if line.startswith(f"[rank {r}] mxpy.base.MXNetError:")]
        assert lines and all(message in line for line in lines), log[-4000:]


def test_killed_worker_stops_the_job(tmp_path):
    """Rank 1 dies mid-step (SIGKILL): the job ends within a bounded time, and the report names rank 1."""
    start = time.monotonic()
    proc = launch(2, tmp_path, ["kill"], timeout=120)
    elapsed = time.monotonic() - start
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "kill not noticed" not in log
    assert "rank 1" in log and "signal 9" in log, log[-3000:]
    assert elapsed < 60


def test_num_dead_node_counts_a_dead_rank_under_mpi_fault_tolerance(tmp_path):
    """With --mpi-args "--with-ft ulfm" the job outlives a killed rank: rank 0 counts it in MXNet's node ids
    (workers 4, worker r 9+2r; no servers or scheduler in dist_sync), then its next transfer fails naming it."""
    proc = launch(2, tmp_path, ["dead_node"], timeout=120, options=("--mpi-args", "--with-ft ulfm"))
    log = proc.stdout + proc.stderr
    if "ulfm" in log.lower() and "dead before" not in log:  # an MPI built without fault tolerance
        pytest.skip("this MPI has no ULFM fault tolerance")
    assert proc.returncode != 0
    assert "dead rank not noticed" not in log
    assert "dead before 0;" in log and "{4: 1, 6: 1, 7: 1, 2: 0, 1: 0, 9: 0, 11: 1}" in log, log[-3000:]
    assert "MXNetError: kvstore_allreduce (pushed at" in log and "KVStore.push(0): rank 1 of 2 died; rank 0 stops" in log, log[-3000:]


def test_train_mnist_example_with_two_processes(tmp_path):
    """examples/train_mnist.py --kv-store dist_sync under the launcher: both ranks agree, rank 0 checkpoints."""
    example = os.path.join(REPO, "examples", "train_mnist.py")
    # the shipped digits, whatever else is installed (CI adds Fashion-MNIST, which trains 4 epochs, not 10)
    digits = os.path.join(REPO, "examples", "data", "uci-digits")
    cmd = [sys.executable, "-m", "mxpy.launch", "-n", "2", "python", example, "--kv-store", "dist_sync", "--no-progress", "--out-dir", str(tmp_path)]
    cmd += ["--data-dir", digits]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240, cwd=REPO)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    rank1 = [line for line in log.splitlines() if line.startswith("rank 1: test accuracy")]
    rank0 = [line for line in log.splitlines() if line.startswith("test accuracy")]
    assert rank1 and rank0 and rank1[0].split()[4] == rank0[0].split()[2]  # the same weights on both ranks
    assert float(rank0[0].split()[2].rstrip(";")) > 0.85
    assert "[rank 1] Epoch[9] Train-accuracy" in log
    assert sorted(os.listdir(tmp_path))[:2] == ["mnist-mlp-0010.params", "mnist-mlp-symbol.json"]


def test_stuck_rank_times_out(tmp_path):
    """A rank that hangs (alive, not answering): rank 0 fails after MXPY_KVSTORE_TIMEOUT and the job ends."""
    start = time.monotonic()
    proc = launch(2, tmp_path, ["stall"], timeout=120, env={"MXPY_KVSTORE_TIMEOUT": "2", "MXPY_KVSTORE_ERROR_GRACE": "1"})
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "stall not noticed" not in log
    assert "[rank 0] mxpy.base.MXNetError: KVStore.barrier: rank 0 waited 2 s for the other ranks (MXPY_KVSTORE_TIMEOUT)" in log, log[-3000:]
    assert time.monotonic() - start < 40
