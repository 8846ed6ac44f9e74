"""Convolution, Deconvolution and Pooling: golden MXNet 1.9.1 values, gradients, errors.

``tests/golden/conv_pool.json`` comes from ``tests/golden/make_conv_pool.py``
(run with the MXNet reference interpreter): forward outputs and input gradients
for LeNet-like, grouped, depthwise, dilated, 1-D and 3-D convolutions,
deconvolutions with adj/target_shape/groups, and max/avg/sum/lp pooling with
valid/full conventions, padding, count_include_pad and global pooling, plus the
calls MXNet rejects.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import mxpy as mx
from mxpy import registry
from mxpy.base import MXNetError
from tests.battery.conv_pool import conv_ref, deconv_ref, pool_ref
from tests.gradcheck import check_gradient

GOLDEN = json.loads((Path(__file__).parent / "golden" / "conv_pool.json").read_text())["cases"]
OK = [c for c in GOLDEN if "error" not in c]
BAD = [c for c in GOLDEN if "error" in c]


def inp(shape, k=0, ties=False):
    """The generator's deterministic inputs (see make_conv_pool.py)."""
    n = int(np.prod(shape))
    if ties:
        v = ((np.arange(n) * 7 + 3 * k) % 5) - 2.0
    else:
        v = ((((np.arange(n) * 7 + 3 * k) % 23) - 11) * 0.25) + 0.01 * ((np.arange(n) * 3 + k) % 7)
    return v.reshape(shape).astype("float32")


def _params(c):
    return {k: tuple(v) if isinstance(v, list) else v for k, v in c["params"].items()}


def _cid(c):
    return f"{c['op']}-{c['note'] or ','.join(f'{k}={v}' for k, v in c['params'].items())}"


def _autograd_run(case):
    """The case's op on its golden inputs under autograd, backward with the golden head
    gradient; returns the output and the input arrays (their ``.grad`` filled)."""
    arrays = [mx.nd.array(inp(s, k=i, ties=case["ties"])) for i, s in enumerate(case["shapes"])]
    for a in arrays:
        a.attach_grad()
    with mx.autograd.record():
        out = getattr(mx.nd, case["op"])(*arrays, **_params(case))
    out.backward(mx.nd.array(inp(out.shape, k=9)))
    return out, arrays


@pytest.mark.parametrize("case", OK, ids=_cid)
def test_golden_autograd(case):
    out, arrays = _autograd_run(case)
    assert list(out.shape) == case["out_shape"]
    if case.get("forward_inconsistent"):
        # MXNet's own forward is not the adjoint of its data gradient here; ours is
        lhs = float((out.asnumpy().astype(np.float64) * inp(out.shape, k=9)).sum())
        rhs = float((arrays[0].asnumpy().astype(np.float64) * np.asarray(case["grads"][0]).reshape(arrays[0].shape)).sum())
        np.testing.assert_allclose(lhs, rhs, rtol=1e-4)
    else:
        np.testing.assert_allclose(out.asnumpy().ravel(), case["out"], rtol=1e-4, atol=1e-4)
    for a, g in zip(arrays, case["grads"]):
        np.testing.assert_allclose(a.grad.asnumpy().ravel(), g, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("case", [c for c in OK if c["note"] in ("LeNet conv1-like", "adj", "avg full pad", "max overlapping ties")], ids=_cid)
def test_golden_symbolic(case):
    """The executor path (simple_bind, forward, backward) gives the same values."""
    names = ["data", "weight", "bias"][: len(case["shapes"])]
    syms = [mx.sym.Variable(n) for n in names]
    net = getattr(mx.sym, case["op"])(*syms, **_params(case))
    ex = net.simple_bind(mx.cpu(), **{n: tuple(s) for n, s in zip(names, case["shapes"])})
    for i, n in enumerate(names):
        ex.arg_dict[n][:] = inp(case["shapes"][i], k=i, ties=case["ties"])
    out = ex.forward(is_train=True)[0]
    ex.backward(mx.nd.array(inp(out.shape, k=9)))
    np.testing.assert_allclose(out.asnumpy().ravel(), case["out"], rtol=1e-4, atol=1e-4)
    for n, g in zip(names, case["grads"]):
        np.testing.assert_allclose(ex.grad_dict[n].asnumpy().ravel(), g, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("case", [c for c in OK if c["op"] == "Convolution"], ids=_cid)
def test_golden_through_batch_last_paths(case, monkeypatch):
    """Wide layers (C*K >= 128) take batch-last columns in the forward and for the weight
    gradient; forced onto every golden case, those paths give MXNet's values too."""
    from mxpy.ops.nn import _im2col, convolution

    calls = []
    real = _im2col.conv_nlast
    monkeypatch.setattr(convolution, "_NLAST_MIN_INNER", 0)
    monkeypatch.setattr(_im2col, "conv_nlast", lambda *a: calls.append(1) or real(*a))
    out, arrays = _autograd_run(case)  # a Convolution case
    np.testing.assert_allclose(out.asnumpy().ravel(), case["out"], rtol=1e-4, atol=1e-4)
    for a, g in zip(arrays, case["grads"]):
        np.testing.assert_allclose(a.grad.asnumpy().ravel(), g, rtol=1e-4, atol=1e-4)
    assert calls == ([1] if case["params"].get("num_group", 1) == 1 else [])  # grouped forwards keep the per-group path
    # channel-last: the forward writes through the transposed output view
    if len(case["shapes"][0]) == 4 and case["params"].get("num_group", 1) == 1:
        x = arrays[0].asnumpy().transpose(0, 2, 3, 1)
        w = arrays[1].asnumpy().transpose(0, 2, 3, 1)
        rest = [mx.nd.array(x), mx.nd.array(w), *[mx.nd.array(a.asnumpy()) for a in arrays[2:]]]
        got = mx.nd.Convolution(*rest, layout="NHWC", **_params(case)).asnumpy().transpose(0, 3, 1, 2)
        np.testing.assert_allclose(got.ravel(), case["out"], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("ratio", [0, 10**9], ids=["per_image", "one_gemm"])
@pytest.mark.parametrize("case", [c for c in OK if c["op"] == "Convolution"], ids=_cid)
def test_golden_narrow_weight_grad_both_ways(case, ratio, monkeypatch):
    """Narrow layers take the weight gradient from per-image GEMMs or from one GEMM
    (chosen by F/num_group against the output size); both give MXNet's values."""
    from mxpy.ops.nn import convolution

    monkeypatch.setattr(convolution, "_PER_IMAGE_MIN_RATIO", ratio)
    out, arrays = _autograd_run(case)  # a Convolution case
    np.testing.assert_allclose(arrays[1].grad.asnumpy().ravel(), case["grads"][1], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("case", BAD, ids=_cid)
def test_golden_errors(case):
    arrays = [mx.nd.array(inp(s, k=i)) for i, s in enumerate(case["shapes"])]
    with pytest.raises(MXNetError, match=case["op"]):
        getattr(mx.nd, case["op"])(*arrays, **_params(case)).wait_to_read()


def _r(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


CONV_GRADS = [
    ([_r(1, 2, 5, 4), _r(3, 2, 3, 2, seed=1), _r(3, seed=2)], {"kernel": (3, 2), "num_filter": 3}),
    ([_r(2, 2, 5, 5), _r(2, 2, 3, 3, seed=1), _r(2, seed=2)], {"kernel": (3, 3), "num_filter": 2, "stride": (2, 2), "pad": (1, 1)}),
    ([_r(1, 4, 5, 5), _r(4, 2, 2, 2, seed=1)], {"kernel": (2, 2), "num_filter": 4, "num_group": 2, "dilate": (2, 1), "no_bias": True}),
    ([_r(2, 2, 7), _r(2, 2, 3, seed=1), _r(2, seed=2)], {"kernel": (3,), "num_filter": 2, "stride": (2,), "dilate": (2,), "pad": (1,)}),
    ([_r(1, 2, 3, 4, 3), _r(2, 2, 2, 2, 2, seed=1), _r(2, seed=2)], {"kernel": (2, 2, 2), "num_filter": 2, "stride": (1, 2, 1), "pad": (1, 0, 0)}),
]


@pytest.mark.parametrize("ins,params", CONV_GRADS, ids=lambda v: str(v) if isinstance(v, dict) else "")
def test_convolution_gradient(ins, params):
    check_gradient("Convolution", ins, params)


DECONV_GRADS = [
    ([_r(1, 2, 3, 3), _r(2, 2, 3, 2, seed=1)], {"kernel": (3, 2), "num_filter": 2}),
    (
        [_r(2, 2, 3, 2), _r(2, 2, 3, 3, seed=1), _r(2, seed=2)],
        {"kernel": (3, 3), "num_filter": 2, "stride": (2, 2), "pad": (1, 1), "adj": (1, 1), "no_bias": False},
    ),
    ([_r(1, 4, 2, 3), _r(4, 1, 2, 2, seed=1)], {"kernel": (2, 2), "num_filter": 2, "num_group": 2, "stride": (2, 2), "dilate": (2, 1), "target_shape": (5, 6)}),
    ([_r(2, 2, 4), _r(2, 2, 3, seed=1)], {"kernel": (3,), "num_filter": 2, "stride": (3,), "adj": (2,), "pad": (1,)}),
    ([_r(1, 2, 2, 2, 2), _r(2, 1, 2, 2, 2, seed=1)], {"kernel": (2, 2, 2), "num_filter": 1, "stride": (2, 1, 1)}),
]


@pytest.mark.parametrize("ins,params", DECONV_GRADS, ids=lambda v: str(v) if isinstance(v, dict) else "")
def test_deconvolution_gradient(ins, params):
    check_gradient("Deconvolution", ins, params)


POOL_GRADS = [
    {"kernel": (2, 2), "stride": (2, 2)},
    {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "pooling_convention": "full"},
    {"kernel": (3, 2), "stride": (1, 2), "pad": (1, 1), "pool_type": "avg"},
    {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "pool_type": "avg", "count_include_pad": False, "pooling_convention": "full"},
    {"kernel": (2, 3), "stride": (2, 1), "pad": (1, 0), "pool_type": "sum"},
    {"kernel": (2, 2), "pool_type": "lp", "p_value": 1},
    {"kernel": (2, 2), "pool_type": "lp", "p_value": 2, "pad": (1, 1)},
    {"kernel": (2, 2), "stride": (2, 2), "pool_type": "lp", "p_value": 3, "pooling_convention": "full"},
    {"kernel": (1, 1), "global_pool": True, "pool_type": "max"},
    {"kernel": (1, 1), "global_pool": True, "pool_type": "avg"},
    {"kernel": (1, 1), "global_pool": True, "pool_type": "sum"},
    {"kernel": (1, 1), "global_pool": True, "pool_type": "lp", "p_value": 2},
    {"kernel": (2, 2), "stride": (2, 2), "pooling_convention": "same"},
]


@pytest.mark.parametrize("params", POOL_GRADS, ids=str)
def test_pooling_gradient(params):
    check_gradient("Pooling", [_r(2, 2, 5, 5, seed=3) + 3.0], params)


@pytest.mark.parametrize(
    "shape,params",
    [
        ((2, 2, 7), {"kernel": (3,), "stride": (2,), "pool_type": "avg", "pad": (1,)}),
        ((1, 2, 3, 4, 4), {"kernel": (2, 2, 3), "stride": (1, 2, 1), "pooling_convention": "full"}),
    ],
)
def test_pooling_gradient_1d_3d(shape, params):
    check_gradient("Pooling", [_r(*shape, seed=4)], params)


def test_max_pool_tie_goes_to_first_cell():
    x = mx.nd.array([[[[1, 3, 3, 0], [3, 2, 1, 3], [0, 0, 0, 0], [0, 0, 0, 0]]]])
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Pooling(x, kernel=(2, 2), stride=(1, 1))
    y.backward(mx.nd.ones(y.shape))
    # values checked against MXNet 1.9.1: the first maximum in row-major window order wins
    want = [[0, 2, 1, 0], [1, 1, 0, 1], [1, 1, 1, 0], [0, 0, 0, 0]]
    np.testing.assert_array_equal(x.grad.asnumpy()[0, 0], want)


def test_same_convention_output_size():
    """'same' gives ceil(x / stride) windows starting at i * stride, clipped at the end."""
    x = np.arange(7, dtype=np.float32).reshape(1, 1, 7)
    y = mx.nd.Pooling(mx.nd.array(x), kernel=(3,), stride=(2,), pooling_convention="same").asnumpy()
    np.testing.assert_array_equal(y.ravel(), [2, 4, 6, 6])


POOL_SAME = json.loads((Path(__file__).parent / "golden" / "pool_same.json").read_text())


@pytest.mark.parametrize("case", POOL_SAME["cases"], ids=lambda c: f"k{c['kernel']}s{c['stride']}{c['pool_type']}")
def test_same_convention_matches_mxnet(case):
    # MXNet 1.9.1's upstream test passes pad=(0, 0, 0) with a 1-D kernel; 'same' takes any all-zero pad
    a = mx.nd.array(np.asarray(POOL_SAME["data"], np.float32).reshape(1, 1, -1))
    a.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Pooling(a, kernel=case["kernel"], stride=case["stride"], pad=(0, 0, 0), pool_type=case["pool_type"], pooling_convention="same")
    y.backward(mx.nd.array(np.asarray(POOL_SAME["head"], np.float32)[: y.shape[2]].reshape(y.shape)))
    np.testing.assert_allclose(y.asnumpy().ravel(), case["output"], rtol=1e-6)
    np.testing.assert_allclose(a.grad.asnumpy().ravel(), case["grad"], rtol=1e-6)


def test_channel_last_layouts_match_channel_first():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 6, 5, 3)).astype(np.float32)  # NHWC
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)  # OIHW
    b = rng.standard_normal(4).astype(np.float32)
    got = mx.nd.Convolution(
        mx.nd.array(x), mx.nd.array(w.transpose(0, 2, 3, 1)), mx.nd.array(b), kernel=(3, 3), num_filter=4, pad=(1, 0), layout="NHWC"
    ).asnumpy()
    want = conv_ref(x.transpose(0, 3, 1, 2), w, b, kernel=(3, 3), pad=(1, 0))
    np.testing.assert_allclose(got, want.transpose(0, 2, 3, 1), rtol=1e-4, atol=1e-5)
    wd = rng.standard_normal((3, 2, 2, 2)).astype(np.float32)
    got = mx.nd.Deconvolution(mx.nd.array(x), mx.nd.array(wd.transpose(0, 2, 3, 1)), kernel=(2, 2), stride=(2, 2), num_filter=2, layout="NHWC").asnumpy()
    want = deconv_ref(x.transpose(0, 3, 1, 2), wd, kernel=(2, 2), stride=(2, 2))
    np.testing.assert_allclose(got, want.transpose(0, 2, 3, 1), rtol=1e-4, atol=1e-5)
    got = mx.nd.Pooling(mx.nd.array(x), kernel=(2, 2), pool_type="avg", layout="NHWC").asnumpy()
    np.testing.assert_allclose(got, pool_ref(x.transpose(0, 3, 1, 2), kernel=(2, 2), pool_type="avg").transpose(0, 2, 3, 1), rtol=1e-5, atol=1e-6)


def test_symbol_arguments_and_shape_inference():
    conv = mx.sym.Convolution(mx.sym.Variable("data"), kernel=(5, 5), num_filter=20, name="conv1")
    assert conv.list_arguments() == ["data", "conv1_weight", "conv1_bias"]
    args, outs, _ = conv.infer_shape(data=(64, 1, 28, 28))
    assert args == [(64, 1, 28, 28), (20, 1, 5, 5), (20,)] and outs == [(64, 20, 24, 24)]
    deconv = mx.sym.Deconvolution(mx.sym.Variable("data"), kernel=(4, 4), stride=(2, 2), pad=(1, 1), num_filter=3, num_group=1, name="up")
    assert deconv.list_arguments() == ["data", "up_weight"]  # no_bias defaults to True
    args, outs, _ = deconv.infer_shape(data=(1, 8, 5, 5))
    assert args[1] == (8, 3, 4, 4) and outs == [(1, 3, 10, 10)]
    pool = mx.sym.Pooling(mx.sym.Variable("data"), kernel=(2, 2), stride=(2, 2), pooling_convention="full")
    assert pool.infer_shape(data=(1, 3, 5, 5))[1] == [(1, 3, 3, 3)]


def test_grad_req_add_accumulates():
    x = mx.sym.Variable("data")
    net = mx.sym.Convolution(x, kernel=(3, 3), num_filter=2, name="c")
    ex = net.simple_bind(mx.cpu(), data=(1, 2, 4, 4), grad_req="add")
    for n, a in ex.arg_dict.items():
        a[:] = _r(*a.shape, seed=len(n)).astype(np.float32)
    head = mx.nd.ones((1, 2, 2, 2))
    ex.forward(is_train=True)
    ex.backward(head)
    once = {n: g.asnumpy().copy() for n, g in ex.grad_dict.items()}
    ex.forward(is_train=True)
    ex.backward(head)
    for n, g in ex.grad_dict.items():
        np.testing.assert_allclose(g.asnumpy(), 2 * once[n], rtol=1e-5, atol=1e-6)


X4 = mx.nd.ones((1, 2, 5, 5))
W4 = mx.nd.ones((3, 2, 3, 3))


@pytest.mark.parametrize(
    "call,words",
    [
        (lambda: mx.nd.Convolution(X4, W4, kernel=(0, 0), num_filter=3, no_bias=True), ["Convolution", "kernel", "(0, 0)"]),
        (lambda: mx.nd.Convolution(X4, W4, kernel=(3, 3), pad=(-1, -1), num_filter=3, no_bias=True), ["Convolution", "pad", "(-1, -1)"]),
        (lambda: mx.nd.Convolution(X4, W4, kernel=(3, 3), stride=(0, 1), num_filter=3, no_bias=True), ["Convolution", "stride", "(0, 1)"]),
        (lambda: mx.nd.Convolution(X4, W4, kernel=(3, 3), dilate=(0, 0), num_filter=3, no_bias=True), ["Convolution", "dilate"]),
        (lambda: mx.nd.Convolution(X4, W4, kernel=(3, 3), num_filter=0, no_bias=True), ["Convolution", "num_filter", "0"]),
        (
            lambda: mx.nd.Convolution(X4, mx.nd.ones((3, 2, 7, 7)), kernel=(7, 7), num_filter=3, no_bias=True),
            ["Convolution", "kernel size 7", "padded input size 5"],
        ),
        (lambda: mx.nd.Convolution(X4, W4, kernel=(3, 3), stride=(1,), num_filter=3, no_bias=True), ["Convolution", "stride", "(1,)"]),
        (lambda: mx.nd.Convolution(X4, W4, kernel=(3,), num_filter=3, no_bias=True), ["Convolution", "data should be 3D", "(1, 2, 5, 5)"]),
        (
            lambda: mx.nd.Convolution(X4, mx.nd.ones((3, 2, 2, 2)), kernel=(3, 3), num_filter=3, no_bias=True),
            ["Convolution", "weight", "(3, 2, 2, 2)", "(3, 2, 3, 3)"],
        ),
        (lambda: mx.nd.Convolution(X4, W4, kernel=(3, 3), num_filter=3, num_group=2, no_bias=True), ["Convolution", "num_group=2"]),
        (lambda: mx.nd.Convolution(X4, W4, kernel=(3, 3), num_filter=3, cudnn_tune="foo", no_bias=True), ["Convolution", "cudnn_tune", "foo"]),
        (lambda: mx.nd.Convolution(X4, W4, kernel=(3, 3), num_filter=3, layout="NCW", no_bias=True), ["Convolution", "layout NCW", "(1, 2, 5, 5)"]),
        (
            lambda: mx.nd.Convolution(
                mx.nd.ones((1, 2, 5, 5), dtype="int32"), mx.nd.ones((3, 2, 3, 3), dtype="int32"), kernel=(3, 3), num_filter=3, no_bias=True
            ),
            ["Convolution", "floating point", "int32"],
        ),
        (lambda: mx.nd.Deconvolution(X4, W4, kernel=(3, 3), stride=(2, 2), adj=(2, 2), num_filter=3), ["Deconvolution", "adj", "stride"]),
        (lambda: mx.nd.Deconvolution(X4, W4, kernel=(3, 3), stride=(2, 2), target_shape=(20, 20), num_filter=3), ["Deconvolution", "target_shape", "(20, 20)"]),
        (lambda: mx.nd.Deconvolution(X4, W4, kernel=(3, 3), pad=(4, 4), num_filter=3), ["Deconvolution", "pad", "(4, 4)"]),
        (lambda: mx.nd.Deconvolution(X4, W4, kernel=(0, 3), num_filter=3), ["Deconvolution", "kernel", "(0, 3)"]),
        (lambda: mx.nd.Pooling(X4, kernel=(2, 2), pool_type="foo"), ["Pooling", "pool_type", "foo", "avg", "lp", "max", "sum"]),
        (lambda: mx.nd.Pooling(X4, kernel=(0, 0)), ["Pooling", "kernel", "(0, 0)"]),
        (lambda: mx.nd.Pooling(X4, kernel=(2, 2), stride=(0, 0)), ["Pooling", "stride", "(0, 0)"]),
        (lambda: mx.nd.Pooling(X4, kernel=(6, 6)), ["Pooling", "kernel size 6", "5 padded to 5"]),
        (lambda: mx.nd.Pooling(X4, kernel=(2, 2), pad=(-1, 0)), ["Pooling", "pad", "(-1, 0)"]),
        (lambda: mx.nd.Pooling(X4, kernel=(2, 2), pad=(2, 2)), ["Pooling", "pad", "smaller than kernel"]),
        (lambda: mx.nd.Pooling(X4, kernel=(2,)), ["Pooling", "kernel (2,)", "2 spatial dims"]),
        (lambda: mx.nd.Pooling(X4), ["Pooling", "kernel must be given"]),
        (lambda: mx.nd.Pooling(X4, kernel=(2, 2), pool_type="lp"), ["Pooling", "p_value", "None"]),
        (lambda: mx.nd.Pooling(X4, kernel=(2, 2), pool_type="lp", p_value=4), ["Pooling", "p_value=4"]),
        (lambda: mx.nd.Pooling(X4, kernel=(2, 2), pooling_convention="same", pad=(1, 1)), ["Pooling", "same", "pad"]),
        (lambda: mx.nd.Pooling(X4, kernel=(2, 2), count_include_pad="maybe"), ["Pooling", "count_include_pad", "maybe"]),
    ],
)
def test_bad_arguments_raise(call, words):
    with pytest.raises(MXNetError) as err:
        call().wait_to_read()
    for w in words:
        assert w in str(err.value), (w, str(err.value))


def _padded_max_grad(p, x, dy):
    """The max-pool gradient over explicitly padded copies (the reference for the unpadded path)."""
    from mxpy.ops.nn import _im2col as im
    from mxpy.ops.nn import pooling as P

    geo, extra, out_sp = P.pool_geometry(p, x.shape)
    y = P._pool(np, p, x, geo, extra, out_sp)
    xpd = P._padded(np, x, geo, extra, np.finfo(x.dtype).min)
    dxp = np.zeros(xpd.shape, dtype=x.dtype)
    taken = np.zeros(y.shape, dtype=bool)
    for o in np.ndindex(*geo["kernel"]):
        sl = im.offset_slices(o, geo["stride"], geo["dilate"], out_sp)
        hit = (xpd[sl] == y) & ~taken
        taken |= hit
        dxp[sl] += dy * hit
    inner = (slice(None), slice(None)) + tuple(slice(q, q + n) for q, n in zip(geo["pad"], x.shape[2:]))
    return y, dxp[inner]


@pytest.mark.parametrize(
    "kernel,stride,pad,convention",
    [
        ((2, 2), (2, 3), (1, 1), "valid"),
        ((3, 3), (2, 2), (1, 1), "full"),
        ((2, 3), (1, 1), (1, 0), "valid"),
        ((3, 1), (2, 3), (2, 0), "full"),
        ((3, 3), (1, 1), (0, 0), "valid"),
    ],
)
def test_max_pool_gradient_without_padded_copies_is_exact(kernel, stride, pad, convention):
    """Overlapping/padded max-pool windows: the gradient read straight from the input (no padded
    copies) equals the padded computation bit for bit, ties to the first cell included."""
    from mxpy.ops.nn import pooling as P

    rng = np.random.default_rng(7)
    p = registry.get("Pooling").parse({"kernel": kernel, "stride": stride, "pad": pad, "pool_type": "max", "pooling_convention": convention})
    x = rng.integers(-3, 3, (2, 3, 9, 11)).astype(np.float32)  # many ties
    geo, extra, out_sp = P.pool_geometry(p, x.shape)
    dy = rng.standard_normal((2, 3, *out_sp)).astype(np.float32)
    y, want = _padded_max_grad(p, x, dy)
    np.testing.assert_array_equal(P._max_grad_unpadded(np, dy, x, y, geo, out_sp), want)
    np.testing.assert_array_equal(P._pool_grad(np, p, dy, x, y, geo, extra, out_sp), want)
    # an output equal to the padding value takes the padded path, where a padding cell can win
    low = np.full((1, 1, 3, 3), np.finfo(np.float32).min, dtype=np.float32)
    geo, extra, out_sp = P.pool_geometry(p, low.shape)
    dy_low = np.ones((1, 1, *out_sp), np.float32)
    y_low, want_low = _padded_max_grad(p, low, dy_low)
    np.testing.assert_array_equal(P._pool_grad(np, p, dy_low, low, y_low, geo, extra, out_sp), want_low)
