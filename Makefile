# Mercato — the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck contracts pytest browser install clean bench bench-smoke wrk

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Serve the demo marketplace at http://127.0.0.1:8000 (embedded mode: SQLite under ./var/).
run: $(STAMP)
	$(BIN)/mercato db upgrade
	$(BIN)/mercato demo seed
	@echo ""
	@echo "  Mercato:   http://127.0.0.1:8000     API: http://127.0.0.1:8000/api/v1     Docs: http://127.0.0.1:8000/docs"
	@echo ""
	$(BIN)/mercato all --no-migrate

## Lint, type-check, layer contracts and the whole test suite.
test: lint typecheck contracts browser pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests migrations bench
	$(BIN)/ruff format --check src tests migrations bench

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

# Browser tests drive Debian's chromium; install it when missing (root on these machines).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## Benchmark in production mode (PostgreSQL + Redis on 127.0.0.1): writes bench/results/<date>.md,
## with py-spy profiles of the web workers per scenario.
bench: $(STAMP) wrk
	$(BIN)/python -m bench.run --profile

## The same pipeline on small data (1–3 minutes); fails on any error (for CI).
bench-smoke: $(STAMP) wrk
	$(BIN)/python -m bench.run --smoke

# The load generator is Debian's wrk; install it when missing (root on these machines).
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
		echo "Installing Debian's wrk for the benchmark"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

pytest: $(STAMP)
	$(BIN)/pytest

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
