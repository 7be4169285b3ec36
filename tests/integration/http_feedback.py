#!/usr/bin/env python3
"""http_feedback.py: feedback over real HTTP, run by http_feedback.sh.

Starts `ficd serve` (accounts made with `ficd user add`), then: kudos (guests per address,
accounts once, creators refused, the notice on a second, who left kudos), comments (threads,
replies, chapter comments, edit, delete with "(Previous comment deleted.)", sanitized HTML
against XSS attempts, the 10,000-character limit and the form given back with the reason,
guests' name and email), the creator's moderation (who may comment, held comments and
/works/ID/comments/unreviewed, freeze/unfreeze, deleting any comment on the work), the guest
link limit, the inbox (items, header count, read/unread, delete, settings), reports and
/admin/reports (hide/unhide a work: gone from listings, search and the API but kept for its
creator; delete a comment; suspend; ban ends sessions and sign-in), /admin/log, roles on
/admin/users and `ficd user`, password reset links, hits (once per visitor per day, written in
batches, not the creator's own), the API (GET /api/v1/works/ID with "stats",
/api/v1/works/ID/comments in thread order), sorting by the counts within a second, and a
concurrency check: many connections sending kudos and comments at once, then the counts, the
API and the sort order. A second server with a small comment limit checks that a guest
comment over it is held for approval.

Usage: http_feedback.py FICD_BINARY. Prints "N passed, M failed"; exit status 1 on failure.
"""
import concurrent.futures
import http.client
import json
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


def finish():
    print(f"{passes} passed, {fails} failed")
    return 1 if fails else 0


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        self.text = body.decode("utf-8", "replace")

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


class Client:
    """A cookie jar and the CSRF token of the last form seen."""

    def __init__(self, port, ip=None):
        self.port = port
        self.cookies = {}
        self.token = None
        self.ip = ip  # sent as X-Forwarded-For (the server trusts the proxy header)
        self.action_tokens = {}  # anonymous forms' tokens are bound to their action

    def request(self, method, path, fields=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        hdrs = {"Connection": "close"}
        if self.ip:
            hdrs["X-Forwarded-For"] = self.ip
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=hdrs)
        r = conn.getresponse()
        resp = Resp(r.status, r.getheaders(), r.read())
        conn.close()
        for k, v in resp.headers:
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                if "Max-Age=0" in v:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = rest.split(";")[0]
        m = re.search(r'name="authenticity_token" value="([0-9a-f]{64})"', resp.text)
        if m:
            self.token = m.group(1)
        return resp

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields, token=None):
        f = [("authenticity_token", token or self.token or "0" * 64)] + list(fields)
        return self.request("POST", path, f)

    def form_post(self, page, action, fields):
        """GETs page for its form token bound to action, then posts."""
        r = self.get(page)
        m = re.search(r'action="' + re.escape(action) +
                      r'"[^>]*>(?:(?!</form>).)*?<input type="hidden" name="authenticity_token" '
                      r'value="([0-9a-f]{64})"', r.text, re.S)
        if m:
            self.action_tokens[action] = m.group(1)
        return self.post(action, fields, token=self.action_tokens.get(action))

    def json(self, path):
        r = self.get(path)
        try:
            return r.status, json.loads(r.text)
        except ValueError:
            return r.status, None


def page_ok(c, path, what=None, resp=None):
    r = resp or c.get(path)
    p = PageCheck()
    p.feed(r.text)
    p.close()
    probs = list(p.problems)
    if p.stack:
        probs.append(f"unclosed {p.stack}")
    if p.h1 != 1:
        probs.append(f"{p.h1} h1 headings")
    probs += [f"control #{cid} has no label" for cid, wrapped in p.controls
              if not wrapped and cid not in p.labels]
    check(r.status == 200 and not probs, f"{what or path}: {r.status} {probs[:5]}")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def ficd(data, *args):
    p = subprocess.run([FICD, *args, "--data", data], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def start(tmp, name, env_extra):
    port = free_port()
    env = dict(os.environ)
    env.update({"FICD_THREADS": "4", "FICD_LOGIN_ATTEMPTS": "100000", "FICD_TRUST_PROXY": "1",
                "FICD_HITS_FLUSH": "1", "FICD_RATE_COMMENT": "0", "FICD_RATE_KUDOS": "0",
                "FICD_RATE_REPORT": "0", "FICD_RATE_LOGIN": "0", "FICD_RATE_OTHER": "0",
                "FICD_RATE_POST": "0", "FICD_PAGE_CACHE_TTL": "30"})
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


def stop(proc, log, name):
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = "timeout"
    log.close()
    check(rc == 0, f"server {name} exit status {rc} after SIGTERM")


def add_user(data, name, role="user"):
    rc, out, err = ficd(data, "user", "add", name, "--role", role)
    m = re.search(r"one-time password: (\S+)", out)
    check(rc == 0 and m, f"ficd user add {name}: {rc} {out} {err}")
    return m.group(1) if m else ""


def login(port, name, pw, ip=None):
    c = Client(port, ip)
    c.get("/login")
    r = c.post("/login", [("name", name), ("password", pw)])
    check(r.status == 303, f"login {name}: {r.status}")
    return c


def post_work(c, title, extra=(), pseud="alice"):
    r = c.get("/works/new")
    fields = [("title", title), ("pseud", pseud), ("summary", "Feedback test."),
              ("rating", "1"), ("warning", "8"), ("fandoms", "Feedback Fandom"),
              ("language", "English"), ("format", "html"), ("chapter_title", "One"),
              ("chapter_text", "<p>The first chapter of " + title + ".</p>"),
              ("feedback_fields", "1"), ("comment_policy", "everyone"), ("commit", "post")]
    r = c.post("/works", fields + list(extra))
    m = re.fullmatch(r"/works/(\d+)", r.header("Location") or "")
    check(r.status == 303 and m, f"posting {title}: {r.status} {r.text[:300]}")
    return int(m.group(1)) if m else 0


def add_chapter(c, wid):
    c.get(f"/works/{wid}/chapters/new")
    r = c.post(f"/works/{wid}/chapters/new",
               [("chapter_title", "Two"), ("format", "html"),
                ("chapter_text", "<p>The second chapter.</p>"), ("commit", "post")])
    m = re.fullmatch(rf"/works/{wid}/chapters/(\d+)", r.header("Location") or "")
    check(r.status == 303 and m, f"adding a chapter: {r.status}")
    return int(m.group(1)) if m else 0


def edit_feedback(c, wid, policy, moderate):
    """Changes the work form's comment settings, keeping everything else."""
    r = c.get(f"/works/{wid}/edit")
    fields = [("title", re.search(r'id="title" value="([^"]*)"', r.text).group(1)),
              ("pseud", "alice"), ("summary", "Feedback test."), ("rating", "1"),
              ("warning", "8"), ("fandoms", "Feedback Fandom"), ("language", "English"),
              ("format", "html"), ("chapter_title", "One"),
              ("chapter_text", "<p>The first chapter.</p>"), ("feedback_fields", "1"),
              ("comment_policy", policy), ("commit", "post")]
    if moderate:
        fields.append(("moderate_comments", "1"))
    r = c.post(f"/works/{wid}/edit", fields)
    check(r.status == 303, f"editing the comment settings: {r.status} {r.text[:400]}")


def api_work(c, wid):
    status, j = c.json(f"/api/v1/works/{wid}")
    check(status == 200 and j and "stats" in j, f"GET /api/v1/works/{wid}: {status} {j}")
    return j or {"stats": {}}


def comment(c, path, content, **kw):
    fields = [("content", content)] + [(k, v) for k, v in kw.items()]
    page = f"/works/{path.split('/')[2]}" if path.startswith("/works/") else \
        path.rsplit("/", 1)[0]
    return c.form_post(page, path, fields)


def comment_id(r):
    m = re.search(r"#comment_(\d+)$", r.header("Location") or "")
    return int(m.group(1)) if m else 0


def main():
    tmp = tempfile.mkdtemp(prefix="ficd-feedback-")
    data = os.path.join(tmp, "main")
    try:
        run(tmp, data)
        held_over_limit(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


def run(tmp, data):
    pw = {n: add_user(data, n, role) for n, role in
          [("alice", "admin"), ("bob", "user"), ("carol", "user"), ("mod", "moderator"),
           ("dave", "user")]}
    proc, port, log = start(tmp, "main", {})
    alice = login(port, "alice", pw["alice"])
    bob = login(port, "bob", pw["bob"])
    carol = login(port, "carol", pw["carol"])
    mod = login(port, "mod", pw["mod"])
    guest = Client(port, "10.1.0.1")
    guest2 = Client(port, "10.1.0.2")

    wid = post_work(alice, "Lighthouse Kudos")
    ch2 = add_chapter(alice, wid)
    other = post_work(alice, "Second Harbour")

    # ---- kudos ----
    r = guest.get(f"/works/{wid}")
    check(r.status == 200 and 'id="kudo-submit"' in r.text, "kudos button on the work page")
    check("ficd_csrf" not in guest.cookies, "the anonymous work page sets no cookie (cacheable)")
    r = guest.get(f"/works/{wid}/chapters/{ch2}")
    check('id="kudo-submit"' in r.text, "kudos button on the chapter page")
    r = guest.form_post(f"/works/{wid}", f"/works/{wid}/kudos", [])
    check(r.status == 303, f"guest kudos: {r.status} {r.text[:200]}")
    r = guest.form_post(f"/works/{wid}", f"/works/{wid}/kudos", [])
    check(r.status == 200 and "You have already left kudos here" in r.text,
          f"second guest kudos: {r.status}")
    page_ok(guest, None, "the kudos notice page", resp=r)
    r = guest.post(f"/works/{wid}/kudos", [], token="0" * 64)
    check(r.status == 403, f"kudos with a bad token: {r.status}")
    r = guest2.form_post(f"/works/{wid}/chapters/{ch2}", f"/works/{wid}/kudos",
                         [("chapter_id", str(ch2))])
    check(r.status == 303 and (r.header("Location") or "").startswith(
        f"/works/{wid}/chapters/{ch2}"), f"guest kudos from a chapter page: {r.status}")
    r = bob.form_post(f"/works/{wid}", f"/works/{wid}/kudos", [])
    check(r.status == 303, f"bob's kudos: {r.status}")
    r = bob.form_post(f"/works/{wid}", f"/works/{wid}/kudos", [])
    check("You have already left kudos here" in r.text, "bob's second kudos: notice")
    r = alice.get(f"/works/{wid}")
    check('id="kudo-submit"' not in r.text, "no kudos button for the creator")
    r = alice.post(f"/works/{wid}/kudos", [])
    check(r.status == 403 and "your own work" in r.text, f"creator's kudos: {r.status}")
    r = guest.get(f"/works/{wid}")
    check(re.search(r'id="kudos">.*bob.*and 2 guests left kudos', r.text),
          "who left kudos (accounts and guests counted)")
    check(api_work(guest, wid)["stats"].get("kudos") == 3, "API kudos = 3")
    check('<dd class="kudos">3</dd>' in guest.get(f"/works/{wid}").text, "kudos count on the work page")
    check("<dt>Kudos:</dt><dd>3</dd>" in guest.get("/works").text, "kudos count in the blurb")

    # ---- comments: XSS, limits, form given back ----
    xss = ('<p>Lovely <em>work</em>!</p><script>alert(1)</script>'
           '<img src=x onerror="alert(2)"><a href="javascript:alert(3)">click</a>'
           '<iframe src="http://evil"></iframe><p onclick="alert(4)">hi</p>')
    r = comment(bob, f"/works/{wid}/comments", xss)
    c1 = comment_id(r)
    check(r.status == 303 and c1, f"bob's comment: {r.status} {r.text[:300]}")
    r = guest.get(f"/works/{wid}?show_comments=true")
    body = r.text
    check("Lovely <em>work</em>!" in body, f"the comment is shown: {body[body.find('comment_'):][:600]}")
    seg = body[body.find(f'id="comment_{c1}"'):]
    seg = seg[:seg.find("</blockquote>")]
    for bad in ("<script", "onerror", "javascript:", "<iframe", "onclick"):
        check(bad not in seg.lower(), f"XSS: {bad} survived the sanitizer: {seg[:400]}")
    r = comment(guest, f"/works/{wid}/comments", "   ", name="Gus", email="gus@example.org")
    check(r.status == 422 and "cannot be empty" in r.text, f"empty comment: {r.status}")
    page_ok(guest, None, "the comment form given back", resp=Resp(200, r.headers, r.body))
    r = comment(guest, f"/works/{wid}/comments", "x" * 10001, name="Gus", email="gus@example.org")
    check(r.status == 422 and "too long" in r.text and 'name="content"' in r.text,
          f"oversize comment: {r.status}")
    r = comment(guest, f"/works/{wid}/comments", "Keep this text", name="", email="gus@x.org")
    check(r.status == 422 and "Please enter your name" in r.text and "Keep this text" in r.text,
          f"guest without a name: form back with the text ({r.status})")
    r = comment(guest, f"/works/{wid}/comments", "Nice", name="Gus", email="not-an-email")
    check(r.status == 422 and "valid email" in r.text, f"guest with a bad email: {r.status}")
    r = comment(guest, f"/works/{wid}/comments", "y" * 10000, name="Gus", email="gus@example.org")
    check(r.status == 303, f"a 10,000-character comment is accepted: {r.status}")
    cg = comment_id(r)
    r = comment(guest, f"/works/{wid}/comments", "Plain text\n\nin two paragraphs",
                name="Gus <b>", email="gus@example.org")
    cg2 = comment_id(r)
    check(r.status == 303, f"guest comment: {r.status}")
    r = guest.get(f"/comments/{cg2}")
    check("<p>Plain text</p>" in r.text and "Gus &lt;b&gt;" in r.text and "(Guest)" in r.text,
          "plain text becomes paragraphs; the guest's name is escaped")

    # replies, threads, chapter comments
    r = comment(carol, f"/comments/{c1}/comments", "I agree with bob")
    c2 = comment_id(r)
    check(r.status == 303 and c2, f"carol's reply: {r.status} {r.text[:300]}")
    r = comment(bob, f"/comments/{c2}/comments", "Thanks carol")
    c3 = comment_id(r)
    check(r.status == 303 and c3, f"bob's reply to the reply: {r.status}")
    r = guest.get(f"/comments/{c1}")
    check(r.status == 200 and r.text.find(f'comment_{c1}') < r.text.find(f'comment_{c2}') <
          r.text.find(f'comment_{c3}') and r.text.count('<ol class="thread">') >= 3,
          "GET /comments/CID shows the thread, nested")
    r = comment(dave_client := login(port, "dave", pw["dave"]), f"/works/{wid}/comments",
                "On chapter two", chapter_id=str(ch2))
    cc = comment_id(r)
    check(r.status == 303 and f"/chapters/{ch2}" in (r.header("Location") or ""),
          f"chapter comment: {r.status} {r.header('Location')}")
    r = guest.get(f"/works/{wid}/chapters/{ch2}")
    check(f'comment_{cc}"' in r.text and f'comment_{c1}"' not in r.text,
          "the chapter page shows its chapter's comments")
    check("Comments (1 on this chapter)" in r.text, "the chapter page counts its comments")
    r = guest.get(f"/works/{wid}")
    check(f'comment_{c1}"' not in r.text and 'id="show-comments"' in r.text,
          "the work page links to the comments instead of showing them")
    r = comment(dave_client, f"/works/{wid}/comments", "Bad chapter", chapter_id="999999")
    check(r.status == 422, f"comment on a chapter of another work: {r.status}")

    # edit and delete
    r = bob.get(f"/comments/{c1}/edit")
    check(r.status == 200 and 'name="content"' in r.text, "edit form for the writer")
    r = carol.get(f"/comments/{c1}/edit")
    check(r.status == 403, f"edit form for someone else: {r.status}")
    r = bob.post(f"/comments/{c1}/edit", [("content", "<p>Edited by bob</p>")])
    check(r.status == 303, f"editing: {r.status}")
    r = guest.get(f"/comments/{c1}")
    check("Edited by bob" in r.text and "(edited)" in r.text, "edited comment shown")
    r = bob.post(f"/comments/{c1}/edit", [("content", "")])
    check(r.status == 422, f"editing to empty: {r.status}")
    r = carol.post(f"/comments/{c1}/delete", [])
    check(r.status == 403, f"deleting someone else's comment: {r.status}")
    n_before = api_work(guest, wid)["stats"]["comments"]
    r = bob.post(f"/comments/{c1}/delete", [])
    check(r.status == 303, f"deleting own comment: {r.status}")
    r = guest.get(f"/works/{wid}?show_comments=true")
    check("(Previous comment deleted.)" in r.text and "I agree with bob" in r.text,
          "a deleted comment with replies leaves a placeholder")
    check(api_work(guest, wid)["stats"]["comments"] == n_before - 1, "count after delete")
    r = comment(carol, f"/comments/{c1}/comments", "reply to deleted")
    check(r.status == 422, f"reply to a deleted comment: {r.status}")
    r = alice.post(f"/comments/{cg}/delete", [])
    check(r.status == 303, f"the creator deletes a guest's comment: {r.status}")
    check(guest.get(f"/comments/{cg}").status == 404, "deleted comment is gone")

    # the API: thread order
    status, arr = guest.json(f"/api/v1/works/{wid}/comments")
    check(status == 200 and isinstance(arr, list), f"comments API: {status}")
    ids = [c["id"] for c in arr or []]
    keys = {"id", "parent_id", "chapter_id", "author", "html", "created"}
    check(all(keys <= set(c) for c in arr or []), "comment API keys")
    check(ids.index(c2) < ids.index(c3) if c2 in ids and c3 in ids else False,
          f"thread order in the API: {ids}")
    byid = {c["id"]: c for c in arr or []}
    check(byid.get(c3, {}).get("parent_id") == c2 and byid.get(c2, {}).get("author") == "carol"
          and byid.get(cc, {}).get("chapter_id") == ch2, "parent_id, author, chapter_id")
    check(len(arr or []) == api_work(guest, wid)["stats"]["comments"],
          "the API lists as many comments as the count says")

    # ---- pages are well formed (as guest, reader, creator, moderator) ----
    for c, path in ((guest, f"/works/{wid}?show_comments=true"), (bob, f"/works/{wid}?show_comments=true"),
                    (alice, f"/works/{wid}?show_comments=true"), (mod, f"/works/{wid}?show_comments=true"),
                    (guest, f"/works/{wid}/chapters/{ch2}"), (guest, f"/comments/{c2}"),
                    (bob, f"/comments/{c2}"), (alice, f"/comments/{c2}"), (bob, f"/works/{wid}/report"),
                    (guest, f"/comments/{c2}/report"), (bob, "/users/alice/report"),
                    (alice, f"/works/{wid}/comments/unreviewed"), (alice, "/users/alice/inbox"),
                    (alice, "/settings"), (mod, "/admin/reports"), (mod, "/admin/log"),
                    (alice, "/admin/users"), (carol, f"/comments/{c2}/edit"),
                    (alice, f"/works/{wid}/edit")):
        page_ok(c, path)

    # ---- the creator's moderation ----
    edit_feedback(alice, wid, "registered", False)
    r = comment(guest, f"/works/{wid}/comments", "guest again", name="Gus", email="g@x.org")
    check(r.status == 403 and "registered users" in r.text, f"registered only: {r.status}")
    r = guest.get(f"/works/{wid}")
    check('id="comments-closed"' in r.text, "guests see why they cannot comment")
    edit_feedback(alice, wid, "nobody", False)
    r = comment(bob, f"/works/{wid}/comments", "bob again")
    check(r.status == 403, f"comments off: {r.status}")
    edit_feedback(alice, wid, "everyone", True)
    r = comment(bob, f"/works/{wid}/comments", "held for review")
    check(r.status == 202 and "approve" in r.text, f"held comment: {r.status}")
    page_ok(bob, None, "the held-comment page", resp=Resp(200, r.headers, r.body))
    held = guest.get(f"/works/{wid}?show_comments=true").text
    check("held for review" not in held, "a held comment is not shown")
    r = bob.get(f"/works/{wid}/comments/unreviewed")
    check(r.status == 403, f"unreviewed queue for a reader: {r.status}")
    r = alice.get(f"/works/{wid}/comments/unreviewed")
    m = re.search(r'id="comment_(\d+)"', r.text)
    check(r.status == 200 and "held for review" in r.text and m, "the creator's queue")
    hid = int(m.group(1)) if m else 0
    r = alice.post(f"/comments/{hid}/approve", [])
    check(r.status == 303, f"approve: {r.status}")
    check("held for review" in guest.get(f"/works/{wid}?show_comments=true").text,
          "approved comment shown")
    edit_feedback(alice, wid, "everyone", False)
    r = alice.post(f"/comments/{c2}/freeze", [])
    check(r.status == 303, f"freeze: {r.status}")
    r = comment(bob, f"/comments/{c3}/comments", "after freeze")
    check(r.status == 403 and "frozen" in r.text, f"reply in a frozen thread: {r.status}")
    r = bob.post(f"/comments/{c2}/unfreeze", [])
    check(r.status == 403, f"a reader cannot unfreeze: {r.status}")
    r = alice.post(f"/comments/{c2}/unfreeze", [])
    check(r.status == 303, f"unfreeze: {r.status}")
    r = comment(bob, f"/comments/{c3}/comments", "after unfreeze")
    check(r.status == 303, f"reply after unfreezing: {r.status}")

    # guest link limit: held for approval
    links = " ".join(f'<a href="http://spam{i}.example">x</a>' for i in range(3))
    r = comment(guest2, f"/works/{wid}/comments", links, name="Spam", email="s@x.org")
    check(r.status == 202 and "links" in r.text, f"guest comment with 3 links held: {r.status}")
    r = comment(guest2, f"/works/{wid}/comments", "one http://example.org link",
                name="Fine", email="f@x.org")
    check(r.status == 303, f"guest comment with one link: {r.status}")

    # ---- the inbox ----
    r = alice.get("/")
    check(re.search(r'id="inbox-count">\(\d+', r.text), "unread count in the header")
    r = alice.get("/users/alice/inbox")
    check(r.status == 200 and "commented on Lighthouse Kudos" in r.text and
          "left kudos on Lighthouse Kudos" in r.text and "awaits your approval" in r.text,
          f"alice's inbox: {r.status}")
    r = bob.get("/users/bob/inbox")
    check("carol replied to your comment" in r.text, "bob's inbox has carol's reply")
    check(bob.get("/users/alice/inbox").status == 403, "someone else's inbox: 403")
    check(Client(port).get("/users/alice/inbox").status == 303, "anonymous inbox: login")
    ids = re.findall(r'id="inbox-item-(\d+)"', alice.get("/users/alice/inbox").text)
    r = alice.post("/users/alice/inbox", [("action", "read"), ("items", ids[0])])
    check(r.status == 303, f"mark read: {r.status}")
    r = alice.get("/users/alice/inbox?filter=unread")
    check(f'inbox-item-{ids[0]}"' not in r.text, "read item not among unread")
    r = alice.post("/users/alice/inbox", [("item_action", f"delete:{ids[0]}")])
    check(r.status == 303 and f'inbox-item-{ids[0]}"' not in
          alice.get("/users/alice/inbox").text, "delete an item")
    r = bob.post("/users/alice/inbox", [("action", "read_all")])
    check(r.status == 403, f"changing someone else's inbox: {r.status}")
    r = alice.post("/users/alice/inbox", [("action", "read_all")])
    check(r.status == 303 and 'id="inbox-count"' not in alice.get("/").text,
          "mark all read clears the header count")
    r = alice.get("/settings")
    check('id="inbox_kind_3"' in r.text, "inbox settings on /settings")
    kinds = [("inbox_kinds", str(k)) for k in (1, 2, 4, 5, 6, 7)]  # kudos (3) off
    r = alice.post("/settings/inbox", kinds)
    check(r.status == 303, f"inbox settings: {r.status}")
    carol.form_post(f"/works/{other}", f"/works/{other}/kudos", [])
    check("left kudos on Second Harbour" not in alice.get("/users/alice/inbox").text,
          "kudos turned off: not delivered")
    r = alice.post("/settings/inbox", kinds + [("inbox_kinds", "3")])
    dave_client.form_post(f"/works/{other}", f"/works/{other}/kudos", [])
    check("dave left kudos on Second Harbour" in alice.get("/users/alice/inbox").text,
          "kudos turned back on: delivered")

    # ---- hits ----
    time.sleep(1.5)
    h0 = api_work(guest, other)["stats"]["hits"]
    for c in (Client(port, "10.9.0.1"), Client(port, "10.9.0.1"), Client(port, "10.9.0.2")):
        c.get(f"/works/{other}")
        c.get(f"/works/{other}")
    bob.get(f"/works/{other}")
    alice.get(f"/works/{other}")  # the creator's own visit does not count
    time.sleep(2.5)
    h1 = api_work(guest, other)["stats"]["hits"]
    check(h1 - h0 == 3, f"hits: +{h1 - h0}, want +3 (2 addresses and bob, once a day)")

    # ---- sorting by the counts stays fresh ----
    for i in range(3):
        Client(port, f"10.7.0.{i}").form_post(f"/works/{other}", f"/works/{other}/kudos", [])
    time.sleep(1)
    status, j = guest.json("/api/v1/works?sort=kudos")
    order = [w["id"] for w in (j or {}).get("works", [])]
    k = {w["id"]: w["kudos"] for w in (j or {}).get("works", [])}
    check(order[:2] == [other, wid] and k.get(other) == 5, f"sort=kudos: {order} {k}")
    status, j = guest.json("/api/v1/works?sort=comments")
    check([w["id"] for w in (j or {}).get("works", [])][:1] == [wid], "sort=comments")

    # ---- reports and moderation ----
    r = bob.get(f"/works/{other}/report")
    check(r.status == 200 and 'name="reason"' in r.text, "report form")
    r = bob.post(f"/works/{other}/report", [("reason", "")])
    check(r.status == 422, f"report without a reason: {r.status}")
    r = bob.post(f"/works/{other}/report", [("reason", "Spam <b>work</b>")])
    check(r.status == 200 and "moderators will review" in r.text, f"work report: {r.status}")
    page_ok(bob, None, "the report-sent page", resp=r)
    r = guest.form_post(f"/comments/{c3}/report", f"/comments/{c3}/report",
                        [("reason", "rude reply")])
    check(r.status == 200, f"guest reports a comment: {r.status}")
    r = bob.form_post("/users/carol/report", "/users/carol/report", [("reason", "harassment")])
    check(r.status == 200, f"user report: {r.status}")
    check(bob.get("/admin/reports").status == 403, "reports queue for a reader: 403")
    r = mod.get("/admin/reports")
    check(r.status == 200 and "Spam &lt;b&gt;work&lt;/b&gt;" in r.text and "rude reply" in r.text
          and "harassment" in r.text, f"moderator's queue: {r.status}")
    rep = {kind: int(x) for x, kind in re.findall(
        r'id="report-(\d+)">\n<h3 class="heading">Report \d+: <a href="/(works|comments|users)',
        r.text)}
    check(len(rep) == 3, f"three reports listed: {rep}")
    r = mod.post(f"/admin/reports/{rep.get('works', 0)}",
                 [("action", "hide"), ("reason", "spam work")])
    check(r.status == 200 and "Done: hide work" in r.text, f"hide: {r.status}")
    check(guest.get(f"/works/{other}").status == 404, "hidden work: 404 for others")
    r = alice.get(f"/works/{other}")
    check(r.status == 200 and 'id="hidden-notice"' in r.text, "hidden work kept for its creator")
    status, j = guest.json("/api/v1/works?q=Harbour")
    check(j is not None and other not in [w["id"] for w in j.get("works", [])],
          "hidden work not in search")
    check(f"/works/{other}\"" not in guest.get("/works").text, "hidden work not in /works")
    check(guest.json(f"/api/v1/works/{other}")[0] == 404, "hidden work: API 404")
    check("Second Harbour" in alice.get("/dashboard").text, "still on the creator's dashboard")
    check("Second Harbour" not in guest.get("/users/alice/works").text,
          "not on the creator's public works list")
    r = mod.get("/admin/log")
    check(r.status == 200 and "hide work" in r.text and "spam work" in r.text and
          ">mod<" in r.text, "audit log: who, what, why")
    check(bob.get("/admin/log").status == 403, "audit log for a reader: 403")
    r = mod.post(f"/admin/works/{other}", [("action", "unhide"), ("reason", "appeal")])
    check(r.status == 303 and guest.get(f"/works/{other}").status == 200, "unhide")
    r = mod.post(f"/admin/reports/{rep.get('comments', 0)}",
                 [("action", "delete_comment"), ("reason", "rude")])
    check(r.status == 200 and guest.get(f"/comments/{c3}").status in (200, 404),
          f"moderator deletes the comment: {r.status}")
    check("Thanks carol" not in guest.get(f"/works/{wid}?show_comments=true").text,
          "deleted comment text gone")
    r = mod.post(f"/admin/reports/{rep.get('users', 0)}",
                 [("action", "suspend"), ("days", "3"), ("reason", "cool off")])
    check(r.status == 200 and "suspend user for 3 days" in r.text, f"suspend: {r.status}")
    r = carol.get(f"/works/{wid}")
    check(r.status == 200, "a suspended user can read")
    r = carol.form_post(f"/works/{wid}", f"/works/{wid}/kudos", [])
    check(r.status == 403 and "suspended" in r.text, f"a suspended user cannot kudos: {r.status}")
    r = comment(carol, f"/works/{wid}/comments", "while suspended")
    check(r.status == 403, f"a suspended user cannot comment: {r.status}")
    r = carol.get("/works/new")
    r = carol.post("/works", [("title", "x")])
    check(r.status == 403 and "suspended" in r.text, f"a suspended user cannot post: {r.status}")
    check(mod.post(f"/admin/reports/{rep.get('users', 0)}", [("action", "ban")]).status == 422,
          "a closed report cannot be acted on again")
    r = mod.post("/admin/users/carol", [("action", "ban")])
    check(r.status == 403, f"moderators do not manage /admin/users: {r.status}")
    r = alice.post("/admin/users/carol", [("action", "ban"), ("reason", "repeat")])
    check(r.status == 200, f"ban: {r.status}")
    r = carol.get("/")
    check('id="nav-login"' in r.text, "a ban ends the user's sessions")
    c = Client(port)
    c.get("/login")
    r = c.post("/login", [("name", "carol"), ("password", pw["carol"])])
    check(r.status == 403 and "banned" in r.text, f"a banned user cannot sign in: {r.status}")

    # ---- roles ----
    check(alice.get("/admin/users").status == 200, "/admin/users for admins")
    check(mod.get("/admin/users").status == 403, "/admin/users for moderators: 403")
    r = alice.post("/admin/users/bob", [("action", "role"), ("role", "wrangler")])
    check(r.status == 200, f"grant wrangler: {r.status}")
    rc, out, _ = ficd(data, "user", "list")
    check(re.search(r"^bob\s+wrangler\s+active", out, re.M) and
          re.search(r"^carol\s+user\s+banned", out, re.M), f"ficd user list: {out}")
    r = alice.post("/admin/users/bob", [("action", "role"), ("role", "emperor")])
    check(r.status == 422, f"unknown role: {r.status}")
    rc, out, err = ficd(data, "user", "role", "dave", "moderator")
    check(rc == 0 and "dave is now moderator" in out, f"ficd user role: {rc} {err}")
    check(dave_client.get("/admin/reports").status == 200, "the new moderator sees reports")
    rc, out, err = ficd(data, "user", "role", "dave", "overlord")
    check(rc == 2 and "unknown role" in err, f"ficd user role with a bad role: {rc}")
    rc, out, err = ficd(data, "user", "suspend", "nobody-here")
    check(rc == 2 and "no user named" in err, f"ficd user suspend unknown: {rc}")
    rc, out, err = ficd(data, "user", "suspend", "dave", "--days", "x")
    check(rc == 2, f"ficd user suspend --days x: {rc}")
    rc, out, err = ficd(data, "user", "add", "alice")
    check(rc == 2 and "taken" in err, f"ficd user add a taken name: {rc}")
    check("ban user" in alice.get("/admin/log").text, "the ban is in the audit log")

    # ---- password reset links ----
    rc, out, err = ficd(data, "user", "reset-password", "bob")
    m = re.search(r"/password_reset/([0-9a-f]{64})", out)
    check(rc == 0 and m, f"ficd user reset-password: {rc} {out}")
    link = f"/password_reset/{m.group(1)}" if m else "/password_reset/x"
    c = Client(port)
    r = c.get(link)
    check(r.status == 200 and 'name="new_password"' in r.text, "reset page")
    r = c.post(link, [("new_password", "short"), ("new_password_confirm", "short")])
    check(r.status == 422, f"reset with a short password: {r.status}")
    r = c.post(link, [("new_password", "brand-new-pass-9"),
                      ("new_password_confirm", "brand-new-pass-9")])
    check(r.status == 200 and "Password changed" in r.text, f"reset: {r.status}")
    check(c.get(link).status == 404, "a used reset link is gone")
    login(port, "bob", "brand-new-pass-9")

    concurrency(port, data)
    stop(proc, log, "main")


def concurrency(port, data):
    """Many connections at once: kudos from distinct addresses and comments from many
    connections on two works; then the counts, the API and the sort order."""
    pw = add_user(data, "writer2", "user")
    w = login(port, "writer2", pw)
    a = post_work(w, "Race A", pseud="writer2")
    b = post_work(w, "Race B", pseud="writer2")
    # tokens for the guest forms of each work, fetched once (they are bound to the action)
    def tok(wid, action):
        r = Client(port).get(f"/works/{wid}")
        m = re.search(r'action="' + re.escape(action) +
                      r'"[^>]*>.*?name="authenticity_token" value="([0-9a-f]{64})"', r.text, re.S)
        return m.group(1) if m else ""
    toks = {(x, kind): tok(x, f"/works/{x}/{kind}") for x in (a, b) for kind in ("kudos",
                                                                                   "comments")}

    def kudos(i):
        wid = a if i % 3 else b  # A gets 2/3 of them
        c = Client(port, f"10.{50 + i // 250}.{i % 250}.9")
        r = c.post(f"/works/{wid}/kudos", [], token=toks[(wid, "kudos")])
        return wid, r.status

    def comment_one(i):
        wid = b if i % 3 else a  # B gets 2/3 of them
        c = Client(port, f"10.{90 + i // 250}.{i % 250}.7")
        r = c.post(f"/works/{wid}/comments",
                   [("content", f"Comment number {i}"), ("name", f"Racer {i}"),
                    ("email", f"r{i}@example.org")], token=toks[(wid, "comments")])
        return wid, r.status

    n = 150
    with concurrent.futures.ThreadPoolExecutor(max_workers=24) as ex:
        futs = [ex.submit(kudos, i) for i in range(n)] + \
               [ex.submit(comment_one, i) for i in range(n)]
        results = [f.result() for f in futs]
    kres, cres = results[:n], results[n:]
    check(all(s == 303 for _, s in kres), f"concurrent kudos statuses: "
          f"{sorted(set(s for _, s in kres))}")
    check(all(s == 303 for _, s in cres), f"concurrent comment statuses: "
          f"{sorted(set(s for _, s in cres))}")
    want_k = {a: sum(1 for x, s in kres if x == a and s == 303),
              b: sum(1 for x, s in kres if x == b and s == 303)}
    want_c = {a: sum(1 for x, s in cres if x == a and s == 303),
              b: sum(1 for x, s in cres if x == b and s == 303)}
    c = Client(port)
    for x in (a, b):
        st = api_work(c, x)["stats"]
        check(st.get("kudos") == want_k[x] and st.get("comments") == want_c[x],
              f"work {x}: stats {st}, want kudos {want_k[x]} comments {want_c[x]}")
        status, arr = c.json(f"/api/v1/works/{x}/comments")
        check(len(arr or []) == want_c[x], f"work {x}: {len(arr or [])} comments in the API")
    time.sleep(1)  # sorting stays fresh within a second
    status, j = c.json("/api/v1/works?sort=kudos&q=Race")
    order = [wk["id"] for wk in (j or {}).get("works", [])]
    check(order == [a, b], f"sort=kudos after the race: {order}")
    status, j = c.json("/api/v1/works?sort=comments&q=Race")
    order = [wk["id"] for wk in (j or {}).get("works", [])]
    check(order == [b, a], f"sort=comments after the race: {order}")
    got = {wk["id"]: (wk["kudos"], wk["comments"]) for wk in (j or {}).get("works", [])}
    check(got.get(a) == (want_k[a], want_c[a]) and got.get(b) == (want_k[b], want_c[b]),
          f"counts in GET /api/v1/works: {got}")


def held_over_limit(tmp):
    """A guest comment over the comment rate limit is held for approval, not lost."""
    data = os.path.join(tmp, "limits")
    pw = add_user(data, "alice", "admin")
    proc, port, log = start(tmp, "limits", {"FICD_RATE_COMMENT": "2/1h"})
    alice = login(port, "alice", pw)
    wid = post_work(alice, "Limits")
    g = Client(port, "10.3.3.3")
    statuses = []
    for i in range(4):
        r = comment(g, f"/works/{wid}/comments", f"guest {i}", name="G", email="g@x.org")
        statuses.append((r.status, "many comments" in r.text))
    check(statuses[0][0] == 303 and statuses[1][0] == 303 and statuses[2] == (202, True),
          f"over the limit, a guest comment is held: {statuses}")
    r = alice.get(f"/works/{wid}/comments/unreviewed")
    check("guest 2" in r.text, "the held comment waits in the creator's queue")
    stop(proc, log, "limits")


if __name__ == "__main__":
    sys.exit(main())
