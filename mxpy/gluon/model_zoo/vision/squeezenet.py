"""SqueezeNet 1.0 and 1.1 ("AlexNet-level accuracy with 50x fewer parameters", Iandola et al. 2016).

>>> import mxpy as mx
>>> net = squeezenet1_1(classes=4); net.initialize()
>>> net(mx.nd.zeros((1, 3, 224, 224))).shape
(1, 4)
"""

from __future__ import annotations

from ...block import HybridBlock
from ...nn import Activation, AvgPool2D, Conv2D, Dropout, Flatten, HybridConcatenate, HybridSequential, MaxPool2D
from ._common import build

__all__ = ["SqueezeNet", "get_squeezenet", "squeezenet1_0", "squeezenet1_1"]


def _conv_relu(channels, kernel, padding=0):
    out = HybridSequential(prefix="")
    out.add(Conv2D(channels, kernel, padding=padding), Activation("relu"))
    return out


def _fire(squeeze, expand1x1, expand3x3):
    """Squeeze with 1x1, then 1x1 and 3x3 expansions concatenated on channels."""
    out = HybridSequential(prefix="")
    out.add(_conv_relu(squeeze, 1))
    expand = HybridConcatenate(axis=1, prefix="")
    expand.add(_conv_relu(expand1x1, 1), _conv_relu(expand3x3, 3, 1))
    out.add(expand)
    return out


def _pool():
    return MaxPool2D(pool_size=3, strides=2, ceil_mode=True)


class SqueezeNet(HybridBlock):
    """SqueezeNet; ``version`` '1.0' or '1.1' (1.1: 2.4x less computation, same accuracy).

    Parameters
    ----------
    version : str
    classes : int, default 1000
    """

    def __init__(self, version, classes=1000, **kwargs):
        super().__init__(**kwargs)
        if version not in ("1.0", "1.1"):
            raise ValueError(f"Unsupported SqueezeNet version {version}: 1.0 or 1.1 expected")
        with self.name_scope():
            self.features = f = HybridSequential(prefix="")
            if version == "1.0":
                f.add(Conv2D(96, kernel_size=7, strides=2), Activation("relu"), _pool())
                f.add(_fire(16, 64, 64), _fire(16, 64, 64), _fire(32, 128, 128), _pool())
                f.add(_fire(32, 128, 128), _fire(48, 192, 192), _fire(48, 192, 192), _fire(64, 256, 256), _pool())
                f.add(_fire(64, 256, 256))
            else:
                f.add(Conv2D(64, kernel_size=3, strides=2), Activation("relu"), _pool())
                f.add(_fire(16, 64, 64), _fire(16, 64, 64), _pool())
                f.add(_fire(32, 128, 128), _fire(32, 128, 128), _pool())
                f.add(_fire(48, 192, 192), _fire(48, 192, 192), _fire(64, 256, 256), _fire(64, 256, 256))
            f.add(Dropout(0.5))
            self.output = HybridSequential(prefix="")
            self.output.add(Conv2D(classes, kernel_size=1), Activation("relu"), AvgPool2D(13), Flatten())

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


def get_squeezenet(version, pretrained=False, ctx=None, root=None, **kwargs):
    """SqueezeNet ``version`` ('1.0' or '1.1')."""
    return build(SqueezeNet, f"squeezenet{version}", pretrained, ctx, root, version, **kwargs)


def squeezenet1_0(**kwargs):
    """SqueezeNet 1.0 (``pretrained``, ``ctx``, ``root``, ``classes``)."""
    return get_squeezenet("1.0", **kwargs)


def squeezenet1_1(**kwargs):
    """SqueezeNet 1.1 (``pretrained``, ``ctx``, ``root``, ``classes``)."""
    return get_squeezenet("1.1", **kwargs)
