"""The inference convolution (``ops/nn/_conv_infer.py``) and the executor's inference pass
(``graph/fold_bn.py``): BatchNorm folded into the convolution, ReLU fused.

Kernel: every path of the fused convolution (the compiled depthwise kernel, the 1x1 GEMMs
per image and over a batch-last copy, the generic path, the NumPy fallbacks) on every
geometry of ``tests/test_conv_paths.py`` and a set of depthwise ones that reach each branch
of the phase-plane kernel, against the loop reference plus bias and ReLU.

Executor: a folded inference executor gives the unfused graph's outputs (within float32
rounding), follows every later change of weights, BatchNorm parameters and statistics,
runs the unfused graph for training-mode forwards and monitors, and never fuses a value
the caller can see (``get_internals``).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import mxpy as mx
from mxpy import cpu, registry
from mxpy.engine.var import Var, mark_aliased, write_count
from mxpy.ops.nn import _compiled
from mxpy.ops.nn import _conv_infer as ci
from mxpy.ops.nn import convolution as conv
from tests.battery import f32
from tests.battery.conv_pool import conv_ref
from tests.test_conv_paths import GEOMETRIES

BIG = 10**9


def _has_numba() -> bool:
    """The compiled kernels are there (the numba extra, and MXPY_NUMBA not 0)."""
    return _compiled.load("conv_infer") is not None


# path -> settings of mxpy.ops.nn._conv_infer (and convolution) that force it
PATHS = {
    "compiled": {"_COMPILED": True},
    "numpy": {"_COMPILED": False},
    "pointwise_per_image": {"_COMPILED": True, "_POINTWISE_MIN_POSITIONS": 0},
    "pointwise_batch_last": {"_COMPILED": True, "_POINTWISE_MIN_POSITIONS": BIG},
    "pointwise_batch_last_numpy": {"_COMPILED": False, "_POINTWISE_MIN_POSITIONS": BIG},
}

# depthwise geometries reaching each branch of the phase-plane kernel: strides 1-3, even and
# odd sizes, pads 0-2, dilation with stride, 2 filters per channel, wide rows (the row-by-row
# 3x3 branch from 56 columns), several row blocks (more than 4096 accumulator elements), 5x5,
# the paired copy of stride-2 rows
DEPTHWISE = [
    ((2, 3, 9, 8), 3, {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1)}),
    ((2, 3, 8, 9), 3, {"kernel": (3, 3), "stride": (2, 2), "pad": (0, 0)}),
    ((1, 2, 7, 7), 2, {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1)}),
    ((1, 2, 11, 10), 2, {"kernel": (3, 3), "stride": (3, 2), "pad": (2, 1), "dilate": (2, 1)}),
    ((1, 2, 10, 11), 4, {"kernel": (3, 3), "stride": (1, 2), "pad": (1, 2), "dilate": (1, 2)}),
    ((2, 2, 6, 60), 2, {"kernel": (3, 3), "pad": (1, 1)}),
    ((1, 2, 6, 121), 2, {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1)}),
    ((1, 2, 6, 58), 2, {"kernel": (3, 3), "pad": (0, 0)}),
    ((1, 2, 180, 30), 2, {"kernel": (3, 3), "pad": (1, 1)}),
    ((1, 2, 150, 40), 2, {"kernel": (5, 3), "stride": (2, 1), "pad": (2, 1)}),
    ((2, 3, 9, 9), 3, {"kernel": (5, 5), "pad": (2, 2)}),
    ((2, 3, 5, 6), 3, {"kernel": (1, 1), "stride": (2, 2)}),
    ((1, 4, 3, 3), 4, {"kernel": (3, 3), "stride": (2, 2), "pad": (2, 2)}),
    # stride 2 along even-width rows: the paired 64-bit copy into the phase planes, pads 0-2
    ((1, 2, 6, 10), 2, {"kernel": (3, 3), "stride": (2, 2)}),
    ((1, 2, 7, 12), 2, {"kernel": (3, 3), "stride": (2, 2), "pad": (2, 2)}),
    ((1, 2, 9, 14), 2, {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "dilate": (2, 2)}),
]
ALL = GEOMETRIES + DEPTHWISE


def _case(geom: int, dtype=np.float32):
    shape, f, extra = ALL[geom]
    g = extra.get("num_group", 1) if geom < len(GEOMETRIES) else shape[1]
    params = {"num_filter": f, **extra}
    if geom >= len(GEOMETRIES):
        params["num_group"] = g
    x = f32(*shape, seed=geom).astype(dtype)
    w = f32(f, shape[1] // g, *extra["kernel"], seed=geom + 50).astype(dtype)
    b = f32(f, seed=geom + 90).astype(dtype)
    return params, x, w, b


@functools.cache
def _reference(geom: int, bias: bool) -> np.ndarray:
    params, x, w, b = _case(geom)
    return conv_ref(x, w, b if bias else None, **params)


def _fused(params: dict, ins: list, relu: bool, req: str = "write", fill=np.nan, out=None):
    attrs = {k: str(v) for k, v in params.items()}
    attrs["act_type"] = "relu" if relu else "None"
    attrs["no_bias"] = str(len(ins) == 2)
    p = ci.CONV_ACT.parse(attrs)
    geo, out_sp = conv.conv_geometry(p, ins[0].shape)
    if out is None:
        out = np.full((ins[0].shape[0], params["num_filter"], *out_sp), fill, ins[0].dtype)
    ci.CONV_ACT.kernel(p, ins, [out], (req,), registry.runtime(cpu(), False))
    return out


@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("path", sorted(PATHS))
@pytest.mark.parametrize("geom", range(len(ALL)))
def test_fused_conv_paths(monkeypatch, geom, path, bias, relu):
    if PATHS[path]["_COMPILED"] and not _has_numba():
        pytest.skip("the compiled paths need the numba extra")
    for attr, value in PATHS[path].items():
        monkeypatch.setattr(ci, attr, value)
    params, x, w, b = _case(geom)
    want = _reference(geom, bias)
    if relu:
        want = np.maximum(want, 0)
    got = _fused(params, [x, w, b] if bias else [x, w], relu)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("geom", range(len(GEOMETRIES), len(ALL)))
def test_compiled_depthwise_float64(monkeypatch, geom):
    """In float64 the compiled depthwise kernel equals the loop reference to rounding."""
    if not _has_numba():
        pytest.skip("the compiled paths need the numba extra")
    params, x, w, b = _case(geom, np.float64)
    want = np.maximum(conv_ref(x, w, b, **params), 0)
    calls = []
    real = ci._kernels().depthwise
    monkeypatch.setattr(ci._kernels(), "depthwise", lambda *a: calls.append(1) or real(*a))
    got = _fused(params, [x, w, b], True)
    assert calls, "the compiled depthwise kernel was not taken"
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("compiled", [False, True])
def test_fused_conv_add_and_overlap(monkeypatch, compiled):
    if compiled and not _has_numba():
        pytest.skip("the compiled paths need the numba extra")
    monkeypatch.setattr(ci, "_COMPILED", compiled)
    for geom in (7, len(GEOMETRIES)):  # a 1x1 layer and a depthwise one
        params, x, w, b = _case(geom)
        want = np.maximum(conv_ref(x, w, b, **params), 0)
        got = _fused(params, [x, w, b], True, req="add", fill=1.0)
        np.testing.assert_allclose(got, want + 1, rtol=1e-4, atol=1e-5)
        assert _fused(params, [x, w, b], True, req="null", fill=2.0).max() == 2.0
    # an output that is the data itself (same shape: 1x1 layer, as many filters as channels)
    x = f32(2, 3, 4, 5, seed=1)
    w, b = f32(3, 3, 1, 1, seed=2), f32(3, seed=3)
    want = np.maximum(conv_ref(x, w, b, kernel=(1, 1), num_filter=3), 0)
    got = _fused({"kernel": (1, 1), "num_filter": 3}, [x, w, b], True, out=x)
    assert got is x
    np.testing.assert_allclose(x, want, rtol=1e-4, atol=1e-5)


def test_fused_relu_keeps_nan():
    params, x, w, b = _case(7)
    x[0, 0, 0, 0] = np.nan
    for compiled in (False, True) if _has_numba() else (False,):
        ci._COMPILED = compiled
        try:
            got = _fused(params, [x, w, b], True)
        finally:
            ci._COMPILED = True
        assert np.isnan(got[0, :, 0, 0]).all() and not np.isnan(got[1]).any()


def test_fold_weights_matches_batchnorm():
    rng = np.random.RandomState(0)
    w, bias = rng.randn(4, 3, 3, 3), rng.randn(4)
    gamma, beta, mean, var = rng.randn(4), rng.randn(4), rng.randn(4), rng.rand(4) + 0.5
    x = rng.randn(2, 4, 5, 5)  # a conv output
    for fix_gamma in (False, True):
        wo, bo = np.empty_like(w), np.empty(4)
        ci.fold_weights(np, w, bias, gamma, beta, mean, var, 1e-3, fix_gamma, wo, bo)
        g = np.ones(4) if fix_gamma else gamma
        s = g / np.sqrt(var + 1e-3)
        np.testing.assert_allclose(wo, w * s[:, None, None, None], rtol=1e-14)
        # BatchNorm(conv + bias) == conv * s + folded bias, per channel
        c = (np.arange(4) + 0.0).reshape(1, 4, 1, 1) * x
        bn = (c + bias.reshape(1, 4, 1, 1) - mean.reshape(1, 4, 1, 1)) * s.reshape(1, 4, 1, 1) + beta.reshape(1, 4, 1, 1)
        np.testing.assert_allclose(c * s.reshape(1, 4, 1, 1) + bo.reshape(1, 4, 1, 1), bn, rtol=1e-12, atol=1e-12)


def test_write_count_of_aliased_var():
    v = Var()
    assert write_count(v) == 0
    mark_aliased(v)
    assert write_count(v) is None


# -- the executor's pass -------------------------------------------------------------------------


def _net(conv_bias: bool = False, fix_gamma: bool = False, extra_relu: bool = True):
    """A small MobileNet-style net plus a residual block (BatchNorm without ReLU feeding an add)."""
    x = mx.sym.Variable("data")

    def cbr(x, nf, kernel, stride, pad, group, name, relu=True):
        x = mx.sym.Convolution(x, num_filter=nf, kernel=kernel, stride=stride, pad=pad, num_group=group, no_bias=not conv_bias, name=name + "_conv")
        x = mx.sym.BatchNorm(x, fix_gamma=fix_gamma, eps=1e-5, name=name + "_bn")
        return mx.sym.Activation(x, act_type="relu", name=name + "_relu") if relu else x

    x = cbr(x, 8, (3, 3), (2, 2), (1, 1), 1, "c0")
    x = cbr(x, 8, (3, 3), (1, 1), (1, 1), 8, "dw0")
    x = cbr(x, 16, (1, 1), (1, 1), (0, 0), 1, "pw0")
    x = cbr(x, 16, (3, 3), (2, 2), (1, 1), 16, "dw1")
    y = cbr(x, 16, (3, 3), (1, 1), (1, 1), 1, "res", relu=False)
    x = mx.sym.Activation(x + y, act_type="relu", name="add_relu")
    if extra_relu:  # a convolution with a ReLU and no BatchNorm
        x = mx.sym.Activation(mx.sym.Convolution(x, num_filter=8, kernel=(1, 1), name="plain"), act_type="relu", name="plain_relu")
    x = mx.sym.Pooling(x, global_pool=True, kernel=(1, 1), pool_type="avg", name="gp")
    return mx.sym.FullyConnected(mx.sym.Flatten(x), num_hidden=5, name="fc")


SHAPE = (3, 3, 16, 16)


def _fill(ex, seed: int = 0) -> None:
    rng = np.random.RandomState(seed)
    for name, arr in ex.arg_dict.items():
        if name.endswith("gamma") or name.endswith("var"):
            arr[:] = rng.uniform(0.5, 1.5, arr.shape)
        else:
            arr[:] = rng.uniform(-1, 1, arr.shape)
    for name, arr in ex.aux_dict.items():
        arr[:] = rng.uniform(0.5, 1.5, arr.shape) if name.endswith("var") else rng.uniform(-0.3, 0.3, arr.shape)


def _pair(monkeypatch, sym, **kw):
    """A folded executor and an unfused one (MXNET_SUBGRAPH_BACKEND=NONE) with equal values."""
    ex = sym.simple_bind(mx.cpu(), grad_req="null", data=SHAPE, **kw)
    monkeypatch.setenv("MXNET_SUBGRAPH_BACKEND", "NONE")
    ref = sym.simple_bind(mx.cpu(), grad_req="null", data=SHAPE, **kw)
    monkeypatch.delenv("MXNET_SUBGRAPH_BACKEND")
    assert ex._folded is not None and ref._folded is None
    _fill(ex)
    _fill(ref)
    return ex, ref


def _close(a, b, tol=2e-5):
    a, b = a.asnumpy(), b.asnumpy()
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol * max(1.0, float(np.abs(b).max())))


@pytest.mark.parametrize("conv_bias", [False, True])
@pytest.mark.parametrize("fix_gamma", [False, True])
def test_folded_executor_equals_unfused(monkeypatch, conv_bias, fix_gamma):
    ex, ref = _pair(monkeypatch, _net(conv_bias, fix_gamma))
    fused = [st.name for st in ex._fwd_steps]
    # every conv of the net became one fused node; the BatchNorms and their ReLUs are gone
    assert fused.count("_conv_bn_act") == 6 and "BatchNorm" not in fused and fused[0] == "_fold_batchnorm"
    assert fused.count("Activation") == 1  # the ReLU after the residual add stays
    aux_before = {k: v.asnumpy() for k, v in ex.aux_dict.items()}
    for seed in range(2):
        x = np.random.RandomState(10 + seed).randn(*SHAPE)
        _close(ex.forward(is_train=False, data=x)[0], ref.forward(is_train=False, data=x)[0])
    for k, v in ex.aux_dict.items():  # inference leaves the statistics alone
        np.testing.assert_array_equal(v.asnumpy(), aux_before[k])


def test_folded_executor_follows_parameter_changes(monkeypatch):
    ex, ref = _pair(monkeypatch, _net())
    x = np.random.RandomState(1).randn(*SHAPE)
    out = ex.forward(data=x)[0].asnumpy()
    rng = np.random.RandomState(5)
    changes = [
        ("arg", "pw0_conv_weight"),
        ("arg", "dw0_bn_gamma"),
        ("arg", "res_bn_beta"),
        ("aux", "c0_bn_moving_mean"),
        ("aux", "dw1_bn_moving_var"),
    ]
    for kind, name in changes:
        new = rng.uniform(0.5, 1.5, ex.arg_dict[name].shape if kind == "arg" else ex.aux_dict[name].shape)
        for e in (ex, ref):
            (e.arg_dict if kind == "arg" else e.aux_dict)[name][:] = new
        got = ex.forward(data=x)[0]
        _close(got, ref.forward(data=x)[0])
        assert not np.allclose(got.asnumpy(), out), f"changing {name} changed nothing"
        out = got.asnumpy()
    # copy_params_from, as Module.set_params does
    arg = {k: mx.nd.array(rng.randn(*v.shape)) for k, v in ex.arg_dict.items() if k != "data"}
    aux = {k: mx.nd.array(rng.uniform(0.5, 1.5, v.shape)) for k, v in ex.aux_dict.items()}
    for e in (ex, ref):
        e.copy_params_from(arg, aux)
    _close(ex.forward(data=x)[0], ref.forward(data=x)[0])


def test_folded_executor_training_forward_and_monitor(monkeypatch):
    ex, ref = _pair(monkeypatch, _net())
    x = np.random.RandomState(2).randn(*SHAPE)
    # training mode: batch statistics, the unfused graph, writing the same output array
    out = ex.outputs[0]
    _close(ex.forward(is_train=True, data=x)[0], ref.forward(is_train=True, data=x)[0])
    assert ex.outputs[0] is out
    for k in ex.aux_dict:  # the moving statistics moved alike (the unfused graph updated them)
        _close(ex.aux_dict[k], ref.aux_dict[k])
    # and inference afterwards folds the updated statistics
    _close(ex.forward(is_train=False, data=x)[0], ref.forward(is_train=False, data=x)[0])
    seen: dict = {}
    ex.set_monitor_callback(lambda name, arr: seen.__setitem__(name, arr.asnumpy()))
    want: dict = {}
    ref.set_monitor_callback(lambda name, arr: want.__setitem__(name, arr.asnumpy()))
    ex.forward(is_train=False, data=x)
    ref.forward(is_train=False, data=x)
    mx.nd.waitall()
    assert "pw0_bn_output" in seen and "pw0_conv_output" in seen and set(seen) == set(want)
    for k in want:
        np.testing.assert_allclose(seen[k], want[k], rtol=1e-5, atol=1e-5)


def test_internals_are_not_fused(monkeypatch):
    net = _net()
    internals = net.get_internals()
    sym = mx.sym.Group([internals["pw0_conv_output"], internals["dw1_bn_output"], net])
    ex, ref = _pair(monkeypatch, sym)
    x = np.random.RandomState(3).randn(*SHAPE)
    for a, b in zip(ex.forward(data=x), ref.forward(data=x)):
        _close(a, b)
    steps = {st.node.name: st for st in ex._fwd_steps}
    # pw0's convolution output is an output: pw0 stays unfused; dw1's BatchNorm output is one:
    # its BatchNorm is folded (the fused node writes that output), its ReLU stays apart
    assert steps["pw0_conv"].name == "Convolution" and steps["pw0_bn"].name == "BatchNorm"
    assert steps["dw1_conv"].name == "_conv_bn_act" and steps["dw1_relu"].name == "Activation"
    assert steps["dw0_conv"].name == "_conv_bn_act" and "dw0_relu" not in steps


def test_no_fold_with_gradients_or_mean_var_outputs():
    sym = _net()
    ex = sym.simple_bind(mx.cpu(), grad_req="write", data=SHAPE)
    assert ex._folded is None
    x = mx.sym.Convolution(mx.sym.Variable("data"), num_filter=4, kernel=(3, 3), no_bias=True, name="c")
    bn = mx.sym.BatchNorm(x, output_mean_var=True, name="bn")
    ex = mx.sym.Group([bn[0], bn[1]]).simple_bind(mx.cpu(), grad_req="null", data=SHAPE)
    assert ex._folded is None


def test_gluon_hybridized_inference_is_folded():
    net = mx.gluon.nn.HybridSequential()
    net.add(mx.gluon.nn.Conv2D(8, 3, padding=1), mx.gluon.nn.BatchNorm(), mx.gluon.nn.Activation("relu"))
    net.add(mx.gluon.nn.Conv2D(8, 3, padding=1, groups=8, use_bias=False), mx.gluon.nn.BatchNorm(), mx.gluon.nn.Activation("relu"))
    net.add(mx.gluon.nn.GlobalAvgPool2D(), mx.gluon.nn.Dense(4))
    net.initialize(mx.init.Xavier())
    x = mx.nd.array(np.random.RandomState(4).randn(*SHAPE))
    net(x)  # deferred initialisation
    rng = np.random.RandomState(6)

    def shuffle(which: str) -> None:
        for name, p in net.collect_params().items():
            if which in name:
                p.set_data(mx.nd.array(rng.uniform(0.5, 1.5, p.shape)))

    shuffle("running_var")
    shuffle("gamma")
    want = net(x).asnumpy()
    net.hybridize()
    np.testing.assert_allclose(net(x).asnumpy(), want, rtol=1e-4, atol=1e-5)
    bound = next(b for lst in net._cached_op._pool.values() for b in lst)
    assert bound.ex._folded is not None
    shuffle("running_mean")  # set after the executor was bound: picked up
    got = net(x).asnumpy()
    assert not np.allclose(got, want)
    with mx.autograd.train_mode():  # training mode: batch statistics, through the unfused graph
        train_out = net(x).asnumpy()
    net.hybridize(active=False)
    np.testing.assert_allclose(got, net(x).asnumpy(), rtol=1e-4, atol=1e-5)
    with mx.autograd.train_mode():
        np.testing.assert_allclose(train_out, net(x).asnumpy(), rtol=1e-4, atol=1e-5)
