# MetaSAAS Console. `make run` to use it, `make test` to check it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint typecheck unit bench bench-quick clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Re-install whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	@$(BIN)/metasaas migrate --format table
	@$(BIN)/metasaas seed --if-empty --format table
	@$(BIN)/metasaas

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy core console ai entities

test: lint typecheck
	$(BIN)/pytest -n 2 --dist loadgroup

bench: $(VENV)/.installed-dev
	$(BIN)/python -m tests.bench

bench-quick: $(VENV)/.installed-dev
	$(BIN)/python -m tests.bench --quick

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
