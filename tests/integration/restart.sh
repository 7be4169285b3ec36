#!/usr/bin/env bash
# restart.sh: fast restarts end to end. A clean stop writes DIR/index.snap; the next start
# loads it ("from the snapshot" in the log) and applies what was written while the server was
# down; after a SIGKILL the older snapshot is loaded and catches up from the change log; a
# truncated or foreign snapshot is refused with the reason logged and the index is built from
# the store; with full text built in the background (FICD_INDEX_DEFER_MIN=1) listings answer
# and text searches answer either 503 with Retry-After and a notice, or the complete result.
# Every start must find exactly the works of the store, by filter and by full text.
# Usage: restart.sh path/to/ficd
FICD=$(realpath "$1")
SRC=${FICD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$SRC/tests/integration/lib/common.sh"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
DATA="$TMP/data"
SNAP="$DATA/index.snap"
SERVER_PID=
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
}
trap 'stop_server; cleanup' EXIT

start() { # start LOG [env...]
  local log=$1; shift
  env FICD_THREADS=2 "$@" "$FICD" serve --listen "127.0.0.1:$PORT" --data "$DATA" 2>"$log" &
  SERVER_PID=$!
  for _ in $(seq 1 150); do
    curl -s --max-time 2 "$BASE/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "server did not start: $(tail -5 "$log")"
}
stop() { # stop LOG: SIGTERM, exit status 0, no sanitizer report
  kill -TERM "$SERVER_PID"
  set +e; wait "$SERVER_PID"; local rc=$?; set -e
  [ "$rc" = 0 ] && ok || fail "server exit status $rc after SIGTERM"
  if grep -qE "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" "$1"; then
    fail "sanitizer report: $(grep -A20 -E "ERROR: |runtime error:" "$1" | head -40)"
  fi
  SERVER_PID=
}
kill9() {
  kill -KILL "$SERVER_PID"
  set +e; wait "$SERVER_PID" 2>/dev/null; set -e
  SERVER_PID=
}
# total WORD: works matching full-text WORD; also checks filtered listings add up
total() {
  curl -s --max-time 30 "$BASE/api/v1/works?q=$1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'
}
fandom_total() {
  curl -s --max-time 30 "$BASE/api/v1/works?fandom=Restart%20Saga&sort=title" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["total"], ",".join(w["title"] for w in d["works"]))'
}
manuscript() { # manuscript N WORD: a work in fandom "Restart Saga" whose body holds WORD
  cat >"$TMP/m$1.md" <<EOF
---
title: "Restart $1"
creators: ["Wren"]
fandoms: ["Restart Saga"]
rating: "General Audiences"
warnings: ["No Archive Warnings Apply"]
language: "English"
---

The lighthouse keeper wrote $2 in the margin of chapter $1.
EOF
  expect_status 0 "$FICD" import --publish --data "$DATA" "$TMP/m$1.md"
}
check() { # check WHAT N WORD...: the fandom lists N works and each WORD is found once
  local what=$1 n=$2; shift 2
  local got
  got=$(fandom_total)
  [ "${got%% *}" = "$n" ] && ok || fail "$what: fandom listing $got, expected $n works"
  for w in "$@"; do
    got=$(total "$w")
    [ "$got" = 1 ] && ok || fail "$what: full text '$w' found $got works, expected 1"
  done
}

expect_status 0 "$FICD" demo --works 40 --data "$DATA"
manuscript 1 zephyrine

# ---- first start: built from the store; a write while serving; a clean stop ----
start "$TMP/s1.log"
expect_grep "indexed 41 works (" "$TMP/s1.log"
check "first start" 1 zephyrine
manuscript 2 obsidianite # another process: the server follows the change log
sleep 0.5
check "write while serving" 2 zephyrine obsidianite
stop "$TMP/s1.log"
[ -s "$SNAP" ] && ok || fail "no index snapshot after a clean stop"
expect_grep "index snapshot written (at shutdown)" "$TMP/s1.log"

# ---- written while stopped, then a start from the snapshot ----
manuscript 3 quillwort
start "$TMP/s2.log"
expect_grep "indexed 43 works from the snapshot" "$TMP/s2.log"
check "restart from the snapshot" 3 zephyrine obsidianite quillwort

# ---- SIGKILL: the snapshot on disk is older than the index; the start catches up ----
manuscript 4 marigoldia
sleep 0.5
check "before the kill" 4 marigoldia
kill9
manuscript 5 thistlewhit
start "$TMP/s3.log"
expect_grep "indexed 45 works from the snapshot" "$TMP/s3.log"
check "restart after SIGKILL" 5 zephyrine obsidianite quillwort marigoldia thistlewhit
stop "$TMP/s3.log"

# ---- a truncated snapshot: refused, the index is built from the store ----
SIZE=$(stat -c %s "$SNAP")
truncate -s $((SIZE / 2)) "$SNAP"
start "$TMP/s4.log"
expect_grep "index.snap not used: snapshot is truncated\|index.snap not used: snapshot is corrupted" "$TMP/s4.log"
expect_grep "indexed 45 works (" "$TMP/s4.log"
check "truncated snapshot" 5 zephyrine thistlewhit
stop "$TMP/s4.log"

# ---- another archive's snapshot: refused ----
OTHER="$TMP/other"
expect_status 0 "$FICD" demo --works 3 --data "$OTHER"
cp "$SNAP" "$TMP/good.snap"
env FICD_THREADS=2 "$FICD" serve --listen "127.0.0.1:$PORT" --data "$OTHER" 2>"$TMP/o.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -s --max-time 2 "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
stop "$TMP/o.log"
cp "$OTHER/index.snap" "$SNAP"
start "$TMP/s5.log"
expect_grep "not used: snapshot belongs to another archive" "$TMP/s5.log"
check "foreign snapshot" 5 quillwort
stop "$TMP/s5.log"

# ---- full text in the background: listings at once, text searches 503 or complete ----
rm -f "$SNAP"
start "$TMP/s6.log" FICD_INDEX_DEFER_MIN=1
expect_grep "full text is being built in the background" "$TMP/s6.log"
got=$(fandom_total)
[ "${got%% *}" = 5 ] && ok || fail "listing while full text is built: $got"
for _ in $(seq 1 100); do
  CODE=$(curl -s --max-time 30 -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code}' "$BASE/api/v1/works?q=quillwort")
  [ "$CODE" = 200 ] && break
  if [ "$CODE" = 503 ]; then
    grep -qi "^Retry-After: [0-9]" "$TMP/hdr" && grep -q "still being prepared" "$TMP/body" && ok ||
      fail "503 without Retry-After or notice: $(cat "$TMP/hdr" "$TMP/body" | head -c 400)"
  else
    fail "text search while full text is built: HTTP $CODE"
    break
  fi
  sleep 0.1
done
[ "$CODE" = 200 ] && ok || fail "full text never became ready"
check "background full text" 5 zephyrine obsidianite quillwort marigoldia thistlewhit
for _ in $(seq 1 50); do grep -q "index snapshot written (after the build)" "$TMP/s6.log" && break; sleep 0.1; done
expect_grep "index snapshot written (after the build)" "$TMP/s6.log"
kill9
start "$TMP/s7.log"
expect_grep "indexed 45 works from the snapshot" "$TMP/s7.log"
check "snapshot of the background build" 5 zephyrine thistlewhit
stop "$TMP/s7.log"

finish
