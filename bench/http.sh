#!/usr/bin/env bash
# bench/http.sh: throughput and latency of `ficd serve` against nginx serving static copies
# of the same pages, with wrk on loopback.
#
# Usage: bash bench/http.sh   (meant to be called as: bash bench/run.sh http)
# What it does:
#   1. an archive in a temporary data dir: `ficd demo --works 200` (the index has ~200 works)
#      plus one imported, published work whose single chapter is ~5,000 words of generated
#      prose (invented words, fixed seed);
#   2. `ficd serve` on a free loopback port (access log off, per-address connection limit
#      off: wrk's 64 connections all come from 127.0.0.1);
#   3. curl saves the work page and /works into a directory that nginx (a config generated
#      here, `daemon off`, in the background) serves on another loopback port;
#   4. `wrk -t2 -c64 -d10s --latency` against ficd's work page, ficd's /works and nginx's two
#      copies, first without compression (wrk's default request), then with
#      `Accept-Encoding: gzip` (both servers compress on the fly);
#   5. a table of req/s, p50, p99 and the ficd/nginx ratios, checked against the targets
#      (dynamic work page >= 50 % of nginx's static throughput, p99 <= 10 ms at 64
#      connections). Exit status 0 either way; the verdict is in the table.
#   6. hit counting: a third ficd on the same data with `FICD_HITS=0`; the cached work page
#      with hits counted (the default) against it, alternating the two servers, checked
#      against the target (hits on >= 90 % of hits off).
# Environment (all optional):
#   FICD_BUILD            build directory holding ficd (default: build); it is built first
#   FICD                  a ficd binary to measure as it is (no build)
#   FICD_BENCH_DURATION   wrk duration per run (default 10s)
#   FICD_BENCH_CONNS      wrk connections (default 64)
#   FICD_BENCH_THREADS    ficd worker threads and nginx worker processes (default: nproc)
#   FICD_BENCH_GZIP       0 skips the gzip round (default 1)
#   FICD_BENCH_HITS       0 skips the hit-counting comparison (default 1); FICD_BENCH_HITS=only
#                         runs nothing else
#   FICD_BENCH_OUT        file the table is also written to
#                         (default: $FICD_BUILD/bench-results/http.md)
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FICD_BUILD:-$SRC/build}
case $BUILD in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
DURATION=${FICD_BENCH_DURATION:-10s}
CONNS=${FICD_BENCH_CONNS:-64}
THREADS=${FICD_BENCH_THREADS:-$(nproc)}
GZIP_ROUND=${FICD_BENCH_GZIP:-1}
HITS_ROUND=${FICD_BENCH_HITS:-1}
OUT=${FICD_BENCH_OUT:-$BUILD/bench-results/http.md}

die() { echo "bench/http: $*" >&2; exit 1; }
for c in wrk nginx curl python3; do
  command -v "$c" >/dev/null || die "$c is required (scripts/deps.sh bench installs it)"
done
NGINX=$(command -v nginx)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ficd-bench-http.XXXXXX")
FICD_PID=
FICD2_PID=
FICD3_PID=
NGINX_PID=
cleanup() {
  for p in $FICD_PID $FICD2_PID $FICD3_PID $NGINX_PID; do
    if kill -0 "$p" 2>/dev/null; then
      kill -TERM "$p" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$p" 2>/dev/null || true
    fi
  done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_http() { # wait_http URL
  for _ in $(seq 1 100); do
    curl -sf -o /dev/null --max-time 2 "$1" && return 0
    sleep 0.1
  done
  return 1
}

# ---- build (unless FICD names a binary to measure) ----
if [ -n "${FICD:-}" ]; then
  [ -x "$FICD" ] || die "FICD=$FICD is not an executable"
else
  [ -f "$BUILD/CMakeCache.txt" ] || cmake -S "$SRC" -B "$BUILD" >/dev/null
  cmake --build "$BUILD" -j "$(nproc)" --target ficd >"$TMP/build.log" 2>&1 ||
    { tail -30 "$TMP/build.log" >&2; die "build failed"; }
  FICD=$BUILD/ficd
fi

# ---- the archive ----
DATA=$TMP/data
echo "bench/http: making the archive (ficd demo --works 200, one ~5,000-word chapter)" >&2
"$FICD" demo --works 200 --seed 20261123 --data "$DATA" >"$TMP/demo.log"
# Invented prose: words built from syllables, sentences of 6-22 words, paragraphs of 3-9
# sentences, some dialogue; a fixed seed so every run has the same text.
python3 - "$TMP/long.txt" <<'PY'
import random, sys
rnd = random.Random(20261123)
syl = ["ka", "lo", "mi", "ren", "tha", "vel", "sor", "an", "is", "dru", "fen", "wy", "ta", "mor",
       "el", "quo", "ni", "bra", "shi", "ost"]
invented = sorted({"".join(rnd.choice(syl) for _ in range(rnd.randint(1, 3))) for _ in range(900)})
common = ("the a and of to in was she he they it that with for on at her his as but not by from "
          "had said into over under light water quay lantern boat night harbour rope hand door "
          "window stone road wind sea small old long cold quiet").split()
def word():
    return rnd.choice(common) if rnd.random() < 0.55 else rnd.choice(invented)
def sentence():
    w = [word() for _ in range(rnd.randint(6, 22))]
    s = " ".join(w)
    s = s[0].upper() + s[1:] + rnd.choice([".", ".", ".", "!", "?"])
    if rnd.random() < 0.15:
        s = '"' + s + '" said ' + rnd.choice(["Mira", "Tov", "the harbourmaster"]) + "."
    return s
out = ["Title: The Long Harbour", "Author: benchwriter", "Fandom: Tidewater Chronicles",
       "Rating: General Audiences", "Archive Warning: No Archive Warnings Apply",
       "Relationship: Mira/Tov", "Characters: Mira, Tov", "Summary: A long night at the quay.", ""]
words = 0
while words < 5000:
    p = " ".join(sentence() for _ in range(rnd.randint(3, 9)))
    words += len(p.split())
    out.append(p)
    out.append("")
open(sys.argv[1], "w").write("\n".join(out))
PY
WORK=$("$FICD" import --publish --data "$DATA" "$TMP/long.txt" 2>"$TMP/import.log" | tail -1)
[ -n "$WORK" ] || { cat "$TMP/import.log" >&2; die "import of the long work failed"; }
WORDS=$("$FICD" show --data "$DATA" "$WORK" 2>/dev/null | sed -n 's/.*Words: *\([0-9,]*\).*/\1/p' | tr -d , | head -1)
CHAPTERS=$("$FICD" show --data "$DATA" "$WORK" 2>/dev/null | sed -n 's/.*Chapters: *\([0-9]*\/[0-9?]*\).*/\1/p' | head -1)

# ---- ficd ----
FPORT=$(free_port)
FBASE=http://127.0.0.1:$FPORT
FICD_ACCESS_LOG=no FICD_PER_IP_LIMIT=0 FICD_THREADS=$THREADS \
  "$FICD" serve --listen "127.0.0.1:$FPORT" --data "$DATA" 2>"$TMP/ficd.log" &
FICD_PID=$!
wait_http "$FBASE/healthz" || { cat "$TMP/ficd.log" >&2; die "ficd serve did not start"; }
# the same archive served with the page cache off: every request rendered from the store
RPORT=$(free_port)
RBASE=http://127.0.0.1:$RPORT
FICD_ACCESS_LOG=no FICD_PER_IP_LIMIT=0 FICD_THREADS=$THREADS FICD_PAGE_CACHE=0 \
  "$FICD" serve --listen "127.0.0.1:$RPORT" --data "$DATA" 2>"$TMP/ficd-render.log" &
FICD2_PID=$!
wait_http "$RBASE/healthz" || { cat "$TMP/ficd-render.log" >&2; die "ficd serve (no page cache) did not start"; }

# the same archive without hit counting, for the hit-counting comparison
if [ "$HITS_ROUND" != 0 ]; then
  HPORT=$(free_port)
  HBASE=http://127.0.0.1:$HPORT
  FICD_ACCESS_LOG=no FICD_PER_IP_LIMIT=0 FICD_THREADS=$THREADS FICD_HITS=0 \
    "$FICD" serve --listen "127.0.0.1:$HPORT" --data "$DATA" 2>"$TMP/ficd-nohits.log" &
  FICD3_PID=$!
  wait_http "$HBASE/healthz" || { cat "$TMP/ficd-nohits.log" >&2; die "ficd serve (hits off) did not start"; }
fi

# ---- static copies for nginx ----
WWW=$TMP/www
mkdir -p "$WWW" "$TMP/nginx/logs" "$TMP/nginx/tmp"
chmod 755 "$TMP" "$WWW" # nginx's workers run as www-data
curl -sf "$FBASE/works/$WORK" -o "$WWW/work.html" || die "GET /works/$WORK failed"
curl -sf "$FBASE/works" -o "$WWW/works.html" || die "GET /works failed"
# precompressed copies (gzip_static): nginx at its fastest, compressing nothing per request
gzip -1 -k "$WWW/work.html" "$WWW/works.html"
chmod 644 "$WWW"/*.html "$WWW"/*.gz
grep -q "The Long Harbour" "$WWW/work.html" || die "the work page lacks its title"
INDEX_COUNT=$(grep -o '[0-9,]* Works' "$WWW/works.html" | head -1)
WORK_BYTES=$(wc -c <"$WWW/work.html")
INDEX_BYTES=$(wc -c <"$WWW/works.html")
WORK_GZ=$(curl -s -H 'Accept-Encoding: gzip' "$FBASE/works/$WORK" | wc -c)
INDEX_GZ=$(curl -s -H 'Accept-Encoding: gzip' "$FBASE/works" | wc -c)

NPORT=$(free_port)
NBASE=http://127.0.0.1:$NPORT
# Comparable to ficd: same worker count, keep-alive, no access log; gzip answers come from
# the precompressed .gz copies (gzip_static, level 1 as ficd's), so nginx does no per-request
# compression (on-the-fly gzip stays on, level 1, for anything else).
cat >"$TMP/nginx/nginx.conf" <<EOF
daemon off;
worker_processes $THREADS;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  default_type text/html;
  types { text/html html; }
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 65;
  client_body_temp_path $TMP/nginx/tmp/body;
  proxy_temp_path $TMP/nginx/tmp/proxy;
  fastcgi_temp_path $TMP/nginx/tmp/fastcgi;
  uwsgi_temp_path $TMP/nginx/tmp/uwsgi;
  scgi_temp_path $TMP/nginx/tmp/scgi;
  gzip on;
  gzip_static on;
  gzip_comp_level 1;
  gzip_min_length 1024;
  gzip_types text/html text/css application/json;
  server {
    listen 127.0.0.1:$NPORT;
    root $WWW;
    charset utf-8;
    location / { try_files \$uri =404; }
  }
}
EOF
"$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" 2>"$TMP/nginx/logs/stderr" &
NGINX_PID=$!
wait_http "$NBASE/work.html" || { cat "$TMP/nginx/logs/"* >&2; die "nginx did not start"; }
curl -s "$NBASE/work.html" -o "$TMP/nginx-copy.html"
cmp "$WWW/work.html" "$TMP/nginx-copy.html" >&2 || { head -c 300 "$TMP/nginx-copy.html" >&2; die "nginx serves a different work page"; }

# ---- runs ----
# run NAME URL [wrk args]: prints "rps p50_ms p99_ms"; fails on socket errors or non-2xx.
to_ms() { # wrk prints 812.00us, 1.23ms, 1.01s
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0;
    else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
run() {
  local name=$1 url=$2; shift 2
  wrk -t1 -c8 -d2s "$@" "$url" >/dev/null 2>&1 || true # warm-up
  wrk -t2 -c"$CONNS" -d"$DURATION" --latency "$@" "$url" >"$TMP/wrk-$name.txt" 2>&1 ||
    { cat "$TMP/wrk-$name.txt" >&2; die "wrk failed on $url"; }
  if grep -qE 'Non-2xx|Socket errors' "$TMP/wrk-$name.txt"; then
    cat "$TMP/wrk-$name.txt" >&2
    die "errors while loading $url"
  fi
  local rps p50 p99
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$TMP/wrk-$name.txt")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$TMP/wrk-$name.txt")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$TMP/wrk-$name.txt")")
  echo "$rps $p50 $p99"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A R
# ---- hit counting on vs off: the cached work page, the two servers alternating (3 runs
# each, the best of each kept) so that load from elsewhere on the machine hits both alike
if [ "$HITS_ROUND" != 0 ]; then
  best_on=0 best_off=0
  for i in 1 2 3; do
    for t in on off; do
      url=$FBASE/works/$WORK
      [ $t = off ] && url=$HBASE/works/$WORK
      echo "bench/http: hits $t ($i/3): wrk -t2 -c$CONNS -d$DURATION --latency $url" >&2
      res=$(run "hits-$t-$i" "$url")
      rps=${res%% *}
      if [ $t = on ]; then
        [ "$rps" -gt "$best_on" ] && best_on=$rps && R[hits_on]=$res
      else
        [ "$rps" -gt "$best_off" ] && best_off=$rps && R[hits_off]=$res
      fi
    done
  done
  HITS_COUNTED=$(curl -s "$FBASE/api/v1/works/$WORK" | python3 -c 'import json,sys; print(json.load(sys.stdin)["stats"]["hits"])' 2>/dev/null || echo "?")
fi
rounds=()
[ "$HITS_ROUND" != only ] && rounds=(plain)
[ "$GZIP_ROUND" = 1 ] && [ "$HITS_ROUND" != only ] && rounds+=(gzip)
for round in "${rounds[@]}"; do
  args=()
  [ "$round" = gzip ] && args=(-H 'Accept-Encoding: gzip')
  for t in ficd_work ficd_index render_work render_index nginx_work nginx_index; do
    case $t in
      ficd_work) url=$FBASE/works/$WORK ;;
      ficd_index) url=$FBASE/works ;;
      render_work) url=$RBASE/works/$WORK ;;
      render_index) url=$RBASE/works ;;
      nginx_work) url=$NBASE/work.html ;;
      nginx_index) url=$NBASE/works.html ;;
    esac
    echo "bench/http: $round $t: wrk -t2 -c$CONNS -d$DURATION --latency ${args[*]} $url" >&2
    R[$round.$t]=$(run "$round-$t" "$url" "${args[@]}")
  done
done
kill -0 "$FICD_PID" 2>/dev/null || die "ficd died during the benchmark: $(tail -20 "$TMP/ficd.log")"
kill -0 "$FICD2_PID" 2>/dev/null || die "ficd (no page cache) died during the benchmark: $(tail -20 "$TMP/ficd-render.log")"
HITS=$(curl -s "$FBASE/healthz" | sed -n 's/^page_cache_hits //p')
MISSES=$(curl -s "$FBASE/healthz" | sed -n 's/^page_cache_misses //p')
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report ----
get() { echo "${R[$1]}" | awk -v i="$2" '{ print $i }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f %%", 100 * a / b }'; }
{
  echo "### HTTP: ficd vs nginx static copies ($(date +%Y-%m-%d), $(nproc) cores, $THREADS ficd threads / nginx workers)"
  echo
  echo "Work page: work $WORK, ${WORDS:-?} words, ${CHAPTERS:-?} chapters, $WORK_BYTES bytes ($WORK_GZ gzipped)."
  echo "Index: /works, first page of ${INDEX_COUNT:-?}, $INDEX_BYTES bytes ($INDEX_GZ gzipped)."
  echo "Load: \`wrk -t2 -c$CONNS -d$DURATION --latency\` on loopback, wrk on the same $(nproc) cores as the server."
  echo "Machine load average (1, 5, 15 min) before the runs: $LOAD_BEFORE; after: $LOAD_AFTER."
  echo
  echo "ficd as configured by default (page cache on: anonymous pages kept until a change; $HITS hits,"
  echo "$MISSES misses over the run) and a second ficd on the same data with \`FICD_PAGE_CACHE=0\`"
  echo "(every request rendered from the store), against nginx serving saved copies of the same pages"
  echo "(gzip round: precompressed copies, \`gzip_static\`)."
  echo
  if [ ${#rounds[@]} -gt 0 ]; then
    echo "| round | page | ficd | ficd req/s | ficd p50 | ficd p99 | nginx req/s | nginx p50 | nginx p99 | ficd/nginx req/s |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    for round in "${rounds[@]}"; do
      for pg in work index; do
        n=$round.nginx_$pg
        for kind in ficd render; do
          f=$round.${kind}_$pg
          label="page cache"; [ $kind = render ] && label="rendering every request"
          echo "| $round | $pg | $label | $(get "$f" 1) | $(get "$f" 2) ms | $(get "$f" 3) ms | $(get "$n" 1) | $(get "$n" 2) ms | $(get "$n" 3) ms | $(ratio "$(get "$f" 1)" "$(get "$n" 1)") |"
        done
      done
    done
    echo
    for round in "${rounds[@]}"; do
      for kind in ficd render; do
        f=$round.${kind}_work n=$round.nginx_work
        label="page cache"; [ $kind = render ] && label="rendering every request"
        thr=$(awk -v a="$(get "$f" 1)" -v b="$(get "$n" 1)" 'BEGIN { print (a >= 0.5 * b) ? "met" : "MISSED" }')
        lat=$(awk -v p="$(get "$f" 3)" 'BEGIN { print (p <= 10) ? "met" : "MISSED" }')
        echo "- $round, $label: work page throughput >= 50 % of nginx static: **$thr** ($(ratio "$(get "$f" 1)" "$(get "$n" 1)")); work page p99 <= 10 ms: **$lat** ($(get "$f" 3) ms)"
      done
    done
  fi
  if [ "$HITS_ROUND" != 0 ]; then
    echo
    echo "Hit counting (one hit per visitor per work per day, counted in memory, written every"
    echo "few seconds): the cached work page with \`hits = on\` (default) against a third ficd"
    echo "with \`FICD_HITS=0\`, 3 alternating runs each, best kept; the work's hit count after the"
    echo "runs: $HITS_COUNTED (wrk's connections are one visitor)."
    echo
    echo "| hits | req/s | p50 | p99 |"
    echo "|---|---|---|---|"
    echo "| on | $(get hits_on 1) | $(get hits_on 2) ms | $(get hits_on 3) ms |"
    echo "| off | $(get hits_off 1) | $(get hits_off 2) ms | $(get hits_off 3) ms |"
    echo
    thr=$(awk -v a="$(get hits_on 1)" -v b="$(get hits_off 1)" 'BEGIN { print (a >= 0.9 * b) ? "met" : "MISSED" }')
    echo "- cached work page with hit counting >= 90 % of without: **$thr** ($(ratio "$(get hits_on 1)" "$(get hits_off 1)"))"
  fi
} >"$TMP/report.md"
mkdir -p "$(dirname "$OUT")"
cp "$TMP/report.md" "$OUT"
cp "$TMP"/wrk-*.txt "$(dirname "$OUT")/" 2>/dev/null || true
cat "$TMP/report.md"
echo "bench/http: table also in $OUT (raw wrk output beside it)" >&2
