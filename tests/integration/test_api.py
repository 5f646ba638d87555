"""The JSON API under /api/v1/: bearer tokens made with `depesche token add`,
roles and per-article rules, posts (create, read, list, change, publish,
unpublish, delete — visible on the public site), the comment queue and
moderators' decisions, and every error as JSON with the right status
(400, 401, 403, 404, 409, 413, 429).

Comments are written the way readers write them: the public form
POST /<slug>/comment/ with the hidden "ticket" of the article page."""

import json
import re
import socket
import sqlite3
import time
import urllib.parse

from harness import BASE_URL, DEADLINE, Page, SiteTestCase, poll, wait_for_status

API = "/api/v1"
JSON_TYPE = "application/json"

# Accounts of the tests: token name -> role. The names double as bylines.
TOKENS = {
    "integration": "admin",
    "redaktion": "editor",
    "anna": "author",
    "bert": "author",
    "moderation": "moderator",
    "flood": "admin",      # only the rate-limit test uses it
}

POST_FIELDS = {"id", "slug", "path", "url", "title", "status", "date", "updated", "dateline",
               "tags", "category", "author", "lang"}
COMMENT_FIELDS = {"id", "post", "post_title", "parent", "author", "text", "status", "verdict",
                  "score", "reasons", "created"}
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def make_tokens(site):
    """`depesche token add` for every account; the token is the last line."""
    tokens = {}
    for name, role in TOKENS.items():
        r = site.cli("token", "add", "--name", name, "--role", role)
        if r.rc != 0:
            raise AssertionError("depesche token add failed: %r" % r)
        tok = r.last_line
        if not re.fullmatch(r"\S{20,}", tok):
            raise AssertionError("token add: the last line is not a token: %r" % r)
        tokens[name] = tok
    return tokens


class APITestCase(SiteTestCase):
    SERVE = True

    @classmethod
    def populate(cls):
        cls.tokens = make_tokens(cls.site)

    def api(self, method, path, token="integration", body=None, raw=None, headers=None,
            status=None):
        """One API call. token: an account name of TOKENS, None for none, or
        ("raw", value) for an Authorization header as given. body: JSON-encoded;
        raw: bytes sent as they are. Checks that every answer is JSON (204:
        empty) and puts the parsed document in r.doc."""
        h = {}
        if isinstance(token, tuple):
            h["Authorization"] = token[1]
        elif token is not None:
            h["Authorization"] = "Bearer " + self.tokens[token]
        data = None
        if raw is not None:
            data = raw
            h["Content-Type"] = JSON_TYPE
        elif body is not None:
            data = json.dumps(body).encode("utf-8")
            h["Content-Type"] = JSON_TYPE
        h.update(headers or {})
        r = self.server.request(method, API + path, h, data)
        r.doc = None
        if r.status == 204:
            self.assertEqual(r.body, b"", "%s %s: 204 with a body: %r" % (method, path, r))
        else:
            self.assertTrue(r.h("content-type", "").startswith(JSON_TYPE),
                            "%s %s: not JSON: %r" % (method, path, r))
            r.doc = json.loads(r.body.decode("utf-8"))
            if r.status >= 400:
                self.assertIsInstance(r.doc, dict, r)
                self.assertIsInstance(r.doc.get("error"), str, "%s %s: no error message: %r"
                                      % (method, path, r))
                self.assertTrue(r.doc["error"], r)
        if status is not None:
            self.assertEqual(r.status, status, "%s %s: %r" % (method, path, r))
        self.assertEqual(r.h("cache-control"), "no-store", r)
        return r

    def create(self, token="integration", **fields):
        fields.setdefault("body", "Ein Absatz über die Sache.\n")
        r = self.api("POST", "/posts", token, body=fields, status=201)
        return r.doc

    def audit(self, obj):
        """(actor, action) of the audit log entries for object, oldest first."""
        con = sqlite3.connect(self.site.db, timeout=5)
        try:
            return [tuple(row) for row in con.execute(
                "SELECT actor, action FROM audit_log WHERE object = ? ORDER BY id", (obj,))]
        finally:
            con.close()

    def db_content(self):
        """The database without the tokens' last-use times (every call may
        touch those)."""
        con = sqlite3.connect(self.site.db, timeout=5)
        try:
            # Not iterdump(): it opens the search index, whose tokenizer
            # only the server's SQLite has (the index's shadow tables are
            # read like any other).
            names = [n for (n,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND name <> 'api_tokens'"
                " ORDER BY name")]
            return "\n".join("%s %r" % (n, con.execute('SELECT * FROM "%s"' % n).fetchall())
                             for n in names)
        finally:
            con.close()

    def assertUntouched(self, before, what):
        self.assertEqual(before, self.db_content(), "%s changed the database" % what)

    def public_has(self, path, needle):
        r = self.server.get(path)
        return r.status == 200 and needle in r.body.decode("utf-8", "replace")


# --------------------------------------------------------------------------

class AuthTest(APITestCase):
    """Who may call what: 401 without a valid token, 403 by role and by owner."""

    @classmethod
    def populate(cls):
        super().populate()
        cls.site.add("Ein Artikel von Bert", author="bert", slug="von-bert")

    def bert_post(self):
        r = self.api("GET", "/posts?limit=100", "integration", status=200)
        return [p for p in r.doc["posts"] if p["slug"] == "von-bert"][0]

    def test_401_without_token(self):
        for method, path in (("GET", "/posts"), ("POST", "/posts"), ("GET", "/posts/1"),
                             ("PATCH", "/posts/1"), ("DELETE", "/posts/1"),
                             ("GET", "/comments"), ("PATCH", "/comments/1")):
            with self.subTest(method=method, path=path):
                r = self.api(method, path, None, body={} if method in ("POST", "PATCH") else None,
                             status=401)
                self.assertIn("bearer", r.h("www-authenticate", "").lower(), r)

    def test_401_wrong_token(self):
        bad = ["Bearer " + "0" * 64, "Bearer " + self.tokens["integration"][:-1] + "x",
               "Bearer", "Bearer ", "Basic " + self.tokens["integration"],
               self.tokens["integration"], "Bearer " + self.tokens["integration"] + " extra"]
        for value in bad:
            with self.subTest(authorization=value[:20]):
                r = self.api("GET", "/posts", ("raw", value), status=401)
                self.assertNotIn(self.tokens["integration"], r.body.decode(), r)

    def test_token_is_stored_hashed(self):
        dump = self.site.db_dump()  # every table, api_tokens too
        for name, tok in self.tokens.items():
            self.assertNotIn(tok, dump, "the token of %s is in the database in clear" % name)

    def test_403_moderator_on_posts(self):
        pid = self.bert_post()["id"]
        before = self.db_content()
        for method, path, body in (("GET", "/posts", None),
                                   ("GET", "/posts/%d" % pid, None),
                                   ("POST", "/posts", {"title": "Vom Moderator", "body": "x"}),
                                   ("PATCH", "/posts/%d" % pid, {"title": "Übernommen"}),
                                   ("DELETE", "/posts/%d" % pid, None)):
            with self.subTest(method=method, path=path):
                self.api(method, path, "moderation", body=body, status=403)
        self.assertUntouched(before, "a moderator's post requests")

    def test_403_author_on_comments(self):
        self.api("GET", "/comments", "anna", status=403)
        self.api("PATCH", "/comments/1", "anna", body={"status": "approved"}, status=403)

    def test_403_author_on_someone_elses_post(self):
        p = self.bert_post()
        before = self.db_content()
        self.api("PATCH", "/posts/%d" % p["id"], "anna", body={"title": "Gekapert"}, status=403)
        self.api("PATCH", "/posts/%d" % p["id"], "anna", body={"status": "draft"}, status=403)
        self.api("DELETE", "/posts/%d" % p["id"], "anna", status=403)
        self.assertUntouched(before, "an author's requests on another's post")
        # reading is allowed: authors see what the newsroom has
        self.api("GET", "/posts/%d" % p["id"], "anna", status=200)

    def test_author_writes_under_own_name_only(self):
        before = self.db_content()
        self.api("POST", "/posts", "anna", body={"title": "Als Bert", "body": "x", "author": "bert"},
                 status=403)
        self.assertUntouched(before, "an author posting under another name")
        doc = self.create("anna", title="Annas eigener Text", slug="annas-text")
        self.assertEqual(doc["author"], "anna")
        # her own post: she may change and delete it, but not give it away
        self.api("PATCH", "/posts/%d" % doc["id"], "anna", body={"author": "bert"}, status=403)
        r = self.api("PATCH", "/posts/%d" % doc["id"], "anna", body={"title": "Annas Text, neu"},
                     status=200)
        self.assertEqual(r.doc["title"], "Annas Text, neu")
        self.api("DELETE", "/posts/%d" % doc["id"], "anna", status=204)

    def test_editor_may_touch_any_post(self):
        p = self.bert_post()
        r = self.api("PATCH", "/posts/%d" % p["id"], "redaktion", body={"dateline": "BERLIN"},
                     status=200)
        self.assertEqual(r.doc["dateline"], "BERLIN")
        self.assertEqual(r.doc["author"], "bert", "an editor's change took the byline")


# --------------------------------------------------------------------------

class PostsTest(APITestCase):
    """Create, read, list, change, publish, unpublish and delete; the public
    site follows."""

    @classmethod
    def populate(cls):
        super().populate()
        cls.site.add("Bestand eins", slug="bestand-eins", date="2025-01-02T10:00:00Z")
        cls.site.add("Bestand zwei", slug="bestand-zwei", date="2025-01-03T10:00:00Z",
                     draft=True)

    def test_create_read_and_public(self):
        r = self.api("POST", "/posts", body={
            "title": "Neue Brücke über die Elbe", "body": "Der **Bau** beginnt.\n",
            "dateline": "DRESDEN", "tags": ["Verkehr", "Bau"], "category": "Regional",
            "author": "Clara Weiß", "date": "2025-03-01T09:30:00+01:00"}, status=201)
        doc = r.doc
        self.assertLessEqual(POST_FIELDS | {"body"}, set(doc), doc)
        self.assertEqual(doc["slug"], "neue-bruecke-ueber-die-elbe")
        self.assertEqual(doc["path"], "/neue-bruecke-ueber-die-elbe/")
        self.assertEqual(doc["url"], BASE_URL + "/neue-bruecke-ueber-die-elbe/")
        self.assertEqual(doc["status"], "published")
        self.assertEqual(doc["date"], "2025-03-01T08:30:00Z")
        self.assertRegex(doc["updated"], RFC3339_UTC)
        self.assertEqual(doc["dateline"], "DRESDEN")
        self.assertEqual(sorted(doc["tags"]), ["Bau", "Verkehr"])
        self.assertEqual(doc["category"], "Regional")
        self.assertEqual(doc["author"], "Clara Weiß")
        self.assertEqual(doc["body"], "Der **Bau** beginnt.\n")
        loc = r.h("location", "")
        self.assertTrue(loc.endswith("/api/v1/posts/%d" % doc["id"]), r)
        got = self.api("GET", "/posts/%d" % doc["id"], status=200).doc
        self.assertEqual(got, doc)
        poll(lambda: self.public_has(doc["path"], "Neue Brücke über die Elbe"),
             what="the new post on the public site")
        poll(lambda: self.public_has("/", "Neue Brücke über die Elbe"), what="the post on /")
        self.assertIn(("integration", "post.create"), self.audit(doc["path"]))

    def test_create_draft_not_public(self):
        doc = self.create(title="Noch geheim", status="draft")
        self.assertEqual(doc["status"], "draft")
        time.sleep(0.3)
        self.assertEqual(self.server.get(doc["path"]).status, 404)

    def test_publish_and_unpublish(self):
        doc = self.create(title="Hin und her", status="draft")
        path = "/posts/%d" % doc["id"]
        r = self.api("PATCH", path, body={"status": "published"}, status=200)
        self.assertEqual(r.doc["status"], "published")
        self.assertEqual(r.doc["title"], "Hin und her")
        wait_for_status(self.server, doc["path"], 200)
        r = self.api("PATCH", path, body={"status": "draft"}, status=200)
        self.assertEqual(r.doc["status"], "draft")
        wait_for_status(self.server, doc["path"], 404)
        poll(lambda: "Hin und her" not in self.server.get("/").body.decode(),
             what="the unpublished post gone from /")
        r = self.api("PATCH", path, body={"status": "published"}, status=200)
        wait_for_status(self.server, doc["path"], 200)
        actions = [a for _, a in self.audit(doc["path"])]
        self.assertEqual(actions, ["post.create", "post.publish", "post.unpublish", "post.publish"])

    def test_schedule(self):
        future = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 86400 * 30))
        doc = self.create(title="Erscheint später", date=future)
        self.assertEqual(doc["status"], "scheduled")
        self.assertEqual(doc["date"], future)
        self.assertEqual(self.server.get(doc["path"]).status, 404)
        r = self.api("GET", "/posts?status=scheduled&limit=100", status=200)
        self.assertIn(doc["id"], [p["id"] for p in r.doc["posts"]])
        r = self.api("GET", "/posts?status=published&limit=100", status=200)
        self.assertNotIn(doc["id"], [p["id"] for p in r.doc["posts"]])

    def test_patch_changes_only_given_fields(self):
        doc = self.create(title="Alter Titel", tags=["eins", "zwei"], category="Politik",
                          dateline="BONN", body="Alter Text.\n")
        path = "/posts/%d" % doc["id"]
        wait_for_status(self.server, doc["path"], 200)
        self.server.get(doc["path"])  # in the cache now
        r = self.api("PATCH", path, body={"title": "Neuer Titel"}, status=200)
        new = r.doc
        self.assertEqual(new["title"], "Neuer Titel")
        for k in ("slug", "tags", "category", "dateline", "body", "date", "status", "author"):
            self.assertEqual(new[k], doc[k], k)
        poll(lambda: "Neuer Titel" in Page(self.server.get(doc["path"]).text).title_text,
             what="the new title on the public page")
        r = self.api("PATCH", path, body={"body": "Neuer Text.\n", "tags": ["drei"],
                                          "category": None, "dateline": None}, status=200)
        self.assertEqual(r.doc["body"], "Neuer Text.\n")
        self.assertEqual(r.doc["tags"], ["drei"])
        self.assertIsNone(r.doc["category"])
        self.assertIsNone(r.doc["dateline"])
        poll(lambda: self.public_has(doc["path"], "Neuer Text."), what="the new body")
        r = self.api("PATCH", path, body={"slug": "neuer-pfad"}, status=200)
        self.assertEqual(r.doc["path"], "/neuer-pfad/")
        wait_for_status(self.server, "/neuer-pfad/", 200)
        # an empty change is no change
        same = self.api("PATCH", path, body={}, status=200).doc
        self.assertEqual(same, r.doc)
        self.assertIn(("integration", "post.update"), self.audit("/neuer-pfad/"))

    def test_delete(self):
        doc = self.create(title="Wird gelöscht")
        wait_for_status(self.server, doc["path"], 200)
        r = self.api("DELETE", "/posts/%d" % doc["id"], status=204)
        self.assertEqual(r.body, b"")
        self.api("GET", "/posts/%d" % doc["id"], status=404)
        self.api("DELETE", "/posts/%d" % doc["id"], status=404)
        self.api("PATCH", "/posts/%d" % doc["id"], body={"title": "x"}, status=404)
        wait_for_status(self.server, doc["path"], 404)
        self.assertIn(("integration", "post.delete"), self.audit(doc["path"]))

    def test_list(self):
        r = self.api("GET", "/posts", status=200)
        doc = r.doc
        self.assertEqual(set(doc), {"posts", "total", "limit", "offset"})
        self.assertEqual((doc["limit"], doc["offset"]), (50, 0))
        slugs = [p["slug"] for p in doc["posts"]]
        self.assertIn("bestand-eins", slugs)
        self.assertIn("bestand-zwei", slugs, "status=all (the default) lists drafts")
        for p in doc["posts"]:
            self.assertLessEqual(POST_FIELDS, set(p), p)
            self.assertNotIn("body", p, "lists carry no bodies")
            self.assertRegex(p["date"], RFC3339_UTC)
        dates = [p["date"] for p in doc["posts"]]
        self.assertEqual(dates, sorted(dates, reverse=True), "newest first")
        self.assertEqual(doc["total"], len(doc["posts"]))

        drafts = self.api("GET", "/posts?status=draft", status=200).doc
        self.assertTrue(drafts["posts"])
        self.assertTrue(all(p["status"] == "draft" for p in drafts["posts"]), drafts)
        self.assertIn("bestand-zwei", [p["slug"] for p in drafts["posts"]])
        pub = self.api("GET", "/posts?status=published", status=200).doc
        self.assertTrue(all(p["status"] == "published" for p in pub["posts"]), pub)
        self.assertIn("bestand-eins", [p["slug"] for p in pub["posts"]])

        # paging walks the same list
        total = doc["total"]
        seen = []
        for off in range(0, total, 2):
            page = self.api("GET", "/posts?limit=2&offset=%d" % off, status=200).doc
            self.assertEqual(page["total"], total)
            self.assertLessEqual(len(page["posts"]), 2)
            seen += [p["id"] for p in page["posts"]]
        self.assertEqual(sorted(seen), sorted(p["id"] for p in doc["posts"]))
        far = self.api("GET", "/posts?offset=999999", status=200).doc
        self.assertEqual(far["posts"], [])
        page = self.api("GET", "/posts?status=draft&limit=1&offset=0", status=200).doc
        self.assertEqual(len(page["posts"]), 1)
        self.assertEqual(page["total"], drafts["total"])

    def test_409_duplicate_slug(self):
        self.create(title="Erster", slug="gleicher-pfad")
        before = self.db_content()
        r = self.api("POST", "/posts", body={"title": "Zweiter", "body": "x",
                                              "slug": "gleicher-pfad"}, status=409)
        self.assertIn("slug", r.doc["error"])
        self.assertUntouched(before, "a create with a taken slug")
        other = self.create(title="Dritter", slug="anderer-pfad")
        self.api("PATCH", "/posts/%d" % other["id"], body={"slug": "gleicher-pfad"}, status=409)
        # a title whose slug is taken gets a numbered one, not a 409
        again = self.create(title="Gleicher Pfad")
        self.assertRegex(again["slug"], r"^gleicher-pfad-\d+$")

    def test_400_malformed_json(self):
        before = self.db_content()
        for raw in (b'{"title": "x", "body": ', b"{title: 'ECHOMARKER'}",
                    b'{"title": "a", "body": "b"} trailing ECHOMARKER',
                    b"\xff\xfe{\"title\": 1}", b'{"title": "ECHOMARKER\\u0000", "body": "x"}',
                    b'{"title": "a", "title": "b", "body": "c"}', b"ECHOMARKER"):
            with self.subTest(raw=raw[:30]):
                r = self.api("POST", "/posts", raw=raw, status=400)
                self.assertNotIn("ECHOMARKER", r.doc["error"], "the error echoes the body")
        r = self.api("POST", "/posts", raw=b'{"title": "x",\n "body": ', status=400)
        self.assertIn("line 2", r.doc["error"], "the parser's position is useful")
        self.assertUntouched(before, "malformed JSON")

    def test_400_wrong_shapes(self):
        before = self.db_content()
        cases = [
            ([], "not an object"), ("text", "a string"), ({}, "no title, no body"),
            ({"title": "Nur Titel"}, "no body"),
            ({"title": 5, "body": "x"}, "title a number"),
            ({"title": "t", "body": ["x"]}, "body an array"),
            ({"title": "t", "body": "x", "tags": "a,b"}, "tags a string"),
            ({"title": "t", "body": "x", "tags": [1, 2]}, "tags of numbers"),
            ({"title": "t", "body": "x", "status": "gone"}, "unknown status"),
            ({"title": "t", "body": "x", "status": True}, "status a boolean"),
            ({"title": "t", "body": "x", "date": "gestern"}, "bad date"),
            ({"title": "t", "body": "x", "date": "2025-02-30"}, "impossible date"),
            ({"title": "t", "body": "x", "slug": "Mit Leerzeichen"}, "bad slug"),
            ({"title": "t", "body": "x", "slug": "admin"}, "reserved slug"),
            ({"title": "   ", "body": "x"}, "blank title"),
            ({"title": "t" * 301, "body": "x"}, "title too long"),
            ({"title": "t\u0007", "body": "x"}, "control character"),
            ({"title": "t", "body": "x", "lang": "deutsch!"}, "bad lang"),
            ({"title": "t", "body": "x", "unbekannt": 1}, "unknown field"),
        ]
        for body, why in cases:
            with self.subTest(why=why):
                self.api("POST", "/posts", body=body, status=400)
        self.assertUntouched(before, "rejected creates")
        doc = self.create(title="Für Änderungen")
        after_create = self.db_content()
        for body, why in (({"title": None}, "null title"), ({"status": "scheduled"}, "status"),
                          ({"date": 20250101}, "date a number"), ({"x": 1}, "unknown field"),
                          ({"title": ""}, "empty title")):
            with self.subTest(why="patch: " + why):
                self.api("PATCH", "/posts/%d" % doc["id"], body=body, status=400)
        self.assertUntouched(after_create, "rejected changes")

    def test_400_form_encoded(self):
        r = self.api("POST", "/posts", raw=b"title=x&body=y",
                     headers={"Content-Type": "application/x-www-form-urlencoded"}, status=400)
        self.assertIn("application/json", r.doc["error"])
        self.api("POST", "/posts", raw=b"", status=400)

    def test_400_query_numbers(self):
        for q in ("limit=0", "limit=101", "limit=abc", "limit=", "limit=-1", "limit=+5",
                  "limit=5x", "limit=1e2", "limit=%205", "offset=-1", "offset=1.5",
                  "offset=99999999999999999999", "offset=0x10", "status=alle", "status=",
                  "status=DRAFT"):
            with self.subTest(q=q):
                r = self.api("GET", "/posts?" + q, status=400)
                self.assertNotIn("abc", r.doc["error"])
        self.api("GET", "/posts?limit=100&offset=0", status=200)
        self.api("GET", "/posts?limit=1", status=200)

    def test_404(self):
        for method, path in (("GET", "/posts/999999"), ("PATCH", "/posts/999999"),
                             ("DELETE", "/posts/999999"), ("GET", "/posts/0"),
                             ("GET", "/gibt-es-nicht"), ("GET", "/posts/abc"),
                             ("GET", "/"), ("GET", "/v2/posts")):
            with self.subTest(method=method, path=path):
                self.api(method, path, body={"title": "x"} if method == "PATCH" else None,
                         status=404)

    def test_405(self):
        r = self.api("PUT", "/posts/1", body={"title": "x"})
        self.assertEqual(r.status, 405, r)
        self.assertTrue(r.h("allow"), r)


# --------------------------------------------------------------------------

class LimitsTest(APITestCase):
    """413 for bodies over the API's 1 MiB, 429 past the per-token rate."""

    def test_413_large_body(self):
        before = self.db_content()
        big = json.dumps({"title": "Zu groß", "body": "x" * (2 << 20)}).encode()
        r = self.api("POST", "/posts", raw=big, status=413)
        self.assertNotIn("xxxx", r.doc["error"])
        self.assertUntouched(before, "an oversized body")

    def test_413_chunked_without_length(self):
        """No Content-Length: the limit holds while the body streams in."""
        head = ("POST %s/posts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                "Connection: close\r\n\r\n" % (API, self.tokens["integration"])).encode()
        chunk = b"x" * 65536
        s = socket.create_connection((self.server.host, self.server.port), timeout=10)
        got = b""
        try:
            s.sendall(head)
            try:
                for _ in range(40):  # 2.5 MiB
                    s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                s.sendall(b"0\r\n\r\n")
            except OSError:
                pass  # the server may answer and close early
            s.settimeout(5)
            while True:
                try:
                    d = s.recv(65536)
                except OSError:
                    break
                if not d:
                    break
                got += d
        finally:
            s.close()
        m = re.match(rb"HTTP/1\.[01] (\d{3})", got)
        self.assertTrue(m, "no answer: %r" % got[:200])
        self.assertEqual(int(m.group(1)), 413, got[:300])
        self.assertIn(b"application/json", got.split(b"\r\n\r\n")[0].lower())

    def test_429_rate_limit(self):
        """Observed: a token gets a burst of about 200 calls, then 50 per
        second; past that 429 with a JSON error. Other tokens are not
        affected, and the token recovers within a second."""
        n = 0
        r = None
        t0 = time.monotonic()
        while n < 3000:
            r = self.api("GET", "/posts?limit=1", "flood")
            n += 1
            if r.status != 200:
                break
        elapsed = time.monotonic() - t0
        self.assertEqual(r.status, 429, "no 429 after %d calls in %.2fs" % (n, elapsed))
        self.assertGreater(n, 50, "429 after only %d calls" % n)
        print("\n    [429 after %d calls in %.2fs; Retry-After: %r]"
              % (n, elapsed, r.h("retry-after")), end=" ", flush=True)
        # another token has its own budget
        self.api("GET", "/posts?limit=1", "integration", status=200)
        # and the flooding token recovers
        poll(lambda: self.api("GET", "/posts?limit=1", "flood").status == 200,
             deadline=5, interval=0.1, what="the token to recover")


# --------------------------------------------------------------------------

class CommentsTest(APITestCase):
    """The moderation queue: list and filter, decide, the public page follows."""

    TEXTS = [
        "Ein sehr guter Bericht, danke für die gründliche Recherche zur Strecke.",
        "Ich wohne an der Strecke und kann bestätigen, dass die Bauarbeiten laut sind.",
        "Wann genau soll die Strecke denn eröffnet werden? Im Artikel fehlt ein Datum.",
        "Die Kosten erscheinen mir zu hoch, gibt es dazu eine unabhängige Schätzung?",
        "Interessant, dass der Bahnhof umgebaut wird. Gibt es Pläne für Fahrradstellplätze?",
    ]

    @classmethod
    def populate(cls):
        super().populate()
        cls.path = cls.site.add("Neue Bahnstrecke eröffnet", slug="neue-bahnstrecke")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.setup_error is not None:
            return
        try:
            cls.comment_ids = cls.write_comments()
        except Exception as e:  # noqa: BLE001 - reported by each test
            cls.setup_error = e

    @classmethod
    def write_comments(cls):
        """Posts TEXTS through the public form; returns their ids (from the
        API's pending list, by text)."""
        tickets = []
        for _ in cls.TEXTS:
            r = cls.server.get(cls.path)
            if r.status != 200:
                raise AssertionError("article page: %r" % r)
            p = Page(r.text)
            t = [a.get("value") for tag, a in p.elements
                 if tag == "input" and a.get("name") == "ticket"]
            if not t:
                raise AssertionError("no hidden 'ticket' input on the article page "
                                     "(comment form not ready?)")
            tickets.append(t[0])
        time.sleep(3.5)  # the form refuses answers faster than a person types
        for i, (text, ticket) in enumerate(zip(cls.TEXTS, tickets)):
            form = urllib.parse.urlencode({
                "name": "Leserin %d" % i, "email": "leserin%d@example.org" % i,
                "text": text, "ticket": ticket, "website": ""}).encode()
            r = cls.server.request("POST", cls.path + "comment/",
                                   {"Content-Type": "application/x-www-form-urlencoded"}, form)
            if r.status not in (200, 201, 303):
                raise AssertionError("comment form refused comment %d: %r" % (i, r))
        tok = cls.tokens["moderation"]
        ids = {}

        def collect():
            for st in ("pending", "approved", "spam"):
                r = cls.server.request("GET", API + "/comments?status=%s&limit=100" % st,
                                       {"Authorization": "Bearer " + tok})
                if r.status != 200:
                    raise AssertionError("GET /comments: %r" % r)
                for c in json.loads(r.body)["comments"]:
                    ids[c["text"]] = c["id"]
            return len(ids) == len(cls.TEXTS)
        poll(collect, what="all comments in the API's lists")
        return [ids[t] for t in cls.TEXTS]

    def pending(self):
        return self.api("GET", "/comments?limit=100", "moderation", status=200).doc

    def test_list_pending(self):
        doc = self.pending()
        self.assertEqual(set(doc), {"comments", "total", "limit", "offset"})
        self.assertEqual((doc["limit"], doc["offset"]), (100, 0))
        self.assertTrue(doc["comments"], "none of the readers' comments is pending")
        for c in doc["comments"]:
            self.assertEqual(set(c), COMMENT_FIELDS, c)
            self.assertEqual(c["status"], "pending")
            self.assertEqual(c["post"], self.path)
            self.assertEqual(c["post_title"], "Neue Bahnstrecke eröffnet")
            self.assertIsNone(c["parent"])
            self.assertTrue(c["author"].startswith("Leserin "), c)
            self.assertIsInstance(c["reasons"], list)
            self.assertTrue(all(isinstance(x, str) for x in c["reasons"]), c)
            self.assertIsInstance(c["score"], (int, float))
            self.assertTrue(c["verdict"] is None or isinstance(c["verdict"], str), c)
            self.assertRegex(c["created"], RFC3339_UTC)
        self.assertEqual(doc["total"], len(doc["comments"]))
        text = json.dumps(doc)
        self.assertNotIn("example.org", text, "an e-mail address in the API")
        self.assertNotIn("127.0.0.1", text, "an IP address in the API")
        # editors and admins see the queue too
        self.api("GET", "/comments", "redaktion", status=200)
        self.api("GET", "/comments", "integration", status=200)

    def test_paging_and_filters(self):
        total = self.pending()["total"]
        if total < 2:
            self.skipTest("fewer than two pending comments")
        a = self.api("GET", "/comments?limit=1", "moderation", status=200).doc
        b = self.api("GET", "/comments?limit=1&offset=1", "moderation", status=200).doc
        self.assertEqual((len(a["comments"]), len(b["comments"])), (1, 1))
        self.assertNotEqual(a["comments"][0]["id"], b["comments"][0]["id"])
        self.assertEqual(a["total"], total)
        for q in ("status=alle", "status=", "limit=0", "limit=101", "limit=x", "offset=-3",
                  "offset=1e3"):
            with self.subTest(q=q):
                self.api("GET", "/comments?" + q, "moderation", status=400)
        for st in ("pending", "approved", "spam", "rejected"):
            doc = self.api("GET", "/comments?status=" + st, "moderation", status=200).doc
            self.assertTrue(all(c["status"] == st for c in doc["comments"]), doc)

    def test_approve_is_public(self):
        cid = self.comment_ids[0]
        r = self.api("PATCH", "/comments/%d" % cid, "moderation", body={"status": "approved"},
                     status=200)
        self.assertEqual(r.doc["id"], cid)
        self.assertEqual(r.doc["status"], "approved")
        self.assertEqual(set(r.doc), COMMENT_FIELDS)
        approved = self.api("GET", "/comments?status=approved", "moderation", status=200).doc
        self.assertIn(cid, [c["id"] for c in approved["comments"]])
        self.assertNotIn(cid, [c["id"] for c in self.pending()["comments"]])
        poll(lambda: self.public_has(self.path, self.TEXTS[0][:40]),
             what="the approved comment on the article page")

    def test_spam_and_reject(self):
        spam, rej = self.comment_ids[1], self.comment_ids[2]
        r = self.api("PATCH", "/comments/%d" % spam, "moderation", body={"status": "spam"},
                     status=200)
        self.assertEqual(r.doc["status"], "spam")
        r = self.api("PATCH", "/comments/%d" % rej, "redaktion", body={"status": "rejected"},
                     status=200)
        self.assertEqual(r.doc["status"], "rejected")
        spams = self.api("GET", "/comments?status=spam", "moderation", status=200).doc
        self.assertIn(spam, [c["id"] for c in spams["comments"]])
        time.sleep(0.3)
        page = self.server.get(self.path).body.decode()
        self.assertNotIn(self.TEXTS[1][:40], page)
        self.assertNotIn(self.TEXTS[2][:40], page)

    def test_decisions_are_audited(self):
        cid = self.comment_ids[3]
        self.api("PATCH", "/comments/%d" % cid, "moderation", body={"status": "approved"},
                 status=200)
        con = sqlite3.connect(self.site.db, timeout=5)
        try:
            rows = con.execute("SELECT actor FROM audit_log WHERE object LIKE ?",
                               ("%%%d%%" % cid,)).fetchall()
        finally:
            con.close()
        self.assertIn(("moderation",), rows, "no audit entry naming the moderator")

    def test_patch_errors(self):
        cid = self.comment_ids[4]
        before = self.db_content()
        for body in ({"status": "pending"}, {"status": "approve!"}, {"status": 1}, {},
                     {"status": "approved", "text": "neu"}, [], {"status": None}):
            with self.subTest(body=body):
                self.api("PATCH", "/comments/%d" % cid, "moderation", body=body, status=400)
        for raw in (b"{", b"status=approved", b'{"status": "approved"} x'):
            with self.subTest(raw=raw):
                self.api("PATCH", "/comments/%d" % cid, "moderation", raw=raw, status=400)
        self.assertUntouched(before, "rejected decisions")
        self.api("PATCH", "/comments/999999", "moderation", body={"status": "approved"},
                 status=404)
        self.api("PATCH", "/comments/0", "moderation", body={"status": "approved"}, status=404)
        self.api("DELETE", "/comments/%d" % cid, "moderation", status=405)
