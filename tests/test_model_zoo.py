"""gluon.model_zoo.vision and gluon.contrib.nn against MXNet 1.9.1.

Golden fixtures: tests/golden/model_zoo.json.gz (names and shapes of every model's parameters,
structural names for save_parameters) and model_zoo.npz (outputs), made by
tests/golden/make_model_zoo.py.
"""

from __future__ import annotations

import gzip
import json
import pathlib

import numpy as np
import pytest

import mxpy as mx
from mxpy import autograd, gluon
from mxpy.base import MXNetError
from mxpy.gluon.model_zoo import model_store, vision

HERE = pathlib.Path(__file__).parent / "golden"
with gzip.open(HERE / "model_zoo.json.gz", "rt") as _f:
    GOLDEN = json.load(_f)
ARRAYS = np.load(HERE / "model_zoo.npz")
# the forward cases whose nets are large at their input size run with make test-slow
SLOW_FORWARD = {"squeezenet1.1", "densenet121", "alexnet", "inceptionv3"}


def _inputs():
    """The golden script's inputs, drawn in its order from its seed."""
    rng = np.random.RandomState(5)
    sizes = {"resnet18_v1": 64, "resnet18_v2": 64, "mobilenet0.25": 64, "mobilenetv2_0.25": 64, "squeezenet1.1": 224}
    sizes.update({"densenet121": 224, "alexnet": 224, "vgg11_bn": 64, "inceptionv3": 299})
    xs = {c["name"]: rng.uniform(-1, 1, (2, 3, sizes[c["name"]], sizes[c["name"]])).astype(np.float32) for c in GOLDEN["forward"]}
    return xs, rng


def _fill(net, seed):
    rng = np.random.RandomState(seed)
    params = net.collect_params()
    for name in sorted(params.keys()):
        p = params[name]
        lo, hi = (0.5, 1.5) if name.endswith("running_var") else (-0.1, 0.1)
        p.set_data(mx.nd.array(rng.uniform(lo, hi, p.shape)))


@pytest.mark.parametrize("name", sorted(GOLDEN["models"]))
def test_parameter_names_and_shapes_match_mxnet(name):
    want = GOLDEN["models"][name]
    kwargs = {"classes": want["output_shape"][1]}
    if want["thumbnail"]:
        kwargs["thumbnail"] = True
    net = vision.get_model(name.replace("_thumbnail", ""), **kwargs)
    net.initialize()
    size = 32 if want["thumbnail"] else (299 if name == "inceptionv3" else 224)
    net.infer_shape(mx.nd.zeros((1, 3, size, size)))
    got = [[k[len(net.prefix) :], list(v.shape)] for k, v in net.collect_params().items()]
    assert got == [[k[len(want["prefix"]) :], s] for k, s in want["params"]]
    assert net.prefix.rstrip("_0123456789") == want["prefix"].rstrip("_0123456789")
    if "structural" in want:  # the names in MXNet's published .params files
        assert sorted(net._collect_params_with_prefix()) == want["structural"]


def _has_dropout(block) -> bool:
    return isinstance(block, gluon.nn.Dropout) or any(_has_dropout(c) for c in block._children.values())


def _forward_cases():
    for c in GOLDEN["forward"]:
        marks = [pytest.mark.slow] if c["name"] in SLOW_FORWARD else []
        yield pytest.param(c, id=c["name"], marks=marks)


@pytest.mark.parametrize("case", list(_forward_cases()))
def test_forward_matches_mxnet(case):
    x = _inputs()[0][case["name"]]
    net = vision.get_model(case["name"], classes=5)
    net.initialize()
    net(mx.nd.array(x))
    _fill(net, 7)
    key = case["key"]
    np.testing.assert_allclose(net(mx.nd.array(x)).asnumpy(), ARRAYS[key + "__imperative"], rtol=1e-4, atol=1e-5)
    with autograd.record(train_mode=True):
        train = net(mx.nd.array(x)).asnumpy()  # BatchNorm uses and updates batch statistics
    if not _has_dropout(net):  # Dropout draws its own masks in each framework
        np.testing.assert_allclose(train, ARRAYS[key + "__train"], rtol=1e-4, atol=1e-5)
    net.hybridize()
    np.testing.assert_allclose(net(mx.nd.array(x)).asnumpy(), ARRAYS[key + "__hybrid"], rtol=1e-4, atol=1e-5)


def test_get_model_names_every_option_for_an_unknown_name():
    with pytest.raises(ValueError, match="resnet18_v1") as e:
        vision.get_model("resnet19_v1")
    assert "mobilenetv2_0.25" in str(e.value)


def test_pretrained_without_the_file_names_it_and_where_to_put_it(tmp_path, monkeypatch):
    monkeypatch.setenv("MXNET_GLUON_REPO", "http://127.0.0.1:9/")  # nothing listens there: fails at once
    with pytest.raises(MXNetError) as e:
        vision.get_model("squeezenet1.1", pretrained=True, root=str(tmp_path))
    msg = str(e.value)
    assert "squeezenet1.1-33ba0f93.params" in msg and str(tmp_path) in msg


def test_pretrained_loads_a_file_with_the_published_hash(tmp_path, monkeypatch):
    # a file named and placed as MXNet keeps it is used when its SHA-1 is the published one: the
    # store is made to expect this file's hash (the published files cannot be fetched here)
    src = vision.get_model("resnet18_v1", classes=1000)
    src.initialize(mx.init.Uniform(0.1))
    src(mx.nd.zeros((1, 3, 32, 32)))
    saved = tmp_path / "saved.params"
    src.save_parameters(str(saved))
    import hashlib

    sha1 = hashlib.sha1(saved.read_bytes()).hexdigest()
    monkeypatch.setitem(model_store._SHA1, "resnet18_v1", sha1)
    saved.rename(tmp_path / f"resnet18_v1-{sha1[:8]}.params")
    net = vision.get_model("resnet18_v1", pretrained=True, root=str(tmp_path))
    for (_, a), (_, b) in zip(sorted(src._collect_params_with_prefix().items()), sorted(net._collect_params_with_prefix().items())):
        np.testing.assert_array_equal(a.data().asnumpy(), b.data().asnumpy())


def test_model_file_names_follow_mxnets_store():
    assert model_store.get_model_file_name("mobilenetv2_1.0") == "mobilenetv2_1.0-36da4ff1.params"
    with pytest.raises(ValueError, match="not available"):
        model_store.get_model_file_name("resnet19_v1")


@pytest.mark.parametrize("cls", ["PixelShuffle1D", "PixelShuffle2D", "PixelShuffle3D"])
def test_pixel_shuffle_matches_mxnet(cls):
    spec = GOLDEN["contrib"][cls]
    factor = tuple(spec["factor"]) if isinstance(spec["factor"], list) else spec["factor"]
    x = np.arange(np.prod(spec["shape"]), dtype=np.float32).reshape(spec["shape"])
    layer = getattr(gluon.contrib.nn, cls)(factor)
    np.testing.assert_array_equal(layer(mx.nd.array(x)).asnumpy(), ARRAYS["contrib_" + cls])
    layer.hybridize()
    np.testing.assert_array_equal(layer(mx.nd.array(x)).asnumpy(), ARRAYS["contrib_" + cls + "_hybrid"])


def test_pixel_shuffle_rejects_a_bad_factor():
    with pytest.raises(MXNetError, match="PixelShuffle2D: factor"):
        gluon.contrib.nn.PixelShuffle2D((2, 2, 2))


def test_contrib_layers_name_their_parameters_as_mxnet():
    spec = GOLDEN["contrib"]
    net = gluon.nn.HybridSequential()
    with net.name_scope():
        conc = gluon.contrib.nn.HybridConcurrent(axis=1)
        with conc.name_scope():
            conc.add(gluon.nn.Dense(3), gluon.contrib.nn.Identity())
        net.add(conc)
        c2 = gluon.contrib.nn.Concurrent(axis=1)
        net.add(gluon.contrib.nn.SyncBatchNorm(in_channels=5))
    emb = gluon.contrib.nn.SparseEmbedding(4, 2)
    strip = net.prefix

    def names(block, prefix):
        return [[k[len(prefix) :], list(v.shape)] for k, v in block.collect_params().items()]

    want_prefix = spec["names"][0][0].split("_")[0] + "_"
    want = [[k[len(want_prefix) :], s] for k, s in spec["names"][:-1]]
    assert names(net, strip) == want
    assert [conc.prefix[len(strip) :], c2.prefix[len(strip) :]] == [p[len(want_prefix) :] for p in spec["prefixes"]]
    assert emb.collect_params().keys() and list(emb.collect_params().values())[0].shape == tuple(spec["names"][-1][1])
    assert isinstance(emb, gluon.HybridBlock) == spec["sparse_embedding_is_hybrid"]


def test_sync_batchnorm_trains_as_batchnorm():
    _, rng = _inputs()
    xb = rng.uniform(-1, 1, (4, 3, 2, 2)).astype(np.float32)
    bn = gluon.contrib.nn.SyncBatchNorm(in_channels=3)
    bn.initialize()
    with autograd.record():
        y = bn(mx.nd.array(xb))
    np.testing.assert_allclose(y.asnumpy(), ARRAYS["contrib_syncbn_y"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bn.running_mean.data().asnumpy(), ARRAYS["contrib_syncbn_running_mean"], rtol=1e-5, atol=1e-7)
