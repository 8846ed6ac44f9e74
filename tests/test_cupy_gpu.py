"""The same device checks on real CuPy; every test skips cleanly without CuPy and a GPU.

Run on a GPU machine with ``pip install -e '.[gpu,test]'`` then
``pytest tests/test_cupy_gpu.py tests/test_context.py -m gpu``.
"""

from __future__ import annotations

import numpy as np
import pytest

import mxpy as mx
from mxpy import registry
from mxpy.backend import fake_gpu
from tests.battery import CASES, load_all

load_all()

try:
    import cupy
except ImportError:
    cupy = None

if cupy is None or fake_gpu.enabled_count() > 0 or mx.context.num_gpus() == 0:
    pytest.skip("needs CuPy and a GPU (and the fake backend off)", allow_module_level=True)
pytestmark = pytest.mark.gpu


def _run(case, np_inputs, ctx):
    fn = getattr(mx.nd, case.op) if hasattr(mx.nd, case.op) else getattr(mx.nd._internal, case.op)
    with ctx:
        res = fn(*[mx.nd.array(x, dtype=x.dtype, ctx=ctx) for x in np_inputs], **case.params)
    return res if isinstance(res, list) else [res]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_battery_on_cupy_agrees_with_cpu(case):
    np_inputs = case.make_inputs(np.random.default_rng(0))
    cpu = [o.asnumpy() for o in _run(case, np_inputs, mx.cpu())]
    outs = _run(case, np_inputs, mx.gpu(0))
    assert all(isinstance(o._data, cupy.ndarray) for o in outs), case.id
    got = [o.asnumpy() for o in outs]
    if case.check is not None:
        case.check(got, np_inputs, case.params)
    if not registry.get(case.op).needs_rng:
        for g, c in zip(got, cpu):
            assert g.shape == c.shape and g.dtype == c.dtype, case.id
            np.testing.assert_allclose(g.astype(np.float64), c.astype(np.float64), rtol=1e-4, atol=1e-5, err_msg=case.id)


def test_memory_info_and_waitall():
    free, total = mx.context.gpu_memory_info(0)
    assert 0 < free <= total
    x = mx.nd.ones((1024,), ctx=mx.gpu(0)) * 2
    mx.nd.waitall()
    assert float(x.sum().asscalar()) == 2048.0
    mx.gpu(0).empty_cache()


def test_ops_complete_through_events_on_the_compute_stream():
    from mxpy.backend import streams

    r = streams.RUNNERS[mx.gpu(0)]
    x = mx.nd.ones((2048, 2048), ctx=mx.gpu(0))
    y = mx.nd.dot(x, x)
    ev = y._var.event
    assert isinstance(ev.raw, cupy.cuda.Event) and ev.stream is r.compute
    y.wait_to_read()
    assert ev.raw.done
    assert float(y[0, 0].asscalar()) == 2048.0


def test_host_copy_into_a_buffer_runs_on_the_copy_stream():
    from mxpy.backend import streams

    r = streams.RUNNERS[mx.gpu(0)]
    buf = mx.nd.zeros((1024, 1024), ctx=mx.gpu(0))
    host = np.random.default_rng(1).standard_normal((1024, 1024)).astype(np.float32)
    buf[:] = host
    assert buf._var.event.stream is r.copy
    np.testing.assert_array_equal((buf * 1).asnumpy(), host)


def test_memory_pool_follows_mxnet_variables():
    from mxpy.backend.cupy_backend import pool_settings

    pooled, fraction = pool_settings()
    if pooled:
        total = mx.context.gpu_memory_info(0)[1]
        assert abs(cupy.get_default_memory_pool().get_limit() - fraction * total) <= total * 1e-3


def test_overlap_demo_runs():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "bench/gpu_overlap.py", "--steps", "3", "--batch", "1024", "--hidden", "1024"], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert "overlapped step" in out.stdout
