"""Zero-copy interop: DLPack capsules, NumPy, PyTorch (CPU) and from_numpy.

Memory shared with another library is not tracked by the engine, so every
test waits on the NDArray before looking through the other side.
"""

from __future__ import annotations

import numpy as np
import pytest

import mxpy as mx
from mxpy import engine
from mxpy.base import MXNetError
from tests.conftest import queued_engine

ENGINES = ["NaiveEngine", "ThreadedEngine", "queued"]


@pytest.fixture(params=ENGINES)
def eng(request):
    with engine.engine_type(queued_engine() if request.param == "queued" else request.param):
        yield request.param


def _shares(a: mx.nd.NDArray, x) -> bool:
    return np.shares_memory(a._data, np.asarray(x))


# -- NumPy ------------------------------------------------------------------------------------


def test_numpy_from_ndarray_shares_memory_after_wait(eng):
    a = mx.nd.ones((3, 4)) * 2  # pending work: __dlpack__ must wait for it
    n = np.from_dlpack(a)
    assert n.shape == (3, 4) and n.dtype == np.float32
    np.testing.assert_array_equal(n, np.full((3, 4), 2, np.float32))
    assert _shares(a, n)
    a[:] = 5  # an engine write, seen through numpy once it is done
    a.wait_to_read()
    np.testing.assert_array_equal(n, np.full((3, 4), 5, np.float32))
    n[0, 0] = -1  # a numpy write, seen by mxpy
    assert a.asnumpy()[0, 0] == -1


def test_from_dlpack_numpy_array_shares_memory(eng):
    x = np.arange(12, dtype=np.float64).reshape(3, 4)
    a = mx.nd.from_dlpack(x)
    assert a.shape == (3, 4) and a.dtype == np.float64 and a.context == mx.cpu(0)
    assert _shares(a, x)
    x[1, 1] = 100.0
    assert a.asnumpy()[1, 1] == 100.0
    b = a * 2  # mxpy reads the shared buffer
    np.testing.assert_array_equal(b.asnumpy(), x * 2)
    a[:] = 0
    a.wait_to_read()
    assert not x.any()


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int8", "uint8", "int32", "int64", "bool"])
def test_dtypes_round_trip(dtype):
    x = (np.arange(6) % 2).astype(dtype).reshape(2, 3)
    a = mx.nd.from_dlpack(x)
    assert a.dtype == np.dtype(dtype).type
    np.testing.assert_array_equal(np.from_dlpack(a), x)


def test_strided_numpy_view():
    base = np.arange(20, dtype=np.float32).reshape(4, 5)
    view = base[:, 1::2]
    a = mx.nd.from_dlpack(view)
    np.testing.assert_array_equal(a.asnumpy(), view)
    base[0, 1] = 50
    assert a.asnumpy()[0, 0] == 50


def test_capsules_for_read_and_write(eng):
    a = mx.nd.arange(6).reshape((2, 3)) + 1
    cap = mx.nd.to_dlpack_for_read(a)
    b = mx.nd.from_dlpack(cap)
    np.testing.assert_array_equal(b.asnumpy(), np.arange(1, 7, dtype=np.float32).reshape(2, 3))
    assert _shares(a, b._data)
    c = mx.nd.from_dlpack(mx.nd.to_dlpack_for_write(a))
    c[:] = 9  # a capsule import is writable, as in MXNet
    c.wait_to_read()
    np.testing.assert_array_equal(a.asnumpy(), np.full((2, 3), 9, np.float32))
    # the NDArray methods give capsules too
    d = mx.nd.from_dlpack(a.to_dlpack_for_read())
    assert _shares(a, d._data)


def test_capsule_consumed_once_and_bad_inputs():
    cap = mx.nd.to_dlpack_for_read(mx.nd.zeros((2,)))
    mx.nd.from_dlpack(cap)
    with pytest.raises(MXNetError, match="already consumed"):
        mx.nd.from_dlpack(cap)
    with pytest.raises(TypeError, match="from_dlpack"):
        mx.nd.from_dlpack([1, 2, 3])
    with pytest.raises(TypeError, match="to_dlpack_for_read.*data"):
        mx.nd.to_dlpack_for_read(np.zeros(2))
    with pytest.raises(TypeError, match="to_dlpack_for_write.*data"):
        mx.nd.to_dlpack_for_write(np.zeros(2))
    with pytest.raises(TypeError, match="complex64"):
        mx.nd.from_dlpack(np.zeros(2, np.complex64))


def test_from_dlpack_of_ndarray_keeps_engine_order(eng):
    a = mx.nd.zeros((1000,))
    b = mx.nd.from_dlpack(a)
    a[:] = 3
    # b shares a's Var, so reading b waits for the write through a
    np.testing.assert_array_equal(b.asnumpy(), np.full(1000, 3, np.float32))


# -- from_numpy --------------------------------------------------------------------------------


def test_from_numpy_zero_copy_shares_memory():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    a = mx.nd.from_numpy(x)
    assert _shares(a, x) and a.shape == (2, 3) and a.dtype == np.float32
    np.testing.assert_array_equal(a.asnumpy(), x)
    a[:] = 1
    a.wait_to_read()
    np.testing.assert_array_equal(np.asarray(a._data), np.ones((2, 3), np.float32))


def test_from_numpy_copy_is_independent():
    y = np.arange(6, dtype=np.int32)
    b = mx.nd.from_numpy(y, zero_copy=False)
    y[0] = 50
    assert b.asnumpy()[0] == 0 and b.dtype == np.int32
    with pytest.raises(TypeError, match="from_numpy"):
        mx.nd.from_numpy([1, 2])


def test_from_numpy_zero_copy_makes_source_read_only():
    x = np.arange(3, dtype=np.float32)
    mx.nd.from_numpy(x)
    assert not x.flags.writeable


def test_from_numpy_non_contiguous_is_value_error():
    with pytest.raises(ValueError):
        mx.nd.from_numpy(np.arange(6.0).reshape(2, 3).T)


# -- PyTorch (CPU) -------------------------------------------------------------------------------


def test_torch_from_ndarray_shares_memory():
    torch = pytest.importorskip("torch")
    a = mx.nd.arange(6).reshape((2, 3)) * 3
    t = torch.from_dlpack(a)
    assert tuple(t.shape) == (2, 3) and t.dtype == torch.float32
    assert t.data_ptr() == a._data.ctypes.data
    assert t[1, 2].item() == 15.0
    a[:] = 2
    a.wait_to_read()
    assert float(t.sum()) == 12.0
    t[0, 0] = -4.0
    assert a.asnumpy()[0, 0] == -4.0


def test_ndarray_from_torch_shares_memory():
    torch = pytest.importorskip("torch")
    t = torch.arange(8, dtype=torch.float64).reshape(2, 4)
    a = mx.nd.from_dlpack(t)
    assert a.shape == (2, 4) and a.dtype == np.float64
    assert a._data.ctypes.data == t.data_ptr()
    t[0, 0] = 42.0
    assert a.asnumpy()[0, 0] == 42.0
    a[:] = 1
    a.wait_to_read()
    assert float(t.sum()) == 8.0
    # through a capsule made by torch
    u = torch.ones(3, dtype=torch.int64)
    b = mx.nd.from_dlpack(torch.utils.dlpack.to_dlpack(u))
    assert b.dtype == np.int64 and b._data.ctypes.data == u.data_ptr()
    b[:] = 7
    b.wait_to_read()
    assert u.tolist() == [7, 7, 7]


# -- GPU (CuPy) ------------------------------------------------------------------------------------


def _gpu_ctx():
    cupy = pytest.importorskip("cupy")
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            pytest.skip("no CUDA device")
    except cupy.cuda.runtime.CUDARuntimeError:
        pytest.skip("no CUDA device")
    return cupy, mx.gpu(0)


def test_gpu_capsule_round_trip():
    cupy, ctx = _gpu_ctx()
    a = mx.nd.ones((4,), ctx=ctx) * 3
    b = mx.nd.from_dlpack(mx.nd.to_dlpack_for_read(a))
    assert b.context == ctx
    np.testing.assert_array_equal(b.asnumpy(), np.full(4, 3, np.float32))
    c = cupy.arange(5, dtype=cupy.float32)
    d = mx.nd.from_dlpack(c)
    assert d.context == ctx and d._data.data.ptr == c.data.ptr
    np.testing.assert_array_equal(d.asnumpy(), np.arange(5, dtype=np.float32))
