# The two commands a new machine needs: `make run` and `make test`. Python 3.11+ is the only prerequisite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install  ## Run the product on embedded PostgreSQL and Redis, with demo data.
	$(BIN)/python -m market.launch

# The suite runs in this many pytest-xdist worker processes (one per core of the 2-core machines); 0 runs it in one.
TEST_WORKERS ?= 2

test: install  ## Run the whole test suite against real PostgreSQL and Redis that it starts itself.
	$(BIN)/python -m ruff check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .

bench: install  ## Benchmarks: print a table and write bench/results/*.json.
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .embedded staticfiles
