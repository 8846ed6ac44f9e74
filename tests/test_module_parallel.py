"""mx.mod data parallelism: a Module over [cpu(0), cpu(1)] (even and uneven work loads,
local/device kvstores, update on or off the store) trains to the same parameters as one context."""

from __future__ import annotations

import numpy as np
import pytest

import mxpy as mx
import mxpy.module as mod
from mxpy.io import DataBatch, NDArrayIter
from mxpy.module.executor_group import split_input_slice
from tests.test_module import GOLDEN, OPT_PARAMS, init_params, iters, mlp

CTXS = [mx.cpu(0), mx.cpu(1)]


def _train(context, work_load_list=None, kvstore="local", batch_size=4):
    x, y = GOLDEN["x"], GOLDEN["y"]
    train = NDArrayIter(x, y, batch_size=batch_size, shuffle=False)
    m = mod.Module(mlp(), context=context, work_load_list=work_load_list)
    history = []
    m.fit(
        train,
        num_epoch=3,
        kvstore=kvstore,
        optimizer_params=OPT_PARAMS,
        arg_params=init_params(),
        epoch_end_callback=lambda e, s, a, x_: history.append({k: v.asnumpy().copy() for k, v in a.items()}),
    )
    return m, history


def _assert_same(h1, h2):
    assert len(h1) == len(h2)
    for e1, e2 in zip(h1, h2):
        for k in e1:
            np.testing.assert_allclose(e1[k], e2[k], rtol=1e-5, atol=1e-6, err_msg=k)


@pytest.mark.parametrize(
    ("work_load_list", "kvstore", "batch_size"),
    [(None, "local", 4), ([1, 3], "local", 8), (None, "device", 4), ([1, 3], "device", 8)],
)
def test_two_contexts_match_one(work_load_list, kvstore, batch_size):
    _, single = _train(mx.cpu(), batch_size=batch_size)
    m, multi = _train(CTXS, work_load_list, kvstore, batch_size)
    _assert_same(single, multi)
    if batch_size == 4:  # the golden run: MXNet's parameters after each epoch
        for e, params in enumerate(multi):
            for k, v in params.items():
                np.testing.assert_allclose(v, GOLDEN[f"epoch{e}_{k}"], rtol=1e-5, atol=1e-6)
    group = m._exec_group
    assert [e._ctx for e in group.execs] == CTXS
    if work_load_list == [1, 3]:
        assert group.slices == [slice(0, 2), slice(2, 8)]
    # the copies of each parameter on the two contexts stay identical
    for copies in group.param_arrays:
        np.testing.assert_array_equal(copies[0].asnumpy(), copies[1].asnumpy())
    assert m._kvstore is not None and m._kvstore.type == kvstore and m._update_on_kvstore


def test_update_off_the_kvstore_matches_one_context(monkeypatch):
    # MXNET_UPDATE_ON_KVSTORE=0: the store only sums gradients, each device runs the optimizer
    monkeypatch.setenv("MXNET_UPDATE_ON_KVSTORE", "0")
    _, single = _train(mx.cpu(), batch_size=8)
    m, multi = _train(CTXS, [1, 3], "local", 8)
    assert m._kvstore is not None and not m._update_on_kvstore
    assert sorted(m._updater.states) == list(range(8))  # index = param * num_device + device
    _assert_same(single, multi)


def test_outputs_merge_over_contexts():
    m, _ = _train(CTXS, [1, 3], batch_size=8)
    _, val = iters()
    single, _ = _train(mx.cpu(), batch_size=8)
    np.testing.assert_allclose(m.predict(val).asnumpy(), single.predict(val).asnumpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dict(m.score(val, "acc"))["accuracy"], dict(single.score(val, "acc"))["accuracy"])
    m.forward(DataBatch([mx.nd.array(GOLDEN["x"][:8])], [mx.nd.array(GOLDEN["y"][:8])]), is_train=False)
    per_ctx = m.get_outputs(merge_multi_context=False)[0]
    assert [o.shape for o in per_ctx] == [(2, 3), (6, 3)]
    assert [o.context for o in per_ctx] == CTXS


def test_without_kvstore_devices_update_alone_and_get_params_averages():
    # kvstore=None: no gradient is shared, each device steps on its own slice (as MXNet)
    x, y = GOLDEN["x"][:8], GOLDEN["y"][:8]
    m = mod.Module(mlp(), context=CTXS)
    m.bind([("data", (8, 5))], [("softmax_label", (8,))])
    m.init_params(arg_params=init_params())
    m.init_optimizer(kvstore=None, optimizer_params={"learning_rate": 0.1})
    assert m._kvstore is None and not m._update_on_kvstore
    assert m._optimizer.idx2name[1] == "fc1_weight" and m._optimizer.idx2name[2] == "fc1_bias"
    m.forward_backward(DataBatch([mx.nd.array(x)], [mx.nd.array(y)]))
    m.update()
    copies = m._exec_group.param_arrays[0]
    w0, w1 = copies[0].asnumpy(), copies[1].asnumpy()
    assert not np.allclose(w0, w1)
    np.testing.assert_allclose(m.get_params()[0]["fc1_weight"].asnumpy(), (w0 + w1) / 2, rtol=1e-6)


def test_split_input_slice():
    assert split_input_slice(8, [1, 3]) == [slice(0, 2), slice(2, 8)]
    assert split_input_slice(7, [1, 1, 1]) == [slice(0, 2), slice(2, 4), slice(4, 7)]
    with pytest.raises(ValueError, match="Too many slices"):
        split_input_slice(1, [1, 1])
