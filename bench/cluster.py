#!/usr/bin/env python3
"""cluster.py: two ficd nodes against one behind nginx, run by bench/cluster.sh (see there).
Usage: cluster.py FICD SOURCE_DIR OUT."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

FICD, SRC, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, os.path.join(SRC, "tests", "integration", "lib"))
from ficdhttp import Client, free_port  # noqa: E402

DURATION = os.environ.get("FICD_BENCH_DURATION", "8s")
CONNS = os.environ.get("FICD_BENCH_CONNS", "32")
WORKS = int(os.environ.get("FICD_BENCH_WORKS", "1000"))
THREADS = os.environ.get("FICD_BENCH_THREADS", str(os.cpu_count() or 2))
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """user + system CPU time of a process so far."""
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / TICK


def pg_pids(url):
    """The PostgreSQL server's processes (the postmaster listening on url's port and its
    children), to count the database's CPU per request; [] when none is found."""
    port = urllib.parse.urlparse(url).port or 5432
    out = subprocess.run(["ss", "-Htlnp", f"sport = :{port}"], capture_output=True,
                         text=True).stdout
    m = re.search(r"pid=(\d+)", out)
    if not m:
        return []
    root = int(m.group(1))
    pids = [root]
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == root:
                pids.append(int(d))
    return pids


def wait_http(port, path="/healthz", seconds=120):
    end = time.time() + seconds
    while time.time() < end:
        try:
            if Client(port, timeout=2).get(path).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


def start_node(tmp, data, i, env_db):
    port = free_port()
    env = dict(os.environ, FICD_ACCESS_LOG="no", FICD_PER_IP_LIMIT="0", FICD_THREADS=THREADS,
               FICD_TRUST_PROXY="1", FICD_RATE_LOGIN="0", **env_db)
    p = subprocess.Popen([FICD, "serve", "--listen", f"127.0.0.1:{port}", "--data", data],
                         env=env, stdout=subprocess.DEVNULL,
                         stderr=open(os.path.join(tmp, f"node{i}.log"), "wb"))
    wait_http(port)
    return p, port


def start_nginx(tmp, name, port, upstreams):
    conf = open(os.path.join(SRC, "docs", "nginx-cluster.conf")).read()
    for old, new in (("127.0.0.1:8080", f"127.0.0.1:{port}"),
                     ("127.0.0.1:8081", f"127.0.0.1:{upstreams[0]}"),
                     ("127.0.0.1:8082", f"127.0.0.1:{upstreams[1]}")):
        conf = conf.replace(old, new)
    ng = os.path.join(tmp, name)
    os.makedirs(ng)
    open(os.path.join(ng, "cluster.conf"), "w").write(conf)
    open(os.path.join(ng, "nginx.conf"), "w").write(f"""worker_processes 1;
daemon off;
pid {ng}/nginx.pid;
error_log {ng}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {ng}/body;
    proxy_temp_path {ng}/proxy;
    fastcgi_temp_path {ng}/fastcgi;
    uwsgi_temp_path {ng}/uwsgi;
    scgi_temp_path {ng}/scgi;
    include {ng}/cluster.conf;
}}
""")
    p = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-p", ng, "-e",
                          f"{ng}/error.log", "-c", f"{ng}/nginx.conf"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(port)
    return p


def to_ms(v):
    n = float(re.match(r"[\d.]+", v).group(0))
    if v.endswith("us"):
        return n / 1000
    if v.endswith("ms"):
        return n
    if v.endswith("s"):
        return n * 1000
    return n


def cpu_of(pids):
    total = 0.0
    for p in pids:
        try:
            total += cpu_seconds(p)
        except OSError:
            pass  # a backend that ended
    return total


def wrk(port, path, lua, pids, db_url=""):
    """wrk through nginx; returns (req/s, p50 ms, p99 ms, ficd CPU us per request, errors,
    database CPU us per request or None)."""
    args = ["wrk", "-t2", f"-c{CONNS}", f"-d{DURATION}", "--latency"]
    if lua:
        args += ["-s", lua]
    args.append(f"http://127.0.0.1:{port}{path}")
    dbp = pg_pids(db_url) if db_url else []
    c0, d0 = cpu_of(pids), cpu_of(dbp)
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    c1, d1 = cpu_of(pids), cpu_of(dbp)
    if not re.search(r"99%\s+[\d.]", out):
        raise RuntimeError("wrk: " + out)
    reqs = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: (.*)", out)
    errors = (int(bad.group(1)) if bad else 0)
    if sock:
        errors += sum(int(x) for x in re.findall(r"\d+", sock.group(1)))
    dbcpu = (d1 - d0) / max(reqs, 1) * 1e6 if dbp else None
    return rps, p50, p99, (c1 - c0) / max(reqs, 1) * 1e6, errors, dbcpu


def main():
    tmp = tempfile.mkdtemp(prefix="ficd-bench-cluster.")
    procs = []
    try:
        db = os.environ.get("FICD_DATABASE", "")
        env_db = {"FICD_DATABASE": db} if db else {}
        data = os.path.join(tmp, "data")
        print(f"bench/cluster: demo archive of {WORKS} works "
              f"({'PostgreSQL' if db else 'SQLite'})", file=sys.stderr, flush=True)
        subprocess.run([FICD, "demo", "--works", str(WORKS), "--seed", "20261206", "--data", data],
                       check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, **env_db))
        # nodes 1 and 2 with the page cache (the default), 3 and 4 without (every request
        # rendered or searched)
        nodes, ports = [], []
        for i in range(4):
            d = os.path.join(tmp, f"data{i + 1}") if db and i else data
            extra = {"FICD_RATE_COMMENT": "0"} if i < 2 else {"FICD_PAGE_CACHE": "0"}
            p, port = start_node(tmp, d, i + 1, dict(env_db, **extra))
            nodes.append(p)
            ports.append(port)
        procs.extend(nodes)
        fronts = {}
        for name, ups in (("cached-one", [0, 0]), ("cached-two", [0, 1]),
                          ("render-one", [2, 2]), ("render-two", [2, 3])):
            fronts[name] = free_port()
            procs.append(start_nginx(tmp, name, fronts[name], [ports[k] for k in ups]))

        listing = Client(ports[0]).get("/works").text()
        ids = sorted(set(int(x) for x in re.findall(r'href="/works/(\d+)"', listing)))
        work = f"/works/{ids[0]}"
        tags = sorted(set(re.findall(r'href="/tags/([^"/]+)/works"', listing)))[:20]
        words = sorted(set(w.lower() for w in re.findall(r'<a href="/works/\d+">([^<]+)</a>',
                                                         listing) for w in w.split()))[:20]
        # the API: searches by tag and sort, and by words from the titles, walked by every
        # connection (the tag names as the listing's links percent-encode them)
        urls = os.path.join(tmp, "api-urls.txt")
        with open(urls, "w") as f:
            for tg in tags:
                name = urllib.parse.unquote(tg)
                for k, v in (("*s*", "/"), ("*a*", "&"), ("*d*", "."), ("*q*", "?"),
                             ("*h*", "#")):
                    name = name.replace(k, v)  # AO3's escapes in tag URLs
                for sort in ("kudos", "hits", "updated"):
                    f.write(f"/api/v1/works?tag={urllib.parse.quote(name)}&sort={sort}\n")
            for w in words:
                f.write(f"/api/v1/works?q={urllib.parse.quote(w)}\n")
        # every one must find something, or the round would measure empty answers
        for u in open(urls).read().split():
            if '"total":0' in Client(ports[2]).get(u).text().replace(" ", ""):
                raise RuntimeError(f"the API finds nothing for {u}")
        lua = os.path.join(SRC, "bench", "api_urls.lua")
        os.environ["FICD_BENCH_URLS"] = urls

        # guest comment forms (their tokens are the same for every guest and node)
        cfile = os.path.join(tmp, "comments.txt")
        with open(cfile, "w") as f:
            for wid in ids[:20]:
                page = Client(ports[0]).get(f"/works/{wid}").text()
                m = re.search(r'action="/works/%d/comments".*?name="authenticity_token" '
                              r'value="([0-9a-f]{64})"' % wid, page, re.S)
                if m:
                    f.write(f"/works/{wid}/comments {m.group(1)}\n")
        os.environ["FICD_BENCH_COMMENTS"] = cfile

        rounds = [("cached work page", "cached", work, None),
                  ("rendered work page", "render", work, None),
                  ("rendered /works listing", "render", "/works", None),
                  ("JSON API searches", "render", "/", lua),
                  ("guest comments (a write transaction each)", "cached", "/",
                   os.path.join(SRC, "bench", "cluster_comments.lua"))]
        rows = []
        for name, kind, path, script in rounds:
            res = {}
            pids = [n.pid for n in nodes[:2]] if kind == "cached" else [n.pid for n in nodes[2:]]
            for label in ("one", "two"):
                port = fronts[f"{kind}-{label}"]
                wrk(port, path, script, pids)  # warm-up
                res[label] = wrk(port, path, script, pids, db)
            rows.append((name, res))
            print(f"bench/cluster: {name}: one {res['one'][0]:.0f}/s, two {res['two'][0]:.0f}/s",
                  file=sys.stderr, flush=True)
        lines = [
            f"## Two nodes vs one behind nginx ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} "
            f"cores, {'PostgreSQL' if db else 'SQLite'}, {WORKS} demo works)",
            "",
            f"wrk -t2 -c{CONNS} -d{DURATION} through nginx (docs/nginx-cluster.conf, one worker) "
            f"to one node (both upstream lines on node 1) or two; {THREADS} worker threads per "
            "node; the cached round with the page cache on, the others with it off (every "
            "request rendered or searched). wrk, nginx and the nodes share the machine's cores.",
            "",
            "| workload | one node req/s | two nodes req/s | ratio | p99 one / two (ms) | "
            "ficd CPU per request one / two (us) | PostgreSQL CPU per request one / two (us) | "
            "errors |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for name, res in rows:
            o, t = res["one"], res["two"]
            dbc = f"{o[5]:.0f} / {t[5]:.0f}" if o[5] is not None and t[5] is not None else "-"
            lines.append(f"| {name} | {o[0]:.0f} | {t[0]:.0f} | {t[0] / o[0]:.2f} | "
                         f"{o[2]:.2f} / {t[2]:.2f} | {o[3]:.0f} / {t[3]:.0f} | {dbc} | "
                         f"{o[4] + t[4]} |")
        report = "\n".join(lines) + "\n"
        print(report)
        os.makedirs(os.path.dirname(OUT), exist_ok=True)
        open(OUT, "w").write(report)
        for name, res in rows:
            if res["one"][4] or res["two"][4]:
                print(f"bench/cluster: {name}: errors", file=sys.stderr)
                return 1
        return 0
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


sys.exit(main())
