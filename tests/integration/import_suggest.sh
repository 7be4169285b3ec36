#!/usr/bin/env bash
# import_suggest.sh: suggestions from the archive's wrangling through the real binary: a
# manuscript that never names its fandom gets the fandom its characters' tags belong to
# (parent tags), characters in canonical form (synonyms, given + family name), places not
# suggested; in `ficd import --dry-run --format json` and on the browser's import page.
# Usage: import_suggest.sh path/to/ficd
FICD=$(realpath "$1")
SRC=${FICD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$SRC/tests/integration/lib/common.sh"
D="$TMP/data"

cat >"$TMP/seed.txt" <<'TXT'
Seed

Fandom: Harbour Tales (Books)
Characters: Brightwater Maren, Oake Tobias, Maren
Relationships: Brightwater Maren/Oake Tobias

A short seed work, so that the tags exist to be wrangled.
TXT
cat >"$TMP/story.txt" <<'TXT'
The Lantern Keeper

Maren climbed the steps of the lighthouse. Tobias followed her up, grumbling about the wind. In Saltmere the bells were ringing, and the Warden of Saltmere was watching from the tower.

"Maren," Tobias said. "Wait for me."

Maren laughed and waited. Tobias caught up with her, breathing hard. They had come from Saltmere at dawn, and Saltmere was far behind them now. The Warden had sent them.

Maren smiled at him. Tobias smiled back. The Warden would be angry, but Maren did not care, and neither did Tobias. At the top Maren lit the lamp. Tobias watched her work.

Tobias sighed. Maren turned. Tobias nodded. Maren whispered his name, and Tobias grinned at her. The Warden of Saltmere rang the bell again.
TXT

expect_status 0 "$FICD" init --data "$D"
expect_status 0 "$FICD" import --data "$D" --publish "$TMP/seed.txt"
expect_status 0 "$FICD" tag canonical --data "$D" --type fandom "Harbour Tales (Books)"
expect_status 0 "$FICD" tag canonical --data "$D" --type character "Brightwater Maren" "Oake Tobias"
expect_status 0 "$FICD" tag canonical --data "$D" --type relationship "Brightwater Maren/Oake Tobias"
expect_status 0 "$FICD" tag synonym --data "$D" --type character "Maren" "Brightwater Maren"
expect_status 0 "$FICD" tag parent --data "$D" --type character "Brightwater Maren" "Harbour Tales (Books)"
expect_status 0 "$FICD" tag parent --data "$D" --type relationship "Brightwater Maren/Oake Tobias" "Harbour Tales (Books)"

# ---- the CLI's dry run ----
expect_status 0 "$FICD" import --data "$D" --dry-run --format json "$TMP/story.txt"
python3 - "$TMP/out" <<'PY' && ok || fail "dry-run suggestions: $(head -c 600 "$TMP/out")"
import json, sys
j = json.loads(open(sys.argv[1]).read())
s = j["suggestions"]
assert j["fandoms"] == [], j["fandoms"]
assert s["fandoms"] == ["Harbour Tales (Books)"], s
assert "Brightwater Maren" in s["characters"] and "Oake Tobias" in s["characters"], s
for bad in ("Maren", "Tobias", "Saltmere", "Warden"):
    assert bad not in s["characters"], (bad, s)
PY
# without an archive: the same manuscript, no fandom to suggest, still no places
expect_status 0 "$FICD" import --data "$TMP/none" --dry-run --format json "$TMP/story.txt"
python3 - "$TMP/out" <<'PY' && ok || fail "dry-run without archive: $(head -c 600 "$TMP/out")"
import json, sys
s = json.loads(open(sys.argv[1]).read())["suggestions"]
assert s["fandoms"] == [] and "Maren" in s["characters"] and "Saltmere" not in s["characters"], s
PY

# ---- the browser's import page ----
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
SERVER_PID=
trap 'if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi; cleanup' EXIT
FICD_THREADS=2 "$FICD" serve --listen "127.0.0.1:$PORT" --data "$D" 2>"$TMP/server.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -s --max-time 2 "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
J="$TMP/jar"
req() { CODE=$(curl -s --max-time 30 -o "$TMP/body" -w '%{http_code}' -b "$J" -c "$J" "$@"); }
token() { sed -n 's/.*name="authenticity_token" value="\([0-9a-f]*\)".*/\1/p' "$TMP/body" | head -1; }
req "$BASE/setup"
TOK=$(token)
req -X POST "$BASE/setup" --data "authenticity_token=$TOK&name=alice&password=hunter22hunter&password_confirm=hunter22hunter&archive_name=Harbour&signup_mode=closed"
[ "$CODE" = 303 ] && ok || fail "setup: $CODE $(head -c 300 "$TMP/body")"
req "$BASE/works/import"
TOK=$(token)
req -X POST "$BASE/works/import" -F "authenticity_token=$TOK" -F "manuscript=@$TMP/story.txt;type=text/plain"
[ "$CODE" = 200 ] && ok || fail "browser import: $CODE $(head -c 300 "$TMP/body")"
python3 - "$TMP/body" <<'PY' && ok || fail "import page suggestions"
import re, sys
page = open(sys.argv[1]).read()
sec = page[page.index('id="suggested"'):]
sec = sec[:sec.index('</section>')]
assert 'data-field="fandoms" data-add-tag="Harbour Tales (Books)"' in sec, sec
assert 'data-add-tag="Brightwater Maren"' in sec and 'data-add-tag="Oake Tobias"' in sec, sec
assert 'Saltmere' not in sec and 'data-add-tag="Warden"' not in sec, sec
PY
finish
