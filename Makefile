# Postacı — the two commands in README.md.
#   make run    install what is missing, build, and open the program
#   make check  install what is missing, build, and run every test
#   make fuzz   build the libFuzzer targets with clang (build-fuzz) and run each for a minute

BUILDDIR ?= build
MESON ?= meson

.PHONY: all deps setup build run run-cli check fuzz clean

all: build

deps:
	@sh tools/install-deps.sh

$(BUILDDIR)/build.ninja:
	$(MESON) setup $(BUILDDIR) --buildtype=debugoptimized

setup: deps $(BUILDDIR)/build.ninja

build: setup
	$(MESON) compile -C $(BUILDDIR)

run: build
	@if [ -x $(BUILDDIR)/src/gui/postaci ]; then \
	  exec $(BUILDDIR)/src/gui/postaci $(ARGS); \
	else \
	  exec $(BUILDDIR)/src/cli/postaci-cli $(or $(ARGS),--help); \
	fi

check: build
	$(MESON) test -C $(BUILDDIR) --print-errorlogs $(TESTARGS)

FUZZDIR ?= build-fuzz
FUZZ_SECONDS ?= 60

fuzz: deps
	@command -v clang >/dev/null || { echo "make fuzz needs clang (apt-get install clang)"; exit 1; }
	@[ -f $(FUZZDIR)/build.ninja ] || CC=clang $(MESON) setup $(FUZZDIR) -Dfuzz=true -Dgui=false \
	  -Db_lundef=false --buildtype=debugoptimized
	$(MESON) compile -C $(FUZZDIR)
	@sh tools/run-fuzzers.sh $(FUZZDIR) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILDDIR)
