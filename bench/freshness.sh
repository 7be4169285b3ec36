#!/usr/bin/env bash
# bench/freshness.sh: update latency: how long after a write a search finds it, on a running
# `ficd serve` over a big archive. The issue's target: a newly posted or edited work is
# findable within 1 s.
#
# Usage: bash bench/freshness.sh   (or: bash bench/run.sh freshness)
# What it does:
#   1. the archive: a copy of bench/api.sh's generated store of N works (default 1M; built
#      by bench_gen_store into $FICD_BUILD/bench-cache when missing), copied to a temporary
#      directory so that the cached one stays as generated;
#   2. `ficd serve` on a free loopback port with its defaults (page cache on), waiting until
#      it answers /healthz (the index is built first);
#   3. K times (default 20) each of:
#      - post: `ficd import --publish` of a small generated manuscript carrying a word found
#        nowhere else (another process writing to the same data directory, as a second node
#        or the CLI would), then GET /api/v1/works?q=WORD every 5 ms until total is 1;
#      - edit: `ficd tag add ID freeform TAG` on one of the archive's works with a tag that
#        does not exist yet, then GET /api/v1/works?tag=TAG every 5 ms until total is 1;
#      the time from the write command's start to the first answer that shows it;
#   4. p50, p90 and max of both, against the 1 s target.
# Environment (all optional):
#   FICD_BUILD          build directory (default: build); ficd and the generator are built
#   FICD_BENCH_WORKS    archive size (default 1000000); FICD_BENCH_SEED (default 1)
#   FICD_BENCH_ROUNDS   writes of each kind (default 20)
#   FICD_BENCH_CACHE    cache directory (default $FICD_BUILD/bench-cache)
#   FICD_BENCH_OUT      report file (default $FICD_BUILD/bench-results/freshness-<N>.md)
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FICD_BUILD:-$SRC/build}
case $BUILD in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
WORKS=${FICD_BENCH_WORKS:-1000000}
SEED=${FICD_BENCH_SEED:-1}
ROUNDS=${FICD_BENCH_ROUNDS:-20}
CACHE=${FICD_BENCH_CACHE:-$BUILD/bench-cache}
OUT=${FICD_BENCH_OUT:-$BUILD/bench-results/freshness-$WORKS.md}

die() { echo "bench/freshness: $*" >&2; exit 1; }
command -v curl >/dev/null || die "curl is required"
command -v python3 >/dev/null || die "python3 is required"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ficd-bench-fresh.XXXXXX")
FICD_PID=
cleanup() {
  if [ -n "$FICD_PID" ] && kill -0 "$FICD_PID" 2>/dev/null; then
    kill -TERM "$FICD_PID" 2>/dev/null || true
    wait "$FICD_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -f "$BUILD/CMakeCache.txt" ] || cmake -S "$SRC" -B "$BUILD" >/dev/null
cmake --build "$BUILD" -j 2 --target ficd bench_gen_store >"$TMP/build.log" 2>&1 ||
  { tail -30 "$TMP/build.log" >&2; die "build failed"; }

# ---- the archive: bench/api.sh's cached store, copied ----
HASH=$(cat "$SRC/bench/gen_store.c" "$SRC/bench/gen_meta.h" | sha256sum | cut -c1-12)
STORE=$CACHE/store-$WORKS-s$SEED-$HASH
if [ ! -f "$STORE/ficd.db" ]; then
  mkdir -p "$CACHE"
  echo "bench/freshness: generating $WORKS works into $STORE (once)" >&2
  rm -rf "$STORE.tmp"
  "$BUILD/bench_gen_store" --out "$STORE.tmp" --works "$WORKS" --seed "$SEED" >"$STORE.log"
  mv "$STORE.tmp" "$STORE"
fi
DATA=$TMP/data
cp -r "$STORE" "$DATA"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
echo "bench/freshness: ficd serve on $BASE over $WORKS works (building its index)" >&2
FICD_ACCESS_LOG=no FICD_PER_IP_LIMIT=0 "$BUILD/ficd" serve --listen "127.0.0.1:$PORT" \
  --data "$DATA" 2>"$TMP/ficd.log" &
FICD_PID=$!
until curl -sf -o /dev/null --max-time 2 "$BASE/healthz"; do
  kill -0 "$FICD_PID" 2>/dev/null || { cat "$TMP/ficd.log" >&2; die "ficd serve exited"; }
  sleep 0.5
done
INDEXED=$(grep -o 'indexed .*' "$TMP/ficd.log" | head -1 || true)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the writes, each followed by polling until the search shows it ----
python3 - "$BUILD/ficd" "$DATA" "$BASE" "$ROUNDS" "$TMP" >"$TMP/times.txt" <<'PY'
import json, random, subprocess, sys, time, urllib.parse, urllib.request
ficd, data, base, rounds, tmp = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
rng = random.Random(20261206)
syl = ["ka", "ri", "mo", "ten", "sha", "lo", "vi", "dre", "nu", "qua", "zel", "pho"]
def word(n=4):
    return "".join(rng.choice(syl) for _ in range(n))
def total(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())["total"]
def wait_for(url, t0):
    while time.monotonic() - t0 < 30:
        if total(url) == 1:
            return (time.monotonic() - t0) * 1000
        time.sleep(0.005)
    return float("inf")
for i in range(rounds):
    # post: a new work with a word of its own
    w = "fresh" + word() + str(i)
    path = f"{tmp}/post{i}.txt"
    with open(path, "w") as f:
        f.write(f"The {w.title()} Letters\nFandom: Freshness Bench\nRating: G\n\n")
        for _ in range(6):
            f.write(" ".join(word(rng.randint(1, 3)) for _ in range(40)) + ".\n\n")
        f.write(f"At the end of the quay the {w} lantern was still burning.\n")
    t0 = time.monotonic()
    subprocess.run([ficd, "import", "--publish", "--data", data, path], check=True,
                   stdout=subprocess.DEVNULL)
    print("post", wait_for(f"{base}/api/v1/works?q={w}", t0))
    # edit: a new tag on an existing work
    wid = rng.randint(1, 1000)
    tag = "Freshness Tag " + word() + str(i)
    t0 = time.monotonic()
    subprocess.run([ficd, "tag", "add", "--data", data, str(wid), "freeform", tag], check=True,
                   stdout=subprocess.DEVNULL)
    print("edit", wait_for(f"{base}/api/v1/works?tag={urllib.parse.quote(tag)}", t0))
PY
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p "$(dirname "$OUT")"
python3 - "$TMP/times.txt" "$WORKS" "$INDEXED" "$LOAD_BEFORE" "$LOAD_AFTER" "$ROUNDS" >"$OUT" <<'PY'
import sys, datetime
rows = [l.split() for l in open(sys.argv[1])]
works, indexed, lb, la, rounds = sys.argv[2:7]
print(f"### Update latency: {works} works, {rounds} posts and {rounds} edits "
      f"({datetime.date.today()}, `ficd serve` defaults)\n")
print(f"Server: {indexed}. Load average before: {lb}; after: {la}.\n")
print("Time from the write command's start (a separate `ficd` process on the same data directory)")
print("to the first `GET /api/v1/works` answer that shows it, polling every 5 ms.\n")
print("| write | n | p50 | p90 | max | within 1 s |")
print("|---|---|---|---|---|---|")
for kind, what in (("post", "post (`ficd import --publish`), found by a word of its own"),
                   ("edit", "edit (`ficd tag add`), found by the new tag")):
    v = sorted(float(r[1]) for r in rows if r[0] == kind)
    if not v:
        continue
    p = lambda q: v[min(len(v) - 1, int(q * len(v)))]
    ok = sum(1 for x in v if x <= 1000)
    print(f"| {what} | {len(v)} | {p(0.5):.0f} ms | {p(0.9):.0f} ms | {v[-1]:.0f} ms | {ok} of {len(v)} |")
PY
cat "$OUT"
echo "bench/freshness: report also in $OUT" >&2
