"""The newsroom's mail pages in the admin: subscribers (search, states,
consent records, CSV export, erasure on request), newsletter issues (save,
preview, test to oneself, send with a confirmation step, read-only once
sent, delete), the outbox (failures with the relay's answer, retry) and the
site settings (admins only). Driven like a browser without JavaScript
(test_admin.Browser: plain form posts, the session cookie, the CSRF token
read from the page), checked against the database and `depesche config`.

Subscribers are written into the database as migration 6 of
src/store/sqlite/migrations.c lays them out, with consent records holding
exactly the IPs, times and wording the pages must show. Failed outbox rows
come from `depesche mail test` against a real SMTP server (relay.py) that
answers 550. Every POST is also tried without the CSRF token: 403, nothing
changed. Each page type goes through the Nu Html Checker when java and
vnu.jar are there."""

import csv
import html
import html.parser
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import unittest

from harness import Page, poll
from relay import Controller, Relay
import test_admin as ta

FROM = "Der Testbote <news@example.org>"
XSS = ta.XSS
NOW = int(time.time())
# enum subscriber_status, enum newsletter_status, enum outbox_status (store.h)
PENDING, CONFIRMED, UNSUBSCRIBED = 0, 1, 2
DRAFT, SENDING, SENT = 0, 1, 2
O_QUEUED, O_SENDING, O_SENT, O_FAILED = 0, 1, 2, 3


def add_subscriber(db, email, status=CONFIRMED, newsletter=True, frequency=0, topics=(),
                   consents=None, created=None):
    """Inserts a subscriber (migration 6's tables) and its consent records;
    consents: list of dicts (requested_at, request_ip, confirmed_at,
    confirm_ip, wording, version, topics, newsletter). Returns the id."""
    created = created or NOW - 3600
    con = sqlite3.connect(db, timeout=10)
    try:
        with con:
            cur = con.execute(
                "INSERT INTO subscribers (email, email_key, status, newsletter, frequency, key,"
                " created_at, confirmed_at, unsubscribed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (email, email.lower(), status, int(newsletter), frequency, os.urandom(32).hex(),
                 created, created + 60 if status == CONFIRMED else 0,
                 created + 120 if status == UNSUBSCRIBED else 0))
            sid = cur.lastrowid
            for t in topics:
                con.execute("INSERT INTO subscriber_topics (subscriber_id, slug) VALUES (?, ?)",
                            (sid, t))
            for c in consents if consents is not None else [{}]:
                req = c.get("requested_at", created)
                con.execute(
                    "INSERT INTO consents (subscriber_id, token_hash, newsletter, requested_at,"
                    " expires_at, confirmed_at, request_ip, confirm_ip, version, topics, wording)"
                    " VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (sid, int(c.get("newsletter", newsletter)), req, req + 86400,
                     c.get("confirmed_at", created + 60 if status == CONFIRMED else 0),
                     c.get("request_ip", "198.51.100.7"), c.get("confirm_ip", ""),
                     c.get("version", "v-test"), c.get("topics", " ".join(topics)),
                     c.get("wording", "Ja, ich möchte den Newsletter.")))
    finally:
        con.close()
    return sid


class FormReader(html.parser.HTMLParser):
    """What a browser sends for the form with the given action, no button
    pressed: hidden, text, number and password inputs, ticked checkboxes,
    the selected option of each select, textareas; in document order."""

    def __init__(self, text, action):
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.pairs = []
        self.select = None
        self.textarea = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind == "checkbox":
                if "checked" in a:
                    self.pairs.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button"):
                self.pairs.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self.select = [a.get("name"), None, None]
        elif tag == "option" and self.select:
            if self.select[1] is None:
                self.select[1] = a.get("value", "")
            if "selected" in a:
                self.select[2] = a.get("value", "")
        elif tag == "textarea":
            self.textarea = [a.get("name"), ""]

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            name, first, chosen = self.select
            self.pairs.append((name, chosen if chosen is not None else first))
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.pairs.append(tuple(self.textarea))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data


class MailCase(ta.AdminCase):
    """A site with mail.from set (no relay, so nothing leaves) and the
    accounts of test_admin; one signed-in browser per role."""
    LOGINS = ("chefin", "redakteur", "moritz", "anna")

    @classmethod
    def populate(cls):
        super().populate()
        r = cls.site.cli("config", "set", "mail.from", FROM)
        if r.rc != 0:
            raise AssertionError("config set mail.from: %r" % r)
        cls.more()

    @classmethod
    def more(cls):
        pass

    def html_of(self, r):
        self.assertIn("text/html", r.h("content-type", ""), r)
        return r.text

    def fields_of(self, text, form_action=None):
        """name -> value of the inputs (first of each name) on a page."""
        out = {}
        for t, a in Page(text).elements:
            if t in ("input", "select", "textarea") and a.get("name") and a["name"] not in out:
                out[a["name"]] = a.get("value", "")
        return out

    def dump(self):
        return self.site.db_dump()


# --------------------------------------------------------------------------
class RolesTest(MailCase):
    """Who may open what: staff (admin, editor) the mail pages, only admins
    the settings; moderators and authors nothing of it. Checked per page and
    per form, and in the navigation."""

    @classmethod
    def more(cls):
        cls.sid = add_subscriber(cls.site.db, "rolle@example.org")

    PAGES = ("/admin/subscribers", "/admin/subscribers.csv", "/admin/subscribers/%d",
             "/admin/newsletters", "/admin/newsletters/new", "/admin/outbox")

    def test_moderator_and_author_forbidden(self):
        for name in ("moritz", "anna"):
            b = self.as_[name]
            for p in self.PAGES + ("/admin/settings",):
                path = p % self.sid if "%d" in p else p
                with self.subTest(user=name, path=path):
                    self.assertStatus(b.get(path), 403, path)
            before = self.dump()
            posts = [("/admin/subscribers/%d/delete" % self.sid, {}),
                     ("/admin/newsletters", {"action": "save", "subject": "x", "body": "y"}),
                     ("/admin/outbox", {"action": "retry_all"}),
                     ("/admin/settings", {"per_page": "12"})]
            for path, fields in posts:
                with self.subTest(user=name, post=path):
                    self.assertStatus(b.post(path, fields), 403, path)
            self.assertUntouched(before, "forbidden posts")
            self.assertEqual(self.site.must("config", "get", "per_page").out.strip(), "10")

    def test_editor_mail_pages_not_settings(self):
        b = self.as_["redakteur"]
        for p in self.PAGES:
            path = p % self.sid if "%d" in p else p
            with self.subTest(path=path):
                self.assertStatus(b.get(path), 200, path)
        self.assertStatus(b.get("/admin/settings"), 403)
        self.assertStatus(b.post("/admin/settings", {"per_page": "12"}), 403)
        self.assertEqual(self.site.must("config", "get", "per_page").out.strip(), "10")

    def test_navigation(self):
        def nav(name):
            hrefs = Page(self.as_[name].get("/admin/").text).hrefs()
            return {h for h in hrefs if h in ("/admin/subscribers", "/admin/newsletters",
                                               "/admin/outbox", "/admin/settings")}
        self.assertEqual(nav("chefin"), {"/admin/subscribers", "/admin/newsletters",
                                         "/admin/outbox", "/admin/settings"})
        self.assertEqual(nav("redakteur"), {"/admin/subscribers", "/admin/newsletters",
                                            "/admin/outbox"})
        self.assertEqual(nav("moritz"), set())
        self.assertEqual(nav("anna"), set())
        text = self.as_["chefin"].get("/admin/outbox").text
        self.assertIn('href="/admin/outbox" aria-current="page"', text)

    def test_csrf_required_on_every_post(self):
        b = self.as_["chefin"]
        nid = self.one("SELECT count(*) FROM newsletters")[0]
        before = self.dump()
        for path, fields in [("/admin/subscribers/%d/delete" % self.sid, {}),
                             ("/admin/newsletters", {"action": "save", "subject": "S",
                                                     "body": "B"}),
                             ("/admin/outbox", {"action": "retry_all"}),
                             ("/admin/settings", {"per_page": "12"})]:
            for token in (False, "0" * 64):
                with self.subTest(path=path, token=token):
                    self.assertStatus(b.post(path, fields, csrf=token), 403, path)
        self.assertUntouched(before, "posts without a valid CSRF token")
        self.assertEqual(self.one("SELECT count(*) FROM newsletters")[0], nid)
        self.assertEqual(self.site.must("config", "get", "per_page").out.strip(), "10")


# --------------------------------------------------------------------------
class SubscribersTest(MailCase):
    """The list (counts per state, search, filter, pages), one subscriber
    with the consent record, the CSV export and erasure."""
    LOGINS = ("chefin", "redakteur")

    @classmethod
    def more(cls):
        db = cls.site.db
        cls.anna = add_subscriber(
            db, "anna.leserin@beispiel.de", topics=("verkehr", "hafen"),
            consents=[{"requested_at": NOW - 7200, "request_ip": "203.0.113.9",
                       "confirmed_at": NOW - 7000, "confirm_ip": "2001:db8::42",
                       "version": "wording-3f9a", "topics": "verkehr hafen",
                       "wording": "Ich möchte Nachrichten zu meinen Themen erhalten.\n"
                                  "Abmeldung jederzeit über den Link in jeder Mail."},
                      {"requested_at": NOW - 3000, "request_ip": "203.0.113.10",
                       "confirmed_at": 0, "version": "wording-4b", "topics": "sport",
                       "wording": "Zweite Anfrage, nie bestätigt."}])
        cls.pending = add_subscriber(db, "bert@beispiel.de", status=PENDING)
        cls.gone = add_subscriber(db, "carla@example.org", status=UNSUBSCRIBED,
                                  newsletter=False)
        cls.hostile = add_subscriber(
            db, "x" + XSS + "@example.org", consents=[{"wording": XSS, "version": XSS,
                                                       "request_ip": XSS}])
        # Cells a spreadsheet would run: =, +, -, @ first; and quoting.
        cls.formula = {
            "=HYPERLINK(\"http://evil.example/\",\"klick\")@example.org": "=",
            "+4915112345678@example.org": "+",
            "-2+3@example.org": "-",
            "@SUM(A1)@example.org": "@",
        }
        for e in cls.formula:
            add_subscriber(db, e)
        add_subscriber(db, "kom,ma \"zitat\"@example.org")
        # 60 more for the pages (50 a page).
        for i in range(60):
            add_subscriber(db, "masse%02d@menge.example" % i, created=NOW - 86400 - i)

    def counts(self):
        return dict(self.db("SELECT status, count(*) FROM subscribers GROUP BY status"))

    def test_counts_per_state(self):
        text = self.as_["chefin"].get("/admin/subscribers").text
        c = self.counts()
        for status, label in ((CONFIRMED, "Bestätigt"), (PENDING, "Unbestätigt"),
                              (UNSUBSCRIBED, "Abgemeldet")):
            self.assertRegex(text, r">%s <span class=\"count\">\(%d\)</span>" % (label, c[status]))
        self.assertRegex(text, r">Alle <span class=\"count\">\(%d\)</span>" % sum(c.values()))

    def test_search_and_filter(self):
        b = self.as_["chefin"]
        p = Page(b.get("/admin/subscribers?q=BEISPIEL").text)
        found = [t for a, t in p.anchors if a.get("href", "").startswith("/admin/subscribers/")]
        self.assertEqual(sorted(found), ["anna.leserin@beispiel.de", "bert@beispiel.de"])
        p = Page(b.get("/admin/subscribers?q=beispiel&status=pending").text)
        found = [t for a, t in p.anchors if a.get("href", "").startswith("/admin/subscribers/")]
        self.assertEqual(found, ["bert@beispiel.de"])
        p = Page(b.get("/admin/subscribers?status=unsubscribed").text)
        found = [t for a, t in p.anchors if a.get("href", "").startswith("/admin/subscribers/")]
        self.assertEqual(found, ["carla@example.org"])
        r = b.get("/admin/subscribers?q=nirgendwo-zu-finden")
        self.assertIn("Kein Abonnent passt zur Suche.", r.text)
        self.assertStatus(b.get("/admin/subscribers?status=geheim"), 400)
        self.assertNotIn("geheim", Page(b.get("/admin/subscribers?status=geheim").text).text)

    def test_pages(self):
        b = self.as_["chefin"]
        r = b.get("/admin/subscribers?q=menge.example")
        p = Page(r.text)
        rows = [a for a, t in p.anchors if re.fullmatch(r"/admin/subscribers/\d+", a.get("href", ""))]
        self.assertEqual(len(rows), 50)
        nxt = [l for l in p.elements if l[0] == "a" and l[1].get("rel") == "next"]
        self.assertEqual(len(nxt), 1, "no link to page 2")
        self.assertEqual(nxt[0][1]["href"],
                         "/admin/subscribers?status=all&q=menge.example&page=2")
        p2 = Page(b.get(nxt[0][1]["href"]).text)
        rows2 = [a for a, t in p2.anchors if re.fullmatch(r"/admin/subscribers/\d+", a.get("href", ""))]
        self.assertEqual(len(rows2), 10)
        self.assertFalse(set(a["href"] for a in rows) & set(a["href"] for a in rows2))
        self.assertStatus(b.get("/admin/subscribers?q=menge.example&page=3"), 404)

    def test_consent_record_shown(self):
        r = self.as_["redakteur"].get("/admin/subscribers/%d" % self.anna)
        self.assertStatus(r, 200)
        text = Page(r.text).text
        for want in ("anna.leserin@beispiel.de", "203.0.113.9", "2001:db8::42",
                     "wording-3f9a", "Ich möchte Nachrichten zu meinen Themen erhalten.",
                     "Abmeldung jederzeit über den Link in jeder Mail.",
                     "203.0.113.10", "wording-4b", "Zweite Anfrage, nie bestätigt.",
                     "verkehr", "hafen", "Bestätigt"):
            self.assertIn(want, text)
        # request and confirmation times, as machine-readable dates
        times = [a.get("datetime") for t, a in Page(r.text).elements if t == "time"]
        for ts in (NOW - 7200, NOW - 7000, NOW - 3000):
            local = time.strftime("%Y-%m-%dT%H:%M", time.localtime(ts))
            # the server shows Europe/Berlin; compare the UTC instant instead
            self.assertTrue(any(t and self.same_instant(t, ts) for t in times),
                            "no <time> for %d (%s) in %r" % (ts, local, times))
        self.assertIn("wartet auf Bestätigung", text)   # the second one: its link is valid

    @staticmethod
    def same_instant(iso, ts):
        import datetime
        d = datetime.datetime.fromisoformat(iso)
        return int(d.timestamp()) == ts

    def test_imported_consent_shown(self):
        """Someone an operator added (`depesche subscriber add --note`): the
        note is their consent record."""
        self.site.must("subscriber", "add", "papier@example.org", "--note",
                       "Unterschrift auf der Liste vom Tag der offenen Tür", "--topics", "verkehr")
        sid = self.one("SELECT id FROM subscribers WHERE email = 'papier@example.org'")[0]
        text = Page(self.as_["chefin"].get("/admin/subscribers/%d" % sid).text).text
        self.assertIn("Unterschrift auf der Liste vom Tag der offenen Tür", text)
        self.assertIn("import", text)
        self.assertIn("verkehr", text)

    def test_hostile_values_escaped(self):
        b = self.as_["chefin"]
        for path in ("/admin/subscribers?q=alert", "/admin/subscribers/%d" % self.hostile,
                     "/admin/subscribers/%d?delete=1" % self.hostile):
            with self.subTest(path=path):
                r = b.get(path)
                self.assertStatus(r, 200)
                self.assertEscaped(r.text, path)
                self.assertIn(ta.XSS_ESCAPED, r.text)

    def test_not_found(self):
        self.assertStatus(self.as_["chefin"].get("/admin/subscribers/999999"), 404)
        self.assertStatus(self.as_["chefin"].post("/admin/subscribers/999999/delete", {}), 404)

    def csv_of(self, path):
        r = self.as_["chefin"].get(path)
        self.assertStatus(r, 200)
        self.assertEqual(r.h("content-type"), "text/csv; charset=utf-8")
        self.assertRegex(r.h("content-disposition", ""),
                         r'^attachment; filename="subscribers-\d{4}-\d\d-\d\d\.csv"$')
        self.assertTrue(r.body.endswith(b"\r\n"), "rows end with CRLF (RFC 4180)")
        return list(csv.reader(io.StringIO(r.body.decode("utf-8"), newline="")))

    def test_csv_export(self):
        rows = self.csv_of("/admin/subscribers.csv")
        self.assertEqual(rows[0], ["email", "status", "newsletter", "frequency", "topics",
                                   "created_at", "confirmed_at"])
        self.assertEqual(len(rows) - 1, sum(self.counts().values()))
        by = {r[0]: r for r in rows[1:]}
        anna = by["anna.leserin@beispiel.de"]
        self.assertEqual(anna[1:5], ["confirmed", "yes", "immediate", "hafen verkehr"])
        created, confirmed = self.one("SELECT created_at, confirmed_at FROM subscribers"
                                      " WHERE id = ?", self.anna)
        self.assertEqual(anna[5], time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(created)))
        self.assertEqual(anna[6], time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(confirmed)))
        self.assertEqual(by["bert@beispiel.de"][1], "pending")
        self.assertEqual(by["bert@beispiel.de"][6], "")
        self.assertEqual(by["carla@example.org"][1:3], ["unsubscribed", "no"])
        # quoting: a comma and quotes survive a round trip through a CSV reader
        self.assertIn("kom,ma \"zitat\"@example.org", by)

    def test_csv_formula_injection_defused(self):
        rows = self.csv_of("/admin/subscribers.csv")
        emails = [r[0] for r in rows[1:]]
        for e, first in self.formula.items():
            with self.subTest(email=e):
                self.assertIn("'" + e, emails)
                self.assertNotIn(e, emails)
        for cell in (c for r in rows for c in r):
            self.assertFalse(cell[:1] in ("=", "+", "-", "@"), "live formula cell %r" % cell)

    def test_csv_follows_the_filter(self):
        rows = self.csv_of("/admin/subscribers.csv?status=pending&q=beispiel")
        self.assertEqual([r[0] for r in rows[1:]], ["bert@beispiel.de"])
        rows = self.csv_of("/admin/subscribers.csv?q=menge")
        self.assertEqual(len(rows) - 1, 60)
        self.assertStatus(self.as_["chefin"].get("/admin/subscribers.csv?status=x"), 400)
        # the export is in the audit log, without addresses
        act = self.db("SELECT detail FROM audit_log WHERE action = 'subscriber.export'")
        self.assertTrue(act)
        self.assertFalse([d for (d,) in act if "@" in d])

    def test_erasure(self):
        b = self.as_["redakteur"]
        email = "loesch.mich@example.net"
        sid = add_subscriber(self.site.db, email, topics=("verkehr",),
                             consents=[{"request_ip": "192.0.2.55", "wording": "Einwilligung"}])
        r = b.get("/admin/subscribers/%d" % sid)
        self.assertIn('href="/admin/subscribers/%d?delete=1"' % sid, r.text)
        r = b.get("/admin/subscribers/%d?delete=1" % sid)
        self.assertStatus(r, 200)
        forms = [a for t, a in Page(r.text).elements if t == "form"]
        self.assertEqual([f.get("action") for f in forms if f.get("method") == "post"
                          and f.get("action") != "/admin/logout"],
                         ["/admin/subscribers/%d/delete" % sid])
        self.assertEqual(self.one("SELECT count(*) FROM subscribers WHERE id = ?", sid)[0], 1,
                         "the confirmation page deleted already")
        r = b.post("/admin/subscribers/%d/delete" % sid, {})
        self.assertRedirect(r, "/admin/subscribers?done=sub_deleted")
        self.assertIn("alle seine Daten wurden gelöscht", b.get(r.h("location")).text)
        left = [l for l in self.dump().splitlines() if email in l or "192.0.2.55" in l]
        self.assertEqual(left, [], "the address or the IP is still in the database")
        self.assertEqual(self.db("SELECT count(*) FROM consents WHERE subscriber_id = ?", sid),
                         [(0,)])
        self.assertEqual(self.db("SELECT count(*) FROM subscriber_topics WHERE subscriber_id = ?",
                                 sid), [(0,)])
        audit = self.db("SELECT actor, object, detail FROM audit_log"
                        " WHERE action = 'subscriber.delete'")
        self.assertIn(("redakteur", "subscriber %d" % sid,
                       "erased on request (confirmed, 1 consent record)"), audit)
        self.assertStatus(b.get("/admin/subscribers/%d" % sid), 404)

    def test_erasure_takes_their_mail(self):
        """Mail made for the person (sent or waiting) holds the address too."""
        email = "Post.Weg@Example.net"
        sid = add_subscriber(self.site.db, email)
        con = sqlite3.connect(self.site.db, timeout=10)
        with con:
            for status in (O_SENT, O_FAILED):
                con.execute("INSERT INTO outbox (created_at, kind, recipient, message, status,"
                            " attempts, next_attempt_at) VALUES (?, 'confirm', ?, ?, ?, 0, ?)",
                            (NOW, email.lower(), ("To: %s\r\n\r\nHallo\r\n" % email).encode(),
                             status, NOW))
        con.close()
        r = self.as_["chefin"].post("/admin/subscribers/%d/delete" % sid, {})
        self.assertRedirect(r, "/admin/subscribers?done=sub_deleted")
        left = [l for l in self.dump().lower().splitlines() if email.lower() in l]
        self.assertEqual(left, [], "the address is still in the database")


# --------------------------------------------------------------------------
class NewslettersTest(MailCase):
    """Composing, checking, previewing, testing, sending and deleting issues."""
    LOGINS = ("chefin", "redakteur")

    @classmethod
    def more(cls):
        db = cls.site.db
        # confirmed ones as an operator adds them; the others as migration 6 holds them
        for i in range(3):
            cls.site.must("subscriber", "add", "leser%d@example.org" % i, "--note",
                          "Anmeldung auf Papier, Stand am Markt")
        cls.site.must("subscriber", "add", "nur-themen@example.org", "--note", "Messe",
                      "--no-newsletter", "--topics", "verkehr")
        add_subscriber(db, "wartet@example.org", status=PENDING)
        add_subscriber(db, "weg@example.org", status=UNSUBSCRIBED, newsletter=False)
        cls.site.add("Neuer Kai", slug="neuer-kai", tags=["Hafen"])

    def issue(self, nid):
        con = sqlite3.connect("file:%s?mode=ro" % self.site.db, uri=True, timeout=5)
        con.row_factory = sqlite3.Row
        try:
            return con.execute("SELECT * FROM newsletters WHERE id = ?", (nid,)).fetchone()
        finally:
            con.close()

    def create(self, b, subject="Die Woche", body="Hallo.\n\nZweiter Absatz.\n", topics=""):
        r = b.post("/admin/newsletters", {"action": "save", "subject": subject, "body": body,
                                          "topics": topics})
        self.assertStatus(r, 303, "save")
        m = re.fullmatch(r"/admin/newsletters/(\d+)\?done=nl_created", r.h("location"))
        self.assertTrue(m, r.h("location"))
        return int(m.group(1))

    def test_new_form(self):
        b = self.as_["redakteur"]
        r = b.get("/admin/newsletters/new")
        self.assertStatus(r, 200)
        f = self.fields_of(r.text)
        for name in ("csrf", "subject", "topics", "body"):
            self.assertIn(name, f)
        buttons = [a.get("value") for t, a in Page(r.text).elements
                   if t == "button" and a.get("name") == "action"]
        self.assertEqual(buttons, ["save", "preview", "test", "send"])

    def test_from_week(self):
        self.site.add("Wochenthema Brückenbau", slug="brueckenbau", tags=["Verkehr"])
        r = self.as_["redakteur"].get("/admin/newsletters/new?from=week")
        self.assertStatus(r, 200)
        body = [t for t in re.findall(r"<textarea[^>]*>\n?(.*?)</textarea>", r.text, re.S)]
        self.assertTrue(body and "Wochenthema Brückenbau" in html.unescape(body[0]),
                        "the week's article is not in the prefilled body: %r" % body)
        self.assertTrue(self.fields_of(r.text)["subject"], "no subject prefilled")

    def test_save_and_edit(self):
        b = self.as_["redakteur"]
        nid = self.create(b, subject="Erste Ausgabe", body="Text **fett**.\n",
                          topics="verkehr, Hafen verkehr")
        row = self.issue(nid)
        self.assertEqual((row["status"], row["subject"], row["body_md"], row["topics"],
                          row["created_by"]),
                         (DRAFT, "Erste Ausgabe", "Text **fett**.\n", "verkehr hafen", "redakteur"))
        r = b.get("/admin/newsletters/%d?done=nl_created" % nid)
        self.assertIn("Entwurf angelegt.", r.text)
        f = self.fields_of(r.text)
        self.assertEqual((f["subject"], f["topics"]), ("Erste Ausgabe", "verkehr, hafen"))
        r = b.post("/admin/newsletters/%d" % nid, {"action": "save", "subject": "Geändert",
                                                    "body": "Neu.\n", "topics": ""})
        self.assertRedirect(r, "/admin/newsletters/%d?done=nl_saved" % nid)
        row = self.issue(nid)
        self.assertEqual((row["subject"], row["body_md"], row["topics"]),
                         ("Geändert", "Neu.\n", ""))
        acts = [a for (a,) in self.db("SELECT action FROM audit_log WHERE object = ?",
                                      "newsletter %d" % nid)]
        self.assertEqual(sorted(acts), ["newsletter.create", "newsletter.update"])

    def test_errors_keep_input(self):
        b = self.as_["redakteur"]
        n = self.one("SELECT count(*) FROM newsletters")[0]
        r = b.post("/admin/newsletters", {"action": "save", "subject": "  ",
                                          "body": "Mein Text bleibt.", "topics": "gibtsnicht"})
        self.assertStatus(r, 422)
        self.assertIn("Der Betreff darf nicht leer sein.", r.text)
        self.assertIn("Es gibt kein Schlagwort mit diesem Kürzel:", r.text)
        self.assertIn("<code>gibtsnicht</code>", r.text)
        self.assertIn("Mein Text bleibt.", r.text)
        self.assertIn('aria-invalid="true"', r.text)
        r = b.post("/admin/newsletters", {"action": "save", "subject": "Z" * 201, "body": "x"})
        self.assertStatus(r, 422)
        self.assertIn("länger als 200 Zeichen", r.text)
        r = b.post("/admin/newsletters", {"action": "save", "subject": "a\nb", "body": "x"})
        self.assertStatus(r, 422)
        r = b.post("/admin/newsletters", {"action": "frei erfunden", "subject": "a", "body": "x"})
        self.assertStatus(r, 400)
        self.assertEqual(self.one("SELECT count(*) FROM newsletters")[0], n)

    def test_preview_escaped_and_sandboxed(self):
        b = self.as_["redakteur"]
        n = self.one("SELECT count(*) FROM newsletters")[0]
        body = "Absatz mit " + XSS + "\n\n<script>alert(2)</script>\n\n[link](javascript:alert(3))\n"
        r = b.post("/admin/newsletters", {"action": "preview", "subject": "Betreff " + XSS,
                                          "body": body})
        self.assertStatus(r, 200)
        self.assertEscaped(r.text, "newsletter preview")
        frames = [a for t, a in Page(r.text).elements if t == "iframe"]
        self.assertEqual(len(frames), 1)
        fr = frames[0]
        self.assertEqual(fr.get("sandbox"), "", "the frame must be sandboxed with no permissions")
        doc = fr.get("srcdoc", "")
        self.assertIn("<html", doc.lower(), "srcdoc holds the mail's HTML")
        # the mail's own HTML escapes the hostile subject and body
        self.assertNotIn("<script", doc.lower())
        inner = Page(doc)
        self.assertEqual(inner.scripts, [])
        self.assertEqual(inner.event_handler_attrs(), [])
        self.assertFalse([h for h in inner.hrefs() if h.lower().startswith("javascript:")])
        self.assertIn("Absatz mit", inner.text)
        # the text part, escaped in a <pre>
        pre = re.findall(r"<pre>(.*?)</pre>", r.text, re.S)
        self.assertTrue(pre and "Absatz mit" in pre[0], pre)
        self.assertIn("&lt;script&gt;", pre[0])
        # the page's one policy lets the frame show the mail's inline styles,
        # and still no script
        csp = r.h("content-security-policy", "")
        self.assertEqual(csp.count("default-src"), 1, "one policy, not two: %r" % csp)
        self.assertIn("style-src 'self' 'unsafe-inline'", csp)
        self.assertIn("script-src 'none'", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        # nothing saved, input kept
        self.assertEqual(self.one("SELECT count(*) FROM newsletters")[0], n)
        self.assertEqual(self.fields_of(r.text)["subject"], "Betreff " + XSS)

    def test_test_mail_to_oneself(self):
        b = self.as_["chefin"]
        self.site.must("user", "email", "chefin", "")
        fields = {"action": "test", "subject": "Testausgabe", "body": "Hallo Test.\n"}
        r = b.post("/admin/newsletters", fields)
        self.assertStatus(r, 422)
        self.assertIn("Ihr Konto hat keine E-Mail-Adresse", r.text)
        self.assertEqual(self.db("SELECT count(*) FROM outbox WHERE kind = 'test'"), [(0,)])
        self.site.must("user", "email", "chefin", "chefin@example.org")
        r = b.post("/admin/newsletters", fields)
        self.assertStatus(r, 200)
        self.assertIn("Eine Testmail ist eingereiht für", r.text)
        self.assertIn("chefin@example.org", r.text)
        rows = self.db("SELECT recipient, coalesce(b.message, o.message) FROM outbox o"
                       " LEFT JOIN outbox_bodies b ON b.id = o.id WHERE kind = 'test'")
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][0], "chefin@example.org")
        self.assertIn(b"Testausgabe", rows[0][1] if isinstance(rows[0][1], bytes)
                      else rows[0][1].encode())
        self.assertEqual(self.one("SELECT count(*) FROM newsletters WHERE subject = ?",
                                  "Testausgabe")[0], 0, "a test saves nothing")

    def test_send_confirm_start_readonly(self):
        b = self.as_["chefin"]
        nid = self.create(b, subject="Zum Versand", body="Inhalt.\n")
        r = b.post("/admin/newsletters/%d" % nid, {"action": "send", "subject": "Zum Versand!",
                                                    "body": "Inhalt.\n", "topics": ""})
        self.assertStatus(r, 200)
        self.assertEqual(self.issue(nid)["status"], DRAFT, "send only asks")
        self.assertEqual(self.issue(nid)["subject"], "Zum Versand!", "send saves first")
        text = Page(r.text).text
        self.assertRegex(text, r"Sie geht an\s+3\s+bestätigte Abonnenten\.")
        forms = [a for t, a in Page(r.text).elements
                 if t == "button" and a.get("value") == "send_confirmed"]
        self.assertEqual(len(forms), 1)
        self.assertStatus(b.post("/admin/newsletters/%d" % nid, {"action": "send_confirmed"},
                                 csrf=False), 403)
        self.assertEqual(self.issue(nid)["status"], DRAFT)
        r = b.post("/admin/newsletters/%d" % nid, {"action": "send_confirmed"})
        self.assertRedirect(r, "/admin/newsletters/%d?done=nl_started" % nid)
        row = self.issue(nid)
        self.assertIn(row["status"], (SENDING, SENT))
        self.assertGreater(row["started_at"], 0)
        audit = self.db("SELECT actor, detail FROM audit_log WHERE action = 'newsletter.send'"
                        " AND object = ?", "newsletter %d" % nid)
        self.assertEqual(audit, [("chefin", "to 3 confirmed subscribers")])
        # read-only from now on
        r = b.get("/admin/newsletters/%d" % nid)
        self.assertStatus(r, 200)
        self.assertNotIn('name="subject"', r.text)
        self.assertIn("kann nicht mehr geändert werden", r.text)
        self.assertIn("<progress", r.text)
        for action in ("save", "send", "send_confirmed", "delete", "delete_confirmed"):
            with self.subTest(action=action):
                r = b.post("/admin/newsletters/%d" % nid, {"action": action, "subject": "Hack",
                                                            "body": "x"})
                self.assertStatus(r, 409)
        self.assertEqual(self.issue(nid)["subject"], "Zum Versand!")
        self.assertEqual(self.issue(nid)["started_at"], row["started_at"])
        # figures: the dispatcher queues one mail per reader (no relay: they wait)
        poll(lambda: self.issue(nid)["status"] == SENT, what="the issue fully queued")
        self.assertEqual(self.issue(nid)["queued"], 3)
        want = sorted("leser%d@example.org" % i for i in range(3))
        self.assertEqual(sorted(r for (r,) in self.db(
            "SELECT recipient FROM outbox WHERE newsletter_id = ?", nid)), want)
        p = Page(b.get("/admin/newsletters").text)
        self.assertIn("Zum Versand!", p.text)
        self.assertIn("Wird versendet", p.text)   # no relay: the mails wait in the outbox

    def test_topic_issue_counts_followers(self):
        b = self.as_["chefin"]
        nid = self.create(b, subject="Nur Verkehr", topics="verkehr")
        r = b.post("/admin/newsletters/%d" % nid, {"action": "send", "subject": "Nur Verkehr",
                                                    "body": "x\n", "topics": "verkehr"})
        self.assertRegex(Page(r.text).text, r"Sie geht an\s+1\s+bestätigten Abonnenten\.")

    def test_nobody_to_send_to(self):
        b = self.as_["chefin"]
        self.site.add("Sport heute", slug="sport-heute", tags=["Sport"])
        nid = self.create(b, subject="Sport", topics="sport")
        r = b.post("/admin/newsletters/%d" % nid, {"action": "send", "subject": "Sport",
                                                    "body": "x\n", "topics": "sport"})
        self.assertStatus(r, 200)
        self.assertIn("Niemand würde diese Ausgabe erhalten", r.text)
        self.assertNotIn('value="send_confirmed"', r.text)
        r = b.post("/admin/newsletters/%d" % nid, {"action": "send_confirmed"})
        self.assertStatus(r, 422)
        self.assertEqual(self.issue(nid)["status"], DRAFT)

    def test_delete_draft(self):
        b = self.as_["redakteur"]
        nid = self.create(b, subject="Weg damit")
        r = b.post("/admin/newsletters/%d" % nid, {"action": "delete", "subject": "x",
                                                    "body": "y"})
        self.assertStatus(r, 200)
        self.assertIn('value="delete_confirmed"', r.text)
        self.assertIsNotNone(self.issue(nid), "asking deleted already")
        r = b.post("/admin/newsletters/%d" % nid, {"action": "delete_confirmed"})
        self.assertRedirect(r, "/admin/newsletters?done=nl_deleted")
        self.assertIsNone(self.issue(nid))
        self.assertStatus(b.get("/admin/newsletters/%d" % nid), 404)
        self.assertTrue(self.db("SELECT 1 FROM audit_log WHERE action = 'newsletter.delete'"
                                " AND object = ?", "newsletter %d" % nid))

    def test_list_escapes(self):
        b = self.as_["chefin"]
        self.create(b, subject="Liste " + XSS)
        r = b.get("/admin/newsletters")
        self.assertStatus(r, 200)
        self.assertEscaped(r.text, "/admin/newsletters")
        self.assertIn(ta.XSS_ESCAPED, r.text)


# --------------------------------------------------------------------------
@unittest.skipIf(Controller is None, "python3-aiosmtpd is missing")
class OutboxTest(MailCase):
    """Failed messages with the relay's answer, retrying them, the relay's
    state and the warning when mail is not configured."""
    LOGINS = ("chefin", "redakteur")
    relay = None

    @classmethod
    def setUpClass(cls):
        cls.relay = Relay() if Controller else None
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            if cls.relay:
                cls.relay.stop()

    def fail_one(self, to):
        """A message to `to` the relay refuses with 550; smtp.url is unset
        again afterwards, so the server's sender leaves the outbox alone."""
        self.relay.answers[to] = "550 5.1.1 <%s>: Recipient address rejected: User unknown" % to
        self.site.must("config", "set", "smtp.url", "smtp://127.0.0.1:%d" % self.relay.port)
        try:
            self.site.cli("mail", "test", to)
        finally:
            self.site.must("config", "unset", "smtp.url")
        return poll(lambda: self.db("SELECT id FROM outbox WHERE recipient = ? AND status = ?",
                                    to, O_FAILED), what="a failed message to %s" % to)[0][0]

    def test_failed_listed_with_error_and_retried(self):
        mid = self.fail_one("niemand@example.net")
        b = self.as_["redakteur"]
        r = b.get("/admin/outbox")
        self.assertStatus(r, 200)
        p = Page(r.text)
        self.assertIn("niemand@example.net", p.text)
        self.assertIn("550 5.1.1 <niemand@example.net>: Recipient address rejected", p.text)
        self.assertIn("Testmail", p.text)
        self.assertIn('aria-current="page">Fehlgeschlagen', r.text)
        boxes = [a for t, a in p.elements if t == "input" and a.get("name") == "id"]
        self.assertIn(str(mid), [a.get("value") for a in boxes])
        r = b.post("/admin/outbox", [("action", "retry"), ("id", str(mid)), ("id", "99999"),
                                     ("id", "nonsense")])
        self.assertRedirect(r, "/admin/outbox?done=retried")
        st, attempts, nxt = self.one("SELECT status, attempts, next_attempt_at FROM outbox"
                                     " WHERE id = ?", mid)
        self.assertEqual((st, attempts), (O_QUEUED, 0))
        self.assertLessEqual(nxt, int(time.time()) + 1)
        self.assertTrue(self.db("SELECT 1 FROM audit_log WHERE action = 'outbox.retry'"))
        r = b.get(r.h("location"))
        self.assertIn("wieder eingereiht", r.text)
        # nothing selected
        r = b.post("/admin/outbox", {"action": "retry"})
        self.assertRedirect(r, "/admin/outbox?done=retry_none")

    def test_retry_all(self):
        ids = [self.fail_one("alle%d@example.net" % i) for i in range(2)]
        r = self.as_["chefin"].post("/admin/outbox", {"action": "retry_all"})
        self.assertRedirect(r, "/admin/outbox?done=retried")
        for mid in ids:
            self.assertEqual(self.one("SELECT status FROM outbox WHERE id = ?", mid)[0], O_QUEUED)
        self.assertStatus(self.as_["chefin"].post("/admin/outbox", {"action": "burn"}), 400)

    def test_tabs_and_bad_status(self):
        b = self.as_["chefin"]
        counts = dict(self.db("SELECT status, count(*) FROM outbox GROUP BY status"))
        r = b.get("/admin/outbox?status=queued")
        self.assertStatus(r, 200)
        self.assertRegex(r.text, r'aria-current="page">Wartend <span class="count">\(%d\)'
                         % counts.get(O_QUEUED, 0))
        self.assertStatus(b.get("/admin/outbox?status=everything"), 400)

    def test_not_configured_warning(self):
        r = self.as_["redakteur"].get("/admin/outbox")
        self.assertIn("Es ist kein Mailserver eingerichtet (Einstellung smtp.url).", r.text)
        self.assertIn("Die Mail-Einstellungen kann eine Administratorin", r.text)
        r = self.as_["chefin"].get("/admin/outbox")
        self.assertIn('href="/admin/settings#group-relay"', r.text)

    def test_relay_failure_shown(self):
        con = sqlite3.connect(self.site.db, timeout=10)
        state = {"ok": False, "at": NOW - 60,
                 "message": "the mail server smtp://127.0.0.1:9 fails: 421 <b>busy</b>"}
        with con:
            con.execute("INSERT OR REPLACE INTO kv (key, value) VALUES ('mail.relay', ?)",
                        (json.dumps(state),))
        con.close()
        try:
            r = self.as_["redakteur"].get("/admin/outbox")
            self.assertIn("Der Mailserver hat den letzten Zustellversuch nicht angenommen.", r.text)
            self.assertIn("421 &lt;b&gt;busy&lt;/b&gt;", r.text)
            self.assertNotIn("<b>busy", r.text)
            self.assertIn("Der letzte Zustellversuch ist gescheitert:", r.text)
        finally:
            con = sqlite3.connect(self.site.db, timeout=10)
            with con:
                con.execute("DELETE FROM kv WHERE key = 'mail.relay'")
            con.close()


# --------------------------------------------------------------------------
class DashboardTest(MailCase):
    """The overview's mail summary: subscribers, the outbox, and a warning
    while mail cannot go out."""
    LOGINS = ("chefin", "redakteur", "moritz")

    @classmethod
    def more(cls):
        for i in range(4):
            add_subscriber(cls.site.db, "bestaetigt%d@example.org" % i)
        add_subscriber(cls.site.db, "offen@example.org", status=PENDING)
        con = sqlite3.connect(cls.site.db, timeout=10)
        with con:
            con.execute("INSERT INTO outbox (created_at, kind, recipient, message, status,"
                        " attempts, next_attempt_at, last_error) VALUES (?, 'alert',"
                        " 'weg@example.net', 'x', 3, 1, ?, '550 no such user')", (NOW, NOW))
        con.close()

    def summary(self, name):
        r = self.as_[name].get("/admin/")
        self.assertEqual(r.status, 200, "GET /admin/ as %s: %r %s" % (name, r, r.text[:300]))
        p = Page(r.text)
        return {t.strip(): a.get("href") for a, t in p.anchors}, p.text

    def test_staff_see_the_summary(self):
        for name in ("chefin", "redakteur"):
            links, text = self.summary(name)
            self.assertEqual(links.get("Bestätigte Abonnenten: 4"),
                             "/admin/subscribers?status=confirmed", (name, links))
            self.assertEqual(links.get("Unbestätigt: 1"), "/admin/subscribers?status=pending")
            self.assertEqual(links.get("Fehlgeschlagene Mails: 1"),
                             "/admin/outbox?status=failed")
            self.assertIn("Mails können gerade nicht zugestellt werden", text)
            self.assertIn("Es ist kein Mailserver eingerichtet (Einstellung smtp.url).", text)

    def test_moderator_sees_none(self):
        links, text = self.summary("moritz")
        self.assertNotIn("Mails können gerade nicht zugestellt werden", text)
        self.assertFalse([h for h in links.values() if h and "/admin/outbox" in h])


# --------------------------------------------------------------------------
class SettingsTest(MailCase):
    """The settings form: every setting by type, saved like `config set`,
    errors per field, the password never shown."""
    LOGINS = ("chefin",)
    SECRET = "streng-geheim-Passwort-7731"

    @classmethod
    def more(cls):
        r = cls.site.cli("config", "set", "smtp.password", cls.SECRET)
        if r.rc != 0:
            raise AssertionError("config set smtp.password: %r" % r)

    def get(self, key, secret=False):
        args = ["config", "get", key] + (["--show-secrets"] if secret else [])
        return self.site.must(*args).out.strip()

    def form(self):
        r = self.as_["chefin"].get("/admin/settings")
        self.assertStatus(r, 200)
        return r, self.fields_of(r.text)

    def test_every_setting_has_a_field(self):
        r, f = self.form()
        keys = [l.split()[0] for l in self.site.must("config", "list").out.splitlines()
                if l.strip() and not l.startswith(" ")]
        self.assertGreater(len(keys), 20)
        for k in keys:
            self.assertIn(k, f, "no field for %s" % k)
        types = {a.get("name"): a.get("type") for t, a in Page(r.text).elements
                 if t == "input" and a.get("type") != "hidden"}
        self.assertEqual(types["per_page"], "number")
        self.assertEqual(types["auto_spam_score"], "number")
        self.assertEqual(types["comments_open"], "checkbox")
        self.assertEqual(types["smtp.password"], "password")
        self.assertEqual(types["smtp.url"], "text")
        sel = [a for t, a in Page(r.text).elements if t == "select" and a.get("name") == "lang"]
        self.assertEqual(len(sel), 1)
        per_page = [a for t, a in Page(r.text).elements if a.get("name") == "per_page"][0]
        self.assertEqual((per_page.get("min"), per_page.get("max")), ("1", "100"))
        self.assertIn("Neustart", r.text)

    def test_password_never_shown(self):
        r, f = self.form()
        self.assertNotIn(self.SECRET, r.text)
        self.assertEqual(f["smtp.password"], "")
        self.assertIn("Ein Passwort ist gespeichert", r.text)

    def test_save_values(self):
        r, _ = self.form()
        # the form as it comes round-trips without a change
        same = self.as_["chefin"].post("/admin/settings",
                                       FormReader(r.text, "/admin/settings").pairs, csrf=False)
        self.assertRedirect(same, "/admin/settings?done=settings_none")
        change = {"per_page": "15", "smtp.url": "smtp://127.0.0.1:2525",
                  "mail.reply_to": "Leserbriefe <briefe@example.org>",
                  "blocklist": "casino, spam.example", "auto_spam_score": "0.8"}
        pairs = []
        for k, v in FormReader(r.text, "/admin/settings").pairs:
            if k == "comments_open" and v == "true":
                continue                              # untick the box
            pairs.append((k, change.get(k, v)))
        self.assertIn(("comments_open", "false"), pairs)
        self.assertIn(("smtp.password", ""), pairs)
        r = self.as_["chefin"].post("/admin/settings", pairs, csrf=False)
        self.assertRedirect(r, "/admin/settings?done=settings_saved")
        self.assertEqual(self.get("per_page"), "15")
        self.assertEqual(self.get("smtp.url"), "smtp://127.0.0.1:2525")
        self.assertEqual(self.get("mail.reply_to"), "Leserbriefe <briefe@example.org>")
        self.assertEqual(self.get("blocklist"), "casino, spam.example")
        self.assertEqual(self.get("auto_spam_score"), "0.8")
        self.assertEqual(self.get("comments_open"), "false")
        self.assertEqual(self.get("smtp.password", secret=True), self.SECRET, "empty keeps it")
        self.assertEqual(self.get("mail.from"), FROM, "unchanged")
        audit = self.db("SELECT detail FROM audit_log WHERE action = 'settings.change'")
        self.assertTrue(audit)
        detail = audit[-1][0]
        for k in ("per_page", "smtp.url", "comments_open", "blocklist"):
            self.assertIn(k, detail)
        self.assertNotIn("smtp.password", detail)
        self.assertNotIn("2525", detail)
        # tick it again, change the password, then clear it
        r = self.as_["chefin"].post("/admin/settings", [("comments_open", "false"),
                                                        ("comments_open", "true"),
                                                        ("smtp.password", "neu-und-geheim")])
        self.assertRedirect(r, "/admin/settings?done=settings_saved")
        self.assertEqual(self.get("comments_open"), "true")
        self.assertEqual(self.get("smtp.password", secret=True), "neu-und-geheim")
        detail = self.db("SELECT detail FROM audit_log WHERE action = 'settings.change'"
                         " ORDER BY id DESC LIMIT 1")[0][0]
        self.assertIn("smtp.password", detail)
        self.assertNotIn("neu-und-geheim", detail)
        r = self.as_["chefin"].post("/admin/settings", {"smtp.password": "",
                                                        "clear": "smtp.password"})
        self.assertRedirect(r, "/admin/settings?done=settings_saved")
        self.assertEqual(self.get("smtp.password", secret=True), "")
        # nothing changed
        r = self.as_["chefin"].post("/admin/settings", {"per_page": "15"})
        self.assertRedirect(r, "/admin/settings?done=settings_none")
        # empty where the default is empty: unset
        r = self.as_["chefin"].post("/admin/settings", {"smtp.url": ""})
        self.assertRedirect(r, "/admin/settings?done=settings_saved")
        self.assertEqual(self.get("smtp.url"), "")
        self.site.must("config", "set", "smtp.password", self.SECRET)

    def test_bad_values_rejected_per_field(self):
        path = os.path.join(self.site.dir, "site.json")
        with open(path, "rb") as fh:
            before = fh.read()
        r = self.as_["chefin"].post("/admin/settings", {"per_page": "0", "smtp.url": "http://x",
                                                        "timezone": "Mars/Olympus",
                                                        "title": "", "feed_items": "20",
                                                        "mail.from": "kein at zeichen",
                                                        "description": "ok"})
        self.assertStatus(r, 400)
        with open(path, "rb") as fh:
            self.assertEqual(fh.read(), before, "site.json changed although a field was bad")
        p = Page(r.text)
        errs = {a.get("id"): None for t, a in p.elements if "field-error" in (a.get("class") or "")}
        self.assertEqual(set(errs), {"set-per-page-error", "set-smtp-url-error",
                                     "set-timezone-error", "set-title-error",
                                     "set-mail-from-error"})
        self.assertIn("Bitte eine ganze Zahl von 1 bis 100 eingeben.", r.text)
        self.assertIn("smtp,smtps", r.text)
        self.assertIn("Darf nicht leer sein.", r.text)
        f = self.fields_of(r.text)
        self.assertEqual((f["per_page"], f["smtp.url"], f["timezone"]),
                         ("0", "http://x", "Mars/Olympus"), "the input is kept")
        self.assertNotIn(self.SECRET, r.text)
        invalid = [a.get("name") for t, a in p.elements if a.get("aria-invalid") == "true"]
        self.assertEqual(sorted(invalid), ["mail.from", "per_page", "smtp.url", "timezone",
                                           "title"])
        self.assertEqual(self.get("per_page"), "10")


# --------------------------------------------------------------------------
class EnglishTest(MailCase):
    LANG = "en"
    LOGINS = ("chefin",)

    def test_english_strings(self):
        b = self.as_["chefin"]
        for path, want in (("/admin/subscribers", "Export as CSV"),
                           ("/admin/newsletters", "New issue from this week's articles"),
                           ("/admin/outbox", "Mail server"),
                           ("/admin/settings", "Save settings")):
            with self.subTest(path=path):
                r = b.get(path)
                self.assertStatus(r, 200)
                self.assertIn(want, Page(r.text).text)
                self.assertIn('<html lang="en">', r.text)


# --------------------------------------------------------------------------
@unittest.skipUnless(shutil.which("java") and os.path.exists(ta.VNU),
                     "java or tests/browser/node_modules/vnu-jar missing")
class ValidityTest(MailCase):
    """Every mail page type through the Nu Html Checker: 0 errors."""
    LOGINS = ("chefin",)

    @classmethod
    def more(cls):
        cls.sid = add_subscriber(cls.site.db, "valide@example.org", topics=("verkehr",),
                                 consents=[{"confirm_ip": "192.0.2.1",
                                            "wording": "Zeile 1\nZeile 2\n\nAbsatz"}, {}])
        add_subscriber(cls.site.db, "offen@example.org", status=PENDING)

    def test_nu_html_checker(self):
        b = self.as_["chefin"]
        r = b.post("/admin/newsletters", {"action": "save", "subject": "Valide",
                                          "body": "Text.\n", "topics": "verkehr"})
        nid = int(re.search(r"/(\d+)\?", r.h("location")).group(1))
        sent = b.post("/admin/newsletters", {"action": "save", "subject": "Gesendet",
                                             "body": "x\n"})
        sid2 = int(re.search(r"/(\d+)\?", sent.h("location")).group(1))
        b.post("/admin/newsletters/%d" % sid2, {"action": "send_confirmed"})
        pages = {
            "subscribers": b.get("/admin/subscribers"),
            "subscribers_search": b.get("/admin/subscribers?q=offen&status=pending"),
            "subscriber": b.get("/admin/subscribers/%d" % self.sid),
            "subscriber_delete": b.get("/admin/subscribers/%d?delete=1" % self.sid),
            "newsletters": b.get("/admin/newsletters?done=nl_deleted"),
            "newsletter_new": b.get("/admin/newsletters/new"),
            "newsletter_week": b.get("/admin/newsletters/new?from=week"),
            "newsletter_edit": b.get("/admin/newsletters/%d?done=nl_saved" % nid),
            "newsletter_errors": b.post("/admin/newsletters", {"action": "save", "subject": "",
                                                               "body": "", "topics": "x y"}),
            "newsletter_preview": b.post("/admin/newsletters/%d" % nid, {
                "action": "preview", "subject": "Vorschau", "body": "## Titel\n\nText.\n",
                "topics": ""}),
            "newsletter_send": b.post("/admin/newsletters/%d" % nid, {
                "action": "send", "subject": "Valide", "body": "Text.\n", "topics": ""}),
            "newsletter_delete": b.post("/admin/newsletters/%d" % nid, {"action": "delete"}),
            "newsletter_sent": b.get("/admin/newsletters/%d" % sid2),
            "newsletter_test_error": b.post("/admin/newsletters", {
                "action": "test", "subject": "T", "body": "x"}),
            "outbox": b.get("/admin/outbox?done=retried"),
            "outbox_sent": b.get("/admin/outbox?status=sent"),
            "settings": b.get("/admin/settings?done=settings_saved"),
            "settings_errors": b.post("/admin/settings", {"per_page": "x", "smtp.url": "y"}),
            "dashboard": b.get("/admin/"),
        }
        tmp = tempfile.mkdtemp(prefix="depesche-vnu-")
        try:
            files = []
            for name, r in pages.items():
                self.assertIn(r.status, (200, 400, 422), "%s: %r" % (name, r))
                path = os.path.join(tmp, name + ".html")
                with open(path, "wb") as f:
                    f.write(r.body)
                files.append(path)
            p = subprocess.run(["java", "-jar", ta.VNU, "--errors-only", "--format", "gnu"] + files,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
            out = (p.stdout + p.stderr).decode("utf-8", "replace").strip()
            self.assertEqual(p.returncode, 0, "Nu Html Checker errors:\n" + out)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
