# Two commands do all set-up on a fresh machine: `make run` and `make test` (both build the venv).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
# What the pipeline exports before each dbt command (orchestration/settings.py), so that `dbt parse`
# here sees the same profile and dbt's partial parsing stays valid.
export AI_MARKET_DBT_BUILD_PATH ?= $(CURDIR)/data/build/ai_market.duckdb
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: env parse run validate docs test test-live test-all bench lint ui versions rollback clean draft draft-eval

env: $(VENV)/.installed

# The venv is rebuilt whenever the pins change; uv installs the exact versions of requirements.lock.
$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

# Dagster reads dbt's manifest at load time; parse so it always matches the models on disk, but
# only when a file dbt reads changed since the manifest was written (a parse takes seconds).
DBT_INPUTS := $(shell find dbt_project/models dbt_project/macros dbt_project/tests dbt_project/seeds dbt_project/snapshots \
	-type f 2>/dev/null) dbt_project/dbt_project.yml dbt_project/profiles.yml $(wildcard dbt_project/packages.yml)
parse: dbt_project/target/manifest.json

dbt_project/target/manifest.json: $(DBT_INPUTS) $(VENV)/.installed
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir .
	touch $@

# The instance's settings (the one-writer pool) live in the repo; DAGSTER_HOME itself is generated.
# The pool's limit is also set explicitly: Dagster creates a default limit lazily, after the queue
# has already looked at the first runs, so two runs queued on a fresh instance could both start.
$(DAGSTER_HOME)/dagster.yaml: orchestration/dagster.yaml | env
	mkdir -p $(DAGSTER_HOME)
	cp $< $@
	$(BIN)/dagster instance concurrency set ai_market_warehouse 1

# The sources are checked first, as `make validate` does: a bad file or a claim off its expected
# status stops here, printed once, before any run.
run: parse $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/ai-market-ledger validate --quiet
	$(BIN)/ai-market-ledger refresh

# Every ingest rule and the claim audit on the source files, without a run (about a second).
# make validate DOC=<document id> checks one document's files and claims.
validate: env
	$(BIN)/ai-market-ledger validate $(if $(DOC),--document $(DOC))

# dbt's documentation site (data/docs/dbt/index.html) from the build database of the last run.
docs: parse $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster job execute -m orchestration.definitions -j build_docs
	@echo "dbt docs: data/docs/dbt/index.html; GX Data Docs: data/gx/data_docs/index.html; charts: data/report/index.html"

# The default tier: unit tests, the session's full run and what reads it, failed runs that stop
# early. The marked tiers (pyproject.toml) start real programs (live) or spend runs of their own
# (slow): `make test-live` runs them, .ci/run runs both targets.
DEFAULT_TIER := not live and not slow
test: parse lint
	$(BIN)/pytest -m "$(DEFAULT_TIER)"

test-live: parse
	$(BIN)/pytest -m "live or slow"

test-all: test test-live

# The benchmark (not part of `make test`): bare dbt build, the raw-SQL floor, the full pipeline, a
# no-op rerun and one added document, interleaved, per corpus size; writes benchmarks/results.json
# and the table of docs/performance.md. Smaller runs: make bench BENCH_SIZES=real,10k BENCH_REPEAT=1
# On Spark: make bench BENCH_ENGINE=spark BENCH_SIZES=1m,10m (results_spark.json, its own table).
# Some scenarios only: BENCH_SCENARIOS=bare_dbt_build,full_pipeline (default all).
BENCH_SIZES ?= real,100k,1m
BENCH_REPEAT ?= 3
BENCH_ENGINE ?= duckdb
BENCH_SCENARIOS ?= all
bench: parse
	$(BIN)/python -m benchmarks.bench --sizes $(BENCH_SIZES) --repeat $(BENCH_REPEAT) --engine $(BENCH_ENGINE) --scenarios $(BENCH_SCENARIOS) --doc

lint: env
	$(BIN)/ruff check orchestration tests benchmarks
	$(BIN)/ruff format --check orchestration tests benchmarks
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/tests

# Webserver and daemon (schedule, sensors, run queue, freshness) with the project-local DAGSTER_HOME.
ui: parse $(DAGSTER_HOME)/dagster.yaml
	@echo "Dagster UI: open http://127.0.0.1:3000 (DAGSTER_HOME=$(DAGSTER_HOME)); stop with Ctrl-C"
	$(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

versions: env
	$(BIN)/ai-market-ledger versions

rollback: env
	$(BIN)/ai-market-ledger rollback

# Draft a text's facts and exclusions for review: make draft DOC=<document id> (FORCE=1 to overwrite).
draft: env
	$(BIN)/ai-market-ledger draft sources/documents/$(DOC).txt $(if $(FORCE),--force)

# Draft the four seed documents blind and score the drafts against their curated files (docs/curation.md).
draft-eval: env
	$(BIN)/python -m orchestration.curation.evaluate

# A curator's page for one document: make review DOC=000_0abe4671bbdbf48d (writes data/review/<id>.html).
.PHONY: review
review: env
	$(BIN)/ai-market-ledger review $(DOC)

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache
