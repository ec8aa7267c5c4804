# Two entry points for a fresh machine: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SYSTEM_PACKAGES := fonts-noto-cjk poppler-utils chromium
WEB := service/web

.PHONY: run test setup system-deps lint typecheck pytest bench clean lock

# Installation output goes to $(SETUP_LOG) (shown only on failure), so the start-up steps and
# the address banner are the last thing on the screen.
SETUP_LOG := .setup.log

run: setup
	@$(VENV)/bin/cadre serve --demo

test: setup lint typecheck pytest

setup: system-deps $(VENV)/.installed $(WEB)/node_modules/.package-lock.json

# Debian packages: CJK fonts for PDFs, poppler for PDF checks in tests, Chromium for the browser tests.
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "安装系统软件包：$$missing …"; \
	  if [ "$$(id -u)" = 0 ]; then { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; } >>$(SETUP_LOG) 2>&1 \
	    || { tail -30 $(SETUP_LOG); exit 1; }; \
	  else echo "请先安装系统软件包 / please install:$$missing"; exit 1; fi; \
	fi

# The whole dependency tree is pinned with hashes in requirements-dev.lock (runtime: requirements.lock,
# which the Dockerfile installs); `make lock` regenerates both from pyproject.toml.
$(VENV)/.installed: pyproject.toml requirements-dev.lock
	@echo "安装 Python 依赖（首次约需数分钟；日志：$(SETUP_LOG)）…"
	@{ $(PYTHON) -m venv $(VENV) \
	   && $(PY) -m pip install -q --disable-pip-version-check --upgrade pip \
	   && $(PY) -m pip install -q --disable-pip-version-check --require-hashes -r requirements-dev.lock \
	   && $(PY) -m pip install -q --disable-pip-version-check --no-deps -e .; } >>$(SETUP_LOG) 2>&1 \
	  || { tail -30 $(SETUP_LOG); exit 1; }
	@touch $@

lock:
	$(PYTHON) -m venv .cache/uv-venv && .cache/uv-venv/bin/pip install -q 'uv==0.9.5'
	.cache/uv-venv/bin/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -q -o requirements.lock
	.cache/uv-venv/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -q -o requirements-dev.lock

# The web pages' browser libraries (htmx, ECharts), pinned by package-lock.json and served by the app.
$(WEB)/node_modules/.package-lock.json: $(WEB)/package-lock.json
	@echo "安装页面脚本库（htmx、ECharts）…"
	@(cd $(WEB) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >>$(SETUP_LOG) 2>&1 \
	  || { tail -30 $(SETUP_LOG); exit 1; }

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
	rm -rf $(SETUP_LOG) $(VENV) .data .cache .pytest_cache .mypy_cache .ruff_cache $(WEB)/node_modules
