"""``mxnet.numpy_op_signature``: the ``mx.np``/``mx.npx`` function behind an
operator name of MXNet's NumPy family (``_np_sum`` is ``mx.np.sum``,
``_npx_relu`` is ``mx.npx.relu``, ``_np_random_uniform`` is ``mx.np.random.uniform``).

>>> import mxpy as mx
>>> _get_builtin_op('_np_sum') is mx.np.sum, _get_builtin_op('sum')
(True, None)
"""

from __future__ import annotations

from . import numpy as _mx_np
from . import numpy_extension as _mx_npx

_SUBMODULES = {"_np_": ("random", "linalg"), "_npx_": ()}


def _get_builtin_op(op_name: str):
    """The function for ``op_name`` (``_np_*`` / ``_npx_*``), None for other names;
    ValueError when the family's function does not exist."""
    for prefix, root in (("_np_", _mx_np), ("_npx_", _mx_npx)):
        if not op_name.startswith(prefix):
            continue
        rest = op_name[len(prefix) :]
        module = root
        for sub in _SUBMODULES[prefix]:
            if rest.startswith(sub + "_"):
                module, rest = getattr(root, sub), rest[len(sub) + 1 :]
                break
        op = getattr(module, rest, None)
        if op is None:
            raise ValueError(f"Cannot find operator {rest} in module {module.__name__}")
        return op
    return None
