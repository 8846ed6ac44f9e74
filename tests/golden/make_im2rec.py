"""Golden outputs of MXNet 1.9.1's tools/im2rec.py for tests/test_im2rec.py.

Run: /work/shared/tools/mxnet-reference tests/golden/make_im2rec.py
(needs opencv-python-headless in that environment and the apache/mxnet mirror
at $MXNET_MIRROR, default /work/.mirror/apache+mxnet/repo). The images are the
10 JPEGs of tests/golden/imagerec/data.rec laid out by lay_out() in two class
folders; writes tests/golden/im2rec/: all.lst (--list --recursive),
pass.rec/.idx (--pass-through), resized.rec/.idx (--resize 20 --quality 90
--num-thread 2) and multi.rec/.idx (--pack-label on a two-label list).
"""

import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "im2rec")
REC = os.path.join(HERE, "imagerec", "data.rec")


def lay_out(recordio, root):
    """Write the records' images as root/cat/*.jpg and root/dog/*.jpg."""
    r = recordio.MXRecordIO(REC, "r")
    i = 0
    while True:
        s = r.read()
        if s is None:
            break
        _, img = recordio.unpack(s)
        folder = os.path.join(root, "cat" if i % 2 == 0 else "dog")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"img{i:02d}.jpg"), "wb") as f:
            f.write(img)
        i += 1
    r.close()


def steps():
    """(output name, arguments) of each im2rec run; 'multi' reads multi.lst written by the caller."""
    return [
        ("all", ["--list", "--recursive"]),
        ("pass", ["--pass-through"]),
        ("resized", ["--resize", "20", "--quality", "90", "--num-thread", "2"]),
        ("multi", ["--pack-label", "--pass-through"]),
    ]


def multi_list(lst_text):
    """A two-label list made from all.lst: label and 10 * label + 0.5."""
    lines = []
    for line in lst_text.splitlines():
        idx, lab, path = line.split("\t")
        lines.append(f"{idx}\t{lab}\t{float(lab) * 10 + 0.5:f}\t{path}\n")
    return "".join(lines)


def run_all(cmd, work, root):
    """Run every step with ``cmd`` (a list: the im2rec command) in folder ``work``."""
    for name, args in steps():
        if name == "pass":
            shutil.copy(os.path.join(work, "all.lst"), os.path.join(work, "pass.lst"))
        if name == "resized":
            shutil.copy(os.path.join(work, "all.lst"), os.path.join(work, "resized.lst"))
        if name == "multi":
            with open(os.path.join(work, "all.lst")) as f:
                text = multi_list(f.read())
            with open(os.path.join(work, "multi.lst"), "w") as f:
                f.write(text)
        subprocess.run(cmd + args + [os.path.join(work, name), root], check=True, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    import mxnet as mx

    mirror = os.environ.get("MXNET_MIRROR", "/work/.mirror/apache+mxnet/repo")
    tool = subprocess.run(["git", "-C", mirror, "show", "1.9.1:tools/im2rec.py"], check=True, capture_output=True).stdout
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "im2rec.py")
        with open(script, "wb") as f:
            f.write(tool)
        root = os.path.join(tmp, "images")
        lay_out(mx.recordio, root)
        work = os.path.join(tmp, "work")
        os.makedirs(work)
        run_all([sys.executable, script], work, root)
        os.makedirs(OUT, exist_ok=True)
        for fname in sorted(os.listdir(work)):
            if fname.split(".")[0] in ("all", "pass", "resized", "multi") and not (fname.endswith(".lst") and fname != "all.lst"):
                shutil.copy(os.path.join(work, fname), os.path.join(OUT, fname))
    print(sorted(os.listdir(OUT)))
