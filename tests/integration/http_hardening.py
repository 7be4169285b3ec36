#!/usr/bin/env python3
"""http_hardening.py: run by http_hardening.sh (see there). Usage: FICD SOURCE_DIR."""
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import ficdhttp  # noqa: E402
from ficdhttp import (Client, Server, check, fail, finish, login, post_work,  # noqa: E402
                      setup_archive, signup)

FICD = sys.argv[1]


def hz(client):
    r = client.get("/healthz")
    return r.status, r.text()


def hits(admin):
    m = re.search(r"^page_cache_hits (\d+)$", hz(admin)[1], re.M)
    return int(m.group(1)) if m else -1


def main_server(tmp):
    srv = Server(FICD, os.path.join(tmp, "data"), os.path.join(tmp, "data.log"),
                 {"FICD_PAGE_CACHE_TTL": "600"}).start()
    try:
        port = srv.port
        anon = Client(port)
        st, body = hz(anon)
        check(st == 200 and re.fullmatch(r"ok\nschema \d+\n", body),
              f"public healthz before setup: {st} {body!r}")
        admin = setup_archive(port)
        st, body = hz(Client(port))
        check(re.fullmatch(r"ok\nschema \d+\n", body), f"public healthz says more: {body!r}")
        st, body = hz(admin)
        check("works " in body and "page_cache_hits" in body, f"admin healthz: {body!r}")

        alice = signup(port, "alice", "alice-pass-1234")
        r, wid = post_work(alice, "Cache Work", "<p>Words for the cache.</p>")
        check(wid is not None, f"post work: {r.status}")

        # ---- the page cache survives POSTs that change nothing ----
        anon = Client(port)
        anon.get(f"/works/{wid}")
        anon.get(f"/works/{wid}")
        h0 = hits(admin)
        guest = Client(port)
        guest.get("/login")
        r = guest.request("POST", "/login", fields=[("authenticity_token", guest.token),
                                                     ("name", "alice"), ("password", "nope")])
        check(r.status == 422, f"failed login: {r.status}")
        r = alice.post("/settings/pseuds", [("pseud", "")])
        check(r.status == 422, f"pseud form sent back: {r.status}")
        Client(port).get(f"/works/{wid}")
        check(hits(admin) > h0, "a failed login or a refused form flushed the page cache")
        # a successful login writes only a session: still cached
        h1 = hits(admin)
        login(port, "alice", "alice-pass-1234")
        Client(port).get(f"/works/{wid}")
        check(hits(admin) > h1, "a login flushed the page cache")
        # a real change outside the change log (the archive's name) shows at once
        Client(port).get("/")
        r = admin.post("/settings/archive", [("archive_name", "Renamed Archive"),
                                             ("signup_mode", "open")])
        check(r.status == 200, f"rename archive: {r.status}")
        check("Renamed Archive" in Client(port).get("/").text(),
              "the front page is stale after a settings change")

        # ---- password change ends the other sessions; sign out everywhere ----
        b1 = signup(port, "bob", "bob-pass-12345")
        b2, _ = login(port, "bob", "bob-pass-12345")
        check(b2.get("/settings").status == 200, "bob's second session")
        r = b1.post("/settings/password", [("current_password", "bob-pass-12345"),
                                           ("new_password", "bob-pass-67890"),
                                           ("new_password_confirm", "bob-pass-67890")])
        check(r.status == 200 and "1 other session" in r.text(),
              f"password change: {r.status} {r.text()[:200]}")
        check(b1.get("/settings").status == 200, "the session that changed the password ended")
        r = b2.get("/settings")
        check(r.status == 303 and "/login" in (r.header("Location") or ""),
              f"the other session survived a password change: {r.status}")
        b3, _ = login(port, "bob", "bob-pass-67890")
        check(b3.get("/settings").status == 200, "login with the new password")
        s = b1.get("/settings").text()
        check('action="/settings/sign_out_everywhere"' in s, "no sign-out-everywhere form")
        r = b1.post("/settings/sign_out_everywhere", [])
        check(r.status == 303 and r.header("Location") == "/login?signed_out=everywhere",
              f"sign out everywhere: {r.status} {r.header('Location')}")
        for c, what in ((b1, "this"), (b3, "another")):
            r = c.get("/settings")
            check(r.status == 303, f"sign out everywhere left {what} session signed in")
        check("signed out in every browser" in Client(port).get(
            "/login?signed_out=everywhere").text(), "no notice after signing out everywhere")

        # ---- duplicate imports are per account ----
        ms = "Title: Twice Told\nFandom: Test Fandom\n\nA manuscript imported twice, by two people.\n"
        r = alice.post_multipart("/works/import", [], {"manuscript": ("twice.txt", ms)})
        check(r.status == 200 and "saved as a draft" in r.text(), f"import: {r.status}")
        m = re.search(r'action="/works/(\d+)/edit"', r.text())
        first = m.group(1) if m else "?"
        carol = signup(port, "carol", "carol-pass-1234")
        r = carol.post_multipart("/works/import", [], {"manuscript": ("twice.txt", ms)})
        check(r.status == 200 and "already imported" not in r.text(),
              f"another account's import of the same file was refused: {r.status}")
        check(f"work {first}" not in r.text(), "the other account's work id was revealed")
        r = alice.post_multipart("/works/import", [], {"manuscript": ("twice.txt", ms)})
        check(r.status == 422 and f"already imported as work {first}" in r.text(),
              f"the same account's duplicate: {r.status}")

        # ---- access log lines carry request ids ----
        log = srv.log_text()
        check(re.search(r"GET /healthz 200 \d+ [\d.]+ms [0-9a-f]{8}-[0-9a-f]+$", log, re.M),
              "access log lines carry no request id")
    finally:
        rc = srv.stop()
        check(rc == 0, f"server exit {rc}")


def rate_limits(tmp):
    srv = Server(FICD, os.path.join(tmp, "rl"), os.path.join(tmp, "rl.log"),
                 {"FICD_RATE_OTHER": "3/1h", "FICD_RATE_SIGNUP": "2/1h",
                  "FICD_RATE_POST": "2/1h"}).start()
    try:
        port = srv.port
        admin = setup_archive(port)  # /setup: other #1
        for i in range(2):
            r = admin.post("/settings/pseuds", [("pseud", f"admin-p{i}")])
            check(r.status == 200, f"pseud {i}: {r.status}")
        r = admin.post("/settings/pseuds", [("pseud", "admin-p9")])
        check(r.status == 429, f"4th form within the limit of 3: {r.status}")
        ra = r.header("Retry-After") or ""
        check(ra.isdigit() and 3000 < int(ra) <= 3600, f"Retry-After: {ra!r}")
        t = r.text()
        check("Try again in" in t and "UTC" in t and "<title>" in t and "<main" in t,
              f"429 page: {t[:400]}")
        check("admin-p9" not in admin.get("/settings").text(), "the refused form was carried out")
        # per account: the same account from another address is still limited
        other_ip = Client(port, "admin", source="127.0.0.2")
        other_ip.cookies = dict(admin.cookies)
        other_ip.token = admin.token
        r = other_ip.post("/settings/pseuds", [("pseud", "admin-p7")])
        check(r.status == 200, f"the account's third form, from another address: {r.status}")
        r = other_ip.post("/settings/pseuds", [("pseud", "admin-p8")])
        check(r.status == 429, f"the account's limit from another address: {r.status}")
        # per address: sign-ups (2 an hour) from 127.0.0.3, then a third is refused
        for i in range(2):
            c = Client(port, f"u{i}", source="127.0.0.3")
            c.get("/signup")
            r = c.request("POST", "/signup", fields=[("authenticity_token", c.token),
                                                      ("name", f"user{i}"),
                                                      ("password", "user-pass-1234"),
                                                      ("password_confirm", "user-pass-1234")])
            check(r.status == 303, f"signup {i}: {r.status}")
        c = Client(port, "u9", source="127.0.0.3")
        c.get("/signup")
        r = c.request("POST", "/signup", fields=[("authenticity_token", c.token),
                                                  ("name", "user9"),
                                                  ("password", "user-pass-1234"),
                                                  ("password_confirm", "user-pass-1234")])
        check(r.status == 429 and "created too many accounts" in r.text(),
              f"third signup from one address: {r.status}")
        c = Client(port, "user8", source="127.0.0.4")
        c.get("/signup")
        r = c.request("POST", "/signup", fields=[("authenticity_token", c.token),
                                                  ("name", "user8"),
                                                  ("password", "user-pass-1234"),
                                                  ("password_confirm", "user-pass-1234")])
        check(r.status == 303, f"signup from another address: {r.status}")
        c.get("/settings")
        # posting: its own category
        for i in range(2):
            r, wid = post_work(c, f"Limited {i}", "<p>Text.</p>")
            check(wid is not None, f"post {i}: {r.status}")
        r, wid = post_work(c, "Limited 3", "<p>Text.</p>")
        check(r.status == 429 and "posted too often" in r.text(), f"third post: {r.status}")
    finally:
        srv.stop()


def main():
    tmp = tempfile.mkdtemp(prefix="ficd-hard.")
    try:
        main_server(tmp)
        rate_limits(tmp)
    except Exception as e:  # a crash of the test itself is a failure, with the logs
        fail(f"exception: {e!r}")
    finally:
        if ficdhttp.fails:
            for n in ("data.log", "rl.log"):
                p = os.path.join(tmp, n)
                if os.path.exists(p):
                    print(f"--- {n} (tail)\n" + open(p, errors="replace").read()[-1500:],
                          file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
