# Set-up and everyday commands. `make run` and `make test` do all set-up on a fresh machine.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED_CORPUS ?= $(abspath ../shared/corpus)
export RAPPORTEUR_INDEX ?= $(abspath .index)

.PHONY: install run test lint bench

$(STAMP): pyproject.toml scripts/install.sh
	PY=$(PY) bash scripts/install.sh $(VENV)
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	bash scripts/run.sh

test: $(STAMP)
	bash scripts/test.sh

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/ingest_bench.py $(SHARED_CORPUS)
