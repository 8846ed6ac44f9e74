"""mx.gluon.loss: every loss against MXNet 1.9.1's values and gradients, imperative and hybridized.

Golden fixture: tests/golden/gluon_loss.json, made by tests/golden/make_gluon_loss.py.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import mxpy as mx
from mxpy import autograd, gluon
from mxpy.base import MXNetError

GOLDEN = json.loads((pathlib.Path(__file__).parent / "golden" / "gluon_loss.json").read_text())


def dec(d):
    return np.array(d["data"], dtype=d["dtype"]).reshape(d["shape"])


def _cid(c):
    return f"{c['cls']}-{c['note'] or 'default'}-{'hybrid' if c['hybridize'] else 'imperative'}"


def _run(case, hybridize):
    loss = getattr(gluon.loss, case["cls"])(**case["kwargs"])
    if hybridize:
        loss.hybridize()
    arrays = [None if a is None else mx.nd.array(dec(a)) for _, a in case["inputs"]]
    names = [n for n, _ in case["inputs"]]
    for n, a in zip(names, arrays):
        if n in case["grads"]:
            a.attach_grad()
    if case["grads"]:
        with autograd.record():
            out = loss(*arrays)
        out.backward()
    else:
        out = loss(*arrays)
    grads = {n: a.grad.asnumpy() for n, a in zip(names, arrays) if n in case["grads"]}
    return out.asnumpy(), grads


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=_cid)
def test_loss_matches_mxnet(case):
    out, grads = _run(case, case["hybridize"])
    want = dec(case["output"])
    assert out.shape == want.shape
    _close(out, want)
    for n, g in case["grads"].items():
        _close(grads[n], dec(g), err_msg=n)


def _close(got, want, err_msg=""):
    # float32 sums in another order: near-cancelling entries get an absolute slack scaled to the array
    atol = 2e-6 * max(1.0, float(np.abs(want).max(initial=0)))
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=atol, err_msg=err_msg)


def test_poisson_compute_full_hybridizes_and_differentiates():
    # MXNet 1.9.1 cannot record or hybridize compute_full (it multiplies in place); mxpy can, with the
    # same forward values as MXNet's imperative call
    (case,) = [c for c in GOLDEN["cases"] if c["cls"] == "PoissonNLLLoss" and c["note"] == "compute_full"]
    full = dict(case, grads={"pred": None})
    out_h, grads = _run(full, hybridize=True)
    np.testing.assert_allclose(out_h, dec(case["output"]), rtol=2e-5)
    pred, target = (dec(a) for _, a in case["inputs"])
    # d/dpred mean(pred - t*log(pred + eps)) = (1 - t/(pred + eps)) / n
    np.testing.assert_allclose(grads["pred"], (1 - target / (pred + 1e-8)) / pred.size, rtol=1e-5)


def test_symbolic_call_composes_into_a_graph():
    out = gluon.loss.SoftmaxCrossEntropyLoss()(mx.sym.Variable("pred"), mx.sym.Variable("label"))
    assert out.list_arguments() == GOLDEN["symbolic"]["list_arguments"]
    assert len(out.list_outputs()) == GOLDEN["symbolic"]["num_outputs"]
    pred = np.random.RandomState(0).uniform(-1, 1, (3, 4)).astype(np.float32)
    ex = out.bind(mx.cpu(), {"pred": mx.nd.array(pred), "label": mx.nd.array([0, 3, 1])})
    got = ex.forward()[0].asnumpy()
    logp = pred - np.log(np.exp(pred).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(got, -logp[np.arange(3), [0, 3, 1]], rtol=1e-5)


def test_module_trains_through_a_gluon_loss():
    rng = np.random.RandomState(3)
    x = rng.uniform(-1, 1, (40, 6)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.float32)
    net = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2, name="fc")
    loss = mx.sym.MakeLoss(gluon.loss.SoftmaxCrossEntropyLoss()(net, mx.sym.Variable("label")))
    it = mx.io.NDArrayIter(x, y, batch_size=10, label_name="label")
    mod = mx.mod.Module(loss, data_names=("data",), label_names=("label",))
    mod.fit(it, num_epoch=30, optimizer="adam", optimizer_params={"learning_rate": 0.05}, eval_metric=mx.metric.Loss())
    final = mod.score(it, eval_metric=mx.metric.Loss())[0][1]
    assert final < 0.2, final


def test_repr_names_batch_axis_and_weight():
    assert repr(gluon.loss.L1Loss(weight=0.5, batch_axis=1)) == "L1Loss(batch_axis=1, w=0.5)"


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: gluon.loss.LogisticLoss(label_format="one-hot"), "label_format"),
        (lambda: gluon.loss.CTCLoss(layout="NCT"), "layout"),
        (lambda: gluon.loss.CTCLoss(label_layout="TT"), "label_layout"),
    ],
)
def test_bad_constructor_arguments_name_the_argument(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_non_numeric_weight_is_refused():
    loss = gluon.loss.L1Loss(weight="2")
    with pytest.raises(MXNetError, match="weight must be a number"):
        loss(mx.nd.ones((2, 2)), mx.nd.zeros((2, 2)))


def test_sdml_needs_two_matrices_of_one_shape():
    with pytest.raises(MXNetError, match="SDMLLoss"):
        gluon.loss.SDMLLoss()(mx.nd.ones((3, 2)), mx.nd.ones((2, 2)))


def test_aliases():
    assert gluon.loss.SigmoidBCELoss is gluon.loss.SigmoidBinaryCrossEntropyLoss
    assert gluon.loss.SoftmaxCELoss is gluon.loss.SoftmaxCrossEntropyLoss


def test_symbol_front_end_drops_inputs_given_as_none():
    x, y = mx.sym.Variable("x"), mx.sym.Variable("y")
    positional = mx.sym.CTCLoss(x, y, None, None, blank_label="last")
    keyword = mx.sym.CTCLoss(data=x, label=y, data_lengths=None, blank_label="last")
    assert positional.list_arguments() == keyword.list_arguments() == ["x", "y"]
