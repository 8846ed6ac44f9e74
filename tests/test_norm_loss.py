"""Normalization, dropout, LeakyReLU and loss layers: golden values from MXNet 1.9.1,
gradient checks, Dropout statistics, and error handling.

Golden fixture: tests/golden/norm_loss.json, made by tests/golden/make_norm_loss.py.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import mxpy as mx
from mxpy import registry
from mxpy.base import MXNetError
from tests.gradcheck import check_gradient

GOLDEN = json.loads((pathlib.Path(__file__).parent / "golden" / "norm_loss.json").read_text())
RUN = [c for c in GOLDEN["cases"] if "error" not in c]
ERRORS = [c for c in GOLDEN["cases"] if "error" in c]
LOSSES = {"SoftmaxOutput", "LinearRegressionOutput", "LogisticRegressionOutput", "MAERegressionOutput", "MakeLoss"}


def dec(d):
    return np.array(d["data"], dtype=d["dtype"]).reshape(d["shape"])


def _cid(c):
    return f"{c['op']}-{c['params']}-{'train' if c.get('is_train', True) else 'infer'}-{c['note']}"


@pytest.mark.parametrize("case", RUN, ids=_cid)
def test_golden_symbolic(case):
    inputs = {n: dec(v) for n, v in case["inputs"].items()}
    sym = getattr(mx.sym, case["op"])(*[mx.sym.Variable(n) for n in inputs], name="op", **case["params"])
    assert sym.list_arguments() == list(inputs)
    args = {n: mx.nd.array(v) for n, v in inputs.items()}
    grads = {n: mx.nd.zeros(v.shape) for n, v in inputs.items()}
    aux_names = sym.list_auxiliary_states()
    aux = [mx.nd.array(dec(case["aux"][n[3:]])) for n in aux_names]
    ex = sym.bind(mx.cpu(), args, args_grad=grads, grad_req="write", aux_states=aux or None)
    outs = ex.forward(is_train=case["is_train"])
    assert len(outs) == len(case["outputs"])
    # rrelu's mask output is left uninitialised by MXNet at inference: compare the result only
    n_cmp = 1 if case["params"].get("act_type") == "rrelu" else len(outs)
    for o, want in zip(outs[:n_cmp], case["outputs"][:n_cmp]):
        np.testing.assert_allclose(o.asnumpy(), dec(want), rtol=1e-5, atol=1e-5)
    if "grads" not in case:
        return
    hg = case.get("head_grads")
    ex.backward([mx.nd.array(dec(h)) for h in hg] if hg is not None else None)
    for n, want in case["grads"].items():
        np.testing.assert_allclose(ex.grad_dict[n].asnumpy(), dec(want), rtol=1e-4, atol=1e-5, err_msg=f"gradient of {n}")
    for n, want in case["aux_after"].items():
        np.testing.assert_allclose(ex.aux_dict["op_" + n].asnumpy(), dec(want), rtol=1e-5, atol=1e-6, err_msg=f"aux {n}")


@pytest.mark.parametrize("case", [c for c in RUN if c["op"] != "BatchNorm"], ids=_cid)
def test_golden_imperative_forward(case):
    ins = [mx.nd.array(dec(v)) for v in case["inputs"].values()]
    with mx.autograd.train_mode() if case["is_train"] else mx.autograd.predict_mode():
        res = getattr(mx.nd, case["op"])(*ins, **case["params"])
    res = res if isinstance(res, list) else [res]
    np.testing.assert_allclose(res[0].asnumpy(), dec(case["outputs"][0]), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", ERRORS, ids=lambda c: f"{c['op']}-{c['note']}")
def test_golden_shape_errors(case):
    sym = getattr(mx.sym, case["op"])(*[mx.sym.Variable(n) for n in case["shapes"]], name="op", **case["params"])
    shapes = {n: tuple(s) for n, s in case["shapes"].items()}
    if case["error"]:
        with pytest.raises(MXNetError, match=case["op"]):
            sym.infer_shape(**shapes)
    else:
        arg, out, _ = sym.infer_shape(**shapes)
        assert out[0] == shapes["data"]


# -- gradient checks (float64 central differences) --------------------------------------

_R = np.random.default_rng(3)


def _u(*shape, lo=-1.0, hi=1.0):
    return _R.uniform(lo, hi, shape)


BN_AUX = [np.zeros(3), np.ones(3)]
GRAD_CASES = [
    ("BatchNorm", [_u(3, 3, 2), _u(3, lo=0.5, hi=1.5), _u(3)], {"fix_gamma": False}, BN_AUX, True),
    ("BatchNorm", [_u(3, 3, 2), _u(3, lo=0.5, hi=1.5), _u(3)], {"fix_gamma": True}, BN_AUX, True),
    ("BatchNorm", [_u(3, 3, 2), _u(3, lo=0.5, hi=1.5), _u(3)], {"fix_gamma": False, "use_global_stats": True}, [_u(3), _u(3, lo=0.5, hi=2)], True),
    ("BatchNorm", [_u(2, 2, 3), _u(3, lo=0.5, hi=1.5), _u(3)], {"fix_gamma": False, "axis": -1}, BN_AUX, True),
    ("InstanceNorm", [_u(2, 3, 4), _u(3, lo=0.5, hi=1.5), _u(3)], {}, None, True),
    ("LayerNorm", [_u(2, 3, 4), _u(4, lo=0.5, hi=1.5), _u(4)], {}, None, True),
    ("LayerNorm", [_u(2, 3, 4), _u(3, lo=0.5, hi=1.5), _u(3)], {"axis": 1}, None, True),
    ("L2Normalization", [_u(2, 3, 4)], {"mode": "instance"}, None, True),
    ("L2Normalization", [_u(2, 3, 4)], {"mode": "channel"}, None, True),
    ("L2Normalization", [_u(2, 3, 4)], {"mode": "spatial"}, None, True),
    ("LRN", [_u(2, 5, 2, 2)], {"nsize": 3, "alpha": 0.5}, None, True),
    ("LRN", [_u(1, 6, 2, 2)], {"nsize": 5, "alpha": 0.3, "beta": 0.6, "knorm": 1.5}, None, True),
    ("LeakyReLU", [_u(2, 3, 4)], {"slope": 0.1}, None, True),
    ("LeakyReLU", [_u(2, 3, 4), _u(3, lo=0.1, hi=0.5)], {"act_type": "prelu"}, None, True),
    ("LeakyReLU", [_u(2, 3, 4), np.array([0.2])], {"act_type": "prelu"}, None, True),
    ("LeakyReLU", [_u(2, 3, 4)], {"act_type": "elu", "slope": 0.7}, None, True),
    ("LeakyReLU", [_u(2, 3, 4)], {"act_type": "gelu"}, None, True),
    ("LeakyReLU", [_u(2, 3, 4)], {"act_type": "rrelu"}, None, False),
    ("SoftmaxActivation", [_u(3, 4)], {}, None, True),
    ("SoftmaxActivation", [_u(2, 3, 4)], {"mode": "channel"}, None, True),
    ("Dropout", [_u(3, 4)], {"p": 0.3}, None, False),
]


@pytest.mark.parametrize("op,inputs,params,aux,train", GRAD_CASES, ids=lambda v: str(v) if isinstance(v, (str, dict)) else "")
def test_gradient(op, inputs, params, aux, train):
    # avoid the kinks of the piecewise activations
    if op == "LeakyReLU":
        inputs[0] = np.where(np.abs(inputs[0]) < 0.05, 0.3, inputs[0])
    check_gradient(op, inputs, params, aux=aux, is_train=train, rtol=1e-4, atol=1e-6)


def test_selu_gradient_reproduces_mxnet():
    """MXNet 1.9.1's selu backward is lambda*(out + alpha) for x <= 0, not the exact derivative."""
    x = mx.nd.array([-1.0, 0.5], dtype="float64")
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.LeakyReLU(x, act_type="selu")
    y.backward()
    lam, alpha = 1.0507009873554805, 1.6732632423543772
    out = lam * alpha * np.expm1(-1.0)
    np.testing.assert_allclose(x.grad.asnumpy(), [lam * (out + alpha), lam])


def test_loss_gradients_ignore_head_gradient():
    data = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]])
    label = np.array([[0.0, -1.0, 1.0], [1.0, 1.0, 0.0]])
    for op, grad in [
        ("LinearRegressionOutput", (data - label) / 3),
        ("MAERegressionOutput", np.sign(data - label) / 3),
        ("LogisticRegressionOutput", (1 / (1 + np.exp(-data)) - label) / 3),
    ]:
        sym = getattr(mx.sym, op)(mx.sym.Variable("data"), mx.sym.Variable("label"))
        ex = sym.bind(mx.cpu(), {"data": mx.nd.array(data), "label": mx.nd.array(label)}, args_grad={"data": mx.nd.zeros((2, 3))})
        ex.forward(is_train=True)
        ex.backward()
        np.testing.assert_allclose(ex.grad_dict["data"].asnumpy(), grad, rtol=1e-5, atol=1e-7, err_msg=op)


def test_makeloss_and_blockgrad_in_autograd():
    x = mx.nd.array([[1.0, -2.0, 3.0], [0.5, 0.0, 1.0]])
    x.attach_grad()
    with mx.autograd.record():
        loss = mx.nd.MakeLoss(x, grad_scale=0.5, normalization="batch")
    loss.backward(mx.nd.ones((2, 3)) * 7)  # the head gradient is ignored
    np.testing.assert_allclose(x.grad.asnumpy(), 0.25)
    with mx.autograd.record():
        y = mx.nd.stop_gradient(x)
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), 0)
    np.testing.assert_array_equal(y.asnumpy(), x.asnumpy())


# -- BatchNorm training semantics -------------------------------------------------------------


def test_batchnorm_moving_stats_update_in_backward_with_biased_variance():
    x = np.random.default_rng(0).standard_normal((8, 2, 3)).astype(np.float32)
    sym = mx.sym.BatchNorm(mx.sym.Variable("data"), name="bn", momentum=0.8)
    ex = sym.simple_bind(mx.cpu(), data=x.shape)
    ex.arg_dict["data"][:] = x
    ex.aux_dict["bn_moving_var"][:] = 1  # simple_bind zero-fills, as MXNet
    ex.forward(is_train=True)
    np.testing.assert_allclose(ex.aux_dict["bn_moving_mean"].asnumpy(), 0)  # not yet: MXNet updates in backward
    ex.backward(mx.nd.ones(x.shape))
    np.testing.assert_allclose(ex.aux_dict["bn_moving_mean"].asnumpy(), 0.2 * x.mean((0, 2)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ex.aux_dict["bn_moving_var"].asnumpy(), 0.8 + 0.2 * x.var((0, 2)), rtol=1e-5)
    np.testing.assert_allclose(ex.grad_dict["bn_gamma"].asnumpy(), 0)  # fix_gamma=True by default
    # inference normalises with the moving statistics
    out = ex.forward(is_train=False)[0].asnumpy()
    mm, mv = ex.aux_dict["bn_moving_mean"].asnumpy(), ex.aux_dict["bn_moving_var"].asnumpy()
    want = (x - mm[None, :, None]) / np.sqrt(mv[None, :, None] + 1e-3) + ex.arg_dict["bn_beta"].asnumpy()[None, :, None]
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)


def test_batchnorm_imperative_outputs_and_errors():
    x = mx.nd.array(np.arange(12).reshape(2, 3, 2))
    c = [mx.nd.ones(3), mx.nd.zeros(3), mx.nd.zeros(3), mx.nd.ones(3)]
    out, mean, invstd = mx.nd.BatchNorm(x, *c, output_mean_var=True)
    assert out.shape == (2, 3, 2) and mean.shape == (3,) and invstd.shape == (3,)
    np.testing.assert_allclose(invstd.asnumpy(), 1 / np.sqrt(1 + 1e-3), rtol=1e-6)  # inference: from moving_var
    with pytest.raises(MXNetError, match=r"BatchNorm: .*gamma"):
        mx.nd.BatchNorm(x, mx.nd.ones(4), *c[1:])
    with pytest.raises(MXNetError, match=r"BatchNorm: .*axis"):
        mx.nd.BatchNorm(x, *c, axis=3)


def test_float16_batchnorm_keeps_float32_statistics():
    sym = mx.sym.BatchNorm(mx.sym.Variable("data"), name="bn")
    args, outs, aux = sym.infer_type(data="float16")
    assert [np.dtype(t) for t in args] == [np.float16, np.float32, np.float32]
    assert [np.dtype(t) for t in aux] == [np.float32, np.float32]
    x = mx.nd.array(np.linspace(-1, 1, 12).reshape(2, 3, 2), dtype="float16")
    y = mx.nd.BatchNorm(x, mx.nd.ones(3), mx.nd.zeros(3), mx.nd.zeros(3), mx.nd.ones(3))
    assert y.dtype == np.float16


# -- Dropout ------------------------------------------------------------------------------------


def test_dropout_statistics_and_scale():
    x = mx.nd.ones((200, 500))
    with mx.autograd.train_mode():
        y = mx.nd.Dropout(x, p=0.3).asnumpy()
    np.testing.assert_allclose(np.unique(y), [0.0, 1 / 0.7], rtol=1e-6)
    assert abs((y == 0).mean() - 0.3) < 0.01
    assert abs(y.mean() - 1.0) < 0.02
    # inference: identity unless mode='always'
    np.testing.assert_array_equal(mx.nd.Dropout(x, p=0.3).asnumpy(), 1)
    assert (mx.nd.Dropout(x, p=0.3, mode="always").asnumpy() == 0).any()
    np.testing.assert_array_equal(mx.nd.Dropout(x, p=0.0, mode="always").asnumpy(), 1)
    assert np.isnan(mx.nd.Dropout(mx.nd.ones((2, 2)), p=1.0, mode="always").asnumpy()).all()  # 0 * inf, as MXNet


def test_dropout_axes_share_the_mask():
    with mx.autograd.train_mode():
        y = mx.nd.Dropout(mx.nd.ones((4, 3, 50)), p=0.5, axes=(1,)).asnumpy()
    assert (y == y[:, :1, :]).all()
    assert 0 < (y == 0).mean() < 1


def test_dropout_seed_determinism_and_backward_mask():
    def run():
        mx.random.seed(42)
        x = mx.nd.array(np.arange(1, 21, dtype=np.float32).reshape(4, 5))
        x.attach_grad()
        with mx.autograd.record():
            y = mx.nd.Dropout(x, p=0.5)
        y.backward(mx.nd.ones((4, 5)) * 3)
        return y.asnumpy(), x.grad.asnumpy(), x.asnumpy()

    y1, g1, x = run()
    y2, g2, _ = run()
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(g1, g2)
    # the gradient is the head gradient times the mask the forward used
    np.testing.assert_allclose(g1, 3 * y1 / x)


def test_dropout_symbolic_train_and_inference():
    sym = mx.sym.Dropout(mx.sym.Variable("data"), p=0.5)
    assert sym.list_outputs() == ["dropout0_output"] or len(sym.list_outputs()) == 1
    ex = sym.simple_bind(mx.cpu(), data=(3, 6))
    ex.arg_dict["data"][:] = 1
    out = ex.forward(is_train=True)[0].asnumpy()
    ex.backward(mx.nd.ones((3, 6)))
    np.testing.assert_array_equal(ex.grad_dict["data"].asnumpy(), out)
    np.testing.assert_array_equal(ex.forward(is_train=False)[0].asnumpy(), 1)


# -- rrelu -------------------------------------------------------------------------------------


def test_rrelu_random_slope_in_training_mean_slope_at_inference():
    x = mx.nd.array(-np.ones((50, 40)))
    y, mask = mx.nd.LeakyReLU(x, act_type="rrelu")
    np.testing.assert_allclose(y.asnumpy(), -(0.125 + 0.334) / 2, rtol=1e-6)
    with mx.autograd.train_mode():
        y, mask = mx.nd.LeakyReLU(x, act_type="rrelu", lower_bound=0.1, upper_bound=0.3)
    m = mask.asnumpy()
    assert 0.1 <= m.min() and m.max() < 0.3 and m.std() > 0.03
    np.testing.assert_allclose(y.asnumpy(), -m)
    with pytest.raises(MXNetError, match="LeakyReLU"):
        mx.nd.LeakyReLU(x, act_type="rrelu", lower_bound=0.5, upper_bound=0.1)


@pytest.mark.parametrize("case", [c for c in RUN if c["op"] == "SoftmaxOutput"], ids=_cid)
def test_softmax_output_backward_fast_path_is_the_general_path(case):
    """Integer labels into a C-contiguous gradient take the copy-and-subtract path;
    a strided gradient buffer takes the one-hot path: the same bits, for the
    golden cases' labels (and MXNet's gradient) and for labels beyond both ends
    of the class range (clipped)."""
    op = registry.get("_backward_SoftmaxOutput")
    p = op.parse(case["params"])
    rt = registry.runtime(mx.cpu(), True)
    data, golden_label = dec(case["inputs"]["data"]), dec(case["inputs"]["label"])
    prob = mx.nd.SoftmaxOutput(mx.nd.array(data), mx.nd.array(golden_label), **case["params"]).asnumpy()
    out_of_range = golden_label.copy()
    if out_of_range.size != data.size:  # class labels, not soft ones
        out_of_range.reshape(-1)[:2] = [-3.0, prob.shape[1] + 2.0]
    for lab in (golden_label, out_of_range):
        fast = np.full(prob.shape, np.nan, np.float32)
        strided = np.full(prob.shape + (2,), np.nan, np.float32)[..., 0]
        assert not strided.flags.c_contiguous
        op.kernel(p, [prob, lab], [fast, np.zeros_like(lab)], ("write", "write"), rt)
        op.kernel(p, [prob, lab], [strided, np.zeros_like(lab)], ("write", "write"), rt)
        np.testing.assert_array_equal(fast, strided)
        assert not np.isnan(fast).any()
        if lab is golden_label:
            np.testing.assert_allclose(fast, dec(case["grads"]["data"]), rtol=1e-4, atol=1e-5)


def _softmax_rows_per_row_shift(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_output_shared_shift_matches_per_row_shift(dtype):
    """A 2-D batch whose values span less than the dtype's limit is shifted by one
    max for the whole array. The probabilities agree with per-row shifting: each
    exp's argument carries at most half an ulp of the spread (80 * 2**-24 for
    float32), so 1e-5 relative even for the smallest ones. The executor's out=
    path gives the same bits as the imperative call."""
    rng = np.random.RandomState(3)
    x = (rng.randn(64, 10) * 8).astype(dtype)
    x[5] -= 60  # a row far below the others, still inside the limit
    want = _softmax_rows_per_row_shift(x.astype(np.float64))
    got = mx.nd.SoftmaxOutput(mx.nd.array(x, dtype=dtype), mx.nd.zeros(64, dtype=dtype)).asnumpy()
    np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=0)
    np.testing.assert_allclose(got.sum(axis=1), 1.0, rtol=1e-5)
    data = mx.sym.Variable("data")
    ex = mx.sym.SoftmaxOutput(data, name="sm").simple_bind(mx.cpu(), data=x.shape, type_dict={"data": dtype}, grad_req="null")
    ex.arg_dict["data"][:] = x
    np.testing.assert_array_equal(ex.forward()[0].asnumpy(), got)


def test_softmax_output_wide_spread_or_nonfinite_rows_shift_per_row():
    """Values spanning more than float32's exp range (or holding inf or NaN) take the
    per-row shift: a row 1000 below the others keeps its probabilities instead of
    underflowing to 0/0, and a NaN stays in its own row."""
    x = np.array([[1.0, 2.0, 3.0], [-1000.0, -999.0, -998.0], [0.5, 0.5, 0.0]], np.float32)
    got = mx.nd.SoftmaxOutput(mx.nd.array(x), mx.nd.zeros(3)).asnumpy()
    np.testing.assert_array_equal(got, _softmax_rows_per_row_shift(x))
    np.testing.assert_allclose(got[1], got[0], rtol=1e-6)
    y = x.copy()
    y[1] = [0.0, np.nan, 1.0]
    y[2, 0] = np.inf
    got = mx.nd.SoftmaxOutput(mx.nd.array(y), mx.nd.zeros(3)).asnumpy()
    assert np.isnan(got[1]).all() and np.isnan(got[2]).any()
    np.testing.assert_array_equal(got[0], _softmax_rows_per_row_shift(x)[0])
