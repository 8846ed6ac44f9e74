"""3x3 stride-1 convolution by Winograd F(2x2, 3x3) on the CPU, through the optional Numba kernels.

Convolution asks :func:`usable` whether a layer can take this path: 2-D, a 3x3
kernel, stride and dilation 1, one group, float32 or float64 NumPy arrays, and
Numba importable (``MXPY_NUMBA=0`` turns it off). Otherwise, and for the
sizes where it does not pay (see Convolution's thresholds), the im2col + GEMM
paths stay; they are the reference the tests compare this path with.

Per block of tile rows: the compiled input transform writes ``V`` ``(16, C, T)``,
NumPy's batched GEMM multiplies it by the transformed weight ``U`` ``(16, F, C)``
into ``M`` ``(16, F, T)``, and the compiled output transform writes the 2x2
output blocks. The 16 GEMMs do 16/36 of im2col's multiply-adds. Measured on
ResNet-18's and the CIFAR ResNet's 3x3 layers, one thread: bench/RESULTS.md.
"""

from __future__ import annotations

import math

import numpy as np

from . import _compiled
from ._im2col import workspace

# the weight transform G g G^T of F(2x2, 3x3) as one (16, 9) matrix on the flattened 3x3 taps
_G = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]])
_GG = np.einsum("ik,jl->ijkl", _G, _G).reshape(16, 9)
# bytes of transformed input V per block of tile rows: V and M stay in the L2 cache
# between the transforms and the GEMMs, and the GEMMs are still wide enough to run at speed
# (512 KiB: the CIFAR ResNet's 16- and 32-channel layers 6-15% faster than with 1 MiB)
_BLOCK_BYTES = 1 << 19
# ... and for the weight gradient (whose blocks' products add up in dU: fewer blocks pay there)
_GRAD_BLOCK_BYTES = 1 << 20
# ... unless that leaves the GEMMs narrower than this many tiles (BLAS runs (512, 512) @ (512, 32)
# products at half the speed of (512, 512) @ (512, 128) ones: ResNet-18's 7x7 and 14x14 layers)
_MIN_COLUMNS = 256
# tile k = 4a + b of a filter turned by 180 degrees is tile _FLIP[k] of the filter (see conv)
_FLIP = np.array([4 * p + q for p in (3, 1, 2, 0) for q in (3, 1, 2, 0)])
# up to this many blocks, the flipped layer's 16 GEMMs per block read views of the tiles
# (16 calls per block instead of one) rather than a re-ordered copy of them
_VIEW_BLOCKS = 2
# elements between consecutive transform planes (see _planes)
_PLANE_PAD = 32


def _module():
    return _compiled.load("winograd")


def usable(xp, x, groups: int, geo: dict) -> bool:
    """Whether the compiled Winograd path can run this layer (``x`` channel first)."""
    return (
        groups == 1
        and xp is np
        and geo["kernel"] == (3, 3)
        and geo["stride"] == (1, 1)
        and geo["dilate"] == (1, 1)
        and x.dtype in (np.float32, np.float64)
        and _module() is not None
    )


def weight_transform(w):
    """``U`` ``(16, F, C)``: each 3x3 filter as its 4x4 Winograd tile (``G g G^T``)."""
    f, c = w.shape[:2]
    u = _GG.astype(w.dtype) @ np.ascontiguousarray(w).reshape(f * c, 9).T
    return u.reshape(16, f, c)


def conv(x, w, pad: tuple, out_shape: tuple, out=None, flipped: bool = False):
    """``out`` (or a new array) = the 3x3 stride-1 convolution of ``x`` ``(N, C, H, W)`` by ``w`` ``(F, C, 3, 3)``.

    ``flipped``: by ``w`` ``(C', F', 3, 3)`` turned by 180 degrees and transposed
    instead, the data gradient of a layer of weight ``w``. Turning a filter only
    swaps its tile's first and last rows and columns (``G J = P G``, ``J`` the
    reversal and ``P`` that swap), so those tiles are ``w``'s own, re-ordered
    and transposed: no flipped copy of ``w`` (9.4 MB at 512x512) and, with few
    blocks, no re-ordered copy of its tiles either (the GEMMs read them as views).

    >>> import numpy as np
    >>> from mxpy.ops.nn import _winograd
    >>> x, w = np.ones((1, 1, 4, 4), np.float32), np.ones((1, 1, 3, 3), np.float32)
    >>> _winograd.usable(np, x, 1, {"kernel": (3, 3), "stride": (1, 1), "dilate": (1, 1)}) is False or _winograd.conv(x, w, (0, 0), (1, 1, 2, 2))[0, 0].tolist() == [[9.0, 9.0], [9.0, 9.0]]
    True
    """
    mod = _module()
    x = np.ascontiguousarray(x)
    y = out if out is not None else np.empty(out_shape, dtype=x.dtype)
    n, c = x.shape[:2]
    f, oh, ow = out_shape[1], out_shape[2], out_shape[3]
    th, tw = -(-oh // 2), -(-ow // 2)
    rows = n * th
    # tile rows per block: V within _BLOCK_BYTES, but GEMMs at least _MIN_COLUMNS wide
    block = max(1, -(-_MIN_COLUMNS // tw), _BLOCK_BYTES // (16 * c * tw * x.itemsize))
    wc = np.ascontiguousarray(w, dtype=x.dtype)
    u = _planes(wc.shape[:2], x.dtype, "winograd_u")
    mod.weight_tiles(wc.reshape(-1, 9), u.reshape(16, -1))
    planes = None  # the flipped layer's tiles as 16 (F, C) views of u, read by one GEMM each
    if flipped:
        if rows <= _VIEW_BLOCKS * block:
            planes = [u[k].T for k in _FLIP]
        else:
            u = np.ascontiguousarray(u[_FLIP].transpose(0, 2, 1))
    ph, pw = pad
    for r0 in range(0, rows, block):
        r1 = min(rows, r0 + block)
        t = (r1 - r0) * tw
        v = _planes((c, t), x.dtype, "winograd_v")
        m = _planes((f, t), x.dtype, "winograd_m")
        mod.input_tiles(x, v, ph, pw, th, tw, r0, r1)
        if planes is None:
            np.matmul(u, v, out=m)
        else:
            for k in range(16):
                np.matmul(planes[k], v[k], out=m[k])
        mod.output_tiles(m, y, th, tw, r0, r1)
    return y


def weight_grad(dy, x, pad: tuple, w_shape: tuple):
    """The weight gradient ``(F, C, 3, 3)`` of :func:`conv` for head gradient ``dy`` ``(N, F, OH, OW)``.

    The forward is linear in the transformed weight ``U``: its gradient is, per tile
    position, the sum over tiles of ``(A dY A^T) * (B^T d B)``, 16 GEMMs contracting the
    tiles, and the weight's gradient is ``G^T dU G``.
    """
    mod = _module()
    x, dy = np.ascontiguousarray(x), np.ascontiguousarray(dy)
    n, c = x.shape[:2]
    f, oh, ow = dy.shape[1:]
    th, tw = -(-oh // 2), -(-ow // 2)
    rows = n * th
    block = max(1, -(-_MIN_COLUMNS // tw), _GRAD_BLOCK_BYTES // (16 * max(c, f) * tw * x.itemsize))
    du = _planes((f, c), x.dtype, "winograd_du")
    part = _planes((f, c), x.dtype, "winograd_part") if rows > block else du
    for r0 in range(0, rows, block):
        r1 = min(rows, r0 + block)
        t = (r1 - r0) * tw
        v = _planes((c, t), x.dtype, "winograd_v")
        d = _planes((f, t), x.dtype, "winograd_m")
        mod.input_tiles(x, v, pad[0], pad[1], th, tw, r0, r1)
        mod.grad_tiles(dy, d, th, tw, r0, r1)
        # the first block's products straight into dU, the others added to it
        np.matmul(d, v.transpose(0, 2, 1), out=du if r0 == 0 else part)
        if r0:
            du += part
    dw = np.empty(w_shape, dtype=x.dtype)
    mod.weight_untiles(du.reshape(16, f * c), dw.reshape(f * c, 9))  # G^T dU G per filter
    return dw


def _planes(shape: tuple, dtype, tag: str):
    """16 planes of ``shape`` (a per-thread workspace) whose starts are not 4 KiB apart.

    The transforms read or write all 16 planes in one loop; planes a multiple of
    4 KiB apart map to the same L1 cache sets and evict each other (the weight
    transform of a 512x512 layer ran 3.5x slower that way).
    """
    size = math.prod(shape)
    buf = workspace(np, (16, size + _PLANE_PAD), dtype, tag)
    return buf[:, :size].reshape(16, *shape)


def flops(n: int, c: int, f: int, out_sp: tuple) -> int:
    """Multiply-adds of the 16 GEMMs (for the size rule and the docs)."""
    return 16 * c * f * n * math.prod(-(-s // 2) for s in out_sp)
