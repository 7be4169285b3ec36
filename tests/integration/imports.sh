#!/usr/bin/env bash
# imports.sh: works from elsewhere through the real binary: AO3 downloads (HTML and EPUB),
# calibre's and FanFicFare's EPUBs and a manuscript, detected by content whatever their
# names; the dry-run JSON of every importer with "series" and "published"; hostile archives
# refused with exit 2, the file and the reason, and nothing stored; a stored AO3 import keeps
# its published date and series; the browser import reads an EPUB.
# Usage: imports.sh path/to/ficd
FICD=$(realpath "$1")
SRC=${FICD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$SRC/tests/integration/lib/common.sh"
FX="$SRC/tests/fixtures"
D="$TMP/data"

# EPUBs from the fixture trees (mimetype first, stored), and hostile ones.
python3 - "$FX/epub" "$TMP" <<'PY'
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
def tree(name, dst):
    root = os.path.join(src, name)
    with zipfile.ZipFile(dst, 'w') as z:
        z.writestr(zipfile.ZipInfo('mimetype'), 'application/epub+zip')
        for d, dirs, files in os.walk(root):
            dirs.sort()
            for f in sorted(files):
                p = os.path.join(d, f); rel = os.path.relpath(p, root)
                if rel != 'mimetype':
                    z.write(p, rel, compress_type=zipfile.ZIP_DEFLATED)
for n in ('ao3-epub', 'calibre', 'fanficfare'):
    tree(n, os.path.join(out, n + '.epub'))
container = ('<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:'
             'opendocument:xmlns:container"><rootfiles><rootfile full-path="content.opf" '
             'media-type="application/oebps-package+xml"/></rootfiles></container>')
def opf(spine=1):
    return ('<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="2.0">'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Hostile</dc:title>'
            '</metadata><manifest><item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/>'
            '</manifest><spine>' + '<itemref idref="c1"/>' * spine + '</spine></package>')
chapter = '<html><body><p>Text.</p></body></html>'
def arch(name, files):
    with zipfile.ZipFile(os.path.join(out, name), 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo('mimetype'), 'application/epub+zip')
        for n, data in files:
            z.writestr(n, data)
arch('bomb.epub', [('META-INF/container.xml', container), ('content.opf', opf()),
                   ('c1.xhtml', b'\0' * (300 << 20))])
arch('traversal.epub', [('META-INF/container.xml', container), ('content.opf', opf()),
                        ('c1.xhtml', chapter), ('../../etc/evil', 'x')])
arch('missing.epub', [('META-INF/container.xml', container), ('content.opf', opf())])
arch('spine.epub', [('META-INF/container.xml', container), ('content.opf', opf(10000)),
                    ('c1.xhtml', chapter)])
arch('malformed.epub', [('META-INF/container.xml', container), ('content.opf', '<package><metadata>'),
                        ('c1.xhtml', chapter)])
arch('entities.epub', [('META-INF/container.xml', container),
                       ('content.opf', '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM '
                        '"file:///etc/passwd">]><package xmlns="http://www.idpf.org/2007/opf">'
                        '<metadata><title>&x;</title></metadata></package>'),
                       ('c1.xhtml', chapter)])
with zipfile.ZipFile(os.path.join(out, 'plain.zip'), 'w') as z:
    z.writestr('notes.txt', 'not a book')
PY
ls -l "$TMP/bomb.epub" | awk '{ if ($5 < 2000000) exit 0; exit 1 }' && ok || fail "the bomb is not small"

expect_status 0 "$FICD" import --help
expect_grep "AO3 downloads" "$TMP/out"
expect_grep "EPUB 2 and 3" "$TMP/out"

# ---- dry runs: every importer says source, series and published ----
cp "$FX/ao3/lighthouse.html" "$TMP/download.txt"   # by content, not by name
cp "$TMP/ao3-epub.epub" "$TMP/ferry.bin"
printf 'Title: A Plain Manuscript\nFandom: Canal District\n\nSome words of a story that is only a manuscript.\n' >"$TMP/plain.txt"
check() { # check FILE PYTHON-ASSERTIONS (j is the JSON object)
  expect_status 0 "$FICD" import --dry-run --format json "$1"
  python3 - "$TMP/out" "$2" <<'PY' && ok || fail "dry run of $1"
import json, sys
j = json.loads(open(sys.argv[1]).read())
assert "series" in j and "published" in j, sorted(j)
exec(sys.argv[2])
PY
}
check "$TMP/download.txt" '
assert j["source"] == "ao3-html", j["source"]
assert j["title"] == "The Lighthouse Keeper'"'"'s Ledger"
assert j["series"] == {"title": "Tales of the Grey Coast", "position": 2}, j["series"]
assert j["published"] == "2019-03-04", j["published"]
assert j["rating"] == "Teen And Up Audiences" and j["fandoms"] == ["Brinewood Saga"]
assert j["warnings"] == ["Graphic Depictions Of Violence", "Major Character Death"]
assert j["categories"] == ["F/M", "Gen"]
assert [c["title"] for c in j["chapters"]] == ["The First Entry", None, "Old Mother Gull"]
assert j["chapters"][0]["notes_end"] == "Next chapter: the ship."
assert j["notes_end"] == "Thanks to everyone who left kudos on part one."
assert j["expected_chapters"] == 3
'
check "$FX/ao3/oneshot.html" '
assert j["source"] == "ao3-html" and j["series"] is None and j["published"] == "2012-12-12"
assert j["rating"] == "Not Rated" and len(j["chapters"]) == 1 and j["chapters"][0]["title"] is None
'
check "$TMP/ferry.bin" '
assert j["source"] == "epub" and j["published"] == "2021-07-01" and j["series"] is None
assert [c["title"] for c in j["chapters"]] == ["Low Water", "High Water"]
assert j["expected_chapters"] is None
'
check "$TMP/calibre.epub" '
assert j["series"] == {"title": "Forge Town Stories", "position": 3}, j["series"]
assert j["published"] == "2018-11-20" and j["language"] == "Français"
assert j["creators"] == ["Wren Penhallow", "J. Marsh"]
assert [c["title"] for c in j["chapters"]] == ["The Bellows", "The Quench", "Midwinter"]
'
check "$TMP/fanficfare.epub" '
assert j["series"] == {"title": "Hedgerow Seasons", "position": 4} and j["published"] == "2015-04-09"
assert j["rating"] == "Mature" and j["relationships"] == ["Pell/Orrin"] and j["fandoms"] == ["Hedgerow Tales"]
'
check "$TMP/plain.txt" '
assert j["source"] == "manuscript" and j["series"] is None and j["published"] is None
'

# ---- hostile archives: exit 2, the file and the reason, nothing stored ----
expect_status 0 "$FICD" init "$D"
for pair in "bomb.epub:inflates to" "traversal.epub:unsafe file name" \
  "missing.epub:not in the archive" "spine.epub:the spine lists 10000 documents" \
  "malformed.epub:malformed XML" "entities.epub:declares XML entities" "plain.zip:not an EPUB"; do
  f=${pair%%:*} why=${pair#*:}
  expect_status 2 "$FICD" import --data "$D" "$TMP/$f"
  expect_grep "$TMP/$f: .*$why" "$TMP/err"
done
expect_status 0 "$FICD" list --all --data "$D" --format json
[ ! -s "$TMP/out" ] && ok || fail "hostile imports stored something: $(head -c 300 "$TMP/out")"

# ---- stored: the published date and the series are kept ----
expect_status 0 "$FICD" import --data "$D" --publish "$TMP/download.txt"
ID=$(cat "$TMP/out")
expect_status 0 "$FICD" show --format json --data "$D" "$ID"
python3 - "$TMP/out" <<'PY' && ok || fail "stored AO3 import"
import json, sys
j = json.loads(open(sys.argv[1]).read())
# show's JSON: published in unix seconds, the series by title and position
assert j["published"] == 1551657600, j.get("published")
assert j["series"] == "Tales of the Grey Coast" and j["series_position"] == 2, j.get("series")
assert j["title"] == "The Lighthouse Keeper's Ledger" and len(j["chapters"]) == 3
PY
expect_status 2 "$FICD" import --data "$D" "$TMP/download.txt"
expect_grep "already imported" "$TMP/err"

# ---- the browser import reads an EPUB ----
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
SERVER_PID=
trap 'if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi; cleanup' EXIT
FICD_THREADS=2 "$FICD" serve --listen "127.0.0.1:$PORT" --data "$TMP/web" 2>"$TMP/server.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -s --max-time 2 "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
J="$TMP/jar"
req() { CODE=$(curl -s --max-time 30 -o "$TMP/body" -w '%{http_code}' -b "$J" -c "$J" "$@"); }
token() { sed -n 's/.*name="authenticity_token" value="\([0-9a-f]*\)".*/\1/p' "$TMP/body" | head -1; }
req "$BASE/setup"
TOK=$(token)
req -X POST "$BASE/setup" --data "authenticity_token=$TOK&name=alice&password=hunter22hunter&password_confirm=hunter22hunter&archive_name=Imports&signup_mode=closed"
[ "$CODE" = 303 ] && ok || fail "setup: $CODE"
req "$BASE/works/import"
expect_grep '.epub' "$TMP/body"
TOK=$(token)
req -X POST "$BASE/works/import" -F "authenticity_token=$TOK" -F "manuscript=@$TMP/ferry.bin;type=application/octet-stream"
[ "$CODE" = 200 ] && ok || fail "browser import of an EPUB: $CODE $(head -c 300 "$TMP/body")"
expect_grep 'value="Ferry Crossings"' "$TMP/body"
expect_grep 'Riverlands (Imaginary Town)' "$TMP/body"
expect_grep '2 chapters' "$TMP/body"
req -X POST "$BASE/works/import" -F "authenticity_token=$TOK" -F "manuscript=@$TMP/traversal.epub"
[ "$CODE" = 422 ] && ok || fail "browser import of a hostile EPUB: $CODE"
expect_grep 'unsafe file name' "$TMP/body"
finish
