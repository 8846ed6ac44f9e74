"""Golden reads of MXNet 1.9.1's gluon.data.vision datasets for tests/test_gluon_data.py.

Run: /work/shared/tools/mxnet-reference tests/golden/make_gluon_data.py
write_files() lays out small synthetic files in MXNet's formats under
tests/golden/gluon_data/{mnist,fashion-mnist,cifar10,cifar100}; MXNet's own
dataset classes then read them (their download step is patched to "the file
is already there") and every sample is stored in tests/golden/gluon_data/read.npz.
"""

import gzip
import os
import struct

import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gluon_data")


def write_files(root=HERE):
    rs = np.random.RandomState(12)
    for name in ("mnist", "fashion-mnist"):
        d = os.path.join(root, name)
        os.makedirs(d, exist_ok=True)
        for prefix, n in (("train", 5), ("t10k", 3)):
            imgs = rs.randint(0, 256, (n, 28, 28)).astype(np.uint8)
            labels = rs.randint(0, 10, n).astype(np.uint8)
            with gzip.GzipFile(os.path.join(d, f"{prefix}-images-idx3-ubyte.gz"), "wb", mtime=0) as f:
                f.write(struct.pack(">IIII", 0x803, n, 28, 28) + imgs.tobytes())
            with gzip.GzipFile(os.path.join(d, f"{prefix}-labels-idx1-ubyte.gz"), "wb", mtime=0) as f:
                f.write(struct.pack(">II", 0x801, n) + labels.tobytes())
    d = os.path.join(root, "cifar10")
    os.makedirs(d, exist_ok=True)
    for fname in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        rows = np.concatenate([rs.randint(0, 10, (2, 1)), rs.randint(0, 256, (2, 3072))], axis=1).astype(np.uint8)
        with open(os.path.join(d, fname), "wb") as f:
            f.write(rows.tobytes())
    d = os.path.join(root, "cifar100")
    os.makedirs(d, exist_ok=True)
    for fname in ("train.bin", "test.bin"):
        rows = np.concatenate([rs.randint(0, 20, (3, 1)), rs.randint(0, 100, (3, 1)), rs.randint(0, 256, (3, 3072))], axis=1).astype(np.uint8)
        with open(os.path.join(d, fname), "wb") as f:
            f.write(rows.tobytes())


def cases(vision, root=HERE):
    """name -> dataset constructor over the files under ``root``."""
    return {
        "mnist_train": lambda: vision.MNIST(root=os.path.join(root, "mnist")),
        "mnist_test": lambda: vision.MNIST(root=os.path.join(root, "mnist"), train=False),
        "fashion_train": lambda: vision.FashionMNIST(root=os.path.join(root, "fashion-mnist")),
        "cifar10_train": lambda: vision.CIFAR10(root=os.path.join(root, "cifar10")),
        "cifar10_test": lambda: vision.CIFAR10(root=os.path.join(root, "cifar10"), train=False),
        "cifar100_coarse": lambda: vision.CIFAR100(root=os.path.join(root, "cifar100")),
        "cifar100_fine": lambda: vision.CIFAR100(root=os.path.join(root, "cifar100"), fine_label=True, train=False),
    }


if __name__ == "__main__":
    import mxnet as mx
    from mxnet.gluon.data.vision import datasets as vd

    write_files()
    vd.download = lambda url, path=None, sha1_hash=None, **kw: os.path.join(path, url.split("/")[-1])
    vd.check_sha1 = lambda path, sha1: True
    out = {}
    for name, make in cases(mx.gluon.data.vision).items():
        ds = make()
        out[name + "/len"] = np.array(len(ds))
        for i in range(len(ds)):
            x, y = ds[i]
            out[f"{name}/{i}/data"] = x.asnumpy()
            out[f"{name}/{i}/label"] = np.asarray(y)
    np.savez_compressed(os.path.join(HERE, "read.npz"), **out)
    print(len(out), "arrays")
