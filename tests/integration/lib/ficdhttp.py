"""ficdhttp.py: helpers for the Python integration tests (standard library only): pass/fail
counting, a free port, starting and stopping `ficd serve`, a cookie-keeping client that
tracks the CSRF token of the last form, and setting up an archive with accounts."""
import html.parser
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

passes = 0
fails = 0


def ok():
    global passes
    passes += 1


def fail(msg):
    global fails
    fails += 1
    print("FAIL: " + msg, file=sys.stderr, flush=True)


def check(cond, msg):
    if cond:
        ok()
    else:
        fail(msg)
    return cond


def finish():
    print(f"{passes} passed, {fails} failed", flush=True)
    return 1 if fails else 0


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """`ficd serve` on a free loopback port; env_extra adds FICD_* settings."""

    def __init__(self, ficd, data, log_path, env_extra=None, port=None):
        self.ficd, self.data, self.log_path = ficd, data, log_path
        self.env_extra = dict(env_extra or {})
        self.port = port or free_port()
        self.proc = None

    def start(self, wait=True):
        env = dict(os.environ)
        env.update({"FICD_THREADS": "2"})
        env.update(self.env_extra)
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.ficd, "serve", "--listen", f"127.0.0.1:{self.port}",
                                      "--data", self.data], env=env, stderr=self.log,
                                     stdout=subprocess.DEVNULL)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, seconds=60):
        end = time.time() + seconds
        while time.time() < end:
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    c.close()
                    return True
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"server did not start: {self.log_text()[-2000:]}")

    def log_text(self):
        try:
            return open(self.log_path, encoding="utf-8", errors="replace").read()
        except OSError:
            return ""

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        if getattr(self, "log", None):
            self.log.close()

    def stop(self):
        """SIGTERM; returns the exit status (and checks the log for sanitizer reports)."""
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = "timeout"
        self.log.close()
        text = self.log_text()
        bad = re.search(r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:", text)
        check(not bad, "sanitizer report: " + (text[bad.start():bad.start() + 3000] if bad else ""))
        return rc


class Resp:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def text(self):
        return self.body.decode("utf-8", "replace")


class Client:
    """A browser: cookies and the CSRF token of the last form seen."""

    def __init__(self, port, name="anon", timeout=60, source=None):
        self.port, self.name, self.timeout = port, name, timeout
        self.source = source  # a loopback address to connect from (127.0.0.2, ...)
        self.cookies = {}
        self.token = None

    def request(self, method, path, fields=None, body=None, ctype=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout,
                                          source_address=(self.source, 0) if self.source else None)
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
        try:
            conn.request(method, path, body=body, headers=hdrs)
            r = conn.getresponse()
            resp = Resp(r.status, r.getheaders(), r.read())
        finally:
            conn.close()
        for k, v in resp.headers:
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                value = rest.split(";")[0]
                if "Max-Age=0" in v:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
        m = re.search(rb'name="authenticity_token" value="([0-9a-f]{64})"', resp.body)
        if m:
            self.token = m.group(1).decode()
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, fields, **kw):
        """POSTs fields with the current CSRF token (loading a form first when none)."""
        if not self.token:
            self.get("/login" if "ficd_session" not in self.cookies else "/settings")
        return self.request("POST", path, fields=[("authenticity_token", self.token)] + fields,
                            **kw)

    def post_multipart(self, path, fields, files):
        if not self.token:
            self.get("/settings")
        boundary = "----ficd-test-" + os.urandom(8).hex()
        out = []
        for k, v in [("authenticity_token", self.token)] + list(fields):
            out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'
                       f'{v}\r\n'.encode())
        for k, (fname, data) in files.items():
            if isinstance(data, str):
                data = data.encode()
            out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; '
                       f'filename="{fname}"\r\nContent-Type: text/plain\r\n\r\n'.encode() +
                       data + b"\r\n")
        out.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, body=b"".join(out),
                            ctype=f"multipart/form-data; boundary={boundary}")


def setup_archive(port, admin="admin", password="admin-pass-1234", mode="open"):
    """Runs first-run setup; returns the signed-in admin client."""
    a = Client(port, admin)
    a.get("/setup")
    r = a.request("POST", "/setup", fields=[("authenticity_token", a.token), ("name", admin),
                                             ("password", password),
                                             ("password_confirm", password),
                                             ("archive_name", "Test Archive"),
                                             ("signup_mode", mode)])
    if r.status != 303 or "ficd_session" not in a.cookies:
        raise RuntimeError(f"setup failed: {r.status} {r.text()[:300]}")
    a.get("/settings")
    return a


def signup(port, name, password):
    c = Client(port, name)
    c.get("/signup")
    r = c.request("POST", "/signup", fields=[("authenticity_token", c.token), ("name", name),
                                              ("password", password),
                                              ("password_confirm", password)])
    if r.status != 303 or "ficd_session" not in c.cookies:
        raise RuntimeError(f"signup {name} failed: {r.status} {r.text()[:300]}")
    c.get("/settings")
    return c


def login(port, name, password):
    c = Client(port, name)
    c.get("/login")
    r = c.request("POST", "/login", fields=[("authenticity_token", c.token), ("name", name),
                                             ("password", password)])
    c.get("/settings")
    return c, r


WORK_FORM = [("summary", "A summary."), ("rating", "1"), ("warning", "8"),
             ("fandoms", "Test Fandom"), ("characters", "Ann"), ("language", "English"),
             ("format", "html"), ("chapter_title", "One")]


def post_work(client, title, text, fandom="Test Fandom", draft=False):
    """POST /works; returns (response, work id or None)."""
    fields = [("pseud", client.name), ("title", title),
              ("chapter_text", text)] + [(k, fandom if k == "fandoms" else v)
                                         for k, v in WORK_FORM]
    fields.append(("commit", "draft" if draft else "post"))
    r = client.post("/works", fields)
    m = re.match(r"^/works/(\d+)$", r.header("Location") or "")
    return r, int(m.group(1)) if m else None


class PageCheck(html.parser.HTMLParser):
    """Well-formedness basics for a page: tags closed in order, unique ids, one h1, a label
    for every form control."""
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.ids, self.labels, self.controls, self.h1 = [], set(), set(), [], 0
        self.problems, self.in_label = [], 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            if a["id"] in self.ids:
                self.problems.append(f"duplicate id {a['id']}")
            self.ids.add(a["id"])
        if tag == "h1":
            self.h1 += 1
        if tag == "label":
            self.in_label += 1
            if "for" in a:
                self.labels.add(a["for"])
        if tag in ("input", "select", "textarea") and \
                a.get("type") not in ("hidden", "submit", "button"):
            self.controls.append((a.get("id"), self.in_label > 0))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else ''}>")
            return
        self.stack.pop()
        if tag == "label":
            self.in_label -= 1
