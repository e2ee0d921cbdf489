# Lindung — the two commands of the README:
#   make demo   install everything, set up Lombok Timur with demo data, serve on 127.0.0.1:8000
#   make test   install everything, then lint, type-check and run the whole test suite
# Needs Python >= 3.11 and Node >= 20 on PATH; uv is installed into .tools/ when missing.

SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := .tools/bin/uv
endif
LINDUNG := .venv/bin/lindung
export UV_PYTHON_DOWNLOADS ?= never

.PHONY: install demo serve test format lint typecheck migrations-check unit browser messages bench clean

install: $(UV)
	$(UV) sync --frozen
	npm ci --no-audit --no-fund --loglevel=error

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

demo: install
	$(LINDUNG) demo

serve:
	$(LINDUNG) serve

test: install lint typecheck migrations-check unit browser

format:
	$(UV) run ruff check --fix src bench
	$(UV) run ruff format src bench

lint:
	$(UV) run ruff check src bench
	$(UV) run ruff format --check src bench
	$(UV) run lint-imports

typecheck:
	$(UV) run mypy src

migrations-check:
	$(LINDUNG) makemigrations --check --dry-run

unit:
	$(UV) run pytest -m "not browser"

# Browser tests share one live server with transactional tests, so they run in their own session.
browser:
	$(UV) run pytest -m browser

# Re-extract translatable strings into the Indonesian catalogue and compile it (no gettext needed).
messages:
	$(UV) run python -m lindung.ui.catalogue

bench:
	$(UV) run python bench/regions_load.py
	$(UV) run python bench/registry_import.py
	$(UV) run python bench/targeting_optimizer.py
	$(UV) run python bench/targeting_run.py
	$(UV) run python bench/lampiran_pdf.py
	$(UV) run python bench/dashboard.py
	$(UV) run python bench/enrollment.py
	$(UV) run python bench/billing.py
	$(UV) run python bench/public_check.py
	$(UV) run python bench/recount_pages.py
	$(UV) run python bench/load.py

clean:
	rm -rf .venv .tools node_modules var/static
