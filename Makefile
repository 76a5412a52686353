# The two commands of the quick start are `make demo` and `make test`; each installs what it needs.
SHELL := /bin/bash
VENV := .venv
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: setup demo test bench audit ceremony artifacts compile clean

setup:
	@bash scripts/setup.sh

demo: setup
	batterytrace demo --out out

test: setup
	ape test -c tests/ape/pytest.ini tests/ape -q
	pytest -q

bench: setup
	python bench/run.py

# The long runs: slither over the contracts, the fuzzers and stateful machines with budgets far
# beyond the ones `make test` uses (see docs/SECURITY.md for the figures), and the demo again on hardhat.
audit: setup
	bash scripts/slither.sh
	BATTERYTRACE_FUZZ_EXAMPLES=500 BATTERYTRACE_PROPERTY_EXAMPLES=2000 pytest -q tests/hardening tests/stateful --ignore=tests/stateful/test_shielded_machine.py
	BATTERYTRACE_SHIELDED_EXAMPLES=60 BATTERYTRACE_SHIELDED_STEPS=6 pytest -q tests/stateful/test_shielded_machine.py
	BATTERYTRACE_DEMO_ON_HARDHAT=1 pytest -q tests/demo

ceremony: setup
	bash scripts/ceremony.sh

artifacts: setup
	python -m batterytrace.evm.artifacts build

compile: setup
	ape compile

# Deletes each constraint of the circuits in turn (one mutant per constraint statement) and checks an attacker test catches
# every one; the table lands in circuits/build/mutants/report.md. Long (see the script's docstring).
.PHONY: mutate
mutate: setup
	python scripts/mutate_constraints.py

clean:
	rm -rf .build out .pytest_cache .hypothesis
