# Two commands for a newcomer:  `make run` (web UI) and `make test` (the whole test suite).
# Both create .venv in the repo root and install the project into it first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: run chat test lint bench eval ingest browser-deps clean

$(STAMP): pyproject.toml
	@echo "Installing the project into $(VENV) (first time only; a few minutes)…"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# `make run HOST=… PORT=…` overrides these; the shell's own $HOST (zsh sets it) does not.
HOST := 127.0.0.1
PORT := 7860

run: $(STAMP)  ## start the web UI on http://$(HOST):$(PORT) (make run PORT=8080 HOST=0.0.0.0)
	$(BIN)/assistant serve --host $(HOST) --port $(PORT)

chat: $(STAMP)  ## chat in the terminal
	$(BIN)/assistant chat

ingest: $(STAMP)
	$(BIN)/assistant ingest

bench: $(STAMP)
	$(BIN)/assistant bench

eval: $(STAMP)
	$(BIN)/assistant eval

# Debian's chromium for the real-browser test (Playwright drives it; never `playwright install`).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

lint: $(STAMP)
	$(BIN)/ruff check assistant tests

# Tests run on one worker per core (at most 4: each holds its own embedding model and seeded
# store); a module's tests stay on one worker, so its servers, apps and indexes are built once.
test: $(STAMP) browser-deps  ## lint, then every test (unit, server, browser)
	$(BIN)/ruff check assistant tests
	$(BIN)/python -m pytest -q -n auto --maxprocesses 4 --dist loadfile

clean:  ## remove the venv and the index (keeps uploaded articles in vectorstore/uploads/)
	rm -rf $(VENV) .pytest_cache
	find vectorstore -mindepth 1 -maxdepth 1 ! -name uploads ! -name .gitkeep -exec rm -rf {} +
