# The commands people type. Everything runs inside the workspace venv (.venv) built from the
# committed, hash-pinned requirements.lock.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
export UV_PYTHON ?= python3.11

DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/taskboard
export DATABASE_URL

SERVICES := accounts-service projects-service
MEMBERS := contracts accounts-service projects-service gateway tests-e2e testing
TEST_SUITES := contracts accounts-service projects-service gateway

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-20s %s\n", $$1, $$2}'

$(VENV):
	uv venv --quiet $(VENV)

.PHONY: install
install: $(VENV) ## install the whole workspace from requirements.lock (no resolving)
	VIRTUAL_ENV=$(abspath $(VENV)) uv pip sync --quiet --require-hashes requirements.lock
	VIRTUAL_ENV=$(abspath $(VENV)) uv pip install --quiet --no-deps $(foreach m,$(MEMBERS),-e ./$(m))

.PHONY: lock
lock: ## re-resolve to the newest allowed versions and refresh every committed export
	uv lock --upgrade
	$(MAKE) export

.PHONY: export
export: ## write the hash-pinned exports from uv.lock (names no package host)
	uv export --quiet --frozen --all-packages --no-emit-workspace -o requirements.lock
	uv export --quiet --frozen --package accounts --no-dev --no-emit-workspace -o accounts-service/requirements.lock
	uv export --quiet --frozen --package projects --no-dev --no-emit-workspace -o projects-service/requirements.lock
	uv export --quiet --frozen --package gateway --no-dev --no-emit-workspace -o gateway/requirements.lock

.PHONY: lint
lint: ## ruff (lint + format check), mypy (strict) and the dependency rule (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

.PHONY: format
format: ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

.PHONY: test
test: ## every test layer that exists: unit, integration (real PostgreSQL/RabbitMQ), contract
	@status=0; for suite in $(TEST_SUITES); do \
	  [ -d $$suite/tests ] || continue; \
	  echo "== $$suite"; \
	  (cd $$suite && ../$(BIN)/pytest -q tests); rc=$$?; \
	  if [ $$rc -ne 0 ] && [ $$rc -ne 5 ]; then status=1; fi; \
	done; exit $$status

.PHONY: test-unit
test-unit: ## only the fast in-memory tests
	@for suite in $(TEST_SUITES); do [ -d $$suite/tests ] || continue; (cd $$suite && ../$(BIN)/pytest -q -m "not integration" tests) || [ $$? -eq 5 ] || exit 1; done

.PHONY: contracts-snapshots
contracts-snapshots: ## rewrite the events' JSON Schema snapshots (refuses incompatible changes)
	$(PY) -m contracts.snapshots write

.PHONY: asyncapi
asyncapi: ## rewrite the AsyncAPI document of every event (contracts/src/contracts/asyncapi.json)
	$(PY) -m contracts.asyncapi write

.PHONY: dev-keys
dev-keys: ## generate the git-ignored development signing key for accounts-service
	@$(BIN)/accounts-dev-key $(JWT_PRIVATE_KEY_FILE)

.PHONY: db
db: ## create the development database if it does not exist
	@$(PY) scripts/ensure_database.py "$(DATABASE_URL)"

.PHONY: migrate
migrate: preflight db ## apply every service's migrations to DATABASE_URL and declare its RabbitMQ queues
	@for svc in $(SERVICES); do \
	  if [ -f $$svc/alembic.ini ]; then echo "== $$svc"; (cd $$svc && ../$(BIN)/alembic upgrade head) || exit 1; fi; \
	done
	$(BIN)/accounts-worker --declare-topology
	$(BIN)/projects-worker --declare-topology

JWT_PRIVATE_KEY_FILE ?= $(abspath .secrets/jwt-dev-private.pem)
export JWT_PRIVATE_KEY_FILE

.PHONY: preflight
preflight:
	@$(PY) scripts/check_services.py

.PHONY: run
run: preflight migrate dev-keys ## the whole stack in the foreground: gateway :8000, accounts :8001, projects :8002 (Ctrl-C stops it)
	$(BIN)/honcho start -f Procfile

.PHONY: seed
seed: ## create the original's demo data through the gateway (GATEWAY_URL; --users N via SEED_ARGS)
	$(BIN)/taskboard-seed $(SEED_ARGS)
