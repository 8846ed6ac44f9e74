"""The operators of ``mx.npx``: legacy op records under MXNet's npx names and
defaults. Each works on ``mx.np`` arrays (returning ``mx.np`` arrays) and on
Symbols (returning Symbols), so ``F.npx.relu(x)`` in a ``hybrid_forward`` runs
both imperatively and when traced by ``hybridize``.
"""

from __future__ import annotations

import math

from ..ndarray import dispatch
from ..ndarray.ndarray import NDArray
from ..numpy.multiarray import _as_np
from ..ops.np_function_table import SPECS, add_function
from ..registry import get as _get_op

__all__ = [
    "relu",
    "sigmoid",
    "softmax",
    "log_softmax",
    "masked_softmax",
    "pick",
    "one_hot",
    "sequence_mask",
    "batch_dot",
    "batch_flatten",
    "activation",
    "leaky_relu",
    "fully_connected",
    "convolution",
    "deconvolution",
    "pooling",
    "batch_norm",
    "layer_norm",
    "dropout",
    "embedding",
    "topk",
    "reshape",
    "reshape_like",
    "slice",
    "constraint_check",
    "smooth_l1",
    "erf",
    "erfinv",
    "gamma",
    "gammaln",
]


def _call(name: str, *inputs, **params):
    """Op ``name`` on ``inputs`` (None inputs dropped): ``mx.np`` arrays for arrays, a Symbol for Symbols."""
    ins = [x for x in inputs if x is not None]
    params = {k: v for k, v in params.items() if v is not None}
    if ins and not isinstance(ins[0], NDArray):
        from ..symbol.numpy import _op as _sym_op

        return _sym_op(name, *ins, **params)
    return _as_np(dispatch.invoke(_get_op(name), ins, params))


def relu(data):
    """max(data, 0).

    >>> mx.npx.relu(mx.np.array([-1., 2.])).tolist()
    [0.0, 2.0]
    """
    return _call("relu", data)


def sigmoid(data):
    """1 / (1 + exp(-data))."""
    return _call("sigmoid", data)


def activation(data, act_type="relu"):
    """Activation ``act_type``: 'relu', 'sigmoid', 'tanh', 'softrelu' or 'softsign'."""
    return _call("Activation", data, act_type=act_type)


def leaky_relu(data, gamma=None, act_type="leaky", slope=0.25, lower_bound=0.125, upper_bound=0.334):
    """The LeakyReLU family ('leaky', 'elu', 'selu', 'gelu', 'prelu' with ``gamma``, 'rrelu')."""
    return _call("LeakyReLU", data, gamma, act_type=act_type, slope=slope, lower_bound=lower_bound, upper_bound=upper_bound)


def softmax(data, length=None, axis=-1, temperature=None, use_length=False, dtype=None):
    """Softmax along ``axis`` (only the first ``length`` entries when ``use_length``).

    >>> mx.npx.softmax(mx.np.ones((1, 2))).tolist()
    [[0.5, 0.5]]
    """
    return _call("softmax", data, length if use_length else None, axis=axis, temperature=temperature, use_length=use_length, dtype=dtype)


def log_softmax(data, axis=-1, length=None, temperature=None, use_length=False, dtype=None):
    """log(softmax(data)) along ``axis``, computed stably."""
    return _call("log_softmax", data, axis=axis, temperature=temperature, dtype=dtype)


def masked_softmax(data, mask, axis=-1, temperature=1.0, normalize=True):
    """Softmax over the entries where ``mask`` is true (the others get 0)."""
    from .. import numpy as mnp

    neg = mnp.where(mask, data, -1e18 if data.dtype != mnp.float16 else -6e4)
    return mnp.where(mask, softmax(neg, axis=axis, temperature=temperature), 0.0)


def pick(data, index, axis=-1, mode="clip", keepdims=False):
    """``data[..., index, ...]`` along ``axis``, one element per index.

    >>> mx.npx.pick(mx.np.arange(6.0).reshape(2, 3), mx.np.array([0, 2])).tolist()
    [0.0, 5.0]
    """
    return _call("pick", data, index, axis=axis, mode=mode, keepdims=keepdims)


def one_hot(data, depth=None, on_value=1.0, off_value=0.0, dtype="float32"):
    """One-hot rows of length ``depth`` for the integer labels ``data``."""
    return _call("one_hot", data, depth=depth, on_value=on_value, off_value=off_value, dtype=dtype)


def sequence_mask(data, sequence_length=None, use_sequence_length=False, value=0.0, axis=0):
    """Set entries past each sequence's length (along ``axis``) to ``value``."""
    return _call("SequenceMask", data, sequence_length if use_sequence_length else None, use_sequence_length=use_sequence_length, value=value, axis=axis)


def batch_dot(a, b, transpose_a=False, transpose_b=False, forward_stype=None):
    """Matrix products of the batches of ``a`` and ``b`` (3-D or more)."""
    return _call("batch_dot", a, b, transpose_a=transpose_a, transpose_b=transpose_b)


def batch_flatten(x):
    """``x`` as (first dim, product of the others)."""
    return _call("Flatten", x)


def fully_connected(x, weight, bias=None, num_hidden=None, no_bias=True, flatten=True):
    """``x @ weight.T + bias`` (``x`` flattened to 2-D when ``flatten``)."""
    if num_hidden is None:
        num_hidden = weight.shape[0]
    return _call("FullyConnected", x, weight, None if no_bias else bias, num_hidden=num_hidden, no_bias=no_bias, flatten=flatten)


def convolution(
    data=None,
    weight=None,
    bias=None,
    kernel=None,
    stride=None,
    dilate=None,
    pad=None,
    num_filter=1,
    num_group=1,
    workspace=1024,
    no_bias=False,
    cudnn_tune=None,
    cudnn_off=False,
    layout=None,
):
    """N-D convolution (``Convolution``)."""
    return _call(
        "Convolution",
        data,
        weight,
        None if no_bias else bias,
        kernel=kernel,
        stride=stride,
        dilate=dilate,
        pad=pad,
        num_filter=num_filter,
        num_group=num_group,
        workspace=workspace,
        no_bias=no_bias,
        cudnn_tune=cudnn_tune,
        cudnn_off=cudnn_off,
        layout=layout,
    )


def deconvolution(
    data=None,
    weight=None,
    bias=None,
    kernel=None,
    stride=None,
    dilate=None,
    pad=None,
    adj=None,
    target_shape=None,
    num_filter=1,
    num_group=1,
    workspace=512,
    no_bias=True,
    cudnn_tune=None,
    cudnn_off=False,
    layout=None,
):
    """N-D transposed convolution (``Deconvolution``)."""
    return _call(
        "Deconvolution",
        data,
        weight,
        None if no_bias else bias,
        kernel=kernel,
        stride=stride,
        dilate=dilate,
        pad=pad,
        adj=adj,
        target_shape=target_shape,
        num_filter=num_filter,
        num_group=num_group,
        workspace=workspace,
        no_bias=no_bias,
        cudnn_tune=cudnn_tune,
        cudnn_off=cudnn_off,
        layout=layout,
    )


def pooling(
    data=None,
    kernel=None,
    stride=None,
    pad=None,
    pool_type="max",
    pooling_convention="valid",
    global_pool=False,
    cudnn_off=False,
    p_value=None,
    count_include_pad=None,
    layout=None,
):
    """Max/avg/sum/lp pooling (``Pooling``)."""
    return _call(
        "Pooling",
        data,
        kernel=kernel,
        stride=stride,
        pad=pad,
        pool_type=pool_type,
        pooling_convention=pooling_convention,
        global_pool=global_pool,
        cudnn_off=cudnn_off,
        p_value=p_value,
        count_include_pad=count_include_pad,
        layout=layout,
    )


def batch_norm(
    x,
    gamma,
    beta,
    running_mean,
    running_var,
    eps=1e-3,
    momentum=0.9,
    fix_gamma=True,
    use_global_stats=False,
    output_mean_var=False,
    axis=1,
    cudnn_off=False,
    min_calib_range=None,
    max_calib_range=None,
):
    """Batch normalisation (``BatchNorm``; updates the running statistics when training)."""
    return _call(
        "BatchNorm",
        x,
        gamma,
        beta,
        running_mean,
        running_var,
        eps=eps,
        momentum=momentum,
        fix_gamma=fix_gamma,
        use_global_stats=use_global_stats,
        output_mean_var=output_mean_var,
        axis=axis,
        cudnn_off=cudnn_off,
    )


def layer_norm(data=None, gamma=None, beta=None, axis=-1, eps=1e-5, output_mean_var=False):
    """Layer normalisation along ``axis``."""
    return _call("LayerNorm", data, gamma, beta, axis=axis, eps=eps, output_mean_var=output_mean_var)


def dropout(data, p=0.5, mode="training", axes=None, cudnn_off=True):
    """Zero each element with probability ``p`` while training (scaled by 1/(1-p))."""
    return _call("Dropout", data, p=p, mode=mode, axes=axes, cudnn_off=cudnn_off)


def embedding(data, weight, input_dim=None, output_dim=None, dtype="float32", sparse_grad=False):
    """Rows of ``weight`` picked by the integer ``data``."""
    if input_dim is None:
        input_dim, output_dim = weight.shape
    return _call("Embedding", data, weight, input_dim=input_dim, output_dim=output_dim, dtype=dtype, sparse_grad=sparse_grad)


def topk(data, axis=-1, k=1, ret_typ="indices", is_ascend=False, dtype="float32"):
    """The ``k`` largest (or smallest) along ``axis``: indices, values, both or a mask."""
    return _call("topk", data, axis=axis, k=k, ret_typ=ret_typ, is_ascend=is_ascend, dtype=dtype)


def smooth_l1(data, scalar=1.0):
    """The smooth L1 function with threshold ``1/scalar**2``."""
    return _call("smooth_l1", data, scalar=scalar)


def erf(data):
    """The error function."""
    return _call("erf", data)


def erfinv(data):
    """The inverse error function."""
    return _call("erfinv", data)


def gamma(data):
    """The gamma function."""
    return _call("gamma", data)


def gammaln(data):
    """log |gamma(data)|."""
    return _call("gammaln", data)


def reshape_like(lhs, rhs):
    """``lhs`` with ``rhs``'s shape."""
    return _call("reshape_like", lhs, rhs)


# npx.reshape codes -> the legacy Reshape's (for Symbols, whose shapes are not known yet)
_LEGACY_CODE = {-1: -1, -2: 0, -4: -2, -5: -3, -6: -4}


def npx_reshape_target(src: tuple, newshape: tuple, reverse: bool = False) -> tuple:
    """The shape ``npx.reshape`` gives an array of shape ``src``.

    >>> npx_reshape_target((2, 3, 4), (-5, -2))
    (6, 4)
    >>> npx_reshape_target((2, 1, 3), (-2, -3, -2))
    (2, 3)
    """
    if reverse:
        return tuple(reversed(npx_reshape_target(tuple(reversed(src)), tuple(reversed(newshape)))))
    out: list = []
    i = j = 0
    infer = None
    codes = list(newshape)
    while j < len(codes):
        c = int(codes[j])
        if c >= 0:
            out.append(c)
            i += 1
        elif c == -1:
            infer = len(out)
            out.append(-1)
            i += 1
        elif c == -2:
            out.append(src[i])
            i += 1
        elif c == -3:
            if src[i] != 1:
                raise ValueError(f"npx.reshape: -3 skips a dim of size 1, but dim {i} of {src} is {src[i]}")
            i += 1
        elif c == -4:
            out.extend(src[i:])
            i = len(src)
        elif c == -5:
            out.append(src[i] * src[i + 1])
            i += 2
        elif c == -6:
            d1, d2 = int(codes[j + 1]), int(codes[j + 2])
            if d1 == -1:
                d1 = src[i] // d2
            if d2 == -1:
                d2 = src[i] // d1
            if d1 * d2 != src[i]:
                raise ValueError(f"npx.reshape: -6 splits dim {i} ({src[i]}) into {d1} x {d2}")
            out += [d1, d2]
            i += 1
            j += 2
        else:
            raise ValueError(f"npx.reshape: invalid code {c} in {tuple(newshape)}")
        j += 1
    if infer is not None:
        known = math.prod(d for k, d in enumerate(out) if k != infer)
        out[infer] = math.prod(src) // known if known else 0
    if math.prod(out) != math.prod(src):
        raise ValueError(f"npx.reshape: cannot reshape {src} with {tuple(newshape)} (gives {tuple(out)})")
    return tuple(out)


def reshape(a, newshape, reverse=False, order="C"):
    """Reshape with npx codes: -1 infer, -2 copy a dim, -3 drop a size-1 dim,
    -4 copy the remaining dims, -5 merge two dims, -6 split one dim into the next two values.

    >>> mx.npx.reshape(mx.np.ones((2, 3, 4)), (-5, -2)).shape
    (6, 4)
    """
    if isinstance(newshape, int):
        newshape = (newshape,)
    if isinstance(a, NDArray):
        return _call("_np_reshape", a, newshape=npx_reshape_target(tuple(a.shape), tuple(newshape), reverse))
    if -3 in newshape:  # needs the input's shape: resolved when the graph runs
        from ..symbol.numpy import _np_function

        return _np_function("npx.reshape")(a, tuple(int(c) for c in newshape), reverse=bool(reverse))
    return _call("Reshape", a, shape=tuple(_LEGACY_CODE.get(int(c), int(c)) for c in newshape), reverse=reverse)


def _npx_reshape_compute(xp, a, newshape, reverse=False):
    return a.reshape(npx_reshape_target(tuple(a.shape), tuple(newshape), reverse))


# npx.reshape of a Symbol whose codes need the input's shape (-3) is one _npi_function node
add_function("npx.reshape", _npx_reshape_compute, grad="gather")
SPECS["npx.reshape"] = ("in0", 1)


def slice(data, begin, end, step=None):  # noqa: A001 -- MXNet's name
    """Basic slicing with ``begin``/``end``/``step`` per axis (None entries take the whole axis).

    >>> mx.npx.slice(mx.np.arange(6.).reshape(2, 3), begin=(None, 1), end=(None, 3)).tolist()
    [[1.0, 2.0], [4.0, 5.0]]
    """
    return _call("slice", data, begin=tuple(begin), end=tuple(end), step=None if step is None else tuple(step))


def constraint_check(input, msg="Constraint violated"):  # noqa: A002 -- MXNet's name
    """A true 0-d bool array when every element of ``input`` is true; a ValueError with ``msg`` otherwise
    (raised where the value is read, as MXNet's asynchronous check).

    >>> bool(mx.npx.constraint_check(mx.np.ones(2, dtype=bool)))
    True
    """
    if isinstance(input, NDArray):
        from ..numpy._extra import make

        return make("npx.constraint_check", "")(input, msg)
    from ..symbol.numpy import _np_function

    return _np_function("npx.constraint_check")(input, msg)
