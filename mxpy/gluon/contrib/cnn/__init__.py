"""``mx.gluon.contrib.cnn``: the deformable convolution layers (v1 and modulated v2).

>>> import mxpy as mx
>>> net = mx.gluon.contrib.cnn.DeformableConvolution(4, kernel_size=3, padding=1)
>>> net.initialize()
>>> net(mx.nd.ones((1, 2, 5, 5))).shape
(1, 4, 5, 5)
"""

from .conv_layers import DeformableConvolution, ModulatedDeformableConvolution

__all__ = ["DeformableConvolution", "ModulatedDeformableConvolution"]
