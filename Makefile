# One entry point per job. Every target sets up the locked environment itself (uv + uv.lock).
.PHONY: setup demo test test-all lint bench verify-live clean

UV := python3 -m uv
PY := .venv/bin/python
# The tests run on pytest-xdist workers, one per CPU core (`auto`; WORKERS=N to choose). They are
# CPU-bound (connector subprocesses against in-process emulators): on 2 CPUs, 2 workers beat 3 and
# 4, which spent more CPU time on the same tests. `worksteal` evens out the long tests; not
# `loadgroup`, which does not group on pytest 9.2 (pytest-xdist issue #1386).
WORKERS ?= auto
XDIST := -n $(WORKERS) --dist worksteal

# One environment for everything (uv sync is exact: a narrower sync would uninstall the rest).
# --compile-bytecode writes every package's .pyc once (about 20 s; 1 s when nothing changed):
# where PYTHONDONTWRITEBYTECODE is set (as on the machines this project is tested on), Python would
# otherwise compile the CDK again in every process: about a second of each connector start.
setup:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv \
		|| python3 -m pip install --quiet --user uv
	$(UV) sync --frozen --compile-bytecode --extra dev --extra notebook

## demo: sync the local Aha! emulator (or CONFIG=secrets/config.json) into DuckDB with PyAirbyte
demo: setup
	$(PY) -m examples.demo $(if $(CONFIG),--config $(CONFIG),)

## test: the quick loop: lint, type-check, every unit test and the end-to-end smoke tests
test: setup lint
	$(PY) -m pytest -p no:cacheprovider -q $(XDIST) unit_tests
	$(PY) -m pytest -p no:cacheprovider -q $(XDIST) -m smoke integration_tests

## test-all: everything, the slow long-run tests included
test-all: setup lint
	$(PY) -m pytest -p no:cacheprovider $(XDIST) --durations=25

lint: setup
	.venv/bin/ruff check components.py source_aha aha_emulator testkit unit_tests integration_tests examples verify_live
	.venv/bin/ruff format --check components.py source_aha aha_emulator testkit unit_tests integration_tests examples verify_live
	.venv/bin/mypy components.py source_aha
	.venv/bin/mypy aha_emulator testkit verify_live

## verify-live: check the assumptions on a sandbox account (docs/verify-live.md); writes only with
## ALLOW_WRITES=1, a 429 burst only with BURST=N, the test idea's product with PRODUCT=ID
verify-live: setup
	$(PY) -m verify_live --config $(or $(CONFIG),secrets/config.json) \
		$(if $(ALLOW_WRITES),--allow-writes,) $(if $(BURST),--burst $(BURST),) \
		$(if $(PRODUCT),--product $(PRODUCT),)

bench: setup
	$(PY) -m integration_tests.bench

clean:
	rm -rf .venv dist build .pytest_cache .mypy_cache .ruff_cache
