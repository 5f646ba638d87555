"""Mail about comments (src/newsletter/dispatch.c) and the signed
moderation links (src/page/moderate.c), with the server's own dispatcher and
sender and a real SMTP server (relay.py).

Covers: a pending comment brings every moderator with an address (admin,
editor, moderator; not an author) one mail with signed approve and reject
links; further comments wait for mail.moderation_minutes and then come in
one mail that lists only them; the GET of a link shows the comment (escaped)
and a button and changes nothing; the POST decides, writes the audit log and
the comment appears on the page; a second POST changes nothing; forged,
altered, expired and empty links are refused (403, 403, 410, 400), a link to
a comment that is gone is a 404; a commenter who asked gets an "approved"
and later a "reply" mail, those who did not (or gave no address) get none."""

import hashlib
import re
import sqlite3
import time
import urllib.parse

from harness import Page, SiteTestCase, poll
from relay import Controller, Relay, parse, wait_for_mail

BASE = "https://news.example.org"
FROM = "Der Testbote <news@example.org>"
PENDING, APPROVED, SPAM, REJECTED = 0, 1, 2, 3
LINK_RE = re.compile(re.escape(BASE) + r"/moderate/\?t=([0-9a-z.]+)")


def form_ticket(html, path):
    """The ticket of the article's comment form (other forms have theirs)."""
    m = re.search(r'action="%scomment/">\s*<input type="hidden" name="ticket" value="([^"]+)"'
                  % re.escape(path), html)
    return m.group(1) if m else None


class NotifyBase(SiteTestCase):
    SERVE = True
    MINUTES = 0
    relay = None

    @classmethod
    def setUpClass(cls):
        if Controller is None:
            cls.setup_error = AssertionError("python3-aiosmtpd is missing")
            return
        cls.relay = Relay()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        if cls.relay:
            cls.relay.stop()

    @classmethod
    def populate(cls):
        s = cls.site
        s.configure(base_url=BASE)
        for k, v in (("smtp.url", "smtp://127.0.0.1:%d" % cls.relay.port), ("mail.from", FROM),
                     ("mail.rate", "10000"), ("mail.moderation_minutes", str(cls.MINUTES))):
            s.must("config", "set", k, v)
        for name, role, addr in (("chefin", "admin", "chefin@example.org"),
                                 ("redakteur", "editor", ""),
                                 ("moderatorin", "moderator", "mod@example.org"),
                                 ("autor", "author", "autor@example.org")):
            args = ["user", "add", "--name", name, "--role", role, "--password-stdin"]
            if addr:
                args += ["--email", addr]
            s.must(*args, stdin="ein langes Passwort\n")
        cls.path = s.add("Neue Radwege in der Innenstadt", tags=["verkehr"],
                         body="Die Stadt baut zwölf Kilometer neue Radwege.\n")
        cls.path2 = s.add("Theater eröffnet die Saison", tags=["kultur"],
                          body="Das Stadttheater zeigt zum Auftakt einen Klassiker.\n")

    @classmethod
    def db(cls):
        c = sqlite3.connect(cls.site.db, timeout=10)
        c.row_factory = sqlite3.Row
        return c

    # helpers
    def comment(self, path, name, text, email="", notify=False, parent=None):
        fields = {"name": name, "text": text, "email": email,
                  "ticket": form_ticket(self.server.get(path).text, path)}
        if notify:
            fields["notify"] = "1"
        if parent:
            fields["parent"] = str(parent)
        r = self.server.request("POST", path + "comment/",
                                body=urllib.parse.urlencode(fields).encode(),
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 303, r)
        with self.db() as c:
            row = c.execute("SELECT id, status FROM comments WHERE text = ?", (text,)).fetchone()
        self.assertEqual(row["status"], PENDING, "the comment waits for moderation")
        return row["id"]

    def status(self, cid):
        with self.db() as c:
            return c.execute("SELECT status FROM comments WHERE id = ?", (cid,)).fetchone()[0]

    def sign(self, cid, action, expires=None):
        """A link value as the site signs it (newsletter/links.c): BLAKE2b
        keyed with a key derived from the site's comment secret."""
        with self.db() as c:
            secret = c.execute("SELECT value FROM kv WHERE key = 'comment_secret'").fetchone()[0]
        key = hashlib.blake2b(b"depesche mail links v1", key=secret.encode(),
                              digest_size=32).digest()
        msg = "%d.%s.%d" % (cid, action, expires if expires is not None else time.time() + 3600)
        return msg + "." + hashlib.blake2b(msg.encode(), key=key, digest_size=16).hexdigest()

    def get_link(self, value):
        return self.server.get("/moderate/?t=" + urllib.parse.quote(value, safe=""))

    def post_link(self, value):
        return self.server.request("POST", "/moderate/",
                                   body=urllib.parse.urlencode({"t": value}).encode(),
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})

    def approve(self, cid):
        r = self.post_link(self.sign(cid, "approve"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.status(cid), APPROVED)

    def outbox_to(self, addr):
        with self.db() as c:
            return c.execute("SELECT count(*) FROM outbox WHERE recipient = ?",
                             (addr,)).fetchone()[0]



class ModeratorMailTest(NotifyBase):
    """The moderators' mail (one test: the mail's timing is the site's)."""
    MINUTES = 1

    def test_moderators_get_one_mail_with_links_that_work(self):
        text1 = 'Gute Idee! <b>Endlich</b> & "sicher" – aber was ist mit dem Winterdienst?'
        c1 = self.comment(self.path, "Anna Leserin", text1, email="anna@example.net",
                          notify=True)
        raws = wait_for_mail(self.relay, "chefin@example.org", what="the admin's mail")
        wait_for_mail(self.relay, "mod@example.org", what="the moderator's mail")
        m = parse(raws[0])
        self.assertEqual(str(m["Subject"]), "Ein neuer Kommentar wartet auf Freigabe")
        self.assertIsNone(m["List-Unsubscribe"], "staff mail is no list mail")
        text, html = m.get_body(("plain",)).get_content(), m.get_body(("html",)).get_content()
        self.assertIn("Anna Leserin", text)
        self.assertIn("Neue Radwege in der Innenstadt", text)
        self.assertIn(text1, text)
        self.assertIn("&lt;b&gt;Endlich&lt;/b&gt;", html)
        self.assertIn(BASE + "/admin/comments", text)
        values = LINK_RE.findall(text)
        approve = [v for v in values if v.startswith("%d.approve." % c1)]
        reject = [v for v in values if v.startswith("%d.reject." % c1)]
        self.assertEqual((len(approve), len(reject)), (1, 1), values)
        self.assertIn('href="%s/moderate/?t=%s"' % (BASE, approve[0]), html)

        # Another comment: the next mail waits for mail.moderation_minutes.
        text2 = "Der Winterdienst fährt die Radwege zuerst, steht im Beschluss."
        c2 = self.comment(self.path, "Bert", text2)

        # The GET shows the comment and a button, and decides nothing.
        r = self.get_link(approve[0])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.h("cache-control"), "no-store")
        page = Page(r.text)
        self.assertEqual(page.meta("robots"), "noindex")
        self.assertIn("&lt;b&gt;Endlich&lt;/b&gt;", r.text)
        self.assertNotIn("<b>Endlich</b>", r.text)
        self.assertIn('<button type="submit">Kommentar freigeben</button>', r.text)
        self.assertIn('name="t" value="%s"' % approve[0], r.text)
        self.assertEqual(self.status(c1), PENDING)

        # The POST approves; the comment shows on the page; the audit says how.
        r = self.post_link(approve[0])
        self.assertEqual(r.status, 200, r)
        self.assertIn("freigegeben", r.text)
        self.assertEqual(self.status(c1), APPROVED)
        poll(lambda: "comment-%d" % c1 in self.server.get(self.path).text,
             what="the approved comment on the article page")
        with self.db() as c:
            row = c.execute("SELECT actor, action FROM audit_log WHERE object = ?",
                            ("comment %d" % c1,)).fetchone()
        self.assertEqual(tuple(row), ("mail link", "comment.approved"))
        # Clicked twice: nothing changes, the page says so.
        r = self.post_link(approve[0])
        self.assertEqual(r.status, 200)
        self.assertIn("bereits entschieden", r.text)
        r = self.post_link(reject[0])
        self.assertIn("bereits entschieden", r.text)
        self.assertEqual(self.status(c1), APPROVED)

        # Anna asked: her "approved" mail comes in the round after the
        # approval, which saw comment 2 already — and mailed nobody about it.
        wait_for_mail(self.relay, "anna@example.net", what="Anna's approved mail")
        self.assertEqual(self.outbox_to("chefin@example.org"), 1)
        self.assertEqual(self.outbox_to("mod@example.org"), 1)

        # The minutes pass: one more mail each, about comment 2 only.
        with self.db() as c:
            c.execute("UPDATE kv SET value = CAST(value AS INTEGER) - 120"
                      " WHERE key = 'mail.moderation_at'")
        raws = wait_for_mail(self.relay, "chefin@example.org", count=2, what="the second mail")
        second = [parse(r) for r in raws if text2 in parse(r).get_body(("plain",)).get_content()]
        self.assertEqual(len(second), 1)
        text = second[0].get_body(("plain",)).get_content()
        self.assertNotIn("Endlich", text)
        self.assertTrue(any(v.startswith("%d.reject." % c2) for v in LINK_RE.findall(text)))
        wait_for_mail(self.relay, "mod@example.org", count=2)
        # Staff without an address, and authors, get none.
        self.assertEqual(self.outbox_to("autor@example.org"), 0)
        self.assertEqual(self.outbox_to(""), 0)

        # Reject by link.
        value = [v for v in LINK_RE.findall(text) if v.startswith("%d.reject." % c2)][0]
        r = self.get_link(value)
        self.assertIn("Kommentar löschen", r.text)
        self.assertEqual(self.status(c2), PENDING)
        r = self.post_link(value)
        self.assertEqual(r.status, 200)
        self.assertEqual(self.status(c2), REJECTED)


class LinksAndNoticesTest(NotifyBase):
    """Signed links refused, and the commenters' notices (no moderators'
    mail here: mail.moderation_minutes 0)."""

    def test_bad_links_are_refused(self):
        cid = self.comment(self.path2, "Clara", "Ich freue mich auf die Premiere im Oktober.")
        good = self.sign(cid, "approve")
        forged = good[:-1] + ("0" if good[-1] != "0" else "1")
        altered = good.replace(".approve.", ".reject.")
        for value, status in ((forged, 403), (altered, 403), ("1.approve.99.abc", 403),
                              ("x" * 500, 403)):
            self.assertEqual(self.get_link(value).status, status, value)
            self.assertEqual(self.post_link(value).status, status, value)
        r = self.get_link(self.sign(cid, "approve", expires=int(time.time()) - 10))
        self.assertEqual(r.status, 410)
        self.assertIn('href="/admin/comments"', r.text)
        self.assertEqual(self.post_link(self.sign(cid, "reject", expires=1)).status, 410)
        self.assertEqual(self.server.get("/moderate/").status, 400)
        self.assertEqual(self.post_link("").status, 400)
        self.assertEqual(self.get_link(self.sign(999999, "approve")).status, 404)
        self.assertEqual(self.status(cid), PENDING, "no refused link changed anything")
        self.assertEqual(self.post_link(good).status, 200)
        self.assertEqual(self.status(cid), APPROVED)

    def test_commenters_hear_about_approval_and_replies(self):
        path = self.path2
        anna = self.comment(path, "Anna", "Der Spielplan ist wirklich stark dieses Jahr.",
                            email="anna.t@example.net", notify=True)
        bert = self.comment(path, "Bert", "Und die Preise bleiben gleich, wie schön.",
                            notify=True)
        clara = self.comment(path, "Clara", "Gibt es wieder ermäßigte Karten für Studierende?",
                             email="clara.t@example.net")
        for cid in (anna, bert, clara):
            self.approve(cid)
        raws = wait_for_mail(self.relay, "anna.t@example.net", what="Anna's approved mail")
        m = parse(raws[0])
        self.assertIn("freigegeben", str(m["Subject"]))
        self.assertIn("Theater eröffnet die Saison", str(m["Subject"]))
        self.assertIn("%s%s#comment-%d" % (BASE, path, anna), m.get_body(("plain",)).get_content())

        dora = self.comment(path, "Dora", "Da stimme ich zu, besonders der Oktober.",
                            email="dora.t@example.net", parent=anna)
        erik = self.comment(path, "Erik", "Ja, mit Ausweis an der Abendkasse.",
                            email="erik.t@example.net", notify=True, parent=clara)
        self.approve(dora)
        self.approve(erik)
        raws = wait_for_mail(self.relay, "anna.t@example.net", count=2, what="Anna's reply mail")
        reply = [parse(r) for r in raws if "Antwort" in str(parse(r)["Subject"])]
        self.assertEqual(len(reply), 1)
        text = reply[0].get_body(("plain",)).get_content()
        self.assertIn("Da stimme ich zu, besonders der Oktober.", text)
        self.assertIn("Der Spielplan ist wirklich stark", text)
        self.assertIn("Dora", text)
        self.assertIn("%s%s#comment-%d" % (BASE, path, dora), text)
        # Erik asked and is told of his approval; the round that made it
        # also looked at everybody else.
        wait_for_mail(self.relay, "erik.t@example.net", what="Erik's approved mail")
        self.assertEqual(self.outbox_to("anna.t@example.net"), 2)
        for addr in ("clara.t@example.net", "dora.t@example.net"):
            self.assertEqual(self.outbox_to(addr), 0, addr)
        self.assertEqual(self.outbox_to("erik.t@example.net"), 1)
        del bert


if __name__ == "__main__":
    import unittest
    unittest.main()
