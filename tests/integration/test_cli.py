"""The command line: init, post add/list/show/edit/publish/unpublish/delete/import,
and its errors (exit status, a 'depesche: ' message, the database untouched)."""

import json
import os
import tempfile
import shutil
import unittest

from harness import BASE_URL, SiteTestCase, run_cli, articles_from_json, binary


def _values(doc):
    if isinstance(doc, dict):
        for v in doc.values():
            yield from _values(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from _values(v)
    else:
        yield doc


class InitTest(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(binary()):
            self.fail("binary not found: %s" % binary())
        self.root = tempfile.mkdtemp(prefix="depesche-it-init-")
        self.dir = os.path.join(self.root, "site")

    def tearDown(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def test_init_creates_site(self):
        r = run_cli(["init", "--title", "Der Testbote", "--base-url", BASE_URL, "--lang", "de"],
                    data_dir=self.dir)
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(os.path.isfile(os.path.join(self.dir, "site.json")), r)
        self.assertTrue(os.path.isfile(os.path.join(self.dir, "depesche.db")), r)
        with open(os.path.join(self.dir, "site.json"), encoding="utf-8") as f:
            s = json.load(f)
        self.assertEqual(s.get("title"), "Der Testbote")
        self.assertEqual(s.get("base_url"), BASE_URL)
        self.assertEqual(s.get("lang"), "de")

    def test_init_refuses_to_overwrite(self):
        r = run_cli(["init", "--title", "Erste", "--base-url", BASE_URL], data_dir=self.dir)
        self.assertEqual(r.rc, 0, r)
        r = run_cli(["post", "add", "--title", "Bleibt"], data_dir=self.dir, stdin="Text.\n")
        self.assertEqual(r.rc, 0, r)
        with open(os.path.join(self.dir, "site.json"), "rb") as f:
            before_json = f.read()
        with open(os.path.join(self.dir, "depesche.db"), "rb") as f:
            before_db = f.read()
        r = run_cli(["init", "--title", "Zweite", "--base-url", "http://other.test"],
                    data_dir=self.dir)
        self.assertEqual(r.rc, 1, r)
        self.assertRegex(r.err, r"(?m)^depesche: \S", r)
        with open(os.path.join(self.dir, "site.json"), "rb") as f:
            self.assertEqual(f.read(), before_json, "init overwrote site.json")
        with open(os.path.join(self.dir, "depesche.db"), "rb") as f:
            self.assertEqual(f.read(), before_db, "init touched the database")
        r = run_cli(["post", "list", "--all", "--json"], data_dir=self.dir)
        self.assertEqual(r.rc, 0, r)
        titles = [a.get("title") for a in articles_from_json(json.loads(r.out))]
        self.assertEqual(titles, ["Bleibt"])

    def test_init_rejects_unknown_lang(self):
        r = run_cli(["init", "--title", "X", "--base-url", BASE_URL, "--lang", "xx"],
                    data_dir=self.dir)
        self.assertNotEqual(r.rc, 0, r)
        self.assertRegex(r.err, r"(?m)^depesche: \S", r)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "site.json")),
                         "a site was created despite the error")

    def test_data_dir_from_env_and_after_subcommand(self):
        r = run_cli(["init", "--title", "Env", "--base-url", BASE_URL],
                    env={"DEPESCHE_DATA": self.dir})
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(os.path.isfile(os.path.join(self.dir, "site.json")))
        r = run_cli(["post", "add", "--title", "Nach dem Befehl", "--data", self.dir],
                    stdin="Text.\n")
        self.assertEqual(r.rc, 0, r)
        r = run_cli(["post", "list", "--json"], env={"DEPESCHE_DATA": self.dir})
        self.assertEqual(r.rc, 0, r)
        titles = [a.get("title") for a in articles_from_json(json.loads(r.out))]
        self.assertIn("Nach dem Befehl", titles)

    def test_commands_without_a_site_fail(self):
        r = run_cli(["post", "add", "--title", "Ins Leere"], data_dir=self.dir, stdin="x\n")
        self.assertEqual(r.rc, 1, r)
        self.assertRegex(r.err, r"(?m)^depesche: \S", r)
        r = run_cli(["post", "list"], data_dir=self.dir)
        self.assertEqual(r.rc, 1, r)
        self.assertRegex(r.err, r"(?m)^depesche: \S", r)

    def test_usage_errors_exit_2(self):
        r = run_cli(["frobnicate"], data_dir=self.dir)
        self.assertEqual(r.rc, 2, r)
        self.assertRegex(r.err, r"(?m)^depesche: \S", r)
        r = run_cli(["init", "--no-such-option"], data_dir=self.dir)
        self.assertEqual(r.rc, 2, r)
        self.assertRegex(r.err, r"(?m)^depesche: \S", r)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "site.json")))


class PostCommandsTest(SiteTestCase):
    """post add / list / show / edit / publish / unpublish / delete / import."""

    def test_add_prints_path_and_derives_slug(self):
        p = self.site.add("Hallo Welt")
        self.assertEqual(p, "/hallo-welt/")

    def test_duplicate_derived_slug_is_numbered(self):
        p1 = self.site.add("Doppelte Meldung")
        p2 = self.site.add("Doppelte Meldung")
        p3 = self.site.add("Doppelte Meldung")
        self.assertEqual(p1, "/doppelte-meldung/")
        self.assertEqual(p2, "/doppelte-meldung-2/")
        self.assertNotIn(p3, (p1, p2))
        self.assertTrue(p3.startswith("/doppelte-meldung-"), p3)

    def test_explicit_slug(self):
        p = self.site.add("Irgendein Titel", slug="eigener-slug")
        self.assertEqual(p, "/eigener-slug/")

    def test_duplicate_explicit_slug_is_an_error(self):
        self.site.add("Original", slug="vergeben")
        before = self.site.db_dump()
        r = self.site.cli("post", "add", "--title", "Kopie", "--slug", "vergeben", stdin="x\n")
        self.assertCLIError(r)
        self.assertUntouched(before, "post add with a taken --slug")

    def test_empty_title_rejected(self):
        before = self.site.db_dump()
        r = self.site.cli("post", "add", "--title", "", stdin="Text\n")
        self.assertCLIError(r, (1, 2))
        self.assertUntouched(before, "post add --title ''")

    def test_missing_title_rejected(self):
        before = self.site.db_dump()
        r = self.site.cli("post", "add", stdin="Text\n")
        self.assertCLIError(r, (1, 2))
        self.assertUntouched(before, "post add without --title")

    def test_invalid_utf8_title_rejected(self):
        before = self.site.db_dump()
        r = self.site.cli("post", "add", "--title", b"Caf\xe9 kaputt", stdin="Text\n")
        self.assertCLIError(r)
        self.assertUntouched(before, "post add with invalid UTF-8 in the title")
        # overlong encoding of '/' and a UTF-16 surrogate
        for bad in (b"Over\xc0\xaflong", b"Sur\xed\xa0\x80rogate"):
            with self.subTest(title=bad):
                r = self.site.cli("post", "add", "--title", bad, stdin="Text\n")
                self.assertCLIError(r)
                self.assertUntouched(before, "post add with title %r" % bad)

    def test_control_characters_in_title_rejected(self):
        before = self.site.db_dump()
        for bad in ("Bell\x07Zeichen", "Escape\x1b[31m", "Zeilen\numbruch", "Tab\tTitel",
                    "Del\x7fete", "C1\u0085Steuer", "Null\x01Byte"):
            with self.subTest(title=bad):
                r = self.site.cli("post", "add", "--title", bad, stdin="Text\n")
                self.assertCLIError(r)
                self.assertUntouched(before, "post add with title %r" % bad)

    def test_invalid_utf8_body_rejected(self):
        before = self.site.db_dump()
        r = self.site.cli("post", "add", "--title", "Kaputter Text", stdin=b"Gr\xfc\xdfe\n")
        self.assertCLIError(r)
        self.assertUntouched(before, "post add with an invalid UTF-8 body")

    def test_invalid_date_rejected(self):
        before = self.site.db_dump()
        for bad in ("gestern", "2026-13-01", "2026-02-30T10:00:00Z", "27.11.2026"):
            with self.subTest(date=bad):
                r = self.site.cli("post", "add", "--title", "Datum " + bad, "--date", bad,
                                  stdin="x\n")
                self.assertCLIError(r, (1, 2))
                self.assertUntouched(before, "post add --date %r" % bad)

    def test_date_formats_accepted(self):
        for i, d in enumerate(("2025-03-14", "2025-03-14T10:00", "2025-03-14T10:00:00Z",
                               "2025-03-14T10:00:00+01:00")):
            with self.subTest(date=d):
                p = self.site.add("Datumsformat %d" % i, date=d)
                r = self.site.cli("post", "show", p.strip("/"), "--json")
                self.assertEqual(r.rc, 0, r)
                doc = json.loads(r.out)
                # ISO text, or Unix seconds within that day (UTC)
                lo, hi = 1741910400, 1741910400 + 86400
                nums = [v for v in _values(doc) if isinstance(v, int) and lo <= v < hi]
                self.assertTrue("2025-03-14" in json.dumps(doc) or nums,
                                "date not stored: %r" % doc)

    def test_list_json_and_visibility(self):
        pub = self.site.add("Sichtbar in der Liste").strip("/")
        draft = self.site.add("Entwurf in der Liste", draft=True).strip("/")
        sched = self.site.add("Geplant in der Liste", date="2099-01-01T10:00:00Z").strip("/")
        r = self.site.must("post", "list", "--json")
        slugs = [a.get("slug") for a in articles_from_json(json.loads(r.out))]
        self.assertIn(pub, slugs)
        self.assertNotIn(draft, slugs)
        self.assertNotIn(sched, slugs)
        r = self.site.must("post", "list", "--all", "--json")
        arts = articles_from_json(json.loads(r.out))
        slugs = [a.get("slug") for a in arts]
        self.assertIn(pub, slugs)
        self.assertIn(draft, slugs)
        self.assertIn(sched, slugs)
        for a in arts:
            self.assertIn("title", a)
            self.assertIn("slug", a)
        # the plain-text list names the public article
        r = self.site.must("post", "list")
        self.assertTrue(pub in r.out or "Sichtbar in der Liste" in r.out, r)
        self.assertNotIn(draft, r.out)
        self.assertNotIn("Entwurf in der Liste", r.out)

    def test_show(self):
        p = self.site.add("Zum Anzeigen", body="Der **Inhalt** hier.\n", tags=["alpha", "beta"],
                          category="Welt", author="Erika Mustermann", dateline="KYIV / LONDON")
        slug = p.strip("/")
        r = self.site.must("post", "show", slug)
        self.assertIn("Zum Anzeigen", r.out)
        r = self.site.must("post", "show", slug, "--json")
        doc = json.loads(r.out)
        self.assertEqual(doc.get("title"), "Zum Anzeigen")
        self.assertEqual(doc.get("slug"), slug)
        dumped = json.dumps(doc, ensure_ascii=False)
        for needle in ("Der **Inhalt** hier.", "alpha", "beta", "Welt", "Erika Mustermann",
                       "KYIV / LONDON"):
            self.assertIn(needle, dumped)

    def test_show_unknown_slug(self):
        r = self.site.cli("post", "show", "gibt-es-nicht")
        self.assertCLIError(r)

    def test_edit_title_keeps_body(self):
        slug = self.site.add("Alter Titel", body="Unveränderter Text.\n").strip("/")
        r = self.site.cli("post", "edit", slug, "--title", "Neuer Titel")  # stdin: /dev/null
        self.assertEqual(r.rc, 0, r)
        doc = json.loads(self.site.must("post", "show", slug, "--json").out)
        self.assertEqual(doc.get("title"), "Neuer Titel")
        self.assertEqual(doc.get("slug"), slug, "editing the title must not move the article")
        self.assertIn("Unveränderter Text.", json.dumps(doc, ensure_ascii=False))

    def test_edit_body_from_stdin(self):
        slug = self.site.add("Text ändern", body="Alt.\n").strip("/")
        self.site.must("post", "edit", slug, stdin="Ganz neu.\n")
        doc = json.loads(self.site.must("post", "show", slug, "--json").out)
        d = json.dumps(doc, ensure_ascii=False)
        self.assertIn("Ganz neu.", d)
        self.assertNotIn("Alt.", d)

    def test_edit_rejects_bad_input_untouched(self):
        slug = self.site.add("Bleibt wie es ist").strip("/")
        self.site.add("Anderer Artikel", slug="anderer-artikel")
        before = self.site.db_dump()
        for args in (["--title", ""], ["--title", "Kontroll\x07zeichen"],
                     ["--slug", "anderer-artikel"]):
            with self.subTest(args=args):
                r = self.site.cli("post", "edit", slug, *args)
                self.assertCLIError(r, (1, 2))
                self.assertUntouched(before, "post edit %r" % args)
        r = self.site.cli("post", "edit", "gibt-es-nicht", "--title", "X")
        self.assertCLIError(r)
        self.assertUntouched(before, "post edit of an unknown slug")

    def test_draft_publish_unpublish(self):
        slug = self.site.add("Status wechseln", draft=True).strip("/")
        pub = lambda: [a.get("slug") for a in self.site.list_json(all_=False)]
        self.assertNotIn(slug, pub())
        self.site.must("post", "publish", slug)
        self.assertIn(slug, pub())
        self.site.must("post", "unpublish", slug)
        self.assertNotIn(slug, pub())
        self.assertIn(slug, [a.get("slug") for a in self.site.list_json(all_=True)])
        self.site.must("post", "edit", slug, "--publish")
        self.assertIn(slug, pub())

    def test_delete(self):
        slug = self.site.add("Wird gelöscht").strip("/")
        self.site.must("post", "delete", slug)
        self.assertNotIn(slug, [a.get("slug") for a in self.site.list_json()])
        r = self.site.cli("post", "show", slug)
        self.assertCLIError(r)
        before = self.site.db_dump()
        for cmd in ("delete", "publish", "unpublish"):
            with self.subTest(cmd=cmd):
                r = self.site.cli("post", cmd, slug)
                self.assertCLIError(r)
                self.assertUntouched(before, "post %s of an unknown slug" % cmd)

    def test_import(self):
        recs = [
            {"title": "Import Eins", "body": "Text eins.", "slug": "import-eins",
             "tags": ["imp"], "category": "Inland", "author": "Max", "date": "2025-01-02T10:00:00Z"},
            {"title": "Import Zwei", "body": "Text zwei.", "dateline": "ROM"},
            {"title": "Import Entwurf", "body": "Text drei.", "draft": True},
        ]
        r = self.site.import_jsonl(recs)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.last_line, "imported 3", r)
        arts = {a.get("title"): a for a in self.site.list_json(all_=True)}
        for rec in recs:
            self.assertIn(rec["title"], arts)
        self.assertEqual(arts["Import Eins"].get("slug"), "import-eins")
        public = [a.get("title") for a in self.site.list_json(all_=False)]
        self.assertNotIn("Import Entwurf", public)
        self.assertIn("Import Zwei", public)

    def test_import_is_one_transaction(self):
        before = self.site.db_dump()
        good = json.dumps({"title": "Gut importiert", "body": "ok"})
        for bad in (json.dumps({"body": "ohne Titel"}),
                    "{kein json",
                    json.dumps({"title": "Steuer\x07zeichen", "body": "x"}),
                    json.dumps({"title": "Falsches Datum", "body": "x", "date": "gestern"})):
            with self.subTest(bad=bad):
                r = self.site.cli("post", "import", stdin=good + "\n" + bad + "\n")
                self.assertCLIError(r)
                self.assertUntouched(before, "a failing import")


if __name__ == "__main__":
    unittest.main()
