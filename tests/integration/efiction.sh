#!/usr/bin/env bash
# efiction.sh: `ficd import-efiction` against a real MariaDB server started here, as an
# unprivileged-safe throwaway (mariadb-install-db into a temp dir, mariadbd on a free loopback
# port with its socket in the temp dir and --skip-grant-tables), loaded with an
# eFiction-shaped schema and made-up data (tests/fixtures/efiction). Checks every field of
# every imported work and account (fidelity counted: fails below 100 %), reviews as comments,
# resuming after a
# story that could not be read, idempotence (a third run doubles nothing), the mapping file,
# claiming an account, and bad usage. Usage: efiction.sh path/to/ficd
FICD=$(realpath "$1")
SRC=${FICD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$SRC/tests/integration/lib/common.sh"
FX="$SRC/tests/fixtures/efiction"
D="$TMP/data"

MARIADBD=$(command -v mariadbd || ls /usr/sbin/mariadbd 2>/dev/null || true)
if [ -z "$MARIADBD" ] || ! command -v mariadb-install-db >/dev/null; then
  echo "FAIL: MariaDB server not installed (scripts/deps.sh test installs mariadb-server)" >&2
  exit 1
fi
DB_PID=
stop_db() { if [ -n "$DB_PID" ]; then kill "$DB_PID" 2>/dev/null || true; wait "$DB_PID" 2>/dev/null || true; fi; }
trap 'stop_db; cleanup' EXIT
mariadb-install-db --no-defaults --datadir="$TMP/db" --user="$(id -un)" --skip-test-db \
  --auth-root-authentication-method=normal >"$TMP/install.log" 2>&1 || { cat "$TMP/install.log" >&2; exit 1; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$MARIADBD" --no-defaults --datadir="$TMP/db" --socket="$TMP/mysql.sock" --port="$PORT" \
  --bind-address=127.0.0.1 --skip-grant-tables --skip-name-resolve --skip-log-bin \
  --user="$(id -un)" --pid-file="$TMP/mysqld.pid" --log-error="$TMP/mysqld.err" \
  --innodb-buffer-pool-size=16M >/dev/null 2>&1 &
DB_PID=$!
for _ in $(seq 1 150); do
  mariadb --no-defaults --socket="$TMP/mysql.sock" -e 'SELECT 1' >/dev/null 2>&1 && break
  sleep 0.2
done
sql() { mariadb --no-defaults --socket="$TMP/mysql.sock" "$@"; }
sql -e 'CREATE DATABASE archive' && ok || fail "MariaDB did not start: $(tail -5 "$TMP/mysqld.err")"
sql archive <"$FX/schema.sql"
sql archive <"$FX/data.sql"
URL="mysql://importer:secret@127.0.0.1:$PORT/archive"

expect_status 0 "$FICD" import-efiction --help
for w in --mysql --prefix --stories --mapping --claim --dry-run docs/import.md; do
  expect_grep "$w" "$TMP/out"
done
expect_status 2 "$FICD" import-efiction
expect_status 2 "$FICD" import-efiction --mysql "postgres://x/y"
expect_status 2 "$FICD" import-efiction --mysql "$URL" --prefix "x;DROP"
expect_grep "prefix" "$TMP/err"
# A server that does not answer: exit 1 and why (the URL may omit the user).
CLOSED=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
expect_status 1 "$FICD" import-efiction --dry-run --mysql "mysql://127.0.0.1:$CLOSED/archive"
expect_grep "cannot connect to 127.0.0.1/archive" "$TMP/err"
# Percent-encoded credentials (skip-grant-tables accepts any user).
expect_status 0 "$FICD" import-efiction --dry-run --mysql "mysql://o%27brien:p%40ss%3Aword@127.0.0.1:$PORT/archive" --stories "$FX/stories"
expect_status 0 "$FICD" init "$D"

# First run without the stories directory: the story kept in a file is refused, by name,
# and the rest is imported.
expect_status 2 "$FICD" import-efiction --data "$D" --mysql "$URL"
expect_grep 'story 11 "Harbour Lights" not imported: chapter 111: no text in the database' "$TMP/err"
expect_grep "imported 4 authors (0 already there) and 2 stories (0 already there, 1 not readable) with 2 reviews as comments" "$TMP/err"
# Resumed with the directory: only what is missing.
expect_status 0 "$FICD" import-efiction --data "$D" --mysql "$URL" --stories "$FX/stories"
expect_grep "imported 0 authors (4 already there) and 1 story (2 already there, 0 not readable)" "$TMP/err"

# Every field, counted.
for id in 1 2 3; do "$FICD" show --format json --data "$D" "$id" >"$TMP/show$id.json"; done
python3 - "$TMP" "$D" "$SRC/tests/integration/lib" <<'PY' && ok || fail "eFiction field fidelity"
import json, sys, calendar, time
tmp, data = sys.argv[1], sys.argv[2]
sys.path.insert(0, sys.argv[3])
import archive_db
works = {}
for i in (1, 2, 3):
    j = json.load(open(f"{tmp}/show{i}.json"))
    works[j["title"]] = j
ok = total = 0
def field(what, cond):
    global ok, total
    total += 1
    if cond: ok += 1
    else: print("wrong:", what, file=sys.stderr)
def ts(s): return calendar.timegm(time.strptime(s, "%Y-%m-%d %H:%M:%S"))
g = works.get("The Glass Comet", {})
field("comet creators", g.get("creators") == ["Moth_Lantern"])
field("comet fandoms", g.get("fandoms") == ["Starfall Chronicles"])
field("comet rating", g.get("rating") == "Mature")
field("comet warnings", g.get("warnings") == ["Major Character Death"])
field("comet relationships", g.get("relationships") == ["Ada/Kell"])
field("comet characters", g.get("characters") == ["Ada Voss", "Kell Marrow"])
field("comet freeforms", g.get("freeforms") == ["Angst"])
field("comet summary", g.get("summary") == "A comet made of glass falls on the observatory.\n\nAda & Kell pick up the pieces.")
field("comet notes", g.get("notes_begin") == "For my sister, who likes comets.")
field("comet published", g.get("published") == ts("2007-05-01 10:00:00"))
field("comet updated", g.get("updated") == ts("2007-06-02 11:30:00"))
field("comet complete", g.get("complete") is True and g.get("chapter_count") == "2/2")
field("comet posted", g.get("draft") is False)
field("comet series", g.get("series") is None)
ch = g.get("chapters", [])
field("comet chapters", len(ch) == 2)
if len(ch) == 2:
    field("comet ch1 title", ch[0]["title"] is None)
    field("comet ch1 notes", ch[0]["notes_begin"] == "The first chapter's notes.")
    field("comet ch1 text", "<p>The comet came down slowly, ringing like a struck bell.</p>" in ch[0]["html"])
    field("comet ch2 title", ch[1]["title"] == "The Tail")
    field("comet ch2 end notes", ch[1]["notes_end"] == "End of part two.")
    field("comet ch2 text", "<p>Kell swept the glass into a bucket.</p>" in ch[1]["html"]
          and "starlight.<br>He did not tell Ada that." in ch[1]["html"])
h = works.get("Harbour Lights", {})
field("harbour creators", h.get("creators") == ["quill_ink", "Co_Writer"])
field("harbour fandoms", h.get("fandoms") == ["Harbour Tales", "Starfall AU"])
field("harbour rating", h.get("rating") == "General Audiences")
field("harbour warnings", h.get("warnings") == ["Creator Chose Not To Use Archive Warnings"])
field("harbour characters", h.get("characters") == ["The Ferryman"])
field("harbour freeforms", h.get("freeforms") == ["Humor"])
field("harbour series", h.get("series") == "Lights Over the Water" and h.get("series_position") == 2)
field("harbour in progress", h.get("complete") is False and h.get("chapter_count") == "1/?")
field("harbour published", h.get("published") == ts("2008-01-01 08:00:00"))
hc = h.get("chapters", [])
field("harbour chapter from file, Latin-1 decoded", len(hc) == 1 and hc[0]["title"] == "Counting"
      and "one on the café" in hc[0]["html"] and "<p>Tonight there were eight on the quay.</p>" in hc[0]["html"])
d = works.get("Unfinished Draft", {})
field("draft stays a draft", d.get("draft") is True)
field("draft rating Adult -> Explicit", d.get("rating") == "Explicit")
field("draft warnings", d.get("warnings") == ["Graphic Depictions Of Violence", "Rape/Non-Con"])
field("draft freeforms", d.get("freeforms") == ["Language"])
field("draft published", d.get("published") == ts("2009-09-09 09:09:09"))
db = archive_db.connect(data)
users = {r[0]: r[1:] for r in db.execute("SELECT name, email, pwhash, created, id FROM users")}
field("accounts", set(users) == {"Moth_Lantern", "quill_ink", "Reviewer_Only", "Co_Writer"})
field("emails kept", users.get("Moth_Lantern", [None])[0] == "moth@example.org" and users.get("Reviewer_Only", ["x"])[0] is None)
field("no passwords", all(u[1] is None for u in users.values()))
field("joined dates", users.get("Moth_Lantern", [0, 0, 0])[2] == ts("2005-03-01 09:00:00"))
owner = {t: u for t, u in db.execute("SELECT title, user_id FROM works")}
field("owners", owner.get("The Glass Comet") == users["Moth_Lantern"][3] and owner.get("Harbour Lights") == users["quill_ink"][3])
ids = {t: i for t, i in db.execute("SELECT title, id FROM works")}
chap = {(w, p): i for w, p, i in db.execute("SELECT work_id, position, id FROM chapters")}
com = list(db.execute("SELECT work_id, chapter_id, user_id, name, html, created FROM comments ORDER BY created"))
field("reviews as comments", len(com) == 3)
if len(com) == 3:
    cw = ids["The Glass Comet"]
    field("review from an account", com[0] == (cw, chap[(cw, 1)], users["Reviewer_Only"][3], "Reviewer_Only", "<p>Lovely comet!</p>", ts("2007-05-02 12:00:00")))
    field("review from a guest", com[1][:4] == (cw, chap[(cw, 2)], None, "Passing Reader") and "<b>starlight</b>" in com[1][4] and com[1][5] == ts("2007-06-03 08:15:00"))
    field("review of a whole story", com[2][0] == ids["Harbour Lights"] and com[2][1] is None)
field("no inbox items for old reviews", db.execute("SELECT count(*) FROM inbox").fetchone()[0] == 0)
field("comment counts", dict(db.execute("SELECT title, comments FROM works").fetchall()) == {"The Glass Comet": 2, "Harbour Lights": 1, "Unfinished Draft": 0})
print(f"fidelity eFiction: {ok} of {total} fields ({100*ok//total} %)", file=sys.stderr)
assert ok == total
PY

# A third run doubles nothing.
count() { python3 -c "import sys; sys.path.insert(0, sys.argv[2]); import archive_db; db=archive_db.connect(sys.argv[1]); print(*[db.execute(q).fetchone()[0] for q in ('SELECT count(*) FROM users','SELECT count(*) FROM works','SELECT count(*) FROM chapters','SELECT count(*) FROM import_map','SELECT count(*) FROM comments')])" "$D" "$SRC/tests/integration/lib"; }
BEFORE=$(count)
expect_status 0 "$FICD" import-efiction --data "$D" --mysql "$URL" --stories "$FX/stories"
expect_grep "imported 0 authors (4 already there) and 0 stories (3 already there, 0 not readable)" "$TMP/err"
[ "$(count)" = "$BEFORE" ] && [ "$BEFORE" = "4 3 4 7 3" ] && ok || fail "a second import changed the counts: $BEFORE -> $(count)"

# The mapping file: overrides, and its errors by file and line.
cat >"$TMP/map.txt" <<'MAP'
# rating and class overrides
rating Adult = Mature
class Language = drop
category "Harbour Tales" = fandom: Harbour Tales (Books)
classtype genres = freeform
MAP
expect_status 0 "$FICD" import-efiction --dry-run --mysql "$URL" --stories "$FX/stories" --mapping "$TMP/map.txt"
python3 - "$TMP/out" <<'PY' && ok || fail "mapping file overrides"
import json, sys
w = {j["title"]: j for j in map(json.loads, open(sys.argv[1]))}
d = w["Unfinished Draft"]
assert d["rating"] == "Mature" and d["freeforms"] == [] and d["fandoms"] == ["Harbour Tales (Books)"], d
assert w["Harbour Lights"]["fandoms"] == ["Harbour Tales (Books)", "Starfall AU"]
PY
printf 'rating Adult = Spicy\n' >"$TMP/bad.txt"
expect_status 2 "$FICD" import-efiction --dry-run --mysql "$URL" --mapping "$TMP/bad.txt"
expect_grep "bad.txt:1: 'Spicy' is not a rating" "$TMP/err"

# Another table prefix.
sql -e 'CREATE DATABASE archive2'
sed 's/fanfiction_/ef3_/g' "$FX/schema.sql" | sql archive2
sed 's/fanfiction_/ef3_/g' "$FX/data.sql" | sql archive2
expect_status 0 "$FICD" import-efiction --dry-run --mysql "mysql://importer:secret@127.0.0.1:$PORT/archive2" --prefix ef3_ --stories "$FX/stories"
[ "$(grep -c '"efiction_sid"' "$TMP/out")" = 3 ] && ok || fail "--prefix ef3_: $(head -c 300 "$TMP/err")"
expect_status 1 "$FICD" import-efiction --dry-run --mysql "mysql://importer:secret@127.0.0.1:$PORT/archive2"
expect_grep "ef3_\|fanfiction_authors" "$TMP/err"

# Claiming an imported account: once.
echo "comet-keeper-2024" | "$FICD" import-efiction --claim Moth_Lantern --data "$D" 2>"$TMP/err" && ok || fail "claim"
python3 -c "import sys; sys.path.insert(0, sys.argv[2]); import archive_db; db=archive_db.connect(sys.argv[1]); assert db.execute(\"SELECT pwhash FROM users WHERE name='Moth_Lantern'\").fetchone()[0].startswith('\$argon2id')" "$D" "$SRC/tests/integration/lib" && ok || fail "claim set no password"
echo "another-password-9" | "$FICD" import-efiction --claim Moth_Lantern --data "$D" 2>"$TMP/err" && fail "claimed twice" || ok
expect_grep "already has a password" "$TMP/err"
finish
