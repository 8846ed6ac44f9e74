"""mx.recordio: byte-identical to MXNet 1.9.1's writer (goldens from tests/golden/make_recordio.py), its files read back, bad files rejected."""

import os
import pickle
import struct
import sys

import numpy as np
import pytest

import mxpy as mx

GOLDEN = os.path.join(os.path.dirname(__file__), "golden")
sys.path.insert(0, GOLDEN)
from make_recordio import header_cases, recordio_cases  # noqa: E402

sys.path.remove(GOLDEN)
REC = os.path.join(GOLDEN, "recordio")


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def test_plain_bytes_match_mxnet(tmp_path):
    p = tmp_path / "a.rec"
    w = mx.recordio.MXRecordIO(str(p), "w")
    for rec in recordio_cases():
        w.write(rec)
    w.close()
    assert _read(p) == _read(os.path.join(REC, "plain.rec"))


def test_read_mxnet_plain():
    r = mx.recordio.MXRecordIO(os.path.join(REC, "plain.rec"), "r")
    got = [r.read() for _ in range(len(recordio_cases()))]
    assert got == recordio_cases()
    assert r.read() is None
    r.reset()
    assert r.read() == b""


def test_indexed_bytes_match_mxnet(tmp_path):
    w = mx.recordio.MXIndexedRecordIO(str(tmp_path / "a.idx"), str(tmp_path / "a.rec"), "w")
    assert w.tell() == 0
    for i, (h, body) in enumerate(header_cases()):
        w.write_idx(i * 3, mx.recordio.pack(mx.recordio.IRHeader(*h), body))
    w.close()
    assert _read(tmp_path / "a.rec") == _read(os.path.join(REC, "indexed.rec"))
    assert _read(tmp_path / "a.idx") == _read(os.path.join(REC, "indexed.idx"))


def test_read_mxnet_indexed():
    r = mx.recordio.MXIndexedRecordIO(os.path.join(REC, "indexed.idx"), os.path.join(REC, "indexed.rec"), "r")
    assert r.keys == [0, 3, 6]
    for i in (6, 0, 3):
        (flag, label, id_, id2), body = header_cases()[i // 3]
        h, s = mx.recordio.unpack(r.read_idx(i))
        assert s == body and h.id == id_ and h.id2 == id2
        if isinstance(label, list):
            assert h.flag == len(label) and h.label.dtype == np.float32 and h.label.tolist() == label
        else:
            assert h.flag == 0 and h.label == label
    with pytest.raises(KeyError, match="key 5"):
        r.read_idx(5)


def test_pickle_reopens(tmp_path):
    w = mx.recordio.MXIndexedRecordIO(str(tmp_path / "a.idx"), str(tmp_path / "a.rec"), "w")
    for i in range(4):
        w.write_idx(i, b"r%d" % i)
    w.close()
    r = mx.recordio.MXIndexedRecordIO(str(tmp_path / "a.idx"), str(tmp_path / "a.rec"), "r")
    r2 = pickle.loads(pickle.dumps(r))
    assert r2.read_idx(2) == b"r2" and r.read_idx(3) == b"r3"


def test_pack_img_roundtrip():
    pytest.importorskip("cv2")
    img = (np.arange(48, dtype=np.uint8).reshape(4, 4, 3) * 5).astype(np.uint8)
    s = mx.recordio.pack_img(mx.recordio.IRHeader(0, 2.0, 9, 0), img, quality=3, img_fmt=".png")
    h, back = mx.recordio.unpack_img(s)
    assert h.label == 2.0 and h.id == 9
    np.testing.assert_array_equal(back, img)


def _write(path, recs):
    w = mx.recordio.MXRecordIO(str(path), "w")
    for r in recs:
        w.write(r)
    w.close()


def test_truncated_file_serves_earlier_records(tmp_path):
    p = tmp_path / "t.rec"
    _write(p, [b"first", b"second-record" * 10])
    data = _read(p)
    p.write_bytes(data[:-7])
    r = mx.recordio.MXRecordIO(str(p), "r")
    assert r.read() == b"first"
    with pytest.raises(mx.MXNetError, match=r"t\.rec.*truncated at offset 16"):
        r.read()


def test_lying_length_and_bad_magic(tmp_path):
    p = tmp_path / "lie.rec"
    p.write_bytes(struct.pack("<II", 0xCED7230A, (1 << 29) - 1) + b"abcd")
    with pytest.raises(mx.MXNetError, match="declares 536870911 bytes, only 4 remain"):
        mx.recordio.MXRecordIO(str(p), "r").read()
    p.write_bytes(struct.pack("<II", 0xDEADBEEF, 4) + b"abcd")
    with pytest.raises(mx.MXNetError, match="offset 0: magic 0xdeadbeef"):
        mx.recordio.MXRecordIO(str(p), "r").read()


def test_bad_index_and_header(tmp_path):
    _write(tmp_path / "a.rec", [b"x"])
    (tmp_path / "a.idx").write_text("0\t0\nbogus line\n")
    with pytest.raises(mx.MXNetError, match="line 2"):
        mx.recordio.MXIndexedRecordIO(str(tmp_path / "a.idx"), str(tmp_path / "a.rec"), "r")
    with pytest.raises(mx.MXNetError, match="declares 100 float labels"):
        mx.recordio.unpack(struct.pack("IfQQ", 100, 0.0, 0, 0) + b"abcd")
    with pytest.raises(ValueError, match="invalid flag"):
        mx.recordio.MXRecordIO(str(tmp_path / "a.rec"), "x")
