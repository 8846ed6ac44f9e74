"""Golden batches of MXNet 1.9.1's ImageRecordIter family for tests/test_image_record_iter.py.

Run: /work/shared/tools/mxnet-reference tests/golden/make_imagerec.py
Reads tests/golden/imagerec/data.{rec,idx,lst} (10 small JPEGs of assorted
sizes, labels i % 4, list labels (i % 3, 7i % 5)) and writes
tests/golden/imagerec/batches.npz: every batch of two epochs (data, label,
pad) for each configuration in CONFIGS (no random augmentation).
"""

import os

import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "imagerec")
REC, IDX, LST = (os.path.join(HERE, "data." + e) for e in ("rec", "idx", "lst"))

CONFIGS = {
    "resize_norm": dict(
        cls="ImageRecordIter", data_shape=(3, 24, 24), batch_size=4, resize=28, mean_r=120, mean_g=110, mean_b=100, std_r=50, std_g=60, std_b=70
    ),
    "no_round": dict(cls="ImageRecordIter", data_shape=(3, 20, 20), batch_size=4, round_batch=False, scale=1.0 / 255),
    "upsample_crop": dict(cls="ImageRecordIter", data_shape=(3, 40, 44), batch_size=3, inter_method=2),
    "mirror_pad": dict(cls="ImageRecordIter", data_shape=(3, 26, 26), batch_size=5, mirror=True, pad=3, fill_value=7, resize=24),
    "uint8": dict(cls="ImageRecordUInt8Iter", data_shape=(3, 22, 18), batch_size=4, resize=25),
    "int8": dict(cls="ImageRecordInt8Iter", data_shape=(3, 22, 22), batch_size=4, mean_r=127.6, mean_g=100, mean_b=60),
    "gray": dict(cls="ImageRecordIter", data_shape=(1, 20, 20), batch_size=4),
    "imglist": dict(cls="ImageRecordIter", data_shape=(3, 20, 20), batch_size=4, path_imglist=LST, label_width=2),
    "parts_idx": dict(cls="ImageRecordIter", data_shape=(3, 20, 20), batch_size=2, path_imgidx=IDX, num_parts=3, part_index=1),
    "parts": dict(cls="ImageRecordIter", data_shape=(3, 20, 20), batch_size=2, num_parts=2, part_index=1),
    "area_interp": dict(cls="ImageRecordIter", data_shape=(3, 16, 16), batch_size=4, resize=17, inter_method=3, max_crop_size=15, min_crop_size=15),
}


def run(mx, name, epochs=2):
    kw = dict(CONFIGS[name])
    cls = getattr(mx.io, kw.pop("cls"))
    it = cls(path_imgrec=REC, preprocess_threads=1, **kw)
    out = []
    for epoch in range(epochs):
        if epoch:
            it.reset()
        for b in it:
            out.append((b.data[0].asnumpy(), b.label[0].asnumpy(), b.pad))
    return out


if __name__ == "__main__":
    import mxnet as mx

    res = {}
    for name in CONFIGS:
        for k, (d, lab, p) in enumerate(run(mx, name)):
            res[f"{name}/{k}/data"] = d
            res[f"{name}/{k}/label"] = lab
            res[f"{name}/{k}/pad"] = np.array(p)
    np.savez_compressed(os.path.join(HERE, "batches.npz"), **res)
    for name in CONFIGS:
        n = len([k for k in res if k.startswith(name + "/") and k.endswith("/pad")])
        print(name, n, "batches", [int(res[f"{name}/{k}/pad"]) for k in range(n)], res[f"{name}/0/data"].dtype)
