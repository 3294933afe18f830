#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a GUI test in a throwaway home of its own: HOME and every XDG folder point into a new
# temporary folder, removed when the test ends however it ends. The window reads and writes
# settings, saved servers, the Local Test Server's mail and the keyring under them; a test must
# never see or change the person's own (postaci_gui_test_private_cache() checks this).
set -eu
home=$(mktemp -d "${TMPDIR:-/tmp}/postaci-home-XXXXXX")
trap 'rm -rf "$home"' EXIT INT TERM
mkdir -m 700 "$home/run"
export HOME="$home" XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" \
  XDG_CACHE_HOME="$home/cache" XDG_STATE_HOME="$home/state" XDG_RUNTIME_DIR="$home/run"
status=0
"$@" || status=$?
exit "$status"
