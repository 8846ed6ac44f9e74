"""The layers of ``mx.gluon.contrib.nn``.

>>> import mxpy as mx
>>> net = HybridConcurrent(axis=1)
>>> net.add(Identity(), Identity())
>>> net(mx.nd.ones((2, 3))).shape
(2, 6)
"""

from __future__ import annotations

from .... import ndarray as nd
from ....base import MXNetError
from ...block import Block, HybridBlock
from ...nn import BatchNorm, Concatenate, HybridConcatenate, Identity

__all__ = ["Concurrent", "HybridConcurrent", "Identity", "SparseEmbedding", "SyncBatchNorm", "PixelShuffle1D", "PixelShuffle2D", "PixelShuffle3D"]


class Concurrent(Concatenate):
    """Feed the input to every child and concatenate their outputs along ``axis`` (default -1).

    >>> import mxpy as mx
    >>> net = Concurrent(axis=1)
    >>> net.add(mx.gluon.nn.Lambda(lambda x: x), mx.gluon.nn.Lambda(lambda x: 2 * x))
    >>> net(mx.nd.ones((1, 2))).asnumpy().tolist()
    [[1.0, 1.0, 2.0, 2.0]]
    """


class HybridConcurrent(HybridConcatenate):
    """The hybridizable :class:`Concurrent` (MXNet's name for ``nn.HybridConcatenate``).

    >>> import mxpy as mx
    >>> net = HybridConcurrent(axis=0)
    >>> net.add(Identity(), Identity())
    >>> net(mx.nd.ones((1, 2))).shape
    (2, 2)
    """


class SparseEmbedding(Block):
    """Embedding whose weight MXNet keeps row-sparse for huge vocabularies (a Block, as in MXNet).

    mxpy has dense storage only: the weight and its gradient are dense, with the values of MXNet's
    (its row-sparse gradient holds exactly the rows the batch touched; the dense one is zero
    elsewhere).

    Parameters
    ----------
    input_dim : int
        Vocabulary size (largest index + 1).
    output_dim : int
        Size of each embedding vector.
    dtype : str, default 'float32'
    weight_initializer : Initializer or None

    >>> import mxpy as mx
    >>> emb = SparseEmbedding(10, 4); emb.initialize()
    >>> emb(mx.nd.array([1, 3])).shape
    (2, 4)
    """

    def __init__(self, input_dim, output_dim, dtype="float32", weight_initializer=None, **kwargs):
        super().__init__(**kwargs)
        self._kwargs = {"input_dim": input_dim, "output_dim": output_dim, "dtype": dtype}
        self.weight = self.params.get("weight", shape=(input_dim, output_dim), init=weight_initializer, dtype=dtype)

    def forward(self, x):
        return nd.Embedding(x, self.weight.data(x.context), **self._kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._kwargs['input_dim']} -> {self._kwargs['output_dim']}, {self._kwargs['dtype']})"


class SyncBatchNorm(BatchNorm):
    """Batch normalization whose statistics MXNet synchronises over the devices of a data-parallel step.

    mxpy computes them over the batch each call is given: with one device (one process, one
    context) that is MXNet's result exactly; with a batch split over several contexts each slice
    is normalized with its own statistics, as ``nn.BatchNorm`` does.

    Parameters
    ----------
    in_channels : int, default 0
        Channels of the input (0: inferred at the first forward).
    num_devices : int or None
        Accepted for compatibility; the statistics cover the whole batch given.
    momentum : float, default 0.9
    epsilon : float, default 1e-5
    center : bool, default True
    scale : bool, default True
    use_global_stats : bool, default False
    beta_initializer, gamma_initializer, running_mean_initializer, running_variance_initializer

    >>> import mxpy as mx
    >>> bn = SyncBatchNorm(in_channels=2); bn.initialize()
    >>> bn(mx.nd.ones((3, 2))).shape
    (3, 2)
    """

    def __init__(
        self,
        in_channels=0,
        num_devices=None,
        momentum=0.9,
        epsilon=1e-5,
        center=True,
        scale=True,
        use_global_stats=False,
        beta_initializer="zeros",
        gamma_initializer="ones",
        running_mean_initializer="zeros",
        running_variance_initializer="ones",
        **kwargs,
    ):
        super().__init__(
            axis=1,
            momentum=momentum,
            epsilon=epsilon,
            center=center,
            scale=scale,
            use_global_stats=use_global_stats,
            beta_initializer=beta_initializer,
            gamma_initializer=gamma_initializer,
            running_mean_initializer=running_mean_initializer,
            running_variance_initializer=running_variance_initializer,
            in_channels=in_channels,
            **kwargs,
        )
        self._num_devices = num_devices


class _PixelShuffle(HybridBlock):
    """Move groups of ``prod(factors)`` channels into blocks of pixels: (N, C*f1*..*fk, S1..Sk) ->
    (N, C, S1*f1, .., Sk*fk), channel ``c*prod(f) + i1*f2*..*fk + ..`` landing at offset (i1, .., ik)."""

    _ndim = 0

    def __init__(self, factor):
        super().__init__()
        if isinstance(factor, (int, float)) or (hasattr(factor, "__int__") and not hasattr(factor, "__len__")):
            factors = (int(factor),) * self._ndim
        else:
            factors = tuple(int(f) for f in factor)
        if len(factors) != self._ndim or any(f < 1 for f in factors):
            raise MXNetError(f"{type(self).__name__}: factor must be a positive int or {self._ndim} positive ints, got {factor!r}")
        self._factors = factors

    def hybrid_forward(self, F, x):
        fs, k = self._factors, self._ndim
        total = 1
        for f in fs:
            total *= f
        # (N, C*F, S..) -> (N, C, F, S..) -> (N, C, f1, .., fk, S..) by splitting one factor off at a time
        x = F.reshape(x, (0, -4, -1, total, -2))
        rest = total
        for i, f in enumerate(fs[:-1]):
            rest //= f
            x = F.reshape(x, (0, 0) + (0,) * i + (-4, f, rest) + (-2,))
        # interleave: (N, C, S1, f1, S2, f2, ..) then merge each (Si, fi) pair
        order = [0, 1]
        for i in range(k):
            order += [2 + k + i, 2 + i]
        x = F.transpose(x, axes=tuple(order))
        return F.reshape(x, (0, 0) + (-3,) * k)

    def __repr__(self) -> str:
        f = self._factors[0] if self._ndim == 1 else self._factors
        return f"{type(self).__name__}({f})"


class PixelShuffle1D(_PixelShuffle):
    """Pixel shuffle on (N, f*C, W) -> (N, C, W*f).

    Parameters
    ----------
    factor : int or 1-tuple of int

    >>> import mxpy as mx
    >>> PixelShuffle1D(2)(mx.nd.zeros((1, 8, 3))).shape
    (1, 4, 6)
    """

    _ndim = 1


class PixelShuffle2D(_PixelShuffle):
    """Pixel shuffle on (N, f1*f2*C, H, W) -> (N, C, H*f1, W*f2).

    Parameters
    ----------
    factor : int or 2-tuple of int

    >>> import mxpy as mx
    >>> PixelShuffle2D((2, 3))(mx.nd.zeros((1, 12, 3, 5))).shape
    (1, 2, 6, 15)
    """

    _ndim = 2


class PixelShuffle3D(_PixelShuffle):
    """Voxel shuffle on (N, f1*f2*f3*C, D, H, W) -> (N, C, D*f1, H*f2, W*f3).

    Parameters
    ----------
    factor : int or 3-tuple of int

    >>> import mxpy as mx
    >>> PixelShuffle3D((2, 3, 4))(mx.nd.zeros((1, 48, 3, 5, 7))).shape
    (1, 2, 6, 15, 28)
    """

    _ndim = 3
