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


def node_cpu_option():
    """FICD_BENCH_NODE_CPU: the CPU each node may use, in cores (0.25 = a quarter of a core),
    or None when unset."""
    v = os.environ.get("FICD_BENCH_NODE_CPU", "").strip()
    if not v:
        return None
    try:
        f = float(v)
    except ValueError:
        f = -1
    if not 0.01 <= f <= (os.cpu_count() or 1):
        print(f"bench/cluster: FICD_BENCH_NODE_CPU={v}: expected a number of cores between "
              f"0.01 and {os.cpu_count()}", file=sys.stderr)
        sys.exit(2)
    return f


NODE_CPU = node_cpu_option()
PERIOD_US = 100000


class CpuCap:
    """A cgroup per node with a CPU quota of NODE_CPU cores (cgroup v2's cpu.max, or v1's
    cpu.cfs_quota_us under /sys/fs/cgroup/cpu), so that each node is limited as if it had a
    machine of that size. `kind` is None when neither hierarchy is writable: the run goes on
    uncapped and says so."""

    V2 = "/sys/fs/cgroup"
    V1 = "/sys/fs/cgroup/cpu"

    def __init__(self, cores):
        self.cores = cores
        self.quota_us = max(1000, int(round(cores * PERIOD_US)))
        self.dirs = []
        self.kind, self.why = None, ""
        if os.path.exists(f"{self.V2}/cgroup.controllers"):
            if "cpu" not in open(f"{self.V2}/cgroup.controllers").read().split():
                self.why = "cgroup v2 without the cpu controller"
            elif not os.access(self.V2, os.W_OK):
                self.why = f"{self.V2} is not writable (run as root)"
            else:
                try:  # the cpu controller for the children of the root
                    with open(f"{self.V2}/cgroup.subtree_control", "w") as f:
                        f.write("+cpu")
                    self.kind, self.base = "v2", self.V2
                except OSError as e:
                    self.why = f"cannot enable the cpu controller in {self.V2}: {e}"
        elif os.path.exists(f"{self.V1}/cpu.cfs_quota_us"):
            if os.access(self.V1, os.W_OK):
                self.kind, self.base = "v1", self.V1
            else:
                self.why = f"{self.V1} is not writable (run as root)"
        else:
            self.why = "no cgroup cpu controller mounted at /sys/fs/cgroup"

    def make(self, i):
        """The cgroup for node i (created, with its quota), or None when uncapped."""
        if not self.kind:
            return None
        d = f"{self.base}/ficd-bench-node{i}"
        if os.path.isdir(d):
            os.rmdir(d)  # left by an interrupted run; fails (loudly) if a process is in it
        os.mkdir(d)
        self.dirs.append(d)
        if self.kind == "v2":
            open(f"{d}/cpu.max", "w").write(f"{self.quota_us} {PERIOD_US}")
        else:
            open(f"{d}/cpu.cfs_period_us", "w").write(str(PERIOD_US))
            open(f"{d}/cpu.cfs_quota_us", "w").write(str(self.quota_us))
        return d

    def remove(self):
        for d in self.dirs:
            try:
                os.rmdir(d)
            except OSError as e:
                print(f"bench/cluster: cannot remove {d}: {e}", file=sys.stderr)
        self.dirs = []


def machine_cpu():
    """(busy, niced, total) jiffies of the whole machine so far, from /proc/stat: busy is
    user + system + irq + softirq + steal, niced is nice time (the fuzzers at nice 19)."""
    f = [int(x) for x in open("/proc/stat").readline().split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = f
    return user + system + irq + softirq + steal, nice, sum(f)


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


def start_node(tmp, data, i, env_db, cgroup=None):
    port = free_port()
    env = dict(os.environ, FICD_ACCESS_LOG="no", FICD_PER_IP_LIMIT="0", FICD_THREADS=THREADS,
               FICD_TRUST_PROXY="1", FICD_RATE_LOGIN="0", **env_db)

    def enter_cgroup():  # in the child, before exec: every thread of the node starts inside
        with open(f"{cgroup}/cgroup.procs", "w") as f:
            f.write(str(os.getpid()))

    p = subprocess.Popen([FICD, "serve", "--listen", f"127.0.0.1:{port}", "--data", data],
                         env=env, stdout=subprocess.DEVNULL,
                         stderr=open(os.path.join(tmp, f"node{i}.log"), "wb"),
                         preexec_fn=enter_cgroup if cgroup else None)
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


def wrk(port, path, lua, pids, db_url="", extra=None):
    """wrk through nginx; returns (req/s, p50 ms, p99 ms, ficd CPU us per request, errors,
    database CPU us per request or None). With a dict `extra`, fills in the run's wall time
    (`wall`), each node's CPU seconds (`node_cpu`, in the order of pids) and the machine's
    busy and niced shares of all its cores (`busy`, `niced`, 0-1)."""
    args = ["wrk", "-t2", f"-c{CONNS}", f"-d{DURATION}", "--latency"]
    if lua:
        args += ["-s", lua]
    args.append(f"http://127.0.0.1:{port}{path}")
    dbp = pg_pids(db_url) if db_url else []
    n0, m0, t0 = [cpu_of([p]) for p in pids], machine_cpu(), time.monotonic()
    c0, d0 = cpu_of(pids), cpu_of(dbp)
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    c1, d1 = cpu_of(pids), cpu_of(dbp)
    n1, m1, t1 = [cpu_of([p]) for p in pids], machine_cpu(), time.monotonic()
    if extra is not None:
        total = max(m1[2] - m0[2], 1)
        extra.update(wall=t1 - t0, node_cpu=[b - a for a, b in zip(n0, n1)],
                     busy=(m1[0] - m0[0]) / total, niced=(m1[1] - m0[1]) / total,
                     load=open("/proc/loadavg").read().split()[0])
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


def quota_used(r, n):
    """The first n nodes' CPU time over a run's wall time, as a share of the quota, e.g.
    "0.99" or "0.98 + 0.97"."""
    ex = r[6]
    return " + ".join(f"{c / ex['wall'] / NODE_CPU:.2f}" for c in ex["node_cpu"][:n])


def main():
    tmp = tempfile.mkdtemp(prefix="ficd-bench-cluster.")
    procs = []
    cap = CpuCap(NODE_CPU) if NODE_CPU else None
    if cap and not cap.kind:
        print(f"bench/cluster: FICD_BENCH_NODE_CPU={NODE_CPU} IGNORED, the nodes run UNCAPPED: "
              f"{cap.why}", file=sys.stderr, flush=True)
    elif cap:
        print(f"bench/cluster: each node capped at {NODE_CPU} core (cgroup {cap.kind}, "
              f"quota {cap.quota_us} us per {PERIOD_US} us)", file=sys.stderr, flush=True)
    capped = bool(cap and cap.kind)
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
            p, port = start_node(tmp, d, i + 1, dict(env_db, **extra),
                                 cap.make(i + 1) if capped else None)
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
                ex = {}
                res[label] = wrk(port, path, script, pids, db, ex) + (ex,)
            rows.append((name, res))
            print(f"bench/cluster: {name}: one {res['one'][0]:.0f}/s, two {res['two'][0]:.0f}/s"
                  + (f" (nodes' CPU / quota: {quota_used(res['one'], 1)}; "
                     f"{quota_used(res['two'], 2)})" if capped else ""),
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
        if capped:
            lines[0] = lines[0][:-1] + f", each node capped at {NODE_CPU} core)"
            lines[2] += (f" Each `ficd serve` in a cgroup of its own ({cap.kind}) with a CPU quota "
                         f"of {cap.quota_us} us per {PERIOD_US} us: nodes / quota is each "
                         "working node's CPU time over the run's wall time divided by the quota "
                         "(1.00: the node used all it was allowed); machine busy is the share of "
                         "all cores in user + system time (niced work, e.g. fuzzers at nice 19, "
                         "apart), with the 1-minute load average at the end.")
            lines[4] = lines[4].replace("| errors |", "| nodes' CPU / quota one / two | machine "
                                        "busy % one / two (niced %) | load | errors |")
            lines[5] = lines[5] + "---|---|---|"
        for name, res in rows:
            o, t = res["one"], res["two"]
            dbc = f"{o[5]:.0f} / {t[5]:.0f}" if o[5] is not None and t[5] is not None else "-"
            more = ""
            if capped:
                eo, et = o[6], t[6]
                more = (f"{quota_used(o, 1)} / {quota_used(t, 2)} | "
                        f"{eo['busy'] * 100:.0f} / {et['busy'] * 100:.0f} "
                        f"({eo['niced'] * 100:.0f} / {et['niced'] * 100:.0f}) | "
                        f"{eo['load']} / {et['load']} | ")
            lines.append(f"| {name} | {o[0]:.0f} | {t[0]:.0f} | {t[0] / o[0]:.2f} | "
                         f"{o[2]:.2f} / {t[2]:.2f} | {o[3]:.0f} / {t[3]:.0f} | {dbc} | "
                         f"{more}{o[4] + t[4]} |")
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
        if cap:
            cap.remove()
        shutil.rmtree(tmp, ignore_errors=True)


sys.exit(main())
