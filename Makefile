# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA_DIR ?= instance
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/
export FLASK_APP := run

.PHONY: run test test-pg test-browser translations compile-translations bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

compile-translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -f -d translations >/dev/null

$(DATA_DIR)/secret_key:
	mkdir -p $(DATA_DIR)
	$(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > $@
	chmod 600 $@

## Set up everything, migrate the embedded SQLite database, load the demo once, and serve.
run: $(STAMP) compile-translations $(DATA_DIR)/secret_key
	DATA_DIR=$(DATA_DIR) SECRET_KEY=$$(cat $(DATA_DIR)/secret_key) $(BIN)/flask db upgrade
	DATA_DIR=$(DATA_DIR) SECRET_KEY=$$(cat $(DATA_DIR)/secret_key) $(BIN)/flask portal demo-data --if-empty
	@echo "Serving on http://127.0.0.1:5000"
	DATA_DIR=$(DATA_DIR) SECRET_KEY=$$(cat $(DATA_DIR)/secret_key) $(BIN)/flask run --host 127.0.0.1 --port 5000

## The whole suite on SQLite.
test: $(STAMP) compile-translations
	$(BIN)/python -m pytest -q

## The whole suite on PostgreSQL, in a database the tests create and drop themselves.
test-pg: $(STAMP) compile-translations
	PORTAL_TEST_DB=postgresql TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest -q

## The browser tests: pytest-playwright driving Debian's Chromium (apt-get install -y chromium).
## Screenshots of every tab land in test-artifacts/screens/.
test-browser: $(STAMP) compile-translations
	$(BIN)/python -m pytest -q tests/browser

## Extract, update and compile the message catalogs.
translations: $(STAMP)
	$(BIN)/pybabel extract -F translations/babel.cfg -k _l -k lazy_gettext -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching
	$(BIN)/pybabel compile -f -d translations

bench: $(STAMP)
	$(BIN)/python bench/demo_data.py

clean:
	rm -rf $(VENV) .pytest_cache
