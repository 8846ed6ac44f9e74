"""Convert the UCI optical-digits test set (1797 8x8 images, pixel counts 0..16)
into MNIST idx files, so mxpy's demo has real handwritten digits offline.

Source: UCI ML repository, "Optical Recognition of Handwritten Digits"
(E. Alpaydin, C. Kaynak, 1998), CC BY 4.0. The CSV used here is the copy
shipped inside scikit-learn's wheel (sklearn/datasets/data/digits.csv.gz):
64 pixel columns then the label, one image per row.

    python examples/data/make_uci_digits.py path/to/digits.csv.gz

Pixels are scaled by 16 (clipped to 255) into uint8. The first 1437 images
(80%) become the training split, the remaining 360 the test split.
"""

from __future__ import annotations

import gzip
import os
import struct
import sys

import numpy as np


def write_idx(path: str, array: np.ndarray) -> None:
    """MNIST idx: magic (0, 0, 0x08 = uint8, ndim), big-endian u32 dims, raw bytes."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write(header + array.astype(np.uint8).tobytes())


def main(csv_path: str) -> None:
    table = np.loadtxt(csv_path, delimiter=",")
    images = np.clip(table[:, :64] * 16, 0, 255).astype(np.uint8).reshape(-1, 8, 8)
    labels = table[:, 64].astype(np.uint8)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "uci-digits")
    os.makedirs(out, exist_ok=True)
    n_train = 1437
    write_idx(os.path.join(out, "train-images-idx3-ubyte.gz"), images[:n_train])
    write_idx(os.path.join(out, "train-labels-idx1-ubyte.gz"), labels[:n_train])
    write_idx(os.path.join(out, "t10k-images-idx3-ubyte.gz"), images[n_train:])
    write_idx(os.path.join(out, "t10k-labels-idx1-ubyte.gz"), labels[n_train:])
    print(f"wrote {n_train} training and {len(labels) - n_train} test images to {out}")


if __name__ == "__main__":
    main(sys.argv[1])
