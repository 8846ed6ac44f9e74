"""VGG 11/13/16/19, with or without BatchNorm, and AlexNet, as MXNet 1.9.1's model zoo builds them.

>>> import mxpy as mx
>>> net = vgg11(classes=3); net.initialize()
>>> net(mx.nd.zeros((1, 3, 32, 32))).shape
(1, 3)
"""

from __future__ import annotations

from ....initializer import Xavier
from ...block import HybridBlock
from ...nn import Activation, BatchNorm, Conv2D, Dense, Dropout, Flatten, HybridSequential, MaxPool2D
from ._common import build

__all__ = ["VGG", "AlexNet", "alexnet", "get_vgg"] + [f"vgg{n}{bn}" for n in (11, 13, 16, 19) for bn in ("", "_bn")]


class VGG(HybridBlock):
    """VGG: blocks of 3x3 convolutions (``layers[i]`` of ``filters[i]`` channels) each ending in 2x2 max
    pooling, then two Dense(4096)+Dropout layers and the classifier.

    Parameters
    ----------
    layers : list of int
    filters : list of int
    classes : int, default 1000
    batch_norm : bool, default False
    """

    def __init__(self, layers, filters, classes=1000, batch_norm=False, **kwargs):
        super().__init__(**kwargs)
        if len(layers) != len(filters):
            raise ValueError(f"VGG: layers and filters need the same length, got {len(layers)} and {len(filters)}")
        with self.name_scope():
            self.features = HybridSequential(prefix="")
            for n, channels in zip(layers, filters):
                for _ in range(n):
                    conv_init = Xavier(rnd_type="gaussian", factor_type="out", magnitude=2)
                    self.features.add(Conv2D(channels, kernel_size=3, padding=1, weight_initializer=conv_init, bias_initializer="zeros"))
                    if batch_norm:
                        self.features.add(BatchNorm())
                    self.features.add(Activation("relu"))
                self.features.add(MaxPool2D(strides=2))
            for _ in range(2):
                self.features.add(Dense(4096, activation="relu", weight_initializer="normal", bias_initializer="zeros"), Dropout(rate=0.5))
            self.output = Dense(classes, weight_initializer="normal", bias_initializer="zeros")

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


_SPEC = {11: [1, 1, 2, 2, 2], 13: [2, 2, 2, 2, 2], 16: [2, 2, 3, 3, 3], 19: [2, 2, 4, 4, 4]}


def get_vgg(num_layers, pretrained=False, ctx=None, root=None, **kwargs):
    """VGG with ``num_layers`` (11, 13, 16, 19); ``batch_norm=True`` for the ``_bn`` variants."""
    if num_layers not in _SPEC:
        raise ValueError(f"Invalid number of layers: {num_layers}. Options are {sorted(_SPEC)}")
    name = f"vgg{num_layers}{'_bn' if kwargs.get('batch_norm') else ''}"
    return build(VGG, name, pretrained, ctx, root, _SPEC[num_layers], [64, 128, 256, 512, 512], **kwargs)


def _maker(num_layers: int, batch_norm: bool):
    def make(**kwargs):
        if batch_norm:
            kwargs["batch_norm"] = True
        return get_vgg(num_layers, **kwargs)

    make.__name__ = f"vgg{num_layers}{'_bn' if batch_norm else ''}"
    make.__qualname__ = make.__name__
    make.__doc__ = f"VGG-{num_layers}{' with BatchNorm' if batch_norm else ''} (``pretrained``, ``ctx``, ``root``, ``classes``)."
    return make


vgg11, vgg13, vgg16, vgg19 = (_maker(n, False) for n in (11, 13, 16, 19))
vgg11_bn, vgg13_bn, vgg16_bn, vgg19_bn = (_maker(n, True) for n in (11, 13, 16, 19))


class AlexNet(HybridBlock):
    """AlexNet ("One weird trick...", Krizhevsky 2014): five convolutions, three max pools, two
    Dense(4096)+Dropout layers and the classifier.

    Parameters
    ----------
    classes : int, default 1000
    """

    def __init__(self, classes=1000, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.features = HybridSequential(prefix="")
            with self.features.name_scope():
                f = self.features
                f.add(Conv2D(64, kernel_size=11, strides=4, padding=2, activation="relu"), MaxPool2D(pool_size=3, strides=2))
                f.add(Conv2D(192, kernel_size=5, padding=2, activation="relu"), MaxPool2D(pool_size=3, strides=2))
                f.add(Conv2D(384, kernel_size=3, padding=1, activation="relu"))
                f.add(Conv2D(256, kernel_size=3, padding=1, activation="relu"))
                f.add(Conv2D(256, kernel_size=3, padding=1, activation="relu"), MaxPool2D(pool_size=3, strides=2))
                f.add(Flatten())
                f.add(Dense(4096, activation="relu"), Dropout(0.5), Dense(4096, activation="relu"), Dropout(0.5))
            self.output = Dense(classes)

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


def alexnet(pretrained=False, ctx=None, root=None, **kwargs):
    """AlexNet (``pretrained``, ``ctx``, ``root``, ``classes``)."""
    return build(AlexNet, "alexnet", pretrained, ctx, root, **kwargs)
