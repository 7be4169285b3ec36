#!/usr/bin/env python3
"""full_disk.py: run by full_disk.sh (see there). Usage: full_disk.py FICD SOURCE_DIR."""
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import ficdhttp  # noqa: E402
from ficdhttp import Client, Server, check, fail, finish, post_work, signup  # noqa: E402

FICD = sys.argv[1]


def fill(path):
    """Writes zeros into path (and path.2, in small pieces) until the file system is full."""
    for name, size in ((path, 65536), (path + ".2", 512)):
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        block = b"\0" * size
        try:
            while True:
                os.write(fd, block)
        except OSError:
            pass
        finally:
            os.close(fd)


def count_works(data):
    db = sqlite3.connect(os.path.join(data, "ficd.db"), timeout=30)
    try:
        return db.execute("SELECT count(*) FROM works").fetchone()[0]
    finally:
        db.close()


def integrity(data, what):
    db = sqlite3.connect(os.path.join(data, "ficd.db"), timeout=30)
    try:
        ic = db.execute("PRAGMA integrity_check").fetchall()
        check(ic == [("ok",)], f"{what}: integrity_check {ic[:3]}")
    finally:
        db.close()


def main():
    tmp = tempfile.mkdtemp(prefix="ficd-disk.")
    disk = os.path.join(tmp, "disk")
    os.makedirs(disk)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", disk],
                       capture_output=True)
    if r.returncode != 0:
        print(f"SKIP: cannot mount a tmpfs (needs root): {r.stderr.decode().strip()}")
        shutil.rmtree(tmp, ignore_errors=True)
        return 77
    data = os.path.join(disk, "data")
    srv = None
    try:
        srv = Server(FICD, data, os.path.join(tmp, "server.log"),
                     {"FICD_RATE_POST": "0"}).start()
        ficdhttp.setup_archive(srv.port)
        alice = signup(srv.port, "alice", "alice-pass-1234")
        ids = []
        for i in range(3):
            r, wid = post_work(alice, f"Before Full {i}", f"<p>Words before the disk filled {i}.</p>")
            check(wid is not None, f"post before full: {r.status}")
            ids.append(wid)

        fill(os.path.join(disk, "filler"))
        # ---- writes answer 503 with a clear message ----
        big = "<p>" + ("Many words fill the page. " * 4000) + "</p>"
        refused = 0
        for i in range(5):
            r, wid = post_work(alice, f"While Full {i}", big)
            if r.status == 503:
                refused += 1
                check("disk is full" in r.text() and "nothing was saved" in r.text(),
                      f"503 page message: {r.text()[:300]}")
                check(re.search(r'id="request-id">[0-9a-f]{8}-', r.text()) is not None,
                      "503 page without a request id")
                check((r.header("Retry-After") or "").isdigit(), "503 without Retry-After")
            else:
                check(wid is None, f"a write was accepted on a full disk: {r.status}")
        check(refused >= 1, "no write answered 503 on a full disk")
        r = alice.post(f"/works/{ids[0]}/chapters/new",
                       [("chapter_title", "Full"), ("format", "html"), ("chapter_text", big),
                        ("commit", "post")])
        check(r.status == 503, f"chapter on a full disk: {r.status}")
        # ---- reads keep working ----
        anon = Client(srv.port)
        for path in (f"/works/{ids[1]}", "/works", "/works?q=words", f"/api/v1/works",
                     f"/downloads/{ids[2]}/Before_Full_2.epub"):
            r = anon.get(path)
            check(r.status == 200, f"read {path} on a full disk: {r.status}")
        check("Before Full 1" in anon.get(f"/works/{ids[1]}").text(), "work page content")
        check("While Full" not in anon.get("/works").text(), "a refused work is listed")
        log = srv.log_text()
        check(re.search(r"ficd: request [0-9a-f]{8}-[0-9a-f]+: 503 POST /works: .*store: ", log),
              "the 503 was not logged with its cause")

        # ---- the CLI import exits 1 with the reason and stores nothing ----
        n0 = count_works(data)
        ms = os.path.join(tmp, "story.txt")
        with open(ms, "w") as f:
            f.write("Title: Cli While Full\nFandom: F\n\n" + ("Plenty of words here. " * 20000))
        p = subprocess.run([FICD, "import", "--data", data, ms], capture_output=True)
        err = p.stderr.decode()
        check(p.returncode == 1, f"CLI import on a full disk: exit {p.returncode} {err[:300]}")
        check("story.txt" in err and ("full" in err or "space" in err),
              f"CLI import gave no reason: {err[:300]}")
        check(count_works(data) == n0, "the CLI import stored something on a full disk")
        integrity(data, "full")

        # ---- space freed: writes work again ----
        os.unlink(os.path.join(disk, "filler"))
        os.unlink(os.path.join(disk, "filler.2"))
        r, wid = post_work(alice, "After Full", "<p>Words after space came back.</p>")
        check(wid is not None, f"post after freeing space: {r.status} {r.text()[:200]}")
        if wid:
            check("After Full" in Client(srv.port).get(f"/works/{wid}").text(),
                  "the work posted after freeing space")
        p = subprocess.run([FICD, "import", "--data", data, ms], capture_output=True)
        check(p.returncode == 0, f"CLI import after freeing space: {p.returncode} {p.stderr[:200]}")
        rc = srv.stop()
        check(rc == 0, f"server exit {rc}")
        srv = None
        integrity(data, "after")
        for wid in ids:
            check(count_works(data) >= 5, "works lost")
    except Exception as e:
        fail(f"exception: {e!r}")
    finally:
        if srv:
            srv.kill()
        if ficdhttp.fails:
            p = os.path.join(tmp, "server.log")
            if os.path.exists(p):
                print("--- server.log (tail)\n" + open(p, errors="replace").read()[-2500:],
                      file=sys.stderr)
        subprocess.run(["umount", "-l", disk], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
