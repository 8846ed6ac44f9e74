"""Inception v3 ("Rethinking the Inception Architecture for Computer Vision", Szegedy et al. 2015),
for 299x299 inputs.

>>> net = inception_v3(classes=3)
>>> net.prefix.startswith("inception3")
True
"""

from __future__ import annotations

from ...block import HybridBlock
from ...nn import Activation, AvgPool2D, BatchNorm, Conv2D, Dense, Dropout, HybridConcatenate, HybridSequential, MaxPool2D
from ._common import build

__all__ = ["Inception3", "inception_v3"]

_SETTING_NAMES = ("channels", "kernel_size", "strides", "padding")


def _basic_conv(**kwargs):
    out = HybridSequential(prefix="")
    out.add(Conv2D(use_bias=False, **kwargs), BatchNorm(epsilon=0.001), Activation("relu"))
    return out


def _branch(pool, *convs):
    """An optional pool ('avg': 3x3 stride 1 pad 1; 'max': 3x3 stride 2) then conv-BN-ReLU units, each
    given as (channels, kernel_size, strides, padding) with None for "default"."""
    out = HybridSequential(prefix="")
    if pool == "avg":
        out.add(AvgPool2D(pool_size=3, strides=1, padding=1))
    elif pool == "max":
        out.add(MaxPool2D(pool_size=3, strides=2))
    for setting in convs:
        out.add(_basic_conv(**{k: v for k, v in zip(_SETTING_NAMES, setting) if v is not None}))
    return out


def _mixed(prefix, *branches):
    out = HybridConcatenate(axis=1, prefix=prefix)
    with out.name_scope():
        for b in branches:
            out.add(_branch(*b))
    return out


def _make_a(pool_features, prefix):
    return _mixed(
        prefix,
        (None, (64, 1, None, None)),
        (None, (48, 1, None, None), (64, 5, None, 2)),
        (None, (64, 1, None, None), (96, 3, None, 1), (96, 3, None, 1)),
        ("avg", (pool_features, 1, None, None)),
    )


def _make_b(prefix):
    return _mixed(prefix, (None, (384, 3, 2, None)), (None, (64, 1, None, None), (96, 3, None, 1), (96, 3, 2, None)), ("max",))


def _make_c(c7, prefix):
    return _mixed(
        prefix,
        (None, (192, 1, None, None)),
        (None, (c7, 1, None, None), (c7, (1, 7), None, (0, 3)), (192, (7, 1), None, (3, 0))),
        (None, (c7, 1, None, None), (c7, (7, 1), None, (3, 0)), (c7, (1, 7), None, (0, 3)), (c7, (7, 1), None, (3, 0)), (192, (1, 7), None, (0, 3))),
        ("avg", (192, 1, None, None)),
    )


def _make_d(prefix):
    return _mixed(
        prefix,
        (None, (192, 1, None, None), (320, 3, 2, None)),
        (None, (192, 1, None, None), (192, (1, 7), None, (0, 3)), (192, (7, 1), None, (3, 0)), (192, 3, 2, None)),
        ("max",),
    )


def _split_1x3_3x1():
    split = HybridConcatenate(axis=1, prefix="")
    split.add(_branch(None, (384, (1, 3), None, (0, 1))), _branch(None, (384, (3, 1), None, (1, 0))))
    return split


def _make_e(prefix):
    out = HybridConcatenate(axis=1, prefix=prefix)
    with out.name_scope():
        out.add(_branch(None, (320, 1, None, None)))
        b3 = HybridSequential(prefix="")
        out.add(b3)
        b3.add(_branch(None, (384, 1, None, None)), _split_1x3_3x1())
        b3dbl = HybridSequential(prefix="")
        out.add(b3dbl)
        b3dbl.add(_branch(None, (448, 1, None, None), (384, 3, None, 1)), _split_1x3_3x1())
        out.add(_branch("avg", (192, 1, None, None)))
    return out


class Inception3(HybridBlock):
    """Inception v3 for 299x299 inputs.

    Parameters
    ----------
    classes : int, default 1000
    """

    def __init__(self, classes=1000, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.features = f = HybridSequential(prefix="")
            f.add(_basic_conv(channels=32, kernel_size=3, strides=2), _basic_conv(channels=32, kernel_size=3))
            f.add(_basic_conv(channels=64, kernel_size=3, padding=1), MaxPool2D(pool_size=3, strides=2))
            f.add(_basic_conv(channels=80, kernel_size=1), _basic_conv(channels=192, kernel_size=3), MaxPool2D(pool_size=3, strides=2))
            f.add(_make_a(32, "A1_"), _make_a(64, "A2_"), _make_a(64, "A3_"), _make_b("B_"))
            f.add(_make_c(128, "C1_"), _make_c(160, "C2_"), _make_c(160, "C3_"), _make_c(192, "C4_"))
            f.add(_make_d("D_"), _make_e("E1_"), _make_e("E2_"), AvgPool2D(pool_size=8), Dropout(0.5))
            self.output = Dense(classes)

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


def inception_v3(pretrained=False, ctx=None, root=None, **kwargs):
    """Inception v3 (``pretrained``, ``ctx``, ``root``, ``classes``)."""
    return build(Inception3, "inceptionv3", pretrained, ctx, root, **kwargs)
