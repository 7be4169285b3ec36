#!/usr/bin/env bash
# http_basic.sh: the web archive end to end over HTTP with curl: first-run setup, CSRF,
# sign-up by invitation, login (and its rate limit), posting a work through the forms
# (preview, bad values, draft, post), chapters, reading (work, chapter, entire work), tags,
# users, downloads in every format (EPUB through epubcheck), error pages
# (400/403/404/405/413/422/429), security headers, gzip, ETag/304, and a graceful SIGTERM.
# Usage: http_basic.sh path/to/ficd
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

# hits are written at shutdown only: a write every 2 s would change the work page (its hit
# count) between the page-cache checks below on a loaded machine
FICD_HITS_FLUSH=3600 FICD_MAX_BODY=256K FICD_THREADS=2 "$FICD" serve --listen "127.0.0.1:$PORT" --data "$DATA" \
  2>"$TMP/server.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -s --max-time 2 "$BASE/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

# req JAR METHOD PATH [curl args]: status in $CODE, body in $TMP/body, headers in $TMP/hdr.
req() {
  local jar=$1 m=$2 p=$3; shift 3
  CODE=$(curl -s --max-time 30 -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code}' -X "$m" \
    -b "$jar" -c "$jar" "$@" "$BASE$p")
}
expect_code() { # expect_code WANT WHAT
  if [ "$CODE" = "$1" ]; then ok; else fail "$2: expected HTTP $1, got $CODE: $(head -c 300 "$TMP/body")"; fi
}
expect_body() { expect_grep "$1" "$TMP/body"; }
expect_no_body() {
  if grep -q -- "$1" "$TMP/body"; then fail "'$1' should not be in the page"; else ok; fi
}
expect_header() { # expect_header REGEX (case-insensitive)
  if grep -qi -- "$1" "$TMP/hdr"; then ok; else fail "header '$1' missing: $(tr -d '\r' <"$TMP/hdr" | head -20)"; fi
}
mkdir -p "$TMP/pages"
save_page() { cp "$TMP/body" "$TMP/pages/$1.html"; } # checked as HTML at the end
token() { sed -n 's/.*name="authenticity_token" value="\([0-9a-f]*\)".*/\1/p' "$TMP/body" | head -1; }
location() { tr -d '\r' <"$TMP/hdr" | sed -n 's/^[Ll]ocation: //p' | tail -1; }

ADMIN="$TMP/admin.jar" BOB="$TMP/bob.jar" ANON="$TMP/anon.jar"
touch "$ADMIN" "$BOB" "$ANON"

req "$ANON" GET /healthz
expect_code 200 "healthz"
expect_body "^ok"

# ---- first run: every page leads to /setup ----
req "$ANON" GET /works
expect_code 303 "redirect to setup"
[ "$(location)" = "/setup" ] && ok || fail "setup redirect went to '$(location)'"
expect_header "^Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'"
expect_header "^X-Content-Type-Options: nosniff"
expect_header "^X-Frame-Options: DENY"
expect_header "^Referrer-Policy: same-origin"
req "$ADMIN" GET /setup
expect_code 200 "setup form"
save_page setup
expect_body 'for="password_confirm"'
TOK=$(token)
[ ${#TOK} = 64 ] && ok || fail "no CSRF token on the setup form"
req "$ADMIN" POST /setup --data "name=alice&password=hunter22hunter&password_confirm=hunter22hunter&archive_name=Test+Archive&signup_mode=invite"
expect_code 403 "setup without CSRF token"
expect_body "Your session expired or the form is stale"
req "$ADMIN" POST /setup --data "authenticity_token=$TOK&name=alice&password=short&password_confirm=short&archive_name=Test+Archive&signup_mode=invite"
expect_code 422 "setup with a short password"
expect_body "too short"
expect_body 'value="alice"'
req "$ADMIN" POST /setup --data "authenticity_token=$TOK&name=alice&password=hunter22hunter&password_confirm=hunter22hunter&archive_name=Test+Archive&signup_mode=invite"
expect_code 303 "setup"
grep -q ficd_session "$ADMIN" && ok || fail "no session cookie after setup"
expect_header "^Set-Cookie: ficd_session=[0-9a-f]\{64\}; Path=/; Max-Age=[0-9]*; HttpOnly; SameSite=Lax"
req "$ANON" GET /setup
expect_code 303 "setup is done"

# ---- home, static, gzip ----
req "$ANON" GET /
expect_code 200 "home"
save_page home
expect_body "<title>Test Archive</title>"
expect_body "Skip to content"
req "$ANON" GET /static/style.css
expect_code 200 "stylesheet"
expect_header "^Cache-Control: public, max-age=86400"
ETAG=$(tr -d '\r' <"$TMP/hdr" | sed -n 's/^[Ee][Tt]ag: //p')
[ -n "$ETAG" ] && ok || fail "no ETag on the stylesheet"
req "$ANON" GET /static/style.css -H "If-None-Match: $ETAG"
expect_code 304 "conditional stylesheet"
req "$ANON" GET /static/ficd.js
expect_code 200 "script"
expect_header "^Content-Type: text/javascript"
req "$ANON" GET /static/nope.css
expect_code 404 "missing static file"

# ---- posting ----
req "$ADMIN" GET /works/new
expect_code 200 "new work form"
save_page new-work
for id in title pseud summary rating fandoms relationships characters freeforms chapter_text format_html format_markdown expected_chapters; do
  grep -q "id=\"$id\"" "$TMP/body" && ok || fail "new work form lacks #$id"
done
TOK=$(token)
FORM=(--data-urlencode "authenticity_token=$TOK" --data-urlencode "title=<script>alert(1)</script> & Friends"
  --data-urlencode "pseud=alice" --data-urlencode "summary=A summary." --data-urlencode "rating=2"
  --data-urlencode "warning=8" --data-urlencode "category=4" --data-urlencode "fandoms=Test Fandom, A/B Verse"
  --data-urlencode "relationships=Ann/Bea" --data-urlencode "characters=Ann, Bea"
  --data-urlencode "freeforms=Fluff" --data-urlencode "expected_chapters=?"
  --data-urlencode "chapter_title=Beginnings" --data-urlencode "format=markdown"
  --data-urlencode "chapter_text=Hello *world*, this is the first chapter.<script>x()</script>")
req "$ADMIN" POST /works "${FORM[@]}" --data-urlencode "commit=preview"
expect_code 200 "preview"
save_page preview
expect_body 'id="preview-notice"'
expect_body "<em>world</em>"
expect_body 'value="&lt;script&gt;alert(1)&lt;/script&gt; &amp; Friends"'
expect_no_body "<script>alert"
expect_no_body "<script>x()"
req "$ADMIN" POST /works "${FORM[@]/fandoms=Test*/fandoms=}" --data-urlencode "commit=post"
expect_code 422 "work without a fandom"
save_page work-422
expect_body "Add at least one fandom"
expect_body "Hello \*world\*"
req "$ADMIN" POST /works "${FORM[@]}" --data-urlencode "commit=post"
expect_code 303 "post work"
WORK=$(location | sed -n 's|^/works/\([0-9]*\)$|\1|p')
[ -n "$WORK" ] && ok || fail "post did not redirect to the work ($(location))"

req "$ANON" GET "/works/$WORK"
expect_code 200 "work page"
save_page work
expect_body "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Friends"
expect_no_body "<script>alert"
expect_body "<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; Friends - Test Archive</title>"
expect_body 'href="/tags/A\*s\*B%20Verse/works"'
expect_body 'href="/users/alice"'
expect_body '<dd class="chapters">1/?</dd>'
expect_body "Teen And Up Audiences"
expect_no_body 'id="edit-work"'
req "$ANON" GET "/works/$WORK" -H "Accept-Encoding: gzip"
expect_header "^Content-Encoding: gzip"
expect_header "^Vary: Accept-Encoding"
gzip -t "$TMP/body" 2>/dev/null && ok || fail "gzip body does not decompress"
# (into a file: grep -q quitting early would make curl fail on the closed pipe)
curl -s --compressed "$BASE/works/$WORK" -o "$TMP/gunzipped.html"
grep -q "Friends" "$TMP/gunzipped.html" && ok || fail "gzip body content"

# ---- page cache: anonymous pages served again, never stale, never personal ----
hz() { curl -s -b "$ADMIN" "$BASE/healthz" | sed -n "s/^$1 //p"; }
H0=$(hz page_cache_hits)
req "$ANON" GET "/works/$WORK"
cp "$TMP/body" "$TMP/cache1.html"
req "$ANON" GET "/works/$WORK"
expect_code 200 "cached work page"
cmp -s "$TMP/body" "$TMP/cache1.html" && ok || fail "the cached work page differs from the rendered one"
expect_header "^Content-Security-Policy: default-src 'self'"
expect_header "^Content-Type: text/html; charset=utf-8"
expect_header "^Cache-Control: private, no-cache"
H1=$(hz page_cache_hits)
[ "$H1" -gt "$H0" ] && ok || fail "a second anonymous GET was not a page-cache hit ($H0 -> $H1)"
req "$ANON" GET "/works/$WORK" -H "Accept-Encoding: gzip"
req "$ANON" GET "/works/$WORK" -H "Accept-Encoding: gzip"
expect_header "^Content-Encoding: gzip"
gzip -dc "$TMP/body" >"$TMP/cache-gz.html" 2>/dev/null && cmp -s "$TMP/cache-gz.html" "$TMP/cache1.html" && ok ||
  fail "the cached gzip page is not the plain page compressed"
HEADCODE=$(curl -s -I -o /dev/null -w '%{http_code}' "$BASE/works/$WORK")
[ "$HEADCODE" = 200 ] && ok || fail "HEAD of a cached page: $HEADCODE"
# a signed-in creator never gets the anonymous copy
req "$ADMIN" GET "/works/$WORK"
expect_body 'id="edit-work"'
# a change from another process (the CLI) shows at once, on the work page and in listings
"$FICD" tag add --data "$DATA" "$WORK" freeform "Cache Buster Tag" >/dev/null 2>"$TMP/err" || fail "tag add: $(cat "$TMP/err")"
req "$ANON" GET "/works/$WORK"
expect_body "Cache Buster Tag"
req "$ANON" GET "/works"
cp "$TMP/body" "$TMP/cache-works.html"
req "$ANON" GET "/works"
cmp -s "$TMP/body" "$TMP/cache-works.html" && ok || fail "the cached works index differs from the rendered one"
expect_body "Cache Buster Tag"
"$FICD" tag remove --data "$DATA" "$WORK" freeform "Cache Buster Tag" >/dev/null 2>&1 || fail "tag remove"
req "$ANON" GET "/works"
expect_no_body "Cache Buster Tag"
# pages with a form carry a CSRF token for one browser: each anonymous browser gets its own
C1="$TMP/c1.jar" C2="$TMP/c2.jar"
touch "$C1" "$C2"
req "$C1" GET /login
req "$C2" GET /login
req "$C1" GET /login
T1=$(token)
req "$C2" GET /login
T2=$(token)
[ -n "$T1" ] && [ "$T1" != "$T2" ] && ok || fail "two browsers got the same login form token ($T1, $T2)"
req "$C1" GET /login
[ "$(token)" = "$T1" ] && ok || fail "a browser's login form token changed between visits"

# second chapter
req "$ADMIN" GET "/works/$WORK/chapters/new"
expect_code 200 "new chapter form"
save_page new-chapter
TOK=$(token)
req "$ADMIN" POST "/works/$WORK/chapters/new" --data-urlencode "authenticity_token=$TOK" \
  --data-urlencode "chapter_title=Second" --data-urlencode "format=html" \
  --data-urlencode "chapter_text=<p>The second <b>chapter</b> text.</p><img src=x onerror=alert(1)>" \
  --data-urlencode "commit=post"
expect_code 303 "post chapter"
CH2=$(location | sed -n "s|^/works/$WORK/chapters/\([0-9]*\)$|\1|p")
[ -n "$CH2" ] && ok || fail "chapter post redirect ($(location))"
req "$ANON" GET "/works/$WORK/chapters/$CH2"
expect_code 200 "chapter page"
save_page chapter
expect_body "Friends - Chapter 2 - Test Archive</title>"
expect_body "<b>chapter</b>"
expect_no_body "onerror"
expect_body 'id="prev-chapter"'
expect_body '<dd class="chapters">2/?</dd>'
req "$ANON" GET "/works/$WORK"
expect_body 'id="next-chapter"'
req "$ANON" GET "/works/$WORK?view_full_work=true"
expect_code 200 "entire work"
save_page entire-work
expect_body 'id="chapter-1"'
expect_body 'id="chapter-2"'
req "$ANON" GET "/works/$WORK?chapter=$CH2"
expect_code 303 "chapter select"
req "$ANON" GET "/works/$WORK/chapters/999999"
expect_code 404 "missing chapter"

# tags, users, lists
req "$ANON" GET "/tags/A*s*B%20Verse/works"
expect_code 200 "tag page (*s*)"
save_page tag
expect_body "1 Work in A/B Verse"
req "$ANON" GET "/tags/A%2FB%20Verse/works"
expect_code 200 "tag page (%2F)"
expect_body "1 Work in A/B Verse"
req "$ANON" GET "/tags/No%20Such%20Tag/works"
expect_code 404 "missing tag"
req "$ANON" GET "/api/v1/tags/autocomplete?type=fandom&term=test"
expect_code 200 "autocomplete"
expect_header "^Content-Type: application/json"
expect_body '"name":"Test Fandom"'
req "$ANON" GET /users/alice
expect_code 200 "user page"
save_page user
req "$ANON" GET /users/alice/works
expect_code 200 "user works"
expect_body "work_$WORK"
req "$ANON" GET /users/nobody-here
expect_code 404 "missing user"
req "$ANON" GET "/works?page=1"
expect_code 200 "works index"
save_page works
expect_body "1 - 1 of 1 Works"
req "$ANON" GET "/works?page=abc"
expect_code 400 "bad page number"
expect_body "page number"

# downloads
for ext in epub html md txt; do
  req "$ANON" GET "/downloads/$WORK/whatever.$ext"
  expect_code 200 "download $ext"
  expect_header "^Content-Disposition: attachment; filename=\"[A-Za-z0-9_]*\.$ext\""
  cp "$TMP/body" "$TMP/work.$ext"
done
expect_header "^Content-Type: text/plain"
[ "$(head -c 2 "$TMP/work.epub")" = "PK" ] && ok || fail "EPUB is not a zip"
# epubcheck is a declared test dependency (scripts/deps.sh test): missing is a failure
if [ -f /usr/share/java/epubcheck.jar ] || command -v epubcheck >/dev/null 2>&1; then
  # Debian installs epubcheck as a bare jar: run it with java when it is one
  EPUBCHECK=(epubcheck)
  [ -f /usr/share/java/epubcheck.jar ] && EPUBCHECK=(java -jar /usr/share/java/epubcheck.jar)
  if timeout 120 "${EPUBCHECK[@]}" -q "$TMP/work.epub" >"$TMP/epubcheck.out" 2>&1 &&
    ! grep -qE 'WARNING|ERROR' "$TMP/epubcheck.out"; then ok; else fail "epubcheck: $(head -c 600 "$TMP/epubcheck.out")"; fi
else
  fail "epubcheck is not installed (scripts/deps.sh test): the EPUB download was not validated"
fi
req "$ANON" GET "/downloads/$WORK/x.doc"
expect_code 404 "unknown download format"

# manuscript import from the browser (multipart upload)
cat >"$TMP/glass.txt" <<'MS'
Title: The Glass Orchard
Fandom: Orchard Tales
Rating: General Audiences
Archive Warning: No Archive Warnings Apply
Relationship: Mira/Tov
Characters: Mira, Tov

Chapter 1: Arrival

Mira came to the orchard in the last week of summer, when the glass apples rang in the wind
like small bells. Tov was already there, counting the trees.

"Forty," he said. "There were forty-one last year."

Chapter 2: Harvest

They picked until their hands were cold. Nobody spoke of the missing tree, and nobody had to.
MS
req "$ADMIN" GET /works/import
expect_code 200 "import form"
save_page import
expect_body 'enctype="multipart/form-data"'
TOK=$(token)
req "$ADMIN" POST /works/import -F "authenticity_token=$TOK" -F "manuscript=@$TMP/glass.txt;type=text/plain"
expect_code 200 "import a manuscript"
save_page imported
expect_body "Review Imported Work"
expect_body 'value="The Glass Orchard"'
expect_body "2 chapters"
IMPORTED=$(sed -n 's|.*action="/works/\([0-9]*\)/edit".*|\1|p' "$TMP/body" | head -1)
[ -n "$IMPORTED" ] && ok || fail "imported work has no edit form"
req "$ANON" GET "/works/$IMPORTED"
expect_code 404 "an imported work is a draft until posted"
req "$ADMIN" POST /works/import -F "authenticity_token=$TOK" -F "manuscript=@$TMP/glass.txt;type=text/plain"
expect_code 422 "importing the same file twice"
expect_body "already imported"
printf '\x00\x01\x02binary\x00' >"$TMP/bin.txt"
req "$ADMIN" POST /works/import -F "authenticity_token=$TOK" -F "manuscript=@$TMP/bin.txt"
expect_code 422 "importing a binary file"
expect_body "bin.txt"
req "$ADMIN" POST /works/import -F "authenticity_token=0" -F "manuscript=@$TMP/glass.txt"
expect_code 403 "import with a bad CSRF token"

# drafts and restricted works
req "$ADMIN" GET /works/new
TOK=$(token)
req "$ADMIN" POST /works --data-urlencode "authenticity_token=$TOK" --data-urlencode "title=Secret Draft" \
  --data-urlencode "pseud=alice" --data-urlencode "rating=1" --data-urlencode "warning=8" \
  --data-urlencode "fandoms=Test Fandom" --data-urlencode "chapter_text=Draft text here." \
  --data-urlencode "format=html" --data-urlencode "commit=draft"
expect_code 303 "save draft"
DRAFT=$(location | sed -n 's|^/works/\([0-9]*\)$|\1|p')
req "$ANON" GET "/works/$DRAFT"
expect_code 404 "draft hidden from anonymous"
req "$ADMIN" GET "/works/$DRAFT"
expect_code 200 "draft visible to owner"
expect_body 'id="publish"'
req "$ADMIN" GET /dashboard
expect_code 200 "dashboard"
save_page dashboard
expect_body "work_$DRAFT"
req "$ADMIN" GET "/works/$WORK/edit"
expect_code 200 "edit form"
save_page edit
expect_body 'value="&lt;script&gt;alert(1)&lt;/script&gt; &amp; Friends"'
TOK=$(token)
req "$ADMIN" POST "/works/$WORK/edit" "${FORM[@]/authenticity_token=*/authenticity_token=$TOK}" \
  --data-urlencode "restricted=1" --data-urlencode "commit=post"
expect_code 303 "edit work (restricted)"
req "$ANON" GET "/works/$WORK"
expect_code 303 "restricted work sends anonymous readers to log in"
case "$(location)" in /login\?return_to=*) ok ;; *) fail "restricted redirect: $(location)" ;; esac
req "$ANON" GET "/works/$WORK/edit"
expect_code 303 "edit needs login"

# ---- methods, sizes, CSRF ----
req "$ANON" DELETE "/works/$WORK"
expect_code 405 "DELETE"
save_page error-405
expect_header "^Allow: GET, HEAD"
expect_body "405"
req "$ANON" GET /no/such/page
expect_code 404 "missing page"
expect_body "There is no page at this address"
head -c 300000 /dev/zero | tr '\0' 'a' >"$TMP/big"
req "$ADMIN" POST /works --data-binary "@$TMP/big" -H "Content-Type: application/x-www-form-urlencoded"
expect_code 413 "body over the limit"
save_page error-413
expect_body "larger than this archive accepts"
req "$ADMIN" POST "/works/$WORK/delete" --data "authenticity_token=0000"
expect_code 403 "bad CSRF token"
req "$ADMIN" GET "/works/$WORK"
expect_code 200 "work survives a forged delete"

# ---- invitations, sign-up, another user's rights ----
req "$ANON" GET /signup
expect_code 200 "signup form"
save_page signup
expect_body 'id="invite_code"'
TOK=$(token)
req "$ANON" POST /signup --data "authenticity_token=$TOK&name=bob&password=bobbobbob1&password_confirm=bobbobbob1"
expect_code 422 "signup without invitation"
req "$ADMIN" GET /admin/invites
TOK=$(token)
req "$ADMIN" POST /admin/invites --data "authenticity_token=$TOK"
expect_code 200 "create invitation"
CODE_INV=$(sed -n 's/.*id="invite-code">\([0-9a-f]*\)<.*/\1/p' "$TMP/body")
[ -n "$CODE_INV" ] && ok || fail "no invitation code shown"
req "$BOB" GET /signup
TOK=$(token)
req "$BOB" POST /signup --data "authenticity_token=$TOK&name=alice&password=bobbobbob1&password_confirm=bobbobbob1&invite_code=$CODE_INV"
expect_code 422 "signup with a taken name"
expect_body "That name is not available"
req "$BOB" POST /signup --data "authenticity_token=$TOK&name=bob&password=bobbobbob1&password_confirm=bobbobbob1&invite_code=$CODE_INV"
expect_code 303 "signup with invitation"
req "$BOB" GET "/works/$DRAFT"
expect_code 404 "someone else's draft"
req "$BOB" GET "/works/$WORK/edit"
expect_code 403 "someone else's work"
req "$BOB" GET "/works/$WORK"
expect_code 200 "restricted work for a signed-in reader"
req "$BOB" GET /admin/invites
expect_code 403 "invitations are for admins"

# ---- login, logout, rate limit ----
req "$BOB" GET /dashboard
TOK=$(token)
req "$BOB" POST /logout --data "authenticity_token=$TOK"
expect_code 303 "logout"
req "$BOB" GET /dashboard
expect_code 303 "dashboard after logout"
req "$BOB" GET /login
TOK=$(token)
req "$BOB" POST /login --data "authenticity_token=$TOK&name=bob&password=wrongwrong"
expect_code 422 "wrong password"
save_page login-422
expect_body "Wrong name or password"
req "$BOB" POST /login --data "authenticity_token=$TOK&name=nosuchuser&password=wrongwrong"
expect_code 422 "unknown user"
expect_body "Wrong name or password"
req "$BOB" POST /login --data "authenticity_token=$TOK&name=bob&password=bobbobbob1&return_to=/works"
expect_code 303 "login"
[ "$(location)" = "/works" ] && ok || fail "login return_to: $(location)"
req "$BOB" GET /dashboard
expect_code 200 "dashboard after login"
req "$ANON" GET /login
TOK=$(token)
for i in 1 2 3 4 5 6; do
  req "$ANON" POST /login --data "authenticity_token=$TOK&name=carol$i&password=nopenopenope"
done
expect_code 429 "login rate limit"
expect_header "^Retry-After: [0-9]"

req "$ANON" HEAD /works -I
expect_code 200 "HEAD"

req "$ADMIN" GET /settings
expect_code 200 "settings"
save_page settings
req "$ADMIN" GET "/works/$WORK/chapters/manage"
expect_code 200 "manage chapters"
save_page manage
req "$ADMIN" GET "/works/$WORK/delete"
expect_code 200 "delete confirmation"
save_page delete

# ---- every saved page: well-formed, accessible basics, nothing CSP would block ----
python3 - "$TMP/pages" <<'PY' && ok || fail "HTML checks"
import html.parser, os, sys
VOID = {"area","base","br","col","embed","hr","img","input","link","meta","source","track","wbr"}
bad = []
class P(html.parser.HTMLParser):
    def __init__(s, name):
        super().__init__(convert_charrefs=True); s.name = name; s.stack = []; s.ids = set()
        s.labels = set(); s.controls = []; s.h = []; s.mains = 0; s.lang = False; s.in_label = 0
    def err(s, m): bad.append(f"{s.name}:{s.getpos()[0]}: {m}")
    def handle_starttag(s, tag, attrs):
        a = dict(attrs)
        for k in a:
            if k == "style" or k.startswith("on"): s.err(f"inline {k} attribute")
        if tag == "script" and "src" not in a: s.err("inline script")
        if tag == "style": s.err("inline style element")
        if "id" in a:
            if a["id"] in s.ids: s.err(f"duplicate id {a['id']}")
            s.ids.add(a["id"])
        if tag == "html": s.lang = a.get("lang") == "en"
        if tag == "main": s.mains += 1
        if tag == "label":
            s.in_label += 1
            if "for" in a: s.labels.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit", "button"):
            s.controls.append((a.get("id"), s.in_label > 0, s.getpos()[0]))
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456": s.h.append(int(tag[1]))
        if tag not in VOID: s.stack.append(tag)
    def handle_startendtag(s, tag, attrs): s.handle_starttag(tag, attrs); (tag not in VOID) and s.stack.pop()
    def handle_endtag(s, tag):
        if tag in VOID: return
        if not s.stack or s.stack[-1] != tag:
            s.err(f"</{tag}> closes <{s.stack[-1] if s.stack else 'nothing'}>"); return
        s.stack.pop()
        if tag == "label": s.in_label -= 1
for f in sorted(os.listdir(sys.argv[1])):
    p = P(f); p.feed(open(os.path.join(sys.argv[1], f), encoding="utf-8").read()); p.close()
    if p.stack: p.err(f"unclosed {p.stack}")
    if not p.lang: p.err('no <html lang="en">')
    if p.mains != 1: p.err(f"{p.mains} <main> elements")
    if p.h.count(1) != 1: p.err(f"{p.h.count(1)} h1 headings")
    for i in range(1, len(p.h)):
        if p.h[i] > p.h[i-1] + 1: p.err(f"heading h{p.h[i-1]} followed by h{p.h[i]}")
    for cid, wrapped, line in p.controls:
        if not wrapped and cid not in p.labels: p.err(f"control #{cid} (line {line}) has no label")
if bad: print("\n".join(bad[:40])); sys.exit(1)
PY

# ---- graceful stop ----
kill -TERM "$SERVER_PID"
STOPPED=0
for _ in $(seq 1 100); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then STOPPED=1; break; fi
  sleep 0.1
done
[ $STOPPED = 1 ] && ok || fail "server did not stop on SIGTERM"
set +e; wait "$SERVER_PID"; RC=$?; set -e
[ "$RC" = 0 ] && ok || fail "server exit status $RC after SIGTERM"
expect_grep "stopped" "$TMP/server.log"
expect_grep "GET /works/$WORK 200" "$TMP/server.log"
# under a sanitizer build, the server must have stayed clean
if grep -qE "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" "$TMP/server.log"; then
  fail "sanitizer report: $(grep -A20 -E "ERROR: |runtime error:" "$TMP/server.log" | head -40)"
else
  ok
fi
finish
