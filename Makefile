# Two commands for a newcomer: `make serve` (site with live reload) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup serve build test check check-offline bench cog clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install the pinned dependencies

serve: $(STAMP)  ## serve the site on http://127.0.0.1:8000 with live reload
	$(BIN)/mkdocs serve

build: $(STAMP)  ## build the site into site/, failing on any citation warning
	$(BIN)/mkdocs build --strict

test: $(STAMP)  ## run every test (browser tests need Debian's chromium)
	$(BIN)/python -m pytest -n 2 -q

check: $(STAMP)  ## check every citation against Crossref, doi.org and PubMed
	$(BIN)/citeproof check

check-offline: $(STAMP)  ## offline checks only (bib, keys, identifiers, lock)
	$(BIN)/citeproof check --offline

bench: $(STAMP)  ## the build and check benchmarks (figures in the README)
	$(BIN)/python scripts/bench_build.py
	$(BIN)/python scripts/bench_check.py

cog: $(STAMP)  ## paste `citeproof --help` output into the README
	$(BIN)/cog -r README.md

clean:
	rm -rf site .pytest_cache
