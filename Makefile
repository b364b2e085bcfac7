# Two entry points: `make demo` (the main job end to end on an embedded
# PostgreSQL) and `make test` (the whole suite, linters included).
SHELL := /bin/bash
# uv is the only prerequisite; it is installed from PyPI when missing.
UV := $(shell command -v uv 2>/dev/null || \
        (python3 -m pip install --quiet uv >/dev/null 2>&1 && \
         python3 -c 'import uv; print(uv.find_uv_bin())'))

.PHONY: demo test lint setup browser

# The bulletin's charts are checked in a real headless browser: Debian's Chromium.
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    chromium >/dev/null; }

setup:
	$(UV) sync --frozen --quiet

demo: setup
	$(UV) run --frozen yigongti demo

lint: setup
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen yigongti dbt-sources --check
	$(UV) run --frozen yigongti docs --check
	$(UV) run --frozen sqlfluff lint dbt_project

test: lint browser
	$(UV) run --frozen pytest
