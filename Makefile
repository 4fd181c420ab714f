# qa-monitor: `make run` sets up and runs the demo; `make test` runs the whole test suite.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint unit integration e2e openapi bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (qa-monitor needs Python 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip wheel
	$(BIN)/python -m pip install -q -e '.[dev,train]'
	$(BIN)/qa-monitor build-encoder
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/qa-monitor demo

lint: install
	$(BIN)/ruff check qa_monitor tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/deptry .

unit: install
	$(BIN)/pytest tests/unit -q -m "not integration"

test: install lint
	$(BIN)/pytest -q

openapi: install
	$(BIN)/python -m qa_monitor.service.openapi

bench: install
	PYTHONPATH=. $(BIN)/python benchmarks/score.py
	PYTHONPATH=. $(BIN)/python benchmarks/ingest.py
	PYTHONPATH=. $(BIN)/python benchmarks/webhook.py --duration 60

clean:
	rm -rf $(VENV) data/local .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
