# Loket: `make run` starts the whole stack, `make test` runs every test, `make chat` talks to
# the running bot. Each installs what is missing first (uv, both Python environments, the
# database schema, a trained Rasa model) and skips what is already there.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help run test lint audit test-service test-assistant test-actions chat train db nlu-eval bench clean

# uv downloads Python on a normal machine; where pyenv already holds the versions we use them.
PYENV_ROOT ?= $(HOME)/.pyenv
PY_SERVICE ?= $(or $(lastword $(sort $(wildcard $(PYENV_ROOT)/versions/3.12.*/bin/python3.12))),3.12)
PY_ASSISTANT ?= $(or $(lastword $(sort $(wildcard $(PYENV_ROOT)/versions/3.10.*/bin/python3.10))),3.10)
UV_VERSION := 0.13.9
UV := .tools/bin/uv
SERVICE := .venv/.synced
ASSISTANT := bot/.venv/.synced
RASA := bot/.venv/bin/rasa
LOKET := .venv/bin/loket
ORG_FILE ?= org/de-delta.yaml
CATALOGUE := data/nlu/catalogue.yml
MODEL := models/loket.tar.gz
DEV_ENV := var/loket.env
ROUTER_MODEL := var/models/router/CURRENT
# Browser tests drive Debian's chromium (Playwright never downloads a browser here).
CHROMIUM := /usr/bin/chromium
# Rasa would otherwise try to reach its telemetry service (nothing leaves this machine).
export RASA_TELEMETRY_ENABLED := false
RASA_DATA := $(shell find data -name '*.yml' -not -path $(CATALOGUE) 2>/dev/null) $(CATALOGUE)

# apt-get install of Debian package $(1), never waiting on a password prompt: as root, else
# through `sudo -n`; without either it stops and names the package. A fresh machine's package
# lists can be empty or stale, so a failed install is tried once more after `apt-get update`.
define apt_install
if ! command -v apt-get >/dev/null; then echo "!! Debian's '$(1)' package is needed and this" \
	"machine has no apt-get: install $(1) with its package manager, then make again" >&2; exit 1; \
elif [ "$$(id -u)" = 0 ]; then sudo=; \
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
else echo "!! Debian's '$(1)' package is missing and installing it needs root: run" \
	"'sudo apt-get install $(1)' (or ask an administrator), then make again" >&2; exit 1; fi; \
export DEBIAN_FRONTEND=noninteractive; \
$$sudo apt-get install -y --no-install-recommends $(1) \
	|| { $$sudo apt-get update && $$sudo apt-get install -y --no-install-recommends $(1); }
endef

help:
	@echo "make run    start the whole stack (installs what is missing)"
	@echo "make test   run every test (installs what is missing)"
	@echo "make lint   ruff over all the Python, mypy over router/, actions/ and bot/"
	@echo "make audit  known advisories of both environments' locked versions (a report, see SECURITY.md)"
	@echo "make chat   chat with the running bot in this terminal"
	@echo "make nlu-eval / make bench   NLU figures on the held-out file / all benchmarks"

$(UV):
	@echo ">> Installing uv $(UV_VERSION) into .tools/"
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(SERVICE): pyproject.toml uv.lock | $(UV)
	@echo ">> Service environment (.venv, Python $(notdir $(PY_SERVICE)))"
	$(UV) sync --locked --python $(PY_SERVICE)
	@touch $@

$(ASSISTANT): bot/pyproject.toml bot/uv.lock | $(UV)
	@echo ">> Assistant environment (bot/.venv, Python $(notdir $(PY_ASSISTANT)), Rasa 3.6)"
	$(UV) sync --locked --project bot --python $(PY_ASSISTANT)
	@touch $@

# Rewritten only when its content changes, so that an unchanged catalogue never retrains.
$(CATALOGUE): $(ORG_FILE) | $(SERVICE)
	$(LOKET) org nlu $(ORG_FILE) --out $@

$(MODEL): bot/config.yml bot/domain.yml $(wildcard bot/components/*.py) $(RASA_DATA) | $(ASSISTANT)
	@echo ">> Training the Rasa model (about two minutes; make skips it while its inputs are unchanged)"
	$(RASA) train --config bot/config.yml --domain bot/domain.yml --data data \
		--out models --fixed-model-name loket
	@touch $@

# Development secrets, readable by the owner only (umask 077, then chmod 600 for an old file).
$(DEV_ENV): Makefile
	@mkdir -p $(dir $@)
	@echo ">> Writing $@ with fresh random tokens (development only, never committed, mode 0600)"
	@umask 077; printf '%s\n' \
		"LOKET_SERVICE_TOKEN=$$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')" \
		"LOKET_ASSISTANT_TOKEN=$$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')" \
		"LOKET_ACTION_TOKEN=$$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')" \
		"LOKET_RASA_TOKEN=$$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')" \
		"LOKET_SECRET_KEY=$$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')" \
		"LOKET_COOKIE_SECURE=false" \
		"LOKET_TRUST_REST_EMAIL=true" \
		"LOKET_ROUTER_URL=http://127.0.0.1:8080" \
		"ACTION_ENDPOINT_URL=http://127.0.0.1:5055/webhook" \
		"LOKET_TELEGRAM_TOKEN=" "LOKET_TELEGRAM_SECRET=" "LOKET_TELEGRAM_MODE=polling" \
		"LOKET_TELEGRAM_API_URL=" "LOKET_TELEGRAM_WEBHOOK_URL=" \
		"LOKET_TEAMS_APP_ID=" "LOKET_TEAMS_APP_PASSWORD=" > $@.tmp
	@chmod 600 $@.tmp && mv $@.tmp $@

db: $(SERVICE) $(DEV_ENV)
	$(LOKET) db upgrade

train: $(MODEL)

# The router's day-one model, from the organisation file, the NLU examples and data/tickets.
$(ROUTER_MODEL): | $(SERVICE) $(CATALOGUE)
	$(LOKET) router train

run: $(SERVICE) $(ASSISTANT) $(MODEL) $(DEV_ENV) db $(ROUTER_MODEL)
	@echo ">> Starting router service, action server and Rasa (Ctrl-C stops them all)"
	.venv/bin/honcho start -f Procfile -e $(DEV_ENV)

chat: $(ASSISTANT)
	bot/.venv/bin/python bot/chat.py $(if $(CHAT_EMAIL),--email $(CHAT_EMAIL))

# The three parts run inside scripts/test_services.py, which hands them a PostgreSQL and a Redis
# through LOKET_TEST_POSTGRES_URL / LOKET_TEST_REDIS_URL: the given ones, the running ones, or
# throwaway servers that it starts for the run and stops after.
TEST_SERVERS := .venv/bin/python scripts/test_services.py
# pytest-xdist workers for the service suite (its tests wait on servers and databases a lot).
# The end-to-end tests run after it, in one process: they share one started stack per module
# (xdist's grouping of tests does not work with pytest 9, so they are not spread).
TEST_WORKERS ?= auto
test: $(SERVICE) $(ASSISTANT) $(MODEL) $(CATALOGUE) $(CHROMIUM)
	$(TEST_SERVERS) $(MAKE) --no-print-directory test-service test-assistant test-actions

# ruff from the service env, with the Python version of each file's environment (pyproject.toml:
# per-file-target-version); mypy in each environment, so that it sees that environment's Python
# and libraries (Rasa only imports in bot/.venv). One config for both: [tool.mypy] in pyproject.toml.
lint: $(SERVICE) $(ASSISTANT)
	.venv/bin/ruff check router actions bot tests bench scripts packages
	.venv/bin/lint-imports
	bot/.venv/bin/mypy --config-file pyproject.toml actions bot
	.venv/bin/mypy --config-file pyproject.toml router

# pip-audit over both environments' locked versions (uv export of uv.lock and bot/uv.lock): a
# report for CI, never a gate, since advisories change daily; SECURITY.md explains the known
# findings. pip-audit answers "no known vulnerabilities" even when it could look nothing up
# (no advisory service reachable), so the packages it skipped are counted and named as such.
AUDIT_DIR := var/audit
audit: $(SERVICE) | $(UV)
	@mkdir -p $(AUDIT_DIR)
	@$(UV) export --quiet --frozen --no-hashes --no-emit-project -o $(AUDIT_DIR)/service.txt
	@$(UV) export --quiet --frozen --no-hashes --no-emit-project --project bot \
		-o $(AUDIT_DIR)/assistant.txt
	@for env in service assistant; do \
		req=$(AUDIT_DIR)/$$env.txt; out=$(AUDIT_DIR)/$$env.out; \
		echo ">> pip-audit: the $$env environment ($$(grep -c '==' $$req) locked packages, $$req)"; \
		if [ ! -x .venv/bin/pip-audit ]; then \
			echo "!! pip-audit is not installed in .venv (dev group): no audit"; break; fi; \
		.venv/bin/pip-audit --disable-pip --no-deps --progress-spinner off -r $$req \
			>$$out 2>$(AUDIT_DIR)/$$env.err; rc=$$?; \
		grep -v 'could not be audited' $$out; grep -v '^WARNING' $(AUDIT_DIR)/$$env.err | tail -n 3; \
		skipped=$$(grep -c 'could not be audited' $$out); \
		if [ "$$skipped" -gt 0 ]; then echo "!! $$skipped packages could not be audited: the" \
			"advisory service (PyPI's JSON API) did not answer from here; their list is in $$out." \
			"Run make audit where pypi.org is reachable before trusting 'no known vulnerabilities'."; \
		elif [ $$rc -ne 0 ] && ! grep -q 'Found' $(AUDIT_DIR)/$$env.err; then \
			echo "!! pip-audit failed (exit $$rc); see $(AUDIT_DIR)/$$env.err"; fi; \
	done; echo ">> make audit is a report: it never fails the build"

$(CHROMIUM):
	@echo ">> Installing Debian's chromium for the browser tests"
	@$(call apt_install,chromium)

test-service: $(SERVICE) $(ASSISTANT) $(MODEL) $(CHROMIUM)
	$(TEST_SERVERS) .venv/bin/pytest -n $(TEST_WORKERS) -m "not e2e"
	$(TEST_SERVERS) .venv/bin/pytest -m e2e

test-assistant: $(ASSISTANT) $(MODEL)
	$(RASA) data validate --config bot/config.yml --domain bot/domain.yml --data data --fail-on-warnings
	$(RASA) test core --model $(MODEL) --stories tests/bot --fail-on-prediction-errors --out var/results

test-actions: $(ASSISTANT) $(SERVICE) $(CATALOGUE)
	bot/.venv/bin/pytest -c bot/pytest.ini --rootdir .

# Intent and application-entity figures on the held-out file bot/eval/heldout_nlu.yml.
nlu-eval: $(ASSISTANT) $(CATALOGUE)
	bot/.venv/bin/python -m bot.nlu_eval

# The HTTP benches (/api/route; /api/tickets and /api/route on SQLite and PostgreSQL) drive the
# service with wrk (C), which leaves the cores to the service.
WRK := /usr/bin/wrk
$(WRK):
	@echo ">> Installing Debian's wrk for the HTTP benchmark"
	@$(call apt_install,wrk)

bench: $(SERVICE) $(ASSISTANT) $(MODEL) $(WRK)
	.venv/bin/python bench/routing_nl.py
	.venv/bin/python bench/route_api.py
	.venv/bin/python bench/api_load.py
	.venv/bin/python bench/router_eval.py
	.venv/bin/python -m bench.bot_turns

clean:
	rm -rf .venv bot/.venv .tools models var $(CATALOGUE)
