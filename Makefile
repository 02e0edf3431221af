# Herald: the README's commands. Everything installs what it needs itself.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Lambda runs python3.12 on arm64 (docs/decisions.md); tests run on the same Python.
PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) $(shell command -v python3.12 2>/dev/null))
VENV := .venv
TOOLS := .venv-tools
PY := $(VENV)/bin/python
export SAM_CLI_TELEMETRY := 0
export AWS_DEFAULT_REGION ?= us-east-1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help dev console console-test browser-deps test-browser test test-unit test-integration test-contract test-e2e test-fuzz test-template lint bench build validate deploy openapi clean

help:
	@echo "make dev    - the local cloud: API and console on http://127.0.0.1:3000 (no AWS, no Docker)"
	@echo "make test   - install everything, then lint, unit, integration, contract, e2e and template checks"
	@echo "make bench  - cold-start and request-time ratios, measured in one run"
	@echo "make build  - the console, then sam build (arm64, python3.12, precompiled bytecode)"
	@echo "make console - build the web console (console/ -> functions/console/static/; Node.js 20+)"
	@echo "make deploy - sam build + sam deploy --guided"

$(VENV)/.installed: requirements-dev.txt layers/herald/pyproject.toml
	@test -n "$(PYTHON)" || { echo "python3.12 not found (set PYTHON=/path/to/python3.12)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

$(TOOLS)/.installed: requirements-tools.txt
	@test -n "$(PYTHON)" || { echo "python3.12 not found (set PYTHON=/path/to/python3.12)"; exit 1; }
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install -q --upgrade pip
	$(TOOLS)/bin/python -m pip install -q -r requirements-tools.txt
	touch $@

venv: $(VENV)/.installed
tools: $(TOOLS)/.installed

# The API runs without the console: a failed console build is a warning here (GET / answers 503).
dev: $(VENV)/.installed
	@$(MAKE) --no-print-directory console || echo "warning: the console was not built (see above); the API runs without it"
	$(PY) -m local

# The web console (console/, Vite + React) built into functions/console/static/, which the
# Console function serves. npm ci runs when the lock file changed or node_modules is gone (the
# stamp lives inside node_modules); the build when a source is newer than the built index.html.
CONSOLE_STAMP := console/node_modules/.herald-npm-ci
CONSOLE_INDEX := functions/console/static/index.html
CONSOLE_SOURCES = $(shell find console/src console/public -type f 2>/dev/null) \
	$(wildcard console/index.html console/vite.config.ts console/tsconfig*.json) console/package.json docs/openapi.json
NODE_CHECK = command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 \
	|| { echo "The console needs Node.js 20 or later and npm: https://nodejs.org (Debian/Ubuntu: apt-get install nodejs npm)"; exit 1; }; \
	node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
	|| { echo "The console needs Node.js 20 or later; this is node $$(node --version)"; exit 1; }

console: $(CONSOLE_INDEX)

$(CONSOLE_STAMP): console/package-lock.json console/package.json
	@$(NODE_CHECK)
	cd console && npm ci --no-audit --no-fund
	touch $@

$(CONSOLE_INDEX): $(CONSOLE_STAMP) $(CONSOLE_SOURCES)
	@$(NODE_CHECK)
	cd console && npm run build
	touch $@

test: $(VENV)/.installed $(TOOLS)/.installed lint console console-test browser-deps
	HERALD_TOOLS_BIN=$(CURDIR)/$(TOOLS)/bin $(PY) -m pytest -q tests

# The console's own logic (dates in a zone, counters, chart scales): vitest, no browser.
console-test: $(CONSOLE_STAMP)
	cd console && npm run --silent test:unit

# The browser tests drive Debian's chromium through playwright-core (no browser download):
# installed here with apt when missing (as root, as CI runs), else a clear message.
CHROMIUM ?= /usr/bin/chromium
browser-deps:
	@test -x $(CHROMIUM) && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; \
	else echo "The browser tests need chromium at $(CHROMIUM): apt-get install chromium (or set CHROMIUM=/path)"; exit 1; fi

# Screenshots land in artifacts/browser/.
test-browser: $(VENV)/.installed console browser-deps
	HERALD_CHROMIUM=$(CHROMIUM) $(PY) -m pytest -q tests/browser

test-unit: $(VENV)/.installed
	$(PY) -m pytest -q tests/unit

test-integration: $(VENV)/.installed
	$(PY) -m pytest -q tests/integration

test-contract: $(VENV)/.installed
	$(PY) -m pytest -q tests/contract

test-e2e: $(VENV)/.installed
	$(PY) -m pytest -q tests/e2e

# More examples per operation than `make test` runs: HERALD_FUZZ_EXAMPLES=500 make test-fuzz
test-fuzz: $(VENV)/.installed
	$(PY) -m pytest -q tests/fuzz

test-template: $(VENV)/.installed $(TOOLS)/.installed
	HERALD_TOOLS_BIN=$(CURDIR)/$(TOOLS)/bin $(PY) -m pytest -q tests/template

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check layers functions local tests bench

bench: $(VENV)/.installed
	$(PY) -m bench

openapi: $(VENV)/.installed
	$(PY) -m herald.api.openapi > docs/openapi.json

build: $(TOOLS)/.installed console
	PATH=$(dir $(PYTHON)):$$PATH $(TOOLS)/bin/sam build

validate: $(TOOLS)/.installed
	$(TOOLS)/bin/sam validate --lint

deploy: build
	$(TOOLS)/bin/sam deploy --guided

clean:
	rm -rf .aws-sam .pytest_cache .ruff_cache
