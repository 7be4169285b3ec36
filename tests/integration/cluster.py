#!/usr/bin/env python3
"""cluster.py: run by cluster.sh (see there). Usage: FICD SOURCE_DIR."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from ficdhttp import (Client, Server, check, fail, finish, free_port, post_work,  # noqa: E402
                      setup_archive, signup)

FICD, SRC = sys.argv[1], sys.argv[2]
NODE_ENV = {
    "FICD_TRUST_PROXY": "1",   # behind nginx: the client is X-Forwarded-For
    "FICD_PER_IP_LIMIT": "0",  # every connection comes from nginx (docs/operations.md)
    "FICD_HITS_FLUSH": "1",
    "FICD_RATE_KUDOS": "3/1h",  # small, to see it hold across nodes
    "FICD_RATE_POST": "0",      # the writer under load posts hundreds of works
}
FRESH_S = 1.0  # a write through one node is visible through the other within this


def start_nginx(tmp, port, upstreams):
    """nginx in the foreground on loopback, its own prefix and temp paths, with the
    cluster config from docs/ verbatim but for the three addresses."""
    conf = open(os.path.join(SRC, "docs", "nginx-cluster.conf")).read()
    for old, new in (("127.0.0.1:8080", f"127.0.0.1:{port}"),
                     ("127.0.0.1:8081", f"127.0.0.1:{upstreams[0]}"),
                     ("127.0.0.1:8082", f"127.0.0.1:{upstreams[1]}")):
        if old not in conf:
            raise RuntimeError(f"docs/nginx-cluster.conf has no {old}")
        conf = conf.replace(old, new)
    ng = os.path.join(tmp, "nginx")
    os.makedirs(ng, exist_ok=True)
    open(os.path.join(ng, "cluster.conf"), "w").write(conf)
    main = f"""worker_processes 1;
daemon off;
pid {ng}/nginx.pid;
error_log {ng}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log {ng}/access.log;
    client_body_temp_path {ng}/body;
    proxy_temp_path {ng}/proxy;
    fastcgi_temp_path {ng}/fastcgi;
    uwsgi_temp_path {ng}/uwsgi;
    scgi_temp_path {ng}/scgi;
    include {ng}/cluster.conf;
}}
"""
    open(os.path.join(ng, "nginx.conf"), "w").write(main)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    proc = subprocess.Popen([nginx, "-p", ng, "-e", f"{ng}/error.log", "-c",
                             f"{ng}/nginx.conf"], stdout=subprocess.DEVNULL,
                            stderr=open(f"{ng}/stderr.log", "wb"))
    end = time.time() + 20
    while time.time() < end:
        try:
            if Client(port, timeout=2).get("/healthz").status == 200:
                return proc
        except OSError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError("nginx did not start: " + open(f"{ng}/stderr.log").read()[-2000:] +
                       open(f"{ng}/error.log").read()[-2000:])


def kudos_token(page, wid):
    m = re.search(r'action="/works/%d/kudos".*?name="authenticity_token" value="([0-9a-f]{64})"'
                  % wid, page, re.S)
    return m.group(1) if m else None


def visible_everywhere(port, wid, title, word, fandom, signed_in):
    """The checks one write must pass on one node; returns the list of places not showing it."""
    anon = Client(port)
    missing = []
    r = anon.get(f"/works/{wid}")
    if r.status != 200 or title not in r.text():
        missing.append("work page")
    if f"/works/{wid}\"" not in anon.get("/works?q=" + word).text():
        missing.append("search")
    if f"/works/{wid}\"" not in anon.get("/works").text():
        missing.append("listing")
    api = anon.get("/api/v1/works?q=" + word)
    if api.status != 200 or not re.search(r'"id": ?%d\b' % wid, api.text()):
        missing.append("api")
    tag = urllib.parse.quote(fandom, safe="")
    if title not in anon.get(f"/tags/{tag}/feed.atom").text():
        missing.append("feed")
    if signed_in is not None:
        s = Client(port, signed_in.name)
        s.cookies = dict(signed_in.cookies)
        if f"/works/{wid}\"" not in s.get("/works?q=" + word).text():
            missing.append("signed-in search")
    return missing


def wait_visible(port, wid, title, word, fandom, signed_in, limit=5.0):
    t0 = time.time()
    while True:
        missing = visible_everywhere(port, wid, title, word, fandom, signed_in)
        if not missing:
            return time.time() - t0, []
        if time.time() - t0 > limit:
            return None, missing
        time.sleep(0.02)


def api_hits(port, wid):
    r = Client(port).get(f"/api/v1/works/{wid}")
    try:
        return json.loads(r.body)["hits"]
    except (ValueError, KeyError):
        return -1


def main():
    tmp = tempfile.mkdtemp(prefix="ficd-cluster.")
    pg = os.environ.get("FICD_DATABASE", "")
    # one data directory for both nodes: the SQLite file they share, or (PostgreSQL) where
    # each keeps its local caches; tests/pg/ficd.sh maps it to the test's database
    shared = os.path.join(tmp, "data")
    data = [shared, shared]
    print(f"cluster: {'PostgreSQL' if pg else 'one SQLite data directory'}, two nodes, nginx",
          flush=True)
    nodes = [Server(FICD, data[i], os.path.join(tmp, f"node{i + 1}.log"), NODE_ENV)
             for i in range(2)]
    if not pg:
        # the schema first: two processes creating one SQLite file at the same instant can
        # find it busy while the other switches it to WAL (a PostgreSQL server has no such step)
        subprocess.run([FICD, "init", "--data", shared], check=True, stdout=subprocess.DEVNULL)
    # both at once on a database without a CSRF secret: they must agree on one
    for n in nodes:
        n.start(wait=False)
    for n in nodes:
        n.wait_ready()
    A, B = nodes[0].port, nodes[1].port
    front = free_port()
    nginx = None
    try:
        nginx = start_nginx(tmp, front, [A, B])
        admin = setup_archive(A)

        # ---- sessions and CSRF across nodes ----
        bob = signup(A, "bob", "bob-pass-12345")
        bob_b = Client(B, "bob")
        bob_b.cookies = dict(bob.cookies)
        r = bob_b.get("/settings")
        check(r.status == 200 and "bob" in r.text(), f"a session from node 1 on node 2: {r.status}")
        bob.get("/settings")  # a form rendered by node 1 ...
        bob_b.token = bob.token
        r = bob_b.post("/settings/pseuds", [("pseud", "bob-on-b")])  # ... posted to node 2
        check(r.status == 200 and "bob-on-b" in r.text(),
              f"a CSRF form from node 1 posted to node 2: {r.status} {r.text()[:200]}")

        # ---- a write through one node, visible through the other within 1 s ----
        latencies = []
        for i, (via, other) in enumerate(((A, B), (B, A), (A, B))):
            word = f"zephyrcluster{i}q"
            title = f"Cluster Work {word}"
            fandom = f"Cluster Fandom {i}"
            writer = bob if via == A else bob_b
            r, wid = post_work(writer, title, f"<p>The {word} crossed over.</p>", fandom=fandom)
            if not check(wid, f"post through node {1 if via == A else 2}: {r.status}"):
                continue
            took, missing = wait_visible(other, wid, title, word, fandom, bob)
            if check(took is not None and took <= FRESH_S,
                     f"work {wid} through the other node: {took} s, missing {missing}"):
                latencies.append(took)
        print("cross-node visibility (s): " + " ".join(f"{t:.3f}" for t in latencies), flush=True)

        # ---- a setting changed on node 1: node 2 serves no stale cached page ----
        anon_b = Client(B)
        anon_b.get("/works")
        r = anon_b.get("/works")
        check("Test Archive" in r.text(), "archive name before")
        admin.get("/settings")
        r = admin.post("/settings/archive", [("archive_name", "Renamed Cluster"),
                                             ("signup_mode", "open")])
        check(r.status in (200, 303), f"rename the archive on node 1: {r.status}")
        # at once on SQLite (each cached page asks the log); on PostgreSQL as soon as the
        # NOTIFY reaches node 2's change follower
        t0, lag = time.time(), None
        while time.time() - t0 < FRESH_S:
            if "Renamed Cluster" in Client(B).get("/works").text():
                lag = time.time() - t0
                break
            time.sleep(0.005)
        check(lag is not None, "node 2 served its cached page with the old name for 1 s")
        print(f"a setting changed on node 1, node 2's cached page: {lag} s", flush=True)

        # ---- guest forms (cached pages carry a token per action) across nodes ----
        r, gwid = post_work(bob, "Guest Kudos Work", "<p>For guests.</p>")
        page = Client(A).get(f"/works/{gwid}").text()
        tok = kudos_token(page, gwid)
        if check(tok, "the work page has a guest kudos form"):
            g = Client(B)
            r = g.request("POST", f"/works/{gwid}/kudos",
                          fields=[("authenticity_token", tok)],
                          headers={"X-Forwarded-For": "198.51.100.9"})
            check(r.status == 303, f"a guest form from node 1 posted to node 2: {r.status}")

        # ---- rate limits hold across nodes (kudos: 3 an hour here) ----
        codes = []
        for i in range(4):
            port = (A, B)[i % 2]
            g = Client(port)
            page = g.get(f"/works/{gwid}").text()
            g.token = kudos_token(page, gwid)
            r = g.request("POST", f"/works/{gwid}/kudos",
                          fields=[("authenticity_token", g.token)],
                          headers={"X-Forwarded-For": "198.51.100.77"})
            codes.append(r.status)
        check(all(c != 429 for c in codes[:3]) and codes[3] == 429,
              f"3 kudos an hour from one address, alternating nodes: {codes}")

        # ---- hits counted on both nodes add up ----
        r, hwid = post_work(bob, "Hits Work", "<p>Read me twice.</p>")
        h0 = api_hits(A, hwid)
        for i, port in enumerate((A, B, A, B)):
            Client(port).get(f"/works/{hwid}", headers={"X-Forwarded-For": f"198.51.100.{20 + i}"})
        # the same visitors again, each on the other node: no more hits
        for i, port in enumerate((B, A, B, A)):
            Client(port).get(f"/works/{hwid}", headers={"X-Forwarded-For": f"198.51.100.{20 + i}"})
        end = time.time() + 10
        while time.time() < end and api_hits(B, hwid) < h0 + 4:
            time.sleep(0.2)
        time.sleep(1.5)  # both nodes flushed (hits_flush 1 s)
        check(api_hits(B, hwid) == h0 + 4,
              f"4 visitors on both nodes, once a day each: hits {h0} -> {api_hits(B, hwid)}")

        # ---- load through nginx while node 1 is SIGKILLed ----
        urls = ["/works", f"/works/{gwid}", "/works?q=zephyrcluster1q", "/api/v1/works",
                f"/works/{hwid}", "/tags/Cluster%20Fandom%200/feed.atom", "/"]
        stop = threading.Event()
        stats = {"reads": 0, "errors": [], "acked": [], "write_fail": 0, "write_codes": []}
        lock = threading.Lock()

        def reader(k):
            c = Client(front, timeout=30)
            i = k
            while not stop.is_set():
                u = urls[i % len(urls)]
                i += 1
                try:
                    st = c.get(u).status
                except OSError as e:
                    st = repr(e)
                with lock:
                    stats["reads"] += 1
                    if st != 200:
                        stats["errors"].append((u, st))

        def writer():
            w = Client(front, "bob", timeout=30)
            w.cookies = dict(bob.cookies)
            w.token = bob.token
            n = 0
            while not stop.is_set():
                n += 1
                title = f"Load Work {n} loadw{n}x"
                try:
                    r, wid = post_work(w, title, f"<p>Load {n}.</p>", fandom="Load Fandom")
                except OSError:
                    r, wid = None, None
                with lock:
                    if wid:
                        stats["acked"].append((wid, title))
                    else:
                        stats["write_fail"] += 1
                        stats["write_codes"].append(r.status if r else "no answer")
                time.sleep(0.01)

        threads = [threading.Thread(target=reader, args=(k,)) for k in range(3)]
        threads.append(threading.Thread(target=writer))
        for t in threads:
            t.start()
        time.sleep(1.5)
        nodes[0].kill()
        killed_at = len(stats["acked"])
        time.sleep(2.0)
        down_acked = list(stats["acked"][killed_at:])
        nodes[0].start()  # restarts: builds its index from the store
        time.sleep(1.0)
        stop.set()
        for t in threads:
            t.join()
        print(f"load: {stats['reads']} reads, {len(stats['errors'])} errors; "
              f"{len(stats['acked'])} writes acknowledged, {stats['write_fail']} not "
              f"{stats['write_codes'][:10]}",
              flush=True)
        check(stats["reads"] > 50, f"the readers read: {stats['reads']}")
        check(not stats["errors"], f"readers saw errors: {stats['errors'][:10]}")
        check(len(down_acked) > 0, "no write was acknowledged while node 1 was down")
        lost = []
        for wid, title in stats["acked"]:
            for port in (A, B):
                r = Client(port).get(f"/works/{wid}")
                if r.status != 200 or title not in r.text():
                    lost.append((wid, port, r.status))
        check(not lost, f"acknowledged writes missing: {lost[:10]}")
        # the restarted node caught up: it finds what was written while it was down, and both
        # nodes agree on the whole search (acknowledged writes, and any that committed while
        # their answer was lost)
        totals = []
        for port in (A, B):
            r = Client(port).get("/api/v1/works?q=load")
            totals.append(json.loads(r.body).get("total", -1) if r.status == 200 else -1)
        check(totals[0] == totals[1] and totals[0] >= len(stats["acked"]),
              f"search totals after the restart: node 1 {totals[0]}, node 2 {totals[1]}, "
              f"acknowledged {len(stats['acked'])}")
        missing = []
        for wid, title in down_acked[:: max(1, len(down_acked) // 40)]:
            found = Client(A).get("/api/v1/works?q=" + title.split()[-1]).text()
            if not re.search(r'"id": ?%d\b' % wid, found):
                missing.append(wid)
        check(not missing, f"the restarted node 1 does not find works written while it was "
              f"down: {missing[:10]}")
        # and follows new writes again
        r, wid = post_work(bob_b, "After Restart zephyrafterq", "<p>Back.</p>",
                           fandom="Cluster Fandom After")
        took, missing = wait_visible(A, wid, "After Restart zephyrafterq", "zephyrafterq",
                                     "Cluster Fandom After", bob)
        check(took is not None and took <= FRESH_S,
              f"a write through node 2 on the restarted node 1: {took} s, missing {missing}")
    finally:
        if nginx:
            nginx.terminate()
            try:
                nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                nginx.kill()
        for n in nodes:
            rc = n.stop()
            check(rc == 0, f"node exit status {rc}: {n.log_text()[-1500:]}")
    if finish() == 0:
        shutil.rmtree(tmp, ignore_errors=True)
        return 0
    print(f"kept {tmp}", file=sys.stderr)
    return 1


sys.exit(main())
