# sectrack: `make demo` and `make test` work from a clean clone on a fresh Debian machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Debian packages WeasyPrint and the Korean reports need at run time (harfbuzz-subset: fast font subsetting;
# without it WeasyPrint falls back to fontTools, about 0.4 s more per report with the large Nanum fonts).
DEBIAN_PACKAGES := fonts-nanum libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils

.PHONY: demo test lint bench serve system-deps install install-test clean

demo: install system-deps
	$(BIN)/sectrack demo --out out

test: install-test system-deps lint
	$(BIN)/pytest -n 2 --dist loadgroup

lint: install-test
	$(BIN)/ruff check tracker inventory reports seed templates tests
	$(BIN)/ruff format --check --quiet tracker inventory reports seed templates tests
	$(BIN)/mypy

bench: install-test system-deps
	$(BIN)/python -m tracker.bench

serve: install
	$(BIN)/sectrack serve

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "sectrack needs Python 3.11 or newer; set PYTHON=python3.X" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(VENV)/.installed $@

# Installs what is missing through apt when run as root; otherwise says what to install.
system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian packages:$$missing"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null 2>&1 || \
	  { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; }; \
	elif ! command -v dpkg-query >/dev/null; then \
	  echo "Not Debian: install a Hangul font (e.g. Nanum) and Pango yourself for the PDF reports."; \
	else \
	  echo "Missing Debian packages:$$missing. Install them with: sudo apt-get install$$missing"; \
	fi

clean:
	rm -rf out bench-out .pytest_cache .mypy_cache .ruff_cache
