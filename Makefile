# One entry point per job. Every target sets up the locked environment itself (uv + uv.lock).
.PHONY: setup setup-notebook demo test test-all lint bench clean

UV := $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
PY := .venv/bin/python

$(UV):
	python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

setup: $(UV)
	$(UV) sync --frozen --extra dev

setup-notebook: $(UV)
	$(UV) sync --frozen --extra dev --extra notebook

## demo: sync the local Aha! emulator (or CONFIG=secrets/config.json) into DuckDB with PyAirbyte
demo: setup-notebook
	$(PY) -m examples.demo $(if $(CONFIG),--config $(CONFIG),)

## test: lint, type-check and every test except the slow ones
test: setup-notebook lint
	$(PY) -m pytest -m "not slow" -p no:cacheprovider

## test-all: everything, the slow long-run tests included
test-all: setup-notebook lint
	$(PY) -m pytest -p no:cacheprovider

lint: setup
	.venv/bin/ruff check source_aha unit_tests integration_tests examples
	.venv/bin/ruff format --check source_aha unit_tests integration_tests examples
	.venv/bin/mypy source_aha

bench: setup
	$(PY) -m integration_tests.bench

clean:
	rm -rf .venv dist build .pytest_cache .mypy_cache .ruff_cache
