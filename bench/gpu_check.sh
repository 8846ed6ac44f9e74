#!/bin/bash
# Issue 16's on-device checks in one call (a few minutes on an H100/H200), for a machine whose
# python3 already has CuPy and PyTorch CUDA (the device tool's image: cupy-cuda13x, torch):
#   bash bench/gpu_check.sh            (from the repository root; writes $OUT/gpu_check.log if OUT is set)
# mxpy is pure Python: it runs from the checkout through PYTHONPATH, nothing is installed.
set -o pipefail
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1
LOG=${OUT:-/tmp}/gpu_check.log
{
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  python3 -c "import cupy, numpy, mxpy as mx; print('cupy', cupy.__version__, 'numpy', numpy.__version__, 'gpus', mx.context.num_gpus())"
  # the GPU suite: the op battery on CuPy against the CPU (check_consistency), events, copy stream, pool, overlap demo
  timeout 360 python3 -m pytest -p no:cacheprovider -q -x -m gpu tests/test_cupy_gpu.py tests/test_context.py -W ignore::DeprecationWarning
  echo "pytest rc=$?"
  timeout 120 python3 bench/gpu_overlap.py --steps 10
  timeout 180 python3 bench/gpu_resnet.py --batch 32 --iters 10
} 2>&1 | tee "$LOG"
