# Postacı — the two commands in README.md.
#   make run    install what is missing, build, and open the program
#   make check  install what is missing, build, and run every test

BUILDDIR ?= build
MESON ?= meson

.PHONY: all deps setup build run run-cli check clean

all: build

deps:
	@sh tools/install-deps.sh

$(BUILDDIR)/build.ninja:
	$(MESON) setup $(BUILDDIR) --buildtype=debugoptimized

setup: deps $(BUILDDIR)/build.ninja

build: setup
	$(MESON) compile -C $(BUILDDIR)

# The catalogs of the build tree (POSTACI_LOCALEDIR): not installed, the program would speak English.
run: build
	@if [ -x $(BUILDDIR)/src/gui/postaci ]; then \
	  GSETTINGS_SCHEMA_DIR=$(BUILDDIR)/data POSTACI_LOCALEDIR=$(abspath $(BUILDDIR))/po \
	    exec $(BUILDDIR)/src/gui/postaci $(ARGS); \
	else \
	  POSTACI_LOCALEDIR=$(abspath $(BUILDDIR))/po \
	    exec $(BUILDDIR)/src/cli/postaci-cli $(or $(ARGS),--help); \
	fi

check: build
	$(MESON) test -C $(BUILDDIR) --print-errorlogs $(TESTARGS)

clean:
	rm -rf $(BUILDDIR)
