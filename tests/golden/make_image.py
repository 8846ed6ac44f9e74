"""Golden outputs of mx.image from real MXNet 1.9.1 for tests/test_image.py.

Run: /work/shared/tools/mxnet-reference tests/golden/make_image.py
Reads tests/golden/image/sample.{jpg,png} (a 64x48 test picture) and writes
tests/golden/image/image.npz: imdecode (RGB, BGR, gray), imresize with every
interpolation up and down, resize_short, center/fixed crops, seeded random
crops, and seeded runs of every augmenter and of CreateAugmenter chains.
The case list is cases() below, which the test runs through mxpy.
"""

import os
import random

import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "image")


def cases(mx):
    """name -> zero-argument function returning an NDArray (or a tuple whose first item is one)."""
    with open(os.path.join(HERE, "sample.jpg"), "rb") as f:
        jpg = f.read()
    with open(os.path.join(HERE, "sample.png"), "rb") as f:
        png = f.read()
    img = lambda: mx.image.imdecode(png)  # noqa: E731
    out = {
        "decode_jpg": lambda: mx.image.imdecode(jpg),
        "decode_jpg_bgr": lambda: mx.image.imdecode(jpg, to_rgb=False),
        "decode_jpg_gray": lambda: mx.image.imdecode(jpg, flag=0),
        "decode_png": img,
        "resize_short_up": lambda: mx.image.resize_short(img(), 70),
        "resize_short_down": lambda: mx.image.resize_short(img(), 20, interp=9),
        "center_crop": lambda: mx.image.center_crop(img(), (30, 40))[0],
        "center_crop_resize": lambda: mx.image.center_crop(img(), (80, 60), interp=1)[0],
        "fixed_crop": lambda: mx.image.fixed_crop(img(), 3, 5, 20, 25, size=(16, 16), interp=3),
        "copy_make_border": lambda: mx.image.copyMakeBorder(img(), 2, 3, 4, 1, type=1),
    }
    for interp in range(5):
        out[f"imresize_up_{interp}"] = lambda interp=interp: mx.image.imresize(img(), 100, 70, interp=interp)
        out[f"imresize_down_{interp}"] = lambda interp=interp: mx.image.imresize(img(), 21, 17, interp=interp)
    out["imresize_float"] = lambda: mx.image.imresize(img().astype("float32") / 3, 37, 29, interp=1)

    def seeded(fn, seed):
        def run():
            random.seed(seed)
            np.random.seed(seed)
            return fn()

        return run

    out["random_crop"] = seeded(lambda: mx.image.random_crop(img(), (20, 30))[0], 1)
    out["random_size_crop"] = seeded(lambda: mx.image.random_size_crop(img(), (24, 24), (0.2, 0.9), (0.6, 1.6))[0], 2)
    f32 = lambda: img().astype("float32")  # noqa: E731
    augs = {
        "BrightnessJitterAug": lambda: mx.image.BrightnessJitterAug(0.3),
        "ContrastJitterAug": lambda: mx.image.ContrastJitterAug(0.3),
        "SaturationJitterAug": lambda: mx.image.SaturationJitterAug(0.3),
        "HueJitterAug": lambda: mx.image.HueJitterAug(0.3),
        "ColorJitterAug": lambda: mx.image.ColorJitterAug(0.2, 0.3, 0.4),
        "LightingAug": lambda: mx.image.LightingAug(
            0.5, np.array([55.46, 4.794, 1.148]), np.array([[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.814], [-0.5836, -0.6948, 0.4203]])
        ),
        "RandomGrayAug": lambda: mx.image.RandomGrayAug(1.0),
        "HorizontalFlipAug": lambda: mx.image.HorizontalFlipAug(1.0),
        "ColorNormalizeAug": lambda: mx.image.ColorNormalizeAug(mx.nd.array([120.0, 110.0, 100.0]), mx.nd.array([50.0, 60.0, 70.0])),
        "RandomSizedCropAug": lambda: mx.image.RandomSizedCropAug((20, 20), 0.3, (0.7, 1.4)),
        "RandomCropAug": lambda: mx.image.RandomCropAug((25, 15)),
        "CenterCropAug": lambda: mx.image.CenterCropAug((25, 15)),
        "ResizeAug": lambda: mx.image.ResizeAug(30),
        "ForceResizeAug": lambda: mx.image.ForceResizeAug((33, 22)),
    }
    for name, make in augs.items():
        out["aug_" + name] = seeded(lambda make=make: make()(f32()), 5)
    chains = {
        "plain": dict(resize=40),
        "train": dict(
            rand_crop=True,
            rand_resize=True,
            rand_mirror=True,
            mean=True,
            std=True,
            brightness=0.2,
            contrast=0.2,
            saturation=0.2,
            hue=0.1,
            pca_noise=0.1,
            rand_gray=0.3,
        ),
        "crop_mirror": dict(resize=36, rand_crop=True, rand_mirror=True, inter_method=1),
    }
    for name, kw in chains.items():

        def run(kw=kw):
            x = img()
            for a in mx.image.CreateAugmenter((3, 24, 28), **kw):
                x = a(x)
            return x

        out["chain_" + name] = seeded(run, 11)
    return out


def det_cases(mx):
    """name -> function returning (image NDArray, label array) from seeded detection augmenters."""
    with open(os.path.join(HERE, "sample.png"), "rb") as f:
        png = f.read()
    label = np.array([[1, 0.1, 0.2, 0.5, 0.7], [2, 0.4, 0.1, 0.9, 0.6]], dtype=np.float32)
    augs = {
        "crop": lambda: [mx.image.DetRandomCropAug(min_object_covered=0.3, area_range=(0.3, 1.0))],
        "pad": lambda: [mx.image.DetRandomPadAug(area_range=(1.0, 2.5))],
        "flip": lambda: [mx.image.DetHorizontalFlipAug(1.0)],
        "chain": lambda: mx.image.CreateDetAugmenter((3, 32, 40), rand_crop=0.7, rand_pad=0.7, rand_mirror=True, mean=True, std=True),
    }
    out = {}
    for name, make in augs.items():

        def run(make=make):
            random.seed(21)
            np.random.seed(21)
            x, lab = mx.image.imdecode(png), label.copy()
            for a in make():
                x, lab = a(x, lab)
            return x, lab

        out[name] = run
    return out


if __name__ == "__main__":
    import mxnet as mx

    res = {}
    for name, fn in cases(mx).items():
        v = fn()
        v = v[0] if isinstance(v, tuple) else v
        res[name] = v.asnumpy()
    for name, fn in det_cases(mx).items():
        x, lab = fn()
        res["det_" + name + "_img"] = x.asnumpy()
        res["det_" + name + "_label"] = np.asarray(lab)
    np.savez_compressed(os.path.join(HERE, "image.npz"), **res)
    print(len(res), "cases")
