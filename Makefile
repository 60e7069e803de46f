# chibo — two commands: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export CHIBO_VAR_DIR ?= $(CURDIR)/var
PORT ?= 8000

.PHONY: run test install install-test system browser axe proxy lint worker clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

APT_INSTALL = if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq

# PDF documents need Pango and fonts with Vietnamese glyphs (WeasyPrint); backups of PostgreSQL need pg_dump.
system:
	@missing=""; \
	  ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	  { command -v fc-list >/dev/null && fc-list | grep -qi -e dejavu -e liberation; } || missing="$$missing fontconfig fonts-dejavu-core fonts-liberation"; \
	  command -v pg_dump >/dev/null || missing="$$missing postgresql-client"; \
	  if [ -n "$$missing" ]; then echo "Installing Debian packages:$$missing"; $(APT_INSTALL) $$missing >/dev/null; fi

# Debian's chromium drives the browser journeys (Playwright never downloads a browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests…"; $(APT_INSTALL) chromium >/dev/null; }

# axe-core checks every page the browser journeys visit (tests/e2e/conftest.py). npm installs the version pinned in
# package-lock.json into node_modules/ with no install scripts; nothing is downloaded while the tests run.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "Installing Debian's npm for the accessibility checks…"; $(APT_INSTALL) npm >/dev/null; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

axe: node_modules/.installed

# Debian's nginx fronts gunicorn in the deployment test (tests/deploy/test_nginx.py runs deploy/ on loopback ports;
# the package's own service is not used), and systemd-analyze checks the units. gunicorn is a project dependency.
proxy:
	@missing=""; \
	  { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || missing="$$missing nginx"; \
	  command -v systemd-analyze >/dev/null 2>&1 || missing="$$missing systemd"; \
	  if [ -n "$$missing" ]; then echo "Installing Debian packages for the deployment test:$$missing"; \
	    $(APT_INSTALL) $$missing >/dev/null; fi

run: install system
	@mkdir -p $(CHIBO_VAR_DIR)
	CHIBO_ENV=dev $(BIN)/chibo migrate --no-input -v 0
	CHIBO_ENV=dev $(BIN)/chibo demo --if-empty
	@CHIBO_ENV=dev PORT=$(PORT) $(BIN)/python -m chibo.devserver

test: install-test system browser axe proxy
	@bash scripts/test.sh

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	PYTHONPATH=src CHIBO_ENV=test $(BIN)/mypy

# Benchmarks on a throw-away PostgreSQL database (BENCH_DATABASE_URL); writes bench/results.md. Not part of `make test`.
# Scale: BENCH_MEMBERS (default 5600000), BENCH_UNITS (60000), BENCH_IMPORT_ROWS (100000).
bench: install
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache node_modules
