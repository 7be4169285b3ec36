#!/usr/bin/env python3
"""slowloris.py: run by slowloris.sh (see there). Usage: slowloris.py FICD SOURCE_DIR."""
import os
import shutil
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import ficdhttp  # noqa: E402
from ficdhttp import Client, Server, check, fail, finish, post_work, signup  # noqa: E402

FICD = sys.argv[1]
SLOW = 500
ADDRS = [f"127.0.0.{i}" for i in range(2, 12)]  # 50 connections from each of 10 addresses


def timed_get(port, path, source="127.0.0.100"):
    t = time.monotonic()
    r = Client(port, source=source, timeout=10).get(path)
    return r.status, time.monotonic() - t


def main():
    tmp = tempfile.mkdtemp(prefix="ficd-slow.")
    srv = None
    socks = []
    try:
        srv = Server(FICD, os.path.join(tmp, "data"), os.path.join(tmp, "server.log"),
                     {"FICD_ACCESS_LOG": "no", "FICD_PAGE_CACHE": "0"}).start()
        port = srv.port
        ficdhttp.setup_archive(port)
        alice = signup(port, "alice", "alice-pass-1234")
        r, wid = post_work(alice, "Readers Still Read", "<p>A page for the normal reader.</p>")
        check(wid is not None, f"post: {r.status}")

        # 500 slow connections sending their headers a byte at a time
        for i in range(SLOW):
            s = socket.socket()
            s.bind((ADDRS[i % len(ADDRS)], 0))
            s.setblocking(False)
            try:
                s.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            socks.append(s)
        time.sleep(0.3)
        head = b"GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: slow\r\nX-Slow: "
        worst = 0.0
        statuses = []
        end = time.monotonic() + 6
        step = 0
        while time.monotonic() < end:
            for s in socks:
                try:
                    s.send(head[step:step + 1] if step < len(head) else b"a")
                except (BlockingIOError, OSError):
                    pass
            step += 1
            # a normal reader, from its own address, meanwhile
            for path in (f"/works/{wid}", "/works", "/works?q=reader"):
                st, dt = timed_get(port, path)
                statuses.append(st)
                worst = max(worst, dt)
            time.sleep(0.3)
        alive = 0
        for s in socks:
            try:
                s.send(b"b")
                alive += 1
            except OSError:
                pass
        print(f"slowloris: {SLOW} slow connections ({alive} still open at the end), "
              f"{len(statuses)} normal requests, slowest {worst * 1000:.0f} ms")
        check(alive >= SLOW * 0.9, f"only {alive} slow connections stayed open: the test "
                                   f"did not hold {SLOW}")
        check(all(s == 200 for s in statuses), f"normal requests failed: {set(statuses)}")
        check(worst < 1.0, f"a normal request took {worst:.2f} s with {SLOW} slow connections")

        # one address cannot hold more than per_ip_limit (64) connections
        extra = []
        refused = 0
        for i in range(80):
            s = socket.socket()
            s.bind(("127.0.0.50", 0))
            s.settimeout(2)
            s.connect(("127.0.0.1", port))
            extra.append(s)
        time.sleep(0.5)
        for s in extra:
            try:
                s.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                if not s.recv(100):
                    refused += 1
            except OSError:
                refused += 1
        for s in extra:
            s.close()
        check(refused >= 80 - 64, f"per-address limit: {refused} of 80 connections refused")
        st, dt = timed_get(port, "/healthz")
        check(st == 200 and dt < 1.0, f"after the flood: {st} in {dt:.2f} s")
    except Exception as e:
        fail(f"exception: {e!r}")
    finally:
        for s in socks:
            s.close()
        if srv:
            rc = srv.stop()
            check(rc == 0, f"server exit {rc}")
        if ficdhttp.fails:
            p = os.path.join(tmp, "server.log")
            if os.path.exists(p):
                print("--- server.log (tail)\n" + open(p, errors="replace").read()[-2000:],
                      file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
