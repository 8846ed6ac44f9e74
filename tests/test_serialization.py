"""mx.nd.save / mx.nd.load / mx.nd.load_frombuffer against files written by real MXNet 1.9.1.

The fixtures in tests/golden/nd_files/ and their expected contents
(expected.json) come from tests/golden/make_nd_files.py run with real MXNet.
"""

from __future__ import annotations

import json
import os
import pathlib
import random
import stat
import struct
import tempfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mxpy as mx
from mxpy.base import MXNetError
from mxpy.ndarray import serialization

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "golden", "nd_files")
with open(os.path.join(FIXTURES, "expected.json"), encoding="utf-8") as _f:
    EXPECTED = json.load(_f)

DEV_TYPES = {1: "cpu", 2: "gpu", 3: "cpu_pinned", 5: "cpu_shared"}


def fixture_bytes(name: str) -> bytes:
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


def expected_host(spec: dict) -> np.ndarray:
    return np.array(spec["values"], dtype=spec["dtype"]).reshape(spec["shape"])


def rebuild(spec: dict) -> mx.nd.NDArray:
    """The mxpy array with the contents and context MXNet saved."""
    dev_type, dev_id = spec["saved_ctx"]
    ctx = mx.Context(DEV_TYPES[dev_type], dev_id)
    return mx.nd.array(expected_host(spec), ctx=ctx, dtype=spec["dtype"])


# files of V3 records (NumPy shape semantics): they load only under mx.np_shape(True), as in MXNet
V3_FILES = {"np_v3.nd", "v3_none.nd"}


def check_loaded(got, spec: dict) -> None:
    items = list(got.items()) if isinstance(got, dict) else [(None, a) for a in got]
    assert isinstance(got, dict) == (spec["kind"] == "dict")
    assert [k for k, _ in items] == [a["key"] for a in spec["arrays"]]
    for (_, arr), want in zip(items, spec["arrays"]):
        if want.get("none"):
            assert arr is None
            continue
        host = expected_host(want)
        assert arr.shape == tuple(want["shape"])
        assert np.dtype(arr.dtype) == host.dtype
        assert arr.context == mx.cpu(0)
        # Bit-exact: keeps -0.0, NaN and denormals apart.
        assert arr.asnumpy().tobytes() == host.tobytes()


# -------------------------------------------------------------------------- golden files
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_load_matches_mxnet(name):
    with mx.np_shape(name in V3_FILES):
        check_loaded(mx.nd.load(os.path.join(FIXTURES, name)), EXPECTED[name])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_load_frombuffer_matches_load(name):
    raw = fixture_bytes(name)
    with mx.np_shape(name in V3_FILES):
        for buf in (raw, bytearray(raw), memoryview(raw)):
            check_loaded(mx.nd.load_frombuffer(buf), EXPECTED[name])


@pytest.mark.parametrize("name", sorted(n for n, s in EXPECTED.items() if s["bytes_identical"]))
def test_save_is_byte_identical_to_mxnet(name, tmp_path):
    spec = EXPECTED[name]
    arrays = [rebuild(a) for a in spec["arrays"]]
    save_as = spec.get("save_as", spec["kind"])
    if save_as == "dict":
        data = {a["key"]: arr for a, arr in zip(spec["arrays"], arrays)}
    elif save_as == "single":
        (data,) = arrays
    else:
        data = arrays
    out = tmp_path / name
    mx.nd.save(str(out), data)
    assert out.read_bytes() == fixture_bytes(name)


def test_fixture_coverage():
    """The golden set covers every layout the loader claims to read."""
    raw = {n: fixture_bytes(n) for n in EXPECTED}
    assert struct.pack("<I", 0xF993FAC8) in raw["v1.nd"]
    assert struct.pack("<I", 0xF993FACA) in raw["np_v3.nd"]
    assert struct.pack("<I", 0xF993FAC9) not in raw["legacy2016.nd"]
    assert {a["dtype"] for a in EXPECTED["dtypes.nd"]["arrays"]} == {"float32", "float64", "float16", "uint8", "int32", "int8", "int64", "bool"}
    assert sum(len(b) for b in raw.values()) < 100_000


# -------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "uint8", "int8", "int32", "int64", "bool", "int16", "uint16", "uint32", "uint64"])
def test_round_trip_every_dtype(dtype, tmp_path):
    host = (np.arange(24).reshape(2, 3, 4) % 7 - 3).astype(dtype)
    path = str(tmp_path / "x.nd")
    mx.nd.save(path, {"a": mx.nd.array(host, dtype=dtype)})
    (got,) = mx.nd.load(path).values()
    assert np.dtype(got.dtype) == np.dtype(dtype)
    np.testing.assert_array_equal(got.asnumpy(), host)


def test_round_trip_views_scalars_and_order(tmp_path):
    base = mx.nd.array(np.arange(12).reshape(3, 4))
    data = {"z": base[1], "a": base.T, "s": mx.nd.array(np.array(2.5)), "empty": mx.nd.array(np.zeros((0, 5)))}
    path = str(tmp_path / "v.nd")
    mx.nd.save(path, data)
    got = mx.nd.load(path)
    assert list(got) == ["z", "a", "s", "empty"]
    for k, v in data.items():
        assert got[k].shape == v.shape
        np.testing.assert_array_equal(got[k].asnumpy(), v.asnumpy())
    assert got["s"].shape == ()


def test_round_trip_large_array_and_pathlike(tmp_path):
    host = np.random.default_rng(0).standard_normal((1024, 1024)).astype(np.float32)
    path = tmp_path / "big.nd"
    mx.nd.save(path, [mx.nd.array(host)])
    (got,) = mx.nd.load(path)
    assert got.asnumpy().tobytes() == host.tobytes()
    # file header 24, record header 4 + 4 + 4 + 16 + 12, data, name count 8
    assert path.stat().st_size == 24 + 40 + host.nbytes + 8


def test_save_waits_for_pending_writes(each_engine, tmp_path):
    x = mx.nd.ones((64, 64))
    y = x * 3 + 1
    path = str(tmp_path / "p.nd")
    mx.nd.save(path, [y])
    (got,) = mx.nd.load(path)
    np.testing.assert_array_equal(got.asnumpy(), np.full((64, 64), 4, np.float32))


def test_loaded_arrays_are_independent_and_writable(tmp_path):
    path = str(tmp_path / "w.nd")
    mx.nd.save(path, [mx.nd.array([1, 2, 3])])
    a = mx.nd.load(path)[0]
    b = mx.nd.load(path)[0]
    a[:] = 7
    np.testing.assert_array_equal(a.asnumpy(), [7, 7, 7])
    np.testing.assert_array_equal(b.asnumpy(), [1, 2, 3])


# -------------------------------------------------------------------------- save errors
@pytest.mark.parametrize(
    "data, exc, match",
    [
        (5, ValueError, "data needs to either be a NDArray"),
        ("str", ValueError, "got str"),
        (None, ValueError, "got NoneType"),
        (np.ones(2), ValueError, "got ndarray"),
        ((), ValueError, "got tuple"),
        ([1], TypeError, r"data\[0\] is a int, expected NDArray"),
        ({"a": 1}, TypeError, r"data\['a'\] is a int, expected NDArray"),
        ({1: None}, TypeError, "key 1 is a int, expected str"),
    ],
)
def test_save_rejects_bad_data(data, exc, match, tmp_path):
    path = tmp_path / "bad.nd"
    with pytest.raises(exc, match=match):
        mx.nd.save(str(path), data)
    assert not path.exists()


def test_save_rejects_bad_fname():
    with pytest.raises(TypeError, match="save: fname required to be a string"):
        mx.nd.save(123, [mx.nd.ones(1)])


def test_save_rejects_nul_in_key(tmp_path):
    with pytest.raises(ValueError, match="NUL"):
        mx.nd.save(str(tmp_path / "k.nd"), {"a\0b": mx.nd.ones(1)})


def leftovers(folder) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.endswith(".tmp"))


@pytest.fixture
def old_file(tmp_path):
    path = tmp_path / "old.nd"
    mx.nd.save(str(path), {"old": mx.nd.array([1.0, 2.0])})
    return path, path.read_bytes()


def test_save_to_directory_raises(tmp_path):
    target = tmp_path / "adir"
    target.mkdir()
    with pytest.raises(MXNetError, match="adir.*directory"):
        mx.nd.save(str(target), [mx.nd.ones(1)])
    assert target.is_dir() and leftovers(tmp_path) == []


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores directory permissions")
def test_save_into_read_only_dir_keeps_old_file(old_file):
    path, before = old_file
    os.chmod(path.parent, stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(MXNetError, match="old.nd"):
            mx.nd.save(str(path), [mx.nd.ones(3)])
    finally:
        os.chmod(path.parent, stat.S_IRWXU)
    assert path.read_bytes() == before


def test_save_unopenable_temp_keeps_old_file(old_file, monkeypatch):
    """What a read-only folder does even for root: creating the temp file fails."""
    path, before = old_file
    real_open = os.open

    def deny(p, flags, *a):
        if flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied", p)
        return real_open(p, flags, *a)

    monkeypatch.setattr(os, "open", deny)
    with pytest.raises(MXNetError, match=r"save: cannot write .*old\.nd.*Permission denied"):
        mx.nd.save(str(path), [mx.nd.ones(3)])
    monkeypatch.undo()
    assert path.read_bytes() == before and leftovers(path.parent) == []


def test_save_bad_value_found_late_keeps_old_file(old_file):
    path, before = old_file
    data = {f"k{i}": mx.nd.ones(2) for i in range(50)}
    data["last"] = np.ones(2)
    with pytest.raises(TypeError, match=r"data\['last'\] is a ndarray"):
        mx.nd.save(str(path), data)
    assert path.read_bytes() == before and leftovers(path.parent) == []


@pytest.mark.parametrize("where", ["write", "fsync", "replace"])
def test_save_failing_midway_keeps_old_file(old_file, monkeypatch, where):
    path, before = old_file
    calls = []

    def boom(*a, **k):
        calls.append(a)
        raise OSError(28, "No space left on device")

    if where == "write":
        real_fdopen = os.fdopen

        class Failing:
            def __init__(self, f):
                self.f, self.n = f, 0

            def write(self, chunk):
                self.n += 1
                if self.n == 3:  # after the header and part of the records
                    boom()
                return self.f.write(chunk)

            def __getattr__(self, name):
                return getattr(self.f, name)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.f.close()

        monkeypatch.setattr(os, "fdopen", lambda fd, mode: Failing(real_fdopen(fd, mode)))
    else:
        monkeypatch.setattr(os, where, boom)
    with pytest.raises(MXNetError, match=r"old\.nd.*No space left"):
        mx.nd.save(str(path), [mx.nd.ones((100,)), mx.nd.zeros((3, 3))])
    monkeypatch.undo()
    assert calls
    assert path.read_bytes() == before and leftovers(path.parent) == []


def test_save_keeps_mode_and_writes_through_symlink(tmp_path):
    target = tmp_path / "real.nd"
    mx.nd.save(str(target), [mx.nd.ones(1)])
    os.chmod(target, 0o640)
    link = tmp_path / "link.nd"
    link.symlink_to(target)
    mx.nd.save(str(link), [mx.nd.array([5.0, 6.0])])
    assert link.is_symlink()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    np.testing.assert_array_equal(mx.nd.load(str(target))[0].asnumpy(), [5, 6])


# -------------------------------------------------------------------------- load errors
def test_load_missing_file_and_bad_args(tmp_path):
    with pytest.raises(MXNetError, match="load: cannot read .*nope.nd"):
        mx.nd.load(str(tmp_path / "nope.nd"))
    with pytest.raises(TypeError, match="fname required to be a string"):
        mx.nd.load(123)
    for bad in ("text", 5, [1, 2]):
        with pytest.raises(TypeError, match="buf required to be bytes-like"):
            mx.nd.load_frombuffer(bad)


@pytest.mark.parametrize("name", ["dtypes.nd", "named.nd", "sparse.nd", "v1.nd", "legacy2016.nd", "np_v3.nd", "scalar_v2.nd", "bf16.nd", "v3_none.nd"])
def test_every_truncation_raises(name):
    raw = fixture_bytes(name)
    with mx.np_shape(name in V3_FILES):
        _every_truncation_raises(raw)


def _every_truncation_raises(raw):
    for n in range(len(raw)):
        with pytest.raises(MXNetError, match="byte offset"):
            mx.nd.load_frombuffer(raw[:n])


def test_trailing_bytes_are_ignored_as_mxnet():
    raw = fixture_bytes("v1.nd")
    check_loaded(mx.nd.load_frombuffer(raw + b"\x00garbage"), EXPECTED["v1.nd"])


def test_random_garbage_raises_mxnet_error():
    rng = random.Random(1234)
    for _ in range(300):
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 200)))
        with pytest.raises(MXNetError):
            mx.nd.load_frombuffer(junk)
        with pytest.raises(MXNetError):
            mx.nd.load_frombuffer(struct.pack("<QQQ", 0x112, 0, 3) + junk)


@pytest.mark.parametrize("name", ["dtypes.nd", "sparse.nd", "named.nd", "legacy2016.nd"])
def test_corrupted_bytes_load_or_raise_mxnet_error(name):
    """Flipping any byte of a valid file never gives anything but a result or MXNetError."""
    raw = bytearray(fixture_bytes(name))
    rng = random.Random(99)
    for i in range(len(raw)):
        bad = bytearray(raw)
        bad[i] ^= 1 << rng.randrange(8) if i % 3 else 0xFF
        try:
            mx.nd.load_frombuffer(bytes(bad))
        except MXNetError:
            pass


def header(n: int) -> bytes:
    return struct.pack("<QQQ", 0x112, 0, n)


def v2_record(shape, flag=0, data=b"", stype=0, ctx=(1, 0)) -> bytes:
    return struct.pack("<Iii", 0xF993FAC9, stype, len(shape)) + struct.pack(f"<{len(shape)}q", *shape) + struct.pack("<iii", *ctx, flag) + data


ONE = np.ones(1, "<f4").tobytes()
NO_KEYS = struct.pack("<Q", 0)


@pytest.mark.parametrize(
    "buf, match",
    [
        (b"", "file header needs 16 bytes, only 0 left at byte offset 0"),
        (struct.pack("<QQQ", 0x113, 0, 0), "header magic 0x113, expected 0x112 at byte offset 0"),
        (b"PK\x03\x04" + bytes(40), "not an MXNet NDArray file"),
        (header(2**62) + bytes(8), "declares 4611686018427387904 arrays but only 8 bytes follow at byte offset 16"),
        (header(1) + v2_record((1,), data=ONE) + struct.pack("<Q", 2**40), "declares 1099511627776 names for 1 arrays, expected 0 or 1 at byte offset 60"),
        (header(1) + v2_record((1,), data=ONE) + struct.pack("<QQ", 1, 2**60), "name 0 needs 1152921504606846976 bytes"),
        (header(1) + v2_record((1,), data=ONE) + struct.pack("<QQ", 1, 2) + b"\xff\xfe", "name 0 is not valid UTF-8 .* at byte offset 76"),
        (header(1) + v2_record((2**40, 2**20), data=ONE) + NO_KEYS, r"array 0 data \(1152921504606846976 elements of type flag 0\) needs"),
        (header(1) + struct.pack("<Iii", 0xF993FAC9, 0, 2**30) + NO_KEYS, r"array 0 shape \(1073741824 dims\) needs 8589934592 bytes"),
        (header(1) + struct.pack("<Iii", 0xF993FAC9, 0, -5) + NO_KEYS, "array 0 shape has ndim -5, expected >= 0 at byte offset 32"),
        (header(1) + v2_record((-3,), data=ONE) + NO_KEYS, r"array 0 shape \(-3,\) has a negative dimension at byte offset 36"),
        (header(1) + v2_record((1,), flag=99, data=ONE) + NO_KEYS, "array 0 has type flag 99, expected one of"),
        (header(1) + v2_record((1,), ctx=(7, 0), data=ONE) + NO_KEYS, r"array 0 has device \(7, 0\)"),
        (header(1) + v2_record((1,), stype=5, data=ONE) + NO_KEYS, "array 0 has storage type 5, expected one of"),
        (header(1) + struct.pack("<I", 0xDEADBEEF) + bytes(64), "header 0xdeadbeef is no known record magic"),
        (header(0), "name count needs 8 bytes, only 0 left at byte offset 24"),
    ],
    ids=lambda v: None if isinstance(v, bytes) else v[:40],
)
def test_malformed_files_name_the_problem(buf, match):
    # Offsets: file header 0-23; a record's magic at 24, stype 28, ndim 32, dims 36.
    with pytest.raises(MXNetError, match=match):
        mx.nd.load_frombuffer(buf)


def test_zero_dim_shape_with_huge_other_dims_is_rejected():
    buf = header(1) + v2_record((0, 2**62, 2**62)) + NO_KEYS
    with pytest.raises(MXNetError, match="cannot be represented"):
        mx.nd.load_frombuffer(buf)


def test_v2_none_records_load_as_none():
    none = struct.pack("<Iii", 0xF993FAC9, 0, 0)
    buf = header(3) + none + v2_record((1,), data=ONE) + struct.pack("<Iii", 0xF993FAC9, 0, -1)
    buf += struct.pack("<Q", 3) + b"".join(struct.pack("<Q", 1) + k for k in (b"a", b"b", b"c"))
    got = mx.nd.load_frombuffer(buf)
    assert got["a"] is None and got["c"] is None
    np.testing.assert_array_equal(got["b"].asnumpy(), [1.0])


def test_duplicate_names_last_wins_as_mxnet():
    two = np.full(1, 2, "<f4").tobytes()
    buf = header(2) + v2_record((1,), data=ONE) + v2_record((1,), data=two) + struct.pack("<QQ1sQ1s", 2, 1, b"a", 1, b"a")
    got = mx.nd.load_frombuffer(buf)
    assert list(got) == ["a"] and got["a"].asscalar() == 2


def test_bool_bytes_other_than_one_are_true():
    buf = header(1) + v2_record((3,), flag=7, data=bytes([0, 1, 7])) + NO_KEYS
    np.testing.assert_array_equal(mx.nd.load_frombuffer(buf)[0].asnumpy(), [False, True, True])


def sparse_rs(idx, shape=(4, 2), values=None) -> bytes:
    values = np.arange(2 * len(idx), dtype="<f4") if values is None else values
    rec = struct.pack("<Ii", 0xF993FAC9, 1) + struct.pack("<iqq", 2, len(idx), 2) + struct.pack("<iqq", 2, *shape)
    rec += struct.pack("<iii", 1, 0, 0) + struct.pack("<iiq", 6, 1, len(idx))
    return header(1) + rec + values.tobytes() + np.array(idx, "<i8").tobytes() + NO_KEYS


def test_sparse_indices_are_checked():
    np.testing.assert_array_equal(mx.nd.load_frombuffer(sparse_rs([3, 0]))[0].asnumpy(), [[2, 3], [0, 0], [0, 0], [0, 1]])
    with pytest.raises(MXNetError, match=r"row_sparse row index out of range \[0, 4\)"):
        mx.nd.load_frombuffer(sparse_rs([1, 4]))
    with pytest.raises(MXNetError, match="row_sparse row index out of range"):
        mx.nd.load_frombuffer(sparse_rs([-1, 0]))
    huge = mx.nd.load_frombuffer(sparse_rs([0], shape=(2**60, 2)))[0]  # sparse: nothing dense is allocated
    assert huge.stype == "row_sparse" and huge.shape == (2**60, 2) and huge.indices.asnumpy().tolist() == [0]


def csr(indptr, indices, shape=(2, 3)) -> bytes:
    nnz = len(indices)
    rec = struct.pack("<Ii", 0xF993FAC9, 2) + struct.pack("<iq", 1, nnz) + struct.pack("<iqq", 2, *shape) + struct.pack("<iii", 1, 0, 0)
    rec += struct.pack("<iiq", 6, 1, len(indptr)) + struct.pack("<iiq", 6, 1, nnz)
    rec += np.arange(1, nnz + 1, dtype="<f4").tobytes() + np.array(indptr, "<i8").tobytes() + np.array(indices, "<i8").tobytes()
    return header(1) + rec + NO_KEYS


def test_csr_structure_is_checked():
    np.testing.assert_array_equal(mx.nd.load_frombuffer(csr([0, 1, 2], [2, 0]))[0].asnumpy(), [[0, 0, 1], [2, 0, 0]])
    for indptr, indices, match in [
        ([0, 2, 1], [0, 1], "indptr must be 3 non-decreasing offsets"),
        ([1, 1, 2], [0, 1], "indptr must be"),
        ([0, 1], [0], "indptr must be"),
        ([0, 1, 2], [0, 3], r"column index out of range \[0, 3\)"),
    ]:
        with pytest.raises(MXNetError, match=match):
            mx.nd.load_frombuffer(csr(indptr, indices))


def test_gpu_saved_arrays_land_on_cpu_without_a_gpu():
    buf = header(1) + v2_record((2,), ctx=(2, 1), data=np.array([1, 2], "<f4").tobytes()) + NO_KEYS
    (got,) = mx.nd.load_frombuffer(buf)
    expected = mx.gpu(1) if mx.num_gpus() > 1 else mx.cpu(0)
    assert got.context == expected
    np.testing.assert_array_equal(got.asnumpy(), [1, 2])


@pytest.mark.gpu
@pytest.mark.skipif(mx.num_gpus() == 0, reason="needs CuPy and a GPU")
def test_gpu_arrays_save_their_context_and_reload_on_gpu(tmp_path):
    host = np.arange(6, dtype=np.float32).reshape(2, 3)
    path = str(tmp_path / "g.nd")
    mx.nd.save(path, [mx.nd.array(host, ctx=mx.gpu(0))])
    raw = pathlib.Path(path).read_bytes()
    assert raw == serialization._FILE_HEADER + raw[16:]
    assert struct.pack("<iii", 2, 0, 0) + host.tobytes() in raw
    (got,) = mx.nd.load(path)
    assert got.context == mx.gpu(0)
    np.testing.assert_array_equal(got.asnumpy(), host)


def test_save_into_missing_folder_names_the_path(tmp_path):
    target = tmp_path / "no" / "such" / "x.nd"
    with pytest.raises(MXNetError, match=r"save: cannot write .*no/such/x\.nd.*No such file"):
        mx.nd.save(str(target), [mx.nd.ones(1)])


_DTYPES = ["float32", "float64", "float16", "uint8", "int8", "int32", "int64", "bool"]


@settings(max_examples=60, deadline=None)
@given(
    shapes=st.lists(st.lists(st.integers(0, 4), max_size=4), max_size=5),
    dtypes=st.lists(st.sampled_from(_DTYPES), min_size=5, max_size=5),
    named=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_round_trip_property(shapes, dtypes, named, seed):
    """Any list or dict of arrays loads back exactly, and loading then saving gives the same bytes."""
    rng = np.random.default_rng(seed)
    arrays = [mx.nd.array((rng.standard_normal(s) * 50).astype(d), dtype=d) for s, d in zip(shapes, dtypes)]
    data = {f"k{i}/é": a for i, a in enumerate(arrays)} if named else arrays
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder, "p.nd")
        mx.nd.save(path, data)
        raw = path.read_bytes()
        got = mx.nd.load(path)
        mx.nd.save(path, got)
        assert path.read_bytes() == raw
    # An empty dict has no names in the file, so it loads as an empty list, as in MXNet.
    assert isinstance(got, dict) == (named and bool(arrays))
    got_list = list(got.values()) if isinstance(got, dict) else got
    assert len(got_list) == len(arrays)
    for a, b in zip(arrays, got_list):
        assert a.shape == b.shape and a.dtype == b.dtype
        assert a.asnumpy().tobytes() == b.asnumpy().tobytes()


def test_shape_semantics_are_kept_apart_as_mxnet(tmp_path):
    # MXNet 1.9.1: save under NumPy shape semantics writes V3 records; each kind loads only under
    # the semantics it was saved with (tests/golden/nd_files/np_v3.nd comes from MXNet itself)
    path = str(tmp_path / "a.nd")
    with mx.np_shape(True):
        mx.nd.save(path, [mx.nd.zeros((2, 0, 1)), mx.nd.array(np.float32(3.0).reshape(()))])
    raw = (tmp_path / "a.nd").read_bytes()
    assert raw.count(struct.pack("<I", 0xF993FACA)) == 2 and struct.pack("<I", 0xF993FAC9) not in raw
    with pytest.raises(MXNetError, match=r"saved under NumPy shape semantics .*np_shape\(True\)"):
        mx.nd.load(path)
    with mx.np_shape(True):
        a, b = mx.nd.load(path)
    assert a.shape == (2, 0, 1) and b.shape == () and b.asnumpy() == 3.0
    mx.nd.save(path, [mx.nd.ones((2,))])
    with mx.np_shape(True), pytest.raises(MXNetError, match=r"not saved under NumPy shape semantics"):
        mx.nd.load(path)
    with mx.np_shape(True), pytest.raises(MXNetError, match=r"not saved under NumPy shape semantics"):
        mx.nd.load(os.path.join(FIXTURES, "v1.nd"))
    with mx.np_shape(True):
        assert mx.nd.load_frombuffer(_empty_list_file()) == []


def _empty_list_file() -> bytes:
    return struct.pack("<QQQQ", 0x112, 0, 0, 0)
