"""Checkpoint files and ``BatchEndParam``: the layer below ``mx.model``, ``mx.callback``, ``mx.module`` and FeedForward.

``mx.model`` re-exports every name here (it is MXNet's public home for them);
``callback``, ``module`` and ``feedforward`` import them from this module so
that no import runs upward. A checkpoint is ``prefix-symbol.json`` (the
network) plus ``prefix-%04d.params`` (an NDArray file with keys
``arg:NAME``/``aux:NAME``), readable by MXNet 1.9.1 and written byte for byte
as it writes them.

>>> import mxpy as mx, os, tempfile
>>> from mxpy import _checkpoint
>>> prefix = os.path.join(tempfile.mkdtemp(), "net")
>>> net = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2, name="fc")
>>> _checkpoint.save_checkpoint(prefix, 1, net, {"fc_weight": mx.nd.ones((2, 3)), "fc_bias": mx.nd.zeros((2,))}, {})
>>> sorted(_checkpoint.load_checkpoint(prefix, 1)[1])
['fc_bias', 'fc_weight']
"""

from __future__ import annotations

import logging
import os
from collections import namedtuple

from . import ndarray as nd
from . import symbol as sym
from ._atomic_file import commit, discard, stage
from .base import MXNetError
from .context import cpu
from .ndarray.ndarray import NDArray
from .ndarray.serialization import file_chunks

__all__ = ["BatchEndParam", "save_checkpoint", "load_checkpoint", "load_params"]

_log = logging.getLogger(__name__)

BatchEndParam = namedtuple("BatchEndParam", ["epoch", "nbatch", "eval_metric", "locals"])
BatchEndParam.__doc__ = """What batch-end callbacks receive: ``(epoch, nbatch, eval_metric, locals)``."""


def _check_epoch(epoch, func: str) -> int:
    if isinstance(epoch, bool) or not isinstance(epoch, int):
        raise TypeError(f"{func}: epoch must be an int, given {type(epoch).__name__}")
    return epoch


def _check_params(params, what: str) -> dict:
    if not isinstance(params, dict):
        raise TypeError(f"save_checkpoint: {what} must be a dict of str to NDArray, given {type(params).__name__}")
    for k, v in params.items():
        if not isinstance(k, str):
            raise TypeError(f"save_checkpoint: {what} key {k!r} is a {type(k).__name__}, expected str")
        if not isinstance(v, NDArray):
            raise TypeError(f"save_checkpoint: {what}[{k!r}] is a {type(v).__name__}, expected NDArray")
    return params


def save_checkpoint(prefix: str, epoch: int, symbol, arg_params: dict, aux_params: dict, remove_amp_cast: bool = True) -> None:
    """Write ``prefix-symbol.json`` (unless ``symbol`` is None) and ``prefix-%04d.params``.

    Parameters are copied to the CPU and saved under ``arg:NAME`` and
    ``aux:NAME``. Both files are first written in full to temporary files in
    the same folder, then renamed into place (``mxpy._atomic_file``), so an
    error (or a crash) never leaves a torn file and never touches earlier
    checkpoints; a symlinked file is written through and keeps its link.
    ``remove_amp_cast`` is accepted for MXNet compatibility (mxpy graphs have
    no AMP cast nodes).

    >>> import mxpy as mx, os, tempfile
    >>> from mxpy import model
    >>> prefix = os.path.join(tempfile.mkdtemp(), "m")
    >>> model.save_checkpoint(prefix, 2, None, {"w": mx.nd.ones((2,))}, {"m": mx.nd.zeros((2,))})
    >>> sorted(mx.nd.load(prefix + "-0002.params"))
    ['arg:w', 'aux:m']
    """
    epoch = _check_epoch(epoch, "save_checkpoint")
    if not isinstance(prefix, str):
        raise TypeError(f"save_checkpoint: prefix must be a str, given {type(prefix).__name__}")
    if symbol is not None and not isinstance(symbol, sym.Symbol):
        raise TypeError(f"save_checkpoint: symbol must be a Symbol or None, given {type(symbol).__name__}")
    save_dict = {f"arg:{k}": v.as_in_context(cpu()) for k, v in _check_params(arg_params, "arg_params").items()}
    save_dict.update({f"aux:{k}": v.as_in_context(cpu()) for k, v in _check_params(aux_params, "aux_params").items()})
    param_name = f"{prefix}-{epoch:04d}.params"
    sym_name = f"{prefix}-symbol.json"
    files = []  # (name, bytes) written in full before either is renamed into place
    if symbol is not None:
        files.append((sym_name, [symbol.tojson().encode("utf-8")]))
    files.append((param_name, file_chunks(list(save_dict), list(save_dict.values()))))
    staged: list = []
    try:
        for name, chunks in files:
            staged.append(stage(name, chunks, func="save_checkpoint"))
    except BaseException:
        discard(staged)
        raise
    commit(staged[::-1], func="save_checkpoint")  # params first: a json never names missing params
    _log.info('Saved checkpoint to "%s"', param_name)


def load_params(prefix: str, epoch: int) -> tuple[dict, dict]:
    """``(arg_params, aux_params)`` from ``prefix-%04d.params``.

    A missing or corrupt file raises ``MXNetError`` naming it; keys that are
    not ``arg:``/``aux:`` are ignored, as in MXNet.

    >>> import mxpy as mx, os, tempfile
    >>> from mxpy import model
    >>> prefix = os.path.join(tempfile.mkdtemp(), "m")
    >>> mx.nd.save(prefix + "-0001.params", {"arg:w": mx.nd.ones((1,))})
    >>> model.load_params(prefix, 1)[0]["w"].asnumpy()
    array([1.], dtype=float32)
    """
    epoch = _check_epoch(epoch, "load_params")
    fname = f"{prefix}-{epoch:04d}.params"
    if not os.path.isfile(fname):
        raise MXNetError(f"load_params: checkpoint parameter file {fname!r} does not exist")
    save_dict = nd.load(fname)
    if not isinstance(save_dict, dict):
        if save_dict:
            raise MXNetError(f"load_params: {fname!r} holds an unnamed list of {len(save_dict)} arrays, expected names 'arg:NAME'/'aux:NAME'")
        save_dict = {}
    arg_params: dict = {}
    aux_params: dict = {}
    if not save_dict:
        _log.warning("Params file '%s' is empty", fname)
    for k, v in save_dict.items():
        if ":" not in k:
            raise MXNetError(f"load_params: {fname!r} has key {k!r}, expected 'arg:NAME' or 'aux:NAME'")
        tp, name = k.split(":", 1)
        if tp == "arg":
            arg_params[name] = v
        elif tp == "aux":
            aux_params[name] = v
    return arg_params, aux_params


def load_checkpoint(prefix: str, epoch: int):
    """``(symbol, arg_params, aux_params)`` from ``prefix-symbol.json`` and ``prefix-%04d.params``.

    >>> import mxpy as mx, os, tempfile
    >>> from mxpy import model
    >>> prefix = os.path.join(tempfile.mkdtemp(), "m")
    >>> net = mx.sym.Variable("x") * 2
    >>> model.save_checkpoint(prefix, 5, net, {}, {})
    >>> model.load_checkpoint(prefix, 5)[0].list_arguments()
    ['x']
    """
    epoch = _check_epoch(epoch, "load_checkpoint")
    sym_name = f"{prefix}-symbol.json"
    try:
        symbol = sym.load(sym_name)
    except OSError as e:
        raise MXNetError(f"load_checkpoint: cannot read symbol file {sym_name!r}: {e.strerror or e}") from e
    except (ValueError, KeyError, TypeError, IndexError, MXNetError) as e:
        raise MXNetError(f"load_checkpoint: {sym_name!r} is not a valid symbol file ({type(e).__name__}: {e})") from e
    arg_params, aux_params = load_params(prefix, epoch)
    return symbol, arg_params, aux_params
