"""DKIM signing of outgoing mail (src/mail/dkim.c, libopendkim), checked with
an independent verifier: dkimpy (Debian's python3-dkim), its DNS lookup
answered from the test's own public key. Keys are made by openssl for each run.

Covers: a signed message verifies; the signature covers From, Subject and the
RFC 8058 list headers; a changed subject or body fails verification; DKIM
half configured is a clear error and nothing is sent; without DKIM settings
mail leaves unsigned."""

import os
import subprocess
import tempfile
import unittest

from harness import Site
from relay import Controller, Relay, parse

try:
    import dkim
except ImportError:  # pragma: no cover - reported as a failure below
    dkim = None

FROM = "Die Redaktion <news@news.example.org>"


def make_key(folder):
    key = os.path.join(folder, "dkim.pem")
    subprocess.run(["openssl", "genrsa", "-out", key, "2048"], check=True, capture_output=True)
    der = subprocess.run(["openssl", "rsa", "-in", key, "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    import base64
    return key, base64.b64encode(der).decode()


class DkimTest(unittest.TestCase):
    relay = None

    @classmethod
    def setUpClass(cls):
        if Controller is None:
            raise AssertionError("python3-aiosmtpd is missing (apt-get install python3-aiosmtpd)")
        if dkim is None:
            raise AssertionError("python3-dkim is missing (apt-get install python3-dkim)")
        cls.relay = Relay()
        cls.keydir = tempfile.mkdtemp(prefix="depesche-dkim-")
        cls.key, cls.pub = make_key(cls.keydir)

    @classmethod
    def tearDownClass(cls):
        if cls.relay:
            cls.relay.stop()
        subprocess.run(["rm", "-rf", cls.keydir])

    def setUp(self):
        self.relay.reset()
        self.site = Site()
        for k, v in (("smtp.url", "smtp://127.0.0.1:%d" % self.relay.port), ("mail.from", FROM)):
            self.site.must("config", "set", k, v)

    def tearDown(self):
        self.site.cleanup()

    def sign_on(self, selector="s2026"):
        self.site.must("config", "set", "mail.dkim_domain", "news.example.org")
        self.site.must("config", "set", "mail.dkim_selector", selector)
        self.site.must("config", "set", "mail.dkim_key", self.key)

    def dns(self, name, timeout=5):
        if name == b"s2026._domainkey.news.example.org.":
            return ("v=DKIM1; k=rsa; p=%s" % self.pub).encode()
        return None

    def one_mail(self):
        got = self.relay.received()
        self.assertEqual(len(got), 1, got)
        return got[0][2]

    def test_signed_mail_verifies(self):
        self.sign_on()
        self.site.must("mail", "test", "leserin@example.net")
        raw = self.one_mail()
        self.assertTrue(raw.startswith(b"DKIM-Signature:"), raw[:200])
        self.assertTrue(dkim.verify(raw, dnsfunc=self.dns), "dkimpy rejects the signature")
        m = parse(raw)
        tags = dict(t.strip().split("=", 1) for t in str(m["DKIM-Signature"]).replace("\r\n", "")
                    .replace("\n", "").split(";") if "=" in t)
        self.assertEqual(tags["d"], "news.example.org")
        self.assertEqual(tags["s"], "s2026")
        self.assertEqual(tags["a"], "rsa-sha256")
        self.assertEqual(tags["c"], "relaxed/relaxed")
        signed = [h.strip().lower() for h in tags["h"].replace(" ", "").replace("\t", "").split(":")]
        for h in ("from", "subject", "date", "message-id", "to"):
            self.assertIn(h, signed)
        # From is over-signed: a second From added later would break the signature.
        self.assertGreaterEqual(signed.count("from"), 2)

    def test_tampering_is_detected(self):
        self.sign_on()
        self.site.must("mail", "test", "leserin@example.net")
        raw = self.one_mail()
        head, sep, body = raw.partition(b"\r\n\r\n")
        self.assertTrue(dkim.verify(raw, dnsfunc=self.dns))
        self.assertFalse(dkim.verify(head + sep + body.replace(b"a", b"o", 1), dnsfunc=self.dns),
                         "a changed body still verifies")
        changed = raw.replace(b"Subject: ", b"Subject: Re: ", 1)
        self.assertFalse(dkim.verify(changed, dnsfunc=self.dns), "a changed subject still verifies")

    def test_half_configured_is_an_error(self):
        self.site.must("config", "set", "mail.dkim_domain", "news.example.org")
        r = self.site.cli("mail", "test", "leserin@example.net")
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("mail.dkim_selector", r.err)
        self.assertEqual(self.relay.received(), [])

    def test_unreadable_key_is_an_error(self):
        self.sign_on()
        self.site.must("config", "set", "mail.dkim_key", "/nonexistent/dkim.pem")
        r = self.site.cli("mail", "test", "leserin@example.net")
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("dkim", r.err.lower())
        self.assertEqual(self.relay.received(), [])

    def test_unsigned_without_settings(self):
        self.site.must("mail", "test", "leserin@example.net")
        raw = self.one_mail()
        self.assertNotIn(b"DKIM-Signature", raw)


if __name__ == "__main__":
    unittest.main()
