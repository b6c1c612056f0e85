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

.PHONY: install demo test test-slow test-browser test-postgres test-all ui bench lint clean

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

test: install
	$(BIN)/python -m pytest

test-slow: install
	$(BIN)/python -m pytest -m slow

ui: install
	$(BIN)/mesh ui

bench: install
	$(BIN)/python -m benchmarks.run

lint: install
	$(BIN)/ruff check .
	$(BIN)/sqlfluff lint transforms/models

clean:
	rm -rf .mesh
