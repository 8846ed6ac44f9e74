"""Golden batches for mx.io from real MXNet 1.9.1 (run with mxnet-reference).

    ../shared/tools/mxnet-reference tests/golden/make_io.py

Writes tests/golden/io.json.  The MNIST idx and CSV inputs are rebuilt by the
same helpers in tests/test_io.py, so both sides read identical bytes.
"""

import json
import os
import tempfile

import mxnet as mx
import numpy as np
from mirror import csv_text, descs, mnist_arrays, run_epochs, write_idx

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    g = {"ndarray_iter": {}, "mnist": {}, "csv": {}}
    data = np.arange(20, dtype=np.float32).reshape(10, 2)
    label = np.arange(10, dtype=np.float32) * 10
    for bs in (3, 4):
        for mode in ("pad", "discard", "roll_over"):
            it = mx.io.NDArrayIter(data, label, bs, last_batch_handle=mode)
            g["ndarray_iter"][f"{mode}_{bs}"] = run_epochs(it, 3)
    g["ndarray_iter"]["tile_8"] = run_epochs(mx.io.NDArrayIter(np.arange(3), None, 8), 2)
    it = mx.io.NDArrayIter([np.arange(i, i + 10) for i in range(11)], {"b": label, "a": data}, 4)
    g["ndarray_iter"]["multi_desc"] = {"data": descs(it.provide_data), "label": descs(it.provide_label)}
    g["ndarray_iter"]["multi"] = run_epochs(it, 1)
    it = mx.io.NDArrayIter(np.arange(6, dtype=np.int32).reshape(3, 2), batch_size=2)
    g["ndarray_iter"]["int_desc"] = descs(it.provide_data)
    g["ndarray_iter"]["int"] = run_epochs(it, 1)
    for mode in ("pad", "roll_over"):
        np.random.seed(3)
        it = mx.io.NDArrayIter(data, label, 4, shuffle=True, last_batch_handle=mode)
        g["ndarray_iter"][f"shuffle_{mode}"] = run_epochs(it, 3)

    tmp = tempfile.mkdtemp()
    img, lab = mnist_arrays()
    write_idx(os.path.join(tmp, "img"), img)
    write_idx(os.path.join(tmp, "lab"), lab)
    cases = {
        "plain": dict(batch_size=8, shuffle=False),
        "flat": dict(batch_size=8, shuffle=False, flat=True),
        "part": dict(batch_size=4, shuffle=False, num_parts=3, part_index=1),
        "shuffle_0": dict(batch_size=8, shuffle=True, seed=0),
        "shuffle_7": dict(batch_size=8, shuffle=True, seed=7),
        "big_shuffle_5": dict(batch_size=5, shuffle=True, seed=5),
    }
    for key, kw in cases.items():
        path = "img"
        if key.startswith("big"):
            big_img = np.zeros((70000, 1, 1), np.uint8)
            big_img[:, 0, 0] = np.arange(70000) % 256
            write_idx(os.path.join(tmp, "bigimg"), big_img)
            write_idx(os.path.join(tmp, "biglab"), (np.arange(70000) // 256) % 256)
            it = mx.io.MNISTIter(image=os.path.join(tmp, "bigimg"), label=os.path.join(tmp, "biglab"), silent=True, **kw)
            order = []
            for b in it:
                px = np.rint(b.data[0].asnumpy().reshape(-1) * 256).astype(int)
                order.extend((b.label[0].asnumpy().astype(int) * 256 + px).tolist())
            g["mnist"][key] = {"order": order[:400]}
            continue
        it = mx.io.MNISTIter(image=os.path.join(tmp, path), label=os.path.join(tmp, "lab"), silent=True, **kw)
        rec = {"desc_data": descs(it.provide_data), "desc_label": descs(it.provide_label)}
        if key.startswith("shuffle"):
            epochs = []
            for _ in range(2):
                epochs.append([np.rint(b.data[0].asnumpy()[:, 0, 0, 0] * 256).astype(int).tolist() for b in it])
                it.reset()
            rec["order"] = epochs
        else:
            rec["epochs"] = run_epochs(it, 2)
        g["mnist"][key] = rec

    with open(os.path.join(tmp, "d.csv"), "w") as f:
        f.write(csv_text())
    with open(os.path.join(tmp, "l.csv"), "w") as f:
        f.write("".join(f"{r}\n" for r in range(5)))
    with open(os.path.join(tmp, "l2.csv"), "w") as f:
        f.write("".join(f"{r},{r + 1}\n" for r in range(5)))
    d = os.path.join(tmp, "d.csv")
    csv_cases = {
        "round": dict(data_shape=(2, 3), batch_size=2),
        "noround": dict(data_shape=(2, 3), batch_size=2, round_batch=False),
        "label": dict(data_shape=(6,), batch_size=2, label_csv=os.path.join(tmp, "l.csv")),
        "label2": dict(data_shape=(6,), batch_size=3, label_csv=os.path.join(tmp, "l2.csv"), label_shape=(2,)),
        "int32": dict(data_shape=(6,), batch_size=2, dtype="int32"),
        "big_noround": dict(data_shape=(6,), batch_size=7, round_batch=False),
    }
    for key, kw in csv_cases.items():
        it = mx.io.CSVIter(data_csv=d, **kw)
        g["csv"][key] = {
            "desc_data": descs(it.provide_data),
            "desc_label": descs(it.provide_label),
            "epochs": run_epochs(it, 3),
        }
    it = mx.io.CSVIter(data_csv=d, data_shape=(6,), batch_size=7)
    two = run_epochs(it, 2)
    try:
        next(it)
        third = "ok"
    except mx.base.MXNetError as e:
        third = "number of input must be bigger than batch size" in str(e)
    g["csv"]["big_round"] = {"epochs": two, "third_fails": third}

    with open(os.path.join(HERE, "io.json"), "w") as f:
        json.dump(g, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
