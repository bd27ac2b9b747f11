# Kontrol: `make run` to start, `make test` to check. Everything else is here too, nothing hidden.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
FLASK   = $(VENV)/bin/flask
HOST   ?= 127.0.0.1
PORT   ?= 5000
export FLASK_APP = wsgi

.PHONY: run setup test test-postgres bench lint translations messages clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

translations: $(VENV)/.installed
	$(VENV)/bin/pybabel compile --use-fuzzy -d app/translations

## Apply migrations, load the catalogue, create the admin (and demo data on a new database).
setup: $(VENV)/.installed translations
	$(FLASK) db upgrade
	$(FLASK) setup

## Set up, then serve on http://127.0.0.1:5000 with SQLite in instance/.
run: setup
	$(FLASK) scheduler serve --host $(HOST) --port $(PORT)

## The whole suite (SQLite unless TEST_DATABASE_URL points at PostgreSQL).
test: $(VENV)/.installed translations
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed translations
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

## Re-extract translatable strings into the Danish catalogue (then edit messages.po).
messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output --omit-header -o app/translations/messages.pot .
	$(VENV)/bin/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date
	$(PY) tools/fill_translations.py tools/da

clean:
	rm -rf $(VENV) *.egg-info
