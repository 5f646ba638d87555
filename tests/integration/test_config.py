"""`depesche config set|get|list|unset`: round trips per type, validation that
leaves site.json byte for byte untouched, unknown keys (with suggestions),
secret masking and mode 0600, and keys the command does not know surviving a
set. No server: settings take effect at the next start."""

import json
import os
import stat
import unittest

from harness import Site, binary, run_cli

SECRET = "hunter2-Zq9!secret"


class ConfigTest(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(binary()):
            self.fail("binary not found: %s" % binary())
        self.site = Site()
        self.path = os.path.join(self.site.dir, "site.json")

    def tearDown(self):
        self.site.cleanup()

    # helpers
    def cfg(self, *args, stdin=None):
        return self.site.cli("config", *args, stdin=stdin)

    def ok(self, *args, stdin=None):
        r = self.cfg(*args, stdin=stdin)
        self.assertEqual(r.rc, 0, r)
        return r

    def doc(self):
        with open(self.path, encoding="utf-8") as f:
            return json.load(f)

    def raw(self):
        with open(self.path, "rb") as f:
            return f.read()

    def mode(self):
        return stat.S_IMODE(os.stat(self.path).st_mode)

    def assert_fails(self, r, rc=1):
        self.assertEqual(r.rc, rc, r)
        self.assertRegex(r.err, r"(?m)^depesche: \S", r)

    # tests
    def test_round_trips_per_type(self):
        cases = [
            # key, value given, printed by get, stored in the file
            ("title", "Die Abendpost", "Die Abendpost", "Die Abendpost"),
            ("description", "Nachrichten – schnell", "Nachrichten – schnell",
             "Nachrichten – schnell"),
            ("lang", "en", "en", "en"),
            ("timezone", "America/New_York", "America/New_York", "America/New_York"),
            ("per_page", "25", "25", 25),
            ("comment_min_seconds", "0", "0", 0),
            ("mail.rate", "10000", "10000", 10000),
            ("mail.connections", "1", "1", 1),
            ("allow_html", "yes", "true", True),
            ("comments_open", "false", "false", False),
            ("auto_spam_score", "0.8", "0.8", 0.8),
            ("base_url", "https://news.example.org", "https://news.example.org",
             "https://news.example.org"),
            ("smtp.url", "smtps://mail.example.org:465", "smtps://mail.example.org:465",
             "smtps://mail.example.org:465"),
            ("smtp.user", "bote", "bote", "bote"),
            ("mail.from", "Der Bote <news@example.org>", "Der Bote <news@example.org>",
             "Der Bote <news@example.org>"),
            ("mail.reply_to", "leser@example.org", "leser@example.org", "leser@example.org"),
            ("blocklist", "casino, spam.example ,,viagra", "casino, spam.example, viagra",
             ["casino", "spam.example", "viagra"]),
        ]
        for key, value, shown, stored in cases:
            with self.subTest(key=key):
                self.ok("set", key, value)
                self.assertEqual(self.ok("get", key).out, shown + "\n")
                node = self.doc()
                for part in key.split("."):
                    node = node[part]
                self.assertEqual(node, stored)
        # The file stays something the rest of Depesche reads.
        self.site.must("post", "list", "--all", "--json")
        self.assertNotIn(b"0.80000", self.raw())

    def test_negative_value_is_not_an_option(self):
        r = self.cfg("set", "auto_spam_score", "-0.5")
        self.assert_fails(r)
        self.assertNotIn("option", r.err)
        r = self.cfg("set", "--", "per_page", "-3")
        self.assert_fails(r)

    def test_defaults_and_unset(self):
        self.assertEqual(self.ok("get", "mail.rate").out, "50\n")
        self.assertEqual(self.ok("get", "mail.connections").out, "4\n")
        self.ok("set", "mail.rate", "7")
        self.ok("set", "smtp.url", "smtp://localhost:2525")
        self.assertEqual(self.doc()["mail"]["rate"], 7)
        self.ok("unset", "mail.rate")
        self.assertEqual(self.ok("get", "mail.rate").out, "50\n")
        self.assertNotIn("mail", self.doc(), "an emptied group is removed")
        self.assertIn("smtp", self.doc())
        before = self.raw()
        self.ok("unset", "mail.rate")  # not set: nothing changes
        self.assertEqual(self.raw(), before)

    def test_invalid_values_leave_file_untouched(self):
        self.ok("set", "smtp.password", SECRET)
        before = self.raw()
        bad = [
            ("per_page", "0"), ("per_page", "101"), ("per_page", "ten"), ("per_page", "5x"),
            ("per_page", ""), ("mail.rate", "0"), ("mail.rate", "10001"),
            ("mail.connections", "65"), ("comment_min_seconds", "-1"),
            ("auto_spam_score", "1.5"), ("auto_spam_score", "nan"), ("auto_spam_score", "inf"),
            ("allow_html", "maybe"), ("lang", "fr"), ("title", ""), ("title", "x" * 121),
            ("title", "Zeile\nzwei"), ("timezone", "Mars/Olympus"), ("timezone", "../etc/passwd"),
            ("base_url", "ftp://example.org"), ("base_url", "example.org"),
            ("base_url", "http://"), ("base_url", "http://exa mple.org"),
            ("smtp.url", "http://mail.example.org"), ("smtp.url", "smtp://user:pw@mail.example.org"),
            ("smtp.url", "smtp://mail.example.org:99999"),
            ("mail.from", "nobody"), ("mail.from", "a@b@c"), ("mail.from", "Name <x@example.org"),
            ("mail.from", "x@example.org\r\nBcc: victim@example.org"),
            ("mail.reply_to", "x@-example.org"), ("blocklist", "ok, bad\x01entry"),
        ]
        for key, value in bad:
            with self.subTest(key=key, value=value):
                r = self.cfg("set", key, value)
                self.assert_fails(r)
                self.assertIn(key, r.err)
                self.assertEqual(self.raw(), before, "site.json changed")
        leftovers = [n for n in os.listdir(self.site.dir) if n.startswith(".site.json")]
        self.assertEqual(leftovers, [], "temp files left behind")

    def test_unknown_key(self):
        before = self.raw()
        for args in (("set", "smtp_url", "smtp://x.example"), ("get", "smtp_url"),
                     ("unset", "smtp_url")):
            with self.subTest(args=args):
                r = self.cfg(*args)
                self.assert_fails(r)
                self.assertIn("smtp_url", r.err)
                self.assertIn("smtp.url", r.err, "close match not suggested")
        r = self.cfg("get", "per-page")
        self.assert_fails(r)
        self.assertIn("per_page", r.err)
        r = self.cfg("get", "password")
        self.assert_fails(r)
        self.assertIn("smtp.password", r.err)
        r = self.cfg("get", "zzzzzzzzzzzz")
        self.assert_fails(r)
        self.assertEqual(self.raw(), before)

    def test_secret_masked_and_mode_0600(self):
        os.chmod(self.path, 0o644)
        self.ok("set", "per_page", "12")
        self.assertEqual(self.mode(), 0o644, "mode changed without a secret")
        r = self.ok("set", "smtp.password", SECRET)
        self.assertNotIn(SECRET, r.out + r.err)
        self.assertEqual(self.mode(), 0o600)
        self.assertEqual(self.doc()["smtp"]["password"], SECRET)
        r = self.ok("get", "smtp.password")
        self.assertEqual(r.out, "********\n")
        r = self.ok("list")
        self.assertNotIn(SECRET, r.out)
        self.assertIn("smtp.password = ********\n", r.out)
        r = self.ok("list", "--json")
        self.assertNotIn(SECRET, r.out)
        self.assertEqual(json.loads(r.out)["smtp.password"], "********")
        self.assertEqual(self.ok("get", "smtp.password", "--show-secrets").out, SECRET + "\n")
        self.assertIn("smtp.password = %s\n" % SECRET, self.ok("list", "--show-secrets").out)
        # later writes keep the file private
        self.ok("set", "title", "Noch privat")
        self.assertEqual(self.mode(), 0o600)
        # an invalid secret is refused without being repeated
        bad = "geheim\x01" + "x" * 20
        r = self.cfg("set", "smtp.password", bad)
        self.assert_fails(r)
        self.assertNotIn("geheim", r.out + r.err)
        self.assertEqual(self.doc()["smtp"]["password"], SECRET)

    def test_secret_from_stdin(self):
        r = self.ok("set", "smtp.password", "--value-stdin", stdin=SECRET + "\n")
        self.assertNotIn(SECRET, r.out + r.err)
        self.assertEqual(self.doc()["smtp"]["password"], SECRET)
        self.assertEqual(self.mode(), 0o600)

    def test_unknown_keys_survive(self):
        d = self.doc()
        d["x_future_option"] = {"nested": [1, 2, {"a": None}]}
        d["smtp"] = {"x_port_hint": 587}
        d["zzz"] = "last"
        with open(self.path, "w", encoding="utf-8") as f:
            json.dump(d, f)
        self.ok("set", "per_page", "30")
        self.ok("set", "smtp.url", "smtp://mail.example.org")
        self.ok("unset", "smtp.url")
        after = self.doc()
        self.assertEqual(after["per_page"], 30)
        self.assertEqual(after["x_future_option"], {"nested": [1, 2, {"a": None}]})
        self.assertEqual(after["smtp"], {"x_port_hint": 587})
        self.assertEqual(after["zzz"], "last")
        for k in d:
            if k != "per_page":
                self.assertEqual(after[k], d[k], k)
        self.assertEqual(list(after), list(d), "key order changed")
        self.assertIn(b'\n  "per_page": 30', self.raw(), "not indented by 2")

    def test_list_sorted_and_json(self):
        self.ok("set", "blocklist", "a, b")
        r = self.ok("list")
        lines = r.out.splitlines()
        keys = [l.split(" = ", 1)[0] for l in lines]
        self.assertEqual(keys, sorted(keys))
        for k in ("title", "base_url", "smtp.url", "smtp.user", "smtp.password", "mail.from",
                  "mail.reply_to", "mail.rate", "mail.connections", "blocklist", "per_page"):
            self.assertIn(k, keys)
        self.assertIn("blocklist = a, b", lines)
        self.assertIn("title = %s" % self.site.title, lines)
        j = json.loads(self.ok("list", "--json").out)
        self.assertEqual(sorted(j), keys)
        self.assertEqual(j["blocklist"], ["a", "b"])
        self.assertEqual(j["mail.rate"], 50)
        self.assertIs(j["comments_open"], True)

    def test_usage_and_help(self):
        r = self.ok("--help")
        self.assertIn("next start", r.out)
        for k in ("smtp.url", "mail.rate", "blocklist"):
            self.assertIn(k, r.out)
        for args in ((), ("set", "per_page"), ("get",), ("frobnicate",),
                     ("list", "--bogus"), ("set", "a", "b", "c")):
            with self.subTest(args=args):
                r = self.cfg(*args)
                self.assertEqual(r.rc, 2, r)

    def test_no_site(self):
        r = run_cli(["config", "list"], data_dir=os.path.join(self.site.root, "nothing"))
        self.assert_fails(r)
        r = run_cli(["config", "set", "per_page", "5"],
                    data_dir=os.path.join(self.site.root, "nothing"))
        self.assert_fails(r)
        self.assertFalse(os.path.exists(os.path.join(self.site.root, "nothing")))


if __name__ == "__main__":
    unittest.main()
