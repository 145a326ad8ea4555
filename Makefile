# Tender Hall — the two commands of the README live here.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint format migrate seed bench clean translations

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip wheel setuptools
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate, seed demo data if empty, start web + scheduler + rooms
run: $(STAMP)
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi demo seed --if-empty
	$(BIN)/flask --app wsgi serve

## make test: install and run the whole suite (SQLite; PostgreSQL too when TENDERHALL_TEST_DATABASE_URL is set)
test: $(STAMP)
	@sh scripts/ensure-chromium.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

migrate: $(STAMP)
	$(BIN)/flask --app wsgi db upgrade

seed: $(STAMP)
	$(BIN)/flask --app wsgi demo seed

bench: $(STAMP)
	$(BIN)/python bench/portal_list.py

clean:
	rm -rf $(VENV) instance test-artifacts

## make translations: extract the Chinese msgids, merge into the English catalogue, compile
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o app/translations/messages.pot --no-location --sort-output --ignore-dirs=".venv tests bench migrations" .
	test -f app/translations/en/LC_MESSAGES/messages.po || $(BIN)/pybabel init -i app/translations/messages.pot -d app/translations -l en
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations -l en --no-fuzzy-matching
	$(BIN)/pybabel compile -d app/translations -l en
