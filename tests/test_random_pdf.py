"""The random_pdf_* densities and _sample_unique_zipfian / contrib.rand_zipfian.

Densities and gradients are checked against golden values from MXNet 1.9.1
(tests/golden/make_random_pdf.py) and against SciPy-free NumPy formulas; the
op battery (tests/battery/random_pdf.py) adds central-difference gradients.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import mxpy as mx

GOLDEN = json.loads((Path(__file__).parent / "golden" / "random_pdf.json").read_text())


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: f"{c['dist']}-log{int(c['is_log'])}-{np.asarray(c['inputs'][0]).ndim}d")
def test_density_and_gradient_match_mxnet(case):
    arrs = [mx.nd.array(np.asarray(x), dtype="float64") for x in case["inputs"]]
    for a in arrs:
        a.attach_grad()
    op = getattr(mx.nd, f"random_pdf_{case['dist']}")
    with mx.autograd.record():
        y = op(*arrs, is_log=case["is_log"])
    y.backward(mx.nd.array(np.asarray(case["head"]), dtype="float64"))
    np.testing.assert_allclose(y.asnumpy(), np.asarray(case["output"]), rtol=1e-7, atol=1e-9)
    for a, want in zip(arrs, case["grads"]):
        np.testing.assert_allclose(a.grad.asnumpy(), np.asarray(want), rtol=1e-6, atol=1e-8)


def test_float32_doc_examples_match_mxnet():
    nd = mx.nd
    got = nd.random_pdf_normal(nd.array([[-2, -1, 0, 1, 2]] * 2), nd.array([0, 0]), nd.array([1, 2]))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.asnumpy(), GOLDEN["float32"]["normal"], rtol=1e-6)
    got = nd.random_pdf_dirichlet(nd.array([[1, 2], [2, 3], [3, 4]]), nd.array([2.5, 2.5]))
    np.testing.assert_allclose(got.asnumpy(), GOLDEN["float32"]["dirichlet"], rtol=1e-5)


def test_gamma_beta_is_a_rate_and_names_match_mxnet():
    x, a, b = 1.3, 2.5, 3.0
    want = b**a * x ** (a - 1) * math.exp(-b * x) / math.gamma(a)
    got = mx.nd.random_pdf_gamma(mx.nd.array([x]), mx.nd.array([a]), mx.nd.array([b])).asscalar()
    assert got == pytest.approx(want, rel=1e-6)
    assert mx.nd._internal._random_pdf_gamma is not None
    s = mx.sym.random_pdf_poisson(mx.sym.var("s"), mx.sym.var("lam"), is_log=True)
    assert s.list_arguments() == ["s", "lam"]
    assert json.loads(s.tojson())["nodes"][-1]["op"] == "_random_pdf_poisson"


def test_symbolic_equals_imperative_and_shapes_infer():
    s, lo, hi = mx.sym.var("s"), mx.sym.var("lo"), mx.sym.var("hi")
    y = mx.sym.random_pdf_uniform(s, lo, hi)
    arg, out, _ = y.infer_shape(s=(2, 3, 5), lo=(2, 3))
    assert arg == [(2, 3, 5), (2, 3), (2, 3)] and out == [(2, 3, 5)]
    _, out, _ = mx.sym.random_pdf_dirichlet(s, lo).infer_shape(s=(4, 6, 3), lo=(4, 3))
    assert out == [(4, 6)]
    data = {"s": np.full((2, 3, 5), 0.5), "lo": np.zeros((2, 3)), "hi": np.arange(1, 7).reshape(2, 3)}
    ex = y.bind(mx.cpu(), {k: mx.nd.array(v) for k, v in data.items()})
    got = ex.forward()[0].asnumpy()
    np.testing.assert_allclose(got, 1 / np.broadcast_to(data["hi"][..., None], (2, 3, 5)), rtol=1e-6)


@pytest.mark.parametrize(
    "shapes, msg",
    [([(2, 3), (3,), (3,)], "leading sub-shape"), ([(2, 3), (2,), (3,)], "one shape"), ([(3,), (3, 1), (3, 1)], "at least as many dims")],
)
def test_bad_shapes_name_the_operator(shapes, msg):
    arrs = [mx.nd.ones(s) for s in shapes]
    with pytest.raises(mx.base.MXNetError, match=f"random_pdf_normal.*{msg}"):
        mx.nd.random_pdf_normal(*arrs)


def test_unique_zipfian_draws_distinct_classes_and_counts_trials():
    mx.random.seed(3)
    classes, trials = mx.nd._internal._sample_unique_zipfian(793472, shape=(4, 8192))
    assert classes.shape == (4, 8192) and trials.shape == (4,)
    assert classes.dtype == np.int64 and trials.dtype == np.int64
    c, t = classes.asnumpy(), trials.asnumpy()
    for i in range(4):
        assert np.unique(c[i]).size == 8192
        # MXNet's own test bounds (from PyTorch's sampler): about 16000 draws
        assert 14500 < t[i] < 17000
    assert c.min() >= 0 and c.max() < 793472
    # small classes are the likely ones: the log-uniform law puts ~5% on class 0
    assert (c == 0).sum() == 4
    with pytest.raises(mx.base.MXNetError, match="_sample_unique_zipfian.*range_max"):
        mx.nd._internal._sample_unique_zipfian(5, shape=(1, 6))


def test_unique_zipfian_symbol_outputs():
    s = mx.sym._internal._sample_unique_zipfian(range_max=5, shape=(2, 3))
    assert s.list_outputs() == ["_sample_unique_zipfian0_output0", "_sample_unique_zipfian0_output1"]
    _, out, _ = s.infer_shape()
    assert out == [(2, 3), (2,)]


def test_rand_zipfian_expected_counts():
    # MXNet 1.9.1: true class 3 of range 5 with 4 draws expects log(5/4)/log(6)*4 = 0.49815515
    mx.random.seed(0)
    samples, exp_true, exp_sampled = mx.nd.contrib.rand_zipfian(mx.nd.array([3]), 4, 5)
    assert samples.dtype == np.int64 and exp_true.dtype == np.float64
    np.testing.assert_allclose(exp_true.asnumpy(), [0.49815515], rtol=1e-7)
    s = samples.asnumpy()
    np.testing.assert_allclose(exp_sampled.asnumpy(), np.log((s + 2.0) / (s + 1.0)) / np.log(6) * 4)
    # frequencies follow P(c) = log((c+2)/(c+1)) / log(R+1)
    samples, _, _ = mx.nd.contrib.rand_zipfian(mx.nd.array([0]), 20000, 20)
    freq = np.bincount(samples.asnumpy(), minlength=20) / 20000
    c = np.arange(20)
    np.testing.assert_allclose(freq, np.log((c + 2) / (c + 1)) / np.log(21), atol=0.015)
    sym = mx.sym.contrib.rand_zipfian(mx.sym.var("t"), 4, 5)
    outs = mx.sym.Group(list(sym)).eval(t=mx.nd.array([3]))
    np.testing.assert_allclose(outs[1].asnumpy(), [0.49815515], rtol=1e-7)
