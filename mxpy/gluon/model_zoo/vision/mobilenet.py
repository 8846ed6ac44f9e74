"""MobileNet v1 (Howard et al. 2017) and v2 (Sandler et al. 2018) at widths 1.0, 0.75, 0.5, 0.25.

>>> import mxpy as mx
>>> net = mobilenet0_25(classes=3); net.initialize()
>>> net(mx.nd.zeros((1, 3, 64, 64))).shape
(1, 3)
"""

from __future__ import annotations

from ...block import HybridBlock
from ...nn import Activation, BatchNorm, Conv2D, Dense, Flatten, GlobalAvgPool2D, HybridSequential
from ._common import build

__all__ = ["MobileNet", "MobileNetV2", "RELU6", "LinearBottleneck", "get_mobilenet", "get_mobilenet_v2"]


class RELU6(HybridBlock):
    """``min(max(x, 0), 6)``."""

    def hybrid_forward(self, F, x):
        return F.clip(x, 0, 6, name="relu6")


def _conv_bn(out, channels=1, kernel=1, stride=1, pad=0, num_group=1, active=True, relu6=False):
    """Append convolution (no bias), BatchNorm and, when ``active``, ReLU or ReLU6 to ``out``."""
    out.add(Conv2D(channels, kernel, stride, pad, groups=num_group, use_bias=False), BatchNorm(scale=True))
    if active:
        out.add(RELU6() if relu6 else Activation("relu"))


def _depthwise_separable(out, dw_channels, channels, stride, relu6=False):
    _conv_bn(out, channels=dw_channels, kernel=3, stride=stride, pad=1, num_group=dw_channels, relu6=relu6)
    _conv_bn(out, channels=channels, relu6=relu6)


class LinearBottleneck(HybridBlock):
    """MobileNet v2's inverted residual: 1x1 expand by ``t``, 3x3 depthwise (``stride``), 1x1 linear
    projection; added to the input when the shapes allow.

    Parameters
    ----------
    in_channels : int
    channels : int
    t : int
        Expansion factor.
    stride : int
    """

    def __init__(self, in_channels, channels, t, stride, **kwargs):
        super().__init__(**kwargs)
        self.use_shortcut = stride == 1 and in_channels == channels
        with self.name_scope():
            self.out = HybridSequential()
            _conv_bn(self.out, in_channels * t, relu6=True)
            _conv_bn(self.out, in_channels * t, kernel=3, stride=stride, pad=1, num_group=in_channels * t, relu6=True)
            _conv_bn(self.out, channels, active=False, relu6=True)

    def hybrid_forward(self, F, x):
        out = self.out(x)
        return F.elemwise_add(out, x) if self.use_shortcut else out


class MobileNet(HybridBlock):
    """MobileNet v1: a strided 3x3 convolution and 13 depthwise-separable convolutions, width scaled by
    ``multiplier``, then global pooling and Dense.

    Parameters
    ----------
    multiplier : float, default 1.0
    classes : int, default 1000
    """

    def __init__(self, multiplier=1.0, classes=1000, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.features = HybridSequential(prefix="")
            with self.features.name_scope():
                _conv_bn(self.features, channels=int(32 * multiplier), kernel=3, pad=1, stride=2)
                dw = [int(c * multiplier) for c in [32, 64] + [128] * 2 + [256] * 2 + [512] * 6 + [1024]]
                out = [int(c * multiplier) for c in [64] + [128] * 2 + [256] * 2 + [512] * 6 + [1024] * 2]
                strides = [1, 2] * 3 + [1] * 5 + [2, 1]
                for d, c, s in zip(dw, out, strides):
                    _depthwise_separable(self.features, dw_channels=d, channels=c, stride=s)
                self.features.add(GlobalAvgPool2D(), Flatten())
            self.output = Dense(classes)

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


class MobileNetV2(HybridBlock):
    """MobileNet v2: a strided 3x3 convolution, 17 linear bottlenecks, a 1x1 convolution to 1280
    channels, global pooling and a 1x1 convolution classifier (``output_pred_weight``, no bias).

    Parameters
    ----------
    multiplier : float, default 1.0
    classes : int, default 1000
    """

    def __init__(self, multiplier=1.0, classes=1000, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.features = HybridSequential(prefix="features_")
            with self.features.name_scope():
                _conv_bn(self.features, int(32 * multiplier), kernel=3, stride=2, pad=1, relu6=True)
                ins = [int(c * multiplier) for c in [32] + [16] + [24] * 2 + [32] * 3 + [64] * 4 + [96] * 3 + [160] * 3]
                outs = [int(c * multiplier) for c in [16] + [24] * 2 + [32] * 3 + [64] * 4 + [96] * 3 + [160] * 3 + [320]]
                ts = [1] + [6] * 16
                strides = [1, 2] * 2 + [1, 1, 2] + [1] * 6 + [2] + [1] * 3
                for i, c, t, s in zip(ins, outs, ts, strides):
                    self.features.add(LinearBottleneck(in_channels=i, channels=c, t=t, stride=s))
                last = int(1280 * multiplier) if multiplier > 1.0 else 1280
                _conv_bn(self.features, last, relu6=True)
                self.features.add(GlobalAvgPool2D())
            self.output = HybridSequential(prefix="output_")
            with self.output.name_scope():
                self.output.add(Conv2D(classes, 1, use_bias=False, prefix="pred_"), Flatten())

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


def get_mobilenet(multiplier, pretrained=False, ctx=None, root=None, **kwargs):
    """MobileNet v1 with width ``multiplier`` (1.0, 0.75, 0.5, 0.25 are published)."""
    return build(MobileNet, f"mobilenet{multiplier}", pretrained, ctx, root, multiplier, **kwargs)


def get_mobilenet_v2(multiplier, pretrained=False, ctx=None, root=None, **kwargs):
    """MobileNet v2 with width ``multiplier`` (1.0, 0.75, 0.5, 0.25 are published)."""
    return build(MobileNetV2, f"mobilenetv2_{multiplier}", pretrained, ctx, root, multiplier, **kwargs)


def _maker(v2: bool, multiplier: float, suffix: str):
    def make(**kwargs):
        return (get_mobilenet_v2 if v2 else get_mobilenet)(multiplier, **kwargs)

    make.__name__ = make.__qualname__ = f"mobilenet{'_v2' if v2 else ''}{suffix}"
    make.__doc__ = f"MobileNet {'v2' if v2 else 'v1'} at width {multiplier} (``pretrained``, ``ctx``, ``root``, ``classes``)."
    return make


_WIDTHS = [(1.0, "1_0"), (0.75, "0_75"), (0.5, "0_5"), (0.25, "0_25")]
mobilenet1_0, mobilenet0_75, mobilenet0_5, mobilenet0_25 = (_maker(False, m, s) for m, s in _WIDTHS)
mobilenet_v2_1_0, mobilenet_v2_0_75, mobilenet_v2_0_5, mobilenet_v2_0_25 = (_maker(True, m, s) for m, s in _WIDTHS)
__all__ += [f"mobilenet{s}" for _, s in _WIDTHS] + [f"mobilenet_v2_{s}" for _, s in _WIDTHS]
