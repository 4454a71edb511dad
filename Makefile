# allonet: `make run` sets up .venv and runs the main experiment; `make test` runs the test suite.
# PYTHON=/path/to/python3.13 picks the interpreter (>= 3.12; 3.13 preferred).
VENV      ?= .venv
PY        := $(VENV)/bin/python
ALLONET   := $(VENV)/bin/allonet
# Compiled code (Cython runtime, standalone binaries) is cached per checkout.
export ALLONET_CACHE ?= $(CURDIR)/.cache/allonet
MAIN_SPEC := experiments/fear_extinction.yaml
MAIN_OUT  := results/fear_extinction.h5
PYTEST_ARGS ?=

.PHONY: run test test-fast lint bench setup setup-dev clean-cache

run: setup
	$(ALLONET) run $(MAIN_SPEC) -o $(MAIN_OUT) --overwrite

# pytest with the arguments $(1) and PYTEST_ARGS; collecting no test at all is an error.
RUN_PYTEST = $(PY) -m pytest $(1) $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi; exit $$rc

test: setup-dev
	@$(call RUN_PYTEST,)

# The loop to run while editing: every test that does not simulate (no test marked slow; the
# science tests are slow too), under 3 minutes on 2 cores.
test-fast: setup-dev
	@$(call RUN_PYTEST,-m "not slow")

lint: setup-dev
	$(VENV)/bin/ruff check allonet tests benchmarks

setup: $(VENV)/.installed
setup-dev: $(VENV)/.installed-dev

$(VENV)/bin/python:
	@py=$$(tools/find-python) || exit 1; \
	echo "creating $(VENV) with $$py ($$($$py --version))"; \
	$$py -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	$(PY) -m pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

clean-cache:
	rm -rf $(ALLONET_CACHE)

# Benchmarks (not tests; see README "Performance"): each prints a table and ratios measured in
# one session. The full set compiles the main network cold on both devices and at every scale
# (several hours on 2 cores);
# `make bench BENCH_ARGS=--quick` runs reduced versions (no cold compiles, scales 1 and 2).
BENCH_ARGS ?=
bench: setup
	$(PY) benchmarks/build_speed.py $(BENCH_ARGS)
	$(PY) benchmarks/main_devices.py $(BENCH_ARGS)
	$(PY) benchmarks/vlachos_reference.py $(BENCH_ARGS)
	$(PY) benchmarks/allo_cost.py $(BENCH_ARGS)
	$(PY) benchmarks/scaling.py $(BENCH_ARGS)
	$(PY) benchmarks/sweep_overhead.py

# Paper figures from results/ (no simulation): experiments/figures/paper.yaml -> results/figures/
.PHONY: figures
figures: setup
	$(PY) experiments/figures/make_figures.py

# constraints/tested.txt: the exact versions of the environment the science tests last passed
# in (`make constraints` after a green `make test`); install them with
# `pip install -e '.[dev]' -c constraints/tested.txt`. The floors are not kept in a file:
# `python tools/floors.py 3.12` writes them from pyproject.toml (tests/test_packaging.py).
.PHONY: constraints
constraints: setup-dev
	@{ echo "# pip freeze of the venv the science tests last passed in (make constraints)"; \
	   echo "# Python $$($(PY) -c 'import platform; print(platform.python_version())'), $$(date -u +%F), allonet $$(git rev-parse --short HEAD)"; \
	   $(PY) -m pip freeze --exclude-editable; } > constraints/tested.txt
