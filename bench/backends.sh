#!/usr/bin/env bash
# bench/backends.sh: the same archive served from SQLite and from PostgreSQL, side by side:
# index build time at start, the JSON API and the rendered listing pages (server-side
# latency from the access log, and throughput under wrk), and memory; printed as a table
# with the PostgreSQL / SQLite ratio for each figure.
#
# Usage: bash bench/backends.sh   (or: bash bench/run.sh backends)
# What it does, for each size in FICD_BENCH_SIZES (default "100000 1000000"):
#   1. the archive: bench_gen_store writes N generated works into a SQLite data directory,
#      cached in $FICD_BUILD/bench-cache exactly as bench/api.sh caches it (shared with it);
#   2. bench_filter --dump-urls: 1000 filter queries of the mix (FICD_BENCH_SHAPE, default
#      ao3) as API requests with the total and page the index finds for each; the same
#      queries as rendered listing pages (/works?...);
#   3. a PostgreSQL 15 in a temporary directory (tests/pg/server.sh: loopback, fsync off,
#      which only matters for writes), and `ficd migrate` of the archive into a database of
#      its own (timed: the migration's own figure);
#   4. for each backend: `ficd serve` (page cache off, so every request is rendered; access
#      log on) timed from start to /healthz (the index build) and to full text searchable
#      (built in the background from 20,000 works), with the CPU time ficd and PostgreSQL
#      spent until then; one warm-up search, then on one keep-alive connection one pass of the
#      API queries (every answer checked against the index's total and page) and one pass of
#      the rendered pages, each with the server's CPU per request (ficd, and PostgreSQL's
#      processes, reaped backends included); then wrk -t2 -c16 for
#      FICD_BENCH_DURATION on each list; memory (anonymous, file) of the server at the end;
#   5. the table (also written to $FICD_BENCH_OUT).
# Environment (all optional): FICD_BUILD, FICD_BENCH_SIZES, FICD_BENCH_SHAPE (classic|ao3),
#   FICD_BENCH_QUERIES (1000), FICD_BENCH_DURATION (10s), FICD_BENCH_THREADS (nproc),
#   FICD_BENCH_CACHE, FICD_BENCH_OUT (default $FICD_BUILD/bench-results/backends.md).
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FICD_BUILD:-$SRC/build}
case $BUILD in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
SIZES=${FICD_BENCH_SIZES:-100000 1000000}
SHAPE=${FICD_BENCH_SHAPE:-ao3}
SEED=1
QUERIES=${FICD_BENCH_QUERIES:-1000}
DURATION=${FICD_BENCH_DURATION:-10s}
THREADS=${FICD_BENCH_THREADS:-$(nproc)}
CACHE=${FICD_BENCH_CACHE:-$BUILD/bench-cache}
OUT=${FICD_BENCH_OUT:-$BUILD/bench-results/backends.md}

die() { echo "bench/backends: $*" >&2; exit 1; }
for c in curl python3 wrk; do
  command -v "$c" >/dev/null || die "$c is required (scripts/deps.sh bench installs it)"
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ficd-bench-backends.XXXXXX")
FICD_PID=
cleanup() {
  if [ -n "$FICD_PID" ] && kill -0 "$FICD_PID" 2>/dev/null; then
    kill -TERM "$FICD_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$FICD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$FICD_PID" 2>/dev/null || true
  fi
  bash "$SRC/tests/pg/server.sh" stop "$TMP/pg" >/dev/null 2>&1 || true
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -f "$BUILD/CMakeCache.txt" ] || cmake -S "$SRC" -B "$BUILD" >/dev/null
cmake --build "$BUILD" -j "${FICD_BENCH_JOBS:-2}" --target ficd bench_filter bench_gen_store \
  bench_api_client >"$TMP/build.log" 2>&1 || { tail -30 "$TMP/build.log" >&2; die "build failed"; }

echo "bench/backends: starting PostgreSQL" >&2
bash "$SRC/tests/pg/server.sh" start "$TMP/pg" >&2 || die "cannot start PostgreSQL"
PG_URL=$(sed -n 's/^FICD_TEST_PG_URL=//p' "$TMP/pg/pg.env")
PGTMP=$(sed -n 's/^PGTMP=//p' "$TMP/pg/pg.env")
PG_VERSION=$(psql "${PG_URL}postgres" -Atc 'SHOW server_version' 2>/dev/null || echo "?")

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
secs_since() { python3 -c "import time; print(f'{time.time() - $1:.1f}')"; }
mem() { # mem PID: "anon file" in MB
  awk '/^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 } END { printf "%.0f %.0f", a / 1024, f / 1024 }' "/proc/$1/status"
}
# server_side LOG PATH FROM N: p50 and p99 (ms) of the N requests for PATH after the FROM-th
server_side() {
  awk -v path=" $2 " -v from="$3" -v n="$4" 'index($0, path) { c++; if (c > from && c <= from + n) {
      for (i = NF; i > 0; i--) if ($i ~ /^[0-9.]+ms$/) { v = $i; sub(/ms$/, "", v); print v; break } } }' "$1" |
    sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%.3f %.3f", v[int(NR * 0.5) + 1], v[int(NR * 0.99) + 1]; else print "- -" }'
}
count_lines() { grep -c " $2 " "$1" || true; }
# CPU time in clock ticks: of a process, and of the PostgreSQL server (the postmaster, the
# children it has reaped, and the live ones: backends, checkpointer, ...). Wall time on a
# shared machine waits for other work; CPU time is what a request or a build costs.
cpu_of() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
pg_cpu() {
  local pm t c
  pm=$(head -1 "$PGTMP/data/postmaster.pid")
  t=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat")
  for c in $(pgrep -P "$pm"); do t=$((t + $(cpu_of "$c" 2>/dev/null || echo 0))); done
  echo "$t"
}
TCK=$(getconf CLK_TCK)
# per_req TICKS N: microseconds per request
per_req() { awk -v t="$1" -v n="$2" -v hz="$TCK" 'BEGIN { printf "%.0f", t * 1e6 / hz / n }'; }
wrk_rps() { # wrk_rps URLS: requests per second walking the list
  FICD_BENCH_URLS=$1 wrk -t2 -c16 -d"$DURATION" --latency -s "$SRC/bench/api_urls.lua" "$BASE" >"$TMP/wrk.txt" 2>&1 ||
    { cat "$TMP/wrk.txt" >&2; die "wrk failed"; }
  if grep -qE 'Non-2xx|Socket errors' "$TMP/wrk.txt"; then
    cat "$TMP/wrk.txt" >&2
    die "errors under load"
  fi
  awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$TMP/wrk.txt"
}

# run_backend NAME DATA [ENV...]: serves DATA, measures, and leaves "KEY VALUE" lines in
# $TMP/res-NAME
run_backend() {
  local name=$1 data=$2
  shift 2
  local port log=$TMP/ficd-$name.log res=$TMP/res-$name
  port=$(free_port)
  BASE=http://127.0.0.1:$port
  # both backends build their index from the store: a snapshot left by an earlier run would
  # let one of them skip the build
  rm -f "$data/index.snap"
  local t0 p0=0 p1=0 c0 c1
  [ "$name" = pg ] && p0=$(pg_cpu)
  t0=$(python3 -c 'import time; print(time.time())')
  env "$@" FICD_PAGE_CACHE=0 FICD_ACCESS_LOG=yes FICD_PER_IP_LIMIT=0 FICD_THREADS="$THREADS" \
    "$BUILD/ficd" serve --listen "127.0.0.1:$port" --data "$data" 2>"$log" &
  FICD_PID=$!
  until curl -sf -o /dev/null --max-time 2 "$BASE/healthz"; do
    kill -0 "$FICD_PID" 2>/dev/null || { cat "$log" >&2; die "ficd serve exited ($name)"; }
    sleep 0.2
  done
  echo "start $(secs_since "$t0")" >"$res"
  # archives of 20,000 works or more build full text in the background: wait for it (a text
  # search answers 503 until then), so that the passes below measure requests alone
  local code
  while code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/works?q=work"); [ "$code" = 503 ] || [ "$code" = 000 ]; do
    kill -0 "$FICD_PID" 2>/dev/null || { cat "$log" >&2; die "ficd serve exited ($name)"; }
    sleep 0.2
  done
  echo "fulltext $(secs_since "$t0")" >>"$res"
  [ "$name" = pg ] && p1=$(pg_cpu)
  echo "start_cpu $(awk -v a="$(cpu_of "$FICD_PID")" -v b="$((p1 - p0))" -v hz="$TCK" 'BEGIN { printf "%.1f %.1f", a / hz, b / hz }')" >>"$res"
  curl -s -o /dev/null "$BASE/api/v1/works?sort=kudos"
  echo "bench/backends: $name: API pass" >&2
  local l0
  l0=$(count_lines "$log" /api/v1/works)
  c0=$(cpu_of "$FICD_PID")
  [ "$name" = pg ] && p0=$(pg_cpu)
  "$BUILD/bench_api_client" --port "$port" --urls "$TMP/urls.txt" --expected "$TMP/urls.txt.expected" \
    --passes 1 >"$TMP/seq-api-$name.txt" || { cat "$TMP/seq-api-$name.txt" >&2; die "wrong API answers ($name)"; }
  c1=$(cpu_of "$FICD_PID")
  [ "$name" = pg ] && p1=$(pg_cpu)
  echo "api $(server_side "$log" /api/v1/works "$l0" "$QUERIES")" >>"$res"
  echo "api_cpu $(per_req $((c1 - c0)) "$QUERIES") $(per_req $((p1 - p0)) "$QUERIES")" >>"$res"
  echo "bench/backends: $name: rendered pages pass" >&2
  l0=$(count_lines "$log" /works)
  c0=$(cpu_of "$FICD_PID")
  [ "$name" = pg ] && p0=$(pg_cpu)
  "$BUILD/bench_api_client" --port "$port" --urls "$TMP/pages.txt" --html --passes 1 >"$TMP/seq-pages-$name.txt" ||
    { cat "$TMP/seq-pages-$name.txt" >&2; die "page requests failed ($name)"; }
  c1=$(cpu_of "$FICD_PID")
  [ "$name" = pg ] && p1=$(pg_cpu)
  echo "pages $(server_side "$log" /works "$l0" "$QUERIES")" >>"$res"
  echo "pages_cpu $(per_req $((c1 - c0)) "$QUERIES") $(per_req $((p1 - p0)) "$QUERIES")" >>"$res"
  echo "bench/backends: $name: wrk" >&2
  echo "api_rps $(wrk_rps "$TMP/urls.txt")" >>"$res"
  echo "pages_rps $(wrk_rps "$TMP/pages.txt")" >>"$res"
  echo "mem $(mem "$FICD_PID")" >>"$res"
  kill -TERM "$FICD_PID"
  wait "$FICD_PID" 2>/dev/null || true
  FICD_PID=
}

get() { awk -v k="$2" '$1 == k { print $('"${3:-2}"') }' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }

{
  echo "### SQLite vs PostgreSQL, the same archive ($(date +%Y-%m-%d), $(nproc) cores, $THREADS server threads)"
  echo
  echo "PostgreSQL $PG_VERSION in a temporary directory on loopback (tests/pg/server.sh: fsync off, 64 MB shared buffers); SQLite in WAL mode."
  echo "Corpus and queries: $SHAPE shape, $QUERIES filter queries (bench_filter's mix), page cache off (every request rendered)."
  echo "Load average before: $(cut -d' ' -f1-3 /proc/loadavg)."
} >"$TMP/report.md"

for N in $SIZES; do
  HASH=$(cat "$SRC/bench/gen_store.c" "$SRC/bench/gen_meta.h" | sha256sum | cut -c1-12)
  DATA=$CACHE/store-$SHAPE-$N-s$SEED-$HASH
  mkdir -p "$CACHE"
  if [ ! -f "$DATA/ficd.db" ]; then
    echo "bench/backends: generating $N works into $DATA (once)" >&2
    rm -rf "$DATA.tmp"
    "$BUILD/bench_gen_store" --out "$DATA.tmp" --works "$N" --seed "$SEED" --shape "$SHAPE" >"$DATA.log" ||
      { cat "$DATA.log" >&2; die "bench_gen_store failed"; }
    mv "$DATA.tmp" "$DATA"
  fi
  echo "bench/backends: $N works: the queries (bench_filter --dump-urls)" >&2
  "$BUILD/bench_filter" --works "$N" --queries "$QUERIES" --seed "$SEED" --shape "$SHAPE" \
    --dump-urls "$TMP/urls.txt" >"$TMP/filter.txt" 2>&1 || { cat "$TMP/filter.txt" >&2; die "bench_filter failed"; }
  sed 's#^/api/v1/works?#/works?#' "$TMP/urls.txt" >"$TMP/pages.txt"

  DB=ficd_bench_$N
  psql "${PG_URL}postgres" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
  # a cached archive from an older ficd gets this one's migrations first (migrate wants the
  # same schema version on both sides)
  "$BUILD/ficd" list --data "$DATA" --limit 1 >/dev/null 2>&1 || die "cannot open $DATA"
  echo "bench/backends: $N works: ficd migrate into PostgreSQL" >&2
  t0=$(python3 -c 'import time; print(time.time())')
  "$BUILD/ficd" migrate --from "$DATA" --to "$PG_URL$DB" >"$TMP/migrate.txt" 2>&1 ||
    { cat "$TMP/migrate.txt" >&2; die "ficd migrate failed"; }
  MIGRATE_S=$(secs_since "$t0")
  PG_MB=$(psql "${PG_URL}postgres" -Atc "SELECT pg_database_size('$DB') / 1048576")
  SQ_MB=$(du -m "$DATA/ficd.db" | cut -f1)

  run_backend sqlite "$DATA"
  mkdir -p "$TMP/pgdata-$N"
  run_backend pg "$TMP/pgdata-$N" FICD_DATABASE="$PG_URL$DB"

  S=$TMP/res-sqlite P=$TMP/res-pg
  {
    echo
    echo "#### $N works"
    echo
    echo "Database size: SQLite $SQ_MB MB, PostgreSQL $PG_MB MB; \`ficd migrate\` copied and verified it in $MIGRATE_S s."
    echo
    echo "| figure | SQLite | PostgreSQL | PostgreSQL / SQLite |"
    echo "|---|---|---|---|"
    echo "| start to serving (index build) | $(get "$S" start) s | $(get "$P" start) s | $(ratio "$(get "$P" start)" "$(get "$S" start)") |"
    echo "| start to full text searchable | $(get "$S" fulltext) s | $(get "$P" fulltext) s | $(ratio "$(get "$P" fulltext)" "$(get "$S" fulltext)") |"
    echo "| start to full text: CPU of ficd + PostgreSQL | $(get "$S" start_cpu) s | $(get "$P" start_cpu) + $(get "$P" start_cpu 3) s | $(ratio "$(awk -v a="$(get "$P" start_cpu)" -v b="$(get "$P" start_cpu 3)" 'BEGIN { print a + b }')" "$(get "$S" start_cpu)") |"
    echo "| API, CPU per request: ficd + PostgreSQL | $(get "$S" api_cpu) µs | $(get "$P" api_cpu) + $(get "$P" api_cpu 3) µs | $(ratio "$(awk -v a="$(get "$P" api_cpu)" -v b="$(get "$P" api_cpu 3)" 'BEGIN { print a + b }')" "$(get "$S" api_cpu)") |"
    echo "| rendered listing, CPU per request: ficd + PostgreSQL | $(get "$S" pages_cpu) µs | $(get "$P" pages_cpu) + $(get "$P" pages_cpu 3) µs | $(ratio "$(awk -v a="$(get "$P" pages_cpu)" -v b="$(get "$P" pages_cpu 3)" 'BEGIN { print a + b }')" "$(get "$S" pages_cpu)") |"
    echo "| API, server-side p50 | $(get "$S" api) ms | $(get "$P" api) ms | $(ratio "$(get "$P" api)" "$(get "$S" api)") |"
    echo "| API, server-side p99 | $(get "$S" api 3) ms | $(get "$P" api 3) ms | $(ratio "$(get "$P" api 3)" "$(get "$S" api 3)") |"
    echo "| rendered listing, server-side p50 | $(get "$S" pages) ms | $(get "$P" pages) ms | $(ratio "$(get "$P" pages)" "$(get "$S" pages)") |"
    echo "| rendered listing, server-side p99 | $(get "$S" pages 3) ms | $(get "$P" pages 3) ms | $(ratio "$(get "$P" pages 3)" "$(get "$S" pages 3)") |"
    echo "| API, wrk -c16 req/s | $(get "$S" api_rps) | $(get "$P" api_rps) | $(ratio "$(get "$P" api_rps)" "$(get "$S" api_rps)") |"
    echo "| rendered listing, wrk -c16 req/s | $(get "$S" pages_rps) | $(get "$P" pages_rps) | $(ratio "$(get "$P" pages_rps)" "$(get "$S" pages_rps)") |"
    echo "| server memory: anonymous | $(get "$S" mem) MB | $(get "$P" mem) MB | $(ratio "$(get "$P" mem)" "$(get "$S" mem)") |"
    echo "| server memory: file pages | $(get "$S" mem 3) MB | $(get "$P" mem 3) MB | - |"
  } >>"$TMP/report.md"
  psql "${PG_URL}postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null
done
echo >>"$TMP/report.md"
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)." >>"$TMP/report.md"
mkdir -p "$(dirname "$OUT")"
cp "$TMP/report.md" "$OUT"
cat "$TMP/report.md"
echo "bench/backends: report also in $OUT" >&2
