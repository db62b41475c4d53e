# The two commands of the quick start are `make run` and `make test`; each does its own set-up
# (virtualenv, requirements, translations, database) on a fresh Debian machine with Python 3.11.
#
#   make run        migrate, load the demo catalogue (first time only), serve on http://127.0.0.1:$(PORT)
#   make test       the whole test suite (browser tests need /usr/bin/chromium; REQUIRE_BROWSER=1 makes it a must)
#                   options: TESTS=tests/browser  PYTEST_ARGS="-k demo -x"  SKIP_BROWSER=1
#   make migrate    apply database migrations         make demo     load the demo catalogue
#   make lint       ruff                              make clean    remove the virtualenv and build output
#
# DATABASE_URL=postgresql://user@host/db switches from the SQLite file in instance/ to PostgreSQL.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium
TESTS ?= tests/
PYTEST_ARGS ?=
TRANSLATIONS := marketplace/translations

export FLASK_APP := wsgi.py
# Command-line steps need no search-index updater thread (gunicorn's workers run one each).
FLASK := SEARCH_BACKGROUND=0 $(BIN)/flask
export PORT
export CHROMIUM

.DEFAULT_GOAL := help
.PHONY: help run test migrate demo lint clean venv install install-dev translations browser-check assets test-services

help:
	@sed -n '1,/^$$/p' Makefile | sed 's/^# \{0,1\}//'

# ------------------------------------------------------------------ set-up

# A virtualenv with pip in it. Debian ships venv separately (python3-venv): install it when we are root.
$(BIN)/pip:
	@rm -rf $(VENV)
	@if ! $(PYTHON) -m venv $(VENV); then \
		rm -rf $(VENV); \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
			echo ">>> $(PYTHON) -m venv failed: installing python3-venv with apt-get"; \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && \
			$(PYTHON) -m venv $(VENV); \
		else \
			echo "!!! '$(PYTHON) -m venv' failed. Install the venv module first, e.g.:"; \
			echo "!!!     sudo apt-get install python3-venv"; \
			exit 1; \
		fi; \
	fi

venv: $(BIN)/pip

# Stamp files: pip runs again only when a requirements file changed.
$(VENV)/.requirements.stamp: requirements.txt | $(BIN)/pip
	$(BIN)/pip install -q -r requirements.txt
	@touch $@

$(VENV)/.requirements-dev.stamp: requirements-dev.txt requirements.txt | $(BIN)/pip
	$(BIN)/pip install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.requirements.stamp

install: $(VENV)/.requirements.stamp translations assets

install-dev: $(VENV)/.requirements-dev.stamp translations assets

# Browser libraries (ECharts, jsQR) come from the npm registry, pinned in package.json / package-lock.json, and are
# copied into static/vendor/ (git-ignored): served locally, never from a CDN. Needs npm (Debian: apt-get install npm).
VENDOR := static/vendor
VENDOR_FILES := $(VENDOR)/echarts.min.js $(VENDOR)/jsQR.js

assets: $(VENDOR)/.stamp

$(VENDOR)/.stamp: package.json package-lock.json
	@if ! command -v npm >/dev/null; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
			echo ">>> npm missing: installing it with apt-get"; \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
		else \
			echo "!!! npm is needed for the browser libraries: sudo apt-get install npm"; exit 1; \
		fi; \
	fi
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@mkdir -p $(VENDOR)
	cp node_modules/echarts/dist/echarts.min.js node_modules/jsqr/dist/jsQR.js $(VENDOR)/
	@touch $@

# The compiled .mo is committed (tests need it without a build step); compile again whenever a catalogue exists.
translations: $(VENV)/.requirements.stamp
	@if [ -d $(TRANSLATIONS) ] && ls $(TRANSLATIONS)/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
		$(BIN)/pybabel -q compile -f -d $(TRANSLATIONS); \
	fi

# ------------------------------------------------------------------ run

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load

run: demo
	@$(FLASK) listings expire
	@echo
	@echo "================================================================"
	@echo "  江西省常设技术交易市场  http://127.0.0.1:$(PORT)"
	@echo "================================================================"
	@$(FLASK) demo logins
	@echo "  Stop with Ctrl-C."
	@echo
	@exec $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# ------------------------------------------------------------------ checks

# nginx, wrk, Redis and (unless SKIP_BROWSER=1) Chromium: installed with apt-get when we are root, Redis started.
test-services:
	@SKIP_BROWSER=$(SKIP_BROWSER) bin/test-services

# Browser tests need Chromium. Without it they are skipped (loudly) unless REQUIRE_BROWSER=1.
browser-check:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if [ "$(REQUIRE_BROWSER)" = "1" ]; then \
			echo "!!! REQUIRE_BROWSER=1 but $(CHROMIUM) is missing: sudo apt-get install chromium fonts-noto-cjk"; \
			exit 1; \
		fi; \
		echo; \
		echo "################################################################################"; \
		echo "##"; \
		echo "##   WARNING: $(CHROMIUM) NOT FOUND - BROWSER TESTS WILL BE SKIPPED"; \
		echo "##   Install it with:  sudo apt-get install chromium fonts-noto-cjk"; \
		echo "##   (REQUIRE_BROWSER=1 makes a missing browser a failure)"; \
		echo "##"; \
		echo "################################################################################"; \
		echo; \
	fi

# SKIP_BROWSER=1 deselects the browser tests (the CI's PostgreSQL pass: they use their own SQLite database).
test: install-dev test-services browser-check
	@mkdir -p test-artifacts
	$(BIN)/python -m pytest $(TESTS) -rfEs $(if $(filter 1,$(SKIP_BROWSER)),-m "not browser") $(PYTEST_ARGS)

LINTED := marketplace tests bench wsgi.py gunicorn.conf.py

lint: install-dev
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .ruff_cache node_modules $(VENDOR)
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
