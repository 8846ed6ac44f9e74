"""``mx.runtime``: which of MXNet's build features this mxpy process has.

MXNet reports its compile-time switches; mxpy reports what it can do here:
``CUDA`` when CuPy sees a GPU, ``LAPACK``/``BLAS_OPEN`` through NumPy,
``OPENCV`` when ``cv2`` is installed, ``DIST_KVSTORE`` when ``mpi4py`` is,
``INT64_TENSOR_SIZE`` always (NumPy indexes with 64-bit integers). Features
that name C++ build options mxpy does not have (cuDNN, MKLDNN, TensorRT...)
are listed as disabled.

>>> import mxpy as mx
>>> f = mx.runtime.Features()
>>> f.is_enabled("LAPACK")
True
>>> f.is_enabled("MKLDNN")
False
"""

from __future__ import annotations

import collections
import importlib.util
import platform

__all__ = ["Feature", "Features", "feature_list"]

# MXNet 1.9.1's feature names, in its order (src/libinfo.cc)
_NAMES = (
    "CUDA CUDNN NCCL CUDA_RTC TENSORRT CPU_SSE CPU_SSE2 CPU_SSE3 CPU_SSE4_1 CPU_SSE4_2 CPU_SSE4A CPU_AVX CPU_AVX2 "
    "OPENMP SSE F16C JEMALLOC BLAS_OPEN BLAS_ATLAS BLAS_MKL BLAS_APPLE LAPACK MKLDNN OPENCV CAFFE PROFILER "
    "DIST_KVSTORE CXX14 INT64_TENSOR_SIZE SIGNAL_HANDLER DEBUG TVM_OP"
).split()


class Feature:
    """One feature: ``name`` and whether it is ``enabled``."""

    __slots__ = ("name", "enabled")

    def __init__(self, name: str, enabled: bool) -> None:
        self.name = name
        self.enabled = bool(enabled)

    def __repr__(self) -> str:
        return f"{'✔' if self.enabled else '✖'} {self.name}"


def _has(module: str) -> bool:
    # find_spec looks for the module without importing it (optional libraries stay unloaded)
    return importlib.util.find_spec(module) is not None


def _enabled() -> set[str]:
    from .context import num_gpus

    on = {"BLAS_OPEN", "LAPACK", "CXX14", "INT64_TENSOR_SIZE"}
    if platform.machine().lower() in ("x86_64", "amd64"):
        on.update(("SSE", "CPU_SSE", "CPU_SSE2"))  # every x86-64 CPU has them
    if num_gpus() > 0:
        on.add("CUDA")
    if _has("cv2"):
        on.add("OPENCV")
    if _has("mpi4py"):
        on.add("DIST_KVSTORE")
    return on


def feature_list() -> list[Feature]:
    """Every feature MXNet 1.9.1 names, each marked enabled or not for this process."""
    on = _enabled()
    return [Feature(n, n in on) for n in _NAMES]


class Features(collections.OrderedDict):
    """Name -> :class:`Feature`, built once per process (``Features()`` is a singleton, as in MXNet)."""

    instance = None

    def __new__(cls):
        if cls.instance is None:
            cls.instance = super().__new__(cls)
            super(Features, cls.instance).__init__((f.name, f) for f in feature_list())
        return cls.instance

    def __init__(self) -> None:  # filled once in __new__; OrderedDict.__init__ would clear nothing but rerun
        pass

    def __repr__(self) -> str:
        return str(list(self.values()))

    def is_enabled(self, feature_name: str) -> bool:
        """Whether ``feature_name`` (e.g. ``'CUDA'``) is enabled; RuntimeError for an unknown name."""
        name = feature_name.upper()
        if name not in self:
            raise RuntimeError(f"Feature '{feature_name}' is unknown, known features are: {list(self.keys())}")
        return self[name].enabled
