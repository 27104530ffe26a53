# Two commands for a newcomer: `make serve` (site with live reload) and `make test`.
# `make` alone lists every target (`make help`).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8000
# One clear line instead of mkdocs' traceback when the port is taken.
define PORT_FREE
import socket, sys
port = sys.argv[1]
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(port)))
except (OSError, ValueError) as exc:
    sys.exit(f"make serve: cannot serve on 127.0.0.1:{port} ({getattr(exc, 'strerror', None) or exc}): "
             f"stop what uses it, or choose another port: make serve PORT=8001")
endef
export PORT_FREE
export NO_MKDOCS_2_WARNING := 1

# How to run the citeproof command, which is installed in .venv, not on PATH.
RUN_CITEPROOF := Run citeproof as .venv/bin/citeproof (it is not on PATH), e.g. .venv/bin/citeproof check --help; or through make: make check ARGS='--offline --format json'

.DEFAULT_GOAL := help
.PHONY: help setup serve build lint test quick check check-offline bench cog clean

help:  ## list the targets (what `make` alone does)
	@echo "make TARGET, where TARGET is one of:"
	@awk '/^[a-z][a-z-]*:.*## / { name = $$0; sub(/:.*/, "", name); text = $$0; sub(/^[^#]*## /, "", text); \
	      printf "  %-14s %s\n", name, text }' $(firstword $(MAKEFILE_LIST))
	@echo "$(RUN_CITEPROOF)"

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install the pinned dependencies, then say how to run citeproof
	@echo "$(RUN_CITEPROOF)"

serve: $(STAMP)  ## serve the site on http://127.0.0.1:8000 with live reload (another port: PORT=8001)
	@$(BIN)/python -c "$$PORT_FREE" $(PORT)
	$(BIN)/mkdocs serve -a 127.0.0.1:$(PORT)

build: $(STAMP)  ## build the site into site/, failing on any citation warning
	$(BIN)/mkdocs build --strict

lint: $(STAMP)  ## ruff (pyflakes, bugbear, complexity) and mypy: both must be clean
	$(BIN)/ruff check src tests scripts
	$(BIN)/mypy src

test: $(STAMP) lint  ## lint, then run every test (browser tests need Debian's chromium)
	$(BIN)/python -m pytest -q

quick: $(STAMP)  ## the quick tests: everything not marked slow
	$(BIN)/python -m pytest -q -m "not slow"

check: $(STAMP)  ## check every citation against Crossref, doi.org and PubMed (more options: ARGS='...')
	$(BIN)/citeproof check $(ARGS)

check-offline: $(STAMP)  ## offline checks only: bib, keys, identifiers, lock (more options: ARGS='...')
	$(BIN)/citeproof check --offline $(ARGS)

bench: $(STAMP)  ## the benchmarks (figures in docs/manual/benchmarks.md)
	$(BIN)/python scripts/bench_build.py
	$(BIN)/python scripts/bench_check.py
	$(BIN)/python scripts/bench_offline.py
	$(BIN)/python scripts/bench_realbibs.py

cog: $(STAMP)  ## refresh the generated parts: the manual's command help, the editorial note
	$(BIN)/cog -r docs/manual/commands.md docs/index.md

clean:  ## remove the built site and pytest's cache
	rm -rf site .pytest_cache
