# Two commands do all set-up on a fresh machine: `make run` and `make test` (both build the venv).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export AI_MARKET_DUCKDB ?= $(CURDIR)/data/ai_market.duckdb
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: env parse run test lint ui clean

env: $(VENV)/.installed

# The venv is rebuilt whenever the pins change; uv installs the exact versions of requirements.lock.
$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

# Dagster reads dbt's manifest at load time; parse so it always matches the models on disk.
parse: env
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir .

run: parse
	mkdir -p $(DAGSTER_HOME) data
	$(BIN)/dagster job execute -m orchestration.definitions -j refresh_warehouse
	@echo "Warehouse ready: $(AI_MARKET_DUCKDB) (query the marts schema)"

test: parse lint
	$(BIN)/pytest

lint: env
	$(BIN)/ruff check orchestration tests
	$(BIN)/ruff format --check orchestration tests
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/tests

ui: parse
	mkdir -p $(DAGSTER_HOME)
	@echo "Dagster UI: http://127.0.0.1:3000"
	$(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache
