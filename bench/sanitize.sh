#!/usr/bin/env bash
# bench/sanitize.sh: the sanitizer micro-benchmark (bench/sanitize.c): sanitize_html with its
# gumbo-free fast path against gumbo alone, on the chapter HTML the importer writes and on
# raw .html manuscripts, from a generated corpus, pinned to one CPU.
#
# Usage: bash bench/sanitize.sh   (or: bash bench/run.sh sanitize)
# Environment (all optional):
#   FICD_BUILD          build directory (default: build)
#   FICD_BENCH_MB       corpus size in megabytes (default 20)
#   FICD_BENCH_SEED     generator seed (default 20261123)
#   FICD_BENCH_CACHE    where the corpus is kept (default: $FICD_BUILD/bench-cache)
#   FICD_BENCH_CPU      the CPU the run is pinned to (default 0)
#   FICD_BENCH_REPEAT   runs per input and mode, the best counts (default 3)
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FICD_BUILD:-$SRC/build}
case $BUILD in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
MB=${FICD_BENCH_MB:-20}
SEED=${FICD_BENCH_SEED:-20261123}
CACHE=${FICD_BENCH_CACHE:-$BUILD/bench-cache}
CPU=${FICD_BENCH_CPU:-0}
REPEAT=${FICD_BENCH_REPEAT:-3}

die() { echo "bench/sanitize: $*" >&2; exit 1; }
command -v taskset >/dev/null || die "taskset (util-linux) is required"
[ -f "$BUILD/CMakeCache.txt" ] || cmake -S "$SRC" -B "$BUILD" >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target bench_sanitize bench_gen_manuscripts >/dev/null ||
  die "build failed"

# The corpus of the import benchmark's generator, at its own size (kept beside the import's).
key=$(sha256sum <"$SRC/bench/gen_manuscripts.c" | cut -c1-12)
CORPUS=$CACHE/sanitize-corpus-$SEED-${MB}mb-$key
if [ ! -d "$CORPUS" ]; then
  mkdir -p "$CACHE"
  find "$CACHE" -maxdepth 1 -name 'sanitize-corpus-*' -exec rm -rf {} + 2>/dev/null || true
  rm -rf "$CORPUS.tmp"
  mkdir -p "$CORPUS.tmp"
  "$BUILD/bench_gen_manuscripts" --out "$CORPUS.tmp" --total-mb "$MB" --seed "$SEED" >/dev/null
  mv "$CORPUS.tmp" "$CORPUS"
fi
cd "$CORPUS"
echo "bench/sanitize: ${MB} MB corpus (seed $SEED), pinned to CPU $CPU, best of $REPEAT" >&2
find . -maxdepth 1 -type f -printf '%f\0' | sort -z |
  xargs -0 taskset -c "$CPU" "$BUILD/bench_sanitize" --repeat "$REPEAT"
