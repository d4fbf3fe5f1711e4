# Two commands matter to a newcomer: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Test processes: twice the cores, as most tests wait on sockets and subprocesses.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) * 2 )))
BABEL_KEYWORDS := -k _ -k N_ -k n_:1,2

.PHONY: run test bench coverage mutate install demo lint typecheck pytest extract update compile clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) compile

## run: install, load the demo data, start the bot (console when no network channel is enabled)
run: install
	$(BIN)/tiepdan demo
	TIEPDAN_WEB_ENABLED=true $(BIN)/tiepdan run

## test: install, then ruff, mypy and pytest (pytest also fails on a stale or untranslated catalog)
test: install lint typecheck pytest

## bench: install, then run every benchmark against a bare aiogram bot, with a throw-away
## PostgreSQL as CI starts it, and print the table (docs/benchmarks.md); not part of `make test`
bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	.ci/with-postgres $(BIN)/python -m bench

## coverage: the test suite under coverage, the `tiepdan run` processes it starts included, and
## the report of bot/, handlers/ and storage/; not part of `make test`
coverage: install
	rm -f .coverage .coverage.*
	COVERAGE_FILE=$(CURDIR)/.coverage $(BIN)/coverage run -m pytest -q -n $(TEST_WORKERS) \
	  --dist worksteal -m "not serial"
	COVERAGE_FILE=$(CURDIR)/.coverage $(BIN)/coverage run -m pytest -q -m serial
	COVERAGE_FILE=$(CURDIR)/.coverage $(BIN)/coverage combine -q
	COVERAGE_FILE=$(CURDIR)/.coverage $(BIN)/coverage report

## mutate: install, then mutation-test the rules in bot/core/ against the unit and dialogue
## tests, and list the mutants that survive (docs/testing.md); not part of `make test`
mutate: install
	$(BIN)/python -m pip install --quiet -e '.[dev,mutate]'
	rm -rf mutants
	$(BIN)/mutmut run --max-children $$(nproc 2>/dev/null || echo 1)
	$(BIN)/mutmut results

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

pytest:
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist worksteal -m "not serial"
	$(BIN)/pytest -q -m serial

## i18n: extract msgids from the code, merge them into vi/en, compile .mo files
extract: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output \
	  --add-comments=Translators: --project=tiepdan --version=0.1 \
	  --copyright-holder="Tiếp Dân contributors" -o bot/locales/messages.pot bot handlers

update: extract
	$(BIN)/pybabel -q update -i bot/locales/messages.pot -d bot/locales -D messages \
	  --no-fuzzy-matching --ignore-pot-creation-date --ignore-obsolete

compile: $(STAMP)
	$(BIN)/pybabel -q compile --use-fuzzy -d bot/locales -D messages

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache
	find bot/locales -name '*.mo' -delete
