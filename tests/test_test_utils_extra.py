"""mx.test_utils' environment/random/optimizer/data helpers, mx.util, mx.runtime, mx.base helpers, mx.engine.bulk."""

from __future__ import annotations

import gzip
import os
import struct
import zipfile

import numpy as np
import pytest

import mxpy as mx
import mxpy.test_utils as tu


def test_environment_sets_and_restores(monkeypatch):
    monkeypatch.setenv("MXPY_T_A", "old")
    monkeypatch.delenv("MXPY_T_B", raising=False)
    with tu.environment({"MXPY_T_A": "new", "MXPY_T_B": "b"}):
        assert os.environ["MXPY_T_A"] == "new" and os.environ["MXPY_T_B"] == "b"
        with tu.environment("MXPY_T_A", None):
            assert "MXPY_T_A" not in os.environ
        assert os.environ["MXPY_T_A"] == "new"
    assert os.environ["MXPY_T_A"] == "old" and "MXPY_T_B" not in os.environ
    with pytest.raises(ValueError), tu.environment("MXPY_T_A", "x"):
        raise ValueError("body fails")
    assert os.environ["MXPY_T_A"] == "old"
    with pytest.raises(TypeError), tu.environment("a", "b", "c"):
        pass


def test_discard_stderr_hides_fd2(capfd):
    os.write(2, b"shown\n")
    with tu.discard_stderr():
        os.write(2, b"hidden\n")
    os.write(2, b"again\n")
    err = capfd.readouterr().err
    assert "shown" in err and "again" in err and "hidden" not in err


def test_retry_random_sample_and_platform_checks():
    calls = []

    @tu.retry(3)
    def always_fails():
        calls.append(1)
        raise AssertionError("no")

    with pytest.raises(AssertionError):
        always_fails()
    assert len(calls) == 3
    s = tu.random_sample(list(range(10)), 4)
    assert len(s) == 4 and len(set(s)) == 4 and set(s) <= set(range(10))
    with pytest.raises(ValueError):
        tu.random_sample([1, 2], 3)
    assert list(tu.list_gpus()) == list(range(mx.context.num_gpus()))
    assert isinstance(tu.is_aarch64_run(), bool) and tu.is_cd_run() in (True, False)


def test_chi_square_accepts_right_and_rejects_wrong_generator():
    pytest.importorskip("scipy")
    import scipy.stats as ss

    np.random.seed(0)
    buckets, probs = tu.gen_buckets_probs_with_ppf(lambda x: ss.norm.ppf(x, 0, 1), 5)
    assert len(buckets) == 5 and buckets[0][0] == -np.inf and probs == [0.2] * 5
    ps = tu.verify_generator(lambda n: np.random.normal(size=n), buckets, probs, nsamples=20000)
    assert len(ps) == 5
    with pytest.raises(AssertionError, match="Generator test fails"):
        tu.verify_generator(lambda n: np.random.normal(0.3, 1, size=n), buckets, probs, nsamples=20000)
    # a discrete distribution: buckets are the values
    p, obs, exp = tu.chi_square_check(lambda n: np.random.randint(0, 3, size=n), [0, 1, 2], [1 / 3] * 3, nsamples=3000)
    assert obs.sum() == 3000 and abs(exp.sum() - 3000) < 1e-6 and p > 1e-4
    assert tu.mean_check(lambda n: np.random.normal(1.0, 2.0, size=n), 1.0, 2.0, nsamples=100000)
    assert not tu.mean_check(lambda n: np.random.normal(1.5, 2.0, size=n), 1.0, 2.0, nsamples=100000)
    assert tu.var_check(lambda n: np.random.normal(0, 2.0, size=n), 2.0, nsamples=100000)


def test_compare_optimizer_catches_a_different_update():
    tu.compare_optimizer(mx.optimizer.SGD(learning_rate=0.1, momentum=0.9), mx.optimizer.SGD(learning_rate=0.1, momentum=0.9), (3, 4), np.float32)
    with pytest.raises(AssertionError):
        tu.compare_optimizer(mx.optimizer.SGD(learning_rate=0.1), mx.optimizer.SGD(learning_rate=0.2), (3, 4), np.float32)


def test_structure_helpers():
    a = mx.nd.zeros((4, 2))
    assert tu.same_array(a[0:2], a[0:2])  # first-axis slices are views of one chunk
    assert tu.same_array(a, a) and not tu.same_array(a, a.copy())
    x, y = mx.sym.Variable("x"), mx.sym.Variable("y")
    assert tu.same_symbol_structure(x + y, y + x) and not tu.same_symbol_structure(x + y, x * y)
    np.testing.assert_array_equal(tu.collapse_sum_like(np.ones((2, 3, 4)), (3, 1)), np.full((3, 1), 8.0))
    m = tu.new_sym_matrix_with_real_eigvals_nd((2, 3, 3))
    np.testing.assert_allclose(m, np.swapaxes(m, -1, -2), atol=1e-9)
    assert np.isrealobj(np.linalg.eigvals(tu.new_matrix_with_real_eigvals_2d(4)).real)


def _write_idx(path, arr):
    with open(path, "wb") as f:
        f.write(struct.pack(">I", 0x800 + arr.ndim) + struct.pack(">" + "I" * arr.ndim, *arr.shape) + arr.tobytes())


def test_mnist_getters_read_where_mxnet_downloads(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MXNET_OFFLINE", "1")
    with pytest.raises(OSError, match=str(tmp_path / "data")):
        tu.get_mnist_ubyte()
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 255, (20, 28, 28), dtype=np.uint8)
    lbls = (np.arange(20) % 10).astype(np.uint8)
    for stem in ("train", "t10k"):
        _write_idx(tmp_path / "data" / f"{stem}-images-idx3-ubyte", imgs)
        _write_idx(tmp_path / "data" / f"{stem}-labels-idx1-ubyte", lbls)
        for kind in ("images-idx3", "labels-idx1"):
            raw = (tmp_path / "data" / f"{stem}-{kind}-ubyte").read_bytes()
            (tmp_path / f"{stem}-{kind}-ubyte.gz").write_bytes(gzip.compress(raw))
    train, val = tu.get_mnist_iterator(batch_size=10, input_shape=(784,))
    batch = next(iter(val))
    assert batch.data[0].shape == (10, 784)
    # MNISTIter scales by 1/256 and shuffles by default (as MXNet's): each row is one of the images
    rows = {r.tobytes() for r in imgs.reshape(20, -1)}
    got = np.rint(batch.data[0].asnumpy() * 256).astype(np.uint8)
    assert all(r.tobytes() in rows for r in got)
    d = tu.get_mnist()
    assert d["train_data"].shape == (20, 1, 28, 28) and d["train_data"].dtype == np.float32
    np.testing.assert_array_equal(d["test_label"], lbls.astype(np.int8))


def test_download_and_archives_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("MXNET_OFFLINE", "1")
    with pytest.raises(OSError, match="put the file at " + str(tmp_path / "sub" / "f.bin")):
        tu.download("http://example.invalid/f.bin", dirname=str(tmp_path / "sub"))
    (tmp_path / "sub" / "f.bin").write_bytes(b"x")
    assert tu.download("http://example.invalid/f.bin", dirname=str(tmp_path / "sub")) == str(tmp_path / "sub" / "f.bin")
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as zf:
        zf.writestr("inner.txt", "hello")
    tu.get_zip_data(str(tmp_path), "http://example.invalid/a.zip", "a.zip")
    # the zip was there, so nothing is extracted (MXNet extracts only what it downloads)
    assert not (tmp_path / "inner.txt").exists()
    import bz2

    (tmp_path / "d.bz2").write_bytes(bz2.compress(b"line1\nline2\n"))
    tu.get_bz2_data(str(tmp_path), "d.txt", "http://example.invalid/d.bz2", "d.bz2")
    assert (tmp_path / "d.txt").read_bytes() == b"line1\nline2\n" and not (tmp_path / "d.bz2").exists()


def test_star_import_hands_out_what_mxnet_tests_use():
    ns: dict = {}
    exec("from mxpy.test_utils import *", ns)  # noqa: S102 -- the star import is what is tested
    for name in ("environment", "verify_generator", "np", "sys", "assert_almost_equal", "retry", "same_array", "use_np"):
        assert name in ns, name


def test_util_np_shape_flags():
    assert not mx.util.is_np_shape()
    with mx.util.np_shape():
        assert mx.util.is_np_shape()
        with mx.util.np_shape(False):
            assert not mx.util.is_np_shape()
        assert mx.util.is_np_shape()
    assert not mx.util.is_np_shape()

    @mx.util.use_np
    class C:
        def f(self):
            return mx.util.is_np_shape(), mx.util.is_np_array()

        @property
        def p(self):
            return mx.util.is_np_shape()

    assert C().f() == (True, True) and C().p is True and not mx.util.is_np_array()
    with pytest.raises(TypeError):
        mx.util.use_np_shape(3)
    with pytest.raises(ValueError):
        mx.util.set_np(shape=False, array=True)


def test_runtime_features_base_helpers_and_bulk():
    f = mx.runtime.Features()
    assert f is mx.runtime.Features() and "CUDA" in f and "TVM_OP" in f
    assert f.is_enabled("lapack") and not f.is_enabled("MKLDNN")
    assert f.is_enabled("CUDA") == (mx.context.num_gpus() > 0)
    with pytest.raises(RuntimeError, match="unknown"):
        f.is_enabled("NO_SUCH")
    assert mx.base.py_str(b"abc") == "abc" and mx.base.py_str("x") == "x"
    assert mx.base._as_list(1) == [1] and mx.base._as_list((1, 2)) == (1, 2)
    assert isinstance(np.int64(3), mx.base.integer_types) and isinstance(2.5, mx.base.numeric_types)
    assert mx.base.mx_real_t is np.float32
    assert mx.nd.ndarray.py_slice is slice
    old = mx.engine.set_bulk_size(7)
    with mx.engine.bulk(3):
        assert mx.engine.set_bulk_size(3) == 3
        y = mx.nd.ones((2,)) * 2
    assert mx.engine.set_bulk_size(old) == 7
    assert y.asnumpy().tolist() == [2.0, 2.0]
    for name in ("NDArray", "get_symbol", "Function", "mark_variables", "set_recording", "set_training"):
        assert name in mx.autograd.__all__ and hasattr(mx.autograd, name)
