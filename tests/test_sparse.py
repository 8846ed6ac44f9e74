"""Sparse storage (row_sparse, csr) against MXNet 1.9.1 (tests/golden/make_sparse.py)."""

from __future__ import annotations

import json
import os
import pickle

import numpy as np
import pytest

import mxpy as mx
from mxpy.base import MXNetError

HERE = os.path.dirname(os.path.abspath(__file__))
GOLD = np.load(os.path.join(HERE, "golden", "sparse.npz"))
PARAMS = os.path.join(HERE, "golden", "sparse.params")


def check(name: str, arr, structure: bool = True) -> None:
    """``arr`` has MXNet's storage type, values and (for sparse, with ``structure``) index arrays
    for case ``name``."""
    assert arr.stype == str(GOLD[f"{name}_stype"]), name
    np.testing.assert_allclose(arr.asnumpy(), GOLD[name], rtol=1e-5, atol=1e-6, err_msg=name)
    if not structure:
        return
    if arr.stype != "default":
        np.testing.assert_array_equal(arr.indices.asnumpy(), GOLD[f"{name}_indices"], err_msg=name)
    if arr.stype == "csr":
        np.testing.assert_array_equal(arr.indptr.asnumpy(), GOLD[f"{name}_indptr"], err_msg=name)


def rsp(name: str):
    return mx.nd.array(GOLD[name]).tostype("row_sparse")


def csr(name: str):
    return mx.nd.array(GOLD[name]).tostype("csr")


# -- classes, constructors, conversions -------------------------------------------------------


def test_constructors_and_components():
    a = mx.nd.sparse.csr_matrix(([1.0, 2.0, 3.0], [1, 0, 2], [0, 1, 3]), shape=(2, 3))
    assert isinstance(a, mx.nd.sparse.CSRNDArray) and isinstance(a, mx.nd.NDArray)
    assert a.stype == "csr" and a.shape == (2, 3) and a.dtype == np.float32
    assert a.indptr.asnumpy().tolist() == [0, 1, 3] and a.indices.dtype == np.int64
    np.testing.assert_array_equal(a.asnumpy(), [[0, 1, 0], [2, 0, 3]])
    r = mx.nd.sparse.row_sparse_array(([[1.0, 2.0]], [2]), shape=(4, 2))
    assert isinstance(r, mx.nd.sparse.RowSparseNDArray) and r.data.shape == (1, 2)
    np.testing.assert_array_equal(r.asnumpy(), [[0, 0], [0, 0], [1, 2], [0, 0]])
    coo = mx.nd.sparse.csr_matrix(([5.0, 6.0], ([1, 0], [2, 1])), shape=(2, 3))
    np.testing.assert_array_equal(coo.asnumpy(), [[0, 6, 0], [0, 0, 5]])
    assert mx.nd.sparse.csr_matrix((3, 4)).asnumpy().sum() == 0
    z = mx.nd.zeros((3, 2), stype="row_sparse", dtype="float64")
    assert z.stype == "row_sparse" and z.dtype == np.float64 and z.data.shape == (0, 2)
    assert mx.nd.sparse.empty("csr", (2, 2)).indptr.asnumpy().tolist() == [0, 0, 0]
    dense = mx.nd.sparse.row_sparse_array(np.eye(3, dtype=np.float64))
    assert dense.dtype == np.float64 and dense.indices.asnumpy().tolist() == [0, 1, 2]
    with pytest.raises(ValueError):
        mx.nd.sparse.row_sparse_array(a)


def test_cast_storage_matches_mxnet():
    check("cast_rsp", rsp("in_A"))
    check("cast_csr", csr("in_C"))
    back = rsp("in_A").tostype("default")
    assert back.stype == "default" and type(back) is mx.nd.NDArray
    np.testing.assert_array_equal(back.asnumpy(), GOLD["in_A"])
    assert mx.nd.cast_storage(mx.nd.array(GOLD["in_C"]), stype="csr").stype == "csr"
    with pytest.raises(ValueError):
        rsp("in_A").tostype("csr")


def test_copies_contexts_and_check_format():
    a = csr("in_C")
    b = a.copyto(mx.cpu(1))
    assert b.context == mx.cpu(1) and b.stype == "csr"
    np.testing.assert_array_equal(b.asnumpy(), GOLD["in_C"])
    c = a.as_in_context(mx.cpu(0))
    assert c is a
    d = mx.nd.zeros(a.shape)
    a.copyto(d)
    np.testing.assert_array_equal(d.asnumpy(), GOLD["in_C"])
    e = rsp("in_A").astype("float64")
    assert e.dtype == np.float64 and e.stype == "row_sparse"
    a.check_format()
    bad = mx.nd.sparse.csr_matrix(([1.0, 2.0], [2, 1], [0, 2]), shape=(1, 3))
    with pytest.raises(MXNetError):
        bad.check_format()
    bad_rsp = mx.nd.sparse.row_sparse_array(([[1.0], [2.0]], [3, 1]), shape=(4, 1))
    with pytest.raises(MXNetError):
        bad_rsp.check_format()


def test_csr_slicing_matches_mxnet():
    c = csr("in_C")
    check("csr_slice", c[1:3])
    check("csr_row", c[2])
    with pytest.raises(ValueError):
        c[::2]


def test_asscipy():
    spsp = pytest.importorskip("scipy.sparse")
    c = csr("in_C")
    m = c.asscipy()
    assert isinstance(m, spsp.csr_matrix)
    np.testing.assert_array_equal(m.toarray(), GOLD["in_C"])
    back = mx.nd.sparse.array(m)
    assert back.stype == "csr"
    np.testing.assert_array_equal(back.asnumpy(), GOLD["in_C"])
    assert mx.nd.array(m).stype == "csr"


# -- operators ---------------------------------------------------------------------------------


def test_elementwise_matches_mxnet():
    a, b, c, d = rsp("in_A"), rsp("in_B"), csr("in_C"), csr("in_D")
    dn = mx.nd.array(GOLD["in_DN"])
    check("add_rsp_rsp", a + b)
    check("sub_rsp_rsp", a - b)
    check("add_csr_csr", c + d, structure=False)  # MXNet's sum keeps explicit zeros, unsorted
    check("add_rsp_dns", a + dn)
    check("mul_rsp_dns", mx.nd.elemwise_mul(a, dn))
    check("mul_scalar_rsp", a * 3.0)
    check("div_scalar_csr", c / 2.0)
    check("plus_scalar_rsp", a + 1.0)
    check("abs_rsp", mx.nd.abs(a))
    check("exp_rsp", mx.nd.exp(a))
    check("add_n_rsp", mx.nd.add_n(a, b, a))
    check("zeros_like_rsp", mx.nd.zeros_like(a))
    np.testing.assert_allclose((a * b).asnumpy(), GOLD["mul_rsp_rsp"])
    assert (a * b).stype == str(GOLD["mul_rsp_rsp_stype"])


def test_retain_square_sum_dot_match_mxnet():
    a, c = rsp("in_A"), csr("in_C")
    check("retain_rsp", mx.nd.sparse.retain(a, mx.nd.array([0, 1, 2], dtype="int64")))
    check("retain_rsp", a.retain(mx.nd.array([0, 1, 2])))
    ss = mx.nd._internal._square_sum(a, axis=1)
    np.testing.assert_allclose(ss.asnumpy(), GOLD["square_sum_rsp"], rtol=1e-6)
    check("dot_csr_dns", mx.nd.sparse.dot(c, mx.nd.array(GOLD["in_R1"])))
    check("dot_csrT_dns", mx.nd.sparse.dot(c, mx.nd.array(GOLD["in_R2"]), transpose_a=True))


def test_storage_fallback_is_dense_and_correct():
    a = rsp("in_A")
    s = mx.nd.sum(a, axis=0)
    assert s.stype == "default"
    np.testing.assert_allclose(s.asnumpy(), GOLD["in_A"].sum(axis=0), rtol=1e-6)
    w = mx.nd.where(mx.nd.array(GOLD["in_A"] > 0), a, mx.nd.ones(a.shape))
    np.testing.assert_allclose(w.asnumpy(), np.where(GOLD["in_A"] > 0, GOLD["in_A"], 1))


def test_inplace_and_assignment():
    a = rsp("in_A")
    a += rsp("in_B")
    np.testing.assert_allclose(a.asnumpy(), GOLD["add_rsp_rsp"], rtol=1e-6)
    a[:] = 0
    assert a.asnumpy().sum() == 0 and a.stype == "row_sparse"
    a[:] = rsp("in_B")
    np.testing.assert_array_equal(a.asnumpy(), GOLD["in_B"])


# -- optimizer updates ------------------------------------------------------------------------

UPDATES = {
    "sgd_lazy": ("sgd_update", 0, dict(lr=0.1, wd=0.05, rescale_grad=0.7, clip_gradient=0.3)),
    "sgd_std": ("sgd_update", 0, dict(lr=0.1, wd=0.05, lazy_update=False)),
    "sgd_mom_lazy": ("sgd_mom_update", 1, dict(lr=0.1, momentum=0.9, wd=0.05)),
    "sgd_mom_std": ("sgd_mom_update", 1, dict(lr=0.1, momentum=0.9, wd=0.05, lazy_update=False)),
    "adam_lazy": ("adam_update", 2, dict(lr=0.01, wd=0.05, beta1=0.8, beta2=0.9)),
    "adam_std": ("adam_update", 2, dict(lr=0.01, wd=0.05, lazy_update=False)),
    "ftrl": ("ftrl_update", 2, dict(lr=0.1, lamda1=0.01, beta=1.0, wd=0.05)),
    "adagrad": ("adagrad_update", 1, dict(lr=0.1, epsilon=1e-5, rescale_grad=0.5)),
    "rmsprop_fallback": ("rmsprop_update", 1, dict(lr=0.1)),
}


@pytest.mark.parametrize("case", sorted(UPDATES))
def test_row_sparse_updates_match_mxnet(case):
    opname, nstate, kw = UPDATES[case]
    w = mx.nd.array(GOLD["in_W"])
    g = rsp("in_G")
    states = [mx.nd.array(GOLD[s]) for s in ("in_S1", "in_S2")[:nstate]]
    getattr(mx.nd.sparse, opname)(w, g, *states, out=w, **kw)
    np.testing.assert_allclose(w.asnumpy(), GOLD[f"upd_{case}_w"], rtol=1e-5, atol=1e-6)
    for i, s in enumerate(states):
        np.testing.assert_allclose(s.asnumpy(), GOLD[f"upd_{case}_s{i}"], rtol=1e-5, atol=1e-6)


def test_lazy_update_on_row_sparse_weight_and_state():
    w = mx.nd.array(GOLD["in_W"]).tostype("row_sparse")
    mom = mx.nd.zeros(w.shape, stype="row_sparse")
    mx.nd.sgd_mom_update(w, rsp("in_G"), mom, out=w, lr=0.1, momentum=0.9, wd=0.05)
    assert w.stype == "row_sparse"
    ref_w, ref_m = mx.nd.array(GOLD["in_W"]), mx.nd.zeros(w.shape)
    mx.nd.sgd_mom_update(ref_w, rsp("in_G"), ref_m, out=ref_w, lr=0.1, momentum=0.9, wd=0.05)
    np.testing.assert_allclose(w.asnumpy(), ref_w.asnumpy(), rtol=1e-6)
    np.testing.assert_allclose(mom.asnumpy(), ref_m.asnumpy(), rtol=1e-6)


# -- the file format and the engine ---------------------------------------------------------------


def test_load_mxnet_file_and_save_byte_identical(tmp_path):
    loaded = mx.nd.load(PARAMS)
    assert loaded["r"].stype == "row_sparse" and loaded["c"].stype == "csr" and loaded["d"].stype == "default"
    assert loaded["r"].indices.asnumpy().tolist() == [1, 3] and loaded["r64"].dtype == np.float64
    assert loaded["zc"].indptr.asnumpy().tolist() == [0, 0, 0]
    out = tmp_path / "again.params"
    mx.nd.save(str(out), {k: loaded[k] for k in ("r", "c", "zr", "zc", "r64", "d")})
    with open(PARAMS, "rb") as f:
        assert out.read_bytes() == f.read()
    again = pickle.loads(pickle.dumps(loaded["c"]))
    assert again.stype == "csr"
    np.testing.assert_array_equal(again.asnumpy(), loaded["c"].asnumpy())


def test_engine_orders_sparse_and_dense_work():
    eng = mx.engine.ThreadedEngine()
    old = mx.engine.set_engine(eng)
    try:
        a = mx.nd.zeros((200, 50), stype="row_sparse")
        x = mx.nd.ones((200, 50))
        for k in range(20):
            a += (x * float(k)).tostype("row_sparse")
            x += 1
        a.wait_to_read()
        expected = sum(float(k) * (1 + k) for k in range(20))
        np.testing.assert_allclose(a.asnumpy(), np.full((200, 50), expected), rtol=1e-6)
    finally:
        mx.engine.set_engine(old)


# -- which storage type each operation returns (tests/golden/make_sparse_stypes.py) ----------------

STYPE_CASES = {
    "eq1": lambda a: a == 1,
    "eq0": lambda a: a == 0,
    "gt0": lambda a: a > 0,
    "lt0": lambda a: a < 0,
    "ge0": lambda a: a >= 0,
    "ne0": lambda a: a != 0,
    "pow2": lambda a: a**2,
    "neg": lambda a: -a,
    "plus1": lambda a: a + 1,
    "times3": lambda a: a * 3,
    "exp": lambda a: mx.nd.exp(a),
    "sqrt": lambda a: mx.nd.sqrt(a),
    "abs": lambda a: mx.nd.abs(a),
    "sum0": lambda a: mx.nd.sum(a, axis=0),
    "self_add": lambda a: a + a,
    "self_mul": lambda a: a * a,
    "zeros_like": lambda a: mx.nd.zeros_like(a),
}
with open(os.path.join(HERE, "golden", "sparse_stypes.json")) as _f:
    STYPES = json.load(_f)


@pytest.mark.parametrize("key", sorted(STYPES))
def test_result_storage_types_match_mxnet(key):
    name, stype = key.split("/")
    res = STYPE_CASES[name](mx.nd.array([[0, 1, 2], [0, 0, 0], [3, 0, 1]]).tostype(stype))
    want = STYPES[key]
    assert (res.stype, res.dtype.__name__) == (want["stype"], want["dtype"])
    np.testing.assert_allclose(res.asnumpy(), np.array(want["value"]), rtol=1e-6)


def test_take_getnnz_and_constructor_errors():
    c = mx.nd.array([[0, 1, 0], [2, 0, 3], [0, 0, 4]]).tostype("csr")
    t = mx.nd.take(c, mx.nd.array([2, 0, 5]), mode="clip")
    assert t.stype == "csr"
    np.testing.assert_array_equal(t.asnumpy(), c.asnumpy()[[2, 0, 2]])
    assert mx.nd.contrib.getnnz(c, axis=1).asnumpy().tolist() == [1, 2, 1]
    assert mx.nd.contrib.getnnz(c).asnumpy().tolist() == [4]
    with pytest.raises(ValueError, match="Shape mismatch"):
        mx.nd.sparse.row_sparse_array((3, 2), shape=(4, 2))
    with pytest.raises(ValueError, match="invalid shape"):
        mx.nd.sparse.csr_matrix(([], [], [0, 0]))
    with pytest.raises(ValueError):
        mx.nd.array([1, 2, 3]).tostype("csr")
    with pytest.raises(MXNetError):
        mx.nd.sparse.retain(rsp("in_A"), mx.nd.array([0]), invalid_arg="garbage")


@pytest.mark.parametrize("opt", ["sgd", "adam", "adagrad", "ftrl"])
def test_optimizers_with_row_sparse_weight_and_grad(opt):
    kw = {"momentum": 0.9, "wd": 0.01} if opt == "sgd" else {"wd": 0.0} if opt == "adagrad" else {"wd": 0.01}
    ref = mx.optimizer.create(opt, lazy_update=False, **kw) if opt in ("sgd", "adam") else mx.optimizer.create(opt, **kw)
    # a row_sparse weight holding every row and a row_sparse gradient holding every row: lazy == dense
    w = mx.test_utils.rand_ndarray((4, 3), "row_sparse", density=1)
    g = mx.test_utils.rand_ndarray((4, 3), "row_sparse", density=1)
    w1, g1 = w.tostype("default"), g.tostype("default")
    opt2 = mx.optimizer.create(opt, **kw)
    s1, s2 = ref.create_state(0, w1), opt2.create_state(0, w)
    ref.update(0, w1, g1, s1)
    opt2.update(0, w, g, s2)
    assert w.stype == "row_sparse"
    np.testing.assert_allclose(w.asnumpy(), w1.asnumpy(), rtol=1e-5, atol=1e-6)
