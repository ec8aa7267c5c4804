# Two entry points for a fresh machine: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SYSTEM_PACKAGES := fonts-noto-cjk poppler-utils chromium
WEB := service/web

.PHONY: run test setup system-deps lint typecheck pytest bench clean

run: setup
	$(VENV)/bin/cadre serve --demo

test: setup lint typecheck pytest

setup: system-deps $(VENV)/.installed $(WEB)/node_modules/.package-lock.json

# Debian packages: CJK fonts for PDFs, poppler for PDF checks in tests, Chromium for the browser tests.
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "请先安装系统软件包 / please install:$$missing"; exit 1; fi; \
	fi

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

# The web pages' browser libraries (htmx, ECharts), pinned by package-lock.json and served by the app.
$(WEB)/node_modules/.package-lock.json: $(WEB)/package-lock.json
	cd $(WEB) && npm ci --ignore-scripts --no-audit --no-fund

lint:
	$(VENV)/bin/ruff check service indexer schemas tests bench alembic

typecheck:
	$(VENV)/bin/mypy service indexer schemas tests bench

# Parallel workers (pytest-xdist), each with its own embedded PostgreSQL, Meilisearch and index prefix;
# a module's tests stay on one worker so module-scoped servers and browsers are shared.
PYTEST_WORKERS ?= 3
pytest:
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile

bench: setup
	$(PY) -m bench.filing
	$(PY) -m bench.search
	$(PY) -m bench.indexing
	$(PY) -m bench.shortlist
	$(PY) bench/pdf.py
	$(PY) bench/dossier.py

clean:
	rm -rf $(VENV) .data .cache .pytest_cache .mypy_cache .ruff_cache $(WEB)/node_modules
