"""MXNet's 2-bit gradient compression: threshold quantization with error feedback.

Each sender keeps a residual per key (and per device). A push adds the
gradient to the residual; every element whose residual reached ``+threshold``
sends ``+threshold`` and keeps ``residual - threshold``, every element at or
below ``-threshold`` sends ``-threshold`` and keeps ``residual + threshold``,
and the rest send 0 and keep their residual for later pushes. So what a
receiver sums over time tracks the true gradient sum to within a threshold.
Four codes fit in a byte (MXNet packs sixteen into a float; the wire layout
is private to each implementation, the values are not).

>>> import numpy as np
>>> from mxpy.kvstore.compression import TwoBitCompressor
>>> c = TwoBitCompressor(0.5)
>>> res = np.zeros(3, np.float32)
>>> c.dequantize(c.quantize(np.array([0.7, -0.2, -0.6], np.float32), res), 3).tolist()
[0.5, 0.0, -0.5]
>>> res.tolist()
[0.19999998807907104, -0.20000000298023224, -0.09999999403953552]
"""

from __future__ import annotations

import numpy as np

from ..base import MXNetError

__all__ = ["TwoBitCompressor", "parse_compression"]

_SHIFTS = np.array([0, 2, 4, 6], dtype=np.uint8)


def parse_compression(params, func: str = "KVStore.set_gradient_compression") -> dict:
    """Check ``{'type': 'none' | '2bit', 'threshold': t}`` and return it normalised.

    ``threshold`` defaults to 0.5 (as MXNet) and must be a positive number.

    >>> parse_compression({"type": "2bit"})
    {'type': '2bit', 'threshold': 0.5}
    """
    if not isinstance(params, dict) or "type" not in params:
        raise TypeError(f"{func}: compression_params must be a dict with a 'type' key, given {params!r}")
    ctype = params["type"]
    if ctype == "none":
        extra = sorted(set(params) - {"type"})
        if extra:
            raise MXNetError(f"{func}: type 'none' takes no other parameters, given {extra}")
        return {"type": "none"}
    if ctype != "2bit":
        raise MXNetError(f"{func}: unknown compression type {ctype!r}; supported: 'none', '2bit'")
    extra = sorted(set(params) - {"type", "threshold"})
    if extra:
        raise MXNetError(f"{func}: type '2bit' takes only 'threshold', given {extra}")
    try:
        threshold = float(params.get("threshold", 0.5))
    except (TypeError, ValueError) as e:
        raise MXNetError(f"{func}: threshold must be a positive number, given {params.get('threshold')!r}") from e
    if not threshold > 0:
        raise MXNetError(f"{func}: threshold must be greater than 0, given {threshold}")
    return {"type": "2bit", "threshold": threshold}


class TwoBitCompressor:
    """Quantize float arrays to {-t, 0, +t} with a caller-kept float32 residual."""

    def __init__(self, threshold: float) -> None:
        self.threshold = np.float32(threshold)

    @staticmethod
    def packed_size(n: int) -> int:
        """Bytes that ``n`` quantized values take (four per byte)."""
        return (n + 3) // 4

    def quantize(self, grad: np.ndarray, residual: np.ndarray) -> np.ndarray:
        """Codes for ``grad`` (flattened), updating ``residual`` in place (float32 arithmetic, as MXNet)."""
        t = self.threshold
        r = residual.reshape(-1)
        r += grad.reshape(-1).astype(np.float32, copy=False)
        pos = r >= t
        neg = r <= -t
        r[pos] -= t
        r[neg] += t
        codes = pos.astype(np.uint8)
        codes[neg] = 2
        pad = (-codes.size) % 4
        if pad:
            codes = np.concatenate([codes, np.zeros(pad, np.uint8)])
        return np.bitwise_or.reduce(codes.reshape(-1, 4) << _SHIFTS, axis=1).astype(np.uint8)

    def dequantize(self, packed: np.ndarray, n: int, out: np.ndarray | None = None) -> np.ndarray:
        """The ``n`` float32 values ``packed`` stands for (added into ``out`` when given)."""
        codes = ((packed[:, None] >> _SHIFTS) & 3).reshape(-1)[:n]
        values = np.zeros(n, np.float32)
        values[codes == 1] = self.threshold
        values[codes == 2] = -self.threshold
        if out is None:
            return values
        flat = out.reshape(-1)
        flat += values
        return out
