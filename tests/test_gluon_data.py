"""gluon.data: datasets, samplers, DataLoader (same process, threads, worker processes over shared memory), vision datasets vs MXNet 1.9.1."""

import os
import sys
import time

import numpy as np
import pytest

import mxpy as mx
from mxpy import gluon

GOLDEN = os.path.join(os.path.dirname(__file__), "golden")
sys.path.insert(0, GOLDEN)
from make_gluon_data import HERE, cases  # noqa: E402

sys.path.remove(GOLDEN)
READ = np.load(os.path.join(HERE, "read.npz"))


@pytest.mark.parametrize("name", sorted(cases(gluon.data.vision)))
def test_vision_datasets_read_mxnet_layout(name):
    ds = cases(gluon.data.vision)[name]()
    assert len(ds) == int(READ[name + "/len"])
    for i in range(len(ds)):
        x, y = ds[i]
        want = READ[f"{name}/{i}/data"]
        assert x.dtype == want.dtype and x.shape == want.shape
        np.testing.assert_array_equal(x.asnumpy(), want)
        assert np.asarray(y).dtype == READ[f"{name}/{i}/label"].dtype and int(y) == int(READ[f"{name}/{i}/label"])


def test_missing_dataset_files_named(tmp_path):
    with pytest.raises(mx.MXNetError, match=r"train-labels-idx1-ubyte\.gz not found in .*put the file"):
        gluon.data.vision.MNIST(root=str(tmp_path))
    with pytest.raises(mx.MXNetError, match=r"data_batch_1\.bin.*cifar-10-binary\.tar\.gz"):
        gluon.data.vision.CIFAR10(root=str(tmp_path))


def test_datasets_and_samplers():
    a = gluon.data.SimpleDataset(list(range(9)))
    assert [len(a.shard(4, i)) for i in range(4)] == [3, 2, 2, 2]
    assert sum(sum(a.shard(4, i)) for i in range(4)) == sum(range(9))
    assert list(a.take(3)) == [0, 1, 2] and len(a.take(None)) == 9
    assert list(a.transform(lambda x: x + 1).filter(lambda x: x % 3 == 0)) == [3, 6, 9]
    assert list(a.transform(lambda x: x * 2, lazy=False))[:2] == [0, 2]
    arr = gluon.data.ArrayDataset(np.arange(6).reshape(3, 2), mx.nd.array([5, 6, 7]))
    x, y = arr.transform_first(lambda v: v * 10)[1]
    assert x.tolist() == [20, 30] and y == 6.0
    with pytest.raises(ValueError, match="same length"):
        gluon.data.ArrayDataset(np.zeros(3), np.zeros(4))
    seq = gluon.data.SequentialSampler(10)
    assert sum(list(gluon.data.BatchSampler(seq, 3, "discard")), []) == list(range(9))
    roll = gluon.data.BatchSampler(seq, 3, "rollover")
    assert len(list(roll)) == 3 and list(roll)[0] == [9, 0, 1]
    assert sorted(gluon.data.RandomSampler(5)) == list(range(5))
    assert list(gluon.data.IntervalSampler(5, 2, rollover=False)) == [0, 2, 4]
    with pytest.raises(ValueError, match="last_batch"):
        gluon.data.BatchSampler(seq, 3, "bogus")


def test_record_file_dataset(tmp_path):
    cv2 = pytest.importorskip("cv2")
    w = mx.recordio.MXIndexedRecordIO(str(tmp_path / "d.idx"), str(tmp_path / "d.rec"), "w")
    for i in range(3):
        w.write_idx(i, mx.recordio.pack_img(mx.recordio.IRHeader(0, float(i), i, 0), np.full((4, 5, 3), 40 * i, np.uint8), img_fmt=".png"))
    w.write_idx(3, mx.recordio.pack(mx.recordio.IRHeader(0, 3.0, 3, 0), b"junk"))
    w.close()
    assert len(gluon.data.RecordFileDataset(str(tmp_path / "d.rec"))) == 4
    ds = gluon.data.vision.ImageRecordDataset(str(tmp_path / "d.rec"))
    img, lab = ds[2]
    assert img.shape == (4, 5, 3) and lab == 2.0 and int(img.asnumpy()[0, 0, 0]) == 80
    with pytest.raises(mx.MXNetError, match="record 3 .image index 3."):
        ds[3]
    loader = gluon.data.DataLoader(ds.take(3), batch_size=2, num_workers=2)
    got = [(x.shape, y.asnumpy().tolist()) for x, y in loader]
    assert got == [((2, 4, 5, 3), [0.0, 1.0]), ((1, 4, 5, 3), [2.0])]
    del cv2


def test_folder_and_list_datasets(tmp_path):
    cv2 = pytest.importorskip("cv2")
    for cls in ("a", "b"):
        (tmp_path / cls).mkdir()
        for i in range(2):
            cv2.imwrite(str(tmp_path / cls / f"{i}.png"), np.full((3, 3, 3), i, np.uint8))
    (tmp_path / "b" / "notes.txt").write_text("x")
    with pytest.warns(UserWarning, match="notes.txt"):
        ds = gluon.data.vision.ImageFolderDataset(str(tmp_path))
    assert ds.synsets == ["a", "b"] and len(ds) == 4 and ds[3][1] == 1
    lst = gluon.data.vision.ImageListDataset(str(tmp_path), [[1.0, "a/0.png"], [2.0, 3.0, "b/1.png"]])
    assert lst[0][1] == 1.0 and lst[1][1].tolist() == [2.0, 3.0] and lst[1][0].shape == (3, 3, 3)


class _Full(gluon.data.Dataset):
    def __len__(self):
        return 30

    def __getitem__(self, k):
        return mx.nd.full((10,), k)


@pytest.mark.parametrize("mode", [(0, False), (3, False), (2, True)])
def test_dataloader_modes(mode):
    workers, threads = mode
    loader = gluon.data.DataLoader(_Full(), batch_size=4, num_workers=workers, thread_pool=threads, last_batch="keep")
    assert len(loader) == 8
    for _ in range(2):
        got = [b.asnumpy() for b in loader]
        assert [g.shape for g in got] == [(4, 10)] * 7 + [(2, 10)]
        np.testing.assert_array_equal(np.concatenate(got)[:, 0], np.arange(30))
    # tuples of numpy arrays, shuffling, pinned memory
    ds = gluon.data.ArrayDataset(np.random.rand(11, 3).astype(np.float32), np.arange(11))
    xs, ys = [], []
    for x, y in gluon.data.DataLoader(ds, batch_size=5, shuffle=True, num_workers=workers, thread_pool=threads, pin_memory=True):
        assert x.context == mx.cpu_pinned(0)
        xs.append(x.asnumpy())
        ys.append(y.asnumpy())
    assert sorted(np.concatenate(ys).tolist()) == list(range(11))


def test_dataloader_argument_checks():
    with pytest.raises(ValueError, match="batch_size must be specified"):
        gluon.data.DataLoader(_Full())
    with pytest.raises(ValueError, match="shuffle must not be specified"):
        gluon.data.DataLoader(_Full(), 2, shuffle=True, sampler=gluon.data.SequentialSampler(3))
    with pytest.raises(ValueError, match="must not be specified if batch_sampler"):
        gluon.data.DataLoader(_Full(), 2, batch_sampler=gluon.data.BatchSampler(gluon.data.SequentialSampler(3), 2))
    with pytest.raises(ValueError, match="timeout must be positive"):
        gluon.data.DataLoader(_Full(), 2, timeout=0)


def test_worker_batches_travel_through_shared_memory(monkeypatch):
    from mxpy.gluon.data import _worker

    big = np.random.rand(9, 64, 64).astype(np.float32)
    loader = gluon.data.DataLoader(gluon.data.ArrayDataset(big), batch_size=4, num_workers=2)
    seen = []
    real = _worker.import_batch
    monkeypatch.setattr(_worker, "import_batch", lambda payload: (seen.append(payload), real(payload))[1])
    out = np.concatenate([b.asnumpy() for b in loader])
    np.testing.assert_array_equal(out, big)
    assert all(isinstance(p, _worker._Shm) for p in seen)
    assert not [f for f in os.listdir("/dev/shm") if f.startswith(f"mxpy-dl-{os.getpid()}")] if os.path.isdir("/dev/shm") else True


class _Dies(gluon.data.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, k):
        if k == 5:
            os._exit(3)
        return np.float32(k)


class _Slow(gluon.data.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, k):
        time.sleep(3 if k == 2 else 0)
        return np.float32(k)


class _Raises(gluon.data.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, k):
        if k == 3:
            raise KeyError("no sample 3")
        return np.float32(k)


def test_dead_worker_timeout_and_errors_raise():
    loader = gluon.data.DataLoader(_Dies(), batch_size=2, num_workers=2)
    it = iter(loader)
    assert next(it).asnumpy().tolist() == [0.0, 1.0]
    with pytest.raises(mx.MXNetError, match=r"worker 0 \(pid \d+\) died with exit code 3 while loading batch 2"):
        for _ in it:
            pass
    start = time.monotonic()
    with pytest.raises(mx.MXNetError, match="timed out after 1 seconds on batch 1"):
        list(gluon.data.DataLoader(_Slow(), batch_size=2, num_workers=1, timeout=1))
    assert time.monotonic() - start < 2.9
    with pytest.raises(mx.MXNetError, match="failed on batch 1: KeyError: 'no sample 3'"):
        list(gluon.data.DataLoader(_Raises(), batch_size=2, num_workers=2))
