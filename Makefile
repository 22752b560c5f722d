# The two commands a newcomer needs: `make run` and `make test`.
# Everything is installed into .venv from exact pins in constraints.txt.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_CONSTRAINT := $(CURDIR)/constraints.txt
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test test-each lint format bench screenshots demo-server constraints clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

run: $(STAMP)
	$(BIN)/beeper-tui --demo

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Every test file alone, each in its own process: no test may lean on another's leftovers.
test-each: $(STAMP)
	@passed=0; failed=0; for f in tests/test_*.py; do \
	  if $(BIN)/python -m pytest -q -p no:cacheprovider "$$f" > .test-each.log 2>&1; then \
	    passed=$$((passed + 1)); \
	  else \
	    failed=$$((failed + 1)); echo "fails when run alone: $$f"; tail -n 30 .test-each.log; \
	  fi; \
	done; rm -f .test-each.log; echo "test files alone: $$passed passed, $$failed failed"; \
	test $$failed -eq 0

lint: $(STAMP)
	$(BIN)/ruff check beeper_tui tests scripts benchmarks
	$(BIN)/ruff format --check beeper_tui tests scripts benchmarks
	$(BIN)/mypy beeper_tui benchmarks
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix beeper_tui tests scripts benchmarks
	$(BIN)/ruff format beeper_tui tests scripts benchmarks

bench: $(STAMP)
	$(BIN)/python -m benchmarks
	$(BIN)/python -m benchmarks.demo_load

screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

demo-server: $(STAMP)
	$(BIN)/beeper-tui demo-server

# Re-pin after editing dependencies in pyproject.toml.
constraints:
	rm -rf /tmp/beeper-tui-pin && $(PYTHON) -m venv /tmp/beeper-tui-pin
	env -u PIP_CONSTRAINT /tmp/beeper-tui-pin/bin/pip install --quiet -e '.[dev]'
	@echo "Review and copy: /tmp/beeper-tui-pin/bin/pip freeze --exclude-editable"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
