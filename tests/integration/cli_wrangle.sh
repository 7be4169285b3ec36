#!/usr/bin/env bash
# cli_wrangle.sh: tag wrangling from the command line: canonical tags, merges and synonyms
# seen by `ficd search` (filters and facets), meta/sub tags, parent fandoms, the unwrangled
# queue, `tag show`, and bad input exiting with status 2. Usage: cli_wrangle.sh path/to/ficd
FICD=$(realpath "$1")
SRC=${FICD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$SRC/tests/integration/lib/common.sh"
export FICD_DATA="$TMP/data"

# work FILE TITLE CHARACTER FREEFORM: a small manuscript with a header block.
work() {
  printf 'Title: %s\nAuthor: ann\nFandom: Naruto\nCharacters: %s\nAdditional Tags: %s\nRating: T\n\n%s\n' \
    "$2" "$3" "$4" "The words of $2, enough of them to count as a story body." >"$TMP/$1"
}
work a.txt "Cherry Blossoms" "Sakura Haruno" "Angst"
work b.txt "Spring Rain" "Haruno Sakura" "Emotional Hurt"
work c.txt "Byakugan" "Hinata Hyuuga" "Fluff"
expect_status 0 "$FICD" import --publish "$TMP/a.txt" "$TMP/b.txt" "$TMP/c.txt"

# json_check FILE PYTHON: runs PYTHON with j = the JSON in FILE.
json_check() {
  python3 - "$1" "$2" <<'PY'
import json, sys
j = json.loads(open(sys.argv[1]).read())
exec(sys.argv[2])
PY
}

# Help lists every wrangling action.
expect_status 0 "$FICD" tag --help
for a in "tag merge" "tag synonym" "tag parent" "tag meta" "tag unwrangled" "tag show" "--remove"; do
  expect_grep "$a" "$TMP/out"
done

# The queue before wrangling: every tag is unwrangled.
expect_status 0 "$FICD" tag unwrangled --format json
python3 - "$TMP/out" <<'PY' && ok || fail "initial unwrangled queue"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
names = {r["name"] for r in rows}
assert {"Naruto", "Sakura Haruno", "Haruno Sakura", "Angst", "Fluff"} <= names, names
assert all(r["reason"] == "not canonical" for r in rows), rows
PY

# Canonical + merge: a search for the canonical finds both works, counted under its name.
expect_status 0 "$FICD" tag canonical --type character "Sakura Haruno"
expect_status 0 "$FICD" tag merge "Haruno Sakura" "Sakura Haruno"
expect_grep "merged 'Haruno Sakura' into 'Sakura Haruno'" "$TMP/out"
expect_status 0 "$FICD" search --tag "Sakura Haruno" --format json
json_check "$TMP/out" '
assert j["total"] == 2, j["total"]
assert sorted(w["title"] for w in j["works"]) == ["Cherry Blossoms", "Spring Rain"], j["works"]
c = j["facets"]["characters"]
assert c.get("Sakura Haruno") == 2, c
assert "Haruno Sakura" not in c, c
' && ok || fail "search for the canonical after a merge"
expect_status 0 "$FICD" search --tag "haruno sakura" --format json
json_check "$TMP/out" 'assert j["total"] == 2, j' && ok || fail "search for the synonym"
expect_status 0 "$FICD" tag show --format json "Sakura Haruno"
json_check "$TMP/out" '
assert j["canonical"] is True and j["type"] == "character", j
assert [t["name"] for t in j["synonyms"]] == ["Haruno Sakura"], j["synonyms"]
' && ok || fail "tag show of the canonical"
expect_status 0 "$FICD" tag show "Haruno Sakura"
expect_grep "synonym of: Sakura Haruno" "$TMP/out"

# Refusals: exit 2 with a message naming the problem.
expect_status 2 "$FICD" tag merge "Fluff" "Angst"
expect_grep "'Angst' is not canonical" "$TMP/err"
expect_status 2 "$FICD" tag merge "Sakura Haruno" "Nobody At All"
expect_grep "no character tag named 'Nobody At All'" "$TMP/err"
expect_status 2 "$FICD" tag synonym "Sakura Haruno"
expect_grep "usage: ficd tag synonym TAG CANONICAL" "$TMP/err"
expect_status 2 "$FICD" tag meta --remove Angst
expect_status 2 "$FICD" tag canonical --remove Angst
expect_grep "remove applies to" "$TMP/err"
expect_status 2 "$FICD" tag unwrangled --type rating
expect_status 2 "$FICD" tag unwrangled --limit lots
expect_status 2 "$FICD" tag frobnicate
expect_status 2 "$FICD" tag canonical --off --type character "Sakura Haruno"
expect_grep "has synonyms" "$TMP/err"

# Meta/sub: a search for the meta tag includes its sub tag's works.
expect_status 2 "$FICD" tag meta Angst "Emotional Hurt"
expect_grep "must both be canonical" "$TMP/err"
expect_status 0 "$FICD" tag canonical Angst "Emotional Hurt" Fluff
expect_status 0 "$FICD" tag meta Angst "Emotional Hurt"
expect_status 0 "$FICD" search --tag Angst --format json
json_check "$TMP/out" '
assert j["total"] == 2, j["total"]
f = j["facets"]["freeforms"]
assert f.get("Angst") == 1 and f.get("Emotional Hurt") == 1, f
' && ok || fail "search for a meta tag"
expect_status 2 "$FICD" tag meta "Emotional Hurt" Angst
expect_grep "cycle" "$TMP/err"
expect_status 0 "$FICD" tag meta "Emotional Hurt" Fluff
expect_status 2 "$FICD" tag meta Fluff Angst # Angst > Emotional Hurt > Fluff
expect_status 0 "$FICD" search --tag Angst --format json
json_check "$TMP/out" 'assert j["total"] == 3, j["total"]' && ok || fail "transitive sub tags"
expect_status 0 "$FICD" search --exclude-tag "Emotional Hurt" --format json
json_check "$TMP/out" 'assert j["total"] == 1, j["total"]' && ok || fail "excluding a meta tag"
expect_status 0 "$FICD" tag meta --remove "Emotional Hurt" Fluff
expect_status 2 "$FICD" tag meta --remove "Emotional Hurt" Fluff
expect_grep "has no sub tag" "$TMP/err"
expect_status 0 "$FICD" search --tag Angst --format json
json_check "$TMP/out" 'assert j["total"] == 2, j["total"]' && ok || fail "after removing a sub tag"

# Parents: a canonical fandom only; the queue empties as tags are wrangled.
expect_status 2 "$FICD" tag parent "Sakura Haruno" Naruto
expect_grep "'Naruto' is not canonical" "$TMP/err"
expect_status 0 "$FICD" tag canonical Naruto
expect_status 0 "$FICD" tag unwrangled --type character
expect_grep "Sakura Haruno  (canonical, no parent fandom)" "$TMP/out"
expect_grep "Hinata Hyuuga  (not canonical)" "$TMP/out"
expect_status 0 "$FICD" tag parent "Sakura Haruno" Naruto
expect_grep "'Sakura Haruno' has the parent 'Naruto'" "$TMP/out"
expect_status 2 "$FICD" tag parent "Haruno Sakura" Naruto
expect_grep "synonym" "$TMP/err"
expect_status 0 "$FICD" tag canonical "Hinata Hyuuga"
expect_status 0 "$FICD" tag parent "Hinata Hyuuga" Naruto
expect_status 0 "$FICD" tag show --format json Naruto
json_check "$TMP/out" '
assert sorted(t["name"] for t in j["children"]) == ["Hinata Hyuuga", "Sakura Haruno"], j
' && ok || fail "children of a fandom"
expect_status 0 "$FICD" tag unwrangled
if [ -s "$TMP/out" ]; then fail "queue not empty: $(cat "$TMP/out")"; else ok; fi
expect_status 0 "$FICD" tag parent --remove "Hinata Hyuuga" Naruto
expect_status 0 "$FICD" tag unwrangled --format json
json_check "$TMP/out" 'assert j["name"] == "Hinata Hyuuga", j' && ok || fail "queue after unlinking"

# Unlinking a synonym splits the works again.
expect_status 0 "$FICD" tag synonym --remove "Haruno Sakura"
expect_status 0 "$FICD" search --tag "Sakura Haruno" --format json
json_check "$TMP/out" 'assert j["total"] == 1, j["total"]' && ok || fail "after unlinking"
expect_status 0 "$FICD" tag synonym "Haruno Sakura" "Sakura Haruno"
expect_status 0 "$FICD" search --tag "Sakura Haruno" --format json
json_check "$TMP/out" 'assert j["total"] == 2, j["total"]' && ok || fail "synonym again"

finish
