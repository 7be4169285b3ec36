#!/usr/bin/env bash
# bench/api.sh: latency and throughput of the JSON API (GET /api/v1/works) of `ficd serve` on
# a generated archive of N works (default 1M), with the 1000 mixed filter queries of
# bench_filter, against the same queries run in process in the same run.
#
# Usage: bash bench/api.sh   (or: bash bench/run.sh api)
# What it does:
#   1. builds ficd, bench_filter, bench_gen_store and bench_api_client;
#   2. the archive: bench_gen_store writes the generator's N works (bench/gen_meta.h, the
#      corpus bench_filter indexes) into a ficd data directory, cached in
#      $FICD_BUILD/bench-cache/store-<N>-s<seed>-<hash of gen_store.c and gen_meta.h>/ so
#      that later runs skip it (a changed generator makes a new one and drops the old); a
#      generation that was stopped (it writes into <dir>.tmp, 50,000 works a transaction) is
#      resumed by the next run; its log, with the generator's wall and CPU time, is <dir>.log;
#   3. bench_filter on the same corpus: its in-process figures (first run and best of 3 per
#      query) and, with --dump-urls, the 1000 queries as API requests with the expected total
#      and page of each;
#   4. `ficd serve` on a free loopback port with the page cache off (FICD_PAGE_CACHE=0: every
#      request is a search; the first pass would miss the cache anyway, later ones would not),
#      access log off, per-address limit off; waits for /healthz (the index is built before
#      the server listens) and for full text (built in the background from 20,000 works), then
#      one warm-up request (the first search builds the per-fandom
#      facet structures, as bench_filter's warm-up query does);
#   5. bench_api_client: the requests one after another on one keep-alive connection, three
#      passes, each timed from the first byte sent to the last byte received; without
#      compression and with a browser's Accept-Encoding (the server gzips JSON at level 1);
#      every answer must be 200 with the total and page bench_filter found;
#   6. wrk -t2 -c16 and -c64 walking the same list (bench/api_urls.lua), plain and gzip;
#   7. a Markdown report (printed and written to $FICD_BENCH_OUT) with the targets
#      (p50 <= 1 ms, p99 <= 8 ms through the API).
# Environment (all optional):
#   FICD_BUILD             build directory (default: build); its targets are built first
#   FICD_BENCH_WORKS       archive size (default 1000000)
#   FICD_BENCH_SEED        generator seed (default 1, bench_filter's default)
#   FICD_BENCH_SHAPE       corpus and query mix: classic (default) or ao3 (about 16 tags a work
#                          from archive-wide pools, 138k tags at 1M; queries: a fandom or any tag
#                          plus 0-2 tags, 2 excluded, 1-3 ratings, sorted by posting date)
#   FICD_BENCH_GEN_NICE    nice level of the archive generation (default 0; 10M works take
#                          about an hour of CPU)
#   FICD_BENCH_QUERIES     number of queries (default 1000)
#   FICD_BENCH_PASSES      sequential passes over the list (default 3)
#   FICD_BENCH_MEM_QUERIES queries sent before the last memory figure (default 10000)
#   FICD_BENCH_DURATION    wrk duration per run (default 10s); FICD_BENCH_CONNS ("16 64")
#   FICD_BENCH_WRK=0       skips the wrk runs; FICD_BENCH_WRK_TIMEOUT: wrk's per-request timeout
#                          (default 10s: a slow request at 10M works is a figure, not an error)
#   FICD_BENCH_THREADS     server worker threads (default: nproc)
#   FICD_BENCH_PAGE_CACHE  1 runs the server with its page cache as configured by default
#   FICD_BENCH_PERF=1      records a perf profile of the server during one plain pass and
#                          prints where the time goes (needs perf)
#   FICD_BENCH_CACHE       cache directory (default $FICD_BUILD/bench-cache)
#   FICD_BENCH_JOBS        build parallelism (default 2)
#   FICD_BENCH_OUT         report file (default $FICD_BUILD/bench-results/api-<N>.md)
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FICD_BUILD:-$SRC/build}
case $BUILD in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
WORKS=${FICD_BENCH_WORKS:-1000000}
SEED=${FICD_BENCH_SEED:-1}
SHAPE=${FICD_BENCH_SHAPE:-classic}
case $SHAPE in classic | ao3) ;; *) echo "bench/api: FICD_BENCH_SHAPE is classic or ao3" >&2; exit 2 ;; esac
QUERIES=${FICD_BENCH_QUERIES:-1000}
PASSES=${FICD_BENCH_PASSES:-3}
DURATION=${FICD_BENCH_DURATION:-10s}
CONNS=${FICD_BENCH_CONNS:-16 64}
THREADS=${FICD_BENCH_THREADS:-$(nproc)}
CACHE=${FICD_BENCH_CACHE:-$BUILD/bench-cache}
OUT=${FICD_BENCH_OUT:-$BUILD/bench-results/api-$SHAPE-$WORKS.md}

die() { echo "bench/api: $*" >&2; exit 1; }
for c in curl python3; do
  command -v "$c" >/dev/null || die "$c is required"
done
if [ "${FICD_BENCH_WRK:-1}" = 1 ]; then
  command -v wrk >/dev/null || die "wrk is required (scripts/deps.sh bench installs it), or FICD_BENCH_WRK=0"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ficd-bench-api.XXXXXX")
FICD_PID=
PERF_PID=
cleanup() {
  for p in $PERF_PID $FICD_PID; do
    if kill -0 "$p" 2>/dev/null; then
      kill -TERM "$p" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$p" 2>/dev/null || true
    fi
  done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- build ----
[ -f "$BUILD/CMakeCache.txt" ] || cmake -S "$SRC" -B "$BUILD" >/dev/null
cmake --build "$BUILD" -j "${FICD_BENCH_JOBS:-2}" --target ficd bench_filter bench_gen_store \
  bench_api_client >"$TMP/build.log" 2>&1 || { tail -30 "$TMP/build.log" >&2; die "build failed"; }

# ---- the archive (cached) ----
HASH=$(cat "$SRC/bench/gen_store.c" "$SRC/bench/gen_meta.h" | sha256sum | cut -c1-12)
DATA=$CACHE/store-$SHAPE-$WORKS-s$SEED-$HASH
mkdir -p "$CACHE"
if [ ! -f "$DATA/ficd.db" ]; then
  for old in "$CACHE"/store-"$SHAPE"-"$WORKS"-s"$SEED"-*; do
    [ -e "$old" ] && [ "$old" != "$DATA" ] && [ "$old" != "$DATA.log" ] && [ "$old" != "$DATA.tmp" ] && rm -rf "$old"
  done
  # An unfinished generation (stopped, killed) is resumed where its last batch ended.
  RESUME=()
  if [ -f "$DATA.tmp/ficd.db" ]; then
    RESUME=(--resume)
    echo "bench/api: resuming the generation in $DATA.tmp" >&2
  else
    rm -rf "$DATA.tmp"
    : >"$DATA.log"
  fi
  echo "bench/api: generating $WORKS works into $DATA (once; a few minutes per million, hours at 10M)" >&2
  nice -n "${FICD_BENCH_GEN_NICE:-0}" /usr/bin/time -f 'gen_time %e s wall, %U s user, %S s system, %M KB peak RSS' \
    "$BUILD/bench_gen_store" --out "$DATA.tmp" --works "$WORKS" --seed "$SEED" --shape "$SHAPE" \
    "${RESUME[@]}" >>"$DATA.log" 2>&1 || { tail -30 "$DATA.log" >&2; die "bench_gen_store failed"; }
  mv "$DATA.tmp" "$DATA"
fi
GEN_INFO=$(grep -E '^(archive|store|gen_time) ' "$DATA.log" 2>/dev/null | sed 's/^[a-z_]* *//; s#[^ ]*/ficd.db: ##' |
  tr '\n' ';' | sed 's/;$//' || true)
DB_MB=$(du -m "$DATA/ficd.db" | cut -f1)

# ---- in process: bench_filter on the same corpus, and the queries as URLs ----
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench/api: bench_filter --works $WORKS --queries $QUERIES (in process)" >&2
"$BUILD/bench_filter" --works "$WORKS" --queries "$QUERIES" --seed "$SEED" --shape "$SHAPE" \
  --dump-urls "$TMP/urls.txt" >"$TMP/filter.txt" 2>&1 || { cat "$TMP/filter.txt" >&2; die "bench_filter failed"; }
cat "$TMP/filter.txt" >&2

# ---- the server ----
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
PC_ENV=(FICD_PAGE_CACHE=0)
[ "${FICD_BENCH_PAGE_CACHE:-0}" = 1 ] && PC_ENV=()
echo "bench/api: ficd serve on $BASE (${PC_ENV[*]:-page cache on}), building its index" >&2
T0=$(date +%s.%N)
env FICD_ACCESS_LOG=yes FICD_PER_IP_LIMIT=0 FICD_THREADS="$THREADS" "${PC_ENV[@]}" \
  "$BUILD/ficd" serve --listen "127.0.0.1:$PORT" --data "$DATA" 2>"$TMP/ficd.log" &
FICD_PID=$!
until curl -sf -o /dev/null --max-time 2 "$BASE/healthz"; do
  kill -0 "$FICD_PID" 2>/dev/null || { cat "$TMP/ficd.log" >&2; die "ficd serve exited"; }
  sleep 0.5
done
START_S=$(python3 -c "import time; print(f'{time.time() - $T0:.0f}')")
# archives of 20,000 works or more build full text in the background after listening: wait
# for it (a text search answers 503 until then), so that the passes measure requests alone
while code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/works?q=work"); [ "$code" = 503 ] || [ "$code" = 000 ]; do
  kill -0 "$FICD_PID" 2>/dev/null || { cat "$TMP/ficd.log" >&2; die "ficd serve exited"; }
  sleep 0.5
done
# Memory split as the kernel counts it: anonymous (the index, caches, heaps) and file pages
# (SQLite's memory map of ficd.db: shared with the page cache, given back under pressure).
mem() { # mem LABEL: one table row
  awk -v l="$1" '/^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 } /^VmRSS:/ { r = $2 }
    END { printf "| %s | %.0f MB | %.0f MB | %.0f MB |\n", l, a / 1024, f / 1024, r / 1024 }' "/proc/$FICD_PID/status"
}
mem "after start (index built)" >"$TMP/mem.md"
INDEXED=$(grep -o 'indexed .*' "$TMP/ficd.log" | head -1)
# first search: builds the per-fandom facet structures (bench_filter counts it in its build)
WARM_MS=$(curl -s -o /dev/null -w '%{time_total}' "$BASE/api/v1/works?sort=kudos" |
  awk '{ printf "%.0f", $1 * 1000 }')
RSS_MB=$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$FICD_PID/status")
mem "after the first search (warm-up)" >>"$TMP/mem.md"

# ---- sequential: one keep-alive connection ----
client() { # client NAME [args]: runs the list PASSES times, output in $TMP/seq-NAME.txt
  local name=$1; shift
  echo "bench/api: sequential, $name" >&2
  "$BUILD/bench_api_client" --port "$PORT" --urls "$TMP/urls.txt" --expected "$TMP/urls.txt.expected" \
    --passes "$PASSES" --slow 5 "$@" >"$TMP/seq-$name.txt" ||
    { cat "$TMP/seq-$name.txt" >&2; die "wrong answers ($name)"; }
  cat "$TMP/seq-$name.txt" >&2
}
# Server-side times come from ficd's own access log (one line per request, "... 200 BYTES
# 0.123ms"): the lines of each client run are cut out by counting them.
log_lines() { grep -c ' /api/v1/works ' "$TMP/ficd.log" || true; }
server_side() { # server_side NAME FROM: p50/p90/p99/max of the first pass's requests after line FROM
  awk -v from="$2" -v n="$QUERIES" '/ \/api\/v1\/works / { c++; if (c > from && c <= from + n) {
      for (i = NF; i > 0; i--) if ($i ~ /^[0-9.]+ms$/) { v = $i; sub(/ms$/, "", v); print v; break } } }' "$TMP/ficd.log" | sort -g |
    awk -v name="$1" '{ v[NR] = $1 } END { if (NR) printf "%s n=%d p50 %.3f ms p90 %.3f ms p99 %.3f ms max %.3f ms\n", name, NR, v[int(NR * 0.5) + 1], v[int(NR * 0.9) + 1], v[int(NR * 0.99) + 1], v[NR] }'
}
L0=$(log_lines)
client plain
mem "after $((PASSES * QUERIES)) queries" >>"$TMP/mem.md"
L1=$(log_lines)
client gzip --gzip
server_side "server plain" "$L0" >"$TMP/server.txt"
server_side "server gzip" "$L1" >>"$TMP/server.txt"
cat "$TMP/server.txt" >&2
MEMQ=${FICD_BENCH_MEM_QUERIES:-10000}
if [ "$MEMQ" -gt $((2 * PASSES * QUERIES)) ]; then
  extra=$(((MEMQ - 2 * PASSES * QUERIES + QUERIES - 1) / QUERIES))
  echo "bench/api: $extra more passes for the memory figure" >&2
  "$BUILD/bench_api_client" --port "$PORT" --urls "$TMP/urls.txt" --passes "$extra" >/dev/null
fi
mem "after $MEMQ+ queries" >>"$TMP/mem.md"

if [ "${FICD_BENCH_PERF:-0}" = 1 ]; then
  command -v perf >/dev/null || die "perf is required for FICD_BENCH_PERF=1 (apt-get install linux-perf)"
  perf record -F 999 --call-graph dwarf,16384 -p "$FICD_PID" -o "$TMP/perf.data" >"$TMP/perf.log" 2>&1 &
  PERF_PID=$!
  sleep 1
  "$BUILD/bench_api_client" --port "$PORT" --urls "$TMP/urls.txt" --passes 1 ${FICD_BENCH_PERF_GZIP:+--gzip} >/dev/null
  kill -INT "$PERF_PID"
  wait "$PERF_PID" 2>/dev/null || true
  PERF_PID=
  perf report -i "$TMP/perf.data" --children --sort sym --stdio 2>/dev/null |
    grep -E '^ +[0-9.]+% +[0-9.]+% +\[\.\] [a-zA-Z_]' | head -60 >"$TMP/perf-top.txt" || true
  mkdir -p "$(dirname "$OUT")"
  cp "$TMP/perf-top.txt" "$(dirname "$OUT")/api-$WORKS-perf.txt"
fi

# ---- concurrency: wrk walking the list ----
to_ms() { # wrk prints 812.00us, 1.23ms, 1.01s
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0;
    else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
declare -A W
if [ "${FICD_BENCH_WRK:-1}" = 1 ]; then
  for enc in plain gzip; do
    ae=
    [ $enc = gzip ] && ae="gzip, deflate, br, zstd"
    for c in $CONNS; do
      echo "bench/api: wrk -t2 -c$c -d$DURATION --latency ($enc)" >&2
      FICD_BENCH_URLS=$TMP/urls.txt FICD_BENCH_AE=$ae wrk -t2 -c"$c" -d"$DURATION" --latency \
        --timeout "${FICD_BENCH_WRK_TIMEOUT:-10s}" \
        -s "$SRC/bench/api_urls.lua" "$BASE" >"$TMP/wrk-$enc-$c.txt" 2>&1 ||
        { cat "$TMP/wrk-$enc-$c.txt" >&2; die "wrk failed"; }
      if grep -qE 'Non-2xx|Socket errors' "$TMP/wrk-$enc-$c.txt"; then
        cat "$TMP/wrk-$enc-$c.txt" >&2
        die "errors under load ($enc, $c connections)"
      fi
      f=$TMP/wrk-$enc-$c.txt
      W[$enc.$c]="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$f") $(to_ms "$(awk '$1 == "50%" { print $2 }' "$f")") $(to_ms "$(awk '$1 == "90%" { print $2 }' "$f")") $(to_ms "$(awk '$1 == "99%" { print $2 }' "$f")")"
    done
  done
fi
kill -0 "$FICD_PID" 2>/dev/null || die "ficd died during the benchmark: $(tail -20 "$TMP/ficd.log")"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report ----
field() { # field FILE LINE-PREFIX NAME: the number after NAME on the line starting with PREFIX
  awk -v pre="$2" -v k="$3" 'index($0, pre) == 1 { for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' "$1"
}
row() { # row LABEL FILE PREFIX
  echo "| $1 | $(field "$2" "$3" p50) ms | $(field "$2" "$3" p90) ms | $(field "$2" "$3" p99) ms | $(field "$2" "$3" max) ms |"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "x%.1f", a / b; else print "-" }'; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t) ? "met" : "MISSED" }'; }
IP50=$(field "$TMP/filter.txt" "index      n" p50)
IP99=$(field "$TMP/filter.txt" "index      n" p99)
IBP50=$(field "$TMP/filter.txt" "index best" p50)
IBP99=$(field "$TMP/filter.txt" "index best" p99)
{
  echo "### JSON API: $WORKS works, $QUERIES filter queries ($(date +%Y-%m-%d), $(nproc) cores, $THREADS server threads)"
  echo
  echo "Archive: $GEN_INFO (generated once); ficd.db now $DB_MB MB."
  echo "Corpus and query mix: $SHAPE."
  echo "Server: \`ficd serve\` (${PC_ENV[*]:-page cache on}, access log on: the server-side rows), $INDEXED; listening after ${START_S} s;"
  echo "first search (warm-up) ${WARM_MS} ms; RSS after warm-up $RSS_MB MB."
  echo "Machine load average (1, 5, 15 min) before bench_filter: $LOAD_BEFORE; after the runs: $LOAD_AFTER."
  echo
  echo "Sequential, one keep-alive connection, $PASSES passes (first = each request's first run; best = best of the passes per request):"
  echo
  echo "| run | p50 | p90 | p99 | max |"
  echo "|---|---|---|---|---|"
  row "in process (bench_filter idx_search), first run" "$TMP/filter.txt" "index      n"
  row "in process, best of 3" "$TMP/filter.txt" "index best"
  row "in process, CPU time of the query (no wait for a core), best of 3" "$TMP/filter.txt" "cpu best"
  row "API server-side (access log), no compression, first pass" "$TMP/server.txt" "server plain"
  row "API server-side (access log), gzip, first pass" "$TMP/server.txt" "server gzip"
  row "API, no compression, first pass" "$TMP/seq-plain.txt" "first pass"
  row "API, no compression, best of passes" "$TMP/seq-plain.txt" "best of passes"
  row "API, Accept-Encoding gzip (browser), first pass" "$TMP/seq-gzip.txt" "first pass"
  row "API, Accept-Encoding gzip (browser), best of passes" "$TMP/seq-gzip.txt" "best of passes"
  echo
  echo "Answers: $(sed -n 's/^requests .*first pass: \(.*\); [0-9]* reconnects/\1/p' "$TMP/seq-gzip.txt") (gzip run)."
  for enc in plain gzip; do
    sp50=$(field "$TMP/server.txt" "server $enc" p50)
    sp99=$(field "$TMP/server.txt" "server $enc" p99)
    echo "- $enc, server-side first pass: / in process $(ratio "$sp50" "$IP50") at p50, $(ratio "$sp99" "$IP99") at p99 (target within x2);" \
      "target p50 <= 1 ms **$(verdict "$sp50" 1)** ($sp50 ms), p99 <= 5 ms **$(verdict "$sp99" 5)** ($sp99 ms)"
    p50=$(field "$TMP/seq-$enc.txt" "first pass" p50)
    p99=$(field "$TMP/seq-$enc.txt" "first pass" p99)
    echo "- $enc, first pass: API / in process $(ratio "$p50" "$IP50") at p50, $(ratio "$p99" "$IP99") at p99;" \
      "target p50 <= 1 ms **$(verdict "$p50" 1)** ($p50 ms), p99 <= 8 ms **$(verdict "$p99" 8)** ($p99 ms)"
  done
  echo
  echo "Memory of the server process (/proc/PID/status; file = SQLite's memory map of ficd.db):"
  echo
  echo "| when | anonymous | file | RSS |"
  echo "|---|---|---|---|"
  cat "$TMP/mem.md"
  if [ "${FICD_BENCH_WRK:-1}" = 1 ]; then
    echo
    echo "Concurrent: \`wrk -t2 -c{${CONNS// /,}} -d$DURATION --latency\` walking the same list, on the same cores as the server:"
    echo
    echo "| encoding | connections | req/s | p50 | p90 | p99 |"
    echo "|---|---|---|---|---|---|"
    for enc in plain gzip; do
      for c in $CONNS; do
        read -r rps p50 p90 p99 <<<"${W[$enc.$c]}"
        echo "| $enc | $c | $rps | $p50 ms | $p90 ms | $p99 ms |"
      done
    done
  fi
  if [ -s "$TMP/perf-top.txt" ]; then
    echo
    echo "Profile of the server during one plain pass (perf, inclusive %):"
    echo
    echo '```'
    cat "$TMP/perf-top.txt"
    echo '```'
  fi
} >"$TMP/report.md"
mkdir -p "$(dirname "$OUT")"
cp "$TMP/report.md" "$OUT"
for f in "$TMP/filter.txt" "$TMP"/seq-*.txt "$TMP"/wrk-*.txt; do
  [ -f "$f" ] && cp "$f" "$(dirname "$OUT")/api-$WORKS-$(basename "$f")"
done
cat "$TMP/report.md"
echo "bench/api: report also in $OUT" >&2
