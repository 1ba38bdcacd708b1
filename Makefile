# giaoban: the front door. `make help` lists the targets.
# Everything runs inside .venv/, created from requirements.lock (pinned, with hashes).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.9
JOBS   ?=
ARGS   ?=

.DEFAULT_GOAL := help
.PHONY: help setup build test test-fast lint lab lock serve preview clean benchmark benchmark-build node

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/giaoban: requirements.lock requirements-bootstrap.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-bootstrap.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --require-hashes -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $@

setup: $(BIN)/giaoban node ## create .venv from the lock file, and node_modules/ (axe-core) from package-lock.json

# axe-core, the accessibility checker the browser tests run in Chromium (tests/test_site_browser.py)
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

node: node_modules/axe-core/axe.min.js ## install the npm packages of package-lock.json (axe-core) into node_modules/

build: $(BIN)/giaoban ## validate the data, execute the briefings and render the site and PDFs into _site/
	$(BIN)/giaoban build $(if $(JOBS),--jobs $(JOBS)) $(ARGS)

test: $(BIN)/giaoban node ## run the whole test suite (unit, notebooks, site)
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder $(ARGS)

lint: $(BIN)/giaoban ## ruff (lint and format check) and mypy on src/, as configured in pyproject.toml
	$(BIN)/ruff check src
	$(BIN)/ruff format --check src
	$(BIN)/mypy

lab: $(BIN)/giaoban ## open the notebooks in JupyterLab, with the project's own Python (.venv)
	$(BIN)/jupyter lab --notebook-dir=. --ServerApp.default_url=/lab/tree/notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(ARGS)

serve: $(BIN)/giaoban ## preview the built site on http://localhost:8000
	$(BIN)/giaoban serve

preview: $(BIN)/giaoban ## build, serve on http://127.0.0.1:8000 and rebuild + reload the browser on every save (ARGS=params/meetings/x.yml)
	$(BIN)/giaoban preview $(if $(JOBS),--jobs $(JOBS)) $(ARGS)

benchmark: $(BIN)/giaoban ## measure extraction quality (see benchmarks/README.md)
	$(BIN)/python benchmarks/extraction_quality.py

benchmark-build: $(BIN)/giaoban ## measure build speed and memory on the synthetic national data (about 30 min)
	$(BIN)/python benchmarks/build_speed.py --jobs 2 --sample 12 $(ARGS)

lock: ## re-pin every dependency after editing pyproject.toml (and the bootstrap uv, UV_VERSION)
	echo 'uv==$(UV_VERSION)' > requirements-bootstrap.in
	$(BIN)/uv pip compile requirements-bootstrap.in --universal --python-version 3.11 --generate-hashes -o requirements-bootstrap.txt
	$(BIN)/uv pip compile pyproject.toml --extra test --extra lint --python-version 3.11 --generate-hashes -o requirements.lock

clean: ## remove build outputs (the cache under _build/ and the site); the data is never touched
	rm -rf _build _site .quarto
