# Hazlog: `make run` serves the app with the embedded default; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Tools that cannot share Hazlog's environment (their pins clash with ours).
TOOLS_VENV ?= .venv-tools
# The embedded default: DEBUG on, SQLite, tasks in-process (unless DATABASE_URL/REDIS_URL are set).
DEV_ENV := DEBUG=true

.PHONY: run test lint bench worker clean

$(VENV)/.installed-run: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet .
	touch $@

$(VENV)/.installed-dev: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	touch $@ $(VENV)/.installed-run

$(TOOLS_VENV)/.installed: tools/client-generator.txt
	$(PYTHON) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/python -m pip install --quiet -r tools/client-generator.txt
	touch $@

run: $(VENV)/.installed-run
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py load_catalogue
	$(DEV_ENV) $(PY) manage.py seed_demo
	@echo ""
	@echo "  Hazlog is starting on http://127.0.0.1:8000"
	@echo "  Demo logins (password hazlog-demo): olivia (owner), alice (contributor), bob (reviewer),"
	@echo "  carol and dave (approvers), victor (viewer)."
	@echo ""
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed-dev $(TOOLS_VENV)/.installed
	scripts/ensure-services
	$(PY) -m ruff check .
	HAZLOG_CLIENT_GENERATOR=$(abspath $(TOOLS_VENV))/bin/openapi-python-client $(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .

bench: $(VENV)/.installed-dev
	scripts/ensure-services
	$(PY) -m bench $(BENCH_ARGS)

worker: $(VENV)/.installed-run
	$(PY) -m celery -A config worker -B --loglevel=INFO --concurrency=2 --max-tasks-per-child=50

clean:
	rm -rf $(VENV) $(TOOLS_VENV) var staticfiles .pytest_cache .ruff_cache
