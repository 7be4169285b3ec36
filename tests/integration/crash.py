#!/usr/bin/env python3
"""crash.py: run by crash.sh (see there). Usage: crash.py FICD SOURCE_DIR [ROUNDS]."""
import os
import http.client
import random
import re
import shutil
import signal
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
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else int(os.environ.get("CRASH_ROUNDS", "20"))
WRITERS = 3
PASSWORD = "writer-pass-1234"
ENV = {"FICD_RATE_POST": "0", "FICD_RATE_OTHER": "0", "FICD_RATE_SIGNUP": "0",
       "FICD_RATE_COMMENT": "0", "FICD_RATE_KUDOS": "0", "FICD_LOGIN_ATTEMPTS": "1000000",
       "FICD_ACCESS_LOG": "no"}
rng = random.Random(int(os.environ.get("CRASH_SEED", str(int(time.time())))))


def text_for(marker, words=60):
    """A chapter whose whole presence can be checked: begin and end markers around prose."""
    body = " ".join(rng.choice(["rain", "tea", "letters", "window", "quiet", "harbour", "lamp"])
                    for _ in range(words))
    return f"<p>BEGIN{marker} {body} END{marker}</p>"


class Model:
    """What the clients were told (acknowledged) and what was in flight when it died."""

    def __init__(self):
        self.lock = threading.Lock()
        self.works = {}  # id -> {"owner", "titles": [acked..., maybe pending], "chapters": {marker}, "draft"}
        self.pending_chapters = {}  # id -> set of markers sent without an answer
        self.comments = {}  # work id -> set of acked markers
        self.kudos = {}  # work id -> set of users who got an acknowledged kudos


model = Model()
features = {"comments": None, "kudos": None}
edits = [0, 0]  # acknowledged, refused  # None: not probed yet; False: route missing


def first_text(wid):
    with model.lock:
        return model.works[wid].get("first", "")


def writer_loop(port, name, stop, counter):
    try:
        c, r = login(port, name, PASSWORD)
    except OSError:
        return  # the server died before this writer signed in
    if "ficd_session" not in c.cookies:
        return
    with model.lock:
        mine = [w for w, v in model.works.items() if v["owner"] == name]
    while not stop.is_set():
        op = rng.random()
        try:
            if op < 0.35 or not mine:
                counter[0] += 1
                marker = f"{name}x{counter[0]}x{rng.randrange(1 << 30)}"
                title = f"Crash {marker}"
                first = text_for(marker)
                r, wid = post_work(c, title, first)
                if wid:
                    with model.lock:
                        model.works[wid] = {"owner": name, "titles": [title], "pending": None,
                                            "chapters": {marker}, "draft": False,
                                            "first": first}
                    mine.append(wid)
            elif op < 0.55:
                wid = rng.choice(mine)
                marker = f"{name}c{rng.randrange(1 << 30)}"
                with model.lock:
                    model.pending_chapters.setdefault(wid, set()).add(marker)
                r = c.post(f"/works/{wid}/chapters/new",
                           [("chapter_title", "More"), ("format", "html"),
                            ("chapter_text", text_for(marker)), ("commit", "post")])
                if r.status == 303:
                    with model.lock:
                        model.works[wid]["chapters"].add(marker)
                        model.pending_chapters[wid].discard(marker)
            elif op < 0.72:
                with model.lock:
                    wid = rng.choice([w for w in mine if "first" in model.works[w]] or mine)
                title = f"Edited {name} {rng.randrange(1 << 30)}"
                with model.lock:
                    model.works[wid]["pending"] = title
                fields = [("pseud", name), ("title", title), ("summary", "Edited summary."),
                          ("rating", "1"), ("warning", "8"), ("fandoms", "Test Fandom"),
                          ("language", "English"), ("format", "html"),
                          ("chapter_text", first_text(wid)),
                          ("commit", "post")]
                r = c.post(f"/works/{wid}/edit", fields)
                edits[0 if r.status == 303 else 1] += 1
                if r.status == 303:
                    with model.lock:
                        model.works[wid]["titles"].append(title)
                        model.works[wid]["pending"] = None
            elif op < 0.85:
                counter[0] += 1
                marker = f"{name}i{counter[0]}x{rng.randrange(1 << 30)}"
                ms = (f"Title: Import {marker}\nFandom: Test Fandom\n\n"
                      f"BEGIN{marker} imported words about rain and tea END{marker}\n")
                r = c.post_multipart("/works/import", [], {"manuscript": (f"{marker}.txt", ms)})
                m = re.search(r'action="/works/(\d+)/edit"', r.text())
                if r.status == 200 and m:
                    wid = int(m.group(1))
                    with model.lock:
                        model.works[wid] = {"owner": name, "titles": [f"Import {marker}"],
                                            "pending": None, "chapters": {marker},
                                            "draft": True, "plain": True}
            else:
                with model.lock:
                    others = [w for w, v in model.works.items()
                              if v["owner"] != name and not v["draft"]]
                if not others:
                    continue
                wid = rng.choice(others)
                if rng.random() < 0.5 and features["kudos"] is not False:
                    r = c.post(f"/works/{wid}/kudos", [])
                    if r.status == 404 and features["kudos"] is None:
                        features["kudos"] = False
                    elif r.status in (200, 303):
                        features["kudos"] = True
                        with model.lock:
                            model.kudos.setdefault(wid, set()).add(name)
                elif features["comments"] is not False:
                    marker = f"{name}m{rng.randrange(1 << 30)}"
                    r = c.post(f"/works/{wid}/comments",
                               [("content", f"COMMENT{marker} nice"), ("format", "html")])
                    if r.status == 404 and features["comments"] is None:
                        features["comments"] = False
                    elif r.status == 303:  # shown (a comment held for approval is a 200)
                        features["comments"] = True
                        with model.lock:
                            model.comments.setdefault(wid, set()).add(marker)
        except (OSError, http.client.HTTPException):
            # the server died under the request: not acknowledged
            if stop.is_set():
                return
            time.sleep(0.01)


def cli_loop(data, stop, procs, counter):
    """CLI imports next to the server; exit 0 (and the printed id) is the acknowledgement."""
    tmp = tempfile.mkdtemp(prefix="ficd-crash-cli.")
    try:
        while not stop.is_set():
            counter[0] += 1
            marker = f"cli{counter[0]}x{rng.randrange(1 << 30)}"
            path = os.path.join(tmp, f"{marker}.txt")
            with open(path, "w") as f:
                f.write(f"Title: Cli {marker}\nFandom: Test Fandom\n\n"
                        f"BEGIN{marker} words from the command line END{marker}\n")
            p = subprocess.Popen([FICD, "import", "--data", data, "--publish", path],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            procs.append(p)
            out, err = p.communicate()
            if p.returncode == 0:
                m = re.search(rb"(\d+)", out)
                if m:
                    with model.lock:
                        model.works[int(m.group(1))] = {"owner": None,
                                                        "titles": [f"Cli {marker}"],
                                                        "pending": None, "chapters": {marker},
                                                        "draft": False, "plain": True}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_db(data, rnd):
    db = sqlite3.connect(os.path.join(data, "ficd.db"), timeout=30)
    try:
        ic = db.execute("PRAGMA integrity_check").fetchall()
        check(ic == [("ok",)], f"round {rnd}: integrity_check {ic[:5]}")
        fk = db.execute("PRAGMA foreign_key_check").fetchall()
        check(not fk, f"round {rnd}: foreign_key_check {fk[:5]}")
        # nothing half-written: every work has chapters; every marked text is whole
        empty = db.execute("SELECT id FROM works WHERE id NOT IN (SELECT work_id FROM chapters)"
                           ).fetchall()
        check(not empty, f"round {rnd}: works without chapters: {empty[:5]}")
        for wid, html in db.execute("SELECT work_id, html FROM chapters"):
            for m in re.findall(r"BEGIN(\S+)", html or ""):
                if f"END{m}" not in html:
                    fail(f"round {rnd}: work {wid}: chapter {m} is cut short")
        rows = {wid: (title, draft) for wid, title, draft in
                db.execute("SELECT id, title, draft FROM works")}
        chapters = {}
        for wid, html in db.execute("SELECT work_id, html FROM chapters"):
            chapters.setdefault(wid, []).append(html or "")
        kudos = dict(db.execute("SELECT id, kudos FROM works"))
        published = db.execute("SELECT count(*) FROM works WHERE draft = 0 AND restricted = 0"
                               ).fetchone()[0]
    finally:
        db.close()
    # every acknowledged write is there and whole
    with model.lock:
        works = {k: dict(v, chapters=set(v["chapters"])) for k, v in model.works.items()}
        kud = {k: set(v) for k, v in model.kudos.items()}
    for wid, v in works.items():
        if wid not in rows:
            fail(f"round {rnd}: acknowledged work {wid} ({v['titles'][0]}) is gone")
            continue
        title = rows[wid][0]
        ok_titles = {v["titles"][-1]} | ({v["pending"]} if v["pending"] else set())
        check(title in ok_titles, f"round {rnd}: work {wid} title {title!r}, expected {ok_titles}")
        text = "\n".join(chapters.get(wid, []))
        for m in v["chapters"]:
            check(f"BEGIN{m}" in text and f"END{m}" in text,
                  f"round {rnd}: work {wid}: acknowledged chapter {m} missing or cut")
    for wid, users in kud.items():
        check(kudos.get(wid, 0) >= len(users),
              f"round {rnd}: work {wid} has {kudos.get(wid)} kudos, {len(users)} acknowledged")
    return published


def check_served(port, rnd, published, admin):
    """After the restart: the index agrees with the store; comments are there."""
    r = Client(port).get("/api/v1/works?per_page=1")
    m = re.search(rb'"total":\s*(\d+)', r.body)
    check(r.status == 200 and m and int(m.group(1)) == published,
          f"round {rnd}: the index counts {m.group(1) if m else r.status}, the store {published}")
    with model.lock:
        sample = [(k, v) for k, v in model.works.items() if not v["draft"]]
        comments = {k: set(v) for k, v in model.comments.items()}
    for wid, v in rng.sample(sample, min(3, len(sample))):
        word = next(iter(v["chapters"]))
        r = Client(port).get(f"/api/v1/works?q=%22BEGIN{word}%22")
        check(re.search(rb'"id":\s*%d\b' % wid, r.body) is not None,
              f"round {rnd}: search does not find work {wid} by its text")
    for wid, ms in list(comments.items())[:5]:
        page = admin.get(f"/works/{wid}?show_comments=true").text()
        for m in ms:
            check(f"COMMENT{m}" in page, f"round {rnd}: acknowledged comment {m} missing")


def main():
    # an error of the test itself in a client thread fails the run instead of vanishing
    threading.excepthook = lambda a: fail(f"client thread: {a.exc_type.__name__}: {a.exc_value}")
    tmp = tempfile.mkdtemp(prefix="ficd-crash.")
    data = os.path.join(tmp, "data")
    srv = None
    try:
        srv = Server(FICD, data, os.path.join(tmp, "server.log"), ENV).start()
        ficdhttp.setup_archive(srv.port)
        for i in range(WRITERS):
            signup(srv.port, f"writer{i}", PASSWORD)
        counter = [0]
        t0 = time.time()
        for rnd in range(1, ROUNDS + 1):
            if rnd > 1:
                srv = Server(FICD, data, os.path.join(tmp, "server.log"), ENV,
                             port=srv.port).start()
            stop = threading.Event()
            procs = []
            threads = [threading.Thread(target=writer_loop,
                                        args=(srv.port, f"writer{i}", stop, counter))
                       for i in range(WRITERS)]
            threads.append(threading.Thread(target=cli_loop, args=(data, stop, procs, counter)))
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.3, 1.5))
            # SIGKILL the server and the CLI import in flight at the same moment
            srv.proc.send_signal(signal.SIGKILL)
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGKILL)
            stop.set()
            for t in threads:
                t.join(60)
            srv.proc.wait()
            srv.log.close()
            published = check_db(data, rnd)
            srv = Server(FICD, data, os.path.join(tmp, "server.log"), ENV, port=srv.port).start()
            admin, _ = login(srv.port, "admin", "admin-pass-1234")
            check_served(srv.port, rnd, published, admin)
            srv.stop()
            if ficdhttp.fails:
                break
        with model.lock:
            nworks = len(model.works)
            nch = sum(len(v["chapters"]) for v in model.works.values())
            ncli = sum(1 for v in model.works.values() if v["owner"] is None)
        print(f"crash: {rnd} rounds in {time.time() - t0:.0f} s, {nworks} acknowledged works "
              f"({ncli} by CLI import), "
              f"{nch} acknowledged chapters/texts, comments route: {features['comments']}, "
              f"kudos route: {features['kudos']}, edits acknowledged {edits[0]} "
              f"(refused {edits[1]})")
        check(edits[0] > 0, "no edit was acknowledged: the edit form changed?")
    except Exception as e:
        fail(f"exception: {e!r}")
    finally:
        if srv:
            srv.kill()
        if ficdhttp.fails:
            p = os.path.join(tmp, "server.log")
            if os.path.exists(p):
                print("--- server.log (tail)\n" + open(p, errors="replace").read()[-2000:],
                      file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
