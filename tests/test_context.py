"""Contexts: constructors, printing, equality, the current-context stack, GPUs.

Expected strings and results were checked against MXNet 1.9.1 (repr ``cpu(1)``,
``with`` nesting, pickling round trip, ``cpu(0) != 'cpu(0)'``).
"""

from __future__ import annotations

import copy
import importlib.util
import pickle
import threading

import pytest

import mxpy as mx
from mxpy.base import MXNetError

HAS_CUPY = importlib.util.find_spec("cupy") is not None


def test_constructors_and_printing():
    assert repr(mx.cpu()) == "cpu(0)"
    assert str(mx.cpu(1)) == "cpu(1)"
    assert repr(mx.gpu(2)) == "gpu(2)"
    assert repr(mx.cpu_pinned()) == "cpu_pinned(0)"
    c = mx.Context("cpu", 1)
    assert (c.device_type, c.device_id, c.device_typeid) == ("cpu", 1, 1)
    g = mx.gpu(3)
    assert (g.device_type, g.device_id, g.device_typeid) == ("gpu", 3, 2)
    assert mx.Context(mx.gpu(2)) == mx.gpu(2)  # a Context argument is taken as is


def test_equality_hash_and_interning():
    assert mx.cpu() == mx.cpu(0)
    assert mx.cpu(0) != mx.cpu(1)
    assert mx.cpu(0) != mx.gpu(0)
    assert mx.cpu(0) != "cpu(0)"  # as MXNet: only Contexts compare equal
    assert mx.Context("cpu", 1) is mx.cpu(1)
    assert hash(mx.Context("gpu", 1)) == hash(mx.gpu(1))
    d = {mx.cpu(0): "a", mx.cpu(1): "b", mx.gpu(0): "c"}
    assert d[mx.Context("cpu", 1)] == "b" and len(d) == 3


def test_bad_contexts_are_rejected():
    with pytest.raises((KeyError, MXNetError), match="foo"):
        mx.Context("foo", 0)


def test_current_context_and_nesting():
    assert mx.current_context() == mx.cpu(0)
    with mx.Context("cpu", 1) as c:
        assert c == mx.cpu(1)
        assert mx.current_context() == mx.cpu(1)
        with mx.gpu(2):
            assert mx.current_context() == mx.gpu(2)
        assert mx.current_context() == mx.cpu(1)
    assert mx.current_context() == mx.cpu(0)


def test_context_restored_after_exception():
    with pytest.raises(ZeroDivisionError):
        with mx.cpu(3):
            1 / 0  # noqa: B018
    assert mx.current_context() == mx.cpu(0)


def test_current_context_is_per_thread():
    seen: list = []
    with mx.cpu(2):
        t = threading.Thread(target=lambda: seen.append(mx.current_context()))
        t.start()
        t.join(5)
        assert mx.current_context() == mx.cpu(2)
    assert seen == [mx.cpu(0)]


def test_arrays_follow_the_current_context():
    with mx.cpu(1):
        a = mx.nd.zeros((2,))
    assert a.context == mx.cpu(1)
    assert (a + 1).context == mx.cpu(1)
    assert mx.nd.ones((2,), ctx=mx.cpu(2)).context == mx.cpu(2)


def test_pickle_and_copy_keep_identity():
    for c in (mx.cpu(0), mx.cpu(5), mx.gpu(3), mx.cpu_pinned(1)):
        back = pickle.loads(pickle.dumps(c))
        assert back == c and back is c
        assert copy.copy(c) is c and copy.deepcopy(c) is c


@pytest.mark.skipif(HAS_CUPY, reason="checks behaviour without CuPy")
def test_no_gpus_without_cupy():
    assert mx.num_gpus() == 0
    assert mx.context.num_gpus() == 0
    with pytest.raises(MXNetError, match=r"gpu\(0\).*CuPy is not installed"):
        mx.nd.zeros((2,), ctx=mx.gpu(0))
    with pytest.raises(MXNetError, match="CuPy"):
        mx.nd.ones((2,)).as_in_context(mx.gpu(0))


@pytest.mark.gpu
@pytest.mark.skipif(not HAS_CUPY or mx.num_gpus() == 0, reason="needs CuPy and a GPU")
def test_gpu_allocation_with_cupy():
    a = mx.nd.ones((3,), ctx=mx.gpu(0))
    assert a.context == mx.gpu(0)
    assert (a * 2).asnumpy().tolist() == [2.0, 2.0, 2.0]
