# Fernway data platform. `make` (or `make help`) lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.SHELLFLAGS := -eu -o pipefail -c

ROOT := $(CURDIR)
LOCATIONS := analytics weather ml growth couriers
PROJECTS := $(addprefix projects/,$(LOCATIONS))
PY_ENVS := libs/fernway-core libs/fernway-devtools sandbox $(PROJECTS) .
# Test suites, longest first (the platform tests, then the locations), so the last to start are
# short: TEST_JOBS run at once.
TEST_SUITES := . $(PROJECTS) sandbox libs/fernway-core libs/fernway-devtools
export TEST_JOBS ?= 2
# TEST_ORDER=reverse runs the suites the other way round (they must pass in any order)
TEST_ORDER ?=
DBT_PROJECTS := $(patsubst %/dbt_project.yml,%,$(wildcard projects/*/dbt/*/dbt_project.yml))
PORT ?= 3000
HOST ?= 127.0.0.1
# Demo and bench knobs have their defaults in the code that uses them (the sandbox's config and
# the settings); the Makefile only passes on what you set: make demo SCALE=20000 DAYS=30
DEMO_ARGS := $(if $(SCALE),--scale $(SCALE)) $(if $(DAYS),--days $(DAYS)) $(if $(SEED),--seed $(SEED)) \
	$(if $(WEATHER_CALLS_PER_MINUTE),--weather-calls-per-minute $(WEATHER_CALLS_PER_MINUTE))
BENCH_ARGS := $(if $(BENCH_SCALE),--scale $(BENCH_SCALE)) $(if $(TRANSFORM_SCALE),--transform-scale $(TRANSFORM_SCALE))

export UV_PYTHON_DOWNLOADS := never
# Python caches the modules it compiles in the venvs (__pycache__), as it does by default: where the
# environment turns that off (PYTHONDONTWRITEBYTECODE), every process (dbt, run workers, code
# servers, tests) would compile Dagster's and dbt's sources again on each start.
unexport PYTHONDONTWRITEBYTECODE
export DAGSTER_HOME ?= $(ROOT)/.dagster
UV := $(or $(shell command -v uv 2>/dev/null),$(ROOT)/.tools/bin/uv)
PY := $(ROOT)/.venv/bin/python

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  \033[1m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo "  Variables: SCALE= DAYS= SEED= WEATHER_CALLS_PER_MINUTE= (demo), BENCH_SCALE= TRANSFORM_SCALE= (bench), TEST_JOBS=$(TEST_JOBS) TEST_ORDER=reverse (test), HOST=$(HOST) PORT=$(PORT)"

$(ROOT)/.tools/bin/uv:
	@echo "uv not found: installing it into .tools/ (python3 -m venv + pip)"
	python3 -m venv $(ROOT)/.tools && $(ROOT)/.tools/bin/pip install --quiet uv

.env:
	cp .env.example .env

setup: $(UV) .env ## Install every environment, prepare dbt projects, render the instance (seconds when nothing changed)
	@for d in $(PY_ENVS); do echo "uv sync $$d"; (cd $$d && $(UV) sync --locked --quiet) || exit 1; done
	@$(PY) -m fernway_devtools.dbt_projects
	@$(PY) -m fernway_devtools.java
	@$(PY) -m fernway_devtools.instance
	@$(PY) -m fernway_devtools.warm $(addprefix --location ,$(LOCATIONS))

sandbox: setup ## Run the local stand-ins for every external system (foreground)
	$(PY) -m fernway_devtools.sandbox $(DEMO_ARGS)

demo: setup ## Start the sandbox, materialize every asset of every location, print a summary
	$(PY) -m fernway_devtools.demo $(DEMO_ARGS) $(addprefix --location ,$(LOCATIONS))

dev: setup ## Open the Dagster UI and daemon over all locations on $(HOST):$(PORT)
	cd $(ROOT) && $(PY) -m fernway_devtools.dev -h $(HOST) -p $(PORT)

test: setup ## Run every test suite, TEST_JOBS at a time (what CI runs)
	@$(PY) -m fernway_devtools.suites $(if $(filter reverse,$(TEST_ORDER)),--reverse) $(TEST_SUITES)

freshness-hour: setup ## growth: an hour of simulated freshness ticks with real runs (~25 min)
	cd projects/growth && .venv/bin/pytest -q -p no:cacheprovider -m long -s tests/defs/freshness/test_simulated_hour.py

freshness-live: setup ## growth: dagster-daemon keeps the 5-minute target for 15 minutes (~25 min)
	cd projects/growth && .venv/bin/python scripts/freshness_live.py --minutes 15

bench: setup ## Measure the figures into bench/results.json (BENCH_SCALE=1000000 TRANSFORM_SCALE=10000000)
	$(PY) bench/run.py $(BENCH_ARGS)

# sqlfluff $(1) over models/ and tests/ of every dbt project, with the location's own sqlfluff, from
# the project's directory (the dbt templater's project dir); style in the root .sqlfluff.
define sqlfluff_each
	@for d in $(DBT_PROJECTS); do venv=$$(echo $$d | cut -d/ -f1-2)/.venv; \
		paths=$$(for p in models tests; do [ ! -d $$d/$$p ] || echo $$p; done); \
		echo "sqlfluff $(1) $$d:" $$paths; scratch=$$(mktemp -d); \
		(cd $$d && FERNWAY_DUCKDB_PATH=$$scratch/lint.duckdb $(ROOT)/$$venv/bin/sqlfluff $(1) $$paths) \
		|| exit 1; rm -rf $$scratch; done
endef

lint: setup ## ruff (lint + format check), sqlfluff on every dbt project, mypy on every package
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	$(call sqlfluff_each,lint)
	@echo "mypy on $(words $(filter-out .,$(PY_ENVS))) packages, two at a time (mypy uses one core)"
	@printf '%s\n' $(filter-out .,$(PY_ENVS)) | xargs -P 2 -I{} sh -c 'cd {} && \
		out=$$(.venv/bin/mypy --config-file $(ROOT)/mypy.ini src 2>&1); code=$$?; \
		if [ $$code -eq 0 ]; then echo "mypy {}/src: $$(echo "$$out" | tail -1)"; \
		else printf "mypy {}/src FAILED:\n%s\n" "$$out"; exit 1; fi' \
		|| { echo "mypy failed (see above)"; exit 1; }

fix: setup ## Apply ruff and sqlfluff fixes
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .
	$(call sqlfluff_each,fix)

workers: setup ## Celery workers for the celery executor until Ctrl-C (N=2 LOCATION=analytics)
	$(PY) -m fernway_devtools.workers -n $(or $(N),2) --location $(or $(LOCATION),analytics)

branch: ## Branch deployment NAME=x: own instance and warehouse copy; builds only the dbt models changed vs production
	@test -n "$(NAME)" || { echo "usage: make branch NAME=<name>"; exit 1; }
	$(PY) -m fernway_devtools.branch up $(NAME)

branch-drop: ## Remove branch NAME=x: its warehouse copy, instance and saved production state
	@test -n "$(NAME)" || { echo "usage: make branch-drop NAME=<name>"; exit 1; }
	$(PY) -m fernway_devtools.branch drop $(NAME)

.PHONY: help setup sandbox demo dev test bench lint fix freshness-hour freshness-live workers branch branch-drop
