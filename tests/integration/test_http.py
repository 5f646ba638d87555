"""HTTP behaviour: health, themed 404, 400 on malformed requests, 413, 405,
HEAD, gzip, redirects, assets, path traversal, SIGTERM."""

import gzip
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from harness import (DEADLINE, Page, Server, Site, SiteTestCase, binary,
                     local_path, parse_raw_status, run_cli)


class HttpTest(SiteTestCase):
    SERVE = True

    @classmethod
    def populate(cls):
        cls.path = cls.site.add("Eine Meldung für HTTP",
                                body="Ein Absatz, lang genug für gzip. " * 40 + "\n",
                                tags=["technik"])

    def css_url(self):
        p = self.page("/")
        css = [l.get("href") for l in p.link_rel("stylesheet")]
        self.assertTrue(css, "no stylesheet link on the home page")
        return css[0]

    # ---- basics
    def test_healthz(self):
        r = self.get("/healthz", status=200)
        self.assertEqual(r.body.decode().strip(), "ok")

    def test_query_string_ignored(self):
        a = self.get("/", status=200)
        b = self.get("/?utm_source=test&x=%3Cxss%3E", status=200)
        self.assertNotIn("<xss>", b.text)
        self.assertEqual(a.body, b.body)

    # ---- 404
    def test_themed_404(self):
        home = self.page("/")
        for path in ("/gibt-es-nicht/", "/a/b/c/d/", "/%E2%9C%93/", "/assets/nichts.css"):
            with self.subTest(path=path):
                r = self.server.get(path)
                self.assertEqual(r.status, 404, r)
                if path.startswith("/assets/"):
                    continue
                self.assertTrue(r.h("content-type", "").startswith("text/html"), r)
                p = Page(r.text)
                self.assertIn(self.site.title, p.text, "404 page without the site layout")
                self.assertEqual([l.get("href") for l in p.link_rel("stylesheet")],
                                 [l.get("href") for l in home.link_rel("stylesheet")],
                                 "404 page does not use the site's stylesheet")
                self.assertTrue([a for t, a in p.elements if t == "html" and a.get("lang") == "de"],
                                "no <html lang=\"de\">")

    def test_unknown_without_slash(self):
        r = self.server.get("/gibt-es-nicht")
        self.assertIn(r.status, (301, 404), r)
        if r.status == 301:
            self.assertEqual(local_path(r.h("location", "")), "/gibt-es-nicht/")

    # ---- malformed requests
    def assert400(self, raw):
        data = self.server.raw(raw)
        self.assertEqual(parse_raw_status(data), 400, "%r -> %r" % (raw, data[:200]))

    def test_bad_http_version_400(self):
        self.assert400(b"GET / HTTP/x.y\r\nHost: a\r\n\r\n")

    def test_bad_header_line_400(self):
        self.assert400(b"GET / HTTP/1.1\r\nHost: a\r\nkein doppelpunkt\r\n\r\n")

    def test_request_target_not_a_path_400(self):
        self.assert400(b"GET kein-pfad HTTP/1.1\r\nHost: a\r\n\r\n")

    def test_garbage_request(self):
        # "GARBAGE" is no request line at all. libmicrohttpd 0.9.75 closes such a
        # connection without a response; a 400 is fine too. Never anything else.
        data = self.server.raw(b"GARBAGE\r\n\r\n")
        st = parse_raw_status(data)
        self.assertTrue(data == b"" or st == 400, "GARBAGE -> %r" % data[:200])
        self.get("/healthz", status=200)  # still serving

    def test_binary_junk_does_not_kill_server(self):
        self.server.raw(b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + os.urandom(200), timeout=2)
        self.server.raw(b"\x00" * 100 + b"\r\n\r\n", timeout=2)
        self.get("/healthz", status=200)

    def test_huge_header_rejected(self):
        data = self.server.raw(b"GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + b"a" * 200000 + b"\r\n\r\n")
        st = parse_raw_status(data)
        self.assertTrue(data == b"" or st in (400, 413, 414, 431), data[:200])
        self.get("/healthz", status=200)

    # ---- 413
    def oversized(self, method):
        s = socket.create_connection((self.server.host, self.server.port), timeout=5)
        try:
            s.sendall(("%s / HTTP/1.1\r\nHost: a\r\nContent-Type: application/octet-stream\r\n"
                       "Content-Length: 10000000\r\n\r\n" % method).encode())
            chunk = b"x" * 65536
            got = b""
            sent = 0
            end = time.monotonic() + DEADLINE
            while time.monotonic() < end and b"\r\n\r\n" not in got:
                r, w, _ = select.select([s], [s] if sent < 10000000 else [], [], 0.5)
                if r:
                    try:
                        d = s.recv(65536)
                    except ConnectionResetError:
                        break
                    if not d:
                        break
                    got += d
                elif w:
                    try:
                        sent += s.send(chunk)
                    except (BrokenPipeError, ConnectionResetError):
                        # the server stopped reading: collect its answer
                        s.settimeout(2)
                        try:
                            got += s.recv(65536)
                        except OSError:
                            pass
                        break
            return got
        finally:
            s.close()

    def test_oversized_post_413(self):
        got = self.oversized("POST")
        self.assertEqual(parse_raw_status(got), 413, got[:300])
        self.get("/healthz", status=200)

    def test_oversized_get_body_413(self):
        got = self.oversized("GET")
        self.assertEqual(parse_raw_status(got), 413, got[:300])

    # ---- methods
    def test_method_not_allowed(self):
        for m in ("DELETE", "PUT", "PATCH"):
            with self.subTest(method=m):
                r = self.server.request(m, "/")
                self.assertEqual(r.status, 405, r)
                self.assertIn("GET", r.h("allow", ""))

    # ---- HEAD
    def test_head(self):
        for path in ("/", self.path, "/feed/", "/feed/json/", "/sitemap.xml", "/robots.txt",
                     "/gibt-es-nicht/"):
            with self.subTest(path=path):
                g = self.server.get(path)
                h = self.server.head(path)
                self.assertEqual(h.status, g.status)
                self.assertEqual(h.body, b"")
                skip = {"date", "connection", "keep-alive"}
                self.assertEqual({k: v for k, v in h.headers.items() if k not in skip},
                                 {k: v for k, v in g.headers.items() if k not in skip})
                if h.h("content-length") is not None:
                    self.assertEqual(int(h.h("content-length")), len(g.body))

    def test_keep_alive_sequence(self):
        """GET, HEAD, conditional GET and a 404 on one connection: framing stays right."""
        import http.client
        c = http.client.HTTPConnection(self.server.host, self.server.port, timeout=10)
        try:
            seen = []
            etag = None
            for method, path, hdrs in (("GET", "/", {}), ("HEAD", self.path, {}),
                                       ("GET", "/", None), ("GET", "/gibt-es-nicht/", {}),
                                       ("HEAD", "/gibt-es-nicht/", {}), ("GET", "/healthz", {})):
                if hdrs is None:
                    hdrs = {"If-None-Match": etag}
                c.request(method, path, headers=hdrs)
                r = c.getresponse()
                body = r.read()
                if etag is None:
                    etag = r.getheader("ETag")
                seen.append((method, path, r.status, len(body)))
            self.assertEqual([x[2] for x in seen], [200, 200, 304, 404, 404, 200], seen)
            self.assertEqual(seen[1][3], 0)
            self.assertEqual(seen[4][3], 0)
        finally:
            c.close()

    def test_concurrent_requests(self):
        import threading
        paths = ["/", self.path, "/feed/", "/feed/json/", "/sitemap.xml", "/gibt-es-nicht/"] * 6
        want = {p: self.server.get(p).body for p in set(paths)}
        errors = []

        def worker(i, p):
            try:
                r = self.server.get(p, headers={"Accept-Encoding": "gzip"} if i % 2 else None)
                body = gzip.decompress(r.body) if r.h("content-encoding") == "gzip" else r.body
                if body != want[p]:
                    errors.append((p, r.status, "different body"))
            except Exception as e:  # noqa: BLE001
                errors.append((p, repr(e)))
        ts = [threading.Thread(target=worker, args=(i, p)) for i, p in enumerate(paths)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(DEADLINE)
        self.assertEqual(errors, [])
        self.get("/healthz", status=200)

    def test_head_sends_no_body_on_the_wire(self):
        data = self.server.raw(("HEAD %s HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                                % self.path).encode(), timeout=3)
        self.assertEqual(parse_raw_status(data), 200, data[:200])
        head, sep, rest = data.partition(b"\r\n\r\n")
        self.assertTrue(sep)
        self.assertEqual(rest, b"", "HEAD response carried a body")

    # ---- gzip
    def test_gzip(self):
        for path in ("/", self.path, "/feed/", "/feed/json/"):
            with self.subTest(path=path):
                plain = self.get(path, status=200)
                z = self.get(path, headers={"Accept-Encoding": "gzip"}, status=200)
                self.assertEqual(z.h("content-encoding"), "gzip", z)
                self.assertEqual(gzip.decompress(z.body), plain.body)
                self.assertIsNone(plain.h("content-encoding"))
                self.assertTrue(plain.h("etag") and z.h("etag"))
                self.assertNotEqual(plain.h("etag"), z.h("etag"))
                for r in (plain, z):
                    vary = [v.strip().lower() for v in (r.h("vary") or "").split(",")]
                    self.assertIn("accept-encoding", vary, r)
                self.assertEqual(z.h("content-type"), plain.h("content-type"))
                if z.h("content-length") is not None:
                    self.assertEqual(int(z.h("content-length")), len(z.body))

    def test_gzip_negotiation(self):
        for ae in ("identity", "gzip;q=0", "deflate"):
            with self.subTest(ae=ae):
                r = self.get("/", headers={"Accept-Encoding": ae}, status=200)
                self.assertIn(r.h("content-encoding"), (None, "identity"), r)
        r = self.get("/", headers={"Accept-Encoding": "br;q=1.0, gzip;q=0.8, *;q=0.1"}, status=200)
        self.assertIn(r.h("content-encoding"), ("gzip", "br"))
        r = self.get("/", headers={"Accept-Encoding": "GZIP"}, status=200)
        self.assertEqual(r.h("content-encoding"), "gzip")

    # ---- redirects
    def test_slash_redirect(self):
        for path in (self.path.rstrip("/"), "/feed", "/feed/atom", "/tag/technik"):
            with self.subTest(path=path):
                r = self.server.get(path)
                self.assertEqual(r.status, 301, r)
                self.assertEqual(local_path(r.h("location", "")), path + "/")

    def test_no_redirect_for_files(self):
        for path in ("/healthz", "/robots.txt", "/sitemap.xml", "/news-sitemap.xml"):
            with self.subTest(path=path):
                self.assertEqual(self.server.get(path).status, 200)

    def test_open_redirect_guard(self):
        r = self.server.get("//evil.example")
        if r.status in (301, 302, 307, 308):
            loc = r.h("location", "")
            self.assertFalse(loc.startswith("//") or "evil.example" in loc.split("/")[2:3],
                             "redirect to another host: %r" % loc)

    # ---- assets
    def test_stylesheet(self):
        url = self.css_url()
        path = local_path(url)
        self.assertTrue(path and path.startswith("/assets/"), url)
        self.assertRegex(path, r"\?v=\w+")
        r = self.get(path, status=200)
        self.assertTrue(r.h("content-type", "").startswith("text/css"), r)
        self.assertTrue(r.body)
        self.assertEqual(self.get(path.split("?")[0], status=200).body, r.body)

    def test_asset_traversal(self):
        for path in ("/assets/../../../../etc/passwd", "/assets/..%2f..%2f..%2f..%2fetc%2fpasswd",
                     "/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/assets/....//....//etc/passwd",
                     "/assets/..%5c..%5cetc%5cpasswd", "/assets/", "/assets/%00style.css"):
            with self.subTest(path=path):
                r = self.server.get(path)
                self.assertIn(r.status, (400, 403, 404), r)
                self.assertNotIn(b"root:", r.body)
        for path in ("/assets/../site.json", "/assets/..%2fsite.json", "/assets/..%2f..%2fsite.json"):
            with self.subTest(path=path):
                r = self.server.get(path)
                self.assertNotIn(b"base_url", r.body)

    # ---- content types
    def test_content_types(self):
        want = {"/": "text/html", self.path: "text/html", "/feed/json/": "application/",
                "/robots.txt": "text/plain", "/healthz": "text/plain"}
        for path, ct in want.items():
            with self.subTest(path=path):
                r = self.get(path, status=200)
                self.assertTrue(r.h("content-type", "").startswith(ct), r.h("content-type"))
                if ct.startswith("text/"):
                    self.assertIn("charset=utf-8", r.h("content-type").lower().replace(" ", ""))


class LifecycleTest(unittest.TestCase):
    """serve: port 0, SIGTERM/SIGINT exit 0, errors."""

    def setUp(self):
        if not os.path.exists(binary()):
            self.fail("binary not found: %s" % binary())
        self.site = Site()
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.kill()
        self.site.cleanup()

    def start(self, *args):
        s = Server(self.site, args)
        self.servers.append(s)
        return s

    def test_sigterm_exit_0(self):
        s = self.start()
        self.assertNotEqual(s.port, 0)
        self.assertEqual(s.get("/healthz").status, 200)
        self.assertEqual(s.stop(), 0, s.stderr())

    def test_sigint_exit_0(self):
        s = self.start()
        self.assertEqual(s.get("/healthz").status, 200)
        s.proc.send_signal(signal.SIGINT)
        try:
            rc = s.proc.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            self.fail("no exit within %.0fs of SIGINT" % DEADLINE)
        self.assertEqual(rc, 0, s.stderr())

    def test_sigterm_with_open_idle_connection(self):
        s = self.start()
        c = socket.create_connection((s.host, s.port))
        try:
            c.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
            c.recv(4096)  # keep-alive connection stays open
            self.assertEqual(s.stop(), 0, s.stderr())
        finally:
            c.close()

    def test_two_servers_one_site(self):
        a = self.start()
        b = self.start()
        self.assertNotEqual(a.port, b.port)
        self.assertEqual(a.get("/").status, 200)
        self.assertEqual(b.get("/").status, 200)
        self.assertEqual(a.stop(), 0)
        self.assertEqual(b.stop(), 0)

    def test_port_in_use_fails(self):
        a = self.start()
        r = run_cli(["serve", "--listen", "127.0.0.1:%d" % a.port], data_dir=self.site.dir,
                    timeout=DEADLINE)
        self.assertEqual(r.rc, 1, r)
        self.assertRegex(r.err, r"(?m)^depesche: \S", r)

    def test_serve_without_site_fails(self):
        root = tempfile.mkdtemp(prefix="depesche-it-nosite-")
        try:
            r = run_cli(["serve", "--listen", "127.0.0.1:0"], data_dir=os.path.join(root, "x"),
                        timeout=DEADLINE)
            self.assertEqual(r.rc, 1, r)
            self.assertRegex(r.err, r"(?m)^depesche: \S", r)
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def test_bad_listen_address(self):
        for addr in ("nonsense", "127.0.0.1:99999", "127.0.0.1:-1"):
            with self.subTest(addr=addr):
                r = run_cli(["serve", "--listen", addr], data_dir=self.site.dir, timeout=DEADLINE)
                self.assertIn(r.rc, (1, 2), r)
                self.assertRegex(r.err, r"(?m)^depesche: \S", r)


if __name__ == "__main__":
    unittest.main()
