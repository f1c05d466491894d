# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv once and reuse it;
# the environment is rebuilt only when pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test bench clean-outputs dictionary api app

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "cm_research needs Python 3.10 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/cm-research demo --output outputs/demo

# The practitioners' app in the browser (127.0.0.1 only); the project folder is ./my-evaluation unless PROJECT=DIR.
PROJECT ?= my-evaluation
app: install
	$(BIN)/cm-research app --project $(PROJECT)

# The whole suite in TEST_WORKERS pytest-xdist processes (CI has 2 cores), a test module at a time per worker so
# each module's shared fixtures are built once; TEST_WORKERS=0 runs it in this one process. Modules are handed
# out in the order tests/conftest.py puts them (the costliest first), not re-sorted by their number of tests.
TEST_WORKERS ?= 2
test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder

# Timings of our code against a naive baseline in the same run (minutes; not part of `make test`).
bench: install
	$(BIN)/python benchmarks/bench_coding.py
	$(BIN)/python benchmarks/bench_matching.py
	$(BIN)/python benchmarks/bench_batch.py
	$(BIN)/python benchmarks/bench_startup.py

dictionary: install
	$(BIN)/cm-research dictionary --markdown --output data_dictionary/README.md

# The public API reference, docs/api.md, from the docstrings (tests/test_api_reference.py checks it is current).
api: install
	$(BIN)/python docs/make_api_reference.py

clean-outputs:
	find outputs -mindepth 1 ! -name README.md -exec rm -rf {} +
