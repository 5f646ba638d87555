"""Topic alerts, digests and newsletter issues (src/newsletter/dispatch.c)
against a real SMTP server (relay.py, aiosmtpd), read as a mail client reads
them. The server's own dispatcher and sender deliver; where a test needs
rounds it controls, it runs `depesche mail run --once` without a server.

Covers: an immediate alert goes once to each follower of the article's tags
and to nobody else, also across unpublish/republish and a restart; a
scheduled article is mailed when it goes live, not before; an imported old
article mails nobody; the daily and weekly digests collect the waiting
articles once per period; a newsletter issue to 2,000 subscribers reaches
each exactly once with List-Unsubscribe headers and the subscriber's own
links; an issue for chosen topics reaches only their followers; kill -9 of
`serve` in the middle of an issue and a restart deliver to everybody, none
twice except at most mail.connections messages in flight."""

import collections
import email.utils
import html
import json
import os
import sqlite3
import time
import unittest

from harness import DEADLINE, Server, Site, binary, iso_utc, poll, run_cli
from relay import Controller, Relay, free_port, parse, wait_for_mail

BASE = "https://news.example.org"
FROM = "Der Testbote <news@example.org>"
IMMEDIATE, DAILY, WEEKLY = 0, 1, 2
QUEUED, SENDING, SENT, FAILED = 0, 1, 2, 3


def make_site(relay, **settings):
    site = Site(base_url=BASE)
    site.configure(timezone="UTC")
    for k, v in (("smtp.url", "smtp://127.0.0.1:%d" % relay.port), ("mail.from", FROM),
                 ("mail.rate", "10000"), ("mail.connections", "4")):
        site.must("config", "set", k, v)
    for k, v in settings.items():
        site.must("config", "set", k, str(v))
    return site


def db(site):
    c = sqlite3.connect(site.db, timeout=10)
    c.row_factory = sqlite3.Row
    return c


def add_subscribers(site, rows):
    """rows: (email, topics list, frequency, newsletter). Added with
    `depesche subscriber import` (confirmed, with a consent note), as an
    operator brings subscribers from another system. Returns {email: key}."""
    names = {IMMEDIATE: "immediate", DAILY: "daily", WEEKLY: "weekly"}
    for newsletter in (True, False):
        lines = ["%s,%s,%s\n" % (email, " ".join(topics), names[freq])
                 for email, topics, freq, nl in rows if nl == newsletter]
        if not lines:
            continue
        args = ["subscriber", "import", "-", "--note", "Test: eingewilligt bei der Messe"]
        if not newsletter:
            args.append("--no-newsletter")
        r = run_cli(args, data_dir=site.dir, stdin="".join(lines), timeout=120)
        if r.rc != 0:
            raise AssertionError("subscriber import failed: %r" % r)
    with db(site) as c:
        return {r["email"]: r["key"] for r in c.execute("SELECT email, key FROM subscribers")}


def mails_to(relay, rcpt):
    return [parse(raw) for (_f, tos, raw) in relay.received() if rcpt in tos]


def text_of(m):
    return m.get_body(("plain",)).get_content()


def html_of(m):
    return m.get_body(("html",)).get_content()


def subjects(relay, rcpt):
    return [str(m["Subject"]) for m in mails_to(relay, rcpt)]


class RelayCase(unittest.TestCase):
    relay = None

    @classmethod
    def setUpClass(cls):
        if Controller is None:
            raise AssertionError("python3-aiosmtpd is missing (apt-get install python3-aiosmtpd)")
        if not os.path.exists(binary()):
            raise AssertionError("binary not found: %s" % binary())
        cls.relay = Relay()

    @classmethod
    def tearDownClass(cls):
        if cls.relay:
            cls.relay.stop()


class AlertsTest(RelayCase):
    """Immediate alerts from the server's own dispatcher."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.site = make_site(cls.relay)
        cls.keys = add_subscribers(cls.site, [
            ("anna@example.net", ["bahn"], IMMEDIATE, False),
            ("bert@example.net", ["bahn", "sport"], DAILY, True),
            ("clara@example.net", ["sport"], IMMEDIATE, False),
            ("dora@example.net", [], IMMEDIATE, True),
            ("emil@example.net", ["bahn"], IMMEDIATE, True),
        ])
        with db(cls.site) as c:  # one who left: no mail whatever he follows
            c.execute("UPDATE subscribers SET status = 2 WHERE email = 'emil@example.net'")
        cls.server = Server(cls.site)

    @classmethod
    def tearDownClass(cls):
        rc = cls.server.stop() if cls.server else 0
        cls.site.cleanup()
        super().tearDownClass()
        if rc != 0:
            raise AssertionError("server did not exit 0: %r" % rc)

    def sentinel(self, title):
        """Publishes an article on "bahn" and waits for Anna's alert about
        it: every round before it is done, so what did not come by then
        does not come."""
        self.site.add(title, tags="Bahn")
        poll(lambda: any(title in s for s in subjects(self.relay, "anna@example.net")),
             what="the alert about %r" % title)

    def test_alert_once_to_followers_only(self):
        path = self.site.add("Neue Bahnstrecke nach Kassel & zurück", tags="Bahn,Verkehr",
                             dateline="KASSEL",
                             body="Die Strecke wird im Dezember eröffnet.\n\nMehr folgt.\n")
        raws = wait_for_mail(self.relay, "anna@example.net", what="Anna's alert")
        m = parse(raws[0])
        self.assertEqual(str(m["Subject"]), "Neu: Neue Bahnstrecke nach Kassel & zurück")
        self.assertEqual(m["From"].addresses[0].addr_spec, "news@example.org")
        self.assertEqual(m["To"].addresses[0].addr_spec, "anna@example.net")
        self.assertIsNotNone(m["Message-ID"])
        self.assertIsNotNone(m["Date"])
        self.assertEqual(m.get_content_type(), "multipart/alternative")
        key = self.keys["anna@example.net"]
        self.assertEqual(m["List-Unsubscribe"], "<%s/unsubscribe/?k=%s>" % (BASE, key))
        self.assertEqual(m["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        text, page = text_of(m), html_of(m)
        self.assertIn(BASE + path, text)
        self.assertIn("Die Strecke wird im Dezember eröffnet.", text)
        self.assertIn("KASSEL", text)
        self.assertIn("Bahn", text)  # why: the topic followed
        self.assertIn("%s/subscribe/preferences/?k=%s" % (BASE, key), text)
        self.assertIn('href="%s%s"' % (BASE, path), page)
        self.assertIn("Neue Bahnstrecke nach Kassel &amp; zurück", page)
        self.assertIn('href="%s/tag/bahn/"' % BASE, page)
        self.assertNotIn("<script", page.lower())

        # Unpublished and published again, then a restart: still once.
        slug = path.strip("/")
        self.site.must("post", "unpublish", slug)
        self.site.must("post", "publish", slug)
        self.sentinel("Stellwerk in Betrieb")
        self.assertEqual(self.server.stop(), 0)
        self.server = type(self).server = Server(self.site)
        self.sentinel("Fahrplanwechsel im Dezember")

        got = subjects(self.relay, "anna@example.net")
        self.assertEqual(sum("Neue Bahnstrecke" in s for s in got), 1, got)
        self.assertEqual(sum("Stellwerk" in s for s in got), 1, got)
        # Clara follows sport, Dora only the newsletter, Emil left, Bert
        # collects a daily digest: no alert for any of them.
        for who in ("clara@example.net", "dora@example.net", "emil@example.net",
                    "bert@example.net"):
            self.assertEqual(mails_to(self.relay, who), [], who)
        with db(self.site) as c:
            waiting = [r[0] for r in c.execute(
                "SELECT ar.title FROM subscriber_alerts a JOIN subscribers s"
                " ON s.id = a.subscriber_id JOIN articles ar ON ar.id = a.article_id"
                " WHERE s.email = 'bert@example.net' AND a.waiting = 1")]
        for title in ("Neue Bahnstrecke nach Kassel & zurück", "Stellwerk in Betrieb",
                      "Fahrplanwechsel im Dezember"):
            self.assertIn(title, waiting, "Bert's daily digest collects it")

    def test_scheduled_article_goes_out_when_live(self):
        at = int(time.time()) + 3
        self.site.add("Sportfest am Wochenende", tags="Sport", date=iso_utc(at))
        raws = wait_for_mail(self.relay, "clara@example.net", deadline=DEADLINE + 5,
                             what="the alert when the article goes live")
        m = parse(raws[0])
        self.assertIn("Sportfest", str(m["Subject"]))
        sent = email.utils.parsedate_to_datetime(m["Date"]).timestamp()
        self.assertGreaterEqual(sent, at, "mailed before the article was public")
        self.assertEqual(len(raws), 1)

    def test_old_import_mails_nobody(self):
        r = self.site.import_jsonl([{
            "title": "Archiv: Bahnhof eröffnet 1998", "body": "Damals.\n",
            "tags": ["Bahn", "Sport"], "date": "2020-03-01T10:00:00Z"}])
        self.assertEqual(r.rc, 0, r)
        self.sentinel("Neue Gleise am Hauptbahnhof")
        for who in ("anna@example.net", "clara@example.net"):
            self.assertFalse(any("Archiv" in s for s in subjects(self.relay, who)), who)


class DigestTest(RelayCase):
    """Daily and weekly digests, in rounds the test runs itself."""

    def setUp(self):
        self.relay.reset()
        self.site = make_site(self.relay)
        add_subscribers(self.site, [
            ("tag@example.net", ["bahn"], DAILY, False),
            ("woche@example.net", ["bahn", "kultur"], WEEKLY, False),
            ("sofort@example.net", ["bahn"], IMMEDIATE, False),
        ])

    def tearDown(self):
        self.site.cleanup()

    def run_once(self):
        r = self.site.cli("mail", "run", "--once")
        self.assertEqual(r.rc, 0, r)
        return r

    def test_digests_collect_once_per_period(self):
        # The first round marks this period's digests as done (nothing waits).
        self.run_once()
        self.site.add("Brückenbau beginnt", tags="Bahn")
        self.site.add("Neue Oper eröffnet", tags="Kultur")
        self.site.add("Stadtrat tagt", tags="Politik")
        self.run_once()
        self.assertEqual(len(mails_to(self.relay, "sofort@example.net")), 1)
        self.assertEqual(mails_to(self.relay, "tag@example.net"), [], "digest before its time")
        self.assertEqual(mails_to(self.relay, "woche@example.net"), [])

        # The next daily period begins (the record of the last one is moved back).
        with db(self.site) as c:
            c.execute("UPDATE kv SET value = '0' WHERE key = 'mail.digest_daily'")
        self.run_once()
        got = mails_to(self.relay, "tag@example.net")
        self.assertEqual(len(got), 1)
        m = got[0]
        self.assertIn("Tagesübersicht", str(m["Subject"]))
        self.assertIn("Brückenbau beginnt", text_of(m))
        self.assertNotIn("Oper", text_of(m))
        self.assertIn("Brückenbau beginnt", html_of(m))
        self.assertIsNotNone(m["List-Unsubscribe"])
        self.assertEqual(mails_to(self.relay, "woche@example.net"), [], "weekly is not daily")

        # Within the same period nothing more; a new article waits.
        self.site.add("Zweites Gleis fertig", tags="Bahn")
        self.run_once()
        self.assertEqual(len(mails_to(self.relay, "tag@example.net")), 1)

        with db(self.site) as c:
            c.execute("UPDATE kv SET value = '0' WHERE key = 'mail.digest_weekly'")
        self.run_once()
        got = mails_to(self.relay, "woche@example.net")
        self.assertEqual(len(got), 1)
        text = text_of(got[0])
        for title in ("Brückenbau beginnt", "Neue Oper eröffnet", "Zweites Gleis fertig"):
            self.assertIn(title, text)
        self.assertNotIn("Stadtrat", text)
        self.assertIn("Wochenübersicht", str(got[0]["Subject"]))
        self.assertEqual(len(mails_to(self.relay, "tag@example.net")), 1)
        self.run_once()
        self.assertEqual(len(mails_to(self.relay, "woche@example.net")), 1)

    def test_digest_hour_sets_the_period(self):
        # The period starts at digest_hour: with the hour just begun, the
        # start is today at that hour; one hour later, still yesterday's.
        t = int(time.time())
        now = time.gmtime(t)
        today = t - (now.tm_min * 60 + now.tm_sec)  # this hour's start (UTC)
        self.site.must("config", "set", "mail.digest_hour", str(now.tm_hour))
        self.run_once()
        with db(self.site) as c:
            start = int(c.execute("SELECT value FROM kv WHERE key = 'mail.digest_daily'")
                        .fetchone()[0])
        self.assertEqual(start, today, "the period starts at the digest hour (a UTC site)")
        self.site.must("config", "set", "mail.digest_hour", str((now.tm_hour + 1) % 24))
        with db(self.site) as c:
            c.execute("DELETE FROM kv WHERE key = 'mail.digest_daily'")
        self.run_once()
        with db(self.site) as c:
            start2 = int(c.execute("SELECT value FROM kv WHERE key = 'mail.digest_daily'")
                         .fetchone()[0])
        self.assertIn(start2, (today - 23 * 3600, today + 3600))
        self.assertLessEqual(start2, int(time.time()))

        # The weekly one: that hour on digest_weekday (1 = Monday).
        self.site.must("config", "set", "mail.digest_hour", str(now.tm_hour))
        for weekday, want in ((now.tm_wday + 1, today),
                              ((now.tm_wday + 1) % 7 + 1, today - 6 * 86400)):
            self.site.must("config", "set", "mail.digest_weekday", str(weekday))
            with db(self.site) as c:
                c.execute("DELETE FROM kv WHERE key = 'mail.digest_weekly'")
            self.run_once()
            with db(self.site) as c:
                got = int(c.execute("SELECT value FROM kv WHERE key = 'mail.digest_weekly'")
                          .fetchone()[0])
            self.assertEqual(got, want, "weekday %d" % weekday)


class NoMailTest(RelayCase):
    """serve --no-mail leaves mail to `depesche mail run`."""

    def setUp(self):
        self.relay.reset()
        self.site = make_site(self.relay)
        add_subscribers(self.site, [("anna@example.net", ["bahn"], IMMEDIATE, False)])
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.stop()
        self.site.cleanup()

    def test_no_mail_then_mail_run(self):
        self.assertIn("--no-mail", self.site.must("serve", "--help").out)
        self.server = Server(self.site, ["--no-mail"])
        self.site.add("Neue Bahnstrecke", tags="Bahn")
        poll(lambda: "no mail" in self.server.stderr(), what="the server saying it sends no mail")
        self.assertEqual(self.server.stop(), 0)
        self.assertNotIn("sending the outbox", self.server.stderr())
        self.server = None
        r = self.site.cli("mail", "run", "--once")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("queued: alerts 1", r.out)
        self.assertIn("sent 1", r.out)
        self.assertEqual(len(mails_to(self.relay, "anna@example.net")), 1)
        # A server with mail says so (and would have sent it).
        self.server = Server(self.site)
        poll(lambda: "sending the outbox" in self.server.stderr(), what="the sender starting")


class RelayStateTest(RelayCase):
    """A missing or failing relay: said in the log, `mail status` and the kv
    record the admin reads; the mail waits, with no attempt used up."""

    def setUp(self):
        self.relay.reset()
        self.site = make_site(self.relay)
        add_subscribers(self.site, [("anna@example.net", ["bahn"], IMMEDIATE, False)])
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.stop()
        self.site.cleanup()

    def relay_record(self):
        with db(self.site) as c:
            row = c.execute("SELECT value FROM kv WHERE key = 'mail.relay'").fetchone()
        return json.loads(row[0]) if row else None

    def test_not_configured_then_down_then_back(self):
        self.site.must("config", "unset", "smtp.url")
        self.server = Server(self.site)
        poll(lambda: "not configured" in self.server.stderr(), what="the log saying so")
        self.assertIn("smtp.url", self.server.stderr())
        self.site.add("Neue Bahnstrecke", tags="Bahn")
        with db(self.site) as c:
            poll(lambda: c.execute("SELECT count(*) FROM outbox").fetchone()[0] == 1,
                 what="the alert queued while no relay is set")

        dead = "smtp://127.0.0.1:%d" % free_port()
        self.site.must("config", "set", "smtp.url", dead)
        poll(lambda: "cannot reach the mail server" in self.server.stderr(),
             what="the log naming the relay's failure")
        rec = poll(self.relay_record, what="the relay's state recorded")
        self.assertIs(rec["ok"], False)
        self.assertIn(dead, rec["message"])
        self.assertIn("FAILING", self.site.must("mail", "status").out)
        with db(self.site) as c:
            row = c.execute("SELECT status, attempts FROM outbox").fetchone()
        self.assertEqual(tuple(row), (QUEUED, 0), "a relay outage uses up no attempt")

        self.site.must("config", "set", "smtp.url", "smtp://127.0.0.1:%d" % self.relay.port)
        wait_for_mail(self.relay, "anna@example.net", deadline=30, what="the alert, relay back")
        poll(lambda: (self.relay_record() or {}).get("ok") is True, what="the state: working")
        self.assertIn("accepts mail again", self.server.stderr())
        self.assertIn("relay: working", self.site.must("mail", "status").out)
        self.assertEqual(len(mails_to(self.relay, "anna@example.net")), 1)


class NewsletterTest(RelayCase):
    """An issue to 2,000 subscribers through the server's own sender."""

    N = 2000
    ODD = ("o'neil+news=1@example.net", "eine.sehr.lange.adresse.fuer.den.newsletter.der."
           "redaktion@example.net")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.site = make_site(cls.relay)
        rows = [("leser%04d@example.net" % i, ["kultur"] if i % 10 == 0 else [], IMMEDIATE, True)
                for i in range(cls.N)]
        rows.append(("nurthema@example.net", ["kultur"], IMMEDIATE, False))
        rows.append(("weg@example.net", [], IMMEDIATE, True))
        # Addresses the quick path leaves to the full composer.
        rows += [(a, [], IMMEDIATE, True) for a in cls.ODD]
        cls.keys = add_subscribers(cls.site, rows)
        with db(cls.site) as c:
            c.execute("UPDATE subscribers SET status = 2 WHERE email = 'weg@example.net'")
        # The tag of the topic issue (an old article: it mails nobody).
        cls.site.add("Aus dem Archiv: Theaterfest", tags="Kultur", date="2020-05-01T10:00:00Z")
        cls.server = Server(cls.site)

    @classmethod
    def tearDownClass(cls):
        rc = cls.server.stop() if cls.server else 0
        cls.site.cleanup()
        super().tearDownClass()
        if rc != 0:
            raise AssertionError("server did not exit 0: %r" % rc)

    def issue(self, subject, body, topics=None):
        args = ["newsletter", "create", "--subject", subject]
        if topics:
            args += ["--topics", topics]
        r = self.site.must(*args, stdin=body)
        issue = r.last_line
        self.site.must("newsletter", "send", issue)
        return int(issue)

    def test_issue_to_every_subscriber_exactly_once(self):
        body = ("## Die Woche\n\nEin Absatz mit **Neuigkeiten** & Umlauten (äöü) und einem "
                "[Link](/neue-gleise/).\n\n<script>alert(1)</script>\n")
        issue = self.issue("Wochenrückblick: Schiene & Stadt", body)

        total = self.N + len(self.ODD)

        def done():
            n = len(self.relay.received())
            return n >= total and n
        poll(done, deadline=90, interval=0.5, what="%d newsletter mails" % total)
        got = collections.Counter()
        ids = set()
        for _f, tos, raw in self.relay.received():
            m = parse(raw)
            to = m["To"].addresses[0].addr_spec
            self.assertEqual(tos, [to])
            got[to] += 1
            ids.add(m["Message-ID"])
            # Each one's own links (the manage key) in both parts.
            key = self.keys[to]
            self.assertEqual(m["List-Unsubscribe"], "<%s/unsubscribe/?k=%s>" % (BASE, key))
            self.assertIn("%s/subscribe/preferences/?k=%s" % (BASE, key), text_of(m))
            self.assertIn(to, html.unescape(html_of(m)))
            if got[to] == 1 and to in ("leser0000@example.net", "leser1999@example.net"):
                key = self.keys[to]
                self.assertEqual(str(m["Subject"]), "Wochenrückblick: Schiene & Stadt")
                self.assertEqual(m["List-Unsubscribe"], "<%s/unsubscribe/?k=%s>" % (BASE, key))
                self.assertEqual(m["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
                self.assertIsNotNone(m["List-Id"])
                text, page = text_of(m), html_of(m)
                self.assertIn("%s/unsubscribe/?k=%s" % (BASE, key), text)
                self.assertIn("%s/subscribe/preferences/?k=%s" % (BASE, key), page)
                self.assertIn("<strong>Neuigkeiten</strong>", page)
                self.assertIn('href="%s/neue-gleise/"' % BASE, page)  # made absolute
                self.assertNotIn("<script", page)
                self.assertIn("Ein Absatz mit **Neuigkeiten** & Umlauten", text)
        want = {"leser%04d@example.net" % i for i in range(self.N)} | set(self.ODD)
        self.assertEqual(set(got), want, "exactly the newsletter's subscribers")
        self.assertEqual(max(got.values()), 1, "nobody twice")
        self.assertEqual(len(ids), total, "a Message-ID of its own for every mail")
        with db(self.site) as c:
            row = c.execute("SELECT status, queued FROM newsletters WHERE id = ?",
                            (issue,)).fetchone()
            self.assertEqual(tuple(row), (2, total))
            poll(lambda: c.execute("SELECT count(*) FROM outbox WHERE newsletter_id = ? AND"
                                   " status = 2", (issue,)).fetchone()[0] == total,
                 what="all marked sent")
        status = self.site.must("mail", "status").out
        self.assertRegex(status, r"subscribers: %d confirmed" % (total + 1))

        # An issue for one topic reaches its followers only (also those who
        # do not take the newsletter otherwise).
        self.relay.reset()
        self.issue("Nur für Kulturfreunde", "Theater, Oper, Konzerte.\n", topics="kultur")
        want = {"leser%04d@example.net" % i for i in range(0, self.N, 10)}
        want.add("nurthema@example.net")
        poll(lambda: len(self.relay.received()) >= len(want), what="the topic issue")
        got = [to for _f, tos, _r in self.relay.received() for to in tos]
        self.assertEqual(sorted(got), sorted(want))


class NewsletterKillTest(RelayCase):
    """kill -9 of serve while an issue goes out, then a restart."""

    N = 2000
    CONNS = 4

    def setUp(self):
        self.relay.reset()
        self.site = make_site(self.relay, **{"mail.connections": self.CONNS})
        add_subscribers(self.site, [("k%04d@example.net" % i, [], IMMEDIATE, True)
                                    for i in range(self.N)])
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.kill()
        self.site.cleanup()

    def test_kill9_and_restart_loses_nothing(self):
        # A slow relay: at any moment each connection has a message in flight.
        self.relay.delay = 0.01
        r = self.site.must("newsletter", "create", "--subject", "Sondernewsletter",
                           stdin="Wichtige Nachricht.\n")
        self.site.must("newsletter", "send", r.last_line)
        self.server = Server(self.site)
        poll(lambda: len(self.relay.received()) >= 300, deadline=60, what="first deliveries")
        self.server.proc.kill()
        self.server.proc.wait()
        with db(self.site) as c:
            sending = c.execute("SELECT count(*) FROM outbox WHERE status = 1").fetchone()[0]
            self.assertLessEqual(sending, self.CONNS)
            # A dead sender's claims are taken back once ten minutes old.
            c.execute("UPDATE outbox SET claimed_at = claimed_at - 601 WHERE status = 1")
        self.relay.delay = 0.0
        self.server = Server(self.site)
        poll(lambda: len({to for _f, tos, _r in self.relay.received() for to in tos}) >= self.N,
             deadline=90, interval=0.5, what="every subscriber reached after the restart")
        with db(self.site) as c:
            poll(lambda: c.execute("SELECT count(*) FROM outbox WHERE status IN (0, 1)")
                 .fetchone()[0] == 0, what="the outbox drained")
            self.assertEqual(c.execute("SELECT status FROM newsletters").fetchone()[0], 2)
        got = collections.Counter(to for _f, tos, _r in self.relay.received() for to in tos)
        self.assertEqual(set(got), {"k%04d@example.net" % i for i in range(self.N)})
        dups = sum(n - 1 for n in got.values())
        self.assertLessEqual(dups, self.CONNS, "only messages in flight may go twice")
        self.assertEqual(self.server.stop(), 0)
        self.server = None


if __name__ == "__main__":
    unittest.main()
