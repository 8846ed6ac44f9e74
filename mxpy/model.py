"""``mx.model``: checkpoints in MXNet's file format, ``BatchEndParam`` for callbacks, and ``FeedForward``.

The checkpoint helpers live in ``mxpy._checkpoint`` (below callbacks, Module
and FeedForward, which all use them); this module is their public name, as in
MXNet, and sits above all of them.

>>> import mxpy as mx, os, tempfile
>>> from mxpy import model
>>> prefix = os.path.join(tempfile.mkdtemp(), "net")
>>> net = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2, name="fc")
>>> model.save_checkpoint(prefix, 1, net, {"fc_weight": mx.nd.ones((2, 3)), "fc_bias": mx.nd.zeros((2,))}, {})
>>> sym, args, auxs = model.load_checkpoint(prefix, 1)
>>> sorted(args), sym.list_arguments()
(['fc_bias', 'fc_weight'], ['data', 'fc_weight', 'fc_bias'])
"""

from __future__ import annotations

from ._checkpoint import BatchEndParam, load_checkpoint, load_params, save_checkpoint
from .feedforward import FeedForward

__all__ = ["BatchEndParam", "FeedForward", "save_checkpoint", "load_checkpoint", "load_params"]
