# The two commands: `make run` and `make check`.  Everything else is a step of
# theirs, or a shorter loop beside them (`make test`, `make coverage`).
BUILD_DIR ?= build
# The tests' build (TSR_TESTS, -Werror) has its own directory, so `make run` and
# `make test` never rebuild each other's tree.
CHECK_DIR ?= build-check
ASAN_DIR ?= build-asan
JOBS ?= $(shell nproc)
RUN_ARGS ?=
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 30
COVERAGE_DIR ?= build-coverage

.PHONY: all bench demo run check layers test coverage deps-coverage deps-bench build build-runonly build-check build-asan unit unit-asan unit-valgrind e2e e2e-asan deps deps-check install deb deb-runonly clean fuzz

all: build

deps:
	@scripts/install-deps.sh build

deps-check:
	@scripts/install-deps.sh check

deps-coverage:
	@scripts/install-deps.sh coverage

deps-bench:
	@scripts/install-deps.sh bench

# The server as `make run` builds it: the build packages only, warnings not fatal.
RUN_CMAKE_ARGS = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTSR_TESTS=OFF -DTSR_WERROR=OFF

build: deps
	@cmake -S . -B $(BUILD_DIR) $(RUN_CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target tessera

# Starts Tessera on http://localhost:8080 with its data in ./data.
run: build
	@exec ./$(BUILD_DIR)/tessera serve $(RUN_ARGS)

# The SPA + API demo: Tessera, examples/api-c and examples/spa, provisioned
# through the Management API; prints the URL, user and password (Ctrl-C stops).
# STACK=angular: examples/angular (auth0-angular) and examples/api-node (Express).
STACK ?= c
demo: deps
	@BUILD_DIR=$(BUILD_DIR) DEMO_STACK=$(STACK) scripts/demo.sh

build-check: deps-check
	@cmake -S . -B $(CHECK_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTSR_TESTS=ON -DTSR_WERROR=ON >/dev/null
	@cmake --build $(CHECK_DIR) -j $(JOBS)

build-asan: deps-check
	@cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DTSR_TESTS=ON -DTSR_WERROR=ON -DTSR_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_DIR) -j $(JOBS)

unit: build-check
	@ctest --test-dir $(CHECK_DIR) --output-on-failure

# No #include goes up the layers of cmake/layers.cmake (a second, no build).
layers:
	@scripts/check-layers.sh

# The edit loop: the layer check, the unit tests and the fuzz corpus replays (ctest), nothing slower.
test: layers unit

unit-asan: build-asan
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --test-dir $(ASAN_DIR) --output-on-failure

unit-valgrind: build-check
	@scripts/valgrind-unit.sh $(CHECK_DIR)

# E2E_DEB_DIR (set by `make check`): where the install suite takes its package
# from (TESSERA_DEB) instead of running `make deb` itself.
E2E_DEB = $(if $(E2E_DEB_DIR),TESSERA_DEB="$$(ls -t $(E2E_DEB_DIR)/*.deb | head -n 1)")

e2e: build-check
	@$(E2E_DEB) TESSERA_BIN=$(CURDIR)/$(CHECK_DIR)/tessera scripts/e2e.sh

# The same suites against the sanitizer build: a leak or memory error makes the
# server's exit status non-zero, which the suites check on every stop.
e2e-asan: build-asan
	@$(E2E_DEB) ASAN_OPTIONS=detect_leaks=1 TESSERA_BIN=$(CURDIR)/$(ASAN_DIR)/tessera scripts/e2e.sh

# Line coverage per src/ folder (not part of `make check`): a gcov build in
# COVERAGE_DIR runs the unit tests and the end-to-end suites (COVERAGE_E2E=0:
# the unit tests only), then gcovr's totals are printed per folder.
coverage: deps-coverage
	@cmake -S . -B $(COVERAGE_DIR) -DCMAKE_BUILD_TYPE=Debug -DTSR_TESTS=ON -DTSR_WERROR=ON -DTSR_COVERAGE=ON >/dev/null
	@cmake --build $(COVERAGE_DIR) -j $(JOBS)
	@scripts/coverage.sh $(COVERAGE_DIR)

# Installs under PREFIX (/usr/local unless given) the tessera
# binary, its man pages, a default config file (PREFIX/etc/tessera/tessera.conf;
# /etc/tessera/ for PREFIX=/usr; an existing one is kept), the systemd unit
# tessera.service and the sysusers.d entry of its user, and libtessera-verify
# (header, shared and static library, pkg-config file).  DESTDIR stages it all
# under another root.  Needs the build packages only.
PREFIX ?= /usr/local
DESTDIR ?=
INSTALL_TARGETS = tessera tessera-docs tessera-verify tessera-verify-static
install: deps
	@cmake -S . -B $(BUILD_DIR) $(RUN_CMAKE_ARGS) \
		-DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target $(INSTALL_TARGETS)
	@DESTDIR="$(DESTDIR)" cmake --install $(BUILD_DIR)

# A Debian package of what `make install` installs, for /usr and /etc, built
# by CPack in its own build directory: DEB_DIR/tessera_VERSION-1_ARCH.deb.
DEB_DIR ?= build-deb
deb: deps
	@cmake -S . -B $(DEB_DIR) $(RUN_CMAKE_ARGS) -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
	@cmake --build $(DEB_DIR) -j $(JOBS) --target $(INSTALL_TARGETS)
	@cd $(DEB_DIR) && cpack -G DEB >/dev/null
	@ls $(DEB_DIR)/*.deb

# The `make run` build with every test-only package hidden from pkg-config,
# in a scratch build directory: the server must never need them.
RUNONLY_DIR ?= build-runonly
build-runonly: deps-check
	@BUILD_DIR=$(RUNONLY_DIR) JOBS=$(JOBS) scripts/check-run-build.sh $(RUN_CMAKE_ARGS)

# make check's Debian package for the install suite of both e2e passes:
# `make deb` in the run-only build, whose options are the package's but the
# prefix, which no object file depends on, so the server is not compiled a
# third time in DEB_DIR.
deb-runonly: build-runonly
	@$(MAKE) -s deb DEB_DIR=$(RUNONLY_DIR) >/dev/null

# Installs what the tests need, builds, and runs every test.
check: E2E_DEB_DIR = $(CURDIR)/$(RUNONLY_DIR)
check: layers build-runonly deb-runonly unit unit-asan unit-valgrind e2e e2e-asan
	@echo "make check: all tests passed"

# Runs every libFuzzer target in fuzz/ for FUZZ_SECONDS each (clang, ASan + UBSan),
# from scratch copies of the committed corpora; see docs/fuzzing.md.
fuzz:
	@scripts/install-deps.sh fuzz
	@cmake -S . -B $(FUZZ_DIR) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DTSR_TESTS=OFF -DTSR_FUZZ=ON -DTSR_WERROR=OFF >/dev/null
	@cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzz_all
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh $(FUZZ_DIR)

# Speed beside a peer, in one run (not a test; docs/performance.md): Tessera
# (Release build in BENCH_DIR) and node-oidc-provider under wrk, the limits of
# the same machine (openssl speed, nginx, argon2id), libtessera-verify against
# jose.  Installs its own packages (wrk, nginx-light) and npm modules (pinned).
# BENCH_SECONDS: the length of each wrk run.
BENCH_DIR ?= build-bench
BENCH_SECONDS ?= 8
bench: deps-bench
	@cd bench && npm ci --no-audit --no-fund --loglevel=error
	@cmake -S . -B $(BENCH_DIR) -DCMAKE_BUILD_TYPE=Release -DTSR_TESTS=OFF -DTSR_WERROR=OFF >/dev/null
	@cmake --build $(BENCH_DIR) -j $(JOBS)
	@BENCH_SECONDS=$(BENCH_SECONDS) node bench/run.mjs --build-dir $(BENCH_DIR)

clean:
	rm -rf $(BUILD_DIR) $(CHECK_DIR) $(ASAN_DIR) $(FUZZ_DIR) $(DEB_DIR) $(COVERAGE_DIR) $(BENCH_DIR)
