# One command per task. `make run` and `make test` set everything up on a fresh machine.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: install run test unit eval lint bench load ingest browser-deps db-deps clean

$(STAMP): requirements.lock pyproject.toml
	$(PY) -m venv $(VENV)
	# torch first, pinned: the CPU build from this machine's disk (a bare `torch` pulls CUDA)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	# the embedding model as an ONNX graph, once (run time needs no torch)
	$(BIN)/coop-assistant export-encoder
	touch $(STAMP)

install: $(STAMP)

ingest: install
	$(BIN)/coop-assistant ingest

# the web UI's port on 127.0.0.1 (`make run PORT=8011`)
PORT ?= 8000

run: install ingest
	$(BIN)/coop-assistant db upgrade
	env -u CI $(BIN)/chainlit run assistant/app.py --headless --host 127.0.0.1 --port $(PORT)

# Debian's chromium for the browser tests (Playwright drives it; it never downloads a browser)
browser-deps:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# Debian's PostgreSQL for the database tests (each test run starts a throwaway cluster on 127.0.0.1)
db-deps:
	@test -x /usr/lib/postgresql/15/bin/initdb || (apt-get update -qq && apt-get install -y -qq postgresql >/dev/null)

# the tests on every core (pytest-xdist): a test file runs on one worker, so a module's servers start once
unit: install db-deps
	$(BIN)/pytest -q -n auto --dist loadfile -m "not browser"

eval: install
	$(BIN)/coop-assistant eval

test: install browser-deps db-deps
	$(BIN)/pytest -q -n auto --dist loadfile
	$(BIN)/coop-assistant eval --show none

lint: install
	$(BIN)/ruff check assistant tests
	$(BIN)/mypy

bench: install
	$(BIN)/coop-assistant bench

# 50 concurrent chat sessions × 3 questions against a server it starts on 127.0.0.1 (SESSIONS=… QUESTIONS=…)
load: install
	$(BIN)/coop-assistant load --sessions $(or $(SESSIONS),50) --questions $(or $(QUESTIONS),3)

clean:
	rm -rf $(VENV) .data .pytest_cache
