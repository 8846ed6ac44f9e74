"""Basic Gluon layers: containers, Dense, Activation, Dropout, Flatten, ...

>>> import mxpy as mx
>>> from mxpy.gluon import nn
>>> net = nn.HybridSequential()
>>> net.add(nn.Dense(3, in_units=4), nn.Activation("tanh"))
>>> net.initialize()
>>> net(mx.nd.ones((2, 4))).shape
(2, 3)
"""

from __future__ import annotations

import math
import warnings

from ... import ndarray as nd
from ... import symbol as sym
from ...base import MXNetError
from ..block import Block, HybridBlock
from ..utils import _indent

__all__ = [
    "Sequential",
    "HybridSequential",
    "Dense",
    "Dropout",
    "Flatten",
    "Activation",
    "Embedding",
    "Lambda",
    "HybridLambda",
    "Identity",
    "Concatenate",
    "HybridConcatenate",
]


def _seq_repr(block) -> str:
    modstr = "\n".join(f"  ({key}): {_indent(repr(b), 2)}" for key, b in block._children.items())
    return f"{type(block).__name__}(\n{modstr}\n)"


def _seq_run(children, x, args):
    for block in children:
        x = block(x, *args)
        args = []
        if isinstance(x, (tuple, list)):
            args = x[1:]
            x = x[0]
    if args:
        x = tuple([x] + list(args))
    return x


class Sequential(Block):
    """Runs its children one after another (``add`` appends them).

    >>> net = mx.gluon.nn.Sequential()
    >>> net.add(mx.gluon.nn.Dense(2, in_units=3))
    >>> len(net)
    1
    """

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)

    def add(self, *blocks) -> None:
        """Append blocks (named "0", "1", ... in ``save_parameters`` files)."""
        for block in blocks:
            self.register_child(block)

    def forward(self, x, *args):
        return _seq_run(self._children.values(), x, args)

    def __repr__(self) -> str:
        return _seq_repr(self)

    def __getitem__(self, key):
        layers = list(self._children.values())[key]
        if isinstance(layers, list):
            net = type(self)(prefix=self._prefix)
            with net.name_scope():
                net.add(*layers)
            return net
        return layers

    def __len__(self) -> int:
        return len(self._children)

    def hybridize(self, active=True, **kwargs) -> None:
        if self._children and all(isinstance(c, HybridBlock) for c in self._children.values()):
            warnings.warn(
                f"All children of this Sequential layer '{self.prefix}' are HybridBlocks. Consider using HybridSequential for the best performance.",
                stacklevel=2,
            )
        super().hybridize(active, **kwargs)


class HybridSequential(HybridBlock):
    """A Sequential of HybridBlocks that can itself be hybridized as one graph.

    >>> net = mx.gluon.nn.HybridSequential()
    >>> net.add(mx.gluon.nn.Dense(2, in_units=3)); net.initialize(); net.hybridize()
    >>> net(mx.nd.ones((1, 3))).shape
    (1, 2)
    """

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)

    def add(self, *blocks) -> None:
        """Append HybridBlocks."""
        for block in blocks:
            self.register_child(block)

    def hybrid_forward(self, F, x, *args):
        return _seq_run(self._children.values(), x, args)

    def __repr__(self) -> str:
        return _seq_repr(self)

    def __getitem__(self, key):
        layers = list(self._children.values())[key]
        if isinstance(layers, list):
            net = type(self)(prefix=self._prefix)
            with net.name_scope():
                net.add(*layers)
            return net
        return layers

    def __len__(self) -> int:
        return len(self._children)


class Dense(HybridBlock):
    """A fully connected layer: ``activation(dot(x, weight.T) + bias)``.

    ``in_units=0`` defers the weight's second dimension to the first call;
    ``flatten=True`` collapses all but the first input axis.

    >>> d = mx.gluon.nn.Dense(4, activation="relu"); d.initialize()
    >>> d(mx.nd.ones((2, 3))).shape, d.weight.shape
    ((2, 4), (4, 3))
    """

    def __init__(
        self, units, activation=None, use_bias=True, flatten=True, dtype="float32", weight_initializer=None, bias_initializer="zeros", in_units=0, **kwargs
    ):
        super().__init__(**kwargs)
        self._flatten = flatten
        with self.name_scope():
            self._units = units
            self._in_units = in_units
            self.weight = self.params.get("weight", shape=(units, in_units), init=weight_initializer, dtype=dtype, allow_deferred_init=True)
            if use_bias:
                self.bias = self.params.get("bias", shape=(units,), init=bias_initializer, dtype=dtype, allow_deferred_init=True)
            else:
                self.bias = None
            if activation is not None:
                self.act = Activation(activation, prefix=activation + "_")
            else:
                self.act = None

    def hybrid_forward(self, F, x, weight, bias=None):
        if F is nd:
            k = math.prod(x.shape[1:]) if self._flatten else x.shape[-1]  # np.prod costs ~5 us a call
            if k != weight.shape[1]:
                want = f"(N, {weight.shape[1]})" if self._flatten else f"(..., {weight.shape[1]})"
                raise MXNetError(
                    f"Dense layer '{self.name}': input of shape {x.shape} does not match the layer's in_units={weight.shape[1]} "
                    f"(weight shape {weight.shape}); expected input {want}{' after flattening' if self._flatten else ''}"
                )
        if bias is None:
            out = F.FullyConnected(x, weight, no_bias=True, num_hidden=self._units, flatten=self._flatten, name="fwd")
        else:
            out = F.FullyConnected(x, weight, bias, no_bias=False, num_hidden=self._units, flatten=self._flatten, name="fwd")
        if self.act is not None:
            out = self.act(out)
        return out

    def __repr__(self) -> str:
        shape = self.weight.shape
        layout = f"{shape[1] if shape[1] else None} -> {shape[0]}"
        return f"{type(self).__name__}({layout}, {self.act if self.act else 'linear'})"


class Dropout(HybridBlock):
    """Zero a fraction ``rate`` of the inputs during training (scaling the rest by 1/(1-rate)).

    >>> mx.gluon.nn.Dropout(0.5)(mx.nd.ones((2,))).asnumpy().tolist()   # inference: identity
    [1.0, 1.0]
    """

    def __init__(self, rate, axes=(), **kwargs):
        super().__init__(**kwargs)
        self._rate = rate
        self._axes = axes

    def hybrid_forward(self, F, x):
        if self._rate > 0:
            return F.Dropout(x, p=self._rate, axes=self._axes, name="fwd", cudnn_off=False)
        return F.identity(x)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p = {self._rate}, axes={self._axes})"


class Flatten(HybridBlock):
    """Collapse all axes but the first: (N, a, b, ...) -> (N, a*b*...).

    >>> mx.gluon.nn.Flatten()(mx.nd.ones((2, 3, 4))).shape
    (2, 12)
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def hybrid_forward(self, F, x):
        return F.Flatten(x)

    def __repr__(self) -> str:
        return type(self).__name__


class Activation(HybridBlock):
    """An activation function by name: ``relu``, ``sigmoid``, ``tanh``, ``softrelu`` or ``softsign``.

    >>> mx.gluon.nn.Activation("relu")(mx.nd.array([-1.0, 2.0])).asnumpy().tolist()
    [0.0, 2.0]
    """

    def __init__(self, activation, **kwargs):
        self._act_type = activation
        super().__init__(**kwargs)

    def _alias(self) -> str:
        return self._act_type

    def hybrid_forward(self, F, x):
        return F.Activation(x, act_type=self._act_type, name="fwd")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._act_type})"


class Embedding(HybridBlock):
    """Map integer indices to rows of a learned ``(input_dim, output_dim)`` table.

    >>> emb = mx.gluon.nn.Embedding(10, 3); emb.initialize()
    >>> emb(mx.nd.array([[1, 2]])).shape
    (1, 2, 3)
    """

    def __init__(self, input_dim, output_dim, dtype="float32", weight_initializer=None, sparse_grad=False, **kwargs):
        super().__init__(**kwargs)
        self._kwargs = {"input_dim": input_dim, "output_dim": output_dim, "dtype": dtype, "sparse_grad": sparse_grad}
        grad_stype = "row_sparse" if sparse_grad else "default"  # only the rows a batch looks up
        self.weight = self.params.get(
            "weight", shape=(input_dim, output_dim), init=weight_initializer, dtype=dtype, allow_deferred_init=True, grad_stype=grad_stype
        )

    def hybrid_forward(self, F, x, weight):
        return F.Embedding(x, weight, name="fwd", **self._kwargs)

    def __repr__(self) -> str:
        k = self._kwargs
        return f"{type(self).__name__}({k['input_dim']} -> {k['output_dim']}, {k['dtype']})"


class Lambda(Block):
    """Wrap a function of NDArrays (or the name of an ``mx.nd`` function) as a Block.

    >>> mx.gluon.nn.Lambda("tanh")(mx.nd.zeros((2,))).asnumpy().tolist()
    [0.0, 0.0]
    """

    def __init__(self, function, prefix=None):
        super().__init__(prefix=prefix)
        if isinstance(function, str):
            if not hasattr(nd, function):
                raise AssertionError(f"Function name {function} is not found in ndarray.")
            self._func_impl = getattr(nd, function)
        elif callable(function):
            self._func_impl = function
        else:
            raise ValueError(f"Unrecognized function in lambda: {function} of type {type(function)}")

    def forward(self, *args):
        return self._func_impl(*args)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._func_impl.__name__})"


class HybridLambda(HybridBlock):
    """Wrap ``function(F, x, *args)`` (or the name of a function in both ``mx.nd`` and ``mx.sym``).

    >>> blk = mx.gluon.nn.HybridLambda(lambda F, x: F.relu(x)); blk.hybridize()
    >>> blk(mx.nd.array([-1.0, 1.0])).asnumpy().tolist()
    [0.0, 1.0]
    """

    def __init__(self, function, prefix=None):
        super().__init__(prefix=prefix)
        if isinstance(function, str):
            if not (hasattr(nd, function) and hasattr(sym, function)):
                raise AssertionError(f"Function name {function} is not found in symbol/ndarray.")
            funcs = {sym: getattr(sym, function), nd: getattr(nd, function)}
            self._func = lambda F, *args: funcs[F](*args)
            self._func_name = function
        elif callable(function):
            self._func = function
            self._func_name = function.__name__
        else:
            raise ValueError(f"Unrecognized function in lambda: {function} of type {type(function)}")

    def hybrid_forward(self, F, x, *args):
        return self._func(F, x, *args)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._func_name})"


class Identity(HybridBlock):
    """Return the input unchanged (a placeholder branch, e.g. in HybridConcatenate).

    >>> mx.gluon.nn.Identity()(mx.nd.ones((2,))).asnumpy().tolist()
    [1.0, 1.0]
    """

    def hybrid_forward(self, F, x):
        return x


class Concatenate(Sequential):
    """Run every child on the same input and concatenate the outputs along ``axis``.

    >>> net = mx.gluon.nn.Concatenate(axis=1)
    >>> net.add(mx.gluon.nn.Identity(), mx.gluon.nn.Identity())
    >>> net(mx.nd.ones((2, 3))).shape
    (2, 6)
    """

    def __init__(self, axis=-1, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self.axis = axis

    def forward(self, x):
        return nd.concat(*[block(x) for block in self._children.values()], dim=self.axis)


class HybridConcatenate(HybridSequential):
    """The hybridizable :class:`Concatenate`.

    >>> net = mx.gluon.nn.HybridConcatenate(axis=1)
    >>> net.add(mx.gluon.nn.Identity(), mx.gluon.nn.Identity()); net.hybridize()
    >>> net(mx.nd.ones((2, 3))).shape
    (2, 6)
    """

    def __init__(self, axis=-1, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self.axis = axis

    def hybrid_forward(self, F, x):
        return F.concat(*[block(x) for block in self._children.values()], dim=self.axis)
