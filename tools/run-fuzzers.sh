#!/bin/sh
# Runs every libFuzzer target of a -Dfuzz=true build for a while; `make fuzz` calls it.
#   tools/run-fuzzers.sh BUILDDIR SECONDS
# The committed seeds in fuzz/corpus/<target> are read, never written; what the fuzzer
# finds goes to BUILDDIR/fuzz-corpus/<target>, crashes to BUILDDIR/fuzz-crashes/.
# Exits non-zero when any target crashed, leaked, tripped a sanitizer or hung.
set -u
builddir=$1
seconds=${2:-60}
srcdir=$(cd "$(dirname "$0")/.." && pwd)

# Every sanitizer report is a crash; GSlice must not hide allocations from ASan.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:symbolize=1"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$srcdir/tests/lsan.supp:print_suppressions=0"
export G_SLICE=always-malloc
export G_DEBUG=gc-friendly
export LC_ALL=C.UTF-8

failed=""
summary=""
mkdir -p "$builddir/fuzz-crashes"
for target in reply line-reader session; do
  exe="$builddir/fuzz/fuzz-$target"
  corpus="$builddir/fuzz-corpus/$target"
  log="$builddir/fuzz-$target.log"
  mkdir -p "$corpus"
  echo "fuzz-$target: ${seconds} s…"
  "$exe" -max_total_time="$seconds" -timeout=10 -max_len=12288 -print_final_stats=1 \
    -artifact_prefix="$builddir/fuzz-crashes/$target-" \
    "$corpus" "$srcdir/fuzz/corpus/$target" >"$log" 2>&1
  status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  if [ "$status" -ne 0 ]; then
    failed="$failed $target"
    summary="$summary
  fuzz-$target: FAILED (exit $status) after ${execs:-?} runs; see $log and $builddir/fuzz-crashes/"
    grep -E "ERROR|SUMMARY|runtime error|Test unit written" "$log" | head -n 8
  else
    summary="$summary
  fuzz-$target: ${execs:-?} runs, no crash"
  fi
done

echo "Fuzzing for ${seconds} s a target:$summary"
if [ -n "$failed" ]; then
  echo "Crashes in:$failed (reproduce: $builddir/fuzz/fuzz-TARGET FILE)"
  exit 1
fi
