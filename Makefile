# The two quick-start commands: `make build` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build test check clean prereqs

build: $(STAMP)
	$(BIN)/ketabrochure build

test: $(STAMP)
	$(BIN)/python -m pytest -q

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
