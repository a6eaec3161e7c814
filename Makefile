# The two commands of the README: `make run` and `make test`. Each creates .venv when missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_MEMBERS ?= 2000
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: create the demo community, build its model and serve the API on http://$(HOST):$(PORT)
run: $(STAMP)
	$(BIN)/matcher serve --host $(HOST) --port $(PORT) --check-port
	$(BIN)/matcher demo-data --members $(DEMO_MEMBERS) --seed 7 --if-empty
	$(BIN)/matcher build --if-stale
	$(BIN)/matcher keys demo --host $(HOST) --port $(PORT)
	$(BIN)/matcher serve --host $(HOST) --port $(PORT)

## test: lint, then the whole test suite
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

clean:
	rm -rf var .pytest_cache
