# Kontrol: `make run` to start, `make test` to check. Everything else is here too, nothing hidden.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
FLASK   = $(VENV)/bin/flask
HOST   ?= 127.0.0.1
PORT   ?= 5000
WORKERS ?= 4
export FLASK_APP = wsgi

.PHONY: run serve setup test test-postgres bench lint translations messages clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(VENV)/.installed-server: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[server]'
	touch $@

MO = app/translations/da/LC_MESSAGES/messages.mo

## Compile the Danish catalogue when messages.po changed (two `make test` at once share it).
translations: $(MO)

$(MO): app/translations/da/LC_MESSAGES/messages.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile --use-fuzzy -d app/translations

## Apply migrations, load the catalogue, create the admin (and demo data on a new database).
setup: $(VENV)/.installed translations
	$(FLASK) db upgrade
	$(FLASK) setup

## Set up, then serve on http://127.0.0.1:5000 with SQLite in instance/ (development server).
run: setup
	@echo "Kontrol: http://$(HOST):$(PORT)/ (it asks for a login; the administrator's is printed above on first start)"
	$(FLASK) scheduler serve --host $(HOST) --port $(PORT)

## Set up, then serve with gunicorn (the [server] extra), $(WORKERS) workers, behind your proxy.
serve: setup $(VENV)/.installed-server
	@echo "Kontrol (gunicorn, $(WORKERS) workers): http://$(HOST):$(PORT)/ (it asks for a login); readiness: http://$(HOST):$(PORT)/healthz"
	$(VENV)/bin/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - wsgi:app

## The whole suite (SQLite unless TEST_DATABASE_URL points at PostgreSQL).
test: $(VENV)/.installed translations
	$(PY) -m pytest $(PYTEST_ARGS)

## The whole suite on a throwaway PostgreSQL cluster, deleted afterwards (needs postgresql).
test-postgres: $(VENV)/.installed translations
	tools/throwaway_postgres.sh $(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed translations
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

## Re-extract translatable strings into the Danish catalogue (then edit messages.po).
messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg --ignore-dirs '.* __pycache__' -k _l -k lazy_gettext --no-location --sort-output --omit-header -o app/translations/messages.pot .
	$(VENV)/bin/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date
	$(PY) tools/fill_translations.py tools/da

clean:
	rm -rf $(VENV) *.egg-info
