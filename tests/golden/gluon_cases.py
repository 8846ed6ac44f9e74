"""The Gluon golden cases, shared by make_gluon.py (run with real MXNet 1.9.1) and
tests/test_gluon_golden.py (run with mxpy): layer constructors as source strings
evaluated with ``nn`` bound to either library's ``gluon.nn``."""

import numpy as np

# name -> (constructor source, input shape, integer input range or None)
LAYERS = {
    "dense_relu": ("nn.Dense(4, activation='relu')", (3, 5), None),
    "dense_noflat_nobias": ("nn.Dense(4, flatten=False, use_bias=False)", (2, 3, 5), None),
    "conv1d": ("nn.Conv1D(4, 3, padding=1, strides=2)", (2, 3, 7), None),
    "conv2d_tanh": ("nn.Conv2D(4, 3, strides=2, activation='tanh')", (2, 3, 6, 6), None),
    "conv2d_groups_dilate": ("nn.Conv2D(6, 3, groups=3, dilation=2, padding=2, use_bias=False)", (2, 3, 6, 6), None),
    "conv3d": ("nn.Conv3D(2, 2, padding=1)", (1, 2, 3, 3, 3), None),
    "conv1d_t": ("nn.Conv1DTranspose(2, 3, strides=2, output_padding=1)", (2, 3, 4), None),
    "conv2d_t": ("nn.Conv2DTranspose(4, 3, strides=2, padding=1, output_padding=1)", (2, 3, 4, 4), None),
    "conv3d_t": ("nn.Conv3DTranspose(2, 2, strides=2)", (1, 2, 2, 2, 2), None),
    "maxpool1d": ("nn.MaxPool1D(3, 2, 1)", (2, 3, 7), None),
    "maxpool2d_ceil": ("nn.MaxPool2D(3, 2, ceil_mode=True)", (2, 3, 6, 6), None),
    "maxpool3d": ("nn.MaxPool3D()", (1, 2, 4, 4, 4), None),
    "avgpool1d_nopad": ("nn.AvgPool1D(3, 1, 1, count_include_pad=False)", (2, 3, 5), None),
    "avgpool2d_pad": ("nn.AvgPool2D(3, 2, 1)", (2, 3, 6, 6), None),
    "avgpool2d_ceil_nopad": ("nn.AvgPool2D(3, 2, 1, ceil_mode=True, count_include_pad=False)", (2, 3, 6, 6), None),
    "avgpool3d": ("nn.AvgPool3D(ceil_mode=True)", (1, 2, 3, 3, 3), None),
    "gmaxpool1d": ("nn.GlobalMaxPool1D()", (2, 3, 5), None),
    "gmaxpool2d": ("nn.GlobalMaxPool2D()", (2, 3, 4, 4), None),
    "gmaxpool3d": ("nn.GlobalMaxPool3D()", (1, 2, 3, 3, 3), None),
    "gavgpool1d": ("nn.GlobalAvgPool1D()", (2, 3, 5), None),
    "gavgpool2d": ("nn.GlobalAvgPool2D()", (2, 3, 4, 4), None),
    "gavgpool3d": ("nn.GlobalAvgPool3D()", (1, 2, 3, 3, 3), None),
    "reflpad2d": ("nn.ReflectionPad2D(2)", (2, 3, 4, 4), None),
    "batchnorm": ("nn.BatchNorm()", (4, 3, 3, 3), None),
    "batchnorm_last_noscale": ("nn.BatchNorm(axis=-1, scale=False, momentum=0.5)", (6, 4), None),
    "instancenorm": ("nn.InstanceNorm(scale=True)", (2, 3, 4, 4), None),
    "layernorm": ("nn.LayerNorm()", (2, 3, 5), None),
    "groupnorm": ("nn.GroupNorm(num_groups=2)", (2, 4, 5), None),
    "embedding": ("nn.Embedding(10, 4)", (3, 2), 10),
    "flatten": ("nn.Flatten()", (2, 3, 2, 2), None),
    "activation_softrelu": ("nn.Activation('softrelu')", (2, 5), None),
    "activation_softsign": ("nn.Activation('softsign')", (2, 5), None),
    "leakyrelu": ("nn.LeakyReLU(0.1)", (2, 5), None),
    "prelu": ("nn.PReLU(in_channels=3)", (2, 3, 4), None),
    "elu": ("nn.ELU(0.5)", (2, 5), None),
    "selu": ("nn.SELU()", (2, 5), None),
    "gelu": ("nn.GELU()", (2, 5), None),
    "swish": ("nn.Swish(2.0)", (2, 5), None),
    "hybridlambda": ("nn.HybridLambda('tanh')", (2, 5), None),
}


def values(rng, shape, name=""):
    """Deterministic parameter values: positive for variances, else uniform(-0.5, 0.5)."""
    if name.endswith("running_var"):
        return rng.uniform(0.5, 1.5, shape).astype(np.float32)
    return rng.uniform(-0.5, 0.5, shape).astype(np.float32)


# training runs: (constructor source of a HybridSequential body, input shape)
MLP = "[nn.Dense(16, activation='relu'), nn.Dense(8, activation='tanh'), nn.Dense(3)]"
CONVNET = (
    "[nn.Conv2D(4, 3, padding=1), nn.BatchNorm(), nn.Activation('relu'), nn.MaxPool2D(), "
    "nn.Conv2D(6, 3), nn.BatchNorm(momentum=0.8), nn.Activation('relu'), nn.GlobalAvgPool2D(), nn.Flatten(), nn.Dense(3)]"
)
TRAIN = {"mlp": (MLP, (8, 5)), "convnet": (CONVNET, (4, 2, 8, 8))}
SGD = ("sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 1e-3})
ADAM = ("adam", {"learning_rate": 0.01, "wd": 1e-3})
STEPS = 3
