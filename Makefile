# Caseway: `make run` serves the platform with a demo tenant; `make test` runs every test.
# Both set everything up on a fresh machine (Python 3.11+, make, a C compiler): a virtual
# environment with the locked dependencies, and embedded PostgreSQL and Redis under .data/
# unless DATABASE_URL / REDIS_URL point at real servers.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
DEV := $(PY) -m infra.dev
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))

.PHONY: run test lint typecheck pytest setup messages bench clean

run: setup
	$(DEV) run

test: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(DEV) exec -- sh -c '$(PY) -m mypy && $(PY) -m pytest $(PYTEST_ARGS)'

setup: $(VENV)/.synced $(MO_FILES)

$(VENV)/.synced: pyproject.toml uv.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(UV) || $(PY) -m pip install --quiet uv==$(UV_VERSION)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --inexact --quiet
	touch $@

# .po files are committed; .mo files are built here (Babel: no gettext needed).
locale/%.mo: locale/%.po $(VENV)/.synced
	$(PY) -m infra.compile_messages $< $@

messages: $(VENV)/.synced
	$(DEV) exec -- $(PY) -m infra.translations extract

lint: setup
	$(PY) -m ruff check . && $(PY) -m ruff format --check .
	$(DEV) exec -- $(PY) -m mypy

bench: setup
	for script in provisioning migrations routing ticketing sla sla_business_time api billing search_reports notifications csv_import; do \
		$(DEV) exec -- $(PY) bench/$$script.py || exit 1; \
	done

clean:
	rm -rf $(VENV) .data .pytest_cache .mypy_cache .ruff_cache
