# Two commands for a newcomer: `make serve` (site with live reload) and `make test`.
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

.PHONY: setup serve build lint test check check-offline bench cog clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install the pinned dependencies

serve: $(STAMP)  ## serve the site on http://127.0.0.1:$(PORT) with live reload (PORT=8000)
	@$(BIN)/python -c "$$PORT_FREE" $(PORT)
	$(BIN)/mkdocs serve -a 127.0.0.1:$(PORT)

build: $(STAMP)  ## build the site into site/, failing on any citation warning
	$(BIN)/mkdocs build --strict

lint: $(STAMP)  ## ruff (pyflakes, bugbear, complexity) and mypy: both must be clean
	$(BIN)/ruff check src tests/adapters
	$(BIN)/mypy src

test: $(STAMP) lint  ## lint, then run every test (browser tests need Debian's chromium)
	$(BIN)/python -m pytest -n 2 -q

check: $(STAMP)  ## check every citation against Crossref, doi.org and PubMed
	$(BIN)/citeproof check

check-offline: $(STAMP)  ## offline checks only (bib, keys, identifiers, lock)
	$(BIN)/citeproof check --offline

bench: $(STAMP)  ## the benchmarks (figures in docs/manual/benchmarks.md)
	$(BIN)/python scripts/bench_build.py
	$(BIN)/python scripts/bench_check.py
	$(BIN)/python scripts/bench_offline.py
	$(BIN)/python scripts/bench_realbibs.py

cog: $(STAMP)  ## refresh the generated parts: the manual's command help, the editorial note
	$(BIN)/cog -r docs/manual/commands.md docs/index.md

clean:
	rm -rf site .pytest_cache
