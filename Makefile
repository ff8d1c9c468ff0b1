# The two quick-start commands: `make build` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build test check clean prereqs sysdeps sysdeps-build

build: sysdeps-build $(STAMP)
	$(BIN)/ketabrochure build

test: sysdeps $(STAMP)
	$(BIN)/python -m pytest -q

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
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

clean:
	rm -rf $(VENV) out
