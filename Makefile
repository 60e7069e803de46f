# chibo — two commands: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export CHIBO_VAR_DIR ?= $(CURDIR)/var

.PHONY: run test install install-test browser lint worker clean bench

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

# Debian's chromium drives the browser journeys (Playwright never downloads a browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

run: install
	@mkdir -p $(CHIBO_VAR_DIR)
	CHIBO_ENV=dev $(BIN)/chibo migrate --no-input -v 0
	CHIBO_ENV=dev $(BIN)/chibo demo --if-empty
	@CHIBO_ENV=dev $(BIN)/python -m chibo.devserver

test: install-test browser
	@bash scripts/test.sh

lint: install-test
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) var .pytest_cache
