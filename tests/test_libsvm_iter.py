"""mx.io.LibSVMIter (dense output): the values, wrap-around and labels of MXNet's synthetic upstream case, and bad lines."""

import numpy as np
import pytest

import mxpy as mx


def _files(tmp_path):
    d, lab = tmp_path / "data.t", tmp_path / "label.t"
    d.write_text("1.0 0:0.5 2:1.2\n-2.0\n-3.0 0:0.6 1:2.4 2:1.2\n4 2:-1.2\n")
    lab.write_text("1.0\n-2.0 0:0.125\n-3.0 2:1.2\n4 1:1.0 2:-1.2\n")
    return str(d), str(lab)


def test_values_and_round_batch(tmp_path):
    d, lab = _files(tmp_path)
    it = mx.io.LibSVMIter(data_libsvm=d, label_libsvm=lab, data_shape=(3,), label_shape=(3,), batch_size=3)
    got = [(b.data[0].asnumpy(), b.label[0].asnumpy(), b.pad) for b in it]
    np.testing.assert_allclose(got[0][0], [[0.5, 0, 1.2], [0, 0, 0], [0.6, 2.4, 1.2]], rtol=1e-6)
    np.testing.assert_allclose(got[1][0], [[0, 0, -1.2], [0.5, 0, 1.2], [0, 0, 0]], rtol=1e-6)
    np.testing.assert_allclose(got[0][1], [[0, 0, 0], [0.125, 0, 0], [0, 0, 1.2]], rtol=1e-6)
    assert got[1][2] == 2
    it = mx.io.LibSVMIter(data_libsvm=d, data_shape=(3,), batch_size=2)
    assert it.next().label[0].asnumpy().tolist() == [1.0, -2.0]
    part = mx.io.LibSVMIter(data_libsvm=d, data_shape=(3,), batch_size=2, num_parts=2, part_index=1)
    assert part.next().label[0].asnumpy().tolist() == [-3.0, 4.0]


def test_bad_lines(tmp_path):
    d = tmp_path / "bad.t"
    d.write_text("1.0 0:0.5\n-3.0 -1:0.6 1:2.4\n")
    with pytest.raises(mx.MXNetError, match="line 2: feature index -1"):
        mx.io.LibSVMIter(data_libsvm=str(d), data_shape=(3,), batch_size=1)
    d.write_text("1.0 0:abc\n")
    with pytest.raises(mx.MXNetError, match="line 1"):
        mx.io.LibSVMIter(data_libsvm=str(d), data_shape=(3,), batch_size=1)
