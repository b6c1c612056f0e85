# supplymesh: `make demo` then `make test`. Every target installs what it needs first.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV := .venv
BIN := $(VENV)/bin
export MESH_HOME ?= $(CURDIR)/.mesh
export UV_COMPILE_BYTECODE := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
SCALE ?= small
SEED ?= 7

DOCS_PORT ?= 8080
# root installs system packages directly (CI, these machines); anyone else through sudo
APT_GET := $(if $(filter 0,$(shell id -u)),,sudo )env DEBIAN_FRONTEND=noninteractive apt-get
DBT_DOCS_ARGS := --project-dir transforms --profiles-dir transforms --target-path $(MESH_HOME)/dbt_target

.PHONY: install demo test test-slow test-chaos test-browser test-postgres test-spark test-celery test-all ui report docs bench bench-validation bench-forecast \
	lint clean chromium postgresql java redis

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen --compile-bytecode
	@touch $@

demo: install
	$(BIN)/mesh generate --scale $(SCALE) --seed $(SEED)
	$(BIN)/mesh materialize
	@$(BIN)/mesh products
	@echo
	@echo "The mesh is published under $(MESH_HOME). Next:"
	@echo "  make ui                                   # Dagster UI on http://127.0.0.1:3000"
	@echo "  $(BIN)/mesh query \"select * from planning.inventory_plan where order_due limit 10\""
	@echo "  $(BIN)/mesh query \"select lane_id, count(*) trucks, avg(weight_utilization) from planning.truck_loads group by 1\""
	@echo "  $(BIN)/python -c \"import duckdb; print(duckdb.connect('$(MESH_HOME)/mesh.duckdb', read_only=True).sql('show all tables'))\""

# the fast suite on every core; tests sharing the session's tiny world stay on one worker
test: install
	$(BIN)/python -m pytest -n auto --dist loadgroup

test-slow: install
	$(BIN)/python -m pytest -m slow

# SIGKILL trials of `mesh materialize` on a tiny world (tests/chaos): CHAOS_KILLS=50 for more,
# CHAOS_SEED to replay a sequence of kill moments. Prints a table of the trials.
CHAOS_KILLS ?= 20
test-chaos: install
	CHAOS_KILLS=$(CHAOS_KILLS) $(BIN)/python -m pytest -m chaos

# The Dagster UI in Debian's Chromium (Playwright cannot download its own browsers here).
# Screenshots land in artifacts/screenshots/.
test-browser: install chromium
	$(BIN)/python -m pytest -m browser

# The mesh with its Dagster instance on a real PostgreSQL server (started and stopped by the test).
test-postgres: install postgresql
	$(BIN)/python -m pytest -m postgres

# The dbt project on a local Spark (dbt-spark's session method, the `spark` extra) against the
# DuckDB build, and every published product read by Spark. Needs Java 17: Debian's JRE is
# installed where java is missing. Nothing is downloaded at run time (PySpark bundles its jars).
SPARK_JAVA_HOME ?= /usr/lib/jvm/java-17-openjdk-amd64
test-spark: install java
	$(UV) sync --frozen --compile-bytecode --extra spark
	JAVA_HOME=$(SPARK_JAVA_HOME) $(BIN)/python -m pytest -m spark -s

# The mesh job's steps on two Celery workers (`mesh worker`, the `celery` extra) with a real Redis
# broker, against an in-process run of the same world. The test starts Debian's redis-server
# (installed here where missing) on a free 127.0.0.1 port and the workers, and stops all by PID.
test-celery: install redis
	$(UV) sync --frozen --compile-bytecode --extra celery
	$(BIN)/python -m pytest -m celery -s

test-all: test test-slow test-chaos test-browser test-postgres test-spark test-celery

chromium:
	@command -v chromium >/dev/null || { $(APT_GET) update -qq && $(APT_GET) install -y -qq chromium; }

java:
	@test -x $(SPARK_JAVA_HOME)/bin/java || \
		{ $(APT_GET) update -qq && $(APT_GET) install -y -qq openjdk-17-jre-headless; }

redis:
	@command -v redis-server >/dev/null || { $(APT_GET) update -qq && $(APT_GET) install -y -qq redis-server; }

postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		{ $(APT_GET) update -qq && $(APT_GET) install -y -qq postgresql; }

ui: install
	$(BIN)/mesh ui

report: install
	$(BIN)/mesh report

# dbt docs of the transforms (needs a materialized mesh: `make demo`), served on 127.0.0.1.
# dbt's server does not reuse its port: for about a minute after Ctrl-C the port stays taken.
docs: install
	@$(BIN)/python -c "import socket; socket.socket().bind(('127.0.0.1', $(DOCS_PORT)))" 2>/dev/null || \
		{ echo "make docs: port $(DOCS_PORT) is in use (a docs server stopped less than a minute ago keeps it that long): wait a minute, or DOCS_PORT=8081 make docs" >&2; exit 1; }
	DBT_LOG_PATH=$(MESH_HOME)/dbt_target/logs $(BIN)/dbt docs generate $(DBT_DOCS_ARGS) --static --quiet
	@echo "dbt docs on http://127.0.0.1:$(DOCS_PORT) (Ctrl-C stops); offline copy: $(MESH_HOME)/dbt_target/static_index.html"
	DBT_LOG_PATH=$(MESH_HOME)/dbt_target/logs $(BIN)/dbt docs serve $(DBT_DOCS_ARGS) --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

# every target of issue 10 in one run, its table in $(MESH_HOME)/bench/targets.md (docs/benchmarks.md);
# the bench group adds polars (pandera's polars backend is the validation benchmark's yardstick)
BENCH_SCALES ?= small,medium,completejourney,large
bench: install
	$(UV) sync --frozen --compile-bytecode --group bench
	$(BIN)/python -m benchmarks.run --scales $(BENCH_SCALES) --seed $(SEED)

# the validation benchmark alone, on the medium world's sales.orders (generated once)
bench-validation: install
	$(UV) sync --frozen --compile-bytecode --group bench
	@test -d $(MESH_HOME)/bench/validation/landing/sales || \
		MESH_HOME=$(MESH_HOME)/bench/validation $(BIN)/mesh generate --scale medium --seed $(SEED)
	$(BIN)/python -m benchmarks.validation run $(MESH_HOME)/bench/validation

# the model against its statistical peers on every development dataset (M3, Tourism, Complete
# Journey, the generated small world): one Markdown table, datasets x methods; not part of
# `make test` (about half an hour on two shared cores). BENCH_FORECAST_ARGS="--series 50" for a look.
bench-forecast: install
	$(BIN)/python -m benchmarks.forecast_peers --out $(MESH_HOME)/bench/forecast_peers.md $(BENCH_FORECAST_ARGS)

BASE ?= origin/main
.PHONY: contracts-check
contracts-check: install  # the CI semver gate, locally: make contracts-check BASE=main
	$(BIN)/mesh contracts check --base $(BASE)

# ruff, SQL style (in both target dialects: DuckDB and Spark SQL), and the layers of
# docs/architecture.md (import-linter contracts in pyproject.toml)
lint: install
	$(BIN)/ruff check .
	$(BIN)/sqlfluff lint transforms/models
	$(BIN)/sqlfluff lint --dialect sparksql transforms/models
	$(BIN)/lint-imports

clean:
	rm -rf .mesh
