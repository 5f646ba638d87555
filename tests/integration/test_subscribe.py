"""Signing up for mail, end to end, against the real binary and a real SMTP
server (aiosmtpd, relay.py): the box on every page and "similar news" under
articles, POST /subscribe with its anti-abuse (ticket, honeypot, rate), the
double opt-in mail read as a mail client reads it, the confirmation link
(GET shows a button, POST confirms, single use, expiry), the consent record
in the database, never revealing whether an address is known, the
preferences page, and unsubscribing by the visible link and by the RFC 8058
one-click POST taken from a real list mail's List-Unsubscribe header.

Mail goes out deterministically: the server runs with --no-mail and each
test delivers with `depesche mail run --once`. The site's base URL is
https://news.example.org; links from mails are followed against the test
server's own address."""

import hashlib
import re
import sqlite3
import time
import urllib.parse

from harness import Page, SiteTestCase

from relay import Controller, Relay, parse

BASE = "https://news.example.org"
FROM_NAME = "Redaktion Düsseldorf"
FROM_ADDR = "news@example.org"
REPLY_TO = "leserbriefe@example.org"
TITLE = "Der Testbote"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CONFIRM_RE = re.compile(r"https://news\.example\.org/subscribe/confirm/\?t=([0-9a-f]{64})")
PENDING, CONFIRMED, UNSUBSCRIBED = 0, 1, 2


def local(url):
    """A link from a mail -> the path on the test server."""
    assert url.startswith(BASE + "/"), url
    return url[len(BASE):]


def forms(page):
    """<form> elements of a page with their fields: [(attrs, [(tag, attrs)])]."""
    out, cur = [], None
    for tag, a in page.elements:
        if tag == "form":
            cur = (a, [])
            out.append(cur)
        elif cur is not None and tag in ("input", "button", "textarea", "select"):
            cur[1].append((tag, a))
    return out


def field_values(fields, name):
    return [a.get("value") for t, a in fields if a.get("name") == name]


def text_part(msg):
    return msg.get_body(preferencelist=("plain",)).get_content()


def html_part(msg):
    return msg.get_body(preferencelist=("html",)).get_content()


class MailSiteTest(SiteTestCase):
    """A site with mail configured and a relay; the server sends nothing
    itself (--no-mail)."""

    SERVE = True
    SERVE_ARGS = ("--no-mail",)
    SITE_TITLE = TITLE
    relay = None

    @classmethod
    def populate(cls):
        if Controller is None:
            raise AssertionError("python3-aiosmtpd is missing (apt-get install python3-aiosmtpd)")
        cls.relay = Relay()
        s = cls.site
        s.must("config", "set", "base_url", BASE)
        s.must("config", "set", "smtp.url", "smtp://127.0.0.1:%d" % cls.relay.port)
        s.must("config", "set", "mail.from", "%s <%s>" % (FROM_NAME, FROM_ADDR))
        s.must("config", "set", "mail.reply_to", REPLY_TO)
        cls.more(s)

    @classmethod
    def more(cls, site):
        pass

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            if cls.relay:
                cls.relay.stop()

    # ---- helpers
    def deliver(self):
        r = self.site.cli("mail", "run", "--once")
        self.assertEqual(r.rc, 0, r)

    def mails_to(self, addr):
        return [parse(raw) for (_f, tos, raw) in self.relay.received() if addr in tos]

    def raw_mails_to(self, addr):
        return [raw for (_f, tos, raw) in self.relay.received() if addr in tos]

    def db(self):
        c = sqlite3.connect("file:%s?mode=ro" % self.site.db, uri=True, timeout=10)
        c.row_factory = sqlite3.Row
        return c

    def query(self, sql, *args):
        with self.db() as c:
            return c.execute(sql, args).fetchall()

    def subscriber(self, email):
        rows = self.query("SELECT * FROM subscribers WHERE email_key = ?", email.lower())
        return rows[0] if rows else None

    def consents(self, email):
        return self.query("SELECT c.* FROM consents c JOIN subscribers s ON s.id = c.subscriber_id"
                          " WHERE s.email_key = ? ORDER BY c.id", email.lower())

    def counts(self):
        return tuple(self.query("SELECT count(*) FROM %s" % t)[0][0]
                     for t in ("subscribers", "consents", "outbox"))

    def box_form(self, path="/"):
        """The sign-up box's form on a page: (attrs, fields, consent text)."""
        page = Page(self.get(path, status=200).text)
        for attrs, fields in forms(page):
            if attrs.get("action") == "/subscribe" and "similar" not in attrs.get("class", ""):
                return attrs, fields, page
        self.fail("no sign-up box on %s" % path)

    def ticket(self, path="/"):
        _a, fields, _p = self.box_form(path)
        return field_values(fields, "ticket")[0]

    def post(self, path, fields):
        body = urllib.parse.urlencode(fields, doseq=True).encode()
        return self.server.request("POST", path, headers=FORM, body=body)

    def signup(self, email, topics=(), newsletter=True, **extra):
        fields = {"email": email, "ticket": self.ticket(), "website": ""}
        if topics:
            fields["topics"] = list(topics)
        if newsletter:
            fields["newsletter"] = "1"
        fields.update(extra)
        return self.post("/subscribe", fields)

    def confirm_link(self, email, index=-1):
        mails = self.mails_to(email)
        self.assertTrue(mails, "no mail to %s" % email)
        m = CONFIRM_RE.search(text_part(mails[index]))
        self.assertIsNotNone(m, "no confirmation link in %r" % text_part(mails[index]))
        return m.group(0), m.group(1)

    def subscribe_confirmed(self, email, topics=(), newsletter=True):
        """Signs up, delivers, confirms; returns the manage key."""
        r = self.signup(email, topics, newsletter)
        self.assertEqual(r.status, 303, r)
        self.deliver()
        url, token = self.confirm_link(email)
        r = self.post("/subscribe/confirm/", {"t": token})
        self.assertEqual(r.status, 200, r)
        return self.subscriber(email)["key"]

    def assertPrivatePage(self, r):
        self.assertIn("no-store", r.h("cache-control", ""))
        self.assertIn("no-referrer", r.h("referrer-policy", ""))
        page = Page(r.text)
        self.assertEqual(page.meta("robots"), "noindex")
        self.assertEqual(page.meta("referrer"), "no-referrer")
        self.assertEqual(page.scripts, [])
        return page


class SubscribeTest(MailSiteTest):

    @classmethod
    def more(cls, site):
        cls.article = site.add("Strompreise sinken im Winter", tags=["Energie", "Verkehr & Bahn"],
                               body="Die Netzagentur meldet fallende Preise.\n")
        cls.untagged = site.add("Ohne Schlagwörter", body="Ein Artikel ohne Schlagwort.\n")

    # ---- the forms on the pages
    def test_box_on_home_and_article_and_similar_form(self):
        for path in ("/", self.article, self.untagged):
            attrs, fields, page = self.box_form(path)
            self.assertEqual(attrs.get("method"), "post")
            ticket = field_values(fields, "ticket")
            self.assertEqual(len(ticket), 1)
            self.assertRegex(ticket[0], r"^\d+\.[0-9a-f]{32}$")
            self.assertEqual(field_values(fields, "newsletter"), ["1"])
            self.assertIn("website", [a.get("name") for t, a in fields])  # honeypot
            self.assertIn("email", [a.get("name") for t, a in fields])
            self.assertIn(TITLE + " darf mir per E-Mail den Newsletter der Redaktion", page.text)
        page = Page(self.get(self.article, status=200).text)
        similar = [(a, f) for a, f in forms(page) if "similar" in a.get("class", "")]
        self.assertEqual(len(similar), 1)
        attrs, fields = similar[0]
        self.assertEqual(attrs.get("action"), "/subscribe")
        self.assertEqual(sorted(field_values(fields, "topics")), ["energie", "verkehr-bahn"])
        self.assertEqual(field_values(fields, "newsletter"), [])
        self.assertRegex(field_values(fields, "ticket")[0], r"^\d+\.[0-9a-f]{32}$")
        self.assertIn("„Energie“ und „Verkehr & Bahn“", page.text)
        # the feed box stays beside it
        self.assertIn(self.article + "feed/", page.hrefs())
        # no "similar news" without tags
        page = Page(self.get(self.untagged, status=200).text)
        self.assertFalse([a for a, f in forms(page) if "similar" in a.get("class", "")])
        # a real ticket from the page is accepted: the sign-up is stored
        before = self.counts()
        r = self.post("/subscribe", {"email": "box@example.net", "newsletter": "1",
                                     "ticket": field_values(fields, "ticket")[0], "website": ""})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(self.counts()[1], before[1] + 1)

    def test_signup_page(self):
        r = self.get("/subscribe/?topics=energie&topics=nosuchtag", status=200)
        page = self.assertPrivatePage(r)
        f = [(a, fl) for a, fl in forms(page) if a.get("action") == "/subscribe"]
        self.assertEqual(len(f), 1)
        self.assertEqual(field_values(f[0][1], "topics"), ["energie"])
        self.assertIn("zum Thema „Energie“", page.text)
        # no second box on the sign-up page itself
        self.assertNotIn('id="signup-email"', r.text)
        r = self.get("/subscribe", status=200)
        self.assertIn("den Newsletter der Redaktion", r.text)
        r = self.get("/subscribe/?sent=1", status=200)
        self.assertIn("Postfach", r.text)

    # ---- double opt-in
    def test_signup_mail_confirm_and_consent_record(self):
        addr = "anna.berg@example.net"
        page = Page(self.get(self.article, status=200).text)
        attrs, fields = [(a, f) for a, f in forms(page) if "similar" in a.get("class", "")][0]
        shown = [p for p in re.findall(r'<p class="consent" id="similar-consent">([^<]*)</p>',
                                       self.get(self.article).text)][0]
        shown = shown.replace("&amp;", "&")
        t0 = int(time.time())
        r = self.post("/subscribe", {"email": addr, "topics": field_values(fields, "topics"),
                                     "ticket": field_values(fields, "ticket")[0], "website": ""})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.h("location"), "/subscribe/?sent=1")
        self.assertEqual(self.subscriber(addr)["status"], PENDING)
        self.assertEqual(self.mails_to(addr), [])  # the outbox, not the request, sends
        self.deliver()
        raws = self.raw_mails_to(addr)
        self.assertEqual(len(raws), 1)
        raw = raws[0]
        m = parse(raw)
        # headers as a client reads them
        self.assertEqual(m.get_content_type(), "multipart/alternative")
        self.assertEqual([p.get_content_type() for p in m.iter_parts()], ["text/plain", "text/html"])
        self.assertEqual(m["From"].addresses[0].display_name, FROM_NAME)
        self.assertEqual(m["From"].addresses[0].addr_spec, FROM_ADDR)
        self.assertIn(b"From: =?UTF-8?Q?", raw)  # RFC 2047 on the wire
        self.assertEqual(m["Reply-To"].addresses[0].addr_spec, REPLY_TO)
        self.assertEqual(m["To"].addresses[0].addr_spec, addr)
        self.assertRegex(m["Message-ID"], r"^<[0-9A-Fa-f]+@example\.org>$")
        self.assertLessEqual(abs(m["Date"].datetime.timestamp() - t0), 120)
        self.assertEqual(str(m["Subject"]), "Bitte bestätigen Sie Ihre Anmeldung – " + TITLE)
        self.assertIn(b"Subject: =?UTF-8?Q?", raw)
        self.assertIn("<news.example.org>", str(m["List-Id"]))
        self.assertIsNone(m["List-Unsubscribe"])  # transactional: no list headers
        for part in m.iter_parts():
            self.assertEqual(part.defects, [])
        html = html_part(m)
        text = text_part(m)
        self.assertNotIn("<script", html.lower())
        self.assertIn('<html lang="de">', html)
        self.assertNotIn("&amp;", text)  # plain text is not HTML-escaped
        self.assertIn("„Energie“, „Verkehr & Bahn“", text)
        self.assertIn(shown, text)  # the wording the person saw
        url, token = self.confirm_link(addr)
        self.assertIn('href="%s"' % url, html)

        # GET only shows a button (mail scanners fetch links)
        r = self.get(local(url), status=200)
        page = self.assertPrivatePage(r)
        f = [(a, fl) for a, fl in forms(page) if a.get("action") == "/subscribe/confirm/"]
        self.assertEqual(len(f), 1)
        self.assertEqual(f[0][0].get("method"), "post")
        self.assertEqual(field_values(f[0][1], "t"), [token])
        self.assertEqual(self.subscriber(addr)["status"], PENDING)

        # POST confirms
        r = self.post("/subscribe/confirm/", {"t": token})
        self.assertEqual(r.status, 200, r)
        page = self.assertPrivatePage(r)
        self.assertIn("Energie", page.text)
        self.assertIn("Verkehr & Bahn", page.text)
        sub = self.subscriber(addr)
        self.assertEqual(sub["status"], CONFIRMED)
        self.assertIn("/subscribe/preferences/?k=" + sub["key"], page.hrefs())
        topics = [row[0] for row in self.query(
            "SELECT slug FROM subscriber_topics WHERE subscriber_id = ? ORDER BY slug", sub["id"])]
        self.assertEqual(topics, ["energie", "verkehr-bahn"])
        self.assertEqual(sub["newsletter"], 0)

        # the consent record: times, addresses, wording, version
        c = self.consents(addr)
        self.assertEqual(len(c), 1)
        c = c[0]
        self.assertEqual(c["wording"], shown)
        self.assertEqual(c["version"], hashlib.blake2b(shown.encode(), digest_size=32).hexdigest()[:16])
        self.assertEqual(c["request_ip"], "127.0.0.1")
        self.assertEqual(c["confirm_ip"], "127.0.0.1")
        self.assertEqual(c["topics"], "energie verkehr-bahn")
        self.assertGreaterEqual(c["requested_at"], t0 - 1)
        self.assertGreaterEqual(c["confirmed_at"], c["requested_at"])
        self.assertEqual(c["expires_at"] - c["requested_at"], 48 * 3600)
        self.assertNotEqual(c["token_hash"], token)  # only a hash is kept

        # single use
        r = self.post("/subscribe/confirm/", {"t": token})
        self.assertEqual(r.status, 404, r)
        self.assertIn("nicht (mehr) gültig", r.text)
        self.assertIn("/subscribe/", Page(r.text).hrefs())
        # nonsense tokens
        self.assertEqual(self.get("/subscribe/confirm/?t=abc").status, 404)
        self.assertEqual(self.post("/subscribe/confirm/", {"t": "0" * 64}).status, 404)
        self.assertEqual(self.post("/subscribe/confirm/", {}).status, 404)

    def test_expired_link_is_410(self):
        addr = "spaet@example.net"
        self.assertEqual(self.signup(addr).status, 303)
        self.deliver()
        url, token = self.confirm_link(addr)
        with sqlite3.connect(self.site.db, timeout=10) as c:
            c.execute("UPDATE consents SET expires_at = ? WHERE token_hash IS NOT NULL AND"
                      " subscriber_id = (SELECT id FROM subscribers WHERE email_key = ?)",
                      (int(time.time()) - 60, addr))
        r = self.post("/subscribe/confirm/", {"t": token})
        self.assertEqual(r.status, 410, r)
        page = self.assertPrivatePage(r)
        self.assertIn("/subscribe/", page.hrefs())
        self.assertIn("abgelaufen", page.text)
        self.assertEqual(self.subscriber(addr)["status"], PENDING)

    def test_known_address_gets_the_same_answer(self):
        known = "bekannt@example.net"
        self.subscribe_confirmed(known, topics=["energie"])
        pending = "wartet@example.net"
        self.assertEqual(self.signup(pending).status, 303)
        answers = []
        for addr in (known, pending, "neu@example.net"):
            r = self.signup(addr)
            answers.append((r.status, r.h("location"), r.body))
        self.assertEqual(answers[0], answers[1])
        self.assertEqual(answers[1], answers[2])
        self.deliver()
        # a confirmed address signing up again is asked again (its request
        # adds what it asks for), and keeps its state meanwhile
        self.assertEqual(len(self.mails_to(known)), 2)
        self.assertEqual(self.subscriber(known)["status"], CONFIRMED)
        url, token = self.confirm_link(known)
        self.assertEqual(self.post("/subscribe/confirm/", {"t": token}).status, 200)
        sub = self.subscriber(known)
        self.assertEqual(sub["newsletter"], 1)
        self.assertEqual([r[0] for r in self.query(
            "SELECT slug FROM subscriber_topics WHERE subscriber_id = ?", sub["id"])], ["energie"])

    def test_flood_of_requests_sends_three_mails(self):
        addr = "flut@example.net"
        answers = set()
        for _ in range(5):
            r = self.signup(addr)
            answers.add((r.status, r.h("location"), r.body))
        self.assertEqual(len(answers), 1, answers)
        self.assertEqual(list(answers)[0][:2], (303, "/subscribe/?sent=1"))
        self.deliver()
        self.assertEqual(len(self.mails_to(addr)), 3)
        self.assertEqual(len(self.consents(addr)), 3)

    # ---- anti-abuse
    def test_bots_get_the_same_answer_and_nothing_happens(self):
        real = self.signup("mensch@example.net")
        cases = {
            "honeypot": dict(website="http://spam.example"),
            "forged ticket": dict(ticket="1700000000." + "0" * 32),
            "garbage ticket": dict(ticket="x"),
            "future ticket": dict(ticket="%d.%s" % (int(time.time()) + 86400, "a" * 32)),
        }
        for what, extra in cases.items():
            with self.subTest(what):
                before = self.counts()
                addr = "bot-%s@example.net" % what.replace(" ", "-")
                r = self.signup(addr, **extra)
                self.assertEqual((r.status, r.h("location"), r.body),
                                 (real.status, real.h("location"), real.body))
                self.assertEqual(self.counts(), before)
                self.assertIsNone(self.subscriber(addr))
        # no ticket at all
        before = self.counts()
        r = self.post("/subscribe", {"email": "bot-none@example.net", "newsletter": "1"})
        self.assertEqual(r.status, 303)
        self.assertEqual(self.counts(), before)
        self.deliver()
        self.assertEqual([m for m in self.relay.received() if any("bot-" in t for t in m[1])], [])

    def test_invalid_input_is_400_and_keeps_what_was_typed(self):
        before = self.counts()
        typed = 'kein "Adresse" <x>'
        r = self.signup(typed, topics=["energie"], newsletter=False)
        self.assertEqual(r.status, 400, r)
        page = self.assertPrivatePage(r)
        self.assertIn("sieht nicht gültig aus", page.text)
        inputs = [a for t, a in page.elements if t == "input" and a.get("name") == "email"]
        self.assertEqual(inputs[0].get("value"), typed)
        self.assertIn('value="kein &quot;Adresse&quot; &lt;x&gt;"', r.text)
        f = [(a, fl) for a, fl in forms(page) if a.get("action") == "/subscribe"][0]
        self.assertEqual(field_values(f[1], "topics"), ["energie"])
        self.assertRegex(field_values(f[1], "ticket")[0], r"^\d+\.[0-9a-f]{32}$")
        for what, fields, text in (
                ("unknown topic", dict(topics=["gibt-es-nicht"], newsletter=False), "Themen"),
                ("nothing", dict(newsletter=False), "was Sie erhalten"),
                ("too long", dict(email="a" * 250 + "@example.net"), "nicht gültig"),
                ("umlaut", dict(email="jürgen@example.net"), "nicht gültig"),
                ("no dot", dict(email="leser@localhost"), "nicht gültig"),
                ("too many topics", dict(topics=["t%d" % i for i in range(51)]), "höchstens 50")):
            with self.subTest(what):
                args = dict(fields)
                email = args.pop("email", "ok@example.net")
                r = self.signup(email, **args)
                self.assertEqual(r.status, 400, r)
                self.assertIn(text, r.text)
        self.assertEqual(self.counts(), before)

    # ---- preferences
    def test_preferences(self):
        addr = "prefs@example.net"
        key = self.subscribe_confirmed(addr, topics=["energie", "verkehr-bahn"])
        r = self.get("/subscribe/preferences/?k=" + key, status=200)
        page = self.assertPrivatePage(r)
        self.assertIn(addr, page.text)
        boxes = {a.get("value"): a for t, a in page.elements
                 if t == "input" and a.get("name") == "topics"}
        self.assertEqual(set(boxes), {"energie", "verkehr-bahn"})
        self.assertTrue(all("checked" in a for a in boxes.values()))
        self.assertIn("Verkehr & Bahn", page.text)
        radios = {a.get("value"): a for t, a in page.elements
                  if t == "input" and a.get("name") == "frequency"}
        self.assertEqual(set(radios), {"immediate", "daily", "weekly"})
        self.assertIn("checked", radios["immediate"])
        prefs = [(a, f) for a, f in forms(page) if a.get("action") == "/subscribe/preferences/"][0]
        self.assertEqual(field_values(prefs[1], "k"), [key])

        r = self.post("/subscribe/preferences/", {"k": key, "topics": ["energie", "sport"],
                                                  "frequency": "weekly"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.h("location"), "/subscribe/preferences/?k=%s&saved=1" % key)
        sub = self.subscriber(addr)
        self.assertEqual((sub["frequency"], sub["newsletter"], sub["status"]), (2, 0, CONFIRMED))
        # only followed topics stay; a new one needs a sign-up with consent
        self.assertEqual([row[0] for row in self.query(
            "SELECT slug FROM subscriber_topics WHERE subscriber_id = ?", sub["id"])], ["energie"])
        r = self.get(r.h("location"), status=200)
        self.assertIn("Gespeichert", r.text)
        page = Page(r.text)
        radios = {a.get("value"): a for t, a in page.elements
                  if t == "input" and a.get("name") == "frequency"}
        self.assertIn("checked", radios["weekly"])

        r = self.post("/subscribe/preferences/", {"k": key, "frequency": "daily",
                                                  "newsletter": "1"})
        self.assertEqual(r.status, 303)
        sub = self.subscriber(addr)
        self.assertEqual((sub["frequency"], sub["newsletter"]), (1, 1))
        self.assertEqual(self.query("SELECT count(*) FROM subscriber_topics WHERE subscriber_id = ?",
                                    sub["id"])[0][0], 0)

        r = self.post("/subscribe/preferences/", {"k": key, "frequency": "hourly"})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(self.subscriber(addr)["frequency"], 1)
        for k in ("0" * 64, "nope", ""):
            self.assertEqual(self.get("/subscribe/preferences/?k=" + k).status, 404)
            self.assertEqual(self.post("/subscribe/preferences/",
                                       {"k": k, "frequency": "daily"}).status, 404)

    # ---- unsubscribing
    def test_list_mail_one_click_unsubscribe(self):
        addr = "klick@example.net"
        key = self.subscribe_confirmed(addr, topics=["energie"], newsletter=False)
        self.deliver()  # whatever was due is out; now one new article on the topic
        n = len(self.mails_to(addr))
        self.site.add("Netzentgelte steigen", tags=["Energie"], body="Neue Zahlen.\n")
        self.deliver()
        mails = self.mails_to(addr)
        self.assertEqual(len(mails), n + 1, "no topic alert came")
        m = mails[-1]
        url = BASE + "/unsubscribe/?k=" + key
        self.assertEqual(str(m["List-Unsubscribe"]).strip(), "<%s>" % url)
        self.assertEqual(str(m["List-Unsubscribe-Post"]).strip(), "List-Unsubscribe=One-Click")
        self.assertIn("<news.example.org>", str(m["List-Id"]))
        self.assertIn('href="%s"' % url, html_part(m))
        self.assertIn(url, text_part(m))
        self.assertIn(BASE + "/subscribe/preferences/?k=" + key, text_part(m))

        # the GET page shows a button and changes nothing
        r = self.get(local(url), status=200)
        page = self.assertPrivatePage(r)
        self.assertIn(addr, page.text)
        f = [(a, fl) for a, fl in forms(page) if a.get("action") == "/unsubscribe/"]
        self.assertEqual(field_values(f[0][1], "k"), [key])
        self.assertEqual(self.subscriber(addr)["status"], CONFIRMED)

        # RFC 8058: POST to the header's URL with exactly this body, no cookie
        r = self.server.request("POST", local(url), headers=FORM,
                                body=b"List-Unsubscribe=One-Click")
        self.assertEqual(r.status, 200, r)
        self.assertIn("abgemeldet", r.text)
        self.assertIn("/subscribe/", Page(r.text).hrefs())
        sub = self.subscriber(addr)
        self.assertEqual(sub["status"], UNSUBSCRIBED)
        self.assertEqual(self.query("SELECT count(*) FROM subscriber_topics WHERE subscriber_id = ?",
                                    sub["id"])[0][0], 0)
        self.assertEqual(len(self.consents(addr)), 1)  # the proof stays
        # again: still fine; the page says so
        r = self.server.request("POST", local(url), headers=FORM,
                                body=b"List-Unsubscribe=One-Click")
        self.assertEqual(r.status, 200)
        self.assertIn("abgemeldet", self.get(local(url), status=200).text)
        # the preferences page of an unsubscribed address offers a new sign-up
        r = self.get("/subscribe/preferences/?k=" + key, status=200)
        self.assertIn("/subscribe/", Page(r.text).hrefs())
        # no more mail on the topic
        self.site.add("Gaspreise sinken", tags=["Energie"], body="Noch mehr Zahlen.\n")
        self.deliver()
        self.assertEqual(len(self.mails_to(addr)), n + 1)

    def test_unsubscribe_form_post_and_unknown_keys(self):
        addr = "formular@example.net"
        key = self.subscribe_confirmed(addr)
        r = self.post("/unsubscribe/", {"k": key})
        self.assertEqual(r.status, 200, r)
        self.assertPrivatePage(r)
        self.assertEqual(self.subscriber(addr)["status"], UNSUBSCRIBED)
        for k in ("f" * 64, "x", ""):
            self.assertEqual(self.get("/unsubscribe/?k=" + k).status, 404)
            self.assertEqual(self.post("/unsubscribe/", {"k": k}).status, 404)
            r = self.server.request("POST", "/unsubscribe/?k=" + k, headers=FORM,
                                    body=b"List-Unsubscribe=One-Click")
            self.assertEqual(r.status, 404)
        self.assertEqual(self.get("/unsubscribe/").status, 404)

    def test_hostile_values_are_escaped(self):
        evil = '<script>alert(1)</script>"@example.net'
        r = self.signup(evil)
        self.assertEqual(r.status, 400)
        self.assertNotIn("<script>alert(1)", r.text)
        r = self.get('/subscribe/confirm/?t=<script>', status=404)
        self.assertNotIn("<script>", r.text)


class SignupRateTest(MailSiteTest):
    @classmethod
    def more(cls, site):
        site.configure(comment_rate_per_minute=3)

    def test_rate_limit_429(self):
        # a bucket of 3 that refills one sign-up every 20 s: the first three
        # pass, of the next three (a token back needs 20 s) at most one could
        rs = [self.signup("rate%d@example.net" % i) for i in range(6)]
        self.assertEqual([r.status for r in rs[:3]], [303, 303, 303])
        limited = [(i, r) for i, r in enumerate(rs) if r.status == 429]
        self.assertGreaterEqual(len(limited), 2, [r.status for r in rs])
        i, r = limited[0]
        self.assertIn("warten Sie eine Minute", r.text)
        self.assertIn('value="rate%d@example.net"' % i, r.text)
        self.assertIsNone(self.subscriber("rate%d@example.net" % i))


class SignupClosedTest(MailSiteTest):
    @classmethod
    def more(cls, site):
        site.must("config", "set", "mail.subscribe_open", "false")
        cls.article = site.add("Geschlossen", tags=["Energie"])

    def test_closed(self):
        self.assertNotIn('action="/subscribe"', self.get("/", status=200).text)
        self.assertNotIn('action="/subscribe"', self.get(self.article, status=200).text)
        r = self.get("/subscribe/")
        self.assertEqual(r.status, 403)
        self.assertIn("geschlossen", r.text)
        r = self.post("/subscribe", {"email": "zu@example.net", "newsletter": "1"})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.query("SELECT count(*) FROM subscribers")[0][0], 0)


class NoMailConfiguredTest(SiteTestCase):
    """Without mail.from nobody can confirm: no box, sign-up closed."""
    SERVE = True

    @classmethod
    def populate(cls):
        cls.article = cls.site.add("Ohne Post", tags=["Energie"])

    def test_no_box(self):
        self.assertNotIn("/subscribe", self.get("/", status=200).text)
        self.assertNotIn("/subscribe", self.get(self.article, status=200).text)
        self.assertEqual(self.get("/subscribe/").status, 403)


class MinFillTimeTest(MailSiteTest):
    """A form sent back faster than comment_min_seconds is a bot's: the same
    303, nothing stored, no mail."""

    @classmethod
    def more(cls, site):
        site.configure(comment_min_seconds=3600)

    def test_too_fast(self):
        r = self.signup("schnell@example.net")
        self.assertEqual((r.status, r.h("location")), (303, "/subscribe/?sent=1"))
        self.assertEqual(self.counts(), (0, 0, 0))
        # a ticket issued long enough ago passes
        old = "%d.%s" % (int(time.time()) - 7200, "0" * 32)
        r = self.signup("schnell@example.net", ticket=old)
        self.assertEqual(r.status, 303)
        self.assertEqual(self.counts(), (0, 0, 0))  # forged all the same: nothing
        self.deliver()
        self.assertEqual(self.mails_to("schnell@example.net"), [])


class EnglishSiteTest(MailSiteTest):
    """An English site speaks English in the box, the pages and the mail."""
    LANG = "en"

    @classmethod
    def more(cls, site):
        cls.article = site.add("Rail strike ends", tags=["Transport"], body="Trains run again.\n")

    def test_english(self):
        page = Page(self.get(self.article, status=200).text)
        self.assertIn("Hear about similar news", page.text)
        self.assertIn("Yes, %s may send me alerts about new articles on the topic “Transport” by"
                      " e-mail." % TITLE, page.text)
        self.assertIn("Yes, %s may send me the newsroom's newsletter by e-mail." % TITLE, page.text)
        self.assertEqual(self.signup("reader@example.com").status, 303)
        self.assertIn("check your inbox", self.get("/subscribe/?sent=1", status=200).text)
        self.deliver()
        m = self.mails_to("reader@example.com")[0]
        self.assertEqual(str(m["Subject"]), "Please confirm your sign-up – " + TITLE)
        self.assertIn('<html lang="en">', html_part(m))
        self.assertIn("Confirm sign-up", html_part(m))
        url, token = self.confirm_link("reader@example.com")
        r = self.post("/subscribe/confirm/", {"t": token})
        self.assertEqual(r.status, 200)
        self.assertIn("your sign-up is confirmed", r.text)
