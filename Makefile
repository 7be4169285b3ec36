# Makefile: thin wrapper around CMake. `make run` serves the archive; `make test` runs every test.
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS ?= $(shell nproc)
DATA ?= ./ficd-data
CMAKE_FLAGS ?=

.PHONY: all build asan fuzz fuzz-build deps deps-test run test test-unit test-asan test-integration test-browser bench clean format

all: build

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

$(BUILD)/Makefile: CMakeLists.txt
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

build: deps $(BUILD)/Makefile
	@cmake --build $(BUILD) -j $(JOBS)

# The unit tests under ASan and UBSan, built with clang when it is there (make test installs
# it): its UBSan also catches pointer arithmetic on NULL, which gcc's does not.
ASAN_CC ?= $(shell command -v clang >/dev/null 2>&1 && echo -DCMAKE_C_COMPILER=clang)
asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DFICD_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug $(ASAN_CC) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

# The libFuzzer targets (fuzz/fuzz_*.c) with clang, ASan and UBSan, in $(FUZZ_BUILD).
fuzz-build: deps-test
	@cmake -S . -B $(FUZZ_BUILD) -DFICD_FUZZ=ON -DCMAKE_C_COMPILER=clang $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers

# Runs every fuzz target for FUZZ_SECONDS (default 60) each, one after the other.
fuzz: fuzz-build
	@for f in fuzz/fuzz_*.c; do n=$$(basename $$f .c); n=$${n#fuzz_}; \
	  scripts/fuzz.sh $(FUZZ_BUILD) $$n $(FUZZ_SECONDS) || exit 1; done

run: build
	@$(BUILD)/ficd serve --data $(DATA) --listen 127.0.0.1:8080

# Unit tests under ASan+UBSan first, then every test (unit, integration, browser, 10 s per
# fuzz target, the HTTP tests against the ASan build) on the release build; the last line
# printed is ctest's summary of the full run.
test: deps-test build asan fuzz-build
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest -L unit --output-on-failure -j $(JOBS)
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-unit: build
	@cd $(BUILD) && ctest -L unit --output-on-failure -j $(JOBS)

test-asan: asan
	@cd $(ASAN_BUILD) && ctest -L unit --output-on-failure -j $(JOBS)

test-integration: build
	@cd $(BUILD) && ctest -L integration --output-on-failure -j $(JOBS)

test-browser: deps-test build
	@cd $(BUILD) && ctest -L browser --output-on-failure

bench: build
	@scripts/deps.sh bench
	@bash bench/run.sh

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
