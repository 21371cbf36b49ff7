# rmgen: developer entry points. Each target sets up what it needs first.
#   make run    generate the default example, build it on Linux, run a client session
#   make test   the whole suite (Python, C compile gates, host round trips, FUSE)
#   make bench  measurements (not a test)      make fuzz   long fuzz run (not a test)
#   make fuzz-spec  the hostile-spec campaign (12,000 damaged specs; not a test)
#   make soak   make test SOAK_RUNS times (default 5) with both cores kept busy

PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
BUILD    := build
# Debian packages for the C side: compilers, sanitizer runtimes, valgrind, FUSE.
APT_PKGS := gcc clang make valgrind pkg-config fuse3 libfuse3-dev libclang-rt-dev

.PHONY: run test soak bench fuzz fuzz-spec deps venv regen clean

deps:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	    echo "rmgen: installing Debian packages:$$missing"; \
	    if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
	    $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

venv: $(STAMP)

run: deps venv
	$(BIN)/rmgen examples/sample.yaml
	@echo "rmgen: generated examples/sample/ from examples/sample.yaml; building it for this host"
	$(MAKE) -s -C examples/demo QNXHOST=$(CURDIR)/qnxhost O=$(CURDIR)/$(BUILD)/demo run
	@echo "rmgen: done. The rmgen command is in $(BIN)/: put it on PATH in this shell with"
	@echo "           . $(BIN)/activate"
	@echo "       (or install it for your user: pipx install $(CURDIR)); then try: rmgen init NAME"

# pytest-xdist: one worker per core (TEST_JOBS=0: none); builds are shared between them.
TEST_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
test: deps venv
	$(BIN)/python -m pytest -q -n $(TEST_JOBS)

# The whole suite SOAK_RUNS times in a row under two busy loops (one per core): pass/fail per
# run, logs in build/soak/, non-zero exit if any run failed.
SOAK_RUNS ?= 5
soak: deps venv
	.ci/soak $(SOAK_RUNS)

regen: venv
	$(BIN)/rmgen examples/*.yaml

bench: deps venv
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/bench_gen.py

# Every example's own fuzz target for FUZZ_SECONDS each (crashing inputs: examples/NAME/host/
# fuzz-crashes/, replayed by make test), then the runtime's raw-message harness.
FUZZ_SECONDS ?= 60
EXAMPLE_NAMES := $(patsubst examples/%.yaml,%,$(wildcard examples/*.yaml))
fuzz: deps
	@set -e; for e in $(EXAMPLE_NAMES); do \
	    $(MAKE) -C examples/$$e -f host.mk fuzz QNXHOST=$(CURDIR)/qnxhost O=$(CURDIR)/$(BUILD)/fuzz-$$e \
	        FUZZ_RUNTIME=$(CURDIR)/$(BUILD)/fuzz-runtime FUZZ_SECONDS=$(FUZZ_SECONDS); done
	$(MAKE) -C qnxhost O=$(CURDIR)/$(BUILD)/fuzz fuzz-run FUZZ_SECONDS=$(FUZZ_SECONDS)

fuzz-spec: deps venv
	$(BIN)/python tests/specfuzz.py --variants 12000 --build 40 --seconds 1800

clean:
	rm -rf $(BUILD) .pytest_cache
