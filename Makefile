# `make test` and `make demo` install everything they need into this checkout first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: install toolchain test demo clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# The npm toolchain (anvil, hardhat and the published Sphinx packages, verdaccio, yarn, changesets),
# cached under .cache/node-toolchain or $ONBOARD_NODE_CACHE.
toolchain: install
	$(PY) -m onboard.sandbox.toolchain

test: install toolchain
	$(PY) -m pytest $(PYTEST_ARGS)

demo: install toolchain
	$(PY) -m onboard.sandbox.demo

clean:
	rm -rf $(VENV) .cache .onboard demo
