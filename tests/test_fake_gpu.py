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


# -- training on the device ----------------------------------------------------------------


def _mlp():
    data = mx.sym.Variable("data")
    h = mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=8, name="fc1"), act_type="relu")
    return mx.sym.SoftmaxOutput(mx.sym.FullyConnected(h, num_hidden=3, name="fc2"), name="softmax")


def _batch(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((4, 5)).astype(np.float32)
    y = rng.integers(0, 3, 4).astype(np.float32)
    return mx.io.DataBatch([mx.nd.array(x)], [mx.nd.array(y)])


def _module(ctx):
    mod = mx.mod.Module(_mlp(), context=ctx)
    mod.bind(data_shapes=[("data", (4, 5))], label_shapes=[("softmax_label", (4,))])
    mx.random.seed(1)
    mod.init_params(initializer=mx.init.Xavier())
    mod.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.1, "momentum": 0.9, "wd": 1e-3})
    return mod


def test_module_training_on_the_device_agrees_with_cpu():
    ref, dev = _module(mx.cpu()), _module(mx.gpu(0))
    arg, aux = ref.get_params()
    dev.set_params(arg, aux)
    for mod in (ref, dev):
        for step in range(3):
            mod.forward_backward(_batch(step))
            mod.update()
    assert all(_is_device(a) for a in dev._exec_group.execs[0].arg_arrays)
    got, want = dev.get_params()[0], ref.get_params()[0]
    assert set(got) == set(want) == {"fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias"}
    for k in want:
        np.testing.assert_allclose(got[k].asnumpy(), want[k].asnumpy(), rtol=1e-5, atol=1e-6, err_msg=k)
    np.testing.assert_allclose(dev.get_outputs()[0].asnumpy(), ref.get_outputs()[0].asnumpy(), rtol=1e-5, atol=1e-6)


def test_a_bound_training_step_copies_only_the_batch():
    mod = _module(mx.gpu(0))
    mod.forward_backward(_batch(0))  # the first step may set up optimizer state
    mod.update()
    batch = _batch(1)
    mx.nd.waitall()
    with fake_gpu.counting() as c:
        mod.forward_backward(batch)
        mod.update()
        mx.nd.waitall()
    # data (4x5 float32) and label (4 float32) go to the device; parameters, gradients,
    # optimizer state and outputs stay there
    assert (c["h2d"], c["h2d_bytes"], c["d2h"]) == (2, 4 * 5 * 4 + 4 * 4, 0)


def test_gluon_trainer_step_on_the_device_agrees_with_cpu():
    from mxpy import autograd, gluon

    def make(ctx):
        net = gluon.nn.HybridSequential()
        net.add(gluon.nn.Dense(6, activation="relu", in_units=5), gluon.nn.Dense(2, in_units=6))
        net.initialize(mx.init.Constant(0.1), ctx=ctx)
        return net, gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.01})

    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((8, 5)).astype(np.float32), rng.standard_normal((8, 2)).astype(np.float32)
    w0 = rng.standard_normal((6, 5)).astype(np.float32)
    loss_fn = gluon.loss.L2Loss()
    results = []
    for ctx in (mx.cpu(), mx.gpu(0)):
        net, trainer = make(ctx)
        net[0].weight.set_data(mx.nd.array(w0))  # a host array: set_data copies it to the parameter's device
        for _ in range(2):
            xb, yb = mx.nd.array(x, ctx=ctx), mx.nd.array(y, ctx=ctx)
            with autograd.record():
                loss = loss_fn(net(xb), yb)
            loss.backward()
            trainer.step(8)
        params = list(net.collect_params().values())
        assert len(params) == 4 and all(_is_device(p.data(ctx)) == (ctx == mx.gpu(0)) for p in params)
        results.append([p.data(ctx).asnumpy() for p in params])
    for got, want in zip(results[1], results[0]):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert not np.allclose(results[1][0], w0)  # the step moved the weights


def test_a_gluon_training_step_copies_only_the_batch():
    from mxpy import autograd, gluon

    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(6, activation="relu", in_units=5), gluon.nn.Dense(2, in_units=6))
    net.initialize(mx.init.Xavier(), ctx=mx.gpu(0))
    net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9})
    loss_fn = gluon.loss.L2Loss()
    x, y = mx.nd.ones((8, 5)), mx.nd.zeros((8, 2))  # the batch arrives on the host

    def step():
        with autograd.record():
            loss = loss_fn(net(x.as_in_context(mx.gpu(0))), y.as_in_context(mx.gpu(0)))
        loss.backward()
        trainer.step(8)

    step()
    mx.nd.waitall()
    with fake_gpu.counting() as c:
        step()
        mx.nd.waitall()
    assert (c["h2d"], c["h2d_bytes"], c["d2h"]) == (2, 8 * 5 * 4 + 8 * 2 * 4, 0)


def test_without_the_fake_backend_gpu_needs_cupy():
    try:
        import cupy  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("CuPy is installed: gpu(i) uses it")
    fake_gpu.disable()
    try:
        assert mx.context.num_gpus() == 0 and list(mx.test_utils.list_gpus()) == []
        with pytest.raises(mx.base.MXNetError, match="CuPy is not installed"):
            mx.context.gpu_memory_info(0)
        with pytest.raises(mx.base.MXNetError, match="CuPy is not installed"):
            mx.nd.ones((1,), ctx=mx.gpu(0))
    finally:
        fake_gpu.enable(2)
    assert _is_device(mx.nd.ones((1,), ctx=mx.gpu(0)))


def test_env_var_turns_the_fake_backend_on():
    import os
    import subprocess
    import sys

    code = "import mxpy as mx; x = mx.nd.ones((2,), ctx=mx.gpu(1)); print(mx.context.num_gpus(), type(x._data).__name__, x.asnumpy().sum())"
    env = dict(os.environ, MXPY_FAKE_GPU="2")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True).stdout.split()
    assert out == ["2", "FakeDeviceArray", "2.0"]
    env["MXPY_FAKE_GPU"] = "two"
    bad = subprocess.run([sys.executable, "-c", "import mxpy"], env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "MXPY_FAKE_GPU must be a number" in bad.stderr


def test_module_over_two_gpus_with_device_kvstore_agrees_with_cpu():
    data = mx.sym.Variable("data")
    sym = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(data, num_hidden=3, name="fc"), name="softmax")
    rng = np.random.default_rng(0)
    batch = mx.io.DataBatch([mx.nd.array(rng.standard_normal((4, 5)))], [mx.nd.array([0, 1, 2, 1])])
    weights = []
    for ctxs in ([mx.cpu()], [mx.gpu(0), mx.gpu(1)]):
        mod = mx.mod.Module(sym, context=ctxs)
        mod.bind(data_shapes=[("data", (4, 5))], label_shapes=[("softmax_label", (4,))])
        mod.init_params(mx.init.Constant(0.1))
        mod.init_optimizer(kvstore="device", optimizer="sgd", optimizer_params={"learning_rate": 0.5})
        mod.forward_backward(batch)
        mod.update()
        weights.append(mod.get_params()[0]["fc_weight"].asnumpy())
    assert [e.arg_dict["fc_weight"].context for e in mod._exec_group.execs] == [mx.gpu(0), mx.gpu(1)]
    assert not np.allclose(weights[0], 0.1)
    np.testing.assert_allclose(weights[1], weights[0], rtol=1e-5, atol=1e-6)


def test_gluon_split_and_load_over_two_gpus():
    from mxpy import autograd, gluon

    ctxs = [mx.gpu(0), mx.gpu(1)]
    net = gluon.nn.Dense(2, in_units=3)
    net.initialize(mx.init.One(), ctx=ctxs)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1}, kvstore="device")
    parts = gluon.utils.split_and_load(mx.nd.arange(12).reshape((4, 3)), ctxs)
    assert [p.context for p in parts] == ctxs and all(_is_device(p) for p in parts)
    with autograd.record():
        losses = [net(x).sum() for x in parts]
    for loss in losses:
        loss.backward()
    trainer.step(4)
    # d(sum of outputs)/dW = the column sums of the whole batch, for each of the 2 output rows
    want = 1 - 0.1 * np.arange(12).reshape((4, 3)).sum(axis=0) / 4
    for ctx in ctxs:
        np.testing.assert_allclose(net.weight.data(ctx).asnumpy(), np.tile(want, (2, 1)), rtol=1e-6)
