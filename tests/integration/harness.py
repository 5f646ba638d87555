"""Integration-test harness for Depesche: real binary, real sites, real HTTP.

Every test class gets its own site folder (a fresh temp dir) and, if it wants
one, its own server started with `serve --listen 127.0.0.1:0`. The port is read
from the "listening on http://HOST:PORT/" line the server prints.

Python 3 standard library only (plus Debian's python3-feedparser in the feed
tests). Run with /usr/bin/python3.

The binary: $DEPESCHE_BIN, else <repo>/build/depesche (repo = two levels above
this file). tests/integration/run.py --bin PATH sets $DEPESCHE_BIN.
"""

import datetime
import email.utils
import gzip
import html
import html.parser
import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# Site settings used unless a class says otherwise. The base URL is a
# placeholder: the server learns its port only at start; tests compare
# absolute URLs against this configured value, never against the real port.
BASE_URL = "http://news.example.test"
SITE_TITLE = "Der Testbote"

DEADLINE = 10.0   # seconds: the longest any poll waits
CMD_TIMEOUT = 20  # seconds: the longest one CLI call may take

LISTEN_RE = re.compile(r"listening on http://(\[[^\]]+\]|[^/:\s]+):(\d+)/")


def binary():
    return os.environ.get("DEPESCHE_BIN") or os.path.join(REPO, "build", "depesche")


def iso_utc(ts):
    """Unix seconds -> 2026-11-27T10:00:00Z."""
    return datetime.datetime.fromtimestamp(int(ts), datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def poll(fn, deadline=DEADLINE, interval=0.05, what="condition"):
    """Calls fn() until it returns a truthy value or the deadline passes.
    Returns that value; raises AssertionError with the last value/exception."""
    end = time.monotonic() + deadline
    last = None
    while True:
        try:
            v = fn()
            if v:
                return v
            last = v
        except AssertionError:
            raise
        except Exception as e:  # connection refused etc.: keep polling
            last = e
        if time.monotonic() >= end:
            raise AssertionError("timed out after %.1fs waiting for %s (last: %r)"
                                 % (deadline, what, last))
        time.sleep(interval)


# --------------------------------------------------------------------------
# CLI

class CLIResult:
    def __init__(self, argv, proc):
        self.argv = argv
        self.rc = proc.returncode
        self.out_bytes = proc.stdout
        self.err_bytes = proc.stderr
        self.out = proc.stdout.decode("utf-8", "replace")
        self.err = proc.stderr.decode("utf-8", "replace")

    @property
    def last_line(self):
        lines = [l for l in self.out.splitlines() if l.strip()]
        return lines[-1].strip() if lines else ""

    def __repr__(self):
        return "<depesche %r rc=%s stdout=%r stderr=%r>" % (
            self.argv, self.rc, self.out[-800:], self.err[-800:])


def run_cli(args, data_dir=None, stdin=None, env=None, timeout=CMD_TIMEOUT):
    """Runs the binary. args: list of str or bytes. stdin: str/bytes or None
    (None: /dev/null, i.e. not a tty and empty)."""
    argv = [binary()]
    if data_dir is not None:
        argv += ["--data", data_dir]
    argv += list(args)
    if isinstance(stdin, str):
        stdin = stdin.encode("utf-8")
    e = dict(os.environ)
    e.pop("DEPESCHE_DATA", None)
    e.setdefault("TZ", "UTC")
    if env:
        e.update(env)
    kw = {}
    if stdin is None:
        kw["stdin"] = subprocess.DEVNULL
    else:
        kw["input"] = stdin
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout, env=e, **kw)
    return CLIResult(argv, proc)


class Site:
    """A site folder made with `depesche init`."""

    def __init__(self, title=SITE_TITLE, base_url=BASE_URL, lang="de", root=None):
        self.root = root or tempfile.mkdtemp(prefix="depesche-it-")
        self.dir = os.path.join(self.root, "site")
        self.title = title
        self.base_url = base_url
        self.lang = lang
        r = run_cli(["init", "--title", title, "--base-url", base_url, "--lang", lang],
                    data_dir=self.dir)
        if r.rc != 0:
            raise AssertionError("depesche init failed: %r" % r)
        self.db = os.path.join(self.dir, "depesche.db")
        # Tests post comments right after loading a page; the minimum fill
        # time has its own test.
        self.configure(comment_min_seconds=0, comment_rate_per_minute=1000000)

    def configure(self, **settings):
        """Changes site.json (takes effect when a server starts)."""
        p = os.path.join(self.dir, "site.json")
        with open(p) as f:
            cfg = json.load(f)
        cfg.update(settings)
        with open(p, "w") as f:
            json.dump(cfg, f)

    def cli(self, *args, stdin=None, env=None):
        return run_cli(list(args), data_dir=self.dir, stdin=stdin, env=env)

    def must(self, *args, stdin=None):
        r = self.cli(*args, stdin=stdin)
        if r.rc != 0:
            raise AssertionError("command failed: %r" % r)
        return r

    def add(self, title, body="Erster Absatz des Artikels.\n\nZweiter Absatz.\n", **opts):
        """post add; opts: slug, dateline, tags (list or str), category, author,
        date, draft (bool). Returns the article's path (/slug/)."""
        args = ["post", "add", "--title", title]
        for k in ("slug", "dateline", "category", "author", "date", "lang"):
            if opts.get(k) is not None:
                args += ["--" + k, opts[k]]
        if opts.get("tags"):
            t = opts["tags"]
            args += ["--tags", t if isinstance(t, str) else ",".join(t)]
        if opts.get("draft"):
            args.append("--draft")
        r = self.must(*args, stdin=body)
        path = r.last_line
        if not re.fullmatch(r"/[^/\s]+/", path):
            raise AssertionError("post add: last line of stdout is not a /slug/ path: %r" % r)
        return path

    def import_jsonl(self, records):
        data = "".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records)
        return self.cli("post", "import", stdin=data)

    def list_json(self, all_=True):
        args = ["post", "list", "--json"] + (["--all"] if all_ else [])
        r = self.must(*args)
        return articles_from_json(json.loads(r.out))

    def db_dump(self):
        """Full logical content of the database (schema + rows), for
        'left untouched' checks."""
        con = sqlite3.connect(self.db, timeout=5)
        try:
            # Not iterdump(): it reads the search index's virtual table,
            # whose tokenizer only the server's SQLite knows. The index's
            # shadow tables are ordinary tables and are dumped like the rest.
            out = [r[0] for r in con.execute(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name")]
            tables = con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name").fetchall()
            for (name,) in tables:
                quoted = '"%s"' % name.replace('"', '""')
                out += [repr(r) for r in con.execute("SELECT * FROM %s" % quoted)]
            return "\n".join(out)
        finally:
            con.close()

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)


def articles_from_json(doc):
    """`post list --json` may print an array or an object holding one."""
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        for k in ("articles", "items", "posts"):
            if isinstance(doc.get(k), list):
                return doc[k]
    raise AssertionError("post list --json: no array of articles in %r" % (doc,))


# --------------------------------------------------------------------------
# Server

class Server:
    def __init__(self, site, extra_args=()):
        self.site = site
        self.log_path = os.path.join(site.root, "server-%d.stderr" % id(self))
        self._err = open(self.log_path, "wb")
        argv = [binary(), "--data", site.dir, "serve", "--listen", "127.0.0.1:0"] + list(extra_args)
        env = dict(os.environ)
        env.setdefault("TZ", "UTC")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self._err, env=env)
        self.lines = queue.Queue()
        self.stdout_lines = []
        t = threading.Thread(target=self._read, daemon=True)
        t.start()
        self.stopped_rc = None
        self.host, self.port = self._wait_listening()

    def _read(self):
        for raw in iter(self.proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace")
            self.stdout_lines.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def _wait_listening(self):
        end = time.monotonic() + DEADLINE
        while True:
            left = end - time.monotonic()
            if left <= 0:
                self.kill()
                raise AssertionError("server printed no 'listening on http://HOST:PORT/' line "
                                     "within %.0fs; stdout=%r stderr=%r"
                                     % (DEADLINE, "".join(self.stdout_lines), self.stderr()))
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                rc = self.proc.wait(timeout=5)
                raise AssertionError("server exited (rc=%s) before listening; stdout=%r stderr=%r"
                                     % (rc, "".join(self.stdout_lines), self.stderr()))
            m = LISTEN_RE.search(line)
            if m:
                host = m.group(1).strip("[]")
                return host, int(m.group(2))

    def stderr(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-3000:]
        except OSError:
            return ""

    def stop(self):
        """SIGTERM, wait (with deadline), return the exit status."""
        if self.stopped_rc is not None:
            return self.stopped_rc
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=DEADLINE)
            except subprocess.TimeoutExpired:
                self.kill()
                self.stopped_rc = "did not exit within %.0fs of SIGTERM" % DEADLINE
                return self.stopped_rc
        self.stopped_rc = self.proc.returncode
        self._err.close()
        return self.stopped_rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)

    # ---- HTTP
    def check_alive(self):
        """Fails at once (polls do not retry AssertionError) when the server died."""
        rc = self.proc.poll()
        if rc is not None and self.stopped_rc is None:
            raise AssertionError("the server is dead (exit status %s); stderr: %s"
                                 % (rc, self.stderr()))

    def request(self, method, path, headers=None, body=None, timeout=10):
        self.check_alive()
        c = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            c.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
            for k, v in (headers or {}).items():
                c.putheader(k, v)
            if body is not None:
                c.putheader("Content-Length", str(len(body)))
            c.endheaders(body)
            r = c.getresponse()
            data = r.read()
            return Response(method, path, r.status, r.reason, r.getheaders(), data)
        except (OSError, http.client.HTTPException):
            time.sleep(0.05)
            self.check_alive()  # a crash explains it
            raise
        finally:
            c.close()

    def get(self, path, headers=None):
        return self.request("GET", path, headers)

    def head(self, path, headers=None):
        return self.request("HEAD", path, headers)

    def raw(self, data, timeout=5, send_more=None):
        """Sends raw bytes, reads until the server closes (or timeout).
        Returns the bytes received (b'' when it closed without answering)."""
        self.check_alive()
        s = socket.create_connection((self.host, self.port), timeout=timeout)
        try:
            s.sendall(data)
            got = b""
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                try:
                    d = s.recv(65536)
                except socket.timeout:
                    break
                except ConnectionResetError:
                    break
                if not d:
                    break
                got += d
            return got
        finally:
            s.close()


class Response:
    def __init__(self, method, path, status, reason, headers, body):
        self.method = method
        self.path = path
        self.status = status
        self.reason = reason
        self.header_list = headers
        self.headers = {}
        for k, v in headers:
            k = k.lower()
            self.headers[k] = self.headers[k] + ", " + v if k in self.headers else v
        self.body = body

    def h(self, name, default=None):
        return self.headers.get(name.lower(), default)

    @property
    def text(self):
        body = self.body
        if self.h("content-encoding", "").lower() == "gzip":
            body = gzip.decompress(body)
        return body.decode("utf-8")

    def __repr__(self):
        return "<%s %s -> %s %r body=%r>" % (self.method, self.path, self.status,
                                             self.headers, self.body[:300])


def parse_raw_status(data):
    """b'HTTP/1.1 400 Bad Request\\r\\n...' -> 400, or None."""
    m = re.match(rb"HTTP/\d\.\d (\d{3})", data)
    return int(m.group(1)) if m else None


# --------------------------------------------------------------------------
# HTML inspection (stdlib parser; it is deliberately not a browser)

class Page(html.parser.HTMLParser):
    """Collects what the tests look at: elements with attributes, link/meta,
    script bodies, visible text, <title>."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.source = text
        self.elements = []      # (tag, attrs dict)
        self.links = []         # attrs of <link>
        self.metas = []         # attrs of <meta>
        self.anchors = []       # (attrs, text)
        self.scripts = []       # (attrs, text)
        self.title_text = ""
        self.text_parts = []
        self._stack_script = None
        self._in_title = False
        self._anchor = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = {}
        for k, v in attrs:
            a[k] = v if v is not None else ""
        self.elements.append((tag, a))
        if tag == "link":
            self.links.append(a)
        elif tag == "meta":
            self.metas.append(a)
        elif tag == "script":
            self._stack_script = (a, [])
        elif tag == "title":
            self._in_title = True
        elif tag == "a":
            self._anchor = (a, [])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "title", "a"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "script" and self._stack_script is not None:
            a, parts = self._stack_script
            self.scripts.append((a, "".join(parts)))
            self._stack_script = None
        elif tag == "title":
            self._in_title = False
        elif tag == "a" and self._anchor is not None:
            a, parts = self._anchor
            self.anchors.append((a, "".join(parts)))
            self._anchor = None

    def handle_data(self, data):
        if self._stack_script is not None:
            self._stack_script[1].append(data)
            return
        if self._in_title:
            self.title_text += data
        if self._anchor is not None:
            self._anchor[1].append(data)
        self.text_parts.append(data)

    @property
    def text(self):
        return "".join(self.text_parts)

    def hrefs(self):
        return [a.get("href", "") for t, a in self.elements if "href" in a]

    def meta(self, key):
        """content of <meta property=key> or <meta name=key>."""
        for m in self.metas:
            if m.get("property") == key or m.get("name") == key:
                return m.get("content")
        return None

    def link_rel(self, rel):
        return [l for l in self.links if rel in (l.get("rel") or "").split()]

    def jsonld(self):
        return [t for a, t in self.scripts if (a.get("type") or "").lower() == "application/ld+json"]

    def event_handler_attrs(self):
        return [(t, k, v) for t, a in self.elements for k, v in a.items() if k.lower().startswith("on")]

    def inline_scripts_with(self, needle):
        """Non-JSON-LD scripts whose body contains needle."""
        return [t for a, t in self.scripts
                if (a.get("type") or "").lower() != "application/ld+json" and needle in t]


def local_path(href, base_url=BASE_URL):
    """'/x/' or 'BASE/x/' -> '/x/' (None for foreign URLs)."""
    if href.startswith(base_url + "/"):
        return href[len(base_url):]
    if href.startswith("/") and not href.startswith("//"):
        return href
    return None


def http_date(ts):
    return email.utils.formatdate(ts, usegmt=True)


# --------------------------------------------------------------------------
# Test base classes

class SiteTestCase(unittest.TestCase):
    """One site (and optionally one server) per class.

    Subclasses set SERVE = True for a server, override populate(cls) to add
    content before the server starts. A failure while setting up is re-raised
    by every test of the class, so each of them counts as failed with the
    reason (instead of one anonymous class error)."""

    SERVE = False
    SERVE_ARGS = ()
    SITE_TITLE = SITE_TITLE
    LANG = "de"

    site = None
    server = None
    setup_error = None

    @classmethod
    def setUpClass(cls):
        cls.setup_error = None
        cls.site = None
        cls.server = None
        try:
            if not os.path.exists(binary()):
                raise AssertionError("binary not found: %s (build it or pass --bin)" % binary())
            cls.site = Site(title=cls.SITE_TITLE, lang=cls.LANG)
            cls.populate()
            if cls.SERVE:
                cls.server = Server(cls.site, cls.SERVE_ARGS)
        except Exception as e:  # noqa: BLE001 - reported by each test
            cls.setup_error = e

    @classmethod
    def populate(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        rc = None
        if cls.server is not None:
            rc = cls.server.stop()
        if cls.site is not None:
            cls.site.cleanup()
        if cls.server is not None and rc != 0:
            raise AssertionError("server did not exit 0 on SIGTERM: %r; stderr: %s"
                                 % (rc, cls.server.stderr()))

    def setUp(self):
        if self.setup_error is not None:
            raise AssertionError("class setup failed: %s" % (self.setup_error,))

    # conveniences
    def get(self, path, headers=None, status=None):
        r = self.server.get(path, headers)
        if status is not None:
            self.assertEqual(r.status, status, "GET %s: %r" % (path, r))
        return r

    def page(self, path):
        r = self.get(path, status=200)
        self.assertIn("text/html", r.h("content-type", ""), path)
        return Page(r.text)

    def assertUntouched(self, before, what):
        self.assertEqual(before, self.site.db_dump(), "%s changed the database" % what)

    def assertCLIError(self, r, codes=(1,)):
        self.assertIn(r.rc, codes, "expected exit %s: %r" % (codes, r))
        self.assertRegex(r.err, r"(?m)^depesche: \S",
                         "no error message starting with 'depesche: ' on stderr: %r" % r)


def wait_for_status(server, path, status, deadline=DEADLINE):
    return poll(lambda: server.get(path).status == status, deadline,
                what="GET %s to answer %d" % (path, status))
