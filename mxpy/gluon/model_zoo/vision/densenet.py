"""DenseNet 121/161/169/201 ("Densely Connected Convolutional Networks", Huang et al. 2016).

>>> import mxpy as mx
>>> net = DenseNet(8, 4, [2, 2], classes=3); net.initialize()
>>> net(mx.nd.zeros((1, 3, 224, 224))).shape
(1, 3)
"""

from __future__ import annotations

from ...block import HybridBlock
from ...nn import Activation, AvgPool2D, BatchNorm, Conv2D, Dense, Dropout, Flatten, HybridConcatenate, HybridSequential, Identity, MaxPool2D
from ._common import build

__all__ = ["DenseNet", "get_densenet", "densenet121", "densenet161", "densenet169", "densenet201"]


def _dense_layer(growth_rate, bn_size, dropout):
    """BN-ReLU-1x1 conv (bn_size*growth) -> BN-ReLU-3x3 conv (growth), concatenated to its input."""
    new = HybridSequential(prefix="")
    new.add(BatchNorm(), Activation("relu"), Conv2D(bn_size * growth_rate, kernel_size=1, use_bias=False))
    new.add(BatchNorm(), Activation("relu"), Conv2D(growth_rate, kernel_size=3, padding=1, use_bias=False))
    if dropout:
        new.add(Dropout(dropout))
    out = HybridConcatenate(axis=1, prefix="")
    out.add(Identity(), new)
    return out


def _dense_block(num_layers, bn_size, growth_rate, dropout, index):
    block = HybridSequential(prefix=f"stage{index}_")
    with block.name_scope():
        for _ in range(num_layers):
            block.add(_dense_layer(growth_rate, bn_size, dropout))
    return block


def _transition(channels):
    out = HybridSequential(prefix="")
    out.add(BatchNorm(), Activation("relu"), Conv2D(channels, kernel_size=1, use_bias=False), AvgPool2D(pool_size=2, strides=2))
    return out


class DenseNet(HybridBlock):
    """DenseNet: stem, dense blocks joined by halving transitions, BN-ReLU, 7x7 average pool, Dense.

    Parameters
    ----------
    num_init_features : int
    growth_rate : int
    block_config : list of int
        Layers in each dense block.
    bn_size : int, default 4
    dropout : float, default 0
    classes : int, default 1000
    """

    def __init__(self, num_init_features, growth_rate, block_config, bn_size=4, dropout=0, classes=1000, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.features = f = HybridSequential(prefix="")
            f.add(Conv2D(num_init_features, kernel_size=7, strides=2, padding=3, use_bias=False), BatchNorm(), Activation("relu"))
            f.add(MaxPool2D(pool_size=3, strides=2, padding=1))
            channels = num_init_features
            for i, n in enumerate(block_config):
                f.add(_dense_block(n, bn_size, growth_rate, dropout, i + 1))
                channels += n * growth_rate
                if i != len(block_config) - 1:
                    channels //= 2
                    f.add(_transition(channels))
            f.add(BatchNorm(), Activation("relu"), AvgPool2D(pool_size=7), Flatten())
            self.output = Dense(classes)

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


_SPEC = {121: (64, 32, [6, 12, 24, 16]), 161: (96, 48, [6, 12, 36, 24]), 169: (64, 32, [6, 12, 32, 32]), 201: (64, 32, [6, 12, 48, 32])}


def get_densenet(num_layers, pretrained=False, ctx=None, root=None, **kwargs):
    """DenseNet with ``num_layers`` (121, 161, 169, 201)."""
    if num_layers not in _SPEC:
        raise ValueError(f"Invalid number of layers: {num_layers}. Options are {sorted(_SPEC)}")
    init, growth, config = _SPEC[num_layers]
    return build(DenseNet, f"densenet{num_layers}", pretrained, ctx, root, init, growth, config, **kwargs)


def _maker(n: int):
    def make(**kwargs):
        return get_densenet(n, **kwargs)

    make.__name__ = make.__qualname__ = f"densenet{n}"
    make.__doc__ = f"DenseNet-{n} (``pretrained``, ``ctx``, ``root``, ``classes``)."
    return make


densenet121, densenet161, densenet169, densenet201 = (_maker(n) for n in (121, 161, 169, 201))
