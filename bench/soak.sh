#!/usr/bin/env bash
# bench/soak.sh: the soak. `ficd serve` on an archive of 500 demo works and 20 signed-in
# writers, under wrk with 1,000 connections for FICD_SOAK_DURATION (default 60s) mixing
# cached pages, rendered pages, searches, JSON API calls and posts by signed-in users
# (bench/soak.lua). The server's RSS is sampled every 2 s. Reports requests, errors (HTTP
# status >= 400 and socket errors), p50/p99/max latency, and RSS after warm-up (the first
# fifth of the run) against RSS at the end; the verdict: no errors and RSS flat (end within
# 10 % + 16 MB of the warm-up figure).
#
# Usage: bash bench/soak.sh            (or: bash bench/run.sh soak; `make bench` runs it)
# Environment: FICD_BUILD (default build), FICD (a binary to use as is), FICD_SOAK_DURATION
# (wrk duration, default 60s), FICD_SOAK_CONNS (default 1000), FICD_SOAK_OUT (also write
# the table there; default $FICD_BUILD/bench-results/soak.md; the RSS samples go beside it
# as soak-rss.txt). Exit status 1 on a failed verdict.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FICD_BUILD:-$SRC/build}
case $BUILD in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
DURATION=${FICD_SOAK_DURATION:-60s}
CONNS=${FICD_SOAK_CONNS:-1000}
OUT=${FICD_SOAK_OUT:-$BUILD/bench-results/soak.md}
die() { echo "bench/soak: $*" >&2; exit 1; }
for c in wrk curl python3; do command -v "$c" >/dev/null || die "$c is required"; done
ulimit -n 8192 2>/dev/null || ulimit -n 4096 2>/dev/null || true

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ficd-soak.XXXXXX")
PID=
SAMPLER=
cleanup() {
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null || true
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

if [ -z "${FICD:-}" ]; then
  [ -f "$BUILD/CMakeCache.txt" ] || cmake -S "$SRC" -B "$BUILD" >/dev/null
  cmake --build "$BUILD" -j "$(nproc)" --target ficd >"$TMP/build.log" 2>&1 ||
    { tail -30 "$TMP/build.log" >&2; die "build failed"; }
  FICD=$BUILD/ficd
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATA=$TMP/data
export FICD_ACCESS_LOG=no FICD_PER_IP_LIMIT=0 FICD_CONNECTION_LIMIT=4096 \
  FICD_RATE_POST=0 FICD_RATE_SIGNUP=0 FICD_RATE_LOGIN=0 FICD_RATE_OTHER=0
start() {
  "$FICD" serve --listen "127.0.0.1:$PORT" --data "$DATA" 2>>"$TMP/ficd.log" &
  PID=$!
  for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && return 0; sleep 0.1; done
  cat "$TMP/ficd.log" >&2; die "ficd serve did not start"
}
stop() { kill -TERM "$PID"; wait "$PID" || true; PID=; }

# ---- the archive: setup (open sign-up), 500 demo works, 20 writers with a work each ----
echo "bench/soak: making the archive (500 demo works, 20 signed-in writers)" >&2
start
python3 - "$PORT" "$SRC" <<'PY'
import sys
sys.path.insert(0, sys.argv[2] + "/tests/integration/lib")
import ficdhttp
ficdhttp.setup_archive(int(sys.argv[1]))
PY
stop
"$FICD" demo --works 500 --seed 20261206 --data "$DATA" >/dev/null
start
python3 - "$PORT" "$SRC" "$TMP/users.tsv" <<'PY'
import sys
sys.path.insert(0, sys.argv[2] + "/tests/integration/lib")
import ficdhttp
port = int(sys.argv[1])
with open(sys.argv[3], "w") as out:
    for i in range(20):
        c = ficdhttp.signup(port, f"soaker{i}", "soak-pass-1234")
        r, wid = ficdhttp.post_work(c, f"Soak work of soaker{i}", "<p>Soak text.</p>",
                                    fandom="Soak Fandom")
        if not wid:
            sys.exit(f"post failed: {r.status}")
        c.get(f"/works/{wid}/edit")
        cookie = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
        out.write(f"{cookie}\t{c.token}\t{wid}\tsoaker{i}\n")
PY
export FICD_SOAK_USERS=$TMP/users.tsv FICD_SOAK_WORKS=500

# ---- RSS sampler ----
( while kill -0 "$PID" 2>/dev/null; do
    echo "$(date +%s) $(awk '/^VmRSS/ {print $2}' /proc/$PID/status)"; sleep 2
  done ) >"$TMP/rss.txt" 2>/dev/null &
SAMPLER=$!

echo "bench/soak: wrk -t2 -c$CONNS -d$DURATION (cached, rendered, search, API, posts)" >&2
wrk -t2 -c"$CONNS" -d"$DURATION" --timeout 10s --latency -s "$SRC/bench/soak.lua" \
  "http://127.0.0.1:$PORT" >"$TMP/wrk.txt" 2>&1 || true
kill "$SAMPLER" 2>/dev/null || true
SAMPLER=
line=$(grep '^SOAK ' "$TMP/wrk.txt" || true)
[ -n "$line" ] || { cat "$TMP/wrk.txt" >&2; die "wrk gave no summary"; }
val() { echo "$line" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
n=$(wc -l <"$TMP/rss.txt")
warm=$(awk -v n="$n" 'NR == int(n / 5) + 1 {print $2}' "$TMP/rss.txt")
end=$(tail -1 "$TMP/rss.txt" | awk '{print $2}')
peak=$(awk '$2 > m {m = $2} END {print m}' "$TMP/rss.txt")
flat=$(awk -v w="$warm" -v e="$end" 'BEGIN {print (e <= w * 1.10 + 16384) ? "yes" : "no"}')
errs=$(( $(val errors_http) + $(val errors_socket) ))
alive=yes; kill -0 "$PID" 2>/dev/null || alive=no
verdict=pass
[ "$errs" = 0 ] && [ "$flat" = yes ] && [ "$alive" = yes ] || verdict=FAIL
mkdir -p "$(dirname "$OUT")"
{
  echo "| duration | connections | requests | req/s | errors | p50 ms | p99 ms | max ms | RSS warm MB | RSS end MB | RSS peak MB | flat | verdict |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '| %s | %s | %s | %s | %s %s | %s | %s | %s | %.1f | %.1f | %.1f | %s | %s |\n' \
    "$DURATION" "$CONNS" "$(val requests)" "$(val rps)" "$errs" "$(val codes)" "$(val p50_ms)" \
    "$(val p99_ms)" "$(val max_ms)" "$(echo "$warm / 1024" | bc -l)" "$(echo "$end / 1024" | bc -l)" \
    "$(echo "$peak / 1024" | bc -l)" "$flat" "$verdict"
} | tee "$OUT"
cp "$TMP/rss.txt" "${OUT%.md}-rss.txt" # the RSS samples (unix time, kB), for a closer look
grep -A4 "Latency Distribution" "$TMP/wrk.txt" >&2 || true
stop
[ "$verdict" = pass ]
