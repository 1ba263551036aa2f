# duan8 — two commands: `make run` (the app on SQLite with the demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DUAN8 := $(BIN)/duan8
VENDOR := duan8/static/vendor
# Local demo: plain HTTP on 127.0.0.1, a secret key kept under var/.
RUN_ENV = DUAN8_HTTPS=0 DUAN8_SECRET_KEY="$$(cat var/secret_key)"

.PHONY: run test install install-test install-bench assets messages lint bench bench-national bench-imports bench-api clean

run: install var/secret_key
	$(RUN_ENV) $(DUAN8) migrate --noinput
	$(RUN_ENV) $(DUAN8) collectstatic --noinput -v 0
	$(RUN_ENV) $(DUAN8) demo
	@echo "duan8 is starting at http://127.0.0.1:8000/ — sign in with a demo account above."
	$(RUN_ENV) $(DUAN8) serve --bind 127.0.0.1:8000

test: install-test
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(VENV)/.installed assets messages

install-test: install $(VENV)/.installed-test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test]"
	@touch $@

install-bench: $(VENV)/.installed-bench

$(VENV)/.installed-bench: $(VENV)/.installed-test pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test,bench]"
	@touch $@

# Front-end packages come from npm at set-up and are served by the app (no CDN).
assets: $(VENDOR)/.installed

$(VENDOR)/.installed: package.json package-lock.json Makefile
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/bootstrap $(VENDOR)/htmx $(VENDOR)/chartjs
	cp node_modules/bootstrap/dist/css/bootstrap.min.css* $(VENDOR)/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* $(VENDOR)/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/chart.js/dist/chart.umd.min.js* node_modules/chart.js/LICENSE.md $(VENDOR)/chartjs/
	@touch $@

messages: $(VENV)/.installed
	DUAN8_DEBUG=1 $(DUAN8) messages -v 0

var/secret_key:
	@mkdir -p var
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	@chmod 600 $@

lint: install-test
	$(BIN)/ruff check duan8 tests bench
	$(BIN)/ruff format --check duan8 tests bench

bench: install-test bench-national bench-imports
	DUAN8_DEBUG=1 $(BIN)/python bench/subtree.py
	DUAN8_DEBUG=1 $(BIN)/python bench/load_units.py

# National scale on SQLite and PostgreSQL (a fresh database, dropped after); writes
# bench/RESULTS.md. BENCH_ARGS="--scale 0.05 --databases sqlite" for a quick run.
bench-national: install-bench
	$(BIN)/python bench/national.py $(BENCH_ARGS)

# Imports and exports of 5.000 and 100.000 rows on both databases; its part of
# bench/RESULTS.md. IMPORTS_ARGS="--rows 2000 --databases sqlite" for a quick run.
bench-imports: install-test
	$(BIN)/python bench/imports.py $(IMPORTS_ARGS)

# 100.000 national models paged through the API by cursor on both databases; its part of
# bench/RESULTS.md. API_ARGS="--scale 0.05 --databases sqlite" for a quick run.
bench-api: install-test
	$(BIN)/python bench/api_paging.py $(API_ARGS)

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var/static
