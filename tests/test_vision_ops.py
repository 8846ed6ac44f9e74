"""The vision contrib operators against real MXNet 1.9.1 (tests/golden/make_vision_ops.py).

Forward outputs and, where MXNet's CPU build has them, input gradients for a
random head gradient; and the Gluon contrib.cnn blocks' parameter names,
shapes, output shapes and reprs.
"""

from __future__ import annotations

import json
import os
import re

import numpy as np
import pytest

import mxpy as mx

HERE = os.path.join(os.path.dirname(__file__), "golden")
with open(os.path.join(HERE, "vision_ops.json")) as _f:
    GOLD = json.load(_f)
with np.load(os.path.join(HERE, "vision_ops.npz")) as _z:
    ARR = dict(_z)


def _ins(name: str) -> list[np.ndarray]:
    return [ARR[f"{name}/in{i}"] for i in range(10) if f"{name}/in{i}" in ARR]


@pytest.mark.parametrize("case", GOLD["cases"], ids=lambda c: c["name"])
def test_matches_mxnet(case):
    name = case["name"]
    arrs = [mx.nd.array(x, dtype=x.dtype) for x in _ins(name)]
    for a in arrs:
        a.attach_grad()
    with mx.autograd.record():
        out = getattr(mx.nd.contrib, case["op"])(*arrs, **case["params"])
    outs = out if isinstance(out, list) else [out]
    for i, o in enumerate(outs):
        if f"{name}/out{i}" in ARR:
            np.testing.assert_allclose(o.asnumpy(), ARR[f"{name}/out{i}"], rtol=1e-5, atol=1e-6)
    if case["grad"]:
        outs[0].backward(mx.nd.array(ARR[f"{name}/head"], dtype=outs[0].dtype))
        for i, a in enumerate(arrs):
            # MXNet took the head gradient as float32 (mx.nd.array's default); mxpy too
            np.testing.assert_allclose(a.grad.asnumpy(), ARR[f"{name}/grad{i}"], rtol=1e-5, atol=1e-5, err_msg=f"gradient of input {i}")


def _unnumbered(params: dict) -> dict:
    """Parameter names without the block's prefix, whose counter depends on what ran before."""
    return {re.sub(r"^(modulated_)?deformable_conv\d+_", "", k): v for k, v in params.items()}


@pytest.mark.parametrize("cls", ["DeformableConvolution", "ModulatedDeformableConvolution"])
def test_gluon_cnn_blocks_match_mxnet(cls):
    for kw in ({"kernel_size": 3, "padding": 1}, {"kernel_size": (3, 2), "use_bias": False, "offset_use_bias": False, "num_deformable_group": 2}):
        want = GOLD["blocks"][f"{cls}{sorted(kw.items())}"]
        with mx.name.NameManager():
            net = getattr(mx.gluon.contrib.cnn, cls)(6, **kw)
        net.initialize()
        y = net(mx.nd.ones((1, 4, 7, 8)))
        got = {k: list(v.shape) for k, v in net.collect_params().items()}
        assert _unnumbered(got) == _unnumbered(want["params"])
        assert list(y.shape) == want["out_shape"]
        assert repr(net) == want["repr"]


def test_gluon_deformable_hybridized_equals_imperative_and_trains():
    net = mx.gluon.nn.HybridSequential()
    net.add(mx.gluon.contrib.cnn.DeformableConvolution(4, kernel_size=3, padding=1, offset_weight_initializer=mx.init.Uniform(0.1)))
    net.add(mx.gluon.contrib.cnn.ModulatedDeformableConvolution(3, kernel_size=(3, 2), activation="relu", offset_weight_initializer=mx.init.Uniform(0.1)))
    net.initialize(mx.init.Xavier())
    x = mx.nd.random.uniform(shape=(2, 3, 6, 7))
    y0 = net(x).asnumpy()
    net.hybridize()
    with mx.autograd.record():
        y1 = net(x)
    y1.backward()
    np.testing.assert_allclose(y1.asnumpy(), y0, rtol=1e-5, atol=1e-6)
    offset_w = [p for n, p in net.collect_params().items() if n.endswith("offset_weight")]
    assert all(float(abs(p.grad()).sum().asscalar()) > 0 for p in offset_w)


def test_deformable_bad_input_names_the_problem():
    x = mx.nd.ones((1, 2, 4, 4))
    with pytest.raises(mx.base.MXNetError, match="offset"):
        mx.nd.contrib.DeformableConvolution(x, mx.nd.zeros((1, 9, 4, 4)), mx.nd.ones((3, 2, 3, 3)), mx.nd.zeros(3), kernel=(3, 3), pad=(1, 1), num_filter=3)
    with pytest.raises(mx.base.MXNetError, match="2-D kernels"):
        mx.nd.contrib.DeformableConvolution(x, mx.nd.zeros((1, 6, 2, 2)), mx.nd.ones((3, 2, 3)), mx.nd.zeros(3), kernel=(3,), num_filter=3)


def test_deformable_zero_offsets_is_convolution():
    rng = np.random.default_rng(3)
    x = mx.nd.array(rng.uniform(-1, 1, (2, 4, 6, 5)))
    w = mx.nd.array(rng.uniform(-1, 1, (6, 2, 3, 3)))
    b = mx.nd.array(rng.uniform(-1, 1, (6,)))
    kw = {"kernel": (3, 3), "pad": (1, 1), "stride": (2, 1), "num_filter": 6, "num_group": 2}
    want = mx.nd.Convolution(x, w, b, **kw).asnumpy()
    off = mx.nd.zeros((2, 18, 3, 5))
    np.testing.assert_allclose(mx.nd.contrib.DeformableConvolution(x, off, w, b, **kw).asnumpy(), want, rtol=1e-5, atol=1e-5)
    mask = mx.nd.ones((2, 9, 3, 5))
    np.testing.assert_allclose(mx.nd.contrib.ModulatedDeformableConvolution(x, off, mask, w, b, **kw).asnumpy(), want, rtol=1e-5, atol=1e-5)


def test_boolean_mask_gradient_accumulates_through_autograd():
    rng = np.random.default_rng(4)
    a = mx.nd.array(rng.uniform(-1, 1, (6, 3)))
    bi = mx.nd.array([1, 0, 1, 1, 0, 0])
    ci = mx.nd.array([0, 0, 1, 0, 0, 1])
    grad = mx.nd.zeros_like(a)
    mx.autograd.mark_variables([a], [grad], grad_reqs="add")
    for _ in range(2):
        with mx.autograd.record():
            y = (mx.nd.contrib.boolean_mask(a, bi) * 2).sum() + mx.nd.contrib.boolean_mask(a, ci).sum()
        y.backward()
    want = 2 * (2 * bi.asnumpy() + ci.asnumpy())[:, None] * np.ones((1, 3))
    np.testing.assert_allclose(grad.asnumpy(), want)


def test_boolean_mask_symbol_leaves_the_shape_unknown_and_bad_index_is_named():
    s = mx.sym.contrib.boolean_mask(mx.sym.var("a"), mx.sym.var("i"))
    with pytest.warns(UserWarning):
        assert s.infer_shape(a=(3, 2), i=(3,)) == (None, None, None)
    assert mx.sym.load_json(s.tojson()).tojson() == s.tojson()
    with pytest.raises(mx.base.MXNetError, match="index length 2"):
        mx.nd.contrib.boolean_mask(mx.nd.ones((3, 2)), mx.nd.array([1, 0]))
    with pytest.raises(mx.base.MXNetError, match="axis=1"):
        mx.nd.contrib.boolean_mask(mx.nd.ones((3, 2)), mx.nd.array([1, 0, 1]), axis=1)


def test_proposal_gradients_are_zero_and_its_unused_head_gradient_is_not_checked():
    cls = mx.sym.var("cls")
    sym = mx.sym.contrib.MultiProposal(cls, mx.sym.var("bbox"), mx.sym.var("info"), feature_stride=8, scales=(2.0,), ratios=(1.0,), rpn_post_nms_top_n=4)
    rng = np.random.default_rng(1)
    args = {"cls": mx.nd.array(rng.uniform(size=(2, 2, 3, 3))), "bbox": mx.nd.array(rng.uniform(size=(2, 4, 3, 3))), "info": mx.nd.array([[24, 24, 1]] * 2)}
    grads = {k: mx.nd.ones(v.shape) for k, v in args.items()}
    ex = sym.bind(mx.cpu(), args, args_grad=grads)
    assert ex.forward(is_train=True)[0].shape == (8, 5)
    # MXNet's Proposal never reads its head gradient, so MXNet takes one of any shape (its own test does)
    ex.backward(mx.nd.ones((4, 5)))
    for k, g in grads.items():
        assert not g.asnumpy().any(), k
    # a head gradient the backward reads is still checked
    fc = mx.sym.FullyConnected(mx.sym.var("x"), num_hidden=2, no_bias=True, name="fc")
    ex = fc.bind(mx.cpu(), {"x": mx.nd.ones((1, 3)), "fc_weight": mx.nd.ones((2, 3))}, args_grad={"x": mx.nd.zeros((1, 3))})
    ex.forward(is_train=True)
    with pytest.raises(ValueError, match="out_grads"):
        ex.backward(mx.nd.ones((4, 5)))


@pytest.mark.parametrize(
    "name",
    [
        "_contrib_DeformableConvolution",
        "_contrib_ModulatedDeformableConvolution",
        "_contrib_PSROIPooling",
        "_contrib_RROIAlign",
        "_contrib_boolean_mask",
        "_contrib_Proposal",
        "_contrib_MultiProposal",
        "_contrib_DeformablePSROIPooling",
    ],
)
def test_docstring_examples_run(name):
    import doctest

    from mxpy import registry

    test = doctest.DocTestParser().get_doctest(registry.get(name).doc, {}, name, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0 and test.examples
