"""Streams and events of GPU contexts, on the fake device backend (mxpy.backend.streams).

The fake streams run every kernel at once, so these tests check the ordering
mxpy asks the device for (which stream each op and copy goes to, which events
each waits on, what a host wait synchronizes), not timing.
"""

from __future__ import annotations

import numpy as np
import pytest

import mxpy as mx
from mxpy import engine
from mxpy.backend import fake_gpu, get_backend, streams
from mxpy.backend.cupy_backend import pool_settings
from mxpy.base import MXNetError


@pytest.fixture(autouse=True, scope="module")
def _fake_gpus():
    was = fake_gpu.enabled_count()
    fake_gpu.enable(2)
    yield
    if was:
        fake_gpu.enable(was)
    else:
        fake_gpu.disable()


@pytest.fixture(params=["ThreadedEngine", "NaiveEngine"])
def eng(request):
    # the threaded engine with every op queued: ops launch from the device's worker thread
    e = engine.ThreadedEngine(inline_max=-1) if request.param == "ThreadedEngine" else "NaiveEngine"
    with engine.engine_type(e):
        yield request.param


def _runner(i=0):
    return streams.RUNNERS[mx.gpu(i)]


def test_every_gpu_context_has_a_runner_with_two_streams():
    x = mx.nd.ones((2,), ctx=mx.gpu(1))
    r = _runner(1)
    assert get_backend(mx.gpu(1)).runner is r
    assert (r.compute.name, r.copy.name) == ("gpu1/compute", "gpu1/copy")
    assert x.asnumpy().tolist() == [1.0, 1.0]
    assert mx.cpu() not in streams.RUNNERS  # CPU ops never go through a runner


def test_compute_ops_end_with_a_compute_event_and_host_waits_sync_it(eng):
    x = mx.nd.ones((3,), ctx=mx.gpu(0))
    y = x * 2
    y.wait_to_read()  # the queued op has launched
    ev = y._var.event
    assert ev is not None and ev.stream is _runner().compute
    assert ev.op_name == "_mul_scalar"
    with fake_gpu.tracing() as trace:
        y.wait_to_read()
    assert ("sync", ev.raw.id) in trace
    # the read of x by the multiply moved x's event on too: a later copy into x waits for it
    assert x._var.event is ev


def test_host_copy_into_an_array_goes_on_the_copy_stream_and_waits_only_for_its_last_user(eng):
    a = mx.nd.zeros((4,), ctx=mx.gpu(0))
    b = mx.nd.ones((4,), ctx=mx.gpu(0))
    c = a + 1  # the last op touching a
    c.wait_to_read()
    last_a = a._var.event
    b2 = b * 3  # unrelated compute, queued later
    b2.wait_to_read()
    with fake_gpu.tracing() as trace:
        a[:] = np.arange(4, dtype=np.float32)
        a.wait_to_read()
    r = _runner()
    assert ("wait", "gpu0/copy", last_a.raw.id) in trace  # write-after-read on the device
    waits = [e for e in trace if e[0] == "wait" and e[1] == "gpu0/copy"]
    assert waits == [("wait", "gpu0/copy", last_a.raw.id)]  # not on b2's later event: overlap
    assert ("h2d", "gpu0/copy", 16) in trace
    assert a._var.event.stream is r.copy
    # the next compute op on a waits for the copy's event before its kernels
    copy_ev = a._var.event
    with fake_gpu.tracing() as trace:
        d = a * 2
        d.wait_to_read()
    assert ("wait", "gpu0/compute", copy_ev.raw.id) in trace
    np.testing.assert_array_equal(d.asnumpy(), [0, 2, 4, 6])


def test_array_from_host_and_asnumpy_order_against_queued_compute(eng):
    x = mx.nd.ones((5,), ctx=mx.gpu(0))
    (x + 1).wait_to_read()
    with fake_gpu.tracing() as trace:
        y = mx.nd.array(np.arange(5), ctx=mx.gpu(0))
    kinds = [e[0] for e in trace]
    # a fresh block may be memory the compute stream just freed: the copy waits for it,
    # and compute waits for the copy
    rec = kinds.index("record")
    assert trace[rec][1] == "gpu0/compute" and ("wait", "gpu0/copy", trace[rec][2]) in trace
    assert trace[-1][:2] == ("wait", "gpu0/compute")
    with fake_gpu.tracing() as trace:
        host = y.asnumpy()
    assert [e[0] for e in trace if e[0] in ("wait", "d2h")] == ["wait", "d2h"]
    assert ("d2h", "gpu0/copy", 20) in trace
    np.testing.assert_array_equal(host, np.arange(5))


def test_waitall_synchronizes_both_streams_of_every_device(eng):
    mx.nd.ones((2,), ctx=mx.gpu(0))
    mx.nd.ones((2,), ctx=mx.gpu(1))
    with fake_gpu.tracing() as trace:
        mx.nd.waitall()
    synced = {e[1] for e in trace if e[0] == "sync_stream"}
    assert {"gpu0/compute", "gpu0/copy", "gpu1/compute", "gpu1/copy"} <= synced


def test_a_device_failure_surfaces_at_the_wait_naming_the_op_and_line(eng):
    x = mx.nd.ones((2,), ctx=mx.gpu(0))
    y = mx.nd.exp(x)
    y.wait_to_read()
    fake_gpu.fail_next_sync(RuntimeError("cudaErrorIllegalAddress: an illegal memory access was encountered"))
    with pytest.raises(MXNetError, match=r"exp \(pushed at .*test_gpu_streams.py:\d+.*\) failed on the device: RuntimeError: cudaErrorIllegalAddress"):
        y.wait_to_read()
    # the arrays stay usable
    np.testing.assert_allclose(y.asnumpy(), np.exp([1.0, 1.0]), rtol=1e-6)


def test_copies_between_devices_and_to_cpu_keep_values(eng):
    x = mx.nd.array(np.arange(6).reshape(2, 3), ctx=mx.gpu(0))
    y = (x * 2).copyto(mx.gpu(1))
    z = y.as_in_context(mx.cpu())
    w = mx.nd.zeros((2, 3), ctx=mx.gpu(1))
    w[:] = z  # cpu -> gpu into an existing array
    np.testing.assert_array_equal(w.asnumpy(), np.arange(6).reshape(2, 3) * 2)
    assert w._var.event.stream is _runner(1).copy


def test_a_strided_destination_is_filled_through_the_compute_stream(eng):
    a = mx.nd.zeros((3, 4), ctx=mx.gpu(0))
    a[:, 1] = np.array([7, 8, 9], np.float32)
    np.testing.assert_array_equal(a.asnumpy()[:, 1], [7, 8, 9])
    np.testing.assert_array_equal(a.asnumpy()[:, 0], [0, 0, 0])


def test_staging_buffers_are_released_once_their_copies_finish():
    r = _runner()
    a = mx.nd.zeros((8,), ctx=mx.gpu(0))
    for _ in range(5):
        a[:] = np.ones(8, np.float32)
    a.wait_to_read()
    assert len(r._in_flight) <= 1  # fake copies finish at once: each new copy drops the done ones
    mx.nd.waitall()
    assert not r._in_flight


def test_mxnet_pool_variables_map_to_cupys_pool():
    assert pool_settings({}) == (True, 0.95)
    assert pool_settings({"MXNET_GPU_MEM_POOL_TYPE": "Round"}) == (True, 0.95)
    assert pool_settings({"MXNET_GPU_MEM_POOL_TYPE": "Unpooled", "MXNET_GPU_MEM_POOL_RESERVE": "0"}) == (False, 1.0)
    with pytest.raises(MXNetError, match="MXNET_GPU_MEM_POOL_TYPE: unknown pool type 'Big'"):
        pool_settings({"MXNET_GPU_MEM_POOL_TYPE": "Big"})
    with pytest.raises(MXNetError, match=r"MXNET_GPU_MEM_POOL_RESERVE: expected a percentage in \[0, 100\), got 100"):
        pool_settings({"MXNET_GPU_MEM_POOL_RESERVE": "100"})
    with pytest.raises(MXNetError, match="expected a percentage, got 'lots'"):
        pool_settings({"MXNET_GPU_MEM_POOL_RESERVE": "lots"})


def test_overlap_demo_runs_on_the_fake_device():
    import os
    import subprocess
    import sys

    env = dict(os.environ, MXPY_FAKE_GPU="1")
    cmd = [sys.executable, "bench/gpu_overlap.py", "--fake", "--steps", "1", "--batch", "16", "--hidden", "8"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr
    assert "fake device: 1 steps each way ran" in out.stdout


class _Double(mx.operator.CustomOp):
    def forward(self, is_train, req, in_data, out_data, aux):
        self.assign(out_data[0], req[0], in_data[0] * 2)  # pushes a device op inside the op

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        self.assign(in_grad[0], req[0], out_grad[0] * 2)


@mx.operator.register("stream_double")
class _DoubleProp(mx.operator.CustomOpProp):
    def infer_shape(self, in_shape):
        return in_shape, [in_shape[0]], []

    def create_operator(self, ctx, shapes, dtypes):
        return _Double()


def test_custom_op_pushing_device_ops_from_inside_its_run(eng):
    x = mx.nd.array([1.0, 2.0], ctx=mx.gpu(0))
    y = mx.nd.Custom(x, op_type="stream_double")
    np.testing.assert_array_equal(y.asnumpy(), [2.0, 4.0])
    assert y._var.event.stream is _runner().compute
