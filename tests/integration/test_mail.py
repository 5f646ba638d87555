"""`depesche mail`: the durable outbox and the SMTP sender against a real SMTP
server (aiosmtpd, Debian's python3-aiosmtpd) started by the test itself on
127.0.0.1. The server keeps every message it accepts and answers 451 or 550
for recipients the test names.

Covers: `mail test` delivering a message Python's email parser reads
(headers, multipart/alternative); 451 -> queued again with a later
next_attempt_at; 550 -> failed with the relay's words; the relay down -> a
clear error and the message still queued; a refused login; missing
settings; `mail run
--once` delivering 200 messages exactly once; SIGTERM finishing cleanly; and
kill -9 mid-run followed by a second run: every message delivered, none twice
except at most mail.connections that were in flight."""

import collections
import email
import email.policy
import os
import signal
import sqlite3
import subprocess
import time
import unittest
from email.message import EmailMessage

from harness import DEADLINE, Site, binary, poll, run_cli

from relay import Controller, Relay, free_port

QUEUED, SENDING, SENT, FAILED = 0, 1, 2, 3
FROM = "Der Testbote <news@example.org>"


def make_message(i):
    m = EmailMessage(policy=email.policy.SMTP)
    m["From"] = FROM
    m["To"] = "reader%d@example.net" % i
    m["Subject"] = "Newsletter %d" % i
    m["Message-ID"] = "<bulk-%d@example.org>" % i
    m.set_content("Hello reader %d.\n" % i)
    return m.as_bytes()


def message_id(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"]


class MailTest(unittest.TestCase):
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

    def setUp(self):
        self.relay.reset()
        self.site = Site()
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.site.cleanup()

    # helpers
    def config(self, url=None, **kw):
        self.site.must("config", "set", "smtp.url", url or "smtp://127.0.0.1:%d" % self.relay.port)
        self.site.must("config", "set", "mail.from", FROM)
        for k, v in kw.items():
            self.site.must("config", "set", k.replace("_", "."), str(v))

    def db(self):
        c = sqlite3.connect(self.site.db, timeout=10)
        c.row_factory = sqlite3.Row
        return c

    def rows(self):
        with self.db() as c:
            return c.execute("SELECT * FROM outbox ORDER BY id").fetchall()

    def queue(self, n):
        now = int(time.time())
        with self.db() as c:
            c.executemany(
                "INSERT INTO outbox (created_at, kind, recipient, message, status, attempts,"
                " next_attempt_at) VALUES (?, 'newsletter', ?, ?, 0, 0, ?)",
                [(now, "reader%d@example.net" % i, make_message(i), now) for i in range(n)])

    def status(self):
        r = self.site.must("mail", "status")
        # The four outbox lines ("queued N" …); later lines (subscribers,
        # issues, the relay) are not this test's business.
        counts = {}
        for line in r.out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] in ("queued", "sending", "sent", "failed"):
                counts[parts[0]] = int(parts[1])
        return counts

    def spawn_run(self):
        p = subprocess.Popen([binary(), "--data", self.site.dir, "mail", "run"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=dict(os.environ, TZ="UTC"))
        self.procs.append(p)
        return p

    # tests
    def test_missing_settings(self):
        r = self.site.cli("mail", "test", "reader@example.net")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("smtp.url", r.err)
        self.site.must("config", "set", "smtp.url", "smtp://127.0.0.1:%d" % self.relay.port)
        r = self.site.cli("mail", "test", "reader@example.net")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("mail.from", r.err)
        r = self.site.cli("mail", "test", "not an address")
        self.assertNotEqual(r.rc, 0, r)
        self.assertEqual(self.relay.received(), [])

    def test_test_message_delivered_and_parsed(self):
        self.config()
        r = self.site.cli("mail", "test", "reader@example.net")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("250", r.out)
        self.assertIn("queued as T1", r.out)
        got = self.relay.received()
        self.assertEqual(len(got), 1)
        mail_from, rcpts, raw = got[0]
        self.assertEqual(mail_from, "news@example.org")
        self.assertEqual(rcpts, ["reader@example.net"])
        m = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(m["From"].addresses[0].addr_spec, "news@example.org")
        self.assertEqual(m["From"].addresses[0].display_name, "Der Testbote")
        self.assertEqual(m["To"].addresses[0].addr_spec, "reader@example.net")
        self.assertIn("test message", str(m["Subject"]).lower())
        self.assertRegex(m["Message-ID"], r"^<[^@>]+@example\.org>$")
        self.assertIsNotNone(m["Date"])
        self.assertEqual(m.get_content_type(), "multipart/alternative")
        types = [p.get_content_type() for p in m.iter_parts()]
        self.assertEqual(types, ["text/plain", "text/html"])
        self.assertIn("test message", m.get_body(("plain",)).get_content())
        self.assertIn("<strong>Depesche</strong>", m.get_body(("html",)).get_content())
        rows = self.rows()
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["status"], SENT)
        self.assertEqual(rows[0]["kind"], "test")
        self.assertGreater(rows[0]["sent_at"], 0)
        self.assertEqual(self.status()["sent"], 1)

    def test_451_is_retried_later(self):
        self.config()
        self.relay.answers["busy@example.net"] = "451 4.3.0 Try again later"
        before = int(time.time())
        r = self.site.cli("mail", "test", "busy@example.net")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("451", r.err)
        self.assertIn("queued", r.err)
        row = self.rows()[0]
        self.assertEqual(row["status"], QUEUED)
        self.assertEqual(row["attempts"], 1)
        self.assertGreaterEqual(row["next_attempt_at"], before + 30)
        self.assertIn("451", row["last_error"])
        # Not due yet: a sender run leaves it alone.
        r = self.site.must("mail", "run", "--once")
        self.assertEqual(self.rows()[0]["status"], QUEUED)
        # Due again (time moved on) and the relay takes it now.
        self.relay.answers.clear()
        with self.db() as c:
            c.execute("UPDATE outbox SET next_attempt_at = 0")
        self.site.must("mail", "run", "--once")
        self.assertEqual(self.rows()[0]["status"], SENT)
        self.assertEqual(len(self.relay.received()), 1)

    def test_550_fails_with_error(self):
        self.config()
        self.relay.answers["gone@example.net"] = "550 5.1.1 No such user here"
        r = self.site.cli("mail", "test", "gone@example.net")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("550", r.err)
        row = self.rows()[0]
        self.assertEqual(row["status"], FAILED)
        self.assertIn("550 5.1.1 No such user here", row["last_error"])
        self.assertEqual(self.status()["failed"], 1)

    def test_relay_down_keeps_message(self):
        self.config(url="smtp://127.0.0.1:%d" % free_port())
        r = self.site.cli("mail", "test", "reader@example.net")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("cannot reach the mail server", r.err)
        self.assertIn("stays queued", r.err)
        rows = self.rows()
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["status"], QUEUED)
        self.assertTrue(rows[0]["last_error"])
        # The relay comes back: the message goes out.
        self.config()
        with self.db() as c:
            c.execute("UPDATE outbox SET next_attempt_at = 0")
        self.site.must("mail", "run", "--once")
        self.assertEqual(self.rows()[0]["status"], SENT)
        self.assertEqual(len(self.relay.received()), 1)

    def test_auth_failure(self):
        port = free_port()
        relay = Controller(self.relay, hostname="127.0.0.1", port=port, auth_require_tls=False,
                           authenticator=lambda *a: False)
        relay.start()
        try:
            self.config(url="smtp://127.0.0.1:%d" % port, smtp_user="news",
                        smtp_password="wrong-password")
            r = self.site.cli("mail", "test", "reader@example.net")
        finally:
            relay.stop()
        self.assertEqual(r.rc, 1, r)
        self.assertIn("refused the login", r.err)
        self.assertNotIn("wrong-password", r.err)
        self.assertEqual(self.rows()[0]["status"], QUEUED)
        self.assertEqual(self.relay.received(), [])

    def test_run_once_200_exactly_once(self):
        self.config(mail_rate=10000, mail_connections=4)
        self.queue(200)
        r = run_cli(["mail", "run", "--once"], data_dir=self.site.dir, timeout=60)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("sent 200", r.out)
        ids = collections.Counter(message_id(raw) for _, _, raw in self.relay.received())
        self.assertEqual(len(ids), 200)
        self.assertEqual(max(ids.values()), 1)
        self.assertEqual(self.status(), {"queued": 0, "sending": 0, "sent": 200, "failed": 0})

    def test_rate_limit(self):
        self.config(mail_rate=20, mail_connections=4)
        self.queue(30)
        t0 = time.monotonic()
        self.site.must("mail", "run", "--once")
        # 30 messages at 20/s: the last starts no earlier than 29/20 s in.
        self.assertGreaterEqual(time.monotonic() - t0, 1.3)
        self.assertEqual(len(self.relay.received()), 30)

    def test_sigterm_finishes_in_flight(self):
        self.config(mail_rate=50, mail_connections=4)
        self.queue(300)
        p = self.spawn_run()
        poll(lambda: len(self.relay.received()) >= 20, what="first deliveries")
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=DEADLINE)
        self.assertEqual(p.returncode, 0, p.stderr.read())
        st = self.status()
        self.assertEqual(st["sending"], 0)
        self.assertGreater(st["queued"], 0)
        self.site.must("mail", "run", "--once")
        ids = collections.Counter(message_id(raw) for _, _, raw in self.relay.received())
        self.assertEqual(len(ids), 300)
        self.assertEqual(max(ids.values()), 1)

    def test_kill9_then_second_run(self):
        conns = 4
        self.config(mail_rate=10000, mail_connections=conns)
        self.queue(300)
        # A slow relay: at any moment each connection has a message in
        # flight, which the kill catches after the relay took it but
        # before the sender recorded it.
        self.relay.delay = 0.02
        p = self.spawn_run()
        poll(lambda: len(self.relay.received()) >= 60, what="first deliveries")
        p.kill()
        p.wait()
        st = self.status()
        self.assertGreaterEqual(st["sending"], 1, "the kill caught messages in flight")
        self.assertLessEqual(st["sending"], conns)
        # The claims of the dead sender are taken back once they are ten
        # minutes old; move them back in time instead of waiting.
        with self.db() as c:
            c.execute("UPDATE outbox SET claimed_at = claimed_at - 601 WHERE status = 1")
        r = run_cli(["mail", "run", "--once"], data_dir=self.site.dir, timeout=60)
        self.assertEqual(r.rc, 0, r)
        ids = collections.Counter(message_id(raw) for _, _, raw in self.relay.received())
        self.assertEqual(len(ids), 300, "every message delivered")
        dups = sum(n - 1 for n in ids.values())
        self.assertLessEqual(dups, conns, "only messages in flight may go twice")
        self.assertEqual(self.status(), {"queued": 0, "sending": 0, "sent": 300, "failed": 0})


if __name__ == "__main__":
    unittest.main()
