# Two commands do all the set-up on a fresh machine that has python3 and make:
#   make run    create .venv, install gradkit with matplotlib, run the evidence tour
#               (quick mode) and write its HTML report to tour-report/
#   make test   create .venv with the test extras, lint, run the whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export GRADKIT_DATA ?= $(abspath ../shared/data)

.PHONY: run test lint format bench clean mutate mutate-report mutate-fresh

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[plot]'
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# The evidence tour, quick mode: every concept's experiment, a summary table, and a
# static HTML report (open tour-report/index.html; no network needed).
run: $(VENV)/.installed
	$(BIN)/gradkit tour --quick --out tour-report

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

# Two pytest workers on two cores: one BLAS/OpenMP thread each, or OpenBLAS threads
# oversubscribe the cores and spin (a 20x slowdown was measured).
test: lint
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	$(BIN)/python -m pytest -n 2 --dist loadgroup --durations=25 --doctest-modules tests src/gradkit

format: $(VENV)/.installed-test
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

# Mutation testing (issue 24), not part of `make test` (minutes per module, one worker):
#   make mutate MODULE=src/gradkit/ops/reduce.py   mutate one module or folder, run the
#       tests that reach it (tools/mutate_tests.toml, else a grep), print the survivors;
#       EQUIVALENT=file overrides tools/mutate_equivalent.toml; SURVIVORS=1 re-runs only
#       the survivors of the module's last recorded run (source unchanged since)
#   make mutate-report   rewrite the score table in docs/testing.md from the recorded runs
#   make mutate-fresh MODULE=src/gradkit/ml/metrics/ SAMPLE=40   a second round with mutant
#       kinds mutmut lacks (tools/mutate_fresh.py), drawn at random
$(VENV)/.installed-mutmut: $(VENV)/.installed-test
	$(BIN)/pip install --quiet 'mutmut>=3.8,<4'
	touch $@

mutate: $(VENV)/.installed-mutmut
	@test -n "$(MODULE)" || { echo "usage: make mutate MODULE=src/gradkit/ops/reduce.py"; exit 2; }
	$(BIN)/python tools/mutate.py $(MODULE) $(if $(EQUIVALENT),--equivalent $(EQUIVALENT)) $(if $(SURVIVORS),--survivors)

mutate-fresh: $(VENV)/.installed-test
	@test -n "$(MODULE)" || { echo "usage: make mutate-fresh MODULE=src/gradkit/ops/ SAMPLE=40"; exit 2; }
	$(BIN)/python tools/mutate_fresh.py $(MODULE) --sample $(or $(SAMPLE),30) $(if $(SEED),--seed $(SEED))

mutate-report: $(BIN)/python
	$(BIN)/python tools/mutate.py --report

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
