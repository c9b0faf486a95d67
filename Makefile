# The two commands of the README: `make demo` and `make test`.
# Each creates .venv and installs tfvidgan (editable, with test tools) when missing.
#
#   make test       ruff, then the whole suite (notebooks included) in .venv, then again in
#                   .venv-colab, pinned to Colab's versions (.ci/colab-constraints.txt), when a
#                   Python 3.13 is found; it says so when it is not run
#   make test-fast  the tests not marked slow, in .venv (no notebooks): the quick loop
#   make lint       ruff check and ruff format --check over the tree
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.tfvidgan-installed

# ruff is pinned: another version formats differently and `ruff format --check` would fail.
RUFF_VERSION := 0.17.6
RUFF_STAMP   := $(VENV)/.ruff-$(RUFF_VERSION)

# The Colab check. COLAB_PYTHON: python3.13 on PATH, else pyenv's versions/3.13* (lazy: only
# looked up by `make test`); set it by hand to use another interpreter.
COLAB_PINS   := .ci/colab-constraints.txt
COLAB_PYTHON ?= $(shell .ci/find-python 3.13)
COLAB_VENV   ?= .venv-colab
COLAB_PY     := $(COLAB_VENV)/bin/python
COLAB_STAMP  := $(COLAB_VENV)/.tfvidgan-installed

SMOKE  := TFVIDGAN_SMOKE=1
# Two pytest workers, one test file each at a time (module fixtures are built once). Much of
# the suite is single-threaded (graph tracing, notebook kernels starting), which the second
# worker overlaps: 22.4 -> 11.0 min on 2 cores. `make test WORKERS=0` runs it in one process.
WORKERS ?= 2
PYTEST := -m pytest -q -p no:cacheprovider $(if $(filter-out 0,$(WORKERS)),-n $(WORKERS) --dist loadfile)
SUITE  := tests notebooks --nbmake --nbmake-timeout=900

.PHONY: demo test test-fast test-colab lint install clean bench

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

$(RUFF_STAMP): $(STAMP)
	$(PY) -m pip install --quiet "ruff==$(RUFF_VERSION)"
	touch $(RUFF_STAMP)

# Colab's packages first (as Colab has them), then tfvidgan as a user installs it, then a
# check that the install replaced none of Colab's versions.
$(COLAB_STAMP): pyproject.toml $(COLAB_PINS)
	test -x $(COLAB_PY) || $(COLAB_PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_PY) -m pip install --quiet --upgrade pip
	$(COLAB_PY) -m pip install --quiet -r $(COLAB_PINS)
	$(COLAB_PY) -m pip install --quiet -e ".[dev]"
	$(COLAB_PY) .ci/check_pins.py $(COLAB_PINS)
	touch $(COLAB_STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/tfvidgan demo

lint: $(RUFF_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(SMOKE) $(PY) $(PYTEST) $(SUITE)
	@$(MAKE) --no-print-directory test-colab

test-fast: $(STAMP)
	$(SMOKE) $(PY) $(PYTEST) -m "not slow" tests

test-colab:
	@if [ -z "$(COLAB_PYTHON)" ]; then \
		echo "*** Colab check NOT RUN: no Python 3.13 found (python3.13 on PATH or pyenv's"; \
		echo "*** versions/3.13*); set COLAB_PYTHON=/path/to/python3.13 to run it."; \
	else \
		$(MAKE) --no-print-directory COLAB_PYTHON="$(COLAB_PYTHON)" $(COLAB_STAMP) && \
		echo "=== Colab check: the whole suite again on $$($(COLAB_PY) --version), pinned to" \
			"$(COLAB_PINS):" && \
		$(COLAB_PY) .ci/check_pins.py $(COLAB_PINS) && \
		$(SMOKE) $(COLAB_PY) $(PYTEST) $(SUITE); \
	fi

bench: $(STAMP)
	$(PY) benchmarks/speed.py

clean:
	rm -rf runs .pytest_cache
