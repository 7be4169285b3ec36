#!/usr/bin/env bash
# memory.sh: the server's anonymous memory stays flat after warm-up. A demo archive of 3,000
# works is served twice: with the page cache off, and with a 4 MB page cache. Each time a
# warm-up of 1,000 varied requests (filtered listings through the JSON API and the HTML works
# index, full-text searches, work pages, tag pages) is followed by 4,000 more, and the
# process's anonymous resident memory (RssAnon: the index, caches and heaps, not SQLite's
# memory map of the database file) may grow between the two by at most 6 MB (SQLite's page
# cache of each connection, 2 MB at most, fills as writes such as hit counts touch pages)
# plus the page cache's bound: a leak of 2 KB a request, or a cache that outgrows its bound,
# fails it.
# Usage: memory.sh path/to/ficd
set -euo pipefail
FICD=$(realpath "$1")
SRC=${FICD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$SRC/tests/integration/lib/common.sh"

DATA=$TMP/data
"$FICD" demo --data "$DATA" --works 3000 >/dev/null
"$FICD" tag list --data "$DATA" >"$TMP/tags.txt"

PID=
stop() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  cleanup
}
trap stop EXIT
for cache in 0 4M; do
bound_kb=$((6 * 1024))
[ "$cache" = 4M ] && bound_kb=$((10 * 1024))
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
FICD_PAGE_CACHE=$cache FICD_ACCESS_LOG=no FICD_THREADS=2 FICD_PER_IP_LIMIT=0 "$FICD" serve --listen "127.0.0.1:$PORT" \
  --data "$DATA" 2>"$TMP/server.log" &
PID=$!
for _ in $(seq 1 100); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
  sleep 0.1
done

set +e
python3 - "$PORT" "$PID" "$TMP/tags.txt" "$bound_kb" <<'EOF'
import http.client, random, sys, urllib.parse

port, pid, tags_path, bound = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
tags = {}
for line in open(tags_path, encoding="utf-8"):
    parts = line.rstrip("\n").split(None, 2)
    if len(parts) == 3:
        tags.setdefault(parts[0], []).append(parts[2])
rnd = random.Random(7)
words = ["harbor", "lantern", "garden", "river", "\"found fire\"", "ink -stone", "tower OR bridge"]
sorts = ["posted", "updated", "kudos", "words", "title", "hits"]

def one():
    k = rnd.random()
    if k < 0.1:
        return "/works/%d" % rnd.randint(1, 3000)
    if k < 0.15:
        return "/tags/%s/works" % urllib.parse.quote(rnd.choice(tags["fandom"]).replace("/", "*s*"), safe="")
    q = []
    if tags.get("fandom") and rnd.random() < 0.7:
        q.append(("fandom", rnd.choice(tags["fandom"])))
    for ty in ("character", "relationship", "freeform"):
        if tags.get(ty) and rnd.random() < 0.3:
            q.append(("tag", rnd.choice(tags[ty])))
    if tags.get("freeform") and rnd.random() < 0.5:
        q.append(("exclude_tag", rnd.choice(tags["freeform"])))
    for r in rnd.sample(["G", "T", "M", "E", "NR"], rnd.randint(0, 3)):
        q.append(("rating", r))
    if rnd.random() < 0.2:
        q.append(("q", rnd.choice(words)))
    q.append(("sort", rnd.choice(sorts)))
    q.append(("page", str(rnd.randint(1, 3))))
    base = "/api/v1/works" if rnd.random() < 0.6 else "/works"
    return base + "?" + urllib.parse.urlencode(q)

conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

def send(n):
    for _ in range(n):
        url = one()
        conn.request("GET", url, headers={"Accept-Encoding": "gzip" if rnd.random() < 0.5 else "identity"})
        r = conn.getresponse()
        r.read()
        # the HTML index answers 404 for a page past the end; everything else must be 200
        if r.status != 200 and not (r.status == 404 and url.startswith("/works?")):
            sys.exit("unexpected status %d for %s" % (r.status, url))

def anon_kb():
    for line in open("/proc/%s/status" % pid):
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
    sys.exit("no RssAnon")

send(1000)
a0 = anon_kb()
send(2000)
a1 = anon_kb()
send(2000)
a2 = anon_kb()
print("anonymous RSS after warm-up %d KB, +2000 requests %d KB, +4000 requests %d KB (growth %d KB)"
      % (a0, a1, a2, a2 - a0))
if a2 - a0 > bound:
    sys.exit("FAIL: anonymous memory grew by %d KB over 4000 requests after warm-up" % (a2 - a0))
EOF
rc=$?
set -e
kill -0 "$PID" 2>/dev/null && ok || fail "the server died (page cache $cache)"
[ "$rc" = 0 ] && ok || fail "memory check (page cache $cache)"
kill "$PID" 2>/dev/null || true
wait "$PID" 2>/dev/null || true
done
finish
