"""The command line of issue 4: `user add --email`, `user email`, `user list`
with addresses, and `subscriber list/show/add/import/delete`, including bad
input that must leave the database untouched (compared as an SQL dump).

Every test uses addresses of its own, so the tests of a class can run in any
order on the class's one site."""

import json
import os
import sqlite3
import tempfile
import unittest

from harness import SiteTestCase

PASSWORD = "ein-langes-passwort\n"


class UserEmailTest(SiteTestCase):
    """Staff addresses: set at `user add`, changed with `user email`."""

    def users(self):
        r = self.site.must("user", "list")
        rows = {}
        for line in r.out.splitlines():
            parts = line.split()
            if len(parts) >= 2:
                rows[parts[1]] = parts[2].strip("<>") if len(parts) > 2 else ""
        return rows

    def test_add_with_email_and_list(self):
        r = self.site.cli("user", "add", "--name", "mona", "--role", "moderator",
                          "--password-stdin", "--email", "mona@example.org", stdin=PASSWORD)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.users().get("mona"), "mona@example.org")
        r = self.site.cli("user", "add", "--name", "otto", "--role", "editor",
                          "--password-stdin", stdin=PASSWORD)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.users().get("otto"), "")

    def test_email_set_change_remove(self):
        self.site.must("user", "add", "--name", "paula", "--role", "editor",
                       "--password-stdin", stdin=PASSWORD)
        r = self.site.cli("user", "email", "paula", "paula@example.org")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.users().get("paula"), "paula@example.org")
        r = self.site.cli("user", "email", "--name", "paula", "p.neu@example.org")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.users().get("paula"), "p.neu@example.org")
        r = self.site.cli("user", "email", "paula", "")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.users().get("paula"), "")
        con = sqlite3.connect(self.site.db)
        try:
            (v,) = con.execute("SELECT email FROM users WHERE name = 'paula'").fetchone()
        finally:
            con.close()
        self.assertEqual(v, "")

    def test_bad_input_leaves_database_untouched(self):
        self.site.must("user", "add", "--name", "quentin", "--role", "author",
                       "--password-stdin", "--email", "q@example.org", stdin=PASSWORD)
        before = self.site.db_dump()
        cases = [
            (("user", "add", "--name", "rita", "--role", "editor", "--password-stdin",
              "--email", "keine-adresse"), PASSWORD, (1,)),
            (("user", "add", "--name", "rita", "--role", "editor", "--password-stdin",
              "--email", "a b@example.org"), PASSWORD, (1,)),
            (("user", "email", "quentin", "q@"), None, (1,)),
            (("user", "email", "quentin", "<q@example.org>"), None, (1,)),
            (("user", "email", "quentin", "q@example.org\nBcc: x@example.org"), None, (1,)),
            (("user", "email", "niemand", "n@example.org"), None, (1,)),
            (("user", "email", "quentin"), None, (2,)),
            (("user", "email", "quentin", "a@example.org", "b@example.org"), None, (2,)),
            (("user", "delete", "--name", "quentin", "--email", "x@example.org"), None, (2,)),
            (("user", "list", "extra"), None, (2,)),
        ]
        for args, stdin, codes in cases:
            with self.subTest(args=args):
                r = self.site.cli(*args, stdin=stdin)
                self.assertCLIError(r, codes)
                self.assertUntouched(before, " ".join(args))

    def test_help_mentions_email(self):
        r = self.site.cli("user", "--help")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("--email ADDR", r.out)
        self.assertIn("email NAME ADDR", r.out)


class SubscriberCommandsTest(SiteTestCase):
    """subscriber add / import / list / show / delete."""

    def list_json(self, *args):
        r = self.site.must("subscriber", "list", "--json", *args)
        return json.loads(r.out)

    def find(self, email):
        for s in self.list_json():
            if s["email"].lower() == email.lower():
                return s
        return None

    def count(self, sql):
        con = sqlite3.connect(self.site.db)
        try:
            return con.execute(sql).fetchone()[0]
        finally:
            con.close()

    def test_add_and_show(self):
        r = self.site.cli("subscriber", "add", "Ada.Lovelace@Example.ORG", "--topics",
                          "ki,klima", "--frequency", "daily", "--note",
                          "Anmeldeliste Messe Leipzig, 2026-03-04")
        self.assertEqual(r.rc, 0, r)
        s = self.find("ada.lovelace@example.org")
        self.assertIsNotNone(s)
        self.assertEqual(s["email"], "Ada.Lovelace@example.org")  # domain lower-cased
        self.assertEqual(s["status"], "confirmed")
        self.assertTrue(s["newsletter"])
        self.assertEqual(s["frequency"], "daily")
        self.assertEqual(s["topics"], ["ki", "klima"])
        self.assertIsNotNone(s["confirmed_at"])

        r = self.site.cli("subscriber", "show", "ADA.LOVELACE@example.org", "--json")
        self.assertEqual(r.rc, 0, r)
        doc = json.loads(r.out)
        self.assertEqual(len(doc["consents"]), 1)
        c = doc["consents"][0]
        self.assertEqual(c["wording"], "Anmeldeliste Messe Leipzig, 2026-03-04")
        self.assertEqual(c["version"], "import")
        self.assertEqual(c["request_ip"], "import")
        self.assertEqual(c["topics"], "ki klima")
        self.assertIsNotNone(c["confirmed_at"])

        r = self.site.cli("subscriber", "show", "ada.lovelace@example.org")
        self.assertEqual(r.rc, 0, r)
        self.assertRegex(r.out, r"(?m)^status\s+confirmed$")
        self.assertRegex(r.out, r"(?m)^topics\s+ki klima$")
        self.assertIn("Anmeldeliste Messe Leipzig", r.out)

    def test_add_without_newsletter(self):
        r = self.site.cli("subscriber", "add", "nur.themen@example.org", "--topics", "bahn",
                          "--no-newsletter", "--note", "Telefonat 2026-01-10")
        self.assertEqual(r.rc, 0, r)
        s = self.find("nur.themen@example.org")
        self.assertFalse(s["newsletter"])
        self.assertEqual(s["frequency"], "immediate")
        self.assertEqual(s["topics"], ["bahn"])

    def test_add_bad_input_untouched(self):
        self.site.must("subscriber", "add", "schon.da@example.org", "--note", "vorher")
        before = self.site.db_dump()
        cases = [
            (("subscriber", "add", "SCHON.DA@example.org", "--note", "n"), (1,)),
            (("subscriber", "add", "kein-at-zeichen", "--note", "n"), (1,)),
            (("subscriber", "add", "a b@example.org", "--note", "n"), (1,)),
            (("subscriber", "add", "ohne.notiz@example.org"), (1,)),
            (("subscriber", "add", "leer.notiz@example.org", "--note", ""), (1,)),
            (("subscriber", "add", "zeile@example.org", "--note", "a\nb"), (1,)),
            (("subscriber", "add", "gross@example.org", "--note", "n", "--topics", "KI"), (1,)),
            (("subscriber", "add", "unter@example.org", "--note", "n", "--topics", "k_i"), (1,)),
            (("subscriber", "add", "nix@example.org", "--note", "n", "--no-newsletter"), (1,)),
            (("subscriber", "add", "freq@example.org", "--note", "n", "--frequency",
              "hourly"), (2,)),
            (("subscriber", "add", "--note", "n"), (2,)),
            (("subscriber", "add", "a@example.org", "b@example.org", "--note", "n"), (2,)),
            (("subscriber", "add", "x@example.org", "--note", "n", "--bogus"), (2,)),
            (("subscriber", "frobnicate"), (2,)),
        ]
        many = ",".join("t%02d" % i for i in range(51))
        cases.append((("subscriber", "add", "viele@example.org", "--note", "n", "--topics",
                       many), (1,)))
        for args, codes in cases:
            with self.subTest(args=args):
                r = self.site.cli(*args)
                self.assertCLIError(r, codes)
                self.assertUntouched(before, " ".join(args))

    def test_import_from_stdin_and_file(self):
        data = ("\ufeffemail,topics,frequency\r\n"
                "imp1@example.org,ki bahn,weekly\r\n"
                "\"imp2@example.org\",\"\",\r\n"
                "\r\n"
                "IMP3@Example.org\r\n")
        r = self.site.cli("subscriber", "import", "-", "--note", "Altsystem, Export 2026-02",
                          stdin=data)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.last_line, "imported 3")
        s = self.find("imp1@example.org")
        self.assertEqual(s["topics"], ["bahn", "ki"])
        self.assertEqual(s["frequency"], "weekly")
        self.assertEqual(self.find("imp2@example.org")["topics"], [])
        self.assertEqual(self.find("imp3@example.org")["email"], "IMP3@example.org")

        fd, path = tempfile.mkstemp(suffix=".csv")
        try:
            with os.fdopen(fd, "w") as f:
                f.write("imp4@example.org,wetter\nimp5@example.org,,daily\n")
            r = self.site.cli("subscriber", "import", path, "--note", "Datei",
                              "--no-newsletter")
        finally:
            os.unlink(path)
        # imp5 has neither topics nor the newsletter: nothing to send.
        self.assertCLIError(r)
        self.assertIn("line 2", r.err)
        self.assertIsNone(self.find("imp4@example.org"))

    def test_import_is_all_or_nothing(self):
        self.site.must("subscriber", "add", "vorhanden@example.org", "--note", "vorher")
        before = self.site.db_dump()
        data = ("gut1@example.org,ki\n"
                "VORHANDEN@example.org\n"
                "keine-adresse,ki\n"
                "gut2@example.org,Gross\n"
                "gut1@example.org\n"
                "gut3@example.org,,monthly\n"
                "gut4@example.org,a,b,c\n"
                "gut5@example.org,ki\n")
        r = self.site.cli("subscriber", "import", "-", "--note", "Liste", stdin=data)
        self.assertCLIError(r)
        for n in (2, 3, 4, 5, 6, 7):
            self.assertRegex(r.err, r"(?m)^depesche: line %d: " % n, r)
        self.assertNotIn("line 1:", r.err)
        self.assertNotIn("line 8:", r.err)
        self.assertIn("appears twice", r.err)
        self.assertIn("subscriber already", r.err)
        self.assertUntouched(before, "a bad import")

        for args, stdin, codes in [
            (("subscriber", "import", "-"), "x@example.org\n", (1,)),
            (("subscriber", "import", "/nonexistent/file.csv", "--note", "n"), None, (1,)),
            (("subscriber", "import", "--note", "n"), "", (2,)),
            (("subscriber", "import", "-", "--note", "n"), b"bin\x00ary@example.org\n", (1,)),
            (("subscriber", "import", "-", "--note", "n"), b"\xff\xfe@example.org\n", (1,)),
            (("subscriber", "import", "-", "--note", "n"), "a" * 20000 + "@example.org\n",
             (1,)),
        ]:
            with self.subTest(args=args):
                r = self.site.cli(*args, stdin=stdin)
                self.assertCLIError(r, codes)
                self.assertUntouched(before, " ".join(args))

    def test_list_filters(self):
        self.site.must("subscriber", "add", "filter.eins@liste.example", "--note", "n")
        self.site.must("subscriber", "add", "filter.zwei@liste.example", "--note", "n")
        got = [s["email"] for s in self.list_json("--search", "LISTE.EXAMPLE")]
        self.assertEqual(got, ["filter.zwei@liste.example", "filter.eins@liste.example"])
        self.assertEqual(self.list_json("--status", "pending", "--search", "liste.example"), [])
        self.assertEqual(len(self.list_json("--status", "confirmed", "--search",
                                            "filter.eins")), 1)
        r = self.site.must("subscriber", "list", "--search", "filter.")
        lines = [l for l in r.out.splitlines() if "liste.example" in l]
        self.assertEqual(len(lines), 2)
        self.assertTrue(all(l.startswith("confirmed") for l in lines), lines)
        r = self.site.cli("subscriber", "list", "--status", "happy")
        self.assertCLIError(r, (2,))

    def test_show_unknown(self):
        r = self.site.cli("subscriber", "show", "unbekannt@example.org")
        self.assertCLIError(r)
        r = self.site.cli("subscriber", "show")
        self.assertCLIError(r, (2,))

    def test_delete_erases_everything(self):
        self.site.must("subscriber", "add", "weg@example.org", "--topics", "ki,bahn",
                       "--note", "n")
        self.site.must("subscriber", "add", "bleibt@example.org", "--topics", "ki", "--note",
                       "n")
        sid = self.find("weg@example.org")["id"]
        r = self.site.cli("subscriber", "delete", "WEG@example.org")
        self.assertEqual(r.rc, 0, r)
        self.assertIsNone(self.find("weg@example.org"))
        self.assertIsNotNone(self.find("bleibt@example.org"))
        for table in ("subscribers", "subscriber_topics", "consents", "subscriber_alerts"):
            with self.subTest(table=table):
                col = "id" if table == "subscribers" else "subscriber_id"
                self.assertEqual(self.count("SELECT count(*) FROM %s WHERE %s = %d"
                                            % (table, col, sid)), 0)
        # The address is not kept in the audit log either.
        self.assertEqual(self.count("SELECT count(*) FROM audit_log WHERE object LIKE '%weg@%'"
                                    " OR detail LIKE '%weg@%'"), 0)
        before = self.site.db_dump()
        r = self.site.cli("subscriber", "delete", "weg@example.org")
        self.assertCLIError(r)
        self.assertUntouched(before, "deleting an unknown subscriber")

    def test_help(self):
        r = self.site.cli("subscriber", "--help")
        self.assertEqual(r.rc, 0, r)
        for word in ("list", "show", "add", "import", "delete", "--note"):
            self.assertIn(word, r.out)
        r = self.site.cli("subscriber")
        self.assertEqual(r.rc, 2, r)


if __name__ == "__main__":
    unittest.main()
