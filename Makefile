# Every command a developer needs. `make run` and `make test` are the two of the README.

SHELL := /bin/bash
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
RUN := $(UV) run --frozen

.PHONY: help install run test test-fast fuzz bench chaos lint format rebuild compose-check contracts demo token event-keys clean

help:  ## list the commands
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

.tools/bin/uv:
	@echo "installing uv $(UV_VERSION) into .tools/"
	@python3 -m venv .tools && .tools/bin/pip install -q "uv==$(UV_VERSION)"

.venv/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

install: .venv/.installed  ## install the locked dependencies into .venv

run: install  ## run every service on the embedded default (SQLite, in-process bus, in-memory views)
	$(RUN) python -m runtime

test: install  ## run the whole test suite against the local PostgreSQL, Redis and RabbitMQ
	$(RUN) pytest -q -p no:cacheprovider $(PYTEST_ARGS)

test-fast: install  ## unit tests only, no servers
	$(RUN) pytest -q tests/unit

fuzz: install  ## long fuzz run: schemathesis on every API, hypothesis on the deciders (FUZZ_EXAMPLES=1000)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-1000} $(RUN) pytest -q -p no:cacheprovider --timeout=0 tests/fuzz

bench: install  ## a simulated session on the real stack, raw limits beside it (PROPOSALS=10000); bench/results/latest.json
	$(RUN) python -m bench --proposals $${PROPOSALS:-10000}

chaos: install  ## fault injection during a simulated session, checked against the event store (QUICK=1: reduced run)
	$(RUN) python -m chaos $(if $(QUICK),--quick)

lint: install  ## ruff and strict mypy
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy

format: install  ## format and fix what ruff can
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

contracts: install  ## write the integration contract (JSON Schemas, AsyncAPI) to docs/integration/
	$(RUN) python -m runtime.contract

demo: install  ## drive two proposals from the seeds through the whole lifecycle over HTTP
	$(RUN) python -m tools.demo

token: install  ## a development token, e.g. make token ARGS="--role unit_staff --unit minzheng --name 孙雪斌"
	@$(RUN) python -m tools.tokens $(ARGS)

event-keys: install  ## event signing keys and their trust file in secrets/events/, e.g. make event-keys ARGS="new intake reply_shangwu"
	$(RUN) python -m runtime.event_keys $(ARGS)

rebuild: install  ## drop the read models and rebuild them from the event store (PROJECTION=name for one)
	$(RUN) python -m runtime.rebuild $(PROJECTION)

compose-check: install  ## validate docker-compose.yml against the Compose specification, no engine needed
	$(RUN) pytest -q tests/unit/test_docker_compose.py

clean:  ## remove the local event store and caches
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
