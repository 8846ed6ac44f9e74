"""Arrays are freed once nothing of the user's refers to them.

MXNet 1.9.1's Gluon tests build a new network around shared layers many times
over 512 MB inputs; every reference a finished call leaves behind (a parent
block, an idle worker's last op, a split helper's last part) keeps such arrays
alive, and a test file grew past 20 GB. Each test below pins one such path.
"""

from __future__ import annotations

import gc
import time
import weakref

import numpy as np

import mxpy as mx
from mxpy import autograd, gluon
from mxpy.backend import cpu_threads
from mxpy.engine import ThreadedEngine, Var
from mxpy.gluon import nn


class _Token:
    """Something a closure holds, whose death a weakref shows."""


class _Pair(gluon.HybridBlock):
    def __init__(self, first, second, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.first = first
            self.second = second

    def hybrid_forward(self, F, x):
        y = self.first(x.slice(begin=(0, 0, 1, 1), end=(2, None, None, None)))
        return self.second(y.slice(begin=(0, 1, 0, 0), end=(1, None, None, None)))


def test_shared_layers_do_not_keep_their_last_parent():
    # the same layers serve one new parent after another, hybridized and recorded
    layers = [nn.MaxPool2D(strides=(2, 3), padding=(1, 1)), nn.AvgPool2D(strides=(2, 2), padding=(1, 1))]
    x = mx.nd.random.uniform(shape=(3, 4, 12, 12))
    parents = []
    for first in layers:
        for second in layers:
            net = _Pair(first, second)
            net.hybridize()
            xh = x.copy()
            xh.attach_grad()
            with autograd.record():
                out = net(xh)
            out.backward()
            assert xh.grad.shape == x.shape
            parents.append(weakref.ref(net))
            del net, out, xh
    gc.collect()
    assert [p() for p in parents] == [None] * len(parents)
    # the layers still work on their own afterwards
    assert layers[0](x).shape == (3, 4, 7, 5)


def test_block_scope_restores_and_forgets_the_enclosing_scope():
    outer = nn.HybridSequential(prefix="outer_")
    inner = nn.Dense(2, prefix="inner_")
    with outer.name_scope():
        with inner.name_scope():
            assert mx.name.NameManager.current.get(None, "x").startswith("inner_")
        # back in the outer scope once the inner one closes
        assert mx.name.NameManager.current.get(None, "x").startswith("outer_")
    assert inner._scope._old_scope is None


def test_idle_engine_worker_drops_the_ops_it_handed_on():
    eng = ThreadedEngine(inline_max=-1, nthreads=1)
    try:
        v = Var()
        token = _Token()
        seen = []
        # the CPU0 worker finishes the write and hands the read (another device's op) on;
        # it then waits for work with nothing of that read left in its frame
        eng.push(time.sleep, (0.05,), [], [v], mx.cpu(0), "write")
        eng.push(lambda t: seen.append(type(t).__name__), (token,), [v], [], mx.cpu(1), "read")
        eng.wait_all()
        assert seen == ["_Token"]
        ref = weakref.ref(token)
        del token
        gc.collect()
        assert ref() is None
    finally:
        eng.shutdown()


def test_idle_split_helper_drops_its_last_part():
    pool = cpu_threads._Pool(2, cpu_threads._SingleBlas(lambda n: 1, True))
    token = _Token()
    out = []
    assert pool.run([lambda: out.append(1), lambda t=token: out.append(type(t).__name__)])
    assert sorted(map(str, out)) == ["1", "_Token"]
    ref = weakref.ref(token)
    del token
    gc.collect()
    for _ in range(100):  # the helper clears its locals right after reporting back
        if ref() is None:
            break
        time.sleep(0.01)
    assert ref() is None


def test_large_close_check_matches_numpy():
    a = np.random.RandomState(0).uniform(size=(5, 70000)).astype(np.float32)
    b = a.copy()
    assert mx.test_utils.almost_equal(a, b)
    mx.test_utils.assert_almost_equal(a, b, rtol=1e-5, atol=1e-6)
    b[4, -1] += 1.0  # only the last block differs
    assert not mx.test_utils.almost_equal(a, b)
    try:
        mx.test_utils.assert_almost_equal(a, b, rtol=1e-5, atol=1e-6)
    except AssertionError as e:
        assert "(4, 69999)" in str(e)
    else:
        raise AssertionError("a mismatch in the last block went unseen")
    b[4, -1] = np.nan
    a[4, -1] = np.nan
    assert mx.test_utils.almost_equal(a, b, equal_nan=True)
    assert not mx.test_utils.almost_equal(a, b)
