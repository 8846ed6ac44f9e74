"""mx.init: name dispatch, __init__ overrides, deterministic initializers,
dumps/create round trips and random-draw statistics against MXNet 1.9.1.

Golden values come from tests/golden/make_train_utils.py (train_utils.json).
"""

from __future__ import annotations

import builtins
import json
import logging
import os
import types
import warnings

import numpy as np
import pytest

import mxpy
from mxpy import initializer
from mxpy import ndarray as nd

with open(os.path.join(os.path.dirname(__file__), "golden", "train_utils.json")) as _f:
    _GOLDEN = json.load(_f)

# The fixture's expressions are MXNet API calls written against ``mx``.
mx = types.SimpleNamespace(nd=nd, init=initializer, initializer=initializer, random=mxpy.random)

# MXNet raises these with an empty or unformatted message; mxpy says more.
_REWORDED = {"Parameter name %s did not match any pattern."}


def _eval(expr: str):
    return eval(expr, {"mx": mx})  # expressions from the golden fixture


def _check_error(exc: BaseException, golden: dict, name: str | None = None) -> None:
    # mxpy may raise a subclass that names more (issue 11: NotRegisteredError is an AssertionError)
    assert type(exc).__name__ == golden["type"] or isinstance(exc, getattr(builtins, golden["type"], ())), (exc, golden)
    if any(golden["msg"].startswith(r) for r in _REWORDED):
        assert name is not None and name in str(exc)
    elif golden["msg"]:
        assert str(exc).startswith(golden["msg"])


def _case_id(c):
    return f"{c['expr'][:40]}-{c['name']}-{'legacy' if c['legacy'] else 'desc'}-{sorted(c['attrs'].values())}"


@pytest.mark.parametrize("case", _GOLDEN["init"], ids=_case_id)
def test_dispatch_and_values_match_mxnet(case):
    init = _eval(case["expr"])
    arr = nd.full(tuple(case["shape"]), -9.0)
    desc = case["name"] if case["legacy"] else initializer.InitDesc(case["name"], dict(case["attrs"]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if "error" in case:
            with pytest.raises(Exception) as ei:
                init(desc, arr)
            _check_error(ei.value, case["error"], case["name"])
            return
        init(desc, arr)
    np.testing.assert_allclose(arr.asnumpy(), np.array(case["value"], dtype=np.float32), rtol=1e-6)
    assert [w.category.__name__ for w in caught] == case["warned"]


@pytest.mark.parametrize("expr", sorted(_GOLDEN["dumps"]))
def test_dumps_and_create_match_mxnet(expr):
    cls_name, dumped = _GOLDEN["dumps"][expr]
    init = _eval(expr)
    assert type(init).__name__ == cls_name
    assert init.dumps() == dumped
    again = initializer.create(dumped)
    assert type(again) is type(init) and again.dumps() == dumped


@pytest.mark.parametrize("expr", sorted(_GOLDEN["create_errors"]))
def test_create_errors_match_mxnet(expr):
    with pytest.raises(Exception) as ei:
        _eval(expr)
    _check_error(ei.value, _GOLDEN["create_errors"][expr])


def test_unknown_name_lists_known_initializers():
    with pytest.raises(AssertionError, match=r"known: .*xavier"):
        initializer.create("nope")


@pytest.mark.parametrize("case", _GOLDEN["stats"], ids=lambda c: c["expr"])
def test_random_initializer_statistics_match_mxnet(case):
    arr = nd.zeros(tuple(case["shape"]))
    _eval(case["expr"])(initializer.InitDesc("x_weight"), arr)
    a = arr.asnumpy().astype(np.float64)
    assert abs(a.mean()) < 0.05 * case["std"] + 1e-3
    assert a.std() == pytest.approx(case["std"], rel=0.03)
    if "Uniform" in case["expr"] or ("Xavier" in case["expr"] and "gaussian" not in case["expr"]):
        # uniform draws: the bound is exact, and the largest draw reaches it
        assert np.abs(a).max() <= case["absmax"] * 1.001
        assert np.abs(a).max() >= case["absmax"] * 0.99
    flat = a.reshape(case["shape"][0], -1)
    gram = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
    assert np.diag(gram).mean() == pytest.approx(case["gram_diag"], rel=0.05)
    if "Orthogonal" in case["expr"]:
        assert np.abs(gram - np.diag(np.diag(gram))).max() < 1e-5


def test_seed_makes_random_initializers_reproducible():
    draws = []
    for _ in range(2):
        mxpy.random.seed(123)
        a = nd.zeros((8, 6))
        initializer.Xavier(rnd_type="gaussian")(initializer.InitDesc("fc_weight"), a)
        b = nd.zeros((8, 6))
        initializer.Orthogonal()(initializer.InitDesc("fc_weight"), b)
        draws.append((a.asnumpy(), b.asnumpy()))
    np.testing.assert_array_equal(draws[0][0], draws[1][0])
    np.testing.assert_array_equal(draws[0][1], draws[1][1])


def test_random_fill_keeps_dtype_and_context():
    a = nd.zeros((20, 30), dtype="float16")
    initializer.Uniform(0.5)(initializer.InitDesc("w_weight"), a)
    v = a.asnumpy()
    assert v.dtype == np.float16 and np.abs(v).max() <= 0.5 and v.std() > 0.2


def test_global_init_and_verbose_logging(caplog):
    init = initializer.Constant(2.0).set_verbosity(True)
    desc = initializer.InitDesc("fc_weight")
    a = nd.zeros((4,))
    with caplog.at_level(logging.INFO):
        init(desc, a)
    assert desc.global_init is init
    assert caplog.records and "Initialized fc_weight as weight: 2.0" in caplog.records[-1].getMessage()


def test_register_custom_initializer_and_equality():
    @initializer.register
    class TestHalves(initializer.Initializer):
        def __init__(self, k=1):
            super().__init__(k=k)

        def _init_weight(self, _, arr):
            arr[:] = 0.5

    made = initializer.create('["testhalves", {"k": 3}]')
    assert isinstance(made, TestHalves) and made == TestHalves(k=3) and made != TestHalves(k=2)
    a = nd.zeros((2,))
    made(initializer.InitDesc("z_weight"), a)
    assert a.asnumpy().tolist() == [0.5, 0.5]
    with pytest.raises(TypeError, match="subclasses of Initializer"):
        initializer.register(int)


def test_base_initializer_has_no_weight_rule():
    with pytest.raises(TypeError, match="_init_weight.*fc_weight"):
        initializer.Initializer()(initializer.InitDesc("fc_weight"), nd.zeros((2,)))


def test_load_from_file(tmp_path):
    path = str(tmp_path / "p.params")
    nd.save(path, {"arg:fc_weight": nd.array([[1, 2], [3, 4]]), "aux:bn_moving_mean": nd.array([7, 8])})
    init = initializer.Load(path, verbose=True)
    w, m = nd.zeros((2, 2)), nd.zeros((2,))
    init(initializer.InitDesc("fc_weight"), w)
    init("bn_moving_mean", m)
    assert w.asnumpy().tolist() == [[1, 2], [3, 4]] and m.asnumpy().tolist() == [7, 8]


def test_quantized_names():
    w = nd.full((2, 3), 99, dtype="int8")
    initializer.Xavier()(initializer.InitDesc("fc_weight_quantize"), w)
    v = w.asnumpy()
    # MXNet fills a quantized weight with one int8 draw in [-127, 127)
    assert v.dtype == np.int8 and (v == v.flat[0]).all() and -127 <= int(v.flat[0]) < 127
    b = nd.full((3,), 5, dtype="int8")
    initializer.Xavier()(initializer.InitDesc("fc_bias_quantize"), b)
    assert b.asnumpy().tolist() == [0, 0, 0]
