#!/usr/bin/env bash
# bench/restart.sh: how soon `ficd serve` answers after a start over a big archive. The issue's
# target at 1M works: filtered listings within 10 s of the start, full text within 30 s.
#
# Usage: bash bench/restart.sh   (or: bash bench/run.sh restart)
# What it does:
#   1. the archive: bench/api.sh's generated store of N works (AO3 shape by default; built by
#      bench_gen_store into $FICD_BUILD/bench-cache when missing), or FICD_BENCH_STORE; used in
#      place (serve writes only settings and DIR/index.snap there; a snapshot already there is
#      moved aside and put back). With FICD_DATABASE set (postgres://...), the works are in that
#      database and the directory only holds the snapshot;
#   2. three starts of `ficd serve`, each timed from the spawn: until a filtered listing
#      (GET /api/v1/works?rating=teen&sort=kudos) answers 200, and until a full-text search
#      (GET /api/v1/works?q=dragon) answers 200 (polling both every 50 ms), with the process's
#      CPU time (user+sys) at those moments and its peak resident memory:
#      - "whole build": no snapshot, the index built whole before listening (what every start
#        did before snapshots; FICD_INDEX_DEFER_MIN set above N);
#      - "background full text": no snapshot, listings first, full text in a background thread
#        (503 meanwhile; FICD_INDEX_DEFER_MIN=1, so also below 20000 works); the snapshot is
#        written once full text is ready;
#      - "snapshot": the start loads that snapshot;
#      each stopped with SIGTERM (timed: it writes the snapshot when the index changed);
#   3. a table in $FICD_BUILD/bench-results/restart-<shape>-<N>[-pg].md and on stdout.
# Environment (all optional):
#   FICD_BUILD          build directory (default: build)
#   FICD_BENCH_WORKS    archive size (default 1000000); FICD_BENCH_SEED (default 1)
#   FICD_BENCH_SHAPE    classic or ao3 (default ao3)
#   FICD_BENCH_STORE    a data directory to use instead of the cached one
#   FICD_BENCH_RUNS     which starts, in order (default "whole background snapshot")
#   FICD_DATABASE       PostgreSQL URL of a database holding the archive (see bench/README.md)
#   FICD_BENCH_OUT      report file
# The machine's load average is printed with the figures: wall times on a shared machine are
# noisy, CPU times much less so.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FICD_BUILD:-$SRC/build}
case $BUILD in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
WORKS=${FICD_BENCH_WORKS:-1000000}
SEED=${FICD_BENCH_SEED:-1}
SHAPE=${FICD_BENCH_SHAPE:-ao3}
RUNS=${FICD_BENCH_RUNS:-whole background snapshot}
CACHE=${FICD_BENCH_CACHE:-$BUILD/bench-cache}
PGSUF=
[ -n "${FICD_DATABASE:-}" ] && PGSUF=-pg
OUT=${FICD_BENCH_OUT:-$BUILD/bench-results/restart-$SHAPE-$WORKS$PGSUF.md}

die() { echo "bench/restart: $*" >&2; exit 1; }
command -v curl >/dev/null || die "curl is required"
command -v python3 >/dev/null || die "python3 is required"

[ -f "$BUILD/CMakeCache.txt" ] || cmake -S "$SRC" -B "$BUILD" >/dev/null
cmake --build "$BUILD" -j 2 --target ficd bench_gen_store >/dev/null 2>&1 ||
  die "build failed (cmake --build $BUILD --target ficd bench_gen_store)"

if [ -n "${FICD_BENCH_STORE:-}" ]; then
  DATA=$FICD_BENCH_STORE
  [ -d "$DATA" ] || die "FICD_BENCH_STORE $DATA is not a directory"
else
  [ -z "${FICD_DATABASE:-}" ] || die "with FICD_DATABASE, set FICD_BENCH_STORE to a directory"
  HASH=$(cat "$SRC/bench/gen_store.c" "$SRC/bench/gen_meta.h" | sha256sum | cut -c1-12)
  DATA=$CACHE/store-$SHAPE-$WORKS-s$SEED-$HASH
  if [ ! -f "$DATA/ficd.db" ]; then
    mkdir -p "$CACHE"
    echo "bench/restart: generating $WORKS works into $DATA (once; a few minutes per million)" >&2
    rm -rf "$DATA.tmp"
    "$BUILD/bench_gen_store" --out "$DATA.tmp" --works "$WORKS" --seed "$SEED" --shape "$SHAPE" \
      >"$DATA.log"
    mv "$DATA.tmp" "$DATA"
  fi
fi
SNAP=$DATA/index.snap
if [ -e "$SNAP" ]; then
  mv "$SNAP" "$SNAP.bench-saved"
  trap 'rm -f "$SNAP"; mv "$SNAP.bench-saved" "$SNAP"' EXIT
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ficd-bench-restart.XXXXXX")
mkdir -p "$(dirname "$OUT")"
python3 - "$BUILD/ficd" "$DATA" "$WORKS" "$TMP" "$RUNS" "$SHAPE" "${FICD_DATABASE:+PostgreSQL}" >"$OUT" <<'PY'
import datetime, os, signal, socket, subprocess, sys, time, urllib.request, urllib.error
ficd, data, works, tmp, runs, shape, pg = sys.argv[1:8]
backend = pg or "SQLite"
snap = os.path.join(data, "index.snap")
tick = os.sysconf("SC_CLK_TCK")

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / tick

def hwm(pid):
    with open(f"/proc/{pid}/status") as f:
        for l in f:
            if l.startswith("VmHWM:"):
                return int(l.split()[1]) / 1024 / 1024
    return 0

def status(url):
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            r.read(); return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except Exception:
        return 0

def start(name, env_extra):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, FICD_ACCESS_LOG="no", FICD_PER_IP_LIMIT="0", **env_extra)
    log = open(f"{tmp}/{name}.log", "w")
    t0 = time.monotonic()
    p = subprocess.Popen([ficd, "serve", "--listen", f"127.0.0.1:{port}", "--data", data],
                         stderr=log, env=env)
    listing = text = None
    cl = ct = None
    while time.monotonic() - t0 < 3600:
        if p.poll() is not None:
            sys.exit(f"bench/restart: ficd serve exited: {open(log.name).read()[-2000:]}")
        if listing is None and status(base + "/api/v1/works?rating=teen&sort=kudos") == 200:
            listing, cl = time.monotonic() - t0, cpu(p.pid)
        if listing is not None and status(base + "/api/v1/works?q=dragon") == 200:
            text, ct = time.monotonic() - t0, cpu(p.pid)
            break
        time.sleep(0.05)
    if name == "background":  # wait for the snapshot written after the build
        while "index snapshot written" not in open(log.name).read():
            time.sleep(0.2)
    mem = hwm(p.pid)
    t1 = time.monotonic()
    p.send_signal(signal.SIGTERM)
    p.wait()
    stop = time.monotonic() - t1
    lines = [l.strip() for l in open(log.name) if l.startswith("ficd: ") and
             ("indexed" in l or "full text" in l or "snapshot" in l)]
    return dict(name=name, listing=listing, text=text, cl=cl, ct=ct, mem=mem, stop=stop, log=lines)

load0 = open("/proc/loadavg").read().split()[:3]
rows = []
for name in runs.split():
    if name == "whole":
        if os.path.exists(snap): os.remove(snap)
        rows.append(start(name, {"FICD_INDEX_DEFER_MIN": str(10**9)}))
        if os.path.exists(snap): os.remove(snap)
    elif name == "background":
        if os.path.exists(snap): os.remove(snap)
        rows.append(start(name, {"FICD_INDEX_DEFER_MIN": "1"}))
    elif name == "snapshot":
        if not os.path.exists(snap):
            sys.exit("bench/restart: no snapshot to start from (run 'background' first)")
        size = os.path.getsize(snap)
        r = start(name, {})
        r["snap"] = size
        rows.append(r)
    else:
        sys.exit(f"bench/restart: unknown run {name}")
load1 = open("/proc/loadavg").read().split()[:3]

what = {"whole": "no snapshot, index built whole before listening",
        "background": "no snapshot, full text in the background",
        "snapshot": "from the snapshot"}
print(f"### Restart: {int(works):,} works ({shape} shape) on {backend} ({datetime.date.today()})\n")
print(f"Load average before: {' '.join(load0)}; after: {' '.join(load1)} (2 cores shared with other")
print("work: wall times are inflated, the CPU times of the ficd process much less).\n")
print("| start | filtered listing | full-text search | CPU at listing | CPU at full text | peak RSS | stop (SIGTERM) |")
print("|---|---|---|---|---|---|---|")
f = lambda v: "-" if v is None else f"{v:.1f} s"
for r in rows:
    print(f"| {what[r['name']]} | {f(r['listing'])} | {f(r['text'])} | {f(r['cl'])} | {f(r['ct'])} | "
          f"{r['mem']:.2f} GB | {r['stop']:.1f} s |")
print()
for r in rows:
    if "snap" in r:
        print(f"Snapshot file: {r['snap'] / 2**20:.0f} MB.\n")
print("Server log lines:\n")
for r in rows:
    for l in r["log"]:
        print(f"    [{r['name']}] {l}")
PY
rm -rf "$TMP"
cat "$OUT"
echo "bench/restart: written to $OUT" >&2
