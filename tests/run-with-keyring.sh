#!/bin/sh
# Runs a test on a private D-Bus session bus with an unlocked GNOME Keyring of its own, in a
# throwaway home: the test stores and reads real passwords without touching the user's keyring.
set -eu
home=$(mktemp -d "${TMPDIR:-/tmp}/postaci-keyring-XXXXXX")
trap 'rm -rf "$home"' EXIT INT TERM
mkdir -m 700 "$home/run"
export HOME="$home" XDG_RUNTIME_DIR="$home/run" XDG_DATA_HOME="$home/data" \
  XDG_CONFIG_HOME="$home/config" POSTACI_TEST_KEYRING=session
# In the sanitizer build, full stacks: the one GDBus allocation tests/lsan.supp names is only
# recognised below GLib's frames, which the fast unwinder cannot walk.
if [ -n "${ASAN_OPTIONS:-}" ]; then
  ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
  export ASAN_OPTIONS
fi
status=0
dbus-run-session -- sh -c '
  # The daemon without G_DEBUG=fatal-warnings of the tests: GNOME Keyring 42 warns when an item
  # is replaced, and would abort in the middle of a store.
  printf "%s" postaci-test | env -u G_DEBUG gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"' sh "$@" || status=$?
exit "$status"
