# The two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(abspath $(VENV))/bin/python
MANAGE := $(PY) backend/manage.py
UV_VERSION := $(shell sed -n 's/^uv==\([0-9.]*\).*/\1/p' requirements-dev.lock)
HOST ?= 127.0.0.1
PORT ?= 8000
FRONTEND := frontend
FRONTEND_SOURCES := $(shell find $(FRONTEND)/src $(FRONTEND)/public -type f 2>/dev/null) \
	$(addprefix $(FRONTEND)/,index.html vite.config.ts tsconfig.json)
BACKEND_SOURCES := $(shell find backend -name '*.py' 2>/dev/null) pyproject.toml
# The checks that need no database (the web app's tests, the API schema) pass or fail with the
# sources alone: each leaves a stamp here, so a second `make test` of an unchanged tree (CI's
# PostgreSQL tier) does not repeat them.
PASSED := $(VENV)/.passed

.PHONY: help setup run test lint check pytest schema migrate seed frontend frontend-test api-types \
	fuzz audit cluster bench

help:
	@echo "make run    set up, migrate, load demo data and serve on http://$(HOST):$(PORT)"
	@echo "make test   set up and run every check and test"

$(VENV)/.synced: requirements-dev.lock
	@test -x $(PY) || python3 -m venv $(VENV)
	@test -x $(VENV)/bin/uv || $(VENV)/bin/pip install -q "uv==$(UV_VERSION)"
	$(VENV)/bin/uv pip sync -q --python $(PY) --require-hashes requirements-dev.lock
	@touch $@

setup: $(VENV)/.synced

migrate: setup
	DEBUG=$${DEBUG:-1} $(MANAGE) migrate --noinput

seed: migrate
	DEBUG=$${DEBUG:-1} $(MANAGE) seed_demo

# The web app: installed from package-lock.json, rebuilt only when its sources change.
$(FRONTEND)/node_modules/.installed: $(FRONTEND)/package.json $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --no-audit --no-fund
	@touch $@

$(FRONTEND)/dist/index.html: $(FRONTEND)/node_modules/.installed $(FRONTEND_SOURCES)
	cd $(FRONTEND) && npm run build
	@touch $@

frontend: $(FRONTEND)/dist/index.html

frontend-test: $(PASSED)/frontend-test

$(PASSED)/frontend-test: $(FRONTEND)/node_modules/.installed $(FRONTEND_SOURCES)
	cd $(FRONTEND) && npm run typecheck && npm test
	@mkdir -p $(@D) && touch $@

# After changing the API: regenerate the web app's TypeScript types from the OpenAPI schema.
api-types: setup $(FRONTEND)/node_modules/.installed
	cd $(FRONTEND) && npm run gen:api

# The web server, the task worker and the sweep scheduler together (Procfile); Ctrl-C stops all.
run: seed frontend
	DEBUG=$${DEBUG:-1} HOST=$(HOST) PATH="$(abspath $(VENV))/bin:$$PATH" \
		$(VENV)/bin/honcho start --procfile Procfile --port $(PORT)

# The production shape on this machine: nginx in front of two web processes, the worker and
# the scheduler, on the PostgreSQL and Redis that DATABASE_URL and REDIS_URL name.
cluster: setup frontend
	PYTHON=$(PY) deploy/local-cluster

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: setup $(PASSED)/api-schema
	DEBUG=1 $(MANAGE) check --fail-level WARNING
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run

# The schema is the code's contract, generated the same whatever DATABASE_URL says (integer
# ranges would otherwise follow the database backend), into a private folder. The web app may
# only use what the schema describes: its generated types must be current.
$(PASSED)/api-schema: $(VENV)/.synced $(FRONTEND)/node_modules/.installed $(BACKEND_SOURCES) \
		$(FRONTEND)/src/api/schema.d.ts
	@out=$$(mktemp -d) && trap 'rm -rf "$$out"' EXIT && \
		env -u DATABASE_URL DEBUG=1 $(MANAGE) spectacular --validate --fail-on-warn --file "$$out/openapi.yaml" && \
		$(FRONTEND)/node_modules/.bin/openapi-typescript "$$out/openapi.yaml" -o "$$out/schema.d.ts" >/dev/null && \
		{ diff -q $(FRONTEND)/src/api/schema.d.ts "$$out/schema.d.ts" >/dev/null || { \
			diff -u $(FRONTEND)/src/api/schema.d.ts "$$out/schema.d.ts" | head -40; \
			echo "frontend/src/api/schema.d.ts is out of date with the API: run 'make api-types'"; \
			exit 1; }; }
	@mkdir -p $(@D) && touch $@

# Two worker processes by default (`make test PYTEST_WORKERS=auto` for one per core); tests
# that share a session's servers or a module's state stay on one worker (tests/conftest.py).
PYTEST_WORKERS ?= 2
pytest: setup frontend
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS)

test: lint check frontend-test pytest

# API fuzzing at depth: 1,000 generated requests per operation (make test runs 50).
fuzz: setup
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-1000} $(VENV)/bin/pytest tests/security/seeded/test_fuzz.py -q

# Every benchmark on the local PostgreSQL and Redis (bench/README.md), e.g.
# `make bench BENCH_SCALES=10k,100k`; datasets missing from the server are generated first.
BENCH_SCALES ?= 10k,100k,1m
bench: setup
	$(PY) -m bench.run --scales $(BENCH_SCALES) $(BENCH_ARGS)

# Known vulnerabilities in the locked Python and npm dependencies (.ci/audit-allowlist.toml).
audit: setup
	$(PY) .ci/audit_dependencies.py
