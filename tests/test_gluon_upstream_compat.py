"""Small MXNet-compatibility points that MXNet 1.9.1's own Gluon/loss tests rely on."""

import json

import numpy as np
import pytest

import mxpy as mx
from mxpy.ndarray.ndarray import _STORAGE_TYPE_ID_TO_STR, _STORAGE_TYPE_STR_TO_ID


def test_storage_type_table_is_mxnets():
    assert _STORAGE_TYPE_STR_TO_ID == {"undefined": -1, "default": 0, "row_sparse": 1, "csr": 2}
    assert _STORAGE_TYPE_ID_TO_STR[2] == "csr"


def test_sparse_classes_are_ndarray_subclasses():
    assert issubclass(mx.nd.sparse.CSRNDArray, mx.nd.NDArray)
    assert not isinstance(mx.nd.ones((2,)), mx.nd.sparse.CSRNDArray)
    with pytest.raises(mx.MXNetError, match="create sparse arrays with"):
        mx.nd.sparse.RowSparseNDArray()


def test_numpy_front_end_arrays_are_ndarray_subclasses():
    import mxpy.numpy as mnp

    assert issubclass(mnp.ndarray, mx.nd.NDArray)
    assert isinstance(mnp.concatenate([mnp.ones(2), mnp.zeros(1)]), mnp.ndarray)


def test_make_loss_identity_forward_ones_gradient():
    x = mx.nd.array([1.0, -2.0, 3.0])
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.make_loss(x * 2)
    np.testing.assert_array_equal(y.asnumpy(), [2.0, -4.0, 6.0])
    y.backward(mx.nd.array([5.0, 5.0, 5.0]))  # the head gradient is ignored, as in MXNet
    np.testing.assert_array_equal(x.grad.asnumpy(), [2.0, 2.0, 2.0])
    node = json.loads(mx.sym.make_loss(mx.sym.var("a")).tojson())["nodes"][-1]
    assert node["op"] == "make_loss"


def test_parameterless_ops_ignore_extra_keywords():
    a, b = mx.nd.array([[1.0, 5.0]]), mx.nd.array([[3.0, 2.0]])
    np.testing.assert_array_equal(mx.nd.broadcast_maximum(a, b, axis=1).asnumpy(), [[3.0, 5.0]])
    s = mx.sym.broadcast_maximum(mx.sym.var("a"), mx.sym.var("b"), axis=1)
    np.testing.assert_array_equal(s.eval(a=a, b=b)[0].asnumpy(), [[3.0, 5.0]])
    with pytest.raises(mx.MXNetError, match="unknown parameter 'foo'"):  # ops with parameters still check
        mx.nd.FullyConnected(a, num_hidden=2, foo=1)


def test_ctc_checks_labels_only_within_their_length():
    # MXNet 1.9.1 (its test_loss.py): padding past label_lengths may hold anything and a
    # label equal to the blank index inside the length is accepted
    loss = mx.gluon.loss.CTCLoss()
    out = loss(mx.nd.ones((2, 20, 4)), mx.nd.array([[2, 1, 2, 2], [3, 2, 2, 2]]), None, mx.nd.array([2, 3]))
    np.testing.assert_allclose(out.asnumpy(), [18.82820702, 16.50581741], rtol=1e-5)
    with pytest.raises(mx.MXNetError, match=r"labels must be in \[0, 4\)"):
        loss(mx.nd.ones((1, 20, 4)), mx.nd.array([[7, 1]]), None, mx.nd.array([2])).asnumpy()


def test_ndarray_iter_reads_only_as_many_label_rows_as_data():
    it = mx.io.NDArrayIter(np.arange(4.0).reshape(4, 1), {"label": np.arange(8.0)}, batch_size=2)
    labels = [b.label[0].asnumpy().tolist() for b in it]
    assert labels == [[0.0, 1.0], [2.0, 3.0]]


def test_reset_arrays_zeroes_inputs_in_place():
    a, b = mx.nd.ones((2, 3)), mx.nd.full((4,), 7.0)
    assert mx.nd.reset_arrays(a, b, num_arrays=2) == []
    np.testing.assert_array_equal(a.asnumpy(), np.zeros((2, 3)))
    np.testing.assert_array_equal(b.asnumpy(), np.zeros(4))


def test_squeeze_inplace_is_a_view():
    a = mx.nd.ones((2, 1, 3))
    v = a.squeeze(inplace=True)
    assert v.shape == (2, 3)
    v[:] = 4
    assert float(a.sum().asscalar()) == 24.0
    assert a.squeeze(axis=1).shape == (2, 3)


def test_interval_sampler():
    from mxpy.gluon.contrib.data import IntervalSampler

    assert list(IntervalSampler(10, 3)) == [0, 3, 6, 9, 1, 4, 7, 2, 5, 8]
    assert list(IntervalSampler(10, 3, rollover=False)) == [0, 3, 6, 9]
    assert len(IntervalSampler(10, 3, rollover=False)) == 10  # MXNet 1.9.1 reports length either way
    with pytest.raises(ValueError, match="interval 4 must be smaller than or equal to length 3"):
        IntervalSampler(3, 4)
