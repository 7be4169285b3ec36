#!/usr/bin/env bash
# scripts/fuzz.sh: runs one libFuzzer target from the fuzz build for a number of seconds.
# Usage: scripts/fuzz.sh FUZZ_BUILD_DIR NAME SECONDS [extra libFuzzer flags]
# The target first replays its seed corpus (fuzz/corpus/NAME/, read only) and every crash
# found so far (fuzz/regressions/NAME/), then fuzzes with a scratch corpus in
# FUZZ_BUILD_DIR/corpus-NAME (kept between runs). A crash, leak, timeout (10 s per input) or
# sanitizer report fails the run; the input is saved as FUZZ_BUILD_DIR/crash-NAME-*.
# Prints one summary line: executions, coverage (edges), features, corpus size.
set -euo pipefail
BUILD=$1 NAME=$2 SECONDS_=$3
shift 3
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN="$BUILD/fuzz_$NAME"
if [ ! -x "$BIN" ]; then
  echo "fuzz.sh: $BIN is missing: run 'make fuzz-build' (clang with libFuzzer)" >&2
  exit 1
fi
SCRATCH="$BUILD/corpus-$NAME"
mkdir -p "$SCRATCH"
args=(-max_total_time="$SECONDS_" -timeout=10 -rss_limit_mb=2048 -max_len=65536
  -print_final_stats=1 -artifact_prefix="$BUILD/crash-$NAME-")
[ -f "$SRC/fuzz/$NAME.dict" ] && args+=(-dict="$SRC/fuzz/$NAME.dict")
dirs=("$SCRATCH")
[ -d "$SRC/fuzz/corpus/$NAME" ] && dirs+=("$SRC/fuzz/corpus/$NAME")
[ -d "$SRC/fuzz/regressions/$NAME" ] && dirs+=("$SRC/fuzz/regressions/$NAME")
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
set +e
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
  FICD_SOURCE_DIR="$SRC" "$BIN" "${args[@]}" "$@" "${dirs[@]}" >"$LOG" 2>&1
rc=$?
set -e
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOG" | tail -1)
cov=$(grep -o 'cov: [0-9]*' "$LOG" | tail -1 | cut -d' ' -f2)
ft=$(grep -o 'ft: [0-9]*' "$LOG" | tail -1 | cut -d' ' -f2)
corp=$(grep -o 'corp: [0-9]*' "$LOG" | tail -1 | cut -d' ' -f2)
echo "fuzz_$NAME: ${SECONDS_}s, ${execs:-0} executions, coverage ${cov:-?} edges, ${ft:-?} features, corpus ${corp:-?}, exit $rc"
if [ $rc -ne 0 ]; then
  tail -60 "$LOG" >&2
  exit 1
fi
