# The two set-up commands: `make demo` and `make test`.
PY ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python

.PHONY: demo test test-slow lint format bench venv

$(VPY):
	$(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip

venv: $(VPY)
	$(VPY) -m pip install -q -e .

demo: venv
	$(VPY) examples/train_mnist.py
	$(VPY) examples/tutorial.py --skip-overlap

test: $(VPY)
	$(VPY) -m pip install -q -e '.[test,viz,onnx]'
	$(VPY) -m ruff check mxpy tests bench examples
	$(VPY) -m ruff format --check mxpy tests bench examples
	$(VPY) -m pytest -m "not slow"

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
