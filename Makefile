# Postacı — the two commands in README.md.
#   make run    install what is missing, build, and open the program
#   make check  install what is missing, build, and run every test
#   make fuzz   build the libFuzzer targets with clang (build-fuzz) and run each for a minute
#   make deb    build the Debian packages (postaci-cli, postaci) in build-deb from a clean copy

BUILDDIR ?= build
MESON ?= meson

.PHONY: all deps setup build run run-cli check fuzz deb clean

all: build

deps:
	@sh tools/install-deps.sh

$(BUILDDIR)/build.ninja:
	$(MESON) setup $(BUILDDIR) --buildtype=debugoptimized

setup: deps $(BUILDDIR)/build.ninja

build: setup
	$(MESON) compile -C $(BUILDDIR)

# Run from the build tree, the programs find its catalogs on their own (src/core/postaci-locale.c).
run: build
	@if [ -x $(BUILDDIR)/src/gui/postaci ]; then \
	  GSETTINGS_SCHEMA_DIR=$(BUILDDIR)/data exec $(BUILDDIR)/src/gui/postaci $(ARGS); \
	else \
	  exec $(BUILDDIR)/src/cli/postaci-cli $(or $(ARGS),--help); \
	fi

# The same core and CLI tests again, built with AddressSanitizer and UBSan: any report
# (a memory error, undefined behaviour, a leak) aborts the test. GSlice is bypassed so that
# every allocation is the sanitizer's to see.
ASANDIR ?= build-asan
SANITIZER_ENV = ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1 \
  UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1 \
  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
  G_SLICE=always-malloc

$(ASANDIR)/build.ninja:
	$(MESON) setup $(ASANDIR) --buildtype=debugoptimized -Dgui=false \
	  -Db_sanitize=address,undefined -Db_lundef=false

check: build $(ASANDIR)/build.ninja
	$(MESON) compile -C $(ASANDIR)
	@status=0; \
	$(MESON) test -C $(BUILDDIR) --print-errorlogs $(TESTARGS) || status=1; \
	echo "Sanitizers (address, undefined, leaks): $(ASANDIR)"; \
	$(SANITIZER_ENV) $(MESON) test -C $(ASANDIR) --print-errorlogs \
	  --no-suite valgrind --no-suite soak --no-suite package $(TESTARGS) || status=1; \
	exit $$status

FUZZDIR ?= build-fuzz
FUZZ_SECONDS ?= 60

fuzz: deps
	@command -v clang >/dev/null || { echo "make fuzz needs clang (apt-get install clang)"; exit 1; }
	@[ -f $(FUZZDIR)/build.ninja ] || CC=clang $(MESON) setup $(FUZZDIR) -Dfuzz=true -Dgui=false \
	  -Db_lundef=false --buildtype=debugoptimized
	$(MESON) compile -C $(FUZZDIR)
	@sh tools/run-fuzzers.sh $(FUZZDIR) $(FUZZ_SECONDS)

# The packages, from the files git knows (tools/build-deb.sh); DEB_BUILD_OPTIONS passes through.
DEBDIR ?= build-deb

deb: deps
	@sh tools/build-deb.sh $(DEBDIR)

clean:
	rm -rf $(BUILDDIR) $(ASANDIR) $(FUZZDIR) $(DEBDIR)
