"""mx.model.FeedForward against MXNet 1.9.1 (tests/golden/make_feedforward.py): trained parameters,
predictions, scores, callback numbering and log lines; plus save/load/create and errors."""

import json
import logging
import os
import pickle

import numpy as np
import pytest

import mxpy as mx
from mxpy.base import MXNetError
from tests.golden.mirror import Capture, ff_inputs, ff_net

HERE = os.path.dirname(os.path.abspath(__file__))
GOLD = np.load(os.path.join(HERE, "golden", "feedforward.npz"))
with open(os.path.join(HERE, "golden", "feedforward.json")) as f:
    META = json.load(f)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def train(ctx, numpy_input, **fit_kw):
    X, y, Xt, yt, params = ff_inputs()
    cap = Capture()
    logger = logging.getLogger("test_ff")
    logger.setLevel(logging.INFO)
    logger.addHandler(cap)
    logger.propagate = False
    root = logging.getLogger()
    old_level = root.level
    root.setLevel(logging.INFO)
    root.addHandler(cap)
    nbatches = []
    np.random.seed(3)
    try:
        model = mx.model.FeedForward(
            ff_net(mx),
            ctx=ctx,
            num_epoch=2,
            numpy_batch_size=32,
            arg_params={k: mx.nd.array(v) for k, v in params.items()},
            learning_rate=0.5,
            momentum=0.9,
            wd=0.01,
        )
        cb = lambda p: nbatches.append([p.epoch, p.nbatch])  # noqa: E731
        if numpy_input:
            model.fit(X, y, eval_data=(Xt, yt), logger=logger, batch_end_callback=cb, **fit_kw)
        else:
            train_it = mx.io.NDArrayIter(X, y, batch_size=32, shuffle=False, last_batch_handle="pad")
            model.fit(train_it, eval_data=mx.io.NDArrayIter(Xt, yt, batch_size=32), logger=logger, batch_end_callback=cb, **fit_kw)
    finally:
        root.removeHandler(cap)
        root.setLevel(old_level)
        logger.removeHandler(cap)
    return model, cap.lines, nbatches, (Xt, yt)


@pytest.mark.parametrize(
    "case, ctx, numpy_input",
    [("numpy_1ctx", mx.cpu(0), True), ("numpy_2ctx", [mx.cpu(0), mx.cpu(1)], True), ("iter_1ctx", mx.cpu(0), False)],
)
def test_fit_predict_score_match_mxnet(case, ctx, numpy_input):
    model, logs, nbatches, (Xt, yt) = train(ctx, numpy_input)
    meta = META[case]
    for name, arr in model.arg_params.items():
        np.testing.assert_allclose(arr.asnumpy(), GOLD[f"{case}:{name}"], rtol=1e-4, atol=1e-5, err_msg=name)
    np.testing.assert_allclose(model.predict(Xt), GOLD[f"{case}:predict"], rtol=1e-4, atol=1e-5)
    assert model.score(mx.io.NDArrayIter(Xt, yt, batch_size=8)) == pytest.approx(meta["score"])
    assert logs == meta["logs"]
    assert nbatches == meta["nbatch"]


def test_deprecation_warning():
    with pytest.warns(DeprecationWarning, match="FeedForward has been deprecated"):
        mx.model.FeedForward(ff_net(mx))


def test_epoch_end_callback_sees_trained_params_and_epoch_size(tmp_path):
    seen = []
    model, _, nbatches, _ = train(mx.cpu(), False, epoch_end_callback=lambda e, s, a, x: seen.append((e, a["fc2_bias"].asnumpy().copy())))
    assert [e for e, _ in seen] == [0, 1]
    np.testing.assert_array_equal(seen[-1][1], model.arg_params["fc2_bias"].asnumpy())
    assert not np.array_equal(seen[0][1], seen[1][1])
    # epoch_size: epochs of 2 batches over a 3-batch iterator continue where the last one stopped
    X, y, _, _, _ = ff_inputs()
    model = mx.model.FeedForward(ff_net(mx), num_epoch=2, epoch_size=2, learning_rate=0.1)
    got = []
    model.fit(mx.io.NDArrayIter(X, y, batch_size=32), batch_end_callback=lambda p: got.append((p.epoch, p.nbatch)))
    assert got == [(0, 1), (0, 2), (1, 1), (1, 2)]


def test_save_load_create_and_pickle(tmp_path):
    model, _, _, (Xt, yt) = train(mx.cpu(), True)
    prefix = str(tmp_path / "ff")
    model.save(prefix)
    assert os.path.exists(prefix + "-0002.params") and os.path.exists(prefix + "-symbol.json")
    loaded = mx.model.FeedForward.load(prefix, 2, ctx=mx.cpu())
    assert loaded.begin_epoch == 2
    np.testing.assert_array_equal(loaded.predict(Xt), model.predict(Xt))
    clone = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(clone.predict(Xt), model.predict(Xt))
    X, y, _, _, _ = ff_inputs()
    created = mx.model.FeedForward.create(ff_net(mx), X, y, num_epoch=1, learning_rate=0.1, numpy_batch_size=35)
    assert sorted(created.arg_params) == ["fc1_bias", "fc1_weight", "fc2_bias", "fc2_weight"]
    out, data, label = created.predict(Xt, return_data=True, num_batch=None)
    assert out.shape == (40, 3) and data.shape == (40, 5) and label.shape == (40,)
    assert created.predict(Xt, num_batch=1).shape == (35, 3)


def test_seed_tutorial_usage_learns():
    # the seed tutorial's FeedForward call: named symbol, kwargs as optimizer params, (X, y) eval pair
    data = mx.sym.Variable("data")
    label = mx.sym.Variable("softmax_label")
    l1 = mx.sym.FullyConnected(data=data, num_hidden=128, name="layer1")
    a1 = mx.sym.Activation(data=l1, act_type="relu", name="act1")
    l2 = mx.sym.FullyConnected(data=a1, num_hidden=10, name="layer2")
    cost_classification = mx.sym.SoftmaxOutput(data=l2, label=label)
    rng = np.random.default_rng(1)
    centers = rng.standard_normal((10, 20)).astype(np.float32) * 3
    ys = rng.integers(0, 10, 600)
    xs = centers[ys] + rng.standard_normal((600, 20)).astype(np.float32)
    np.random.seed(0)
    mx.random.seed(0)
    model = mx.model.FeedForward(symbol=cost_classification, num_epoch=5, learning_rate=0.1, momentum=0.9, initializer=mx.init.Xavier())
    model.fit(X=xs[:500], y=ys[:500].astype(np.float32), eval_data=(xs[500:], ys[500:].astype(np.float32)))
    acc = (model.predict(xs[500:]).argmax(axis=1) == ys[500:]).mean()
    assert acc > 0.9


def test_errors():
    X, y, _, _, _ = ff_inputs()
    model = mx.model.FeedForward(ff_net(mx), num_epoch=1)
    with pytest.raises(ValueError, match="y must be specified"):
        model.fit(X)
    with pytest.raises(ValueError, match="X has 70, y has 3"):
        model.fit(X, y[:3])
    with pytest.raises(ValueError, match="label must be 1-D"):
        model.fit(X, np.zeros((70, 2)))
    with pytest.raises(TypeError, match="X must be a DataIter"):
        model.fit([[1, 2]], y)
    with pytest.raises(ValueError, match="no parameters"):
        model.predict(X)
    with pytest.raises(ValueError, match="num_epoch is None"):
        mx.model.FeedForward(ff_net(mx)).fit(X, y)
    with pytest.raises(TypeError, match="ctx must be a Context"):
        mx.model.FeedForward(ff_net(mx), ctx="cpu")
    d = mx.sym.Variable("data")
    twice = mx.sym.FullyConnected(d, weight=mx.sym.Variable("w"), num_hidden=2, name="a") + mx.sym.FullyConnected(
        d, weight=mx.sym.Variable("w"), num_hidden=2, name="b"
    )
    with pytest.raises(ValueError, match='duplicated argument name "w"'):
        mx.model.FeedForward(twice)
    with pytest.raises(MXNetError, match="cannot read symbol file"):
        mx.model.FeedForward.load("/nonexistent/prefix", 1)
    bad = mx.model.FeedForward(ff_net(mx), num_epoch=1, arg_params={"fc1_weight": mx.nd.zeros((2, 2))})
    with pytest.raises(ValueError, match="'fc1_weight' has shape"):
        bad.fit(X, y)
