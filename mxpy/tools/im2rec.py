"""``python -m mxpy.tools.im2rec``: make image lists (``.lst``) and RecordIO files (``.rec`` + ``.idx``), as MXNet's ``tools/im2rec.py``.

Two steps, with MXNet's options:

    python -m mxpy.tools.im2rec --list --recursive data/train images/     # writes data/train.lst
    python -m mxpy.tools.im2rec --resize 256 --quality 90 --num-thread 4 data/train images/

The first walks ``root`` (``--recursive``: one label per sub-folder, in sorted
order) and writes ``prefix.lst`` (shuffled with seed 100 unless
``--no-shuffle``; split by ``--chunks``, ``--train-ratio``, ``--test-ratio``).
The second reads every ``prefix*.lst`` and packs the images, re-encoded with
OpenCV (``--resize`` of the shorter edge, ``--center-crop``, ``--color``,
``--encoding``, ``--quality``) or as they are (``--pass-through``), with
``--pack-label`` storing every label column. Records keep the list order.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from .. import recordio
from .._atomic_file import atomic_write


def list_image(root, recursive, exts):
    """Yield (index, relative path, label) for the images under ``root``, in sorted order."""
    i = 0
    if recursive:
        labels = {}
        for path, dirs, files in os.walk(root, followlinks=True):
            dirs.sort()
            for fname in sorted(files):
                fpath = os.path.join(path, fname)
                if os.path.isfile(fpath) and os.path.splitext(fname)[1].lower() in exts:
                    labels.setdefault(path, len(labels))
                    yield i, os.path.relpath(fpath, root), labels[path]
                    i += 1
        for folder, label in sorted(labels.items(), key=lambda kv: kv[1]):
            print(os.path.relpath(folder, root), label)
    else:
        for fname in sorted(os.listdir(root)):
            fpath = os.path.join(root, fname)
            if os.path.isfile(fpath) and os.path.splitext(fname)[1].lower() in exts:
                yield i, os.path.relpath(fpath, root), 0
                i += 1


def write_list(path_out, image_list):
    """Write ``index<TAB>label(s)<TAB>path`` lines (labels with 6 decimals, as MXNet)."""
    lines = []
    for item in image_list:
        labels = "".join(f"{x:f}\t" for x in item[2:])
        lines.append(f"{item[0]}\t{labels}{item[1]}\n")
    atomic_write(path_out, ["".join(lines).encode()], func="im2rec")


def make_list(args):
    """The ``--list`` step: write ``prefix[_chunk][_train|_val|_test].lst``."""
    items = list(list_image(args.root, args.recursive, args.exts))
    if args.shuffle:
        random.seed(100)
        random.shuffle(items)
    chunk_size = (len(items) + args.chunks - 1) // args.chunks
    for c in range(args.chunks):
        chunk = items[c * chunk_size : (c + 1) * chunk_size]
        tag = f"_{c}" if args.chunks > 1 else ""
        n_train = int(chunk_size * args.train_ratio)
        n_test = int(chunk_size * args.test_ratio)
        if args.train_ratio == 1.0:
            write_list(args.prefix + tag + ".lst", chunk)
            continue
        if args.test_ratio:
            write_list(args.prefix + tag + "_test.lst", chunk[:n_test])
        if args.train_ratio + args.test_ratio < 1.0:
            write_list(args.prefix + tag + "_val.lst", chunk[n_test + n_train :])
        write_list(args.prefix + tag + "_train.lst", chunk[n_test : n_test + n_train])


def read_list(path_in):
    """Yield [index, path, label...] per line; a bad line is reported with its number and skipped, as MXNet does."""
    with open(path_in) as f:
        for lineno, line in enumerate(f, 1):
            parts = [p.strip() for p in line.strip().split("\t")]
            if len(parts) < 3:
                print(f"im2rec: {path_in}:{lineno}: a list line has index, label(s) and path separated by tabs; skipping {line.rstrip()!r}", file=sys.stderr)
                continue
            try:
                yield [int(parts[0]), parts[-1]] + [float(x) for x in parts[1:-1]]
            except ValueError as e:
                print(f"im2rec: {path_in}:{lineno}: bad index or label ({e}); skipping {line.rstrip()!r}", file=sys.stderr)


def image_encode(args, item):
    """The packed record for one list item, or None (with a message) when the image cannot be read."""
    fullpath = os.path.join(args.root, item[1])
    label = item[2:] if (len(item) > 3 and args.pack_label) else item[2]
    header = recordio.IRHeader(0, label, item[0], 0)
    if args.pass_through:
        try:
            with open(fullpath, "rb") as f:
                return recordio.pack(header, f.read())
        except OSError as e:
            print(f"im2rec: cannot read {fullpath}: {e}", file=sys.stderr)
            return None
    from ..image import _cv

    cv2 = _cv.cv2()
    img = cv2.imread(fullpath, args.color)
    if img is None:
        print(f"im2rec: {fullpath} does not decode as an image; skipping it", file=sys.stderr)
        return None
    if args.center_crop:
        h, w = img.shape[:2]
        if h > w:
            m = (h - w) // 2
            img = img[m : m + w]
        else:
            m = (w - h) // 2
            img = img[:, m : m + h]
    if args.resize:
        h, w = img.shape[:2]
        size = (args.resize, h * args.resize // w) if h > w else (w * args.resize // h, args.resize)
        img = cv2.resize(img, size)
    try:
        return recordio.pack_img(header, img, quality=args.quality, img_fmt=args.encoding)
    except Exception as e:  # noqa: BLE001 - reported per image, the rest still packed
        print(f"im2rec: cannot encode {fullpath}: {e}", file=sys.stderr)
        return None


def make_record(args, lst_path, working_dir):
    """Pack every image of ``lst_path`` into ``<name>.rec`` / ``<name>.idx`` in ``working_dir``, in list order."""
    base = os.path.splitext(os.path.basename(lst_path))[0]
    writer = recordio.MXIndexedRecordIO(os.path.join(working_dir, base + ".idx"), os.path.join(working_dir, base + ".rec"), "w")
    items = list(read_list(lst_path))
    start = time.time()
    with ThreadPoolExecutor(max_workers=max(1, args.num_thread)) as pool:
        # map keeps the list order; OpenCV releases the GIL while decoding and encoding
        for count, (item, packed) in enumerate(zip(items, pool.map(lambda it: image_encode(args, it), items))):
            if packed is not None:
                writer.write_idx(item[0], packed)
            if count % 1000 == 0:
                print("time:", time.time() - start, " count:", count)
    writer.close()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m mxpy.tools.im2rec",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description="Create an image list or make a record database by reading from an image list",
    )
    parser.add_argument("prefix", help="prefix of input/output lst and rec files.")
    parser.add_argument("root", help="path to folder containing images.")
    cg = parser.add_argument_group("Options for creating image lists")
    cg.add_argument("--list", action="store_true", help="create image list(s) from root into <prefix>.lst instead of packing <prefix>.lst into <prefix>.rec")
    cg.add_argument("--exts", nargs="+", default=[".jpeg", ".jpg", ".png"], help="list of acceptable image extensions.")
    cg.add_argument("--chunks", type=int, default=1, help="number of chunks.")
    cg.add_argument("--train-ratio", type=float, default=1.0, help="Ratio of images to use for training.")
    cg.add_argument("--test-ratio", type=float, default=0, help="Ratio of images to use for testing.")
    cg.add_argument("--recursive", action="store_true", help="walk sub-folders, one label per folder (otherwise root only, label 0)")
    cg.add_argument("--no-shuffle", dest="shuffle", action="store_false", help="keep the sorted order in <prefix>.lst")
    rg = parser.add_argument_group("Options for creating database")
    rg.add_argument("--pass-through", action="store_true", help="whether to skip transformation and save image as is")
    rg.add_argument("--resize", type=int, default=0, help="resize the shorter edge of image to the newsize")
    rg.add_argument("--center-crop", action="store_true", help="crop the centre square of the image")
    rg.add_argument("--quality", type=int, default=95, help="JPEG quality for encoding, 1-100; or PNG compression for encoding, 1-9")
    rg.add_argument("--num-thread", type=int, default=1, help="number of threads to use for encoding")
    rg.add_argument("--color", type=int, default=1, choices=[-1, 0, 1], help="1: colour, 0: grayscale, -1: as stored (with alpha)")
    rg.add_argument("--encoding", type=str, default=".jpg", choices=[".jpg", ".png"], help="specify the encoding of the images.")
    rg.add_argument("--pack-label", action="store_true", help="Whether to also pack multi dimensional label in the record file")
    args = parser.parse_args(argv)
    args.prefix = os.path.abspath(args.prefix)
    args.root = os.path.abspath(args.root)
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.list:
        make_list(args)
        return 0
    working_dir = args.prefix if os.path.isdir(args.prefix) else os.path.dirname(args.prefix)
    found = 0
    for fname in sorted(os.listdir(working_dir)):
        path = os.path.join(working_dir, fname)
        if os.path.isfile(path) and path.startswith(args.prefix) and path.endswith(".lst"):
            print("Creating .rec file from", path, "in", working_dir)
            make_record(args, path, working_dir)
            found += 1
    if not found:
        print(f"im2rec: no .lst file starting with {args.prefix} in {working_dir}; run with --list first", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
