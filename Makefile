# kohub — `make up` runs the suite, `make test` runs every test. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV ?= uv
RUN := $(UV) run --frozen
PY_PACKAGES := libs/kohub-contracts libs/kohub-platform services/ticket services/host services/adapter-gateway services/integration services/gateway
ROLE ?= msp-operator
ORG ?=

.PHONY: help bootstrap up demo test test-unit test-contracts lint format token bench clean-test-leftovers

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  \033[1m%-22s\033[0m %s\n", $$1, $$2}'

.venv/.synced: uv.lock pyproject.toml $(addsuffix /pyproject.toml,$(PY_PACKAGES))
	@command -v $(UV) >/dev/null || { echo "==> installing uv" >&2; python3 -m pip install --quiet uv >&2; }
	@echo "==> installing Python packages (uv sync)" >&2
	@$(UV) sync --frozen --quiet >&2
	@touch $@

# npm packages, exactly as locked: the local identity provider and the console's htmx.
%/node_modules/.package-lock.json: %/package.json %/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 20.19+ and npm are needed ($*)" >&2; exit 1; }
	@echo "==> installing npm packages of $* (npm ci)" >&2
	@npm ci --prefix $* --no-audit --no-fund --loglevel=error >&2
	@touch $@

NPM_PACKAGES := tools/idp/node_modules/.package-lock.json services/gateway/node_modules/.package-lock.json

bootstrap: .venv/.synced $(NPM_PACKAGES) ## install the virtualenv and the Python and npm packages
	@mkdir -p .run

up: bootstrap ## run the suite locally: identity provider, services, console (databases and migrations on the way)
	@echo "==> checking PostgreSQL and RabbitMQ"
	@$(RUN) python scripts/check_infra.py
	@echo "==> databases and migrations"
	@$(RUN) python scripts/ensure_databases.py
	@echo "==> starting (Ctrl-C stops them): identity provider :8080, gateway :8000, ticket :8001, host :8002, adapter-gateway :8003, integration :8004, Termix stand-in :8090"
	@echo "    console: http://127.0.0.1:8000   |   API docs: http://127.0.0.1:8000/schema, :8001/schema …   |   KustHub events: http://127.0.0.1:8004/asyncapi.json"
	@echo "    terminal: db-prod-01 has a Termix terminal (the stand-in); upload scripts/demo/nginx-restart.cast on a ticket"
	@echo "    token for curl: make token ROLE=msp-operator   |   demo logins (username password role organization):"
	@node tools/idp/demo-users.mjs
	@$(RUN) honcho start -f Procfile

# The Compose Specification's schema for the deployment checks, from npm (see tests/deploy).
.run/compose-spec.json:
	@echo "==> fetching the Compose Specification schema (npm: dclint@3.1.0)" >&2
	@rm -rf .run/npm && mkdir -p .run/npm
	@cd .run/npm && npm pack --silent dclint@3.1.0 >/dev/null \
	  && tar xzf dclint-3.1.0.tgz package/schemas/compose.schema.json \
	  && cp package/schemas/compose.schema.json ../compose-spec.json
	@rm -rf .run/npm

test: bootstrap .run/compose-spec.json ## every test: unit, integration (real PostgreSQL + RabbitMQ), e2e, deployment checks
	@$(RUN) python scripts/run_tests.py $(PY_PACKAGES) tests/e2e tests/deploy tests/idp

test-unit: bootstrap ## only the tests that need no database or broker
	@$(RUN) python scripts/run_tests.py --unit $(PY_PACKAGES)

test-contracts: bootstrap ## the contract snapshot tests
	@$(RUN) pytest -q libs/kohub-contracts

lint: bootstrap ## ruff check and format check
	@$(RUN) ruff check .
	@$(RUN) ruff format --check .

format: bootstrap ## ruff fix and format
	@$(RUN) ruff check --fix .
	@$(RUN) ruff format .

demo: bootstrap ## seed the demo data again into the running suite (make up seeds it on its first run)
	@$(RUN) python scripts/demo.py

token: bootstrap ## print an access token from make up's identity provider: make token ROLE=customer ORG=acme
	@$(RUN) python scripts/idp_token.py --role $(ROLE) $(if $(ORG),--org $(ORG))

bench: bootstrap ## the benchmarks (100,000 tickets, 10,000 hosts, the alert ingest path, the KustHub bridge; print their figures)
	@command -v wrk >/dev/null || { echo "==> installing wrk (load generator)"; apt-get install -y -q wrk >/dev/null; }
	@cd bench && $(RUN) python ticket_bench.py
	@cd bench && $(RUN) python host_bench.py
	@cd bench && $(RUN) python ingest_bench.py
	@cd bench && $(RUN) python integration_bench.py
	@cd bench && $(RUN) python gateway_bench.py
	@cd bench && $(RUN) python terminal_bench.py

clean-test-leftovers: bootstrap ## drop databases and vhosts a killed test run left behind
	@$(RUN) python scripts/clean_test_leftovers.py
