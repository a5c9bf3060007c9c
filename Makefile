# Tadqiq — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCALES := locales
CATALOGS := $(wildcard $(LOCALES)/*/LC_MESSAGES/messages.po)

.PHONY: run test bench install i18n-extract i18n-update i18n-compile lint typecheck pytest clean vendor-refresh

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

i18n-compile: $(STAMP)
	$(BIN)/pybabel compile --statistics -d $(LOCALES) -D messages

i18n-extract: $(STAMP)
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k N_ -o $(LOCALES)/messages.pot \
	  --project=Tadqiq --copyright-holder=Tadqiq server/ pwa/scripts/

i18n-update: i18n-extract
	$(BIN)/pybabel update --no-fuzzy-matching -d $(LOCALES) -D messages -i $(LOCALES)/messages.pot

run: i18n-compile
	$(BIN)/tadqiq migrate
	$(BIN)/tadqiq demo
	$(BIN)/tadqiq serve

lint: $(STAMP)
	$(BIN)/ruff check server tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: i18n-compile
	$(BIN)/pytest -q

test: i18n-compile lint typecheck
	$(BIN)/tadqiq checklists check --strict
	$(BIN)/pytest -q

# `make bench BENCH="app sync"` runs only those (auth, checklists, sync, tablets, app, reports, signatures, programme, review, compression).
bench: i18n-compile
	TADQIQ_BENCH_DATABASE_URL=$${TADQIQ_BENCH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(BIN)/python -m bench $(BENCH)

# The tablet app's JavaScript libraries, from the npm registry, checked against pwa/vendor/vendor.lock.json.
vendor-refresh:
	$(PYTHON) pwa/vendor/refresh.py
	$(PYTHON) pwa/vendor/refresh.py --check

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
