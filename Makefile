# The two commands of the README: `make demo` and `make test`.
# Each creates .venv and installs tfvidgan (editable, with test tools) when missing.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.tfvidgan-installed

.PHONY: demo test install clean bench

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/tfvidgan demo

test: $(STAMP)
	TFVIDGAN_SMOKE=1 $(PY) -m pytest -q -p no:cacheprovider tests notebooks --nbmake --nbmake-timeout=900

bench: $(STAMP)
	$(PY) benchmarks/speed.py

clean:
	rm -rf runs .pytest_cache
