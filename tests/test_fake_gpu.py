"""GPU code paths in CI: ``mx.gpu(i)`` on the fake device backend (mxpy.backend.fake_gpu).

The fake device's arrays refuse implicit conversion to NumPy, as CuPy's do, and
count every host<->device copy, so these tests catch kernels that would break
on a real GPU and copies a training step should not make.
"""

from __future__ import annotations

import numpy as np
import pytest

import mxpy as mx
from mxpy import engine, registry
from mxpy.backend import fake_gpu
from tests.battery import CASES, load_all

load_all()


@pytest.fixture(autouse=True, scope="module")
def _fake_gpus():
    was = fake_gpu.enabled_count()
    fake_gpu.enable(2)
    yield
    if was:
        fake_gpu.enable(was)
    else:
        fake_gpu.disable()


def _is_device(arr: mx.nd.NDArray) -> bool:
    return type(arr._data) is fake_gpu.FakeDeviceArray


# -- placement and copies ------------------------------------------------------------------


def test_creation_places_arrays_on_the_device():
    for x in (mx.nd.ones((2, 3), ctx=mx.gpu(0)), mx.nd.zeros((2,), ctx=mx.gpu(1)), mx.nd.array([1, 2], ctx=mx.gpu(0))):
        assert _is_device(x)
    with mx.gpu(1):
        y = mx.nd.arange(4)
    assert y.context == mx.gpu(1) and _is_device(y) and y._data.device.id == 1
    z = (mx.nd.ones((2, 2), ctx=mx.gpu(0)) * 3 + 1).sum(axis=1)
    assert z.context == mx.gpu(0) and _is_device(z)
    assert z.asnumpy().tolist() == [8.0, 8.0]


def test_device_arrays_refuse_implicit_numpy_conversion():
    x = mx.nd.ones((2,), ctx=mx.gpu(0))._data
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.asarray(x)
    with pytest.raises(TypeError):
        np.add(x, 1)
    with pytest.raises(TypeError):
        np.concatenate([x, x])
    with pytest.raises(TypeError, match="host numpy.ndarray"):
        x + np.ones(2)
    # explicit transfers work
    assert fake_gpu.XP.asnumpy(x).tolist() == [1.0, 1.0]


def test_copies_between_cpu_and_gpu_go_through_counted_transfers():
    host = mx.nd.array([[1, 2], [3, 4]])
    mx.nd.waitall()
    with fake_gpu.counting() as c:
        g0 = host.copyto(mx.gpu(0))
        g0.wait_to_read()
    assert g0.context == mx.gpu(0) and _is_device(g0)
    assert (c["h2d"], c["d2h"], c["h2d_bytes"]) == (1, 0, 16)

    with fake_gpu.counting() as c:
        g1 = g0.as_in_context(mx.gpu(1))
        back = g1.as_in_context(mx.cpu())
        out = mx.nd.zeros((2, 2))
        g1.copyto(out)
        got = back.asnumpy()
        mx.nd.waitall()
    assert g1.context == mx.gpu(1) and g1._data.device.id == 1
    assert back.context == mx.cpu() and not _is_device(back)
    assert got.tolist() == [[1, 2], [3, 4]] and out.asnumpy().tolist() == [[1, 2], [3, 4]]
    # gpu0 -> gpu1 goes through the host (one each way), then two copies gpu1 -> cpu
    assert (c["h2d"], c["d2h"]) == (1, 3)

    assert g0.as_in_context(mx.gpu(0)) is g0
    with fake_gpu.counting() as c:
        g0.asnumpy()
    assert c["d2h"] == 1


def test_context_helpers():
    assert mx.context.num_gpus() == 2
    assert list(mx.test_utils.list_gpus()) == [0, 1]
    free, total = mx.context.gpu_memory_info(0)
    assert 0 < free <= total
    with pytest.raises(mx.base.MXNetError, match=r"gpu\(2\).*out of range"):
        mx.nd.ones((1,), ctx=mx.gpu(2))
    mx.gpu(0).empty_cache()
    mx.nd.waitall()


def test_kernel_error_surfaces_at_the_sync_point_naming_the_op():
    a = mx.nd.array([[1.0, 2.0], [2.0, 1.0]], ctx=mx.gpu(0))  # not positive definite
    with engine.engine_type("ThreadedEngine"):
        bad = mx.nd.linalg.potrf(a)  # returns at once; the kernel fails on the worker
        with pytest.raises(mx.base.MXNetError, match="potrf"):
            bad.asnumpy()
    assert mx.nd.ones((1,), ctx=mx.gpu(0)).asnumpy().tolist() == [1.0]  # the device still works


# -- the op battery on the device agrees with the CPU ----------------------------------------


def _run(case, np_inputs, ctx):
    fn = getattr(mx.nd, case.op) if hasattr(mx.nd, case.op) else getattr(mx.nd._internal, case.op)
    with ctx:
        args = [mx.nd.array(x, dtype=x.dtype, ctx=ctx) for x in np_inputs]
        res = fn(*args, **case.params)
    return res if isinstance(res, list) else [res]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_battery_on_the_device_agrees_with_cpu(case):
    np_inputs = case.make_inputs(np.random.default_rng(0))
    mx.random.seed(0)
    cpu = [o.asnumpy() for o in _run(case, np_inputs, mx.cpu())]
    mx.random.seed(0)
    outs = _run(case, np_inputs, mx.gpu(0))
    assert all(o.context == mx.gpu(0) and _is_device(o) for o in outs), case.id
    got = [o.asnumpy() for o in outs]
    assert [g.shape for g in got] == [c.shape for c in cpu] and [g.dtype for g in got] == [c.dtype for c in cpu], case.id
    if case.check is not None:
        case.check(got, np_inputs, case.params)
    if not registry.get(case.op).needs_rng:  # samplers draw from the device's own generator
        for g, c in zip(got, cpu):
            np.testing.assert_allclose(g.astype(np.float64), c.astype(np.float64), rtol=1e-5, atol=1e-6, err_msg=case.id)
