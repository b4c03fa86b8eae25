# Habits of this repository. `make run` and `make test` are all a fresh machine needs.

VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
INSTALLED := $(VENV)/.installed
NODE_INSTALLED := node_modules/.installed

.PHONY: run test lint format validate schema build serve clean lock

run: $(INSTALLED)
	$(BIN)/ipps validate
	$(BIN)/ipps build
	$(BIN)/ipps serve --host 127.0.0.1 --port 8000

test: $(INSTALLED) $(NODE_INSTALLED)
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

# Reinstall when the declared or locked dependencies change. Every dependency comes from
# requirements.lock, pinned with its hashes (pip refuses anything else); the project itself is
# installed on top without build isolation, so its build needs nothing unpinned either.
$(INSTALLED): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# Node packages the tests run (package.json, locked in package-lock.json): the W3C validator.
$(NODE_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

# Refresh requirements.lock from pyproject.toml (needs the package index; review the diff).
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links --extra test --build-deps-for editable \
		--output-file requirements.lock pyproject.toml

clean:
	rm -rf site var node_modules .pytest_cache .ruff_cache .import_linter_cache
