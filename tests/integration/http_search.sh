#!/usr/bin/env bash
# http_search.sh: the works index, tag pages and GET /api/v1/works end to end: works imported
# with `ficd import --publish` before the server starts (indexed at start) and after (found
# through the change log within 1 s), filters, excludes, facets, sorts and pagination checked
# against expectations computed from the fixture table, full text (phrases, NOT, fields,
# snippets), malformed queries (400 as HTML with the form kept, and as JSON), restricted works
# hidden from anonymous visitors with counts that match.
# Usage: http_search.sh path/to/ficd
FICD=$(realpath "$1")
SRC=${FICD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$SRC/tests/integration/lib/common.sh"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
DATA="$TMP/data"
SERVER_PID=
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
}
trap 'stop_server; cleanup' EXIT

# ---- fixtures: one table, written as manuscripts and as the expectations' source ----
cat >"$TMP/fixtures.py" <<'PY'
# title, creator, fandoms, rating, warnings, categories, relationships, characters,
# freeforms, chapters, language, filler word, filler count, sentence
WORKS = [
    ("Salt and Embers", "Wren", ["Harbourlight Saga"], "Teen And Up Audiences",
     ["Major Character Death"], ["F/M"], ["Maris/Tobin"], ["Maris", "Tobin"],
     ["Angst", "Fluff"], "1/1", "English", "tide", 100,
     "Tobin came back with a basket of silver fish and the lighthouse burned."),
    ("River of Glass", "Oskar", ["Harbourlight Saga"], "Explicit",
     ["No Archive Warnings Apply"], ["F/F"], ["Maris/Quenby"], ["Maris", "Quenby"],
     ["Fluff"], "1/?", "English", "stone", 300,
     "The river ran silver under the bridge while the dragons slept."),
    ("Copper Sky", "Bryn", ["Starfall Academy"], "General Audiences",
     ["No Archive Warnings Apply"], ["Gen"], [], ["Ilsa Vey"],
     ["Found Family"], "1/1", "English", "cloud", 500,
     "Ilsa counted silver stars above the academy tower."),
    ("Two Worlds Meet", "Anselm", ["Starfall Academy", "Harbourlight Saga"], "Mature",
     ["Graphic Depictions Of Violence"], ["Gen"], [], ["Ilsa Vey", "Maris"],
     ["Angst"], "1/1", "English", "ember", 700,
     "A basket of silver fish fell out of the sky onto the academy."),
    ("Le Phare", "Camille", ["Harbourlight Saga"], "General Audiences",
     ["No Archive Warnings Apply"], ["Gen"], [], [],
     ["Fluff"], "1/1", "Français", "vague", 900,
     "Le gardien du phare regardait la mer grise."),
]
# imported while the server runs (each has a word no other work has)
LATE = [
    ("Late Arrival", "Wren", ["Starfall Academy"], "Teen And Up Audiences",
     ["No Archive Warnings Apply"], ["Gen"], [], [], ["Fluff"], "1/1", "English", "wind", 50,
     "The zephyrine bell rang once."),
    ("Second Wind", "Oskar", ["Starfall Academy"], "Teen And Up Audiences",
     ["No Archive Warnings Apply"], ["Gen"], [], [], ["Fluff"], "1/1", "English", "gust", 60,
     "Nobody had seen obsidianite before."),
]

def manuscript(w):
    (title, creator, fandoms, rating, warnings, cats, rels, chars, tags, chapters, lang,
     word, count, sentence) = w
    import json
    L = lambda v: json.dumps(v, ensure_ascii=False)
    return ("---\n" + f"title: {L(title)}\ncreators: {L([creator])}\nfandoms: {L(fandoms)}\n"
            f"rating: {L(rating)}\nwarnings: {L(warnings)}\ncategories: {L(cats)}\n"
            f"relationships: {L(rels)}\ncharacters: {L(chars)}\nfreeforms: {L(tags)}\n"
            f"chapters: {L(chapters)}\nlanguage: {L(lang)}\n"
            f"summary: {L('A story called ' + title + '.')}\n---\n\n"
            f"{sentence}\n\n" + " ".join([word] * count) + "\n")
PY
python3 - "$TMP" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from fixtures import WORKS, LATE, manuscript
for i, w in enumerate(WORKS + LATE):
    with open(f"{sys.argv[1]}/w{i}.md", "w", encoding="utf-8") as f:
        f.write(manuscript(w))
PY

expect_status 0 "$FICD" import --publish --data "$DATA" "$TMP/w0.md" "$TMP/w1.md" "$TMP/w2.md" \
  "$TMP/w3.md" "$TMP/w4.md"

FICD_THREADS=2 "$FICD" serve --listen "127.0.0.1:$PORT" --data "$DATA" 2>"$TMP/server.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -s --max-time 2 "$BASE/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
expect_grep "indexed 5 works" "$TMP/server.log"

req() { # req JAR METHOD PATH [curl args]: status in $CODE, body in $TMP/body, headers in $TMP/hdr
  local jar=$1 m=$2 p=$3; shift 3
  CODE=$(curl -s --max-time 30 -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code}' -X "$m" \
    -b "$jar" -c "$jar" "$@" "$BASE$p")
}
expect_code() { if [ "$CODE" = "$1" ]; then ok; else fail "$2: expected HTTP $1, got $CODE: $(head -c 300 "$TMP/body")"; fi; }
expect_body() { expect_grep "$1" "$TMP/body"; }
expect_no_body() { if grep -q -- "$1" "$TMP/body"; then fail "'$1' should not be in the page"; else ok; fi; }
expect_header() { if grep -qi -- "$1" "$TMP/hdr"; then ok; else fail "header '$1' missing"; fi; }
token() { sed -n 's/.*name="authenticity_token" value="\([0-9a-f]*\)".*/\1/p' "$TMP/body" | head -1; }

ADMIN="$TMP/admin.jar" ANON="$TMP/anon.jar"
touch "$ADMIN" "$ANON"

# first-run setup (every page waits for it), then an admin session for restricted works
req "$ADMIN" GET /setup
TOK=$(token)
req "$ADMIN" POST /setup --data "authenticity_token=$TOK&name=alice&password=hunter22hunter&password_confirm=hunter22hunter&archive_name=Search+Test&signup_mode=closed"
expect_code 303 "setup"

# ---- the API against expectations computed from the fixtures ----
cat >"$TMP/check.py" <<'PY'
import datetime, json, sys, time, urllib.parse, urllib.request
sys.path.insert(0, sys.argv[1])
from fixtures import WORKS
BASE = sys.argv[2]
passed = failed = 0

def ok(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what, file=sys.stderr)

def get(params, expect=200):
    url = BASE + "/api/v1/works?" + urllib.parse.urlencode(params, doseq=True)
    try:
        with urllib.request.urlopen(url, timeout=20) as r:
            code, body, ctype = r.status, r.read(), r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        code, body, ctype = e.code, e.read(), e.headers.get("Content-Type", "")
    ok(code == expect, f"{url}: HTTP {code}, expected {expect}: {body[:200]!r}")
    ok(ctype.startswith("application/json"), f"{url}: Content-Type {ctype}")
    return json.loads(body)

# the fixture table as dicts, with the word count the importer gives (filler + sentence)
W = []
for t in WORKS:
    (title, creator, fandoms, rating, warnings, cats, rels, chars, tags, chapters, lang,
     word, count, sentence) = t
    W.append(dict(title=title, creator=creator, fandoms=fandoms, rating=rating,
                  warnings=warnings, cats=cats, tags=rels + chars + tags, rels=rels,
                  chars=chars, freeforms=tags, complete=not chapters.endswith("?"),
                  lang=lang, words=count + len(sentence.split()), text=sentence))

def titles(j):
    return [w["title"] for w in j["works"]]

def check(params, pred, what):
    j = get(params)
    want = sorted(w["title"] for w in W if pred(w))
    ok(sorted(titles(j)) == want and j["total"] == len(want),
       f"{what} {params}: got {sorted(titles(j))} total {j['total']}, want {want}")
    return j

every = check({}, lambda w: True, "everything")
for g, key in (("ratings", "rating"), ("warnings", "warnings"), ("categories", "cats")):
    for name, n in every["facets"][g].items():
        want = sum(1 for w in W if (name == w[key] if key == "rating" else name in w[key]))
        ok(n == want, f"facet {g}/{name}: {n}, want {want}")
for g, key in (("fandoms", "fandoms"), ("relationships", "rels"), ("characters", "chars"),
               ("freeforms", "freeforms")):
    want = {}
    for w in W:
        for t in w[key]:
            want[t] = want.get(t, 0) + 1
    ok(every["facets"][g] == want, f"facet {g}: {every['facets'][g]}, want {want}")
ok(set(every) >= {"total", "page", "per_page", "works", "facets", "next"}, f"keys {set(every)}")
ok(every["next"] is None, "next on the only page")
w0 = every["works"][0]
ok(set(w0) >= {"id", "title", "creators", "rating", "warnings", "categories", "fandoms",
               "relationships", "characters", "freeforms", "words", "chapters", "complete",
               "language", "summary", "published", "updated", "kudos", "hits"},
   f"work keys {set(w0)}")
for w in every["works"]:
    fx = next(x for x in W if x["title"] == w["title"])
    ok(w["words"] == fx["words"], f"words of {w['title']}: {w['words']}, want {fx['words']}")

check({"rating": "G"}, lambda w: w["rating"] == "General Audiences", "rating")
check({"rating": ["G", "T"]}, lambda w: w["rating"] in ("General Audiences",
      "Teen And Up Audiences"), "two ratings (any of)")
check({"exclude_rating": "E"}, lambda w: w["rating"] != "Explicit", "exclude rating")
check({"warning": "No Archive Warnings Apply"},
      lambda w: "No Archive Warnings Apply" in w["warnings"], "warning")
check({"exclude_warning": "mcd"}, lambda w: "Major Character Death" not in w["warnings"],
      "exclude warning")
check({"category": "Gen"}, lambda w: "Gen" in w["cats"], "category")
check({"exclude_category": "F/F"}, lambda w: "F/F" not in w["cats"], "exclude category")
check({"fandom": "Starfall Academy"}, lambda w: "Starfall Academy" in w["fandoms"], "fandom")
check({"fandom": ["Starfall Academy", "Harbourlight Saga"]}, lambda w: True, "fandoms (any)")
check({"tag": "Fluff"}, lambda w: "Fluff" in w["tags"], "tag")
check({"tag": "fluff"}, lambda w: "Fluff" in w["tags"], "tag in another case")
check({"tag": ["Fluff", "Maris"]}, lambda w: {"Fluff", "Maris"} <= set(w["tags"]), "two tags")
check({"tag": "Fluff, Maris"}, lambda w: {"Fluff", "Maris"} <= set(w["tags"]),
      "comma-separated tags")
check({"exclude_tag": "Angst"}, lambda w: "Angst" not in w["tags"], "exclude tag")
check({"tag": "Fluff", "exclude_tag": "Maris/Tobin"},
      lambda w: "Fluff" in w["tags"] and "Maris/Tobin" not in w["tags"], "include and exclude")
check({"tag": "No Such Tag"}, lambda w: False, "unknown include tag")
check({"exclude_tag": "No Such Tag"}, lambda w: True, "unknown exclude tag")
check({"crossover": "only"}, lambda w: len(w["fandoms"]) > 1, "crossovers only")
check({"crossover": "exclude"}, lambda w: len(w["fandoms"]) == 1, "crossovers excluded")
check({"complete": "T"}, lambda w: w["complete"], "complete")
check({"complete": "F"}, lambda w: not w["complete"], "in progress")
check({"words_from": 250, "words_to": 600}, lambda w: 250 <= w["words"] <= 600, "word range")
check({"words_from": 650}, lambda w: w["words"] >= 650, "words from")
check({"language": "Français"}, lambda w: w["lang"] == "Français", "language")
check({"language": "francais"}, lambda w: w["lang"] == "Français", "language without accent")
today = datetime.datetime.now(datetime.timezone.utc).date()
check({"updated_from": str(today - datetime.timedelta(days=1)), "updated_to": str(today)},
      lambda w: True, "updated range around today")
check({"updated_from": str(today + datetime.timedelta(days=1))}, lambda w: False,
      "updated from tomorrow")
check({"updated_to": str(today - datetime.timedelta(days=1))}, lambda w: False,
      "updated to yesterday")
check({"words_to": 5000, "q": "", "tag": "", "rating": ""}, lambda w: True,
      "empty values are ignored")

# facets follow the filter and stay exact
j = check({"fandom": "Harbourlight Saga"}, lambda w: "Harbourlight Saga" in w["fandoms"],
          "fandom for facets")
hw = [w for w in W if "Harbourlight Saga" in w["fandoms"]]
ok(j["facets"]["fandoms"] == {"Harbourlight Saga": len(hw), "Starfall Academy": 1},
   f"fandom facets under a filter: {j['facets']['fandoms']}")
ok(j["facets"]["ratings"]["General Audiences"] ==
   sum(1 for w in hw if w["rating"] == "General Audiences"), "rating facet under a filter")

# sorts
def order(params):
    return titles(get(params))
ok(order({"sort": "title"}) == sorted(w["title"] for w in W), "sort by title")
ok(order({"sort": "title", "dir": "desc"}) == sorted((w["title"] for w in W), reverse=True),
   "sort by title, descending")
ok(order({"sort": "words"}) == [w["title"] for w in sorted(W, key=lambda w: -w["words"])],
   "sort by word count")
ok(order({"sort": "words", "dir": "asc"}) == [w["title"] for w in sorted(W, key=lambda w: w["words"])],
   "sort by word count, ascending")
ok(order({"sort": "author"}) == [w["title"] for w in sorted(W, key=lambda w: w["creator"].lower())],
   "sort by creator")
by_id = [w["title"] for w in sorted(every["works"], key=lambda w: -w["id"])]
ok(order({"sort": "kudos"}) == by_id, "sort by kudos: ties by id, descending")

# pagination: stable pages that add up to the whole, and a next link
seen, page, url_next, pages = [], 1, None, 0
while True:
    j = get({"sort": "title", "per_page": 2, "page": page})
    pages += 1
    seen += titles(j)
    if j["next"] is None:
        break
    ok(j["next"].startswith("/api/v1/works?") and f"page={page + 1}" in j["next"]
       and "per_page=2" in j["next"] and "sort=title" in j["next"], f"next link {j['next']}")
    with urllib.request.urlopen(BASE + j["next"], timeout=20) as r:
        ok(titles(json.loads(r.read())) == titles(get({"sort": "title", "per_page": 2,
                                                        "page": page + 1})),
           "the next link gives the next page")
    page += 1
    if page > 10:
        break
ok(pages == 3 and seen == sorted(w["title"] for w in W), f"pages {pages}: {seen}")
ok(get({"page": 9})["works"] == [], "a page past the end is empty")

# full text
check({"q": "silver"}, lambda w: "silver" in w["text"], "word")
check({"q": '"silver fish"'}, lambda w: "silver fish" in w["text"], "phrase")
check({"q": "silver NOT fish"}, lambda w: "silver" in w["text"] and "fish" not in w["text"], "NOT")
check({"q": "silver -fish"}, lambda w: "silver" in w["text"] and "fish" not in w["text"], "-word")
check({"q": "title:glass"}, lambda w: "Glass" in w["title"], "title field")
check({"q": "silver", "fandom": "Starfall Academy"},
      lambda w: "silver" in w["text"] and "Starfall Academy" in w["fandoms"], "text and filter")
j = get({"q": '"silver fish"'})
ok(all("<mark>silver</mark>" in w.get("snippet", "") for w in j["works"]), "snippets marked")
j = get({"q": "silver", "sort": "title"})
ok(titles(j) == sorted(w["title"] for w in W if "silver" in w["text"]), "text sorted by title")

# errors
for params, word in (({"q": '"silver'}, "quote"), ({"q": "silver OR"}, "OR"),
                     ({"q": "(silver"}, "parenthes"), ({"rating": "Q"}, "rating"),
                     ({"words_from": "many"}, "words_from"), ({"page": "0"}, "page"),
                     ({"updated_from": "2024-02-30"}, "updated_from"),
                     ({"sort": "sideways"}, "sort"), ({"per_page": 500}, "per_page")):
    j = get(params, expect=400)
    ok(isinstance(j.get("error"), str) and word.lower() in j["error"].lower(),
       f"error for {params}: {j}")
print(passed, failed)
PY
run_check() { # adds the Python checks' counts to ours
  local out
  out=$(python3 "$TMP/check.py" "$TMP" "$BASE" 2>"$TMP/check.err") || true
  cat "$TMP/check.err" >&2
  local p=${out% *} f=${out#* }
  if [ -z "$out" ]; then fail "the API checks did not run"; return; fi
  PASSES=$((PASSES + p)); FAILS=$((FAILS + f))
}
run_check

req "$ANON" GET "/api/v1/works?q=%22silver"
expect_code 400 "malformed query (JSON)"
expect_header "^Content-Type: application/json"
expect_header "^X-Content-Type-Options: nosniff"
expect_header "^Content-Security-Policy: default-src 'self'"
expect_body '"error":"unbalanced quotes'

# ---- HTML: the works index, its sidebar counts, tag pages, the search box ----
req "$ANON" GET "/works?fandom=Harbourlight+Saga&sort=title"
expect_code 200 "works index with a filter"
expect_body "1 - 4 of 4 Works"
expect_body 'id="work-filters"'
expect_body 'name="fandom" value="Harbourlight Saga" id="[a-z_0-9]*" checked'
expect_body 'Starfall Academy <span class="count">(1)</span>'
expect_body 'General Audiences <span class="count">(1)</span>'
expect_body 'Fluff <span class="count">(3)</span>'
expect_body '<option value="title" selected>'
expect_body 'id="site-search"'
cp "$TMP/body" "$TMP/works.html"
# the blurbs appear in title order
ORDER=$(grep -o '<h3 class="heading"><a href="/works/[0-9]*">[^<]*' "$TMP/body" | sed 's/.*">//' | paste -sd'|')
[ "$ORDER" = "Le Phare|River of Glass|Salt and Embers|Two Worlds Meet" ] && ok || fail "HTML order: $ORDER"

req "$ANON" GET "/works?sort=title&per_page=2&rating=G&rating=T&rating=E&rating=M"
expect_code 200 "works index, paged"
expect_body '1 - 2 of 5 Works'
expect_body 'href="/works?sort=title&amp;per_page=2&amp;rating=G&amp;rating=T&amp;rating=E&amp;rating=M&amp;page=2"'
req "$ANON" GET "/works?sort=title&per_page=2&page=3"
expect_code 200 "last page"
expect_body '5 - 5 of 5 Works'
req "$ANON" GET "/works?page=4&per_page=2"
expect_code 404 "page past the end (HTML)"

req "$ANON" GET "/works?q=%22silver+fish%22&exclude_tag=Angst,+Nope&words_to=900"
expect_code 200 "text search page"
expect_body "No works match these filters."
# excluded tags are not in the result, so they stay in the text field as typed
expect_body 'id="exclude_tag" value="Angst, Nope"'
req "$ANON" GET "/works?exclude_tag=Angst&tag=Maris"
expect_body 'Maris/Quenby <span class="count">(1)</span>'
expect_body 'name="tag" value="Maris" id="[a-z_0-9]*" checked'
expect_body 'id="exclude_tag" value="Angst"'
req "$ANON" GET "/works?q=%22silver+fish%22"
expect_body '<mark>silver</mark> <mark>fish</mark>'
expect_body 'id="site-search" placeholder="Search works" value="&quot;silver fish&quot;"'

req "$ANON" GET "/works?q=%22silver+%3Cb%3E&tag=Fluff"
expect_code 400 "malformed query (HTML)"
expect_body 'id="errors"'
expect_body "unbalanced quotes"
expect_body 'id="q" value="&quot;silver &lt;b&gt;"'
expect_body 'name="tag" value="Fluff" id="[a-z_0-9]*" checked\|id="tag" value="Fluff"'
expect_no_body '<b>'
req "$ANON" GET "/works?words_from=lots"
expect_code 400 "bad number (HTML)"
expect_body "words_from must be a whole number"
req "$ANON" GET "/works?page=abc"
expect_code 400 "bad page (HTML)"
expect_body "page number"

req "$ANON" GET "/tags/Fluff/works?sort=words"
expect_code 200 "tag page"
expect_body "3 Works in Fluff"
expect_body 'action="/tags/Fluff/works"'
req "$ANON" GET "/tags/fluff/works?exclude_tag=Maris"
expect_code 200 "tag page, another case, with an exclude"
expect_body "1 Work in Fluff"
req "$ANON" GET "/tags/Maris*s*Tobin/works"
expect_code 200 "tag page with a slash"
expect_body "1 Work in Maris/Tobin"
req "$ANON" GET "/"
expect_body 'action="/works"'
expect_body 'id="site-search"'

# ---- restricted works: hidden from anonymous visitors, counts match ----
req "$ADMIN" GET /works/new
TOK=$(token)
req "$ADMIN" POST /works --data-urlencode "authenticity_token=$TOK" --data-urlencode "title=Hidden Lantern" \
  --data-urlencode "pseud=alice" --data-urlencode "rating=1" --data-urlencode "warning=8" \
  --data-urlencode "category=4" --data-urlencode "fandoms=Harbourlight Saga" \
  --data-urlencode "freeforms=Fluff" --data-urlencode "restricted=1" \
  --data-urlencode "chapter_text=The umbrafex lantern glowed silver." \
  --data-urlencode "format=html" --data-urlencode "commit=post"
expect_code 303 "post a restricted work"
# the server applies its own writes at once: no waiting here
req "$ADMIN" GET "/api/v1/works?q=umbrafex"
expect_body '"total":1'
expect_body '"title":"Hidden Lantern"'
req "$ANON" GET "/api/v1/works?q=umbrafex"
expect_body '"total":0'
req "$ANON" GET "/api/v1/works?tag=Fluff"
expect_body '"total":3'
expect_no_body "Hidden Lantern"
expect_body '"Harbourlight Saga":3'
req "$ANON" GET "/works?tag=Fluff"
expect_body "1 - 3 of 3 Works"
expect_no_body "Hidden Lantern"
expect_body 'Fluff <span class="count">(3)</span>'
req "$ADMIN" GET "/works?tag=Fluff"
expect_body "1 - 4 of 4 Works"
expect_body "Hidden Lantern"
req "$ANON" GET "/tags/Fluff/works"
expect_body "3 Works in Fluff"

# ---- freshness: CLI imports while the server runs are findable within 1 s ----
fresh() { # fresh FILE WORD: imports FILE, polls the API for WORD, prints milliseconds
  "$FICD" import --publish --data "$DATA" "$1" >/dev/null 2>"$TMP/import.err" || { echo 99999; return; }
  python3 - "$BASE" "$2" <<'PY'
import json, sys, time, urllib.request
t0 = time.monotonic()
while time.monotonic() - t0 < 5:
    with urllib.request.urlopen(f"{sys.argv[1]}/api/v1/works?q={sys.argv[2]}", timeout=5) as r:
        if json.loads(r.read())["total"] == 1:
            print(int((time.monotonic() - t0) * 1000)); sys.exit(0)
    time.sleep(0.02)
print(99999)
PY
}
for f in "w5.md zephyrine" "w6.md obsidianite"; do
  set -- $f
  MS=$(fresh "$TMP/$1" "$2")
  echo "imported $1 while serving: findable after $MS ms"
  if [ "$MS" -le 1000 ]; then ok; else fail "work imported by the CLI not found within 1 s (${MS} ms)"; fi
done
req "$ANON" GET "/api/v1/works?fandom=Starfall+Academy"
expect_body '"total":4'

# ---- the pages are well-formed (unique ids, labelled controls, balanced tags) ----
mkdir -p "$TMP/pages"
cp "$TMP/works.html" "$TMP/pages/works.html"
req "$ANON" GET "/works?q=%22silver"
cp "$TMP/body" "$TMP/pages/error.html"
req "$ANON" GET "/tags/Fluff/works"
cp "$TMP/body" "$TMP/pages/tag.html"
if python3 - "$TMP/pages" <<'PY'; then ok; else fail "HTML problems"; fi
import os, sys
from html.parser import HTMLParser
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
bad = []
class P(HTMLParser):
    def __init__(s, name):
        super().__init__(convert_charrefs=True)
        s.name, s.stack, s.ids, s.labels, s.controls = name, [], set(), set(), []
    def handle_starttag(s, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            if a["id"] in s.ids: bad.append(f"{s.name}: duplicate id {a['id']}")
            s.ids.add(a["id"])
        if tag == "label" and "for" in a: s.labels.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            s.controls.append(a.get("id"))
        if tag not in VOID: s.stack.append(tag)
    def handle_endtag(s, tag):
        if tag in VOID: return
        if not s.stack or s.stack[-1] != tag:
            bad.append(f"{s.name}: </{tag}> closes <{s.stack[-1] if s.stack else ''}>"); return
        s.stack.pop()
for f in sorted(os.listdir(sys.argv[1])):
    p = P(f); p.feed(open(os.path.join(sys.argv[1], f), encoding="utf-8").read()); p.close()
    if p.stack: bad.append(f"{f}: unclosed {p.stack}")
    for c in p.controls:
        if c not in p.labels: bad.append(f"{f}: control #{c} has no label")
if bad: print("\n".join(bad[:20]), file=sys.stderr); sys.exit(1)
PY

# ---- stop ----
kill -TERM "$SERVER_PID"
for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
set +e; wait "$SERVER_PID"; RC=$?; set -e
[ "$RC" = 0 ] && ok || fail "server exit status $RC after SIGTERM"
if grep -qE "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" "$TMP/server.log"; then
  fail "sanitizer report: $(grep -A20 -E "ERROR: |runtime error:" "$TMP/server.log" | head -40)"
else
  ok
fi
finish
