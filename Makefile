# Two commands matter: `make run` serves the knowledge base, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIND ?= 127.0.0.1:8000
WORKERS ?= 3

.PHONY: run serve setup test test-postgres bench-load bench-faults lint format messages clean

$(VENV)/bin/python:
	@$(PYTHON) -m venv $(VENV) || { echo "Cannot create a virtual environment. On Debian: apt-get install python3-venv"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.test: pyproject.toml $(VENV)/.runtime
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $@

## setup: install, migrate, load the catalog, collect static files
setup: $(VENV)/.runtime
	$(PY) manage.py migrate --no-input
	$(PY) manage.py import_catalog
	$(PY) manage.py rebuild_search_index
	$(PY) manage.py collectstatic --no-input --verbosity 0

## run: set up, then serve on http://127.0.0.1:8000 with gunicorn
run: setup serve

# gunicorn.conf.py holds the request limits and the access log's format.
serve:
	$(VENV)/bin/gunicorn --config gunicorn.conf.py --bind $(BIND) --workers $(WORKERS)

## test: install the test dependencies and run the whole suite
test: $(VENV)/.test
	$(VENV)/bin/pytest $(PYTEST_ARGS)

## test-postgres: the same suite on a local PostgreSQL (.ci/postgres starts it; needs root)
test-postgres:
	DATABASE_URL=$$(.ci/postgres | tail -n 1) $(MAKE) test

$(VENV)/.bench: pyproject.toml $(VENV)/.runtime
	$(PY) -m pip install --quiet -e ".[bench]"
	@touch $@

## bench-load: gunicorn with production settings under 64 clients for 60 s (bench/load.py)
bench-load: $(VENV)/.bench
	$(PY) bench/load.py $(BENCH_ARGS)

## bench-faults: kill a worker under load, stop PostgreSQL for a few seconds (bench/faults.py)
bench-faults: $(VENV)/.bench
	$(PY) bench/faults.py $(BENCH_ARGS)

lint: $(VENV)/.test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## messages: refresh the Chinese translation catalog of the interface (needs gettext)
messages: $(VENV)/.runtime
	$(PY) manage.py makemessages --locale zh_Hans --no-obsolete --add-location file --ignore .venv --ignore var --ignore tests --ignore bench
	$(PY) manage.py compilemessages --locale zh_Hans --ignore .venv

clean:
	rm -rf $(VENV) var
