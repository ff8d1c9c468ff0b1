# The two quick-start commands: `make build` and `make test`; `make lint` beside them in CI.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build test lint check clean prereqs sysdeps sysdeps-build

build: sysdeps-build $(STAMP)
	$(BIN)/ketabrochure build

test: sysdeps $(STAMP)
	$(BIN)/python -m pytest -q

# ruff (the rule set in pyproject.toml) and mypy --strict over the package and tests/; the import
# contract runs with the tests (tests/test_architecture.py)
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy

# Debian packages the build (Pango, HarfBuzz subsetting) and the tests (poppler-utils,
# chromium) need: installed when missing.
sysdeps-build:
	@bash scripts/install-system-deps.sh build

sysdeps:
	@bash scripts/install-system-deps.sh test

check: $(STAMP)
	$(BIN)/ketabrochure check

prereqs:
	@$(PYTHON) scripts/check_prereqs.py

$(STAMP): pyproject.toml scripts/check_prereqs.py
	@$(PYTHON) scripts/check_prereqs.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[test,lint]'
	@touch $(STAMP)

clean:
	rm -rf $(VENV) out
