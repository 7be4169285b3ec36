#!/usr/bin/env bash
# downloads.sh: AZW3, MOBI and PDF downloads made by calibre's ebook-convert: offered in the
# download menu only when the converter is there; made off the request thread (202 and a
# page that reloads itself until the file is ready), at most `conversions` at a time;
# cached per work version (a changed work is converted again); each file checked with
# `file` and its text read back (pdftotext, ebook-convert to text). With the converter off,
# the formats vanish and their URLs are 404. Usage: downloads.sh path/to/ficd
FICD=$(realpath "$1")
SRC=${FICD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$SRC/tests/integration/lib/common.sh"
D="$TMP/data"
command -v ebook-convert >/dev/null || { echo "FAIL: calibre's ebook-convert is not installed (scripts/deps.sh test installs calibre)" >&2; exit 1; }

expect_status 0 "$FICD" init "$D"
expect_status 0 "$FICD" import --publish --data "$D" "$SRC/tests/fixtures/ao3/lighthouse.html"
ID=$(cat "$TMP/out")

PORT=
SERVER_PID=
start() { # start [ENV=VALUE...]
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  env FICD_THREADS=2 FICD_PAGE_CACHE=0 "$@" "$FICD" serve --listen "127.0.0.1:$PORT" --data "$D" 2>>"$TMP/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -s --max-time 2 "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
}
stop() { if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; fi; }
trap 'stop; cleanup' EXIT
get() { # get PATH OUT: status in $CODE, headers in $TMP/hdr
  CODE=$(curl -s --max-time 60 -o "$2" -D "$TMP/hdr" -w '%{http_code}' "http://127.0.0.1:$PORT$1")
}
# The archive needs its first-run setup before pages are served.
setup() {
  local jar="$TMP/jar"
  curl -s -c "$jar" -b "$jar" -o "$TMP/setup.html" "http://127.0.0.1:$PORT/setup"
  local tok
  tok=$(sed -n 's/.*name="authenticity_token" value="\([0-9a-f]*\)".*/\1/p' "$TMP/setup.html" | head -1)
  curl -s -c "$jar" -b "$jar" -o /dev/null --data "authenticity_token=$tok&name=alice&password=hunter22hunter&password_confirm=hunter22hunter&archive_name=Downloads&signup_mode=closed" "http://127.0.0.1:$PORT/setup"
}

# ---- converter on (one conversion at a time) ----
start FICD_CONVERSIONS=1
setup
get "/works/$ID" "$TMP/work.html"
[ "$CODE" = 200 ] && ok || fail "work page: $CODE"
for ext in epub azw3 mobi pdf html md txt; do expect_grep "id=\"download-$ext\"" "$TMP/work.html"; done

# Ask for all three at once: each is queued (202, a page reloading itself), and the server
# never runs more than one ebook-convert.
for ext in azw3 mobi pdf; do
  get "/downloads/$ID/ledger.$ext" "$TMP/first.$ext"
  [ "$CODE" = 202 ] && ok || fail "first $ext request: expected 202, got $CODE"
  grep -qi '^Refresh: 3' "$TMP/hdr" && ok || fail "no Refresh header on the $ext pending page"
  expect_grep "Preparing your download" "$TMP/first.$ext"
done
MAXKIDS=0
for ext in azw3 mobi pdf; do
  for _ in $(seq 1 600); do
    kids=$( (ps -o pid= --ppid "$SERVER_PID" || true) | wc -l)
    [ "$kids" -gt "$MAXKIDS" ] && MAXKIDS=$kids
    get "/downloads/$ID/ledger.$ext" "$TMP/work.$ext"
    [ "$CODE" = 200 ] && break
    sleep 0.2
  done
  [ "$CODE" = 200 ] && ok || fail "$ext never became ready: $CODE $(tail -3 "$TMP/server.log")"
  grep -q "filename=\"The_Lighthouse_Keeper_s_Ledger.$ext\"" "$TMP/hdr" && ok || fail "$ext file name: $(grep -i disposition "$TMP/hdr")"
done
[ "$MAXKIDS" -le 1 ] && ok || fail "$MAXKIDS conversions ran at once; the limit is 1"
file -b "$TMP/work.azw3" | grep -q "Mobipocket E-book.*version 8" && ok || fail "azw3 type: $(file -b "$TMP/work.azw3")"
file -b "$TMP/work.mobi" | grep -q "Mobipocket E-book.*version 6" && ok || fail "mobi type: $(file -b "$TMP/work.mobi")"
file -b "$TMP/work.pdf" | grep -q "^PDF document" && ok || fail "pdf type: $(file -b "$TMP/work.pdf")"
# The text is there.
pdftotext "$TMP/work.pdf" "$TMP/pdf.txt" && tr -s ' \n' '  ' <"$TMP/pdf.txt" | grep -q "The lamp room smelled of paraffin and salt" && ok || fail "PDF text"
for ext in azw3 mobi; do
  (cd "$TMP" && HOME="$TMP" QT_QPA_PLATFORM=offscreen timeout 120 ebook-convert "work.$ext" "back-$ext.txt" >/dev/null 2>&1) &&
    grep -q "Old Mother Gull lived in the last cottage" "$TMP/back-$ext.txt" && ok || fail "$ext text"
done

# Cached per version: asked again, served at once; a changed work is converted again.
get "/downloads/$ID/ledger.azw3" "$TMP/again.azw3"
[ "$CODE" = 200 ] && cmp -s "$TMP/again.azw3" "$TMP/work.azw3" && ok || fail "cached azw3 not served: $CODE"
ls "$D/downloads/"*.azw3 >/dev/null 2>&1 && ok || fail "no cached file under data/downloads"
expect_status 0 "$FICD" tag add --data "$D" "$ID" freeform "Lamplight"
get "/downloads/$ID/ledger.azw3" "$TMP/new.azw3"
[ "$CODE" = 202 ] && ok || fail "a changed work should be converted again: $CODE"
stop

# ---- converter off: the formats vanish ----
start FICD_EBOOK_CONVERT=off
get "/works/$ID" "$TMP/work-off.html"
expect_grep 'id="download-epub"' "$TMP/work-off.html"
for ext in azw3 mobi pdf; do
  grep -q "id=\"download-$ext\"" "$TMP/work-off.html" && fail "$ext offered without a converter" || ok
  get "/downloads/$ID/ledger.$ext" "$TMP/off.$ext"
  [ "$CODE" = 404 ] && ok || fail "$ext without a converter: expected 404, got $CODE"
done
stop
finish
