# Two entry points: `make demo` (the main job end to end on an embedded
# PostgreSQL) and `make test` (the whole suite, linters included).
SHELL := /bin/bash
# uv is the only prerequisite; it is installed from PyPI when missing.
UV := $(shell command -v uv 2>/dev/null || \
        (python3 -m pip install --quiet uv >/dev/null 2>&1 && \
         python3 -c 'import uv; print(uv.find_uv_bin())'))

.PHONY: demo test lint setup debian pdf-deps serve

# What the bulletin's PDF needs from Debian, installed when missing: Chromium (it
# prints the page) and the Noto CJK fonts (without them Chinese prints as boxes).
PDF_PACKAGES := $(strip \
  $(if $(shell command -v chromium),,chromium) \
  $(if $(shell fc-list :lang=zh 2>/dev/null),,fonts-noto-cjk))
# What the tests need from Debian, installed when missing: the above (the bulletin's
# charts and glyphs are checked in a real headless browser and in the PDF), the
# PostgreSQL server (the end-to-end and bad-input tests also run on Debian's packaged
# PostgreSQL, as production does, besides the embedded one) and redis-server (the
# Celery broker of the real-scheduler test).
DEBIAN_PACKAGES := $(strip $(PDF_PACKAGES) \
  $(if $(wildcard /usr/lib/postgresql/*/bin/postgres),,postgresql) \
  $(if $(shell command -v redis-server),,redis-server))

define apt_install
	@if [ -n "$(1)" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    $(1) >/dev/null; fi
endef

debian:
	$(call apt_install,$(DEBIAN_PACKAGES))

pdf-deps:
	$(call apt_install,$(PDF_PACKAGES))

setup:
	$(UV) sync --frozen --quiet

demo: setup pdf-deps
	$(UV) run --frozen yigongti demo

# The Airflow stack under its real scheduler on this machine: make serve LANDING=/path
serve: setup
	$(UV) run --frozen yigongti serve --landing "$(LANDING)"

lint: setup
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen yigongti dbt-sources --check
	$(UV) run --frozen yigongti docs --check
	$(UV) run --frozen sqlfluff lint dbt_project

test: lint debian
	$(UV) run --frozen pytest
