# Habits of this repository. `make run` and `make test` are all a fresh machine needs.

VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lint format validate schema build serve clean

run: $(INSTALLED)
	$(BIN)/ipps validate
	$(BIN)/ipps build
	$(BIN)/ipps serve --host 127.0.0.1 --port 8000

test: $(INSTALLED)
	$(BIN)/ruff check generator forms_api tests benchmarks
	$(BIN)/ruff format --check generator forms_api tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/pytest

validate: $(INSTALLED)
	$(BIN)/ipps validate

build: $(INSTALLED)
	$(BIN)/ipps build

serve: $(INSTALLED)
	$(BIN)/ipps serve

schema: $(INSTALLED)
	$(BIN)/ipps schema

lint: $(INSTALLED)
	$(BIN)/ruff check generator forms_api tests benchmarks
	$(BIN)/lint-imports

format: $(INSTALLED)
	$(BIN)/ruff format generator forms_api tests benchmarks
	$(BIN)/ruff check --fix generator forms_api tests benchmarks

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall when the declared dependencies change.
$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf site var .pytest_cache .ruff_cache .import_linter_cache
