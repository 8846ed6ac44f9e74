# The two set-up commands: `make demo` and `make test`.
PY ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python

.PHONY: demo test test-torch test-dist test-numba test-slow lint format bench venv

$(VPY):
	$(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip

venv: $(VPY)
	$(VPY) -m pip install -q -e .

# the demo extra adds matplotlib (the training-curve PNG) and tqdm (the progress bar)
demo: $(VPY)
	$(VPY) -m pip install -q -e '.[demo]'
	$(VPY) examples/train_mnist.py
	$(VPY) examples/tutorial.py --skip-overlap

test: $(VPY)
	$(VPY) -m pip install -q -e '.[test,viz,onnx]'
	$(VPY) -m ruff check mxpy tests bench examples
	$(VPY) -m ruff format --check mxpy tests bench examples
	$(VPY) -m pytest -m "not slow and not dist"

# The distributed kvstore with mpi4py + Open MPI (the dist extra): multi-process jobs, and the
# one-process tests of tests/test_dist.py that make test skips without mpi4py.
# mxpy.launch adds mpirun's run-as-root and oversubscribe options itself.
test-dist: $(VPY)
	$(VPY) -m pip install -q -e '.[test,dist]'
	$(VPY) -m pytest tests/test_dist_mpi.py tests/test_dist.py

# The Torch bridge's tests (mx.th), apart because torch is a large install. 2.13.0 is
# the CPU wheel this machine kind keeps on disk; plain 'torch' would pull a CUDA build.
test-torch: $(VPY)
	$(VPY) -m pip install -q 'torch==2.13.0' && $(VPY) -m pip install -q -e '.[test,torch]' \
		|| echo "warning: could not install torch; the Torch bridge tests will skip"
	$(VPY) -m pip install -q -e '.[test]'
	$(VPY) -m pytest tests/test_torch_bridge.py

# The compiled CPU kernels (the numba extra: depthwise and Winograd convolution, the strided
# layers' col2im, max pooling, BatchNorm, the ReLU gradient, the fused inference convolution)
# against the NumPy reference paths; make test runs with whatever is installed.
test-numba: $(VPY)
	$(VPY) -m pip install -q -e '.[test,numba]'
	$(VPY) -m pytest tests/test_conv_paths.py tests/test_pool_paths.py tests/test_batchnorm_rows.py tests/test_conv_pool.py tests/test_realnet_golden.py tests/test_act_paths.py tests/test_conv_infer.py

test-slow: $(VPY)
	$(VPY) -m pip install -q -e '.[test]'
	$(VPY) -m pytest -m slow

lint:
	$(VPY) -m ruff check mxpy tests bench examples

format:
	$(VPY) -m ruff format mxpy tests bench examples
	$(VPY) -m ruff check --fix mxpy tests bench examples

bench: venv
	$(PY) bench/run_bench.py
