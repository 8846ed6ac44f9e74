"""python -m mxpy.tools.im2rec against MXNet 1.9.1's tools/im2rec.py (tests/golden/make_im2rec.py)."""

import os
import subprocess
import sys

import numpy as np
import pytest

import mxpy as mx

pytest.importorskip("cv2")

GOLDEN = os.path.join(os.path.dirname(__file__), "golden")
sys.path.insert(0, GOLDEN)
from make_im2rec import OUT, lay_out, run_all  # noqa: E402

sys.path.remove(GOLDEN)


def _bytes(path):
    with open(path, "rb") as f:
        return f.read()


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("im2rec")
    root = str(tmp / "images")
    lay_out(mx.recordio, root)
    work = tmp / "work"
    work.mkdir()
    run_all([sys.executable, "-m", "mxpy.tools.im2rec"], str(work), root)
    return work


@pytest.mark.parametrize("name", ["all.lst", "pass.rec", "pass.idx", "multi.rec", "multi.idx", "resized.idx"])
def test_identical_to_mxnet(made, name):
    assert _bytes(made / name) == _bytes(os.path.join(OUT, name))


def test_resized_records_decode_alike(made):
    ours = mx.recordio.MXIndexedRecordIO(str(made / "resized.idx"), str(made / "resized.rec"), "r")
    theirs = mx.recordio.MXIndexedRecordIO(os.path.join(OUT, "resized.idx"), os.path.join(OUT, "resized.rec"), "r")
    assert ours.keys == theirs.keys
    for k in ours.keys:
        h1, a = mx.recordio.unpack_img(ours.read_idx(k))
        h2, b = mx.recordio.unpack_img(theirs.read_idx(k))
        assert h1 == h2 and a.shape == b.shape and min(a.shape[:2]) == 20
        # re-encoded by different OpenCV releases: the JPEGs differ slightly
        assert np.abs(a.astype(int) - b.astype(int)).mean() < 2


def test_bad_list_line_skipped_with_message(tmp_path):
    root = tmp_path / "images"
    lay_out(mx.recordio, str(root))
    (tmp_path / "x.lst").write_text(
        "0\t1.000000\tcat/img00.jpg\nnot a line\n1\tzero\tdog/img01.jpg\n2\t0.000000\tcat/missing.jpg\n3\t1.000000\tdog/img03.jpg\n"
    )
    res = subprocess.run([sys.executable, "-m", "mxpy.tools.im2rec", str(tmp_path / "x"), str(root)], capture_output=True, text=True)
    assert res.returncode == 0
    assert "x.lst:2" in res.stderr and "x.lst:3" in res.stderr and "missing.jpg" in res.stderr
    r = mx.recordio.MXIndexedRecordIO(str(tmp_path / "x.idx"), str(tmp_path / "x.rec"), "r")
    assert r.keys == [0, 3]
