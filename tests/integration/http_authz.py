#!/usr/bin/env python3
"""http_authz.py: the web archive's authorization matrix, run by http_authz.sh.

Starts `ficd serve` on a free loopback port with a fresh data directory, sets it up through
/setup (admin), signs up two users (creator, other) and has the creator post a published, a
draft and a restricted work, each with two chapters. Then, for every route in the route
table of src/web/server.c (parsed from the source: the test fails on a route it has no
expectations for), for each of the five principals (anonymous, other, creator, moderator,
admin; the moderator is a user the admin gives that role on /admin/users):

  * every method the route accepts (GET routes also HEAD), with a valid CSRF token on POSTs,
    checked against the EXPECT table below (status, and for redirects the Location);
  * one method it does not accept: 405 with the right Allow header;
  * for POST routes, the same request with a bad CSRF token: 403.

Mutating requests get fresh fixtures; refused ones are followed by a check that the work is
unchanged. Every answer must carry the security headers. Then the gaps: the 431 page for
request heads over max_header, failed logins (422, no WWW-Authenticate), the admin's list of
invitations, the edit form's chapter-1 labelling, and on a second server with small limits
the per-address connection limit and the idle timeout.

Usage: http_authz.py FICD_BINARY SOURCE_DIR. Prints "N passed, M failed"; exit status 1 on
any failure.
"""
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from ficdhttp import PageCheck  # noqa: E402

FICD = sys.argv[1]
SRC = sys.argv[2]
PASSWORD = {"admin": "admin-pass-1234", "creator": "creator-pass-1234",
            "other": "other-pass-1234", "moderator": "moderator-pass-1234"}
PRINCIPALS = ("anon", "other", "creator", "moderator", "admin")
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}
BAD_TOKEN = "0" * 64

passes = 0
fails = 0


def ok():
    global passes
    passes += 1


def fail(msg):
    global fails
    fails += 1
    print("FAIL: " + msg, file=sys.stderr)


def check(cond, msg):
    if cond:
        ok()
    else:
        fail(msg)


# ---------------------------------------------------------------- the route table


def server_routes():
    """(method, pattern) for every line of the route table in src/web/server.c."""
    text = open(os.path.join(SRC, "src/web/server.c"), encoding="utf-8").read()
    m = re.search(r"static const struct route routes\[\] = \{(.*?)\n\};", text, re.S)
    if not m:
        fail("cannot find the route table in src/web/server.c")
        return []
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    found = re.findall(r'\{\s*"([A-Z]+)"\s*,\s*"([^"]+)"\s*,\s*(\w+)\s*,[^}]*\}', body)
    return [(meth, pat) for meth, pat, _ in found]


def pattern_matches(pattern, path):
    ps = [s for s in pattern.split("/") if s]
    ss = path.split("?")[0].rstrip("/").split("/")[1:] if path != "/" else []
    if len(ps) != len(ss):
        return False
    return all(p.startswith(":") and s or p == s for p, s in zip(ps, ss))


def allow_for(routes, path):
    """The Allow header the router builds for path: methods in table order, HEAD after GET."""
    out = []
    for meth, pat in routes:
        if pattern_matches(pat, path) and meth not in out:
            out.append(meth)
            if meth == "GET":
                out.append("HEAD")
    return ", ".join(out)


# ---------------------------------------------------------------- HTTP


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def text(self):
        return self.body.decode("utf-8", "replace")


class Client:
    """One principal: a cookie jar and the CSRF token of its last form."""

    def __init__(self, port, name):
        self.port = port
        self.name = name
        self.cookies = {}
        self.token = None

    def request(self, method, path, fields=None, body=None, ctype=None, keep_cookies=True,
                headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        hdrs = {"Connection": "close"}
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            ctype = "application/x-www-form-urlencoded"
        if body is not None:
            hdrs["Content-Type"] = ctype
        if headers:
            hdrs.update(headers)
        conn.request(method, path, body=body, headers=hdrs)
        r = conn.getresponse()
        resp = Resp(r.status, r.getheaders(), r.read())
        conn.close()
        for k, v in resp.headers:
            if k.lower() == "set-cookie" and keep_cookies:
                name, _, rest = v.partition("=")
                value = rest.split(";")[0]
                if "Max-Age=0" in v:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
        m = re.search(rb'name="authenticity_token" value="([0-9a-f]{64})"', resp.body)
        if m and keep_cookies:
            self.token = m.group(1).decode()
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, fields, **kw):
        return self.request("POST", path, fields=fields, **kw)


def security_headers_ok(resp, what):
    missing = [k for k, v in SECURITY_HEADERS.items()
               if not (resp.header(k) or "").startswith(v)]
    check(not missing, f"{what}: security headers missing: {missing}")


def page_ok(resp, what):
    p = PageCheck()
    p.feed(resp.text())
    p.close()
    probs = list(p.problems)
    if p.stack:
        probs.append(f"unclosed {p.stack}")
    if p.h1 != 1:
        probs.append(f"{p.h1} h1 headings")
    probs += [f"control #{cid} has no label" for cid, wrapped in p.controls
              if not wrapped and cid not in p.labels]
    check(not probs, f"{what}: page problems: {probs[:5]}")


# ---------------------------------------------------------------- the server


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_server(tmp, name, env_extra):
    port = free_port()
    env = dict(os.environ)
    env.update({"FICD_THREADS": "2", "FICD_LOGIN_ATTEMPTS": "100000",
                "FICD_RATE_SIGNUP": "0",  # this test signs up many accounts from one address
                # and posts many forms from it (rate limits have tests of their own)
                "FICD_RATE_POST": "0", "FICD_RATE_COMMENT": "0", "FICD_RATE_KUDOS": "0",
                "FICD_RATE_REPORT": "0", "FICD_RATE_OTHER": "0", "FICD_RATE_LOGIN": "0"})
    env.update(env_extra)
    log = open(os.path.join(tmp, name + ".log"), "wb")
    proc = subprocess.Popen([FICD, "serve", "--listen", f"127.0.0.1:{port}", "--data",
                             os.path.join(tmp, name)], env=env, stderr=log,
                            stdout=subprocess.DEVNULL)
    for _ in range(300):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                c.close()
                return proc, port, log
        except OSError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    fail(f"server {name} did not start: {open(log.name).read()[-2000:]}")
    raise SystemExit(finish())


def stop_server(proc, log, name):
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = "timeout"
    log.close()
    check(rc == 0, f"server {name} exit status {rc} after SIGTERM")
    text = open(log.name, encoding="utf-8", errors="replace").read()
    bad = re.search(r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:", text)
    check(not bad, f"server {name}: sanitizer report: {text[bad.start():bad.start() + 3000] if bad else ''}")


# ---------------------------------------------------------------- fixtures

WORK_FORM = [("title", "Authz Work"), ("summary", "For the matrix."), ("rating", "1"),
             ("warning", "8"), ("fandoms", "Authz Fandom"), ("characters", "Ann"),
             ("language", "English"), ("format", "html"),
             ("chapter_title", "One"), ("chapter_text", "<p>First chapter text.</p>")]


def work_fields(token, kind, pseud="creator", title="Authz Work"):
    f = [("authenticity_token", token), ("pseud", pseud)] + \
        [(k, title if k == "title" else v) for k, v in WORK_FORM]
    if kind == "R":
        f.append(("restricted", "1"))
    f.append(("commit", "draft" if kind == "D" else "post"))
    return f


def chapter_ids(client, wid):
    r = client.get(f"/works/{wid}/chapters/manage")
    return [int(x) for x in re.findall(r'name="position_(\d+)"', r.text())]


class Fixtures:
    """The creator's works: kind P (published), D (draft), R (restricted)."""

    def __init__(self, creator, other=None, admin=None):
        self.creator = creator
        self.other = other
        self.admin = admin
        self.works = {}
        self.dirty = set()  # kinds a successful change may have altered
        self.comment = 0  # the other user's comment on the published work (fresh per request)
        self.report = 0  # an open report (fresh per request)

    def fresh_feedback(self):
        """A new comment by the other user on the published work, and a new open report."""
        self.clean("P")
        wid = self.works["P"][0]
        o = self.other
        refresh(o)
        r = o.post(f"/works/{wid}/comments", [("authenticity_token", o.token),
                                              ("content", "The matrix's comment")])
        m = re.search(r"#comment_(\d+)$", r.header("Location") or "")
        if r.status != 303 or not m:
            fail(f"fixture comment: {r.status} {r.header('Location')}")
            raise SystemExit(finish())
        self.comment = int(m.group(1))
        r = o.post(f"/works/{wid}/report", [("authenticity_token", o.token),
                                            ("reason", "The matrix's report")])
        if r.status != 200:
            fail(f"fixture report: {r.status}")
        # the newest open report is this one: open reports are listed oldest first, 50 a page
        r = self.admin.get("/admin/reports")
        m = re.search(r'id="open-count">(\d+)', r.text())
        n = int(m.group(1)) if m else 1
        r = self.admin.get(f"/admin/reports?page={max(1, (n + 49) // 50)}")
        ids = [int(x) for x in re.findall(r'id="report-(\d+)"', r.text())]
        if not ids:
            fail("fixture report: not listed on /admin/reports")
            raise SystemExit(finish())
        self.report = max(ids)

    def clean(self, kind):
        """Makes the fixture of kind anew when a change may have altered it."""
        if kind in self.dirty or kind not in self.works:
            self.make(kind)

    def make(self, kind, nchapters=2):
        c = self.creator
        r = c.post("/works", work_fields(c.token, kind, title=f"Authz {kind}"))
        m = re.fullmatch(r"/works/(\d+)", r.header("Location") or "")
        if r.status != 303 or not m:
            fail(f"fixture {kind}: POST /works gave {r.status} {r.header('Location')}")
            raise SystemExit(finish())
        wid = int(m.group(1))
        for i in range(1, nchapters):
            r = c.post(f"/works/{wid}/chapters/new",
                       [("authenticity_token", c.token), ("chapter_title", f"Ch {i + 1}"),
                        ("format", "html"), ("chapter_text", f"<p>Chapter {i + 1}.</p>"),
                        ("commit", "post")])
            if r.status != 303:
                fail(f"fixture {kind}: adding a chapter gave {r.status}")
        cids = chapter_ids(c, wid)
        if len(cids) != nchapters:
            fail(f"fixture {kind}: {len(cids)} chapters, wanted {nchapters}")
            raise SystemExit(finish())
        self.works[kind] = (wid, cids)
        self.dirty.discard(kind)
        return wid, cids

    def bookmark(self):
        """The creator's bookmark of the published fixture (made again when deleted)."""
        c = self.creator
        self.clean("P")
        c.get("/settings")
        r = c.post(f"/works/{self.works['P'][0]}/bookmarks",
                   [("authenticity_token", c.token), ("tags", "matrix")])
        if r.status != 303:
            fail(f"fixture bookmark: {r.status}")
        r = c.get("/api/v1/users/creator/bookmarks")
        m = re.search(r'"id":(\d+),"work_id":%d\b' % self.works["P"][0], r.text())
        if not m:
            fail(f"fixture bookmark not listed: {r.text()[:300]}")
            raise SystemExit(finish())
        return int(m.group(1))

    def gift(self):
        """The creator's gift of a work to "other" (refused or accepted, it stays)."""
        if getattr(self, "gift_id", None):
            return self.gift_id
        c = self.creator
        c.get("/works/new")
        r = c.post("/works", work_fields(c.token, "P", title="Authz Gift") +
                   [("gift_to", "other, Someone Else")])
        r = c.get("/users/other/gifts")
        m = re.search(r'href="/works/(\d+)">Authz Gift<', r.text())
        if not m:
            fail(f"fixture gift: {r.status} {r.text()[:300]}")
            raise SystemExit(finish())
        # the gift's id is only on its recipient's page
        other = self.other
        other.get("/settings")
        r = other.get("/users/other/gifts")
        m = re.search(r'action="/gifts/(\d+)/(?:refuse|accept)"', r.text())
        if not m:
            fail(f"fixture gift: no refuse button for other: {r.text()[:300]}")
            raise SystemExit(finish())
        self.gift_id = int(m.group(1))
        return self.gift_id

    def series(self):
        """The creator's series (one published part)."""
        if getattr(self, "series_id", None):
            return self.series_id
        c = self.creator
        c.get("/works/new")
        r = c.post("/works", work_fields(c.token, "P", title="Authz Part") +
                   [("series", "Authz Series")])
        c.get("/users/creator/series")
        r = c.get("/users/creator/series")
        m = re.search(r'href="/series/(\d+)"', r.text())
        if not m:
            fail(f"fixture series: {r.status} {r.text()[:300]}")
            raise SystemExit(finish())
        self.series_id = int(m.group(1))
        return self.series_id


# ---------------------------------------------------------------- the expected table
#
# An expectation is a status, or (303, location) where location is a format string over
# {id}, {cid} (the target chapter, the work's last), {new} (matches any number) and {any}
# (matches anything).
# LOGIN stands for the redirect of anonymous visitors to /login?return_to=<this address>.
LOGIN = "login"
ALL = None  # for non-work routes: the one target "-"


def every(e):
    return {"P": e, "D": e, "R": e}


def read(ok=200, anon_restricted=LOGIN):
    """Reading a work: drafts are hidden from all but their editors, restricted works send
    anonymous readers to log in (the API answers 401 instead)."""
    return {"anon": {"P": ok, "D": 404, "R": anon_restricted},
            "other": {"P": ok, "D": 404, "R": ok},
            "moderator": {"P": ok, "D": 404, "R": ok},
            "creator": every(ok), "admin": every(ok)}


def change(ok):
    """Changing a work: anonymous visitors log in first; another user (a moderator too) gets
    403 (404 for a draft, whose existence does not leak); its creator and admins succeed."""
    return {"anon": every(LOGIN), "other": {"P": 403, "D": 404, "R": 403},
            "moderator": {"P": 403, "D": 404, "R": 403},
            "creator": every(ok), "admin": every(ok)}


def same(e, anon=None):
    d = {p: e for p in PRINCIPALS}
    if anon is not None:
        d["anon"] = anon
    return d


def admin_only(ok):
    """Admin pages (and tag wrangling, which no principal here but the admin may do)."""
    return {"anon": LOGIN, "other": 403, "creator": 403, "moderator": 403, "admin": ok}


def moderators(ok):
    """Moderation pages: moderators and admins."""
    return {"anon": LOGIN, "other": 403, "creator": 403, "moderator": ok, "admin": ok}


def who_is(anon, other, creator, moderator, admin):
    return {"anon": anon, "other": other, "creator": creator, "moderator": moderator,
            "admin": admin}


# Feedback on a work: others (and guests) may; the creator may not leave kudos on their own
# work, and drafts take no kudos or comments (422 for those who can see them).
KUDOS_OK = (303, "/works/{id}#kudos")
NEW_COMMENT = (303, "/works/{id}?show_comments=true#comment_{new}")


# (method, pattern) -> {principal: expectation or {target: expectation}}
EXPECT = {
    ("GET", "/"): same(200),
    ("GET", "/healthz"): same(200),
    ("GET", "/static/:file"): same(200),
    ("GET", "/works"): same(200),
    ("POST", "/works"): same((303, "/works/{new}"), anon=LOGIN),
    ("GET", "/works/new"): same(200, anon=LOGIN),
    ("GET", "/works/import"): same(200, anon=LOGIN),
    ("POST", "/works/import"): same(200, anon=LOGIN),
    ("GET", "/works/:id"): read(),
    ("GET", "/works/:id/edit"): change(200),
    ("POST", "/works/:id/edit"): change((303, "/works/{id}")),
    ("GET", "/works/:id/delete"): change(200),
    ("POST", "/works/:id/delete"): change((303, "/dashboard")),
    ("POST", "/works/:id/publish"): change((303, "/works/{id}")),
    ("GET", "/works/:id/chapters/new"): change(200),
    ("POST", "/works/:id/chapters/new"): change((303, "/works/{id}/chapters/{new}")),
    ("GET", "/works/:id/chapters/manage"): change(200),
    ("POST", "/works/:id/chapters/manage"): change((303, "/works/{id}")),
    ("GET", "/works/:id/chapters/:cid"): read(),
    ("GET", "/works/:id/chapters/:cid/edit"): change(200),
    ("POST", "/works/:id/chapters/:cid/edit"): change((303, "/works/{id}/chapters/{cid}")),
    ("GET", "/works/:id/chapters/:cid/delete"): change(200),
    ("POST", "/works/:id/chapters/:cid/delete"): change((303, "/works/{id}")),
    ("GET", "/tags/:name/works"): same(200),
    ("GET", "/api/v1/tags/autocomplete"): same(200),
    ("GET", "/users/:name"): same(200),
    ("GET", "/users/:name/works"): same(200),
    ("GET", "/dashboard"): same(200, anon=LOGIN),
    ("GET", "/login"): same((303, "/"), anon=200),
    # signed-in principals send a wrong password (a right one would replace their session)
    ("POST", "/login"): same(422, anon=(303, "/")),
    ("POST", "/logout"): same((303, "/")),
    ("GET", "/signup"): same((303, "/dashboard"), anon=200),
    ("POST", "/signup"): same((303, "/dashboard")),
    ("GET", "/setup"): same((303, "/")),
    ("POST", "/setup"): same((303, "/")),
    ("GET", "/settings"): same(200, anon=LOGIN),
    ("POST", "/settings/password"): same(200, anon=LOGIN),
    ("POST", "/settings/pseuds"): same(200, anon=LOGIN),
    ("POST", "/settings/sign_out_everywhere"): same((303, "/login?signed_out=everywhere"),
                                                    anon=LOGIN),
    ("POST", "/settings/archive"): admin_only(200),
    ("GET", "/admin/invites"): admin_only(200),
    ("POST", "/admin/invites"): admin_only(200),
    ("GET", "/downloads/:id/:file"): read(),
    ("GET", "/api/v1/works"): same(200),
    ("GET", "/tags/:name"): same(200),
    ("GET", "/tags/:name/edit"): admin_only(200),
    ("POST", "/tags/:name/edit"): admin_only((303, "/tags/Authz%20Fandom/edit?{any}")),
    ("GET", "/tag_wranglings"): admin_only(200),
    # ---- feedback: kudos, comments, reports, inbox, moderation, roles ----
    ("POST", "/works/:id/kudos"): who_is(
        {"P": KUDOS_OK, "D": 404, "R": LOGIN}, {"P": KUDOS_OK, "D": 404, "R": KUDOS_OK},
        {"P": 403, "D": 422, "R": 403}, {"P": KUDOS_OK, "D": 404, "R": KUDOS_OK},
        {"P": KUDOS_OK, "D": 422, "R": KUDOS_OK}),
    ("GET", "/works/:id/comments"): read((303, "/works/{id}?show_comments=true#comments")),
    ("POST", "/works/:id/comments"): who_is(
        {"P": NEW_COMMENT, "D": 404, "R": LOGIN}, {"P": NEW_COMMENT, "D": 404, "R": NEW_COMMENT},
        {"P": NEW_COMMENT, "D": 422, "R": NEW_COMMENT},
        {"P": NEW_COMMENT, "D": 404, "R": NEW_COMMENT},
        {"P": NEW_COMMENT, "D": 422, "R": NEW_COMMENT}),
    ("GET", "/works/:id/comments/unreviewed"): who_is(
        every(LOGIN), {"P": 403, "D": 404, "R": 403}, every(200), {"P": 200, "D": 404, "R": 200},
        every(200)),
    ("GET", "/comments/:cid"): same(200),
    ("POST", "/comments/:cid/comments"): same(NEW_COMMENT),
    # the fixture comment is the other user's
    ("GET", "/comments/:cid/edit"): who_is(LOGIN, 200, 403, 403, 403),
    ("POST", "/comments/:cid/edit"): who_is(LOGIN, (303, "/comments/{cid}"), 403, 403, 403),
    ("POST", "/comments/:cid/delete"): who_is(
        LOGIN, (303, "/works/{id}?show_comments=true#comments"),
        (303, "/works/{id}?show_comments=true#comments"),
        (303, "/works/{id}?show_comments=true#comments"),
        (303, "/works/{id}?show_comments=true#comments")),
    ("POST", "/comments/:cid/freeze"): who_is(LOGIN, 403, (303, "/comments/{cid}"),
                                              (303, "/comments/{cid}"), (303, "/comments/{cid}")),
    ("POST", "/comments/:cid/unfreeze"): who_is(LOGIN, 403, (303, "/comments/{cid}"),
                                                (303, "/comments/{cid}"),
                                                (303, "/comments/{cid}")),
    # the fixture comment is not held: those who may approve hear it is not waiting
    ("POST", "/comments/:cid/approve"): who_is(LOGIN, 403, 422, 422, 422),
    ("GET", "/works/:id/report"): read(),
    ("POST", "/works/:id/report"): read(),
    ("GET", "/comments/:cid/report"): same(200),
    ("POST", "/comments/:cid/report"): same(200),
    ("GET", "/users/:name/report"): same(200),
    ("POST", "/users/:name/report"): same(200),
    ("GET", "/users/:name/inbox"): who_is(LOGIN, 403, 200, 403, 403),
    ("POST", "/users/:name/inbox"): who_is(LOGIN, 403, (303, "/users/creator/inbox"), 403, 403),
    ("POST", "/settings/inbox"): same((303, "/settings#inbox-heading"), anon=LOGIN),
    ("GET", "/admin/reports"): moderators(200),
    ("POST", "/admin/reports/:rid"): moderators(200),
    ("POST", "/admin/works/:id"): who_is(every(LOGIN), every(403), every(403),
                                         every((303, "/works/{id}")),
                                         every((303, "/works/{id}"))),
    ("GET", "/admin/log"): moderators(200),
    ("GET", "/admin/users"): admin_only(200),
    ("POST", "/admin/users/:name"): admin_only(200),
    # an unknown token: nobody gets a form
    ("GET", "/password_reset/:token"): same(404),
    ("POST", "/password_reset/:token"): same(404),
    ("GET", "/api/v1/works/:id"): read(anon_restricted=401),
    ("GET", "/api/v1/works/:id/comments"): read(anon_restricted=401),
}
# Readers' tools: bookmarks, muting, subscriptions, series, history, feeds, statistics,
# gifts, co-creators, inspired-by. On these routes a moderator is one more signed-in reader:
# unless a row says otherwise, the moderator expects what "other" does.
READERS_EXPECT = {
    ("POST", "/works/:id/bookmarks"): {
        "anon": every(LOGIN), "other": {"P": (303, "/works/{id}#bookmark-form"), "D": 404,
                                        "R": (303, "/works/{id}#bookmark-form")},
        "creator": {"P": (303, "/works/{id}#bookmark-form"), "D": 422,
                    "R": (303, "/works/{id}#bookmark-form")},
        "admin": {"P": (303, "/works/{id}#bookmark-form"), "D": 422,
                  "R": (303, "/works/{id}#bookmark-form")}},
    ("GET", "/works/:id/bookmarks"): read(),
    ("GET", "/bookmarks"): same(200),
    # :id is the creator's bookmark (of the published fixture); only the bookmarker may act
    ("GET", "/bookmarks/:id/edit"): {"anon": LOGIN, "other": 403, "creator": 200,
                                     "admin": 403},
    ("POST", "/bookmarks/:id/edit"): {"anon": LOGIN, "other": 403,
                                      "creator": (303, "/works/{new}#bookmark-form"),
                                      "admin": 403},
    ("POST", "/bookmarks/:id/delete"): {"anon": LOGIN, "other": 403,
                                        "creator": (303, "/users/creator/bookmarks"),
                                        "admin": 403},
    ("GET", "/users/:name/bookmarks"): same(200),
    ("GET", "/api/v1/users/:name/bookmarks"): same(200),
    ("POST", "/users/:name/mute"): {"anon": LOGIN, "other": (303, "/users/creator"),
                                    "creator": 422, "admin": (303, "/users/creator")},
    ("POST", "/users/:name/unmute"): {"anon": LOGIN, "other": (303, "/users/creator"),
                                      "creator": 422, "admin": (303, "/users/creator")},
    ("POST", "/settings/filters"): same((303, "/settings#filters"), anon=LOGIN),
    ("POST", "/settings/history"): same((303, "/settings#history"), anon=LOGIN),
    ("POST", "/settings/feed_token"): same((303, "/settings#feeds"), anon=LOGIN),
    ("POST", "/works/:id/subscription"): {
        "anon": every(LOGIN), "other": {"P": (303, "/works/{id}"), "D": 404,
                                        "R": (303, "/works/{id}")},
        "creator": every((303, "/works/{id}")), "admin": every((303, "/works/{id}"))},
    ("POST", "/works/:id/subscription/delete"): {
        "anon": every(LOGIN), "other": {"P": (303, "/works/{id}"), "D": 404,
                                        "R": (303, "/works/{id}")},
        "creator": every((303, "/works/{id}")), "admin": every((303, "/works/{id}"))},
    ("POST", "/users/:name/subscription"): {"anon": LOGIN, "other": (303, "/users/creator"),
                                            "creator": 422, "admin": (303, "/users/creator")},
    ("POST", "/users/:name/subscription/delete"): {
        "anon": LOGIN, "other": (303, "/users/creator"), "creator": 422,
        "admin": (303, "/users/creator")},
    # :id of /series/ routes is the creator's series
    ("POST", "/series/:id/subscription"): same((303, "/series/{new}"), anon=LOGIN),
    ("POST", "/series/:id/subscription/delete"): same((303, "/series/{new}"), anon=LOGIN),
    ("GET", "/users/:name/subscriptions"): {"anon": LOGIN, "other": 403, "creator": 200,
                                            "admin": 403},
    ("GET", "/series/:id"): same(200),
    ("GET", "/series/:id/edit"): {"anon": LOGIN, "other": 403, "creator": 200, "admin": 200},
    ("POST", "/series/:id/edit"): {"anon": LOGIN, "other": 403,
                                   "creator": (303, "/series/{new}"),
                                   "admin": (303, "/series/{new}")},
    ("GET", "/users/:name/series"): same(200),
    ("POST", "/works/:id/mark_for_later"): {
        "anon": every(LOGIN), "other": {"P": (303, "/works/{id}"), "D": 404,
                                        "R": (303, "/works/{id}")},
        "creator": every((303, "/works/{id}")), "admin": every((303, "/works/{id}"))},
    ("GET", "/users/:name/gifts"): same(200),
    # :id is the creator's gift to "other": only its recipient may refuse or accept it
    ("POST", "/gifts/:id/refuse"): {"anon": LOGIN, "other": (303, "/users/other/gifts"),
                                    "creator": 404, "moderator": 404, "admin": 404},
    ("POST", "/gifts/:id/accept"): {"anon": LOGIN, "other": (303, "/users/other/gifts"),
                                    "creator": 404, "moderator": 404, "admin": 404},
    # nobody here is invited to co-create the fixtures (the flow is in http_readers.sh)
    ("GET", "/works/:id/co_creator"): {"anon": every(LOGIN), "other": every(404),
                                       "creator": every(404), "admin": every(404)},
    ("POST", "/works/:id/co_creator"): {"anon": every(LOGIN), "other": every(404),
                                        "creator": every(404), "admin": every(404)},
    # the creator is the fixtures' only creator: removing oneself is refused
    ("POST", "/works/:id/remove_me"): {"anon": every(LOGIN),
                                       "other": {"P": 403, "D": 404, "R": 403},
                                       "creator": every(422), "admin": every(403)},
    ("POST", "/works/:id/orphan"): change((303, "/works/{id}")),
    ("GET", "/works/:id/inspirations"): read(),
    # :cid names no work inspired by the fixture
    ("POST", "/works/:id/inspirations/:cid/approve"): change(404),
    ("POST", "/works/:id/inspirations/:cid/reject"): change(404),
    ("GET", "/users/:name/stats"): {"anon": LOGIN, "other": 403, "creator": 200, "admin": 403},
    ("GET", "/users/:name/readings"): {"anon": LOGIN, "other": 403, "creator": 200,
                                       "admin": 403},
    ("GET", "/tags/:name/feed.atom"): same(200),
    ("GET", "/users/:name/works.atom"): same(200),
    ("GET", "/series/:id/feed.atom"): same(200),
    # without the private token (tested with it in http_readers.sh)
    ("GET", "/users/:name/inbox.atom"): same(403),
}
for _e in READERS_EXPECT.values():
    _e.setdefault("moderator", _e["other"])
EXPECT.update(READERS_EXPECT)
# Routes another engineer's work in progress adds: checked when present, not required.
OPTIONAL = {("GET", "/api/v1/works")}

# A request the method is not accepted with, for paths that take both GET and POST.
OTHER_METHOD = "PUT"


def concrete(pattern, fx, kind):
    """The address a pattern is tried at (kind: the fixture work for :id routes)."""
    wid, cids = fx.works[kind] if kind != "-" else (0, [0])
    subs = {":id": str(wid), ":cid": str(cids[-1]), ":file": "style.css",
            ":name": "creator", ":rid": str(fx.report), ":token": "0" * 64}
    if pattern.startswith("/comments/"):
        subs[":cid"] = str(fx.comment)
    if pattern == "/admin/users/:name":
        subs[":name"] = "other"
    if pattern.startswith("/tags/"):
        subs[":name"] = urllib.parse.quote("Authz Fandom")
    if pattern.startswith("/downloads/"):
        subs[":file"] = "authz.epub"
    if pattern.startswith("/bookmarks/"):
        subs[":id"] = str(fx.bookmark())
    if pattern.startswith("/series/"):
        subs[":id"] = str(fx.series())
    if pattern.startswith("/gifts/"):
        subs[":id"] = str(fx.gift())
    path = "/".join(subs.get(seg, seg) for seg in pattern.split("/"))
    if pattern == "/api/v1/tags/autocomplete":
        path += "?type=fandom&term=auth"
    return path or "/"


counter = [0]


def unique(prefix):
    counter[0] += 1
    return f"{prefix}{counter[0]}"


def post_fields(method, pattern, who, client, fx, kind):
    """A valid form for the route as principal who would fill it in."""
    tok = [("authenticity_token", client.token or BAD_TOKEN)]
    wid, cids = fx.works[kind] if kind != "-" else (0, [0])
    if pattern == "/works":
        return tok + work_fields(client.token or "", "P", pseud=who)[1:]
    if pattern == "/works/:id/edit":
        # admins may keep the creator's pseud, which already credits the work
        return work_fields(client.token or BAD_TOKEN, kind, pseud="creator",
                           title=f"Edited {kind}")
    if pattern == "/works/:id/chapters/new" or pattern == "/works/:id/chapters/:cid/edit":
        return tok + [("chapter_title", "Edited"), ("format", "html"),
                      ("chapter_text", "<p>Edited chapter.</p>"), ("commit", "post")]
    if pattern == "/works/:id/chapters/manage":
        n = len(cids)
        return tok + [(f"position_{c}", str(n - i)) for i, c in enumerate(cids)]
    if pattern == "/login":
        if who == "anon":
            return tok + [("name", "other"), ("password", PASSWORD["other"])]
        return tok + [("name", who), ("password", "wrong-password")]
    if pattern == "/signup":
        pw = "signup-pass-1234"
        return tok + [("name", unique("reader")), ("password", pw), ("password_confirm", pw)]
    if pattern == "/setup":
        pw = "setup-pass-1234"
        return tok + [("archive_name", "Hijacked"), ("name", unique("boss")),
                      ("password", pw), ("password_confirm", pw), ("signup_mode", "open")]
    if pattern == "/settings/password":
        pw = PASSWORD.get(who, "x")
        return tok + [("current_password", pw), ("new_password", pw),
                      ("new_password_confirm", pw)]
    if pattern == "/settings/pseuds":
        return tok + [("pseud", unique(f"{who}-pseud-"))]
    if pattern == "/tags/:name/edit":
        return tok + [("action", "canonical"), ("canonical", "1")]
    if pattern == "/settings/history":
        return tok + [("history", "on")]
    if pattern == "/series/:id/edit":
        return tok + [("title", "Authz Series"), ("description", "For the matrix.")]
    if pattern == "/bookmarks/:id/edit":
        return tok + [("tags", "matrix"), ("notes", "<p>Edited bookmark.</p>")]
    if pattern == "/settings/archive":
        return tok + [("archive_name", "Authz Archive"), ("signup_mode", "open")]
    guest = [("name", "Guest Reader"), ("email", "guest@example.org")] if who == "anon" else []
    if pattern in ("/works/:id/comments", "/comments/:cid/comments"):
        return tok + guest + [("content", f"A comment by {who}")]
    if pattern == "/comments/:cid/edit":
        return tok + [("content", "An edited comment")]
    if pattern.endswith("/report"):
        return tok + [("reason", f"Reported by {who} for the matrix")]
    if pattern == "/users/:name/inbox":
        return tok + [("action", "read_all")]
    if pattern == "/settings/inbox":
        return tok + [("inbox_kinds", str(k)) for k in range(1, 8)]
    if pattern == "/admin/reports/:rid":
        return tok + [("action", "dismiss"), ("reason", "matrix")]
    if pattern == "/admin/works/:id":
        return tok + [("action", "hide"), ("reason", "matrix")]
    if pattern == "/admin/users/:name":
        return tok + [("action", "role"), ("role", "user"), ("reason", "matrix")]
    if pattern == "/password_reset/:token":
        return tok + [("new_password", "reset-pass-1234"), ("new_password_confirm",
                                                             "reset-pass-1234")]
    return tok


def multipart(fields, files):
    boundary = "----ficd-authz-" + unique("b")
    out = []
    for k, v in fields:
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n')
    for k, (fname, data) in files.items():
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; '
                   f'filename="{fname}"\r\nContent-Type: text/plain\r\n\r\n{data}\r\n')
    out.append(f"--{boundary}--\r\n")
    return "".join(out).encode(), f"multipart/form-data; boundary={boundary}"


def send(client, method, pattern, path, who, fx, kind, bad_token=False):
    if method != "POST":
        return client.request(method, path, keep_cookies=False)
    if pattern == "/works/import":
        tok = BAD_TOKEN if bad_token else (client.token or BAD_TOKEN)
        text = (f"Title: Imported by {who} {unique('n')}\nFandom: Authz Fandom\n\n"
                f"Some prose written for the matrix, number {unique('p')}.\n")
        body, ctype = multipart([("authenticity_token", tok)],
                                {"manuscript": ("ms.txt", text)})
        return client.request("POST", path, body=body, ctype=ctype, keep_cookies=False)
    fields = post_fields(method, pattern, who, client, fx, kind)
    if bad_token:
        fields = [("authenticity_token", BAD_TOKEN) if k == "authenticity_token" else (k, v)
                  for k, v in fields]
    return client.request("POST", path, fields=fields, keep_cookies=False)


def expectation_for(route, who, kind):
    e = EXPECT[route][who]
    if isinstance(e, dict):
        e = e[kind]
    return e


def verify(resp, expect, path, what, ids=None):
    security_headers_ok(resp, what)
    loc = resp.header("Location") or ""
    if expect == LOGIN:
        want = "/login?return_to="
        good = (resp.status == 303 and loc.startswith(want) and
                urllib.parse.unquote(loc[len(want):]) == path)
        check(good, f"{what}: expected 303 to /login?return_to={path}, got {resp.status} "
                    f"{loc!r}")
        return
    if isinstance(expect, tuple):
        status, pattern = expect
        for k, v in (ids or {}).items():
            pattern = pattern.replace("{" + k + "}", str(v))
        rx = re.escape(pattern).replace(re.escape("{new}"), r"\d+")
        rx = rx.replace(re.escape("{any}"), ".*")
        good = resp.status == status and re.fullmatch(rx, loc)
        check(good, f"{what}: expected {status} to {pattern}, got {resp.status} {loc!r}")
        return
    body = resp.text()[:300].replace("\n", " ")
    check(resp.status == expect, f"{what}: expected {expect}, got {resp.status} {loc!r} {body}")


def intact(clients, fx, kind, what):
    """After a refused change: the work, its chapters and its draft state are as made."""
    wid, cids = fx.works[kind]
    r = clients["creator"].get(f"/works/{wid}", keep_cookies=False)
    check(r.status == 200 and f"Authz {kind}".encode() in r.body and b"Edited" not in r.body,
          f"{what}: the work is gone or was edited ({r.status})")
    check(chapter_ids(clients["creator"], wid) == cids, f"{what}: the chapters changed")
    if kind == "D":
        r = clients["anon"].get(f"/works/{wid}", keep_cookies=False)
        check(r.status == 404, f"{what}: the draft became visible ({r.status})")


def login(client):
    client.cookies.clear()
    client.get("/login")
    r = client.post("/login", [("authenticity_token", client.token), ("name", client.name),
                               ("password", PASSWORD[client.name])])
    if r.status != 303 or "ficd_session" not in client.cookies:
        fail(f"login as {client.name}: {r.status}")
    client.get("/settings")


def refresh(client):
    """Loads a page with a form so client.token is current."""
    client.get("/login" if client.name == "anon" else "/settings")


# ---------------------------------------------------------------- the walk


def walk(routes, clients, fx):
    table = set(routes)
    for route in routes:
        if route not in EXPECT:
            fail(f"route {route[0]} {route[1]} is in src/web/server.c but not in this test's "
                 f"EXPECT table: add its expectations")
    for route in EXPECT:
        if route not in table and route not in OPTIONAL:
            fail(f"route {route[0]} {route[1]} is expected but missing from the route table")

    for route in routes:
        if route not in EXPECT:
            continue
        method, pattern = route
        kinds = ("P", "D", "R") if ":id" in pattern else ("-",)
        for kind in kinds:
            for who in PRINCIPALS:
                try_route(route, kind, who, clients, fx)
            if route == min((m, p) for m, p in routes if p == pattern):
                wrong_method(routes, pattern, kind, clients, fx)


def try_route(route, kind, who, clients, fx):
    """One principal, one route, one fixture: the right request and, for POST, a forged
    one."""
    method, pattern = route
    c = clients[who]
    changes = method == "POST" and kind != "-"
    allowed = who in ("creator", "admin") or (who == "moderator" and
                                              pattern.startswith("/admin/"))
    if pattern.startswith("/comments/") or pattern == "/admin/reports/:rid":
        fx.fresh_feedback()
    if kind != "-":
        fx.clean(kind)
    if method == "POST":
        refresh(c)
    path = concrete(pattern, fx, kind)
    what = f"{who} {method} {pattern} [{kind}] {path}"
    expect = expectation_for(route, who, kind)
    ids = {}
    if kind != "-":
        ids = {"id": fx.works[kind][0], "cid": fx.works[kind][1][-1]}
    elif pattern.startswith("/comments/"):
        ids = {"id": fx.works["P"][0], "cid": fx.comment}
    resp = send(c, method, pattern, path, who, fx, kind)
    verify(resp, expect, path, what, ids)
    if method == "GET":
        verify(c.request("HEAD", path, keep_cookies=False), expect, path,
               f"{who} HEAD {pattern} [{kind}]", ids)
    if changes and allowed:
        fx.dirty.add(kind)
    elif changes:
        intact(clients, fx, kind, what)
    if pattern in ("/logout", "/settings/sign_out_everywhere") and who != "anon":
        login(c)
    if method != "POST":
        return
    # a forged request is refused before the handler, whatever the principal
    if kind != "-":
        fx.clean(kind)
        path = concrete(pattern, fx, kind)
    refresh(c)
    bad = send(c, method, pattern, path, who, fx, kind, bad_token=True)
    verify(bad, 403, path, f"{who} {method} {pattern} [{kind}] bad token")
    check(b"form is stale" in bad.body, f"{what}: the 403 page does not say why")
    if kind != "-":
        intact(clients, fx, kind, f"{who} forged {method} {pattern} [{kind}]")


def wrong_method(routes, pattern, kind, clients, fx):
    """A method the path does not take: 405 with the Allow header the table implies."""
    methods = {m for m, p in routes if p == pattern}
    wrong = "GET" if methods == {"POST"} else "POST" if methods == {"GET"} else OTHER_METHOD
    if kind != "-":
        fx.clean(kind)
    path = concrete(pattern, fx, kind)
    want = allow_for(routes, path)
    for who in PRINCIPALS:
        c = clients[who]
        if wrong == "GET":
            r = c.request(wrong, path, keep_cookies=False)
        else:
            refresh(c)
            r = c.request(wrong, path, fields=[("authenticity_token", c.token or BAD_TOKEN)],
                          keep_cookies=False)
        verify(r, 405, path, f"{who} {wrong} {pattern} [{kind}]")
        check(r.header("Allow") == want,
              f"{who} {wrong} {path}: Allow {r.header('Allow')!r}, wanted {want!r}")
    if kind != "-" and wrong != "GET":
        intact(clients, fx, kind, f"{wrong} {pattern} [{kind}]")


# ---------------------------------------------------------------- the gaps


def gaps(clients, fx, port):
    admin, anon, creator = clients["admin"], clients["anon"], clients["creator"]

    # failed login: 422 with the form and a message, never 401 without a challenge
    refresh(anon)
    r = anon.post("/login", [("authenticity_token", anon.token), ("name", "creator"),
                             ("password", "not-the-password")], keep_cookies=False)
    check(r.status == 422, f"failed login: {r.status}")
    check(r.header("WWW-Authenticate") is None, "failed login has WWW-Authenticate")
    check(b'id="login-form"' in r.body and b"Wrong name or password" in r.body,
          "failed login page lacks the form or the message")
    check(b'value="creator"' in r.body, "failed login forgets the name typed")
    page_ok(r, "failed login page")
    security_headers_ok(r, "failed login")

    # oversized request heads: ficd's 431 page with the security headers
    r = anon.get("/works", headers={"X-Filler": "a" * (12 << 10)}, keep_cookies=False)
    check(r.status == 200, f"a 12 KB head: {r.status}")
    for method in ("GET", "POST"):
        fields = [("authenticity_token", anon.token)] if method == "POST" else None
        r = anon.request(method, "/works", fields=fields,
                         headers={"X-Filler": "a" * (20 << 10)}, keep_cookies=False)
        check(r.status == 431, f"{method} with a 20 KB head: {r.status}")
        security_headers_ok(r, f"431 for {method}")
        check(b"431" in r.body and b"at most 16 KB" in r.body and b'id="main"' in r.body,
              f"431 page for {method}: {r.text()[:200]}")
        check((r.header("Connection") or "").lower() == "close", "431 keeps the connection")
        page_ok(r, f"431 page for {method}")
    # many cookies add up the same way
    cookies = "; ".join(f"c{i}={'v' * 100}" for i in range(200))
    r = anon.get("/", headers={"Cookie": cookies}, keep_cookies=False)
    check(r.status == 431, f"20 KB of cookies: {r.status}")

    # invitations: the admin sees every code, who made it and whether it was used
    refresh(admin)
    r = admin.post("/admin/invites", [("authenticity_token", admin.token)])
    m = re.search(rb'id="invite-code">([0-9a-f]+)<', r.body)
    check(r.status == 200 and m, f"create invitation: {r.status}")
    code = m.group(1).decode() if m else "none"
    r = admin.get("/admin/invites")
    row = re.search(r"<tr[^>]*><td><code>" + re.escape(code) + r"</code></td>(.*?)</tr>",
                    r.text())
    check(row and "Unused" in row.group(1) and 'href="/users/admin"' in row.group(1),
          f"new invitation not listed as unused: {row.group(0) if row else r.text()[:300]}")
    check(len(re.findall(r"<tr[^>]*><td><code>", r.text())) >= 2,
          "the invitations made by the matrix are not all listed")
    refresh(admin)
    r = admin.post("/settings/archive", [("authenticity_token", admin.token),
                                         ("archive_name", "Authz Archive"),
                                         ("signup_mode", "invite")])
    check(r.status == 200, f"switch to invite-only: {r.status}")
    guest = Client(port, "anon")
    guest.get("/signup")
    pw = "guest-pass-1234"
    r = guest.post("/signup", [("authenticity_token", guest.token), ("name", "guest"),
                               ("password", pw), ("password_confirm", pw),
                               ("invite_code", code)])
    check(r.status == 303, f"sign-up with the invitation: {r.status}")
    r = admin.get("/admin/invites")
    row = re.search(r"<tr class=\"used\"><td><code>" + re.escape(code) + r"</code></td>(.*?)</tr>",
                    r.text())
    check(row and "Used " in row.group(1), "a used invitation is not shown as used")
    page_ok(r, "invitations page")
    refresh(admin)
    r = admin.post("/settings/archive", [("authenticity_token", admin.token),
                                         ("archive_name", "Authz Archive"),
                                         ("signup_mode", "open")])
    check(r.status == 200, f"switch back to open sign-up: {r.status}")
    r = creator.get("/admin/invites", keep_cookies=False)
    check(r.status == 403 and code.encode() not in r.body, "invitation codes leak to users")

    # the edit form says which chapter it edits and links the others
    wid, cids = fx.make("P", nchapters=3)
    r = creator.get(f"/works/{wid}/edit")
    t = r.text()
    check('<label for="chapter_text">Chapter 1 text</label>' in t,
          "edit form of a 3-chapter work: text not labelled as chapter 1's")
    for n, cid in enumerate(cids[1:], 2):
        check(f'href="/works/{wid}/chapters/{cid}/edit">Edit chapter {n}' in t,
              f"edit form does not link chapter {n}")
    check(f"/chapters/{cids[0]}/edit" not in t, "edit form links chapter 1 to itself")
    page_ok(r, "edit form of a 3-chapter work")
    wid1, _ = fx.make("P", nchapters=1)
    r = creator.get(f"/works/{wid1}/edit")
    check('<label for="chapter_text">Work text</label>' in r.text() and
          'id="other-chapters"' not in r.text(), "edit form of a one-chapter work")
    r = creator.get("/works/new")
    check('<label for="chapter_text">Work text</label>' in r.text(), "new work form label")


def limits(tmp):
    """per_ip_limit and timeout on a server of their own (small values)."""
    limit, timeout = 3, 2
    proc, port, log = start_server(tmp, "limits", {"FICD_PER_IP_LIMIT": str(limit),
                                                   "FICD_TIMEOUT": str(timeout)})
    time.sleep(0.3)  # let the readiness probe's connection go
    held = []
    try:
        for _ in range(limit):
            held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        # a request on one held connection works (they are counted, not refused)
        held[0].sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        first = held[0].recv(4096)
        check(first.startswith(b"HTTP/1.1 200"), f"held connection: {first[:40]!r}")
        extra = socket.create_connection(("127.0.0.1", port), timeout=5)
        try:
            extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            got = extra.recv(4096)
        except (ConnectionResetError, BrokenPipeError):
            got = b""
        extra.close()
        check(got == b"", f"connection {limit + 1} from one address was served: {got[:60]!r}")
        held.pop().close()
        time.sleep(0.3)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/healthz")
        check(c.getresponse().status == 200, "a connection under the limit again is refused")
        c.close()
    finally:
        for s in held:
            s.close()
    time.sleep(0.3)

    # idle connections are closed after the timeout: one that never sent a byte, and a
    # keep-alive connection after its request
    for label, first in (("silent", None), ("keep-alive", b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")):
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout + 8)
        t0 = time.monotonic()
        if first:
            s.sendall(first)
            data = s.recv(4096)
            check(data.startswith(b"HTTP/1.1 200"), f"{label}: {data[:40]!r}")
            t0 = time.monotonic()
        try:
            rest = s.recv(4096)
        except (ConnectionResetError, socket.timeout):
            rest = b"timeout"
        waited = time.monotonic() - t0
        s.close()
        check(rest == b"", f"{label} idle connection: got {rest[:40]!r}")
        check(timeout - 0.5 <= waited <= timeout + 5,
              f"{label} idle connection closed after {waited:.1f}s (timeout {timeout}s)")
    stop_server(proc, log, "limits")


def finish():
    print(f"{passes} passed, {fails} failed")
    return 1 if fails else 0


def main():
    tmp = tempfile.mkdtemp(prefix="ficd-authz.")
    proc = None
    try:
        routes = server_routes()
        check(len(routes) >= 40, f"only {len(routes)} routes parsed from server.c")
        proc, port, log = start_server(tmp, "data", {})
        clients = {p: Client(port, p) for p in PRINCIPALS}
        admin, creator, other = clients["admin"], clients["creator"], clients["other"]
        admin.get("/setup")
        r = admin.post("/setup", [("authenticity_token", admin.token), ("archive_name", "Authz"),
                                  ("name", "admin"), ("password", PASSWORD["admin"]),
                                  ("password_confirm", PASSWORD["admin"]),
                                  ("signup_mode", "open")])
        check(r.status == 303 and "ficd_session" in admin.cookies, f"setup: {r.status}")
        for c in (creator, other):
            c.get("/signup")
            pw = PASSWORD[c.name]
            r = c.post("/signup", [("authenticity_token", c.token), ("name", c.name),
                                   ("password", pw), ("password_confirm", pw)])
            check(r.status == 303 and "ficd_session" in c.cookies, f"signup {c.name}: {r.status}")
        admin.get("/settings")
        creator.get("/settings")
        # the moderator: signed up, then given the role by the admin on /admin/users
        mod = clients["moderator"]
        mod.get("/signup")
        r = mod.post("/signup", [("authenticity_token", mod.token), ("name", "moderator"),
                                 ("password", PASSWORD["moderator"]),
                                 ("password_confirm", PASSWORD["moderator"])])
        check(r.status == 303, f"signup moderator: {r.status}")
        refresh(admin)
        r = admin.post("/admin/users/moderator", [("authenticity_token", admin.token),
                                                  ("action", "role"), ("role", "moderator")])
        check(r.status == 200, f"make the moderator: {r.status}")
        mod.get("/settings")
        fx = Fixtures(creator, other, admin)
        for kind in ("P", "D", "R"):
            fx.make(kind)
        walk(routes, clients, fx)
        gaps(clients, fx, port)
        stop_server(proc, log, "data")
        proc = None
        limits(tmp)
    finally:
        if proc and proc.poll() is None:
            proc.kill()
        if fails:
            for name in ("data", "limits"):
                p = os.path.join(tmp, name + ".log")
                if os.path.exists(p):
                    print(f"--- {name}.log (tail)", file=sys.stderr)
                    print(open(p, errors="replace").read()[-1500:], file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
