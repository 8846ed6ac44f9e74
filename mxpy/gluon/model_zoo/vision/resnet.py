"""ResNet v1 and v2 (18, 34, 50, 101, 152 layers), as MXNet 1.9.1's model zoo builds them.

v1: "Deep Residual Learning for Image Recognition" (He et al. 2015); v2: "Identity Mappings in
Deep Residual Networks" (He et al. 2016). ``thumbnail=True`` swaps the 7x7 stem for one 3x3
convolution (CIFAR-size inputs).

>>> import mxpy as mx
>>> net = resnet18_v1(classes=10, thumbnail=True); net.initialize()
>>> net(mx.nd.zeros((1, 3, 32, 32))).shape
(1, 10)
"""

from __future__ import annotations

from ...block import HybridBlock
from ...nn import Activation, BatchNorm, Conv2D, Dense, Flatten, GlobalAvgPool2D, HybridSequential, MaxPool2D
from ._common import build

__all__ = ["ResNetV1", "ResNetV2", "BasicBlockV1", "BasicBlockV2", "BottleneckV1", "BottleneckV2", "get_resnet"]
__all__ += [f"resnet{n}_v{v}" for v in (1, 2) for n in (18, 34, 50, 101, 152)]


def _conv3x3(channels: int, stride: int, in_channels: int) -> Conv2D:
    return Conv2D(channels, kernel_size=3, strides=stride, padding=1, use_bias=False, in_channels=in_channels)


class BasicBlockV1(HybridBlock):
    """Two 3x3 convolutions with BatchNorm, added to the (projected) input, then ReLU."""

    def __init__(self, channels, stride, downsample=False, in_channels=0, **kwargs):
        super().__init__(**kwargs)
        self.body = HybridSequential(prefix="")
        self.body.add(_conv3x3(channels, stride, in_channels), BatchNorm(), Activation("relu"), _conv3x3(channels, 1, channels), BatchNorm())
        self.downsample = None
        if downsample:
            self.downsample = HybridSequential(prefix="")
            self.downsample.add(Conv2D(channels, kernel_size=1, strides=stride, use_bias=False, in_channels=in_channels), BatchNorm())

    def hybrid_forward(self, F, x):
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.Activation(self.body(x) + shortcut, act_type="relu")


class BottleneckV1(HybridBlock):
    """1x1 (strided) -> 3x3 -> 1x1 convolutions with BatchNorm, added to the input, then ReLU."""

    def __init__(self, channels, stride, downsample=False, in_channels=0, **kwargs):
        super().__init__(**kwargs)
        mid = channels // 4
        self.body = HybridSequential(prefix="")
        self.body.add(Conv2D(mid, kernel_size=1, strides=stride), BatchNorm(), Activation("relu"))
        self.body.add(_conv3x3(mid, 1, mid), BatchNorm(), Activation("relu"))
        self.body.add(Conv2D(channels, kernel_size=1, strides=1), BatchNorm())
        self.downsample = None
        if downsample:
            self.downsample = HybridSequential(prefix="")
            self.downsample.add(Conv2D(channels, kernel_size=1, strides=stride, use_bias=False, in_channels=in_channels), BatchNorm())

    def hybrid_forward(self, F, x):
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.Activation(self.body(x) + shortcut, act_type="relu")


class BasicBlockV2(HybridBlock):
    """Pre-activation block: BN-ReLU-conv3x3 twice, added to the (projected) input."""

    def __init__(self, channels, stride, downsample=False, in_channels=0, **kwargs):
        super().__init__(**kwargs)
        self.bn1 = BatchNorm()
        self.conv1 = _conv3x3(channels, stride, in_channels)
        self.bn2 = BatchNorm()
        self.conv2 = _conv3x3(channels, 1, channels)
        self.downsample = Conv2D(channels, 1, stride, use_bias=False, in_channels=in_channels) if downsample else None

    def hybrid_forward(self, F, x):
        shortcut = x
        x = F.Activation(self.bn1(x), act_type="relu")
        if self.downsample is not None:
            shortcut = self.downsample(x)  # v2 projects the pre-activated input
        x = self.conv1(x)
        x = self.conv2(F.Activation(self.bn2(x), act_type="relu"))
        return x + shortcut


class BottleneckV2(HybridBlock):
    """Pre-activation bottleneck: BN-ReLU before each of the 1x1, 3x3 (strided), 1x1 convolutions."""

    def __init__(self, channels, stride, downsample=False, in_channels=0, **kwargs):
        super().__init__(**kwargs)
        mid = channels // 4
        self.bn1 = BatchNorm()
        self.conv1 = Conv2D(mid, kernel_size=1, strides=1, use_bias=False)
        self.bn2 = BatchNorm()
        self.conv2 = _conv3x3(mid, stride, mid)
        self.bn3 = BatchNorm()
        self.conv3 = Conv2D(channels, kernel_size=1, strides=1, use_bias=False)
        self.downsample = Conv2D(channels, 1, stride, use_bias=False, in_channels=in_channels) if downsample else None

    def hybrid_forward(self, F, x):
        shortcut = x
        x = F.Activation(self.bn1(x), act_type="relu")
        if self.downsample is not None:
            shortcut = self.downsample(x)
        x = self.conv1(x)
        x = self.conv2(F.Activation(self.bn2(x), act_type="relu"))
        x = self.conv3(F.Activation(self.bn3(x), act_type="relu"))
        return x + shortcut


def _stage(block, layers, channels, stride, index, in_channels):
    stage = HybridSequential(prefix=f"stage{index}_")
    with stage.name_scope():
        stage.add(block(channels, stride, channels != in_channels, in_channels=in_channels, prefix=""))
        for _ in range(layers - 1):
            stage.add(block(channels, 1, False, in_channels=channels, prefix=""))
    return stage


def _stem(features, channels, thumbnail):
    if thumbnail:
        features.add(_conv3x3(channels, 1, 0))
    else:
        features.add(Conv2D(channels, 7, 2, 3, use_bias=False), BatchNorm(), Activation("relu"), MaxPool2D(3, 2, 1))


class ResNetV1(HybridBlock):
    """ResNet v1: stem, four stages of ``block`` (``layers[i]`` each), global pooling, Dense.

    Parameters
    ----------
    block : BasicBlockV1 or BottleneckV1
    layers : list of int
        Blocks per stage.
    channels : list of int
        Stem channels then each stage's, ``len(layers) + 1`` values.
    classes : int, default 1000
    thumbnail : bool, default False
    """

    def __init__(self, block, layers, channels, classes=1000, thumbnail=False, **kwargs):
        super().__init__(**kwargs)
        if len(layers) != len(channels) - 1:
            raise ValueError(f"ResNetV1: channels needs len(layers) + 1 = {len(layers) + 1} values, got {len(channels)}")
        with self.name_scope():
            self.features = HybridSequential(prefix="")
            _stem(self.features, channels[0], thumbnail)
            for i, n in enumerate(layers):
                self.features.add(_stage(block, n, channels[i + 1], 1 if i == 0 else 2, i + 1, channels[i]))
            self.features.add(GlobalAvgPool2D())
            self.output = Dense(classes, in_units=channels[-1])

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


class ResNetV2(HybridBlock):
    """ResNet v2: a scale-free BatchNorm on the input, the stem, four pre-activation stages, BN-ReLU,
    global pooling, Dense. Parameters as :class:`ResNetV1` (with BasicBlockV2 / BottleneckV2)."""

    def __init__(self, block, layers, channels, classes=1000, thumbnail=False, **kwargs):
        super().__init__(**kwargs)
        if len(layers) != len(channels) - 1:
            raise ValueError(f"ResNetV2: channels needs len(layers) + 1 = {len(layers) + 1} values, got {len(channels)}")
        with self.name_scope():
            self.features = HybridSequential(prefix="")
            self.features.add(BatchNorm(scale=False, center=False))
            _stem(self.features, channels[0], thumbnail)
            in_channels = channels[0]
            for i, n in enumerate(layers):
                self.features.add(_stage(block, n, channels[i + 1], 1 if i == 0 else 2, i + 1, in_channels))
                in_channels = channels[i + 1]
            self.features.add(BatchNorm(), Activation("relu"), GlobalAvgPool2D(), Flatten())
            self.output = Dense(classes, in_units=in_channels)

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


_SPEC = {
    18: ("basic", [2, 2, 2, 2], [64, 64, 128, 256, 512]),
    34: ("basic", [3, 4, 6, 3], [64, 64, 128, 256, 512]),
    50: ("bottleneck", [3, 4, 6, 3], [64, 256, 512, 1024, 2048]),
    101: ("bottleneck", [3, 4, 23, 3], [64, 256, 512, 1024, 2048]),
    152: ("bottleneck", [3, 8, 36, 3], [64, 256, 512, 1024, 2048]),
}
_BLOCKS = {1: {"basic": BasicBlockV1, "bottleneck": BottleneckV1}, 2: {"basic": BasicBlockV2, "bottleneck": BottleneckV2}}


def get_resnet(version, num_layers, pretrained=False, ctx=None, root=None, **kwargs):
    """ResNet ``version`` (1 or 2) with ``num_layers`` (18, 34, 50, 101, 152) layers.

    ``pretrained=True`` loads MXNet's published ImageNet parameters from ``root``
    (default ``$MXNET_HOME/models``).
    """
    if num_layers not in _SPEC:
        raise ValueError(f"Invalid number of layers: {num_layers}. Options are {sorted(_SPEC)}")
    if version not in _BLOCKS:
        raise ValueError(f"Invalid resnet version: {version}. Options are 1 and 2.")
    kind, layers, channels = _SPEC[num_layers]
    cls = ResNetV1 if version == 1 else ResNetV2
    return build(cls, f"resnet{num_layers}_v{version}", pretrained, ctx, root, _BLOCKS[version][kind], layers, channels, **kwargs)


def _maker(version: int, layers: int):
    def make(**kwargs):
        return get_resnet(version, layers, **kwargs)

    make.__name__ = f"resnet{layers}_v{version}"
    make.__qualname__ = make.__name__
    make.__doc__ = f"ResNet-{layers} v{version} (``pretrained``, ``ctx``, ``root``, ``classes``, ``thumbnail``)."
    return make


resnet18_v1, resnet34_v1, resnet50_v1, resnet101_v1, resnet152_v1 = (_maker(1, n) for n in (18, 34, 50, 101, 152))
resnet18_v2, resnet34_v2, resnet50_v2, resnet101_v2, resnet152_v2 = (_maker(2, n) for n in (18, 34, 50, 101, 152))
