#!/usr/bin/env bash
# cli_import.sh: the CLI end to end: help texts, init, import of every shared sample and of
# bad input, duplicates, export in every format (EPUB checked by epubcheck), Markdown round
# trip, tags. Usage: cli_import.sh path/to/ficd
FICD=$(realpath "$1")
SRC=${FICD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$SRC/tests/integration/lib/common.sh"
SAMPLES="$SRC/../shared/samples"
D="$TMP/data"
F="$SRC/tests/fixtures/cli"

# Help: global and every subcommand, complete and exit 0.
expect_status 0 "$FICD" --help
for cmd in init import export list show tag; do
  expect_status 0 "$FICD" "$cmd" --help
  expect_grep "usage: ficd $cmd" "$TMP/out"
done
expect_status 2 "$FICD" no-such-command
expect_status 0 "$FICD" init "$D"
expect_grep "initialised" "$TMP/out"

# The importer's view of hand-written fixtures, checked key by key.
expect_status 0 "$FICD" import --dry-run --format json "$F/header-block.txt"
python3 - "$TMP/out" <<'PY' && ok || fail "header-block.txt dry-run JSON"
import json, sys
j = json.loads(open(sys.argv[1]).read())
keys = {"title","creators","fandoms","rating","warnings","categories","relationships","characters",
        "freeforms","summary","notes_begin","notes_end","beta","language","words","chapters","suggestions"}
assert keys <= set(j), set(j) ^ keys
assert set(j["suggestions"]) == {"characters","relationships","fandoms"}, j["suggestions"]
assert j["title"] == "Lanterns Over Maren Bay", j["title"]
assert j["creators"] == ["Quillfeather"], j["creators"]
assert j["fandoms"] == ["Tidewatch Chronicles"], j["fandoms"]
assert j["rating"] == "Teen And Up Audiences", j["rating"]
assert "Major Character Death" in j["warnings"], j["warnings"]
assert j["relationships"] == ["Iselle/Corvan"], j["relationships"]
assert len(j["chapters"]) == 2, j["chapters"]
assert j["chapters"][0]["title"] == "The Harbour", j["chapters"][0]["title"]
assert j["words"] == sum(c["words"] for c in j["chapters"]) and j["words"] > 100
assert "beta" in j and "Marrow" in (j["beta"] or "")
assert "Warning:" not in (j["notes_begin"] or "")
PY

# Every shared sample: imports, sensible JSON, body keeps the prose and drops the notes.
# The samples sit beside the worktree (../shared/samples, as in CI): missing is a failure.
[ -d "$SAMPLES" ] && ok || fail "shared samples not found at $SAMPLES"
if [ -d "$SAMPLES" ]; then
  for f in "$SAMPLES"/*; do
    expect_status 0 "$FICD" import --dry-run --format json "$f"
    python3 - "$TMP/out" "$f" <<'PY' && ok || fail "dry-run JSON of $f"
import json, sys, re
j = json.loads(open(sys.argv[1]).read())
src = open(sys.argv[2], encoding="utf-8").read()
assert j["title"], "no title"
assert j["chapters"] and all(c["html"].strip() for c in j["chapters"])
words = len(re.findall(r"\S+", src))
assert 0.8 * words < j["words"] <= 1.05 * words, (j["words"], words)
assert "<script" not in json.dumps(j)
PY
  done
  expect_status 0 "$FICD" --help
fi

# Store the fixtures and samples; ids on stdout.
ids=()
for f in "$F"/header-block.txt "$SRC"/tests/fixtures/manuscripts/* "$SAMPLES"/*; do
  [ -f "$f" ] || continue
  expect_status 0 "$FICD" import --data "$D" "$f"
  id=$(cat "$TMP/out")
  [[ "$id" =~ ^[0-9]+$ ]] && ok || fail "import did not print an id: '$id'"
  ids+=("$id")
done
# Importing the same file again is refused, unless --allow-duplicate.
expect_status 2 "$FICD" import --data "$D" "$F/header-block.txt"
expect_grep "already imported" "$TMP/err"
expect_status 0 "$FICD" import --data "$D" --allow-duplicate "$F/header-block.txt"
dup_id=$(cat "$TMP/out")
expect_status 0 "$FICD" list --data "$D" --all
before=$(grep -c . "$TMP/out")

# Bad input: clear error naming the file, exit 2, nothing stored.
printf '' >"$TMP/empty.txt"
printf '   \n\n  \n' >"$TMP/blank.txt"
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10' >"$TMP/image.txt"
printf 'Title\n\nShe said caf\xe9 \x81 and left.\n' >"$TMP/undecodable.txt"
truncate -s 200M "$TMP/huge.txt"
python3 -c "
import sys
with open(sys.argv[1], 'w') as f:
    for i in range(1, 3001):
        f.write('Chapter %d\n\nThe lamp flickered once and went out.\n\n' % i)
" "$TMP/many-chapters.txt"
for bad in empty blank image undecodable huge many-chapters; do
  expect_status 2 "$FICD" import --data "$D" "$TMP/$bad.txt"
  expect_grep "$bad.txt" "$TMP/err"
done
expect_grep "limit" "$TMP/err"
expect_status 2 "$FICD" import --data "$D" "$TMP/undecodable.txt"
expect_grep "undecodable.txt:3" "$TMP/err"
expect_status 2 "$FICD" import --data "$D" --dry-run "$TMP/many-chapters.txt"
expect_grep "many-chapters.txt:[0-9]" "$TMP/err"
expect_status 0 "$FICD" list --data "$D" --all
after=$(grep -c . "$TMP/out")
[ "$before" = "$after" ] && ok || fail "bad input stored something ($before -> $after works)"
# Several files in one call: good ones stored, bad ones refused, summary line, exit 2.
expect_status 2 "$FICD" import --data "$D" --allow-duplicate "$F/header-block.txt" "$TMP/empty.txt"
expect_grep "1 refused" "$TMP/err"

# Export in every format; EPUB must pass epubcheck; Markdown round trip keeps everything.
for id in "${ids[@]}"; do
  for fmt in txt md html epub; do
    expect_status 0 "$FICD" export --data "$D" --format $fmt "$id" -o "$TMP/w$id.$fmt"
    [ -s "$TMP/w$id.$fmt" ] && ok || fail "empty $fmt export of $id"
  done
  # epubcheck is a declared test dependency (scripts/deps.sh test): missing is a failure
  if command -v epubcheck >/dev/null; then
    expect_status 0 epubcheck -q "$TMP/w$id.epub"
    if grep -qE 'WARNING|ERROR' "$TMP/out" "$TMP/err"; then fail "epubcheck $id: $(cat "$TMP/err")"; else ok; fi
  else
    fail "epubcheck is not installed (scripts/deps.sh test): EPUB of $id not validated"
  fi
  expect_status 0 "$FICD" show --data "$D" --format json "$id"
  cp "$TMP/out" "$TMP/orig.json"
  expect_status 0 "$FICD" import --dry-run --format json "$TMP/w$id.md"
  python3 - "$TMP/orig.json" "$TMP/out" <<'PY' && ok || fail "Markdown round trip of work $id"
import json, sys
a = json.loads(open(sys.argv[1]).read()); b = json.loads(open(sys.argv[2]).read())
for k in ["title","creators","fandoms","rating","warnings","categories","relationships","characters",
          "freeforms","summary","notes_begin","notes_end","beta","language","words"]:
    assert a[k] == b[k], (k, a[k], b[k])
assert len(a["chapters"]) == len(b["chapters"])
for x, y in zip(a["chapters"], b["chapters"]):
    assert x["title"] == y["title"], (x["title"], y["title"])
    assert x["html"] == y["html"], (x["html"][:300], y["html"][:300])
PY
done
expect_status 2 "$FICD" export --data "$D" --format pdf 1
expect_status 2 "$FICD" export --data "$D" --format epub 99999
expect_grep "no work" "$TMP/err"

# Tags on a work.
id=${ids[0]}
expect_status 0 "$FICD" tag add --data "$D" "$id" character "Nerissa Vale" "Old Tom"
expect_status 0 "$FICD" tag list --data "$D" "$id"
expect_grep "Nerissa Vale" "$TMP/out"
expect_status 0 "$FICD" tag remove --data "$D" "$id" character "Old Tom"
expect_status 0 "$FICD" tag list --data "$D" "$id"
if grep -q "Old Tom" "$TMP/out"; then fail "tag not removed"; else ok; fi
expect_status 2 "$FICD" tag remove --data "$D" "$id" character "Never There"
expect_status 2 "$FICD" tag add --data "$D" "$id" colour "Blue"
expect_status 0 "$FICD" tag list --data "$D" --type character --format json
expect_grep '"Nerissa Vale"' "$TMP/out"
expect_status 0 "$FICD" show --data "$D" "$id"
expect_grep "Nerissa Vale" "$TMP/out"
expect_status 0 "$FICD" list --data "$D" --all --format json
expect_grep "\"id\": *$dup_id" "$TMP/out"
finish
