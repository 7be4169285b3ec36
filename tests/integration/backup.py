#!/usr/bin/env python3
"""backup.py: run by backup.sh (see there). Usage: backup.py FICD SOURCE_DIR."""
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import ficdhttp  # noqa: E402
from ficdhttp import Client, Server, check, fail, finish, login, post_work, signup  # noqa: E402

FICD = sys.argv[1]
ENV = {"FICD_RATE_POST": "0", "FICD_RATE_SIGNUP": "0", "FICD_ACCESS_LOG": "no"}


def rows(db_path, wid):
    """A work as stored, every column but the view counter, with its chapters, tags, creators."""
    db = sqlite3.connect(db_path, timeout=30)
    try:
        cols = [r[1] for r in db.execute("PRAGMA table_info(works)") if r[1] != "hits"]
        w = db.execute(f"SELECT {', '.join(cols)} FROM works WHERE id = ?", (wid,)).fetchone()
        ch = db.execute("SELECT position, title, html, words FROM chapters WHERE work_id = ? "
                        "ORDER BY position", (wid,)).fetchall()
        tags = db.execute("SELECT t.type, t.name FROM work_tags wt JOIN tags t ON t.id = wt.tag_id"
                          " WHERE wt.work_id = ? ORDER BY wt.position, t.name", (wid,)).fetchall()
        cr = db.execute("SELECT name FROM work_creators WHERE work_id = ? ORDER BY position",
                        (wid,)).fetchall()
        return (w, ch, tags, cr)
    finally:
        db.close()


def main():
    tmp = tempfile.mkdtemp(prefix="ficd-backup.")
    data = os.path.join(tmp, "data")
    srv = copy_srv = None
    try:
        srv = Server(FICD, data, os.path.join(tmp, "server.log"), ENV).start()
        ficdhttp.setup_archive(srv.port)
        writers = [signup(srv.port, f"writer{i}", "writer-pass-1234") for i in range(3)]
        acked = {w.name: [] for w in writers}  # in order
        stop = threading.Event()

        def write(c):
            n = 0
            while not stop.is_set():
                n += 1
                r, wid = post_work(c, f"Backup {c.name} {n}",
                                   f"<p>Text {n} by {c.name}: rain and tea and letters.</p>" * 20,
                                   fandom=f"Fandom {n % 5}", draft=(n % 7 == 0))
                if wid:
                    acked[c.name].append((time.monotonic(), wid))

        threads = [threading.Thread(target=write, args=(c,)) for c in writers]
        for t in threads:
            t.start()
        time.sleep(1.0)
        outs = []
        for k in range(3):
            out = os.path.join(tmp, f"copy{k}")
            t_start = time.monotonic()
            p = subprocess.run([FICD, "backup", "--data", data, out], capture_output=True)
            check(p.returncode == 0, f"backup {k} under load: exit {p.returncode} "
                                     f"{p.stderr.decode()[:300]}")
            check(b"backed up" in p.stdout, f"backup output: {p.stdout[:200]}")
            outs.append((out, t_start))
            time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join()
        total_acked = sum(len(v) for v in acked.values())
        check(total_acked > 50, f"too little write load: {total_acked} works")

        for out, t_start in outs:
            db = os.path.join(out, "ficd.db")
            con = sqlite3.connect(db)
            ids = {r[0] for r in con.execute("SELECT id FROM works")}
            ic = con.execute("PRAGMA integrity_check").fetchall()
            con.close()
            check(ic == [("ok",)], f"{out}: integrity_check {ic}")
            check(not os.path.exists(os.path.join(out, "ficd.db.backup-tmp")), "temp file left")
            # consistent: each writer's works in the copy are a prefix of what it was told,
            # and everything acknowledged before the backup started is in it
            for name, seq in acked.items():
                inside = [wid in ids for _, wid in seq]
                first_missing = inside.index(False) if False in inside else len(inside)
                check(not any(inside[first_missing:]),
                      f"{out}: {name}'s works in the copy have a gap (not one moment)")
                before = [wid for t, wid in seq if t < t_start]
                check(all(w in ids for w in before),
                      f"{out}: works acknowledged before the backup are missing")
            # every work equal to the original
            same = sum(1 for wid in ids if rows(db, wid) == rows(os.path.join(data, "ficd.db"),
                                                                   wid))
            check(same == len(ids), f"{out}: {len(ids) - same} of {len(ids)} works differ")
            # the copy is a data directory the commands use as is
            p = subprocess.run([FICD, "list", "--data", out, "--all"], capture_output=True)
            check(p.returncode == 0 and p.stdout.count(b"\n") >= len(ids) * 0.9,
                  f"ficd list --data {out}: {p.returncode} {p.stderr[:200]}")
        p = subprocess.run([FICD, "backup", "--data", data, outs[0][0]], capture_output=True)
        check(p.returncode == 2 and b"already holds" in p.stderr,
              f"backup over an archive: {p.returncode} {p.stderr[:200]}")

        # serve the last copy and compare every work page with the original's
        out = outs[-1][0]
        copy_srv = Server(FICD, out, os.path.join(tmp, "copy.log"), ENV).start()
        con = sqlite3.connect(os.path.join(out, "ficd.db"))
        ids = sorted(r[0] for r in con.execute("SELECT id FROM works"))
        published = con.execute("SELECT count(*) FROM works WHERE draft = 0 AND restricted = 0"
                                ).fetchone()[0]
        con.close()
        a_orig, _ = login(srv.port, "admin", "admin-pass-1234")
        a_copy, _ = login(copy_srv.port, "admin", "admin-pass-1234")
        check("ficd_session" in a_copy.cookies, "the admin cannot sign in to the copy")

        def content(resp):
            m = re.search(r'<article class="work" id="workskin">.*?</article>', resp.text(), re.S)
            body = m.group(0) if m else ""  # no work: never equal to a real page
            return re.sub(r'<dd class="hits">\d+</dd>', "", body) if m else None

        differ = 0
        for wid in ids:
            ro = a_orig.get(f"/works/{wid}?view_full_work=true")
            rc_ = a_copy.get(f"/works/{wid}?view_full_work=true")
            co = content(ro)
            if ro.status != 200 or rc_.status != 200 or co is None or co != content(rc_):
                differ += 1
        check(differ == 0, f"{differ} of {len(ids)} work pages differ between copy and original")
        r = Client(copy_srv.port).get("/api/v1/works?per_page=1")
        m = re.search(rb'"total":\s*(\d+)', r.body)
        check(m and int(m.group(1)) == published, f"the copy's index: {r.body[:100]}")
        print(f"backup: {total_acked} works written during 3 backups; the last copy holds "
              f"{len(ids)}, every one equal to the original")
        copy_srv.stop()
        copy_srv = None
        srv.stop()
        srv = None
    except Exception as e:
        fail(f"exception: {e!r}")
    finally:
        for s in (srv, copy_srv):
            if s:
                s.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
