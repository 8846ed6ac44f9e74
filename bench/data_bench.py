"""Images per second decoding and augmenting a .rec of 2000 real JPEGs to 224x224, four loaders side by side.

    python3 bench/data_bench.py --source /tmp/wallpapers --rounds 3

Loaders, each in its own process, interleaved round by round:
  mxpy_iter     mx.io.ImageRecordIter(preprocess_threads=2) of mxpy (.venv/bin/python)
  mxnet_iter    the same call on MXNet 1.9.1 (../shared/tools/mxnet-reference)
  mxpy_loader   mxpy gluon.data.DataLoader(ImageRecordDataset(..., transform), num_workers=2)
  torch_loader  PyTorch torch.utils.data.DataLoader(num_workers=2) over the same records
                (../shared/tools/torch-reference; OpenCV decodes, torch tensors out)
Every loader does the same work per image: decode the JPEG, resize the shorter
edge to 256, take a random 224x224 crop, mirror with probability 1/2, subtract
the ImageNet mean and divide by its std, and hand out float32 NCHW batches of 64.
A loader runs one untimed warm-up pass, then one timed pass over all 2000 images.

The dataset: ``--source`` is a folder of real photographs (any size, JPEG or
PNG; the run recorded in DATA_RESULTS.md used Debian's mate-backgrounds and
ukui-wallpapers packages). ``make_dataset`` cuts 2000 crops of random position,
size (25-70% of the shorter side) and aspect ratio (3:4 to 4:3) from them,
scales each to a shorter side of 300-500 pixels (ImageNet-like) and encodes
it as JPEG quality 90 into ``--data``/bench.rec with its .idx, once.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(ROOT, "..", "shared", "tools")
BATCH = 64
MEAN = (123.68, 116.28, 103.53)
STD = (58.395, 57.12, 57.375)


def make_dataset(source: str, out_dir: str, count: int = 2000) -> str:
    """Write out_dir/bench.rec + .idx with ``count`` JPEG crops of the photos in ``source``; returns the .rec path."""
    import cv2
    import numpy as np

    sys.path.insert(0, ROOT)
    import mxpy as mx

    rec = os.path.join(out_dir, "bench.rec")
    if os.path.exists(rec) and os.path.exists(rec[:-4] + ".idx"):
        return rec
    files = sorted(f for f in glob.glob(os.path.join(source, "**", "*"), recursive=True) if f.lower().endswith((".jpg", ".jpeg", ".png")))
    photos = [img for img in (cv2.imread(f, cv2.IMREAD_COLOR) for f in files) if img is not None]
    if not photos:
        raise SystemExit(f"no JPEG/PNG images under {source}")
    os.makedirs(out_dir, exist_ok=True)
    rs = np.random.RandomState(0)
    w = mx.recordio.MXIndexedRecordIO(rec[:-4] + ".idx", rec, "w")
    for i in range(count):
        img = photos[i % len(photos)]
        h, wd = img.shape[:2]
        side = int(min(h, wd) * rs.uniform(0.25, 0.7))
        ratio = rs.uniform(3 / 4, 4 / 3)
        ch, cw = min(h, int(side / ratio**0.5)), min(wd, int(side * ratio**0.5))
        y, x = rs.randint(0, h - ch + 1), rs.randint(0, wd - cw + 1)
        crop = img[y : y + ch, x : x + cw]
        short = rs.randint(300, 501)
        scale = short / min(ch, cw)
        crop = cv2.resize(crop, (max(1, int(cw * scale)), max(1, int(ch * scale))), interpolation=cv2.INTER_AREA)
        ok, buf = cv2.imencode(".jpg", crop, [cv2.IMWRITE_JPEG_QUALITY, 90])
        w.write_idx(i, mx.recordio.pack(mx.recordio.IRHeader(0, float(i % 10), i, 0), buf.tobytes()))
    w.close()
    return rec


# -- the loaders (each runs in its own interpreter) -------------------------------------------


def _time_passes(make_iter, consume) -> float:
    it = make_iter()
    n = 0
    for batch in it:  # warm-up pass (starts workers, fills caches)
        consume(batch)
    if hasattr(it, "reset"):  # a DataIter: rewind it; a DataLoader: iterate it again
        it.reset()
    else:
        it = make_iter()
    start = time.perf_counter()
    for batch in it:
        n += consume(batch)
    return n / (time.perf_counter() - start)


def run_record_iter(mx, rec: str) -> float:
    def make():
        return mx.io.ImageRecordIter(
            path_imgrec=rec,
            data_shape=(3, 224, 224),
            batch_size=BATCH,
            resize=256,
            rand_crop=True,
            rand_mirror=True,
            mean_r=MEAN[0],
            mean_g=MEAN[1],
            mean_b=MEAN[2],
            std_r=STD[0],
            std_g=STD[1],
            std_b=STD[2],
            preprocess_threads=2,
            shuffle=False,
        )

    def consume(batch):
        batch.data[0].wait_to_read()
        return BATCH - batch.pad

    return _time_passes(make, consume)


class _Augment:
    """mxpy's per-sample transform for DataLoader: mx.image ops on the decoded NDArray (picklable)."""

    def __call__(self, img, label):
        import mxpy as mx

        img = mx.image.resize_short(img, 256, interp=1)
        img = mx.image.random_crop(img, (224, 224))[0]
        img = mx.image.HorizontalFlipAug(0.5)(img)
        img = mx.image.color_normalize(img.astype("float32"), mx.nd.array(MEAN), mx.nd.array(STD))
        return mx.nd.transpose(img, axes=(2, 0, 1)), label


def run_mxpy_loader(rec: str) -> float:
    import mxpy as mx

    ds = mx.gluon.data.vision.ImageRecordDataset(rec, transform=_Augment())
    loader = mx.gluon.data.DataLoader(ds, batch_size=BATCH, num_workers=2, last_batch="keep")

    def consume(batch):
        batch[0].wait_to_read()
        return batch[0].shape[0]

    return _time_passes(lambda: loader, consume)


def run_torch_loader(rec: str) -> float:
    import cv2
    import numpy as np
    import torch

    cv2.setNumThreads(1)
    offsets = []
    with open(rec[:-4] + ".idx") as f:
        for line in f:
            offsets.append(int(line.split("\t")[1]))
    mean = np.array(MEAN, np.float32)
    inv_std = 1.0 / np.array(STD, np.float32)

    class RecDataset(torch.utils.data.Dataset):
        def __init__(self):
            self.fd = None

        def __len__(self):
            return len(offsets)

        def __getitem__(self, i):
            if self.fd is None:
                self.fd = os.open(rec, os.O_RDONLY)
            head = os.pread(self.fd, 8, offsets[i])
            length = int.from_bytes(head[4:], "little") & ((1 << 29) - 1)
            body = os.pread(self.fd, length, offsets[i] + 8)
            label = np.frombuffer(body[4:8], np.float32)[0]
            img = cv2.imdecode(np.frombuffer(body[24:], np.uint8), cv2.IMREAD_COLOR)
            h, w = img.shape[:2]
            nh, nw = (256 * h // w, 256) if h > w else (256, 256 * w // h)
            img = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
            y, x = np.random.randint(0, nh - 224 + 1), np.random.randint(0, nw - 224 + 1)
            img = img[y : y + 224, x : x + 224, ::-1]
            if np.random.rand() < 0.5:
                img = img[:, ::-1]
            img = (img.astype(np.float32) - mean) * inv_std
            return torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1))), torch.tensor(label)

    loader = torch.utils.data.DataLoader(RecDataset(), batch_size=BATCH, num_workers=2)
    return _time_passes(lambda: loader, lambda b: b[0].shape[0])


def worker(name: str, rec: str) -> None:
    if name.startswith("mxpy"):
        sys.path.insert(0, ROOT)
    if name == "mxpy_iter":
        import mxpy as mx

        ips = run_record_iter(mx, rec)
    elif name == "mxnet_iter":
        import mxnet as mx

        ips = run_record_iter(mx, rec)
    elif name == "mxpy_loader":
        ips = run_mxpy_loader(rec)
    elif name == "torch_loader":
        ips = run_torch_loader(rec)
    else:
        raise SystemExit(f"unknown loader {name}")
    print(json.dumps({"loader": name, "images_per_s": ips}))


PYTHONS = {
    "mxpy_iter": [os.path.join(ROOT, ".venv", "bin", "python")],
    "mxpy_loader": [os.path.join(ROOT, ".venv", "bin", "python")],
    "mxnet_iter": [os.path.join(SHARED, "mxnet-reference")],
    "torch_loader": [os.path.join(SHARED, "torch-reference")],
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", help="folder of real photographs to cut the 2000 JPEGs from")
    ap.add_argument("--data", default="/tmp/mxpy-data-bench", help="where bench.rec/.idx are (made once)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--loaders", default="mxpy_iter,mxnet_iter,mxpy_loader,torch_loader")
    ap.add_argument("--json", help="write the per-round numbers here")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    rec = os.path.join(args.data, "bench.rec")
    if args.worker:
        worker(args.worker, rec)
        return
    if not os.path.exists(rec):
        if not args.source:
            raise SystemExit(f"{rec} does not exist yet: pass --source <folder of photos>")
        make_dataset(args.source, args.data)
    names = args.loaders.split(",")
    results = {n: [] for n in names}
    for r in range(args.rounds):
        for n in names:
            out = subprocess.run(PYTHONS[n] + [os.path.abspath(__file__), "--data", args.data, "--worker", n], capture_output=True, text=True, cwd=ROOT)
            line = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
            if out.returncode or not line:
                print(f"{n}: failed\n{out.stderr[-2000:]}", file=sys.stderr)
                continue
            results[n].append(json.loads(line[-1])["images_per_s"])
            print(f"round {r + 1} {n:13s} {results[n][-1]:8.1f} images/s", flush=True)
    base = statistics.median(results["mxnet_iter"]) if results.get("mxnet_iter") else None
    print("\nloader         images/s (median)  vs MXNet ImageRecordIter")
    for n in names:
        if results[n]:
            med = statistics.median(results[n])
            print(f"{n:13s}  {med:10.1f}         {med / base:.2f}x" if base else f"{n:13s}  {med:10.1f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
