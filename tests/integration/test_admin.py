"""The newsroom admin under /admin/, driven like a browser without JavaScript:
plain form posts, a session cookie, the CSRF token read from each page.

Accounts come from `depesche user add --password-stdin`; reader comments are
written through the public form (POST /<slug>/comment/ with the article
page's hidden ticket). What a page claims is checked against the database
(read-only) where it matters: statuses, texts, authors, the audit log.

Covers: login and logout (cookie flags, `next`, the generic failure message,
throttling after 5 failures), CSRF (missing or wrong token: 403, nothing
changed), roles (moderator, author, editor, admin; per-article ownership),
the moderation queue (reasons, badge, approve/spam/reject one and in bulk,
edit, reply as the site, depth limit), the article editor (preview, draft,
publish, schedule, unpublish, delete with confirmation, errors keep the
input), image uploads (recognised by their bytes, size limit, appended to an
article), the audit log, escaping of hostile input on every admin page, and
HTML validity with the Nu Html Checker when java and vnu.jar are present."""

import datetime
import json
import os
import re
import secrets
import shutil
import sqlite3
import struct
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import zlib

from harness import REPO, Page, Server, SiteTestCase, poll, wait_for_status

PASSWORD = "richtig-geheim-2026"
USERS = {
    "chefin": "admin",
    "redakteur": "editor",
    "anna": "author",
    "bert": "author",
    "moritz": "moderator",
}
FORM = "application/x-www-form-urlencoded"
# Status numbers of enum comment_status (store.h).
PENDING, APPROVED, SPAM, REJECTED = 0, 1, 2, 3

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>"\'&'
XSS_ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"

VNU = os.path.join(REPO, "tests", "browser", "node_modules", "vnu-jar", "build", "dist", "vnu.jar")


def png_bytes():
    """A valid 1x1 PNG."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def multipart(fields, files):
    """fields: [(name, str)], files: [(name, filename, bytes, content_type)]."""
    boundary = "----depesche" + secrets.token_hex(12)
    b = boundary.encode()
    out = []
    for name, value in fields:
        out.append(b"--" + b + b"\r\nContent-Disposition: form-data; name=\"" + name.encode()
                   + b"\"\r\n\r\n" + value.encode("utf-8") + b"\r\n")
    for name, filename, data, ctype in files:
        out.append(b"--" + b + b"\r\nContent-Disposition: form-data; name=\"" + name.encode()
                   + b"\"; filename=\"" + filename.encode() + b"\"\r\nContent-Type: "
                   + ctype.encode() + b"\r\n\r\n" + data + b"\r\n")
    out.append(b"--" + b + b"--\r\n")
    return "multipart/form-data; boundary=" + boundary, b"".join(out)


def csrf_of(text):
    m = re.search(r'<input type="hidden" name="csrf" value="([0-9a-f]*)">', text)
    if not m:
        raise AssertionError("no csrf field on the page: %r" % text[:2000])
    return m.group(1)


class Browser:
    """Keeps cookies like a browser; never follows redirects."""

    def __init__(self, server):
        self.server = server
        self.cookies = {}
        self.last_set_cookie = []

    def headers(self, extra=None):
        h = {}
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        h.update(extra or {})
        return h

    def remember(self, r):
        self.last_set_cookie = [v for k, v in r.header_list if k.lower() == "set-cookie"]
        for v in self.last_set_cookie:
            name, _, rest = v.partition("=")
            value = rest.split(";")[0]
            low = v.lower()
            if value == "" or "max-age=0" in low or "1970" in low:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return r

    def get(self, path):
        return self.remember(self.server.request("GET", path, self.headers()))

    def post(self, path, fields, csrf=True, files=None):
        """fields: dict or list of pairs. csrf=True adds the token of the
        session (read from /admin/); False sends none; a string sends that."""
        pairs = list(fields.items()) if isinstance(fields, dict) else list(fields)
        if csrf is True:
            pairs.append(("csrf", self.csrf()))
        elif isinstance(csrf, str):
            pairs.append(("csrf", csrf))
        if files:
            ctype, body = multipart(pairs, files)
        else:
            ctype, body = FORM, urllib.parse.urlencode(pairs).encode()
        return self.remember(self.server.request("POST", path,
                                                 self.headers({"Content-Type": ctype}), body))

    def csrf(self):
        r = self.get("/admin/")
        if r.status != 200:
            raise AssertionError("GET /admin/ for the CSRF token: %r" % r)
        return csrf_of(r.text)


class AdminCase(SiteTestCase):
    SERVE = True
    LOGINS = ()

    @classmethod
    def populate(cls):
        path = os.path.join(cls.site.dir, "site.json")
        with open(path, encoding="utf-8") as f:
            conf = json.load(f)
        # Tests post comments at machine speed from one address, and want
        # every comment in the queue (none filed as spam automatically).
        conf.update({"comment_min_seconds": 0, "comment_rate_per_minute": 100000,
                     "auto_spam_score": 2.0, "timezone": "Europe/Berlin"})
        with open(path, "w", encoding="utf-8") as f:
            json.dump(conf, f)
        for name, role in USERS.items():
            r = cls.site.cli("user", "add", "--name", name, "--role", role, "--password-stdin",
                             stdin=PASSWORD + "\n")
            if r.rc != 0:
                raise AssertionError("depesche user add failed: %r" % r)
        cls.bahn = cls.site.add("Neue Bahnstrecke eröffnet", slug="neue-bahnstrecke",
                                author="anna", tags=["Verkehr"])
        cls.hafen = cls.site.add("Hafen wird ausgebaut", slug="hafen", author="bert")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.setup_error is not None:
            return
        try:
            cls.as_ = {}
            for name in cls.LOGINS:
                b = Browser(cls.server)
                r = b.post("/admin/login", {"name": name, "password": PASSWORD}, csrf=False)
                if r.status != 303:
                    raise AssertionError("login of %s: %r" % (name, r))
                cls.as_[name] = b
        except Exception as e:  # noqa: BLE001 - reported by each test
            cls.setup_error = e

    # ---- helpers
    def db(self, sql, *args):
        con = sqlite3.connect("file:%s?mode=ro" % self.site.db, uri=True, timeout=5)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def one(self, sql, *args):
        rows = self.db(sql, *args)
        self.assertEqual(len(rows), 1, "%s %r: %r" % (sql, args, rows))
        return rows[0]

    def article_id(self, slug):
        return self.one("SELECT id FROM articles WHERE slug = ?", slug)[0]

    def comment(self, text, name="Leserin", email="", parent=None, honeypot="", path=None):
        """Writes a comment through the public form; returns its id."""
        path = path or self.bahn
        r = self.server.get(path)
        self.assertEqual(r.status, 200, r)
        tickets = [a.get("value") for t, a in Page(r.text).elements
                   if t == "input" and a.get("name") == "ticket"]
        self.assertTrue(tickets, "no comment form with a ticket on %s" % path)
        fields = {"name": name, "email": email, "text": text, "ticket": tickets[0],
                  "website": honeypot}
        if parent:
            fields["parent"] = str(parent)
        r = self.server.request("POST", path + "comment/", {"Content-Type": FORM},
                                urllib.parse.urlencode(fields).encode())
        self.assertEqual(r.status, 303, "comment form: %r" % r)
        return self.db("SELECT id FROM comments WHERE text = ? ORDER BY id DESC", text)[0][0]

    def status_of(self, cid):
        return self.one("SELECT status FROM comments WHERE id = ?", cid)[0]

    def assertStatus(self, r, status, what=""):
        self.assertEqual(r.status, status, "%s %r" % (what, r))

    def assertRedirect(self, r, prefix):
        self.assertEqual(r.status, 303, r)
        self.assertTrue((r.h("location") or "").startswith(prefix),
                        "Location %r does not start with %r" % (r.h("location"), prefix))

    def assertEscaped(self, text, where):
        p = Page(text)
        self.assertNotIn("<script", text.lower(), "raw <script> on %s" % where)
        self.assertEqual(p.event_handler_attrs(), [], "event handler attributes on %s" % where)
        self.assertFalse([a for t, a in p.elements if t == "img" and a.get("src") == "x"],
                         "injected <img> on %s" % where)


# --------------------------------------------------------------------------
class LoginTest(AdminCase):
    """Signing in and out. (Two failed logins only: the address is throttled
    after five; ThrottleTest covers that on its own server.)"""

    def test_login_form(self):
        r = self.server.get("/admin/login")
        self.assertStatus(r, 200)
        p = Page(r.text)
        inputs = {a.get("name"): a for t, a in p.elements if t == "input"}
        self.assertEqual(inputs["password"].get("type"), "password")
        self.assertIn("name", inputs)
        labels = {a.get("for") for t, a in p.elements if t == "label"}
        self.assertTrue({inputs["name"].get("id"), inputs["password"].get("id")} <= labels)
        self.assertNotIn("csrf", inputs, "the login form needs no CSRF token")
        self.assertIn("frame-ancestors 'none'", r.h("content-security-policy", ""),
                      "the login page must not be framable")
        self.assertEqual(r.h("cache-control"), "no-store")

    def test_wrong_password_and_unknown_name(self):
        b = Browser(self.server)
        r1 = b.post("/admin/login", {"name": "chefin", "password": "falsch-falsch-falsch"},
                    csrf=False)
        r2 = b.post("/admin/login", {"name": "niemand", "password": PASSWORD}, csrf=False)
        for r in (r1, r2):
            self.assertNotEqual(r.status, 303, r)
            self.assertIn("Name oder Passwort falsch", r.text)
            self.assertFalse(any(v.startswith("depesche_session=") and "=;" not in v
                                 for v in b.last_set_cookie), b.last_set_cookie)
        self.assertStatus(b.get("/admin/"), 303)

    def test_login_cookie_and_logout(self):
        b = Browser(self.server)
        r = b.post("/admin/login", {"name": "chefin", "password": PASSWORD}, csrf=False)
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.h("location"), "/admin/")
        cookie = [v for v in b.last_set_cookie if v.startswith("depesche_session=")]
        self.assertEqual(len(cookie), 1, b.last_set_cookie)
        flags = [f.strip().lower() for f in cookie[0].split(";")[1:]]
        self.assertIn("httponly", flags)
        self.assertIn("samesite=strict", flags)
        self.assertIn("path=/", flags)
        self.assertNotIn("secure", flags, "plain-HTTP site: a Secure cookie would be lost")
        home = b.get("/admin/")
        self.assertStatus(home, 200)
        self.assertIn("chefin", home.text)
        old = dict(b.cookies)
        # logout needs the token too
        self.assertStatus(b.post("/admin/logout", {}, csrf=False), 403)
        self.assertStatus(b.get("/admin/"), 200)
        r = b.post("/admin/logout", {})
        self.assertRedirect(r, "/admin/login")
        page = self.server.get(r.h("location"))
        self.assertIn("Sie sind abgemeldet.", page.text)
        # the old cookie is worthless now
        b.cookies = old
        r = b.get("/admin/")
        self.assertRedirect(r, "/admin/login")

    def test_next_is_local_admin_path_only(self):
        cases = [("/admin/posts?status=draft", "/admin/posts?status=draft"),
                 ("//evil.example/admin/", "/admin/"),
                 ("https://evil.example/", "/admin/"),
                 ("/admin/../", "/admin/"),
                 ("/elsewhere/", "/admin/")]
        for nxt, want in cases:
            with self.subTest(next=nxt):
                b = Browser(self.server)
                r = b.post("/admin/login", {"name": "redakteur", "password": PASSWORD,
                                            "next": nxt}, csrf=False)
                self.assertEqual(r.status, 303, r)
                self.assertEqual(r.h("location"), want)

    def test_login_page_carries_next(self):
        r = self.server.get("/admin/comments")
        self.assertRedirect(r, "/admin/login?next=")
        page = self.server.get(r.h("location"))
        self.assertIn('name="next" value="/admin/comments"', page.text)

    def test_not_signed_in(self):
        for path in ("/admin/", "/admin/comments", "/admin/posts", "/admin/audit",
                     "/admin/posts/new"):
            with self.subTest(path=path):
                self.assertRedirect(self.server.get(path), "/admin/login")
        r = self.server.request("POST", "/admin/comments", {"Content-Type": FORM},
                                b"action=approve&id=1")
        self.assertIn(r.status, (401, 403), r)


class ThrottleTest(AdminCase):
    """After five failures the right password is refused too, with the same
    message (its own server: throttling is per address)."""

    def test_throttle_after_five_failures(self):
        b = Browser(self.server)
        for i in range(5):
            r = b.post("/admin/login", {"name": "chefin", "password": "falsch-%d-xxxxxx" % i},
                       csrf=False)
            self.assertNotEqual(r.status, 303, r)
            self.assertIn("Name oder Passwort falsch", r.text)
        r = b.post("/admin/login", {"name": "chefin", "password": PASSWORD}, csrf=False)
        self.assertNotEqual(r.status, 303, "the 6th attempt was let in: %r" % r)
        self.assertIn("Name oder Passwort falsch", r.text)
        self.assertNotIn("depesche_session", b.cookies)
        self.assertNotIn("zu viele", r.text.lower())


class EnglishLoginTest(AdminCase):
    LANG = "en"
    LOGINS = ("moritz",)

    def test_english_strings(self):
        b = Browser(self.server)
        r = b.post("/admin/login", {"name": "moritz", "password": "wrong-wrong-wrong"},
                   csrf=False)
        self.assertIn("Wrong name or password", r.text)
        page = self.as_["moritz"].get("/admin/comments")
        self.assertStatus(page, 200)
        self.assertIn('<html lang="en">', page.text)
        self.assertIn("Comments", page.text)
        self.assertIn("Sign out", page.text)


# --------------------------------------------------------------------------
class ModerationTest(AdminCase):
    LOGINS = ("moritz", "chefin", "anna", "redakteur")

    def queue(self, status="pending", who="moritz"):
        r = self.as_[who].get("/admin/comments?status=%s" % status)
        self.assertStatus(r, 200)
        return r

    def decide(self, action, *ids, who="moritz"):
        return self.as_[who].post("/admin/comments",
                                  [("action", action)] + [("id", str(i)) for i in ids])

    def test_queue_shows_pending_with_reasons(self):
        first = self.comment("Erster Kommentar zur Strecke.\nZweite Zeile.", name="Frieda")
        text = ("JETZT KAUFEN!!! Billige Uhren http://spam.example/a http://spam.example/b "
                "http://spam.example/c http://spam.example/d")
        second = self.comment(text, name="Werber", email="werbung@example.org")
        r = self.queue()
        page = r.text
        self.assertIn('<a href="/neue-bahnstrecke/">Neue Bahnstrecke eröffnet</a>', page)
        self.assertIn("Frieda", page)
        self.assertIn("Erster Kommentar zur Strecke.<br>Zweite Zeile.", page)
        self.assertLess(page.index('id="comment-%d"' % second), page.index('id="comment-%d"' % first),
                        "newest first")
        verdict, score, reasons = self.one("SELECT verdict, score, reasons FROM comments WHERE id = ?",
                                           second)
        chunk = page[page.index('id="comment-%d"' % second):page.index('id="comment-%d"' % first)]
        self.assertIn("%.2f" % score, chunk)
        for reason in json.loads(reasons):
            self.assertIn(reason, Page(chunk).text)
        self.assertTrue(verdict, "the store kept no verdict")
        # a checkbox for bulk actions and per-row buttons
        self.assertIn('name="id" value="%d" form="bulk"' % second, chunk)
        for action in ("approve", "spam", "reject"):
            self.assertIn('value="%s"' % action, chunk)
        self.assertIn('/admin/comments/%d/edit' % second, chunk)
        self.assertIn('/admin/comments/%d/reply' % second, chunk)

    def test_reasons_of_the_honeypot(self):
        cid = self.comment("Ich bin ein Bot mit Honigtopf.", honeypot="http://bot.example/")
        self.assertEqual(self.status_of(cid), SPAM)
        page = self.queue("spam").text
        self.assertIn("Ich bin ein Bot mit Honigtopf.", page)
        for reason in json.loads(self.one("SELECT reasons FROM comments WHERE id = ?", cid)[0]):
            self.assertIn(reason, Page(page).text)

    def test_pending_badge_in_header(self):
        self.comment("Noch ein Kommentar für das Abzeichen.")
        n = self.one("SELECT count(*) FROM comments WHERE status = 0")[0]
        for who in ("moritz", "chefin", "redakteur"):
            with self.subTest(who=who):
                page = self.as_[who].get("/admin/").text
                m = re.search(r'id="pending-count">(\d+)<', page)
                self.assertTrue(m, "no pending badge for %s" % who)
                self.assertEqual(int(m.group(1)), n)
        self.assertNotIn('id="pending-count"', self.as_["anna"].get("/admin/").text,
                         "authors see no comments, so no badge either")

    def test_approve_one(self):
        cid = self.comment("Diesen Kommentar bitte freigeben.")
        r = self.decide("approve", cid)
        self.assertRedirect(r, "/admin/comments?done=approved")
        self.assertEqual(self.status_of(cid), APPROVED)
        after = self.as_["moritz"].get(r.h("location"))
        self.assertIn("Freigegeben.", after.text)
        poll(lambda: "Diesen Kommentar bitte freigeben." in self.server.get(self.bahn).text,
             what="the approved comment on the article page")

    def test_spam_and_reject_one(self):
        a = self.comment("Das hier ist Spam, ehrlich.")
        b = self.comment("Das hier wird gelöscht.")
        self.assertRedirect(self.decide("spam", a), "/admin/comments?done=spam")
        self.assertRedirect(self.decide("reject", b), "/admin/comments?done=rejected")
        self.assertEqual(self.status_of(a), SPAM)
        self.assertEqual(self.status_of(b), REJECTED)
        self.assertIn("Das hier wird gelöscht.", self.queue("rejected").text)
        self.assertNotIn("Das hier ist Spam, ehrlich.", self.queue("pending").text)

    def test_bulk(self):
        ids = [self.comment("Sammelfreigabe Nummer %d." % i) for i in range(3)]
        r = self.decide("approve", ids[0], ids[1])
        self.assertRedirect(r, "/admin/comments?done=approved")
        self.assertEqual([self.status_of(i) for i in ids], [APPROVED, APPROVED, PENDING])
        r = self.decide("spam", ids[2], 999999)  # an unknown id is skipped
        self.assertRedirect(r, "/admin/comments?done=spam")
        self.assertEqual(self.status_of(ids[2]), SPAM)
        r = self.decide("approve")
        self.assertRedirect(r, "/admin/comments?done=none")
        self.assertIn("Es war nichts ausgewählt.", self.as_["moritz"].get(r.h("location")).text)

    def test_bad_action(self):
        cid = self.comment("Falsche Aktion.")
        before = self.site.db_dump()
        for action in ("pending", "explode", ""):
            with self.subTest(action=action):
                self.assertStatus(self.decide(action, cid), 400)
        self.assertUntouched(before, "a bad action")

    def test_csrf_missing_or_wrong(self):
        cid = self.comment("CSRF-Schutz prüfen.")
        b = self.as_["moritz"]
        before = self.site.db_dump()
        for token in (False, "0" * 64, b.csrf()[:-1] + "x", ""):
            with self.subTest(token=token):
                r = b.post("/admin/comments", {"action": "approve", "id": str(cid)}, csrf=token)
                self.assertStatus(r, 403)
                r = b.post("/admin/comments/%d/edit" % cid, {"text": "gekapert"}, csrf=token)
                self.assertStatus(r, 403)
                r = b.post("/admin/comments/%d/reply" % cid, {"text": "gekapert"}, csrf=token)
                self.assertStatus(r, 403)
                r = self.as_["chefin"].post("/admin/posts", {"title": "Gekapert", "body": "x",
                                                             "action": "publish"}, csrf=token)
                self.assertStatus(r, 403)
        self.assertUntouched(before, "requests without a valid CSRF token")
        # another user's token does not count either
        r = b.post("/admin/comments", {"action": "approve", "id": str(cid)},
                   csrf=self.as_["chefin"].csrf())
        self.assertStatus(r, 403)
        self.assertEqual(self.status_of(cid), PENDING)

    def test_edit_text(self):
        cid = self.comment("Tippfehler im Komentar.")
        page = self.as_["moritz"].get("/admin/comments/%d/edit" % cid)
        self.assertStatus(page, 200)
        self.assertIn("Tippfehler im Komentar.</textarea>", page.text)
        r = self.as_["moritz"].post("/admin/comments/%d/edit" % cid,
                                    {"text": "Tippfehler im Kommentar (korrigiert)."})
        self.assertRedirect(r, "/admin/comments?done=edited")
        self.assertEqual(self.one("SELECT text FROM comments WHERE id = ?", cid)[0],
                         "Tippfehler im Kommentar (korrigiert).")
        self.assertEqual(self.status_of(cid), PENDING, "editing decides nothing")
        r = self.as_["moritz"].post("/admin/comments/%d/edit" % cid, {"text": "  \n "})
        self.assertStatus(r, 422)
        self.assertIn("darf nicht leer sein", r.text)
        self.assertStatus(self.as_["moritz"].get("/admin/comments/999999/edit"), 404)

    def test_reply_as_site(self):
        cid = self.comment("Wann fährt der erste Zug?", name="Fragender")
        r = self.as_["moritz"].post("/admin/comments/%d/reply" % cid,
                                    {"text": "Der erste Zug fährt um 5:12 Uhr."})
        self.assertRedirect(r, "/admin/comments?done=replied")
        self.assertEqual(self.status_of(cid), APPROVED, "the parent is approved with the reply")
        rid, name, by_site, status, parent = self.one(
            "SELECT id, author_name, by_site, status, parent_id FROM comments WHERE text = ?",
            "Der erste Zug fährt um 5:12 Uhr.")
        self.assertEqual((name, by_site, status, parent), (self.site.title, 1, APPROVED, cid))
        self.assertIn("comment.reply", [a for (a,) in self.db("SELECT action FROM audit_log")])

    def test_reply_visible_on_article_page(self):
        """(The public thread is the article page's: this checks the two
        together.)"""
        cid = self.comment("Gibt es Fahrradstellplätze?", name="Radlerin")
        r = self.as_["moritz"].post("/admin/comments/%d/reply" % cid,
                                    {"text": "Ja, 200 überdachte Plätze."})
        self.assertRedirect(r, "/admin/comments?done=replied")
        poll(lambda: "Ja, 200 überdachte Plätze." in self.server.get(self.bahn).text,
             what="the site's reply on the article page")

    def test_reply_depth_limit(self):
        top = self.comment("Oberste Ebene.")
        r = self.as_["moritz"].post("/admin/comments/%d/reply" % top, {"text": "Ebene zwei."})
        self.assertStatus(r, 303)
        two = self.one("SELECT id FROM comments WHERE text = 'Ebene zwei.'")[0]
        r = self.as_["moritz"].post("/admin/comments/%d/reply" % two, {"text": "Ebene drei."})
        self.assertStatus(r, 303)
        three = self.one("SELECT id FROM comments WHERE text = 'Ebene drei.'")[0]
        before = self.site.db_dump()
        r = self.as_["moritz"].post("/admin/comments/%d/reply" % three, {"text": "Ebene vier."})
        self.assertStatus(r, 422)
        self.assertIn("höchstens drei Ebenen", r.text)
        self.assertUntouched(before, "a reply past the depth limit")

    def test_roles(self):
        cid = self.comment("Rollenprüfung.")
        # authors see no comments
        self.assertStatus(self.as_["anna"].get("/admin/comments"), 403)
        r = self.as_["anna"].post("/admin/comments", {"action": "approve", "id": str(cid)})
        self.assertStatus(r, 403)
        self.assertStatus(self.as_["anna"].get("/admin/comments/%d/edit" % cid), 403)
        self.assertEqual(self.status_of(cid), PENDING)
        # editors and admins moderate too
        self.assertStatus(self.as_["redakteur"].get("/admin/comments"), 200)
        self.assertStatus(self.as_["chefin"].get("/admin/comments"), 200)
        nav = self.as_["moritz"].get("/admin/").text
        self.assertIn('href="/admin/comments"', nav)
        self.assertNotIn('href="/admin/posts"', nav)
        self.assertNotIn('href="/admin/audit"', nav)

    def test_hostile_comment_escaped(self):
        cid = self.comment(XSS + "\nzweite Zeile", name=XSS[:70])
        self.assertIn(self.status_of(cid), (PENDING, SPAM))
        status = "pending" if self.status_of(cid) == PENDING else "spam"
        for path in ("/admin/comments?status=%s" % status, "/admin/comments/%d/edit" % cid):
            with self.subTest(path=path):
                r = self.as_["moritz"].get(path)
                self.assertStatus(r, 200)
                self.assertIn(XSS_ESCAPED, r.text)
                self.assertEscaped(r.text, path)

    def test_queue_pages(self):
        for i in range(21):
            self.comment("Seitenweise Nummer %d." % i)
        total = self.one("SELECT count(*) FROM comments WHERE status = 0")[0]
        first = self.queue().text
        self.assertEqual(first.count('<li id="comment-'), 20, "20 per page")
        self.assertIn('href="/admin/comments?status=pending&amp;page=2" rel="next"', first)
        second = self.as_["moritz"].get("/admin/comments?status=pending&page=2")
        self.assertStatus(second, 200)
        self.assertEqual(second.text.count('<li id="comment-'), total - 20)
        # deciding everything on the last page leads back to a page that exists
        ids = re.findall(r'<li id="comment-(\d+)"', second.text)
        r = self.as_["moritz"].post("/admin/comments", [("action", "spam"), ("page", "2"),
                                                        ("status", "pending")]
                                    + [("id", i) for i in ids])
        self.assertRedirect(r, "/admin/comments?done=spam&status=pending&page=2")
        after = self.as_["moritz"].get(r.h("location"))
        self.assertStatus(after, 200)
        self.assertEqual(after.text.count('<li id="comment-'), 20)
        self.assertStatus(self.as_["moritz"].get("/admin/comments?page=abc"), 200)

    def test_notice_never_echoes_the_query(self):
        r = self.as_["moritz"].get("/admin/comments?done=%3Cb%3Ezqzqzq%3C/b%3E")
        self.assertStatus(r, 200)
        self.assertNotIn("zqzqzq", r.text)
        self.assertNotIn('class="notice"', r.text)
        r = self.as_["moritz"].get("/admin/comments?done=approved")
        self.assertIn('<p class="notice" role="status">Freigegeben.</p>', r.text)


# --------------------------------------------------------------------------
class PostsTest(AdminCase):
    LOGINS = ("chefin", "redakteur", "anna", "moritz")

    def form_fields(self, r):
        """The editor's form as a dict of what a browser would send."""
        p = Page(r.text)
        out = {}
        for t, a in p.elements:
            if t == "input" and a.get("name") and a.get("type") not in ("file", "checkbox"):
                out[a["name"]] = a.get("value", "")
        m = re.search(r'<textarea id="post-body" name="body"[^>]*>\n?(.*?)</textarea>', r.text,
                      re.S)
        if m:
            out["body"] = Page("<p>%s</p>" % m.group(1)).text
        out.pop("csrf", None)
        out.pop("post_id", None)
        out.pop("alt", None)
        return out

    def create(self, who="redakteur", action="save", **fields):
        data = {"title": "Ohne Titel", "body": "Text.\n"}
        data.update(fields)
        data["action"] = action
        return self.as_[who].post("/admin/posts", data)

    def id_from(self, r):
        m = re.match(r"/admin/posts/(\d+)\?done=", r.h("location") or "")
        self.assertTrue(m, "no redirect to the editor: %r" % r)
        return int(m.group(1))

    def test_editor_lifecycle(self):
        b = self.as_["redakteur"]
        self.assertStatus(b.get("/admin/posts/new"), 200)
        n_before = self.one("SELECT count(*) FROM articles")[0]
        # preview: rendered on the form page, nothing saved
        r = self.create(action="preview", title="Lebenszyklus eines Artikels",
                        body="## Zwischentitel\n\nEin **fetter** Satz.\n", dateline="BERLIN")
        self.assertStatus(r, 200)
        self.assertIn("<strong>fetter</strong>", r.text)
        self.assertIn("<h2>Zwischentitel</h2>", r.text)
        self.assertIn("BERLIN", r.text)
        self.assertIn('value="Lebenszyklus eines Artikels"', r.text)
        self.assertEqual(self.one("SELECT count(*) FROM articles")[0], n_before)
        # save a draft
        r = self.create(title="Lebenszyklus eines Artikels", slug="lebenszyklus",
                        body="Erster Absatz.\n", tags="Alpha, Beta", category="Politik",
                        author="redakteur", dateline="BERLIN")
        self.assertRedirect(r, "/admin/posts/")
        self.assertIn("done=created", r.h("location"))
        pid = self.id_from(r)
        status, slug = self.one("SELECT status, slug FROM articles WHERE id = ?", pid)
        self.assertEqual((status, slug), (0, "lebenszyklus"))
        self.assertStatus(self.server.get("/lebenszyklus/"), 404)
        edit = b.get("/admin/posts/%d" % pid)
        self.assertStatus(edit, 200)
        f = self.form_fields(edit)
        self.assertEqual(f["title"], "Lebenszyklus eines Artikels")
        self.assertEqual(f["tags"], "Alpha, Beta")
        self.assertEqual(f["category"], "Politik")
        self.assertEqual(f["dateline"], "BERLIN")
        self.assertEqual(f["body"], "Erster Absatz.\n")
        self.assertRegex(f["date"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d$")
        # publish
        f.update(action="publish", body="Erster Absatz.\n\nZweiter Absatz.\n")
        r = b.post("/admin/posts/%d" % pid, f)
        self.assertRedirect(r, "/admin/posts/%d?done=published" % pid)
        wait_for_status(self.server, "/lebenszyklus/", 200)
        self.assertIn("Zweiter Absatz.", self.server.get("/lebenszyklus/").text)
        self.assertIn("Veröffentlicht.", b.get(r.h("location")).text)
        # unpublish
        f = self.form_fields(b.get("/admin/posts/%d" % pid))
        f["action"] = "unpublish"
        r = b.post("/admin/posts/%d" % pid, f)
        self.assertRedirect(r, "/admin/posts/%d?done=unpublished" % pid)
        self.assertEqual(self.one("SELECT status FROM articles WHERE id = ?", pid)[0], 0)
        wait_for_status(self.server, "/lebenszyklus/", 404)
        # delete: a confirmation page first, then the POST
        conf = b.get("/admin/posts/%d/delete" % pid)
        self.assertStatus(conf, 200)
        self.assertIn("Lebenszyklus eines Artikels", conf.text)
        self.assertIn('action="/admin/posts/%d/delete"' % pid, conf.text)
        self.assertEqual(self.one("SELECT count(*) FROM articles WHERE id = ?", pid)[0], 1,
                         "the confirmation page deletes nothing")
        r = b.post("/admin/posts/%d/delete" % pid, {})
        self.assertRedirect(r, "/admin/posts?done=deleted")
        self.assertEqual(self.one("SELECT count(*) FROM articles WHERE id = ?", pid)[0], 0)
        self.assertStatus(b.get("/admin/posts/%d" % pid), 404)
        actions = [a for (a,) in self.db("SELECT action FROM audit_log WHERE object = "
                                         "'/lebenszyklus/' ORDER BY id")]
        self.assertEqual(actions, ["post.create", "post.publish", "post.unpublish", "post.delete"])

    def test_schedule(self):
        try:
            from zoneinfo import ZoneInfo
            tz = ZoneInfo("Europe/Berlin")
        except Exception:  # noqa: BLE001
            self.skipTest("no zoneinfo")
        when = (datetime.datetime.now(tz) + datetime.timedelta(days=2)).replace(second=0,
                                                                                microsecond=0)
        r = self.create(action="schedule", title="Geplanter Artikel", slug="geplant",
                        date=when.strftime("%Y-%m-%dT%H:%M"))
        self.assertRedirect(r, "/admin/posts/")
        self.assertIn("done=scheduled", r.h("location"))
        status, at = self.one("SELECT status, published_at FROM articles WHERE slug = 'geplant'")
        self.assertEqual(status, 1)
        self.assertEqual(at, int(when.timestamp()), "datetime-local is the site's local time")
        self.assertStatus(self.server.get("/geplant/"), 404)
        lst = self.as_["redakteur"].get("/admin/posts?status=scheduled").text
        self.assertIn("Geplanter Artikel", lst)
        self.assertNotIn("Hafen wird ausgebaut", lst)
        # a date in the past cannot be scheduled; nothing is saved
        before = self.site.db_dump()
        r = self.create(action="schedule", title="Zu spät geplant",
                        date="2001-01-01T10:00")
        self.assertStatus(r, 422)
        self.assertIn("Zukunft", r.text)
        self.assertIn('value="Zu spät geplant"', r.text)
        self.assertUntouched(before, "scheduling in the past")

    def test_errors_keep_the_input(self):
        before = self.site.db_dump()
        r = self.create(action="publish", title="Reservierte Adresse", slug="admin",
                        body="Mein langer Text, der nicht verloren gehen darf.\n")
        self.assertStatus(r, 422)
        self.assertIn('class="error"', r.text)
        self.assertIn('value="Reservierte Adresse"', r.text)
        self.assertIn("Mein langer Text, der nicht verloren gehen darf.", r.text)
        r = self.create(action="publish", title="   ")
        self.assertStatus(r, 422)
        self.assertUntouched(before, "refused articles")

    def test_list_filters(self):
        self.create(title="Entwurf für den Filter", slug="filter-entwurf")
        b = self.as_["chefin"]
        drafts = b.get("/admin/posts?status=draft").text
        self.assertIn("Entwurf für den Filter", drafts)
        self.assertNotIn("Neue Bahnstrecke eröffnet", drafts)
        pub = b.get("/admin/posts?status=published").text
        self.assertIn("Neue Bahnstrecke eröffnet", pub)
        self.assertNotIn("Entwurf für den Filter", pub)
        found = b.get("/admin/posts?q=bahnSTRECKE").text
        self.assertIn("Neue Bahnstrecke eröffnet", found)
        self.assertNotIn("Hafen wird ausgebaut", found)
        self.assertIn('value="bahnSTRECKE"', found)
        self.assertIn('<option value="draft" selected>', drafts)

    def test_roles(self):
        bahn, hafen = self.article_id("neue-bahnstrecke"), self.article_id("hafen")
        anna, mod = self.as_["anna"], self.as_["moritz"]
        # a moderator sees only comments
        for path in ("/admin/posts", "/admin/posts/new", "/admin/posts/%d" % bahn):
            with self.subTest(path=path):
                self.assertStatus(mod.get(path), 403)
        self.assertStatus(mod.post("/admin/posts", {"title": "Moderatorartikel",
                                                    "action": "publish"}), 403)
        # an author: only her own articles
        self.assertStatus(anna.get("/admin/posts/%d" % bahn), 200)
        before = self.site.db_dump()
        self.assertStatus(anna.get("/admin/posts/%d" % hafen), 403)
        self.assertStatus(anna.post("/admin/posts/%d" % hafen,
                                    {"title": "Übernommen", "action": "save"}), 403)
        self.assertStatus(anna.get("/admin/posts/%d/delete" % hafen), 403)
        self.assertStatus(anna.post("/admin/posts/%d/delete" % hafen, {}), 403)
        self.assertStatus(anna.post("/admin/uploads", [("post_id", str(hafen))],
                                    files=[("file", "a.png", png_bytes(), "image/png")]), 403)
        self.assertUntouched(before, "an author's attempts on another's article")
        self.assertIn("Keine Berechtigung", anna.get("/admin/posts/%d" % hafen).text)
        listing = anna.get("/admin/posts").text
        self.assertIn("Neue Bahnstrecke eröffnet", listing)
        self.assertNotIn("Hafen wird ausgebaut", listing)
        # her byline is fixed: the form's author field is ignored
        r = self.create(who="anna", title="Annas eigener Artikel", slug="annas-artikel",
                        author="chefin")
        self.assertStatus(r, 303)
        self.assertEqual(self.one("SELECT a.name FROM articles r JOIN authors a ON a.id = "
                                  "r.author_id WHERE r.slug = 'annas-artikel'")[0], "anna")
        page = anna.get("/admin/posts/new").text
        self.assertRegex(page, r'<input id="post-author" name="author"[^>]*value="anna" readonly')
        f = self.form_fields(anna.get("/admin/posts/%d" % bahn))
        f.update(author="bert", action="save")
        self.assertRedirect(anna.post("/admin/posts/%d" % bahn, f), "/admin/posts/%d" % bahn)
        self.assertEqual(self.one("SELECT a.name FROM articles r JOIN authors a ON a.id = "
                                  "r.author_id WHERE r.id = ?", bahn)[0], "anna")
        # an editor edits anyone's article
        f = self.form_fields(self.as_["redakteur"].get("/admin/posts/%d" % hafen))
        f.update(title="Hafen wird ausgebaut", dateline="HAMBURG", action="save")
        r = self.as_["redakteur"].post("/admin/posts/%d" % hafen, f)
        self.assertRedirect(r, "/admin/posts/%d?done=saved" % hafen)
        self.assertEqual(self.one("SELECT dateline, status FROM articles WHERE id = ?", hafen),
                         ("HAMBURG", 1), "saving keeps a published article published")
        # the audit log is for admins only
        for who in ("redakteur", "anna", "moritz"):
            self.assertStatus(self.as_[who].get("/admin/audit"), 403)
        self.assertStatus(self.as_["chefin"].get("/admin/audit"), 200)
        self.assertNotIn('href="/admin/comments"', anna.get("/admin/").text)

    def test_hostile_fields_escaped(self):
        r = self.create(action="publish", title="Titel " + XSS, slug="feindlich",
                        dateline="ORT " + XSS, tags="Tag " + XSS.replace(",", ""),
                        category="Kat " + XSS, author="Autor " + XSS,
                        body="Text " + XSS + "\n\n<iframe src=x></iframe>\n")
        self.assertStatus(r, 303)
        pid = self.id_from(r)
        b = self.as_["chefin"]
        pages = {p: b.get(p) for p in ("/admin/posts", "/admin/posts/%d" % pid,
                                       "/admin/posts/%d/delete" % pid, "/admin/audit",
                                       "/admin/posts?q=" + urllib.parse.quote(XSS))}
        f = self.form_fields(pages["/admin/posts/%d" % pid])
        f["action"] = "preview"
        pages["preview"] = b.post("/admin/posts/%d" % pid, f)
        for path, r in pages.items():
            with self.subTest(path=path):
                self.assertStatus(r, 200)
                self.assertIn(XSS_ESCAPED, r.text)
                self.assertEscaped(r.text, path)
                self.assertNotIn("<iframe", r.text)


# --------------------------------------------------------------------------
class UploadTest(AdminCase):
    LOGINS = ("redakteur", "anna")

    def upload(self, data, filename="bild.png", ctype="image/png", who="redakteur", **fields):
        return self.as_[who].post("/admin/uploads", list(fields.items()),
                                  files=[("file", filename, data, ctype)])

    def stored(self):
        out = []
        for root, _, files in os.walk(os.path.join(self.site.dir, "uploads")):
            out += [os.path.join(root, f) for f in files]
        return sorted(out)

    def test_png_accepted(self):
        data = png_bytes()
        r = self.upload(data, alt="Ein grünes [Pixel]")
        self.assertStatus(r, 200)
        m = re.search(r"!\[([^\]]*)\]\((/uploads/(\d{4})/(\d\d)/([0-9a-f]{32})\.png)\)", r.text)
        self.assertTrue(m, "no Markdown snippet on the page: %r" % r.text[:3000])
        self.assertEqual(m.group(1), "Ein grünes Pixel")
        path = os.path.join(self.site.dir, m.group(2).lstrip("/"))
        with open(path, "rb") as f:
            self.assertEqual(f.read(), data)
        self.assertFalse([p for p in self.stored() if os.path.basename(p).startswith(".")],
                         "a temporary file was left behind")
        r = self.upload(data)
        self.assertIn("![Beschreibung](/uploads/", r.text)

    def test_upload_served_with_long_cache(self):
        r = self.upload(png_bytes())
        url = re.search(r"\((/uploads/[^)]+)\)", r.text).group(1)
        got = self.server.get(url)
        self.assertStatus(got, 200, "the public /uploads/ route (the server's)")
        self.assertEqual(got.body, png_bytes())
        self.assertTrue(got.h("content-type", "").startswith("image/png"), got)
        m = re.search(r"max-age=(\d+)", got.h("cache-control", ""))
        self.assertTrue(m and int(m.group(1)) >= 86400 * 30, got.h("cache-control"))

    def test_other_types_by_their_bytes(self):
        kinds = {"jpg": b"\xff\xd8\xff\xe0" + b"\0" * 32,
                 "gif": b"GIF89a" + b"\0" * 32,
                 "webp": b"RIFF\x24\0\0\0WEBPVP8 " + b"\0" * 32}
        for ext, data in kinds.items():
            with self.subTest(ext=ext):
                # the name and declared type do not matter, the bytes do
                r = self.upload(data, filename="irgendwas.txt", ctype="text/plain")
                self.assertStatus(r, 200)
                self.assertRegex(r.text, r"/uploads/\d{4}/\d\d/[0-9a-f]{32}\.%s\)" % ext)

    def test_not_an_image_refused(self):
        before = self.stored()
        for name, data in (("boese.png", b"<?php echo 'hallo'; ?>\n"),
                           ("bild.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
                           ("leer.png", b"RIFF\0\0\0\0AVI ")):
            with self.subTest(name=name):
                r = self.upload(data, filename=name)
                self.assertStatus(r, 415)
                self.assertIn("JPEG, PNG, WebP oder GIF", r.text)
        self.assertEqual(self.stored(), before, "a refused file was stored")

    def test_too_big_refused(self):
        before = self.stored()
        data = png_bytes() + b"\0" * (5 * 1024 * 1024)
        r = self.upload(data)
        self.assertStatus(r, 413)
        self.assertEqual(self.stored(), before)

    def test_missing_file(self):
        r = self.as_["redakteur"].post("/admin/uploads", [("alt", "x")],
                                       files=[("other", "a.png", png_bytes(), "image/png")])
        self.assertStatus(r, 400)

    def test_appended_to_article(self):
        pid = self.article_id("neue-bahnstrecke")
        r = self.upload(png_bytes(), who="anna", post_id=str(pid), alt="Der neue Bahnhof")
        self.assertRedirect(r, "/admin/posts/%d?done=uploaded" % pid)
        body = self.one("SELECT body_md FROM articles WHERE id = ?", pid)[0]
        self.assertRegex(body, r"\n\n!\[Der neue Bahnhof\]\(/uploads/\d{4}/\d\d/[0-9a-f]{32}\.png\)\n$")
        page = self.as_["anna"].get(r.h("location"))
        self.assertIn("Der neue Bahnhof", page.text)
        self.assertIn("Bild hochgeladen", page.text)
        actions = [a for (a,) in self.db("SELECT action FROM audit_log ORDER BY id")]
        self.assertIn("upload.add", actions)


# --------------------------------------------------------------------------
class AuditTest(AdminCase):
    LOGINS = ("chefin", "moritz", "redakteur")

    def test_audit_lists_actions(self):
        cid = self.comment("Für das Protokoll.")
        csrf = self.as_["moritz"].csrf()
        self.as_["moritz"].post("/admin/comments", {"action": "approve", "id": str(cid)},
                                csrf=csrf)
        self.as_["moritz"].post("/admin/comments/%d/edit" % cid, {"text": "Fürs Protokoll."})
        r = self.as_["redakteur"].post("/admin/posts", {"title": "Protokollierter Artikel",
                                                        "slug": "protokolliert", "body": "x\n",
                                                        "action": "publish"})
        self.assertStatus(r, 303)
        page = self.as_["chefin"].get("/admin/audit")
        self.assertStatus(page, 200)
        rows = self.db("SELECT actor, action, object FROM audit_log ORDER BY at DESC, id DESC")
        self.assertTrue(len(rows) >= 3, rows)
        text = Page(page.text).text
        for actor, action, obj in rows:
            self.assertIn(action, text)
            self.assertIn(obj, text)
        self.assertIn("moritz", text)
        self.assertIn("comment.edit", text)
        self.assertIn("post.publish", text)
        self.assertIn("/protokolliert/", text)
        # newest first
        self.assertLess(text.index("post.publish"), text.index("comment.edit"))


# --------------------------------------------------------------------------
@unittest.skipUnless(shutil.which("java") and os.path.exists(VNU),
                     "java or tests/browser/node_modules/vnu-jar missing")
class ValidityTest(AdminCase):
    """Every admin page type through the Nu Html Checker: 0 errors."""
    LOGINS = ("chefin",)

    def test_nu_html_checker(self):
        b = self.as_["chefin"]
        cid = self.comment("Zeile eins.\nZeile zwei.\n\nNeuer Absatz.")
        pid = self.article_id("neue-bahnstrecke")
        b.post("/admin/comments/%d/reply" % self.comment("Bitte antworten."), {"text": "Gern."})
        pages = {
            "login": self.server.get("/admin/login?next=/admin/posts"),
            "login_failed": Browser(self.server).post(
                "/admin/login", {"name": "x", "password": "yyyyyyyyyyyy"}, csrf=False),
            "dashboard": b.get("/admin/?done=approved"),
            "comments": b.get("/admin/comments"),
            "comments_approved": b.get("/admin/comments?status=approved"),
            "comment_edit": b.get("/admin/comments/%d/edit" % cid),
            "posts": b.get("/admin/posts"),
            "post_new": b.get("/admin/posts/new"),
            "post_edit": b.get("/admin/posts/%d" % pid),
            "post_delete": b.get("/admin/posts/%d/delete" % pid),
            "post_preview": b.post("/admin/posts", {"title": "Vorschau", "action": "preview",
                                                    "dateline": "ORT",
                                                    "body": "## A\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n"}),
            "post_error": b.post("/admin/posts", {"title": "", "action": "publish"}),
            "upload": b.post("/admin/uploads", [], files=[("file", "a.png", png_bytes(),
                                                           "image/png")]),
            "upload_415": b.post("/admin/uploads", [], files=[("file", "a.png", b"nope",
                                                               "image/png")]),
            "audit": b.get("/admin/audit"),
            "not_found": b.get("/admin/posts/999999"),
        }
        tmp = tempfile.mkdtemp(prefix="depesche-vnu-")
        try:
            files = []
            for name, r in pages.items():
                self.assertIn(r.status, (200, 403, 404, 415, 422), "%s: %r" % (name, r))
                path = os.path.join(tmp, name + ".html")
                with open(path, "wb") as f:
                    f.write(r.body)
                files.append(path)
            p = subprocess.run(["java", "-jar", VNU, "--errors-only", "--format", "gnu"] + files,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
            out = (p.stdout + p.stderr).decode("utf-8", "replace").strip()
            self.assertEqual(p.returncode, 0, "Nu Html Checker errors:\n" + out)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
